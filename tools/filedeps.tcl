#!/usr/bin/env tclsh
# filedeps.tcl --
#
#	Which C file of the extension calls which other: for every function
#	defined in generic/ or unix/ with external linkage (a name at the
#	start of a line followed by "(", not static), the file that defines
#	it; then, for each file, the other files whose functions it names.
#	Prints one line per file and every cycle between files (none is
#	the rule, see doc/HACKING.md). Exit status 1 if there is a cycle.
#
#	    tclsh tools/filedeps.tcl
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

set top [file dirname [file dirname [file normalize [info script]]]]
set files [lsort [glob -directory $top generic/*.c unix/*.c]]

proc readFile {path} {
    set f [open $path]
    set text [read $f]
    close $f
    # Comments name functions without calling them.
    regsub -all {/\*.*?\*/} $text {} text
    return $text
}

# Definitions: "Name(" at the start of a line, after a line that is not
# "static ...".
foreach path $files {
    set short [file tail $path]
    set text($short) [readFile $path]
    set prev ""
    foreach line [split $text($short) \n] {
	if {[regexp {^(Tls[A-Za-z0-9_]*)\(} $line -> name]
		&& ![string match static* $prev]} {
	    set owner($name) $short
	}
	set prev $line
    }
}

set status 0
foreach short [lsort [array names text]] {
    set uses {}
    foreach name [regexp -all -inline {\mTls[A-Za-z0-9_]*(?=\()} \
	    $text($short)] {
	if {[info exists owner($name)] && $owner($name) ne $short} {
	    lappend uses $owner($name)
	}
    }
    set deps($short) [lsort -unique $uses]
    puts "$short: [join $deps($short) {, }]"
}

# Cycles: a depth-first search from every file.
proc visit {node path} {
    global deps cycles
    foreach next $deps($node) {
	set i [lsearch -exact $path $next]
	if {$i >= 0} {
	    set cycle [lrange $path $i end]
	    # One rotation per cycle: start at its smallest name.
	    set min [lindex [lsort $cycle] 0]
	    set j [lsearch -exact $cycle $min]
	    set cycles([concat [lrange $cycle $j end] [lrange $cycle 0 [expr {$j-1}]]]) 1
	} elseif {[llength $path] < 12} {
	    visit $next [concat $path [list $next]]
	}
    }
}
array set cycles {}
foreach short [array names deps] {
    visit $short [list $short]
}
foreach cycle [lsort [array names cycles]] {
    puts "cycle: [join $cycle { -> }] -> [lindex $cycle 0]"
    set status 1
}
if {!$status} {
    puts "no cycles"
}
exit $status
