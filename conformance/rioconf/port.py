"""The serial-port profile's operations, as the cases use them: each sends
one request, waits for its answer and checks what the spec says of it,
naming the requirement a difference breaks.

The modem's bytes (echo, answers, the remote end's data) are produced while
the WRITE is served, so once WRITE is answered they are in the receive
queue and a READ with the initial timeouts (answered at once) gets them:
no waiting.  Only the `+++` escape answers later (after its guard time);
the cases wait for that with a pending request, never a sleep.
"""
import struct
import time

from pyrio.riodefs import DEFS

from .verdict import Reply, check

S = DEFS
SUCCESS = S.STATUS_SUCCESS
U32 = struct.Struct("<I")
TIMEOUTS = struct.Struct("<5I")
STATUS = struct.Struct("<IIIIBB2s")
MAXDWORD = S.SERIAL_TIMEOUT_MAXDWORD
AT_ONCE = (MAXDWORD, 0, 0, 0, 0)      # the initial timeouts: a READ is answered at once
ALL_ZERO = (0, 0, 0, 0, 0)            # a READ pends until OutputLength bytes arrived
GUARD = S.MODEM_GUARD_MS / 1000.0     # s of silence before and after +++
QUEUE = S.SERIAL_QUEUE_SIZE
DTR_EVENTS = S.SERIAL_EV_DSR | S.SERIAL_EV_CTS
DTR_LINES = S.SERIAL_MSR_DSR | S.SERIAL_MSR_CTS

# A timeout is judged generously: it may not end before this fraction of
# its time (the cases set the timers they tell apart at least 2.5 times
# apart), and it must end within the reply timeout after its time.
TIMING_FLOOR = 0.5


def answer(text):
    """A modem answer as it is framed: CR LF, text, CR LF."""
    return b"\r\n" + text.encode() + b"\r\n"


OK, ERROR, NO_CARRIER = answer(S.MODEM_OK), answer(S.MODEM_ERROR), answer(S.MODEM_NO_CARRIER)
IDENTITY = answer(S.MODEM_ID)


def connect(baud):
    return answer("%s %d" % (S.MODEM_CONNECT, baud))


def u32(v):
    return U32.pack(v)


def line_control(stop, parity, word):
    return bytes([stop, parity, word])


INITIAL_LINE_CONTROL = line_control(S.SERIAL_STOP_BITS_1, S.SERIAL_PARITY_NONE, S.SERIAL_WORD_LENGTH_DEFAULT)


def events_text(ev):
    names = [name for bit, name in sorted(S.tables["SERIAL_EV"].items()) if ev & bit]
    return "%s (0x%X)" % ("|".join(names) or "none", ev)


def msr_text(v):
    names = [name for bit, name in sorted(S.tables["SERIAL_MSR"].items()) if v & bit]
    return "%s (0x%02X)" % ("|".join(names) or "none", v)


