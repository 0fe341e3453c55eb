# unimport-buffered.tcl --
#
#	Reproduction of an open bug (found while working on issue 20, not
#	fixed yet): a blocking tls::unimport called from a readable handler
#	while Tcl still holds decrypted input of the channel. Two lines come
#	in one record; the handler reads the first and unimports:
#	  - the second line is lost: Tcl_UnstackChannel discards what the
#	    layer decrypted but the script did not read yet (Tcl 8.6.13
#	    tclIO.c: "we have to discard these bytes");
#	  - then the process aborts (Tcl 8.6.13: "alloc: invalid block"):
#	    the synthetic readable timer that UpdateInterest armed for the
#	    buffered input (ChannelTimerProc) still names the TLS layer's
#	    Channel, which Tcl_UnstackChannel has freed.
#	The same abort happens when the handler reads the last buffered line
#	and unimports in that call: ChannelTimerProc arms its next timer
#	before it calls the handler. Calling tls::unimport from "after idle"
#	instead avoids it (the timer runs first and finds nothing).
#	Why the obvious fix fails: taking the buffered bytes first (binary
#	Tcl_Read) saves the data, but only Tcl_ClearChannelHandlers deletes
#	the timer, and it leaves the stale timer token in the channel state,
#	so Tcl never arms a readable timer for that channel again (tried
#	while working on issue 20). A fix needs a way to keep the layer's
#	Channel alive until that timer has run. Expected output once fixed:
#	"got A", "unimport: 0", "got B", "got PLAIN", "done ok".
#
#	    make && TLS_BUILD_DIR=$PWD/build tclsh8.6 tools/unimport-buffered.tcl
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

set auto_path [linsert $auto_path 0 [file normalize $env(TLS_BUILD_DIR)]]
package require tls
lassign $argv role dir

# The server (a child: both ends block): one record "A\nB\n", then
# close_notify (tls::unimport), then "PLAIN" in clear.
if {$role eq "server"} {
    proc accept {chan addr port} {
	fconfigure $chan -blocking 1 -buffering none
	tls::handshake $chan
	gets $chan
	puts -nonewline $chan "A\nB\n"
	flush $chan
	after 100
	catch {tls::unimport $chan}
	puts -nonewline $chan "PLAIN\n"
	flush $chan
	after 500
	close $chan
	set ::done 1
    }
    set ls [tls::socket -server accept -certfile $dir/s.pem \
	-keyfile $dir/s.key -myaddr 127.0.0.1 0]
    puts [lindex [fconfigure $ls -sockname] 2]
    flush stdout
    after 10000 {set ::done 1}
    vwait ::done
    exit 0
}

set dir [file join [expr {[info exists env(TMPDIR)] ? $env(TMPDIR) : "/tmp"}] \
    tls-unimport-[pid]]
file mkdir $dir
exec openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -keyout $dir/s.key -out $dir/s.pem 2>@1
set srv [open |[list [info nameofexecutable] [info script] server $dir] r]
gets $srv port
set c [tls::socket -cafile $dir/s.pem -servername localhost 127.0.0.1 $port]
tls::handshake $c
puts $c hi
flush $c
fconfigure $c -blocking 0
proc readLine {c} {
    if {[gets $c line] < 0} {
	if {[eof $c]} {set ::done eof}
	return
    }
    puts "got $line"
    if {$line eq "A"} {
	fconfigure $c -blocking 1
	puts "unimport: [catch {tls::unimport $c -timeout 2000} e] $e"
	fconfigure $c -blocking 0
    }
    if {$line eq "PLAIN"} {set ::done ok}
}
fileevent $c readable [list readLine $c]
after 5000 {set ::done timeout}
vwait ::done
puts "done $::done"
file delete -force $dir
