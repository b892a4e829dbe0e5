"""A correct serial port with a simulated Hayes modem in Python
(docs/PROTOCOL.md sections 12-13, the brief's section 7), for the crafted
modem captures (captures/tools): their answers are this model's.

Where the spec lets a server choose, it chooses what riotoasterd chooses
(every SHOULD of RIO-SER followed), so that the captures test suite can
replay each crafted conversation against the real riotoasterd and get the
same bytes back.  It is written from the spec, not translated from C.

Time is the caller's: set `now` (ms, any origin, never going back) before
each request.  A request that pends (a READ per its timeouts, WAIT_ON_MASK
with nothing collected) is run forward on that clock to the event or
timeout that completes it — the +++ escape's guard time is the only thing
on the simulated line that happens by itself — and `done_at` tells when
the answer leaves.  A request that nothing would ever complete raises
NeverAnswered: a crafted conversation must not hang a real server.

The session rules (framing, CREATE/CLOSE, handles) are the toaster
model's (toastermodel.Toaster): only READ, WRITE and DEVICE_CONTROL on an
open handle come here.
"""
import struct

from .riodefs import DEFS
from .toastermodel import Toaster

D = DEFS
CR, LF = 0x0D, 0x0A
NEVER = float("inf")
U32 = struct.Struct("<I")
ESCAPE = bytes([D.MODEM_ESCAPE_CHAR]) * D.MODEM_ESCAPE_COUNT
# A READ's total timeout that, on an empty queue, outlasts the +++ guard
# time: the client's way to be quiet before an escape with the server
# doing the waiting.
QUIET_READ_MS = D.MODEM_GUARD_MS + 100

# The fixed output size of each serial IOCTL that has one.
OUTPUT_SIZE = {D.IOCTL_SERIAL_GET_BAUD_RATE: D.SERIAL_U32_SIZE, D.IOCTL_SERIAL_GET_MODEMSTATUS: D.SERIAL_U32_SIZE,
               D.IOCTL_SERIAL_GET_WAIT_MASK: D.SERIAL_U32_SIZE, D.IOCTL_SERIAL_WAIT_ON_MASK: D.SERIAL_U32_SIZE,
               D.IOCTL_SERIAL_GET_LINE_CONTROL: D.SERIAL_LINE_CONTROL_SIZE,
               D.IOCTL_SERIAL_GET_TIMEOUTS: D.SERIAL_TIMEOUTS_SIZE,
               D.IOCTL_SERIAL_GET_COMMSTATUS: D.SERIAL_STATUS_SIZE}
TIMEOUT_NAMES = ("interval", "multiplier", "constant", "write_multiplier", "write_constant")


class NeverAnswered(Exception):
    """A request would pend with nothing on the line to complete it."""


def framed(text):
    """A modem answer as it goes on the line."""
    return b"\r\n" + text.encode() + b"\r\n"


def timeouts_input(interval=D.SERIAL_TIMEOUT_MAXDWORD, multiplier=0, constant=0, write_multiplier=0,
                   write_constant=0):
    """SERIAL_TIMEOUTS (SET_TIMEOUTS input); defaults: a READ answers at once."""
    return struct.pack("<5I", interval, multiplier, constant, write_multiplier, write_constant)


def line_control_input(stop_bits, parity, word_length):
    return bytes([stop_bits, parity, word_length])


def u32_input(value):
    return U32.pack(value)


