"""A device that exists only as a description (selftest/conftest.py
THIRD_DEVICE, made up for this test, not shipped): the generic device
cases run on it against the scripted server (rioconf/scripted_device.py)
with no C and no profile of its own, pass when it keeps the rules, and
name exactly the rule each of the scripted server's faults breaks."""
import pytest

from ..altserver.launch import scripted_device_faults
from .conftest import VERDICTS
from .test_selftest import explain

GENERIC = {"RIO-DEV-001", "RIO-DEV-002", "RIO-DEV-003", "RIO-DEV-004", "RIO-DEV-005", "RIO-DEV-006"}


def test_described_device_passes_the_generic_cases(suite_runs):
    run = suite_runs.result(("third-device",))
    assert run.report, "no JSON report:\n" + run.tail()
    assert not run.failed and not run.warned and run.returncode == 0, explain(run, set())
    verdicts = {r["id"]: r["verdict"] for r in run.report["requirements"]}
    assert {rid: verdicts[rid] for rid in GENERIC} == {rid: "PASS" for rid in GENERIC}, verdicts
    assert "device gpio (--rio-device)" in run.report["target"], run.report["target"]
    ran = [t["nodeid"] for t in run.report["tests"] if t["outcome"] == "passed" and "gpio" in t["nodeid"]]
    assert len(ran) >= 8, ran     # per IOCTL: 3 too-small, 2 exact, 1 input size; per device: 3


@pytest.mark.parametrize("scripted_fault", [f[:2] for f in scripted_device_faults()], ids=[f[0] for f in
                                                                              scripted_device_faults()])
def test_described_device_faults_are_caught(suite_runs, scripted_fault):
    name, want = scripted_fault
    run = suite_runs.result(("third-device", name))
    assert run.report, "no JSON report:\n" + run.tail()
    VERDICTS.append(("scripted gpio --fault " + name, want, run.failed | run.warned))
    assert run.failed | run.warned == want, explain(run, want)
