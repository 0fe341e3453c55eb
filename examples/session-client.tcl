# session-client.tcl --
#
#	A client that keeps its TLS session in a file between runs, so that
#	the next process resumes the session instead of making a full
#	handshake (portable sessions: tls::session export and -session).
#	Each run reads the session file if there is one, connects with
#	tls::socket -session, sends one line ("hello"), reads the answer,
#	prints whether the session was resumed and, when the saved session
#	was not even offered, why; then it saves the connection's newest
#	session in the file for the next run.
#
#	Run it twice against echo-server.tcl: the first run prints
#	"resumed 0", the second "resumed 1". Resumption needs the same
#	server process, or servers that share their ticket keys
#	(reuseport-server.tcl -ticketkeys), and the same server name: a
#	session is offered only to the name it was verified for.
#
#	The session file holds the session's secret: whoever reads it can
#	resume the session and read what is sent on the resumed connection.
#	It is written with mode 0600 (owner only) and is best kept in a
#	directory only the user can reach. A file that is no session (cut
#	short, overwritten) is reported and replaced, not fatal.
#
# Usage:
#	tclsh session-client.tcl ?-cafile file? ?-servername name?
#	    ?-session file? ?-timeout ms? host port
#
#	host         server to connect to
#	port         its port
#	-cafile      PEM file of the CA certificates to trust for the server;
#	             without it the system CA store is used
#	-servername  the name the server's certificate must carry, and the
#	             name the saved session is bound to (default: host)
#	-session     the session file (default session.pem), PEM as
#	             tls::session export writes it (DER is read as well)
#	-timeout     the longest time the whole exchange may take, in
#	             milliseconds (default 10000)
#
#	Exit status: 0 when the server answered (resumed or not), 1 on any
#	error (certificate refused, connection failure, timeout, a session
#	file that cannot be read or written), 2 for a usage error.
#
# Example, against echo-server.tcl on its default port:
#	tclsh session-client.tcl -cafile ca.pem localhost 8007
#	tclsh session-client.tcl -cafile ca.pem localhost 8007
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

package require tls

# usage --
#
#	Prints what is wrong and how to call the script, and exits with 2.

proc usage {message} {
    puts stderr "session-client: $message"
    puts stderr "usage: tclsh session-client.tcl ?-cafile file?\
	?-servername name? ?-session file? ?-timeout ms? host port"
    exit 2
}

# waitFor --
#
#	Enters the event loop until chan is readable or writable (event is
#	"readable" or "writable"), but not past ::deadline (in
#	milliseconds, as clock milliseconds counts). Raises an error when
#	the time is up.

proc waitFor {chan event} {
    set left [expr {$::deadline - [clock milliseconds]}]
    if {$left <= 0} {
	error "no answer from the server within $::timeout ms"
    }
    fileevent $chan $event {set ::wakeup ready}
    set timer [after $left {set ::wakeup timeout}]
    vwait ::wakeup
    after cancel $timer
    fileevent $chan $event {}
    if {$::wakeup eq "timeout"} {
	error "no answer from the server within $::timeout ms"
    }
}

# loadSession --
#
#	Returns the session saved in file, or an empty string when there is
#	none to offer: no file yet, or a file whose bytes are no session
#	(reported on stderr; the file is replaced after this run). Prints
#	what the session is, from tls::session info: the server name it is
#	bound to, its protocol, whether it has expired. An expired session
#	or one for another name is still given to -session: the package
#	then leaves it out and tls::connection says why (session_ignored).
#	A file that exists but cannot be read raises an error.

proc loadSession {file} {
    if {![file exists $file]} {
	puts "session: no $file yet, full handshake"
	return ""
    }
    set fd [open $file rb]
    set bytes [read $fd]
    close $fd
    if {[catch {tls::session info $bytes} info]} {
	puts stderr "session-client: warning: $file: $info; ignoring it"
	return ""
    }
    set expired [expr {[dict get $info expired] ? ", expired" : ""}]
    puts "session: from $file, [dict get $info protocol] for\
	\"[dict get $info servername]\"$expired"
    return $bytes
}

