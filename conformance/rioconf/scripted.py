"""The scripted server for client cases.

A listening socket on a free 127.0.0.1 port plays a correct toaster
(pyrio.toastermodel) — or departs from it where the Script says — while the
client command runs against it; everything the client sent is recorded
with its arrival time, so the case can judge the client afterwards.

Every wait is bounded: accepting, each receive, the whole session and the
client's exit all have deadlines (scaled by --rio-timeout-scale).
"""
import bisect
import select
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from typing import Optional, Tuple

from pyrio.codec import HEADER_SIZE, pack_response, unpack
from pyrio.riodefs import DEFS
from pyrio.toastermodel import Toaster


@dataclass
class Script:
    """How the scripted server departs from a correct toaster.  Request
    indexes count from 0 (the client's first request)."""
    hold: float = 0.05                        # s to wait for pipelined bytes before each answer
    error_at: Optional[Tuple[int, int]] = None  # (index, status): answer that request with an error
    close_at: Optional[int] = None            # close instead of answering this request
    extra_header: int = 0                     # extra response header bytes (HeaderLength 24+n)
    # (index, one of BAD_FIELDS): spoil the answer to the first request from
    # that index on that was the client's only outstanding one (a pipelined
    # request has two outstanding: no single "outstanding request" to match).
    bad_field_at: Optional[Tuple[int, str]] = None
    unknown_status_at: Optional[int] = None   # answer that request with an NTSTATUS no table has
    delay_reads: float = 0.0                  # s to hold every READ answer (a slow toast)
    trickle: bool = False                     # send every answer one byte per segment


# How a bad response departs from the right one.
BAD_FIELDS = ("signature", "header_length", "version", "seq", "major", "overflow")
UNKNOWN_STATUS = 0xC00000BB   # an NTSTATUS outside the spec's table


@dataclass
class Received:
    index: int
    arrival: float          # s since the client connected (first byte)
    header: object
    data: bytes
    pipelined: bool         # its first byte arrived before the previous answer was sent


@dataclass
class ClientRun:
    command: list
    connected: bool = False
    requests: list = field(default_factory=list)
    chunks: list = field(default_factory=list)   # transcript, server's view
    client_closed: bool = False                  # the client ended the connection
    server_closed: bool = False
    returncode: Optional[int] = None
    timed_out: bool = False
    output: str = ""
    garbage: str = ""                            # bytes that were not a request
    bytes_after_close: int = 0                   # unparsed bytes that arrived as the server closed
    answered_at: dict = field(default_factory=dict)  # request index -> s when its answer was sent
    spoiled: Optional[int] = None                # index of the request given the bad answer

    def majors(self):
        return [r.header.major for r in self.requests]

    def describe_exit(self):
        if self.timed_out:
            return "still running at the deadline (killed)"
        if self.returncode is not None and self.returncode < 0:
            return "killed by signal %d" % -self.returncode
        return "exit status %s" % self.returncode


