"""Before any case runs against a server the suite did not start: does it
answer CREATE at all (one clear error instead of a hundred failures), and,
unless told, how long is its toast cycle per darkness level (measured, then
printed in the report header).
"""
import time

from pyrio.conn import Conn, PDU
from pyrio.riodefs import DEFS, name_of
from pyrio import toaster

from . import devices

# Exit status of a run whose target did not pass the preflight (pytest's
# own statuses are 0..5).
EXIT_UNREACHABLE = 6

CALIBRATION_LEVEL = 2          # darkness of the calibration cycles
CALIBRATION_CYCLES = 2         # the shortest one counts: load only adds time
CALIBRATION_LIMIT = 20.0       # s: a cycle longer than this is not measured


class Unreachable(Exception):
    pass


def _open(endpoint, timeout, retry_for):
    """A connection whose CREATE succeeded, or Unreachable with the reason.
    A device still held (SHARING_VIOLATION, farm DEVICE_BUSY) is retried for
    `retry_for` seconds: a previous client may be letting go."""
    deadline = time.monotonic() + retry_for
    while True:
        try:
            conn = Conn(endpoint.host, endpoint.port, timeout=timeout)
        except OSError as e:
            raise Unreachable("cannot connect: %s" % (e.strerror or e)) from None
        out = conn.create()
        if out.kind == PDU and out.pdu.status == DEFS.STATUS_SUCCESS:
            return conn
        conn.close()
        held = out.kind == PDU and out.pdu.status in (DEFS.STATUS_SHARING_VIOLATION, DEFS.STATUS_DEVICE_BUSY)
        if not held or time.monotonic() > deadline:
            what = name_of("STATUS", out.pdu.status) if out.kind == PDU else out.kind
            hint = " (is another client holding the device?)" if held else ""
            raise Unreachable("CREATE was answered with %s%s" % (what, hint))
        time.sleep(0.05)   # a retry interval against another client's release, not a synchronisation


def check(endpoint, what, timeout, retry_for=2.0, detect=False):
    """None if the endpoint answers CREATE with success (then CLOSE), else
    the one-line error.  With `detect`, the device it serves is recognised
    on the way (endpoint.profile; the toaster if nothing is recognised)."""
    try:
        conn = _open(endpoint, timeout, retry_for)
    except Unreachable as e:
        return "%s %s did not pass the preflight: %s" % (what, endpoint.address, e)
    if detect:
        profile, note = devices.detect(conn, timeout)
        if profile is not None:
            endpoint.profile = profile
        endpoint.profile.source = "detected" if profile is not None else "not recognised: %s" % note
    conn.close_handle()
    conn.close()
    return None


def calibrate(endpoint, timeout):
    """(ms per darkness level, note): the shortest of a few cycles at
    CALIBRATION_LEVEL, from START's answer to the pending READ's answer."""
    best = None
    try:
        conn = _open(endpoint, timeout, 2.0)
    except Unreachable as e:
        return None, "calibration impossible: %s" % e
    try:
        conn.ioctl(DEFS.IOCTL_TOASTER_SET_DARKNESS, toaster.darkness_input(CALIBRATION_LEVEL))
        for _ in range(CALIBRATION_CYCLES):
            conn.write(b"c")
            out = conn.ioctl(DEFS.IOCTL_TOASTER_START)
            if out.kind != PDU or out.pdu.status != DEFS.STATUS_SUCCESS:
                return None, "calibration failed: START answered %s" % out
            t0 = time.monotonic()
            out = conn.read(1, timeout=CALIBRATION_LIMIT)
            took = time.monotonic() - t0
            if out.kind != PDU or out.pdu.status != DEFS.STATUS_SUCCESS:
                return None, "calibration failed: the READ after START got %s within %g s" % (out, CALIBRATION_LIMIT)
            best = took if best is None else min(best, took)
        conn.close_handle()
    finally:
        conn.close()
    return best * 1000.0 / CALIBRATION_LEVEL, "measured: shortest of %d cycles at darkness %d" % (
        CALIBRATION_CYCLES, CALIBRATION_LEVEL)
