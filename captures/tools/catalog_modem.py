"""The crafted modem captures: the serial-port profile (brief section 7,
docs/PROTOCOL.md section 13) with the simulated Hayes modem, on the
library's modem (library.MODEM, port 5000+MODEM).  Answers are those of
pyrio/modemmodel.py, which follows riotoasterd's choices.

Timing: every wait is the server's.  Silence before a +++ is a READ that
pends for its total timeout (longer than the guard time) on an empty
queue; the escape's OK after the guard time completes a pending READ or
WAIT_ON_MASK; no READ's answer depends on how late a timer fires.  So the
conversations replay PDU by PDU, as fast as the server answers, with the
same answers (captures/tests/test_capture_library.py does so against riotoasterd),
and the captures' timestamps show the pauses (the model's clock).
"""
from pyrio import DEFS
from pyrio.modemmodel import (ESCAPE, QUIET_READ_MS, ModemPort, framed, line_control_input, timeouts_input,
                              u32_input)

from . import library
from .catalog import crafted

D = DEFS
MODEM_PORT = D.BASE_PORT + library.MODEM
INTERVAL_MS = 100
SET_RTS = (D.FILE_DEVICE_SERIAL_PORT << 16) | (12 << 2) | D.METHOD_BUFFERED   # ntddser.h; not in the profile
ALL_LINE_EVENTS = D.SERIAL_EV_RXCHAR | D.SERIAL_EV_CTS | D.SERIAL_EV_DSR | D.SERIAL_EV_RLSD
READ_MAX = 256

assert SET_RTS not in D.tables["IOCTL"]

AT_ONCE = timeouts_input()                                   # the initial timeouts: READ answers at once
WAIT_ALL = timeouts_input(interval=0)                        # a READ pends until OutputLength bytes
GUARD = timeouts_input(interval=0, constant=QUIET_READ_MS)   # a READ on nothing lasts past the guard time
INTERVAL = timeouts_input(interval=INTERVAL_MS, constant=5 * D.MODEM_GUARD_MS)


def modem_conversation(cap, client_port):
    return cap.conversation(client_port, server_port=MODEM_PORT, model=ModemPort)


def ioctl(c, code, data=b"", output_length=0):
    return c.transact(D.MJ_DEVICE_CONTROL, code, output_length, data)


def get(c, code, size):
    return ioctl(c, code, output_length=size)


def write(c, data):
    return c.transact(D.MJ_WRITE, data=data)


def read(c, n=READ_MAX):
    return c.transact(D.MJ_READ, output_length=n)


def at(c, line):
    """A command line and one READ of the echo and answer (timeouts AT_ONCE:
    the modem answers while the WRITE is handled)."""
    write(c, line.encode() + b"\r")
    read(c)


def escape_read(c):
    """Quiet, +++, and a READ of exactly the echo and the OK: it pends
    until the guard time after the +++ has passed.  Leaves timeouts AT_ONCE."""
    silence(c)                                                         # total timeout: 0 bytes
    write(c, ESCAPE)
    ioctl(c, D.IOCTL_SERIAL_SET_TIMEOUTS, WAIT_ALL)
    read(c, len(ESCAPE + framed(D.MODEM_OK)))                          # "+++" at once, the OK 1 s later
    ioctl(c, D.IOCTL_SERIAL_SET_TIMEOUTS, AT_ONCE)


def silence(c):
    """A READ on an empty queue that pends past the guard time: no byte is
    written meanwhile, so a +++ may follow."""
    ioctl(c, D.IOCTL_SERIAL_SET_TIMEOUTS, GUARD)
    read(c, 16)


@crafted("modem-session.pcap", "modem session on a serial port: every serial IOCTL, the AT dialogue "
         "(AT, ATI, ATE0, ATE1, an unknown command, ATD, ATO, ATH, ATZ ending a call), online data echoed, "
         "three +++ escapes (READs pending until the OK, a WAIT_ON_MASK pending until RXCHAR), READ total "
         "and interval timeouts, QUEUEOVERRUN, PURGE, CLR_DTR hanging up (NO CARRIER)")
