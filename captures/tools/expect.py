#!/usr/bin/python3
"""expect.py — write the expectation JSON of a capture (captures/EXPECTATIONS.md).

An independent reassembler, written only to judge the dissector and the
replay tool: scapy reads the file and dissects link, IP and TCP; the TCP
reassembly (per direction, with its own simple code) and the RIO framing
(header fields through pyrio.codec) are here.  It shares nothing with the
crafted-capture generator but the JSON field names.

    expect.py FILE [-o OUT.json] [--kind recorded|crafted] [--description TEXT]

Exit status: 0 written, 2 bad usage, 3 unreadable capture or unwritable output.
"""
import argparse
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
for _path in (ROOT, HERE):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from scapy.all import conf, RawPcapReader  # noqa: E402
from scapy.layers.inet import IP, TCP  # noqa: E402
from scapy.layers.inet6 import IPv6, IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrRouting  # noqa: E402
from scapy.layers.l2 import CookedLinux, CookedLinuxV2, Dot1AD, Dot1Q, Ether, Loopback  # noqa: E402
from scapy.packet import Padding, Raw  # noqa: E402

from pyrio import DEFS, unpack  # noqa: E402
from pyrio.codec import HEADER_SIZE  # noqa: E402

from contract import REQUEST, RESPONSE, WORDS, header_spans, malformed_reason, merge, resync_ok  # noqa: E402

EXIT_USAGE, EXIT_IO = 2, 3
DLT_NAMES = {0: "NULL", 1: "EN10MB", 101: "RAW", 108: "LOOP", 113: "LINUX_SLL", 276: "LINUX_SLL2"}
SYN, ACK = 0x02, 0x10
IPV6_EXT = (IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrRouting)

# Dissect no further than TCP: its payload stays the exact captured bytes.
conf.layers.filter([Ether, Dot1Q, Dot1AD, Loopback, CookedLinux, CookedLinuxV2, IP, IPv6,
                    *IPV6_EXT, TCP, Raw, Padding])


class BadCapture(Exception):
    pass


# ---- reading packets -----------------------------------------------------------

def tcp_segments(path):
    """Yield (packet index, segment dict) for every TCP packet; also return
    the link type name and packet count through the `info` dict."""
    info = {"packets": 0, "link_type": None, "format": None}
    try:
        reader = RawPcapReader(path)
    except Exception as e:  # scapy raises Scapy_Exception or OSError on junk
        raise BadCapture("%s: not a pcap/pcapng file (%s)" % (path, e))
    info["format"] = "pcapng" if type(reader).__name__ == "RawPcapNgReader" else "pcap"
    segs = []
    try:
        for index, (data, meta) in enumerate(reader):
            info["packets"] += 1
            linktype = getattr(meta, "linktype", None)
            if linktype is None:
                linktype = reader.linktype
            info["link_type"] = info["link_type"] or DLT_NAMES.get(linktype, str(linktype))
            seg = parse(conf.l2types[linktype](data) if linktype in conf.l2types else None,
                        meta.wirelen - len(data))
            if seg:
                seg["index"] = index
                segs.append(seg)
    finally:
        reader.close()
    return segs, info


def parse(pkt, cut):
    """Addresses, ports, sequence numbers and payload of one TCP packet.
    cut = bytes of the frame not captured (snaplen)."""
    if pkt is None or TCP not in pkt:
        return None
    tcp = pkt[TCP]
    if IPv6 in pkt:
        ip6 = pkt[IPv6]
        src, dst = "[%s]" % ip6.src, "[%s]" % ip6.dst
        ext = sum((ip6[e].len + 1) * 8 for e in IPV6_EXT if e in ip6)
        wire_payload = ip6.plen - ext - tcp.dataofs * 4
    else:
        ip = pkt[IP]
        src, dst = ip.src, ip.dst
        wire_payload = ip.len - ip.ihl * 4 - tcp.dataofs * 4
    payload = bytes(tcp[Raw].load) if Raw in tcp else b""
    if cut == 0:
        wire_payload = len(payload)
    return {"src": "%s:%d" % (src, tcp.sport), "dst": "%s:%d" % (dst, tcp.dport),
            "sport": tcp.sport, "dport": tcp.dport, "seq": tcp.seq, "flags": int(tcp.flags),
            "payload": payload, "wire_len": max(wire_payload, len(payload))}


