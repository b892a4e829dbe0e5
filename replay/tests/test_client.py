"""`rio-replay client` against the real riotoasterd: the library's
captures match a correct server; each fault the traffic exercises is found
and named (exit 1); hangs, closes and unreachable servers are told apart."""
import os
import socket
import subprocess
import threading

import pytest

import livehelp
from livehelp import expectation

CAPTURES = livehelp.library()
CLEAN = [c for c in CAPTURES if livehelp.replay_clean(expectation(c))]
IDS = [os.path.basename(c) for c in CAPTURES]


def replay(run, capture, daemon, *extra, timeout=5):
    exp = expectation(capture)
    return run("client", capture, "--target", livehelp.target_host(exp),
               "--port-map", livehelp.port_map(exp, daemon), "--timeout", str(timeout), "--json", *extra)


def outcomes(res):
    return [o for o in res.json() if o["type"] == "transaction"]


@pytest.fixture(scope="module")
def daemon_bin(rio_build):
    return os.path.join(rio_build, "toaster", "riotoasterd", "riotoasterd")


@pytest.mark.parametrize("capture", CAPTURES, ids=IDS)
def test_library_capture_replays(run, toasterd, capture):
    exp = expectation(capture)
    d = livehelp.daemon_for(exp, toasterd)
    res = replay(run, capture, d)
    results = outcomes(res)
    if livehelp.replay_clean(exp):
        assert res.code == 0, res
        assert results and all(r["outcome"] == "match" for r in results), res
    else:
        # lost bytes: those transactions are skipped and reported, never a
        # divergence of their own
        assert res.code in (1, 2), res
        assert any(r["outcome"] == "incomplete" for r in results), res
        assert not any(r["outcome"] in ("timeout", "unreachable") for r in results), res


def test_gap_capture_only_skips(run, toasterd):
    res = replay(run, os.path.join(livehelp.CAPTURE_DIR, "gap.pcap"), toasterd(serials=8))
    assert res.code == 2, res
    results = outcomes(res)
    assert [r["outcome"] for r in results].count("incomplete") == 1
    assert results and all(r["outcome"] in ("match", "incomplete") for r in results)


# What each fault must make diverge, in the fields the replay names.
FAULT_FIELDS = {
    "wrong-sequence": {"seq"},
    "sharing-allowed": {"status", "close", "length", "information", "data"},
    "data-over-output": {"length", "data", "information"},
    "wrong-write-information": {"information"},
    "unknown-ioctl-success": {"status"},
    "read-drops-last-byte": {"length", "data", "information"},
    "open-after-close": {"close"},
    "version-2-accepted": {"status", "close", "major", "information", "length"},
    "darkness-out-of-range": {"status"},
}


def fault_ids(daemon_bin):
    return livehelp.faults(daemon_bin)


@pytest.mark.parametrize("fault", sorted(FAULT_FIELDS))
def test_fault_is_found_and_named(run, toasterd, daemon_bin, fault):
    assert fault in fault_ids(daemon_bin), "riotoasterd no longer has fault %s" % fault
    named = set()
    daemons = {}  # one per kind: every capture closes its sessions, the toaster resets
    for capture in CLEAN:
        exp = expectation(capture)
        if livehelp.modem_capture(exp):
            continue  # the serial faults' captures: test_modem_replay.py
        kind = livehelp.daemon_kind(exp)
        if kind not in daemons:
            daemons[kind] = livehelp.daemon_for(exp, toasterd, ["--fault", fault])
        # a short timeout: open-after-close makes every recorded close wait it out
        res = replay(run, capture, daemons[kind], timeout=1)
        assert res.code in (0, 1), (capture, res)
        for r in outcomes(res):
            if r["outcome"] == "diverged":
                assert res.code == 1
                named |= {x["field"] for x in r["diffs"]}
        if named & FAULT_FIELDS[fault]:
            break  # found and named
    assert named & FAULT_FIELDS[fault], "fault %s not found (named: %s)" % (fault, named)


def test_every_fault_is_classified(daemon_bin):
    """A new fault in riotoasterd must be added above (or to NOT_EXERCISED)."""
    NOT_EXERCISED = {"state-kept-after-close", "read-not-pending"}
    serial = {f for f in fault_ids(daemon_bin) if f.startswith("serial-")}  # test_modem_replay.py
    assert set(fault_ids(daemon_bin)) <= set(FAULT_FIELDS) | NOT_EXERCISED | serial


def test_ignore_masks_the_field(run, toasterd):
    d = toasterd(serials=8, args=["--fault", "wrong-write-information"])
    cap = os.path.join(livehelp.CAPTURE_DIR, "session-pcapng.pcapng")
    assert replay(run, cap, d).code == 1
    res = replay(run, cap, d, "--ignore", "information")
    assert res.code == 0, res


def test_human_divergence_report(run, toasterd):
    d = toasterd(serials=8, args=["--fault", "read-drops-last-byte"])
    cap = os.path.join(livehelp.CAPTURE_DIR, "session-pcapng.pcapng")
    exp = expectation(cap)
    res = run("client", cap, "--target", "127.0.0.1", "--port-map", livehelp.port_map(exp, d))
    assert res.code == 1, res
    assert "DIVERGED" in res.out and "session 1 transaction" in res.out
    assert "recorded" in res.out and "live" in res.out
    assert "|" in res.out  # the hexdump around the first differing byte


