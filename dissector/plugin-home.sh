# plugin-home.sh — sourced by fuzz.sh, screenshot.sh and
# bench/dissector/bench.sh: run Wireshark tools with a freshly built rio.so.
#
# Wireshark running as root ignores the personal plugin folder (and
# WIRESHARK_PLUGIN_DIR), so as root the tools run as uid/gid 65534 with a
# temporary world-readable HOME whose personal plugin folder holds the
# plugin.  Nothing is written into the system plugin folder.

# Run a command as uid 65534 when we are root, else as ourselves.
RIO_AS_NOBODY=""
[ "$(id -u)" = 0 ] && RIO_AS_NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"

# "4.0" for Wireshark 4.0.x: the plugin folder's version component.
rio_ws_major_minor() {
    tshark --version 2>/dev/null | awk 'NR==1 { split($3, v, "."); print v[1] "." v[2] }'
}

# rio_plugin_home PREFIX PLUGIN: make a temporary HOME holding PLUGIN as
# .local/lib/wireshark/plugins/<major.minor>/epan/rio.so; prints its path.
rio_plugin_home() {
    _home=$(mktemp -d "/tmp/$1-XXXXXX") || return 1
    chmod 755 "$_home"
    mkdir -p "$_home/.local/lib/wireshark/plugins/$(rio_ws_major_minor)/epan" &&
        cp "$2" "$_home/.local/lib/wireshark/plugins/$(rio_ws_major_minor)/epan/rio.so" || return 1
    echo "$_home"
}

# rio_write_session REPO OUT.pcap: the crafted toaster session of
# dissector/tests/scenarios.py.
rio_write_session() {
    (cd "$1" && /usr/bin/python3 -c "import sys; sys.path.insert(0, 'dissector/tests'); import scenarios, riocap; c = riocap.Capture(); scenarios.session(c); c.write(sys.argv[1], expectations=False)" "$2")
}

# Make everything under a folder readable by uid 65534.
rio_share() {
    chmod -R a+rX "$1"
}
