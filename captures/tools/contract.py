"""What captures/EXPECTATIONS.md fixes, shared by the generator and
expect.py: the JSON names of header fields and where their bytes lie, and
the order in which framing rules are checked.  (The reassembly itself is
written twice on purpose: once in the generator, once in expect.py.)"""
from pyrio import DEFS

REQUEST, RESPONSE = "request", "response"
WORDS = {REQUEST: ("ioctl", "output_length", "request_length"),
         RESPONSE: ("status", "information", "response_length")}


def header_spans(h, kind):
    """[(JSON name, first byte, end byte, value)] of a decoded pyrio Header."""
    w12, w16, wlen = WORDS[kind]
    return [("signature", DEFS.OFF_SIGNATURE, DEFS.OFF_VERSION, h.signature.decode("latin-1")),
            ("version", DEFS.OFF_VERSION, DEFS.OFF_MAJOR, h.version),
            ("major", DEFS.OFF_MAJOR, DEFS.OFF_HEADER_LENGTH, h.major),
            ("header_length", DEFS.OFF_HEADER_LENGTH, DEFS.OFF_SEQUENCE, h.header_length),
            ("seq", DEFS.OFF_SEQUENCE, DEFS.OFF_IOCTL, h.seq),
            (w12, DEFS.OFF_IOCTL, DEFS.OFF_OUTPUT_LENGTH, h.word12),
            (w16, DEFS.OFF_OUTPUT_LENGTH, DEFS.OFF_DATA_LENGTH, h.word16),
            (wlen, DEFS.OFF_DATA_LENGTH, DEFS.HEADER_SIZE, h.data_length)]


def malformed_reason(h, kind):
    """The first framing rule a header breaks, or None."""
    sig = DEFS.SIGNATURE_REQUEST if kind == REQUEST else DEFS.SIGNATURE_RESPONSE
    if h.signature != sig.encode():
        return "signature"
    if not DEFS.HEADER_LENGTH_MIN <= h.header_length <= DEFS.HEADER_LENGTH_MAX:
        return "header_length"
    if h.version != DEFS.VERSION:
        return "version"
    if h.data_length > DEFS.DATA_MAX:
        return "data_length"
    if kind == REQUEST and h.output_length > DEFS.DATA_MAX:
        return "output_length"
    return None


def resync_ok(h, kind):
    """The resync rule (librio's rio_resync_at, docs/PROTOCOL.md): a PDU may
    start where the direction's signature and a HeaderLength in range are;
    the other fields may still break a rule (the PDU is then malformed).
    Written again here on purpose: the expectations are judged by code that
    shares nothing with the tools they judge."""
    return malformed_reason(h, kind) not in ("signature", "header_length")


def merge(ranges):
    """Sorted, merged [start, end) ranges."""
    out = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out
