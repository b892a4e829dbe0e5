"""Major functions and session rules (PROTOCOL.md sections 4, 6, 10):
CREATE first, exclusive access, FIFO answers to a pipelining client,
CLOSE, disconnect as cleanup, per-handle state, per-device addressing."""
import socket

import pytest

from pyrio.riodefs import DEFS

from .rioconf.helpers import darkness, start_cycle, unknown_majors
from .rioconf.verdict import Violation, End, check

S = DEFS
NOT_CREATE = [(S.MJ_READ, 0, 16, b""), (S.MJ_WRITE, 0, 0, b"bread"), (S.MJ_CLEANUP, 0, 0, b""),
              (S.MJ_DEVICE_CONTROL, S.IOCTL_TOASTER_GET_STATUS, S.TOASTER_STATUS_SIZE, b""),
              (S.MJ_DEVICE_CONTROL, S.IOCTL_TOASTER_SET_DARKNESS, 0, darkness(3))]


@pytest.mark.req("RIO-SES-001", "RIO-SES-002")
@pytest.mark.parametrize("request_", NOT_CREATE, ids=lambda r: "%02x-%08x" % (r[0], r[1]))
def test_request_before_create_gets_invalid_handle(dev, request_):
    """Any request but CREATE without a handle: INVALID_HANDLE, and the
    connection stays usable (a CREATE then succeeds)."""
    major, ioctl, out, data = request_
    c = dev.connect()
    c.call("RIO-SES-001", major, ioctl, out, data, status=S.STATUS_INVALID_HANDLE)
    c.create("RIO-SES-002")
    c.status("RIO-SES-002")


@pytest.mark.req("RIO-SES-005")
def test_close_without_handle(dev):
    c = dev.connect()
    c.call("RIO-SES-005", S.MJ_CLOSE, status=S.STATUS_INVALID_HANDLE)
    c.create("RIO-SES-005")


@pytest.mark.req("RIO-MJ-005", "RIO-MJ-006", "RIO-MJ-007", "RIO-ERR-014", "RIO-FRM-017")
@pytest.mark.parametrize("opened", [False, True], ids=["before-create", "after-create"])
def test_unknown_major_function(dev, opened):
    """An unknown MajorFunction: INVALID_DEVICE_REQUEST with or without a
    handle (checked before the handle), echoed MajorFunction; its data is
    read and discarded; the connection and handle stay as they were."""
    rid = "RIO-MJ-005" if opened else "RIO-ERR-014"
    c = dev.open() if opened else dev.connect()
    if opened:
        c.write("RIO-TST-018", b"keep")
    for major in unknown_majors():
        c.call(rid, major, status=S.STATUS_INVALID_DEVICE_REQUEST)
        c.call("RIO-MJ-006", major, data=c.prepare(S.MJ_CLOSE)[0], output_length=8,
               status=S.STATUS_INVALID_DEVICE_REQUEST)
    if not opened:
        c.create("RIO-MJ-007")
    st = c.status("RIO-MJ-007")
    check(st["loaded_bytes"] == (4 if opened else 0), "RIO-MJ-007", "handle unchanged", "GET_STATUS %s" % st)


@pytest.mark.req("RIO-SES-003", "RIO-SES-004")
def test_second_create_on_one_connection(dev):
    c = dev.open()
    c.write("RIO-TST-018", b"kept")
    c.create("RIO-SES-003", status=S.STATUS_INVALID_DEVICE_STATE)
    st = c.status("RIO-SES-004")
    check(st["loaded_bytes"] == 4, "RIO-SES-004", "the handle stays open with its contents (4 bytes)",
          "LoadedBytes %d" % st["loaded_bytes"])


@pytest.mark.req("RIO-SES-007", "RIO-SES-008", "RIO-SES-009", "RIO-SES-020")
def test_exclusive_access(dev):
    """While A holds the device, B's CREATE gets SHARING_VIOLATION and B is
    closed; A keeps working, its state untouched."""
    a = dev.open("A")
    a.write("RIO-TST-018", b"mine")
    b = dev.connect("B")
    b.create("RIO-SES-007", status=S.STATUS_SHARING_VIOLATION)
    b.ends("RIO-SES-008")
    st = a.status("RIO-SES-009")
    check(st["loaded_bytes"] == 4, "RIO-SES-009", "A's contents untouched (4 bytes)",
          "LoadedBytes %d" % st["loaded_bytes"])
    a.close_handle()


@pytest.mark.req("RIO-SES-006")
def test_connection_without_create_holds_nothing(dev):
    idle = dev.connect("connected, never CREATEs")
    idle.call("RIO-SES-001", S.MJ_READ, output_length=4, status=S.STATUS_INVALID_HANDLE)
    c = dev.connect("CREATEs while the other is connected")
    c.create("RIO-SES-006")
    c.close_handle()
    idle.close()


