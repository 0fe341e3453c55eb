#!/bin/sh
# tools/win.sh -- the Windows lane's toolchain. Debian 12 has mingw-w64 and
# Wine but no Windows builds of Tcl or OpenSSL, so this script makes them
# from Debian's own source packages and keeps them in a cache outside the
# clone: OpenSSL as static libraries (libssl.a, libcrypto.a) plus
# openssl.exe, Tcl 8.6 (tcl86t.dll, tclsh86t.exe, libtclstub86.a,
# tclConfig.sh, the script library) and a 64-bit Wine prefix, checked by
# running Tcl (tcltest, a loopback socket) and openssl.exe under Wine.
#
# Usage:
#   tools/win.sh tree          make the cache unless a current one exists
#   tools/win.sh env           tree, then print assignments (NAME=value
#                              lines and an "export" line, valid for both
#                              sh's eval and make's include):
#                              TLSWIN_ROOT, WIN_CC, WIN_TCL_CONFIG,
#                              WIN_TCLSH, WIN_OPENSSL_DIR, WINEPREFIX, WINE,
#                              WINEARCH, WINEDEBUG
#   tools/win.sh run CMD...    tree, then run CMD with sh -c in the current
#                              directory, with those variables exported and
#                              wine64 and wineserver on PATH
# The progress lines of "tree" go to stderr for env and run.
#
# Environment:
#   TLSWIN_ROOT  the cache (default /var/cache/tls-win, outside any clone,
#                so later runs on the same machine reuse it)
#
# As root, missing Debian packages are installed (mingw-w64, wine64, make,
# perl, dpkg-dev, xz-utils, tcl8.6 for the tclsh the Tcl install runs), and
# a deb-src entry for the archive in /etc/apt/sources.list.d/debian.sources
# is added as /etc/apt/sources.list.d/tls-win-src.sources. Otherwise the
# commands to run as root are printed and the script fails. The Wine prefix
# belongs to the user who made the cache: run env and run as that user.
#
# The cache ($TLSWIN_ROOT, about 60 MB):
#   openssl/   include/, lib/libssl.a, lib/libcrypto.a, bin/openssl.exe,
#              ssl/openssl.cnf
#   tcl/       bin/tclsh86t.exe, bin/tcl86t.dll, bin/zlib1.dll,
#              lib/libtclstub86.a, lib/tclConfig.sh, lib/tcl8.6 (init.tcl
#              ...), lib/tcl8/8.5/tcltest-*.tm, include/tcl.h ...
#   wine/      the Wine prefix (WINEARCH=win64)
#   src/       the Debian source packages it was built from
#   checks/    the Tcl scripts run under Wine to check the result
#   logs/      one log per step; versions.txt what was built, with what
# Made from an empty cache in about 13 minutes on 2 cores (OpenSSL takes
# most of it; apt-get install of the packages adds about 1 minute), from a
# warm one in well under a second. It is remade when the recipe below
# changes (a stamp file records it). Each step prints one line with its
# time; a failed step prints the last 40 lines of its log. The build goes
# into $TLSWIN_ROOT.new, renamed when everything passed, so an interrupted
# run never leaves a half-made cache that looks usable. Concurrent runs
# take a lock; "run" holds it shared so no rebuild removes the cache under
# a running command.

set -eu

ROOT=${TLSWIN_ROOT:-/var/cache/tls-win}
HOST=x86_64-w64-mingw32
PACKAGES="gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 wine64 make perl
dpkg-dev xz-utils tcl8.6"
# The recipe: change RECIPE when a build step changes in a way the options
# below do not show, so that existing caches are remade.
RECIPE=1
# As Debian's own libssl, less what a TLS library needs from none of it
# (legacy provider, idea, mdc2, rc5, zlib, SSLv3, the CryptoAPI engine).
OPENSSL_OPTIONS="no-shared no-tests no-legacy no-idea no-mdc2 no-rc5 no-zlib
no-ssl3 no-ssl3-method no-capieng"
TCL_OPTIONS="--enable-threads --enable-64bit"
STAMP=tls-win.stamp
SRC_LIST=/etc/apt/sources.list.d/tls-win-src.sources
SELF=$0

