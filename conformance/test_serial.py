"""The serial-port profile (docs/PROTOCOL.md, RIO-SER): line settings, DTR
and the modem lines, the receive queue and READ's timeouts, events and
WAIT_ON_MASK, PURGE, GET_COMMSTATUS, and the simulated Hayes modem's
dialogue, its +++ escape and its hang-ups.

These cases run against a target that serves the serial profile
(--rio-device serial, or detected), and in the embedded run against a
fresh riotoasterd serving a modem.  Where the spec allows several
behaviours (a MUST naming them all, the preferred one a SHOULD), the case
accepts each and checks the SHOULD without stopping (a warning).

Timing: the escape's guard time (1 s) is waited out with READs whose
total timeout the server itself runs; a READ timeout is judged
generously (port.TIMING_FLOOR); nothing sleeps.
"""
from time import monotonic as _now

import pytest

from pyrio.daemon import Toasterd
from pyrio.riodefs import DEFS

from .rioconf import devices
from .rioconf import port as P
from .rioconf import target as tgt
from .rioconf.context import Context
from .rioconf.helpers import bread
from .rioconf.port import OK, ERROR, NO_CARRIER, IDENTITY, Port, connect, events_text, u32
from .rioconf.verdict import PDU, Reply, Silence, check

S = DEFS
BAD_PARAM, TOO_SMALL = S.STATUS_INVALID_PARAMETER, S.STATUS_BUFFER_TOO_SMALL
RXCHAR, RLSD = S.SERIAL_EV_RXCHAR, S.SERIAL_EV_RLSD
PEND_WINDOW = 0.25   # s a request must stay unanswered to count as pending (never stretched)


def opened(modem, label=None, rid=None):
    return Port(modem.open(label) if rid is None else modem.open(label, rid=rid))


def ready(modem):
    """A port with DTR set (the modem ready), its receive queue empty."""
    p = opened(modem)
    p.dtr("RIO-SER-014", True)
    return p


def dial(p, number=b"5551234", baud=S.SERIAL_BAUD_DEFAULT):
    """ATD: the echo, CONNECT <baud>; the modem is online."""
    p.say("RIO-SER-032", b"ATD" + number + b"\r", connect(baud))


def is_initial(p, rid, also=()):
    """Every part of the port's initial state (RIO-SER-008), as seen from
    the wire; a difference breaks rid (and also)."""
    def same(what, got, want):
        check(got == want, rid, "%s %s (the initial state)" % (what, want), "%s %s" % (what, got), also=also)
    same("BaudRate", p.baud(rid), S.SERIAL_BAUD_DEFAULT)
    same("line control", p.line_control(rid).hex(), P.INITIAL_LINE_CONTROL.hex())
    same("timeouts", p.get_timeouts(rid), P.AT_ONCE)
    same("modem status", P.msr_text(p.modem_status(rid)), P.msr_text(0))
    same("wait mask", p.mask(rid), 0)
    st = p.comm_status(rid)
    same("Errors", st["errors"], 0)
    same("AmountInInQueue", st["in_queue"], 0)
    p.ioctl(rid, S.IOCTL_SERIAL_WAIT_ON_MASK, output_length=4, status=BAD_PARAM)   # mask 0: nothing collected
    p.dtr(rid, True)
    p.say(rid, b"AT\r")                     # command mode, echo on, no call (ATO: ERROR)
    p.say(rid, b"ATO\r", ERROR)


# ---- initial state, line settings ------------------------------------------

@pytest.mark.req("RIO-SER-008", "RIO-SER-016", "RIO-SER-053", "RIO-SER-060")
def test_initial_state(modem):
    p = opened(modem)
    p.take("RIO-SER-053", b"")                                   # at once, nothing queued
    is_initial(p, "RIO-SER-008")


@pytest.mark.req("RIO-SER-009", "RIO-SER-002")
def test_baud_rates_round_trip(modem):
    p = opened(modem)
    for rate in sorted(S.tables["SERIAL_BAUD"]):
        p.set_baud("RIO-SER-009", rate)
        got = p.baud("RIO-SER-009")
        check(got == rate, "RIO-SER-009", "BaudRate %d" % rate, "BaudRate %d" % got)


@pytest.mark.req("RIO-SER-010")
def test_baud_rate_refused(modem):
    """A rate outside the list: INVALID_PARAMETER, the rate unchanged."""
    p = opened(modem)
    p.set_baud("RIO-SER-009", S.SERIAL_BAUD_19200)
    for bad in (0, 110, 14400, S.SERIAL_BAUD_9600 + 1, 230400, 0xFFFFFFFF):
        p.set_baud("RIO-SER-010", bad, status=BAD_PARAM)
    got = p.baud("RIO-SER-010")
    check(got == S.SERIAL_BAUD_19200, "RIO-SER-010", "BaudRate 19200 (unchanged)", "BaudRate %d" % got)


@pytest.mark.req("RIO-SER-011", "RIO-SER-002")
def test_line_control_round_trip(modem):
    p = opened(modem)
    for stop in S.tables["SERIAL_STOP_BITS"]:
        for parity in S.tables["SERIAL_PARITY"]:
            for word in range(S.SERIAL_WORD_LENGTH_MIN, S.SERIAL_WORD_LENGTH_MAX + 1):
                lc = P.line_control(stop, parity, word)
                p.set_line_control("RIO-SER-011", lc)
                got = p.line_control("RIO-SER-011")
                check(got == lc, "RIO-SER-011", "line control %s" % lc.hex(), "line control %s" % got.hex())


