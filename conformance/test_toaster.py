"""The toaster device (PROTOCOL.md section 11): every IOCTL and behaviour,
the pending READ, and data integrity byte for byte."""
import time

import pytest

from pyrio import toaster
from pyrio.riodefs import DEFS

from .rioconf.helpers import bread, by_req, darkness, needs_cycle, pend_window, start_cycle as start, toast_seconds
from .rioconf.link import readable
from .rioconf.verdict import PDU, Reply, Silence, check

S = DEFS
BUSY, BAD_PARAM, BAD_STATE = S.STATUS_DEVICE_BUSY, S.STATUS_INVALID_PARAMETER, S.STATUS_INVALID_DEVICE_STATE


def status_is(c, rid, **want):
    st = c.status(rid)
    got = {k: st[k] for k in want}
    check(got == want, rid, "GET_STATUS with %s" % want, "GET_STATUS %s" % st)
    return st


def cycle_timeout(dev, level):
    return toast_seconds(dev.options, level) + dev.options.reply_timeout


INFO_FIELDS = [("RIO-TST-005", "capacity", S.TOASTER_CAPACITY),
               ("RIO-TST-006", "max_load_bytes", S.TOASTER_MAX_LOAD_BYTES),
               ("RIO-TST-007", "firmware_version", S.TOASTER_FIRMWARE_VERSION)]


@pytest.mark.req("RIO-TST-004", "RIO-TST-005", "RIO-TST-006", "RIO-TST-007", "RIO-TST-008", "RIO-ADR-001",
                 "RIO-ADR-003")
@pytest.mark.parametrize("output_length", [S.TOASTER_INFO_SIZE, S.TOASTER_INFO_SIZE + 1, 4096])
def test_get_info(dev, output_length):
    """TOASTER_INFO: exactly 48 bytes whatever the larger OutputLength."""
    c = dev.open()
    h = c.ioctl("RIO-TST-004", S.IOCTL_TOASTER_GET_INFO, output_length=output_length,
                data_len=S.TOASTER_INFO_SIZE)
    info = toaster.info(h.data)
    for rid, key, want in INFO_FIELDS:
        check(info[key] == want, rid, "%s %d" % (key, want), "%s %d" % (key, info[key]))
    if dev.endpoint.serial is not None:
        check(info["serial"] == dev.endpoint.serial, "RIO-ADR-003",
              "SerialNumber %d (port %d)" % (dev.endpoint.serial, dev.endpoint.port),
              "SerialNumber %d" % info["serial"])
    model = h.data[S.TOASTER_INFO_OFF_MODEL:S.TOASTER_INFO_OFF_MODEL + S.TOASTER_MODEL_SIZE]
    padded = S.TOASTER_MODEL_NAME.encode().ljust(S.TOASTER_MODEL_SIZE, b"\0")
    check(model == padded, "RIO-TST-008", "ModelName %r" % padded, "ModelName %r" % model)


@pytest.mark.parametrize("rid,code,size", by_req(
    ("GET_INFO", "RIO-TST-009", S.IOCTL_TOASTER_GET_INFO, S.TOASTER_INFO_SIZE),
    ("GET_STATUS", "RIO-TST-011", S.IOCTL_TOASTER_GET_STATUS, S.TOASTER_STATUS_SIZE)))
def test_fixed_output_too_small(dev, rid, code, size):
    c = dev.open()
    for out in (0, 1, size - 1):
        c.ioctl(rid, code, output_length=out, status=S.STATUS_BUFFER_TOO_SMALL)
    c.ioctl(rid, code, output_length=size, data_len=size)


@pytest.mark.req("RIO-TST-010", "RIO-TST-015", "RIO-TST-017")
@pytest.mark.parametrize("output_length", [S.TOASTER_STATUS_SIZE, S.TOASTER_STATUS_SIZE + 7])
def test_get_status(dev, output_length):
    c = dev.open()
    h = c.ioctl("RIO-TST-010", S.IOCTL_TOASTER_GET_STATUS, output_length=output_length,
                data_len=S.TOASTER_STATUS_SIZE)
    st = toaster.status(h.data)
    check(st["state"] == S.TOASTER_STATE_EMPTY, "RIO-TST-015", "State EMPTY", "GET_STATUS %s" % st)
    check(st["error_count"] == 0, "RIO-TST-017", "ErrorCount 0", "GET_STATUS %s" % st)


