/*
 * tlsTicketKeys.c --
 *
 *	Session ticket keys of servers (TLS 1.2 tickets and TLS 1.3
 *	stateless tickets), so that several processes or hosts resume each
 *	other's sessions.
 *
 *	-ticketkeys path names a file of one or more 80-byte keys in
 *	nginx's ssl_session_ticket_key format: a 16-byte key name, a 32-byte
 *	HMAC-SHA256 secret, a 32-byte AES-256-CBC key. The first key
 *	encrypts new tickets, every key decrypts; a ticket opened with
 *	another than the first key is renewed under the first. The keys of
 *	a file form a ring kept once per process (by normalized path, under
 *	a mutex: servers run in several threads); the file is checked again
 *	(Tcl's stat: identity from TlsFileIdentity) at most once a second
 *	when a ticket is made or opened, and read again when it changed. A
 *	file that cannot be used then leaves the old keys in place; the
 *	problem goes once per file version to the "error" form of -command.
 *
 *	-ticketkeydata bytes gives the same format from a script; such a
 *	ring belongs to its one connection.
 *
 *	The keys are not part of the context cache key: a rotated file
 *	must neither build a new SSL_CTX nor change the session id context
 *	(tlsSession.c), either of which would refuse every ticket made
 *	before. The callback is therefore set on every server context and
 *	finds the keys through the connection; a connection without keys
 *	of its own uses the context's own random keys (as OpenSSL does
 *	without a callback), so nothing changes for servers that give none.
 *
 *	48-byte nginx keys (AES-128) are refused: in a file of several
 *	keys the two sizes could not be told apart.
 *
 *	Key bytes never appear in messages, status or callbacks.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#define KEY_BYTES	80	/* One key: name, HMAC secret, AES key. */
#define NAME_BYTES	16
#define HMAC_OFFSET	16
#define AES_OFFSET	48
#define SECRET_BYTES	32

/* Seconds between two looks at a key file. */
#define RECHECK_SECONDS	1

struct TlsTicketRing {
    char *path;			/* Normalized path (ckalloc), or NULL for
				 * keys given as data. */
    char *identity;		/* TlsFileIdentity of the keys in use. */
    char *reported;		/* Identity whose problem was reported to
				 * an error callback, or NULL. */
    long checked;		/* When the file was last looked at. */
    unsigned char *keys;	/* nKeys * KEY_BYTES (OPENSSL_malloc,
				 * cleansed when freed). */
    int nKeys;
    TlsTicketRing *nextPtr;	/* Next file ring of the process. */
};

/*
 * The rings of key files, one per path, kept until the process exits.
 * ringMutex guards the list and every field of the rings in it.
 */
TCL_DECLARE_MUTEX(ringMutex)
static TlsTicketRing *fileRings = NULL;
static int exitHandlerSet = 0;

static Tcl_Obj *	ParseKeys(const unsigned char *bytes, Tcl_Size len,
			    unsigned char **keysPtr, int *nKeysPtr);
static int		LoadFile(Tcl_Interp *interp, Tcl_Obj *pathObj,
			    unsigned char **keysPtr, int *nKeysPtr);
static TlsTicketRing *	FindRing(const char *path);
static void		RingFree(TlsTicketRing *ringPtr);
static void		RingsExit(void *clientData);
static void		Refresh(TlsConn *connPtr, TlsTicketRing *ringPtr);
static int		GetKey(TlsConn *connPtr, const unsigned char *name,
			    unsigned char key[KEY_BYTES]);
static int		InitContexts(const unsigned char key[KEY_BYTES],
			    const unsigned char *iv, EVP_CIPHER_CTX *cctx,
			    EVP_MAC_CTX *hctx, int enc);

