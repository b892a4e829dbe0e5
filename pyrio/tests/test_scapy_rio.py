"""The Scapy layer (pyrio/scapy_rio.py): packets it builds are the bytes
pyrio's codec makes, the library's captures dissect into the PDUs their
expectation files list, and it talks to the real riotoasterd."""
import hashlib
import json
import os
import socket

import pytest

scapy_all = pytest.importorskip("scapy.all")  # python3-scapy (scripts/deps.sh)

from pyrio import codec, toaster  # noqa: E402
from pyrio.riodefs import DEFS  # noqa: E402
from pyrio.scapy_rio import RIO, RIORequest, RIOResponse, RIOSocket  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CAPTURES = os.path.join(TOP, "captures")
TCP = scapy_all.TCP


# ---- building ---------------------------------------------------------------

@pytest.mark.parametrize("fields,codec_args", [
    ({}, dict(major=DEFS.MJ_CREATE, seq=DEFS.FIRST_SEQUENCE)),
    (dict(major="IRP_MJ_DEVICE_CONTROL", seq=7, ioctl="IOCTL_TOASTER_GET_INFO",
          output_length=DEFS.TOASTER_INFO_SIZE),
     dict(major=DEFS.MJ_DEVICE_CONTROL, seq=7, ioctl=DEFS.IOCTL_TOASTER_GET_INFO,
          output_length=DEFS.TOASTER_INFO_SIZE)),
    (dict(major=DEFS.MJ_WRITE, seq=0xFFFFFFFF, data=b"rye bread"),
     dict(major=DEFS.MJ_WRITE, seq=0xFFFFFFFF, data=b"rye bread")),
    (dict(major=DEFS.MJ_READ, seq=3, output_length=4096, extra=b"\x01" * 8),
     dict(major=DEFS.MJ_READ, seq=3, output_length=4096, extra=b"\x01" * 8)),
    # every field forced to a wrong value
    (dict(signature=b"XXXX", version=2, major=0x42, header_length=20, seq=9, ioctl=0x12345678,
          output_length=DEFS.DATA_MAX + 1, request_length=100, data=b"ab"),
     dict(signature=b"XXXX", version=2, major=0x42, header_length=20, seq=9, ioctl=0x12345678,
          output_length=DEFS.DATA_MAX + 1, data_length=100, data=b"ab")),
])
def test_request_is_what_the_codec_packs(fields, codec_args):
    assert bytes(RIORequest(**fields)) == codec.pack_request(**codec_args)


def test_response_is_what_the_codec_packs():
    pkt = RIOResponse(major="IRP_MJ_READ", seq=12, status="STATUS_BUFFER_OVERFLOW", information=5, data=b"toast")
    assert bytes(pkt) == codec.pack_response(DEFS.MJ_READ, 12, DEFS.STATUS_BUFFER_OVERFLOW, 5, b"toast")
    assert bytes(RIOResponse()) == codec.pack_response(DEFS.MJ_CREATE, DEFS.FIRST_SEQUENCE)


def test_every_field_dissected():
    raw = codec.pack_response(DEFS.MJ_DEVICE_CONTROL, 0x01020304, DEFS.STATUS_INVALID_PARAMETER, 0x0A0B0C0D,
                              b"payload", extra=b"\xEE" * 8)
    pkt = RIO(raw)
    assert isinstance(pkt, RIOResponse)
    assert (pkt.signature, pkt.version, pkt.major, pkt.header_length, pkt.seq, pkt.status, pkt.information,
            pkt.response_length, pkt.extra, pkt.data) == (
        DEFS.SIGNATURE_RESPONSE.encode(), DEFS.VERSION, DEFS.MJ_DEVICE_CONTROL, DEFS.HEADER_SIZE + 8, 0x01020304,
        DEFS.STATUS_INVALID_PARAMETER, 0x0A0B0C0D, 7, b"\xEE" * 8, b"payload")
    assert pkt.sprintf("%major% %status%") == "IRP_MJ_DEVICE_CONTROL STATUS_INVALID_PARAMETER"
    assert not pkt.payload  # nothing left over