def modem_session(cap):
    c = modem_conversation(cap, 40060)
    c.open()
    # the port
    get(c, D.IOCTL_SERIAL_GET_BAUD_RATE, D.SERIAL_U32_SIZE)
    ioctl(c, D.IOCTL_SERIAL_SET_BAUD_RATE, u32_input(D.SERIAL_BAUD_19200))
    get(c, D.IOCTL_SERIAL_GET_LINE_CONTROL, D.SERIAL_LINE_CONTROL_SIZE)
    ioctl(c, D.IOCTL_SERIAL_SET_LINE_CONTROL,
          line_control_input(D.SERIAL_STOP_BITS_1, D.SERIAL_PARITY_EVEN, D.SERIAL_WORD_LENGTH_MAX - 1))
    get(c, D.IOCTL_SERIAL_GET_TIMEOUTS, D.SERIAL_TIMEOUTS_SIZE)
    ioctl(c, D.IOCTL_SERIAL_SET_TIMEOUTS, AT_ONCE)
    get(c, D.IOCTL_SERIAL_GET_MODEMSTATUS, D.SERIAL_U32_SIZE)           # 0: DTR clear
    ioctl(c, D.IOCTL_SERIAL_SET_WAIT_MASK, u32_input(ALL_LINE_EVENTS))
    get(c, D.IOCTL_SERIAL_GET_WAIT_MASK, D.SERIAL_U32_SIZE)
    ioctl(c, D.IOCTL_SERIAL_SET_DTR)
    get(c, D.IOCTL_SERIAL_WAIT_ON_MASK, D.SERIAL_U32_SIZE)             # DSR|CTS, at once
    get(c, D.IOCTL_SERIAL_GET_MODEMSTATUS, D.SERIAL_U32_SIZE)          # DSR|CTS
    # the AT dialogue
    for line in ("AT", "ATI", "ATE0", "ATX", "ATE1", "ATD5551234"):
        at(c, line)
    write(c, b"hello, modem\r\n")                                      # online: the far end echoes
    read(c)
    get(c, D.IOCTL_SERIAL_WAIT_ON_MASK, D.SERIAL_U32_SIZE)             # RXCHAR|RLSD, at once
    get(c, D.IOCTL_SERIAL_GET_COMMSTATUS, D.SERIAL_STATUS_SIZE)
    # escape 1: a READ pends for the escape's OK
    escape_read(c)
    at(c, "ATO")                                                       # back online
    # escape 2: WAIT_ON_MASK pends for the OK's RXCHAR
    silence(c)
    write(c, ESCAPE)
    ioctl(c, D.IOCTL_SERIAL_SET_WAIT_MASK, u32_input(D.SERIAL_EV_RXCHAR))   # a new collection
    get(c, D.IOCTL_SERIAL_WAIT_ON_MASK, D.SERIAL_U32_SIZE)
    ioctl(c, D.IOCTL_SERIAL_SET_TIMEOUTS, INTERVAL)
    read(c, READ_MAX)                                                  # the interval timeout ends it
    ioctl(c, D.IOCTL_SERIAL_SET_TIMEOUTS, AT_ONCE)
    at(c, "ATH")
    # a full receive queue
    at(c, "ATD1")
    write(c, bytes(range(256)) * (D.SERIAL_QUEUE_SIZE // 256 + 4))     # echo beyond 4,096 dropped
    get(c, D.IOCTL_SERIAL_GET_COMMSTATUS, D.SERIAL_STATUS_SIZE)        # QUEUEOVERRUN, reported once
    ioctl(c, D.IOCTL_SERIAL_PURGE, u32_input(D.SERIAL_PURGE_RXCLEAR | D.SERIAL_PURGE_TXCLEAR))
    get(c, D.IOCTL_SERIAL_GET_COMMSTATUS, D.SERIAL_STATUS_SIZE)
    # escape 3: ATZ ends the call (RLSD)
    escape_read(c)
    ioctl(c, D.IOCTL_SERIAL_SET_WAIT_MASK, u32_input(D.SERIAL_EV_RLSD))
    at(c, "ATZ")
    get(c, D.IOCTL_SERIAL_WAIT_ON_MASK, D.SERIAL_U32_SIZE)             # RLSD, at once
    at(c, "ATD2")
    ioctl(c, D.IOCTL_SERIAL_CLR_DTR)                                   # hangs up: NO CARRIER
    read(c)
    get(c, D.IOCTL_SERIAL_GET_MODEMSTATUS, D.SERIAL_U32_SIZE)
    c.transact(D.MJ_CLOSE)


@crafted("modem-errors.pcap", "the serial port's usual client mistakes: READ before CREATE, WRITE with "
         "DTR clear, outputs too small, bad baud rate, line control, timeouts size, wait mask and purge "
         "bits, WAIT_ON_MASK with mask 0, an ntddser.h IOCTL outside the profile, a toaster IOCTL, "
         "a larger output than needed, input to an IOCTL without one; AT lines answered ERROR")
def modem_errors(cap):
    c = modem_conversation(cap, 40061)
    c.handshake()
    read(c, 16)                                                        # INVALID_HANDLE
    c.transact(D.MJ_CREATE)
    write(c, b"AT\r")                                                  # DTR clear: INVALID_DEVICE_STATE
    get(c, D.IOCTL_SERIAL_GET_BAUD_RATE, 2)                            # BUFFER_TOO_SMALL
    ioctl(c, D.IOCTL_SERIAL_SET_BAUD_RATE, u32_input(12345))           # INVALID_PARAMETER ...
    ioctl(c, D.IOCTL_SERIAL_SET_BAUD_RATE, u32_input(D.SERIAL_BAUD_9600)[:2])
    ioctl(c, D.IOCTL_SERIAL_SET_LINE_CONTROL, line_control_input(0, 0, D.SERIAL_WORD_LENGTH_MAX + 1))
    ioctl(c, D.IOCTL_SERIAL_SET_LINE_CONTROL, line_control_input(D.SERIAL_STOP_BITS_2 + 1, 0, 8))
    ioctl(c, D.IOCTL_SERIAL_SET_TIMEOUTS, AT_ONCE[:16])
    ioctl(c, D.IOCTL_SERIAL_SET_WAIT_MASK, u32_input(D.SERIAL_EV_ALL + 1))
    get(c, D.IOCTL_SERIAL_WAIT_ON_MASK, D.SERIAL_U32_SIZE)             # mask 0
    get(c, D.IOCTL_SERIAL_WAIT_ON_MASK, 2)                             # BUFFER_TOO_SMALL
    ioctl(c, D.IOCTL_SERIAL_PURGE, u32_input(0))
    ioctl(c, D.IOCTL_SERIAL_PURGE, u32_input(D.SERIAL_PURGE_ALL + 1))
    get(c, D.IOCTL_SERIAL_GET_COMMSTATUS, D.SERIAL_STATUS_SIZE - 1)    # BUFFER_TOO_SMALL
    get(c, D.IOCTL_SERIAL_GET_TIMEOUTS, 64)                            # exactly 20 bytes
    ioctl(c, SET_RTS)                                                  # INVALID_DEVICE_REQUEST
    get(c, D.IOCTL_TOASTER_GET_INFO, D.TOASTER_INFO_SIZE)              # INVALID_DEVICE_REQUEST
    ioctl(c, D.IOCTL_SERIAL_SET_DTR, u32_input(1))                     # input ignored
    for line in ("ATD12A", "ATO", "ATE2", "ath", "AT" + "X" * D.MODEM_LINE_MAX):
        at(c, line)                                                    # ERROR, ERROR, ERROR, OK, ERROR
    c.transact(D.MJ_CLOSE)
