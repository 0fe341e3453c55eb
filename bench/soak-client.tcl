# soak-client.tcl --
#
#	The client of bench/soak.tcl, one process per phase:
#
#	    tclsh soak-client.tcl pkiDir concurrent port n lines
#	    tclsh soak-client.tcl pkiDir sequential port n
#	    tclsh soak-client.tcl pkiDir duplex port seconds
#
#	concurrent  opens n non-blocking connections, each sends ECHO and one
#	            line and checks the answer; once all n have answered it
#	            prints "HOLDING n" and waits for a line on stdin; then each
#	            connection checks `lines` more echoes and closes. Prints
#	            "CONCURRENT opened o verified v failed f echoes e".
#	sequential  n blocking connections one after the other, each checks two
#	            echoes; every other one asks for a full handshake (a
#	            session slot of its own), the others may resume. After
#	            every 1000 it prints "PROGRESS k" and waits for a line on
#	            stdin. Prints "SEQUENTIAL done d verified v failed f
#	            resumed r".
#	duplex      one connection streaming both ways at full speed (see
#	            soak-common.tcl) for the given seconds, printing "RATE
#	            ..." every 10 s. Prints "DUPLEX seconds s sent n crc
#	            received n crc check ok|bad server {VERDICT ...}".
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

source [file join [file dirname [info script]] soak-common.tcl]

namespace eval cli {
    variable st			;# per-connection state
    array set st {}
    variable count		;# counters
    array set count {opened 0 answered 0 verified 0 failed 0 echoes 0 \
	closed 0}
}

proc cli::opts {} {
    list -cafile $::pki/ca.pem
}

# ----------------------------------------------------------------------
# concurrent

proc cli::concurrent {port n lines} {
    variable count
    variable st
    for {set i 0} {$i < $n} {incr i} {
	if {[catch {tls::socket -async {*}[opts] localhost $port} c]} {
	    puts "OPENFAIL $i $c"
	    incr count(failed)
	    continue
	}
	incr count(opened)
	fconfigure $c -blocking 0 -translation binary -buffering full
	set st($c,i) $i
	set st($c,want) [list "conn $i first"]
	set st($c,phase) first
	puts $c "ECHO\nconn $i first"
	if {[catch {flush $c} msg]} {
	    fail $c $msg
	    continue
	}
	fileevent $c readable [list cli::concurrentRead $c]
	if {$i % 100 == 99} {
	    # Let handshakes progress between bursts of connects.
	    after 20 {set ::cli::pause 1}
	    vwait ::cli::pause
	    puts "OPENED [expr {$i + 1}]"
	}
    }
    while {$count(answered) + $count(failed) < $count(opened)} {
	vwait ::cli::count
    }
    puts "HOLDING $count(answered)"
    gets stdin
    foreach key [array names st *,phase] {
	set c [lindex [split $key ,] 0]
	set st($c,phase) more
	set st($c,want) {}
	for {set j 0} {$j < $lines} {incr j} {
	    lappend st($c,want) "conn $st($c,i) line $j"
	    puts $c "conn $st($c,i) line $j"
	}
	if {[catch {flush $c} msg]} {
	    fail $c $msg
	}
    }
    while {$count(closed) + $count(failed) < $count(opened)} {
	vwait ::cli::count
    }
    puts "CONCURRENT opened $count(opened) verified $count(verified)\
	failed $count(failed) echoes $count(echoes)"
}

proc cli::fail {c msg} {
    variable count
    variable st
    puts "FAIL conn $st($c,i): $msg"
    array unset st $c,*
    catch {close $c}
    incr count(failed)
}

proc cli::concurrentRead {c} {
    variable count
    variable st
    while 1 {
	if {[catch {gets $c line} n]} {
	    fail $c $n
	    return
	}
	if {$n < 0} {
	    if {[eof $c]} {
		fail $c "unexpected end of file"
	    }
	    return
	}
	if {$line ne [lindex $st($c,want) 0]} {
	    fail $c "expected \"[lindex $st($c,want) 0]\", got \"$line\""
	    return
	}
	incr count(echoes)
	set st($c,want) [lrange $st($c,want) 1 end]
	if {[llength $st($c,want)] == 0} {
	    if {$st($c,phase) eq "first"} {
		incr count(answered)
	    } else {
		incr count(verified)
		incr count(closed)
		array unset st $c,*
		close $c
		return
	    }
	}
    }
}

# ----------------------------------------------------------------------
# sequential

