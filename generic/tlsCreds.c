/*
 * tlsCreds.c --
 *
 *	Our own certificate, the chain sent after it, and our private key,
 *	put into an SSL_CTX from their bytes: read from -certfile/-keyfile
 *	(native or virtual filesystem, tlsLoad.c) or given in memory with
 *	-cert/-key, PEM or DER as the content says. A PKCS#12 bundle goes
 *	to tlsPkcs12.c instead. What goes wrong is told in words that name
 *	the option and the file ("it holds a private key, not a
 *	certificate"), with OpenSSL's reason kept in the errorCode.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include <openssl/pem.h>

/*
 *----------------------------------------------------------------------
 *
 * CertProblem, KeyProblem --
 *
 *	What is wrong with certificate bytes, or key bytes, that OpenSSL
 *	refused, in words. inFile says whether they came from a file (else
 *	from a value in memory). KeyProblem leaves its survey in *pemPtr.
 *
 *----------------------------------------------------------------------
 */

static const char *
CertProblem(
    Tcl_Obj *bytesObj,
    int inFile)
{
    TlsPemSurvey pem;

    if (!TlsLooksPem(bytesObj)) {
	return inFile ? "no PEM certificate in the file"
		: "not a DER certificate (and no PEM block)";
    }
    TlsSurveyPem(bytesObj, &pem);
    if (pem.certs > 0) {
	return pem.broken ? "a certificate in it is truncated or corrupt"
		: "its certificate cannot be used";
    }
    if (pem.broken) {
	return "truncated or corrupt PEM data";
    }
    if (pem.keys > 0) {
	return "it holds a private key, not a certificate";
    }
    return pem.others > 0 ? "it holds no certificate, only other PEM data"
	    : "no PEM certificate in it";
}

static const char *
KeyProblem(
    Tcl_Obj *bytesObj,
    int inFile,
    TlsPemSurvey *pemPtr)
{
    memset(pemPtr, 0, sizeof(TlsPemSurvey));
    if (!TlsLooksPem(bytesObj)) {
	return inFile ? "no PEM private key in the file"
		: "not a DER private key";
    }
    TlsSurveyPem(bytesObj, pemPtr);
    if (pemPtr->keys > 0) {
	return pemPtr->broken ? "the private key is truncated or corrupt"
		: "its private key cannot be used";
    }
    if (pemPtr->broken) {
	return "truncated or corrupt PEM data";
    }
    if (pemPtr->certs > 0) {
	return "it holds a certificate, not a private key";
    }
    return inFile ? "no PEM private key in the file"
	    : "no PEM private key in the value";
}

/*
 *----------------------------------------------------------------------
 *
 * UseCertBytes --
 *
 *	Puts a certificate into the context: DER (one certificate), or PEM
 *	whose first certificate is ours and whose further certificates are
 *	the chain sent after it (as SSL_CTX_use_certificate_chain_file does
 *	with a file; other PEM blocks, such as a key, are skipped).
 *
 * Results:
 *	1 on success, 0 with the reason in the OpenSSL error queue.
 *
 *----------------------------------------------------------------------
 */

static int
UseCertBytes(
    SSL_CTX *ctx,
    Tcl_Obj *bytesObj)
{
    Tcl_Size len;
    const unsigned char *bytes;
    BIO *bio;
    X509 *leaf, *ca;
    int ok;
    unsigned long err;

    if (!TlsLooksPem(bytesObj)) {
	bytes = Tcl_GetByteArrayFromObj(bytesObj, &len);
	return SSL_CTX_use_certificate_ASN1(ctx, (int) len, bytes);
    }
    bio = TlsBytesBio(bytesObj);
    leaf = bio != NULL ? PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL) : NULL;
    ok = leaf != NULL && SSL_CTX_use_certificate(ctx, leaf)
	    && SSL_CTX_clear_chain_certs(ctx);
    X509_free(leaf);				/* The context has its own. */
    while (ok) {
	ca = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (ca == NULL) {
	    err = ERR_peek_last_error();
	    if (ERR_GET_LIB(err) == ERR_LIB_PEM
		    && ERR_GET_REASON(err) == PEM_R_NO_START_LINE) {
		ERR_clear_error();		/* The end of the data. */
	    } else {
		ok = 0;
	    }
	    break;
	}
	if (!SSL_CTX_add0_chain_cert(ctx, ca)) {	/* Takes ca. */
	    X509_free(ca);
	    ok = 0;
	}
    }
    BIO_free(bio);
    return ok;
}

