"""Fixtures of the self-tests: the fault table from riotoasterd itself
(`--fault list`, the one source of which requirements each fault breaks)
and the pool of suite runs."""
import os
import subprocess

import pytest

from .runner import Pool



# (what, documented IDs, IDs the suite found), for the summary table.
VERDICTS = []


def pytest_terminal_summary(terminalreporter):
    if not VERDICTS:
        return
    tr = terminalreporter
    tr.section("conformance suite against deliberately broken implementations")
    for what, want, got in VERDICTS:
        tr.write_line("%-4s %-40s documented %s" % ("ok" if want == got else "DIFF", what, ",".join(sorted(want))))
        if want != got:
            tr.write_line("     %-40s found      %s" % ("", ",".join(sorted(got)) or "-"))


def fault_table(build):
    """[(name, set of IDs, description)] from `riotoasterd --fault list`."""
    return _listed(os.path.join(build, "toaster", "riotoasterd", "riotoasterd"), "--fault")


def misbehaviour_table(build):
    """The same from `riotoast --misbehave list`: the deliberate client faults."""
    return _listed(os.path.join(build, "toaster", "riotoast", "riotoast"), "--misbehave")


def _listed(binary, flag):
    """Each program documents its own faults: NAME<TAB>IDS<TAB>description."""
    if not os.path.exists(binary):
        return []
    out = subprocess.run([binary, flag, "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=10, check=True).stdout.decode()
    table = []
    for line in out.splitlines():
        if not line.strip():
            continue
        name, ids, desc = line.split("\t", 2)
        table.append((name, {i.strip() for i in ids.split(",") if i.strip()}, desc))
    return table


def pytest_generate_tests(metafunc):
    if "fault" in metafunc.fixturenames:
        build = os.path.abspath(metafunc.config.getoption("--rio-build"))
        table = fault_table(build)
        metafunc.parametrize("fault", table or [None], ids=[t[0] for t in table] or ["no-riotoasterd"])
    if "misbehaviour" in metafunc.fixturenames:
        build = os.path.abspath(metafunc.config.getoption("--rio-build"))
        table = [(name, ids) for name, ids, _ in misbehaviour_table(build)]
        metafunc.parametrize("misbehaviour", table or [None], ids=[t[0] for t in table] or ["no-riotoast"])


def client_cmd(build, misbehave):
    binary = os.path.join(build, "toaster", "riotoast", "riotoast")
    return "%s --misbehave %s --server {host} --port {port} session" % (binary, misbehave)


@pytest.fixture(scope="session")
def suite_runs(rio_build):
    """Every suite run of the self-tests, started at once and run two at a
    time: the clean run, one per server fault, one per client misbehaviour."""
    pool = Pool(rio_build)
    pool.submit("clean", [])
    for name, _, _ in fault_table(rio_build):
        pool.submit(("fault", name), ["-m", "not client_side", "--rio-server-arg=--fault=%s" % name])
    for name, _, _ in misbehaviour_table(rio_build):
        pool.submit(("client", name), ["-m", "client_side", "--rio-client-cmd", client_cmd(rio_build, name)])
    yield pool
    pool.shutdown()