@pytest.mark.req("RIO-SER-012")
def test_line_control_refused(modem):
    p = opened(modem)
    good = P.line_control(S.SERIAL_STOP_BITS_2, S.SERIAL_PARITY_EVEN, 7)
    p.set_line_control("RIO-SER-011", good)
    for bad in (P.line_control(S.SERIAL_STOP_BITS_2 + 1, 0, 8), P.line_control(0, S.SERIAL_PARITY_SPACE + 1, 8),
                P.line_control(0, 0, S.SERIAL_WORD_LENGTH_MIN - 1), P.line_control(0, 0, S.SERIAL_WORD_LENGTH_MAX + 1),
                P.line_control(0xFF, 0xFF, 0xFF), P.line_control(0, 0, 0)):
        p.set_line_control("RIO-SER-012", bad, status=BAD_PARAM)
    got = p.line_control("RIO-SER-012")
    check(got == good, "RIO-SER-012", "line control %s (unchanged)" % good.hex(), "line control %s" % got.hex())


@pytest.mark.req("RIO-SER-013", "RIO-SER-002")
def test_timeouts_round_trip(modem):
    p = opened(modem)
    for values in ((1, 2, 3, 4, 5), P.ALL_ZERO, (P.MAXDWORD,) * 5, (0x12345678, 0, P.MAXDWORD, 7, 0x80000000),
                   P.AT_ONCE):
        p.set_timeouts("RIO-SER-013", values)
        got = p.get_timeouts("RIO-SER-013")
        check(got == values, "RIO-SER-013", "timeouts %s" % (values,), "timeouts %s" % (got,))


# The settable values and how to read them back: (SET code, GET code, a
# value other than the initial one, its size).
_SETTINGS = [
    (S.IOCTL_SERIAL_SET_BAUD_RATE, S.IOCTL_SERIAL_GET_BAUD_RATE, u32(S.SERIAL_BAUD_57600)),
    (S.IOCTL_SERIAL_SET_LINE_CONTROL, S.IOCTL_SERIAL_GET_LINE_CONTROL, P.line_control(2, 1, 6)),
    (S.IOCTL_SERIAL_SET_TIMEOUTS, S.IOCTL_SERIAL_GET_TIMEOUTS, P.TIMEOUTS.pack(9, 8, 7, 6, 5)),
    (S.IOCTL_SERIAL_SET_WAIT_MASK, S.IOCTL_SERIAL_GET_WAIT_MASK, u32(RXCHAR | RLSD)),
]


@pytest.mark.req("RIO-SER-003")
def test_wrong_input_size_changes_nothing(modem):
    """Each setter with input of another size (0, one byte less, one more,
    twice): INVALID_PARAMETER, and the setting keeps its value; PURGE
    likewise purges nothing."""
    p = opened(modem)
    for set_code, get_code, value in _SETTINGS:
        p.ioctl("RIO-SER-003", set_code, value)
        for bad in (b"", value[:-1], value + b"\0", value * 2):
            p.ioctl("RIO-SER-003", set_code, bad, status=BAD_PARAM)
        got = p.get("RIO-SER-003", get_code, len(value))
        check(got == value, "RIO-SER-003", "%s still %s" % (S.tables["IOCTL"][get_code], value.hex()),
              "%s" % got.hex())
    p.dtr("RIO-SER-014", True)
    p.write(b"AT")                                        # two echoed bytes in the queue
    rx = u32(S.SERIAL_PURGE_RXCLEAR)
    for bad in (b"", rx[:3], rx + b"\0"):
        p.ioctl("RIO-SER-003", S.IOCTL_SERIAL_PURGE, bad, status=BAD_PARAM)
    p.queued("RIO-SER-003", 2)


@pytest.mark.req("RIO-SER-004", "RIO-SER-005")
def test_ioctls_without_input_given_input(modem):
    """An IOCTL that takes no input, sent input bytes: answered as if it
    had none, or INVALID_PARAMETER (SHOULD: as if it had none)."""
    p = opened(modem)
    for code, size in ((S.IOCTL_SERIAL_GET_BAUD_RATE, 4), (S.IOCTL_SERIAL_GET_LINE_CONTROL, 3),
                       (S.IOCTL_SERIAL_GET_TIMEOUTS, 20), (S.IOCTL_SERIAL_GET_MODEMSTATUS, 4),
                       (S.IOCTL_SERIAL_GET_WAIT_MASK, 4), (S.IOCTL_SERIAL_GET_COMMSTATUS, 20),
                       (S.IOCTL_SERIAL_SET_DTR, 0), (S.IOCTL_SERIAL_CLR_DTR, 0)):
        p.c.send(S.MJ_DEVICE_CONTROL, code, size, b"junk")
        h = p.c.expect("RIO-SER-004", Reply(S.STATUS_SUCCESS, data_len=size), Reply(BAD_PARAM)).pdu
        p.ctx.should(h.status == S.STATUS_SUCCESS, "RIO-SER-005", "%s ignores its input bytes"
                     % S.tables["IOCTL"][code], "STATUS_INVALID_PARAMETER")


@pytest.mark.req("RIO-SER-006")
def test_ioctls_without_output_return_no_data(modem):
    p = opened(modem)
    big = S.DATA_MAX
    for code, data in ((S.IOCTL_SERIAL_SET_BAUD_RATE, u32(S.SERIAL_BAUD_9600)),
                       (S.IOCTL_SERIAL_SET_LINE_CONTROL, P.INITIAL_LINE_CONTROL),
                       (S.IOCTL_SERIAL_SET_TIMEOUTS, P.TIMEOUTS.pack(*P.AT_ONCE)), (S.IOCTL_SERIAL_SET_DTR, b""),
                       (S.IOCTL_SERIAL_CLR_DTR, b""), (S.IOCTL_SERIAL_SET_WAIT_MASK, u32(RXCHAR)),
                       (S.IOCTL_SERIAL_PURGE, u32(S.SERIAL_PURGE_ALL))):
        p.ioctl("RIO-SER-006", code, data, output_length=big, data_len=0, info=0)


