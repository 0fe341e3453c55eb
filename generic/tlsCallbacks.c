/*
 * tlsCallbacks.c --
 *
 *	Running Tcl scripts from inside OpenSSL safely: at global level,
 *	with the interpreter's state saved, the connection and interpreter
 *	preserved, a channel closed by its own callback closed later, and
 *	errors kept as the reason a handshake failed. The adapters that turn
 *	OpenSSL's callback arguments into script calls are in tlsHooks.c.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"


static int exIndex = -1;
TCL_DECLARE_MUTEX(exMutex)

/*
 *----------------------------------------------------------------------
 *
 * TlsExIndex --
 *
 *	The SSL ex_data slot that points from an SSL to its TlsConn,
 *	allocated once per process.
 *
 *----------------------------------------------------------------------
 */

int
TlsExIndex(void)
{
    if (exIndex < 0) {
	Tcl_MutexLock(&exMutex);
	if (exIndex < 0) {
	    exIndex = SSL_get_ex_new_index(0, (void *) "tls::conn", NULL,
		    NULL, NULL);
	}
	Tcl_MutexUnlock(&exMutex);
    }
    return exIndex;
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
 * TlsCallbackEval --
 *
 *	Runs prefix + arguments at global level in interp, keeping the
 *	interpreter's result and error state as they were. An error is
 *	reported as a background error when report is true.
 *
 * Results:
 *	The Tcl completion code. On TCL_OK, *resultPtr (if not NULL) gets
 *	the script's result with one reference the caller must drop; on an
 *	error, *resultPtr gets the error message likewise, and *optionsPtr
 *	(if not NULL) the return options dictionary, with one reference.
 *
 *----------------------------------------------------------------------
 */

int
TlsCallbackEval(
    Tcl_Interp *interp,
    Tcl_Obj *prefix,
    int objc,
    Tcl_Obj *const objv[],
    int report,
    Tcl_Obj **resultPtr,
    Tcl_Obj **optionsPtr)
{
    Tcl_Obj *cmdObj = Tcl_DuplicateObj(prefix);
    Tcl_InterpState saved;
    int code, i;

    Tcl_IncrRefCount(cmdObj);
    Tcl_Preserve(interp);
    saved = Tcl_SaveInterpState(interp, TCL_OK);
    for (i = 0, code = TCL_OK; i < objc && code == TCL_OK; i++) {
	code = Tcl_ListObjAppendElement(interp, cmdObj, objv[i]);
    }
    if (code == TCL_OK) {
	code = Tcl_EvalObjEx(interp, cmdObj, TCL_EVAL_GLOBAL);
    }
    if (resultPtr != NULL) {
	*resultPtr = Tcl_GetObjResult(interp);
	Tcl_IncrRefCount(*resultPtr);
    }
    if (optionsPtr != NULL) {
	*optionsPtr = Tcl_GetReturnOptions(interp, code);
	Tcl_IncrRefCount(*optionsPtr);
    }
    if (code == TCL_ERROR && report) {
	Tcl_AddErrorInfo(interp, "\n    (TLS callback)");
	Tcl_BackgroundException(interp, code);
    }
    Tcl_RestoreInterpState(interp, saved);
    Tcl_Release(interp);
    Tcl_DecrRefCount(cmdObj);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsCallbackCannotRun --
 *
 *	Why a connection's callbacks cannot run now, if they cannot: the
 *	channel is closing, its interpreter was deleted, or the channel
 *	moved to another thread (whose interpreters are not ours to call).
 *
 * Results:
 *	NULL when callbacks can run, else the reason in words.
 *
 *----------------------------------------------------------------------
 */

const char *
TlsCallbackCannotRun(
    TlsConn *connPtr)
{
    if (connPtr->flags & (TLS_CONN_CLOSED | TLS_CONN_DROPPED)) {
	return "the channel was closed";
    }
    if (connPtr->flags & TLS_CONN_MOVED) {
	return "the channel moved to another thread";
    }
    if (connPtr->interp == NULL || Tcl_InterpDeleted(connPtr->interp)) {
	return "its interpreter was deleted";
    }
    return NULL;
}

/*
 * HoldArgs, DropArgs --
 *	Take and drop one reference to each callback argument: the callback
 *	helpers own the arguments they are given (usually new objects with
 *	no reference), also when the callback does not run.
 */

static void
HoldArgs(
    int objc,
    Tcl_Obj *const objv[])
{
    int i;

    for (i = 0; i < objc; i++) {
	Tcl_IncrRefCount(objv[i]);
    }
}

static void
DropArgs(
    int objc,
    Tcl_Obj *const objv[])
{
    int i;

    for (i = 0; i < objc; i++) {
	Tcl_DecrRefCount(objv[i]);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DeferredClose --
 *
 *	Zero-delay timer: really closes a channel that a callback closed,
 *	by dropping the reference RunCallback kept.
 *
 *----------------------------------------------------------------------
 */

static void
DeferredClose(
    void *clientData)
{
    TlsConn *connPtr = (TlsConn *) clientData;

    if (connPtr->self != NULL) {
	Tcl_UnregisterChannel(NULL, connPtr->self);
    }
    Tcl_Release(connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * RunCallback --
 *
 *	Runs a script of a connection (TlsCallbackEval) with the connection
 *	marked as inside a callback. Callbacks run inside Tcl's own I/O
 *	calls on the channel (a flush that drives the handshake), where
 *	closing the channel would free what Tcl's caller still uses: the
 *	channel is held by one more reference meanwhile, so a "close" of
 *	the script only takes it out of the interpreter. When that was its
 *	last reference, the connection is dropped (TLS_CONN_DROPPED: no
 *	more callbacks, the handshake fails) and the real close follows
 *	from a zero-delay timer, outside any I/O call (not an idle callback:
 *	a script that keeps events coming would starve it).
 *
 * Results:
 *	As TlsCallbackEval.
 *
 *----------------------------------------------------------------------
 */

static int
RunCallback(
    TlsConn *connPtr,
    Tcl_Obj *prefix,
    int objc,
    Tcl_Obj *const objv[],
    int report,
    Tcl_Obj **resultPtr)
{
    Tcl_Interp *interp = connPtr->interp;
    Tcl_Channel chan = connPtr->self;
    int pinned = chan != NULL && Tcl_IsChannelRegistered(interp, chan);
    int code;

    if (pinned) {
	Tcl_RegisterChannel(NULL, chan);
    }
    connPtr->flags |= TLS_CONN_IN_CALLBACK;
    code = TlsCallbackEval(interp, prefix, objc, objv, report, resultPtr,
	    NULL);
    connPtr->flags &= ~TLS_CONN_IN_CALLBACK;
    if (!pinned) {
	return code;
    }
    if (connPtr->self == chan && !Tcl_IsChannelShared(chan)) {
	connPtr->flags |= TLS_CONN_DROPPED;	/* Ours is the last one. */
	if (prefix == connPtr->command && objc > 0) {
	    TlsCallbackVerdict(connPtr, Tcl_ObjPrintf("channel closed by the %s "
		    "callback", Tcl_GetString(objv[0])));
	}
	Tcl_Preserve(connPtr);
	(void) Tcl_CreateTimerHandler(0, DeferredClose, connPtr);
    } else {
	Tcl_UnregisterChannel(NULL, chan);
    }
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsCallbackVerdict --
 *
 *	A deciding callback (verify, hello, sni) refused the handshake, or
 *	a callback closed its channel: msgObj (any refcount) becomes the
 *	reason the handshake fails, in place of an error an informational
 *	callback may have raised before. The first verdict stays.
 *
 *----------------------------------------------------------------------
 */

void
TlsCallbackVerdict(
    TlsConn *connPtr,
    Tcl_Obj *msgObj)
{
    Tcl_IncrRefCount(msgObj);
    if (connPtr->flags & TLS_CONN_CB_DECIDED) {
	Tcl_DecrRefCount(msgObj);
	return;
    }
    if (connPtr->cbError != NULL) {
	Tcl_DecrRefCount(connPtr->cbError);
    }
    connPtr->cbError = msgObj;
    connPtr->flags |= TLS_CONN_CB_DECIDED;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsCallbackCommand --
 *
 *	Runs the -command callback of a connection with the arguments of
 *	one form. Skipped (TCL_BREAK) when it cannot run (TlsCallbackCannotRun). An
 *	error is reported as a background error and kept on the connection:
 *	as the verdict when the form decides, else as the explanation of a
 *	failure nothing else explains.
 *
 * Results:
 *	The Tcl completion code (TCL_ERROR too when the script closed the
 *	channel); *resultPtr as for TlsCallbackEval.
 *
 * Side effects:
 *	Frees the arguments (objv) it was given with no reference.
 *
 *----------------------------------------------------------------------
 */

int
TlsCallbackCommand(
    TlsConn *connPtr,
    int decides,
    int objc,
    Tcl_Obj *const objv[],
    Tcl_Obj **resultPtr)
{
    Tcl_Obj *resObj = NULL;
    int code = TCL_BREAK;

    HoldArgs(objc, objv);
    if (TlsCallbackCannotRun(connPtr) != NULL) {
	DropArgs(objc, objv);
	return code;
    }
    Tcl_Preserve(connPtr);
    code = RunCallback(connPtr, connPtr->command, objc, objv, 1, &resObj);
    if (connPtr->flags & (TLS_CONN_CLOSED | TLS_CONN_DROPPED)) {
	code = TCL_ERROR;	/* The script closed the channel: stop. */
    } else if (code == TCL_ERROR && decides) {
	TlsCallbackVerdict(connPtr, resObj);
    } else if (code == TCL_ERROR && connPtr->cbError == NULL) {
	connPtr->cbError = resObj;
	Tcl_IncrRefCount(resObj);
    }
    if (resultPtr != NULL && code == TCL_OK) {
	*resultPtr = resObj;
    } else {
	Tcl_DecrRefCount(resObj);
    }
    Tcl_Release(connPtr);
    DropArgs(objc, objv);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsCallbackDecide --
 *
 *	Runs a callback whose answer decides whether the handshake goes on
 *	(verify, hello, sni). One that cannot run fails closed: a pinning
 *	verify callback must not be replaced by the default verdict because
 *	its interpreter is gone.
 *
 * Results:
 *	As TlsCallbackCommand, but TCL_ERROR (with the reason as the verdict) when
 *	the callback cannot run.
 *
 *----------------------------------------------------------------------
 */

int
TlsCallbackDecide(
    TlsConn *connPtr,
    int objc,
    Tcl_Obj *const objv[],
    Tcl_Obj **resultPtr)
{
    const char *why = TlsCallbackCannotRun(connPtr);

    if (why != NULL) {
	TlsCallbackVerdict(connPtr, Tcl_ObjPrintf("the %s callback cannot run: %s",
		Tcl_GetString(objv[0]), why));
	HoldArgs(objc, objv);
	DropArgs(objc, objv);
	return TCL_ERROR;
    }
    return TlsCallbackCommand(connPtr, 1, objc, objv, resultPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsCallbackNotify --
 *
 *	Runs a callback that only informs (alpn, session, and the http
 *	package's registerError): its result and any error are ignored,
 *	without a background error. A -command written for TclTLS 1.x
 *	knows only info, verify and error and often raises an error for
 *	other forms; that must not bother the application. Skipped when it
 *	cannot run. Frees the arguments given with no reference.
 *
 *----------------------------------------------------------------------
 */

void
TlsCallbackNotify(
    TlsConn *connPtr,
    Tcl_Obj *prefix,
    int objc,
    Tcl_Obj *const objv[])
{
    HoldArgs(objc, objv);
    if (TlsCallbackCannotRun(connPtr) == NULL) {
	RunCallback(connPtr, prefix, objc, objv, 0, NULL);
    }
    DropArgs(objc, objv);
}

/*
 * TlsCallbackChannelName --
 *	The channel name of a connection as a new object (refcount 0),
 *	empty once the channel is closed.
 */

Tcl_Obj *
TlsCallbackChannelName(
    TlsConn *connPtr)
{
    return Tcl_NewStringObj(connPtr->self != NULL
	    ? Tcl_GetChannelName(connPtr->self) : "", -1);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsCallbackError --
 *
 *	"error channel message": tells the -command callback why the
 *	connection failed, once. A client also tells Tcl's http package,
 *	when it is loaded (::http::registerError channel message): http
 *	reports a handshake that fails inside its first flush as "failed
 *	to use socket" unless the transport registered the reason.
 *
 *----------------------------------------------------------------------
 */

void
TlsCallbackError(
    TlsConn *connPtr)
{
    Tcl_Obj *objv[3];
    Tcl_CmdInfo info;

    if (connPtr->errorObj == NULL || TlsCallbackCannotRun(connPtr) != NULL) {
	return;
    }
    if (connPtr->command != NULL) {
	objv[0] = Tcl_NewStringObj("error", -1);
	objv[1] = TlsCallbackChannelName(connPtr);
	objv[2] = connPtr->errorObj;
	TlsCallbackCommand(connPtr, 0, 3, objv, NULL);
    }
    if (!(connPtr->flags & TLS_CONN_SERVER)
	    && TlsCallbackCannotRun(connPtr) == NULL
	    && Tcl_GetCommandInfo(connPtr->interp, "::http::registerError",
		    &info)) {
	Tcl_Obj *prefix = Tcl_NewStringObj("::http::registerError", -1);

	Tcl_IncrRefCount(prefix);
	objv[0] = TlsCallbackChannelName(connPtr);
	objv[1] = connPtr->errorObj;
	TlsCallbackNotify(connPtr, prefix, 2, objv);
	Tcl_DecrRefCount(prefix);
    }
}
