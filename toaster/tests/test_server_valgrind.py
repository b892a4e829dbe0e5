"""riotoasterd under valgrind: a full session (pending READ, pipelining,
framing error, farm busy) and SIGTERM leave no leak and no memory error."""
import shutil

import pytest

from pyrio.codec import pack_request
from pyrio.daemon import free_port_block
from test_server_support import *  # noqa: F401,F403


@pytest.mark.parametrize("mode", ["per-device", "farm"])
def test_valgrind_full_session_no_leak(rio_build, mode):
    if not shutil.which("valgrind"):
        pytest.skip("valgrind not installed")
    if sanitized(rio_build):
        pytest.skip("ASan build: valgrind cannot run it")
    base = free_port_block(2)
    args = (["--serials", "1-2", "--base-port", str(base)] if mode == "per-device"
            else ["--farm", str(base + 1), "--toasters", "1"])
    wrapper = ["valgrind", "--leak-check=full", "--error-exitcode=99", "--errors-for-leak-kinds=definite,indirect"]
    with Daemon(rio_build, args + ["--toast-ms-per-level", "20", "--trace"], wrapper=wrapper, ready_timeout=60) as d:
        assert d.ready, d.log()
        c = Conn("127.0.0.1", base + 1, timeout=20)
        ok(c.create())
        full = DEFS.TOASTER_MAX_LOAD_BYTES
        ok(c.write(b"x" * (full + 904)), full)  # more than a load: the rest is refused
        ok(start(c))
        assert ok(c.read(10000), full, full).data == b"x" * full  # pending READ
        seq = c.next_seq()
        c.send(pack_request(DEFS.MJ_WRITE, seq, data=b"ab") + pack_request(DEFS.MJ_READ, seq + 1, output_length=9))
        c.seq += 1
        ok(c.recv_pdu(), 2)
        ok(c.recv_pdu())
        with Conn("127.0.0.1", base + 1, timeout=20) as other:
            expect(other.create(), DEFS.STATUS_DEVICE_BUSY if mode == "farm" else DEFS.STATUS_SHARING_VIOLATION)
        with Conn("127.0.0.1", base + 1, timeout=20) as bad:
            bad.send(b"JUNK" * 6)
        ok(c.write(b"left over"), 9)  # the open handle and its toaster are freed at exit
        c.request(DEFS.MJ_WRITE, data=b"half")  # and a PDU still arriving
        c.send(pack_request(DEFS.MJ_WRITE, 0, data=b"12345")[:26])
        assert d.stop(timeout=60) == 0, d.log()
        c.close()
        assert "ERROR SUMMARY: 0 errors" in d.log()


def test_valgrind_limits_no_leak(rio_build):
    """The limits' paths: a refused WRITE (ready toast reserved and freed),
    a connection closed over the request budget, pipelined answers."""
    if not shutil.which("valgrind"):
        pytest.skip("valgrind not installed")
    if sanitized(rio_build):
        pytest.skip("ASan build: valgrind cannot run it")
    base = free_port_block(1)
    args = ["--serials", "1", "--base-port", str(base), "--max-ready-bytes", "8K", "--request-budget", "64K"]
    wrapper = ["valgrind", "--leak-check=full", "--error-exitcode=99", "--errors-for-leak-kinds=definite,indirect"]
    with Daemon(rio_build, args, wrapper=wrapper, ready_timeout=60) as d:
        assert d.ready, d.log()
        c = Conn("127.0.0.1", base + 1, timeout=20)
        ok(c.create())
        full = DEFS.TOASTER_MAX_LOAD_BYTES
        for _ in range(2):
            ok(c.write(b"x" * full), full)
            ok(eject(c))
        expect(c.write(b"y"), DEFS.STATUS_INSUFFICIENT_RESOURCES)
        with Conn("127.0.0.1", base + 1, timeout=20) as big:
            big.send(pack_request(DEFS.MJ_WRITE, 1, data=b"z" * 70000)[:100])
            assert big.wait_close(20).kind in GONE
        c.send(b"".join(pack_request(DEFS.MJ_READ, c.next_seq(), output_length=full) for _ in range(3)))
        for n in (full, full, 0):
            ok(c.recv_pdu(), n, n)
        assert d.stop(timeout=60) == 0, d.log()
        c.close()
        assert "ERROR SUMMARY: 0 errors" in d.log()
        assert "close 127.0.0.1" in d.log() and "request budget exhausted" in d.log()


def test_valgrind_serial_session_no_leak(rio_build):
    """A modem and a tty (a pty pair) under valgrind: a pending READ
    completed by the master, a pending WAIT_ON_MASK abandoned by a
    disconnect, a big READ buffer, the AT dialogue, SIGTERM with a handle
    open."""
    import os
    import select
    if not shutil.which("valgrind"):
        pytest.skip("valgrind not installed")
    if sanitized(rio_build):
        pytest.skip("ASan build: valgrind cannot run it")
    master, slave = os.openpty()
    base = free_port_block(2)
    args = ["--modem", "1", "--device", "tty:2:%s" % os.ttyname(slave), "--base-port", str(base)]
    wrapper = ["valgrind", "--leak-check=full", "--error-exitcode=99", "--errors-for-leak-kinds=definite,indirect"]
    try:
        with Daemon(rio_build, args, wrapper=wrapper, ready_timeout=60) as d:
            os.close(slave)
            slave = None
            assert d.ready, d.log()
            m = SerialPort(Conn("127.0.0.1", base + 1, timeout=30))
            ok(m.c.create())
            m.dtr()
            assert m.at("ATI").endswith(framed(DEFS.MODEM_OK))
            m.write(b"B" * (DEFS.SERIAL_QUEUE_SIZE + 100))  # overflow
            assert len(m.read(DEFS.DATA_MAX)) == DEFS.SERIAL_QUEUE_SIZE
            m.wait_mask(DEFS.SERIAL_EV_RING)
            m.c.request(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_SERIAL_WAIT_ON_MASK, DEFS.SERIAL_U32_SIZE)
            m.c.close()  # abandoned while pending
            t = SerialPort(Conn("127.0.0.1", base + 2, timeout=30))
            ok(t.c.create())
            t.set_timeouts(0, 0, 0)
            t.c.request(DEFS.MJ_READ, output_length=3)
            os.write(master, b"xyz")
            assert ok(t.c.recv_pdu(), 3, 3).data == b"xyz"
            t.dtr()
            t.write(b"out")
            assert select.select([master], [], [], 30)[0] and os.read(master, 3) == b"out"
            again = SerialPort(Conn("127.0.0.1", base + 1, timeout=30))
            ok(again.c.create())  # the modem was released by the disconnect
            assert d.stop(timeout=60) == 0, d.log()
            t.c.close()
            again.c.close()
            assert "ERROR SUMMARY: 0 errors" in d.log()
    finally:
        os.close(master)
        if slave is not None:
            os.close(slave)
