"""Verdicts: what the suite expected, what it got, and which requirement
that breaks.

A check never sleeps and hopes: it sends, then waits for one classified
outcome (pyrio.conn: PDU, HANG, CLOSED, RESET, SHORT-READ) and matches it
against every alternative the spec allows.  A PDU whose fields differ from
every allowed reply is classified WRONG-FIELD, naming the fields.
"""
from pyrio.conn import PDU, HANG, CLOSED, RESET, SHORT_READ
from pyrio.riodefs import DEFS, name_of, major_name

WRONG_FIELD = "WRONG-FIELD"
ENDED = (CLOSED, RESET)  # a peer that closes may do so with a FIN or a RST


class Violation(AssertionError):
    """A requirement the implementation under test broke.

    rid: the requirement ID; expected/actual: one line each; detail: more
    lines (field differences, notes); also: other requirements the same
    observation breaks (e.g. a new handle that is not fresh after a CLOSE
    breaks both "fresh after CLOSE" and "a new handle is fresh").  The
    conformance plugin adds the requirements' text and the transcripts of
    every connection of the test.
    """

    def __init__(self, rid, expected, actual, detail="", also=()):
        self.rid, self.expected, self.actual, self.detail = rid, expected, actual, detail
        self.also = tuple(r for r in also if r != rid)
        super().__init__("%s violated: expected %s, got %s" % (rid, expected, actual))

    @property
    def rids(self):
        return (self.rid,) + self.also

    def render(self, registry=None):
        lines = []
        for rid in self.rids:
            req = registry.reqs.get(rid) if registry else None
            if req:
                lines.append("%s (%s) %s" % (req.rid, req.level, req.text))
                lines.append("  [%s, %s:%d]" % (req.section, registry.path, req.line))
            else:
                lines.append(rid)
        lines.append("expected: %s" % self.expected)
        lines.append("actual:   %s" % self.actual)
        if self.detail:
            lines.extend("  " + d for d in self.detail.splitlines())
        return "\n".join(lines)


def check(cond, rid, expected, actual, detail="", also=()):
    """Raise a Violation of rid (and `also`) unless cond holds."""
    if not cond:
        raise Violation(rid, expected, actual, detail, also)


def status_text(status):
    return name_of("STATUS", status)


# ---- expectations: the alternatives a case allows ------------------------

class Reply:
    """A response PDU with the given Status (one value or a tuple of allowed
    values) and, where given, exact data, data length and Information."""

    def __init__(self, status=None, data=None, info=None, data_len=None):
        self.statuses = status if isinstance(status, tuple) else (status,)
        self.data, self.info, self.data_len = data, info, data_len

    def describe(self):
        known = [status_text(s) for s in self.statuses if s is not None]
        parts = ["reply " + " or ".join(known) if known else "a reply (any status)"]
        if self.info is not None:
            parts.append("Information=%d" % self.info)
        if self.data is not None:
            parts.append("%d data bytes (given)" % len(self.data))
        elif self.data_len is not None:
            parts.append("ResponseDataLength=%d" % self.data_len)
        return " ".join(parts)

    def mismatches(self, out):
        """Field differences against a PDU outcome ([] if it matches)."""
        if out.kind != PDU:
            return None
        h, bad = out.pdu, []
        if self.statuses != (None,) and h.status not in self.statuses:
            bad.append("Status: expected %s, got %s" % (
                " or ".join(status_text(s) for s in self.statuses), status_text(h.status)))
        if self.info is not None and h.information != self.info:
            bad.append("Information: expected %d, got %d" % (self.info, h.information))
        if self.data_len is not None and h.data_length != self.data_len:
            bad.append("ResponseDataLength: expected %d, got %d" % (self.data_len, h.data_length))
        if self.data is not None and h.data != self.data:
            bad.append("data: expected %d bytes, got %d; first difference at byte %s" % (
                len(self.data), len(h.data), first_difference(self.data, h.data)))
        return bad


class End:
    """The peer ends the connection (FIN or RST: both are legal closes)."""

    def __init__(self, kinds=ENDED):
        self.kinds = kinds

    def describe(self):
        return "connection closed (%s)" % " or ".join(self.kinds)

    def mismatches(self, out):
        return [] if out.kind in self.kinds else None


class Silence:
    """Nothing arrives before the deadline (a pending request)."""

    def describe(self):
        return "no answer yet (%s)" % HANG

    def mismatches(self, out):
        return [] if out.kind == HANG and not out.partial else None


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return "%d (expected 0x%02x, got 0x%02x)" % (i, x, y)
    return "%d (one is a prefix of the other)" % min(len(a), len(b))


def classify(out, alternatives):
    """(index of the matching alternative or None, actual text, detail)."""
    best = None
    for i, alt in enumerate(alternatives):
        bad = alt.mismatches(out)
        if bad == []:
            return i, "", ""
        if bad and best is None:
            best = bad
    if out.kind == PDU:
        actual = "%s: %s" % (WRONG_FIELD if best else "unexpected reply", out.pdu.describe())
        return None, actual, "\n".join(best or [])
    if out.kind == SHORT_READ:
        return None, "%s after %d bytes of a PDU" % (SHORT_READ, len(out.partial)), ""
    if out.kind == HANG and out.partial:
        return None, "%s with %d bytes of an unfinished PDU" % (HANG, len(out.partial)), ""
    return None, out.kind, ""


def describe_all(alternatives):
    return " or ".join(a.describe() for a in alternatives)


__all__ = ["Violation", "check", "Reply", "End", "Silence", "classify", "describe_all",
           "PDU", "HANG", "CLOSED", "RESET", "SHORT_READ", "WRONG_FIELD", "ENDED",
           "DEFS", "status_text", "major_name"]
