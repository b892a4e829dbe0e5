"""riotoasterd: the session rules (brief section 4, docs/DESIGN.md)."""
import socket
import threading

import pytest

from pyrio.codec import pack_request
from pyrio.daemon import free_port_block
from test_server_support import *  # noqa: F401,F403

NON_CREATE = [DEFS.MJ_CLOSE, DEFS.MJ_READ, DEFS.MJ_WRITE, DEFS.MJ_DEVICE_CONTROL, DEFS.MJ_CLEANUP]
UNKNOWN_MAJOR = 0x01  # not in rio.h's major table


def test_known_majors_are_the_table():
    assert UNKNOWN_MAJOR not in DEFS.tables["MAJOR"]
    assert sorted(NON_CREATE + [DEFS.MJ_CREATE]) == sorted(DEFS.tables["MAJOR"])


@pytest.mark.parametrize("major", NON_CREATE)
def test_request_before_create_is_invalid_handle_and_connection_stays(toasterd, major):
    d = toasterd()
    with connect(d) as c:
        out = c.transact(major, output_length=10, data=b"xyz")
        expect(out, DEFS.STATUS_INVALID_HANDLE, major=major, seq=1)
        ok(c.create())
        assert info(c)["serial"] == 1


@pytest.mark.parametrize("with_handle", [False, True])
def test_unknown_major_invalid_device_request_data_discarded(toasterd, with_handle):
    d = toasterd()
    with connect(d) as c:
        if with_handle:
            ok(c.create())
        expect(c.transact(UNKNOWN_MAJOR, data=b"R" * 1000), DEFS.STATUS_INVALID_DEVICE_REQUEST,
               major=UNKNOWN_MAJOR)
        expect(c.transact(0xFF), DEFS.STATUS_INVALID_DEVICE_REQUEST)
        if not with_handle:
            ok(c.create())
        assert status(c)["state"] == DEFS.TOASTER_STATE_EMPTY


def test_second_create_on_one_connection(toasterd):
    d = toasterd()
    with opened(d) as c:
        ok(c.write(b"abc"), 3)
        expect(c.create(), DEFS.STATUS_INVALID_DEVICE_STATE)
        assert status(c)["loaded_bytes"] == 3  # the handle stays open


def test_cleanup_keeps_handle(toasterd):
    d = toasterd()
    with opened(d) as c:
        ok(c.write(b"abc"), 3)
        ok(c.transact(DEFS.MJ_CLEANUP))
        assert status(c)["loaded_bytes"] == 3


def test_exclusive_access_sharing_violation_then_close(toasterd):
    d = toasterd(serials=2)
    with opened(d, 1) as holder, connect(d, 1) as other, opened(d, 2) as neighbour:
        expect(other.create(), DEFS.STATUS_SHARING_VIOLATION)
        assert_gone(other)
        assert info(holder)["serial"] == 1
        assert info(neighbour)["serial"] == 2
    assert "CREATE refused" in d.log()


def test_connection_without_create_holds_nothing(toasterd):
    d = toasterd()
    with connect(d) as idle, opened(d) as c:
        ok(c.close_handle())
        idle.close()


def test_close_answers_releases_then_closes(toasterd):
    d = toasterd()
    with opened(d) as c, connect(d) as nxt:
        ok(c.close_handle())
        assert_gone(c)
        ok(nxt.create())  # released


def test_close_discards_pipelined_bytes(toasterd):
    d = toasterd()
    with opened(d) as c:
        seq = c.next_seq()
        c.send(pack_request(DEFS.MJ_CLOSE, seq) + pack_request(DEFS.MJ_WRITE, seq + 1, data=b"lost") +
               pack_request(DEFS.MJ_CREATE, seq + 2))
        expect(c.recv_pdu(), DEFS.STATUS_SUCCESS, major=DEFS.MJ_CLOSE, seq=seq)
        assert_gone(c)
    with opened(d) as c:
        assert status(c)["loaded_bytes"] == 0


@pytest.mark.parametrize("how", ["close", "disconnect", "disconnect-mid-pdu"])
def test_new_handle_starts_from_reset_state(toasterd, how):
    d = toasterd(args=["--toast-ms-per-level", "100"])
    with opened(d) as c:
        ok(set_darkness(c, 9))
        ok(c.write(b"A" * 10), 10)
        ok(eject(c))
        ok(c.write(b"B" * 5), 5)
        ok(start(c))
        assert status(c)["state"] == DEFS.TOASTER_STATE_TOASTING
        if how == "close":
            ok(c.close_handle())
        elif how == "disconnect-mid-pdu":
            c.send(pack_request(DEFS.MJ_WRITE, 99, data=b"x" * 10)[:30])
    with opened(d) as c:
        assert status(c) == {"state": DEFS.TOASTER_STATE_EMPTY, "darkness": DEFS.TOASTER_DARKNESS_DEFAULT,
                             "loaded_bytes": 0, "ready_bytes": 0, "toast_count": 0, "error_count": 0}


