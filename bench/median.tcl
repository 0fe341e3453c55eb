# median.tcl --
#
#	The statistics both bench/run.tcl (over repetitions) and
#	bench/tcl_client.tcl (over the connections or round trips of one
#	run) need; sourced by both, since they run in different processes.
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

# percentile --
#
#	The p-th percentile (0-100) of a non-empty list of numbers: the
#	smallest value that at least p percent of the values do not exceed
#	(nearest rank).

proc percentile {values p} {
    set s [lsort -real $values]
    set n [llength $s]
    set rank [expr {max(1, int(ceil($p / 100.0 * $n)))}]
    return [lindex $s [expr {$rank - 1}]]
}
