/*
 * tlsPkcs12.c --
 *
 *	Our certificate, its chain and our private key from a PKCS#12
 *	bundle (.p12, .pfx): -pkcs12file (read through Tcl's filesystem) or
 *	-pkcs12 (its bytes), the passphrase from -password. Bundles that
 *	older Windows and Java tools write encrypt with RC2 or other
 *	algorithms that OpenSSL 3 keeps in its "legacy" provider; such a
 *	bundle is decrypted in a private library context that has that
 *	provider loaded (made on first need), so that loading it adds no
 *	legacy algorithm to the rest of the process (doc/SECURITY.md).
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include <openssl/pkcs12.h>
#include <openssl/provider.h>

/* Nested safe-contents bags followed at most this deep. */
#define TLS_P12_MAX_DEPTH 4

/*
 * The library context with the default and legacy providers, shared by
 * all threads and interpreters; made once, when a bundle first needs it.
 */
static OSSL_LIB_CTX *legacyCtx = NULL;
static OSSL_PROVIDER *legacyProv[2] = {NULL, NULL};	/* Default, legacy. */
static int legacyTried = 0;
TCL_DECLARE_MUTEX(legacyMutex)

/* What a bundle holds, as it is read. */
typedef struct Bundle {
    OSSL_LIB_CTX *libCtx;	/* Where decryption algorithms come from:
				 * NULL (the default) or legacyCtx. */
    const char *pass;		/* The passphrase (not owned), or NULL. */
    int passLen;
    EVP_PKEY *pkey;		/* The first private key, owned. */
    STACK_OF(X509) *certs;	/* Its certificates in order, owned. */
} Bundle;

/*
 * FreeLegacy --
 *	Unloads the providers of the legacy library context and frees it
 *	(an exit handler, and the clean-up of a failed LegacyContext).
 */

static void
FreeLegacy(
    TCL_UNUSED(void *))
{
    int i;

    for (i = 1; i >= 0; i--) {
	if (legacyProv[i] != NULL) {
	    OSSL_PROVIDER_unload(legacyProv[i]);
	    legacyProv[i] = NULL;
	}
    }
    OSSL_LIB_CTX_free(legacyCtx);
    legacyCtx = NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * LegacyContext --
 *
 *	The library context for legacy decryption, made on the first call:
 *	a private OSSL_LIB_CTX with the "default" and "legacy" providers.
 *
 * Results:
 *	The context (owned by this file), or NULL where the legacy provider
 *	is not available (not installed, or OpenSSL built without it).
 *
 *----------------------------------------------------------------------
 */

static OSSL_LIB_CTX *
LegacyContext(void)
{
    OSSL_LIB_CTX *libCtx;

    Tcl_MutexLock(&legacyMutex);
    if (!legacyTried) {
	legacyTried = 1;
	legacyCtx = OSSL_LIB_CTX_new();
	if (legacyCtx != NULL) {
	    legacyProv[0] = OSSL_PROVIDER_load(legacyCtx, "default");
	}
	if (legacyProv[0] != NULL) {
	    legacyProv[1] = OSSL_PROVIDER_load(legacyCtx, "legacy");
	}
	if (legacyProv[1] != NULL) {
	    Tcl_CreateExitHandler(FreeLegacy, NULL);
	} else {
	    FreeLegacy(NULL);
	}
    }
    libCtx = legacyCtx;
    Tcl_MutexUnlock(&legacyMutex);
    ERR_clear_error();
    return libCtx;
}

/*
 *----------------------------------------------------------------------
 *
 * AddBags --
 *
 *	Takes the keys and certificates of a list of safe bags into the
 *	bundle: plain and encrypted (shrouded) keys, X.509 certificate
 *	bags, nested safe contents; other bags (CRLs, secrets) are skipped.
 *
 * Results:
 *	1, or 0 when a key could not be decrypted or decoded.
 *
 *----------------------------------------------------------------------
 */

static int
AddBags(
    Bundle *bPtr,
    const STACK_OF(PKCS12_SAFEBAG) *bags,
    int depth)
{
    int i, ok = 1;

    for (i = 0; ok && i < sk_PKCS12_SAFEBAG_num(bags); i++) {
	const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, i);
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	EVP_PKEY *pkey = NULL;
	X509 *cert;

	switch (PKCS12_SAFEBAG_get_nid(bag)) {
	case NID_keyBag:
	    pkey = EVP_PKCS82PKEY(PKCS12_SAFEBAG_get0_p8inf(bag));
	    ok = pkey != NULL;
	    break;
	case NID_pkcs8ShroudedKeyBag:
	    p8 = PKCS12_decrypt_skey_ex(bag, bPtr->pass, bPtr->passLen,
		    bPtr->libCtx, NULL);
	    pkey = p8 != NULL ? EVP_PKCS82PKEY(p8) : NULL;
	    PKCS8_PRIV_KEY_INFO_free(p8);
	    ok = pkey != NULL;
	    break;
	case NID_certBag:
	    if (PKCS12_SAFEBAG_get_bag_nid(bag) == NID_x509Certificate
		    && (cert = PKCS12_SAFEBAG_get1_cert(bag)) != NULL
		    && !sk_X509_push(bPtr->certs, cert)) {
		X509_free(cert);
		ok = 0;
	    }
	    break;
	case NID_safeContentsBag:
	    ok = depth < TLS_P12_MAX_DEPTH
		    && AddBags(bPtr, PKCS12_SAFEBAG_get0_safes(bag), depth + 1);
	    break;
	default:
	    break;
	}
	if (pkey != NULL && bPtr->pkey == NULL) {
	    bPtr->pkey = pkey;
	} else {
	    EVP_PKEY_free(pkey);		/* A second key: not used. */
	}
    }
    return ok;
}

