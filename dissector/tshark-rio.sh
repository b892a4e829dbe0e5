#!/bin/sh
# tshark-rio.sh PLUGIN [tshark args...] — run tshark with a freshly built
# rio.so, without installing it anywhere (see plugin-home.sh: a throw-away
# HOME holding the plugin; as root, tshark runs as uid 65534).  A capture
# given with -r that uid 65534 cannot read is copied into that HOME first.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/plugin-home.sh"
[ $# -ge 1 ] || { echo "usage: $0 PLUGIN [tshark args...]" >&2; exit 2; }
home=$(rio_plugin_home tshark-rio "$1") || { echo "$0: cannot set up a plugin HOME" >&2; exit 2; }
trap 'rm -rf "$home"' EXIT
shift

# Rebuild "$@" with -r FILE pointing at a readable copy.
n=$#
next_is_file=0
while [ "$n" -gt 0 ]; do
  a=$1
  shift
  n=$((n - 1))
  if [ "$next_is_file" = 1 ] && [ -n "$RIO_AS_NOBODY" ] && [ -f "$a" ]; then
    cp "$a" "$home/" && a="$home/$(basename "$a")"
  fi
  next_is_file=0
  [ "$a" = "-r" ] && next_is_file=1
  set -- "$@" "$a"
done
rio_share "$home"
$RIO_AS_NOBODY env HOME="$home" tshark "$@"
