# tcl-async-connect-reentry.tcl --
#
#	Reproduction, without tls, of the Tcl behaviour the re-entrancy
#	guard of TlsHandlerProc (generic/tlsEvents.c) works around: on a
#	non-blocking "socket -async" whose connect completed but was not
#	yet noticed, the first write finishes the connect inside the
#	socket's output procedure and reports "writable" to the channel
#	right there, so event handlers run before the write returns. For a
#	TLS layer that write is OpenSSL's, made from inside SSL_do_handshake.
#
#	It connects to a loopback listener with -async, waits 50 ms without
#	entering the event loop (the connect completes meanwhile), and
#	writes one byte with -buffering none: the writable handler notes
#	whether it ran inside that write or later from the event loop.
#
#	    tclsh8.6 tools/tcl-async-connect-reentry.tcl
#	    tools/tcl9.sh run 'tclsh9.0 tools/tcl-async-connect-reentry.tcl'
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

set listener [socket -server {apply {{s addr port} {set ::peer $s}}} \
	-myaddr 127.0.0.1 0]
set port [lindex [fconfigure $listener -sockname] 2]
set s [socket -async 127.0.0.1 $port]
fconfigure $s -blocking 0 -buffering none

set writing 0
set seen {}
fileevent $s writable {
    lappend ::seen [expr {$::writing ? "inside the write" : "event loop"}]
    fileevent $::s writable {}
}
after 50				;# No event loop: nothing noticed yet.
set writing 1
puts -nonewline $s x
set writing 0
set inWrite $seen
set timer [after 200 {set ::done 1}]
vwait done

puts "Tcl [info patchlevel]"
puts "  writable handler runs during the write: [expr {$inWrite eq "" ?
	"none" : $inWrite}]"
puts "  all runs, after 200 ms of event loop: [expr {$seen eq "" ?
	"none" : $seen}]"
puts "observed: the handler [expr {"inside the write" in $seen ?
	"ran inside the write" : "did not run inside the write"}]"
close $s
if {[info exists peer]} {
    close $peer
}
close $listener
