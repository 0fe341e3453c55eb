/*
 * tlsOcsp.c --
 *
 *	OCSP stapling (RFC 6066 section 8, RFC 6960), both sides.
 *
 *	Server: -ocspfile names a DER OCSP response for our certificate (as
 *	"openssl ocsp -respout" writes it). When a client asks for the
 *	status, the file is read (again only when its identity changed:
 *	path, size, time, inode), checked (a successful response, about our
 *	certificate, current) and stapled. A response that fails the check
 *	is not stapled, and the problem is reported once per file version
 *	through the "error" form of -command.
 *
 *	Client: -ocsp request asks for a staple; one that says revoked, or
 *	that is invalid (not a successful response, a bad signature, about
 *	another certificate, stale) fails the handshake. -ocsp require also
 *	fails it when none comes. The result is kept for tls::status (key
 *	ocsp): good, revoked, unknown, none, or "invalid: reason".
 *
 *	Nothing is fetched from the network: no OCSP responder is asked.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include <openssl/ocsp.h>

/* Seconds of clock difference allowed in thisUpdate and nextUpdate. */
#define TLS_OCSP_LEEWAY 300

/* Largest response file read. */
#define TLS_OCSP_MAX_BYTES (1024 * 1024)

/* The values of -ocsp, in order of TLS_OCSP_* (tlsInt.h). */
static const char *const ocspModes[] = {"none", "request", "require", NULL};

/*
 * One response file of the server side, cached per thread by path.
 */

typedef struct OcspFile {
    char *identity;		/* TlsFileIdentity when read (ckalloc). */
    Tcl_Obj *derObj;		/* Its bytes, one reference; NULL if it
				 * could not be read. */
    int reported;		/* The problem of this version was given
				 * to an error callback. */
} OcspFile;

typedef struct ThreadData {
    int initialized;
    Tcl_HashTable files;	/* Path -> OcspFile *. */
} ThreadData;

static Tcl_ThreadDataKey dataKey;

static void		CacheExit(void *clientData);
static OcspFile *	GetFile(Tcl_Obj *pathObj, const char **problemPtr);
static X509 *		FindIssuer(SSL *ssl, X509 *cert);
static const char *	CheckResponse(OCSP_BASICRESP *bs, X509 *cert,
			    X509 *issuer, int *statusPtr);
static const char *	ParseBasic(const unsigned char *der, long length,
			    OCSP_BASICRESP **bsPtr);
static const char *	CheckServerResponse(SSL *ssl, Tcl_Obj *derObj);
static int		ServerStatus(SSL *ssl, TlsConn *connPtr);
static int		ClientStatus(SSL *ssl, TlsConn *connPtr);
static const char *	ClientVerdict(SSL *ssl, STACK_OF(X509) *chain,
			    STACK_OF(X509) *untrusted,
			    const unsigned char *der, long length,
			    int *statusPtr);
static Tcl_Obj *	VerdictObj(const char *problem, int status);
static void		SetResult(TlsConn *connPtr, const char *result,
			    const char *reason);

/*
 * CacheExit --
 *	Thread exit handler: frees the thread's cache of response files.
 */

static void
CacheExit(
    void *clientData)
{
    ThreadData *tsdPtr = (ThreadData *) clientData;
    Tcl_HashSearch search;
    Tcl_HashEntry *hPtr;

    for (hPtr = Tcl_FirstHashEntry(&tsdPtr->files, &search); hPtr != NULL;
	    hPtr = Tcl_NextHashEntry(&search)) {
	OcspFile *filePtr = (OcspFile *) Tcl_GetHashValue(hPtr);

	ckfree(filePtr->identity);
	if (filePtr->derObj != NULL) {
	    Tcl_DecrRefCount(filePtr->derObj);
	}
	ckfree(filePtr);
    }
    Tcl_DeleteHashTable(&tsdPtr->files);
    tsdPtr->initialized = 0;
}

/*
 *----------------------------------------------------------------------
 *
 * GetFile --
 *
 *	The cached state of the response file pathObj, read again if its
 *	identity changed since (a new version resets "reported").
 *
 * Results:
 *	The entry (owned by the cache); its derObj is NULL when the file
 *	cannot be read, and *problemPtr then says so (else NULL).
 *
 *----------------------------------------------------------------------
 */

