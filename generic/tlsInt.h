/*
 * tlsInt.h --
 *
 *	The one internal header of the tls extension: every structure shared
 *	between files and every function one file offers another.
 *
 *	Ownership in brief: a TlsConfig owns one reference to each Tcl_Obj it
 *	holds; a TlsContext owns its SSL_CTX and is shared by reference count;
 *	a TlsConn owns its SSL (which owns the BIO), one reference to its
 *	TlsContext and one reference to each callback Tcl_Obj. The channel
 *	system owns the TlsConn through the stacked channel's instance data.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#ifndef TLSINT_H
#define TLSINT_H

#include <stddef.h>
#include <string.h>
#include <errno.h>
#include "tls.h"
#include "tlsCompat.h"
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define TLS_PACKAGE_NAME "tls"

/* One TLS connection over one channel (defined below). */
typedef struct TlsConn TlsConn;
typedef struct TlsTicketRing TlsTicketRing;

/*
 * ---------------------------------------------------------------------
 * tlsOptions.c: the parsed, validated options of one import.
 * ---------------------------------------------------------------------
 */

/* Protocol bits used by the option table and the version range. */
#define TLS_PROTO_SSL2	 (1 << 0)
#define TLS_PROTO_SSL3	 (1 << 1)
#define TLS_PROTO_TLS1	 (1 << 2)
#define TLS_PROTO_TLS1_1 (1 << 3)
#define TLS_PROTO_TLS1_2 (1 << 4)
#define TLS_PROTO_TLS1_3 (1 << 5)
#define TLS_PROTO_DEFAULT (TLS_PROTO_TLS1_2 | TLS_PROTO_TLS1_3)

typedef struct TlsConfig {
    int server;			/* -server: 1 to accept, 0 to connect. */
    int request;		/* -request, or -1 for the role's default. */
    int require;		/* -require, or -1 for the role's default. */
    int postHandshake;		/* -post_handshake, 0 or 1. */
    int securityLevel;		/* -securitylevel 0..5, or -1 unset. */
    int protoOn;		/* TLS_PROTO_* bits asked for with 1. */
    int protoOff;		/* TLS_PROTO_* bits refused with 0. */
    int minVersion;		/* Resulting range, OpenSSL constants. */
    int maxVersion;
    Tcl_Obj *certFile;		/* -certfile, NULL when unset or "". */
    Tcl_Obj *keyFile;		/* -keyfile, NULL when unset or "". */
    Tcl_Obj *cert;		/* -cert: DER bytes. */
    Tcl_Obj *key;		/* -key: DER bytes. */
    Tcl_Obj *caFile;		/* -cafile. */
    Tcl_Obj *caDir;		/* -cadir. */
    Tcl_Obj *cipher;		/* -cipher (TLS 1.2 and below). */
    Tcl_Obj *cipherSuites;	/* -ciphersuites (TLS 1.3). */
    Tcl_Obj *dhParams;		/* -dhparams file. */
    Tcl_Obj *caData;		/* -cadata: PEM (or DER) CA certificates. */
    Tcl_Obj *caStore;		/* -castore: an OpenSSL store URI. */
    Tcl_Obj *pkcs12File;	/* -pkcs12file. */
    Tcl_Obj *pkcs12;		/* -pkcs12: the bundle's bytes. */
    int systemCa;		/* -systemca, or -1: TlsUsesSystemCa. */
    Tcl_Obj *groups;		/* -groups list (tlsGroups.c). */
    Tcl_Obj *sigalgs;		/* -sigalgs list (tlsGroups.c). */
    Tcl_Obj *crlFile;		/* -crlfile (tlsRevoke.c). */
    Tcl_Obj *crlData;		/* -crldata PEM text. */
    Tcl_Obj *revocation;	/* -revocation none|leaf|chain. */
    Tcl_Obj *ocspFile;		/* -ocspfile, server (tlsOcsp.c). */
    Tcl_Obj *ocsp;		/* -ocsp none|request|require, client. */
    Tcl_Obj *serverName;	/* -servername. */
    Tcl_Obj *password;		/* -password callback prefix. */
    Tcl_Obj *command;		/* -command callback prefix. */
    Tcl_Obj *model;		/* -model channel name. */
    Tcl_Obj *alpn;		/* -alpn list of protocol names. */
    Tcl_Obj *sessionId;		/* -session_id. */
    Tcl_Obj *session;		/* -session: an exported session (PEM or
				 * DER), client (tlsSessionIO.c). */
    Tcl_Obj *ticketKeys;	/* -ticketkeys file (tlsTicketKeys.c). */
    Tcl_Obj *ticketKeyData;	/* -ticketkeydata bytes. */
    int nested;			/* -nested: TLS inside TLS allowed. */
    int timeout;		/* -timeout ms, or -1 for the role's
				 * default (TLS_SERVER_TIMEOUT, or none). */
    int forSocket;		/* Parsed for tls::socket: its own options
				 * are listed in errors too. */
} TlsConfig;

MODULE_SCOPE void	TlsConfigInit(TlsConfig *cfgPtr);
MODULE_SCOPE int	TlsConfigParse(Tcl_Interp *interp, Tcl_Size objc,
			    Tcl_Obj *const objv[], TlsConfig *cfgPtr);
