"""Framing errors and the order of checks (PROTOCOL.md section 7), limits
(section 8) and timeouts (section 9)."""
import time

import pytest

from pyrio.codec import HEADER_SIZE
from pyrio.conn import PDU
from pyrio.riodefs import DEFS

from .rioconf.helpers import by_req, darkness, needs_cycle, needs_told_stall, pend_window, start_cycle, unknown_ioctls
from .rioconf.verdict import End, Reply, Silence, Violation, check, status_text

S = DEFS
OVER = S.DATA_MAX + 1


def _fresh_after(dev, rid):
    """The device was released and reset when the connection ended."""
    st = dev.open("next handle").status(rid)
    check(st["loaded_bytes"] == 0 and st["darkness"] == S.TOASTER_DARKNESS_DEFAULT, rid,
          "a released, reset device", "GET_STATUS %s" % st, also=("RIO-SES-022",))


def _load(c):
    c.ioctl("RIO-TST-041", S.IOCTL_TOASTER_SET_DARKNESS, darkness(2))
    c.write("RIO-TST-018", b"state")


@pytest.mark.req("RIO-ERR-002", "RIO-SES-017")
@pytest.mark.parametrize("signature", [S.SIGNATURE_RESPONSE.encode(), b"XXXX", b"rioq", b"\0\0\0\0"],
                         ids=["response-signature", "garbage", "lowercase", "zeros"])
def test_bad_signature_closes_without_answer(dev, signature):
    c = dev.open()
    _load(c)
    c.send_raw(c.prepare(S.MJ_DEVICE_CONTROL, S.IOCTL_TOASTER_GET_STATUS, S.TOASTER_STATUS_SIZE,
                         signature=signature)[0])
    c.expect("RIO-ERR-002", End())
    _fresh_after(dev, "RIO-SES-017")


@pytest.mark.parametrize("rid,header_length", by_req(
    ("0", "RIO-ERR-003", 0), ("23", "RIO-ERR-003", HEADER_SIZE - 1),
    ("257", "RIO-ERR-004", S.HEADER_LENGTH_MAX + 1), ("65535", "RIO-ERR-004", 0xFFFF)))
def test_header_length_out_of_range_closes_without_answer(dev, rid, header_length):
    c = dev.open()
    c.send_raw(c.prepare(S.MJ_DEVICE_CONTROL, S.IOCTL_TOASTER_GET_STATUS, S.TOASTER_STATUS_SIZE,
                         header_length=header_length)[0])
    c.expect(rid, End())
    dev.assert_alive()


def _revision_mismatch(c, rid_status="RIO-ERR-005"):
    c.reply(rid_status, S.STATUS_REVISION_MISMATCH)
    c.ends("RIO-ERR-007")


@pytest.mark.req("RIO-ERR-005", "RIO-ERR-006", "RIO-ERR-007", "RIO-FRM-016", "RIO-SES-020")
@pytest.mark.parametrize("version", [0, S.VERSION + 1, 0xFF])
@pytest.mark.parametrize("opened", [False, True], ids=["before-create", "after-create"])
def test_bad_version_revision_mismatch_then_close(dev, version, opened):
    """Version != 1: STATUS_REVISION_MISMATCH (Version 1, Sequence and
    MajorFunction echoed: the envelope checks), then close."""
    c = dev.open() if opened else dev.connect()
    c.send(S.MJ_DEVICE_CONTROL, S.IOCTL_TOASTER_GET_STATUS, S.TOASTER_STATUS_SIZE, version=version)
    _revision_mismatch(c)
    dev.assert_alive()


EXTRA = b"\0" * 40   # extra header bytes of the framing-error requests below


def _answered_without_the_data(dev, rid, status, major, **fields):
    """Only the header of a failing request is sent, never its data.  The
    answer must come once the header is in, its extra bytes included (they
    belong to the header: the brief's "without reading the data"); it SHOULD
    come once the 24 fixed bytes are in (RIO-ERR-018).  So: the fixed bytes,
    then, if nothing came within the reply timeout, the extra header bytes."""
    c = dev.open()
    raw, sent = c.prepare(major, extra=EXTRA, **fields)
    c.send_raw(raw[:HEADER_SIZE], expect=sent)
    window = min(dev.reply_timeout, dev.options.stall_timeout / 2)   # the header must not stall meanwhile
    out = c.expect(rid, Reply(status), Silence(), timeout=window)
    if out.kind != PDU:
        c.send_raw(raw[HEADER_SIZE:HEADER_SIZE + len(EXTRA)])
        c.reply(rid, status)
    ends = "RIO-ERR-007" if status == S.STATUS_REVISION_MISMATCH else "RIO-ERR-010"
    c.ends(ends)
    check(out.kind == PDU, "RIO-ERR-018", "the answer once the 24 fixed header bytes were in",
          "no answer within %.1f s until the %d extra header bytes were sent too" % (window, len(EXTRA)))


