"""Matching, response time, expert infos, Info column, statistics and the
device decoders, on crafted captures."""
import os
import re

import pytest

from pyrio.riodefs import DEFS
import decoded
import riocap
import scenarios

CLIENT, SERVER = "127.0.0.1:40000", "127.0.0.1:%d" % (DEFS.BASE_PORT + 1)


@pytest.fixture(scope="module")
def crafted(gen_dir):
    return scenarios.write_all(gen_dir)


def _pdus(tshark, cap, *args):
    got = decoded.pdus_by_direction(tshark.json(cap, *args))
    return got.get((CLIENT, SERVER), []), got.get((SERVER, CLIENT), [])


@pytest.mark.parametrize("passes", [(), ("-2",)], ids=["one-pass", "two-pass"])
def test_responses_point_to_their_requests(tshark, crafted, passes):
    reqs, rsps = _pdus(tshark, crafted["session"], *passes)
    by_frame = {p["frame"]: p for p in reqs}
    for rsp in rsps:
        req = by_frame[rsp["response_to"]]
        assert req["seq"] == rsp["seq"]
        assert 0 < rsp["time"] < 1
        if passes:  # a request learns its response's frame on the first pass
            assert req["response_in"] == rsp["frame"]


def test_one_pass_request_has_no_forward_reference(tshark, crafted):
    reqs, _ = _pdus(tshark, crafted["session"])
    assert all("response_in" not in r for r in reqs)


@pytest.mark.parametrize("passes", [(), ("-2",)], ids=["one-pass", "two-pass"])
def test_protocol_error_experts(tshark, crafted, passes):
    reqs, rsps = _pdus(tshark, crafted["protocol_errors"], *passes)
    assert [sorted(r["experts"]) for r in reqs] == [
        ["rio.first_not_create"],
        ["rio.seq_not_incremented"],
        [],
        ["rio.request_outstanding"],
    ]
    assert [sorted(r["experts"]) for r in rsps] == [
        ["rio.response_too_long"],
        [],
        ["rio.unmatched_response"],
        ["rio.seq_mismatch"],
        ["rio.warning_status"],         # STATUS_DEVICE_BUSY: NTSTATUS severity warning
    ]


@pytest.mark.parametrize("passes", [(), ("-2",)], ids=["one-pass", "two-pass"])
def test_pipelined_matching_by_sequence(tshark, crafted, passes):
    """Responses match the oldest outstanding request of their Sequence,
    whatever else is outstanding (issue 10: matching is keyed by Sequence)."""
    reqs, rsps = _pdus(tshark, crafted["pipelined"], *passes)
    assert [(r["seq"], r["major"]) for r in reqs] == [(1, DEFS.MJ_CREATE), (2, DEFS.MJ_READ), (2, DEFS.MJ_WRITE),
                                                      (3, DEFS.MJ_CLOSE), (4, DEFS.MJ_READ), (5, DEFS.MJ_READ)]
    create, read2, write2, close3, read4, read5 = (r["frame"] for r in reqs)
    assert [r.get("response_to") for r in rsps] == [None, read2, write2, close3, read5, None]
    assert [sorted(r["experts"]) for r in rsps] == [
        ["rio.seq_mismatch"],          # seq 9 is not outstanding: the oldest (seq 1) is used up
        [],
        [],
        [],
        ["rio.seq_mismatch"],          # seq 5 answered before seq 4, which is dropped
        ["rio.unmatched_response"],    # nothing outstanding any more
    ]
    assert [sorted(r["experts"]) for r in reqs] == [
        [], ["rio.request_outstanding"], ["rio.request_outstanding", "rio.seq_not_incremented"],
        ["rio.request_outstanding"], ["rio.request_outstanding"], ["rio.request_outstanding"]]
    if passes:
        rsp_frames = [r["frame"] for r in rsps]
        assert [r.get("response_in") for r in reqs] == [None, rsp_frames[1], rsp_frames[2], rsp_frames[3],
                                                        None, rsp_frames[4]]


def test_clean_session_has_no_rio_warnings(tshark, crafted):
    reqs, rsps = _pdus(tshark, crafted["session"])
    assert all(not r["experts"] for r in reqs)
    # The session's one error answer is the only note.
    assert [sorted(r["experts"]) for r in rsps if r["experts"]] == [["rio.error_status"]]


@pytest.mark.parametrize("passes", [(), ("-2",)], ids=["one-pass", "two-pass"])
def test_malformed_headers_flagged_and_stream_not_swallowed(tshark, crafted, passes):
    out = tshark.out("-r", crafted["bad_headers"], *passes)
    for reason in ("signature", "header_length", "version", "data_length"):
        assert "Malformed header (bad %s)" % reason in out
    # The over-limit length is a header-only PDU: the FIN after it is still seen.
    assert out.count("Unframed data after a malformed header (24 bytes)") == 4
    assert out.count("[FIN, ACK]") == 8


