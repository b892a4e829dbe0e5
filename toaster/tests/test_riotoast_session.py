"""riotoast's multi-step commands against the real riotoasterd: toast,
session (with toasting time, so READ really pends), and raw."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_riotoast_common import (  # noqa: E402
    EXIT_CONNECTION, EXIT_OK, EXIT_STATUS, EXIT_USAGE, DEFS, fields, majors, riotoast)  # riotoast: a fixture

MS_PER_LEVEL = 5


@pytest.fixture
def slow_toaster(toasterd):
    """Toasting takes darkness x 5 ms, so a READ after START pends."""
    return toasterd(args=["--toast-ms-per-level", str(MS_PER_LEVEL)])


# ---- toast -------------------------------------------------------------------

def test_toast_returns_the_bread(riotoast, slow_toaster):
    r = riotoast("toast", "hello, toaster", port=slow_toaster.port(1))
    assert r.code == EXIT_OK, r
    assert r.out == b"hello, toaster"


def test_toast_json_and_darkness(riotoast, slow_toaster):
    doc = riotoast("--json", "toast", "-d", "3", "rye", port=slow_toaster.port(1)).json()
    assert doc["ok"] and doc["result"]["Toast"] == "rye" and doc["result"]["Length"] == 3
    names = [t["ioctl_name"] or t["major_name"] for t in doc["transactions"]]
    assert names == ["IRP_MJ_CREATE", "IOCTL_TOASTER_SET_DARKNESS", "IRP_MJ_WRITE", "IOCTL_TOASTER_START",
                     "IRP_MJ_READ", "IRP_MJ_CLOSE"]
    read = doc["transactions"][4]
    # One READ brought the whole toast: sent while the cycle ran (START had
    # just been answered), it pended until the end (a READ that did not pend
    # would have got 0 bytes).  How long is bench/'s business, not a test's.
    assert read["response_length"] == 3 and read["status_name"] == "STATUS_SUCCESS"


def test_toast_binary_from_stdin_in_several_cycles(riotoast, slow_toaster):
    loads = 3
    bread = bytes(i & 0xFF for i in range((loads - 1) * DEFS.TOASTER_MAX_LOAD_BYTES + 2048))  # three loads
    doc = riotoast("--json", "toast", "-d", "1", "@-", port=slow_toaster.port(1), stdin=bread).json()
    assert doc["ok"], doc["error"]
    assert bytes.fromhex(doc["result"]["Toast_hex"]) == bread
    assert doc["result"]["Toast"] is None  # not UTF-8
    assert doc["result"]["Cycles"] == loads
    r = riotoast("toast", "-d", "1", "@-", port=slow_toaster.port(1), stdin=bread)
    assert r.code == EXIT_OK and r.out == bread


def test_toast_dump(riotoast, slow_toaster):
    r = riotoast("toast", "--dump", "AB", port=slow_toaster.port(1))
    assert r.code == EXIT_OK, r
    assert r.text.startswith("00000000  41 42") and "|AB|" in r.text


def test_toast_needs_bread(riotoast, slow_toaster):
    r = riotoast("toast", "", port=slow_toaster.port(1))
    assert r.code == EXIT_USAGE, r
    assert r.err == "riotoast: toast: no bread given\n"


def test_toast_darkness_is_sent_as_given(riotoast, slow_toaster):
    r = riotoast("toast", "-d", "0", "bread", port=slow_toaster.port(1))
    assert r.code == EXIT_STATUS, r
    assert "STATUS_INVALID_PARAMETER" in r.err
    assert riotoast("toast", "-d", "dark", "bread", port=slow_toaster.port(1)).code == EXIT_USAGE


def test_session_darkness_must_be_valid(riotoast, slow_toaster):
    r = riotoast("session", "-d", "11", port=slow_toaster.port(1))
    assert r.code == EXIT_USAGE, r


def test_toast_notices_lost_bytes(riotoast, toasterd):
    d = toasterd(args=["--fault", "read-drops-last-byte"])
    r = riotoast("toast", "crumbs", port=d.port(1))
    assert r.code == EXIT_STATUS, r
    assert "toast:" in r.err


# ---- session -----------------------------------------------------------------

def test_session_passes_with_pending_read(riotoast, slow_toaster):
    r = riotoast("session", port=slow_toaster.port(1))
    assert r.code == EXIT_OK, r
    assert "0 failures" in r.text and "5 expected errors" in r.text
    for status in ("STATUS_BUFFER_TOO_SMALL", "STATUS_INVALID_DEVICE_STATE", "STATUS_INVALID_PARAMETER",
                   "STATUS_INVALID_DEVICE_REQUEST"):
        assert status in r.text, status
    assert "FAILED" not in r.text
    assert r.err == ""


def test_session_json_covers_every_operation(riotoast, slow_toaster):
    doc = riotoast("--json", "session", port=slow_toaster.port(1)).json()
    assert doc["ok"], doc
    txns = doc["transactions"]
    assert doc["result"] == {"Transactions": len(txns), "ExpectedErrors": 5, "Failures": 0}
    assert txns[0]["major"] == DEFS.MJ_CREATE and txns[-1]["major"] == DEFS.MJ_CLOSE
    assert {DEFS.MJ_CREATE, DEFS.MJ_CLOSE, DEFS.MJ_READ, DEFS.MJ_WRITE, DEFS.MJ_DEVICE_CONTROL,
            DEFS.MJ_CLEANUP} <= set(majors(doc))
    ioctls = {t["ioctl_name"] for t in txns if t["ioctl_name"]}
    assert ioctls == {"IOCTL_TOASTER_GET_INFO", "IOCTL_TOASTER_GET_STATUS", "IOCTL_TOASTER_SET_DARKNESS",
                      "IOCTL_TOASTER_START", "IOCTL_TOASTER_EJECT"}
    seq = [t["seq"] for t in txns]
    assert seq == list(range(seq[0], seq[0] + len(seq)))
    expected = [t for t in txns if t["outcome"] == "expected-error"]
    assert sorted(t["status_name"] for t in expected) == sorted([
        "STATUS_BUFFER_TOO_SMALL", "STATUS_INVALID_DEVICE_STATE", "STATUS_INVALID_PARAMETER",
        "STATUS_INVALID_DEVICE_REQUEST", "STATUS_INVALID_DEVICE_REQUEST"])
    pending = [t for t in txns if t["label"] == "IRP_MJ_READ (pends while toasting)"]
    # Sent right after START of a 10 x 5 ms cycle, it brings the whole toast:
    # it was answered only when the cycle ended (no timing asserted).
    assert len(pending) == 1 and pending[0]["response_length"] == len("riotoast session"), pending


def test_session_with_own_bread_and_darkness(riotoast, slow_toaster):
    doc = riotoast("--json", "session", "--bread", "pumpernickel", "-d", "2", port=slow_toaster.port(1)).json()
    assert doc["ok"], doc
    writes = [t for t in doc["transactions"] if t["major"] == DEFS.MJ_WRITE]
    assert [t["request_length"] for t in writes] == [len("pumpernickel")] * 2
    reads = [t for t in doc["transactions"] if t["major"] == DEFS.MJ_READ]
    assert [t["response_length"] for t in reads] == [len("pumpernickel")] * 2


def test_session_fails_against_a_faulty_server(riotoast, toasterd):
    d = toasterd(args=["--fault", "darkness-out-of-range"])
    r = riotoast("session", port=d.port(1))
    assert r.code == EXIT_STATUS, r
    assert "FAILED" in r.text and "STATUS_INVALID_PARAMETER" in r.err


def test_session_without_create_fails(riotoast, slow_toaster):
    r = riotoast("--misbehave", "no-create", "session", port=slow_toaster.port(1))
    assert r.code == EXIT_STATUS, r
    assert "STATUS_INVALID_HANDLE" in r.err


# ---- raw ---------------------------------------------------------------------

def test_raw_get_info(riotoast, slow_toaster):
    doc = riotoast("--json", "raw", "--ioctl", "GET_INFO", "--output-length", "48",
                   port=slow_toaster.port(1)).json()
    assert doc["ok"], doc
    res = doc["result"]
    assert res["Outcome"] == "answered" and res["Connection"] == "ok"
    assert res["Status_name"] == "STATUS_SUCCESS" and res["ResponseDataLength"] == DEFS.TOASTER_INFO_SIZE
    assert res["SerialNumber"] == 1


def test_raw_bad_version_shows_revision_mismatch_and_the_close(riotoast, slow_toaster):
    r = riotoast("raw", "--major", "READ", "--version", "2", "--seq", "77", port=slow_toaster.port(1))
    assert r.code == EXIT_STATUS, r
    f = fields(r.text)
    assert f["Status"] == "STATUS_REVISION_MISMATCH (0x%08X)" % DEFS.STATUS_REVISION_MISMATCH
    assert f["Sequence"] == "77" and f["Outcome"] == "answered"
    assert f["Connection"] == "closed"
    doc = riotoast("--json", "raw", "--major", "READ", "--version", "2", port=slow_toaster.port(1)).json()
    assert doc["result"]["Status"] == DEFS.STATUS_REVISION_MISMATCH
    assert doc["result"]["Connection"] == "closed"
    # Seen closed by the server: no CLOSE is sent into the dead connection.
    assert majors(doc) == [DEFS.MJ_CREATE, DEFS.MJ_READ]


def test_raw_bad_signature_gets_the_connection_closed(riotoast, slow_toaster):
    r = riotoast("raw", "--signature", "XXXX", "--major", "CREATE", port=slow_toaster.port(1))
    assert r.code == EXIT_CONNECTION, r
    assert fields(r.text)["Outcome"] == "closed"
    assert "server closed the connection" in r.err


def test_raw_declared_length_longer_than_data_times_out(riotoast, slow_toaster):
    r = riotoast("--timeout", "0.3", "raw", "--major", "WRITE", "--data", "abc", "--data-length", "10",
                 port=slow_toaster.port(1))
    assert r.code == EXIT_CONNECTION, r
    assert fields(r.text)["Outcome"] == "timeout"


def test_raw_unknown_major_and_hex_data(riotoast, slow_toaster):
    doc = riotoast("--json", "raw", "--major", "0x01", "--hex", "de ad be ef", port=slow_toaster.port(1)).json()
    assert doc["result"]["Status_name"] == "STATUS_INVALID_DEVICE_REQUEST"
    assert doc["transactions"][1]["request_length"] == 4
    assert doc["result"]["Connection"] == "ok"  # the connection stays usable
    assert doc["exit_code"] == EXIT_STATUS


def test_raw_without_create(riotoast, slow_toaster):
    doc = riotoast("--json", "raw", "--no-create", "--ioctl", "GET_STATUS", "-o", "24",
                   port=slow_toaster.port(1)).json()
    assert doc["transactions"][0]["major"] == DEFS.MJ_DEVICE_CONTROL
    assert doc["result"]["Status_name"] == "STATUS_INVALID_HANDLE"


def test_raw_header_length_extension_is_skipped(riotoast, slow_toaster):
    doc = riotoast("--json", "raw", "--ioctl", "GET_STATUS", "-o", "24", "--header-length", "32",
                   port=slow_toaster.port(1)).json()
    assert doc["ok"], doc
    assert doc["result"]["State_name"] == "EMPTY"
