# echo-server.tcl --
#
#	An event-driven TLS echo server: it sends every byte a client writes
#	back to that client. One process serves any number of clients at
#	once from the event loop, with non-blocking channels only, so a slow
#	or stalled client never holds up the others. For each connection it
#	prints the protocol and cipher as soon as its handshake is done, and
#	how many bytes it echoed when the client leaves.
#
#	The non-blocking idiom shown here:
#	  - tls::socket -server hands over each connection before the
#	    handshake; the package drives the handshake from the event loop.
#	  - A writable handler fires once the handshake has finished (or
#	    failed): it calls tls::handshake, which returns 1, returns 0 if
#	    the handshake still waits, or raises the handshake's error.
#	  - Then a readable handler reads whatever has arrived and writes it
#	    back. Output that the client does not read yet is queued by Tcl;
#	    when too much is queued the server stops reading from that client
#	    until the queue drains (flow control), so memory stays bounded.
#
# Usage:
#	tclsh echo-server.tcl ?-myaddr addr? ?-port port? ?-certfile file?
#	    ?-keyfile file? ?-connections n?
#
#	-myaddr       address to listen on (default 127.0.0.1)
#	-port         port to listen on (default 8007; 0 lets the system
#	              choose, the port is printed)
#	-certfile     PEM file of the server certificate, optionally followed
#	              by intermediate CA certificates (default server.pem)
#	-keyfile      PEM file of its private key (default server.key)
#	-connections  exit after this many connections have ended, whether
#	              they succeeded or not (default 0: serve until killed)
#
#	Exit status: 0 after -connections connections, 1 if the server
#	cannot start, 2 for a usage error.
#
# Try it with:
#	openssl s_client -connect 127.0.0.1:8007 -CAfile ca.pem
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

package require tls

# Log lines should reach a log reader (or a pipe) at once.
fconfigure stdout -buffering line

# Flow control thresholds, in bytes of output queued for one client.
set highWater 262144    ;# stop reading from the client above this
set lowWater 65536      ;# start again once the queue is below this

# usage --
#
#	Prints what is wrong and how to call the script, and exits with 2.

proc usage {message} {
    puts stderr "echo-server: $message"
    puts stderr "usage: tclsh echo-server.tcl ?-myaddr addr? ?-port port?\
	?-certfile file? ?-keyfile file? ?-connections n?"
    exit 2
}

# log --
#
#	Prints one line of the server's log on stdout.

proc log {message} {
    puts "echo-server: $message"
}

# --- Command line ------------------------------------------------------

set myaddr 127.0.0.1
set port 8007
set certfile server.pem
set keyfile server.key
set connections 0
for {set i 0} {$i < [llength $argv]} {incr i} {
    set arg [lindex $argv $i]
    switch -- $arg {
	-myaddr - -port - -certfile - -keyfile - -connections {
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
array set echoed {}     ;# channel -> bytes echoed so far

# accept --
#
#	Called by tls::socket -server for each new connection, before its
#	handshake. Binary translation: an echo server must not touch the
#	bytes. -buffering none hands each write to the TLS layer at once.

proc accept {chan addr port} {
    global peer echoed
    set peer($chan) $addr:$port
    set echoed($chan) 0
    fconfigure $chan -blocking 0 -buffering none -translation binary
    fileevent $chan writable [list handshake $chan]
}

# handshake --
#
#	Writable handler of a connection whose handshake is under way.

proc handshake {chan} {
    global peer
    if {[catch {tls::handshake $chan} done]} {
	log "$peer($chan): handshake failed: $done"
	finish $chan
	return
    }
    if {!$done} {
	return                  ;# not yet: wait for the next event
    }
    fileevent $chan writable {}
    set info [tls::connection $chan]
    log "$peer($chan): [dict get $info protocol] [dict get $info cipher]"
    fileevent $chan readable [list echo $chan]
}

# echo --
#
#	Readable handler: reads what has arrived (at most 64 KiB, so that one
#	busy client cannot keep the others waiting) and writes it back.

proc echo {chan} {
    global peer echoed highWater
    if {[catch {
	set data [read $chan 65536]
	puts -nonewline $chan $data
    } message]} {
	log "$peer($chan): error after $echoed($chan) bytes: $message"
	finish $chan
	return
    }
    incr echoed($chan) [string length $data]
    if {[eof $chan]} {
	log "$peer($chan): closed after $echoed($chan) bytes"
	finish $chan
	return
    }
    if {[chan pending output $chan] > $highWater} {
	# The client does not read as fast as it writes. Stop reading
	# until Tcl has sent most of what is queued.
	fileevent $chan readable {}
	fileevent $chan writable [list drained $chan]
    }
}

# drained --
#
#	Writable handler while reading is paused: resumes reading once the
#	queued output is small again.

proc drained {chan} {
    global lowWater
    if {[chan pending output $chan] > $lowWater} {
	return
    }
    fileevent $chan writable {}
    fileevent $chan readable [list echo $chan]
}

# finish --
#
#	Closes a connection and counts it; the last one of -connections
#	ends the server.

proc finish {chan} {
    global peer echoed ended connections
    unset peer($chan) echoed($chan)
    catch {close $chan}
    incr ended
    if {$connections > 0 && $ended >= $connections} {
	set ::done 1
    }
}

# --- Main ----------------------------------------------------------------

if {[catch {
    tls::socket -server accept -myaddr $myaddr \
	-certfile $certfile -keyfile $keyfile $port
} listener]} {
    puts stderr "echo-server: error: $listener"
    exit 1
}
set port [lindex [fconfigure $listener -sockname] 2]
log "listening on $myaddr:$port"
vwait ::done
close $listener
log "$ended connections served, exiting"
exit 0
