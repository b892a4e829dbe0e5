#!/bin/sh
# Run the capture fuzzer: run.sh FUZZER [SECONDS] [CORPUS_DIR]
# Seeds are the capture library (captures/*.pcap, *.pcapng) and corpus/
# (inputs that once found a fault, kept as regression seeds); new inputs go
# to CORPUS_DIR (default: a temporary directory, removed afterwards).
# A crash or sanitizer report makes it exit non-zero and leaves crash-* here.
set -eu
fuzzer=$1
seconds=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
seeds=$(mktemp -d)
trap 'rm -rf "$seeds" ${tmpcorpus:-}' EXIT
cp "$here"/../../captures/*.pcap "$here"/../../captures/*.pcapng "$seeds"/ 2>/dev/null || true
cp "$here"/corpus/* "$seeds"/
# keep seeds small enough for speed: large ones are cut (the cut is a test too)
for f in "$seeds"/*; do
  [ "$(wc -c <"$f")" -gt 65536 ] && head -c 65536 "$f" >"$f.cut" && mv "$f.cut" "$f"
done
if [ $# -ge 3 ]; then corpus=$3; mkdir -p "$corpus"; else tmpcorpus=$(mktemp -d); corpus=$tmpcorpus; fi
"$fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=1024 \
  -print_final_stats=1 "$corpus" "$seeds"
