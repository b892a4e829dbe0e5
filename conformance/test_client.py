"""Client cases (PROTOCOL.md sections 3.2, 12): the client command runs
against a scripted server (a correct toaster, or one with scripted errors)
that records what the client sent.

The client command must run one session and exit 0 when the server plays a
correct toaster (the bundled riotoast: `riotoast --server H --port P session`).
"""
import pytest

from pyrio.riodefs import DEFS, major_name

from .rioconf.helpers import by_req
from .rioconf.scripted import Script
from .rioconf.verdict import check

pytestmark = pytest.mark.client_side
S = DEFS


def ran(run, rid):
    check(run.connected, rid, "the client connects to the scripted server",
          "no connection; client %s" % run.describe_exit())
    check(run.requests, rid, "at least one request", "none; client %s" % run.describe_exit())


def terminates(run, rid):
    check(not run.timed_out and (run.returncode or 0) >= 0, rid,
          "the client ends by itself (no hang, no crash)", run.describe_exit())


def seq_rule_holds(run, rid):
    seqs = [r.header.seq for r in run.requests]
    for i in range(1, len(seqs)):
        want = (seqs[i - 1] + 1) & 0xFFFFFFFF
        check(seqs[i] == want, rid, "request %d: Sequence %d (previous + 1)" % (i, want),
              "Sequence %d; all: %s" % (seqs[i], seqs))


@pytest.mark.req("RIO-CLI-001")
def test_first_request_is_create(client):
    run = client.run()
    ran(run, "RIO-CLI-001")
    first = run.requests[0].header
    check(first.major == S.MJ_CREATE, "RIO-CLI-001", "first request IRP_MJ_CREATE",
          "first request %s" % major_name(first.major))


@pytest.mark.req("RIO-FRM-009", "RIO-CLI-003")
def test_sequence_increases_by_one(client):
    """Any first Sequence (MAY), then +1 per request, mod 2^32."""
    run = client.run()
    ran(run, "RIO-FRM-009")
    seq_rule_holds(run, "RIO-FRM-009")


@pytest.mark.req("RIO-CLI-002")
def test_never_two_requests_outstanding(client):
    """The scripted server holds each answer briefly: a client that sends
    before the answer arrived is caught."""
    run = client.run(Script(hold=0.05))
    ran(run, "RIO-CLI-002")
    for r in run.requests:
        check(not r.pipelined, "RIO-CLI-002", "request %d sent after the answer to request %d" % (
            r.index, r.index - 1), "request %d (%s) arrived before that answer" % (
            r.index, major_name(r.header.major)))


@pytest.mark.req("RIO-CLI-004")
def test_sends_close_before_disconnecting(client):
    run = client.run()
    ran(run, "RIO-CLI-004")
    last = run.requests[-1].header
    check(last.major == S.MJ_CLOSE, "RIO-CLI-004", "last request IRP_MJ_CLOSE before disconnecting",
          "last request %s; %s" % (major_name(last.major),
                                   "client disconnected" if run.client_closed else "server closed"))


@pytest.mark.req("RIO-CLI-005")
def test_nothing_after_close(client):
    run = client.run(Script(hold=0.05))
    ran(run, "RIO-CLI-005")
    majors = run.majors()
    if S.MJ_CLOSE in majors:
        after = majors[majors.index(S.MJ_CLOSE) + 1:]
        check(not after and not run.bytes_after_close, "RIO-CLI-005", "nothing after the CLOSE request",
              "%s and %d more bytes" % ([major_name(m) for m in after], run.bytes_after_close))


@pytest.mark.req("RIO-FRM-006", "RIO-FRM-007", "RIO-FRM-010", "RIO-LIM-006", "RIO-LIM-007", "RIO-FRM-001",
                 "RIO-FRM-002")
def test_requests_are_well_formed(client):
    """Every request: Signature RIOQ, Version 1, IoControlCode 0 outside
    DEVICE_CONTROL, lengths within 1 MiB — and the session succeeds."""
    run = client.run()
    ran(run, "RIO-FRM-006")
    check(not run.garbage, "RIO-FRM-006", "only valid request headers", run.garbage)
    for r in run.requests:
        h = r.header
        check(h.version == S.VERSION, "RIO-FRM-007", "Version %d" % S.VERSION,
              "request %d: Version %d" % (r.index, h.version))
        check(h.major == S.MJ_DEVICE_CONTROL or h.ioctl == 0, "RIO-FRM-010",
              "IoControlCode 0 outside DEVICE_CONTROL", "request %d: %s with IoControlCode 0x%08X" % (
                  r.index, major_name(h.major), h.ioctl))
        check(h.data_length <= S.DATA_MAX, "RIO-LIM-006", "RequestDataLength <= %d" % S.DATA_MAX,
              "request %d: RequestDataLength %d" % (r.index, h.data_length))
        check(h.output_length <= S.DATA_MAX, "RIO-LIM-007", "OutputLength <= %d" % S.DATA_MAX,
              "request %d: OutputLength %d" % (r.index, h.output_length))