class ScriptedServer:
    def __init__(self, script, scale=1.0, session_timeout=10.0):
        self.script, self.scale = script, scale
        self.session_timeout = session_timeout * scale
        self.model = Toaster()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.host, self.port = self.listener.getsockname()

    # ---- running a client ------------------------------------------------

    def run(self, template):
        cmd = [part.replace("{host}", self.host).replace("{port}", str(self.port)) for part in template]
        run = ClientRun(command=cmd)
        with tempfile.TemporaryFile() as out:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
            try:
                deadline = time.monotonic() + self.session_timeout
                sock = self.accept(proc, deadline)
                if sock is not None:
                    run.connected = True
                    self.serve(sock, run, deadline)
                self.reap(proc, run, deadline)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                self.listener.close()
            out.seek(0)
            run.output = out.read().decode(errors="replace")
        return run

    def accept(self, proc, deadline):
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.listener], [], [], 0.05)
            if r:
                sock, _ = self.listener.accept()
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                return sock
            if proc.poll() is not None:
                return None
        return None

    def reap(self, proc, run, deadline):
        try:
            run.returncode = proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            run.timed_out = True

    # ---- the session -----------------------------------------------------

    def serve(self, sock, run, deadline):
        self.t0 = time.monotonic()
        self.buf, self.offsets, self.times = b"", [], []   # chunk start offsets and arrival times
        self.received = 0
        last_answer = 0.0
        try:
            while time.monotonic() < deadline:
                req = self.next_request(sock, run, deadline)
                if req is None:
                    return
                req.pipelined = req.index > 0 and req.arrival < last_answer
                self.hold(sock, run)
                run.requests.append(req)
                if not self.answer(sock, run, req):
                    return
                last_answer = time.monotonic() - self.t0
        finally:
            sock.close()

    def recv_into(self, sock, run, timeout):
        """Receive one chunk within timeout; False on EOF/reset."""
        r, _, _ = select.select([sock], [], [], max(0.0, timeout))
        if not r:
            return True
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            run.client_closed = True
            return False
        t = time.monotonic() - self.t0
        run.chunks.append(("recv", t, chunk))
        self.offsets.append(self.received)
        self.times.append(t)
        self.received += len(chunk)
        self.buf += chunk
        return True

    def arrival_of(self, offset):
        return self.times[bisect.bisect_right(self.offsets, offset) - 1]

    def next_request(self, sock, run, deadline):
        """The next whole request, or None when the connection is over."""
        start = self.received - len(self.buf)
        while True:
            need = HEADER_SIZE
            if len(self.buf) >= HEADER_SIZE:
                h = unpack(self.buf)
                if h.signature != DEFS.SIGNATURE_REQUEST.encode() or \
                        not DEFS.HEADER_LENGTH_MIN <= h.header_length <= DEFS.HEADER_LENGTH_MAX or \
                        h.data_length > DEFS.DATA_MAX:
                    run.garbage = "not a valid request header at stream offset %d" % start
                    return None
                need = h.header_length + h.data_length
                if len(self.buf) >= need:
                    h.data = self.buf[h.header_length:need]
                    self.buf = self.buf[need:]
                    return Received(len(run.requests), self.arrival_of(start), h, h.data, False)
            if time.monotonic() >= deadline or run.client_closed:
                return None
            if not self.recv_into(sock, run, deadline - time.monotonic()):
                return None

    def hold(self, sock, run):
        """Give a client that pipelines the chance to show it."""
        self.hold_for(sock, run, self.script.hold)

    def hold_for(self, sock, run, seconds):
        """Wait, still recording whatever the client sends meanwhile."""
        end = time.monotonic() + seconds * self.scale
        while time.monotonic() < end and not run.client_closed:
            self.recv_into(sock, run, end - time.monotonic())

    def answer(self, sock, run, req):
        """Answer one request as the script says; False when the connection ends."""
        s, h = self.script, req.header
        if s.close_at == req.index:
            self.close(sock, run)
            return False
        status, info, data = self.model.handle(h, req.data)
        if s.error_at and s.error_at[0] == req.index:
            status, info, data = s.error_at[1], 0, b""
        if s.unknown_status_at == req.index:
            status, info, data = UNKNOWN_STATUS, 0, b""
        if h.major == DEFS.MJ_READ and s.delay_reads:
            self.hold_for(sock, run, s.delay_reads)
        kw = {"extra": b"\xee" * s.extra_header} if s.extra_header else {}
        if s.bad_field_at and s.bad_field_at[0] <= req.index and run.spoiled is None and not req.pipelined:
            run.spoiled = req.index
            what = s.bad_field_at[1]
            kw = {"seq": h.seq + 1} if what == "seq" else {"major": h.major ^ 1} if what == "major" else {}
            if what == "signature":
                kw["signature"] = b"RIOX"
            elif what == "header_length":
                kw["header_length"] = DEFS.HEADER_LENGTH_MIN - 1
            elif what == "version":
                kw["version"] = DEFS.VERSION + 1
            elif what == "overflow":
                data = b"\x5a" * (h.output_length + 1)
                info = len(data)
        fields = dict(major=h.major, seq=h.seq)
        fields.update((k, kw.pop(k)) for k in ("major", "seq") if k in kw)
        raw = pack_response(fields["major"], fields["seq"], status, info, data, **kw)
        try:
            for part in ([raw[i:i + 1] for i in range(len(raw))] if s.trickle else [raw]):
                sock.sendall(part)
        except OSError:
            return False
        run.answered_at[req.index] = time.monotonic() - self.t0
        run.chunks.append(("send", run.answered_at[req.index], raw))
        if h.major == DEFS.MJ_CLOSE and status == DEFS.STATUS_SUCCESS:
            self.close(sock, run)
            return False
        return True

    def close(self, sock, run):
        run.server_closed = True
        run.chunks.append(("note", time.monotonic() - self.t0, b"scripted server closes the connection"))
        try:
            sock.shutdown(socket.SHUT_WR)
            # Drain briefly so the client sees a FIN, not a RST, and
            # record anything it still sends.
            self.recv_into(sock, run, 0.2 * self.scale)
            run.bytes_after_close = len(self.buf)
        except OSError:
            pass

