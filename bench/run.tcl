# run.tcl --
#
#	The benchmark suite of the tls package: one invocation measures our
#	package against Python's ssl module, Debian's tcl-tls 1.7.22, plain
#	Tcl sockets and the openssl command line, interleaved, on loopback,
#	and prints a table of medians and ranges with ratios.
#
#	    TLS_BUILD_DIR=/path/to/build tclsh bench/run.tcl ?option ...?
#
#	Options (environment variables in brackets):
#	  --quick            32 MiB transfers, 0.5-1 s handshake loops, fewer
#	                     connections: about 2-3 minutes [BENCH_QUICK=1]
#	  --reps N           repetitions of every figure (default 5, quick 3)
#	                     [BENCH_REPS]
#	  --only LIST        figure ids or glob patterns, comma separated (see
#	                     --list) [BENCH_ONLY]
#	  --impls LIST       implementations, comma separated, from ours,
#	                     python, tcltls, plain, openssl [BENCH_IMPLS]
#	  --markdown FILE    also write the table as markdown to FILE
#	  --results FILE     replace the table in FILE (bench/RESULTS.md)
#	                     between the lines <!-- bench-table:start --> and
#	                     <!-- bench-table:end -->
#	  --list             list the figures and exit
#
#	TLS_BUILD_DIR (default: ../build next to this directory) is copied
#	to a temporary directory first, so a rebuild during the run cannot
#	mix two builds. tcl-tls is fetched with "apt-get download tcl-tls"
#	and unpacked with "dpkg -x" into the temporary directory (never
#	installed); BENCH_TCLTLS_DIR may name a directory holding its
#	pkgIndex.tcl instead, and BENCH_TCLTLS=0 leaves it out.
#
#	How each figure is measured is described in bench/RESULTS.md. Each
#	run starts a server process and a client process; the client
#	measures its own wall and CPU time around the measured part, and
#	this script reads the server's CPU time (sum of
#	/proc/PID/task/*/schedstat) and resident memory (VmRSS) just before
#	and after it.
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

package require Tcl 8.6-
source [file join [file dirname [file normalize [info script]]] median.tcl]

namespace eval run {
    variable dir [file dirname [file normalize [info script]]]
    variable quick 0
    variable reps 0
    variable only {}
    variable impls {ours python tcltls plain openssl}
    variable markdown ""
    variable resultsFile ""	;# RESULTS.md whose table is replaced
    variable command ""		;# how this run was started
    variable tmp ""		;# temporary directory of the run
    variable dataDir ""		;# data files (tmpfs when there is one)
    variable pki ""
    variable bundle ""		;# system CA bundle plus our CA
    variable children {}	;# PIDs of running processes we started
    variable results		;# array fig,impl -> list of metric dicts
    array set results {}
    variable failures		;# array fig,impl -> list of messages
    array set failures {}
    variable missing		;# array impl -> why it is not measured
    array set missing {}
    variable env		;# settings of the run (sizes, times)
    variable info {}		;# lines describing the run, for the table
    variable python python3	;# the Python interpreter
    variable started [clock seconds]
}

# The figures: id, title, kind, parameters. The order is the order of
# the table.
set run::figures {
    up.block   {upload, blocking server}                 bulk {test up server block}
    up.event   {upload, event-driven server}             bulk {test up server event}
    up.fcopy   {upload, client fcopy file->TLS}          bulk {test upfcopy server block}
    up.http    {upload, http -querychannel file->TLS}    bulk {test uphttp server block}
    down.block {download, blocking server}               bulk {test down server block}
    down.event {download, event-driven server}           bulk {test down server event}
    down.fcopy {download, client fcopy TLS->file}        bulk {test downfcopy server block}
    hs.rsa     {full handshakes, RSA-2048, -cafile}      hs {test hs kind rsa store cafile}
    hs.rsa.sys {full handshakes, RSA-2048, system store} hs {test hs kind rsa store system}
    hs.ec      {full handshakes, ECDSA P-256, -cafile}   hs {test hs kind ec store cafile}
    hs.ec.sys  {full handshakes, ECDSA P-256, system store} hs {test hs kind ec store system}
    resume     {resumed handshakes, RSA-2048, -cafile}   hs {test resume kind rsa store cafile}
    mem        {server memory per idle connection, after one echoed line} mem {test mem side server}
    mem.hs     {server memory per idle connection, right after the handshake} mem {test memhs side server}
    cmem       {client memory per idle connection, after one echoed line} mem {test mem side client}
    cmem.hs    {client memory per idle connection, right after the handshake} mem {test memhs side client}
    first      {first reply on a fresh connection}       first {test first}
    rtt        {round trip on an open connection}        rtt {test rtt}
}

# Which implementations each kind of figure has.
array set run::kindImpls {
    bulk  {ours python tcltls plain}
    hs    {ours python tcltls openssl}
    mem   {ours python tcltls plain}
    first {ours python tcltls plain}
    rtt   {ours python tcltls plain}
}

