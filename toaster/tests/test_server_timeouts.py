"""riotoasterd: stall and idle timeouts (short values, measured windows)."""
import time

from pyrio.codec import pack_request
from test_server_support import *  # noqa: F401,F403


def closes_within(c, low, high):
    t0 = time.monotonic()
    assert_gone(c, timeout=high + 2)
    elapsed = time.monotonic() - t0
    assert low <= elapsed <= high, "closed after %.3f s, expected %.3f..%.3f" % (elapsed, low, high)


def test_stall_timeout_mid_header(toasterd):
    d = toasterd(args=["--stall-timeout", "0.5"])
    with opened(d) as c:
        c.send(pack_request(DEFS.MJ_WRITE, 2, data=b"abc")[:10])
        closes_within(c, 0.4, 3.0)
    assert "request incomplete after 0.500 s" in d.log() and ": stall timeout" in d.log()
    assert_serving(d)


def test_stall_timeout_mid_data_counts_from_first_byte(toasterd):
    d = toasterd(args=["--stall-timeout", "0.6"])
    with opened(d) as c:
        pdu = pack_request(DEFS.MJ_WRITE, 2, data=b"x" * 100)
        t0 = time.monotonic()
        c.send(pdu[:30])
        for i in range(30, 60):  # trickling bytes does not restart the clock
            time.sleep(0.02)
            c.send(pdu[i:i + 1])
        assert_gone(c, timeout=3)
        assert 0.5 <= time.monotonic() - t0 <= 3.0


def test_no_stall_between_requests_and_slow_complete_pdu(toasterd):
    d = toasterd(args=["--stall-timeout", "0.5"])
    with opened(d) as c:
        time.sleep(0.8)  # idle between requests is not a stall
        pdu = pack_request(DEFS.MJ_WRITE, c.next_seq(), data=b"y" * 4)
        c.send(pdu[:12])
        time.sleep(0.2)
        c.send(pdu[12:])
        ok(c.recv_pdu(), 4)


def test_idle_timeout(toasterd):
    d = toasterd(args=["--idle-timeout", "0.5"])
    with opened(d) as c:
        ok(c.write(b"a"), 1)
        closes_within(c, 0.4, 3.0)
    assert "idle for 0.500 s" in d.log() and ": idle timeout" in d.log()
    with opened(d) as c:  # reset on activity: requests every 0.2 s keep it open
        for _ in range(5):
            time.sleep(0.2)
            status(c)


def test_idle_timeout_off_by_default(toasterd):
    d = toasterd()
    with opened(d) as c:
        time.sleep(1.0)
        status(c)


def test_pending_read_is_never_idle(toasterd):
    d = toasterd(args=["--idle-timeout", "0.3", "--toast-ms-per-level", "200"])  # darkness 5: 1 s
    with opened(d) as c:
        ok(c.write(b"patience"), 8)
        ok(start(c))
        assert ok(c.read(100, timeout=5), 8, 8).data == b"patience"