static OcspFile *
GetFile(
    Tcl_Obj *pathObj,
    const char **problemPtr)
{
    ThreadData *tsdPtr = (ThreadData *)
	    Tcl_GetThreadData(&dataKey, sizeof(ThreadData));
    Tcl_DString id;
    Tcl_HashEntry *hPtr;
    OcspFile *filePtr;
    Tcl_Channel chan;
    int isNew;

    if (!tsdPtr->initialized) {
	Tcl_InitHashTable(&tsdPtr->files, TCL_STRING_KEYS);
	Tcl_CreateThreadExitHandler(CacheExit, tsdPtr);
	tsdPtr->initialized = 1;
    }
    /* A file that cannot be stat'ed has the identity "". */
    Tcl_DStringInit(&id);
    if (TlsFileIdentity(NULL, "-ocspfile", pathObj, 0, &id) != TCL_OK) {
	Tcl_DStringSetLength(&id, 0);
    }
    hPtr = Tcl_CreateHashEntry(&tsdPtr->files, Tcl_GetString(pathObj),
	    &isNew);
    filePtr = isNew ? NULL : (OcspFile *) Tcl_GetHashValue(hPtr);
    if (filePtr != NULL && strcmp(filePtr->identity,
	    Tcl_DStringValue(&id)) == 0) {
	Tcl_DStringFree(&id);
	*problemPtr = filePtr->derObj ? NULL : "the file cannot be read";
	return filePtr;
    }
    if (filePtr == NULL) {
	filePtr = (OcspFile *) ckalloc(sizeof(OcspFile));
	Tcl_SetHashValue(hPtr, filePtr);
    } else {
	ckfree(filePtr->identity);
	if (filePtr->derObj != NULL) {
	    Tcl_DecrRefCount(filePtr->derObj);
	}
    }
    filePtr->identity = ckalloc(Tcl_DStringLength(&id) + 1);
    memcpy(filePtr->identity, Tcl_DStringValue(&id),
	    Tcl_DStringLength(&id) + 1);
    Tcl_DStringFree(&id);
    filePtr->reported = 0;
    filePtr->derObj = NULL;
    chan = filePtr->identity[0] == '\0' ? NULL
	    : Tcl_FSOpenFileChannel(NULL, pathObj, "rb", 0);
    if (chan != NULL) {
	filePtr->derObj = Tcl_NewObj();
	Tcl_IncrRefCount(filePtr->derObj);
	if (Tcl_ReadChars(chan, filePtr->derObj, TLS_OCSP_MAX_BYTES, 0) < 0) {
	    Tcl_DecrRefCount(filePtr->derObj);
	    filePtr->derObj = NULL;
	}
	Tcl_Close(NULL, chan);
    }
    *problemPtr = filePtr->derObj ? NULL : "the file cannot be read";
    return filePtr;
}

/*
 * FindIssuer --
 *	The certificate that issued cert: from the chain we send, else from
 *	the context's trust store. NULL if neither has it. Not a new
 *	reference: owned by the SSL or its store.
 */

static X509 *
FindIssuer(
    SSL *ssl,
    X509 *cert)
{
    STACK_OF(X509) *chain = NULL;
    STACK_OF(X509_OBJECT) *objects;
    int i;

    if (SSL_get0_chain_certs(ssl, &chain) && chain != NULL) {
	for (i = 0; i < sk_X509_num(chain); i++) {
	    if (X509_check_issued(sk_X509_value(chain, i), cert)
		    == X509_V_OK) {
		return sk_X509_value(chain, i);
	    }
	}
    }
    objects = X509_STORE_get0_objects(SSL_CTX_get_cert_store(
	    SSL_get_SSL_CTX(ssl)));
    for (i = 0; i < sk_X509_OBJECT_num(objects); i++) {
	X509 *candidate = X509_OBJECT_get0_X509(
		sk_X509_OBJECT_value(objects, i));

	if (candidate != NULL
		&& X509_check_issued(candidate, cert) == X509_V_OK) {
	    return candidate;
	}
    }
    return NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * CheckResponse --
 *
 *	Whether the basic response bs speaks of cert (issued by issuer) and
 *	is current.
 *
 * Results:
 *	NULL with the certificate's status (V_OCSP_CERTSTATUS_*) in
 *	*statusPtr, or a static string saying what is wrong.
 *
 *----------------------------------------------------------------------
 */

static const char *
CheckResponse(
    OCSP_BASICRESP *bs,
    X509 *cert,
    X509 *issuer,
    int *statusPtr)
{
    OCSP_CERTID *id;
    ASN1_GENERALIZEDTIME *thisUpdate = NULL, *nextUpdate = NULL;
    int reason, found;

    if (issuer == NULL) {
	return "the issuer of the certificate is not known";
    }
    id = OCSP_cert_to_id(NULL, cert, issuer);
    if (id == NULL) {
	return "no certificate id can be made";
    }
    found = OCSP_resp_find_status(bs, id, statusPtr, &reason, NULL,
	    &thisUpdate, &nextUpdate);
    OCSP_CERTID_free(id);
    if (!found) {
	return "the response is about another certificate";
    }
    if (!OCSP_check_validity(thisUpdate, nextUpdate, TLS_OCSP_LEEWAY, -1)) {
	return "the response is stale (past its next update, or not yet "
		"valid)";
    }
    return NULL;
}

/*
 * ParseBasic --
 *	Decodes the DER response der: NULL with *bsPtr the basic response
 *	of a successful one (owned by the caller: OCSP_BASICRESP_free), or
 *	a static string saying what it is not (*bsPtr NULL).
 */

static const char *
ParseBasic(
    const unsigned char *der,
    long length,
    OCSP_BASICRESP **bsPtr)
{
    OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &der, length);
    const char *problem = NULL;

    *bsPtr = NULL;
    if (resp == NULL) {
	problem = "not a DER OCSP response";
    } else if (OCSP_response_status(resp)
	    != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
	problem = "the responder did not answer with a status";
    } else if ((*bsPtr = OCSP_response_get1_basic(resp)) == NULL) {
	problem = "not a basic OCSP response";
    }
    OCSP_RESPONSE_free(resp);
    return problem;
}