class Port:
    """A connection holding a serial port (a rioconf.link.Link)."""

    def __init__(self, link):
        self.c = link
        self.timeouts = AT_ONCE

    @property
    def ctx(self):
        return self.c.ctx

    # ---- IOCTLs ----------------------------------------------------------

    def ioctl(self, rid, code, data=b"", output_length=0, status=SUCCESS, **fields):
        return self.c.ioctl(rid, code, data, output_length, status, **fields)

    def get(self, rid, code, size):
        """A GET IOCTL's output: exactly `size` bytes."""
        return self.c.ioctl(rid, code, output_length=size, data_len=size).data

    def get_u32(self, rid, code):
        return U32.unpack(self.get(rid, code, S.SERIAL_U32_SIZE))[0]

    def baud(self, rid):
        return self.get_u32(rid, S.IOCTL_SERIAL_GET_BAUD_RATE)

    def set_baud(self, rid, value, status=SUCCESS):
        self.ioctl(rid, S.IOCTL_SERIAL_SET_BAUD_RATE, u32(value), status=status)

    def line_control(self, rid):
        return self.get(rid, S.IOCTL_SERIAL_GET_LINE_CONTROL, S.SERIAL_LINE_CONTROL_SIZE)

    def set_line_control(self, rid, data, status=SUCCESS):
        self.ioctl(rid, S.IOCTL_SERIAL_SET_LINE_CONTROL, data, status=status)

    def get_timeouts(self, rid):
        return TIMEOUTS.unpack(self.get(rid, S.IOCTL_SERIAL_GET_TIMEOUTS, S.SERIAL_TIMEOUTS_SIZE))

    def set_timeouts(self, rid, values):
        self.ioctl(rid, S.IOCTL_SERIAL_SET_TIMEOUTS, TIMEOUTS.pack(*values))
        self.timeouts = tuple(values)

    def dtr(self, rid, on):
        self.ioctl(rid, S.IOCTL_SERIAL_SET_DTR if on else S.IOCTL_SERIAL_CLR_DTR)

    def modem_status(self, rid):
        """GET_MODEMSTATUS; RI is never set on the simulated modem."""
        v = self.get_u32(rid, S.IOCTL_SERIAL_GET_MODEMSTATUS)
        check(not v & S.SERIAL_MSR_RI, "RIO-SER-016", "no RI (nothing rings)", "modem status %s" % msr_text(v))
        return v

    def lines_are(self, rid, want, also=()):
        got = self.modem_status(rid)
        check(got == want, rid, "modem status %s" % msr_text(want), "modem status %s" % msr_text(got), also=also)

    def set_mask(self, rid, mask, status=SUCCESS):
        self.ioctl(rid, S.IOCTL_SERIAL_SET_WAIT_MASK, u32(mask), status=status)

    def mask(self, rid):
        return self.get_u32(rid, S.IOCTL_SERIAL_GET_WAIT_MASK)

    def wait(self, rid, want=None, timeout=None):
        """WAIT_ON_MASK answered (at once, or within timeout): its events,
        which must be `want` if given."""
        self.c.send(S.MJ_DEVICE_CONTROL, S.IOCTL_SERIAL_WAIT_ON_MASK, S.SERIAL_U32_SIZE)
        h = self.c.reply(rid, data_len=S.SERIAL_U32_SIZE, timeout=timeout)
        ev = U32.unpack(h.data)[0]
        if want is not None:
            check(ev == want, rid, "events %s" % events_text(want), "events %s" % events_text(ev))
        return ev

    def purge(self, rid, bits, status=SUCCESS):
        self.ioctl(rid, S.IOCTL_SERIAL_PURGE, u32(bits), status=status)

    def comm_status(self, rid):
        """GET_COMMSTATUS as a dict; every field but Errors and
        AmountInInQueue is 0 on the simulated port (RIO-SER-071)."""
        data = self.get(rid, S.IOCTL_SERIAL_GET_COMMSTATUS, S.SERIAL_STATUS_SIZE)
        errors, hold, in_q, out_q, eof, wfi, pad = STATUS.unpack(data)
        st = {"errors": errors, "in_queue": in_q}
        check((hold, out_q, eof, wfi, pad) == (0, 0, 0, 0, b"\0\0"), "RIO-SER-071",
              "HoldReasons 0, AmountInOutQueue 0, EofReceived 0, WaitForImmediate 0, padding 0",
              "HoldReasons %d, AmountInOutQueue %d, EofReceived %d, WaitForImmediate %d, padding %s"
              % (hold, out_q, eof, wfi, pad.hex()))
        return st

    def queued(self, rid, want):
        st = self.comm_status(rid)
        check(st["in_queue"] == want, rid, "AmountInInQueue %d" % want, "AmountInInQueue %d" % st["in_queue"])

    # ---- WRITE and READ ----------------------------------------------------

    def write(self, data, rid="RIO-SER-021"):
        """WRITE with DTR set: every byte accepted."""
        return self.c.write(rid, data, info=len(data))

    def take(self, rid, *alternatives, n=S.DATA_MAX):
        """READ answered at once (the timeouts must say so): its bytes must
        be one of the alternatives (any when none given); returns them."""
        assert self.timeouts == AT_ONCE, "take() needs the at-once timeouts"
        self.c.send(S.MJ_READ, output_length=n)
        want = [Reply(SUCCESS, data=a) for a in alternatives] or [Reply(SUCCESS)]
        return self.c.expect(rid, *want).pdu.data

    def say(self, rid, line, reply=OK, echo=True):
        """A command line: its echo (if on), then the modem's reply."""
        self.write(line)
        return self.take(rid, (line if echo else b"") + reply)

    def timed_read(self, rid, n, seconds, *alternatives, earliest=None):
        """A READ that must pend for `seconds` (a timeout the case set) and
        then be answered: (bytes, seconds it took).  An answer before even
        `earliest` (the shortest timer the READ has) did not pend at all
        (RIO-SER-054); one after it but before `seconds` ended on the wrong
        timer (rid)."""
        t0 = time.monotonic()
        self.c.send(S.MJ_READ, output_length=n)
        out = self.c.expect(rid, Reply(SUCCESS), timeout=seconds + self.ctx.options.reply_timeout)
        took = time.monotonic() - t0
        check(took >= TIMING_FLOOR * (earliest or seconds), "RIO-SER-054",
              "the READ pending for its timeout (%.3f s)" % seconds, "answered after %.3f s" % took)
        check(took >= TIMING_FLOOR * seconds, rid, "the READ answered after its timeout of %.3f s" % seconds,
              "answered after %.3f s" % took)
        if alternatives:
            check(out.pdu.data in alternatives, rid, " or ".join(repr(a) for a in alternatives), repr(out.pdu.data))
        return out.pdu.data, took

    def guard_wait(self, rid, *alternatives):
        """Let the escape's guard time pass with nothing written, by the
        server's own clock: READs with a total timeout until, measured here
        (which is less than the server's silence), just over the guard time
        has passed.  What they bring must be one of the alternatives (by
        default nothing: online, nothing arrives unasked)."""
        saved, got, waited = self.timeouts, b"", 0.0
        while waited < GUARD * 1.05:
            left = max(0.05, GUARD * 1.1 - waited)
            self.set_timeouts("RIO-SER-013", (0, 0, int(left * 1000), 0, 0))
            data, took = self.timed_read(rid, S.DATA_MAX, left)     # a READ that does not pend: RIO-SER-054
            got += data
            waited += took
        self.set_timeouts("RIO-SER-013", saved)
        check(got in (alternatives or (b"",)), rid, " or ".join(repr(a) for a in (alternatives or (b"",))),
              "%r while the guard time passed" % got)
        return got
