"""Each program's man page renders without a warning and documents exactly
the long options its --help lists (read at test time, so the two cannot
drift apart)."""
import os
import re
import shutil
import subprocess

import pytest

from pkgcli import (MAN_PAGES, PROGRAMS, all_options, commands, documented_commands, documented_options, help_text,
                    man_text, mentions)

# GLib adds --help to every program and command; a page need not list it.
BUILT_IN = {"--help"}


@pytest.mark.parametrize("prog", PROGRAMS)
def test_groff_renders_without_warnings(prog):
    p = subprocess.run(["groff", "-man", "-ww", "-z", "-Tutf8", MAN_PAGES[prog]],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stderr == "", p.stderr


@pytest.mark.skipif(not shutil.which("man"), reason="man-db not installed")
@pytest.mark.parametrize("prog", PROGRAMS)
def test_man_shows_the_page(prog):
    env = dict(os.environ, MANWIDTH="80", MAN_KEEP_FORMATTING="0", LC_ALL="C.UTF-8")
    p = subprocess.run(["man", "--warnings", "-E", "UTF-8", "-l", MAN_PAGES[prog]],
                       capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0 and p.stderr == "", p.stderr
    shown = re.sub(".\b", "", p.stdout)  # overstrike bold and underline
    assert "NAME" in shown and prog in shown and "SEE ALSO" in shown


@pytest.mark.parametrize("prog", PROGRAMS)
def test_every_help_option_is_in_the_man_page(prog, rio_bin):
    text = man_text(MAN_PAGES[prog])
    missing = sorted("%s (%s)" % (opt, cmd or "top level")
                     for cmd, opts in all_options(rio_bin(prog)).items()
                     for opt in opts - BUILT_IN if not mentions(text, opt))
    assert not missing, "%s: in --help but not in the man page: %s" % (MAN_PAGES[prog], ", ".join(missing))


@pytest.mark.parametrize("prog", PROGRAMS)
def test_commands_are_those_of_help(prog, rio_bin):
    """The COMMANDS section lists exactly the commands of --help."""
    in_help = set(commands(help_text(rio_bin(prog))))
    in_page = documented_commands(man_text(MAN_PAGES[prog]))
    assert in_page == in_help, "%s: only in --help: %s; only in the man page: %s" % (
        MAN_PAGES[prog], sorted(in_help - in_page), sorted(in_page - in_help))


@pytest.mark.parametrize("prog", PROGRAMS)
def test_man_page_documents_version(prog):
    assert "--version" in documented_options(man_text(MAN_PAGES[prog]))


@pytest.mark.parametrize("prog", PROGRAMS)
def test_every_man_page_option_is_in_help(prog, rio_bin):
    # --version is answered before option parsing (test_programs.py runs it)
    known = set().union(*all_options(rio_bin(prog)).values()) | {"--version"}
    stale = sorted(documented_options(man_text(MAN_PAGES[prog])) - known)
    assert not stale, "%s: options the program no longer has: %s" % (MAN_PAGES[prog], ", ".join(stale))


@pytest.mark.parametrize("prog", PROGRAMS)
def test_see_also_names_pages_that_exist(prog):
    """Every page of SEE ALSO is one of ours or installed on this machine."""
    text = man_text(MAN_PAGES[prog])
    see_also = text.split(".SH SEE ALSO", 1)[1]
    refs = re.findall(r"^\.BR (\S+) \((\d)\)", see_also, re.M)
    assert refs, "empty SEE ALSO"
    ours = {(name, "1") for name in PROGRAMS}
    for name, section in refs:
        if (name, section) in ours:
            continue
        p = subprocess.run(["man", "-w", section, name], capture_output=True, text=True, timeout=30)
        assert p.returncode == 0, "SEE ALSO %s(%s): no such page here" % (name, section)
