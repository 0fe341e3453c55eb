# tcl-watch-refresh.tcl --
#
#	Reproduction, without tls, of the Tcl behaviour TlsChannelRefresh
#	(generic/tlsEvents.c) works around: when a driver is stacked on a
#	channel whose script already has a fileevent handler, Tcl does not
#	call the new top driver's watch procedure; it does so only once the
#	handlers change. Our TLS layer acts on what its watch procedure was
#	told, so a readable handler set before tls::import would never fire.
#
#	A transform (chan push) cannot be watched from a script, but it
#	passes every watch call on to the channel below, here a reflected
#	channel that logs its "watch" calls. A reflected channel hands its
#	script only changes of interest, so the script first makes the
#	bottom's interest stale: a line left in Tcl's input buffer makes
#	Tcl tell the bottom {} (Tcl reports that line itself); "chan push"
#	moves the buffer below the transform, after which the interest is
#	{read} again. Then the same set-up around "chan pop", which does
#	call the watch procedure of the driver it lays bare.
#
#	    tclsh8.6 tools/tcl-watch-refresh.tcl
#	    tools/tcl9.sh run 'tclsh9.0 tools/tcl-watch-refresh.tcl'
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

set log {}
set data ""

# bottom --
#	The reflected channel at the bottom: logs watch calls; reads give
#	what ::data holds, once.

proc bottom {cmd chan args} {
    switch -- $cmd {
	initialize {return {initialize finalize watch read write}}
	watch {lappend ::log "watch {[lindex $args 0]}"}
	read {
	    if {$::data eq ""} {return -code error EAGAIN}
	    set d $::data
	    set ::data ""
	    return $d
	}
	write {return [string length [lindex $args 0]]}
    }
    return
}

# identity --
#	A transform that changes nothing.

proc identity {cmd handle args} {
    switch -- $cmd {
	initialize {return {initialize finalize read write}}
	read - write {return [lindex $args 0]}
    }
    return
}

# step --
#	Runs a script and prints the watch calls the bottom saw meanwhile.

proc step {what script} {
    set ::log {}
    uplevel #0 $script
    set calls [expr {$::log eq "" ? "(none)" : $::log}]
    puts [format "  %-44s bottom saw: %s" $what $calls]
    return $::log
}

puts "Tcl [info patchlevel]"
puts "chan push:"
set c [chan create {read write} bottom]
fconfigure $c -blocking 0 -translation lf
step "fileevent readable" {fileevent $c readable {set ::x 1}}
set data "a\nb\n"
step "gets, line b stays in Tcl's buffer" {gets $c}
set pushed [step "chan push (b moves below the transform)" {
    chan push $c identity
}]
step "add and remove a writable handler" {
    fileevent $c writable {set ::y 1}
    fileevent $c writable {}
}
close $c

puts "chan pop:"
set c [chan create {read write} bottom]
fconfigure $c -blocking 0 -translation lf
step "chan push" {chan push $c identity}
step "fileevent readable" {fileevent $c readable {set ::x 1}}
set data "a\nb\n"
step "gets, line b stays in Tcl's buffer" {gets $c}
set popped [step "chan pop (drops b)" {chan pop $c}]
close $c

puts "observed: chan push [expr {$pushed eq "" ? "does not call" : "calls"}]\
	the new top's watch procedure; chan pop\
	[expr {$popped eq "" ? "does not call" : "calls"}] the watch\
	procedure of the driver it lays bare"
