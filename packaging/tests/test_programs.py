"""What every program does the same way: --version, and GLib's usage line
in the terminal's character set."""
import os
import re
import shutil
import subprocess

import pytest

from pyrio.daemon import Toasterd
from pkgcli import PROGRAMS, TOP, commands, help_text


def project_version():
    with open(os.path.join(TOP, "CMakeLists.txt")) as f:
        return re.search(r"project\(\s*\S+\s+VERSION\s+([0-9.]+)", f.read()).group(1)


@pytest.mark.parametrize("prog", PROGRAMS)
def test_version(prog, rio_bin):
    p = subprocess.run([rio_bin(prog), "--version"], capture_output=True, text=True, timeout=30)
    assert (p.returncode, p.stdout, p.stderr) == (0, "%s %s\n" % (prog, project_version()), "")


@pytest.mark.parametrize("prog", PROGRAMS)
def test_version_to_a_full_disk_fails(prog, rio_bin):
    with open("/dev/full", "w") as full:
        p = subprocess.run([rio_bin(prog), "--version"], stdout=full, stderr=subprocess.PIPE, timeout=30)
    assert p.returncode != 0


def run_help(binary, *args, locale):
    env = dict(os.environ, LC_ALL=locale)
    p = subprocess.run([binary, *args, "--help"], capture_output=True, env=env, timeout=30)
    assert p.returncode == 0, p.stderr
    return p.stdout.decode("utf-8")


@pytest.mark.parametrize("prog", PROGRAMS)
def test_usage_line_under_a_utf8_locale(prog, rio_bin):
    """GLib writes "[OPTION…]"; without setlocale it came out "[OPTION?]"."""
    binary = rio_bin(prog)
    glib_usage = 0
    for cmd in [[]] + [[c] for c in commands(help_text(binary))]:
        out = run_help(binary, *cmd, locale="C.UTF-8")
        assert "OPTION?" not in out, "%s %s --help: %s" % (prog, " ".join(cmd), out.splitlines()[:3])
        glib_usage += "[OPTION…]" in out
    assert glib_usage, "no GLib usage line in any of %s's help texts" % prog


def test_numbers_keep_the_c_locale(rio_build, tmp_path):
    """Only LC_CTYPE follows the environment: under a locale whose decimal
    separator is a comma, "--stall-timeout 0.5" is still half a second (with
    setlocale(LC_ALL, "") strtod would stop at the ".")."""
    if not os.path.isdir("/usr/share/i18n/locales") or not shutil.which("localedef"):
        pytest.skip("localedef or the locale sources are missing")
    made = subprocess.run(["localedef", "-i", "de_DE", "-f", "UTF-8", str(tmp_path / "de_DE.UTF-8")],
                          capture_output=True, text=True, timeout=120)
    assert made.returncode in (0, 1), made.stderr  # 1: warnings only
    env = dict(os.environ, LOCPATH=str(tmp_path), LC_ALL="de_DE.UTF-8")
    with Toasterd(rio_build, serials=1, args=["--stall-timeout", "0.5"], env=env) as d:
        assert "riotoasterd: ready" in d.log()