class Hayes:
    """The modem behind the port.  Command mode: bytes are echoed (ATE1)
    before they are looked at, CR ends a line, LF is ignored.  Online: the
    remote end echoes every byte; +++ with a guard time of silence before
    and after goes back to command mode, the call kept."""

    def __init__(self, emit):
        self.emit = emit               # bytes towards the computer
        self.reset()

    def reset(self):
        self.defaults()
        self.heard = False             # a byte was written since the reset
        self.last_byte = 0

    def defaults(self):
        """The modem side of the initial state (ATZ too)."""
        self.echo, self.online, self.carrier = True, False, False
        self.line, self.overflow = bytearray(), False
        self.pluses, self.escape_at = 0, NEVER

    def answer(self, text):
        self.emit(framed(text))

    def execute(self, baud):
        """One command line; returns whether the carrier changed."""
        line, overflow = bytes(self.line).upper(), self.overflow
        self.line, self.overflow = bytearray(), False
        if not line and not overflow:
            return False                                     # empty line: no answer
        if overflow or not line.startswith(b"AT"):
            self.answer(D.MODEM_ERROR)
            return False
        cmd = line[2:]
        changed = False
        if cmd == b"":
            self.answer(D.MODEM_OK)
        elif cmd == b"Z":
            changed = self.carrier
            self.defaults()
            self.answer(D.MODEM_OK)
        elif cmd in (b"E0", b"E1"):
            self.echo = cmd == b"E1"
            self.answer(D.MODEM_OK)
        elif cmd == b"I":
            self.answer(D.MODEM_ID)
            self.answer(D.MODEM_OK)
        elif cmd[:1] == b"D" and cmd[1:].isdigit() and not self.carrier:
            self.carrier = self.online = changed = True
            self.pluses = 0
            self.answer("%s %d" % (D.MODEM_CONNECT, baud))
        elif cmd == b"H":
            changed, self.carrier = self.carrier, False
            self.answer(D.MODEM_OK)
        elif cmd == b"O" and self.carrier:
            self.online, self.pluses = True, 0
            self.answer("%s %d" % (D.MODEM_CONNECT, baud))
        else:
            self.answer(D.MODEM_ERROR)
        return changed

    def write(self, data, baud, now):
        """Bytes from the computer at `now`; returns whether the carrier changed."""
        self.poll(now)
        changed = False
        i = 0
        while i < len(data):
            if self.online:
                self.online_bytes(data[i:], now)
                break
            start = i
            while i < len(data) and not self.online:
                b = data[i]
                i += 1
                if b == CR:
                    if self.echo:
                        self.emit(data[start:i])     # the CR's echo before the answer
                    start = i
                    changed |= self.execute(baud)
                elif b != LF:
                    if len(self.line) < D.MODEM_LINE_MAX:
                        self.line.append(b)
                    else:
                        self.overflow = True
            if self.echo:
                self.emit(data[start:i])
            self.heard, self.last_byte = True, now
        return changed

    def online_bytes(self, data, now):
        for b in data:
            quiet = not self.heard or now - self.last_byte >= D.MODEM_GUARD_MS
            if b != D.MODEM_ESCAPE_CHAR:
                self.pluses = 0
            elif quiet:
                self.pluses = 1
            elif 0 < self.pluses < D.MODEM_ESCAPE_COUNT:
                self.pluses += 1
            else:
                self.pluses = 0
            if self.pluses == D.MODEM_ESCAPE_COUNT:
                self.escape_at = now + D.MODEM_GUARD_MS
            self.heard, self.last_byte = True, now
        self.emit(data)                           # the remote end echoes, +++ too

    def escaping(self):
        return self.online and self.pluses == D.MODEM_ESCAPE_COUNT

    def deadline(self):
        return self.escape_at if self.escaping() else NEVER

    def poll(self, now):
        if self.escaping() and now >= self.escape_at:
            self.pluses, self.online = 0, False   # the call stays up
            self.answer(D.MODEM_OK)

    def drop_dtr(self):
        """DTR dropped: returns whether a call was hung up."""
        self.pluses = 0
        if not self.carrier:
            return False
        self.carrier = False
        if self.online:
            self.online = False
            self.answer(D.MODEM_NO_CARRIER)
        return True


