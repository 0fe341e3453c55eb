/*
 * tlsInfo.c --
 *
 *	The reporting commands on channels: tls::status and tls::connection
 *	(tls::ciphers, tls::protocols and tls::version are tlsCiphers.c's).
 *	They only read OpenSSL state; neither changes a connection.
 *
 *	tls::status ?-local? channel
 *	    Empty list until the handshake has finished. Then the keys of
 *	    TlsX509Dict (see tlsX509.c) for the peer's certificate, or with
 *	    -local for our own, followed by these; without a certificate
 *	    (a server that asked for none, or -local on a client without
 *	    one) only these:
 *	    peername	The name of the certificate that the host name check
 *			matched (as in the certificate, so possibly a wildcard
 *			such as *.example.com); when no check was made, and
 *			always with -local, the subject's last CN; "" without
 *			either.
 *	    sbits	Integer, secret bits of the cipher (e.g. 256).
 *	    cipher	OpenSSL name of the cipher, e.g. TLS_AES_256_GCM_SHA384
 *			or ECDHE-RSA-AES128-GCM-SHA256.
 *	    verificationresult
 *			X509_verify_cert_error_string of the peer verification
 *			result: "ok", "certificate has expired", ...
 *	    alpn	Protocol chosen by ALPN, "" if none.
 *	    protocol	TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3 (SSL_get_version).
 *	    signature_hash
 *			OpenSSL short name of the digest the peer (with -local:
 *			we) signed the handshake with, e.g. SHA256; "" if none.
 *	    signature_type
 *			Short name of that signature's type: rsaEncryption
 *			(PKCS#1 v1.5), RSASSA-PSS, id-ecPublicKey (ECDSA),
 *			ED25519; "" if none.
 *	    ca_names	List of RFC 2253 DNs: on a client the CA names the
 *			server sent with its certificate request, on a server
 *			those it sends.
 *	    ocsp	The client's verdict on the server's stapled OCSP
 *			response (tlsOcsp.c): good, revoked, unknown, none,
 *			or "invalid: reason"; none on a server.
 *
 *	tls::connection channel
 *	    Works at any time; keys whose value is not known yet (no cipher
 *	    or no session before the handshake) are "".
 *	    state		SSL_state_string_long, e.g. "SSL negotiation
 *				finished successfully".
 *	    servername		SNI name sent (client) or received (server).
 *	    protocol		SSL_get_version: TLSv1, TLSv1.1, TLSv1.2 or
 *				TLSv1.3; "" until the hellos have fixed it.
 *	    renegotiation	"supported" if the peer signalled secure
 *				renegotiation (RFC 5746) and the protocol
 *				has renegotiation (not TLS 1.3), else "not
 *				supported".
 *	    securitylevel	Integer 0..5.
 *	    session_reused	0 or 1.
 *	    session_offered	0 or 1: a client offered a session (its
 *				-session or a saved one).
 *	    session_ignored	Why a client's -session was not offered
 *				(tlsSessionIO.c), "" if it was or none.
 *	    is_server		0 or 1.
 *	    cipher		OpenSSL cipher name.
 *	    standard_name	RFC name, e.g.
 *				TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256.
 *	    bits		Integer, bits the cipher processes.
 *	    secret_bits		Integer, secret bits of the cipher.
 *	    min_version		Oldest protocol the cipher works with, e.g.
 *				TLSv1.2 (SSL_CIPHER_get_version).
 *	    id			Integer, OpenSSL cipher id: 0x03000000 plus
 *				the IANA number (50336514 for
 *				TLS_AES_256_GCM_SHA384).
 *	    description		SSL_CIPHER_description without the newline.
 *	    alpn		Protocol chosen by ALPN, "" if none.
 *	    resumable		0 or 1.
 *	    start_time		Integer, session start in seconds since the
 *				epoch.
 *	    timeout		Integer, session lifetime in seconds.
 *	    lifetime		Integer, ticket lifetime hint in seconds.
 *	    session_id		Lowercase hex, "" if none.
 *	    session_ticket	Lowercase hex, "" if none.
 *	    ticket_app_data	Lowercase hex, "" if none.
 *	    master_key		Lowercase hex.
 *	    compression		Compression method name, or "none".
 *	    expansion		Expansion method name, or "none".
 *	    session_cache_mode	client, server, both or none.
 *	    group		Key exchange group, e.g. x25519 (tlsGroups.c);
 *				"" if none.
 *	    peer_signature_algorithm
 *				The peer's signature scheme, e.g.
 *				rsa_pss_rsae_sha256; "" if it signed nothing.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"

static const char *	NidName(int found, int nid);
static const char *	VersionName(const SSL *ssl);
static Tcl_Obj *	AlpnObj(const SSL *ssl);
static Tcl_Obj *	CaNamesObj(const SSL *ssl);
static void		PutStatusKeys(Tcl_Obj *dictObj, SSL *ssl, X509 *cert,
			    int local);
static void		PutCipher(Tcl_Obj *dictObj,
			    const SSL_CIPHER *cipherPtr);
static Tcl_Obj *	MasterKeyObj(const SSL_SESSION *sessPtr);
static void		PutSession(Tcl_Obj *dictObj, SSL_SESSION *sessPtr);
static const char *	CompressionName(const COMP_METHOD *methodPtr);
static const char *	CacheModeName(long mode);

/*
 * NidName --
 *
 *	Short name of the NID an SSL_get_*_nid call reported (a static
 *	string), or "" when the call found none.
 */

