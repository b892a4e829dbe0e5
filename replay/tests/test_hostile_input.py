"""Captures built to hurt: out-of-range timestamps, problem counters past
16 bits (issue 10).  The big ones are written with rawcap (fast)."""
import os

import rawcap
from pyrio import DEFS, pack_request, pack_response

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "fuzz", "corpus")
TS_MAX_US = 253402300799 * 1000000 + 999999  # 9999-12-31T23:59:59.999999Z


def write_exchange(data_len, seed=7):
    """A WRITE of data_len pseudo-random bytes (Sequence: the one after
    CREATE): (request, response, data)."""
    import random
    data = random.Random(seed).randbytes(data_len)
    seq = DEFS.FIRST_SEQUENCE + 1
    return (pack_request(DEFS.MJ_WRITE, seq, 0, 0, data),
            pack_response(DEFS.MJ_WRITE, seq, DEFS.STATUS_SUCCESS, len(data), b""), data)


def create_exchange():
    seq = DEFS.FIRST_SEQUENCE
    return (("c", pack_request(DEFS.MJ_CREATE, seq, 0, 0, b"")),
            ("s", pack_response(DEFS.MJ_CREATE, seq, DEFS.STATUS_SUCCESS, 0, b"")))


def created_flow(w, **kw):
    """A connection after its handshake and a clean CREATE exchange."""
    f = rawcap.Flow(w, **kw)
    f.handshake()
    for side, pdu in create_exchange():
        f.send(side, pdu)
    return f


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
    req, resp, data = write_exchange(100)
    retransmissions = 70000
    path = tmp_path / "retrans.pcap"
    with rawcap.PcapWriter(path) as w:
        f = created_flow(w)
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


# ---- out-of-order reassembly: a sorted queue, capped in bytes and pieces ----

def one_byte_pieces(path, data_len, isn=(1000, 500000)):
    """The WRITE request in one-byte segments, all out of order (see
    rawcap.reversed_bytes_write), after a clean CREATE."""
    req, resp, data = write_exchange(data_len)
    return data, rawcap.reversed_bytes_write(path, req, resp, isn=isn, prelude=create_exchange())


def sha256(b):
    import hashlib
    return hashlib.sha256(b).hexdigest()


def test_twenty_thousand_one_byte_segments_out_of_order_across_wraparound(run, tmp_path):
    """Every byte of a 20,000-byte WRITE arrives alone and out of order,
    and the sequence numbers wrap in the middle: the PDU comes out whole."""
    path = tmp_path / "ooo.pcap"
    data, segments = one_byte_pieces(path, 20000, isn=(0xFFFFFFFF - 10000, 500000))
    res = run("audit", path, "--json")
    assert res.code == 0, res
    objs = res.json()
    txns = [o for o in objs if o["type"] == "transaction"]
    assert [t["complete"] for t in txns] == [True, True], res
    write = txns[1]["request"]
    assert write["request_length"] == len(data) and write["data_sha256"] == sha256(data)
    total = objs[-1]
    # all but two arrived after data that follows them: the first one sent
    # and the last byte (sent first of the second half)
    assert total["problems"]["out_of_order"] == segments - 2, total
    assert total["problems"]["gap"] == 0 and total["reorder_overflows"] == 0, total


def test_overlapping_queued_pieces_first_data_wins(run, tmp_path):
    """Out-of-order pieces that overlap each other in the queue: the first
    captured bytes win, one overlap_mismatch names the conflict, an exact
    copy is a retransmission."""
    req, resp, data = write_exchange(600)
    path = tmp_path / "overlap.pcap"
    with rawcap.PcapWriter(path) as w:
        f = created_flow(w)
        f.send_at("c", 100, req[100:200])
        forged = bytearray(req[150:300])
        forged[10:60] = b"\xee" * 50                     # bytes 160..209: 160..199 queued already
        f.send_at("c", 150, bytes(forged))
        f.send_at("c", 100, req[100:200])                # exact copy of queued data
        f.send_at("c", 300, req[300:])
        f.send_at("c", 0, req[:100])
        f.advance("c", len(req))
        f.send("s", resp)
        f.close()
    res = run("audit", path, "--json")
    objs = res.json()
    write = [o for o in objs if o["type"] == "transaction"][1]["request"]
    total = objs[-1]
    assert total["problems"]["overlap_mismatch"] == 1, total
    assert total["problems"]["retransmission"] == 1, total
    assert total["problems"]["gap"] == 0, total
    # 160..199 from the first piece; 200..209 only ever came forged
    want = bytearray(req)
    want[200:210] = b"\xee" * 10
    assert write["data_sha256"] == sha256(bytes(want[24:])), res