/*
 * CheckServerResponse --
 *	What is wrong with the DER response derObj as a staple for our
 *	certificate, or NULL if it is fit.
 */

static const char *
CheckServerResponse(
    SSL *ssl,
    Tcl_Obj *derObj)
{
    Tcl_Size length;
    const unsigned char *der = Tcl_GetByteArrayFromObj(derObj, &length);
    OCSP_BASICRESP *bs;
    X509 *cert = SSL_get_certificate(ssl);	/* The SSL's. */
    const char *problem = ParseBasic(der, (long) length, &bs);
    int status;

    if (problem != NULL) {
	/* Not a successful basic response. */
    } else if (cert == NULL) {
	problem = "we have no certificate";
    } else {
	problem = CheckResponse(bs, cert, FindIssuer(ssl, cert), &status);
    }
    OCSP_BASICRESP_free(bs);
    ERR_clear_error();
    return problem;
}

/*
 *----------------------------------------------------------------------
 *
 * ServerStatus --
 *
 *	The server side of the status callback: staples the -ocspfile
 *	response if it is fit, else reports why (once per file version).
 *
 * Results:
 *	SSL_TLSEXT_ERR_OK (stapled) or SSL_TLSEXT_ERR_NOACK (not).
 *
 *----------------------------------------------------------------------
 */

static int
ServerStatus(
    SSL *ssl,
    TlsConn *connPtr)
{
    const char *problem = NULL;
    OcspFile *filePtr;
    unsigned char *copy;
    const unsigned char *der;
    Tcl_Size length;

    if (connPtr->ocspFile == NULL) {
	return SSL_TLSEXT_ERR_NOACK;
    }
    filePtr = GetFile(connPtr->ocspFile, &problem);
    if (problem == NULL) {
	problem = CheckServerResponse(ssl, filePtr->derObj);
    }
    if (problem != NULL) {
	if (!filePtr->reported && connPtr->command != NULL) {
	    Tcl_Obj *objv[3];

	    objv[0] = Tcl_NewStringObj("error", -1);
	    objv[1] = TlsCallbackChannelName(connPtr);
	    objv[2] = Tcl_ObjPrintf("OCSP response not stapled: -ocspfile "
		    "\"%s\": %s", Tcl_GetString(connPtr->ocspFile), problem);
	    TlsCallbackNotify(connPtr, connPtr->command, 3, objv);
	}
	filePtr->reported = 1;
	return SSL_TLSEXT_ERR_NOACK;
    }
    der = Tcl_GetByteArrayFromObj(filePtr->derObj, &length);
    copy = (unsigned char *) OPENSSL_malloc((size_t) length);
    if (copy == NULL) {
	return SSL_TLSEXT_ERR_NOACK;
    }
    memcpy(copy, der, (size_t) length);
    /* The SSL takes the copy and frees it with OPENSSL_free. */
    if (!SSL_set_tlsext_status_ocsp_resp(ssl, copy, (long) length)) {
	OPENSSL_free(copy);
	return SSL_TLSEXT_ERR_NOACK;
    }
    return SSL_TLSEXT_ERR_OK;
}

/*
 * SetResult --
 *	Records the client's verdict: "result" or "result: reason".
 */

