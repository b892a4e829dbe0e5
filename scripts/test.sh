#!/usr/bin/env bash
# test.sh — the README's test command: install what is missing, build twice
# (plain, and with ASan+UBSan), run every test.  Exit status non-zero on any
# failure.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

scripts/deps.sh

echo "== build (RelWithDebInfo) and every test"
scripts/build.sh build
(cd build && ctest --output-on-failure --timeout 1500)

echo "== build with ASan+UBSan and the C and daemon tests again"
scripts/build.sh build-asan -DRIO_SANITIZE=ON -DRIO_BUILD_DISSECTOR=OFF
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
   ctest --output-on-failure --timeout 1500 -L sanitize)
