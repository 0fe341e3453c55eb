# profile.tcl --
#
#	"Where the time goes": measurements behind bench/RESULTS.md, with
#	the same servers, clients, PKI and package snapshot as run.tcl.
#
#	    TLS_BUILD_DIR=/path/to/build tclsh bench/profile.tcl ?--only LIST?
#	        ?--impls LIST? ?--bytes N? ?--handshakes N? ?--keep DIR?
#
#	Parts (--only, comma separated; default all; about 10 minutes):
#	  strace    syscall counts (strace -c -f, attached to client and
#	            server for the measured part only) of uploads and
#	            downloads of --bytes (default 64 MiB) with the blocking
#	            and the event-driven server, with client fcopy and the
#	            http package's -querychannel upload, and
#	            per full handshake (RSA-2048, -cafile)
#	  callgrind instructions per full handshake (RSA-2048, -cafile), each
#	            side under valgrind --tool=callgrind with instrumentation
#	            switched on only for the measured loop of --handshakes
#	            connections (default 30), and the functions with the
#	            largest inclusive share
#	  perf      where the CPU time of the same transfers goes (at least
#	            256 MiB; perf record -e cpu-clock, attached for the
#	            measured part; this machine has no hardware counters):
#	            share per library and top symbols
#	  massif    heap growth per idle connection (200 connections,
#	            valgrind --tool=massif, snapshots taken through vgdb
#	            before and after) of each event-driven server and of
#	            each client, after one echoed line and right after the
#	            handshake, with the allocation paths that grew most
#	            (run with a tclsh built with -DPURIFY to see each of
#	            Tcl's allocations: bench/RESULTS.md, "Server <= 14 KiB")
#	  rtt       per line round trip on one open connection (blocking
#	            client, event-driven server; --roundtrips, default
#	            2000): system calls of each side (strace -f; polls
#	            are pselect6/epoll_wait with a zero timeout) and
#	            instructions of each side (callgrind, every thread, the
#	            measured loop only), with the functions with the largest
#	            inclusive share
#	--keep DIR keeps the raw outputs (strace, callgrind, perf files).
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

namespace eval run {
    variable library 1
}
source [file join [file dirname [file normalize [info script]]] run.tcl]

namespace eval prof {
    variable parts {strace callgrind perf massif rtt}
    variable impls {ours python tcltls plain}
    variable bytes [expr {64 << 20}]
    variable handshakes 30
    variable roundtrips 2000
    variable keep ""
    variable out ""		;# directory of raw outputs
    variable onMark ""		;# script for the client's MARK (see Case)
}

# prof::Attach --
#
#	Starts a tool (a command list ending where the PID goes) attached to
#	pid; returns the tool's PID. Its stderr goes to errFile.

proc prof::Attach {cmd pid errFile} {
    set toolPid [exec {*}$cmd $pid 2>> $errFile &]
    lappend ::run::children $toolPid
    return $toolPid
}

# prof::Detach --
#
#	Stops an attached tool with SIGINT (strace and perf then write their
#	results) and waits until it has exited.

proc prof::Detach {toolPid} {
    catch {exec kill -INT $toolPid}
    for {set i 0} {$i < 200} {incr i} {
	if {![file exists /proc/$toolPid]} {
	    break
	}
	# A zombie: our child, which Tcl reaps at the next exec.
	if {![catch {open /proc/$toolPid/stat r} fd]} {
	    set state [lindex [read $fd] 2]
	    close $fd
	    if {$state eq "Z"} {
		catch {exec true}
		break
	    }
	}
	after 50
    }
    set i [lsearch -exact $::run::children $toolPid]
    if {$i >= 0} {
	set ::run::children [lreplace $::run::children $i $i]
    }
}

# prof::Case --
#
#	One client/server run like run::RunCase, with hooks:
#	  wrap     list prefix for both command lines (e.g. valgrind ...)
#	  onPrep   script run with variables spid and cpid set, when the
#	           client is ready (before the measured part)
#	  onDone   script run after the client's result (variable r)
#	and prof::onMark, run when the client says MARK (memory test).
#	The server is stopped by closing its standard input (so that tools
#	such as callgrind see a normal exit), killed after 60 s.
#	Returns the client's result dict.

