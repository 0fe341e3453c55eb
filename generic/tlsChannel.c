/*
 * tlsChannel.c --
 *
 *	The Tcl channel type of a TLS layer. Each procedure is a thin
 *	translation of tlsConn.c, plus the event plumbing: the channel below
 *	is watched for what the script wants and for what the handshake
 *	needs, and because OpenSSL may hold decrypted bytes the channel below
 *	cannot signal, the layer notifies itself with a zero-delay timer
 *	whenever such bytes (or an EOF or error) wait for a watching script.
 */

#include "tlsInt.h"

static Tcl_DriverInputProc	TlsInputProc;
static Tcl_DriverOutputProc	TlsOutputProc;
static Tcl_DriverClose2Proc	TlsClose2Proc;
static Tcl_DriverBlockModeProc	TlsBlockModeProc;
static Tcl_DriverSetOptionProc	TlsSetOptionProc;
static Tcl_DriverGetOptionProc	TlsGetOptionProc;
static Tcl_DriverWatchProc	TlsWatchProc;
static Tcl_DriverGetHandleProc	TlsGetHandleProc;
static Tcl_DriverHandlerProc	TlsHandlerProc;
static Tcl_DriverThreadActionProc TlsThreadActionProc;
static Tcl_TimerProc		TlsTimerProc;
static Tcl_TimerProc		TlsDeadlineProc;
static Tcl_IdleProc		TlsTrimProc;
static Tcl_FreeProc		TlsFreeProc;

static Tcl_ExitProc		TlsExitHandler;
static void	ScheduleTrim(TlsConn *connPtr);
static void	UpdateDeadline(TlsConn *connPtr);
static TlsConn *	FindLayer(Tcl_Channel chan);
static void	CancelTimer(Tcl_TimerToken *tokenPtr);
static void	UnimportProgress(TlsConn *connPtr);
static Tcl_TimerProc		FinishUnimport;
static Tcl_TimerProc		TlsUnimportTimerProc;
static void	CancelTrim(TlsConn *connPtr);
static void	WithdrawWatch(TlsConn *connPtr);

/*
 * The layers stacked in each thread, so that process exit can take back
 * what they registered with the thread's notifier: Tcl abandons channels
 * still flushing in the background at exit (TIP 398) without calling
 * their close procedure. Each list is used only by its own thread.
 */

typedef struct ThreadData {
    TlsConn *firstPtr;
} ThreadData;

static Tcl_ThreadDataKey dataKey;
static int exiting = 0;		/* Process exit began: register nothing. */
static int exitHandlerSet = 0;
TCL_DECLARE_MUTEX(exitMutex)

static const Tcl_ChannelType tlsChannelType = {
    "tls",			/* Type name. */
    TLS_CHANNEL_VERSION,	/* v5: close2Proc, handler, thread action. */
    TCL_CLOSE2PROC,		/* Old close slot: use close2Proc. */
    TlsInputProc,
    TlsOutputProc,
    NULL,			/* No seeking on a TLS stream. */
    TlsSetOptionProc,
    TlsGetOptionProc,
    TlsWatchProc,
    TlsGetHandleProc,
    TlsClose2Proc,
    TlsBlockModeProc,
    NULL,			/* Flush: not used by Tcl. */
    TlsHandlerProc,
    NULL,			/* Wide seek. */
    TlsThreadActionProc,
    NULL			/* Truncate. */
};

/*
 *----------------------------------------------------------------------
 *
 * TlsChannelType --
 *
 *	The channel type, for tls::import.
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
	Tcl_SetErrorCode(interp, "TLS", "CHANNEL", "UNKNOWN", NULL);
	return NULL;
    }
    chan = Tcl_GetTopChannel(chan);
    connPtr = FindLayer(chan);
    if (connPtr == NULL) {
	TlsError(interp, Tcl_ObjPrintf("\"%s\" is not a TLS channel",
		Tcl_GetString(nameObj)), "CHANNEL", "NOTTLS", NULL);
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
 *----------------------------------------------------------------------
 *
 * TlsChannelRefresh, NoEvents --
 *
 *	Tcl does not tell a channel driver that is stacked on (or laid
 *	bare by an unstack) which events the script's fileevent handlers
 *	already watch: a readable handler set before tls::import would never
 *	fire. Adding and removing a handler makes Tcl recompute the
 *	channel's interest and call the top driver's watch procedure.
 *
 *----------------------------------------------------------------------
 */

