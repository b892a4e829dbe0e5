#!/bin/sh
# in-debian.sh — run by test-deb.sh as root inside the fresh Debian system
# where rio-tools, python3-rioconf and rio-wireshark-plugin were just
# installed with apt.  Exits non-zero at the first thing that does not work.
set -eu
fail() { echo "in-debian: FAIL: $*" >&2; exit 1; }
step() { echo "== $*" >&2; }
work=/tmp/work
chmod 755 "$work"
chmod 644 "$work"/*

step "installed files"
for p in riotoasterd riotoast rio-replay; do
  for f in /usr/bin/$p /usr/share/man/man1/$p.1 /usr/share/bash-completion/completions/$p; do
    [ -e "$f" ] || fail "$f is not installed"
  done
done
plugin=$(dpkg -L rio-wireshark-plugin | grep '/wireshark/plugins/[0-9.]*/epan/rio\.so$') \
  || fail "rio-wireshark-plugin has no plugins/X.Y/epan/rio.so"

step "each program runs"
for p in riotoasterd riotoast rio-replay; do
  "$p" --help >/dev/null || fail "$p --help"
done

step "riotoast against riotoasterd"
# The daemon writes "ready" on --ready-fd once it listens; a daemon that
# cannot start closes the pipe instead.  A port taken meanwhile (exit 2):
# another one.
mkfifo "$work/ready"
pid=""
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true' EXIT
for attempt in 1 2 3 4 5; do
  base=$(shuf -i 20000-60000 -n 1)
  riotoasterd --serials 1 --base-port "$base" --ready-fd 3 3>"$work/ready" 2>"$work/daemon.log" &
  pid=$!
  line=$(head -n 1 "$work/ready" || true)
  [ "$line" = ready ] && break
  wait "$pid" && status=0 || status=$?
  [ "$status" -eq 2 ] || fail "riotoasterd did not start (exit $status): $(cat "$work/daemon.log")"
done
[ "$line" = ready ] || fail "riotoasterd: no free port in 5 attempts"
port=$((base + 1))
riotoast --port "$port" session >"$work/session.out" || fail "riotoast session: $(cat "$work/session.out")"
toast=$(printf 'debian bread' | riotoast --port "$port" toast -d 2 @-) || fail "riotoast toast"
[ "$toast" = "debian bread" ] || fail "riotoast toast gave back '$toast'"
# The device descriptions, where the programs look for them (/usr/share/rio/devices)
info=$(riotoast --port "$port" ioctl GET_INFO) || fail "riotoast ioctl GET_INFO: $info"
echo "$info" | grep -q '^SerialNumber *1$' || fail "riotoast ioctl GET_INFO gave: $info"
kill -TERM "$pid"
wait "$pid" || fail "riotoasterd exit status $? after SIGTERM (want 0)"
pid=""

step "bash completion"
got=$(bash --norc --noprofile -c '. /usr/share/bash-completion/completions/riotoast
  COMP_WORDS=(riotoast to); COMP_CWORD=1; _rio_complete; echo "${COMPREPLY[*]}"')
[ "$got" = toast ] || fail "completing 'riotoast to' gave '$got'"

step "the installed conformance suite against the installed programs"
(cd "$work" && python3 -m pytest -p rioconf -p no:cacheprovider -q -k "framing or client") \
  >"$work/suite.out" 2>&1 || { cat "$work/suite.out" >&2; fail "conformance suite"; }
tail -n 1 "$work/suite.out" >&2

step "tshark as nobody loads the plugin from the global folder"
# As nobody, with a home of its own: Wireshark running as root would
# ignore personal plugins, and the global folder is what the package fills.
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$work" "$@"; }
nobody tshark -G plugins >"$work/plugins.out" 2>&1 || fail "tshark -G plugins: $(cat "$work/plugins.out")"
grep -F "$plugin" "$work/plugins.out" >&2 || fail "tshark does not list $plugin: $(cat "$work/plugins.out")"
nobody tshark -r "$work/toaster-session.pcap" -Y rio -T fields -e rio.seq >"$work/decoded.out" 2>&1 \
  || fail "tshark -r: $(cat "$work/decoded.out")"
grep -qx 1 "$work/decoded.out" || fail "tshark decoded no RIO Sequence 1: $(head "$work/decoded.out")"
echo "in-debian: $(wc -l <"$work/decoded.out") RIO PDUs decoded" >&2
