# reuseport-server.tcl --
#
#	A TLS server that uses several CPU cores as several processes on one
#	port: each process listens with Tcl 9's "socket -server ...
#	-reuseport 1" on the same address and port, and the kernel spreads
#	the new connections over them. The processes share nothing but the
#	port, so they must share their session ticket keys through a file
#	(-ticketkeys, nginx's format: 80 bytes per key, made with
#	"openssl rand 80 > keys; chmod 600 keys"): without it each process
#	has keys of its own, and a client that resumes its session with one
#	process gets a full handshake from the next.
#
#	The first process listens, then starts the others (the same script
#	with -worker 1) and relays what they print. The others end when
#	their standard input (a pipe from the first) closes, so they never
#	outlive it. Each process serves its clients from its event loop.
#	The protocol is the small HTTP/1.0 subset of threadpool-server.tcl:
#	"GET /" answers a line naming the process, "GET /N" N bytes; the
#	connection is closed after the answer.
#
#	Needs Tcl 9 (-reuseport); under Tcl 8.6 it says so and exits 1.
#	Linux, FreeBSD and macOS have SO_REUSEPORT, Windows has not.
#
# Usage:
#	tclsh reuseport-server.tcl ?-myaddr addr? ?-port port?
#	    ?-certfile file? ?-keyfile file? ?-processes n?
#	    ?-ticketkeys file? ?-connections n? ?-log boolean?
#
#	-myaddr       address to listen on (default 127.0.0.1)
#	-port         port to listen on (default 8010; 0 lets the system
#	              choose for the first process, the others use the same)
#	-certfile     PEM file of the server certificate, optionally followed
#	              by intermediate CA certificates (default server.pem)
#	-keyfile      PEM file of its private key (default server.key)
#	-processes    number of processes (default 2: one per core)
#	-ticketkeys   file of session ticket keys shared by all processes
#	              (default: none, resumption works within one process)
#	-connections  exit after this many connections have ended in all
#	              processes together (default 0: serve until killed)
#	-log          1 (default) prints a line per connection; 0 only the
#	              start and the end (for benchmarks)
#	-worker       used by the first process to start the others
#
#	Exit status: 0 after -connections connections, 1 if the server
#	cannot start (Tcl 8.6, unreadable file), 2 for a usage error.
#
# Try it with:
#	openssl rand 80 > keys; chmod 600 keys
#	tclsh9.0 reuseport-server.tcl -ticketkeys keys
#	openssl s_time -connect 127.0.0.1:8010 -reuse -www / -time 5
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

package require tls

fconfigure stdout -buffering line
set script [file normalize [info script]]   ;# started again for the others

# usage --
#
#	Prints what is wrong and how to call the script, and exits with 2.

proc usage {message} {
    puts stderr "reuseport-server: $message"
    puts stderr "usage: tclsh reuseport-server.tcl ?-myaddr addr?\
	?-port port? ?-certfile file? ?-keyfile file? ?-processes n?\
	?-ticketkeys file? ?-connections n? ?-log boolean?"
    exit 2
}

# fail --
#
#	Reports an error that prevents the server from running; exits 1.

proc fail {message} {
    puts stderr "reuseport-server: error: $message"
    exit 1
}

# --- Command line ------------------------------------------------------

