/*
 * tlsContext.c --
 *
 *	The per-thread cache of SSL_CTX objects (built by tlsBuild.c) that
 *	shares them: building a context (above all loading a CA store)
 *	costs milliseconds, so every distinct configuration is built once and
 *	reference counted. The cache key includes each file's identity and
 *	modification time, so a changed certificate, key or CA file gives a
 *	new context.
 */

#include "tlsInt.h"
#include <stdlib.h>
#include <time.h>

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

int
TlsKeylogEnabled(void)
{
    const char *path = getenv("SSLKEYLOGFILE");

    return path != NULL && *path != '\0';
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

    if (TlsConfigKey(interp, cfgPtr, &key) != TCL_OK) {
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
    ctx = TlsBuildContext(interp, cfgPtr);
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
    if (TlsCheckCredentials(interp, cfgPtr) != TCL_OK) {
	TrimCache(tsdPtr);		/* The context stays cached, idle. */
	return TCL_ERROR;
    }
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
