/*
 * tlsDeadline.c --
 *
 *	The handshake time limit (-timeout): a deadline, not an idle timer,
 *	so a peer that trickles one byte a second does not extend it. It
 *	starts when the handshake can first make progress: at tls::import
 *	for a server or a non-blocking channel (the event loop drives them),
 *	else at the first read, write, flush or tls::handshake. A blocking
 *	handshake waits with the channel below non-blocking and poll()
 *	bounded by what is left (TlsDeadlineHandshake); for the others a
 *	timer of tlsChannel.c calls TlsDeadlineExpire when it ends. Either
 *	way the handshake then fails with {TLS HANDSHAKE TIMEOUT ms} and the
 *	TCP connection is ended towards the peer.
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

/*
 *----------------------------------------------------------------------
 *
 * TlsDeadlineExpire --
 *
 *	The deadline has passed: a handshake still under way fails with
 *	"handshake timed out after N ms" ({TLS HANDSHAKE TIMEOUT N}), the
 *	connection is ended towards the peer, and the error callback hears
 *	of it once. The channel stays open for the script to close, its
 *	error sticky like that of any failed handshake.
 *
 *----------------------------------------------------------------------
 */

void
TlsDeadlineExpire(
    TlsConn *connPtr)
{
    if (connPtr->state != TLS_HANDSHAKING) {
	return;
    }
    TlsErrorSetConn(connPtr, Tcl_ObjPrintf("handshake timed out after %d ms",
	    connPtr->timeoutMs), TlsErrorCode("HANDSHAKE", "TIMEOUT",
	    Tcl_NewIntObj(connPtr->timeoutMs)));
    connPtr->state = TLS_FAILED;
    TlsConnAbortSocket(connPtr);
    TlsCallbackError(connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsDeadlineHandshake --
 *
 *	A blocking handshake with a time limit: steps with the channel
 *	below non-blocking, waiting in between for the direction OpenSSL
 *	needs, at most for the time left. A socket still connecting (a
 *	tls::socket with -timeout connects in the background) is waited
 *	for the same way.
 *
 * Results:
 *	TLS_IO_DONE or TLS_IO_ERROR (the reason recorded, TIMEOUT when the
 *	deadline passed).
 *
 *----------------------------------------------------------------------
 */

int
TlsDeadlineHandshake(
    TlsConn *connPtr)
{
    int result, left;

    connPtr->flags |= TLS_CONN_POLLING;
    TlsBioDownBlocking(connPtr, 0);
    while ((result = TlsConnHandshakeStep(connPtr)) == TLS_IO_AGAIN) {
	left = TlsDeadlineLeft(connPtr);
	if (left <= 0 || !TlsConnWait(connPtr, 0, left)) {
	    TlsDeadlineExpire(connPtr);
	    result = TLS_IO_ERROR;
	    break;
	}
    }
    TlsBioDownBlocking(connPtr, 1);
    connPtr->flags &= ~TLS_CONN_POLLING;
    return result;
}
