"""riotoast ioctl: any described IOCTL by name, its input built from
Field=value words and its output decoded into named fields, all from the
device descriptions.

A device made up here (a temporary .riodev file that nothing ships, so no C
knows it) must come out of riotoast byte for byte as the test packs it by
hand: a scripted server on loopback records what arrives and answers with
bytes the test packed.  The toaster's IOCTLs go to the real riotoasterd."""
import os
import struct
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_riotoast_common import (  # noqa: E402
    EXIT_LOCAL, EXIT_OK, EXIT_STATUS, EXIT_USAGE, DEFS, ScriptedServer, fields, free_port, one_error_line,
    riotoast)  # riotoast: a fixture

# A pressure gauge nobody ships.  Every type and option the format has: the
# codes below were worked out by hand from CTL_CODE(0x8A5C, fn, method,
# access) = DeviceType << 16 | Access << 14 | Function << 2 | Method.
GAUGE = """\
# Test-only device: riotoast must build its IOCTLs from this file alone.
[device]
Name=gauge
DeviceType=0x8A5C
Description=Made-up pressure gauge
ReadData=text

[ioctl IOCTL_GAUGE_CONFIGURE]
Function=0x812
Method=METHOD_IN_DIRECT
Access=FILE_WRITE_ACCESS
Input=GAUGE_CONFIG

[ioctl IOCTL_GAUGE_READ_SAMPLE]
Code=0x8A5C604E
Output=GAUGE_SAMPLE

[ioctl IOCTL_GAUGE_LABEL]
Function=0x814
Input=GAUGE_LABEL
Output=GAUGE_LABEL

[ioctl IOCTL_GAUGE_RESET]
Function=0x815
Access=FILE_READ_ACCESS|FILE_WRITE_ACCESS

[ioctl IOCTL_GAUGE_GET_INFO]
Function=0x816
Description=Shares its short name with the toaster's GET_INFO

[struct GAUGE_CONFIG]
Size=20
Fields=Mode:u8:enum=GAUGE_MODE; Alarms:u8:hex:flags=GAUGE_ALARM; Rate:u16:range=1..1000; Offset:i32; SerialId:u64:hex; Reserved:pad[4]

[struct GAUGE_SAMPLE]
Size=24
Fields=Pressure:i32; Mode:u8:enum=GAUGE_MODE; Alarms:u8:hex:flags=GAUGE_ALARM; Pad:pad[2]; Tag:char[8]; Raw:bytes[4]; Count:u32

[struct GAUGE_LABEL]
Fields=Slot:u8; Text:char[]

[enum GAUGE_MODE]
IDLE=0
SAMPLING=1
CALIBRATING=7

[flags GAUGE_ALARM]
HIGH=0x01
LOW=0x02
SENSOR_FAULT=0x80
"""

CONFIGURE = 0x8A5CA049    # fn 0x812, METHOD_IN_DIRECT, FILE_WRITE_ACCESS
READ_SAMPLE = 0x8A5C604E  # fn 0x813, METHOD_OUT_DIRECT, FILE_READ_ACCESS
LABEL = 0x8A5C2050        # fn 0x814, METHOD_BUFFERED, FILE_ANY_ACCESS
RESET = 0x8A5CE054        # fn 0x815, METHOD_BUFFERED, FILE_READ_ACCESS|FILE_WRITE_ACCESS
CONFIG_SIZE, SAMPLE_SIZE = 20, 24


@pytest.fixture
def gauge(tmp_path):
    path = tmp_path / "gauge.riodev"
    path.write_text(GAUGE)
    return str(path)


def served(riotoast, *args, answer=None, env=None):
    """riotoast ARGS against a scripted server; (result, the IOCTL request)."""
    with ScriptedServer(answer=answer) as server:
        result = riotoast("--timeout", "5", *args, port=server.port, env=env)
    ioctls = [r for r in server.requests if r.major == DEFS.MJ_DEVICE_CONTROL]
    assert [r.major for r in server.requests] == [DEFS.MJ_CREATE, DEFS.MJ_DEVICE_CONTROL, DEFS.MJ_CLOSE], result
    return result, ioctls[0]