# ---- one direction of a connection --------------------------------------------

class Direction:
    """Reassembly of one direction: positions are sequence numbers unwrapped
    to 64 bits around the first one seen, so 2^32 wraps are no event."""

    def __init__(self):
        self.anchor = None           # first raw seq seen
        self.syn = None              # position of the first data byte after SYN
        self.store = {}              # position -> byte value (first copy wins)
        self.sent = []               # [start, end) ranges carried by captured packets (wire length)
        self.max_end = None
        self.events = []             # (kind, position, detail)

    def position(self, seq):
        if self.anchor is None:
            self.anchor = seq
        delta = (seq - self.anchor) & 0xFFFFFFFF
        return delta - (1 << 32) if delta >= 1 << 31 else delta

    def on_syn(self, seq):
        self.syn = self.position((seq + 1) & 0xFFFFFFFF)

    def on_data(self, seq, payload, wire_len):
        start = self.position(seq)
        overlap = [start + i for i in range(len(payload)) if start + i in self.store]
        if overlap:
            differ = [p for p in overlap if self.store[p] != payload[p - start]]
            if differ:
                self.events.append(("overlap_mismatch", differ[0], "%d of %d retransmitted bytes differ"
                                    % (len(differ), len(overlap))))
            else:
                self.events.append(("retransmission", overlap[0], "%d bytes sent again" % len(overlap)))
        elif self.max_end is not None and start < self.max_end:
            self.events.append(("out_of_order", start, "%d bytes arrived after later data" % wire_len))
        for i, b in enumerate(payload):
            self.store.setdefault(start + i, b)
        if wire_len > len(payload):
            self.events.append(("truncated", start + len(payload), "%d bytes not captured"
                                % (wire_len - len(payload))))
        self.sent.append((start, start + wire_len))
        self.max_end = start + wire_len if self.max_end is None else max(self.max_end, start + wire_len)

    def captured(self, a, b):
        return all(p in self.store for p in range(a, b))

    def bytes_at(self, a, b):
        return bytes(self.store[p] for p in range(a, b))

    def extent(self):
        """(first position framing may use, end of the stream seen)."""
        spans = merge(self.sent)
        if not spans:
            return None, None
        return (self.syn if self.syn is not None else spans[0][0]), spans[-1][1]


# ---- RIO framing -----------------------------------------------------------------

def header_fields(d, pos, kind):
    """Header fields whose bytes were captured (from pyrio's codec)."""
    h = unpack(bytes(d.store.get(p, 0) for p in range(pos, pos + HEADER_SIZE)))
    return h, {k: v for k, a, b, v in header_spans(h, kind) if d.captured(pos + a, pos + b)}


def resync_at(d, pos, kind):
    if not d.captured(pos, pos + HEADER_SIZE):
        return False
    return resync_ok(header_fields(d, pos, kind)[0], kind)


def frame(d, kind):
    """(PDU list, their [start, end) spans, problems) of one direction."""
    first, end = d.extent()
    pdus, spans, problems = [], [], []
    if first is None:
        return pdus, spans, problems
    pos = first
    if d.syn is None:
        while pos + HEADER_SIZE <= end and not resync_at(d, pos, kind):
            pos += 1
        if pos + HEADER_SIZE > end:
            pos = end
        problems.append(("midstream", None, "%d bytes skipped" % (pos - first)))
    while pos < end:
        h, fields = header_fields(d, pos, kind)
        bad = malformed_reason(h, kind) if d.captured(pos, pos + HEADER_SIZE) else None
        if bad:
            fields.update(complete=False, malformed=bad)
            pdus.append(fields)
            spans.append((pos, pos + HEADER_SIZE))
            problems.append(("malformed", pos, bad))
            break
        if not ("header_length" in fields and WORDS[kind][2] in fields):
            fields["complete"] = False           # length unknown: framing cannot go on
            pdus.append(fields)
            spans.append((pos, end))
            break
        stop = pos + h.header_length + h.data_length
        if stop <= end and d.captured(pos, stop):
            fields["data_sha256"] = hashlib.sha256(d.bytes_at(pos + h.header_length, stop)).hexdigest()
            fields["complete"] = True
        else:
            fields["complete"] = False
        pdus.append(fields)
        spans.append((pos, stop))
        pos = stop
    return pdus, spans, problems


