"""Installing the plugin: `cmake --install` under the install prefix (and
DESTDIR), `install-plugin-user` into the personal folder, with a warning
when run as root."""
import os
import subprocess

import pytest

from conftest import _plugin_path, _ws_major_minor


@pytest.fixture(scope="module")
def build_dir(request):
    """The CMake build folder the plugin under test comes from."""
    build = os.path.dirname(os.path.dirname(os.path.abspath(_plugin_path(request))))
    if not os.path.isfile(os.path.join(build, "CMakeCache.txt")):
        pytest.skip("the plugin does not come from a CMake build folder")
    return build


def _files(top):
    return sorted(os.path.relpath(os.path.join(d, f), top) for d, _, fs in os.walk(top) for f in fs)


def test_cmake_install_goes_under_the_prefix(build_dir, tmp_path):
    env = dict(os.environ, DESTDIR=str(tmp_path))
    subprocess.run(["cmake", "--install", build_dir, "--component", "plugin", "--prefix", "/opt/rio-fresh"],
                   env=env, check=True, capture_output=True)
    files = _files(tmp_path)
    assert len(files) == 1, files
    assert files[0].startswith("opt/rio-fresh/lib/")
    assert files[0].endswith("/wireshark/plugins/%s/epan/rio.so" % _ws_major_minor())


def test_install_plugin_user(build_dir, tmp_path):
    env = dict(os.environ, HOME=str(tmp_path))
    proc = subprocess.run(["cmake", "--build", build_dir, "--target", "install-plugin-user"],
                          env=env, capture_output=True, text=True, check=True)
    assert _files(tmp_path) == [".local/lib/wireshark/plugins/%s/epan/rio.so" % _ws_major_minor()]
    warned = "root ignores personal plugins" in proc.stdout + proc.stderr
    assert warned == (os.geteuid() == 0)


def test_installed_plugin_reads_the_descriptions_installed_with_it(build_dir, tshark, gen_dir):
    """Installed under a prefix (here with DESTDIR), the plugin reads
    <prefix>/share/rio/devices, found from its own folder: a description
    only that folder holds is decoded, with no RIO_DEVICE_PATH."""
    import shutil
    import test_devices

    destdir = os.path.join(gen_dir, "installed")
    shutil.rmtree(destdir, ignore_errors=True)
    env = dict(os.environ, DESTDIR=destdir)
    subprocess.run(["cmake", "--install", build_dir, "--component", "plugin", "--prefix", "/opt/rio-fresh"],
                   env=env, check=True, capture_output=True)
    root = os.path.join(destdir, "opt", "rio-fresh")
    [plugin] = [f for f in _files(root) if f.endswith("/epan/rio.so")]
    plugins = os.path.join(root, plugin.rsplit("/%s/epan/" % _ws_major_minor(), 1)[0])
    # What the tools component installs beside it, and one more device.
    devices = os.path.join(root, "share", "rio", "devices")
    shutil.copytree(test_devices.SHIPPED, devices)
    with open(os.path.join(devices, "thermo.riodev"), "w") as f:
        f.write(test_devices.THERMO)
    empty_home = os.path.join(destdir, "home")
    os.makedirs(empty_home)
    for d, dirs, files in os.walk(destdir):
        for n in dirs + files:
            os.chmod(os.path.join(d, n), 0o755)
    os.chmod(destdir, 0o755)

    # The HOME has no plugin: rio.so comes from the installed folder.
    run_env = ["HOME=" + empty_home, "WIRESHARK_PLUGIN_DIR=" + plugins]
    fields = tshark.run("-G", "fields", env=run_env).stdout
    assert "\trio.dev.thermo.centi\t" in fields and "\trio.dev.serial.baud_rate\t" in fields
