#!/bin/sh
# test-deb.sh BUILD — the Debian packages, installed the way a user would,
# into a clean Debian system, and used there.
#
#  1. cpack -G DEB: rio-tools, python3-rioconf, rio-wireshark-plugin, from
#     BUILD if it is configured for /usr, else from BUILD/packaging/deb-build
#     (configured for /usr from the same sources, only what the packages
#     hold is built; incremental after the first run)
#  2. a fresh copy of a clean bookworm (mmdebstrap's "apt" variant, made once
#     by debian-base.sh into $RIO_PKG_CACHE, default /tmp/rio-pkg, and reused)
#  3. apt-get install ./*.deb tshark inside it: the packages' Depends must
#     pull in everything they need (the mirror is this machine's own)
#  4. there: each program runs; the installed conformance suite drives the
#     installed riotoasterd and riotoast; riotoast talks to riotoasterd;
#     completion works; tshark as nobody loads the plugin from the global
#     plugin folder and decodes a capture.
#
# Needs root (chroot, mount namespace), mmdebstrap and network access to the
# configured Debian mirror; exits 77 (ctest: skipped) without root or
# mmdebstrap.  Nothing is written outside /tmp; the per-run system is removed.
set -eu
build=$(cd "${1:?usage: test-deb.sh BUILD}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
cache=${RIO_PKG_CACHE:-/tmp/rio-pkg}
suite=bookworm

skip() { echo "test-deb: $*; skipped" >&2; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (chroot)"
command -v mmdebstrap >/dev/null || skip "mmdebstrap is not installed (scripts/deps.sh)"
command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"

sh "$here/debian-base.sh" "$cache" "$suite"

run=$(mktemp -d /tmp/rio-pkg-run.XXXXXX)
trap 'rm -rf "$run"' EXIT INT TERM
root=$run/root

# The programs have the install prefix compiled in: packages for /usr come
# from a build configured for /usr.
pkgbuild=$build
if ! grep -qx 'CMAKE_INSTALL_PREFIX:PATH=/usr' "$build/CMakeCache.txt"; then
  pkgbuild=$build/packaging/deb-build
  echo "== a build for /usr in $pkgbuild" >&2
  cmake -S "$top" -B "$pkgbuild" -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON -DRIO_SANITIZE=OFF -DRIO_FUZZ=OFF >"$run/cmake.log" 2>&1 \
    || { cat "$run/cmake.log" >&2; exit 1; }
  cmake --build "$pkgbuild" -j2 --target rio_packaged >"$run/build.log" 2>&1 || { tail -40 "$run/build.log" >&2; exit 1; }
fi
echo "== cpack" >&2
(cd "$pkgbuild" && cpack -G DEB -B "$run/debs" >"$run/cpack.log" 2>&1) || { cat "$run/cpack.log" >&2; exit 1; }
ls "$run/debs"/*.deb >&2

echo "== a clean $suite in $root" >&2
mkdir "$root"
tar -C "$root" -xf "$cache/$suite.tar"
mkdir "$root/tmp/debs" "$root/tmp/work"
cp "$run/debs"/*.deb "$root/tmp/debs/"
cp "$top/captures/toaster-session.pcap" "$root/tmp/work/"
cp "$here/in-debian.sh" "$root/tmp/in-debian.sh"

# Everything inside runs in a private mount namespace: its /proc goes away
# with it, whatever happens.
unshare --mount --propagation private sh -eu -c '
  root=$1
  mount -t proc proc "$root/proc"
  echo "== apt-get install ./*.deb tshark" >&2
  chroot "$root" sh -c "cd /tmp/debs && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends ./*.deb tshark" >"$root/tmp/apt.log" 2>&1 \
    || { tail -40 "$root/tmp/apt.log" >&2; exit 1; }
  chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 sh /tmp/in-debian.sh
' sh "$root"
echo "test-deb: OK" >&2
