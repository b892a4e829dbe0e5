"""altserver: a second RIO/1 toaster server, for the conformance suite's
self-tests only.

Written from docs/PROTOCOL.md and the wire brief, separately from
riotoasterd, and deliberately different from it: wherever the spec allows
more than one behaviour it takes the other one (conformance/altserver/
README.md lists each choice beside the requirement that allows it).  The
suite must pass it, told its configuration and told nothing.

Only the numbers come from the project (include/rio/rio.h via pyrio): the
behaviour is this file's own.  Python asyncio, one process, IPv4 only.

    altserver.py [--host H] [--base-port P] [--serials 1,2] [--modems 3,4]
                 [--farm PORT --farm-size N] [--stall-timeout S]
                 [--toast-ms-per-level MS] [--ready-fd FD]

--modems serves serial ports with a simulated Hayes modem (serialport.py)
on BasePort + N, per device.

Exit status: 0 after SIGTERM/SIGINT, 2 on a usage error, 1 when a port
cannot be bound.
"""
import argparse
import asyncio
import os
import signal
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pyrio.riodefs import DEFS  # noqa: E402  (numbers only: the one source of protocol constants)
from serialport import SerialPort  # noqa: E402

D = DEFS
# The SHOULDs this server deliberately does not follow (the brief allows
# the other behaviour): against it the suite must warn about exactly these,
# and fail nothing.  README.md lists every choice it makes.
SHOULDS_NOT_FOLLOWED = {
    "RIO-ERR-018": "reads the extra header bytes before answering REVISION_MISMATCH / INVALID_BUFFER_SIZE",
    "RIO-ADR-007": "a farm CREATE gets the highest free serial, not the lowest",
}
HDR = struct.Struct("<4sBBHIIII")
KNOWN_MAJORS = set(D.tables["MAJOR"])
# The protocol's default stall timeout (a server option): ours is the same
# unless told, so an untold suite is right about it.
DEFAULT_STALL = D.STALL_TIMEOUT_MS / 1000.0
DEFAULT_TOAST_MS = 25       # per darkness level; riotoasterd's default is 0, the suite's embedded 40
LINGER = 0.5                # s of reading and discarding after an answer that ends the connection


class Toaster:
    """One simulated toaster: bread, toast, a cycle on the asyncio clock."""
    kind = "toaster"

    def __init__(self, serial, toast_ms):
        self.serial, self.toast_ms = serial, toast_ms
        self.holder = None
        self.reset()

    def reset(self):
        self.darkness = D.TOASTER_DARKNESS_DEFAULT
        self.loaded = bytearray()
        self.ready = bytearray()
        self.toast_count = 0
        if getattr(self, "cycle", None):
            self.cycle.cancel()
        self.cycle = None           # the running cycle's timer handle
        self.cycle_done = asyncio.Event()
        self.cycle_done.set()

    @property
    def toasting(self):
        return self.cycle is not None

    def state(self):
        if self.toasting:
            return D.TOASTER_STATE_TOASTING
        if self.ready:
            return D.TOASTER_STATE_READY
        return D.TOASTER_STATE_LOADED if self.loaded else D.TOASTER_STATE_EMPTY

    def start(self):
        self.toast_count += 1
        self.cycle_done.clear()
        seconds = self.darkness * self.toast_ms / 1000.0
        self.cycle = asyncio.get_running_loop().call_later(seconds, self.end_cycle)

    def end_cycle(self):
        if self.cycle:
            self.cycle.cancel()
        self.cycle = None
        self.ready += self.loaded
        self.loaded = bytearray()
        self.cycle_done.set()

    def take(self, n):
        out = bytes(self.ready[:n])
        del self.ready[:n]
        return out


class Pool:
    """The toasters one listening port gives out: one (per-device) or many (farm)."""

    def __init__(self, toasters, farm):
        self.toasters, self.farm = toasters, farm

    def acquire(self, conn):
        """(toaster or None, refusal status)."""
        free = [t for t in self.toasters if t.holder is None]
        if not free:
            return None, (D.STATUS_DEVICE_BUSY if self.farm else D.STATUS_SHARING_VIOLATION)
        t = free[-1]    # a farm gives the HIGHEST free serial (RIO-ADR-007 is a SHOULD)
        t.holder = conn
        t.reset()
        return t, None


