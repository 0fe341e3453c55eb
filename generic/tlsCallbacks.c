/*
 * tlsCallbacks.c --
 *
 *	Tcl scripts called from OpenSSL: one helper runs a script safely
 *	(global level, interpreter state saved, connection and interpreter
 *	preserved, errors kept), and the OpenSSL callbacks built on it:
 *	password, verify, info and ALPN selection.
 */

#include "tlsInt.h"
#include "tlsPlatform.h"

static void	SetVerdict(TlsConn *connPtr, Tcl_Obj *msgObj);

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
 * EvalScript --
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

static int
EvalScript(
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
 * CannotRun --
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

static const char *
CannotRun(
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
 *	Runs a script of a connection (EvalScript) with the connection
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
 *	As EvalScript.
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
    code = EvalScript(interp, prefix, objc, objv, report, resultPtr, NULL);
    connPtr->flags &= ~TLS_CONN_IN_CALLBACK;
    if (!pinned) {
	return code;
    }
    if (connPtr->self == chan && !Tcl_IsChannelShared(chan)) {
	connPtr->flags |= TLS_CONN_DROPPED;	/* Ours is the last one. */
	if (prefix == connPtr->command && objc > 0) {
	    SetVerdict(connPtr, Tcl_ObjPrintf("channel closed by the %s "
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
 * SetVerdict --
 *
 *	A deciding callback (verify, hello, sni) refused the handshake, or
 *	a callback closed its channel: msgObj (any refcount) becomes the
 *	reason the handshake fails, in place of an error an informational
 *	callback may have raised before. The first verdict stays.
 *
 *----------------------------------------------------------------------
 */

static void
SetVerdict(
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
 * RunCommand --
 *
 *	Runs the -command callback of a connection with the arguments of
 *	one form. Skipped (TCL_BREAK) when it cannot run (CannotRun). An
 *	error is reported as a background error and kept on the connection:
 *	as the verdict when the form decides, else as the explanation of a
 *	failure nothing else explains.
 *
 * Results:
 *	The Tcl completion code (TCL_ERROR too when the script closed the
 *	channel); *resultPtr as for EvalScript.
 *
 * Side effects:
 *	Frees the arguments (objv) it was given with no reference.
 *
 *----------------------------------------------------------------------
 */

static int
RunCommand(
    TlsConn *connPtr,
    int decides,
    int objc,
    Tcl_Obj *const objv[],
    Tcl_Obj **resultPtr)
{
    Tcl_Obj *resObj = NULL;
    int code = TCL_BREAK;

    HoldArgs(objc, objv);
    if (CannotRun(connPtr) != NULL) {
	DropArgs(objc, objv);
	return code;
    }
    Tcl_Preserve(connPtr);
    code = RunCallback(connPtr, connPtr->command, objc, objv, 1, &resObj);
    if (connPtr->flags & (TLS_CONN_CLOSED | TLS_CONN_DROPPED)) {
	code = TCL_ERROR;	/* The script closed the channel: stop. */
    } else if (code == TCL_ERROR && decides) {
	SetVerdict(connPtr, resObj);
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
 * CallbackDecide --
 *
 *	Runs a callback whose answer decides whether the handshake goes on
 *	(verify, hello, sni). One that cannot run fails closed: a pinning
 *	verify callback must not be replaced by the default verdict because
 *	its interpreter is gone.
 *
 * Results:
 *	As RunCommand, but TCL_ERROR (with the reason as the verdict) when
 *	the callback cannot run.
 *
 *----------------------------------------------------------------------
 */

static int
CallbackDecide(
    TlsConn *connPtr,
    int objc,
    Tcl_Obj *const objv[],
    Tcl_Obj **resultPtr)
{
    const char *why = CannotRun(connPtr);

    if (why != NULL) {
	SetVerdict(connPtr, Tcl_ObjPrintf("the %s callback cannot run: %s",
		Tcl_GetString(objv[0]), why));
	HoldArgs(objc, objv);
	DropArgs(objc, objv);
	return TCL_ERROR;
    }
    return RunCommand(connPtr, 1, objc, objv, resultPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * CallbackNotify --
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

static void
CallbackNotify(
    TlsConn *connPtr,
    Tcl_Obj *prefix,
    int objc,
    Tcl_Obj *const objv[])
{
    HoldArgs(objc, objv);
    if (CannotRun(connPtr) == NULL) {
	RunCallback(connPtr, prefix, objc, objv, 0, NULL);
    }
    DropArgs(objc, objv);
}

/*
 * ChannelNameObj --
 *	The channel name of a connection as a new object (refcount 0),
 *	empty once the channel is closed.
 */

static Tcl_Obj *
ChannelNameObj(
    TlsConn *connPtr)
{
    return Tcl_NewStringObj(connPtr->self != NULL
	    ? Tcl_GetChannelName(connPtr->self) : "", -1);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsPasswordInit, TlsPasswordFree --
 *
 *	Set up the password state of one key load, and release it: the
 *	password is wiped, the callback's error dropped.
 *
 *----------------------------------------------------------------------
 */

void
TlsPasswordInit(
    TlsPasswordData *pwPtr,
    Tcl_Interp *interp,
    Tcl_Obj *script)
{
    memset(pwPtr, 0, sizeof(TlsPasswordData));
    pwPtr->interp = interp;
    pwPtr->script = script;
}

void
TlsPasswordFree(
    TlsPasswordData *pwPtr)
{
    if (pwPtr->password != NULL) {
	OPENSSL_cleanse(pwPtr->password, (size_t) pwPtr->length);
	ckfree(pwPtr->password);
	pwPtr->password = NULL;
    }
    if (pwPtr->errorObj != NULL) {
	Tcl_DecrRefCount(pwPtr->errorObj);
	pwPtr->errorObj = NULL;
    }
    if (pwPtr->errorInfo != NULL) {
	Tcl_DecrRefCount(pwPtr->errorInfo);
	pwPtr->errorInfo = NULL;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * AskPassword --
 *
 *	Runs the -password callback (or ::tls::password if defined) once:
 *	its result is kept in pwPtr->password, or its error in
 *	pwPtr->errorObj and errorInfo for the command being run to raise.
 *
 *----------------------------------------------------------------------
 */

static void
AskPassword(
    TlsPasswordData *pwPtr)
{
    Tcl_Obj *prefix = pwPtr->script, *resObj = NULL, *optsObj = NULL;
    Tcl_Obj *keyObj;
    Tcl_CmdInfo info;
    const char *pw;
    Tcl_Size len;

    if (prefix == NULL) {
	if (!Tcl_GetCommandInfo(pwPtr->interp, "::tls::password", &info)) {
	    return;
	}
	prefix = Tcl_NewStringObj("::tls::password", -1);
    }
    Tcl_IncrRefCount(prefix);
    if (EvalScript(pwPtr->interp, prefix, 0, NULL, 0, &resObj, &optsObj)
	    != TCL_OK) {
	pwPtr->errorObj = resObj;	/* Takes EvalScript's reference. */
	keyObj = Tcl_NewStringObj("-errorinfo", -1);
	Tcl_IncrRefCount(keyObj);
	Tcl_DictObjGet(NULL, optsObj, keyObj, &pwPtr->errorInfo);
	if (pwPtr->errorInfo != NULL) {
	    Tcl_IncrRefCount(pwPtr->errorInfo);
	}
	Tcl_DecrRefCount(keyObj);
    } else {
	pw = Tcl_GetStringFromObj(resObj, &len);
	pwPtr->length = (int) len;
	pwPtr->password = ckalloc(len + 1);
	memcpy(pwPtr->password, pw, (size_t) len + 1);
	if (!Tcl_IsShared(resObj)) {
	    /* Ours alone: wipe the secret before Tcl reuses the memory. */
	    OPENSSL_cleanse((void *) pw, (size_t) len);
	}
	Tcl_DecrRefCount(resObj);
    }
    Tcl_DecrRefCount(optsObj);
    Tcl_DecrRefCount(prefix);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsPasswordCallback --
 *
 *	OpenSSL needs the password of an encrypted private key. The
 *	callback is asked the first time (AskPassword); OpenSSL may ask
 *	again while it tries other decoders, and gets the same answer.
 *
 * Results:
 *	Length of the password copied into buf, or -1 for none.
 *
 *----------------------------------------------------------------------
 */

int
TlsPasswordCallback(
    char *buf,
    int size,
    TCL_UNUSED(int),
    void *userdata)
{
    TlsPasswordData *pwPtr = (TlsPasswordData *) userdata;
    int len;

    if (pwPtr == NULL || pwPtr->interp == NULL) {
	return -1;
    }
    if (!pwPtr->called) {
	pwPtr->called = 1;
	AskPassword(pwPtr);
    }
    if (pwPtr->password == NULL || size <= 0) {
	return -1;
    }
    len = pwPtr->length < size ? pwPtr->length : size - 1;
    memcpy(buf, pwPtr->password, (size_t) len);
    buf[len] = '\0';
    return len;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsVerifyCallback --
 *
 *	Called by OpenSSL for each certificate of the peer's chain. With a
 *	-command the script sees "verify channel depth cert status error"
 *	and a boolean result overrides the verdict; otherwise a failure is
 *	accepted (and still reported by tls::status) unless -require.
 *
 * Results:
 *	1 to go on, 0 to fail the handshake.
 *
 *----------------------------------------------------------------------
 */

int
TlsVerifyCallback(
    int preverifyOk,
    X509_STORE_CTX *storeCtx)
{
    SSL *ssl = (SSL *) X509_STORE_CTX_get_ex_data(storeCtx,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
    TlsConn *connPtr = ssl ? TlsConnFromSSL(ssl) : NULL;

    if (connPtr == NULL) {
	return preverifyOk;
    }
    if (connPtr->command != NULL) {
	int err = X509_STORE_CTX_get_error(storeCtx), verdict, code;
	X509 *cert = X509_STORE_CTX_get_current_cert(storeCtx);
	Tcl_Obj *objv[6], *resObj = NULL;

	objv[0] = Tcl_NewStringObj("verify", -1);
	objv[1] = ChannelNameObj(connPtr);
	objv[2] = Tcl_NewIntObj(X509_STORE_CTX_get_error_depth(storeCtx));
	objv[3] = cert ? TlsX509Dict(cert) : Tcl_NewObj();
	objv[4] = Tcl_NewIntObj(preverifyOk);
	objv[5] = Tcl_NewStringObj(preverifyOk || err == X509_V_OK ? ""
		: X509_verify_cert_error_string(err), -1);
	code = CallbackDecide(connPtr, 6, objv, &resObj);
	if (code == TCL_ERROR) {
	    return 0;
	}
	if (code == TCL_OK) {
	    code = Tcl_GetBooleanFromObj(NULL, resObj, &verdict);
	    Tcl_DecrRefCount(resObj);
	    if (code == TCL_OK) {
		return verdict;
	    }
	}
    }
    if (!preverifyOk && !(connPtr->flags & TLS_CONN_REQUIRE)) {
	return 1;
    }
    return preverifyOk;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsInfoCallback --
 *
 *	Handshake progress and alerts, for "info channel major minor
 *	message" callbacks.
 *
 *----------------------------------------------------------------------
 */

void
TlsInfoCallback(
    const SSL *ssl,
    int where,
    int ret)
{
    TlsConn *connPtr = TlsConnFromSSL(ssl);
    const char *major, *minor, *message;
    Tcl_Obj *objv[5];

    if (connPtr == NULL || connPtr->command == NULL
	    || CannotRun(connPtr) != NULL) {
	return;			/* Build no arguments for nothing. */
    }
    major = (where & SSL_ST_CONNECT) ? "connect"
	    : (where & SSL_ST_ACCEPT) ? "accept" : "handshake";
    message = SSL_state_string_long(ssl);
    if (where & SSL_CB_HANDSHAKE_START) {
	major = "handshake";
	minor = "start";
    } else if (where & SSL_CB_HANDSHAKE_DONE) {
	major = "handshake";
	minor = "done";
    } else if (where & SSL_CB_ALERT) {
	major = "alert";
	minor = (where & SSL_CB_READ) ? "read" : "write";
	message = SSL_alert_desc_string_long(ret);
    } else if (where & SSL_CB_LOOP) {
	minor = "loop";
    } else if (where & SSL_CB_EXIT) {
	minor = "exit";
    } else {
	return;
    }
    objv[0] = Tcl_NewStringObj("info", -1);
    objv[1] = ChannelNameObj(connPtr);
    objv[2] = Tcl_NewStringObj(major, -1);
    objv[3] = Tcl_NewStringObj(minor, -1);
    objv[4] = Tcl_NewStringObj(message, -1);
    RunCommand(connPtr, 0, 5, objv, NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsAlpnSelectCallback --
 *
 *	Server side of ALPN: the first of our -alpn protocols that the
 *	client offers; with none in common, the client's first (as the
 *	manual says). Tells "alpn channel protocol matched", matched being
 *	whether the protocol was common to both sides.
 *
 *----------------------------------------------------------------------
 */

int
TlsAlpnSelectCallback(
    SSL *ssl,
    const unsigned char **out,
    unsigned char *outlen,
    const unsigned char *in,
    unsigned int inlen,
    TCL_UNUSED(void *))
{
    TlsConn *connPtr = TlsConnFromSSL(ssl);
    unsigned char *selected = NULL;
    int matched = 1;

    if (connPtr == NULL || connPtr->alpnWire == NULL || inlen == 0) {
	return SSL_TLSEXT_ERR_NOACK;
    }
    if (SSL_select_next_proto(&selected, outlen, connPtr->alpnWire,
	    connPtr->alpnLen, in, inlen) != OPENSSL_NPN_NEGOTIATED) {
	selected = (unsigned char *) in + 1;	/* The client's first. */
	*outlen = in[0];
	matched = 0;
    }
    *out = selected;
    if (connPtr->command != NULL) {
	Tcl_Obj *objv[4];

	objv[0] = Tcl_NewStringObj("alpn", -1);
	objv[1] = ChannelNameObj(connPtr);
	objv[2] = Tcl_NewStringObj((const char *) selected, *outlen);
	objv[3] = Tcl_NewBooleanObj(matched);
	CallbackNotify(connPtr, connPtr->command, 4, objv);
    }
    return SSL_TLSEXT_ERR_OK;
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

    if (connPtr->errorObj == NULL || CannotRun(connPtr) != NULL) {
	return;
    }
    if (connPtr->command != NULL) {
	objv[0] = Tcl_NewStringObj("error", -1);
	objv[1] = ChannelNameObj(connPtr);
	objv[2] = connPtr->errorObj;
	RunCommand(connPtr, 0, 3, objv, NULL);
    }
    if (!(connPtr->flags & TLS_CONN_SERVER) && CannotRun(connPtr) == NULL
	    && Tcl_GetCommandInfo(connPtr->interp, "::http::registerError",
		    &info)) {
	Tcl_Obj *prefix = Tcl_NewStringObj("::http::registerError", -1);

	Tcl_IncrRefCount(prefix);
	objv[0] = ChannelNameObj(connPtr);
	objv[1] = connPtr->errorObj;
	CallbackNotify(connPtr, prefix, 2, objv);
	Tcl_DecrRefCount(prefix);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * HelloServerName --
 *
 *	The host name a ClientHello asks for (server_name extension, RFC
 *	6066 §3), read before OpenSSL has processed the extension.
 *
 * Results:
 *	A new object (refcount 0), empty when the client sent none.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
HelloServerName(
    SSL *ssl)
{
    const unsigned char *p;
    size_t len, listLen, nameLen;

    if (!SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &p, &len)
	    || len < 5) {
	return Tcl_NewObj();
    }
    listLen = ((size_t) p[0] << 8) | p[1];
    nameLen = ((size_t) p[3] << 8) | p[4];
    if (listLen + 2 > len || p[2] != TLSEXT_NAMETYPE_host_name
	    || nameLen + 5 > len) {
	return Tcl_NewObj();
    }
    return Tcl_NewStringObj((const char *) p + 5, (Tcl_Size) nameLen);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsHelloCallback --
 *
 *	Server: "hello channel servername" as soon as a ClientHello arrives. An
 *	error in the callback refuses the client.
 *
 *----------------------------------------------------------------------
 */

int
TlsHelloCallback(
    SSL *ssl,
    int *alert,
    TCL_UNUSED(void *))
{
    TlsConn *connPtr = TlsConnFromSSL(ssl);
    Tcl_Obj *objv[3];

    if (connPtr == NULL || connPtr->command == NULL) {
	return SSL_CLIENT_HELLO_SUCCESS;
    }
    objv[0] = Tcl_NewStringObj("hello", -1);
    objv[1] = ChannelNameObj(connPtr);
    objv[2] = HelloServerName(ssl);
    if (CallbackDecide(connPtr, 3, objv, NULL) == TCL_ERROR) {
	*alert = SSL_AD_HANDSHAKE_FAILURE;
	return SSL_CLIENT_HELLO_ERROR;
    }
    return SSL_CLIENT_HELLO_SUCCESS;
}

/*
 *----------------------------------------------------------------------
 *
 * UseSniOptions --
 *
 *	Switches a server connection to the context built from its import
 *	options followed by the options the sni callback returned (for
 *	example -certfile and -keyfile of the virtual host asked for).
 *
 * Results:
 *	1 on success, 0 if the options or the context are bad (the reason
 *	is kept as the connection's callback error).
 *
 *----------------------------------------------------------------------
 */

static int
UseSniOptions(
    TlsConn *connPtr,
    Tcl_Obj *extraObj)
{
    Tcl_Obj *allObj = Tcl_DuplicateObj(connPtr->options);
    Tcl_Interp *interp = connPtr->interp;
    TlsContext *ctxPtr = NULL;
    TlsConfig cfg;
    Tcl_Size objc;
    Tcl_Obj **objv;
    int code;

    Tcl_IncrRefCount(allObj);
    TlsConfigInit(&cfg);
    code = Tcl_ListObjAppendList(interp, allObj, extraObj);
    if (code == TCL_OK) {
	Tcl_ListObjGetElements(NULL, allObj, &objc, &objv);
	code = TlsConfigParse(interp, objc, objv, &cfg);
    }
    if (code == TCL_OK) {
	cfg.server = 1;
	code = TlsContextGet(interp, &cfg, &ctxPtr);
    }
    if (code == TCL_OK && SSL_set_SSL_CTX(connPtr->ssl, ctxPtr->ctx)) {
	if (connPtr->sniCtxPtr != NULL) {
	    TlsContextRelease(connPtr->sniCtxPtr);
	}
	connPtr->sniCtxPtr = ctxPtr;
    } else {
	if (ctxPtr != NULL) {
	    TlsContextRelease(ctxPtr);
	}
	SetVerdict(connPtr, Tcl_GetObjResult(interp));
	code = TCL_ERROR;
    }
    TlsConfigFree(&cfg);
    Tcl_DecrRefCount(allObj);
    Tcl_ResetResult(interp);
    return code == TCL_OK;
}

/*
 * StartsWithOption --
 *	Whether a list's first element looks like an option ("-..."): sni
 *	results that do not are ignored, so callbacks written before the sni
 *	form existed (returning 1 or "ok" for every form) keep working.
 */

static int
StartsWithOption(
    Tcl_Obj *listObj)
{
    Tcl_Obj *firstObj;

    return Tcl_ListObjIndex(NULL, listObj, 0, &firstObj) == TCL_OK
	    && firstObj != NULL && Tcl_GetString(firstObj)[0] == '-';
}

/*
 *----------------------------------------------------------------------
 *
 * SniOptionsAllowed --
 *
 *	Whether an sni result only chooses the certificate: -certfile,
 *	-keyfile, -cert, -key and -password. The virtual hosts of one
 *	listener share its session cache, and a resumed session skips
 *	verification: if a name could bring its own trust (-cafile),
 *	verification mode or protocol settings, a session admitted under
 *	one name's rules would resume under another's.
 *
 * Results:
 *	1, or 0 with the reason kept as the connection's callback error.
 *
 *----------------------------------------------------------------------
 */

static int
SniOptionsAllowed(
    TlsConn *connPtr,
    Tcl_Obj *listObj)
{
    static const char *const allowed[] = {
	"-certfile", "-keyfile", "-cert", "-key", "-password", NULL
    };
    Tcl_Size objc, i;
    Tcl_Obj **objv;
    int index;

    Tcl_ListObjGetElements(NULL, listObj, &objc, &objv);
    for (i = 0; i < objc; i += 2) {
	if (Tcl_GetIndexFromObj(NULL, objv[i], allowed, "option", TCL_EXACT,
		&index) != TCL_OK) {
	    SetVerdict(connPtr, Tcl_ObjPrintf("the sni callback may only "
		    "return -certfile, -keyfile, -cert, -key and -password, "
		    "not \"%s\"", Tcl_GetString(objv[i])));
	    return 0;
	}
    }
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsSniCallback --
 *
 *	Server: "sni channel servername" when the client names a host. The script
 *	may return the certificate options (-certfile/-keyfile, -cert/-key,
 *	-password; SniOptionsAllowed) to use for that host, "" (or anything not starting with an option) to keep
 *	the listening options, or raise an error to refuse the name
 *	(unrecognized_name alert).
 *
 *----------------------------------------------------------------------
 */

int
TlsSniCallback(
    SSL *ssl,
    int *alert,
    TCL_UNUSED(void *))
{
    TlsConn *connPtr = TlsConnFromSSL(ssl);
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    Tcl_Obj *objv[3], *resObj = NULL;
    Tcl_Size len = 0;
    int code;

    if (connPtr == NULL || connPtr->command == NULL || name == NULL) {
	return SSL_TLSEXT_ERR_OK;
    }
    objv[0] = Tcl_NewStringObj("sni", -1);
    objv[1] = ChannelNameObj(connPtr);
    objv[2] = Tcl_NewStringObj(name, -1);
    code = CallbackDecide(connPtr, 3, objv, &resObj);
    if (code == TCL_ERROR) {
	*alert = SSL_AD_UNRECOGNIZED_NAME;
	return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    if (code == TCL_OK) {
	if (Tcl_ListObjLength(NULL, resObj, &len) != TCL_OK) {
	    len = -1;
	    SetVerdict(connPtr, Tcl_NewStringObj(
		    "sni callback result is not a list of options", -1));
	}
	if (len > 0 && !StartsWithOption(resObj)) {
	    len = 0;		/* A callback of TclTLS 1.x returning 1 etc. */
	}
	code = len == 0 || (len > 0 && SniOptionsAllowed(connPtr, resObj)
		&& UseSniOptions(connPtr, resObj));
	Tcl_DecrRefCount(resObj);	/* The reference EvalScript gave. */
	if (!code) {
	    *alert = SSL_AD_INTERNAL_ERROR;
	    return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
    }
    return SSL_TLSEXT_ERR_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsNewSessionCallback --
 *
 *	OpenSSL made a new session (a client received it, in TLS 1.3 as a
 *	ticket after the handshake): "session channel session_id ticket
 *	lifetime" tells the script (identifiers in lowercase hex), and
 *	TlsSessionKeep decides whether it is kept for resumption.
 *
 * Results:
 *	1 when the reference to sess was kept, else 0.
 *
 *----------------------------------------------------------------------
 */

int
TlsNewSessionCallback(
    SSL *ssl,
    SSL_SESSION *sess)
{
    TlsConn *connPtr = TlsConnFromSSL(ssl);

    if (connPtr == NULL) {
	return 0;
    }
    if (connPtr->command != NULL && CannotRun(connPtr) == NULL) {
	const unsigned char *bytes;
	unsigned int idLen;
	size_t ticketLen;
	Tcl_Obj *objv[5];

	bytes = SSL_SESSION_get_id(sess, &idLen);
	objv[0] = Tcl_NewStringObj("session", -1);
	objv[1] = ChannelNameObj(connPtr);
	objv[2] = TlsHexObj(bytes, idLen);
	SSL_SESSION_get0_ticket(sess, &bytes, &ticketLen);
	objv[3] = TlsHexObj(bytes, ticketLen);
	objv[4] = Tcl_NewLongObj((long)
		SSL_SESSION_get_ticket_lifetime_hint(sess));
	CallbackNotify(connPtr, connPtr->command, 5, objv);
    }
    return TlsSessionKeep(connPtr, sess);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsKeylogCallback --
 *
 *	Appends one line of key material, NSS key log format, to the file
 *	SSLKEYLOGFILE names (for Wireshark and friends). Lines from several
 *	threads do not interleave. The file holds secrets: the platform
 *	code keeps it readable by its owner only (TlsPlatformAppendSecret).
 *
 *----------------------------------------------------------------------
 */

TCL_DECLARE_MUTEX(keylogMutex)

void
TlsKeylogCallback(
    TCL_UNUSED(const SSL *),
    const char *line)
{
    const char *path;
    size_t len = strlen(line);
    char *buf = ckalloc(len + 1);

    memcpy(buf, line, len);
    buf[len] = '\n';
    Tcl_MutexLock(&keylogMutex);
    path = getenv("SSLKEYLOGFILE");
    if (path != NULL && *path != '\0') {
	TlsPlatformAppendSecret(path, buf, len + 1);
    }
    Tcl_MutexUnlock(&keylogMutex);
    OPENSSL_cleanse(buf, len + 1);
    ckfree(buf);
}