set myaddr 127.0.0.1
set port 8010
set certfile server.pem
set keyfile server.key
set processes 2
set ticketkeys ""
set connections 0
set log 1
set worker 0
for {set i 0} {$i < [llength $argv]} {incr i} {
    set arg [lindex $argv $i]
    switch -- $arg {
	-myaddr - -port - -certfile - -keyfile - -processes - -ticketkeys -
	-connections - -log - -worker {
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
if {![string is integer -strict $processes] || $processes < 1
	|| $processes > 64} {
    usage "-processes must be a number of processes from 1 to 64"
}
if {![string is integer -strict $connections] || $connections < 0} {
    usage "-connections must be a number of connections"
}
if {![string is boolean -strict $log] || ![string is boolean -strict $worker]} {
    usage "-log and -worker must be booleans"
}
if {[package vsatisfies [package provide Tcl] 8]} {
    fail "several processes on one port need Tcl 9 (socket -reuseport);\
	this is Tcl [info patchlevel]: run it with tclsh9.0, or use\
	threadpool-server.tcl, which works with Tcl 8.6"
}

# --- Connections (every process) -------------------------------------------

set me "process [pid]"
set ended 0             ;# connections ended, in all processes (first one)
array set peer {}       ;# channel -> address:port of the client
array set lines {}      ;# channel -> request lines read so far
array set status {}     ;# channel -> status of the answer being sent
array set left {}       ;# channel -> bytes of the answer still to write
set chunk [string repeat x 65536]

# accept --
#
#	Called by tls::socket -server for each connection, before its
#	handshake: the first read drives the handshake.

proc accept {chan addr port} {
    set ::peer($chan) $addr:$port
    set ::lines($chan) {}
    fconfigure $chan -blocking 0 -buffering full -translation {auto crlf}
    fileevent $chan readable [list request $chan]
}

# request --
#
#	Reads the request line and headers (a failed handshake shows up here
#	as an error of gets), then answers.

proc request {chan} {
    if {[catch {gets $chan line} n]} {
	finish $chan "error: $n"
	return
    }
    if {$n < 0} {
	if {[eof $chan]} {
	    finish $chan "closed before a request"
	} elseif {[chan pending input $chan] > 8192} {
	    finish $chan "request line too long"
	}
	return
    }
    if {$line ne "" && [llength $::lines($chan)] < 100} {
	lappend ::lines($chan) $line
	return
    }
    answer $chan [lindex $::lines($chan) 0]
}

# answer --
#
#	Writes the status line and headers, then the body: a line naming
#	this process, or N bytes written from a writable handler.

proc answer {chan requestLine} {
    fileevent $chan readable {}
    set body ""
    set size 0
    if {[regexp {^GET /(\d{0,10}) HTTP/1\.[01]$} $requestLine -> size]
	    && ($size eq "" || $size <= 1073741824)} {
	set status "200 OK"
	if {$size eq ""} {
	    set body "hello from $::me\n"
	    set size [string length $body]
	}
    } else {
	set status "400 Bad Request"
	set body "only GET / or GET /N (bytes)\n"
	set size [string length $body]
    }
    fconfigure $chan -translation crlf
    puts $chan "HTTP/1.0 $status\nContent-Length: $size\nConnection: close\n"
    fconfigure $chan -translation binary
    puts -nonewline $chan $body
    set ::left($chan) [expr {$size - [string length $body]}]
    set ::status($chan) $status
    fileevent $chan writable [list body $chan]
}

# body --
#
#	Writable handler: writes the next 64 KiB of the answer while Tcl has
#	little output queued, and closes when all is sent.

proc body {chan} {
    if {[catch {
	if {$::left($chan) > 0 && [chan pending output $chan] < 65536} {
	    set n [expr {min($::left($chan), 65536)}]
	    puts -nonewline $chan [string range $::chunk 0 $n-1]
	    incr ::left($chan) -$n
	}
	flush $chan
    } message]} {
	finish $chan "error: $message"
    } elseif {$::left($chan) == 0 && [chan pending output $chan] == 0} {
	finish $chan $::status($chan)
    }
}

# finish --
#
#	Closes a connection and reports it: the first process counts it, the
#	others print a line that the first one reads from their pipe.

proc finish {chan what} {
    if {![catch {tls::connection $chan} info]
	    && [dict exists $info session_reused]} {
	append what [expr {[dict get $info session_reused]
	    ? " (resumed)" : " (full handshake)"}]
    }
    catch {close $chan}
    set line "$::me: $::peer($chan): $what"
    unset -nocomplain ::peer($chan) ::lines($chan) ::status($chan) \
	::left($chan)
    if {$::worker} {
	puts "ended $line"
    } else {
	ended $line
    }
}

# --- The first process: starts the others, counts, stops them ---------------

array set others {}     ;# pipe -> PID of another process

# ended --
#
#	A connection of any process has ended: logs it and counts it; the
#	last one of -connections ends the server.

proc ended {line} {
    global ended connections log
    if {$log} {
	puts $line
    }
    incr ended
    if {$connections > 0 && $ended >= $connections} {
	set ::done 1
    }
}

# startOthers --
#
#	Starts the other processes on the port the first one listens on and
#	waits (at most 20 s) until each one listens too.

proc startOthers {port} {
    global argv processes others script
    for {set n 2} {$n <= $processes} {incr n} {
	set cmd [list [info nameofexecutable] $script {*}$argv \
	    -port $port -worker 1]
	set pipe [open |[list {*}$cmd 2>@stderr] r+]
	fconfigure $pipe -blocking 0 -buffering line
	set others($pipe) [pid $pipe]
	fileevent $pipe readable [list fromOther $pipe]
    }
    set timer [after 20000 {set ::listening timeout}]
    while {[incr ::ready 0] < $processes - 1 && $::listening ne "timeout"} {
	vwait ::listening
    }
    after cancel $timer
    if {$::listening eq "timeout"} {
	fail "the other processes did not start listening within 20 s"
    }
}
set ready 0
set listening ""

# fromOther --
#
#	Readable handler of another process's pipe: its "listening" line,
#	and a line per ended connection.

proc fromOther {pipe} {
    while {[gets $pipe line] >= 0} {
	if {[string match "ended *" $line]} {
	    ended [string range $line 6 end]
	} elseif {[string match "*listening on *" $line]} {
	    incr ::ready
	    set ::listening $line
	}
    }
    if {[eof $pipe]} {
	fileevent $pipe readable {}
	puts stderr "reuseport-server: process $::others($pipe) ended"
	set ::listening timeout
	set ::done 1
    }
}

# stopOthers --
#
#	Closes the pipes to the other processes: each sees the end of its
#	standard input and exits; close waits for it.

proc stopOthers {} {
    global others
    foreach pipe [array names others] {
	fileevent $pipe readable {}
	fconfigure $pipe -blocking 1
	catch {close $pipe}
    }
}

# --- Main --------------------------------------------------------------------

set ticketOpts {}
if {$ticketkeys ne ""} {
    set ticketOpts [list -ticketkeys $ticketkeys]
}
if {[catch {
    tls::socket -server accept -reuseport 1 -myaddr $myaddr \
	-certfile $certfile -keyfile $keyfile {*}$ticketOpts $port
} listener]} {
    fail $listener
}
set port [lindex [fconfigure $listener -sockname] 2]
if {$worker} {
    # Another process: serve until the first one closes our stdin.
    puts "$me: listening on $myaddr:$port"
    fileevent stdin readable {
	if {[catch {read stdin}] || [eof stdin]} {
	    set ::done 1
	}
    }
    vwait ::done
    exit 0
}
startOthers $port
set keys [expr {$ticketkeys eq "" ? "own ticket keys in each process"
    : "ticket keys from $ticketkeys"}]
puts "reuseport-server: $processes processes, $keys, listening on\
    $myaddr:$port"
vwait ::done
close $listener
stopOthers
puts "reuseport-server: $ended connections served, exiting"
exit 0
