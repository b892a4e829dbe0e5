"""riotoast's device commands against the real riotoasterd: output (text and
--json) and exit status of info, status, darkness, load, start, eject, read,
plus the command line itself."""
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_riotoast_common import (  # noqa: E402
    EXIT_CONNECTION, EXIT_LOCAL, EXIT_OK, EXIT_STATUS, EXIT_USAGE, DEFS, fields, free_port, majors, seqs,
    riotoast)  # riotoast: a fixture



@pytest.fixture
def toaster(toasterd):
    """A riotoasterd serving toasters 1 and 2; returns the daemon."""
    return toasterd(serials=2)


# ---- info / status ---------------------------------------------------------

def test_info_text(riotoast, toaster):
    r = riotoast("info", port=toaster.port(2))
    assert r.code == EXIT_OK, r
    f = fields(r.text)
    assert f["SerialNumber"] == "2"
    assert f["Capacity"] == str(DEFS.TOASTER_CAPACITY)
    assert f["MaxLoadBytes"] == str(DEFS.TOASTER_MAX_LOAD_BYTES)
    assert f["FirmwareVersion"] == "0x%08X" % DEFS.TOASTER_FIRMWARE_VERSION
    assert f["ModelName"] == DEFS.TOASTER_MODEL_NAME
    assert r.err == ""


def test_info_json(riotoast, toaster):
    r = riotoast("--json", "info", port=toaster.port(1))
    assert r.code == EXIT_OK, r
    doc = r.json()
    assert doc["command"] == "info" and doc["ok"] is True and doc["exit_code"] == 0
    assert doc["error"] is None and doc["port"] == toaster.port(1)
    assert doc["result"]["SerialNumber"] == 1
    assert doc["result"]["ModelName"] == DEFS.TOASTER_MODEL_NAME
    assert majors(doc) == [DEFS.MJ_CREATE, DEFS.MJ_DEVICE_CONTROL, DEFS.MJ_CLOSE]
    assert seqs(doc) == [DEFS.FIRST_SEQUENCE + i for i in range(3)]
    get_info = doc["transactions"][1]
    assert get_info["ioctl_name"] == "IOCTL_TOASTER_GET_INFO"
    assert get_info["status_name"] == "STATUS_SUCCESS"
    assert get_info["response_length"] == DEFS.TOASTER_INFO_SIZE
    assert get_info["response_seq"] == get_info["seq"]
    assert all(t["outcome"] == "ok" for t in doc["transactions"])


def test_status_text_and_json(riotoast, toaster):
    r = riotoast("status", port=toaster.port(1))
    assert r.code == EXIT_OK, r
    f = fields(r.text)
    assert f["State"] == "EMPTY (%d)" % DEFS.TOASTER_STATE_EMPTY
    assert f["Darkness"] == str(DEFS.TOASTER_DARKNESS_DEFAULT)
    assert f["LoadedBytes"] == f["ReadyBytes"] == f["ToastCount"] == f["ErrorCount"] == "0"
    doc = riotoast("-j", "status", port=toaster.port(1)).json()
    assert doc["result"]["State"] == DEFS.TOASTER_STATE_EMPTY
    assert doc["result"]["State_name"] == "EMPTY"


def test_verbose_prints_each_transaction_on_stderr(riotoast, toaster):
    r = riotoast("-v", "status", port=toaster.port(1))
    assert r.code == EXIT_OK, r
    lines = r.err.splitlines()
    assert len(lines) == 3, r.err
    assert "seq=1 IRP_MJ_CREATE" in lines[0] and "STATUS_SUCCESS" in lines[0]
    assert "IOCTL_TOASTER_GET_STATUS" in lines[1] and "len=%d" % DEFS.TOASTER_STATUS_SIZE in lines[1]
    assert "seq=3 IRP_MJ_CLOSE" in lines[2]
    assert all(line.endswith(" ms") for line in lines)
    assert "State" in r.text  # results stay on stdout


# ---- darkness / start / eject ----------------------------------------------

def test_darkness_in_range(riotoast, toaster):
    r = riotoast("darkness", "7", port=toaster.port(1))
    assert r.code == EXIT_OK, r
    assert fields(r.text)["Darkness"] == "7"
    doc = riotoast("--json", "darkness", "7", port=toaster.port(1)).json()
    assert doc["result"] == {"Status": "STATUS_SUCCESS", "Darkness": 7}


