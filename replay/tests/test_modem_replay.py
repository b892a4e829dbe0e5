"""`rio-replay client` on the modem captures (issue 13) against the real
riotoasterd's modem (the library's daemon: toasters 1-8, modem 9).

The library's modem captures leave every wait to the server (a READ's
timeout, the +++ guard time completing a pending request), so they match
at the default `--timing fast` (test_client.py replays every capture so)
and at `--timing original`.  A client that is itself quiet before a +++
needs `--timing original`: rio-replay then keeps its pauses, and the
escape happens live as it did when recorded.  Each serial-profile fault of
riotoasterd makes one of the captures diverge, in the fields named here."""
import os
import sys

import pytest

import livehelp
from livehelp import expectation

sys.path.insert(0, livehelp.CAPTURE_DIR)

from pyrio import DEFS  # noqa: E402
from pyrio.modemmodel import ESCAPE, ModemPort, framed, timeouts_input  # noqa: E402
from tools import library  # noqa: E402
from tools.capture import Capture  # noqa: E402

MODEM_CAPTURES = [c for c in livehelp.library() if livehelp.modem_capture(expectation(c))]
IDS = [os.path.basename(c) for c in MODEM_CAPTURES]
TIMEOUT_S = 10          # per transaction: the longest wait in these captures is 1.2 s
FAULT_TIMEOUT_S = 4     # with a fault, a request may never be answered: give up sooner


def capture_path(name):
    return os.path.join(livehelp.CAPTURE_DIR, name)


def replay(run, capture, daemon, *extra, timeout=TIMEOUT_S):
    exp = expectation(capture)
    return run("client", capture, "--target", livehelp.target_host(exp), "--port-map",
               livehelp.port_map(exp, daemon), "--timeout", str(timeout), "--json", *extra)


def outcomes(res):
    return [o for o in res.json() if o["type"] == "transaction"]


def all_match(res):
    results = outcomes(res)
    return res.code == 0 and results and all(r["outcome"] == "match" for r in results)


def modem_daemon(toasterd, *args):
    return toasterd(serials=library.TOASTERS, modems=1, args=list(args))


def test_the_library_has_modem_captures():
    names = set(IDS)
    assert {"modem-session.pcap", "modem-errors.pcap", "rec-modem-terminal.pcap", "rec-modem-wait.pcap",
            "rec-modem-read-timeouts.pcap"} <= names, names


@pytest.mark.parametrize("capture", MODEM_CAPTURES, ids=IDS)
def test_modem_capture_matches_with_original_timing(run, toasterd, capture):
    res = replay(run, capture, modem_daemon(toasterd), "--timing", "original")
    assert all_match(res), res


# ---- a client that waits itself: only --timing original keeps its pauses ----------------

QUIET_MS = DEFS.MODEM_GUARD_MS + 200    # the client's own silence before and after +++


def client_paced_capture(directory):
    """A crafted capture whose client is quiet for the guard time itself
    (no request pends meanwhile) before and after its +++, then READs the
    escape's OK at once."""
    cap = Capture("modem-client-paced.pcap", "a modem client that waits itself around +++")
    c = cap.conversation(40070, server_port=DEFS.BASE_PORT + library.MODEM, model=ModemPort)
    c.open()
    c.transact(DEFS.MJ_DEVICE_CONTROL, DEFS.IOCTL_SERIAL_SET_DTR)
    c.transact(DEFS.MJ_WRITE, data=b"ATD1\r")
    c.transact(DEFS.MJ_READ, output_length=64)
    cap.pause_until_ms(cap.last_packet_ms() + QUIET_MS)
    c.transact(DEFS.MJ_WRITE, data=ESCAPE)
    cap.pause_until_ms(cap.last_packet_ms() + QUIET_MS)
    _, (answer,) = c.transact(DEFS.MJ_READ, output_length=64)
    c.transact(DEFS.MJ_CLOSE)
    assert answer.payload.endswith(ESCAPE + framed(DEFS.MODEM_OK))   # the model escaped
    return cap.write(str(directory))


def test_client_pauses_kept_by_original_timing(run, toasterd, tmp_path):
    capture = client_paced_capture(tmp_path)
    d = modem_daemon(toasterd)
    fast = replay(run, capture, d)
    assert fast.code == 1, fast
    diverged = [r for r in outcomes(fast) if r["outcome"] == "diverged"]
    # without the pauses there is no escape: the READ gets the +++ echo but no OK
    assert [r["request"]["major"] for r in diverged] == [DEFS.MJ_READ], fast
    assert "data" in {x["field"] for x in diverged[0]["diffs"]}, fast
    assert all_match(replay(run, capture, d, "--timing", "original")), capture


def test_client_paced_capture_audits_clean(run, tmp_path):
    res = run("audit", client_paced_capture(tmp_path))
    assert res.code == 0, res


# ---- riotoasterd's serial-profile faults are found -------------------------------------

# fault -> (the capture that exercises it, fields that must diverge)
SERIAL_FAULTS = {
    "serial-wait-not-pending": ("rec-modem-wait.pcap", {"data"}),
    "serial-read-ignores-timeouts": ("rec-modem-read-timeouts.pcap", {"data", "length", "information"}),
    "serial-purge-keeps-queue": ("modem-session.pcap", {"data"}),
    "serial-overrun-unreported": ("modem-session.pcap", {"data"}),
    "serial-write-without-dtr": ("modem-errors.pcap", {"status"}),
    "serial-any-baud-rate": ("modem-errors.pcap", {"status"}),
}


def test_every_serial_fault_is_classified(rio_bin):
    serial = {f for f in livehelp.faults(rio_bin("riotoasterd")) if f.startswith("serial-")}
    assert serial and serial == set(SERIAL_FAULTS)


EXIT_DIVERGED, EXIT_TIMEOUT = 1, 3     # rio-replay's exit statuses


@pytest.mark.parametrize("fault", sorted(SERIAL_FAULTS))
def test_serial_fault_is_found_and_named(run, toasterd, fault):
    """The first transaction that does not match diverges in the fault's
    fields.  What follows may hang: a faulty device can leave the session
    where nothing completes a later request (e.g. a +++ that did not escape
    because a READ that should have waited came back at once)."""
    name, fields = SERIAL_FAULTS[fault]
    res = replay(run, capture_path(name), modem_daemon(toasterd, "--fault", fault), timeout=FAULT_TIMEOUT_S)
    assert res.code in (EXIT_DIVERGED, EXIT_TIMEOUT), res
    first = next(r for r in outcomes(res) if r["outcome"] != "match")
    assert first["outcome"] == "diverged", res
    named = {x["field"] for x in first["diffs"]}
    assert named & fields, (fault, named)