MODULE_SCOPE void	TlsConfigFree(TlsConfig *cfgPtr);
MODULE_SCOPE int	TlsConfigKey(Tcl_Interp *interp,
			    const TlsConfig *cfgPtr, Tcl_DString *keyPtr);
MODULE_SCOPE int	TlsConfigContentKey(Tcl_Interp *interp,
			    const TlsConfig *cfgPtr, char **hexPtr);

/*
 * ---------------------------------------------------------------------
 * tlsValues.c: checks of host names, ALPN lists and files for the
 * option parser and the context key.
 * ---------------------------------------------------------------------
 */

MODULE_SCOPE int	TlsCheckHostName(Tcl_Interp *interp,
			    Tcl_Obj *valueObj);
MODULE_SCOPE int	TlsCheckAlpn(Tcl_Interp *interp, Tcl_Obj *listObj);
MODULE_SCOPE void	TlsAlpnWire(Tcl_Obj *listObj, unsigned char **wirePtr,
			    unsigned int *lenPtr);
MODULE_SCOPE int	TlsFileIdentity(Tcl_Interp *interp, const char *option,
			    Tcl_Obj *pathObj, int wantDir, Tcl_DString *idPtr);
MODULE_SCOPE int	TlsUsesSystemCa(const TlsConfig *cfgPtr);

/*
 * ---------------------------------------------------------------------
 * tlsContext.c: shared, reference-counted SSL_CTX objects.
 * ---------------------------------------------------------------------
 */

/* A context's client sessions by peer key (tlsSession.c). */
typedef struct TlsSessionTable {
    Tcl_HashTable entries;	/* Key -> saved session. */
    unsigned long saved;	/* Sessions saved so far: the age order. */
} TlsSessionTable;

typedef struct TlsContext {
    SSL_CTX *ctx;		/* Owned. */
    int refCount;		/* Channels (and the cache) using it. */
    int cached;			/* Still reachable from the cache. */
    char *key;			/* Cache key (TlsConfigKey), owned
				 * (ckalloc). */
    char *contentKey;		/* Server: TlsConfigContentKey, owned
				 * (ckalloc); client: NULL. */
    struct TlsContext *nextPtr;	/* Cache list link. */
    TlsSessionTable sessions;	/* Client side: resumable sessions by
				 * peer (tlsSession.c). */
} TlsContext;

/*
 * The callbacks a context is built with (tlsHooks.c's; see tlsContext.c).
 */

typedef struct TlsHooks {
    SSL_CTX_alpn_select_cb_func alpnSelect;
    SSL_client_hello_cb_fn clientHello;
    int (*serverName)(SSL *ssl, int *alert, void *arg);
    int (*newSession)(SSL *ssl, SSL_SESSION *sess);
    void (*keylog)(const SSL *ssl, const char *line);
} TlsHooks;

MODULE_SCOPE void	TlsContextSetHooks(const TlsHooks *hooksPtr);
MODULE_SCOPE int	TlsContextGet(Tcl_Interp *interp,
			    const TlsConfig *cfgPtr, TlsContext **ctxPtrPtr);
MODULE_SCOPE void	TlsContextRetain(TlsContext *ctxPtr);
MODULE_SCOPE void	TlsContextRelease(TlsContext *ctxPtr);
MODULE_SCOPE int	TlsContextChooseSni(TlsConn *connPtr,
			    Tcl_Obj *resObj);

/*
 * ---------------------------------------------------------------------
 * tlsBuild.c: an SSL_CTX from a configuration.
 * ---------------------------------------------------------------------
 */

MODULE_SCOPE int	TlsCheckCredentials(Tcl_Interp *interp,
			    const TlsConfig *cfgPtr);
MODULE_SCOPE SSL_CTX *	TlsBuildContext(Tcl_Interp *interp,
			    const TlsConfig *cfgPtr, const TlsHooks *hooksPtr);
MODULE_SCOPE int	TlsKeylogEnabled(void);

/*
 * ---------------------------------------------------------------------
 * tlsLoad.c: credential bytes from files (native or Tcl VFS) and values;
 * what PEM data holds; the error for a credential that cannot be used.
 * ---------------------------------------------------------------------
 */

/* What PEM data holds, as far as its blocks can be read. */
typedef struct TlsPemSurvey {
    int certs;			/* CERTIFICATE blocks. */
    int keys;			/* PRIVATE KEY blocks of any kind. */
    int encrypted;		/* One of those keys is encrypted. */
    int crls;			/* X509 CRL blocks. */
    int others;			/* Blocks of other kinds. */
    int broken;			/* A block could not be read: truncated,
				 * bad base64, no end line. */
} TlsPemSurvey;

MODULE_SCOPE int	TlsReadPath(Tcl_Interp *interp, Tcl_Obj *pathObj,
			    const char *option, Tcl_Obj **bytesPtr);
MODULE_SCOPE int	TlsReadDir(Tcl_Interp *interp, Tcl_Obj *dirObj,
			    const char *option, Tcl_Obj **listPtr);
MODULE_SCOPE int	TlsPathIsNative(Tcl_Obj *pathObj);
MODULE_SCOPE int	TlsCredBytes(Tcl_Interp *interp, const char *option,
			    Tcl_Obj *pathObj, Tcl_Obj *dataObj,
			    Tcl_Obj **bytesPtr);
