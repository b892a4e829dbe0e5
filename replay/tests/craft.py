"""Crafted captures for rio-replay's tests: RIO sessions as packets, with
the capture problems (reordering, retransmission, loss, snaplen) applied on
purpose.  Packets are built with scapy; the file is written here so that a
record's captured length can be shorter than its wire length."""
import struct

from scapy.all import IP, IPv6, TCP, Ether, Dot1Q, raw  # noqa: E402

from pyrio import DEFS, pack_request, pack_response  # noqa: E402

TOASTER_PORT = DEFS.BASE_PORT + 1   # toaster 1

LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_NULL = 0
LINKTYPE_LINUX_SLL = 113
LINKTYPE_LINUX_SLL2 = 276


class Packet:
    def __init__(self, ts, frame, caplen=None):
        self.ts = ts
        self.frame = frame
        self.caplen = len(frame) if caplen is None else caplen


def write_pcap(path, packets, linktype=LINKTYPE_ETHERNET, snaplen=262144):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
        for p in packets:
            sec = int(p.ts)
            usec = int(round((p.ts - sec) * 1e6))
            data = p.frame[:p.caplen]
            f.write(struct.pack("<IIII", sec, usec, len(data), len(p.frame)))
            f.write(data)


class Conn:
    """One TCP connection; each send() returns the packets it made (also
    appended to self.packets in time order)."""

    def __init__(self, client=("127.0.0.1", 41000), server=("127.0.0.1", TOASTER_PORT),
                 isn_client=1000, isn_server=900000, t0=1700000000.0, v6=False, vlan=()):
        self.client, self.server = client, server
        self.seq = {"c": isn_client, "s": isn_server}
        self.t = t0
        self.v6 = v6
        self.vlan = vlan
        self.packets = []

    def _ip(self, src, dst):
        return IPv6(src=src, dst=dst) if self.v6 else IP(src=src, dst=dst)

    def _frame(self, side, flags, payload=b"", seq=None):
        src, dst = (self.client, self.server) if side == "c" else (self.server, self.client)
        other = "s" if side == "c" else "c"
        tcp = TCP(sport=src[1], dport=dst[1], flags=flags,
                  seq=(self.seq[side] if seq is None else seq) & 0xFFFFFFFF,
                  ack=self.seq[other] & 0xFFFFFFFF, window=65535)
        l2 = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
        for tag in self.vlan:
            l2 = l2 / Dot1Q(vlan=tag)
        return raw(l2 / self._ip(src[0], dst[0]) / tcp / payload)

    def _add(self, side, flags, payload=b"", advance=True):
        self.t += 0.001
        pkt = Packet(self.t, self._frame(side, flags, payload))
        pkt.side, pkt.payload, pkt.seq = side, payload, self.seq[side]
        self.packets.append(pkt)
        if advance:
            self.seq[side] = (self.seq[side] + len(payload) + (1 if "S" in flags or "F" in flags else 0)) & 0xFFFFFFFF
        return pkt

    def handshake(self):
        self._add("c", "S")
        self._add("s", "SA")
        self._add("c", "A")

    def send(self, side, data, segment=None):
        seg = segment or len(data) or 1
        return [self._add(side, "PA", data[i:i + seg]) for i in range(0, len(data), seg)]

    def close(self, first="c"):
        self._add(first, "FA")
        self._add("s" if first == "c" else "c", "FA")

    def frame_at(self, side, seq, payload, ts):
        return Packet(ts, self._frame(side, "PA", payload, seq=seq))


def toaster_session(conn, seq=1, pipelined=False, skip_create=False, jump=False, close_by="c"):
    """CREATE, GET_INFO, WRITE, START, READ, CLOSE with plausible answers.
    Returns the list of (request bytes, response bytes)."""
    info = struct.pack("<IIII", 1, DEFS.TOASTER_CAPACITY, DEFS.TOASTER_MAX_LOAD_BYTES,
                       DEFS.TOASTER_FIRMWARE_VERSION) + DEFS.TOASTER_MODEL_NAME.encode().ljust(32, b"\0")
    bread = bytes(range(256)) * 4
    steps = [
        (DEFS.MJ_CREATE, 0, 0, b"", DEFS.STATUS_SUCCESS, 0, b""),
        (DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_INFO, 64, b"", DEFS.STATUS_SUCCESS, len(info), info),
        (DEFS.MJ_WRITE, 0, 0, bread, DEFS.STATUS_SUCCESS, len(bread), b""),
        (DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_START, 0, b"", DEFS.STATUS_SUCCESS, 0, b""),
        (DEFS.MJ_READ, 0, DEFS.TOASTER_MAX_LOAD_BYTES, b"", DEFS.STATUS_SUCCESS, len(bread), bread),
        (DEFS.MJ_CLOSE, 0, 0, b"", DEFS.STATUS_SUCCESS, 0, b""),
    ]
    if skip_create:
        steps = steps[1:]
    pairs = []
    for i, (major, ioctl, out, data, status, info_, rdata) in enumerate(steps):
        s = seq + i + (5 if jump and i >= 2 else 0)
        pairs.append((pack_request(major, s, ioctl, out, data), pack_response(major, s, status, info_, rdata)))
    if pipelined:
        conn.send("c", pairs[0][0] + pairs[1][0])
        conn.send("s", pairs[0][1])
        conn.send("s", pairs[1][1])
        rest = pairs[2:]
    else:
        rest = pairs
    for req, resp in rest:
        conn.send("c", req)
        conn.send("s", resp)
    conn.close(close_by)
    return pairs


def two_sessions(path):
    """Two toaster sessions from ports 41000 and 41001, 100 s apart (at
    epoch 1700000000 and 1700000100), written to path; returns path."""
    packets = []
    for i in range(2):
        c = Conn(client=("127.0.0.1", 41000 + i), t0=1700000000.0 + 100 * i)
        c.handshake()
        toaster_session(c)
        packets += c.packets
    write_pcap(path, packets)
    return path
