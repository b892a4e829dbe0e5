"""What the suite tests: a per-device server, a farm, a client command —
given on the command line, or the bundled riotoasterd/riotoast when no
target is given at all (the embedded default).

The embedded server is started fresh for every case that needs it, so a
case that breaks a server (in a --fault run) cannot spill into the next
case's verdict.
"""
import os
import shlex
import signal
import subprocess
from dataclasses import dataclass, field
from typing import List, Optional

from pyrio.daemon import Toasterd

from pyrio.riodefs import DEFS

from . import devices

# Configuration of the embedded server: the suite knows it because it
# starts it.  Against any other server the defaults are the protocol's
# (stall timeout, serial = port - BasePort) or measured (toast time).
EMBEDDED_STALL_TIMEOUT = 1          # s (riotoasterd --stall-timeout)
EMBEDDED_TOAST_MS_PER_LEVEL = 40    # ms (riotoasterd --toast-ms-per-level)
EMBEDDED_FARM_SIZE = 2
EMBEDDED_SERIALS = 2
PROTOCOL_STALL_TIMEOUT = DEFS.STALL_TIMEOUT_MS / 1000.0   # s, the protocol's default


@dataclass
class Endpoint:
    host: str
    port: int
    serial: Optional[int] = None     # per-device: the toaster's serial number
    size: Optional[int] = None       # farm: the pool's size
    base_port: Optional[int] = None  # embedded per-device: BasePort (serial N on base_port + N)
    server_args: List[str] = field(default_factory=list)  # embedded: extra arguments it runs with
    profile: Optional[object] = None  # devices.Profile: the device it serves (per-device)

    @property
    def address(self):
        return ("[%s]:%d" if ":" in self.host else "%s:%d") % (self.host, self.port)