def test_resync_after_error_preference(tshark, crafted):
    out = tshark.out("-r", crafted["bad_headers"], "-o", "rio.resync_after_error:TRUE")
    assert out.count("Request CLOSE seq=3") == 4


def test_midstream_continuation_then_framing(tshark, crafted):
    lines = tshark.out("-r", crafted["midstream"], "-Y", "rio").splitlines()
    assert "Continuation (424 bytes)" in lines[0]
    assert re.search(r"Continuation \(14 bytes\), Response seq=8 STATUS_SUCCESS 24 bytes", "\n".join(lines))
    reqs, _ = _pdus(tshark, crafted["midstream"])
    assert all("rio.first_not_create" not in r["experts"] for r in reqs)


def test_first_request_rule_needs_the_handshake(tshark, crafted):
    """Without the SYN the capture may have missed the CREATE: no warning."""
    reqs, _ = _pdus(tshark, crafted["midstream_boundary"])
    assert reqs[0]["major"] == DEFS.MJ_DEVICE_CONTROL and not reqs[0]["experts"]


def test_info_column_lists_every_pdu(tshark, crafted):
    out = tshark.out("-r", crafted["many_in_one"], "-Y", "rio")
    line = [l for l in out.splitlines() if "Request CREATE seq=1" in l][0]
    assert line.count("Request DEVICE_CONTROL IOCTL_TOASTER_GET_STATUS") == 19
    assert "Request DEVICE_CONTROL IOCTL_TOASTER_GET_STATUS seq=20" in line
    rline = [l for l in out.splitlines() if "Response seq=1 STATUS_SUCCESS 0 bytes" in l][0]
    assert rline.count("STATUS_SUCCESS 24 bytes") == 19


def test_info_column_format(tshark, crafted):
    out = tshark.out("-r", crafted["session"])
    assert "Request DEVICE_CONTROL IOCTL_TOASTER_GET_INFO seq=2" in out
    assert "Response seq=2 STATUS_SUCCESS 48 bytes" in out
    assert "Response seq=8 STATUS_INVALID_DEVICE_REQUEST 0 bytes" in out


def _fields(tshark, cap, *fields, filt=None):
    args = ["-r", cap, "-T", "fields"] + [x for f in fields for x in ("-e", f)]
    if filt:
        args += ["-Y", filt]
    return [l.split("\t") for l in tshark.out(*args).splitlines()]


def test_toaster_decoded_by_its_description_by_direction(tshark, crafted):
    """toaster.riodev's fields (rio.dev.toaster.*, which replaced the
    hand-written rio.toaster.* decoders), against riocap.toaster_session."""
    cap = crafted["session"]
    info = _fields(tshark, cap, "rio.dev.toaster.serial_number", "rio.dev.toaster.capacity",
                   "rio.dev.toaster.max_load_bytes", "rio.dev.toaster.firmware_version",
                   "rio.dev.toaster.model_name", filt="rio.dev.toaster.model_name")
    assert info == [["1", str(DEFS.TOASTER_CAPACITY), str(DEFS.TOASTER_MAX_LOAD_BYTES),
                     "0x%08x" % DEFS.TOASTER_FIRMWARE_VERSION, DEFS.TOASTER_MODEL_NAME]]
    status = _fields(tshark, cap, "rio.dev.toaster.state", "rio.dev.toaster.darkness",
                     "rio.dev.toaster.ready_bytes", filt="rio.dev.toaster.state")
    assert status == [[str(DEFS.TOASTER_STATE_READY), "7", "5"]]
    # Darkness is decoded from the SET_DARKNESS request's input only.
    dark = _fields(tshark, cap, "rio.signature", "rio.dev.toaster.darkness",
                   filt="rio.dev.toaster.darkness && !rio.dev.toaster.state")
    assert dark == [["RIOQ", "7"]]
    # No structure in the direction that carries none (GET_INFO's input).
    assert _fields(tshark, cap, "rio.seq", filt="rio.dev && rio.signature == \"RIOQ\"") == [["3"]]


def test_status_experts_follow_the_ntstatus_severity(tshark, crafted):
    """An error status (0xC...) is the "Error status" note, a warning status
    (0x8..., STATUS_DEVICE_BUSY) a warning, and nothing else is either."""
    def experts(cap, name):
        return _fields(tshark, cap, "rio.seq", "rio.status", "_ws.expert.severity", filt=name)

    PI_NOTE, PI_WARN = 0x00400000, 0x00600000
    [[seq, status, severity]] = experts(crafted["session"], "rio.error_status")
    assert (int(status, 0), int(severity)) == (DEFS.STATUS_INVALID_DEVICE_REQUEST, PI_NOTE)
    [[seq, status, severity]] = experts(crafted["protocol_errors"], "rio.warning_status")
    assert (int(status, 0), int(severity)) == (DEFS.STATUS_DEVICE_BUSY, PI_WARN)
    assert experts(crafted["protocol_errors"], "rio.error_status") == []
    assert experts(crafted["session"], "rio.warning_status") == []