class Abort(Exception):
    """Close the connection without an answer (reset: a legal close)."""


class Connection:
    def __init__(self, server, pool, reader, writer):
        self.server, self.pool = server, pool
        self.reader, self.writer = reader, writer
        self.toaster = None
        self.queue = asyncio.Queue(maxsize=4)   # whole requests read ahead, bounded
        self.ended = asyncio.Event()            # the client's stream ended, broke or stalled

    # ---- receiving: the header-then-data state machine ------------------

    async def _read(self, n, deadline):
        loop = asyncio.get_running_loop()
        return await asyncio.wait_for(self.reader.readexactly(n), max(0.0, deadline - loop.time()))

    async def receive(self):
        """Put each whole request on the queue; a framing error or the end
        of the stream is the last item."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                first = await self.reader.read(1)      # no idle timeout: wait as long as it takes
                if not first:
                    self.ended.set()
                    await self.queue.put(("eof",))
                    return
                deadline = loop.time() + self.server.stall   # from the PDU's first byte, never restarted
                raw = first + await self._read(HDR.size - 1, deadline)
                sig, version, major, hlen, seq, ioctl, outlen, dlen = HDR.unpack(raw)
                if sig != D.SIGNATURE_REQUEST.encode() or not D.HEADER_LENGTH_MIN <= hlen <= D.HEADER_LENGTH_MAX:
                    await self.queue.put(("abort",))
                    return
                # The extra header bytes belong to the header: read them
                # before judging it (riotoasterd answers on the fixed 24).
                await self._read(hlen - HDR.size, deadline)
                if version != D.VERSION:
                    await self.queue.put(("refuse", major, seq, D.STATUS_REVISION_MISMATCH))
                    return
                if dlen > D.DATA_MAX or outlen > D.DATA_MAX:
                    await self.queue.put(("refuse", major, seq, D.STATUS_INVALID_BUFFER_SIZE))
                    return
                data = await self._read(dlen, deadline)
                await self.queue.put(("request", major, seq, ioctl, outlen, data))
        except asyncio.TimeoutError:
            self.ended.set()                   # a stalled PDU: a pending READ is abandoned too
            await self.queue.put(("abort",))
        except (asyncio.IncompleteReadError, ConnectionError):
            self.ended.set()
            await self.queue.put(("eof",))     # an incomplete PDU is discarded (RIO-SES-018)

    # ---- answering, one request at a time --------------------------------

    def send(self, major, seq, status, info=0, data=b""):
        self.writer.write(HDR.pack(D.SIGNATURE_RESPONSE.encode(), D.VERSION, major, HDR.size, seq,
                                   status, info, len(data)) + data)

    async def run(self):
        self.receiver = receiver = asyncio.ensure_future(self.receive())
        try:
            while True:
                item = await self.queue.get()
                kind = item[0]
                if kind == "request":
                    if not await self.handle(*item[1:]):
                        return
                elif kind == "refuse":
                    self.send(item[1], item[2], item[3])
                    await self.finish()
                    return
                elif kind == "abort":
                    self.abort()
                    return
                else:                                 # eof: everything before it was answered
                    await self.finish(linger=False)
                    return
        except (ConnectionError, Abort):
            self.abort()
        finally:
            receiver.cancel()
            self.release()

    def release(self):
        if self.toaster is not None and self.toaster.holder is self:
            self.toaster.reset()        # a pending cycle is cancelled, its bytes discarded
            self.toaster.holder = None
        self.toaster = None

    def abort(self):
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        self.writer.close()

    async def finish(self, linger=True):
        """The answer is out: then release (the brief: answer, release,
        close), FIN, and read and discard for a while so that unread bytes
        do not turn the close into a reset."""
        self.receiver.cancel()          # from here on, this reads
        try:
            await self.writer.drain()
        except ConnectionError:
            pass
        self.release()
        if self.writer.can_write_eof():
            try:
                self.writer.write_eof()
            except OSError:
                pass
        if linger:
            loop = asyncio.get_running_loop()
            end = loop.time() + LINGER
            try:
                while loop.time() < end and await asyncio.wait_for(self.reader.read(65536), end - loop.time()):
                    pass
            except (asyncio.TimeoutError, ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                pass
        self.writer.close()

    async def handle(self, major, seq, ioctl, outlen, data):
        """Answer one request; False when the connection ends with it."""
        if major not in KNOWN_MAJORS:
            self.send(major, seq, D.STATUS_INVALID_DEVICE_REQUEST)
            return True
        if major == D.MJ_CREATE:
            if self.toaster is not None:
                self.send(major, seq, D.STATUS_INVALID_DEVICE_STATE)
                return True
            self.toaster, refusal = self.pool.acquire(self)
            if refusal is not None:
                self.send(major, seq, refusal)
                await self.finish()
                return False
            self.send(major, seq, D.STATUS_SUCCESS)
            return True
        t = self.toaster
        if t is None:
            self.send(major, seq, D.STATUS_INVALID_HANDLE)
            return True
        if major == D.MJ_CLOSE:
            self.send(major, seq, D.STATUS_SUCCESS)
            await self.finish()
            return False
        if major == D.MJ_CLEANUP:
            self.send(major, seq, D.STATUS_SUCCESS)
        elif t.kind == "serial":
            if not await self.serial_request(t, major, seq, ioctl, outlen, data):
                return False
        elif major == D.MJ_WRITE:
            if t.toasting:
                self.send(major, seq, D.STATUS_DEVICE_BUSY)
            else:
                n = min(len(data), D.TOASTER_MAX_LOAD_BYTES - len(t.loaded))
                t.loaded += data[:n]
                self.send(major, seq, D.STATUS_SUCCESS, n)
        elif major == D.MJ_READ:
            if t.toasting:
                # Every READ pends while toasting, a 0-byte one too (the
                # brief's words; riotoasterd answers that one at once).
                if not await self.pend(t):
                    return False
            out = t.take(outlen)
            self.send(major, seq, D.STATUS_SUCCESS, len(out), out)
        else:
            status, out = self.ioctl(t, ioctl, outlen, data)
            self.send(major, seq, status, len(out) if status == D.STATUS_SUCCESS else 0, out)
        await self.writer.drain()
        return True

    async def serial_request(self, port, major, seq, ioctl, outlen, data):
        """READ, WRITE or DEVICE_CONTROL on a serial port; False if the
        connection ended while the request pended (abandoned)."""
        if major == D.MJ_WRITE:
            status, n = port.write(data)
            self.send(major, seq, status, n if status == D.STATUS_SUCCESS else 0)
            return True
        result = port.read(outlen) if major == D.MJ_READ else port.ioctl(ioctl, outlen, data)
        if isinstance(result, asyncio.Future):
            gone = asyncio.ensure_future(self.ended.wait())
            await asyncio.wait([result, gone], return_when=asyncio.FIRST_COMPLETED)
            gone.cancel()
            if self.ended.is_set() or not result.done() or result.cancelled():
                return False
            result = result.result()
            port.done()
        status, out = result
        self.send(major, seq, status, len(out) if status == D.STATUS_SUCCESS else 0,
                  out if status == D.STATUS_SUCCESS else b"")
        return True

    async def pend(self, t):
        """Wait for the cycle's end; False if the connection ended first
        (the READ is abandoned and the device released)."""
        done = asyncio.ensure_future(t.cycle_done.wait())
        gone = asyncio.ensure_future(self.ended.wait())
        await asyncio.wait([done, gone], return_when=asyncio.FIRST_COMPLETED)
        for f in (done, gone):
            f.cancel()
        return not self.ended.is_set()

    def ioctl(self, t, code, outlen, data):
        """(status, output) of one IOCTL: input checked before state."""
        if code == D.IOCTL_TOASTER_GET_INFO:
            out = struct.pack("<IIII", t.serial, D.TOASTER_CAPACITY, D.TOASTER_MAX_LOAD_BYTES,
                              D.TOASTER_FIRMWARE_VERSION) + D.TOASTER_MODEL_NAME.encode().ljust(
                                  D.TOASTER_MODEL_SIZE, b"\0")
            return (D.STATUS_SUCCESS, out) if outlen >= len(out) else (D.STATUS_BUFFER_TOO_SMALL, b"")
        if code == D.IOCTL_TOASTER_GET_STATUS:
            out = struct.pack("<6I", t.state(), t.darkness, len(t.loaded), len(t.ready), t.toast_count, 0)
            return (D.STATUS_SUCCESS, out) if outlen >= len(out) else (D.STATUS_BUFFER_TOO_SMALL, b"")
        if code == D.IOCTL_TOASTER_SET_DARKNESS:
            if len(data) != 4 or not D.TOASTER_DARKNESS_MIN <= struct.unpack("<I", data)[0] <= D.TOASTER_DARKNESS_MAX:
                return D.STATUS_INVALID_PARAMETER, b""
            if t.toasting:
                return D.STATUS_DEVICE_BUSY, b""
            t.darkness = struct.unpack("<I", data)[0]
            return D.STATUS_SUCCESS, b""
        if code == D.IOCTL_TOASTER_START:
            if t.toasting:
                return D.STATUS_DEVICE_BUSY, b""
            if not t.loaded:
                return D.STATUS_INVALID_DEVICE_STATE, b""
            t.start()
            return D.STATUS_SUCCESS, b""
        if code == D.IOCTL_TOASTER_EJECT:
            t.end_cycle()        # a running cycle ends now; otherwise the bread moves to the toast
            return D.STATUS_SUCCESS, b""
        return D.STATUS_INVALID_DEVICE_REQUEST, b""


class Server:
    def __init__(self, args):
        self.stall = args.stall_timeout
        self.args = args

    async def serve(self):
        a = self.args
        pools = []
        for serial in a.serials:
            pools.append((a.base_port + serial, Pool([Toaster(serial, a.toast_ms_per_level)], farm=False)))
        for serial in a.modems:
            pools.append((a.base_port + serial, Pool([SerialPort(serial)], farm=False)))
        if a.farm is not None:
            pools.append((a.farm, Pool([Toaster(n, a.toast_ms_per_level) for n in range(1, a.farm_size + 1)],
                                       farm=True)))
        servers = []
        for port, pool in pools:
            def accept(reader, writer, pool=pool):
                return Connection(self, pool, reader, writer).run()
            servers.append(await asyncio.start_server(accept, a.host, port, reuse_address=True))
        if a.ready_fd is not None:
            os.write(a.ready_fd, b"ready\n")
            os.close(a.ready_fd)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        for s in servers:
            s.close()


def parse_args(argv):
    p = argparse.ArgumentParser(prog="altserver", description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--base-port", type=int, default=D.BASE_PORT, help="toaster N on BASE+N (default %(default)s)")
    p.add_argument("--serials", default="1", help="comma-separated serial numbers (default %(default)s)")
    p.add_argument("--modems", default="", help="comma-separated serial numbers of serial ports with a modem")
    p.add_argument("--farm", type=int, metavar="PORT", help="also a farm on PORT")
    p.add_argument("--farm-size", type=int, default=2)
    p.add_argument("--stall-timeout", type=float, default=DEFAULT_STALL, help="s (default %(default)g)")
    p.add_argument("--toast-ms-per-level", type=float, default=DEFAULT_TOAST_MS, help="ms (default %(default)g)")
    p.add_argument("--ready-fd", type=int, help="write 'ready' to this descriptor once listening")
    a = p.parse_args(argv)
    try:
        a.serials = [int(s) for s in a.serials.split(",") if s]
        a.modems = [int(s) for s in a.modems.split(",") if s]
    except ValueError:
        p.error("--serials, --modems: comma-separated numbers expected")
    if set(a.serials) & set(a.modems):
        p.error("--serials and --modems: a serial number is one device")
    if any(s < 1 for s in a.serials + a.modems) or a.farm_size < 1 or a.stall_timeout <= 0 or a.toast_ms_per_level < 0:
        p.error("serials and farm size are at least 1, the stall timeout above 0, the toast time not negative")
    return a


def main(argv=None):
    args = parse_args(argv)
    try:
        asyncio.run(Server(args).serve())
    except OSError as e:
        print("altserver: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
