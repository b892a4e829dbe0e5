"""The pytest side of the conformance suite: options, the requirement
markers and their checks, verdicts by level, the reports, and the fixtures
that give a case its target.  conformance/conftest.py imports all of it."""
import os

import pytest

from pyrio.riodefs import DEFS

from . import devices
from . import matrix
from . import preflight
from . import registry as reg
from . import target as tgt
from .clientside import ClientHarness
from .context import Context
from .report import Results, matrix_text
from .verdict import Violation

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(HERE)
SELFTEST = os.path.join(HERE, "selftest")


def pytest_addoption(parser):
    g = parser.getgroup("rio-conformance", "RIO/1 conformance suite")
    add = g.addoption
    add("--rio-target", metavar="HOST:PORT", action="append",
        help="per-device server under test; given several times: a matrix run, the suite once per target")
    add("--rio-targets", metavar="FILE", help="a matrix run over the targets of FILE: one per line, "
        "'NAME HOST:PORT|embedded [suite options]' (see conformance/README.md)")
    add("--rio-matrix-dir", metavar="DIR", help="matrix run: where each target's reports go "
        "(default: next to --rio-html / --rio-json, else a temporary folder)")
    add("--rio-transcripts", action="store_true", help="keep every case's transcript in the reports, "
        "not only the failures' (matrix runs do)")
    add("--rio-device", metavar="KIND", help="the device the --rio-target serves: toaster, serial, another "
        "described device's name or a .riodev file (default: detected by the preflight; the embedded run "
        "starts a toaster and a modem, or only this kind)")
    add("--rio-serial", type=int, help="its toaster serial number (default: port - %d)" % DEFS.BASE_PORT)
    add("--rio-farm", metavar="HOST:PORT", help="farm server under test (adds the farm cases)")
    add("--rio-farm-size", type=int, help="toasters in the farm (default %d)" % tgt.EMBEDDED_FARM_SIZE)
    add("--rio-client-cmd", metavar="CMD", help='client under test, e.g. "myclient {host} {port}"')
    add("--rio-server-arg", action="append", metavar="ARG",
        help="extra argument for the embedded riotoasterd (repeatable), e.g. --rio-server-arg=--fault=NAME")
    add("--rio-stall-timeout", type=float, help="the server's stall timeout, s (default: the protocol's, %g; "
        "the embedded server's is %g)" % (tgt.PROTOCOL_STALL_TIMEOUT, tgt.EMBEDDED_STALL_TIMEOUT))
    add("--rio-idle-timeout", type=float, help="the server's idle timeout, s, if it has one (default: off)")
    add("--rio-toast-ms", type=float, help="the server's toasting time per darkness level, ms (default: "
        "measured before the run; the embedded server's is %g)" % tgt.EMBEDDED_TOAST_MS_PER_LEVEL)
    add("--rio-timeout-scale", type=float, default=1.0, help="multiply every deadline (slow machines)")
    add("--rio-reply-timeout", type=float, default=2.0, help="s to wait for an answer before HANG")
    add("--rio-strict", action="store_true", help="SHOULD violations fail too")
    add("--rio-seed", type=int, default=1, help="seed of the random and mutated inputs")
    add("--rio-fuzz-cases", type=int, default=40, help="random inputs per robustness case")
    add("--rio-spec", default=os.path.join(ROOT, "docs", "PROTOCOL.md"), help="the requirement source")
    add("--rio-list", action="store_true", help="print the requirement-to-test matrix and exit")
    add("--rio-json", metavar="FILE", help="write the JSON report")
    add("--rio-html", metavar="FILE", help="write the self-contained HTML report")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """Several targets: run the suite once per target, then the matrix."""
    if matrix.wanted(config):
        return matrix.run(config)
    return None


def pytest_configure(config):
    config.addinivalue_line("markers", "req(*ids): requirement IDs of docs/PROTOCOL.md the case checks")
    config.addinivalue_line("markers", "meta: a check of the suite itself (no requirement)")
    config.addinivalue_line("markers", "client_side: a case that tests a client")
    config.addinivalue_line("markers", "server_args(*args): extra riotoasterd arguments the case needs "
                            "(embedded server only; the case says what it needs from another server)")
    try:
        config._rio_options = tgt.options_from(config, DEFS.BASE_PORT)
    except ValueError as e:
        raise pytest.UsageError(str(e))
    config._rio_registry = reg.load(config.getoption("rio_spec"), os.path.join(HERE, "untestable.txt"))
    config._rio_results = Results(config._rio_registry, config._rio_options.describe(),
                                  config._rio_options.strict)
    config._rio_modules = set()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    """Preflight each server the suite did not start: it must answer CREATE
    (else one error and exit status preflight.EXIT_UNREACHABLE); then,
    unless told, measure its toast time per darkness level."""
    config = session.config
    options = getattr(config, "_rio_options", None)
    if options is None or options.embedded or config.getoption("rio_list"):
        return
    timeout = options.reply_timeout * options.timeout_scale
    for what, endpoint in (("--rio-target", options.target), ("--rio-farm", options.farm)):
        if endpoint is not None:
            error = preflight.check(endpoint, what, timeout, detect=endpoint is options.target
                                    and options.device is None)
            if error:
                pytest.exit("RIO/1 conformance: %s" % error, returncode=preflight.EXIT_UNREACHABLE)
    toaster = options.farm or (options.target if options.target_kind() == devices.TOASTER else None)
    if options.toast_source == "unknown" and toaster:
        ms, note = preflight.calibrate(toaster, timeout)
        options.calibration_note = note
        if ms is not None:
            options.toast_ms_per_level, options.toast_source = ms, "calibrated"
    config._rio_results.options_text = options.describe()


