"""Every capture of the library (captures/*.pcap[ng]) through `audit`,
against its expectation file (captures/EXPECTATIONS.md)."""
import collections
import glob
import json
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CAPTURES = sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcap")) +
                  glob.glob(os.path.join(ROOT, "captures", "*.pcapng")))

REQUEST_FIELDS = ("signature", "version", "major", "header_length", "seq", "ioctl",
                  "output_length", "request_length", "data_sha256", "complete", "malformed")
RESPONSE_FIELDS = ("signature", "version", "major", "header_length", "seq", "status",
                   "information", "response_length", "data_sha256", "complete", "malformed")


def expectation(capture):
    with open(os.path.splitext(capture)[0] + ".json") as f:
        return json.load(f)


def audit_sessions(run, capture):
    """audit --json, regrouped like the expectation file: per session the
    PDU list of each direction and the multiset of problems."""
    res = run("audit", capture, "--json")
    objs = res.json()
    sessions = collections.OrderedDict()
    for o in objs:
        if o["type"] == "session":
            sessions[o["session"]] = dict(o, requests=[], responses=[], problem_list=[])
    for o in objs:
        if o["type"] != "transaction":
            continue
        s = sessions[o["session"]]
        for side, key in (("request", "requests"), ("response", "responses")):
            if side in o:
                pdu = o[side]
                idx = len(s[key])
                s[key].append(pdu)
                for kind in pdu["problems"]:
                    s["problem_list"].append((kind, side, idx))
    for s in sessions.values():
        for d, side in enumerate(("request", "response")):
            if s["problems"]["midstream"] and (s["requests"] if d == 0 else s["responses"]):
                s["problem_list"].append(("midstream", side, None))
    return res, list(sessions.values())


def fields(pdu, names):
    return {k: pdu[k] for k in names if k in pdu}


@pytest.mark.parametrize("capture", CAPTURES, ids=[os.path.basename(c) for c in CAPTURES])
def test_audit_matches_expectation(run, capture):
    exp = expectation(capture)
    res, got = audit_sessions(run, capture)
    assert res.code in (0, 1, 2), res
    key = lambda s: (s["client"], s["server"])  # noqa: E731
    want = sorted(exp["sessions"], key=key)
    got = sorted(got, key=key)
    assert want, "%s: the expectation lists no session" % capture
    assert [key(s) for s in got] == [key(s) for s in want], res
    for g, w in zip(got, want):
        assert g["handshake"] == w["handshake"], key(w)
        assert [fields(p, REQUEST_FIELDS) for p in g["requests"]] == \
            [fields(p, REQUEST_FIELDS) for p in w["requests"]], key(w)
        assert [fields(p, RESPONSE_FIELDS) for p in g["responses"]] == \
            [fields(p, RESPONSE_FIELDS) for p in w["responses"]], key(w)
        want_problems = collections.Counter((p["kind"], p["direction"], p.get("pdu")) for p in w["problems"])
        got_problems = collections.Counter(g["problem_list"])
        assert got_problems == want_problems, key(w)


@pytest.mark.parametrize("capture", CAPTURES, ids=[os.path.basename(c) for c in CAPTURES])
def test_audit_exit_code(run, capture):
    """0 clean, 1 malformed/rule violations, 2 incomplete transactions."""
    exp = expectation(capture)
    res = run("audit", capture)
    pdus = [p for s in exp["sessions"] for p in s["requests"] + s["responses"]]
    if any("malformed" in p for p in pdus):
        assert res.code == 1, res
    elif any(not p["complete"] for p in pdus) or \
            any(q["kind"] == "midstream" and "0 bytes" not in q.get("detail", "")
                for s in exp["sessions"] for q in s["problems"]):
        assert res.code in (1, 2), res
    else:
        assert res.code in (0, 1), res
