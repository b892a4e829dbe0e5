#!/usr/bin/python3
"""riotoasterd benchmarks, each a ratio against a baseline measured in the
same run, rounds interleaved, medians reported.

  1. one connection, transactions/s: riotoasterd vs pingpong_raw (a minimal
     blocking TCP server sending the same bytes), via rioload (with --before
     BUILD: that build's riotoasterd in the same interleaved rounds);
  2. event loop choice: the same echo server on riotoasterd's epoll loop and
     on GLib's main loop (loopbench);
  3. farm mode with 1,000 concurrent connections: aggregate transactions/s,
     p50/p99 latency, server RSS per connection;
  4. fairness: a probe client's CREATE/GET_INFO/CLOSE session while 20
     connections pipeline GET_STATUS, against the same probe on the idle
     server (goal: median under 10 ms); --before BUILD runs the same on
     another build's riotoasterd (e.g. the commit before a change);
  5. pinned memory: server VmRSS growth with 150 clients that pipeline
     requests and never read, and peak RSS (VmHWM) growth with 300 clients
     each sending all but the last byte of a 1 MiB WRITE (with --before:
     the other build too).

  /usr/bin/python3 bench/server/run.py --build build [--rounds 5] [--seconds 1.5] [--before BUILD]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
from pyrio.codec import pack_request  # noqa: E402
from pyrio.daemon import free_port_block, wait_listening  # noqa: E402
from pyrio.riodefs import DEFS  # noqa: E402

# Every contestant runs pinned the same way, so scheduling luck does not
# decide a ratio.  A strict one-connection ping-pong runs server and client
# on one CPU (otherwise each round trip pays two cross-CPU wake-ups, which
# on a small shared machine swamps what is measured); the farm gives the
# server and the load generator a CPU each.
_CPUS = sorted(os.sched_getaffinity(0))


def pinned(cpu):
    return ["taskset", "-c", str(cpu)] if len(_CPUS) > 1 else []


CLIENT_CPU = pinned(_CPUS[-1])
SAME_CPU = pinned(_CPUS[-1])
OTHER_CPU = pinned(_CPUS[0])


class Bench:
    def __init__(self, build):
        self.build = os.path.abspath(build)
        self.procs = []

    def tool(self, name):
        return os.path.join(self.build, "bench", "server", name)

    def spawn(self, argv, port, cpu=SAME_CPU):
        argv = cpu + list(argv)
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        self.procs.append(p)
        if not wait_listening([port], p, 10.0):
            raise SystemExit("bench: %s did not start" % argv[0])
        return p

    def toasterd(self, *args, port, cpu=SAME_CPU, build=None):
        binary = os.path.join(build or self.build, "toaster", "riotoasterd", "riotoasterd")
        return self.spawn([binary, "--listen", "127.0.0.1", *args], port, cpu)

    def load(self, port, seconds, conns=1, op="cycle", warmup=0.3):
        out = subprocess.run(CLIENT_CPU + [self.tool("rioload"), "--port", str(port), "--seconds", str(seconds), "--conns",
                              str(conns), "--op", op, "--warmup", str(warmup)],
                             capture_output=True, text=True, timeout=seconds + 60)
        if out.returncode != 0:
            raise SystemExit("bench: rioload failed: " + out.stderr)
        return json.loads(out.stdout)

    def stop_all(self):
        for p in self.procs:
            p.terminate()
            p.wait(10)


def median(xs):
    return statistics.median(xs)


def interleaved(rounds, runs):
    """runs: {name: fn() -> number}, the first being the baseline; order
    alternates per round.  Returns the medians and the median of the
    per-round ratios to the baseline (paired, so robust to load drift)."""
    results = {name: [] for name in runs}
    names = list(runs)
    for r in range(rounds):
        for name in (names if r % 2 == 0 else names[::-1]):
            results[name].append(runs[name]())
    m = {name: median(v) for name, v in results.items()}
    base = results[names[0]]
    m["ratio"] = {name: median(x / y for x, y in zip(results[name], base)) for name in names[1:]}
    m["rounds"] = results
    return m


def one_connection(b, rounds, seconds, builds):
    """Each build's riotoasterd against the raw ping-pong, all interleaved
    in the same rounds (with --before: the other build too)."""
    ports = {}
    for label, build in builds:
        base = free_port_block(1)
        b.toasterd("--serials", "1", "--base-port", str(base), port=base + 1, build=build)
        ports[label] = base + 1
    raw_port = free_port_block(0)
    b.spawn([b.tool("pingpong_raw"), str(raw_port)], raw_port)
    for op in ("cycle", "status"):
        runs = {"raw": lambda: b.load(raw_port, seconds, op=op)["tps"]}
        runs.update({label: (lambda p=port: b.load(p, seconds, op=op)["tps"]) for label, port in ports.items()})
        m = interleaved(rounds, runs)
        for label in ports:
            print("one connection (%s), op=%-6s riotoasterd %8.0f tx/s  raw TCP %8.0f tx/s  ratio %.2f (goal >= 0.8)"
                  % (label, op, m[label], m["raw"], m["ratio"][label]))
        if "before" in ports:
            r = m["rounds"]
            print("one connection, op=%-6s after/before %.2f (median of the per-round ratios)"
                  % (op, median(a / b for a, b in zip(r["after"], r["before"]))))


def event_loops(b, rounds, seconds):
    ports = {}
    for kind in ("epoll", "glib"):
        ports[kind] = free_port_block(0)
        b.spawn([b.tool("loopbench"), "server", kind, str(ports[kind])], ports[kind])

    def client(kind, conns):
        out = subprocess.run(CLIENT_CPU + [b.tool("loopbench"), "client", str(ports[kind]), str(seconds), "64", str(conns)],
                             capture_output=True, text=True, timeout=seconds + 30)
        return json.loads(out.stdout)["round_trips_per_s"]

    for conns in (1, 16):
        m = interleaved(rounds, {k: (lambda k=k: client(k, conns)) for k in ports})
        print("event loop, %2d conn(s): epoll %8.0f rt/s  GLib %8.0f rt/s  GLib/epoll %.2f"
              % (conns, m["epoll"], m["glib"], m["ratio"]["glib"]))


def rss_kib(pid, field="VmRSS"):
    """A /proc/PID/status figure in KiB (VmRSS, VmHWM)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def farm(b, conns, seconds):
    port = free_port_block(0)
    p = b.toasterd("--farm", str(port), "--toasters", str(conns), port=port, cpu=OTHER_CPU)
    time.sleep(0.2)
    before = rss_kib(p.pid)
    loader = subprocess.Popen(CLIENT_CPU + [b.tool("rioload"), "--port", str(port), "--conns", str(conns), "--seconds",
                               str(seconds), "--warmup", "1"], stdout=subprocess.PIPE, text=True)
    time.sleep(1.0 + seconds / 2)  # all connected and running
    during = rss_kib(p.pid)
    out, _ = loader.communicate(timeout=seconds + 60)
    r = json.loads(out)
    print("farm, %d connections: %.0f tx/s aggregate, p50 %.0f us, p99 %.0f us, errors %d"
          % (conns, r["tps"], r["p50_us"], r["p99_us"], r["errors"]))
    print("farm RSS: %d KiB idle (%d toasters), %d KiB with %d connections: %.2f KiB per connection"
          % (before, conns, during, conns, (during - before) / conns))


