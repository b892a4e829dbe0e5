"""Crafted captures, one per framing or analysis situation, written with
their expectation JSON (see riocap.py)."""
import os

from pyrio.riodefs import DEFS
import riocap


def _pair(sess, major, seq, req=None, rsp=None, **kw):
    sess.send("c", sess.request(major, seq, **(req or {})), **kw)
    sess.cap.tick(0.001)
    sess.send("s", sess.response(major, seq, **(rsp or {})), **kw)


def session(cap):
    s = riocap.Session(cap)
    riocap.toaster_session(s)
    s.close()


def split_header(cap):
    """Every segment 5 bytes: headers split over segments."""
    s = riocap.Session(cap)
    riocap.toaster_session(s, split=[5])
    s.close()


def many_in_one(cap):
    """Twenty PDUs in one segment each way (pipelined requests)."""
    s = riocap.Session(cap)
    reqs = s.request(DEFS.MJ_CREATE, 1) + b"".join(
        s.request(DEFS.MJ_DEVICE_CONTROL, n, DEFS.IOCTL_TOASTER_GET_STATUS, 64) for n in range(2, 21))
    s.send("c", reqs)
    status = bytes(DEFS.TOASTER_STATUS_SIZE)
    rsps = s.response(DEFS.MJ_CREATE, 1) + b"".join(
        s.response(DEFS.MJ_DEVICE_CONTROL, n, data=status) for n in range(2, 21))
    s.send("s", rsps)
    s.close()


def big_pdu(cap):
    """A 1 MiB WRITE and a 1 MiB READ, cut into 1448-byte segments."""
    s = riocap.Session(cap)
    blob = bytes((i * 7) & 0xFF for i in range(DEFS.DATA_MAX))
    _pair(s, DEFS.MJ_CREATE, 1)
    _pair(s, DEFS.MJ_WRITE, 2, req=dict(data=blob), rsp=dict(information=DEFS.DATA_MAX), sizes=[1448])
    _pair(s, DEFS.MJ_READ, 3, req=dict(output_length=DEFS.DATA_MAX), rsp=dict(data=blob), sizes=[1448])
    s.close()


def out_of_order(cap):
    """Segments of each PDU sent in reverse order."""
    s = riocap.Session(cap)
    _pair(s, DEFS.MJ_CREATE, 1)
    data = bytes(range(200)) * 10
    req = s.request(DEFS.MJ_WRITE, 2, data=data)
    s.send("c", req, sizes=[500], order=[0, 2, 1, 4, 3])
    s.send("s", s.response(DEFS.MJ_WRITE, 2, information=len(data)))
    _pair(s, DEFS.MJ_CLOSE, 3)
    s.close()


def retransmission(cap):
    """Some segments sent twice."""
    s = riocap.Session(cap)
    _pair(s, DEFS.MJ_CREATE, 1, retransmit=(0,))
    data = bytes(range(256)) * 8
    s.send("c", s.request(DEFS.MJ_WRITE, 2, data=data), sizes=[600], retransmit=(1, 3))
    s.send("s", s.response(DEFS.MJ_WRITE, 2, information=len(data)), retransmit=(0,))
    _pair(s, DEFS.MJ_CLOSE, 3)
    s.close()


def midstream(cap):
    """No handshake; the capture starts inside a WRITE's data."""
    s = riocap.Session(cap, handshake=False)
    data = b"toast" * 100
    first = s.request(DEFS.MJ_WRITE, 7, data=data, record=False)
    skipped = 100
    s.send("c", first[skipped:])
    s.send("s", s.response(DEFS.MJ_WRITE, 7, information=len(data), record=False)[10:])
    s.expect["problems"].append({"kind": "midstream", "direction": "request", "detail": "%d bytes skipped" % (len(first) - skipped)})
    _pair(s, DEFS.MJ_DEVICE_CONTROL, 8, req=dict(ioctl=DEFS.IOCTL_TOASTER_GET_STATUS, output_length=24),
          rsp=dict(data=bytes(24)))
    _pair(s, DEFS.MJ_CLOSE, 9)


