#!/usr/bin/python3
"""record.py — record the `rec-*` captures: real kernel TCP on loopback
between riotoasterd and riotoast or a scripted client, recorded by tcpdump,
with expectation JSON from expect.py.

    record.py --build BUILD_DIR [-o DIR] [NAME ...]

Toaster N is recorded on port 5000+N (farm on 5000) so that replay tools map
ports by convention, the modem on 5000+library.MODEM; when those ports are
taken the daemon falls back to a free block and the JSON's server addresses
show the ports used.
Exit status: 0 recorded, 2 bad usage, 3 a program is missing, 4 a recording failed.
"""
import argparse
import os
import re
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [os.path.dirname(HERE), ROOT]

from pyrio import DEFS  # noqa: E402
from pyrio.daemon import free_port_block, port_free, wait_listening  # noqa: E402

from tools import expect, library, scripted  # noqa: E402

EXIT_USAGE, EXIT_MISSING, EXIT_FAILED = 2, 3, 4
SERIALS = library.MODEM       # toasters 1..library.TOASTERS, then the modem
ATTEMPTS = 3
TOAST_MS = 20                 # per darkness level: a START takes 100 ms at the default darkness
DEADLINE_S = 10.0


class RecordError(Exception):
    pass


class Dropped(RecordError):
    """The kernel dropped packets (a busy machine): record again."""