def gaps(d):
    spans = merge(d.sent)
    return [(spans[i][1], spans[i + 1][0] - spans[i][1]) for i in range(len(spans) - 1)]


def direction_doc(d, kind):
    pdus, spans, problems = frame(d, kind)
    problems += [("gap", pos, "%d bytes missing" % n) for pos, n in gaps(d)]
    problems += [(k, pos, detail) for k, pos, detail in d.events]

    def index(pos):
        if pos is None:
            return None
        hit = [i for i, (a, b) in enumerate(spans) if a <= pos < max(b, a + 1)]
        return hit[0] if hit else None
    out = []
    for k, pos, detail in problems:
        p = {"kind": k, "direction": kind}
        if index(pos) is not None:
            p["pdu"] = index(pos)
        p["detail"] = detail
        out.append(p)
    return pdus, out


# ---- sessions ----------------------------------------------------------------

def server_side(seg):
    """Which end of a connection without a captured SYN is the server."""
    rio = range(DEFS.BASE_PORT, DEFS.PORT_RANGE_LAST + 1)
    if (seg["dport"] in rio) != (seg["sport"] in rio):
        return "dst" if seg["dport"] in rio else "src"
    return "dst" if seg["dport"] < seg["sport"] else "src"


def sessions(segs):
    conns = {}                       # frozenset of ends -> session
    order = []
    for seg in segs:
        key = frozenset((seg["src"], seg["dst"]))
        s = conns.get(key)
        if s is None:
            if seg["flags"] & SYN:
                client = seg["src"] if not seg["flags"] & ACK else seg["dst"]
            else:
                client = seg["src"] if server_side(seg) == "dst" else seg["dst"]
            s = {"client": client, "server": seg["dst"] if client == seg["src"] else seg["src"],
                 "handshake": False, REQUEST: Direction(), RESPONSE: Direction()}
            conns[key] = s
            order.append(s)
        d = s[REQUEST] if seg["src"] == s["client"] else s[RESPONSE]
        if seg["flags"] & SYN:
            s["handshake"] = True
            d.on_syn(seg["seq"])
        if seg["wire_len"]:
            d.on_data(seg["seq"], seg["payload"], seg["wire_len"])
    docs = []
    for s in order:
        reqs, p_req = direction_doc(s[REQUEST], REQUEST)
        resps, p_resp = direction_doc(s[RESPONSE], RESPONSE)
        docs.append({"client": s["client"], "server": s["server"], "handshake": s["handshake"],
                     "requests": reqs, "responses": resps, "problems": p_req + p_resp})
    return docs


def expectation(path, kind="recorded", description=""):
    segs, info = tcp_segments(path)
    return {"capture": os.path.basename(path), "description": description, "kind": kind,
            "format": info["format"], "link_type": info["link_type"], "packets": info["packets"],
            "sessions": sessions(segs)}


def write_json(doc, path=None):
    """The document as the library stores it (stdout without a path)."""
    text = json.dumps(doc, indent=1) + "\n"
    if path is None:
        sys.stdout.write(text)
    else:
        with open(path, "w") as f:
            f.write(text)


def main(argv=None):
    p = argparse.ArgumentParser(prog="expect.py", description=__doc__.split("\n\n")[0])
    p.add_argument("capture")
    p.add_argument("-o", "--output", help="JSON file (default: stdout)")
    p.add_argument("--kind", choices=["recorded", "crafted"], default="recorded")
    p.add_argument("--description", default="")
    args = p.parse_args(argv)
    try:
        write_json(expectation(args.capture, args.kind, args.description), args.output)
    except (BadCapture, OSError) as e:
        print("expect.py: %s" % e, file=sys.stderr)
        return EXIT_IO
    return 0


if __name__ == "__main__":
    sys.exit(main())
