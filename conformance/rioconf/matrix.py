"""The interop matrix, as Autobahn|Testsuite does it for WebSocket: the
suite runs once per implementation (each run in its own pytest process,
one after the other: a per-device server is exclusive), and the reports
show them side by side, requirement by requirement, each cell linking to
that target's own report, where the cases and their transcripts are.

Targets come from several --rio-target values (named by their address)
or from a targets file (--rio-targets FILE), one per line:

    # name        target            suite options for this target
    riotoasterd   embedded
    altserver     127.0.0.1:5101    --rio-stall-timeout 1.5 --rio-farm 127.0.0.1:6100
    faulty        embedded          --rio-server-arg=--fault=read-drops-last-byte

`embedded` is the bundled riotoasterd the suite starts itself.  Options
given on the command line (other than the target ones) apply to every
target.  Exit status: 0 when every target passed, else the highest status
of a target run (1: requirements failed; preflight.EXIT_UNREACHABLE: a
target did not answer CREATE).
"""
import html
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

SUITE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The options that choose what a single run tests: a matrix run sets them
# per target and removes them from what it passes on.
_PER_TARGET = {"--rio-target", "--rio-targets", "--rio-json", "--rio-html", "--rio-matrix-dir"}
_CELL = {"PASS": "pass", "FAIL": "fail", "WARN": "warn", "NOT RUN": "skip"}


def wanted(config):
    return bool(config.getoption("rio_targets")) or len(config.getoption("rio_target") or []) > 1


def read_targets(path):
    """[(name, [suite arguments])] from a targets file."""
    targets = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            words = shlex.split(line, comments=True)
            if not words:
                continue
            if len(words) < 2:
                raise ValueError("%s:%d: expected 'NAME HOST:PORT|embedded [options]'" % (path, lineno))
            name, where, rest = words[0], words[1], words[2:]
            if any(w.split("=", 1)[0] in _PER_TARGET for w in rest):
                raise ValueError("%s:%d: %s: the target options are set by the matrix" % (path, lineno, name))
            targets.append((name, ([] if where == "embedded" else ["--rio-target", where]) + rest))
    names = [n for n, _ in targets]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError("%s: target names used twice: %s" % (path, ", ".join(dup)))
    if not targets:
        raise ValueError("%s: no target" % path)
    return targets


def passthrough(args):
    """The command line's arguments minus the per-target ones and the paths."""
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        key = a.split("=", 1)[0]
        if key in _PER_TARGET:
            skip = "=" not in a
            continue
        path = os.path.abspath(a.split("::")[0])
        if not a.startswith("-") and (path == SUITE or path.startswith(SUITE + os.sep)):
            continue      # the suite's path: each run gets SUITE
        out.append(a)
    return out


def _safe(name):
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def run(config):
    import pytest
    try:
        if config.getoption("rio_targets"):
            targets = read_targets(config.getoption("rio_targets"))
        else:
            targets = [(t, ["--rio-target", t]) for t in config.getoption("rio_target")]
    except (OSError, ValueError) as e:
        raise pytest.UsageError(str(e))
    html_path, json_path = config.getoption("rio_html"), config.getoption("rio_json")
    folder = config.getoption("rio_matrix_dir")
    if not folder:
        given = html_path or json_path
        folder = os.path.dirname(os.path.abspath(given)) if given else tempfile.mkdtemp(prefix="rio-matrix-")
    os.makedirs(folder, exist_ok=True)
    common = passthrough(config.invocation_params.args)
    runs = []
    for name, args in targets:
        base = os.path.join(folder, "matrix-" + _safe(name))
        cmd = [sys.executable, "-m", "pytest", "-q", SUITE] + common + args + [
            "--rio-transcripts", "--rio-json", base + ".json", "--rio-html", base + ".html"]
        t0 = time.monotonic()
        with open(base + ".log", "w", encoding="utf-8") as log:
            status = subprocess.run(cmd, cwd=str(config.rootpath), stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT).returncode
        report = {}
        try:
            with open(base + ".json", encoding="utf-8") as f:
                report = json.load(f)
        except (OSError, ValueError):
            pass
        runs.append({"name": name, "args": args, "exit_status": status, "seconds": round(time.monotonic() - t0, 1),
                     "report": os.path.basename(base + ".json"), "html": os.path.basename(base + ".html"),
                     "log": os.path.basename(base + ".log"), "target": report.get("target", ""),
                     "summary": report.get("summary", {}), "error": "" if report else _last_line(base + ".log"),
                     "verdicts": {r["id"]: r["verdict"] for r in report.get("requirements", [])}})
        print("%-24s exit %d  %5.1f s  %s" % (name, status, runs[-1]["seconds"], runs[-1]["error"] or ", ".join(
            "%s %d" % kv for kv in sorted(runs[-1]["summary"].items()))))
    matrix = build(config._rio_registry if hasattr(config, "_rio_registry") else _registry(config), runs)
    if json_path:
        with open(json_path, "w", encoding="utf-8") as f:
            json.dump(matrix, f, indent=2)
            f.write("\n")
    if html_path:
        with open(html_path, "w", encoding="utf-8") as f:
            f.write(render_html(matrix))
    print("matrix of %d targets: %s" % (len(runs), html_path or json_path or folder))
    return max(r["exit_status"] for r in runs)


