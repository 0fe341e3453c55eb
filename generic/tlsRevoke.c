/*
 * tlsRevoke.c --
 *
 *	Certificate revocation lists: the -crlfile, -crldata and
 *	-revocation options (checked when parsed, applied when a context is
 *	built). CRLs go into the context's X509_STORE, beside the CAs; a
 *	-cadir also supplies CRLs under OpenSSL's hashed names (hash.r0),
 *	which OpenSSL looks up by itself once checking is on.
 *
 *	-revocation none	no CRL is consulted.
 *	-revocation leaf	the peer's own certificate is checked against
 *				its issuer's CRL (X509_V_FLAG_CRL_CHECK).
 *	-revocation chain	every certificate of the chain below the root
 *				is (X509_V_FLAG_CRL_CHECK_ALL).
 *	The default is chain when -crlfile or -crldata is given, else none.
 *
 *	Under leaf and chain a certificate whose issuer's CRL is missing,
 *	expired, not yet valid or badly signed fails verification, as
 *	OpenSSL decides (X509_V_ERR_UNABLE_TO_GET_CRL and friends): a
 *	revocation check that cannot be made is not taken for a pass.
 *
 *	Every CRL file is read by TlsCrlLoadFile, through Tcl's filesystem
 *	(tlsLoad.c), so a CRL may live in a virtual filesystem too.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include <openssl/pem.h>

/* The values of -revocation, in the order errors list them. */
static const char *const revocationModes[] = {"none", "leaf", "chain", NULL};
enum RevocationMode { REVOKE_NONE, REVOKE_LEAF, REVOKE_CHAIN };

static int		AddCrls(Tcl_Interp *interp, const char *option,
			    const char *bytes, Tcl_Size length,
			    X509_STORE *store);
static int		CrlError(Tcl_Interp *interp, const char *option,
			    Tcl_Obj *pathObj, const char *problem);
static int		RevocationMode(const TlsConfig *cfgPtr);

/*
 *----------------------------------------------------------------------
 *
 * AddCrls --
 *
 *	Parses CRLs from bytes, PEM (one or more "X509 CRL" blocks, other
 *	blocks ignored) or else one DER CRL, and adds them to store unless
 *	it is NULL (a parse-time check).
 *
 * Results:
 *	The number of CRLs found, 0 when there is none (no error left then),
 *	or -1 with an error in interp if the store refused one.
 *
 * Side effects:
 *	The store takes its own reference to each CRL; ours are freed. The
 *	OpenSSL error queue is emptied.
 *
 *----------------------------------------------------------------------
 */

static int
AddCrls(
    Tcl_Interp *interp,
    const char *option,
    const char *bytes,
    Tcl_Size length,
    X509_STORE *store)		/* NULL: count only. */
{
    BIO *bio = BIO_new_mem_buf(bytes, (int) length);
    X509_CRL *crl;
    int count = 0, failed = 0;

    while (bio != NULL && !failed
	    && (crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) != NULL) {
	failed = store != NULL && !X509_STORE_add_crl(store, crl);
	X509_CRL_free(crl);
	count++;
    }
    BIO_free(bio);
    if (count == 0) {
	const unsigned char *p = (const unsigned char *) bytes;

	crl = d2i_X509_CRL(NULL, &p, (long) length);
	if (crl != NULL) {
	    failed = store != NULL && !X509_STORE_add_crl(store, crl);
	    X509_CRL_free(crl);
	    count = 1;
	}
    }
    if (failed) {
	TlsErrorOpenSSL(interp, "cannot use the CRLs", "OPTION", option);
	return -1;
    }
    ERR_clear_error();
    return count;
}

/*
 * CrlError --
 *	Error for an unusable CRL file: {TLS FILE option reason}.
 */