@pytest.mark.req("RIO-TST-003")
def test_no_data_ioctls_return_no_data(dev):
    c = dev.open()
    c.ioctl("RIO-TST-003", S.IOCTL_TOASTER_SET_DARKNESS, darkness(1), output_length=4096)
    c.write("RIO-TST-018", b"x")
    c.ioctl("RIO-TST-003", S.IOCTL_TOASTER_START, output_length=4096)
    c.ioctl("RIO-TST-003", S.IOCTL_TOASTER_EJECT, output_length=4096)


@pytest.mark.req("RIO-TST-002")
def test_ioctl_input_ignored(dev):
    c = dev.open()
    c.ioctl("RIO-TST-002", S.IOCTL_TOASTER_GET_INFO, b"junk" * 3, S.TOASTER_INFO_SIZE, data_len=S.TOASTER_INFO_SIZE)
    c.ioctl("RIO-TST-002", S.IOCTL_TOASTER_GET_STATUS, b"junk", S.TOASTER_STATUS_SIZE,
            data_len=S.TOASTER_STATUS_SIZE)
    c.write("RIO-TST-018", b"b")
    c.ioctl("RIO-TST-002", S.IOCTL_TOASTER_START, darkness(1))
    c.ioctl("RIO-TST-002", S.IOCTL_TOASTER_EJECT, b"junk")


@pytest.mark.req("RIO-TST-041", "RIO-TST-045")
def test_set_darkness_valid_range(dev):
    c = dev.open()
    for level in range(S.TOASTER_DARKNESS_MIN, S.TOASTER_DARKNESS_MAX + 1):
        c.ioctl("RIO-TST-041", S.IOCTL_TOASTER_SET_DARKNESS, darkness(level))
        status_is(c, "RIO-TST-041", darkness=level)


@pytest.mark.req("RIO-TST-045")
@pytest.mark.parametrize("rid,data", by_req(
    ("zero", "RIO-TST-042", darkness(S.TOASTER_DARKNESS_MIN - 1)),
    ("eleven", "RIO-TST-043", darkness(S.TOASTER_DARKNESS_MAX + 1)), ("huge", "RIO-TST-043", darkness(0xFFFFFFFF)),
    ("empty", "RIO-TST-044", b""), ("1-byte", "RIO-TST-044", b"\x05"), ("3-bytes", "RIO-TST-044", darkness(5)[:3]),
    ("5-bytes", "RIO-TST-044", darkness(5) + b"\0")))
def test_set_darkness_invalid(dev, rid, data):
    c = dev.open()
    c.ioctl(rid, S.IOCTL_TOASTER_SET_DARKNESS, data, status=BAD_PARAM)
    status_is(c, "RIO-TST-045", darkness=S.TOASTER_DARKNESS_DEFAULT)


@pytest.mark.req("RIO-TST-018", "RIO-STS-008", "RIO-TST-014")
def test_write_loads_up_to_max_load(dev):
    c = dev.open()
    first = S.TOASTER_MAX_LOAD_BYTES - 1000
    c.write("RIO-STS-008", bread(first), info=first)
    status_is(c, "RIO-TST-014", state=S.TOASTER_STATE_LOADED, loaded_bytes=first)
    c.write("RIO-TST-018", bread(3000, 1), info=1000)
    status_is(c, "RIO-TST-018", loaded_bytes=S.TOASTER_MAX_LOAD_BYTES)


@pytest.mark.req("RIO-TST-020")
@pytest.mark.parametrize("full", [True, False], ids=["full", "no-data"])
def test_write_that_loads_nothing(dev, full):
    c = dev.open()
    if full:
        c.write("RIO-TST-018", bread(S.TOASTER_MAX_LOAD_BYTES))
    c.write("RIO-TST-020", b"more" if full else b"", info=0)
    status_is(c, "RIO-TST-020", loaded_bytes=S.TOASTER_MAX_LOAD_BYTES if full else 0)


@pytest.mark.req("RIO-TST-019", "RIO-TST-013", "RIO-TST-037")
def test_ready_toast_does_not_count_against_max_load(dev):
    c = dev.open()
    c.write("RIO-STS-008", bread(S.TOASTER_MAX_LOAD_BYTES), info=S.TOASTER_MAX_LOAD_BYTES)
    c.ioctl("RIO-TST-039", S.IOCTL_TOASTER_EJECT)
    c.write("RIO-TST-019", bread(100), info=100)
    status_is(c, "RIO-TST-013", state=S.TOASTER_STATE_READY, loaded_bytes=100,
              ready_bytes=S.TOASTER_MAX_LOAD_BYTES)


