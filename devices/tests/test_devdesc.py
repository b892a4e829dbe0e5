"""Device descriptions have one reading: pyrio/devdesc.py and the C library
lib/riodev (through its riodev-dump tool) agree on every shipped file, on
the made-up widget, on hundreds of mutants of them, on decoding random
buffers and on encoding; and include/rio/rio.h's hand-written constants
are the descriptions' (so the two copies cannot drift apart).

    /usr/bin/python3 -m pytest devices/tests --rio-build build
"""
import json
import os
import random
import re
import subprocess
import sys

import pytest

from pyrio import devdesc
from pyrio.devdesc import DescriptionError, EncodeError
from pyrio.riodefs import DEFS

HERE = os.path.dirname(os.path.abspath(__file__))
DEVICES = os.path.dirname(HERE)
TOP = os.path.dirname(DEVICES)
WIDGET = os.path.join(HERE, "widget.riodev")
SHIPPED = sorted(os.path.join(DEVICES, n) for n in os.listdir(DEVICES) if n.endswith(devdesc.SUFFIX))


@pytest.fixture(scope="module")
def dump_tool(rio_build):
    path = os.path.join(rio_build, "lib", "riodev", "riodev-dump")
    if not os.access(path, os.X_OK):
        pytest.fail("%s not built (cmake --build %s --target riodev-dump)" % (path, rio_build))

    def run(*args, check=True):
        p = subprocess.run([path, *args], capture_output=True, text=True, timeout=120)
        if check:
            assert p.returncode == 0, p.stderr
        return p
    return run


@pytest.fixture(scope="module")
def shipped():
    return devdesc.load_dir(DEVICES)


@pytest.fixture(scope="module")
def widget():
    return devdesc.load_file(WIDGET)


# ---- one reading of every file ----------------------------------------------------

def test_shipped_files_are_toaster_and_serial(shipped):
    assert [os.path.basename(p) for p in SHIPPED] == ["serial.riodev", "toaster.riodev"]
    assert [d.name for d in shipped.devices] == ["serial", "toaster"]
    assert [len(d.ioctls) for d in shipped.devices] == [14, 5]


@pytest.mark.parametrize("path", [DEVICES, WIDGET])
def test_c_and_python_read_the_same(dump_tool, path):
    c = json.loads(dump_tool("dump", path).stdout)
    py = devdesc.dump_set(devdesc.load_dir(path) if os.path.isdir(path) else devdesc.load_file(path))
    assert c == py


def _bad_cases():
    with open(os.path.join(HERE, "bad-cases.txt"), encoding="utf-8") as f:
        parts = f.read().split("\n=== ")[1:]
    cases = []
    for i, part in enumerate(parts):
        message, nl, text = part.partition("\n")
        if i + 1 < len(parts) and text:
            text += "\n"
        cases.append(pytest.param(text, message, id="%02d" % i))
    return cases


@pytest.mark.parametrize("text,message", _bad_cases())
def test_bad_description_message(text, message):
    s = devdesc.DeviceSet()
    with pytest.raises(DescriptionError) as e:
        s.add_data("bad.riodev", text.encode("utf-8"))
    assert str(e.value) == "bad.riodev" + message
    assert s.devices == []


@pytest.mark.parametrize("data,message", [
    (b"[device]\nName=d\0\n", "holds a NUL byte"),
    (b"[device]\nName=d\xff\n", "not UTF-8 text"),
    (b"[device]\nName=d\xed\xa0\x80\n", "not UTF-8 text"),  # an encoded surrogate
])
def test_bad_bytes(data, message):
    with pytest.raises(DescriptionError, match="^bad.riodev: %s$" % message):
        devdesc.DeviceSet().add_data("bad.riodev", data)


