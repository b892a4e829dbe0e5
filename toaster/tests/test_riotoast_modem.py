"""riotoast's modem commands and terminal against the real riotoasterd
serving a serial port with its simulated Hayes modem (brief section 7):
dial, send, at, status, terminal through a pipe and on a pseudo-terminal,
the serial IOCTLs by name; and, against a scripted server that records
the exact bytes, the port setup and a modem that never answers."""
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_riotoast_common import (  # noqa: E402
    EXIT_CONNECTION, EXIT_LOCAL, EXIT_OK, EXIT_STATUS, EXIT_USAGE, DEFS, ScriptedServer, fields, free_port,
    majors, one_error_line, riotoast)  # riotoast: a fixture

MODEM_SERIAL = 2
ID, OK, ERROR = DEFS.MODEM_ID, DEFS.MODEM_OK, DEFS.MODEM_ERROR
BAUD = DEFS.SERIAL_BAUD_DEFAULT
CONNECT = "%s %d" % (DEFS.MODEM_CONNECT, BAUD)


@pytest.fixture
def modem(toasterd):
    """The port of a riotoasterd's modem (a toaster next to it)."""
    d = toasterd(serials=MODEM_SERIAL - 1, modems=1)
    return d.port(MODEM_SERIAL)




def flags_text(value, *names):
    return "%s (0x%08X)" % ("|".join(names) if names else "none", value)


# ---- modem dial ---------------------------------------------------------------

def test_dial_connects(riotoast, modem):
    r = riotoast("modem", "dial", "5551234", port=modem)
    assert r.code == EXIT_OK, r
    assert fields(r.text) == {"Result": CONNECT}
    assert r.err == ""


def test_dial_sets_the_port_first(riotoast, modem):
    r = riotoast("--json", "modem", "dial", "--baud", "2400", "--line", "7E1.5", "42", port=modem)
    assert r.code == EXIT_OK, r
    doc = r.json()
    assert doc["result"] == {"Result": "%s 2400" % DEFS.MODEM_CONNECT}
    labels = [t["label"] for t in doc["transactions"]]
    assert labels[:5] == ["IRP_MJ_CREATE", "IOCTL_SERIAL_SET_DTR", "IOCTL_SERIAL_SET_BAUD_RATE",
                          "IOCTL_SERIAL_SET_LINE_CONTROL", "IOCTL_SERIAL_SET_TIMEOUTS"], labels
    write = doc["transactions"][5]
    assert write["major"] == DEFS.MJ_WRITE and write["request_length"] == len("ATD42\r")
    assert majors(doc)[-1] == DEFS.MJ_CLOSE


def test_dial_refused_baud_is_the_devices_status(riotoast, modem):
    r = riotoast("modem", "dial", "--baud", "1234", "1", port=modem)
    assert r.code == EXIT_STATUS, r
    one_error_line(r, "IOCTL_SERIAL_SET_BAUD_RATE", "STATUS_INVALID_PARAMETER")


# ---- modem at -------------------------------------------------------------------

def test_at_ati(riotoast, modem):
    r = riotoast("modem", "at", "ATI", port=modem)
    assert r.code == EXIT_OK, r
    assert r.text == "%s\n%s\n" % (ID, OK)
    assert riotoast("modem", "at", "I", port=modem).text == r.text  # AT added


def test_at_several_on_one_handle(riotoast, modem):
    r = riotoast("--json", "modem", "at", "ATE0", "ATI", "AT", port=modem)
    assert r.code == EXIT_OK, r
    assert r.json()["result"]["Answers"] == [
        {"Command": "ATE0", "Lines": [OK], "Result": OK},
        {"Command": "ATI", "Lines": [ID, OK], "Result": OK},
        {"Command": "AT", "Lines": [OK], "Result": OK}]


def test_at_error_stops_there(riotoast, modem):
    r = riotoast("modem", "at", "ATQX", "ATI", port=modem)
    assert r.code == EXIT_STATUS, r
    assert r.text == ERROR + "\n"
    one_error_line(r, "ATQX answered ERROR")


# ---- modem send ---------------------------------------------------------------------

def test_send_comes_back(riotoast, modem):
    r = riotoast("modem", "send", "hello, far end", port=modem)
    assert r.code == EXIT_OK, r
    assert r.out == b"hello, far end"