/*
 *----------------------------------------------------------------------
 *
 * ParseKeys --
 *
 *	Checks that bytes hold one or more 80-byte keys and copies them.
 *
 * Results:
 *	NULL with *keysPtr (OPENSSL_malloc, the caller's) and *nKeysPtr
 *	set; or a message (a new object, refcount 0) saying what is wrong
 *	with the size, to follow the name of the source.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
ParseKeys(
    const unsigned char *bytes,
    Tcl_Size len,
    unsigned char **keysPtr,
    int *nKeysPtr)
{
    *keysPtr = NULL;
    *nKeysPtr = 0;
    if (len == 0) {
	return Tcl_NewStringObj("holds no key: it must hold one or more "
		"80-byte keys", -1);
    }
    if (len == 48) {
	return Tcl_NewStringObj("holds 48 bytes, an nginx AES-128 key, "
		"which is not supported: use 80-byte keys (tls::ticketkey "
		"or \"openssl rand 80\" makes one)", -1);
    }
    if (len % KEY_BYTES != 0 || len / KEY_BYTES > INT_MAX) {
	return Tcl_ObjPrintf("holds %lld bytes, not a multiple of 80: it "
		"must hold one or more 80-byte keys", (long long) len);
    }
    *keysPtr = (unsigned char *) OPENSSL_malloc((size_t) len);
    if (*keysPtr == NULL) {
	return Tcl_NewStringObj("cannot be copied: out of memory", -1);
    }
    memcpy(*keysPtr, bytes, (size_t) len);
    *nKeysPtr = (int) (len / KEY_BYTES);
    return NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * LoadFile --
 *
 *	Reads and checks a key file through Tcl's filesystem (TlsReadPath).
 *
 * Results:
 *	TCL_OK with *keysPtr (the caller's) and *nKeysPtr set, or
 *	TCL_ERROR {TLS FILE -ticketkeys ?SIZE?} left in interp (if any).
 *
 *----------------------------------------------------------------------
 */

static int
LoadFile(
    Tcl_Interp *interp,
    Tcl_Obj *pathObj,
    unsigned char **keysPtr,
    int *nKeysPtr)
{
    Tcl_Obj *bytesObj, *problemObj;
    const unsigned char *bytes;
    Tcl_Size len;

    if (TlsReadPath(interp, pathObj, "-ticketkeys", &bytesObj) != TCL_OK) {
	return TCL_ERROR;
    }
    bytes = Tcl_GetByteArrayFromObj(bytesObj, &len);
    problemObj = ParseKeys(bytes, len, keysPtr, nKeysPtr);
    OPENSSL_cleanse(Tcl_GetByteArrayFromObj(bytesObj, NULL), (size_t) len);
    Tcl_DecrRefCount(bytesObj);
    if (problemObj == NULL) {
	return TCL_OK;
    }
    Tcl_IncrRefCount(problemObj);
    TlsError(interp, Tcl_ObjPrintf("cannot use -ticketkeys \"%s\": the "
	    "file %s", Tcl_GetString(pathObj), Tcl_GetString(problemObj)),
	    "FILE", "-ticketkeys", "SIZE", NULL);
    Tcl_DecrRefCount(problemObj);
    return TCL_ERROR;
}

/*
 * FindRing --
 *	The ring of a normalized path, or NULL. Caller holds ringMutex.
 */

static TlsTicketRing *
FindRing(
    const char *path)
{
    TlsTicketRing *ringPtr;

    for (ringPtr = fileRings; ringPtr != NULL; ringPtr = ringPtr->nextPtr) {
	if (strcmp(ringPtr->path, path) == 0) {
	    return ringPtr;
	}
    }
    return NULL;
}

/*
 * RingFree --
 *	Frees a ring and wipes its keys.
 */

static void
RingFree(
    TlsTicketRing *ringPtr)
{
    if (ringPtr->keys != NULL) {
	OPENSSL_clear_free(ringPtr->keys,
		(size_t) ringPtr->nKeys * KEY_BYTES);
    }
    if (ringPtr->path != NULL) {
	ckfree(ringPtr->path);
    }
    if (ringPtr->identity != NULL) {
	ckfree(ringPtr->identity);
    }
    if (ringPtr->reported != NULL) {
	ckfree(ringPtr->reported);
    }
    ckfree(ringPtr);
}

/*
 * RingsExit --
 *	Process exit handler: frees the rings of key files.
 */

