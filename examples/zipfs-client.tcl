# zipfs-client.tcl --
#
#	A client whose CA certificate travels inside a zip archive, as it
#	does in an application wrapped into a single file: the archive is
#	mounted in Tcl's filesystem (zipfs, built into Tcl 9; tclvfs's
#	vfs::zip under Tcl 8.6) and -cafile names the file inside the mount.
#	tls reads it through Tcl's filesystem like any other file. The
#	client connects, checks the server's certificate against that CA,
#	sends one line and prints the answer (echo-server.tcl sends it
#	back).
#
#	An application wrapped into its executable with Tcl 9 ("zipfs
#	mkimg") finds its own files under [zipfs root]app without mounting
#	anything: give -zip "" for that.
#
# Usage:
#	tclsh zipfs-client.tcl ?-zip archive? ?-cafile path? ?-servername name?
#	    ?-timeout ms? ?host? ?port? ?message?
#
#	host         server to connect to (default localhost)
#	port         its port (default 8007, echo-server.tcl's)
#	message      the line to send (default "hello")
#	-zip         the zip archive to mount (default app.zip); "" for the
#	             archive this executable carries ([zipfs root]app, Tcl 9)
#	-cafile      the PEM file of CA certificates inside the archive
#	             (default ca.pem)
#	-servername  the name the server's certificate must carry (default:
#	             host)
#	-timeout     the longest time the whole exchange may take, in
#	             milliseconds (default 10000)
#
#	Exit status: 0 when the server answered, 1 on any error (no zip
#	filesystem, archive or CA missing, certificate problems, connection
#	failure, timeout), 2 for a usage error.
#
# Example:
#	zip app.zip ca.pem
#	tclsh echo-server.tcl -certfile server-chain.pem -keyfile server.key &
#	tclsh zipfs-client.tcl -zip app.zip localhost 8007 "hello from a zip"
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

package require tls

# usage --
#
#	Prints what is wrong and how to call the script, and exits with 2.

proc usage {message} {
    puts stderr "zipfs-client: $message"
    puts stderr "usage: tclsh zipfs-client.tcl ?-zip archive? ?-cafile path?\
	?-servername name? ?-timeout ms? ?host? ?port? ?message?"
    exit 2
}

# waitFor --
#
#	Enters the event loop until chan is readable or writable (event is
#	"readable" or "writable"), but not past ::deadline (in
#	milliseconds). Raises an error when the time is up.

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

# mountArchive --
#
#	Mounts the zip archive and returns the path of its root in Tcl's
#	filesystem: with zipfs where Tcl has it, else with tclvfs. An empty
#	archive name means the archive of this executable.

proc mountArchive {zip} {
    if {[llength [info commands ::zipfs]]} {
	if {$zip eq ""} {
	    return [zipfs root]app
	}
	zipfs mount [file normalize $zip] zipfs-client
	return [zipfs root]zipfs-client
    }
    if {$zip eq ""} {
	error "-zip \"\" needs Tcl 9's zipfs"
    }
    if {[catch {package require vfs::zip}]} {
	error "no zip filesystem: this needs Tcl 9 (zipfs) or tclvfs\
	    (package vfs::zip, Debian's tcl-vfs)"
    }
    set mnt [file normalize $zip].mnt
    vfs::zip::Mount [file normalize $zip] $mnt
    return $mnt
}

# --- Command line ------------------------------------------------------

set zip app.zip
set cafile ca.pem
set servername ""
set timeout 10000
set positional {}
for {set i 0} {$i < [llength $argv]} {incr i} {
    set arg [lindex $argv $i]
    switch -glob -- $arg {
	-zip - -cafile - -servername - -timeout {
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
if {[llength $positional] > 3} {
    usage "too many arguments"
}
set defaults {localhost 8007 hello}
lassign [concat $positional [lrange $defaults [llength $positional] end]] \
    host port message
if {![string is integer -strict $port] || $port <= 0 || $port > 65535} {
    usage "bad port \"$port\""
}
if {![string is integer -strict $timeout] || $timeout <= 0} {
    usage "-timeout must be a positive number of milliseconds"
}

# --- Connect -------------------------------------------------------------
#
# The CA file is a path inside the mount; tls reads it through Tcl's
# filesystem, so the same -cafile works for a file on disk. A missing
# file is reported by tls::socket: cannot use -cafile "...": no such file
# or directory.

if {[catch {
    set root [mountArchive $zip]
    set ca [file join $root $cafile]
    puts "CA from $ca ([lindex [file system $ca] 0] filesystem)"
    set options [list -cafile $ca]
    if {$servername ne ""} {
	lappend options -servername $servername
    }
    set deadline [expr {[clock milliseconds] + $timeout}]
    set chan [tls::socket -async {*}$options $host $port]
    fconfigure $chan -blocking 0 -buffering line -translation {auto crlf}
    while {![tls::handshake $chan]} {
	waitFor $chan writable
    }
    set status [tls::status $chan]
    puts "connected to $host:$port with [dict get $status protocol]"
    puts "  server certificate: [dict get $status subject]"
    puts $chan $message
    while {[gets $chan answer] < 0} {
	if {[eof $chan]} {
	    error "the server closed the connection without answering"
	}
	waitFor $chan readable
    }
    puts "server: $answer"
} problem]} {
    puts stderr "zipfs-client: error: $problem"
    if {[info exists chan]} {
	catch {close $chan}
    }
    exit 1
}
close $chan
exit 0