proc prof::Case {impl kind params wrap onPrep onDone logBase} {
    set mode [expr {[dict exists $params server] ? [dict get $params server] : "event"}]
    set cert [expr {[dict exists $params kind] ? [dict get $params kind] : "rsa"}]
    set server [run::Start [list {*}$wrap \
	{*}[run::ServerCommand $impl $mode $cert 0 0]] $logBase-server.err]
    set client ""
    try {
	set spid [pid $server]
	set line [run::ReadLine $server 120000]
	if {![regexp {^READY (\d+)$} $line -> port]} {
	    error "server said \"$line\""
	}
	set client [run::Start [list {*}$wrap \
	    {*}[run::ClientCommand $impl $kind $params $port]] \
	    $logBase-client.err]
	set cpid [pid $client]
	set line [run::ReadLine $client 300000]
	if {$line ne "PREP"} {
	    error "client said \"$line\""
	}
	eval $onPrep
	puts $client go
	set line [run::ReadLine $client 1800000]
	if {$line eq "MARK"} {
	    eval $::prof::onMark
	    puts $client go
	    set line [run::ReadLine $client 1800000]
	}
	if {[lindex $line 0] ne "RESULT"} {
	    error "client said \"$line\""
	}
	set r [lindex $line 1]
	eval $onDone
	run::Stop $client 0
	set client ""
	close $server write
	set deadline [expr {[clock seconds] + 60}]
	while {[file exists /proc/$spid] && [clock seconds] < $deadline} {
	    after 100
	    if {![catch {open /proc/$spid/stat r} fd]} {
		set state [lindex [read $fd] 2]
		close $fd
		if {$state eq "Z"} {
		    break
		}
	    }
	}
	run::Stop $server [file exists /proc/$spid]
	set server ""
    } on error {msg} {
	if {$client ne ""} {
	    run::Stop $client
	}
	if {$server ne ""} {
	    run::Stop $server
	}
	error $msg
    }
    return $r
}

# prof::StraceTable --
#
#	Parses "strace -c" output: dict syscall -> calls, and the total.

proc prof::StraceTable {file} {
    set calls [dict create]
    set total 0
    if {![file exists $file]} {
	return [list $calls 0]
    }
    set fd [open $file r]
    foreach line [split [read $fd] \n] {
	# % time  seconds  usecs/call  calls  [errors]  syscall
	if {[regexp {^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$} \
		$line -> n name]} {
	    if {$name eq "total"} {
		set total $n
	    } else {
		dict set calls $name $n
	    }
	}
    }
    close $fd
    return [list $calls $total]
}

proc prof::FormatCalls {calls total {per 1}} {
    set parts {}
    foreach {name n} [lsort -stride 2 -index 1 -integer -decreasing $calls] {
	if {[llength $parts] >= 6} {
	    break
	}
	lappend parts "$name [Per $n $per]"
    }
    return "[Per $total $per] calls: [join $parts {, }]"
}

proc prof::Per {n per} {
    if {$per == 1} {
	return $n
    }
    return [format %.1f [expr {double($n) / $per}]]
}

proc prof::Strace {} {
    variable impls
    variable bytes
    variable out
    run::Say "\n== strace -c: syscalls during a [expr {$bytes >> 20}] MiB transfer\
	(64 KiB application writes/reads; blocking or event-driven server;\
	client fcopy), and per full handshake (RSA-2048, -cafile,\
	event-driven server)"
    dict set ::run::env bytes $bytes
    run::MakeData $bytes
    foreach {test mode} {up block up event upfcopy block uphttp block down block
	    down event downfcopy block hs event} {
	foreach impl $impls {
	    if {$impl ni {ours python tcltls plain}
		    || ($test eq "hs" && $impl eq "plain")} {
		continue
	    }
	    set name $test-$mode
	    set base [file join $out strace-$name-$impl]
	    set onPrep [string map [list @B@ $base] {
		set ::prof::tools [list \
		    [prof::Attach [list strace -c -f -o @B@-server.txt -p] $spid @B@.err] \
		    [prof::Attach [list strace -c -f -o @B@-client.txt -p] $cpid @B@.err]]
		after 500
	    }]
	    set onDone {
		foreach t $::prof::tools {
		    prof::Detach $t
		}
	    }
	    if {$test eq "hs"} {
		set kind hs
		set params {test hs kind rsa store cafile}
	    } else {
		set kind bulk
		set params [list test $test server $mode]
	    }
	    if {[catch {prof::Case $impl $kind $params {} $onPrep $onDone \
		    $base} r]} {
		run::Say [format "  %-15s %-7s FAILED: %s" $name $impl $r]
		continue
	    }
	    set per [expr {$test eq "hs" ? [dict get $r count] : 1}]
	    foreach side {client server} {
		lassign [StraceTable $base-$side.txt] calls total
		run::Say [format "  %-15s %-7s %-6s %s" $name $impl $side \
		    [FormatCalls $calls $total $per]]
	    }
	    if {$test eq "hs"} {
		run::Say "                                 (per handshake, $per handshakes)"
	    }
	}
    }
}

