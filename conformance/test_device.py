"""The rules every device profile keeps (docs/PROTOCOL.md, device
profiles: RIO-DEV), checked from the device's description alone
(devices/*.riodev, or the file given by --rio-device): so they run for the
toaster, the serial port and any device a user describes.

Each case is parametrized by device (and by IOCTL where it checks one):
every shipped description and the target's.  A device the run has no
server for is skipped with the reason.  A violation names the DEV rule and
the profile's own lines that restate it for that IOCTL (rioconf.devices).
"""
import pytest

from pyrio.riodefs import DEFS

from .rioconf import devices as dv
from .rioconf.helpers import needs_cycle, start_cycle, unknown_major
from .rioconf.plugin import device_context
from .rioconf.verdict import PDU, Violation, check

S = DEFS
SUCCESS, BAD_PARAM, TOO_SMALL = S.STATUS_SUCCESS, S.STATUS_INVALID_PARAMETER, S.STATUS_BUFFER_TOO_SMALL


def _profiles(config):
    """Every shipped device and the target's (told or detected)."""
    options = config._rio_options
    out = {d.name: dv.Profile(d, "embedded") for d in dv.candidates()}
    if options.target is not None:
        out[options.target.profile.name] = options.target.profile
    elif options.device is not None:
        out[options.device.name] = options.device
    return list(out.values())


# Which IOCTLs a per-IOCTL case takes, and the rule its marker carries.
_PER_IOCTL = {
    "test_short_fixed_output": (lambda io: io.output_fixed, dv.OUTPUT_TOO_SMALL),
    "test_fixed_output_is_exact": (lambda io: io.output_fixed and io.input is None and not io.may_pend,
                                  dv.OUTPUT_EXACT),
    "test_input_of_another_size": (lambda io: io.input_exact, dv.INPUT_CHECKED),
}
_PER_DEVICE = {
    "test_code_parts_and_device_type": dv.DEVICE_TYPE_NAMES_PROFILE,
    "test_unknown_ioctls": dv.UNKNOWN_IOCTL,
    "test_input_checked_before_state": dv.INPUT_CHECKED,
    "test_session_rules_are_the_same": dv.SAME_SESSION_RULES,
}


def pytest_generate_tests(metafunc):
    name = metafunc.function.__name__
    params = []
    for profile in _profiles(metafunc.config):
        if name in _PER_IOCTL:
            select, rule = _PER_IOCTL[name]
            for io in profile.ioctls:
                if select(io):
                    params.append(pytest.param(profile, io, id="%s-%s" % (profile.name, io.short_name),
                                               marks=pytest.mark.req(*profile.ids(rule, io))))
        elif name in _PER_DEVICE:
            rule = _PER_DEVICE[name]
            params.append(pytest.param(profile, None, id=profile.name, marks=pytest.mark.req(*profile.ids(rule))))
    if name in _PER_IOCTL or name in _PER_DEVICE:
        metafunc.parametrize("profile,ioctl", params)


@pytest.fixture
def device(request, profile):
    """Context on a server of this device kind (or the case skips)."""
    return device_context(request, profile.name)


def _usable(c, profile, rid):
    """The connection still serves: a described GET (or CLEANUP) answered."""
    probe = profile.probe()
    if probe is not None:
        c.ioctl(rid, probe.code, output_length=probe.output.size, data_len=probe.output.size)
    else:
        c.call(rid, S.MJ_CLEANUP)


def _violation_ids(profile, rule, io=None):
    ids = profile.ids(rule, io)
    return ids[0], ids[1:]


# ---- IOCTL codes -----------------------------------------------------------------

def test_code_parts_and_device_type(device, profile, ioctl):
    """Each described code is CTL_CODE(DeviceType, Function, Method,
    Access) of its described parts; the same IOCTL under another
    DeviceType (the next one, the other profiles') is unknown."""
    rid, also = _violation_ids(profile, dv.DEVICE_TYPE_NAMES_PROFILE)
    for io in profile.ioctls:
        parts = dv.code_parts(io.code)
        want = (profile.device.device_type, io.function, io.method, io.access)
        check(parts == want, rid, "%s = CTL_CODE(0x%X, %d, %s, %s)" % (
            io.name, want[0], want[1], io.method_name, io.access_name),
            "0x%08X decodes as DeviceType 0x%X, Function %d, Method %d, Access %d" % ((io.code,) + parts))
    c = device.open()
    for code, why in dv.other_device_type_codes(profile.device):
        c.send(S.MJ_DEVICE_CONTROL, code, 64)
        _unknown(c, code, why, rid, also + (dv.UNKNOWN_IOCTL,))
    _usable(c, profile, rid)