/*
 *----------------------------------------------------------------------
 *
 * ReadBundle --
 *
 *	Reads the safes of a PKCS#12 bundle whose passphrase is known into
 *	*bPtr: plain safes, and safes encrypted with the passphrase,
 *	decrypted with the algorithms of bPtr->libCtx.
 *
 * Results:
 *	1, or 0 (with the reason in the OpenSSL error queue) when a safe
 *	could not be decrypted or read.
 *
 *----------------------------------------------------------------------
 */

static int
ReadBundle(
    PKCS12 *p12,
    Bundle *bPtr)
{
    STACK_OF(PKCS7) *safes = PKCS12_unpack_authsafes(p12);
    STACK_OF(PKCS12_SAFEBAG) *bags;
    int i, ok = safes != NULL;

    for (i = 0; ok && i < sk_PKCS7_num(safes); i++) {
	PKCS7 *p7 = sk_PKCS7_value(safes, i);

	switch (OBJ_obj2nid(p7->type)) {
	case NID_pkcs7_data:
	    bags = PKCS12_unpack_p7data(p7);
	    break;
	case NID_pkcs7_encrypted:
	    bags = PKCS12_item_decrypt_d2i_ex(
		    p7->d.encrypted->enc_data->algorithm,
		    ASN1_ITEM_rptr(PKCS12_SAFEBAGS), bPtr->pass, bPtr->passLen,
		    p7->d.encrypted->enc_data->enc_data, 1, bPtr->libCtx,
		    NULL);
	    break;
	default:
	    continue;			/* Enveloped safes: not supported. */
	}
	ok = bags != NULL && AddBags(bPtr, bags, 0);
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
    }
    sk_PKCS7_pop_free(safes, PKCS7_free);
    return ok;
}

/*
 *----------------------------------------------------------------------
 *
 * BundleReset --
 *
 *	Frees what a bundle read holds and makes it empty again.
 *
 *----------------------------------------------------------------------
 */

static void
BundleReset(
    Bundle *bPtr)
{
    EVP_PKEY_free(bPtr->pkey);
    bPtr->pkey = NULL;
    sk_X509_pop_free(bPtr->certs, X509_free);
    bPtr->certs = sk_X509_new_null();
}

/*
 *----------------------------------------------------------------------
 *
 * Unlock --
 *
 *	Finds the passphrase of a bundle: none or empty if its integrity
 *	MAC verifies so, else the one the -password callback (or
 *	::tls::password) gives, which the MAC must verify. pwPtr keeps the
 *	answer for as long as the bundle is read.
 *
 * Results:
 *	TCL_OK with bPtr->pass set, or TCL_ERROR {TLS KEY ...} (wrong or
 *	missing passphrase, failed callback: TlsPasswordError).
 *
 *----------------------------------------------------------------------
 */