# prof::CallgrindTotal --
#
#	Total instructions (Ir) recorded in a callgrind output file.

proc prof::CallgrindTotal {file} {
    set fd [open $file r]
    set total ""
    set summary ""
    while {[gets $fd line] >= 0} {
	regexp {^totals:\s+(\d+)} $line -> total
	regexp {^summary:\s+(\d+)} $line -> summary
    }
    close $fd
    return [expr {$total ne "" ? $total : $summary}]
}

# prof::CallgrindTop --
#
#	The functions with the largest inclusive instruction counts, from
#	callgrind_annotate, as "share name" pairs.

proc prof::CallgrindTop {file total n} {
    if {[catch {exec callgrind_annotate --inclusive=yes $file 2>/dev/null} text]} {
	return {}
    }
    set top {}
    foreach line [split $text \n] {
	if {[regexp {^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\S.*)$} $line -> ir name]} {
	    set ir [string map {, {}} $ir]
	    if {$ir eq $total || ![string is wide -strict $ir]} {
		continue
	    }
	    set name [regsub {\s*\[[^]]*\]$} $name {}]
	    set share [expr {100.0 * $ir / $total}]
	    # Skip the frames every handshake passes through (event loop,
	    # command dispatch) and functions without a symbol.
	    if {$share >= 90 || [string match *:0x* $name]} {
		continue
	    }
	    # One line per function (callgrind lists recursion cycles and
	    # the file both with and without the directory).
	    set short [regsub {^.*:} $name {}]
	    if {[info exists seen($short)]} {
		continue
	    }
	    set seen($short) 1
	    lappend top [format %.0f%% $share] $name
	    if {[llength $top] >= 2 * $n} {
		break
	    }
	}
    }
    return $top
}

# prof::Instrument --
#
#	Switches callgrind's instrumentation of process pid on or off.

proc prof::Instrument {pid how} {
    set said [exec callgrind_control -i $how $pid 2>@1]
    if {![string match "*sending command*" $said]} {
	error "callgrind_control -i $how $pid: $said"
    }
}

proc prof::Callgrind {} {
    variable impls
    variable handshakes
    variable out
    run::Say "\n== callgrind: instructions per full handshake (RSA-2048,\
	-cafile, verifying client; connect, handshake, close)"
    foreach impl $impls {
	if {$impl ni {ours python tcltls}} {
	    continue
	}
	set base [file join $out callgrind-$impl]
	set wrap {valgrind --tool=callgrind --instr-atstart=no}
	set n [expr {$impl eq "tcltls" ? max(5, $handshakes / 3) : $handshakes}]
	set dict [dict create test hs kind rsa store cafile]
	set onPrep {
	    foreach p [list $spid $cpid] {
		prof::Instrument $p on
	    }
	}
	set onDone {
	    after 200
	    foreach p $::prof::pids {
		prof::Instrument $p off
	    }
	}
	# Each side writes its own file (valgrind expands %p).
	set wrapS [list {*}$wrap --callgrind-out-file=$base-%p.out]
	# N handshakes, no time limit.
	dict set ::run::env seconds 100000
	if {[catch {CaseWithMax $impl $dict $wrapS $onPrep $onDone $n $base} r]} {
	    run::Say "  $impl: FAILED: $r"
	    continue
	}
	set count [dict get $r count]
	foreach {side pid} [list server [dict get $r spid] client [dict get $r cpid]] {
	    set file $base-$pid.out
	    if {![file exists $file]} {
		run::Say "  $impl $side: no callgrind output"
		continue
	    }
	    set total [CallgrindTotal $file]
	    if {$total eq ""} {
		run::Say "  $impl $side: no total in $file"
		continue
	    }
	    file rename -force $file $base-$side.out
	    run::Say [format "  %-7s %-6s %6.2f M instructions per handshake (%d handshakes)" \
		$impl $side [expr {$total / 1e6 / $count}] $count]
	    foreach {share name} [CallgrindTop $base-$side.out $total 14] {
		run::Say [format "      %5s  %s" $share $name]
	    }
	}
    }
}