# Metrics of each kind: key, unit, which way is better.
array set run::kindMetrics {
    bulk  {rate MiB/s higher ccpu {client CPU s/GiB} lower scpu {server CPU s/GiB} lower}
    hs    {rate hs/s higher ccpu {client CPU ms/hs} lower scpu {server CPU ms/hs} lower}
    mem   {kib KiB/conn lower}
    first {ms ms lower}
    rtt   {us {us/round trip, median} lower p99 {us, 99th percentile} lower}
}

array set run::implTitle {
    ours ours python python tcltls tcl-tls plain {plain Tcl} openssl openssl
}

proc run::Usage {{msg ""}} {
    if {$msg ne ""} {
	puts stderr "run.tcl: $msg"
    }
    puts stderr "usage: tclsh bench/run.tcl ?--quick? ?--reps N?\
	?--only ids? ?--impls names? ?--markdown file? ?--results file?\
	?--list?"
    exit 2
}

proc run::Say {msg} {
    puts $msg
    flush stdout
}

# run::ParseArgs --
#
#	Settings from the environment, then from the command line.

proc run::ParseArgs {argv} {
    global env
    variable quick
    variable reps
    variable only
    variable impls
    variable markdown
    variable resultsFile
    variable figures
    variable command
    set command "tclsh bench/run.tcl"
    foreach name [lsort [array names env BENCH_*]] {
	set command "$name=$env($name) $command"
    }
    if {[llength $argv]} {
	append command " $argv"
    }
    if {[info exists env(BENCH_QUICK)] && [string is true -strict $env(BENCH_QUICK)]} {
	set quick 1
    }
    if {[info exists env(BENCH_REPS)] && $env(BENCH_REPS) ne ""} {
	set reps $env(BENCH_REPS)
    }
    if {[info exists env(BENCH_ONLY)] && $env(BENCH_ONLY) ne ""} {
	set only [split $env(BENCH_ONLY) ,]
    }
    if {[info exists env(BENCH_IMPLS)] && $env(BENCH_IMPLS) ne ""} {
	set impls [split $env(BENCH_IMPLS) ,]
    }
    for {set i 0} {$i < [llength $argv]} {incr i} {
	set arg [lindex $argv $i]
	switch -- $arg {
	    --quick {
		set quick 1
	    }
	    --reps - --only - --impls - --markdown - --results {
		if {$i + 1 >= [llength $argv]} {
		    Usage "$arg needs a value"
		}
		set value [lindex $argv [incr i]]
		switch -- $arg {
		    --reps {set reps $value}
		    --only {set only [split $value ,]}
		    --impls {set impls [split $value ,]}
		    --markdown {set markdown [file normalize $value]}
		    --results {set resultsFile [file normalize $value]}
		}
	    }
	    --list {
		foreach {id title kind params} $figures {
		    puts [format "%-11s %s" $id $title]
		}
		exit 0
	    }
	    default {
		Usage "unknown argument \"$arg\""
	    }
	}
    }
    if {![string is integer -strict $reps] || $reps < 0} {
	Usage "--reps wants a positive integer"
    }
    if {$reps == 0} {
	set reps [expr {$quick ? 3 : 5}]
    }
    foreach impl $impls {
	if {$impl ni {ours python tcltls plain openssl}} {
	    Usage "unknown implementation \"$impl\""
	}
    }
}

# run::Settings --
#
#	Sizes and times of the full and the quick run.

proc run::Settings {} {
    variable quick
    variable env
    # No __pycache__ in the source tree.
    set ::env(PYTHONDONTWRITEBYTECODE) 1
    if {$quick} {
	set env [dict create bytes [expr {32 << 20}] seconds 0.5 stime 1 \
	    conns 500 first 10 rtt 1000]
    } else {
	set env [dict create bytes [expr {256 << 20}] seconds 2 stime 2 \
	    conns 500 first 20 rtt 5000]
    }
}

# run::Cleanup --
#
#	Exit handler: stops the processes we started that still run (by
#	PID) and removes the temporary directories.

proc run::Cleanup {} {
    variable children
    variable tmp
    variable dataDir
    foreach pid $children {
	catch {exec kill $pid}
    }
    set children {}
    foreach d [list $dataDir $tmp] {
	if {$d ne ""} {
	    catch {file delete -force -- $d}
	}
    }
}

# run::Openssl --
#
#	Runs an openssl command; errors carry its output.

proc run::Openssl {args} {
    if {[catch {exec openssl {*}$args 2>@1} out]} {
	error "openssl $args: $out"
    }
    return $out
}

# run::MakePki --
#
#	A CA (RSA-2048) and two localhost leaves signed directly by it: RSA
#	2048 and ECDSA P-256, with SAN DNS:localhost and IP:127.0.0.1. Also
#	the bundle for the "system store" figures: the system's CA file
#	followed by our CA, to which SSL_CERT_FILE points.

