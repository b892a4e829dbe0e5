"""Farm mode (PROTOCOL.md section 10): one port, a pool of toasters,
DEVICE_BUSY when none is free."""
import pytest

from pyrio.riodefs import DEFS

from .rioconf.helpers import bread, darkness, needs_cycle, pend_window, start_cycle
from .rioconf.link import readable
from .rioconf.verdict import Silence, Violation, check

S = DEFS


def hold_all(farm):
    return [farm.open("holder %d" % (n + 1), rid="RIO-ADR-006") for n in range(farm.endpoint.size)]


@pytest.mark.req("RIO-ADR-006", "RIO-ADR-007", "RIO-ADR-008")
def test_each_create_gets_a_free_toaster(farm):
    """N CREATEs get N distinct toasters with serials 1..N (any free one:
    the brief; lowest first: the project's SHOULD)."""
    links = hold_all(farm)
    serials = [c.info("RIO-ADR-008")["serial"] for c in links]
    want = list(range(1, farm.endpoint.size + 1))
    check(sorted(serials) == want, "RIO-ADR-008", "serials %s" % want, "serials %s" % serials)
    check(serials == want, "RIO-ADR-007", "serials %s in CREATE order (lowest free first, SHOULD)" % want,
          "serials %s" % serials)


@pytest.mark.req("RIO-ADR-009", "RIO-ADR-010", "RIO-ADR-011")
def test_busy_when_no_toaster_is_free(farm):
    """One CREATE more than the pool: DEVICE_BUSY (never SHARING_VIOLATION),
    then the server closes; the holders are unaffected."""
    holders = hold_all(farm)
    extra = farm.connect("one too many")
    try:
        extra.create("RIO-ADR-009", status=S.STATUS_DEVICE_BUSY)
    except Violation as v:
        if "SHARING_VIOLATION" in v.actual:
            raise Violation("RIO-ADR-011", v.expected, v.actual) from None
        raise
    extra.ends("RIO-ADR-010")
    holders[0].status("RIO-ADR-009")


@pytest.mark.req("RIO-ADR-012")
@pytest.mark.parametrize("how", ["close", "disconnect"])
def test_a_released_toaster_returns_to_the_pool(farm, how):
    holders = hold_all(farm)
    released = holders[0].info("RIO-ADR-008")["serial"]   # the only one free afterwards
    holders[0].ioctl("RIO-TST-041", S.IOCTL_TOASTER_SET_DARKNESS, darkness(2))
    holders[0].write("RIO-TST-018", b"left behind")
    if how == "close":
        holders[0].close_handle()
    else:
        holders[0].close()
    again = farm.open("after the release", rid="RIO-ADR-012")
    got = again.info("RIO-ADR-012")["serial"]
    check(got == released, "RIO-ADR-012", "the released toaster, serial %d" % released, "serial %d" % got)
    st = again.status("RIO-ADR-012")
    check(st["loaded_bytes"] == 0 and st["darkness"] == S.TOASTER_DARKNESS_DEFAULT, "RIO-ADR-012",
          "returned reset", "GET_STATUS %s" % st, also=("RIO-SES-022",))


@pytest.mark.req("RIO-TST-034")
def test_other_clients_served_while_a_read_pends(farm):
    """While A's READ pends on a toast cycle, B runs a whole session."""
    cycle = needs_cycle(farm)
    a = farm.open("A")
    data = bread(100, 3)
    start_cycle(a, S.TOASTER_DARKNESS_MAX, data)
    a.send(S.MJ_READ, output_length=len(data))
    a.expect("RIO-TST-032", Silence(), timeout=pend_window(cycle))
    b = farm.open("B")
    b.write("RIO-TST-018", b"quick")
    b.ioctl("RIO-TST-039", S.IOCTL_TOASTER_EJECT)
    b.read("RIO-TST-029", 16, data=b"quick")
    b.close_handle()
    check(not readable(a, 0), "RIO-TST-034", "A's READ still pending while B is served",
          "A's READ answered before B's session ended")
    a.reply("RIO-TST-033", data=data, timeout=farm.options.reply_timeout * 2)
