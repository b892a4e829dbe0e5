"""rioconf — the RIO/1 conformance suite as an installed pytest plugin.

    python3 -m pytest -p rioconf --rio-target 127.0.0.1:5001
    python3 -m pytest -p rioconf --rio-farm HOST:PORT --rio-client-cmd "myclient {host} {port}"
    python3 -m pytest -p rioconf                 # the installed riotoasterd/riotoast

The cases and their machinery are rioconf.suite (conformance/ of the
source tree); this module is what pytest loads (`-p rioconf`, or the
`pytest11` entry point).  It registers the suite's hooks and fixtures and,
when no test path is given, collects the installed cases.
"""
import os
import shutil

import pytest

from .suite.rioconf.plugin import *  # noqa: F401,F403  (hooks and fixtures)
from .suite.rioconf.plugin import pytest_configure as _suite_configure

SUITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "suite")


def _no_path_given(config):
    if not hasattr(config, "args"):  # --help, --version: nothing is collected
        return False
    source = getattr(config, "args_source", None)  # pytest >= 7.3
    if source is not None:
        return source.name in ("INVOCATION_DIR", "INCOVATION_DIR")  # spelt so before pytest 8
    return list(config.args) == [str(config.invocation_params.dir)]


def pytest_configure(config):
    _suite_configure(config)
    if _no_path_given(config):
        config.args[:] = [SUITE]


@pytest.fixture(scope="session")
def rio_build(tmp_path_factory):
    """The embedded mode (no --rio-target, --rio-farm or --rio-client-cmd)
    runs riotoasterd and riotoast from PATH.  The suite finds them the way
    it does in a build tree, so this lays out one of symlinks."""
    tree = tmp_path_factory.mktemp("rio-programs")
    for name in ("riotoasterd", "riotoast"):
        found = shutil.which(name)
        if not found:
            pytest.exit("rioconf: %s is not on PATH; give --rio-target/--rio-farm/--rio-client-cmd "
                        "or install the RIO tools" % name, returncode=4)
        os.makedirs(tree / "toaster" / name)
        os.symlink(found, tree / "toaster" / name / name)
    return str(tree)
