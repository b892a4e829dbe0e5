#!/bin/sh
# check-version.sh — build rio.so against the Wireshark installed here and
# run the whole dissector suite against this system's real tshark: every
# test of dissector/tests (library captures against their expectations in
# one pass and -2, the crafted captures, analysis, statistics, plugin
# registration), `tshark -G plugins`, and a fuzz run with an ASan+UBSan
# build of the plugin.  One leg of the version matrix
# (scripts/wireshark-matrix.sh runs it inside a Debian system per
# Wireshark version), usable on its own as well.
#
# usage: check-version.sh [--build-only | --skip-tests] [--fuzz-seconds N] [--bench TRANSACTIONS]
#                         [--plugin-out FILE] WORKDIR
#   WORKDIR: a writable, empty folder for the builds (the sources are only read).
#   --fuzz-seconds N   length of the fuzz run (default 30; 0: none)
#   --bench N          also run the benchmarks: bench/dissector/bench.sh on N
#                      transactions (summary output) and
#                      bench/dissector/matching.sh (40,000), $RIO_BENCH_ROUNDS
#                      rounds each (default 3)
#   --plugin-out FILE  copy the built rio.so there
#   --build-only       build (with -Werror) and stop: no tests
#   --skip-tests       build, then only the benchmarks (with --bench)
# Prints "leg: key=value ..." summary lines (see wireshark-matrix.sh).
# exit: 0 everything passed, 1 a build or test failed, 2 bad usage.
set -u

FUZZ_SECONDS=30
BENCH=0
PLUGIN_OUT=""
BUILD_ONLY=0
SKIP_TESTS=0
usage() { echo "usage: $0 [--build-only | --skip-tests] [--fuzz-seconds N] [--bench TRANSACTIONS] [--plugin-out FILE] WORKDIR" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
    --fuzz-seconds) [ $# -ge 2 ] || usage; FUZZ_SECONDS=$2; shift 2 ;;
    --bench) [ $# -ge 2 ] || usage; BENCH=$2; shift 2 ;;
    --plugin-out) [ $# -ge 2 ] || usage; PLUGIN_OUT=$2; shift 2 ;;
    --build-only) BUILD_ONLY=1; shift ;;
    --skip-tests) SKIP_TESTS=1; FUZZ_SECONDS=0; shift ;;
    -h|--help) usage ;;
    -*) echo "$0: unknown option $1" >&2; usage ;;
    *) break ;;
    esac
done
[ $# -eq 1 ] || usage
case "$FUZZ_SECONDS$BENCH" in *[!0-9]*) echo "$0: counts must be integers" >&2; exit 2 ;; esac
WORK=$1
BENCH_ROUNDS=${RIO_BENCH_ROUNDS:-3}
[ -d "$WORK" ] && [ -w "$WORK" ] || { echo "$0: $WORK is not a writable folder" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
export PYTHONDONTWRITEBYTECODE=1   # the sources may be read-only

ws=$(tshark --version 2>/dev/null | awk 'NR==1 { sub(/\.$/, "", $3); print $3 }')
[ -n "$ws" ] || { echo "$0: no tshark here" >&2; exit 1; }
echo "leg: wireshark=$ws"
failed=0

# Only the plugin's target: the rest of the toolkit is not needed here.
build() {  # $1 folder, more: cmake arguments
    dir=$1; shift
    cmake -S "$REPO" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRIO_BUILD_REPLAY=OFF "$@" >"$dir.log" 2>&1 &&
        cmake --build "$dir" -j2 --target rio_dissector >>"$dir.log" 2>&1 ||
        { echo "$0: build in $dir failed (-Werror):" >&2; tail -30 "$dir.log" >&2; return 1; }
    grep -q "warning:" "$dir.log" && { echo "$0: warnings in $dir" >&2; return 1; }
    return 0
}

build "$WORK/build" || { echo "leg: build=FAIL"; exit 1; }
PLUGIN=$WORK/build/dissector/rio.so
echo "leg: build=ok plugin=$PLUGIN"
if [ -n "$PLUGIN_OUT" ]; then
    cp "$PLUGIN" "$PLUGIN_OUT" || exit 1
fi
[ "$BUILD_ONLY" = 1 ] && exit 0
version=$(sed -n "s/^project(rio-toolkit VERSION \\([0-9.]*\\).*/\\1/p" "$REPO/CMakeLists.txt")

. "$HERE/plugin-home.sh"

# tshark -G plugins must list rio.so with the plugin's version, then the
# whole pytest suite.
run_tests() {
    home=$(rio_plugin_home rio-leg "$PLUGIN") || exit 1
    rio_share "$home"
    line=$(cd "$home" && $RIO_AS_NOBODY env -i PATH=/usr/bin:/bin HOME="$home" tshark -G plugins 2>/dev/null |
        awk -F'\t' '$1 ~ /^rio\.so *$/')
    rm -rf "$home"
    echo "leg: G-plugins=\"$(echo "$line" | tr '\t' ' ' | tr -s ' ')\""
    if [ "$(echo "$line" | cut -f2)" != "$version" ]; then
        echo "$0: tshark -G plugins does not list rio.so $version" >&2
        failed=1
    fi

    (cd "$REPO" && env RIO_DISSECTOR_PLUGIN="$PLUGIN" RIO_SANITIZE=0 \
        /usr/bin/python3 -m pytest -q -p no:cacheprovider dissector/tests) >"$WORK/pytest.log" 2>&1
    rc=$?
    tail -n 30 "$WORK/pytest.log" | grep -E "FAILED|ERROR|Error" >&2
    echo "leg: pytest=\"$(tail -n 1 "$WORK/pytest.log")\""
    [ $rc -eq 0 ] || { tail -n 60 "$WORK/pytest.log" >&2; failed=1; }
}
[ "$SKIP_TESTS" = 1 ] || run_tests

# The fuzz run, with the plugin built with ASan+UBSan.
if [ "$FUZZ_SECONDS" -gt 0 ]; then
    if build "$WORK/build-asan" -DRIO_SANITIZE=ON; then
        out=$(sh "$HERE/fuzz.sh" --seconds "$FUZZ_SECONDS" "$WORK/build-asan/dissector/rio.so" 2>&1)
        rc=$?
        echo "leg: fuzz=\"$(echo "$out" | tail -n 1)\""
        [ $rc -eq 0 ] || { echo "$out" | tail -n 20 >&2; failed=1; }
    else
        echo "leg: fuzz=\"asan build failed\""
        failed=1
    fi
fi

if [ "$BENCH" -gt 0 ]; then
    for b in "bench.sh --rounds $BENCH_ROUNDS --no-verbose --transactions $BENCH" "matching.sh --rounds $BENCH_ROUNDS"; do
        out=$(sh "$REPO/bench/dissector/"$b "$PLUGIN" 2>&1)
        rc=$?
        echo "$out" | grep -v "^round " | sed 's/^/  bench: /'
        [ $rc -eq 0 ] || failed=1
    done
fi

[ $failed -eq 0 ] && echo "leg: result=PASS" || echo "leg: result=FAIL"
exit $failed