/*
 *----------------------------------------------------------------------
 *
 * UseDerKey --
 *
 *	Puts a DER private key into the context: PKCS#1 RSA, unencrypted
 *	PKCS#8 or traditional EC/DSA, or encrypted PKCS#8 unlocked through
 *	the password callback.
 *
 * Results:
 *	1 on success, 0 with the reason in the OpenSSL error queue.
 *
 *----------------------------------------------------------------------
 */

static int
UseDerKey(
    SSL_CTX *ctx,
    const unsigned char *bytes,
    Tcl_Size len,
    TlsPasswordData *pwPtr)
{
    const unsigned char *p = bytes;
    EVP_PKEY *pkey;
    int ok;

    if (SSL_CTX_use_PrivateKey_ASN1(EVP_PKEY_RSA, ctx, bytes, (long) len)) {
	return 1;
    }
    ERR_clear_error();		/* Not PKCS#1 RSA: try the other forms. */
    pkey = d2i_AutoPrivateKey(NULL, &p, (long) len);
    if (pkey == NULL) {
	BIO *bio = BIO_new_mem_buf(bytes, (int) len);

	ERR_clear_error();
	pkey = bio ? d2i_PKCS8PrivateKey_bio(bio, NULL, TlsPasswordCallback,
		pwPtr) : NULL;
	BIO_free(bio);
    }
    ok = pkey != NULL && SSL_CTX_use_PrivateKey(ctx, pkey);
    EVP_PKEY_free(pkey);			/* The context took its own. */
    return ok;
}

/*
 *----------------------------------------------------------------------
 *
 * UseKeyBytes --
 *
 *	Puts a private key into the context from PEM (the first key in the
 *	data, other blocks skipped; encrypted keys unlocked through the
 *	password callback) or DER (UseDerKey).
 *
 * Results:
 *	1 on success, 0 with the reason in the OpenSSL error queue.
 *
 *----------------------------------------------------------------------
 */

static int
UseKeyBytes(
    SSL_CTX *ctx,
    Tcl_Obj *bytesObj,
    TlsPasswordData *pwPtr)
{
    Tcl_Size len;
    const unsigned char *bytes;
    BIO *bio;
    EVP_PKEY *pkey;
    int ok;

    if (!TlsLooksPem(bytesObj)) {
	bytes = Tcl_GetByteArrayFromObj(bytesObj, &len);
	return UseDerKey(ctx, bytes, len, pwPtr);
    }
    bio = TlsBytesBio(bytesObj);
    pkey = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL,
	    TlsPasswordCallback, pwPtr) : NULL;
    ok = pkey != NULL && SSL_CTX_use_PrivateKey(ctx, pkey);
    EVP_PKEY_free(pkey);			/* The context took its own. */
    BIO_free(bio);
    return ok;
}

/*
 *----------------------------------------------------------------------
 *
 * KeyError --
 *
 *	Explains a private key that did not load: a password problem, a
 *	key that belongs to another certificate, no key in a -certfile
 *	used without -keyfile, or what is wrong with the file or value.
 *
 * Results:
 *	TCL_ERROR.
 *
 *----------------------------------------------------------------------
 */

static int
KeyError(
    Tcl_Interp *interp,
    const TlsConfig *cfgPtr,
    TlsPasswordData *pwPtr,
    Tcl_Obj *keyPath,			/* NULL for -key. */
    Tcl_Obj *keyBytes)
{
    unsigned long err = ERR_peek_last_error();
    const char *option = keyPath != NULL ? "-keyfile" : "-key";
    const char *problem;
    Tcl_Obj *reasonObj;
    TlsPemSurvey pem;

    if (ERR_GET_LIB(err) == ERR_LIB_X509
	    && ERR_GET_REASON(err) == X509_R_KEY_VALUES_MISMATCH) {
	ERR_clear_error();
	return TlsError(interp, Tcl_NewStringObj(
		"private key does not match the certificate", -1),
		"KEY", "MISMATCH", NULL);
    }
    if (pwPtr->called) {
	return TlsPasswordError(interp, pwPtr, option, keyPath);
    }
    reasonObj = TlsErrorReason();	/* Before the survey clears it. */
    problem = KeyProblem(keyBytes, keyPath != NULL, &pem);
    if (keyPath != NULL && pem.keys == 0 && cfgPtr->keyFile == NULL) {
	Tcl_IncrRefCount(reasonObj);	/* Not needed: free it. */
	Tcl_DecrRefCount(reasonObj);
	return TlsError(interp, Tcl_ObjPrintf("no private key in \"%s\": "
		"without -keyfile the key is looked for in the -certfile",
		Tcl_GetString(keyPath)), "KEY", "MISSING", NULL);
    }
    return TlsCredError(interp, option, keyPath, problem, reasonObj);
}