def test_reorder_segment_cap_is_reported_never_silent(run, tmp_path):
    """More queued pieces than --reorder-segments: the hole in front is
    declared a gap early, and the overflow is reported (JSON and text)."""
    path = tmp_path / "cap.pcap"
    one_byte_pieces(path, 1000)
    res = run("audit", path, "--json", "--reorder-segments", "100")
    assert res.code == 2, res  # the WRITE is incomplete
    total = res.json()[-1]
    assert total["reorder_overflows"] > 0 and total["problems"]["gap"] > 0, total
    text = run("audit", path, "--reorder-segments", "100")
    assert "out-of-order queue full" in text.out and "--reorder-segments" in text.out, text
    # the same capture within the default caps is whole
    assert run("audit", path).code == 0


def test_reorder_caps_must_not_be_negative(run, tmp_path):
    path = os.path.join(CORPUS, "pcapng-timestamp-high-word-ffffffff.pcapng")
    res = run("audit", path, "--reorder-segments", "-1")
    assert res.code == 4 and "--reorder-segments" in res.err, res


# ---- many open connections: bounded, the idlest dropped and reported -------

def open_streams(w, count, first=0):
    """`count` connections: handshake, CREATE and its answer, left open."""
    return [created_flow(w, client=("10.0.%d.%d" % (i >> 8, i & 255), 40000 + i),
                         t0_us=1700000000 * 1000000 + i * 1000)
            for i in range(first, first + count)]


def test_max_streams_drops_the_idlest_and_reports_it(run, tmp_path):
    """Four connections open, the first one active again, then two more:
    over --max-streams 4, the two idle the longest (the 2nd and 3rd) are
    dropped: in the session records, the summary and on stderr."""
    path = tmp_path / "streams.pcap"
    with rawcap.PcapWriter(path) as w:
        flows = open_streams(w, 4)
        first = flows[0]
        first.t = flows[-1].t + 100
        seq = DEFS.FIRST_SEQUENCE + 1
        first.send("c", pack_request(DEFS.MJ_CLOSE, seq, 0, 0, b""))
        first.send("s", pack_response(DEFS.MJ_CLOSE, seq, DEFS.STATUS_SUCCESS, 0, b""))
        open_streams(w, 2, first=4)
    res = run("audit", path, "--json", "--max-streams", "4")
    assert res.code == 0, res
    objs = res.json()
    sessions = {o["client"]: o for o in objs if o["type"] == "session"}
    assert len(sessions) == 6, res
    dropped = sorted(c for c, o in sessions.items() if o["dropped"])
    assert dropped == ["10.0.0.1:40001", "10.0.0.2:40002"], res
    assert sessions["10.0.0.0:40000"]["transactions"] == 2  # kept: it was active
    assert objs[-1]["dropped_streams"] == 2, objs[-1]
    assert "the 2 idle the longest were dropped unfinished (raise --max-streams)" in res.err, res
    text = run("audit", path, "--max-streams", "4")
    assert text.out.count("dropped unfinished, too many connections open (--max-streams)") == 2, text
    assert "2 connections dropped (--max-streams)" in text.out, text
    # within the default limit nothing is dropped
    plain = run("audit", path, "--json")
    assert plain.json()[-1]["dropped_streams"] == 0 and plain.err == "", plain


def test_closed_connections_do_not_count_against_max_streams(run, tmp_path):
    path = tmp_path / "closed.pcap"
    with rawcap.PcapWriter(path) as w:
        for f in open_streams(w, 1):
            pass
        for i in range(1, 20):
            for f in open_streams(w, 1, first=i):
                f.close()
    res = run("audit", path, "--json", "--max-streams", "2")
    assert res.code == 0, res
    assert res.json()[-1]["dropped_streams"] == 0 and res.json()[-1]["sessions"] == 20, res


def test_max_streams_must_be_positive(run):
    path = os.path.join(CORPUS, "pcapng-timestamp-high-word-ffffffff.pcapng")
    res = run("audit", path, "--max-streams", "0")
    assert res.code == 4 and "--max-streams" in res.err, res
