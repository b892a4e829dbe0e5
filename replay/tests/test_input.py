"""Bad input and selection: every bad input gets a one-line message and
exit 4; --session, --filter, --from/--to and standard input work."""
import os
import struct

import craft
import livehelp

EXIT_USAGE = 4
LIB = livehelp.CAPTURE_DIR


def one_line_error(res, *words):
    assert res.code == EXIT_USAGE, res
    lines = [x for x in res.err.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("rio-replay: "), res
    for w in words:
        assert w in lines[0], res


def clean_capture(tmp_path):
    c = craft.Conn()
    c.handshake()
    craft.toaster_session(c)
    path = tmp_path / "ok.pcap"
    craft.write_pcap(path, c.packets)
    return path


def test_empty_file(run, tmp_path):
    p = tmp_path / "empty.pcap"
    p.write_bytes(b"")
    one_line_error(run("audit", p), "empty")


def test_garbage_file(run, tmp_path):
    p = tmp_path / "garbage.pcap"
    p.write_bytes(os.urandom(4096))
    one_line_error(run("audit", p), "cannot read capture")


def test_missing_file(run, tmp_path):
    one_line_error(run("audit", tmp_path / "nope.pcap"), "nope.pcap")


def test_truncated_file(run, tmp_path):
    data = clean_capture(tmp_path).read_bytes()
    p = tmp_path / "cut.pcap"
    p.write_bytes(data[:len(data) - 30])
    res = run("audit", p)
    assert res.code == EXIT_USAGE, res
    assert "truncated" in res.err and len(res.err.strip().splitlines()) == 1
    assert "session 1" in res.out  # what could be read is still reported


def test_unsupported_link_type(run, tmp_path):
    p = tmp_path / "usb.pcap"
    craft.write_pcap(p, [craft.Packet(1.0, b"\0" * 64)], linktype=147)  # USER0
    one_line_error(run("audit", p), "unsupported link type")


def test_no_rio(run, tmp_path):
    c = craft.Conn(server=("127.0.0.1", 80))
    c.handshake()
    c.send("c", b"GET / HTTP/1.0\r\n\r\n")
    c.send("s", b"HTTP/1.0 200 OK\r\n\r\nhello")
    c.close()
    p = tmp_path / "http.pcap"
    craft.write_pcap(p, c.packets)
    one_line_error(run("audit", p), "no RIO")
    one_line_error(run("client", p, "--target", "127.0.0.1"), "no RIO")


def pcapng_block(btype, body):
    pad = (-len(body)) % 4
    total = 12 + len(body) + pad
    return struct.pack("<II", btype, total) + body + b"\0" * pad + struct.pack("<I", total)


def test_pcapng_mixed_link_types(run, tmp_path):
    c = craft.Conn()
    c.handshake()
    frames = [p.frame for p in c.packets]
    shb = pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb_eth = pcapng_block(1, struct.pack("<HHI", 1, 0, 65535))
    idb_raw = pcapng_block(1, struct.pack("<HHI", 101, 0, 65535))

    def epb(iface, frame):
        return pcapng_block(6, struct.pack("<IIIII", iface, 0, 0, len(frame), len(frame)) + frame)
    data = shb + idb_eth + idb_raw + epb(0, frames[0]) + epb(1, frames[1][14:])
    p = tmp_path / "mixed.pcapng"
    p.write_bytes(data)
    one_line_error(run("audit", p), "link type")


def test_standard_input(run, tmp_path):
    data = clean_capture(tmp_path).read_bytes()
    res = run("audit", "-", stdin=data)
    assert res.code == 0 and "session 1" in res.out, res


def test_usage_errors(run, tmp_path):
    p = clean_capture(tmp_path)
    for args, words in [((), "command"), (("frobnicate", p), "unknown command"),
                        (("audit",), "CAPTURE"), (("client", p), "--target"),
                        (("client", p, "--target", "h", "--port-map", str(craft.TOASTER_PORT)), "port-map"),
                        (("client", p, "--target", "h", "--ignore", "colour"), "ignore"),
                        (("server", p), "--listen"), (("audit", p, "--session", "zero"), "session")]:
        res = run(*args)
        assert res.code == EXIT_USAGE, (args, res)
        assert words in res.err, (args, res)



def test_session_selection(run):
    cap = os.path.join(LIB, "malformed.pcap")
    res = run("audit", cap, "--json", "--session", "2", "--session", "4")
    sessions = [o["session"] for o in res.json() if o["type"] == "session"]
    assert sessions == [2, 4], res
    one_line_error(run("audit", cap, "--session", "9"), "--session")


def test_bpf_filter(run):
    cap = os.path.join(LIB, "malformed.pcap")
    exp = livehelp.expectation(cap)
    port = exp["sessions"][2]["client"].rsplit(":", 1)[1]
    res = run("audit", cap, "--json", "--filter", "tcp port %s" % port)
    sessions = [o for o in res.json() if o["type"] == "session"]
    assert len(sessions) == 1 and sessions[0]["client"].endswith(":" + port), res
    one_line_error(run("audit", cap, "--filter", "tcp port banana"), "filter")


def test_time_window(run, tmp_path):
    p = craft.two_sessions(tmp_path / "two.pcap")
    rel = run("audit", p, "--json", "--from", "50")
    absolute = run("audit", p, "--json", "--to", "1700000050")
    clients = lambda r: [o["client"] for o in r.json() if o["type"] == "session"]  # noqa: E731
    assert clients(rel) == ["127.0.0.1:41001"], rel
    assert clients(absolute) == ["127.0.0.1:41000"], absolute


def test_link_types_and_tags(run, tmp_path):
    """Link layers the library does not cover: IPv6 over QinQ, IPv4 total
    length 0 (TSO), caplen larger than len."""
    c = craft.Conn(client=("::1", 41000), server=("::1", craft.TOASTER_PORT), v6=True, vlan=(10, 20, 30))
    c.handshake()
    craft.toaster_session(c)
    p = tmp_path / "v6qinq.pcap"
    craft.write_pcap(p, c.packets)
    res = run("audit", p)
    assert res.code == 0 and "[::1]:41000 -> [::1]:%d" % craft.TOASTER_PORT in res.out, res
    c = craft.Conn()
    c.handshake()
    craft.toaster_session(c)
    for pkt in c.packets:  # IPv4 total length 0, as TSO captures show it
        f = bytearray(pkt.frame)
        f[16:18] = b"\0\0"
        pkt.frame = bytes(f)
    p = tmp_path / "tso.pcap"
    craft.write_pcap(p, c.packets)
    res = run("audit", p, "--json")
    assert res.code == 0, res
    assert res.json()[-1]["transactions"] == 6


def test_caplen_larger_than_len(run, tmp_path):
    path = clean_capture(tmp_path)
    data = bytearray(path.read_bytes())
    # first record: caplen 54 -> claim len 40 (caplen > len): clamped, no crash
    struct.pack_into("<I", data, 24 + 12, 40)
    path.write_bytes(bytes(data))
    res = run("audit", path)
    assert res.code in (0, 2), res
