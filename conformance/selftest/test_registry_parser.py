"""The requirement registry parser on specs with defects."""
from ..rioconf import registry as reg

GOOD = "- **RIO-ABC-001** (MUST, brief) Server: a rule.\n"


def write(tmp_path, spec, untestable=""):
    (tmp_path / "spec.md").write_text(spec)
    (tmp_path / "untestable.txt").write_text(untestable)
    return reg.load(str(tmp_path / "spec.md"), str(tmp_path / "untestable.txt"))


def test_levels_sections_and_lines(tmp_path):
    r = write(tmp_path, "# T\n## 3. Framing\n" + GOOD + "- **RIO-ABC-002** (SHOULD NOT, decision) Client: another.\n")
    assert r["RIO-ABC-001"].level == "MUST" and r["RIO-ABC-001"].binding
    assert r["RIO-ABC-002"].level == "SHOULD NOT" and not r["RIO-ABC-002"].binding
    assert r["RIO-ABC-001"].section == "3. Framing" and r["RIO-ABC-001"].line == 3
    assert r.binding_ids() == ["RIO-ABC-001"] and not r.problems
    assert r["RIO-ABC-001"].source == "brief" and r["RIO-ABC-002"].source == "decision"


def test_binding_decision_needs_a_why(tmp_path):
    r = write(tmp_path, "- **RIO-ABC-001** (MUST, decision) Server: a rule.\n"
                        "- **RIO-ABC-002** (MUST NOT, decision) Server: a rule. Why: a reason.\n"
                        "- **RIO-ABC-003** (SHOULD, decision) Server: a rule.\n")
    assert len(r.problems) == 1 and "RIO-ABC-001" in r.problems[0] and "Why" in r.problems[0], r.problems


def test_untagged_level_is_a_problem(tmp_path):
    r = write(tmp_path, "- **RIO-ABC-001** (MUST) Server: a rule.\n- **RIO-ABC-002** (MUST, maybe) Server: x.\n")
    assert len(r.problems) == 2 and all("brief|decision" in p for p in r.problems), r.problems


def test_duplicates_and_malformed_lines_are_problems(tmp_path):
    r = write(tmp_path, GOOD + GOOD + "- **RIO-ABC-003** (MUSTN'T) Server: bad level.\n")
    assert len(r.problems) == 2, r.problems
    assert "defined twice" in r.problems[0] and "does not match the format" in r.problems[1]


def test_untestable_table(tmp_path):
    r = write(tmp_path, GOOD, "# comment\nRIO-ABC-001  cannot be seen\nRIO-XYZ-009  not in the spec\nRIO-ABC-001\n")
    assert r.untestable == {"RIO-ABC-001": "cannot be seen"}
    assert any("not a requirement" in p for p in r.problems) and any("no reason" in p for p in r.problems)


def test_missing_spec_is_a_problem(tmp_path):
    r = reg.load(str(tmp_path / "none.md"), str(tmp_path / "none.txt"))
    assert not r.reqs and "no such file" in r.problems[0]
