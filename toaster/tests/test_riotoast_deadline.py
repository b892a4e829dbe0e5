"""riotoast --timeout is a deadline per answer, not per wait (issue 10): a
server that drips its answer a byte at a time cannot keep it running, and a
header announcing more data than was asked for is a protocol error at once.
The hostile servers are scripted here on loopback."""
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_riotoast_common import (  # noqa: E402
    DEFS, EXIT_CONNECTION, HEADER_SIZE, ScriptedServer, pack_response, riotoast)  # riotoast: a fixture


class HostileServer(ScriptedServer):
    """One connection; each request is answered by respond(server, req,
    conn) until the client hangs up.  `stop` is set when the test is over
    (or the client hung up), so pacing waits end at once."""

    def __init__(self, respond):
        self.respond = respond
        self.stop = threading.Event()
        self.sent = 0              # response bytes that reached the socket
        super().__init__(timeout=30)

    def __exit__(self, *exc):
        self.stop.set()
        super().__exit__(*exc)

    def send(self, conn, data):
        try:
            conn.sendall(data)
            self.sent += len(data)
            return True
        except OSError:
            self.client_closed = True
            self.stop.set()
            return False

    def _serve(self, conn):
        while not self.stop.is_set():
            req = self._read_request(conn)
            if req is None:
                self.client_closed = True
                return
            self.respond(self, req, conn)


def ok_create(server, req, conn):
    """Answer CREATE properly; True if req was a CREATE."""
    if req.major != DEFS.MJ_CREATE:
        return False
    server.send(conn, pack_response(req.major, req.seq, DEFS.STATUS_SUCCESS, 0, b""))
    return True


DRIP_INTERVAL = 0.4  # each wait of the client sees a byte well within its 1 s timeout


def drip(server, req, conn):
    """The GET_STATUS answer one byte per DRIP_INTERVAL: every single wait
    is short, the whole answer takes ~25 s."""
    if ok_create(server, req, conn):
        return
    data = bytes(DEFS.TOASTER_STATUS_SIZE)
    answer = pack_response(req.major, req.seq, DEFS.STATUS_SUCCESS, len(data), data)
    for i in range(len(answer)):
        if server.stop.wait(DRIP_INTERVAL) or not server.send(conn, answer[i:i + 1]):
            return
    server.stop.wait(30)  # then hold the line: the client must give up by itself


def test_dripping_answer_ends_at_the_deadline(riotoast):
    with HostileServer(drip) as server:
        result = riotoast("--timeout", "1", "status", port=server.port, timeout=60)
        dripped = server.sent
    assert result.code == EXIT_CONNECTION, result
    assert "not complete within 1000 ms" in result.err, result
    # the client hung up long before the answer was whole (ends, not waits)
    status_answer = HEADER_SIZE + DEFS.TOASTER_STATUS_SIZE
    assert dripped < HEADER_SIZE + status_answer, (dripped, result)


def test_dripping_answer_reported_as_timeout_in_json(riotoast):
    with HostileServer(drip) as server:
        result = riotoast("--timeout", "1", "--json", "status", port=server.port, timeout=60)
    assert result.code == EXIT_CONNECTION, result
    doc = result.json()
    # CREATE answered; GET_STATUS timed out as a whole; no CLOSE on a broken line
    assert [t["transport"] for t in doc["transactions"]] == ["ok", "timeout"], doc


def oversized(extra):
    """Answer GET_STATUS with a header announcing `extra` more data bytes
    than the request's OutputLength, then send nothing more."""
    def respond(server, req, conn):
        if ok_create(server, req, conn):
            return
        header = pack_response(req.major, req.seq, DEFS.STATUS_SUCCESS, 0, b"")[:HEADER_SIZE]
        announced = req.output_length + extra
        at = DEFS.OFF_DATA_LENGTH
        header = header[:at] + announced.to_bytes(4, "little") + header[at + 4:]
        server.send(conn, header)
        server.stop.wait(30)
    return respond


def test_response_longer_than_output_length_fails_at_the_header(riotoast):
    with HostileServer(oversized(1000)) as server:
        result = riotoast("--timeout", "20", "status", port=server.port, timeout=60)
    assert result.code == EXIT_CONNECTION, result
    want = "response announces %d data bytes, more than OutputLength %d" % (
        DEFS.TOASTER_STATUS_SIZE + 1000, DEFS.TOASTER_STATUS_SIZE)
    assert want in result.err, result
    assert "within" not in result.err, result  # not a timeout


def test_response_longer_than_one_mib_fails_at_the_header(riotoast):
    with HostileServer(oversized(DEFS.DATA_MAX)) as server:
        result = riotoast("--timeout", "20", "--json", "status", port=server.port, timeout=60)
    assert result.code == EXIT_CONNECTION, result
    assert result.json()["transactions"][-1]["transport"] == "protocol-error", result
