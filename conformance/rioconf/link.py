"""A connection to the server under test, seen by a conformance case.

Link wraps pyrio.conn.Conn: it remembers the requests still unanswered so
that every response is checked against the rules every response obeys (the
envelope: Signature, Version, HeaderLength, echoes, lengths, Information),
and `expect` matches the outcome against the alternatives the spec allows.
"""
import collections
import select

from pyrio import toaster
from pyrio.codec import HEADER_SIZE, pack_request
from pyrio.conn import Conn, PDU
from pyrio.riodefs import DEFS

from . import devices
from . import ids
from .verdict import Violation, Reply, End, Silence, classify, describe_all, check, status_text

Sent = collections.namedtuple("Sent", "seq major output_length ioctl", defaults=(0,))



def _no_output_rule(profile, code):
    """The rule an IOCTL without output breaks by returning data: the
    profile's own line (toaster RIO-TST-003, serial RIO-SER-006), or None."""
    if profile is None:
        profile = devices.by_name(devices.TOASTER, "default")
    io = next((io for io in profile.ioctls if io.code == code), None)
    if io is None or io.output is not None:
        return None
    rids = profile.restated(devices.NO_OUTPUT, io)
    return rids[0] if rids else None


class Link:
    def __init__(self, ctx, host, port, label):
        self.ctx, self.label = ctx, label
        self.pending = collections.deque()
        try:
            self.conn = Conn(host, port, timeout=ctx.reply_timeout)
        except OSError as e:
            raise Violation(ids.LIVENESS, "the server accepts a TCP connection on %s:%d" % (host, port),
                            "connect failed: %s" % e) from None
        ctx.links.append(self)

    # ---- sending ---------------------------------------------------------

    def prepare(self, major, ioctl=0, output_length=0, data=b"", **kw):
        """(bytes, Sent) of the next request, not sent yet; fields can be
        forced (see pyrio.codec.pack_request)."""
        seq = kw.pop("seq", None)
        if seq is None:
            seq = self.conn.next_seq()
        return pack_request(major, seq, ioctl, output_length, data, **kw), Sent(seq, major, output_length, ioctl)

    def send(self, major, ioctl=0, output_length=0, data=b"", chunk=None, **kw):
        """Send one request that must be answered; return its Sequence."""
        raw, sent = self.prepare(major, ioctl, output_length, data, **kw)
        self.send_raw(raw, chunk, expect=sent)
        return sent.seq

    def send_raw(self, data, chunk=None, expect=None):
        """Send bytes as they are; `expect` (a Sent) if they should be answered."""
        try:
            self.conn.send(data, chunk)
        except (BrokenPipeError, ConnectionResetError) as e:
            self.note("send failed: %s" % e)
        if expect is not None:
            self.pending.append(expect)

    def note(self, text):
        self.conn.note(text)

    # ---- receiving -------------------------------------------------------

    def expect(self, rid, *alternatives, timeout=None, envelope=True):
        """Wait for one outcome; it must match one of the alternatives, else
        a Violation of rid.  Returns the Outcome."""
        if timeout and not any(isinstance(a, Silence) for a in alternatives):
            timeout = self.ctx.scaled(timeout)   # a deadline: slow machines get longer
        out = self.conn.recv_pdu(timeout or None)   # (a Silence window is a bound: never stretched)
        if out.kind == PDU and envelope:
            self.check_envelope(out.pdu)
        idx, actual, detail = classify(out, alternatives)
        if idx is None:
            raise Violation(self.read_content_rid(out, detail, rid), describe_all(alternatives), actual, detail)
        return out

    def read_content_rid(self, out, detail, rid):
        """A successful READ of toast whose only fault is its bytes breaks
        the READ content rule, whatever the case is about."""
        lines = detail.splitlines()
        profile = self.ctx.endpoint.profile
        if profile is not None and profile.name != devices.TOASTER:
            return rid
        if out.kind == PDU and out.pdu.major == DEFS.MJ_READ and out.pdu.status == DEFS.STATUS_SUCCESS \
                and lines and all(line.startswith(("data:", "ResponseDataLength:", "Information:")) for line in lines):
            return ids.READ_CONTENT if any(line.startswith("data:") for line in lines) else ids.READ_COUNT
        return rid

    def reply(self, rid, status=DEFS.STATUS_SUCCESS, timeout=None, **fields):
        """Wait for the answer to the oldest unanswered request; return its header."""
        return self.expect(rid, Reply(status, **fields), timeout=timeout).pdu

    def call(self, rid, major, ioctl=0, output_length=0, data=b"", status=DEFS.STATUS_SUCCESS, seq=None,
             **fields):
        """Send a request and wait for its answer, which must have `status`
        and the given fields (see verdict.Reply); return its header."""
        self.send(major, ioctl, output_length, data, seq=seq)
        return self.reply(rid, status, **fields)

    def ends(self, rid, timeout=None):
        """The server must close this connection (FIN or RST)."""
        return self.expect(rid, End(), timeout=timeout)

    def check_envelope(self, h):
        """Rules every response obeys, each with its own requirement ID."""
        sent = self.pending.popleft() if self.pending else None
        check(h.signature == DEFS.SIGNATURE_RESPONSE.encode(), ids.RESP_SIGNATURE,
              "Signature %r" % DEFS.SIGNATURE_RESPONSE, "WRONG-FIELD: Signature %r" % h.signature)
        check(h.version == DEFS.VERSION, ids.RESP_VERSION,
              "Version %d" % DEFS.VERSION, "WRONG-FIELD: Version %d" % h.version)
        check(h.header_length == HEADER_SIZE, ids.RESP_HEADER_LENGTH,
              "HeaderLength %d" % HEADER_SIZE, "WRONG-FIELD: HeaderLength %d" % h.header_length)
        check(sent is not None, ids.RESP_SEQUENCE_ECHO, "no response (no request outstanding)",
              "unsolicited %s" % h.describe())
        check(h.seq == sent.seq, ids.RESP_SEQUENCE_ECHO, "Sequence %d (echo, FIFO order)" % sent.seq,
              "WRONG-FIELD: Sequence %d" % h.seq)
        check(h.major == sent.major, ids.RESP_MAJOR_ECHO, "MajorFunction 0x%02X (echo)" % sent.major,
              "WRONG-FIELD: MajorFunction 0x%02X" % h.major)
        check(h.status in DEFS.tables["STATUS"], ids.RESP_STATUS_KNOWN, "a Status of the spec's table",
              "WRONG-FIELD: Status 0x%08X" % h.status)
        check(h.status != DEFS.STATUS_BUFFER_OVERFLOW, ids.RESP_NO_BUFFER_OVERFLOW,
              "never STATUS_BUFFER_OVERFLOW", "WRONG-FIELD: STATUS_BUFFER_OVERFLOW")
        if h.status != DEFS.STATUS_SUCCESS:
            check(h.information == 0, ids.RESP_ERROR_INFORMATION,
                  "Information 0 with %s" % status_text(h.status), "WRONG-FIELD: Information %d" % h.information)
            check(h.data_length == 0, ids.RESP_ERROR_NO_DATA, "no data with %s" % status_text(h.status),
                  "WRONG-FIELD: ResponseDataLength %d" % h.data_length)
            return
        check(h.data_length <= sent.output_length, ids.RESP_DATA_LIMIT,
              "ResponseDataLength <= OutputLength %d" % sent.output_length,
              "WRONG-FIELD: ResponseDataLength %d" % h.data_length,
              also=(ids.READ_COUNT,) if h.major == DEFS.MJ_READ else ())
        self.check_success_lengths(h, sent, self.ctx.endpoint.profile)

    @staticmethod
    def check_success_lengths(h, sent, profile=None):
        if h.major == DEFS.MJ_READ:
            rid = ids.RESP_READ_INFORMATION
        elif h.major == DEFS.MJ_DEVICE_CONTROL:
            rid = ids.RESP_IOCTL_INFORMATION
            no_output = _no_output_rule(profile, sent.ioctl)
            if no_output:
                check(h.data_length == 0, no_output, "no response data to this IOCTL",
                      "WRONG-FIELD: ResponseDataLength %d" % h.data_length)
        elif h.major == DEFS.MJ_WRITE:
            check(h.data_length == 0, ids.RESP_WRITE_NO_DATA, "no response data to WRITE",
                  "WRONG-FIELD: ResponseDataLength %d" % h.data_length)
            return
        else:
            check(h.information == 0 and h.data_length == 0, ids.RESP_PLAIN_SUCCESS,
                  "Information 0 and no data", "WRONG-FIELD: Information %d, ResponseDataLength %d"
                  % (h.information, h.data_length))
            return
        check(h.information == h.data_length, rid, "Information = ResponseDataLength (%d)" % h.data_length,
              "WRONG-FIELD: Information %d" % h.information)

    # ---- toaster operations, each expecting success unless told ----------

    def create(self, rid=ids.CREATE_OK, status=DEFS.STATUS_SUCCESS):
        return self.call(rid, DEFS.MJ_CREATE, status=status)

    def close_handle(self):
        """CLOSE: success, then the server closes the connection."""
        self.call(ids.CLOSE_OK, DEFS.MJ_CLOSE)
        self.ends(ids.CLOSE_ENDS)
        self.close()

    def ioctl(self, rid, code, data=b"", output_length=0, status=DEFS.STATUS_SUCCESS, **fields):
        return self.call(rid, DEFS.MJ_DEVICE_CONTROL, code, output_length, data, status, **fields)

    def status(self, rid):
        h = self.ioctl(rid, DEFS.IOCTL_TOASTER_GET_STATUS, output_length=DEFS.TOASTER_STATUS_SIZE,
                       data_len=DEFS.TOASTER_STATUS_SIZE)
        return toaster.status(h.data)

    def info(self, rid):
        h = self.ioctl(rid, DEFS.IOCTL_TOASTER_GET_INFO, output_length=DEFS.TOASTER_INFO_SIZE,
                       data_len=DEFS.TOASTER_INFO_SIZE)
        return toaster.info(h.data)

    def write(self, rid, data, **fields):
        return self.call(rid, DEFS.MJ_WRITE, data=data, **fields).information

    def read(self, rid, n, data=None, **fields):
        """READ of n bytes; `data` (if given) is what it must return."""
        self.send(DEFS.MJ_READ, output_length=n)
        return self.reply(rid, data=data, **fields).data

    def close(self):
        self.conn.close()

    @property
    def closed(self):
        return self.conn.sock is None

    def transcript(self):
        return self.conn.transcript


def readable(link, timeout):
    """True if the server sent something (or closed) within timeout."""
    if link.conn.buffered:
        return True
    r, _, _ = select.select([link.conn.sock], [], [], timeout)
    return bool(r)
