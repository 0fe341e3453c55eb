# common.tcl --
#
#	Shared set-up for every tls test file. Each .test file starts with
#
#	    source [file join [file dirname [info script]] common.tcl]
#
#	and ends with [cleanupTests]. This file:
#	  - loads tcltest and imports its commands (test, testConstraint,
#	    cleanupTests, ...) into the global namespace;
#	  - puts $env(TLS_BUILD_DIR) first on auto_path, does
#	    [package require tls], and exits 1 unless the shared library that
#	    got loaded lives inside $env(TLS_BUILD_DIR) (so an installed
#	    tcl-tls can never be tested by mistake);
#	  - defines the constraints "opensslCli" (the openssl program runs)
#	    and "ipv6" (a socket can be bound to ::1);
#	  - defines the helpers below and an exit handler that stops the
#	    openssl processes they started and removes their temporary files.
#
#	Helpers (all in namespace tlstest):
#
#	  pki ?file?              directory of this process's test PKI (made
#	                          on first use, see pki.tcl), or the path of
#	                          one file in it (error if it does not exist)
#	  tempDir                 a fresh empty directory, removed at exit
#	  openFds                 number of open descriptors (Linux), or ""
#	  waitFor varName ?ms?    vwait for the next write to varName (global,
#	                          namespace, array element or a local upvar
#	                          alias) for at most ms (default 10000;
#	                          times $slowdown); returns the new value,
#	                          or sets the variable to "timeout" and
#	                          returns "timeout"
#	  port sock               the port a (server) socket is bound to
#	  freePort ?addr?         a port that was free a moment ago on addr
#	                          (default 127.0.0.1); only for external
#	                          programs, Tcl servers should listen on port 0
#	  readUntil chan re ?ms?  read a non-blocking channel until regexp re
#	                          (-line mode) matches; see the proc
#	  opensslServer ?-myaddr addr? ?s_server-arg ...?
#	                          start "openssl s_server", wait for ACCEPT,
#	                          return a dict {pid chan port output}
#	  opensslClient port ?s_client-arg ...?
#	                          start "openssl s_client -connect
#	                          127.0.0.1:port", return a dict {pid chan port}
#	  opensslStop handle      stop a process started by the two above,
#	                          return its unread output
#	  send chan data          write data to a child's stdin and wait
#	                          until it is out (see the proc: Windows)
#	  idleCommand secs        command of a process that idles secs s
#	  execBounded ms cmd      [exec {*}cmd 2>@1], but the process is
#	                          killed after ms milliseconds (errorCode
#	                          {TLSTEST TIMEOUT})
#	  StartProcess cmd ?dir?  start cmd as a pipe (see the proc)
#	  haveOpenssl             1 if the openssl program runs, else 0
#	  opensslVersion lib|cli  major.minor of the OpenSSL library tls uses
#	                          (lib) or of the openssl program (cli), e.g.
#	                          3.0 or 3.5; 0 if unknown
#	  makePki dir             (pki.tcl) generate a PKI into dir
#	  $tlstest::tlsLibrary    the shared library tls was loaded from
#
#	Constraints: opensslCli, opensslIdleStdin (s_server and s_client
#	work with an idle stdin pipe: not on Windows), ipv6, notRoot (not
#	uid 0), procfs (Linux's /proc/self/fd), and for behaviour that differs
#	between OpenSSL versions (Debian 12 has 3.0, Debian 13 has 3.5):
#	openssl35 (library and program are 3.5 or newer: hybrid post-quantum
#	groups such as X25519MLKEM768 exist and are the default);
#	sanitizer / noSanitizer (AddressSanitizer or valgrind is loaded,
#	tools/asan.sh and tools/valgrind.sh: they keep freed memory in
#	quarantine, so bounds on the resident size mean nothing there).
#
#	For development of the test infrastructure only, TLS_TEST_NOPKG=1
#	skips loading the tls package (and the check of TLS_BUILD_DIR), so
#	pki.test can run before the extension builds. Never set it in the
#	Makefile.
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

