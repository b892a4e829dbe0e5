"""riotoasterd: the toaster device (brief section 5) over real sockets."""
import select
import threading

import pytest

from test_server_support import *  # noqa: F401,F403


def test_get_info_serial_per_device_and_farm(toasterd):
    d = toasterd(serials=3)
    for s in (1, 2, 3):
        with opened(d, s) as c:
            i = info(c)
            assert i == {"serial": s, "capacity": DEFS.TOASTER_CAPACITY, "max_load_bytes": DEFS.TOASTER_MAX_LOAD_BYTES,
                         "firmware_version": DEFS.TOASTER_FIRMWARE_VERSION, "model": DEFS.TOASTER_MODEL_NAME}


def test_struct_sizes_buffer_too_small_and_larger(toasterd):
    d = toasterd()
    with opened(d) as c:
        for code, size in ((DEFS.IOCTL_TOASTER_GET_INFO, DEFS.TOASTER_INFO_SIZE),
                           (DEFS.IOCTL_TOASTER_GET_STATUS, DEFS.TOASTER_STATUS_SIZE)):
            expect(c.ioctl(code, output_length=size - 1), DEFS.STATUS_BUFFER_TOO_SMALL)
            expect(c.ioctl(code, output_length=0), DEFS.STATUS_BUFFER_TOO_SMALL)
            ok(c.ioctl(code, output_length=size * 10, data=b"ignored"), size, size)


def test_write_start_read_byte_for_byte(toasterd):
    d = toasterd()
    with opened(d) as c:
        assert status(c)["state"] == DEFS.TOASTER_STATE_EMPTY
        ok(c.write(b"hello "), 6)
        ok(c.write(b"world"), 5)
        s = status(c)
        assert (s["state"], s["loaded_bytes"]) == (DEFS.TOASTER_STATE_LOADED, 11)
        ok(start(c))
        s = status(c)
        assert (s["state"], s["ready_bytes"], s["loaded_bytes"], s["toast_count"]) == (DEFS.TOASTER_STATE_READY, 11, 0, 1)
        assert ok(c.read(4), 4, 4).data == b"hell"
        assert ok(c.read(100), 7, 7).data == b"o world"
        ok(c.read(100))  # nothing ready, nothing toasting: success, 0 bytes
        assert status(c)["state"] == DEFS.TOASTER_STATE_EMPTY


def test_max_load_and_ready_not_counted(toasterd):
    d = toasterd()
    with opened(d) as c:
        big = bytes(i % 251 for i in range(DEFS.TOASTER_MAX_LOAD_BYTES + 100))
        ok(c.write(big), DEFS.TOASTER_MAX_LOAD_BYTES)
        ok(c.write(b"x"), 0)
        ok(start(c))
        ok(c.write(b"more"), 4)  # ready toast does not count against the load
        got = ok(c.read(DEFS.DATA_MAX), DEFS.TOASTER_MAX_LOAD_BYTES, DEFS.TOASTER_MAX_LOAD_BYTES).data
        assert got == big[:DEFS.TOASTER_MAX_LOAD_BYTES]


def test_start_with_nothing_loaded(toasterd):
    d = toasterd()
    with opened(d) as c:
        expect(start(c), DEFS.STATUS_INVALID_DEVICE_STATE)
        assert status(c)["toast_count"] == 0


def test_busy_while_toasting_and_eject(toasterd):
    d = toasterd(args=["--toast-ms-per-level", "1000"])
    with opened(d) as c:
        ok(c.write(b"bread"), 5)
        ok(start(c))
        assert status(c)["state"] == DEFS.TOASTER_STATE_TOASTING
        expect(c.write(b"x"), DEFS.STATUS_DEVICE_BUSY)
        expect(start(c), DEFS.STATUS_DEVICE_BUSY)
        expect(set_darkness(c, 3), DEFS.STATUS_DEVICE_BUSY)
        expect(set_darkness(c, 11), DEFS.STATUS_INVALID_PARAMETER)  # input checked before state
        ok(c.read(0))  # nothing to wait for
        ok(eject(c))  # ends the cycle at once; the bread is ready
        s = status(c)
        assert (s["state"], s["ready_bytes"], s["toast_count"]) == (DEFS.TOASTER_STATE_READY, 5, 1)
        assert ok(c.read(10), 5, 5).data == b"bread"