proc run::MakePki {} {
    variable tmp
    variable pki
    variable bundle
    global env
    set pki [file join $tmp pki]
    file mkdir $pki
    set env(BENCH_PKI) $pki
    set ext [file join $pki ext.cnf]
    set fd [open $ext w]
    puts $fd "basicConstraints = critical, CA:FALSE"
    puts $fd "keyUsage = critical, digitalSignature, keyEncipherment"
    puts $fd "extendedKeyUsage = serverAuth"
    puts $fd "subjectAltName = DNS:localhost, IP:127.0.0.1"
    close $fd
    Openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	-out [file join $pki ca.key]
    Openssl req -new -x509 -key [file join $pki ca.key] -days 2 \
	-subj "/O=tls-bench/CN=tls-bench CA" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" \
	-out [file join $pki ca.pem]
    Openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	-out [file join $pki rsa.key]
    Openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	-out [file join $pki ec.key]
    set serial 4096
    foreach kind {rsa ec} {
	Openssl req -new -key [file join $pki $kind.key] \
	    -subj "/O=tls-bench/CN=localhost" -out [file join $pki $kind.csr]
	Openssl x509 -req -in [file join $pki $kind.csr] \
	    -CA [file join $pki ca.pem] -CAkey [file join $pki ca.key] \
	    -set_serial [incr serial] -days 2 -extfile $ext \
	    -out [file join $pki $kind.pem]
    }
    # The system CA file, as OpenSSL finds it by default.
    set system ""
    if {[regexp {OPENSSLDIR: "([^"]*)"} [Openssl version -d] -> sslDir]} {
	set system [file join $sslDir cert.pem]
    }
    if {![file readable $system]} {
	set system /etc/ssl/certs/ca-certificates.crt
    }
    if {![file readable $system]} {
	error "no system CA file found (tried OPENSSLDIR/cert.pem and\
	    /etc/ssl/certs/ca-certificates.crt)"
    }
    set bundle [file join $pki bundle.pem]
    set out [open $bundle w]
    foreach f [list $system [file join $pki ca.pem]] {
	set in [open $f r]
	puts -nonewline $out [read $in]
	close $in
    }
    close $out
    set fd [open $system r]
    set n [regexp -all -- {-----BEGIN CERTIFICATE-----} [read $fd]]
    close $fd
    return "$system ($n certificates) + our CA"
}

# run::SnapshotBuild --
#
#	Copies the files of TLS_BUILD_DIR (not obj/) into the temporary
#	directory and points TLS_BUILD_DIR of the workers there.

proc run::SnapshotBuild {} {
    global env
    variable tmp
    variable dir
    if {[info exists env(TLS_BUILD_DIR)] && $env(TLS_BUILD_DIR) ne ""} {
	set build [file normalize $env(TLS_BUILD_DIR)]
    } else {
	set build [file join [file dirname $dir] build]
    }
    if {![file exists [file join $build pkgIndex.tcl]]} {
	error "no pkgIndex.tcl in $build: build the package first (make)"
    }
    set snap [file join $tmp ours]
    file mkdir $snap
    foreach f [glob -directory $build -types f *] {
	file copy $f $snap
    }
    set env(TLS_BUILD_DIR) $snap
    return $build
}

# run::FetchTclTls --
#
#	Makes Debian's tcl-tls 1.7.22 available to the workers through
#	BENCH_TCLTLS_DIR. Returns "" or the reason it is not available.

proc run::FetchTclTls {} {
    global env
    variable tmp
    if {[info exists env(BENCH_TCLTLS)] && [string is false -strict $env(BENCH_TCLTLS)]} {
	return "BENCH_TCLTLS=0"
    }
    if {[info exists env(BENCH_TCLTLS_DIR)] && $env(BENCH_TCLTLS_DIR) ne ""} {
	return ""
    }
    if {[auto_execok apt-get] eq "" || [auto_execok dpkg] eq ""} {
	return "no apt-get/dpkg"
    }
    set where [file join $tmp tcltls]
    file mkdir $where
    set here [pwd]
    cd $where
    try {
	if {[catch {exec apt-get download tcl-tls 2>@1} out]} {
	    # The package lists may be missing (a fresh machine).
	    if {[catch {exec id -u} uid] || $uid != 0
		    || [catch {exec apt-get update -qq 2>@1}]
		    || [catch {exec apt-get download tcl-tls 2>@1} out]} {
		return "apt-get download tcl-tls failed: [lindex [split [string trim $out] \n] end]"
	    }
	}
	set debs [glob -nocomplain *.deb]
	if {[llength $debs] != 1} {
	    return "apt-get download tcl-tls gave no single .deb"
	}
	exec dpkg -x [lindex $debs 0] root
    } finally {
	cd $here
    }
    set idx [glob -nocomplain -directory [file join $where root] \
	usr/lib/tcltk/*/tcltls*/pkgIndex.tcl usr/lib/tcltk/tcltls*/pkgIndex.tcl]
    if {[llength $idx] == 0} {
	return "no pkgIndex.tcl in the tcl-tls package"
    }
    set env(BENCH_TCLTLS_DIR) [file dirname [file dirname [lindex $idx 0]]]
    return ""
}

