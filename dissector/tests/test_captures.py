"""Every capture, in one-pass and two-pass mode, with and without TCP's
out-of-order reassembly, decodes to exactly what its expectation JSON says.

Two sets: the library (captures/*.pcap[ng] with captures/NAME.json, made by
the captures engineer) and the crafted scenarios of scenarios.py, which
cover each framing situation on purpose."""
import json
import os

import pytest

import decoded
import scenarios
from conftest import library_captures

MODES = {
    "one-pass": (),
    "two-pass": ("-2",),
    "one-pass-ooo": ("-o", "tcp.reassemble_out_of_order:TRUE"),
    "two-pass-ooo": ("-2", "-o", "tcp.reassemble_out_of_order:TRUE"),
}
# Out-of-order segments can only be put back with the TCP option on.
NEEDS_OOO = {"out_of_order"}


@pytest.fixture(scope="module")
def crafted(gen_dir):
    return scenarios.write_all(gen_dir)


def _check(tshark, cap, mode):
    with open(os.path.splitext(cap)[0] + ".json") as f:
        expect = json.load(f)
    packets = tshark.json(cap, *MODES[mode])
    differences = decoded.compare(expect, packets)
    assert not differences, "\n".join(differences[:20])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", [fn.__name__ for fn in scenarios.ALL])
def test_crafted_capture(tshark, crafted, name, mode):
    if name in NEEDS_OOO and "ooo" not in mode:
        pytest.skip("needs tcp.reassemble_out_of_order")
    _check(tshark, crafted[name], mode)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("cap", library_captures(), ids=os.path.basename)
def test_library_capture(tshark, cap, mode):
    readable = os.stat(cap).st_mode & 0o004
    assert readable, "%s must be world-readable for tshark running as uid 65534" % cap
    with open(os.path.splitext(cap)[0] + ".json") as f:
        kinds = {p["kind"] for s in json.load(f)["sessions"] for p in s.get("problems", [])}
    if "out_of_order" in kinds and "ooo" not in mode:
        pytest.skip("out-of-order segments need tcp.reassemble_out_of_order")
    _check(tshark, cap, mode)


def test_out_of_order_without_the_option_loses_only_that_pdu(tshark, crafted):
    got = decoded.pdus_by_direction(tshark.json(crafted["out_of_order"], "-o", "tcp.reassemble_out_of_order:FALSE"))
    seqs = [p["seq"] for p in got[("127.0.0.1:40000", "127.0.0.1:5001")]]
    # Wireshark 4.6's TCP puts these segments back in order even without
    # the option; before, PDU 2 is lost.  Either way framing goes on at 3.
    assert seqs in ([1, 3], [1, 2, 3])
