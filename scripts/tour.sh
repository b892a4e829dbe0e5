#!/usr/bin/env bash
# tour.sh — the end-to-end tour on the bundled devices (README "main job"):
#   1. start riotoasterd (toasters 1-2 with simulated toasting time, modem 3)
#   2. record a riotoast session with tcpdump
#   3. decode the capture with tshark and the RIO plugin
#   4. replay the capture against the server with rio-replay
#   5. dial the modem, send data, record and decode that session too
#   6. run the conformance suite against the toaster
#   7. stop the server and show what happened
# Installs what is missing (apt-get) and builds first (RIO_TOUR_NO_BUILD=1
# skips that, for the test that compares this output with the README).
# Everything runs on loopback; output files go to tour-out/ (or $RIO_TOUR_OUT).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=${RIO_TOUR_OUT:-$top/tour-out}
build=${RIO_BUILD:-$top/build}
base=${RIO_TOUR_BASE_PORT:-5000}
PY=/usr/bin/python3
RECORD=("$PY" "$top/captures/tools/record_command.py")

# Bold step titles on a terminal only: piped or logged output stays plain.
if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }

if [ "${RIO_TOUR_NO_BUILD:-0}" != 1 ]; then
  step "Installing missing Debian packages and building"
  scripts/deps.sh
  scripts/build.sh "$build" >/dev/null
fi
rm -rf "$out" && mkdir -p "$out"

ports_free() {  # ports base+1 .. base+3 can all be bound on 127.0.0.1
  $PY -c "import socket,sys
for p in range($1 + 1, $1 + 4):
    socket.socket().bind(('127.0.0.1', p))" 2>/dev/null
}
if ! ports_free "$base"; then
  echo "(ports $((base + 1))-$((base + 3)) are busy: choosing free ports)"
  base=$($PY -c "from pyrio.daemon import free_port_block; print(free_port_block(3))")
fi
port=$((base + 1)) mport=$((base + 3))

step "1. riotoasterd: toasters 1-2 on ports $port-$((base + 2)) (20 ms toasting per darkness level, 1 s stall timeout), modem 3 on port $mport"
# Readiness: the daemon writes "ready" to --ready-fd once every socket listens.
mkfifo "$out/ready"
"$build/toaster/riotoasterd/riotoasterd" --serials 1-2 --modem 3 --base-port "$base" \
  --toast-ms-per-level 20 --stall-timeout 1 --trace --ready-fd 3 \
  3>"$out/ready" 2>"$out/riotoasterd.log" &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
trap cleanup EXIT
read -r -t 10 ready <"$out/ready" && [ "$ready" = ready ] || { cat "$out/riotoasterd.log"; exit 1; }
rm -f "$out/ready"
grep 'listening on 127' "$out/riotoasterd.log"
echo "log in $out/riotoasterd.log"

step "2. riotoast session against toaster 1, recorded by tcpdump"
"${RECORD[@]}" -o "$out/session.pcap" --port "$port" -- \
  "$build/toaster/riotoast/riotoast" --port "$port" session | tee "$out/session.txt"

step "3. tshark + RIO plugin: the decoded transactions"
dissector/tshark-rio.sh "$build/dissector/rio.so" -r "$out/session.pcap" \
  -d "tcp.port==$port,rio" -Y rio | tee "$out/decoded.txt"
dissector/tshark-rio.sh "$build/dissector/rio.so" -r "$out/session.pcap" \
  -d "tcp.port==$port,rio" -q -z rio,srt | tee "$out/srt.txt"

step "4. rio-replay: what the capture holds, then the recorded client replayed against the live server"
"$build/replay/rio-replay" audit "$out/session.pcap" | tee "$out/audit.txt"
"$build/replay/rio-replay" client "$out/session.pcap" --target "127.0.0.1:$port" | tee "$out/replay.txt"

step "5. the modem on port $mport: dial, send a line, hang up — recorded and decoded"
"${RECORD[@]}" -o "$out/modem.pcap" --port "$mport" -- \
  "$build/toaster/riotoast/riotoast" --port "$mport" modem send --number 5551234 "hello, modem"
echo
dissector/tshark-rio.sh "$build/dissector/rio.so" -r "$out/modem.pcap" \
  -d "tcp.port==$mport,rio" -Y rio | tee "$out/modem-decoded.txt"
echo "-- the serial timeouts riotoast set, and the text on the line, as the dissector decodes them:"
dissector/tshark-rio.sh "$build/dissector/rio.so" -r "$out/modem.pcap" \
  -d "tcp.port==$mport,rio" -Y "rio.dev.serial.read_total_timeout_constant || rio.data.text" \
  -T fields -E header=y -e rio.seq -e rio.dev.serial.read_interval_timeout \
  -e rio.dev.serial.read_total_timeout_constant -e rio.data.text | tee "$out/modem-fields.txt"

step "6. conformance suite against the live toaster"
$PY -m pytest -q "$top/conformance" --rio-build "$build" --rio-target "127.0.0.1:$port" --rio-serial 1 \
  --rio-stall-timeout 1 --rio-toast-ms 20 --rio-html "$out/conformance.html" 2>&1 | tail -5 | tee "$out/conformance.txt"

step "7. stopping riotoasterd; what it saw"
cleanup
trap - EXIT
echo "riotoasterd served $(grep -c ' trace ' "$out/riotoasterd.log") transactions on $(grep -c ' accept ' "$out/riotoasterd.log") connections; its last words:"
tail -n 3 "$out/riotoasterd.log"
echo
echo "All outputs are in ${out#"$top"/}/ (session.pcap, modem.pcap, decoded.txt, replay.txt, conformance.html)."
