/*
 * tlsSessionIO.c --
 *
 *	Client sessions as bytes, so that another process (or this one,
 *	restarted) can resume them: decoding what tls::session export
 *	wrote (PEM "SSL SESSION PARAMETERS", as OpenSSL's sess_id and
 *	s_client -sess_out write it, or the same session in DER), checking
 *	the -session option with it, and offering the given session to a
 *	new client connection when it is for that connection's server.
 *
 *	A session is bound to the server name its server was verified for
 *	(-servername: a host name, or an IP address), which the export
 *	records as the session's host name. It is not bound to an address:
 *	the certificate was verified for the name, and a name served by
 *	several addresses (a load-balanced fleet sharing ticket keys) must
 *	resume on any of them.
 *
 *	Ownership: TlsSessionDecode returns a session with one reference
 *	for the caller. A connection's sessionIgnored is a static string.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include <openssl/pem.h>
#include <limits.h>
#include <time.h>

/* The PEM label of a session: what PEM_write_bio_SSL_SESSION writes. */
#define SESSION_PEM_BEGIN "-----BEGIN SSL SESSION PARAMETERS-----"

/*
 *----------------------------------------------------------------------
 *
 * FindPem --
 *
 *	Where the PEM session block starts in bytes[0..len), or -1: text
 *	around the block (a comment, a trailing newline) is allowed.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Size
FindPem(
    const unsigned char *bytes,
    Tcl_Size len)
{
    Tcl_Size i, n = (Tcl_Size) strlen(SESSION_PEM_BEGIN);

    for (i = 0; i + n <= len; i++) {
	if (memcmp(bytes + i, SESSION_PEM_BEGIN, (size_t) n) == 0) {
	    return i;
	}
    }
    return -1;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsSessionDecode --
 *
 *	Decodes a session from valueObj: PEM if it holds a session PEM
 *	block, else DER that must fill the whole value.
 *
 * Results:
 *	A session with one reference owned by the caller, or NULL when the
 *	value is not a session (no error is left in an interpreter; the
 *	OpenSSL error queue is emptied).
 *
 *----------------------------------------------------------------------
 */

SSL_SESSION *
TlsSessionDecode(
    Tcl_Obj *valueObj)
{
    Tcl_Size len = 0, start;
    const unsigned char *bytes = Tcl_GetByteArrayFromObj(valueObj, &len);
    const unsigned char *p;
    SSL_SESSION *sess = NULL;

    if (bytes == NULL || len <= 0 || len > INT_MAX) {
	return NULL;		/* Characters above \xFF, nothing, or far
				 * more than any session. */
    }
    start = FindPem(bytes, len);
    if (start >= 0) {
	BIO *bio = BIO_new_mem_buf(bytes + start, (int) (len - start));

	if (bio != NULL) {
	    sess = PEM_read_bio_SSL_SESSION(bio, NULL, NULL, NULL);
	    BIO_free(bio);
	}
    } else {
	p = bytes;
	sess = d2i_SSL_SESSION(NULL, &p, (long) len);
	if (sess != NULL && p != bytes + len) {
	    SSL_SESSION_free(sess);	/* Bytes left over: not ours. */
	    sess = NULL;
	}
    }
    ERR_clear_error();
    return sess;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsCheckSession --
 *
 *	The parse-time check of -session: empty (not set) or a session
 *	that decodes. Whether it will be offered is decided per connection
 *	(TlsSessionOfferGiven).
 *
 * Results:
 *	TCL_OK, or TCL_ERROR {TLS OPTION -session}.
 *
 *----------------------------------------------------------------------
 */

int
TlsCheckSession(
    Tcl_Interp *interp,
    Tcl_Obj *valueObj)
{
    SSL_SESSION *sess;

    if (Tcl_GetCharLength(valueObj) == 0) {
	return TCL_OK;
    }
    sess = TlsSessionDecode(valueObj);
    if (sess == NULL) {
	return TlsError(interp, Tcl_NewStringObj("bad value for -session: "
		"not a TLS session (give what tls::session export returned: "
		"PEM \"SSL SESSION PARAMETERS\" or its DER bytes)", -1),
		"OPTION", "-session", NULL);
    }
    SSL_SESSION_free(sess);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * SameName --
 *
 *	Whether two server names are the same, ignoring ASCII case (DNS
 *	names are case-insensitive; IP addresses have no letters that
 *	matter). NULL matches nothing.
 *
 *----------------------------------------------------------------------
 */

static int
SameName(
    const char *a,
    const char *b)
{
    if (a == NULL || b == NULL) {
	return 0;
    }
    for (; *a != '\0' && *b != '\0'; a++, b++) {
	char ca = (*a >= 'A' && *a <= 'Z') ? (char) (*a - 'A' + 'a') : *a;
	char cb = (*b >= 'A' && *b <= 'Z') ? (char) (*b - 'A' + 'a') : *b;

	if (ca != cb) {
	    return 0;
	}
    }
    return *a == *b;
}

/*
 *----------------------------------------------------------------------
 *
 * WhyNot --
 *
 *	Why the given session must not be offered by a connection with
 *	this configuration, or NULL if it may be.
 *
 * Results:
 *	A static reason word (documented under -session).
 *
 *----------------------------------------------------------------------
 */

static const char *
WhyNot(
    SSL_SESSION *sess,
    const TlsConfig *cfgPtr)
{
    int version = SSL_SESSION_get_protocol_version(sess);

    if (!SSL_SESSION_is_resumable(sess)) {
	return "unresumable";
    }
    if (!SameName(SSL_SESSION_get0_hostname(sess), cfgPtr->serverName
	    ? Tcl_GetString(cfgPtr->serverName) : NULL)) {
	return "servername";
    }
    if (version < cfgPtr->minVersion || version > cfgPtr->maxVersion) {
	return "protocol";
    }
    if ((long) TLS_SESSION_GET_TIME(sess) + SSL_SESSION_get_timeout(sess)
	    < (long) time(NULL)) {
	return "expired";
    }
    return NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsSessionOfferGiven --
 *
 *	A client given -session: offers that session when it is for this
 *	connection's server name and protocol range and has not expired;
 *	otherwise records why not (tls::connection session_ignored), and
 *	the connection offers what its context's table has, as without
 *	-session. Sessions this connection receives are saved in the table
 *	as usual, so a used TLS 1.3 ticket is replaced there by the next.
 *
 * Side effects:
 *	Sets sessionGiven, sessionOffered or sessionIgnored; the SSL takes
 *	its own reference to the session offered.
 *
 *----------------------------------------------------------------------
 */

void
TlsSessionOfferGiven(
    TlsConn *connPtr,
    const TlsConfig *cfgPtr)
{
    SSL_SESSION *sess;

    if (cfgPtr->server || cfgPtr->session == NULL) {
	return;
    }
    sess = TlsSessionDecode(cfgPtr->session);
    if (sess == NULL) {
	connPtr->sessionIgnored = "undecodable";	/* Checked at parse. */
	return;
    }
    connPtr->sessionIgnored = WhyNot(sess, cfgPtr);
    if (connPtr->sessionIgnored == NULL) {
	if (SSL_set_session(connPtr->ssl, sess)) {	/* Takes a ref. */
	    connPtr->sessionGiven = 1;
	    connPtr->sessionOffered = 1;
	} else {
	    connPtr->sessionIgnored = "unresumable";
	}
    }
    SSL_SESSION_free(sess);				/* Drops ours. */
    ERR_clear_error();
}
