#!/bin/sh
# debian-base.sh DIR [SUITE] — make (once) a clean Debian tarball for the
# package test: DIR/SUITE.tar, the minimal "apt" variant (Essential + apt),
# with its package lists kept so `apt-get install ./*.deb` resolves Depends
# without another update.  The mirrors are this machine's own apt sources
# (apt-get indextargets), so no host name is written here.  Reused when
# present: delete the tarball to make a new one.  Needs root and mmdebstrap.
set -eu
dir=$1
suite=${2:-bookworm}
tar=$dir/$suite.tar
[ -s "$tar" ] && exit 0
mkdir -p "$dir"
# Two test runs at once make it once: the second waits, then finds it.
exec 9>"$dir/$suite.lock"
flock 9
[ -s "$tar" ] && exit 0

# One "deb URI SUITE COMPONENT" line per configured Debian index of that
# suite (bookworm, bookworm-updates, bookworm-security).
sources=$(apt-get indextargets --format '$(TARGET_OF) $(REPO_URI) $(RELEASE) $(COMPONENT)' \
            'Identifier: Packages' | awk -v s="$suite" '$1 == "deb" && ($3 == s || index($3, s "-") == 1)' | sort -u)
if [ -z "$sources" ]; then
  echo "debian-base: no apt source for $suite on this machine (apt-get indextargets)" >&2
  exit 2
fi

echo "debian-base: making $tar from:" >&2
echo "$sources" | sed 's/^/  /' >&2
# Written to a temporary name first: an interrupted run leaves no tarball
# that looks complete.
printf '%s\n' "$sources" | mmdebstrap --quiet --mode=root --variant=apt --format=tar \
  --skip=cleanup/apt/lists "$suite" "$tar.part" -
mv "$tar.part" "$tar"
