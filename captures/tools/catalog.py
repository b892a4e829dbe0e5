"""The crafted captures: one function per file, each building a Capture.

Everything is fixed (ports, ISNs, timestamps, data), so every run writes the
same bytes.  Protocol numbers come from DEFS; the toaster model supplies a
correct server's answers.
"""
from pyrio import DEFS
from pyrio.toaster import darkness_input as darkness

from . import netpkt, pcapio
from .capture import Capture

UNKNOWN_MAJOR = 0x07                      # not in rio.h's MAJOR table (checked below)
UNKNOWN_IOCTL_FUNCTION = 0x8FF            # not in rio.h's IOCTL table (checked below)
QINQ_TAGS = [(pcapio.ETHERTYPE_QINQ, 200), (pcapio.ETHERTYPE_VLAN, 100)]
VLAN_TAGS = [(pcapio.ETHERTYPE_VLAN, 100)]

FLUSH_BUFFERS = 0x09                      # IRP_MJ_FLUSH_BUFFERS: valid on the wire, unknown to RIO
FALSE_SIGNATURE = b"RIOQ" + b"xyzw"       # "RIOQ" in data; HeaderLength 0x777A is out of range

assert UNKNOWN_MAJOR not in DEFS.tables["MAJOR"]
assert FLUSH_BUFFERS not in DEFS.tables["MAJOR"]


def unknown_ioctl():
    code = (DEFS.FILE_DEVICE_UNKNOWN << 16) | (UNKNOWN_IOCTL_FUNCTION << 2) | DEFS.METHOD_BUFFERED
    assert code not in DEFS.tables["IOCTL"]
    return code


