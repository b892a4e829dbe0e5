#!/usr/bin/python3
"""`rio-replay audit` on a generated capture of >= 500 MB, as a ratio to
`tcpdump -r CAPTURE -w /dev/null` on the same file (interleaved rounds,
medians), and its peak memory (/usr/bin/time -f %M).  Goals: ratio >= 0.5,
peak under 64 MiB.  The capture is written to /tmp and deleted afterwards.

    bench/replay/audit_rate.py --build BUILD [--mb 500] [--rounds 3]
"""
import argparse
import os
import shutil
import tempfile

from common import ROOT, bulk_capture, interleaved, timed, tool

BYTES_PER_TRANSACTION = 227  # gen.py bulk: two small Ethernet/IPv4/TCP frames plus ACKs
GOAL_MIB = 64


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--mb", type=int, default=500, help="capture size to generate (MB, >= 500 for the goal)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=16)
    a = ap.parse_args()
    replay = tool(a.build, "replay", "rio-replay")
    tcpdump = shutil.which("tcpdump") or "/usr/bin/tcpdump"
    tmp = tempfile.mkdtemp(prefix="rr-audit-bench-")
    pcap = os.path.join(tmp, "bulk.pcap")
    try:
        target = a.mb * 1000 * 1000
        transactions = target // BYTES_PER_TRANSACTION + 1
        bulk_capture(pcap, transactions, a.connections)
        while os.path.getsize(pcap) < target:  # the estimate was short: grow
            transactions = transactions * target // os.path.getsize(pcap) + 1000
            bulk_capture(pcap, transactions, a.connections)
        size = os.path.getsize(pcap)
        peaks = []

        def run_tcpdump():
            secs, proc = timed([tcpdump, "-r", pcap, "-w", "/dev/null"], timeout=900)
            if proc.returncode != 0:
                raise SystemExit("tcpdump failed: " + proc.stderr[-300:])
            return size / secs

        def run_audit():
            secs, proc = timed(["/usr/bin/time", "-f", "%M", replay, "audit", pcap, "--quiet"], timeout=900)
            if proc.returncode != 0:
                raise SystemExit("rio-replay audit failed (%d): %s" % (proc.returncode, proc.stderr[-300:]))
            peaks.append(int(proc.stderr.strip().splitlines()[-1]))
            return size / secs

        med, values = interleaved(a.rounds, {"tcpdump": run_tcpdump, "rio-replay audit": run_audit})
        print("capture: %.0f MB, %d transactions over %d connections (gen.py bulk)"
              % (size / 1e6, transactions, a.connections))
        for name in med:
            print("%-17s median %7.1f MB/s   runs: %s" % (name, med[name] / 1e6,
                  " ".join("%.1f" % (v / 1e6) for v in values[name])))
        print("ratio audit / tcpdump: %.2f (goal >= 0.5)" % (med["rio-replay audit"] / med["tcpdump"]))
        print("peak memory of audit: %.1f MiB max over runs (goal < %d MiB)" % (max(peaks) / 1024, GOAL_MIB))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
