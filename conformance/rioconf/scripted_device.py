"""A scripted server for any described device: the generic device cases
(test_device.py) as a target, for a device that exists only as a
description (devices/README.md) — no C, no profile of its own.

It keeps the session rules (CREATE first, exclusive access, answers in
order, CLOSE then close) and answers DEVICE_CONTROL from the description
alone: an undescribed code gets INVALID_DEVICE_REQUEST, input of another
size to an InputExact IOCTL INVALID_PARAMETER, a fixed output with a short
OutputLength BUFFER_TOO_SMALL, and otherwise exactly the output's bytes —
what the last IOCTL whose input has the same struct set (a SET/GET pair
round-trips), zeros before.  A MayPend IOCTL pends until the connection
ends (nothing here makes events); READ returns nothing, WRITE takes all.

--fault NAME departs from one rule (the self-tests check that the generic
cases name exactly its IDs); `--fault list` prints NAME<TAB>IDS<TAB>text.

    python3 -m conformance.rioconf.scripted_device --device FILE.riodev
            --port N [--host H] [--ready-fd FD] [--fault NAME]

Exit status: 0 after SIGTERM/SIGINT, 1 when the port cannot be bound, 2 on
a usage error (a bad description among them: its one-line message).
"""
import argparse
import os
import signal
import socket
import socketserver
import sys
import threading

if __package__ in (None, ""):   # run as a file: the repository root on the path
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from pyrio import devdesc  # noqa: E402
from pyrio.codec import HEADER_SIZE, pack_response, unpack  # noqa: E402
from pyrio.riodefs import DEFS  # noqa: E402

D = DEFS
FAULTS = [
    ("unknown-ioctl-success", "RIO-DEV-001,RIO-DEV-003",
     "an undescribed IoControlCode gets STATUS_SUCCESS, no data"),
    ("input-size-ignored", "RIO-DEV-004", "input of any size is accepted"),
    ("short-output-truncated", "RIO-DEV-005",
     "a short OutputLength gets STATUS_SUCCESS and the output cut to it"),
    ("output-fills-buffer", "RIO-DEV-006", "a larger OutputLength gets the output padded with zeros to it"),
    ("sharing-allowed", "RIO-DEV-002", "a second connection's CREATE succeeds while the device is held"),
]


class Device:
    """The described device's state: one value per output struct."""

    def __init__(self, desc, fault):
        self.desc, self.fault = desc, fault
        self.codes = {io.code: io for io in desc.ioctls}
        self.values = {}
        self.holder = None
        self.lock = threading.Lock()

    def reset(self):
        self.values = {}

    def ioctl(self, code, out_len, data):
        """(status, output, pends)."""
        io = self.codes.get(code)
        if io is None:
            return (D.STATUS_SUCCESS if self.fault == "unknown-ioctl-success" else D.STATUS_INVALID_DEVICE_REQUEST,
                    b"", False)
        if io.input_exact and len(data) != io.input.size and self.fault != "input-size-ignored":
            return D.STATUS_INVALID_PARAMETER, b"", False
        out = b""
        if io.output is not None:
            size = io.output.size if not io.output.variable else 0
            out = self.values.get(io.output.name, b"\0" * size)
            if io.output_fixed and out_len < io.output.size:
                if self.fault != "short-output-truncated":
                    return D.STATUS_BUFFER_TOO_SMALL, b"", False
            if self.fault == "output-fills-buffer":
                out = out.ljust(out_len, b"\0")
            out = out[:out_len]
        if io.input is not None and not io.input.variable and len(data) == io.input.size:
            self.values[io.input.name] = bytes(data)
        return D.STATUS_SUCCESS, out, io.may_pend


