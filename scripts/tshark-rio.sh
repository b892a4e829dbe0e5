#!/usr/bin/env bash
# tshark-rio.sh PLUGIN [tshark args...] — run tshark with a freshly built
# rio.so, without installing it anywhere.
#
# Wireshark loads personal plugins only from $HOME/.local/lib/wireshark/
# plugins/<major.minor>/epan, and ignores them (and WIRESHARK_PLUGIN_DIR)
# when run as root.  So: a throw-away world-readable HOME holding the plugin,
# and, as root, tshark runs as nobody.  Files given with -r must be readable
# by that user; this script copies them into the temporary HOME when they
# are not.
set -euo pipefail
plugin=$(readlink -f "$1")
shift
ver=$(tshark --version 2>/dev/null | sed -n '1s/.* \([0-9]*\.[0-9]*\)\..*/\1/p')
home=$(mktemp -d /tmp/tshark-rio.XXXXXX)
trap 'rm -rf "$home"' EXIT
mkdir -p "$home/.local/lib/wireshark/plugins/$ver/epan"
cp "$plugin" "$home/.local/lib/wireshark/plugins/$ver/epan/rio.so"

args=()
next_is_file=0
for a in "$@"; do
  if [ $next_is_file = 1 ] && [ "$(id -u)" -eq 0 ] && [ -f "$a" ]; then
    cp "$a" "$home/" && a="$home/$(basename "$a")"
  fi
  next_is_file=0
  [ "$a" = "-r" ] && next_is_file=1
  args+=("$a")
done
chmod -R a+rX "$home"

run_as=()
[ "$(id -u)" -ne 0 ] || run_as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
"${run_as[@]}" env HOME="$home" tshark "${args[@]}"
