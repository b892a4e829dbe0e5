"""riotoasterd: seeded random input.  10,000 random byte strings never crash
the server or make it answer garbage; randomized sessions lose no byte."""
import random
import socket

import pytest

from pyrio.codec import HEADER_SIZE, pack_request, unpack
from test_server_support import *  # noqa: F401,F403

SEED = 20261123
MAJORS = sorted(DEFS.tables["MAJOR"])
IOCTLS = sorted(DEFS.tables["IOCTL"])


def random_string(rng):
    kind = rng.random()
    if kind < 0.02:  # raw noise
        return bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 64)))
    major = rng.choice(MAJORS + [rng.randrange(256)])
    ioctl = rng.choice(IOCTLS + [rng.getrandbits(32)])
    data = bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 0, 1, 4, rng.randrange(200)])))
    out = rng.choice([0, 1, DEFS.TOASTER_STATUS_SIZE, DEFS.TOASTER_INFO_SIZE, 100, DEFS.TOASTER_MAX_LOAD_BYTES,
                      rng.getrandbits(32) if rng.random() < 0.05 else 7])
    raw = pack_request(major, rng.getrandbits(32), ioctl, out, data)
    if kind < 0.04:  # one corrupted byte anywhere in the header
        i = rng.randrange(HEADER_SIZE)
        raw = raw[:i] + bytes([rng.getrandbits(8)]) + raw[i + 1:]
    elif kind < 0.06:  # cut short
        raw = raw[:rng.randrange(len(raw) + 1)]
    return raw


def read_all_responses(sock):
    """Everything the server sends until it closes (bounded by timeouts)."""
    sock.settimeout(10)
    chunks = []
    while True:
        try:
            b = sock.recv(65536)
        except ConnectionResetError:
            break
        if not b:
            break
        chunks.append(b)
    return b"".join(chunks)


def check_well_formed(stream):
    pos = 0
    count = 0
    while pos < len(stream):
        assert len(stream) - pos >= HEADER_SIZE, "partial response header"
        h = unpack(stream[pos:])
        assert h.signature == DEFS.SIGNATURE_RESPONSE.encode()
        assert (h.version, h.header_length) == (DEFS.VERSION, HEADER_SIZE)
        assert h.status in DEFS.tables["STATUS"]
        if h.status != DEFS.STATUS_SUCCESS:
            assert h.information == 0 and h.data_length == 0
        pos += HEADER_SIZE + h.data_length
        assert pos <= len(stream), "partial response data"
        count += 1
    return count


def test_ten_thousand_random_strings(toasterd):
    d = toasterd(serials=2, args=["--stall-timeout", "2"])
    rng = random.Random(SEED)
    total, answered = 0, 0
    while total < 10000:
        batch = [random_string(rng) for _ in range(50)]
        total += len(batch)
        serial = rng.choice([1, 2])
        with socket.create_connection(("127.0.0.1", d.port(serial)), timeout=10) as s:
            if rng.random() < 0.8:  # usually hold the handle, to reach the device code
                batch.insert(0, pack_request(DEFS.MJ_CREATE, 0))
            try:
                s.sendall(b"".join(batch))
                s.shutdown(socket.SHUT_WR)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server closed on a framing error while we sent
            answered += check_well_formed(read_all_responses(s))
    assert answered > 1000  # the strings reached the request handlers, not just the framer
    assert_serving(d, 1)
    assert_serving(d, 2)


@pytest.mark.parametrize("toast_ms", [0, 2])
def test_nothing_lost_randomized_sessions(toasterd, toast_ms):
    d = toasterd(args=["--toast-ms-per-level", str(toast_ms)])
    rng = random.Random(SEED + toast_ms)
    for session in range(40):
        with opened(d, timeout=10) as c:
            loaded, ready = bytearray(), bytearray()
            for op in range(60):
                r = rng.random()
                if r < 0.35:
                    data = bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 1, 17, rng.randrange(6000)])))
                    take = min(len(data), DEFS.TOASTER_MAX_LOAD_BYTES - len(loaded))
                    ok(c.write(data), take)
                    loaded += data[:take]
                elif r < 0.5:
                    if loaded:
                        ok(start(c))
                        ready += loaded
                        loaded.clear()
                        if toast_ms:  # a READ now pends until the cycle ends
                            n = min(len(ready), 3)
                            assert ok(c.read(3), n, n).data == bytes(ready[:n])
                            del ready[:n]
                    else:
                        expect(start(c), DEFS.STATUS_INVALID_DEVICE_STATE)
                elif r < 0.6:
                    ok(eject(c))
                    ready += loaded
                    loaded.clear()
                elif r < 0.6 + 0.05:
                    ok(set_darkness(c, rng.randint(1, 10)))
                else:
                    want = rng.choice([0, 1, 100, rng.randrange(10000)])
                    n = min(want, len(ready))
                    assert ok(c.read(want), n, n).data == bytes(ready[:n]), "session %d op %d" % (session, op)
                    del ready[:n]
            s = status(c)
            assert (s["loaded_bytes"], s["ready_bytes"]) == (len(loaded), len(ready))
            ok(eject(c))
            ready += loaded
            assert ok(c.read(DEFS.DATA_MAX), len(ready), len(ready)).data == bytes(ready)
            ok(c.close_handle())
