"""riotoasterd under hostile clients (issue 10): bounded ready toast
(--max-ready-bytes, --memory-budget, STATUS_INSUFFICIENT_RESOURCES), no abort
when memory runs out, the output-buffer limit, the write timeout,
--max-connections and the request budget.

The attacks run against the real daemon on loopback; memory is read from
/proc/PID/status.  Every wait is bounded and event-driven (answers, closes,
resets, --ready-fd), never a sleep.
"""
import os
import shutil
import signal
import socket

import pytest

from pyrio.codec import pack_request, unpack
from test_server_support import *  # noqa: F401,F403

LOAD = DEFS.TOASTER_MAX_LOAD_BYTES
MIB = 1 << 20
INSUFFICIENT = DEFS.STATUS_INSUFFICIENT_RESOURCES
AS_LIMIT = 256 * MIB  # the address-space limit the crash ran under


def proc_status(d, field):
    """A /proc/PID/status size field (VmRSS, VmHWM) in bytes."""
    with open("/proc/%d/status" % d.proc.pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no %s for pid %d" % (field, d.proc.pid))


class Raw:
    """A pipelining client without a transcript (the attacks send hundreds of
    MiB): send many requests, then collect the answers in order."""

    def __init__(self, port, host="127.0.0.1", timeout=10.0, rcvbuf=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        self.seq = DEFS.FIRST_SEQUENCE
        self.buf = bytearray()
        self.loads = 0

    def pdu(self, major, ioctl=0, output_length=0, data=b""):
        self.seq += 1
        return pack_request(major, self.seq, ioctl, output_length, data)

    def answers(self, n):
        """The next n responses (header fields and data), in order."""
        out = []
        while len(out) < n:
            while True:
                if len(self.buf) >= DEFS.HEADER_SIZE:
                    h = unpack(bytes(self.buf[:DEFS.HEADER_SIZE]))
                    end = DEFS.HEADER_SIZE + h.data_length
                    if len(self.buf) >= end:
                        h.data = bytes(self.buf[DEFS.HEADER_SIZE:end])
                        del self.buf[:end]
                        out.append(h)
                        break
                chunk = self.sock.recv(1 << 20)
                assert chunk, "server closed after %d of %d answers" % (len(out), n)
                self.buf += chunk
        return out

    def close(self):
        self.sock.close()


def attack(c, pairs):
    """WRITE a full load + EJECT, `pairs` times pipelined, never READ: the
    status of each WRITE.  Load number i (counted over the connection) is
    bytes i & 0xFF."""
    batch = b"".join(c.pdu(DEFS.MJ_WRITE, data=bytes([(c.loads + i) & 0xFF]) * LOAD) +
                     c.pdu(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_EJECT) for i in range(pairs))
    c.loads += pairs
    c.sock.sendall(batch)
    got = c.answers(2 * pairs)
    for w in got[0::2]:
        if w.status == INSUFFICIENT:  # refused whole, loading nothing
            assert (w.information, w.data_length) == (0, 0)
        else:
            assert (w.status, w.information) == (DEFS.STATUS_SUCCESS, LOAD)
    for e in got[1::2]:  # EJECT always succeeds (the brief): WRITE reserved its room
        assert (e.status, e.information, e.data_length) == (DEFS.STATUS_SUCCESS, 0, 0)
    return [w.status for w in got[0::2]]


def attack_until_refused(c, limit_bytes, batch=256, also=None):
    """Run the attack until a WRITE is refused; return the ready bytes
    accepted before it.  `also` runs between batches (another client)."""
    accepted = 0
    while accepted <= limit_bytes:
        statuses = attack(c, batch)
        ok_count = statuses.index(INSUFFICIENT) if INSUFFICIENT in statuses else len(statuses)
        assert set(statuses[:ok_count]) <= {DEFS.STATUS_SUCCESS}
        assert set(statuses[ok_count:]) <= {INSUFFICIENT}, "a WRITE succeeded after a refusal"
        accepted += ok_count * LOAD
        c.loads -= len(statuses) - ok_count  # refused loads are not in the toast
        if also:
            also()
        if ok_count < len(statuses):
            return accepted
    raise AssertionError("no STATUS_INSUFFICIENT_RESOURCES after %d bytes of ready toast" % accepted)


def read_back(c, nbytes):
    """READ the whole ready toast and check its bytes: load i is bytes i & 0xFF."""
    c.sock.sendall(c.pdu(DEFS.MJ_READ, output_length=min(nbytes, DEFS.DATA_MAX)))
    data = c.answers(1)[0].data
    assert len(data) == min(nbytes, DEFS.DATA_MAX)
    for i in range(0, len(data), LOAD):
        assert data[i:i + LOAD] == bytes([(i // LOAD) & 0xFF]) * LOAD, "ready toast corrupted at %d" % i
    return len(data)


def get_status(c):
    c.sock.sendall(c.pdu(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_STATUS,
                         output_length=DEFS.TOASTER_STATUS_SIZE))
    a = c.answers(1)[0]
    assert a.status == DEFS.STATUS_SUCCESS
    return T.status(a.data)


def created(d, serial=1, **kw):
    c = Raw(d.port(serial), **kw)
    c.sock.sendall(c.pdu(DEFS.MJ_CREATE))
    assert c.answers(1)[0].status == DEFS.STATUS_SUCCESS
    return c


# ---- ready toast ------------------------------------------------------------


def test_attack_stops_at_max_ready_bytes_and_nothing_is_lost(toasterd):
    """The attack of issue 10 at the default limit: WRITE is refused once
    its bytes would take the ready toast past --max-ready-bytes (default
    1 MiB), every accepted byte reads back, the other toaster is served all
    along, and after a READ the toaster takes bread again."""
    d = toasterd(serials=2)
    other = created(d, 2)
    c = created(d)
    accepted = attack_until_refused(c, 4 * MIB, batch=64, also=lambda: get_status(other))
    assert accepted == DEFS.DATA_MAX  # the default: one READ can take it all
    st = get_status(c)
    assert (st["ready_bytes"], st["loaded_bytes"]) == (accepted, 0)
    assert proc_status(d, "VmRSS") < 32 * MIB
    assert read_back(c, accepted) == accepted
    assert attack(c, 1) == [DEFS.STATUS_SUCCESS]  # room again
    assert get_status(c)["ready_bytes"] == LOAD
    log = d.log()
    assert log.count("insufficient resources 127.0.0.1:") == 1  # once per spell, not per refusal
    assert "WRITE refused with ready %d + loaded 0 bytes (limit %d per toaster;" % (DEFS.DATA_MAX, DEFS.DATA_MAX) in log
    c.close()
    other.close()
    assert_serving(d, 2)


def test_write_refused_up_front_start_and_eject_never(toasterd):
    """Room is reserved when a WRITE accepts bytes: at the bound the WRITE is
    refused (loading nothing), and START, the cycle's end and EJECT of what
    was accepted always succeed."""
    d = toasterd(args=["--max-ready-bytes", str(4 * LOAD)])
    c = created(d)
    assert attack(c, 3) == [DEFS.STATUS_SUCCESS] * 3
    c.sock.sendall(c.pdu(DEFS.MJ_WRITE, data=b"s" * (LOAD - 10)) +
                   c.pdu(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_EJECT) +
                   c.pdu(DEFS.MJ_WRITE, data=b"t" * 11) +
                   c.pdu(DEFS.MJ_WRITE, data=b"u" * 10) +
                   c.pdu(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_START))
    w1, e, w2, w3, s = c.answers(5)
    assert (w1.status, w1.information, e.status) == (DEFS.STATUS_SUCCESS, LOAD - 10, DEFS.STATUS_SUCCESS)
    assert (w2.status, w2.information, w2.data_length) == (INSUFFICIENT, 0, 0)  # one byte too many
    assert (w3.status, w3.information) == (DEFS.STATUS_SUCCESS, 10)  # exactly to the bound
    assert s.status == DEFS.STATUS_SUCCESS  # instant toaster: the cycle ended
    st = get_status(c)
    assert (st["state"], st["ready_bytes"], st["loaded_bytes"], st["toast_count"]) == \
        (DEFS.TOASTER_STATE_READY, 4 * LOAD, 0, 1)
    c.sock.sendall(c.pdu(DEFS.MJ_READ, output_length=DEFS.DATA_MAX))
    data = c.answers(1)[0].data
    assert data == b"".join(bytes([i]) * LOAD for i in range(3)) + b"s" * (LOAD - 10) + b"u" * 10
    c.close()


def test_memory_budget_across_toasters(toasterd):
    """--memory-budget bounds the ready toast of all toasters together."""
    d = toasterd(farm=True, toasters=4, args=["--max-ready-bytes", "1M", "--memory-budget", "2M"])
    clients = [created(d) for _ in range(3)]
    total = sum(attack_until_refused(c, 4 * MIB, batch=64) for c in clients)
    assert 1 * MIB < total <= 2 * MIB
    assert "of 2097152 bytes held by all toasters" in d.log()
    for c in clients:
        c.close()
    assert_serving(d)


def test_no_abort_when_memory_runs_out(toasterd, rio_build):
    """Limits far above a 256 MiB address space: the failed allocation is
    an INSUFFICIENT_RESOURCES answer, not an abort; the attacker's toast
    reads back and another client is served meanwhile."""
    if not shutil.which("prlimit"):
        pytest.skip("prlimit (util-linux) not installed")
    if sanitized(rio_build):
        pytest.skip("ASan reserves terabytes of address space: no address-space limit can apply")
    d = toasterd(serials=2, wrapper=["prlimit", "--as=%d" % AS_LIMIT, "--"],
                 args=["--max-ready-bytes", "4G", "--memory-budget", "4G"])
    other = created(d, 2)
    c = created(d)
    accepted = attack_until_refused(c, AS_LIMIT, also=lambda: get_status(other))
    assert d.proc.poll() is None
    assert proc_status(d, "VmRSS") < AS_LIMIT
    assert get_status(c)["ready_bytes"] == accepted
    assert read_back(c, accepted) == min(accepted, DEFS.DATA_MAX)
    c.close()
    other.close()
    assert_serving(d, 2)
    assert "insufficient resources" in d.log()


@pytest.mark.parametrize("opt", ["--max-ready-bytes", "--memory-budget", "--request-budget", "--max-output-bytes"])
@pytest.mark.parametrize("value", ["100", "x", "-5", "1Q", ""])
def test_byte_limits_reject_bad_values(rio_bin, opt, value):
    import subprocess
    r = subprocess.run([rio_bin("riotoasterd"), opt, value], capture_output=True, text=True, timeout=10)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and opt in r.stderr


@pytest.mark.parametrize("args", [["--write-timeout", "0"], ["--write-timeout", "soon"], ["--max-connections", "0"],
                                  ["--max-connections", "2000000"]])
def test_connection_limits_reject_bad_values(rio_bin, args):
    import subprocess
    r = subprocess.run([rio_bin("riotoasterd")] + args, capture_output=True, text=True, timeout=10)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and args[0] in r.stderr


def test_byte_suffixes(toasterd, rio_bin):
    """K, M and G are binary multiples: 4K (one full load) is the smallest
    limit accepted."""
    import subprocess
    assert LOAD == 4 << 10
    for value, limit in (("4K", LOAD), ("1m", MIB), ("2G", 2048 * MIB)):
        d = toasterd(args=["--max-ready-bytes", value, "--memory-budget", "4K"])
        c = created(d)
        c.sock.sendall(c.pdu(DEFS.MJ_WRITE, data=b"x" * LOAD) + c.pdu(DEFS.MJ_DEVICE_CONTROL,
                                                                     DEFS.IOCTL_TOASTER_EJECT) +
                       c.pdu(DEFS.MJ_WRITE, data=b"y"))
        assert [a.status for a in c.answers(3)] == [DEFS.STATUS_SUCCESS, DEFS.STATUS_SUCCESS, INSUFFICIENT]
        assert "(limit %d per toaster; %d of %d bytes held" % (limit, LOAD, LOAD) in d.log()
        c.close()
    r = subprocess.run([rio_bin("riotoasterd"), "--max-ready-bytes", "3K"], capture_output=True, text=True,
                       timeout=10)
    assert r.returncode == 2 and "want bytes >= %d" % LOAD in r.stderr


# ---- connections that pin memory -------------------------------------------


def pipeline_until_closed(c, request, limit_bytes):
    """Send `request` over and over, never reading, until the server drops
    the connection (send fails); the bytes sent before it.  A server that
    instead stops reading makes sendall time out: the test fails."""
    chunk = request * 1000
    sent = 0
    try:
        while sent < limit_bytes:
            c.sock.sendall(chunk)
            sent += len(chunk)
    except (ConnectionResetError, BrokenPipeError):
        return sent
    raise AssertionError("still open after %d bytes of requests never read" % sent)


def test_output_limit_closes_a_client_that_never_reads(toasterd):
    d = toasterd(args=["--max-output-bytes", "16K"])  # below the 64 KiB where framing pauses
    with opened(d) as busy:
        c = Raw(d.port(), rcvbuf=4096)
        get_info = c.pdu(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_INFO, output_length=DEFS.TOASTER_INFO_SIZE)
        pipeline_until_closed(c, get_info, 256 * MIB)
        log = d.log()
        assert "output limit 127.0.0.1:" in log and "bytes of answers unsent exceed 16384" in log
        assert ": output buffer limit" in log
        assert info(busy)["serial"] == 1  # the other client was served all along
        c.close()


def test_write_timeout_closes_a_client_that_never_reads(toasterd):
    d = toasterd(args=["--write-timeout", "0.3"])
    with opened(d) as busy:
        c = Raw(d.port(), rcvbuf=4096, timeout=30)
        get_info = c.pdu(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_INFO, output_length=DEFS.TOASTER_INFO_SIZE)
        pipeline_until_closed(c, get_info, 256 * MIB)
        log = d.log()
        assert "no write progress for 0.300 s" in log and ": write timeout" in log
        assert info(busy)["serial"] == 1
        c.close()


def accepted_count(d):
    return d.log().count(" accept 127.0.0.1:")


def test_max_connections_pauses_and_resumes_accepts(toasterd):
    d = toasterd(args=["--max-connections", "3"])
    first = [connect(d) for _ in range(3)]
    for c in first:  # each served: INVALID_HANDLE is an answer
        expect(c.write(b"x"), DEFS.STATUS_INVALID_HANDLE)
    assert "accepts paused: 3 connections open (--max-connections 3)" in d.log()
    extra = connect(d)  # the kernel completes the handshake; the server does not accept
    extra.request(DEFS.MJ_WRITE, data=b"y")
    for _ in range(2):  # two round trips: any accept of `extra` would be logged by now
        expect(first[0].write(b"x"), DEFS.STATUS_INVALID_HANDLE)
    assert accepted_count(d) == 3
    first[1].close()
    expect(extra.recv_pdu(), DEFS.STATUS_INVALID_HANDLE)  # served once a slot freed
    assert "accepts resumed: 2 connections open" in d.log()
    assert accepted_count(d) == 4
    for c in first + [extra]:
        c.close()


def test_request_budget_bounds_partial_writes(toasterd):
    """300 connections each send all but the last byte of a 1 MiB WRITE: the
    partial data held stays within --request-budget; connections past it are
    closed (logged); the rest complete and are answered."""
    budget = 16 * MIB
    d = toasterd(args=["--request-budget", str(budget)])
    base = proc_status(d, "VmHWM")
    conns = []
    pdu = pack_request(DEFS.MJ_WRITE, DEFS.FIRST_SEQUENCE, data=b"w" * DEFS.DATA_MAX)
    refused = 0
    for _ in range(300):
        c = Raw(d.port(), timeout=20)
        try:
            c.sock.sendall(pdu[:-1])
            conns.append(c)
        except (ConnectionResetError, BrokenPipeError):
            refused += 1
            c.close()
    answered = 0
    for c in conns:
        try:
            c.sock.sendall(pdu[-1:])
            a = c.answers(1)[0]
            assert a.status == DEFS.STATUS_INVALID_HANDLE  # whole, then answered (no handle)
            answered += 1
        except (ConnectionResetError, BrokenPipeError, AssertionError):
            refused += 1
        c.close()
    grown = proc_status(d, "VmHWM") - base
    assert answered >= 1 and refused >= 1 and answered + refused == 300
    assert grown < budget + 8 * MIB, "peak RSS grew by %d bytes" % grown
    log = d.log()
    assert "request budget 127.0.0.1:" in log and ": request budget exhausted" in log
    assert_serving(d)


def trace_order(log, peer):
    """Indexes, in --trace order, of the lines of `peer`."""
    lines = [ln for ln in log.splitlines() if " trace " in ln]
    return [i for i, ln in enumerate(lines) if (" trace %s " % peer) in ln], len(lines)


def test_pipelined_requests_do_not_starve_others(toasterd):
    """Fairness: with a pipeliner's 64 KiB of requests and a probe's one
    request readable in the same turn (the daemon is stopped while both are
    sent), the probe is answered after a slice of the pipeliner's requests,
    not after all of them."""
    d = toasterd(args=["--trace"])
    pipe = Raw(d.port())
    probe = Raw(d.port())
    get_status_req = pipe.pdu(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_STATUS,
                              output_length=DEFS.TOASTER_STATUS_SIZE)
    n = 65536 // len(get_status_req)
    for c in (pipe, probe):  # accepted and known by name before the race
        c.sock.sendall(c.pdu(DEFS.MJ_CLEANUP))
        c.answers(1)
    probe_name = "127.0.0.1:%d" % probe.sock.getsockname()[1]
    os.kill(d.proc.pid, signal.SIGSTOP)
    os.waitpid(d.proc.pid, os.WUNTRACED)  # returns once it is stopped
    try:
        pipe.sock.sendall(get_status_req * n)
        probe.sock.sendall(probe.pdu(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_STATUS,
                                     output_length=DEFS.TOASTER_STATUS_SIZE))
    finally:
        os.kill(d.proc.pid, signal.SIGCONT)
    probe.answers(1)
    pipe.answers(n)
    mine, total = trace_order(d.log(), probe_name)
    assert total == n + 3
    assert mine[-1] < 200, "probe answered after %d other requests" % mine[-1]
    pipe.close()
    probe.close()