if {[info exists ::tlstest::commonLoaded]} {
    return
}

package require Tcl 8.6-
package require tcltest 2.5
namespace import -force ::tcltest::*

namespace eval tlstest {
    variable commonLoaded 1
    variable testDir [file dirname [file normalize [info script]]]
    variable pkiDir ""          ;# set once the PKI exists
    variable pkiError ""        ;# message if making the PKI failed
    variable tempDirs {}        ;# directories to remove at exit
    variable procs              ;# array chan -> pid, started processes
    array set procs {}
    variable buf                ;# array chan -> read but unconsumed data
    array set buf {}
    variable eof                ;# array chan -> 1 once EOF was seen
    array set eof {}
    variable waitSeq 0          ;# counter for waitFor's private variables
    variable wait               ;# array id -> state, see waitFor
    array set wait {}
    variable tlsLibrary ""      ;# file the tls package was loaded from
}

source [file join $::tlstest::testDir platform.tcl]
source [file join $::tlstest::testDir pki.tcl]

# Line-buffered output, so that all.tcl shows progress and a crash loses
# nothing already reported.
fconfigure stdout -buffering line

# tlstest::Fatal --
#
#	Reports a set-up problem on stderr and exits with status 1, so that
#	all.tcl counts the whole file as failed.

proc tlstest::Fatal {msg} {
    puts stderr "[file tail $::argv0]: $msg"
    exit 1
}

# tlstest::Cleanup --
#
#	Exit handler: kills the processes started by opensslServer and
#	opensslClient that are still running (only those PIDs) and removes
#	the temporary directories. Safe to call more than once.

proc tlstest::Cleanup {} {
    variable procs
    variable tempDirs
    foreach chan [array names procs] {
	catch {opensslStop [dict create chan $chan pid $procs($chan)]}
    }
    foreach dir $tempDirs {
	catch {file delete -force -- $dir}
    }
    set tempDirs {}
}

# Route every exit, including the implicit one at the end of the script
# (tclsh's main loop calls the [exit] command), through Cleanup.
if {[info commands ::tlstest::RealExit] eq ""} {
    rename ::exit ::tlstest::RealExit
    proc ::exit {{status 0}} {
	catch {::tlstest::Cleanup}
	::tlstest::RealExit $status
    }
}

# tlstest::LoadTls --
#
#	Loads the tls package from $env(TLS_BUILD_DIR) and checks that the
#	shared library really came from there. Exits the process (via Fatal)
#	on any problem.

proc tlstest::LoadTls {} {
    global env auto_path
    variable tlsLibrary
    if {![info exists env(TLS_BUILD_DIR)] || $env(TLS_BUILD_DIR) eq ""} {
	Fatal "TLS_BUILD_DIR is not set; run the tests with \"make test\""
    }
    set dir [file normalize $env(TLS_BUILD_DIR)]
    if {![file isdirectory $dir]} {
	Fatal "TLS_BUILD_DIR \"$dir\" is not a directory"
    }
    if {![file exists [file join $dir pkgIndex.tcl]]} {
	Fatal "no pkgIndex.tcl in TLS_BUILD_DIR \"$dir\"; build first"
    }
    set auto_path [linsert $auto_path 0 $dir]
    if {[catch {package require tls} msg]} {
	Fatal "package require tls failed: $msg"
    }
    set files {}
    foreach entry [info loaded] {
	lassign $entry file prefix
	if {[string equal -nocase $prefix tls]} {
	    lappend files $file
	}
    }
    set file [file normalize [lindex $files 0]]
    if {[llength $files] != 1
	    || [string first $dir/ $file] != 0} {
	Fatal "tls $msg was not loaded from TLS_BUILD_DIR \"$dir\"\
	    (info loaded: [info loaded]); is another tls package installed?"
    }
    set tlsLibrary $file
}