# ---- DTR, WRITE ---------------------------------------------------------------

@pytest.mark.req("RIO-SER-014", "RIO-SER-022", "RIO-SER-016")
def test_dtr_drives_dsr_and_cts(modem):
    """DTR clear: WRITE refused, its bytes never reach the modem (the
    refused "AT" does not begin the next line); SET_DTR raises DSR and
    CTS, CLR_DTR drops them."""
    p = opened(modem)
    p.c.write("RIO-SER-022", b"AT", status=S.STATUS_INVALID_DEVICE_STATE)
    p.dtr("RIO-SER-014", True)
    p.lines_are("RIO-SER-014", P.DTR_LINES)
    p.queued("RIO-SER-022", 0)
    p.say("RIO-SER-022", b"I\r", ERROR)          # "I" alone: had "AT" reached the modem, ATI would answer
    p.dtr("RIO-SER-014", False)
    p.lines_are("RIO-SER-014", 0)


# ---- the modem in command mode ----------------------------------------------

@pytest.mark.req("RIO-SER-023", "RIO-SER-024", "RIO-SER-027", "RIO-SER-028", "RIO-SER-031", "RIO-SER-025",
                 "RIO-SER-026")
def test_command_lines(modem):
    """AT, a line over several WRITEs, ATI, and an LF inside a line."""
    p = ready(modem)
    p.say("RIO-SER-028", b"AT\r")
    for piece in (b"A", b"T", b"I"):
        p.write(piece)
        p.take("RIO-SER-023", piece)                    # echoed as it comes
    p.say("RIO-SER-024", b"\r", IDENTITY + OK)
    p.write(b"A\nT\r")
    got = p.take("RIO-SER-025", b"A\nT\r" + OK, b"AT\r" + OK)   # LF ignored; echoed or not
    p.ctx.should(got == b"A\nT\r" + OK, "RIO-SER-026", "the LF echoed like any byte", "%r" % got)


@pytest.mark.req("RIO-SER-030", "RIO-SER-023")
def test_echo_off_and_on(modem):
    p = ready(modem)
    p.say("RIO-SER-030", b"ATE0\r")                          # echoed: echo was on
    p.say("RIO-SER-030", b"AT\r", echo=False)
    p.say("RIO-SER-030", b"ATI\r", IDENTITY + OK, echo=False)
    p.say("RIO-SER-030", b"ATE1\r", echo=False)              # not echoed: echo was off
    p.say("RIO-SER-030", b"AT\r")


@pytest.mark.req("RIO-SER-035")
@pytest.mark.parametrize("line", [b"ATX", b"ATE2", b"ATE", b"ATD", b"ATD12a4", b"ATDT555", b"ATI0", b"ATE0E1",
                                  b"ATHZ", b"HELLO", b"A", b"+++"], ids=lambda b: b.decode())
def test_other_lines_are_errors(modem, line):
    p = ready(modem)
    p.say("RIO-SER-035", line + b"\r", ERROR)
    p.say("RIO-SER-035", b"AT\r")          # the next line is read afresh


@pytest.mark.req("RIO-SER-036", "RIO-SER-037", "RIO-SER-038", "RIO-SER-039")
def test_lower_case_and_empty_lines(modem):
    p = ready(modem)
    for line, answer in ((b"at\r", OK), (b"aTi\r", IDENTITY + OK)):
        p.write(line)
        got = p.take("RIO-SER-036", line + answer, line + ERROR)
        p.ctx.should(got == line + answer, "RIO-SER-037", "%r accepted" % line, "ERROR")
    p.write(b"\r")
    got = p.take("RIO-SER-038", b"\r", b"\r" + ERROR)
    p.ctx.should(got == b"\r", "RIO-SER-039", "no answer to an empty line", "ERROR")


@pytest.mark.req("RIO-SER-042", "RIO-SER-043", "RIO-SER-018")
def test_long_lines(modem):
    """255 bytes before the CR are interpreted in full (ATD and 252
    digits connects); a longer line SHOULD be ERROR."""
    p = ready(modem)
    line = b"ATD" + bytes(b"0123456789"[i % 10] for i in range(S.MODEM_LINE_MAX - 3))
    p.say("RIO-SER-042", line + b"\r", connect(S.SERIAL_BAUD_DEFAULT))
    p.dtr("RIO-SER-017", False)
    p.take("RIO-SER-018", NO_CARRIER)
    p.dtr("RIO-SER-014", True)
    long_line = b"AT" + b"E" * S.MODEM_LINE_MAX + b"\r"
    p.write(long_line)
    got = p.take("RIO-SER-043", long_line + ERROR, long_line + OK, long_line)
    p.ctx.should(got == long_line + ERROR, "RIO-SER-043", "ERROR for a line over %d bytes" % S.MODEM_LINE_MAX,
                 "%r" % got[len(long_line):])
    p.say("RIO-SER-042", b"AT\r")


@pytest.mark.req("RIO-SER-029")
def test_atz_resets_the_modem_only(modem):
    """ATZ: echo on, command mode, OK; the port's settings, DTR, wait
    mask and receive queue stay."""
    p = ready(modem)
    p.set_baud("RIO-SER-009", S.SERIAL_BAUD_2400)
    lc = P.line_control(1, 2, 7)
    p.set_line_control("RIO-SER-011", lc)
    p.set_mask("RIO-SER-059", RLSD)
    p.write(b"ATE0\r")                                   # echoed, answered: left in the queue
    p.write(b"AT")                                       # not echoed
    p.write(b"Z\r")
    p.take("RIO-SER-029", b"ATE0\r" + OK + OK)           # the queue kept, ATZ not echoed, then its OK
    p.say("RIO-SER-029", b"AT\r")                        # echo back on
    check(p.baud("RIO-SER-029") == S.SERIAL_BAUD_2400, "RIO-SER-029", "BaudRate 2400 kept", "changed")
    check(p.line_control("RIO-SER-029") == lc, "RIO-SER-029", "line control %s kept" % lc.hex(), "changed")
    check(p.mask("RIO-SER-029") == RLSD, "RIO-SER-029", "wait mask kept", "changed")
    p.lines_are("RIO-SER-029", P.DTR_LINES)


