"""The modem model the crafted captures take their answers from
(pyrio/modemmodel.py) answers as riotoasterd's modem does, beyond the
library's conversations: seeded random conversations (AT lines, data
online, every serial IOCTL with good and bad inputs and output lengths,
READs under random timeouts, the receive queue filled past its end) are
sent to the real daemon request by request and every answer is compared
byte for byte with the model's.

Nothing in them depends on how late a timer fires: no `+` is written, so
no escape is ever in flight, and a request the model says nothing would
complete (a WAIT_ON_MASK with no event to come, a READ with no timeout and
too few bytes), or only after MAX_PEND_MS, is not sent.  The model's own timing (the +++ guard time, a
pending request completed by the escape) is proved against riotoasterd by
the crafted modem captures (test_capture_library.py)."""
import copy
import os
import random
import struct
import sys

import pytest

CAPTURES = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, CAPTURES)

from tools import library  # noqa: E402

from pyrio import DEFS, pack_request, unpack  # noqa: E402
from pyrio.codec import HEADER_SIZE  # noqa: E402
from pyrio.conn import PDU, Conn  # noqa: E402
from pyrio.modemmodel import (OUTPUT_SIZE, ModemPort, NeverAnswered, line_control_input,  # noqa: E402
                              timeouts_input, u32_input)

D = DEFS
REQUESTS = 300
MAX_PEND_MS = 100               # a longer wait is not sent: the test stays short
SEEDS = [1, 2, 3]
SERIAL_IOCTLS = sorted(c for c in D.tables["IOCTL"] if c >> 16 == D.FILE_DEVICE_SERIAL_PORT)
LINES = ["AT", "ATI", "ATZ", "ATE0", "ATE1", "ATD5551234", "ATD12A", "ATH", "ATO", "ATX", "at", "ati",
         "", "AT" + "Q" * D.MODEM_LINE_MAX]
DATA = b"abcdefghij klmnop\r\n0123456789"        # online data: never a `+`
START = [(D.MJ_CREATE, 0, 0, b""), (D.MJ_DEVICE_CONTROL, D.IOCTL_SERIAL_SET_DTR, 0, b"")]


def random_input(rng, code):
    """A good or a bad input for `code`."""
    good = {
        D.IOCTL_SERIAL_SET_BAUD_RATE: lambda: u32_input(rng.choice(sorted(D.tables["SERIAL_BAUD"]))),
        D.IOCTL_SERIAL_SET_LINE_CONTROL: lambda: line_control_input(rng.randrange(3), rng.randrange(5),
                                                                    rng.randrange(5, 9)),
        D.IOCTL_SERIAL_SET_TIMEOUTS: lambda: timeouts_input(*random_timeouts(rng)),
        D.IOCTL_SERIAL_SET_WAIT_MASK: lambda: u32_input(rng.randrange(D.SERIAL_EV_ALL + 1)),
        D.IOCTL_SERIAL_PURGE: lambda: u32_input(rng.randrange(1, D.SERIAL_PURGE_ALL + 1)),
    }
    bad = [b"", b"\x01", u32_input(rng.choice([0, 1234, D.SERIAL_EV_ALL + 1, 0x10, 0xFFFFFFFF])),
           line_control_input(rng.randrange(6), rng.randrange(7), rng.randrange(12)), bytes(16)]
    if code in good and rng.random() < 0.7:
        return good[code]()
    return rng.choice(bad) if rng.random() < 0.5 or code in good else b""


def random_timeouts(rng):
    """READ timeouts: at once, or short totals and intervals (ms)."""
    return rng.choice([
        (D.SERIAL_TIMEOUT_MAXDWORD, 0, 0),
        (0, 0, rng.randrange(1, 30)),
        (rng.randrange(1, 30), 0, rng.randrange(0, 30)),
        (0, rng.randrange(0, 3), rng.randrange(1, 20)),
        (0, 0, 0),
    ]) + (0, 0)


def random_request(rng):
    """(major, ioctl, output_length, data) of one request: mostly with DTR
    set and room in the queue, so that the modem's answers are read."""
    kind = rng.random()
    if kind < 0.3:
        line = rng.choice(LINES).encode()
        return D.MJ_WRITE, 0, 0, line + rng.choice([b"\r", b"\r", b"\r\n", b""])
    if kind < 0.42:
        n = rng.choice([1, 7, 64, 64, 64, D.SERIAL_QUEUE_SIZE + 100])
        return D.MJ_WRITE, 0, 0, (DATA * (n // len(DATA) + 1))[:n]
    if kind < 0.67:
        return D.MJ_READ, 0, rng.choice([0, 1, 5, 64, D.SERIAL_QUEUE_SIZE + 10, D.SERIAL_QUEUE_SIZE + 10]), b""
    code = rng.choice(SERIAL_IOCTLS + [D.IOCTL_TOASTER_GET_STATUS])
    if code == D.IOCTL_SERIAL_CLR_DTR and rng.random() < 0.7:
        code = D.IOCTL_SERIAL_SET_DTR
    size = OUTPUT_SIZE.get(code, 0)
    out = rng.choice([0, max(0, size - 1), size, size + 8])
    return D.MJ_DEVICE_CONTROL, code, out, random_input(rng, code)


def answered(model, raw):
    """The model's answer, or None when nothing would complete it soon."""
    trial = copy.deepcopy(model)
    start = trial.clock
    try:
        trial.answer(raw)
    except NeverAnswered:
        return None
    if trial.done_at - start > MAX_PEND_MS:
        return None
    return model.answer(raw)[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_model_answers_like_riotoasterd(toasterd, seed):
    rng = random.Random(seed)
    model = ModemPort(library.MODEM)
    daemon = toasterd(serials=library.TOASTERS, modems=1)
    seq = D.FIRST_SEQUENCE
    sent = 0
    with Conn(daemon.host, daemon.port(library.MODEM), timeout=10) as c:
        for i in range(REQUESTS):
            major, ioctl, out, data = START[i] if i < len(START) else random_request(rng)
            raw = pack_request(major, seq, ioctl, out, data)
            want = answered(model, raw)
            if want is None:
                continue
            seq += 1
            sent += 1
            c.send(raw)
            got = c.recv_pdu()
            assert got.kind == PDU, "seed %d request %d: %s" % (seed, i, got)
            w = unpack(want)
            assert (got.pdu.seq, got.pdu.status, got.pdu.information, got.pdu.data) == \
                (w.seq, w.status, w.information, want[HEADER_SIZE:]), \
                "seed %d request %d (%s %#x out %d data %r)" % (seed, i, major, ioctl, out, data[:40])
    assert sent > REQUESTS // 2


def test_model_refuses_a_request_that_would_hang():
    model = ModemPort(library.MODEM)
    model.answer(pack_request(D.MJ_CREATE, 1))
    model.answer(pack_request(D.MJ_DEVICE_CONTROL, 2, D.IOCTL_SERIAL_SET_WAIT_MASK,
                              data=struct.pack("<I", D.SERIAL_EV_RING)))
    with pytest.raises(NeverAnswered):
        model.answer(pack_request(D.MJ_DEVICE_CONTROL, 3, D.IOCTL_SERIAL_WAIT_ON_MASK, 4))