if {!([info exists ::env(TLS_TEST_NOPKG)] && $::env(TLS_TEST_NOPKG))} {
    tlstest::LoadTls
}

# tlstest::MakeTempDir --
#
#	Creates a new private directory (mode 0700 on Unix, unique name,
#	see newDir in platform.tcl) and registers it for removal at exit. It
#	goes under $env(TLS_TEST_TMPDIR) when all.tcl set that (all.tcl
#	removes the whole tree at the end, even if this process was killed),
#	else under the system's temporary directory (tempRoot).

proc tlstest::MakeTempDir {tag} {
    variable tempDirs
    set parent [tempRoot]
    if {[info exists ::env(TLS_TEST_TMPDIR)]
	    && [file isdirectory $::env(TLS_TEST_TMPDIR)]} {
	set parent $::env(TLS_TEST_TMPDIR)
    }
    set dir [newDir $parent $tag]
    lappend tempDirs $dir
    return $dir
}

# tlstest::tempDir --
#
#	Returns a fresh, empty scratch directory, removed at exit. Use it to
#	copy PKI files a test wants to modify: the PKI itself is shared by
#	all tests of the process and must be treated as read-only.

proc tlstest::tempDir {} {
    return [MakeTempDir scratch]
}

# tlstest::pki --
#
#	Returns the directory holding this process's test PKI, or with an
#	argument the full path of that file in it. The PKI is the one
#	all.tcl made for the whole run ($env(TLS_TEST_PKI)), or else is
#	generated on the first call (about a second); a failure is
#	remembered and raised again by later calls instead of retrying.

proc tlstest::pki {{file ""}} {
    variable pkiDir
    variable pkiError
    if {$pkiDir eq ""} {
	if {$pkiError ne ""} {
	    return -code error -errorcode {TLSTEST PKI} $pkiError
	}
	if {[info exists ::env(TLS_TEST_PKI)]
		&& [file isdirectory $::env(TLS_TEST_PKI)]} {
	    # Made once by all.tcl for every file of the run.
	    set pkiDir [file normalize $::env(TLS_TEST_PKI)]
	    return [pki $file]
	}
	set dir [MakeTempDir pki]
	if {[catch {makePki $dir} msg]} {
	    set pkiError "generating the test PKI failed: $msg"
	    return -code error -errorcode {TLSTEST PKI} $pkiError
	}
	set pkiDir $dir
    }
    if {$file eq ""} {
	return $pkiDir
    }
    set path [file join $pkiDir $file]
    if {![file exists $path]} {
	return -code error -errorcode {TLSTEST PKI} \
	    "no file \"$file\" in the test PKI"
    }
    return $path
}

# tlstest::openFds --
#
#	The number of file descriptors this process has open, from Linux's
#	/proc/self/fd (constraint procfs); "" where that cannot be told
#	(Windows: no Tcl command counts a process's handles), so that two
#	counts compare equal there and a leak check that compares a
#	snapshot rests on its other parts ([chan names]) alone.

proc tlstest::openFds {} {
    if {![testConstraint procfs]} {
	return ""
    }
    return [llength [glob -nocomplain -directory /proc/self/fd *]]
}

# tlstest::waitFor --
#
#	Enters the event loop until the variable varName of the caller (a
#	global, namespace variable or array element, or a local that is an
#	upvar alias of one, since event handlers run at global level) is
#	written, but for at most ms milliseconds. Like vwait, it waits for the next write, even
#	if the variable already has a value. Returns the new value; on
#	timeout sets the variable to "timeout" and returns "timeout".
#	It waits on a private variable that a write trace on varName sets,
#	because vwait only accepts global names.

