#!/usr/bin/env bash
# test.sh — the README's test command: install what is missing, build, run
# every test.  Exit status non-zero on any failure.
#
#   build/       RelWithDebInfo (gcc): every test — unit, daemon, client,
#                dissector, replay, captures, conformance and its self-tests
#   build-asan/  ASan+UBSan (gcc): the tests labelled "sanitize" again, and
#                a short fuzz run of the dissector under tshark
#   build-fuzz/  clang + libFuzzer: short fuzz runs of rio-replay's capture
#                parser and reassembler, and of the device-description reader
#   matrix       the dissector's whole suite against Wireshark 4.0, 4.4 and
#                4.6, each in a Debian system under /tmp/rio-chroots (made
#                once, then reused): scripts/wireshark-matrix.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc)

scripts/deps.sh

echo "== build/: every test"
scripts/build.sh build
(cd build && ctest --output-on-failure --timeout 1500)

echo "== build-asan/: ASan+UBSan"
scripts/build.sh build-asan -DRIO_SANITIZE=ON
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
   ctest --output-on-failure --timeout 1500 -L sanitize)

echo "== build-fuzz/: libFuzzer"
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DRIO_FUZZ=ON \
  -DRIO_BUILD_DISSECTOR=OFF >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzz_capture fuzz_riodev
(cd build-fuzz && ctest --output-on-failure -R '^(replay|riodev)\.fuzz$')

echo "== Wireshark version matrix: the dissector on 4.0, 4.4, 4.6"
scripts/wireshark-matrix.sh
