# mtls-client.tcl --
#
#	Mutual TLS, the client side: connects to mtls-server.tcl presenting
#	its own certificate and key (-certfile, -keyfile), verifies the
#	server's certificate as usual, sends one line and prints the
#	server's answer. Without a certificate (-nocert) the server refuses
#	the client, which this script reports as an error.
#
#	With TLS 1.3 the client's handshake is over before the server has
#	looked at the client certificate, so a refusal shows at the first
#	read, as "TLS read failed: tlsv13 alert certificate required" or
#	similar; with TLS 1.2 the handshake itself fails.
#
# Usage:
#	tclsh mtls-client.tcl ?-cafile file? ?-certfile file? ?-keyfile file?
#	    ?-nocert? ?-servername name? ?-timeout ms? ?host? ?port? ?message?
#
#	host         server to connect to (default localhost)
#	port         its port (default 8444)
#	message      the line to send (default "hello")
#	-cafile      PEM file of the CA certificates to trust for the server;
#	             without it the system CA store is used
#	-certfile    PEM file of the client certificate, optionally followed
#	             by intermediate CA certificates (default client.pem)
#	-keyfile     PEM file of its private key (default client.key)
#	-nocert      present no certificate (to see the server refuse)
#	-servername  the name the server's certificate must carry (default:
#	             host)
#	-timeout     the longest time the whole exchange may take, in
#	             milliseconds (default 10000)
#
#	Exit status: 0 when the server answered, 1 on any error (refused,
#	certificate problems, connection failure, timeout), 2 for a usage
#	error.
#
# Example:
#	tclsh mtls-client.tcl -cafile ca.pem -certfile client.pem \
#	    -keyfile client.key localhost 8444 "hello from me"
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

package require tls

# usage --
#
#	Prints what is wrong and how to call the script, and exits with 2.

proc usage {message} {
    puts stderr "mtls-client: $message"
    puts stderr "usage: tclsh mtls-client.tcl ?-cafile file? ?-certfile file?\
	?-keyfile file? ?-nocert? ?-servername name? ?-timeout ms?\
	?host? ?port? ?message?"
    exit 2
}

# waitFor --
#
#	Enters the event loop until chan is readable or writable (event is
#	"readable" or "writable"), but not past ::deadline (in
#	milliseconds, as clock milliseconds counts). Raises an error when
#	the time is up.

proc waitFor {chan event} {
    set left [expr {$::deadline - [clock milliseconds]}]
    if {$left <= 0} {
	error "no answer from the server within $::timeout ms"
    }
    fileevent $chan $event {set ::wakeup ready}
    set timer [after $left {set ::wakeup timeout}]
    vwait ::wakeup
    after cancel $timer
    fileevent $chan $event {}
    if {$::wakeup eq "timeout"} {
	error "no answer from the server within $::timeout ms"
    }
}

# --- Command line ------------------------------------------------------

set cafile ""
set certfile client.pem
set keyfile client.key
set nocert 0
set servername ""
set timeout 10000
set positional {}
for {set i 0} {$i < [llength $argv]} {incr i} {
    set arg [lindex $argv $i]
    switch -glob -- $arg {
	-cafile - -certfile - -keyfile - -servername - -timeout {
	    if {$i + 1 >= [llength $argv]} {
		usage "$arg needs a value"
	    }
	    set [string range $arg 1 end] [lindex $argv [incr i]]
	}
	-nocert {
	    set nocert 1
	}
	-* {
	    usage "unknown option \"$arg\""
	}
	default {
	    lappend positional $arg
	}
    }
}
if {[llength $positional] > 3} {
    usage "too many arguments"
}
set defaults {localhost 8444 hello}
lassign [concat $positional [lrange $defaults [llength $positional] end]] \
    host port message
if {![string is integer -strict $port] || $port <= 0 || $port > 65535} {
    usage "bad port \"$port\""
}
if {![string is integer -strict $timeout] || $timeout <= 0} {
    usage "-timeout must be a positive number of milliseconds"
}

# --- Connect -------------------------------------------------------------
#
# tls::socket checks the server as any client does: its chain against
# -cafile (or the system store) and its certificate against the host name
# (or -servername). -certfile and -keyfile are what makes this mutual TLS:
# the client's certificate, sent when the server asks for one.

set options {}
if {$cafile ne ""} {
    lappend options -cafile $cafile
}
if {$servername ne ""} {
    lappend options -servername $servername
}
if {!$nocert} {
    lappend options -certfile $certfile -keyfile $keyfile
}

if {[catch {
    # -async: connect and handshake in the background, so that the
    # waits below can be limited: all of them together to -timeout. A
    # bad -certfile or -keyfile is reported by tls::socket itself.
    set deadline [expr {[clock milliseconds] + $timeout}]
    set chan [tls::socket -async {*}$options $host $port]
    fconfigure $chan -blocking 0 -buffering line -translation {auto crlf}

    # tls::handshake returns 0 while the handshake is under way; the
    # channel becomes writable once it is over, and then tls::handshake
    # returns 1 or raises the handshake's error.
    while {![tls::handshake $chan]} {
	waitFor $chan writable
    }
    set status [tls::status $chan]
    set local [tls::status -local $chan]
    puts "connected to $host:$port with [dict get $status protocol]"
    puts "  server certificate: [dict get $status subject]"
    if {[dict exists $local subject]} {
	puts "  our certificate:    [dict get $local subject]"
    } else {
	puts "  our certificate:    (none)"
    }

    puts $chan $message
    while {[gets $chan answer] < 0} {
	if {[eof $chan]} {
	    error "the server closed the connection without answering"
	}
	waitFor $chan readable
    }
    puts "server: $answer"
} problem]} {
    puts stderr "mtls-client: error: $problem"
    if {[info exists chan]} {
	catch {close $chan}
    }
    exit 1
}
close $chan
exit 0