# prof::CaseWithMax --
#
#	prof::Case for the handshake loop with "max n" added to the client
#	command; returns the result with the two PIDs added.

proc prof::CaseWithMax {impl params wrap onPrep onDone n logBase} {
    rename ::run::ClientCommand ::run::OrigClientCommand
    proc ::run::ClientCommand {impl kind params port} [string map [list @N@ $n] {
	return [list {*}[::run::OrigClientCommand $impl $kind $params $port] max @N@]
    }]
    try {
	set onPrep "$onPrep; set ::prof::pids \[list \$spid \$cpid\]"
	set r [Case $impl hs $params $wrap $onPrep $onDone $logBase]
    } finally {
	rename ::run::ClientCommand {}
	rename ::run::OrigClientCommand ::run::ClientCommand
    }
    lassign $::prof::pids spid cpid
    dict set r spid $spid
    dict set r cpid $cpid
    return $r
}

# prof::PerfTop --
#
#	Top symbols of a perf.data file: list of "share dso symbol".

proc prof::PerfTop {file n} {
    if {[catch {exec perf report -i $file --no-children --sort dso,sym \
	    --stdio --percent-limit 1.5 2>/dev/null} text]} {
	return {}
    }
    set top {}
    foreach line [split $text \n] {
	if {[regexp {^\s+([\d.]+)%\s+(\S+)\s+\[.\]\s+(.*)$} $line -> pct dso sym]} {
	    lappend top "[format %5.1f $pct]%  [file tail $dso]: [string trim $sym]"
	} elseif {[regexp {^\s+([\d.]+)%\s+(\S+)\s+\[k\]\s+(.*)$} $line -> pct dso sym]} {
	    lappend top "[format %5.1f $pct]%  kernel: [string trim $sym]"
	}
	if {[llength $top] >= $n} {
	    break
	}
    }
    return $top
}

# prof::PerfDso --
#
#	Share of the samples of a perf.data file per shared object, as one
#	line "dso pct, ...".

proc prof::PerfDso {file} {
    if {[catch {exec perf report -i $file --no-children --sort dso \
	    --stdio 2>/dev/null} text]} {
	return ""
    }
    set parts {}
    foreach line [split $text \n] {
	if {[regexp {^\s+([\d.]+)%\s+(\S+)\s*$} $line -> pct dso]} {
	    if {$pct < 1.0} {
		continue
	    }
	    set dso [string map {{[kernel.kallsyms]} kernel} [file tail $dso]]
	    lappend parts "$dso [format %.0f $pct]%"
	}
    }
    return [join $parts {, }]
}

proc prof::Perf {} {
    variable impls
    variable bytes
    variable out
    set size [expr {max($bytes, 256 << 20)}]
    run::Say "\n== perf record -e cpu-clock: CPU profile of a [expr {$size >> 20}] MiB\
	transfer, share of samples per library and top symbols per side"
    dict set ::run::env bytes $size
    run::MakeData $size
    foreach {test mode} {up block up event upfcopy block uphttp block down block
	    down event downfcopy block} {
	foreach impl $impls {
	    if {$impl ni {ours python tcltls plain}} {
		continue
	    }
	    set name $test-$mode
	    set base [file join $out perf-$name-$impl]
	    set onPrep [string map [list @B@ $base] {
		set ::prof::tools [list \
		    [prof::Attach [list perf record -e cpu-clock -F 4000 -o @B@-server.data -p] $spid @B@.err] \
		    [prof::Attach [list perf record -e cpu-clock -F 4000 -o @B@-client.data -p] $cpid @B@.err]]
		after 700
	    }]
	    set onDone {
		foreach t $::prof::tools {
		    prof::Detach $t
		}
	    }
	    if {[catch {prof::Case $impl bulk [list test $test server $mode] \
		    {} $onPrep $onDone $base} r]} {
		run::Say [format "  %-15s %-7s FAILED: %s" $name $impl $r]
		continue
	    }
	    foreach side {client server} {
		run::Say [format "  %-15s %-7s %-6s %s" $name $impl $side \
		    [PerfDso $base-$side.data]]
		foreach line [PerfTop $base-$side.data 6] {
		    run::Say "      $line"
		}
	    }
	}
    }
}

