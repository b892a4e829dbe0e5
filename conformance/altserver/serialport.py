"""altserver's serial port with a simulated Hayes modem (the brief's
section 7, docs/PROTOCOL.md RIO-SER), for the conformance self-tests.

Written from the spec, separately from riotoasterd's serialdev.c and
hayes.c, and deliberately different from them: wherever the spec allows
more than one behaviour it takes the other one (README.md lists each
choice beside its requirement).  Time is the asyncio loop's clock; a
request that pends waits on a future, which the device completes (an
event, a timeout) or the connection abandons (a disconnect).
"""
import asyncio
import struct

from pyrio.riodefs import DEFS

D = DEFS
CR, LF = 0x0D, 0x0A
PLUS = D.MODEM_ESCAPE_CHAR
GUARD = D.MODEM_GUARD_MS / 1000.0
MAXDWORD = D.SERIAL_TIMEOUT_MAXDWORD
BAUDS = set(D.tables["SERIAL_BAUD"])
U32 = struct.Struct("<I")

# The SHOULDs of the serial profile this port deliberately does not
# follow (the spec allows the other behaviour by a MUST naming both).
SHOULDS_NOT_FOLLOWED = {
    "RIO-SER-005": "an IOCTL without input that gets input bytes answers STATUS_INVALID_PARAMETER",
    "RIO-SER-020": "CLR_DTR hanging up a call in command mode answers NO CARRIER",
    "RIO-SER-026": "an LF is not echoed",
    "RIO-SER-037": "commands in lower case are ERROR",
    "RIO-SER-039": "an empty line is answered ERROR",
    "RIO-SER-041": "ATD with a call up goes back online on that call (CONNECT)",
    "RIO-SER-048": "the +++ of an escape are not echoed (held until the guard time decides)",
    "RIO-SER-065": "an ATZ that ends a call raises no RLSD",
    "RIO-SER-067": "bytes that go straight to a pending READ raise no RXCHAR",
}

_SIZES = {D.IOCTL_SERIAL_GET_BAUD_RATE: 4, D.IOCTL_SERIAL_GET_WAIT_MASK: 4, D.IOCTL_SERIAL_GET_MODEMSTATUS: 4,
          D.IOCTL_SERIAL_WAIT_ON_MASK: 4, D.IOCTL_SERIAL_GET_LINE_CONTROL: 3,
          D.IOCTL_SERIAL_GET_TIMEOUTS: 20, D.IOCTL_SERIAL_GET_COMMSTATUS: 20}
_INPUT = {D.IOCTL_SERIAL_SET_BAUD_RATE: 4, D.IOCTL_SERIAL_SET_LINE_CONTROL: 3, D.IOCTL_SERIAL_SET_TIMEOUTS: 20,
          D.IOCTL_SERIAL_SET_WAIT_MASK: 4, D.IOCTL_SERIAL_PURGE: 4}
_NO_INPUT = set(_SIZES) | {D.IOCTL_SERIAL_SET_DTR, D.IOCTL_SERIAL_CLR_DTR}