# ---- a call ------------------------------------------------------------------------

@pytest.mark.req("RIO-SER-032", "RIO-SER-044", "RIO-SER-015", "RIO-SER-061", "RIO-SER-063", "RIO-SER-017",
                 "RIO-SER-018", "RIO-SER-033", "RIO-SER-034", "RIO-SER-062")
def test_dial_talk_and_hang_up(modem):
    """ATD connects at the port's rate; bytes after its CR are data;
    online, everything is echoed by the remote end and nothing is a
    command; CLR_DTR hangs up with NO CARRIER; events along the way."""
    p = opened(modem)
    p.set_baud("RIO-SER-009", S.SERIAL_BAUD_19200)
    p.set_mask("RIO-SER-059", RXCHAR | RLSD | S.SERIAL_EV_DSR | S.SERIAL_EV_CTS)
    p.dtr("RIO-SER-014", True)
    p.wait("RIO-SER-061", P.DTR_EVENTS)
    p.dtr("RIO-SER-061", True)                          # DTR already set: no change, no event
    p.write(b"ATD5551234\rabc")
    p.take("RIO-SER-032", b"ATD5551234\r" + connect(S.SERIAL_BAUD_19200) + b"abc")
    p.lines_are("RIO-SER-015", P.DTR_LINES | S.SERIAL_MSR_DCD)
    p.wait("RIO-SER-061", RXCHAR | RLSD)
    p.say("RIO-SER-044", b"ATH\r+x\n", b"")             # data: echoed by the remote end, no answer
    p.lines_are("RIO-SER-063", P.DTR_LINES | S.SERIAL_MSR_DCD)
    p.wait("RIO-SER-063", RXCHAR)                       # data raises no RLSD
    p.dtr("RIO-SER-017", False)
    p.lines_are("RIO-SER-017", 0)
    p.take("RIO-SER-018", NO_CARRIER)
    p.wait("RIO-SER-061", RXCHAR | RLSD | P.DTR_EVENTS)
    p.dtr("RIO-SER-014", True)
    p.wait("RIO-SER-061", P.DTR_EVENTS)
    p.say("RIO-SER-018", b"AT\r")                       # command mode after the hang-up
    p.say("RIO-SER-033", b"ATH\r")                      # no call: still OK
    p.say("RIO-SER-034", b"ATO\r", ERROR)               # no call to go back to
    p.lines_are("RIO-SER-015", P.DTR_LINES)


# ---- the receive queue, PURGE, GET_COMMSTATUS ------------------------------------

def _no_cr(n, seed):
    """n bytes that are neither CR nor LF (the modem keeps them as a line)."""
    return bytes(b if b not in (0x0A, 0x0D) else 0x41 for b in bread(n, seed))


@pytest.mark.req("RIO-SER-050", "RIO-SER-021", "RIO-SER-071", "RIO-SER-052")
def test_queue_overrun(modem):
    """An echo beyond the 4,096-byte queue: every byte of the WRITE
    accepted, the newest dropped, QUEUEOVERRUN reported."""
    p = ready(modem)
    data = _no_cr(P.QUEUE + 1000, 21)
    p.write(data, rid="RIO-SER-021")
    st = p.comm_status("RIO-SER-050")
    check(st == {"errors": S.SERIAL_ERROR_QUEUEOVERRUN, "in_queue": P.QUEUE}, "RIO-SER-050",
          "Errors QUEUEOVERRUN, AmountInInQueue %d" % P.QUEUE, "%s" % st)
    p.take("RIO-SER-050", data[:P.QUEUE], n=P.QUEUE + 10)   # the oldest bytes, in order
    p.take("RIO-SER-052", b"")


@pytest.mark.req("RIO-SER-051")
def test_queue_overrun_reported_once(modem):
    """QUEUEOVERRUN stays until a GET_COMMSTATUS reports it (one answered
    BUFFER_TOO_SMALL does not), then it is cleared."""
    p = ready(modem)
    p.write(_no_cr(P.QUEUE + 1, 25))
    p.ioctl("RIO-SER-051", S.IOCTL_SERIAL_GET_COMMSTATUS, output_length=S.SERIAL_STATUS_SIZE - 1, status=TOO_SMALL)
    p.write(b"AT\r")                                     # more dropped: nothing changes
    for want in (S.SERIAL_ERROR_QUEUEOVERRUN, 0):
        st = p.comm_status("RIO-SER-051")
        check(st["errors"] == want, "RIO-SER-051", "Errors 0x%X" % want, "Errors 0x%X" % st["errors"])


@pytest.mark.req("RIO-SER-066", "RIO-SER-061")
def test_dropped_bytes_raise_no_rxchar(modem):
    """RXCHAR for bytes kept; none for bytes dropped with the queue full
    (the WAIT_ON_MASK after them pends until the connection ends)."""
    p = ready(modem)
    p.set_mask("RIO-SER-059", RXCHAR)
    p.write(_no_cr(P.QUEUE, 22))
    p.wait("RIO-SER-061", RXCHAR)
    p.write(b"dropped")
    p.c.send(S.MJ_DEVICE_CONTROL, S.IOCTL_SERIAL_WAIT_ON_MASK, S.SERIAL_U32_SIZE)
    out = p.c.expect("RIO-SER-066", Silence(), Reply(S.STATUS_SUCCESS, data_len=4), timeout=PEND_WINDOW)
    if out.kind == PDU:            # RXCHAR for the dropped bytes, or a WAIT that did not pend
        ev = int.from_bytes(out.pdu.data, "little")
        check(False, "RIO-SER-066" if ev & RXCHAR else "RIO-SER-062",
              "no event: WAIT_ON_MASK pending (the bytes were dropped)", "answered: events %s" % events_text(ev))


