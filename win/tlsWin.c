/*
 * tlsWin.c --
 *
 *	The platform services of tlsPlatform.h for Windows: waiting on a
 *	socket (WSAPoll), TCP tuning, the peer's numeric address, and the
 *	append-only key-log file. A handle is what Tcl_GetChannelHandle
 *	gives for the channel below: a SOCKET for Tcl's sockets, a HANDLE
 *	for pipes and files. Tcl maps Winsock errors to the errno names the
 *	errorCode lists carry (ECONNRESET, EPIPE, ...), so generic/ reads
 *	them as on Unix.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include "tlsPlatform.h"
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>

#define SOCK(handle) ((SOCKET) (intptr_t) (handle))

/*
 *----------------------------------------------------------------------
 *
 * TlsPlatformWait --
 *
 *	Waits at most ms milliseconds (-1: no limit) for a socket to become
 *	readable (TLS_WAIT_READ) or writable (TLS_WAIT_WRITE). A handle that
 *	is not a socket (a pipe, a file) cannot be waited on this way: it is
 *	given a little time and said to be ready, so callers poll it slowly.
 *
 * Results:
 *	1 if it may be ready now (or an error will show on the next call),
 *	0 on timeout.
 *
 *----------------------------------------------------------------------
 */

int
TlsPlatformWait(
    void *handle,
    int events,
    int ms)
{
    WSAPOLLFD pfd;
    int n;

    pfd.fd = SOCK(handle);
    pfd.events = (SHORT) (((events & TLS_WAIT_READ) ? POLLRDNORM : 0)
	    | ((events & TLS_WAIT_WRITE) ? POLLWRNORM : 0));
    pfd.revents = 0;
    n = WSAPoll(&pfd, 1, ms);
    if (n == SOCKET_ERROR && WSAGetLastError() == WSAENOTSOCK) {
	Sleep(ms >= 0 && ms < 10 ? (DWORD) ms : 10);
	return 1;
    }
    return n != 0;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsPlatformNoDelay, TlsPlatformSetNoDelay --
 *
 *	TlsPlatformNoDelay turns off Nagle's algorithm if the handle is a
 *	TCP socket (IPv4 or IPv6) and does nothing for anything else.
 *	TlsPlatformSetNoDelay turns it on (on 0) or off (on 1) on a handle
 *	known to be a TCP socket.
 *
 * Results:
 *	TlsPlatformNoDelay: 1 for a TCP socket, else 0.
 *
 *----------------------------------------------------------------------
 */

int
TlsPlatformNoDelay(
    void *handle)
{
    struct sockaddr_storage addr;
    int len = (int) sizeof(addr), type = 0, typeLen = (int) sizeof(type);
    BOOL on = TRUE;

    if (getsockopt(SOCK(handle), SOL_SOCKET, SO_TYPE, (char *) &type,
	    &typeLen) != 0 || type != SOCK_STREAM
	    || getsockname(SOCK(handle), (struct sockaddr *) &addr, &len) != 0
	    || (addr.ss_family != AF_INET && addr.ss_family != AF_INET6)) {
	return 0;
    }
    (void) setsockopt(SOCK(handle), IPPROTO_TCP, TCP_NODELAY,
	    (const char *) &on, (int) sizeof(on));
    return 1;
}

void
TlsPlatformSetNoDelay(
    void *handle,
    int on)
{
    BOOL value = on ? TRUE : FALSE;

    (void) setsockopt(SOCK(handle), IPPROTO_TCP, TCP_NODELAY,
	    (const char *) &value, (int) sizeof(value));
}

/*
 *----------------------------------------------------------------------
 *
 * TlsPlatformPeerAddress --
 *
 *	Appends the numeric address and port of a connected socket's peer
 *	to dsPtr, as "address port".
 *
 * Results:
 *	1 when appended; 0 when the socket has no peer (yet); -1 when the
 *	handle is not a socket.
 *
 *----------------------------------------------------------------------
 */

int
TlsPlatformPeerAddress(
    void *handle,
    Tcl_DString *dsPtr)
{
    struct sockaddr_storage addr;
    int len = (int) sizeof(addr);
    char host[NI_MAXHOST], serv[NI_MAXSERV];

    if (getpeername(SOCK(handle), (struct sockaddr *) &addr, &len) != 0) {
	return WSAGetLastError() == WSAENOTSOCK ? -1 : 0;
    }
    if (getnameinfo((struct sockaddr *) &addr, (socklen_t) len, host,
	    sizeof(host), serv, sizeof(serv),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
	return 0;
    }
    Tcl_DStringAppend(dsPtr, host, -1);
    Tcl_DStringAppend(dsPtr, " ", 1);
    Tcl_DStringAppend(dsPtr, serv, -1);
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsPlatformWasReset --
 *
 *	Whether the peer reset the TCP connection while Tcl reported an end
 *	of file. Tcl's Windows sockets report WSAECONNRESET as ECONNRESET
 *	themselves, so there is nothing to tell apart: always 0.
 *
 *----------------------------------------------------------------------
 */

int
TlsPlatformWasReset(
    TCL_UNUSED(void *))
{
    return 0;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsPlatformShutdown --
 *
 *	Ends a socket's connection in both directions (the peer sees the
 *	end at once) while the socket stays open for its channel.
 *
 *----------------------------------------------------------------------
 */

void
TlsPlatformShutdown(
    void *handle)
{
    (void) shutdown(SOCK(handle), SD_BOTH);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsPlatformAppendSecret --
 *
 *	Appends bytes to a file that holds secrets (the SSLKEYLOGFILE). A
 *	new file gets the default access of its directory (on Windows the
 *	user's profile keeps it private; there are no Unix mode bits to
 *	set), the handle is not inherited by child processes, and anything
 *	but a regular file is left alone. Failures are silent: there is
 *	nobody to report to.
 *
 *----------------------------------------------------------------------
 */

void
TlsPlatformAppendSecret(
    const char *path,
    const char *bytes,
    size_t length)
{
    struct _stat64 st;
    int fd = _open(path, _O_WRONLY | _O_APPEND | _O_CREAT | _O_BINARY
	    | _O_NOINHERIT, _S_IREAD | _S_IWRITE);

    if (fd < 0) {
	return;
    }
    if (_fstat64(fd, &st) == 0 && (st.st_mode & _S_IFMT) == _S_IFREG
	    && _write(fd, bytes, (unsigned int) length) < 0) {
	/* Nothing to report to: the handshake goes on. */
    }
    _close(fd);
}