@pytest.mark.req("RIO-ADR-004")
def test_each_port_is_a_separate_device(dev):
    other = dev.neighbour()
    a = dev.open("toaster 1")
    b = dev.connect("toaster 2", port=other)
    b.create("RIO-ADR-004")
    info = b.info("RIO-ADR-003")
    check(info["serial"] == 2, "RIO-ADR-003", "SerialNumber 2 on BasePort + 2", "SerialNumber %d" % info["serial"])
    a.close_handle()


@pytest.mark.req("RIO-ADR-002")
def test_base_port_serves_no_toaster(dev):
    """Serial numbers start at 1: BasePort itself is not a per-device port."""
    dev.neighbour()
    try:
        c = dev.connect("BasePort", port=dev.endpoint.base_port)
    except Violation:
        return
    c.send(S.MJ_CREATE)
    out = c.conn.recv_pdu(dev.reply_timeout)
    if out.kind == "PDU" and out.pdu.status == S.STATUS_SUCCESS:
        raise Violation("RIO-ADR-002", "no toaster on BasePort %d" % dev.endpoint.base_port,
                        "CREATE succeeded there")


@pytest.mark.req("RIO-SES-010", "RIO-SES-011", "RIO-SES-012", "RIO-FRM-002")
def test_pipelined_requests_answered_in_order(dev):
    """A client that pipelines still gets every answer, once, in FIFO
    order, each as if sent alone."""
    c = dev.connect()
    parts = [c.prepare(S.MJ_CREATE), c.prepare(S.MJ_WRITE, data=b"one"),
             c.prepare(S.MJ_DEVICE_CONTROL, S.IOCTL_TOASTER_GET_STATUS, S.TOASTER_STATUS_SIZE),
             c.prepare(S.MJ_WRITE, data=b"two"), c.prepare(S.MJ_DEVICE_CONTROL, S.IOCTL_TOASTER_EJECT),
             c.prepare(S.MJ_READ, output_length=6), c.prepare(S.MJ_READ, output_length=6)]
    c.pending.extend(sent for _, sent in parts)
    c.send_raw(b"".join(raw for raw, _ in parts))
    c.reply("RIO-SES-010")
    c.reply("RIO-SES-010")
    c.reply("RIO-SES-010", data_len=S.TOASTER_STATUS_SIZE)
    c.reply("RIO-SES-010")
    c.reply("RIO-SES-010")
    c.reply("RIO-SES-010", data=b"onetwo")
    c.reply("RIO-SES-010", data=b"")
    c.close_handle()


@pytest.mark.req("RIO-MJ-002", "RIO-SES-013")
def test_close_answers_then_closes(dev):
    c = dev.open()
    c.call("RIO-MJ-002", S.MJ_CLOSE)
    c.ends("RIO-SES-013")


@pytest.mark.req("RIO-SES-015")
def test_close_releases_the_device_at_once(dev):
    """Once CLOSE is answered the device is free: a new CREATE succeeds
    straight away (no grace period)."""
    a = dev.open("A")
    a.call("RIO-MJ-002", S.MJ_CLOSE)
    b = dev.connect("B, right after A's CLOSE answer")
    b.create("RIO-SES-015")
    a.close()


@pytest.mark.req("RIO-SES-014")
def test_requests_after_close_are_not_answered(dev):
    """Bytes pipelined after a CLOSE are discarded: only the CLOSE is
    answered, then the connection ends."""
    c = dev.open()
    (close, sent), (status, _) = c.prepare(S.MJ_CLOSE), c.prepare(
        S.MJ_DEVICE_CONTROL, S.IOCTL_TOASTER_GET_STATUS, S.TOASTER_STATUS_SIZE)
    c.send_raw(close + status, expect=sent)
    c.reply("RIO-MJ-002")
    out = c.conn.recv_pdu(dev.reply_timeout)
    if out.kind == "PDU":
        raise Violation("RIO-SES-014", "nothing after the CLOSE answer", "an answer: %s" % out.pdu.describe())
    if out.kind not in ("CLOSED", "RESET"):
        raise Violation("RIO-SES-013", "connection closed after the CLOSE answer", out.kind)


def _dirty(c):
    """Leave state behind: darkness 9, bread loaded, toast ready."""
    c.ioctl("RIO-TST-041", S.IOCTL_TOASTER_SET_DARKNESS, darkness(9))
    c.write("RIO-TST-018", b"old toast")
    c.ioctl("RIO-TST-039", S.IOCTL_TOASTER_EJECT)
    c.write("RIO-TST-018", b"old bread")


