# pair.tcl --
#
#	A TLS connection with both ends in the test interpreter, for the
#	tests that compare what the two ends see (export.test,
#	keyexchange.test). Source it after common.tcl.
#
#	  pair::pair ?-client opts? ?-server opts? ?-listener sock?
#	                          {client server}, both handshaken and
#	                          non-blocking
#	  pair::finish pair        closes both
#	  pair::AcceptPlain       accept command for a listener given to
#	                          -listener: socket -server ::pair::AcceptPlain
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

namespace eval pair {
    variable acc ""		;# the channel the last accept produced
    variable done		;# array c, s: how the ends of pair did
    array set done {}
}

# pair::pair ?-client opts? ?-server opts? ?-listener sock? --
#	A TCP connection in this interpreter with TLS on both ends (the
#	server with server-chain.pem, the client trusting ca.pem for
#	localhost), through the listener given (kept open, so that a second
#	pair to it may resume the first's session) or a new one (closed).
#	The client handshakes from the event loop and then sends a line,
#	which the server reads: both ends are then done. Each wait is
#	bounded (10 s). Returns {client server}, both non-blocking; the
#	caller closes them. A failed handshake is raised as the first
#	error either end met.

proc pair::pair {args} {
    variable acc
    variable done
    set copts [expr {[dict exists $args -client] ? [dict get $args -client] : {}}]
    set sopts [expr {[dict exists $args -server] ? [dict get $args -server] : {}}]
    if {[dict exists $args -listener]} {
	set l [dict get $args -listener]
    } else {
	set l [socket -server ::pair::AcceptPlain -myaddr 127.0.0.1 0]
    }
    set acc ""
    set c [socket 127.0.0.1 [tlstest::port $l]]
    if {$acc eq ""} {
	tlstest::waitFor ::pair::acc 10000
    }
    if {![dict exists $args -listener]} {
	::close $l
    }
    set s $acc
    tls::import $s -server 1 -certfile [tlstest::pki server-chain.pem] \
	-keyfile [tlstest::pki server.key] {*}$sopts
    tls::import $c -cafile [tlstest::pki ca.pem] -servername localhost {*}$copts
    array set done {c "" s ""}
    foreach chan [list $c $s] {
	fconfigure $chan -blocking 0 -buffering line
    }
    fileevent $c writable [list ::pair::ClientStep $c]
    fileevent $c readable [list ::pair::ClientStep $c]
    fileevent $s readable [list ::pair::ServerRead $s]
    foreach end {c s} {
	if {$done($end) eq ""} {
	    tlstest::waitFor ::pair::done($end) 10000
	}
	if {[lindex $done($end) 0] ne "ok"} {
	    catch {::close $c}
	    catch {::close $s}
	    return -options [lindex $done($end) 2] [lindex $done($end) 1]
	}
    }
    return [list $c $s]
}

proc pair::AcceptPlain {chan addr port} {
    set ::pair::acc $chan
}

# pair::ClientStep, pair::ServerRead --
#	The two ends of pair::pair: done(c) and done(s) become ok, or
#	{error message options}.

proc pair::ClientStep {chan} {
    variable done
    if {[catch {tls::handshake $chan} ok opts]} {
	fileevent $chan writable {}
	fileevent $chan readable {}
	set done(c) [list error $ok $opts]
	return
    }
    if {$ok} {
	fileevent $chan writable {}
	fileevent $chan readable {}
	if {[catch {puts $chan ping; flush $chan} msg opts]} {
	    set done(c) [list error $msg $opts]
	} else {
	    set done(c) ok
	}
    }
}

proc pair::ServerRead {chan} {
    variable done
    if {[catch {gets $chan line} n opts]} {
	fileevent $chan readable {}
	set done(s) [list error $n $opts]
    } elseif {$n >= 0} {
	fileevent $chan readable {}
	set done(s) ok
    } elseif {[eof $chan]} {
	fileevent $chan readable {}
	set done(s) [list error "server: end of file" {-code 1}]
    }
}

# pair::finish --
#	Closes both channels of a pair.

proc pair::finish {pair} {
    foreach chan $pair {
	catch {::close $chan}
    }
}

