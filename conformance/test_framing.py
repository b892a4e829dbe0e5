"""Framing (PROTOCOL.md section 3, 8): every header field, segmentation,
extra header bytes and the 1 MiB limits.  Framing errors: test_errors.py."""
import pytest

from pyrio import toaster
from pyrio.codec import HEADER_SIZE
from pyrio.riodefs import DEFS

from .rioconf.helpers import bread
from .rioconf.verdict import check


@pytest.mark.req("RIO-FRM-001", "RIO-FRM-015", "RIO-FRM-016", "RIO-FRM-017", "RIO-FRM-018", "RIO-FRM-019",
                 "RIO-STS-001", "RIO-STS-005", "RIO-STS-006", "RIO-STS-007", "RIO-MJ-003", "RIO-MJ-001",
                 "RIO-MJ-002", "RIO-SES-013")
def test_response_header_fields(dev):
    """Every field of the response header, on each major function (the
    envelope rules are checked on every response of every case)."""
    c = dev.open()
    info = c.info("RIO-STS-007")
    check(info["capacity"] == DEFS.TOASTER_CAPACITY, "RIO-FRM-001",
          "Capacity %d read little-endian" % DEFS.TOASTER_CAPACITY, "Capacity %d" % info["capacity"])
    c.write("RIO-MJ-003", b"abc")
    c.ioctl("RIO-STS-007", DEFS.IOCTL_TOASTER_EJECT)
    c.read("RIO-TST-028", 64, data=b"abc")
    c.call("RIO-MJ-004", DEFS.MJ_CLEANUP)
    c.close_handle()


@pytest.mark.req("RIO-FRM-012", "RIO-FRM-019")
@pytest.mark.parametrize("first", [0, 0x7FFFFFFF, 0xFFFFFFFE], ids=["zero", "mid", "wraps"])
def test_sequence_echoed_whatever_its_value(dev, first):
    """The server echoes the client's Sequence, including across 2^32."""
    c = dev.connect()
    c.conn.seq = first
    c.create("RIO-FRM-012")
    for _ in range(3):
        c.status("RIO-FRM-012")


@pytest.mark.req("RIO-FRM-012")
def test_sequence_gaps_and_repeats_accepted(dev):
    c = dev.connect()
    for seq in (5, 5, 1, 0xFFFFFFFF, 77):
        c.send(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_STATUS, DEFS.TOASTER_STATUS_SIZE, seq=seq)
        c.reply("RIO-FRM-012", DEFS.STATUS_INVALID_HANDLE)
    c.call("RIO-FRM-012", DEFS.MJ_CREATE, seq=3)
    c.call("RIO-FRM-012", DEFS.MJ_CLEANUP, seq=3)


@pytest.mark.req("RIO-FRM-013")
def test_io_control_code_ignored_outside_device_control(dev):
    c = dev.connect()
    code = DEFS.IOCTL_TOASTER_START
    c.call("RIO-FRM-013", DEFS.MJ_CREATE, ioctl=code)
    c.call("RIO-FRM-013", DEFS.MJ_WRITE, ioctl=code, data=b"ab")
    c.call("RIO-FRM-013", DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_EJECT)
    c.call("RIO-FRM-013", DEFS.MJ_READ, ioctl=code, output_length=8, data=b"ab")
    c.call("RIO-FRM-013", DEFS.MJ_CLEANUP, ioctl=code)
    st = c.status("RIO-FRM-013")
    check(st["toast_count"] == 0, "RIO-FRM-013", "no START happened (ToastCount 0)", "GET_STATUS %s" % st)


@pytest.mark.req("RIO-FRM-003")
@pytest.mark.parametrize("cut", [1, 4, 12, 23])
def test_header_split_across_segments(dev, cut):
    """A header cut in two segments at any point is reassembled."""
    c = dev.connect()
    raw, sent = c.prepare(DEFS.MJ_CREATE)
    c.send_raw(raw[:cut], expect=sent)
    c.send_raw(raw[cut:])
    c.reply("RIO-FRM-003")


@pytest.mark.req("RIO-FRM-003")
def test_one_byte_at_a_time(dev):
    """Headers and data trickling in one byte per segment."""
    c = dev.connect()
    c.send(DEFS.MJ_CREATE, chunk=1)
    c.reply("RIO-FRM-003")
    c.send(DEFS.MJ_WRITE, data=b"slow bread", chunk=1)
    c.reply("RIO-FRM-003")
    c.send(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_STATUS, DEFS.TOASTER_STATUS_SIZE, chunk=1)
    st = toaster.status(c.reply("RIO-FRM-003", data_len=DEFS.TOASTER_STATUS_SIZE).data)
    check(st["loaded_bytes"] == len(b"slow bread"), "RIO-FRM-003", "LoadedBytes 10", "GET_STATUS %s" % st)