def bread(n, salt=0):
    """n bytes of printable 'bread' (never contains a RIO signature)."""
    text = b"".join(b"slice-%05d;" % (i + salt) for i in range(n // 11 + 1))
    return text[:n]


# ---- the sessions carried by several captures ------------------------------

def small_session(c):
    """CREATE, GET_INFO, WRITE, START, READ, CLOSE: every PDU kind once."""
    c.open()
    c.transact(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_INFO, DEFS.TOASTER_INFO_SIZE)
    c.transact(DEFS.MJ_WRITE, data=bread(64))
    c.transact(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_START)
    c.transact(DEFS.MJ_READ, output_length=128)
    c.transact(DEFS.MJ_CLOSE)


def full_session(c):
    """Every operation and the usual client mistakes, in one connection."""
    c.handshake()
    c.transact(DEFS.MJ_READ, output_length=16)                     # INVALID_HANDLE
    c.transact(DEFS.MJ_CREATE)
    c.transact(DEFS.MJ_CREATE)                                     # INVALID_DEVICE_STATE
    c.transact(UNKNOWN_MAJOR)                                      # INVALID_DEVICE_REQUEST
    c.transact(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_INFO, DEFS.TOASTER_INFO_SIZE)
    c.transact(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_INFO, 10)  # BUFFER_TOO_SMALL
    c.transact(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_STATUS, 64, extra=b"\0" * 8)  # HeaderLength 32
    c.transact(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_SET_DARKNESS, data=darkness(11))  # INVALID_PARAMETER
    c.transact(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_SET_DARKNESS, data=darkness(7))
    c.transact(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_START)   # nothing loaded: INVALID_DEVICE_STATE
    c.transact(DEFS.MJ_DEVICE_CONTROL, unknown_ioctl())            # INVALID_DEVICE_REQUEST
    c.transact(DEFS.MJ_WRITE, data=bread(3000))
    c.transact(DEFS.MJ_WRITE, data=bread(2000, 300))               # only 1096 accepted
    c.transact(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_START)
    c.transact(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_STATUS, DEFS.TOASTER_STATUS_SIZE)
    c.transact(DEFS.MJ_READ, output_length=1000)
    c.transact(DEFS.MJ_WRITE, data=bread(100, 900))
    c.transact(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_EJECT)
    c.transact(DEFS.MJ_CLEANUP)
    c.transact(DEFS.MJ_READ, output_length=DEFS.TOASTER_MAX_LOAD_BYTES * 2)
    c.transact(DEFS.MJ_READ, output_length=64)                     # nothing left: 0 bytes
    c.transact(DEFS.MJ_CLOSE)


# ---- captures --------------------------------------------------------------

CRAFTED = {}          # file name -> (function filling a Capture, description, Capture options)


def crafted(name, description, **options):
    def register(fn):
        CRAFTED[name] = (fn, description, options)
        return fn
    return register


@crafted("toaster-session.pcap", "full toaster session: every operation, the usual errors, "
         "a request with HeaderLength 32, multi-segment WRITEs")
def toaster_session(cap):
    full_session(cap.conversation(40001))


@crafted("session-pcapng.pcapng", "small session written as pcapng", fmt="pcapng")
def session_pcapng(cap):
    small_session(cap.conversation(40002))


@crafted("split-header-ooo.pcap", "a request header split in three segments that arrive "
         "out of order (first, third, second)")
def split_header_ooo(cap):
    c = cap.conversation(40003)
    c.open()
    (a, b, third), _ = c.transact(DEFS.MJ_WRITE, data=bread(16), split=[8, 8, 24])
    cap.move_after(b, third)
    c.transact(DEFS.MJ_CLOSE)


@crafted("retransmission.pcap", "an exact retransmission of a request segment, and an "
         "overlapping retransmission of response bytes with one byte changed (first data wins)")
def retransmission(cap):
    c = cap.conversation(40004)
    c.open()
    (write,), _ = c.transact(DEFS.MJ_WRITE, data=bread(64))
    cap.retransmit(write, after=write)
    c.transact(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_START)
    _, (read,) = c.transact(DEFS.MJ_READ, output_length=64)
    cap.overlap(read, after=read, start=40, length=30, flip_at=5)
    c.transact(DEFS.MJ_CLOSE)


@crafted("vlan.pcap", "small session behind an 802.1Q VLAN tag (VID 100)", vlans=VLAN_TAGS)
def vlan(cap):
    small_session(cap.conversation(40005))


@crafted("qinq.pcap", "small session behind stacked QinQ tags (802.1ad VID 200, 802.1Q VID 100)",
         vlans=QINQ_TAGS)
def qinq(cap):
    small_session(cap.conversation(40006))


@crafted("midstream-boundary.pcap", "capture starts mid-connection (no handshake) at a PDU "
         "boundary in both directions")
def midstream_boundary(cap):
    c = cap.conversation(40007)
    c.open()
    (first,), _ = c.transact(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_INFO, DEFS.TOASTER_INFO_SIZE)
    c.transact(DEFS.MJ_WRITE, data=bread(64))
    c.transact(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_START)
    c.transact(DEFS.MJ_READ, output_length=128)
    c.transact(DEFS.MJ_CLOSE)
    cap.start_at(first)


@crafted("midstream-inside.pcap", "capture starts mid-connection 10 bytes into a WRITE request "
         "(its 78 remaining bytes are skipped); responses start at a boundary")
def midstream_inside(cap):
    c = cap.conversation(40008)
    c.open()
    (_, rest), _ = c.transact(DEFS.MJ_WRITE, data=bread(64), split=[10])
    c.transact(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_START)
    c.transact(DEFS.MJ_READ, output_length=128)
    c.transact(DEFS.MJ_CLOSE)
    cap.start_at(rest)


@crafted("midstream-resync.pcap", "capture starts 10 bytes into a WRITE whose data holds a false "
         "\"RIOQ\" (HeaderLength out of range); the next request has MajorFunction 0x09, unknown "
         "to RIO but valid on the wire: resync finds it (signature + HeaderLength rule)")
def midstream_resync(cap):
    c = cap.conversation(40011)
    c.open()
    (_, rest), _ = c.transact(DEFS.MJ_WRITE, data=bread(30) + FALSE_SIGNATURE + bread(26, 7), split=[10])
    c.transact(FLUSH_BUFFERS)                                      # INVALID_DEVICE_REQUEST
    c.transact(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_STATUS, DEFS.TOASTER_STATUS_SIZE)
    c.transact(DEFS.MJ_CLOSE)
    cap.start_at(rest)


@crafted("seq-wrap.pcap", "TCP sequence numbers of both directions wrap past 2^32 inside a PDU")
def seq_wrap(cap):
    c = cap.conversation(40009, isn_client=2**32 - 30, isn_server=2**32 - 40)
    small_session(c)


@crafted("many-pdus.pcap", "a client pipelining 40 requests in one segment; the 40 answers "
         "come back in one segment")
def many_pdus(cap):
    c = cap.conversation(40010)
    c.open()
    raws = []
    for i in range(10):
        raws.append(c.build(DEFS.MJ_WRITE, data=bread(8, i)))
        raws.append(c.build(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_EJECT))
        raws.append(c.build(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_STATUS,
                            DEFS.TOASTER_STATUS_SIZE))
        raws.append(c.build(DEFS.MJ_READ, output_length=8))
    c.pipeline(raws)
    c.transact(DEFS.MJ_CLOSE)


@crafted("large-pdu.pcap", "a 1 MiB WRITE (the limit) in 1,448-byte segments; the toaster "
         "accepts 4096 bytes")
def large_pdu(cap):
    c = cap.conversation(40011)
    c.open()
    c.transact(DEFS.MJ_WRITE, data=bytes(range(256)) * (DEFS.DATA_MAX // 256), ack_every=2)
    c.transact(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_START)
    c.transact(DEFS.MJ_READ, output_length=DEFS.TOASTER_MAX_LOAD_BYTES)
    c.transact(DEFS.MJ_CLOSE)


@crafted("gap.pcap", "capture loss: the second segment of a 3000-byte WRITE was not captured "
         "(the server ACKs it); framing continues after the WRITE")
def gap(cap):
    c = cap.conversation(40012)
    c.open()
    (_, lost, _), _ = c.transact(DEFS.MJ_WRITE, data=bread(3000))
    cap.drop(lost)
    c.transact(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_STATUS, DEFS.TOASTER_STATUS_SIZE)
    c.transact(DEFS.MJ_CLOSE)


@crafted("snaplen.pcap", "captured with snaplen 96: every packet with more than 18 bytes of RIO "
         "data after a header is cut", snaplen=96)
def snaplen(cap):
    small_session(cap.conversation(40013))


@crafted("malformed.pcap", "five connections, each CREATE then one malformed request: bad "
         "signature, HeaderLength 23, Version 2, RequestDataLength and OutputLength over 1 MiB")
def malformed(cap):
    cases = [dict(major=DEFS.MJ_WRITE, data=bread(16), signature=b"RIOX"),
             dict(major=DEFS.MJ_WRITE, data=bread(16), header_length=DEFS.HEADER_LENGTH_MIN - 1),
             dict(major=DEFS.MJ_WRITE, data=bread(16), version=DEFS.VERSION + 1),
             dict(major=DEFS.MJ_WRITE, data=bread(32), data_length=DEFS.DATA_MAX + 1),
             dict(major=DEFS.MJ_READ, output_length=DEFS.DATA_MAX + 1)]
    for i, case in enumerate(cases):
        c = cap.conversation(40020 + i, isn_client=1000 * (i + 1), isn_server=50000 * (i + 1))
        c.open()
        c.transact(**case)


@crafted("exclusive.pcap", "exclusive access: a second connection's CREATE gets "
         "STATUS_SHARING_VIOLATION and is closed while the first holds the toaster")
def exclusive(cap):
    first = cap.conversation(40030, isn_client=7000, isn_server=8000)
    second = cap.conversation(40031, isn_client=9000, isn_server=10000)
    first.open()
    second.handshake()
    create = second.build(DEFS.MJ_CREATE)
    second.put_request(create)
    second.refuse(create, DEFS.STATUS_SHARING_VIOLATION)
    first.transact(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_STATUS, DEFS.TOASTER_STATUS_SIZE)
    first.transact(DEFS.MJ_CLOSE)


for _linktype, _name, _port in [("NULL", "link-null.pcap", 40050), ("LOOP", "link-loop.pcap", 40051),
                                ("RAW", "link-raw.pcap", 40052), ("LINUX_SLL", "link-sll.pcap", 40053),
                                ("LINUX_SLL2", "link-sll2.pcap", 40054)]:
    crafted(_name, "small session, link type %s" % _linktype, linktype=_linktype)(
        lambda cap, port=_port: small_session(cap.conversation(port)))


@crafted("ipv4-options.pcap", "small session, every IPv4 header carries a Router Alert option "
         "(IHL 6)")
def ipv4_options(cap):
    small_session(cap.conversation(40040, ip_options=netpkt.IPV4_OPT_ROUTER_ALERT))


@crafted("ipv6-hbh.pcap", "small session over IPv6 loopback, every packet with a hop-by-hop "
         "extension header before TCP")
def ipv6_hbh(cap):
    small_session(cap.conversation(40041, ipv6=True, hop_by_hop=netpkt.IPV6_HBH_ROUTER_ALERT))


def build(name):
    fn, description, options = CRAFTED[name]
    cap = Capture(name, description, **options)
    fn(cap)
    return cap


from . import catalog_modem  # noqa: E402,F401  (registers the modem captures, port 5000 + library.MODEM)
