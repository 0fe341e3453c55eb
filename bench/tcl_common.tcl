# tcl_common.tcl --
#
#	Shared by bench/tcl_server.tcl and bench/tcl_client.tcl, the Tcl
#	processes that bench/run.tcl starts. Loads one implementation:
#
#	  ours     the tls package from $env(TLS_BUILD_DIR) (run.tcl points it
#	           at a snapshot of build/ taken when the run started); the
#	           shared library must come from that directory
#	  tcltls   Debian's tcl-tls 1.7.22 from $env(BENCH_TCLTLS_DIR) (a
#	           directory holding its pkgIndex.tcl, unpacked by run.tcl)
#	  plain    no TLS: Tcl's own sockets
#
#	and gives the helpers both roles use. The PKI is $env(BENCH_PKI)
#	(ca.pem, rsa.pem/rsa.key, ec.pem/ec.key: leaves signed directly by
#	the CA, so no implementation needs to send a chain; tcl-tls 1.7
#	sends only the first certificate of -certfile).
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

namespace eval bench {
    variable impl ""
    variable pki ""
    variable chunk ""		;# 64 KiB of data for bulk writes
}

# bench::Fail --
#
#	Reports a problem on stderr (run.tcl shows it) and exits 1.

proc bench::Fail {msg} {
    puts stderr "[file tail $::argv0]: $msg"
    exit 1
}

# bench::Load --
#
#	Loads implementation impl (see above) and checks where the package
#	came from, so that no installed copy can be measured by mistake.

proc bench::Load {impl} {
    global env auto_path
    variable pki
    # Absolute: Tcl 9 resolves bench::impl inside namespace bench as
    # ::bench::bench::impl.
    set ::bench::impl $impl
    set pki $env(BENCH_PKI)
    switch -- $impl {
	plain {
	    return
	}
	ours {
	    set dir [file normalize $env(TLS_BUILD_DIR)]
	    set auto_path [linsert $auto_path 0 $dir]
	    set version [package require tls 1.8]
	}
	tcltls {
	    set dir [file normalize $env(BENCH_TCLTLS_DIR)]
	    set auto_path [linsert $auto_path 0 $dir]
	    set version [package require -exact tls 1.7.22]
	}
	default {
	    Fail "unknown implementation \"$impl\""
	}
    }
    set files {}
    foreach entry [info loaded] {
	lassign $entry file prefix
	if {[string equal -nocase $prefix tls]} {
	    lappend files [file normalize $file]
	}
    }
    if {[llength $files] != 1 || [string first $dir/ [lindex $files 0]] != 0} {
	Fail "tls $version for \"$impl\" was not loaded from $dir:\
	    [info loaded]"
    }
}

# bench::cpu --
#
#	CPU time used so far by this process, all threads, user and system,
#	in seconds. From /proc/self/task/*/schedstat (nanoseconds), else
#	from the clock ticks of /proc/self/stat.

proc bench::cpu {} {
    set total 0
    set ok 0
    foreach f [glob -nocomplain /proc/self/task/*/schedstat] {
	if {![catch {open $f r} fd]} {
	    set line [gets $fd]
	    close $fd
	    set total [expr {$total + [lindex $line 0]}]
	    set ok 1
	}
    }
    if {$ok && $total > 0} {
	return [expr {$total / 1e9}]
    }
    set fd [open /proc/self/stat r]
    set line [read $fd]
    close $fd
    # Fields after the command name (which is in parentheses): utime is
    # field 14 and stime field 15 of the whole line.
    set rest [string range $line [expr {[string last ) $line] + 2}] end]
    return [expr {([lindex $rest 11] + [lindex $rest 12]) / 100.0}]
}

# bench::Chunk --
#
#	64 KiB of bytes for bulk writes (a byte array, as written to a
#	binary channel).

proc bench::Chunk {} {
    variable chunk
    # (No "eq" on the data: comparing a byte array with a string makes
    # Tcl build its string representation.)
    if {[string length $chunk] == 0} {
	set s ""
	for {set i 0} {$i < 256} {incr i} {
	    append s [format %c $i]
	}
	set chunk [encoding convertto iso8859-1 [string repeat $s 256]]
    }
    return $chunk
}

# bench::ServerOptions --
#
#	tls::socket options of a server with certificate kind (rsa or ec).

proc bench::ServerOptions {kind} {
    variable pki
    variable impl
    set opts [list -certfile [file join $pki $kind.pem] \
	-keyfile [file join $pki $kind.key]]
    if {$impl eq "tcltls"} {
	# tcl-tls 1.7 servers ask for client certificates by default.
	lappend opts -request 0 -require 0
    }
    return $opts
}

# bench::ClientOptions --
#
#	tls::socket options of a verifying client; store is "cafile" (our
#	CA file) or "system" (the default store: run.tcl then sets
#	SSL_CERT_FILE to the system bundle plus our CA). The name sent and
#	checked is "localhost" (the connection goes to 127.0.0.1). tcl-tls
#	1.7 does not verify unless told to, and never checks host names.
#	(With or without -cafile, tcl-tls also loads the system bundle into
#	the new context of every connection.)

proc bench::ClientOptions {store} {
    variable pki
    variable impl
    set opts {}
    if {$store eq "cafile"} {
	lappend opts -cafile [file join $pki ca.pem]
    } elseif {$impl eq "tcltls"} {
	# tcl-tls 1.7 ignores SSL_CERT_FILE: without -cafile it reads
	# X509_get_default_cert_file() (the system bundle) on every
	# connection. Give it the bundle SSL_CERT_FILE names instead.
	lappend opts -cafile $::env(SSL_CERT_FILE)
    }
    lappend opts -servername localhost
    if {$impl eq "tcltls"} {
	lappend opts -request 1 -require 1
    }
    return $opts
}

# bench::Listen --
#
#	Opens the listening socket on 127.0.0.1 (ephemeral port) with the
#	accept callback cmd; returns its port.

proc bench::Listen {cmd kind} {
    variable impl
    if {$impl eq "plain"} {
	set sock [socket -server $cmd -myaddr 127.0.0.1 0]
    } else {
	set sock [tls::socket -server $cmd {*}[ServerOptions $kind] \
	    -myaddr 127.0.0.1 0]
    }
    return [lindex [fconfigure $sock -sockname] 2]
}

# bench::Connect --
#
#	Opens a blocking client connection to 127.0.0.1 port and completes
#	the handshake (tls::socket leaves it to the first I/O, in ours as in
#	tcl-tls: tls::handshake does it now). extra: more tls::socket
#	options.

proc bench::Connect {port store {extra {}}} {
    variable impl
    switch -- $impl {
	plain {
	    return [socket 127.0.0.1 $port]
	}
	ours - tcltls {
	    set chan [tls::socket {*}[ClientOptions $store] {*}$extra \
		127.0.0.1 $port]
	    if {[catch {tls::handshake $chan} msg]} {
		catch {close $chan}
		error $msg
	    }
	    return $chan
	}
    }
}

# bench::Reused --
#
#	1 if the handshake of chan resumed a session, else 0 (always 0 for
#	tcl-tls 1.7, which has no client session reuse).

proc bench::Reused {chan} {
    variable impl
    if {$impl eq "ours"} {
	return [dict get [tls::connection $chan] session_reused]
    }
    return 0
}
