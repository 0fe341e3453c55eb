# soak.tcl --
#
#	Load and soak run of the tls package (not a timed test: it prints
#	figures and says whether every byte was right):
#
#	    TLS_BUILD_DIR=$PWD/build tclsh8.6 bench/soak.tcl ?option ...?
#
#	One event-driven Tcl server process (bench/soak-server.tcl) serves,
#	phase by phase, a client process (bench/soak-client.tcl):
#
#	  concurrent  N TLS connections open at once (default 1000), every
#	              echo checked; the server's descriptors are counted while
#	              all of them are held
#	  sequential  N connections one after the other (default 10000),
#	              half with a full handshake, half free to resume; the
#	              server's VmRSS and descriptor count are printed at the
#	              start, after 1000 and at the end, and must stay flat
#	  duplex      one connection streaming both ways at full speed for
#	              the given time (default 180 s), checked by CRC-32
#
#	Both processes run with "ulimit -n 4096" (through sh). Options:
#	  -phases {concurrent sequential duplex}   which phases, in order
#	  -concurrent 1000   -lines 5   -sequential 10000   -duration 180
#	  -keep 0|1          keep the temporary PKI directory
#	Exit status 0 when every check passed, 1 otherwise.
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

set here [file dirname [file normalize [info script]]]
source [file join $here soak-common.tcl]
source [file join [file dirname $here] tests pki.tcl]

namespace eval drv {
    variable opt
    array set opt {
	-phases {concurrent sequential duplex}
	-concurrent 1000 -lines 5 -sequential 10000 -duration 180 -keep 0
    }
    variable ok 1		;# cleared by any failed check
    variable server		;# {pid chan} of the server
    variable buf		;# array chan -> unread output
    array set buf {}
}

proc drv::say {args} {
    puts [join $args]
    flush stdout
}

# drv::start --
#	Starts tclsh on script with args under "ulimit -n 4096"; returns
#	{pid chan} (chan: its stdin and stdout, non-blocking).

proc drv::start {script args} {
    variable buf
    set cmd [list sh -c {ulimit -n 4096 && exec "$0" "$@"} \
	[info nameofexecutable] [file join $::here $script] {*}$args]
    set chan [open |[list {*}$cmd 2>@ stderr] r+]
    fconfigure $chan -blocking 0 -buffering line
    set buf($chan) ""
    return [list [pid $chan] $chan]
}

# drv::expect --
#	Waits (at most ms) for a line of the process matching re; returns
#	it. Lines before it are echoed when they start with FAIL, RATE or
#	OPENED.

proc drv::expect {proc re {ms 600000}} {
    variable buf
    set chan [lindex $proc 1]
    set deadline [expr {[clock milliseconds] + $ms}]
    while 1 {
	while {[set nl [string first \n $buf($chan)]] >= 0} {
	    set line [string range $buf($chan) 0 [expr {$nl - 1}]]
	    set buf($chan) [string range $buf($chan) [expr {$nl + 1}] end]
	    if {[regexp -- $re $line]} {
		return $line
	    }
	    if {[regexp {^(FAIL|RATE|OPENFAIL)} $line]} {
		say "    $line"
	    }
	}
	if {[eof $chan]} {
	    error "process [lindex $proc 0] ended before /$re/"
	}
	if {[clock milliseconds] > $deadline} {
	    error "no /$re/ from process [lindex $proc 0] in [expr {$ms / 1000}] s"
	}
	fileevent $chan readable [list set ::drv::readable 1]
	set id [after 1000 [list set ::drv::readable 0]]
	vwait ::drv::readable
	after cancel $id
	fileevent $chan readable {}
	append buf($chan) [read $chan]
    }
}

proc drv::tell {proc line} {
    puts [lindex $proc 1] $line
}

proc drv::finish {proc} {
    set chan [lindex $proc 1]
    catch {close $chan w}
    fconfigure $chan -blocking 1
    catch {read $chan}
    catch {close $chan}
}

# drv::sample --
#	The server's VmRSS (KiB) and descriptor count, as text.

proc drv::sample {what} {
    variable server
    set pid [lindex $server 0]
    set rss [soak::rss $pid]
    set fds [soak::fds $pid]
    say [format "    %-28s server VmRSS %6d KiB, %4d fds" $what $rss $fds]
    return [list $rss $fds]
}

proc drv::check {cond what} {
    variable ok
    if {[uplevel 1 [list expr $cond]]} {
	say "    ok: $what"
    } else {
	say "    FAILED: $what"
	set ok 0
    }
}

proc drv::serverStats {} {
    variable server
    tell $server STATS
    expect $server {^STATS }
}

# ----------------------------------------------------------------------

proc drv::concurrent {pki port} {
    variable opt
    set n $opt(-concurrent)
    say "concurrent: $n connections held at once, $opt(-lines) more\
	echoes each"
    set before [sample "before"]
    set t0 [clock milliseconds]
    set c [start soak-client.tcl $pki concurrent $port $n $opt(-lines)]
    set holding [expect $c {^HOLDING \d+$}]
    set t1 [clock milliseconds]
    set held [sample "holding [lindex $holding 1] connections"]
    say "    [serverStats]"
    say "    all $n connected and answered in [expr {($t1 - $t0) / 1000.0}] s"
    tell $c release
    set result [expect $c {^CONCURRENT }]
    finish $c
    say "    $result"
    after 1000
    set after [sample "after"]
    lassign $result - - opened - verified - failed - echoes
    check {$opened == $n && $verified == $n && $failed == 0
	&& $echoes == $n * (1 + $opt(-lines))} \
	"$verified of $n connections verified, $echoes echoes, $failed failed"
    check {[lindex $held 1] >= [lindex $before 1] + $n} \
	"server held $n connections at once ([lindex $held 1] fds)"
    check {[lindex $after 1] == [lindex $before 1]} \
	"server descriptors back to [lindex $before 1]"
}

