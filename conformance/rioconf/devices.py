"""Which device the server under test serves, and what the suite knows of
each device profile.

A device is known by its description (devices/*.riodev, read by
pyrio.devdesc): its DeviceType and IOCTLs, and for each IOCTL whether its
output is fixed-size (OutputFixed), its input of one exact size
(InputExact) and whether it may pend (MayPend).  The generic device cases
(test_device.py) need nothing else, so a description written by a user,
with no profile of its own here, is tested by them too.

A profile (toaster, serial) adds what its own section of docs/PROTOCOL.md
says: which of its requirement lines restate a generic rule for its IOCTLs
(a violation then names both), and whether the suite has profile cases for
it (test_toaster.py and the session cases, test_serial.py).

The device kind of a target is told (--rio-device toaster|serial|NAME|
PATH.riodev) or, untold, detected by the preflight: the first description
(the toaster first) whose probe IOCTL — a fixed-size output, no input, not
pending — the server answers with success and exactly that many bytes.
"""
import functools
import os

from pyrio import devdesc
from pyrio.conn import PDU
from pyrio.riodefs import DEFS

TOASTER, SERIAL = "toaster", "serial"

# The generic rules and their DEV requirement (docs/PROTOCOL.md, device
# profiles), and the extra "rule" of an IOCTL without output.
UNKNOWN_IOCTL = "RIO-DEV-003"        # an undescribed code: INVALID_DEVICE_REQUEST
DEVICE_TYPE_NAMES_PROFILE = "RIO-DEV-001"
INPUT_CHECKED = "RIO-DEV-004"        # input size (and OutputLength) before state
OUTPUT_TOO_SMALL = "RIO-DEV-005"
OUTPUT_EXACT = "RIO-DEV-006"
SAME_SESSION_RULES = "RIO-DEV-002"
NO_OUTPUT = "no-output"              # no DEV line: the profile's own rule, if it has one

# For each profile: the requirement lines that restate a generic rule, for
# every IOCTL ("*") or by IOCTL name.
_RESTATED = {
    TOASTER: {
        UNKNOWN_IOCTL: {"*": ("RIO-TST-001", "RIO-ERR-016")},
        DEVICE_TYPE_NAMES_PROFILE: {"*": ("RIO-TST-001",)},
        OUTPUT_TOO_SMALL: {"IOCTL_TOASTER_GET_INFO": ("RIO-TST-009",),
                           "IOCTL_TOASTER_GET_STATUS": ("RIO-TST-011",)},
        OUTPUT_EXACT: {"IOCTL_TOASTER_GET_INFO": ("RIO-TST-004",),
                       "IOCTL_TOASTER_GET_STATUS": ("RIO-TST-010",)},
        INPUT_CHECKED: {"IOCTL_TOASTER_SET_DARKNESS": ("RIO-TST-044",)},
        NO_OUTPUT: {"*": ("RIO-TST-003",)},
    },
    SERIAL: {
        UNKNOWN_IOCTL: {"*": ("RIO-SER-001",)},
        DEVICE_TYPE_NAMES_PROFILE: {"*": ("RIO-SER-001",)},
        OUTPUT_TOO_SMALL: {"*": ("RIO-SER-007",)},
        OUTPUT_EXACT: {"*": ("RIO-SER-002",)},
        INPUT_CHECKED: {"*": ("RIO-SER-003",)},
        NO_OUTPUT: {"*": ("RIO-SER-006",)},
    },
}


class Profile:
    """A described device as the suite sees it."""

    def __init__(self, device, source="told"):
        self.device, self.source = device, source
        self.name = device.name

    @property
    def known(self):
        """True for a profile with cases of its own (toaster, serial)."""
        return self.name in _RESTATED

    def restated(self, rule, ioctl=None):
        """The profile's requirement IDs that restate `rule` (for `ioctl`)."""
        table = _RESTATED.get(self.name, {}).get(rule, {})
        ids = table.get("*", ())
        if ioctl is not None:
            ids = ids + table.get(ioctl.name, ())
        return tuple(ids)

    def ids(self, rule, ioctl=None):
        """The generic rule's ID and the profile's restatements of it."""
        own = () if rule == NO_OUTPUT else (rule,)
        return own + self.restated(rule, ioctl)

    @property
    def ioctls(self):
        return list(self.device.ioctls)

    def probe(self):
        """The IOCTL the preflight sends to recognise this device, or None."""
        return next((io for io in self.device.ioctls if io.output_fixed and io.input is None
                     and not io.may_pend), None)

    def describe(self):
        return "%s (%s)" % (self.name, {"told": "--rio-device", "detected": "detected",
                                        "embedded": "embedded"}.get(self.source, self.source))


@functools.lru_cache(maxsize=None)
def shipped():
    """The shipped descriptions (devices/, or RIO_DEVICE_PATH), read once."""
    return devdesc.load_default()


