"""Scripted clients for the recorded captures: they decide how requests are
cut into TCP segments.

With TCP_NODELAY, each send() leaves as its own segment as long as the
previous bytes were acknowledged first, so between pieces the client waits
until the socket's send queue is empty (SIOCOUTQ == 0: everything sent was
ACKed) — a bounded poll, not a sleep.  Every client checks the answers it
gets, so a recording of a broken exchange fails loudly.
"""
import fcntl
import struct
import termios
import time

from pyrio import DEFS, pack_request
from pyrio.conn import PDU, CLOSED, Conn
from pyrio.toaster import darkness_input

ACK_DEADLINE_S = 5.0
LARGE_WRITE = 1000000
LARGE_CHUNK = 16384
HEADER_PIECES = (5, 11, 8)       # sums to the 24-byte fixed header


class ClientError(Exception):
    pass


def wait_acked(sock):
    """Until every byte sent on sock was acknowledged (SIOCOUTQ == 0)."""
    deadline = time.monotonic() + ACK_DEADLINE_S
    buf = bytearray(4)
    while True:
        fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, buf)   # TIOCOUTQ == SIOCOUTQ
        if struct.unpack("i", buf)[0] == 0:
            return
        if time.monotonic() > deadline:
            raise ClientError("bytes not acknowledged within %.0f s" % ACK_DEADLINE_S)
        time.sleep(0.0005)


def send_pieces(conn, data, sizes):
    """data in segments of the given sizes (the rest in one more)."""
    pos = 0
    for n in list(sizes) + [len(data)]:
        piece = data[pos:pos + n]
        if not piece:
            break
        conn.sock.sendall(piece)
        wait_acked(conn.sock)
        pos += len(piece)


def expect_status(outcome, status, what):
    if outcome.kind != PDU or outcome.pdu.status != status:
        raise ClientError("%s: wanted %s, got %s" % (what, status, outcome))
    return outcome.pdu


def expect_closed(conn, what):
    out = conn.wait_close()
    if out.kind != CLOSED:
        raise ClientError("%s: wanted the server to close, got %s" % (what, out))


def segmented(conn, pieces, major, ioctl=0, output_length=0, data=b""):
    """One request cut by `pieces` (None: one byte per segment); its answer."""
    raw = pack_request(major, conn.next_seq(), ioctl, output_length, data)
    send_pieces(conn, raw, [1] * len(raw) if pieces is None else pieces)
    return conn.recv_pdu()


def close(conn):
    expect_status(conn.close_handle(), DEFS.STATUS_SUCCESS, "CLOSE")
    expect_closed(conn, "after CLOSE")
    conn.close()


# ---- the clients (ctx: host, port) -------------------------------------------------

def exclusive(ctx):
    with Conn(ctx.host, ctx.port) as first, Conn(ctx.host, ctx.port) as second:
        expect_status(first.create(), DEFS.STATUS_SUCCESS, "first CREATE")
        expect_status(second.create(), DEFS.STATUS_SHARING_VIOLATION, "second CREATE")
        expect_closed(second, "after SHARING_VIOLATION")
        expect_status(first.ioctl(DEFS.IOCTL_TOASTER_GET_STATUS, output_length=DEFS.TOASTER_STATUS_SIZE),
                      DEFS.STATUS_SUCCESS, "GET_STATUS")
        close(first)


def farm(ctx):
    with Conn(ctx.host, ctx.port) as a, Conn(ctx.host, ctx.port) as b, Conn(ctx.host, ctx.port) as c:
        for conn in (a, b):
            expect_status(conn.create(), DEFS.STATUS_SUCCESS, "farm CREATE")
            expect_status(conn.ioctl(DEFS.IOCTL_TOASTER_GET_INFO, output_length=DEFS.TOASTER_INFO_SIZE),
                          DEFS.STATUS_SUCCESS, "GET_INFO")
        expect_status(c.create(), DEFS.STATUS_DEVICE_BUSY, "third farm CREATE")
        expect_closed(c, "after DEVICE_BUSY")
        close(a)
        close(b)


def toast_cycle(conn, pieces):
    """CREATE, SET_DARKNESS, WRITE, START, READ (pends while toasting),
    GET_STATUS, CLOSE — every request cut by `pieces`."""
    load = b"recorded-bread!!" * 2
    expect_status(segmented(conn, pieces, DEFS.MJ_CREATE), DEFS.STATUS_SUCCESS, "CREATE")
    expect_status(segmented(conn, pieces, DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_SET_DARKNESS,
                            data=darkness_input(3)), DEFS.STATUS_SUCCESS, "SET_DARKNESS")
    expect_status(segmented(conn, pieces, DEFS.MJ_WRITE, data=load), DEFS.STATUS_SUCCESS, "WRITE")
    expect_status(segmented(conn, pieces, DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_START),
                  DEFS.STATUS_SUCCESS, "START")
    toast = expect_status(segmented(conn, pieces, DEFS.MJ_READ, output_length=len(load)),
                          DEFS.STATUS_SUCCESS, "READ")
    if toast.data != load:
        raise ClientError("READ returned %r, wanted %r" % (toast.data, load))
    expect_status(segmented(conn, pieces, DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_STATUS,
                            DEFS.TOASTER_STATUS_SIZE), DEFS.STATUS_SUCCESS, "GET_STATUS")
    expect_status(segmented(conn, pieces, DEFS.MJ_CLOSE), DEFS.STATUS_SUCCESS, "CLOSE")
    expect_closed(conn, "after CLOSE")


def split_headers(ctx):
    with Conn(ctx.host, ctx.port) as conn:
        toast_cycle(conn, HEADER_PIECES)


def byte_at_a_time(ctx):
    with Conn(ctx.host, ctx.port) as conn:
        toast_cycle(conn, None)


def pipelined(ctx):
    with Conn(ctx.host, ctx.port) as conn:
        raws = [pack_request(DEFS.MJ_CREATE, conn.next_seq()),
                pack_request(DEFS.MJ_DEVICE_CONTROL, conn.next_seq(), DEFS.IOCTL_TOASTER_GET_INFO,
                             DEFS.TOASTER_INFO_SIZE),
                pack_request(DEFS.MJ_DEVICE_CONTROL, conn.next_seq(), DEFS.IOCTL_TOASTER_GET_STATUS,
                             DEFS.TOASTER_STATUS_SIZE)]
        conn.sock.sendall(b"".join(raws))
        for what in ("CREATE", "GET_INFO", "GET_STATUS"):
            expect_status(conn.recv_pdu(), DEFS.STATUS_SUCCESS, "pipelined " + what)
        close(conn)


def large_write(ctx):
    with Conn(ctx.host, ctx.port) as conn:
        expect_status(conn.create(), DEFS.STATUS_SUCCESS, "CREATE")
        data = bytes(range(251)) * (LARGE_WRITE // 251) + bytes(LARGE_WRITE % 251)
        raw = pack_request(DEFS.MJ_WRITE, conn.next_seq(), data=data)
        send_pieces(conn, raw, [LARGE_CHUNK] * (len(raw) // LARGE_CHUNK))
        answer = expect_status(conn.recv_pdu(), DEFS.STATUS_SUCCESS, "large WRITE")
        if answer.information != DEFS.TOASTER_MAX_LOAD_BYTES:
            raise ClientError("large WRITE accepted %d bytes" % answer.information)
        close(conn)