MODULE_SCOPE int	TlsLooksPem(Tcl_Obj *bytesObj);
MODULE_SCOPE BIO *	TlsBytesBio(Tcl_Obj *bytesObj);
MODULE_SCOPE void	TlsSurveyPem(Tcl_Obj *bytesObj,
			    TlsPemSurvey *surveyPtr);
MODULE_SCOPE int	TlsCredError(Tcl_Interp *interp, const char *option,
			    Tcl_Obj *pathObj, const char *problem,
			    Tcl_Obj *reasonObj);

/*
 * ---------------------------------------------------------------------
 * tlsCreds.c: our certificate (and chain) and private key; tlsPkcs12.c:
 * the same from a PKCS#12 bundle; tlsTrust.c: the CAs peers are
 * verified with.
 * ---------------------------------------------------------------------
 */

MODULE_SCOPE int	TlsLoadCertAndKey(Tcl_Interp *interp, SSL_CTX *ctx,
			    const TlsConfig *cfgPtr);
MODULE_SCOPE int	TlsLoadPkcs12(Tcl_Interp *interp, SSL_CTX *ctx,
			    const TlsConfig *cfgPtr);
MODULE_SCOPE int	TlsLoadTrust(Tcl_Interp *interp, SSL_CTX *ctx,
			    const TlsConfig *cfgPtr);

/*
 * ---------------------------------------------------------------------
 * tlsConnSetup.c and tlsConn.c: one TLS connection over one channel
 * (creation and freeing; the state machine).
 * ---------------------------------------------------------------------
 */

typedef enum TlsState {
    TLS_HANDSHAKING,		/* Handshake not finished (or not begun). */
    TLS_OPEN,			/* Application data flows. */
    TLS_PEER_CLOSED,		/* Peer sent close_notify or EOF. */
    TLS_SHUT_DOWN,		/* We sent close_notify. */
    TLS_FAILED			/* Fatal error; errorObj says why. */
} TlsState;

/* Flag bits of TlsConn.flags, separate from the state. */
#define TLS_CONN_SERVER		(1 << 0)
#define TLS_CONN_NONBLOCK	(1 << 1)
#define TLS_CONN_IN_CALLBACK	(1 << 2)
#define TLS_CONN_WANT_WRITE	(1 << 3)	/* Handshake waits to write. */
#define TLS_CONN_CLOSED		(1 << 4)	/* Channel close began. */
#define TLS_CONN_UNSTACKING	(1 << 5)	/* tls::unimport running. */
#define TLS_CONN_REQUIRE	(1 << 6)	/* Reject unverified peers. */
#define TLS_CONN_EOF_SEEN	(1 << 7)	/* Channel below hit EOF. */
#define TLS_CONN_BUSY		(1 << 8)	/* Inside an OpenSSL call. */
#define TLS_CONN_TICKETS	(1 << 9)	/* Server sent its tickets. */
#define TLS_CONN_KEY_PENDING	(1 << 10)	/* sessionKey lacks the peer
						 * address (connecting). */
#define TLS_CONN_TRIM		(1 << 11)	/* trimTimer is armed. */
#define TLS_CONN_MOVED		(1 << 13)	/* Channel left its thread. */
#define TLS_CONN_DROPPED	(1 << 14)	/* A callback closed the
						 * channel: closed at idle. */
#define TLS_CONN_CB_DECIDED	(1 << 15)	/* cbError is the verdict of a
						 * deciding callback. */
#define TLS_CONN_CLOCK		(1 << 16)	/* The handshake deadline
						 * runs (tlsDeadline.c). */
#define TLS_CONN_POLLING	(1 << 17)	/* A blocking handshake waits
						 * with the channel below
						 * non-blocking. */
#define TLS_CONN_UNIMPORTING	(1 << 18)	/* A non-blocking unimport
						 * awaits close_notify. */
#define TLS_CONN_UNSTACK_IDLE	(1 << 19)	/* close_notify exchanged: the
						 * layer passes plain text
						 * until FinishUnimport can
						 * take it off. */
#define TLS_CONN_GOT_DATA	(1 << 20)	/* Bytes came from the peer. */
#define TLS_CONN_SILENT_EOF	(1 << 21)	/* The client left before
						 * sending anything. */
#define TLS_CONN_RESTED		(1 << 22)	/* A blocking read ended at
						 * rest: Tcl's emptied input
						 * buffer may go (watch). */
#define TLS_CONN_TCL_TIMER	(1 << 23)	/* Tcl held input of ours at a
						 * watch call: it may have a
						 * readable timer naming the
						 * layer (tlsChannel.c). */
#define TLS_CONN_TCL_INPUT	(1 << 24)	/* Plain text passed into Tcl's
						 * input queue since
						 * FinishUnimport was armed. */
#define TLS_CONN_TCP		(1 << 28)	/* The channel below is a TCP
						 * socket (tlsBio.c). */
#define TLS_CONN_NAGLE		(1 << 29)	/* Nagle's algorithm is on
						 * for a burst of small
						 * writes (TlsBioNoteWrite). */

