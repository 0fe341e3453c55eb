# all.tcl --
#
#	Runs the tls test suite: every tests/*.test file, each in its own
#	tclsh child process, with a time limit per file. Run by "make test"
#	as
#
#	    TLS_BUILD_DIR=/abs/build/dir tclsh8.6 tests/all.tcl ?option ...?
#
#	The options are tcltest's (-file, -notfile, -match, -skip,
#	-verbose, -constraints, ...); -file, -notfile and -testdir select
#	the files here, and all options except -outfile are passed on to
#	every child.
#	TLS_BUILD_DIR must name the directory holding the built pkgIndex.tcl,
#	shared library and tls.tcl; the children inherit it. Optional:
#	TLS_TEST_TIMEOUT, the per-file limit in seconds (default 300).
#
#	A file counts as one extra failure if it did not finish normally:
#	it timed out, crashed, exited with an error while its tests passed,
#	or never printed tcltest's summary (error while sourcing, missing
#	[cleanupTests], early [exit]). The last line printed is exactly
#
#	    N passed, N failed, N skipped
#
#	and the exit status is 1 if anything failed, else 0.
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

package require Tcl 8.6-
package require tcltest 2.5
source [file join [file dirname [file normalize [info script]]] platform.tcl]
source [file join [file dirname [file normalize [info script]]] pki.tcl]

namespace eval alltests {
    variable testDir [file dirname [file normalize [info script]]]
    variable timeoutMs 300000
    variable runDir ""              ;# parent of all children's temp files
    variable totals                 ;# Passed/Failed/Skipped over all files
    array set totals {Passed 0 Failed 0 Skipped 0}
    variable skippedBecause         ;# constraint -> tests skipped for it
    array set skippedBecause {}
    variable failedFiles {}         ;# files with failing tests
    variable badFiles {}            ;# {file reason} of unfinished files
    variable child                  ;# state of the running child
}

# alltests::Die --
#
#	Reports a problem with the set-up itself and exits with status 1.

proc alltests::Die {msg} {
    variable runDir
    puts stderr "all.tcl: $msg"
    if {$runDir ne ""} {
	catch {file delete -force -- $runDir}
    }
    exit 1
}

# alltests::CheckBuildDir --
#
#	Makes sure TLS_BUILD_DIR names the build directory and exports its
#	absolute path to the children.

proc alltests::CheckBuildDir {} {
    global env
    if {![info exists env(TLS_BUILD_DIR)] || $env(TLS_BUILD_DIR) eq ""} {
	Die "TLS_BUILD_DIR is not set; it must name the build directory\
	    (run the tests with \"make test\")"
    }
    set dir [file normalize $env(TLS_BUILD_DIR)]
    if {![file isdirectory $dir]} {
	Die "TLS_BUILD_DIR \"$dir\" does not exist or is not a directory"
    }
    # TLS_TEST_NOPKG (see common.tcl) is for developing the test
    # infrastructure before anything is built.
    if {!([info exists env(TLS_TEST_NOPKG)] && $env(TLS_TEST_NOPKG))
	    && ![file exists [file join $dir pkgIndex.tcl]]} {
	Die "TLS_BUILD_DIR \"$dir\" has no pkgIndex.tcl; build first"
    }
    set env(TLS_BUILD_DIR) $dir
}

# alltests::ChildArgs --
#
#	Returns the command-line options to pass to each child: all of ours
#	except -outfile, since this process must read the children's output.

proc alltests::ChildArgs {argList} {
    set result {}
    foreach {option value} $argList {
	if {$option ne "-outfile"} {
	    lappend result $option $value
	}
    }
    return $result
}

# alltests::OnOutput --
#
#	Readable handler for the child's pipe: echoes each complete line,
#	collects tcltest's summary and per-constraint skip counts, and ends
#	the wait at end of file.

proc alltests::OnOutput {chan} {
    variable child
    while {[gets $chan line] >= 0} {
	# A child on Windows ends its lines with CR LF.
	set line [string trimright $line \r]
	if {[regexp {^([^:]+):\tTotal\t(\d+)\tPassed\t(\d+)\tSkipped\t(\d+)\tFailed\t(\d+)$} \
		$line -> name total passed skipped failed]} {
	    dict set child summary \
		[dict create Passed $passed Skipped $skipped Failed $failed]
	} elseif {[dict exists $child summary]
		&& [regexp {^\t(\d+)\t(.+)$} $line -> count constraint]} {
	    dict lappend child skips $constraint $count
	}
	puts $line
    }
    if {[eof $chan]} {
	fileevent $chan readable {}
	set ::alltests::done eof
    }
}

# alltests::RunFile --
#
#	Runs one test file in a child tclsh, echoing its output, within the
#	time limit (the child is killed when it expires: SIGKILL, or
#	taskkill /F on Windows, there with the processes it started: see
#	tlstest::killTree). Adds its counts to the totals, records it
#	in failedFiles or badFiles, and prints how long it took.

