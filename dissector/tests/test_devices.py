"""Device descriptions in the dissector (issue 13): the serial port's
IOCTLs decoded from a crafted capture into rio.dev.serial.* fields whose
values are the generator's; a third device, written only as a description
in this test, decoded from the folder of the rio.devices_dir preference
with no C change; filters, -G fields, expert infos, READ/WRITE data as
text, and what happens with bad or clashing descriptions.

The expected values come from the generator: the buffers are encoded from
the descriptions by pyrio.devdesc (the Python reader of the same files),
and each field's value is what that reader decodes from what was sent."""
import os

import pytest

from pyrio import devdesc
from pyrio.riodefs import DEFS
import riocap
from conftest import REPO

SERVER = ("127.0.0.1", DEFS.BASE_PORT + 3)
CLIENT, SERVER_EP = "127.0.0.1:40000", "%s:%d" % SERVER
SHIPPED = os.path.join(REPO, "devices")

SERIAL_STEPS = [
    ("SET_BAUD_RATE", {"BaudRate": "9600"}, None),
    ("SET_LINE_CONTROL", {"StopBits": "STOP_BIT_1", "Parity": "EVEN_PARITY", "WordLength": "7"}, None),
    ("SET_TIMEOUTS", {"ReadIntervalTimeout": "50", "ReadTotalTimeoutMultiplier": "2",
                      "ReadTotalTimeoutConstant": "500", "WriteTotalTimeoutConstant": "1000"}, None),
    ("SET_DTR", None, None),
    ("GET_MODEMSTATUS", None, {"ModemStatus": "CTS|DSR"}),
    ("SET_WAIT_MASK", {"WaitMask": "RXCHAR|DSR|RLSD"}, None),
    ("WRITE", b"ATZ\r"),
    ("READ", b"\r\nOK\r\n"),
    ("WAIT_ON_MASK", None, {"Events": "RXCHAR"}),
    ("GET_COMMSTATUS", None, {"Errors": "OVERRUN", "AmountInInQueue": "4", "EofReceived": "FALSE",
                              "WaitForImmediate": "TRUE"}),
    ("PURGE", {"PurgeMask": "RXABORT|RXCLEAR"}, None),
    ("GET_BAUD_RATE", None, {"BaudRate": "9600"}),
    ("GET_LINE_CONTROL", None, {"StopBits": "STOP_BITS_2", "Parity": "NO_PARITY", "WordLength": "9"}, True),
]

# A device nobody ships: written here, read from the preference's folder.
THERMO = """\
# A made-up thermometer (dissector/tests/test_devices.py)
[device]
Name=thermo
DeviceType=0x8001
Description=USB thermometer
ReadData=text

[ioctl IOCTL_THERMO_GET_READING]
Function=0x900
Access=FILE_READ_ACCESS
Output=THERMO_READING

[ioctl IOCTL_THERMO_SET_UNITS]
Function=0x901
Access=FILE_WRITE_ACCESS
Input=THERMO_UNITS

[struct THERMO_READING]
Size=8
Fields=Centi:i32:range=-27315..100000; Units:u8:enum=THERMO_UNIT; Status:u8:hex:flags=THERMO_STATUS; Reserved:pad[2]

[struct THERMO_UNITS]
Fields=Units:u8:enum=THERMO_UNIT

[enum THERMO_UNIT]
CELSIUS=0
FAHRENHEIT=1

[flags THERMO_STATUS]
STALE=0x01
PROBE_MISSING=0x02
"""

THERMO_STEPS = [
    ("SET_UNITS", {"Units": "FAHRENHEIT"}, None),
    ("GET_READING", None, {"Centi": "-550", "Units": "CELSIUS", "Status": "STALE"}),
    ("READ", b"21.5 C\n"),
    ("GET_READING", None, {"Centi": "-30000", "Units": "FAHRENHEIT", "Status": "STALE|0x40"}, True),
]


def _write_capture(folder, name, devset, steps):
    cap = riocap.Capture()
    sess = riocap.Session(cap, server=SERVER)
    sent = riocap.device_session(sess, devset, steps)
    sess.close()
    path = os.path.join(folder, name)
    cap.write(path, expectations=False)
    os.chmod(path, 0o644)
    return path, sent


def _share(path):
    os.chmod(path, 0o755)
    for name in os.listdir(path):
        os.chmod(os.path.join(path, name), 0o644)
    return path


@pytest.fixture(scope="module")
def serial(gen_dir):
    return _write_capture(gen_dir, "serial_session.pcap", devdesc.load_dir(SHIPPED), SERIAL_STEPS)


