# tcl_client.tcl --
#
#	Benchmark client in Tcl (blocking), started by bench/run.tcl:
#
#	    tclsh tcl_client.tcl impl test port ?name value ...?
#
#	impl: ours, tcltls or plain (see tcl_common.tcl). Settings (name
#	value): store (cafile or system), bytes, file, seconds, max, count.
#	Tests:
#
#	  up        write "UP n" and n bytes in 64 KiB writes, wait for "OK"
#	  upfcopy   the same with fcopy from a file of n bytes (file)
#	  uphttp    the http package's POST of a file of n bytes (file):
#	            http::geturl -querychannel (8 KiB blocks, the package's
#	            default -queryblocksize), https:// for ours and tcltls
#	  down      write "DOWN n", read n bytes in 64 KiB reads
#	  downfcopy the same with fcopy into a new file (file, removed after)
#	  hs        full handshakes in a loop: connect, handshake, close, for
#	            at most seconds or max connections; our package resumes
#	            sessions on its own, so each connection gets a new
#	            -session_id to force a full handshake
#	  resume    the same, each connection resuming the session of the
#	            one before and exchanging a line (which brings the next
#	            single-use TLS 1.3 ticket)
#	  first     count fresh connections (full handshakes), each timed from
#	            connect to the first reply of the echo server
#	  rtt       count line round trips on one connection, each timed:
#	            median and 99th percentile (us) with the totals
#	  mem       count connections held open, each after a handshake and
#	            one echoed line; memhs: after the handshake only (the
#	            client side of the memory figures)
#	  probe     only prints the version and library of the package
#	            (port is not used)
#
#	The connection and the preparation (context loading, a first
#	connection for the handshake tests) happen first; then the client
#	prints "PREP" and waits for a line on stdin, so that run.tcl can read
#	the server's CPU time and memory; then it runs the measured part and
#	prints "RESULT dict" with wall (seconds), cpu (seconds of this
#	process) and figures of the test, and exits at the end of stdin.
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

source [file join [file dirname [info script]] tcl_common.tcl]
source [file join [file dirname [info script]] median.tcl]

# bench::Prep --
#
#	Tells run.tcl that the measured part starts, waits for its go.

proc bench::Prep {} {
    puts PREP
    flush stdout
    gets stdin
}

# bench::Result --
#
#	Prints the result line and exits when run.tcl closes our standard
#	input (so that profile.tcl can stop instruction counting first).

proc bench::Result {dict} {
    puts [list RESULT $dict]
    flush stdout
    gets stdin
    exit 0
}

# bench::FullOptions --
#
#	Extra client options for connection number i that must make a full
#	handshake.

proc bench::FullOptions {i} {
    variable impl
    if {$impl eq "ours"} {
	return [list -session_id bench-full-[pid]-$i]
    }
    return {}
}

