/*
 * tlsCiphers.c --
 *
 *	What this OpenSSL offers, without a channel: tls::ciphers,
 *	tls::protocols and tls::version. They only ask OpenSSL, through
 *	throw-away probe objects, and leave its error queue as found.
 *
 *	tls::ciphers protocol ?verbose? ?supported?
 *	    Names (or, verbose, SSL_CIPHER_description lines without the
 *	    newline) of the ciphers OpenSSL offers for protocol; with
 *	    supported, only those usable with that protocol version. Empty
 *	    for a protocol this OpenSSL cannot speak (ssl2, and ssl3 on most
 *	    builds).
 *
 *	tls::protocols
 *	    Those of tls1 tls1.1 tls1.2 tls1.3 that this OpenSSL can speak.
 *
 *	tls::version
 *	    OpenSSL_version(OPENSSL_VERSION), e.g. "OpenSSL 3.0.22 ...".
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include <openssl/crypto.h>

/*
 * The protocols tls::ciphers accepts, in the order its error message
 * lists them. OpenSSL 3 has no SSLv2 at all; SSL2_VERSION is only a
 * number that every version setter refuses, which is what we want.
 */

typedef struct ProtocolName {
    const char *name;
    int version;		/* OpenSSL's constant for it. */
} ProtocolName;

static const ProtocolName protocolNames[] = {
    {"ssl2",	SSL2_VERSION},
    {"ssl3",	SSL3_VERSION},
    {"tls1",	TLS1_VERSION},
    {"tls1.1",	TLS1_1_VERSION},
    {"tls1.2",	TLS1_2_VERSION},
    {"tls1.3",	TLS1_3_VERSION},
    {NULL,	0}
};

/* SSL_CIPHER_description needs at least 128 bytes. */
#define TLS_DESCRIPTION_SIZE 256

/*
 * TlsCipherDescription --
 *
 *	SSL_CIPHER_description as a new object (refcount 0, the caller's),
 *	without its trailing newline (and other trailing blanks), so it reads
 *	as one list element. Also the "description" of tls::connection.
 */

Tcl_Obj *
TlsCipherDescription(
    const SSL_CIPHER *cipherPtr)
{
    char buf[TLS_DESCRIPTION_SIZE];
    size_t length;

    if (SSL_CIPHER_description(cipherPtr, buf, (int) sizeof(buf)) == NULL) {
	return Tcl_NewObj();
    }
    length = strlen(buf);
    while (length > 0 && (buf[length - 1] == '\n' || buf[length - 1] == ' '
	    || buf[length - 1] == '\r' || buf[length - 1] == '\t')) {
	length--;
    }
    return Tcl_NewStringObj(buf, (Tcl_Size) length);
}

/*
 * GetFlag --
 *
 *	Reads a boolean argument into *flagPtr, with the errorCode
 *	{TLS USAGE} of our other usage errors instead of Tcl's. Returns a
 *	standard Tcl result.
 */

