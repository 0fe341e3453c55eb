/*
 * tlsEvents.c --
 *
 *	The event plumbing of a TLS layer (the channel type itself is in
 *	tlsChannel.c), with the driver's watch, handler and thread action
 *	procedures. The channel below is watched for what the script
 *	wants and for what the handshake needs; because OpenSSL may hold
 *	decrypted bytes the channel below cannot signal, the layer notifies
 *	itself with a zero-delay timer whenever such bytes (or an EOF or
 *	error) wait for a watching script. Also here: the handshake deadline
 *	timer, the idle release of buffers, and this thread's list of layers
 *	that process exit takes back from the notifier.
 *
 *	Every timer, idle callback and watch registered here belongs to the
 *	layer's TlsConn and to the thread that runs it; TlsEventsDrop takes
 *	them all back.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"

static Tcl_TimerProc	TlsTimerProc;
static Tcl_TimerProc	TlsDeadlineProc;
static Tcl_TimerProc	TrimTimerProc;
static void		ArmTrim(TlsConn *connPtr);
static void		TlsTrimProc(TlsConn *connPtr);
static void		FreeTclBuffers(TlsConn *connPtr);
static Tcl_ExitProc	TlsExitHandler;
static void		ScheduleTrim(TlsConn *connPtr);
static void		CancelTrim(TlsConn *connPtr);
static void		UpdateDeadline(TlsConn *connPtr);

/*
 * The layers stacked in each thread, so that process exit can take back
 * what they registered with the thread's notifier: Tcl abandons channels
 * still flushing in the background at exit (TIP 398) without calling
 * their close procedure. Each list is used only by its own thread.
 */

typedef struct ThreadData {
    TlsConn *firstPtr;
    int threadStopSet;		/* ThreadStop registered for this thread. */
} ThreadData;

static Tcl_ThreadDataKey dataKey;
static int exiting = 0;		/* Process exit began: register nothing. */
static int exitHandlerSet = 0;
TCL_DECLARE_MUTEX(exitMutex)

/*
 *----------------------------------------------------------------------
 *
 * TlsChannelRefresh, NoEvents --
 *
 *	Makes Tcl tell the top driver of chan which events the script's
 *	fileevent handlers watch, by adding and removing a handler that
 *	watches nothing: each makes Tcl recompute the channel's interest and
 *	call the top driver's watch procedure.
 *
 *	Workaround for Tcl: Tcl_StackChannel does not call the watch
 *	procedure of the driver it stacks, so a layer put on a channel whose
 *	script already has a handler is not told about it until the handlers
 *	change (seen in Tcl 8.6.13 and 9.0.1). Our layer passes on only the
 *	events in its watchMask (TlsHandlerProc), so a readable handler set
 *	before tls::import would never fire (channel-import.7 fails without
 *	the call in TlsChannelStack). Tcl_UnstackChannel, on the other hand,
 *	does recompute the interest of the driver it lays bare in those
 *	versions: the call after an unstack is not needed there, but kept.
 *	Plain-Tcl reproduction of both: tools/tcl-watch-refresh.tcl.
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
 * ListConn, UnlistConn --
 *
 *	Adds a layer to this thread's list (it was stacked or moved here),
 *	takes it off (it closes or moves away). Idempotent. The first call
 *	in the process also registers TlsExitHandler.
 *
 *----------------------------------------------------------------------
 */

/*
 * ThreadStop --
 *	At the exit of a thread that had layers (stacked there or moved
 *	there by thread::transfer): ends OpenSSL's state of this thread now,
 *	among Tcl's thread exit handlers, instead of in OpenSSL's own
 *	thread-exit destructor, which runs after the Thread package has told
 *	"thread::release -wait" that the thread is gone: a process that then
 *	exits ran OpenSSL's atexit cleanup concurrently with it
 *	(ThreadSanitizer: use of a freed lock; multicore.test).
 */

static void
ThreadStop(
    TCL_UNUSED(void *))
{
    OPENSSL_thread_stop();
}

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
    if (!tsdPtr->threadStopSet) {
	tsdPtr->threadStopSet = 1;
	Tcl_CreateThreadExitHandler(ThreadStop, NULL);
    }
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
 * TlsEventsCancelTimer --
 *	Deletes the timer handler a token field of a TlsConn holds, if any,
 *	and clears the field.
 */

