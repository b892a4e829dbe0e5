"""The two decoders agree: for every capture of the library, the PDUs that
tshark with the RIO plugin reports and the PDUs that `rio-replay audit
--json` reports are the same — direction, order, every header field, the
malformed reason, and how many bytes each skipped before framing started
(the resync offset of a capture that begins mid-stream).

Each tool is also checked against the capture's expectation by its own
suite; this test compares the tools with each other, so a rule that one of
them applies differently (resync, validation order) shows up even where an
expectation happens not to exercise it."""
import glob
import hashlib
import json
import os
import subprocess

import pytest

CAPTURES = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(CAPTURES)
TSHARK_RIO = os.path.join(REPO, "dissector", "tshark-rio.sh")

HEADER_FIELDS = ("signature", "version", "major", "header_length", "seq", "ioctl", "output_length",
                 "request_length", "status", "information", "response_length")
# The dissector names a length-limit error "length" (one expert info for
# both lengths); rio-replay names the field.
MALFORMED_EXPERTS = {"rio.bad_signature": "signature", "rio.bad_version": "version",
                     "rio.bad_header_length": "header_length", "rio.length_over_limit": "length"}


def captures():
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(CAPTURES, "*.pcap*"))
                  if not p.endswith(".json"))


def _lossy(name):
    with open(os.path.join(CAPTURES, os.path.splitext(name)[0] + ".json")) as f:
        doc = json.load(f)
    return any(p["kind"] in ("gap", "truncated") for s in doc["sessions"] for p in s["problems"])


# ---- rio-replay ---------------------------------------------------------------

def _replay_pdu(p):
    pdu = {f: p[f] for f in HEADER_FIELDS if f in p}
    if "malformed" in p:
        pdu["malformed"] = "length" if p["malformed"].endswith("_length") and \
            p["malformed"] != "header_length" else p["malformed"]
    elif p.get("complete"):
        pdu["data_sha256"] = p["data_sha256"]
    return pdu


