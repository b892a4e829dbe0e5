"""Write pcap and pcapng files with struct: no scapy objects, so the output
is byte-for-byte the same on every run and bulk writing stays fast.

Link layers are built here too, because the link type is a property of the
file: every packet of a file has the same one.
"""
import struct

# libpcap LINKTYPE_* values, keyed by the DLT name the JSON uses.
LINKTYPE = {"NULL": 0, "EN10MB": 1, "RAW": 101, "LOOP": 108,
            "LINUX_SLL": 113, "LINUX_SLL2": 276}

ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_IPV6 = 0x86DD
ETHERTYPE_VLAN = 0x8100       # 802.1Q customer tag
ETHERTYPE_QINQ = 0x88A8       # 802.1ad service tag (outer tag of QinQ)
AF_INET = 2                   # BSD loopback header family (same on every OS)
ARPHRD_LOOPBACK = 772
SLL_HOST = 0                  # packet addressed to this host
SLL_OUTGOING = 4              # packet sent by this host

PCAP_MAGIC_US = 0xA1B2C3D4
DEFAULT_SNAPLEN = 262144


def ethernet(l3, ethertype, vlans=()):
    """Ethernet II as Linux lo shows it (all-zero MACs), with optional tags:
    vlans is a list of (tpid, vid) outermost first."""
    tags = b"".join(struct.pack(">HH", tpid, vid & 0x0FFF) for tpid, vid in vlans)
    return b"\0" * 12 + tags + struct.pack(">H", ethertype) + l3


def link_frame(linktype, l3, ethertype, outgoing=False, vlans=()):
    """Wrap an IP packet in the link-layer header of `linktype` (a name)."""
    if linktype == "EN10MB":
        return ethernet(l3, ethertype, vlans)
    if linktype == "NULL":
        return struct.pack("<I", AF_INET) + l3      # host byte order (little-endian writer)
    if linktype == "LOOP":
        return struct.pack(">I", AF_INET) + l3      # always network byte order
    if linktype == "RAW":
        return l3
    pkttype = SLL_OUTGOING if outgoing else SLL_HOST
    if linktype == "LINUX_SLL":
        return struct.pack(">HHH8sH", pkttype, ARPHRD_LOOPBACK, 6, b"\0" * 8, ethertype) + l3
    if linktype == "LINUX_SLL2":
        return struct.pack(">HHIHBB8s", ethertype, 0, 1, ARPHRD_LOOPBACK, pkttype, 6, b"\0" * 8) + l3
    raise ValueError("unknown link type %s" % linktype)


class PcapWriter:
    """Classic pcap, microsecond timestamps, little-endian."""

    def __init__(self, f, linktype, snaplen=DEFAULT_SNAPLEN):
        self.f, self.snaplen, self.count = f, snaplen, 0
        f.write(struct.pack("<IHHiIII", PCAP_MAGIC_US, 2, 4, 0, 0, snaplen, LINKTYPE[linktype]))

    def write(self, ts_us, frame):
        """Write one packet, cut to the snaplen like a capture would."""
        cap = frame[:self.snaplen]
        self.f.write(struct.pack("<IIII", ts_us // 1000000, ts_us % 1000000, len(cap), len(frame)))
        self.f.write(cap)
        self.count += 1


def _pad4(b):
    return b + b"\0" * (-len(b) % 4)


def _block(btype, body):
    total = 12 + len(body)
    return struct.pack("<II", btype, total) + body + struct.pack("<I", total)


class PcapngWriter:
    """pcapng: one section, one interface (microsecond resolution, the
    default), Enhanced Packet Blocks."""

    def __init__(self, f, linktype, snaplen=DEFAULT_SNAPLEN):
        self.f, self.snaplen, self.count = f, snaplen, 0
        f.write(_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        f.write(_block(0x00000001, struct.pack("<HHI", LINKTYPE[linktype], 0, snaplen)))

    def write(self, ts_us, frame):
        cap = frame[:self.snaplen]
        body = struct.pack("<IIIII", 0, ts_us >> 32, ts_us & 0xFFFFFFFF, len(cap), len(frame))
        self.f.write(_block(0x00000006, body + _pad4(cap)))
        self.count += 1


def writer(f, fmt, linktype, snaplen=DEFAULT_SNAPLEN):
    return (PcapngWriter if fmt == "pcapng" else PcapWriter)(f, linktype, snaplen)
