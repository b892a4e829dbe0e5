"""riotoasterd serving the serial-port profile with its simulated Hayes
modem (brief sections 6-7, docs/PROTOCOL.md sections 12-13), end to end
over real sockets: line settings, READ timeouts, WAIT_ON_MASK, PURGE,
QUEUEOVERRUN, the AT dialogue, DTR, reset on CLOSE and disconnect,
exclusive access, a farm of modems and a daemon serving toasters and a
modem together.

Nothing on the simulated remote side acts by itself, so the only device
event a client can wait for is one its own earlier request set off on the
clock: the +++ escape, whose "OK" comes RIO_MODEM_GUARD_MS after the third
`+`.  No elapsed time is asserted: which timeout ended a READ shows in the
bytes it returns (the device takes its deadlines in order, RIO-DEV-010).
"""
import select
import struct

from pyrio.codec import pack_request
from test_server_support import *  # noqa: F401,F403

GUARD_MS = DEFS.MODEM_GUARD_MS
SANITY_S = 10 + GUARD_MS / 1000  # bounds every wait for a pending answer
OK, ERROR = framed(DEFS.MODEM_OK), framed(DEFS.MODEM_ERROR)
CONNECT = framed("%s %d" % (DEFS.MODEM_CONNECT, DEFS.SERIAL_BAUD_DEFAULT))
ESCAPE = bytes([DEFS.MODEM_ESCAPE_CHAR]) * DEFS.MODEM_ESCAPE_COUNT
MSR_READY = DEFS.SERIAL_MSR_CTS | DEFS.SERIAL_MSR_DSR


def modem(toasterd, **kw):
    """A daemon serving one modem, serial 1."""
    return toasterd(serials=0, modems=1, **kw)


def online(p):
    """DTR up, ATD: the modem online.  Then a server-side wait of the guard
    time so a +++ may follow."""
    p.dtr()
    assert p.at("ATD5551234") == b"ATD5551234\r" + CONNECT
    assert p.server_wait(GUARD_MS + 100) == b""


def escape(p):
    """Online: +++ (echoed by the remote end) and, a guard time later, OK."""
    p.write(ESCAPE)
    assert p.read() == ESCAPE
    p.set_timeouts(0, 0, 0)  # all zero: READ waits for exactly what it asks
    assert p.read(len(OK), timeout=SANITY_S) == OK
    p.set_timeouts(DEFS.SERIAL_TIMEOUT_MAXDWORD)


# ---- line settings --------------------------------------------------------------


def test_line_settings_round_trip(toasterd):
    d = modem(toasterd)
    p = serial_opened(d)
    assert p.baud() == DEFS.SERIAL_BAUD_DEFAULT
    for rate in (DEFS.SERIAL_BAUD_300, DEFS.SERIAL_BAUD_115200, DEFS.SERIAL_BAUD_2400):
        ok(p.set_u32(DEFS.IOCTL_SERIAL_SET_BAUD_RATE, rate))
        assert p.baud() == rate
    expect(p.set_u32(DEFS.IOCTL_SERIAL_SET_BAUD_RATE, 1234), DEFS.STATUS_INVALID_PARAMETER)
    assert p.baud() == DEFS.SERIAL_BAUD_2400
    assert p.line_control() == bytes([DEFS.SERIAL_STOP_BITS_1, DEFS.SERIAL_PARITY_NONE, DEFS.SERIAL_WORD_LENGTH_DEFAULT])
    seven_e_two = bytes([DEFS.SERIAL_STOP_BITS_2, DEFS.SERIAL_PARITY_EVEN, 7])
    ok(p.ioctl(DEFS.IOCTL_SERIAL_SET_LINE_CONTROL, seven_e_two))
    assert p.line_control() == seven_e_two
    expect(p.ioctl(DEFS.IOCTL_SERIAL_SET_LINE_CONTROL, bytes([0, 0, DEFS.SERIAL_WORD_LENGTH_MAX + 1])),
           DEFS.STATUS_INVALID_PARAMETER)
    assert p.line_control() == seven_e_two
    assert p.timeouts() == (DEFS.SERIAL_TIMEOUT_MAXDWORD, 0, 0, 0, 0)
    p.set_timeouts(1, 2, 3, 4, 5)
    assert p.timeouts() == (1, 2, 3, 4, 5)
    expect(p.ioctl(DEFS.IOCTL_SERIAL_SET_TIMEOUTS, b"\0" * 19), DEFS.STATUS_INVALID_PARAMETER)
    expect(p.ioctl(DEFS.IOCTL_SERIAL_GET_TIMEOUTS, out=DEFS.SERIAL_TIMEOUTS_SIZE - 1), DEFS.STATUS_BUFFER_TOO_SMALL)
    expect(p.ioctl(0x001B0030), DEFS.STATUS_INVALID_DEVICE_REQUEST)  # SET_RTS: not in the profile
    expect(p.ioctl(DEFS.IOCTL_TOASTER_GET_INFO, out=DEFS.TOASTER_INFO_SIZE), DEFS.STATUS_INVALID_DEVICE_REQUEST)


