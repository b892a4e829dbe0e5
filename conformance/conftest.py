"""The RIO/1 conformance suite's pytest plugin (see README.md).  The hooks
and fixtures live in rioconf/plugin.py; importing them here registers them
for every case under conformance/."""
from .rioconf.plugin import *  # noqa: F401,F403