@pytest.mark.req("RIO-ERR-008", "RIO-ERR-018")
def test_revision_mismatch_without_waiting_for_the_rest(dev):
    _needs(dev, S.STATUS_REVISION_MISMATCH, version=S.VERSION + 1)
    _answered_without_the_data(dev, "RIO-ERR-008", S.STATUS_REVISION_MISMATCH, S.MJ_WRITE,
                               data=b"d" * 50, version=S.VERSION + 1)


@pytest.mark.req("RIO-ERR-009", "RIO-ERR-010", "RIO-SES-020")
@pytest.mark.parametrize("rid,field", by_req(("RequestDataLength", "RIO-LIM-002", "RequestDataLength"),
                                             ("OutputLength", "RIO-LIM-004", "OutputLength"),
                                             ("both", "RIO-ERR-009", "both")))
def test_length_over_the_limit(dev, rid, field):
    """1 MiB + 1: STATUS_INVALID_BUFFER_SIZE (echoes intact), then close;
    the data is never sent."""
    c = dev.open()
    data_length = OVER if field != "OutputLength" else None
    output_length = OVER if field != "RequestDataLength" else 0
    c.send(S.MJ_WRITE if data_length else S.MJ_READ, output_length=output_length, data_length=data_length)
    c.reply(rid, S.STATUS_INVALID_BUFFER_SIZE)
    c.ends("RIO-ERR-010")
    dev.assert_alive()


@pytest.mark.req("RIO-ERR-011", "RIO-ERR-018")
def test_invalid_buffer_size_without_waiting_for_the_rest(dev):
    _needs(dev, S.STATUS_INVALID_BUFFER_SIZE, data_length=OVER)
    _answered_without_the_data(dev, "RIO-ERR-011", S.STATUS_INVALID_BUFFER_SIZE, S.MJ_WRITE, data_length=OVER)


@pytest.mark.req("RIO-SES-021")
def test_close_after_an_error_answer_is_orderly(dev):
    """Data follows an over-limit header at once: the answer must still
    arrive whole and the close SHOULD be a FIN, not a reset."""
    c = dev.open()
    raw, sent = c.prepare(S.MJ_WRITE, data_length=OVER)
    c.send_raw(raw + bread_block(), expect=sent)
    # A reset in place of the answer is what the SHOULD is about (it can
    # destroy an answer that was sent); a clean close without it is not.
    out = c.expect("RIO-SES-020", Reply(S.STATUS_INVALID_BUFFER_SIZE), End(kinds=("RESET",)))
    check(out.kind == PDU, "RIO-SES-021", "the answer, then a FIN", "RESET before the answer")
    c.expect("RIO-SES-021", End(kinds=("CLOSED",)))


def bread_block():
    return b"\x42" * 65536


# ---- the order of the framing checks ---------------------------------------
# Each order case first confirms that the server makes both checks on their
# own (otherwise the order cannot be judged and the single check's own case
# reports the failure).

def _alone(dev, **fields):
    """Outcome of one request breaking one rule only: 'end' or the status."""
    c = dev.connect("prerequisite: %s alone" % ", ".join(fields))
    c.send(S.MJ_WRITE, **fields)
    out = c.conn.recv_pdu(dev.reply_timeout)
    c.close()
    if out.kind == PDU:
        return out.pdu.status
    return "end"


def _needs(dev, want, **fields):
    got = _alone(dev, **fields)
    if got != want:
        pytest.skip("order not judged: %s alone gives %s (its own case reports it)" % (
            fields, got if got == "end" else status_text(got)))


@pytest.mark.req("RIO-ERR-001")
def test_signature_checked_before_version(dev):
    """Bad Signature and bad Version: the Signature wins (no answer)."""
    c = dev.connect()
    c.send_raw(c.prepare(S.MJ_CREATE, signature=b"XXXX", version=S.VERSION + 1)[0])
    c.expect("RIO-ERR-001", End())
    dev.assert_alive()


@pytest.mark.req("RIO-ERR-001")
def test_header_length_checked_before_version(dev):
    c = dev.connect()
    c.send_raw(c.prepare(S.MJ_CREATE, header_length=HEADER_SIZE - 1, version=S.VERSION + 1)[0])
    c.expect("RIO-ERR-001", End())
    dev.assert_alive()