@pytest.mark.req("RIO-SER-069", "RIO-SER-070")
def test_purge(modem):
    """PURGE with no bit or an undefined one: INVALID_PARAMETER, nothing
    purged; TX bits and RXABORT change nothing; RXCLEAR empties the queue;
    the call, the mode and a pending error stay."""
    p = ready(modem)
    dial(p)
    p.write(_no_cr(P.QUEUE + 10, 23))                       # the remote end's echo overruns the queue
    for bad in (0, 0x10, S.SERIAL_PURGE_ALL + 1, 0x80000000 | S.SERIAL_PURGE_RXCLEAR):
        p.purge("RIO-SER-069", bad, status=BAD_PARAM)
    p.purge("RIO-SER-070", S.SERIAL_PURGE_TXABORT | S.SERIAL_PURGE_RXABORT | S.SERIAL_PURGE_TXCLEAR)
    st = p.comm_status("RIO-SER-069")
    check(st["in_queue"] == P.QUEUE, "RIO-SER-069", "the queue full (nothing purged)", "%s" % st,
          also=("RIO-SER-070",))
    check(st["errors"] == S.SERIAL_ERROR_QUEUEOVERRUN, "RIO-SER-050", "QUEUEOVERRUN reported", "%s" % st)
    p.write(b"more")                                         # dropped: QUEUEOVERRUN again
    p.purge("RIO-SER-070", S.SERIAL_PURGE_RXCLEAR)
    st = p.comm_status("RIO-SER-070")
    check(st == {"errors": S.SERIAL_ERROR_QUEUEOVERRUN, "in_queue": 0}, "RIO-SER-070",
          "an empty queue, QUEUEOVERRUN still to report", "%s" % st)
    p.lines_are("RIO-SER-070", P.DTR_LINES | S.SERIAL_MSR_DCD)
    p.say("RIO-SER-070", b"AT\r", b"")                     # still online: the remote end echoes, no OK
    p.purge("RIO-SER-070", S.SERIAL_PURGE_ALL)
    p.take("RIO-SER-070", b"")


# ---- READ ------------------------------------------------------------------------------

@pytest.mark.req("RIO-SER-052", "RIO-SER-053")
def test_read_at_once(modem):
    """The initial timeouts: a READ takes up to OutputLength queued bytes,
    first in first out, at once; with none queued, 0 bytes at once; an
    OutputLength of 0 is answered at once whatever the timeouts."""
    p = ready(modem)
    p.write(b"AT\r")
    reply = b"AT\r" + OK
    p.c.read("RIO-SER-052", 4, data=reply[:4])
    p.c.read("RIO-SER-052", 1, data=reply[4:5])
    p.c.read("RIO-SER-052", 100, data=reply[5:])
    p.c.read("RIO-SER-053", 100, data=b"")
    p.set_timeouts("RIO-SER-013", P.ALL_ZERO)
    p.c.read("RIO-SER-053", 0, data=b"")


@pytest.mark.req("RIO-SER-054", "RIO-SER-055")
def test_read_total_timeout(modem):
    """Multiplier x OutputLength + constant, from the READ's start: 0
    bytes after it when nothing arrives."""
    p = ready(modem)
    p.set_timeouts("RIO-SER-013", (0, 20, 200, 0, 0))
    p.timed_read("RIO-SER-054", 10, 0.4, b"")


@pytest.mark.req("RIO-SER-055", "RIO-SER-054")
def test_read_interval_from_the_start_with_queued_bytes(modem):
    """A READ that took queued bytes and waits for more: the interval
    timeout runs from its start; it answers with what it has."""
    p = ready(modem)
    p.write(b"AT\r")
    p.set_timeouts("RIO-SER-013", (300, 0, 0, 0, 0))
    p.timed_read("RIO-SER-055", 100, 0.3, b"AT\r" + OK, earliest=0.3)


@pytest.mark.req("RIO-SER-055")
def test_read_interval_waits_for_a_first_byte(modem):
    """With nothing queued the interval timer does not run: only the total
    timeout ends the READ (at 0.5 s, not the interval's 0.08 s)."""
    p = ready(modem)
    p.set_timeouts("RIO-SER-013", (80, 0, 500, 0, 0))
    p.timed_read("RIO-SER-055", 10, 0.5, b"", earliest=0.08)


@pytest.mark.req("RIO-DEV-008", "RIO-SER-054")
def test_a_pending_read_holds_the_next_request(modem):
    """A READ waiting for its timeout and a GET_BAUD_RATE sent behind it:
    the READ is answered first, when its timeout ends, then the GET."""
    p = ready(modem)
    p.set_timeouts("RIO-SER-013", (0, 0, 400, 0, 0))
    p.c.send(S.MJ_READ, output_length=10)
    p.c.send(S.MJ_DEVICE_CONTROL, S.IOCTL_SERIAL_GET_BAUD_RATE, 4)
    p.c.expect("RIO-SER-054", Silence(), timeout=PEND_WINDOW)
    p.c.reply("RIO-DEV-008", data=b"", timeout=0.4 + p.ctx.options.reply_timeout)
    p.c.reply("RIO-DEV-008", data=u32(S.SERIAL_BAUD_DEFAULT))