proc cli::sequential {port n} {
    set verified 0
    set failed 0
    set resumed 0
    for {set i 1} {$i <= $n} {incr i} {
	set opts [opts]
	if {$i % 2} {
	    lappend opts -session_id "full $i"
	}
	if {[catch {
	    set c [tls::socket {*}$opts localhost $port]
	    fconfigure $c -translation binary -buffering full
	    puts $c "ECHO\none $i\ntwo $i"
	    flush $c
	    set a [gets $c]
	    set b [gets $c]
	    if {[dict get [tls::connection $c] session_reused]} {
		incr resumed
	    }
	    close $c
	    if {$a ne "one $i" || $b ne "two $i"} {
		error "bad echo: \"$a\" \"$b\""
	    }
	} msg]} {
	    incr failed
	    puts "FAIL $i: $msg"
	    catch {close $c}
	} else {
	    incr verified
	}
	if {$i % 1000 == 0} {
	    puts "PROGRESS $i"
	    gets stdin
	}
    }
    puts "SEQUENTIAL done $n verified $verified failed $failed\
	resumed $resumed"
}

# ----------------------------------------------------------------------
# duplex

proc cli::duplex {port seconds} {
    variable st
    set c [tls::socket {*}[opts] localhost $port]
    fconfigure $c -translation binary -buffering full
    puts $c DUPLEX
    flush $c
    fconfigure $c -blocking 0
    soak::readerInit $c
    set st(k) 0
    set st(len) 0
    set st(crc) 0
    set st(start) [clock milliseconds]
    set st(until) [expr {$st(start) + $seconds * 1000}]
    set st(report) [expr {$st(start) + 10000}]
    set st(done) 0
    set st(sentEnd) 0
    set st(verdict) ""
    fileevent $c writable [list cli::duplexWrite $c]
    fileevent $c readable [list cli::duplexRead $c]
    vwait ::cli::st(done)
    set ms [expr {[clock milliseconds] - $st(start)}]
    lassign $st(result) len crc tlen tcrc order
    set check [expr {$len == $tlen && $crc == $tcrc && $order
	? "ok" : "bad"}]
    catch {close $c}
    puts [list DUPLEX seconds [expr {$ms / 1000.0}] cpu [soak::cpu] \
	sent [list $st(len) $st(crc)] received [list $len $crc] \
	check $check server $st(verdict)]
}

proc cli::duplexWrite {c} {
    variable st
    if {[chan pending output $c] > 262144} {
	return
    }
    set now [clock milliseconds]
    if {$now >= $st(report)} {
	set secs [expr {($now - $st(start)) / 1000.0}]
	set got [expr {[info exists ::soak::rd($c,len)]
	    ? $::soak::rd($c,len) : [lindex $st(result) 0]}]
	puts [format "RATE %.0f s: sent %.1f MB, received %.1f MB" $secs \
	    [expr {$st(len) / 1e6}] [expr {$got / 1e6}]]
	incr st(report) 10000
    }
    if {[catch {
	if {$now >= $st(until)} {
	    puts -nonewline $c [soak::trailer $st(len) $st(crc)]
	    flush $c
	    set st(sentEnd) 1
	    fileevent $c writable {}
	} else {
	    for {set i 0} {$i < 4} {incr i} {
		set payload [soak::chunk $st(k)]
		incr st(k)
		incr st(len) [string length $payload]
		set st(crc) [zlib crc32 $payload $st(crc)]
		puts -nonewline $c [soak::frame $payload]
	    }
	    flush $c
	}
    } msg]} {
	set st(result) [list 0 0 -1 -1 0]
	set st(verdict) "client write failed: $msg"
	set st(done) 1
    }
}

proc cli::duplexRead {c} {
    variable st
    if {[info exists st(result)]} {
	# After the server's stream: its verdict line.
	if {[catch {gets $c line} n] || ($n < 0 && [eof $c])} {
	    set st(verdict) "no verdict"
	    set st(done) 1
	} elseif {$n >= 0} {
	    set st(verdict) $line
	    set st(done) 1
	}
	return
    }
    if {[catch {soak::readerStep $c} state]} {
	set st(result) [list 0 0 -1 -1 0]
	set st(verdict) "client read failed: $state"
	set st(done) 1
	return
    }
    switch -- $state {
	eof {
	    set st(result) [list 0 0 -1 -1 0]
	    set st(verdict) "end of file inside the server's stream"
	    set st(done) 1
	}
	end {
	    set st(result) [soak::readerResult $c]
	    # The verdict line may have come in the same read.
	    cli::duplexRead $c
	}
    }
}

# ----------------------------------------------------------------------

proc bgerror {msg} {
    puts stderr "soak-client background error: $msg"
}

soak::load
fconfigure stdout -buffering line
set args [lassign $argv pki mode]
switch -- $mode {
    concurrent {cli::concurrent {*}$args}
    sequential {cli::sequential {*}$args}
    duplex {cli::duplex {*}$args}
    default {soak::fail "unknown mode \"$mode\""}
}