static const char *
NidName(
    int found,			/* What the SSL_get_*_nid call returned. */
    int nid)
{
    const char *name;

    if (!found || nid == NID_undef) {
	return "";
    }
    name = OBJ_nid2sn(nid);
    return name ? name : "";
}

/*
 * VersionName --
 *
 *	The negotiated protocol version, or "". Until the hellos are
 *	processed SSL_get_version names the newest version OpenSSL knows,
 *	which would pass for a result; the cipher is fixed in the same step,
 *	so its absence tells us the version is not known yet.
 */

static const char *
VersionName(
    const SSL *ssl)
{
    if (SSL_get_current_cipher(ssl) == NULL) {
	return "";
    }
    return SSL_get_version(ssl);
}

/*
 * AlpnObj --
 *
 *	The protocol ALPN selected, as a new object (refcount 0); empty when
 *	none was.
 */

static Tcl_Obj *
AlpnObj(
    const SSL *ssl)
{
    const unsigned char *data = NULL;
    unsigned int length = 0;

    SSL_get0_alpn_selected(ssl, &data, &length);
    if (data == NULL || length == 0) {
	return Tcl_NewObj();
    }
    return TlsUtf8Obj((const char *) data, (Tcl_Size) length);
}

/*
 *----------------------------------------------------------------------
 *
 * CaNamesObj --
 *
 *	The CA names of a certificate request, as a list of DNs. A client
 *	reports what the server sent. A server reports its own list:
 *	clients hardly ever send one (only TLS 1.3 allows it), and the list
 *	a server asks for is what an operator wants to check.
 *
 * Results:
 *	A new list object, refcount 0.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
CaNamesObj(
    const SSL *ssl)
{
    const STACK_OF(X509_NAME) *namesPtr;
    Tcl_Obj *listObj = Tcl_NewListObj(0, NULL);
    int i;

    /* Both lists stay owned by the SSL (or its SSL_CTX). */
    if (SSL_is_server(ssl)) {
	namesPtr = SSL_get_client_CA_list(ssl);
    } else {
	namesPtr = SSL_get0_peer_CA_list(ssl);
    }
    for (i = 0; i < sk_X509_NAME_num(namesPtr); i++) {
	Tcl_ListObjAppendElement(NULL, listObj,
		TlsX509NameObj(sk_X509_NAME_value(namesPtr, i)));
    }
    return listObj;
}

/*
 *----------------------------------------------------------------------
 *
 * PutStatusKeys --
 *
 *	Adds the connection keys of tls::status (peername to ca_names).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Modifies dictObj.
 *
 *----------------------------------------------------------------------
 */

