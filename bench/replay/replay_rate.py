#!/usr/bin/python3
"""rio-replay's replay rate against riotoasterd, as a ratio to a raw TCP
ping-pong of the same sizes (pingpong_client -> bench/server's
pingpong_raw), interleaved in the same run; medians.  Goal: >= 0.8.

    bench/replay/replay_rate.py --build BUILD [--transactions N] [--rounds R]
"""
import argparse
import re
import os
import signal
import statistics
import struct
import subprocess
import sys
import tempfile

from common import ROOT, bulk_capture, interleaved, timed, tool

sys.path.insert(0, ROOT)
from pyrio.daemon import free_port_block, wait_listening  # noqa: E402

SERVER_PORT = 5001  # gen.py bulk's recorded toaster 1


def request_stream(pcap, out):
    """The client->server TCP payload of a bulk capture (Ethernet/IPv4,
    in order), concatenated: the exact request bytes."""
    with open(pcap, "rb") as f, open(out, "wb") as w:
        f.read(24)
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                break
            caplen = struct.unpack("<IIII", rec)[2]
            frame = f.read(caplen)
            ip = frame[14:]
            ihl = (ip[0] & 15) * 4
            tcp = ip[ihl:]
            if struct.unpack(">H", tcp[2:4])[0] == SERVER_PORT:
                w.write(tcp[(tcp[12] >> 4) * 4:struct.unpack(">H", ip[2:4])[0] - ihl])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--transactions", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=7)
    a = ap.parse_args()
    replay = tool(a.build, "replay", "rio-replay")
    daemon = tool(a.build, "toaster", "riotoasterd", "riotoasterd")
    raw = tool(a.build, "bench", "server", "pingpong_raw")
    client = tool(a.build, "bench", "replay", "pingpong_client")
    tmp = tempfile.mkdtemp(prefix="rr-bench-")
    pcap, reqs = os.path.join(tmp, "bulk.pcap"), os.path.join(tmp, "requests.bin")
    procs = []
    try:
        bulk_capture(pcap, a.transactions)
        request_stream(pcap, reqs)
        base = free_port_block(1)
        procs.append(subprocess.Popen([daemon, "--serials", "1", "--base-port", str(base)],
                                      stderr=subprocess.DEVNULL))
        raw_port = free_port_block(0)
        procs.append(subprocess.Popen([raw, str(raw_port)], stdout=subprocess.DEVNULL))
        for p, port in ((procs[0], base + 1), (procs[1], raw_port)):
            if not wait_listening([port], p):
                raise SystemExit("server on port %d did not start" % port)

        def pingpong_to(port):
            secs, proc = timed([client, str(port), reqs], timeout=600)
            n, t = proc.stdout.split()
            return int(n) / float(t)

        def pingpong():
            return pingpong_to(raw_port)

        def pingpong_toasterd():
            # not the baseline: shows how much of the gap is the server's
            return pingpong_to(base + 1)

        replay_phase = []

        def rio_replay():
            secs, proc = timed([replay, "client", pcap, "--target", "127.0.0.1",
                                "--port-map", "%d=%d" % (SERVER_PORT, base + 1), "--quiet"], timeout=600)
            if proc.returncode != 0:
                raise SystemExit("rio-replay client failed (%d): %s" % (proc.returncode, proc.stdout[-500:]))
            # summary line: "... in 0.123 s -> exit 0"
            seconds = float(re.search(r" in ([0-9.]+) s -> exit", proc.stdout).group(1))
            replay_phase.append(a.transactions / seconds)
            return a.transactions / secs

        med, values = interleaved(a.rounds, {"pingpong": pingpong, "rio-replay": rio_replay,
                                             "pp-toasterd": pingpong_toasterd})
        print("transactions per run: %d (gen.py bulk, one connection), rounds: %d" % (a.transactions, a.rounds))
        for name in med:
            print("%-11s median %10.0f tx/s   runs: %s" % (name, med[name],
                  " ".join("%.0f" % v for v in values[name])))
        print("ratio rio-replay / pingpong: %.2f (goal >= 0.8; whole command, reading the capture included)"
              % (med["rio-replay"] / med["pingpong"]))
        print("ratio rio-replay replay phase / pingpong: %.2f (rio-replay's own clock: the replay "
              "loop, which reads the capture as it goes)"
              % (statistics.median(replay_phase) / med["pingpong"]))
        print("for reference: pingpong_client against riotoasterd / pingpong: %.2f; "
              "rio-replay / that: %.2f (rio-replay's own overhead)"
              % (med["pp-toasterd"] / med["pingpong"], med["rio-replay"] / med["pp-toasterd"]))
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
            p.wait(10)
        for f in (pcap, reqs):
            if os.path.exists(f):
                os.unlink(f)
        os.rmdir(tmp)


if __name__ == "__main__":
    main()