def test_send_file_larger_than_the_queue(riotoast, modem, tmp_path):
    data = bytes(range(256)) * ((2 * DEFS.SERIAL_QUEUE_SIZE + 300) // 256)
    path = tmp_path / "data.bin"
    path.write_bytes(data)
    r = riotoast("--json", "modem", "send", "--file", str(path), "--number", "77", port=modem)
    assert r.code == EXIT_OK, r
    doc = r.json()
    assert bytes.fromhex(doc["result"]["Echo_hex"]) == data
    assert doc["result"]["Result"] == CONNECT and doc["result"]["Length"] == len(data)
    writes = [t for t in doc["transactions"] if t["major"] == DEFS.MJ_WRITE]
    assert max(t["request_length"] for t in writes) <= DEFS.SERIAL_QUEUE_SIZE  # never overflows the queue


def test_send_from_standard_input(riotoast, modem):
    r = riotoast("modem", "send", "--file", "-", port=modem, stdin=b"piped\r\n")
    assert r.code == EXIT_OK and r.out == b"piped\r\n", r


# ---- modem status -----------------------------------------------------------------

def test_status_of_a_new_handle(riotoast, modem):
    r = riotoast("modem", "status", port=modem)
    assert r.code == EXIT_OK, r
    assert fields(r.text) == {
        "ModemStatus": flags_text(0), "Errors": flags_text(0), "HoldReasons": flags_text(0),
        "AmountInInQueue": "0", "AmountInOutQueue": "0", "EofReceived": "FALSE (0)",
        "WaitForImmediate": "FALSE (0)", "BaudRate": str(BAUD), "StopBits": "STOP_BIT_1 (0)",
        "Parity": "NO_PARITY (0)", "WordLength": str(DEFS.SERIAL_WORD_LENGTH_DEFAULT)}


def test_status_with_dtr_and_with_a_call(riotoast, modem):
    cts, dsr, dcd = DEFS.SERIAL_MSR_CTS, DEFS.SERIAL_MSR_DSR, DEFS.SERIAL_MSR_DCD
    r = riotoast("modem", "status", "--dtr", port=modem)
    assert fields(r.text)["ModemStatus"] == flags_text(cts | dsr, "CTS", "DSR"), r
    r = riotoast("--json", "modem", "status", "--dial", "1", port=modem)
    res = r.json()["result"]
    assert res["Result"] == CONNECT
    assert (res["ModemStatus"], res["ModemStatus_name"]) == (cts | dsr | dcd, "CTS|DSR|DCD")
    assert (res["Parity"], res["Parity_name"]) == (DEFS.SERIAL_PARITY_NONE, "NO_PARITY")


# ---- the serial IOCTLs by name --------------------------------------------------------

def test_serial_ioctls_by_name(riotoast, modem):
    r = riotoast("ioctl", "SET_LINE_CONTROL", "WordLength=7", "Parity=EVEN_PARITY", "StopBits=STOP_BITS_2",
                 port=modem)
    assert r.code == EXIT_OK, r
    t = fields(riotoast("ioctl", "serial.get_timeouts", port=modem).text)
    assert t["ReadIntervalTimeout"] == str(DEFS.SERIAL_TIMEOUT_MAXDWORD) and t["ReadTotalTimeoutConstant"] == "0"
    r = riotoast("ioctl", "SET_LINE_CONTROL", "WordLength=9", port=modem)
    assert r.code == EXIT_USAGE, r           # the description's range=5..8
    one_error_line(r, "WordLength")
    r = riotoast("ioctl", "SET_LINE_CONTROL", "WordLength=9", "--unchecked", port=modem)
    assert r.code == EXIT_STATUS, r          # the device's own check
    one_error_line(r, "STATUS_INVALID_PARAMETER")
    r = riotoast("ioctl", "WAIT_ON_MASK", "--expect", "STATUS_INVALID_PARAMETER", port=modem)
    assert r.code == EXIT_OK, r              # the wait mask is 0
    assert riotoast("ioctl", "SET_RTS", port=modem).code == EXIT_USAGE  # ntddser.h has it; the profile does not


# ---- terminal ---------------------------------------------------------------------

def test_terminal_through_a_pipe(riotoast, modem):
    r = riotoast("terminal", port=modem, stdin=b"ATI\nATD42\r\nhello\n")
    assert r.code == EXIT_OK, r
    # The modem echoes each command byte for byte (a newline went as CR,
    # CR LF as one CR), answers it, and once online the far end echoes.
    assert r.out == (b"ATI\r\r\n%s\r\n\r\n%s\r\n" % (ID.encode(), OK.encode()) +
                     b"ATD42\r\r\n%s\r\n" % CONNECT.encode() + b"hello\r"), r
    assert r.err == ""


def test_terminal_escape_quits_at_once(riotoast, modem):
    r = riotoast("-v", "terminal", port=modem, stdin=b"AT\n\x1dATZ\n")
    assert r.code == EXIT_OK, r
    writes = [line for line in r.err.splitlines() if "IRP_MJ_WRITE" in line]
    assert len(writes) == 1 and "len=3 " in writes[0], r.err   # "AT\r", nothing after Ctrl-]
    assert "IRP_MJ_CLOSE" in r.err.splitlines()[-1]


def test_terminal_empty_input(riotoast, modem):
    r = riotoast("terminal", port=modem)
    assert r.code == EXIT_OK and r.out == b"", r


def read_until(fd, wanted, deadline_s=20.0):
    got = b""
    end = time.monotonic() + deadline_s
    while wanted not in got:
        left = end - time.monotonic()
        assert left > 0, "no %r from the terminal, got %r" % (wanted, got)
        if select.select([fd], [], [], left)[0]:
            try:
                chunk = os.read(fd, 4096)
            except OSError:   # EIO: the other side closed
                break
            if not chunk:
                break
            got += chunk
    return got


def spawn_on_pty(rio_bin, port):
    """riotoast terminal with stdin, stdout and stderr on a new
    pseudo-terminal; (process, master fd, slave fd, the tty's settings)."""
    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    proc = subprocess.Popen([rio_bin("riotoast"), "--port", str(port), "terminal"],
                            stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    return proc, master, slave, before


@pytest.mark.parametrize("ending", ["ctrl-]", "sigterm"])
def test_terminal_on_a_pty_restores_the_tty(rio_bin, modem, ending):
    proc, master, slave, before = spawn_on_pty(rio_bin, modem)
    try:
        assert b"Ctrl-] quits" in read_until(master, b"quits")
        os.write(master, b"ATI\r")
        screen = read_until(master, b"\r\nOK\r\n")
        assert ID.encode() in screen, screen
        assert termios.tcgetattr(slave) != before   # raw while it runs
        if ending == "ctrl-]":
            os.write(master, b"\x1d")
            assert proc.wait(20) == EXIT_OK
        else:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(20) == -signal.SIGTERM
        assert termios.tcgetattr(slave) == before   # restored
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
        os.close(slave)


# ---- usage errors -------------------------------------------------------------------

@pytest.mark.parametrize("words,said", [
    (["modem"], ["modem: no command given"]),
    (["modem", "hangup"], ["unknown modem command \"hangup\""]),
    (["modem", "dial"], ["usage: riotoast modem dial NUMBER"]),
    (["modem", "dial", "12\x01"], ["number"]),
    (["modem", "dial", "--wait", "0", "1"], ["--wait"]),
    (["modem", "dial", "--line", "8X1", "1"], ["--line"]),
    (["modem", "dial", "--baud", "fast", "1"], ["--baud"]),
    (["modem", "send"], ["TEXT or --file"]),
    (["modem", "send", "x", "--file", "y"], ["TEXT or --file"]),
    (["modem", "send", ""], ["nothing to send"]),
    (["modem", "at", "AT" + "I" * DEFS.MODEM_LINE_MAX], ["at most"]),
    (["terminal", "--poll", "0"], ["--poll"]),
    (["--json", "terminal"], ["--json"]),
])
def test_usage_errors(riotoast, words, said):
    r = riotoast(*words, port=free_port())   # nothing listens: a connection attempt would be exit 3
    assert r.code == EXIT_USAGE, r
    one_error_line(r, *said)


def test_unreadable_file_is_a_local_error(riotoast, tmp_path):
    r = riotoast("modem", "send", "--file", str(tmp_path / "none"), port=free_port())
    assert r.code == EXIT_LOCAL, r
    one_error_line(r, "none")


def test_help_lists_the_modem_commands(riotoast):
    main = riotoast("--help").text
    assert "modem COMMAND [ARG...]" in main and "dial, send, at, status" in main
    group = riotoast("modem", "--help")
    assert group.code == EXIT_OK
    assert [line.split()[0] for line in group.text.split("Commands:\n")[1].split("\n\n")[0].splitlines()] == [
        "dial", "send", "at", "status"]
    assert "--wait" in riotoast("help", "modem", "dial").text
    assert "--dtr" in riotoast("modem", "status", "--help").text


# ---- against a scripted server: the exact requests ------------------------------------

def silent_modem(req):
    """Accepts every WRITE, never has a byte to READ."""
    if req.major == DEFS.MJ_WRITE:
        return (DEFS.STATUS_SUCCESS, b"", len(req.data))
    return None


def test_port_setup_bytes_and_a_silent_modem(riotoast):
    with ScriptedServer(answer=silent_modem) as server:
        r = riotoast("--timeout", "5", "modem", "at", "--wait", "0.25", "--baud", "19200", "--line", "7O2", "ATI",
                     port=server.port)
    assert r.code == EXIT_CONNECTION, r
    one_error_line(r, "no answer to ATI within 0.2")
    reqs = {(q.major, q.ioctl): q for q in server.requests}
    assert reqs[(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_SERIAL_SET_BAUD_RATE)].data == struct.pack("<I", 19200)
    line = reqs[(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_SERIAL_SET_LINE_CONTROL)].data
    assert line == bytes([DEFS.SERIAL_STOP_BITS_2, DEFS.SERIAL_PARITY_ODD, 7])  # StopBits, Parity, WordLength
    timeouts = reqs[(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_SERIAL_SET_TIMEOUTS)].data
    interval, multiplier, constant, wmult, wconst = struct.unpack("<5I", timeouts)
    assert (multiplier, constant, wmult, wconst) == (0, 250, 0, 0) and 0 < interval < 250
    assert reqs[(DEFS.MJ_WRITE, 0)].data == b"ATI\r"
    read = reqs[(DEFS.MJ_READ, 0)]
    assert read.output_length == DEFS.SERIAL_QUEUE_SIZE
    assert server.requests[-1].major == DEFS.MJ_CLOSE   # a silent modem is not a broken connection


def test_a_modem_that_never_ends_its_answer(riotoast):
    def chatter(req):
        if req.major == DEFS.MJ_READ:
            return (DEFS.STATUS_SUCCESS, b"x" * req.output_length)
        return silent_modem(req)
    with ScriptedServer(answer=chatter) as server:
        r = riotoast("--timeout", "5", "modem", "at", "ATI", port=server.port)
    assert r.code == EXIT_CONNECTION, r
    one_error_line(r, "no result code")
    reads = [q for q in server.requests if q.major == DEFS.MJ_READ]
    assert 1 < len(reads) < 10, len(reads)    # bounded


# ---- terminal on a real serial port (riotoasterd's tty backend) --------------------------

def test_terminal_on_a_real_tty(riotoast, rio_bin, toasterd):
    """riotoasterd remotes one side of a pseudo-terminal pair as a serial
    port; the test plays the far end on the other side."""
    master, slave = pty.openpty()
    try:
        d = toasterd(serials=0, devices=[("tty", 1, os.ttyname(slave))])
        proc = subprocess.Popen([rio_bin("riotoast"), "--port", str(d.port(1)), "terminal", "--binary"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            proc.stdin.write(b"to the far end")
            proc.stdin.flush()
            assert read_until(master, b"to the far end").endswith(b"to the far end")
            os.write(master, b"and back")
            assert read_until(proc.stdout.fileno(), b"and back") == b"and back"
            proc.stdin.close()
            assert proc.wait(20) == EXIT_OK, proc.stderr.read()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()
    finally:
        os.close(master)
        os.close(slave)


def test_a_modem_command_on_a_toaster(riotoast, toasterd):
    r = riotoast("modem", "dial", "1", port=toasterd(serials=1).port(1))
    assert r.code == EXIT_STATUS, r
    one_error_line(r, "IOCTL_SERIAL_SET_DTR", "STATUS_INVALID_DEVICE_REQUEST")