# run::Probe --
#
#	Loads a Tcl implementation in a worker; returns its version and
#	library, or an error.

proc run::Probe {impl} {
    variable dir
    set out [exec [info nameofexecutable] [file join $dir tcl_client.tcl] \
	$impl probe 0 2>@1]
    set line [lindex [split [string trim $out] \n] end]
    if {[lindex $line 0] ne "RESULT"} {
	error $out
    }
    return [lindex $line 1]
}

# run::LoadAverage --
#
#	The 1-minute load average of the machine.

proc run::LoadAverage {} {
    if {[catch {open /proc/loadavg r} fd]} {
	return ?
    }
    set value [lindex [read $fd] 0]
    close $fd
    return $value
}

# run::MakeData --
#
#	The source file of the fcopy upload: n random bytes.

proc run::MakeData {n} {
    variable dataDir
    exec head -c $n /dev/urandom > [file join $dataDir data]
}

# run::FindPython --
#
#	Sets run::python to the Python interpreter itself (python3 may be a
#	wrapper script, e.g. pyenv's, which valgrind in profile.tcl would
#	not follow); returns its version and OpenSSL's.

proc run::FindPython {} {
    variable python
    set r [exec python3 -c {import ssl, sys; print(sys.executable, sys.version.split()[0], ssl.OPENSSL_VERSION)}]
    set python [lindex $r 0]
    return [lrange $r 1 end]
}

# run::ProcStat --
#
#	CPU seconds (all threads) and resident KiB of process pid.

