# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

"""Shared by bench/py_server.py and bench/py_client.py: the reference
implementation with Python's ssl module (or plain sockets), used by
bench/run.tcl in the same run as the Tcl implementations.

The PKI is $BENCH_PKI: ca.pem, rsa.pem/rsa.key, ec.pem/ec.key (leaves
signed directly by the CA)."""

import glob
import os
import ssl
import sys

PKI = os.environ.get("BENCH_PKI", "")
CHUNK = bytes(range(256)) * 256          # 64 KiB, as the Tcl scripts write


def cpu():
    """CPU seconds used so far by this process (all threads, user and
    system), from /proc/self/task/*/schedstat, else os.times()."""
    total = 0
    for name in glob.glob("/proc/self/task/*/schedstat"):
        try:
            with open(name) as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    if total > 0:
        return total / 1e9
    t = os.times()
    return t.user + t.system


def server_context(kind):
    """Server context with the certificate kind (rsa or ec)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(PKI, kind + ".pem"),
                        os.path.join(PKI, kind + ".key"))
    return ctx


def client_context(store):
    """Verifying client context, as a Python program makes it: with our
    CA file, or the default store (store == "system"; run.tcl then sets
    SSL_CERT_FILE to the system bundle plus our CA). Host names are
    checked (check_hostname is on in create_default_context)."""
    if store == "cafile":
        return ssl.create_default_context(cafile=os.path.join(PKI, "ca.pem"))
    return ssl.create_default_context()


def fail(msg):
    sys.stderr.write("%s: %s\n" % (os.path.basename(sys.argv[0]), msg))
    sys.exit(1)