proc drv::sequential {pki port} {
    variable opt
    set n $opt(-sequential)
    say "sequential: $n connections one after the other"
    set start [sample "start"]
    set t0 [clock milliseconds]
    set c [start soak-client.tcl $pki sequential $port $n]
    set marks {}
    while 1 {
	set line [expect $c {^(PROGRESS|SEQUENTIAL) }]
	if {[lindex $line 0] eq "SEQUENTIAL"} {
	    break
	}
	set k [lindex $line 1]
	if {$k == 1000 || $k == $n || $k % 5000 == 0} {
	    lappend marks $k [sample "after $k"]
	}
	tell $c go
    }
    set t1 [clock milliseconds]
    finish $c
    say "    $line"
    say "    [format %.0f [expr {$n * 1000.0 / ($t1 - $t0)}]] connections/s"
    after 1000
    set end [sample "end (client gone)"]
    lassign $line - - done - verified - failed - resumed
    check {$verified == $n && $failed == 0} \
	"$verified of $n verified ($resumed resumed)"
    set at1000 [dict get $marks 1000]
    set growth [expr {[lindex $end 0] - [lindex $at1000 0]}]
    check {$growth < 4096} \
	"VmRSS after 1000: [lindex $at1000 0] KiB, at the end:\
	[lindex $end 0] KiB ([expr {$growth >= 0 ? "+" : ""}]$growth KiB)"
    check {[lindex $end 1] == [lindex $start 1]} \
	"fds at the start: [lindex $start 1], at the end: [lindex $end 1]"
}

proc drv::duplex {pki port} {
    variable opt
    variable server
    set secs $opt(-duration)
    say "duplex: both directions at full speed for $secs s, CRC-32 checked"
    set start [sample "start"]
    set cpu0 [soak::cpu [lindex $server 0]]
    set c [start soak-client.tcl $pki duplex $port $secs]
    set line [expect $c {^DUPLEX } [expr {($secs + 120) * 1000}]]
    set cpu [expr {[soak::cpu [lindex $server 0]] - $cpu0}]
    finish $c
    after 1000
    set end [sample "end"]
    set d [lrange $line 1 end]
    set t [dict get $d seconds]
    lassign [dict get $d sent] sent scrc
    lassign [dict get $d received] recv rcrc
    say [format "    client sent %.1f MB (%.1f MB/s), received %.1f MB\
	(%.1f MB/s) in %.1f s" [expr {$sent / 1e6}] [expr {$sent / 1e6 / $t}] \
	[expr {$recv / 1e6}] [expr {$recv / 1e6 / $t}] $t]
    # The machine may be shared: CPU time says what the processes got.
    set ccpu [dict get $d cpu]
    say [format "    CPU: server %.1f s, client %.1f s (%.0f%% and %.0f%% of\
	the wall time); %.1f MB moved per CPU second of the server" \
	$cpu $ccpu [expr {100 * $cpu / $t}] [expr {100 * $ccpu / $t}] \
	[expr {($sent + $recv) / 1e6 / max($cpu, 0.01)}]]
    say "    server: [dict get $d server]"
    check {[dict get $d check] eq "ok"} \
	"server->client stream: $recv bytes, CRC-32 [format %08x $rcrc] matches"
    check {[lindex [dict get $d server] 1] eq "ok"
	&& [lindex [dict get $d server] 2] == $sent} \
	"client->server stream: $sent bytes, CRC-32 [format %08x $scrc]\
	matches at the server"
    check {[lindex $end 1] == [lindex $start 1]} \
	"fds at the start: [lindex $start 1], at the end: [lindex $end 1]"
}

proc drv::main {argv} {
    variable opt
    variable server
    variable ok
    foreach {name value} $argv {
	if {![info exists opt($name)]} {
	    soak::fail "unknown option \"$name\"; options: [array names opt]"
	}
	set opt($name) $value
    }
    set version [soak::load]
    set pki [exec mktemp -d /tmp/tls-soak.XXXXXXXX]
    say "tls $version, [tls::version], Tcl [info patchlevel]"
    say "making the PKI in $pki"
    tlstest::makePki $pki
    set server [start soak-server.tcl $pki]
    set port [lindex [expect $server {^PORT \d+$}] 1]
    say "server pid [lindex $server 0], port $port"
    # One connection first: the first handshake of a process opens
    # descriptors that OpenSSL and Tcl keep for good.
    set c [start soak-client.tcl $pki sequential $port 1]
    expect $c {^SEQUENTIAL }
    finish $c
    foreach phase $opt(-phases) {
	if {[catch {$phase $pki $port} msg]} {
	    say "    FAILED: $phase: $msg"
	    set ok 0
	}
    }
    say "    [serverStats]"
    finish $server
    if {!$opt(-keep)} {
	file delete -force $pki
    }
    say [expr {$ok ? "soak: all checks passed" : "soak: SOME CHECKS FAILED"}]
    return [expr {!$ok}]
}

exit [drv::main $argv]