def test_pdus_in_one_segment_dissect_as_a_chain():
    raw = (codec.pack_request(DEFS.MJ_CREATE, 1) + codec.pack_request(DEFS.MJ_WRITE, 2, data=b"abc")
           + codec.pack_response(DEFS.MJ_CLOSE, 3))
    pkt = RIO(raw)
    assert [(type(p).__name__, p.seq) for p in pdus(pkt)] == [
        ("RIORequest", 1), ("RIORequest", 2), ("RIOResponse", 3)]
    assert pkt[RIORequest:2].data == b"abc"


def test_truncated_pdu_keeps_what_is_there():
    raw = codec.pack_request(DEFS.MJ_WRITE, 5, data=b"0123456789")[:-4]
    pkt = RIO(raw)
    assert pkt.request_length == 10 and pkt.data == b"012345"


def test_bound_to_the_rio_ports():
    for port in (DEFS.BASE_PORT, DEFS.BASE_PORT + 1, DEFS.PORT_RANGE_LAST):
        for side in ("sport", "dport"):
            seg = scapy_all.IP(bytes(scapy_all.IP() / TCP(**{side: port}) / RIORequest(seq=4)))
            assert seg.haslayer(RIORequest) and seg[RIORequest].seq == 4, (port, side)
    other = scapy_all.IP(bytes(scapy_all.IP() / TCP(sport=40000, dport=DEFS.PORT_RANGE_LAST + 1) / RIORequest()))
    assert not other.haslayer(RIORequest)


def test_response_answers_its_request():
    req = RIORequest(major="IRP_MJ_READ", seq=8)
    assert RIOResponse(major="IRP_MJ_READ", seq=8).answers(req)
    assert not RIOResponse(major="IRP_MJ_READ", seq=9).answers(req)
    assert not RIOResponse(major="IRP_MJ_WRITE", seq=8).answers(req)
    assert RIOResponse(major="IRP_MJ_READ", seq=8).hashret() == req.hashret()


# ---- the library's captures --------------------------------------------------

def pdus(pkt):
    out = []
    while isinstance(pkt, (RIORequest, RIOResponse)):
        out.append(pkt)
        pkt = pkt.payload
    return out


def expected(name):
    with open(os.path.join(CAPTURES, name + ".json")) as f:
        return json.load(f)


def streams(packets):
    """Each direction's TCP bytes, in sequence order ({(src, dst): bytes}),
    for clean captures (no gap, no retransmission)."""
    segments = {}
    for p in packets:
        if p.haslayer(TCP) and len(p[TCP].payload):
            ip = p[TCP].underlayer
            key = ("%s:%d" % (ip.src, p[TCP].sport), "%s:%d" % (ip.dst, p[TCP].dport))
            segments.setdefault(key, {})[p[TCP].seq] = bytes(p[TCP].payload)
    return {k: b"".join(seg[s] for s in sorted(seg)) for k, seg in segments.items()}


def as_json_fields(pdu):
    """A dissected PDU in the vocabulary of captures/*.json."""
    d = {name: getattr(pdu, name) for name in ("version", "major", "header_length", "seq")}
    d["signature"] = pdu.signature.decode()
    if isinstance(pdu, RIORequest):
        d.update(ioctl=pdu.ioctl, output_length=pdu.output_length, request_length=pdu.request_length)
    else:
        d.update(status=pdu.status, information=pdu.information, response_length=pdu.response_length)
    d["data_sha256"] = hashlib.sha256(pdu.data).hexdigest()
    return d


CLEAN = ["toaster-session", "many-pdus", "rec-session", "rec-pipelined", "rec-byte-at-a-time", "vlan"]


@pytest.mark.parametrize("name", CLEAN)
def test_capture_streams_dissect_into_the_expected_pdus(name):
    exp = expected(name)
    data = streams(scapy_all.rdpcap(os.path.join(CAPTURES, exp["capture"])))
    assert exp["sessions"]
    for session in exp["sessions"]:
        assert not session["problems"], "not a clean capture: %s" % session["problems"]
        for direction, key in (("requests", (session["client"], session["server"])),
                               ("responses", (session["server"], session["client"]))):
            got = [as_json_fields(p) for p in pdus(RIO(data[key]))] if key in data else []
            want = [{k: v for k, v in pdu.items() if k != "complete"} for pdu in session[direction]]
            assert got == want, "%s %s %s" % (name, session["client"], direction)


