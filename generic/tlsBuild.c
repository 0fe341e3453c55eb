/*
 * tlsBuild.c --
 *
 *	An SSL_CTX from a parsed configuration: protocol range and modes,
 *	our certificate and key (tlsCreds.c, tlsPkcs12.c), the trust store
 *	(tlsTrust.c), DH parameters, ciphers. Credential bytes are read
 *	through Tcl's filesystem (tlsLoad.c), so virtual filesystems work.
 *	The cache of built contexts is tlsContext.c's.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include <openssl/pem.h>
#include <stdlib.h>

/*
 *----------------------------------------------------------------------
 *
 * BuildChainOnce --
 *
 *	A certificate given without its chain: OpenSSL would complete the
 *	chain from the trust store at every handshake (with the system
 *	store, a stat, an opendir and a directory scan of /etc/ssl/certs
 *	each time). Building it here, once per context, sends the same
 *	certificates. A certificate file that brings its own chain is left
 *	alone, as is a chain that cannot be built (OpenSSL then tries again
 *	per handshake, as before).
 *
 *----------------------------------------------------------------------
 */

static void
BuildChainOnce(
    SSL_CTX *ctx)
{
    STACK_OF(X509) *chain = NULL;

    if (SSL_CTX_get0_certificate(ctx) == NULL
	    || !SSL_CTX_get0_chain_certs(ctx, &chain) || chain != NULL) {
	return;
    }
    if (!SSL_CTX_build_cert_chain(ctx, SSL_BUILD_CHAIN_FLAG_IGNORE_ERROR)) {
	ERR_clear_error();
    }
}

/*
 *----------------------------------------------------------------------
 *
 * LoadDhParams --
 *
 *	A server uses the Diffie-Hellman parameters of -dhparams, or
 *	OpenSSL's automatic choice when none are given. Clients do not read
 *	the file: the option is the server's.
 *
 *----------------------------------------------------------------------
 */

