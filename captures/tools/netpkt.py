"""IPv4, IPv6 and TCP packets built with struct, checksums included.

Kept minimal and fast: the bulk generator builds hundreds of thousands of
segments with these functions.
"""
import array
import ipaddress
import struct
import sys

PROTO_TCP = 6
PROTO_HOPOPT = 0              # IPv6 hop-by-hop options header

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

# IPv4 option used by the "IPv4 with options" capture: Router Alert (RFC 2113).
IPV4_OPT_ROUTER_ALERT = b"\x94\x04\x00\x00"
# IPv6 hop-by-hop header body: Router Alert option (RFC 2711) + PadN to 8 bytes.
IPV6_HBH_ROUTER_ALERT = b"\x05\x02\x00\x00\x01\x00"


def checksum(data):
    """Internet checksum (RFC 1071), summing 16-bit words in C via array."""
    if len(data) % 2:
        data += b"\0"
    words = array.array("H", data)
    total = sum(words)
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    if sys.byteorder == "little":
        total = ((total & 0xFF) << 8) | (total >> 8)
    return ~total & 0xFFFF


def addr_bytes(addr):
    return ipaddress.ip_address(addr).packed


def tcp_segment(src, dst, sport, dport, seq, ack, flags, payload, window=65535, options=b""):
    """TCP header + payload; src/dst are packed addresses (for the checksum)."""
    offset = (20 + len(options)) // 4
    hdr = struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      offset << 4, flags, window, 0, 0) + options
    seg = hdr + payload
    pseudo = src + dst + (struct.pack(">BBH", 0, PROTO_TCP, len(seg)) if len(src) == 4
                          else struct.pack(">IxxxB", len(seg), PROTO_TCP))
    csum = checksum(pseudo + seg)
    return seg[:16] + struct.pack(">H", csum) + seg[18:]


def ipv4(src, dst, payload, ident, options=b"", proto=PROTO_TCP, ttl=64):
    ihl = (20 + len(options)) // 4
    hdr = struct.pack(">BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(payload), ident & 0xFFFF,
                      0x4000, ttl, proto, 0, src, dst) + options
    return hdr[:10] + struct.pack(">H", checksum(hdr)) + hdr[12:] + payload


def ipv6(src, dst, payload, hop_by_hop=None, proto=PROTO_TCP, hlim=64):
    """IPv6 packet; hop_by_hop is the option bytes of a hop-by-hop header
    (6 bytes, so the header is 8), or None for none."""
    if hop_by_hop is not None:
        payload = struct.pack(">BB", proto, 0) + hop_by_hop + payload
        proto = PROTO_HOPOPT
    return struct.pack(">IHBB16s16s", 0x60000000, len(payload), proto, hlim, src, dst) + payload
