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


__all__ = ["Conn", "DEFS", "T", "PDU", "CLOSED", "RESET", "HANG", "GONE", "LOOPBACK6", "connect", "expect",
           "ok", "opened", "status", "info", "set_darkness", "start", "eject", "toast", "assert_gone",
           "assert_serving", "u32", "Daemon", "load_ready", "pend_read", "sanitized"]
