/*
 * tlsContext.c --
 *
 *	The per-thread cache of SSL_CTX objects (built by tlsBuild.c) that
 *	shares them: building a context (above all loading a CA store)
 *	costs milliseconds, so every distinct configuration is built once and
 *	reference counted. The cache key includes each file's identity and
 *	modification time, so a changed certificate, key or CA file gives a
 *	new context.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"

/* Idle contexts kept for reuse before the oldest idle one is freed. */
#define TLS_CACHE_IDLE_MAX 16

typedef struct ThreadData {
    TlsContext *firstPtr;	/* All cached contexts, newest first. */
    int initialized;
} ThreadData;

static Tcl_ThreadDataKey dataKey;

/*
 * Reference counts are guarded by a lock: a channel moved to another
 * thread (thread::transfer) keeps using its context there, while the
 * owner thread's other channels use it too.
 */
TCL_DECLARE_MUTEX(ctxMutex)

/*
 * The callbacks contexts are built with: tlsHooks.c's, registered by
 * Tls_Init (TlsContextSetHooks). They reach this file as data so that the
 * files building contexts do not depend on the one whose sni callback
 * chooses contexts (TlsContextChooseSni). Guarded by ctxMutex.
 */
static const TlsHooks *contextHooks = NULL;

static void	CacheExit(void *clientData);

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
    TlsSessionTableFree(&ctxPtr->sessions);
    SSL_CTX_free(ctxPtr->ctx);
    ckfree(ctxPtr->key);
    if (ctxPtr->contentKey != NULL) {
	ckfree(ctxPtr->contentKey);
    }
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
 * TlsContextSetHooks --
 *
 *	Registers the callbacks every context is built with (see
 *	contextHooks). Called by Tls_Init; the table must live as long as
 *	the process.
 *
 *----------------------------------------------------------------------
 */