# prof::MassifTree --
#
#	Reads the heap tree of the last snapshot in a massif output file:
#	dict path -> bytes, where path is the list of function names from
#	the allocation function down (at most depth levels).

proc prof::MassifTree {file depth} {
    set fd [open $file r]
    set lines [split [read $fd] \n]
    close $fd
    set start -1
    set i 0
    foreach line $lines {
	if {[string match "heap_tree=detailed*" $line]
		|| [string match "heap_tree=peak*" $line]} {
	    set start $i
	}
	incr i
    }
    set tree [dict create]
    if {$start < 0} {
	return $tree
    }
    set stack {}
    foreach line [lrange $lines [expr {$start + 1}] end] {
	if {![regexp {^( *)n\d+: (\d+) (.*)$} $line -> indent bytes desc]} {
	    break
	}
	set level [string length $indent]
	set stack [lrange $stack 0 [expr {$level - 1}]]
	# "0x4A1B2C: CRYPTO_malloc (in /usr/lib/...)" -> CRYPTO_malloc
	if {[regexp {^0x[0-9A-Fa-f]+: (\S+)} $desc -> fn]} {
	    set desc $fn
	} elseif {[string match "*below massif's threshold*" $desc]} {
	    set desc (small)
	} elseif {$level == 0} {
	    set desc heap
	}
	lappend stack $desc
	if {$level <= $depth} {
	    dict set tree $stack $bytes
	}
    }
    return $tree
}

proc prof::Massif {} {
    variable impls
    set n 200
    dict set ::run::env conns $n
    foreach {test side what} {
	mem   server {server heap per idle connection, after one echoed line}
	memhs server {server heap per idle connection, right after the handshake}
	mem   client {client heap per idle connection, after one echoed line}
	memhs client {client heap per idle connection, right after the handshake}
    } {
	run::Say "\n== massif: $what ($n connections, RSA-2048; Python's\
	    client for every server, Python's event-driven server for every\
	    client), with the allocation paths that grew most"
	foreach impl $impls {
	    if {$impl in {ours python tcltls plain}} {
		MassifCase $impl $test $side $n
	    }
	}
    }
}

# prof::MassifCase --
#
#	One massif measurement: the side (server or client) of impl runs
#	under massif; detailed snapshots through vgdb before the measured
#	part and once the client says MARK and the measured process has
#	settled (a server sent nothing finishes its handshakes then).
#	Prints the heap growth per connection and the largest paths.