def _mutants(rng, text, count):
    """Random edits of a description: characters the syntax cares about,
    any byte, truncation."""
    pool = b"=[];:.\n#\\xX09azAZ_ \t-|"
    for _ in range(count):
        m = bytearray(text)
        for _ in range(rng.randint(1, 4)):
            if not m:
                break
            at = rng.randrange(len(m))
            kind = rng.randrange(4)
            if kind == 0:
                m[at] = rng.choice(pool)
            elif kind == 1:
                m[at] = rng.randrange(1, 256)
            elif kind == 2:
                m.insert(at, rng.choice(pool))
            else:
                del m[at:]
        yield bytes(m)


def test_mutants_read_the_same(dump_tool, tmp_path):
    """Every mutant: the same dump from both, or the same error line."""
    rng = random.Random(13)
    paths = []
    for src in SHIPPED + [WIDGET]:
        with open(src, "rb") as f:
            text = f.read()
        for m in _mutants(rng, text, 300):
            p = tmp_path / ("m%04d.riodev" % len(paths))
            p.write_bytes(m)
            paths.append(str(p))
    c_lines = dump_tool("each", *paths).stdout.split("\n")[:-1]
    assert len(c_lines) == len(paths)
    ok = bad = 0
    for path, c in zip(paths, c_lines):
        try:
            py = json.dumps(devdesc.dump_set(devdesc.load_file(path)), separators=(",", ":"))
            ok += 1
            assert json.loads(c) == json.loads(py), path
        except DescriptionError as e:
            bad += 1
            assert c == str(e), path
    assert ok > 50 and bad > 500  # both outcomes are exercised


# ---- decoding and encoding ------------------------------------------------------

def _structs(devset):
    return [("%s.%s" % (d.name, s.name), s) for d in devset.devices for s in d.structs]


def test_decode_the_same(dump_tool, shipped, widget):
    """Random buffers of every length up to a struct's size + 3, and the
    boundary values of every field: the same fields and texts."""
    rng = random.Random(7)
    for path, devset in ((DEVICES, shipped), (WIDGET, widget)):
        for name, s in _structs(devset):
            bufs = [bytes(rng.randrange(256) for _ in range(n)) for n in range(s.size + 4) for _ in range(4)]
            bufs += [b"\xff" * (s.size + 5), b"\x00" * s.size, b"\x80" * s.size]
            lines = dump_tool("decode", path, name, *[b.hex() for b in bufs]).stdout.split("\n")[:-1]
            assert len(lines) == len(bufs)
            for buf, line in zip(bufs, lines):
                assert json.loads(line) == devdesc.decode_json(s, buf), (name, buf.hex())


