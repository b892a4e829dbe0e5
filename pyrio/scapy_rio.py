"""Scapy layer for RIO/1: RIORequest and RIOResponse with every header
field, bound to TCP ports 5000-5099 (both directions).  Every number and
name comes from include/rio/rio.h through pyrio.riodefs.

    >>> from scapy.all import *
    >>> from pyrio.scapy_rio import RIO, RIORequest, RIOResponse
    >>> RIORequest(major="IRP_MJ_DEVICE_CONTROL", seq=2, ioctl="IOCTL_TOASTER_GET_INFO", output_length=16)
    >>> pkts = rdpcap("captures/toaster-session.pcap"); pkts[3][RIORequest].seq
    >>> s = RIOSocket(socket.create_connection(("127.0.0.1", 5001)))
    >>> s.sr1(RIORequest(major="IRP_MJ_CREATE", seq=1)).status

Field names are those of captures/*.json: signature, version, major,
header_length, seq, then ioctl/output_length/request_length (request) or
status/information/response_length (response), then `extra` (the
HeaderLength - 24 bytes that follow the fixed header) and `data`.
header_length and the data length are computed when left unset.

Several PDUs in one segment dissect as a chain (RIORequest / RIORequest);
`RIO` is the dispatcher that picks request or response by the signature.
With `sniff(session=TCPSession)` a PDU split over segments is reassembled.
"""
import struct

from scapy.fields import (ByteEnumField, ByteField, LEIntEnumField, LEIntField, LEShortField, StrFixedLenField,
                          StrLenField)
from scapy.layers.inet import TCP
from scapy.packet import Packet, Raw, bind_layers
from scapy.supersocket import StreamSocket

from .riodefs import DEFS

HEADER_SIZE = DEFS.HEADER_SIZE
REQUEST_SIGNATURE = DEFS.SIGNATURE_REQUEST.encode()
RESPONSE_SIGNATURE = DEFS.SIGNATURE_RESPONSE.encode()
PORTS = range(DEFS.BASE_PORT, DEFS.PORT_RANGE_LAST + 1)

MAJORS = {value: DEFS.MJ_PREFIX + name for value, name in DEFS.tables["MAJOR"].items()}
IOCTLS = dict(DEFS.tables["IOCTL"])
STATUSES = dict(DEFS.tables["STATUS"])

# Where the lengths sit in the fixed header (rio.h's RIO_OFF_*).
_HEADER_LENGTH = struct.Struct("<H")
_DATA_LENGTH = struct.Struct("<I")


def _extra_length(pkt):
    """Bytes between the fixed header and the data: HeaderLength - 24,
    none when HeaderLength is below 24 (a malformed PDU)."""
    if pkt.header_length is None:
        return len(pkt.extra or b"")
    return max(0, min(pkt.header_length, DEFS.HEADER_LENGTH_MAX) - HEADER_SIZE)


class _RIOPDU(Packet):
    """What requests and responses share: lengths filled in on build, and
    the bytes after a PDU dissected as the next PDU."""
    _data_length_field = None

    def post_build(self, pkt, pay):
        if self.header_length is None:
            pkt = (pkt[:DEFS.OFF_HEADER_LENGTH] + _HEADER_LENGTH.pack(HEADER_SIZE + len(self.extra or b""))
                   + pkt[DEFS.OFF_HEADER_LENGTH + _HEADER_LENGTH.size:])
        if getattr(self, self._data_length_field) is None:
            pkt = (pkt[:DEFS.OFF_DATA_LENGTH] + _DATA_LENGTH.pack(len(self.data or b""))
                   + pkt[DEFS.OFF_DATA_LENGTH + _DATA_LENGTH.size:])
        return pkt + pay

    def _data_length(self):
        value = getattr(self, self._data_length_field)
        return len(self.data or b"") if value is None else value

    def guess_payload_class(self, payload):
        return RIO if payload[:DEFS.SIGNATURE_SIZE] in (REQUEST_SIGNATURE, RESPONSE_SIGNATURE) else Raw

    def hashret(self):
        """Requests and responses pair up by MajorFunction and Sequence (sr())."""
        return struct.pack("<BI", self.major, self.seq)

    def answers(self, other):
        return False

    @classmethod
    def tcp_reassemble(cls, data, metadata, *session):
        """TCPSession: one complete PDU (or more) at a time."""
        if len(data) < HEADER_SIZE:
            return None
        header_length = max(HEADER_SIZE, _HEADER_LENGTH.unpack_from(data, DEFS.OFF_HEADER_LENGTH)[0])
        if len(data) < header_length + _DATA_LENGTH.unpack_from(data, DEFS.OFF_DATA_LENGTH)[0]:
            return None
        return RIO(data)


