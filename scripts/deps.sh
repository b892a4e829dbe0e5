#!/usr/bin/env bash
# Install the Debian 12 packages the toolkit needs, if any are missing.
# Needs root (or sudo); does nothing when everything is already there.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config                # C11 toolchain (gcc's ASan/UBSan)
  clang libclang-rt-14-dev                        # libFuzzer for rio-replay's fuzz run
  libglib2.0-dev libpcap-dev                      # librio/riotoasterd, rio-replay
  wireshark-dev tshark                            # the dissector and its tests
  mmdebstrap                                      # Debian systems for the Wireshark version matrix
  tcpdump                                         # recording captures
  python3 python3-pytest python3-scapy            # test suites, capture generator
  valgrind util-linux procps psmisc time iproute2 # leak checks, setpriv/unshare, benchmarks
  chromium                                        # renders the conformance matrix (screenshot test)
  python3-setuptools file                         # Python packages, CPack's dpkg-shlibdeps step
  mmdebstrap man-db groff-base                    # package test in a clean Debian, man page checks
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
SUDO=()
[ "$(id -u)" -eq 0 ] || SUDO=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
