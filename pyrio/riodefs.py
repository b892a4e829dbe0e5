"""Protocol constants and name tables, read from include/rio/rio.h.

rio.h keeps two machine-readable forms: `#define RIO_<NAME> <integer>` lines
and X-macro tables `#define RIO_<TABLE>_TABLE(X)` whose entries are
`X(RIO_<NAME>, "text")`.  This module turns them into a namespace:

    DEFS.MJ_READ == 3, DEFS.STATUS_SUCCESS == 0, DEFS.DATA_MAX == 1048576
    DEFS.tables["STATUS"][0xC0000008] == "STATUS_INVALID_HANDLE"
"""
import os
import re
import types

_HERE = os.path.dirname(os.path.abspath(__file__))
# An installed pyrio carries a copy of rio.h made at build time (setup.py);
# in the source tree it is include/rio/rio.h.
_INSTALLED_H = os.path.join(_HERE, "rio.h")
RIO_H = _INSTALLED_H if os.path.exists(_INSTALLED_H) else os.path.join(
    os.path.dirname(_HERE), "include", "rio", "rio.h")

_DEFINE = re.compile(r'^#define\s+RIO_([A-Z0-9_]+)\s+(0x[0-9A-Fa-f]+|\d+)\b')
_STRING = re.compile(r'^#define\s+RIO_([A-Z0-9_]+)\s+"([^"]*)"')
_TABLE = re.compile(r'^#define\s+RIO_([A-Z0-9_]+)_TABLE\(X\)')
_ENTRY = re.compile(r'X\(RIO_([A-Z0-9_]+),\s*"([^"]*)"\)')


def parse(path=RIO_H):
    values, strings, tables = {}, {}, {}
    table = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            m = _TABLE.match(line)
            if m:
                table = tables.setdefault(m.group(1), {})
                continue
            if table is not None:
                for sym, text in _ENTRY.findall(line):
                    table[values[sym]] = text
                if not line.endswith("\\"):
                    table = None
                continue
            m = _DEFINE.match(line)
            if m:
                values[m.group(1)] = int(m.group(2), 0)
                continue
            m = _STRING.match(line)
            if m:
                strings[m.group(1)] = m.group(2)
    ns = types.SimpleNamespace(**values, **strings)
    ns.tables = tables
    ns.values = values
    return ns


DEFS = parse()


def name_of(table, value):
    """Name of `value` in rio.h's RIO_<table>_TABLE, or hex if unknown."""
    name = DEFS.tables[table].get(value)
    return name if name is not None else "0x%08X" % value


def major_name(major):
    name = DEFS.tables["MAJOR"].get(major)
    return DEFS.MJ_PREFIX + name if name else "0x%02X" % major