def _registry(config):
    from . import registry as reg
    return reg.load(config.getoption("rio_spec"), os.path.join(SUITE, "untestable.txt"))


def _last_line(path):
    try:
        with open(path, encoding="utf-8") as f:
            lines = [line.strip() for line in f if line.strip()]
        return lines[-1] if lines else "no output"
    except OSError:
        return "no log"


def build(registry, runs):
    rows = []
    for rid, req in registry.reqs.items():
        rows.append({"id": rid, "level": req.level, "source": req.source, "text": req.text,
                     "results": {r["name"]: _CELL.get(r["verdicts"].get(rid), "n/a") for r in runs}})
    return {"suite": "RIO/1 conformance interop matrix", "spec": registry.path, "generated": time.time(),
            "targets": [{k: v for k, v in r.items() if k != "verdicts"} for r in runs], "requirements": rows}


_CSS = """body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}
td,th{border:1px solid #bbb;padding:3px 6px;text-align:left;font-size:90%}
th.t{writing-mode:horizontal-tb;max-width:12em}
td.pass{background:#b9ecb9}td.fail{background:#f4a6a6}td.warn{background:#fbe39a}
td.skip{background:#e2e2e2}td.na{background:#f4f4f4;color:#999}
td a{color:#000;text-decoration:none;display:block}small{color:#555}"""


def render_html(m):
    e = html.escape
    out = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>RIO/1 interop matrix</title>",
           "<style>%s</style></head><body><h1>RIO/1 conformance: interop matrix</h1>" % _CSS,
           "<table><tr><th>target</th><th>what was tested</th><th>exit</th><th>summary</th></tr>"]
    for t in m["targets"]:
        out.append("<tr><td><a href='%s'>%s</a></td><td>%s</td><td>%d</td><td>%s</td></tr>" % (
            e(t["html"]), e(t["name"]), e(t["target"] or t["error"]), t["exit_status"],
            e(", ".join("%s %d" % kv for kv in sorted(t["summary"].items())))))
    out.append("</table><p>Each cell links to that target's report, at the requirement's row: "
               "its cases, messages and transcripts.</p>")
    differ = [r for r in m["requirements"] if set(r["results"].values()) & {"fail", "warn"}]
    out.append("<h2>Failed or warned by some target (%d requirements)</h2>" % len(differ))
    out.extend(_table(m, differ, "d-"))
    out.append("<h2>Every requirement</h2>")
    out.extend(_table(m, m["requirements"], ""))
    out.append("</body></html>\n")
    return "\n".join(out)


def _table(m, rows, prefix):
    e = html.escape
    names = [t["name"] for t in m["targets"]]
    html_of = {t["name"]: t["html"] for t in m["targets"]}
    out = ["<table><tr><th>requirement</th><th>level</th>%s<th>text</th></tr>" % "".join(
        "<th class='t'>%s</th>" % e(n) for n in names)]
    for r in rows:
        cells = []
        for n in names:
            v = r["results"][n]
            cells.append("<td class='%s'><a href='%s#%s'>%s</a></td>" % (
                v.replace("/", ""), e(html_of[n]), e(r["id"]), e(v)))
        out.append("<tr id='%s%s'><td>%s</td><td>%s<br><small>%s</small></td>%s<td><small>%s</small></td></tr>" % (
            prefix, e(r["id"]), e(r["id"]), e(r["level"]), e(r["source"]), "".join(cells), e(r["text"])))
    out.append("</table>")
    return out
