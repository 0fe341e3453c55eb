# threadpool-server.tcl --
#
#	A TLS server that uses several CPU cores from one process: the main
#	thread only accepts connections and hands each one, before its
#	handshake, to one of a pool of worker threads (Thread package,
#	thread::transfer), in turn. Each worker runs its own event loop and
#	drives the handshakes and the requests of its connections, so the
#	expensive part of TLS, the handshake's signature, runs on as many
#	cores as there are workers.
#
#	Why it works: tls::socket -server builds one SSL_CTX in the main
#	thread; every connection keeps a reference to it wherever it moves,
#	so all workers share its certificate, key and session ticket keys (a
#	client resumed by one worker is resumed by the others too). A
#	channel belongs to one thread at a time: after thread::transfer the
#	main thread must not touch it, and only the worker closes it.
#
#	The protocol is a small subset of HTTP/1.0: a request line
#	"GET /path HTTP/1.x" and header lines up to an empty line. "GET /"
#	answers a line naming the worker; "GET /N" (N a number of bytes, at
#	most 1 GiB) answers N bytes, written as the client reads them (flow
#	control), for bulk transfers. The connection is closed after the
#	answer. "openssl s_time -www /" can measure it.
#
# Usage:
#	tclsh threadpool-server.tcl ?-myaddr addr? ?-port port?
#	    ?-certfile file? ?-keyfile file? ?-workers n? ?-connections n?
#	    ?-log boolean?
#
#	-myaddr       address to listen on (default 127.0.0.1)
#	-port         port to listen on (default 8009; 0 lets the system
#	              choose, the port is printed)
#	-certfile     PEM file of the server certificate, optionally followed
#	              by intermediate CA certificates (default server.pem)
#	-keyfile      PEM file of its private key (default server.key)
#	-workers      number of worker threads (default 2: one per core)
#	-connections  exit after this many connections have ended, whether
#	              they succeeded or not (default 0: serve until killed)
#	-log          1 (default) prints a line per connection; 0 only the
#	              start and the end (for benchmarks)
#
#	Exit status: 0 after -connections connections, 1 if the server
#	cannot start (no Thread package, unreadable certificate), 2 for a
#	usage error.
#
# Try it with:
#	curl --cacert ca.pem https://localhost:8009/
#	openssl s_time -connect 127.0.0.1:8009 -new -www / -time 5
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

package require tls

fconfigure stdout -buffering line

# usage --
#
#	Prints what is wrong and how to call the script, and exits with 2.

proc usage {message} {
    puts stderr "threadpool-server: $message"
    puts stderr "usage: tclsh threadpool-server.tcl ?-myaddr addr?\
	?-port port? ?-certfile file? ?-keyfile file? ?-workers n?\
	?-connections n? ?-log boolean?"
    exit 2
}

# --- Command line ------------------------------------------------------

