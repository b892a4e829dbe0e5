"""Small building blocks the cases share."""
import random

import pytest

from pyrio import toaster
from pyrio.riodefs import DEFS


def darkness(level):
    return toaster.darkness_input(level)


def bread(n, seed=0):
    """n reproducible pseudo-random bytes (every value 0..255 appears)."""
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(n))


def toast_seconds(options, level):
    """How long the server's toast cycle at `level` lasts."""
    return options.toast_ms_per_level * level / 1000.0


def unknown_major():
    """The lowest MajorFunction the protocol does not define."""
    return min(m for m in range(256) if m not in DEFS.tables["MAJOR"])


def unknown_majors():
    return [m for m in (unknown_major(), 0x01, 0x05, 0x0F, 0x1B, 0xFF) if m not in DEFS.tables["MAJOR"]]


def ctl_code(function, access=DEFS.FILE_ANY_ACCESS, method=DEFS.METHOD_BUFFERED,
             device=DEFS.FILE_DEVICE_UNKNOWN):
    return (device << 16) | (access << 14) | (function << 2) | method


def unknown_ioctls():
    """IoControlCodes the toaster does not know: a next function number, the
    right function with the wrong method/access/device type, and zero."""
    known = DEFS.tables["IOCTL"]
    info = DEFS.IOCTL_TOASTER_GET_INFO
    fn = (info & DEFS.IOCTL_FUNCTION_MASK) >> 2
    nxt = fn
    while ctl_code(nxt) in known or ctl_code(nxt, DEFS.FILE_WRITE_ACCESS) in known:
        nxt += 1
    candidates = [ctl_code(nxt), info | DEFS.METHOD_NEITHER, info ^ DEFS.IOCTL_ACCESS_MASK,
                  (info & ~DEFS.IOCTL_DEVICE_TYPE_MASK) | ((DEFS.FILE_DEVICE_UNKNOWN + 1) << 16), 0]
    return [c for c in candidates if c not in known]


def by_req(*cases):
    """pytest parameters from (id, requirement ID, values...), each marked
    with its own requirement: the matrix then names the exact case."""
    return [pytest.param(rid, *values, id=name, marks=pytest.mark.req(rid)) for name, rid, *values in cases]


# A cycle shorter than this cannot be seen running from outside: the cases
# that need a READ to pend or a cycle to outlast a few requests skip then.
MIN_OBSERVABLE_CYCLE = 0.1   # s


def needs_cycle(ctx, level=DEFS.TOASTER_DARKNESS_MAX):
    """The length of a cycle at `level` on the server under test, or skip."""
    seconds = toast_seconds(ctx.options, level)
    if seconds < MIN_OBSERVABLE_CYCLE:
        pytest.skip("a cycle at darkness %d lasts %.3f s on the server under test (--rio-toast-ms): "
                    "too short to observe" % (level, seconds))
    return seconds


def pend_window(seconds):
    """How long to watch a READ that must still be pending: a fraction of
    the cycle, never stretched by --rio-timeout-scale."""
    return min(0.1, seconds / 4)


def start_cycle(c, level, data):
    """SET_DARKNESS, WRITE, START: a cycle of level x T runs afterwards."""
    c.ioctl("RIO-TST-041", DEFS.IOCTL_TOASTER_SET_DARKNESS, darkness(level))
    c.write("RIO-TST-018", data, info=len(data))
    c.ioctl("RIO-TST-022", DEFS.IOCTL_TOASTER_START)


def needs_told_stall(ctx):
    """Skip a case that waits a whole stall timeout when the server's was
    not told: against the protocol's default (10 s) only one case per rule
    waits that long (the 1-byte header stall and the trickling bytes)."""
    if ctx.options.stall_source == "default":
        pytest.skip("the stall timeout was not told (--rio-stall-timeout): with the protocol's default of %g s "
                    "only one case per rule waits for it" % ctx.options.stall_timeout)
