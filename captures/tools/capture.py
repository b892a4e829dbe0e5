"""A crafted capture: the packets of one file in capture order, the
impairments that act on them (reorder, drop, retransmit, overlap, snaplen,
capture starting late, each noting the expectation problem it creates),
and the rendering to pcap/pcapng plus expectation JSON.
"""
import json
import os

from pyrio import DEFS

from . import netpkt, pcapio
from .contract import REQUEST
from .conversation import Conversation, Packet
from .expectation import Expectation

TS_BASE_US = 1763900000 * 1000000   # fixed capture start (2025-11-23)
TS_STEP_US = 100


class Capture:
    def __init__(self, name, description, linktype="EN10MB", fmt="pcap", snaplen=pcapio.DEFAULT_SNAPLEN,
                 vlans=()):
        self.name, self.description = name, description
        self.linktype, self.format, self.snaplen, self.vlans = linktype, fmt, snaplen, list(vlans)
        self.packets = []
        self.convs = []
        self.events = []             # (kind, conv, direction, offset, detail)
        self.delay_us = 0            # pauses so far: packets are TS_STEP_US apart plus these

    def conversation(self, client_port, server_port=DEFS.BASE_PORT + 1, isn_client=1000, isn_server=5000,
                     ipv6=False, client_addr=None, server_addr=None, **kw):
        loop = "::1" if ipv6 else "127.0.0.1"
        c = Conversation(self, (client_addr or loop, client_port), (server_addr or loop, server_port),
                         isn_client, isn_server, **kw)
        self.convs.append(c)
        return c

    # ---- time ----------------------------------------------------------------
    # Packet i is captured at TS_BASE_US + i * TS_STEP_US + the pauses made
    # before it was put in (a device that took its time to answer).  Only
    # captures whose packets stay in the order they were put in pause.

    def last_packet_ms(self):
        """Capture time of the last packet put in, in ms from TS_BASE_US."""
        return ((len(self.packets) - 1) * TS_STEP_US + self.delay_us) / 1000

    def pause_until_ms(self, t_ms):
        """The next packet comes no earlier than t_ms (a pending answer)."""
        gap_us = round(t_ms * 1000) - ((len(self.packets) - 1) * TS_STEP_US + self.delay_us)
        self.delay_us += max(0, gap_us)

    # ---- impairments -------------------------------------------------------

    def _problem(self, kind, pkt, detail, off=None):
        self.events.append((kind, pkt.conv, pkt.direction, pkt.off if off is None else off, detail))

    def move_after(self, pkt, anchor):
        """pkt arrives right after anchor: anchor came out of order."""
        self.packets.remove(pkt)
        self.packets.insert(self.packets.index(anchor) + 1, pkt)
        self._problem("out_of_order", pkt, "%d bytes arrived after later data" % len(pkt.payload))

    def drop(self, pkt):
        """Capture loss: sent (the peer acknowledges it), never captured."""
        self.packets.remove(pkt)

    def retransmit(self, pkt, after):
        """An exact copy of pkt, captured right after packet `after`."""
        copy = Packet(pkt.conv, pkt.direction, pkt.seq, pkt.ack, pkt.flags, pkt.payload, pkt.off, pkt.delay_us)
        self.packets.insert(self.packets.index(after) + 1, copy)
        self._problem("retransmission", pkt, "%d bytes sent again" % len(pkt.payload))
        return copy

    def overlap(self, pkt, after, start, length, flip_at):
        """A retransmission of pkt.payload[start:start+length] whose byte at
        flip_at (relative to start) differs; the first data wins."""
        body = bytearray(pkt.payload[start:start + length])
        body[flip_at] ^= 0xFF
        seq = (pkt.seq + start) & 0xFFFFFFFF
        copy = Packet(pkt.conv, pkt.direction, seq, pkt.ack, pkt.flags, bytes(body), pkt.off + start,
                      pkt.delay_us)
        self.packets.insert(self.packets.index(after) + 1, copy)
        self._problem("overlap_mismatch", copy, "%d of %d retransmitted bytes differ" % (1, length),
                      off=pkt.off + start + flip_at)
        return copy

    def start_at(self, pkt):
        """The capture began just before pkt: everything earlier is gone."""
        self.packets = self.packets[self.packets.index(pkt):]

    # ---- rendering -----------------------------------------------------------

    def frame(self, pkt):
        c = pkt.conv
        src, dst = c.packed[pkt.direction], c.packed[c.peer(pkt.direction)]
        sport, dport = c.ends[pkt.direction][1], c.ends[c.peer(pkt.direction)][1]
        tcp = netpkt.tcp_segment(src, dst, sport, dport, pkt.seq, pkt.ack, pkt.flags, pkt.payload)
        c.ident[pkt.direction] += 1
        if c.ipv6:
            l3, etype = netpkt.ipv6(src, dst, tcp, c.hop_by_hop), pcapio.ETHERTYPE_IPV6
        else:
            l3, etype = netpkt.ipv4(src, dst, tcp, c.ident[pkt.direction], c.ip_options), pcapio.ETHERTYPE_IPV4
        return pcapio.link_frame(self.linktype, l3, etype, pkt.direction == REQUEST, self.vlans)

    def write(self, directory):
        """Write NAME and NAME's JSON into directory; return the capture path."""
        path = os.path.join(directory, self.name)
        captured = []                # (pkt, payload bytes captured)
        with open(path, "wb") as f:
            w = pcapio.writer(f, self.format, self.linktype, self.snaplen)
            for i, pkt in enumerate(self.packets):
                frame = self.frame(pkt)
                w.write(TS_BASE_US + i * TS_STEP_US + pkt.delay_us, frame)
                headers = len(frame) - len(pkt.payload)
                captured.append((pkt, max(0, min(len(pkt.payload), self.snaplen - headers))))
        doc = Expectation(self, captured).document()
        with open(os.path.splitext(path)[0] + ".json", "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        return path
