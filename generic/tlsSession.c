/*
 * tlsSession.c --
 *
 *	Session resumption, both sides. A client keeps the sessions it may
 *	resume in its context's session table, one per peer key ("id:" and
 *	the -session_id, or "peer:", the server name and the peer's numeric
 *	address), and offers the one saved for its peer. A server's sessions
 *	(OpenSSL's own cache and tickets) are bound to a session id context
 *	that covers everything deciding who is admitted.
 *
 *	Ownership: a TlsSessionTable owns one reference to each session it
 *	holds; a connection owns its sessionKey (ckalloc).
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include "tlsPlatform.h"
#include <openssl/evp.h>
#include <time.h>

/* Sessions kept per context; a full table drops the oldest. */
#define TLS_SESSIONS_MAX 256

/* Key prefixes: a -session_id given, or the peer it is for. */
#define KEY_ID		"id:"
#define KEY_PEER	"peer:"

/*
 * One entry of a session table: the session (one reference owned by the
 * table) and when it was saved, counted in saves.
 */

typedef struct SavedSession {
    SSL_SESSION *sess;
    unsigned long serial;
} SavedSession;

/*
 * Session tables are shared between threads: a channel moved to another
 * thread (thread::transfer) keeps using its context's table there.
 */
TCL_DECLARE_MUTEX(sessionMutex)

/*
 *----------------------------------------------------------------------
 *
 * TlsSessionTableInit, TlsSessionTableFree --
 *
 *	Set up an empty table, and release one with every session in it
 *	(when its context is freed: nobody else can use it then).
 *
 *----------------------------------------------------------------------
 */

void
TlsSessionTableInit(
    TlsSessionTable *tablePtr)
{
    Tcl_InitHashTable(&tablePtr->entries, TCL_STRING_KEYS);
    tablePtr->saved = 0;
}

/*
 * FreeEntry --
 *	Drops the table's reference to the session of entry hPtr and deletes
 *	the entry. Called with sessionMutex held, or from TlsSessionTableFree.
 */

static void
FreeEntry(
    Tcl_HashEntry *hPtr)
{
    SavedSession *savedPtr = (SavedSession *) Tcl_GetHashValue(hPtr);

    SSL_SESSION_free(savedPtr->sess);
    ckfree(savedPtr);
    Tcl_DeleteHashEntry(hPtr);
}

void
TlsSessionTableFree(
    TlsSessionTable *tablePtr)
{
    Tcl_HashSearch search;
    Tcl_HashEntry *hPtr;

    while ((hPtr = Tcl_FirstHashEntry(&tablePtr->entries, &search))
	    != NULL) {
	FreeEntry(hPtr);
    }
    Tcl_DeleteHashTable(&tablePtr->entries);
}

/*
 * EvictOldest --
 *	Drops the entry of a full table that was saved longest ago. Called
 *	with sessionMutex held.
 */

