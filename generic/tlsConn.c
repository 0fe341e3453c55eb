/*
 * tlsConn.c --
 *
 *	The state machine of one TLS connection: the handshake, and the
 *	read, write and poll wrappers. This is the one place that interprets
 *	SSL_get_error: every OpenSSL call goes through TlsConnCall (clear the
 *	error queue and errno, mark busy, call, capture the result) and one
 *	Classify turns a failure into our state and error. The channel
 *	procedures in tlsChannel.c only translate the results. Creating and
 *	freeing a connection is in tlsConnSetup.c, closing it in tlsClose.c.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"

static int	Classify(TlsConn *connPtr, TlsOp op, int ret,
		    int sslError);

/*
 *----------------------------------------------------------------------
 *
 * TlsConnCall --
 *
 *	The one shape of every OpenSSL call that may do I/O or run
 *	callbacks: clears the error queue (ERR_clear_error only when it
 *	holds something: it empties all its slots, about 800 instructions,
 *	where the look costs a quarter, and a line round trip makes two to
 *	four calls) and the BIO's errno, marks the
 *	connection busy (callbacks that try to use the channel are refused,
 *	TLS_IO_BUSY) for the call (an outer mark stays), makes the call and
 *	classifies a failure at once (Classify).
 *
 * Results:
 *	TLS_IO_DONE when the call succeeded (SSL_shutdown: close_notify
 *	sent), else Classify's result. *retPtr gets OpenSSL's return value
 *	(bytes for reads and writes).
 *
 *----------------------------------------------------------------------
 */

int
TlsConnCall(
    TlsConn *connPtr,
    TlsOp op,
    char *buf,
    int len,
    int *retPtr)
{
    int outer = connPtr->flags & TLS_CONN_BUSY, ret;
    SSL *ssl = connPtr->ssl;

    if (ERR_peek_error() != 0) {
	ERR_clear_error();
    }
    connPtr->ioErrno = 0;
    connPtr->flags |= TLS_CONN_BUSY;
    switch (op) {
    case TLS_OP_HANDSHAKE:
	ret = SSL_do_handshake(ssl);
	break;
    case TLS_OP_READ:
    case TLS_OP_DISCARD:
	ret = SSL_read(ssl, buf, len);
	break;
    case TLS_OP_PEEK:
	ret = SSL_peek(ssl, buf, len);
	break;
    case TLS_OP_WRITE:
	ret = SSL_write(ssl, buf, len);
	break;
    default:
	ret = SSL_shutdown(ssl);
	break;
    }
    connPtr->flags = (connPtr->flags & ~TLS_CONN_BUSY) | outer;
    *retPtr = ret;
    if (ret > 0 || (op == TLS_OP_SHUTDOWN && ret == 0)) {
	return TLS_IO_DONE;
    }
    return Classify(connPtr, op, ret, SSL_get_error(ssl, ret));
}

/*
 *----------------------------------------------------------------------
 *
 * PeerEnded --
 *
 *	The end-of-stream rule: the peer ended the stream when it sent
 *	close_notify, or when the channel below reached its end without a
 *	system error (the connection's ioErrno, set by the BIO: errno may
 *	have been changed by a callback script since).
 *
 *----------------------------------------------------------------------
 */

static int
PeerEnded(
    TlsConn *connPtr,
    int sslError)
{
    return sslError == SSL_ERROR_ZERO_RETURN
	    || (sslError == SSL_ERROR_SYSCALL && connPtr->ioErrno == 0);
}

/*
 *----------------------------------------------------------------------
 *
 * Classify --
 *
 *	Turns a failed call's SSL_get_error code into our state and error:
 *	a call that must wait for the channel below (the handshake notes
 *	which direction); a read that met the end of stream (PeerEnded:
 *	state TLS_PEER_CLOSED); else a failure, recorded with its reason
 *	(tlsError.c) and state TLS_FAILED. A handshake that met the end
 *	of stream is told apart from a reset here. Discarding reads and
 *	shutdown record nothing: whatever stops them ends them.
 *
 * Results:
 *	TLS_IO_AGAIN, TLS_IO_EOF or TLS_IO_ERROR.
 *
 *----------------------------------------------------------------------
 */

