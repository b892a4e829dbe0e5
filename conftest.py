"""Options and fixtures shared by every pytest suite of the project."""
import os

import pytest

from pyrio.daemon import Toasterd

ROOT = os.path.dirname(os.path.abspath(__file__))


def pytest_addoption(parser):
    group = parser.getgroup("rio")
    group.addoption("--rio-build", default=os.environ.get("RIO_BUILD", os.path.join(ROOT, "build")),
                    help="CMake build directory holding the programs under test")


@pytest.fixture(scope="session")
def rio_build(request):
    path = os.path.abspath(request.config.getoption("--rio-build"))
    if not os.path.isdir(path):
        pytest.exit("--rio-build %s: no such build directory" % path, returncode=4)
    return path


@pytest.fixture(scope="session")
def rio_bin(rio_build):
    """Path of a built program: rio_bin('riotoast')."""
    where = {"riotoasterd": "toaster/riotoasterd", "riotoast": "toaster/riotoast",
             "rio-replay": "replay"}

    def path(name):
        return os.path.join(rio_build, where.get(name, ""), name)
    return path


@pytest.fixture
def toasterd(rio_build):
    """Factory: toasterd(serials=2, args=[...]) or toasterd(farm=True, toasters=3).
    Every daemon started is stopped at the end of the test."""
    started = []

    def start(**kw):
        d = Toasterd(rio_build, **kw).start()
        started.append(d)
        return d
    yield start
    for d in started:
        d.cleanup()
