#!/usr/bin/env bash
# wireshark-chroot.sh — make (or reuse) a minimal Debian system holding one
# Wireshark version, for the dissector's version matrix
# (scripts/wireshark-matrix.sh): bookworm has Wireshark 4.0, trixie 4.4,
# sid 4.6.
#
# usage: wireshark-chroot.sh [--gui] SUITE
#   prints the chroot's path.  --gui adds the Qt GUI, Xvfb, ImageMagick
#   and xdotool (for dissector/screenshot.sh).
# env:   RIO_CHROOTS   parent folder (default /tmp/rio-chroots; never the repo)
# exit:  0 ready, 1 could not make it, 2 bad usage or not root.
#
# The system is made by mmdebstrap from the mirror the machine's apt
# already uses (read from its sources at run time), into a temporary
# folder that is renamed into place only once it is complete, under a
# lock: a half-made system is never reused, and two runs never build the
# same one at once.  A finished system is reused while its stamp matches
# the package list.
set -euo pipefail

GUI=0
[ "${1:-}" = "--gui" ] && { GUI=1; shift; }
[ $# -eq 1 ] || { echo "usage: $0 [--gui] SUITE" >&2; exit 2; }
SUITE=$1
case "$SUITE" in *[!a-z0-9-]*|"") echo "$0: bad suite name '$SUITE'" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "$0: needs root (mmdebstrap, chroot)" >&2; exit 2; }
command -v mmdebstrap >/dev/null || { echo "$0: mmdebstrap not installed (apt-get install mmdebstrap)" >&2; exit 2; }

ROOT=${RIO_CHROOTS:-/tmp/rio-chroots}
DIR=$ROOT/$SUITE

# What the dissector's build, tests, fuzz run and benchmark need.
PACKAGES="tshark wireshark-dev cmake build-essential pkg-config libglib2.0-dev
python3 python3-pytest time"
GUI_PACKAGES="wireshark xvfb imagemagick xdotool"

# The Debian mirror apt uses here: the URI of the first deb source whose
# suites include this machine's release (deb822 .sources or one-line lists).
debian_mirror() {
    local codename
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    {
        # deb822: one stanza per paragraph.
        cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk -v want="$codename" 'BEGIN { RS = "" }
            { uri = ""; suites = ""
              n = split($0, line, "\n")
              for (i = 1; i <= n; i++) {
                  split(line[i], f, /[ \t]+/)
                  if (f[1] == "URIs:") uri = f[2]
                  if (f[1] == "Suites:") suites = " " line[i] " "
                  if (f[1] == "Types:" && line[i] !~ /[ \t]deb([ \t]|$)/) uri = "-"
              }
              if (uri != "" && uri != "-" && index(suites, " " want " ")) print uri }'
        # One-line format: deb [options] URI SUITE COMPONENTS...
        cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk -v want="$codename" '
            $1 == "deb" { i = 2; if ($i ~ /^\[/) while ($i !~ /\]$/) i++; if ($i ~ /\]$/ && $2 ~ /^\[/) i++
                          if ($(i + 1) == want) print $i }'
    } | sed -n 1p   # (reads all: no SIGPIPE under pipefail)
}

stamp_text() {
    echo "suite=$SUITE packages=$(echo $PACKAGES)"
}

# A finished system: stamp present and matching, tshark and the Wireshark
# CMake package in place (and with --gui, the GUI packages' stamp).
sane() {
    [ -f "$DIR/.rio-chroot" ] && [ -x "$DIR/usr/bin/tshark" ] &&
        [ -n "$(find "$DIR/usr/lib" -name WiresharkConfig.cmake 2>/dev/null)" ] &&
        [ "$(stamp_text)" = "$(cat "$DIR/.rio-chroot")" ] || return 1
    [ "$GUI" = 0 ] || [ "$(echo $GUI_PACKAGES)" = "$(cat "$DIR/.rio-chroot-gui" 2>/dev/null)" ]
}

mkdir -p "$ROOT"
exec 9>"$ROOT/$SUITE.lock"
flock 9
if sane; then
    echo "$DIR"
    exit 0
fi

# The base system exists but lacks the GUI: add it in place (the stamp is
# written once apt-get has succeeded).
if [ "$GUI" = 1 ] && GUI=0 sane; then
    echo "$0: adding the GUI packages to $DIR" >&2
    # (mmdebstrap leaves no package lists behind: fetch them first)
    { chroot "$DIR" apt-get update -qq >&2 &&
      chroot "$DIR" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $GUI_PACKAGES >&2; } ||
        { echo "$0: could not install $GUI_PACKAGES in $DIR" >&2; exit 1; }
    echo $GUI_PACKAGES >"$DIR/.rio-chroot-gui"
    echo "$DIR"
    exit 0
fi

MIRROR=$(debian_mirror || true)  # (cat fails on a missing file)
[ -n "$MIRROR" ] || { echo "$0: no Debian mirror found in /etc/apt/sources*" >&2; exit 1; }
opts=()
# sid's Release file can be past its Valid-Until on a snapshot mirror.
[ "$SUITE" = sid ] && opts+=(--aptopt='Acquire::Check-Valid-Until "false"')
include=$(echo $PACKAGES)
[ "$GUI" = 1 ] && include="$include $(echo $GUI_PACKAGES)"

rm -rf "$DIR" "$DIR.new"
echo "$0: making $DIR ($SUITE from $MIRROR)" >&2
if ! mmdebstrap --quiet --variant=apt "${opts[@]}" --include="${include// /,}" \
        "$SUITE" "$DIR.new" "$MIRROR" >&2; then
    rm -rf "$DIR.new"
    echo "$0: mmdebstrap $SUITE failed" >&2
    exit 1
fi
stamp_text >"$DIR.new/.rio-chroot"
[ "$GUI" = 1 ] && echo $GUI_PACKAGES >"$DIR.new/.rio-chroot-gui"
mv "$DIR.new" "$DIR"
sane || { echo "$0: $DIR is incomplete after mmdebstrap" >&2; exit 1; }
echo "$DIR"