static void
RingsExit(
    void *clientData)
{
    (void) clientData;
    Tcl_MutexLock(&ringMutex);
    while (fileRings != NULL) {
	TlsTicketRing *ringPtr = fileRings;

	fileRings = ringPtr->nextPtr;
	RingFree(ringPtr);
    }
    exitHandlerSet = 0;
    Tcl_MutexUnlock(&ringMutex);
}

/*
 * CopyString --
 *	A ckalloc'ed copy of a C string.
 */

static char *
CopyString(
    const char *s,
    Tcl_Size len)
{
    char *copy = (char *) ckalloc(len + 1);

    memcpy(copy, s, (size_t) len);
    copy[len] = '\0';
    return copy;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsTicketCheckFile --
 *
 *	The check of -ticketkeys (a row's CheckProc, tlsOptions.c): the
 *	file's ring is found, or made by reading the file, so that a bad
 *	file is refused when the options are parsed.
 *
 * Results:
 *	TCL_OK (also for "", unset), or TCL_ERROR {TLS FILE -ticketkeys
 *	...}.
 *
 * Side effects:
 *	A new ring joins the process's list, where it stays until exit.
 *
 *----------------------------------------------------------------------
 */

int
TlsTicketCheckFile(
    Tcl_Interp *interp,
    Tcl_Obj *pathObj)
{
    return TlsTicketFileRing(interp, pathObj) != NULL
	    || Tcl_GetString(pathObj)[0] == '\0' ? TCL_OK : TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsTicketFileRing --
 *
 *	The ring of the key file pathObj: the one the process has, else
 *	a new one read from the file.
 *
 * Results:
 *	The ring (owned by the process's list), or NULL with an error in
 *	interp (also NULL for an empty path, without error).
 *
 *----------------------------------------------------------------------
 */

TlsTicketRing *
TlsTicketFileRing(
    Tcl_Interp *interp,
    Tcl_Obj *pathObj)
{
    Tcl_Obj *normObj;
    TlsTicketRing *ringPtr, *otherPtr;
    unsigned char *keys;
    Tcl_DString id;
    Tcl_Size len;
    const char *path;
    int nKeys;

    if (Tcl_GetString(pathObj)[0] == '\0') {
	return NULL;
    }
    normObj = Tcl_FSGetNormalizedPath(NULL, pathObj);	/* pathObj's. */
    path = Tcl_GetStringFromObj(normObj != NULL ? normObj : pathObj, &len);
    Tcl_MutexLock(&ringMutex);
    ringPtr = FindRing(path);
    Tcl_MutexUnlock(&ringMutex);
    if (ringPtr != NULL) {
	return ringPtr;
    }
    Tcl_DStringInit(&id);
    if (TlsFileIdentity(interp, "-ticketkeys", pathObj, 0, &id) != TCL_OK
	    || LoadFile(interp, pathObj, &keys, &nKeys) != TCL_OK) {
	Tcl_DStringFree(&id);
	return NULL;
    }
    ringPtr = (TlsTicketRing *) ckalloc(sizeof(TlsTicketRing));
    memset(ringPtr, 0, sizeof(TlsTicketRing));
    ringPtr->path = CopyString(path, len);
    ringPtr->identity = CopyString(Tcl_DStringValue(&id),
	    Tcl_DStringLength(&id));
    Tcl_DStringFree(&id);
    ringPtr->keys = keys;
    ringPtr->nKeys = nKeys;
    ringPtr->checked = TlsTicketNow();
    Tcl_MutexLock(&ringMutex);
    otherPtr = FindRing(path);		/* Another thread was quicker? */
    if (otherPtr == NULL) {
	ringPtr->nextPtr = fileRings;
	fileRings = ringPtr;
	if (!exitHandlerSet) {
	    Tcl_CreateExitHandler(RingsExit, NULL);
	    exitHandlerSet = 1;
	}
    }
    Tcl_MutexUnlock(&ringMutex);
    if (otherPtr != NULL) {
	RingFree(ringPtr);
	ringPtr = otherPtr;
    }
    return ringPtr;
}

/*
 * TlsTicketNow --
 *	The time in seconds, for the once-a-second look at key files.
 */

long
TlsTicketNow(void)
{
    Tcl_Time now;

    Tcl_GetTime(&now);
    return (long) now.sec;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsTicketCheckData --
 *
 *	The check of -ticketkeydata: one or more 80-byte keys.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR {TLS OPTION -ticketkeydata}.
 *
 *----------------------------------------------------------------------
 */

int
TlsTicketCheckData(
    Tcl_Interp *interp,
    Tcl_Obj *valueObj)
{
    const unsigned char *bytes;
    unsigned char *keys;
    Tcl_Obj *problemObj;
    Tcl_Size len;
    int nKeys;

    bytes = Tcl_GetByteArrayFromObj(valueObj, &len);
    problemObj = ParseKeys(bytes, len, &keys, &nKeys);
    if (problemObj == NULL) {
	OPENSSL_clear_free(keys, (size_t) nKeys * KEY_BYTES);
	return TCL_OK;
    }
    Tcl_IncrRefCount(problemObj);
    TlsError(interp, Tcl_ObjPrintf("bad value for -ticketkeydata: the "
	    "value %s", Tcl_GetString(problemObj)), "OPTION",
	    "-ticketkeydata", NULL);
    Tcl_DecrRefCount(problemObj);
    return TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsTicketConnInit, TlsTicketConnFree --
 *
 *	A server connection takes its ticket keys: the ring of its
 *	-ticketkeys file (the process's), or a ring of its own made from
 *	-ticketkeydata, or none (the context's own keys). Free drops a ring
 *	of its own.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR with the reason in interp (both options given,
 *	a file that cannot be used).
 *
 *----------------------------------------------------------------------
 */

int
TlsTicketConnInit(
    Tcl_Interp *interp,
    TlsConn *connPtr,
    const TlsConfig *cfgPtr)
{
    TlsTicketRing *ringPtr;
    const unsigned char *bytes;
    Tcl_Obj *problemObj;
    Tcl_Size len;

    if (!cfgPtr->server) {
	return TCL_OK;
    }
    if (cfgPtr->ticketKeys != NULL && cfgPtr->ticketKeyData != NULL) {
	return TlsError(interp, Tcl_NewStringObj("give -ticketkeys or "
		"-ticketkeydata, not both", -1), "OPTION", "-ticketkeydata",
		NULL);
    }
    if (cfgPtr->ticketKeys != NULL) {
	connPtr->ticketRing = TlsTicketFileRing(interp, cfgPtr->ticketKeys);
	return connPtr->ticketRing != NULL ? TCL_OK : TCL_ERROR;
    }
    if (cfgPtr->ticketKeyData == NULL) {
	return TCL_OK;
    }
    ringPtr = (TlsTicketRing *) ckalloc(sizeof(TlsTicketRing));
    memset(ringPtr, 0, sizeof(TlsTicketRing));
    bytes = Tcl_GetByteArrayFromObj(cfgPtr->ticketKeyData, &len);
    problemObj = ParseKeys(bytes, len, &ringPtr->keys, &ringPtr->nKeys);
    if (problemObj != NULL) {		/* Checked when parsed: not here. */
	Tcl_IncrRefCount(problemObj);
	Tcl_DecrRefCount(problemObj);
	RingFree(ringPtr);
	return TlsTicketCheckData(interp, cfgPtr->ticketKeyData);
    }
    connPtr->ticketRing = ringPtr;
    return TCL_OK;
}

void
TlsTicketConnFree(
    TlsConn *connPtr)
{
    if (connPtr->ticketRing != NULL && connPtr->ticketRing->path == NULL) {
	RingFree(connPtr->ticketRing);
    }
    connPtr->ticketRing = NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * Refresh --
 *
 *	Looks at a ring's key file, at most once a second, and takes its
 *	keys again when its identity changed. Reading happens outside the
 *	mutex; only the swap holds it.
 *
 * Side effects:
 *	A file that cannot be used (gone, unreadable, a bad size) leaves
 *	the old keys; the connection's -command hears of it once per file
 *	version, as "error channel message".
 *
 *----------------------------------------------------------------------
 */

static void
Refresh(
    TlsConn *connPtr,
    TlsTicketRing *ringPtr)
{
    long now = TlsTicketNow();
    Tcl_Obj *pathObj;
    Tcl_DString id;
    unsigned char *keys = NULL, *oldKeys = NULL;
    int nKeys = 0, oldCount = 0, due, changed, report = 0;
    const char *problem = NULL;

    Tcl_MutexLock(&ringMutex);
    due = (now - ringPtr->checked >= RECHECK_SECONDS || now < ringPtr->checked);
    if (due) {
	ringPtr->checked = now;
    }
    Tcl_MutexUnlock(&ringMutex);
    if (!due) {
	return;
    }
    pathObj = Tcl_NewStringObj(ringPtr->path, -1);
    Tcl_IncrRefCount(pathObj);
    Tcl_DStringInit(&id);
    if (TlsFileIdentity(NULL, "-ticketkeys", pathObj, 0, &id) != TCL_OK) {
	problem = "the file cannot be found or read";
	Tcl_DStringSetLength(&id, 0);
	Tcl_DStringAppend(&id, "missing", -1);
    }
    Tcl_MutexLock(&ringMutex);
    changed = strcmp(ringPtr->identity, Tcl_DStringValue(&id)) != 0;
    Tcl_MutexUnlock(&ringMutex);
    if (changed && problem == NULL
	    && LoadFile(NULL, pathObj, &keys, &nKeys) != TCL_OK) {
	problem = "the file cannot be read, or its size is not a "
		"multiple of 80 bytes";
    }
    Tcl_MutexLock(&ringMutex);
    if (changed && problem == NULL) {
	oldKeys = ringPtr->keys;
	oldCount = ringPtr->nKeys;
	ringPtr->keys = keys;
	ringPtr->nKeys = nKeys;
	ckfree(ringPtr->identity);
	ringPtr->identity = CopyString(Tcl_DStringValue(&id),
		Tcl_DStringLength(&id));
    } else if (changed && (ringPtr->reported == NULL
	    || strcmp(ringPtr->reported, Tcl_DStringValue(&id)) != 0)) {
	if (ringPtr->reported != NULL) {
	    ckfree(ringPtr->reported);
	}
	ringPtr->reported = CopyString(Tcl_DStringValue(&id),
		Tcl_DStringLength(&id));
	report = 1;
    }
    Tcl_MutexUnlock(&ringMutex);
    if (oldKeys != NULL) {
	OPENSSL_clear_free(oldKeys, (size_t) oldCount * KEY_BYTES);
    }
    if (report && connPtr->command != NULL) {
	Tcl_Obj *objv[3];

	objv[0] = Tcl_NewStringObj("error", -1);
	objv[1] = TlsCallbackChannelName(connPtr);
	objv[2] = Tcl_ObjPrintf("session ticket keys not reloaded: "
		"-ticketkeys \"%s\": %s; the previous keys stay in use",
		Tcl_GetString(pathObj), problem);
	TlsCallbackNotify(connPtr, connPtr->command, 3, objv);
    }
    Tcl_DStringFree(&id);
    Tcl_DecrRefCount(pathObj);
}

/*
 *----------------------------------------------------------------------
 *
 * GetKey --
 *
 *	Copies the key a ticket is made with (name NULL: the first) or
 *	opened with (the key called name) into key: from the connection's
 *	ring, else from its context's own keys (the layout OpenSSL gives
 *	out is the same: name, HMAC secret, AES key).
 *
 * Results:
 *	The key's index in its ring, or -1 if there is none.
 *
 *----------------------------------------------------------------------
 */

static int
GetKey(
    TlsConn *connPtr,
    const unsigned char *name,
    unsigned char key[KEY_BYTES])
{
    TlsTicketRing *ringPtr = connPtr->ticketRing;
    int i, found = -1;

    if (ringPtr == NULL) {
	if (SSL_CTX_get_tlsext_ticket_keys(connPtr->ctxPtr->ctx, key,
		KEY_BYTES) != 1) {
	    return -1;
	}
	return name == NULL || CRYPTO_memcmp(name, key, NAME_BYTES) == 0
		? 0 : -1;
    }
    if (ringPtr->path != NULL) {
	Refresh(connPtr, ringPtr);
	Tcl_MutexLock(&ringMutex);
    }
    for (i = 0; i < ringPtr->nKeys && found < 0; i++) {
	const unsigned char *k = ringPtr->keys + (size_t) i * KEY_BYTES;

	if (name == NULL || memcmp(name, k, NAME_BYTES) == 0) {
	    memcpy(key, k, KEY_BYTES);
	    found = i;
	}
    }
    if (ringPtr->path != NULL) {
	Tcl_MutexUnlock(&ringMutex);
    }
    return found;
}

/*
 * InitContexts --
 *	Sets the HMAC-SHA256 secret and the AES-256-CBC key and iv of a
 *	ticket into OpenSSL's contexts. Returns 1, or 0 on failure.
 */

static int
InitContexts(
    const unsigned char key[KEY_BYTES],
    const unsigned char *iv,
    EVP_CIPHER_CTX *cctx,
    EVP_MAC_CTX *hctx,
    int enc)
{
    OSSL_PARAM params[3];
    char digest[] = "SHA256";

    params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY,
	    (void *) (key + HMAC_OFFSET), SECRET_BYTES);
    params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    digest, 0);
    params[2] = OSSL_PARAM_construct_end();
    if (!EVP_MAC_CTX_set_params(hctx, params)) {
	return 0;
    }
    return enc ? EVP_EncryptInit_ex(cctx, EVP_aes_256_cbc(), NULL,
	    key + AES_OFFSET, iv)
	    : EVP_DecryptInit_ex(cctx, EVP_aes_256_cbc(), NULL,
	    key + AES_OFFSET, iv);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsTicketKeyCallback --
 *
 *	OpenSSL's ticket key callback (SSL_CTX_set_tlsext_ticket_key_evp_cb,
 *	set on every server context by tlsBuild.c). enc 1: a new ticket
 *	under the first key, with a random iv. enc 0: open a ticket with
 *	the key its name gives.
 *
 * Results:
 *	1 ready; 2 ready, and the ticket is to be renewed (opened with
 *	another than the first key); 0 no such key (a full handshake) or
 *	no ticket made; -1 an internal failure.
 *
 *----------------------------------------------------------------------
 */

int
TlsTicketKeyCallback(
    SSL *ssl,
    unsigned char *name,
    unsigned char *iv,
    EVP_CIPHER_CTX *cctx,
    EVP_MAC_CTX *hctx,
    int enc)
{
    TlsConn *connPtr = TlsConnFromSSL(ssl);
    unsigned char key[KEY_BYTES];
    int index, result;

    if (connPtr == NULL) {
	return 0;
    }
    index = GetKey(connPtr, enc ? NULL : name, key);
    if (index < 0) {
	return 0;
    }
    if (enc) {
	memcpy(name, key, NAME_BYTES);
	if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1) {
	    OPENSSL_cleanse(key, sizeof(key));
	    return -1;
	}
    }
    result = InitContexts(key, iv, cctx, hctx, enc)
	    ? (index == 0 ? 1 : 2) : -1;
    OPENSSL_cleanse(key, sizeof(key));
    return result;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsTicketKeyCmd --
 *
 *	tls::ticketkey: a new random key, 80 bytes in the format of
 *	-ticketkeys (name, HMAC secret, AES key, all random).
 *
 * Results:
 *	TCL_OK with the bytes, or TCL_ERROR {TLS USAGE} or {TLS CONTEXT}.
 *
 *----------------------------------------------------------------------
 */

int
TlsTicketKeyCmd(
    void *clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    unsigned char key[KEY_BYTES];

    (void) clientData;
    if (objc != 1) {
	return TlsErrorUsage(interp, 1, objv, NULL);
    }
    if (RAND_bytes(key, KEY_BYTES) != 1) {
	return TlsErrorOpenSSL(interp, "cannot make random bytes for a "
		"ticket key", "CONTEXT", NULL);
    }
    Tcl_SetObjResult(interp, Tcl_NewByteArrayObj(key, KEY_BYTES));
    OPENSSL_cleanse(key, sizeof(key));
    return TCL_OK;
}
