/*
 * tlsTrust.c --
 *
 *	The certificates peers are verified with, from every source at
 *	once: -cafile (read through Tcl's filesystem), -cadir (OpenSSL's
 *	hashed lookup for a native directory, every PEM file of a directory
 *	in a virtual filesystem), -cadata (PEM in memory), -castore (an
 *	OpenSSL store URI), and the system store when -systemca says so
 *	(TlsUsesSystemCa). A server also names the CAs of -cafile and
 *	-cadata to its clients.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include <openssl/pem.h>

/*
 *----------------------------------------------------------------------
 *
 * AddName --
 *
 *	Adds the subject of a CA certificate to the list a server sends
 *	its clients (names, owned by the caller; may be NULL), once, in the
 *	order the certificates come.
 *
 *----------------------------------------------------------------------
 */

static void
AddName(
    STACK_OF(X509_NAME) *names,
    X509 *cert)
{
    const X509_NAME *subject = X509_get_subject_name(cert);
    X509_NAME *name;
    int i;

    for (i = 0; names != NULL && i < sk_X509_NAME_num(names); i++) {
	if (X509_NAME_cmp(sk_X509_NAME_value(names, i), subject) == 0) {
	    return;
	}
    }
    name = names != NULL ? X509_NAME_dup(subject) : NULL;
    if (name != NULL && !sk_X509_NAME_push(names, name)) {
	X509_NAME_free(name);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * AddCaBytes --
 *
 *	Adds the CA certificates and CRLs of PEM bytes (or one DER
 *	certificate) to the trust store, and their subjects to names.
 *
 * Results:
 *	The number of certificates and CRLs added; -1 when the data could
 *	not be read (the reason in the OpenSSL error queue).
 *
 *----------------------------------------------------------------------
 */

static int
AddCaBytes(
    X509_STORE *store,
    STACK_OF(X509_NAME) *names,
    Tcl_Obj *bytesObj)
{
    STACK_OF(X509_INFO) *infos;
    BIO *bio = TlsBytesBio(bytesObj);
    X509 *cert;
    int i, count = 0;

    if (bio != NULL && !TlsLooksPem(bytesObj)) {
	cert = d2i_X509_bio(bio, NULL);
	count = cert != NULL && X509_STORE_add_cert(store, cert) ? 1 : -1;
	if (count == 1) {
	    AddName(names, cert);
	}
	X509_free(cert);		/* The store holds its own. */
	BIO_free(bio);
	return count;
    }
    infos = bio != NULL ? PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL)
	    : NULL;
    BIO_free(bio);
    for (i = 0; infos != NULL && count >= 0 && i < sk_X509_INFO_num(infos);
	    i++) {
	X509_INFO *info = sk_X509_INFO_value(infos, i);

	if (info->x509 != NULL) {
	    count = X509_STORE_add_cert(store, info->x509) ? count + 1 : -1;
	    AddName(names, info->x509);
	}
	if (info->crl != NULL && count >= 0) {
	    count = X509_STORE_add_crl(store, info->crl) ? count + 1 : -1;
	}
    }
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
    return infos != NULL ? count : -1;
}

/*
 *----------------------------------------------------------------------
 *
 * CaProblem --
 *
 *	What is wrong with CA bytes that gave no certificate, in words.
 *
 *----------------------------------------------------------------------
 */

static const char *
CaProblem(
    Tcl_Obj *bytesObj,
    int inFile)
{
    TlsPemSurvey pem;

    if (!TlsLooksPem(bytesObj)) {
	return inFile ? "no PEM certificate in the file"
		: "no PEM certificate in the value (nor a DER one)";
    }
    TlsSurveyPem(bytesObj, &pem);
    if (pem.broken) {
	return "truncated or corrupt PEM data";
    }
    if (pem.certs == 0 && pem.crls == 0) {
	return inFile ? "no PEM certificate in the file"
		: "no PEM certificate in the value";
    }
    return "its certificates cannot be used";
}

/*
 *----------------------------------------------------------------------
 *
 * AddCaSource --
 *
 *	Adds the CAs of -cafile (pathObj) or -cadata (dataObj) to the
 *	store; one of them is given.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR naming the option (and file) when the source
 *	cannot be read or holds no certificate or CRL.
 *
 *----------------------------------------------------------------------
 */

static int
AddCaSource(
    Tcl_Interp *interp,
    X509_STORE *store,
    STACK_OF(X509_NAME) *names,
    const char *option,
    Tcl_Obj *pathObj,
    Tcl_Obj *dataObj)
{
    Tcl_Obj *bytesObj;
    int count, code = TCL_OK;

    if (TlsCredBytes(interp, option, pathObj, dataObj, &bytesObj)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    count = AddCaBytes(store, names, bytesObj);
    if (count <= 0) {
	Tcl_Obj *reasonObj = TlsErrorReason();

	code = TlsCredError(interp, option, pathObj,
		CaProblem(bytesObj, pathObj != NULL), reasonObj);
    }
    Tcl_DecrRefCount(bytesObj);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * AddCaDir --
 *
 *	-cadir: a native directory is handed to OpenSSL, which looks up
 *	CAs by subject hash when it needs them; a directory in a virtual
 *	filesystem is read whole, every file that holds PEM certificates
 *	or CRLs added (other files are skipped).
 *
 * Results:
 *	TCL_OK, or TCL_ERROR {TLS FILE -cadir ...}.
 *
 *----------------------------------------------------------------------
 */

static int
AddCaDir(
    Tcl_Interp *interp,
    SSL_CTX *ctx,
    Tcl_Obj *dirObj)
{
    Tcl_Obj *listObj, **objv;
    Tcl_Size objc, i;
    int count = 0, n;

    if (TlsPathIsNative(dirObj)) {
	if (!SSL_CTX_load_verify_dir(ctx, Tcl_GetString(dirObj))) {
	    return TlsCredError(interp, "-cadir", dirObj,
		    "cannot be used as a CA directory", TlsErrorReason());
	}
	return TCL_OK;
    }
    if (TlsReadDir(interp, dirObj, "-cadir", &listObj) != TCL_OK) {
	return TCL_ERROR;
    }
    Tcl_ListObjGetElements(NULL, listObj, &objc, &objv);
    for (i = 1; i < objc; i += 2) {
	if (TlsLooksPem(objv[i])) {
	    n = AddCaBytes(SSL_CTX_get_cert_store(ctx), NULL, objv[i]);
	    count += n > 0 ? n : 0;
	}
    }
    ERR_clear_error();			/* Of the files skipped. */
    Tcl_DecrRefCount(listObj);
    if (count == 0) {
	return TlsCredError(interp, "-cadir", dirObj,
		"no file in it holds a PEM certificate", Tcl_NewObj());
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsLoadTrust --
 *
 *	Sets where peer certificates are verified from: every CA source
 *	given, and the system store (which honours SSL_CERT_FILE and
 *	SSL_CERT_DIR) when TlsUsesSystemCa says so. A server advertises
 *	the CAs of -cafile and -cadata to its clients.
 *
 * Results:
 *	TCL_OK or TCL_ERROR naming the source that cannot be used.
 *
 *----------------------------------------------------------------------
 */

int
TlsLoadTrust(
    Tcl_Interp *interp,
    SSL_CTX *ctx,
    const TlsConfig *cfgPtr)
{
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    STACK_OF(X509_NAME) *names = sk_X509_NAME_new_null();
    int code = TCL_ERROR;

    if ((cfgPtr->caFile != NULL && AddCaSource(interp, store, names,
	    "-cafile", cfgPtr->caFile, NULL) != TCL_OK)
	    || (cfgPtr->caDir != NULL
		&& AddCaDir(interp, ctx, cfgPtr->caDir) != TCL_OK)
	    || (cfgPtr->caData != NULL && AddCaSource(interp, store, names,
		"-cadata", NULL, cfgPtr->caData) != TCL_OK)) {
	goto done;
    }
    if (cfgPtr->caStore != NULL && !SSL_CTX_load_verify_store(ctx,
	    Tcl_GetString(cfgPtr->caStore))) {
	TlsCredError(interp, "-castore", cfgPtr->caStore,
		"cannot be opened as an OpenSSL store", TlsErrorReason());
	goto done;
    }
    if (TlsUsesSystemCa(cfgPtr) && !SSL_CTX_set_default_verify_paths(ctx)) {
	TlsErrorOpenSSL(interp, "cannot load the system CA store",
		"CONTEXT", NULL);
	goto done;
    }
    if (cfgPtr->server && names != NULL && sk_X509_NAME_num(names) > 0) {
	SSL_CTX_set_client_CA_list(ctx, names);		/* Takes names. */
	names = NULL;
    }
    code = TCL_OK;

  done:
    sk_X509_NAME_pop_free(names, X509_NAME_free);
    ERR_clear_error();
    return code;
}
