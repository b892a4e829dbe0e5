"""Meta-tests: the suite against its own requirement registry."""
import glob
import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
pytestmark = pytest.mark.meta


def test_spec_parses(rio_registry):
    assert rio_registry.reqs, "no requirement found in %s" % rio_registry.path
    assert not rio_registry.problems, "\n".join(rio_registry.problems)


def test_every_requirement_names_its_source(rio_registry):
    """Every line says brief or decision; every MUST / MUST NOT decision
    carries its one-line Why (the parser reports the lines that do not)."""
    untagged = [p for p in rio_registry.problems if "brief|decision" in p or "Why" in p]
    assert not untagged, "\n".join(untagged)
    sources = {r.source for r in rio_registry.reqs.values()}
    assert sources <= {"brief", "decision"} and "brief" in sources, sources
    for r in rio_registry.reqs.values():
        if r.source == "decision" and r.binding:
            why = r.text.rsplit(" Why: ", 1)
            assert len(why) == 2 and why[1].strip(" .") and "\n" not in why[1], r.rid


def test_every_binding_requirement_has_a_test(pytestconfig, rio_registry):
    """Every MUST / MUST NOT has a case, or a reason in untestable.txt."""
    modules = set(glob.glob(os.path.join(HERE, "test_*.py")))
    if not modules <= pytestconfig._rio_modules:
        pytest.skip("only part of the suite was collected")
    declared = pytestconfig._rio_results.declared
    missing = [rid for rid in rio_registry.binding_ids()
               if rid not in declared and rid not in rio_registry.untestable]
    assert not missing, "binding requirements without a test or an untestable.txt reason:\n  " + "\n  ".join(
        "%s (%s) %s" % (rid, rio_registry[rid].level, rio_registry[rid].text) for rid in missing)


def test_untestable_requirements_have_no_test(pytestconfig, rio_registry):
    """An ID is either tested or declared untestable, never both."""
    declared = pytestconfig._rio_results.declared
    both = [rid for rid in rio_registry.untestable if rid in declared]
    assert not both, "in untestable.txt but tested by %s" % {rid: declared[rid] for rid in both}
