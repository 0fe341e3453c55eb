/*
 * tlsError.c --
 *
 *	The only place where Tcl error messages and errorCode lists are built.
 *	Every errorCode starts with TLS, then a class word:
 *
 *	    TLS USAGE				wrong number of arguments
 *	    TLS OPTION name ...			bad option or value
 *	    TLS FILE option ?reason?		file missing, unreadable, bad
 *	    TLS KEY PASSWORD|MISMATCH|option	private key problems
 *	    TLS CONTEXT reason			OpenSSL refused the set-up
 *	    TLS CHANNEL UNKNOWN|NOTTLS|NOTTOP|MODE  wrong channel
 *	    TLS HANDSHAKE VERIFY n text		certificate verification failed
 *	    TLS HANDSHAKE PROTOCOL ?reason?	TLS-level failure (alerts, versions)
 *	    TLS HANDSHAKE IO errno		system error during the handshake
 *	    TLS HANDSHAKE EOF			peer closed during the handshake
 *	    TLS HANDSHAKE CALLBACK		a -command callback failed
 *	    TLS IO read|write|flush ?reason?	failure after the handshake
 *
 *	The OpenSSL error queue is drained whenever a reason is taken from it,
 *	so no error leaks into a later call.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include <stdarg.h>

static Tcl_Obj *	ReasonOrErrno(int *sysErrnoPtr);

/*
 *----------------------------------------------------------------------
 *
 * TlsError --
 *
 *	Leaves msgObj as the interpreter result and sets errorCode to TLS
 *	followed by code and the further C strings up to a NULL.
 *
 * Results:
 *	TCL_ERROR, so callers can "return TlsError(...)".
 *
 * Side effects:
 *	msgObj (any refcount) becomes owned by the interpreter result.
 *
 *----------------------------------------------------------------------
 */

int
TlsError(
    Tcl_Interp *interp,
    Tcl_Obj *msgObj,
    const char *code,
    ...)
{
    Tcl_Obj *codeObj;
    const char *word;
    va_list ap;

    if (interp == NULL) {
	Tcl_IncrRefCount(msgObj);	/* Nothing to report to: free it. */
	Tcl_DecrRefCount(msgObj);
	return TCL_ERROR;
    }
    codeObj = Tcl_NewListObj(0, NULL);
    Tcl_ListObjAppendElement(NULL, codeObj, Tcl_NewStringObj("TLS", -1));
    va_start(ap, code);
    for (word = code; word != NULL; word = va_arg(ap, const char *)) {
	Tcl_ListObjAppendElement(NULL, codeObj, Tcl_NewStringObj(word, -1));
    }
    va_end(ap);
    Tcl_SetObjResult(interp, msgObj);
    Tcl_SetObjErrorCode(interp, codeObj);
    return TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsErrorReason --
 *
 *	Takes the most specific reason from the OpenSSL error queue and
 *	empties the queue.
 *
 * Results:
 *	A new string object (refcount 0), "" when the queue was empty.
 *
 * Side effects:
 *	Clears the thread's OpenSSL error queue.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
TlsErrorReason(void)
{
    int sysErrno;
    Tcl_Obj *reasonObj = ReasonOrErrno(&sysErrno);

    if (sysErrno != 0) {
	/* "system lib" says nothing: name the system error itself. */
	return Tcl_NewStringObj(Tcl_ErrnoMsg(sysErrno), -1);
    }
    return reasonObj;
}

/*
 *----------------------------------------------------------------------
 *
 * ReasonOrErrno --
 *
 *	Like TlsErrorReason, but a system error in the queue is returned
 *	as its errno in *sysErrnoPtr (else 0) with an empty reason: OpenSSL
 *	3.0 leaves a failed send or recv in errno only, 3.5 also queues
 *	it, and I/O errors must read the same (errorCode EPIPE, ...) with
 *	either.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
ReasonOrErrno(
    int *sysErrnoPtr)
{
    unsigned long err, last = 0, sys = 0;
    const char *reason;

    *sysErrnoPtr = 0;
    while ((err = ERR_get_error()) != 0) {
	last = err;		/* The last one is the most specific. */
	if (ERR_SYSTEM_ERROR(err)) {
	    sys = err;
	}
    }
    if (sys != 0) {
	*sysErrnoPtr = ERR_GET_REASON(sys);
	return Tcl_NewObj();
    }
    if (last == 0) {
	return Tcl_NewObj();
    }
    reason = ERR_reason_error_string(last);
    if (reason == NULL) {
	char buf[256];

	ERR_error_string_n(last, buf, sizeof(buf));
	return Tcl_NewStringObj(buf, -1);
    }
    return Tcl_NewStringObj(reason, -1);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsErrorOpenSSL --
 *
 *	Reports a failed OpenSSL call: "what: reason", errorCode
 *	{TLS code detail reason} (detail omitted when NULL).
 *
 * Results:
 *	TCL_ERROR.
 *
 * Side effects:
 *	Drains the OpenSSL error queue.
 *
 *----------------------------------------------------------------------
 */

