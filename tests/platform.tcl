# platform.tcl --
#
#	The few operating-system services the test suite needs beyond
#	plain Tcl, written once for Unix and Windows (native, or Wine as
#	"make test-windows" runs it). Sourced by all.tcl and common.tcl;
#	needs nothing from the tls package.
#
#	  $tlstest::windows           1 on Windows, else 0
#	  $tlstest::wine              1 on Windows emulated by Wine, else 0
#	  tlstest::tempRoot           the system's directory for temporary
#	                              files ($TMPDIR or /tmp; %TEMP% or %TMP%)
#	  tlstest::newDir parent tag  create a new, empty, private directory
#	                              below parent, named tlstest-tag-...,
#	                              and return its absolute path
#	  tlstest::killPid pid        end the process pid (SIGKILL on Unix,
#	                              taskkill /F on Windows); error if that
#	                              fails
#	  tlstest::killTree pid       end pid and, on Windows, the processes
#	                              it started, and theirs (see the proc)
#	  tlstest::alive pid          1 if the process pid exists, else 0
#	  tlstest::livePids pids      those of the PIDs that exist (kill -0;
#	                              on Windows one wmic call, about half a
#	                              second under Wine)
#	  tlstest::processName pid    the program name of a running process
#	                              (no directory, no .exe), "" if none
#	  tlstest::pipeBytes chan     configure chan, a pipe from a child
#	                              process, to read and write bytes, with
#	                              the CR LF line ends of Windows programs
#	                              read as LF
#	  tlstest::isRoot             1 if this process has root's powers
#	                              (uid 0 on Unix; never on Windows)
#	  $tlstest::nullDevice        /dev/null, or NUL on Windows
#	  $tlstest::slowdown          factor for the time limits of waits
#	                              (waitFor, readUntil): 4 on Windows,
#	                              else 1
#	  tlstest::volume n           the amount of data (bytes, lines) a
#	                              bulk test moves: n, or n/16 on Windows
#	  tlstest::fileUri path       the file: URI of an absolute path
#	  tlstest::startRetry script  evaluate script (which starts a
#	                              process) in the caller; on Windows
#	                              try again, up to 3 times in all, when
#	                              the start fails with EINVAL
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

namespace eval tlstest {
    variable windows [expr {$::tcl_platform(platform) eq "windows"}]
    variable newDirSeq 0        ;# counter making newDir's names unique
    variable nullDevice [expr {$windows ? "NUL" : "/dev/null"}]
    # Under Wine a process starts in about a second and an event loop
    # cycle on a socket takes milliseconds: a limit that is generous on
    # Linux is tight there. Limits only bound a wait, so stretching
    # them costs nothing when all goes well.
    variable slowdown [expr {$windows ? 4 : 1}]
    # Wine keeps its settings under HKEY_LOCAL_MACHINE\Software\Wine.
    variable wine [expr {$windows && ![catch {
	package require registry
	registry keys {HKEY_LOCAL_MACHINE\Software\Wine}
    }]}]
}

# tlstest::tempRoot --
#
#	Returns the directory for temporary files, normalized.

proc tlstest::tempRoot {} {
    global env
    variable windows
    set candidates [expr {$windows ? {TEMP TMP} : {TMPDIR}}]
    foreach name $candidates {
	if {[info exists env($name)] && [file isdirectory $env($name)]} {
	    return [file normalize $env($name)]
	}
    }
    if {$windows} {
	# No %TEMP%: the current drive's \Temp or the working directory.
	foreach dir [list [file join [lindex [file split [pwd]] 0] Temp] [pwd]] {
	    if {[file isdirectory $dir]} {
		return [file normalize $dir]
	    }
	}
    }
    return /tmp
}

# tlstest::newDir --
#
#	Creates a directory below parent whose name no other process uses:
#	it holds this process's PID (unique among running processes), a
#	counter and a random part, and a name that exists already (left by
#	a dead process with the same PID) is skipped. On Unix the directory
#	gets mode 0700. Returns its normalized path.

proc tlstest::newDir {parent tag} {
    variable windows
    variable newDirSeq
    for {set try 0} {$try < 100} {incr try} {
	set name [format tlstest-%s-%d-%d-%06x $tag [pid] [incr newDirSeq] \
	    [expr {int(rand() * 0x1000000)}]]
	set dir [file normalize [file join $parent $name]]
	if {[file exists $dir]} {
	    continue
	}
	file mkdir $dir
	if {!$windows} {
	    file attributes $dir -permissions 0700
	}
	return $dir
    }
    return -code error "cannot create a directory below $parent"
}

# tlstest::killPid --
#
#	Ends the process pid at once. On Unix SIGKILL; on Windows
#	"taskkill /F" (TerminateProcess; Wine has it too). Raises an error
#	if the process could not be ended (e.g. it is gone already).

proc tlstest::killPid {pid} {
    variable windows
    if {$windows} {
	exec taskkill /F /PID $pid
    } else {
	exec kill -KILL $pid
    }
    return
}

# tlstest::killTree --
#
#	Ends the process pid and its descendants. On Unix only pid itself
#	(killPid): the processes a test starts die with it (setpriv
#	--pdeathsig, see common.tcl), and a process group is not ours to
#	signal. Windows has neither, and its taskkill /T is missing from
#	Wine: the descendants come from one "wmic process get
#	ParentProcessId,ProcessId" list, taken while pid still runs (a
#	running process's PID is not reused), and are ended after pid, so
#	that it starts no more. Errors are ignored.

