"""riotoast as a user meets it: --server with [IPv6] and :PORT, output on a
terminal (a newline after the toast, "no toast ready" with read -x), help
defaults from the constants, and the exit-status table of --help, the
source and riotoast.1 agreeing."""
import os
import shlex
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_riotoast_common import (  # noqa: E402
    EXIT_CONNECTION, EXIT_LOCAL, EXIT_OK, EXIT_STATUS, EXIT_USAGE, DEFS, fields, riotoast)  # riotoast: a fixture
from pyrio import exitstatus  # noqa: E402

RIOTOAST_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "riotoast")


@pytest.fixture
def toaster(toasterd):
    return toasterd(serials=1)


@pytest.fixture
def v6_toaster(toaster):
    """The daemon listens on ::1 too by default; a host without IPv6 skips."""
    if "[::1]:%d" % toaster.port(1) not in toaster.log():
        pytest.skip("riotoasterd does not listen on ::1 here:\n" + toaster.log())
    return toaster


# ---- --server ----------------------------------------------------------------

def test_bracketed_ipv6_server(riotoast, v6_toaster):
    port = v6_toaster.port(1)
    r = riotoast("--server", "[::1]", "info", port=port)
    assert r.code == EXIT_OK, r
    assert fields(r.text)["SerialNumber"] == "1"
    doc = riotoast("--json", "--server", "[::1]:%d" % port, "info").json()
    assert doc["ok"] and (doc["server"], doc["port"]) == ("::1", port), doc
    assert riotoast("--server", "::1", "info", port=port).code == EXIT_OK


def test_host_with_port(riotoast, toaster):
    doc = riotoast("--json", "-s", "127.0.0.1:%d" % toaster.port(1), "status").json()
    assert doc["ok"] and (doc["server"], doc["port"]) == ("127.0.0.1", toaster.port(1)), doc


@pytest.mark.parametrize("argv", [["--server", "[::1", "info"], ["--server", "[::1]x", "info"],
                                  ["--server", "127.0.0.1:0", "info"], ["--server", "", "info"],
                                  ["--server", "[::1]:5001", "--port", "5002", "info"],
                                  ["--server", "127.0.0.1:5001", "--serial", "2", "info"]])
def test_bad_server_is_a_usage_error(riotoast, argv):
    r = riotoast(*argv)
    assert r.code == EXIT_USAGE, r
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("riotoast: "), r
    assert "--server" in lines[0] or "port once" in lines[0], r


# ---- output on a terminal ------------------------------------------------------

def on_terminal(rio_bin, *args):
    """riotoast ARGS with stdout on a pseudo-terminal (script(1)): its exit
    status and what the terminal showed."""
    cmd = " ".join(shlex.quote(a) for a in [rio_bin("riotoast")] + [str(a) for a in args])
    p = subprocess.run(["script", "-qec", cmd, "/dev/null"], stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=60)
    return p.returncode, p.stdout


def test_toast_ends_with_a_newline_on_a_terminal(rio_bin, riotoast, toaster):
    code, screen = on_terminal(rio_bin, "--port", toaster.port(1), "toast", "rye")
    assert code == EXIT_OK, screen
    assert screen == b"rye\r\n", screen           # the terminal turns \n into \r\n
    piped = riotoast("toast", "rye", port=toaster.port(1))
    assert piped.code == EXIT_OK and piped.out == b"rye", piped  # a pipe gets exactly the toast
    code, screen = on_terminal(rio_bin, "--port", toaster.port(1), "toast", "rye\n")
    assert screen == b"rye\r\n", screen           # no second newline


def test_read_dump_says_when_nothing_is_ready(riotoast, toaster):
    r = riotoast("read", "-x", port=toaster.port(1))
    assert r.code == EXIT_OK, r
    assert r.text == "No toast ready (0 bytes).\n", r
    plain = riotoast("read", port=toaster.port(1))
    assert plain.code == EXIT_OK and plain.out == b"", plain


# ---- help ---------------------------------------------------------------------

def help_of(riotoast, *command):
    r = riotoast(*command, "--help")
    assert r.code == EXIT_OK, r
    return " ".join(r.text.split())


def test_help_defaults_come_from_the_constants(riotoast):
    main = help_of(riotoast)
    assert "port %d+N (default 1)" % DEFS.BASE_PORT in main, main
    assert "IRP_MJ_READ, default %d" % DEFS.TOASTER_MAX_LOAD_BYTES in main, main
    raw = help_of(riotoast, "raw")
    assert "(default %s)" % DEFS.SIGNATURE_REQUEST in raw and "Version (default %d)" % DEFS.VERSION in raw
    assert "HeaderLength (default %d)" % DEFS.HEADER_LENGTH_MIN in raw
    assert "up to %d bytes" % DEFS.HEADER_LENGTH_MAX in raw
    assert "toast cycles (default %d)" % DEFS.TOASTER_DARKNESS_MAX in help_of(riotoast, "session")


def test_exit_table_matches_help_and_man_page(riotoast):
    source = exitstatus.from_source(os.path.join(RIOTOAST_DIR, "riotoast.h"), "RT_EXIT_TABLE")
    assert sorted(source) == [EXIT_OK, EXIT_STATUS, EXIT_LOCAL, EXIT_CONNECTION, EXIT_USAGE]
    exitstatus.check(source, exitstatus.from_help(riotoast("--help").text),
                     exitstatus.from_man_page(os.path.join(RIOTOAST_DIR, "riotoast.1")))


# ---- bash completion of a group's commands ---------------------------------------

def complete(rio_bin, *words):
    """COMPREPLY of completions/rio.bash for `riotoast WORDS` (the last word
    is the one being completed), in a real bash."""
    script = os.path.join(os.path.dirname(os.path.dirname(RIOTOAST_DIR)), "completions", "rio.bash")
    line = " ".join(shlex.quote(w) for w in ("riotoast",) + words)
    prog = ('PATH=%s:$PATH\n. %s\n' % (shlex.quote(os.path.dirname(rio_bin("riotoast"))), shlex.quote(script)) +
            'COMP_WORDS=(%s); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n' % line +
            '_rio_complete; printf "%s\\n" "${COMPREPLY[@]}"\n')
    p = subprocess.run(["bash", "--norc", "--noprofile", "-c", prog], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stderr == "", p.stderr
    return [w for w in p.stdout.split("\n") if w]


def test_completion_knows_the_new_commands(rio_bin):
    assert {"ioctl", "modem", "terminal"} <= set(complete(rio_bin, ""))
    assert complete(rio_bin, "modem", "") == ["dial", "send", "at", "status"]
    assert complete(rio_bin, "-p", "5003", "modem", "s") == ["send", "status"]
    assert complete(rio_bin, "modem", "dial", "--w") == ["--wait="]
    assert complete(rio_bin, "modem", "status", "--dt") == ["--dtr"]
    assert complete(rio_bin, "ioctl", "--dev") == ["--devices="]
    assert "--binary" in complete(rio_bin, "terminal", "--")
