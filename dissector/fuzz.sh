#!/bin/sh
# fuzz.sh — fuzz rio.so the way Wireshark's own fuzz-test.sh does: mutate
# captures with `editcap -E`, dissect each with `tshark -nVxr` under the
# strict wmem allocator and WIRESHARK_ABORT_ON_DISSECTOR_BUG, the plugin
# built with ASan+UBSan (cmake -DRIO_SANITIZE=ON; tshark itself is not, so
# libasan is LD_PRELOADed).  Any crash, abort or sanitizer report fails.
#
# usage: fuzz.sh [--seconds N | --iterations N] [--error-rate R] PLUGIN.so [CAPTURE...]
#   default: --seconds 30, every captures/*.pcap* plus the crafted scenarios.
# exit: 0 clean, 1 a failure (the mutated file is kept and named), 2 bad usage.
# (tshark runs as uid 65534 when we are root: see plugin-home.sh.)
set -u

SECONDS_LIMIT=30
ITERATIONS=0
ERROR_RATE=0.02
usage() { echo "usage: $0 [--seconds N | --iterations N] [--error-rate R] PLUGIN.so [CAPTURE...]" >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
    --seconds) [ $# -ge 2 ] || usage; SECONDS_LIMIT=$2; ITERATIONS=0; shift 2 ;;
    --iterations) [ $# -ge 2 ] || usage; ITERATIONS=$2; SECONDS_LIMIT=0; shift 2 ;;
    --error-rate) [ $# -ge 2 ] || usage; ERROR_RATE=$2; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "$0: unknown option $1" >&2; usage ;;
    *) break ;;
    esac
done
[ $# -ge 1 ] || usage
PLUGIN=$1; shift
[ -f "$PLUGIN" ] || { echo "$0: no plugin at $PLUGIN" >&2; exit 2; }
case "$SECONDS_LIMIT$ITERATIONS" in *[!0-9]*) echo "$0: counts must be integers" >&2; exit 2 ;; esac

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
. "$HERE/plugin-home.sh"
WORK=$(rio_plugin_home rio-fuzz "$PLUGIN") || { echo "$0: cannot set up a plugin HOME" >&2; exit 2; }
trap 'rm -rf "$WORK"' EXIT INT TERM
mkdir -p "$WORK/seeds"

