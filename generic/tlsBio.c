/*
 * tlsBio.c --
 *
 *	The BIO through which OpenSSL moves ciphertext: it reads with
 *	Tcl_ReadRaw and writes with Tcl_WriteRaw on the channel below, so
 *	bytes Tcl had already buffered there (STARTTLS) are not lost. Reads
 *	are taken ahead in large chunks so that a record costs no more than
 *	one system call; what is left unread when the TLS layer goes away
 *	(tls::unimport) is handed back with TlsBioTakeResidue. The other
 *	helpers for the channel below live here too: its OS handle, its
 *	blocking mode, and discarding what it holds.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include "tlsPlatform.h"

static BIO_METHOD *bioMethod = NULL;
TCL_DECLARE_MUTEX(bioMutex)

/*
 * One spare read-ahead buffer per thread: a connection that gives its
 * buffer back at rest (TlsBioRelease) and takes one again for its next
 * record costs no allocation, and idle connections hold none.
 */
typedef struct BioThreadData {
    unsigned char *spare;	/* A free read-ahead buffer, or NULL. */
    int exitHandler;		/* FreeSpare is registered. */
} BioThreadData;
static Tcl_ThreadDataKey bioDataKey;

/*
 *----------------------------------------------------------------------
 *
 * TakeBuffer, GiveBuffer, FreeSpare --
 *
 *	TakeBuffer returns a read-ahead buffer of TLS_READ_AHEAD bytes (the
 *	thread's spare, or a new one), now owned by the caller. GiveBuffer
 *	takes one back: it becomes the spare, or is freed if there is one.
 *	FreeSpare frees the spare when the thread exits.
 *
 *----------------------------------------------------------------------
 */

static unsigned char *
TakeBuffer(void)
{
    BioThreadData *tsdPtr = (BioThreadData *)
	    Tcl_GetThreadData(&bioDataKey, sizeof(BioThreadData));
    unsigned char *buf = tsdPtr->spare;

    if (buf == NULL) {
	return (unsigned char *) ckalloc(TLS_READ_AHEAD);
    }
    tsdPtr->spare = NULL;
    return buf;
}

static void
FreeSpare(
    TCL_UNUSED(void *))
{
    BioThreadData *tsdPtr = (BioThreadData *)
	    Tcl_GetThreadData(&bioDataKey, sizeof(BioThreadData));

    if (tsdPtr->spare != NULL) {
	ckfree(tsdPtr->spare);
	tsdPtr->spare = NULL;
    }
}

static void
GiveBuffer(
    unsigned char *buf)
{
    BioThreadData *tsdPtr = (BioThreadData *)
	    Tcl_GetThreadData(&bioDataKey, sizeof(BioThreadData));

    if (tsdPtr->spare != NULL) {
	ckfree(buf);
	return;
    }
    if (!tsdPtr->exitHandler) {
	Tcl_CreateThreadExitHandler(FreeSpare, NULL);
	tsdPtr->exitHandler = 1;
    }
    tsdPtr->spare = buf;
}

/*
 *----------------------------------------------------------------------
 *
 * FillBuffer --
 *
 *	Reads what the channel below has, up to TLS_READ_AHEAD bytes, into
 *	the connection's read-ahead buffer (taken here when needed; an
 *	idle connection gives it back through TlsBioRelease).
 *
 * Results:
 *	Bytes read; 0 at EOF; -1 with errno set (EAGAIN: try later).
 *
 *----------------------------------------------------------------------
 */

static int
FillBuffer(
    TlsConn *connPtr)
{
    Tcl_Size n;

    if (connPtr->inBuf == NULL) {
	connPtr->inBuf = TakeBuffer();
    }
    connPtr->inStart = connPtr->inEnd = 0;
    n = Tcl_ReadRaw(connPtr->down, (char *) connPtr->inBuf, TLS_READ_AHEAD);
    if (n > 0) {
	connPtr->inEnd = (int) n;
	connPtr->flags |= TLS_CONN_GOT_DATA;
	return (int) n;
    }
    if (n < 0) {
	errno = Tcl_GetErrno();
	return -1;
    }
    if (!Tcl_Eof(connPtr->down)) {
	errno = EAGAIN;		/* Nothing yet on a non-blocking channel. */
	return -1;
    }
    connPtr->flags |= TLS_CONN_EOF_SEEN;
    return 0;
}