/* Results of TlsConnHandshake and friends. */
#define TLS_IO_DONE	1
#define TLS_IO_AGAIN	0
#define TLS_IO_ERROR	(-1)
#define TLS_IO_BUSY	(-2)	/* Asked from a callback while OpenSSL
				 * runs for the same connection. */
#define TLS_IO_EOF	(-3)	/* TlsConnCall: a read met the peer's
				 * end of stream. */

/*
 * Channel buffer size while TLS is stacked: one full record per write
 * instead of Tcl's default 4 KiB (fewer records, fewer system calls).
 */
#ifndef TLS_CHANNEL_BUFSIZE
#define TLS_CHANNEL_BUFSIZE 16384
#endif

/* How long tls::unimport waits for the peer by default, ms. */
#define TLS_UNIMPORT_WAIT 5000

/*
 * A server's default handshake time limit, ms: a client that connects and
 * says nothing holds a descriptor and a slot until then. A minute covers
 * slow links and client certificate prompts; Node.js allows 120 s.
 */
#define TLS_SERVER_TIMEOUT 60000

/* Size of the ciphertext read-ahead buffer: two maximal records. */
#define TLS_READ_AHEAD	(2 * (16384 + 2048))

struct TlsConn {
    /* The connection and its state (tlsConn.c, tlsConnSetup.c). */
    SSL *ssl;			/* Owned; owns the BIO. */
    TlsState state;
    int flags;			/* TLS_CONN_* bits. */
    Tcl_Obj *errorObj;		/* Why the connection failed, or NULL. */
    Tcl_Obj *errorCode;		/* errorCode list for errorObj. */
    Tcl_Obj *downError;		/* The socket's -error, taken to explain a
				 * failed handshake, kept for fconfigure. */
    TlsContext *ctxPtr;		/* One reference held. */
    TlsContext *sniCtxPtr;	/* Context chosen by the sni callback, or
				 * NULL; one reference held (tlsContext.c). */
    Tcl_Obj *options;		/* The import options, for contexts built
				 * later (SNI certificate choice). */
    unsigned char *alpnWire;	/* -alpn in wire format (server side). */
    unsigned int alpnLen;

    /* Callbacks (tlsCallbacks.c; the list is tlsConnSetup.c's). */
    Tcl_Interp *interp;		/* Where callbacks run; NULL once deleted. */
    Tcl_Obj *command;		/* -command prefix, one reference. */
    Tcl_Obj *cbError;		/* Error raised inside a callback. */
    TlsConn *interpNextPtr;	/* The connections of interp, and */
    TlsConn **interpLinkPtrPtr;	/* the pointer to us there. */

    /* Resumption (tlsSession.c). */
    char *sessionKey;		/* Client: which saved session to resume
				 * and replace (ckalloc), or NULL. */
    int sessionGiven;		/* Client: the -session given is offered,
				 * not the table's (tlsSessionIO.c). */
    int sessionOffered;		/* Client: a session was offered. */
    const char *sessionIgnored;	/* Client: why -session was not offered
				 * (a static string), or NULL. */

    /* Ciphertext below (tlsBio.c). */
    unsigned char *inBuf;	/* Ciphertext read ahead from below. */
    int inStart, inEnd;		/* Unconsumed bytes: inBuf[inStart..inEnd). */
    int ioErrno;		/* errno of the channel below's last failed
				 * read or write, taken at once: callbacks
				 * may change errno later. */
    int smallWrites;		/* Writes of less than a record since the
				 * last read or idle time (TlsBioNoteWrite). */

    /* The channel (tlsChannel.c, its events in tlsEvents.c). */
    Tcl_Channel self;		/* The stacked TLS channel. */
    Tcl_Channel down;		/* The channel below it. */
    int watchMask;		/* Events the script watches. */
    int downMask;		/* Events last asked of the channel below. */
    Tcl_TimerToken timer;	/* Pending self-notification, or NULL. */
    Tcl_TimerToken trimTimer;	/* Releases buffers once the connection
				 * has been quiet (TLS_CONN_TRIM), */
    Tcl_Time trimArmed;		/* armed at this time. */
    int savedBufSize;		/* -buffersize before import, restored by
				 * tls::unimport. */
    TlsConn *nextPtr;		/* This thread's stacked layers, and the */
    TlsConn **linkPtrPtr;	/* pointer to us there; NULL if unlisted. */
    void (*unimportStep)(TlsConn *connPtr);
				/* Advances a deferred unimport: set by
				 * tlsChannel.c, called by the event
				 * procedures while TLS_CONN_UNIMPORTING
				 * or TLS_CONN_UNSTACK_IDLE. */
    int unimportMs;		/* A deferred unimport's time limit, and */
    Tcl_TimerToken unimportTimer;	/* the timer that enforces it, or
					 * then that ends the unimport. */

    /* OCSP stapling (tlsOcsp.c). */
    Tcl_Obj *ocspFile;		/* Server: -ocspfile, one reference. */
    int ocspMode;		/* Client: TLS_OCSP_*. */
    Tcl_Obj *ocspResult;	/* Client: the verdict, one reference. */
    const char *ocspError;	/* Client: why the staple failed the
				 * handshake (static), or NULL. */

