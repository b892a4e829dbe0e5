"""Large captures for benchmarks, written fast: packets are packed with
struct straight into the file, no per-packet objects.

Each connection: handshake, CREATE, a WRITE / START / GET_STATUS / READ
cycle answered by the toaster model, CLOSE, the server's FIN exchange.  All
fixed, so the same arguments give the same bytes.
"""
import json
import os

from pyrio import DEFS, pack_request
from pyrio.toastermodel import Toaster

from . import netpkt, pcapio
from .capture import TS_BASE_US, TS_STEP_US
from .contract import REQUEST, RESPONSE
from .conversation import PduRecord
from .expectation import endpoint, pdu_fields

LOOPBACK = netpkt.addr_bytes("127.0.0.1")
SERVER_PORT = DEFS.BASE_PORT + 1
FIRST_CLIENT_PORT = 20000
MAX_CONNECTIONS = 65535 - FIRST_CLIENT_PORT
LOAD = b"bulk-bread-" * 6      # 66 bytes per WRITE


def cycle(i):
    """(major, ioctl, output_length, data) of the i-th request after CREATE."""
    step = i % 4
    if step == 0:
        return DEFS.MJ_WRITE, 0, 0, LOAD
    if step == 1:
        return DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_START, 0, b""
    if step == 2:
        return DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_STATUS, DEFS.TOASTER_STATUS_SIZE, b""
    return DEFS.MJ_READ, 0, len(LOAD), b""


class BulkWriter:
    def __init__(self, w):
        self.w, self.n = w, 0

    def packet(self, sport, dport, seq, ack, flags, payload, ident):
        tcp = netpkt.tcp_segment(LOOPBACK, LOOPBACK, sport, dport, seq, ack, flags, payload)
        l3 = netpkt.ipv4(LOOPBACK, LOOPBACK, tcp, ident)
        self.w.write(TS_BASE_US + self.n * TS_STEP_US, pcapio.ethernet(l3, pcapio.ETHERTYPE_IPV4))
        self.n += 1

    def connection(self, index, transactions, keep):
        """Write one connection of `transactions` request/response pairs;
        with keep, return its expectation session."""
        cport = FIRST_CLIENT_PORT + index
        cseq, sseq = (index * 7919 + 1000) & 0xFFFFFFFF, (index * 104729 + 5000) & 0xFFFFFFFF
        ack, psh = netpkt.ACK, netpkt.ACK | netpkt.PSH
        self.packet(cport, SERVER_PORT, cseq, 0, netpkt.SYN, b"", 1)
        self.packet(SERVER_PORT, cport, sseq, cseq + 1, netpkt.SYN | ack, b"", 1)
        cseq, sseq = cseq + 1, sseq + 1
        self.packet(cport, SERVER_PORT, cseq, sseq, ack, b"", 2)
        toaster = Toaster(SERVER_PORT - DEFS.BASE_PORT)
        session = {"client": endpoint(("127.0.0.1", cport)), "server": endpoint(("127.0.0.1", SERVER_PORT)),
                   "handshake": True, "requests": [], "responses": [], "problems": []}
        for i in range(transactions):
            seq = DEFS.FIRST_SEQUENCE + i
            if i == 0:
                req = pack_request(DEFS.MJ_CREATE, seq)
            elif i == transactions - 1:
                req = pack_request(DEFS.MJ_CLOSE, seq)
            else:
                major, ioctl, out, data = cycle(i - 1)
                req = pack_request(major, seq, ioctl, out, data)
            resp, _ = toaster.answer(req)
            self.packet(cport, SERVER_PORT, cseq, sseq, psh, req, i)
            cseq = (cseq + len(req)) & 0xFFFFFFFF
            self.packet(SERVER_PORT, cport, sseq, cseq, psh, resp, i)
            sseq = (sseq + len(resp)) & 0xFFFFFFFF
            if keep:
                session["requests"].append(pdu_fields(PduRecord(0, req), REQUEST, lambda a, b: True))
                session["responses"].append(pdu_fields(PduRecord(0, resp), RESPONSE, lambda a, b: True))
        self.packet(SERVER_PORT, cport, sseq, cseq, netpkt.FIN | ack, b"", transactions)
        self.packet(cport, SERVER_PORT, cseq, sseq + 1, netpkt.FIN | ack, b"", transactions)
        self.packet(SERVER_PORT, cport, sseq + 1, cseq + 1, ack, b"", transactions + 1)
        return session


def write(path, transactions, connections, fmt="pcap", want_json=False):
    """Spread `transactions` over `connections` (each needs 2: CREATE, CLOSE)."""
    if transactions < 2 * connections or connections > MAX_CONNECTIONS:
        raise ValueError("need at least 2 transactions per connection and at most %d connections"
                         % MAX_CONNECTIONS)
    sessions = []
    with open(path, "wb") as f:
        bw = BulkWriter(pcapio.writer(f, fmt, "EN10MB"))
        for c in range(connections):
            share = transactions // connections + (1 if c < transactions % connections else 0)
            session = bw.connection(c, share, want_json)
            if want_json:
                sessions.append(session)
    if want_json:
        doc = {"capture": os.path.basename(path), "description": "bulk: %d transactions over %d connections"
               % (transactions, connections), "kind": "crafted", "format": fmt, "link_type": "EN10MB",
               "packets": bw.n, "sessions": sessions}
        with open(os.path.splitext(path)[0] + ".json", "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
    return bw.n