proc bench::Bulk {test port store bytes file} {
    set chan [Connect $port $store]
    fconfigure $chan -translation binary
    switch -- $test {
	upfcopy {
	    set in [open $file rb]
	    # BENCH_FCOPY_BUFSIZE: the file's -buffersize, which sets the
	    # size of the pieces fcopy hands to the TLS channel (bench notes
	    # in RESULTS.md; not set by run.tcl).
	    if {[info exists ::env(BENCH_FCOPY_BUFSIZE)]} {
		fconfigure $in -buffersize $::env(BENCH_FCOPY_BUFSIZE)
	    }
	}
	downfcopy {
	    set out [open $file wb]
	}
    }
    Prep
    set t0 [clock microseconds]
    set c0 [cpu]
    switch -- $test {
	up - upfcopy {
	    puts -nonewline $chan "UP $bytes\n"
	    if {$test eq "up"} {
		set chunk [Chunk]
		set left $bytes
		while {$left >= 65536} {
		    puts -nonewline $chan $chunk
		    incr left -65536
		}
		if {$left > 0} {
		    puts -nonewline $chan [string range $chunk 0 $left-1]
		}
	    } else {
		fcopy $in $chan -size $bytes
	    }
	    flush $chan
	    set reply [gets $chan]
	    if {$reply ne "OK"} {
		Fail "upload: server answered \"$reply\""
	    }
	}
	down - downfcopy {
	    puts -nonewline $chan "DOWN $bytes\n"
	    flush $chan
	    if {$test eq "down"} {
		set left $bytes
		while {$left > 0} {
		    set data [read $chan [expr {min($left, 65536)}]]
		    if {[string length $data] == 0 && [eof $chan]} {
			Fail "download: end of file with $left bytes to go"
		    }
		    incr left -[string length $data]
		}
	    } else {
		set n [fcopy $chan $out -size $bytes]
		close $out
		if {$n != $bytes} {
		    Fail "download: fcopy moved $n of $bytes bytes"
		}
	    }
	}
    }
    set c1 [cpu]
    set t1 [clock microseconds]
    close $chan
    if {$test eq "upfcopy"} {
	close $in
    } elseif {$test eq "downfcopy"} {
	file delete $file
    }
    Result [dict create wall [expr {($t1 - $t0) / 1e6}] \
	cpu [expr {$c1 - $c0}] bytes $bytes]
}

# bench::HttpUpload --
#
#	uphttp: one http::geturl POST of the file (bytes long) with
#	-querychannel; the connection and its handshake are part of the
#	measured time (under a millisecond against the seconds of the
#	transfer).

proc bench::HttpUpload {port store bytes file} {
    variable impl
    package require http
    if {$impl eq "plain"} {
	set url http://127.0.0.1:$port/
    } else {
	http::register https 443 [list tls::socket {*}[ClientOptions $store]]
	set url https://127.0.0.1:$port/
    }
    set in [open $file rb]
    Prep
    set t0 [clock microseconds]
    set c0 [cpu]
    set token [http::geturl $url -querychannel $in -keepalive 0 \
	-type application/octet-stream]
    set c1 [cpu]
    set t1 [clock microseconds]
    set status [http::status $token]
    set code [http::ncode $token]
    set body [http::data $token]
    set error [http::error $token]
    http::cleanup $token
    close $in
    if {$status ne "ok" || $code != 200 || $body ne "OK"} {
	Fail "http upload: status $status, code $code, body \"$body\" $error"
    }
    Result [dict create wall [expr {($t1 - $t0) / 1e6}] \
	cpu [expr {$c1 - $c0}] bytes $bytes]
}

proc bench::Handshakes {test port store seconds max} {
    # A first connection loads the CA store into the context and, for
    # resume, gets the session (TLS 1.3 tickets arrive with the reply).
    set chan [Connect $port $store]
    puts $chan hello
    flush $chan
    gets $chan
    close $chan
    Prep
    set t0 [clock microseconds]
    set c0 [cpu]
    set deadline [expr {$t0 + int($seconds * 1e6)}]
    set n 0
    set resumed 0
    while {$n < $max && [clock microseconds] < $deadline} {
	if {$test eq "hs"} {
	    set chan [Connect $port $store [FullOptions $n]]
	} else {
	    # TLS 1.3 tickets are single-use (RFC 8446 C.4; OpenSSL drops a
	    # ticket once used), so each resumed connection reads the line
	    # its fresh ticket comes with, for the next one.
	    set chan [Connect $port $store]
	    incr resumed [Reused $chan]
	    puts $chan hello
	    flush $chan
	    gets $chan
	}
	close $chan
	incr n
    }
    set c1 [cpu]
    set t1 [clock microseconds]
    Result [dict create wall [expr {($t1 - $t0) / 1e6}] \
	cpu [expr {$c1 - $c0}] count $n resumed $resumed]
}

