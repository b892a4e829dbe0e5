"""rio-replay for CI and long captures: exit statuses (and the table that
documents them), output that cannot be written, --junit checked first,
progress on a terminal only, identical reports grouped and capped, -q,
the table of sessions, one error line for an unreachable target, the same
outcomes in client and server mode, stable session numbers under a
selection, --from after --to."""
import json
import os
import re
import select
import socket
import subprocess

import pytest

import craft
import livehelp
from livehelp import expectation
from pyrio import exitstatus

HERE = os.path.dirname(os.path.abspath(__file__))
REPLAY = os.path.dirname(HERE)
LIB = livehelp.CAPTURE_DIR
SESSION = os.path.join(LIB, "session-pcapng.pcapng")   # one session, six transactions


EXIT_MATCH, EXIT_DIVERGED, EXIT_INCOMPLETE, EXIT_NETWORK, EXIT_USAGE = 0, 1, 2, 3, 4


def test_exit_table_matches_help_and_man_page(run):
    source = exitstatus.from_source(os.path.join(REPLAY, "replayopts.h"), "RR_EXIT_TABLE")
    assert sorted(source) == [EXIT_MATCH, EXIT_DIVERGED, EXIT_INCOMPLETE, EXIT_NETWORK, EXIT_USAGE]
    res = run("--help")
    assert res.code == 0, res
    exitstatus.check(source, exitstatus.from_help(res.out),
                     exitstatus.from_man_page(os.path.join(REPLAY, "rio-replay.1")))


# ---- output that cannot be written -------------------------------------------

def run_to_full(replay_bin, *args):
    with open("/dev/full", "w") as full:
        return subprocess.run([replay_bin] + [str(a) for a in args], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=60)


