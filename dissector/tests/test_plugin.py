"""The plugin loads and registers what it promises."""
import os
import re

import pytest

from pyrio import devdesc
from pyrio.riodefs import DEFS
import riocap
from conftest import REPO, sanitized


OTHER_PORT = 7777  # outside the default range, and not claimed by another dissector


def session_capture(folder, port=DEFS.BASE_PORT + 1):
    path = os.path.join(folder, "plugin_session_%d.pcap" % port)
    cap = riocap.Capture()
    s = riocap.Session(cap, server=("127.0.0.1", port))
    riocap.toaster_session(s)
    s.close()
    cap.write(path, expectations=False)
    os.chmod(path, 0o644)
    return path


FIELDS = ["rio.signature", "rio.version", "rio.major", "rio.header_length", "rio.seq", "rio.ioctl",
          "rio.ioctl.device_type", "rio.ioctl.function", "rio.ioctl.method", "rio.ioctl.access",
          "rio.output_length", "rio.request_length", "rio.status", "rio.information",
          "rio.response_length", "rio.data", "rio.response_in", "rio.response_to", "rio.time"]


def _plugin_version():
    """The toolkit's version (the top-level project() of CMakeLists.txt)."""
    with open(os.path.join(REPO, "CMakeLists.txt")) as f:
        return re.search(r"^project\(rio-toolkit VERSION ([0-9.]+)", f.read(), re.M).group(1)


def test_protocols_are_registered(tshark):
    protocols = {l.split("\t")[2] for l in tshark.out("-G", "protocols").splitlines()}
    assert {"rio", "rio.dev"} <= protocols


@pytest.mark.skipif(sanitized(), reason="-G plugins starts the extcap helpers, which hang under a preloaded ASan")
def test_plugin_is_loaded(tshark):
    lines = [l.split("\t") for l in tshark.out("-G", "plugins").splitlines()]
    rio = [l for l in lines if l[0].strip() == "rio.so"]
    assert rio, "rio.so not in tshark -G plugins"
    assert rio[0][1].strip() == _plugin_version()
    assert rio[0][2].strip() == "dissector"
    assert rio[0][3].strip().startswith(tshark.home)


def test_fields_have_the_filter_names(tshark):
    names = {l.split("\t")[2] for l in tshark.out("-G", "fields").splitlines() if l.startswith("F\t")}
    missing = [f for f in FIELDS if f not in names]
    assert not missing


def test_ioctl_table_is_there_for_other_decoders(tshark):
    """The rio.ioctl table stays for Lua (and C) decoders, which take
    precedence over the descriptions; the plugin itself registers none."""
    tables = tshark.out("-G", "dissector-tables")
    assert any(l.split("\t")[0] == "rio.ioctl" for l in tables.splitlines())
    decodes = [l.split("\t") for l in tshark.out("-G", "decodes").splitlines()]
    assert not [l for l in decodes if l[0] == "rio.ioctl"]


def test_fields_list_every_described_field(tshark):
    """-G fields has rio.dev.<device>.<field> for each distinct filter name
    of the shipped descriptions, as the Python reader of the same files
    (pyrio.devdesc) names them, with the type the description gives."""
    want = {}
    for dev in devdesc.load_dir(os.path.join(REPO, "devices")).devices:
        for f in dev.filters:
            want[f.filter] = f.type
    assert any(name.startswith("rio.dev.serial.") for name in want)
    got = {l.split("\t")[2]: l.split("\t")[3] for l in tshark.out("-G", "fields").splitlines()
           if l.startswith("F\t") and l.split("\t")[2].startswith("rio.dev.")}
    assert set(want) <= set(got)
    ftypes = {"u8": "FT_UINT8", "u16": "FT_UINT16", "u32": "FT_UINT32", "u64": "FT_UINT64",
              "i8": "FT_INT8", "i16": "FT_INT16", "i32": "FT_INT32", "i64": "FT_INT64",
              "char": "FT_STRINGZPAD", "bytes": "FT_BYTES"}
    assert {name: got[name] for name in want} == {name: ftypes[t] for name, t in want.items()}


NO_HEUR = ("--disable-heuristic", "rio_tcp")


def test_default_port_range(tshark, gen_dir):
    for port in (DEFS.BASE_PORT, DEFS.PORT_RANGE_LAST):
        assert "Request CREATE seq=1" in tshark.out("-r", session_capture(gen_dir, port), *NO_HEUR)


def test_other_port_needs_preference_decode_as_or_heuristic(tshark, gen_dir):
    cap = session_capture(gen_dir, OTHER_PORT)
    assert "RIO" not in tshark.out("-r", cap, *NO_HEUR)
    assert "Request CREATE seq=1" in tshark.out("-r", cap, "-o", "rio.tcp.port:%d" % OTHER_PORT, *NO_HEUR)
    assert "Request CREATE seq=1" in tshark.out("-r", cap, "-d", "tcp.port==%d,rio" % OTHER_PORT, *NO_HEUR)
    assert "Request CREATE seq=1" in tshark.out("-r", cap)
    assert tshark.run("-r", cap, "-o", "rio.tcp.port:bogus", check=False).returncode != 0


def test_heuristic_pins_the_conversation(tshark, gen_dir):
    """Only the first segment is tested by the heuristic; every later PDU
    (even a response, or one split over segments) is RIO because the
    conversation is pinned."""
    cap = session_capture(gen_dir, OTHER_PORT)
    out = tshark.out("-r", cap, "-Y", "rio", "-T", "fields", "-e", "rio.seq")
    assert len(out.split()) == 18


@pytest.mark.skipif(sanitized(), reason="-z help starts the extcap helpers, which hang under a preloaded ASan")
def test_statistics_are_registered(tshark):
    proc = tshark.run("-z", "help", check=False)
    z = (proc.stdout + proc.stderr).split()
    assert "rio,srt" in z and "rio,tree" in z