@pytest.mark.req("RIO-FRM-002", "RIO-FRM-004")
def test_several_pdus_in_one_segment(dev):
    """One segment carrying several whole PDUs, the last cut short and
    completed later: each is answered."""
    c = dev.connect()
    parts = [c.prepare(DEFS.MJ_CREATE), c.prepare(DEFS.MJ_WRITE, data=b"xy"),
             c.prepare(DEFS.MJ_READ, output_length=8)]
    c.pending.extend(sent for _, sent in parts)
    stream = b"".join(raw for raw, _ in parts)
    c.send_raw(stream[:-5])
    c.reply("RIO-FRM-004")
    c.reply("RIO-FRM-004")
    c.send_raw(stream[-5:])
    c.reply("RIO-FRM-002", data=b"")


@pytest.mark.req("RIO-FRM-014", "RIO-LIM-005")
@pytest.mark.parametrize("header_length", [HEADER_SIZE + 1, 100, DEFS.HEADER_LENGTH_MAX])
def test_extra_header_bytes_skipped(dev, header_length):
    """Bytes 24..HeaderLength-1 are skipped whatever they hold (here: a
    valid-looking header), never taken as data."""
    rid = "RIO-LIM-005" if header_length == DEFS.HEADER_LENGTH_MAX else "RIO-FRM-014"
    c = dev.connect()
    decoy = c.prepare(DEFS.MJ_CLOSE, seq=0xDEAD)[0]
    extra = (decoy * 11)[:header_length - HEADER_SIZE]
    c.send(DEFS.MJ_CREATE, extra=extra)
    c.reply(rid)
    c.send(DEFS.MJ_WRITE, data=b"payload", extra=extra)
    c.reply(rid)
    c.send(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_EJECT, extra=extra)
    c.reply(rid)
    c.send(DEFS.MJ_READ, output_length=64, extra=extra)
    c.reply(rid, data=b"payload")


@pytest.mark.req("RIO-LIM-001", "RIO-FRM-005")
def test_request_data_of_exactly_the_limit_is_served(dev):
    """RequestDataLength = 1 MiB is legal: the WRITE is served (the toaster
    takes what fits), every data byte is read and the stream stays in sync."""
    c = dev.open()
    c.write("RIO-LIM-001", bread(DEFS.DATA_MAX), timeout=dev.options.reply_timeout * 2)
    st = c.status("RIO-FRM-005")
    check(st["loaded_bytes"] == DEFS.TOASTER_MAX_LOAD_BYTES, "RIO-LIM-001",
          "LoadedBytes %d" % DEFS.TOASTER_MAX_LOAD_BYTES, "GET_STATUS %s" % st)


@pytest.mark.req("RIO-LIM-003")
def test_output_length_of_exactly_the_limit_is_served(dev):
    c = dev.open()
    c.write("RIO-LIM-003", b"crumb")
    c.ioctl("RIO-LIM-003", DEFS.IOCTL_TOASTER_EJECT)
    c.read("RIO-LIM-003", DEFS.DATA_MAX, data=b"crumb")


@pytest.mark.req("RIO-STS-002", "RIO-STS-003", "RIO-STS-004", "RIO-FRM-020")
def test_error_answers_carry_nothing_and_data_fits(dev):
    """Non-success answers to requests that offer room for data carry
    Information 0 and no data; READ never returns more than OutputLength
    (and never STATUS_BUFFER_OVERFLOW when more is ready)."""
    c = dev.connect()
    c.ioctl("RIO-STS-004", DEFS.IOCTL_TOASTER_GET_INFO, output_length=4096, status=DEFS.STATUS_INVALID_HANDLE)
    c.create("RIO-MJ-001")
    c.ioctl("RIO-STS-004", DEFS.IOCTL_TOASTER_GET_INFO, output_length=1, status=DEFS.STATUS_BUFFER_TOO_SMALL)
    c.ioctl("RIO-STS-003", DEFS.IOCTL_TOASTER_SET_DARKNESS, b"", 4096, status=DEFS.STATUS_INVALID_PARAMETER)
    c.ioctl("RIO-STS-003", DEFS.IOCTL_TOASTER_START, output_length=4096, status=DEFS.STATUS_INVALID_DEVICE_STATE)
    c.write("RIO-TST-018", b"0123456789")
    c.ioctl("RIO-TST-039", DEFS.IOCTL_TOASTER_EJECT)
    c.read("RIO-FRM-020", 4, data=b"0123")
    c.read("RIO-FRM-020", 1, data=b"4")
