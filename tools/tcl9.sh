#!/bin/sh
# tools/tcl9.sh -- the Tcl 9 lane. Debian 12 ships Tcl 8.6 only, so this
# script keeps a Debian 13 (trixie) tree -- Tcl 9.0, OpenSSL 3.5, gcc 14 --
# made from Debian's archive with mmdebstrap, and builds and tests this
# source tree inside it with tclsh9.0. The host's apt sources and packages
# are left alone (only mmdebstrap itself is installed if missing).
#
# Usage (as root; "make test-tcl9" runs the last one):
#   tools/tcl9.sh tree          make the tree unless a current one exists
#   tools/tcl9.sh run CMD...    run CMD with sh -c inside the tree, in this
#                               source directory (bind-mounted at /mnt/src)
#   tools/tcl9.sh test          tree, then "make TCL=9.0 test" inside it;
#                               the exit status is that of the test run
#
# Environment:
#   TCL9_ROOT   where the tree lives (default /var/cache/tls-tcl9, outside
#               any clone, so later runs on the same machine reuse it)
#   TCL9_SUITE  Debian suite (default trixie); MIRROR the archive to use
#   TESTFLAGS   passed on to the test suite, as for "make test"
#
# The tree (about 400 MB) takes 1-2 minutes to make, mostly downloading.
# It is remade when the package list below changes (a stamp file in the
# tree records what it was made with). Concurrent runs take a lock.
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

set -eu

ROOT=${TCL9_ROOT:-/var/cache/tls-tcl9}
SUITE=${TCL9_SUITE:-trixie}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
# What "make TCL=9.0 test" needs (tools/deps.sh lists the same for 9.0),
# plus ca-certificates so the system CA store exists as on a real machine.
PACKAGES="make gcc libc6-dev pkg-config tcl9.0 tcl9.0-dev libssl-dev
openssl tcllib procps ca-certificates"
STAMP=etc/tls-tcl9.stamp
SRC=$(cd "$(dirname "$0")/.." && pwd)

die() {
    echo "tools/tcl9.sh: $*" >&2
    exit 1
}

# The stamp names the suite and the sorted package list.
stamp_text() {
    echo "suite $SUITE"
    # shellcheck disable=SC2086
    printf '%s\n' $PACKAGES | sort
}

tree_is_current() {
    [ -x "$ROOT/usr/bin/tclsh9.0" ] && [ -f "$ROOT/$STAMP" ] &&
	stamp_text | cmp -s - "$ROOT/$STAMP"
}

# make_tree -- (re)creates $ROOT. Builds into $ROOT.new and renames it,
# so an interrupted run never leaves a half-made tree that looks usable.
make_tree() {
    if [ -e "$ROOT" ] && [ ! -f "$ROOT/$STAMP" ]; then
	# Not made by this script: refuse to delete someone's directory.
	if [ -n "$(ls -A "$ROOT" 2>/dev/null)" ]; then
	    die "$ROOT exists and was not made by this script; remove it or set TCL9_ROOT"
	fi
    fi
    if ! command -v mmdebstrap >/dev/null 2>&1; then
	echo "tools/tcl9.sh: installing mmdebstrap on the host"
	apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends mmdebstrap >/dev/null
    fi
    new=$ROOT.new
    rm -rf "$new"
    mkdir -p "$(dirname "$ROOT")"
    # shellcheck disable=SC2086
    include=$(echo $PACKAGES | tr ' ' ,)
    echo "tools/tcl9.sh: making the Debian $SUITE tree in $ROOT (1-2 minutes)"
    # Debian's tree has no localhost entry in /etc/hosts; the tests need one.
    mmdebstrap --quiet --variant=apt --include="$include" \
	--customize-hook='printf "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" > "$1/etc/hosts"' \
	--customize-hook='mkdir -p "$1/mnt/src"' \
	"$SUITE" "$new" "$MIRROR"
    stamp_text > "$new/$STAMP"
    rm -rf "$ROOT"
    mv "$new" "$ROOT"
}

# tree -- makes sure a current tree exists, under a lock so that two runs
# on one machine do not build (or delete) it at the same time.
tree() {
    [ "$(id -u)" = 0 ] || die "must run as root (mmdebstrap, chroot)"
    mkdir -p "$(dirname "$ROOT")"
    exec 9>"$ROOT.lock"
    flock 9
    if tree_is_current; then
	echo "tools/tcl9.sh: reusing the tree in $ROOT"
    else
	make_tree
    fi
    flock -u 9
    exec 9>&-
}

# run CMD -- runs CMD (a shell command line) inside the tree, in /mnt/src,
# which is this source directory bind-mounted. The mounts are made in a
# private mount namespace, so they vanish when CMD ends, whatever happens.
run() {
    [ "$(id -u)" = 0 ] || die "must run as root (chroot)"
    [ -x "$ROOT/usr/bin/tclsh9.0" ] || die "no tree in $ROOT; run: $0 tree"
    TCL9_ROOT_DIR=$ROOT TCL9_SRC=$SRC TCL9_CMD=$* \
    unshare --mount --propagation private sh -c '
	set -e
	mount --bind "$TCL9_SRC" "$TCL9_ROOT_DIR/mnt/src"
	mount -t proc proc "$TCL9_ROOT_DIR/proc"
	# A clean environment, plus the test settings that were given.
	set -- HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
	for var in TESTFLAGS TLS_TEST_TIMEOUT; do
	    eval "val=\${$var:-}"
	    [ -z "$val" ] || set -- "$@" "$var=$val"
	done
	exec chroot "$TCL9_ROOT_DIR" /usr/bin/env -i "$@" \
	    sh -c "cd /mnt/src && $TCL9_CMD"
    '
}

case ${1:-} in
    tree)
	tree
	;;
    run)
	shift
	[ $# -gt 0 ] || die "run: no command"
	run "$@"
	;;
    test)
	tree
	run 'echo "Tcl $(echo "puts [info patchlevel]" | tclsh9.0), $(openssl version)" &&
	     make TCL=9.0 test'
	;;
    *)
	sed -n '2,24p' "$0" >&2
	exit 2
	;;
esac
