/*
 * tlsGroups.c --
 *
 *	Control of the key exchange: the -groups and -sigalgs options
 *	(checked when parsed, applied when a context is built), the
 *	tls::groups command, and the names of the negotiated group and of
 *	the peer's signature algorithm for tls::connection.
 *
 *	tls::groups
 *	    The key exchange groups this OpenSSL (with the providers loaded)
 *	    offers for TLS 1.2 or 1.3, by their TLS names, in the order the
 *	    providers list them, each group once (OpenSSL also accepts the
 *	    aliases P-256, P-384 and P-521 for secp256r1, secp384r1 and
 *	    secp521r1).
 *
 *	Names are checked one by one against a throw-away SSL_CTX, so that
 *	an error can name the one that is wrong; the list is then checked
 *	as a whole (OpenSSL refuses a group named twice).
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/provider.h>

/* How a list option is given to OpenSSL. */
typedef int (ListSetter)(SSL_CTX *ctx, const char *list);

static int		SetGroups(SSL_CTX *ctx, const char *list);
static int		SetSigalgs(SSL_CTX *ctx, const char *list);
static int		JoinNames(Tcl_Obj *listObj, Tcl_DString *dsPtr);
static int		CheckNames(Tcl_Interp *interp, const char *option,
			    const char *what, Tcl_Obj *listObj,
			    ListSetter *setter);
static int		AddGroup(const OSSL_PARAM params[], void *data);
static int		AddProviderGroups(OSSL_PROVIDER *prov, void *data);

/*
 * SetGroups, SetSigalgs --
 *	The OpenSSL setters (macros in 3.0) as functions: 1 on success.
 */

static int
SetGroups(
    SSL_CTX *ctx,
    const char *list)
{
    return SSL_CTX_set1_groups_list(ctx, list) == 1;
}

static int
SetSigalgs(
    SSL_CTX *ctx,
    const char *list)
{
    return SSL_CTX_set1_sigalgs_list(ctx, list) == 1;
}

/*
 *----------------------------------------------------------------------
 *
 * JoinNames --
 *
 *	The elements of a Tcl list joined with colons, OpenSSL's list
 *	syntax, into *dsPtr (initialised here; the caller frees it).
 *
 * Results:
 *	The number of elements, or -1 if listObj is not a list.
 *
 *----------------------------------------------------------------------
 */

static int
JoinNames(
    Tcl_Obj *listObj,
    Tcl_DString *dsPtr)
{
    Tcl_Size n, i;
    Tcl_Obj **elems;

    Tcl_DStringInit(dsPtr);
    if (Tcl_ListObjGetElements(NULL, listObj, &n, &elems) != TCL_OK) {
	return -1;
    }
    for (i = 0; i < n; i++) {
	if (i > 0) {
	    Tcl_DStringAppend(dsPtr, ":", 1);
	}
	Tcl_DStringAppend(dsPtr, Tcl_GetString(elems[i]), -1);
    }
    return (int) n;
}

/*
 *----------------------------------------------------------------------
 *
 * CheckNames --
 *
 *	Checks the value of -groups or -sigalgs: a list of names, each of
 *	which OpenSSL knows, and which OpenSSL accepts as a whole.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR {TLS OPTION option name} naming the first
 *	unknown name ({TLS OPTION option LIST reason} when only the whole
 *	list is refused, {TLS CONTEXT ...} if no probe can be made).
 *
 * Side effects:
 *	The OpenSSL error queue is left as found.
 *
 *----------------------------------------------------------------------
 */

