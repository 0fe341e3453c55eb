/*
 * tlsChannel.c --
 *
 *	The Tcl channel type of a TLS layer, and the putting on and taking
 *	off of that layer: TlsChannelStack (tls::import) stacks it and sets
 *	the channel's -buffersize for it; TlsChannelUnimport (tls::unimport)
 *	flushes, exchanges close_notify with the peer, unstacks, gives the
 *	-buffersize back and puts back the bytes read ahead. Each driver
 *	procedure is a thin translation of tlsConn.c. The event plumbing
 *	(watch, handler, timers) is in tlsEvents.c.
 *
 *	The TlsConn of a layer is owned by the channel system from the
 *	moment it is stacked: TlsClose2Proc frees it (Tcl_EventuallyFree),
 *	and so does Tcl_UnstackChannel, through it.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"

static Tcl_DriverInputProc	TlsInputProc;
static Tcl_DriverOutputProc	TlsOutputProc;
static Tcl_DriverClose2Proc	TlsClose2Proc;
static Tcl_DriverBlockModeProc	TlsBlockModeProc;
static Tcl_DriverSetOptionProc	TlsSetOptionProc;
static Tcl_DriverGetOptionProc	TlsGetOptionProc;
static Tcl_DriverGetHandleProc	TlsGetHandleProc;
static Tcl_FreeProc		TlsFreeProc;
static Tcl_TimerProc		FinishUnimport;
static Tcl_TimerProc		TlsUnimportTimerProc;
static TlsConn *	FindLayer(Tcl_Channel chan);
static int		UnimportLater(TlsConn *connPtr, int ms);
static void		UnimportProgress(TlsConn *connPtr);
static void		UnstackLater(TlsConn *connPtr);
static void		ArmFinish(TlsConn *connPtr);

static const Tcl_ChannelType tlsChannelType = {
    "tls",			/* Type name. */
    TLS_CHANNEL_VERSION,	/* v5: close2Proc, handler, thread action. */
    TCL_CLOSE2PROC,		/* Old close slot: use close2Proc. */
    TlsInputProc,
    TlsOutputProc,
    NULL,			/* No seeking on a TLS stream. */
    TlsSetOptionProc,
    TlsGetOptionProc,
    TlsWatchProc,		/* tlsEvents.c */
    TlsGetHandleProc,
    TlsClose2Proc,
    TlsBlockModeProc,
    NULL,			/* Flush: not used by Tcl. */
    TlsHandlerProc,		/* tlsEvents.c */
    NULL,			/* Wide seek. */
    TlsThreadActionProc,		/* tlsEvents.c */
    NULL			/* Truncate. */
};

/*
 *----------------------------------------------------------------------
 *
 * TlsChannelType --
 *
 *	The channel type, for tls::unimport's check that TLS is on top.
 *
 *----------------------------------------------------------------------
 */

