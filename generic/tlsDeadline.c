/*
 * tlsDeadline.c --
 *
 *	The handshake time limit (-timeout): a deadline, not an idle timer,
 *	so a peer that trickles one byte a second does not extend it. It
 *	starts when the handshake can first make progress: at tls::import
 *	for a server or a non-blocking channel (the event loop drives them),
 *	else at the first read, write, flush or tls::handshake. A blocking
 *	handshake waits with the channel below non-blocking and poll()
 *	bounded by what is left; for the others a timer of tlsChannel.c
 *	fires when it ends. Either way the handshake then fails with {TLS
 *	HANDSHAKE TIMEOUT ms} and the TCP connection is ended towards the
 *	peer (tlsConn.c: HandshakeWithin, TlsConnExpire). This file keeps
 *	the clock: when the deadline is, and what is left of a wait.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include <limits.h>

/*
 *----------------------------------------------------------------------
 *
 * TlsElapsedMs --
 *
 *	Milliseconds since *startPtr (from Tcl_GetTime).
 *
 *----------------------------------------------------------------------
 */

int
TlsElapsedMs(
    const Tcl_Time *startPtr)
{
    Tcl_Time now;

    Tcl_GetTime(&now);
    return (int) ((now.sec - startPtr->sec) * 1000
	    + (now.usec - startPtr->usec) / 1000);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsTimeLeft --
 *
 *	What is left of a wait of ms milliseconds begun at *startPtr.
 *
 * Results:
 *	-1 when ms is 0 or less (no limit), else the milliseconds left,
 *	0 once the time is up.
 *
 *----------------------------------------------------------------------
 */

int
TlsTimeLeft(
    const Tcl_Time *startPtr,
    int ms)
{
    int left;

    if (ms <= 0) {
	return -1;
    }
    left = ms - TlsElapsedMs(startPtr);
    return left > 0 ? left : 0;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsDeadlineStart --
 *
 *	Starts the clock of a handshake that has a time limit, once.
 *
 *----------------------------------------------------------------------
 */

void
TlsDeadlineStart(
    TlsConn *connPtr)
{
    if (connPtr->timeoutMs <= 0 || (connPtr->flags & TLS_CONN_CLOCK)
	    || connPtr->state != TLS_HANDSHAKING) {
	return;
    }
    connPtr->flags |= TLS_CONN_CLOCK;
    Tcl_GetTime(&connPtr->deadline);
    connPtr->deadline.sec += connPtr->timeoutMs / 1000;
    connPtr->deadline.usec += (connPtr->timeoutMs % 1000) * 1000;
    if (connPtr->deadline.usec >= 1000000) {
	connPtr->deadline.sec++;
	connPtr->deadline.usec -= 1000000;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * TlsDeadlineLeft --
 *
 *	Milliseconds left before the handshake deadline.
 *
 * Results:
 *	The time left (0 or less once over), or INT_MAX without a clock.
 *
 *----------------------------------------------------------------------
 */

int
TlsDeadlineLeft(
    TlsConn *connPtr)
{
    if (!(connPtr->flags & TLS_CONN_CLOCK)) {
	return INT_MAX;
    }
    return -TlsElapsedMs(&connPtr->deadline);
}
