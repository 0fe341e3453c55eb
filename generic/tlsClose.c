/*
 * tlsClose.c --
 *
 *	Ending a TLS connection: sending close_notify, reading the peer's
 *	(tls::unimport, at once or step by step for a non-blocking channel)
 *	and consuming what the peer sent before a close, so the socket ends
 *	with a FIN. Every OpenSSL call goes through tlsConn.c's TlsConnCall.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"

/*
 *----------------------------------------------------------------------
 *
 * ReadToCloseNotify --
 *
 *	Reads and discards what the peer sent, without waiting, until its
 *	close_notify (application data still in flight is dropped). At
 *	close it also consumes what the peer already sent (typically TLS
 *	1.3 session tickets the script never had reason to read): closing a
 *	TCP socket with unread input makes the kernel send a reset instead
 *	of a FIN, and a reset makes the peer's kernel throw away data its
 *	application has not read yet (the last part of an upload).
 *
 * Results:
 *	1 when the close_notify came, or the connection ended otherwise;
 *	0 when more must be waited for.
 *
 *----------------------------------------------------------------------
 */

static int
ReadToCloseNotify(
    TlsConn *connPtr)
{
    char scratch[4096];
    int i, n, result;

    for (i = 0; i < 256; i++) {
	if (SSL_get_shutdown(connPtr->ssl) & SSL_RECEIVED_SHUTDOWN) {
	    return 1;
	}
	result = TlsConnCall(connPtr, TLS_OP_DISCARD, scratch,
		(int) sizeof(scratch), &n);
	if (result != TLS_IO_DONE) {
	    return result != TLS_IO_AGAIN;
	}
    }
    return 0;
}

/*
 *----------------------------------------------------------------------
 *
 * AwaitPeerClose --
 *
 *	For tls::unimport: reads until the peer's close_notify arrives, so
 *	none of its TLS bytes are left for the plain channel, for at most
 *	ms milliseconds (0: no limit). Application data still in flight is
 *	discarded. The channel below is non-blocking here.
 *
 * Results:
 *	1 when the close_notify came (or the connection ended otherwise),
 *	0 when the time ran out first.
 *
 *----------------------------------------------------------------------
 */

static int
AwaitPeerClose(
    TlsConn *connPtr,
    int ms)
{
    Tcl_Time start;
    int left;

    Tcl_GetTime(&start);
    while (!ReadToCloseNotify(connPtr)) {
	left = TlsTimeLeft(&start, ms);
	if (left == 0 || !TlsBioWait(connPtr, TCL_READABLE, left)) {
	    return 0;
	}
    }
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnShutdown --
 *
 *	Sends close_notify, never blocking: the channel below is made
 *	non-blocking for the call. With waitMs 0 or more (tls::unimport) it
 *	also consumes the peer's close_notify, within waitMs milliseconds
 *	(0: no limit); with -1 (close) it does not wait. A
 *	connection closed before or after a failed handshake sends nothing
 *	but discards the input waiting below (TlsBioDiscardRaw). Nothing is
 *	done while OpenSSL runs for the connection (a callback closes its
 *	channel): OpenSSL must not be entered again.
 *
 * Results:
 *	0 when the wait for the peer's close_notify timed out, else 1.
 *
 * Side effects:
 *	The state becomes TLS_SHUT_DOWN when the connection was up.
 *
 *----------------------------------------------------------------------
 */

int
TlsConnShutdown(
    TlsConn *connPtr,
    int waitMs)
{
    int blocking = !(connPtr->flags & TLS_CONN_NONBLOCK), done = 1, ret;

    if (connPtr->flags & TLS_CONN_BUSY) {
	return 1;
    }
    if (connPtr->state != TLS_OPEN && connPtr->state != TLS_PEER_CLOSED) {
	if (waitMs < 0 && connPtr->down != NULL
		&& (connPtr->state == TLS_FAILED
		    || connPtr->state == TLS_HANDSHAKING)) {
	    if (blocking) {
		TlsBioDownBlocking(connPtr, 0);
	    }
	    TlsBioDiscardRaw(connPtr);
	    if (blocking) {
		TlsBioDownBlocking(connPtr, 1);
	    }
	}
	return 1;
    }
    if (blocking) {
	TlsBioDownBlocking(connPtr, 0);
    }
    connPtr->flags |= TLS_CONN_BUSY;
    if (TlsConnCall(connPtr, TLS_OP_SHUTDOWN, NULL, 0, &ret) != TLS_IO_DONE) {
	/* Retry once: the alert may have been stuck behind a full buffer. */
	TlsConnCall(connPtr, TLS_OP_SHUTDOWN, NULL, 0, &ret);
    }
    if (waitMs >= 0) {
	done = AwaitPeerClose(connPtr, waitMs);
    } else {
	(void) ReadToCloseNotify(connPtr);
    }
    connPtr->flags &= ~TLS_CONN_BUSY;
    if (blocking) {
	TlsBioDownBlocking(connPtr, 1);
    }
    connPtr->state = TLS_SHUT_DOWN;
    return done;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnCloseStep --
 *
 *	One non-blocking step of a deferred tls::unimport: sends
 *	close_notify if it has not gone yet, then reads (and discards) what
 *	the peer sent until its close_notify.
 *
 * Results:
 *	1 when there is nothing more to wait for (the peer's close_notify
 *	came, the connection ended, or there was no TLS session to close),
 *	0 to be called again when the channel below is readable.
 *
 *----------------------------------------------------------------------
 */

int
TlsConnCloseStep(
    TlsConn *connPtr)
{
    int ret, done;

    if (connPtr->state == TLS_OPEN || connPtr->state == TLS_PEER_CLOSED) {
	TlsConnCall(connPtr, TLS_OP_SHUTDOWN, NULL, 0, &ret);
	connPtr->state = TLS_SHUT_DOWN;
    } else if (connPtr->state != TLS_SHUT_DOWN) {
	return 1;			/* No session: nothing to close. */
    }
    connPtr->flags |= TLS_CONN_BUSY;
    done = ReadToCloseNotify(connPtr);
    connPtr->flags &= ~TLS_CONN_BUSY;
    return done;
}
