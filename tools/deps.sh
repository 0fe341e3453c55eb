#!/bin/sh
# tools/deps.sh -- the Debian packages the build, the demo and the tests
# need: checks that they are installed, and installs them if asked.
#
# Usage: tools/deps.sh check|install build|test|demo ?TCL?
#   check     prints the exact apt-get line and fails if a package is
#             missing; never installs anything. On a system without dpkg
#             (not Debian) it checks nothing and succeeds.
#   install   as root, installs what is missing with apt-get; otherwise
#             as check.
# TCL is the Tcl version built for, 8.6 (default) or 9.0 (Debian 13 has
# tcl9.0-dev; Debian 12 has no Tcl 9, see tools/tcl9.sh).
#
# Without config.mk the Makefile runs "install" for make test, make demo
# and make deps, and "check" for every other target; after ./configure it
# runs this script only for "make deps".
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

set -u
case ${1:-} in
    check|install) mode=$1 ;;
    *) echo "usage: $0 check|install build|test|demo ?8.6|9.0?" >&2; exit 2 ;;
esac
tcl=${3:-8.6}
case $tcl in
    8.6|9.0) ;;
    *) echo "tools/deps.sh: no Debian packages known for Tcl '$tcl'" >&2; exit 2 ;;
esac
build="make gcc pkg-config tcl$tcl tcl$tcl-dev libssl-dev"
test="$build openssl tcllib procps nginx strace"
# servers.test runs nginx (its service is never started: the tests start
# their own nginx on a loopback port with a throwaway config);
# reentry.test traces a client with strace (no reverse DNS lookup).
# threads.test needs the Thread package, the hostile-peer tests python3;
# both skip themselves where missing (the Tcl 9 tree has neither).
# credentials.test and examples.test mount zip archives with tclvfs
# (tcl-vfs) made by the zip program in the 8.6 lane; Tcl 9 has zipfs.
[ "$tcl" = 8.6 ] && test="$test tcl-thread python3 tcl-vfs zip"
demo="$build openssl"

case ${2:-} in
    build) want=$build ;;
    test) want=$test ;;
    demo) want=$demo ;;
    *) echo "usage: $0 check|install build|test|demo ?8.6|9.0?" >&2; exit 2 ;;
esac

command -v dpkg-query >/dev/null 2>&1 || exit 0

missing=""
for pkg in $want; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)
    case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $pkg" ;;
    esac
done
[ -z "$missing" ] && exit 0

if [ "$mode" = install ] && [ "$(id -u)" = 0 ]; then
    echo "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q $missing >/dev/null 2>&1 || {
	apt-get update -q >/dev/null && apt-get install -y -q $missing
    } || { echo "apt-get install failed:$missing" >&2; exit 1; }
    exit 0
fi
echo "missing Debian packages; as root, run:" >&2
echo "    apt-get install -y$missing" >&2
if [ "$mode" = check ]; then
    echo "(\"make deps\", \"make test\" and \"make demo\" install them when run as root;" >&2
    echo "./configure builds without this check)" >&2
fi
exit 1
