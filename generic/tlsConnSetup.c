/*
 * tlsConnSetup.c --
 *
 *	Creating and freeing one TLS connection over one channel: the SSL
 *	object from a context and the import options, how the peer is
 *	checked, the interpreter its callbacks run in, and the tuning and
 *	state of the socket below. Its state machine is in tlsConn.c.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include "tlsPlatform.h"

/*
 *----------------------------------------------------------------------
 *
 * SetupPeerCheck --
 *
 *	Sets how the peer is verified: the verify mode from -request and
 *	-require (role defaults: a client requires, a server does not ask),
 *	and for a client the name the certificate must carry plus SNI.
 *
 *----------------------------------------------------------------------
 */

static void
SetupPeerCheck(
    TlsConn *connPtr,
    const TlsConfig *cfgPtr)
{
    int server = cfgPtr->server;
    int request = cfgPtr->request;
    int require = cfgPtr->require;
    int mode = SSL_VERIFY_NONE;

    if (request < 0) {
	request = server ? (require == 1) : 1;
    }
    if (require < 0) {
	require = server ? 0 : request;
    }
    if (request) {
	mode = SSL_VERIFY_PEER;
	if (require && server) {
	    mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	}
    }
    if (require) {
	connPtr->flags |= TLS_CONN_REQUIRE;
    }
    SSL_set_verify(connPtr->ssl, mode, TlsVerifyCallback);

    if (!server && cfgPtr->serverName != NULL) {
	const char *name = Tcl_GetString(cfgPtr->serverName);

	if (TlsIsIpAddress(name)) {
	    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(connPtr->ssl),
		    name);
	} else {
	    SSL_set_tlsext_host_name(connPtr->ssl, name);
	    SSL_set1_host(connPtr->ssl, name);
	    /* "f*.example.com" matches nothing, as in browsers. */
	    SSL_set_hostflags(connPtr->ssl,
		    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	}
    }
}

/*
 * The connections whose callbacks run in one interpreter, reached from the
 * interpreter's assoc data: one registration per interpreter, so that
 * opening and closing a connection costs the same however many are open
 * (one Tcl_CallWhenDeleted per connection made each close scan them all).
 */

#define TLS_INTERP_KEY "tls::connections"

typedef struct InterpConns {
    TlsConn *firstPtr;		/* Linked through interpNextPtr. */
} InterpConns;

/*
 *----------------------------------------------------------------------
 *
 * InterpGone --
 *
 *	The interpreter callbacks run in is being deleted (its channels may
 *	live on in another interpreter): none of its connections calls back
 *	any more.
 *
 *----------------------------------------------------------------------
 */

