"""`rio-replay server`: the recorded server played for the real client
(riotoast), and live requests that differ or never come are reported."""
import os
import select
import subprocess

import pytest

import livehelp
from pyrio.daemon import free_port_block

SESSION_CAPTURE = os.path.join(livehelp.CAPTURE_DIR, "rec-session.pcap")


@pytest.fixture
def riotoast(rio_build):
    return os.path.join(rio_build, "toaster", "riotoast", "riotoast")


def serve(replay_bin, capture, port, *extra):
    return subprocess.Popen([replay_bin, "server", capture, "--listen", "127.0.0.1:%d" % port,
                             "--timeout", "5", "--json"] + list(extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_listening(proc):
    """rio-replay prints 'listening' on stderr once the socket listens (or
    exits: then the line is empty).  The select only bounds a hang."""
    ready, _, _ = select.select([proc.stderr], [], [], 60)
    line = proc.stderr.readline() if ready else ""
    assert "listening" in line, line


def finish(proc):
    out, err = proc.communicate(timeout=60)
    import json
    objs = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
    return proc.returncode, objs, err


@pytest.fixture
def session_capture(tmp_path, toasterd, riotoast):
    """riotoast session as recorded in the library (or recorded now)."""
    if os.path.exists(SESSION_CAPTURE):
        return SESSION_CAPTURE
    d = toasterd(serials=1)
    path, proc = livehelp.record(tmp_path, d.port(1), [riotoast, "--port", str(d.port(1)), "session"])
    assert proc.returncode == 0
    return path


def against(replay_bin, capture, riotoast, *command):
    """rio-replay server on a free port, riotoast COMMAND against it."""
    port = free_port_block(0)
    proc = serve(replay_bin, capture, port)
    wait_listening(proc)
    client = subprocess.run([riotoast, "--port", str(port)] + list(command), capture_output=True,
                            text=True, timeout=60)
    code, objs, err = finish(proc)
    return client, code, objs, err


def test_riotoast_session_against_recorded_server(replay_bin, riotoast, session_capture):
    client, code, objs, err = against(replay_bin, session_capture, riotoast, "session")
    assert client.returncode == 0, client.stdout + client.stderr
    assert code == 0, (objs, err)
    results = [o for o in objs if o["type"] == "transaction"]
    assert len(results) == 19 and all(r["outcome"] == "match" for r in results)


def test_different_client_is_reported(replay_bin, riotoast, session_capture):
    """riotoast info sends CREATE, GET_INFO, CLOSE: the rest of the recorded
    session never comes."""
    client, code, objs, err = against(replay_bin, session_capture, riotoast, "info")
    assert client.returncode == 0, client.stdout + client.stderr  # it got the recorded answers
    assert code == 1, (objs, err)
    never = [o for o in objs if o.get("note", "").startswith("recorded request never came")]
    assert len(never) == 19 - 3


def test_request_field_difference(replay_bin, riotoast, session_capture):
    """riotoast darkness 3 where the recording has SET_DARKNESS 10 and 11:
    the input data differs, and it is named."""
    client, code, objs, err = against(replay_bin, session_capture, riotoast, "darkness", "3")
    assert code == 1
    fields = {d["field"] for o in objs if o["type"] == "transaction" for d in o.get("diffs", [])}
    assert "data" in fields


def test_no_client_times_out(replay_bin, session_capture):
    port = free_port_block(0)
    proc = subprocess.Popen([replay_bin, "server", session_capture, "--listen", str(port),
                             "--timeout", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 3, out + err
    assert "no live client connected" in out


def test_listen_port_busy(replay_bin, session_capture):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port = s.getsockname()[1]
    res = subprocess.run([replay_bin, "server", session_capture, "--listen", "127.0.0.1:%d" % port],
                         capture_output=True, text=True, timeout=30)
    s.close()
    assert res.returncode == 3 and "cannot listen" in res.stderr