@dataclass
class Options:
    target: Optional[Endpoint]
    farm: Optional[Endpoint]
    client_cmd: Optional[List[str]]
    embedded: bool
    stall_timeout: float
    idle_timeout: Optional[float]
    toast_ms_per_level: float
    timeout_scale: float
    reply_timeout: float
    strict: bool
    seed: int
    fuzz_cases: int
    server_args: List[str] = field(default_factory=list)
    # Where each server setting came from: "told" (an option), "embedded"
    # (the suite started the server), "default" (the protocol's),
    # "calibrated" (measured by the preflight), or "unknown".
    stall_source: str = "told"
    toast_source: str = "told"
    serial_source: str = "told"
    farm_size_source: str = "told"
    calibration_note: str = ""
    keep_transcripts: bool = False
    device: Optional[object] = None   # devices.Profile of --rio-device (None: detected, or the toaster)

    def describe(self):
        if self.embedded:
            kinds = "a %s" % self.device.name if self.device else "toasters and modems"
            return "embedded riotoasterd%s (%s per device, a farm of %d toasters) and riotoast" % (
                "".join(" " + a for a in self.server_args), kinds, EMBEDDED_FARM_SIZE)
        parts = []
        if self.target and self.target_kind() != devices.TOASTER:
            parts.append("server %s (device %s)" % (self.target.address, self.target.profile.describe()))
        elif self.target:
            parts.append("server %s (serial %d, %s%s)" % (
                self.target.address, self.target.serial,
                "told" if self.serial_source == "told" else "port - %d" % DEFS.BASE_PORT,
                ", device %s" % self.target.profile.describe() if self.target.profile.source != "default" else ""))
        if self.farm:
            parts.append("farm %s (%d toasters)" % (self.farm.address, self.farm.size))
        if self.client_cmd:
            parts.append("client %s" % " ".join(self.client_cmd))
        if self.farm or (self.target and self.target_kind() == devices.TOASTER):
            parts.append(self.timing())
        return ", ".join(parts)

    def target_kind(self):
        """The name of the per-device target's device (None: no target)."""
        return self.target.profile.name if self.target else None

    def timing(self):
        """The server settings the timing-dependent cases rely on, and why."""
        stall = "stall timeout %g s (%s)" % (self.stall_timeout, {
            "told": "--rio-stall-timeout", "default": "the protocol's default; not told"}.get(
                self.stall_source, self.stall_source))
        if self.toast_source == "unknown":
            toast = "toast time per level unknown (%s; cycle cases skip)" % self.calibration_note
        else:
            toast = "toast time %.1f ms per level (%s)" % (self.toast_ms_per_level, {
                "told": "--rio-toast-ms", "calibrated": "calibrated, " + self.calibration_note}.get(
                    self.toast_source, self.toast_source))
        return "%s, %s" % (stall, toast)

    def hint(self, rid):
        """The option that may be mis-set when rid fails, or ''."""
        for rids, option, value in (
                (("RIO-TMO-001", "RIO-TMO-003", "RIO-TMO-004", "RIO-TMO-005"), "--rio-stall-timeout",
                 ("%g s" % self.stall_timeout, self.stall_source)),
                (("RIO-TMO-007", "RIO-TMO-008"), "--rio-idle-timeout", (self.idle_timeout, "told")),
                (("RIO-TST-012", "RIO-TST-016", "RIO-TST-021", "RIO-TST-023", "RIO-TST-026", "RIO-TST-032",
                  "RIO-TST-033", "RIO-TST-034", "RIO-TST-035", "RIO-TST-046", "RIO-ERR-017", "RIO-SES-025"),
                 "--rio-toast-ms", ("%.1f ms" % self.toast_ms_per_level, self.toast_source)),
                (("RIO-ADR-006", "RIO-ADR-008", "RIO-ADR-009", "RIO-ADR-010", "RIO-ADR-011"), "--rio-farm-size",
                 (self.farm.size if self.farm else None, self.farm_size_source)),
                (("RIO-ADR-001", "RIO-ADR-003"), "--rio-serial",
                 (self.target.serial if self.target else None,
                  "told" if self.serial_source == "told" else "port - %d" % DEFS.BASE_PORT))):
            if rid in rids and not self.embedded:
                slow = "" if option in ("--rio-serial", "--rio-farm-size") else \
                    " (and --rio-timeout-scale on a slow machine)"
                return ("the suite assumed %s = %s (%s); if the server is configured otherwise, pass %s%s"
                        % (option.replace("--rio-", ""), value[0], value[1], option, slow))
        return ""


def parse_hostport(text, option):
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError("%s %s: expected HOST:PORT" % (option, text))
    return host.strip("[]"), int(port)


def options_from(config, base_port):
    get = config.getoption
    target = farm = None
    serial_source = "told"
    targets = get("rio_target") or []
    if len(targets) > 1:
        raise ValueError("--rio-target given %d times: several targets make a matrix run (conformance/rioconf/"
                         "matrix.py), which runs this suite once per target" % len(targets))
    if targets:
        host, port = parse_hostport(targets[0], "--rio-target")
        serial = get("rio_serial") if get("rio_serial") is not None else port - base_port
        target = Endpoint(host, port, serial=serial)
    told_device = devices.resolve(get("rio_device")) if get("rio_device") else None
    if target:   # untold: the toaster until the preflight detects another
        target.profile = told_device or devices.by_name(devices.TOASTER, "default")
    serial_source = "told" if get("rio_serial") is not None else "default"
    if get("rio_farm"):
        host, port = parse_hostport(get("rio_farm"), "--rio-farm")
        size = get("rio_farm_size")
        farm = Endpoint(host, port, size=size if size is not None else EMBEDDED_FARM_SIZE)
    client = shlex.split(get("rio_client_cmd")) if get("rio_client_cmd") else None
    embedded = not (target or farm or client)
    stall, toast = get("rio_stall_timeout"), get("rio_toast_ms")
    if embedded:
        stall_default, toast_default, untold = EMBEDDED_STALL_TIMEOUT, EMBEDDED_TOAST_MS_PER_LEVEL, "embedded"
    else:   # the protocol's default; the toast time is measured (preflight.calibrate)
        stall_default, toast_default, untold = PROTOCOL_STALL_TIMEOUT, 0.0, None
    return Options(target=target, farm=farm, client_cmd=client, embedded=embedded,
                   stall_timeout=stall if stall is not None else stall_default,
                   stall_source="told" if stall is not None else (untold or "default"),
                   toast_source="told" if toast is not None else (untold or "unknown"),
                   serial_source=serial_source if target else "told",
                   farm_size_source="told" if get("rio_farm_size") is not None else "default",
                   keep_transcripts=bool(get("rio_transcripts")),
                   idle_timeout=get("rio_idle_timeout"),
                   toast_ms_per_level=toast if toast is not None else toast_default,
                   timeout_scale=get("rio_timeout_scale"), reply_timeout=get("rio_reply_timeout"),
                   strict=get("rio_strict"), seed=get("rio_seed"), fuzz_cases=get("rio_fuzz_cases"),
                   server_args=list(get("rio_server_arg") or []), device=told_device)


