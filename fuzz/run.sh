#!/bin/bash
# fuzz/run.sh -- builds the libFuzzer harnesses and runs each for a
# bounded time (make fuzz).
#
#   fuzz/run.sh ?harness ...?       default: server client x509 options
#
# Harnesses (sources in fuzz/, see each file's header):
#   server   bytes arriving at a tls::import -server channel
#   client   bytes arriving at a client channel (-require 0)
#   x509     DER certificates into TlsX509Dict
#   options  argument lists into TlsConfigParse, tls::import, tls::init
# Each is generic/*.c and unix/*.c compiled with clang -fsanitize=fuzzer,address,
# undefined, linked with libtcl8.6 and OpenSSL (no stubs), plus
# fuzz/fuzz_common.c (interpreter, in-memory channel, test certificate)
# and fuzz/tclalloc.c (Tcl's allocator routed to malloc, so ASan sees
# Tcl's blocks).
#
# Corpora: $OUT/seeds/<h> made fresh by fuzz/seeds.tcl from real
# conversations (tls, openssl s_client/s_server over loopback), the
# saved regressions tests/fuzz-regress/<h>, and $OUT/corpus/<h>, which
# keeps what the fuzzer found across runs.
#
# Environment: FUZZ_SECONDS per harness (default 60), FUZZ_JOBS
# parallel workers per harness (default 1), OUT (default build-fuzz),
# CC (default clang).
#
# A crash (sanitizer report, abort, timeout of 10 s, out of memory) is
# minimized and saved as tests/fuzz-regress/<h>/crash-<sha1>, which
# tests/fuzz.test then replays in the normal suite. Exit status: 1 if
# any harness crashed or could not be built, else 0.
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
top=$PWD
OUT=${OUT:-build-fuzz}
CC=${CC:-clang}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_JOBS=${FUZZ_JOBS:-1}
harnesses=${*:-server client x509 options}

die() {
    echo "fuzz/run.sh: $*" >&2
    exit 1
}

# ---- Tools --------------------------------------------------------------
fuzzerlib=$("$CC" -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null)
if ! command -v "$CC" >/dev/null 2>&1 || [ ! -f "$fuzzerlib" ]; then
    [ "$(id -u)" = 0 ] || die "need clang and libclang-rt-14-dev"
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install \
	-y -q clang libclang-rt-14-dev; } >/dev/null \
	|| die "cannot install clang"
fi
command -v openssl >/dev/null 2>&1 || die "need the openssl program"

# ---- Build ------------------------------------------------------------
TCL_CONFIG=$(ls /usr/lib/*-linux-gnu/tcl8.6/tclConfig.sh 2>/dev/null | head -1)
[ -n "$TCL_CONFIG" ] || die "no tclConfig.sh for Tcl 8.6 (apt-get install tcl8.6-dev)"
TCL_INC=$(. "$TCL_CONFIG" && eval echo "$TCL_INCLUDE_SPEC")
TCL_LIB=$(. "$TCL_CONFIG" && eval echo "$TCL_LIB_SPEC")
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
CFLAGS="-std=c99 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -g -O1 \
    -fno-omit-frame-pointer -Wall -Wextra -Wno-unused-parameter \
    -DPACKAGE_VERSION=\"fuzz\" -Igeneric -Ifuzz $TCL_INC \
    $(pkg-config --cflags openssl)"
LIBS="$TCL_LIB $(pkg-config --libs openssl)"

mkdir -p "$OUT/obj"
objs=""
for src in generic/*.c unix/*.c fuzz/fuzz_common.c fuzz/tclalloc.c; do
    obj=$OUT/obj/$(basename "${src%.c}").o
    if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] \
	    || [ -n "$(find generic fuzz -name '*.h' -newer "$obj")" ]; then
	$CC $CFLAGS $SAN -fsanitize=fuzzer-no-link -c "$src" -o "$obj" \
	    || die "cannot compile $src"
    fi
    objs="$objs $obj"
done
build() {	# build name source extra-cflags
    $CC $CFLAGS $SAN -fsanitize=fuzzer $3 -rdynamic -o "$OUT/fuzz-$1" \
	"$2" $objs $LIBS || die "cannot build fuzz-$1"
}
build server fuzz/fuzz_handshake.c -DFUZZ_SERVER=1
build client fuzz/fuzz_handshake.c -DFUZZ_SERVER=0
build x509 fuzz/fuzz_x509.c ""
build options fuzz/fuzz_options.c ""

# ---- Seeds ------------------------------------------------------------
make >/dev/null || die "cannot build the package for fuzz/seeds.tcl"
rm -rf "$OUT/seeds"
tclsh8.6 fuzz/seeds.tcl build "$OUT/seeds" > "$OUT/seeds.log" 2>&1 \
    || { cat "$OUT/seeds.log"; die "fuzz/seeds.tcl failed"; }

# ---- Run ----------------------------------------------------------------
# Leaks: libFuzzer's check after each input (-detect_leaks=1) would run
# LeakSanitizer after almost every input here, because Tcl grows pools
# and tables that stay reachable, and slow the handshake harnesses ten
# times. So that check is off and LeakSanitizer runs once, at exit: a
# block any input leaked is unreachable by then and fails the run.
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
summary=""
for h in $harnesses; do
    [ -x "$OUT/fuzz-$h" ] || die "no harness \"$h\""
    corpus=$OUT/corpus/$h
    crashes=$OUT/crashes/$h
    regress=tests/fuzz-regress/$h
    mkdir -p "$corpus" "$crashes" "$regress"
    log=$OUT/fuzz-$h.log
    echo "==== fuzz $h: $FUZZ_SECONDS s"
    (cd "$OUT" && "./fuzz-$h" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
	-rss_limit_mb=2560 -max_len=20000 -print_final_stats=1 -detect_leaks=0 \
	-jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS" \
	-artifact_prefix="$top/$crashes/" \
	"$top/$corpus" "$top/$OUT/seeds/$h" "$top/$regress") > "$log" 2>&1
    rc=$?
    [ "$FUZZ_JOBS" -gt 1 ] && cat "$OUT"/fuzz-*.log.* "$OUT"/fuzz-[0-9]*.log \
	>> "$log" 2>/dev/null
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" \
	| awk '{s += $1} END {print s + 0}')
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
    found=$(ls "$crashes" | grep -E '^(crash|leak|timeout|oom)-' || true)
    line="fuzz $h: $execs runs, ${cov:-cov: ?}, exit $rc"
    if [ -n "$found" ] || { [ "$rc" != 0 ] && [ "$FUZZ_JOBS" = 1 ]; }; then
	status=1
	line="$line, CRASH"
	for f in $found; do
	    min=$regress/$f
	    # Smallest input that still fails, kept as a regression case.
	    (cd "$OUT" && "./fuzz-$h" -minimize_crash=1 -runs=20000 \
		-exact_artifact_path="$top/$min" "$top/$crashes/$f") \
		> "$OUT/minimize-$h-$f.log" 2>&1
	    [ -f "$min" ] || cp "$crashes/$f" "$min"
	    line="$line; saved $min"
	    echo "---- $h: $f (reproduce: $OUT/fuzz-$h $min)"
	    grep -m1 -A30 -E 'ERROR|runtime error|fuzz:' "$log" | head -40
	    mv "$crashes/$f" "$crashes/reported-$f"
	done
	[ -z "$found" ] && tail -30 "$log"
    fi
    summary="$summary$line"$'\n'
    echo "$line"
done
echo "==== summary"
printf '%s' "$summary"
exit $status