def check_fresh(c, rid):
    st = c.status(rid)
    fresh = dict(st, state=S.TOASTER_STATE_EMPTY, darkness=S.TOASTER_DARKNESS_DEFAULT,
                 loaded_bytes=0, ready_bytes=0, toast_count=0, error_count=0)
    check(st == fresh, rid, "a fresh handle: %s" % fresh, "GET_STATUS %s" % st, also=("RIO-SES-022",))
    c.read(rid, 64, data=b"")


@pytest.mark.req("RIO-SES-022")
def test_initial_state(dev):
    check_fresh(dev.open(), "RIO-SES-022")


@pytest.mark.req("RIO-SES-023")
def test_new_handle_starts_fresh_after_close(dev):
    a = dev.open("A")
    _dirty(a)
    a.close_handle()
    check_fresh(dev.open("B"), "RIO-SES-023")


@pytest.mark.req("RIO-SES-016", "RIO-SES-024")
def test_disconnect_without_close_is_cleanup(dev):
    """A client that drops the connection without CLOSE releases the device
    and its state (the next CREATE may wait for the server to notice)."""
    a = dev.open("A, drops without CLOSE")
    _dirty(a)
    a.close()
    check_fresh(dev.open("B", rid="RIO-SES-016"), "RIO-SES-024")


@pytest.mark.req("RIO-SES-025")
def test_release_cancels_a_cycle_and_its_pending_read(dev):
    a = dev.open("A, drops with a READ pending")
    start_cycle(a, S.TOASTER_DARKNESS_MAX, b"burnt")
    a.send(S.MJ_READ, output_length=16)
    a.close()
    b = dev.open("B", rid="RIO-SES-016")
    st = b.status("RIO-SES-025")
    check(st["state"] == S.TOASTER_STATE_EMPTY and st["toast_count"] == 0, "RIO-SES-025",
          "cycle cancelled, nothing left (EMPTY, ToastCount 0)", "GET_STATUS %s" % st, also=("RIO-SES-022",))


@pytest.mark.req("RIO-SES-018")
def test_incomplete_pdu_at_disconnect_is_discarded(dev):
    c = dev.open()
    raw, _ = c.prepare(S.MJ_WRITE, data=b"never finished")
    c.send_raw(raw[:-4])
    c.conn.sock.shutdown(socket.SHUT_WR)
    c.expect("RIO-SES-018", End())
    dev.assert_alive()


@pytest.mark.req("RIO-SES-019")
def test_half_close_still_answers(dev):
    """Requests complete before the client's FIN are answered, then close."""
    c = dev.connect()
    parts = [c.prepare(S.MJ_CREATE), c.prepare(S.MJ_DEVICE_CONTROL, S.IOCTL_TOASTER_GET_STATUS,
                                                S.TOASTER_STATUS_SIZE)]
    c.pending.extend(sent for _, sent in parts)
    c.send_raw(b"".join(raw for raw, _ in parts))
    c.conn.sock.shutdown(socket.SHUT_WR)
    c.reply("RIO-SES-019")
    c.reply("RIO-SES-019", data_len=S.TOASTER_STATUS_SIZE)
    c.ends("RIO-SES-019")


@pytest.mark.req("RIO-MJ-004")
def test_cleanup_keeps_the_handle(dev):
    c = dev.open()
    c.write("RIO-TST-018", b"stays")
    c.call("RIO-MJ-004", S.MJ_CLEANUP)
    st = c.status("RIO-MJ-004")
    check(st["loaded_bytes"] == 5, "RIO-MJ-004", "handle and contents unchanged (5 bytes)",
          "LoadedBytes %d" % st["loaded_bytes"])


@pytest.mark.req("RIO-MJ-008", "RIO-MJ-009", "RIO-FRM-005")
def test_requests_ignore_data_and_output_length(dev):
    """CREATE, CLOSE, CLEANUP and READ ignore request data (read and
    discarded: here each carries a whole valid-looking request); CREATE,
    CLOSE, CLEANUP and WRITE ignore OutputLength."""
    c = dev.connect()
    decoy = c.prepare(S.MJ_CLOSE, seq=0xBAD)[0]
    c.call("RIO-MJ-008", S.MJ_CREATE, data=decoy, output_length=99)
    c.call("RIO-MJ-009", S.MJ_WRITE, data=b"in", output_length=99)
    c.call("RIO-MJ-008", S.MJ_CLEANUP, data=decoy, output_length=99)
    c.ioctl("RIO-TST-039", S.IOCTL_TOASTER_EJECT)
    c.send(S.MJ_READ, output_length=99, data=decoy)
    c.reply("RIO-MJ-008", data=b"in")
    c.call("RIO-MJ-008", S.MJ_CLOSE, data=decoy, output_length=99)
    c.ends("RIO-SES-013")