@pytest.mark.req("RIO-TST-027", "RIO-TST-025")
def test_start_with_nothing_loaded(dev):
    c = dev.open()
    c.ioctl("RIO-TST-027", S.IOCTL_TOASTER_START, status=BAD_STATE)
    status_is(c, "RIO-TST-025", toast_count=0)


@pytest.mark.req("RIO-TST-012", "RIO-TST-016", "RIO-TST-021", "RIO-TST-022", "RIO-TST-026", "RIO-TST-046")
def test_busy_while_toasting(dev):
    """START is answered when the cycle begins; while TOASTING: WRITE,
    START and a valid SET_DARKNESS get DEVICE_BUSY and change nothing."""
    needs_cycle(dev)
    c = dev.open()
    start(c, S.TOASTER_DARKNESS_MAX, b"bread")
    st = status_is(c, "RIO-TST-022", state=S.TOASTER_STATE_TOASTING)
    check(st["loaded_bytes"] == 5, "RIO-TST-016", "LoadedBytes 5 during the cycle", "GET_STATUS %s" % st)
    c.write("RIO-TST-021", b"more", status=BUSY)
    c.ioctl("RIO-TST-026", S.IOCTL_TOASTER_START, status=BUSY)
    c.ioctl("RIO-TST-046", S.IOCTL_TOASTER_SET_DARKNESS, darkness(3), status=BUSY)
    status_is(c, "RIO-TST-046", darkness=S.TOASTER_DARKNESS_MAX, loaded_bytes=5, toast_count=1)


@pytest.mark.req("RIO-TST-032", "RIO-TST-033", "RIO-TST-024")
def test_read_pends_until_the_toast_is_ready(dev):
    """A READ while toasting is not answered until the cycle ends, even with
    toast already ready; then it returns the old toast and the new, in order."""
    cycle = needs_cycle(dev)
    c = dev.open()
    old, new = bread(50, 6), bread(300, 7)
    c.write("RIO-TST-018", old)
    c.ioctl("RIO-TST-039", S.IOCTL_TOASTER_EJECT)
    start(c, S.TOASTER_DARKNESS_MAX, new)
    c.send(S.MJ_READ, output_length=1000)
    c.expect("RIO-TST-032", Silence(), timeout=pend_window(cycle))
    c.reply("RIO-TST-033", data=old + new, timeout=cycle_timeout(dev, S.TOASTER_DARKNESS_MAX))
    status_is(c, "RIO-TST-030", state=S.TOASTER_STATE_EMPTY, toast_count=1, ready_bytes=0)


@pytest.mark.req("RIO-TST-023")
@pytest.mark.parametrize("level", [3, 8])
def test_cycle_lasts_darkness_times_t(dev, level):
    """From START's answer to the pending READ's answer: Darkness x T (no
    shorter, but for the START answer's trip; longer by at most the reply
    margin)."""
    want = needs_cycle(dev, level)
    c = dev.open()
    start(c, level, b"timed")
    t0 = time.monotonic()
    c.send(S.MJ_READ, output_length=8)
    c.expect("RIO-TST-032", Silence(), timeout=pend_window(want))
    c.reply("RIO-TST-033", data=b"timed", timeout=cycle_timeout(dev, level))
    took = time.monotonic() - t0
    check(took >= want - max(0.1 * want, 0.02), "RIO-TST-023", "a cycle of %.3f s (Darkness %d x T)" % (want, level),
          "the toast was ready after %.3f s" % took)


@pytest.mark.req("RIO-TST-034")
def test_other_connections_served_while_a_read_pends(dev):
    """While A's READ pends, B's CREATE (SHARING_VIOLATION) and a CREATE on
    the neighbouring toaster are answered before A's READ completes."""
    cycle = needs_cycle(dev)
    a = dev.open("A")
    start(a, S.TOASTER_DARKNESS_MAX, b"slow")
    a.send(S.MJ_READ, output_length=4)
    a.expect("RIO-TST-032", Silence(), timeout=pend_window(cycle))
    b = dev.connect("B")
    b.create("RIO-SES-007", status=S.STATUS_SHARING_VIOLATION)
    check(not readable(a, 0), "RIO-TST-034", "A's READ still pending while B is answered",
          "A's READ answered before B")
    a.reply("RIO-TST-033", data=b"slow", timeout=cycle_timeout(dev, S.TOASTER_DARKNESS_MAX))