def one_error_line(stderr, *words):
    lines = [x for x in stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("rio-replay: "), stderr
    for w in words:
        assert w in lines[0], stderr


@pytest.mark.parametrize("args", [("--json",), (), ("--quiet",)], ids=["json", "text", "quiet"])
def test_output_to_a_full_device_fails(replay_bin, args):
    proc = run_to_full(replay_bin, "audit", SESSION, *args)
    assert proc.returncode == EXIT_USAGE, proc
    one_error_line(proc.stderr, "cannot write the output", "No space left")


def test_client_output_to_a_full_device_fails(replay_bin, toasterd):
    d = toasterd(serials=8)
    proc = run_to_full(replay_bin, "client", SESSION, "--target", "127.0.0.1",
                       "--port-map", livehelp.port_map(expectation(SESSION), d), "--json")
    assert proc.returncode == EXIT_USAGE, proc
    one_error_line(proc.stderr, "cannot write the output")


# ---- --junit is checked before anything runs ---------------------------------

def test_unwritable_junit_stops_before_anything_is_sent(run, tmp_path):
    """A listening socket stands for the server: after rio-replay exits, its
    accept queue is empty, so no connection was ever made."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    try:
        res = run("client", SESSION, "--target", "127.0.0.1:%d" % srv.getsockname()[1],
                  "--junit", tmp_path / "no-such-dir" / "r.xml")
        assert res.code == EXIT_USAGE, res
        one_error_line(res.err, "--junit", "No such file")
        assert res.out == "", res
        assert select.select([srv], [], [], 0)[0] == []   # nothing connected
    finally:
        srv.close()


@pytest.mark.parametrize("command", ["audit", "server"])
def test_unwritable_junit_is_a_usage_error(run, tmp_path, command):
    args = ("--listen", "127.0.0.1:1") if command == "server" else ()
    res = run(command, SESSION, "--junit", tmp_path / "missing" / "r.xml", *args)
    assert res.code == EXIT_USAGE, res
    one_error_line(res.err, "--junit")


@pytest.mark.parametrize("command", ["audit", "client"])
def test_junit_write_failure_shows_in_the_summary(run, toasterd, command):
    """/dev/full opens but takes nothing: the summary names the final
    status, the status it exits with."""
    args = ()
    if command == "client":
        args = ("--target", "127.0.0.1", "--port-map", livehelp.port_map(expectation(SESSION), toasterd(serials=8)))
    res = run(command, SESSION, "--json", "--junit", "/dev/full", *args)
    assert res.code == EXIT_USAGE, res
    assert res.json() and res.json()[-1]["type"] == "summary"
    assert res.json()[-1]["exit"] == EXIT_USAGE, res
    one_error_line(res.err, "--junit /dev/full")


# ---- progress on a terminal, and only there ----------------------------------

PROGRESS = re.compile(r"\r[^\r\n]*\x1b\[K")


def run_on_pty(argv, stderr_too=True):
    """argv with stdout (and stderr) on a pseudo-terminal; returns (exit
    status, what the terminal got, stderr if it was a pipe)."""
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=slave,
                                stderr=slave if stderr_too else subprocess.PIPE)
    finally:
        os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:          # EIO: the last writer closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    err = proc.stderr.read().decode() if not stderr_too else ""
    code = proc.wait(timeout=60)
    return code, b"".join(chunks).decode("utf-8", "replace"), err


def plain_lines(text):
    return [line for line in text.replace("\r\n", "\n").split("\n") if line]


def test_progress_on_a_terminal_is_shown_and_erased(replay_bin, run, tmp_path):
    pcap = tmp_path / "bulk.pcap"
    subprocess.run(["/usr/bin/python3", os.path.join(LIB, "gen.py"), "bulk", "--transactions", "400",
                    "--connections", "4", "-o", str(pcap)], check=True, timeout=120)
    code, screen, _ = run_on_pty([replay_bin, "audit", str(pcap)])
    assert code == EXIT_MATCH, screen
    drawn = PROGRESS.findall(screen)
    shown = [d for d in drawn if d != "\r\x1b[K"]
    assert shown, repr(screen)                     # at least one progress line ...
    assert all("bulk.pcap: " in d and "packets" in d for d in shown), drawn
    assert drawn[-1] == "\r\x1b[K", repr(screen)   # ... erased at the end
    # Erased before every other output: without them the screen is exactly
    # the output when nothing is a terminal.
    piped = run("audit", pcap)
    assert plain_lines(PROGRESS.sub("", screen)) == plain_lines(piped.out + piped.err)
    assert piped.err == "", piped


def test_progress_of_a_replay_on_a_terminal(replay_bin, toasterd):
    d = toasterd(serials=8)
    code, screen, _ = run_on_pty([replay_bin, "client", SESSION, "--target", "127.0.0.1",
                                  "--port-map", livehelp.port_map(expectation(SESSION), d)])
    assert code == EXIT_MATCH, screen
    shown = [p for p in PROGRESS.findall(screen) if p != "\r\x1b[K"]
    assert shown and all("client replay: " in p for p in shown), repr(screen)
    rest = plain_lines(PROGRESS.sub("", screen))
    assert rest and rest[-1].startswith("client replay: 1 sessions"), rest


def test_no_progress_when_stderr_is_not_a_terminal(replay_bin):
    code, screen, err = run_on_pty([replay_bin, "audit", SESSION], stderr_too=False)
    assert code == EXIT_MATCH, screen
    assert err == "" and "\x1b[K" not in screen and "\r" not in screen.replace("\r\n", "\n"), repr(screen)


# ---- grouping, cap, -q, the table of sessions --------------------------------

@pytest.fixture(scope="module")
def bulk(tmp_path_factory):
    """300 transactions over 3 connections: 75 WRITEs, each answered with
    a wrong Information by the faulty daemon."""
    pcap = tmp_path_factory.mktemp("bulk") / "bulk.pcap"
    subprocess.run(["/usr/bin/python3", os.path.join(LIB, "gen.py"), "bulk", "--transactions", "300",
                    "--connections", "3", "-o", str(pcap)], check=True, timeout=120)
    return pcap


def faulty_replay(run, toasterd, pcap, *extra):
    d = toasterd(serials=1, args=["--fault", "wrong-write-information"])
    return run("client", pcap, "--target", "127.0.0.1", "--port-map", "%d=%d" % (livehelp.BASE_PORT + 1, d.port(1)),
               *extra)


def summary_line(res):
    lines = res.out.splitlines()
    assert lines and lines[-1].startswith("client replay: "), res
    return lines[-1]


def test_identical_divergences_are_grouped(run, toasterd, bulk):
    res = faulty_replay(run, toasterd, bulk)
    js = faulty_replay(run, toasterd, bulk, "--json")
    diverged = [o for o in js.json() if o.get("outcome") == "diverged"]
    assert len(diverged) > 1, js
    assert {d["field"] for o in diverged for d in o["diffs"]} == {"information"}
    assert res.code == js.code == EXIT_DIVERGED, res
    assert res.out.count(": DIVERGED") == 1, res            # shown once ...
    more = re.findall(r"^(\d+) more like session (\d+) transaction (\d+) \(DIVERGED: information\)$",
                      res.out, re.M)
    assert more and int(more[0][0]) == len(diverged) - 1, res  # ... and counted
    assert ", %d diverged," % len(diverged) in summary_line(res)


def test_table_of_sessions(run, toasterd, bulk):
    res = faulty_replay(run, toasterd, bulk)
    lines = res.out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("session  match  diverged"))
    rows = [line.split() for line in lines[head + 1:-1]]
    assert [int(r[0]) for r in rows] == [1, 2, 3], res
    counts = {k: sum(int(r[1 + i]) for r in rows)
              for i, k in enumerate(lines[head].split()[1:7])}
    assert counts["match"] + counts["diverged"] == 300, res
    assert "%d match, %d diverged" % (counts["match"], counts["diverged"]) in summary_line(res)


def test_max_report_caps_reports_and_rows(run, toasterd, bulk):
    res = faulty_replay(run, toasterd, bulk, "--max-report", "1")
    assert res.code == EXIT_DIVERGED, res
    lines = res.out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("session  match"))
    assert re.match(r"^\s+\d+\s", lines[head + 1]) and not re.match(r"^\s+\d+\s", lines[head + 2]), res
    assert "(2 more sessions not shown, 0 of them all matched; --max-report 0 shows all)" in res.out
    every = faulty_replay(run, toasterd, bulk, "--max-report", "0")
    assert "not shown" not in every.out, every


def test_quiet_prints_the_summary_only(run, toasterd, bulk):
    res = faulty_replay(run, toasterd, bulk, "-q")
    assert res.code == EXIT_DIVERGED, res
    assert len(res.out.splitlines()) == 1 and res.out.startswith("client replay: "), res
    audit = run("audit", os.path.join(LIB, "malformed.pcap"), "-q")
    assert audit.code == EXIT_DIVERGED and len(audit.out.splitlines()) == 1, audit
    assert audit.out.startswith("total: "), audit


def test_audit_reports_capped(run):
    res = run("audit", os.path.join(LIB, "malformed.pcap"), "--max-report", "2")
    sessions = [line for line in res.out.splitlines() if re.match(r"^session \d+: ", line)]
    assert len(sessions) == 2, res
    assert "3 session lines; --max-report 2" in res.out, res


# ---- unreachable target, classification --------------------------------------

def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_unreachable_target_gives_one_error_line(run):
    cap = os.path.join(LIB, "rec-farm.pcap")        # three sessions to one port
    sessions = len(expectation(cap)["sessions"])
    assert sessions > 1
    res = run("client", cap, "--target", "127.0.0.1:%d" % closed_port(), "--json", "--timeout", "2")
    assert res.code == EXIT_NETWORK, res
    one_error_line(res.err, "cannot connect", "unreachable")
    outcomes = [o["outcome"] for o in res.json() if o["type"] == "transaction"]
    assert outcomes.count("unreachable") == sessions, res
    assert outcomes and set(outcomes) == {"unreachable", "not_replayed"}, res


def server_run(replay_bin, riotoast, *command, timeout="5"):
    from pyrio.daemon import free_port_block
    port = free_port_block(0)
    proc = subprocess.Popen([replay_bin, "server", os.path.join(LIB, "rec-session.pcap"),
                             "--listen", "127.0.0.1:%d" % port, "--timeout", timeout, "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert "listening" in proc.stderr.readline()
    if command:
        subprocess.run([riotoast, "--port", str(port)] + list(command), capture_output=True, timeout=60)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, [json.loads(x) for x in out.splitlines() if x.startswith("{")]


@pytest.fixture
def riotoast(rio_bin):
    return rio_bin("riotoast")


def test_server_early_close_is_one_divergence_then_not_replayed(replay_bin, riotoast):
    """The live client stops after GET_STATUS without CLOSE: the skipped
    GET_INFO and the early close diverge; the rest is not replayed (as in
    client mode after the server closes early)."""
    code, objs = server_run(replay_bin, riotoast, "--misbehave", "no-close", "status")
    results = [o for o in objs if o["type"] == "transaction"]
    assert code == EXIT_DIVERGED, objs
    closes = [r for r in results if any(d["field"] == "close" for d in r["diffs"])]
    assert len(closes) == 1 and closes[0]["outcome"] == "diverged", results
    skipped = [r for r in results if r.get("note", "").startswith("recorded request never came")]
    assert len(skipped) == 1, results
    rest = [r for r in results if r["outcome"] == "not_replayed"]
    assert rest and all(r["note"] == "the live client closed the connection" for r in rest), results
    assert objs[-1]["type"] == "summary" and objs[-1]["not_replayed"] == len(rest)


def test_server_without_client_times_out_then_not_replayed(replay_bin):
    code, objs = server_run(replay_bin, None, timeout="1")
    results = [o for o in objs if o["type"] == "transaction"]
    assert code == EXIT_NETWORK, objs
    assert [r["outcome"] for r in results[:1]] == ["timeout"], results
    assert results[1:] and {r["outcome"] for r in results[1:]} == {"not_replayed"}, results


# ---- session numbers under a selection ---------------------------------------

def session_numbers(res):
    return [(o["session"], o["client"]) for o in res.json() if o["type"] == "session"]


def test_session_numbers_stable_under_filter(run):
    cap = os.path.join(LIB, "malformed.pcap")
    everything = session_numbers(run("audit", cap, "--json"))
    assert len(everything) > 2
    for number, client in everything:
        port = client.rsplit(":", 1)[1]
        res = run("audit", cap, "--json", "--filter", "tcp port %s" % port)
        assert session_numbers(res) == [(number, client)], res
        again = run("audit", cap, "--json", "--filter", "tcp port %s" % port, "--session", str(number))
        assert session_numbers(again) == [(number, client)], again


def two_sessions(tmp_path):
    return craft.two_sessions(tmp_path / "two.pcap")


def test_session_numbers_stable_under_a_time_window(run, tmp_path):
    p = two_sessions(tmp_path)
    assert session_numbers(run("audit", p, "--json", "--from", "50")) == [(2, "127.0.0.1:41001")]
    assert session_numbers(run("audit", p, "--json", "--to", "50")) == [(1, "127.0.0.1:41000")]


@pytest.mark.parametrize("window", [("--from", "20", "--to", "10"),
                                    ("--from", "1700000020", "--to", "1700000010")],
                         ids=["relative", "epoch"])
def test_from_after_to_is_a_usage_error(run, tmp_path, window):
    res = run("audit", two_sessions(tmp_path), *window)
    assert res.code == EXIT_USAGE and res.out == "", res
    one_error_line(res.err, "--from is after --to")


def test_from_after_to_mixed_is_found_at_the_first_packet(run, tmp_path):
    """An epoch --from and a relative --to: the first packet tells."""
    res = run("audit", two_sessions(tmp_path), "--from", "1700000050", "--to", "10")
    assert res.code == EXIT_USAGE, res
    one_error_line(res.err, "--from is after --to")
    ok = run("audit", two_sessions(tmp_path), "--from", "1700000050", "--to", "200", "--json")
    assert ok.code == EXIT_MATCH and session_numbers(ok) == [(2, "127.0.0.1:41001")], ok


# ---- a recording made now, by the shared tcpdump helper ----------------------

def test_recorded_now_is_complete(run, toasterd, riotoast, tmp_path):
    """livehelp.record (captures/tools/record.py's Tcpdump) waits for tcpdump
    to listen and for a marker datagram to reach the file, then cuts the
    marker: the recording holds the whole session and nothing else."""
    d = toasterd(serials=1)
    path, proc = livehelp.record(tmp_path, d.port(1), [riotoast, "--port", str(d.port(1)), "info"])
    assert proc.returncode == 0, proc
    res = run("audit", path, "--json")
    assert res.code == EXIT_MATCH, res
    summary = res.json()[-1]
    assert summary["sessions"] == 1 and summary["transactions"] == 3, res
    assert summary["packets"] == summary["tcp_packets"], res   # the marker was cut
