#!/usr/bin/env bash
# wireshark-matrix.sh — the dissector against every supported Wireshark:
# for each Debian suite (bookworm: 4.0, trixie: 4.4, sid: 4.6) a minimal
# Debian system (scripts/wireshark-chroot.sh, made once and reused) builds
# rio.so with -Werror and runs the whole dissector suite against that
# version's tshark (dissector/check-version.sh), as uid 65534.
#
# usage: wireshark-matrix.sh [--suites "S1 S2..."] [--fuzz-seconds N] [--bench N]
#        wireshark-matrix.sh --release DIR [--suites "S1 S2..."]
#        wireshark-matrix.sh --screenshot OUT.png [--suites SUITE]
#   --suites        Debian suites to run (default: bookworm trixie sid)
#   --fuzz-seconds  length of each fuzz run (default 30)
#   --bench N       also run the dissector benchmarks (bench.sh on N
#                   transactions, matching.sh), $RIO_BENCH_ROUNDS rounds (3)
#   --bench-only    with --bench: build and benchmark, no tests
#   --release DIR   build only, no tests: DIR/rio-wireshark-<major.minor>.so
#                   for this machine's Wireshark and for each suite's
#                   (default: the suites whose system already exists; as a
#                   user other than root, this machine's only)
#   --screenshot OUT.png  dissector/screenshot.sh in the newest suite (sid,
#                   Wireshark 4.6; the GUI packages are added to its system)
# env: RIO_CHROOTS  where the Debian systems live (default /tmp/rio-chroots)
# exit: 0 every version passed, 1 a version failed, 2 bad usage.
#
# The sources are copied into each system (the repo is never mounted or
# written); the copy and the build go when the run ends.  /proc is mounted
# in a private mount namespace, so it disappears with the run whatever
# happens.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${RIO_CHROOTS:-/tmp/rio-chroots}
SUITES=""
FUZZ_SECONDS=30
BENCH=0
RELEASE=""
SHOT=""
BENCH_ONLY=0
usage() {
    echo "usage: $0 [--suites \"S1 S2...\"] [--fuzz-seconds N] [--bench N] | --release DIR [--suites \"S1...\"]" >&2
    exit 2
}
while [ $# -gt 0 ]; do
    case "$1" in
    --suites) [ $# -ge 2 ] || usage; SUITES=$2; shift 2 ;;
    --fuzz-seconds) [ $# -ge 2 ] || usage; FUZZ_SECONDS=$2; shift 2 ;;
    --bench) [ $# -ge 2 ] || usage; BENCH=$2; shift 2 ;;
    --bench-only) BENCH_ONLY=1; shift ;;
    --release) [ $# -ge 2 ] || usage; RELEASE=$2; shift 2 ;;
    --screenshot) [ $# -ge 2 ] || usage; SHOT=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "$0: unknown argument $1" >&2; usage ;;
    esac
done
case "$FUZZ_SECONDS$BENCH" in *[!0-9]*) echo "$0: counts must be integers" >&2; exit 2 ;; esac
root=0
[ "$(id -u)" = 0 ] && root=1

GUI=()
if [ -n "$SHOT" ]; then
    SUITES=${SUITES:-sid}
    GUI=(--gui)
    case "$SHOT" in /*) ;; *) SHOT=$PWD/$SHOT ;; esac
fi
if [ -z "$SUITES" ]; then
    if [ -n "$RELEASE" ]; then
        for d in "$ROOT"/*/.rio-chroot; do
            [ -f "$d" ] && SUITES="$SUITES $(basename "$(dirname "$d")")"
        done
    else
        SUITES="bookworm trixie sid"
    fi
fi
if [ "$root" = 0 ]; then
    [ -n "$RELEASE" ] || { echo "$0: needs root (mmdebstrap, chroot)" >&2; exit 2; }
    SUITES=""
fi

# Make the missing systems in parallel (each is network-bound).
declare -A CHROOT
mkdir -p "$ROOT" || exit 2
for s in $SUITES; do
    "$top/scripts/wireshark-chroot.sh" "${GUI[@]}" "$s" >"$ROOT/$s.path" 2>"$ROOT/$s.log" &
done
wait
for s in $SUITES; do
    CHROOT[$s]=$(cat "$ROOT/$s.path" 2>/dev/null)
    [ -n "${CHROOT[$s]}" ] || { echo "$0: no Debian system for $s:" >&2; cat "$ROOT/$s.log" >&2; }
    rm -f "$ROOT/$s.path" "$ROOT/$s.log"
done

