# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

"""Benchmark client with Python's ssl module (blocking sockets), started
by bench/run.tcl:

    python3 py_client.py impl test port ?name value ...?

impl: tls or plain. Settings: store (cafile or system), bytes, file,
seconds, max, count. The tests and the PREP/RESULT exchange with
run.tcl are those of bench/tcl_client.tcl:

  up, down         n bytes in 64 KiB sendall / recv_into
  upfcopy          shutil.copyfileobj from a file of n bytes (64 KiB;
                   env BENCH_PY_FCOPY_PIECE=4096: unbuffered 4 KiB
                   writes, the shape of Tcl's fcopy, for comparison)
  uphttp           http.client POST of a file of n bytes (the module reads
                   and sends the body in 8 KiB blocks), on a connection
                   made as for the other tests
  downfcopy        recv_into and write into a new file (removed after);
                   Python has no fcopy with a byte count
  hs, resume       handshake loop (Python makes full handshakes unless
                   given a session; resume passes the previous
                   connection's, each exchanging a line for a new ticket)
  first, rtt       first reply on fresh connections; round trips, each
                   timed (median and 99th percentile, us)
  mem              opens count connections (handshake and one echoed
                   line each), prints "MARK", waits, closes them: the
                   client of the server memory figures for every server,
                   and Python's own client memory figure
  memhs            the same without the line (handshake only)
"""

import math
import http.client
import os
import shutil
import socket
import sys
import time

from py_common import CHUNK, client_context, cpu, fail


def prep(word="PREP"):
    print(word, flush=True)
    sys.stdin.readline()


def result(**values):
    print("RESULT {%s}" % " ".join("%s %s" % (k, values[k]) for k in values),
          flush=True)
    sys.stdin.readline()        # exit when run.tcl closes our stdin
    sys.exit(0)


def now():
    return time.perf_counter()


class Client:

    def __init__(self, impl, port, store):
        self.port = port
        self.ctx = client_context(store) if impl == "tls" else None

    def connect(self, session=None):
        sock = socket.create_connection(("127.0.0.1", self.port))
        if self.ctx is None:
            return sock
        try:
            return self.ctx.wrap_socket(sock, server_hostname="localhost",
                                        session=session)
        except BaseException:
            sock.close()
            raise


def read_line(sock):
    data = b""
    while not data.endswith(b"\n"):
        part = sock.recv(4096)
        if not part:
            fail("end of file before a line")
        data += part
    return data


def bulk(client, test, nbytes, path):
    sock = client.connect()
    if test == "upfcopy":
        src = open(path, "rb")
    elif test == "downfcopy":
        dst = open(path, "wb")
    prep()
    t0 = now()
    c0 = cpu()
    if test in ("up", "upfcopy"):
        sock.sendall(b"UP %d\n" % nbytes)
        if test == "up":
            view = memoryview(CHUNK)
            left = nbytes
            while left > 0:
                n = min(left, 65536)
                sock.sendall(view[:n])
                left -= n
        else:
            # BENCH_PY_FCOPY_PIECE=4096: the shape of Tcl's fcopy (one
            # unbuffered write per 4 KiB piece), for comparison only.
            piece = int(os.environ.get("BENCH_PY_FCOPY_PIECE", "65536"))
            out = sock.makefile("wb", buffering=-1 if piece == 65536 else 0)
            shutil.copyfileobj(src, out, piece)
            out.flush()
            out.close()
        reply = read_line(sock)
        if reply != b"OK\n":
            fail("upload: server answered %r" % reply)
    else:
        sock.sendall(b"DOWN %d\n" % nbytes)
        buf = bytearray(65536)
        view = memoryview(buf)
        left = nbytes
        while left > 0:
            n = sock.recv_into(buf, min(left, 65536))
            if n == 0:
                fail("download: end of file with %d bytes to go" % left)
            if test == "downfcopy":
                dst.write(view[:n])
            left -= n
        if test == "downfcopy":
            dst.close()
    c1 = cpu()
    t1 = now()
    sock.close()
    if test == "upfcopy":
        src.close()
    elif test == "downfcopy":
        os.unlink(path)
    result(wall=t1 - t0, cpu=c1 - c0, bytes=nbytes)


