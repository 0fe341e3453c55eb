# pki.tcl --
#
#	Builds the throw-away PKI that the tls test suite uses, with the
#	openssl command-line tool (OpenSSL 3.0 syntax). It needs nothing from
#	the tls package, so it works before the extension builds. common.tcl
#	sources this file; tests reach the files through [tlstest::pki].
#
#	tlstest::makePki dir writes into dir (PEM unless noted):
#
#	  ca.pem ca.key              root CA "tls-test Root CA"
#	  int.pem int.key            intermediate CA, signed by the root
#	  server.pem server.key      RSA leaf, CN=localhost, SAN DNS:localhost,
#	                             IP:127.0.0.1, IP:::1, EKU serverAuth;
#	                             signed by the intermediate
#	  server-chain.pem           server.pem followed by int.pem
#	  server.der                 server.pem as X.509 DER
#	  server.key.der             server.key as PKCS#1 (RSA PRIVATE KEY) DER
#	  server-enc.key             server.key as PKCS#8, AES-256, password
#	                             "secret"
#	  server-ec.pem server-ec.key server-ec-chain.pem
#	                             the same for an ECDSA P-256 key
#	  client.pem client.key client-chain.pem
#	                             client certificate, CN=tls-test-client,
#	                             EKU clientAuth, signed by the intermediate
#	  expired.pem expired.key expired-chain.pem
#	                             localhost leaf valid only 2020-01-01 to
#	                             2020-01-02
#	  future.pem future.key future-chain.pem
#	                             localhost leaf valid from 2 years from now
#	  wronghost.pem wronghost.key wronghost-chain.pem
#	                             leaf for DNS:wrong.example only (no IPs)
#	  selfsigned.pem selfsigned.key
#	                             self-signed leaf for localhost/127.0.0.1
#	  other-ca.pem other-ca.key  a second, unrelated root CA
#	  untrusted.pem untrusted.key
#	                             localhost leaf signed by other-ca
#	  cadir/<hash>.0             ca.pem under its subject hash, for -cadir
#	  dh.pem                     DH parameters (RFC 7919 group ffdhe2048)
#	  work/                      scratch: openssl.cnf, CSRs, CA database
#
#	Every leaf subject is /O=tls-test/OU=<file base name>/CN=<name>, so a
#	test can tell from a peer's certificate which file was presented.
#	Validity is relative to now (2 days), except the expired range.
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

namespace eval tlstest {
    # Serial number of the next certificate made with "x509 -req" or
    # "req -x509"; "openssl ca" keeps its own counter in work/ca-db/serial.
    variable pkiSerial 4096
}

# tlstest::Openssl --
#
#	Runs one openssl command and returns what it wrote on stdout. Stderr
#	goes to a scratch file, so progress noise never reaches the test
#	output; if the command fails, the error names the command and shows
#	everything it printed. Every openssl call in this file goes through
#	here (or through OpensslParallel).

proc tlstest::Openssl {args} {
    close [file tempfile errFile \
	[file join [tempRoot] tlstest-openssl-err]]
    try {
	set status [catch {
	    startRetry {exec openssl {*}$args 2> $errFile}
	} out]
	set fd [open $errFile r]
	set err [read $fd]
	close $fd
    } finally {
	file delete -- $errFile
    }
    if {$status} {
	return -code error -errorcode {TLSTEST OPENSSL} \
	    "openssl command failed: openssl $args\n[string trim "$out\n$err"]"
    }
    return $out
}

# tlstest::OpensslParallel --
#
#	Runs several independent openssl commands at once (each element of
#	cmdList is the argument list of one command) and waits for all of
#	them. Used for key generation, the slow part. Raises the same kind of
#	error as Openssl for the first command that failed.

proc tlstest::OpensslParallel {cmdList} {
    set running {}
    foreach cmd $cmdList {
	lappend running $cmd [startRetry {open |[list openssl {*}$cmd 2>@1] r}]
    }
    set failure ""
    foreach {cmd chan} $running {
	set out [read $chan]
	if {[catch {close $chan} err] && $failure eq ""} {
	    set failure "openssl command failed: openssl $cmd\n[string trim\
		"$out\n$err"]"
	}
    }
    if {$failure ne ""} {
	return -code error -errorcode {TLSTEST OPENSSL} $failure
    }
}

