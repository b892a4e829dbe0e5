"""Helpers shared by riotoasterd's tests (test_server_*.py).  No tests here.

Every constant comes from rio.h through pyrio; every wait is bounded.
"""
import os
import struct
import tempfile

from pyrio.conn import Conn, PDU, CLOSED, RESET, HANG
from pyrio.daemon import Toasterd, launch
from pyrio.riodefs import DEFS
from pyrio import toaster as T

LOOPBACK6 = "::1"
GONE = (CLOSED, RESET)  # how a server-side close looks to the client


def connect(d, serial=1, host="127.0.0.1", timeout=5.0):
    return Conn(host, d.port(serial), timeout=timeout)


def expect(outcome, status, information=0, length=0, major=None, seq=None):
    """Assert a PDU outcome with the given Status, Information, data length."""
    assert outcome.kind == PDU, "expected a response, got %s" % outcome
    p = outcome.pdu
    assert p.signature == DEFS.SIGNATURE_RESPONSE.encode()
    assert p.version == DEFS.VERSION and p.header_length == DEFS.HEADER_SIZE
    assert p.status == status, "status %s, expected %s" % (outcome, status)
    assert p.information == information, outcome
    assert p.data_length == length, outcome
    if major is not None:
        assert p.major == major
    if seq is not None:
        assert p.seq == seq
    return p


def ok(outcome, information=0, length=0):
    return expect(outcome, DEFS.STATUS_SUCCESS, information, length)


def opened(d, serial=1, host="127.0.0.1", timeout=5.0):
    """A connection holding toaster `serial` (CREATE succeeded)."""
    c = connect(d, serial, host, timeout)
    ok(c.create())
    return c


def status(c):
    """The toaster's TOASTER_STATUS as a dict."""
    p = ok(c.ioctl(DEFS.IOCTL_TOASTER_GET_STATUS, output_length=DEFS.TOASTER_STATUS_SIZE),
           DEFS.TOASTER_STATUS_SIZE, DEFS.TOASTER_STATUS_SIZE)
    return T.status(p.data)


def info(c):
    p = ok(c.ioctl(DEFS.IOCTL_TOASTER_GET_INFO, output_length=DEFS.TOASTER_INFO_SIZE),
           DEFS.TOASTER_INFO_SIZE, DEFS.TOASTER_INFO_SIZE)
    return T.info(p.data)


def set_darkness(c, level):
    return c.ioctl(DEFS.IOCTL_TOASTER_SET_DARKNESS, T.darkness_input(level))


def start(c):
    return c.ioctl(DEFS.IOCTL_TOASTER_START)


def eject(c):
    return c.ioctl(DEFS.IOCTL_TOASTER_EJECT)


def toast(c, data):
    """Load `data`, START (instant toaster) and return the bytes accepted."""
    accepted = c.write(data).pdu.information
    ok(start(c))
    return accepted


def load_ready(c, data):
    """WRITE `data` and EJECT it into the ready toast (no cycle)."""
    ok(c.write(data), len(data))
    ok(eject(c))


def pend_read(c, data=b"x", want=1):
    """WRITE, START a (slow) cycle, and send a READ that will pend on it."""
    ok(c.write(data), len(data))
    ok(start(c))
    return c.request(DEFS.MJ_READ, output_length=want)


def assert_gone(c, timeout=5.0):
    out = c.wait_close(timeout)
    assert out.kind in GONE, "expected the server to close, got %s" % out


def assert_serving(d, serial=1):
    """A fresh connection gets a full session: the server still serves."""
    with opened(d, serial) as c:
        assert info(c)["serial"] == (serial if not d.farm else info(c)["serial"])
        ok(c.close_handle())
        assert_gone(c)


class Daemon(Toasterd):
    """riotoasterd with arguments of the test's own choosing (ports included);
    readiness comes from --ready-fd, never from sleeping or polling."""

    def __init__(self, rio_build, args, wrapper=(), ready_timeout=20.0):
        super().__init__(rio_build, args=args, wrapper=wrapper, ready_timeout=ready_timeout)
        self._logfile = tempfile.NamedTemporaryFile(prefix="riotoasterd-", suffix=".log", delete=False)
        self.proc, self.ready = launch(self.wrapper + [self.binary] + self.args, self._logfile, ready_timeout)

    def __enter__(self):
        return self


def sanitized(rio_build):
    """Whether rio_build is an ASan/UBSan build (-DRIO_SANITIZE=ON)."""
    with open(os.path.join(rio_build, "CMakeCache.txt")) as f:
        return "RIO_SANITIZE:BOOL=ON" in f.read()


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


# ---- the serial-port profile (modem and tty devices) ------------------------

def framed(text):
    """A modem answer as it arrives: CR LF, text, CR LF (brief section 7)."""
    return b"\r\n" + text.encode() + b"\r\n"


