"""Pack and unpack RIO/1 headers (layout from rio.h)."""
import struct
from dataclasses import dataclass, field

from .riodefs import DEFS, name_of, major_name

HEADER_SIZE = DEFS.HEADER_SIZE
_LAYOUT = struct.Struct("<4sBBHIIII")
assert _LAYOUT.size == HEADER_SIZE


@dataclass
class Header:
    """A fixed header.  word12/word16 are IoControlCode/OutputLength in a
    request and Status/Information in a response."""
    signature: bytes
    version: int
    major: int
    header_length: int
    seq: int
    word12: int
    word16: int
    data_length: int
    data: bytes = field(default=b"", repr=False)

    @property
    def is_request(self):
        return self.signature == DEFS.SIGNATURE_REQUEST.encode()

    # request names
    ioctl = property(lambda self: self.word12)
    output_length = property(lambda self: self.word16)
    # response names
    status = property(lambda self: self.word12)
    information = property(lambda self: self.word16)

    def describe(self):
        if self.is_request:
            extra = " ioctl=%s" % name_of("IOCTL", self.ioctl) if self.major == DEFS.MJ_DEVICE_CONTROL else ""
            return "Request %s seq=%d%s out=%d len=%d" % (
                major_name(self.major), self.seq, extra, self.output_length, self.data_length)
        return "Response %s seq=%d %s info=%d len=%d" % (
            major_name(self.major), self.seq, name_of("STATUS", self.status),
            self.information, self.data_length)


def _pack(sig, major, seq, w12, w16, data, version, header_length, data_length, extra):
    if header_length is None:
        header_length = HEADER_SIZE + len(extra)
    if data_length is None:
        data_length = len(data)
    return _LAYOUT.pack(sig, version, major, header_length, seq & 0xFFFFFFFF,
                        w12 & 0xFFFFFFFF, w16 & 0xFFFFFFFF, data_length & 0xFFFFFFFF) + extra + data


def pack_request(major, seq, ioctl=0, output_length=0, data=b"", *, version=DEFS.VERSION,
                 header_length=None, data_length=None, signature=None, extra=b""):
    """Bytes of a request; every field can be forced to a wrong value."""
    sig = signature if signature is not None else DEFS.SIGNATURE_REQUEST.encode()
    return _pack(sig, major, seq, ioctl, output_length, data, version, header_length, data_length, extra)


def pack_response(major, seq, status=0, information=0, data=b"", *, version=DEFS.VERSION,
                  header_length=None, data_length=None, signature=None, extra=b""):
    sig = signature if signature is not None else DEFS.SIGNATURE_RESPONSE.encode()
    return _pack(sig, major, seq, status, information, data, version, header_length, data_length, extra)


def unpack(raw):
    """Header from the first HEADER_SIZE bytes of raw (no validation)."""
    return Header(*_LAYOUT.unpack_from(raw))
