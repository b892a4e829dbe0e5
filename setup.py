"""Build the installed Python side (see setup.cfg for what goes where).

    python3 setup.py build --build-base DIR egg_info --egg-base DIR

is what CMake runs (packaging/CMakeLists.txt); nothing here downloads.
Files from outside the packages travel with them, copied at build time so
that the source tree keeps one copy of each (the device descriptions do
not: pyrio.devdesc reads <prefix>/share/rio/devices, installed by
lib/riodev with the programs):
  include/rio/rio.h    -> pyrio/rio.h           (pyrio.riodefs reads it)
  docs/PROTOCOL.md     -> rioconf/docs/PROTOCOL.md  (the requirement registry)
conformance/conftest.py is left out: installed, the rioconf plugin itself
registers the hooks that file imports in the source tree.
"""
import os
import re

from setuptools import setup
from setuptools.command.build_py import build_py

TOP = os.path.dirname(os.path.abspath(__file__))

# Package-relative destination -> source (relative to this folder), copied verbatim.
CARRIED = {
    os.path.join("pyrio", "rio.h"): os.path.join("include", "rio", "rio.h"),
    os.path.join("rioconf", "docs", "PROTOCOL.md"): os.path.join("docs", "PROTOCOL.md"),
}
LEFT_OUT = {("rioconf.suite", "conftest")}


def project_version():
    """The version of project(... VERSION x.y.z) in CMakeLists.txt."""
    with open(os.path.join(TOP, "CMakeLists.txt"), encoding="utf-8") as f:
        m = re.search(r"project\(\s*\S+\s+VERSION\s+([0-9.]+)", f.read())
    if not m:
        raise SystemExit("setup.py: no project(... VERSION ...) in CMakeLists.txt")
    return m.group(1)


class BuildPy(build_py):
    def find_package_modules(self, package, package_dir):
        return [m for m in super().find_package_modules(package, package_dir)
                if (m[0], m[1]) not in LEFT_OUT]

    def run(self):
        super().run()
        for dest, src in CARRIED.items():
            target = os.path.join(self.build_lib, dest)
            self.mkpath(os.path.dirname(target))
            self.copy_file(os.path.join(TOP, src), target)


setup(version=project_version(), cmdclass={"build_py": BuildPy})