static void
NoEvents(
    TCL_UNUSED(void *),
    TCL_UNUSED(int))
{
}

void
TlsChannelRefresh(
    Tcl_Channel chan)
{
    Tcl_CreateChannelHandler(chan, 0, NoEvents, NULL);
    Tcl_DeleteChannelHandler(chan, NoEvents, NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsChannelUnstack --
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

int
TlsChannelUnstack(
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
	TlsChannelRefresh(down);
	*downPtr = down;
    }
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsChannelUnimportLater --
 *
 *	tls::unimport of a non-blocking channel (after its output was
 *	flushed), which must never hold the event loop: close_notify goes
 *	out at once and the wait for the peer's (UnimportProgress) goes on
 *	from the event loop after the command has returned. What the script
 *	writes from now on is plain text, after our close_notify. The layer
 *	comes off from the event loop once the peer's close_notify is read;
 *	until then the channel reads nothing. If it has not come within ms
 *	(0: no limit), the layer stays and the next read raises {TLS IO
 *	unimport TIMEOUT}.
 *
 * Results:
 *	1 when there was nothing to wait for (no session, or the peer's
 *	close_notify is here already): the caller unstacks now; else 0.
 *
 *----------------------------------------------------------------------
 */

int
TlsChannelUnimportLater(
    TlsConn *connPtr,
    int ms)
{
    connPtr->flags |= TLS_CONN_UNIMPORTING;
    connPtr->unimportMs = ms;
    UnimportProgress(connPtr);
    if (connPtr->flags & TLS_CONN_UNSTACK_IDLE) {
	/* Nothing to wait for: the caller unstacks at once. */
	connPtr->flags &= ~TLS_CONN_UNSTACK_IDLE;
	CancelTimer(&connPtr->unimportTimer);
	return 1;
    }
    if (ms > 0 && (connPtr->flags & TLS_CONN_UNIMPORTING)) {
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
 *	A deferred tls::unimport goes as far as it can without waiting:
 *	close_notify goes out (if it has not yet) and the peer's is read
 *	(TlsConnCloseStep); when it has come, the layer comes off from a
 *	zero-delay timer (FinishUnimport), outside any driver call.
 *
 *----------------------------------------------------------------------
 */

static void
UnimportProgress(
    TlsConn *connPtr)
{
    if (!(connPtr->flags & TLS_CONN_UNIMPORTING)
	    || (connPtr->flags & (TLS_CONN_BUSY | TLS_CONN_CLOSED))
	    || !TlsConnCloseStep(connPtr)) {
	return;
    }
    connPtr->flags &= ~TLS_CONN_UNIMPORTING;
    connPtr->flags |= TLS_CONN_UNSTACK_IDLE;
    CancelTimer(&connPtr->unimportTimer);
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
 *	The end of a deferred tls::unimport: the layer comes off, or, when
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
    connPtr->flags &= ~TLS_CONN_UNSTACK_IDLE;
    if (connPtr->self == NULL || Tcl_GetChannelType(
	    Tcl_GetTopChannel(connPtr->self)) != &tlsChannelType) {
	return;		/* Closed, or another layer is on top now. */
    }
    (void) TlsChannelUnstack(NULL, connPtr, &down);	/* Frees connPtr. */
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
    TlsErrorSetConn(connPtr, Tcl_ObjPrintf("cannot unimport \"%s\": no "
	    "close_notify from the peer within %d ms (TLS stays on: close the "
	    "channel)", Tcl_GetChannelName(connPtr->self), connPtr->unimportMs),
	    TlsErrorCode("IO", "unimport", Tcl_NewStringObj("TIMEOUT", -1)));
    connPtr->state = TLS_FAILED;
    TlsChannelUpdate(connPtr);	/* The script's handlers see the error. */
}

/*
 *----------------------------------------------------------------------
 *
 * ListConn, UnlistConn --
 *
 *	Adds a layer to this thread's list (it was stacked or moved here),
 *	takes it off (it closes or moves away). Idempotent. The first call
 *	in the process also registers TlsExitHandler.
 *
 *----------------------------------------------------------------------
 */

static void
ListConn(
    TlsConn *connPtr)
{
    ThreadData *tsdPtr = (ThreadData *)
	    Tcl_GetThreadData(&dataKey, sizeof(ThreadData));

    if (connPtr->linkPtrPtr != NULL) {
	return;
    }
    Tcl_MutexLock(&exitMutex);
    if (!exitHandlerSet) {
	exitHandlerSet = 1;
	Tcl_CreateExitHandler(TlsExitHandler, NULL);
    }
    Tcl_MutexUnlock(&exitMutex);
    connPtr->nextPtr = tsdPtr->firstPtr;
    if (connPtr->nextPtr != NULL) {
	connPtr->nextPtr->linkPtrPtr = &connPtr->nextPtr;
    }
    tsdPtr->firstPtr = connPtr;
    connPtr->linkPtrPtr = &tsdPtr->firstPtr;
}

static void
UnlistConn(
    TlsConn *connPtr)
{
    if (connPtr->linkPtrPtr == NULL) {
	return;
    }
    *connPtr->linkPtrPtr = connPtr->nextPtr;
    if (connPtr->nextPtr != NULL) {
	connPtr->nextPtr->linkPtrPtr = connPtr->linkPtrPtr;
    }
    connPtr->nextPtr = NULL;
    connPtr->linkPtrPtr = NULL;
}

/*
 * CancelTimer --
 *	Deletes the timer handler a token field holds, if any, and clears
 *	the field.
 */

static void
CancelTimer(
    Tcl_TimerToken *tokenPtr)
{
    if (*tokenPtr != NULL) {
	Tcl_DeleteTimerHandler(*tokenPtr);
	*tokenPtr = NULL;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DetachEvents --
 *
 *	Takes back everything the layer registered with this thread's
 *	notifier: its timers, a scheduled trim, its watch on the channel
 *	below.
 *
 *----------------------------------------------------------------------
 */

static void
DetachEvents(
    TlsConn *connPtr)
{
    CancelTimer(&connPtr->timer);
    CancelTimer(&connPtr->deadlineTimer);
    CancelTimer(&connPtr->unimportTimer);
    connPtr->flags &= ~TLS_CONN_UNSTACK_IDLE;	/* Its timer is gone. */
    CancelTrim(connPtr);
    WithdrawWatch(connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsExitHandler --
 *
 *	Process exit: no event loop runs any more, so the layers of this
 *	thread drop their event registrations, and none are made from now
 *	on. Channels that Tcl still closes get their close procedure as
 *	usual.
 *
 *----------------------------------------------------------------------
 */

static void
TlsExitHandler(
    TCL_UNUSED(void *))
{
    ThreadData *tsdPtr = (ThreadData *)
	    Tcl_GetThreadData(&dataKey, sizeof(ThreadData));
    TlsConn *connPtr;

    exiting = 1;
    for (connPtr = tsdPtr->firstPtr; connPtr != NULL;
	    connPtr = connPtr->nextPtr) {
	DetachEvents(connPtr);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * TlsChannelUpdate --
 *
 *	Brings the event plumbing up to date after anything changed: asks
 *	the channel below for the events the script and the handshake need,
 *	and arms the self-notification timer when the script waits for
 *	input that is already inside the TLS layer; schedules the idle
 *	release of buffers (ScheduleTrim).
 *
 *----------------------------------------------------------------------
 */

void
TlsChannelUpdate(
    TlsConn *connPtr)
{
    int mask = connPtr->watchMask;
    int ready = 0;

    if ((connPtr->flags & TLS_CONN_CLOSED) || exiting) {
	return;
    }
    if (connPtr->state == TLS_HANDSHAKING
	    && (connPtr->flags & TLS_CONN_NONBLOCK)) {
	/*
	 * Drive the handshake from the event loop. Until a client's first
	 * step, "writable" tells that its connecting socket is ready; a
	 * server waits for the ClientHello (waking it on "writable" would
	 * cost an event-loop round for nothing).
	 */
	mask &= ~TCL_WRITABLE;
	mask |= TCL_READABLE;
	if ((connPtr->flags & TLS_CONN_WANT_WRITE)
		|| (SSL_in_before(connPtr->ssl)
		    && !(connPtr->flags & TLS_CONN_SERVER))) {
	    mask |= TCL_WRITABLE;
	}
    }
    if (connPtr->flags & TLS_CONN_UNIMPORTING) {
	mask |= TCL_READABLE;		/* For the peer's close_notify. */
    }
    if (mask != connPtr->downMask) {
	Tcl_DriverWatchProc *watchProc =
		Tcl_ChannelWatchProc(Tcl_GetChannelType(connPtr->down));

	connPtr->downMask = mask;
	if (watchProc != NULL) {
	    watchProc(Tcl_GetChannelInstanceData(connPtr->down), mask);
	}
    }

    if (connPtr->watchMask & TCL_READABLE) {
	ready = connPtr->state == TLS_OPEN ? TlsConnBuffered(connPtr)
		: connPtr->state != TLS_HANDSHAKING;
    }
    if ((connPtr->watchMask & TCL_WRITABLE)
	    && connPtr->state == TLS_FAILED) {
	ready = 1;
    }
    if (connPtr->flags & (TLS_CONN_UNIMPORTING | TLS_CONN_UNSTACK_IDLE)) {
	ready = 0;		/* Nothing to read until the layer is off. */
    }
    if (ready && connPtr->timer == NULL
	    && !(connPtr->flags & TLS_CONN_BUSY)) {
	connPtr->timer = Tcl_CreateTimerHandler(0, TlsTimerProc, connPtr);
    } else if (!ready) {
	CancelTimer(&connPtr->timer);
    }
    UpdateDeadline(connPtr);
    ScheduleTrim(connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * UpdateDeadline, TlsDeadlineProc --
 *
 *	A handshake whose clock runs has a timer for its deadline, so that
 *	a peer that says nothing cannot hold the connection: when it fires
 *	the handshake fails (TlsConnExpire) and the script's handlers
 *	see the error. The timer goes once the handshake is over.
 *
 *----------------------------------------------------------------------
 */

static void
UpdateDeadline(
    TlsConn *connPtr)
{
    int running = (connPtr->flags & TLS_CONN_CLOCK)
	    && connPtr->state == TLS_HANDSHAKING;

    if (running && connPtr->deadlineTimer == NULL) {
	int left = TlsDeadlineLeft(connPtr);

	connPtr->deadlineTimer = Tcl_CreateTimerHandler(left > 0 ? left : 0,
		TlsDeadlineProc, connPtr);
    } else if (!running) {
	CancelTimer(&connPtr->deadlineTimer);
    }
}

static void
TlsDeadlineProc(
    void *clientData)
{
    TlsConn *connPtr = (TlsConn *) clientData;

    connPtr->deadlineTimer = NULL;
    if (connPtr->flags & TLS_CONN_BUSY) {
	return;		/* The OpenSSL call under way updates us after. */
    }
    Tcl_Preserve(connPtr);
    if (TlsDeadlineLeft(connPtr) <= 0) {
	TlsConnExpire(connPtr);
    }
    TlsChannelUpdate(connPtr);	/* Readable/writable report the error. */
    Tcl_Release(connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * ReadyMask --
 *
 *	Which of the script's watched events can be reported now, given the
 *	events the channel below reported.
 *
 *----------------------------------------------------------------------
 */

static int
ReadyMask(
    TlsConn *connPtr,
    int mask)
{
    int ready = 0;

    if (connPtr->flags & TLS_CONN_UNIMPORTING) {
	UnimportProgress(connPtr);
	return mask & TCL_WRITABLE;	/* Tcl's background flush. */
    }
    if (connPtr->state == TLS_HANDSHAKING) {
	if (!(connPtr->flags & TLS_CONN_NONBLOCK)) {
	    return mask;	/* Blocking: I/O itself will handshake. */
	}
	if (TlsConnHandshake(connPtr) == TLS_IO_AGAIN) {
	    return 0;
	}
	mask |= connPtr->watchMask & TCL_WRITABLE;
    }
    if (connPtr->state == TLS_FAILED) {
	return connPtr->watchMask;
    }
    if ((connPtr->watchMask & TCL_READABLE) && TlsConnReadable(connPtr)) {
	ready |= TCL_READABLE;
    }
    return ready | (mask & TCL_WRITABLE);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsHandlerProc --
 *
 *	Called when the channel below reports events: advances the
 *	handshake, filters out "readable" when the record that arrived held
 *	no application data, and passes on what the script may act upon.
 *
 * Results:
 *	The events to report on the TLS channel.
 *
 *----------------------------------------------------------------------
 */

static int
TlsHandlerProc(
    void *instanceData,
    int mask)
{
    TlsConn *connPtr = (TlsConn *) instanceData;
    int ready;

    if (connPtr->flags & TLS_CONN_BUSY) {
	/*
	 * Called back from inside OpenSSL: Tcl's -async socket reports its
	 * connection from within the write below us. Acting now would
	 * re-enter OpenSSL (and send the ClientHello twice); the events
	 * come again once the outer call is done.
	 */
	return 0;
    }
    Tcl_Preserve(connPtr);
    ready = ReadyMask(connPtr, mask);
    if (connPtr->flags & TLS_CONN_CLOSED) {
	ready = 0;		/* A callback closed the channel: Tcl must
				 * not go on notifying it. */
    }
    TlsChannelUpdate(connPtr);
    Tcl_Release(connPtr);
    return ready;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsTimerProc --
 *
 *	Self-notification: input waits inside the TLS layer (or EOF, or an
 *	error), which the channel below cannot signal.
 *
 *----------------------------------------------------------------------
 */

static void
TlsTimerProc(
    void *clientData)
{
    TlsConn *connPtr = (TlsConn *) clientData;
    int ready;

    connPtr->timer = NULL;
    if (connPtr->flags & TLS_CONN_BUSY) {
	/*
	 * A callback entered the event loop (update, vwait) while OpenSSL
	 * runs for us: the OpenSSL call updates the layer when it returns.
	 * Arming the timer again here would spin inside that update.
	 */
	return;
    }
    Tcl_Preserve(connPtr);
    ready = ReadyMask(connPtr, 0) & connPtr->watchMask;
    if (ready && !(connPtr->flags & TLS_CONN_CLOSED)) {
	Tcl_NotifyChannel(connPtr->self, ready);
    }
    TlsChannelUpdate(connPtr);
    Tcl_Release(connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsWatchProc --
 *
 *	The script's interest changed (Tcl calls this after reads, too).
 *
 *----------------------------------------------------------------------
 */

static void
TlsWatchProc(
    void *instanceData,
    int mask)
{
    TlsConn *connPtr = (TlsConn *) instanceData;

    connPtr->watchMask = mask & (TCL_READABLE | TCL_WRITABLE);
    TlsChannelUpdate(connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * ScheduleTrim, TlsTrimProc --
 *
 *	Gives back the spare input buffers Tcl keeps on an idle channel,
 *	and our own ciphertext read-ahead buffer (TlsBioRelease).
 *	Tcl holds on to an emptied input buffer (and another spare one) of
 *	the channel's -buffersize, 16 KiB while TLS is stacked: on a server
 *	with many idle connections that is half the memory of each.
 *	Tcl_SetChannelBufferSize frees exactly those spare buffers when the
 *	size changes, so at idle time TlsTrimProc changes it and sets it
 *	back. Never while OpenSSL or a callback runs: a script there may
 *	enter the event loop while Tcl is filling one of those buffers.
 *
 *----------------------------------------------------------------------
 */

static void
ScheduleTrim(
    TlsConn *connPtr)
{
    if (!(connPtr->flags & (TLS_CONN_TRIM | TLS_CONN_CLOSED)) && !exiting) {
	connPtr->flags |= TLS_CONN_TRIM;
	Tcl_DoWhenIdle(TlsTrimProc, connPtr);
    }
}

static void
TlsTrimProc(
    void *clientData)
{
    TlsConn *connPtr = (TlsConn *) clientData;
    int size;

    connPtr->flags &= ~TLS_CONN_TRIM;
    if (connPtr->self == NULL
	    || (connPtr->flags & (TLS_CONN_BUSY | TLS_CONN_IN_CALLBACK))) {
	return;
    }
    size = Tcl_GetChannelBufferSize(connPtr->self);
    Tcl_SetChannelBufferSize(connPtr->self, size > 1 ? size - 1 : size + 1);
    Tcl_SetChannelBufferSize(connPtr->self, size);
    TlsBioRelease(connPtr);
}

/*
 * CancelTrim --
 *	Drops a scheduled TlsTrimProc (the channel closes or changes thread).
 */

static void
CancelTrim(
    TlsConn *connPtr)
{
    if (connPtr->flags & TLS_CONN_TRIM) {
	connPtr->flags &= ~TLS_CONN_TRIM;
	Tcl_CancelIdleCall(TlsTrimProc, connPtr);
    }
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
 * WithdrawWatch --
 *
 *	Takes back the events we asked of the channel below (its file
 *	handler, for a socket), when the layer closes or its channel leaves
 *	this thread: the handler lives in this thread's notifier.
 *
 *----------------------------------------------------------------------
 */

static void
WithdrawWatch(
    TlsConn *connPtr)
{
    Tcl_DriverWatchProc *watchProc;

    if (connPtr->downMask == 0 || connPtr->down == NULL) {
	return;
    }
    watchProc = Tcl_ChannelWatchProc(Tcl_GetChannelType(connPtr->down));
    connPtr->downMask = 0;
    if (watchProc != NULL) {
	watchProc(Tcl_GetChannelInstanceData(connPtr->down), 0);
    }
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
    DetachEvents(connPtr);
    UnlistConn(connPtr);
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

/*
 *----------------------------------------------------------------------
 *
 * TlsThreadActionProc --
 *
 *	A channel moving to another thread (thread::transfer): leaving, it
 *	takes its timer away and stops calling back into the interpreter of
 *	the old thread; arriving, it asks the channel below again for the
 *	events it needs, so the new thread's event loop drives it.
 *
 *----------------------------------------------------------------------
 */

static void
TlsThreadActionProc(
    void *instanceData,
    int action)
{
    TlsConn *connPtr = (TlsConn *) instanceData;

    if (action == TCL_CHANNEL_THREAD_REMOVE) {
	DetachEvents(connPtr);		/* They are this thread's. */
	UnlistConn(connPtr);
	TlsConnForgetInterp(connPtr);
	connPtr->flags |= TLS_CONN_MOVED;	/* Callbacks fail closed. */
    } else {
	ListConn(connPtr);
	connPtr->downMask = -1;		/* Unknown in this thread. */
	TlsChannelUpdate(connPtr);
    }
}