ENCODE_CASES = [
    ("toaster.TOASTER_INFO", ["SerialNumber=7", "ModelName=RIO Toaster", "firmware_version=0x10000"]),
    ("toaster.TOASTER_STATUS", ["State=toasting", "Darkness=10", "ToastCount=4294967295"]),
    ("toaster.TOASTER_STATUS", ["State=TOASTER_STATE_READY"]),
    ("toaster.TOASTER_STATUS", ["State=BURNT"]),
    ("toaster.TOASTER_DARKNESS_INPUT", ["Darkness=11"]),
    ("toaster.TOASTER_DARKNESS_INPUT", ["Darkness=-1"]),
    ("toaster.TOASTER_DARKNESS_INPUT", ["Darkness=0x100000000"]),
    ("toaster.TOASTER_DARKNESS_INPUT", ["Darkness=5", "DARKNESS=5"]),
    ("toaster.TOASTER_DARKNESS_INPUT", ["Brightness=5"]),
    ("toaster.TOASTER_DARKNESS_INPUT", ["Darkness"]),
    ("toaster.TOASTER_DARKNESS_INPUT", ["Darkness= 7 "]),
    ("toaster.TOASTER_INFO", ["ModelName=" + "x" * 33]),
    ("serial.SERIAL_LINE_CONTROL", ["StopBits=STOP_BITS_1_5", "Parity=mark_parity", "word_length=5"]),
    ("serial.SERIAL_LINE_CONTROL", ["WordLength=9"]),
    ("serial.SERIAL_WAIT_MASK", ["WaitMask=RXCHAR|serial_ev_dsr | 0x8000"]),
    ("serial.SERIAL_WAIT_MASK", ["WaitMask=RXCHAR||DSR"]),
    ("serial.SERIAL_WAIT_MASK", ["WaitMask=RXFULL"]),
    ("serial.SERIAL_PURGE_MASK", ["PurgeMask=SERIAL_PURGE_RXCLEAR|TXABORT"]),
    ("serial.SERIAL_STATUS", ["Errors=QUEUEOVERRUN", "EofReceived=TRUE", "HoldReasons=0x41"]),
    ("serial.SERIAL_STATUS", ["Padding=0000"]),
    ("widget.WIDGET_ALL", ["A=255", "B=0xBEEF", "D=18446744073709551615", "E=-128", "F=-2", "G=-5",
                           "H=-9223372036854775808", "Name=abcd", "Raw=01:02 ff"]),
    ("widget.WIDGET_ALL", ["G=6"]),
    ("widget.WIDGET_ALL", ["E=128"]),
    ("widget.WIDGET_ALL", ["H=9223372036854775808"]),
    ("widget.WIDGET_ALL", ["Raw=012"]),
    ("widget.WIDGET_ALL", ["Raw=0x12"]),
    ("widget.WIDGET_ALL", ["Name=\u00e9\u00e9\u00e9"]),
    ("widget.WIDGET_NOTE", ["Len=2", "Text=hi\u00e9"]),
    ("widget.WIDGET_BLOB", ["Blob="]),
    ("widget.WIDGET_BLOB", ["Blob=00 11 22 33"]),
]


@pytest.mark.parametrize("unchecked", [False, True])
@pytest.mark.parametrize("target,assign", ENCODE_CASES)
def test_encode_the_same(dump_tool, shipped, widget, target, assign, unchecked):
    dev, sname = target.split(".")
    devset, path = (widget, WIDGET) if dev == "widget" else (shipped, DEVICES)
    s = devset.find_device(dev).find_struct(sname)
    args = ["encode"] + (["--unchecked"] if unchecked else []) + [path, target] + assign
    c = dump_tool(*args, check=False)
    try:
        data = s.encode(assign, unchecked=unchecked)
    except EncodeError as e:
        assert (c.returncode, c.stdout, c.stderr) == (3, "", "riodev-dump: %s\n" % e)
        return
    assert (c.returncode, c.stdout) == (0, data.hex() + "\n"), c.stderr
    # and what was encoded decodes to what was assigned
    assert devdesc.decode_json(s, data)["used"] == len(data)


def test_round_trip_values(shipped, widget):
    s = shipped.find_device("serial").find_struct("SERIAL_STATUS")
    data = s.encode({"Errors": "QUEUEOVERRUN|BREAK", "AmountInInQueue": 4096, "WaitForImmediate": "TRUE"})
    assert len(data) == DEFS.SERIAL_STATUS_SIZE
    vals = {v.field.name: v for v in s.decode(data)}
    assert vals["Errors"].value == DEFS.SERIAL_ERROR_QUEUEOVERRUN | DEFS.SERIAL_ERROR_BREAK
    assert vals["Errors"].text == "BREAK|QUEUEOVERRUN (0x00000009)"
    assert vals["AmountInInQueue"].value == 4096
    assert vals["WaitForImmediate"].enum_name == "TRUE"
    assert vals["Padding"].data == b"\0\0"
    info = shipped.find_device("toaster").find_struct("TOASTER_INFO")
    got = info.decode(info.encode(["ModelName=" + DEFS.TOASTER_MODEL_NAME]))
    assert got[4].value == DEFS.TOASTER_MODEL_NAME
    blob = widget.find_device("widget").find_struct("WIDGET_ALL")
    assert blob.decode(blob.encode({"Raw": b"\x01\x02", "E": -3}))[9].value == b"\x01\x02\x00"
    # a short buffer: the whole fields that are there, nothing more
    assert [v.field.name for v in info.decode(b"\1" * 9)] == ["SerialNumber", "Capacity"]


