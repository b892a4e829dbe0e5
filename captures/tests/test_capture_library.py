"""The capture library keeps its promises: crafted captures regenerate
byte-identical, every capture has a JSON that follows the contract,
expect.py (the independent reassembler) reproduces the recorded JSON and
agrees with the generator on the crafted captures, tcpdump reads every
file, and the crafted traffic is what a real riotoasterd answers."""
import glob
import json
import os
import subprocess
import sys

import pytest

CAPTURES = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, CAPTURES)

from tools import catalog, expect, library, schema  # noqa: E402
from tools.contract import REQUEST, RESPONSE  # noqa: E402

from pyrio import unpack  # noqa: E402
from pyrio.codec import HEADER_SIZE  # noqa: E402
from pyrio.conn import PDU, Conn  # noqa: E402
from pyrio.modemmodel import ModemPort  # noqa: E402

PY = sys.executable
GEN = os.path.join(CAPTURES, "gen.py")


def capture_files():
    return sorted(glob.glob(os.path.join(CAPTURES, "*.pcap")) + glob.glob(os.path.join(CAPTURES, "*.pcapng")))


def json_of(path):
    with open(os.path.splitext(path)[0] + ".json") as f:
        return json.load(f)


def names(kind):
    return [os.path.basename(p) for p in capture_files() if json_of(p)["kind"] == kind]


def comparable(doc):
    """A document without the fields expect.py cannot know, problems as a
    multiset (their order and detail text are not significant)."""
    doc = dict(doc, sessions=[dict(s) for s in doc["sessions"]])
    for key in ("description", "kind"):
        doc.pop(key)
    for s in doc["sessions"]:
        s["problems"] = sorted((p["kind"], p["direction"], p.get("pdu", -1)) for p in s["problems"])
    return doc


# ---- the library as committed ------------------------------------------------------

def test_library_is_not_empty():
    assert len(names("crafted")) == len(catalog.CRAFTED)
    assert names("recorded"), "no recorded captures: captures/make recorded BUILD_DIR"


def test_every_json_has_its_capture():
    for path in glob.glob(os.path.join(CAPTURES, "*.json")):
        with open(path) as f:
            capture = json.load(f)["capture"]
        assert os.path.exists(os.path.join(CAPTURES, capture)), path


@pytest.mark.parametrize("name", [os.path.basename(p) for p in capture_files()])
def test_json_follows_the_contract(name):
    doc = json_of(os.path.join(CAPTURES, name))
    assert schema.validate(doc, name) == []
    assert doc["sessions"], "a capture without a session"


BREAKS = [
    lambda d: d["sessions"][0]["requests"][0].update(status=0),          # a response field in a request
    lambda d: d["sessions"][0]["requests"][1].update(data_sha256="00"),  # incomplete PDU with a hash
    lambda d: d["sessions"][0]["requests"][0].pop("data_sha256"),        # complete PDU without one
    lambda d: d["sessions"][0]["problems"][0].update(kind="lost"),
    lambda d: d["sessions"][0]["problems"][0].update(pdu=99),
    lambda d: d["sessions"][0].update(client="localhost"),
    lambda d: d.update(packets="15"),
    lambda d: d.update(link_type="ETHERNET"),
]


@pytest.mark.parametrize("index", range(len(BREAKS)))
def test_validator_rejects_contract_breaks(index):
    doc = json_of(os.path.join(CAPTURES, "gap.pcap"))
    assert schema.validate(doc, "gap.pcap") == []
    BREAKS[index](doc)
    assert schema.validate(doc, "gap.pcap")


