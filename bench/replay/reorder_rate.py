#!/usr/bin/python3
"""`rio-replay audit` on captures whose one big request arrives in one-byte
segments, every one out of order (the worst case for the out-of-order
queue), at several sizes: time per segment must stay flat (linear total).
Prints the median time per segment at each size, the ratio of the largest
size's to the smallest's (goal: near 1, i.e. linear; quadratic would be
N_max/N_min), and audit's peak RSS.  With --before BUILD, the same for
another build (e.g. the commit before the fix) on the sizes up to
--before-max, in the same run.

    bench/replay/reorder_rate.py --build BUILD [--sizes 125000,250000,500000,1000000]
                                 [--rounds 3] [--before OLD_BUILD --before-max 100000]
"""
import argparse
import os
import shutil
import sys
import tempfile

from common import ROOT, interleaved, timed, tool

sys.path.insert(0, os.path.join(ROOT, "replay", "tests"))
sys.path.insert(0, ROOT)
import rawcap  # noqa: E402
from pyrio import DEFS, pack_request, pack_response  # noqa: E402


def capture(path, segments):
    """One connection: a WRITE of `segments` bytes in all, header included,
    sent one byte per segment, all out of order; then its answer."""
    seq = DEFS.FIRST_SEQUENCE
    data = bytes(i * 7 & 0xFF for i in range(segments - 24))
    prelude = (("c", pack_request(DEFS.MJ_CREATE, seq, 0, 0, b"")),
               ("s", pack_response(DEFS.MJ_CREATE, seq, DEFS.STATUS_SUCCESS, 0, b"")))
    req = pack_request(DEFS.MJ_WRITE, seq + 1, 0, 0, data)
    resp = pack_response(DEFS.MJ_WRITE, seq + 1, DEFS.STATUS_SUCCESS, len(data), b"")
    return rawcap.reversed_bytes_write(path, req, resp, prelude=prelude)


def audit_run(replay, pcap, extra, peaks):
    def run():
        secs, proc = timed(["/usr/bin/time", "-f", "%M", replay, "audit", pcap, "--quiet"] + extra,
                           timeout=3600)
        if proc.returncode != 0:
            raise SystemExit("%s failed (%d): %s" % (replay, proc.returncode, proc.stderr[-300:]))
        peaks.append(int(proc.stderr.strip().splitlines()[-1]))
        return secs
    return run


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--sizes", default="125000,250000,500000,1000000")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--before", help="another build to compare with (same captures)")
    ap.add_argument("--before-max", type=int, default=100000,
                    help="largest size given to --before (a quadratic build takes minutes)")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    replay = tool(a.build, "replay", "rio-replay")
    before = tool(a.before, "replay", "rio-replay") if a.before else None
    tmp = tempfile.mkdtemp(prefix="rr-reorder-bench-")
    try:
        per_seg = {}
        print("%-8s %-10s %12s %14s %10s" % ("build", "segments", "median s", "us/segment", "peak MiB"))
        for n in sizes:
            pcap = os.path.join(tmp, "ooo-%d.pcap" % n)
            segs = capture(pcap, n)
            # caps large enough to queue every piece: the whole request waits
            runs = {"after": (replay, ["--reorder-cap", str(n), "--reorder-segments", str(n)])}
            if before and n <= a.before_max:
                runs["before"] = (before, ["--reorder-cap", str(n)])
            peaks = {k: [] for k in runs}
            med, _ = interleaved(a.rounds, {k: audit_run(b, pcap, x, peaks[k]) for k, (b, x) in runs.items()})
            for k in runs:
                per_seg[(k, n)] = med[k] / segs
                print("%-8s %-10d %12.3f %14.3f %10.1f" % (k, segs, med[k], per_seg[(k, n)] * 1e6,
                                                          max(peaks[k]) / 1024))
            os.unlink(pcap)
        lo, hi = min(sizes), max(sizes)
        print("linearity: time per segment at %d / at %d = %.2f (linear ~1; quadratic would be %.0f)"
              % (hi, lo, per_seg[("after", hi)] / per_seg[("after", lo)], hi / lo))
        both = [n for n in sizes if ("before", n) in per_seg]
        for n in both:
            print("before/after at %d segments: %.1fx faster (%.1f vs %.3f us/segment)"
                  % (n, per_seg[("before", n)] / per_seg[("after", n)],
                     per_seg[("before", n)] * 1e6, per_seg[("after", n)] * 1e6))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
