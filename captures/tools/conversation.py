"""A crafted TCP conversation carrying RIO, built segment by segment.

A Conversation is one TCP connection inside a Capture (capture.py): it
keeps both byte streams, records every PDU it puts into them (so the JSON
is written from what was put in, not by parsing the file) and appends
packets to the capture's packet list.  A device model answers requests:
the toaster's (pyrio/toastermodel.py) unless the conversation is given
another, e.g. the modem's (pyrio/modemmodel.py), whose requests may pend:
the capture's clock then pauses until the answer leaves.
"""
from dataclasses import dataclass, field
from typing import Optional

from pyrio import DEFS, pack_request, pack_response, unpack
from pyrio.codec import HEADER_SIZE
from pyrio.toastermodel import Toaster

from . import netpkt
from .contract import REQUEST, RESPONSE, malformed_reason

MSS = 1448


@dataclass
class Packet:
    conv: "Conversation"
    direction: str
    seq: int                     # absolute TCP sequence number
    ack: int
    flags: int
    payload: bytes = b""
    off: Optional[int] = None    # stream offset of payload[0] (None: no payload)
    delay_us: int = 0            # the capture's pauses before this packet (capture.py)


@dataclass
class PduRecord:
    offset: int
    raw: bytes                   # header (HeaderLength bytes) + counted data
    malformed: Optional[str] = None


@dataclass
class Stream:
    data: bytearray = field(default_factory=bytearray)
    pdus: list = field(default_factory=list)
    fin: bool = False