@pytest.fixture(scope="module")
def thermo_dir(gen_dir):
    path = os.path.join(gen_dir, "thermo-devices")
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "thermo.riodev"), "w") as f:
        f.write(THERMO)
    return _share(path)


@pytest.fixture(scope="module")
def thermo(gen_dir, thermo_dir):
    return _write_capture(gen_dir, "thermo_session.pcap", devdesc.load_dir(thermo_dir), THERMO_STEPS)


def _as_list(v):
    return v if isinstance(v, list) else [v]


def described_fields(tshark, cap, *args):
    """{(seq, "request"|"response"): {filter name: value text}} of every
    PDU with a decoded device payload."""
    out = {}
    for pkt in tshark.json(cap, *args):
        for item in _as_list(pkt["_source"]["layers"].get("rio", [])):
            if "rio.dev" not in item:
                continue
            key = (int(item["rio.seq"]), "request" if item["rio.signature"] == "RIOQ" else "response")
            out[key] = {k: v for k, v in item["rio.dev"].items()
                        if k.startswith("rio.dev.") and not k.endswith("_tree") and k != "rio.dev.out_of_range"}
    return out


def expected_fields(sent):
    """What the generator put in each buffer, as the Python reader of the
    description decodes it (padding has no field)."""
    return {(seq, side): {v.field.filter: v.value for v in struct.decode(data) if v.field.filter}
            for seq, side, struct, data in sent}


def _same(value, text):
    if isinstance(value, int):
        return int(text, 0) == value
    if isinstance(value, bytes):
        return bytes.fromhex(text.replace(":", "")) == value
    return text == value


def _check_values(got, sent):
    want = expected_fields(sent)
    assert want and set(got) == set(want)
    for key, fields in want.items():
        assert set(got[key]) == set(fields), key
        bad = {f: (v, got[key][f]) for f, v in fields.items() if not _same(v, got[key][f])}
        assert not bad, key


def _fields(tshark, cap, *fields, filt=None, args=()):
    cmd = ["-r", cap, "-T", "fields"] + list(args) + [x for f in fields for x in ("-e", f)]
    if filt:
        cmd += ["-Y", filt]
    return [l.split("\t") for l in tshark.out(*cmd).splitlines()]


# ---- The serial port ---------------------------------------------------------

@pytest.mark.parametrize("passes", [(), ("-2",)], ids=["one-pass", "two-pass"])
def test_serial_ioctls_decoded_as_generated(tshark, serial, passes):
    cap, sent = serial
    got = described_fields(tshark, cap, *passes)
    _check_values(got, sent)
    # Spot checks against the numbers themselves, not only the reader.
    line_control = got[(3, "request")]
    assert (int(line_control["rio.dev.serial.parity"]), int(line_control["rio.dev.serial.word_length"])) == (2, 7)
    assert int(got[(6, "response")]["rio.dev.serial.modem_status"], 0) == 0x30
    assert int(got[(2, "request")]["rio.dev.serial.baud_rate"]) == 9600


def test_serial_names_of_enums_and_flags(tshark, serial):
    text = tshark.out("-r", serial[0], "-V", "-O", "rio", "-Y", "rio.dev")
    for line in ("Parity: EVEN_PARITY (2)", "StopBits: STOP_BIT_1 (0)", "ModemStatus: CTS|DSR (0x00000030)",
                 "WaitMask: RXCHAR|DSR|RLSD (0x00000031)", "Events: RXCHAR (0x00000001)",
                 "PurgeMask: RXABORT|RXCLEAR (0x0000000A)", "WaitForImmediate: TRUE (1)",
                 "serial SERIAL_LINE_CONTROL (IOCTL_SERIAL_SET_LINE_CONTROL input)"):
        assert line in text
    assert "Request DEVICE_CONTROL IOCTL_SERIAL_WAIT_ON_MASK seq=10" in tshark.out("-r", serial[0])


def test_serial_fields_filter(tshark, serial):
    cap = serial[0]
    assert _fields(tshark, cap, "rio.seq", "rio.signature", filt="rio.dev.serial.parity == 2") == [["3", "RIOQ"]]
    assert _fields(tshark, cap, "rio.seq", "rio.signature", filt="rio.dev.serial.baud_rate == 9600") == [
        ["2", "RIOQ"], ["13", "RIOP"]]
    assert _fields(tshark, cap, "rio.seq", filt="rio.dev.serial.events & 0x1") == [["10"]]


def test_value_out_of_its_range_is_an_expert(tshark, serial):
    rows = _fields(tshark, serial[0], "rio.seq", "_ws.expert.message", filt="rio.dev.out_of_range")
    assert [r[0] for r in rows] == ["14"]
    assert "WordLength 9 is out of its range 5..8" in rows[0][1]


