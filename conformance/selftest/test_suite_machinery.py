"""The suite's own machinery, judged from outside: reports, levels, the
requirement registry checks and the matrix."""
import os
import xml.etree.ElementTree as ET

from .conftest import client_cmd
from .runner import run_suite

ONE_CASE = ["-k", "test_read_returns_min_of_output_length_and_ready"]


def test_reports_name_the_requirement_and_carry_the_transcript(rio_build, tmp_path):
    html, xml = tmp_path / "r.html", tmp_path / "r.xml"
    run = run_suite(rio_build, ONE_CASE + ["--rio-server-arg=--fault=read-drops-last-byte",
                                           "--rio-html", str(html), "--junitxml", str(xml)])
    assert run.failed == {"RIO-TST-028"}, run.tail()
    out = run.output
    assert "RIO-TST-028 (MUST) Server: READ" in out and "expected:" in out and "actual:" in out, out
    assert "Request IRP_MJ_READ" in out and "52 49 4f 51" in out, "no decoded, hexdumped transcript:\n" + out
    page = html.read_text()
    assert "RIO-TST-028" in page and "FAIL" in page and "Request IRP_MJ_READ" in page
    props = {(p.get("name"), p.get("value")) for p in ET.parse(xml).iter("property")}
    assert ("requirement", "RIO-TST-028") in props and ("level", "MUST") in props, props
    assert ("violated", "RIO-TST-028 MUST") in props, props
    test = next(t for t in run.report["tests"] if t["outcome"] == "failed")
    assert test["violated"] == "RIO-TST-028" and "IRP_MJ_READ" in test["transcript"]


def test_should_violations_warn_unless_strict(rio_build):
    args = ["-m", "client_side", "-k", "close_before", "--rio-client-cmd", client_cmd(rio_build, "no-close")]
    lenient = run_suite(rio_build, args)
    assert lenient.returncode == 0 and lenient.warned == {"RIO-CLI-004"}, lenient.tail()
    strict = run_suite(rio_build, args + ["--rio-strict"])
    assert strict.returncode == 1 and strict.failed == {"RIO-CLI-004"}, strict.tail()


def test_unknown_requirement_id_is_an_error(rio_build, tmp_path):
    spec = tmp_path / "PROTOCOL.md"
    with open(os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "docs",
                           "PROTOCOL.md"), encoding="utf-8") as f:
        spec.write_text("".join(line for line in f if "**RIO-TST-028**" not in line))
    run = run_suite(rio_build, ONE_CASE + ["--rio-spec", str(spec)])
    assert run.returncode == 4 and "unknown requirement ID(s) RIO-TST-028" in run.output, run.tail()


def test_matrix_lists_every_requirement(rio_build):
    run = run_suite(rio_build, ["--rio-list"])
    assert run.returncode == 0, run.tail()
    assert "RIO-TST-028  MUST       test_" in run.output and "0 binding without a test" in run.output, run.tail()
    assert "RIO-CLI-014  SHOULD     (untestable:" in run.output, run.tail()

