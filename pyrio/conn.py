"""A blocking RIO connection for tests: send, then wait for a reply, a close
or a deadline — never sleep and hope.

Every receive ends in one classified Outcome:
  PDU        a whole response arrived
  HANG       nothing (or not enough) arrived before the deadline
  CLOSED     the peer closed cleanly (FIN) before a whole PDU
  RESET      the peer reset the connection
  SHORT-READ the peer closed in the middle of a PDU
Each Conn keeps a transcript (direction, time, bytes) for failure reports.
"""
import socket
import time
from dataclasses import dataclass
from typing import Optional

from .codec import HEADER_SIZE, Header, pack_request, unpack
from .riodefs import DEFS

PDU, HANG, CLOSED, RESET, SHORT_READ = "PDU", "HANG", "CLOSED", "RESET", "SHORT-READ"


@dataclass
class Outcome:
    kind: str
    pdu: Optional[Header] = None
    partial: bytes = b""

    def __str__(self):
        return self.pdu.describe() if self.kind == PDU else self.kind


class Conn:
    def __init__(self, host, port, timeout=5.0, seq=DEFS.FIRST_SEQUENCE):
        self.timeout = timeout
        self.seq = seq
        self.transcript = []
        self._buf = b""
        self._start = time.monotonic()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _note(self, direction, data):
        self.transcript.append((direction, time.monotonic() - self._start, bytes(data)))

    def note(self, text):
        """Add a line of commentary to the transcript."""
        self._note("note", text.encode())

    @property
    def buffered(self):
        """Bytes received but not yet returned as a PDU."""
        return self._buf

    # ---- sending ---------------------------------------------------------

    def send(self, data, chunk=None):
        """Send bytes; with `chunk`, in separate segments of that size."""
        self._note("send", data)
        if chunk is None:
            self.sock.sendall(data)
            return
        for i in range(0, len(data), chunk):
            self.sock.sendall(data[i:i + chunk])

    def next_seq(self):
        seq = self.seq
        self.seq = (self.seq + 1) & 0xFFFFFFFF
        return seq

    def request(self, major, ioctl=0, output_length=0, data=b"", **kw):
        """Send one request with the next Sequence; return that Sequence."""
        seq = kw.pop("seq", None)
        if seq is None:
            seq = self.next_seq()
        self.send(pack_request(major, seq, ioctl, output_length, data, **kw))
        return seq

    # ---- receiving -------------------------------------------------------

    def _fill(self, n, deadline):
        """Read until the buffer holds n bytes; return None or an outcome kind."""
        while len(self._buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                return HANG
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(max(65536, n - len(self._buf)))
            except socket.timeout:
                return HANG
            except ConnectionResetError:
                return RESET
            if not chunk:
                return CLOSED if not self._buf else SHORT_READ
            self._note("recv", chunk)
            self._buf += chunk
        return None

    def recv_pdu(self, timeout=None):
        """Wait for one whole response PDU (skipping extra header bytes)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        bad = self._fill(HEADER_SIZE, deadline)
        if bad:
            return Outcome(bad, partial=self._buf)
        hdr = unpack(self._buf)
        skip = max(hdr.header_length, HEADER_SIZE)
        total = skip + hdr.data_length
        if hdr.data_length > DEFS.DATA_MAX or hdr.header_length > DEFS.HEADER_LENGTH_MAX:
            total = skip  # never wait for an absurd length
        bad = self._fill(total, deadline)
        if bad:
            return Outcome(SHORT_READ if bad in (CLOSED, SHORT_READ) else bad, partial=self._buf)
        hdr.data = self._buf[skip:total]
        self._buf = self._buf[total:]
        return Outcome(PDU, pdu=hdr)

    def wait_close(self, timeout=None):
        """After a request that must end the connection: CLOSED, RESET, or HANG
        (or PDU if the peer sent something instead)."""
        if self._buf:
            return Outcome(PDU, pdu=unpack(self._buf)) if len(self._buf) >= HEADER_SIZE else Outcome(SHORT_READ)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        bad = self._fill(1, deadline)
        if bad:
            return Outcome(bad)
        return self.recv_pdu(timeout=max(0.0, deadline - time.monotonic()))

    def transact(self, major, ioctl=0, output_length=0, data=b"", timeout=None, **kw):
        self.request(major, ioctl, output_length, data, **kw)
        return self.recv_pdu(timeout)

    # ---- the toaster's operations (assert nothing; return the Outcome) ----

    def create(self):
        return self.transact(DEFS.MJ_CREATE)

    def close_handle(self):
        return self.transact(DEFS.MJ_CLOSE)

    def read(self, n, timeout=None):
        return self.transact(DEFS.MJ_READ, output_length=n, timeout=timeout)

    def write(self, data):
        return self.transact(DEFS.MJ_WRITE, data=data)

    def ioctl(self, code, data=b"", output_length=0, timeout=None):
        return self.transact(DEFS.MJ_DEVICE_CONTROL, code, output_length, data, timeout=timeout)


def hexdump(data, width=16):
    lines = []
    for off in range(0, len(data), width):
        row = data[off:off + width]
        hexpart = " ".join("%02x" % b for b in row)
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in row)
        lines.append("%08x  %-*s  %s" % (off, width * 3 - 1, hexpart, text))
    return "\n".join(lines)