int
TlsErrorOpenSSL(
    Tcl_Interp *interp,
    const char *what,
    const char *code,
    const char *detail)
{
    Tcl_Obj *reasonObj = TlsErrorReason();
    Tcl_Obj *msgObj;
    const char *reason;

    Tcl_IncrRefCount(reasonObj);
    reason = Tcl_GetString(reasonObj);
    if (*reason == '\0') {
	reason = "unknown OpenSSL error";
    }
    msgObj = Tcl_ObjPrintf("%s: %s", what, reason);
    if (detail != NULL) {
	TlsError(interp, msgObj, code, detail, reason, NULL);
    } else {
	TlsError(interp, msgObj, code, reason, NULL);
    }
    Tcl_DecrRefCount(reasonObj);
    return TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsErrorSetConn --
 *
 *	Records why a connection failed, to be raised by the command or
 *	channel operation that notices it. The first failure wins.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Takes a reference to both objects (either may have refcount 0).
 *
 *----------------------------------------------------------------------
 */

void
TlsErrorSetConn(
    TlsConn *connPtr,
    Tcl_Obj *msgObj,
    Tcl_Obj *codeObj)
{
    Tcl_IncrRefCount(msgObj);
    Tcl_IncrRefCount(codeObj);
    if (connPtr->errorObj != NULL) {
	Tcl_DecrRefCount(msgObj);
	Tcl_DecrRefCount(codeObj);
	return;
    }
    connPtr->errorObj = msgObj;
    connPtr->errorCode = codeObj;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsErrorCode --
 *
 *	Builds an errorCode list {TLS w1 w2 w3} from up to three words;
 *	NULL words are left out.
 *
 * Results:
 *	A new list object, refcount 0.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
TlsErrorCode(
    const char *w1,
    const char *w2,
    Tcl_Obj *w3)
{
    Tcl_Obj *codeObj = Tcl_NewListObj(0, NULL);

    Tcl_ListObjAppendElement(NULL, codeObj, Tcl_NewStringObj("TLS", -1));
    Tcl_ListObjAppendElement(NULL, codeObj, Tcl_NewStringObj(w1, -1));
    if (w2 != NULL) {
	Tcl_ListObjAppendElement(NULL, codeObj, Tcl_NewStringObj(w2, -1));
    }
    if (w3 != NULL) {
	Tcl_ListObjAppendElement(NULL, codeObj, w3);
    }
    return codeObj;
}

/*
 *----------------------------------------------------------------------
 *
 * SystemError --
 *
 *	Message and errorCode {TLS HANDSHAKE IO errno} for a system error
 *	during the handshake. A failed -async connect shows up as "not
 *	connected": the socket's -error option knows the real reason
 *	("connection refused"), kept for fconfigure -error.
 *
 *----------------------------------------------------------------------
 */

static void
SystemError(
    TlsConn *connPtr,
    int savedErrno,
    Tcl_Obj **msgPtr,
    Tcl_Obj **codePtr)
{
    const char *why = Tcl_ErrnoMsg(savedErrno);
    Tcl_DString ds;

    Tcl_DStringInit(&ds);
    if (savedErrno == ENOTCONN && connPtr->down != NULL
	    && Tcl_GetChannelOption(NULL, connPtr->down, "-error", &ds)
		== TCL_OK && Tcl_DStringLength(&ds) > 0) {
	why = Tcl_DStringValue(&ds);
	if (connPtr->downError == NULL) {
	    connPtr->downError = Tcl_NewStringObj(why, -1);
	    Tcl_IncrRefCount(connPtr->downError);
	}
    }
    Tcl_SetErrno(savedErrno);
    *msgPtr = Tcl_ObjPrintf("handshake failed: %s", why);
    Tcl_DStringFree(&ds);
    *codePtr = TlsErrorCode("HANDSHAKE", "IO",
	    Tcl_NewStringObj(Tcl_ErrnoId(), -1));
}

/*
 *----------------------------------------------------------------------
 *
 * AppendMismatch --
 *
 *	For a host name or IP address mismatch, appends to the message the
 *	names the peer's certificate holds (its first subjectAltName DNS
 *	names and IP addresses, else its CN) and the name expected: ": the
 *	certificate is for www.test, *.test, not localhost".
 *
 *----------------------------------------------------------------------
 */

#define TLS_MISMATCH_NAMES 4	/* Names listed before "...". */

static void
AppendMismatch(
    TlsConn *connPtr,
    long verify,
    Tcl_Obj *msgObj)
{
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(connPtr->ssl);
    X509_VERIFY_PARAM *param = SSL_get0_param(connPtr->ssl);
    X509 *leaf = chain != NULL && sk_X509_num(chain) > 0
	    ? sk_X509_value(chain, 0) : NULL;
    Tcl_Obj *namesObj, *nameObj;
    char *ip = NULL;
    const char *expected = NULL;
    Tcl_Size n, i;

    if ((verify != X509_V_ERR_HOSTNAME_MISMATCH
	    && verify != X509_V_ERR_IP_ADDRESS_MISMATCH) || leaf == NULL) {
	return;
    }
    if (verify == X509_V_ERR_HOSTNAME_MISMATCH) {
	expected = X509_VERIFY_PARAM_get0_host(param, 0);
    } else {
	expected = ip = X509_VERIFY_PARAM_get1_ip_asc(param);
    }
    namesObj = TlsX509AltNames(leaf);
    Tcl_IncrRefCount(namesObj);
    Tcl_ListObjLength(NULL, namesObj, &n);
    if (n == 0) {
	Tcl_ListObjAppendElement(NULL, namesObj, TlsX509CommonName(leaf));
	n = 1;
    }
    Tcl_AppendToObj(msgObj, ": the certificate is for ", -1);
    for (i = 0; i < n && i < TLS_MISMATCH_NAMES; i++) {
	Tcl_ListObjIndex(NULL, namesObj, i, &nameObj);
	Tcl_AppendPrintfToObj(msgObj, "%s, ", Tcl_GetString(nameObj));
    }
    Tcl_AppendPrintfToObj(msgObj, "%snot %s",
	    n > TLS_MISMATCH_NAMES ? "..., " : "",
	    expected != NULL ? expected : "the name expected");
    Tcl_DecrRefCount(namesObj);
    OPENSSL_free(ip);
}

/*
 * OcspFailure --
 *	The error of a handshake that the server's OCSP staple failed
 *	(tlsOcsp.c): {TLS HANDSHAKE OCSP revoked|invalid|missing ?reason?}.
 */

static void
OcspFailure(
    TlsConn *connPtr,
    Tcl_Obj **msgPtr,
    Tcl_Obj **codePtr)
{
    const char *result = connPtr->ocspResult
	    ? Tcl_GetString(connPtr->ocspResult) : "";
    const char *reason = strchr(result, ':');

    if (strcmp(connPtr->ocspError, "revoked") == 0) {
	*msgPtr = Tcl_NewStringObj("handshake failed: the server's OCSP "
		"response says its certificate is revoked", -1);
    } else if (strcmp(connPtr->ocspError, "missing") == 0) {
	*msgPtr = Tcl_NewStringObj("handshake failed: the server stapled "
		"no OCSP response (-ocsp require)", -1);
    } else {
	*msgPtr = Tcl_ObjPrintf("handshake failed: the server's OCSP "
		"response is invalid: %s", reason ? reason + 2 : result);
    }
    *codePtr = TlsErrorCode("HANDSHAKE", "OCSP",
	    Tcl_NewStringObj(connPtr->ocspError, -1));
    if (reason != NULL && strcmp(connPtr->ocspError, "invalid") == 0) {
	Tcl_ListObjAppendElement(NULL, *codePtr,
		Tcl_NewStringObj(reason + 2, -1));
    }
}

/*
 * AppendCrlHint --
 *	For a revocation check that could not be made (tlsRevoke.c), says
 *	what to give; OpenSSL's words alone do not name the options.
 */

static void
AppendCrlHint(
    long verify,
    Tcl_Obj *msgObj)
{
    switch (verify) {
    case X509_V_ERR_UNABLE_TO_GET_CRL:
	Tcl_AppendToObj(msgObj, ": no CRL of the certificate's issuer was "
		"given (-crlfile, -crldata or a hashed .r0 file in -cadir; "
		"-revocation leaf checks only the peer's own certificate)", -1);
	break;
    case X509_V_ERR_CRL_HAS_EXPIRED:
	Tcl_AppendToObj(msgObj, ": the CRL's next update time has passed: "
		"give a current CRL from its CA", -1);
	break;
    case X509_V_ERR_CRL_NOT_YET_VALID:
	Tcl_AppendToObj(msgObj, ": the CRL's last update time is in the "
		"future (check the clock)", -1);
	break;
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
	Tcl_AppendToObj(msgObj, ": the CRL was not signed by the "
		"certificate's issuer", -1);
	break;
    default:
	break;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * TlsErrorHandshake --
 *
 *	Explains a failed SSL_do_handshake: the X.509 verification result
 *	when the peer's certificate was refused, else OpenSSL's reason, else
 *	the system error or an early EOF (eof: the peer ended the stream, as
 *	tlsConn.c's Classify decided). The error queue must not have been
 *	touched since the failing call.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Records the failure on the connection; drains the error queue.
 *
 *----------------------------------------------------------------------
 */

void
TlsErrorHandshake(
    TlsConn *connPtr,
    int sslError,
    int savedErrno,
    int eof)
{
    long verify = SSL_get_verify_result(connPtr->ssl);
    int verifyFailed = ERR_GET_REASON(ERR_peek_last_error())
	    == SSL_R_CERTIFICATE_VERIFY_FAILED;
    int sysErrno;
    Tcl_Obj *reasonObj = ReasonOrErrno(&sysErrno);
    Tcl_Obj *msgObj, *codeObj;

    if (sysErrno != 0) {
	savedErrno = sysErrno;		/* Queued (OpenSSL 3.5). */
    }
    Tcl_IncrRefCount(reasonObj);
    if (connPtr->cbError != NULL && (connPtr->flags & TLS_CONN_CB_DECIDED)) {
	msgObj = Tcl_ObjPrintf("handshake failed: callback error: %s",
		Tcl_GetString(connPtr->cbError));
	codeObj = TlsErrorCode("HANDSHAKE", "CALLBACK", NULL);
    } else if (connPtr->ocspError != NULL) {
	OcspFailure(connPtr, &msgObj, &codeObj);
    } else if (verifyFailed && verify != X509_V_OK) {
	const char *text = X509_verify_cert_error_string(verify);

	msgObj = Tcl_ObjPrintf("certificate verify failed: %s", text);
	AppendMismatch(connPtr, verify, msgObj);
	AppendCrlHint(verify, msgObj);
	codeObj = TlsErrorCode("HANDSHAKE", "VERIFY", Tcl_NewLongObj(verify));
	Tcl_ListObjAppendElement(NULL, codeObj, Tcl_NewStringObj(text, -1));
    } else if (Tcl_GetCharLength(reasonObj) > 0) {
	msgObj = Tcl_ObjPrintf("handshake failed: %s",
		Tcl_GetString(reasonObj));
	codeObj = TlsErrorCode("HANDSHAKE", "PROTOCOL", reasonObj);
    } else if (sslError == SSL_ERROR_SYSCALL && savedErrno != 0) {
	SystemError(connPtr, savedErrno, &msgObj, &codeObj);
    } else if (connPtr->cbError != NULL) {
	msgObj = Tcl_ObjPrintf("handshake failed: callback error: %s",
		Tcl_GetString(connPtr->cbError));
	codeObj = TlsErrorCode("HANDSHAKE", "CALLBACK", NULL);
    } else if (eof) {
	msgObj = Tcl_NewStringObj(
		"handshake failed: connection closed by peer", -1);
	codeObj = TlsErrorCode("HANDSHAKE", "EOF", NULL);
    } else {
	msgObj = Tcl_ObjPrintf("handshake failed: SSL error %d", sslError);
	codeObj = TlsErrorCode("HANDSHAKE", "PROTOCOL", NULL);
    }
    Tcl_DecrRefCount(reasonObj);
    TlsErrorSetConn(connPtr, msgObj, codeObj);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsErrorIO --
 *
 *	Explains a failed SSL_read, SSL_write or SSL_shutdown after the
 *	handshake. "what" is "read" or "write".
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Records the failure on the connection; drains the error queue.
 *
 *----------------------------------------------------------------------
 */

void
TlsErrorIO(
    TlsConn *connPtr,
    const char *what,
    int sslError,
    int savedErrno)
{
    int sysErrno;
    Tcl_Obj *reasonObj = ReasonOrErrno(&sysErrno);
    Tcl_Obj *msgObj, *codeObj;

    if (sysErrno != 0) {
	savedErrno = sysErrno;		/* Queued (OpenSSL 3.5). */
    }
    Tcl_IncrRefCount(reasonObj);
    if (Tcl_GetCharLength(reasonObj) > 0) {
	msgObj = Tcl_ObjPrintf("TLS %s failed: %s", what,
		Tcl_GetString(reasonObj));
	codeObj = TlsErrorCode("IO", what, reasonObj);
    } else if (savedErrno != 0) {
	Tcl_SetErrno(savedErrno);
	msgObj = Tcl_ObjPrintf("TLS %s failed: %s", what,
		Tcl_ErrnoMsg(savedErrno));
	codeObj = TlsErrorCode("IO", what,
		Tcl_NewStringObj(Tcl_ErrnoId(), -1));
    } else {
	msgObj = Tcl_ObjPrintf("TLS %s failed: SSL error %d", what,
		sslError);
	codeObj = TlsErrorCode("IO", what, NULL);
    }
    Tcl_DecrRefCount(reasonObj);
    TlsErrorSetConn(connPtr, msgObj, codeObj);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsErrorBypass --
 *
 *	Hands an error to Tcl through the channel's error bypass, so that
 *	the read, gets, puts or flush that failed raises this message and
 *	errorCode verbatim.
 *
 * Side effects:
 *	The bypass list takes its own references to both objects.
 *
 *----------------------------------------------------------------------
 */

void
TlsErrorBypass(
    TlsConn *connPtr,
    Tcl_Obj *msgObj,
    Tcl_Obj *codeObj)
{
    Tcl_Obj *bypass;

    if (connPtr->self == NULL) {
	Tcl_IncrRefCount(msgObj);	/* Free objects given with none. */
	Tcl_IncrRefCount(codeObj);
	Tcl_DecrRefCount(msgObj);
	Tcl_DecrRefCount(codeObj);
	return;
    }
    /* Tcl reads the bypass as return options followed by a message. */
    bypass = Tcl_NewListObj(0, NULL);
    Tcl_ListObjAppendElement(NULL, bypass, Tcl_NewStringObj("-code", -1));
    Tcl_ListObjAppendElement(NULL, bypass, Tcl_NewIntObj(TCL_ERROR));
    Tcl_ListObjAppendElement(NULL, bypass,
	    Tcl_NewStringObj("-errorcode", -1));
    Tcl_ListObjAppendElement(NULL, bypass, codeObj);
    Tcl_ListObjAppendElement(NULL, bypass, msgObj);
    Tcl_SetChannelError(connPtr->self, bypass);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsErrorBusy --
 *
 *	A script called back from OpenSSL (a -command, -password or http
 *	callback, or an event handler run by its update or vwait) tried to
 *	handshake, read or write on the channel OpenSSL is working on:
 *	OpenSSL cannot be entered again for it. Refused with {TLS CHANNEL
 *	BUSY}, as the command's error when interp is given, else through
 *	the channel's error bypass.
 *
 * Results:
 *	TCL_ERROR.
 *
 *----------------------------------------------------------------------
 */

int
TlsErrorBusy(
    Tcl_Interp *interp,
    TlsConn *connPtr)
{
    Tcl_Obj *msgObj = Tcl_ObjPrintf("channel \"%s\" is busy: a TLS "
	    "callback cannot handshake, read or write on the channel it is "
	    "called for", connPtr->self != NULL
		? Tcl_GetChannelName(connPtr->self) : "");

    if (interp != NULL) {
	return TlsError(interp, msgObj, "CHANNEL", "BUSY", NULL);
    }
    TlsErrorBypass(connPtr, msgObj, TlsErrorCode("CHANNEL", "BUSY", NULL));
    return TCL_ERROR;
}

/*
 * =====================================================================
 * Errors of the commands and of the channel layer (tlsCmds.c and
 * tlsChannel.c): wrong arguments, unknown or plain channels, an
 * unimport whose peer stays silent.
 * =====================================================================
 */

/*
 *----------------------------------------------------------------------
 *
 * TlsErrorUsage --
 *
 *	Wrong arguments to a command: Tcl's "wrong # args: should be ..."
 *	message (the arguments are those of Tcl_WrongNumArgs) with the
 *	errorCode {TLS USAGE}.
 *
 * Results:
 *	TCL_ERROR.
 *
 *----------------------------------------------------------------------
 */

int
TlsErrorUsage(
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[],
    const char *usage)
{
    Tcl_WrongNumArgs(interp, objc, objv, usage);
    Tcl_SetErrorCode(interp, "TLS", "USAGE", NULL);
    return TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsErrorNoChannel --
 *
 *	Tcl_GetChannel found no channel of the name given and left its
 *	message in interp ("can not find channel named ..."): adds the
 *	errorCode {TLS CHANNEL UNKNOWN}.
 *
 * Results:
 *	TCL_ERROR.
 *
 *----------------------------------------------------------------------
 */

int
TlsErrorNoChannel(
    Tcl_Interp *interp)
{
    Tcl_SetErrorCode(interp, "TLS", "CHANNEL", "UNKNOWN", NULL);
    return TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsErrorNotTls --
 *
 *	The named channel exists but has no TLS layer of ours: {TLS CHANNEL
 *	NOTTLS}.
 *
 * Results:
 *	TCL_ERROR.
 *
 *----------------------------------------------------------------------
 */

int
TlsErrorNotTls(
    Tcl_Interp *interp,
    Tcl_Obj *nameObj)
{
    return TlsError(interp, Tcl_ObjPrintf("\"%s\" is not a TLS channel",
	    Tcl_GetString(nameObj)), "CHANNEL", "NOTTLS", NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsErrorUnimportTimeout --
 *
 *	tls::unimport got no close_notify from the peer of channel name
 *	within ms: {TLS IO unimport TIMEOUT}, as the command's error when
 *	interp is given, else as the connection's failure (a deferred
 *	unimport: the next read raises it).
 *
 * Results:
 *	TCL_ERROR.
 *
 *----------------------------------------------------------------------
 */

int
TlsErrorUnimportTimeout(
    Tcl_Interp *interp,
    TlsConn *connPtr,
    const char *name,
    int ms)
{
    Tcl_Obj *msgObj = Tcl_ObjPrintf("cannot unimport \"%s\": no "
	    "close_notify from the peer within %d ms (TLS stays on: close the "
	    "channel)", name, ms);

    if (interp != NULL) {
	return TlsError(interp, msgObj, "IO", "unimport", "TIMEOUT", NULL);
    }
    TlsErrorSetConn(connPtr, msgObj,
	    TlsErrorCode("IO", "unimport", Tcl_NewStringObj("TIMEOUT", -1)));
    return TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsErrorRaise --
 *
 *	Raises the recorded failure of a connection as a Tcl error.
 *
 * Results:
 *	TCL_ERROR.
 *
 *----------------------------------------------------------------------
 */

int
TlsErrorRaise(
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
