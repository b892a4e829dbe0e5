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
from pyrio.modemmodel import ESCAPE, QUIET_READ_MS, U32, framed, timeouts_input
from pyrio.riodefs import name_of
from pyrio.toaster import darkness_input

ACK_DEADLINE_S = 5.0
LARGE_WRITE = 1000000
LARGE_CHUNK = 16384
HEADER_PIECES = (5, 11, 8)       # sums to the 24-byte fixed header
SHORT_READ_MS = 200              # READ timeouts far from the +++ guard time


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


# ---- the modem (library.MODEM): every wait is the server's ----------------------

def modem_expect(outcome, data, what):
    """A successful answer carrying exactly `data`."""
    pdu = expect_status(outcome, DEFS.STATUS_SUCCESS, what)
    if pdu.data != data:
        raise ClientError("%s: got %r, wanted %r" % (what, pdu.data, data))
    return pdu


def modem_ioctl(conn, code, data=b"", output_length=0, want=b""):
    return modem_expect(conn.ioctl(code, data, output_length), want, name_of("IOCTL", code))


def modem_write(conn, data):
    pdu = expect_status(conn.write(data), DEFS.STATUS_SUCCESS, "WRITE %r" % data[:16])
    if pdu.information != len(data):
        raise ClientError("WRITE took %d of %d bytes" % (pdu.information, len(data)))


def modem_dial(conn):
    """CREATE, SET_DTR, a dial answered CONNECT (READ at once: the initial timeouts)."""
    expect_status(conn.create(), DEFS.STATUS_SUCCESS, "CREATE")
    modem_ioctl(conn, DEFS.IOCTL_SERIAL_SET_DTR)
    modem_write(conn, b"ATD5551234\r")
    modem_expect(conn.read(64), b"ATD5551234\r" + framed("%s %d" % (DEFS.MODEM_CONNECT, DEFS.SERIAL_BAUD_DEFAULT)),
                 "dial")


def modem_quiet(conn):
    """A READ on an empty queue that pends past the +++ guard time."""
    modem_ioctl(conn, DEFS.IOCTL_SERIAL_SET_TIMEOUTS, timeouts_input(interval=0, constant=QUIET_READ_MS))
    modem_expect(conn.read(16), b"", "quiet READ")


def modem_hang_up(conn):
    modem_write(conn, b"ATH\r")
    modem_expect(conn.read(64), b"ATH\r" + framed(DEFS.MODEM_OK), "ATH")


def modem_wait(ctx):
    events = DEFS.SERIAL_EV_RXCHAR | DEFS.SERIAL_EV_RLSD
    with Conn(ctx.host, ctx.port) as conn:
        modem_dial(conn)
        modem_quiet(conn)
        modem_write(conn, ESCAPE)
        # a new collection after the +++ echo: only the escape's OK can answer the WAIT
        modem_ioctl(conn, DEFS.IOCTL_SERIAL_SET_WAIT_MASK, U32.pack(events))
        modem_ioctl(conn, DEFS.IOCTL_SERIAL_WAIT_ON_MASK, output_length=4, want=U32.pack(DEFS.SERIAL_EV_RXCHAR))
        modem_ioctl(conn, DEFS.IOCTL_SERIAL_SET_TIMEOUTS, timeouts_input())
        modem_expect(conn.read(64), ESCAPE + framed(DEFS.MODEM_OK), "escape")
        modem_hang_up(conn)
        modem_ioctl(conn, DEFS.IOCTL_SERIAL_WAIT_ON_MASK, output_length=4, want=U32.pack(events))
        modem_ioctl(conn, DEFS.IOCTL_SERIAL_CLR_DTR)
        close(conn)


def modem_read_timeouts(ctx):
    ati = b"ATI\r" + framed(DEFS.MODEM_ID) + framed(DEFS.MODEM_OK)
    with Conn(ctx.host, ctx.port) as conn:
        expect_status(conn.create(), DEFS.STATUS_SUCCESS, "CREATE")
        modem_ioctl(conn, DEFS.IOCTL_SERIAL_SET_DTR)
        # total timeout only: the READ takes what is queued and waits it out
        modem_ioctl(conn, DEFS.IOCTL_SERIAL_SET_TIMEOUTS, timeouts_input(interval=0, constant=SHORT_READ_MS))
        modem_write(conn, b"ATI\r")
        modem_expect(conn.read(64), ati, "READ, total timeout")
        # interval timeout only: from the READ's start, as it took queued bytes
        modem_ioctl(conn, DEFS.IOCTL_SERIAL_SET_TIMEOUTS, timeouts_input(interval=SHORT_READ_MS))
        modem_write(conn, b"AT\r")
        modem_expect(conn.read(64), b"AT\r" + framed(DEFS.MODEM_OK), "READ, interval timeout")
        # multiplier x OutputLength + constant on an empty queue
        modem_ioctl(conn, DEFS.IOCTL_SERIAL_SET_TIMEOUTS, timeouts_input(interval=0, multiplier=10, constant=100))
        modem_expect(conn.read(16), b"", "READ, total timeout, nothing queued")
        modem_ioctl(conn, DEFS.IOCTL_SERIAL_SET_TIMEOUTS, timeouts_input())
        modem_write(conn, b"ATD1\r")
        modem_expect(conn.read(64), b"ATD1\r" + framed("%s %d" % (DEFS.MODEM_CONNECT, DEFS.SERIAL_BAUD_DEFAULT)),
                     "dial")
        modem_quiet(conn)
        modem_write(conn, ESCAPE)
        modem_ioctl(conn, DEFS.IOCTL_SERIAL_SET_TIMEOUTS,
                    timeouts_input(interval=SHORT_READ_MS, constant=5 * DEFS.MODEM_GUARD_MS))
        modem_expect(conn.read(64), ESCAPE, "READ of the +++ echo, interval timeout")
        # pends on an empty queue (no interval before a byte) until the OK, then the interval ends it
        modem_expect(conn.read(64), framed(DEFS.MODEM_OK), "READ pending until the escape's OK")
        modem_ioctl(conn, DEFS.IOCTL_SERIAL_SET_TIMEOUTS, timeouts_input(interval=0))
        modem_write(conn, b"ATH\r")
        answer = b"ATH\r" + framed(DEFS.MODEM_OK)
        modem_expect(conn.read(len(answer)), answer, "READ of exactly what comes")
        close(conn)
