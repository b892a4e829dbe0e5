"""Device descriptions (devices/*.riodev, format in devices/README.md).

The same reading as the C library lib/riodev: the same syntax (GLib's key
file, with every group and key once), the same checks and the same error
messages, the same decoded text and encoded bytes.  devices/tests holds the
two to each other on every shipped description.

    devs = load_default()                      # or load_dir(), load_file()
    io = devs.find_ioctl_by_name("SET_BAUD_RATE")
    data = io.input.encode(["BaudRate=9600"])
    for v in io.input.decode(data): print(v.field.name, v.text)

`python3 -m pyrio.devdesc check FILE...` checks description files.
"""
import json
import os
import re
import stat
import sys

from pyrio.riodefs import DEFS

SUFFIX = ".riodev"
PATH_ENV = "RIO_DEVICE_PATH"
FILE_MAX = 1024 * 1024
NAME_MAX = 64

_HERE = os.path.dirname(os.path.abspath(__file__))
# Without RIO_DEVICE_PATH, the first of these that holds the shipped
# toaster.riodev: the source tree's devices/ (when this pyrio is the source
# tree's), then <prefix>/share/rio/devices, where the toolkit installs them
# (lib/riodev has its install directory compiled in), for each folder above
# this one first (an installed pyrio finds its own installation's), then
# for Python's prefix, /usr/local and /usr.
_ANCESTORS = [os.path.dirname(_HERE)]
while os.path.dirname(_ANCESTORS[-1]) != _ANCESTORS[-1]:
    _ANCESTORS.append(os.path.dirname(_ANCESTORS[-1]))
_CANDIDATES = [os.path.join(os.path.dirname(_HERE), "devices")] + [
    os.path.join(prefix, "share", "rio", "devices") for prefix in _ANCESTORS + [sys.prefix, "/usr/local", "/usr"]]

INT_TYPES = ["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"]
ARRAY_TYPES = ["char", "bytes", "pad"]
_SPACE = " \t\n\v\f\r"
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_DEVNAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_NUMBER = re.compile(r"(0[xX][0-9A-Fa-f]+|[0-9]+)\Z")
_KINDS = ["ioctl", "struct", "enum", "flags"]
METHODS = {name: value for value, name in DEFS.tables["METHOD"].items()}
ACCESSES = {name: value for value, name in DEFS.tables["ACCESS"].items()}
FILTER_PREFIX = "rio.dev."


class DescriptionError(Exception):
    """A bad description; str() is the one-line message the C library gives."""


class EncodeError(ValueError):
    pass


def _msg(path, line, group, key, what):
    s = path
    if line:
        s += ":%d" % line
    s += ": "
    if group is not None:
        s += "[%s]%s" % (group, " " if key else ": ")
    if key:
        s += "%s: " % key
    # One line, whatever a value held: control characters as \xHH.
    return re.sub("[\x00-\x1f\x7f]", lambda m: "\\x%02x" % ord(m.group()), s + what)


def is_ident(s):
    return bool(_IDENT.match(s)) and len(s) <= NAME_MAX


def is_device_name(s):
    return bool(_DEVNAME.match(s)) and len(s) <= NAME_MAX


def parse_u64(s):
    """Decimal or 0x hex, nothing else; None when not."""
    if not _NUMBER.match(s):
        return None
    v = int(s, 16) if s[:2] in ("0x", "0X") else int(s, 10)
    return v if v < 1 << 64 else None


def parse_int(s):
    neg = s.startswith("-")
    mag = parse_u64(s[1:] if neg else s)
    return None if mag is None else (mag, neg)


def int_size(t):
    return 1 << (INT_TYPES.index(t) & 3)


def is_signed(t):
    return t.startswith("i")


def fit_int(t, mag, neg):
    """The raw 64-bit pattern of the literal in type t (signed: sign-
    extended two's complement), or None when it does not fit."""
    width = 8 * int_size(t)
    if is_signed(t):
        maxpos = (1 << (width - 1)) - 1
        if mag > (maxpos + 1 if neg else maxpos):
            return None
        return ((1 << 64) - mag) % (1 << 64) if neg else mag
    if neg and mag != 0:
        return None
    return mag if mag >> width == 0 else None


def as_signed(v):
    return v - (1 << 64) if v >> 63 else v


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(s):
    """ASCII-only case folding, as g_ascii_strcasecmp compares."""
    return s.translate(_ASCII_LOWER)


