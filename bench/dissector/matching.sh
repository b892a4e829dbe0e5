#!/bin/sh
# matching.sh — the cost of request/response matching in the worst case
# (issue 10): one connection, N pipelined requests followed by N responses
# whose Sequence matches none of them, against the same capture with
# matching Sequences (the baseline, measured in the same run).  Both
# captures have the same packets and sizes; only the Sequences differ.
# Rounds interleave the two; prints medians of tshark's wall time and the
# ratio unmatched / matched (goal <= 1.5).  A benchmark, not a test.
# tshark runs as uid 65534 when we are root (see dissector/plugin-home.sh).
#
# usage: matching.sh [--rounds N] [--transactions N] PLUGIN.so
#   default: 5 rounds, 40,000 transactions
# exit: 0 done, 1 a tshark run failed, 2 bad usage.
set -u

ROUNDS=5
TRANSACTIONS=40000
usage() { echo "usage: $0 [--rounds N] [--transactions N] PLUGIN.so" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
    --rounds) [ $# -ge 2 ] || usage; ROUNDS=$2; shift 2 ;;
    --transactions) [ $# -ge 2 ] || usage; TRANSACTIONS=$2; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "$0: unknown option $1" >&2; usage ;;
    *) break ;;
    esac
done
[ $# -eq 1 ] || usage
PLUGIN=$1
[ -f "$PLUGIN" ] || { echo "$0: no plugin at $PLUGIN" >&2; exit 2; }
case "$ROUNDS$TRANSACTIONS" in *[!0-9]*) echo "$0: counts must be integers" >&2; exit 2 ;; esac

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
. "$REPO/dissector/plugin-home.sh"
WORK=$(rio_plugin_home rio-match "$PLUGIN") || { echo "$0: cannot set up a plugin HOME" >&2; exit 1; }
trap 'rm -rf "$WORK"' EXIT INT TERM
for kind in matched unmatched; do
    /usr/bin/python3 "$HERE/gen_capture.py" "$WORK/$kind.pcap" "$TRANSACTIONS" --pipelined $kind >/dev/null || exit 1
done
rio_share "$WORK"

run() {  # $1 matched|unmatched; appends "kind secs"
    (cd "$WORK" && /usr/bin/time -f "%e" -o "$WORK/time" $RIO_AS_NOBODY env -i PATH=/usr/bin:/bin \
        HOME="$WORK" tshark -n -r "$WORK/$1.pcap" >/dev/null 2>"$WORK/err") ||
        { echo "$0: tshark ($1) failed:" >&2; cat "$WORK/err" >&2; exit 1; }
    echo "$1 $(tail -1 "$WORK/time")" >>"$WORK/results"
}

r=1
while [ $r -le "$ROUNDS" ]; do
    run matched
    run unmatched
    echo "round $r/$ROUNDS done" >&2
    r=$((r + 1))
done

/usr/bin/python3 - "$WORK/results" "$TRANSACTIONS" "$(tshark --version | awk 'NR==1 { sub(/\.$/, "", $3); print $3 }')" <<'PY'
import statistics, sys
t = {}
for kind, secs in (l.split() for l in open(sys.argv[1])):
    t.setdefault(kind, []).append(float(secs))
m, u = statistics.median(t["matched"]), statistics.median(t["unmatched"])
print("RIO matching benchmark (Wireshark %s): %s pipelined requests, then as many responses; medians of %d rounds"
      % (sys.argv[3], sys.argv[2], len(t["matched"])))
print("  matched Sequences   %.2f s" % m)
print("  unmatched Sequences %.2f s" % u)
print("  unmatched / matched: %.2f   (goal <= 1.5)" % (u / m))
PY
