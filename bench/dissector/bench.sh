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
# Prints ratios; it is a benchmark, not a test (no pass/fail).  tshark runs
# as uid 65534 when we are root (see dissector/plugin-home.sh).
#
# usage: bench.sh [--rounds N] [--transactions N] [--no-verbose] PLUGIN.so
# exit: 0 done, 1 a tshark run failed, 2 bad usage.
set -u

ROUNDS=3
TRANSACTIONS=200000
VERBOSE=1
usage() { echo "usage: $0 [--rounds N] [--transactions N] [--no-verbose] PLUGIN.so" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
    --rounds) [ $# -ge 2 ] || usage; ROUNDS=$2; shift 2 ;;
    --transactions) [ $# -ge 2 ] || usage; TRANSACTIONS=$2; shift 2 ;;
    --no-verbose) VERBOSE=0; shift ;;
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
WORK=$(rio_plugin_home rio-bench "$PLUGIN") || { echo "$0: cannot set up a plugin HOME" >&2; exit 1; }
trap 'rm -rf "$WORK"' EXIT INT TERM
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
    (cd "$WORK" && /usr/bin/time -f "%e %M" -o "$WORK/time" $RIO_AS_NOBODY env -i PATH=/usr/bin:/bin \
        HOME="$WORK" RIO_H="$WORK/rio.h" tshark -n -r "$WORK/bench.pcap" $v $(config_args "$1") >/dev/null 2>"$WORK/err") ||
        { echo "$0: tshark ($1, $2) failed:" >&2; cat "$WORK/err" >&2; exit 1; }
    grep -q "Lua Error" "$WORK/err" && { echo "$0: rio.lua failed:" >&2; head -3 "$WORK/err" >&2; exit 1; }
    echo "$1 $2 $(tail -1 "$WORK/time")" >>"$WORK/results"
}

MODES="summary"
[ "$VERBOSE" = 1 ] && MODES="summary verbose"
r=1
while [ $r -le "$ROUNDS" ]; do
    for mode in $MODES; do
        for cfg in tcp data plugin lua; do
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
print("RIO dissector benchmark: %s transactions, medians of %d rounds" % (sys.argv[2], len(med[("tcp", "summary")][0])))
for mode in ("summary", "verbose"):
    if ("tcp", mode) not in med:
        continue
    cfgs = ("tcp", "data", "plugin", "lua")
    t = {c: statistics.median(med[(c, mode)][0]) for c in cfgs}
    m = {c: statistics.median(med[(c, mode)][1]) for c in cfgs}
    print("\n[%s output]  wall time: tcp alone %.2f s, tcp+data %.2f s, plugin %.2f s, lua %.2f s"
          % (mode, t["tcp"], t["data"], t["plugin"], t["lua"]))
    for floor, label in (("tcp", "TCP alone (--disable-protocol rio)"), ("data", "strict floor (TCP + data)")):
        print("  vs %s:" % label)
        print("    plugin overhead:               %+.1f%%   (goal <= +15%%)" % (100 * (t["plugin"] / t[floor] - 1)))
        lua_added = t["lua"] - t[floor]
        ratio = (t["plugin"] - t[floor]) / lua_added if lua_added > 0 else float("nan")
        print("    plugin added / Lua added time: %.3f   (goal <= 0.333)" % ratio)
        print("    peak RSS plugin vs floor:      %+.1f%%   (goal <= +20%%)" % (100 * (m["plugin"] / m[floor] - 1)))
    print("  peak RSS: tcp %d MB, tcp+data %d MB, plugin %d MB, lua %d MB" % (
        m["tcp"] / 1024, m["data"] / 1024, m["plugin"] / 1024, m["lua"] / 1024))
PY