@pytest.mark.req("RIO-ERR-001")
def test_version_checked_before_length(dev):
    _needs(dev, S.STATUS_REVISION_MISMATCH, version=S.VERSION + 1)
    _needs(dev, S.STATUS_INVALID_BUFFER_SIZE, data_length=OVER)
    c = dev.connect()
    c.send(S.MJ_WRITE, version=S.VERSION + 1, data_length=OVER)
    c.reply("RIO-ERR-001", S.STATUS_REVISION_MISMATCH)
    c.ends("RIO-ERR-007")
    dev.assert_alive()


@pytest.mark.req("RIO-ERR-012", "RIO-SES-012")
def test_requests_before_a_framing_error_are_answered(dev):
    """Requests ahead of a bad header are still answered, in order."""
    c = dev.connect()
    (create, s1), (write, s2) = c.prepare(S.MJ_CREATE), c.prepare(S.MJ_WRITE, data=b"ok")
    c.pending.extend([s1, s2])
    c.send_raw(create + write + c.prepare(S.MJ_READ, signature=b"XXXX")[0])
    c.reply("RIO-ERR-012")
    c.reply("RIO-ERR-012")
    c.expect("RIO-ERR-002", End())
    dev.assert_alive()


@pytest.mark.req("RIO-ERR-013")
def test_nothing_after_a_framing_error_is_answered(dev):
    c = dev.open()
    bad, sent = c.prepare(S.MJ_DEVICE_CONTROL, S.IOCTL_TOASTER_GET_STATUS, S.TOASTER_STATUS_SIZE,
                          version=S.VERSION + 1)
    good, _ = c.prepare(S.MJ_DEVICE_CONTROL, S.IOCTL_TOASTER_GET_STATUS, S.TOASTER_STATUS_SIZE)
    c.send_raw(bad + good, expect=sent)
    c.expect("RIO-ERR-013", Reply(), End())   # the bad header's own answer: its case judges it
    c.expect("RIO-ERR-013", End(), envelope=False)
    dev.assert_alive()


# ---- the other checks -------------------------------------------------------

def _unknown(dev, rid, codes):
    c = dev.open()
    for code in codes:
        c.ioctl(rid, code, output_length=64, status=S.STATUS_INVALID_DEVICE_REQUEST)
        c.ioctl(rid, code, data=b"input", status=S.STATUS_INVALID_DEVICE_REQUEST)
    c.status(rid)


def _same_function(code):
    return code & S.IOCTL_FUNCTION_MASK == S.IOCTL_TOASTER_GET_INFO & S.IOCTL_FUNCTION_MASK


@pytest.mark.req("RIO-ERR-016")
def test_unknown_ioctl(dev):
    """IoControlCodes of no toaster function: INVALID_DEVICE_REQUEST, no
    data, and the connection stays usable."""
    _unknown(dev, "RIO-ERR-016", [c for c in unknown_ioctls() if not _same_function(c)])


@pytest.mark.req("RIO-TST-001")
def test_ioctl_compared_as_a_whole(dev):
    """GET_INFO's function with another Method, Access or DeviceType is an
    unknown code."""
    _unknown(dev, "RIO-TST-001", [c for c in unknown_ioctls() if _same_function(c)])


@pytest.mark.req("RIO-ERR-015")
def test_unknown_ioctl_without_handle_is_invalid_handle(dev):
    c = dev.connect()
    c.ioctl("RIO-ERR-015", unknown_ioctls()[0], status=S.STATUS_INVALID_HANDLE)
    c.create("RIO-SES-002")


@pytest.mark.req("RIO-ERR-017")
@pytest.mark.parametrize("data", [darkness(S.TOASTER_DARKNESS_MAX + 1), darkness(5)[:3]], ids=["11", "3-bytes"])
def test_set_darkness_input_checked_before_state(dev, data):
    needs_cycle(dev)
    c = dev.open()
    if c.call("RIO-ERR-017", S.MJ_DEVICE_CONTROL, S.IOCTL_TOASTER_SET_DARKNESS, data=data,
              status=(S.STATUS_INVALID_PARAMETER, S.STATUS_SUCCESS)).status != S.STATUS_INVALID_PARAMETER:
        pytest.skip("order not judged: the input is accepted even without a cycle (its own case reports it)")
    start_cycle(c, S.TOASTER_DARKNESS_MAX, b"bread")
    c.ioctl("RIO-ERR-017", S.IOCTL_TOASTER_SET_DARKNESS, data, status=S.STATUS_INVALID_PARAMETER)
    c.ioctl("RIO-TST-039", S.IOCTL_TOASTER_EJECT)


