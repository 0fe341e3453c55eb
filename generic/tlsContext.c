/*
 * tlsContext.c --
 *
 *	SSL_CTX objects built from parsed options, and the per-thread cache
 *	that shares them: building a context (above all loading a CA store)
 *	costs milliseconds, so every distinct configuration is built once and
 *	reference counted. The cache key includes each file's identity and
 *	modification time, so a changed certificate, key or CA file gives a
 *	new context.
 */

#include "tlsInt.h"
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>
#include <time.h>
#include <openssl/pem.h>
#include <openssl/evp.h>

/* Idle contexts kept for reuse before the oldest idle one is freed. */
#define TLS_CACHE_IDLE_MAX 16

typedef struct ThreadData {
    TlsContext *firstPtr;	/* All cached contexts, newest first. */
    int initialized;
} ThreadData;

static Tcl_ThreadDataKey dataKey;

/*
 * Reference counts and session tables are guarded by one lock: a channel
 * moved to another thread (thread::transfer) keeps using its context
 * there, while the owner thread's other channels use it too.
 */
TCL_DECLARE_MUTEX(ctxMutex)

static void	CacheExit(void *clientData);

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

static int
TlsKeylogEnabled(void)
{
    const char *path = getenv("SSLKEYLOGFILE");

    return path != NULL && *path != '\0';
}

/*
 *----------------------------------------------------------------------
 *
 * FileError --
 *
 *	Error for an option naming a file that cannot be used.
 *
 *----------------------------------------------------------------------
 */

