"""Captures built to hurt: out-of-range timestamps, problem counters past
16 bits (issue 10).  The big ones are written with rawcap (fast)."""
import os

import rawcap
from pyrio import DEFS, pack_request, pack_response

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "fuzz", "corpus")
TS_MAX_US = 253402300799 * 1000000 + 999999  # 9999-12-31T23:59:59.999999Z


def test_pcapng_timestamp_beyond_int64_microseconds_is_clamped(run):
    """A pcapng timestamp high word of 0xFFFFFFFF is ~1.8e13 s: in
    microseconds it overflowed int64 (UBSan).  Now clamped, with a warning,
    and counted in the summary.  The file is a fuzz seed too."""
    path = os.path.join(CORPUS, "pcapng-timestamp-high-word-ffffffff.pcapng")
    res = run("audit", path, "--json")
    assert res.code == 0, res
    assert "runtime error" not in res.err, res
    assert "5 packets have a timestamp outside years 0..9999" in res.err, res
    objs = res.json()
    txn = [o for o in objs if o["type"] == "transaction"][0]
    assert txn["complete"] and txn["request"]["time_us"] == TS_MAX_US, res
    assert objs[-1]["clamped_timestamps"] == 5, res


def test_time_window_beyond_year_9999_is_a_usage_error(run):
    path = os.path.join(CORPUS, "pcapng-timestamp-high-word-ffffffff.pcapng")
    res = run("audit", path, "--from", "1e300")
    assert res.code == 4 and "--from/--to" in res.err, res


def test_problem_count_of_one_pdu_goes_past_65535(run, tmp_path):
    """One WRITE whose first segment is retransmitted 70,000 times: every
    retransmission is counted (the per-PDU counter was 16 bits)."""
    data = bytes(range(100))
    seq = DEFS.FIRST_SEQUENCE
    create = pack_request(DEFS.MJ_CREATE, seq, 0, 0, b"")
    created = pack_response(DEFS.MJ_CREATE, seq, DEFS.STATUS_SUCCESS, 0, b"")
    req = pack_request(DEFS.MJ_WRITE, seq + 1, 0, 0, data)
    resp = pack_response(DEFS.MJ_WRITE, seq + 1, DEFS.STATUS_SUCCESS, len(data), b"")
    retransmissions = 70000
    path = tmp_path / "retrans.pcap"
    with rawcap.PcapWriter(path) as w:
        f = rawcap.Flow(w)
        f.handshake()
        f.send("c", create)
        f.send("s", created)
        for _ in range(retransmissions + 1):
            f.send_at("c", 0, req[:34])
        f.advance("c", 34)
        f.send("c", req[34:])
        f.send("s", resp)
        f.close()
    res = run("audit", path, "--json")
    assert res.code == 0, res
    objs = res.json()
    txn = [o for o in objs if o["type"] == "transaction"][1]
    assert txn["request"]["problems"].count("retransmission") == retransmissions
    assert objs[-1]["problems"]["retransmission"] == retransmissions, objs[-1]
