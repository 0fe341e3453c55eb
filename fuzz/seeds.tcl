# seeds.tcl --
#
#	Makes the seed corpora of the fuzz harnesses from real traffic:
#
#	    tclsh8.6 fuzz/seeds.tcl BUILD_DIR OUT_DIR
#
#	BUILD_DIR holds a normal build of the package (pkgIndex.tcl).
#	Writes OUT_DIR/server, OUT_DIR/client, OUT_DIR/x509, OUT_DIR/options.
#	TLS conversations over loopback go through a recording TCP relay in
#	this process: what the client sent becomes a server seed, what the
#	server sent a client seed, each prefixed with a few mode bytes (see
#	fuzz_common.h). Conversations: tls to tls in TLS 1.3 and TLS 1.2
#	(with a client certificate, ALPN, SNI), openssl s_client to tls, tls
#	to openssl s_server. The x509 seeds are the DER of several kinds of
#	certificate; the options seeds typical argument lists.
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

package require Tcl 8.6-
lassign $argv buildDir outDir
if {$outDir eq ""} {
    puts stderr "usage: seeds.tcl BUILD_DIR OUT_DIR"
    exit 2
}
set auto_path [linsert $auto_path 0 [file normalize $buildDir]]
package require tls
set outDir [file normalize $outDir]
foreach sub {server client x509 options pki} {
    file mkdir [file join $outDir $sub]
}
set pki [file join $outDir pki]

proc openssl {args} {
    exec openssl {*}$args 2>@1
}

# ---- Certificates ------------------------------------------------------
proc MakeCert {name keyArgs subj ext} {
    global pki
    set key [file join $pki $name.key]
    set crt [file join $pki $name.pem]
    openssl genpkey {*}$keyArgs -out $key
    openssl req -x509 -new -key $key -out $crt -days 30 -subj $subj \
	-set_serial 0x[format %x [expr {int(rand() * 1e9)}]] {*}$ext
    openssl x509 -in $crt -outform DER -out [file join $::outDir x509 $name.der]
}
MakeCert rsa {-algorithm RSA -pkeyopt rsa_keygen_bits:2048} \
    /CN=localhost/O=Fuzz\ Test/C=DE \
    {-addext subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1}
MakeCert ec {-algorithm EC -pkeyopt ec_paramgen_curve:P-256} \
    /CN=client/emailAddress=client@example.com \
    {-addext keyUsage=critical,digitalSignature \
     -addext extendedKeyUsage=clientAuth}
MakeCert ed {-algorithm ED25519} /CN=M\xc3\xbcller/O=\xc3\x84rger {
    -utf8 -addext basicConstraints=critical,CA:TRUE
    -addext subjectAltName=DNS:*.example.com,IP:2001:db8::5,email:a@b.c,URI:http://x/
    -addext authorityInfoAccess=OCSP;URI:http://ocsp.example.com/
    -addext crlDistributionPoints=URI:http://crl.example.com/c.crl
    -addext certificatePolicies=1.2.3.4
    -addext nameConstraints=permitted;DNS:example.com
}
MakeCert pss {-algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048} \
    /CN=pss {-sigopt rsa_padding_mode:pss}
set rsaCert [file join $pki rsa.pem]
set rsaKey [file join $pki rsa.key]
set ecCert [file join $pki ec.pem]
set ecKey [file join $pki ec.key]

# ---- The recording relay ----------------------------------------------
proc RelayAccept {id upPort c addr port} {
    set u [socket 127.0.0.1 $upPort]
    foreach ch [list $c $u] {
	fconfigure $ch -translation binary -blocking 0
    }
    set ::rec($id,c2s) ""
    set ::rec($id,s2c) ""
    fileevent $c readable [list RelayPump $c $u $id c2s]
    fileevent $u readable [list RelayPump $u $c $id s2c]
}

proc RelayPump {from to id dir} {
    set data [read $from]
    if {$data ne ""} {
	append ::rec($id,$dir) $data
	catch {puts -nonewline $to $data; flush $to}
    }
    if {[eof $from]} {
	catch {close $from}
	catch {close $to}
	set ::relayDone($id) 1
    }
}