proc prof::MassifCase {impl test side n} {
    variable out
    set base [file join $out massif-$side-$test-$impl]
    set wrap [list valgrind --tool=massif --vgdb=yes --depth=12 \
	--threshold=0.05 --massif-out-file=$base.out]
    set var [expr {$side eq "server" ? "spid" : "cpid"}]
    set onPrep [string map [list @B@ $base @V@ $var] {
	exec vgdb --pid=$@V@ detailed_snapshot @B@-before.ms >/dev/null 2>@1
    }]
    set onMark [string map [list @B@ $base @V@ $var] {
	run::Settle $@V@
	exec vgdb --pid=$@V@ detailed_snapshot @B@-after.ms >/dev/null 2>@1
    }]
    # Only the measured side runs under massif.
    rename ::run::ServerCommand ::run::OrigServerCommand
    rename ::run::ClientCommand ::run::OrigClientCommand
    if {$side eq "server"} {
	proc ::run::ServerCommand {args} [string map [list @W@ $wrap] {
	    return [list @W@ {*}[::run::OrigServerCommand {*}$args]]
	}]
	proc ::run::ClientCommand {args} {
	    return [::run::OrigClientCommand {*}$args]
	}
    } else {
	set how [expr {$impl eq "plain" ? "plain" : "tls"}]
	proc ::run::ServerCommand {args} [string map [list @H@ $how] {
	    return [list $::run::python \
		[file join $::run::dir py_server.py] @H@ event rsa]
	}]
	proc ::run::ClientCommand {args} [string map [list @W@ $wrap] {
	    return [list @W@ {*}[::run::OrigClientCommand {*}$args]]
	}]
    }
    set ::prof::onMark $onMark
    try {
	Case $impl mem [list test $test side $side] {} $onPrep {} $base
    } on error {msg} {
	run::Say "  $impl: FAILED: $msg"
	return
    } finally {
	set ::prof::onMark ""
	rename ::run::ServerCommand {}
	rename ::run::ClientCommand {}
	rename ::run::OrigServerCommand ::run::ServerCommand
	rename ::run::OrigClientCommand ::run::ClientCommand
    }
    set before [MassifTree $base-before.ms 5]
    set after [MassifTree $base-after.ms 5]
    set total [expr {([dict get $after heap] - [dict get $before heap]) / double($n)}]
    run::Say [format "  %-7s %.1f KiB of heap per connection" $impl [expr {$total / 1024}]]
    set growth {}
    dict for {path bytes} $after {
	if {[llength $path] < 2} {
	    continue
	}
	set old [expr {[dict exists $before $path] ? [dict get $before $path] : 0}]
	set d [expr {($bytes - $old) / double($n)}]
	if {$d >= 512} {
	    lappend growth [list $d $path]
	}
    }
    # The allocation function and its callers, three levels up.
    set shown 0
    foreach item [lsort -real -decreasing -index 0 $growth] {
	lassign $item d path
	if {[llength $path] != 5 || [incr shown] > 12} {
	    continue
	}
	run::Say [format "      %7.0f B  %s" $d [join [lrange $path 1 end] " < "]]
    }
}

# prof::StraceLog --
#
#	Counts the system calls of a full "strace -f" log: dict syscall ->
#	calls, the total, and the polls among them (pselect6 or epoll_wait
#	with a zero timeout: an event loop that looked without sleeping,
#	which Tcl 8.6's threaded notifier turns into a round trip through
#	its notifier thread).

proc prof::StraceLog {file} {
    set calls [dict create]
    set total 0
    set polls 0
    if {![file exists $file]} {
	return [list $calls 0 0]
    }
    set fd [open $file r]
    while {[gets $fd line] >= 0} {
	# "PID name(args..." or "PID name(args <unfinished ...>"; the
	# "<... name resumed>" halves are not counted again.
	if {![regexp {^\d+\s+([a-z_0-9]+)\((.*)$} $line -> name rest]} {
	    continue
	}
	dict incr calls $name
	incr total
	if {($name eq "pselect6"
		&& [string match "*{tv_sec=0, tv_nsec=0}, NULL)*" $rest])
		|| ($name eq "epoll_wait" && [regexp {, 0\)} $rest])} {
	    incr polls
	}
    }
    close $fd
    return [list $calls $total $polls]
}

# prof::RoundTrips --
#
#	The rtt part: system calls and instructions per line round trip on
#	an open connection, each side, for ours, plain Tcl sockets and
#	Python (the figures' clients and servers, event-driven server).

