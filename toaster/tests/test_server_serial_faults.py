"""riotoasterd --fault for the serial-port profile: each serial fault breaks
its one rule on a modem, observably, and a plain modem session still works
(the correct behaviour of each rule is checked in test_server_serial.py)."""
import pytest

from test_server_faults import SERIAL_FAULTS
from test_server_support import *  # noqa: F401,F403

OK = framed(DEFS.MODEM_OK)


@pytest.fixture
def faulty_modem(toasterd):
    def start_with(name):
        return serial_opened(toasterd(serials=0, modems=1, args=["--fault", name]))
    return start_with


def test_wait_not_pending(faulty_modem):
    p = faulty_modem("serial-wait-not-pending")
    p.wait_mask(DEFS.SERIAL_EV_RXCHAR)
    assert p.wait_on_mask(timeout=5) == 0  # should have pended: nothing occurred


def test_read_ignores_timeouts(faulty_modem):
    p = faulty_modem("serial-read-ignores-timeouts")
    p.set_timeouts(0, 0, 0)  # wait for all 10 bytes
    assert p.read(10, timeout=5) == b""


def test_purge_keeps_queue(faulty_modem):
    p = faulty_modem("serial-purge-keeps-queue")
    p.dtr()
    p.write(b"AT\r")
    ok(p.purge(DEFS.SERIAL_PURGE_RXCLEAR))
    assert p.read() == b"AT\r" + OK  # should have been emptied


def test_overrun_unreported(faulty_modem):
    p = faulty_modem("serial-overrun-unreported")
    p.dtr()
    p.write(b"A" * (DEFS.SERIAL_QUEUE_SIZE + 10))
    st = p.commstatus()
    assert st["in_queue"] == DEFS.SERIAL_QUEUE_SIZE and st["errors"] == 0  # 10 bytes lost, unreported


def test_write_without_dtr(faulty_modem):
    p = faulty_modem("serial-write-without-dtr")
    p.write(b"AT\r")  # should have been INVALID_DEVICE_STATE
    assert p.read() == b"AT\r" + OK
    assert p.modem_status() == 0  # DTR itself still clear


def test_any_baud_rate(faulty_modem):
    p = faulty_modem("serial-any-baud-rate")
    ok(p.set_u32(DEFS.IOCTL_SERIAL_SET_BAUD_RATE, 1234))
    assert p.baud() == 1234
    expect(p.ioctl(DEFS.IOCTL_SERIAL_SET_BAUD_RATE, b"\1\2"), DEFS.STATUS_INVALID_PARAMETER)  # size still checked


@pytest.mark.parametrize("name", SERIAL_FAULTS)
def test_serial_fault_does_not_break_a_plain_session(faulty_modem, name):
    p = faulty_modem(name)
    p.dtr()
    assert p.at("ATI") == b"ATI\r" + framed(DEFS.MODEM_ID) + OK
    ok(p.set_u32(DEFS.IOCTL_SERIAL_SET_BAUD_RATE, DEFS.SERIAL_BAUD_2400))
    assert p.baud() == DEFS.SERIAL_BAUD_2400
    assert p.modem_status() == DEFS.SERIAL_MSR_CTS | DEFS.SERIAL_MSR_DSR
    ok(p.c.close_handle())
    assert_gone(p.c)


def test_core_faults_act_on_modems_too(toasterd):
    """state-kept-after-close and sharing-allowed are the protocol core's:
    a modem keeps its settings across handles, and is shared."""
    d = toasterd(serials=0, modems=1, args=["--fault", "state-kept-after-close", "--fault", "sharing-allowed"])
    p = serial_opened(d)
    ok(p.set_u32(DEFS.IOCTL_SERIAL_SET_BAUD_RATE, DEFS.SERIAL_BAUD_300))
    q = serial_opened(d)  # should have been SHARING_VIOLATION
    assert q.baud() == DEFS.SERIAL_BAUD_300
    ok(p.c.close_handle())
    assert_gone(p.c)
    ok(q.c.close_handle())
    assert_gone(q.c)
    r = serial_opened(d)
    assert r.baud() == DEFS.SERIAL_BAUD_300  # should have been reset to the default