# saveSession --
#
#	Writes the bytes of a session to file, readable by the owner only.
#	They go to a new file beside it, created with mode 0600, which then
#	replaces file: a run that is interrupted never leaves half a session
#	behind, and an existing file made with a wider mode is replaced
#	rather than kept with that mode. (On Windows the mode argument has
#	no effect: the new file takes the access rules of its directory.)

proc saveSession {file bytes} {
    set temp $file.[pid].tmp
    file delete -force $temp
    set fd [open $temp {WRONLY CREAT EXCL BINARY} 0600]
    try {
	puts -nonewline $fd $bytes
	close $fd
    } on error {message options} {
	catch {close $fd}
	file delete -force $temp
	return -options $options $message
    }
    file rename -force $temp $file
}

# --- Command line ------------------------------------------------------

set cafile ""
set servername ""
set session session.pem
set timeout 10000
set positional {}
for {set i 0} {$i < [llength $argv]} {incr i} {
    set arg [lindex $argv $i]
    switch -glob -- $arg {
	-cafile - -servername - -session - -timeout {
	    if {$i + 1 >= [llength $argv]} {
		usage "$arg needs a value"
	    }
	    set [string range $arg 1 end] [lindex $argv [incr i]]
	}
	-* {
	    usage "unknown option \"$arg\""
	}
	default {
	    lappend positional $arg
	}
    }
}
if {[llength $positional] != 2} {
    usage "give the host and the port"
}
lassign $positional host port
if {![string is integer -strict $port] || $port <= 0 || $port > 65535} {
    usage "bad port \"$port\""
}
if {![string is integer -strict $timeout] || $timeout <= 0} {
    usage "-timeout must be a positive number of milliseconds"
}
if {$session eq ""} {
    usage "-session needs a file name"
}

# --- Connect, talk, save ------------------------------------------------
#
# tls::socket verifies the server as any client does: its chain against
# -cafile (or the system store) and its certificate against the host
# name (or -servername). -session offers the saved session if it is for
# that name, its protocol is in range and it has not expired; otherwise
# the handshake goes on as without it. Whether the server accepted it
# shows in tls::connection: session_reused.

set options {}
if {$cafile ne ""} {
    lappend options -cafile $cafile
}
if {$servername ne ""} {
    lappend options -servername $servername
}

if {[catch {
    set saved [loadSession $session]
    if {$saved ne ""} {
	lappend options -session $saved
    }

    # -async: connect and handshake in the background, so that the
    # waits below can be limited: all of them together to -timeout.
    set deadline [expr {[clock milliseconds] + $timeout}]
    set chan [tls::socket -async {*}$options $host $port]
    fconfigure $chan -blocking 0 -buffering line -translation {auto crlf}
    while {![tls::handshake $chan]} {
	waitFor $chan writable
    }
    puts "connected to $host:$port with\
	[dict get [tls::status $chan] protocol]"

    # With TLS 1.3 the server sends its session (a ticket) after the
    # handshake, ahead of its first reply: reading the answer takes it
    # in, so that there is a session to export below.
    puts $chan hello
    while {[gets $chan answer] < 0} {
	if {[eof $chan]} {
	    error "the server closed the connection without answering"
	}
	waitFor $chan readable
    }
    puts "server: $answer"

    set connection [tls::connection $chan]
    puts "resumed [dict get $connection session_reused]"
    if {[dict get $connection session_ignored] ne ""} {
	puts "session not offered: [dict get $connection session_ignored]"
    }

    # The newest session of the connection, for the next run. With TLS
    # 1.3 a ticket is meant to be used once, so it is saved again after
    # every connection, resumed or not. A server that sends no session
    # leaves nothing to save: the file is left as it is.
    try {
	saveSession $session [tls::session export $chan]
	puts "session: saved to $session"
    } trap {TLS CHANNEL SESSION} {message} {
	puts "session not saved: $message"
    }
} problem]} {
    puts stderr "session-client: error: $problem"
    if {[info exists chan]} {
	catch {close $chan}
    }
    exit 1
}
close $chan
exit 0