def test_serial_data_shown_as_text(tshark, serial, crafted_session):
    assert _fields(tshark, serial[0], "rio.seq", "rio.data.text", filt="rio.data.text") == [
        ["8", "ATZ\\r"], ["9", "\\r\\nOK\\r\\n"]]
    # The toaster's description shows its data as bytes.
    assert _fields(tshark, crafted_session, "rio.seq", filt="rio.data.text") == []


def test_buffer_of_the_wrong_size(tshark, gen_dir):
    """A SET_BAUD_RATE input of 3 bytes: the size expert, and no field of a
    4-byte ULONG read past the buffer."""
    cap = riocap.Capture()
    sess = riocap.Session(cap, server=SERVER)
    sess.send("c", sess.request(DEFS.MJ_CREATE, 1))
    sess.send("c", sess.request(DEFS.MJ_DEVICE_CONTROL, 2, DEFS.IOCTL_SERIAL_SET_BAUD_RATE, 0, data=b"\x80\x25\x00"))
    sess.close()
    path = os.path.join(gen_dir, "serial_short.pcap")
    cap.write(path, expectations=False)
    os.chmod(path, 0o644)
    rows = _fields(tshark, path, "rio.seq", "rio.dev.serial.baud_rate", "_ws.expert.message", filt="rio.dev.bad_size")
    assert len(rows) == 1 and rows[0][:2] == ["2", ""]
    assert "SERIAL_BAUD_RATE is 4 bytes, the buffer 3" in rows[0][2]


@pytest.fixture(scope="module")
def crafted_session(gen_dir):
    cap = riocap.Capture()
    sess = riocap.Session(cap)
    riocap.toaster_session(sess)
    sess.close()
    path = os.path.join(gen_dir, "devices_toaster_session.pcap")
    cap.write(path, expectations=False)
    os.chmod(path, 0o644)
    return path


# ---- A device that is only a description -------------------------------------

def _folder(path):
    return ("-o", "rio.devices_dir:" + path)


def test_made_up_device_needs_its_folder(tshark, thermo, thermo_dir):
    cap = thermo[0]
    out = tshark.out("-r", cap)
    code = devdesc.load_dir(thermo_dir).find_ioctl_by_name("GET_READING").code
    assert "Request DEVICE_CONTROL IOCTL_0x%08x seq=3" % code in out
    assert described_fields(tshark, cap) == {}


@pytest.mark.parametrize("passes", [(), ("-2",)], ids=["one-pass", "two-pass"])
def test_made_up_device_decoded_from_the_preference_folder(tshark, thermo, thermo_dir, passes):
    cap, sent = thermo
    got = described_fields(tshark, cap, *_folder(thermo_dir), *passes)
    _check_values(got, sent)
    assert int(got[(3, "response")]["rio.dev.thermo.centi"]) == -550
    out = tshark.out("-r", cap, *_folder(thermo_dir))
    assert "Request DEVICE_CONTROL IOCTL_THERMO_GET_READING seq=3" in out


def test_made_up_device_filters_names_and_experts(tshark, thermo, thermo_dir):
    cap = thermo[0]
    folder = _folder(thermo_dir)
    assert _fields(tshark, cap, "rio.seq", "rio.signature", filt="rio.dev.thermo.units == 1", args=folder) == [
        ["2", "RIOQ"], ["5", "RIOP"]]
    assert _fields(tshark, cap, "rio.seq", filt="rio.dev.thermo.centi < -1000", args=folder) == [["5"]]
    rows = _fields(tshark, cap, "rio.seq", "_ws.expert.message", filt="rio.dev.out_of_range", args=folder)
    assert [r[0] for r in rows] == ["5"] and "Centi -30000 is out of its range -27315..100000" in rows[0][1]
    text = tshark.out("-r", cap, "-V", "-O", "rio", "-Y", "rio.dev", *folder)
    for line in ("Centi: -550", "Units: CELSIUS (0)", "Status: STALE (0x01)", "Status: STALE|0x40 (0x41)",
                 "thermo THERMO_READING (IOCTL_THERMO_GET_READING output)"):
        assert line in text
    # ReadData=text: the thermometer's READ answer.
    assert _fields(tshark, cap, "rio.seq", "rio.data.text", filt="rio.data.text", args=folder) == [
        ["4", "21.5 C\\n"]]


