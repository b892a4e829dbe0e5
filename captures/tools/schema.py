"""Check an expectation document against captures/EXPECTATIONS.md.

validate(doc) returns a list of error strings (empty: the document follows
the contract): field names, kinds of values, the complete/data_sha256 rule,
malformed reasons, problem kinds and indices.
"""
import re

KINDS = ("recorded", "crafted")
FORMATS = ("pcap", "pcapng")
LINK_TYPES = ("NULL", "EN10MB", "RAW", "LOOP", "LINUX_SLL", "LINUX_SLL2")
PROBLEM_KINDS = ("gap", "truncated", "retransmission", "overlap_mismatch", "out_of_order", "midstream",
                 "malformed")
MALFORMED = ("signature", "version", "header_length", "data_length", "output_length")
TOP = {"capture": str, "description": str, "kind": str, "format": str, "link_type": str, "packets": int,
       "sessions": list}
SESSION = {"client": str, "server": str, "handshake": bool, "requests": list, "responses": list,
           "problems": list}
HEADER = {"signature": str, "version": int, "major": int, "header_length": int, "seq": int}
PDU_FIELDS = {"request": dict(HEADER, ioctl=int, output_length=int, request_length=int),
              "response": dict(HEADER, status=int, information=int, response_length=int)}
ENDPOINT = re.compile(r"^(\d+\.\d+\.\d+\.\d+|\[[0-9a-fA-F:.]+\]):\d+$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
U32 = 0xFFFFFFFF


def _typed(value, kind):
    # bool is an int in Python; the contract's numbers are never booleans.
    return isinstance(value, kind) and (kind is bool or not isinstance(value, bool))


def _fields(obj, spec, where, errors, required=True):
    if not isinstance(obj, dict):
        errors.append("%s: not an object" % where)
        return
    for name, kind in spec.items():
        if name not in obj:
            if required:
                errors.append("%s: missing %s" % (where, name))
        elif not _typed(obj[name], kind):
            errors.append("%s: %s is not %s" % (where, name, kind.__name__))
        elif kind is int and not 0 <= obj[name] <= U32:
            errors.append("%s: %s out of range" % (where, name))


def _pdu(pdu, direction, where, errors):
    spec = PDU_FIELDS[direction]
    allowed = set(spec) | {"data_sha256", "complete", "malformed"}
    extra = set(pdu) - allowed if isinstance(pdu, dict) else set()
    if extra:
        errors.append("%s: unknown fields %s" % (where, sorted(extra)))
    _fields(pdu, {"complete": bool}, where, errors)
    complete = pdu.get("complete") is True
    _fields(pdu, spec, where, errors, required=complete or "malformed" in pdu)
    if complete and not SHA256.match(str(pdu.get("data_sha256", ""))):
        errors.append("%s: complete PDU without a valid data_sha256" % where)
    if not complete and "data_sha256" in pdu:
        errors.append("%s: incomplete PDU with data_sha256" % where)
    if "malformed" in pdu and (pdu["malformed"] not in MALFORMED or complete):
        errors.append("%s: malformed must be one of %s on an incomplete PDU" % (where, MALFORMED))


def _problem(p, session, where, errors):
    _fields(p, {"kind": str, "direction": str, "detail": str}, where, errors)
    if set(p) - {"kind", "direction", "pdu", "detail"}:
        errors.append("%s: unknown fields" % where)
    if p.get("kind") not in PROBLEM_KINDS:
        errors.append("%s: kind %r" % (where, p.get("kind")))
    if p.get("direction") not in ("request", "response"):
        errors.append("%s: direction %r" % (where, p.get("direction")))
        return
    if "pdu" in p:
        count = len(session.get(p["direction"] + "s", []))
        if not _typed(p["pdu"], int) or not 0 <= p["pdu"] < count:
            errors.append("%s: pdu %r not an index into %d %ss" % (where, p["pdu"], count, p["direction"]))


def validate(doc, filename=None):
    errors = []
    _fields(doc, TOP, "document", errors)
    if errors:
        return errors
    if set(doc) != set(TOP):
        errors.append("document: fields %s, wanted %s" % (sorted(doc), sorted(TOP)))
    if filename is not None and doc["capture"] != filename:
        errors.append("capture %r, file is %r" % (doc["capture"], filename))
    for key, allowed in (("kind", KINDS), ("format", FORMATS), ("link_type", LINK_TYPES)):
        if doc[key] not in allowed:
            errors.append("%s %r not one of %s" % (key, doc[key], allowed))
    if not doc["capture"].endswith("." + doc["format"]):
        errors.append("format %s but file %s" % (doc["format"], doc["capture"]))
    for i, s in enumerate(doc["sessions"]):
        where = "session %d" % i
        _fields(s, SESSION, where, errors)
        if not isinstance(s, dict) or any(not _typed(s.get(k), v) for k, v in SESSION.items()):
            continue
        if set(s) != set(SESSION):
            errors.append("%s: fields %s" % (where, sorted(s)))
        for end in ("client", "server"):
            if not ENDPOINT.match(s[end]):
                errors.append("%s: %s %r is not ADDR:PORT" % (where, end, s[end]))
        for direction in ("request", "response"):
            for j, pdu in enumerate(s[direction + "s"]):
                _pdu(pdu, direction, "%s %s %d" % (where, direction, j), errors)
        for j, p in enumerate(s["problems"]):
            _problem(p, s, "%s problem %d" % (where, j), errors)
    return errors