static int
LoadDhParams(
    Tcl_Interp *interp,
    SSL_CTX *ctx,
    const TlsConfig *cfgPtr)
{
    Tcl_Obj *bytesObj;
    BIO *bio;
    EVP_PKEY *params;

    if (!cfgPtr->server) {
	return TCL_OK;
    }
    if (cfgPtr->dhParams == NULL) {
	SSL_CTX_set_dh_auto(ctx, 1);
	return TCL_OK;
    }
    if (TlsReadPath(interp, cfgPtr->dhParams, "-dhparams", &bytesObj)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    bio = TlsBytesBio(bytesObj);
    params = bio ? PEM_read_bio_Parameters(bio, NULL) : NULL;
    BIO_free(bio);
    Tcl_DecrRefCount(bytesObj);
    if (params == NULL) {
	return TlsCredError(interp, "-dhparams", cfgPtr->dhParams,
		"no PEM DH parameters in the file", TlsErrorReason());
    }
    if (!SSL_CTX_set0_tmp_dh_pkey(ctx, params)) {	/* Takes params. */
	EVP_PKEY_free(params);
	return TlsCredError(interp, "-dhparams", cfgPtr->dhParams,
		"its DH parameters cannot be used", TlsErrorReason());
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsCheckCredentials --
 *
 *	Refuses configurations that cannot work whatever the peer: a
 *	server with no certificate (every handshake would fail with "no
 *	suitable signature algorithm"), unless its -command may supply one
 *	from the sni callback; a key without a certificate; a -cert without
 *	a key.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR {TLS OPTION option}.
 *
 *----------------------------------------------------------------------
 */

int
TlsCheckCredentials(
    Tcl_Interp *interp,
    const TlsConfig *cfgPtr)
{
    int haveP12 = cfgPtr->pkcs12File != NULL || cfgPtr->pkcs12 != NULL;
    int haveCert = cfgPtr->certFile != NULL || cfgPtr->cert != NULL;
    int haveKey = cfgPtr->keyFile != NULL || cfgPtr->key != NULL;

    if (haveP12 && (haveCert || haveKey)) {
	const char *opt = cfgPtr->pkcs12File ? "-pkcs12file" : "-pkcs12";

	return TlsError(interp, Tcl_ObjPrintf("%s holds the certificate and "
		"its key: give it without -certfile, -keyfile, -cert and -key",
		opt), "OPTION", opt, NULL);
    }
    haveCert |= haveP12;
    haveKey |= haveP12;

    if (cfgPtr->server && !haveCert && !haveKey && cfgPtr->command == NULL) {
	return TlsError(interp, Tcl_NewStringObj("a TLS server needs a "
		"certificate and its key: give -certfile and -keyfile (or "
		"-cert and -key, or -pkcs12file)", -1), "OPTION", "-certfile", NULL);
    }
    if (haveKey && !haveCert) {
	const char *opt = cfgPtr->key != NULL ? "-key" : "-keyfile";

	return TlsError(interp, Tcl_ObjPrintf("%s needs a certificate: give "
		"-certfile (or -cert)", opt), "OPTION", opt, NULL);
    }
    if (cfgPtr->cert != NULL && !haveKey) {
	return TlsError(interp, Tcl_NewStringObj(
		"-cert needs a private key: give -key or -keyfile", -1),
		"OPTION", "-cert", NULL);
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsKeylogEnabled --
 *
 *	Whether SSLKEYLOGFILE asks for key material to be logged. Checked
 *	when a context is looked up, so setting the variable affects the
 *	connections made afterwards.
 *
 *----------------------------------------------------------------------
 */

int
TlsKeylogEnabled(void)
{
    const char *path = getenv("SSLKEYLOGFILE");

    return path != NULL && *path != '\0';
}

/*
 *----------------------------------------------------------------------
 *
 * TlsBuildContext --
 *
 *	Creates a new SSL_CTX for a configuration, with the callbacks of
 *	hooksPtr (tlsHooks.c's, handed down by tlsContext.c).
 *
 * Results:
 *	The context (owned by the caller), or NULL with an error in interp.
 *
 *----------------------------------------------------------------------
 */

SSL_CTX *
TlsBuildContext(
    Tcl_Interp *interp,
    const TlsConfig *cfgPtr,
    const TlsHooks *hooksPtr)
{
    SSL_CTX *ctx;

    ERR_clear_error();
    ctx = SSL_CTX_new(TLS_method());
    if (ctx == NULL) {
	TlsErrorOpenSSL(interp, "cannot create SSL context", "CONTEXT",
		NULL);
	return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, cfgPtr->minVersion);
    SSL_CTX_set_max_proto_version(ctx, cfgPtr->maxVersion);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE
	    | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF
	    | SSL_OP_NO_COMPRESSION);
    if (cfgPtr->securityLevel >= 0) {
	SSL_CTX_set_security_level(ctx, cfgPtr->securityLevel);
    }
    if (cfgPtr->server) {
	/*
	 * Needed for resumption together with client certificates; each
	 * connection sets its own (ServerSessionContext in tlsConn.c).
	 */
	SSL_CTX_set_session_id_context(ctx,
		(const unsigned char *) TLS_PACKAGE_NAME,
		sizeof(TLS_PACKAGE_NAME) - 1);
	SSL_CTX_set_alpn_select_cb(ctx, hooksPtr->alpnSelect, NULL);
	SSL_CTX_set_client_hello_cb(ctx, hooksPtr->clientHello, NULL);
	SSL_CTX_set_tlsext_servername_callback(ctx, hooksPtr->serverName);
	/*
	 * TLS 1.3 tickets go out with the first reply (TlsConnWrite), not
	 * right after the handshake: a client that sends and closes at once
	 * would answer tickets with a TCP reset, and the reset would make
	 * our kernel drop the data the script has not read yet.
	 */
	SSL_CTX_set_num_tickets(ctx, 0);
	/* Tickets under -ticketkeys or our own keys (tlsTicketKeys.c). */
	SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, TlsTicketKeyCallback);
    } else {
	/* Sessions go to our per-context table (tlsSession.c). */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT
		| SSL_SESS_CACHE_NO_INTERNAL_STORE);
    }
    SSL_CTX_sess_set_new_cb(ctx, hooksPtr->newSession);
    SSL_CTX_set_tlsext_status_cb(ctx, TlsOcspCallback);	/* tlsOcsp.c */
    if (TlsKeylogEnabled()) {
	SSL_CTX_set_keylog_callback(ctx, hooksPtr->keylog);
    }
    if (cfgPtr->cipher != NULL && !SSL_CTX_set_cipher_list(ctx,
	    Tcl_GetString(cfgPtr->cipher))) {
	TlsErrorOpenSSL(interp, "bad -cipher list", "OPTION", "-cipher");
	goto fail;
    }
    if (cfgPtr->cipherSuites != NULL && !SSL_CTX_set_ciphersuites(ctx,
	    Tcl_GetString(cfgPtr->cipherSuites))) {
	TlsErrorOpenSSL(interp, "bad -ciphersuites list", "OPTION",
		"-ciphersuites");
	goto fail;
    }
    if (TlsApplyGroups(interp, ctx, cfgPtr) != TCL_OK) {
	goto fail;
    }
    if (TlsLoadCertAndKey(interp, ctx, cfgPtr) != TCL_OK
	    || TlsLoadTrust(interp, ctx, cfgPtr) != TCL_OK
	    || TlsApplyRevocation(interp, ctx, cfgPtr) != TCL_OK
	    || LoadDhParams(interp, ctx, cfgPtr) != TCL_OK) {
	goto fail;
    }
    BuildChainOnce(ctx);
    return ctx;

  fail:
    SSL_CTX_free(ctx);
    ERR_clear_error();
    return NULL;
}