def resolve(spec):
    """The Profile of --rio-device SPEC: a shipped device's name or a
    .riodev file.  ValueError with one line when neither."""
    if spec.endswith(devdesc.SUFFIX) or os.sep in spec:
        try:
            devices = devdesc.load_file(spec).devices
        except devdesc.DescriptionError as e:
            raise ValueError("--rio-device %s: %s" % (spec, e)) from None
        return Profile(devices[0])
    try:
        found = shipped().find_device(spec)
    except devdesc.DescriptionError as e:
        raise ValueError("--rio-device %s: the shipped descriptions do not load: %s" % (spec, e)) from None
    if found is None:
        names = ", ".join(d.name for d in shipped().devices)
        raise ValueError("--rio-device %s: no such device (described: %s; or give a .riodev file)" % (spec, names))
    return Profile(found)


def by_name(name, source="embedded"):
    return Profile(shipped().find_device(name), source)


def candidates():
    """Shipped descriptions in detection order: the toaster first."""
    devices = shipped().devices
    return sorted(devices, key=lambda d: (d.name != TOASTER, d.name))


def detect(conn, timeout):
    """(Profile or None, note) of the device behind `conn` (a connection
    holding the device): the first candidate whose probe is answered with
    success and exactly its output's size."""
    tried = []
    for device in candidates():
        profile = Profile(device, "detected")
        io = profile.probe()
        if io is None:
            continue
        out = conn.ioctl(io.code, output_length=io.output.size, timeout=timeout)
        if out.kind != PDU:
            return None, "the probe %s got %s" % (io.name, out.kind)
        if out.pdu.status == DEFS.STATUS_SUCCESS and len(out.pdu.data) == io.output.size:
            return profile, "%s answered" % io.short_name
        tried.append("%s: %s" % (io.short_name, DEFS.tables["STATUS"].get(out.pdu.status, hex(out.pdu.status))))
    return None, "no description's probe succeeded (%s)" % "; ".join(tried)


def ctl_code(device_type, function, method, access):
    """CTL_CODE of the DDK: the layout every described code must have."""
    return (device_type << 16) | (access << 14) | (function << 2) | method


def code_parts(code):
    """(DeviceType, Function, Method, Access) of a 32-bit IoControlCode."""
    return ((code & DEFS.IOCTL_DEVICE_TYPE_MASK) >> 16, (code & DEFS.IOCTL_FUNCTION_MASK) >> 2,
            code & DEFS.IOCTL_METHOD_MASK, (code & DEFS.IOCTL_ACCESS_MASK) >> 14)


# The functions around a device's described ones that the unknown-code
# case tries (bounded: a description may spread its codes widely).
NEIGHBOUR_FUNCTIONS = 64


def unknown_codes(device):
    """(code, why) pairs the device does not define, from its description:
    every described code with another Method or another Access, the
    undescribed functions among and just around its own, 0 and 0xFFFFFFFF."""
    described = {io.code for io in device.ioctls}
    out = {}

    def add(code, why):
        code &= 0xFFFFFFFF
        if code not in described and code not in out:
            out[code] = why
    functions = sorted(code_parts(io.code)[1] for io in device.ioctls)
    if functions:
        lo = max(0, functions[0] - 1)
        for fn in range(lo, min(functions[-1] + 1, lo + NEIGHBOUR_FUNCTIONS, 0xFFF) + 1):
            add(ctl_code(device.device_type, fn, DEFS.METHOD_BUFFERED, DEFS.FILE_ANY_ACCESS),
                "undescribed function %d" % fn)
    for io in device.ioctls:
        dt, fn, method, access = code_parts(io.code)
        for m in range(4):
            add(ctl_code(dt, fn, m, access), "%s with %s" % (io.short_name, DEFS.tables["METHOD"][m]))
        for a in range(4):
            add(ctl_code(dt, fn, method, a), "%s with %s" % (io.short_name, DEFS.tables["ACCESS"][a]))
    add(0, "zero")
    add(0xFFFFFFFF, "all ones")
    return list(out.items())


def other_device_type_codes(device):
    """(code, why): each described code under another DeviceType (the next
    one, and every other shipped profile's), none of them described."""
    described = {io.code for dev in shipped().devices for io in dev.ioctls} | {io.code for io in device.ioctls}
    types = sorted({(device.device_type + 1) & 0xFFFF} | {d.device_type for d in shipped().devices}
                   - {device.device_type})
    out = []
    for io in device.ioctls:
        _, fn, method, access = code_parts(io.code)
        for dt in types:
            code = ctl_code(dt, fn, method, access)
            if code not in described:
                out.append((code, "%s with DeviceType 0x%X" % (io.short_name, dt)))
    return out