def pytest_report_header(config):
    options = getattr(config, "_rio_options", None)
    if options is not None and not config.getoption("rio_list"):
        return "RIO/1 conformance: %s" % options.describe()
    return None


def _in_suite(path):
    path = str(path)
    return path.startswith(HERE + os.sep) and not path.startswith(SELFTEST + os.sep)


def pytest_ignore_collect(collection_path, config):
    """conformance/selftest runs only when asked for by path (ctest does)."""
    if str(collection_path) != SELFTEST:
        return None
    asked = [os.path.abspath(str(a).split("::")[0]) for a in config.args]
    return not any(a == SELFTEST or a.startswith(SELFTEST + os.sep) for a in asked)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    registry, results = config._rio_registry, config._rio_results
    errors = []
    for item in items:
        if not _in_suite(item.path):
            continue
        config._rio_modules.add(str(item.path))
        if item.get_closest_marker("meta"):
            continue
        rids = [rid for m in item.iter_markers("req") for rid in m.args]
        if not rids:
            errors.append("%s: no @pytest.mark.req(...)" % item.nodeid)
        unknown = [rid for rid in rids if rid not in registry]
        if unknown:
            errors.append("%s: unknown requirement ID(s) %s (not in %s)" % (
                item.nodeid, ", ".join(unknown), registry.path))
        results.declare(item.nodeid, rids)
        for rid in rids:
            item.user_properties.append(("requirement", rid))
            item.user_properties.append(("level", registry.level(rid) or "?"))
    if errors:
        raise pytest.UsageError("conformance suite markers:\n  " + "\n  ".join(errors))
    if config.getoption("rio_list"):
        print(matrix_text(registry, results.declared))
        config.hook.pytest_deselected(items=list(items))
        items[:] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Turn each phase's report into the case's verdict: a Violation is
    rendered (requirement, expected/actual, transcript) and judged by the
    level of the requirement it names; anything else is an error."""
    rep = (yield).get_result()
    res = item.config._rio_results.tests.get(item.nodeid)
    if res is None:
        return
    res.duration += rep.duration
    if rep.when == "call" and rep.passed:
        res.outcome = "passed"
        if item.config._rio_options.keep_transcripts:
            res.transcript = "\n".join(r.render() for r in getattr(item, "_rio_record", []))
    if not rep.failed:
        return
    res.transcript = "\n".join(r.render() for r in getattr(item, "_rio_record", []))
    exc = call.excinfo.value if call.excinfo else None
    if isinstance(exc, Violation):
        _judge_violation(item, rep, res, exc)
        return
    res.outcome = "error"
    res.message = str(rep.longrepr)[-4000:]
    if res.transcript:
        rep.sections.append(("RIO transcript", res.transcript))


def _judge_violation(item, rep, res, exc):
    registry, options = item.config._rio_registry, item.config._rio_options
    levels = [registry.level(rid) or "?" for rid in exc.rids]
    level = next((lv for lv in levels if lv in reg.BINDING), levels[0])
    res.violated, res.also, res.level = exc.rid, list(exc.also), level
    res.message = exc.render(registry)
    hints = [h for h in dict.fromkeys(options.hint(rid) for rid in exc.rids) if h]
    if "HANG" in exc.actual and not options.embedded:
        hints.append("no answer in time: a slow server or machine may need --rio-reply-timeout "
                     "or --rio-timeout-scale")
    if hints:
        res.message += "".join("\nhint: " + h for h in hints)
    rep.longrepr = "%s\n\ntranscript:\n%s" % (res.message, res.transcript or "    (no connection)")
    for rid, lv in zip(exc.rids, levels):
        # junitxml writes the properties of the teardown report, which is
        # made from the item's: record them on the item.
        item.user_properties.append(("violated", "%s %s" % (rid, lv)))
    if level in reg.BINDING or options.strict:
        res.outcome = "failed"
        return
    res.outcome = "warned"
    rep.outcome = "skipped"
    rep.wasxfail = "%s-level %s violated (a warning; --rio-strict fails it): %s" % (level, exc.rid, exc.expected)


def pytest_terminal_summary(terminalreporter, config):
    results = getattr(config, "_rio_results", None)
    if results is None or not any(t.outcome != "skipped" for t in results.tests.values()):
        return
    tr = terminalreporter
    failed, warned = results.failed_ids(), results.warned_ids()
    tr.section("RIO/1 conformance: %s" % results.options_text)
    for title, rids in (("requirements FAILED", failed), ("requirements with warnings (SHOULD/MAY)", warned)):
        if rids:
            tr.write_line("%s:" % title)
            for rid in rids:
                tr.write_line("  %s (%s) %s" % (rid, results.registry[rid].level, results.registry[rid].text))
    if not failed and not warned:
        tr.write_line("no requirement violated")


def pytest_sessionfinish(session):
    config = session.config
    results = getattr(config, "_rio_results", None)
    if results is None:
        return
    if config.getoption("rio_list"):
        session.exitstatus = 0
        return
    if config.getoption("rio_json"):
        results.write_json(config.getoption("rio_json"))
    if config.getoption("rio_html"):
        results.write_html(config.getoption("rio_html"))


# ---- fixtures -------------------------------------------------------------

@pytest.fixture
def rio_record(request):
    """The case's connections and client runs, for its transcript."""
    request.node._rio_record = []
    request.node._rio_soft = []
    return request.node._rio_record


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """A case that ran to its end with SHOULD checks broken (Context.should)
    ends with one Violation naming them all: a warning."""
    outcome = yield
    soft = getattr(item, "_rio_soft", None)
    if soft and outcome.excinfo is None:
        first = soft[0]
        detail = "\n".join([first.detail] + ["also %s: expected %s, got %s" % (v.rid, v.expected, v.actual)
                                              for v in soft[1:]]).strip()
        raise Violation(first.rid, first.expected, first.actual, detail, also=[v.rid for v in soft[1:]])


