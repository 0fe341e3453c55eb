# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

"""Benchmark server with Python's ssl module, started by bench/run.tcl:

    python3 py_server.py impl mode kind

impl: tls or plain; mode: block (one connection at a time, blocking
I/O) or event (non-blocking sockets and a selector, any number of
connections); kind: rsa or ec. Same protocol as bench/tcl_server.tcl:
prints "READY port", serves until its standard input ends, and a
connection's first line chooses
"UP n" (read n bytes, answer "OK\\n"), "DOWN n" (write n bytes), "POST"
(an HTTP/1.1 request with a Content-Length body, answered 200 "OK"; block
mode only) or echo of every line; then the server reads until the client closes. I/O is
done in 64 KiB reads and writes."""

import os
import selectors
import socket
import ssl
import sys
import threading

from py_common import CHUNK, fail, server_context


class Reader:
    """Line reading over a blocking socket, keeping what follows."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()

    def line(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                return None
            self.buf += data
        i = self.buf.index(b"\n")
        line = bytes(self.buf[:i])
        del self.buf[:i + 1]
        return line


def serve_blocking(conn):
    reader = Reader(conn)
    line = reader.line()
    if line is None:
        return
    if line.startswith(b"UP "):
        left = int(line.split()[1]) - len(reader.buf)
        reader.buf.clear()
        buf = bytearray(65536)
        while left > 0:
            n = conn.recv_into(buf, min(left, 65536))
            if n == 0:
                raise EOFError("end of file with %d bytes to go" % left)
            left -= n
        conn.sendall(b"OK\n")
    elif line.startswith(b"POST "):
        serve_post(conn, reader)
    elif line.startswith(b"DOWN "):
        left = int(line.split()[1])
        view = memoryview(CHUNK)
        while left > 0:
            n = min(left, 65536)
            conn.sendall(view[:n])
            left -= n
    else:
        while line is not None:
            conn.sendall(line + b"\n")
            line = reader.line()
        return
    while conn.recv(65536):
        pass


def serve_post(conn, reader):
    """An HTTP/1.1 POST (request line read): the header, the body of
    Content-Length bytes, then 200 "OK"."""
    left = -1
    while True:
        header = reader.line()
        if header is None:
            raise EOFError("end of file in the request header")
        header = header.rstrip(b"\r")
        if not header:
            break
        name, _, value = header.partition(b":")
        if name.strip().lower() == b"content-length":
            left = int(value)
    if left < 0:
        raise ValueError("POST without Content-Length")
    left -= len(reader.buf)
    reader.buf.clear()
    buf = bytearray(65536)
    while left > 0:
        n = conn.recv_into(buf, min(left, 65536))
        if n == 0:
            raise EOFError("end of file with %d bytes of the body to go" % left)
        left -= n
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                 b"Content-Length: 2\r\nConnection: close\r\n\r\nOK")


def exit_at_stdin_end():
    """Block mode: the main thread sits in accept or recv, so a thread
    ends the process when standard input ends (run.tcl's way to stop a
    server cleanly, e.g. under valgrind)."""
    while os.read(sys.stdin.fileno(), 4096):
        pass
    os._exit(0)


def run_blocking(listener, ctx):
    threading.Thread(target=exit_at_stdin_end, daemon=True).start()
    while True:
        conn, _ = listener.accept()
        try:
            if ctx is not None:
                conn = ctx.wrap_socket(conn, server_side=True)
            serve_blocking(conn)
        except (OSError, EOFError, ValueError) as e:
            sys.stderr.write("server: %s\n" % e)
        finally:
            conn.close()


class Conn:
    """State of one connection of the event-driven server."""

    def __init__(self, sock, tls):
        self.sock = sock
        self.handshaking = tls
        self.state = "line"      # line, up, down, echo, end
        self.left = 0
        self.inbuf = bytearray()
        self.out = b""
        self.events = selectors.EVENT_READ


class EventServer:

    def __init__(self, listener, ctx):
        self.listener = listener
        self.ctx = ctx
        self.sel = selectors.DefaultSelector()
        listener.setblocking(False)
        self.sel.register(listener, selectors.EVENT_READ, None)
        self.sel.register(sys.stdin, selectors.EVENT_READ, "stdin")
        self.rbuf = bytearray(65536)

    def run(self):
        while True:
            for key, mask in self.sel.select():
                if key.data is None:
                    self.accept()
                elif key.data == "stdin":
                    if not os.read(sys.stdin.fileno(), 4096):
                        return
                else:
                    try:
                        self.service(key.data, mask)
                    except (OSError, ValueError):
                        self.drop(key.data)

    def accept(self):
        while True:
            try:
                sock, _ = self.listener.accept()
            except BlockingIOError:
                return
            sock.setblocking(False)
            if self.ctx is not None:
                sock = self.ctx.wrap_socket(sock, server_side=True,
                                            do_handshake_on_connect=False)
            conn = Conn(sock, self.ctx is not None)
            self.sel.register(sock, conn.events, conn)

    def drop(self, conn):
        try:
            self.sel.unregister(conn.sock)
        except (KeyError, ValueError):
            pass
        conn.sock.close()
        conn.state = "closed"

    def want(self, conn, events):
        if events != conn.events:
            conn.events = events
            self.sel.modify(conn.sock, events, conn)

    def service(self, conn, mask):
        if conn.handshaking:
            try:
                conn.sock.do_handshake()
                conn.handshaking = False
                self.want(conn, selectors.EVENT_READ)
            except ssl.SSLWantReadError:
                self.want(conn, selectors.EVENT_READ)
                return
            except ssl.SSLWantWriteError:
                self.want(conn, selectors.EVENT_WRITE)
                return
        if conn.out:
            self.flush(conn)
            if conn.out:
                return
        if conn.state == "down":
            if mask & selectors.EVENT_WRITE:
                self.write_down(conn)
            if conn.state == "down":
                if mask & selectors.EVENT_READ:
                    self.read(conn)
                return
        self.read(conn)

    def read(self, conn):
        """Reads all that is available (ssl buffers records the selector
        cannot see, so read until it would block)."""
        while conn.state != "closed":
            try:
                n = conn.sock.recv_into(self.rbuf, 65536)
            except (ssl.SSLWantReadError, BlockingIOError):
                return
            except ssl.SSLWantWriteError:
                self.want(conn, selectors.EVENT_WRITE)
                return
            if n == 0:
                self.drop(conn)
                return
            if conn.state == "up":
                conn.left -= n
                if conn.left <= 0:
                    conn.state = "end"
                    self.send(conn, b"OK\n")
            elif conn.state in ("line", "echo"):
                conn.inbuf += self.rbuf[:n]
                self.lines(conn)
            # state "end" or "down": discard

    def lines(self, conn):
        while conn.state in ("line", "echo") and b"\n" in conn.inbuf:
            i = conn.inbuf.index(b"\n")
            line = bytes(conn.inbuf[:i])
            del conn.inbuf[:i + 1]
            if conn.state == "line":
                if line.startswith(b"UP "):
                    conn.state = "up"
                    conn.left = int(line.split()[1]) - len(conn.inbuf)
                    conn.inbuf.clear()
                    if conn.left <= 0:
                        conn.state = "end"
                        self.send(conn, b"OK\n")
                    return
                if line.startswith(b"DOWN "):
                    conn.state = "down"
                    conn.left = int(line.split()[1])
                    conn.inbuf.clear()
                    self.want(conn, selectors.EVENT_READ
                              | selectors.EVENT_WRITE)
                    return
                conn.state = "echo"
            self.send(conn, line + b"\n")

    def send(self, conn, data):
        conn.out += data
        self.flush(conn)

    def flush(self, conn):
        while conn.out:
            try:
                n = conn.sock.send(conn.out)
            except (ssl.SSLWantWriteError, BlockingIOError):
                self.want(conn, selectors.EVENT_READ | selectors.EVENT_WRITE)
                return
            except ssl.SSLWantReadError:
                return
            conn.out = conn.out[n:]
        if conn.state != "down":
            self.want(conn, selectors.EVENT_READ)

    def write_down(self, conn):
        """Download: writes 64 KiB chunks while the socket takes them;
        also notices the client's data and close."""
        view = memoryview(CHUNK)
        while conn.left > 0:
            n = min(conn.left, 65536)
            try:
                sent = conn.sock.send(view[:n])
            except (ssl.SSLWantWriteError, BlockingIOError):
                return
            except ssl.SSLWantReadError:
                break
            conn.left -= sent
        if conn.left <= 0:
            conn.state = "end"
            self.want(conn, selectors.EVENT_READ)
            self.read(conn)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("tls", "plain") \
            or sys.argv[2] not in ("block", "event") \
            or sys.argv[3] not in ("rsa", "ec"):
        fail("usage: py_server.py tls|plain block|event rsa|ec")
    impl, mode, kind = sys.argv[1:]
    ctx = server_context(kind) if impl == "tls" else None
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    print("READY %d" % listener.getsockname()[1], flush=True)
    try:
        if mode == "block":
            run_blocking(listener, ctx)
        else:
            EventServer(listener, ctx).run()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