class Conversation:
    def __init__(self, capture, client, server, isn_client, isn_server, serial=None,
                 ip_options=b"", hop_by_hop=None, model=Toaster):
        self.capture = capture
        self.ends = {REQUEST: client, RESPONSE: server}          # (addr, port) of the sender
        self.isn = {REQUEST: isn_client, RESPONSE: isn_server}
        self.packed = {d: netpkt.addr_bytes(a) for d, (a, _) in self.ends.items()}
        self.ipv6 = ":" in client[0]
        self.ip_options, self.hop_by_hop = ip_options, hop_by_hop
        self.streams = {REQUEST: Stream(), RESPONSE: Stream()}
        self.ident = {REQUEST: 0x1000, RESPONSE: 0x2000}
        self.toaster = model(serial if serial is not None else server[1] - DEFS.BASE_PORT)  # the device
        self.next_seq_no = DEFS.FIRST_SEQUENCE
        self.framing_stopped = {REQUEST: False, RESPONSE: False}
        self.refused = False         # answered by refuse(), not by the toaster model

    # ---- TCP ---------------------------------------------------------------

    @staticmethod
    def peer(direction):
        return RESPONSE if direction == REQUEST else REQUEST

    def _next_abs(self, direction):
        s = self.streams[direction]
        return (self.isn[direction] + 1 + len(s.data) + (1 if s.fin else 0)) & 0xFFFFFFFF

    def _emit(self, direction, flags, payload=b"", off=None, seq=None):
        peer = self.peer(direction)
        ack = self._next_abs(peer) if flags & netpkt.ACK else 0
        if seq is None:
            seq = self._next_abs(direction) if off is None else (self.isn[direction] + 1 + off) & 0xFFFFFFFF
        pkt = Packet(self, direction, seq, ack, flags, payload, off, self.capture.delay_us)
        self.capture.packets.append(pkt)
        return pkt

    def open(self):
        """Handshake and a successful CREATE."""
        self.handshake()
        return self.transact(DEFS.MJ_CREATE)

    def handshake(self):
        delay = self.capture.delay_us
        syn = Packet(self, REQUEST, self.isn[REQUEST], 0, netpkt.SYN, delay_us=delay)
        self.capture.packets.append(syn)
        self.capture.packets.append(Packet(self, RESPONSE, self.isn[RESPONSE],
                                           (self.isn[REQUEST] + 1) & 0xFFFFFFFF, netpkt.SYN | netpkt.ACK,
                                           delay_us=delay))
        return [syn, self._emit(REQUEST, netpkt.ACK)]

    def send(self, direction, data, split=None, ack_every=None):
        """Append data to a stream and put it on the wire: split is a list of
        segment sizes (the rest goes in MSS-sized segments); with ack_every,
        the peer sends a pure ACK after every that many segments."""
        sizes = list(split or [])
        stream = self.streams[direction]
        pkts = []
        pos = 0
        while pos < len(data):
            n = sizes.pop(0) if sizes else MSS
            chunk = data[pos:pos + n]
            off = len(stream.data)
            stream.data += chunk
            pkts.append(self._emit(direction, netpkt.ACK | netpkt.PSH, chunk, off))
            pos += len(chunk)
            if ack_every and len(pkts) % ack_every == 0:
                self.ack(self.peer(direction))
        return pkts

    def ack(self, direction):
        """A pure ACK sent in `direction`."""
        return self._emit(direction, netpkt.ACK)

    def fin(self, direction):
        pkt = self._emit(direction, netpkt.FIN | netpkt.ACK)
        self.streams[direction].fin = True
        return pkt

    def server_closes(self):
        """Server FIN, client FIN, server's last ACK."""
        return [self.fin(RESPONSE), self.fin(REQUEST), self.ack(RESPONSE)]

    # ---- RIO ---------------------------------------------------------------

    def _record(self, direction, raw, ahead=0):
        """Note a PDU about to be put into the stream, `ahead` bytes after
        its current end (framing order)."""
        if self.framing_stopped[direction]:
            return
        reason = malformed_reason(unpack(raw), direction)
        offset = len(self.streams[direction].data) + ahead
        if reason:
            raw = raw[:HEADER_SIZE]
            self.framing_stopped[direction] = True
        self.streams[direction].pdus.append(PduRecord(offset, raw, reason))

    def _record_all(self, direction, raws):
        """Note PDUs that go into the stream back to back."""
        ahead = 0
        for raw in raws:
            self._record(direction, raw, ahead)
            ahead += len(raw)

    def build(self, major, ioctl=0, output_length=0, data=b"", **kw):
        kw.setdefault("seq", self.next_seq_no)
        self.next_seq_no = (kw["seq"] + 1) & 0xFFFFFFFF
        seq = kw.pop("seq")
        return pack_request(major, seq, ioctl, output_length, data, **kw)

    def put_request(self, raw, split=None, ack_every=None):
        self._record(REQUEST, raw)
        return self.send(REQUEST, raw, split, ack_every)

    def answer(self, raw, split=None):
        """The device's answer to request bytes `raw` onto the wire; a
        request that pended is answered as late as the model says."""
        timed = hasattr(self.toaster, "done_at")
        if timed:
            self.toaster.now = self.capture.last_packet_ms()
        resp, closes = self.toaster.answer(raw)
        if timed:
            self.capture.pause_until_ms(self.toaster.done_at)
        pkts = []
        if resp is not None:
            self._record(RESPONSE, resp)
            pkts = self.send(RESPONSE, resp, split)
        return pkts, closes

    def transact(self, major, ioctl=0, output_length=0, data=b"", split=None, resp_split=None,
                 ack_every=None, **kw):
        """One request and its answer; returns (request packets, response packets)."""
        raw = self.build(major, ioctl, output_length, data, **kw)
        req = self.put_request(raw, split, ack_every)
        resp, closes = self.answer(raw, resp_split)
        if closes:
            self.server_closes()
        return req, resp

    def pipeline(self, raws, resp_together=True):
        """Misbehaving client: the requests `raws` in one segment; the server
        answers them in order, all in one segment if resp_together."""
        self._record_all(REQUEST, raws)
        blob = b"".join(raws)
        req = self.send(REQUEST, blob, [len(blob)])
        answers = [a for a in (self.toaster.answer(raw)[0] for raw in raws) if a is not None]
        self._record_all(RESPONSE, answers)
        split = [sum(map(len, answers))] if resp_together else [len(a) for a in answers]
        return req, self.send(RESPONSE, b"".join(answers), split)

    def refuse(self, raw, status):
        """Answer request bytes with an error status the toaster model cannot
        know (another connection holds the device), then close."""
        self.refused = True
        h = unpack(raw)
        resp = pack_response(h.major, h.seq, status)
        self._record(RESPONSE, resp)
        pkts = self.send(RESPONSE, resp)
        self.server_closes()
        return pkts
