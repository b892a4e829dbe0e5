#!/bin/sh
# install-plugin-user.sh PLUGIN MAJOR.MINOR — copy rio.so into the personal
# plugin folder of whoever runs it, $HOME/.local/lib/wireshark/plugins/
# MAJOR.MINOR/epan (the `install-plugin-user` build target).  Wireshark
# running as root ignores personal plugins: warn then.
# exit: 0 installed, 1 could not copy, 2 bad usage.
set -u
[ $# -eq 2 ] || { echo "usage: $0 PLUGIN MAJOR.MINOR" >&2; exit 2; }
[ -n "${HOME:-}" ] || { echo "$0: HOME is not set" >&2; exit 2; }
dir=$HOME/.local/lib/wireshark/plugins/$2/epan
mkdir -p "$dir" && cp "$1" "$dir/rio.so" || { echo "$0: cannot install into $dir" >&2; exit 1; }
echo "installed $1 into $dir"
if [ "$(id -u)" = 0 ]; then
    echo "warning: Wireshark running as root ignores personal plugins, so root's Wireshark will not load this copy;" >&2
    echo "warning: run Wireshark as a normal user (install as that user) or use cmake --install --prefix /usr" >&2
fi
exit 0