class ModemPort(Toaster):
    """The serial port, its receive queue, events and READ timeouts, with
    the Hayes modem behind it."""

    def __init__(self, serial):
        self.now = self.done_at = 0
        self.modem = Hayes(self.receive)
        super().__init__(serial)

    def reset(self):
        self.modem.reset()
        self.clock = self.now
        self.baud = D.SERIAL_BAUD_DEFAULT
        self.line_control = line_control_input(D.SERIAL_STOP_BITS_1, D.SERIAL_PARITY_NONE,
                                               D.SERIAL_WORD_LENGTH_DEFAULT)
        self.timeouts = dict.fromkeys(TIMEOUT_NAMES, 0)
        self.timeouts["interval"] = D.SERIAL_TIMEOUT_MAXDWORD
        self.dtr = False
        self.mask = self.events = self.errors = 0
        self.rxq = bytearray()
        self.pending = None       # "read" or "wait"
        self.reply = None         # the pending request's answer once it completed

    # ---- the session: only the device's requests are ours ------------------

    def handle(self, h, data):
        if not self.open or h.major not in (D.MJ_READ, D.MJ_WRITE, D.MJ_DEVICE_CONTROL):
            self.done_at = self.now
            return super().handle(h, data)
        self.advance(self.now)
        if h.major == D.MJ_READ:
            reply = self.read(h.output_length)
        elif h.major == D.MJ_WRITE:
            reply = self.write(data)
        else:
            reply = self.ioctl(h.ioctl, data, h.output_length)
        if reply is None:
            reply = self.run_pending()
        self.done_at = self.clock
        return reply

    def run_pending(self):
        """Time passes until the pending request completes."""
        while self.reply is None:
            t = min(self.modem.deadline(), self.read_deadline())
            if t == NEVER:
                raise NeverAnswered("%s pends and nothing on the line completes it" % self.pending)
            self.advance(t)
        reply, self.reply, self.pending = self.reply, None, None
        return reply

    def advance(self, now):
        """Every deadline up to `now` at its own time, in order, the line's
        first when they are equal."""
        now = max(now, self.clock)
        while True:
            tl, tr = self.modem.deadline(), self.read_deadline()
            t = min(tl, tr)
            if t > now:
                break
            self.clock = max(self.clock, t)
            if tl <= tr:
                self.modem.poll(self.clock)
            else:
                self.complete_read()
        self.clock = now
        self.modem.poll(now)

    # ---- events ----------------------------------------------------------------

    def raise_events(self, ev):
        self.events |= ev & self.mask
        if self.pending == "wait" and self.reply is None and self.events:
            self.reply = ok(U32.pack(self.events))
            self.events = 0

    def lines_changed(self, dsr_cts=False, carrier=False):
        self.raise_events((D.SERIAL_EV_DSR | D.SERIAL_EV_CTS if dsr_cts else 0) |
                          (D.SERIAL_EV_RLSD if carrier else 0))

    # ---- receive queue and READ ---------------------------------------------------

    def receive(self, data):
        """Bytes from the modem: to a pending READ, else the queue; what
        does not fit is dropped (QUEUEOVERRUN).  RXCHAR for every byte kept."""
        kept = 0
        if self.pending == "read" and self.reply is None and data:
            n = min(self.read_want - len(self.read_buf), len(data))
            self.read_buf += data[:n]
            self.read_heard, self.read_last = True, self.clock
            data, kept = data[n:], n
            if len(self.read_buf) == self.read_want:
                self.complete_read()
        room = D.SERIAL_QUEUE_SIZE - len(self.rxq)
        queued = min(room, len(data))
        self.rxq += data[:queued]
        if queued < len(data):
            self.errors |= D.SERIAL_ERROR_QUEUEOVERRUN
        if kept + queued:
            self.raise_events(D.SERIAL_EV_RXCHAR)

    def read(self, want):
        take = bytes(self.rxq[:want])
        del self.rxq[:want]
        t = self.timeouts
        at_once = t["interval"] == D.SERIAL_TIMEOUT_MAXDWORD and not t["multiplier"] and not t["constant"]
        if len(take) == want or at_once:
            return ok(take)
        total = t["multiplier"] * want + t["constant"]
        self.pending, self.read_want, self.read_buf = "read", want, bytearray(take)
        self.read_total = self.clock + total if total else NEVER
        self.read_heard, self.read_last = bool(take), self.clock
        return None

    def read_deadline(self):
        """The total timeout runs from the READ's start, the interval
        timeout from each byte it got (from its start if it took queued
        bytes)."""
        if self.pending != "read" or self.reply is not None:
            return NEVER
        t = self.read_total
        if self.read_heard and self.timeouts["interval"]:
            t = min(t, self.read_last + self.timeouts["interval"])
        return t

    def complete_read(self):
        self.reply = ok(bytes(self.read_buf))

    def queued(self):
        """Bytes in the receive queue now (for a conversation that wants to
        read exactly what is there)."""
        return bytes(self.rxq)

    # ---- WRITE ---------------------------------------------------------------------------

    def write(self, data):
        if not self.dtr:
            return D.STATUS_INVALID_DEVICE_STATE, 0, b""
        if self.modem.write(data, self.baud, self.clock):
            self.lines_changed(carrier=True)
        return D.STATUS_SUCCESS, len(data), b""

    # ---- DEVICE_CONTROL -------------------------------------------------------------------

    def ioctl(self, code, data, out_len):
        if out_len < OUTPUT_SIZE.get(code, 0):
            return D.STATUS_BUFFER_TOO_SMALL, 0, b""
        bad = (D.STATUS_INVALID_PARAMETER, 0, b"")
        done = (D.STATUS_SUCCESS, 0, b"")
        if code == D.IOCTL_SERIAL_SET_BAUD_RATE:
            if len(data) != D.SERIAL_U32_SIZE or U32.unpack(data)[0] not in D.tables["SERIAL_BAUD"]:
                return bad
            self.baud = U32.unpack(data)[0]
            return done
        if code == D.IOCTL_SERIAL_GET_BAUD_RATE:
            return ok(U32.pack(self.baud))
        if code == D.IOCTL_SERIAL_SET_LINE_CONTROL:
            if len(data) != D.SERIAL_LINE_CONTROL_SIZE:
                return bad
            stop = data[D.SERIAL_LINE_CONTROL_OFF_STOP_BITS]
            parity = data[D.SERIAL_LINE_CONTROL_OFF_PARITY]
            word = data[D.SERIAL_LINE_CONTROL_OFF_WORD_LENGTH]
            if stop > D.SERIAL_STOP_BITS_2 or parity > D.SERIAL_PARITY_SPACE or \
                    not D.SERIAL_WORD_LENGTH_MIN <= word <= D.SERIAL_WORD_LENGTH_MAX:
                return bad
            self.line_control = bytes(data)
            return done
        if code == D.IOCTL_SERIAL_GET_LINE_CONTROL:
            return ok(self.line_control)
        if code == D.IOCTL_SERIAL_SET_TIMEOUTS:
            if len(data) != D.SERIAL_TIMEOUTS_SIZE:
                return bad
            self.timeouts = dict(zip(TIMEOUT_NAMES, struct.unpack("<5I", data)))
            return done
        if code == D.IOCTL_SERIAL_GET_TIMEOUTS:
            return ok(struct.pack("<5I", *(self.timeouts[k] for k in TIMEOUT_NAMES)))
        if code in (D.IOCTL_SERIAL_SET_DTR, D.IOCTL_SERIAL_CLR_DTR):
            self.set_dtr(code == D.IOCTL_SERIAL_SET_DTR)
            return done
        if code == D.IOCTL_SERIAL_GET_MODEMSTATUS:
            msr = (D.SERIAL_MSR_CTS | D.SERIAL_MSR_DSR if self.dtr else 0) | \
                (D.SERIAL_MSR_DCD if self.modem.carrier else 0)
            return ok(U32.pack(msr))
        if code == D.IOCTL_SERIAL_SET_WAIT_MASK:
            if len(data) != D.SERIAL_U32_SIZE or U32.unpack(data)[0] & ~D.SERIAL_EV_ALL:
                return bad
            self.mask, self.events = U32.unpack(data)[0], 0      # collected from here on
            return done
        if code == D.IOCTL_SERIAL_GET_WAIT_MASK:
            return ok(U32.pack(self.mask))
        if code == D.IOCTL_SERIAL_WAIT_ON_MASK:
            if not self.mask:
                return bad
            if self.events:
                ev, self.events = self.events, 0
                return ok(U32.pack(ev))
            self.pending = "wait"
            return None
        if code == D.IOCTL_SERIAL_PURGE:
            bits = U32.unpack(data)[0] if len(data) == D.SERIAL_U32_SIZE else 0
            if not bits or bits & ~D.SERIAL_PURGE_ALL:
                return bad
            if bits & D.SERIAL_PURGE_RXCLEAR:
                self.rxq = bytearray()
            return done
        if code == D.IOCTL_SERIAL_GET_COMMSTATUS:
            status = struct.pack("<4I2B2x", self.errors, 0, len(self.rxq), 0, 0, 0)
            self.errors = 0                        # reported once
            return ok(status)
        return D.STATUS_INVALID_DEVICE_REQUEST, 0, b""

    def set_dtr(self, on):
        if self.dtr == on:
            return                                 # no change, no event
        self.dtr = on
        hung_up = not on and self.modem.drop_dtr()
        self.lines_changed(dsr_cts=True, carrier=hung_up)


def ok(data):
    return D.STATUS_SUCCESS, len(data), data