void
TlsEventsCancelTimer(
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
    TlsEventsCancelTimer(&connPtr->timer);
    TlsEventsCancelTimer(&connPtr->deadlineTimer);
    TlsEventsCancelTimer(&connPtr->unimportTimer);
    CancelTrim(connPtr);
    WithdrawWatch(connPtr);
}

/*
 * TlsEventsDrop --
 *	The layer closes: everything it registered with this thread's
 *	notifier is taken back, and it leaves the thread's list.
 */

void
TlsEventsDrop(
    TlsConn *connPtr)
{
    DetachEvents(connPtr);
    UnlistConn(connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsThreadActionProc --
 *
 *	The driver's thread action procedure: the layer arrives in this
 *	thread (it is stacked, or its channel moved here with
 *	thread::transfer) or leaves it (unstacked, or moved away). Leaving,
 *	it takes back what it registered with this thread's notifier and
 *	stops calling back into the interpreter of the old thread; arriving,
 *	it joins the thread's list and asks the channel below again for the
 *	events it needs, so this thread's event loop drives it.
 *
 *----------------------------------------------------------------------
 */

void
TlsThreadActionProc(
    void *instanceData,
    int action)
{
    TlsConn *connPtr = (TlsConn *) instanceData;

    if (action == TCL_CHANNEL_THREAD_REMOVE) {
	TlsEventsDrop(connPtr);		/* They are this thread's. */
	TlsConnForgetInterp(connPtr);
	connPtr->flags |= TLS_CONN_MOVED;	/* Callbacks fail closed. */
    } else {
	ListConn(connPtr);
	connPtr->downMask = -1;		/* Unknown in this thread. */
	TlsChannelUpdate(connPtr);
    }
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
 * DownMask, WatchBelow --
 *
 *	The events to ask of the channel below: those the script watches,
 *	adjusted for a handshake driven from the event loop and for a
 *	deferred unimport awaiting close_notify. WatchBelow asks for them
 *	when they changed.
 *
 *----------------------------------------------------------------------
 */

static int
DownMask(
    TlsConn *connPtr)
{
    int mask = connPtr->watchMask;

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
    return mask;
}

static void
WatchBelow(
    TlsConn *connPtr,
    int mask)
{
    Tcl_DriverWatchProc *watchProc;

    if (mask == connPtr->downMask) {
	return;
    }
    watchProc = Tcl_ChannelWatchProc(Tcl_GetChannelType(connPtr->down));
    connPtr->downMask = mask;
    if (watchProc != NULL) {
	watchProc(Tcl_GetChannelInstanceData(connPtr->down), mask);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * InsideReady --
 *
 *	Whether a watching script has something to act upon that the
 *	channel below cannot signal: decrypted input (or EOF, or an error)
 *	inside the layer, or a failure a writer must see.
 *
 *----------------------------------------------------------------------
 */

static int
InsideReady(
    TlsConn *connPtr)
{
    int ready = 0;

    if (connPtr->watchMask & TCL_READABLE) {
	ready = connPtr->state == TLS_OPEN ? TlsConnBuffered(connPtr)
		: connPtr->state != TLS_HANDSHAKING;
    }
    if ((connPtr->watchMask & TCL_WRITABLE)
	    && connPtr->state == TLS_FAILED) {
	ready = 1;
    }
    if (connPtr->flags & TLS_CONN_UNIMPORTING) {
	ready = 0;		/* Nothing to read until TLS is over. */
    } else if (connPtr->flags & TLS_CONN_UNSTACK_IDLE) {
	/* Plain text the peer sent after its close_notify. */
	ready = (connPtr->watchMask & TCL_READABLE) && TlsConnBuffered(connPtr);
    }
    return ready;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsChannelUpdate --
 *
 *	Brings the event plumbing up to date after anything changed: asks
 *	the channel below for the events the script and the handshake need,
 *	and arms the self-notification timer when the script waits for
 *	input that is already inside the TLS layer; keeps the handshake
 *	deadline timer and schedules the idle release of buffers
 *	(ScheduleTrim).
 *
 *----------------------------------------------------------------------
 */

void
TlsChannelUpdate(
    TlsConn *connPtr)
{
    int ready;

    if ((connPtr->flags & TLS_CONN_CLOSED) || exiting) {
	return;
    }
    WatchBelow(connPtr, DownMask(connPtr));
    ready = InsideReady(connPtr);
    if (ready && connPtr->timer == NULL
	    && !(connPtr->flags & TLS_CONN_BUSY)) {
	connPtr->timer = Tcl_CreateTimerHandler(0, TlsTimerProc, connPtr);
    } else if (!ready) {
	TlsEventsCancelTimer(&connPtr->timer);
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
	TlsEventsCancelTimer(&connPtr->deadlineTimer);
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
	connPtr->unimportStep(connPtr);	/* tlsChannel.c's. */
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
 *	The driver's handler procedure, called when the channel below
 *	reports events: advances the handshake, filters out "readable" when
 *	the record that arrived held no application data, and passes on
 *	what the script may act upon.
 *
 *	Workaround for Tcl: the socket driver finishes an -async connect
 *	from inside its output procedure when a write comes first, and
 *	reports the connection with Tcl_NotifyChannel right there, before
 *	the write returns (seen in Tcl 8.6.13 and 9.0.1, on non-blocking
 *	sockets). That write is OpenSSL's, made for us through the BIO, so
 *	we are called with TLS_CONN_BUSY set: acting now would re-enter
 *	OpenSSL (and send the ClientHello twice). We report nothing; the
 *	events come again once the outer call is done. Plain-Tcl
 *	reproduction: tools/tcl-async-connect-reentry.tcl.
 *
 * Results:
 *	The events to report on the TLS channel.
 *
 *----------------------------------------------------------------------
 */

int
TlsHandlerProc(
    void *instanceData,
    int mask)
{
    TlsConn *connPtr = (TlsConn *) instanceData;
    int ready;

    if (connPtr->flags & TLS_CONN_BUSY) {
	return 0;		/* Called back from inside OpenSSL: above. */
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
 *	The driver's watch procedure: the script's interest changed (Tcl
 *	calls this after reads, too).
 *
 *	A blocking channel whose last read ended at rest (TLS_CONN_RESTED,
 *	set by TlsConnRead) gives back the input buffer Tcl emptied: Tcl
 *	8.6 and 9 call this at the end of every gets and read, once the
 *	bytes are taken and the emptied buffer is set aside, and nothing
 *	of Tcl's holds it then; a blocking client may never run the event
 *	loop, where TlsTrimProc would do it. Not while OpenSSL or a
 *	callback runs, nor under another layer stacked on ours: Tcl may be
 *	filling that buffer for a read further up the stack.
 *
 *	It also notes for tls::unimport whether Tcl holds input of ours
 *	(TLS_CONN_TCL_TIMER), and once the layer waits to come off, tells
 *	tlsChannel.c when the script has read what Tcl held.
 *
 *----------------------------------------------------------------------
 */

void
TlsWatchProc(
    void *instanceData,
    int mask)
{
    TlsConn *connPtr = (TlsConn *) instanceData;

    connPtr->watchMask = mask & (TCL_READABLE | TCL_WRITABLE);
    if (connPtr->flags & TLS_CONN_UNSTACK_IDLE) {
	connPtr->unimportStep(connPtr);	/* Has the script read it all? */
    } else if (!(connPtr->flags & TLS_CONN_TCL_TIMER)
	    && connPtr->self != NULL && Tcl_InputBuffered(connPtr->self) > 0) {
	connPtr->flags |= TLS_CONN_TCL_TIMER;	/* See tlsChannel.c. */
    }
    if ((connPtr->flags & TLS_CONN_RESTED) && !(connPtr->flags
	    & (TLS_CONN_BUSY | TLS_CONN_IN_CALLBACK | TLS_CONN_CLOSED))
	    && connPtr->self != NULL
	    && Tcl_GetTopChannel(connPtr->self) == connPtr->self) {
	connPtr->flags &= ~TLS_CONN_RESTED;
	FreeTclBuffers(connPtr);
    }
    TlsChannelUpdate(connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * ScheduleTrim, ArmTrim, TrimTimerProc, TlsTrimProc, CancelTrim --
 *
 *	Gives back the spare input buffers Tcl keeps on a quiet channel,
 *	and our own ciphertext read-ahead buffer (TlsBioRelease), once the
 *	connection has had no I/O and no event for a while: between
 *	TLS_TRIM_QUIET_MS - TLS_TRIM_REARM_MS and TLS_TRIM_QUIET_MS.
 *	ScheduleTrim (every TlsChannelUpdate) arms trimTimer, or moves it
 *	TLS_TRIM_QUIET_MS ahead when it was armed more than
 *	TLS_TRIM_REARM_MS ago, so a busy connection's timer never comes due.
 *	CancelTrim drops the timer (the channel closes or changes thread).
 *	Never while OpenSSL or a callback runs: a script there may enter
 *	the event loop while Tcl is filling one of those buffers.
 *
 *	Why a timer pushed ahead, and not an idle callback (as before): a
 *	pending idle callback makes Tcl's event loop poll before it sleeps,
 *	and a poll of Tcl 8.6's threaded notifier is a round trip through
 *	its notifier thread (pipe write, select, condition variable), so
 *	every line of a request/response conversation paid a second
 *	notifier round trip and the freeing and allocation of both buffers
 *	(bench/RESULTS.md, "What each change bought"). And why the timer
 *	must not come due on a busy connection: Tcl 9's epoll notifier
 *	turns a wait of less than a millisecond into a zero timeout, so the
 *	last millisecond before a timer is spent polling (seen in Tcl
 *	9.0.1 as a worse 99th percentile of the round trip with a timer
 *	that fired every 5 ms on a busy connection).
 *
 *	Workaround for Tcl: Tcl keeps the emptied input buffer of an idle
 *	channel (after bulk reads at times a second one), of the channel's
 *	-buffersize, 16 KiB while TLS is stacked: on a server with many
 *	idle connections that is half the memory of each. No call gives it
 *	back, but Tcl_SetChannelBufferSize frees it when the size changes,
 *	so TlsTrimProc changes the size and sets it back (seen in Tcl 8.6.13
 *	and 9.0.1). Plain-Tcl reproduction: tools/tcl-spare-buffers.tcl.
 *
 *----------------------------------------------------------------------
 */

#define TLS_TRIM_QUIET_MS 5
#define TLS_TRIM_REARM_MS 2

static void
ArmTrim(
    TlsConn *connPtr)
{
    connPtr->flags |= TLS_CONN_TRIM;
    Tcl_GetTime(&connPtr->trimArmed);
    connPtr->trimTimer = Tcl_CreateTimerHandler(TLS_TRIM_QUIET_MS,
	    TrimTimerProc, connPtr);
}

static void
ScheduleTrim(
    TlsConn *connPtr)
{
    Tcl_Time now;

    if ((connPtr->flags & TLS_CONN_CLOSED) || exiting) {
	return;
    }
    if (!(connPtr->flags & TLS_CONN_TRIM)) {
	ArmTrim(connPtr);
	return;
    }
    Tcl_GetTime(&now);
    if ((now.sec - connPtr->trimArmed.sec) * 1000
	    + (now.usec - connPtr->trimArmed.usec) / 1000
	    >= TLS_TRIM_REARM_MS) {
	TlsEventsCancelTimer(&connPtr->trimTimer);
	ArmTrim(connPtr);
    }
}

static void
TrimTimerProc(
    void *clientData)
{
    TlsConn *connPtr = (TlsConn *) clientData;

    connPtr->trimTimer = NULL;
    connPtr->flags &= ~TLS_CONN_TRIM;
    if (connPtr->flags & (TLS_CONN_BUSY | TLS_CONN_IN_CALLBACK)) {
	ArmTrim(connPtr);		/* Not now: see above. */
	return;
    }
    TlsTrimProc(connPtr);
}

static void
TlsTrimProc(
    TlsConn *connPtr)
{
    if (connPtr->self == NULL) {
	return;
    }
    TlsBioPush(connPtr);	/* A burst of small writes ends here. */
    FreeTclBuffers(connPtr);
    TlsBioRelease(connPtr);
}

/*
 * FreeTclBuffers --
 *	Frees the spare and the emptied input buffer Tcl keeps for the
 *	channel (workaround above); the caller makes sure Tcl is not
 *	filling one. Buffered input and the -buffersize stay as they were.
 */

static void
FreeTclBuffers(
    TlsConn *connPtr)
{
    int size = Tcl_GetChannelBufferSize(connPtr->self);

    Tcl_SetChannelBufferSize(connPtr->self, size > 1 ? size - 1 : size + 1);
    Tcl_SetChannelBufferSize(connPtr->self, size);
}

static void
CancelTrim(
    TlsConn *connPtr)
{
    if (connPtr->flags & TLS_CONN_TRIM) {
	connPtr->flags &= ~TLS_CONN_TRIM;
	TlsEventsCancelTimer(&connPtr->trimTimer);
    }
}
