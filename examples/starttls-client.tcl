# starttls-client.tcl --
#
#	An SMTP-style STARTTLS client. It connects with a plain TCP socket,
#	reads the server's greeting, says EHLO, asks for STARTTLS, and when
#	the server agrees puts TLS on the same socket with tls::import:
#	the server's certificate is verified against the CA store and must
#	carry the server's host name (-servername). After the handshake it
#	says EHLO again, now encrypted (SMTP forgets everything learnt before
#	STARTTLS), prints the negotiated protocol and cipher, and says QUIT.
#	No mail is sent.
#
#	Everything is non-blocking with a time limit on every wait, so a
#	server that stops answering cannot hang the client.
#
# Usage:
#	tclsh starttls-client.tcl ?-cafile file? ?-servername name?
#	    ?-helo name? ?-timeout ms? ?host? ?port?
#
#	host         server to connect to (default localhost)
#	port         its port (default 587, mail submission)
#	-cafile      PEM file of the CA certificates to trust; without it
#	             the system CA store is used
#	-servername  the name the server's certificate must carry (default:
#	             host); also sent as SNI
#	-helo        the name this client gives in EHLO (default: this
#	             machine's host name)
#	-timeout     the longest wait for the server (to connect, for each
#	             reply, for the handshake), in milliseconds (default
#	             10000)
#
#	Exit status: 0 after a clean QUIT, 1 on any error (connection,
#	unexpected reply, no STARTTLS offered, certificate refused, timeout),
#	2 for a usage error.
#
# Example:
#	tclsh starttls-client.tcl -cafile ca.pem mail.example.org 587
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

package require tls

# usage --
#
#	Prints what is wrong and how to call the script, and exits with 2.

proc usage {message} {
    puts stderr "starttls-client: $message"
    puts stderr "usage: tclsh starttls-client.tcl ?-cafile file?\
	?-servername name? ?-helo name? ?-timeout ms? ?host? ?port?"
    exit 2
}

# startClock --
#
#	Starts the time limit of one step of the conversation (connecting,
#	one reply, the handshake): $::timeout milliseconds from now.

proc startClock {} {
    set ::deadline [expr {[clock milliseconds] + $::timeout}]
}

# waitFor --
#
#	Enters the event loop until chan is readable or writable (event is
#	"readable" or "writable"), but not past the time limit set by
#	startClock. Raises an error when the time is up.

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

# readLine --
#
#	Returns the next line from the non-blocking channel chan, waiting for
#	it as needed. On a non-blocking channel gets returns -1 while the
#	line is incomplete; eof tells that nothing more will come.

proc readLine {chan} {
    while {[gets $chan line] < 0} {
	if {[eof $chan]} {
	    error "the server closed the connection"
	}
	waitFor $chan readable
    }
    puts "S: $line"
    return $line
}

# readReply --
#
#	Reads one SMTP reply: lines "250-text" continue it, "250 text" ends
#	it. Returns a list of the code and the texts of all lines; raises an
#	error if the code is not the one expected.

proc readReply {chan expected} {
    startClock
    set texts {}
    while 1 {
	set line [readLine $chan]
	if {![regexp {^(\d{3})([ -])(.*)$} $line -> code more text]} {
	    error "malformed reply \"$line\""
	}
	lappend texts $text
	if {$more eq " "} {
	    break
	}
    }
    if {$code ne $expected} {
	error "expected a $expected reply, got \"$line\""
    }
    return [list $code $texts]
}

# command --
#
#	Sends one command line. The channel's -buffering line sends it at
#	once; -translation crlf ends it with CR LF as SMTP wants.

proc command {chan line} {
    puts "C: $line"
    puts $chan $line
}

# --- Command line ------------------------------------------------------

set cafile ""
set servername ""
set helo [info hostname]
set timeout 10000
set positional {}
for {set i 0} {$i < [llength $argv]} {incr i} {
    set arg [lindex $argv $i]
    switch -glob -- $arg {
	-cafile - -servername - -helo - -timeout {
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
if {[llength $positional] > 2} {
    usage "too many arguments"
}
set defaults {localhost 587}
lassign [concat $positional [lrange $defaults [llength $positional] end]] \
    host port
if {![string is integer -strict $port] || $port <= 0 || $port > 65535} {
    usage "bad port \"$port\""
}
if {![string is integer -strict $timeout] || $timeout <= 0} {
    usage "-timeout must be a positive number of milliseconds"
}
if {$servername eq ""} {
    set servername $host
}

# --- The conversation ------------------------------------------------------

# talk --
#
#	The whole SMTP exchange over the socket chan; raises an error at the
#	first problem.

proc talk {chan} {
    global helo servername cafile

    # Plain text: greeting, EHLO, STARTTLS.
    readReply $chan 220
    command $chan "EHLO $helo"
    lassign [readReply $chan 250] code extensions
    # The first line of the EHLO reply is the greeting; each further line
    # names an extension, e.g. "STARTTLS" or "SIZE 35882577".
    set offered 0
    foreach extension [lrange $extensions 1 end] {
	if {[string equal -nocase [lindex $extension 0] STARTTLS]} {
	    set offered 1
	}
    }
    if {!$offered} {
	error "the server does not offer STARTTLS"
    }
    command $chan STARTTLS
    readReply $chan 220

    # TLS on the same socket. tls::import cannot know which host was
    # meant, so -servername names it: it is sent as SNI, and the server's
    # certificate must carry it. The chain is verified against -cafile,
    # or the system store without it (-require 1 is the default).
    set options [list -servername $servername]
    if {$cafile ne ""} {
	lappend options -cafile $cafile
    }
    tls::import $chan {*}$options

    # The channel is non-blocking, so tls::handshake returns 0 while the
    # handshake waits for the server. A writable event comes once it has
    # finished or failed; a refused certificate is raised here as an
    # error ("certificate verify failed: ...").
    startClock
    while {![tls::handshake $chan]} {
	waitFor $chan writable
    }
    set status [tls::status $chan]
    puts "TLS: handshake done"
    puts "  protocol:     [dict get $status protocol]"
    puts "  cipher:       [dict get $status cipher]"
    puts "  peer subject: [dict get $status subject]"
    puts "  verification: [dict get $status verificationresult]"

    # Encrypted from here on; the reading and writing code is the same.
    command $chan "EHLO $helo"
    readReply $chan 250
    command $chan QUIT
    readReply $chan 221
}

# Connect in the background (-async) so that the wait for the
# connection is bounded too; the socket is writable once connected, and
# -error tells whether it worked.
if {[catch {
    startClock
    set chan [socket -async $host $port]
    fconfigure $chan -blocking 0 -buffering line -translation {auto crlf}
    waitFor $chan writable
    set err [fconfigure $chan -error]
    if {$err ne ""} {
	error "cannot connect to $host:$port: $err"
    }
    puts "connected to $host:$port"
    talk $chan
} message]} {
    puts stderr "starttls-client: error: $message"
    if {[info exists chan]} {
	catch {close $chan}
    }
    exit 1
}
close $chan
exit 0