static int
CheckNames(
    Tcl_Interp *interp,
    const char *option,		/* -groups or -sigalgs. */
    const char *what,		/* "group", "signature algorithm". */
    Tcl_Obj *listObj,
    ListSetter *setter)
{
    Tcl_DString joined;
    Tcl_Size n, i;
    Tcl_Obj **elems;
    SSL_CTX *probe;
    int result = TCL_OK;

    if (JoinNames(listObj, &joined) <= 0) {
	Tcl_DStringFree(&joined);	/* Empty (unset), or not a list. */
	if (Tcl_ListObjLength(NULL, listObj, &n) == TCL_OK) {
	    return TCL_OK;
	}
	return TlsError(interp, Tcl_ObjPrintf("bad value for %s: must be "
		"a list", option), "OPTION", option, NULL);
    }
    ERR_set_mark();
    probe = SSL_CTX_new(TLS_method());
    if (probe == NULL) {
	Tcl_DStringFree(&joined);
	ERR_pop_to_mark();
	return TlsError(interp, Tcl_ObjPrintf("cannot check %s: OpenSSL "
		"cannot create a context", option), "CONTEXT", NULL);
    }
    Tcl_ListObjGetElements(NULL, listObj, &n, &elems);
    for (i = 0; i < n && result == TCL_OK; i++) {
	const char *name = Tcl_GetString(elems[i]);

	if (*name == '\0' || strpbrk(name, ": \t\n") != NULL
		|| !setter(probe, name)) {
	    result = TlsError(interp, Tcl_ObjPrintf("unknown %s \"%s\" in "
		    "%s: OpenSSL %s does not support it%s", what, name,
		    option, OpenSSL_version(OPENSSL_VERSION_STRING),
		    setter == SetGroups ? " (see tls::groups)" : ""),
		    "OPTION", option, name, NULL);
	}
    }
    if (result == TCL_OK && !setter(probe, Tcl_DStringValue(&joined))) {
	result = TlsError(interp, Tcl_ObjPrintf("bad value \"%s\" for %s: "
		"OpenSSL refuses the list (a name given twice?)",
		Tcl_GetString(listObj), option), "OPTION", option, "LIST",
		NULL);
    }
    SSL_CTX_free(probe);
    ERR_pop_to_mark();
    Tcl_DStringFree(&joined);
    return result;
}

/*
 * TlsCheckGroups, TlsCheckSigalgs --
 *	The checks of -groups and -sigalgs for the option parser.
 */

int
TlsCheckGroups(
    Tcl_Interp *interp,
    Tcl_Obj *listObj)
{
    return CheckNames(interp, "-groups", "group", listObj, SetGroups);
}