    /* Session ticket keys (tlsTicketKeys.c). */
    TlsTicketRing *ticketRing;	/* Server: the -ticketkeys file's ring (the
				 * process's), a -ticketkeydata ring of its
				 * own, or NULL: the context's own keys. */

    /* The handshake time limit (tlsDeadline.c). */
    int timeoutMs;		/* 0 for none. */
    Tcl_Time deadline;		/* When it ends, once TLS_CONN_CLOCK. */
    Tcl_TimerToken deadlineTimer;	/* Expires a waiting handshake. */
};

/* tlsConnSetup.c */
MODULE_SCOPE TlsConn *	TlsConnNew(Tcl_Interp *interp, Tcl_Channel down,
			    TlsContext *ctxPtr, const TlsConfig *cfgPtr,
			    Tcl_Obj *options);
MODULE_SCOPE void	TlsConnFree(TlsConn *connPtr);
MODULE_SCOPE void	TlsConnForgetInterp(TlsConn *connPtr);

/* The OpenSSL calls a connection makes (TlsConnCall). */

typedef enum TlsOp {
    TLS_OP_HANDSHAKE,		/* SSL_do_handshake. */
    TLS_OP_READ,		/* SSL_read for the script. */
    TLS_OP_PEEK,		/* SSL_peek: is application data there? */
    TLS_OP_WRITE,		/* SSL_write for the script. */
    TLS_OP_DISCARD,		/* SSL_read whose data is thrown away, at
				 * close or unimport: failures end it
				 * without being recorded. */
    TLS_OP_SHUTDOWN		/* SSL_shutdown: send close_notify. */
} TlsOp;

/* tlsConn.c */
MODULE_SCOPE int	TlsConnCall(TlsConn *connPtr, TlsOp op, char *buf,
			    int len, int *retPtr);
MODULE_SCOPE int	TlsConnHandshake(TlsConn *connPtr);
MODULE_SCOPE int	TlsConnHandshakeStep(TlsConn *connPtr);
MODULE_SCOPE void	TlsConnExpire(TlsConn *connPtr);
MODULE_SCOPE int	TlsConnWait(TlsConn *connPtr, int events, int ms);
MODULE_SCOPE int	TlsConnRead(TlsConn *connPtr, char *buf, int toRead,
			    int *errorCodePtr);
MODULE_SCOPE int	TlsConnWrite(TlsConn *connPtr, const char *buf,
			    int toWrite, int *errorCodePtr);
MODULE_SCOPE int	TlsConnReadable(TlsConn *connPtr);
MODULE_SCOPE int	TlsConnBuffered(TlsConn *connPtr);

/* tlsClose.c */
MODULE_SCOPE int	TlsConnShutdown(TlsConn *connPtr, int waitMs);
MODULE_SCOPE int	TlsConnCloseStep(TlsConn *connPtr);

/*
 * ---------------------------------------------------------------------
 * tlsDeadline.c: the handshake time limit.
 * ---------------------------------------------------------------------
 */

MODULE_SCOPE void	TlsDeadlineStart(TlsConn *connPtr);
MODULE_SCOPE int	TlsDeadlineLeft(TlsConn *connPtr);
MODULE_SCOPE int	TlsElapsedMs(const Tcl_Time *startPtr);
MODULE_SCOPE int	TlsTimeLeft(const Tcl_Time *startPtr, int ms);

/*
 * ---------------------------------------------------------------------
 * tlsBio.c: ciphertext to and from the channel below.
 * ---------------------------------------------------------------------
 */

MODULE_SCOPE BIO *	TlsBioNew(TlsConn *connPtr);
MODULE_SCOPE void	TlsBioRelease(TlsConn *connPtr);
MODULE_SCOPE void	TlsConnRest(TlsConn *connPtr);
MODULE_SCOPE Tcl_Obj *	TlsBioTakeResidue(TlsConn *connPtr);
MODULE_SCOPE int	TlsBioReadPlain(TlsConn *connPtr, char *buf,
			    int toRead, int *errorCodePtr);
MODULE_SCOPE int	TlsBioDownHandle(TlsConn *connPtr, int direction,
			    void **handlePtr);
MODULE_SCOPE int	TlsBioDownBlocking(TlsConn *connPtr, int blocking);
MODULE_SCOPE void	TlsBioDiscardRaw(TlsConn *connPtr);
MODULE_SCOPE int	TlsBioWait(TlsConn *connPtr, int events, int ms);
MODULE_SCOPE void	TlsBioNoDelay(TlsConn *connPtr);
MODULE_SCOPE void	TlsBioNoteWrite(TlsConn *connPtr, int len);
MODULE_SCOPE void	TlsBioPush(TlsConn *connPtr);
MODULE_SCOPE int	TlsBioWasReset(TlsConn *connPtr);
MODULE_SCOPE void	TlsBioAbort(TlsConn *connPtr);

/*
 * ---------------------------------------------------------------------
 * tlsSession.c: session resumption.
 * ---------------------------------------------------------------------
 */

MODULE_SCOPE void	TlsSessionTableInit(TlsSessionTable *tablePtr);
MODULE_SCOPE void	TlsSessionTableFree(TlsSessionTable *tablePtr);
MODULE_SCOPE int	TlsSessionSetup(Tcl_Interp *interp, TlsConn *connPtr,
			    const TlsConfig *cfgPtr);
