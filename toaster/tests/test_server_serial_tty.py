"""riotoasterd remoting a real serial port the way ser2net does
(`--device tty:SERIAL:PATH`, ttyport.c), tested over a pseudo-terminal
pair: the test holds the master side, the daemon opens the slave.  Bytes a
RIO client WRITEs come out on the master; bytes written to the master are
what the client READs; WAIT_ON_MASK RXCHAR completes when the master
writes.  Every wait is bounded (select on the master, a timeout on each
answer); no elapsed time is asserted."""
import os
import select
import struct
import subprocess
import termios

import pytest

from pyrio.codec import pack_request
from test_server_support import *  # noqa: F401,F403

SANITY_S = 10.0


class Pty:
    """A pseudo-terminal pair: the master end stays here, the slave's path
    goes to the daemon (this side's slave fd is closed once the daemon has
    its own, so the master sees a hang-up only when the daemon lets go)."""

    def __init__(self):
        self.master, slave = os.openpty()
        self.path = os.ttyname(slave)
        self._slave = slave
        os.set_blocking(self.master, False)

    def release_slave(self):
        if self._slave is not None:
            os.close(self._slave)
            self._slave = None

    def read_exactly(self, n, timeout=SANITY_S):
        """n bytes from the master (the daemon wrote them to the tty)."""
        got = b""
        while len(got) < n:
            if not select.select([self.master], [], [], timeout)[0]:
                break
            got += os.read(self.master, n - len(got))
        return got

    def pending(self):
        """Bytes waiting on the master right now (none: b"")."""
        try:
            return os.read(self.master, 4096)
        except BlockingIOError:
            return b""

    def write(self, data):
        assert os.write(self.master, data) == len(data)

    def speed(self):
        """The tty's output speed, as termios sees it (Bxxxx)."""
        return termios.tcgetattr(self.master)[5]

    def close(self):
        self.release_slave()
        if self.master is not None:
            os.close(self.master)
            self.master = None


@pytest.fixture
def pty():
    p = Pty()
    yield p
    p.close()


@pytest.fixture
def tty_daemon(toasterd, pty):
    """A daemon serving a toaster (1) and the pty's slave as tty 2."""
    d = toasterd(serials=1, devices=[("tty", 2, pty.path)], args=["--listen", "127.0.0.1"])
    pty.release_slave()
    return d


def test_listening_line_names_the_tty(tty_daemon):
    assert "listening on 127.0.0.1:%d (serial 2, tty)" % tty_daemon.port(2) in tty_daemon.log()


def test_write_comes_out_on_the_master(tty_daemon, pty):
    p = serial_opened(tty_daemon, 2)
    expect(p.c.write(b"no DTR"), DEFS.STATUS_INVALID_DEVICE_STATE)
    p.dtr()
    p.write(b"AT\r\n")
    assert pty.read_exactly(4) == b"AT\r\n"  # raw mode: byte for byte
    p.write(bytes(range(256)))
    assert pty.read_exactly(256) == bytes(range(256))


def test_master_bytes_are_read_by_the_client(tty_daemon, pty):
    p = serial_opened(tty_daemon, 2)
    pty.write(b"OK\r\n")
    p.set_timeouts(0, 0, 0)  # all zero: the READ waits for its 4 bytes
    assert p.read(4, timeout=SANITY_S) == b"OK\r\n"
    p.set_timeouts(DEFS.SERIAL_TIMEOUT_MAXDWORD)
    assert p.read() == b""


def test_pending_read_completed_by_the_master(tty_daemon, pty):
    """The READ pends (nothing queued, timeouts 0) and the bytes the master
    writes afterwards complete it; meanwhile the toaster is served."""
    p = serial_opened(tty_daemon, 2)
    p.set_timeouts(0, 0, 0)
    p.c.request(DEFS.MJ_READ, output_length=5)
    with opened(tty_daemon, 1) as t:
        assert info(t)["serial"] == 1
    assert not select.select([p.c.sock], [], [], 0)[0]  # still pending
    pty.write(b"ab")
    pty.write(b"cde")
    assert ok(p.c.recv_pdu(timeout=SANITY_S), 5, 5).data == b"abcde"


def test_wait_on_mask_rxchar_when_the_master_writes(tty_daemon, pty):
    p = serial_opened(tty_daemon, 2)
    p.wait_mask(DEFS.SERIAL_EV_RXCHAR)
    seq = p.c.next_seq()
    p.c.send(pack_request(DEFS.MJ_DEVICE_CONTROL, seq, DEFS.IOCTL_SERIAL_WAIT_ON_MASK, DEFS.SERIAL_U32_SIZE))
    assert not select.select([p.c.sock], [], [], 0)[0]  # pending: nothing arrived yet
    pty.write(b"!")
    events = ok(p.c.recv_pdu(timeout=SANITY_S), 4, 4)
    assert struct.unpack("<I", events.data)[0] == DEFS.SERIAL_EV_RXCHAR
    assert p.read() == b"!"