static int
GetFlag(
    Tcl_Interp *interp,
    Tcl_Obj *objPtr,
    int *flagPtr)
{
    if (Tcl_GetBooleanFromObj(NULL, objPtr, flagPtr) != TCL_OK) {
	return TlsError(interp, Tcl_ObjPrintf(
		"expected boolean value but got \"%s\"",
		Tcl_GetString(objPtr)), "USAGE", NULL);
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * NewProbe --
 *
 *	Makes a client SSL that may use exactly one protocol version, to
 *	ask OpenSSL what it would do with that version. Security level 0,
 *	because OpenSSL 3 refuses TLS 1.0 and 1.1 at the default level and
 *	the question is what the library can do, not what defaults allow.
 *
 * Results:
 *	TCL_OK with *sslPtr owned by the caller (free it with SSL_free), or
 *	NULL if OpenSSL rejects the version outright. TCL_ERROR with a
 *	message in interp if OpenSSL cannot make the objects.
 *
 * Side effects:
 *	May push errors onto the OpenSSL queue; the callers discard them.
 *
 *----------------------------------------------------------------------
 */

static int
NewProbe(
    Tcl_Interp *interp,
    int version,		/* SSL3_VERSION, TLS1_VERSION, ... */
    SSL **sslPtr)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    SSL *ssl = NULL;

    *sslPtr = NULL;
    if (ctx == NULL) {
	return TlsErrorOpenSSL(interp, "cannot create SSL context",
		"CONTEXT", NULL);
    }
    SSL_CTX_set_security_level(ctx, 0);
    if (SSL_CTX_set_min_proto_version(ctx, version)
	    && SSL_CTX_set_max_proto_version(ctx, version)) {
	ssl = SSL_new(ctx);
	if (ssl == NULL) {
	    SSL_CTX_free(ctx);
	    return TlsErrorOpenSSL(interp, "cannot create SSL object",
		    "CONTEXT", NULL);
	}

	/* The supported list is defined as a client's ClientHello. */
	SSL_set_connect_state(ssl);
    }

    /* SSL_new took its own reference to ctx; drop ours. */
    SSL_CTX_free(ctx);
    *sslPtr = ssl;
    return TCL_OK;
}

/*
 * ProbeCanSpeak --
 *
 *	Whether the probe's protocol version is usable: it is if some cipher
 *	is supported with it. This catches protocols compiled out of OpenSSL
 *	(no-ssl3, no-tls1, ...) at run time, so no #ifdef is needed, and a
 *	library built differently from the headers we were compiled with is
 *	still described correctly.
 */

static int
ProbeCanSpeak(
    SSL *ssl)
{
    STACK_OF(SSL_CIPHER) *ciphersPtr = SSL_get1_supported_ciphers(ssl);
    int canSpeak = sk_SSL_CIPHER_num(ciphersPtr) > 0;

    /* The "get1" list is ours to free, its ciphers are not. */
    sk_SSL_CIPHER_free(ciphersPtr);
    return canSpeak;
}

/*
 * AppendCiphers --
 *
 *	Appends the names (or descriptions, if verbose) of a cipher list to
 *	listObj.
 */

static void
AppendCiphers(
    Tcl_Obj *listObj,
    const STACK_OF(SSL_CIPHER) *ciphersPtr,
    int verbose)
{
    const SSL_CIPHER *cipherPtr;
    Tcl_Obj *itemObj;
    int i;

    for (i = 0; i < sk_SSL_CIPHER_num(ciphersPtr); i++) {
	cipherPtr = sk_SSL_CIPHER_value(ciphersPtr, i);
	if (verbose) {
	    itemObj = TlsCipherDescription(cipherPtr);
	} else {
	    itemObj = Tcl_NewStringObj(SSL_CIPHER_get_name(cipherPtr), -1);
	}
	Tcl_ListObjAppendElement(NULL, listObj, itemObj);
    }
}

/*
 * FindProtocol --
 *	The protocolNames entry named by nameObj, or NULL with the error
 *	{TLS OPTION protocol name} in interp.
 */

static const ProtocolName *
FindProtocol(
    Tcl_Interp *interp,
    Tcl_Obj *nameObj)
{
    const char *protocol = Tcl_GetString(nameObj);
    const ProtocolName *protoPtr;

    for (protoPtr = protocolNames; protoPtr->name != NULL; protoPtr++) {
	if (strcmp(protocol, protoPtr->name) == 0) {
	    return protoPtr;
	}
    }
    TlsError(interp, Tcl_ObjPrintf("bad protocol \"%s\": must be"
	    " ssl2, ssl3, tls1, tls1.1, tls1.2, or tls1.3", protocol),
	    "OPTION", "protocol", protocol, NULL);
    return NULL;
}

/*
 * ProbeCiphers --
 *	Appends to listObj the ciphers of a probe (NewProbe): all those
 *	configured, or only the supported ones. A version OpenSSL cannot
 *	speak supports none, and lists nothing then rather than the
 *	version-blind full list.
 */

static void
ProbeCiphers(
    Tcl_Obj *listObj,
    SSL *ssl,
    int supported,
    int verbose)
{
    /* The "get1" list is ours to free, its ciphers are not. */
    STACK_OF(SSL_CIPHER) *supportedPtr = SSL_get1_supported_ciphers(ssl);

    if (sk_SSL_CIPHER_num(supportedPtr) > 0) {
	AppendCiphers(listObj, supported ? supportedPtr
		: SSL_get_ciphers(ssl), verbose);
    }
    sk_SSL_CIPHER_free(supportedPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsCiphersCmd --
 *
 *	Implements "tls::ciphers protocol ?verbose? ?supported?".
 *	Without supported the list is OpenSSL's configured cipher list,
 *	which is the same for every protocol; with it, only the ciphers
 *	that protocol version can use.
 *
 * Results:
 *	A standard Tcl result.
 *
 * Side effects:
 *	None; the OpenSSL error queue is left as found.
 *
 *----------------------------------------------------------------------
 */

int
TlsCiphersCmd(
    void *clientData,		/* Not used. */
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    const ProtocolName *protoPtr;
    int verbose = 0, supported = 0, result;
    SSL *ssl;
    Tcl_Obj *listObj;

    (void) clientData;
    if (objc < 2 || objc > 4) {
	return TlsErrorUsage(interp, 1, objv, "protocol ?verbose? ?supported?");
    }
    protoPtr = FindProtocol(interp, objv[1]);
    if (protoPtr == NULL
	    || (objc > 2 && GetFlag(interp, objv[2], &verbose) != TCL_OK)
	    || (objc > 3 && GetFlag(interp, objv[3], &supported) != TCL_OK)) {
	return TCL_ERROR;
    }

    ERR_set_mark();
    result = NewProbe(interp, protoPtr->version, &ssl);
    if (result == TCL_OK) {
	listObj = Tcl_NewListObj(0, NULL);
	if (ssl != NULL) {
	    ProbeCiphers(listObj, ssl, supported, verbose);
	    SSL_free(ssl);
	}
	Tcl_SetObjResult(interp, listObj);
    }
    ERR_pop_to_mark();
    return result;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsProtocolsCmd --
 *
 *	Implements "tls::protocols". SSLv2 and SSLv3 are never listed,
 *	even by an OpenSSL built with SSLv3: tls does not enable them.
 *
 * Results:
 *	A standard Tcl result.
 *
 * Side effects:
 *	None; the OpenSSL error queue is left as found.
 *
 *----------------------------------------------------------------------
 */

int
TlsProtocolsCmd(
    void *clientData,		/* Not used. */
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    const ProtocolName *protoPtr;
    Tcl_Obj *listObj;
    SSL *ssl;
    int result = TCL_OK;

    (void) clientData;
    if (objc != 1) {
	return TlsErrorUsage(interp, 1, objv, NULL);
    }
    listObj = Tcl_NewListObj(0, NULL);
    ERR_set_mark();
    for (protoPtr = protocolNames; protoPtr->name != NULL; protoPtr++) {
	if (protoPtr->version < TLS1_VERSION) {
	    continue;
	}
	result = NewProbe(interp, protoPtr->version, &ssl);
	if (result != TCL_OK) {
	    break;
	}
	if (ssl != NULL && ProbeCanSpeak(ssl)) {
	    Tcl_ListObjAppendElement(NULL, listObj,
		    Tcl_NewStringObj(protoPtr->name, -1));
	}
	SSL_free(ssl);
    }
    ERR_pop_to_mark();
    if (result == TCL_OK) {
	Tcl_SetObjResult(interp, listObj);
    } else {
	/* Never shared, so our one reference frees it. */
	Tcl_IncrRefCount(listObj);
	Tcl_DecrRefCount(listObj);
    }
    return result;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsVersionCmd --
 *
 *	Implements "tls::version": the version of the OpenSSL library
 *	loaded at run time (not the headers we were built with).
 *
 * Results:
 *	A standard Tcl result.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

int
TlsVersionCmd(
    void *clientData,		/* Not used. */
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    (void) clientData;
    if (objc != 1) {
	return TlsErrorUsage(interp, 1, objv, NULL);
    }
    Tcl_SetObjResult(interp,
	    Tcl_NewStringObj(OpenSSL_version(OPENSSL_VERSION), -1));
    return TCL_OK;
}