proc tlstest::killTree {pid} {
    variable windows
    if {!$windows} {
	catch {killPid $pid}
	return
    }
    set children [dict create]
    if {![catch {exec wmic process get ParentProcessId,ProcessId} out]} {
	foreach {parent child} [regexp -all -inline {\d+} \
		[string map [list \0 ""] $out]] {
	    dict lappend children $parent $child
	}
    }
    set todo [list $pid]
    set tree {}
    while {[llength $todo]} {
	set todo [lassign $todo next]
	if {$next in $tree} {
	    continue
	}
	lappend tree $next
	if {[dict exists $children $next]} {
	    lappend todo {*}[dict get $children $next]
	}
    }
    foreach p $tree {
	catch {killPid $p}
    }
}

# tlstest::livePids --
#
#	Returns the elements of pids that name existing processes. On Unix
#	"kill -0" (which a zombie still passes); on Windows the process list
#	of "wmic process get ProcessId" (Wine's tasklist prints nothing, and
#	its wmic takes no "where" clause). wmic writes UTF-16: the NULs are
#	dropped.

proc tlstest::livePids {pids} {
    variable windows
    if {$windows} {
	set out [string map [list \0 ""] [exec wmic process get ProcessId]]
	set all [regexp -all -inline {\d+} $out]
	return [lmap pid $pids {expr {$pid in $all ? $pid : [continue]}}]
    }
    return [lmap pid $pids {
	expr {[catch {exec kill -0 $pid 2>@1}] ? [continue] : $pid}
    }]
}

# tlstest::alive --
#
#	Whether the process pid exists (see livePids).

proc tlstest::alive {pid} {
    return [expr {[llength [livePids [list $pid]]] > 0}]
}

# tlstest::processName --
#
#	The program name of the running process pid: /proc/pid/comm on
#	Linux; on Windows the Name column of "wmic process get
#	Name,ProcessId", without its ".exe". "" if there is no such process
#	(or no way to tell).

proc tlstest::processName {pid} {
    variable windows
    if {$windows} {
	set out [string map [list \0 "" \r ""] \
	    [exec wmic process get Name,ProcessId]]
	foreach line [split $out \n] {
	    if {[regexp {^\s*(.*\S)\s+(\d+)\s*$} $line -> name id]
		    && $id == $pid} {
		return [regsub -nocase {\.exe$} $name ""]
	    }
	}
	return ""
    }
    if {[catch {open /proc/$pid/comm r} fd]} {
	return ""
    }
    set name [string trim [read $fd]]
    close $fd
    return $name
}

# tlstest::pipeBytes --
#
#	Configures chan, a pipe to or from a child process, for bytes:
#	binary encoding, no translation on output. On Windows, programs
#	end their lines with CR LF (openssl.exe's messages, a child
#	tclsh's stdout): input is read with -translation crlf there, so
#	that patterns and results are those of Unix (this turns each CR LF
#	into LF, which is exact for text a Windows program wrote as LF).

proc tlstest::pipeBytes {chan} {
    variable windows
    fconfigure $chan -translation binary
    if {$windows} {
	fconfigure $chan -translation {crlf lf}
    }
    return $chan
}

# tlstest::isRoot --
#
#	1 if the process runs as root on Unix (file permissions and
#	privileged ports do not stop it), else 0. On Windows there is no
#	such user, and the tests that want one are Unix tests anyway.

proc tlstest::isRoot {} {
    variable windows
    if {$windows} {
	return 0
    }
    return [expr {[exec id -u] == 0}]
}

# tlstest::volume --
#
#	The amount of data a bulk test moves, given its amount n on Unix:
#	a sixteenth of it on Windows, where Tcl's sockets under Wine are
#	slow (measured with plain Tcl sockets: an fcopy of 4 MiB takes 17 s,
#	a one-line round trip 90 ms). Still enough for many records and
#	full socket buffers.

proc tlstest::volume {n} {
    variable windows
    return [expr {$windows ? max(1, $n / 16) : $n}]
}

# tlstest::startRetry --
#
#	Evaluates script, which starts a process (exec, open |...), in the
#	caller's scope and returns its result. Under Wine, busy with other
#	processes, starting a program now and then fails with "couldn't
#	execute ...: invalid argument" (CreateProcess, ERROR_INVALID_PARAMETER)
#	although the same command works the next time: on Windows such a
#	failure is retried, 3 tries in all. Any other error is raised as is.

proc tlstest::startRetry {script} {
    variable windows
    for {set try 1} 1 {incr try} {
	set code [catch {uplevel 1 $script} result opts]
	if {$code != 1 || !$windows || $try >= 3
		|| ![string match {POSIX EINVAL *} [dict get $opts -errorcode]]} {
	    dict incr opts -level
	    return -options $opts $result
	}
    }
}

# tlstest::fileUri --
#
#	The file: URI of the absolute path: file:/dir/f, or on Windows
#	file:///C:/dir/f (a drive letter follows the empty authority).

proc tlstest::fileUri {path} {
    if {[string match /* $path]} {
	return file:$path
    }
    return file:///$path
}