def test_read_interval_timeout_after_master_bytes(tty_daemon, pty):
    """A READ asking for more than comes ends by its interval timeout with
    what the master wrote."""
    p = serial_opened(tty_daemon, 2)
    p.set_timeouts(50, 0, 0)
    p.c.request(DEFS.MJ_READ, output_length=100)
    pty.write(b"partial")
    assert ok(p.c.recv_pdu(timeout=SANITY_S), 7, 7).data == b"partial"


def test_baud_rate_lands_in_termios_and_close_resets_it(tty_daemon, pty):
    p = serial_opened(tty_daemon, 2)
    assert pty.speed() == termios.B9600
    ok(p.set_u32(DEFS.IOCTL_SERIAL_SET_BAUD_RATE, DEFS.SERIAL_BAUD_19200))
    assert pty.speed() == termios.B19200 and p.baud() == DEFS.SERIAL_BAUD_19200
    expect(p.set_u32(DEFS.IOCTL_SERIAL_SET_BAUD_RATE, 1234), DEFS.STATUS_INVALID_PARAMETER)
    assert pty.speed() == termios.B19200
    ok(p.c.close_handle())
    assert_gone(p.c)
    q = serial_opened(tty_daemon, 2)
    assert q.baud() == DEFS.SERIAL_BAUD_DEFAULT and pty.speed() == termios.B9600


def test_purge_rxclear_and_commstatus(tty_daemon, pty):
    p = serial_opened(tty_daemon, 2)
    pty.write(b"12345")
    p.set_timeouts(0, 0, 0)
    assert p.read(2, timeout=SANITY_S) == b"12"  # the port took the rest too, or the kernel holds it
    p.set_timeouts(DEFS.SERIAL_TIMEOUT_MAXDWORD)
    assert p.commstatus()["in_queue"] == 3
    ok(p.purge(DEFS.SERIAL_PURGE_RXCLEAR))
    assert p.commstatus()["in_queue"] == 0
    assert p.read() == b""


def test_modem_status_without_modem_lines(tty_daemon, pty):
    """A pty has no modem lines: GET_MODEMSTATUS is 0 whatever DTR says,
    and no AT interpreter answers: the line's own device would."""
    p = serial_opened(tty_daemon, 2)
    p.dtr()
    assert p.modem_status() == 0
    p.write(b"AT\r")
    assert pty.read_exactly(3) == b"AT\r"
    assert p.read() == b""


def test_hang_up_fails_the_port_not_the_daemon(tty_daemon, pty):
    """The master closes: the tty is gone.  WRITE answers
    INVALID_DEVICE_STATE (logged once), the daemon keeps serving."""
    p = serial_opened(tty_daemon, 2)
    p.dtr()
    pty.close()
    p.read()  # the port notices the hang-up
    expect(p.c.write(b"x" * 10), DEFS.STATUS_INVALID_DEVICE_STATE)
    assert tty_daemon.log().count("tty %s (serial 2) failed: " % pty.path) == 1
    ok(p.c.close_handle())
    assert_serving(tty_daemon, 1)


@pytest.mark.parametrize("spec, why", [
    ("tty:1:/nonexistent/tty", "No such file or directory"),
    ("tty:1:/dev/null", "Inappropriate ioctl for device"),
])
def test_a_tty_that_cannot_be_opened_exits_3(rio_bin, spec, why):
    # the devices open before any port is bound: no port is needed
    p = subprocess.run([rio_bin("riotoasterd"), "--device", spec], capture_output=True, text=True, timeout=20)
    assert p.returncode == 3, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("riotoasterd: cannot open tty") and why in lines[0], p.stderr


def test_a_farm_of_one_tty(toasterd, pty):
    """Farm mode works for a tty too: the first CREATE gets it, the next is
    refused with DEVICE_BUSY while it is held."""
    d = toasterd(farm=True, toasters=0, devices=[("tty", 1, pty.path)], args=["--listen", "127.0.0.1"])
    pty.release_slave()
    assert "(farm, 1 tty)" in d.log()
    p = serial_opened(d)
    with connect(d) as other:
        expect(other.create(), DEFS.STATUS_DEVICE_BUSY)
        assert_gone(other)
    p.dtr()
    p.write(b"farm")
    assert pty.read_exactly(4) == b"farm"