def fairness(b, rounds, pipeliners, builds):
    """Probe session medians, idle and under pipelining, rounds interleaved;
    each loaded median is also given as a ratio to the idle one."""
    def probe(port, n, probes):
        out = subprocess.run(CLIENT_CPU + [b.tool("fairness"), "--port", str(port), "--pipeliners", str(n),
                              "--probes", str(probes)], capture_output=True, text=True, timeout=600)
        if out.returncode != 0:
            raise SystemExit("bench: fairness failed: " + out.stderr)
        return json.loads(out.stdout)

    for label, build in builds:
        port = free_port_block(0)
        p = b.toasterd("--farm", str(port), "--toasters", str(pipeliners + 4), port=port, cpu=OTHER_CPU, build=build)
        m = interleaved(rounds, {
            "idle": lambda: probe(port, 0, 200)["median_us"],
            "loaded": lambda: probe(port, pipeliners, 30)["median_us"],
        })
        print("fairness (%s): probe CREATE/GET_INFO/CLOSE median %.2f ms with %d connections pipelining GET_STATUS, "
              "%.2f ms idle: %.0fx idle (goal < 10 ms)"
              % (label, m["loaded"] / 1000, pipeliners, m["idle"] / 1000, m["ratio"]["loaded"]))
        p.terminate()
        p.wait(10)


