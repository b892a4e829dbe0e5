"""Helpers for rio-replay's live tests: expectation files, port maps,
recording a real session with tcpdump."""
import glob
import json
import os
import subprocess
import sys

from pyrio import DEFS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CAPTURE_DIR = os.path.join(ROOT, "captures")
sys.path.insert(0, CAPTURE_DIR)

from tools import library as daemon_layout  # noqa: E402
from tools.record import Tcpdump  # noqa: E402


def library():
    return sorted(glob.glob(os.path.join(CAPTURE_DIR, "*.pcap")) +
                  glob.glob(os.path.join(CAPTURE_DIR, "*.pcapng")))


def expectation(capture):
    with open(os.path.splitext(capture)[0] + ".json") as f:
        return json.load(f)


def replay_clean(exp):
    """A capture whose every PDU is whole and that starts at a connection's
    beginning (or a PDU boundary): a correct server matches it exactly."""
    for s in exp["sessions"]:
        for p in s["requests"] + s["responses"]:
            if not p["complete"] and "malformed" not in p:
                return False
        for q in s["problems"]:
            if q["kind"] in ("gap", "truncated"):
                return False
            if q["kind"] == "midstream" and not q.get("detail", "").startswith("0 "):
                return False
    return True


def target_host(exp):
    return "::1" if exp["sessions"][0]["server"].startswith("[") else "127.0.0.1"


FARM_PORT = DEFS.FARM_PORT
BASE_PORT = DEFS.BASE_PORT
RECORDED_TOAST_MS = "20"  # captures/README.md: recorded with --toast-ms-per-level 20


def daemon_kind(exp):
    """(farm, recorded): which riotoasterd a capture was made against."""
    farm = any(s["server"].endswith(":%d" % FARM_PORT) for s in exp["sessions"])
    return farm, exp.get("kind") == "recorded"


def modem_capture(exp):
    """Whether the capture talks to the library's modem (its waits last
    seconds: the +++ guard time, READ timeouts)."""
    return any(s["server"].endswith(":%d" % (BASE_PORT + daemon_layout.MODEM)) for s in exp["sessions"])


def daemon_for(exp, toasterd, args=()):
    """The riotoasterd the capture was made against: a farm of 2 when it
    talks to port 5000, else the library's daemon (captures/tools/library.py:
    toasters 1-8, modem 9); recorded ones toast 20 ms/level."""
    farm, recorded = daemon_kind(exp)
    args = list(args) + (["--toast-ms-per-level", RECORDED_TOAST_MS] if recorded else [])
    if farm:
        return toasterd(farm=True, toasters=2, args=args)
    return toasterd(serials=daemon_layout.TOASTERS, modems=1, args=args)


def port_map(exp, daemon):
    """--port-map for every recorded server port BASE_PORT+N -> the daemon's port N."""
    ports = sorted({int(s["server"].rsplit(":", 1)[1]) for s in exp["sessions"]})
    return ",".join("%d=%d" % (p, daemon.port(p - BASE_PORT)) for p in ports)


def faults(toasterd_bin):
    out = subprocess.run([toasterd_bin, "--fault", "list"], capture_output=True, text=True,
                         timeout=10).stdout
    return [line.split("\t")[0] for line in out.splitlines() if line.strip()]


def record(tmp_path, port, command, timeout=30):
    """Run command (a list) while tcpdump records TCP port `port` on
    loopback (the real kernel's TCP); returns the capture path and the
    command's result.  captures/tools/record.py's Tcpdump: started once it
    listens, stopped once a marker datagram reached the file, no sleeping."""
    path = str(tmp_path / "recorded.pcap")
    with Tcpdump(path, "127.0.0.1", port):
        proc = subprocess.run(command, capture_output=True, timeout=timeout)
    return path, proc
