#!/bin/sh
# tools/deps.sh -- make sure the Debian packages the build and the tests need
# are installed. As root they are installed with apt-get; otherwise the exact
# apt-get line is printed and the script fails, so `make` stops.
#
# Usage: tools/deps.sh build|test|demo ?TCL?
# TCL is the Tcl version built for, 8.6 (default) or 9.0 (Debian 13 has
# tcl9.0-dev; Debian 12 has no Tcl 9, see tools/tcl9.sh).

set -u
tcl=${2:-8.6}
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
[ "$tcl" = 8.6 ] && test="$test tcl-thread python3"
demo="$build openssl"

case "${1:-build}" in
    build) want=$build ;;
    test) want=$test ;;
    demo) want=$demo ;;
    *) echo "usage: $0 build|test|demo ?8.6|9.0?" >&2; exit 2 ;;
esac

missing=""
for pkg in $want; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)
    case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $pkg" ;;
    esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
    echo "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q $missing >/dev/null 2>&1 || {
	apt-get update -q >/dev/null && apt-get install -y -q $missing
    } || { echo "apt-get install failed:$missing" >&2; exit 1; }
    exit 0
fi
echo "missing Debian packages; run as root:" >&2
echo "    apt-get install -y$missing" >&2
exit 1