@pytest.mark.parametrize("name", [os.path.basename(p) for p in capture_files()])
def test_tcpdump_reads_every_packet(name):
    path = os.path.join(CAPTURES, name)
    proc = subprocess.run(["tcpdump", "-nn", "-r", path], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == json_of(path)["packets"]


# ---- crafted: byte-identical, and the independent reassembler agrees -----------------

@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("crafted")
    subprocess.run([PY, GEN, "crafted", "-q", "-o", str(out)], check=True, timeout=300)
    return out


@pytest.mark.parametrize("name", sorted(catalog.CRAFTED))
def test_crafted_regenerates_byte_identical(regenerated, name):
    for fname in (name, os.path.splitext(name)[0] + ".json"):
        with open(os.path.join(CAPTURES, fname), "rb") as a, open(os.path.join(regenerated, fname), "rb") as b:
            assert a.read() == b.read(), "%s differs from a fresh `gen.py crafted`" % fname


@pytest.mark.parametrize("name", sorted(catalog.CRAFTED))
def test_expect_agrees_with_generator(name):
    path = os.path.join(CAPTURES, name)
    assert comparable(expect.expectation(path, "crafted")) == comparable(json_of(path))


@pytest.mark.parametrize("name", names("recorded"))
def test_expect_reproduces_recorded_json(name):
    path = os.path.join(CAPTURES, name)
    want = json_of(path)
    assert expect.expectation(path, "recorded", want["description"]) == want


def test_expect_rejects_a_non_capture(tmp_path):
    junk = tmp_path / "junk.pcap"
    junk.write_bytes(b"not a capture at all")
    proc = subprocess.run([PY, os.path.join(CAPTURES, "tools", "expect.py"), str(junk)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == expect.EXIT_IO
    assert len(proc.stderr.strip().splitlines()) == 1


def test_gen_rejects_unknown_names():
    proc = subprocess.run([PY, GEN, "crafted", "-o", "/nonexistent-dir-never", "no-such.pcap"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "no-such.pcap" in proc.stderr


# ---- bulk ---------------------------------------------------------------------------

def test_bulk_is_deterministic_and_consistent(tmp_path):
    a, b = tmp_path / "a.pcap", tmp_path / "b.pcap"
    for out in (a, b):
        subprocess.run([PY, GEN, "bulk", "--transactions", "500", "--connections", "3", "--json", "-o", str(out)],
                       check=True, timeout=120)
    assert a.read_bytes() == b.read_bytes()
    with open(tmp_path / "a.json") as f:
        doc = json.load(f)
    assert schema.validate(doc, "a.pcap") == []
    assert sum(len(s["requests"]) for s in doc["sessions"]) == 500
    assert comparable(expect.expectation(str(a), "crafted")) == comparable(doc)


def test_bulk_rejects_too_few_transactions(tmp_path):
    proc = subprocess.run([PY, GEN, "bulk", "--transactions", "3", "--connections", "2", "-o",
                           str(tmp_path / "x.pcap")], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1


# ---- crafted traffic is what a correct toaster answers -------------------------------

def consistent_conversations():
    """(capture, conversation index) of every crafted conversation the
    toaster model answered from the start (not refused, handshake kept)."""
    out = []
    for name in sorted(catalog.CRAFTED):
        cap = catalog.build(name)
        kept = {id(p.conv) for p in cap.packets}
        for i, conv in enumerate(cap.convs):
            if not conv.refused and id(conv) in kept and conv.streams[REQUEST].pdus \
                    and conv.streams[REQUEST].pdus[0].offset == 0:
                out.append((name, i))
    return out


def daemon_for(toasterd, conv):
    """Toasters 1..serial (toasting time 0), or the library's daemon with
    its modem for a modem conversation."""
    if isinstance(conv.toaster, ModemPort):
        assert conv.toaster.serial == library.MODEM
        return toasterd(serials=library.TOASTERS, modems=1)
    return toasterd(serials=conv.toaster.serial, args=["--toast-ms-per-level", "0"])


@pytest.mark.parametrize("name,index", consistent_conversations())
def test_crafted_answers_match_riotoasterd(toasterd, name, index):
    """Replay the conversation's request stream, PDU by PDU, against the real
    daemon (toasting time 0) and compare its answers byte for byte.  A modem
    conversation's waits are all the server's (a READ's timeout, the +++
    guard time completing a pending request: catalog_modem.py), so sending
    each request once the previous answer came replays its timing too."""
    conv = catalog.build(name).convs[index]
    daemon = daemon_for(toasterd, conv)
    requests = conv.streams[REQUEST]
    bounds = [r.offset for r in requests.pdus] + [len(requests.data)]
    answers = iter(conv.streams[RESPONSE].pdus)
    with Conn(daemon.host, daemon.port(conv.toaster.serial), timeout=10) as c:
        for a, b in zip(bounds, bounds[1:]):
            c.send(bytes(requests.data[a:b]))
            want = next(answers, None)
            if want is None:
                assert c.wait_close().kind != PDU
                break
            got = c.recv_pdu()
            assert got.kind == PDU, "%s: request at %d: %s" % (name, a, got)
            wanted = unpack(want.raw)
            assert (got.pdu.major, got.pdu.seq, got.pdu.status, got.pdu.information, got.pdu.data) == \
                (wanted.major, wanted.seq, wanted.status, wanted.information, want.raw[HEADER_SIZE:]), name


# ---- command lines ---------------------------------------------------------------

def test_make_without_a_mode_prints_usage():
    proc = subprocess.run([os.path.join(CAPTURES, "make")], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stderr.startswith("usage: captures/make")


def test_record_refuses_a_build_without_programs(tmp_path):
    proc = subprocess.run([PY, os.path.join(CAPTURES, "tools", "record.py"), "--build", str(tmp_path),
                           "-o", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3
    assert "not built" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
