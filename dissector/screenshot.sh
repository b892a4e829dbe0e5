#!/bin/sh
# screenshot.sh — a real screenshot of the Wireshark Qt GUI showing a RIO
# capture decoded by rio.so: Wireshark runs under Xvfb as uid 65534 (as
# root it would ignore personal plugins) with the plugin in a temporary
# HOME, opens a crafted toaster session at the GET_INFO response, expands
# the packet details and the window is grabbed with ImageMagick's import.
#
# usage: screenshot.sh PLUGIN.so [OUT.png]   (default OUT: docs/wireshark-rio.png)
# needs: wireshark-qt xvfb imagemagick xdotool  (Wireshark as root ignores
# personal plugins: it runs as uid 65534, see plugin-home.sh)
# exit: 0 written, 1 failed, 2 bad usage or missing tool.
set -u

[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 PLUGIN.so [OUT.png]" >&2; exit 2; }
PLUGIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
OUT=${2:-$REPO/docs/wireshark-rio.png}
[ -f "$PLUGIN" ] || { echo "$0: no plugin at $PLUGIN" >&2; exit 2; }
for tool in wireshark Xvfb import xdotool; do
    command -v $tool >/dev/null || { echo "$0: $tool not installed (apt-get install wireshark-qt xvfb imagemagick xdotool)" >&2; exit 2; }
done

. "$HERE/plugin-home.sh"
WORK=$(rio_plugin_home rio-shot "$PLUGIN") || { echo "$0: cannot set up a plugin HOME" >&2; exit 1; }
XPID=""
WSPID=""
cleanup() {
    [ -n "$WSPID" ] && kill "$WSPID" 2>/dev/null
    [ -n "$XPID" ] && kill "$XPID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
mkdir -p "$WORK/.config/wireshark"
# Preferences: no questions, no byte pane (the details get the room).
printf 'gui.ask_unsaved: FALSE\ngui.update.enabled: FALSE\ngui.layout_content_3: NONE\ngui.column.format: "No.", "%%m", "Time", "%%t", "Source", "%%s", "Destination", "%%d", "Protocol", "%%p", "Length", "%%L", "Info", "%%i"\n' \
    >"$WORK/.config/wireshark/preferences"
rio_write_session "$REPO" "$WORK/session.pcap" ||
    { echo "$0: could not write the capture" >&2; exit 1; }
chmod -R a+rwX "$WORK"

# A free display number.
D=99
while [ -e "/tmp/.X11-unix/X$D" ] || [ -e "/tmp/.X$D-lock" ]; do D=$((D + 1)); done
Xvfb ":$D" -screen 0 1280x900x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
XPID=$!
sleep 2

# Frame 7 is the GET_INFO response: RIO header, matching and toaster fields.
(cd "$WORK" && exec $RIO_AS_NOBODY env -i PATH=/usr/bin:/bin HOME="$WORK" DISPLAY=":$D" \
    XDG_RUNTIME_DIR="$WORK" QT_QPA_PLATFORM=xcb LANG=C.UTF-8 \
    wireshark -r "$WORK/session.pcap" -g 7 -Y rio >"$WORK/wireshark.log" 2>&1) &
WSPID=$!

# Wait (bounded) for the main window, then show it whole and expand all.
WIN=""
i=0
while [ $i -lt 60 ] && [ -z "$WIN" ]; do
    sleep 1
    WIN=$(DISPLAY=":$D" xdotool search --onlyvisible --name "session.pcap" 2>/dev/null | head -1)
    i=$((i + 1))
done
[ -n "$WIN" ] || { echo "$0: the Wireshark window did not appear:" >&2; tail -5 "$WORK/wireshark.log" >&2; exit 1; }
sleep 3
DISPLAY=":$D" xdotool windowsize "$WIN" 1280 900 windowmove "$WIN" 0 0 2>/dev/null
DISPLAY=":$D" xdotool windowactivate --sync "$WIN" 2>/dev/null || DISPLAY=":$D" xdotool windowfocus "$WIN"
sleep 1
# Packet details start collapsed: Frame, Ethernet, IP, TCP, RIO.  Click
# the first row (Frame: at the top of the details pane in 4.0 to 4.6,
# whose row heights differ), go down to the fifth (RIO) and expand its
# subtrees (Shift+Right).
eval "$(DISPLAY=":$D" xdotool getwindowgeometry --shell "$WIN")"
DETAILS_TOP=$(( HEIGHT * 54 / 100 + 8 ))
DISPLAY=":$D" xdotool mousemove --window "$WIN" 60 $(( DETAILS_TOP + 4 )) click 1
sleep 1
DISPLAY=":$D" xdotool key --window "$WIN" Down Down Down Down
sleep 1
DISPLAY=":$D" xdotool key --window "$WIN" shift+Right
sleep 2
mkdir -p "$(dirname "$OUT")"
DISPLAY=":$D" import -window root "$OUT" || { echo "$0: import failed" >&2; exit 1; }
echo "wrote $OUT"
