"""riotoasterd --fault: each fault is listed and observably breaks its rule
(and the server otherwise behaves)."""
import json
import os
import subprocess

import pytest

from pyrio.codec import pack_request
from test_server_support import *  # noqa: F401,F403

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TOASTER_FAULTS = ["wrong-sequence", "sharing-allowed", "data-over-output", "wrong-write-information",
                  "unknown-ioctl-success", "read-drops-last-byte", "state-kept-after-close", "open-after-close",
                  "version-2-accepted", "darkness-out-of-range", "read-not-pending"]
# Checked in test_server_serial_faults.py; on a toaster they change nothing.
SERIAL_FAULTS = ["serial-wait-not-pending", "serial-read-ignores-timeouts", "serial-purge-keeps-queue",
                 "serial-overrun-unreported", "serial-write-without-dtr", "serial-any-baud-rate"]
FAULTS = TOASTER_FAULTS + SERIAL_FAULTS


def fault_list(rio_bin, *extra):
    p = subprocess.run([rio_bin("riotoasterd"), "--fault", "list", *extra], capture_output=True, text=True,
                       timeout=20)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_fault_list_tsv_and_json_agree(rio_bin):
    rows = [line.split("\t") for line in fault_list(rio_bin).splitlines()]
    assert all(len(r) == 3 and r[0] and r[1] and r[2] for r in rows)
    assert [r[0] for r in rows] == FAULTS
    as_json = json.loads(fault_list(rio_bin, "--json"))
    assert [(f["name"], ",".join(f["ids"]), f["description"]) for f in as_json] == [tuple(r) for r in rows]


def test_fault_ids_are_requirements_of_protocol_md(rio_bin):
    with open(os.path.join(ROOT, "docs", "PROTOCOL.md"), encoding="utf-8") as f:
        spec = f.read()
    for name, ids, _ in (line.split("\t") for line in fault_list(rio_bin).splitlines()):
        for rid in ids.split(","):
            assert "**%s**" % rid in spec, "%s cites %s, not in docs/PROTOCOL.md" % (name, rid)


def test_unknown_fault_is_usage_error(rio_bin):
    p = subprocess.run([rio_bin("riotoasterd"), "--fault", "nope"], capture_output=True, text=True, timeout=20)
    assert p.returncode == 2 and "unknown fault" in p.stderr


@pytest.fixture
def faulty(toasterd):
    def start_with(name, *args, **kw):
        return toasterd(args=["--fault", name, *args], **kw)
    return start_with


def test_wrong_sequence(faulty):
    d = faulty("wrong-sequence")
    with connect(d) as c:
        out = c.transact(DEFS.MJ_CREATE, seq=41)
        expect(out, DEFS.STATUS_SUCCESS, seq=42, major=DEFS.MJ_CREATE)
        expect(c.transact(DEFS.MJ_READ, seq=0xFFFFFFFF, output_length=5), DEFS.STATUS_SUCCESS, seq=0)


def test_sharing_allowed(faulty):
    d = faulty("sharing-allowed")
    with opened(d) as a, connect(d) as b:
        ok(b.create())  # should have been SHARING_VIOLATION
        assert info(a)["serial"] == info(b)["serial"] == 1


def test_data_over_output(faulty):
    d = faulty("data-over-output")
    with opened(d) as c:
        load_ready(c, b"0123456789")
        assert ok(c.read(4), 5, 5).data == b"01234"


def test_wrong_write_information(faulty):
    d = faulty("wrong-write-information")
    with opened(d) as c:
        ok(c.write(b"abc"), 4)
        assert status(c)["loaded_bytes"] == 3  # loaded correctly, reported wrongly


def test_unknown_ioctl_success(faulty):
    d = faulty("unknown-ioctl-success")
    with opened(d) as c:
        ok(c.ioctl(0x00222014, output_length=16))
        expect(c.ioctl(DEFS.IOCTL_TOASTER_GET_INFO, output_length=1), DEFS.STATUS_BUFFER_TOO_SMALL)


def test_read_drops_last_byte(faulty):
    d = faulty("read-drops-last-byte")
    with opened(d) as c:
        load_ready(c, b"abcdef")
        assert ok(c.read(4), 3, 3).data == b"abc"
        assert ok(c.read(10), 1, 1).data == b"e"  # 'd' and 'f' are lost
        assert status(c)["ready_bytes"] == 0


def test_state_kept_after_close(faulty):
    d = faulty("state-kept-after-close")
    with opened(d) as c:
        ok(set_darkness(c, 9))
        ok(c.write(b"left"), 4)
        ok(c.close_handle())
    with opened(d) as c:
        s = status(c)
        assert (s["darkness"], s["loaded_bytes"]) == (9, 4)


def test_open_after_close(faulty):
    d = faulty("open-after-close")
    with opened(d) as c:
        ok(c.close_handle())
        expect(c.ioctl(DEFS.IOCTL_TOASTER_GET_STATUS, output_length=DEFS.TOASTER_STATUS_SIZE), DEFS.STATUS_INVALID_HANDLE)
        with opened(d) as other:  # the device itself was released
            assert info(other)["serial"] == 1


def test_version_2_accepted(faulty):
    d = faulty("version-2-accepted")
    with connect(d) as c:
        c.send(pack_request(DEFS.MJ_CREATE, 1, version=2))
        expect(c.recv_pdu(), DEFS.STATUS_SUCCESS, seq=1)
        c.send(pack_request(DEFS.MJ_WRITE, 2, version=2, data=b"v2"))
        ok(c.recv_pdu(), 2)
        c.send(pack_request(DEFS.MJ_WRITE, 3, version=3))  # only 2 is let through
        expect(c.recv_pdu(), DEFS.STATUS_REVISION_MISMATCH, seq=3)


def test_darkness_out_of_range(faulty):
    d = faulty("darkness-out-of-range")
    with opened(d) as c:
        ok(set_darkness(c, 0))
        ok(set_darkness(c, 11))
        assert status(c)["darkness"] == 11
        expect(set_darkness(c, 12), DEFS.STATUS_INVALID_PARAMETER)


def test_read_not_pending(faulty):
    d = faulty("read-not-pending", "--toast-ms-per-level", "1000")
    with opened(d) as c:
        ok(c.write(b"early"), 5)
        ok(start(c))
        ok(c.read(10, timeout=10))  # 0 bytes, during the cycle (5 s):
        assert status(c)["state"] == DEFS.TOASTER_STATE_TOASTING


@pytest.mark.parametrize("name", FAULTS)
def test_fault_does_not_break_a_plain_session(faulty, name):
    """Outside its rule, a faulty server still runs a normal session."""
    d = faulty(name)
    with opened(d) as c:
        ok(set_darkness(c, 3))
        assert info(c)["serial"] == 1
        ok(c.close_handle())
