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
from dataclasses import dataclass, field
from typing import List, Optional

from pyrio.daemon import Toasterd

# Configuration of the embedded server; the matching suite defaults below
# (stall timeout, toasting time) describe it.
EMBEDDED_STALL_TIMEOUT = 1          # s (riotoasterd --stall-timeout)
EMBEDDED_TOAST_MS_PER_LEVEL = 40    # ms (riotoasterd --toast-ms-per-level)
EMBEDDED_FARM_SIZE = 2
EMBEDDED_SERIALS = 2


@dataclass
class Endpoint:
    host: str
    port: int
    serial: Optional[int] = None     # per-device: the toaster's serial number
    size: Optional[int] = None       # farm: the pool's size
    base_port: Optional[int] = None  # embedded per-device: BasePort (serial N on base_port + N)
    server_args: List[str] = field(default_factory=list)  # embedded: extra arguments it runs with

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

    def describe(self):
        if self.embedded:
            return "embedded riotoasterd (per-device and farm of %d) and riotoast" % EMBEDDED_FARM_SIZE
        parts = []
        if self.target:
            parts.append("server %s (serial %d)" % (self.target.address, self.target.serial))
        if self.farm:
            parts.append("farm %s (%d toasters)" % (self.farm.address, self.farm.size))
        if self.client_cmd:
            parts.append("client %s" % " ".join(self.client_cmd))
        return ", ".join(parts)


def parse_hostport(text, option):
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError("%s %s: expected HOST:PORT" % (option, text))
    return host.strip("[]"), int(port)


def options_from(config, base_port):
    get = config.getoption
    target = farm = None
    if get("rio_target"):
        host, port = parse_hostport(get("rio_target"), "--rio-target")
        serial = get("rio_serial") if get("rio_serial") is not None else port - base_port
        target = Endpoint(host, port, serial=serial)
    if get("rio_farm"):
        host, port = parse_hostport(get("rio_farm"), "--rio-farm")
        farm = Endpoint(host, port, size=get("rio_farm_size"))
    client = shlex.split(get("rio_client_cmd")) if get("rio_client_cmd") else None
    embedded = not (target or farm or client)
    stall = get("rio_stall_timeout")
    toast = get("rio_toast_ms")
    return Options(target=target, farm=farm, client_cmd=client, embedded=embedded,
                   stall_timeout=stall if stall is not None else EMBEDDED_STALL_TIMEOUT,
                   idle_timeout=get("rio_idle_timeout"),
                   toast_ms_per_level=toast if toast is not None else EMBEDDED_TOAST_MS_PER_LEVEL,
                   timeout_scale=get("rio_timeout_scale"), reply_timeout=get("rio_reply_timeout"),
                   strict=get("rio_strict"), seed=get("rio_seed"), fuzz_cases=get("rio_fuzz_cases"),
                   server_args=list(get("rio_server_arg") or []))


def embedded_args(options, extra):
    return ["--stall-timeout", "%g" % options.stall_timeout,
            "--toast-ms-per-level", "%g" % options.toast_ms_per_level] + options.server_args + list(extra)


def start_embedded(build_dir, options, farm=False, extra=()):
    """(daemon, Endpoint) of a fresh bundled riotoasterd: a farm, or
    toasters 1 and 2 (the cases use 1; 2 is its neighbour)."""
    args = embedded_args(options, extra)
    if farm:
        d = Toasterd(build_dir, farm=True, toasters=EMBEDDED_FARM_SIZE, args=args).start()
        return d, Endpoint(d.host, d.farm_port, size=EMBEDDED_FARM_SIZE, server_args=list(extra))
    d = Toasterd(build_dir, serials=EMBEDDED_SERIALS, args=args).start()
    return d, Endpoint(d.host, d.port(1), serial=1, base_port=d.base_port, server_args=list(extra))


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