static void
PutStatusKeys(
    Tcl_Obj *dictObj,
    SSL *ssl,
    X509 *cert,			/* Reported certificate, or NULL. */
    int local)			/* 1 for -local. */
{
    const SSL_CIPHER *cipherPtr = SSL_get_current_cipher(ssl);
    const char *peerName = NULL;
    int nid = NID_undef, found;

    /*
     * The name the host check matched is the one that made us trust the
     * peer, so it beats the CN. It belongs to the peer only: with -local
     * the CN of our own certificate is the answer.
     */
    if (!local) {
	peerName = SSL_get0_peername(ssl);
    }
    if (peerName != NULL) {
	TlsDictPutObj(dictObj, "peername", TlsUtf8Obj(peerName, -1));
    } else {
	TlsDictPutObj(dictObj, "peername", TlsX509CommonName(cert));
    }
    TlsDictPutInt(dictObj, "sbits", SSL_CIPHER_get_bits(cipherPtr, NULL));
    TlsDictPutString(dictObj, "cipher",
	    cipherPtr ? SSL_CIPHER_get_name(cipherPtr) : "");
    TlsDictPutString(dictObj, "verificationresult",
	    X509_verify_cert_error_string(SSL_get_verify_result(ssl)));
    TlsDictPutObj(dictObj, "alpn", AlpnObj(ssl));
    TlsDictPutString(dictObj, "protocol", VersionName(ssl));

    if (local) {
	found = SSL_get_signature_nid(ssl, &nid);
    } else {
	found = SSL_get_peer_signature_nid(ssl, &nid);
    }
    TlsDictPutString(dictObj, "signature_hash", NidName(found, nid));
    nid = NID_undef;
    if (local) {
	found = SSL_get_signature_type_nid(ssl, &nid);
    } else {
	found = SSL_get_peer_signature_type_nid(ssl, &nid);
    }
    TlsDictPutString(dictObj, "signature_type", NidName(found, nid));
    TlsDictPutObj(dictObj, "ca_names", CaNamesObj(ssl));
}

/*
 *----------------------------------------------------------------------
 *
 * TlsStatusCmd --
 *
 *	Implements "tls::status ?-local? channel": the certificate of the
 *	peer (or ours) and how it was accepted; see the top of this file.
 *
 * Results:
 *	A standard Tcl result.
 *
 * Side effects:
 *	None. The OpenSSL error queue is left as found: a callback may run
 *	this in the middle of a handshake.
 *
 *----------------------------------------------------------------------
 */