# ---- lookups, paths, the command line ------------------------------------------

def test_lookup_by_name(shipped):
    baud = shipped.find_ioctl_by_name("SET_BAUD_RATE")
    assert baud.code == DEFS.IOCTL_SERIAL_SET_BAUD_RATE
    for alias in ("serial.set_baud_rate", "IOCTL_SERIAL_SET_BAUD_RATE", "ioctl_set_baud_rate"):
        assert shipped.find_ioctl_by_name(alias) is baud
    assert shipped.find_ioctl(DEFS.IOCTL_TOASTER_EJECT).short_name == "EJECT"
    with pytest.raises(KeyError, match="no described IOCTL is named toaster.SET_BAUD_RATE"):
        shipped.find_ioctl_by_name("toaster.SET_BAUD_RATE")
    both = devdesc.DeviceSet()
    both.add_data("one.riodev", b"[device]\nName=a\nDeviceType=0x22\n[ioctl IOCTL_A_X]\nFunction=0x800\n")
    both.add_data("two.riodev", b"[device]\nName=b\nDeviceType=0x22\n[ioctl IOCTL_B_X]\nFunction=0x801\n")
    with pytest.raises(KeyError, match=r"IOCTL X is ambiguous: IOCTL_A_X \(a\) or IOCTL_B_X \(b\)"):
        both.find_ioctl_by_name("X")
    assert both.find_ioctl_by_name("b.x").code == 0x00222004


def test_conflicts_between_files():
    s = devdesc.DeviceSet()
    s.add_data("one.riodev", b"[device]\nName=a\nDeviceType=0x22\n[ioctl IOCTL_A_X]\nFunction=0x800\n")
    for text, message in [
        (b"[device]\nName=a\nDeviceType=0x22\n",
         "two.riodev:2: [device] Name: device a is already described by one.riodev"),
        (b"[device]\nName=b\nDeviceType=0x22\n[ioctl IOCTL_B_X]\nFunction=0x800\n",
         "two.riodev:4: [ioctl IOCTL_B_X]: code 0x00222000 is also IOCTL_A_X of a (one.riodev)"),
        (b"[device]\nName=b\nDeviceType=0x22\n[ioctl ioctl_a_x]\nFunction=0x801\n",
         "two.riodev:4: [ioctl ioctl_a_x]: name also used by device a (one.riodev)"),
    ]:
        with pytest.raises(DescriptionError) as e:
            s.add_data("two.riodev", text)
        assert str(e.value) == message
    assert len(s.devices) == 1


def test_directory_keeps_the_good_files(dump_tool, tmp_path):
    (tmp_path / "a.riodev").write_text("[device]\nName=bad1\n")
    (tmp_path / "b.riodev").write_text("[device]\nName=good\nDeviceType=0x22\n")
    (tmp_path / "c.riodev").write_text("[device]\nName=bad2\nDeviceType=0x22\nWho=me\n")
    (tmp_path / "notes.txt").write_text("not a description")
    s = devdesc.DeviceSet()
    with pytest.raises(DescriptionError) as e:
        s.add_dir(str(tmp_path))
    assert str(e.value).split("\n") == ["%s/a.riodev:1: [device]: missing key DeviceType" % tmp_path,
                                        "%s/c.riodev:4: [device] Who: unknown key" % tmp_path]
    assert [d.name for d in s.devices] == ["good"]
    c = dump_tool("check", str(tmp_path), check=False)
    assert (c.returncode, c.stderr) == (1, str(e.value) + "\n")