def test_unreachable_server_exit_3(run):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    cap = os.path.join(livehelp.CAPTURE_DIR, "session-pcapng.pcapng")
    res = run("client", cap, "--target", "127.0.0.1:%d" % port, "--timeout", "2")
    assert res.code == 3, res
    assert "cannot connect" in res.out + res.err


def fake_server(behaviour, done):
    """A listening socket whose one connection reads and then hangs (until
    the event `done`), closes or resets; returns (port, thread)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(10)

    def serve():
        try:
            conn, _ = srv.accept()
        except OSError:
            return
        conn.recv(65536)
        if behaviour == "hang":
            done.wait(30)  # held open until rio-replay has given up on it
        elif behaviour == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
        conn.close()
        srv.close()
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return srv.getsockname()[1], t


@pytest.mark.parametrize("behaviour,code,words", [
    ("hang", 3, "hangs"), ("close", 1, "connection closed"), ("reset", 1, "connection reset")])
def test_timeout_close_reset_told_apart(run, behaviour, code, words):
    """One result says what the server did (timeout or diverged, as in
    server mode); the rest of the session is not replayed."""
    done = threading.Event()
    port, t = fake_server(behaviour, done)
    cap = os.path.join(livehelp.CAPTURE_DIR, "session-pcapng.pcapng")
    try:
        res = run("client", cap, "--target", "127.0.0.1:%d" % port, "--timeout", "1.5", "--json")
    finally:
        done.set()
        t.join(10)
    assert res.code == code, res
    results = [o for o in res.json() if o["type"] == "transaction"]
    first = "timeout" if behaviour == "hang" else "diverged"
    assert [r["outcome"] for r in results[:1]] == [first], res
    assert words in results[0].get("note", "") + str(results[0]["diffs"]), res
    assert results[1:] and {r["outcome"] for r in results[1:]} == {"not_replayed"}, res


def test_exclusive_order_kept(run, toasterd):
    """The second client is refused because the first holds the toaster:
    replayed in recorded order, it is refused again (and closed)."""
    cap = os.path.join(livehelp.CAPTURE_DIR, "exclusive.pcap")
    for _ in range(3):
        res = replay(run, cap, toasterd(serials=8))
        assert res.code == 0, res


def test_timing_original_and_speed(run, toasterd):
    """Recorded timing (sped up) keeps the order and the answers; how long
    it takes is bench/'s business, not a test's."""
    cap = os.path.join(livehelp.CAPTURE_DIR, "exclusive.pcap")
    d = toasterd(serials=8)
    exp = expectation(cap)
    res = run("client", cap, "--target", "127.0.0.1", "--port-map", livehelp.port_map(exp, d),
              "--timing", "original", "--speed", "1000", "--json")
    assert res.code == 0, res
    results = [o for o in res.json() if o["type"] == "transaction"]
    assert results and all(r["outcome"] == "match" for r in results), res


def test_junit_report(run, toasterd, tmp_path):
    import xml.etree.ElementTree as ET
    d = toasterd(serials=8, args=["--fault", "wrong-write-information"])
    cap = os.path.join(livehelp.CAPTURE_DIR, "session-pcapng.pcapng")
    junit = tmp_path / "r.xml"
    res = replay(run, cap, d, "--junit", junit)
    assert res.code == 1
    suite = ET.parse(junit).getroot().find("testsuite")
    assert int(suite.get("tests")) == 6 and int(suite.get("failures")) >= 1
    assert suite.find("testcase/failure") is not None


def _peak_rss_kb(argv, tmp_path):
    """Exit code and peak RSS of argv, by /usr/bin/time (a child's own
    rusage would count the memory of the Python it was forked from)."""
    out = str(tmp_path / "rss")
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out] + argv, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, timeout=120)
    with open(out) as f:
        return proc.returncode, int(f.read().split()[-1])


def test_memory_does_not_grow_with_the_capture(replay_bin, toasterd, tmp_path):
    """The client reads the capture while it replays and frees each
    transaction once reported: ten times the transactions, about the same
    peak (holding them all would add ~0.9 KB each, 16 MB here)."""
    with open(replay_bin, "rb") as f:
        if b"__asan_init" in f.read():
            pytest.skip("ASan keeps freed memory in quarantine")
    d = toasterd(serials=1)
    peaks = []
    for n in (2000, 20000):
        pcap = str(tmp_path / ("bulk%d.pcap" % n))
        subprocess.run(["/usr/bin/python3", os.path.join(livehelp.CAPTURE_DIR, "gen.py"), "bulk",
                        "--transactions", str(n), "-o", pcap], check=True, timeout=120)
        code, peak = _peak_rss_kb([replay_bin, "client", pcap, "--target", "127.0.0.1",
                                   "--port-map", "%d=%d" % (livehelp.BASE_PORT + 1, d.port(1)), "--quiet"],
                                  tmp_path)
        assert code == 0
        peaks.append(peak)
    print("peak RSS (KB) for 2000 and 20000 transactions:", peaks)
    assert peaks[1] - peaks[0] < 4096, peaks
