"""Fixtures of the self-tests: the fault table from riotoasterd itself
(`--fault list`, the one source of which requirements each fault breaks)
and the pool of suite runs."""
import os
import subprocess

import pytest

from .runner import Pool



# The faulty build of the self-test matrix.
MATRIX_FAULT = "read-drops-last-byte"

# A third device, made up here and described only here (no C, no profile
# in the suite): the generic device cases must run on it as on the toaster
# and the serial port.  Its codes mix the CTL_CODE parts: Function with
# Access, a whole Code, METHOD_NEITHER, READ|WRITE access, a MayPend IOCTL.
THIRD_DEVICE = """\
# A made-up GPIO expander (conformance self-tests only).
[device]
Name=gpio
DeviceType=0x8123
Description=GPIO expander, eight pins

[ioctl IOCTL_GPIO_GET_PINS]
Function=0x900
Access=FILE_READ_ACCESS
Output=GPIO_PINS

[ioctl IOCTL_GPIO_SET_PINS]
Function=0x901
Access=FILE_WRITE_ACCESS
Input=GPIO_PINS

[ioctl IOCTL_GPIO_GET_CONFIG]
Code=0x8123600C
Output=GPIO_CONFIG

[ioctl IOCTL_GPIO_RESET]
Function=0x904
Method=METHOD_NEITHER
Access=FILE_READ_ACCESS|FILE_WRITE_ACCESS

[ioctl IOCTL_GPIO_WAIT_EDGE]
Function=0x905
Output=GPIO_EDGE
MayPend=true

[struct GPIO_PINS]
Size=8
Fields=Mask:u32:hex; Levels:u32:hex

[struct GPIO_CONFIG]
Size=16
Fields=Pins:u16; Version:u16:hex; Label:char[12]

[struct GPIO_EDGE]
Fields=Pin:u8; Rising:u8; Pad:pad[2]
"""

# (what, documented IDs, IDs the suite found), for the summary table.
VERDICTS = []


def pytest_terminal_summary(terminalreporter):
    if not VERDICTS:
        return
    tr = terminalreporter
    tr.section("conformance suite against deliberately broken implementations")
    for what, want, got in VERDICTS:
        tr.write_line("%-4s %-40s documented %s" % ("ok" if want == got else "DIFF", what, ",".join(sorted(want))))
        if want != got:
            tr.write_line("     %-40s found      %s" % ("", ",".join(sorted(got)) or "-"))


def fault_table(build):
    """[(name, set of IDs, description)] from `riotoasterd --fault list`."""
    return _listed(os.path.join(build, "toaster", "riotoasterd", "riotoasterd"), "--fault")


def misbehaviour_table(build):
    """The same from `riotoast --misbehave list`: the deliberate client faults."""
    return _listed(os.path.join(build, "toaster", "riotoast", "riotoast"), "--misbehave")


