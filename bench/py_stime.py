# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

"""Runs "openssl s_time" for bench/run.tcl and reports it like the other
clients (PREP, then RESULT with wall, cpu, count, resumed):

    python3 py_stime.py openssl s_time ARG ...

cpu is the user plus system time of the s_time process (getrusage of
the waited-for child); wall is measured here around the whole process,
so it includes its start (a few milliseconds); count is the number of
connections s_time reports for its timed phase, resumed the number it
marked as reused ("r")."""

import re
import resource
import subprocess
import sys
import time


def main():
    cmd = sys.argv[1:]
    if not cmd:
        sys.stderr.write("usage: py_stime.py openssl s_time ARG ...\n")
        sys.exit(1)
    print("PREP", flush=True)
    sys.stdin.readline()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    t1 = time.perf_counter()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = proc.stdout.decode("latin-1")
    match = re.search(r"(\d+) connections in [\d.]+s;", out)
    if proc.returncode != 0 or match is None:
        sys.stderr.write("s_time failed (status %d):\n%s\n"
                         % (proc.returncode, out[-2000:]))
        sys.exit(1)
    if "verify error" in out:
        sys.stderr.write("s_time reported verify errors:\n%s\n" % out[-2000:])
        sys.exit(1)
    count = int(match.group(1))
    progress = out[:match.start()]
    resumed = sum(line.count("r") for line in progress.splitlines()
                  if line and set(line) <= set("*r"))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print("RESULT {wall %f cpu %f count %d resumed %d}"
          % (t1 - t0, cpu, count, resumed), flush=True)


if __name__ == "__main__":
    main()
