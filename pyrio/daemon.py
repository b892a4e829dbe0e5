"""Start the bundled riotoasterd on free loopback ports, for tests.

    with Toasterd(build_dir, serials=2) as d:      # per-device mode
        d.port(1)                                  # port of toaster 1
    with Toasterd(build_dir, serials=2, modems=1) as d:   # toasters 1-2, modem 3
        d.port(3)
    with Toasterd(build_dir, serials=0, devices=[("tty", 1, "/dev/pts/7")]) as d:
        d.port(1)                                  # a real tty as serial 1
    with Toasterd(build_dir, farm=True, toasters=3) as d:
        d.farm_port
    with Toasterd(build_dir, farm=True, toasters=0, modems=2) as d:   # a farm of modems

Readiness comes from the daemon itself (--ready-fd: it writes "ready\n" to a
pipe once every socket listens), never from sleeping; its stderr goes to a
file (d.log()) so it can never block.
"""
import os
import random
import select
import signal
import socket
import subprocess
import tempfile
import time

LOOPBACK = "127.0.0.1"


def port_free(port, host=LOOPBACK):
    """Whether `port` can be bound on `host` (an IPv4 or IPv6 address)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port_block(count, rng=random.Random()):
    """A base port B such that B+1 .. B+count are all free (B itself too)."""
    for _ in range(200):
        base = rng.randrange(20000, 60000 - count)
        if all(port_free(base + i) for i in range(count + 1)):
            return base
    raise RuntimeError("no block of %d free loopback ports" % count)


def launch(argv, logfile, timeout, env=None):
    """Start riotoasterd (argv[0] or wrapped: the binary is the first argument
    ending in 'riotoasterd') with --ready-fd; return (proc, ready)."""
    rfd, wfd = os.pipe()
    at = next(i for i, a in enumerate(argv) if a.endswith("riotoasterd")) + 1
    argv = argv[:at] + ["--ready-fd", str(wfd)] + argv[at:]
    proc = subprocess.Popen(argv, stdout=logfile, stderr=logfile, stdin=subprocess.DEVNULL,
                            pass_fds=(wfd,), env=env)
    os.close(wfd)
    try:
        return proc, _read_ready(rfd, timeout)
    finally:
        os.close(rfd)


def _read_ready(rfd, timeout):
    deadline = time.monotonic() + timeout
    got = b""
    while got != b"ready\n":
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([rfd], [], [], left)[0]:
            return False
        chunk = os.read(rfd, 64)
        if not chunk:
            return False
        got += chunk
    return True


def wait_listening(ports, proc, deadline_s=10.0, host=LOOPBACK):
    deadline = time.monotonic() + deadline_s
    pending = list(ports)
    while pending:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection((host, pending[0]), timeout=0.5).close()
            pending.pop(0)
        except OSError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
    return True


def serial_list(text):
    """riotoasterd's serial LIST ("1-3,5") as a set of ints."""
    out = set()
    for item in text.split(","):
        lo, _, hi = item.partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return out


def named_serials(args):
    """The serials that --modem LIST and --device KIND:LIST[:ARG] in args
    give a kind of their own (a malformed value names none: the daemon
    reports it)."""
    named = set()
    pairs = [a.split("=", 1) for a in args if a.startswith("--") and "=" in a] + list(zip(args, args[1:]))
    for opt, value in pairs:
        try:
            if opt in ("--modem", "-m"):
                named |= serial_list(value)
            elif opt in ("--device", "-d"):
                named |= serial_list(value.split(":")[1])
        except (ValueError, IndexError):
            pass
    return named


class Toasterd:
    """Per-device mode: devices 1..serials, toasters unless `args` give one
    another kind (--modem LIST, --device KIND:LIST), then modems numbered
    after them, then `devices` [(kind, serial, arg or None)] with serials of
    their own.  Farm mode: --toasters, --modems and the same `devices`
    behind one port."""

    def __init__(self, build_dir, serials=1, farm=False, toasters=2, modems=0, devices=(), args=(),
                 wrapper=(), env=None, ready_timeout=10.0):
        self.binary = os.path.join(build_dir, "toaster", "riotoasterd", "riotoasterd")
        self.serials, self.farm, self.toasters, self.modems = serials, farm, toasters, modems
        self.devices = [tuple(dev) + (None,) * (3 - len(dev)) for dev in devices]
        self.args, self.wrapper, self.env = list(args), list(wrapper), env
        self.ready_timeout = ready_timeout
        self.proc = None
        self.host = LOOPBACK

    def _device_args(self):
        out = []
        for kind, serial, arg in self.devices:
            out += ["--device", "%s:%d%s" % (kind, serial, "" if arg is None else ":" + arg)]
        return out

    def toaster_serials(self):
        return sorted(set(range(1, self.serials + 1)) - named_serials(self.args))

    def all_serials(self):
        """Every per-device serial, ascending."""
        first_modem = self.serials + 1
        return sorted(set(range(1, first_modem)) | set(range(first_modem, first_modem + self.modems)) |
                      {serial for _, serial, _ in self.devices} | named_serials(self.args))

    def command(self):
        if self.farm:
            self.farm_port = free_port_block(0)
            mode = ["--farm", str(self.farm_port)]
            if self.toasters or not (self.modems or self.devices):
                mode += ["--toasters", str(self.toasters)]
            if self.modems:
                mode += ["--modems", str(self.modems)]
        else:
            self.base_port = free_port_block(max(self.all_serials(), default=1))
            mode = ["--base-port", str(self.base_port)]
            toasters = self.toaster_serials()
            if toasters:
                mode += ["--serials", ",".join(map(str, toasters))]
            if self.modems:
                mode += ["--modem", "%d-%d" % (self.serials + 1, self.serials + self.modems)]
        return self.wrapper + [self.binary] + mode + self._device_args() + self.args

    def ports(self):
        if self.farm:
            return [self.farm_port]
        return [self.base_port + n for n in self.all_serials()]

    def port(self, serial=1):
        return self.farm_port if self.farm else self.base_port + serial

    def start(self):
        self._logfile = tempfile.NamedTemporaryFile(prefix="riotoasterd-", suffix=".log", delete=False)
        for _ in range(5):  # a port taken between the check and the bind: retry
            self.proc, ready = launch(self.command(), self._logfile, self.ready_timeout, self.env)
            if ready:
                return self
            if self.proc.poll() is None:
                self.stop()
                raise RuntimeError("riotoasterd did not get ready in time:\n" + self.log())
            if self.proc.returncode != 2:  # 2: usage error or a port already bound
                break
        raise RuntimeError("riotoasterd failed to start:\n" + self.log())

    def stop(self, sig=signal.SIGTERM, timeout=20.0):
        """Stop the daemon; return its exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def log(self):
        with open(self._logfile.name, errors="replace") as f:
            return f.read()

    def __enter__(self):
        return self.start()

    def cleanup(self):
        """Stop the daemon and remove its log file."""
        self.stop()
        os.unlink(self._logfile.name)

    def __exit__(self, *exc):
        self.cleanup()
