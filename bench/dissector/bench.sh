#!/bin/sh
# bench.sh — how much the rio.so plugin costs tshark, against same-run
# baselines: TCP alone (`--disable-protocol rio`, the floor) and the
# equivalent Lua dissector (rio.lua).  Configurations interleaved over
# several rounds, medians of wall time and peak RSS (/usr/bin/time).
#
# `--disable-protocol rio` is not quite a floor: TCP then offers every
# segment to its ~80 heuristic dissectors and to whatever else claims ports
# 5000-5099, which costs more than RIO itself.  So a fourth configuration,
# "data", hands the payload straight to the data dissector (Decode As) and
# the plugin is also measured against that strict floor.
# With --before OLD.so, a fifth configuration runs an older build of the
# plugin in the same rounds, so a change is measured before and after on
# the same machine at the same load (`before`, against the same floors).
# Prints ratios; it is a benchmark, not a test (no pass/fail).  tshark runs
# as uid 65534 when we are root (see dissector/plugin-home.sh).
#
# usage: bench.sh [--rounds N] [--transactions N] [--no-verbose] [--before OLD.so]
#                 [--configs "tcp data plugin lua before"] PLUGIN.so
# exit: 0 done, 1 a tshark run failed, 2 bad usage.
set -u

ROUNDS=3
TRANSACTIONS=200000
VERBOSE=1
BEFORE=""
CONFIGS=""
usage() { echo "usage: $0 [--rounds N] [--transactions N] [--no-verbose] [--before OLD.so] [--configs LIST] PLUGIN.so" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
    --rounds) [ $# -ge 2 ] || usage; ROUNDS=$2; shift 2 ;;
    --transactions) [ $# -ge 2 ] || usage; TRANSACTIONS=$2; shift 2 ;;
    --no-verbose) VERBOSE=0; shift ;;
    --before) [ $# -ge 2 ] || usage; BEFORE=$2; shift 2 ;;
    --configs) [ $# -ge 2 ] || usage; CONFIGS=$2; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "$0: unknown option $1" >&2; usage ;;
    *) break ;;
    esac
done
[ $# -eq 1 ] || usage
PLUGIN=$1
[ -f "$PLUGIN" ] || { echo "$0: no plugin at $PLUGIN" >&2; exit 2; }
[ -z "$BEFORE" ] || [ -f "$BEFORE" ] || { echo "$0: no plugin at $BEFORE" >&2; exit 2; }
case "$ROUNDS$TRANSACTIONS" in *[!0-9]*) echo "$0: counts must be integers" >&2; exit 2 ;; esac
if [ -z "$CONFIGS" ]; then
    CONFIGS="tcp data plugin lua"
    [ -n "$BEFORE" ] && CONFIGS="$CONFIGS before"
fi
for c in $CONFIGS; do
    case "$c" in tcp|data|plugin|lua) ;; before) [ -n "$BEFORE" ] || usage ;; *) echo "$0: unknown configuration $c" >&2; usage ;; esac
done
case " $CONFIGS " in *" data "*) ;; *) echo "$0: --configs needs data (the strict floor)" >&2; exit 2 ;; esac

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
. "$REPO/dissector/plugin-home.sh"
WORK=$(rio_plugin_home rio-bench "$PLUGIN") || { echo "$0: cannot set up a plugin HOME" >&2; exit 1; }
OLD=""
if [ -n "$BEFORE" ]; then
    OLD=$(rio_plugin_home rio-bench-before "$BEFORE") || { rm -rf "$WORK"; echo "$0: cannot set up a plugin HOME" >&2; exit 1; }
    rio_share "$OLD"
