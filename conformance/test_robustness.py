"""Robustness: seeded random and mutated inputs.  Whatever arrives, the
server answers by the rules or closes, and keeps serving fresh
connections (the liveness probe after every batch).  --rio-seed and
--rio-fuzz-cases make a run reproducible and longer."""
import random
import socket

import pytest

from pyrio.codec import HEADER_SIZE, unpack
from pyrio.conn import PDU
from pyrio.riodefs import DEFS

from .rioconf.helpers import toast_seconds, unknown_ioctls, unknown_majors
from .rioconf.link import Sent
from .rioconf.verdict import ENDED, Reply, Violation


MAX_ANSWERS = 8   # far more than the requests any case here sends


def drain(c, rid, timeout):
    """After our half-close: any number of answers (each checked by the
    envelope rules), then the server closes."""
    for _ in range(MAX_ANSWERS):
        out = c.conn.recv_pdu(timeout)
        if out.kind == PDU:
            c.check_envelope(out.pdu)
            continue
        if out.kind not in ENDED:
            raise Violation(rid, "answers, then the connection closed after our half-close",
                            "%s (waited %.1f s)" % (out.kind, timeout))
        return
    raise Violation(rid, "at most one answer per request sent", "more than %d answers" % MAX_ANSWERS)


def mutate(rng, raw):
    raw = bytearray(raw)
    for _ in range(rng.randrange(1, 4)):
        raw[rng.randrange(HEADER_SIZE)] = rng.randrange(256)
    return bytes(raw)


def half_close(c):
    """Our FIN; a server that already closed with a reset is a legal close
    too (the socket is then no longer connected)."""
    try:
        c.conn.sock.shutdown(socket.SHUT_WR)
    except OSError as e:
        c.note("shutdown after the server's close: %s" % e)


@pytest.mark.req("RIO-ERR-002", "RIO-MJ-001")
def test_random_bytes(dev, rio_options):
    rng = random.Random(rio_options.seed)
    for n in range(rio_options.fuzz_cases):
        c = dev.connect("random input %d" % n)
        c.send_raw(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))))
        half_close(c)
        drain(c, "RIO-ERR-002", dev.reply_timeout)
        c.close()
    dev.assert_alive()


@pytest.mark.req("RIO-SES-018", "RIO-MJ-001")
def test_mutated_requests(dev, rio_options):
    """A CREATE, then a valid request with 1..3 header bytes replaced, then
    our FIN: the server answers or closes, by the rules, and survives."""
    rng = random.Random(rio_options.seed + 1)
    for n in range(rio_options.fuzz_cases):
        c = dev.connect("mutated input %d" % n)
        c.send(DEFS.MJ_CREATE)
        base, _ = c.prepare(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_TOASTER_GET_STATUS, DEFS.TOASTER_STATUS_SIZE,
                            data=b"abcd")
        bad = mutate(rng, base)
        h = unpack(bad)
        c.send_raw(bad, expect=Sent(h.seq, h.major, h.output_length, h.ioctl))
        half_close(c)
        drain(c, "RIO-SES-018", dev.reply_timeout)
        c.close()
    dev.assert_alive()


@pytest.mark.req("RIO-MJ-005", "RIO-ERR-016", "RIO-SES-012")
def test_random_valid_requests(dev, rio_options):
    """Well-formed requests with random majors, IOCTLs and sizes on one
    handle: each is answered once, the connection stays in sync."""
    rng = random.Random(rio_options.seed + 2)
    majors = [m for m in list(DEFS.tables["MAJOR"]) + unknown_majors() if m not in (DEFS.MJ_CLOSE, DEFS.MJ_CREATE)]
    ioctls = list(DEFS.tables["IOCTL"]) + unknown_ioctls()
    c = dev.open()
    wait = dev.options.reply_timeout + toast_seconds(dev.options, DEFS.TOASTER_DARKNESS_MAX)
    for _ in range(rio_options.fuzz_cases):
        data = bytes(rng.randrange(256) for _ in range(rng.choice((0, 1, 4, 5, 100))))
        c.send(rng.choice(majors), rng.choice(ioctls), rng.choice((0, 1, 24, 48, 4096)), data)
        c.expect("RIO-SES-012", Reply(), timeout=wait)
    c.close_handle()
    dev.assert_alive()