# ---- the made-up device, byte for byte ------------------------------------------

def test_input_fields_encoded_by_the_description(riotoast, gauge):
    r, req = served(riotoast, "ioctl", "--devices", gauge, "gauge.configure", "Mode=SAMPLING",
                    "Alarms=HIGH|SENSOR_FAULT", "rate=250", "Offset=-40", "SerialId=0x0102030405060708")
    assert r.code == EXIT_OK, r
    assert req.ioctl == CONFIGURE
    assert req.output_length == 0
    assert req.data == struct.pack("<BBHiQ4x", 1, 0x81, 250, -40, 0x0102030405060708)
    assert fields(r.text) == {"Status": "STATUS_SUCCESS"}


def test_prefixed_value_names_and_unset_fields(riotoast, gauge):
    r, req = served(riotoast, "ioctl", "-D", gauge, "IOCTL_GAUGE_CONFIGURE", "mode=gauge_mode_calibrating",
                    "Alarms=LOW|0x40")
    assert r.code == EXIT_OK, r
    assert req.data == struct.pack("<BBHiQ4x", 7, 0x42, 0, 0, 0)


SAMPLE = struct.pack("<iBB2x8s4sI", -1234, 7, 0x03, b"TAG1", b"\xde\xad\xbe\xef", 99)


def sample_answer(req):
    return (DEFS.STATUS_SUCCESS, SAMPLE) if req.ioctl == READ_SAMPLE else None


def test_output_decoded_into_named_fields(riotoast, gauge):
    r, req = served(riotoast, "ioctl", "--devices", gauge, "READ_SAMPLE", answer=sample_answer)
    assert r.code == EXIT_OK, r
    assert (req.ioctl, req.output_length, req.data) == (READ_SAMPLE, SAMPLE_SIZE, b"")
    assert fields(r.text) == {"Status": "STATUS_SUCCESS", "Pressure": "-1234", "Mode": "CALIBRATING (7)",
                              "Alarms": "HIGH|LOW (0x03)", "Tag": '"TAG1"', "Raw": "deadbeef", "Count": "99"}


def test_output_json(riotoast, gauge):
    r, _ = served(riotoast, "--json", "ioctl", "--devices", gauge, "gauge.read_sample", answer=sample_answer)
    assert r.code == EXIT_OK, r
    doc = r.json()
    assert doc["transactions"][1]["label"] == "IOCTL_GAUGE_READ_SAMPLE"
    assert doc["result"] == {"Status": "STATUS_SUCCESS", "Information": SAMPLE_SIZE, "OutputBytes": SAMPLE_SIZE,
                             "Pressure": -1234, "Mode": 7, "Mode_name": "CALIBRATING", "Alarms": 3,
                             "Alarms_name": "HIGH|LOW", "Tag": "TAG1", "Raw": "deadbeef", "Count": 99}


def test_unnamed_values_and_extra_bytes(riotoast, gauge):
    odd = struct.pack("<iBB2x8s4sI", 5, 9, 0x42, b"", b"", 1) + b"\x01\x02"
    r, _ = served(riotoast, "--json", "ioctl", "-D", gauge, "read_sample", "-o", str(len(odd)),
                  answer=lambda req: (DEFS.STATUS_SUCCESS, odd) if req.ioctl == READ_SAMPLE else None)
    res = r.json()["result"]
    assert (res["Mode"], res["Mode_name"], res["Alarms_name"]) == (9, None, "LOW|0x40")
    assert (res["Extra"], res["Extra_hex"]) == ("\x01\x02", "0102")


def test_variable_tail_and_its_default_output_length(riotoast, gauge):
    def echo_label(req):
        return (DEFS.STATUS_SUCCESS, b"\x04hi there") if req.ioctl == LABEL else None
    r, req = served(riotoast, "ioctl", "-D", gauge, "gauge.LABEL", "Slot=3", "Text=hello", answer=echo_label)
    assert r.code == EXIT_OK, r
    assert (req.ioctl, req.data) == (LABEL, b"\x03hello")
    assert req.output_length == 4096  # RT_DEFAULT_VARIABLE_OUTPUT: the description cannot size it
    assert fields(r.text)["Text"] == '"hi there"' and fields(r.text)["Slot"] == "4"