# Starts a relay to upPort; returns its port.
proc Relay {id upPort} {
    set s [socket -server [list RelayAccept $id $upPort] -myaddr 127.0.0.1 0]
    set ::relaySock($id) $s
    return [lindex [fconfigure $s -sockname] 2]
}

# Writes the recording of conversation id as seeds, one per mode byte.
proc Save {id} {
    global outDir rec
    close $::relaySock($id)
    foreach {dir harness} {c2s server s2c client} {
	if {$rec($id,$dir) eq ""} {
	    continue
	}
	# Mode bytes (fuzz_common.h): blocking; with -command; non-blocking
	# with EAGAIN and 5-byte reads; callbacks failing; and for the
	# client, -command with TLS 1.2 only (0x22).
	foreach mode [expr {$harness eq "client" ? {0x00 0x20 0x2f 0xa0 0x22}
		: {0x00 0x20 0x2f 0xa0}}] {
	    set f [open [file join $outDir $harness $id-$mode] wb]
	    puts -nonewline $f [binary format c $mode]$rec($id,$dir)
	    close $f
	}
    }
}

proc Wait {varName ms} {
    set t [after $ms [list set $varName timeout]]
    vwait $varName
    after cancel $t
}

# ---- tls server, echoing one line -------------------------------------
proc ServerAccept {c addr port} {
    fconfigure $c -blocking 0 -translation binary
    fileevent $c readable [list ServerRead $c]
}
proc ServerRead {c} {
    if {[catch {gets $c line} n] || ($n < 0 && [eof $c])} {
	catch {close $c}
	return
    }
    if {$n >= 0} {
	catch {puts $c "echo $line"; flush $c}
    }
}

proc TlsServer {args} {
    set s [tls::socket -server ServerAccept -myaddr 127.0.0.1 {*}$args 0]
    return [list $s [lindex [fconfigure $s -sockname] 2]]
}

# A tls client through the relay: sends a line, waits for the echo
# (openssl s_server echoes nothing: there a short wait will do).
set replyWait 10000
proc TlsClient {id port args} {
    set c [tls::socket -async {*}$args 127.0.0.1 $port]
    fconfigure $c -blocking 0 -translation binary
    puts $c hello
    flush $c
    set ::reply($id) ""
    fileevent $c readable [list ClientRead $c $id]
    Wait ::reply($id) $::replyWait
    catch {close $c}
    Wait ::relayDone($id) 3000
}
proc ClientRead {c id} {
    if {[catch {gets $c line} n]} {
	set ::reply($id) "error: $n"
    } elseif {$n >= 0} {
	set ::reply($id) $line
    } elseif {[eof $c]} {
	set ::reply($id) eof
    }
}

# Conversations between tls and tls.
set server [TlsServer -certfile $rsaCert -keyfile $rsaKey -request 1 \
    -require 0 -cafile $ecCert -alpn {h2 http/1.1}]
lassign $server srvSock srvPort
set convs {
    tls13	{}
    tls12	{-tls1.3 0 -certfile $ecCert -keyfile $ecKey}
    tls13cert	{-certfile $ecCert -keyfile $ecKey -alpn {http/1.1}}
    tls12alpn	{-tls1.3 0 -alpn {h2 http/1.1} -cipher ECDHE-RSA-AES128-GCM-SHA256}
    tls12rsa	{-tls1.3 0 -cipher AES256-SHA256}
    tls12cbc	{-tls1.3 0 -cipher ECDHE-RSA-AES128-SHA}
}
foreach {id opts} $convs {
    set port [Relay $id $srvPort]
    TlsClient $id $port -cafile $rsaCert -servername localhost \
	{*}[subst $opts]
    puts "seeds: $id: $::reply($id)"
    Save $id
}