int
TlsCheckSigalgs(
    Tcl_Interp *interp,
    Tcl_Obj *listObj)
{
    return CheckNames(interp, "-sigalgs", "signature algorithm", listObj,
	    SetSigalgs);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsApplyGroups --
 *
 *	Gives -groups and -sigalgs, when set, to a context being built.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR {TLS CONTEXT option reason} (the values were
 *	checked when parsed, so only a change of OpenSSL's mind fails).
 *
 *----------------------------------------------------------------------
 */

int
TlsApplyGroups(
    Tcl_Interp *interp,
    SSL_CTX *ctx,
    const TlsConfig *cfgPtr)
{
    Tcl_DString joined;
    int ok = 1;

    if (cfgPtr->groups != NULL) {
	JoinNames(cfgPtr->groups, &joined);
	ok = SetGroups(ctx, Tcl_DStringValue(&joined));
	Tcl_DStringFree(&joined);
	if (!ok) {
	    return TlsErrorOpenSSL(interp, "cannot use -groups", "CONTEXT",
		    "-groups");
	}
    }
    if (cfgPtr->sigalgs != NULL) {
	JoinNames(cfgPtr->sigalgs, &joined);
	ok = SetSigalgs(ctx, Tcl_DStringValue(&joined));
	Tcl_DStringFree(&joined);
	if (!ok) {
	    return TlsErrorOpenSSL(interp, "cannot use -sigalgs", "CONTEXT",
		    "-sigalgs");
	}
    }
    return TCL_OK;
}

/*
 * What AddProviderGroups collects: the list, the ids seen, and a probe
 * context that tells whether libssl takes a name.
 */

typedef struct GroupList {
    Tcl_Obj *listObj;		/* Names so far; owned by the caller. */
    Tcl_HashTable seen;		/* Group ids already listed. */
    SSL_CTX *probe;
} GroupList;

/*
 *----------------------------------------------------------------------
 *
 * AddGroup --
 *
 *	OSSL_CALLBACK for one TLS-GROUP capability of a provider: adds its
 *	name unless the group is listed already, is for DTLS or TLS 1.1 and
 *	older only, or libssl refuses it.
 *
 * Results:
 *	1, to go on.
 *
 *----------------------------------------------------------------------
 */

static int
AddGroup(
    const OSSL_PARAM params[],
    void *data)
{
    GroupList *glPtr = (GroupList *) data;
    const OSSL_PARAM *p;
    const char *name = NULL;
    unsigned int id = 0;
    int maxTls = 0, isNew;

    p = OSSL_PARAM_locate_const(params, OSSL_CAPABILITY_TLS_GROUP_NAME);
    if (p == NULL || !OSSL_PARAM_get_utf8_string_ptr(p, &name)) {
	return 1;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_CAPABILITY_TLS_GROUP_ID);
    if (p == NULL || !OSSL_PARAM_get_uint(p, &id)) {
	return 1;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_CAPABILITY_TLS_GROUP_MAX_TLS);
    if (p != NULL && OSSL_PARAM_get_int(p, &maxTls)
	    && (maxTls == -1 || (maxTls != 0 && maxTls < TLS1_2_VERSION))) {
	return 1;
    }
    if (!SetGroups(glPtr->probe, name)) {
	return 1;
    }
    Tcl_CreateHashEntry(&glPtr->seen, (void *) (size_t) id, &isNew);
    if (isNew) {
	Tcl_ListObjAppendElement(NULL, glPtr->listObj,
		Tcl_NewStringObj(name, -1));
    }
    return 1;
}

/* AddProviderGroups -- OSSL_PROVIDER_do_all callback: one provider. */

static int
AddProviderGroups(
    OSSL_PROVIDER *prov,
    void *data)
{
    OSSL_PROVIDER_get_capabilities(prov, "TLS-GROUP", AddGroup, data);
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsGroupsCmd --
 *
 *	Implements "tls::groups"; see the top of this file.
 *
 * Results:
 *	A standard Tcl result: a list of names.
 *
 * Side effects:
 *	None; the OpenSSL error queue is left as found.
 *
 *----------------------------------------------------------------------
 */

int
TlsGroupsCmd(
    void *clientData,		/* Not used. */
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    GroupList gl;

    (void) clientData;
    if (objc != 1) {
	return TlsErrorUsage(interp, 1, objv, NULL);
    }
    ERR_set_mark();
    gl.probe = SSL_CTX_new(TLS_method());
    if (gl.probe == NULL) {
	ERR_pop_to_mark();
	return TlsError(interp, Tcl_NewStringObj("cannot list the groups: "
		"OpenSSL cannot create a context", -1), "CONTEXT", NULL);
    }
    gl.listObj = Tcl_NewListObj(0, NULL);
    Tcl_InitHashTable(&gl.seen, TCL_ONE_WORD_KEYS);
    OSSL_PROVIDER_do_all(NULL, AddProviderGroups, &gl);
    Tcl_DeleteHashTable(&gl.seen);
    SSL_CTX_free(gl.probe);
    ERR_pop_to_mark();
    Tcl_SetObjResult(interp, gl.listObj);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsGroupObj --
 *
 *	The name of the group of the connection's key exchange, for
 *	tls::connection: "" before the key exchange and for exchanges
 *	without a group (RSA key transport, PSK only).
 *
 * Results:
 *	A new object, refcount 0.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
TlsGroupObj(
    SSL *ssl)
{
    const char *name;
    int nid;

    /* OpenSSL 3.0 reads the session here: there must be one. */
    if (SSL_get_current_cipher(ssl) == NULL || SSL_get_session(ssl) == NULL) {
	return Tcl_NewObj();
    }
    nid = SSL_get_negotiated_group(ssl);
    if (nid <= 0) {
	return Tcl_NewObj();
    }
    name = SSL_group_to_name(ssl, nid);
    return Tcl_NewStringObj(name ? name : "", -1);
}

/*
 * The TLS names of signature schemes (RFC 8446 section 4.2.3) by the
 * key type and digest OpenSSL reports, for OpenSSL versions that cannot
 * name them (3.5 can). An RSA-PSS signature by an RSA key is "rsae", by
 * an RSA-PSS key "pss"; ECDSA is named by its digest only, as TLS 1.2
 * does not tie the curve to it.
 */

static const struct SigalgName {
    int type;			/* EVP_PKEY_* of the signature. */
    int md;			/* NID of the digest, NID_undef for none. */
    const char *name;		/* With an RSA key (or any key). */
    const char *pssName;	/* With an RSA-PSS key, or NULL. */
} sigalgNames[] = {
    {EVP_PKEY_RSA, NID_sha1, "rsa_pkcs1_sha1", NULL},
    {EVP_PKEY_RSA, NID_sha256, "rsa_pkcs1_sha256", NULL},
    {EVP_PKEY_RSA, NID_sha384, "rsa_pkcs1_sha384", NULL},
    {EVP_PKEY_RSA, NID_sha512, "rsa_pkcs1_sha512", NULL},
    {EVP_PKEY_RSA_PSS, NID_sha256, "rsa_pss_rsae_sha256",
	"rsa_pss_pss_sha256"},
    {EVP_PKEY_RSA_PSS, NID_sha384, "rsa_pss_rsae_sha384",
	"rsa_pss_pss_sha384"},
    {EVP_PKEY_RSA_PSS, NID_sha512, "rsa_pss_rsae_sha512",
	"rsa_pss_pss_sha512"},
    {EVP_PKEY_EC, NID_sha1, "ecdsa_sha1", NULL},
    {EVP_PKEY_EC, NID_sha256, "ecdsa_secp256r1_sha256", NULL},
    {EVP_PKEY_EC, NID_sha384, "ecdsa_secp384r1_sha384", NULL},
    {EVP_PKEY_EC, NID_sha512, "ecdsa_secp521r1_sha512", NULL},
    {EVP_PKEY_ED25519, NID_undef, "ed25519", NULL},
    {EVP_PKEY_ED448, NID_undef, "ed448", NULL},
    {0, 0, NULL, NULL}
};

/*
 *----------------------------------------------------------------------
 *
 * TlsPeerSigalgObj --
 *
 *	The TLS name of the signature scheme the peer signed the handshake
 *	with (e.g. rsa_pss_rsae_sha256, ecdsa_secp256r1_sha256, ed25519),
 *	for tls::connection; "" when the peer did not sign (a client
 *	without a certificate, a resumed session, before the handshake).
 *
 * Results:
 *	A new object, refcount 0.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
TlsPeerSigalgObj(
    SSL *ssl)
{
    const char *name = NULL;
    const struct SigalgName *entryPtr;
    int type = NID_undef, md = NID_undef, pssKey = 0;
    X509 *cert;			/* Owned by the SSL. */

    if (TLS_PEER_SIGALG_NAME(ssl, &name) && name != NULL) {
	return Tcl_NewStringObj(name, -1);
    }
    if (!SSL_get_peer_signature_type_nid(ssl, &type)) {
	return Tcl_NewObj();
    }
    (void) SSL_get_peer_signature_nid(ssl, &md);
    cert = SSL_get0_peer_certificate(ssl);
    if (cert != NULL && X509_get0_pubkey(cert) != NULL) {
	pssKey = EVP_PKEY_get_base_id(X509_get0_pubkey(cert))
		== EVP_PKEY_RSA_PSS;
    }
    for (entryPtr = sigalgNames; entryPtr->name != NULL; entryPtr++) {
	if (entryPtr->type == type && (entryPtr->md == md
		|| entryPtr->md == NID_undef)) {
	    return Tcl_NewStringObj(pssKey && entryPtr->pssName
		    ? entryPtr->pssName : entryPtr->name, -1);
	}
    }
    return Tcl_NewObj();
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