static void
InterpGone(
    void *clientData,
    TCL_UNUSED(Tcl_Interp *))
{
    InterpConns *listPtr = (InterpConns *) clientData;
    TlsConn *connPtr, *nextPtr;

    for (connPtr = listPtr->firstPtr; connPtr != NULL; connPtr = nextPtr) {
	nextPtr = connPtr->interpNextPtr;
	connPtr->interp = NULL;
	connPtr->interpNextPtr = NULL;
	connPtr->interpLinkPtrPtr = NULL;
    }
    ckfree(listPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * AttachInterp --
 *
 *	Makes interp the one the connection's callbacks run in, and puts the
 *	connection on that interpreter's list (created on first use).
 *
 *----------------------------------------------------------------------
 */

static void
AttachInterp(
    TlsConn *connPtr,
    Tcl_Interp *interp)
{
    InterpConns *listPtr = (InterpConns *)
	    Tcl_GetAssocData(interp, TLS_INTERP_KEY, NULL);

    if (listPtr == NULL) {
	listPtr = (InterpConns *) ckalloc(sizeof(InterpConns));
	listPtr->firstPtr = NULL;
	Tcl_SetAssocData(interp, TLS_INTERP_KEY, InterpGone, listPtr);
    }
    connPtr->interp = interp;
    connPtr->interpNextPtr = listPtr->firstPtr;
    if (connPtr->interpNextPtr != NULL) {
	connPtr->interpNextPtr->interpLinkPtrPtr = &connPtr->interpNextPtr;
    }
    listPtr->firstPtr = connPtr;
    connPtr->interpLinkPtrPtr = &listPtr->firstPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnForgetInterp --
 *
 *	No more callbacks for this connection: it is freed, or its channel
 *	moves to another thread, whose interpreters are not ours to call.
 *	Takes it off its interpreter's list in constant time.
 *
 *----------------------------------------------------------------------
 */

void
TlsConnForgetInterp(
    TlsConn *connPtr)
{
    if (connPtr->interpLinkPtrPtr != NULL) {
	*connPtr->interpLinkPtrPtr = connPtr->interpNextPtr;
	if (connPtr->interpNextPtr != NULL) {
	    connPtr->interpNextPtr->interpLinkPtrPtr =
		    connPtr->interpLinkPtrPtr;
	}
	connPtr->interpNextPtr = NULL;
	connPtr->interpLinkPtrPtr = NULL;
    }
    connPtr->interp = NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnNew --
 *
 *	Creates the connection state for a channel about to be stacked.
 *
 * Results:
 *	The new connection, or NULL with an error in interp.
 *
 * Side effects:
 *	Takes one reference to ctxPtr (released by TlsConnFree), to the
 *	-command object of the configuration and to options (a server's
 *	import options as given, kept for the sni callback; NULL for a
 *	client, which keeps no secret such as -key bytes once its context
 *	is built).
 *
 *----------------------------------------------------------------------
 */

TlsConn *
TlsConnNew(
    Tcl_Interp *interp,
    Tcl_Channel down,
    TlsContext *ctxPtr,
    const TlsConfig *cfgPtr,
    Tcl_Obj *options)
{
    TlsConn *connPtr = (TlsConn *) ckalloc(sizeof(TlsConn));
    BIO *bio;

    memset(connPtr, 0, sizeof(TlsConn));
    connPtr->down = down;
    AttachInterp(connPtr, interp);
    connPtr->state = TLS_HANDSHAKING;
    connPtr->timeoutMs = cfgPtr->timeout >= 0 ? cfgPtr->timeout
	    : cfgPtr->server ? TLS_SERVER_TIMEOUT : 0;
    connPtr->ctxPtr = ctxPtr;
    TlsContextRetain(ctxPtr);
    if (cfgPtr->command != NULL) {
	connPtr->command = cfgPtr->command;
	Tcl_IncrRefCount(connPtr->command);
    }
    if (options != NULL) {
	connPtr->options = options;
	Tcl_IncrRefCount(options);
    }

    ERR_clear_error();
    connPtr->ssl = SSL_new(ctxPtr->ctx);
    bio = connPtr->ssl ? TlsBioNew(connPtr) : NULL;
    if (bio == NULL) {
	TlsErrorOpenSSL(interp, "cannot create TLS connection", "CONTEXT",
		NULL);
	TlsConnFree(connPtr);
	return NULL;
    }
    SSL_set_bio(connPtr->ssl, bio, bio);	/* The SSL owns the BIO. */
    SSL_set_ex_data(connPtr->ssl, TlsExIndex(), connPtr);
    if (cfgPtr->server) {
	connPtr->flags |= TLS_CONN_SERVER;
	SSL_set_accept_state(connPtr->ssl);
    } else {
	SSL_set_connect_state(connPtr->ssl);
	if (cfgPtr->postHandshake) {
	    SSL_set_post_handshake_auth(connPtr->ssl, 1);
	}
    }
    SetupPeerCheck(connPtr, cfgPtr);
    if (TlsSessionSetup(interp, connPtr, cfgPtr) != TCL_OK) {
	TlsConnFree(connPtr);
	return NULL;
    }
    if (connPtr->command != NULL) {
	SSL_set_info_callback(connPtr->ssl, TlsInfoCallback);
    }
    TlsOcspConnInit(connPtr, cfgPtr);
    if (TlsTicketConnInit(interp, connPtr, cfgPtr) != TCL_OK) {
	TlsConnFree(connPtr);
	return NULL;
    }
    if (cfgPtr->alpn != NULL) {
	TlsAlpnWire(cfgPtr->alpn, &connPtr->alpnWire, &connPtr->alpnLen);
	if (!cfgPtr->server && connPtr->alpnLen > 0) {
	    SSL_set_alpn_protos(connPtr->ssl, connPtr->alpnWire,
		    connPtr->alpnLen);
	}
    }
    return connPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConnFree --
 *
 *	Frees a connection and everything it owns.
 *
 *----------------------------------------------------------------------
 */

void
TlsConnFree(
    TlsConn *connPtr)
{
    if (connPtr->ssl != NULL) {
	SSL_free(connPtr->ssl);		/* Frees the BIO too. */
    }
    if (connPtr->ctxPtr != NULL) {
	TlsContextRelease(connPtr->ctxPtr);
    }
    if (connPtr->command != NULL) {
	Tcl_DecrRefCount(connPtr->command);
    }
    if (connPtr->errorObj != NULL) {
	Tcl_DecrRefCount(connPtr->errorObj);
	Tcl_DecrRefCount(connPtr->errorCode);
    }
    if (connPtr->cbError != NULL) {
	Tcl_DecrRefCount(connPtr->cbError);
    }
    if (connPtr->downError != NULL) {
	Tcl_DecrRefCount(connPtr->downError);
    }
    if (connPtr->options != NULL) {
	Tcl_DecrRefCount(connPtr->options);
    }
    if (connPtr->sniCtxPtr != NULL) {
	TlsContextRelease(connPtr->sniCtxPtr);
    }
    TlsSessionForget(connPtr);
    TlsOcspConnFree(connPtr);
    TlsTicketConnFree(connPtr);
    if (connPtr->inBuf != NULL) {
	ckfree(connPtr->inBuf);
    }
    if (connPtr->alpnWire != NULL) {
	ckfree(connPtr->alpnWire);
    }
    TlsConnForgetInterp(connPtr);
    ckfree(connPtr);
}
