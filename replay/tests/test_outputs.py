"""Output formats: audit's JUnit and JSON summary, no progress when piped
(on a terminal: test_exit_and_output.py)."""
import os
import xml.etree.ElementTree as ET

import livehelp


def test_audit_junit_one_case_per_session(run, tmp_path):
    cap = os.path.join(livehelp.CAPTURE_DIR, "malformed.pcap")
    junit = tmp_path / "audit.xml"
    res = run("audit", cap, "--junit", junit)
    assert res.code == 1, res
    suite = ET.parse(junit).getroot().find("testsuite")
    assert int(suite.get("tests")) == 5
    assert int(suite.get("failures")) == 5  # each session has a malformed header


def test_audit_json_summary_last(run):
    cap = os.path.join(livehelp.CAPTURE_DIR, "gap.pcap")
    objs = run("audit", cap, "--json").json()
    assert objs[-1]["type"] == "summary" and objs[-1]["exit"] == 2
    assert objs[-1]["problems"]["gap"] == 1 and objs[-1]["missing_bytes"] == 1448
    assert objs[:-1] and all(o["type"] in ("transaction", "session") for o in objs[:-1])


def test_no_progress_when_not_a_terminal(run):
    cap = os.path.join(livehelp.CAPTURE_DIR, "large-pdu.pcap")
    res = run("audit", cap)
    assert res.err == "", res

