/*
 * tlsCmds.c --
 *
 *	tls::import, tls::unimport and tls::handshake: the commands that
 *	stack, unstack and drive a TLS layer; and tls::init, which checks
 *	options the same way.
 */

#include "tlsInt.h"

/*
 *----------------------------------------------------------------------
 *
 * IsBlocking --
 *
 *	The channel's -blocking setting.
 *
 *----------------------------------------------------------------------
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
 * ModelContext --
 *
 *	For -model: the context of another TLS channel, shared.
 *
 * Results:
 *	TCL_OK with one reference in *ctxPtrPtr, or TCL_ERROR.
 *
 *----------------------------------------------------------------------
 */

static int
ModelContext(
    Tcl_Interp *interp,
    Tcl_Obj *modelObj,
    TlsContext **ctxPtrPtr)
{
    TlsConn *modelPtr = TlsChannelConn(interp, modelObj, NULL);

    if (modelPtr == NULL) {
	Tcl_AppendResult(interp, " (-model)", NULL);
	return TCL_ERROR;
    }
    TlsContextRetain(modelPtr->ctxPtr);
    *ctxPtrPtr = modelPtr->ctxPtr;
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsImportCmd --
 *
 *	tls::import channel ?options?: stacks a TLS layer on a channel.
 *	All options are checked and the context is ready before anything
 *	is stacked, so a failure leaves the channel as it was. The
 *	handshake starts with the first I/O (or tls::handshake, or the
 *	event loop for non-blocking channels).
 *
 * Results:
 *	The channel name, or an error.
 *
 *----------------------------------------------------------------------
 */

int
TlsImportCmd(
    TCL_UNUSED(void *),
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    TlsConfig cfg;
    TlsContext *ctxPtr = NULL;
    TlsConn *connPtr;
    Tcl_Channel chan;
    int mode, code = TCL_ERROR;

    if (objc < 2 || (objc % 2) != 0) {
	Tcl_WrongNumArgs(interp, 1, objv, "channel ?-option value ...?");
	Tcl_SetErrorCode(interp, "TLS", "USAGE", NULL);
	return TCL_ERROR;
    }
    chan = Tcl_GetChannel(interp, Tcl_GetString(objv[1]), &mode);
    if (chan == NULL) {
	Tcl_SetErrorCode(interp, "TLS", "CHANNEL", "UNKNOWN", NULL);
	return TCL_ERROR;
    }
    if ((mode & (TCL_READABLE | TCL_WRITABLE))
	    != (TCL_READABLE | TCL_WRITABLE)) {
	return TlsError(interp, Tcl_ObjPrintf(
		"channel \"%s\" must be open for reading and writing",
		Tcl_GetString(objv[1])), "CHANNEL", "MODE", NULL);
    }
    chan = Tcl_GetTopChannel(chan);

    TlsConfigInit(&cfg);
    if (TlsConfigParse(interp, objc - 2, objv + 2, &cfg) != TCL_OK) {
	goto done;
    }
    if (!cfg.nested && TlsChannelHasTls(chan)) {
	TlsError(interp, Tcl_ObjPrintf("channel \"%s\" has a TLS layer "
		"already: give -nested 1 for TLS inside TLS",
		Tcl_GetString(objv[1])), "CHANNEL", "NESTED", NULL);
	goto done;
    }
    if (cfg.model != NULL) {
	code = ModelContext(interp, cfg.model, &ctxPtr);
    } else {
	code = TlsContextGet(interp, &cfg, &ctxPtr);
    }
    if (code != TCL_OK) {
	goto done;
    }
    code = TCL_ERROR;
    connPtr = TlsConnNew(interp, chan, ctxPtr, &cfg,
	    cfg.server ? Tcl_NewListObj(objc - 2, objv + 2) : NULL);
    if (connPtr == NULL) {
	goto done;
    }
    if (!IsBlocking(chan)) {
	connPtr->flags |= TLS_CONN_NONBLOCK;
    }
    if (cfg.server || (connPtr->flags & TLS_CONN_NONBLOCK)) {
	TlsDeadlineStart(connPtr);	/* The peer may already be there. */
    }
    connPtr->self = Tcl_StackChannel(interp, TlsChannelType(), connPtr,
	    TCL_READABLE | TCL_WRITABLE, chan);
    if (connPtr->self == NULL) {
	TlsConnFree(connPtr);
	goto done;
    }
    connPtr->down = Tcl_GetStackedChannel(connPtr->self);
    TlsChannelRefresh(connPtr->self);
    TlsBioNoDelay(connPtr);
    connPtr->savedBufSize = Tcl_GetChannelBufferSize(connPtr->self);
    if (connPtr->savedBufSize < TLS_CHANNEL_BUFSIZE) {
	Tcl_SetChannelBufferSize(connPtr->self, TLS_CHANNEL_BUFSIZE);
    }
    TlsChannelUpdate(connPtr);
    Tcl_SetObjResult(interp, Tcl_NewStringObj(
	    Tcl_GetChannelName(connPtr->self), -1));
    code = TCL_OK;

  done:
    if (ctxPtr != NULL) {
	TlsContextRelease(ctxPtr);	/* The connection holds its own. */
    }
    TlsConfigFree(&cfg);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * CheckOptions --
 *
 *	Parses options and builds their context, as tls::import would, so
 *	that a bad value, a missing file or a wrong key password is
 *	reported at once. The context stays cached for the connections to
 *	come.
 *
 * Results:
 *	TCL_OK, or the error tls::import would give.
 *
 *----------------------------------------------------------------------
 */

static int
CheckOptions(
    Tcl_Interp *interp,
    Tcl_Size objc,
    Tcl_Obj *const objv[])
{
    TlsConfig cfg;
    TlsContext *ctxPtr;
    int code;

    TlsConfigInit(&cfg);
    code = TlsConfigParse(interp, objc, objv, &cfg);
    if (code == TCL_OK && cfg.model == NULL) {
	code = TlsContextGet(interp, &cfg, &ctxPtr);
	if (code == TCL_OK) {
	    TlsContextRelease(ctxPtr);
	}
    }
    TlsConfigFree(&cfg);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsCheckOptionsCmd --
 *
 *	tls::CheckOptions ?options? (internal): CheckOptions for
 *	tls::socket -server, when it starts listening.
 *
 *----------------------------------------------------------------------
 */

int
TlsCheckOptionsCmd(
    TCL_UNUSED(void *),
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    return CheckOptions(interp, objc - 1, objv + 1);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsParseOptionsCmd --
 *
 *	tls::ParseOptions ?options? (internal): checks the TLS options of a
 *	tls::socket call before it opens any socket, without building a
 *	context. Errors list tls::socket's own options with ours.
 *
 *----------------------------------------------------------------------
 */

int
TlsParseOptionsCmd(
    TCL_UNUSED(void *),
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    TlsConfig cfg;
    int code;

    TlsConfigInit(&cfg);
    cfg.forSocket = 1;
    code = TlsConfigParse(interp, objc - 1, objv + 1, &cfg);
    TlsConfigFree(&cfg);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsInitCmd --
 *
 *	tls::init ?options?: checks the options like tls::import would and
 *	stores them in ::tls::defaults, which tls::socket puts in front of
 *	its own options.
 *
 * Results:
 *	Standard Tcl result; the result is empty.
 *
 *----------------------------------------------------------------------
 */

int
TlsInitCmd(
    TCL_UNUSED(void *),
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    if (CheckOptions(interp, objc - 1, objv + 1) != TCL_OK) {
	return TCL_ERROR;
    }
    if (Tcl_SetVar2Ex(interp, "::tls::defaults", NULL,
	    Tcl_NewListObj(objc - 1, objv + 1), TCL_LEAVE_ERR_MSG) == NULL) {
	return TCL_ERROR;
    }
    Tcl_ResetResult(interp);
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
	left = ms > 0 ? ms - TlsElapsedMs(&start) : -1;
	if (ms > 0 && left <= 0) {
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
 *	The work of tls::unimport: flushes, exchanges close_notify with the
 *	peer, waiting at most ms, and unstacks the TLS layer
 *	(TlsChannelUnstack); on a non-blocking channel the wait goes on in
 *	the event loop (TlsChannelUnimportLater). Stops when a callback
 *	closed the channel meanwhile (it is no longer registered in interp).
 *
 * Results:
 *	TCL_OK, with the plain channel in *downPtr once unstacked (it is
 *	left alone while a non-blocking unimport waits), or TCL_ERROR with
 *	nothing unstacked.
 *
 *----------------------------------------------------------------------
 */

static int
Unstack(
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
    if (!blocking && Tcl_IsChannelRegistered(interp, chan)
	    && !TlsChannelUnimportLater(connPtr, ms)) {
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
	return TlsError(interp, Tcl_ObjPrintf("cannot unimport \"%s\": no "
		"close_notify from the peer within %d ms (TLS stays on: close "
		"the channel)", Tcl_GetString(nameObj), ms),
		"IO", "unimport", "TIMEOUT", NULL);
    }
    if (TlsChannelUnstack(interp, connPtr, downPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    Tcl_ResetResult(interp);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsUnimportCmd --
 *
 *	tls::unimport channel ?-timeout ms?: flushes, exchanges close_notify
 *	with the peer (waiting at most ms, TLS_UNIMPORT_WAIT by default, 0
 *	for no limit), and unstacks the TLS layer, leaving the plain channel
 *	open in the blocking mode it had. Bytes the peer sent after its
 *	close_notify are put back for the plain channel to read; before
 *	a handshake, everything waiting below stays there.
 *
 * Results:
 *	Empty, or an error: TLS is not the top layer, the peer does not
 *	take the data written or sends no close_notify in time (TLS stays),
 *	or a callback closed the channel meanwhile ({TLS CHANNEL CLOSED};
 *	the channel is then closed).
 *
 *----------------------------------------------------------------------
 */

int
TlsUnimportCmd(
    TCL_UNUSED(void *),
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    Tcl_Channel chan, down = NULL;
    TlsConn *connPtr;
    int code, ms = TLS_UNIMPORT_WAIT;

    if ((objc != 2 && objc != 4) || (objc == 4
	    && strcmp(Tcl_GetString(objv[2]), "-timeout") != 0)) {
	Tcl_WrongNumArgs(interp, 1, objv, "channel ?-timeout ms?");
	Tcl_SetErrorCode(interp, "TLS", "USAGE", NULL);
	return TCL_ERROR;
    }
    if (objc == 4 && (Tcl_GetIntFromObj(NULL, objv[3], &ms) != TCL_OK
	    || ms < 0)) {
	return TlsError(interp, Tcl_ObjPrintf("bad value \"%s\" for "
		"-timeout: must be a number of milliseconds, 0 for no limit",
		Tcl_GetString(objv[3])), "OPTION", "-timeout", NULL);
    }
    connPtr = TlsChannelConn(interp, objv[1], &chan);
    if (connPtr == NULL) {
	return TCL_ERROR;
    }
    if (Tcl_GetChannelType(chan) != TlsChannelType()) {
	return TlsError(interp, Tcl_ObjPrintf(
		"TLS is not the top layer of \"%s\"",
		Tcl_GetString(objv[1])), "CHANNEL", "NOTTOP", NULL);
    }
    if (connPtr->flags & (TLS_CONN_BUSY | TLS_CONN_UNSTACKING
	    | TLS_CONN_UNIMPORTING)) {
	return TlsErrorBusy(interp, connPtr);
    }
    /*
     * Callbacks run during the flush and the close_notify exchange, and
     * one may close the channel. Our own reference to the channel makes
     * that close only take it out of the interpreter: it really closes
     * when we let go, after OpenSSL is done with it.
     */
    Tcl_RegisterChannel(NULL, chan);
    Tcl_Preserve(connPtr);
    connPtr->flags |= TLS_CONN_UNSTACKING;
    code = Unstack(interp, connPtr, chan, objv[1], ms, &down);
    connPtr->flags &= ~TLS_CONN_UNSTACKING;
    Tcl_Release(connPtr);		/* Freed here after an unstack. */
    Tcl_UnregisterChannel(NULL, down != NULL ? down : chan);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsHandshakeCmd --
 *
 *	tls::handshake channel: drives the handshake.
 *
 * Results:
 *	1 when done, 0 while a non-blocking handshake waits for the peer,
 *	or the handshake's error.
 *
 *----------------------------------------------------------------------
 */

int
TlsHandshakeCmd(
    TCL_UNUSED(void *),
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    TlsConn *connPtr;
    int result;

    if (objc != 2) {
	Tcl_WrongNumArgs(interp, 1, objv, "channel");
	Tcl_SetErrorCode(interp, "TLS", "USAGE", NULL);
	return TCL_ERROR;
    }
    connPtr = TlsChannelConn(interp, objv[1], NULL);
    if (connPtr == NULL) {
	return TCL_ERROR;
    }
    Tcl_Preserve(connPtr);
    result = TlsConnHandshake(connPtr);
    TlsChannelUpdate(connPtr);
    if (result == TLS_IO_BUSY) {
	result = TlsErrorBusy(interp, connPtr);
    } else if (result == TLS_IO_ERROR) {
	result = TlsErrorRaise(interp, connPtr);
    } else {
	Tcl_SetObjResult(interp, Tcl_NewBooleanObj(result == TLS_IO_DONE));
	result = TCL_OK;
    }
    Tcl_Release(connPtr);
    return result;
}