# ---- timeouts ----------------------------------------------------------------

def _stall_deadline(dev):
    return dev.options.stall_timeout * 1.5 + 1.0


@pytest.mark.req("RIO-TMO-001", "RIO-SES-017")
@pytest.mark.parametrize("keep", [1, 12], ids=["1-byte", "half-header"])
def test_stall_in_header(dev, keep):
    """Part of a header, then nothing: closed within the stall timeout,
    without an answer; the device is released and reset."""
    if keep > 1:
        needs_told_stall(dev)
    c = dev.open()
    _load(c)
    c.send_raw(c.prepare(S.MJ_DEVICE_CONTROL, S.IOCTL_TOASTER_GET_INFO, S.TOASTER_INFO_SIZE)[0][:keep])
    c.expect("RIO-TMO-001", End(), timeout=_stall_deadline(dev))
    _fresh_after(dev, "RIO-SES-017")


@pytest.mark.req("RIO-TMO-001")
def test_stall_in_data(dev):
    needs_told_stall(dev)
    c = dev.open()
    raw, _ = c.prepare(S.MJ_WRITE, data=b"x" * 100)
    c.send_raw(raw[:-50])
    c.expect("RIO-TMO-001", End(), timeout=_stall_deadline(dev))
    dev.assert_alive()


@pytest.mark.req("RIO-TMO-003")
def test_trickling_bytes_do_not_restart_the_stall_timeout(dev):
    """One byte every quarter of the stall timeout: the PDU never completes
    in time, so the server must close within the timeout (plus margin)."""
    c = dev.open()
    raw, _ = c.prepare(S.MJ_WRITE, data=b"t" * 64)
    step = dev.scaled(dev.options.stall_timeout / 4)
    deadline = time.monotonic() + dev.scaled(_stall_deadline(dev))
    for byte in raw:
        c.send_raw(bytes([byte]))
        out = c.conn.recv_pdu(step)
        if out.kind in ("CLOSED", "RESET"):
            return
        if out.kind != "HANG" or time.monotonic() > deadline:
            raise Violation("RIO-TMO-003", "connection closed within the stall timeout of the first byte",
                            "%s after %.1f s of trickling" % (out.kind, time.monotonic() - deadline
                                                              + dev.scaled(_stall_deadline(dev))))
    raise Violation("RIO-TMO-003", "connection closed before the PDU completed", "the whole PDU was sent")


@pytest.mark.req("RIO-TMO-004", "RIO-TMO-005")
def test_no_close_between_pdus(dev):
    """With no PDU in progress (and the idle timeout off), waiting longer
    than the stall timeout closes nothing."""
    if dev.options.idle_timeout:
        pytest.skip("the server under test has an idle timeout (--rio-idle-timeout)")
    needs_told_stall(dev)
    c = dev.open()
    c.expect("RIO-TMO-004", Silence(), timeout=dev.options.stall_timeout * 1.3)
    c.status("RIO-TMO-004")


@pytest.mark.req("RIO-TMO-004")
def test_a_pdu_completed_in_time_is_served(dev):
    c = dev.open()
    raw, sent = c.prepare(S.MJ_DEVICE_CONTROL, S.IOCTL_TOASTER_GET_STATUS, S.TOASTER_STATUS_SIZE)
    c.send_raw(raw[:10], expect=sent)
    c.expect("RIO-TMO-001", Silence(), timeout=dev.options.stall_timeout * 0.3)
    c.send_raw(raw[10:])
    c.reply("RIO-TMO-001", data_len=S.TOASTER_STATUS_SIZE)


@pytest.mark.req("RIO-TMO-007")
@pytest.mark.server_args("--idle-timeout", "0.4")
def test_idle_timeout_closes(dev):
    idle = dev.require_idle_timeout()
    c = dev.open()
    c.expect("RIO-TMO-007", End(), timeout=idle * 2 + 1.0)


@pytest.mark.req("RIO-TMO-008")
@pytest.mark.server_args("--idle-timeout", "0.3")
def test_idle_timeout_spares_a_pending_read(dev):
    idle = dev.require_idle_timeout()
    toast = needs_cycle(dev)
    if toast < idle * 1.2:
        pytest.skip("the toast cycle (%.2f s) is not longer than the idle timeout" % toast)
    c = dev.open()
    start_cycle(c, S.TOASTER_DARKNESS_MAX, b"long toast")
    c.send(S.MJ_READ, output_length=64)
    c.expect("RIO-TST-032", Silence(), timeout=pend_window(toast))
    c.reply("RIO-TMO-008", data=b"long toast", timeout=toast + dev.options.reply_timeout)