MODULE_SCOPE int	TlsSessionFinishKey(TlsConn *connPtr);
MODULE_SCOPE int	TlsSessionKeep(TlsConn *connPtr, SSL_SESSION *sess);
MODULE_SCOPE void	TlsSessionKeepRenewed(TlsConn *connPtr);
MODULE_SCOPE int	TlsSessionResumedWithoutCert(TlsConn *connPtr);
MODULE_SCOPE void	TlsSessionForget(TlsConn *connPtr);

/* tlsSessionIO.c: sessions as bytes; tlsSessionCmd.c: tls::session. */
MODULE_SCOPE SSL_SESSION *TlsSessionDecode(Tcl_Obj *valueObj);
MODULE_SCOPE int	TlsCheckSession(Tcl_Interp *interp, Tcl_Obj *valueObj);
MODULE_SCOPE void	TlsSessionOfferGiven(TlsConn *connPtr,
			    const TlsConfig *cfgPtr);
MODULE_SCOPE Tcl_ObjCmdProc TlsSessionCmd;

/*
 * ---------------------------------------------------------------------
 * tlsChannel.c: the Tcl channel type, and stacking and unstacking it.
 * ---------------------------------------------------------------------
 */

MODULE_SCOPE const Tcl_ChannelType *TlsChannelType(void);
MODULE_SCOPE TlsConn *	TlsChannelConn(Tcl_Interp *interp, Tcl_Obj *nameObj,
			    Tcl_Channel *chanPtr);
MODULE_SCOPE int	TlsChannelHasTls(Tcl_Channel chan);
MODULE_SCOPE int	TlsChannelStack(Tcl_Interp *interp, TlsConn *connPtr,
			    Tcl_Channel chan);
MODULE_SCOPE int	TlsChannelUnimport(Tcl_Interp *interp,
			    TlsConn *connPtr, Tcl_Channel chan,
			    Tcl_Obj *nameObj, int ms);

/*
 * ---------------------------------------------------------------------
 * tlsEvents.c: the event plumbing of the channel type (its watch,
 * handler and thread action procedures, timers, idle trim).
 * ---------------------------------------------------------------------
 */

MODULE_SCOPE void	TlsChannelUpdate(TlsConn *connPtr);
MODULE_SCOPE void	TlsChannelRefresh(Tcl_Channel chan);
MODULE_SCOPE Tcl_DriverWatchProc TlsWatchProc;
MODULE_SCOPE Tcl_DriverHandlerProc TlsHandlerProc;
MODULE_SCOPE Tcl_DriverThreadActionProc TlsThreadActionProc;
MODULE_SCOPE void	TlsEventsDrop(TlsConn *connPtr);
MODULE_SCOPE void	TlsEventsCancelTimer(Tcl_TimerToken *tokenPtr);

/*
 * ---------------------------------------------------------------------
 * tlsCallbacks.c: running Tcl scripts from OpenSSL safely.
 * ---------------------------------------------------------------------
 */

MODULE_SCOPE int	TlsExIndex(void);
MODULE_SCOPE TlsConn *	TlsConnFromSSL(const SSL *ssl);
MODULE_SCOPE int	TlsCallbackEval(Tcl_Interp *interp, Tcl_Obj *prefix,
			    int objc, Tcl_Obj *const objv[], int report,
			    Tcl_Obj **resultPtr, Tcl_Obj **optionsPtr);
MODULE_SCOPE const char *TlsCallbackCannotRun(TlsConn *connPtr);
MODULE_SCOPE void	TlsCallbackVerdict(TlsConn *connPtr, Tcl_Obj *msgObj);
MODULE_SCOPE int	TlsCallbackCommand(TlsConn *connPtr, int decides,
			    int objc, Tcl_Obj *const objv[],
			    Tcl_Obj **resultPtr);
MODULE_SCOPE int	TlsCallbackDecide(TlsConn *connPtr, int objc,
			    Tcl_Obj *const objv[], Tcl_Obj **resultPtr);
MODULE_SCOPE void	TlsCallbackNotify(TlsConn *connPtr, Tcl_Obj *prefix,
			    int objc, Tcl_Obj *const objv[]);
MODULE_SCOPE Tcl_Obj *	TlsCallbackChannelName(TlsConn *connPtr);
MODULE_SCOPE void	TlsCallbackError(TlsConn *connPtr);

/*
 * ---------------------------------------------------------------------
 * tlsPassword.c and tlsHooks.c: the callbacks OpenSSL calls, adapted
 * to scripts.
 * ---------------------------------------------------------------------
 */

typedef struct TlsPasswordData {
    Tcl_Interp *interp;		/* Where the -password script runs. */
    Tcl_Obj *script;		/* -password prefix, or NULL. */
    int called;			/* Set when OpenSSL asked. */
    char *password;		/* The answer (ckalloc), given again if
				 * OpenSSL asks again during one load; wiped
				 * by TlsPasswordFree. */
    int length;			/* Its length; 0 for none. */
    Tcl_Obj *errorObj;		/* The callback's error, or NULL; one */
    Tcl_Obj *errorInfo;		/* reference each (errorInfo may be NULL). */
} TlsPasswordData;

