"""Render a connection's transcript: every chunk sent or received, in time
order, with the PDUs it completed decoded and the bytes hexdumped.

A transcript is pyrio.conn's list of (direction, seconds, bytes) with
direction "send" or "recv" as seen by the suite.
"""
from pyrio.codec import HEADER_SIZE, unpack
from pyrio.conn import hexdump
from pyrio.riodefs import DEFS

HEXDUMP_LIMIT = 96  # bytes of a chunk shown; the rest is summarised
ARROWS = {"send": ">>", "recv": "<<"}


class StreamDecoder:
    """Cut one direction's byte stream into PDUs, whatever the chunking."""

    def __init__(self):
        self.buf = b""
        self.broken = False

    def feed(self, data):
        """Descriptions of the PDUs completed by data."""
        if self.broken:
            return []
        self.buf += data
        done = []
        while len(self.buf) >= HEADER_SIZE:
            h = unpack(self.buf)
            if h.signature not in (DEFS.SIGNATURE_REQUEST.encode(), DEFS.SIGNATURE_RESPONSE.encode()):
                done.append("not a RIO header (signature %r): rest of stream not decoded" % h.signature)
                self.broken = True
                break
            skip = max(h.header_length, HEADER_SIZE)
            if h.data_length > DEFS.DATA_MAX or h.header_length > DEFS.HEADER_LENGTH_MAX:
                done.append(h.describe() + "  [out-of-range length: rest of stream not decoded]")
                self.broken = True
                break
            if len(self.buf) < skip + h.data_length:
                break
            text = h.describe()
            if h.header_length != HEADER_SIZE:
                text += " hlen=%d" % h.header_length
            if h.version != DEFS.VERSION:
                text += " version=%d" % h.version
            done.append(text)
            self.buf = self.buf[skip + h.data_length:]
        return done


def render(label, chunks):
    lines = ["--- %s" % label]
    if not chunks:
        lines.append("    (nothing sent or received)")
    decoders = {"send": StreamDecoder(), "recv": StreamDecoder()}
    for direction, t, data in chunks:
        if direction == "note":
            lines.append("  %+8.3fs  -- %s" % (t, data.decode() if isinstance(data, bytes) else data))
            continue
        pdus = decoders[direction].feed(data)
        head = "  %+8.3fs  %s %d bytes" % (t, ARROWS[direction], len(data))
        lines.append(head + ("  " + "; ".join(pdus) if pdus else "  (part of a PDU)"))
        shown = data[:HEXDUMP_LIMIT]
        lines.extend("      " + row for row in hexdump(shown).splitlines())
        if len(data) > len(shown):
            lines.append("      ... %d more bytes" % (len(data) - len(shown)))
    return "\n".join(lines)
