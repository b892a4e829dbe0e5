"""`cmake --install` into a fresh prefix (DESTDIR under a temporary folder):
every program, its man page, the bash completions, the Wireshark plugin and
the Python packages land under the prefix, the programs run from there, and
the conformance suite runs as an installed pytest plugin from a folder
outside the source tree against a live riotoasterd."""
import glob
import os
import subprocess


import pytest

from pkgcli import PROGRAMS, TOP
from pyrio.daemon import Toasterd

PYTHON = "/usr/bin/python3"  # Debian's, with pytest (not the python3 on PATH)


def test_every_file_is_under_the_prefix(installed):
    outside = [f for f in installed.files if not ("/" + f).startswith(installed.prefix + "/")]
    assert not outside, "installed outside the prefix %s: %s" % (installed.prefix, outside)


@pytest.mark.parametrize("prog", PROGRAMS)
def test_program_man_page_and_completion_installed(installed, prog):
    rel = installed.prefix.lstrip("/")
    for path in ("bin/%s" % prog, "share/man/man1/%s.1" % prog, "share/bash-completion/completions/%s" % prog):
        assert os.path.join(rel, path) in installed.files, path
    assert os.access(installed.path("bin", prog), os.X_OK)


@pytest.mark.parametrize("prog", PROGRAMS)
def test_installed_program_runs(installed, prog):
    p = subprocess.run([installed.path("bin", prog), "--help"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert "Usage" in p.stdout


def test_plugin_installed_under_the_prefix(installed, rio_build):
    if not os.path.exists(os.path.join(rio_build, "dissector", "rio.so")):
        pytest.skip("this build has no Wireshark plugin")
    found = glob.glob(os.path.join(installed.root, "lib", "**", "wireshark", "plugins", "*", "epan", "rio.so"),
                      recursive=True)
    assert len(found) == 1, "rio.so under %s/lib/.../wireshark/plugins/X.Y/epan: %s" % (installed.prefix, found)


def test_python_packages_installed(installed):
    site = installed.site
    suite = sorted(os.path.basename(f) for f in glob.glob(os.path.join(TOP, "conformance", "test_*.py")))
    got = sorted(os.path.basename(f) for f in glob.glob(os.path.join(site, "rioconf", "suite", "test_*.py")))
    assert got == suite
    devices = sorted(os.path.basename(f) for f in glob.glob(os.path.join(TOP, "devices", "*.riodev")))
    assert sorted(os.listdir(installed.path("share", "rio", "devices"))) == devices
    for rel in ("pyrio/__init__.py", "pyrio/rio.h", "rioconf/__init__.py", "rioconf/docs/PROTOCOL.md",
                "rioconf/suite/untestable.txt", "rioconf/suite/rioconf/plugin.py"):
        assert os.path.isfile(os.path.join(site, rel)), rel
    # Installed, the rioconf plugin registers the hooks: the source tree's
    # conftest.py (which does the same) must not come along.
    assert not os.path.exists(os.path.join(site, "rioconf", "suite", "conftest.py"))
    with open(os.path.join(site, "rioconf.egg-info", "entry_points.txt")) as f:
        assert f.read().split() == ["[pytest11]", "rioconf", "=", "rioconf"]


def outside_env(installed, **extra):
    """Environment of a user of the installed tree: its bin/ on PATH, its
    site folder on PYTHONPATH, nothing of the source tree."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "RIO_"))}
    env.update(PATH=installed.path("bin") + ":/usr/bin:/bin", PYTHONPATH=installed.site, **extra)
    return env


def test_pyrio_imports_from_the_install(installed, tmp_path):
    code = "import pyrio, pyrio.riodefs as d; print(pyrio.__file__); print(d.RIO_H); print(d.DEFS.BASE_PORT)"
    p = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                       env=outside_env(installed), timeout=60)
    assert p.returncode == 0, p.stderr
    module, header, port = p.stdout.split()
    assert module.startswith(installed.site) and header == os.path.join(installed.site, "pyrio", "rio.h")
    assert int(port) == 5000


@pytest.fixture
def installed_daemon(installed):
    """The installed riotoasterd on free loopback ports (toasters 1 and 2)."""
    d = Toasterd("/nonexistent", serials=2, args=["--stall-timeout", "1"])
    d.binary = installed.path("bin", "riotoasterd")
    d.start()
    yield d
    d.cleanup()


def run_suite(installed, cwd, *args):
    p = subprocess.run([PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                       capture_output=True, text=True, cwd=cwd, env=outside_env(installed), timeout=600)
    return p.returncode, p.stdout + p.stderr


def test_conformance_plugin_against_live_server(installed, installed_daemon, tmp_path):
    """python3 -m pytest -p rioconf --rio-target ..., from a folder outside
    the tree: the installed cases are collected and pass."""
    (tmp_path / "empty").mkdir()
    rc, out = run_suite(installed, tmp_path / "empty", "-p", "rioconf", "-vv",
                        "--rio-target", "127.0.0.1:%d" % installed_daemon.port(1), "--rio-serial", "1",
                        "-k", "framing or test_registry", "--rio-json", str(tmp_path / "report.json"))
    assert rc == 0, out
    assert "RIO/1 conformance: server 127.0.0.1:%d" % installed_daemon.port(1) in out
    assert " passed" in out and "no requirement violated" in out
    # cwd is an empty folder and PYTHONPATH the install: the cases came from there
    assert not os.listdir(tmp_path / "empty")
    assert "test_framing.py::test_response_header_fields PASSED" in out
    assert (tmp_path / "report.json").exists()


def test_conformance_plugin_finds_a_fault(installed, tmp_path):
    """The installed suite is no rubber stamp: a server with a fault fails."""
    d = Toasterd("/nonexistent", serials=1, args=["--stall-timeout", "1", "--fault", "wrong-sequence"])
    d.binary = installed.path("bin", "riotoasterd")
    with d:
        rc, out = run_suite(installed, tmp_path, "-p", "rioconf", "--rio-target", "127.0.0.1:%d" % d.port(1),
                            "--rio-serial", "1", "-k", "framing")
    assert rc == 1, out
    assert "requirements FAILED" in out and "RIO-FRM-019" in out


def test_entry_point_loads_the_plugin_without_p(installed, installed_daemon, tmp_path):
    """The pytest11 entry point: --rio-target is known without -p rioconf."""
    rc, out = run_suite(installed, tmp_path, "--rio-target", "127.0.0.1:%d" % installed_daemon.port(1),
                        "--rio-serial", "1", "-k", "test_signature_checked or test_spec_parses")
    assert rc == 0, out
    assert " passed" in out


def test_embedded_mode_runs_the_installed_programs(installed, tmp_path):
    """No target at all: the suite starts the installed riotoasterd from PATH."""
    rc, out = run_suite(installed, tmp_path, "-p", "rioconf", "-k", "framing and not farm")
    assert rc == 0, out
    assert "embedded riotoasterd" in out and " passed" in out


def test_help_lists_the_suite_options(installed, tmp_path):
    rc, out = run_suite(installed, tmp_path, "-p", "rioconf", "--help")
    assert rc == 0, out
    for opt in ("--rio-target", "--rio-farm", "--rio-client-cmd", "--rio-strict"):
        assert opt in out




def test_source_tree_suite_ignores_the_installed_plugin(installed, rio_build):
    """With the installed rioconf visible (its entry point), the source
    tree's own suite still runs: pytest.ini keeps the two from colliding."""
    env = outside_env(installed)
    env["PYTHONPATH"] = installed.site
    p = subprocess.run([PYTHON, "-m", "pytest", "-q", "conformance", "--rio-build", rio_build,
                        "-k", "test_spec_parses"], capture_output=True, text=True, cwd=TOP, env=env, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "1 passed" in p.stdout


def test_device_descriptions_load_from_the_install(installed, tmp_path):
    """pyrio.devdesc finds its installation's descriptions (share/rio/devices)."""
    code = ("import pyrio.devdesc as dd; print(dd.default_dirs()[0]); "
            "print(' '.join(sorted(d.name for d in dd.load_default().devices)))")
    p = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                       env=outside_env(installed), timeout=60)
    assert p.returncode == 0, p.stderr
    where, names = p.stdout.splitlines()
    assert where == installed.path("share", "rio", "devices")
    assert names.split(), "no device loaded"