static void
SetResult(
    TlsConn *connPtr,
    const char *result,
    const char *reason)
{
    if (connPtr->ocspResult != NULL) {
	Tcl_DecrRefCount(connPtr->ocspResult);
    }
    connPtr->ocspResult = reason ? Tcl_ObjPrintf("%s: %s", result, reason)
	    : Tcl_NewStringObj(result, -1);
    Tcl_IncrRefCount(connPtr->ocspResult);
}

/*
 *----------------------------------------------------------------------
 *
 * ClientVerdict --
 *
 *	Checks a stapled response on a client: successful, signed by the
 *	issuer or a responder it delegated to (verified against our trust
 *	store, with the certificates the server sent as untrusted helpers),
 *	about the server's certificate (chain[0], issued by chain[1]),
 *	current.
 *
 * Results:
 *	NULL with the status in *statusPtr, or a static string saying why
 *	the response is invalid.
 *
 *----------------------------------------------------------------------
 */

static const char *
ClientVerdict(
    SSL *ssl,
    STACK_OF(X509) *chain,	/* The verified chain, or NULL. */
    STACK_OF(X509) *untrusted,	/* What the server sent. */
    const unsigned char *der,
    long length,
    int *statusPtr)
{
    OCSP_BASICRESP *bs;
    X509_STORE *store = SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl));
    const char *problem = ParseBasic(der, length, &bs);

    if (problem != NULL) {
	/* Not a successful basic response. */
    } else if (chain == NULL || sk_X509_num(chain) < 2) {
	problem = "the server's chain is not verified";
    } else if (OCSP_basic_verify(bs, untrusted, store, 0) <= 0) {
	problem = "bad signature (not signed by the certificate's issuer "
		"or its responder)";
    } else {
	problem = CheckResponse(bs, sk_X509_value(chain, 0),
		sk_X509_value(chain, 1), statusPtr);
    }
    OCSP_BASICRESP_free(bs);
    ERR_clear_error();
    return problem;
}

/*
 *----------------------------------------------------------------------
 *
 * ClientStatus --
 *
 *	The client side of the status callback: judges the staple and
 *	records the result; fails the handshake for revoked, invalid, or
 *	(with require) missing.
 *
 * Results:
 *	1 to go on, 0 to fail the handshake (connPtr->ocspError says why).
 *
 *----------------------------------------------------------------------
 */

static int
ClientStatus(
    SSL *ssl,
    TlsConn *connPtr)
{
    const unsigned char *der = NULL;
    long length = SSL_get_tlsext_status_ocsp_resp(ssl, &der);
    const char *problem;
    int status = V_OCSP_CERTSTATUS_UNKNOWN;

    if (der == NULL || length <= 0) {
	SetResult(connPtr, "none", NULL);
	if (connPtr->ocspMode == TLS_OCSP_REQUIRE) {
	    connPtr->ocspError = "missing";
	    return 0;
	}
	return 1;
    }
    problem = ClientVerdict(ssl, SSL_get0_verified_chain(ssl),
	    SSL_get_peer_cert_chain(ssl), der, length, &status);
    if (problem != NULL) {
	SetResult(connPtr, "invalid", problem);
	connPtr->ocspError = "invalid";
	return 0;
    }
    if (status == V_OCSP_CERTSTATUS_REVOKED) {
	SetResult(connPtr, "revoked", NULL);
	connPtr->ocspError = "revoked";
	return 0;
    }
    SetResult(connPtr, status == V_OCSP_CERTSTATUS_GOOD ? "good"
	    : "unknown", NULL);
    return 1;
}

/*
 * VerdictObj --
 *	The words of a verdict: "invalid: problem", or the status.
 */