def test_capture_packets_carry_the_layer():
    """rdpcap alone: segments on the RIO ports that start a PDU show it."""
    packets = scapy_all.rdpcap(os.path.join(CAPTURES, "toaster-session.pcap"))
    layered = [p for p in packets if p.haslayer(RIORequest) or p.haslayer(RIOResponse)]
    assert layered and all(DEFS.BASE_PORT <= min(p[TCP].sport, p[TCP].dport) <= DEFS.PORT_RANGE_LAST
                           for p in layered)
    first = layered[0][RIORequest]
    assert first.signature == DEFS.SIGNATURE_REQUEST.encode() and first.seq == DEFS.FIRST_SEQUENCE


def test_tcp_session_reassembles_split_pdus():
    """sniff(session=TCPSession) puts PDUs cut across segments back together."""
    exp = expected("rec-byte-at-a-time")
    want = sum(len(s["requests"]) + len(s["responses"]) for s in exp["sessions"])
    got = scapy_all.sniff(offline=os.path.join(CAPTURES, exp["capture"]), session=scapy_all.TCPSession, quiet=True)
    found = [p for pkt in got if pkt.haslayer(TCP) for p in pdus(pkt[TCP].payload)]
    assert len(found) == want
    assert all(len(p.data) == (p.request_length if isinstance(p, RIORequest) else p.response_length)
               for p in found)


# ---- against the real riotoasterd --------------------------------------------

def test_round_trip_with_riotoasterd(toasterd):
    d = toasterd(serials=1)
    with RIOSocket(socket.create_connection((d.host, d.port(1)), timeout=10)) as s:
        created = s.sr1(RIORequest(major="IRP_MJ_CREATE", seq=1), timeout=10, verbose=False)
        assert created.status == DEFS.STATUS_SUCCESS and created.seq == 1 and created.major == DEFS.MJ_CREATE

        info = s.sr1(RIORequest(major="IRP_MJ_DEVICE_CONTROL", seq=2, ioctl="IOCTL_TOASTER_GET_INFO",
                                output_length=DEFS.TOASTER_INFO_SIZE), timeout=10, verbose=False)
        assert info.status == DEFS.STATUS_SUCCESS and info.response_length == DEFS.TOASTER_INFO_SIZE
        assert toaster.info(info.data)["serial"] == 1
        assert toaster.info(info.data)["model"] == DEFS.TOASTER_MODEL_NAME

        loaded = s.sr1(RIORequest(major="IRP_MJ_WRITE", seq=3, data=b"scapy bread"), timeout=10, verbose=False)
        assert loaded.status == DEFS.STATUS_SUCCESS and loaded.information == len(b"scapy bread")

        bad = s.sr1(RIORequest(major="IRP_MJ_DEVICE_CONTROL", seq=4, ioctl="IOCTL_TOASTER_SET_DARKNESS",
                               data=toaster.darkness_input(DEFS.TOASTER_DARKNESS_MAX + 1)),
                    timeout=10, verbose=False)
        assert bad.status == DEFS.STATUS_INVALID_PARAMETER
        assert bad.sprintf("%status%") == "STATUS_INVALID_PARAMETER"

        closed = s.sr1(RIORequest(major="IRP_MJ_CLOSE", seq=5), timeout=10, verbose=False)
        assert closed.status == DEFS.STATUS_SUCCESS and closed.seq == 5


def test_wrong_version_refused_by_riotoasterd(toasterd):
    """A deliberately broken request, as testers build them with Scapy."""
    d = toasterd(serials=1)
    with RIOSocket(socket.create_connection((d.host, d.port(1)), timeout=10)) as s:
        s.send(RIORequest(major="IRP_MJ_CREATE", seq=1, version=DEFS.VERSION + 1))
        answer = s.recv()
    assert isinstance(answer, RIOResponse)
    assert answer.status == DEFS.STATUS_REVISION_MISMATCH and answer.seq == 1