/*
 *----------------------------------------------------------------------
 *
 * LoadKey --
 *
 *	Puts our private key into the context and checks that it belongs
 *	to the certificate there. The key comes from -key, else -keyfile,
 *	else the -certfile's bytes (certBytes); an encrypted key is
 *	unlocked through the -password callback (or ::tls::password),
 *	asked at most once per load.
 *
 * Results:
 *	TCL_OK or TCL_ERROR with a clear message.
 *
 *----------------------------------------------------------------------
 */

static int
LoadKey(
    Tcl_Interp *interp,
    SSL_CTX *ctx,
    const TlsConfig *cfgPtr,
    Tcl_Obj *certBytes)
{
    TlsPasswordData pw;
    X509 *leaf = SSL_CTX_get0_certificate(ctx);	/* Owned by ctx. */
    Tcl_Obj *keyPath = NULL, *keyBytes = NULL;
    int code = TCL_OK;

    if (cfgPtr->key != NULL) {
	keyBytes = cfgPtr->key;
	Tcl_IncrRefCount(keyBytes);
    } else if (cfgPtr->keyFile != NULL) {
	keyPath = cfgPtr->keyFile;
	if (TlsReadPath(interp, keyPath, "-keyfile", &keyBytes) != TCL_OK) {
	    return TCL_ERROR;
	}
    } else if (cfgPtr->certFile != NULL) {
	keyPath = cfgPtr->certFile;
	keyBytes = certBytes;
	Tcl_IncrRefCount(keyBytes);
    } else {
	return TCL_OK;			/* TlsCheckCredentials said so. */
    }

    TlsPasswordInit(&pw, interp, cfgPtr->password);
    if (!UseKeyBytes(ctx, keyBytes, &pw)) {
	code = KeyError(interp, cfgPtr, &pw, keyPath, keyBytes);
    } else if (leaf != NULL && !X509_check_private_key(leaf,
	    SSL_CTX_get0_privatekey(ctx))) {
	/*
	 * OpenSSL keeps a certificate slot per key type, so a key of
	 * another type than the certificate loads without complaint.
	 */
	ERR_clear_error();
	code = TlsError(interp, Tcl_NewStringObj(
		"private key does not match the certificate", -1),
		"KEY", "MISMATCH", NULL);
    }
    TlsPasswordFree(&pw);
    Tcl_DecrRefCount(keyBytes);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsLoadCertAndKey --
 *
 *	Puts our own certificate (with the chain that follows it in PEM)
 *	and private key into the context, from -certfile/-cert and
 *	-keyfile/-key, or from a PKCS#12 bundle (TlsLoadPkcs12).
 *
 * Results:
 *	TCL_OK or TCL_ERROR with a message naming the option and file.
 *
 *----------------------------------------------------------------------
 */

int
TlsLoadCertAndKey(
    Tcl_Interp *interp,
    SSL_CTX *ctx,
    const TlsConfig *cfgPtr)
{
    Tcl_Obj *certBytes;
    int code;

    if (cfgPtr->pkcs12File != NULL || cfgPtr->pkcs12 != NULL) {
	return TlsLoadPkcs12(interp, ctx, cfgPtr);
    }
    if (TlsCredBytes(interp, "-certfile", cfgPtr->certFile, cfgPtr->cert,
	    &certBytes) != TCL_OK) {
	return TCL_ERROR;
    }
    if (certBytes == NULL) {
	return TCL_OK;			/* No certificate of our own. */
    }
    if (!UseCertBytes(ctx, certBytes)) {
	Tcl_Obj *reasonObj = TlsErrorReason();

	code = TlsCredError(interp, cfgPtr->certFile ? "-certfile" : "-cert",
		cfgPtr->certFile, CertProblem(certBytes,
		cfgPtr->certFile != NULL), reasonObj);
    } else {
	code = LoadKey(interp, ctx, cfgPtr, certBytes);
    }
    Tcl_DecrRefCount(certBytes);
    return code;
}
