# tcl_server.tcl --
#
#	Benchmark server in Tcl, started by bench/run.tcl:
#
#	    tclsh tcl_server.tcl impl mode kind
#
#	impl: ours, tcltls or plain (see tcl_common.tcl); mode: block (each
#	connection is served to its end in blocking mode, one at a time) or
#	event (non-blocking, fileevent driven, any number of connections);
#	kind: rsa or ec, the server certificate.
#
#	Prints "READY port" when listening on 127.0.0.1, then serves until
#	killed or until its standard input ends. A connection's first line
#	chooses what it gets:
#
#	    UP n      the server reads n bytes, then answers "OK\n"
#	    DOWN n    the server writes n bytes
#	    POST ...  (block mode) an HTTP/1.1 request: the server reads its
#	              header and Content-Length body, answers 200 "OK"
#	    other     the line and every following line are echoed
#
#	after which the server reads until the client closes. A client that
#	closes without sending anything (handshake benchmark) is just
#	closed. Channels keep Tcl's default -buffersize; bulk data moves in
#	64 KiB reads and writes (the event-driven upload reads them while
#	whole 64 KiB are available at each event).
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

source [file join [file dirname [info script]] tcl_common.tcl]

namespace eval bench {
    variable mode
    variable left		;# array chan -> bytes still to move
    array set left {}
}

# bench::Accept --
#
#	Accept callback. In block mode the connection is served from an
#	idle callback, outside tls::socket's accept handler.

proc bench::Accept {chan addr port} {
    variable mode
    if {$mode eq "block"} {
	after idle [list bench::Serve $chan]
    } else {
	fconfigure $chan -blocking 0 -translation binary
	fileevent $chan readable [list bench::OnLines $chan]
    }
}

# bench::Serve --
#
#	Block mode: serves one connection to its end.

proc bench::Serve {chan} {
    fconfigure $chan -blocking 1 -translation binary
    if {[catch {ServeBlocking $chan} msg]} {
	puts stderr "server: $msg"
    }
    catch {close $chan}
}

proc bench::ServeBlocking {chan} {
    if {[gets $chan line] < 0} {
	return
    }
    switch -glob -- $line {
	"UP *" {
	    set left [lindex $line 1]
	    while {$left > 0} {
		set data [read $chan [expr {min($left, 65536)}]]
		if {[string length $data] == 0 && [eof $chan]} {
		    error "end of file with $left bytes to go"
		}
		incr left -[string length $data]
	    }
	    puts -nonewline $chan "OK\n"
	    flush $chan
	}
	"POST *" {
	    ServePost $chan
	}
	"DOWN *" {
	    set left [lindex $line 1]
	    set chunk [Chunk]
	    while {$left >= 65536} {
		puts -nonewline $chan $chunk
		incr left -65536
	    }
	    if {$left > 0} {
		puts -nonewline $chan [string range $chunk 0 $left-1]
	    }
	    flush $chan
	}
	default {
	    while 1 {
		puts -nonewline $chan "$line\n"
		flush $chan
		if {[gets $chan line] < 0} {
		    return
		}
	    }
	}
    }
    while {![eof $chan]} {
	read $chan 65536
    }
}

# bench::ServePost --
#
#	Block mode: an HTTP/1.1 POST (the request line is read already):
#	reads the header and the Content-Length bytes of the body, answers
#	200 "OK" and leaves the connection to be closed by the client.

proc bench::ServePost {chan} {
    set left -1
    while {[gets $chan header] >= 0} {
	set header [string trimright $header \r]
	if {$header eq ""} {
	    break
	}
	regexp -nocase {^content-length:\s*([0-9]+)} $header -> left
    }
    if {$left < 0} {
	error "POST without Content-Length"
    }
    while {$left > 0} {
	set data [read $chan [expr {min($left, 65536)}]]
	if {[string length $data] == 0 && [eof $chan]} {
	    error "end of file with $left bytes of the body to go"
	}
	incr left -[string length $data]
    }
    puts -nonewline $chan "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
    puts -nonewline $chan "Content-Length: 2\r\nConnection: close\r\n\r\nOK"
    flush $chan
}