MODULE_SCOPE void	TlsPasswordInit(TlsPasswordData *pwPtr,
			    Tcl_Interp *interp, Tcl_Obj *script);
MODULE_SCOPE void	TlsPasswordFree(TlsPasswordData *pwPtr);
MODULE_SCOPE int	TlsPasswordCallback(char *buf, int size, int rwflag,
			    void *userdata);
MODULE_SCOPE int	TlsPasswordError(Tcl_Interp *interp,
			    TlsPasswordData *pwPtr, const char *option,
			    Tcl_Obj *pathObj);
MODULE_SCOPE int	TlsVerifyCallback(int preverifyOk,
			    X509_STORE_CTX *storeCtx);
MODULE_SCOPE void	TlsInfoCallback(const SSL *ssl, int where, int ret);
MODULE_SCOPE int	TlsAlpnSelectCallback(SSL *ssl,
			    const unsigned char **out, unsigned char *outlen,
			    const unsigned char *in, unsigned int inlen,
			    void *arg);
MODULE_SCOPE int	TlsHelloCallback(SSL *ssl, int *alert, void *arg);
MODULE_SCOPE int	TlsSniCallback(SSL *ssl, int *alert, void *arg);
MODULE_SCOPE int	TlsNewSessionCallback(SSL *ssl, SSL_SESSION *sess);
MODULE_SCOPE void	TlsKeylogCallback(const SSL *ssl, const char *line);
MODULE_SCOPE const TlsHooks *TlsHooksTable(void);

/*
 * ---------------------------------------------------------------------
 * tlsError.c: every Tcl error and errorCode is built here.
 * ---------------------------------------------------------------------
 */

MODULE_SCOPE int	TlsError(Tcl_Interp *interp, Tcl_Obj *msgObj,
			    const char *code, ...);
MODULE_SCOPE Tcl_Obj *	TlsErrorReason(void);
MODULE_SCOPE int	TlsErrorOpenSSL(Tcl_Interp *interp, const char *what,
			    const char *code, const char *detail);
MODULE_SCOPE void	TlsErrorHandshake(TlsConn *connPtr, int sslError,
			    int savedErrno, int eof);
MODULE_SCOPE void	TlsErrorIO(TlsConn *connPtr, const char *what,
			    int sslError, int savedErrno);
MODULE_SCOPE void	TlsErrorSetConn(TlsConn *connPtr, Tcl_Obj *msgObj,
			    Tcl_Obj *codeObj);
MODULE_SCOPE Tcl_Obj *	TlsErrorCode(const char *w1, const char *w2,
			    Tcl_Obj *w3);
MODULE_SCOPE void	TlsErrorBypass(TlsConn *connPtr, Tcl_Obj *msgObj,
			    Tcl_Obj *codeObj);
MODULE_SCOPE int	TlsErrorBusy(Tcl_Interp *interp, TlsConn *connPtr);
MODULE_SCOPE int	TlsErrorRaise(Tcl_Interp *interp, TlsConn *connPtr);

/*
 * ---------------------------------------------------------------------
 * tlsX509.c, tlsNames.c and tlsInfo.c: reports on certificates and
 * channels.
 * ---------------------------------------------------------------------
 */

MODULE_SCOPE Tcl_Obj *	TlsX509Dict(X509 *cert);
MODULE_SCOPE Tcl_Obj *	TlsX509NameObj(const X509_NAME *namePtr);
MODULE_SCOPE Tcl_Obj *	TlsX509CommonName(const X509 *cert);
MODULE_SCOPE Tcl_Obj *	TlsX509AltNames(X509 *cert);
MODULE_SCOPE int	TlsIsIpAddress(const char *host);
MODULE_SCOPE Tcl_Obj *	TlsUtf8Obj(const char *bytes, Tcl_Size length);
MODULE_SCOPE void	TlsDictPutInt(Tcl_Obj *dictObj, const char *key,
			    Tcl_WideInt value);
MODULE_SCOPE void	TlsDictPutObj(Tcl_Obj *dictObj, const char *key,
			    Tcl_Obj *valueObj);
MODULE_SCOPE void	TlsDictPutString(Tcl_Obj *dictObj, const char *key,
			    const char *value);
MODULE_SCOPE Tcl_Obj *	TlsHexObj(const unsigned char *bytes,
			    size_t length);
MODULE_SCOPE Tcl_ObjCmdProc TlsStatusCmd;
MODULE_SCOPE Tcl_ObjCmdProc TlsConnectionCmd;

/*
 * ---------------------------------------------------------------------
 * tlsCiphers.c: what this OpenSSL offers.
 * ---------------------------------------------------------------------
 */

MODULE_SCOPE Tcl_Obj *	TlsCipherDescription(const SSL_CIPHER *cipherPtr);
MODULE_SCOPE Tcl_ObjCmdProc TlsCiphersCmd;
MODULE_SCOPE Tcl_ObjCmdProc TlsProtocolsCmd;
MODULE_SCOPE Tcl_ObjCmdProc TlsVersionCmd;

/*
 * ---------------------------------------------------------------------
 * tlsGroups.c: key exchange groups and signature algorithms.
 * ---------------------------------------------------------------------
 */

