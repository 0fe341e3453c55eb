# sni-server.tcl --
#
#	An HTTPS server that answers for several host names on one port
#	(SNI virtual hosting). A client names the host it wants in its TLS
#	hello (Server Name Indication); the server's -command callback is
#	called with the "sni" form and returns the -certfile and -keyfile
#	of that host, so every client gets the certificate of the name it
#	asked for. Clients that send no name (those connecting by IP
#	address) get the first host's certificate. Every request is answered
#	with a short text saying which name served it.
#
# Usage:
#	tclsh sni-server.tcl ?-myaddr addr? ?-port port? ?-requests n? \
#	    name certfile keyfile ?name certfile keyfile ...?
#
#	name certfile keyfile
#	           one virtual host: its host name, the PEM file with its
#	           certificate (followed by any intermediate CA
#	           certificates, which are sent along) and the PEM file with
#	           its private key. Give two or more. The first is also the
#	           host of clients that send no name.
#	-myaddr    address to listen on (default 127.0.0.1; 0.0.0.0 for all
#	           IPv4 addresses)
#	-port      port to listen on (default 8443; 0 lets the system choose,
#	           the port is printed)
#	-requests  exit after answering this many requests (default 0: serve
#	           until killed)
#
#	Exit status: 0 after -requests requests, 1 if the server cannot
#	start (a certificate or key that cannot be used, a port in use), 2
#	for a usage error.
#
# Example:
#	tclsh sni-server.tcl www.example.org www.pem www.key \
#	    mail.example.org mail.pem mail.key
#	then, with a CA file that trusts both certificates:
#	tclsh https-client.tcl -cafile ca.pem https://www.example.org:8443/
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

package require tls

# Log lines should reach a log reader (or a pipe) at once.
fconfigure stdout -buffering line

# usage --
#
#	Prints what is wrong and how to call the script, and exits with 2.

proc usage {message} {
    puts stderr "sni-server: $message"
    puts stderr "usage: tclsh sni-server.tcl ?-myaddr addr? ?-port port?\
	?-requests n? name certfile keyfile ?name certfile keyfile ...?"
    exit 2
}

# log --
#
#	Prints one line of the server's log on stdout.

proc log {message} {
    puts "sni-server: $message"
}

# --- Command line ------------------------------------------------------