@pytest.mark.req("RIO-FRM-008", "RIO-FRM-011")
def test_request_recommendations(client):
    """SHOULDs: HeaderLength 24; OutputLength 0 where no data comes back."""
    run = client.run()
    ran(run, "RIO-FRM-008")
    no_data = (S.MJ_CREATE, S.MJ_CLOSE, S.MJ_WRITE, S.MJ_CLEANUP)
    for r in run.requests:
        h = r.header
        check(h.header_length == S.HEADER_SIZE, "RIO-FRM-008", "HeaderLength %d" % S.HEADER_SIZE,
              "request %d: HeaderLength %d" % (r.index, h.header_length))
        check(h.major not in no_data or h.output_length == 0, "RIO-FRM-011", "OutputLength 0",
              "request %d: %s with OutputLength %d" % (r.index, major_name(h.major), h.output_length))


@pytest.mark.req("RIO-STS-009")
def test_unknown_status_is_not_a_framing_error(client):
    """The second request is answered with an NTSTATUS no table has: the
    client goes on by the rules (at least its CLOSE follows)."""
    run = client.run(Script(unknown_status_at=1))
    ran(run, "RIO-STS-009")
    terminates(run, "RIO-STS-009")
    check(len(run.requests) > 2, "RIO-STS-009", "more requests after the unknown status (not a protocol error)",
          "the client stopped after it (%d requests)" % len(run.requests))
    seq_rule_holds(run, "RIO-FRM-009")


@pytest.mark.req("RIO-FRM-009", "RIO-CLI-002")
def test_handles_an_error_status(client):
    """The second request is answered with an error: the client carries on
    by the rules or stops, and ends by itself."""
    run = client.run(Script(error_at=(1, S.STATUS_INVALID_DEVICE_STATE)))
    ran(run, "RIO-FRM-009")
    terminates(run, "RIO-FRM-009")
    seq_rule_holds(run, "RIO-FRM-009")


@pytest.mark.req("RIO-CLI-013")
@pytest.mark.parametrize("at", [0, 1, 3])
def test_handles_a_server_that_closes(client, at):
    run = client.run(Script(close_at=at))
    ran(run, "RIO-CLI-013")
    terminates(run, "RIO-CLI-013")
    check(run.returncode != 0, "RIO-CLI-013", "a failure exit status (the session was cut)",
          run.describe_exit())


def same_session(client, script, rid):
    """A run under `script` goes exactly like a run against the plain
    scripted toaster: the same requests and the same exit status."""
    base = client.run()
    run = client.run(script)
    ran(run, rid)
    terminates(run, rid)
    check(run.majors() == base.majors() and run.returncode == base.returncode, rid,
          "the same session as with plain answers: %s, %s" % (
              [major_name(m) for m in base.majors()], base.describe_exit()),
          "%s, %s" % ([major_name(m) for m in run.majors()], run.describe_exit()))


@pytest.mark.req("RIO-CLI-006")
def test_accepts_response_header_length_256(client):
    """Responses with HeaderLength 256: the client skips the extra bytes."""
    same_session(client, Script(extra_header=S.HEADER_LENGTH_MAX - S.HEADER_SIZE), "RIO-CLI-006")


@pytest.mark.req("RIO-FRM-003")
def test_reassembles_answers_sent_byte_by_byte(client):
    """Every answer arrives one byte per segment: the client reassembles."""
    same_session(client, Script(trickle=True), "RIO-FRM-003")


@pytest.mark.req("RIO-TMO-009")
def test_waits_for_a_slow_read(client):
    """Every READ answer comes 1.5 s late (a long toast): the client waits."""
    same_session(client, Script(delay_reads=1.5), "RIO-TMO-009")


BAD = {"signature": "RIO-CLI-007", "header_length": "RIO-CLI-008", "version": "RIO-CLI-009",
       "seq": "RIO-CLI-010", "major": "RIO-CLI-011", "overflow": "RIO-CLI-012"}


@pytest.mark.req("RIO-CLI-013")
@pytest.mark.parametrize("rid,field", by_req(*[(field, rid, field) for field, rid in sorted(BAD.items())]))
def test_drops_connection_on_a_bad_response(client, rid, field):
    """The answer to the second request (or the first later one the client
    sent alone) is bad: the client takes it as a protocol error, sends
    nothing more and closes the connection."""
    run = client.run(Script(bad_field_at=(1, field)))
    ran(run, rid)
    if run.spoiled is None:
        pytest.skip("the client sent no request that could get the bad answer")
    more = [r for r in run.requests if r.arrival > run.answered_at[run.spoiled]]
    check(not more, rid, "no request after the bad response (a protocol error)",
          "%d more: %s" % (len(more), ", ".join(major_name(r.header.major) for r in more)))
    check(run.client_closed, "RIO-CLI-013", "the client closes the connection",
          "it stayed open; client %s" % run.describe_exit())
    terminates(run, "RIO-CLI-013")