class SerialPort:
    """A connection holding a serial device, with the profile's IOCTLs.
    Every call asserts the transaction's status and returns the data."""

    def __init__(self, conn):
        self.c = conn

    def ioctl(self, code, data=b"", out=0, timeout=None):
        return self.c.ioctl(code, data, out, timeout=timeout)

    def ok_ioctl(self, code, data=b"", out=0, length=0, timeout=None):
        return ok(self.ioctl(code, data, out, timeout), length, length).data

    def get_u32(self, code):
        return struct.unpack("<I", self.ok_ioctl(code, out=DEFS.SERIAL_U32_SIZE, length=DEFS.SERIAL_U32_SIZE))[0]

    def set_u32(self, code, value):
        return self.ioctl(code, u32(value))

    def baud(self):
        return self.get_u32(DEFS.IOCTL_SERIAL_GET_BAUD_RATE)

    def line_control(self):
        return self.ok_ioctl(DEFS.IOCTL_SERIAL_GET_LINE_CONTROL, out=DEFS.SERIAL_LINE_CONTROL_SIZE,
                             length=DEFS.SERIAL_LINE_CONTROL_SIZE)

    def set_timeouts(self, interval=0, multiplier=0, constant=0, write_multiplier=0, write_constant=0):
        data = struct.pack("<5I", interval, multiplier, constant, write_multiplier, write_constant)
        ok(self.ioctl(DEFS.IOCTL_SERIAL_SET_TIMEOUTS, data))

    def timeouts(self):
        return struct.unpack("<5I", self.ok_ioctl(DEFS.IOCTL_SERIAL_GET_TIMEOUTS, out=DEFS.SERIAL_TIMEOUTS_SIZE,
                                                  length=DEFS.SERIAL_TIMEOUTS_SIZE))

    def dtr(self, on=True):
        ok(self.ioctl(DEFS.IOCTL_SERIAL_SET_DTR if on else DEFS.IOCTL_SERIAL_CLR_DTR))

    def modem_status(self):
        return self.get_u32(DEFS.IOCTL_SERIAL_GET_MODEMSTATUS)

    def wait_mask(self, mask):
        ok(self.set_u32(DEFS.IOCTL_SERIAL_SET_WAIT_MASK, mask))

    def wait_on_mask(self, timeout=None):
        """WAIT_ON_MASK's events (it may pend: `timeout` bounds the wait)."""
        data = self.ok_ioctl(DEFS.IOCTL_SERIAL_WAIT_ON_MASK, out=DEFS.SERIAL_U32_SIZE, length=DEFS.SERIAL_U32_SIZE,
                             timeout=timeout)
        return struct.unpack("<I", data)[0]

    def purge(self, bits):
        return self.set_u32(DEFS.IOCTL_SERIAL_PURGE, bits)

    def commstatus(self):
        data = self.ok_ioctl(DEFS.IOCTL_SERIAL_GET_COMMSTATUS, out=DEFS.SERIAL_STATUS_SIZE,
                             length=DEFS.SERIAL_STATUS_SIZE)
        errors, hold, in_q, out_q = struct.unpack_from("<4I", data)
        return {"errors": errors, "hold": hold, "in_queue": in_q, "out_queue": out_q, "tail": data[16:]}

    def write(self, data):
        """WRITE; asserts every byte was accepted."""
        ok(self.c.write(data), len(data))

    def read(self, n=DEFS.SERIAL_QUEUE_SIZE, timeout=None):
        """READ up to n bytes (it pends per the timeouts: `timeout` bounds
        the wait); the bytes."""
        out = self.c.read(n, timeout=timeout)
        assert out.kind == PDU and out.pdu.status == DEFS.STATUS_SUCCESS, out
        assert out.pdu.information == out.pdu.data_length <= n, out
        return out.pdu.data

    def at(self, line):
        """One command line in command mode, echo on: what the modem sent
        back (the echo, then the answers)."""
        self.write(line.encode() + b"\r")
        return self.read()

    def server_wait(self, ms):
        """Let `ms` pass on the server's own clock: a READ that waits for
        bytes that do not come ends by its total timeout (a client sleep
        would do too; this one cannot return early).  What it read, with
        the port's timeouts back to return-at-once."""
        self.set_timeouts(0, 0, ms)
        got = self.read(DEFS.SERIAL_QUEUE_SIZE, timeout=ms / 1000 + 10)
        self.set_timeouts(DEFS.SERIAL_TIMEOUT_MAXDWORD)
        return got


def serial_opened(d, serial=1, timeout=10.0):
    """A SerialPort holding device `serial` (CREATE succeeded)."""
    return SerialPort(opened(d, serial, timeout=timeout))


__all__ = ["Conn", "DEFS", "T", "PDU", "CLOSED", "RESET", "HANG", "GONE", "LOOPBACK6", "connect", "expect",
           "ok", "opened", "status", "info", "set_darkness", "start", "eject", "toast", "assert_gone",
           "assert_serving", "u32", "Daemon", "load_ready", "pend_read", "sanitized", "framed", "SerialPort",
           "serial_opened"]
