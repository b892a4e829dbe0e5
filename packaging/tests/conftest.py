"""Fixtures of the packaging tests: the build's programs, and one
`cmake --install` of the build into a fresh prefix under a temporary
DESTDIR (nothing is written outside it)."""
import os
import subprocess
from dataclasses import dataclass

import pytest

PREFIX = "/opt/rio-test"


@dataclass
class Installed:
    destdir: str
    prefix: str            # as configured (what the programs see)
    root: str              # destdir + prefix: where the files are
    files: list            # every installed path, relative to destdir
    site: str              # the Python packages' directory

    def path(self, *parts):
        return os.path.join(self.root, *parts)


@pytest.fixture(scope="session")
def installed(rio_build, tmp_path_factory):
    destdir = str(tmp_path_factory.mktemp("destdir"))
    env = dict(os.environ, DESTDIR=destdir)
    p = subprocess.run(["cmake", "--install", rio_build, "--prefix", PREFIX],
                       capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    files = sorted(os.path.relpath(os.path.join(d, f), destdir)
                   for d, _, names in os.walk(destdir) for f in names)
    root = destdir + PREFIX
    return Installed(destdir, PREFIX, root, files, os.path.join(root, cache_value(rio_build, "RIO_PYTHON_INSTALL_DIR")))


def cache_value(build, name):
    """A variable of the build's CMakeCache.txt."""
    with open(os.path.join(build, "CMakeCache.txt"), encoding="utf-8") as f:
        for line in f:
            key, sep, value = line.rstrip("\n").partition("=")
            if sep and key.split(":")[0] == name:
                return value
    raise KeyError("%s not in %s/CMakeCache.txt" % (name, build))
