"""Run the conformance suite in a subprocess and read its JSON report.

Each run is bounded in time; several runs go in parallel (the machine has
2 cores), so the per-fault and per-misbehaviour checks stay within minutes.
"""
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
SUITE = os.path.dirname(HERE)
ROOT = os.path.dirname(SUITE)
RUN_TIMEOUT = 240   # s for one whole suite run
PARALLEL = 2


@dataclass
class SuiteRun:
    args: list
    returncode: int = None
    report: dict = field(default_factory=dict)
    output: str = ""
    seconds: float = 0.0

    @property
    def failed(self):
        return set(self.report.get("failed_requirements", []))

    @property
    def warned(self):
        return set(self.report.get("warned_requirements", []))

    def tail(self, lines=60):
        return "\n".join(self.output.splitlines()[-lines:])

    def failures_by_requirement(self):
        """rid -> [test ids] for the failed and warned requirements."""
        out = {}
        for t in self.report.get("tests", []):
            if t["outcome"] in ("failed", "warned", "error"):
                for rid in ([t["violated"]] + t.get("also", []) if t["violated"] else t["requirements"]):
                    out.setdefault(rid, []).append(t["nodeid"].split("::", 1)[-1])
        return out


def run_suite(build, args, timeout=RUN_TIMEOUT, common=()):
    """One conformance run: python -m pytest conformance --rio-json ...
    common args."""
    fd, path = tempfile.mkstemp(prefix="rio-conformance-", suffix=".json")
    os.close(fd)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", SUITE, "--rio-build", build,
           "--rio-json", path] + list(common) + list(args)
    run = SuiteRun(args=list(args))
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout)
        run.returncode, run.output = proc.returncode, proc.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        run.output = (e.stdout or b"").decode(errors="replace") + "\n(suite run killed after %d s)" % timeout
    run.seconds = time.monotonic() - t0
    try:
        with open(path, encoding="utf-8") as f:
            run.report = json.load(f)
    except (OSError, ValueError):
        pass
    os.unlink(path)
    return run


class Pool:
    """Suite runs started up front, PARALLEL at a time; result(key) waits."""

    def __init__(self, build, common=()):
        self.build, self.common = build, list(common)
        self.executor = concurrent.futures.ThreadPoolExecutor(max_workers=PARALLEL)
        self.futures = {}

    def submit(self, key, args):
        if key not in self.futures:
            self.futures[key] = self.executor.submit(run_suite, self.build, args, RUN_TIMEOUT, self.common)

    def result(self, key):
        return self.futures[key].result(timeout=RUN_TIMEOUT * (1 + len(self.futures) // PARALLEL))

    def shutdown(self):
        self.executor.shutdown(wait=True, cancel_futures=True)
