"""Meta-tests: the suite against its own requirement registry."""
import glob
import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
pytestmark = pytest.mark.meta


def test_spec_parses(rio_registry):
    assert rio_registry.reqs, "no requirement found in %s" % rio_registry.path
    assert not rio_registry.problems, "\n".join(rio_registry.problems)


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
