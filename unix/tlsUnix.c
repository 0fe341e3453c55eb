/*
 * tlsUnix.c --
 *
 *	The platform services of tlsPlatform.h for POSIX systems: waiting on
 *	a descriptor, TCP tuning and state, the peer's numeric address, and
 *	the append-only key-log file. A handle is a file descriptor stored
 *	in a pointer, as Tcl's Unix channels give it.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include "tlsPlatform.h"
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define FD(handle) ((int) (intptr_t) (handle))

/*
 *----------------------------------------------------------------------
 *
 * TlsPlatformWait --
 *
 *	Waits at most ms milliseconds (-1: no limit) for a descriptor to
 *	become readable (TLS_WAIT_READ) or writable (TLS_WAIT_WRITE).
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
    struct pollfd pfd;

    pfd.fd = FD(handle);
    pfd.events = (short) (((events & TLS_WAIT_READ) ? POLLIN : 0)
	    | ((events & TLS_WAIT_WRITE) ? POLLOUT : 0));
    pfd.revents = 0;
    return poll(&pfd, 1, ms) != 0;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsPlatformNoDelay, TlsPlatformSetNoDelay --
 *
 *	TlsPlatformNoDelay turns off Nagle's algorithm if the descriptor is
 *	a TCP socket (IPv4 or IPv6) and does nothing for anything else.
 *	TlsPlatformSetNoDelay turns it on (on 0) or off (on 1) on a
 *	descriptor known to be a TCP socket; turning it off also sends at
 *	once what it held back.
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
    socklen_t len = sizeof(addr), typeLen;
    int type = 0, on = 1;

    typeLen = sizeof(type);
    if (getsockopt(FD(handle), SOL_SOCKET, SO_TYPE, &type, &typeLen) != 0
	    || type != SOCK_STREAM
	    || getsockname(FD(handle), (struct sockaddr *) &addr, &len) != 0
	    || (addr.ss_family != AF_INET && addr.ss_family != AF_INET6)) {
	return 0;
    }
    (void) setsockopt(FD(handle), IPPROTO_TCP, TCP_NODELAY, &on,
	    sizeof(on));
    return 1;
}

void
TlsPlatformSetNoDelay(
    void *handle,
    int on)
{
    (void) setsockopt(FD(handle), IPPROTO_TCP, TCP_NODELAY, &on,
	    sizeof(on));
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
    socklen_t len = sizeof(addr);
    char host[NI_MAXHOST], serv[NI_MAXSERV];

    if (getpeername(FD(handle), (struct sockaddr *) &addr, &len) != 0) {
	return errno == ENOTSOCK ? -1 : 0;
    }
    if (getnameinfo((struct sockaddr *) &addr, len, host, sizeof(host),
	    serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
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
 *	Whether the peer reset the TCP connection. Tcl 8.6's sockets turn
 *	ECONNRESET into an end of file; the kernel's state of the connection
 *	(closed after a reset, close-wait after a FIN) tells them apart.
 *	Where TCP_INFO is missing (not Linux) the answer is 0.
 *
 *----------------------------------------------------------------------
 */

int
TlsPlatformWasReset(
    void *handle)
{
#ifdef TCP_INFO
    struct tcp_info info;
    socklen_t len = sizeof(info);

    if (getsockopt(FD(handle), IPPROTO_TCP, TCP_INFO, &info, &len) != 0) {
	return 0;
    }
    return info.tcpi_state == TCP_CLOSE;
#else
    (void) handle;
    return 0;
#endif
}

/*
 *----------------------------------------------------------------------
 *
 * TlsPlatformShutdown --
 *
 *	Ends a socket's connection in both directions (the peer sees the
 *	end at once) while the descriptor stays open for its channel.
 *
 *----------------------------------------------------------------------
 */

void
TlsPlatformShutdown(
    void *handle)
{
    (void) shutdown(FD(handle), SHUT_RDWR);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsPlatformAppendSecret --
 *
 *	Appends bytes to a file that holds secrets (the SSLKEYLOGFILE): it
 *	is created readable by its owner only, an existing file that group
 *	or others may read is made so (or not written when that fails), a
 *	symbolic link is not followed, and anything but a regular file is
 *	left alone. Failures are silent: there is nobody to report to.
 *
 *----------------------------------------------------------------------
 */

void
TlsPlatformAppendSecret(
    const char *path,
    const char *bytes,
    size_t length)
{
    struct stat st;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC
	    | O_NOFOLLOW, 0600);

    if (fd < 0) {
	return;
    }
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)
	    && (!(st.st_mode & 077) || fchmod(fd, st.st_mode & 0700) == 0)
	    && write(fd, bytes, length) < 0) {
	/* Nothing to report to: the handshake goes on. */
    }
    close(fd);
}