proc tlstest::waitFor {varName {ms 10000}} {
    variable slowdown
    variable waitSeq
    variable wait
    upvar 1 $varName target
    set id [incr waitSeq]
    set wait($id) waiting
    set trace [list ::tlstest::WaitWake $id]
    trace add variable target write $trace
    set timer [after [expr {$ms * $slowdown}] \
	[list set ::tlstest::wait($id) timeout]]
    try {
	vwait ::tlstest::wait($id)
    } finally {
	after cancel $timer
	trace remove variable target write $trace
	set how $wait($id)
	unset wait($id)
    }
    if {$how eq "timeout"} {
	set target timeout
	return timeout
    }
    return $target
}

# tlstest::WaitWake --
#
#	Write trace installed by waitFor: ends the wait with id.

proc tlstest::WaitWake {id args} {
    variable wait
    set wait($id) written
}

# tlstest::port --
#
#	Returns the local port of a socket, typically a server socket opened
#	with [socket -server cmd -myaddr 127.0.0.1 0].

proc tlstest::port {sock} {
    return [lindex [fconfigure $sock -sockname] 2]
}

# tlstest::freePort --
#
#	Returns a TCP port on addr that was free a moment ago, by binding a
#	server socket to port 0 and closing it. Only for external programs
#	that cannot report an ephemeral port (openssl s_server); another
#	process may take the port meanwhile, so callers must retry.

proc tlstest::freePort {{addr 127.0.0.1}} {
    set sock [socket -server [list ::tlstest::RefuseConn] -myaddr $addr 0]
    set port [port $sock]
    close $sock
    return $port
}

# tlstest::RefuseConn --
#
#	Accept handler of the throw-away server socket of freePort.

proc tlstest::RefuseConn {chan args} {
    close $chan
}

# tlstest::haveOpenssl --
#
#	Returns 1 if the openssl command-line program exists and runs.

proc tlstest::haveOpenssl {} {
    if {[auto_execok openssl] eq ""} {
	return 0
    }
    return [expr {![catch {exec openssl version 2>@1}]}]
}

# tlstest::haveIpv6 --
#
#	Returns 1 if a server socket can be bound to ::1.

proc tlstest::haveIpv6 {} {
    if {[catch {socket -server [list ::tlstest::RefuseConn] -myaddr ::1 0} \
	    sock]} {
	return 0
    }
    close $sock
    return 1
}

# tlstest::readUntil --
#
#	Reads from the non-blocking channel chan (e.g. the chan of an
#	opensslServer/opensslClient dict) until the regular expression re
#	matches the data read so far. The match is in -line mode, so ^ and $
#	match at line boundaries, and only complete lines are searched
#	(until end of file): a program may write a line in pieces (openssl
#	on Windows does), and $ must not match at the end of half of it.
#	Returns the data up to the end of the match; data after it stays
#	buffered for the next readUntil or opensslStop. Gives up after ms
#	milliseconds (default 10000; times $slowdown, see platform.tcl)
#	with an error whose errorCode is {TLSTEST TIMEOUT}, or at end of
#	file with {TLSTEST EOF}; both messages show the data read.

proc tlstest::readUntil {chan re {ms 10000}} {
    variable buf
    variable eof
    variable slowdown
    set deadline [expr {[clock milliseconds] + $ms * $slowdown}]
    while 1 {
	ReadAvailable $chan
	set text $buf($chan)
	if {![info exists eof($chan)]} {
	    set text [string range $text 0 [string last \n $text]]
	}
	if {[regexp -line -indices -- $re $text match]} {
	    set end [lindex $match 1]
	    set data [string range $buf($chan) 0 $end]
	    set buf($chan) [string range $buf($chan) $end+1 end]
	    return $data
	}
	if {[info exists eof($chan)]} {
	    return -code error -errorcode {TLSTEST EOF} \
		"end of file before /$re/ on $chan; read:\n$buf($chan)"
	}
	set left [expr {$deadline - [clock milliseconds]}]
	if {$left <= 0} {
	    return -code error -errorcode {TLSTEST TIMEOUT} \
		"no /$re/ within $ms ms on $chan; read:\n$buf($chan)"
	}
	AwaitReadable $chan $left
    }
}

