# https-client.tcl --
#
#	Fetches one URL with Tcl's http package over TLS, registered the way
#	the manual's HTTPS EXAMPLE shows, with the server's certificate
#	verified: its chain must lead to a trusted CA and it must carry the
#	host name of the URL. Prints the HTTP status line, a few response
#	headers, the TLS details of the connection (protocol, cipher, the
#	server certificate's subject and issuer, as the -command callback
#	saw them during the handshake) and the size of the body.
#
# Usage:
#	tclsh https-client.tcl ?-cafile file? ?-timeout ms? ?url?
#
#	url        the page to fetch (default https://www.tcl-lang.org/)
#	-cafile    PEM file of the CA certificates to trust; without it the
#	           system CA store is used (/etc/ssl/certs on Debian)
#	-timeout   give up after this many milliseconds (default 10000)
#
#	Exit status: 0 when the server answered (whatever the HTTP status),
#	1 when the request failed (certificate refused, network error,
#	timeout), 2 for a usage error.
#
# Example, against the server of sni-server.tcl:
#	tclsh https-client.tcl -cafile ca.pem https://localhost:8443/
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

package require http
package require tls

# usage --
#
#	Prints what is wrong and how to call the script, and exits with 2.

proc usage {message} {
    puts stderr "https-client: $message"
    puts stderr "usage: tclsh https-client.tcl ?-cafile file?\
	?-timeout ms? ?url?"
    exit 2
}

# fail --
#
#	Reports an error on stderr and exits with 1.

proc fail {message} {
    puts stderr "https-client: error: $message"
    exit 1
}

# header --
#
#	Returns the value of the response header name of the request token
#	tok, or "" if there is none. Header names are not case-sensitive, so
#	they are compared with string equal -nocase.

proc header {tok name} {
    foreach {key value} [http::meta $tok] {
	if {[string equal -nocase $key $name]} {
	    return $value
	}
    }
    return ""
}

# --- Command line ------------------------------------------------------

set cafile ""
set timeout 10000
set url https://www.tcl-lang.org/
set positional {}
for {set i 0} {$i < [llength $argv]} {incr i} {
    set arg [lindex $argv $i]
    switch -glob -- $arg {
	-cafile - -timeout {
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
if {[llength $positional] > 1} {
    usage "too many arguments"
}
if {[llength $positional] == 1} {
    set url [lindex $positional 0]
}
if {![string is integer -strict $timeout] || $timeout <= 0} {
    usage "-timeout must be a positive number of milliseconds"
}
if {![string match -nocase https://* $url]} {
    usage "the URL must start with https://"
}

# tlsEvent --
#
#	The -command callback of every https connection; the package appends
#	the callback's form and its arguments. It records in ::seen the
#	server's certificate (the "verify" form for depth 0, whose cert
#	argument is a dictionary with the certificate keys of tls::status)
#	and the connection (tls::connection, taken in the "info" form that
#	reports the end of the handshake). This script makes one request
#	over one connection, so ::seen describes that connection. Returning
#	an empty string from "verify" leaves the decision to -require.
#
#	Why not simply tls::status after the request? The http package
#	closes the connection as soon as the response is complete when the
#	server answers "Connection: close", so the channel may be gone by the
#	time http::geturl returns. The callback sees everything while the
#	handshake runs, whatever the server does afterwards.

proc tlsEvent {option args} {
    switch -- $option {
	verify {
	    lassign $args chan depth cert ok reason
	    if {$depth == 0} {
		dict set ::seen cert $cert
	    }
	}
	info {
	    lassign $args chan major minor message
	    if {$major eq "handshake" && $minor eq "done"} {
		dict set ::seen connection [tls::connection $chan]
	    }
	}
    }
    return ""
}

# --- Register tls::socket for https URLs --------------------------------
#
# The http package opens its connections with the command registered for
# the URL's scheme, appending its own socket options, the host and the
# port. -autoservername true sends the URL's host name as SNI and checks
# the certificate against it; -require true refuses a server that fails
# verification. Both are the package's defaults and spelled out here only
# to make them visible. Without -cafile the system CA store is used.
# -command names a callback that watches the handshake (see tlsEvent).

set seen [dict create]
set tlsOptions [list -autoservername true -require true -command tlsEvent]
if {$cafile ne ""} {
    lappend tlsOptions -cafile $cafile
}
http::register https 443 [list ::tls::socket {*}$tlsOptions]

# --- Fetch ---------------------------------------------------------------
#
# The http package connects in the background (tls::socket -async), so a
# refused certificate shows up either as an error of geturl or as a token
# whose status is "error". -timeout bounds the whole request.

puts "GET $url"
if {[catch {http::geturl $url -timeout $timeout} tok]} {
    fail $tok
}
switch -- [http::status $tok] {
    ok {
    }
    timeout {
	fail "no answer within $timeout ms"
    }
    default {
	set message [http::error $tok]
	if {$message eq ""} {
	    set message "request [http::status $tok]"
	}
	fail $message
    }
}

puts [http::code $tok]
foreach name {Content-Type Content-Length Server Date} {
    set value [header $tok $name]
    if {$value ne ""} {
	puts "  $name: $value"
    }
}

# Protocol and cipher come from tls::connection, the subject and issuer
# from the certificate; as the handshake succeeded with -require true,
# the certificate was verified.
if {[dict exists $seen connection] && [dict exists $seen cert]} {
    set connection [dict get $seen connection]
    set cert [dict get $seen cert]
    puts "TLS connection:"
    puts "  protocol:     [dict get $connection protocol]"
    puts "  cipher:       [dict get $connection cipher]"
    puts "  peer subject: [dict get $cert subject]"
    puts "  issuer:       [dict get $cert issuer]"
    puts "  valid until:  [dict get $cert notAfter]"
}

# http::size counts the bytes of the body as they were received. Of a
# text body, the first lines are shown too.
puts "Body: [http::size $tok] bytes"
if {[string match -nocase text/* [header $tok Content-Type]]} {
    set lines [split [string trimright [http::data $tok] \n] \n]
    foreach line [lrange $lines 0 4] {
	puts "  | $line"
    }
    if {[llength $lines] > 5} {
	puts "  | ..."
    }
}
http::cleanup $tok
exit 0
