/*
 * tlsHooks.c --
 *
 *	The callbacks OpenSSL calls during a handshake (verify, info, ALPN
 *	selection, ClientHello, SNI, new session, key log): each converts OpenSSL's
 *	arguments into a call of the script (tlsCallbacks.c runs it) and the
 *	script's answer back into OpenSSL's terms. What the answer means is
 *	decided elsewhere: the SNI context choice in tlsContext.c, which
 *	sessions are kept in tlsSession.c.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include "tlsPlatform.h"

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
	objv[1] = TlsCallbackChannelName(connPtr);
	objv[2] = Tcl_NewIntObj(X509_STORE_CTX_get_error_depth(storeCtx));
	objv[3] = cert ? TlsX509Dict(cert) : Tcl_NewObj();
	if (cert != NULL) {
	    Tcl_Obj *ocspObj = TlsOcspVerifyInfo(connPtr, storeCtx);

	    if (ocspObj != NULL) {
		TlsDictPutObj(objv[3], "ocsp", ocspObj);	/* tlsOcsp.c */
	    }
	}
	objv[4] = Tcl_NewIntObj(preverifyOk);
	objv[5] = Tcl_NewStringObj(preverifyOk || err == X509_V_OK ? ""
		: X509_verify_cert_error_string(err), -1);
	code = TlsCallbackDecide(connPtr, 6, objv, &resObj);
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
	    || TlsCallbackCannotRun(connPtr) != NULL) {
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
    objv[1] = TlsCallbackChannelName(connPtr);
    objv[2] = Tcl_NewStringObj(major, -1);
    objv[3] = Tcl_NewStringObj(minor, -1);
    objv[4] = Tcl_NewStringObj(message, -1);
    TlsCallbackCommand(connPtr, 0, 5, objv, NULL);
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
	objv[1] = TlsCallbackChannelName(connPtr);
	objv[2] = Tcl_NewStringObj((const char *) selected, *outlen);
	objv[3] = Tcl_NewBooleanObj(matched);
	TlsCallbackNotify(connPtr, connPtr->command, 4, objv);
    }
    return SSL_TLSEXT_ERR_OK;
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
    objv[1] = TlsCallbackChannelName(connPtr);
    objv[2] = HelloServerName(ssl);
    if (TlsCallbackDecide(connPtr, 3, objv, NULL) == TCL_ERROR) {
	*alert = SSL_AD_HANDSHAKE_FAILURE;
	return SSL_CLIENT_HELLO_ERROR;
    }
    return SSL_CLIENT_HELLO_SUCCESS;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsSniCallback --
 *
 *	Server: "sni channel servername" when the client names a host. The
 *	script may return the certificate options to use for that host
 *	(tlsContext.c's TlsContextChooseSni applies them), "" (or anything
 *	not starting with an option) to keep the listening options, or
 *	raise an error to refuse the name (unrecognized_name alert).
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
    int code;

    if (connPtr == NULL || connPtr->command == NULL || name == NULL) {
	return SSL_TLSEXT_ERR_OK;
    }
    objv[0] = Tcl_NewStringObj("sni", -1);
    objv[1] = TlsCallbackChannelName(connPtr);
    objv[2] = Tcl_NewStringObj(name, -1);
    code = TlsCallbackDecide(connPtr, 3, objv, &resObj);
    if (code == TCL_ERROR) {
	*alert = SSL_AD_UNRECOGNIZED_NAME;
	return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    if (code == TCL_OK) {
	code = TlsContextChooseSni(connPtr, resObj);
	Tcl_DecrRefCount(resObj);	/* The reference TlsCallbackEval gave. */
	if (code != TCL_OK) {
	    if (connPtr->interp != NULL) {
		TlsCallbackVerdict(connPtr, Tcl_GetObjResult(connPtr->interp));
		Tcl_ResetResult(connPtr->interp);
	    }
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
    if (connPtr->command != NULL && TlsCallbackCannotRun(connPtr) == NULL) {
	const unsigned char *bytes;
	unsigned int idLen;
	size_t ticketLen;
	Tcl_Obj *objv[5];

	bytes = SSL_SESSION_get_id(sess, &idLen);
	objv[0] = Tcl_NewStringObj("session", -1);
	objv[1] = TlsCallbackChannelName(connPtr);
	objv[2] = TlsHexObj(bytes, idLen);
	SSL_SESSION_get0_ticket(sess, &bytes, &ticketLen);
	objv[3] = TlsHexObj(bytes, ticketLen);
	objv[4] = Tcl_NewLongObj((long)
		SSL_SESSION_get_ticket_lifetime_hint(sess));
	TlsCallbackNotify(connPtr, connPtr->command, 5, objv);
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

/*
 *----------------------------------------------------------------------
 *
 * TlsHooksTable --
 *
 *	The callbacks a context is built with (TlsContextSetHooks).
 *
 *----------------------------------------------------------------------
 */

const TlsHooks *
TlsHooksTable(void)
{
    static const TlsHooks hooks = {
	TlsAlpnSelectCallback, TlsHelloCallback, TlsSniCallback,
	TlsNewSessionCallback, TlsKeylogCallback
    };

    return &hooks;
}