def test_made_up_device_fields_listed_with_its_path(tshark, thermo_dir):
    """-G fields runs before preferences are read: a folder on riodev's
    search path (RIO_DEVICE_PATH) is what it lists."""
    def fields(env=()):
        return {l.split("\t")[2]: l.split("\t")[3] for l in tshark.run("-G", "fields", env=env).stdout.splitlines()
                if l.startswith("F\t") and l.split("\t")[2].startswith("rio.dev.")}

    assert "rio.dev.thermo.centi" not in fields()
    both = fields(["RIO_DEVICE_PATH=%s:%s" % (SHIPPED, thermo_dir)])
    assert {k: v for k, v in both.items() if k.startswith("rio.dev.thermo.")} == {
        "rio.dev.thermo.centi": "FT_INT32", "rio.dev.thermo.units": "FT_UINT8", "rio.dev.thermo.status": "FT_UINT8"}
    assert "rio.dev.serial.baud_rate" in both


def test_bad_and_clashing_descriptions_are_reported_and_skipped(tshark, thermo, gen_dir):
    """One line per bad file; a device the default path already has is
    skipped; the good one is decoded all the same, and tshark goes on."""
    folder = os.path.join(gen_dir, "mixed-devices")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "thermo.riodev"), "w") as f:
        f.write(THERMO)
    with open(os.path.join(folder, "broken.riodev"), "w") as f:
        f.write("[device]\nName=broken\nDeviceType=banana\n")
    with open(os.path.join(folder, "toaster.riodev"), "w") as f:
        f.write("[device]\nName=toaster\nDeviceType=0x22\n")
    _share(folder)
    proc = tshark.run("-r", thermo[0], "-T", "fields", "-e", "rio.dev.thermo.centi", "-Y", "rio.dev.thermo.centi",
                      *_folder(folder))
    assert proc.stdout.split() == ["-550", "-30000"]
    assert "broken.riodev:3: [device] DeviceType:" in proc.stderr
    assert "toaster.riodev: device toaster: its name is already described by the default path" in proc.stderr
    assert all(l.startswith("tshark: RIO device description skipped: ") for l in proc.stderr.splitlines())


def test_missing_folder_is_reported(tshark, thermo, gen_dir):
    missing = os.path.join(gen_dir, "no-such-folder")
    proc = tshark.run("-r", thermo[0], *_folder(missing))
    assert missing in proc.stderr and "No such file or directory" in proc.stderr
    assert "Request CREATE seq=1" in proc.stdout


def test_changing_the_folder_replaces_its_fields(tshark, thermo, thermo_dir, gen_dir):
    """What the GUI does when the preference changes: the folder applied a
    second time.  A Lua script applies folder A (thermo) while tshark
    starts, -o then applies folder B: A's fields are unregistered (a filter
    on them is refused, its IOCTLs are no longer decoded), B's registered."""
    import shutil
    home = os.path.join(gen_dir, "home-folder-change")
    shutil.rmtree(home, ignore_errors=True)
    plugins = os.path.join(home, os.path.relpath(tshark.plugin_dir, tshark.home))
    os.makedirs(plugins)
    shutil.copy(os.path.join(tshark.plugin_dir, "rio.so"), plugins)
    os.makedirs(os.path.join(home, ".config", "wireshark"))   # apply_preferences() writes there
    other = os.path.join(gen_dir, "hygro-devices")
    os.makedirs(other, exist_ok=True)
    with open(os.path.join(other, "hygro.riodev"), "w") as f:
        f.write(THERMO.replace("thermo", "hygro").replace("THERMO", "HYGRO").replace("0x8001", "0x8002"))
    script = os.path.join(home, "apply_a.lua")
    with open(script, "w") as f:
        f.write('assert(set_preference("rio.devices_dir", "%s"))\napply_preferences()\n' % thermo_dir)
    for d, dirs, files in os.walk(home):
        for n in dirs + files:
            os.chmod(os.path.join(d, n), 0o777)
    os.chmod(home, 0o777)
    _share(other)

    def run(filt):
        return tshark.run("-X", "lua_script:" + script, "-r", thermo[0], "-o", "rio.devices_dir:" + other,
                          "-T", "fields", "-e", "rio.seq", "-Y", filt, env=["HOME=" + home], check=False)

    assert run("rio.dev.hygro.centi").returncode == 0
    refused = run("rio.dev.thermo.centi")
    assert refused.returncode != 0 and "rio.dev.thermo.centi" in refused.stderr
    assert run("rio.dev").stdout == ""
    # Without the second folder, A's fields stay: the script did apply it.
    kept = tshark.run("-X", "lua_script:" + script, "-r", thermo[0], "-T", "fields", "-e", "rio.dev.thermo.centi",
                      "-Y", "rio.dev.thermo.centi", env=["HOME=" + home])
    assert kept.stdout.split() == ["-550", "-30000"]
