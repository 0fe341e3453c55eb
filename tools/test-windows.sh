#!/bin/sh
# tools/test-windows.sh -- the Windows test lane ("make test-windows"):
# cross-builds tls180.dll with mingw-w64 against the Tcl 8.6 and OpenSSL
# of tools/win.sh's cache, and runs the tcltest suite (tests/all.tcl)
# under Wine with that cache's tclsh86.exe, its openssl.exe on the
# Windows PATH, on 127.0.0.1.
#
# Usage:
#   tools/test-windows.sh ?tcltest-option ...?
#     e.g. tools/test-windows.sh -file channel.test -verbose e
#   (make test-windows TESTFLAGS="..." passes TESTFLAGS here)
#
# The build goes into build-test-windows/ of this source tree, with its
# own settings file build-test-windows/config.mk written by
# "./configure --config-mk": a config.mk of the checkout (for instance
# one for a Linux build) is neither read nor changed, nor is build/.
# The exit status is that of tests/all.tcl (0: nothing failed), or 1 if
# a step before it failed, or 124 if the whole run exceeded its limit.
#
# Environment:
#   TLSWIN_ROOT        the cache (tools/win.sh; default /var/cache/tls-win)
#   TLS_WIN_TIMEOUT    limit in seconds for the whole suite (default 3600)
#   TLS_TEST_TIMEOUT   limit per test file, as for "make test" (default
#                      here 900 s: under Wine a file takes several times
#                      as long as on Linux)
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=build-test-windows
HOST=x86_64-w64-mingw32

die() {
    echo "tools/test-windows.sh: $*" >&2
    exit 1
}

cd "$SRC"

# 1. The toolchain: Tcl, OpenSSL and a Wine prefix (made once, cached).
tools/win.sh tree
env_text=$(tools/win.sh env 2>/dev/null) || die "tools/win.sh env failed"
eval "$env_text"

# 2. Settings for the Windows build, in the build directory. Rewritten
# only when they change, so that an unchanged tree is not relinked.
mkdir -p "$BUILD"
./configure --host=$HOST --with-tcl="$TLSWIN_ROOT/tcl/lib" \
    --with-openssl-dir="$WIN_OPENSSL_DIR" \
    --config-mk="$BUILD/config.mk.tmp" >"$BUILD/configure.log" 2>&1 || {
    cat "$BUILD/configure.log" >&2
    die "configure failed"
}
if cmp -s "$BUILD/config.mk.tmp" "$BUILD/config.mk"; then
    rm -f "$BUILD/config.mk.tmp"
else
    mv "$BUILD/config.mk.tmp" "$BUILD/config.mk"
fi

# 3. The DLL, pkgIndex.tcl and tls.tcl. BUILD on the command line wins
# over the one configure wrote. Run from "make test-windows", make would
# pass on the command-line settings of that make (MAKEFLAGS), meant for
# a build for this machine: not here.
MAKEFLAGS= MFLAGS= make --no-print-directory CONFIG_MK="$BUILD/config.mk" \
    BUILD="$BUILD"

# 4. The suite under Wine. Wine maps drive Z: to /, so Z: plus the Unix
# path names every file; WINEPATH is prepended to the Windows PATH, where
# tests and pki.tcl find openssl.exe.
PATH=$(dirname "$WINE"):$PATH
export PATH
winpath() {
    printf 'Z:%s' "$1" | tr / '\\'
}
TLS_BUILD_DIR=$(winpath "$SRC/$BUILD")
WINEPATH=$(winpath "$WIN_OPENSSL_DIR/bin")
export TLS_BUILD_DIR WINEPATH
# Tcllib is pure Tcl: Debian's copy serves the Windows tclsh too
# (tcllib.test's clients), when it is installed.
TCLLIBPATH=
for dir in /usr/share/tcltk/tcllib*; do
    [ -d "$dir" ] && TCLLIBPATH="$TCLLIBPATH Z:$dir"
done
export TCLLIBPATH
printf '%s\n' "Wine: $("$WINE" --version), tclsh: $WIN_TCLSH, openssl: $WINEPATH\\openssl.exe"
TLS_TEST_TIMEOUT=${TLS_TEST_TIMEOUT:-900}
export TLS_TEST_TIMEOUT
status=0
timeout --kill-after=30 "${TLS_WIN_TIMEOUT:-3600}" \
    "$WINE" "$WIN_TCLSH" "$(winpath "$SRC/tests/all.tcl")" "$@" || status=$?
[ "$status" -ne 124 ] ||
    echo "tools/test-windows.sh: the suite did not finish within ${TLS_WIN_TIMEOUT:-3600} s" >&2
exit "$status"