# ---- DTR, WRITE, the AT dialogue ---------------------------------------------------


def test_write_with_dtr_clear_is_refused(toasterd):
    d = modem(toasterd)
    p = serial_opened(d)
    assert p.modem_status() == 0
    expect(p.c.write(b"AT\r"), DEFS.STATUS_INVALID_DEVICE_STATE)
    assert p.read() == b""  # nothing reached the modem
    p.dtr()
    assert p.modem_status() == MSR_READY
    assert p.at("AT") == b"AT\r" + OK


def test_at_dialogue(toasterd):
    """ATI, ATD -> CONNECT 9600, the remote end's echo online, the +++
    escape with the call kept, ATO back online, ATH, and NO CARRIER when
    CLR_DTR drops an online call."""
    d = modem(toasterd)
    p = serial_opened(d)
    p.dtr()
    assert p.at("ATI") == b"ATI\r" + framed(DEFS.MODEM_ID) + OK
    assert p.at("AT+NONSENSE") == b"AT+NONSENSE\r" + ERROR
    online(p)
    assert p.modem_status() == MSR_READY | DEFS.SERIAL_MSR_DCD
    p.write(b"hello\r\nremote")  # online: data, echoed by the remote end
    assert p.read() == b"hello\r\nremote"
    assert p.server_wait(GUARD_MS + 100) == b""
    escape(p)
    assert p.modem_status() & DEFS.SERIAL_MSR_DCD  # command mode, the call still up
    assert p.at("ATO") == b"ATO\r" + CONNECT
    assert p.server_wait(GUARD_MS + 100) == b""
    escape(p)
    assert p.at("ATH") == b"ATH\r" + OK
    assert p.modem_status() == MSR_READY
    online(p)
    p.dtr(False)  # hang-up from online mode
    assert p.read() == framed(DEFS.MODEM_NO_CARRIER)
    assert p.modem_status() == 0


def test_echo_off_and_commands_over_several_writes(toasterd):
    d = modem(toasterd)
    p = serial_opened(d)
    p.dtr()
    assert p.at("ATE0") == b"ATE0\r" + OK
    p.write(b"A")
    p.write(b"T\n")
    p.write(b"I\r")
    assert p.read() == framed(DEFS.MODEM_ID) + OK


# ---- the receive queue: READ timeouts, PURGE, QUEUEOVERRUN -------------------------


def test_read_returns_at_once_by_default(toasterd):
    d = modem(toasterd)
    p = serial_opened(d)
    assert p.read(100) == b""
    p.dtr()
    p.write(b"AT\r")
    assert p.read(2) == b"AT"  # FIFO, up to OutputLength
    assert p.read(100) == b"\r" + OK


def test_read_total_timeout_answers_what_came(toasterd):
    """Nothing comes: the total timeout answers with 0 bytes."""
    d = modem(toasterd)
    p = serial_opened(d)
    p.set_timeouts(0, 1, 200)  # 1 ms per byte asked + 200 ms
    assert p.read(100, timeout=SANITY_S) == b""


def test_read_interval_timeout_ends_before_a_later_event(toasterd):
    """+++ is echoed at once and the OK comes a guard time later: a READ
    with an interval timeout (running from its start, as it took queued
    bytes) returns the echo alone; a READ whose timeouts are all 0 waits
    for the OK, however long that takes."""
    d = modem(toasterd)
    p = serial_opened(d)
    online(p)
    p.write(ESCAPE)
    p.set_timeouts(100, 0, 0)
    assert p.read(100, timeout=SANITY_S) == ESCAPE
    p.set_timeouts(0, 0, 0)
    assert p.read(len(OK), timeout=SANITY_S) == OK