static int
CrlError(
    Tcl_Interp *interp,
    const char *option,
    Tcl_Obj *pathObj,
    const char *problem)
{
    return TlsError(interp, Tcl_ObjPrintf("cannot use %s \"%s\": %s", option,
	    Tcl_GetString(pathObj), problem), "FILE", option, problem, NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsCrlLoadFile --
 *
 *	Reads the CRL file pathObj of option through Tcl's filesystem
 *	(TlsReadPath: native or virtual) and adds its CRLs (PEM, one or
 *	more; or one DER) to store. The one reader of CRL files.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR {TLS FILE option ?reason?}: unreadable, too
 *	big, or without a CRL.
 *
 * Side effects:
 *	The store holds the CRLs; the OpenSSL error queue is emptied.
 *
 *----------------------------------------------------------------------
 */

int
TlsCrlLoadFile(
    Tcl_Interp *interp,
    const char *option,
    Tcl_Obj *pathObj,
    X509_STORE *store)
{
    Tcl_Obj *bytesObj;		/* One reference, released here. */
    const unsigned char *bytes;
    Tcl_Size length;
    int count;

    if (TlsReadPath(interp, pathObj, option, &bytesObj) != TCL_OK) {
	return TCL_ERROR;
    }
    bytes = Tcl_GetByteArrayFromObj(bytesObj, &length);
    count = AddCrls(interp, option, (const char *) bytes, length, store);
    Tcl_DecrRefCount(bytesObj);
    if (count == 0) {
	return CrlError(interp, option, pathObj, "no CRL in the file "
		"(PEM \"X509 CRL\" blocks or one DER CRL)");
    }
    return count < 0 ? TCL_ERROR : TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsCheckCrlData, TlsCheckRevocation --
 *
 *	The parse-time checks of -crldata (PEM text with at least one CRL)
 *	and -revocation (none, leaf or chain). An empty value means unset.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR {TLS OPTION option}.
 *
 *----------------------------------------------------------------------
 */

int
TlsCheckCrlData(
    Tcl_Interp *interp,
    Tcl_Obj *valueObj)
{
    Tcl_Size length;
    const char *bytes = Tcl_GetStringFromObj(valueObj, &length);

    if (length == 0 || AddCrls(interp, "-crldata", bytes, length, NULL) > 0) {
	return TCL_OK;
    }
    return TlsError(interp, Tcl_NewStringObj("bad value for -crldata: no "
	    "PEM CRL (-----BEGIN X509 CRL-----) in it", -1),
	    "OPTION", "-crldata", NULL);
}

int
TlsCheckRevocation(
    Tcl_Interp *interp,
    Tcl_Obj *valueObj)
{
    int index;

    if (Tcl_GetCharLength(valueObj) == 0
	    || Tcl_GetIndexFromObj(NULL, valueObj, revocationModes, "",
	    TCL_EXACT, &index) == TCL_OK) {
	return TCL_OK;
    }
    return TlsError(interp, Tcl_ObjPrintf("bad value \"%s\" for "
	    "-revocation: must be none, leaf or chain",
	    Tcl_GetString(valueObj)), "OPTION", "-revocation", NULL);
}

/*
 * RevocationMode --
 *	The mode of a configuration: -revocation, else chain when a CRL is
 *	given, else none.
 */

static int
RevocationMode(
    const TlsConfig *cfgPtr)
{
    int index;

    if (cfgPtr->revocation != NULL && Tcl_GetIndexFromObj(NULL,
	    cfgPtr->revocation, revocationModes, "", TCL_EXACT,
	    &index) == TCL_OK) {
	return index;
    }
    if (cfgPtr->crlFile != NULL || cfgPtr->crlData != NULL) {
	return REVOKE_CHAIN;
    }
    return REVOKE_NONE;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsApplyRevocation --
 *
 *	Adds the CRLs of -crlfile and -crldata to a context being built and
 *	turns on the checks that -revocation asks for. Called after the CA
 *	store is set up.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR (TLS FILE -crlfile ..., TLS OPTION -crldata).
 *
 * Side effects:
 *	The context's store holds the CRLs and the verification flags.
 *
 *----------------------------------------------------------------------
 */

int
TlsApplyRevocation(
    Tcl_Interp *interp,
    SSL_CTX *ctx,
    const TlsConfig *cfgPtr)
{
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);	/* The ctx's. */
    int mode = RevocationMode(cfgPtr);

    if (cfgPtr->crlFile != NULL && TlsCrlLoadFile(interp, "-crlfile",
	    cfgPtr->crlFile, store) != TCL_OK) {
	return TCL_ERROR;
    }
    if (cfgPtr->crlData != NULL) {
	Tcl_Size length;
	const char *bytes = Tcl_GetStringFromObj(cfgPtr->crlData, &length);

	if (AddCrls(interp, "-crldata", bytes, length, store) < 0) {
	    return TCL_ERROR;
	}
    }
    /* The context's parameters, which every SSL made from it copies. */
    if (mode == REVOKE_LEAF) {
	X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(ctx),
		X509_V_FLAG_CRL_CHECK);
    } else if (mode == REVOKE_CHAIN) {
	X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(ctx),
		X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    }
    return TCL_OK;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