MODULE_SCOPE int	TlsCheckGroups(Tcl_Interp *interp, Tcl_Obj *listObj);
MODULE_SCOPE int	TlsCheckSigalgs(Tcl_Interp *interp, Tcl_Obj *listObj);
MODULE_SCOPE int	TlsApplyGroups(Tcl_Interp *interp, SSL_CTX *ctx,
			    const TlsConfig *cfgPtr);
MODULE_SCOPE Tcl_Obj *	TlsGroupObj(SSL *ssl);
MODULE_SCOPE Tcl_Obj *	TlsPeerSigalgObj(SSL *ssl);
MODULE_SCOPE Tcl_ObjCmdProc TlsGroupsCmd;

/*
 * ---------------------------------------------------------------------
 * tlsRevoke.c: certificate revocation lists.
 * ---------------------------------------------------------------------
 */

MODULE_SCOPE int	TlsCrlLoadFile(Tcl_Interp *interp, const char *option,
			    Tcl_Obj *pathObj, X509_STORE *store);
MODULE_SCOPE int	TlsCheckCrlData(Tcl_Interp *interp,
			    Tcl_Obj *valueObj);
MODULE_SCOPE int	TlsCheckRevocation(Tcl_Interp *interp,
			    Tcl_Obj *valueObj);
MODULE_SCOPE int	TlsApplyRevocation(Tcl_Interp *interp, SSL_CTX *ctx,
			    const TlsConfig *cfgPtr);

/*
 * ---------------------------------------------------------------------
 * tlsOcsp.c: OCSP stapling.
 * ---------------------------------------------------------------------
 */

#define TLS_OCSP_NONE		0
#define TLS_OCSP_REQUEST	1
#define TLS_OCSP_REQUIRE	2

MODULE_SCOPE int	TlsOcspCallback(SSL *ssl, void *arg);
MODULE_SCOPE int	TlsCheckOcspMode(Tcl_Interp *interp,
			    Tcl_Obj *valueObj);
MODULE_SCOPE void	TlsOcspConnInit(TlsConn *connPtr,
			    const TlsConfig *cfgPtr);
MODULE_SCOPE void	TlsOcspConnFree(TlsConn *connPtr);

/* tlsTicketKeys.c */
MODULE_SCOPE int	TlsTicketCheckFile(Tcl_Interp *interp,
			    Tcl_Obj *pathObj);
MODULE_SCOPE int	TlsTicketCheckData(Tcl_Interp *interp,
			    Tcl_Obj *valueObj);
MODULE_SCOPE TlsTicketRing *TlsTicketFileRing(Tcl_Interp *interp,
			    Tcl_Obj *pathObj);
MODULE_SCOPE long	TlsTicketNow(void);
MODULE_SCOPE int	TlsTicketConnInit(Tcl_Interp *interp,
			    TlsConn *connPtr, const TlsConfig *cfgPtr);
MODULE_SCOPE void	TlsTicketConnFree(TlsConn *connPtr);
MODULE_SCOPE int	TlsTicketKeyCallback(SSL *ssl, unsigned char *name,
			    unsigned char *iv, EVP_CIPHER_CTX *cctx,
			    EVP_MAC_CTX *hctx, int enc);
MODULE_SCOPE Tcl_ObjCmdProc TlsTicketKeyCmd;
MODULE_SCOPE Tcl_Obj *	TlsOcspResultObj(TlsConn *connPtr);
MODULE_SCOPE Tcl_Obj *	TlsOcspVerifyInfo(TlsConn *connPtr,
			    X509_STORE_CTX *storeCtx);

/*
 * ---------------------------------------------------------------------
 * tlsExport.c: keying-material export and channel bindings.
 * ---------------------------------------------------------------------
 */

MODULE_SCOPE Tcl_ObjCmdProc TlsExportKeyCmd;
MODULE_SCOPE Tcl_ObjCmdProc TlsChannelBindingCmd;

/*
 * ---------------------------------------------------------------------
 * tlsCmds.c: tls::import, tls::unimport, tls::handshake, tls::init.
 * ---------------------------------------------------------------------
 */

MODULE_SCOPE Tcl_ObjCmdProc TlsImportCmd;
MODULE_SCOPE Tcl_ObjCmdProc TlsUnimportCmd;
MODULE_SCOPE Tcl_ObjCmdProc TlsHandshakeCmd;
MODULE_SCOPE Tcl_ObjCmdProc TlsCheckOptionsCmd;
MODULE_SCOPE Tcl_ObjCmdProc TlsParseOptionsCmd;
MODULE_SCOPE Tcl_ObjCmdProc TlsInitCmd;

/*
 * ---------------------------------------------------------------------
 * tlsError.c, the block at its end: errors of the commands and of the
 * channel layer.
 * ---------------------------------------------------------------------
 */

MODULE_SCOPE int	TlsErrorUsage(Tcl_Interp *interp, int objc,
			    Tcl_Obj *const objv[], const char *usage);
MODULE_SCOPE int	TlsErrorNoChannel(Tcl_Interp *interp);
MODULE_SCOPE int	TlsErrorNotTls(Tcl_Interp *interp, Tcl_Obj *nameObj);
MODULE_SCOPE int	TlsErrorUnimportTimeout(Tcl_Interp *interp,
			    TlsConn *connPtr, const char *name, int ms);

#endif /* TLSINT_H */
