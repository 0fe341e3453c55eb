# tcl9-apply-child.tcl --
#
#	Reproduction of a Tcl 9.0.1 problem met in tests/security.test (no
#	tls involved): one apply lambda literal, evaluated in a second child
#	interpreter, fails with an empty error message. Tcl 8.6.13 prints
#	three socket names; Tcl 9.0.1 prints one, then two empty errors.
#
#	    tclsh9.0 tools/tcl9-apply-child.tcl
#	    tools/tcl9.sh run 'tclsh9.0 tools/tcl9-apply-child.tcl'
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

set ls [socket -server {apply {{s a p} {close $s}}} -myaddr 127.0.0.1 0]
set port [lindex [fconfigure $ls -sockname] 2]
foreach i {1 2 3} {
    set child [interp create]
    set code [catch {
	$child eval [list apply {{port} {socket 127.0.0.1 $port}} $port]
    } msg]
    puts "child $i: code $code, result \"$msg\""
    interp delete $child
}
close $ls