@pytest.fixture(scope="session")
def rio_options(pytestconfig):
    return pytestconfig._rio_options


@pytest.fixture(scope="session")
def rio_registry(pytestconfig):
    return pytestconfig._rio_registry


def _embedded(request, farm):
    build = request.getfixturevalue("rio_build")
    marker = request.node.get_closest_marker("server_args")
    extra = list(marker.args) if marker else []
    daemon, endpoint = tgt.start_embedded(build, request.config._rio_options, farm=farm, extra=extra)
    request.addfinalizer(lambda: tgt.stop_embedded(daemon))
    return endpoint


def _context(request, given, farm, missing):
    """Context on the given endpoint, or on a fresh embedded server, or skip."""
    options = request.config._rio_options
    if given:
        endpoint = given
    elif options.embedded:
        endpoint = _embedded(request, farm=farm)
    else:
        pytest.skip(missing)
    ctx = Context(endpoint, options, request.getfixturevalue("rio_record"), request.node._rio_soft)
    request.addfinalizer(ctx.close_all)
    return ctx


@pytest.fixture
def dev(request, rio_options):
    """Context on the per-device server under test: a toaster."""
    kind = rio_options.target_kind()
    if kind not in (None, devices.TOASTER):
        pytest.skip("the target serves a %s device: toaster cases not run" % kind)
    if rio_options.embedded and not tgt.embedded_kind(rio_options, devices.TOASTER):
        pytest.skip("--rio-device %s: the embedded run starts no toaster" % rio_options.device.name)
    return _context(request, rio_options.target, False, "no --rio-target: per-device server cases not run")


@pytest.fixture
def modem(request, rio_options):
    """Context on a serial port with a modem: the target when it serves the
    serial profile, or a fresh embedded riotoasterd serving a modem."""
    return device_context(request, devices.SERIAL)


def device_context(request, kind):
    """Context on a per-device server of this device kind, or skip."""
    options = request.config._rio_options
    if options.embedded:
        why = tgt.embedded_kind(options, kind, request.getfixturevalue("rio_build"))
        if why is not True:
            pytest.skip(why or "the embedded run starts no %s device (--rio-device)" % kind)
        build = request.getfixturevalue("rio_build")
        marker = request.node.get_closest_marker("server_args")
        extra = list(marker.args) if marker else []
        daemon, endpoint = tgt.start_embedded(build, options, extra=extra, kind=kind)
        request.addfinalizer(lambda: tgt.stop_embedded(daemon))
    elif options.target_kind() == kind:
        endpoint = options.target
    elif options.target:
        pytest.skip("the target serves a %s device, not %s: %s cases not run" % (options.target_kind(), kind, kind))
    else:
        pytest.skip("no --rio-target: per-device server cases not run")
    ctx = Context(endpoint, options, request.getfixturevalue("rio_record"), request.node._rio_soft)
    request.addfinalizer(ctx.close_all)
    return ctx


@pytest.fixture
def farm(request, rio_options):
    """Context on the farm server under test (a farm of toasters)."""
    if rio_options.embedded and not tgt.embedded_kind(rio_options, devices.TOASTER):
        pytest.skip("--rio-device %s: the embedded run starts no toaster farm" % rio_options.device.name)
    return _context(request, rio_options.farm, True, "no --rio-farm: farm cases not run")


@pytest.fixture
def client(request, rio_options, rio_record):
    """Harness that runs the client under test against a scripted server."""
    if rio_options.client_cmd:
        template = rio_options.client_cmd
    elif rio_options.embedded:
        template = tgt.bundled_client_cmd(request.getfixturevalue("rio_build"))
    else:
        pytest.skip("no --rio-client-cmd: client cases not run")
    return ClientHarness(template, rio_options, rio_record)