const Tcl_ChannelType *
TlsChannelType(void)
{
    return &tlsChannelType;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsChannelConn --
 *
 *	Finds the TLS layer of a named channel: the topmost layer of our
 *	type.
 *
 * Results:
 *	The connection, and the channel's top handle in *chanPtr; NULL with
 *	an error {TLS CHANNEL ...} in interp.
 *
 *----------------------------------------------------------------------
 */

TlsConn *
TlsChannelConn(
    Tcl_Interp *interp,
    Tcl_Obj *nameObj,
    Tcl_Channel *chanPtr)
{
    Tcl_Channel chan = Tcl_GetChannel(interp, Tcl_GetString(nameObj), NULL);
    TlsConn *connPtr;

    if (chan == NULL) {
	TlsErrorNoChannel(interp);
	return NULL;
    }
    chan = Tcl_GetTopChannel(chan);
    connPtr = FindLayer(chan);
    if (connPtr == NULL) {
	TlsErrorNotTls(interp, nameObj);
    } else if (chanPtr != NULL) {
	*chanPtr = chan;
    }
    return connPtr;
}

/*
 * FindLayer, TlsChannelHasTls --
 *	The topmost TLS layer of ours in a channel's stack, or NULL; and
 *	whether there is one.
 */

static TlsConn *
FindLayer(
    Tcl_Channel chan)
{
    Tcl_Channel layer;

    for (layer = Tcl_GetTopChannel(chan); layer != NULL;
	    layer = Tcl_GetStackedChannel(layer)) {
	if (Tcl_GetChannelType(layer) == &tlsChannelType) {
	    return (TlsConn *) Tcl_GetChannelInstanceData(layer);
	}
    }
    return NULL;
}

int
TlsChannelHasTls(
    Tcl_Channel chan)
{
    return FindLayer(chan) != NULL;
}

/*
 * IsBlocking --
 *	The channel's -blocking setting.
 */

static int
IsBlocking(
    Tcl_Channel chan)
{
    Tcl_DString ds;
    int blocking = 1;

    Tcl_DStringInit(&ds);
    if (Tcl_GetChannelOption(NULL, chan, "-blocking", &ds) == TCL_OK) {
	Tcl_GetBoolean(NULL, Tcl_DStringValue(&ds), &blocking);
    }
    Tcl_DStringFree(&ds);
    return blocking;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsChannelStack --
 *
 *	The work of tls::import once its options are checked: stacks the
 *	new connection's layer on chan (the top of its stack), starts the
 *	handshake clock of a server or non-blocking channel (the peer may
 *	already be there), and raises the -buffersize to a full record,
 *	saving the old one for tls::unimport. The handshake starts with the
 *	first I/O (or tls::handshake, or the event loop for non-blocking
 *	channels).
 *
 * Results:
 *	TCL_OK: the channel owns connPtr now. TCL_ERROR (in interp):
 *	connPtr is freed and chan is as it was.
 *
 *----------------------------------------------------------------------
 */

int
TlsChannelStack(
    Tcl_Interp *interp,
    TlsConn *connPtr,
    Tcl_Channel chan)
{
    if (!IsBlocking(chan)) {
	connPtr->flags |= TLS_CONN_NONBLOCK;
    }
    if (connPtr->flags & (TLS_CONN_SERVER | TLS_CONN_NONBLOCK)) {
	TlsDeadlineStart(connPtr);	/* The peer may already be there. */
    }
    connPtr->self = Tcl_StackChannel(interp, &tlsChannelType, connPtr,
	    TCL_READABLE | TCL_WRITABLE, chan);
    if (connPtr->self == NULL) {
	TlsConnFree(connPtr);
	return TCL_ERROR;
    }
    connPtr->down = Tcl_GetStackedChannel(connPtr->self);
    TlsChannelRefresh(connPtr->self);	/* Handlers set before import. */
    TlsBioNoDelay(connPtr);
    connPtr->savedBufSize = Tcl_GetChannelBufferSize(connPtr->self);
    if (connPtr->savedBufSize < TLS_CHANNEL_BUFSIZE) {
	Tcl_SetChannelBufferSize(connPtr->self, TLS_CHANNEL_BUFSIZE);
    }
    TlsChannelUpdate(connPtr);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * FlushBounded --
 *
 *	Sends what the script wrote before the TLS layer goes, waiting at
 *	most ms milliseconds (0: no limit) for a peer that does not read (or
 *	for a handshake still under way). The channel is non-blocking
 *	meanwhile and gets its mode back.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR {TLS IO flush} with nothing unstacked.
 *
 *----------------------------------------------------------------------
 */

static int
FlushBounded(
    Tcl_Interp *interp,
    TlsConn *connPtr,
    Tcl_Channel chan,
    Tcl_Obj *nameObj,
    int blocking,
    int ms)
{
    Tcl_Time start;
    int left, code = TCL_OK;

    if (blocking) {
	Tcl_SetChannelOption(NULL, chan, "-blocking", "0");
    }
    Tcl_GetTime(&start);
    while (code == TCL_OK && Tcl_OutputBuffered(chan) > 0) {
	code = Tcl_Flush(chan);
	if (code != TCL_OK || Tcl_OutputBuffered(chan) == 0) {
	    break;
	}
	left = TlsTimeLeft(&start, ms);
	if (left == 0) {
	    break;
	}
	TlsConnWait(connPtr, 0, left);
    }
    if (blocking) {
	Tcl_SetChannelOption(NULL, chan, "-blocking", "1");
    }
    if (code != TCL_OK) {
	return TlsError(interp, Tcl_ObjPrintf("error flushing \"%s\": %s",
		Tcl_GetString(nameObj), Tcl_PosixError(interp)),
		"IO", "flush", NULL);
    }
    if (Tcl_OutputBuffered(chan) > 0) {
	return TlsError(interp, Tcl_ObjPrintf(
		"cannot unimport \"%s\": the peer does not take the data "
		"written before (%d bytes still pending)",
		Tcl_GetString(nameObj), Tcl_OutputBuffered(chan)),
		"IO", "flush", "TIMEOUT", NULL);
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * Unstack --
 *
 *	Takes the TLS layer off its channel (the end of tls::unimport):
 *	what TLS read ahead but did not consume is put back for the plain
 *	channel to read, and the buffer size it had comes back. The layer
 *	is freed by Tcl_UnstackChannel unless the caller preserves it.
 *
 * Results:
 *	TCL_OK with the plain channel in *downPtr, or TCL_ERROR (in interp
 *	if not NULL).
 *
 *----------------------------------------------------------------------
 */

static int
Unstack(
    Tcl_Interp *interp,
    TlsConn *connPtr,
    Tcl_Channel *downPtr)
{
    Tcl_Channel down = connPtr->down;
    Tcl_Obj *residue = TlsBioTakeResidue(connPtr);
    int code;

    if (residue != NULL) {
	Tcl_IncrRefCount(residue);
    }
    if (Tcl_GetChannelBufferSize(down) == TLS_CHANNEL_BUFSIZE) {
	Tcl_SetChannelBufferSize(down, connPtr->savedBufSize);
    }
    connPtr->flags |= TLS_CONN_UNSTACKING;	/* No shutdown at close. */
    code = Tcl_UnstackChannel(interp, connPtr->self);
    if (code != TCL_OK) {
	connPtr->flags &= ~TLS_CONN_UNSTACKING;
    } else if (residue != NULL) {
	Tcl_Size len;
	const unsigned char *bytes = Tcl_GetByteArrayFromObj(residue, &len);

	Tcl_Ungets(down, (const char *) bytes, len, 0);
    }
    if (residue != NULL) {
	Tcl_DecrRefCount(residue);
    }
    if (code == TCL_OK) {
	TlsChannelRefresh(down);	/* Kept: see TlsChannelRefresh. */
	*downPtr = down;
    }
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * Unimport --
 *
 *	The steps of tls::unimport: flushes, exchanges close_notify with
 *	the peer, waiting at most ms, and unstacks the TLS layer; on a
 *	non-blocking channel the wait goes on in the event loop
 *	(UnimportLater). Stops when a callback closed the channel meanwhile
 *	(it is no longer registered in interp).
 *
 * Results:
 *	TCL_OK, with the plain channel in *downPtr once unstacked (it is
 *	left alone while a non-blocking unimport waits), or TCL_ERROR with
 *	nothing unstacked.
 *
 *----------------------------------------------------------------------
 */

static int
Unimport(
    Tcl_Interp *interp,
    TlsConn *connPtr,
    Tcl_Channel chan,
    Tcl_Obj *nameObj,
    int ms,
    Tcl_Channel *downPtr)
{
    int peerClosed = 1, blocking = IsBlocking(chan);

    if (FlushBounded(interp, connPtr, chan, nameObj, blocking, ms)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    TlsBioPush(connPtr);	/* Before close_notify; see TlsBioNoteWrite. */
    if (!blocking && Tcl_IsChannelRegistered(interp, chan)
	    && !UnimportLater(connPtr, ms)) {
	/*
	 * Non-blocking: the wait for the peer's close_notify must not
	 * hold the event loop; it goes on there (unless it is over).
	 */
	Tcl_ResetResult(interp);
	return TCL_OK;
    }
    if (Tcl_IsChannelRegistered(interp, chan)) {
	peerClosed = TlsConnShutdown(connPtr, ms);
    }
    if (!Tcl_IsChannelRegistered(interp, chan)) {
	return TlsError(interp, Tcl_ObjPrintf("channel \"%s\" was closed "
		"by a callback during tls::unimport", Tcl_GetString(nameObj)),
		"CHANNEL", "CLOSED", NULL);
    }
    if (!peerClosed) {
	return TlsErrorUnimportTimeout(interp, connPtr,
		Tcl_GetString(nameObj), ms);
    }
    Tcl_ResetResult(interp);
    if ((connPtr->flags & TLS_CONN_TCL_TIMER)
	    || Tcl_InputBuffered(chan) > 0) {
	/* Tcl holds or held input of ours: see UnstackLater. */
	UnstackLater(connPtr);
	return TCL_OK;
    }
    return Unstack(interp, connPtr, downPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsChannelUnimport --
 *
 *	The work of tls::unimport once its arguments are checked (TLS is the
 *	top layer of chan, named nameObj, and not busy): Unimport, under
 *	our own reference to the channel and to the connection.
 *
 * Results:
 *	TCL_OK (empty result), or TCL_ERROR in interp.
 *
 *----------------------------------------------------------------------
 */

int
TlsChannelUnimport(
    Tcl_Interp *interp,
    TlsConn *connPtr,
    Tcl_Channel chan,
    Tcl_Obj *nameObj,
    int ms)
{
    Tcl_Channel down = NULL;
    int code;

    /*
     * Callbacks run during the flush and the close_notify exchange, and
     * one may close the channel. Our own reference to the channel makes
     * that close only take it out of the interpreter: it really closes
     * when we let go, after OpenSSL is done with it.
     */
    Tcl_RegisterChannel(NULL, chan);
    Tcl_Preserve(connPtr);
    connPtr->flags |= TLS_CONN_UNSTACKING;
    code = Unimport(interp, connPtr, chan, nameObj, ms, &down);
    connPtr->flags &= ~TLS_CONN_UNSTACKING;
    Tcl_Release(connPtr);		/* Freed here after an unstack. */
    Tcl_UnregisterChannel(NULL, down != NULL ? down : chan);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * UnimportLater --
 *
 *	tls::unimport of a non-blocking channel (after its output was
 *	flushed), which must never hold the event loop: close_notify goes
 *	out at once and the wait for the peer's (UnimportProgress)
 *	goes on from the event loop after the command has returned. What the
 *	script writes from now on is plain text, after our close_notify. The
 *	layer comes off from the event loop once the peer's close_notify is
 *	read (UnstackLater); until then the channel reads nothing beyond
 *	what Tcl holds. If it has not come
 *	within ms (0: no limit), the layer stays and the next read raises
 *	{TLS IO unimport TIMEOUT}.
 *
 * Results:
 *	1 when there was nothing to wait for (no session, or the peer's
 *	close_notify is here already): the caller goes on now; else 0.
 *
 *----------------------------------------------------------------------
 */

static int
UnimportLater(
    TlsConn *connPtr,
    int ms)
{
    if (TlsConnCloseStep(connPtr)) {
	return 1;		/* Nothing to wait for: the caller goes on. */
    }
    connPtr->flags |= TLS_CONN_UNIMPORTING;
    connPtr->unimportMs = ms;
    connPtr->unimportStep = UnimportProgress;
    if (ms > 0) {
	connPtr->unimportTimer = Tcl_CreateTimerHandler(ms,
		TlsUnimportTimerProc, connPtr);
    }
    TlsChannelUpdate(connPtr);
    return 0;
}

/*
 *----------------------------------------------------------------------
 *
 * UnimportProgress --
 *
 *	A deferred tls::unimport goes as far as it can without waiting
 *	(called from the event loop through connPtr->unimportStep, so that
 *	tlsEvents.c need not know this file): close_notify goes out
 *	(if it has not yet) and the peer's is read (TlsConnCloseStep); once
 *	it has come, the layer waits to come off (UnstackLater).
 *
 *----------------------------------------------------------------------
 */

static void
UnimportProgress(
    TlsConn *connPtr)
{
    if (connPtr->flags & (TLS_CONN_BUSY | TLS_CONN_CLOSED)) {
	return;
    }
    if (connPtr->flags & TLS_CONN_UNIMPORTING) {
	if (!TlsConnCloseStep(connPtr)) {
	    return;
	}
	connPtr->flags &= ~TLS_CONN_UNIMPORTING;
	TlsEventsCancelTimer(&connPtr->unimportTimer);
	UnstackLater(connPtr);
    } else if ((connPtr->flags & TLS_CONN_UNSTACK_IDLE)
	    && connPtr->unimportTimer == NULL && connPtr->self != NULL
	    && Tcl_InputBuffered(connPtr->self) == 0) {
	ArmFinish(connPtr);	/* The script has read what Tcl held. */
    }
}

/*
 *----------------------------------------------------------------------
 *
 * UnstackLater, ArmFinish --
 *
 *	The layer must not come off while Tcl holds input it decrypted
 *	(Tcl_UnstackChannel discards it), nor, in Tcl 8.6.13, while the
 *	readable timer Tcl arms for such input may be pending: that timer
 *	(ChannelTimerProc) names the layer's Channel, which
 *	Tcl_UnstackChannel frees, and Tcl aborts when it fires. Tcl arms it
 *	only while its input queue holds bytes, and deletes it when it fires
 *	with the queue empty. So the layer stays on, passing plain text
 *	through (TlsConnRead, TlsConnWrite), until the queue was empty when
 *	FinishUnimport was armed and is still empty, with nothing read in
 *	between, when it runs: Tcl's timer, armed earlier for no later time,
 *	has run before it and found nothing.
 *
 *	UnstackLater starts that wait; ArmFinish arms FinishUnimport, with
 *	the queue empty.
 *
 *----------------------------------------------------------------------
 */

static void
UnstackLater(
    TlsConn *connPtr)
{
    connPtr->flags |= TLS_CONN_UNSTACK_IDLE;
    connPtr->unimportStep = UnimportProgress;
    UnimportProgress(connPtr);
    TlsChannelUpdate(connPtr);
}

static void
ArmFinish(
    TlsConn *connPtr)
{
    connPtr->flags &= ~TLS_CONN_TCL_INPUT;
    /*
     * A zero-delay timer, not an idle callback: a script that keeps
     * events coming (a handler polling the channel) would starve it.
     */
    connPtr->unimportTimer = Tcl_CreateTimerHandler(0, FinishUnimport,
	    connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * FinishUnimport, TlsUnimportTimerProc --
 *
 *	The end of a deferred tls::unimport: the layer comes off when
 *	nothing of Tcl's can name it any more (see UnstackLater), or, when
 *	the peer's close_notify did not come in time, the connection fails
 *	with {TLS IO unimport TIMEOUT} and TLS stays (anything the peer
 *	still sends in TLS must not be taken for plain text).
 *
 *----------------------------------------------------------------------
 */

static void
FinishUnimport(
    void *clientData)
{
    TlsConn *connPtr = (TlsConn *) clientData;
    Tcl_Channel down;

    connPtr->unimportTimer = NULL;
    if (connPtr->self == NULL || Tcl_GetChannelType(
	    Tcl_GetTopChannel(connPtr->self)) != &tlsChannelType) {
	return;		/* Closed, or another layer is on top now. */
    }
    if ((connPtr->flags & TLS_CONN_TCL_INPUT)
	    || Tcl_InputBuffered(connPtr->self) > 0) {
	UnimportProgress(connPtr);	/* Arms again, or waits for the
					 * script to read (TlsWatchProc). */
	return;
    }
    connPtr->flags &= ~TLS_CONN_UNSTACK_IDLE;
    (void) Unstack(NULL, connPtr, &down);	/* Frees connPtr. */
}

static void
TlsUnimportTimerProc(
    void *clientData)
{
    TlsConn *connPtr = (TlsConn *) clientData;

    connPtr->unimportTimer = NULL;
    if (!(connPtr->flags & TLS_CONN_UNIMPORTING)) {
	return;
    }
    connPtr->flags &= ~TLS_CONN_UNIMPORTING;
    TlsErrorUnimportTimeout(NULL, connPtr,
	    Tcl_GetChannelName(connPtr->self), connPtr->unimportMs);
    connPtr->state = TLS_FAILED;
    TlsChannelUpdate(connPtr);	/* The script's handlers see the error. */
}

/*
 *----------------------------------------------------------------------
 *
 * TlsInputProc, TlsOutputProc --
 *
 *	Data in and out; see TlsConnRead and TlsConnWrite.
 *
 *----------------------------------------------------------------------
 */

static int
TlsInputProc(
    void *instanceData,
    char *buf,
    int bufSize,
    int *errorCodePtr)
{
    TlsConn *connPtr = (TlsConn *) instanceData;
    int n;

    Tcl_Preserve(connPtr);	/* A callback may close the channel. */
    TlsBioPush(connPtr);	/* The peer may be waiting for it. */
    n = TlsConnRead(connPtr, buf, bufSize, errorCodePtr);
    TlsChannelUpdate(connPtr);
    Tcl_Release(connPtr);
    return n;
}

static int
TlsOutputProc(
    void *instanceData,
    const char *buf,
    int toWrite,
    int *errorCodePtr)
{
    TlsConn *connPtr = (TlsConn *) instanceData;
    int n;

    Tcl_Preserve(connPtr);	/* A callback may close the channel. */
    n = TlsConnWrite(connPtr, buf, toWrite, errorCodePtr);
    if (n > 0) {
	TlsBioNoteWrite(connPtr, toWrite);
    }
    /*
     * Also after a write: one that finished the handshake may have read
     * application data with it, which now waits inside the layer where
     * the socket cannot signal it (the self-notifying timer is armed).
     */
    TlsChannelUpdate(connPtr);
    Tcl_Release(connPtr);
    return n;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsBlockModeProc --
 *
 *	Follows the script's -blocking on the channel below as well.
 *
 *----------------------------------------------------------------------
 */

static int
TlsBlockModeProc(
    void *instanceData,
    int mode)
{
    TlsConn *connPtr = (TlsConn *) instanceData;

    if (mode == TCL_MODE_NONBLOCKING) {
	connPtr->flags |= TLS_CONN_NONBLOCK;
	TlsDeadlineStart(connPtr);	/* The event loop drives it now. */
    } else {
	connPtr->flags &= ~TLS_CONN_NONBLOCK;
    }
    TlsChannelUpdate(connPtr);
    return TlsBioDownBlocking(connPtr, mode == TCL_MODE_BLOCKING);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsClose2Proc --
 *
 *	Full close (and tls::unimport): sends close_notify without blocking
 *	and frees the layer. The channel below is closed or kept by Tcl.
 *	Tcl refuses half closes on stacked channels before calling this.
 *
 *----------------------------------------------------------------------
 */

static int
TlsClose2Proc(
    void *instanceData,
    TCL_UNUSED(Tcl_Interp *),
    int flags)
{
    TlsConn *connPtr = (TlsConn *) instanceData;

    if (flags & (TCL_CLOSE_READ | TCL_CLOSE_WRITE)) {
	return EINVAL;
    }
    /*
     * No callbacks from here on. A connection that a callback dropped is
     * closed now, outside any callback: it may send its close_notify.
     */
    connPtr->flags |= TLS_CONN_CLOSED;
    connPtr->flags &= ~TLS_CONN_DROPPED;
    TlsBioPush(connPtr);	/* Nagle off: close_notify goes at once. */
    if (!(connPtr->flags & TLS_CONN_UNSTACKING)) {
	/*
	 * tls::unimport has shut TLS down already; what TLS did not
	 * consume below (plain data after a handshake that never began)
	 * stays there for the plain channel.
	 */
	TlsConnShutdown(connPtr, -1);
    }
    /*
     * Tcl normally closes the channel below next, which drops our watch
     * anyway; but at exit it closes only the top layer of a channel still
     * registered in an interpreter, and the socket's file handler would
     * leak.
     */
    TlsEventsDrop(connPtr);
    connPtr->self = NULL;
    connPtr->down = NULL;	/* Tcl closes or keeps it: hands off. */
    Tcl_EventuallyFree(connPtr, TlsFreeProc);
    return 0;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsFreeProc --
 *
 *	Frees the connection once no callback or event handler uses it.
 *
 *----------------------------------------------------------------------
 */

static void
TlsFreeProc(
    TlsFreeArg blockPtr)
{
    TlsConnFree((TlsConn *) blockPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsSetOptionProc, TlsGetOptionProc --
 *
 *	The TLS layer owns no fconfigure options: all go to the channel
 *	below (-peername, -sockname, -error, ...).
 *
 *----------------------------------------------------------------------
 */

static int
TlsSetOptionProc(
    void *instanceData,
    Tcl_Interp *interp,
    const char *optionName,
    const char *value)
{
    TlsConn *connPtr = (TlsConn *) instanceData;
    Tcl_DriverSetOptionProc *proc =
	    Tcl_ChannelSetOptionProc(Tcl_GetChannelType(connPtr->down));

    if (proc == NULL) {
	return Tcl_BadChannelOption(interp, optionName, "");
    }
    return proc(Tcl_GetChannelInstanceData(connPtr->down), interp,
	    optionName, value);
}

static int
TlsGetOptionProc(
    void *instanceData,
    Tcl_Interp *interp,
    const char *optionName,
    Tcl_DString *dsPtr)
{
    TlsConn *connPtr = (TlsConn *) instanceData;
    Tcl_DriverGetOptionProc *proc =
	    Tcl_ChannelGetOptionProc(Tcl_GetChannelType(connPtr->down));

    if (optionName != NULL && strcmp(optionName, "-error") == 0
	    && connPtr->downError != NULL) {
	/* The socket's error, read (and so cleared) to explain a failure. */
	Tcl_DStringAppend(dsPtr, Tcl_GetString(connPtr->downError), -1);
	Tcl_DecrRefCount(connPtr->downError);
	connPtr->downError = NULL;
	return TCL_OK;
    }
    if (proc != NULL) {
	return proc(Tcl_GetChannelInstanceData(connPtr->down), interp,
		optionName, dsPtr);
    }
    if (optionName == NULL) {
	return TCL_OK;
    }
    return Tcl_BadChannelOption(interp, optionName, "");
}

/*
 *----------------------------------------------------------------------
 *
 * TlsGetHandleProc --
 *
 *	The OS handle is the one of the channel below.
 *
 *----------------------------------------------------------------------
 */

static int
TlsGetHandleProc(
    void *instanceData,
    int direction,
    void **handlePtr)
{
    TlsConn *connPtr = (TlsConn *) instanceData;

    return TlsBioDownHandle(connPtr, direction, handlePtr);
}