def test_darkness_out_of_range_is_a_device_error(riotoast, toaster):
    r = riotoast("darkness", "11", port=toaster.port(1))
    assert r.code == EXIT_STATUS, r
    assert "STATUS_INVALID_PARAMETER" in r.err
    assert len(r.err.splitlines()) == 1
    doc = riotoast("--json", "darkness", "0", port=toaster.port(1)).json()
    assert doc["exit_code"] == EXIT_STATUS and "STATUS_INVALID_PARAMETER" in doc["error"]
    assert doc["transactions"][1]["outcome"] == "wrong-status"
    assert doc["transactions"][-1]["major"] == DEFS.MJ_CLOSE  # still closed properly


def test_darkness_not_a_number_is_usage(riotoast, toaster):
    r = riotoast("darkness", "dark", port=toaster.port(1))
    assert r.code == EXIT_USAGE, r
    assert "not a number" in r.err


def test_start_with_nothing_loaded(riotoast, toaster):
    r = riotoast("start", port=toaster.port(1))
    assert r.code == EXIT_STATUS, r
    assert "STATUS_INVALID_DEVICE_STATE" in r.err


def test_eject_always_succeeds(riotoast, toaster):
    r = riotoast("eject", port=toaster.port(1))
    assert r.code == EXIT_OK, r
    assert fields(r.text)["Status"] == "STATUS_SUCCESS"


# ---- load / read -----------------------------------------------------------

def test_load_text(riotoast, toaster):
    r = riotoast("load", "hello", port=toaster.port(1))
    assert r.code == EXIT_OK, r
    f = fields(r.text)
    assert f["Requested"] == f["Accepted"] == "5"


def test_load_file_and_stdin(riotoast, toaster, tmp_path):
    bread = tmp_path / "bread.bin"
    size = DEFS.TOASTER_MAX_LOAD_BYTES + 1024  # more than fits
    bread.write_bytes(bytes(i & 0xFF for i in range(size)))
    doc = riotoast("--json", "load", "@%s" % bread, port=toaster.port(1)).json()
    assert doc["result"] == {"Requested": size, "Accepted": DEFS.TOASTER_MAX_LOAD_BYTES}
    doc = riotoast("--json", "load", "@-", port=toaster.port(1), stdin=b"from stdin").json()
    assert doc["result"]["Accepted"] == len(b"from stdin")
    assert doc["transactions"][1]["request_length"] == len(b"from stdin")


def test_load_missing_file_is_a_local_error(riotoast, toaster, tmp_path):
    r = riotoast("load", "@%s" % (tmp_path / "nope"), port=toaster.port(1))
    assert r.code == EXIT_LOCAL, r
    assert "cannot open" in r.err and len(r.err.splitlines()) == 1


def test_read_nothing_ready(riotoast, toaster):
    r = riotoast("read", port=toaster.port(1))
    assert r.code == EXIT_OK, r
    assert r.out == b""
    doc = riotoast("--json", "read", "100", port=toaster.port(1)).json()
    assert doc["result"] == {"Toast": "", "Toast_hex": "", "Length": 0}
    assert doc["transactions"][1]["output_length"] == 100


def test_read_default_length(riotoast, toaster):
    doc = riotoast("--json", "read", port=toaster.port(1)).json()
    assert doc["transactions"][1]["output_length"] == DEFS.TOASTER_MAX_LOAD_BYTES


def test_read_bad_length_is_usage(riotoast, toaster):
    for bad in ("-1", "x", str(DEFS.DATA_MAX + 1)):
        r = riotoast("read", bad, port=toaster.port(1))
        assert r.code == EXIT_USAGE, (bad, r)


# ---- connection choices and failures ----------------------------------------

def test_server_not_running(riotoast):
    port = free_port()
    r = riotoast("info", port=port)
    assert r.code == EXIT_CONNECTION, r
    assert r.err.strip() == "riotoast: cannot connect to 127.0.0.1 port %d: Connection refused" % port
    doc = riotoast("--json", "info", port=port).json()
    assert doc["exit_code"] == EXIT_CONNECTION and "Connection refused" in doc["error"]
    assert doc["transactions"] == []


