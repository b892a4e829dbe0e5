"""audit on crafted captures: each capture problem gives the documented
result (see rio-replay.1, CAPTURE PROBLEMS)."""
import struct

import craft
from pyrio import DEFS, pack_request, pack_response

EXIT_MATCH, EXIT_DIVERGED, EXIT_INCOMPLETE, EXIT_NETWORK, EXIT_USAGE = 0, 1, 2, 3, 4  # rio-replay.1


def audit(run, tmp_path, packets, linktype=craft.LINKTYPE_ETHERNET, *extra):
    path = tmp_path / "c.pcap"
    craft.write_pcap(path, packets, linktype)
    res = run("audit", path, "--json", *extra)
    objs = res.json()
    txns = [o for o in objs if o["type"] == "transaction"]
    sessions = [o for o in objs if o["type"] == "session"]
    summary = [o for o in objs if o["type"] == "summary"]
    return res, txns, sessions, summary[0] if summary else None


def session(**kw):
    c = craft.Conn(**kw)
    c.handshake()
    pairs = craft.toaster_session(c)
    return c, pairs


def problems(txn, side):
    return txn[side]["problems"]


def test_clean_session(run, tmp_path):
    c, pairs = session()
    res, txns, sessions, summary = audit(run, tmp_path, c.packets)
    assert res.code == EXIT_MATCH, res
    assert len(txns) == len(pairs) and all(t["complete"] for t in txns)
    assert [t["request"]["major"] for t in txns] == [struct.unpack_from("<B", q, 5)[0] for q, _ in pairs]
    assert sessions[0]["client"] == "127.0.0.1:41000" and sessions[0]["server"] == "127.0.0.1:%d" % craft.TOASTER_PORT
    assert sessions[0]["handshake"] is True
    assert summary["transactions"] == len(pairs) and summary["exit"] == 0


def test_out_of_order(run, tmp_path):
    c = craft.Conn()
    c.handshake()
    craft.toaster_session(c)
    # the WRITE request (1024 bytes) in 3 segments, delivered last-first
    c2 = craft.Conn()
    c2.handshake()
    req = c2.packets  # noqa
    pk = c.packets
    write_idx = next(i for i, p in enumerate(pk) if len(p.payload) > 1000)
    c3 = craft.Conn()
    c3.handshake()
    c3.seq = dict(c.seq)
    # rebuild: split the big payload into 3 and reverse them
    big = pk[write_idx]
    parts = [big.payload[i:i + 400] for i in range(0, len(big.payload), 400)]
    frames, off = [], 0
    for part in parts:
        frames.append(c.frame_at("c", big.seq + off, part, big.ts))
        off += len(part)
    packets = pk[:write_idx] + frames[::-1] + pk[write_idx + 1:]
    res, txns, _, summary = audit(run, tmp_path, packets)
    assert res.code == EXIT_MATCH, res
    assert txns and all(t["complete"] for t in txns)
    assert "out_of_order" in problems(txns[2], "request")
    assert summary["problems"]["out_of_order"] >= 1
    assert summary["problems"]["gap"] == 0


def test_retransmission_same_bytes(run, tmp_path):
    c, pairs = session()
    pk = c.packets
    i = next(i for i, p in enumerate(pk) if len(p.payload) > 1000)
    packets = pk[:i + 1] + [c.frame_at("c", pk[i].seq, pk[i].payload, pk[i].ts + 0.0005)] + pk[i + 1:]
    res, txns, _, summary = audit(run, tmp_path, packets)
    assert res.code == EXIT_MATCH, res
    assert "retransmission" in problems(txns[2], "request")
    assert summary["problems"]["overlap_mismatch"] == 0


def test_retransmission_different_bytes_first_wins(run, tmp_path):
    c, pairs = session()
    pk = c.packets
    i = next(i for i, p in enumerate(pk) if len(p.payload) > 1000)
    altered = b"\xff" * 100 + pk[i].payload[100:]
    packets = pk[:i + 1] + [c.frame_at("c", pk[i].seq, altered, pk[i].ts + 0.0005)] + pk[i + 1:]
    res, txns, _, summary = audit(run, tmp_path, packets)
    assert "overlap_mismatch" in problems(txns[2], "request")
    # first data wins: the hash is the original data's
    import hashlib
    assert txns[2]["request"]["data_sha256"] == hashlib.sha256(pk[i].payload[24:]).hexdigest()
    assert summary["problems"]["overlap_mismatch"] == 1


def test_sequence_wraparound(run, tmp_path):
    c, pairs = session(isn_client=0xFFFFFF00, isn_server=0xFFFFFFF0)
    res, txns, _, summary = audit(run, tmp_path, c.packets)
    assert res.code == EXIT_MATCH, res
    assert len(txns) == len(pairs) and all(t["complete"] for t in txns)


def test_midstream_start(run, tmp_path):
    c, pairs = session()
    pk = c.packets
    # drop the handshake and the first request's first 10 bytes
    first = pk[3]
    cut = c.frame_at("c", first.seq + 10, first.payload[10:], first.ts)
    packets = [cut] + pk[4:]
    res, txns, sessions, summary = audit(run, tmp_path, packets)
    assert sessions[0]["handshake"] is False
    # the CREATE answer pairs with no request; framing starts at GET_INFO
    assert "request" not in txns[0] and txns[0]["response"]["major"] == DEFS.MJ_CREATE
    assert txns[0]["complete"] is False
    assert txns[1]["request"]["major"] == DEFS.MJ_DEVICE_CONTROL
    assert txns[1:] and all(t["complete"] for t in txns[1:])
    assert summary["problems"]["midstream"] == 2
    assert sessions[0]["skipped"] == [14, 0]
    assert summary["orphan_responses"] == 1