static Tcl_Obj *
VerdictObj(
    const char *problem,
    int status)
{
    if (problem != NULL) {
	return Tcl_ObjPrintf("invalid: %s", problem);
    }
    return Tcl_NewStringObj(status == V_OCSP_CERTSTATUS_GOOD ? "good"
	    : status == V_OCSP_CERTSTATUS_REVOKED ? "revoked" : "unknown", -1);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsOcspVerifyInfo --
 *
 *	The "ocsp" key of the certificate that the verify callback gets for
 *	the server's certificate (depth 0), on a client that asked for a
 *	staple: the verdict on the staple when it has come (TLS 1.3 carries
 *	it in the Certificate message), "none" when a TLS 1.3 server sent
 *	none, "pending" under TLS 1.2, whose staple follows the certificate
 *	and is judged after this callback.
 *
 * Results:
 *	A new object, or NULL when no key is to be added.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
TlsOcspVerifyInfo(
    TlsConn *connPtr,
    X509_STORE_CTX *storeCtx)
{
    SSL *ssl = connPtr->ssl;
    const unsigned char *der = NULL;
    long length;
    const char *problem;
    int status = V_OCSP_CERTSTATUS_UNKNOWN;

    if (SSL_is_server(ssl) || connPtr->ocspMode == TLS_OCSP_NONE
	    || X509_STORE_CTX_get_error_depth(storeCtx) != 0) {
	return NULL;
    }
    if (SSL_version(ssl) < TLS1_3_VERSION) {
	return Tcl_NewStringObj("pending", -1);
    }
    length = SSL_get_tlsext_status_ocsp_resp(ssl, &der);
    if (der == NULL || length <= 0) {
	return Tcl_NewStringObj("none", -1);
    }
    problem = ClientVerdict(ssl, X509_STORE_CTX_get0_chain(storeCtx),
	    X509_STORE_CTX_get0_untrusted(storeCtx), der, length, &status);
    return VerdictObj(problem, status);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsOcspCallback --
 *
 *	OpenSSL's status callback (SSL_CTX_set_tlsext_status_cb), for both
 *	roles: the server is asked for a staple, the client judges one.
 *
 *----------------------------------------------------------------------
 */

int
TlsOcspCallback(
    SSL *ssl,
    void *arg)
{
    TlsConn *connPtr = TlsConnFromSSL(ssl);

    (void) arg;
    if (SSL_is_server(ssl)) {
	return connPtr ? ServerStatus(ssl, connPtr) : SSL_TLSEXT_ERR_NOACK;
    }
    if (connPtr == NULL || connPtr->ocspMode == TLS_OCSP_NONE) {
	return 1;
    }
    return ClientStatus(ssl, connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsCheckOcspMode --
 *
 *	Parse-time check of -ocsp: none, request or require ("" unset).
 *
 *----------------------------------------------------------------------
 */

int
TlsCheckOcspMode(
    Tcl_Interp *interp,
    Tcl_Obj *valueObj)
{
    int index;

    if (Tcl_GetCharLength(valueObj) == 0
	    || Tcl_GetIndexFromObj(NULL, valueObj, ocspModes, "",
	    TCL_EXACT, &index) == TCL_OK) {
	return TCL_OK;
    }
    return TlsError(interp, Tcl_ObjPrintf("bad value \"%s\" for -ocsp: "
	    "must be none, request or require", Tcl_GetString(valueObj)),
	    "OPTION", "-ocsp", NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsOcspConnInit, TlsOcspConnFree --
 *
 *	Set up a new connection's stapling from its options: a server
 *	keeps -ocspfile (one reference), a client that wants a staple asks
 *	for one. Free drops what Init took and the result.
 *
 *----------------------------------------------------------------------
 */

void
TlsOcspConnInit(
    TlsConn *connPtr,
    const TlsConfig *cfgPtr)
{
    int index = TLS_OCSP_NONE;

    if (cfgPtr->server) {
	connPtr->ocspFile = cfgPtr->ocspFile;
	if (connPtr->ocspFile != NULL) {
	    Tcl_IncrRefCount(connPtr->ocspFile);
	}
	return;
    }
    if (cfgPtr->ocsp != NULL) {
	(void) Tcl_GetIndexFromObj(NULL, cfgPtr->ocsp, ocspModes, "",
		TCL_EXACT, &index);
    }
    connPtr->ocspMode = index;
    if (index != TLS_OCSP_NONE) {
	SSL_set_tlsext_status_type(connPtr->ssl, TLSEXT_STATUSTYPE_ocsp);
    }
}

void
TlsOcspConnFree(
    TlsConn *connPtr)
{
    if (connPtr->ocspFile != NULL) {
	Tcl_DecrRefCount(connPtr->ocspFile);
	connPtr->ocspFile = NULL;
    }
    if (connPtr->ocspResult != NULL) {
	Tcl_DecrRefCount(connPtr->ocspResult);
	connPtr->ocspResult = NULL;
    }
}

/*
 * TlsOcspResultObj --
 *	The value of the status key ocsp: the client's verdict, "none"
 *	when no staple came or none was asked for (a new object).
 */

Tcl_Obj *
TlsOcspResultObj(
    TlsConn *connPtr)
{
    if (connPtr->ocspResult != NULL) {
	return Tcl_DuplicateObj(connPtr->ocspResult);
    }
    return Tcl_NewStringObj("none", -1);
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
