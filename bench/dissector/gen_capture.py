"""Write the benchmark capture: RIO toaster traffic with at least N
transactions (default 200,000) over 100 connections, one PDU per segment.

With --pipelined, one connection instead: N requests sent back to back,
then N responses, whose Sequences match the requests (`matched`) or none
of them (`unmatched`) — the worst case of request/response matching
(bench/dissector/matching.sh).

usage: gen_capture.py OUT.pcap [TRANSACTIONS] [--pipelined matched|unmatched]
exit: 0 written, 2 bad usage.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [REPO, os.path.join(REPO, "dissector", "tests")]

from pyrio.riodefs import DEFS  # noqa: E402
import riocap  # noqa: E402

CONNECTIONS = 100


def workload():
    """The repeating mix: (request kwargs, response kwargs)."""
    bread = bytes(range(256)) * 2
    info = bytes(DEFS.TOASTER_INFO_SIZE)
    status = struct.pack("<6I", DEFS.TOASTER_STATE_LOADED, DEFS.TOASTER_DARKNESS_DEFAULT, len(bread), 0, 0, 0)
    return [
        (dict(major=DEFS.MJ_DEVICE_CONTROL, ioctl=DEFS.IOCTL_TOASTER_GET_STATUS, output_length=DEFS.TOASTER_STATUS_SIZE), dict(data=status)),
        (dict(major=DEFS.MJ_WRITE, data=bread), dict(information=len(bread))),
        (dict(major=DEFS.MJ_DEVICE_CONTROL, ioctl=DEFS.IOCTL_TOASTER_SET_DARKNESS, data=struct.pack("<I", DEFS.TOASTER_DARKNESS_DEFAULT)), dict()),
        (dict(major=DEFS.MJ_READ, output_length=len(bread)), dict(data=bread)),
        (dict(major=DEFS.MJ_DEVICE_CONTROL, ioctl=DEFS.IOCTL_TOASTER_GET_INFO, output_length=DEFS.TOASTER_INFO_SIZE), dict(data=info)),
    ]


def pipelined(cap, total, matched):
    """One connection: `total` READ requests, then `total` responses."""
    s = riocap.Session(cap)
    for seq in range(1, total + 1):
        s.send("c", s.request(DEFS.MJ_READ, seq, output_length=16, record=False))
    for seq in range(1, total + 1):
        s.send("s", s.response(DEFS.MJ_READ, seq if matched else total + seq, data=bytes(16), record=False))
    s.close()


def main(argv):
    mode = None
    if len(argv) >= 3 and argv[-2] == "--pipelined":
        mode = argv[-1]
        argv = argv[:-2]
    if len(argv) not in (2, 3) or (len(argv) == 3 and not argv[2].isdigit()) or mode not in (None, "matched", "unmatched"):
        print("usage: gen_capture.py OUT.pcap [TRANSACTIONS] [--pipelined matched|unmatched]", file=sys.stderr)
        return 2
    total = int(argv[2]) if len(argv) == 3 else 200_000
    if mode:
        cap = riocap.Capture()
        pipelined(cap, total, mode == "matched")
        cap.write(argv[1], expectations=False)
        print("%s: %d %s pipelined transactions, %d packets" % (argv[1], total, mode, len(cap.records)))
        return 0
    per_conn = -(-total // CONNECTIONS)
    mix = workload()
    cap = riocap.Capture()
    for c in range(CONNECTIONS):
        s = riocap.Session(cap, client=("10.0.%d.%d" % (c // 250, c % 250 + 1), 40000 + c),
                           server=("10.1.0.1", DEFS.BASE_PORT + 1 + c % 50))
        for n in range(per_conn):
            req, rsp = mix[n % len(mix)] if n else (dict(major=DEFS.MJ_CREATE), dict())
            seq = n + 1
            s.send("c", s.request(seq=seq, record=False, **req))
            s.send("s", s.response(req["major"], seq, record=False, **rsp))
        s.close()
    cap.write(argv[1], expectations=False)
    print("%s: %d transactions, %d packets" % (argv[1], per_conn * CONNECTIONS, len(cap.records)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