def test_disconnect_with_pending_read_releases(toasterd):
    d = toasterd(args=["--toast-ms-per-level", "1000"])
    with opened(d) as c:
        pend_read(c)
    with opened(d) as c:  # the holder vanished mid-READ: device free, reset
        assert status(c)["state"] == DEFS.TOASTER_STATE_EMPTY


def test_pipelined_requests_all_answered_in_order(toasterd):
    d = toasterd()
    with opened(d) as c:
        data = bytes(range(256)) * 4
        reqs, expected = [], []
        for i in range(200):
            seq = c.next_seq()
            if i % 4 == 0:
                reqs.append(pack_request(DEFS.MJ_WRITE, seq, data=data[:i % 64 + 1]))
                expected.append((seq, DEFS.MJ_WRITE))
            elif i % 4 == 1:
                reqs.append(pack_request(DEFS.MJ_DEVICE_CONTROL, seq, DEFS.IOCTL_TOASTER_EJECT))
                expected.append((seq, DEFS.MJ_DEVICE_CONTROL))
            elif i % 4 == 2:
                reqs.append(pack_request(DEFS.MJ_READ, seq, output_length=7))
                expected.append((seq, DEFS.MJ_READ))
            else:
                reqs.append(pack_request(DEFS.MJ_DEVICE_CONTROL, seq, DEFS.IOCTL_TOASTER_GET_STATUS,
                                         DEFS.TOASTER_STATUS_SIZE))
                expected.append((seq, DEFS.MJ_DEVICE_CONTROL))
        c.send(b"".join(reqs))
        for seq, major in expected:
            out = c.recv_pdu()
            expect(out, DEFS.STATUS_SUCCESS, out.pdu.information, out.pdu.data_length, major=major, seq=seq)


def test_pipelined_behind_pending_read_in_order(toasterd):
    d = toasterd(args=["--toast-ms-per-level", "30"])
    with opened(d) as c:
        ok(c.write(b"toast"), 5)
        ok(start(c))
        s1 = c.next_seq()
        s2 = c.next_seq()
        s3 = c.next_seq()
        c.send(pack_request(DEFS.MJ_READ, s1, output_length=100) + pack_request(DEFS.MJ_WRITE, s2, data=b"more") +
               pack_request(DEFS.MJ_READ, s3, output_length=100))
        r1 = ok(c.recv_pdu(), 5, 5)
        assert r1.seq == s1 and r1.data == b"toast"
        assert ok(c.recv_pdu(), 4).seq == s2
        assert ok(c.recv_pdu()).seq == s3  # bread loaded, not toasted: nothing ready


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_pipelining_big_burst_with_backpressure(toasterd):
    """A client pipelines 20 MB behind a READ that pends on a 1 s toast: the
    server stops reading (memory stays bounded), then answers every request
    in order.  GET_INFO ignores its input, so each request carries 2 KiB of
    padding; the client also reads late so answers queue up in the server."""
    d = toasterd(args=["--toast-ms-per-level", "100"])
    with opened(d, timeout=30) as c:
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)  # answers back up quickly
        ok(set_darkness(c, 10))
        ok(c.write(b"bread"), 5)
        ok(start(c))
        rss_before = rss_kib(d.proc.pid)
        n, pad = 10000, b"p" * 2048
        read_seq = c.next_seq()
        first = c.seq
        burst = pack_request(DEFS.MJ_READ, read_seq, output_length=64) + b"".join(
            pack_request(DEFS.MJ_DEVICE_CONTROL, first + i, DEFS.IOCTL_TOASTER_GET_INFO, DEFS.TOASTER_INFO_SIZE, pad)
            for i in range(n))
        c.seq += n
        sender = threading.Thread(target=c.sock.sendall, args=(burst,))
        sender.start()
        sender.join(0.5)
        assert sender.is_alive(), "the server read everything: backpressure not exercised"
        assert rss_kib(d.proc.pid) - rss_before < 16 * 1024
        p = ok(c.recv_pdu(timeout=5), 5, 5)
        assert (p.seq, p.data) == (read_seq, b"bread")
        sender.join(0.3)  # let answers queue up in the server before reading them
        for i in range(n):
            p = ok(c.recv_pdu(timeout=30), DEFS.TOASTER_INFO_SIZE, DEFS.TOASTER_INFO_SIZE)
            assert p.seq == first + i
        sender.join(30)
        assert not sender.is_alive()