def test_read_total_timeout_keeps_what_arrived(toasterd):
    """A READ pending when the OK arrives takes it straight away and ends by
    its total timeout with it (not by the interval, which is off)."""
    d = modem(toasterd)
    p = serial_opened(d)
    online(p)
    p.write(ESCAPE)
    assert p.read() == ESCAPE
    p.set_timeouts(0, 0, GUARD_MS + 500)
    assert p.read(100, timeout=SANITY_S) == OK


def test_purge_rxclear_empties_the_queue(toasterd):
    d = modem(toasterd)
    p = serial_opened(d)
    p.dtr()
    p.write(b"ATI\r")
    queued = len(b"ATI\r" + framed(DEFS.MODEM_ID) + OK)
    assert p.commstatus()["in_queue"] == queued
    expect(p.purge(0), DEFS.STATUS_INVALID_PARAMETER)
    expect(p.purge(0x10), DEFS.STATUS_INVALID_PARAMETER)
    ok(p.purge(DEFS.SERIAL_PURGE_TXABORT | DEFS.SERIAL_PURGE_TXCLEAR | DEFS.SERIAL_PURGE_RXABORT))
    assert p.commstatus()["in_queue"] == queued  # only RXCLEAR touches the queue
    ok(p.purge(DEFS.SERIAL_PURGE_RXCLEAR))
    assert p.commstatus()["in_queue"] == 0
    assert p.read() == b""


def test_queue_overrun_reported_once(toasterd):
    """The echo of a long line overflows the 4096-byte queue: the newest
    bytes are dropped, QUEUEOVERRUN is reported by the next GET_COMMSTATUS
    only, and the WRITE still accepted every byte."""
    d = modem(toasterd)
    p = serial_opened(d)
    p.dtr()
    size = DEFS.SERIAL_QUEUE_SIZE + 1000
    p.write(b"A" * size)
    st = p.commstatus()
    assert st["errors"] == DEFS.SERIAL_ERROR_QUEUEOVERRUN
    assert st["in_queue"] == DEFS.SERIAL_QUEUE_SIZE
    assert (st["hold"], st["out_queue"], st["tail"]) == (0, 0, b"\0\0\0\0")
    assert p.commstatus()["errors"] == 0
    assert p.read() == b"A" * DEFS.SERIAL_QUEUE_SIZE


# ---- events -----------------------------------------------------------------------


def test_wait_on_mask_pends_until_an_event(toasterd):
    """Collected events answer at once; with none, WAIT_ON_MASK pends (and
    the next request waits behind it) until the escape's OK enters the
    queue: RXCHAR."""
    d = modem(toasterd)
    p = serial_opened(d)
    expect(p.ioctl(DEFS.IOCTL_SERIAL_WAIT_ON_MASK, out=DEFS.SERIAL_U32_SIZE), DEFS.STATUS_INVALID_PARAMETER)
    p.wait_mask(DEFS.SERIAL_EV_RLSD | DEFS.SERIAL_EV_DSR | DEFS.SERIAL_EV_RXCHAR)
    assert p.get_u32(DEFS.IOCTL_SERIAL_GET_WAIT_MASK) == DEFS.SERIAL_EV_RLSD | DEFS.SERIAL_EV_DSR | DEFS.SERIAL_EV_RXCHAR
    online(p)
    assert p.wait_on_mask() == DEFS.SERIAL_EV_RLSD | DEFS.SERIAL_EV_DSR | DEFS.SERIAL_EV_RXCHAR
    p.write(ESCAPE)
    assert p.read() == ESCAPE
    p.wait_mask(DEFS.SERIAL_EV_RXCHAR)  # a new, empty collection
    seq = p.c.next_seq()
    p.c.send(pack_request(DEFS.MJ_DEVICE_CONTROL, seq, DEFS.IOCTL_SERIAL_WAIT_ON_MASK, DEFS.SERIAL_U32_SIZE) +
             pack_request(DEFS.MJ_DEVICE_CONTROL, seq + 1, DEFS.IOCTL_SERIAL_GET_BAUD_RATE, DEFS.SERIAL_U32_SIZE))
    p.c.seq += 1
    events = ok(p.c.recv_pdu(timeout=SANITY_S), 4, 4)
    assert events.seq == seq and struct.unpack("<I", events.data)[0] == DEFS.SERIAL_EV_RXCHAR
    assert ok(p.c.recv_pdu(), 4, 4).seq == seq + 1  # answered after the pending one
    assert p.read() == OK


