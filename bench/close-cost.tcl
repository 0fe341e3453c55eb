# close-cost.tcl --
#
#	Cost of opening and closing one TLS layer while N others are open in
#	the same interpreter (issue 11, defect 7: each connection used to
#	register its own interpreter-deletion callback, which a close removed
#	by a linear scan). The layers are stacked on reflected channels that
#	do nothing, so no descriptors are needed; the idle queue is drained
#	after opening them, as the event loop of a real program would.
#
#	    tclsh8.6 bench/close-cost.tcl BUILDDIR ?N ...?
#
#	prints, for each N (default 100 5000 20000), the microseconds per
#	tls::import + close, averaged over 500. Give one N per run for
#	figures to compare (Tcl's hash tables keep the size they grew to).
#	Measured 2026-12-06, N=20000: 174 us before the fix, 10.7 us after;
#	N=100: 10 us either way.
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

set build [lindex $argv 0]
set counts [lrange $argv 1 end]
if {$build eq ""} {
    puts stderr "usage: tclsh8.6 bench/close-cost.tcl BUILDDIR ?N ...?"
    exit 2
}
if {![llength $counts]} {
    set counts {100 5000 20000}
}
set auto_path [linsert $auto_path 0 $build]
package require tls

proc nullchan {cmd chan args} {
    switch -- $cmd {
	initialize {return {initialize finalize watch read write}}
	read {return -code error EAGAIN}
	write {return [string length [lindex $args 0]]}
    }
}

proc open1 {} {
    tls::import [chan create {read write} nullchan] -servername example.org
}

foreach n $counts {
    set keep {}
    for {set i 0} {$i < $n} {incr i} {
	lappend keep [open1]
    }
    update idletasks
    set t0 [clock microseconds]
    for {set i 0} {$i < 500} {incr i} {
	close [open1]
    }
    set us [expr {([clock microseconds] - $t0) / 500.0}]
    puts [format "N=%-6d %7.1f us per tls::import + close" $n $us]
    foreach c $keep {
	close $c
    }
}
