# multicore.tcl --
#
#	What one and two workers of the multi-core example servers give on
#	this machine: full and resumed handshakes per second and bulk
#	download throughput, with examples/threadpool-server.tcl (worker
#	threads, any Tcl with the Thread package) and, under Tcl 9, with
#	examples/reuseport-server.tcl (worker processes on one port). Prints
#	a Markdown table with the scaling factor (2 workers / 1 worker).
#
#	    TLS_BUILD_DIR=/path/to/build tclsh bench/multicore.tcl ?option ...?
#
#	Options:
#	  --time S        seconds of each measurement (default 4)
#	  --reps N        repetitions, 1 and 2 workers interleaved; the
#	                  table shows medians (default 3)
#	  --clients N     client processes in parallel (default 2)
#	  --bits N        RSA key size of the server (default 4096; 8192
#	                  takes some 10 s to make, and makes the server's
#	                  share larger still)
#	  --results FILE  replace the table in FILE (bench/RESULTS.md)
#	                  between <!-- multicore-table:tclN:start --> and
#	                  <!-- multicore-table:tclN:end -->, N the major
#	                  version of this Tcl (one table for each)
#
#	The load comes from "openssl s_time" (C, lean: most of the CPU a
#	handshake costs is the server's), N processes at once: -new for full
#	handshakes, -reuse for resumed ones, "-new -www /N" for downloads of
#	N bytes per connection. The server's certificate has an RSA-4096 key:
#	its signature (some 4 ms of server CPU) dominates a full handshake,
#	while the client's verification costs about 0.1 ms. Server CPU is
#	read from /proc (all threads, and the other processes of the
#	reuseport server) around each measurement, the clients' from the
#	shell's "times". With 2 cores, what the clients use is taken from
#	the servers: the table shows both, and how busy the machine was.
#
#	Helpers come from bench/run.tcl (PKI, build snapshot, processes,
#	/proc statistics). Runs in about 2 minutes with the defaults under
#	Tcl 8.6 (twice that under Tcl 9, which measures both servers).
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

package require Tcl 8.6-
namespace eval run {variable library 1}
source [file join [file dirname [file normalize [info script]]] run.tcl]

namespace eval mc {
    variable time 4
    variable reps 3
    variable clients 2
    variable bits 4096
    variable results ""
    variable bulkSize 8388608	;# bytes per connection of the bulk figure
    variable cert ""
    variable key ""
    variable ncpu 1		;# CPUs of the machine
    variable ticketKeys 1	;# reuseport-server.tcl gets -ticketkeys
    variable data		;# array mode,workers,metric -> list of values
    array set data {}
}

proc mc::Usage {msg} {
    puts stderr "multicore.tcl: $msg"
    puts stderr "usage: tclsh bench/multicore.tcl ?--time S? ?--reps N?\
	?--clients N? ?--bits N? ?--results FILE?"
    exit 2
}

# mc::ParseArgs --
#
#	Options of the command line into the namespace's variables.

proc mc::ParseArgs {argv} {
    foreach {opt value} $argv {
	switch -- $opt {
	    --time - --reps - --clients - --bits {
		if {![string is integer -strict $value] || $value < 1} {
		    Usage "$opt needs a positive integer"
		}
		variable [string range $opt 2 end] $value
	    }
	    --results {
		variable results [file normalize $value]
	    }
	    default {
		Usage "unknown option \"$opt\""
	    }
	}
    }
    if {[llength $argv] % 2} {
		Usage "[lindex $argv end] needs a value"
    }
}

# mc::MakeCert --
#
#	An RSA localhost certificate (--bits) from run.tcl's CA.

proc mc::MakeCert {} {
    variable cert
    variable key
    variable bits
    set pki $::run::pki
    set key [file join $pki server.key]
    set cert [file join $pki server.pem]
    run::Openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:$bits \
	-out $key
    run::Openssl req -new -key $key -subj "/O=tls-bench/CN=localhost" \
	-out $pki/server.csr
    run::Openssl x509 -req -in $pki/server.csr -CA $pki/ca.pem \
	-CAkey $pki/ca.key -set_serial 8192 -days 2 \
	-extfile $pki/ext.cnf -out $cert
}

