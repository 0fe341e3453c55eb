# tls.tcl --
#
#	The script layer of the tls package: tls::socket (a proc, as callers
#	such as tcllib's imap4 check with [info procs ::tls::socket]) and the
#	reference callbacks tls::callback and tls::password named by the
#	manual. Everything else is in C.
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

namespace eval ::tls {
    # The command tls::socket opens plain sockets with; read on every call,
    # so a program may point it at a proxy-aware replacement.
    variable socketCmd
    if {![info exists socketCmd]} {
	set socketCmd ::socket
    }
    # Options stored by tls::init (checked there), put in front of the
    # options of every tls::socket call.
    variable defaults
    if {![info exists defaults]} {
	set defaults {}
    }
    # The options of tls::socket that go to the socket command with their
    # value (-async, a flag, and -server are handled apart).
    variable socketOptions {-myaddr -myport -type -reuseaddr -reuseport}
    # Verbosity of the reference callbacks (the manual advises against it).
    variable debug
    if {![info exists debug]} {
	set debug 0
    }
}

# tls::socket --
#
#	Like Tcl's socket, with TLS: client form "?options? host port",
#	server form "-server command ?options? port". Socket options
#	(-myaddr, -myport, -async, -type, and Tcl 9's -reuseaddr and
#	-reuseport) go to the socket command, the
#	rest to tls::import, checked before any socket is opened.
#	-autoservername (default true) sends the host as SNI and checks the
#	certificate against it unless -servername is given. As with TclTLS,
#	the handshake starts with the first read, write, flush or
#	tls::handshake, never here: a script that serves itself must not
#	deadlock. With -timeout the connect runs in the background and the
#	time limit covers it and the handshake.
#
# Results:
#	The channel (client) or the listening socket (server).

proc ::tls::socket {args} {
    variable socketCmd
    variable defaults
    variable socketOptions

    set server 0
    set sockOpts {}
    set tlsOpts $defaults
    set n [llength $args]
    for {set i 0} {$i < $n && [string match -* [lindex $args $i]]} {incr i} {
	set opt [lindex $args $i]
	# As Tcl's socket: -async and -server exclude each other at once.
	if {($opt eq "-async" && $server)
		|| ($opt eq "-server" && "-async" in $sockOpts)} {
	    return -code error -errorcode {TLS USAGE} \
		"cannot set -async option for server sockets"
	}
	if {$opt eq "-async"} {
	    lappend sockOpts -async
	    continue
	}
	if {$i + 1 >= $n} {
	    MissingValue $opt
	}
	set value [lindex $args [incr i]]
	if {$opt eq "-server"} {
	    set server 1
	    set callback $value
	} elseif {$opt in $socketOptions} {
	    lappend sockOpts $opt $value
	} else {
	    lappend tlsOpts $opt $value
	}
    }
    set rest [lrange $args $i end]
    # Bad TLS options first, before any socket is opened, as socket does.
    ::tls::ParseOptions {*}$tlsOpts

    if {$server} {
	if {[llength $rest] != 1} {
	    return -code error -errorcode {TLS USAGE} "wrong # args:\
		should be \"tls::socket -server command ?options? port\""
	}
	set tlsOpts [linsert $tlsOpts 0 -server 1]
	# Build the context now: a missing file or a wrong key password is
	# reported here, not at the first connection.
	::tls::CheckOptions {*}$tlsOpts
	return [$socketCmd -server [list ::tls::Accept $tlsOpts $callback] \
		{*}$sockOpts {*}$rest]
    }

    if {[llength $rest] != 2} {
	return -code error -errorcode {TLS USAGE} \
	    "wrong # args: should be \"tls::socket ?options? host port\""
    }
    lassign $rest host port
    set opts [dict create -autoservername 1]
    foreach {opt value} $tlsOpts {
	dict set opts $opt $value
    }
    # An empty -servername means "not set": the host is still checked.
    if {(![dict exists $opts -servername] || [dict get $opts -servername] eq "")
	    && [string is true -strict [dict get $opts -autoservername]]} {
	lappend tlsOpts -servername $host
    }
    # With a time limit the TCP connect happens in the background, so
    # that the limit bounds it together with the handshake.
    if {[dict exists $opts -timeout] && [dict get $opts -timeout] > 0
	    && "-async" ni $sockOpts} {
	lappend sockOpts -async
    }
    set chan [$socketCmd {*}$sockOpts $host $port]
    if {[catch {::tls::import $chan {*}$tlsOpts} msg opts]} {
	catch {close $chan}
	return -options $opts $msg
    }
    return $chan
}

# tls::MissingValue --
#
#	Error of tls::socket for an option at the end of its arguments: an
#	unknown name is reported as such (as Tcl's socket does), a known
#	one as lacking its value.

proc ::tls::MissingValue {opt} {
    variable socketOptions
    if {$opt ne "-server" && $opt ni $socketOptions
	    && [catch {::tls::ParseOptions $opt {}} msg opts]
	    && [string match "bad option *" $msg]} {
	return -options $opts -level 2 $msg
    }
    return -code error -level 2 -errorcode [list TLS OPTION $opt] \
	"\"$opt\" option must be followed by value"
}

# tls::Accept --
#
#	Accept callback of tls::socket -server: stacks TLS on the new
#	connection, then calls the script's callback like socket -server.

proc ::tls::Accept {tlsOpts callback chan addr port} {
    if {[catch {tls::import $chan {*}$tlsOpts} msg opts]} {
	catch {close $chan}
	return -options $opts $msg
    }
    uplevel #0 [linsert $callback end $chan $addr $port]
}

# tls::callback --
#
#	Reference -command callback from the manual: logs what happens when
#	tls::debug is set; for "verify" returns the verdict unchanged (or 1
#	when tls::debug is 2 or more, as the manual describes).

proc ::tls::callback {option args} {
    variable debug
    switch -- $option {
	verify {
	    lassign $args chan depth cert status error
	    if {$debug > 0} {
		puts stderr "tls verify $chan depth $depth status $status $error"
	    }
	    if {$debug > 1} {
		return 1
	    }
	    return $status
	}
	default {
	    if {$debug > 0} {
		puts stderr "tls $option $args"
	    }
	}
    }
    return
}

# tls::password --
#
#	Reference -password callback: no password. Programs give their own
#	with -password.

proc ::tls::password {} {
    return ""
}