@pytest.mark.req("RIO-SER-056", "RIO-DEV-009", "RIO-DEV-007", "RIO-SER-008")
def test_read_all_zero_pends_and_a_disconnect_resets(modem):
    """All read timeouts 0: a READ of more than is queued pends (the
    queued bytes do not end it); the connection ends while it pends: it is
    abandoned and the next handle finds the initial state."""
    p = ready(modem)
    p.set_baud("RIO-SER-009", S.SERIAL_BAUD_38400)
    p.write(b"AT\r")
    p.set_timeouts("RIO-SER-013", P.ALL_ZERO)
    p.c.read("RIO-SER-056", 3, data=b"AT\r")           # as many as asked for: at once
    p.c.send(S.MJ_READ, output_length=len(OK) + 1)
    p.c.expect("RIO-SER-056", Silence(), timeout=PEND_WINDOW)
    p.c.close()
    is_initial(opened(modem, "next handle", rid="RIO-DEV-009"), "RIO-DEV-009", also=("RIO-DEV-007", "RIO-SER-008"))


@pytest.mark.req("RIO-SER-058")
def test_read_maxdword_interval_and_multiplier(modem):
    """MAXDWORD interval and multiplier with a constant, bytes queued: by
    the brief's arithmetic the READ waits for all its bytes (an interval
    of MAXDWORD ms, a total of MAXDWORD x 100 + 300 ms), not the Windows
    driver's answer at once with what is there."""
    p = ready(modem)
    p.write(b"AT\r")
    p.set_timeouts("RIO-SER-013", (P.MAXDWORD, P.MAXDWORD, 300, 0, 0))
    p.c.send(S.MJ_READ, output_length=100)
    p.c.expect("RIO-SER-058", Silence(), timeout=2 * PEND_WINDOW)      # past the 300 ms constant too


# ---- events ----------------------------------------------------------------------------

@pytest.mark.req("RIO-SER-059")
def test_wait_mask(modem):
    p = opened(modem)
    for mask in (S.SERIAL_EV_ALL, RXCHAR, RLSD | S.SERIAL_EV_RING, 0):
        p.set_mask("RIO-SER-059", mask)
        check(p.mask("RIO-SER-059") == mask, "RIO-SER-059", "wait mask 0x%X" % mask, "another")
    p.set_mask("RIO-SER-059", RLSD)
    for bad in (S.SERIAL_EV_ALL + 1, 0x200 | RXCHAR, 0x80000000, 0xFFFFFFFF):
        p.set_mask("RIO-SER-059", bad, status=BAD_PARAM)
    got = p.mask("RIO-SER-059")
    check(got == RLSD, "RIO-SER-059", "wait mask RLSD (unchanged)", "wait mask 0x%X" % got)


@pytest.mark.req("RIO-SER-060", "RIO-DEV-004")
def test_wait_on_mask_checks(modem):
    """OutputLength below 4: BUFFER_TOO_SMALL, checked before the state
    (the mask 0); then, with mask 0, INVALID_PARAMETER."""
    p = opened(modem)
    for out in (0, 3):
        p.ioctl("RIO-DEV-004", S.IOCTL_SERIAL_WAIT_ON_MASK, output_length=out, status=TOO_SMALL)
    p.ioctl("RIO-SER-060", S.IOCTL_SERIAL_WAIT_ON_MASK, output_length=4, status=BAD_PARAM)
    p.set_mask("RIO-SER-059", RXCHAR)
    p.ioctl("RIO-SER-060", S.IOCTL_SERIAL_WAIT_ON_MASK, output_length=3, status=TOO_SMALL)


@pytest.mark.req("RIO-SER-061", "RIO-SER-062", "RIO-SER-068", "RIO-DEV-009")
def test_events_collected_from_set_wait_mask(modem):
    """Only events in the mask, only since SET_WAIT_MASK or the last
    answer; a WAIT_ON_MASK with nothing collected pends (abandoned by the
    disconnect)."""
    p = opened(modem)
    p.set_mask("RIO-SER-059", S.SERIAL_EV_ALL & ~RXCHAR)
    p.dtr("RIO-SER-014", True)
    p.write(b"AT\r")                                     # RXCHAR: not in the mask
    p.wait("RIO-SER-061", P.DTR_EVENTS)                  # nothing else occurs (RIO-SER-068)
    p.set_mask("RIO-SER-059", S.SERIAL_EV_ALL)
    p.write(b"AT\r")
    p.wait("RIO-SER-061", RXCHAR)
    p.write(b"AT\r")
    p.set_mask("RIO-SER-062", S.SERIAL_EV_ALL)           # a new, empty collection
    p.c.send(S.MJ_DEVICE_CONTROL, S.IOCTL_SERIAL_WAIT_ON_MASK, S.SERIAL_U32_SIZE)
    p.c.expect("RIO-SER-062", Silence(), timeout=PEND_WINDOW)
    p.c.close()
    is_initial(opened(modem, "next handle", rid="RIO-DEV-009"), "RIO-DEV-009")


# ---- CLOSE and disconnect --------------------------------------------------------------

@pytest.mark.req("RIO-DEV-007", "RIO-SER-008")
@pytest.mark.parametrize("how", ["close", "disconnect"])
def test_release_resets_the_port(modem, how):
    """Everything changed, a call up, then CLOSE or a disconnect: the next
    handle finds the initial state."""
    p = ready(modem)
    p.set_baud("RIO-SER-009", S.SERIAL_BAUD_115200)
    p.set_line_control("RIO-SER-011", P.line_control(2, 4, 5))
    p.set_mask("RIO-SER-059", S.SERIAL_EV_ALL)
    p.say("RIO-SER-030", b"ATE0\r")
    p.write(b"ATD1\r", rid="RIO-SER-021")                 # online, CONNECT queued
    p.write(_no_cr(P.QUEUE, 24))                         # and an overrun pending
    p.set_timeouts("RIO-SER-013", (1, 2, 3, 4, 5))
    if how == "close":
        p.c.close_handle()
    else:
        p.c.close()
    is_initial(opened(modem, "next handle", rid="RIO-DEV-007"), "RIO-DEV-007", also=("RIO-SER-008",))