def test_eject_without_cycle_and_empty(toasterd):
    d = toasterd()
    with opened(d) as c:
        ok(eject(c))
        assert status(c)["state"] == DEFS.TOASTER_STATE_EMPTY
        ok(c.write(b"abc"), 3)
        ok(eject(c))
        s = status(c)
        assert (s["state"], s["ready_bytes"], s["toast_count"]) == (DEFS.TOASTER_STATE_READY, 3, 0)


@pytest.mark.parametrize("payload,good", [(u32(1), True), (u32(10), True), (u32(0), False), (u32(11), False),
                                          (u32(0xFFFFFFFF), False), (b"\x05\0\0", False), (u32(5) + b"\0", False),
                                          (b"", False)])
def test_set_darkness_validation(toasterd, payload, good):
    d = toasterd()
    with opened(d) as c:
        out = c.ioctl(DEFS.IOCTL_TOASTER_SET_DARKNESS, payload)
        if good:
            ok(out)
            assert status(c)["darkness"] == int.from_bytes(payload, "little")
        else:
            expect(out, DEFS.STATUS_INVALID_PARAMETER)
            assert status(c)["darkness"] == DEFS.TOASTER_DARKNESS_DEFAULT


def test_unknown_ioctl(toasterd):
    d = toasterd()
    with opened(d) as c:
        for code in (0, 0x00222014, 0x0022A000 | 3, 0xFFFFFFFF):
            expect(c.ioctl(code, b"in", 100), DEFS.STATUS_INVALID_DEVICE_REQUEST)


def test_toasting_time_scales_with_darkness(toasterd):
    """Two toasters started together, darkness 10 first and darkness 1 just
    after: the light toast is answered first (an order, not a timing)."""
    d = toasterd(serials=2, args=["--toast-ms-per-level", "150"])
    with opened(d, 1) as dark, opened(d, 2) as light:
        ok(set_darkness(dark, DEFS.TOASTER_DARKNESS_MAX))
        ok(set_darkness(light, DEFS.TOASTER_DARKNESS_MIN))
        pend_read(dark, b"dark", 10)
        pend_read(light, b"light", 10)
        ready, _, _ = select.select([dark.sock, light.sock], [], [], 10)
        assert ready == [light.sock], "the darker toast was not the slower one"
        assert ok(light.recv_pdu(), 5, 5).data == b"light"
        assert ok(dark.recv_pdu(timeout=10), 4, 4).data == b"dark"


def test_pending_read_while_other_connections_served(toasterd):
    """While one toaster's READ pends, another connection is served: all of
    its answers arrive before the pending READ's (the cycle, 10 x 300 ms, is
    a sanity bound on 20 round trips)."""
    d = toasterd(serials=2, args=["--toast-ms-per-level", "300"])
    with opened(d, 1) as c1, opened(d, 2) as c2:
        ok(set_darkness(c1, DEFS.TOASTER_DARKNESS_MAX))
        pend_read(c1, b"slow toast", 100)
        for _ in range(20):
            status(c2)
        assert not select.select([c1.sock], [], [], 0)[0], "the READ was answered before the other connection"
        assert ok(c1.recv_pdu(timeout=10), 10, 10).data == b"slow toast"


def test_pending_read_is_answered_from_the_cycle_only(toasterd):
    d = toasterd(args=["--toast-ms-per-level", "60"])
    with opened(d) as c:
        load_ready(c, b"first")
        ok(c.write(b"second"), 6)
        ok(start(c))
        # Ready toast exists, but a READ during a cycle still pends until it
        # ends: answered at once it would hold "first" only.
        assert ok(c.read(100, timeout=5), 11, 11).data == b"firstsecond"


def test_many_toasters_in_parallel(toasterd):
    d = toasterd(serials=8, args=["--toast-ms-per-level", "20"])
    errors = []

    def run(serial):
        try:
            with opened(d, serial) as c:
                for i in range(5):
                    data = bytes([serial, i]) * 50
                    ok(c.write(data), len(data))
                    ok(start(c))
                    assert ok(c.read(1000), len(data), len(data)).data == data
                ok(c.close_handle())
        except AssertionError as e:  # reported from the main thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(s,)) for s in range(1, 9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