def stuff_until_blocked(sock, chunk):
    """Send `chunk` until the socket stays unwritable for 0.3 s (the server
    stopped reading) or the server drops it; the bytes sent."""
    import select
    sock.setblocking(False)
    sent = 0
    while True:
        if not select.select([], [sock], [], 0.3)[1]:
            return sent
        try:
            sent += sock.send(chunk)
        except BlockingIOError:
            continue
        except OSError:
            return sent


def pinned(b, builds, readers=150, writers=300):
    import socket
    for label, build in builds:
        base = free_port_block(1)
        p = b.toasterd("--serials", "1", "--base-port", str(base), port=base + 1, cpu=OTHER_CPU, build=build)
        idle = rss_kib(p.pid)
        get_info = b"".join(
            pack_request(DEFS.MJ_DEVICE_CONTROL, i, DEFS.IOCTL_TOASTER_GET_INFO, DEFS.TOASTER_INFO_SIZE)
            for i in range(2000))
        socks = []
        for _ in range(readers):
            s = socket.create_connection(("127.0.0.1", base + 1))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            stuff_until_blocked(s, get_info)
            socks.append(s)
        held = settled_rss(p.pid)
        for s in socks:
            s.close()
        print("pinned (%s): %d clients that never read: VmRSS %d KiB idle, %d KiB with them: %.0f KiB per client"
              % (label, readers, idle, held, (held - idle) / readers))
        hwm0 = rss_kib(p.pid, "VmHWM")
        pdu = pack_request(DEFS.MJ_WRITE, 1, data=b"w" * DEFS.DATA_MAX)[:-1]
        socks = []
        for _ in range(writers):
            s = socket.create_connection(("127.0.0.1", base + 1))
            try:
                s.sendall(pdu)
            except OSError:
                pass
            socks.append(s)
        settled_rss(p.pid)  # the server has read what it will read
        print("pinned (%s): %d clients each sending 1 MiB - 1 of a WRITE: peak VmRSS grew by %d KiB"
              % (label, writers, rss_kib(p.pid, "VmHWM") - hwm0))
        for s in socks:
            s.close()
        p.terminate()
        p.wait(10)


def settled_rss(pid, limit_s=30.0):
    """VmRSS once it stopped changing (5 samples 0.1 s apart within 1%):
    the server has taken what its clients sent."""
    samples = []
    end = time.monotonic() + limit_s
    while time.monotonic() < end:
        samples = (samples + [rss_kib(pid)])[-5:]
        if len(samples) == 5 and max(samples) - min(samples) <= max(samples) // 100:
            break
        time.sleep(0.1)
    return samples[-1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=1.5)
    ap.add_argument("--farm-conns", type=int, default=1000)
    ap.add_argument("--only", choices=["one", "loop", "farm", "fair", "pinned"])
    ap.add_argument("--pipeliners", type=int, default=20)
    ap.add_argument("--before", help="another build directory: its riotoasterd gets the one-connection, "
                    "fairness and pinned runs too")
    a = ap.parse_args()
    b = Bench(a.build)
    builds = [("after", a.build)] + ([("before", os.path.abspath(a.before))] if a.before else [])
    try:
        if a.only in (None, "one"):
            one_connection(b, a.rounds, a.seconds, builds)
        if a.only in (None, "loop"):
            event_loops(b, a.rounds, a.seconds)
        if a.only in (None, "farm"):
            farm(b, a.farm_conns, max(a.seconds, 3.0))
        if a.only in (None, "fair"):
            fairness(b, a.rounds, a.pipeliners, builds)
        if a.only in (None, "pinned"):
            pinned(b, builds)
    finally:
        b.stop_all()


if __name__ == "__main__":
    main()