# ---- the +++ escape --------------------------------------------------------------------

def plus_plus_plus(p, pieces=(b"+++",)):
    """Write the escape's pluses (after a guard time the case waited out);
    drain their echo, if any (either is allowed, echoed preferred); return
    when they were sent (for timing the escape)."""
    t0 = _now()
    for piece in pieces:
        p.write(piece)
    echo = p.take("RIO-SER-047", b"+++", b"")
    p.ctx.should(echo == b"+++", "RIO-SER-048", "the +++ echoed by the remote end like any data", "%r" % echo)
    return t0


def until_escape(p, t_plus, pend_rid, send, rid, want):
    """Send a request that the escape's OK completes (a WAIT_ON_MASK, or a
    READ with every timeout 0): it must stay pending until then (pend_rid)
    and then bring `want` (rid).  The time from sending the +++ to the
    answer, measured here, is more than the server's silence after the
    last +: an answer sooner than the guard time is early — the escape's
    (RIO-SER-045) if it brings the OK's effect, else the request's, which
    did not pend."""
    send()
    left = P.GUARD - (_now() - t_plus) - 0.1
    if left > 0.05:
        p.c.expect(pend_rid, Silence(), timeout=min(PEND_WINDOW, left))
    else:
        p.c.note("no pending window left before the escape's guard time ends: not watched")
    h = p.c.expect(pend_rid, Reply(S.STATUS_SUCCESS), timeout=P.GUARD + p.ctx.options.reply_timeout).pdu
    took = _now() - t_plus
    check(took >= 0.9 * P.GUARD, "RIO-SER-045" if h.data == want else pend_rid,
          "an answer once the escape completed, %g s after the +++" % P.GUARD,
          "%r %.3f s after the +++ was sent" % (h.data, took))
    check(h.data == want, rid, "%r" % want, "%r" % h.data)
    return h


@pytest.mark.req("RIO-SER-045", "RIO-SER-046", "RIO-SER-047", "RIO-SER-048", "RIO-SER-062", "RIO-DEV-008",
                 "RIO-SER-015", "RIO-SER-040", "RIO-SER-041", "RIO-SER-034", "RIO-SER-044", "RIO-SER-056",
                 "RIO-SER-057", "RIO-SER-033", "RIO-SER-063")
def test_escape_and_back_online(modem):
    """+++ without silence before is data; with silence before and after,
    the modem answers OK in command mode with the call up (a pending
    WAIT_ON_MASK completed by its RXCHAR); ATD with the call up; ATO back
    online; a byte right after +++ cancels it; a second escape, its +
    in three WRITEs, completing a READ that waits for all its bytes (the
    rest queued); ATH ends the call (RLSD); ATO without a call: ERROR."""
    p = ready(modem)
    dial(p)
    p.write(b"+++")
    p.guard_wait("RIO-SER-045", b"+++")                   # no silence before: echoed data, no OK
    t = plus_plus_plus(p)
    p.set_mask("RIO-SER-059", RXCHAR)                     # a new collection: the echo's RXCHAR forgotten
    until_escape(p, t, "RIO-SER-062",
                 lambda: p.c.send(S.MJ_DEVICE_CONTROL, S.IOCTL_SERIAL_WAIT_ON_MASK, S.SERIAL_U32_SIZE),
                 "RIO-SER-062", u32(RXCHAR))
    p.take("RIO-SER-045", OK)
    p.lines_are("RIO-SER-015", P.DTR_LINES | S.SERIAL_MSR_DCD)   # the call stays
    p.say("RIO-SER-045", b"AT\r")                          # command mode
    p.write(b"ATD9\r")
    got = p.take("RIO-SER-040", b"ATD9\r" + ERROR, b"ATD9\r" + connect(S.SERIAL_BAUD_DEFAULT))
    p.ctx.should(got.endswith(ERROR), "RIO-SER-041", "ERROR for ATD with a call up", "CONNECT")
    if got.endswith(ERROR):
        p.say("RIO-SER-034", b"ATO\r", connect(S.SERIAL_BAUD_DEFAULT))
    p.say("RIO-SER-044", b"AT\r", b"")                     # online: the remote end echoes, no OK
    p.guard_wait("RIO-SER-044")
    p.write(b"+++")
    p.write(b"x")                                          # within the guard time after: cancelled
    p.guard_wait("RIO-SER-046", b"+++x")                   # no OK once the guard time has passed: online
    t = plus_plus_plus(p, (b"+", b"+", b"+"))              # that wait was this escape's silence before
    p.set_timeouts("RIO-SER-013", P.ALL_ZERO)
    until_escape(p, t, "RIO-SER-056", lambda: p.c.send(S.MJ_READ, output_length=len(OK) - 2),
                 "RIO-SER-057", OK[:-2])
    p.queued("RIO-SER-057", 2)                             # the rest went to the queue
    p.set_timeouts("RIO-SER-013", P.AT_ONCE)
    p.take("RIO-SER-057", OK[-2:])
    p.set_mask("RIO-SER-059", RLSD)
    p.say("RIO-SER-033", b"ATH\r")
    p.lines_are("RIO-SER-033", P.DTR_LINES)
    p.wait("RIO-SER-063", RLSD)
    p.say("RIO-SER-034", b"ATO\r", ERROR)