def test_no_input_and_access_bits(riotoast, gauge):
    r, req = served(riotoast, "ioctl", "-D", gauge, "gauge.reset")
    assert r.code == EXIT_OK, r
    assert (req.ioctl, req.output_length, req.data) == (RESET, 0, b"")


def test_directory_of_descriptions(riotoast, gauge):
    r, req = served(riotoast, "ioctl", "--devices", os.path.dirname(gauge), "gauge.reset")
    assert r.code == EXIT_OK and req.ioctl == RESET, r


def test_overrides_output_length_hex_unchecked(riotoast, gauge):
    _, req = served(riotoast, "ioctl", "-D", gauge, "read_sample", "-o", "3")
    assert req.output_length == 3
    _, req = served(riotoast, "ioctl", "-D", gauge, "configure", "--hex", "01 02:03")
    assert req.data == b"\x01\x02\x03"   # any size, as given
    _, req = served(riotoast, "ioctl", "-D", gauge, "configure", "--unchecked", "Rate=1001")
    assert req.data == struct.pack("<BBHiQ4x", 0, 0, 1001, 0, 0)


def test_expected_error_status(riotoast, gauge):
    def refuse(req):
        return (DEFS.STATUS_INVALID_PARAMETER, b"") if req.ioctl == RESET else None
    r, _ = served(riotoast, "ioctl", "-D", gauge, "reset", answer=refuse)
    assert r.code == EXIT_STATUS, r
    one_error_line(r, "IOCTL_GAUGE_RESET", "STATUS_INVALID_PARAMETER")
    r, _ = served(riotoast, "ioctl", "-D", gauge, "reset", "--expect", "INVALID_PARAMETER", answer=refuse)
    assert r.code == EXIT_OK and fields(r.text)["Status"] == "STATUS_INVALID_PARAMETER", r


# ---- bad words: one line, exit 4, nothing sent ------------------------------------

@pytest.mark.parametrize("words,said", [
    (["configure", "Nope=1"], ["GAUGE_CONFIG has no field Nope", "Mode, Alarms, Rate"]),
    (["configure", "Mode=BOGUS"], ["Mode"]),
    (["configure", "Rate=0"], ["Rate", "1..1000"]),
    (["configure", "Rate=70000"], ["Rate"]),
    (["configure", "Offset=x"], ["Offset"]),
    (["configure", "Rate"], ["not Field=value"]),
    (["configure", "Reserved=1"], ["padding"]),
    (["configure", "Rate=1", "rate=2"], ["twice"]),
    (["reset", "Slot=1"], ["IOCTL_GAUGE_RESET takes no input"]),
    (["configure", "--hex", "01", "Rate=1"], ["--hex or Field=value"]),
    (["configure", "--hex", "0g"], ["--hex"]),
    (["read_sample", "-o", "many"], ["--output-length"]),
    (["reset", "--expect", "STATUS_NONSENSE"], ["--expect"]),
    (["gauge.nothing"], ["no described IOCTL is named gauge.nothing"]),
    (["NOPE"], ["NOPE"]),
    (["GET_INFO"], ["ambiguous", "IOCTL_GAUGE_GET_INFO", "IOCTL_TOASTER_GET_INFO"]),
    ([], ["give an IOCTL name"]),
])
def test_bad_words_are_usage_errors(riotoast, gauge, words, said):
    # Nothing listens on the port: had riotoast connected, it would exit 3.
    r = riotoast("ioctl", "-D", gauge, *words, port=free_port())
    assert r.code == EXIT_USAGE, r
    one_error_line(r, *said)
    assert r.out == b""


def test_bad_description_is_a_local_error(riotoast, tmp_path):
    bad = tmp_path / "broken.riodev"
    bad.write_text("[device]\nName=Broken\nDeviceType=0x1\n")
    r = riotoast("ioctl", "--devices", str(bad), "GET_INFO", port=free_port())
    assert r.code == EXIT_LOCAL, r
    one_error_line(r, str(bad), "Name")
    r = riotoast("ioctl", "--devices", str(tmp_path / "missing.riodev"), "GET_INFO", port=free_port())
    assert r.code == EXIT_LOCAL, r
    one_error_line(r, "missing.riodev")