/*
 *----------------------------------------------------------------------
 *
 * TakeAhead --
 *
 *	Copies up to len bytes out of the read-ahead buffer, which must
 *	hold at least one.
 *
 * Results:
 *	The number of bytes copied.
 *
 *----------------------------------------------------------------------
 */

static int
TakeAhead(
    TlsConn *connPtr,
    char *buf,
    int len)
{
    int avail = connPtr->inEnd - connPtr->inStart;

    if (len > avail) {
	len = avail;
    }
    memcpy(buf, connPtr->inBuf + connPtr->inStart, (size_t) len);
    connPtr->inStart += len;
    return len;
}

/*
 *----------------------------------------------------------------------
 *
 * BioRead --
 *
 *	OpenSSL asks for ciphertext: served from the read-ahead buffer,
 *	refilled from the channel below when empty.
 *
 * Results:
 *	Bytes copied, 0 at EOF, -1 on error or "retry" (would block).
 *
 *----------------------------------------------------------------------
 */

static int
BioRead(
    BIO *bio,
    char *buf,
    int len)
{
    TlsConn *connPtr = (TlsConn *) BIO_get_data(bio);

    BIO_clear_retry_flags(bio);
    if (len <= 0) {
	return 0;
    }
    if (connPtr->down == NULL || (connPtr->flags & TLS_CONN_DROPPED)) {
	/* Closed from a callback: the connection ends here. */
	errno = connPtr->ioErrno = ECONNABORTED;
	return -1;
    }
    if (connPtr->inStart == connPtr->inEnd) {
	int n = FillBuffer(connPtr);

	if (n < 0) {
	    connPtr->ioErrno = errno;	/* Before any callback runs. */
	    if (errno == EAGAIN || errno == EWOULDBLOCK) {
		BIO_set_retry_read(bio);
	    }
	    return -1;
	}
	if (n == 0) {
	    return 0;
	}
    }
    return TakeAhead(connPtr, buf, len);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsBioRelease --
 *
 *	Frees the read-ahead buffer when it holds nothing unread, and
 *	OpenSSL's record buffers when they hold nothing either
 *	(SSL_free_buffers refuses while a record is partly read or
 *	written, or decrypted data waits), so that idle connections stay
 *	small. Called when the channel has been quiet (TlsTrimProc) and,
 *	for blocking channels, which may never run the event loop, when a
 *	read or the handshake leaves nothing behind (TlsConnRest); not
 *	after each refill: a busy connection keeps its buffer instead of
 *	allocating it again for every record. Never while OpenSSL runs.
 *
 *	SSL_MODE_RELEASE_BUFFERS alone is not enough: on idle client
 *	connections that had read their first reply, massif showed
 *	OpenSSL's 16 KiB read buffer (allocated under SSL_read) still held
 *	by each (OpenSSL 3.0.22). Not done with an OpenSSL whose
 *	SSL_free_buffers could free a partly read record
 *	(TlsFreeBuffersSafe).
 *
 *----------------------------------------------------------------------
 */

void
TlsBioRelease(
    TlsConn *connPtr)
{
    if (connPtr->inBuf != NULL && connPtr->inStart == connPtr->inEnd) {
	GiveBuffer(connPtr->inBuf);
	connPtr->inBuf = NULL;
	connPtr->inStart = connPtr->inEnd = 0;
    }
    if (connPtr->ssl != NULL && !(connPtr->flags & TLS_CONN_BUSY)
	    && TlsFreeBuffersSafe()) {
	(void) SSL_free_buffers(connPtr->ssl);	/* 0: still in use. */
    }
}

/*
 *----------------------------------------------------------------------
 *
 * BioWrite --
 *
 *	OpenSSL sends ciphertext: written straight to the channel below.
 *	Partial writes are fine, OpenSSL keeps the rest of the record.
 *
 * Results:
 *	Bytes written, or -1 on error or "retry".
 *
 *----------------------------------------------------------------------
 */

static int
BioWrite(
    BIO *bio,
    const char *buf,
    int len)
{
    TlsConn *connPtr = (TlsConn *) BIO_get_data(bio);
    Tcl_Size n;

    BIO_clear_retry_flags(bio);
    if (len <= 0) {
	return 0;
    }
    if (connPtr->down == NULL || (connPtr->flags & TLS_CONN_DROPPED)) {
	/* Closed from a callback: the connection ends here. */
	errno = connPtr->ioErrno = ECONNABORTED;
	return -1;
    }
    n = Tcl_WriteRaw(connPtr->down, buf, len);
    if (n > 0) {
	return (int) n;
    }
    errno = connPtr->ioErrno = (n < 0) ? Tcl_GetErrno() : EAGAIN;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
	BIO_set_retry_write(bio);
    }
    return -1;
}