# tlstest::ReadAvailable --
#
#	Appends whatever the non-blocking channel chan has now to buf(chan),
#	and notes end of file.

proc tlstest::ReadAvailable {chan} {
    variable buf
    variable eof
    if {![info exists buf($chan)]} {
	set buf($chan) ""
    }
    if {[info exists eof($chan)]} {
	return
    }
    append buf($chan) [read $chan]
    if {[eof $chan]} {
	set eof($chan) 1
    }
}

# tlstest::StartProcess --
#
#	Starts the command cmd (a list) as a read-write pipe with stderr
#	merged into stdout, non-blocking and unbuffered, in the current
#	directory or the directory dir if given, and records its
#	PID for opensslStop and the exit handler. Where util-linux setpriv
#	exists, the process is asked to die with SIGKILL when this process
#	dies (setpriv execs the command, so the PID stays the same): a test
#	process killed by all.tcl's timeout leaves no server behind.
#	The pipe passes bytes (pipeBytes: on Windows CR LF is read as LF).
#	Returns a dict {pid chan}.

proc tlstest::StartProcess {cmd {dir ""}} {
    variable procs
    variable buf
    if {[auto_execok setpriv] ne ""} {
	set cmd [list setpriv --pdeathsig KILL {*}$cmd]
    }
    # A child inherits the working directory: change it around the
    # start (the tests run single-threaded).
    set here [pwd]
    if {$dir ne ""} {
	cd $dir
    }
    try {
	set chan [startRetry {open |[list {*}$cmd 2>@1] r+}]
    } finally {
	cd $here
    }
    fconfigure $chan -blocking 0 -buffering none
    pipeBytes $chan
    set pid [lindex [pid $chan] 0]
    set procs($chan) $pid
    set buf($chan) ""
    return [dict create pid $pid chan $chan]
}

# tlstest::idleCommand --
#
#	A command (list) for a process that does nothing for secs seconds
#	and exits: sleep(1) on Unix; on Windows, which has no sleep, this
#	tclsh running a script (in a directory removed at exit).

proc tlstest::idleCommand {secs} {
    variable windows
    variable idleScript
    if {!$windows} {
	return [list sleep $secs]
    }
    if {![info exists idleScript]} {
	set idleScript [file join [MakeTempDir idle] idle.tcl]
	set fd [open $idleScript w]
	puts $fd {after [expr {int([lindex $argv 0] * 1000)}]}
	close $fd
    }
    return [list [info nameofexecutable] $idleScript $secs]
}

# tlstest::AwaitReadable --
#
#	Runs the event loop until chan is readable, for at most ms
#	milliseconds of the clock (a limit already stretched by $slowdown,
#	which waitFor would stretch again).

proc tlstest::AwaitReadable {chan ms} {
    variable slowdown
    fileevent $chan readable [list set ::tlstest::readable($chan) 1]
    waitFor ::tlstest::readable($chan) [expr {max(1, $ms / $slowdown)}]
    fileevent $chan readable {}
    unset -nocomplain ::tlstest::readable($chan)
}

# tlstest::execBounded --
#
#	Like [exec {*}cmd 2>@1]: runs cmd, returns its output (stdout and
#	stderr merged, text, one trailing newline removed) or raises the
#	error exec would raise for a failing exit status (errorCode
#	CHILDSTATUS ...). But it waits in the event loop, at most ms
#	milliseconds: then it kills the process (that PID only), and raises
#	an error with errorCode {TLSTEST TIMEOUT} and the output so far.
#	Portable replacement of "exec timeout SECONDS cmd".

