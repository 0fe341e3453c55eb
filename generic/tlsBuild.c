/*
 * tlsBuild.c --
 *
 *	An SSL_CTX from a parsed configuration: protocol range and modes,
 *	our certificate and key, the trust store, DH parameters, ciphers.
 *	What goes wrong with the credentials is told in words that name the
 *	option and the file ("it holds a private key, not a certificate",
 *	"the private key ... is encrypted: give -password"), with OpenSSL's
 *	own reason kept as the last word of the errorCode. The cache of
 *	built contexts is tlsContext.c's.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include <openssl/pem.h>
#include <stdlib.h>

/*
 * What a PEM file holds, as far as its blocks can be read: enough to tell
 * a user which file is wrong and how.
 */

typedef struct PemSurvey {
    int certs;			/* CERTIFICATE blocks. */
    int keys;			/* PRIVATE KEY blocks of any kind. */
    int encrypted;		/* One of those keys is encrypted. */
    int others;			/* Blocks of other kinds. */
    int broken;			/* A block could not be read: truncated,
				 * bad base64, no end line. */
    const char *unreadable;	/* Why the file could not be opened (the
				 * system's words), or NULL. */
} PemSurvey;

/*
 *----------------------------------------------------------------------
 *
 * SurveyPem --
 *
 *	Reads the PEM blocks of a file (at most 64) and counts them by
 *	kind. Leaves the OpenSSL error queue empty.
 *
 *----------------------------------------------------------------------
 */

static void
SurveyPem(
    const char *path,
    PemSurvey *surveyPtr)
{
    BIO *bio = BIO_new_file(path, "r");
    int i;

    memset(surveyPtr, 0, sizeof(PemSurvey));
    if (bio == NULL) {
	surveyPtr->unreadable = Tcl_ErrnoMsg(errno);
    }
    for (i = 0; bio != NULL && i < 64; i++) {
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long len = 0;

	if (!PEM_read_bio(bio, &name, &header, &data, &len)) {
	    surveyPtr->broken = ERR_GET_REASON(ERR_peek_last_error())
		    != PEM_R_NO_START_LINE;
	    break;
	}
	if (strstr(name, "PRIVATE KEY") != NULL) {
	    surveyPtr->keys++;
	    if (strstr(name, "ENCRYPTED") != NULL
		    || strstr(header, "ENCRYPTED") != NULL) {
		surveyPtr->encrypted = 1;
	    }
	} else if (strstr(name, "CERTIFICATE") != NULL) {
	    surveyPtr->certs++;
	} else {
	    surveyPtr->others++;
	}
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(data);
    }
    BIO_free(bio);
    ERR_clear_error();
}

/*
 *----------------------------------------------------------------------
 *
 * CredError --
 *
 *	The error for a credential that cannot be used: "cannot use -opt
 *	"path": problem" ({TLS FILE -opt reason}), or "cannot use -opt:
 *	problem" ({TLS OPTION -opt reason}) for a value given in memory.
 *	reasonObj is OpenSSL's reason (refcount 0 or more; may be empty),
 *	taken before anything else touched the error queue.
 *
 * Results:
 *	TCL_ERROR.
 *
 *----------------------------------------------------------------------
 */