static int
Unlock(
    Tcl_Interp *interp,
    PKCS12 *p12,
    Bundle *bPtr,
    TlsPasswordData *pwPtr,
    const char *option,
    Tcl_Obj *pathObj)
{
    char buf[1024];
    int len;

    if (!PKCS12_mac_present(p12) || PKCS12_verify_mac(p12, NULL, 0)) {
	bPtr->pass = NULL;		/* No MAC, or no passphrase. */
	return TCL_OK;
    }
    if (PKCS12_verify_mac(p12, "", 0)) {
	bPtr->pass = "";
	return TCL_OK;
    }
    ERR_clear_error();
    len = TlsPasswordCallback(buf, (int) sizeof(buf), 0, pwPtr);
    OPENSSL_cleanse(buf, sizeof(buf));	/* pwPtr keeps its own copy. */
    if (len < 0 || pwPtr->password == NULL || !PKCS12_verify_mac(p12,
	    pwPtr->password, pwPtr->length)) {
	return TlsPasswordError(interp, pwPtr, option, pathObj);
    }
    bPtr->pass = pwPtr->password;
    bPtr->passLen = pwPtr->length;
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * UseBundle --
 *
 *	Puts what a read bundle holds into the context: the certificate
 *	that matches its private key is ours, every other certificate is
 *	sent after it as the chain, in the bundle's order.
 *
 * Results:
 *	TCL_OK or TCL_ERROR ({TLS KEY MISMATCH} when no certificate
 *	matches the key, {TLS FILE/OPTION option} when one is missing).
 *
 *----------------------------------------------------------------------
 */

static int
UseBundle(
    Tcl_Interp *interp,
    SSL_CTX *ctx,
    Bundle *bPtr,
    const char *option,
    Tcl_Obj *pathObj)
{
    X509 *leaf = NULL;
    int i, ok;

    if (bPtr->pkey == NULL || sk_X509_num(bPtr->certs) == 0) {
	return TlsCredError(interp, option, pathObj, bPtr->pkey == NULL
		? "the bundle holds no private key"
		: "the bundle holds no certificate", Tcl_NewObj());
    }
    for (i = 0; leaf == NULL && i < sk_X509_num(bPtr->certs); i++) {
	if (X509_check_private_key(sk_X509_value(bPtr->certs, i),
		bPtr->pkey)) {
	    leaf = sk_X509_value(bPtr->certs, i);
	}
    }
    ERR_clear_error();
    if (leaf == NULL) {
	return TlsError(interp, Tcl_ObjPrintf("private key does not match "
		"the certificate: no certificate in %s%s%s%s matches its key",
		option, pathObj ? " \"" : "", pathObj ? Tcl_GetString(pathObj)
		: "", pathObj ? "\"" : ""), "KEY", "MISMATCH", NULL);
    }
    ok = SSL_CTX_use_certificate(ctx, leaf)
	    && SSL_CTX_use_PrivateKey(ctx, bPtr->pkey)
	    && SSL_CTX_clear_chain_certs(ctx);
    for (i = 0; ok && i < sk_X509_num(bPtr->certs); i++) {
	X509 *cert = sk_X509_value(bPtr->certs, i);

	ok = cert == leaf || SSL_CTX_add1_chain_cert(ctx, cert);
    }
    if (!ok) {
	return TlsCredError(interp, option, pathObj,
		"its certificate or key cannot be used", TlsErrorReason());
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsLoadPkcs12 --
 *
 *	Puts the key, certificate and chain of -pkcs12file or -pkcs12 into
 *	the context. A bundle whose safes the default algorithms cannot
 *	decrypt (once the passphrase is known to be right) is tried again
 *	with the legacy provider's.
 *
 * Results:
 *	TCL_OK or TCL_ERROR naming the option and file.
 *
 *----------------------------------------------------------------------
 */

int
TlsLoadPkcs12(
    Tcl_Interp *interp,
    SSL_CTX *ctx,
    const TlsConfig *cfgPtr)
{
    const char *option = cfgPtr->pkcs12File ? "-pkcs12file" : "-pkcs12";
    Tcl_Obj *pathObj = cfgPtr->pkcs12File, *bytesObj;
    Bundle b = {NULL, NULL, 0, NULL, NULL};
    TlsPasswordData pw;
    PKCS12 *p12;
    BIO *bio;
    int code = TCL_ERROR;

    if (TlsCredBytes(interp, option, pathObj, cfgPtr->pkcs12,
	    &bytesObj) != TCL_OK) {
	return TCL_ERROR;
    }
    bio = TlsBytesBio(bytesObj);
    p12 = bio != NULL ? d2i_PKCS12_bio(bio, NULL) : NULL;
    BIO_free(bio);
    Tcl_DecrRefCount(bytesObj);
    if (p12 == NULL) {
	return TlsCredError(interp, option, pathObj,
		"not a PKCS#12 bundle (DER)", TlsErrorReason());
    }
    TlsPasswordInit(&pw, interp, cfgPtr->password);
    BundleReset(&b);
    if (Unlock(interp, p12, &b, &pw, option, pathObj) != TCL_OK) {
	goto done;
    }
    if (!ReadBundle(p12, &b)) {
	ERR_clear_error();		/* Try the legacy algorithms. */
	BundleReset(&b);
	b.libCtx = LegacyContext();
	if (b.libCtx == NULL) {
	    TlsCredError(interp, option, pathObj, "the bundle is encrypted "
		    "with a legacy algorithm (such as RC2) and OpenSSL's "
		    "legacy provider is not available: export it again with "
		    "AES (openssl pkcs12 -export without -legacy)",
		    Tcl_NewStringObj("LEGACY", -1));
	    goto done;
	}
	if (!ReadBundle(p12, &b)) {
	    TlsCredError(interp, option, pathObj, "its contents cannot be "
		    "decrypted or read", TlsErrorReason());
	    goto done;
	}
    }
    code = UseBundle(interp, ctx, &b, option, pathObj);

  done:
    BundleReset(&b);
    sk_X509_free(b.certs);
    PKCS12_free(p12);
    TlsPasswordFree(&pw);
    return code;
}