static int
Classify(
    TlsConn *connPtr,
    TlsOp op,
    int ret,
    int sslError)
{
    int eof;

    if (sslError == SSL_ERROR_WANT_READ || sslError == SSL_ERROR_WANT_WRITE) {
	if (op == TLS_OP_HANDSHAKE && sslError == SSL_ERROR_WANT_WRITE) {
	    connPtr->flags |= TLS_CONN_WANT_WRITE;
	} else if (op == TLS_OP_HANDSHAKE) {
	    connPtr->flags &= ~TLS_CONN_WANT_WRITE;
	}
	return TLS_IO_AGAIN;
    }
    switch (op) {
    case TLS_OP_DISCARD:
    case TLS_OP_SHUTDOWN:
	ERR_clear_error();
	return TLS_IO_EOF;
    case TLS_OP_HANDSHAKE:
	eof = ret == 0 || PeerEnded(connPtr, sslError);
	if (eof && connPtr->ioErrno == 0 && ERR_peek_error() == 0
		&& TlsBioWasReset(connPtr)) {
	    /* Tcl 8.6's sockets report a reset as an end of file. */
	    connPtr->ioErrno = ECONNRESET;
	    sslError = SSL_ERROR_SYSCALL;
	    eof = 0;
	}
	TlsErrorHandshake(connPtr, sslError, connPtr->ioErrno, eof);
	break;
    case TLS_OP_READ:
    case TLS_OP_PEEK:
	if (PeerEnded(connPtr, sslError)) {
	    connPtr->state = TLS_PEER_CLOSED;
	    return TLS_IO_EOF;
	}
	TlsErrorIO(connPtr, "read", sslError, connPtr->ioErrno);
	break;
    case TLS_OP_WRITE:
	TlsErrorIO(connPtr, "write", sslError, connPtr->ioErrno);
	break;
    }
    connPtr->state = TLS_FAILED;
    return TLS_IO_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * SilentEof --
 *
 *	Whether a server's handshake ended because the client connected
 *	and left without sending a byte (a port probe, a health check, a
 *	client that gave up): no TLS was tried, so reads see a plain end of
 *	file, as on a plain socket, and no error callback is made. Writes
 *	and tls::handshake still report the EOF error.
 *
 *----------------------------------------------------------------------
 */

static int
SilentEof(
    TlsConn *connPtr)
{
    Tcl_Obj *wordObj = NULL;

    if (!(connPtr->flags & TLS_CONN_SERVER)
	    || (connPtr->flags & TLS_CONN_GOT_DATA)
	    || connPtr->errorCode == NULL) {
	return 0;
    }
    /* The failure was classified {TLS HANDSHAKE EOF} (not a reset). */
    Tcl_ListObjIndex(NULL, connPtr->errorCode, 2, &wordObj);
    return wordObj != NULL && strcmp(Tcl_GetString(wordObj), "EOF") == 0;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnExpire --
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
TlsConnExpire(
    TlsConn *connPtr)
{
    if (connPtr->state != TLS_HANDSHAKING) {
	return;
    }
    TlsErrorSetConn(connPtr, Tcl_ObjPrintf("handshake timed out after %d ms",
	    connPtr->timeoutMs), TlsErrorCode("HANDSHAKE", "TIMEOUT",
	    Tcl_NewIntObj(connPtr->timeoutMs)));
    connPtr->state = TLS_FAILED;
    TlsBioAbort(connPtr);
    TlsCallbackError(connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * HandshakeWithin --
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

static int
HandshakeWithin(
    TlsConn *connPtr)
{
    int result, left;

    connPtr->flags |= TLS_CONN_POLLING;
    TlsBioDownBlocking(connPtr, 0);
    while ((result = TlsConnHandshakeStep(connPtr)) == TLS_IO_AGAIN) {
	left = TlsDeadlineLeft(connPtr);
	if (left <= 0 || !TlsConnWait(connPtr, 0, left)) {
	    TlsConnExpire(connPtr);
	    result = TLS_IO_ERROR;
	    break;
	}
    }
    TlsBioDownBlocking(connPtr, 1);
    connPtr->flags &= ~TLS_CONN_POLLING;
    return result;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnHandshake --
 *
 *	Advances the handshake as far as the channel allows. A blocking
 *	channel completes (or fails) in one call, within the handshake time
 *	limit if one runs (HandshakeWithin).
 *
 * Results:
 *	TLS_IO_DONE, TLS_IO_AGAIN (non-blocking, waiting for the peer),
 *	TLS_IO_BUSY (called from a callback of this connection), or
 *	TLS_IO_ERROR with the reason recorded on the connection.
 *
 *----------------------------------------------------------------------
 */

int
TlsConnHandshake(
    TlsConn *connPtr)
{
    if (connPtr->flags & TLS_CONN_BUSY) {
	return TLS_IO_BUSY;
    }
    switch (connPtr->state) {
    case TLS_HANDSHAKING:
	break;
    case TLS_FAILED:
	return TLS_IO_ERROR;
    default:
	return TLS_IO_DONE;
    }
    TlsDeadlineStart(connPtr);
    if (!(connPtr->flags & TLS_CONN_NONBLOCK)
	    && (connPtr->flags & TLS_CONN_CLOCK)) {
	return HandshakeWithin(connPtr);
    }
    return TlsConnHandshakeStep(connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnHandshakeStep --
 *
 *	One call of SSL_do_handshake, in whatever mode the channel below
 *	is, after the session key of a client that was connecting at import
 *	is completed.
 *
 * Results:
 *	As TlsConnHandshake (never TLS_IO_BUSY).
 *
 *----------------------------------------------------------------------
 */

int
TlsConnHandshakeStep(
    TlsConn *connPtr)
{
    int ret, result;

    if (!TlsSessionFinishKey(connPtr)) {
	connPtr->flags |= TLS_CONN_WANT_WRITE;	/* Until connected. */
	return TLS_IO_AGAIN;
    }
    result = TlsConnCall(connPtr, TLS_OP_HANDSHAKE, NULL, 0, &ret);
    if (result == TLS_IO_DONE && TlsSessionResumedWithoutCert(connPtr)) {
	TlsErrorSetConn(connPtr, Tcl_NewStringObj("handshake failed: "
		"a resumed session without a client certificate was "
		"offered where one is required", -1),
		TlsErrorCode("HANDSHAKE", "RESUME", NULL));
	connPtr->state = TLS_FAILED;
	TlsCallbackError(connPtr);
	return TLS_IO_ERROR;
    }
    switch (result) {
    case TLS_IO_DONE:
	connPtr->state = TLS_OPEN;
	connPtr->flags &= ~TLS_CONN_WANT_WRITE;
	TlsSessionKeepRenewed(connPtr);
	TlsConnRest(connPtr);
	return TLS_IO_DONE;
    case TLS_IO_AGAIN:
	return TLS_IO_AGAIN;
    default:
	if (SilentEof(connPtr)) {
	    connPtr->flags |= TLS_CONN_SILENT_EOF;
	} else {
	    TlsCallbackError(connPtr);
	}
	return TLS_IO_ERROR;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * Failed --
 *
 *	Common exit of read and write on a failed connection: the message
 *	goes to the channel's error bypass so Tcl reports it verbatim.
 *
 * Results:
 *	-1, with *errorCodePtr set.
 *
 *----------------------------------------------------------------------
 */

static int
Failed(
    TlsConn *connPtr,
    int *errorCodePtr)
{
    if (connPtr->errorObj != NULL) {
	TlsErrorBypass(connPtr, connPtr->errorObj, connPtr->errorCode);
    }
    *errorCodePtr = ECONNABORTED;
    return -1;
}

/*
 *----------------------------------------------------------------------
 *
 * Start --
 *
 *	Makes sure the handshake is done before application data moves.
 *
 * Results:
 *	TLS_IO_DONE to go on, otherwise the value read/write must return,
 *	with *errorCodePtr set.
 *
 *----------------------------------------------------------------------
 */

static int
Start(
    TlsConn *connPtr,
    int forRead,
    int *resultPtr,
    int *errorCodePtr)
{
    switch (TlsConnHandshake(connPtr)) {
    case TLS_IO_DONE:
	return TLS_IO_DONE;
    case TLS_IO_AGAIN:
	*errorCodePtr = EAGAIN;
	*resultPtr = -1;
	return TLS_IO_AGAIN;
    case TLS_IO_BUSY:
	TlsErrorBusy(NULL, connPtr);
	*errorCodePtr = EBUSY;
	*resultPtr = -1;
	return TLS_IO_BUSY;
    default:
	if (forRead && (connPtr->flags & TLS_CONN_SILENT_EOF)) {
	    *resultPtr = 0;		/* A plain end of file. */
	    return TLS_IO_ERROR;
	}
	*resultPtr = Failed(connPtr, errorCodePtr);
	return TLS_IO_ERROR;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * ReadMore --
 *
 *	After a successful read: takes the data of further records that are
 *	already here (decrypted, or read ahead from below) into the rest of
 *	the buffer, without waiting for more. A peer that sends many small
 *	records (a writer with a tiny -buffersize) then costs one read and
 *	one event per buffer, not per record. Whatever stops it (no more
 *	data, EOF, an error) is left for the next read to see. Ciphertext
 *	read ahead is only used on a non-blocking channel: it may end in a
 *	partial record, whose rest a blocking channel would wait for.
 *
 * Results:
 *	Bytes added to buf.
 *
 *----------------------------------------------------------------------
 */

static int
ReadMore(
    TlsConn *connPtr,
    char *buf,
    int room)
{
    int got = 0, n;

    while (got < room && (SSL_pending(connPtr->ssl) > 0
	    || ((connPtr->flags & TLS_CONN_NONBLOCK)
		&& connPtr->inEnd > connPtr->inStart))) {
	if (TlsConnCall(connPtr, TLS_OP_READ, buf + got, room - got, &n)
		!= TLS_IO_DONE) {
	    break;			/* The next read tells. */
	}
	got += n;
    }
    return got;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnRead --
 *
 *	Reads decrypted application data (the channel's input procedure),
 *	or plain text once tls::unimport has ended TLS while the layer
 *	waits to come off (TLS_CONN_UNSTACK_IDLE).
 *
 * Results:
 *	Bytes read, 0 at end of stream, or -1 with *errorCodePtr (EAGAIN
 *	when a non-blocking channel has nothing yet).
 *
 *----------------------------------------------------------------------
 */

int
TlsConnRead(
    TlsConn *connPtr,
    char *buf,
    int toRead,
    int *errorCodePtr)
{
    int n, result;

    *errorCodePtr = 0;
    connPtr->flags &= ~TLS_CONN_RESTED;	/* Tcl is filling its buffer. */
    if (connPtr->flags & TLS_CONN_UNIMPORTING) {
	*errorCodePtr = EAGAIN;		/* Plain data comes after. */
	return -1;
    }
    if (connPtr->flags & TLS_CONN_UNSTACK_IDLE) {
	/* TLS is over; the layer waits to come off (tlsChannel.c). */
	n = TlsBioReadPlain(connPtr, buf, toRead, errorCodePtr);
	if (n > 0) {
	    connPtr->flags |= TLS_CONN_TCL_INPUT;
	}
	return n;
    }
    if (Start(connPtr, 1, &result, errorCodePtr) != TLS_IO_DONE) {
	return result;
    }
    if (connPtr->state == TLS_PEER_CLOSED) {
	return 0;
    }
    switch (TlsConnCall(connPtr, TLS_OP_READ, buf, toRead, &n)) {
    case TLS_IO_DONE:
	n += ReadMore(connPtr, buf + n, toRead - n);
	if (n < toRead) {
	    TlsConnRest(connPtr);	/* The peer paused: a message. */
	    if (!(connPtr->flags & TLS_CONN_NONBLOCK)) {
		connPtr->flags |= TLS_CONN_RESTED;	/* TlsWatchProc */
	    }
	}
	return n;
    case TLS_IO_AGAIN:
	*errorCodePtr = EAGAIN;
	return -1;
    case TLS_IO_EOF:
	return 0;
    default:
	return Failed(connPtr, errorCodePtr);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnRest --
 *
 *	A blocking channel gives back its read buffers (TlsBioRelease) when
 *	the handshake is over or a read did not fill the caller's buffer
 *	(the peer sent a message and paused): such a channel may never
 *	reach the idle-time trim of the event loop (TlsTrimProc), and a
 *	client holding connections would keep 36 KiB of read-ahead and
 *	OpenSSL's 16 KiB read buffer per connection. A read that fills the
 *	buffer (bulk data) keeps them. Non-blocking channels are trimmed
 *	by the quiet-time timer only (TlsTrimProc), so that a busy event
 *	loop does not allocate the buffers again for every message.
 *
 *----------------------------------------------------------------------
 */

void
TlsConnRest(
    TlsConn *connPtr)
{
    if (!(connPtr->flags & TLS_CONN_NONBLOCK)
	    && SSL_pending(connPtr->ssl) == 0) {
	TlsBioRelease(connPtr);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnWrite --
 *
 *	Encrypts and sends application data (the channel's output
 *	procedure). Partial writes are allowed, so each call sends at
 *	least one record's worth or nothing.
 *
 * Results:
 *	Bytes accepted, or -1 with *errorCodePtr.
 *
 *----------------------------------------------------------------------
 */

int
TlsConnWrite(
    TlsConn *connPtr,
    const char *buf,
    int toWrite,
    int *errorCodePtr)
{
    int n, result;

    *errorCodePtr = 0;
    if (toWrite <= 0) {
	return 0;
    }
    if ((connPtr->flags & TLS_CONN_UNSTACK_IDLE) || (connPtr->state
	    == TLS_SHUT_DOWN && (connPtr->flags & TLS_CONN_UNIMPORTING))) {
	/*
	 * tls::unimport has sent our close_notify: what the script
	 * writes now is plain text.
	 */
	Tcl_Size n = Tcl_WriteRaw(connPtr->down, buf, toWrite);

	if (n < 0 || (n == 0 && toWrite > 0)) {
	    *errorCodePtr = n < 0 ? Tcl_GetErrno() : EAGAIN;
	    return -1;
	}
	return (int) n;
    }
    if (Start(connPtr, 0, &result, errorCodePtr) != TLS_IO_DONE) {
	return result;
    }
    if (connPtr->state == TLS_SHUT_DOWN) {
	*errorCodePtr = EPIPE;
	return -1;
    }
    if ((connPtr->flags & (TLS_CONN_SERVER | TLS_CONN_TICKETS))
	    == TLS_CONN_SERVER) {
	/* One TLS 1.3 ticket, in the same flight as the first reply. */
	connPtr->flags |= TLS_CONN_TICKETS;
	if (SSL_version(connPtr->ssl) == TLS1_3_VERSION
		&& !(SSL_get_options(connPtr->ssl) & SSL_OP_NO_TICKET)) {
	    SSL_new_session_ticket(connPtr->ssl);
	}
    }
    switch (TlsConnCall(connPtr, TLS_OP_WRITE, (char *) buf, toWrite, &n)) {
    case TLS_IO_DONE:
	return n;
    case TLS_IO_AGAIN:
	*errorCodePtr = EAGAIN;
	return -1;
    default:
	return Failed(connPtr, errorCodePtr);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnBuffered --
 *
 *	Whether decrypted bytes or unread ciphertext wait inside the TLS
 *	layer, where the channel below cannot signal them.
 *
 *----------------------------------------------------------------------
 */

int
TlsConnBuffered(
    TlsConn *connPtr)
{
    return SSL_pending(connPtr->ssl) > 0
	    || connPtr->inEnd > connPtr->inStart;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnReadable --
 *
 *	Whether a read would now return something: application data, end
 *	of stream or an error. Records that carry only handshake messages
 *	or session tickets are consumed here and do not count. Never
 *	blocks, whatever the channel's mode.
 *
 * Results:
 *	1 or 0.
 *
 *----------------------------------------------------------------------
 */

int
TlsConnReadable(
    TlsConn *connPtr)
{
    int n, result;
    char c;

    if (connPtr->flags & TLS_CONN_BUSY) {
	return 0;	/* Asked from a callback: known afterwards. */
    }
    switch (connPtr->state) {
    case TLS_OPEN:
	break;
    case TLS_HANDSHAKING:
	return 0;
    default:
	return 1;	/* EOF or error: the script must see it. */
    }
    if (SSL_pending(connPtr->ssl) > 0) {
	return 1;
    }
    if (!(connPtr->flags & TLS_CONN_NONBLOCK)) {
	TlsBioDownBlocking(connPtr, 0);
    }
    result = TlsConnCall(connPtr, TLS_OP_PEEK, &c, 1, &n);
    if (!(connPtr->flags & TLS_CONN_NONBLOCK)) {
	TlsBioDownBlocking(connPtr, 1);
    }
    return result != TLS_IO_AGAIN;	/* Data, EOF or error. */
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnWait --
 *
 *	Waits at most ms milliseconds until the channel below can make
 *	progress for us: for the events given (TCL_READABLE, TCL_WRITABLE),
 *	or with 0, writable, or readable while the handshake waits for the
 *	peer.
 *
 * Results:
 *	1 if it may make progress now, 0 on timeout.
 *
 *----------------------------------------------------------------------
 */

int
TlsConnWait(
    TlsConn *connPtr,
    int events,
    int ms)
{
    if (events == 0) {
	events = (connPtr->state == TLS_HANDSHAKING
		&& !(connPtr->flags & TLS_CONN_WANT_WRITE))
		? TCL_READABLE : TCL_WRITABLE;
    }
    return TlsBioWait(connPtr, events, ms);
}