# bench::Drop --
#
#	Event mode: forgets and closes a connection.

proc bench::Drop {chan} {
    variable left
    unset -nocomplain left($chan)
    catch {close $chan}
}

# bench::OnLines --
#
#	Event mode, readable: reads the first line (and echoes lines).

proc bench::OnLines {chan} {
    variable left
    while 1 {
	if {[catch {gets $chan line} n]} {
	    Drop $chan
	    return
	}
	if {$n < 0} {
	    if {[eof $chan]} {
		Drop $chan
	    }
	    return
	}
	if {![info exists left($chan)]} {
	    set left($chan) echo
	    switch -glob -- $line {
		"UP *" {
		    set left($chan) [lindex $line 1]
		    fileevent $chan readable [list bench::OnUp $chan]
		    return
		}
		"DOWN *" {
		    set left($chan) [lindex $line 1]
		    fileevent $chan readable [list bench::OnEnd $chan]
		    fileevent $chan writable [list bench::OnDown $chan]
		    return
		}
	    }
	}
	if {[catch {
	    puts -nonewline $chan "$line\n"
	    flush $chan
	}]} {
	    Drop $chan
	    return
	}
    }
}

# bench::OnUp --
#
#	Event mode, readable, upload: reads 64 KiB at a time while whole
#	64 KiB are there (the Python server also reads until it would
#	block; one [read $chan] of everything available would instead build
#	a string as large as the sender is ahead).

proc bench::OnUp {chan} {
    variable left
    while 1 {
	set want [expr {min($left($chan), 65536)}]
	if {[catch {read $chan $want} data]} {
	    Drop $chan
	    return
	}
	set got [string length $data]
	incr left($chan) -$got
	if {$left($chan) <= 0 || $got < $want} {
	    break
	}
    }
    if {$left($chan) <= 0} {
	fileevent $chan readable [list bench::OnEnd $chan]
	if {[catch {
	    puts -nonewline $chan "OK\n"
	    flush $chan
	}]} {
	    Drop $chan
	}
    } elseif {[eof $chan]} {
	Drop $chan
    }
}

# bench::OnDown --
#
#	Event mode, writable, download: writes 64 KiB at a time until the
#	channel holds output back ([chan pending output] > 0: the kernel
#	took less than everything), at most 1 MiB per event. This is the
#	Tcl form of the Python server's "write until it would block"; one
#	64 KiB write per event would instead measure Tcl's event loop more
#	than the channel.

proc bench::OnDown {chan} {
    variable left
    set chunk [Chunk]
    for {set i 0} {$i < 16 && $left($chan) > 0} {incr i} {
	set n [expr {min($left($chan), 65536)}]
	if {$n < 65536} {
	    set chunk [string range $chunk 0 $n-1]
	}
	if {[catch {puts -nonewline $chan $chunk} msg]} {
	    Drop $chan
	    return
	}
	incr left($chan) -$n
	if {[chan pending output $chan] > 0} {
	    break
	}
    }
    if {$left($chan) <= 0} {
	fileevent $chan writable {}
	catch {flush $chan}
    }
}

# bench::OnEnd --
#
#	Event mode, readable once the work is done: waits for the close.

proc bench::OnEnd {chan} {
    if {[catch {read $chan 65536}] || [eof $chan]} {
	Drop $chan
    }
}

proc bench::StdinEvent {} {
    if {[catch {gets stdin line} n] || ($n < 0 && [eof stdin])} {
	exit 0
    }
}

lassign $argv impl bench::mode kind
if {$bench::mode ni {block event} || $kind ni {rsa ec}} {
    bench::Fail "usage: tcl_server.tcl ours|tcltls|plain block|event rsa|ec"
}
bench::Load $impl
set port [bench::Listen bench::Accept $kind]
fconfigure stdin -blocking 0
fileevent stdin readable bench::StdinEvent
puts "READY $port"
flush stdout
vwait forever
