#!/usr/bin/python3
"""Memory per open TCP stream: `rio-replay audit` on captures holding N
connections that are all still open at the end (handshake, CREATE and its
answer, never closed), at a small and a large N.  Prints the peak RSS
(/usr/bin/time -f %M, median over rounds) at each N and the bytes per
stream (the difference divided by the extra streams).  Goal: 100,000 open
streams under 256 MiB.  With --before BUILD, the same for another build
(e.g. the commit before the fix), same captures, same run.

    bench/replay/streams_mem.py --build BUILD [--streams 100000] [--rounds 3] [--before OLD_BUILD]
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile

from common import ROOT, timed, tool

sys.path.insert(0, os.path.join(ROOT, "replay", "tests"))
sys.path.insert(0, ROOT)
import rawcap  # noqa: E402
from pyrio import DEFS, pack_request, pack_response  # noqa: E402

GOAL_MIB = 256
SMALL = 1000


def capture(path, streams):
    seq = DEFS.FIRST_SEQUENCE
    create = pack_request(DEFS.MJ_CREATE, seq, 0, 0, b"")
    created = pack_response(DEFS.MJ_CREATE, seq, DEFS.STATUS_SUCCESS, 0, b"")
    with rawcap.PcapWriter(path) as w:
        for i in range(streams):
            client = ("10.%d.%d.%d" % (1 + (i >> 16), (i >> 8) & 255, i & 255), 40000 + i % 20000)
            f = rawcap.Flow(w, client=client, t0_us=1700000000 * 1000000 + i * 10)
            f.handshake()
            f.send("c", create)
            f.send("s", created)


def peak_kib(replay, pcap, extra):
    secs, proc = timed(["/usr/bin/time", "-f", "%M", replay, "audit", pcap, "--quiet"] + extra, timeout=3600)
    if proc.returncode != 0:
        raise SystemExit("%s failed (%d): %s" % (replay, proc.returncode, proc.stderr[-300:]))
    return int(proc.stderr.strip().splitlines()[-1]), secs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--streams", type=int, default=100000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--before", help="another build to compare with (same captures)")
    a = ap.parse_args()
    builds = {"after": (tool(a.build, "replay", "rio-replay"), ["--max-streams", str(a.streams)])}
    if a.before:
        builds["before"] = (tool(a.before, "replay", "rio-replay"), [])
    tmp = tempfile.mkdtemp(prefix="rr-streams-bench-")
    try:
        caps = {}
        for n in (SMALL, a.streams):
            caps[n] = os.path.join(tmp, "streams-%d.pcap" % n)
            capture(caps[n], n)
        print("capture: %d open streams, %.1f MB" % (a.streams, os.path.getsize(caps[a.streams]) / 1e6))
        peaks = {(b, n): [] for b in builds for n in caps}
        for _ in range(a.rounds):  # interleaved rounds
            for b, (binary, extra) in builds.items():
                for n, pcap in caps.items():
                    peaks[(b, n)].append(peak_kib(binary, pcap, extra)[0])
        for b in builds:
            small = statistics.median(peaks[(b, SMALL)]) * 1024
            big = statistics.median(peaks[(b, a.streams)]) * 1024
            per = (big - small) / (a.streams - SMALL)
            print("%-6s peak %8.1f MiB at %d streams, %6.1f MiB at %d; %6.0f bytes per stream"
                  % (b, big / 2**20, a.streams, small / 2**20, SMALL, per))
        big = statistics.median(peaks[("after", a.streams)]) / 1024
        print("goal: %d streams under %d MiB: %s (%.1f MiB)" % (a.streams, GOAL_MIB,
              "met" if big < GOAL_MIB else "NOT met", big))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