proc prof::RoundTrips {} {
    variable impls
    variable roundtrips
    variable out
    run::Say "\n== rtt: per line round trip on an open connection ($roundtrips\
	round trips; blocking client, event-driven server): strace -f,\
	then callgrind instructions (every thread, measured loop only)"
    dict set ::run::env rtt $roundtrips
    foreach impl $impls {
	if {$impl ni {ours plain python tcltls}} {
	    continue
	}
	set base [file join $out strace-rtt-$impl]
	set onPrep [string map [list @B@ $base] {
	    set ::prof::tools [list \
		[prof::Attach [list strace -f -o @B@-server.txt -p] $spid @B@.err] \
		[prof::Attach [list strace -f -o @B@-client.txt -p] $cpid @B@.err]]
	    after 500
	}]
	set onDone {
	    foreach t $::prof::tools {
		prof::Detach $t
	    }
	}
	if {[catch {Case $impl rtt {test rtt} {} $onPrep $onDone $base} r]} {
	    run::Say [format "  strace    %-7s FAILED: %s" $impl $r]
	    continue
	}
	set n [dict get $r count]
	foreach side {client server} {
	    lassign [StraceLog $base-$side.txt] calls total polls
	    run::Say [format "  strace    %-7s %-6s %s; polls %s" $impl $side \
		[FormatCalls $calls $total $n] [Per $polls $n]]
	}
    }
    foreach impl $impls {
	if {$impl ni {ours plain python tcltls}} {
	    continue
	}
	set base [file join $out callgrind-rtt-$impl]
	set wrap [list valgrind --tool=callgrind --instr-atstart=no \
	    --callgrind-out-file=$base-%p.out]
	set onPrep {
	    set ::prof::pids [list $spid $cpid]
	    foreach p $::prof::pids {
		prof::Instrument $p on
	    }
	}
	set onDone {
	    foreach p $::prof::pids {
		prof::Instrument $p off
	    }
	}
	if {[catch {Case $impl rtt {test rtt} $wrap $onPrep $onDone $base} r]} {
	    run::Say [format "  callgrind %-7s FAILED: %s" $impl $r]
	    continue
	}
	set n [dict get $r count]
	foreach side {server client} pid $::prof::pids {
	    set file $base-$pid.out
	    if {![file exists $file] || [set total [CallgrindTotal $file]] eq ""} {
		run::Say "  callgrind $impl $side: no callgrind output"
		continue
	    }
	    file rename -force $file $base-$side.out
	    run::Say [format "  callgrind %-7s %-6s %6.1f k instructions per round trip" \
		$impl $side [expr {$total / 1e3 / $n}]]
	    foreach {share name} [CallgrindTop $base-$side.out $total 10] {
		run::Say [format "      %5s  %s" $share $name]
	    }
	}
    }
}

proc prof::Main {argv} {
    variable parts
    variable impls
    variable bytes
    variable handshakes
    variable keep
    variable out
    for {set i 0} {$i < [llength $argv]} {incr i} {
	set arg [lindex $argv $i]
	set value [lindex $argv [incr i]]
	switch -- $arg {
	    --only {set parts [split $value ,]}
	    --impls {set impls [split $value ,]}
	    --bytes {set bytes $value}
	    --handshakes {set handshakes $value}
	    --roundtrips {set roundtrips $value}
	    --keep {set keep [file normalize $value]}
	    default {
		puts stderr "usage: tclsh bench/profile.tcl\
		    ?--only strace,callgrind,perf,massif?\
		    ?--impls LIST? ?--bytes N? ?--handshakes N? ?--keep DIR?"
		exit 2
	    }
	}
    }
    run::Settings
    set ::run::tmp [exec mktemp -d /tmp/tlsbench.XXXXXXXX]
    set ::run::dataDir [file join $::run::tmp data]
    file mkdir $::run::dataDir [file join $::run::tmp log]
    if {$keep ne ""} {
	file mkdir $keep
	set out $keep
    } else {
	set out [file join $::run::tmp out]
	file mkdir $out
    }
    run::MakePki
    run::FindPython
    set build [run::SnapshotBuild]
    run::Say "ours: [dict get [run::Probe ours] library] (snapshot of $build)"
    if {"tcltls" in $impls} {
	set why [run::FetchTclTls]
	if {$why ne ""} {
	    run::Say "tcl-tls left out: $why"
	    set impls [lsearch -all -inline -not -exact $impls tcltls]
	}
    }
    foreach part $parts {
	switch -- $part {
	    strace {Strace}
	    callgrind {Callgrind}
	    perf {Perf}
	    massif {Massif}
	    rtt {RoundTrips}
	    default {error "unknown part \"$part\""}
	}
    }
}

if {[catch {prof::Main $argv} msg]} {
    puts stderr "profile.tcl: $msg\n$::errorInfo"
    run::Cleanup
    exit 1
}
run::Cleanup
exit 0
