# soak-server.tcl --
#
#	The server of bench/soak.tcl: one event-driven Tcl process,
#
#	    tclsh soak-server.tcl pkiDir
#
#	listening on 127.0.0.1 (any port; prints "PORT n"). Every connection
#	is non-blocking and binary. Its first line chooses what it gets:
#
#	    ECHO     every following line is sent back
#	    DUPLEX   both directions stream frames (see soak-common.tcl) at
#	             full speed: the server sends until the client's stream
#	             has ended, then ends its own, then sends one line,
#	             "VERDICT ok" or "VERDICT bad ..." on the client's stream
#
#	The server runs until its standard input ends. On a line "STATS" it
#	prints "STATS open n peak p accepted a failed f" (connections open
#	now, most open at once, accepted in all, ended with an error).
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

source [file join [file dirname [info script]] soak-common.tcl]

namespace eval srv {
    variable open 0
    variable peak 0
    variable accepted 0
    variable failed 0
    variable duplex		;# array: per-connection duplex state
    array set duplex {}
}

proc srv::accept {chan addr port} {
    variable open
    variable peak
    variable accepted
    incr accepted
    incr open
    if {$open > $peak} {
	set peak $open
    }
    fconfigure $chan -blocking 0 -translation binary -buffering full
    fileevent $chan readable [list srv::first $chan]
}

proc srv::finish {chan {error ""}} {
    variable open
    variable failed
    variable duplex
    if {$error ne ""} {
	incr failed
    }
    incr open -1
    array unset duplex $chan,*
    catch {close $chan}
}

proc srv::first {chan} {
    if {[catch {gets $chan line} n]} {
	finish $chan $n
	return
    }
    if {$n < 0} {
	if {[eof $chan]} {
	    finish $chan
	}
	return
    }
    switch -- $line {
	ECHO {
	    fileevent $chan readable [list srv::echo $chan]
	    srv::echo $chan
	}
	DUPLEX {
	    duplexStart $chan
	}
	default {
	    finish $chan "bad request"
	}
    }
}

proc srv::echo {chan} {
    while 1 {
	if {[catch {gets $chan line} n]} {
	    finish $chan $n
	    return
	}
	if {$n < 0} {
	    break
	}
	puts $chan $line
    }
    if {[catch {flush $chan} msg]} {
	finish $chan $msg
	return
    }
    if {[eof $chan]} {
	finish $chan
    }
}

proc srv::duplexStart {chan} {
    variable duplex
    soak::readerInit $chan
    set duplex($chan,k) 0
    set duplex($chan,len) 0
    set duplex($chan,crc) 0
    set duplex($chan,stop) 0
    fileevent $chan readable [list srv::duplexRead $chan]
    fileevent $chan writable [list srv::duplexWrite $chan]
    # Bytes that came with the request line are already buffered.
    duplexRead $chan
}

proc srv::duplexRead {chan} {
    variable duplex
    if {[catch {soak::readerStep $chan} state]} {
	finish $chan $state
	return
    }
    switch -- $state {
	eof {
	    finish $chan "end of file inside the stream"
	}
	end {
	    # The client is done: end our stream, then judge theirs.
	    lassign [soak::readerResult $chan] len crc tlen tcrc order
	    fileevent $chan readable [list srv::drain $chan]
	    set duplex($chan,stop) 1
	    if {$len == $tlen && $crc == $tcrc && $order} {
		set duplex($chan,verdict) "VERDICT ok $len"
	    } else {
		set duplex($chan,verdict) [list VERDICT bad got $len $crc \
		    order $order trailer $tlen $tcrc]
	    }
	}
    }
}

proc srv::duplexWrite {chan} {
    variable duplex
    # Keep at most a few frames queued: full speed, bounded memory.
    if {[chan pending output $chan] > 262144} {
	return
    }
    if {[catch {
	if {$duplex($chan,stop)} {
	    puts -nonewline $chan [soak::trailer $duplex($chan,len) \
		$duplex($chan,crc)]
	    puts -nonewline $chan "$duplex($chan,verdict)\n"
	    flush $chan
	    fileevent $chan writable {}
	} else {
	    for {set i 0} {$i < 4} {incr i} {
		set payload [soak::chunk $duplex($chan,k)]
		incr duplex($chan,k)
		incr duplex($chan,len) [string length $payload]
		set duplex($chan,crc) [zlib crc32 $payload $duplex($chan,crc)]
		puts -nonewline $chan [soak::frame $payload]
	    }
	    flush $chan
	}
    } msg]} {
	finish $chan $msg
    }
}

# After the streams: wait for the client to close.
proc srv::drain {chan} {
    if {[catch {read $chan} msg]} {
	finish $chan $msg
    } elseif {[eof $chan]} {
	finish $chan
    }
}

proc srv::stdin {} {
    variable open
    variable peak
    variable accepted
    variable failed
    if {[gets stdin line] < 0} {
	if {[eof stdin]} {
	    exit 0
	}
	return
    }
    if {$line eq "STATS"} {
	puts "STATS open $open peak $peak accepted $accepted failed $failed"
    }
}

proc bgerror {msg} {
    puts stderr "soak-server background error: $msg"
}

soak::load
lassign $argv pki
fconfigure stdout -buffering line
set listener [tls::socket -server srv::accept -myaddr 127.0.0.1 \
    -certfile $pki/server-chain.pem -keyfile $pki/server.key 0]
puts "PORT [lindex [fconfigure $listener -sockname] 2]"
fileevent stdin readable srv::stdin
vwait forever