fi
trap 'rm -rf "$WORK" $OLD' EXIT INT TERM
cp "$HERE/rio.lua" "$REPO/include/rio/rio.h" "$WORK/"
/usr/bin/python3 "$HERE/gen_capture.py" "$WORK/bench.pcap" "$TRANSACTIONS" || exit 1
rio_share "$WORK"
RIO_PORTS=$(/usr/bin/python3 -c "import sys; sys.path.insert(0, '$REPO'); from pyrio.riodefs import DEFS; print('%d-%d' % (DEFS.BASE_PORT, DEFS.PORT_RANGE_LAST))")

config_args() {
    case "$1" in
    plugin) ;;
    tcp) echo "--disable-protocol rio" ;;
    data) echo "--disable-protocol rio -d tcp.port==$RIO_PORTS,data" ;;
    lua) echo "--disable-protocol rio -X lua_script:$WORK/rio.lua" ;;
    esac
}

run() {  # $1 config, $2 mode (summary|verbose); appends "config mode secs kb"
    v=""; [ "$2" = verbose ] && v="-V"
    home=$WORK; [ "$1" = before ] && home=$OLD
    (cd "$WORK" && /usr/bin/time -f "%e %M" -o "$WORK/time" $RIO_AS_NOBODY env -i PATH=/usr/bin:/bin \
        HOME="$home" RIO_H="$WORK/rio.h" tshark -n -r "$WORK/bench.pcap" $v $(config_args "$1") >/dev/null 2>"$WORK/err") ||
        { echo "$0: tshark ($1, $2) failed:" >&2; cat "$WORK/err" >&2; exit 1; }
    grep -q "Lua Error" "$WORK/err" && { echo "$0: rio.lua failed:" >&2; head -3 "$WORK/err" >&2; exit 1; }
    echo "$1 $2 $(tail -1 "$WORK/time")" >>"$WORK/results"
}

MODES="summary"
[ "$VERBOSE" = 1 ] && MODES="summary verbose"
r=1
while [ $r -le "$ROUNDS" ]; do
    for mode in $MODES; do
        for cfg in $CONFIGS; do
            run $cfg $mode
        done
    done
    echo "round $r/$ROUNDS done" >&2
    r=$((r + 1))
done

/usr/bin/python3 - "$WORK/results" "$TRANSACTIONS" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = {}
for cfg, mode, secs, kb in rows:
    med.setdefault((cfg, mode), ([], []))
    med[(cfg, mode)][0].append(float(secs))
    med[(cfg, mode)][1].append(int(kb))
print("RIO dissector benchmark: %s transactions, medians of %d rounds" % (sys.argv[2], len(med[("data", "summary")][0])))
for mode in ("summary", "verbose"):
    if ("data", mode) not in med:
        continue
    cfgs = [c for c in ("tcp", "data", "plugin", "lua", "before") if (c, mode) in med]
    t = {c: statistics.median(med[(c, mode)][0]) for c in cfgs}
    m = {c: statistics.median(med[(c, mode)][1]) for c in cfgs}
    print("\n[%s output]  wall time: %s" % (mode, ", ".join("%s %.2f s" % (c, t[c]) for c in cfgs)))
    for floor, label in (("tcp", "TCP alone (--disable-protocol rio)"), ("data", "strict floor (TCP + data)")):
        if floor not in t:
            continue
        print("  vs %s:" % label)
        for p in ("plugin", "before"):
            if p not in t:
                continue
            goal = "   (goal <= %s)" % {"summary": "+10%", "verbose": "+8%"}[mode] if floor == "data" else ""
            print("    %-7s overhead:              %+.1f%%%s" % (p, 100 * (t[p] / t[floor] - 1), goal))
            if "lua" in t and t["lua"] > t[floor]:
                print("    %-7s added / Lua added time: %.3f   (goal <= 0.333)" % (p, (t[p] - t[floor]) / (t["lua"] - t[floor])))
            print("    %-7s peak RSS vs floor:     %+.1f%%   (goal <= +20%%)" % (p, 100 * (m[p] / m[floor] - 1)))
    print("  peak RSS: %s" % ", ".join("%s %d MB" % (c, m[c] / 1024) for c in cfgs))
PY
