#!/usr/bin/env bash
# tour.sh — the end-to-end tour on the bundled toaster (README "main job"):
#   1. start riotoasterd (toasters 1-2, simulated toasting time)
#   2. record a riotoast session with tcpdump
#   3. decode the capture with tshark and the RIO plugin
#   4. replay the capture against the server with rio-replay
#   5. run the conformance suite against the same server
#   6. stop the server and show what happened
# Installs what is missing (apt-get) and builds first.  Everything runs on
# loopback; output files go to tour-out/ (or $RIO_TOUR_OUT).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=${RIO_TOUR_OUT:-$top/tour-out}
build=${RIO_BUILD:-$top/build}
base=${RIO_TOUR_BASE_PORT:-5000}
PY=/usr/bin/python3

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Installing missing Debian packages and building"
scripts/deps.sh
scripts/build.sh "$build" >/dev/null
rm -rf "$out" && mkdir -p "$out"

port=$((base + 1))
if ! $PY -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', $port))" 2>/dev/null; then
  echo "(port $port is busy: choosing free ports)"
  base=$($PY -c "from pyrio.daemon import free_port_block; print(free_port_block(2))")
  port=$((base + 1))
fi

step "1. riotoasterd: toasters 1-2 on ports $((base + 1))-$((base + 2)), 20 ms toasting per darkness level, 1 s stall timeout"
# Readiness: the daemon writes "ready" to --ready-fd once every socket listens.
mkfifo "$out/ready"
"$build/toaster/riotoasterd/riotoasterd" --serials 1-2 --base-port "$base" \
  --toast-ms-per-level 20 --stall-timeout 1 --trace --ready-fd 3 \
  3>"$out/ready" 2>"$out/riotoasterd.log" &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
trap cleanup EXIT
read -r -t 10 ready <"$out/ready" && [ "$ready" = ready ] || { cat "$out/riotoasterd.log"; exit 1; }
rm -f "$out/ready"
echo "listening; log in $out/riotoasterd.log"

step "2. riotoast session against toaster 1, recorded by tcpdump"
tcpdump -i lo --immediate-mode -U -B 16384 -s 0 -w "$out/session.pcap" "tcp port $port" 2>"$out/tcpdump.log" &
dump=$!
for _ in $(seq 200); do  # up to 10 s for tcpdump to start listening
  grep -q listening "$out/tcpdump.log" 2>/dev/null && break
  kill -0 "$dump" 2>/dev/null || { cat "$out/tcpdump.log"; exit 1; }
  sleep 0.05
done
"$build/toaster/riotoast/riotoast" --port "$port" session | tee "$out/session.txt"
sleep 0.3  # let the last FIN/ACK reach the capture buffer
kill -INT "$dump"; wait "$dump" || true
grep -E 'packets (captured|received)' "$out/tcpdump.log" | head -1

step "3. tshark + RIO plugin: the decoded transactions"
dissector/tshark-rio.sh "$build/dissector/rio.so" -r "$out/session.pcap" \
  -d "tcp.port==$port,rio" -Y rio | tee "$out/decoded.txt"
dissector/tshark-rio.sh "$build/dissector/rio.so" -r "$out/session.pcap" \
  -d "tcp.port==$port,rio" -q -z rio,srt | tee "$out/srt.txt"

step "4. rio-replay: what the capture holds, then the recorded client replayed against the live server"
"$build/replay/rio-replay" audit "$out/session.pcap" | tee "$out/audit.txt"
"$build/replay/rio-replay" client "$out/session.pcap" --target "127.0.0.1:$port" | tee "$out/replay.txt"

step "5. conformance suite against the live server"
$PY -m pytest -q "$top/conformance" --rio-build "$build" --rio-target "127.0.0.1:$port" \
  --rio-stall-timeout 1 --rio-toast-ms 20 --rio-html "$out/conformance.html" 2>&1 | tail -5 | tee "$out/conformance.txt"

step "6. stopping riotoasterd; what it saw"
cleanup
trap - EXIT
echo "riotoasterd served $(grep -c ' trace ' "$out/riotoasterd.log") transactions on $(grep -c ' accept ' "$out/riotoasterd.log") connections; its last words:"
tail -n 3 "$out/riotoasterd.log"
echo
echo "All outputs are in $out/ (session.pcap, decoded.txt, replay.txt, conformance.html)."
