"""The requirement registry, read from docs/PROTOCOL.md.

Every requirement is one line of the spec:

    - **RIO-SES-003** (MUST, brief) Server: a CREATE on a connection ...
    - **RIO-FRM-013** (MUST, decision) Server: ... Why: <one line>.

The registry maps the ID to its level, source (`brief`: it follows from
the wire brief; `decision`: the project's own choice), text and the section
it sits in.  A binding decision without its one-line `Why:` is a problem of
the spec (reported by the meta-tests).
conformance/untestable.txt lists the requirements that cannot be checked
from outside an implementation, one per line: `ID<whitespace>reason`.
"""
import os
import re
from dataclasses import dataclass

REQ_LINE = re.compile(r"^- \*\*(RIO-[A-Z]+-\d{3})\*\* \((MUST|SHOULD|MAY|MUST NOT|SHOULD NOT), (brief|decision)\) (.+)$")
WHY = re.compile(r" Why: [^.].*\.$")
HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")

# Failing a requirement of these levels fails the run; the others warn.
BINDING = ("MUST", "MUST NOT")


@dataclass(frozen=True)
class Requirement:
    rid: str
    level: str
    source: str       # "brief" or "decision"
    text: str
    section: str
    line: int

    @property
    def binding(self):
        return self.level in BINDING


class Registry:
    def __init__(self, path, requirements, untestable, problems):
        self.path = path
        self.reqs = requirements          # rid -> Requirement, spec order
        self.untestable = untestable      # rid -> reason
        self.problems = problems          # spec/table defects, one line each

    def __contains__(self, rid):
        return rid in self.reqs

    def __getitem__(self, rid):
        return self.reqs[rid]

    def level(self, rid):
        return self.reqs[rid].level if rid in self.reqs else None

    def binding_ids(self):
        return [r.rid for r in self.reqs.values() if r.binding]


def parse_spec(path):
    """(requirements, problems) from the spec's text."""
    reqs, problems, section = {}, [], ""
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            h = HEADING.match(line)
            if h:
                section = h.group(2)
                continue
            m = REQ_LINE.match(line)
            if m:
                rid, level, source, text = m.groups()
                if rid in reqs:
                    problems.append("%s:%d: %s defined twice (first on line %d)"
                                    % (path, lineno, rid, reqs[rid].line))
                    continue
                if source == "decision" and level in BINDING and not WHY.search(text):
                    problems.append("%s:%d: %s is a %s decision without its one-line 'Why: ...' justification"
                                    % (path, lineno, rid, level))
                reqs[rid] = Requirement(rid, level, source, text, section, lineno)
            elif line.startswith("- **RIO-"):
                problems.append("%s:%d: looks like a requirement but does not match the format "
                                "'- **RIO-XXX-NNN** (LEVEL, brief|decision) Party: text'"
                                % (path, lineno))
    return reqs, problems


def parse_untestable(path, reqs):
    """(rid -> reason, problems) from the untestable table."""
    table, problems = {}, []
    if not os.path.exists(path):
        return table, problems
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            rid, reason = parts[0], (parts[1].strip() if len(parts) > 1 else "")
            if rid not in reqs:
                problems.append("%s:%d: %s is not a requirement of the spec" % (path, lineno, rid))
            elif not reason:
                problems.append("%s:%d: %s has no reason" % (path, lineno, rid))
            else:
                table[rid] = reason
    return table, problems


def load(spec_path, untestable_path):
    if not os.path.exists(spec_path):
        return Registry(spec_path, {}, {}, ["%s: no such file" % spec_path])
    reqs, problems = parse_spec(spec_path)
    untestable, more = parse_untestable(untestable_path, reqs)
    return Registry(spec_path, reqs, untestable, problems + more)
