# demo.tcl --
#
#	The main job of the tls package, end to end on loopback: make a CA
#	and a server certificate, serve HTTPS with tls::socket -server, fetch
#	a page with Tcl's http package through tls::socket with full
#	verification (CA file and host name), and print what was negotiated.
#	Then show that the same request without the demo CA is refused.
#
#	Run with `make demo`, or: tclsh8.6 examples/demo.tcl
#	(with the package on auto_path, e.g. TLS_BUILD_DIR=build).
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

if {[info exists env(TLS_BUILD_DIR)]} {
    set auto_path [linsert $auto_path 0 $env(TLS_BUILD_DIR)]
}
package require http
package require tls

# openssl --
#	Runs the openssl command line tool, failing with its output.
proc openssl {args} {
    if {[catch {exec openssl {*}$args 2>@1} out]} {
	error "openssl $args failed: $out"
    }
}

# makeCertificates --
#	A demo CA and a certificate for localhost / 127.0.0.1 signed by it.
proc makeCertificates {dir} {
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 \
	-subj "/O=tls demo/CN=tls demo CA" \
	-addext basicConstraints=critical,CA:true \
	-addext keyUsage=critical,keyCertSign,cRLSign \
	-keyout $dir/ca.key -out $dir/ca.pem
    openssl req -newkey rsa:2048 -nodes -subj "/O=tls demo/CN=localhost" \
	-keyout $dir/server.key -out $dir/server.csr
    set f [open $dir/server.ext w]
    puts $f "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
    puts $f "extendedKeyUsage=serverAuth"
    close $f
    openssl x509 -req -in $dir/server.csr -CA $dir/ca.pem -CAkey $dir/ca.key \
	-CAcreateserial -days 1 -extfile $dir/server.ext -out $dir/server.pem
}

# serve --
#	A minimal HTTPS server: reads the request head, answers one page.
proc accept {chan addr port} {
    fconfigure $chan -blocking 0 -translation crlf -buffering full
    fileevent $chan readable [list request $chan]
}
proc request {chan} {
    if {[catch {gets $chan line} n]} {
	# A refused handshake lands here: the peer did not trust us.
	close $chan
	return
    }
    if {$n < 0} {
	if {[eof $chan]} {
	    close $chan
	}
	return
    }
    if {$line ne ""} {
	return
    }
    set body "Hello over TLS from [info patchlevel]\n"
    puts $chan "HTTP/1.1 200 OK"
    puts $chan "Content-Type: text/plain"
    puts $chan "Content-Length: [string length $body]"
    puts $chan ""
    puts -nonewline $chan $body
    flush $chan
}

set dir [file join [expr {[info exists env(TMPDIR)] ? $env(TMPDIR) : "/tmp"}] \
	tls-demo-[pid]]
file mkdir $dir
try {
    makeCertificates $dir
    set listener [tls::socket -server accept -myaddr 127.0.0.1 \
	-certfile $dir/server.pem -keyfile $dir/server.key 0]
    set port [lindex [fconfigure $listener -sockname] 2]
    puts "HTTPS server listening on 127.0.0.1:$port"

    # The manual's HTTPS example, with our CA and the host name checked.
    http::register https 443 [list ::tls::socket -autoservername true \
	-require true -cafile $dir/ca.pem]
    set url https://localhost:$port/
    set tok [http::geturl $url -keepalive 1 -timeout 10000]
    if {[http::status $tok] ne "ok"} {
	error "request failed: [http::status $tok] [http::error $tok]"
    }
    set sock [set ${tok}(sock)]
    set status [tls::status $sock]
    puts "GET $url -> [http::code $tok]"
    puts "  body:         [string trim [http::data $tok]]"
    puts "  protocol:     [dict get $status protocol]"
    puts "  cipher:       [dict get $status cipher]"
    puts "  subject:      [dict get $status subject]"
    puts "  issuer:       [dict get $status issuer]"
    puts "  verification: [dict get $status verificationresult]"
    http::cleanup $tok

    # The same request trusting only the system CA store must fail.
    http::register https 443 [list ::tls::socket -autoservername true]
    if {[catch {http::geturl $url -timeout 10000} tok]} {
	set refused "refused: $tok"
    } else {
	set refused [expr {[http::status $tok] eq "ok" ? ""
	    : "refused: [http::status $tok] [http::error $tok]"}]
	http::cleanup $tok
    }
    puts "Same request trusting only the system CA store: $refused"
    close $listener
    if {$refused eq ""} {
	error "an untrusted server was accepted"
    }
} finally {
    file delete -force $dir
}
