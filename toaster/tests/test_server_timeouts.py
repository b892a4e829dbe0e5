"""riotoasterd: stall and idle timeouts (short values).  Which timeout
closed a connection is read from the daemon's log line; no elapsed time is
asserted (timing figures belong in bench/), and every wait is bounded by a
generous sanity limit."""
import select
import time

from pyrio.codec import pack_request
from test_server_support import *  # noqa: F401,F403

SANITY_S = 10.0  # far beyond every timeout set here


def stay_open_while(c, seconds):
    """Pace a client that says nothing for `seconds` (the time that must
    pass is the subject of the test, not a wait for the server)."""
    time.sleep(seconds)


def test_stall_timeout_mid_header(toasterd):
    d = toasterd(args=["--stall-timeout", "0.5"])
    with opened(d) as c:
        c.send(pack_request(DEFS.MJ_WRITE, 2, data=b"abc")[:10])
        assert_gone(c, SANITY_S)
    assert "request incomplete after 0.500 s" in d.log() and ": stall timeout" in d.log()
    assert_serving(d)


def test_stall_timeout_mid_data_counts_from_first_byte(toasterd):
    """A byte every 20 ms would never let a per-byte clock run out: the
    server closes before the request is whole, so its clock runs from the
    PDU's first byte."""
    d = toasterd(args=["--stall-timeout", "0.3"])
    with opened(d) as c:
        pdu = pack_request(DEFS.MJ_WRITE, 2, data=b"x" * 1000)
        c.send(pdu[:30])
        closed = False
        for i in range(30, len(pdu)):  # 20 s of trickling at most
            stay_open_while(c, 0.02)
            try:
                c.send(pdu[i:i + 1])
            except OSError:
                closed = True
                break
            if select.select([c.sock], [], [], 0)[0]:  # the server's FIN (or a reset)
                closed = True
                break
        assert closed, "a request trickled in whole past its stall timeout"
        assert_gone(c, SANITY_S)
    assert "request incomplete after 0.300 s" in d.log()


def test_no_stall_between_requests_and_slow_complete_pdu(toasterd):
    d = toasterd(args=["--stall-timeout", "0.5"])
    with opened(d) as c:
        stay_open_while(c, 0.8)  # idle between requests is not a stall
        pdu = pack_request(DEFS.MJ_WRITE, c.next_seq(), data=b"y" * 4)
        c.send(pdu[:12])
        stay_open_while(c, 0.2)
        c.send(pdu[12:])
        ok(c.recv_pdu(), 4)


def test_idle_timeout(toasterd):
    d = toasterd(args=["--idle-timeout", "0.5"])
    with opened(d) as c:
        ok(c.write(b"a"), 1)
        assert_gone(c, SANITY_S)
    assert "idle for 0.500 s" in d.log() and ": idle timeout" in d.log()
    with opened(d) as c:  # reset on activity: requests every 0.2 s keep it open
        for _ in range(5):
            stay_open_while(c, 0.2)
            status(c)


def test_idle_timeout_off_by_default(toasterd):
    d = toasterd()
    with opened(d) as c:
        stay_open_while(c, 1.0)
        status(c)


def test_pending_read_is_never_idle(toasterd):
    d = toasterd(args=["--idle-timeout", "0.3", "--toast-ms-per-level", "200"])  # darkness 5: 1 s
    with opened(d) as c:
        ok(c.write(b"patience"), 8)
        ok(start(c))
        assert ok(c.read(100, timeout=5), 8, 8).data == b"patience"