def _answer(c, rid, also, expected):
    """The next answer's header (envelope checked), or a Violation of rid
    and also when none comes."""
    out = c.conn.recv_pdu(c.ctx.reply_timeout)
    if out.kind != PDU:
        raise Violation(rid, expected, out.kind, also=also)
    c.check_envelope(out.pdu)
    return out.pdu


def _unknown(c, code, why, rid, also):
    expected = "STATUS_INVALID_DEVICE_REQUEST for 0x%08X (%s), the connection open" % (code, why)
    h = _answer(c, rid, also, expected)
    check(h.status == S.STATUS_INVALID_DEVICE_REQUEST, rid, expected, h.describe(), also=also)


def test_unknown_ioctls(device, profile, ioctl):
    """Every code the description does not define — another function, a
    described code with another Method or Access, 0 and 0xFFFFFFFF —
    gets STATUS_INVALID_DEVICE_REQUEST, and the connection serves on."""
    rid, also = _violation_ids(profile, dv.UNKNOWN_IOCTL)
    c = device.open()
    for code, why in dv.unknown_codes(profile.device):
        c.send(S.MJ_DEVICE_CONTROL, code, 64, b"\0" * 4)
        _unknown(c, code, why, rid, also)
    _usable(c, profile, rid)


# ---- fixed-size outputs ----------------------------------------------------------

def _input_for(io):
    """Input of the right size (zeros) for an IOCTL that takes some."""
    if io.input is None:
        return b""
    return b"\0" * io.input.size


def test_short_fixed_output(device, profile, ioctl):
    """OutputLength below the output's size (0, 1, size - 1): STATUS_
    BUFFER_TOO_SMALL, no data, Information 0 (the envelope checks), the
    connection open.  With input (zeros: their values may be refused), an
    INVALID_PARAMETER is as good: the order of the two checks is free."""
    rid, also = _violation_ids(profile, dv.OUTPUT_TOO_SMALL, ioctl)
    size = ioctl.output.size
    allowed = (TOO_SMALL,) if ioctl.input is None else (TOO_SMALL, BAD_PARAM)
    c = device.open()
    for out in sorted({0, 1, size - 1} - {size}):
        if out >= size:
            continue
        c.send(S.MJ_DEVICE_CONTROL, ioctl.code, out, _input_for(ioctl))
        expected = "STATUS_BUFFER_TOO_SMALL for %s with OutputLength %d (its output is %d bytes)" % (
            ioctl.short_name, out, size)
        h = _answer(c, rid, also, expected)
        check(h.status in allowed, rid, expected, h.describe(), also=also)
    _usable(c, profile, rid)


def test_fixed_output_is_exact(device, profile, ioctl):
    """OutputLength of the size and above it: exactly the output's bytes."""
    rid, also = _violation_ids(profile, dv.OUTPUT_EXACT, ioctl)
    size = ioctl.output.size
    c = device.open()
    for out in (size, size + 1, size + 64, S.DATA_MAX):
        c.send(S.MJ_DEVICE_CONTROL, ioctl.code, out)
        expected = "%s with OutputLength %d: STATUS_SUCCESS and exactly %d bytes" % (ioctl.short_name, out, size)
        h = _answer(c, rid, also, expected)
        check(h.status == SUCCESS and h.data_length == size, rid, expected, h.describe(), also=also)


# ---- input ------------------------------------------------------------------------

def _wrong_sizes(size):
    return sorted({0, 1, size - 1, size + 1, 2 * size} - {size})


