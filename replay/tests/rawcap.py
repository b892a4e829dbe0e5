"""Large crafted captures, fast: raw IPv4/TCP frames (LINKTYPE_RAW, no
checksums: rio-replay never checks them) written with struct, for captures
of a million packets that scapy would take minutes to build.  Used by the
hostile-input tests here and by bench/replay's scripts."""
import socket
import struct

from pyrio import DEFS

TOASTER_PORT = DEFS.BASE_PORT + 1   # toaster 1

LINKTYPE_RAW = 101
SYN, FIN, ACK, PSH = 0x02, 0x01, 0x10, 0x08


def tcp_frame(src, dst, seq, ack, flags, payload=b""):
    """src, dst: (ipv4 text, port)."""
    total = 20 + 20 + len(payload)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0, 0, 64, 6, 0,
                     socket.inet_aton(src[0]), socket.inet_aton(dst[0]))
    tcp = struct.pack("!HHIIBBHHH", src[1], dst[1], seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      5 << 4, flags, 65535, 0, 0)
    return ip + tcp + payload


class PcapWriter:
    """Classic pcap, microsecond timestamps; write(ts_us, frame)."""

    def __init__(self, path, linktype=LINKTYPE_RAW):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))

    def write(self, ts_us, frame):
        self.f.write(struct.pack("<IIII", ts_us // 1000000, ts_us % 1000000, len(frame), len(frame)))
        self.f.write(frame)

    def close(self):
        self.f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def pcapng(frames, linktype=LINKTYPE_RAW):
    """A pcapng file as bytes: frames are (ts_high, ts_low, frame), raw
    64-bit timestamps in the default resolution (microseconds)."""
    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(0x00000001, struct.pack("<HHI", linktype, 0, 262144))
    for high, low, frame in frames:
        out += block(0x00000006, struct.pack("<IIIII", 0, high, low, len(frame), len(frame)) + frame)
    return out


class Flow:
    """One TCP connection's packets: client and server sides, sequence
    numbers tracked; frames go to a PcapWriter as they are made."""

    def __init__(self, out, client=("10.0.0.1", 40000), server=("10.0.0.2", TOASTER_PORT),
                 isn=(1000, 500000), t0_us=1700000000 * 1000000):
        self.out = out
        self.ends = {"c": client, "s": server}
        self.seq = {"c": isn[0], "s": isn[1]}
        self.t = t0_us

    def _emit(self, side, flags, payload=b"", seq=None):
        other = "s" if side == "c" else "c"
        self.t += 1
        self.out.write(self.t, tcp_frame(self.ends[side], self.ends[other],
                                         self.seq[side] if seq is None else seq,
                                         self.seq[other], flags, payload))

    def handshake(self):
        self._emit("c", SYN)
        self.seq["c"] += 1
        self._emit("s", SYN | ACK)
        self.seq["s"] += 1
        self._emit("c", ACK)

    def send(self, side, data):
        self._emit(side, PSH | ACK, data)
        self.seq[side] += len(data)

    def send_at(self, side, offset, data):
        """data at `offset` bytes past the side's current sequence, without
        advancing it (out-of-order pieces, retransmissions)."""
        self._emit(side, PSH | ACK, data, seq=self.seq[side] + offset)

    def advance(self, side, n):
        self.seq[side] += n

    def close(self):
        self._emit("c", FIN | ACK)
        self.seq["c"] += 1
        self._emit("s", FIN | ACK)
        self.seq["s"] += 1


def reversed_bytes_write(path, request, response, piece=1, isn=(1000, 500000), prelude=()):
    """One connection: `prelude` ((side, bytes) sent in order), then a
    request arriving in `piece`-byte segments, all out of order (every
    other one backwards, then the rest backwards, the first byte last),
    then its response in order.  The hardest case for a reorder queue.
    Returns the number of segments of the request."""
    with PcapWriter(path) as w:
        f = Flow(w, isn=isn)
        f.handshake()
        for side, data in prelude:
            f.send(side, data)
        n = len(request)
        offs = list(range(piece, n, piece))
        # descending odd pieces then descending even ones: every arrival
        # lands inside the queue, never only at its ends
        order = offs[1::2][::-1] + offs[0::2][::-1] + [0]
        for off in order:
            f.send_at("c", off, request[off:off + piece])
        f.advance("c", n)
        f.send("s", response)
        f.close()
    return len(order)