# Seeds: the given captures, or the library plus the crafted scenarios.
if [ $# -gt 0 ]; then
    for c in "$@"; do cp "$c" "$WORK/seeds/"; done
    rio_write_session "$REPO" "$WORK/seeds/session.pcap" >/dev/null
else
    for c in "$REPO"/captures/*.pcap "$REPO"/captures/*.pcapng; do
        [ -f "$c" ] && cp "$c" "$WORK/seeds/"
    done
    (cd "$REPO" && /usr/bin/python3 -c "import sys; sys.path.insert(0, 'dissector/tests'); import scenarios; scenarios.write_all(sys.argv[1])" "$WORK/seeds") >/dev/null ||
        { echo "$0: could not write the crafted seeds" >&2; exit 2; }
    rm -f "$WORK"/seeds/*.json
fi
rio_share "$WORK"

PRELOAD=""
if ldd "$PLUGIN" | grep -q libasan; then
    PRELOAD="$(gcc -print-file-name=libasan.so)"
    ldd "$PLUGIN" | grep -q libubsan && PRELOAD="$PRELOAD $(gcc -print-file-name=libubsan.so)"
else
    echo "$0: warning: $PLUGIN is not built with ASan (configure with -DRIO_SANITIZE=ON)" >&2
fi

run_tshark() {  # $1 capture, more: extra tshark arguments; output in $WORK/out
    cap=$1; shift
    (cd "$WORK" && $RIO_AS_NOBODY env -i PATH=/usr/bin:/bin HOME="$WORK" LD_PRELOAD="$PRELOAD" \
        ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1 \
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        WIRESHARK_DEBUG_WMEM_OVERRIDE=strict WIRESHARK_ABORT_ON_DISSECTOR_BUG=1 \
        timeout 120 tshark -nVxr "$cap" -o tcp.reassemble_out_of_order:TRUE "$@") >"$WORK/out" 2>&1
}

# An assertion that fails in Wireshark's own code (not the plugin's) and
# fails the same way when a built-in dissector takes RIO's place — DNS over
# TCP, which has TCP reassemble its PDUs through tcp_dissect_pdus as RIO
# does — is a Wireshark bug the mutation happened to hit, not the plugin's:
# counted and reported, the run goes on.  (Such as packet-tcp.c's
# `failed assertion "fd_head"` with out-of-order reassembly, on 4.0 to 4.6.)
RIO_PORTS=$(cd "$REPO" && /usr/bin/python3 -c "from pyrio.riodefs import DEFS; print('%d-%d' % (DEFS.BASE_PORT, DEFS.PORT_RANGE_LAST))")
WIRESHARK_BUGS=0
wireshark_own_bug() {  # $1 the capture that failed
    assertion=$(grep -a -m1 -o '[a-z0-9_-]*\.c:[0-9]*: failed assertion.*' "$WORK/out") || return 1
    case "$assertion" in *packet-rio*|*rio_*|*toaster*) return 1 ;; esac
    cp "$WORK/out" "$WORK/out.plugin"
    run_tshark "$1" --disable-protocol rio -d "tcp.port==$RIO_PORTS,dns"
    grep -a -qF "$assertion" "$WORK/out" && same=0 || same=1
    mv "$WORK/out.plugin" "$WORK/out"
    return $same
}

# The plugin must be loaded, or the run proves nothing.  (Not `-G plugins`:
# it starts the extcap helpers, which hang under the preloaded ASan.)
run_tshark "$WORK/seeds/session.pcap"
grep -q "Remote I/O Protocol" "$WORK/out" ||
    { echo "$0: tshark did not load $PLUGIN:" >&2; head -5 "$WORK/out" >&2; exit 1; }

start=$(date +%s)
n=0
while :; do
    if [ "$ITERATIONS" -gt 0 ]; then
        [ "$n" -ge "$ITERATIONS" ] && break
    elif [ $(( $(date +%s) - start )) -ge "$SECONDS_LIMIT" ]; then
        break
    fi
    for seed in "$WORK"/seeds/*; do
        n=$((n + 1))
        fuzzed="$WORK/fuzzed.pcap"
        editcap -E "$ERROR_RATE" -F pcap "$seed" "$fuzzed" >/dev/null 2>&1 || editcap -E "$ERROR_RATE" "$seed" "$fuzzed" >/dev/null 2>&1 || continue
        chmod 644 "$fuzzed"
        run_tshark "$fuzzed"
        rc=$?
        if [ $rc -ne 0 ] && [ $rc -ne 2 ] && wireshark_own_bug "$fuzzed"; then
            WIRESHARK_BUGS=$((WIRESHARK_BUGS + 1))
            keep="/tmp/rio-fuzz-wireshark-bug-$(date +%s)-$n.pcap"
            cp "$fuzzed" "$keep"
            echo "note: Wireshark's own $assertion (also without the plugin), kept as $keep" >&2
            continue
        fi
        if [ $rc -ne 0 ] && [ $rc -ne 2 ] || grep -qE "AddressSanitizer|runtime error:|DISSECTOR_BUG|Dissector bug|wmem" "$WORK/out"; then
            keep="/tmp/rio-fuzz-failure-$(date +%s)-$n.pcap"
            cp "$fuzzed" "$keep"
            echo "FAIL: tshark exit $rc on a mutation of $(basename "$seed"), kept as $keep" >&2
            grep -E "AddressSanitizer|runtime error|DISSECTOR_BUG|Dissector bug|ERROR|wmem" "$WORK/out" | head -20 >&2
            exit 1
        fi
        if [ "$ITERATIONS" -gt 0 ]; then
            [ "$n" -ge "$ITERATIONS" ] && break
        elif [ $(( $(date +%s) - start )) -ge "$SECONDS_LIMIT" ]; then
            break
        fi
    done
done
extra=""
[ "$WIRESHARK_BUGS" -gt 0 ] && extra=" ($WIRESHARK_BUGS hit an assertion of Wireshark's own that fails without the plugin too)"
echo "fuzz: $n mutated captures dissected, no crash, no abort, no sanitizer report from the plugin$extra"
exit 0
