"""riotoasterd's command line: usage errors, exit codes, readiness, signals,
listen addresses, --trace."""
import os
import shutil
import signal
import socket
import subprocess

import pytest

from pyrio.daemon import free_port_block
from test_server_support import *  # noqa: F401,F403


TCP_PORT_MAX = 65535  # TCP's, not the protocol's: any port is accepted
FARM = str(DEFS.FARM_PORT)


def run(rio_bin, *args):
    return subprocess.run([rio_bin("riotoasterd"), *args], capture_output=True, text=True, timeout=20)


def test_help_documents_exit_codes(rio_bin):
    p = run(rio_bin, "--help")
    assert p.returncode == 0
    for text in ("--serials", "--farm", "--listen", "--stall-timeout", "--idle-timeout", "--toast-ms-per-level",
                 "--trace", "--ready-fd", "--fault", "Exit status", "2  usage error", "--modem", "--modems",
                 "--device=KIND:SERIALS[:ARG]", "toaster:SERIALS", "modem:SERIALS", "tty:SERIALS:PATH"):
        assert text in p.stdout


def test_help_defaults_come_from_the_constants(rio_bin):
    out = run(rio_bin, "--help").stdout
    assert "device N listens on BASE+N (default %d)" % DEFS.BASE_PORT in out
    assert "within SEC (default %g;" % (DEFS.STALL_TIMEOUT_MS / 1000) in out
    assert "(default %d)" % DEFS.DATA_MAX in out
    assert "at least %d" % DEFS.TOASTER_MAX_LOAD_BYTES in out


