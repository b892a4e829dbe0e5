"""The README's tour output is the tour's real output.

Runs scripts/tour.sh (without its install-and-build step, on free ports,
into a temporary folder) and checks that every line of the README block
marked `<!-- tour-output -->` appears in the real output, in the README's
order.  A line "..." in the README stands for any number of lines.  Only
what changes from run to run is ignored: times and other decimal numbers,
port numbers (four and five digits), a tshark line's frame number, and the
output folder.  So a change to any program's output that the README does
not follow fails here, and the README is updated from a real run.

Also: the tour prints its step titles in bold only on a terminal."""
import os
import re
import subprocess

import pytest

from pyrio.daemon import free_port_block

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TOUR = os.path.join(REPO, "scripts", "tour.sh")
MARK = "<!-- tour-output"
ELISION = "..."
BOLD = "\033[1m"


def readme_sample():
    with open(os.path.join(REPO, "README.md")) as f:
        text = f.read()
    start = text.index(MARK)
    fence = text.index("```\n", start) + 4
    end = text.index("```", fence)
    return text[fence:end].splitlines()


def normalise(line, out_dir):
    line = line.replace(out_dir.rstrip("/") + "/", "tour-out/").replace(out_dir, "tour-out")
    line = re.sub(r"^(\s*)\d+(\s+\d+\.\d+\s)", r"\1<frame>\2", line)   # tshark frame numbers
    line = re.sub(r"\d+\.\d+", "<n>", line)                             # times, durations
    line = re.sub(r"\b\d{4,5}\b", "<port>", line)                       # ports
    return line.rstrip()


def in_order(sample, real):
    """The first sample line not found after the previous one's place, or None."""
    pos = 0
    for line in sample:
        if line == ELISION or not line:
            continue
        try:
            pos = real.index(line, pos) + 1
        except ValueError:
            return line
    return None


@pytest.fixture(scope="module")
def tour(rio_build, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("tour-out"))
    env = dict(os.environ, RIO_BUILD=rio_build, RIO_TOUR_OUT=out, RIO_TOUR_NO_BUILD="1",
               RIO_TOUR_BASE_PORT=str(free_port_block(3)))
    proc = subprocess.run(["bash", TOUR], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out, proc.stdout


def test_readme_sample_is_the_real_output(tour):
    out, stdout = tour
    sample = [normalise(line, out) for line in readme_sample()]
    real = [normalise(line, out) for line in stdout.splitlines()]
    assert sum(1 for line in sample if line and line != ELISION) > 30, "README sample too short to mean much"
    missing = in_order(sample, real)
    assert missing is None, ("README tour output line not in the real output (in order): %r\n"
                             "--- real output (normalised) ---\n%s" % (missing, "\n".join(real)))


def test_no_colour_when_piped(tour):
    _, stdout = tour
    assert "== 1. riotoasterd" in stdout
    assert "\033[" not in stdout


def test_bold_titles_on_a_terminal(rio_build, tmp_path):
    """Under a pseudo-terminal (script(1)) the step titles are bold.  The
    tour stops early here: its build directory is wrong on purpose, so it
    fails right after printing the first title."""
    env = dict(os.environ, RIO_BUILD=str(tmp_path / "no-build"), RIO_TOUR_OUT=str(tmp_path / "out"),
               RIO_TOUR_NO_BUILD="1", RIO_TOUR_BASE_PORT=str(free_port_block(3)))
    proc = subprocess.run(["script", "-qec", "bash " + TOUR, "/dev/null"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert BOLD + "== 1. riotoasterd" in proc.stdout