@pytest.mark.req("RIO-TST-031", "RIO-TST-028")
def test_read_with_nothing_ready(dev):
    c = dev.open()
    c.read("RIO-TST-031", 100, data=b"")
    c.write("RIO-TST-018", b"loaded, not toasted")
    c.read("RIO-TST-031", 100, data=b"")


@pytest.mark.req("RIO-TST-035")
def test_read_output_length_zero_while_toasting(dev):
    """The brief: "While TOASTING the READ pends"; a READ of 0 bytes has
    nothing to wait for.  Both are accepted: answered at once (the cycle
    still runs, nothing removed) or when the cycle ends (the new toast
    joins the old, nothing removed)."""
    cycle = needs_cycle(dev)
    c = dev.open()
    c.write("RIO-TST-018", b"ready")
    c.ioctl("RIO-TST-039", S.IOCTL_TOASTER_EJECT)
    start(c, S.TOASTER_DARKNESS_MAX, b"abc")
    c.send(S.MJ_READ, output_length=0)
    out = c.expect("RIO-TST-035", Reply(S.STATUS_SUCCESS, data=b""), Silence(), timeout=pend_window(cycle))
    if out.kind == PDU:
        st = c.status("RIO-TST-035")
    else:
        c.reply("RIO-TST-035", data=b"", timeout=cycle_timeout(dev, S.TOASTER_DARKNESS_MAX))
        st = c.status("RIO-TST-035")
    # Answered at once, or late but before the cycle's end: 5 ready bytes
    # while TOASTING; after the end: all 8.  Never fewer.
    want = 5 if st["state"] == S.TOASTER_STATE_TOASTING else 8
    check(st["ready_bytes"] == want, "RIO-TST-035", "ReadyBytes %d (the 0-byte READ removed nothing)" % want,
          "GET_STATUS %s" % st)
    c.ioctl("RIO-TST-039", S.IOCTL_TOASTER_EJECT)


@pytest.mark.req("RIO-TST-029")
def test_data_integrity_byte_for_byte(dev):
    """Every byte value, through two cycles, read back in pieces of odd
    sizes until a READ returns nothing: nothing lost, duplicated or
    reordered."""
    c = dev.open()
    first, second = bread(S.TOASTER_MAX_LOAD_BYTES, 11), bread(1234, 12)
    for data in (first, second):
        start(c, S.TOASTER_DARKNESS_MIN, data)
        c.ioctl("RIO-TST-039", S.IOCTL_TOASTER_EJECT)
    want, got = first + second, b""
    sizes = [1, 7, 1000, 4096, 64] + [S.DATA_MAX] * 8
    for size in sizes:
        piece = c.read("RIO-TST-029", size)
        if not piece:
            break
        got += piece
    check(got == want, "RIO-TST-029", "%d bytes read back as written" % len(want),
          "%d bytes; first difference at %s" % (len(got), next(
              (i for i, (x, y) in enumerate(zip(got, want)) if x != y), min(len(got), len(want)))))


@pytest.mark.req("RIO-TST-028")
def test_read_returns_min_of_output_length_and_ready(dev):
    c = dev.open()
    c.write("RIO-TST-018", b"0123456789")
    c.ioctl("RIO-TST-039", S.IOCTL_TOASTER_EJECT)
    for size, count in ((4, 4), (1, 1), (100, 5), (100, 0)):
        c.call("RIO-TST-028", S.MJ_READ, output_length=size, data_len=count)


@pytest.mark.req("RIO-TST-030")
def test_read_removes_what_it_returns(dev):
    c = dev.open()
    c.write("RIO-TST-018", bread(3000, 5))
    c.ioctl("RIO-TST-039", S.IOCTL_TOASTER_EJECT)
    ready = 3000
    for size in (1, 999, 1500):
        ready -= len(c.call("RIO-TST-030", S.MJ_READ, output_length=size).data)
        status_is(c, "RIO-TST-030", ready_bytes=ready)


