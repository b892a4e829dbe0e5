"""riotoast --misbehave: each deliberate client fault must be visible on the
wire.  A scripted server in the test (a real listening socket) records what
the client sent."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_riotoast_common import (  # noqa: E402
    DEFS, ScriptedServer, riotoast)  # riotoast: a fixture


def served(riotoast, *args, hold_first=0.0):
    """Run `riotoast ARGS` against a scripted server; return (result, server)."""
    with ScriptedServer(hold_first=hold_first) as server:
        result = riotoast("--timeout", "5", *args, port=server.port)
    return result, server


def test_well_behaved_baseline(riotoast):
    result, server = served(riotoast, "status", hold_first=0.3)
    assert result.code == 0, result
    assert [r.major for r in server.requests] == [DEFS.MJ_CREATE, DEFS.MJ_DEVICE_CONTROL, DEFS.MJ_CLOSE]
    assert [r.seq for r in server.requests] == [DEFS.FIRST_SEQUENCE + i for i in range(3)]
    assert server.requests[1].ioctl == DEFS.IOCTL_TOASTER_GET_STATUS
    assert not server.pipelined


def test_no_create(riotoast):
    result, server = served(riotoast, "--misbehave", "no-create", "status")
    assert result.code == 0, result  # this server lets it pass; a real one would not
    assert [r.major for r in server.requests] == [DEFS.MJ_DEVICE_CONTROL, DEFS.MJ_CLOSE]


def test_seq_skip(riotoast):
    result, server = served(riotoast, "--misbehave", "seq-skip", "status")
    assert result.code == 0, result
    first = DEFS.FIRST_SEQUENCE
    assert [r.seq for r in server.requests] == [first, first + 2, first + 4]


def test_pipeline(riotoast):
    result, server = served(riotoast, "--misbehave", "pipeline", "info", hold_first=1.0)
    assert result.code == 0, result
    assert server.pipelined, "the second request must arrive before the first answer"
    assert [r.major for r in server.requests[:2]] == [DEFS.MJ_CREATE, DEFS.MJ_DEVICE_CONTROL]
    assert server.requests[-1].major == DEFS.MJ_CLOSE


def test_no_close(riotoast):
    result, server = served(riotoast, "--misbehave", "no-close", "status")
    assert result.code == 0, result
    assert [r.major for r in server.requests] == [DEFS.MJ_CREATE, DEFS.MJ_DEVICE_CONTROL]
    assert server.client_closed, "the client must hang up without CLOSE"


def test_seq_start_zero_repeat(riotoast):
    result, server = served(riotoast, "--misbehave", "seq-start-zero-repeat", "status")
    assert result.code == 0, result
    assert [r.seq for r in server.requests] == [0, 0, 1]


def test_unknown_misbehaviour_is_a_usage_error(riotoast):
    result = riotoast("--misbehave", "nonsense", "status", port=1)
    assert result.code == 4, result
    assert "nonsense" in result.err


def test_misbehave_is_hidden_from_help(riotoast):
    result = riotoast("--help")
    assert result.code == 0
    assert "--misbehave" not in result.text