class Handler(socketserver.BaseRequestHandler):
    """One connection: whole requests in, one answer each, in order."""

    def handle(self):
        dev, sock = self.server.device, self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buf, held = b"", False
        try:
            while True:
                while len(buf) < HEADER_SIZE or len(buf) < self._need(buf):
                    chunk = sock.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                h = unpack(buf)
                if h.signature != D.SIGNATURE_REQUEST.encode() or h.version != D.VERSION or \
                        not D.HEADER_LENGTH_MIN <= h.header_length <= D.HEADER_LENGTH_MAX or \
                        h.data_length > D.DATA_MAX or h.output_length > D.DATA_MAX:
                    return          # a framing error: close (this fixture answers none of them)
                need = self._need(buf)
                data, buf = buf[h.header_length:need], buf[need:]
                status, info, out, end = self.answer(dev, h, data, held)
                if status is None:  # pending until the connection ends
                    while sock.recv(65536):
                        pass
                    return
                held = held or (h.major == D.MJ_CREATE and status == D.STATUS_SUCCESS)
                sock.sendall(pack_response(h.major, h.seq, status, info, out))
                if end:
                    sock.shutdown(socket.SHUT_WR)
                    return
        except OSError:
            return
        finally:
            if held:
                with dev.lock:
                    if dev.holder is self:
                        dev.holder = None
                        dev.reset()
            sock.close()

    @staticmethod
    def _need(buf):
        h = unpack(buf)
        return h.header_length + h.data_length

    def answer(self, dev, h, data, held):
        """(status, Information, data, close after it); status None: pend."""
        if h.major not in D.tables["MAJOR"]:
            return D.STATUS_INVALID_DEVICE_REQUEST, 0, b"", False
        if h.major == D.MJ_CREATE:
            if held:
                return D.STATUS_INVALID_DEVICE_STATE, 0, b"", False
            with dev.lock:
                if dev.holder is not None and dev.fault != "sharing-allowed":
                    return D.STATUS_SHARING_VIOLATION, 0, b"", True
                dev.holder = self
                dev.reset()
            return D.STATUS_SUCCESS, 0, b"", False
        if not held:
            return D.STATUS_INVALID_HANDLE, 0, b"", False
        if h.major == D.MJ_CLOSE:
            return D.STATUS_SUCCESS, 0, b"", True
        if h.major == D.MJ_WRITE:
            return D.STATUS_SUCCESS, len(data), b"", False
        if h.major == D.MJ_DEVICE_CONTROL:
            status, out, pends = dev.ioctl(h.ioctl, h.output_length, data)
            if pends and status == D.STATUS_SUCCESS:
                return None, 0, b"", False
            if status != D.STATUS_SUCCESS:
                return status, 0, b"", False
            return status, len(out), out, False
        return D.STATUS_SUCCESS, 0, b"", False     # READ (nothing to read), CLEANUP


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main(argv=None):
    p = argparse.ArgumentParser(prog="scripted_device", description=__doc__.split("\n\n")[0])
    p.add_argument("--device", help="the .riodev description to serve")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int)
    p.add_argument("--ready-fd", type=int)
    p.add_argument("--fault", help="depart from one rule (list: the faults)")
    a = p.parse_args(argv)
    if a.fault == "list":
        for name, ids, text in FAULTS:
            print("%s\t%s\t%s" % (name, ids, text))
        return 0
    if a.fault is not None and a.fault not in [f[0] for f in FAULTS]:
        p.error("--fault %s: unknown (--fault list)" % a.fault)
    if not a.device or a.port is None:
        p.error("--device and --port are required")
    try:
        desc = devdesc.load_file(a.device).devices[0]
    except devdesc.DescriptionError as e:
        print("scripted_device: %s" % e, file=sys.stderr)
        return 2
    try:
        server = Server((a.host, a.port), Handler)
    except OSError as e:
        print("scripted_device: %s:%d: %s" % (a.host, a.port, e.strerror), file=sys.stderr)
        return 1
    server.device = Device(desc, a.fault)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    if a.ready_fd is not None:
        os.write(a.ready_fd, b"ready\n")
        os.close(a.ready_fd)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