@pytest.mark.parametrize("args", [
    ["--serials", "0"], ["--serials", "3-1"], ["--serials", "1,1"], ["--serials", "x"],
    ["--base-port", str(TCP_PORT_MAX), "--serials", "1"], ["--base-port", "-1"],
    ["--farm", "0"], ["--farm", str(TCP_PORT_MAX + 1)], ["--farm", FARM, "--serials", "1"], ["--farm", FARM, "--toasters", "0"],
    ["--stall-timeout", "0"], ["--stall-timeout", "-1"], ["--stall-timeout", "abc"], ["--idle-timeout", "x"],
    ["--toast-ms-per-level", "-5"], ["--no-such-option"], ["extra-argument"], ["--listen", "not-an-address"],
    ["--ready-fd", "-7"],
    # device kinds
    ["--device", "bogus:1"], ["--device", "modem"], ["--device", "tty:1"], ["--device", "toaster:1:extra"],
    ["--device", "tty:1-2:/dev/ttyS0"], ["--device", "modem:0"], ["--serials", "1-2", "--modem", "2"],
    ["--modem", "3", "--device", "toaster:3"], ["--modems", "2"], ["--toasters", "2"],
    ["--farm", FARM, "--modem", "1"], ["--farm", FARM, "--toasters", "0", "--modems", "0"],
    ["--farm", FARM, "--modems", "2", "--device", "modem:2"],
])
def test_usage_errors_exit_2_with_one_line(rio_bin, args):
    if args[0] == "--listen":
        args = args + ["--base-port", str(free_port_block(1))]
    p = run(rio_bin, *args)
    assert p.returncode == 2, (args, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("riotoasterd: "), p.stderr


def test_port_in_use_exits_3_like_the_other_tools(rio_bin):
    """A port that cannot be bound: exit 3 and one line, the status riotoast
    and rio-replay give for a port or peer they cannot use."""
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        p = run(rio_bin, "--farm", str(port), "--listen", "127.0.0.1")
        assert p.returncode == 3, p.stderr
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1 and "cannot bind 127.0.0.1 port %d" % port in lines[0], p.stderr


def test_any_port_accepted(rio_build):
    base = TCP_PORT_MAX - 1
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", TCP_PORT_MAX))
        except OSError:
            pytest.skip("port %d busy" % TCP_PORT_MAX)
    with Daemon(rio_build, ["--serials", "1", "--base-port", str(base)]) as d:
        assert d.ready, d.log()
        with Conn("127.0.0.1", TCP_PORT_MAX) as c:
            ok(c.create())


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_clean_exit_0(rio_build, sig):
    base = free_port_block(2)
    with Daemon(rio_build, ["--serials", "1-2", "--base-port", str(base)]) as d:
        assert d.ready, d.log()
        c = Conn("127.0.0.1", base + 1)
        ok(c.create())
        assert d.stop(sig) == 0
        c.close()
        assert "stopping" in d.log()


def test_listen_v4_only(rio_build):
    base = free_port_block(1)
    with Daemon(rio_build, ["--base-port", str(base), "--listen", "127.0.0.1"]) as d:
        assert d.ready
        ok(Conn("127.0.0.1", base + 1).create())
        with pytest.raises(OSError):
            socket.create_connection(("::1", base + 1), timeout=2).close()


def test_listen_v6_only(rio_build):
    base = free_port_block(1)
    with Daemon(rio_build, ["--base-port", str(base), "--listen", "::1"]) as d:
        assert d.ready
        with Conn("::1", base + 1) as c:
            ok(c.create())
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", base + 1), timeout=2).close()


def test_trace_one_line_per_transaction(toasterd):
    d = toasterd(args=["--trace"])
    with opened(d) as c:
        ok(c.write(b"abc"), 3)
        status(c)
    lines = [l for l in d.log().splitlines() if " trace " in l]
    assert len(lines) == 3
    assert "seq=2 WRITE" in lines[1] and "status=STATUS_SUCCESS" in lines[1] and "in=3" in lines[1]
    assert "ioctl=IOCTL_TOASTER_GET_STATUS" in lines[2] and "resp=24" in lines[2] and "serial=1" in lines[2]


def test_ready_line_on_stderr(toasterd):
    d = toasterd()
    lines = d.log().splitlines()
    assert "riotoasterd: ready" in lines
    assert all(ln.startswith("riotoasterd: listening on ") for ln in lines[:lines.index("riotoasterd: ready")])


def test_startup_lists_every_listening_socket(toasterd):
    """One line per address and port, before the ready line (issue 14)."""
    d = toasterd(serials=2, args=["--listen", "127.0.0.1", "--listen", "::1"])
    lines = d.log().splitlines()
    assert lines[:5] == ["riotoasterd: listening on 127.0.0.1:%d (serial 1)" % d.port(1),
                         "riotoasterd: listening on [::1]:%d (serial 1)" % d.port(1),
                         "riotoasterd: listening on 127.0.0.1:%d (serial 2)" % d.port(2),
                         "riotoasterd: listening on [::1]:%d (serial 2)" % d.port(2),
                         "riotoasterd: ready"]
    f = toasterd(farm=True, toasters=3, args=["--listen", "127.0.0.1"])
    assert f.log().splitlines()[:2] == ["riotoasterd: listening on 127.0.0.1:%d (farm, 3 toasters)" % f.farm_port,
                                        "riotoasterd: ready"]


def test_json_without_fault_list_is_a_usage_error(rio_bin):
    r = subprocess.run([rio_bin("riotoasterd"), "--json"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == "riotoasterd: --json: only with --fault list (see --help)\n"


# Runs a command in a fresh network namespace whose loopback has no IPv6.
NO_IPV6 = ["unshare", "-n", "sh", "-c",
           'ip link set lo up && sysctl -qw net.ipv6.conf.lo.disable_ipv6=1 && exec "$@"', "sh"]


def require_no_ipv6_namespace():
    if subprocess.run(NO_IPV6 + ["true"], capture_output=True, timeout=20).returncode != 0:
        pytest.skip("cannot make a network namespace without IPv6 here")


def test_default_listen_carries_on_without_ipv6(rio_build):
    """::1 cannot be bound: the default listen logs it and serves IPv4."""
    require_no_ipv6_namespace()
    base = free_port_block(1)
    with Daemon(rio_build, ["--serials", "1", "--base-port", str(base)], wrapper=NO_IPV6) as d:
        assert d.ready, d.log()
        assert "cannot bind ::1 port %d" % (base + 1) in d.log() and "serving IPv4 only" in d.log()
        assert d.stop() == 0


def test_explicit_ipv6_listen_failure_is_fatal(rio_build):
    require_no_ipv6_namespace()
    p = subprocess.run(NO_IPV6 + [os.path.join(rio_build, "toaster", "riotoasterd", "riotoasterd"), "--listen", "::1",
                                  "--base-port", str(free_port_block(1))], capture_output=True, text=True, timeout=20)
    assert p.returncode == 3 and "cannot bind ::1" in p.stderr



def test_out_of_file_descriptors_pauses_accepts(rio_build):
    """With few descriptors, connections beyond the limit wait in the listen
    queue (accepts pause and retry) and are served once others close."""
    if not shutil.which("prlimit"):
        pytest.skip("prlimit not installed")
    port = free_port_block(0)
    with Daemon(rio_build, ["--farm", str(port), "--toasters", "40", "--listen", "127.0.0.1"],
                wrapper=["prlimit", "--nofile=24"]) as d:
        assert d.ready, d.log()
        conns = [Conn("127.0.0.1", port, timeout=10) for _ in range(30)]
        try:
            for c in conns:
                c.request(DEFS.MJ_CREATE)
            for c in conns[:10]:
                ok(c.recv_pdu())
            for c in conns[:15]:
                c.close()
            for c in conns[15:]:
                ok(c.recv_pdu(timeout=10))
        finally:
            for c in conns:
                c.close()
        assert "pausing accepts" in d.log()
        assert d.stop() == 0


def test_general_device_syntax_and_a_mixed_farm(rio_build):
    """--device toaster:1-2 is --serials 1-2; a farm may mix kinds, numbered
    toasters first (the lowest free device is given, whatever its kind)."""
    base = free_port_block(3)
    with Daemon(rio_build, ["--device", "toaster:1-2", "--device", "modem:3", "--base-port", str(base),
                            "--listen", "127.0.0.1"]) as d:
        assert d.ready, d.log()
        assert "listening on 127.0.0.1:%d (serial 2)" % (base + 2) in d.log()
        assert "listening on 127.0.0.1:%d (serial 3, modem)" % (base + 3) in d.log()
        d.stop()
    port = free_port_block(0)
    with Daemon(rio_build, ["--farm", str(port), "--toasters", "1", "--modems", "1", "--listen", "127.0.0.1"]) as f:
        assert f.ready, f.log()
        assert "listening on 127.0.0.1:%d (farm, 1 toaster, 1 modem)" % port in f.log()
        with Conn("127.0.0.1", port) as first, Conn("127.0.0.1", port) as second:
            ok(first.create())
            assert info(first)["serial"] == 1  # the toaster
            ok(second.create())
            p = SerialPort(second)
            assert p.baud() == DEFS.SERIAL_BAUD_DEFAULT  # the modem, serial 2
        f.stop()
