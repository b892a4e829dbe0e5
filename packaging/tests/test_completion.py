"""bash completion (completions/rio.bash): sourced in a real bash, the
completion function fills COMPREPLY from the programs' own --help."""
import os
import shlex
import subprocess

import pytest

from pkgcli import TOP, all_options, commands, help_text

SCRIPT = os.path.join(TOP, "completions", "rio.bash")


def complete(path_dirs, words, script=SCRIPT):
    """COMPREPLY for the command line `words` (the last one is being
    completed; "" = a new word), as bash-completion would call it."""
    line = " ".join(shlex.quote(w) for w in words)
    prog = (
        'PATH=%s:$PATH\n' % ":".join(shlex.quote(d) for d in path_dirs) +
        '. %s\n' % shlex.quote(script) +
        'COMP_WORDS=(%s); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n' % line +
        'spec=$(complete -p %s) || exit 9\n' % shlex.quote(words[0]) +
        'fn=${spec#*-F }; fn=${fn%% *}\n'
        '"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"\n'
        'printf "%s\\n" "${COMPREPLY[@]}"\n')
    p = subprocess.run(["bash", "--norc", "--noprofile", "-c", prog], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stderr == "", p.stderr
    return [w for w in p.stdout.split("\n") if w]


@pytest.fixture(scope="module")
def bindirs(rio_bin):
    return [os.path.dirname(rio_bin(p)) for p in ("riotoasterd", "riotoast", "rio-replay")]


def test_registered_for_the_three_programs(bindirs):
    for prog in ("riotoasterd", "riotoast", "rio-replay"):
        assert complete(bindirs, [prog, "--h"]) == ["--help"]


def test_riotoasterd_long_options_are_those_of_help(bindirs, rio_bin):
    got = complete(bindirs, ["riotoasterd", "--"])
    want = all_options(rio_bin("riotoasterd"))[None] | {"--version"}
    assert {w.rstrip("=") for w in got} == want
    assert "--serials=" in got and "--trace" in got  # "=": takes a value


def test_riotoasterd_option_prefix(bindirs):
    assert complete(bindirs, ["riotoasterd", "--stall"]) == ["--stall-timeout="]


def test_riotoasterd_fault_names_come_from_fault_list(bindirs, rio_bin):
    names = subprocess.run([rio_bin("riotoasterd"), "--fault", "list"], capture_output=True,
                           text=True, timeout=30, check=True).stdout
    wanted = sorted(line.split("\t")[0] for line in names.splitlines() if line.startswith("wrong-"))
    assert wanted, "no wrong-* fault to complete"
    assert sorted(complete(bindirs, ["riotoasterd", "--fault", "wrong-"])) == wanted
    assert sorted(complete(bindirs, ["riotoasterd", "--fault", "=", "wrong-"])) == wanted


def test_riotoast_commands(bindirs, rio_bin):
    assert complete(bindirs, ["riotoast", ""]) == commands(help_text(rio_bin("riotoast")))
    assert complete(bindirs, ["riotoast", "to"]) == ["toast"]
    # after an option and its value, still a command
    assert complete(bindirs, ["riotoast", "--server", "localhost", "s"]) == ["status", "start", "session"]


def test_version_only_as_the_first_word(bindirs):
    assert complete(bindirs, ["riotoast", "--vers"]) == ["--version"]
    assert complete(bindirs, ["rio-replay", "--vers"]) == ["--version"]
    assert complete(bindirs, ["riotoast", "raw", "--vers"]) == ["--version="]  # raw's header field
    assert complete(bindirs, ["riotoast", "info", "--vers"]) == []


def test_riotoast_command_options(bindirs):
    got = complete(bindirs, ["riotoast", "raw", "--no"])
    assert got == ["--no-create"]
    assert "--dump" in complete(bindirs, ["riotoast", "toast", "--d"])
    assert "--dump" not in complete(bindirs, ["riotoast", "info", "--"])


def test_rio_replay_commands_and_their_options(bindirs):
    assert complete(bindirs, ["rio-replay", ""]) == ["audit", "client", "server"]
    assert complete(bindirs, ["rio-replay", "client", "x.pcap", "--target-"]) == ["--target-port="]
    assert "--listen=" in complete(bindirs, ["rio-replay", "server", "x.pcap", "--"])
    assert "--listen=" not in complete(bindirs, ["rio-replay", "client", "x.pcap", "--"])
    assert complete(bindirs, ["rio-replay", "client", "x.pcap", "--timing", ""]) == ["fast", "original"]


def test_capture_argument_completes_files(bindirs, tmp_path):
    (tmp_path / "one.pcap").write_bytes(b"")
    got = complete(bindirs, ["rio-replay", "audit", str(tmp_path / "on")])
    assert got == [str(tmp_path / "one.pcap")]


def test_installed_completions_work(installed):
    """The installed copies (one per command name) complete the installed programs."""
    bindir = installed.path("bin")
    for prog in ("riotoasterd", "riotoast", "rio-replay"):
        script = installed.path("share", "bash-completion", "completions", prog)
        assert complete([bindir], [prog, "--he"], script=script) == ["--help"]