class Daemon:
    """riotoasterd on the conventional ports when free."""

    def __init__(self, build, host, farm=False):
        self.binary = os.path.join(build, "toaster", "riotoasterd", "riotoasterd")
        self.host, self.farm = host, farm
        count = 1 if farm else SERIALS
        first = DEFS.FARM_PORT if farm else DEFS.BASE_PORT + 1
        conventional = all(port_free(first + i, host) for i in range(count))
        self.base = (DEFS.FARM_PORT if farm else DEFS.BASE_PORT) if conventional else free_port_block(count)
        if not conventional:
            print("record.py: ports %d.. busy, recording on %d.. instead" % (first, self.base + (0 if farm else 1)),
                  file=sys.stderr)
        mode = (["--farm", str(self.base), "--toasters", "2"] if farm
                else ["--serials", "1-%d" % library.TOASTERS, "--modem", str(library.MODEM),
                      "--base-port", str(self.base)])
        self.cmd = [self.binary] + mode + ["--toast-ms-per-level", str(TOAST_MS), "--listen", host]
        self.proc = None

    def port(self, serial=1):
        return self.base if self.farm else self.base + serial

    def __enter__(self):
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(self.cmd, stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL)
        ports = [self.port()] if self.farm else [self.port(n) for n in range(1, SERIALS + 1)]
        if not wait_listening(ports, self.proc, DEADLINE_S, self.host):
            self.__exit__()
            raise RecordError("riotoasterd did not start: %s" % " ".join(self.cmd))
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(DEADLINE_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def pcap_records(path):
    """(offset, size) of every whole record of a pcap file as tcpdump -w
    writes it, and its captured bytes."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    order = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack_from(order + "I", data, off + 8)[0]
        if off + 16 + caplen > len(data):
            return
        yield off, 16 + caplen, data[off + 16:off + 16 + caplen]
        off += 16 + caplen


class Tcpdump:
    """tcpdump writing to `path`, started and stopped without losing packets
    and without sleeping: it records once it says "listening on"; after the
    traffic, a marker datagram on loopback (in the capture filter) is sent
    and tcpdump is stopped once the marker is in the file, so every packet
    before it is too; the marker is then cut from the file."""

    MARKER_RESEND_S = 0.5     # a datagram lost in a full buffer is sent again

    def __init__(self, path, host, port, iface="lo", linktype=None, snaplen=0):
        self.path, self.port = path, port
        self.sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sink.bind(("127.0.0.1", 0))      # receives the marker: no ICMP unreachable
        self.marker_port = self.sink.getsockname()[1]
        self.marker = b"rio-marker-" + os.urandom(8).hex().encode()
        self.cmd = ["tcpdump", "-i", iface, "--immediate-mode", "-U", "-B", "16384", "-s", str(snaplen),
                    "-Z", "root", "-w", path] + (["-y", linktype] if linktype else []) + \
            ["(tcp port %d and host %s) or (udp dst port %d and dst host 127.0.0.1)"
             % (port, host, self.marker_port)]

    def __enter__(self):
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL, stderr=self.err)
        deadline = time.monotonic() + DEADLINE_S
        while b"listening on" not in self._stderr():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.sink.close()
                raise RecordError("tcpdump did not start: %s" % self._stderr().decode(errors="replace"))
            time.sleep(0.01)
        return self

    def _stderr(self):
        self.err.seek(0)
        return self.err.read()

    def _marker_records(self):
        return [(off, size) for off, size, data in pcap_records(self.path) if self.marker in data]

    def _flush_with_marker(self):
        """Send the marker until it is in the file (bounded)."""
        deadline = time.monotonic() + DEADLINE_S
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as out:
            sent = 0.0
            while time.monotonic() < deadline:
                if time.monotonic() - sent >= self.MARKER_RESEND_S:
                    out.sendto(self.marker, ("127.0.0.1", self.marker_port))
                    sent = time.monotonic()
                if self._marker_records():
                    return
                time.sleep(0.01)
        raise RecordError("tcpdump did not write the marker datagram within %g s" % DEADLINE_S)

    def _cut_markers(self):
        with open(self.path, "rb") as f:
            data = bytearray(f.read())
        for off, size in reversed(self._marker_records()):
            del data[off:off + size]
        with open(self.path, "wb") as f:
            f.write(data)

    def __exit__(self, *exc):
        try:
            if self.proc.poll() is None:
                if exc[0] is None:
                    wait_closed(self.port)
                    self._flush_with_marker()
                self.proc.send_signal(2)         # SIGINT: tcpdump flushes and prints its counts
                try:
                    self.proc.wait(DEADLINE_S)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        finally:
            self.sink.close()
        text = self._stderr().decode(errors="replace")
        self.err.close()
        if exc[0] is None:
            self._cut_markers()
            if not re.search(r"^0 packets dropped by kernel", text, re.M):
                raise Dropped("tcpdump lost packets:\n" + text)


def open_connections(port):
    """Sockets on `port` that are not listening and not in TIME-WAIT."""
    out = subprocess.run(["ss", "-tanH", "( sport = :%d or dport = :%d )" % (port, port)],
                         capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line.split()[0] not in ("LISTEN", "TIME-WAIT")]


def wait_closed(port):
    """Until every connection on port finished its FIN exchange (bounded):
    its last packets have then been sent, before the marker."""
    deadline = time.monotonic() + DEADLINE_S
    while open_connections(port) and time.monotonic() < deadline:
        time.sleep(0.01)


def riotoast(build, host, port, *command):
    """Run riotoast; its exit status 0 means every request got the status
    it should (deliberate errors included)."""
    binary = os.path.join(build, "toaster", "riotoast", "riotoast")
    proc = subprocess.run([binary, "--server", host, "--port", str(port)] + list(command),
                          capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise RecordError("riotoast %s exited %d: %s" % (" ".join(command), proc.returncode,
                                                         proc.stderr.strip()[-300:]))


# ---- the recorded captures -------------------------------------------------------
# Each: (file name, description, host, serial or "farm", tcpdump options, client).

def session_client(ctx):
    riotoast(ctx.build, ctx.host, ctx.port, "session")


TERMINAL_POLL_MS = 1200       # > the +++ guard time: a READ outlasts the wait for the escape's OK
TERMINAL_DIALOGUE = [         # (typed, what the terminal shows for it)
    (b"ATI\r", b"ATI\r\r\n%s\r\n\r\n%s\r\n" % (DEFS.MODEM_ID.encode(), DEFS.MODEM_OK.encode())),
    (b"ATD5551234\r", b"ATD5551234\r\r\n%s %d\r\n" % (DEFS.MODEM_CONNECT.encode(), DEFS.SERIAL_BAUD_DEFAULT)),
    (b"hello over RIO\r", b"hello over RIO\r"),
    (b"+++", b"+++\r\n%s\r\n" % DEFS.MODEM_OK.encode()),
    (b"ATH\r", b"ATH\r\r\n%s\r\n" % DEFS.MODEM_OK.encode()),
]
EMPTY_READ = re.compile(rb"IRP_MJ_READ .*-> STATUS_SUCCESS info=0 ")


class Terminal:
    """`riotoast -v terminal` on pipes, typed into step by step.  What it
    prints tells when to type next: its output (the modem's bytes), and on
    stderr its transactions (-v), which show when the port has been quiet."""

    def __init__(self, build, host, port):
        binary = os.path.join(build, "toaster", "riotoast", "riotoast")
        self.proc = subprocess.Popen([binary, "-v", "--server", host, "--port", str(port), "terminal",
                                      "--binary", "--poll", str(TERMINAL_POLL_MS)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.out, self.err = b"", b""

    def _take(self, deadline):
        """What the terminal printed since, waiting up to deadline."""
        pipes = [p for p in (self.proc.stdout, self.proc.stderr) if not p.closed]
        ready = select.select(pipes, [], [], max(0.0, deadline - time.monotonic()))[0]
        for pipe in ready:
            chunk = os.read(pipe.fileno(), 65536)
            if not chunk:
                pipe.close()
            elif pipe is self.proc.stdout:
                self.out += chunk
            else:
                self.err += chunk

    def wait_for(self, what, done):
        deadline = time.monotonic() + DEADLINE_S
        while not done():
            if time.monotonic() > deadline or self.proc.poll() is not None and \
                    self.proc.stdout.closed and self.proc.stderr.closed:
                raise RecordError("riotoast terminal: no %s; it printed %r, stderr %s"
                                  % (what, self.out, self.err.decode(errors="replace")[-300:]))
            self._take(deadline)

    def type(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def quiet_since_last_write(self):
        """A READ answered empty after the last WRITE: nothing was written
        for a whole --poll, longer than the +++ guard time (the READ's total
        timeout ran out on the server)."""
        after = self.err[self.err.rfind(b"IRP_MJ_WRITE"):]
        return EMPTY_READ.search(after) is not None

    def finish(self):
        self.proc.stdin.close()          # end of input: the terminal quits once the port is quiet
        self.wait_for("exit", lambda: self.proc.stdout.closed and self.proc.stderr.closed)
        if self.proc.wait(DEADLINE_S) != 0:
            raise RecordError("riotoast terminal exited %d: %s" % (self.proc.returncode,
                                                                   self.err.decode(errors="replace")[-300:]))


def terminal_client(ctx):
    """The modem dialogue typed into `riotoast terminal`: ATI, a dial, data
    online, +++ once the port has been quiet past the guard time, ATH."""
    term = Terminal(ctx.build, ctx.host, ctx.port)
    try:
        shown = b""
        for typed, answer in TERMINAL_DIALOGUE:
            if typed.startswith(bytes([DEFS.MODEM_ESCAPE_CHAR])):
                term.wait_for("quiet READ before +++", term.quiet_since_last_write)
            term.type(typed)
            shown += answer
            term.wait_for("answer to %r" % typed, lambda: len(term.out) >= len(shown))
            if term.out != shown:
                raise RecordError("riotoast terminal showed %r, wanted %r" % (term.out, shown))
        term.finish()
    finally:
        if term.proc.poll() is None:
            term.proc.kill()
            term.proc.wait()


RECORDED = [
    ("rec-session.pcap", "riotoast session against riotoasterd (toast 20 ms/level): every operation, "
     "deliberate errors, a READ that pends while toasting", "127.0.0.1", 1, {}, session_client),
    ("rec-exclusive.pcap", "exclusive access: a second connection's CREATE is refused with "
     "STATUS_SHARING_VIOLATION and closed while the first holds toaster 2", "127.0.0.1", 2, {},
     scripted.exclusive),
    ("rec-farm.pcap", "farm mode with 2 toasters: two CREATEs get toasters 1 and 2, a third gets "
     "STATUS_DEVICE_BUSY and is closed", "127.0.0.1", "farm", {}, scripted.farm),
    ("rec-split-header.pcap", "a client sending every header in three segments (5, 11, 8 bytes) and the "
     "data in a fourth, each acknowledged before the next", "127.0.0.1", 3, {}, scripted.split_headers),
    ("rec-byte-at-a-time.pcap", "a client writing one byte per segment, each acknowledged before the "
     "next", "127.0.0.1", 4, {}, scripted.byte_at_a_time),
    ("rec-pipelined.pcap", "a misbehaving client pipelining three requests in one segment; the server "
     "answers all three in order", "127.0.0.1", 5, {}, scripted.pipelined),
    ("rec-large-write.pcap", "a 1,000,000-byte WRITE sent in 16 KiB segments (toaster accepts 4096)",
     "127.0.0.1", 6, {}, scripted.large_write),
    ("rec-sll2.pcap", "riotoast session recorded on the any device as Linux cooked v2", "127.0.0.1", 7,
     {"iface": "any", "linktype": "LINUX_SLL2"}, session_client),
    ("rec-ipv6.pcap", "riotoast session over IPv6 loopback (::1)", "::1", 1, {}, session_client),
    ("rec-pcapng.pcapng", "riotoast session recorded on lo, converted to pcapng by editcap", "127.0.0.1", 8,
     {}, session_client),
    ("rec-snaplen.pcap", "riotoast session recorded with snaplen 96: real truncated packets",
     "127.0.0.1", 1, {"snaplen": 96}, session_client),
    ("rec-modem-terminal.pcap", "riotoast terminal typed into against riotoasterd's modem: ATI, ATD, data "
     "online echoed, +++ after a quiet READ longer than the guard time, the escape's OK, ATH; the "
     "terminal's READs wait up to 1.2 s each on the server", "127.0.0.1", library.MODEM, {},
     terminal_client),
    ("rec-modem-wait.pcap", "modem: WAIT_ON_MASK pending after a +++ until the escape's OK raises RXCHAR; "
     "a second one answered at once with RXCHAR|RLSD after ATH", "127.0.0.1", library.MODEM, {},
     scripted.modem_wait),
    ("rec-modem-read-timeouts.pcap", "modem: READs pending per the serial timeouts: total timeout with "
     "bytes queued, interval timeout, multiplier on an empty queue, a READ pending until the escape's "
     "OK arrives then ended by the interval timeout", "127.0.0.1", library.MODEM, {},
     scripted.modem_read_timeouts),
]


CONNECTIONS = {scripted.exclusive: 2, scripted.farm: 3}   # connections a client opens (default 1)


class Context:
    def __init__(self, build, host, daemon, serial):
        self.build, self.host, self.daemon = build, host, daemon
        self.port = daemon.port() if serial == "farm" else daemon.port(serial)


def record_raw(build, raw, host, serial, dump_opts, client):
    """One recording into raw, again if the kernel dropped packets."""
    for attempt in range(ATTEMPTS):
        try:
            with Daemon(build, host, farm=serial == "farm") as daemon:
                ctx = Context(build, host, daemon, serial)
                with Tcpdump(raw, host, ctx.port, **dump_opts):
                    client(ctx)
            return
        except Dropped as e:
            if attempt == ATTEMPTS - 1:
                raise
            print("record.py: %s; recording again" % str(e).splitlines()[0], file=sys.stderr)


def record_one(build, outdir, entry, workdir):
    name, description, host, serial, dump_opts, client = entry
    raw = os.path.join(workdir, os.path.splitext(name)[0] + ".pcap")
    record_raw(build, raw, host, serial, dump_opts, client)
    final = os.path.join(outdir, name)
    if name.endswith(".pcapng"):
        subprocess.run(["editcap", "-F", "pcapng", raw, final], check=True)
    else:
        shutil.copyfile(raw, final)
    doc = expect.expectation(final, "recorded", description)
    if len(doc["sessions"]) != CONNECTIONS.get(client, 1):
        raise RecordError("%s: %d sessions recorded, wanted %d (foreign traffic on the port?)"
                          % (name, len(doc["sessions"]), CONNECTIONS.get(client, 1)))
    expect.write_json(doc, os.path.splitext(final)[0] + ".json")
    return final


def main(argv=None):
    p = argparse.ArgumentParser(prog="record.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--build", required=True, help="CMake build directory with riotoasterd and riotoast")
    p.add_argument("-o", "--output", default=os.path.dirname(HERE))
    p.add_argument("names", nargs="*")
    args = p.parse_args(argv)
    known = {e[0]: e for e in RECORDED}
    unknown = [n for n in args.names if n not in known]
    if unknown:
        print("record.py: unknown recorded capture %s" % ", ".join(unknown), file=sys.stderr)
        return EXIT_USAGE
    for prog in ("toaster/riotoasterd/riotoasterd", "toaster/riotoast/riotoast"):
        if not os.access(os.path.join(args.build, prog), os.X_OK):
            print("record.py: %s not built in %s" % (prog, args.build), file=sys.stderr)
            return EXIT_MISSING
    for tool in ("tcpdump", "editcap", "ss"):
        if not shutil.which(tool):
            print("record.py: %s not installed" % tool, file=sys.stderr)
            return EXIT_MISSING
    work = tempfile.mkdtemp(prefix="rio-record-")
    try:
        for name in args.names or list(known):
            print(record_one(args.build, args.output, known[name], work))
    except (RecordError, scripted.ClientError, subprocess.SubprocessError, OSError) as e:
        print("record.py: %s" % e, file=sys.stderr)
        return EXIT_FAILED
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