def test_a_clashing_description_is_refused(riotoast, tmp_path, gauge):
    clash = tmp_path / "other" / "gauge.riodev"
    clash.parent.mkdir()
    clash.write_text(GAUGE)
    r = riotoast("ioctl", "-D", gauge, "-D", str(clash), "gauge.reset", port=free_port())
    assert r.code == EXIT_LOCAL, r
    one_error_line(r, "gauge")


def test_rio_device_path_replaces_the_shipped_descriptions(riotoast, gauge):
    env = {"RIO_DEVICE_PATH": os.path.dirname(gauge)}
    r = riotoast("--json", "ioctl", "--list", env=env)
    assert {i["device"] for i in r.json()["result"]["ioctls"]} == {"gauge"}, r
    r, req = served(riotoast, "ioctl", "GET_INFO", env=env)   # no longer ambiguous: the toaster is gone
    assert r.code == EXIT_OK and req.ioctl == 0x8A5C2058, r     # fn 0x816, BUFFERED, ANY


# ---- --list --------------------------------------------------------------------

def test_list_names_every_described_ioctl(riotoast, gauge):
    r = riotoast("--json", "ioctl", "--list", "-D", gauge)
    assert r.code == EXIT_OK, r
    listed = {(i["device"], i["name"]): i for i in r.json()["result"]["ioctls"]}
    assert listed[("gauge", "IOCTL_GAUGE_CONFIGURE")]["code"] == CONFIGURE
    assert listed[("gauge", "IOCTL_GAUGE_READ_SAMPLE")]["output"] == "GAUGE_SAMPLE"
    assert listed[("serial", "IOCTL_SERIAL_SET_BAUD_RATE")]["code"] == DEFS.IOCTL_SERIAL_SET_BAUD_RATE
    assert listed[("toaster", "IOCTL_TOASTER_GET_INFO")]["short_name"] == "GET_INFO"
    text = riotoast("ioctl", "--list", "-D", gauge).text
    assert "gauge.CONFIGURE  0x%08X  IOCTL_GAUGE_CONFIGURE" % CONFIGURE in text
    assert "in: GAUGE_CONFIG (Mode:u8 Alarms:u8 Rate:u16 Offset:i32 SerialId:u64 Reserved:pad[4])" in text


# ---- the toaster's IOCTLs through the shipped description ------------------------------

@pytest.fixture
def toaster(toasterd):
    return toasterd(serials=1)


def test_toaster_ioctls_by_name(riotoast, toaster):
    port = toaster.port(1)
    by_name = riotoast("--json", "ioctl", "toaster.GET_INFO", port=port)
    assert by_name.code == EXIT_OK, by_name
    info = riotoast("--json", "info", port=port).json()["result"]
    got = by_name.json()["result"]
    assert {k: got[k] for k in info} == info  # the same values as the hand-written decoder's
    status = fields(riotoast("ioctl", "get_status", port=port).text)
    assert status["State"] == "EMPTY (%d)" % DEFS.TOASTER_STATE_EMPTY
    assert status["Darkness"] == str(DEFS.TOASTER_DARKNESS_DEFAULT)


def test_toaster_refusals(riotoast, toaster):
    port = toaster.port(1)
    assert riotoast("ioctl", "SET_DARKNESS", "Darkness=10", port=port).code == EXIT_OK
    r = riotoast("ioctl", "SET_DARKNESS", "Darkness=11", "--unchecked", port=port)
    assert r.code == EXIT_STATUS, r
    one_error_line(r, "STATUS_INVALID_PARAMETER")
    r = riotoast("ioctl", "GET_INFO", "-o", "24", "--expect", "STATUS_BUFFER_TOO_SMALL", port=port)
    assert r.code == EXIT_OK and fields(r.text) == {"Status": "STATUS_BUFFER_TOO_SMALL"}, r
    r = riotoast("--json", "ioctl", "0x00222FFC", port=port)  # a number no description names
    assert r.code == EXIT_STATUS, r
    assert r.json()["result"]["Status"] == "STATUS_INVALID_DEVICE_REQUEST"