proc run::ProcStat {pid} {
    set cpu 0
    foreach f [glob -nocomplain /proc/$pid/task/*/schedstat] {
	if {![catch {open $f r} fd]} {
	    set cpu [expr {$cpu + [lindex [gets $fd] 0]}]
	    close $fd
	}
    }
    set cpu [expr {$cpu / 1e9}]
    if {$cpu == 0} {
	set fd [open /proc/$pid/stat r]
	set line [read $fd]
	close $fd
	set rest [string range $line [expr {[string last ) $line] + 2}] end]
	set cpu [expr {([lindex $rest 11] + [lindex $rest 12]) / 100.0}]
    }
    set rss 0
    set fd [open /proc/$pid/status r]
    foreach line [split [read $fd] \n] {
	if {[regexp {^VmRSS:\s+(\d+)} $line -> rss]} {
	    break
	}
    }
    close $fd
    return [dict create cpu $cpu rss $rss]
}

# run::Settle --
#
#	ProcStat of pid once its CPU time has stopped moving (no change over
#	100 ms, at most 10 s): a server that was sent nothing after the
#	handshake finishes it (reads the client's Finished) after the
#	client is done.

proc run::Settle {pid} {
    set last [ProcStat $pid]
    for {set i 0} {$i < 100} {incr i} {
	after 100
	set now [ProcStat $pid]
	if {[dict get $now cpu] == [dict get $last cpu]} {
	    return $now
	}
	set last $now
    }
    return $last
}

# run::Start --
#
#	Starts cmd (a list) with its standard error appended to errFile,
#	through sh, which raises the soft limit of open files to 4096 if
#	lower and execs the command (the PID stays the same), and through
#	setpriv where it exists, so that the process dies with this one.
#	Returns the read-write channel to its standard input and output.

proc run::Start {cmd errFile} {
    variable children
    set script {n=$(ulimit -n); if [ "$n" != unlimited ] && [ "$n" -lt 4096 ]; then ulimit -n 4096 2>/dev/null; fi; exec "$@"}
    set cmd [list sh -c $script sh {*}$cmd]
    if {[auto_execok setpriv] ne ""} {
	# Killed with us if this script dies (setpriv execs: same PID).
	set cmd [list setpriv --pdeathsig KILL {*}$cmd]
    }
    set chan [open |[list {*}$cmd 2>> $errFile] r+]
    fconfigure $chan -blocking 0 -buffering line
    lappend children [pid $chan]
    return $chan
}

# run::Stop --
#
#	Ends a process started by Start (by its PID) and closes its channel.

proc run::Stop {chan {kill 1}} {
    variable children
    set pid [pid $chan]
    if {$kill} {
	catch {exec kill $pid}
    }
    fconfigure $chan -blocking 1
    catch {close $chan}
    set i [lsearch -exact $children $pid]
    if {$i >= 0} {
	set children [lreplace $children $i $i]
    }
}

# run::ReadLine --
#
#	Next line from a Start channel within ms milliseconds; error on end
#	of file or timeout.

proc run::ReadLine {chan ms} {
    set deadline [expr {[clock milliseconds] + $ms}]
    while 1 {
	if {[gets $chan line] >= 0} {
	    return $line
	}
	if {[eof $chan]} {
	    error "process ended"
	}
	set left [expr {$deadline - [clock milliseconds]}]
	if {$left <= 0} {
	    error "no answer within [expr {$ms / 1000}] s"
	}
	set ::run::readable waiting
	fileevent $chan readable [list set ::run::readable ready]
	set id [after $left [list set ::run::readable timeout]]
	vwait ::run::readable
	after cancel $id
	fileevent $chan readable {}
    }
}

# run::FreePort --
#
#	A port free a moment ago on 127.0.0.1 (for openssl s_server, which
#	cannot report an ephemeral port in -quiet mode).

proc run::FreePort {} {
    set sock [socket -server {apply {{c a p} {close $c}}} -myaddr 127.0.0.1 0]
    set port [lindex [fconfigure $sock -sockname] 2]
    close $sock
    return $port
}

# run::WaitListening --
#
#	Waits until something accepts connections on 127.0.0.1 port.

proc run::WaitListening {port ms} {
    set deadline [expr {[clock milliseconds] + $ms}]
    while {[clock milliseconds] < $deadline} {
	if {![catch {socket 127.0.0.1 $port} sock]} {
	    close $sock
	    return
	}
	after 20
    }
    error "nothing listens on port $port"
}

# run::ServerCommand --
#
#	The command line of the server of impl (mode block or event, kind
#	rsa or ec). For openssl, port is the port to use.

proc run::ServerCommand {impl mode kind www port} {
    variable dir
    variable pki
    variable python
    switch -- $impl {
	ours - tcltls - plain {
	    # The Tcl that runs this script runs the workers too.
	    return [list [info nameofexecutable] \
		[file join $dir tcl_server.tcl] $impl $mode $kind]
	}
	python {
	    return [list $python [file join $dir py_server.py] tls $mode $kind]
	}
	openssl {
	    set cmd [list openssl s_server -accept 127.0.0.1:$port \
		-cert [file join $pki $kind.pem] -key [file join $pki $kind.key] \
		-quiet]
	    if {$www} {
		lappend cmd -www
	    }
	    return $cmd
	}
    }
}

# run::ClientCommand --
#
#	The command line of the client of figure kind for impl.

proc run::ClientCommand {impl kind params port} {
    variable dir
    variable pki
    variable python
    variable env
    variable dataDir
    set test [dict get $params test]
    set settings {}
    switch -- $kind {
	bulk {
	    lappend settings bytes [dict get $env bytes]
	    if {$test in {upfcopy uphttp}} {
		lappend settings file [file join $dataDir data]
	    } elseif {$test eq "downfcopy"} {
		lappend settings file [file join $dataDir out-$impl]
	    }
	}
	hs {
	    lappend settings store [dict get $params store] \
		seconds [dict get $env seconds]
	}
	mem {
	    lappend settings count [dict get $env conns]
	}
	first {
	    lappend settings count [dict get $env first]
	}
	rtt {
	    lappend settings count [dict get $env rtt]
	}
    }
    if {$kind eq "mem" && [dict get $params side] eq "server"} {
	# One client for every server: only the server is measured.
	set how [expr {$impl eq "plain" ? "plain" : "tls"}]
	return [list $python [file join $dir py_client.py] $how $test $port \
	    {*}$settings]
    }
    switch -- $impl {
	ours - tcltls - plain {
	    return [list [info nameofexecutable] \
		[file join $dir tcl_client.tcl] $impl $test \
		$port {*}$settings]
	}
	python {
	    return [list $python [file join $dir py_client.py] tls $test \
		$port {*}$settings]
	}
	openssl {
	    set cmd [list $python [file join $dir py_stime.py] openssl s_time \
		-connect 127.0.0.1:$port -time [dict get $env stime] -verify 4]
	    if {[dict get $params store] eq "cafile"} {
		lappend cmd -CAfile [file join $pki ca.pem]
	    }
	    if {$test eq "hs"} {
		lappend cmd -new
	    } else {
		# TLS 1.3 tickets come after the handshake: s_time only
		# reads them (and so resumes) when it fetches a page.
		lappend cmd -reuse -www /
	    }
	    return $cmd
	}
    }
}

# run::RunCase --
#
#	One measurement: figure id (kind, params) for impl. Returns a dict
#	of metrics; errors out on any failure (processes stopped).

proc run::RunCase {id kind params impl logBase} {
    global env
    variable bundle
    set mode event
    set kindCert rsa
    if {[dict exists $params server]} {
	set mode [dict get $params server]
    }
    if {[dict exists $params kind]} {
	set kindCert [dict get $params kind]
    }
    set serverImpl $impl
    set port 0
    set www [expr {$impl eq "openssl" && [dict get $params test] eq "resume"}]
    if {$impl eq "openssl"} {
	set port [FreePort]
    }
    set side server
    if {[dict exists $params side]} {
	set side [dict get $params side]
    }
    set serverCmd [ServerCommand $serverImpl $mode $kindCert $www $port]
    if {$side eq "client"} {
	# One server for every client: only the client is measured.
	variable dir
	variable python
	set serverCmd [list $python [file join $dir py_server.py] \
	    [expr {$impl eq "plain" ? "plain" : "tls"}] event $kindCert]
    }
    set server [Start $serverCmd $logBase-server.err]
    set client ""
    try {
	set spid [pid $server]
	if {$impl eq "openssl"} {
	    WaitListening $port 10000
	} else {
	    set line [ReadLine $server 20000]
	    if {![regexp {^READY (\d+)$} $line -> port]} {
		error "server said \"$line\""
	    }
	}
	set store cafile
	if {[dict exists $params store]} {
	    set store [dict get $params store]
	}
	if {$store eq "system"} {
	    set env(SSL_CERT_FILE) $bundle
	}
	try {
	    set client [Start [ClientCommand $impl $kind $params $port] \
		$logBase-client.err]
	} finally {
	    unset -nocomplain env(SSL_CERT_FILE)
	}
	set line [ReadLine $client 120000]
	if {$line ne "PREP"} {
	    error "client said \"$line\""
	}
	if {$side eq "client"} {
	    set spid [pid $client]	;# The process measured.
	}
	after 30
	set s0 [ProcStat $spid]
	set s1 $s0
	puts $client go
	while 1 {
	    set line [ReadLine $client 300000]
	    if {$line eq "MARK"} {
		set s1 [Settle $spid]
		puts $client go
	    } elseif {[lindex $line 0] eq "RESULT"} {
		set r [lindex $line 1]
		break
	    } else {
		error "client said \"$line\""
	    }
	}
	after 30
	set s2 [ProcStat $spid]
	Stop $client 0
	set client ""
    } on error {msg} {
	if {$client ne ""} {
	    Stop $client
	}
	Stop $server
	set log ""
	foreach f [list $logBase-client.err $logBase-server.err] {
	    if {[file exists $f] && [file size $f] > 0} {
		set fd [open $f r]
		append log "\n  [file tail $f]: [string range [string trim [read $fd]] 0 600]"
		close $fd
	    }
	}
	error "$msg$log"
    }
    Stop $server
    set scpu [expr {[dict get $s2 cpu] - [dict get $s0 cpu]}]
    set wall [dict get $r wall]
    switch -- $kind {
	bulk {
	    set bytes [dict get $r bytes]
	    set gib [expr {$bytes / double(1 << 30)}]
	    return [dict create rate [expr {$bytes / double(1 << 20) / $wall}] \
		ccpu [expr {[dict get $r cpu] / $gib}] scpu [expr {$scpu / $gib}]]
	}
	hs {
	    set n [dict get $r count]
	    if {$n == 0} {
		error "no handshake completed"
	    }
	    return [dict create rate [expr {$n / $wall}] \
		ccpu [expr {[dict get $r cpu] / $n * 1e3}] \
		scpu [expr {$scpu / $n * 1e3}] \
		resumed [expr {[dict get $r resumed] / double($n)}] count $n]
	}
	mem {
	    set n [dict get $r count]
	    return [dict create kib \
		[expr {([dict get $s1 rss] - [dict get $s0 rss]) / double($n)}]]
	}
	first {
	    return [dict create ms [dict get $r ms]]
	}
	rtt {
	    return [dict create us [dict get $r median] p99 [dict get $r p99] \
		mean [expr {$wall / [dict get $r count] * 1e6}]]
	}
    }
}

# run::Fmt --
#
#	A number with three significant digits (no exponent).

proc run::Fmt {x} {
    if {$x == 0} {
	return 0
    }
    set a [expr {abs($x)}]
    if {$a >= 100} {
	return [format %.0f $x]
    } elseif {$a >= 10} {
	return [format %.1f $x]
    } elseif {$a >= 1} {
	return [format %.2f $x]
    } elseif {$a >= 0.1} {
	return [format %.3f $x]
    }
    return [format %.4f $x]
}

# run::Summary --
#
#	Median, minimum and maximum of metric key over the runs of
#	fig/impl, or {} if there are none.

proc run::Summary {fig impl key} {
    variable results
    if {![info exists results($fig,$impl)]} {
	return {}
    }
    set values {}
    foreach r $results($fig,$impl) {
	lappend values [dict get $r $key]
    }
    if {[llength $values] == 0} {
	return {}
    }
    return [list [median $values] [tcl::mathfunc::min {*}$values] \
	[tcl::mathfunc::max {*}$values] [llength $values]]
}

# run::Cell --
#
#	"median [min-max]" of fig/impl/key, "fail" or "-".

proc run::Cell {fig impl key} {
    variable failures
    set s [Summary $fig $impl $key]
    if {$s eq {}} {
	if {[info exists failures($fig,$impl)]} {
	    return fail
	}
	return -
    }
    lassign $s med min max
    set cell "[Fmt $med] \[[Fmt $min]-[Fmt $max]\]"
    if {[info exists failures($fig,$impl)]} {
	append cell " ([llength $failures($fig,$impl)] failed)"
    }
    return $cell
}

# run::Ratio --
#
#	ours / impl of the medians, or "-".

proc run::Ratio {fig impl key} {
    set a [Summary $fig ours $key]
    set b [Summary $fig $impl $key]
    if {$a eq {} || $b eq {} || [lindex $b 0] == 0} {
	return -
    }
    return "[Fmt [expr {[lindex $a 0] / double([lindex $b 0])}]]x"
}

# run::Table --
#
#	The rows of the result table: a list of lists of cells.

proc run::Table {} {
    variable figures
    variable kindImpls
    variable kindMetrics
    variable results
    set cols {ours python tcltls plain openssl}
    set rows {}
    foreach {id title kind params} $figures {
	set any 0
	foreach impl $cols {
	    if {[info exists results($id,$impl)] || [info exists ::run::failures($id,$impl)]} {
		set any 1
	    }
	}
	if {!$any} {
	    continue
	}
	set first 1
	foreach {key unit better} $kindMetrics($kind) {
	    set row [list [expr {$first ? $title : ""}] $unit $better]
	    foreach impl $cols {
		lappend row [Cell $id $impl $key]
	    }
	    lappend row [Ratio $id python $key] [Ratio $id tcltls $key]
	    lappend rows $row
	    set first 0
	}
	if {$id eq "resume"} {
	    set row [list "" {resumed share} higher]
	    foreach impl $cols {
		set s [Summary $id $impl resumed]
		lappend row [expr {$s eq {} ? "-" : [Fmt [lindex $s 0]]}]
	    }
	    lappend row - -
	    lappend rows $row
	}
    }
    return $rows
}

proc run::Header {} {
    return [list figure unit better ours python tcl-tls {plain Tcl} openssl \
	ours/python ours/tcl-tls]
}

# run::PrintTable --
#
#	The table as aligned text on stdout.

proc run::PrintTable {} {
    set rows [linsert [Table] 0 [Header]]
    set widths {}
    foreach row $rows {
	set i 0
	foreach cell $row {
	    set w [string length $cell]
	    if {[llength $widths] <= $i} {
		lappend widths $w
	    } elseif {$w > [lindex $widths $i]} {
		lset widths $i $w
	    }
	    incr i
	}
    }
    foreach row $rows {
	set line ""
	set i 0
	foreach cell $row {
	    append line [format "%-*s  " [lindex $widths $i] $cell]
	    incr i
	}
	Say [string trimright $line]
    }
}

# run::MarkdownTable --
#
#	The table as markdown text.

proc run::MarkdownTable {} {
    set text ""
    set header [Header]
    append text "| [join $header { | }] |\n"
    append text "|[string repeat ---| [llength $header]]\n"
    foreach row [Table] {
	append text "| [join $row { | }] |\n"
    }
    return $text
}

# run::ReplaceTable --
#
#	Replaces the lines between the table markers of file with text.

proc run::ReplaceTable {file text} {
    set fd [open $file r]
    set old [read $fd]
    close $fd
    set start "<!-- bench-table:start -->"
    set end "<!-- bench-table:end -->"
    set a [string first $start $old]
    set b [string first $end $old]
    if {$a < 0 || $b < $a} {
	error "no $start ... $end lines in $file"
    }
    set new "[string range $old 0 [expr {$a + [string length $start] - 1}]]\n"
    append new $text "\n" [string range $old $b end]
    set fd [open $file w]
    puts -nonewline $fd $new
    close $fd
}

proc run::Main {argv} {
    variable python
    variable tmp
    variable dataDir
    variable reps
    variable only
    variable impls
    variable figures
    variable kindImpls
    variable results
    variable failures
    variable missing
    variable env
    variable info
    variable markdown
    variable resultsFile
    variable command
    variable quick
    variable started

    ParseArgs $argv
    Settings
    set tmp [exec mktemp -d /tmp/tlsbench.XXXXXXXX]
    if {[file isdirectory /dev/shm] && [file writable /dev/shm]} {
	set dataDir [exec mktemp -d /dev/shm/tlsbench.XXXXXXXX]
    } else {
	set dataDir [file join $tmp data]
	file mkdir $dataDir
    }
    file mkdir [file join $tmp log]

    Say "Preparing: PKI, implementations, data file..."
    set systemStore [MakePki]

    # Implementations.
    set build [SnapshotBuild]
    if {[catch {Probe ours} r]} {
	error "our package does not load from $build: $r"
    }
    set line "ours: tls [dict get $r version] from $build"
    if {![catch {exec git -C [file dirname $build] describe --always --dirty \
	    2>/dev/null} rev]} {
	append line " (git $rev)"
    }
    lappend info $line
    set why [FetchTclTls]
    if {$why eq "" && [catch {Probe tcltls} r]} {
	set why "does not load: $r"
    }
    if {$why ne ""} {
	set missing(tcltls) $why
	lappend info "tcl-tls: not measured ($why)"
    } else {
	lappend info "tcl-tls: [dict get $r version] ([dict get $r library]),\
	    given -cafile/-require 1 like the others (it never checks host names)"
    }
    if {[catch {FindPython} r]} {
	set missing(python) "python3 with ssl: $r"
	lappend info "python: not measured ($r)"
    } else {
	lappend info "python: $r ($python)"
    }
    if {[catch {exec openssl version} r]} {
	set missing(openssl) $r
    } else {
	lappend info "openssl CLI: $r"
    }
    lappend info "Tcl [info patchlevel]; [exec nproc] cores; [exec uname -sr];\
	load average at start [LoadAverage]"

    lappend info "system store: $systemStore"
    MakeData [dict get $env bytes]

    # The plan: every repetition runs every figure once for every
    # implementation, the order of the implementations rotating.
    set plan {}
    foreach {id title kind params} $figures {
	if {[llength $only]} {
	    set take 0
	    foreach pat $only {
		if {[string match $pat $id]} {
		    set take 1
		}
	    }
	    if {!$take} {
		continue
	    }
	}
	set list {}
	foreach impl $kindImpls($kind) {
	    if {$impl in $impls && ![info exists missing($impl)]} {
		lappend list $impl
	    }
	}
	if {[llength $list]} {
	    lappend plan $id $title $kind $params $list
	}
    }
    set total 0
    foreach {id title kind params list} $plan {
	incr total [expr {[llength $list] * $reps}]
    }
    foreach line $info {
	Say "  $line"
    }
    Say "Settings: $env; $reps repetitions, $total runs"

    set n 0
    for {set rep 1} {$rep <= $reps} {incr rep} {
	foreach {id title kind params list} $plan {
	    set k [expr {($rep - 1) % [llength $list]}]
	    set order [concat [lrange $list $k end] [lrange $list 0 $k-1]]
	    foreach impl $order {
		incr n
		set logBase [file join $tmp log $id-$impl-$rep]
		if {[catch {RunCase $id $kind $params $impl $logBase} r]} {
		    lappend failures($id,$impl) $r
		    Say [format "\[%3d/%d\] %-10s %-8s FAILED: %s" $n $total $id $impl $r]
		    continue
		}
		lappend results($id,$impl) $r
		set show {}
		dict for {key value} $r {
		    if {$key ne "count"} {
			lappend show "$key [Fmt $value]"
		    }
		}
		Say [format "\[%3d/%d\] %-10s %-8s %s" $n $total $id $impl [join $show {, }]]
	    }
	}
    }

    set elapsed [expr {[clock seconds] - $started}]
    lappend info "load average at the end [LoadAverage] (other processes\
	compete with the measured ones when it is well above 1)"
    Say ""
    Say "Results: median \[min-max\] of $reps runs; ratios are ours/other\
	of the medians (see \"better\")."
    foreach line $info {
	Say "  $line"
    }
    Say ""
    PrintTable
    Say ""
    Say "Elapsed: [expr {$elapsed / 60}] min [expr {$elapsed % 60}] s"
    set text "Run of [clock format $started -format {%Y-%m-%d %H:%M} -gmt 1]\
	UTC with `$command`: [expr {$quick ? "quick" : "full"}] ($env;\
	$reps repetitions), [expr {$elapsed / 60}] min [expr {$elapsed % 60}] s.\n\n"
    foreach line $info {
	append text "- $line\n"
    }
    append text "\n[MarkdownTable]"
    if {$markdown ne ""} {
	set fd [open $markdown w]
	puts -nonewline $fd $text
	close $fd
	Say "Markdown table written to $markdown"
    }
    if {$resultsFile ne ""} {
	ReplaceTable $resultsFile $text
	Say "Table replaced in $resultsFile"
    }
    set nfail 0
    foreach key [array names failures] {
	incr nfail [llength $failures($key)]
    }
    return $nfail
}

# bench/profile.tcl sources this file for its procedures only.
if {[info exists ::run::library]} {
    return
}
if {[catch {run::Main $argv} nfail opts]} {
    puts stderr "run.tcl: $nfail"
    run::Cleanup
    exit 1
}
run::Cleanup
exit [expr {$nfail > 0}]