static int
FileError(
    Tcl_Interp *interp,
    const char *option,
    Tcl_Obj *pathObj,
    const char *problem)
{
    return TlsError(interp, Tcl_ObjPrintf("cannot use %s \"%s\": %s",
	    option, Tcl_GetString(pathObj), problem), "FILE", option, NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * CheckFile --
 *
 *	Checks that a file option names something readable of the right
 *	kind, and appends its identity (path, inode, size, mtime) to the
 *	cache key.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR with a clear message.
 *
 *----------------------------------------------------------------------
 */

static int
CheckFile(
    Tcl_Interp *interp,
    const char *option,
    Tcl_Obj *pathObj,
    int wantDir,
    Tcl_DString *keyPtr)
{
    const char *path;
    struct stat st;
    char buf[128];

    if (pathObj == NULL) {
	Tcl_DStringAppend(keyPtr, "|", 1);
	return TCL_OK;
    }
    path = Tcl_GetString(pathObj);
    if (stat(path, &st) != 0) {
	return FileError(interp, option, pathObj, Tcl_ErrnoMsg(errno));
    }
    if (wantDir ? !S_ISDIR(st.st_mode) : S_ISDIR(st.st_mode)) {
	return FileError(interp, option, pathObj,
		wantDir ? "not a directory" : "is a directory");
    }
    if (access(path, R_OK) != 0) {
	return FileError(interp, option, pathObj, Tcl_ErrnoMsg(errno));
    }
    snprintf(buf, sizeof(buf), "|%lu:%lu:%lld:%lld.%09ld:",
	    (unsigned long) st.st_dev, (unsigned long) st.st_ino,
	    (long long) st.st_size, (long long) st.st_mtim.tv_sec,
	    (long) st.st_mtim.tv_nsec);
    Tcl_DStringAppend(keyPtr, buf, -1);
    Tcl_DStringAppend(keyPtr, path, -1);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * AppendDigest --
 *
 *	Appends a SHA-256 of a value's bytes to the cache key, so DER
 *	certificates and keys are keyed without keeping key bytes around.
 *
 *----------------------------------------------------------------------
 */

static void
AppendDigest(
    Tcl_DString *keyPtr,
    Tcl_Obj *objPtr)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdLen = 0, i;
    char hex[3];
    Tcl_Size len;
    const unsigned char *bytes;

    Tcl_DStringAppend(keyPtr, "|", 1);
    if (objPtr == NULL) {
	return;
    }
    bytes = Tcl_GetByteArrayFromObj(objPtr, &len);
    EVP_Digest(bytes, (size_t) len, md, &mdLen, EVP_sha256(), NULL);
    for (i = 0; i < mdLen; i++) {
	snprintf(hex, sizeof(hex), "%02x", md[i]);
	Tcl_DStringAppend(keyPtr, hex, 2);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * AppendString --
 *
 *	Appends an optional string field to the cache key.
 *
 *----------------------------------------------------------------------
 */

static void
AppendString(
    Tcl_DString *keyPtr,
    Tcl_Obj *objPtr)
{
    Tcl_DStringAppend(keyPtr, "|", 1);
    if (objPtr != NULL) {
	Tcl_DStringAppend(keyPtr, Tcl_GetString(objPtr), -1);
    }
}

/*
 * AppendDefaultStore --
 *	Where OpenSSL finds the default CA store: the environment variables
 *	it reads (SSL_CERT_FILE, SSL_CERT_DIR) go into the key, so a script
 *	that sets one gets a context that uses it.
 */

static void
AppendDefaultStore(
    Tcl_DString *keyPtr)
{
    const char *names[2];
    int i;

    names[0] = X509_get_default_cert_file_env();
    names[1] = X509_get_default_cert_dir_env();
    for (i = 0; i < 2; i++) {
	const char *value = getenv(names[i]);

	Tcl_DStringAppend(keyPtr, value != NULL ? "|=" : "|", -1);
	if (value != NULL) {
	    Tcl_DStringAppend(keyPtr, value, -1);
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * BuildKey --
 *
 *	Computes the cache key of a configuration, checking its files on
 *	the way (so a missing file is reported before anything is built).
 *
 * Results:
 *	TCL_OK with the key in keyPtr (initialised here), or TCL_ERROR.
 *
 *----------------------------------------------------------------------
 */

static int
BuildKey(
    Tcl_Interp *interp,
    const TlsConfig *cfgPtr,
    Tcl_DString *keyPtr)
{
    char buf[64];
    Tcl_Obj *keyFile = cfgPtr->keyFile;

    if (keyFile == NULL && cfgPtr->key == NULL) {
	keyFile = cfgPtr->certFile;	/* The key may follow the cert. */
    }
    Tcl_DStringInit(keyPtr);
    snprintf(buf, sizeof(buf), "%d:%d:%d:%d", cfgPtr->server,
	    cfgPtr->minVersion, cfgPtr->maxVersion, cfgPtr->securityLevel);
    Tcl_DStringAppend(keyPtr, buf, -1);
    if (CheckFile(interp, "-certfile", cfgPtr->certFile, 0, keyPtr) != TCL_OK
	    || CheckFile(interp, "-keyfile", keyFile, 0, keyPtr) != TCL_OK
	    || CheckFile(interp, "-cafile", cfgPtr->caFile, 0, keyPtr) != TCL_OK
	    || CheckFile(interp, "-cadir", cfgPtr->caDir, 1, keyPtr) != TCL_OK
	    || CheckFile(interp, "-dhparams", cfgPtr->dhParams, 0,
		    keyPtr) != TCL_OK) {
	Tcl_DStringFree(keyPtr);
	return TCL_ERROR;
    }
    if (cfgPtr->caFile == NULL && cfgPtr->caDir == NULL) {
	AppendDefaultStore(keyPtr);
    }
    AppendDigest(keyPtr, cfgPtr->cert);
    AppendDigest(keyPtr, cfgPtr->key);
    AppendString(keyPtr, cfgPtr->cipher);
    AppendString(keyPtr, cfgPtr->cipherSuites);
    AppendString(keyPtr, cfgPtr->password);
    Tcl_DStringAppend(keyPtr, TlsKeylogEnabled() ? "|keylog" : "|", -1);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * UseDerKey --
 *
 *	Puts a DER private key that is not plain PKCS#1 RSA into the
 *	context: unencrypted PKCS#8 or traditional EC/DSA, or encrypted
 *	PKCS#8 unlocked through the password callback.
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
    EVP_PKEY *pkey = d2i_AutoPrivateKey(NULL, &p, (long) len);
    int ok;

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
 * LoadCertAndKey --
 *
 *	Puts our own certificate (with the chain that follows it in
 *	-certfile) and private key into the context, and checks that they
 *	belong together. An encrypted key is unlocked through the -password
 *	callback (or tls::password).
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
    int ok = 1;
    Tcl_Size len;
    const unsigned char *bytes;

    if (cfgPtr->certFile != NULL) {
	if (!SSL_CTX_use_certificate_chain_file(ctx,
		Tcl_GetString(cfgPtr->certFile))) {
	    return TlsErrorOpenSSL(interp, "cannot load -certfile",
		    "FILE", "-certfile");
	}
    } else if (cfgPtr->cert != NULL) {
	bytes = Tcl_GetByteArrayFromObj(cfgPtr->cert, &len);
	if (!SSL_CTX_use_certificate_ASN1(ctx, (int) len, bytes)) {
	    return TlsErrorOpenSSL(interp, "cannot use -cert",
		    "OPTION", "-cert");
	}
    }
    leaf = SSL_CTX_get0_certificate(ctx);	/* Owned by ctx. */
    if (keyFile == NULL && cfgPtr->key == NULL) {
	keyFile = cfgPtr->certFile;
    }
    if (keyFile == NULL && cfgPtr->key == NULL) {
	if (cfgPtr->cert != NULL) {
	    return TlsError(interp, Tcl_NewStringObj(
		    "-cert needs a private key: give -key or -keyfile", -1),
		    "OPTION", "-cert", NULL);
	}
	return TCL_OK;
    }

    pw.interp = interp;
    pw.script = cfgPtr->password;
    pw.called = 0;
    SSL_CTX_set_default_passwd_cb(ctx, TlsPasswordCallback);
    SSL_CTX_set_default_passwd_cb_userdata(ctx, &pw);
    if (cfgPtr->key != NULL) {
	bytes = Tcl_GetByteArrayFromObj(cfgPtr->key, &len);
	ok = SSL_CTX_use_PrivateKey_ASN1(EVP_PKEY_RSA, ctx, bytes,
		(long) len);
	if (!ok) {
	    ERR_clear_error();	/* Not PKCS#1 RSA: try the other forms. */
	    ok = UseDerKey(ctx, bytes, len, &pw);
	}
    } else {
	ok = SSL_CTX_use_PrivateKey_file(ctx, Tcl_GetString(keyFile),
		SSL_FILETYPE_PEM);
    }
    SSL_CTX_set_default_passwd_cb(ctx, NULL);
    SSL_CTX_set_default_passwd_cb_userdata(ctx, NULL);
    if (!ok) {
	const char *opt = cfgPtr->key != NULL ? "-key" : "-keyfile";

	unsigned long err = ERR_peek_last_error();

	if (ERR_GET_LIB(err) == ERR_LIB_X509
		&& ERR_GET_REASON(err) == X509_R_KEY_VALUES_MISMATCH) {
	    ERR_clear_error();
	    return TlsError(interp, Tcl_NewStringObj(
		    "private key does not match the certificate", -1),
		    "KEY", "MISMATCH", NULL);
	}
	if (pw.called) {
	    ERR_clear_error();
	    return TlsError(interp, Tcl_ObjPrintf(
		    "cannot load private key %s: wrong password or "
		    "corrupt key", opt), "KEY", "PASSWORD", NULL);
	}
	return TlsErrorOpenSSL(interp, cfgPtr->key != NULL
		? "cannot use -key" : "cannot load private key -keyfile",
		"KEY", opt);
    }
    /*
     * OpenSSL keeps a certificate slot per key type, so a key of another
     * type than the certificate loads without complaint: compare directly.
     */
    if (leaf != NULL && !X509_check_private_key(leaf,
	    SSL_CTX_get0_privatekey(ctx))) {
	ERR_clear_error();
	return TlsError(interp, Tcl_NewStringObj(
		"private key does not match the certificate", -1),
		"KEY", "MISMATCH", NULL);
    }
    return TCL_OK;
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
	return TlsErrorOpenSSL(interp, "cannot load -cafile", "FILE",
		"-cafile");
    }
    if (cfgPtr->caDir != NULL && !SSL_CTX_load_verify_dir(ctx,
	    Tcl_GetString(cfgPtr->caDir))) {
	return TlsErrorOpenSSL(interp, "cannot use -cadir", "FILE",
		"-cadir");
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
 *	Uses the Diffie-Hellman parameters of -dhparams, or OpenSSL's
 *	automatic choice when none are given.
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

    if (cfgPtr->dhParams == NULL) {
	SSL_CTX_set_dh_auto(ctx, 1);
	return TCL_OK;
    }
    bio = BIO_new_file(Tcl_GetString(cfgPtr->dhParams), "r");
    params = bio ? PEM_read_bio_Parameters(bio, NULL) : NULL;
    BIO_free(bio);
    if (params == NULL) {
	return TlsErrorOpenSSL(interp, "cannot load -dhparams", "FILE",
		"-dhparams");
    }
    if (!SSL_CTX_set0_tmp_dh_pkey(ctx, params)) {	/* Takes params. */
	EVP_PKEY_free(params);
	return TlsErrorOpenSSL(interp, "cannot use -dhparams", "OPTION",
		"-dhparams");
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * BuildContext --
 *
 *	Creates a new SSL_CTX for a configuration.
 *
 * Results:
 *	The context (owned by the caller), or NULL with an error in interp.
 *
 *----------------------------------------------------------------------
 */

static SSL_CTX *
BuildContext(
    Tcl_Interp *interp,
    const TlsConfig *cfgPtr)
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
	/* Needed for resumption together with client certificates. */
	SSL_CTX_set_session_id_context(ctx,
		(const unsigned char *) TLS_PACKAGE_NAME,
		sizeof(TLS_PACKAGE_NAME) - 1);
	SSL_CTX_set_alpn_select_cb(ctx, TlsAlpnSelectCallback, NULL);
	SSL_CTX_set_client_hello_cb(ctx, TlsHelloCallback, NULL);
	SSL_CTX_set_tlsext_servername_callback(ctx, TlsSniCallback);
	/*
	 * TLS 1.3 tickets go out with the first reply (TlsConnWrite), not
	 * right after the handshake: a client that sends and closes at once
	 * would answer tickets with a TCP reset, and the reset would make
	 * our kernel drop the data the script has not read yet.
	 */
	SSL_CTX_set_num_tickets(ctx, 0);
    } else {
	/* Sessions go to our per-context table (TlsContextSaveSession). */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT
		| SSL_SESS_CACHE_NO_INTERNAL_STORE);
    }
    SSL_CTX_sess_set_new_cb(ctx, TlsNewSessionCallback);
    if (TlsKeylogEnabled()) {
	SSL_CTX_set_keylog_callback(ctx, TlsKeylogCallback);
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
    if (LoadCertAndKey(interp, ctx, cfgPtr) != TCL_OK
	    || LoadTrust(interp, ctx, cfgPtr) != TCL_OK
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

/*
 *----------------------------------------------------------------------
 *
 * GetThreadData --
 *
 *	The calling thread's cache, set up on first use.
 *
 *----------------------------------------------------------------------
 */

static ThreadData *
GetThreadData(void)
{
    ThreadData *tsdPtr = (ThreadData *)
	    Tcl_GetThreadData(&dataKey, sizeof(ThreadData));

    if (!tsdPtr->initialized) {
	tsdPtr->initialized = 1;
	Tcl_CreateThreadExitHandler(CacheExit, NULL);
    }
    return tsdPtr;
}

/*
 * One entry of a context's session table: the session (one reference
 * owned by the table) and when it was saved, counted in saves.
 */

typedef struct TlsSavedSession {
    SSL_SESSION *sess;
    unsigned long serial;
} TlsSavedSession;

/*
 * FreeSavedSession --
 *	Releases the table's reference to the session of entry hPtr, frees
 *	the entry's record. The caller deletes the entry itself.
 */

static void
FreeSavedSession(
    Tcl_HashEntry *hPtr)
{
    TlsSavedSession *savedPtr = (TlsSavedSession *) Tcl_GetHashValue(hPtr);

    SSL_SESSION_free(savedPtr->sess);
    ckfree(savedPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * FreeContext --
 *
 *	Frees a context nobody uses any more.
 *
 *----------------------------------------------------------------------
 */

static void
FreeContext(
    TlsContext *ctxPtr)
{
    Tcl_HashSearch search;
    Tcl_HashEntry *hPtr;

    for (hPtr = Tcl_FirstHashEntry(&ctxPtr->sessions, &search);
	    hPtr != NULL; hPtr = Tcl_NextHashEntry(&search)) {
	FreeSavedSession(hPtr);
    }
    Tcl_DeleteHashTable(&ctxPtr->sessions);
    SSL_CTX_free(ctxPtr->ctx);
    ckfree(ctxPtr->key);
    ckfree(ctxPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * TrimCache --
 *
 *	Frees idle cached contexts beyond TLS_CACHE_IDLE_MAX, oldest first.
 *
 *----------------------------------------------------------------------
 */

static void
TrimCache(
    ThreadData *tsdPtr)
{
    TlsContext **linkPtr = &tsdPtr->firstPtr;
    int idle = 0;

    Tcl_MutexLock(&ctxMutex);
    while (*linkPtr != NULL) {
	TlsContext *ctxPtr = *linkPtr;

	if (ctxPtr->refCount == 0 && ++idle > TLS_CACHE_IDLE_MAX) {
	    *linkPtr = ctxPtr->nextPtr;
	    FreeContext(ctxPtr);
	} else {
	    linkPtr = &ctxPtr->nextPtr;
	}
    }
    Tcl_MutexUnlock(&ctxMutex);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsContextGet --
 *
 *	Finds or builds the context for a configuration.
 *
 * Results:
 *	TCL_OK with *ctxPtrPtr holding one reference for the caller, or
 *	TCL_ERROR with a message in interp.
 *
 * Side effects:
 *	May build a context and add it to this thread's cache.
 *
 *----------------------------------------------------------------------
 */

int
TlsContextGet(
    Tcl_Interp *interp,
    const TlsConfig *cfgPtr,
    TlsContext **ctxPtrPtr)
{
    ThreadData *tsdPtr = GetThreadData();
    TlsContext *ctxPtr, **linkPtr;
    Tcl_DString key;
    SSL_CTX *ctx;

    if (BuildKey(interp, cfgPtr, &key) != TCL_OK) {
	return TCL_ERROR;
    }
    for (linkPtr = &tsdPtr->firstPtr; *linkPtr != NULL;
	    linkPtr = &(*linkPtr)->nextPtr) {
	ctxPtr = *linkPtr;
	if (strcmp(ctxPtr->key, Tcl_DStringValue(&key)) == 0) {
	    *linkPtr = ctxPtr->nextPtr;		/* Move to the front. */
	    ctxPtr->nextPtr = tsdPtr->firstPtr;
	    tsdPtr->firstPtr = ctxPtr;
	    goto found;
	}
    }
    ctx = BuildContext(interp, cfgPtr);
    if (ctx == NULL) {
	Tcl_DStringFree(&key);
	return TCL_ERROR;
    }
    ctxPtr = (TlsContext *) ckalloc(sizeof(TlsContext));
    ctxPtr->ctx = ctx;
    ctxPtr->refCount = 0;
    ctxPtr->cached = 1;
    ctxPtr->key = (char *) ckalloc(Tcl_DStringLength(&key) + 1);
    memcpy(ctxPtr->key, Tcl_DStringValue(&key), Tcl_DStringLength(&key) + 1);
    ctxPtr->nextPtr = tsdPtr->firstPtr;
    Tcl_InitHashTable(&ctxPtr->sessions, TCL_STRING_KEYS);
    ctxPtr->sessionsSaved = 0;
    tsdPtr->firstPtr = ctxPtr;

  found:
    Tcl_DStringFree(&key);
    TlsContextRetain(ctxPtr);
    TrimCache(tsdPtr);
    *ctxPtrPtr = ctxPtr;
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsContextRetain, TlsContextRelease --
 *
 *	Take and drop a reference. A context left idle stays cached for
 *	reuse; one that has left the cache is freed with its last user.
 *
 *----------------------------------------------------------------------
 */

void
TlsContextRetain(
    TlsContext *ctxPtr)
{
    Tcl_MutexLock(&ctxMutex);
    ctxPtr->refCount++;
    Tcl_MutexUnlock(&ctxMutex);
}

void
TlsContextRelease(
    TlsContext *ctxPtr)
{
    int left, cached;

    Tcl_MutexLock(&ctxMutex);
    left = --ctxPtr->refCount;
    cached = ctxPtr->cached;
    Tcl_MutexUnlock(&ctxMutex);
    if (left > 0) {
	return;
    }
    if (!cached) {
	FreeContext(ctxPtr);
    } else {
	TrimCache(GetThreadData());
    }
}

/*
 *----------------------------------------------------------------------
 *
 * CacheExit --
 *
 *	Thread exit: frees idle contexts; those still in use leave the
 *	cache and are freed by their last channel.
 *
 *----------------------------------------------------------------------
 */

static void
CacheExit(
    TCL_UNUSED(void *))
{
    ThreadData *tsdPtr = (ThreadData *)
	    Tcl_GetThreadData(&dataKey, sizeof(ThreadData));
    TlsContext *ctxPtr, *nextPtr;

    Tcl_MutexLock(&ctxMutex);
    for (ctxPtr = tsdPtr->firstPtr; ctxPtr != NULL; ctxPtr = nextPtr) {
	nextPtr = ctxPtr->nextPtr;
	ctxPtr->cached = 0;
	if (ctxPtr->refCount == 0) {
	    FreeContext(ctxPtr);
	}
    }
    Tcl_MutexUnlock(&ctxMutex);
    tsdPtr->firstPtr = NULL;
    tsdPtr->initialized = 0;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsContextSaveSession, TlsContextFindSession --
 *
 *	The client session cache of a context: one resumable session per
 *	peer key (see TlsConnNew), newest wins; a full table drops the
 *	oldest session. Connections made through the
 *	same context (same options, or -model) resume automatically.
 *
 *	Save takes over the caller's reference to sess. Find returns a
 *	session with one reference for the caller, or NULL.
 *
 *----------------------------------------------------------------------
 */

#define TLS_SESSIONS_MAX 256

/*
 * EvictOldestSession --
 *	Drops the entry of a full table that was saved longest ago. Called
 *	with ctxMutex held.
 */

static void
EvictOldestSession(
    Tcl_HashTable *tablePtr)
{
    Tcl_HashSearch search;
    Tcl_HashEntry *hPtr, *oldestPtr = NULL;
    unsigned long oldest = 0;

    for (hPtr = Tcl_FirstHashEntry(tablePtr, &search); hPtr != NULL;
	    hPtr = Tcl_NextHashEntry(&search)) {
	unsigned long serial =
		((TlsSavedSession *) Tcl_GetHashValue(hPtr))->serial;

	if (oldestPtr == NULL || serial < oldest) {
	    oldestPtr = hPtr;
	    oldest = serial;
	}
    }
    if (oldestPtr != NULL) {
	FreeSavedSession(oldestPtr);
	Tcl_DeleteHashEntry(oldestPtr);
    }
}

void
TlsContextSaveSession(
    TlsContext *ctxPtr,
    const char *key,
    SSL_SESSION *sess)
{
    Tcl_HashEntry *hPtr;
    TlsSavedSession *savedPtr;
    int isNew;

    Tcl_MutexLock(&ctxMutex);
    if (ctxPtr->sessions.numEntries >= TLS_SESSIONS_MAX
	    && Tcl_FindHashEntry(&ctxPtr->sessions, key) == NULL) {
	EvictOldestSession(&ctxPtr->sessions);
    }
    hPtr = Tcl_CreateHashEntry(&ctxPtr->sessions, key, &isNew);
    if (!isNew) {
	FreeSavedSession(hPtr);
    }
    savedPtr = (TlsSavedSession *) ckalloc(sizeof(TlsSavedSession));
    savedPtr->sess = sess;
    savedPtr->serial = ++ctxPtr->sessionsSaved;
    Tcl_SetHashValue(hPtr, savedPtr);
    Tcl_MutexUnlock(&ctxMutex);
}

SSL_SESSION *
TlsContextFindSession(
    TlsContext *ctxPtr,
    const char *key)
{
    Tcl_HashEntry *hPtr;
    SSL_SESSION *sess = NULL;

    Tcl_MutexLock(&ctxMutex);
    hPtr = Tcl_FindHashEntry(&ctxPtr->sessions, key);
    if (hPtr != NULL) {
	sess = ((TlsSavedSession *) Tcl_GetHashValue(hPtr))->sess;
	if (!SSL_SESSION_is_resumable(sess)
		|| TLS_SESSION_GET_TIME(sess) + SSL_SESSION_get_timeout(sess)
			< (long) time(NULL)) {
	    FreeSavedSession(hPtr);
	    Tcl_DeleteHashEntry(hPtr);
	    sess = NULL;
	} else {
	    SSL_SESSION_up_ref(sess);	/* The caller's reference. */
	}
    }
    Tcl_MutexUnlock(&ctxMutex);
    return sess;
}