proc tlstest::execBounded {ms cmd} {
    set chan [open |[list {*}$cmd 2>@1] r]
    fconfigure $chan -blocking 0
    set out ""
    set deadline [expr {[clock milliseconds] + $ms}]
    while 1 {
	append out [read $chan]
	if {[eof $chan]} {
	    break
	}
	set left [expr {$deadline - [clock milliseconds]}]
	if {$left <= 0} {
	    foreach pid [pid $chan] {
		catch {killPid $pid}
	    }
	    catch {close $chan}
	    return -code error -errorcode {TLSTEST TIMEOUT} \
		"[lindex $cmd 0] did not end within $ms ms; output:\n$out"
	}
	AwaitReadable $chan $left
    }
    fconfigure $chan -blocking 1
    if {[string index $out end] eq "\n"} {
	set out [string range $out 0 end-1]
    }
    if {[catch {close $chan} msg opts]} {
	# Only a failing exit status counts, not output on stderr (which
	# is merged into out anyway).
	if {[lindex [dict get $opts -errorcode] 0] ne "NONE"} {
	    return -code error -errorcode [dict get $opts -errorcode] \
		"$out\n$msg"
	}
    }
    return $out
}

# tlstest::send --
#
#	Writes data (bytes; no newline is added) to chan, typically the
#	stdin of a process of StartProcess, and returns once all of it is
#	handed to the system, even on a non-blocking channel. Tcl on
#	Windows gives a non-blocking pipe write to a writer thread, and a
#	second write while that one is in flight is queued for the event
#	loop: "puts" of a line writes the text and the newline separately,
#	so a child would see no newline until this process enters the
#	event loop again, and a test that blocks next (a blocking gets on
#	a socket) would wait forever. Seen with Tcl 8.6.13 under Wine, with
#	plain sockets and without tls loaded.

proc tlstest::send {chan data} {
    set blocking [fconfigure $chan -blocking]
    fconfigure $chan -blocking 1
    try {
	puts -nonewline $chan $data
	flush $chan
    } finally {
	fconfigure $chan -blocking $blocking
    }
}

# tlstest::opensslServer --
#
#	Starts "openssl s_server -accept addr:port" with the given s_server
#	arguments on a free port, and waits (at most 10 s) until it prints
#	ACCEPT. addr is 127.0.0.1 unless the first arguments are
#	"-myaddr addr" (e.g. -myaddr ::1). Unless the arguments name a
#	certificate (-cert or -nocert), it serves server.pem + server.key and
#	sends int.pem as chain. If the port was taken meanwhile, it retries
#	on another port, three attempts in all. Returns a dict with keys
#	pid, chan (non-blocking, for readUntil and puts), port and output
#	(what s_server printed up to ACCEPT). Stop it with opensslStop.

proc tlstest::opensslServer {args} {
    set addr 127.0.0.1
    if {[lindex $args 0] eq "-myaddr"} {
	set addr [lindex $args 1]
	set args [lrange $args 2 end]
    }
    if {"-cert" ni $args && "-nocert" ni $args} {
	lappend args -cert [pki server.pem] -key [pki server.key] \
	    -cert_chain [pki int.pem]
    }
    set host [expr {[string match *:* $addr] ? "\[$addr\]" : $addr}]
    set tries 0
    while 1 {
	incr tries
	set port [freePort $addr]
	set handle [StartProcess \
	    [list openssl s_server -accept $host:$port {*}$args]]
	set chan [dict get $handle chan]
	if {![catch {readUntil $chan {^ACCEPT$}} output opts]} {
	    return [dict merge $handle [dict create port $port output $output]]
	}
	opensslStop $handle
	# Retry only if s_server exited because the port was taken.
	if {$tries >= 3 || [dict get $opts -errorcode] ne {TLSTEST EOF}
		|| ![regexp -nocase {in use|bind} $output]} {
	    break
	}
    }
    return -code error -errorcode {TLSTEST OPENSSL} \
	"openssl s_server did not start ($tries tries):\
	openssl s_server -accept $host:$port $args\n$output"
}

# tlstest::opensslClient --
#
#	Starts "openssl s_client -connect 127.0.0.1:port" with the given
#	s_client arguments and returns at once a dict {pid chan port}; chan
#	is non-blocking. port may also be a full host:port such as
#	"\[::1\]:4433". Use readUntil to wait for output (e.g. "CONNECTED"
#	or "Verify return code"), and opensslStop to end it.