def test_gap_marks_incomplete(run, tmp_path):
    c, pairs = session()
    pk = c.packets
    i = next(i for i, p in enumerate(pk) if len(p.payload) > 1000)
    big = pk[i]
    parts = [c.frame_at("c", big.seq + off, big.payload[off:off + 400], big.ts) for off in (0, 400, 800)]
    packets = pk[:i] + [parts[0], parts[2]] + pk[i + 1:]  # middle segment lost
    res, txns, _, summary = audit(run, tmp_path, packets)
    assert res.code == EXIT_INCOMPLETE, res
    assert txns[2]["complete"] is False and "gap" in problems(txns[2], "request")
    assert txns[2]["request"]["missing_bytes"] == 400
    assert [t["complete"] for t in txns].count(False) == 1  # framing goes on after the hole
    assert summary["incomplete"] == 1


def test_snaplen_truncation(run, tmp_path):
    c, pairs = session()
    pk = c.packets
    i = next(i for i, p in enumerate(pk) if len(p.payload) > 1000)
    pk[i].caplen = 54 + 100
    res, txns, _, summary = audit(run, tmp_path, pk)
    assert res.code == EXIT_INCOMPLETE, res
    assert txns[2]["complete"] is False and "truncated" in problems(txns[2], "request")
    assert summary["problems"]["truncated"] == 1


def test_rule_violations(run, tmp_path):
    c = craft.Conn()
    c.handshake()
    craft.toaster_session(c, pipelined=True, skip_create=True, jump=True)
    res, txns, _, summary = audit(run, tmp_path, c.packets)
    assert res.code == EXIT_DIVERGED, res
    v = summary["violations"]
    assert v["missing_create"] == 1 and v["pipelining"] == 1 and v["sequence_jump"] == 1


def test_human_output_names_the_problem(run, tmp_path):
    c, pairs = session()
    pk = c.packets
    i = next(i for i, p in enumerate(pk) if len(p.payload) > 1000)
    pk[i].caplen = 54 + 100
    path = tmp_path / "t.pcap"
    craft.write_pcap(path, pk)
    res = run("audit", path)
    assert res.code == EXIT_INCOMPLETE
    assert "session 1 transaction 2" in res.out and "truncated" in res.out
    assert "total: 1 sessions" in res.out


IRP_MJ_FLUSH_BUFFERS = 0x09  # valid on the wire, unknown to RIO
assert IRP_MJ_FLUSH_BUFFERS not in DEFS.tables["MAJOR"]


def cut_into_write(data, next_major, next_version=None):
    """A capture that starts 10 bytes into a WRITE carrying `data`; the next
    request has MajorFunction next_major (and Version next_version)."""
    c = craft.Conn()
    seq = DEFS.FIRST_SEQUENCE
    write = pack_request(DEFS.MJ_WRITE, seq, 0, 0, data)
    nxt = bytearray(pack_request(next_major, seq + 1, 0, 0, b""))
    if next_version is not None:
        nxt[DEFS.OFF_VERSION] = next_version
    c.send("c", write[10:] + bytes(nxt))
    c.send("s", pack_response(DEFS.MJ_WRITE, seq, DEFS.STATUS_SUCCESS, len(data), b""))
    c.send("s", pack_response(next_major, seq + 1, DEFS.STATUS_INVALID_DEVICE_REQUEST, 0, b""))
    c.close()
    return c.packets


def header_bytes(signature, header_length, version=DEFS.VERSION):
    h = bytearray(pack_request(DEFS.MJ_READ, 7, 0, 0, b""))
    h[:4] = signature
    h[DEFS.OFF_VERSION] = version
    struct.pack_into("<H", h, DEFS.OFF_HEADER_LENGTH, header_length)
    return bytes(h)


def test_resync_finds_an_unknown_major_function(run, tmp_path):
    """The one resync rule (signature + HeaderLength in range): a false
    "RIOQ" whose HeaderLength is out of range is skipped, the next request
    is found although RIO does not know its MajorFunction."""
    false_sig = header_bytes(b"RIOQ", DEFS.HEADER_LENGTH_MAX + 1)
    res, txns, sessions, summary = audit(run, tmp_path,
                                         cut_into_write(bytes(30) + false_sig + bytes(26),
                                                        IRP_MJ_FLUSH_BUFFERS))
    requests = [t["request"] for t in txns if "request" in t]
    assert requests, res
    assert [r["major"] for r in requests] == [IRP_MJ_FLUSH_BUFFERS], res
    assert "malformed" not in requests[0] and requests[0]["complete"] is True
    assert sessions[0]["skipped"][0] == 14 + 30 + len(false_sig) + 26


def test_resync_header_with_a_bad_version_is_malformed(run, tmp_path):
    """A header found by the resync rule that then breaks Version is a
    malformed PDU (reported, exit 1), not skipped."""
    res, txns, sessions, summary = audit(run, tmp_path,
                                         cut_into_write(bytes(40), DEFS.MJ_CLOSE, next_version=2))
    requests = [t["request"] for t in txns if "request" in t]
    assert requests, res
    assert requests[0]["malformed"] == "version" and requests[0]["version"] == 2, res
    assert summary["problems"]["malformed"] == 1
    assert res.code == EXIT_DIVERGED, res