proc alltests::RunFile {file childArgs} {
    variable timeoutMs
    variable totals
    variable skippedBecause
    variable failedFiles
    variable badFiles
    variable child
    set tail [file tail $file]
    puts "==== $tail"
    flush stdout

    set child [dict create skips {}]
    set started [clock milliseconds]
    set cmd [list [info nameofexecutable] $file {*}$childArgs]
    if {[catch {open |[list {*}$cmd 2>@1] r} chan]} {
	lappend badFiles $tail "could not start: $chan"
	return
    }
    # Pass the child's bytes through unchanged (whatever their encoding;
    # Tcl 9 would reject invalid UTF-8 when decoding).
    fconfigure $chan -blocking 0 -translation binary
    set ::alltests::done running
    fileevent $chan readable [list ::alltests::OnOutput $chan]
    set timer [after $timeoutMs {set ::alltests::done timeout}]
    vwait ::alltests::done
    after cancel $timer
    set how $::alltests::done

    if {$how eq "timeout"} {
	fileevent $chan readable {}
	foreach pid [pid $chan] {
	    tlstest::killTree $pid
	}
    }
    fconfigure $chan -blocking 1
    set status ok
    if {[catch {close $chan} msg opts]} {
	set status [dict get $opts -errorcode]
    }

    set reason ""
    if {$how eq "timeout"} {
	set reason "timed out after [expr {$timeoutMs / 1000}] s"
    } elseif {[lindex $status 0] eq "CHILDKILLED"} {
	set reason "crashed ([lindex $status 2])"
    } elseif {![dict exists $child summary]} {
	set reason "ended without a tcltest summary (error while sourcing,\
	    missing cleanupTests or early exit)"
    } elseif {[lindex $status 0] eq "CHILDSTATUS"
	    && [dict get $child summary Failed] == 0} {
	set reason "exited with status [lindex $status 2]"
    } elseif {$status ne "ok" && [lindex $status 0] ne "CHILDSTATUS"} {
	set reason "failed: $msg"
    }

    if {[dict exists $child summary]} {
	dict for {key count} [dict get $child summary] {
	    incr totals($key) $count
	}
	if {[dict get $child summary Failed] > 0} {
	    lappend failedFiles $tail
	}
	foreach {constraint count} [dict get $child skips] {
	    incr skippedBecause($constraint) $count
	}
    }
    if {$reason ne ""} {
	puts "==== $tail: TEST FILE FAILED: $reason"
	lappend badFiles $tail $reason
    }
    puts [format "==== %s: %.1f s" $tail \
	[expr {([clock milliseconds] - $started) / 1000.0}]]
}

# alltests::SharePki --
#
#	Generates the test PKI once, in the run directory, and names it in
#	env(TLS_TEST_PKI) for the children (tlstest::pki), which treat it
#	as read-only: each file saves the openssl runs of its own (dozens
#	of processes, slow under Wine). An outer run's PKI is kept. If the
#	openssl program fails, no PKI is shared and each file reports the
#	failure itself.

proc alltests::SharePki {} {
    global env
    variable runDir
    if {[info exists env(TLS_TEST_PKI)]
	    && [file isdirectory $env(TLS_TEST_PKI)]} {
	return ;# a run of all.tcl inside a test: the outer run's PKI
    }
    set dir [file join $runDir pki]
    file mkdir $dir
    if {[catch {tlstest::makePki $dir} msg]} {
	puts "Note: no shared test PKI ([lindex [split $msg \n] 0])"
	return
    }
    set env(TLS_TEST_PKI) $dir
}

# alltests::Main --
#
#	Checks the environment, selects the files, runs them and prints
#	the report. Returns the exit status.

proc alltests::Main {argList} {
    global env
    variable testDir
    variable timeoutMs
    variable runDir
    variable totals
    variable skippedBecause
    variable failedFiles
    variable badFiles

    CheckBuildDir
    if {[info exists env(TLS_TEST_TIMEOUT)]} {
	if {![string is double -strict $env(TLS_TEST_TIMEOUT)]
		|| $env(TLS_TEST_TIMEOUT) <= 0} {
	    Die "TLS_TEST_TIMEOUT must be a positive number of seconds"
	}
	set timeoutMs [expr {round($env(TLS_TEST_TIMEOUT) * 1000)}]
    }
    tcltest::configure -testdir $testDir
    if {[catch {tcltest::configure {*}$argList} msg]} {
	Die $msg
    }
    set files [lsort [tcltest::getMatchingFiles]]

    # One private directory for all children's temporary files (see
    # tlstest::MakeTempDir), removed at the end even if a child was
    # killed before it could clean up.
    if {[catch {tlstest::newDir [tlstest::tempRoot] run} runDir]} {
	set msg $runDir
	set runDir ""
	Die "cannot create a temporary directory: $msg"
    }
    set env(TLS_TEST_TMPDIR) $runDir
    SharePki

    fconfigure stdout -translation binary -buffering line
    puts "Tests running in: [info nameofexecutable]"
    puts "TLS_BUILD_DIR: $env(TLS_BUILD_DIR)"
    puts "Test files: [lmap f $files {file tail $f}]"
    set childArgs [ChildArgs $argList]
    foreach file $files {
	RunFile $file $childArgs
    }
    catch {file delete -force -- $runDir}
    unset -nocomplain env(TLS_TEST_TMPDIR) env(TLS_TEST_PKI)

    puts "===="
    if {[array size skippedBecause]} {
	puts "Number of tests skipped for each constraint:"
	foreach constraint [lsort [array names skippedBecause]] {
	    puts "\t$skippedBecause($constraint)\t$constraint"
	}
    }
    if {[llength $failedFiles]} {
	puts "Files with failing tests: $failedFiles"
    }
    foreach {file reason} $badFiles {
	puts "Test file failed: $file: $reason"
    }
    set failed [expr {$totals(Failed) + [llength $badFiles] / 2}]
    puts "$totals(Passed) passed, $failed failed, $totals(Skipped) skipped"
    flush stdout
    return [expr {$failed > 0}]
}

exit [alltests::Main $argv]
