"""Shared helpers for the riotoast suites (no tests here).

- run_riotoast(): run the CLI with a bounded timeout, capture bytes.
- ScriptedServer: a one-connection RIO server in a thread, for checking what
  the client sends (the --misbehave tests).  It answers every request with
  STATUS_SUCCESS (and a correctly sized structure for GET_INFO/GET_STATUS)
  and records requests, timing and how the client left.
"""
import json
import os
import re
import select
import socket
import subprocess
import sys
import threading
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from pyrio import DEFS, HEADER_SIZE, pack_response, unpack  # noqa: E402

LOOPBACK = "127.0.0.1"

# riotoast's exit codes (README.md).
EXIT_OK, EXIT_STATUS, EXIT_LOCAL, EXIT_CONNECTION, EXIT_USAGE = 0, 1, 2, 3, 4


@pytest.fixture
def riotoast(rio_bin):
    """riotoast(ARGS..., port=P, stdin=b"") -> Result."""
    return lambda *args, **kw: run_riotoast(rio_bin("riotoast"), *args, **kw)


class Result:
    def __init__(self, proc):
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr.decode(errors="replace")

    @property
    def text(self):
        return self.out.decode(errors="replace")

    def json(self):
        lines = self.out.decode().strip().splitlines()
        assert len(lines) == 1, "--json must print exactly one line: %r" % self.out
        return json.loads(lines[0])

    def __repr__(self):
        return "exit %d\nstdout: %r\nstderr: %s" % (self.code, self.out[:2000], self.err[:2000])


def run_riotoast(binary, *args, port=None, stdin=b"", timeout=30, env=None):
    """Run riotoast [--port PORT] ARGS (env: variables to set); never hangs
    longer than timeout."""
    argv = [binary] + (["--port", str(port)] if port is not None else []) + [str(a) for a in args]
    proc = subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout,
                          env=dict(os.environ, **env) if env else None)
    return Result(proc)


def free_port():
    """A loopback port with nothing listening (bound then released)."""
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def fields(text):
    """'Key   value' lines of text output as a dict."""
    return dict(re.match(r"(\S+)\s+(.*)", line).groups() for line in text.splitlines() if line.strip())


def one_error_line(result, *words):
    """Exactly one line on stderr, "riotoast: ..." ("riotoast CMD: usage:
    ..." for a wrong number of arguments), holding each of words."""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("riotoast"), result
    for w in words:
        assert w in lines[0], (w, result)
    return lines[0]


def majors(doc):
    return [t["major"] for t in doc["transactions"]]


def seqs(doc):
    return [t["seq"] for t in doc["transactions"]]


class ScriptedServer:
    """Accepts one connection and answers each request in order.

    hold_first: seconds to wait, after the first request arrived, before
    answering it; a second request arriving meanwhile means the client
    pipelined (self.pipelined).  answer(req) -> (status, data) or
    (status, data, information), or None for the default answer, decides
    the answer to any request."""

    MAX_REQUESTS = 64

    def __init__(self, hold_first=0.0, timeout=10.0, answer=None):
        self.hold_first, self.timeout, self.custom_answer = hold_first, timeout, answer
        self.requests = []          # Header objects with .data, in arrival order
        self.pipelined = False
        self.client_closed = False  # EOF (or reset) seen
        self.error = None
        self.sock = socket.socket()
        self.sock.bind((LOOPBACK, 0))
        self.sock.listen(1)
        self.sock.settimeout(timeout)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.join()

    def join(self):
        self.thread.join(self.timeout + 5)
        self.sock.close()
        assert not self.thread.is_alive(), "scripted server still running"
        if self.error:
            raise self.error

    # ---- the serving thread ---------------------------------------------

    def _recv_exact(self, conn, n):
        buf = b""
        while len(buf) < n:
            chunk = conn.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf

    def _read_request(self, conn):
        raw = self._recv_exact(conn, HEADER_SIZE)
        if raw is None:
            return None
        hdr = unpack(raw)
        extra = max(0, min(hdr.header_length, DEFS.HEADER_LENGTH_MAX) - HEADER_SIZE)
        rest = self._recv_exact(conn, extra + min(hdr.data_length, DEFS.DATA_MAX))
        if rest is None:
            return None
        hdr.data = rest[extra:]
        return hdr

    def _answer(self, req):
        decided = self.custom_answer(req) if self.custom_answer else None
        if decided is not None:
            status, data, information = (tuple(decided) + (None,))[:3]
            info = len(data) if information is None else information
            return pack_response(req.major, req.seq, status, info, data)
        sizes = {DEFS.IOCTL_TOASTER_GET_INFO: DEFS.TOASTER_INFO_SIZE,
                 DEFS.IOCTL_TOASTER_GET_STATUS: DEFS.TOASTER_STATUS_SIZE}
        data = b""
        if req.major == DEFS.MJ_DEVICE_CONTROL and req.ioctl in sizes:
            data = bytes(sizes[req.ioctl])
        return pack_response(req.major, req.seq, DEFS.STATUS_SUCCESS, len(data), data)

    def _run(self):
        try:
            conn, _ = self.sock.accept()
        except OSError as e:
            self.error = e
            return
        conn.settimeout(self.timeout)
        with conn:
            try:
                self._serve(conn)
            except ConnectionResetError:
                self.client_closed = True
            except OSError as e:
                self.error = e

    def _serve(self, conn):
        for _ in range(self.MAX_REQUESTS):
            req = self._read_request(conn)
            if req is None:
                self.client_closed = True
                return
            self.requests.append(req)
            if len(self.requests) == 1 and self.hold_first:
                ready, _, _ = select.select([conn], [], [], self.hold_first)
                self.pipelined = bool(ready) and bool(conn.recv(1, socket.MSG_PEEK))
            conn.sendall(self._answer(req))
            if req.major == DEFS.MJ_CLOSE:
                return
        self.error = AssertionError("client sent more than %d requests" % self.MAX_REQUESTS)


def wait_until(predicate, timeout=5.0, step=0.01):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