class SerialPort:
    kind = "serial"

    def __init__(self, serial):
        self.serial = serial
        self.holder = None
        self.timer = self.escape_timer = None
        self.pending = None
        self.reset()

    # ---- state -------------------------------------------------------------

    def reset(self):
        """The initial state (CREATE, CLOSE, disconnect): a pending request
        is abandoned unanswered."""
        for t in (self.timer, self.escape_timer):
            if t is not None:
                t.cancel()
        if self.pending is not None and not self.pending["future"].done():
            self.pending["future"].cancel()
        self.timer = self.escape_timer = self.pending = None
        self.baud, self.line_control = D.SERIAL_BAUD_DEFAULT, bytes([0, 0, D.SERIAL_WORD_LENGTH_DEFAULT])
        self.timeouts = [MAXDWORD, 0, 0, 0, 0]
        self.dtr = False
        self.mask = self.events = self.errors = 0
        self.rxq = bytearray()
        self.echo, self.online, self.carrier = True, False, False
        self.line, self.overflow = bytearray(), False
        self.last_write = None      # loop time of the last byte written, any mode
        self.pluses = b""           # escape characters held back while they may escape

    def now(self):
        return asyncio.get_running_loop().time()

    def modem_status(self):
        return (D.SERIAL_MSR_CTS | D.SERIAL_MSR_DSR if self.dtr else 0) | (D.SERIAL_MSR_DCD if self.carrier else 0)

    # ---- events and received bytes ------------------------------------------

    def raise_events(self, ev):
        self.events |= ev & self.mask
        p = self.pending
        if p and p["kind"] == "wait" and self.events and not p["future"].done():
            ev, self.events = self.events, 0
            p["future"].set_result((D.STATUS_SUCCESS, U32.pack(ev)))

    def receive(self, data):
        """Bytes from the modem: to a pending READ first (no RXCHAR for
        those), then the queue; the newest that do not fit are dropped."""
        p = self.pending
        if data and p and p["kind"] == "read" and not p["future"].done():
            n = min(len(data), p["want"] - len(p["got"]))
            p["got"] += data[:n]
            data = data[n:]
            p["last"] = self.now()
            if len(p["got"]) == p["want"]:
                self.finish_read()
            else:
                self.arm_read()
        room = D.SERIAL_QUEUE_SIZE - len(self.rxq)
        if len(data) > room:
            self.errors |= D.SERIAL_ERROR_QUEUEOVERRUN
        kept = data[:room]
        self.rxq += kept
        if kept:
            self.raise_events(D.SERIAL_EV_RXCHAR)

    def answer(self, text):
        self.receive(b"\r\n" + text.encode() + b"\r\n")

    # ---- READ ----------------------------------------------------------------

    def read(self, want):
        """(status, data) now, or a future of it."""
        take = bytes(self.rxq[:want])
        del self.rxq[:len(take)]
        interval, mult, const = self.timeouts[:3]
        if len(take) == want or (interval == MAXDWORD and mult == 0 and const == 0):
            return D.STATUS_SUCCESS, take
        total = mult * want + const     # may be huge: MAXDWORD is no special case here
        start = self.now()
        self.pending = {"kind": "read", "want": want, "got": bytearray(take), "future": asyncio.Future(),
                        "total": start + total / 1000.0 if total else None,
                        "interval": interval / 1000.0 if interval else None,
                        "last": start if take else None}
        self.arm_read()
        return self.pending["future"]

    def arm_read(self):
        p = self.pending
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        due = [t for t in (p["total"], p["last"] + p["interval"] if p["interval"] and p["last"] is not None
                           else None) if t is not None]
        if due:
            self.timer = asyncio.get_running_loop().call_at(min(due), self.finish_read)

    def finish_read(self):
        p = self.pending
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if p and not p["future"].done():
            p["future"].set_result((D.STATUS_SUCCESS, bytes(p["got"])))

    def done(self):
        """The connection took the pending request's answer."""
        if self.timer is not None:
            self.timer.cancel()
        self.timer = self.pending = None

    # ---- WRITE and the modem ---------------------------------------------------

    def write(self, data):
        if not self.dtr:
            return D.STATUS_INVALID_DEVICE_STATE, 0
        i = 0
        while i < len(data):
            if self.online:
                self.online_byte(data[i])
                i += 1
                continue
            b = data[i]
            i += 1
            self.last_write = self.now()
            if self.echo and b != LF:        # LF is not echoed (a SHOULD not followed)
                self.receive(bytes([b]))
            if b == CR:
                self.execute()
            elif b != LF:
                if len(self.line) < D.MODEM_LINE_MAX:
                    self.line.append(b)
                else:
                    self.overflow = True
        return D.STATUS_SUCCESS, len(data)

    def online_byte(self, b):
        now = self.now()
        quiet = self.last_write is None or now - self.last_write >= GUARD
        self.last_write = now
        if b == PLUS and ((not self.pluses and quiet) or 0 < len(self.pluses) < D.MODEM_ESCAPE_COUNT):
            self.pluses += bytes([b])
            if len(self.pluses) == D.MODEM_ESCAPE_COUNT:
                self.escape_timer = asyncio.get_running_loop().call_later(GUARD, self.escape)
            return
        self.cancel_escape()
        self.receive(bytes([b]))         # the remote end echoes

    def cancel_escape(self):
        """The held `+` were data after all: the remote end echoes them."""
        if self.escape_timer is not None:
            self.escape_timer.cancel()
            self.escape_timer = None
        held, self.pluses = self.pluses, b""
        if held:
            self.receive(held)

    def escape(self):
        self.escape_timer, self.pluses = None, b""
        self.online = False              # the call stays up
        self.answer(D.MODEM_OK)

    def carrier_to(self, up):
        if self.carrier != up:
            self.carrier = up
            self.raise_events(D.SERIAL_EV_RLSD)

    def execute(self):
        line, overflow = bytes(self.line), self.overflow
        self.line, self.overflow = bytearray(), False
        if overflow or not line.startswith(b"AT"):      # upper case only; an empty line too
            return self.answer(D.MODEM_ERROR)
        cmd = line[2:]
        if cmd == b"":
            self.answer(D.MODEM_OK)
        elif cmd == b"Z":
            self.echo, self.online, self.carrier = True, False, False   # no RLSD
            self.answer(D.MODEM_OK)
        elif cmd in (b"E0", b"E1"):
            self.echo = cmd == b"E1"
            self.answer(D.MODEM_OK)
        elif cmd == b"I":
            self.answer(D.MODEM_ID)
            self.answer(D.MODEM_OK)
        elif cmd[:1] == b"D" and len(cmd) > 1 and cmd[1:].isdigit():
            self.carrier_to(True)        # with a call up: online again on it
            self.online = True
            self.answer("%s %d" % (D.MODEM_CONNECT, self.baud))
        elif cmd == b"H":
            self.carrier_to(False)
            self.answer(D.MODEM_OK)
        elif cmd == b"O" and self.carrier:
            self.online = True
            self.answer("%s %d" % (D.MODEM_CONNECT, self.baud))
        else:
            self.answer(D.MODEM_ERROR)

    def set_dtr(self, on):
        if self.dtr == on:
            return
        self.dtr = on
        self.raise_events(D.SERIAL_EV_DSR | D.SERIAL_EV_CTS)
        if not on:
            if self.escape_timer is not None:
                self.escape_timer.cancel()
            self.escape_timer, self.pluses = None, b""
            if self.carrier:
                self.online = False
                self.carrier_to(False)
                self.answer(D.MODEM_NO_CARRIER)    # in command mode too

    # ---- DEVICE_CONTROL ------------------------------------------------------------

    def ioctl(self, code, outlen, data):
        """(status, output) now, or a future of it.  Input is checked
        before anything else; OutputLength before the state."""
        if code in _NO_INPUT and data:
            return D.STATUS_INVALID_PARAMETER, b""      # a SHOULD not followed: input refused
        if code in _INPUT and len(data) != _INPUT[code]:
            return D.STATUS_INVALID_PARAMETER, b""
        if code in _SIZES and outlen < _SIZES[code]:
            return D.STATUS_BUFFER_TOO_SMALL, b""
        value = U32.unpack(data)[0] if len(data) == 4 else None
        if code == D.IOCTL_SERIAL_SET_BAUD_RATE:
            if value not in BAUDS:
                return D.STATUS_INVALID_PARAMETER, b""
            self.baud = value
        elif code == D.IOCTL_SERIAL_GET_BAUD_RATE:
            return D.STATUS_SUCCESS, U32.pack(self.baud)
        elif code == D.IOCTL_SERIAL_SET_LINE_CONTROL:
            stop, parity, word = data
            if stop > D.SERIAL_STOP_BITS_2 or parity > D.SERIAL_PARITY_SPACE or \
                    not D.SERIAL_WORD_LENGTH_MIN <= word <= D.SERIAL_WORD_LENGTH_MAX:
                return D.STATUS_INVALID_PARAMETER, b""
            self.line_control = bytes(data)
        elif code == D.IOCTL_SERIAL_GET_LINE_CONTROL:
            return D.STATUS_SUCCESS, self.line_control
        elif code == D.IOCTL_SERIAL_SET_TIMEOUTS:
            self.timeouts = list(struct.unpack("<5I", data))
        elif code == D.IOCTL_SERIAL_GET_TIMEOUTS:
            return D.STATUS_SUCCESS, struct.pack("<5I", *self.timeouts)
        elif code in (D.IOCTL_SERIAL_SET_DTR, D.IOCTL_SERIAL_CLR_DTR):
            self.set_dtr(code == D.IOCTL_SERIAL_SET_DTR)
        elif code == D.IOCTL_SERIAL_GET_MODEMSTATUS:
            return D.STATUS_SUCCESS, U32.pack(self.modem_status())
        elif code == D.IOCTL_SERIAL_SET_WAIT_MASK:
            if value & ~D.SERIAL_EV_ALL:
                return D.STATUS_INVALID_PARAMETER, b""
            self.mask, self.events = value, 0
        elif code == D.IOCTL_SERIAL_GET_WAIT_MASK:
            return D.STATUS_SUCCESS, U32.pack(self.mask)
        elif code == D.IOCTL_SERIAL_WAIT_ON_MASK:
            return self.wait_on_mask()
        elif code == D.IOCTL_SERIAL_PURGE:
            if not value or value & ~D.SERIAL_PURGE_ALL:
                return D.STATUS_INVALID_PARAMETER, b""
            if value & D.SERIAL_PURGE_RXCLEAR:
                self.rxq = bytearray()
        elif code == D.IOCTL_SERIAL_GET_COMMSTATUS:
            errors, self.errors = self.errors, 0
            return D.STATUS_SUCCESS, struct.pack("<IIIIBBxx", errors, 0, len(self.rxq), 0, 0, 0)
        else:
            return D.STATUS_INVALID_DEVICE_REQUEST, b""
        return D.STATUS_SUCCESS, b""

    def wait_on_mask(self):
        if not self.mask:
            return D.STATUS_INVALID_PARAMETER, b""
        if self.events:
            ev, self.events = self.events, 0
            return D.STATUS_SUCCESS, U32.pack(ev)
        self.pending = {"kind": "wait", "future": asyncio.Future()}
        return self.pending["future"]