static void
EvictOldest(
    TlsSessionTable *tablePtr)
{
    Tcl_HashSearch search;
    Tcl_HashEntry *hPtr, *oldestPtr = NULL;
    unsigned long oldest = 0;

    for (hPtr = Tcl_FirstHashEntry(&tablePtr->entries, &search);
	    hPtr != NULL; hPtr = Tcl_NextHashEntry(&search)) {
	unsigned long serial = ((SavedSession *) Tcl_GetHashValue(hPtr))->serial;

	if (oldestPtr == NULL || serial < oldest) {
	    oldestPtr = hPtr;
	    oldest = serial;
	}
    }
    if (oldestPtr != NULL) {
	FreeEntry(oldestPtr);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * Save --
 *
 *	Saves sess under key, replacing the session saved there before.
 *	Takes over the caller's reference to sess.
 *
 *----------------------------------------------------------------------
 */

static void
Save(
    TlsSessionTable *tablePtr,
    const char *key,
    SSL_SESSION *sess)
{
    Tcl_HashEntry *hPtr;
    SavedSession *savedPtr;
    int isNew;

    Tcl_MutexLock(&sessionMutex);
    hPtr = Tcl_FindHashEntry(&tablePtr->entries, key);
    if (hPtr != NULL) {
	FreeEntry(hPtr);
    } else if (tablePtr->entries.numEntries >= TLS_SESSIONS_MAX) {
	EvictOldest(tablePtr);
    }
    hPtr = Tcl_CreateHashEntry(&tablePtr->entries, key, &isNew);
    savedPtr = (SavedSession *) ckalloc(sizeof(SavedSession));
    savedPtr->sess = sess;
    savedPtr->serial = ++tablePtr->saved;
    Tcl_SetHashValue(hPtr, savedPtr);
    Tcl_MutexUnlock(&sessionMutex);
}

/*
 *----------------------------------------------------------------------
 *
 * Find --
 *
 *	The session saved under key, if it is still resumable and has not
 *	expired (an expired one is dropped).
 *
 * Results:
 *	A session with one reference for the caller, or NULL.
 *
 *----------------------------------------------------------------------
 */

static SSL_SESSION *
Find(
    TlsSessionTable *tablePtr,
    const char *key)
{
    Tcl_HashEntry *hPtr;
    SSL_SESSION *sess = NULL;

    Tcl_MutexLock(&sessionMutex);
    hPtr = Tcl_FindHashEntry(&tablePtr->entries, key);
    if (hPtr != NULL) {
	sess = ((SavedSession *) Tcl_GetHashValue(hPtr))->sess;
	if (!SSL_SESSION_is_resumable(sess)
		|| TLS_SESSION_GET_TIME(sess) + SSL_SESSION_get_timeout(sess)
			< (long) time(NULL)) {
	    FreeEntry(hPtr);
	    sess = NULL;
	} else {
	    SSL_SESSION_up_ref(sess);	/* The caller's reference. */
	}
    }
    Tcl_MutexUnlock(&sessionMutex);
    return sess;
}

/*
 *----------------------------------------------------------------------
 *
 * ServerSessionContext --
 *
 *	Sets a server connection's session id context: a SHA-256 over
 *	everything that decides who is admitted, namely the context (its
 *	content key: the options with the certificate, key and CA files by
 *	their bytes, so that hosts with copies of them agree),
 *	the verification mode, the -command callback (a verify callback may
 *	pin certificates) and the -session_id. OpenSSL resumes a session
 *	(session id or ticket, TLS 1.2 and 1.3) only into the context it
 *	was made in, so a session that a lenient listener gave out never
 *	carries a client past the checks of a stricter one sharing the
 *	same SSL_CTX (tls::init options, -model).
 *
 * Results:
 *	TCL_OK, or TCL_ERROR if OpenSSL refuses the context.
 *
 *----------------------------------------------------------------------
 */

static int
ServerSessionContext(
    Tcl_Interp *interp,
    TlsConn *connPtr,
    const TlsConfig *cfgPtr)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdLen = 0;
    Tcl_DString in;
    char mode[32];
    int ok;

    Tcl_DStringInit(&in);
    Tcl_DStringAppend(&in, connPtr->ctxPtr->contentKey, -1);
    snprintf(mode, sizeof(mode), "|verify=%d|",
	    SSL_get_verify_mode(connPtr->ssl));
    Tcl_DStringAppend(&in, mode, -1);
    if (cfgPtr->command != NULL) {
	Tcl_DStringAppend(&in, Tcl_GetString(cfgPtr->command), -1);
    }
    Tcl_DStringAppend(&in, "|id=", -1);
    if (cfgPtr->sessionId != NULL) {
	Tcl_DStringAppend(&in, Tcl_GetString(cfgPtr->sessionId), -1);
    }
    ok = EVP_Digest(Tcl_DStringValue(&in), (size_t) Tcl_DStringLength(&in),
	    md, &mdLen, EVP_sha256(), NULL)
	    && SSL_set_session_id_context(connPtr->ssl, md, mdLen);
    Tcl_DStringFree(&in);
    if (!ok) {
	return TlsErrorOpenSSL(interp, "cannot set the session id context",
		"OPTION", "-session_id");
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * AppendPeer --
 *
 *	Appends "|" and the peer address of the channel below to a session
 *	key: a socket's numeric address and port, taken from the OS handle
 *	(never "fconfigure -peername" for a socket: its host-name element
 *	costs a reverse DNS lookup, which would stall the interpreter and
 *	tell the DNS server whom we contact), or for a channel type without
 *	sockets its -peername option, if it has one.
 *
 * Results:
 *	1, or 0 (nothing appended) when the channel below has no peer
 *	address (yet).
 *
 *----------------------------------------------------------------------
 */

static int
AppendPeer(
    TlsConn *connPtr,
    Tcl_DString *keyPtr)
{
    Tcl_DString peer;
    void *handle;
    int known = -1;

    Tcl_DStringInit(&peer);
    if (TlsBioDownHandle(connPtr, TCL_READABLE, &handle) == TCL_OK) {
	known = TlsPlatformPeerAddress(handle, &peer);
    }
    if (known < 0) {
	known = Tcl_GetChannelOption(NULL, connPtr->down, "-peername",
		&peer) == TCL_OK && Tcl_DStringLength(&peer) > 0;
    }
    if (known) {
	Tcl_DStringAppend(keyPtr, "|", 1);
	Tcl_DStringAppend(keyPtr, Tcl_DStringValue(&peer), -1);
    }
    Tcl_DStringFree(&peer);
    return known;
}

/*
 *----------------------------------------------------------------------
 *
 * SetKey, UseKey --
 *
 *	SetKey replaces the connection's session key (ckalloc'ed, owned by
 *	the connection) with a copy of the DString's value, or with none
 *	when keyPtr is NULL. UseKey also offers the session saved under the
 *	key, if any, unless the -session given is offered (sessionGiven).
 *
 *----------------------------------------------------------------------
 */

static void
SetKey(
    TlsConn *connPtr,
    Tcl_DString *keyPtr)
{
    Tcl_Size len;

    if (connPtr->sessionKey != NULL) {
	ckfree(connPtr->sessionKey);
	connPtr->sessionKey = NULL;
    }
    if (keyPtr != NULL) {
	len = Tcl_DStringLength(keyPtr);
	connPtr->sessionKey = (char *) ckalloc(len + 1);
	memcpy(connPtr->sessionKey, Tcl_DStringValue(keyPtr),
		(size_t) len + 1);
    }
}

static void
UseKey(
    TlsConn *connPtr,
    Tcl_DString *keyPtr)
{
    SSL_SESSION *sess;

    SetKey(connPtr, keyPtr);
    if (connPtr->sessionGiven) {
	return;			/* -session is offered instead. */
    }
    sess = Find(&connPtr->ctxPtr->sessions, connPtr->sessionKey);
    if (sess != NULL) {
	connPtr->sessionOffered =
		SSL_set_session(connPtr->ssl, sess);	/* Takes a ref. */
	SSL_SESSION_free(sess);			/* Drops ours. */
    }
}

/*
 *----------------------------------------------------------------------
 *
 * TlsSessionSetup --
 *
 *	Sets up resumption for a new connection. A client resumes the
 *	session saved in its context for the same peer: the -session_id
 *	given, else the server name and the peer's address; a socket still
 *	connecting has no peer address yet, so its key is completed by
 *	TlsSessionFinishKey at the start of the handshake. A -session
 *	given for this server is offered instead of the saved one, and
 *	what the connection receives is saved under its key all the same.
 *	A server's sessions are valid in its session id context only.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR if OpenSSL refuses a server's context.
 *
 *----------------------------------------------------------------------
 */

int
TlsSessionSetup(
    Tcl_Interp *interp,
    TlsConn *connPtr,
    const TlsConfig *cfgPtr)
{
    Tcl_DString key;

    if (cfgPtr->server) {
	return ServerSessionContext(interp, connPtr, cfgPtr);
    }
    TlsSessionOfferGiven(connPtr, cfgPtr);	/* -session (tlsSessionIO.c) */
    Tcl_DStringInit(&key);
    if (cfgPtr->sessionId != NULL) {
	Tcl_DStringAppend(&key, KEY_ID, -1);
	Tcl_DStringAppend(&key, Tcl_GetString(cfgPtr->sessionId), -1);
	UseKey(connPtr, &key);
    } else {
	Tcl_DStringAppend(&key, KEY_PEER, -1);
	if (cfgPtr->serverName != NULL) {
	    Tcl_DStringAppend(&key, Tcl_GetString(cfgPtr->serverName), -1);
	}
	if (AppendPeer(connPtr, &key)) {
	    UseKey(connPtr, &key);
	} else {
	    SetKey(connPtr, &key);
	    connPtr->flags |= TLS_CONN_KEY_PENDING;
	}
    }
    Tcl_DStringFree(&key);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * StillConnecting --
 *
 *	Whether the socket below a non-blocking (or polling) connection is
 *	still connecting (-async): its "-connecting" option says 1.
 *
 *----------------------------------------------------------------------
 */

static int
StillConnecting(
    TlsConn *connPtr)
{
    Tcl_DString value;
    int connecting = 0;

    if (!(connPtr->flags & (TLS_CONN_NONBLOCK | TLS_CONN_POLLING))) {
	return 0;
    }
    Tcl_DStringInit(&value);
    if (Tcl_GetChannelOption(NULL, connPtr->down, "-connecting", &value)
	    == TCL_OK) {
	connecting = strcmp(Tcl_DStringValue(&value), "1") == 0;
    }
    Tcl_DStringFree(&value);
    return connecting;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsSessionFinishKey --
 *
 *	Before the first handshake step of a client whose socket was still
 *	connecting at import (TLS_CONN_KEY_PENDING): adds the peer address
 *	to the session key now and offers the session saved under it. A
 *	blocking socket, or one whose connection failed, keeps the server
 *	name alone; with no server name either, nothing names the peer and
 *	no session is used.
 *
 * Results:
 *	1 to go on with the handshake; 0 when a non-blocking socket is
 *	still connecting (wait for "writable").
 *
 *----------------------------------------------------------------------
 */

int
TlsSessionFinishKey(
    TlsConn *connPtr)
{
    Tcl_DString key;

    if (!(connPtr->flags & TLS_CONN_KEY_PENDING)) {
	return 1;
    }
    Tcl_DStringInit(&key);
    Tcl_DStringAppend(&key, connPtr->sessionKey, -1);
    if (!AppendPeer(connPtr, &key)) {
	if (StillConnecting(connPtr)) {
	    Tcl_DStringFree(&key);
	    return 0;
	}
	if (strcmp(connPtr->sessionKey, KEY_PEER) == 0) {
	    connPtr->flags &= ~TLS_CONN_KEY_PENDING;
	    SetKey(connPtr, NULL);
	    Tcl_DStringFree(&key);
	    return 1;
	}
    }
    connPtr->flags &= ~TLS_CONN_KEY_PENDING;
    UseKey(connPtr, &key);
    Tcl_DStringFree(&key);
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsSessionKeep --
 *
 *	A client received a new session (in TLS 1.3 as a ticket after the
 *	handshake): saves it for resumption when that is safe. A resumed
 *	handshake verifies nothing, so only sessions whose peer passed
 *	verification are kept; otherwise a connection that accepted an
 *	unverified peer (-require 0, -request 0, a verify callback's 1)
 *	would let a later -require 1 connection to the same peer skip
 *	verification.
 *
 * Results:
 *	1 when the caller's reference to sess was taken over (OpenSSL's
 *	new-session callback contract), else 0.
 *
 *----------------------------------------------------------------------
 */

int
TlsSessionKeep(
    TlsConn *connPtr,
    SSL_SESSION *sess)
{
    if ((connPtr->flags & TLS_CONN_SERVER) || connPtr->sessionKey == NULL
	    || !SSL_SESSION_is_resumable(sess)
	    || SSL_get_verify_result(connPtr->ssl) != X509_V_OK) {
	return 0;
    }
    Save(&connPtr->ctxPtr->sessions, connPtr->sessionKey, sess);
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsSessionKeepRenewed --
 *
 *	After a client's handshake that resumed a TLS 1.2 session: a server
 *	may have renewed its ticket (one sharing -ticketkeys renews tickets
 *	of an older key), but OpenSSL calls no new-session callback for a
 *	resumed TLS 1.2 handshake, so the table would keep the old ticket
 *	until that key is gone. Saves the connection's session, which holds
 *	the renewed ticket (or is the one offered: saving it again changes
 *	nothing). TLS 1.3 tickets always reach TlsSessionKeep.
 *
 *----------------------------------------------------------------------
 */

void
TlsSessionKeepRenewed(
    TlsConn *connPtr)
{
    SSL_SESSION *sess;

    if ((connPtr->flags & TLS_CONN_SERVER)
	    || !SSL_session_reused(connPtr->ssl)
	    || SSL_version(connPtr->ssl) >= TLS1_3_VERSION) {
	return;
    }
    sess = SSL_get1_session(connPtr->ssl);	/* Our reference. */
    if (sess != NULL && !TlsSessionKeep(connPtr, sess)) {
	SSL_SESSION_free(sess);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * TlsSessionResumedWithoutCert --
 *
 *	Defence in depth for a server that requires a client certificate:
 *	whether the handshake just done resumed a session that has none.
 *	Sessions of other verification settings cannot resume here (their
 *	session id context differs, see ServerSessionContext); should one
 *	do so anyway, it must not admit an unauthenticated client.
 *
 *----------------------------------------------------------------------
 */

int
TlsSessionResumedWithoutCert(
    TlsConn *connPtr)
{
    return (connPtr->flags & TLS_CONN_SERVER)
	    && (SSL_get_verify_mode(connPtr->ssl)
		& SSL_VERIFY_FAIL_IF_NO_PEER_CERT)
	    && SSL_session_reused(connPtr->ssl)
	    && SSL_get0_peer_certificate(connPtr->ssl) == NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsSessionForget --
 *
 *	Releases what a connection holds for resumption (its session key).
 *
 *----------------------------------------------------------------------
 */

void
TlsSessionForget(
    TlsConn *connPtr)
{
    SetKey(connPtr, NULL);
}
