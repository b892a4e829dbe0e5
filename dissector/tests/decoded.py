"""Turn tshark's JSON into RIO PDUs per session and direction, and compare
them with an expectation document (captures/EXPECTATIONS.md)."""
import hashlib

REQUEST_FIELDS = ("signature", "version", "major", "header_length", "seq", "ioctl", "output_length", "request_length")
RESPONSE_FIELDS = ("signature", "version", "major", "header_length", "seq", "status", "information", "response_length")
MALFORMED_EXPERTS = {"rio.bad_signature": "signature", "rio.bad_version": "version",
                     "rio.bad_header_length": "header_length", "rio.length_over_limit": "length"}


def _int(v):
    return int(v, 0)


def _as_list(v):
    return v if isinstance(v, list) else [v]


def _experts(item):
    """Names of the RIO expert infos attached under a rio item."""
    found = set()

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "_ws.expert":
                    for e in _as_list(v):
                        found.update(x for x in e if x.startswith("rio."))
                elif not k.startswith("rio.dev"):   # a device payload's own experts
                    walk(v)
        elif isinstance(node, list):
            for x in node:
                walk(x)
    walk(item)
    return found


def pdu_of(item):
    """One decoded PDU (or None for continuation/unframed bytes)."""
    if "rio.signature" not in item:
        return None
    pdu = {"signature": item["rio.signature"]}
    for f in set(REQUEST_FIELDS + RESPONSE_FIELDS) - {"signature"}:
        if "rio." + f in item:
            pdu[f] = _int(item["rio." + f])
    data = bytes.fromhex(item.get("rio.data", "").replace(":", ""))
    pdu["data_sha256"] = hashlib.sha256(data).hexdigest()
    pdu["experts"] = _experts(item)
    malformed = [MALFORMED_EXPERTS[e] for e in pdu["experts"] if e in MALFORMED_EXPERTS]
    if malformed:
        pdu["malformed"] = malformed[0]
    for f in ("response_in", "response_to"):
        if "rio." + f in item:
            pdu[f] = int(item["rio." + f])
    if "rio.time" in item:
        pdu["time"] = float(item["rio.time"])
    return pdu


def _endpoint(layers, side):
    ip = layers.get("ip", {}).get("ip.%s" % side) or layers.get("ipv6", {}).get("ipv6.%s" % side)
    port = layers["tcp"]["tcp.%sport" % ("src" if side == "src" else "dst")]
    return ("[%s]:%s" if ":" in (ip or "") else "%s:%s") % (ip, port)


def pdus_by_direction(packets):
    """{(client_or_server_endpoint, 'src' endpoint) ...}: returns a dict
    keyed by (src endpoint, dst endpoint) of the PDUs, in frame order, with
    the frame number of each."""
    out = {}
    for pkt in packets:
        layers = pkt["_source"]["layers"]
        if "rio" not in layers:
            continue
        key = (_endpoint(layers, "src"), _endpoint(layers, "dst"))
        frame = int(layers.get("frame", {}).get("frame.number", 0) or 0)
        for item in _as_list(layers["rio"]):
            pdu = pdu_of(item)
            if pdu is not None:
                pdu["frame"] = frame
                out.setdefault(key, []).append(pdu)
    return out


def compare(expect_doc, packets):
    """List of differences between the expectation and what tshark decoded
    (empty when they agree)."""
    decoded = pdus_by_direction(packets)
    problems = []
    for s in expect_doc["sessions"]:
        lossy = any(p["kind"] in ("gap", "truncated") for p in s.get("problems", []))
        for direction, fields, src, dst in (("requests", REQUEST_FIELDS, s["client"], s["server"]),
                                            ("responses", RESPONSE_FIELDS, s["server"], s["client"])):
            want = s[direction]
            got = decoded.get((src, dst), [])
            problems += _compare_direction("%s %s" % (s["client"], direction), want, got, fields, lossy)
    return problems


def _same(want, got, fields):
    for f in fields:
        if f in want and want[f] != got.get(f):
            return "%s: want %r got %r" % (f, want[f], got.get(f))
    if "malformed" in want:
        reason = want["malformed"]
        reason = "length" if reason in ("data_length", "output_length") else reason
        if got.get("malformed") != reason:
            return "malformed: want %r got %r" % (reason, got.get("malformed"))
    elif want.get("complete", True) and "data_sha256" in want and want["data_sha256"] != got["data_sha256"]:
        return "data differs"
    return None


def _compare_direction(label, want, got, fields, lossy):
    if not lossy:
        if len(want) != len(got):
            return ["%s: %d PDUs expected, %d decoded" % (label, len(want), len(got))]
        return ["%s[%d] %s" % (label, i, d) for i, (w, g) in enumerate(zip(want, got))
                for d in [_same(w, g, fields)] if d]
    # Capture loss: every decoded PDU must be an expected one, in order;
    # PDUs cut by the loss may or may not be shown.
    i = 0
    for g in got:
        while i < len(want) and _same(want[i], g, fields):
            i += 1
        if i == len(want):
            return ["%s: decoded PDU seq=%s not expected in this order" % (label, g.get("seq"))]
        i += 1
    return []
