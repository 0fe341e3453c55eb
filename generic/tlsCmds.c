/*
 * tlsCmds.c --
 *
 *	tls::import, tls::unimport and tls::handshake: the commands that
 *	stack, unstack and drive a TLS layer; and tls::init, which checks
 *	options the same way. Here the arguments are parsed and checked;
 *	the channel work (stacking, flushing, unstacking) is done in
 *	tlsChannel.c.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"

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
 * ImportTarget --
 *
 *	The channel tls::import was given: it must exist and be open for
 *	reading and writing. TLS goes on the top of its stack.
 *
 * Results:
 *	TCL_OK with the top channel in *chanPtr, or TCL_ERROR.
 *
 *----------------------------------------------------------------------
 */

static int
ImportTarget(
    Tcl_Interp *interp,
    Tcl_Obj *nameObj,
    Tcl_Channel *chanPtr)
{
    int mode;
    Tcl_Channel chan = Tcl_GetChannel(interp, Tcl_GetString(nameObj), &mode);

    if (chan == NULL) {
	return TlsErrorNoChannel(interp);
    }
    if ((mode & (TCL_READABLE | TCL_WRITABLE))
	    != (TCL_READABLE | TCL_WRITABLE)) {
	return TlsError(interp, Tcl_ObjPrintf(
		"channel \"%s\" must be open for reading and writing",
		Tcl_GetString(nameObj)), "CHANNEL", "MODE", NULL);
    }
    *chanPtr = Tcl_GetTopChannel(chan);
    return TCL_OK;
}

/*
 * ImportContext --
 *	The context of a new connection: the one of -model's channel, or
 *	the one the options describe. TCL_OK with one reference in
 *	*ctxPtrPtr, or TCL_ERROR.
 */

static int
ImportContext(
    Tcl_Interp *interp,
    const TlsConfig *cfgPtr,
    TlsContext **ctxPtrPtr)
{
    if (cfgPtr->model != NULL) {
	return ModelContext(interp, cfgPtr->model, ctxPtrPtr);
    }
    return TlsContextGet(interp, cfgPtr, ctxPtrPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsImportCmd --
 *
 *	tls::import channel ?options?: stacks a TLS layer on a channel
 *	(TlsChannelStack). All options are checked and the context is ready
 *	before anything is stacked, so a failure leaves the channel as it
 *	was. The handshake starts with the first I/O (or tls::handshake, or
 *	the event loop for non-blocking channels).
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
    Tcl_Channel chan = NULL;
    int code = TCL_ERROR;

    if (objc < 2 || (objc % 2) != 0) {
	return TlsErrorUsage(interp, 1, objv, "channel ?-option value ...?");
    }
    if (ImportTarget(interp, objv[1], &chan) != TCL_OK) {
	return TCL_ERROR;
    }
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
    if (ImportContext(interp, &cfg, &ctxPtr) != TCL_OK) {
	goto done;
    }
    connPtr = TlsConnNew(interp, chan, ctxPtr, &cfg,
	    cfg.server ? Tcl_NewListObj(objc - 2, objv + 2) : NULL);
    if (connPtr == NULL
	    || TlsChannelStack(interp, connPtr, chan) != TCL_OK) {
	goto done;			/* TlsChannelStack freed connPtr. */
    }
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
 * TlsUnimportCmd --
 *
 *	tls::unimport channel ?-timeout ms?: flushes, exchanges close_notify
 *	with the peer (waiting at most ms, TLS_UNIMPORT_WAIT by default, 0
 *	for no limit), and unstacks the TLS layer (TlsChannelUnimport),
 *	leaving the plain channel open in the blocking mode it had. Bytes
 *	the peer sent after its close_notify are put back for the plain
 *	channel to read; before a handshake, everything waiting below stays
 *	there.
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
    Tcl_Channel chan;
    TlsConn *connPtr;
    int ms = TLS_UNIMPORT_WAIT;

    if ((objc != 2 && objc != 4) || (objc == 4
	    && strcmp(Tcl_GetString(objv[2]), "-timeout") != 0)) {
	return TlsErrorUsage(interp, 1, objv, "channel ?-timeout ms?");
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
    if (connPtr->flags & TLS_CONN_UNSTACK_IDLE) {
	return TCL_OK;		/* TLS is over: the layer is coming off. */
    }
    return TlsChannelUnimport(interp, connPtr, chan, objv[1], ms);
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
	return TlsErrorUsage(interp, 1, objv, "channel");
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
