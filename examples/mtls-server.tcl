# mtls-server.tcl --
#
#	Mutual TLS, the server side: every client must present a
#	certificate issued by a CA of -cafile (-require 1), or its
#	handshake fails. For each client the server prints the subject of
#	the certificate it presented, reads one line from it and answers
#	with one line addressed to the client's certificate name. Run
#	mtls-client.tcl against it.
#
#	The connections are handled from the event loop. The readable
#	handler is the only one: it fires once the handshake is done and the
#	client's line has arrived, or when the handshake failed, in which
#	case gets raises the handshake's error.
#
# Usage:
#	tclsh mtls-server.tcl ?-myaddr addr? ?-port port? ?-cafile file?
#	    ?-certfile file? ?-keyfile file? ?-connections n?
#
#	-myaddr       address to listen on (default 127.0.0.1)
#	-port         port to listen on (default 8444; 0 lets the system
#	              choose, the port is printed)
#	-cafile       PEM file of the CAs whose client certificates are
#	              accepted (default ca.pem); their names are sent to
#	              clients in the certificate request
#	-certfile     PEM file of the server certificate, optionally followed
#	              by intermediate CA certificates (default server.pem)
#	-keyfile      PEM file of its private key (default server.key)
#	-connections  exit after this many connections have ended, accepted
#	              or refused (default 0: serve until killed)
#
#	Exit status: 0 after -connections connections, 1 if the server
#	cannot start, 2 for a usage error.
#
# Example:
#	tclsh mtls-server.tcl -cafile ca.pem -certfile server.pem \
#	    -keyfile server.key
#	tclsh mtls-client.tcl -cafile ca.pem -certfile client.pem \
#	    -keyfile client.key localhost 8444
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

package require tls

# Log lines should reach a log reader (or a pipe) at once.
fconfigure stdout -buffering line

# usage --
#
#	Prints what is wrong and how to call the script, and exits with 2.

proc usage {message} {
    puts stderr "mtls-server: $message"
    puts stderr "usage: tclsh mtls-server.tcl ?-myaddr addr? ?-port port?\
	?-cafile file? ?-certfile file? ?-keyfile file? ?-connections n?"
    exit 2
}

# log --
#
#	Prints one line of the server's log on stdout.

proc log {message} {
    puts "mtls-server: $message"
}

# --- Command line ------------------------------------------------------

set myaddr 127.0.0.1
set port 8444
set cafile ca.pem
set certfile server.pem
set keyfile server.key
set connections 0
for {set i 0} {$i < [llength $argv]} {incr i} {
    set arg [lindex $argv $i]
    switch -- $arg {
	-myaddr - -port - -cafile - -certfile - -keyfile - -connections {
	    if {$i + 1 >= [llength $argv]} {
		usage "$arg needs a value"
	    }
	    set [string range $arg 1 end] [lindex $argv [incr i]]
	}
	default {
	    usage "unknown argument \"$arg\""
	}
    }
}
if {![string is integer -strict $port] || $port < 0 || $port > 65535} {
    usage "-port must be a port number"
}
if {![string is integer -strict $connections] || $connections < 0} {
    usage "-connections must be a number of connections"
}

# --- Connections -------------------------------------------------------

set ended 0             ;# connections that have ended
array set peer {}       ;# channel -> "address:port" of the client

# accept --
#
#	Called by tls::socket -server for each new connection, before its
#	handshake, which then runs in the background.

proc accept {chan addr port} {
    global peer
    set peer($chan) $addr:$port
    fconfigure $chan -blocking 0 -buffering line -translation {auto crlf}
    fileevent $chan readable [list serve $chan]
}

# serve --
#
#	Readable handler: reads the client's line and answers it. By the time
#	data can be read, the handshake is over and the client certificate
#	has been verified; tls::status describes it.

proc serve {chan} {
    global peer
    if {[catch {gets $chan line} n]} {
	# No certificate, or one that failed verification: the handshake
	# failed, and reading raises its error.
	log "$peer($chan): refused: $n"
	finish $chan
	return
    }
    if {$n < 0} {
	if {[eof $chan]} {
	    log "$peer($chan): left without a word"
	    finish $chan
	}
	return
    }
    set status [tls::status $chan]
    set subject [dict get $status subject]
    log "$peer($chan): client certificate $subject"
    log "$peer($chan):   issued by [dict get $status issuer],\
	verification [dict get $status verificationresult]"
    log "$peer($chan):   said \"$line\""
    # peername is the certificate's common name (CN), the usual way of
    # naming a client.
    set name [dict get $status peername]
    if {[catch {puts $chan "Hello $name, you said: $line"} message]} {
	log "$peer($chan): cannot answer: $message"
    }
    finish $chan
}

# finish --
#
#	Closes a connection and counts it; the last one of -connections
#	ends the server.

proc finish {chan} {
    global peer ended connections
    unset peer($chan)
    catch {close $chan}
    incr ended
    if {$connections > 0 && $ended >= $connections} {
	set ::done 1
    }
}

# --- Main ----------------------------------------------------------------
#
# -require 1 makes the server ask for a client certificate (it implies
# -request 1) and refuse clients without a valid one. -cafile names the
# CAs that client certificates are verified against.

if {[catch {
    tls::socket -server accept -myaddr $myaddr -require 1 -cafile $cafile \
	-certfile $certfile -keyfile $keyfile $port
} listener]} {
    puts stderr "mtls-server: error: $listener"
    exit 1
}
set port [lindex [fconfigure $listener -sockname] 2]
log "listening on $myaddr:$port, client certificates required"
vwait ::done
close $listener
log "$ended connections handled, exiting"
exit 0
