"""What the packaging tests read from the programs and their man pages:
long options and commands from --help (at test time, so a new option is
seen the moment it is built), and what a man page documents."""
import os
import re
import subprocess

PROGRAMS = ("riotoasterd", "riotoast", "rio-replay")
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAN_PAGES = {
    "riotoasterd": os.path.join(TOP, "toaster", "riotoasterd", "riotoasterd.1"),
    "riotoast": os.path.join(TOP, "toaster", "riotoast", "riotoast.1"),
    "rio-replay": os.path.join(TOP, "replay", "rio-replay.1"),
}

# "  -s, --serials=LIST   ..." or "  --trace   ...": an option line of GLib's help.
_OPTION_LINE = re.compile(r"^\s+(?:-\w, )?(--[A-Za-z0-9][A-Za-z0-9-]*)", re.M)
_FONT = re.compile(r"\\f(?:[BIRP]|\[[A-Z]*\])")


def help_text(binary, *command):
    """`binary [command] --help` under the C locale; it must succeed."""
    env = dict(os.environ, LC_ALL="C")
    p = subprocess.run([binary, *command, "--help"], capture_output=True, text=True, env=env, timeout=30)
    assert p.returncode == 0, "%s %s --help: exit %d\n%s" % (binary, " ".join(command), p.returncode, p.stderr)
    return p.stdout


def long_options(text):
    return set(_OPTION_LINE.findall(text))


def commands(text):
    """The words of the "Commands:" section of a help text."""
    m = re.search(r"^Commands:\n((?:  .*\n)+)", text, re.M)
    return [line.split()[0] for line in m.group(1).splitlines()] if m else []


def all_options(binary):
    """{None: top-level options, COMMAND: that command's options; for a
    group of commands ("riotoast modem"), "GROUP COMMAND" too}."""
    top = help_text(binary)
    found = {None: long_options(top)}
    for cmd in commands(top):
        text = help_text(binary, cmd)
        found[cmd] = long_options(text)
        for sub in commands(text) if cmd in groups(top) else []:
            found["%s %s" % (cmd, sub)] = long_options(help_text(binary, cmd, sub))
    return found


def groups(text):
    """The commands of a help text that are groups of commands: their row
    reads "NAME COMMAND [ARG...]" ("riotoast modem")."""
    m = re.search(r"^Commands:\n((?:  .*\n)+)", text, re.M)
    return [line.split()[0] for line in m.group(1).splitlines() if line.split()[1:2] == ["COMMAND"]] if m else []


def man_text(path):
    """A man page's source with escapes undone enough to search it:
    "\\-\\-serials" -> "--serials", font changes dropped."""
    with open(path, encoding="utf-8") as f:
        return _FONT.sub("", f.read()).replace("\\-", "-")


def mentions(text, option):
    return re.search(re.escape(option) + r"(?![A-Za-z0-9-])", text) is not None


def _item_heads(text, section):
    """The heading line of each .TP item of a man page section."""
    m = re.search(r"^\.SH %s\n(.*?)(?=^\.SH )" % section, text, re.M | re.S)
    assert m, "no %s section" % section
    lines = m.group(1).splitlines()
    return [lines[i + 1] for i, line in enumerate(lines[:-1]) if line.startswith(".TP")]


def documented_options(text):
    """Long options a man page defines: the .TP items of its OPTIONS section."""
    return {opt for head in _item_heads(text, "OPTIONS") for opt in re.findall(r"--[A-Za-z0-9][A-Za-z0-9-]*", head)}


def documented_commands(text):
    """Commands a man page defines: the first word of each .TP item of its
    COMMANDS section ("set()" when it has none)."""
    if not re.search(r"^\.SH COMMANDS$", text, re.M):
        return set()
    return {re.sub(r"^\.[A-Z]+\s+", "", head).split()[0] for head in _item_heads(text, "COMMANDS")}