def _listed(binary, flag):
    """Each program documents its own faults: NAME<TAB>IDS<TAB>description."""
    if not os.path.exists(binary):
        return []
    out = subprocess.run([binary, flag, "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=10, check=True).stdout.decode()
    table = []
    for line in out.splitlines():
        if not line.strip():
            continue
        name, ids, desc = line.split("\t", 2)
        table.append((name, {i.strip() for i in ids.split(",") if i.strip()}, desc))
    return table


def pytest_generate_tests(metafunc):
    if "fault" in metafunc.fixturenames:
        build = os.path.abspath(metafunc.config.getoption("--rio-build"))
        table = fault_table(build)
        metafunc.parametrize("fault", table or [None], ids=[t[0] for t in table] or ["no-riotoasterd"])
    if "misbehaviour" in metafunc.fixturenames:
        build = os.path.abspath(metafunc.config.getoption("--rio-build"))
        table = [(name, ids) for name, ids, _ in misbehaviour_table(build)]
        metafunc.parametrize("misbehaviour", table or [None], ids=[t[0] for t in table] or ["no-riotoast"])


def client_cmd(build, misbehave):
    binary = os.path.join(build, "toaster", "riotoast", "riotoast")
    return "%s --misbehave %s --server {host} --port {port} session" % (binary, misbehave)


@pytest.fixture(scope="session")
def suite_runs(rio_build, external_targets, tmp_path_factory, pytestconfig):
    """Every suite run of the self-tests, started at once and run two at a
    time: the clean run, the external servers told and untold, the hints,
    the matrix, one per server fault, one per client misbehaviour."""
    # Every run judges by the spec the self-tests were given (--rio-spec).
    pool = Pool(rio_build, ["--rio-spec", os.path.abspath(pytestconfig.getoption("rio_spec"))])
    pool.submit("clean", [])
    ext = external_targets
    told, told_args = ext["alt-told"]
    pool.submit(("alt", "told"), told.target_args(told_args))
    pool.submit(("alt", "untold"), ext["alt-untold"].target_args(None))
    pool.submit(("riotoasterd", "untold"), ext["riotoasterd-untold"].target_args(None))
    bundled, bundled_args = ext["riotoasterd-told"]
    pool.submit(("riotoasterd", "told"), bundled.target_args(bundled_args))
    # Told a wrong stall timeout and not told the serial of a server on
    # another BasePort: each failure names the option that may be mis-set.
    pool.submit(("hints",), ["--rio-target", "%s:%d" % (ext["hints"].host, ext["hints"].port),
                             "--rio-stall-timeout", "0.2", "--rio-toast-ms", "60",
                             "-k", "test_get_info or test_stall_in_header"])
    pool.submit(("unreachable",), ["--rio-target", "127.0.0.1:%d" % ext["closed-port"]])
    matrix, matrix_args = ext["matrix"]
    folder = tmp_path_factory.mktemp("matrix")
    targets = folder / "targets"
    modem, modem_args = ext["matrix-modem"]
    targets.write_text("# name  target  options\n"
                       "riotoasterd  embedded\n"
                       "altserver  %s:%d  %s\n"
                       "altserver-modem  %s:%d  %s\n"
                       "riotoasterd-fault  embedded  --rio-server-arg=--fault=%s\n"
                       % (matrix.host, matrix.port, " ".join(matrix_args + ["--rio-farm", "%s:%d" % (
                           matrix.host, matrix.farm_port)]), modem.host, modem.port, " ".join(modem_args),
                          MATRIX_FAULT))
    pool.submit(("matrix",), ["--rio-targets", str(targets), "--rio-matrix-dir", str(folder),
                              "--rio-html", str(folder / "matrix.html"), "-m", "not client_side"])
    for how in ("told", "untold"):
        for name in ("alt-serial", "riotoasterd-modem"):
            server, args = ext["%s-%s" % (name, how)]
            pool.submit((name, how), server.target_args(args))
    for key, (server, args) in ext["third-device"].items():
        pool.submit(("third-device",) + key, server.target_args(args) + ["-m", "not client_side"])
    for name, _, _ in fault_table(rio_build):
        pool.submit(("fault", name), ["-m", "not client_side", "--rio-server-arg=--fault=%s" % name])
    for name, _, _ in misbehaviour_table(rio_build):
        pool.submit(("client", name), ["-m", "client_side", "--rio-client-cmd", client_cmd(rio_build, name)])
    yield pool
    pool.shutdown()


@pytest.fixture(scope="session")
def external_targets(rio_build, tmp_path_factory):
    """Servers the suite did not start, each used by one run only (a
    per-device server is exclusive, and runs go two at a time): altserver
    told its configuration, altserver told nothing, riotoasterd told
    nothing and told its configuration, altserver for the hint runs,
    altserver for the matrix."""
    from ..altserver import launch
    started = []
    try:
        told, told_args = launch.altserver_told()
        started.append(told)
        untold = launch.altserver_untold()
        started.append(untold)
        bundled = launch.riotoasterd_untold(rio_build)
        started += [bundled, bundled.companion]
        bundled_told, bundled_told_args = launch.riotoasterd_told(rio_build)
        started += [bundled_told, bundled_told.companion]
        hints, _ = launch.altserver_told()
        started.append(hints)
        matrix, matrix_args = launch.altserver_told()
        started.append(matrix)
        matrix_modem = launch.altserver_modem(True)
        started.append(matrix_modem[0])
        serial = {}
        for how in ("told", "untold"):
            serial["alt-serial-" + how] = launch.altserver_modem(how == "told")
            serial["riotoasterd-modem-" + how] = launch.riotoasterd_modem(rio_build, how == "told")
            started += [serial["alt-serial-" + how][0], serial["riotoasterd-modem-" + how][0]]
        third = {}
        description = tmp_path_factory.mktemp("third-device") / "gpio.riodev"
        description.write_text(THIRD_DEVICE)
        for name in [None] + [f[0] for f in launch.scripted_device_faults()]:
            third[(name,) if name else ()] = launch.scripted_device(str(description), name)
            started.append(third[(name,) if name else ()][0])
        yield {"alt-told": (told, told_args), "alt-untold": untold, "riotoasterd-untold": bundled,
               "riotoasterd-told": (bundled_told, bundled_told_args),
               "hints": hints, "matrix": (matrix, matrix_args), "closed-port": launch.free_port_block(0),
               "matrix-modem": matrix_modem, "third-device": third, **serial}
    finally:
        for s in started:
            s.stop()