def test_input_of_another_size(device, profile, ioctl):
    """Input of another size than the described one: INVALID_PARAMETER,
    the connection open."""
    rid, also = _violation_ids(profile, dv.INPUT_CHECKED, ioctl)
    c = device.open()
    out = ioctl.output.size if ioctl.output is not None else 0
    for n in _wrong_sizes(ioctl.input.size):
        c.send(S.MJ_DEVICE_CONTROL, ioctl.code, out, b"\x5a" * n)
        expected = "STATUS_INVALID_PARAMETER for %d bytes of input to %s (it takes %d)" % (
            n, ioctl.short_name, ioctl.input.size)
        h = _answer(c, rid, also, expected)
        check(h.status == BAD_PARAM, rid, expected, h.describe(), also=also)
    _usable(c, profile, rid)


def _busy_toaster(c, device):
    needs_cycle(device)
    start_cycle(c, S.TOASTER_DARKNESS_MAX, b"busy")
    return "a toast cycle running"


def _busy_serial(c, device):
    c.ioctl("RIO-SER-014", S.IOCTL_SERIAL_SET_DTR)
    c.ioctl("RIO-SER-059", S.IOCTL_SERIAL_SET_WAIT_MASK, S.SERIAL_EV_ALL.to_bytes(4, "little"))
    c.write("RIO-SER-032", b"ATD1\r")
    return "DTR set, a call up, every event in the wait mask"


# How to bring a profile's device out of its initial state (for a
# described device without a profile the suite knows no state).
_BUSY = {dv.TOASTER: _busy_toaster, dv.SERIAL: _busy_serial}


def test_input_checked_before_state(device, profile, ioctl):
    """With the device out of its initial state, every wrong input size
    and every short fixed output gets the same answer as before."""
    if profile.name not in _BUSY:
        pytest.skip("the suite knows no state of a '%s' device to check against" % profile.name)
    c = device.open()
    state = _BUSY[profile.name](c, device)
    c.note("device state: %s" % state)
    for io in profile.ioctls:
        rid, also = _violation_ids(profile, dv.INPUT_CHECKED, io)
        if io.input_exact:
            for n in _wrong_sizes(io.input.size):
                c.send(S.MJ_DEVICE_CONTROL, io.code, 0, b"\x5a" * n)
                expected = "STATUS_INVALID_PARAMETER for %d bytes of input to %s, whatever the state (%s)" % (
                    n, io.short_name, state)
                h = _answer(c, rid, also, expected)
                check(h.status == BAD_PARAM, rid, expected, h.describe(), also=also)
        if io.output_fixed and io.input is None:
            c.send(S.MJ_DEVICE_CONTROL, io.code, io.output.size - 1)
            expected = "STATUS_BUFFER_TOO_SMALL for %s with OutputLength %d, whatever the state (%s)" % (
                io.short_name, io.output.size - 1, state)
            more = also + profile.restated(dv.OUTPUT_TOO_SMALL, io)
            h = _answer(c, rid, more, expected)
            check(h.status == TOO_SMALL, rid, expected, h.describe(), also=more)


# ---- the session rules on every profile -------------------------------------------

def test_session_rules_are_the_same(device, profile, ioctl):
    """The session rules the toaster's cases check at length, once on
    this device: a request before CREATE, exclusive access, an unknown
    MajorFunction, requests in one segment answered in order, CLEANUP,
    CLOSE answered then the connection closed, the device free again."""
    if profile.name == dv.TOASTER:
        pytest.skip("the toaster is the device the session cases (test_session.py ...) run against")
    rid = dv.SAME_SESSION_RULES
    probe = profile.probe()
    a = device.connect("A")
    a.call(rid, S.MJ_CLEANUP, status=S.STATUS_INVALID_HANDLE)
    a.create(rid)
    b = device.connect("B")
    b.create(rid, status=S.STATUS_SHARING_VIOLATION)
    b.ends(rid)
    a.call(rid, unknown_major(), status=S.STATUS_INVALID_DEVICE_REQUEST)
    if probe is not None:
        raws = [a.prepare(S.MJ_DEVICE_CONTROL, probe.code, probe.output.size) for _ in range(3)]
        a.send_raw(b"".join(raw for raw, _ in raws))
        for _, sent in raws:
            a.pending.append(sent)
            a.reply(rid, data_len=probe.output.size)
    a.call(rid, S.MJ_CLEANUP)
    a.close_handle()
    device.open("C", rid=rid).close_handle()
