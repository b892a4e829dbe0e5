"""Shared by bench/replay's scripts: medians, interleaved rounds, tools."""
import os
import statistics
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def tool(build, *parts):
    path = os.path.join(build, *parts)
    if not os.access(path, os.X_OK):
        raise SystemExit("%s not built (cmake --build %s)" % (path, build))
    return path


def timed(argv, **kw):
    t0 = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, **kw)
    return time.monotonic() - t0, proc


def interleaved(rounds, runs):
    """runs: {name: fn() -> value}; each round runs every fn once, in turn."""
    values = {name: [] for name in runs}
    for _ in range(rounds):
        for name, fn in runs.items():
            values[name].append(fn())
    return {name: statistics.median(v) for name, v in values.items()}, values


def bulk_capture(path, transactions, connections=1):
    subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "captures", "gen.py"), "bulk",
                    "--transactions", str(transactions), "--connections", str(connections),
                    "-o", path], check=True, cwd=ROOT)