def snake_case(name):
    """SerialNumber -> serial_number, DTRState -> dtr_state (as the C)."""
    out = []
    for i, c in enumerate(name):
        if "A" <= c <= "Z" and i > 0:
            prev = name[i - 1]
            nxt = name[i + 1] if i + 1 < len(name) else ""
            boundary = prev.islower() or prev.isdigit() or (prev.isupper() and nxt.islower())
            if boundary and out and out[-1] != "_":
                out.append("_")
        out.append(c.lower() if c.isascii() else c)
    return "".join(out)


def _unescape(raw):
    """GKeyFile's string escapes: \\s \\n \\t \\r \\\\; else an error."""
    out, i = [], 0
    table = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}
    while i < len(raw):
        c = raw[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        if i + 1 >= len(raw):
            raise ValueError("")  # the value ends in a backslash
        if raw[i + 1] not in table:
            raise ValueError(raw[i + 1])
        out.append(table[raw[i + 1]])
        i += 2
    return "".join(out)


# ---- the model ----------------------------------------------------------------

class Names:
    def __init__(self, name, is_flags, items, device):
        self.name, self.is_flags, self.items, self.device = name, is_flags, items, device
        self.max = max(v for _, v in items)

    def lookup(self, value):
        for n, v in self.items:
            if v == value:
                return n
        return None

    def value_of(self, word):
        """NAME or GROUP_NAME, any case; None when not a value name."""
        w = fold(word)
        for n, v in self.items:
            if w == fold(n) or w == fold(self.name + "_" + n):
                return v
        return None


class Field:
    def __init__(self, name):
        self.name = name
        self.filter = None
        self.filter_index = -1
        self.type = None
        self.offset = 0
        self.size = 0
        self.variable = False
        self.base = "dec"
        self.names = None
        self.range = None  # (lo, hi) as Python ints
        self.parent = None

    @property
    def is_int(self):
        return self.type in INT_TYPES

    def in_range(self, v):
        if self.range is None:
            return True
        x = as_signed(v) if is_signed(self.type) else v
        return self.range[0] <= x <= self.range[1]


class Value:
    """One decoded field: raw integer `u` (sign-extended 64-bit pattern for
    signed types), `data` bytes, and `text` as the C library words it."""

    def __init__(self, field, offset, size, data):
        self.field, self.offset, self.size, self.data = field, offset, size, data
        self.u = 0
        self.enum_name = None
        self.unknown_bits = 0
        self.in_range = True

    @property
    def value(self):
        """The Python value: int (signed types negative), str for char, bytes."""
        f = self.field
        if f.is_int:
            return as_signed(self.u) if is_signed(f.type) else self.u
        if f.type == "char":
            return self.data.split(b"\0", 1)[0].decode("latin-1")
        return self.data

    def _int_text(self, v):
        f = self.field
        if f.base == "hex":
            return "0x%0*X" % (2 * f.size, v & ((1 << (8 * f.size)) - 1))
        return str(as_signed(v) if is_signed(f.type) else v)

    @property
    def text(self):
        f = self.field
        if f.is_int and f.names is not None and not f.names.is_flags:
            return "%s (%s)" % (self.enum_name or "unknown", self._int_text(self.u))
        if f.is_int and f.names is not None:
            parts = [n for n, bit in f.names.items if self.u & bit == bit]
            if self.unknown_bits:
                parts.append("0x%X" % self.unknown_bits)
            return "%s (%s)" % ("|".join(parts) or "none", self._int_text(self.u))
        if f.is_int:
            return self._int_text(self.u)
        if f.type == "char":
            out = []
            for c in self.data.split(b"\0", 1)[0]:
                if c in (0x22, 0x5C):
                    out.append("\\" + chr(c))
                elif 0x20 <= c < 0x7F:
                    out.append(chr(c))
                else:
                    out.append("\\x%02x" % c)
            return '"' + "".join(out) + '"'
        return self.data.hex()


class Struct:
    def __init__(self, name, device):
        self.name, self.device = name, device
        self.description = ""
        self.size = 0
        self.variable = False
        self.fields = []

    def decode(self, buf):
        """The fields wholly inside buf, in order (a short buffer: those
        that are there)."""
        buf = bytes(buf)
        out = []
        for f in self.fields:
            if f.offset > len(buf) or (not f.variable and f.size > len(buf) - f.offset):
                break
            size = len(buf) - f.offset if f.variable else f.size
            v = Value(f, f.offset, size, buf[f.offset:f.offset + size])
            if f.is_int:
                v.u = int.from_bytes(v.data, "little")
                if is_signed(f.type) and v.u >> (8 * f.size - 1):
                    v.u |= ((1 << 64) - 1) ^ ((1 << (8 * f.size)) - 1)
                v.in_range = f.in_range(v.u)
                if f.names is not None and not f.names.is_flags:
                    v.enum_name = f.names.lookup(v.u)
                elif f.names is not None:
                    known = 0
                    for _, bit in f.names.items:
                        known |= bit
                    v.unknown_bits = v.u & ~known
            out.append(v)
        return out

    def field_named(self, name):
        for f in self.fields:
            part = f.filter.rsplit(".", 1)[1] if f.filter else None
            if fold(f.name) == fold(name) or snake_case(f.name) == name or part == name:
                return f
        return None

    def encode(self, assignments, unchecked=False):
        """Bytes from "Field=value" strings, or a dict {Field: value} (int,
        str, or bytes for a bytes field); as riodev_encode does."""
        if isinstance(assignments, dict):
            assignments = ["%s=%s" % (k, v.hex() if isinstance(v, (bytes, bytearray)) else v)
                           for k, v in assignments.items()]
        buf = bytearray(self.size)
        tail = b""
        given = set()
        for a in assignments:
            if "=" not in a:
                raise EncodeError("'%s' is not Field=value" % a)
            name, text = a.split("=", 1)
            name = name.strip(_SPACE)
            f = self.field_named(name)
            if f is None:
                known = ", ".join(x.name for x in self.fields if x.type != "pad")
                raise EncodeError("%s has no field %s (fields: %s)" % (self.name, name, known))
            if f.type == "pad":
                raise EncodeError("%s is padding, always zero" % f.name)
            if f.name in given:
                raise EncodeError("%s is assigned twice" % f.name)
            given.add(f.name)
            if f.is_int:
                bits = self._encode_int(f, text, unchecked)
                buf[f.offset:f.offset + f.size] = (bits & ((1 << (8 * f.size)) - 1)).to_bytes(f.size, "little")
                continue
            if f.type == "char":
                b = text.encode("utf-8")
            else:
                b = _parse_hex(text)
                if b is None:
                    raise EncodeError("%s=%s: not hex bytes" % (f.name, text))
            if not f.variable and len(b) > f.size:
                raise EncodeError("%s: %d bytes, the field holds %d" % (f.name, len(b), f.size))
            if f.variable:
                tail = b
            else:
                buf[f.offset:f.offset + len(b)] = b
        return bytes(buf) + tail

    @staticmethod
    def _encode_int(f, text, unchecked):
        n = f.names
        words = text.split("|") if n is not None and n.is_flags else [text]
        bits = 0
        for w in words:
            w = w.strip(_SPACE)
            b = n.value_of(w) if n is not None else None
            if b is None:
                p = parse_int(w)
                if p is None:
                    what = ""
                    if n is not None:
                        what = (" or a flag of " if n.is_flags else " or a value of ") + n.name
                    raise EncodeError("%s=%s: '%s' is not a number%s" % (f.name, text, w, what))
                b = fit_int(f.type, *p)
                if b is None:
                    raise EncodeError("%s=%s: does not fit %s" % (f.name, text, f.type))
            bits |= b
        if not unchecked and not f.in_range(bits):
            raise EncodeError("%s=%s: outside %d..%d" % (f.name, text, f.range[0], f.range[1]))
        return bits


def _parse_hex(text):
    out, hi = bytearray(), None
    for c in text:
        if c in " :" and hi is None:
            continue
        if c not in "0123456789abcdefABCDEF":
            return None
        if hi is None:
            hi = int(c, 16)
        else:
            out.append(hi << 4 | int(c, 16))
            hi = None
    return None if hi is not None else bytes(out)


class Ioctl:
    def __init__(self, name, device):
        self.name, self.device = name, device
        self.short_name = short_name_of(device.name, name)
        self.description = ""
        self.code = self.function = self.method = self.access = 0
        self.input = self.output = None
        self.output_fixed = self.input_exact = self.may_pend = False

    @property
    def method_name(self):
        return DEFS.tables["METHOD"][self.method]

    @property
    def access_name(self):
        return DEFS.tables["ACCESS"][self.access]


def short_name_of(device, name):
    s = name[6:] if name.startswith("IOCTL_") else name
    up = fold(device)
    if fold(s).startswith(up) and s[len(up):len(up) + 1] == "_" and len(s) > len(up) + 1:
        s = s[len(up) + 1:]
    return s


class Device:
    def __init__(self, path):
        self.path = path
        self.name = self.description = ""
        self.device_type = 0
        self.read_data = self.write_data = "bytes"
        self.ioctls, self.structs, self.names, self.filters = [], [], [], []
        self._struct_index, self._names_index = {}, {}

    def add_struct(self, s):
        self.structs.append(s)
        self._struct_index[s.name] = s

    def add_names(self, n):
        self.names.append(n)
        self._names_index[n.name] = n

    def find_struct(self, name):
        return self._struct_index.get(name)

    def find_names(self, name):
        return self._names_index.get(name)


# ---- reading a file -----------------------------------------------------------

class _Group:
    def __init__(self, name, line):
        self.name, self.line, self.keys = name, line, []  # keys: (key, raw value, line)


class _Loader:
    def __init__(self, path, devset):
        self.path, self.devset = path, devset
        self.dev = Device(path)
        self.codes = {}  # IOCTL code -> Ioctl, of this file

    def fail(self, line, group, key, what):
        raise DescriptionError(_msg(self.path, line, group, key, what))

    # The line scan: GKeyFile's syntax, every group and key once.
    def scan(self, text):
        groups, cur, seen_groups, seen_keys = [], None, {}, {}
        for lineno, line in enumerate(text.split("\n"), 1):
            if line.endswith("\r"):
                line = line[:-1]
            p = line.lstrip(_SPACE)
            if not p or p[0] == "#":
                continue
            if p[0] == "[":
                close = p.find("]")
                if close < 0 or p[close + 1:].strip(" \t"):
                    self.fail(lineno, None, None, "not a [group] line")
                name = p[1:close]
                if self.kind_of(name) is None:
                    self.fail(lineno, name, None,
                              "unknown group (device, ioctl NAME, struct NAME, enum NAME, flags NAME)")
                if name in seen_groups:
                    self.fail(lineno, name, None, "group repeated (first at line %d)" % seen_groups[name])
                cur = _Group(name, lineno)
                groups.append(cur)
                seen_groups[name] = lineno
                seen_keys = {}
                continue
            eq = p.find("=")
            if eq <= 0:
                self.fail(lineno, None, None, "not a key=value, [group] or # comment line")
            if cur is None:
                self.fail(lineno, None, None, "key=value before the first [group]")
            key = p[:eq].rstrip(_SPACE)
            if not is_ident(key):
                self.fail(lineno, cur.name, None,
                          "'%s' is not a key name ([A-Za-z_][A-Za-z0-9_]*, at most %d)" % (key, NAME_MAX))
            if key in seen_keys:
                self.fail(lineno, cur.name, key, "key repeated (first at line %d)" % seen_keys[key])
            seen_keys[key] = lineno
            cur.keys.append((key, p[eq + 1:].lstrip(_SPACE), lineno))
        return groups

    def value(self, g, key, raw, line):
        try:
            return _unescape(raw).strip(_SPACE)
        except ValueError as e:
            bad = str(e)
            if bad == "":
                self.fail(line, g.name, key, "'\\' at the end of the value")
            self.fail(line, g.name, key, "invalid escape '\\%s'" % bad)

    def get(self, g, key, required=False):
        """(value, line), or (None, None) when absent."""
        for k, raw, line in g.keys:
            if k == key:
                return self.value(g, k, raw, line), line
        if required:
            self.fail(g.line, g.name, None, "missing key %s" % key)
        return None, None

    def known_keys(self, g, allowed):
        for k, _, line in g.keys:
            if k not in allowed:
                self.fail(line, g.name, k, "unknown key")

    def get_bool(self, g, key):
        v, line = self.get(g, key)
        if v is None:
            return None
        if v not in ("true", "false"):
            self.fail(line, g.name, key, "'%s' is not true or false" % v)
        return v == "true"

    def load(self, data):
        if len(data) > FILE_MAX:
            self.fail(0, None, None, "larger than %d bytes" % FILE_MAX)
        if b"\0" in data:
            self.fail(0, None, None, "holds a NUL byte")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            self.fail(0, None, None, "not UTF-8 text")
        groups = self.scan(text)
        kinds, dev_group = [], None
        for g in groups:
            kind = self.kind_of(g.name)  # the scan checked it
            kinds.append(kind)
            if kind[0] == "device":
                dev_group = g
        if dev_group is None:
            self.fail(0, None, None, "no [device] group")
        self.load_device(dev_group)
        for g, (kind, ident) in zip(groups, kinds):
            if kind in ("enum", "flags"):
                if self.dev.find_names(ident):
                    self.fail(g.line, g.name, None, "%s is already an enum or flags group" % ident)
                self.dev.add_names(self.load_names(g, ident, kind == "flags"))
        struct_groups = []
        for g, (kind, ident) in zip(groups, kinds):
            if kind == "struct":
                self.dev.add_struct(self.load_struct(g, ident))
                struct_groups.append(g)
        ioctl_groups = []
        for g, (kind, ident) in zip(groups, kinds):
            if kind == "ioctl":
                self.dev.ioctls.append(self.load_ioctl(g, ident))
                ioctl_groups.append(g)
        self.index_filters(struct_groups)
        self.check_against_set(dev_group, ioctl_groups)
        return self.dev

    @staticmethod
    def kind_of(name):
        if name == "device":
            return ("device", None)
        for k in _KINDS:
            if name.startswith(k + " ") and is_ident(name[len(k) + 1:]):
                return (k, name[len(k) + 1:])
        return None

    def load_device(self, g):
        self.known_keys(g, ("Name", "DeviceType", "Description", "ReadData", "WriteData"))
        name, nline = self.get(g, "Name", True)
        dtype, tline = self.get(g, "DeviceType", True)
        desc, _ = self.get(g, "Description")
        hints = [self.get(g, "ReadData"), self.get(g, "WriteData")]
        if not is_device_name(name):
            self.fail(nline, g.name, "Name",
                      "'%s' is not a device name ([a-z][a-z0-9_]*, at most %d)" % (name, NAME_MAX))
        v = parse_u64(dtype)
        if v is None or v > 0xFFFF:
            self.fail(tline, g.name, "DeviceType", "'%s' is not a number 0..0xFFFF" % dtype)
        d = self.dev
        d.name, d.device_type, d.description = name, v, desc or ""
        for (h, line), key in zip(hints, ("ReadData", "WriteData")):
            if h is not None and h not in ("bytes", "text"):
                self.fail(line, g.name, key, "'%s' is not bytes or text" % h)
        d.read_data = hints[0][0] or "bytes"
        d.write_data = hints[1][0] or "bytes"

    def load_names(self, g, ident, is_flags):
        if not g.keys:
            self.fail(g.line, g.name, None, "no values")
        items, seen = [], {}
        for k, raw, line in g.keys:
            v = self.value(g, k, raw, line)
            num = parse_u64(v)
            if num is None:
                self.fail(line, g.name, k, "'%s' is not a number" % v)
            if is_flags and num == 0:
                self.fail(line, g.name, k, "a flag must have a bit set")
            if num in seen:
                self.fail(line, g.name, k, "value 0x%X is also %s" % (num, seen[num]))
            seen[num] = k
            items.append((k, num))
        return Names(ident, is_flags, items, self.dev)

    def parse_field(self, g, line, spec):
        parts = [p.strip(_SPACE) for p in spec.split(":")]

        def bad(what):
            self.fail(line, g.name, "Fields", what)
        if len(parts) < 2:
            bad("'%s' is not Name:type[:option...]" % spec)
        if not is_ident(parts[0]):
            bad("'%s' is not a field name ([A-Za-z_][A-Za-z0-9_]*, at most %d)" % (parts[0], NAME_MAX))
        f = Field(parts[0])
        t = parts[1]
        if t in INT_TYPES:
            f.type, f.size = t, int_size(t)
        else:
            m = re.match(r"(char|bytes|pad)\[(.*)\]\Z", t, re.S)
            if not m:
                bad("field %s: unknown type '%s' (u8..u64, i8..i64, char[N], bytes[N], pad[N], char[], bytes[])"
                    % (f.name, t))
            f.type = m.group(1)
            num = m.group(2)
            if num == "" and f.type != "pad":
                f.variable = True
            else:
                n = parse_u64(num)
                if n is None or n == 0 or n > DEFS.DATA_MAX:
                    bad("field %s: '%s': the length must be 1..%d" % (f.name, t, DEFS.DATA_MAX))
                f.size = n
        filt, based = None, False
        for o in parts[2:]:
            oname, eq, oval = o.partition("=")
            if oname in ("hex", "dec") and not eq:
                if not f.is_int:
                    bad("field %s: %s is for integer fields" % (f.name, oname))
                if based:
                    bad("field %s: more than one of hex, dec" % f.name)
                f.base, based = oname, True
            elif oname in ("enum", "flags") and eq:
                want_flags = oname == "flags"
                nm = self.dev.find_names(oval)
                if not f.is_int:
                    bad("field %s: %s= is for integer fields" % (f.name, oname))
                if f.names is not None:
                    bad("field %s: more than one enum= or flags=" % f.name)
                if nm is None:
                    bad("field %s: no [%s %s] in this file" % (f.name, oname, oval))
                if nm.is_flags != want_flags:
                    bad("field %s: %s is a%s group, not %s" % (
                        f.name, oval, " flags" if nm.is_flags else "n enum", "flags" if want_flags else "an enum"))
                for n, v in (nm.items if fit_int(f.type, nm.max, False) is None else ()):
                    if fit_int(f.type, v, False) is None:
                        bad("field %s: %s %s=0x%X does not fit %s" % (f.name, oval, n, v, f.type))
                f.names = nm
            elif oname == "range" and eq:
                lo, dots, hi = oval.partition("..")
                if not f.is_int:
                    bad("field %s: range= is for integer fields" % f.name)
                if f.range is not None:
                    bad("field %s: more than one range=" % f.name)
                plo, phi = parse_int(lo), parse_int(hi)
                blo = fit_int(f.type, *plo) if plo and dots else None
                bhi = fit_int(f.type, *phi) if phi and dots else None
                if blo is None or bhi is None:
                    bad("field %s: range '%s' is not LO..HI within %s" % (f.name, oval, f.type))
                if is_signed(f.type):
                    blo, bhi = as_signed(blo), as_signed(bhi)
                if blo > bhi:
                    bad("field %s: range '%s' is empty" % (f.name, oval))
                f.range = (blo, bhi)
            elif oname == "filter" and eq:
                if f.type == "pad":
                    bad("field %s: a pad field has no filter name" % f.name)
                if filt is not None:
                    bad("field %s: more than one filter=" % f.name)
                if not is_device_name(oval):
                    bad("field %s: filter '%s' is not [a-z][a-z0-9_]*" % (f.name, oval))
                filt = oval
            else:
                bad("field %s: unknown option '%s' (hex, dec, enum=, flags=, range=, filter=)" % (f.name, o))
        if f.type != "pad":
            f.filter = "%s%s.%s" % (FILTER_PREFIX, self.dev.name, filt or snake_case(f.name))
        return f

    def load_struct(self, g, ident):
        self.known_keys(g, ("Fields", "Size", "Description"))
        fields, fline = self.get(g, "Fields", True)
        size, sline = self.get(g, "Size")
        desc, _ = self.get(g, "Description")
        s = Struct(ident, self.dev)
        s.description = desc or ""
        off, seen = 0, set()
        for spec in fields.split(";"):
            spec = spec.strip(_SPACE)
            if not spec:
                continue
            f = self.parse_field(g, fline, spec)
            if f.name in seen:
                self.fail(fline, g.name, "Fields", "field %s appears twice" % f.name)
            seen.add(f.name)
            if s.fields and s.fields[-1].variable:
                self.fail(fline, g.name, "Fields", "field %s follows the variable-length field %s"
                          % (f.name, s.fields[-1].name))
            f.offset = off
            off += f.size
            if off > DEFS.DATA_MAX:
                self.fail(fline, g.name, "Fields", "field %s ends at byte %d, over the %d-byte data limit"
                          % (f.name, off, DEFS.DATA_MAX))
            f.parent = s
            s.fields.append(f)
        if not s.fields:
            self.fail(fline, g.name, "Fields", "no fields")
        s.size = off
        s.variable = s.fields[-1].variable
        if size is not None and (parse_u64(size) != off or s.variable):
            self.fail(sline, g.name, "Size", "'%s' but the fields make %s%d bytes"
                      % (size, "at least " if s.variable else "", off))
        return s

    def struct_ref(self, g, key):
        v, line = self.get(g, key)
        if v is None or v == "none":
            return None
        s = self.dev.find_struct(v)
        if s is None:
            self.fail(line, g.name, key, "no [struct %s] in this file" % v)
        return s

    @staticmethod
    def parse_part(v, table, may_join):
        """A name of rio.h's table or 0..3; Access may join them with '|'."""
        out = 0
        for w in (v.split("|") if may_join else [v]):
            w = w.strip(_SPACE)
            n = table.get(w, parse_u64(w))
            if n is None or n > 3:
                return None
            out |= n
        return out

    def load_ioctl(self, g, ident):
        self.known_keys(g, ("Code", "Function", "Method", "Access", "Input", "Output", "OutputFixed",
                            "InputExact", "MayPend", "Description"))
        d = self.dev
        code, cline = self.get(g, "Code")
        fn, fline = self.get(g, "Function")
        method, mline = self.get(g, "Method")
        access, aline = self.get(g, "Access")
        desc, _ = self.get(g, "Description")
        io = Ioctl(ident, d)
        io.description = desc or ""
        c, f, m, a = 0, 0, DEFS.METHOD_BUFFERED, DEFS.FILE_ANY_ACCESS
        if code is None and fn is None:
            self.fail(g.line, g.name, None, "needs Code or Function")
        if code is not None:
            c = parse_u64(code)
            if c is None or c > 0xFFFFFFFF:
                self.fail(cline, g.name, "Code", "'%s' is not a 32-bit number" % code)
            if c >> 16 != d.device_type:
                self.fail(cline, g.name, "Code", "0x%08X has DeviceType 0x%X, the device's is 0x%X"
                          % (c, c >> 16, d.device_type))
        if fn is not None:
            f = parse_u64(fn)
            if f is None or f > 0xFFF:
                self.fail(fline, g.name, "Function", "'%s' is not a number 0..0xFFF" % fn)
        if method is not None:
            m = self.parse_part(method, METHODS, False)
            if m is None:
                self.fail(mline, g.name, "Method", "'%s' is not METHOD_* or 0..3" % method)
        if access is not None:
            a = self.parse_part(access, ACCESSES, True)
            if a is None:
                self.fail(aline, g.name, "Access", "'%s' is not FILE_*_ACCESS or 0..3" % access)
        if code is not None:
            for key, given, have, want in (("Function", fn, f, (c >> 2) & 0xFFF),
                                           ("Method", method, m, c & 3),
                                           ("Access", access, a, (c >> 14) & 3)):
                if given is not None and have != want:
                    self.fail(cline, g.name, "Code", "0x%08X has %s 0x%X, but %s=%s" % (c, key, want, key, given))
            io.code = c
        else:
            io.code = (d.device_type << 16) | (a << 14) | (f << 2) | m
        io.function, io.method, io.access = (io.code >> 2) & 0xFFF, io.code & 3, (io.code >> 14) & 3
        other = self.codes.setdefault(io.code, io)
        if other is not io:
            self.fail(cline if code is not None else fline, g.name, "Code" if code is not None else "Function",
                      "code 0x%08X is also %s" % (io.code, other.name))
        io.input = self.struct_ref(g, "Input")
        io.output = self.struct_ref(g, "Output")
        of, ie, mp = self.get_bool(g, "OutputFixed"), self.get_bool(g, "InputExact"), self.get_bool(g, "MayPend")
        if of and (io.output is None or io.output.variable):
            self.fail(self.get(g, "OutputFixed")[1], g.name, "OutputFixed", "needs a fixed-size Output")
        if ie and (io.input is None or io.input.variable):
            self.fail(self.get(g, "InputExact")[1], g.name, "InputExact", "needs a fixed-size Input")
        io.output_fixed = of if of is not None else bool(io.output and not io.output.variable)
        io.input_exact = ie if ie is not None else bool(io.input and not io.input.variable)
        io.may_pend = bool(mp)
        return io

    def index_filters(self, struct_groups):
        by_filter = {}
        for s, g in zip(self.dev.structs, struct_groups):
            for f in s.fields:
                if f.filter is None:
                    continue
                if f.filter in by_filter:
                    rep = self.dev.filters[by_filter[f.filter]]
                    if (rep.type, rep.base, rep.names) != (f.type, f.base, f.names):
                        self.fail(self.get(g, "Fields")[1], g.name, "Fields",
                                  "field %s: filter name %s is also %s.%s, of another type, base or enum/flags "
                                  "(rename one or give it filter=)" % (f.name, f.filter, rep.parent.name, rep.name))
                    f.filter_index = by_filter[f.filter]
                else:
                    f.filter_index = by_filter[f.filter] = len(self.dev.filters)
                    self.dev.filters.append(f)

    def check_against_set(self, dev_group, ioctl_groups):
        d = self.dev
        for o in self.devset.devices:
            if o.name == d.name:
                self.fail(self.get(dev_group, "Name")[1], dev_group.name, "Name",
                          "device %s is already described by %s" % (d.name, o.path))
            codes = {io.code: io for io in o.ioctls}
            names = {fold(io.name) for io in o.ioctls}
            for io, g in zip(d.ioctls, ioctl_groups):
                if io.code in codes:
                    self.fail(g.line, g.name, None, "code 0x%08X is also %s of %s (%s)"
                              % (io.code, codes[io.code].name, o.name, o.path))
                if fold(io.name) in names:
                    self.fail(g.line, g.name, None, "name also used by device %s (%s)" % (o.name, o.path))


# ---- sets ---------------------------------------------------------------------

class DeviceSet:
    def __init__(self):
        self.devices = []

    def add_data(self, name, data):
        """Add one description (bytes); all of it or, on error, nothing."""
        self.devices.append(_Loader(name, self).load(data))

    def add_file(self, path):
        try:
            st = os.stat(path)
        except OSError as e:
            raise DescriptionError("%s: %s" % (path, e.strerror)) from None
        if not stat.S_ISREG(st.st_mode):
            raise DescriptionError("%s: not a regular file" % path)
        if st.st_size > FILE_MAX:
            raise DescriptionError("%s: larger than %d bytes" % (path, FILE_MAX))
        with open(path, "rb") as fh:
            self.add_data(path, fh.read())

    def add_dir(self, path):
        """Every *.riodev in name order; the good ones are added even when
        some are bad, whose messages (one line each) the error holds."""
        try:
            names = sorted(n for n in os.listdir(path) if n.endswith(SUFFIX) and not n.startswith("."))
        except OSError as e:
            raise DescriptionError("%s: %s" % (path, e.strerror)) from None
        errors = []
        for n in names:
            try:
                self.add_file(os.path.join(path, n))
            except DescriptionError as e:
                errors.append(str(e))
        if errors:
            raise DescriptionError("\n".join(errors))

    def find_device(self, name):
        return next((d for d in self.devices if d.name == name), None)

    def find_ioctl(self, code):
        for d in self.devices:
            for io in d.ioctls:
                if io.code == code:
                    return io
        return None

    def find_ioctl_by_name(self, name):
        """Full name, short name or device.SHORT_NAME, any case; KeyError
        when unknown or ambiguous."""
        dev, dot, want = name.partition(".")
        if not dot:
            dev, want = None, name
        found = []
        for d in self.devices:
            if dev is not None and d.name != dev:
                continue
            for io in d.ioctls:
                w = fold(want)
                if fold(io.name) == w:
                    return io
                if fold(io.short_name) == w or (w.startswith("ioctl_") and fold(io.short_name) == w[6:]):
                    found.append(io)
        if len(found) > 1:
            raise KeyError("IOCTL %s is ambiguous: %s (%s) or %s (%s)"
                           % (name, found[0].name, found[0].device.name, found[1].name, found[1].device.name))
        if not found:
            raise KeyError("no described IOCTL is named %s" % name)
        return found[0]

    def ioctls(self):
        return [io for d in self.devices for io in d.ioctls]


def default_dirs():
    env = os.environ.get(PATH_ENV)
    if env is not None:
        return [p for p in env.split(":") if p]
    return [next((c for c in _CANDIDATES if os.path.isdir(c) and os.path.exists(os.path.join(c, "toaster" + SUFFIX))),
                 _CANDIDATES[-1])]


def load_file(path):
    s = DeviceSet()
    s.add_file(path)
    return s


def load_dir(path):
    s = DeviceSet()
    s.add_dir(path)
    return s


def load_default():
    s = DeviceSet()
    for d in default_dirs():
        s.add_dir(d)
    return s


# ---- canonical JSON (riodev-dump's) -------------------------------------------

def dump_set(devset):
    def field(f):
        return {"name": f.name, "filter": f.filter, "type": f.type, "offset": f.offset, "size": f.size,
                "variable": f.variable, "base": f.base, "names": f.names.name if f.names else None,
                "range": list(f.range) if f.range else None}

    def device(d):
        return {
            "name": d.name, "device_type": d.device_type, "description": d.description,
            "read_data": d.read_data, "write_data": d.write_data,
            "ioctls": [{"name": io.name, "short_name": io.short_name, "description": io.description,
                        "code": io.code, "function": io.function, "method": io.method_name,
                        "access": io.access_name, "input": io.input.name if io.input else None,
                        "output": io.output.name if io.output else None, "output_fixed": io.output_fixed,
                        "input_exact": io.input_exact, "may_pend": io.may_pend} for io in d.ioctls],
            "structs": [{"name": s.name, "description": s.description, "size": s.size, "variable": s.variable,
                         "fields": [field(f) for f in s.fields]} for s in d.structs],
            "names": [{"name": n.name, "kind": "flags" if n.is_flags else "enum",
                       "values": [[k, v] for k, v in n.items]} for n in d.names],
            "filters": [f.filter for f in d.filters],
        }
    return {"devices": [device(d) for d in devset.devices]}


def decode_json(struct, buf):
    vals = struct.decode(buf)
    used = vals[-1].offset + vals[-1].size if vals else 0
    return {"fields": [{"name": v.field.name, "offset": v.offset, "size": v.size, "text": v.text,
                        "in_range": v.in_range} for v in vals], "used": used}


def main(argv):
    """check FILE|DIR...: one line per error, exit 1 on any; dump: JSON."""
    if len(argv) < 2 or argv[0] not in ("check", "dump"):
        sys.stderr.write("usage: python3 -m pyrio.devdesc check|dump PATH...\n")
        return 2
    s, bad = DeviceSet(), False
    for p in argv[1:]:
        try:
            s.add_dir(p) if os.path.isdir(p) else s.add_file(p)
        except DescriptionError as e:
            sys.stderr.write("%s\n" % e)
            bad = True
    if bad:
        return 1
    if argv[0] == "dump":
        print(json.dumps(dump_set(s)))
    else:
        print("%d devices, %d IOCTLs: ok" % (len(s.devices), len(s.ioctls())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