def midstream_boundary(cap):
    """No handshake; the capture starts exactly at a request header."""
    s = riocap.Session(cap, handshake=False)
    s.expect["problems"].append({"kind": "midstream", "direction": "request", "detail": "0 bytes skipped"})
    _pair(s, DEFS.MJ_DEVICE_CONTROL, 8, req=dict(ioctl=DEFS.IOCTL_TOASTER_GET_STATUS, output_length=24),
          rsp=dict(data=bytes(24)))
    _pair(s, DEFS.MJ_CLOSE, 9)


def bad_headers(cap):
    """Malformed headers, each on its own connection."""
    cases = [
        ("signature", dict(signature=b"XIOQ")),
        ("header_length", dict(header_length=DEFS.HEADER_LENGTH_MAX + 1)),
        ("version", dict(version=DEFS.VERSION + 1)),
        ("data_length", dict(data_length=DEFS.DATA_MAX + 1)),
    ]
    for port, (reason, kw) in enumerate(cases):
        s = riocap.Session(cap, client=("127.0.0.1", 41000 + port))
        _pair(s, DEFS.MJ_CREATE, 1)
        raw = s.request(DEFS.MJ_WRITE, 2, data=b"", **kw)
        s.expect["requests"][-1]["malformed"] = reason
        # Bytes after the bad header: a good-looking request nobody reads.
        s.send("c", raw + s.request(DEFS.MJ_CLOSE, 3, record=False))
        s.close()


def protocol_errors(cap):
    """Serialized-I/O and matching errors the analysis must flag."""
    s = riocap.Session(cap)
    _pair(s, DEFS.MJ_READ, 1, req=dict(output_length=4), rsp=dict(data=b"12345678"))   # not CREATE; too long
    _pair(s, DEFS.MJ_CLOSE, 5)                                                         # seq jump
    s.send("s", s.response(DEFS.MJ_READ, 9))                                           # unmatched
    s.send("c", s.request(DEFS.MJ_WRITE, 6, data=b"ab"))
    s.send("c", s.request(DEFS.MJ_WRITE, 7, data=b"cd"))                               # outstanding
    s.send("s", s.response(DEFS.MJ_WRITE, 8, information=2))                           # seq mismatch
    s.send("s", s.response(DEFS.MJ_WRITE, 7, status=DEFS.STATUS_DEVICE_BUSY, information=0))
    s.close()


def pipelined(cap):
    """Pipelined requests answered with duplicate, skipped and unknown
    Sequences: matching by Sequence, oldest first."""
    s = riocap.Session(cap)
    s.send("c", s.request(DEFS.MJ_CREATE, 1))
    s.send("c", s.request(DEFS.MJ_READ, 2, output_length=8))
    s.send("c", s.request(DEFS.MJ_WRITE, 2, data=b"ab"))                               # duplicate Sequence
    s.send("c", s.request(DEFS.MJ_CLOSE, 3))
    s.send("s", s.response(DEFS.MJ_CREATE, 9))                                         # unknown: uses up seq 1
    s.send("s", s.response(DEFS.MJ_READ, 2, data=b"12"))                               # the older seq 2
    s.send("s", s.response(DEFS.MJ_WRITE, 2, information=2))                           # the newer seq 2
    s.send("c", s.request(DEFS.MJ_READ, 4, output_length=8))
    s.send("s", s.response(DEFS.MJ_CLOSE, 3))
    s.send("c", s.request(DEFS.MJ_READ, 5, output_length=8))
    s.send("s", s.response(DEFS.MJ_READ, 5))                                           # skips seq 4
    s.send("s", s.response(DEFS.MJ_READ, 4))                                           # nothing outstanding
    s.close()


ALL = [session, split_header, many_in_one, big_pdu, out_of_order, retransmission, midstream,
       midstream_boundary, bad_headers, protocol_errors, pipelined]


def write_all(folder):
    """Write every scenario; returns {name: path}."""
    paths = {}
    for fn in ALL:
        cap = riocap.Capture()
        fn(cap)
        path = os.path.join(folder, fn.__name__ + ".pcap")
        cap.write(path)
        os.chmod(path, 0o644)
        os.chmod(os.path.splitext(path)[0] + ".json", 0o644)
        paths[fn.__name__] = path
    return paths