def replay_view(rio_bin, path):
    """{(src, dst): {"skipped": n, "pdus": [...]}} from rio-replay audit."""
    out = subprocess.run([rio_bin("rio-replay"), "audit", "--json", path], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode in (0, 1, 2), out.stderr   # 1, 2: violations / incomplete found
    records = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    sessions = {r["session"]: r for r in records if r["type"] == "session"}
    view = {}
    for r in records:
        if r["type"] != "transaction":
            continue
        s = sessions[r["session"]]
        for side, src, dst in (("request", s["client"], s["server"]),
                               ("response", s["server"], s["client"])):
            if side in r:
                view.setdefault((src, dst), {"pdus": []})["pdus"].append(_replay_pdu(r[side]))
    for s in sessions.values():
        for i, (src, dst) in enumerate(((s["client"], s["server"]), (s["server"], s["client"]))):
            view.setdefault((src, dst), {"pdus": []})["skipped"] = s["skipped"][i] if not s["handshake"] else 0
    return view


# ---- tshark + plugin ----------------------------------------------------------

def _as_list(v):
    return v if isinstance(v, list) else [v]


def _experts(item):
    found = set()
    stack = [item]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "_ws.expert":
                    for e in _as_list(v):
                        found.update(x for x in e if x.startswith("rio."))
                elif isinstance(v, (dict, list)):
                    stack.append(v)
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _endpoint(layers, side):
    ip = layers.get("ip", {}).get("ip." + side) or layers.get("ipv6", {}).get("ipv6." + side)
    port = layers["tcp"]["tcp.%sport" % side]
    return ("[%s]:%s" if ":" in ip else "%s:%s") % (ip, port)


def _tshark_pdu(item):
    pdu = {"signature": item["rio.signature"]}
    for f in HEADER_FIELDS[1:]:
        if "rio." + f in item:
            pdu[f] = int(item["rio." + f], 0)
    bad = [MALFORMED_EXPERTS[e] for e in _experts(item) if e in MALFORMED_EXPERTS]
    if bad:
        pdu["malformed"] = bad[0]
        for f in HEADER_FIELDS[4:]:   # fields after a broken one are shown by one tool only
            pdu.pop(f, None)
    else:
        data = bytes.fromhex(item.get("rio.data", "").replace(":", ""))
        pdu["data_sha256"] = hashlib.sha256(data).hexdigest()
    return pdu


def tshark_view(plugin, path):
    out = subprocess.run([TSHARK_RIO, plugin, "-r", path, "-o", "tcp.reassemble_out_of_order:TRUE",
                          "-T", "json", "--no-duplicate-keys", "-Y", "rio"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    view = {}
    for pkt in json.loads(out.stdout or "[]"):
        layers = pkt["_source"]["layers"]
        key = (_endpoint(layers, "src"), _endpoint(layers, "dst"))
        d = view.setdefault(key, {"pdus": [], "skipped": 0})
        for item in _as_list(layers["rio"]):
            if "rio.signature" in item:
                d["pdus"].append(_tshark_pdu(item))
            elif "rio.continuation" in item and not d["pdus"]:
                d["skipped"] += len(item["rio.continuation"].replace(":", "")) // 2
    return view


def _comparable(pdu, malformed_fields_known):
    if "malformed" in pdu and not malformed_fields_known:
        return {k: pdu[k] for k in ("signature", "version", "major", "header_length", "malformed")
                if k in pdu}
    return pdu


@pytest.fixture(scope="module")
def plugin(rio_build):
    path = os.path.join(rio_build, "dissector", "rio.so")
    if not os.path.isfile(path):
        pytest.skip("the dissector was not built (RIO_BUILD_DISSECTOR=OFF)")
    return path


@pytest.mark.parametrize("name", captures())
def test_dissector_and_replay_agree(name, plugin, rio_bin):
    path = os.path.join(CAPTURES, name)
    ours, theirs = replay_view(rio_bin, path), tshark_view(plugin, path)
    assert ours, "rio-replay found no RIO in %s" % name
    lossy = _lossy(name)
    diffs = []
    for key in sorted(set(ours) | set(theirs)):
        a, b = ours.get(key, {"pdus": [], "skipped": 0}), theirs.get(key, {"pdus": [], "skipped": 0})
        if a.get("skipped", 0) != b.get("skipped", 0):
            diffs.append("%s -> %s: skipped %s bytes (rio-replay) vs %s (tshark)"
                         % (key[0], key[1], a.get("skipped"), b.get("skipped")))
        pa = [_comparable(p, False) for p in a["pdus"]]
        pb = [_comparable(p, False) for p in b["pdus"]]
        if lossy:
            # Across bytes the capture lost, Wireshark's TCP reassembly cannot
            # carry a PDU, so tshark may show fewer PDUs than rio-replay (which
            # frames on by the lengths it knows); each it shows must be one of
            # rio-replay's, identical and in the same order.
            # Data cut by the loss hashes differently: headers only here.
            pa = [{k: v for k, v in p.items() if k != "data_sha256"} for p in pa]
            pb = [{k: v for k, v in p.items() if k != "data_sha256"} for p in pb]
            it = iter(pa)
            missing = [p for p in pb if not any(p == q for q in it)]
            if missing:
                diffs.append("%s -> %s: tshark shows a PDU rio-replay does not have (in that order): %s"
                             % (key[0], key[1], missing[0]))
            continue
        if pa != pb:
            first = next((i for i, (x, y) in enumerate(zip(pa, pb)) if x != y), min(len(pa), len(pb)))
            diffs.append("%s -> %s: %d PDUs (rio-replay) vs %d (tshark); first difference at #%d:\n"
                         "  rio-replay %s\n  tshark     %s"
                         % (key[0], key[1], len(pa), len(pb), first,
                            pa[first] if first < len(pa) else None, pb[first] if first < len(pb) else None))
    assert not diffs, "\n".join(diffs)