def test_serial_selects_base_port_plus_serial(riotoast):
    # Only the port choice is checked: whether BASE_PORT+N answers is not ours to know.
    doc = riotoast("--json", "--timeout", "0.5", "--serial", "7", "info").json()
    assert doc["port"] == DEFS.BASE_PORT + 7
    doc = riotoast("--json", "--timeout", "0.5", "info").json()
    assert doc["port"] == DEFS.BASE_PORT + 1


def test_ipv6_loopback(riotoast, toaster):
    r = riotoast("--server", "::1", "info", port=toaster.port(1))
    # The daemon may listen on IPv4 only; either way the outcome is clean.
    assert r.code in (EXIT_OK, EXIT_CONNECTION), r
    if r.code == EXIT_CONNECTION:
        assert "cannot connect to ::1" in r.err


def test_sharing_violation(riotoast, toaster):
    from pyrio.conn import Conn
    with Conn("127.0.0.1", toaster.port(1)) as holder:
        assert holder.create().pdu.status == DEFS.STATUS_SUCCESS
        r = riotoast("status", port=toaster.port(1))
        assert r.code == EXIT_STATUS, r
        assert "STATUS_SHARING_VIOLATION" in r.err and "another client" in r.err
        doc = riotoast("--json", "status", port=toaster.port(1)).json()
        assert majors(doc) == [DEFS.MJ_CREATE]  # nothing more after a refused CREATE
    r = riotoast("status", port=toaster.port(1))
    assert r.code == EXIT_OK, r


def test_farm_gives_the_lowest_free_toaster(riotoast, toasterd):
    from pyrio.conn import Conn
    farm = toasterd(farm=True, toasters=2)
    assert riotoast("--json", "info", port=farm.port()).json()["result"]["SerialNumber"] == 1
    with Conn("127.0.0.1", farm.port()) as holder:
        assert holder.create().pdu.status == DEFS.STATUS_SUCCESS
        assert riotoast("--json", "info", port=farm.port()).json()["result"]["SerialNumber"] == 2


def test_unwritable_stdout_is_a_local_error(rio_bin, toaster):
    with open("/dev/full", "wb") as full:
        proc = subprocess.run([rio_bin("riotoast"), "--port", str(toaster.port(1)), "info"], stdout=full,
                              stderr=subprocess.PIPE, timeout=30)
    assert proc.returncode == EXIT_LOCAL
    assert b"cannot write" in proc.stderr


def test_wrong_sequence_echo_is_a_protocol_error(riotoast, toasterd):
    d = toasterd(args=["--fault", "wrong-sequence"])
    r = riotoast("info", port=d.port(1))
    assert r.code == EXIT_CONNECTION, r
    assert "Sequence" in r.err and len(r.err.splitlines()) == 1


# ---- the command line --------------------------------------------------------

@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["info", "extra"], ["darkness"], ["--port", "0", "info"],
                                  ["--serial", "1", "--port", "9", "info"], ["--timeout", "-1", "info"],
                                  ["info", "--no-such-option"], ["raw"], ["raw", "--major", "NOPE"],
                                  ["raw", "--ioctl", "GET_INFO", "--signature", "TOOLONG"]])
def test_usage_errors(riotoast, argv):
    r = riotoast(*argv)
    assert r.code == EXIT_USAGE, r
    assert len(r.err.strip().splitlines()) == 1, r.err
    assert r.err.startswith("riotoast")


def test_help_lists_commands_and_exit_codes(riotoast):
    r = riotoast("--help")
    assert r.code == EXIT_OK
    for word in ("info", "status", "darkness", "load", "start", "eject", "read", "toast", "session", "raw",
                 "Exit status", "--server", "--serial", "--port", "--timeout", "--json"):
        assert word in r.text, word
    assert riotoast("help").text == r.text


def test_per_command_help(riotoast):
    r = riotoast("raw", "--help")
    assert r.code == EXIT_OK
    for opt in ("--signature", "--version", "--major", "--header-length", "--seq", "--ioctl",
                "--output-length", "--data", "--hex", "--data-length", "--server"):
        assert opt in r.text, opt
    assert riotoast("help", "raw").text == r.text
    assert "--darkness" in riotoast("toast", "--help").text


def test_global_options_before_or_after_the_command(riotoast, toaster):
    a = riotoast("--json", "-p", str(toaster.port(1)), "status").json()
    b = riotoast("status", "--json", "--port=%d" % toaster.port(1)).json()
    assert a["result"] == b["result"]