die() {
    echo "tools/win.sh: $*" >&2
    exit 1
}

case $ROOT in
    /*) ;;
    *) die "TLSWIN_ROOT must be an absolute path: $ROOT" ;;
esac

# The stamp names everything the cache was made from that this script
# decides; what Debian supplied (source versions) goes to versions.txt.
stamp_text() {
    echo "recipe $RECIPE"
    echo "host $HOST"
    # shellcheck disable=SC2086
    echo "openssl" $OPENSSL_OPTIONS
    # shellcheck disable=SC2086
    echo "tcl" $TCL_OPTIONS
    # shellcheck disable=SC2086
    printf '%s\n' $PACKAGES | sort
}

# wine_bin NAME -- the path of Wine's NAME (wine64, wineserver). Debian 12
# keeps them in /usr/lib/wine, not on PATH.
wine_bin() {
    if [ -x "/usr/lib/wine/$1" ]; then
	echo "/usr/lib/wine/$1"
    elif command -v "$1" >/dev/null 2>&1; then
	command -v "$1"
    else
	die "no $1 (Debian package wine64)"
    fi
}

tclsh_exe() {
    for f in "$1"/tcl/bin/tclsh86*.exe; do
	[ -f "$f" ] && { echo "$f"; return 0; }
    done
    return 1
}

tree_is_current() {
    [ -f "$ROOT/$STAMP" ] && stamp_text | cmp -s - "$ROOT/$STAMP" &&
	[ -f "$ROOT/openssl/lib/libssl.a" ] &&
	[ -f "$ROOT/openssl/bin/openssl.exe" ] &&
	[ -f "$ROOT/tcl/lib/tclConfig.sh" ] && tclsh_exe "$ROOT" >/dev/null &&
	[ -d "$ROOT/wine/drive_c" ]
}

# step NAME FUNCTION -- runs FUNCTION with its output in $LOGS/NAME.log and
# prints one line with the time it took (and what FUNCTION left in $NOTE);
# on failure, the end of the log. The subshell keeps "set -e" in force
# inside FUNCTION (an "if" or "||" around it would switch it off), and
# closes the lock's descriptor so that a wineserver left running does not
# hold the lock.
step() {
    log=$LOGS/$1.log
    rm -f "$LOGS/note"
    t0=$(date +%s)
    set +e
    ( set -e; "$2" ) >"$log" 2>&1 </dev/null 9>&-
    rc=$?
    set -e
    t=$(( $(date +%s) - t0 ))
    if [ "$rc" != 0 ]; then
	echo "tools/win.sh: step $1 failed after ${t}s; the end of $log:" >&2
	tail -n 40 "$log" | sed 's/^/    /' >&2
	exit 1
    fi
    note=$(cat "$LOGS/note" 2>/dev/null || :)
    rm -f "$LOGS/note"
    printf 'tools/win.sh: %-9s %4ss  %s\n' "$1" "$t" "$note"
    echo "step $1 ${t}s" >>"$LOGS/times"
}

note() {
    echo "$*" >"$LOGS/note"
}

# --- packages -----------------------------------------------------------

missing_packages() {
    missing=""
    # shellcheck disable=SC2086
    for pkg in $PACKAGES; do
	case $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) in
	    *"install ok installed"*) ;;
	    *) missing="$missing $pkg" ;;
	esac
    done
    echo "$missing"
}

apt_updated=no
apt_update() {
    [ "$apt_updated" = yes ] && return 0
    apt-get update -q
    apt_updated=yes
}

do_packages() {
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $MISSING || {
	apt_update
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $MISSING
    }
    note "installed$MISSING"
}

# packages -- installs what is missing (as root) or says how to.
packages() {
    MISSING=$(missing_packages)
    [ -z "$MISSING" ] && return 0
    if [ "$(id -u)" != 0 ]; then
	echo "tools/win.sh: missing Debian packages; run as root:" >&2
	echo "    apt-get install -y --no-install-recommends$MISSING" >&2
	exit 1
    fi
    step packages do_packages
}

# --- Debian source packages ---------------------------------------------

# deb_src_stanzas -- the deb822 stanzas of Debian's own sources file with
# "Types: deb" turned into deb-src: same URIs, Suites, Components and
# Signed-By (a key given inline, on continuation lines, is kept whole).
deb_src_stanzas() {
    awk '
	function flush() {
	    if (isdeb && body != "") {
		printf "%sTypes: deb-src\n%s", sep, body
		sep = "\n"
	    }
	    isdeb = 0; body = ""; keep = 0
	}
	/^#/ { next }
	/^[ \t]*$/ { flush(); next }
	/^[ \t]/ { if (keep) body = body $0 "\n"; next }
	{
	    field = tolower($1); keep = 0
	    if (field == "types:") {
		for (i = 2; i <= NF; i++) if ($i == "deb") isdeb = 1
	    } else if (field ~ /^(uris|suites|components|signed-by|enabled):$/) {
		keep = 1; body = body $0 "\n"
	    }
	}
	END { flush() }
    ' /etc/apt/sources.list.d/debian.sources
}

have_sources() {
    apt-cache showsrc tcl8.6 2>/dev/null | grep -q '^Package: tcl8.6$' &&
	apt-cache showsrc openssl 2>/dev/null | grep -q '^Package: openssl$'
}

# deb_src -- makes "apt-get source" work: adds the deb-src entry and
# updates the package lists once, unless source records are there already.
deb_src() {
    have_sources && return 0
    [ -f /etc/apt/sources.list.d/debian.sources ] ||
	die "no source records for tcl8.6/openssl and no /etc/apt/sources.list.d/debian.sources to derive a deb-src entry from; add one for Debian's archive and run apt-get update"
    text=$(deb_src_stanzas)
    [ -n "$text" ] || die "no \"Types: deb\" entry in /etc/apt/sources.list.d/debian.sources"
    if [ "$(id -u)" != 0 ]; then
	{
	    echo "tools/win.sh: apt has no source records; as root, write $SRC_LIST:"
	    echo "$text" | sed 's/^/    /'
	    echo "and run: apt-get update"
	} >&2
	exit 1
    fi
    if ! printf '%s\n' "$text" | cmp -s - "$SRC_LIST"; then
	printf '%s\n' "$text" >"$SRC_LIST"
    fi
    apt_update
    have_sources || die "still no source records after adding $SRC_LIST"
}

# newest_first V... -- prints the Debian versions given, newest first.
newest_first() {
    rest="$*"
    while [ -n "$rest" ]; do
	best=""
	for v in $rest; do
	    if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then
		best=$v
	    fi
	done
	echo "$best"
	next=""
	for v in $rest; do
	    [ "$v" = "$best" ] || next="$next $v"
	done
	rest=$next
    done
}

# fetch PKG -- "apt-get source PKG" into $NEW/build/PKG (the unpacked,
# patched tree) and $NEW/src (the files as downloaded), and prints the
# version fetched (all else goes to stderr, the log). When the newest
# version cannot be had (a mirror may list a security update whose files
# it does not hold yet), the next older one is taken.
fetch() {
    exec 3>&1 1>&2
    pkg=$1
    # shellcheck disable=SC2046
    for v in $(newest_first $(apt-cache showsrc "$pkg" |
			      sed -n 's/^Version: //p' | sort -u)); do
	dl=$NEW/build/dl
	rm -rf "$dl"
	mkdir -p "$dl"
	# apt downloads as its own user where it can write.
	if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then
	    chown _apt "$dl"
	fi
	echo "== apt-get source $pkg=$v"
	if (cd "$dl" && apt-get source -q "$pkg=$v"); then
	    dir=$(find "$dl" -mindepth 1 -maxdepth 1 -type d)
	    [ -n "$dir" ] || die "apt-get source $pkg=$v unpacked nothing"
	    mv "$dir" "$NEW/build/$pkg"
	    mv "$dl"/* "$NEW/src/"
	    rmdir "$dl"
	    echo "$pkg-source $v" >>"$NEW/versions.txt"
	    echo "$v" >&3
	    return 0
	fi
	echo "== $pkg=$v could not be fetched; trying an older version"
    done
    return 1
}

do_sources() {
    mkdir -p "$NEW/src" "$NEW/build"
    ov=$(fetch openssl)
    tv=$(fetch tcl8.6)
    note "openssl $ov, tcl8.6 $tv"
}

# --- OpenSSL --------------------------------------------------------------

do_openssl() {
    cd "$NEW/build/openssl"
    opts=$OPENSSL_OPTIONS
    # no-docs exists from OpenSSL 3.2 on; before it, build_sw and
    # install_sw below leave the documentation out anyway.
    if grep -q '^ *"docs",' Configure; then
	opts="$opts no-docs"
    fi
    # shellcheck disable=SC2086
    ./Configure mingw64 --cross-compile-prefix=$HOST- \
	--prefix="$ROOT/openssl" --openssldir="$ROOT/openssl/ssl" \
	--libdir=lib $opts
    make -j2 build_sw
    make install_sw install_ssldirs DESTDIR="$NEW/dest"
    mv "$NEW/dest$ROOT/openssl" "$NEW/openssl"
    v=$(sed -n 's/^# *define OPENSSL_FULL_VERSION_STR "\(.*\)"/\1/p' \
	"$NEW/openssl/include/openssl/opensslv.h")
    echo "openssl $v" >>"$NEW/versions.txt"
    note "OpenSSL $v: $(cd "$NEW/openssl" && echo lib/*.a bin/*.exe)"
}

# --- Tcl ------------------------------------------------------------------

do_tcl() {
    cd "$NEW/build/tcl8.6/win"
    # shellcheck disable=SC2086
    ./configure --host=$HOST $TCL_OPTIONS --prefix="$ROOT/tcl"
    make -j2 TCL_EXE=tclsh8.6
    # TCL_EXE: a tclsh of the build machine, which the install runs.
    make install INSTALL_ROOT="$NEW/dest" TCL_EXE=tclsh8.6
    mv "$NEW/dest$ROOT/tcl" "$NEW/tcl"
    # The install makes $prefix/lib without INSTALL_ROOT, i.e. an empty
    # $ROOT/tcl/lib in the real cache's place: remove what is empty.
    rmdir "$ROOT/tcl/lib" "$ROOT/tcl" "$ROOT" 2>/dev/null || :
    exe=$(tclsh_exe "$NEW") || die "no tclsh86*.exe installed"
    echo "tclsh $(basename "$exe")" >>"$NEW/versions.txt"
    v=$(. "$NEW/tcl/lib/tclConfig.sh" && echo "$TCL_VERSION$TCL_PATCH_LEVEL")
    note "Tcl $v: $(cd "$NEW/tcl" && echo bin/*.exe bin/*.dll lib/*.a)"
}

# --- Wine -----------------------------------------------------------------

wine_env() {
    export WINEPREFIX="$1/wine" WINEARCH=win64 WINEDEBUG=-all
}

do_wine() {
    wine_env "$NEW"
    "$WINE" --version
    # No Mono or Gecko: they would be downloaded, and nothing needs them.
    WINEDLLOVERRIDES="mscoree=;mshtml=" timeout 300 "$WINE" wineboot -i
    timeout 120 "$WINESERVER" -w
    [ -d "$WINEPREFIX/drive_c/windows" ] || die "wineboot made no prefix"
    note "$("$WINE" --version), prefix wine/"
}

# The scripts run under Wine. Paths given to tclsh are Unix paths, which
# Windows reads on the current drive: Wine's Z:, the whole file system.
write_checks() {
    mkdir -p "$NEW/checks"
    cat >"$NEW/checks/basic.tcl" <<'EOF'
# Tcl under Wine: version, platform, threads, tcltest.
puts "patchlevel [info patchlevel]"
puts "platform $tcl_platform(platform)"
puts "os $tcl_platform(os) $tcl_platform(osVersion) $tcl_platform(machine)"
puts "threaded [expr {[info exists tcl_platform(threaded)] && $tcl_platform(threaded)}]"
puts "tcltest [package require tcltest]"
puts "library [info library]"
EOF
    cat >"$NEW/checks/socket.tcl" <<'EOF'
# Winsock under Wine: a server socket on 127.0.0.1, a client connecting
# to it, one line each way, all through the event loop.
proc accept {chan addr port} {
    fconfigure $chan -buffering line -blocking 0
    fileevent $chan readable [list echo $chan]
}
proc echo {chan} {
    if {[gets $chan line] >= 0} {
	puts $chan "echo $line"
	close $chan
    } elseif {[eof $chan]} {
	close $chan
    }
}
proc reply {chan} {
    if {[gets $chan line] >= 0} {
	set ::result $line
    } elseif {[eof $chan]} {
	set ::result eof
    }
}
set server [socket -server accept -myaddr 127.0.0.1 0]
set port [lindex [fconfigure $server -sockname] 2]
set client [socket 127.0.0.1 $port]
fconfigure $client -buffering line -blocking 0
fileevent $client readable [list reply $client]
puts $client "hello $port"
set timer [after 20000 {set ::result timeout}]
vwait ::result
after cancel $timer
close $client
close $server
puts "socket $::result"
exit [expr {$::result ne "echo hello $port"}]
EOF
}

# wine_run LABEL CMD... -- runs CMD, bounded in time, into the log and
# into $LOGS/LABEL.out.
wine_run() {
    label=$1
    shift
    echo "== $*"
    timeout 120 "$@" >"$LOGS/$label.out" 2>&1 || {
	cat "$LOGS/$label.out"
	die "$label failed under Wine"
    }
    cat "$LOGS/$label.out"
}

do_check() {
    wine_env "$NEW"
    write_checks
    tclsh=$(tclsh_exe "$NEW")
    wine_run basic "$WINE" "$tclsh" "$NEW/checks/basic.tcl"
    out=$(tr -d '\r' <"$LOGS/basic.out")
    echo "$out" | grep -qx 'platform windows' ||
	die "tclsh under Wine does not report platform windows"
    echo "$out" | grep -q '^tcltest [0-9]' || die "tcltest did not load"
    wine_run openssl "$WINE" "$NEW/openssl/bin/openssl.exe" version
    wine_run socket "$WINE" "$tclsh" "$NEW/checks/socket.tcl"
    timeout 120 "$WINESERVER" -w
    tclv=$(echo "$out" | sed -n 's/^patchlevel //p')
    sslv=$(tr -d '\r' <"$LOGS/openssl.out")
    {
	echo "tcl-under-wine $tclv"
	echo "openssl-under-wine $sslv"
	echo "mingw $($HOST-gcc -dumpversion)"
	echo "wine $("$WINE" --version)"
    } >>"$NEW/versions.txt"
    note "Tcl $tclv windows, tcltest, socket, $sslv"
}

# --- the cache ------------------------------------------------------------

# make_tree -- (re)creates $ROOT. Builds into $ROOT.new and renames it,
# so an interrupted run never leaves a half-made cache that looks usable.
make_tree() {
    if [ -e "$ROOT" ] && [ ! -f "$ROOT/$STAMP" ]; then
	# Not made by this script: refuse to delete files that may be
	# someone's (empty directories are what an interrupted Tcl install
	# leaves, see do_tcl).
	if [ -n "$(find "$ROOT" ! -type d 2>/dev/null | head -n 1)" ]; then
	    die "$ROOT exists and was not made by this script; remove it or set TLSWIN_ROOT"
	fi
    fi
    NEW=$ROOT.new
    LOGS=$NEW/logs
    rm -rf "$NEW"
    mkdir -p "$LOGS"
    : >"$NEW/versions.txt"
    packages
    deb_src
    WINE=$(wine_bin wine64)
    WINESERVER=$(wine_bin wineserver)
    echo "tools/win.sh: making the cache in $ROOT (about 15 minutes;" \
	"logs in $LOGS)"
    t0=$(date +%s)
    step sources do_sources
    step openssl do_openssl
    step tcl do_tcl
    step wine do_wine
    step check do_check
    rm -rf "$NEW/build" "$NEW/dest"
    echo "total $(( $(date +%s) - t0 ))s" >>"$LOGS/times"
    stamp_text >"$NEW/$STAMP"
    rm -rf "$ROOT"
    mv "$NEW" "$ROOT"
    echo "tools/win.sh: made $ROOT in $(( $(date +%s) - t0 ))s"
}

lock_file() {
    { : >>"$ROOT.lock"; } 2>/dev/null ||
	die "cannot write $ROOT.lock (run as root, or set TLSWIN_ROOT)"
}

# tree -- makes sure a current cache exists, under a lock so that two runs
# on one machine do not build (or delete) it at the same time.
tree() {
    mkdir -p "$(dirname "$ROOT")"
    lock_file
    exec 9>"$ROOT.lock"
    flock 9
    if tree_is_current; then
	LOGS=$ROOT/logs
	packages
	echo "tools/win.sh: reusing the cache in $ROOT"
    else
	make_tree
    fi
    flock -u 9
    exec 9>&-
}

# sh_value V -- V as a word for both sh and make: bare when it is only
# safe characters, else in single quotes (then make sees the quotes too).
sh_value() {
    case $1 in
	*[!A-Za-z0-9_./:+,=-]*|'') printf "'%s'" "$(printf '%s' "$1" |
						  sed "s/'/'\\\\''/g")" ;;
	*) printf '%s' "$1" ;;
    esac
}

env_lines() {
    tclsh=$(tclsh_exe "$ROOT") || die "no tclsh86*.exe in $ROOT/tcl/bin"
    for pair in "TLSWIN_ROOT=$ROOT" "WIN_CC=$HOST-gcc" \
	"WIN_TCL_CONFIG=$ROOT/tcl/lib/tclConfig.sh" "WIN_TCLSH=$tclsh" \
	"WIN_OPENSSL_DIR=$ROOT/openssl" "WINEPREFIX=$ROOT/wine" \
	"WINE=$(wine_bin wine64)" "WINEARCH=win64" "WINEDEBUG=-all"; do
	echo "${pair%%=*}=$(sh_value "${pair#*=}")"
    done
    echo "export TLSWIN_ROOT WIN_CC WIN_TCL_CONFIG WIN_TCLSH WIN_OPENSSL_DIR WINEPREFIX WINE WINEARCH WINEDEBUG"
}

# run CMD -- runs CMD (a shell command line) with the environment above,
# holding the lock shared so that no "tree" replaces the cache meanwhile.
run() {
    lock_file
    exec 9>"$ROOT.lock"
    flock -s 9
    tree_is_current || die "the cache in $ROOT changed; run again"
    lines=$(env_lines)
    eval "$lines"
    PATH=$(dirname "$WINE"):$(dirname "$(wine_bin wineserver)"):$PATH
    export PATH
    set +e
    sh -c "$*" 9>&-
    rc=$?
    set -e
    flock -u 9
    exit "$rc"
}

case ${1:-} in
    tree)
	tree
	;;
    env)
	tree >&2
	env_lines
	;;
    run)
	shift
	[ $# -gt 0 ] || die "run: no command"
	tree >&2
	run "$@"
	;;
    *)
	sed -n '2,52p' "$SELF" >&2
	exit 2
	;;
esac