# openssl s_client to tls: other ClientHellos.
set sclient {
    sc13	{-tls1_3 -servername localhost -alpn h2}
    sc12	{-tls1_2 -servername localhost -no_ticket}
    sc12ec	{-tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305 -cert $ecCert -key $ecKey}
}
foreach {id opts} $sclient {
    set port [Relay $id $srvPort]
    set p [open |[list openssl s_client -connect 127.0.0.1:$port \
	-CAfile $rsaCert {*}[subst $opts] 2>@1] r+]
    fconfigure $p -blocking 0
    puts $p hello
    flush $p
    after 1500 {set ::pause 1}
    vwait ::pause
    catch {close $p}
    Wait ::relayDone($id) 3000
    puts "seeds: $id: recorded [string length $::rec($id,c2s)] bytes"
    Save $id
}
close $srvSock

# tls to openssl s_server: other server flights (TLS 1.2 shows its
# certificate chain in the clear).
set replyWait 1500
set sserver {
    ss12	{-tls1_2}
    ss13	{-tls1_3 -verify 1}
}
foreach {id opts} $sserver {
    set s [socket -server {apply {args {}}} -myaddr 127.0.0.1 0]
    set upPort [lindex [fconfigure $s -sockname] 2]
    close $s
    set p [open |[list openssl s_server -accept 127.0.0.1:$upPort \
	-cert $rsaCert -key $rsaKey -naccept 1 {*}$opts 2>@1] r+]
    fconfigure $p -blocking 0
    set ::up ""
    fileevent $p readable [list apply {{p} {
	if {[gets $p line] >= 0 && [string match ACCEPT* $line]} {
	    set ::up ok
	} elseif {[eof $p]} {
	    set ::up eof
	}
    }} $p]
    Wait ::up 5000
    puts "seeds: $id: openssl s_server: $::up"
    set port [Relay $id $upPort]
    TlsClient $id $port -cafile $rsaCert -servername localhost \
	-certfile $ecCert -keyfile $ecKey
    puts "seeds: $id: $::reply($id)"
    catch {exec kill [pid $p]}
    catch {close $p}
    Save $id
}

# ---- Option lists -------------------------------------------------------
# Words separated by NUL; file names refer to the fuzz harness's own
# directory (cert.pem, key.pem, enc.pem, ca).
set optionSeeds {
    basic	{-server 1 -certfile cert.pem -keyfile key.pem}
    client	{-cafile cert.pem -servername localhost -require 1}
    cadir	{-cadir ca -request 1 -require 0 -alpn {h2 http/1.1}}
    password	{-server 1 -certfile cert.pem -keyfile enc.pem -password {list secret}}
    badpw	{-server 1 -certfile cert.pem -keyfile enc.pem -password {list nope}}
    protos	{-tls1 1 -tls1.1 1 -tls1.2 0 -tls1.3 0 -securitylevel 0 -ssl3 1}
    none	{-tls1.2 0 -tls1.3 0}
    ciphers	{-cipher ECDHE-RSA-AES128-GCM-SHA256 -ciphersuites TLS_AES_128_GCM_SHA256}
    badcipher	{-cipher NOPE -ciphersuites x}
    misc	{-post_handshake 1 -session_id abc -autoservername 1 -security_level 3}
    missing	{-certfile}
    unknown	{-nosuch 1}
    reqreq	{-request 0 -require 1}
    dh		{-dhparams cert.pem -server 1}
    model	{-model fuzz0 -command ::fuzzcb}
}
foreach {id words} $optionSeeds {
    set f [open [file join $outDir options $id] wb]
    puts -nonewline $f [encoding convertto utf-8 [join $words \0]]
    close $f
}
# -cert and -key as DER byte arrays (marker byte 1).
proc ReadBytes {file} {
    set f [open $file rb]
    set data [read $f]
    close $f
    return $data
}
openssl pkey -in $rsaKey -outform DER -out [file join $pki rsakey.der]
set f [open [file join $outDir options derpair] wb]
puts -nonewline $f "-cert\0\x01[ReadBytes [file join $outDir x509 rsa.der]]"
puts -nonewline $f "\0-key\0\x01[ReadBytes [file join $pki rsakey.der]]"
puts -nonewline $f "\0-server\0001"
close $f

file delete -force $pki
puts "seeds: written to $outDir"
exit 0
