/*
 * tlsExport.c --
 *
 *	Secrets derived from a finished handshake for protocols layered on
 *	TLS: keying-material export (RFC 5705, RFC 8446 section 7.5) and
 *	channel bindings (RFC 5929, RFC 9266). Both only read OpenSSL state
 *	of a connection whose handshake has finished.
 *
 *	tls::exportkey channel label length ?context?
 *	    length bytes (a byte array) from SSL_export_keying_material.
 *	    Without context no context is used; with one, even an empty
 *	    one, it is. TLS 1.2 (RFC 5705) derives different bytes for the
 *	    two; TLS 1.3 treats no context as an empty one.
 *
 *	tls::channelbinding channel ?type?
 *	    tls-exporter (the default, RFC 9266): 32 bytes exported with the
 *		label "EXPORTER-Channel-Binding" and no context; on TLS 1.2
 *		only when the extended master secret was negotiated.
 *	    tls-unique (RFC 5929, TLS 1.2 and older): the first Finished
 *		message of the latest handshake.
 *	    tls-server-end-point (RFC 5929): the hash of the server's
 *		certificate, with the digest of its signature (SHA-256 for
 *		MD5 and SHA-1).
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include <openssl/evp.h>

/* The largest export we hand out: far above what any protocol asks. */
#define TLS_EXPORT_MAX 16384

/* RFC 9266: the label and length of tls-exporter. */
#define TLS_EXPORTER_LABEL "EXPORTER-Channel-Binding"
#define TLS_EXPORTER_LENGTH 32

/* The channel binding types, in the order errors list them. */
static const char *const bindingTypes[] = {
    "tls-exporter", "tls-unique", "tls-server-end-point", NULL
};
enum BindingType { BIND_EXPORTER, BIND_UNIQUE, BIND_END_POINT };

static TlsConn *	FinishedConn(Tcl_Interp *interp, Tcl_Obj *nameObj);
static int		Export(Tcl_Interp *interp, SSL *ssl, const char *label,
			    size_t labelLen, const unsigned char *context,
			    size_t contextLen, int useContext, size_t length);
static int		NotForProtocol(Tcl_Interp *interp, SSL *ssl,
			    const char *type, const char *hint);
static int		BindExporter(Tcl_Interp *interp, SSL *ssl);
static int		BindUnique(Tcl_Interp *interp, SSL *ssl);
static int		BindEndPoint(Tcl_Interp *interp, SSL *ssl);

/*
 *----------------------------------------------------------------------
 *
 * FinishedConn --
 *
 *	The TLS connection of the channel named nameObj, if its handshake
 *	has finished.
 *
 * Results:
 *	The connection, or NULL with an error in interp: TLS CHANNEL
 *	UNKNOWN or NOTTLS, or TLS CHANNEL NOTREADY before the handshake has
 *	finished (or after it failed).
 *
 *----------------------------------------------------------------------
 */