proc tlstest::opensslClient {port args} {
    set target $port
    if {[string is integer -strict $port]} {
	set target 127.0.0.1:$port
    }
    set handle [StartProcess \
	[list openssl s_client -connect $target {*}$args]]
    return [dict merge $handle [dict create port $port]]
}

# tlstest::opensslStop --
#
#	Stops a process started by opensslServer or opensslClient: kills
#	that PID (and no other) with SIGKILL (taskkill /F on Windows),
#	closes its pipe and reaps it.
#	Returns the output it had printed that was not consumed by
#	readUntil, as far as it was available without waiting. Stopping a
#	process twice is harmless.

proc tlstest::opensslStop {handle} {
    variable procs
    variable buf
    variable eof
    set chan [dict get $handle chan]
    if {![info exists procs($chan)]} {
	return ""
    }
    set pid $procs($chan)
    unset procs($chan)
    catch {ReadAvailable $chan}
    set output $buf($chan)
    unset -nocomplain buf($chan) eof($chan)
    catch {killPid $pid}
    catch {fileevent $chan readable {}}
    catch {fconfigure $chan -blocking 1}
    catch {close $chan}
    return $output
}

# tlstest::opensslVersion --
#
#	Returns major.minor of the OpenSSL library the tls package is linked
#	with ("lib", from tls::version) or of the openssl program ("cli"),
#	or 0 if it cannot be told. Compare with [package vsatisfies].

proc tlstest::opensslVersion {which} {
    if {$which eq "lib"} {
	set failed [catch {tls::version} text]
    } else {
	set failed [catch {exec openssl version 2>@1} text]
    }
    if {!$failed && [regexp {OpenSSL (\d+)\.(\d+)} $text -> major minor]} {
	return $major.$minor
    }
    return 0
}

# tlstest::sanitized --
#	1 if AddressSanitizer or valgrind (or the allocator shim both
#	preload) is mapped into this process.
proc tlstest::sanitized {} {
    variable windows
    if {$windows || [catch {
	set f [open /proc/self/maps r]
	set maps [read $f]
	close $f
    }]} {
	return 0
    }
    regexp {libasan|vgpreload|tclalloc} $maps
}

testConstraint opensslCli [tlstest::haveOpenssl]
# openssl s_server and s_client (but for s_server -rev, -www, -WWW and
# -HTTP, which never read stdin) keep serving their socket while their
# stdin, our pipe, is idle. Not on Windows: there has_stdin_waiting() in
# OpenSSL's apps/lib/apps.c takes a stdin that is not a console as always
# ready, and the program blocks in ReadFile on the pipe until we write a
# line (openssl/openssl pull request 32634; Windows, not Wine).
testConstraint opensslIdleStdin [expr {!$::tlstest::windows}]
# Off under Wine only, for a test that Wine cannot carry though Windows
# could; the test's comment says what Wine does differently.
testConstraint wineLimit [expr {!$::tlstest::wine}]
# Root (uid 0 on Unix) reads any file whatever its mode and may bind
# privileged ports, so tests of those refusals need another user.
testConstraint notRoot [expr {![tlstest::isRoot]}]
# Linux's /proc/self (descriptor counts, memory maps, status). Under Wine
# the host's /proc shows through drive Z:, but it describes the Wine
# process, not what Windows offers: so Unix only.
testConstraint procfs [expr {!$::tlstest::windows
    && [file isdirectory /proc/self/fd]}]
testConstraint ipv6 [tlstest::haveIpv6]
testConstraint sanitizer [tlstest::sanitized]
testConstraint noSanitizer [expr {![testConstraint sanitizer]}]
testConstraint openssl35 [expr {
    [package vsatisfies [tlstest::opensslVersion lib] 3.5-]
    && [package vsatisfies [tlstest::opensslVersion cli] 3.5-]}]