def http_upload(client, nbytes, path):
    src = open(path, "rb")
    prep()
    t0 = now()
    c0 = cpu()
    # A connection of our own (to 127.0.0.1, the name sent and checked
    # being localhost), given to http.client, which then does not open
    # one; counted in the time like the Tcl clients' http::geturl.
    conn = http.client.HTTPConnection("localhost", client.port)
    conn.sock = client.connect()
    conn.request("POST", "/", body=src, headers={
        "Content-Type": "application/octet-stream",
        "Content-Length": str(nbytes)})
    response = conn.getresponse()
    body = response.read()
    c1 = cpu()
    t1 = now()
    conn.close()
    src.close()
    if response.status != 200 or body != b"OK":
        fail("http upload: %d %r" % (response.status, body))
    result(wall=t1 - t0, cpu=c1 - c0, bytes=nbytes)


def handshakes(client, test, seconds, maximum):
    sock = client.connect()
    sock.sendall(b"hello\n")
    read_line(sock)                 # TLS 1.3 tickets come before it
    session = getattr(sock, "session", None)
    sock.close()
    prep()
    t0 = now()
    c0 = cpu()
    deadline = t0 + seconds
    n = resumed = 0
    while n < maximum and now() < deadline:
        if test == "hs":
            sock = client.connect()
        else:
            # Single-use TLS 1.3 tickets, as in tcl_client.tcl: each
            # connection reads the line its fresh ticket comes with.
            sock = client.connect(session)
            resumed += sock.session_reused
            sock.sendall(b"hello\n")
            read_line(sock)
            session = getattr(sock, "session", None)
        sock.close()
        n += 1
    c1 = cpu()
    t1 = now()
    result(wall=t1 - t0, cpu=c1 - c0, count=n, resumed=resumed)


def first(client, count):
    client.connect().close()
    prep()
    times = []
    c0 = cpu()
    t0 = now()
    for _ in range(count):
        start = now()
        sock = client.connect()
        sock.sendall(b"ping\n")
        reply = read_line(sock)
        times.append((now() - start) * 1e3)
        sock.close()
        if reply != b"ping\n":
            fail("first reply: got %r" % reply)
    c1 = cpu()
    t1 = now()
    result(wall=t1 - t0, cpu=c1 - c0, count=count, ms=median(times),
           min=min(times), max=max(times))


def round_trips(client, count):
    sock = client.connect()
    for _ in range(10):
        sock.sendall(b"ping\n")
        read_line(sock)
    prep()
    times = []
    t0 = now()
    c0 = cpu()
    for _ in range(count):
        start = now()
        sock.sendall(b"ping\n")
        if read_line(sock) != b"ping\n":
            fail("round trip: bad reply")
        times.append((now() - start) * 1e6)
    c1 = cpu()
    t1 = now()
    sock.close()
    result(wall=t1 - t0, cpu=c1 - c0, count=count, median=median(times),
           p99=percentile(times, 99))


def median(values):
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def percentile(values, p):
    # Nearest rank, as bench/median.tcl's percentile.
    s = sorted(values)
    rank = max(1, math.ceil(p / 100.0 * len(s)))
    return s[rank - 1]


def memory(client, count, data):
    # The replies are read after all connections are open: a server
    # without TCP_NODELAY may hold each one back for a delayed ACK.
    # Without data (memhs) each connection only completes its handshake.
    socks = [client.connect()]
    socks[0].sendall(b"x\n")
    read_line(socks[0])
    prep()
    t0 = now()
    for _ in range(count):
        sock = client.connect()
        if data:
            sock.sendall(b"x\n")
        socks.append(sock)
    if data:
        for sock in socks[1:]:
            if read_line(sock) != b"x\n":
                fail("memory: bad reply")
    t1 = now()
    prep("MARK")
    for sock in socks:
        sock.close()
    result(wall=t1 - t0, count=count)


def main():
    args = sys.argv[1:]
    if len(args) < 3 or len(args) % 2 == 0 or args[0] not in ("tls", "plain"):
        fail("usage: py_client.py tls|plain test port ?name value ...?")
    impl, test, port = args[0], args[1], int(args[2])
    settings = {"store": "cafile", "bytes": "0", "file": "", "seconds": "2",
                "max": "100000", "count": "10"}
    settings.update(zip(args[3::2], args[4::2]))
    client = Client(impl, port, settings["store"])
    count = int(settings["count"])
    if test in ("up", "upfcopy", "down", "downfcopy"):
        bulk(client, test, int(settings["bytes"]), settings["file"])
    elif test == "uphttp":
        http_upload(client, int(settings["bytes"]), settings["file"])
    elif test in ("hs", "resume"):
        handshakes(client, test, float(settings["seconds"]),
                   int(settings["max"]))
    elif test == "first":
        first(client, count)
    elif test == "rtt":
        round_trips(client, count)
    elif test in ("mem", "memhs"):
        memory(client, count, test == "mem")
    else:
        fail("unknown test %r" % test)


if __name__ == "__main__":
    main()