int
TlsStatusCmd(
    void *clientData,		/* Not used. */
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    TlsConn *connPtr;
    X509 *cert;
    Tcl_Obj *dictObj;
    int local = 0;

    (void) clientData;
    if (objc < 2 || objc > 3) {
	return TlsErrorUsage(interp, 1, objv, "?-local? channel");
    }
    if (objc == 3) {
	if (strcmp(Tcl_GetString(objv[1]), "-local") != 0) {
	    return TlsError(interp, Tcl_ObjPrintf(
		    "bad option \"%s\": must be -local",
		    Tcl_GetString(objv[1])), "USAGE", NULL);
	}
	local = 1;
    }
    connPtr = TlsChannelConn(interp, objv[objc - 1], NULL);
    if (connPtr == NULL) {
	return TCL_ERROR;
    }

    /*
     * The manual's promise: an empty list means "not handshaken yet".
     * OpenSSL's view, not our state: an info callback for "handshake
     * done" runs before the handshake call has returned to us.
     */
    if (!SSL_is_init_finished(connPtr->ssl)) {
	Tcl_SetObjResult(interp, Tcl_NewObj());
	return TCL_OK;
    }

    /* Both getters leave the certificate owned by the SSL: no X509_free. */
    if (local) {
	cert = SSL_get_certificate(connPtr->ssl);
    } else {
	cert = SSL_get0_peer_certificate(connPtr->ssl);
    }
    ERR_set_mark();
    if (cert != NULL) {
	dictObj = TlsX509Dict(cert);
    } else {
	dictObj = Tcl_NewDictObj();
    }
    PutStatusKeys(dictObj, connPtr->ssl, cert, local);
    TlsDictPutObj(dictObj, "ocsp", TlsOcspResultObj(connPtr));
    ERR_pop_to_mark();
    Tcl_SetObjResult(interp, dictObj);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * PutCipher --
 *
 *	Adds the cipher keys of tls::connection (cipher to description);
 *	all "" before a cipher has been negotiated.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Modifies dictObj.
 *
 *----------------------------------------------------------------------
 */

static void
PutCipher(
    Tcl_Obj *dictObj,
    const SSL_CIPHER *cipherPtr)	/* Current cipher, or NULL. */
{
    int algBits = 0, secretBits;

    if (cipherPtr == NULL) {
	static const char *const keys[] = {
	    "cipher", "standard_name", "bits", "secret_bits",
	    "min_version", "id", "description", NULL
	};
	const char *const *keyPtr;

	for (keyPtr = keys; *keyPtr != NULL; keyPtr++) {
	    TlsDictPutString(dictObj, *keyPtr, "");
	}
	return;
    }
    secretBits = SSL_CIPHER_get_bits(cipherPtr, &algBits);
    TlsDictPutString(dictObj, "cipher", SSL_CIPHER_get_name(cipherPtr));
    TlsDictPutString(dictObj, "standard_name",
	    SSL_CIPHER_standard_name(cipherPtr));
    TlsDictPutInt(dictObj, "bits", algBits);
    TlsDictPutInt(dictObj, "secret_bits", secretBits);
    TlsDictPutString(dictObj, "min_version",
	    SSL_CIPHER_get_version(cipherPtr));
    TlsDictPutInt(dictObj, "id", (Tcl_WideInt) SSL_CIPHER_get_id(cipherPtr));
    TlsDictPutObj(dictObj, "description", TlsCipherDescription(cipherPtr));
}

/*
 *----------------------------------------------------------------------
 *
 * MasterKeyObj --
 *
 *	The session's master key (TLS 1.3: resumption secret) in hex. Its
 *	length varies with the protocol, so we ask OpenSSL for it first.
 *
 * Results:
 *	A new string object, refcount 0.
 *
 * Side effects:
 *	None; the temporary copy of the key is wiped before it is freed.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
MasterKeyObj(
    const SSL_SESSION *sessPtr)
{
    size_t length = SSL_SESSION_get_master_key(sessPtr, NULL, 0);
    unsigned char *key;
    Tcl_Obj *resultObj;

    if (length == 0) {
	return Tcl_NewObj();
    }
    key = (unsigned char *) ckalloc(length);
    length = SSL_SESSION_get_master_key(sessPtr, key, length);
    resultObj = TlsHexObj(key, length);
    OPENSSL_cleanse(key, length);
    ckfree(key);
    return resultObj;
}

/*
 *----------------------------------------------------------------------
 *
 * PutSession --
 *
 *	Adds the session keys of tls::connection (resumable to
 *	master_key); all "" while there is no session.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Modifies dictObj.
 *
 *----------------------------------------------------------------------
 */

static void
PutSession(
    Tcl_Obj *dictObj,
    SSL_SESSION *sessPtr)	/* Owned by the SSL; may be NULL. */
{
    const unsigned char *bytes = NULL;
    unsigned int idLength = 0;
    size_t length = 0;
    void *appData = NULL;

    if (sessPtr == NULL) {
	static const char *const keys[] = {
	    "resumable", "start_time", "timeout", "lifetime", "session_id",
	    "session_ticket", "ticket_app_data", "master_key", NULL
	};
	const char *const *keyPtr;

	for (keyPtr = keys; *keyPtr != NULL; keyPtr++) {
	    TlsDictPutString(dictObj, *keyPtr, "");
	}
	return;
    }
    TlsDictPutInt(dictObj, "resumable", SSL_SESSION_is_resumable(sessPtr));
    TlsDictPutInt(dictObj, "start_time",
	    (Tcl_WideInt) TLS_SESSION_GET_TIME(sessPtr));
    TlsDictPutInt(dictObj, "timeout", SSL_SESSION_get_timeout(sessPtr));
    TlsDictPutInt(dictObj, "lifetime",
	    (Tcl_WideInt) SSL_SESSION_get_ticket_lifetime_hint(sessPtr));

    bytes = SSL_SESSION_get_id(sessPtr, &idLength);
    TlsDictPutObj(dictObj, "session_id",
	    TlsHexObj(bytes, bytes ? idLength : 0));

    bytes = NULL;
    SSL_SESSION_get0_ticket(sessPtr, &bytes, &length);
    TlsDictPutObj(dictObj, "session_ticket",
	    TlsHexObj(bytes, bytes ? length : 0));

    length = 0;
    if (!SSL_SESSION_get0_ticket_appdata(sessPtr, &appData, &length)
	    || appData == NULL) {
	length = 0;
    }
    TlsDictPutObj(dictObj, "ticket_app_data", TlsHexObj(appData, length));
    TlsDictPutObj(dictObj, "master_key", MasterKeyObj(sessPtr));
}

/*
 * CompressionName, CacheModeName --
 *
 *	Words (static strings) for the compression method and the session
 *	cache mode.
 */

static const char *
CompressionName(
    const COMP_METHOD *methodPtr)	/* NULL when not compressing. */
{
    const char *name = NULL;

    if (methodPtr != NULL) {
	name = SSL_COMP_get_name(methodPtr);
    }
    return name ? name : "none";
}

static const char *
CacheModeName(
    long mode)			/* SSL_SESS_CACHE_* bits. */
{
    switch (mode & SSL_SESS_CACHE_BOTH) {
    case SSL_SESS_CACHE_CLIENT:
	return "client";
    case SSL_SESS_CACHE_SERVER:
	return "server";
    case SSL_SESS_CACHE_BOTH:
	return "both";
    default:
	return "none";
    }
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnectionCmd --
 *
 *	Implements "tls::connection channel": the state of the connection,
 *	its cipher and its session; see the top of this file.
 *
 * Results:
 *	A standard Tcl result.
 *
 * Side effects:
 *	None. The OpenSSL error queue is left as found: a callback may run
 *	this in the middle of a handshake.
 *
 *----------------------------------------------------------------------
 */

int
TlsConnectionCmd(
    void *clientData,		/* Not used. */
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    TlsConn *connPtr;
    SSL *ssl;
    Tcl_Obj *dictObj;

    (void) clientData;
    if (objc != 2) {
	return TlsErrorUsage(interp, 1, objv, "channel");
    }
    connPtr = TlsChannelConn(interp, objv[1], NULL);
    if (connPtr == NULL) {
	return TCL_ERROR;
    }
    ssl = connPtr->ssl;
    ERR_set_mark();
    dictObj = Tcl_NewDictObj();
    TlsDictPutString(dictObj, "state", SSL_state_string_long(ssl));
    TlsDictPutObj(dictObj, "servername", TlsUtf8Obj(
	    SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name), -1));
    TlsDictPutString(dictObj, "protocol", VersionName(ssl));
    TlsDictPutString(dictObj, "renegotiation",
	    SSL_version(ssl) < TLS1_3_VERSION
	    && SSL_get_secure_renegotiation_support(ssl)
	    ? "supported" : "not supported");
    TlsDictPutInt(dictObj, "securitylevel", SSL_get_security_level(ssl));
    TlsDictPutInt(dictObj, "session_reused", SSL_session_reused(ssl));
    TlsDictPutInt(dictObj, "session_offered", connPtr->sessionOffered);
    TlsDictPutString(dictObj, "session_ignored", connPtr->sessionIgnored
	    ? connPtr->sessionIgnored : "");
    TlsDictPutInt(dictObj, "is_server", SSL_is_server(ssl));
    PutCipher(dictObj, SSL_get_current_cipher(ssl));
    TlsDictPutObj(dictObj, "alpn", AlpnObj(ssl));
    PutSession(dictObj, SSL_get_session(ssl));
    TlsDictPutString(dictObj, "compression",
	    CompressionName(SSL_get_current_compression(ssl)));
    TlsDictPutString(dictObj, "expansion",
	    CompressionName(SSL_get_current_expansion(ssl)));

    /*
     * Ask the SSL for its context instead of using connPtr->ctxPtr: an
     * SNI callback may have moved the connection to another SSL_CTX.
     */
    TlsDictPutString(dictObj, "session_cache_mode", CacheModeName(
	    SSL_CTX_get_session_cache_mode(SSL_get_SSL_CTX(ssl))));
    TlsDictPutObj(dictObj, "group", TlsGroupObj(ssl));
    TlsDictPutObj(dictObj, "peer_signature_algorithm",
	    TlsPeerSigalgObj(ssl));
    ERR_pop_to_mark();
    Tcl_SetObjResult(interp, dictObj);
    return TCL_OK;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
