"""Fixtures for rio-replay's tests (the shared ones, --rio-build, rio_bin
and toasterd, come from the repository's conftest.py)."""
import json
import os
import subprocess

import pytest


@pytest.fixture(scope="session")
def replay_bin(rio_bin):
    path = rio_bin("rio-replay")
    assert os.access(path, os.X_OK), "rio-replay not built: " + path
    return path


class Result:
    def __init__(self, proc):
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def json(self):
        return [json.loads(line) for line in self.out.splitlines() if line.startswith("{")]

    def __repr__(self):
        return "exit %d\nstdout:\n%s\nstderr:\n%s" % (self.code, self.out[-4000:], self.err[-4000:])


@pytest.fixture
def run(replay_bin):
    """run('audit', path, '--json') -> Result (bounded in time)."""
    def _run(*args, stdin=None, timeout=120):
        proc = subprocess.run([replay_bin] + [str(a) for a in args], input=stdin,
                              capture_output=True, timeout=timeout)
        proc.stdout = proc.stdout.decode("utf-8", "replace")
        proc.stderr = proc.stderr.decode("utf-8", "replace")
        return Result(proc)
    return _run
