# tcl-spare-buffers.tcl --
#
#	Reproduction, without tls, of the Tcl behaviour the idle trim
#	(TlsTrimProc, generic/tlsEvents.c) works around: an idle channel
#	keeps its emptied input buffer, of the channel's -buffersize, and
#	no call gives it back; changing -buffersize frees it.
#
#	It accepts 40 loopback connections, sets -buffersize 1 MiB on the
#	server side (large, so that each buffer is its own mapping and the
#	process size shows it), reads one line on each, and prints how much
#	the data size of the process (VmData, Linux /proc) grew; then again
#	after changing each -buffersize by one byte and back.
#
#	    tclsh8.6 tools/tcl-spare-buffers.tcl
#	    tools/tcl9.sh run 'tclsh9.0 tools/tcl-spare-buffers.tcl'
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

# vmData --
#	The data size of this process in KiB, or "" without /proc.

proc vmData {} {
    if {[catch {open /proc/self/status} f]} {
	return ""
    }
    set status [read $f]
    close $f
    if {![regexp {VmData:\s+(\d+) kB} $status -> kb]} {
	return ""
    }
    return $kb
}

# grown --
#	Growth since the first measure, in MiB.

proc grown {kb} {
    return "[expr {($kb - $::before) / 1024}] MiB"
}

set n 40
set size 1048576
puts "Tcl [info patchlevel]: $n idle loopback connections, -buffersize $size"
if {[vmData] eq ""} {
    puts "no VmData in /proc/self/status on this system: nothing measured"
    exit 0
}

set accepted {}
set listener [socket -server {apply {{s addr port} {lappend ::accepted $s}}} \
	-myaddr 127.0.0.1 0]
set port [lindex [fconfigure $listener -sockname] 2]
set clients {}
for {set i 0} {$i < $n} {incr i} {
    lappend clients [socket 127.0.0.1 $port]
}
set timer [after 5000 {set ::accepted timeout}]
while {[llength $accepted] < $n && $accepted ne "timeout"} {
    vwait accepted
}
after cancel $timer
if {$accepted eq "timeout"} {
    puts "the connections were not accepted within 5 s: nothing measured"
    foreach s $clients {close $s}
    close $listener
    exit 0
}

foreach s $accepted {
    fconfigure $s -buffersize $size -translation lf
}
set before [vmData]
foreach c $clients {
    puts $c hello
    flush $c
}
foreach s $accepted {
    gets $s
}
set afterRead [vmData]
foreach s $accepted {
    fconfigure $s -buffersize [expr {$size - 1}]
    fconfigure $s -buffersize $size
}
set afterNudge [vmData]

puts "  after one line read on each:       +[grown $afterRead]"
puts "  after -buffersize changed and back: +[grown $afterNudge]"
puts "observed: [expr {($afterRead - $afterNudge) / 1024}] MiB of input\
	buffers kept by $n idle channels, freed by the -buffersize change"
foreach s [concat $clients $accepted] {
    close $s
}
close $listener
