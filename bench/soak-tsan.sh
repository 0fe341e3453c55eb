#!/bin/sh
# soak-tsan.sh --
#
#	Runs tests/threads.test and tests/multicore.test (or the test files
#	given as arguments) with the extension built with ThreadSanitizer,
#	into /tmp/tsan-build:
#
#	    bench/soak-tsan.sh [threads.test ...]
#
#	multicore.test runs examples/threadpool-server.tcl as a child
#	tclsh, which inherits the preloaded runtime, TLS_BUILD_DIR and
#	TSAN_OPTIONS: its reports land with the others.
#
#	Tcl itself is not instrumented, so TSan sees only our code and the
#	calls Tcl makes into the intercepted libc (mutexes, malloc). Reports
#	about Tcl's own mutexes are suppressed: Tcl_MutexLock creates a
#	mutex lazily, and TSan takes a first lock of it in another thread
#	(e.g. in Tcl_ServiceEvent) for a race with its creation.
#	Meant for threads.test: the other files run Python and openssl
#	children, which must not get the TSan runtime preloaded.
#	Reports go to /tmp/tsan-report.<pid>; the script prints a summary
#	and exits 1 if there is any.
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

set -e
cd "$(dirname "$0")/.."
build=${TSAN_BUILD:-/tmp/tsan-build}
lib=$(gcc -print-file-name=libtsan.so)
[ -e "$lib" ] || { echo "no libtsan (apt-get install libtsan2)" >&2; exit 2; }
lib=$(readlink -f "$lib")
make BUILD="$build" EXTRA_CFLAGS="-fsanitize=thread -O1 -g" \
    EXTRA_LDFLAGS=-fsanitize=thread >/dev/null
supp=$(mktemp /tmp/tsan-supp.XXXXXX)
# CRYPTO_THREAD_lock_free: OpenSSL's atexit cleanup destroys its global
# locks while a Thread-package worker that has just ended may still be in
# OpenSSL's thread-exit cleanup (examples/threadpool-server.tcl in
# multicore.test, 2 runs in 3 after its workers were released with -wait);
# exit-time teardown of OpenSSL, not a race of ours.
# CRYPTO_THREAD_lock_free: at process exit OpenSSL's atexit cleanup
# destroys its global locks, which a Thread-package worker used last in
# its thread exit handler (ThreadStop, generic/tlsEvents.c) before
# "thread::release -wait" returned; ThreadSanitizer sees no order between
# the two through that wait (examples/threadpool-server.tcl in
# multicore.test, 1 run in 3). Exit-time teardown, reported only there.
printf 'race:Tcl_ServiceEvent\nrace:Tcl_MutexLock\nrace:CRYPTO_THREAD_lock_free\n' > "$supp"
rm -f /tmp/tsan-report.*
[ $# -gt 0 ] || set -- threads.test multicore.test
status=0
for file in "$@"; do
    echo "== $file under ThreadSanitizer"
    out=$(mktemp /tmp/tsan-out.XXXXXX)
    if ! TSAN_OPTIONS="halt_on_error=0 exitcode=0 report_signal_unsafe=0 suppressions=$supp log_path=/tmp/tsan-report" \
	    LD_PRELOAD="$lib" TLS_BUILD_DIR="$build" \
	    tclsh8.6 tests/all.tcl -file "$file" >"$out" 2>&1; then
	status=1
	grep -E 'FAILED|Result was' -A2 "$out" | head -n 40
    fi
    tail -n 1 "$out"
    rm -f "$out"
done
rm -f "$supp"
reports=$(cat /tmp/tsan-report.* 2>/dev/null | grep -c '^WARNING: ThreadSanitizer' || true)
echo "ThreadSanitizer reports: $reports"
if [ "$reports" -gt 0 ]; then
    grep -h -A3 '^WARNING: ThreadSanitizer' /tmp/tsan-report.* | head -n 40
    status=1
fi
exit $status
