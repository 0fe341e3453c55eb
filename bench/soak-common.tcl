# soak-common.tcl --
#
#	Shared by bench/soak-server.tcl and bench/soak-client.tcl, the two
#	processes that bench/soak.tcl starts. Loads tls from
#	$env(TLS_BUILD_DIR) (and checks that the shared library came from
#	there), and gives both sides the framed data stream of the duplex
#	phase.
#
#	Duplex stream, the same in both directions: frames of a 4-byte
#	big-endian length and that many bytes; a frame of length 0 ends the
#	stream and is followed by 12 bytes: the total payload length (8 bytes,
#	big-endian) and its CRC-32 (4 bytes, zlib crc32). The payload is
#	chunk k = k as 8 hex digits + 64 KiB - 8 pseudo-random bytes, for
#	k = 0, 1, 2, ..., so the receiver can also check the order.
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

namespace eval soak {
    variable block ""		;# 64 KiB - 8 pseudo-random bytes
}

proc soak::fail {msg} {
    puts stderr "[file tail $::argv0]: $msg"
    exit 1
}

# soak::load --
#	Loads tls from $env(TLS_BUILD_DIR) and returns its version.

proc soak::load {} {
    global env auto_path
    if {![info exists env(TLS_BUILD_DIR)]} {
	fail "TLS_BUILD_DIR is not set"
    }
    set dir [file normalize $env(TLS_BUILD_DIR)]
    set auto_path [linsert $auto_path 0 $dir]
    set version [package require tls]
    foreach entry [info loaded] {
	lassign $entry file prefix
	if {[string equal -nocase $prefix tls]
		&& [string first $dir/ [file normalize $file]] != 0} {
	    fail "tls was loaded from $file, not from $dir"
	}
    }
    return $version
}

# soak::chunk --
#	Payload chunk k of the duplex stream. Everything stays a byte array
#	(binary format), so no conversion to characters costs time.

proc soak::chunk {k} {
    variable block
    if {[string length $block] == 0} {
	set x 20240601
	set bytes {}
	for {set i 8} {$i < 65536} {incr i} {
	    set x [expr {($x * 1103515245 + 12345) & 0x7fffffff}]
	    lappend bytes [expr {($x >> 16) & 0xff}]
	}
	set block [binary format c* $bytes]
    }
    binary format a8a* [format %08x $k] $block
}

# soak::frame --
#	A data frame holding payload.

proc soak::frame {payload} {
    binary format Ia* [string length $payload] $payload
}

# soak::trailer --
#	The end of a stream that carried len bytes with CRC crc.

proc soak::trailer {len crc} {
    binary format IWI 0 $len $crc
}

# Stream reader. soak::readerInit chan sets up the state; soak::readerStep
# chan consumes what the (non-blocking, binary) channel has, and returns
# "more" while the stream goes on, "end" after the trailer (then
# soak::readerResult gives {length crc trailerLength trailerCrc inOrder}),
# or "eof" if the channel ended before the trailer.

proc soak::readerInit {chan} {
    variable rd
    set rd($chan,need) 4		;# bytes still wanted for this piece
    set rd($chan,piece) header	;# header, payload or trailer
    set rd($chan,buf) ""
    set rd($chan,len) 0
    set rd($chan,crc) 0
    set rd($chan,next) 0		;# expected chunk index
    set rd($chan,order) 1
    set rd($chan,trailer) {}
}

proc soak::readerStep {chan} {
    variable rd
    # At most 16 pieces per call: a peer that sends faster than we read
    # must not keep us from the rest of the event loop (our writes).
    for {set pieces 0} {$pieces < 16} {} {
	set data [read $chan $rd($chan,need)]
	# (No "eq" on binary data: it would give the byte array a string
	# form, and every later string operation would be slow.)
	if {[string length $data] == 0} {
	    return [expr {[eof $chan] ? "eof" : "more"}]
	}
	append rd($chan,buf) $data
	incr rd($chan,need) -[string length $data]
	if {$rd($chan,need) > 0} {
	    continue
	}
	set buf $rd($chan,buf)
	set rd($chan,buf) ""
	incr pieces
	switch -- $rd($chan,piece) {
	    header {
		binary scan $buf Iu n
		if {$n == 0} {
		    set rd($chan,piece) trailer
		    set rd($chan,need) 12
		} else {
		    set rd($chan,piece) payload
		    set rd($chan,need) $n
		}
	    }
	    payload {
		if {[string range $buf 0 7] ne [format %08x $rd($chan,next)]} {
		    set rd($chan,order) 0
		}
		incr rd($chan,next)
		incr rd($chan,len) [string length $buf]
		set rd($chan,crc) [zlib crc32 $buf $rd($chan,crc)]
		set rd($chan,piece) header
		set rd($chan,need) 4
	    }
	    trailer {
		binary scan $buf WuIu tlen tcrc
		set rd($chan,trailer) [list $tlen $tcrc]
		return end
	    }
	}
    }
    return more
}

proc soak::readerResult {chan} {
    variable rd
    set r [list $rd($chan,len) $rd($chan,crc) {*}$rd($chan,trailer) \
	$rd($chan,order)]
    array unset rd $chan,*
    return $r
}

# soak::rss pid / soak::fds pid --
#	VmRSS in KiB and the number of open descriptors of a process.

proc soak::rss {{pid ""}} {
    if {$pid eq ""} {
	set pid [pid]
    }
    set f [open /proc/$pid/status r]
    set text [read $f]
    close $f
    regexp -line {^VmRSS:\s+(\d+)} $text -> kb
    return $kb
}

proc soak::fds {{pid ""}} {
    if {$pid eq ""} {
	set pid [pid]
    }
    llength [glob -nocomplain -directory /proc/$pid/fd *]
}

# soak::cpu pid --
#	CPU time (user + system) a process has used so far, in seconds.

proc soak::cpu {{pid ""}} {
    if {$pid eq ""} {
	set pid [pid]
    }
    set f [open /proc/$pid/stat r]
    set stat [read $f]
    close $f
    # Fields after the command name (which may hold spaces): state is
    # field 3, utime and stime are fields 14 and 15, in clock ticks.
    set rest [string range $stat [expr {[string last ")" $stat] + 2}] end]
    lassign [lrange $rest 11 12] utime stime
    return [expr {($utime + $stime) / 100.0}]
}
