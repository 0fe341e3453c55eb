#!/bin/bash
# tools/valgrind.sh -- the test suite under valgrind memcheck
# (make check-valgrind).
#
#   tools/valgrind.sh ?all.tcl option ...?  e.g. tools/valgrind.sh -file options.test
#
# Every tclsh of the run is under memcheck: tests/all.tcl itself and,
# through --trace-children=yes, each test file's child and any tclsh a
# test starts with [info nameofexecutable]. For that the suite is
# started through $BUILD/bin/tclsh8.6, a symbolic link to the real
# tclsh outside /usr: [info nameofexecutable] is that link. Programs
# under /usr, /bin and /sbin (openssl, mktemp, kill, timeout, sh, ...)
# are not traced: their own leaks are not ours, and under memcheck with
# --error-exitcode=99 they would exit with status 99 and fail the tests.
# A tclsh started through one of them (http-demo.1 runs "exec timeout
# 120 tclsh demo.tcl") is therefore not checked here; tools/asan.sh
# covers it.
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

# fuzz/tclalloc.c is preloaded (LD_PRELOAD=$BUILD/tclalloc.so): it
# sends Tcl's ckalloc to malloc, so that memcheck sees each block Tcl
# allocates for us instead of Tcl's pooled chunks (see that file).
#
# Each process writes its own log ($logdir/vg.PID). The run fails if
# any log has an error (invalid read/write, uninitialised value, bad
# free, ...) or definitely/indirectly lost bytes: memcheck counts those
# leaks as errors (--errors-for-leak-kinds=definite,indirect) and exits
# with status 99. Suppressions: tools/valgrind.supp, each one explained.
#
# Which tests: the whole suite (about 20 minutes on 2 cores; the plain
# suite takes 1.5). Under memcheck each process runs 20-50 times slower, so the per-file time limit is raised to
# 3600 s (TLS_TEST_TIMEOUT) and tests that measure time can fail for
# that reason alone; such failures are reported but do not fail this
# script unless VALGRIND_STRICT_TESTS=1 (memcheck errors always do).
#
# Exit status: 1 if any of our processes had a memcheck error or leak,
# or a test file crashed; with VALGRIND_STRICT_TESTS=1 also when a test
# failed or a file timed out; else 0.
# Environment: BUILD (default build-valgrind), TCLSH (default tclsh8.6),
# VALGRIND_KEEP_LOGS=1 keeps the logs (their directory is printed).

set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
top=$PWD
BUILD=${BUILD:-build-valgrind}
TCLSH=${TCLSH:-tclsh8.6}

die() {
    echo "valgrind.sh: $*" >&2
    exit 1
}

command -v valgrind >/dev/null 2>&1 || {
    [ "$(id -u)" = 0 ] || die "valgrind is not installed"
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q valgrind; } >/dev/null \
	|| die "cannot install valgrind"
}

# ---- Build: plain objects, optimised lightly for readable stacks -----
make BUILD="$BUILD" OPT="-O1 -g -fno-omit-frame-pointer" >/dev/null \
    || die "build failed (run the make command above by hand to see why)"
gcc -O1 -g -fPIC -shared -o "$BUILD/tclalloc.so" fuzz/tclalloc.c \
    || die "cannot build $BUILD/tclalloc.so"
realtclsh=$(command -v "$TCLSH") || die "no $TCLSH"
mkdir -p "$BUILD/bin"
ln -sf "$(readlink -f "$realtclsh")" "$BUILD/bin/$(basename "$TCLSH")"

logdir=$(mktemp -d /tmp/tls-valgrind.XXXXXXXX) || die "mktemp failed"
export LD_PRELOAD=$top/$BUILD/tclalloc.so
export TLS_TEST_TIMEOUT=${TLS_TEST_TIMEOUT:-3600}

echo "valgrind.sh: suite under memcheck, logs in $logdir"
TLS_BUILD_DIR=$top/$BUILD valgrind --tool=memcheck --leak-check=full \
    --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
    --suppressions="$top/tools/valgrind.supp" --num-callers=40 \
    --trace-children=yes --trace-children-skip='/usr/*,/bin/*,/sbin/*' \
    --child-silent-after-fork=yes --log-file="$logdir/vg.%p" \
    "$top/$BUILD/bin/$(basename "$TCLSH")" tests/all.tcl "$@" 2>&1 \
    | tee "$BUILD/valgrind-suite.log"
suite=${PIPESTATUS[0]}
unset LD_PRELOAD

# ---- Verdict ----------------------------------------------------------
# A log of one of our tclsh processes counts when its ERROR SUMMARY is
# not 0 (leaks of the kinds above are errors too). Logs of processes
# that went on to exec another program hold no summary and are skipped.
bad=0
procs=0
others=0
ours="$top/$BUILD/bin/$(basename "$TCLSH")"
for log in "$logdir"/vg.*; do
    [ -e "$log" ] || continue
    grep -q 'ERROR SUMMARY' "$log" || continue
    if ! grep -m1 'Command:' "$log" | grep -qF "Command: $ours "; then
	others=$((others + 1))
	continue
    fi
    procs=$((procs + 1))
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$log" \
	| tail -1 | tr -d ,)
    definite=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log" \
	| tail -1 | tr -d ,)
    indirect=$(sed -n 's/.*indirectly lost: \([0-9,]*\) bytes.*/\1/p' "$log" \
	| tail -1 | tr -d ,)
    if [ "${errors:-0}" != 0 ]; then
	bad=$((bad + 1))
	echo "======== memcheck: $(basename "$log"):" \
	    "$(grep -m1 'Command:' "$log" | sed 's/.*Command: //')"
	cat "$log"
    fi
    echo "valgrind.sh: $(basename "$log"): ${errors:-0} errors," \
	"definitely lost ${definite:-0} B, indirectly lost ${indirect:-0} B:" \
	"$(grep -m1 'Command:' "$log" | sed 's/.*Command: //' | cut -c1-100)" \
	>> "$logdir/summary.txt"
done
cat "$logdir/summary.txt" 2>/dev/null
echo "valgrind.sh: $procs tclsh processes checked, $bad with errors or" \
    "leaks ($others runs of other programs not counted);" \
    "test suite exit status $suite"

status=0
[ "$bad" -gt 0 ] && status=1
if ! grep -qE '^[0-9]+ passed, [0-9]+ failed' "$BUILD/valgrind-suite.log"; then
    echo "valgrind.sh: FAILED: the suite did not finish"
    status=1
fi
[ "$procs" -eq 0 ] && { echo "valgrind.sh: no process was checked"; status=1; }
grep -E '^(Files with failing tests|Test file failed): ' \
    "$BUILD/valgrind-suite.log"
if grep -qE '^Test file failed: .*: crashed' "$BUILD/valgrind-suite.log"; then
    echo "valgrind.sh: FAILED: a test file crashed"
    status=1
elif [ "$suite" != 0 ] && [ "${VALGRIND_STRICT_TESTS:-0}" = 1 ]; then
    status=1
fi
if [ "$status" != 0 ] || [ "${VALGRIND_KEEP_LOGS:-0}" = 1 ]; then
    echo "valgrind.sh: logs kept in $logdir"
else
    rm -rf "$logdir"
fi
exit $status