def embedded_kind(options, kind, build_dir=None):
    """Whether the embedded run serves this device kind: True, or the
    reason why not (False: not asked for by --rio-device)."""
    if options.device is not None and options.device.name != kind:
        return False
    if kind == devices.TOASTER:
        return True
    if kind == devices.SERIAL:
        return modem_support(build_dir) if build_dir else True
    return "the embedded riotoasterd serves the toaster and the serial port only"


def modem_support(build_dir):
    """True when the bundled riotoasterd serves modems, else why not."""
    if "--modem" not in _help(build_dir):
        return "the bundled riotoasterd does not serve modems (no --modem in riotoasterd --help)"
    return True


_HELP = {}


def _help(build_dir):
    binary = os.path.join(build_dir, "toaster", "riotoasterd", "riotoasterd")
    if binary not in _HELP:
        try:
            _HELP[binary] = subprocess.run([binary, "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                           timeout=10).stdout.decode(errors="replace")
        except OSError:
            _HELP[binary] = ""
    return _HELP[binary]


def embedded_args(options, extra):
    return ["--stall-timeout", "%g" % options.stall_timeout,
            "--toast-ms-per-level", "%g" % options.toast_ms_per_level] + options.server_args + list(extra)


def start_embedded(build_dir, options, farm=False, extra=(), kind=devices.TOASTER):
    """(daemon, Endpoint) of a fresh bundled riotoasterd: a farm, or
    devices 1 and 2 of this kind (the cases use 1; 2 is its neighbour)."""
    args = embedded_args(options, extra)
    if farm:
        d = Toasterd(build_dir, farm=True, toasters=EMBEDDED_FARM_SIZE, args=args).start()
        return d, Endpoint(d.host, d.farm_port, size=EMBEDDED_FARM_SIZE, server_args=list(extra),
                           profile=devices.by_name(devices.TOASTER))
    if kind == devices.TOASTER:
        d = Toasterd(build_dir, serials=EMBEDDED_SERIALS, args=args).start()
    else:                           # modems 1..N (riotoasterd --modem 1-N), no toaster
        d = Toasterd(build_dir, serials=0, modems=EMBEDDED_SERIALS, args=args).start()
    return d, Endpoint(d.host, d.port(1), serial=1, base_port=d.base_port, server_args=list(extra),
                       profile=devices.by_name(kind))


def stop_embedded(daemon):
    """Stop the daemon; a crash or a sanitizer report is an error of the case."""
    status = daemon.stop()
    log = daemon.log()
    os.unlink(daemon._logfile.name)
    if status not in (0, -signal.SIGTERM) or "Sanitizer" in log or "runtime error:" in log:
        raise RuntimeError("the embedded riotoasterd ended badly (exit status %s):\n%s" % (status, log[-4000:]))


def bundled_client_cmd(build_dir):
    return [os.path.join(build_dir, "toaster", "riotoast", "riotoast"),
            "--server", "{host}", "--port", "{port}", "session"]
