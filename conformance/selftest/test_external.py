"""No false alarms: the suite against servers it did not start — the
second, deliberately different server (altserver) and riotoasterd — told
their configuration and told nothing; the hints, the preflight, and the
interop matrix with its browser rendering."""
import os
import re
import shutil

import pytest

from ..altserver.altserver import SHOULDS_NOT_FOLLOWED
from ..altserver.serialport import SHOULDS_NOT_FOLLOWED as SERIAL_SHOULDS_NOT_FOLLOWED
from ..altserver.matrix_demo import screenshot
from ..rioconf.preflight import EXIT_UNREACHABLE
from .conftest import MATRIX_FAULT, fault_table
from .test_selftest import explain

# What a conforming server's run must pass at least: a toaster's run
# passes the session, toaster and generic rules; a serial port's the
# serial profile's and the generic ones.
MIN_PASSED = {"alt": 100, "riotoasterd": 100, "alt-serial": 60, "riotoasterd-modem": 60}


@pytest.mark.parametrize("server,told", [("alt", "told"), ("alt", "untold"), ("riotoasterd", "told"),
                                         ("riotoasterd", "untold"), ("alt-serial", "told"),
                                         ("alt-serial", "untold"), ("riotoasterd-modem", "told"),
                                         ("riotoasterd-modem", "untold")])
def test_conforming_server_passes(suite_runs, server, told):
    """Nothing fails; the only warnings are the SHOULDs altserver
    deliberately does not follow."""
    run = suite_runs.result((server, told))
    assert run.report, "no JSON report:\n" + run.tail()
    want = {"alt": set(SHOULDS_NOT_FOLLOWED), "alt-serial": set(SERIAL_SHOULDS_NOT_FOLLOWED)}.get(server, set())
    assert not run.failed and run.warned == want and run.returncode == 0, explain(run, want)
    ran = run.report["summary"].get("PASS", 0)
    assert ran > MIN_PASSED[server], "only %d requirements passed: the run skipped too much\n%s" % (ran, run.tail())


@pytest.mark.parametrize("server", ["alt-serial", "riotoasterd-modem"])
def test_untold_device_is_detected(suite_runs, server):
    """A serial port not told: the preflight recognises it, and every
    serial case ran against it."""
    run = suite_runs.result((server, "untold"))
    assert "device serial (detected)" in run.report["target"], run.report["target"]
    serial = [r for r in run.report["requirements"] if r["id"].startswith("RIO-SER-") and r["tests"]]
    assert serial and all(r["verdict"] in ("PASS", "WARN") for r in serial), \
        [(r["id"], r["verdict"]) for r in serial if r["verdict"] not in ("PASS", "WARN")]


def test_untold_run_reports_its_assumptions(suite_runs):
    target = suite_runs.result(("alt", "untold")).report["target"]
    assert "stall timeout 10 s (the protocol's default; not told)" in target, target
    assert re.search(r"toast time [\d.]+ ms per level \(calibrated", target), target
    assert "port - 5000" in target, target


def test_mis_set_options_are_named(suite_runs):
    """A server on another BasePort, not told its serial, and told a wrong
    stall timeout: exactly those rules fail, each naming its option."""
    run = suite_runs.result(("hints",))
    assert run.failed == {"RIO-ADR-003", "RIO-TMO-001"}, explain(run, {"RIO-ADR-003", "RIO-TMO-001"})
    messages = {t["violated"]: t["message"] for t in run.report["tests"] if t["violated"]}
    assert "--rio-serial" in messages["RIO-ADR-003"], messages["RIO-ADR-003"]
    assert "--rio-stall-timeout" in messages["RIO-TMO-001"], messages["RIO-TMO-001"]


def test_unreachable_target_is_one_error(suite_runs):
    run = suite_runs.result(("unreachable",))
    assert run.returncode == EXIT_UNREACHABLE, run.tail()
    lines = [line for line in run.output.splitlines() if "did not pass the preflight" in line]
    assert lines and "cannot connect" in lines[0], run.tail()
    assert "failed" not in run.output and "passed" not in run.output, run.tail()


@pytest.fixture(scope="module")
def matrix(suite_runs, rio_build):
    run = suite_runs.result(("matrix",))
    assert run.report.get("targets"), "no matrix JSON:\n" + run.tail()
    return run


def test_matrix_side_by_side(matrix, rio_build):
    """One column per target, one row per requirement; riotoasterd passes,
    altserver only warns where documented, the faulty build fails exactly
    its documented IDs; the serial rows are filled in by the modem
    target (and by riotoasterd's embedded modem, when it serves one)."""
    m = matrix.report
    names = [t["name"] for t in m["targets"]]
    assert names == ["riotoasterd", "altserver", "altserver-modem", "riotoasterd-fault"], names
    by = {n: {r["id"]: r["results"][n] for r in m["requirements"]} for n in names}
    assert not {k for k, v in by["riotoasterd"].items() if v in ("fail", "warn")}
    assert {k for k, v in by["altserver"].items() if v == "fail"} == set()
    assert {k for k, v in by["altserver"].items() if v == "warn"} == set(SHOULDS_NOT_FOLLOWED)
    assert {k for k, v in by["altserver-modem"].items() if v == "fail"} == set()
    assert {k for k, v in by["altserver-modem"].items() if v == "warn"} == set(SERIAL_SHOULDS_NOT_FOLLOWED)
    serial = [k for k in by["altserver-modem"] if k.startswith("RIO-SER-")]
    tested = [k for k in serial if by["altserver-modem"][k] in ("pass", "warn")]
    assert len(tested) > 60, "serial rows the modem target filled: %d of %d" % (len(tested), len(serial))
    assert all(by["altserver"][k] in ("skip", "n/a") for k in serial), "a toaster target ran serial cases"
    want = next(ids for name, ids, _ in fault_table(rio_build) if name == MATRIX_FAULT)
    assert {k for k, v in by["riotoasterd-fault"].items() if v in ("fail", "warn")} == want
    assert matrix.returncode == 1 and [t["exit_status"] for t in m["targets"]] == [0, 0, 0, 1], matrix.tail()


def test_matrix_cells_link_to_transcripts(matrix):
    m = matrix.report
    folder = matrix.args[matrix.args.index("--rio-matrix-dir") + 1]
    page = open(os.path.join(folder, "matrix.html"), encoding="utf-8").read()
    whole = page[page.index("<h2>Every requirement</h2>"):]
    links = re.findall(r"<td class='(\w+)'><a href='([^'#]+)#(RIO-[A-Z]+-\d{3})'>", whole)
    assert len(links) == len(m["requirements"]) * len(m["targets"]), len(links)
    for cls, target_page, rid in links[:400]:
        text = open(os.path.join(folder, target_page), encoding="utf-8").read()
        assert "<tr id='%s'>" % rid in text, (target_page, rid)
    alt = open(os.path.join(folder, "matrix-altserver.html"), encoding="utf-8").read()
    assert alt.count("<summary>transcript</summary>") > 50     # passing cases keep theirs too


def test_matrix_renders_in_chromium(matrix, tmp_path):
    """A real browser renders the page (Debian chromium, headless)."""
    if shutil.which("chromium") is None:
        pytest.skip("chromium not installed (scripts/deps.sh installs it)")
    folder = matrix.args[matrix.args.index("--rio-matrix-dir") + 1]
    png = tmp_path / "matrix.png"
    error = screenshot(os.path.join(folder, "matrix.html"), str(png))
    assert error is None, error
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20000, len(data)
