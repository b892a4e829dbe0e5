"""Run tshark with the freshly built rio.so, as an unprivileged user.

Wireshark running as root ignores the personal plugin folder (and
WIRESHARK_PLUGIN_DIR), and CI runs as root: so tshark runs as uid/gid 65534
through setpriv, with a temporary world-readable HOME whose
.local/lib/wireshark/plugins/<major.minor>/epan holds a copy of the plugin.
Nothing is ever written into the system plugin folder.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

NOBODY = 65534
TSHARK_TIMEOUT = 300


def _ws_major_minor():
    mm = os.environ.get("RIO_WS_MAJOR_MINOR")
    if mm:
        return mm
    out = subprocess.run(["tshark", "--version"], capture_output=True, text=True, check=True).stdout
    return ".".join(out.split()[2].split(".")[:2])


def _plugin_path(request):
    path = os.environ.get("RIO_DISSECTOR_PLUGIN")
    if not path:
        build = request.config.getoption("--rio-build")
        path = os.path.join(build, "dissector", "rio.so")
    if not os.path.isfile(path):
        pytest.exit("rio.so not found at %s (build it, or set RIO_DISSECTOR_PLUGIN)" % path, returncode=4)
    return path


def sanitized():
    """Is the plugin built with ASan+UBSan (cmake -DRIO_SANITIZE=ON)?"""
    return os.environ.get("RIO_SANITIZE", "0").upper() in ("1", "ON", "TRUE", "YES")


def _sanitizer_env():
    """tshark is not built with ASan: the runtime must be preloaded for the
    plugin's sake."""
    if not sanitized():
        return []
    libs = [subprocess.run(["gcc", "-print-file-name=" + lib], capture_output=True, text=True,
                           check=True).stdout.strip() for lib in ("libasan.so", "libubsan.so")]
    return ["LD_PRELOAD=" + " ".join(libs), "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1",
            "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1"]


class Tshark:
    """tshark as uid 65534 with the plugin in its HOME; a dissector bug
    aborts tshark (and fails the test) instead of becoming an expert item."""

    def __init__(self, home, plugin_dir):
        self.home = home
        self.plugin_dir = plugin_dir
        self.version = tuple(int(x) for x in _ws_major_minor().split("."))
        self.env = ["PATH=/usr/bin:/bin", "HOME=" + home, "LANG=C.UTF-8",
                    "WIRESHARK_ABORT_ON_DISSECTOR_BUG=1"] + _sanitizer_env()

    def command(self, args, env=()):
        env = ["env", "-i"] + self.env + list(env)
        prefix = []
        if os.geteuid() == 0:
            prefix = ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups"]
        return prefix + env + ["tshark"] + list(args)

    def run(self, *args, check=True, env=()):
        """env: more VAR=value settings for this run."""
        proc = subprocess.run(self.command(args, env), capture_output=True, text=True,
                              timeout=TSHARK_TIMEOUT, cwd=self.home)
        if "AddressSanitizer" in proc.stderr or "runtime error:" in proc.stderr:
            raise AssertionError("sanitizer report from tshark %s:\n%s" % (" ".join(args), proc.stderr[-3000:]))
        if check and proc.returncode != 0:
            raise AssertionError("tshark %s failed (%d): %s" % (" ".join(args), proc.returncode, proc.stderr))
        return proc

    def out(self, *args):
        return self.run(*args).stdout

    def json(self, cap, *args):
        """Packets of `cap` as tshark's JSON, frame, IP, TCP and RIO layers only."""
        return json.loads(self.out("-r", cap, "-T", "json", "--no-duplicate-keys", "-J", "frame ip ipv6 tcp rio", *args) or "[]")


@pytest.fixture(scope="session")
def ws_home(request):
    home = tempfile.mkdtemp(prefix="rio-dissector-")
    os.chmod(home, 0o755)
    yield home
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def tshark(request, ws_home):
    plugin_dir = os.path.join(ws_home, ".local", "lib", "wireshark", "plugins", _ws_major_minor(), "epan")
    os.makedirs(plugin_dir)
    shutil.copy(_plugin_path(request), os.path.join(plugin_dir, "rio.so"))
    for root, dirs, files in os.walk(ws_home):
        for name in dirs + files:
            os.chmod(os.path.join(root, name), 0o755)
    return Tshark(ws_home, plugin_dir)


@pytest.fixture(scope="session")
def gen_dir(ws_home):
    """A folder uid 65534 can read, for generated captures."""
    path = os.path.join(ws_home, "captures")
    os.makedirs(path, exist_ok=True)
    os.chmod(path, 0o755)
    return path


def library_captures():
    caps = glob.glob(os.path.join(REPO, "captures", "*.pcap")) + glob.glob(os.path.join(REPO, "captures", "*.pcapng"))
    return sorted(c for c in caps if os.path.isfile(os.path.splitext(c)[0] + ".json"))
