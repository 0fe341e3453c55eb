# cert-info.tcl --
#
#	Certificate inspection: connects to a TLS server, completes the
#	handshake and prints what the tls package knows about it:
#	  - the certificate chain as it was verified, collected by a
#	    -command callback ("verify" form);
#	  - the server's certificate in readable form (names, validity,
#	    key, fingerprints);
#	  - every key of tls::status;
#	  - every key of tls::connection (protocol, cipher, session), except
#	    the session's master key, which is secret.
#	No application data is sent.
#
# Usage:
#	tclsh cert-info.tcl ?-cafile file? ?-servername name? ?-noverify?
#	    ?-timeout ms? ?host? ?port?
#
#	host         server to connect to (default www.tcl-lang.org)
#	port         its port (default 443)
#	-cafile      PEM file of the CA certificates to trust; without it the
#	             system CA store is used
#	-servername  the name to ask for (SNI) and to check the certificate
#	             against (default: host)
#	-noverify    complete the handshake even if the certificate fails
#	             verification, to look at it anyway; the verification
#	             result is still shown. For inspection only: a program
#	             that talks to the server must not do this.
#	-timeout     the longest time the connection and the handshake may
#	             take, in milliseconds (default 10000)
#
#	Exit status: 0 after printing, 1 on any error (connection failure,
#	certificate refused, timeout), 2 for a usage error.
#
# Example:
#	tclsh cert-info.tcl -cafile ca.pem -servername localhost 127.0.0.1 8443
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

package require tls

# usage --
#
#	Prints what is wrong and how to call the script, and exits with 2.

proc usage {message} {
    puts stderr "cert-info: $message"
    puts stderr "usage: tclsh cert-info.tcl ?-cafile file? ?-servername name?\
	?-noverify? ?-timeout ms? ?host? ?port?"
    exit 2
}

# chainEvent --
#
#	The -command callback. For the "verify" form the package passes the
#	channel, the depth in the chain (0 for the server's own
#	certificate), the certificate as a dictionary (the certificate keys
#	of tls::status), OpenSSL's verdict so far (1 ok, 0 failed) and the
#	reason of a failure. The certificates are recorded in ::chain.
#	Returning an empty string leaves the decision to -require; other
#	forms are ignored.

proc chainEvent {option args} {
    if {$option eq "verify"} {
	lassign $args chan depth cert ok reason
	# OpenSSL may report a depth more than once: a failed host name
	# check adds a call for depth 0, and once a failure has been let
	# through (-noverify) later calls say ok. The first failure of a
	# depth is the one kept.
	if {![dict exists $::chain $depth]
		|| [dict get $::chain $depth ok]} {
	    dict set ::chain $depth \
		[dict create cert $cert ok $ok reason $reason]
	}
    }
    return ""
}

# fingerprint --
#
#	Formats a hexadecimal digest the way browsers show it: upper case,
#	byte pairs separated by colons.

proc fingerprint {hex} {
    return [join [regexp -all -inline .. [string toupper $hex]] :]
}

# field --
#
#	Prints one "label: value" line with the labels aligned.

proc field {label value} {
    puts [format "  %-16s %s" $label: $value]
}

# printKeys --
#
#	Prints every key of the dictionary d, one per line, in the order of
#	the dictionary. Multi-line values (the PEM certificate) are indented;
#	keys listed in hide are named but their value is not shown.

proc printKeys {d {hide {}}} {
    dict for {key value} $d {
	if {$key in $hide} {
	    set value "(secret, not shown)"
	} elseif {$value eq ""} {
	    set value "(empty)"
	}
	set lines [split [string trimright $value \n] \n]
	puts [format "  %-22s %s" $key [lindex $lines 0]]
	foreach line [lrange $lines 1 end] {
	    puts [format "  %-22s %s" "" $line]
	}
    }
}

# --- Command line ------------------------------------------------------

set cafile ""
set servername ""
set noverify 0
set timeout 10000
set positional {}
for {set i 0} {$i < [llength $argv]} {incr i} {
    set arg [lindex $argv $i]
    switch -glob -- $arg {
	-cafile - -servername - -timeout {
	    if {$i + 1 >= [llength $argv]} {
		usage "$arg needs a value"
	    }
	    set [string range $arg 1 end] [lindex $argv [incr i]]
	}
	-noverify {
	    set noverify 1
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
set defaults {www.tcl-lang.org 443}
lassign [concat $positional [lrange $defaults [llength $positional] end]] \
    host port
if {![string is integer -strict $port] || $port <= 0 || $port > 65535} {
    usage "bad port \"$port\""
}
if {![string is integer -strict $timeout] || $timeout <= 0} {
    usage "-timeout must be a positive number of milliseconds"
}

# --- Handshake -------------------------------------------------------------

set options [list -command chainEvent]
if {$cafile ne ""} {
    lappend options -cafile $cafile
}
if {$servername ne ""} {
    lappend options -servername $servername
}
if {$noverify} {
    # The certificate is still verified and the result reported in
    # verificationresult; -require 0 only keeps a failure from ending
    # the handshake.
    lappend options -require 0
}

set chain [dict create]
if {[catch {
    # -timeout bounds the connection and the handshake together, so that
    # a server that does not answer cannot hang the script: tls::handshake
    # then fails with "handshake timed out after N ms".
    set chan [tls::socket -timeout $timeout {*}$options $host $port]
    tls::handshake $chan
} problem]} {
    puts stderr "cert-info: error: $host:$port: $problem"
    if {[info exists chan]} {
	catch {close $chan}
    }
    exit 1
}

set status [tls::status $chan]
set connection [tls::connection $chan]

puts "Server $host:$port, server name\
    \"[dict get $connection servername]\""
puts ""

puts "Certificate chain, as verified (depth 0 is the server):"
foreach depth [lsort -integer [dict keys $chain]] {
    set entry [dict get $chain $depth]
    set verdict [expr {[dict get $entry ok] ? "ok"
	: "failed: [dict get $entry reason]"}]
    puts "  $depth  [dict get $entry cert subject]  ($verdict)"
}
puts ""

puts "Server certificate:"
field Subject [dict get $status subject]
field Issuer [dict get $status issuer]
field Names [join [dict get $status subjectAltName] {, }]
# notBefore and notAfter are ISO 8601 in UTC; clock scan reads them.
set format %Y-%m-%dT%H:%M:%SZ
set notAfter [clock scan [dict get $status notAfter] -format $format -gmt 1]
set days [expr {($notAfter - [clock seconds]) / 86400}]
field "Valid from" [dict get $status notBefore]
field "Valid until" \
    "[dict get $status notAfter] ([expr {$days >= 0
	? "$days days left" : "expired [expr {-$days}] days ago"}])"
field Serial [dict get $status serial]
field "Public key" \
    "[dict get $status public_key_algorithm], [dict get $status bits] bits"
field Signature [dict get $status signature_algorithm]
field "Self-signed" [expr {[dict get $status self_signed] ? "yes" : "no"}]
field SHA-256 [fingerprint [dict get $status sha256_hash]]
field SHA-1 [fingerprint [dict get $status sha1_hash]]
field Extensions [join [dict get $status extensions] {, }]
field Verification [dict get $status verificationresult]
puts ""

puts "tls::status (every key):"
printKeys $status
puts ""

puts "tls::connection (every key):"
printKeys $connection {master_key}

close $chan
exit 0