def _pdu_fields(signature, word12, word16, data_length):
    """The fixed header in rio.h's RIO_OFF_* order, then the HeaderLength - 24
    extra bytes and the data.  word12 and word16 are IoControlCode and
    OutputLength in a request, Status and Information in a response."""
    return [
        StrFixedLenField("signature", signature, DEFS.SIGNATURE_SIZE),
        ByteField("version", DEFS.VERSION),
        ByteEnumField("major", DEFS.MJ_CREATE, MAJORS),
        LEShortField("header_length", None),
        LEIntField("seq", DEFS.FIRST_SEQUENCE),
        word12,
        word16,
        LEIntField(data_length, None),
        StrLenField("extra", b"", length_from=_extra_length),
        StrLenField("data", b"", length_from=lambda pkt: pkt._data_length()),
    ]


class RIORequest(_RIOPDU):
    name = "RIO/1 request"
    _data_length_field = "request_length"
    fields_desc = _pdu_fields(REQUEST_SIGNATURE, LEIntEnumField("ioctl", 0, IOCTLS),
                              LEIntField("output_length", 0), "request_length")

    def mysummary(self):
        return self.sprintf("RIO request %major% seq=%seq% out=%output_length% len=%request_length%")


class RIOResponse(_RIOPDU):
    name = "RIO/1 response"
    _data_length_field = "response_length"
    fields_desc = _pdu_fields(RESPONSE_SIGNATURE, LEIntEnumField("status", DEFS.STATUS_SUCCESS, STATUSES),
                              LEIntField("information", 0), "response_length")

    def answers(self, other):
        """A response answers the request whose Sequence and MajorFunction it echoes."""
        return isinstance(other, RIORequest) and other.seq == self.seq and other.major == self.major

    def mysummary(self):
        return self.sprintf("RIO response %major% seq=%seq% %status% info=%information% len=%response_length%")


class RIO(Packet):
    """Dispatcher: RIO(bytes) is a RIORequest or a RIOResponse by the
    signature (a request when it is neither, so the fields still show)."""
    name = "RIO/1"

    @classmethod
    def dispatch_hook(cls, _pkt=None, *args, **kargs):
        if _pkt and _pkt[:DEFS.SIGNATURE_SIZE] == RESPONSE_SIGNATURE:
            return RIOResponse
        return RIORequest

    @classmethod
    def tcp_reassemble(cls, data, metadata, *session):
        return _RIOPDU.tcp_reassemble(data, metadata, *session)


for _port in PORTS:
    bind_layers(TCP, RIO, dport=_port)
    bind_layers(TCP, RIO, sport=_port)


class RIOSocket(StreamSocket):
    """A connected TCP socket speaking RIO/1: send() any PDU, recv() exactly
    one whole PDU (header first, then HeaderLength - 24 + data length
    bytes, however the stream is cut), so sr1() matches by Sequence."""

    def __init__(self, sock):
        super().__init__(sock, RIO)

    def _read(self, n):
        got = b""
        while len(got) < n:
            chunk = self.ins.recv(n - len(got))
            if not chunk:
                raise EOFError("RIO peer closed the connection after %d of %d bytes" % (len(got), n))
            got += chunk
        return got

    def recv(self, x=None):
        head = self._read(HEADER_SIZE)
        header_length = max(HEADER_SIZE, _HEADER_LENGTH.unpack_from(head, DEFS.OFF_HEADER_LENGTH)[0])
        data_length = _DATA_LENGTH.unpack_from(head, DEFS.OFF_DATA_LENGTH)[0]
        if data_length > DEFS.DATA_MAX:
            raise ValueError("RIO PDU announces %d data bytes (limit %d)" % (data_length, DEFS.DATA_MAX))
        return RIO(head + self._read(header_length - HEADER_SIZE + data_length))
