/*
 * tlsSessionCmd.c --
 *
 *	The tls::session command: a client's session as bytes, for another
 *	process (or this one, restarted) to resume with -session.
 *
 *	tls::session export channel ?-format pem|der?
 *	    The session of a client connection whose handshake has finished
 *	    and whose server passed verification for its -servername: PEM
 *	    "SSL SESSION PARAMETERS" text (the default; what openssl sess_id
 *	    and s_client -sess_out/-sess_in use) or the same in DER bytes.
 *	    The server name is recorded in the session (an IP address too,
 *	    for which no SNI is sent). The bytes hold the session's secret.
 *
 *	tls::session info bytes
 *	    A dict describing an exported session: servername, protocol,
 *	    cipher, start_time, timeout, expired, resumable, alpn.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <time.h>

static const char *const subCommands[] = {"export", "info", NULL};
enum SubCommand { SUB_EXPORT, SUB_INFO };

static const char *const formats[] = {"pem", "der", NULL};
enum Format { FORMAT_PEM, FORMAT_DER };

/*
 * NoSession --
 *	Error: the channel has no session that may be exported, and why
 *	({TLS CHANNEL SESSION detail}).
 */

static int
NoSession(
    Tcl_Interp *interp,
    Tcl_Obj *nameObj,
    const char *detail,
    const char *why)
{
    return TlsError(interp, Tcl_ObjPrintf("cannot export the session of "
	    "channel \"%s\": %s", Tcl_GetString(nameObj), why),
	    "CHANNEL", "SESSION", detail, NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * VerifiedName --
 *
 *	The name the server of a client connection was verified for: its
 *	SNI host name, or the IP address it was checked against.
 *
 * Results:
 *	A new Tcl string object (refcount 0), or NULL if there is none.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
VerifiedName(
    SSL *ssl)
{
    const char *host = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    char *ip;
    Tcl_Obj *nameObj = NULL;

    if (host != NULL && host[0] != '\0') {
	return Tcl_NewStringObj(host, -1);
    }
    ip = X509_VERIFY_PARAM_get1_ip_asc(SSL_get0_param(ssl));
    if (ip != NULL) {
	nameObj = Tcl_NewStringObj(ip, -1);
	OPENSSL_free(ip);
    }
    ERR_clear_error();
    return nameObj;
}

/*
 *----------------------------------------------------------------------
 *
 * Encode --
 *
 *	Leaves sess in the chosen format as the interpreter result: PEM
 *	text, or DER bytes (the temporary copy wiped before it is freed).
 *
 *----------------------------------------------------------------------
 */

static int
Encode(
    Tcl_Interp *interp,
    SSL_SESSION *sess,
    int format)
{
    unsigned char *der = NULL;
    char *pem = NULL;
    long pemLen;
    int derLen;
    BIO *bio;

    if (format == FORMAT_DER) {
	derLen = i2d_SSL_SESSION(sess, &der);
	if (derLen <= 0) {
	    return TlsErrorOpenSSL(interp, "cannot encode the session",
		    "CONTEXT", NULL);
	}
	Tcl_SetObjResult(interp, Tcl_NewByteArrayObj(der, derLen));
	OPENSSL_clear_free(der, (size_t) derLen);
	return TCL_OK;
    }
    bio = BIO_new(BIO_s_secmem());
    if (bio == NULL || !PEM_write_bio_SSL_SESSION(bio, sess)) {
	BIO_free(bio);
	return TlsErrorOpenSSL(interp, "cannot encode the session",
		"CONTEXT", NULL);
    }
    pemLen = BIO_get_mem_data(bio, &pem);
    Tcl_SetObjResult(interp, Tcl_NewStringObj(pem, (Tcl_Size) pemLen));
    BIO_free(bio);		/* A secure-heap BIO wipes its buffer. */
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * Export --
 *
 *	tls::session export channel ?-format pem|der?. Refuses a server
 *	side, a handshake not finished, a server that failed verification
 *	(a resumed handshake verifies nothing), a connection with no
 *	server name, and a TLS 1.3 connection whose ticket has not been
 *	read yet.
 *
 * Results:
 *	A standard Tcl result.
 *
 * Side effects:
 *	None on the connection: a copy of its session gets the name.
 *
 *----------------------------------------------------------------------
 */

static int
Export(
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    TlsConn *connPtr;
    SSL_SESSION *sess, *copy;
    Tcl_Obj *nameObj;
    int format = FORMAT_PEM, result;

    if (objc != 3 && !(objc == 5
	    && strcmp(Tcl_GetString(objv[3]), "-format") == 0)) {
	return TlsErrorUsage(interp, 2, objv, "channel ?-format pem|der?");
    }
    if (objc == 5 && Tcl_GetIndexFromObj(interp, objv[4], formats,
	    "format", TCL_EXACT, &format) != TCL_OK) {
	Tcl_SetErrorCode(interp, "TLS", "USAGE", NULL);
	return TCL_ERROR;
    }
    connPtr = TlsChannelConn(interp, objv[2], NULL);
    if (connPtr == NULL) {
	return TCL_ERROR;
    }
    if (connPtr->flags & TLS_CONN_SERVER) {
	return NoSession(interp, objv[2], "server", "it is a server: only "
		"a client's sessions can be exported");
    }
    if (connPtr->state == TLS_FAILED || !SSL_is_init_finished(connPtr->ssl)) {
	return TlsError(interp, Tcl_ObjPrintf("channel \"%s\" has not "
		"finished its handshake: call tls::handshake first",
		Tcl_GetString(objv[2])), "CHANNEL", "NOTREADY", NULL);
    }
    if (SSL_get_verify_result(connPtr->ssl) != X509_V_OK) {
	return NoSession(interp, objv[2], "unverified", "its server did "
		"not pass verification, and a resumed session is not "
		"verified again");
    }
    sess = SSL_get_session(connPtr->ssl);	/* Owned by the SSL. */
    if (sess == NULL || !SSL_SESSION_is_resumable(sess)) {
	return NoSession(interp, objv[2], "pending", "no resumable session "
		"yet (with TLS 1.3 the server sends it after the handshake: "
		"read from the channel first)");
    }
    nameObj = VerifiedName(connPtr->ssl);
    if (nameObj == NULL) {
	return NoSession(interp, objv[2], "servername", "it has no "
		"-servername, and a session is bound to the server name "
		"it was verified for");
    }
    Tcl_IncrRefCount(nameObj);
    copy = SSL_SESSION_dup(sess);
    if (copy == NULL
	    || !SSL_SESSION_set1_hostname(copy, Tcl_GetString(nameObj))) {
	result = TlsErrorOpenSSL(interp, "cannot copy the session",
		"CONTEXT", NULL);
    } else {
	result = Encode(interp, copy, format);
    }
    SSL_SESSION_free(copy);
    Tcl_DecrRefCount(nameObj);
    return result;
}

/*
 * ProtocolName --
 *	The name tls::connection uses for a protocol version.
 */

static const char *
ProtocolName(
    int version)
{
    switch (version) {
    case TLS1_3_VERSION:
	return "TLSv1.3";
    case TLS1_2_VERSION:
	return "TLSv1.2";
    case TLS1_1_VERSION:
	return "TLSv1.1";
    case TLS1_VERSION:
	return "TLSv1";
    default:
	return "unknown";
    }
}

/*
 *----------------------------------------------------------------------
 *
 * Info --
 *
 *	tls::session info bytes: a dict describing a session, or an error
 *	{TLS USAGE} when the bytes are not one.
 *
 *----------------------------------------------------------------------
 */

static int
Info(
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    SSL_SESSION *sess;
    Tcl_Obj *dictObj;
    const SSL_CIPHER *cipher;
    const unsigned char *alpn = NULL;
    size_t alpnLen = 0;
    long start, timeout;

    if (objc != 3) {
	return TlsErrorUsage(interp, 2, objv, "bytes");
    }
    sess = TlsSessionDecode(objv[2]);
    if (sess == NULL) {
	return TlsError(interp, Tcl_NewStringObj("not a TLS session (give "
		"what tls::session export returned: PEM \"SSL SESSION "
		"PARAMETERS\" or its DER bytes)", -1), "USAGE", NULL);
    }
    start = (long) TLS_SESSION_GET_TIME(sess);
    timeout = SSL_SESSION_get_timeout(sess);
    cipher = SSL_SESSION_get0_cipher(sess);
    SSL_SESSION_get0_alpn_selected(sess, &alpn, &alpnLen);
    dictObj = Tcl_NewDictObj();
    TlsDictPutObj(dictObj, "servername",
	    TlsUtf8Obj(SSL_SESSION_get0_hostname(sess), -1));
    TlsDictPutString(dictObj, "protocol",
	    ProtocolName(SSL_SESSION_get_protocol_version(sess)));
    TlsDictPutString(dictObj, "cipher",
	    cipher ? SSL_CIPHER_get_name(cipher) : "");
    TlsDictPutInt(dictObj, "start_time", start);
    TlsDictPutInt(dictObj, "timeout", timeout);
    TlsDictPutInt(dictObj, "expired", start + timeout < (long) time(NULL));
    TlsDictPutInt(dictObj, "resumable", SSL_SESSION_is_resumable(sess));
    TlsDictPutObj(dictObj, "alpn", TlsUtf8Obj((const char *) alpn,
	    alpn ? (Tcl_Size) alpnLen : 0));
    SSL_SESSION_free(sess);
    Tcl_SetObjResult(interp, dictObj);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsSessionCmd --
 *
 *	Implements "tls::session export|info ..."; see the top of this
 *	file.
 *
 * Results:
 *	A standard Tcl result.
 *
 *----------------------------------------------------------------------
 */

int
TlsSessionCmd(
    void *clientData,		/* Not used. */
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    int sub;

    (void) clientData;
    if (objc < 2) {
	return TlsErrorUsage(interp, 1, objv, "export|info ?arg ...?");
    }
    if (Tcl_GetIndexFromObj(interp, objv[1], subCommands, "subcommand",
	    TCL_EXACT, &sub) != TCL_OK) {
	Tcl_SetErrorCode(interp, "TLS", "USAGE", NULL);
	return TCL_ERROR;
    }
    return sub == SUB_EXPORT ? Export(interp, objc, objv)
	    : Info(interp, objc, objv);
}
