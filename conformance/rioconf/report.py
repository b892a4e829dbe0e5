"""Results of a conformance run, per test and per requirement, and the
reports made from them: the requirement matrix, JSON and HTML."""
import html
import json
import time
from dataclasses import dataclass, asdict, field
from typing import List, Optional

PASS, FAIL, WARN, NOT_RUN, NO_TEST, UNTESTABLE = "PASS", "FAIL", "WARN", "NOT RUN", "NO TEST", "UNTESTABLE"


@dataclass
class TestResult:
    nodeid: str
    requirements: List[str]
    outcome: str = "passed"            # passed, failed, warned, skipped, error
    violated: Optional[str] = None     # the requirement a Violation named
    also: List[str] = field(default_factory=list)  # others the same observation breaks
    level: Optional[str] = None
    message: str = ""
    transcript: str = ""
    duration: float = 0.0
    properties: list = field(default_factory=list)

    def breaks(self):
        return ([self.violated] if self.violated else []) + list(self.also)


class Results:
    def __init__(self, registry, options_text, strict):
        self.registry, self.options_text, self.strict = registry, options_text, strict
        self.tests = {}       # nodeid -> TestResult
        self.declared = {}    # rid -> [nodeid] (every collected test, run or not)
        self.started = time.time()

    def declare(self, nodeid, rids):
        self.tests[nodeid] = TestResult(nodeid, list(rids), outcome="skipped")
        for rid in rids:
            self.declared.setdefault(rid, []).append(nodeid)

    # ---- verdicts ----------------------------------------------------------

    def verdict(self, rid):
        tests = [self.tests[n] for n in self.declared.get(rid, []) if n in self.tests]
        hits = [t for t in self.tests.values() if rid in t.breaks()]
        errors = [t for t in tests if t.outcome == "error" or (t.outcome == "failed" and not t.violated)]
        if any(t.outcome == "failed" for t in hits) or errors:
            return FAIL
        if any(t.outcome == "warned" for t in hits):
            return WARN
        if any(t.outcome == "passed" or (t.outcome in ("failed", "warned") and rid not in t.breaks())
               for t in tests):
            return PASS
        if tests:
            return NOT_RUN
        return UNTESTABLE if rid in self.registry.untestable else NO_TEST

    def requirement_rows(self):
        for rid, req in self.registry.reqs.items():
            yield {"id": rid, "level": req.level, "section": req.section, "text": req.text,
                   "verdict": self.verdict(rid), "tests": self.declared.get(rid, []),
                   "violated_by": [t.nodeid for t in self.tests.values() if rid in t.breaks()],
                   "untestable": self.registry.untestable.get(rid)}

    def failed_ids(self):
        return sorted(r["id"] for r in self.requirement_rows() if r["verdict"] == FAIL)

    def warned_ids(self):
        return sorted(r["id"] for r in self.requirement_rows() if r["verdict"] == WARN)

    # ---- reports -----------------------------------------------------------

    def as_dict(self):
        rows = list(self.requirement_rows())
        counts = {}
        for r in rows:
            counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
        return {"suite": "RIO/1 conformance", "spec": self.registry.path, "target": self.options_text,
                "strict": self.strict, "started": self.started, "duration": time.time() - self.started,
                "summary": counts, "failed_requirements": self.failed_ids(),
                "warned_requirements": self.warned_ids(), "requirements": rows,
                "tests": [asdict(t) for t in self.tests.values()]}

    def write_json(self, path):
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.as_dict(), f, indent=2)
            f.write("\n")

    def write_html(self, path):
        with open(path, "w", encoding="utf-8") as f:
            f.write(render_html(self.as_dict()))


def matrix_text(registry, declared):
    """The requirement-to-test matrix: one requirement per line."""
    lines, missing = [], 0
    for rid, req in registry.reqs.items():
        tests = declared.get(rid, [])
        if tests:
            where = ", ".join(compact(tests))
        elif rid in registry.untestable:
            where = "(untestable: %s)" % registry.untestable[rid]
        else:
            where = "** NO TEST **" if req.binding else "(no test)"
            missing += req.binding
        lines.append("%-12s %-10s %s" % (rid, req.level, where))
    lines.append("%d requirements, %d binding without a test" % (len(registry.reqs), missing))
    return "\n".join(lines)


def compact(nodeids):
    """'test_x' for a test, 'test_y[3 cases]' for the cases of a parametrized one."""
    counts = {}
    for nodeid in nodeids:
        name = nodeid.split("::", 1)[-1]
        base = name.split("[", 1)[0]
        counts.setdefault(base, []).append(name)
    return ["%s[%d cases]" % (base, len(names)) if len(names) > 1 or "[" in names[0] else base
            for base, names in counts.items()]


_CSS = """body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccc;padding:4px;vertical-align:top;text-align:left}
.PASS{background:#c8f0c8}.FAIL{background:#f6b8b8}.WARN{background:#fbe7a6}
.NOT_RUN,.NO_TEST{background:#e4e4e4}.UNTESTABLE{background:#dde6f6}
pre{background:#f7f7f7;padding:6px;overflow-x:auto;font-size:85%}"""


def render_html(d):
    e = html.escape
    by_node = {t["nodeid"]: t for t in d["tests"]}
    out = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>RIO/1 conformance report</title>",
           "<style>%s</style></head><body>" % _CSS,
           "<h1>RIO/1 conformance report</h1>",
           "<p>Target: %s<br>Spec: %s<br>Strict: %s<br>Duration: %.1f s</p>" % (
               e(d["target"]), e(d["spec"]), d["strict"], d["duration"]),
           "<p>%s</p>" % ", ".join("%s: %d" % (e(k), v) for k, v in sorted(d["summary"].items())),
           "<table><tr><th>Requirement</th><th>Level</th><th>Verdict</th><th>Text</th><th>Tests</th></tr>"]
    out.extend(_html_row(r, by_node) for r in d["requirements"])
    out.append("</table></body></html>\n")
    return "\n".join(out)


def _html_row(r, by_node):
    e = html.escape
    cells = [_html_test(r["id"], nodeid, by_node.get(nodeid, {}))
             for nodeid in sorted(set(r["tests"]) | set(r["violated_by"]))]
    if not cells and r["untestable"]:
        cells.append("untestable: " + e(r["untestable"]))
    return ("<tr id='%s'><td>%s</td><td>%s</td><td class='%s'>%s</td><td>%s<br><small>%s</small></td>"
            "<td>%s</td></tr>" % (e(r["id"]), e(r["id"]), e(r["level"]), r["verdict"].replace(" ", "_"),
                                  e(r["verdict"]), e(r["text"]), e(r["section"]), "<br>".join(cells)))


def _html_test(rid, nodeid, t):
    """A case in a requirement's row; with its details if it broke that one."""
    e = html.escape
    item = "%s &mdash; %s" % (e(nodeid.split("::", 1)[-1]), e(t.get("outcome", "?")))
    broke = rid in [t.get("violated")] + t.get("also", []) or (t.get("message") and not t.get("violated"))
    if broke and t.get("message"):
        item += "<details><summary>details and transcript</summary><pre>%s</pre><pre>%s</pre></details>" % (
            e(t["message"]), e(t.get("transcript", "")))
    elif t.get("transcript"):       # kept for every case (--rio-transcripts, matrix runs)
        item += "<details><summary>transcript</summary><pre>%s</pre></details>" % e(t["transcript"])
    return item