void
TlsContextSetHooks(
    const TlsHooks *hooksPtr)
{
    Tcl_MutexLock(&ctxMutex);
    contextHooks = hooksPtr;
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
    const TlsHooks *hooksPtr;
    Tcl_DString key;
    SSL_CTX *ctx;
    char *contentKey = NULL;

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
    Tcl_MutexLock(&ctxMutex);
    hooksPtr = contextHooks;
    Tcl_MutexUnlock(&ctxMutex);
    ctx = TlsBuildContext(interp, cfgPtr, hooksPtr);
    if (ctx == NULL || (cfgPtr->server
	    && TlsConfigContentKey(interp, cfgPtr, &contentKey) != TCL_OK)) {
	SSL_CTX_free(ctx);
	Tcl_DStringFree(&key);
	return TCL_ERROR;
    }
    ctxPtr = (TlsContext *) ckalloc(sizeof(TlsContext));
    ctxPtr->ctx = ctx;
    ctxPtr->refCount = 0;
    ctxPtr->cached = 1;
    ctxPtr->contentKey = contentKey;
    ctxPtr->key = (char *) ckalloc(Tcl_DStringLength(&key) + 1);
    memcpy(ctxPtr->key, Tcl_DStringValue(&key), Tcl_DStringLength(&key) + 1);
    ctxPtr->nextPtr = tsdPtr->firstPtr;
    TlsSessionTableInit(&ctxPtr->sessions);
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
 * SniOptionsAllowed --
 *
 *	Whether an sni result only chooses the certificate: -certfile,
 *	-keyfile, -cert, -key and -password. The virtual hosts of one
 *	listener share its session cache, and a resumed session skips
 *	verification: if a name could bring its own trust (-cafile),
 *	verification mode or protocol settings, a session admitted under
 *	one name's rules would resume under another's.
 *
 * Results:
 *	1, or 0 with the reason as interp's result.
 *
 *----------------------------------------------------------------------
 */

static int
SniOptionsAllowed(
    Tcl_Interp *interp,
    Tcl_Obj *listObj)
{
    static const char *const allowed[] = {
	"-certfile", "-keyfile", "-cert", "-key", "-password", NULL
    };
    Tcl_Size objc, i;
    Tcl_Obj **objv;
    int index;

    Tcl_ListObjGetElements(NULL, listObj, &objc, &objv);
    for (i = 0; i < objc; i += 2) {
	if (Tcl_GetIndexFromObj(NULL, objv[i], allowed, "option", TCL_EXACT,
		&index) != TCL_OK) {
	    Tcl_SetObjResult(interp, Tcl_ObjPrintf("the sni callback may "
		    "only return -certfile, -keyfile, -cert, -key and "
		    "-password, not \"%s\"", Tcl_GetString(objv[i])));
	    return 0;
	}
    }
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * UseSniOptions --
 *
 *	Switches a server connection to the context built from its import
 *	options followed by the options the sni callback returned (for
 *	example -certfile and -keyfile of the virtual host asked for). The
 *	connection holds one reference to the context chosen.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR with the reason as interp's result.
 *
 *----------------------------------------------------------------------
 */

static int
UseSniOptions(
    Tcl_Interp *interp,
    TlsConn *connPtr,
    Tcl_Obj *extraObj)
{
    Tcl_Obj *allObj = Tcl_DuplicateObj(connPtr->options);
    TlsContext *ctxPtr = NULL;
    TlsConfig cfg;
    Tcl_Size objc;
    Tcl_Obj **objv;
    int code;

    Tcl_IncrRefCount(allObj);
    TlsConfigInit(&cfg);
    code = Tcl_ListObjAppendList(interp, allObj, extraObj);
    if (code == TCL_OK) {
	Tcl_ListObjGetElements(NULL, allObj, &objc, &objv);
	code = TlsConfigParse(interp, objc, objv, &cfg);
    }
    if (code == TCL_OK) {
	cfg.server = 1;
	code = TlsContextGet(interp, &cfg, &ctxPtr);
    }
    if (code == TCL_OK && SSL_set_SSL_CTX(connPtr->ssl, ctxPtr->ctx)) {
	if (connPtr->sniCtxPtr != NULL) {
	    TlsContextRelease(connPtr->sniCtxPtr);
	}
	connPtr->sniCtxPtr = ctxPtr;
    } else {
	if (ctxPtr != NULL) {
	    TlsContextRelease(ctxPtr);
	}
	code = TCL_ERROR;
    }
    TlsConfigFree(&cfg);
    Tcl_DecrRefCount(allObj);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsContextChooseSni --
 *
 *	Applies what a server's sni callback returned: a list of
 *	certificate options (SniOptionsAllowed) switches the connection to
 *	the context of its import options plus those; an empty result, or
 *	one whose first word is not an option (callbacks written before the
 *	sni form existed return 1 or "ok" for every form), keeps the
 *	listening context. resObj is only read.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR with the reason as the result of the
 *	connection's interpreter.
 *
 *----------------------------------------------------------------------
 */

int
TlsContextChooseSni(
    TlsConn *connPtr,
    Tcl_Obj *resObj)
{
    Tcl_Interp *interp = connPtr->interp;
    Tcl_Obj *firstObj = NULL;
    Tcl_Size len;

    if (interp == NULL) {
	return TCL_ERROR;		/* Deleted by the callback. */
    }
    if (Tcl_ListObjLength(NULL, resObj, &len) != TCL_OK) {
	Tcl_SetObjResult(interp, Tcl_NewStringObj(
		"sni callback result is not a list of options", -1));
	return TCL_ERROR;
    }
    if (len == 0 || Tcl_ListObjIndex(NULL, resObj, 0, &firstObj) != TCL_OK
	    || Tcl_GetString(firstObj)[0] != '-') {
	return TCL_OK;
    }
    if (!SniOptionsAllowed(interp, resObj)) {
	return TCL_ERROR;
    }
    return UseSniOptions(interp, connPtr, resObj);
}