def _escaped(modem, mask):
    """A port with a call up, back in command mode by +++ (its OK read),
    collecting `mask` events from here."""
    p = ready(modem)
    dial(p)
    p.guard_wait("RIO-SER-044")
    t = plus_plus_plus(p)
    p.set_timeouts("RIO-SER-013", P.ALL_ZERO)
    until_escape(p, t, "RIO-SER-056", lambda: p.c.send(S.MJ_READ, output_length=len(OK)), "RIO-SER-045", OK)
    p.set_timeouts("RIO-SER-013", P.AT_ONCE)
    p.lines_are("RIO-SER-015", P.DTR_LINES | S.SERIAL_MSR_DCD)
    p.set_mask("RIO-SER-059", mask)
    return p


@pytest.mark.req("RIO-SER-019", "RIO-SER-020", "RIO-SER-017", "RIO-SER-063")
def test_clr_dtr_in_command_mode(modem):
    """CLR_DTR with the call up in command mode: the call ends (RLSD),
    with no answer (preferred) or NO CARRIER."""
    p = _escaped(modem, RLSD)
    p.dtr("RIO-SER-017", False)
    p.lines_are("RIO-SER-017", 0)
    got = p.take("RIO-SER-019", b"", NO_CARRIER)
    p.ctx.should(got == b"", "RIO-SER-020", "no answer (the client hung up itself)", "NO CARRIER")
    p.wait("RIO-SER-063", RLSD)
    p.dtr("RIO-SER-014", True)
    p.say("RIO-SER-019", b"AT\r")


@pytest.mark.req("RIO-SER-029", "RIO-SER-064", "RIO-SER-065")
def test_atz_ends_a_call(modem):
    """ATZ in command mode with the call up: the call ends; RLSD raised
    (preferred) or not."""
    p = _escaped(modem, RLSD | RXCHAR)
    p.say("RIO-SER-029", b"ATZ\r")
    p.lines_are("RIO-SER-029", P.DTR_LINES)
    ev = p.wait("RIO-SER-064")                              # RXCHAR at least: the echo and OK
    check(ev in (RXCHAR, RXCHAR | RLSD), "RIO-SER-064", "RXCHAR, with or without RLSD", events_text(ev))
    p.ctx.should(ev & RLSD, "RIO-SER-065", "RLSD (the carrier changed)", events_text(ev))
    p.say("RIO-SER-029", b"ATO\r", ERROR)                  # no call left


@pytest.mark.req("RIO-SER-057", "RIO-SER-066", "RIO-SER-067")
def test_bytes_straight_to_a_pending_read(modem):
    """The escape's OK arrives while a READ waits for exactly its bytes:
    they go to the READ, none to the queue; they raise RXCHAR (preferred)
    or not (then the WAIT_ON_MASK after them pends: the case's last step)."""
    p = ready(modem)
    dial(p)
    p.guard_wait("RIO-SER-044")
    t = plus_plus_plus(p)
    p.set_mask("RIO-SER-059", RXCHAR)
    p.set_timeouts("RIO-SER-013", P.ALL_ZERO)
    until_escape(p, t, "RIO-SER-056", lambda: p.c.send(S.MJ_READ, output_length=len(OK)), "RIO-SER-057", OK)
    p.queued("RIO-SER-057", 0)
    p.c.send(S.MJ_DEVICE_CONTROL, S.IOCTL_SERIAL_WAIT_ON_MASK, S.SERIAL_U32_SIZE)
    out = p.c.expect("RIO-SER-066", Reply(S.STATUS_SUCCESS, data=u32(RXCHAR)), Silence(), timeout=PEND_WINDOW)
    p.ctx.should(out.kind == PDU, "RIO-SER-067", "RXCHAR for the bytes given to the READ", "no event collected")


# ---- a farm of modems --------------------------------------------------------------------

@pytest.fixture
def modem_farm(request, rio_options):
    """A fresh embedded riotoasterd fronting two modems on one farm port
    (a farm under test is told with --rio-farm; the suite's farm cases
    drive toasters, so a farm of modems is checked embedded only)."""
    if not rio_options.embedded:
        pytest.skip("a farm of modems is checked against the embedded riotoasterd only")
    build = request.getfixturevalue("rio_build")
    why = tgt.embedded_kind(rio_options, devices.SERIAL, build)
    if why is not True:
        pytest.skip(why or "the embedded run starts no modem (--rio-device)")
    d = Toasterd(build, farm=True, toasters=0, modems=2, args=tgt.embedded_args(rio_options, ())).start()
    request.addfinalizer(lambda: tgt.stop_embedded(d))
    ep = tgt.Endpoint(d.host, d.farm_port, size=2, profile=devices.by_name(devices.SERIAL))
    ctx = Context(ep, rio_options, request.getfixturevalue("rio_record"), request.node._rio_soft)
    request.addfinalizer(ctx.close_all)
    return ctx


@pytest.mark.req("RIO-DEV-002", "RIO-DEV-007")
def test_a_farm_of_modems(modem_farm):
    """Farm mode with modems: each CREATE gets a free one, the third is
    refused with DEVICE_BUSY and closed, a released modem comes back reset."""
    a, b = Port(modem_farm.open("A")), Port(modem_farm.open("B"))
    a.set_baud("RIO-SER-009", S.SERIAL_BAUD_19200)
    check(b.baud("RIO-DEV-002") == S.SERIAL_BAUD_DEFAULT, "RIO-DEV-002", "B holds another modem (9600)",
          "B's modem has A's rate")
    c = modem_farm.connect("C")
    c.create("RIO-DEV-002", status=S.STATUS_DEVICE_BUSY)
    c.ends("RIO-DEV-002")
    a.c.close_handle()
    d = Port(modem_farm.open("D", rid="RIO-DEV-002"))
    got = d.baud("RIO-DEV-007")
    check(got == S.SERIAL_BAUD_DEFAULT, "RIO-DEV-007", "a released modem reset: 9600", "BaudRate %d" % got)
    b.dtr("RIO-SER-014", True)
    b.say("RIO-DEV-002", b"AT\r")