LEGS=()   # folders to remove at exit
cleanup() { for l in "${LEGS[@]}"; do rm -rf "$l"; done; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# run_leg SUITE CHECK-ARGS...: copy the sources into the suite's system and
# run dissector/check-version.sh there as uid 65534.  Output in $LEG/out.
run_leg() {
    local s=$1 dir=${CHROOT[$1]}
    shift
    LEG=$(mktemp -d "$dir/tmp/rio-leg-XXXXXX") || return 1
    LEGS+=("$LEG")
    chmod 755 "$LEG"
    mkdir "$LEG/src" "$LEG/work"
    # (GNU tar exits 1 when a file changed while read: the copy is still whole)
    { tar -C "$top" --exclude='./build*' --exclude=./.git --warning=no-file-changed -cf - . || [ $? -eq 1 ]; } |
        tar -C "$LEG/src" -xf - || { echo "cannot copy the sources into $LEG/src" >"$LEG/out"; return 1; }
    chmod -R a+rX "$LEG/src"
    chown 65534:65534 "$LEG/work"
    local in=${LEG#"$dir"}
    unshare --mount --propagation private sh -c '
        mount -t proc proc "$1/proc" || exit 1
        dir=$1 leg=$2
        shift 2
        exec chroot "$dir" setpriv --reuid=65534 --regid=65534 --clear-groups \
            env -i PATH=/usr/bin:/bin HOME="$leg/work" LANG=C.UTF-8 TMPDIR=/tmp \
            RIO_BENCH_ROUNDS="${RIO_BENCH_ROUNDS:-3}" \
            sh "$leg/src/dissector/check-version.sh" "$@" "$leg/work"' \
        sh "$dir" "$in" "$@" >"$LEG/out" 2>&1
}

# ---- The screenshot --------------------------------------------------------
if [ -n "$SHOT" ]; then
    s=${SUITES%% *}
    [ -n "${CHROOT[$s]}" ] || exit 1
    run_leg "$s" --build-only || { cat "$LEG/out" >&2; exit 1; }
    in=${LEG#"${CHROOT[$s]}"}
    unshare --mount --propagation private sh -c '
        mount -t proc proc "$1/proc" || exit 1
        exec chroot "$1" setpriv --reuid=65534 --regid=65534 --clear-groups \
            env -i PATH=/usr/bin:/bin HOME="$2/work" LANG=C.UTF-8 TMPDIR=/tmp \
            sh "$2/src/dissector/screenshot.sh" "$2/work/build/dissector/rio.so" "$2/work/shot.png"' \
        sh "${CHROOT[$s]}" "$in" || exit 1
    cp "$LEG/work/shot.png" "$SHOT" && echo "wrote $SHOT (Wireshark $(chroot "${CHROOT[$s]}" tshark --version 2>/dev/null | awk 'NR==1 { sub(/\.$/, "", $3); print $3 }') in $s)"
    exit
fi

# ---- Release artefacts -----------------------------------------------------
if [ -n "$RELEASE" ]; then
    mkdir -p "$RELEASE" || exit 2
    RELEASE=$(cd "$RELEASE" && pwd)
    status=0
    built=""   # major.minor versions done
    if command -v tshark >/dev/null && [ -d /usr/include/wireshark ]; then
        w=$(mktemp -d /tmp/rio-release-XXXXXX)
        LEGS+=("$w")
        mm=$(tshark --version | awk 'NR==1 { split($3, v, "."); print v[1] "." v[2] }')
        if sh "$top/dissector/check-version.sh" --build-only --plugin-out "$RELEASE/rio-wireshark-$mm.so" "$w" >"$w.out" 2>&1; then
            echo "release: $RELEASE/rio-wireshark-$mm.so (this machine's Wireshark)"
            built="$built $mm"
        else
            cat "$w.out" >&2; status=1
        fi
        rm -f "$w.out"
    fi
    for s in $SUITES; do
        [ -n "${CHROOT[$s]}" ] || { status=1; continue; }
        mm=$(chroot "${CHROOT[$s]}" tshark --version 2>/dev/null | awk 'NR==1 { split($3, v, "."); print v[1] "." v[2] }')
        case " $built " in *" $mm "*) echo "release: $s has Wireshark $mm too: already built"; continue ;; esac
        if run_leg "$s" --build-only && cp "$LEG/work/build/dissector/rio.so" "$RELEASE/rio-wireshark-$mm.so"; then
            built="$built $mm"
            echo "release: $RELEASE/rio-wireshark-$mm.so ($s)"
        else
            cat "$LEG/out" >&2; status=1
        fi
    done
    exit $status
fi

# ---- The matrix ------------------------------------------------------------
status=0
report=""
for s in $SUITES; do
    [ -n "${CHROOT[$s]}" ] || { status=1; report+="$s: no Debian system"$'\n'; continue; }
    echo "== $s: building rio.so and running the dissector suite"
    start=$(date +%s)
    args=(--fuzz-seconds "$FUZZ_SECONDS")
    [ "$BENCH" -gt 0 ] && args+=(--bench "$BENCH")
    [ "$BENCH_ONLY" = 1 ] && args+=(--skip-tests)
    run_leg "$s" "${args[@]}"
    rc=$?
    secs=$(( $(date +%s) - start ))
    sed -n 's/^leg: //p; s/^  bench: /  /p' "$LEG/out"
    if [ $rc -ne 0 ]; then
        status=1
        echo "-- $s failed; its log:"
        grep -v '^leg: \|^  bench: ' "$LEG/out" | tail -n 60
    fi
    ws=$(sed -n 's/^leg: wireshark=//p' "$LEG/out")
    tests=$(sed -n 's/^leg: pytest="\(.*\) in [0-9.]*s.*/\1/p' "$LEG/out")
    fuzz=$(sed -n 's/^leg: fuzz="fuzz: \([0-9]*\) mutated.*/\1 mutations clean/p' "$LEG/out")
    report+=$(printf '%-9s Wireshark %-7s %-4s  pytest: %s; fuzz: %s; %ss' "$s" "${ws:-?}" \
        "$([ $rc -eq 0 ] && echo PASS || echo FAIL)" "${tests:-not run}" "${fuzz:-not run}" "$secs")$'\n'
    rm -rf "$LEG"
done
echo "== Wireshark version matrix"
printf '%s' "$report"
exit $status