def test_farm_lowest_free_busy_then_close(toasterd):
    d = toasterd(farm=True, toasters=3)
    conns = [opened(d) for _ in range(3)]
    try:
        assert [info(c)["serial"] for c in conns] == [1, 2, 3]
        with connect(d) as extra:
            expect(extra.create(), DEFS.STATUS_DEVICE_BUSY)
            assert_gone(extra)
        ok(conns[1].close_handle())
        assert_gone(conns[1])
        with opened(d) as again:
            assert info(again)["serial"] == 2
    finally:
        for c in conns:
            c.close()


@pytest.mark.parametrize("spec,serials", [("1,3", [1, 3]), ("2-4", [2, 3, 4]), ("1,5-6", [1, 5, 6])])
def test_serial_lists_per_device_mode(rio_build, spec, serials):
    base = free_port_block(max(serials))
    with Daemon(rio_build, ["--serials", spec, "--base-port", str(base)]) as d:
        assert d.ready, d.log()
        for s in serials:
            with Conn("127.0.0.1", base + s) as c:
                ok(c.create())
                assert info(c)["serial"] == s
        for s in range(1, max(serials) + 1):
            if s not in serials:
                with pytest.raises(OSError):
                    socket.create_connection(("127.0.0.1", base + s), timeout=2).close()


def test_ipv6_loopback_both_modes(toasterd):
    d = toasterd()
    with opened(d, 1, host=LOOPBACK6) as c6, connect(d, 1) as c4:
        assert info(c6)["serial"] == 1
        expect(c4.create(), DEFS.STATUS_SHARING_VIOLATION)  # one device behind both addresses
    f = toasterd(farm=True, toasters=2)
    with opened(f, host=LOOPBACK6) as c6:
        assert info(c6)["serial"] == 1


def test_log_has_connection_events(toasterd):
    d = toasterd()
    with opened(d) as c:
        ok(c.close_handle())
        assert_gone(c)
    with connect(d) as c:
        c.send(b"XXXX" + b"\0" * 20)
        assert_gone(c)
    log = d.log()
    for word in ("accept", "CREATE granted", "close", "framing error"):
        assert word in log


def test_half_close_still_answers_whole_requests(toasterd):
    d = toasterd()
    with connect(d) as c:
        c.send(pack_request(DEFS.MJ_CREATE, 1) + pack_request(DEFS.MJ_WRITE, 2, data=b"abc") +
               pack_request(DEFS.MJ_DEVICE_CONTROL, 3, DEFS.IOCTL_TOASTER_GET_STATUS, DEFS.TOASTER_STATUS_SIZE) +
               pack_request(DEFS.MJ_WRITE, 4, data=b"incomplete")[:30])
        c.sock.shutdown(socket.SHUT_WR)
        assert ok(c.recv_pdu()).seq == 1
        assert ok(c.recv_pdu(), 3).seq == 2
        assert T.status(ok(c.recv_pdu(), DEFS.TOASTER_STATUS_SIZE, DEFS.TOASTER_STATUS_SIZE).data)["loaded_bytes"] == 3
        assert_gone(c)
    assert_serving(d)


def test_half_close_with_pending_read_releases_device(toasterd):
    d = toasterd(args=["--toast-ms-per-level", "1000"])
    with opened(d) as c:
        pend_read(c)
        c.sock.shutdown(socket.SHUT_WR)
        assert_gone(c, timeout=3)  # well before the 5 s cycle ends
        with opened(d) as again:
            assert status(again)["state"] == DEFS.TOASTER_STATE_EMPTY


def test_farm_many_concurrent_connections(toasterd):
    """300 connections at once on one farm port: every CREATE gets its own
    toaster, serials 1..300, all served by the one event loop."""
    n = 300
    d = toasterd(farm=True, toasters=n)
    conns = [connect(d, timeout=20) for _ in range(n)]
    try:
        for c in conns:  # all requests out first, then all answers
            c.request(DEFS.MJ_CREATE)
        for c in conns:
            ok(c.recv_pdu())
        for c in conns:
            c.request(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_INFO, DEFS.TOASTER_INFO_SIZE)
        serials = sorted(T.info(ok(c.recv_pdu(), 48, 48).data)["serial"] for c in conns)
        assert serials == list(range(1, n + 1))
        with connect(d) as extra:
            expect(extra.create(), DEFS.STATUS_DEVICE_BUSY)
    finally:
        for c in conns:
            c.close()