static int
CredError(
    Tcl_Interp *interp,
    const char *option,
    Tcl_Obj *pathObj,
    const char *problem,
    Tcl_Obj *reasonObj)
{
    Tcl_Obj *msgObj = pathObj != NULL
	    ? Tcl_ObjPrintf("cannot use %s \"%s\": %s", option,
		    Tcl_GetString(pathObj), problem)
	    : Tcl_ObjPrintf("cannot use %s: %s", option, problem);
    int code;

    Tcl_IncrRefCount(reasonObj);
    code = TlsError(interp, msgObj, pathObj != NULL ? "FILE" : "OPTION",
	    option, Tcl_GetCharLength(reasonObj) > 0
		? Tcl_GetString(reasonObj) : NULL, NULL);
    Tcl_DecrRefCount(reasonObj);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * CertFileProblem, KeyFileProblem --
 *
 *	What is wrong with a certificate file, or a key file, that OpenSSL
 *	refused, in words.
 *
 *----------------------------------------------------------------------
 */

static const char *
CertFileProblem(
    const char *path)
{
    PemSurvey pem;

    SurveyPem(path, &pem);
    if (pem.unreadable != NULL) {
	return pem.unreadable;
    }
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
	    : "no PEM certificate in the file";
}

static const char *
KeyFileProblem(
    const PemSurvey *pemPtr)
{
    if (pemPtr->unreadable != NULL) {
	return pemPtr->unreadable;
    }
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
    return "no PEM private key in the file";
}

/*
 *----------------------------------------------------------------------
 *
 * LoadCert --
 *
 *	Puts our certificate (with the chain that follows it in -certfile)
 *	into the context.
 *
 * Results:
 *	TCL_OK or TCL_ERROR with a message naming the option and file.
 *
 *----------------------------------------------------------------------
 */

static int
LoadCert(
    Tcl_Interp *interp,
    SSL_CTX *ctx,
    const TlsConfig *cfgPtr)
{
    Tcl_Size len;
    const unsigned char *bytes;

    if (cfgPtr->certFile != NULL) {
	const char *path = Tcl_GetString(cfgPtr->certFile);

	if (!SSL_CTX_use_certificate_chain_file(ctx, path)) {
	    Tcl_Obj *reasonObj = TlsErrorReason();

	    return CredError(interp, "-certfile", cfgPtr->certFile,
		    CertFileProblem(path), reasonObj);
	}
    } else if (cfgPtr->cert != NULL) {
	bytes = Tcl_GetByteArrayFromObj(cfgPtr->cert, &len);
	if (!SSL_CTX_use_certificate_ASN1(ctx, (int) len, bytes)) {
	    return CredError(interp, "-cert", NULL,
		    "not a DER certificate", TlsErrorReason());
	}
    }
    return TCL_OK;
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
 * PasswordError --
 *
 *	The error for a key that did not load after the password callback
 *	was asked: the callback failed ({TLS KEY CALLBACK}, its errorInfo
 *	kept), -password names no command ({TLS OPTION -password}), no
 *	password was given for an encrypted key ({TLS KEY ENCRYPTED}), or
 *	the password is wrong ({TLS KEY PASSWORD}).
 *
 * Results:
 *	TCL_ERROR.
 *
 *----------------------------------------------------------------------
 */

static int
PasswordError(
    Tcl_Interp *interp,
    TlsPasswordData *pwPtr,
    Tcl_Obj *pathObj)
{
    const char *path = pathObj != NULL ? Tcl_GetString(pathObj) : NULL;
    Tcl_Obj *whereObj = path != NULL ? Tcl_ObjPrintf("in \"%s\"", path)
	    : Tcl_NewStringObj("of -key", -1);
    Tcl_Obj *firstObj = NULL;
    Tcl_CmdInfo info;
    int code;

    Tcl_IncrRefCount(whereObj);
    if (pwPtr->script != NULL) {
	Tcl_ListObjIndex(NULL, pwPtr->script, 0, &firstObj);
    }
    if (firstObj != NULL
	    && !Tcl_GetCommandInfo(interp, Tcl_GetString(firstObj), &info)) {
	code = TlsError(interp, Tcl_ObjPrintf("-password \"%s\" is not a "
		"command: give a command that returns the password, such as "
		"-password {set ::keyPassword}",
		Tcl_GetString(pwPtr->script)), "OPTION", "-password", NULL);
    } else if (pwPtr->errorObj != NULL) {
	code = TlsError(interp, Tcl_ObjPrintf("-password callback failed "
		"for the private key %s: %s", Tcl_GetString(whereObj),
		Tcl_GetString(pwPtr->errorObj)), "KEY", "CALLBACK", NULL);
	if (pwPtr->errorInfo != NULL) {
	    Tcl_AppendObjToErrorInfo(interp, Tcl_ObjPrintf(
		    "\n    (in the -password callback)\n%s",
		    Tcl_GetString(pwPtr->errorInfo)));
	}
    } else if (pwPtr->length == 0) {
	code = TlsError(interp, Tcl_ObjPrintf("the private key %s is "
		"encrypted: give -password", Tcl_GetString(whereObj)),
		"KEY", "ENCRYPTED", NULL);
    } else {
	code = TlsError(interp, path != NULL ? Tcl_ObjPrintf("cannot load "
		"private key from \"%s\": wrong password", path)
		: Tcl_NewStringObj("cannot use -key: wrong password", -1),
		"KEY", "PASSWORD", NULL);
    }
    Tcl_DecrRefCount(whereObj);
    ERR_clear_error();
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * KeyError --
 *
 *	Explains a private key that did not load: a password problem, a
 *	key that belongs to another certificate, or what is wrong with the
 *	file or value.
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
    Tcl_Obj *keyFile)
{
    unsigned long err = ERR_peek_last_error();
    Tcl_Obj *reasonObj;
    PemSurvey pem;

    if (ERR_GET_LIB(err) == ERR_LIB_X509
	    && ERR_GET_REASON(err) == X509_R_KEY_VALUES_MISMATCH) {
	ERR_clear_error();
	return TlsError(interp, Tcl_NewStringObj(
		"private key does not match the certificate", -1),
		"KEY", "MISMATCH", NULL);
    }
    if (pwPtr->called) {
	return PasswordError(interp, pwPtr, keyFile);
    }
    reasonObj = TlsErrorReason();	/* Before SurveyPem clears it. */
    if (keyFile == NULL) {
	return CredError(interp, "-key", NULL, "not a DER private key",
		reasonObj);
    }
    SurveyPem(Tcl_GetString(keyFile), &pem);
    if (pem.keys == 0 && cfgPtr->keyFile == NULL && !pem.unreadable) {
	Tcl_IncrRefCount(reasonObj);	/* Not needed: free it. */
	Tcl_DecrRefCount(reasonObj);
	return TlsError(interp, Tcl_ObjPrintf("no private key in \"%s\": "
		"without -keyfile the key is looked for in the -certfile",
		Tcl_GetString(keyFile)), "KEY", "MISSING", NULL);
    }
    return CredError(interp, "-keyfile", keyFile, KeyFileProblem(&pem),
	    reasonObj);
}

/*
 *----------------------------------------------------------------------
 *
 * LoadCertAndKey --
 *
 *	Puts our own certificate and private key into the context and
 *	checks that they belong together. The key comes from -key, else
 *	-keyfile, else the -certfile itself; an encrypted key is unlocked
 *	through the -password callback (or ::tls::password), asked at most
 *	once per load.
 *
 * Results:
 *	TCL_OK or TCL_ERROR with a clear message.
 *
 *----------------------------------------------------------------------
 */

static int
LoadCertAndKey(
    Tcl_Interp *interp,
    SSL_CTX *ctx,
    const TlsConfig *cfgPtr)
{
    TlsPasswordData pw;
    X509 *leaf;
    Tcl_Obj *keyFile = cfgPtr->keyFile;
    int ok, code = TCL_OK;
    Tcl_Size len;
    const unsigned char *bytes;

    if (LoadCert(interp, ctx, cfgPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    leaf = SSL_CTX_get0_certificate(ctx);	/* Owned by ctx. */
    if (keyFile == NULL && cfgPtr->key == NULL) {
	keyFile = cfgPtr->certFile;
    }
    if (keyFile == NULL && cfgPtr->key == NULL) {
	return TCL_OK;			/* TlsCheckCredentials said so. */
    }

    TlsPasswordInit(&pw, interp, cfgPtr->password);
    SSL_CTX_set_default_passwd_cb(ctx, TlsPasswordCallback);
    SSL_CTX_set_default_passwd_cb_userdata(ctx, &pw);
    if (cfgPtr->key != NULL) {
	bytes = Tcl_GetByteArrayFromObj(cfgPtr->key, &len);
	keyFile = NULL;
	ok = UseDerKey(ctx, bytes, len, &pw);
    } else {
	ok = SSL_CTX_use_PrivateKey_file(ctx, Tcl_GetString(keyFile),
		SSL_FILETYPE_PEM);
    }
    SSL_CTX_set_default_passwd_cb(ctx, NULL);
    SSL_CTX_set_default_passwd_cb_userdata(ctx, NULL);
    if (!ok) {
	code = KeyError(interp, cfgPtr, &pw, keyFile);
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
    return code;
}

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
 * LoadTrust --
 *
 *	Sets where peer certificates are verified from: -cafile/-cadir, or
 *	else the system store (which honours SSL_CERT_FILE/SSL_CERT_DIR).
 *	A server also advertises the CAs of -cafile to its clients.
 *
 * Results:
 *	TCL_OK or TCL_ERROR.
 *
 *----------------------------------------------------------------------
 */

static int
LoadTrust(
    Tcl_Interp *interp,
    SSL_CTX *ctx,
    const TlsConfig *cfgPtr)
{
    if (cfgPtr->caFile != NULL && !SSL_CTX_load_verify_file(ctx,
	    Tcl_GetString(cfgPtr->caFile))) {
	Tcl_Obj *reasonObj = TlsErrorReason();
	PemSurvey pem;

	SurveyPem(Tcl_GetString(cfgPtr->caFile), &pem);
	return CredError(interp, "-cafile", cfgPtr->caFile, pem.unreadable
		? pem.unreadable : pem.broken
		? "truncated or corrupt PEM data" : pem.certs == 0
		? "no PEM certificate in the file"
		: "its certificates cannot be used", reasonObj);
    }
    if (cfgPtr->caDir != NULL && !SSL_CTX_load_verify_dir(ctx,
	    Tcl_GetString(cfgPtr->caDir))) {
	return CredError(interp, "-cadir", cfgPtr->caDir,
		"cannot be used as a CA directory", TlsErrorReason());
    }
    if (cfgPtr->caFile == NULL && cfgPtr->caDir == NULL
	    && !SSL_CTX_set_default_verify_paths(ctx)) {
	return TlsErrorOpenSSL(interp, "cannot load the system CA store",
		"CONTEXT", NULL);
    }
    if (cfgPtr->server && cfgPtr->caFile != NULL) {
	STACK_OF(X509_NAME) *names =
		SSL_load_client_CA_file(Tcl_GetString(cfgPtr->caFile));

	if (names != NULL) {
	    SSL_CTX_set_client_CA_list(ctx, names);	/* Takes names. */
	}
	ERR_clear_error();
    }
    return TCL_OK;
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
    BIO *bio;
    EVP_PKEY *params;

    if (!cfgPtr->server) {
	return TCL_OK;
    }
    if (cfgPtr->dhParams == NULL) {
	SSL_CTX_set_dh_auto(ctx, 1);
	return TCL_OK;
    }
    bio = BIO_new_file(Tcl_GetString(cfgPtr->dhParams), "r");
    params = bio ? PEM_read_bio_Parameters(bio, NULL) : NULL;
    if (params == NULL) {
	const char *problem = bio != NULL ? "no PEM DH parameters in the file"
		: Tcl_ErrnoMsg(errno);

	BIO_free(bio);
	return CredError(interp, "-dhparams", cfgPtr->dhParams, problem,
		TlsErrorReason());
    }
    BIO_free(bio);
    if (!SSL_CTX_set0_tmp_dh_pkey(ctx, params)) {	/* Takes params. */
	EVP_PKEY_free(params);
	return CredError(interp, "-dhparams", cfgPtr->dhParams,
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
    int haveCert = cfgPtr->certFile != NULL || cfgPtr->cert != NULL;
    int haveKey = cfgPtr->keyFile != NULL || cfgPtr->key != NULL;

    if (cfgPtr->server && !haveCert && !haveKey && cfgPtr->command == NULL) {
	return TlsError(interp, Tcl_NewStringObj("a TLS server needs a "
		"certificate and its key: give -certfile and -keyfile (or "
		"-cert and -key)", -1), "OPTION", "-certfile", NULL);
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
    if (LoadCertAndKey(interp, ctx, cfgPtr) != TCL_OK
	    || LoadTrust(interp, ctx, cfgPtr) != TCL_OK
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