def test_default_dirs(monkeypatch, tmp_path):
    monkeypatch.setenv(devdesc.PATH_ENV, "%s::%s" % (DEVICES, tmp_path))
    assert devdesc.default_dirs() == [DEVICES, str(tmp_path)]
    assert [d.name for d in devdesc.load_default().devices] == ["serial", "toaster"]
    monkeypatch.delenv(devdesc.PATH_ENV)
    assert devdesc.default_dirs() == [DEVICES]


def test_python_command_line(tmp_path):
    env = dict(os.environ, PYTHONPATH=TOP)
    p = subprocess.run([sys.executable, "-m", "pyrio.devdesc", "check", DEVICES, WIDGET],
                       capture_output=True, text=True, env=env, timeout=60)
    assert (p.returncode, p.stdout) == (0, "3 devices, 21 IOCTLs: ok\n"), p.stderr
    bad = tmp_path / "bad.riodev"
    bad.write_text("[device]\nName=x\nDeviceType=0x22\n[struct S]\nFields=A:u24\n")
    p = subprocess.run([sys.executable, "-m", "pyrio.devdesc", "check", str(bad)],
                       capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 1
    assert p.stderr == "%s:5: [struct S] Fields: field A: unknown type 'u24' (u8..u64, i8..i64, char[N], " \
                       "bytes[N], pad[N], char[], bytes[])\n" % bad


# ---- rio.h says the same as the descriptions ------------------------------------

def test_rio_h_ioctls_are_the_described_ones(shipped):
    """Every RIO_IOCTL_* of rio.h's table is described with its name and
    code, and every described IOCTL is in the table."""
    in_h = {name: code for code, name in DEFS.tables["IOCTL"].items()}
    described = {io.name: io.code for io in shipped.ioctls()}
    assert in_h == described
    for name, code in described.items():
        assert DEFS.values[name] == code  # the #define RIO_<name> itself


DEVICE_TYPES = {"toaster": "FILE_DEVICE_UNKNOWN", "serial": "FILE_DEVICE_SERIAL_PORT"}


def test_rio_h_device_types(shipped):
    assert sorted(DEVICE_TYPES) == sorted(d.name for d in shipped.devices)
    for d in shipped.devices:
        assert DEFS.values[DEVICE_TYPES[d.name]] == d.device_type


# rio.h's RIO_<STRUCT>_OFF_<X> where X is not the field's name in snake case.
OFFSET_ALIASES = {
    "TOASTER_INFO": {"SERIAL": "SerialNumber", "MAX_LOAD": "MaxLoadBytes", "FIRMWARE": "FirmwareVersion",
                     "MODEL": "ModelName"},
    "TOASTER_STATUS": {"LOADED": "LoadedBytes", "READY": "ReadyBytes"},
    "SERIAL_TIMEOUTS": {"READ_INTERVAL": "ReadIntervalTimeout", "READ_MULTIPLIER": "ReadTotalTimeoutMultiplier",
                        "READ_CONSTANT": "ReadTotalTimeoutConstant",
                        "WRITE_MULTIPLIER": "WriteTotalTimeoutMultiplier",
                        "WRITE_CONSTANT": "WriteTotalTimeoutConstant"},
    "SERIAL_STATUS": {"IN_QUEUE": "AmountInInQueue", "OUT_QUEUE": "AmountInOutQueue"},
}


def test_rio_h_struct_sizes_and_offsets(shipped):
    structs = {s.name: s for d in shipped.devices for s in d.structs}
    sized = {name for name in structs if name + "_SIZE" in DEFS.values}
    assert sized >= {"TOASTER_INFO", "TOASTER_STATUS", "TOASTER_DARKNESS_INPUT", "SERIAL_LINE_CONTROL",
                     "SERIAL_TIMEOUTS", "SERIAL_STATUS"}
    for name in sized:
        assert structs[name].size == DEFS.values[name + "_SIZE"], name
    # The one-u32 structs are rio.h's SERIAL_U32_SIZE.
    for name in ("SERIAL_BAUD_RATE", "SERIAL_MODEMSTATUS", "SERIAL_WAIT_MASK", "SERIAL_WAIT_EVENTS",
                 "SERIAL_PURGE_MASK"):
        assert structs[name].size == DEFS.SERIAL_U32_SIZE
    # Every offset rio.h spells out is a described field's.
    checked = 0
    for const, value in DEFS.values.items():
        for sname, s in structs.items():
            prefix = sname + "_OFF_"
            if const.startswith(prefix):
                part = const[len(prefix):]
                fname = OFFSET_ALIASES.get(sname, {}).get(part)
                f = next((f for f in s.fields if f.name == fname or devdesc.snake_case(f.name).upper() == part),
                         None)
                assert f is not None, "rio.h RIO_%s: no such field in %s" % (const, sname)
                assert f.offset == value, const
                checked += 1
    assert checked >= 22
    assert structs["TOASTER_INFO"].fields[4].size == DEFS.TOASTER_MODEL_SIZE


# rio.h name table <-> description group; "names" when the names are the same too.
NAME_TABLES = [
    ("TOASTER_STATE", "toaster", "TOASTER_STATE", True),
    ("SERIAL_EV", "serial", "SERIAL_EV", True),
    ("SERIAL_PURGE", "serial", "SERIAL_PURGE", True),
    ("SERIAL_ERROR", "serial", "SERIAL_ERROR", True),
    ("SERIAL_MSR", "serial", "SERIAL_MODEM_STATE", True),
    ("SERIAL_STOP_BITS", "serial", "SERIAL_STOP_BITS", False),
    ("SERIAL_PARITY", "serial", "SERIAL_PARITY", False),
]


@pytest.mark.parametrize("table,device,group,same_names", NAME_TABLES)
def test_rio_h_value_names(shipped, table, device, group, same_names):
    in_h = DEFS.tables[table]
    items = dict((v, n) for n, v in shipped.find_device(device).find_names(group).items)
    assert sorted(in_h) == sorted(items)
    if same_names:
        assert in_h == items
    all_bits = DEFS.values.get(table + "_ALL")
    if all_bits is not None:
        assert all_bits == sum(items)


def test_rio_h_ranges(shipped):
    t, s = shipped.find_device("toaster"), shipped.find_device("serial")
    darkness = [f for st in t.structs for f in st.fields if f.name == "Darkness"]
    assert len(darkness) == 2
    for f in darkness:
        assert f.range == (DEFS.TOASTER_DARKNESS_MIN, DEFS.TOASTER_DARKNESS_MAX)
    wl = s.find_struct("SERIAL_LINE_CONTROL").fields[2]
    assert wl.range == (DEFS.SERIAL_WORD_LENGTH_MIN, DEFS.SERIAL_WORD_LENGTH_MAX)


# ---- the README's example is a working description --------------------------------

def _readme_example(tmp_path, readme, after=""):
    example = re.search(r"```ini\n(.*?)```", readme[readme.index(after):], re.S).group(1)
    path = tmp_path / "thermo.riodev"
    path.write_text(example)
    return devdesc.load_file(str(path)).devices[0]


def test_readme_example(tmp_path):
    with open(os.path.join(DEVICES, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    d = _readme_example(tmp_path, readme)
    reading = d.find_struct("THERMO_READING")
    texts = ["%s: %s" % (v.field.name, v.text) for v in reading.decode(bytes.fromhex("dafdffff00010000"))]
    for t in texts[:3]:
        assert "`%s`" % t in readme
    for f in d.filters:
        assert "`%s`" % f.filter in readme
    assert d.find_struct("THERMO_UNITS").encode(["Units=FAHRENHEIT"]) == b"\x01"


def test_top_readme_example(tmp_path):
    with open(os.path.join(TOP, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    d = _readme_example(tmp_path, readme, "## Describing your own device")
    for f in d.filters:
        assert "`%s`" % f.filter in readme