# tlstest::WriteFile --
#
#	Writes text to a file, replacing it.

proc tlstest::WriteFile {file text} {
    set fd [open $file w]
    puts -nonewline $fd $text
    close $fd
}

# tlstest::Concat --
#
#	Writes the concatenation of the files in srcList to dst (chain files).

proc tlstest::Concat {dst srcList} {
    set text ""
    foreach src $srcList {
	set fd [open $src r]
	append text [read $fd]
	close $fd
    }
    WriteFile $dst $text
}

# tlstest::PkiConfig --
#
#	Returns the text of the openssl configuration used for every "req",
#	"x509" and "ca" call: one extension section per kind of certificate
#	and a minimal "openssl ca" setup (database under work/ca-db) for the
#	certificates that need explicit start and end dates. Paths are
#	absolute; the temporary directories we use contain no spaces or '$'.

proc tlstest::PkiConfig {work} {
    return [string map [list @DB@ [file join $work ca-db]] {
# Generated by tests/pki.tcl for the tls test suite; do not edit.
[ req ]
distinguished_name     = req_dn
prompt                 = no
default_md             = sha256

[ req_dn ]
CN                     = placeholder

[ ext_root ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash

[ ext_intermediate ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ ext_server ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ ext_server_ec ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ ext_client ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ ext_wronghost ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:wrong.example
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ ext_selfsigned ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier   = hash

[ ca ]
default_ca             = ca_intermediate

[ ca_intermediate ]
database               = @DB@/index.txt
serial                 = @DB@/serial
new_certs_dir          = @DB@
default_md             = sha256
default_days           = 2
policy                 = policy_any
unique_subject         = no
email_in_dn            = no
copy_extensions        = none

[ policy_any ]
organizationName       = optional
organizationalUnitName = optional
commonName             = supplied
}]
}

# tlstest::Subject --
#
#	Returns the subject DN used for the certificate stored as name.pem.

proc tlstest::Subject {name cn} {
    return "/O=tls-test/OU=$name/CN=$cn"
}

# tlstest::MakeRoot --
#
#	Makes the self-signed certificate dir/name.pem for the existing key
#	dir/name.key, with the extension section ext.

proc tlstest::MakeRoot {dir name subject ext} {
    variable pkiSerial
    Openssl req -new -x509 -config [file join $dir work openssl.cnf] \
	-key [file join $dir $name.key] -subj $subject -days 2 \
	-extensions $ext -set_serial [incr pkiSerial] \
	-out [file join $dir $name.pem]
}

# tlstest::MakeCsr --
#
#	Makes the request dir/work/name.csr for the key dir/name.key.

proc tlstest::MakeCsr {dir name subject} {
    set csr [file join $dir work $name.csr]
    Openssl req -new -config [file join $dir work openssl.cnf] \
	-key [file join $dir $name.key] -subj $subject -out $csr
    return $csr
}

# tlstest::Issue --
#
#	Makes dir/name.pem for the key dir/name.key, signed by the CA stored
#	as dir/issuer.pem + dir/issuer.key, valid from now for 2 days, with
#	the extension section ext.

proc tlstest::Issue {dir name subject ext issuer} {
    variable pkiSerial
    set csr [MakeCsr $dir $name $subject]
    Openssl x509 -req -in $csr \
	-CA [file join $dir $issuer.pem] -CAkey [file join $dir $issuer.key] \
	-extfile [file join $dir work openssl.cnf] -extensions $ext \
	-days 2 -set_serial [incr pkiSerial] -out [file join $dir $name.pem]
}

# tlstest::IssueDated --
#
#	Like Issue, with the intermediate CA as issuer and explicit validity
#	dates (YYYYMMDDHHMMSSZ, UTC). "x509" in OpenSSL 3.0 cannot set a start
#	date, so this goes through "openssl ca".

proc tlstest::IssueDated {dir name subject ext start end} {
    set csr [MakeCsr $dir $name $subject]
    Openssl ca -batch -notext -config [file join $dir work openssl.cnf] \
	-cert [file join $dir int.pem] -keyfile [file join $dir int.key] \
	-extensions $ext -startdate $start -enddate $end \
	-in $csr -out [file join $dir $name.pem]
}

# tlstest::makePki --
#
#	Generates the whole PKI described at the top of this file into dir
#	(created if needed; existing files are overwritten). Takes a second
#	or two, most of it RSA key generation, which runs in parallel.
#	Raises an error naming the failing openssl command.

proc tlstest::makePki {dir} {
    set work [file join $dir work]
    file mkdir $work [file join $work ca-db] [file join $dir cadir]
    set cnf [file join $work openssl.cnf]
    WriteFile $cnf [PkiConfig $work]
    WriteFile [file join $work ca-db index.txt] ""
    WriteFile [file join $work ca-db serial] "7000\n"

    # Keys (and the DH parameters, which are a named group and so cheap).
    set rsaKeys {ca int other-ca server client expired future wronghost
	selfsigned untrusted}
    set jobs {}
    foreach name $rsaKeys {
	lappend jobs [list genpkey -algorithm RSA \
	    -pkeyopt rsa_keygen_bits:2048 -out [file join $dir $name.key]]
    }
    lappend jobs [list genpkey -algorithm EC \
	-pkeyopt ec_paramgen_curve:P-256 -out [file join $dir server-ec.key]]
    lappend jobs [list genpkey -genparam -algorithm DH \
	-pkeyopt dh_param:ffdhe2048 -out [file join $dir dh.pem]]
    OpensslParallel $jobs

    # Authorities.
    MakeRoot $dir ca "/O=tls-test/CN=tls-test Root CA" ext_root
    MakeRoot $dir other-ca "/O=tls-test/CN=tls-test Other Root CA" ext_root
    Issue $dir int "/O=tls-test/CN=tls-test Intermediate CA" \
	ext_intermediate ca

    # Leaves.
    Issue $dir server [Subject server localhost] ext_server int
    Issue $dir server-ec [Subject server-ec localhost] ext_server_ec int
    Issue $dir client [Subject client tls-test-client] ext_client int
    Issue $dir wronghost [Subject wronghost wrong.example] ext_wronghost int
    Issue $dir untrusted [Subject untrusted localhost] ext_server other-ca
    MakeRoot $dir selfsigned [Subject selfsigned localhost] ext_selfsigned

    set now [clock seconds]
    set fmt {%Y%m%d%H%M%SZ}
    IssueDated $dir expired [Subject expired localhost] ext_server \
	20200101000000Z 20200102000000Z
    IssueDated $dir future [Subject future localhost] ext_server \
	[clock format [clock add $now 2 years] -format $fmt -gmt 1] \
	[clock format [clock add $now 3 years] -format $fmt -gmt 1]

    # Chains: the leaf followed by the intermediate, as a server sends it.
    foreach name {server server-ec client expired future wronghost} {
	Concat [file join $dir $name-chain.pem] \
	    [list [file join $dir $name.pem] [file join $dir int.pem]]
    }

    # Other encodings of the server certificate and key.
    Openssl x509 -in [file join $dir server.pem] -outform DER \
	-out [file join $dir server.der]
    Openssl rsa -in [file join $dir server.key] -traditional -outform DER \
	-out [file join $dir server.key.der]
    Openssl pkcs8 -topk8 -in [file join $dir server.key] -v2 aes-256-cbc \
	-passout pass:secret -out [file join $dir server-enc.key]

    # Hashed CA directory for -cadir.
    set hash [string trim [Openssl x509 -hash -noout \
	-in [file join $dir ca.pem]]]
    file copy -force [file join $dir ca.pem] \
	[file join $dir cadir $hash.0]
    return $dir
}
