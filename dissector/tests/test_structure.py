"""The plugin's sources form a DAG: each .c file has a header of its own
(module = file name without .c/.h), and no module reaches back into one
that includes it (issue 12: packet-rio.c, rio_frame.c and rio_stats.c
used to include and call one another)."""
import glob
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = os.path.dirname(HERE)
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def module_graph():
    """{module: {modules it includes}} for dissector/*.c and *.h."""
    graph = {}
    for path in glob.glob(os.path.join(SOURCES, "*.[ch]")):
        mod = os.path.splitext(os.path.basename(path))[0]
        with open(path) as f:
            deps = {os.path.splitext(os.path.basename(inc))[0] for inc in INCLUDE.findall(f.read())}
        graph.setdefault(mod, set()).update(deps - {mod})
    return graph


def find_cycle(graph):
    """A list of modules forming a cycle, or None."""
    state, stack = {}, []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for d in sorted(graph.get(m, ())):
            if state.get(d) == "open":
                return stack[stack.index(d):] + [d]
            if d not in state:
                found = visit(d)
                if found:
                    return found
        stack.pop()
        state[m] = "done"
        return None

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def test_the_graph_is_read():
    graph = module_graph()
    assert {"packet-rio", "rio_frame", "rio_conv", "rio_stats", "rio_device"} <= set(graph)
    assert "rio_conv" in graph["rio_frame"] and "rio_frame" in graph["packet-rio"]


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_include_cycle():
    cycle = find_cycle(module_graph())
    assert cycle is None, "include cycle: " + " -> ".join(cycle)


def test_every_c_file_has_its_header():
    """So that what a file offers is declared once, in its own header
    (plugin.c offers only Wireshark's entry points)."""
    missing = [os.path.basename(c) for c in glob.glob(os.path.join(SOURCES, "*.c"))
               if os.path.basename(c) not in ("plugin.c", "packet-rio.c")
               and not os.path.exists(os.path.splitext(c)[0] + ".h")]
    assert not missing