def test_disconnect_while_pending_resets_the_modem(toasterd):
    d = modem(toasterd)
    p = serial_opened(d)
    p.dtr()
    ok(p.set_u32(DEFS.IOCTL_SERIAL_SET_BAUD_RATE, DEFS.SERIAL_BAUD_19200))
    p.wait_mask(DEFS.SERIAL_EV_RING)  # never occurs
    p.c.request(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_SERIAL_WAIT_ON_MASK, DEFS.SERIAL_U32_SIZE)
    assert not select.select([p.c.sock], [], [], 0.2)[0]  # pending: no answer
    p.c.close()
    q = serial_opened(d)  # the device was released at once, and reset
    assert q.baud() == DEFS.SERIAL_BAUD_DEFAULT
    assert q.modem_status() == 0
    assert q.get_u32(DEFS.IOCTL_SERIAL_GET_WAIT_MASK) == 0
    assert "peer disconnected with a request pending" in d.log()


# ---- session rules with modems ----------------------------------------------------


def test_close_resets_the_modem(toasterd):
    d = modem(toasterd)
    p = serial_opened(d)
    online(p)
    ok(p.set_u32(DEFS.IOCTL_SERIAL_SET_BAUD_RATE, DEFS.SERIAL_BAUD_57600))
    p.set_timeouts(5, 6, 7)
    p.wait_mask(DEFS.SERIAL_EV_RXCHAR)
    p.write(b"queued")
    ok(p.c.close_handle())
    assert_gone(p.c)
    q = serial_opened(d)
    assert q.baud() == DEFS.SERIAL_BAUD_DEFAULT
    assert q.timeouts() == (DEFS.SERIAL_TIMEOUT_MAXDWORD, 0, 0, 0, 0)
    assert q.modem_status() == 0  # DTR clear, no carrier
    assert q.get_u32(DEFS.IOCTL_SERIAL_GET_WAIT_MASK) == 0
    assert q.commstatus()["in_queue"] == 0
    q.dtr()
    assert q.at("AT") == b"AT\r" + OK  # command mode, echo on


def test_exclusive_access(toasterd):
    d = modem(toasterd)
    p = serial_opened(d)
    with connect(d) as other:
        expect(other.create(), DEFS.STATUS_SHARING_VIOLATION)
        assert_gone(other)
    p.dtr()
    assert p.at("AT") == b"AT\r" + OK


def test_farm_of_modems(toasterd):
    d = toasterd(farm=True, toasters=0, modems=2)
    assert "(farm, 2 modems)" in d.log()
    a, b = serial_opened(d), serial_opened(d)
    with connect(d) as third:
        expect(third.create(), DEFS.STATUS_DEVICE_BUSY)
        assert_gone(third)
    for p in (a, b):
        p.dtr()
        assert p.at("ATI") == b"ATI\r" + framed(DEFS.MODEM_ID) + OK
    ok(a.set_u32(DEFS.IOCTL_SERIAL_SET_BAUD_RATE, DEFS.SERIAL_BAUD_300))
    assert b.baud() == DEFS.SERIAL_BAUD_DEFAULT  # two devices
    ok(a.c.close_handle())
    assert_gone(a.c)
    c = serial_opened(d)  # the released modem, reset
    assert c.baud() == DEFS.SERIAL_BAUD_DEFAULT


def test_mixed_daemon_toasters_and_a_modem(toasterd):
    """Toasters 1-2 and a modem on 3, one daemon; each port is its device."""
    d = toasterd(serials=2, modems=1, args=["--listen", "127.0.0.1"])
    assert "listening on 127.0.0.1:%d (serial 3, modem)" % d.port(3) in d.log()
    assert "listening on 127.0.0.1:%d (serial 2)" % d.port(2) in d.log()
    t = opened(d, 2)
    p = serial_opened(d, 3)
    assert info(t)["serial"] == 2
    expect(t.ioctl(DEFS.IOCTL_SERIAL_GET_BAUD_RATE, output_length=DEFS.SERIAL_U32_SIZE),
           DEFS.STATUS_INVALID_DEVICE_REQUEST)
    expect(p.ioctl(DEFS.IOCTL_TOASTER_GET_STATUS, out=DEFS.TOASTER_STATUS_SIZE), DEFS.STATUS_INVALID_DEVICE_REQUEST)
    load_ready(t, b"toast")
    p.dtr()
    p.write(b"AT\r")
    assert ok(t.read(100), 5, 5).data == b"toast"
    assert p.read() == b"AT\r" + OK
    assert "CREATE granted 127.0.0.1:" in d.log() and "serial 3 (modem)" in d.log()
    t.close()
    p.c.close()