# mc::StartServer --
#
#	Starts the example server of mode (threads or processes) with n
#	workers; returns {chan port pids}, pids being every process of the
#	server (the reuseport server's first process starts the others).

proc mc::StartServer {mode n} {
    variable cert
    variable key
    variable ticketKeys
    set examples [file join [file dirname $::run::dir] examples]
    if {$mode eq "threads"} {
	set cmd [list [info nameofexecutable] \
	    [file join $examples threadpool-server.tcl] -workers $n]
    } else {
	set cmd [list [info nameofexecutable] \
	    [file join $examples reuseport-server.tcl] -processes $n]
	if {$ticketKeys} {
	    set keys [file join $::run::pki ticket.keys]
	    run::Openssl rand -out $keys 80
	    lappend cmd -ticketkeys $keys
	}
    }
    lappend cmd -port 0 -log 0 -certfile $cert -keyfile $key
    set errFile [file join $::run::tmp server.err]
    set chan [run::Start $cmd $errFile]
    if {[catch {
	while {![regexp {listening on [^ ]*:(\d+)} \
		[run::ReadLine $chan 30000] -> port]} {}
    } msg]} {
	run::Stop $chan
	set fd [open $errFile r]
	set err [read $fd]
	close $fd
	if {$ticketKeys && [string match *-ticketkeys* $err]} {
	    # A build without -ticketkeys (issue 19): each process keeps
	    # keys of its own, and the table says so.
	    set ticketKeys 0
	    return [StartServer $mode $n]
	}
	error "[file tail [lindex $cmd 1]]: $msg: $err"
    }
    set pids [pid $chan]
    foreach f [glob -nocomplain /proc/[lindex $pids 0]/task/*/children] {
	set fd [open $f r]
	lappend pids {*}[read $fd]
	close $fd
    }
    return [list $chan $port $pids]
}

# mc::ServerCpu --
#
#	CPU seconds used so far by the processes pids.

proc mc::ServerCpu {pids} {
    set cpu 0
    foreach pid $pids {
	set cpu [expr {$cpu + [dict get [run::ProcStat $pid] cpu]}]
    }
    return $cpu
}

# mc::Load --
#
#	Runs the clients (openssl s_time with the arguments given) against
#	port, all at once, and returns a dict: wall (s), conns, reused
#	(connections that s_time marked resumed), bytes (per connection),
#	ccpu (CPU s of the clients).

proc mc::Load {port args} {
    variable clients
    variable time
    set pipes {}
    set start [clock milliseconds]
    for {set i 0} {$i < $clients} {incr i} {
	set cmd [list openssl s_time -connect 127.0.0.1:$port -time $time \
	    {*}$args]
	set pipe [open |[list sh -c {"$@" 2>&1; times} sh {*}$cmd] r]
	fconfigure $pipe -blocking 0
	set ::mc::out($pipe) ""
	fileevent $pipe readable [list mc::Collect $pipe]
	lappend pipes $pipe
    }
    set limit [after [expr {($time + 60) * 1000}] {set ::mc::ended timeout}]
    while {[llength [array names ::mc::out]] > [llength [array names \
	    ::mc::done]] && [set ::mc::ended] ne "timeout"} {
	vwait ::mc::ended
    }
    after cancel $limit
    set wall [expr {([clock milliseconds] - $start) / 1000.0}]
    set result [dict create wall $wall conns 0 reused 0 bytes 0 ccpu 0]
    foreach pipe $pipes {
	set text $::mc::out($pipe)
	catch {close $pipe}
	if {![regexp {(\d+) connections in \S+ real seconds, (\d+) bytes} \
		$text -> conns bytes]} {
	    error "openssl s_time $args: [string range $text end-600 end]"
	}
	dict incr result conns $conns
	dict set result bytes $bytes
	# s_time prints a progress character per connection: r if resumed,
	# t, 3 or * if not.
	set at [string first "session id reuse." $text]
	if {$at >= 0} {
	    foreach marks [regexp -all -inline -line {^[rt3*]+$} \
		    [string range $text $at end]] {
		dict incr result reused [regexp -all {r} $marks]
	    }
	}
	# The last line of "times": the children's user and system time.
	set last [lindex [split [string trim $text] \n] end]
	foreach t $last {
	    regexp {(\d+)m([\d.]+)s} $t -> m s
	    dict set result ccpu [expr {[dict get $result ccpu]
		+ $m * 60 + $s}]
	}
    }
    array unset ::mc::out
    array unset ::mc::done
    return $result
}
set ::mc::ended ""

proc mc::Collect {pipe} {
    append ::mc::out($pipe) [read $pipe]
    if {[eof $pipe]} {
	fileevent $pipe readable {}
	set ::mc::done($pipe) 1
	set ::mc::ended $pipe
    }
}

# mc::Measure --
#
#	One repetition of the three figures for mode and n workers; appends
#	the values to data(mode,n,metric).

proc mc::Measure {mode n} {
    variable data
    variable bulkSize
    variable ncpu
    lassign [StartServer $mode $n] chan port pids
    try {
	foreach {fig args} [list full {-new -www /} resumed {-reuse -www /} \
		bulk [list -new -www /$bulkSize]] {
	    set before [ServerCpu $pids]
	    set r [Load $port {*}$args]
	    set scpu [expr {[ServerCpu $pids] - $before}]
	    set conns [dict get $r conns]
	    set wall [dict get $r wall]
	    set ccpu [dict get $r ccpu]
	    if {$fig eq "bulk"} {
		lappend data($mode,$n,bulk) [expr {$conns
		    * [dict get $r bytes] / $wall / 1048576.0}]
	    } else {
		lappend data($mode,$n,$fig) [expr {$conns / $wall}]
		lappend data($mode,$n,$fig.scpu) [expr {$scpu * 1000.0
		    / max($conns, 1)}]
		lappend data($mode,$n,$fig.share) [expr {100.0 * $ccpu
		    / max($ccpu + $scpu, 0.001)}]
	    }
	    if {$fig eq "resumed"} {
		lappend data($mode,$n,resumed.pct) [expr {100.0
		    * [dict get $r reused] / max($conns, 1)}]
	    }
	    lappend data($mode,$n,$fig.busy) [expr {100.0 * ($ccpu + $scpu)
		/ $wall / $ncpu}]
	}
    } finally {
	run::Stop $chan
    }
}

# mc::Med --
#
#	Median of the values of key, formatted; "-" when none.

proc mc::Med {key {format %.0f}} {
    variable data
    if {![info exists data($key)]} {
	return -
    }
    return [format $format [median $data($key)]]
}

# mc::Table --
#
#	The Markdown table of the medians, with the scaling rows.

proc mc::Table {modes} {
    variable data
    set ceilings {}
    set rows [list "| server | workers | full hs/s | server CPU ms/full hs\
	| client CPU share | CPU busy | resumed hs/s (resumed %)\
	| download MiB/s |" "|---|---|---|---|---|---|---|---|"]
    foreach mode $modes {
	set name [expr {$mode eq "threads" ? "threadpool-server.tcl"
	    : $::mc::ticketKeys ? "reuseport-server.tcl -ticketkeys"
	    : "reuseport-server.tcl (own keys)"}]
	foreach n {1 2} {
	    set k $mode,$n
	    lappend rows "| $name | $n | [Med $k,full]\
		| [Med $k,full.scpu %.2f] | [Med $k,full.share]%\
		| [Med $k,full.busy]% | [Med $k,resumed]\
		([Med $k,resumed.pct]%) | [Med $k,bulk] |"
	}
	set cells {}
	foreach fig {full resumed bulk} {
	    if {[info exists data($mode,1,$fig)]} {
		lappend cells [format %.2fx [expr {[median $data($mode,2,$fig)]
		    / max([median $data($mode,1,$fig)], 1e-9)}]]
	    } else {
		lappend cells -
	    }
	}
	lassign $cells full resumed bulk
	lappend rows "| $name | **2 / 1** | **$full** | | | | **$resumed**\
	    | **$bulk** |"
	# Both sides share the cores: with a client costing the share c of
	# a handshake's CPU, 2 workers reach at most 2 (1 - c) times 1.
	if {[info exists data($mode,1,full.share)]} {
	    lappend ceilings "$name [format %.2fx [expr {2 * (1 - [median \
		$data($mode,1,full.share)] / 100.0)}]]"
	}
    }
    set text [join $rows \n]
    if {[llength $ceilings]} {
	append text "\n\nCeiling for full handshakes with 2 workers when the\
	    clients run on the same cores, 2 × (1 − client CPU share):\
	    [join $ceilings {, }]."
    }
    return $text
}

# mc::ReplaceBlock --
#
#	Replaces the lines between the multicore-table markers of file for
#	this Tcl's major version.

proc mc::ReplaceBlock {file text} {
    set fd [open $file r]
    set old [read $fd]
    close $fd
    set tag multicore-table:tcl[lindex [split [info tclversion] .] 0]
    set start "<!-- $tag:start -->"
    set end "<!-- $tag:end -->"
    set a [string first $start $old]
    set b [string first $end $old]
    if {$a < 0 || $b < $a} {
	error "no $start ... $end lines in $file"
    }
    set new [string range $old 0 [expr {$a + [string length $start] - 1}]]
    append new \n $text \n [string range $old $b end]
    set fd [open $file w]
    puts -nonewline $fd $new
    close $fd
}

proc mc::Main {argv} {
    variable reps
    variable time
    variable clients
    variable results
    variable ncpu
    variable bits
    ParseArgs $argv
    set ::run::tmp [file join [expr {[file isdirectory /dev/shm] ? "/dev/shm"
	: "/tmp"}] tls-multicore-[pid]]
    file mkdir $::run::tmp
    run::MakePki
    MakeCert
    set build [run::SnapshotBuild]
    set ::env(TCLLIBPATH) [list $::env(TLS_BUILD_DIR)]
    set modes {}
    if {![catch {package require Thread}]} {
	lappend modes threads
    }
    if {[package vsatisfies [package provide Tcl] 9]} {
	lappend modes processes
    }
    if {![llength $modes]} {
	error "no Thread package and no Tcl 9: nothing to measure"
    }
    set ncpu [llength [lsearch -all -regexp [split [exec cat /proc/cpuinfo] \
	\n] {^processor\s}]]
    run::Say "build $build, Tcl [info patchlevel],\
	[lrange [exec openssl version] 0 1], $ncpu CPUs,\
	load average [run::LoadAverage]; RSA-$bits server key,\
	$clients s_time clients,\
	${time} s per figure, $reps repetitions"
    for {set rep 1} {$rep <= $reps} {incr rep} {
	foreach mode $modes {
	    foreach n {1 2} {
		run::Say "repetition $rep: $mode, $n worker(s)"
		Measure $mode $n
	    }
	}
    }
    set table [Table $modes]
    set note "Tcl [info patchlevel], $ncpu CPUs, RSA-$bits server key,\
	$clients s_time clients,\
	$time s per figure, medians of $reps; load average at the end\
	[run::LoadAverage]; [clock format [clock seconds] -format %Y-%m-%d\
	-gmt 1]."
    run::Say \n$table\n\n$note
    if {$results ne ""} {
	ReplaceBlock $results "$table\n\n$note"
	run::Say "Table replaced in $results"
    }
}

if {[catch {mc::Main $argv} msg]} {
    puts stderr "multicore.tcl: $msg"
    run::Cleanup
    exit 1
}
run::Cleanup
exit 0