@pytest.mark.req("RIO-TST-036", "RIO-TST-040", "RIO-TST-013")
def test_eject_ends_a_cycle(dev):
    needs_cycle(dev)
    c = dev.open()
    start(c, S.TOASTER_DARKNESS_MAX, b"half done")
    c.ioctl("RIO-TST-039", S.IOCTL_TOASTER_EJECT)
    st = status_is(c, "RIO-TST-036", state=S.TOASTER_STATE_READY, ready_bytes=9, loaded_bytes=0)
    check(st["toast_count"] == 1, "RIO-TST-040", "ToastCount 1 (EJECT does not count)", "GET_STATUS %s" % st)
    c.read("RIO-TST-029", 64, data=b"half done")


@pytest.mark.req("RIO-TST-037", "RIO-TST-038", "RIO-TST-039", "RIO-TST-040")
def test_eject_without_a_cycle(dev):
    c = dev.open()
    c.ioctl("RIO-TST-039", S.IOCTL_TOASTER_EJECT)
    status_is(c, "RIO-TST-038", state=S.TOASTER_STATE_EMPTY, toast_count=0, ready_bytes=0)
    c.write("RIO-TST-018", b"raw")
    c.ioctl("RIO-TST-039", S.IOCTL_TOASTER_EJECT)
    st = status_is(c, "RIO-TST-037", state=S.TOASTER_STATE_READY, ready_bytes=3, loaded_bytes=0)
    check(st["toast_count"] == 0, "RIO-TST-040", "ToastCount 0", "GET_STATUS %s" % st)


@pytest.mark.req("RIO-TST-025")
def test_toast_count_counts_accepted_starts(dev):
    c = dev.open()
    for n in (1, 2):
        start(c, S.TOASTER_DARKNESS_MIN, b"n")
        c.ioctl("RIO-TST-039", S.IOCTL_TOASTER_EJECT)
        c.ioctl("RIO-TST-027", S.IOCTL_TOASTER_START, status=BAD_STATE)
        status_is(c, "RIO-TST-025", toast_count=n)


# ---- a server's bound on ready toast (section 8) -------------------------

RESOURCES_BOUND = 16 * S.TOASTER_MAX_LOAD_BYTES   # ready toast the case pushes at most
EMBEDDED_MAX_READY = 10000                        # riotoasterd --max-ready-bytes of this case


@pytest.mark.req("RIO-LIM-009", "RIO-LIM-010", "RIO-TST-029")
@pytest.mark.server_args("--max-ready-bytes", str(EMBEDDED_MAX_READY))
def test_ready_toast_bound_loses_nothing(dev):
    """Ready toast pushed up to a bound (WRITE, then EJECT, which always
    succeeds): either no bound is reached (a server written from the brief
    alone has none), or a WRITE is refused with
    STATUS_INSUFFICIENT_RESOURCES (Information 0 and no data: the envelope
    checks), loading nothing, the connection still usable.  READ then
    drains every byte accepted, in order, and a WRITE is accepted again."""
    c = dev.open()
    accepted, n, refused = [], 0, False
    while sum(map(len, accepted)) < RESOURCES_BOUND:
        block = bread(S.TOASTER_MAX_LOAD_BYTES, 40 + n)
        n += 1
        before = c.status("RIO-LIM-009")
        h = c.call("RIO-TST-018", S.MJ_WRITE, data=block,
                   status=(S.STATUS_SUCCESS, S.STATUS_INSUFFICIENT_RESOURCES))
        if h.status != S.STATUS_SUCCESS:
            refused = True
            after = c.status("RIO-LIM-009")   # usable, and the refused WRITE changed nothing
            check(after == before, "RIO-LIM-009", "the toaster unchanged by the refused WRITE: %s" % before,
                  "GET_STATUS %s" % after)
            break
        check(h.information == len(block), "RIO-TST-018", "Information %d (nothing was loaded)" % len(block),
              "Information %d" % h.information)
        accepted.append(block)
        c.ioctl("RIO-LIM-010", S.IOCTL_TOASTER_EJECT)    # EJECT never refuses: room was reserved
    want = b"".join(accepted)
    got = _drain(c)
    check(got == want, "RIO-TST-029", "READ returns the %d bytes accepted, in order" % len(want),
          "%d bytes, first difference at %d" % (len(got), next((i for i, (a, b) in enumerate(zip(got, want))
                                                                 if a != b), min(len(got), len(want)))))
    if refused:     # the bound is on what is held: with the toast read, a WRITE fits again
        c.write("RIO-TST-018", b"again", info=5)


def _drain(c):
    got = b""
    while True:
        piece = c.read("RIO-TST-029", S.DATA_MAX)
        if not piece:
            return got
        got += piece
