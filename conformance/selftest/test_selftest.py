"""The conformance suite judged: it passes the bundled server and client,
and each deliberately broken server (riotoasterd --fault NAME) or client
(riotoast --misbehave NAME) fails exactly the requirements documented."""
import os

import pytest

from ..rioconf import registry as reg
from ..rioconf.plugin import HERE as SUITE_DIR
from .conftest import VERDICTS, fault_table

# s: the whole suite against the bundled server: about 43 s, of which 12 s
# are the modem's fixed waits (five +++ escapes, each a 1 s guard time
# before and after); twice that for a loaded machine.
SUITE_BUDGET = 90.0


def explain(run, want):
    got = run.failed | run.warned
    by_req = run.failures_by_requirement()
    lines = ["documented: %s" % sorted(want), "found:      %s" % sorted(got)]
    for rid in sorted(got - want):
        lines.append("  extra   %s  by %s" % (rid, ", ".join(by_req.get(rid, [])[:5])))
    for rid in sorted(want - got):
        lines.append("  missing %s" % rid)
    return "\n".join(lines) + "\n--- suite output (tail) ---\n" + run.tail()


def test_bundled_server_and_client_pass(suite_runs):
    run = suite_runs.result("clean")
    assert run.report, "no JSON report:\n" + run.tail()
    assert not run.failed and not run.warned and run.returncode == 0, explain(run, set())
    assert run.seconds < SUITE_BUDGET, "the suite took %.1f s (budget %.0f s)" % (run.seconds, SUITE_BUDGET)


def test_fault_table_names_real_requirements(rio_build):
    registry = reg.load(os.path.join(os.path.dirname(SUITE_DIR), "docs", "PROTOCOL.md"),
                        os.path.join(SUITE_DIR, "untestable.txt"))
    table = fault_table(rio_build)
    assert table, "riotoasterd --fault list printed nothing"
    bad = {name: sorted(i for i in ids if i not in registry) for name, ids, _ in table}
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, "fault table names IDs that are not in docs/PROTOCOL.md: %s" % bad


def test_each_fault_fails_exactly_its_requirements(suite_runs, fault):
    if fault is None:
        pytest.skip("riotoasterd not built")
    name, want, _ = fault
    run = suite_runs.result(("fault", name))
    assert run.report, "no JSON report:\n" + run.tail()
    VERDICTS.append(("--fault " + name, want, run.failed | run.warned))
    assert run.returncode != 0 or not run.failed, "the suite passed against --fault %s" % name
    assert run.failed | run.warned == want, explain(run, want)


def test_each_client_misbehaviour_is_caught(suite_runs, misbehaviour):
    name, want = misbehaviour
    run = suite_runs.result(("client", name))
    assert run.report, "no JSON report:\n" + run.tail()
    VERDICTS.append(("--misbehave " + name, want, run.failed | run.warned))
    assert run.failed | run.warned == want, explain(run, want)