static TlsConn *
FinishedConn(
    Tcl_Interp *interp,
    Tcl_Obj *nameObj)
{
    TlsConn *connPtr = TlsChannelConn(interp, nameObj, NULL);

    if (connPtr == NULL) {
	return NULL;
    }
    if (connPtr->state == TLS_FAILED || !SSL_is_init_finished(connPtr->ssl)) {
	TlsError(interp, Tcl_ObjPrintf("channel \"%s\" has not finished its "
		"handshake: call tls::handshake first",
		Tcl_GetString(nameObj)), "CHANNEL", "NOTREADY", NULL);
	return NULL;
    }
    return connPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * Export --
 *
 *	Runs SSL_export_keying_material and leaves the bytes as the result.
 *
 * Results:
 *	A standard Tcl result; OpenSSL's refusal (a label reserved by TLS
 *	1.2, a length TLS 1.3's HKDF cannot give) is TLS USAGE with its
 *	reason.
 *
 * Side effects:
 *	The temporary copy is wiped before it is freed; the result is a new
 *	byte array. The OpenSSL error queue is emptied on failure.
 *
 *----------------------------------------------------------------------
 */

static int
Export(
    Tcl_Interp *interp,
    SSL *ssl,
    const char *label,
    size_t labelLen,
    const unsigned char *context,	/* May be NULL when !useContext. */
    size_t contextLen,
    int useContext,
    size_t length)
{
    unsigned char *out = (unsigned char *) ckalloc(length);
    int ok;

    ERR_clear_error();
    ok = SSL_export_keying_material(ssl, out, length, label, labelLen,
	    context, contextLen, useContext);
    if (ok != 1) {
	Tcl_Obj *reasonObj = TlsErrorReason();

	ckfree(out);
	Tcl_IncrRefCount(reasonObj);
	TlsError(interp, Tcl_ObjPrintf("cannot export keying material with "
		"label \"%s\": %s", label, Tcl_GetString(reasonObj)[0]
		? Tcl_GetString(reasonObj) : "refused by OpenSSL"),
		"USAGE", Tcl_GetString(reasonObj), NULL);
	Tcl_DecrRefCount(reasonObj);
	return TCL_ERROR;
    }
    Tcl_SetObjResult(interp, Tcl_NewByteArrayObj(out, (Tcl_Size) length));
    OPENSSL_cleanse(out, length);
    ckfree(out);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsExportKeyCmd --
 *
 *	Implements "tls::exportkey channel label length ?context?"; see the
 *	top of this file.
 *
 * Results:
 *	A standard Tcl result: the exported bytes as a byte array.
 *
 * Side effects:
 *	None on the connection.
 *
 *----------------------------------------------------------------------
 */

int
TlsExportKeyCmd(
    void *clientData,		/* Not used. */
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    TlsConn *connPtr;
    const char *label;
    const unsigned char *context = NULL;
    Tcl_Size labelLen, contextLen = 0;
    int length;

    (void) clientData;
    if (objc < 4 || objc > 5) {
	return TlsErrorUsage(interp, 1, objv,
		"channel label length ?context?");
    }
    if (Tcl_GetIntFromObj(NULL, objv[3], &length) != TCL_OK
	    || length < 1 || length > TLS_EXPORT_MAX) {
	return TlsError(interp, Tcl_ObjPrintf("bad length \"%s\": must be "
		"an integer from 1 to %d", Tcl_GetString(objv[3]),
		TLS_EXPORT_MAX), "USAGE", NULL);
    }
    if (objc == 5) {
	context = Tcl_GetByteArrayFromObj(objv[4], &contextLen);
	if (context == NULL) {
	    return TlsError(interp, Tcl_NewStringObj("bad context: must be "
		    "a byte string (no characters above \\xFF)", -1),
		    "USAGE", NULL);
	}
    }
    label = Tcl_GetStringFromObj(objv[2], &labelLen);
    if (labelLen == 0) {
	return TlsError(interp, Tcl_NewStringObj(
		"bad label \"\": must not be empty", -1), "USAGE", NULL);
    }
    connPtr = FinishedConn(interp, objv[1]);
    if (connPtr == NULL) {
	return TCL_ERROR;
    }
    return Export(interp, connPtr->ssl, label, (size_t) labelLen,
	    context, (size_t) contextLen, objc == 5, (size_t) length);
}

/*
 * NotForProtocol --
 *	Error: the binding type does not exist for the negotiated protocol;
 *	hint says which to use instead. {TLS CHANNEL PROTOCOL type}.
 */

static int
NotForProtocol(
    Tcl_Interp *interp,
    SSL *ssl,
    const char *type,
    const char *hint)
{
    return TlsError(interp, Tcl_ObjPrintf("%s is not defined for %s: %s",
	    type, SSL_get_version(ssl), hint), "CHANNEL", "PROTOCOL", type,
	    NULL);
}

/*
 * BindExporter --
 *	tls-exporter (RFC 9266). TLS 1.2 gives it only with the extended
 *	master secret (RFC 7627), without which the exported value does not
 *	identify the connection (the triple handshake attack).
 */

static int
BindExporter(
    Tcl_Interp *interp,
    SSL *ssl)
{
    if (SSL_version(ssl) < TLS1_3_VERSION && SSL_get_extms_support(ssl) != 1) {
	return NotForProtocol(interp, ssl, "tls-exporter",
		"the peer did not negotiate the extended master secret "
		"(use tls-unique)");
    }
    return Export(interp, ssl, TLS_EXPORTER_LABEL,
	    sizeof(TLS_EXPORTER_LABEL) - 1, NULL, 0, 0, TLS_EXPORTER_LENGTH);
}

/*
 * BindUnique --
 *	tls-unique (RFC 5929 section 3.1): the first Finished message of the
 *	latest handshake: the client's in a full handshake, the server's in
 *	an abbreviated (resumed) one. SSL_get_finished gives the one we
 *	sent, SSL_get_peer_finished the one we received.
 */

static int
BindUnique(
    Tcl_Interp *interp,
    SSL *ssl)
{
    unsigned char buf[EVP_MAX_MD_SIZE];
    size_t length;

    if (SSL_version(ssl) >= TLS1_3_VERSION) {
	return NotForProtocol(interp, ssl, "tls-unique",
		"use tls-exporter (RFC 9266)");
    }
    if ((SSL_is_server(ssl) != 0) == (SSL_session_reused(ssl) != 0)) {
	length = SSL_get_finished(ssl, buf, sizeof(buf));
    } else {
	length = SSL_get_peer_finished(ssl, buf, sizeof(buf));
    }
    if (length == 0 || length > sizeof(buf)) {
	return TlsError(interp, Tcl_NewStringObj("no Finished message "
		"to bind to", -1), "CHANNEL", "PROTOCOL", "tls-unique", NULL);
    }
    Tcl_SetObjResult(interp, Tcl_NewByteArrayObj(buf, (Tcl_Size) length));
    return TCL_OK;
}

/*
 * BindEndPoint --
 *	tls-server-end-point (RFC 5929 section 4.1): the server's
 *	certificate (the peer's on a client, ours on a server) hashed with
 *	the digest of its signature, SHA-256 for MD5 and SHA-1. Undefined
 *	for signatures without one digest (Ed25519, Ed448).
 */

static int
BindEndPoint(
    Tcl_Interp *interp,
    SSL *ssl)
{
    X509 *cert;			/* Owned by the SSL either way. */
    int mdNid = NID_undef;
    const EVP_MD *md;
    unsigned char buf[EVP_MAX_MD_SIZE];
    unsigned int length = 0;

    cert = SSL_is_server(ssl) ? SSL_get_certificate(ssl)
	    : SSL_get0_peer_certificate(ssl);
    if (cert == NULL) {
	return TlsError(interp, Tcl_NewStringObj("tls-server-end-point "
		"needs the server's certificate, and there is none", -1),
		"CHANNEL", "PROTOCOL", "tls-server-end-point", NULL);
    }
    if (!X509_get_signature_info(cert, &mdNid, NULL, NULL, NULL)
	    || mdNid == NID_undef) {
	ERR_clear_error();
	return TlsError(interp, Tcl_NewStringObj("tls-server-end-point is "
		"not defined for a certificate whose signature uses no single "
		"digest (Ed25519, Ed448): use tls-exporter", -1),
		"CHANNEL", "PROTOCOL", "tls-server-end-point", NULL);
    }
    if (mdNid == NID_md5 || mdNid == NID_sha1) {
	mdNid = NID_sha256;
    }
    md = EVP_get_digestbynid(mdNid);
    if (md == NULL || !X509_digest(cert, md, buf, &length)) {
	return TlsErrorOpenSSL(interp, "cannot hash the server certificate",
		"CONTEXT", NULL);
    }
    Tcl_SetObjResult(interp, Tcl_NewByteArrayObj(buf, (Tcl_Size) length));
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsChannelBindingCmd --
 *
 *	Implements "tls::channelbinding channel ?type?"; see the top of
 *	this file.
 *
 * Results:
 *	A standard Tcl result: the binding data as a byte array.
 *
 * Side effects:
 *	None on the connection.
 *
 *----------------------------------------------------------------------
 */

int
TlsChannelBindingCmd(
    void *clientData,		/* Not used. */
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    TlsConn *connPtr;
    int type = BIND_EXPORTER;

    (void) clientData;
    if (objc < 2 || objc > 3) {
	return TlsErrorUsage(interp, 1, objv, "channel ?type?");
    }
    if (objc == 3 && Tcl_GetIndexFromObj(interp, objv[2], bindingTypes,
	    "channel binding type", TCL_EXACT, &type) != TCL_OK) {
	Tcl_SetErrorCode(interp, "TLS", "USAGE", NULL);
	return TCL_ERROR;
    }
    connPtr = FinishedConn(interp, objv[1]);
    if (connPtr == NULL) {
	return TCL_ERROR;
    }
    switch (type) {
    case BIND_UNIQUE:
	return BindUnique(interp, connPtr->ssl);
    case BIND_END_POINT:
	return BindEndPoint(interp, connPtr->ssl);
    default:
	return BindExporter(interp, connPtr->ssl);
    }
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
