"""riotoasterd: framing errors and bad input (brief section 4, DESIGN.md check
order).  After every bad input the server still serves a fresh connection."""
import pytest

from pyrio.codec import pack_request
from test_server_support import *  # noqa: F401,F403


@pytest.fixture
def d(toasterd):
    daemon = toasterd()
    yield daemon
    assert_serving(daemon)  # the server survived and serves others


def bad_and_good(c, bad):
    """Send one good request then a bad one; the good one is answered."""
    seq = c.next_seq()
    c.send(pack_request(DEFS.MJ_DEVICE_CONTROL, seq, DEFS.IOCTL_TOASTER_GET_STATUS, DEFS.TOASTER_STATUS_SIZE) + bad)
    expect(c.recv_pdu(), DEFS.STATUS_SUCCESS, DEFS.TOASTER_STATUS_SIZE, DEFS.TOASTER_STATUS_SIZE, seq=seq)


@pytest.mark.parametrize("sig", [b"RIOP", b"XXXX", b"rioq", b"\0\0\0\0"])
def test_bad_signature_closes_without_answer(d, sig):
    with opened(d) as c:
        bad_and_good(c, pack_request(DEFS.MJ_CREATE, 7, signature=sig))
        assert_gone(c)


@pytest.mark.parametrize("hl", [0, 23, 257, 0xFFFF])
def test_header_length_out_of_range_closes_without_answer(d, hl):
    with opened(d) as c:
        bad_and_good(c, pack_request(DEFS.MJ_READ, 7, header_length=hl))
        assert_gone(c)


def test_signature_checked_before_version(d):
    with connect(d) as c:
        c.send(pack_request(DEFS.MJ_CREATE, 1, signature=b"XXXX", version=2))
        assert_gone(c)


@pytest.mark.parametrize("version", [0, 2, 255])
def test_bad_version_revision_mismatch_then_close_data_not_read(d, version):
    with opened(d) as c:
        # The data announced is never sent: the server must not wait for it.
        c.send(pack_request(DEFS.MJ_WRITE, 0xABCDEF01, version=version, data_length=1000))
        expect(c.recv_pdu(), DEFS.STATUS_REVISION_MISMATCH, major=DEFS.MJ_WRITE, seq=0xABCDEF01)
        assert_gone(c)


def test_version_checked_before_lengths(d):
    with connect(d) as c:
        c.send(pack_request(DEFS.MJ_READ, 5, version=2, output_length=DEFS.DATA_MAX + 1))
        expect(c.recv_pdu(), DEFS.STATUS_REVISION_MISMATCH, seq=5)
        assert_gone(c)


@pytest.mark.parametrize("field", ["data", "output"])
def test_length_over_limit_invalid_buffer_size_then_close(d, field):
    with opened(d) as c:
        kw = {"data_length": DEFS.DATA_MAX + 1} if field == "data" else {"output_length": DEFS.DATA_MAX + 1}
        c.send(pack_request(DEFS.MJ_WRITE, 42, **kw))
        expect(c.recv_pdu(), DEFS.STATUS_INVALID_BUFFER_SIZE, major=DEFS.MJ_WRITE, seq=42)
        assert_gone(c)


def test_exactly_one_mib_passes(d):
    with opened(d, timeout=20) as c:
        big = bytes(i % 253 for i in range(DEFS.DATA_MAX))
        ok(c.write(big), DEFS.TOASTER_MAX_LOAD_BYTES)
        ok(start(c))
        assert ok(c.read(DEFS.DATA_MAX), DEFS.TOASTER_MAX_LOAD_BYTES, DEFS.TOASTER_MAX_LOAD_BYTES).data == \
            big[:DEFS.TOASTER_MAX_LOAD_BYTES]
        ok(c.transact(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_INFO, DEFS.DATA_MAX, big),
           DEFS.TOASTER_INFO_SIZE, DEFS.TOASTER_INFO_SIZE)


@pytest.mark.parametrize("hl", [25, 100, 256])
def test_extra_header_bytes_are_skipped(d, hl):
    with connect(d) as c:
        extra = bytes(range(hl - DEFS.HEADER_SIZE))
        ok(c.transact(DEFS.MJ_CREATE, extra=extra))
        c.send(pack_request(DEFS.MJ_WRITE, c.next_seq(), data=b"DATA", extra=extra))
        ok(c.recv_pdu(), 4)
        ok(eject(c))
        assert ok(c.read(10), 4, 4).data == b"DATA"


@pytest.mark.parametrize("cut", [1, 10, 23, 24, 30])
def test_truncated_pdu_then_disconnect(d, cut):
    with opened(d) as c:
        c.send(pack_request(DEFS.MJ_WRITE, c.next_seq(), data=b"x" * 20)[:cut])
    # the fixture's assert_serving proves the toaster was released


def test_byte_at_a_time(d):
    with connect(d) as c:
        c.send(pack_request(DEFS.MJ_CREATE, 1), chunk=1)
        ok(c.recv_pdu())
        c.send(pack_request(DEFS.MJ_WRITE, 2, data=b"split"), chunk=1)
        ok(c.recv_pdu(), 5)
        ok(c.close_handle())
