"""Start conformance/altserver/altserver.py (or the bundled riotoasterd) as
an external target for the self-tests: on free loopback ports, ready when
the server itself says so (--ready-fd), never after a sleep.
"""
import os
import random
import subprocess
import sys
import tempfile

from pyrio.daemon import LOOPBACK, _read_ready, free_port_block, port_free

HERE = os.path.dirname(os.path.abspath(__file__))
ALTSERVER = os.path.join(HERE, "altserver.py")


def protocol_serial(rng=random.Random()):
    """A serial N whose port BasePort + N (the protocol's 5000) is free:
    an untold suite takes the serial from the port."""
    from pyrio.riodefs import DEFS
    for _ in range(200):
        n = rng.randrange(100, 1000)
        if port_free(DEFS.BASE_PORT + n):
            return n
    raise RuntimeError("no free port above %d" % DEFS.BASE_PORT)


class Server:
    """A server process started with --ready-fd; stop() ends it."""

    def __init__(self, argv, host=LOOPBACK, port=None, serial=None, farm_port=None, farm_size=None):
        self.argv, self.host, self.port, self.serial = argv, host, port, serial
        self.farm_port, self.farm_size = farm_port, farm_size
        self.proc = None

    def start(self, timeout=20.0):
        self.log = tempfile.NamedTemporaryFile(prefix="rio-target-", suffix=".log", delete=False)
        rfd, wfd = os.pipe()
        self.proc = subprocess.Popen(self.argv + ["--ready-fd", str(wfd)], stdout=self.log, stderr=self.log,
                                     stdin=subprocess.DEVNULL, pass_fds=(wfd,))
        os.close(wfd)
        try:
            ready = _read_ready(rfd, timeout)
        finally:
            os.close(rfd)
        if not ready:
            self.stop()
            raise RuntimeError("%s did not get ready:\n%s" % (self.argv[:2], self.text()))
        return self

    def text(self):
        with open(self.log.name, errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if os.path.exists(self.log.name):
            os.unlink(self.log.name)
        return self.proc.returncode if self.proc else None

    def target_args(self, told):
        """The suite's options for this server: told = its whole configuration."""
        args = ["--rio-target", "%s:%d" % (self.host, self.port)]
        if self.farm_port:
            args += ["--rio-farm", "%s:%d" % (self.host, self.farm_port)]
        return args + (told if told else [])


# The configuration the told runs use: every value differs from
# riotoasterd's embedded one (stall 1 s, 40 ms, BasePort from a free block
# with serials 1-2, farm of 2) and from the protocol's defaults.
TOLD_STALL, TOLD_TOAST_MS, TOLD_SERIAL, TOLD_FARM = 1.5, 60, 7, 3


def altserver_told():
    """altserver configured off every default; returns (Server, suite options)."""
    base = free_port_block(TOLD_SERIAL)
    farm = free_port_block(0)
    s = Server([sys.executable, ALTSERVER, "--base-port", str(base), "--serials", str(TOLD_SERIAL),
                "--farm", str(farm), "--farm-size", str(TOLD_FARM), "--stall-timeout", str(TOLD_STALL),
                "--toast-ms-per-level", str(TOLD_TOAST_MS)],
               port=base + TOLD_SERIAL, serial=TOLD_SERIAL, farm_port=farm, farm_size=TOLD_FARM).start()
    return s, ["--rio-serial", str(TOLD_SERIAL), "--rio-farm-size", str(TOLD_FARM),
               "--rio-stall-timeout", str(TOLD_STALL), "--rio-toast-ms", str(TOLD_TOAST_MS)]


def altserver_untold():
    """altserver with its defaults (the protocol's: stall 10 s, BasePort 5000;
    its own toast time) and a farm of 2, the suite's default size."""
    serial, farm = protocol_serial(), free_port_block(0)
    from pyrio.riodefs import DEFS
    return Server([sys.executable, ALTSERVER, "--serials", str(serial), "--farm", str(farm)],
                  port=DEFS.BASE_PORT + serial, serial=serial, farm_port=farm, farm_size=2).start()


def riotoasterd_told(build, serial=3, stall=2, toast_ms=35, farm_size=3):
    """The bundled riotoasterd as an external server, off its and the
    suite's embedded defaults; returns (Server, suite options)."""
    binary = os.path.join(build, "toaster", "riotoasterd", "riotoasterd")
    base, farm = free_port_block(serial), free_port_block(0)
    common = ["--listen", LOOPBACK, "--stall-timeout", str(stall), "--toast-ms-per-level", str(toast_ms)]
    dev = Server([binary, "--serials", str(serial), "--base-port", str(base)] + common,
                 port=base + serial, serial=serial).start()
    try:
        pool = Server([binary, "--farm", str(farm), "--toasters", str(farm_size)] + common, port=farm).start()
    except RuntimeError:
        dev.stop()
        raise
    dev.farm_port, dev.farm_size, dev.companion = farm, farm_size, pool
    return dev, ["--rio-serial", str(serial), "--rio-farm-size", str(farm_size), "--rio-stall-timeout", str(stall),
                 "--rio-toast-ms", str(toast_ms)]


def riotoasterd_untold(build, toast_ms=30):
    """The bundled riotoasterd on BasePort 5000 at its defaults, but for a
    toast time the suite is not told (it must measure it): two processes,
    per-device and a farm of 2."""
    from pyrio.riodefs import DEFS
    binary = os.path.join(build, "toaster", "riotoasterd", "riotoasterd")
    serial, farm = protocol_serial(), free_port_block(0)
    dev = Server([binary, "--serials", str(serial), "--listen", LOOPBACK, "--toast-ms-per-level", str(toast_ms)],
                 port=DEFS.BASE_PORT + serial, serial=serial).start()
    try:
        pool = Server([binary, "--farm", str(farm), "--toasters", "2", "--listen", LOOPBACK,
                       "--toast-ms-per-level", str(toast_ms)], port=farm).start()
    except RuntimeError:
        dev.stop()
        raise
    dev.farm_port, dev.farm_size, dev.companion = farm, 2, pool
    return dev


def altserver_modem(told):
    """altserver serving a serial port with a modem: told (another
    BasePort, and the suite given --rio-device serial) or untold (BasePort
    5000, the device left for the preflight to detect).  Returns (Server,
    suite options)."""
    from pyrio.riodefs import DEFS
    if told:
        serial = TOLD_SERIAL
        base = free_port_block(serial)
    else:
        serial, base = protocol_serial(), DEFS.BASE_PORT
    s = Server([sys.executable, ALTSERVER, "--base-port", str(base), "--serials", "", "--modems", str(serial)],
               port=base + serial, serial=serial).start()
    return s, (["--rio-device", "serial"] if told else [])


SCRIPTED_DEVICE = os.path.join(os.path.dirname(HERE), "rioconf", "scripted_device.py")


def scripted_device(description, fault=None):
    """The scripted server of a described device (conformance/rioconf/
    scripted_device.py) on a free port; returns (Server, suite options)."""
    port = free_port_block(0)
    s = Server([sys.executable, SCRIPTED_DEVICE, "--device", description, "--port", str(port)]
               + (["--fault", fault] if fault else []), port=port).start()
    return s, ["--rio-device", description]


def scripted_device_faults():
    """[(name, set of IDs, text)] from `scripted_device.py --fault list`."""
    out = subprocess.run([sys.executable, SCRIPTED_DEVICE, "--fault", "list"], stdout=subprocess.PIPE,
                         check=True, timeout=30).stdout.decode()
    rows = [line.split("\t", 2) for line in out.splitlines() if line.strip()]
    return [(name, set(ids.split(",")), text) for name, ids, text in rows]


def riotoasterd_modem(build, told):
    """The bundled riotoasterd serving one modem, as an external server:
    told (another BasePort, the suite given --rio-device serial) or untold
    (BasePort 5000, the device left for the preflight to detect).  Returns
    (Server, suite options)."""
    from pyrio.riodefs import DEFS
    binary = os.path.join(build, "toaster", "riotoasterd", "riotoasterd")
    if told:
        serial = 4
        base = free_port_block(serial)
    else:
        serial, base = protocol_serial(), DEFS.BASE_PORT
    s = Server([binary, "--modem", str(serial), "--base-port", str(base), "--listen", LOOPBACK],
               port=base + serial, serial=serial).start()
    return s, (["--rio-device", "serial"] if told else [])
