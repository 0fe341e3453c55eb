/*
 * tlsConn.c --
 *
 *	One TLS connection over one channel: creation from a context and
 *	options, the handshake, and the read, write, poll and shutdown
 *	wrappers. This is the one place that interprets SSL_get_error; the
 *	channel procedures in tlsChannel.c only translate the results.
 *
 *	Every OpenSSL call site has the same shape: clear the error queue,
 *	call, capture SSL_get_error and errno at once, then decide.
 */

#include "tlsInt.h"
#include "tlsPlatform.h"
#include <openssl/evp.h>


/*
 *----------------------------------------------------------------------
 *
 * TlsIsIpAddress --
 *
 *	Whether a host name is an IPv4 or IPv6 literal: those are checked
 *	against the certificate's IP addresses and never sent as SNI.
 *
 *----------------------------------------------------------------------
 */

int
TlsIsIpAddress(
    const char *host)
{
    ASN1_OCTET_STRING *addr = a2i_IPADDRESS(host);

    if (addr == NULL) {
	return 0;
    }
    ASN1_OCTET_STRING_free(addr);
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * SetupPeerCheck --
 *
 *	Sets how the peer is verified: the verify mode from -request and
 *	-require (role defaults: a client requires, a server does not ask),
 *	and for a client the name the certificate must carry plus SNI.
 *
 *----------------------------------------------------------------------
 */

static void
SetupPeerCheck(
    TlsConn *connPtr,
    const TlsConfig *cfgPtr)
{
    int server = cfgPtr->server;
    int request = cfgPtr->request;
    int require = cfgPtr->require;
    int mode = SSL_VERIFY_NONE;

    if (request < 0) {
	request = server ? (require == 1) : 1;
    }
    if (require < 0) {
	require = server ? 0 : request;
    }
    if (request) {
	mode = SSL_VERIFY_PEER;
	if (require && server) {
	    mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	}
    }
    if (require) {
	connPtr->flags |= TLS_CONN_REQUIRE;
    }
    SSL_set_verify(connPtr->ssl, mode, TlsVerifyCallback);

    if (!server && cfgPtr->serverName != NULL) {
	const char *name = Tcl_GetString(cfgPtr->serverName);

	if (TlsIsIpAddress(name)) {
	    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(connPtr->ssl),
		    name);
	} else {
	    SSL_set_tlsext_host_name(connPtr->ssl, name);
	    SSL_set1_host(connPtr->ssl, name);
	    /* "f*.example.com" matches nothing, as in browsers. */
	    SSL_set_hostflags(connPtr->ssl,
		    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	}
    }
}

/*
 * The connections whose callbacks run in one interpreter, reached from the
 * interpreter's assoc data: one registration per interpreter, so that
 * opening and closing a connection costs the same however many are open
 * (one Tcl_CallWhenDeleted per connection made each close scan them all).
 */

#define TLS_INTERP_KEY "tls::connections"

typedef struct InterpConns {
    TlsConn *firstPtr;		/* Linked through interpNextPtr. */
} InterpConns;

/*
 *----------------------------------------------------------------------
 *
 * InterpGone --
 *
 *	The interpreter callbacks run in is being deleted (its channels may
 *	live on in another interpreter): none of its connections calls back
 *	any more.
 *
 *----------------------------------------------------------------------
 */

static void
InterpGone(
    void *clientData,
    TCL_UNUSED(Tcl_Interp *))
{
    InterpConns *listPtr = (InterpConns *) clientData;
    TlsConn *connPtr, *nextPtr;

    for (connPtr = listPtr->firstPtr; connPtr != NULL; connPtr = nextPtr) {
	nextPtr = connPtr->interpNextPtr;
	connPtr->interp = NULL;
	connPtr->interpNextPtr = NULL;
	connPtr->interpLinkPtrPtr = NULL;
    }
    ckfree(listPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * AttachInterp --
 *
 *	Makes interp the one the connection's callbacks run in, and puts the
 *	connection on that interpreter's list (created on first use).
 *
 *----------------------------------------------------------------------
 */

static void
AttachInterp(
    TlsConn *connPtr,
    Tcl_Interp *interp)
{
    InterpConns *listPtr = (InterpConns *)
	    Tcl_GetAssocData(interp, TLS_INTERP_KEY, NULL);

    if (listPtr == NULL) {
	listPtr = (InterpConns *) ckalloc(sizeof(InterpConns));
	listPtr->firstPtr = NULL;
	Tcl_SetAssocData(interp, TLS_INTERP_KEY, InterpGone, listPtr);
    }
    connPtr->interp = interp;
    connPtr->interpNextPtr = listPtr->firstPtr;
    if (connPtr->interpNextPtr != NULL) {
	connPtr->interpNextPtr->interpLinkPtrPtr = &connPtr->interpNextPtr;
    }
    listPtr->firstPtr = connPtr;
    connPtr->interpLinkPtrPtr = &listPtr->firstPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnForgetInterp --
 *
 *	No more callbacks for this connection: it is freed, or its channel
 *	moves to another thread, whose interpreters are not ours to call.
 *	Takes it off its interpreter's list in constant time.
 *
 *----------------------------------------------------------------------
 */

void
TlsConnForgetInterp(
    TlsConn *connPtr)
{
    if (connPtr->interpLinkPtrPtr != NULL) {
	*connPtr->interpLinkPtrPtr = connPtr->interpNextPtr;
	if (connPtr->interpNextPtr != NULL) {
	    connPtr->interpNextPtr->interpLinkPtrPtr =
		    connPtr->interpLinkPtrPtr;
	}
	connPtr->interpNextPtr = NULL;
	connPtr->interpLinkPtrPtr = NULL;
    }
    connPtr->interp = NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnNew --
 *
 *	Creates the connection state for a channel about to be stacked.
 *
 * Results:
 *	The new connection, or NULL with an error in interp.
 *
 * Side effects:
 *	Takes one reference to ctxPtr (released by TlsConnFree), to the
 *	-command object of the configuration and to options (a server's
 *	import options as given, kept for the sni callback; NULL for a
 *	client, which keeps no secret such as -key bytes once its context
 *	is built).
 *
 *----------------------------------------------------------------------
 */

TlsConn *
TlsConnNew(
    Tcl_Interp *interp,
    Tcl_Channel down,
    TlsContext *ctxPtr,
    const TlsConfig *cfgPtr,
    Tcl_Obj *options)
{
    TlsConn *connPtr = (TlsConn *) ckalloc(sizeof(TlsConn));
    BIO *bio;

    memset(connPtr, 0, sizeof(TlsConn));
    connPtr->down = down;
    AttachInterp(connPtr, interp);
    connPtr->state = TLS_HANDSHAKING;
    connPtr->timeoutMs = cfgPtr->timeout >= 0 ? cfgPtr->timeout
	    : cfgPtr->server ? TLS_SERVER_TIMEOUT : 0;
    connPtr->ctxPtr = ctxPtr;
    TlsContextRetain(ctxPtr);
    if (cfgPtr->command != NULL) {
	connPtr->command = cfgPtr->command;
	Tcl_IncrRefCount(connPtr->command);
    }
    if (options != NULL) {
	connPtr->options = options;
	Tcl_IncrRefCount(options);
    }

    ERR_clear_error();
    connPtr->ssl = SSL_new(ctxPtr->ctx);
    bio = connPtr->ssl ? TlsBioNew(connPtr) : NULL;
    if (bio == NULL) {
	TlsErrorOpenSSL(interp, "cannot create TLS connection", "CONTEXT",
		NULL);
	TlsConnFree(connPtr);
	return NULL;
    }
    SSL_set_bio(connPtr->ssl, bio, bio);	/* The SSL owns the BIO. */
    SSL_set_ex_data(connPtr->ssl, TlsExIndex(), connPtr);
    if (cfgPtr->server) {
	connPtr->flags |= TLS_CONN_SERVER;
	SSL_set_accept_state(connPtr->ssl);
    } else {
	SSL_set_connect_state(connPtr->ssl);
	if (cfgPtr->postHandshake) {
	    SSL_set_post_handshake_auth(connPtr->ssl, 1);
	}
    }
    SetupPeerCheck(connPtr, cfgPtr);
    if (TlsSessionSetup(interp, connPtr, cfgPtr) != TCL_OK) {
	TlsConnFree(connPtr);
	return NULL;
    }
    if (connPtr->command != NULL) {
	SSL_set_info_callback(connPtr->ssl, TlsInfoCallback);
    }
    if (cfgPtr->alpn != NULL) {
	TlsAlpnWire(cfgPtr->alpn, &connPtr->alpnWire, &connPtr->alpnLen);
	if (!cfgPtr->server && connPtr->alpnLen > 0) {
	    SSL_set_alpn_protos(connPtr->ssl, connPtr->alpnWire,
		    connPtr->alpnLen);
	}
    }
    return connPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnTuneSocket --
 *
 *	Turns off Nagle's algorithm when the channel below is a TCP socket.
 *	TLS sends whole records (Tcl buffers the plaintext), but a TLS 1.3
 *	server writes its session tickets as separate small records right
 *	after the handshake: with Nagle, the first reply then waits for the
 *	client's delayed ACK (about 40 ms).
 *
 *----------------------------------------------------------------------
 */

void
TlsConnTuneSocket(
    TlsConn *connPtr)
{
    void *handle;

    if (TlsBioDownHandle(connPtr, TCL_READABLE, &handle) == TCL_OK) {
	TlsPlatformNoDelay(handle);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnWasReset --
 *
 *	Whether the TCP connection below was reset by the peer. Tcl 8.6's
 *	sockets turn ECONNRESET into an end of file; the kernel's state of
 *	the connection (closed after a reset, close-wait after a FIN) tells
 *	them apart.
 *
 *----------------------------------------------------------------------
 */

int
TlsConnWasReset(
    TlsConn *connPtr)
{
    void *handle;

    return TlsBioDownHandle(connPtr, TCL_READABLE, &handle) == TCL_OK
	    && TlsPlatformWasReset(handle);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnAbortSocket --
 *
 *	Ends the TCP connection below towards the peer (both directions),
 *	for a handshake given up: the peer sees the end at once, while the
 *	descriptor stays with the channel until the script closes it.
 *
 *----------------------------------------------------------------------
 */

void
TlsConnAbortSocket(
    TlsConn *connPtr)
{
    void *handle;

    if (TlsBioDownHandle(connPtr, TCL_READABLE, &handle) == TCL_OK) {
	TlsPlatformShutdown(handle);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnFree --
 *
 *	Frees a connection and everything it owns.
 *
 *----------------------------------------------------------------------
 */

void
TlsConnFree(
    TlsConn *connPtr)
{
    if (connPtr->ssl != NULL) {
	SSL_free(connPtr->ssl);		/* Frees the BIO too. */
    }
    if (connPtr->ctxPtr != NULL) {
	TlsContextRelease(connPtr->ctxPtr);
    }
    if (connPtr->command != NULL) {
	Tcl_DecrRefCount(connPtr->command);
    }
    if (connPtr->errorObj != NULL) {
	Tcl_DecrRefCount(connPtr->errorObj);
	Tcl_DecrRefCount(connPtr->errorCode);
    }
    if (connPtr->cbError != NULL) {
	Tcl_DecrRefCount(connPtr->cbError);
    }
    if (connPtr->downError != NULL) {
	Tcl_DecrRefCount(connPtr->downError);
    }
    if (connPtr->options != NULL) {
	Tcl_DecrRefCount(connPtr->options);
    }
    if (connPtr->sniCtxPtr != NULL) {
	TlsContextRelease(connPtr->sniCtxPtr);
    }
    TlsSessionForget(connPtr);
    if (connPtr->inBuf != NULL) {
	ckfree(connPtr->inBuf);
    }
    if (connPtr->alpnWire != NULL) {
	ckfree(connPtr->alpnWire);
    }
    TlsConnForgetInterp(connPtr);
    ckfree(connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnFromSSL --
 *
 *	The connection an SSL object belongs to (for OpenSSL callbacks).
 *
 *----------------------------------------------------------------------
 */

TlsConn *
TlsConnFromSSL(
    const SSL *ssl)
{
    return (TlsConn *) SSL_get_ex_data(ssl, TlsExIndex());
}

/*
 *----------------------------------------------------------------------
 *
 * CallBegin, CallEnd --
 *
 *	The two halves around every OpenSSL call that may do I/O or run
 *	callbacks: CallBegin clears the error queue and the BIO's errno and
 *	marks the connection busy (callbacks that try to use the channel
 *	are refused, TLS_IO_BUSY); CallEnd unmarks it and classifies the
 *	return value at once.
 *
 * Results:
 *	CallEnd: SSL_get_error's code. The system error, if any, is in
 *	connPtr->ioErrno, set by the BIO when the channel below failed (not
 *	errno, which a callback script may have changed since).
 *
 *----------------------------------------------------------------------
 */

static void
CallBegin(
    TlsConn *connPtr)
{
    ERR_clear_error();
    connPtr->ioErrno = 0;
    connPtr->flags |= TLS_CONN_BUSY;
}

static int
CallEnd(
    TlsConn *connPtr,
    int ret)
{
    connPtr->flags &= ~TLS_CONN_BUSY;
    return SSL_get_error(connPtr->ssl, ret);
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
 * TlsConnHandshake --
 *
 *	Advances the handshake as far as the channel allows. A blocking
 *	channel completes (or fails) in one call, within the handshake time
 *	limit if one runs (TlsDeadlineHandshake).
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
	return TlsDeadlineHandshake(connPtr);
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
    int ret, sslError;

    if (!TlsSessionFinishKey(connPtr)) {
	connPtr->flags |= TLS_CONN_WANT_WRITE;	/* Until connected. */
	return TLS_IO_AGAIN;
    }
    CallBegin(connPtr);
    ret = SSL_do_handshake(connPtr->ssl);
    sslError = CallEnd(connPtr, ret);
    if (ret == 1 && TlsSessionResumedWithoutCert(connPtr)) {
	TlsErrorSetConn(connPtr, Tcl_NewStringObj("handshake failed: "
		"a resumed session without a client certificate was "
		"offered where one is required", -1),
		TlsErrorCode("HANDSHAKE", "RESUME", NULL));
	connPtr->state = TLS_FAILED;
	TlsCallbackError(connPtr);
	return TLS_IO_ERROR;
    }
    if (ret == 1) {
	connPtr->state = TLS_OPEN;
	connPtr->flags &= ~TLS_CONN_WANT_WRITE;
	return TLS_IO_DONE;
    }
    switch (sslError) {
    case SSL_ERROR_WANT_READ:
	connPtr->flags &= ~TLS_CONN_WANT_WRITE;
	return TLS_IO_AGAIN;
    case SSL_ERROR_WANT_WRITE:
	connPtr->flags |= TLS_CONN_WANT_WRITE;
	return TLS_IO_AGAIN;
    default:
	TlsErrorHandshake(connPtr, ret, sslError, connPtr->ioErrno);
	connPtr->state = TLS_FAILED;
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
 * ReadEnded --
 *
 *	A read that cannot go on (neither data nor "try again"): the peer
 *	closed (close_notify, or a plain EOF: state TLS_PEER_CLOSED), or the
 *	connection failed (TLS_FAILED, the reason recorded). sslError is
 *	SSL_get_error's code; the system error is the BIO's.
 *
 *----------------------------------------------------------------------
 */

static void
ReadEnded(
    TlsConn *connPtr,
    int sslError)
{
    if (sslError == SSL_ERROR_ZERO_RETURN || (sslError == SSL_ERROR_SYSCALL
	    && connPtr->ioErrno == 0)) {
	connPtr->state = TLS_PEER_CLOSED;
	return;
    }
    TlsErrorIO(connPtr, "read", sslError, connPtr->ioErrno);
    connPtr->state = TLS_FAILED;
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
    int got = 0, n, sslError;

    while (got < room && (SSL_pending(connPtr->ssl) > 0
	    || ((connPtr->flags & TLS_CONN_NONBLOCK)
		&& connPtr->inEnd > connPtr->inStart))) {
	CallBegin(connPtr);
	n = SSL_read(connPtr->ssl, buf + got, room - got);
	sslError = CallEnd(connPtr, n);
	if (n <= 0) {
	    if (sslError != SSL_ERROR_WANT_READ
		    && sslError != SSL_ERROR_WANT_WRITE) {
		ReadEnded(connPtr, sslError);	/* The next read tells. */
	    }
	    break;
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
 *	Reads decrypted application data (the channel's input procedure).
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
    int n, sslError, result;

    *errorCodePtr = 0;
    if (connPtr->flags & (TLS_CONN_UNIMPORTING | TLS_CONN_UNSTACK_IDLE)) {
	*errorCodePtr = EAGAIN;		/* Plain data comes after. */
	return -1;
    }
    if (Start(connPtr, 1, &result, errorCodePtr) != TLS_IO_DONE) {
	return result;
    }
    if (connPtr->state == TLS_PEER_CLOSED) {
	return 0;
    }
    CallBegin(connPtr);
    n = SSL_read(connPtr->ssl, buf, toRead);
    sslError = CallEnd(connPtr, n);
    if (n > 0) {
	return n + ReadMore(connPtr, buf + n, toRead - n);
    }
    if (sslError == SSL_ERROR_WANT_READ || sslError == SSL_ERROR_WANT_WRITE) {
	*errorCodePtr = EAGAIN;
	return -1;
    }
    ReadEnded(connPtr, sslError);
    if (connPtr->state == TLS_PEER_CLOSED) {
	return 0;
    }
    return Failed(connPtr, errorCodePtr);
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
    int n, sslError, savedErrno, result;

    *errorCodePtr = 0;
    if (toWrite <= 0) {
	return 0;
    }
    if (connPtr->state == TLS_SHUT_DOWN && (connPtr->flags
	    & (TLS_CONN_UNIMPORTING | TLS_CONN_UNSTACK_IDLE))) {
	/*
	 * tls::unimport of a non-blocking channel has sent our
	 * close_notify: what the script writes now is plain text.
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
    CallBegin(connPtr);
    n = SSL_write(connPtr->ssl, buf, toWrite);
    sslError = CallEnd(connPtr, n);
    if (n > 0) {
	return n;
    }
    savedErrno = connPtr->ioErrno;
    if (sslError == SSL_ERROR_WANT_WRITE || sslError == SSL_ERROR_WANT_READ) {
	*errorCodePtr = EAGAIN;
	return -1;
    }
    TlsErrorIO(connPtr, "write", sslError, savedErrno);
    connPtr->state = TLS_FAILED;
    return Failed(connPtr, errorCodePtr);
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
    int n, sslError;
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
    CallBegin(connPtr);
    n = SSL_peek(connPtr->ssl, &c, 1);
    sslError = CallEnd(connPtr, n);
    if (!(connPtr->flags & TLS_CONN_NONBLOCK)) {
	TlsBioDownBlocking(connPtr, 1);
    }
    if (n > 0) {
	return 1;
    }
    if (sslError == SSL_ERROR_WANT_READ || sslError == SSL_ERROR_WANT_WRITE) {
	return 0;
    }
    ReadEnded(connPtr, sslError);	/* EOF or error: the script sees it. */
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * PollDown --
 *
 *	Waits at most ms milliseconds for poll() events on the channel
 *	below; a channel without a descriptor is waited for a little.
 *
 * Results:
 *	1 if the events (may) have come, 0 on timeout.
 *
 *----------------------------------------------------------------------
 */

static int
PollDown(
    TlsConn *connPtr,
    int events,
    int ms)
{
    void *handle;

    if (TlsBioDownHandle(connPtr, events == TLS_WAIT_READ ? TCL_READABLE
	    : TCL_WRITABLE, &handle) != TCL_OK) {
	Tcl_Sleep(ms < 10 ? ms : 10);	/* No descriptor: poll slowly. */
	return 1;
    }
    return TlsPlatformWait(handle, events, ms);
}

/*
 *----------------------------------------------------------------------
 *
 * WaitReadable --
 *
 *	Waits at most ms milliseconds for the channel below to have input.
 *
 * Results:
 *	1 if it may have input now, 0 on timeout.
 *
 *----------------------------------------------------------------------
 */

static int
WaitReadable(
    TlsConn *connPtr,
    int ms)
{
    if (connPtr->inEnd > connPtr->inStart) {
	return 1;
    }
    return PollDown(connPtr, TLS_WAIT_READ, ms);
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
    if (events == TCL_READABLE) {
	return WaitReadable(connPtr, ms);
    }
    return PollDown(connPtr, TLS_WAIT_WRITE, ms);
}

/*
 *----------------------------------------------------------------------
 *
 * ReadToCloseNotify --
 *
 *	Reads and discards what the peer sent, without waiting, until its
 *	close_notify (application data still in flight is dropped). The
 *	caller marks the connection busy.
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
    int i, n, sslError;

    for (i = 0; i < 256; i++) {
	if (SSL_get_shutdown(connPtr->ssl) & SSL_RECEIVED_SHUTDOWN) {
	    return 1;
	}
	ERR_clear_error();
	n = SSL_read(connPtr->ssl, scratch, sizeof(scratch));
	if (n > 0) {
	    continue;
	}
	sslError = SSL_get_error(connPtr->ssl, n);
	ERR_clear_error();
	return sslError != SSL_ERROR_WANT_READ
		&& sslError != SSL_ERROR_WANT_WRITE;
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
	left = ms > 0 ? ms - TlsElapsedMs(&start) : -1;
	if ((ms > 0 && left <= 0) || !WaitReadable(connPtr, left)) {
	    return 0;
	}
    }
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * DrainInput --
 *
 *	At close: consumes what the peer already sent (typically TLS 1.3
 *	session tickets the script never had reason to read), without
 *	waiting. Closing a TCP socket with unread input makes the kernel
 *	send a reset instead of a FIN, and a reset makes the peer's kernel
 *	throw away data its application has not read yet: the last part of
 *	an upload would be lost. The channel below is non-blocking here.
 *
 *----------------------------------------------------------------------
 */

static void
DrainInput(
    TlsConn *connPtr)
{
    char scratch[4096];
    int i;

    for (i = 0; i < 256; i++) {
	ERR_clear_error();
	if (SSL_read(connPtr->ssl, scratch, sizeof(scratch)) <= 0) {
	    break;
	}
    }
    ERR_clear_error();
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
    int blocking = !(connPtr->flags & TLS_CONN_NONBLOCK), done = 1;

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
    ERR_clear_error();
    if (SSL_shutdown(connPtr->ssl) < 0) {
	/* Retry once: the alert may have been stuck behind a full buffer. */
	ERR_clear_error();
	SSL_shutdown(connPtr->ssl);
    }
    if (waitMs >= 0) {
	done = AwaitPeerClose(connPtr, waitMs);
    } else {
	DrainInput(connPtr);
    }
    connPtr->flags &= ~TLS_CONN_BUSY;
    ERR_clear_error();
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
    int n, done;

    if (connPtr->state == TLS_OPEN || connPtr->state == TLS_PEER_CLOSED) {
	CallBegin(connPtr);
	n = SSL_shutdown(connPtr->ssl);
	CallEnd(connPtr, n);
	connPtr->state = TLS_SHUT_DOWN;
    } else if (connPtr->state != TLS_SHUT_DOWN) {
	return 1;			/* No session: nothing to close. */
    }
    connPtr->flags |= TLS_CONN_BUSY;
    done = ReadToCloseNotify(connPtr);
    connPtr->flags &= ~TLS_CONN_BUSY;
    return done;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnRaise --
 *
 *	Raises the recorded failure of a connection as a Tcl error.
 *
 * Results:
 *	TCL_ERROR.
 *
 *----------------------------------------------------------------------
 */

int
TlsConnRaise(
    Tcl_Interp *interp,
    TlsConn *connPtr)
{
    if (connPtr->errorObj == NULL) {
	return TlsError(interp, Tcl_NewStringObj("TLS connection failed", -1),
		"IO", NULL);
    }
    Tcl_SetObjResult(interp, connPtr->errorObj);
    Tcl_SetObjErrorCode(interp, connPtr->errorCode);
    return TCL_ERROR;
}
