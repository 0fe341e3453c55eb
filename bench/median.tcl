# median.tcl --
#
#	The one statistic both bench/run.tcl (over repetitions) and
#	bench/tcl_client.tcl (over the connections of one run) need; sourced
#	by both, since they run in different processes.
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

# median --
#
#	Median of a non-empty list of numbers.

proc median {values} {
    set s [lsort -real $values]
    set n [llength $s]
    if {$n % 2} {
	return [lindex $s [expr {$n / 2}]]
    }
    return [expr {([lindex $s [expr {$n / 2 - 1}]] \
	+ [lindex $s [expr {$n / 2}]]) / 2.0}]
}
