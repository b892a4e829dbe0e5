"""The expectation document of a crafted capture, from the generator's
records (PDUs put into each stream) and what the capture kept of each
packet (dropped, cut by the snaplen, before the capture started)."""
import hashlib

from pyrio import unpack
from pyrio.codec import HEADER_SIZE

from . import netpkt
from .contract import REQUEST, RESPONSE, header_spans, merge


def endpoint(addr_port):
    addr, port = addr_port
    return ("[%s]:%d" if ":" in addr else "%s:%d") % (addr, port)


def pdu_fields(rec, direction, covered):
    """JSON object of one PDU: header fields whose bytes were captured."""
    h = unpack(rec.raw.ljust(HEADER_SIZE, b"\0"))
    spans = header_spans(h, direction)
    out = {k: v for k, a, b, v in spans if covered(rec.offset + a, rec.offset + b)}
    whole = rec.malformed is None and covered(rec.offset, rec.offset + len(rec.raw))
    if whole:
        out["data_sha256"] = hashlib.sha256(rec.raw[h.header_length:]).hexdigest()
    out["complete"] = whole
    if rec.malformed:
        out["malformed"] = rec.malformed
    return out


class Expectation:
    """The expectation document of a capture, from the generator's records
    and what the capture kept of each packet."""

    def __init__(self, capture, captured):
        self.capture, self.captured = capture, captured

    def _coverage(self, conv, direction):
        """Sorted, merged [start, end) stream ranges captured, and those sent
        in a captured packet at all (the difference is snaplen truncation)."""
        got, sent = [], []
        for pkt, n in self.captured:
            if pkt.conv is conv and pkt.direction == direction and pkt.payload:
                got.append((pkt.off, pkt.off + n))
                sent.append((pkt.off, pkt.off + len(pkt.payload)))
        return merge(got), merge(sent)

    def session(self, conv):
        pkts = [p for p, _ in self.captured if p.conv is conv]
        handshake = any(p.flags & netpkt.SYN for p in pkts)
        doc = {"client": endpoint(conv.ends[REQUEST]), "server": endpoint(conv.ends[RESPONSE]),
               "handshake": handshake}
        problems = []
        for direction in (REQUEST, RESPONSE):
            got, sent = self._coverage(conv, direction)
            start = got[0][0] if got and not handshake else 0
            recs = [r for r in conv.streams[direction].pdus if r.offset >= start]
            doc[direction + "s"] = [pdu_fields(r, direction, lambda a, b: covers(got, a, b)) for r in recs]

            def index(off, recs=recs):
                hit = [i for i, r in enumerate(recs) if r.offset <= off < r.offset + max(len(r.raw), 1)]
                return hit[0] if hit else None
            if got and not handshake:
                problems.append(problem("midstream", direction, None,
                                        "%d bytes skipped" % ((recs[0].offset if recs else got[-1][1]) - start)))
            for a, b in holes(sent):
                problems.append(problem("gap", direction, index(a), "%d bytes missing" % (b - a)))
            for pkt, n in self.captured:
                if pkt.conv is conv and pkt.direction == direction and n < len(pkt.payload):
                    problems.append(problem("truncated", direction, index(pkt.off + n),
                                            "%d bytes not captured" % (len(pkt.payload) - n)))
            for i, r in enumerate(recs):
                if r.malformed:
                    problems.append(problem("malformed", direction, i, r.malformed))
            for kind, c, d, off, detail in self.capture.events:
                if c is conv and d == direction:
                    problems.append(problem(kind, direction, index(off), detail))
        doc["problems"] = problems
        return doc

    def document(self):
        cap = self.capture
        first = {}
        for i, (p, _) in enumerate(self.captured):
            first.setdefault(id(p.conv), i)
        convs = sorted((c for c in cap.convs if id(c) in first), key=lambda c: first[id(c)])
        return {"capture": cap.name, "description": cap.description, "kind": "crafted",
                "format": cap.format, "link_type": cap.linktype, "packets": len(self.captured),
                "sessions": [self.session(c) for c in convs]}


def problem(kind, direction, pdu, detail):
    p = {"kind": kind, "direction": direction}
    if pdu is not None:
        p["pdu"] = pdu
    p["detail"] = detail
    return p


def holes(ranges):
    return [(ranges[i][1], ranges[i + 1][0]) for i in range(len(ranges) - 1)]


def covers(ranges, a, b):
    return any(x <= a and b <= y for x, y in ranges)