set myaddr 127.0.0.1
set port 8443
set requests 0
set positional {}
for {set i 0} {$i < [llength $argv]} {incr i} {
    set arg [lindex $argv $i]
    switch -glob -- $arg {
	-myaddr - -port - -requests {
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
if {[llength $positional] == 0 || [llength $positional] % 3 != 0} {
    usage "give each virtual host as: name certfile keyfile"
}
if {![string is integer -strict $port] || $port < 0 || $port > 65535} {
    usage "-port must be a port number"
}
if {![string is integer -strict $requests] || $requests < 0} {
    usage "-requests must be a number of requests"
}

# vhosts: host name (lower case) -> the TLS options of its certificate.
# The sni callback returns these options; the package then uses the
# context built from the connection's own options plus these (built once
# per name, then taken from its cache).
set vhosts [dict create]
foreach {name certfile keyfile} $positional {
    # A mistake in a virtual host's files would only show when the first
    # client asks for that name, so check that they are there now.
    foreach file [list $certfile $keyfile] {
	if {![file readable $file]} {
	    puts stderr "sni-server: error: cannot read \"$file\" for $name"
	    exit 1
	}
    }
    dict set vhosts [string tolower $name] \
	[list -certfile $certfile -keyfile $keyfile]
}
set defaultName [lindex [dict keys $vhosts] 0]

# --- TLS callbacks -----------------------------------------------------

# tlsEvent --
#
#	The -command callback of every connection. The package appends the
#	form's name and its arguments.
#	  sni chan name the client asked for name: return the options of
#	                that virtual host, or raise an error to refuse the
#	                name (the client gets an unrecognized_name alert)
#	  error chan message
#	                the handshake of chan failed: log it with the
#	                client's address
#	Other forms (info, verify, hello, alpn, session) are ignored.

proc tlsEvent {option args} {
    global vhosts
    switch -- $option {
	sni {
	    set name [string tolower [lindex $args end]]
	    if {[dict exists $vhosts $name]} {
		return [dict get $vhosts $name]
	    }
	    # The errorCode lets bgError below tell this expected refusal
	    # from a real problem: the error callback logs it already.
	    return -code error -errorcode {SNISERVER UNKNOWN} \
		"no virtual host \"$name\""
	}
	error {
	    lassign $args chan message
	    set who $chan
	    if {[dict exists $::conn $chan]} {
		set who [dict get $::conn $chan peer]
	    }
	    log "$who: refused: $message"
	}
    }
    return ""
}

# bgError --
#
#	Background error handler. An error raised by a TLS callback is also
#	reported as a background error; the refusals of unknown names are
#	logged by the error callback already.

proc bgError {message options} {
    if {[lrange [dict get $options -errorcode] 0 1] ne {SNISERVER UNKNOWN}} {
	log "error: $message"
    }
}
interp bgerror {} bgError

# --- HTTP --------------------------------------------------------------

set served 0        ;# requests answered so far
set conn [dict create]  ;# channel -> {peer host}

# accept --
#
#	Called by tls::socket -server for each new connection. The channel is
#	non-blocking: the handshake (and with it the sni callback) runs in
#	the background from the event loop, and the readable handler is
#	first called once the request's first bytes are there.

proc accept {chan addr port} {
    global conn
    dict set conn $chan [dict create peer $addr:$port host ""]
    fconfigure $chan -blocking 0 -buffering full -translation {auto crlf}
    fileevent $chan readable [list request $chan]
}

# request --
#
#	Readable handler: reads the request head line by line (gets returns
#	-1 while a line is incomplete), remembers the Host header, and
#	answers at the empty line that ends the head.

proc request {chan} {
    global conn
    # A failed handshake (a refused name, a client that does not trust
    # us) makes the read raise the TLS error.
    if {[catch {gets $chan line} n]} {
	finish $chan
	return
    }
    if {$n < 0} {
	if {[eof $chan]} {
	    finish $chan
	}
	return
    }
    if {[regexp -nocase {^host:\s*(.*?)\s*$} $line -> host]} {
	dict set conn $chan host $host
    } elseif {$line eq ""} {
	answer $chan
    }
}

# answer --
#
#	Writes the response and closes the connection. The name served is
#	the one the client asked for in its TLS hello, as tls::connection
#	reports it; a client that sent none was served the first host.

proc answer {chan} {
    global conn served requests defaultName
    set sni [dict get [tls::connection $chan] servername]
    set name [expr {$sni eq "" ? $defaultName : [string tolower $sni]}]
    set status [tls::status $chan]
    set body "Hello from $name\n"
    append body "TLS server name: [expr {$sni eq "" ? "(none)" : $sni}]\n"
    append body "Host header: [dict get $conn $chan host]\n"
    append body "Protocol: [dict get $status protocol]\n"

    # The body is sent as UTF-8 bytes and untranslated, so that
    # Content-Length counts exactly what goes out.
    set bytes [encoding convertto utf-8 $body]
    puts $chan "HTTP/1.1 200 OK"
    puts $chan "Content-Type: text/plain; charset=utf-8"
    puts $chan "Content-Length: [string length $bytes]"
    puts $chan "Connection: close"
    puts $chan ""
    fconfigure $chan -translation binary
    puts -nonewline $chan $bytes
    incr served
    log "request $served from [dict get $conn $chan peer]: served $name\
	(server name [expr {$sni eq "" ? "none" : $sni}])"
    finish $chan
    if {$requests > 0 && $served >= $requests} {
	set ::done 1
    }
}

# finish --
#
#	Closes a connection. On a non-blocking channel close does not wait:
#	Tcl flushes the remaining output in the background.

proc finish {chan} {
    global conn
    dict unset conn $chan
    catch {close $chan}
}

# --- Main ----------------------------------------------------------------
#
# The listening socket's own options are those of the first host: they
# serve clients that send no name, and the sni callback's options are
# added to them for the others. tls::socket -server builds the context
# before listening, so a certificate that cannot be used fails here.

set first [dict get $vhosts $defaultName]
if {[catch {
    tls::socket -server accept -myaddr $myaddr -command tlsEvent {*}$first \
	$port
} listener]} {
    puts stderr "sni-server: error: $listener"
    exit 1
}
set port [lindex [fconfigure $listener -sockname] 2]
log "listening on $myaddr:$port for [join [dict keys $vhosts] {, }]"
vwait ::done
close $listener
log "answered $served requests, exiting"
exit 0