def test_decoder_from_lua_plugs_into_the_table(tshark, crafted, gen_dir):
    script = os.path.join(gen_dir, "fake_device.lua")
    with open(script, "w") as f:
        f.write('''
local p = Proto("fakedev", "Fake device")
local f_word = ProtoField.uint32("fakedev.word", "Word")
p.fields = { f_word }
function p.dissector(tvb, pinfo, tree)
    -- p2p_dir: 0 = request (sent), 1 = response (received)
    if pinfo.p2p_dir ~= 1 or tvb:len() < 4 then return 0 end
    tree:add_le(f_word, tvb(0, 4))
    return 4
end
DissectorTable.get("rio.ioctl"):add(%d, p)
''' % DEFS.IOCTL_TOASTER_GET_STATUS)
    os.chmod(script, 0o644)
    got = [l.split("\t") for l in tshark.out(
        "-r", crafted["session"], "-X", "lua_script:" + script, "-T", "fields",
        "-e", "fakedev.word", "-e", "rio.dev.toaster.state", "-Y", "fakedev.word").splitlines()]
    # The table's decoder takes precedence over the toaster's description.
    assert got == [[str(DEFS.TOASTER_STATE_READY), ""]]


def test_srt_table(tshark, crafted):
    out = tshark.out("-r", crafted["session"], "-q", "-z", "rio,srt")
    rows = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s*\d+\s+(\w+)\s+(\d+)\s", out, re.M)}
    assert rows == {"CREATE": 1, "CLOSE": 1, "READ": 1, "WRITE": 1, "DEVICE_CONTROL": 5}


def test_srt_table_with_a_filter(tshark, crafted):
    """-z rio,srt,FILTER counts only what FILTER lets through, and the header
    shows FILTER (tshark 4.4 and later print it after the table's field;
    4.0's tshark prints the table's field only, whatever the plugin does)."""
    flt = "rio.major==%d" % DEFS.MJ_READ
    out = tshark.out("-r", crafted["session"], "-q", "-z", "rio,srt," + flt)
    rows = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s*\d+\s+(\w+)\s+(\d+)\s", out, re.M)}
    assert rows == {"READ": 1}
    header = re.search(r"^Filter: (.*)$", out, re.M).group(1)
    if tshark.version >= (4, 4):
        assert header == "rio.major and (%s)" % flt
    else:
        assert header == "rio.major"


def test_stats_tree(tshark, crafted):
    out = tshark.out("-r", crafted["protocol_errors"], "-q", "-z", "rio,tree")
    counts = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s*(\S[\w ]*?)\s{2,}(\d+)\s", out, re.M)}
    assert counts["Requests by operation"] == 4
    assert counts["Responses by status"] == 5
    assert counts["WRITE"] == 2
    assert counts["STATUS_DEVICE_BUSY"] == 1


def test_big_pdu_reassembled(tshark, crafted):
    rows = _fields(tshark, crafted["big_pdu"], "rio.seq", "rio.request_length", "rio.response_length",
                   filt="rio.seq >= 2")
    assert ["2", str(DEFS.DATA_MAX), ""] in rows   # the WRITE request
    assert ["3", "", str(DEFS.DATA_MAX)] in rows   # the READ response


def test_reused_ports_are_a_new_conversation(tshark, gen_dir):
    """Two connections, one after the other, on the same addresses and
    ports: the second starts afresh (its CREATE is not a Sequence jump,
    its responses match its own requests), in one pass and in two."""
    cap = riocap.Capture()
    for isn in ((1000, 5000), (70000, 90000)):
        s = riocap.Session(cap, isn=isn)
        riocap.toaster_session(s)
        s.close()
    path = os.path.join(gen_dir, "port_reuse.pcap")
    cap.write(path, expectations=False)
    os.chmod(path, 0o644)
    for passes in ((), ("-2",)):
        reqs, rsps = _pdus(tshark, path, *passes)
        assert len(reqs) == len(rsps) == 18
        assert all(not r["experts"] for r in reqs)
        by_frame = {r["frame"]: r for r in reqs}
        assert all(by_frame[r["response_to"]]["seq"] == r["seq"] for r in rsps)
        second_create = reqs[9]["frame"]
        assert rsps[9]["response_to"] == second_create