proc bench::First {port store count} {
    set chan [Connect $port $store [FullOptions warm]]
    close $chan
    Prep
    set times {}
    set c0 [cpu]
    set t0 [clock microseconds]
    for {set i 0} {$i < $count} {incr i} {
	set start [clock microseconds]
	set chan [Connect $port $store [FullOptions $i]]
	puts $chan ping
	flush $chan
	set reply [gets $chan]
	lappend times [expr {([clock microseconds] - $start) / 1e3}]
	close $chan
	if {$reply ne "ping"} {
	    Fail "first reply: got \"$reply\""
	}
    }
    set c1 [cpu]
    set t1 [clock microseconds]
    Result [dict create wall [expr {($t1 - $t0) / 1e6}] \
	cpu [expr {$c1 - $c0}] count $count ms [median $times] \
	min [tcl::mathfunc::min {*}$times] max [tcl::mathfunc::max {*}$times]]
}

proc bench::RoundTrips {port store count} {
    set chan [Connect $port $store]
    for {set i 0} {$i < 10} {incr i} {
	puts $chan ping
	flush $chan
	gets $chan
    }
    Prep
    set times {}
    set t0 [clock microseconds]
    set c0 [cpu]
    for {set i 0} {$i < $count} {incr i} {
	set start [clock microseconds]
	puts $chan ping
	flush $chan
	if {[gets $chan] ne "ping"} {
	    Fail "round trip: bad reply"
	}
	lappend times [expr {[clock microseconds] - $start}]
    }
    set c1 [cpu]
    set t1 [clock microseconds]
    close $chan
    Result [dict create wall [expr {($t1 - $t0) / 1e6}] \
	cpu [expr {$c1 - $c0}] count $count median [median $times] \
	p99 [percentile $times 99]]
}

# bench::Memory --
#
#	The client side of the memory figures: after a first connection
#	(context loaded), opens count connections, each with a completed
#	handshake; test mem also writes a line on each and, once all are
#	open, reads the replies; memhs sends nothing. Then prints "MARK"
#	(run.tcl reads this process's VmRSS) and holds them until told.
#	Connections resume sessions as they would by default.

proc bench::Memory {test port store count} {
    set chans [list [Connect $port $store]]
    puts [lindex $chans 0] x
    flush [lindex $chans 0]
    gets [lindex $chans 0]
    Prep
    set t0 [clock microseconds]
    for {set i 0} {$i < $count} {incr i} {
	set chan [Connect $port $store]
	if {$test eq "mem"} {
	    puts $chan x
	    flush $chan
	}
	lappend chans $chan
    }
    if {$test eq "mem"} {
	foreach chan [lrange $chans 1 end] {
	    if {[gets $chan] ne "x"} {
		Fail "memory: bad reply"
	    }
	}
    }
    set t1 [clock microseconds]
    puts MARK
    flush stdout
    gets stdin
    foreach chan $chans {
	catch {close $chan}
    }
    Result [dict create wall [expr {($t1 - $t0) / 1e6}] count $count]
}

set settings [dict create store cafile bytes 0 file "" seconds 2 max 100000 \
    count 10]
lassign $argv impl test port
if {[llength $argv] < 3 || [llength $argv] % 2 == 0} {
    bench::Fail "usage: tcl_client.tcl impl test port ?name value ...?"
}
set settings [dict merge $settings [lrange $argv 3 end]]
bench::Load $impl
dict with settings {}
switch -- $test {
    up - upfcopy - down - downfcopy {
	bench::Bulk $test $port $store $bytes $file
    }
    uphttp {
	bench::HttpUpload $port $store $bytes $file
    }
    hs - resume {
	bench::Handshakes $test $port $store $seconds $max
    }
    first {
	bench::First $port $store $count
    }
    rtt {
	bench::RoundTrips $port $store $count
    }
    mem - memhs {
	bench::Memory $test $port $store $count
    }
    probe {
	set lib ""
	foreach entry [info loaded] {
	    if {[string equal -nocase [lindex $entry 1] tls]} {
		set lib [lindex $entry 0]
	    }
	}
	bench::Result [dict create version [package provide tls] library $lib]
    }
    default {
	bench::Fail "unknown test \"$test\""
    }
}