/*
 *----------------------------------------------------------------------
 *
 * BioCtrl --
 *
 *	The few controls OpenSSL uses on a source/sink BIO.
 *
 *----------------------------------------------------------------------
 */

static long
BioCtrl(
    BIO *bio,
    int cmd,
    TCL_UNUSED(long),
    TCL_UNUSED(void *))
{
    TlsConn *connPtr = (TlsConn *) BIO_get_data(bio);

    switch (cmd) {
    case BIO_CTRL_FLUSH:
    case BIO_CTRL_DUP:
	return 1;
    case BIO_CTRL_PENDING:
	return connPtr ? connPtr->inEnd - connPtr->inStart : 0;
    case BIO_CTRL_EOF:
	return connPtr && (connPtr->flags & TLS_CONN_EOF_SEEN)
		&& connPtr->inStart == connPtr->inEnd;
    case BIO_CTRL_GET_CLOSE:
	return BIO_get_shutdown(bio);
    case BIO_CTRL_SET_CLOSE:
	return 1;
    default:
	return 0;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * BioCreate, BioDestroy --
 *
 *	The BIO only points at its connection; the connection owns the
 *	read-ahead buffer.
 *
 *----------------------------------------------------------------------
 */

static int
BioCreate(
    BIO *bio)
{
    BIO_set_init(bio, 1);
    BIO_set_data(bio, NULL);
    return 1;
}

static int
BioDestroy(
    BIO *bio)
{
    BIO_set_data(bio, NULL);
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsBioNew --
 *
 *	Makes a BIO for a connection. The method table is built once per
 *	process.
 *
 * Results:
 *	A new BIO (owned by the caller until given to SSL_set_bio), or NULL.
 *
 *----------------------------------------------------------------------
 */

BIO *
TlsBioNew(
    TlsConn *connPtr)
{
    BIO *bio;

    Tcl_MutexLock(&bioMutex);
    if (bioMethod == NULL) {
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
		"tcl channel");

	if (m != NULL) {
	    BIO_meth_set_write(m, BioWrite);
	    BIO_meth_set_read(m, BioRead);
	    BIO_meth_set_ctrl(m, BioCtrl);
	    BIO_meth_set_create(m, BioCreate);
	    BIO_meth_set_destroy(m, BioDestroy);
	    bioMethod = m;	/* Lives as long as the process. */
	}
    }
    Tcl_MutexUnlock(&bioMutex);
    if (bioMethod == NULL || (bio = BIO_new(bioMethod)) == NULL) {
	return NULL;
    }
    BIO_set_data(bio, connPtr);
    return bio;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsBioTakeResidue --
 *
 *	Bytes read from below but not used by TLS (what the peer sent after
 *	its close_notify), for tls::unimport to put back on the channel.
 *
 * Results:
 *	A new byte array (refcount 0), or NULL when there is nothing.
 *
 * Side effects:
 *	Empties the read-ahead buffer.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
TlsBioTakeResidue(
    TlsConn *connPtr)
{
    Tcl_Obj *resObj = NULL;

    if (connPtr->inEnd > connPtr->inStart) {
	resObj = Tcl_NewByteArrayObj(connPtr->inBuf + connPtr->inStart,
		connPtr->inEnd - connPtr->inStart);
    }
    if (connPtr->inBuf != NULL) {
	ckfree(connPtr->inBuf);
	connPtr->inBuf = NULL;
    }
    connPtr->inStart = connPtr->inEnd = 0;
    return resObj;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsBioReadPlain --
 *
 *	Reads plain text once TLS is over but the layer is still on (a
 *	tls::unimport waiting to take it off): first what the read-ahead
 *	buffer holds after the peer's close_notify, then the channel below.
 *
 * Results:
 *	Bytes read, 0 at end of stream, or -1 with *errorCodePtr.
 *
 *----------------------------------------------------------------------
 */

int
TlsBioReadPlain(
    TlsConn *connPtr,
    char *buf,
    int toRead,
    int *errorCodePtr)
{
    Tcl_Size n;

    if (connPtr->inEnd > connPtr->inStart) {
	return TakeAhead(connPtr, buf, toRead);
    }
    n = Tcl_ReadRaw(connPtr->down, buf, toRead);
    if (n < 0) {
	*errorCodePtr = Tcl_GetErrno();
	return -1;
    }
    return (int) n;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsBioDownHandle --
 *
 *	The OS handle (descriptor or socket) of the channel below, if its
 *	type has one.
 *
 * Results:
 *	TCL_OK with the handle, or TCL_ERROR.
 *
 *----------------------------------------------------------------------
 */

int
TlsBioDownHandle(
    TlsConn *connPtr,
    int direction,
    void **handlePtr)
{
    if (connPtr->down == NULL || Tcl_ChannelGetHandleProc(
	    Tcl_GetChannelType(connPtr->down)) == NULL) {
	return TCL_ERROR;
    }
    return Tcl_GetChannelHandle(connPtr->down, direction, handlePtr);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsBioDownBlocking --
 *
 *	Sets the blocking mode of the channel below through its driver,
 *	without touching the mode the script sees.
 *
 * Results:
 *	The driver's result (0 or an errno).
 *
 *----------------------------------------------------------------------
 */

int
TlsBioDownBlocking(
    TlsConn *connPtr,
    int blocking)
{
    Tcl_DriverBlockModeProc *proc;

    if (connPtr->down == NULL) {
	return 0;
    }
    proc = Tcl_ChannelBlockModeProc(Tcl_GetChannelType(connPtr->down));
    if (proc == NULL) {
	return 0;
    }
    return proc(Tcl_GetChannelInstanceData(connPtr->down),
	    blocking ? TCL_MODE_BLOCKING : TCL_MODE_NONBLOCKING);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsBioDiscardRaw --
 *
 *	At the close of a connection whose handshake failed or never ended:
 *	throws away what the peer already sent (the rest of its handshake
 *	flight), without waiting, so that the socket closes with a FIN and
 *	the peer still reads our alert instead of a reset. The channel below
 *	is non-blocking here.
 *
 *----------------------------------------------------------------------
 */

void
TlsBioDiscardRaw(
    TlsConn *connPtr)
{
    char scratch[4096];
    int i;

    for (i = 0; i < 64; i++) {
	if (Tcl_ReadRaw(connPtr->down, scratch, sizeof(scratch)) <= 0) {
	    break;
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * TlsBioNoDelay --
 *
 *	Turns off Nagle's algorithm when the channel below is a TCP socket
 *	(and notes that it is one). TLS sends whole records (Tcl buffers
 *	the plaintext), but a TLS 1.3 server writes its session tickets as
 *	separate small records right after the handshake: with Nagle, the
 *	first reply then waits for the client's delayed ACK (about 40 ms).
 *
 *----------------------------------------------------------------------
 */

void
TlsBioNoDelay(
    TlsConn *connPtr)
{
    void *handle;

    if (TlsBioDownHandle(connPtr, TCL_READABLE, &handle) == TCL_OK
	    && TlsPlatformNoDelay(handle)) {
	connPtr->flags |= TLS_CONN_TCP;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * TlsBioNoteWrite, TlsBioPush --
 *
 *	A burst of small writes (fcopy hands over one piece of its input's
 *	-buffersize at a time, 4 KiB for a file, each flushed at once; the
 *	http package writes 8 KiB per writable event) becomes one record
 *	and one system call per piece. Without Nagle's algorithm each of
 *	them also goes out as its own TCP segment, which wakes the peer
 *	for every 4 KiB. So after TLS_NAGLE_AFTER writes of less than a
 *	record in a row, with no read in between, TlsBioNoteWrite turns
 *	Nagle's algorithm on: the kernel then joins the segments while
 *	earlier ones are not yet acknowledged. Every record still leaves
 *	this process at once (a flush means what it meant); the kernel
 *	holds a partial segment at most until the earlier data is
 *	acknowledged, and TlsBioPush ends the burst (turning Nagle off
 *	again sends what it holds at once) at the next read of the
 *	channel, when the channel has been quiet for a few milliseconds
 *	(the trim timer, TlsTrimProc), and before close_notify (close,
 *	tls::unimport). A request/response exchange (a write, then a read)
 *	never turns it on.
 *
 *----------------------------------------------------------------------
 */

#define TLS_NAGLE_AFTER	4

void
TlsBioNoteWrite(
    TlsConn *connPtr,
    int len)
{
    void *handle;

    if ((connPtr->flags & (TLS_CONN_TCP | TLS_CONN_NAGLE)) != TLS_CONN_TCP
	    || len >= SSL3_RT_MAX_PLAIN_LENGTH
	    || ++connPtr->smallWrites < TLS_NAGLE_AFTER) {
	return;		/* (Counts no further once Nagle is on.) */
    }
    if (TlsBioDownHandle(connPtr, TCL_WRITABLE, &handle) == TCL_OK) {
	TlsPlatformSetNoDelay(handle, 0);
	connPtr->flags |= TLS_CONN_NAGLE;
    }
}

void
TlsBioPush(
    TlsConn *connPtr)
{
    void *handle;

    connPtr->smallWrites = 0;
    if (!(connPtr->flags & TLS_CONN_NAGLE)) {
	return;
    }
    connPtr->flags &= ~TLS_CONN_NAGLE;
    if (TlsBioDownHandle(connPtr, TCL_WRITABLE, &handle) == TCL_OK) {
	TlsPlatformSetNoDelay(handle, 1);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * TlsBioWasReset --
 *
 *	Whether the TCP connection below was reset by the peer. Tcl 8.6's
 *	sockets turn ECONNRESET into an end of file; the kernel's state of
 *	the connection (closed after a reset, close-wait after a FIN) tells
 *	them apart.
 *
 *----------------------------------------------------------------------
 */

int
TlsBioWasReset(
    TlsConn *connPtr)
{
    void *handle;

    return TlsBioDownHandle(connPtr, TCL_READABLE, &handle) == TCL_OK
	    && TlsPlatformWasReset(handle);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsBioAbort --
 *
 *	Ends the TCP connection below towards the peer (both directions),
 *	for a handshake given up: the peer sees the end at once, while the
 *	descriptor stays with the channel until the script closes it.
 *
 *----------------------------------------------------------------------
 */

void
TlsBioAbort(
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
 * TlsBioWait --
 *
 *	Waits at most ms milliseconds (-1: no limit) for the channel below
 *	to become readable (TCL_READABLE; ciphertext already read ahead
 *	counts) or writable (TCL_WRITABLE). A channel type without an OS
 *	handle is waited for a little and then said to be ready.
 *
 * Results:
 *	1 if it may be ready now, 0 on timeout.
 *
 *----------------------------------------------------------------------
 */

int
TlsBioWait(
    TlsConn *connPtr,
    int events,
    int ms)
{
    void *handle;

    if (events == TCL_READABLE && connPtr->inEnd > connPtr->inStart) {
	return 1;
    }
    if (TlsBioDownHandle(connPtr, events, &handle) != TCL_OK) {
	Tcl_Sleep(ms >= 0 && ms < 10 ? ms : 10);
	return 1;
    }
    return TlsPlatformWait(handle, events == TCL_READABLE ? TLS_WAIT_READ
	    : TLS_WAIT_WRITE, ms);
}