set myaddr 127.0.0.1
set port 8009
set certfile server.pem
set keyfile server.key
set workers 2
set connections 0
set log 1
for {set i 0} {$i < [llength $argv]} {incr i} {
    set arg [lindex $argv $i]
    switch -- $arg {
	-myaddr - -port - -certfile - -keyfile - -workers - -connections -
	-log {
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
if {![string is integer -strict $workers] || $workers < 1 || $workers > 64} {
    usage "-workers must be a number of threads from 1 to 64"
}
if {![string is integer -strict $connections] || $connections < 0} {
    usage "-connections must be a number of connections"
}
if {![string is boolean -strict $log]} {
    usage "-log must be a boolean"
}
if {[catch {package require Thread}]} {
    puts stderr "threadpool-server: error: this server needs the Thread\
	package (Debian: apt-get install tcl-thread)"
    exit 1
}

# --- The workers ---------------------------------------------------------

# The code every worker thread runs. serve is called (by thread::send)
# with a channel this thread has just received; the worker reports each
# ended connection to the main thread, which counts them.
set workerCode {
    package require tls
    fconfigure stdout -buffering line
    array set peer {}    ;# channel -> address:port of the client
    array set lines {}   ;# channel -> request lines read so far
    array set status {}  ;# channel -> status of the answer being sent
    array set left {}    ;# channel -> bytes of the answer still to write
    set served 0
    set chunk [string repeat x 65536]

    # Errors of event handlers are logged; the worker keeps serving.
    interp bgerror {} [list apply {{message options} {
	puts stderr "worker $::number: error: $message"
    }}]

    # serve --
    #	Takes over a connection whose handshake has not run yet: the
    #	first read drives it here, in this thread.
    proc serve {chan peer} {
	set ::peer($chan) $peer
	set ::lines($chan) {}
	fconfigure $chan -blocking 0 -buffering full -translation {auto crlf}
	fileevent $chan readable [list request $chan]
    }

    # request --
    #	Reads the request line and headers (a failed handshake shows up
    #	here as an error of gets), then starts the answer.
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
    #	Writes the status line and headers, then the body: a line naming
    #	this worker, or N bytes written from a writable handler.
    proc answer {chan requestLine} {
	fileevent $chan readable {}
	set body ""
	set size 0
	if {[regexp {^GET /(\d{0,10}) HTTP/1\.[01]$} $requestLine -> size]
		&& ($size eq "" || $size <= 1073741824)} {
	    set status "200 OK"
	    if {$size eq ""} {
		set body "hello from worker $::number\n"
		set size [string length $body]
	    }
	} else {
	    set status "400 Bad Request"
	    set body "only GET / or GET /N (bytes)\n"
	    set size [string length $body]
	}
	fconfigure $chan -translation crlf
	puts $chan "HTTP/1.0 $status"
	puts $chan "Content-Length: $size"
	puts $chan "Connection: close"
	puts $chan ""
	fconfigure $chan -translation binary
	puts -nonewline $chan $body
	set ::left($chan) [expr {$size - [string length $body]}]
	set ::status($chan) $status
	fileevent $chan writable [list body $chan]
    }

    # body --
    #	Writable handler: writes the next 64 KiB of the answer while Tcl
    #	has little output queued, then closes when all is sent.
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
    #	Closes a connection, logs it and tells the main thread.
    proc finish {chan what} {
	if {![catch {tls::connection $chan} info]
		&& [dict exists $info session_reused]} {
	    append what [expr {[dict get $info session_reused]
		? " (resumed)" : " (full handshake)"}]
	}
	catch {close $chan}
	if {$::log} {
	    puts "worker $::number: $::peer($chan): $what"
	}
	unset -nocomplain ::peer($chan) ::lines($chan) ::status($chan) \
	    ::left($chan)
	incr ::served
	thread::send -async $::main [list ended]
    }

    # stop --
    #	Closes whatever is still open; the main thread then releases us.
    proc stop {} {
	foreach chan [array names ::peer] {
	    catch {close $chan}
	}
	puts "worker $::number: served $::served connections"
    }
}

set pool {}
for {set n 1} {$n <= $workers} {incr n} {
    set tid [thread::create -preserved]
    thread::send $tid [list set auto_path $auto_path]
    thread::send $tid [list set ::number $n]
    thread::send $tid [list set ::main [thread::id]]
    thread::send $tid [list set ::log $log]
    thread::send $tid $workerCode
    lappend pool $tid
}

# --- The main thread -------------------------------------------------------

set next 0      ;# index in pool of the worker for the next connection
set ended 0     ;# connections the workers have finished

# accept --
#
#	Called by tls::socket -server for each new connection, before its
#	handshake. Tcl holds the channel until the callback returns (it is
#	"shared" until then), so the move is done just after, by handoff.

proc accept {chan addr port} {
    after 0 [list handoff $chan $addr:$port]
}

# handoff --
#
#	Moves a new connection to the next worker and lets it serve.
#	thread::transfer needs a channel that no event handler watches; this
#	thread must not use it afterwards.

proc handoff {chan peer} {
    global pool next
    set tid [lindex $pool $next]
    set next [expr {($next + 1) % [llength $pool]}]
    thread::transfer $tid $chan
    thread::send -async $tid [list serve $chan $peer]
}

# ended --
#
#	Called (thread::send -async) by a worker when a connection ended;
#	the last one of -connections ends the server.

proc ended {} {
    global ended connections
    incr ended
    if {$connections > 0 && $ended >= $connections} {
	set ::done 1
    }
}

if {[catch {
    tls::socket -server accept -myaddr $myaddr \
	-certfile $certfile -keyfile $keyfile $port
} listener]} {
    puts stderr "threadpool-server: error: $listener"
    foreach tid $pool {
	thread::release -wait $tid	;# Ended before the process exits.
    }
    exit 1
}
set port [lindex [fconfigure $listener -sockname] 2]
puts "threadpool-server: $workers workers, listening on $myaddr:$port"
vwait ::done

# Clean shutdown: no new connections, then every worker closes what it
# still has and ends (release -wait waits for the thread to exit).
close $listener
foreach tid $pool {
    thread::send $tid stop
    thread::release -wait $tid
}
puts "threadpool-server: $ended connections served, exiting"
exit 0
