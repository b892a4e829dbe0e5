"""The interop matrix of the README: riotoasterd (toasters and modems),
altserver, altserver's modem and a faulty riotoasterd build side by side,
then a headless Chromium screenshot.

    /usr/bin/python3 conformance/altserver/matrix_demo.py --rio-build build OUTDIR [--png docs/conformance-matrix.png]

OUTDIR gets matrix.html, matrix.json and one report per target; the
requirements some target failed or warned are printed, then the counts
pass/fail/warn/skip per target (the README's snapshot).  Exit status: the matrix run's (1: a target failed,
which the faulty build does by design), 2 on a usage error.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from conformance.altserver import launch  # noqa: E402

FAULT = "read-drops-last-byte"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def screenshot(page, png, width=1200, height=900):
    """Render page in headless Chromium (a fresh profile) into png; the
    browser's output if it fails."""
    browser = shutil.which("chromium")
    if browser is None:
        return "chromium is not installed (scripts/deps.sh)"
    with tempfile.TemporaryDirectory(prefix="rio-chromium-") as profile:
        proc = subprocess.run([browser] + CHROMIUM_FLAGS + [
            "--user-data-dir=%s" % profile, "--window-size=%d,%d" % (width, height), "--screenshot=%s" % png,
            "file://%s" % os.path.abspath(page)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    return None if os.path.exists(png) else proc.stdout.decode(errors="replace")[-2000:]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rio-build", default=os.path.join(ROOT, "build"))
    p.add_argument("--png", help="also write a Chromium screenshot of matrix.html here")
    p.add_argument("outdir")
    a = p.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    alt, told = launch.altserver_told()
    modem, modem_told = launch.altserver_modem(True)
    try:
        targets = os.path.join(a.outdir, "targets")
        with open(targets, "w", encoding="utf-8") as f:
            f.write("# name  target  options\n")
            f.write("riotoasterd  embedded\n")
            f.write("altserver  %s:%d  %s --rio-farm %s:%d\n" % (alt.host, alt.port, " ".join(told),
                                                                 alt.host, alt.farm_port))
            f.write("altserver-modem  %s:%d  %s\n" % (modem.host, modem.port, " ".join(modem_told)))
            f.write("riotoasterd-fault  embedded  --rio-server-arg=--fault=%s\n" % FAULT)
        status = subprocess.run([sys.executable, "-m", "pytest", "-q", os.path.join(ROOT, "conformance"),
                                 "--rio-build", a.rio_build, "--rio-targets", targets, "--rio-matrix-dir", a.outdir,
                                 "--rio-html", os.path.join(a.outdir, "matrix.html"),
                                 "--rio-json", os.path.join(a.outdir, "matrix.json")], cwd=ROOT).returncode
    finally:
        alt.stop()
        modem.stop()
    with open(os.path.join(a.outdir, "matrix.json"), encoding="utf-8") as f:
        m = json.load(f)
    names = [t["name"] for t in m["targets"]]
    print("\n%-12s %-9s %s" % ("requirement", "level", " ".join("%-17s" % n for n in names)))
    for r in m["requirements"]:
        values = [r["results"][n] for n in names]
        if {"fail", "warn"} & set(values):
            print("%-12s %-9s %s" % (r["id"], r["level"], " ".join("%-17s" % v for v in values)))
    counts = {n: {} for n in names}
    for r in m["requirements"]:
        for n in names:
            counts[n][r["results"][n]] = counts[n].get(r["results"][n], 0) + 1
    print("%-22s %s" % ("(all requirements)", " ".join(
        "%-17s" % ("%d/%d/%d/%d" % tuple(counts[n].get(k, 0) for k in ("pass", "fail", "warn", "skip")))
        for n in names)))
    if a.png:
        error = screenshot(os.path.join(a.outdir, "matrix.html"), a.png)
        if error:
            print("screenshot failed: %s" % error, file=sys.stderr)
            return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
