/*
 * tlsOptions.c --
 *
 *	The one table of every option accepted by tls::import, tls::socket
 *	and tls::init. Each row says which side the option applies to, what
 *	it configures (the shared context, each connection, or the commands
 *	themselves) and which TlsConfig field holds it. The parser checks
 *	and converts values when parsing, so that tls::import and tls::init
 *	reject a bad option before anything is built or stacked; the context
 *	cache key is derived by walking the table (TlsConfigKey).
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include "tlsOptSpec.h"
#include <stdlib.h>
#include <openssl/evp.h>


#define F(field) offsetof(TlsConfig, field)

/*
 * Grouped by scope; error messages list the names sorted (BadOption).
 * The context rows come in the order their files are checked, so that of
 * several unusable files the same one is reported as before. The alias
 * spelled the way TclTLS 2.0 spells it follows the manual's name and is
 * not listed in errors.
 */
const OptSpec tlsOptionTable[] = {
    {"-server",        OPT_BOOL,    BOTH,   CONTEXT, F(server), NULL},
    {"-tls1",          OPT_PROTO,   BOTH,   CONTEXT, TLS_PROTO_TLS1, NULL},
    {"-tls1.1",        OPT_PROTO,   BOTH,   CONTEXT, TLS_PROTO_TLS1_1, NULL},
    {"-tls1.2",        OPT_PROTO,   BOTH,   CONTEXT, TLS_PROTO_TLS1_2, NULL},
    {"-tls1.3",        OPT_PROTO,   BOTH,   CONTEXT, TLS_PROTO_TLS1_3, NULL},
    {"-securitylevel", OPT_LEVEL,   BOTH,   CONTEXT, F(securityLevel), NULL},
    {"-security_level",OPT_LEVEL,   BOTH,   CONTEXT, F(securityLevel), NULL},
    {"-certfile",      OPT_FILE,    BOTH,   CONTEXT, F(certFile), NULL},
    {"-keyfile",       OPT_FILE,    BOTH,   CONTEXT, F(keyFile), NULL},
    {"-cafile",        OPT_FILE,    BOTH,   CONTEXT, F(caFile), NULL},
    {"-cadir",         OPT_DIR,     BOTH,   CONTEXT, F(caDir), NULL},
    {"-crlfile",       OPT_FILE,    BOTH,   CONTEXT, F(crlFile), NULL},
    {"-crldata",       OPT_DATA,    BOTH,   CONTEXT, F(crlData),
						TlsCheckCrlData},
    {"-revocation",    OPT_STRING,  BOTH,   CONTEXT, F(revocation),
						TlsCheckRevocation},
    {"-dhparams",      OPT_FILE,    SERVER, CONTEXT, F(dhParams), NULL},
    {"-pkcs12file",    OPT_FILE,    BOTH,   CONTEXT, F(pkcs12File), NULL},
    {"-cert",          OPT_DER,     BOTH,   CONTEXT, F(cert), NULL},
    {"-key",           OPT_DER,     BOTH,   CONTEXT, F(key), NULL},
    {"-cadata",        OPT_DER,     BOTH,   CONTEXT, F(caData), NULL},
    {"-pkcs12",        OPT_DATA,    BOTH,   CONTEXT, F(pkcs12), NULL},
    {"-castore",       OPT_URI,     BOTH,   CONTEXT, F(caStore), NULL},
    {"-systemca",      OPT_BOOL,    BOTH,   CONTEXT, F(systemCa), NULL},
    {"-cipher",        OPT_STRING,  BOTH,   CONTEXT, F(cipher), NULL},
    {"-ciphersuites",  OPT_STRING,  BOTH,   CONTEXT, F(cipherSuites), NULL},
    {"-groups",        OPT_STRING,  BOTH,   CONTEXT, F(groups),
						TlsCheckGroups},
    {"-sigalgs",       OPT_STRING,  BOTH,   CONTEXT, F(sigalgs),
						TlsCheckSigalgs},
    {"-password",      OPT_SCRIPT,  BOTH,   CONTEXT, F(password), NULL},
    {"-alpn",          OPT_STRING,  BOTH,   CONN,    F(alpn), TlsCheckAlpn},
    {"-command",       OPT_SCRIPT,  BOTH,   CONN,    F(command), NULL},
    {"-ocsp",          OPT_STRING,  CLIENT, CONN,    F(ocsp),
						TlsCheckOcspMode},
    {"-ocspfile",      OPT_FILE,    SERVER, CONN,    F(ocspFile), NULL},
    {"-post_handshake",OPT_BOOL,    CLIENT, CONN,    F(postHandshake), NULL},
    {"-request",       OPT_BOOL,    BOTH,   CONN,    F(request), NULL},
    {"-require",       OPT_BOOL,    BOTH,   CONN,    F(require), NULL},
    {"-servername",    OPT_STRING,  CLIENT, CONN,    F(serverName),
						TlsCheckHostName},
    {"-session_id",    OPT_STRING,  BOTH,   CONN,    F(sessionId), NULL},
    {"-session",       OPT_STRING,  CLIENT, CONN,    F(session),
						TlsCheckSession},
    {"-ticketkeys",    OPT_FILE,    SERVER, CONN,    F(ticketKeys),
	    TlsTicketCheckFile},
    {"-ticketkeydata", OPT_DATA,    SERVER, CONN,    F(ticketKeyData),
	    TlsTicketCheckData},
    {"-timeout",       OPT_MS,      BOTH,   CONN,    F(timeout), NULL},
    {"-autoservername",OPT_IGNORED, CLIENT, SCRIPT,  0, NULL},
    {"-model",         OPT_STRING,  BOTH,   SCRIPT,  F(model), NULL},
    {"-nested",        OPT_BOOL,    BOTH,   SCRIPT,  F(nested), NULL},
    {"-ssl2",          OPT_PROTO,   BOTH,   UNUSED,  TLS_PROTO_SSL2, NULL},
    {"-ssl3",          OPT_PROTO,   BOTH,   UNUSED,  TLS_PROTO_SSL3, NULL},
    {NULL,             OPT_BOOL,    0,      UNUSED,  0, NULL},
};

/*
 * The protocol options that exist in OpenSSL 3, in version order, with
 * the version each one stands for.
 */
static const struct { int bit; int version; } versionMap[] = {
    {TLS_PROTO_TLS1, TLS1_VERSION}, {TLS_PROTO_TLS1_1, TLS1_1_VERSION},
    {TLS_PROTO_TLS1_2, TLS1_2_VERSION}, {TLS_PROTO_TLS1_3, TLS1_3_VERSION}
};
#define N_VERSIONS (sizeof(versionMap) / sizeof(versionMap[0]))

/*
 * IntSlot, ObjSlot --
 *	The TlsConfig field of a row, for writing: an int (OPT_BOOL,
 *	OPT_LEVEL, OPT_MS), or a Tcl_Obj pointer (OPT_HOLDS_OBJ types) whose
 *	reference the config owns. TlsOptInt and TlsOptObj (tlsOptSpec.h) read them.
 */

static int *
IntSlot(
    TlsConfig *cfgPtr,
    const OptSpec *specPtr)
{
    return (int *)((char *) cfgPtr + specPtr->offset);
}

static Tcl_Obj **
ObjSlot(
    TlsConfig *cfgPtr,
    const OptSpec *specPtr)
{
    return (Tcl_Obj **)((char *) cfgPtr + specPtr->offset);
}



/*
 *----------------------------------------------------------------------
 *
 * TlsConfigInit --
 *
 *	Fills a TlsConfig with "nothing given": role defaults are resolved
 *	later, when the role is known.
 *
 *----------------------------------------------------------------------
 */

void
TlsConfigInit(
    TlsConfig *cfgPtr)
{
    memset(cfgPtr, 0, sizeof(TlsConfig));
    cfgPtr->request = -1;
    cfgPtr->require = -1;
    cfgPtr->securityLevel = -1;
    cfgPtr->timeout = -1;
    cfgPtr->systemCa = -1;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConfigFree --
 *
 *	Releases the references a TlsConfig holds (one per Tcl_Obj field)
 *	and sets those fields to NULL.
 *
 *----------------------------------------------------------------------
 */

void
TlsConfigFree(
    TlsConfig *cfgPtr)
{
    const OptSpec *specPtr;

    for (specPtr = tlsOptionTable; specPtr->name != NULL; specPtr++) {
	Tcl_Obj **slot = ObjSlot(cfgPtr, specPtr);

	if (OPT_HOLDS_OBJ(specPtr->type) && *slot != NULL) {
	    Tcl_DecrRefCount(*slot);
	    *slot = NULL;
	}
    }
}

/*
 * The options tls::socket hands to Tcl's socket command instead (-server
 * is in the table as well): listed in its errors together with ours.
 */
static const char *const socketOnly[] = {
    "-async", "-myaddr", "-myport", "-reuseaddr", "-reuseport", "-type"
};
#define N_SOCKET_ONLY (sizeof(socketOnly) / sizeof(socketOnly[0]))
#define N_OPTIONS (sizeof(tlsOptionTable) / sizeof(tlsOptionTable[0]))

/* CompareNames -- qsort comparison of two option names. */

static int
CompareNames(
    const void *a,
    const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/*
 *----------------------------------------------------------------------
 *
 * BadOption --
 *
 *	Error for an option name that is not in the table, listing the
 *	valid ones in order (for tls::socket, with its socket options).
 *
 *----------------------------------------------------------------------
 */

static int
BadOption(
    Tcl_Interp *interp,
    const char *name,
    int forSocket)
{
    Tcl_Obj *msgObj = Tcl_ObjPrintf("bad option \"%s\": must be ", name);
    const char *names[N_OPTIONS + N_SOCKET_ONLY];
    const OptSpec *specPtr;
    size_t n = 0, i;

    for (specPtr = tlsOptionTable; specPtr->name != NULL; specPtr++) {
	if (strcmp(specPtr->name, "-security_level") != 0) {
	    names[n++] = specPtr->name;	/* The alias is not listed. */
	}
    }
    for (i = 0; forSocket && i < N_SOCKET_ONLY; i++) {
	names[n++] = socketOnly[i];
    }
    qsort((void *) names, n, sizeof(names[0]), CompareNames);
    for (i = 0; i < n; i++) {
	if (i > 0) {
	    Tcl_AppendToObj(msgObj, i + 1 < n ? ", " : ", or ", -1);
	}
	Tcl_AppendToObj(msgObj, names[i], -1);
    }
    return TlsError(interp, msgObj, "OPTION", name, NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * SetInt --
 *
 *	Checks and stores the value of a row without a Tcl_Obj field: a
 *	boolean (also the protocol bits, and the ignored -autoservername),
 *	a security level or a number of milliseconds.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR {TLS OPTION name} saying what is expected.
 *
 *----------------------------------------------------------------------
 */

static int
SetInt(
    Tcl_Interp *interp,
    const OptSpec *specPtr,
    Tcl_Obj *valueObj,
    TlsConfig *cfgPtr)
{
    int value, bit = (int) specPtr->offset;

    if (specPtr->type == OPT_LEVEL) {
	if (Tcl_GetIntFromObj(NULL, valueObj, &value) != TCL_OK
		|| value < 0 || value > 5) {
	    return TlsError(interp, Tcl_ObjPrintf(
		    "bad value \"%s\" for %s: must be an integer from 0 to 5",
		    Tcl_GetString(valueObj), specPtr->name),
		    "OPTION", specPtr->name, NULL);
	}
    } else if (specPtr->type == OPT_MS) {
	if (Tcl_GetIntFromObj(NULL, valueObj, &value) != TCL_OK || value < 0) {
	    return TlsError(interp, Tcl_ObjPrintf(
		    "bad value \"%s\" for %s: must be a number of "
		    "milliseconds, 0 for no limit", Tcl_GetString(valueObj),
		    specPtr->name), "OPTION", specPtr->name, NULL);
	}
    } else if (Tcl_GetBooleanFromObj(NULL, valueObj, &value) != TCL_OK) {
	return TlsError(interp, Tcl_ObjPrintf(
		"bad value \"%s\" for %s: must be a boolean",
		Tcl_GetString(valueObj), specPtr->name),
		"OPTION", specPtr->name, NULL);
    }
    if (specPtr->type == OPT_PROTO) {
	cfgPtr->protoOn = value ? (cfgPtr->protoOn | bit)
		: (cfgPtr->protoOn & ~bit);
	cfgPtr->protoOff = value ? (cfgPtr->protoOff & ~bit)
		: (cfgPtr->protoOff | bit);
    } else if (specPtr->type != OPT_IGNORED) {
	*IntSlot(cfgPtr, specPtr) = value;
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * CheckObj --
 *
 *	Checks the value of a row with a Tcl_Obj field: by its type (bytes,
 *	a list, a file option outside safe interpreters), then by the row's
 *	own check if it has one (a host name, ALPN names, groups, ...).
 *	Converts the value to the type it is checked as (a byte array, a
 *	list), which later uses find ready.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR {TLS OPTION name ...}.
 *
 *----------------------------------------------------------------------
 */

static int
CheckObj(
    Tcl_Interp *interp,
    const OptSpec *specPtr,
    Tcl_Obj *valueObj)
{
    Tcl_Size len;

    if (OPT_TOUCHES_FILES(specPtr->type) && Tcl_IsSafe(interp)) {
	return TlsError(interp, Tcl_ObjPrintf(
		"%s is not allowed in a safe interpreter", specPtr->name),
		"OPTION", specPtr->name, "SAFE", NULL);
    }
    switch (specPtr->type) {
    case OPT_DER:
    case OPT_DATA:
	if (Tcl_GetByteArrayFromObj(valueObj, &len) == NULL || len == 0) {
	    return TlsError(interp, Tcl_ObjPrintf(
		    "bad value for %s: must be non-empty %s", specPtr->name,
		    specPtr->type == OPT_DER ? "PEM text or DER bytes"
		    : "bytes"), "OPTION", specPtr->name, NULL);
	}
	break;
    case OPT_LIST:
    case OPT_SCRIPT:
	if (Tcl_ListObjLength(NULL, valueObj, &len) != TCL_OK) {
	    return TlsError(interp, Tcl_ObjPrintf(
		    "bad value for %s: must be a list", specPtr->name),
		    "OPTION", specPtr->name, NULL);
	}
	break;
    default:
	break;
    }
    return specPtr->check == NULL ? TCL_OK : specPtr->check(interp, valueObj);
}

/*
 *----------------------------------------------------------------------
 *
 * SetValue --
 *
 *	Checks one option value and stores it in the config.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR with a message naming the option.
 *
 * Side effects:
 *	Object fields take a reference to valueObj, dropping the old one;
 *	an empty value (but for DER bytes) leaves the field NULL, unset.
 *
 *----------------------------------------------------------------------
 */

static int
SetValue(
    Tcl_Interp *interp,
    const OptSpec *specPtr,
    Tcl_Obj *valueObj,
    TlsConfig *cfgPtr)
{
    Tcl_Obj **objSlot = ObjSlot(cfgPtr, specPtr);
    Tcl_Size len;

    if (!OPT_HOLDS_OBJ(specPtr->type)) {
	return SetInt(interp, specPtr, valueObj, cfgPtr);
    }
    if (CheckObj(interp, specPtr, valueObj) != TCL_OK) {
	return TCL_ERROR;
    }
    if (*objSlot != NULL) {
	Tcl_DecrRefCount(*objSlot);
	*objSlot = NULL;
    }
    (void) Tcl_GetStringFromObj(valueObj, &len);
    if (len == 0 && specPtr->type != OPT_DER && specPtr->type != OPT_DATA) {
	return TCL_OK;		/* An empty value means "not set". */
    }
    *objSlot = valueObj;
    Tcl_IncrRefCount(valueObj);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * ResolveVersions --
 *
 *	Turns the protocol options into one contiguous version range.
 *	Options add to the default TLS 1.2-1.3 or remove from it; SSL 2
 *	and 3 do not exist in OpenSSL 3 and asking for them has no effect.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR when no version is left.
 *
 *----------------------------------------------------------------------
 */

static int
ResolveVersions(
    Tcl_Interp *interp,
    TlsConfig *cfgPtr)
{
    int enabled = (TLS_PROTO_DEFAULT | cfgPtr->protoOn) & ~cfgPtr->protoOff;
    size_t i;

    cfgPtr->minVersion = cfgPtr->maxVersion = 0;
    for (i = 0; i < N_VERSIONS; i++) {
	if (enabled & versionMap[i].bit) {
	    if (cfgPtr->minVersion == 0) {
		cfgPtr->minVersion = versionMap[i].version;
	    }
	    cfgPtr->maxVersion = versionMap[i].version;
	}
    }
    if (cfgPtr->minVersion == 0) {
	return TlsError(interp, Tcl_NewStringObj(
		"no protocol version enabled: allow at least one of "
		"-tls1, -tls1.1, -tls1.2 or -tls1.3", -1),
		"OPTION", "PROTOCOL", NULL);
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConfigParse --
 *
 *	Parses "-option value" pairs into cfgPtr (which the caller has
 *	initialised with TlsConfigInit and frees with TlsConfigFree, also
 *	on error). Later options override earlier ones, so defaults can
 *	simply be put in front.
 *
 * Results:
 *	TCL_OK or TCL_ERROR with a message and errorCode {TLS OPTION ...}.
 *
 *----------------------------------------------------------------------
 */

int
TlsConfigParse(
    Tcl_Interp *interp,
    Tcl_Size objc,
    Tcl_Obj *const objv[],
    TlsConfig *cfgPtr)
{
    Tcl_Size i, len = 0;

    for (i = 0; i < objc; i += 2) {
	const char *name = Tcl_GetString(objv[i]);
	const OptSpec *specPtr;

	for (specPtr = tlsOptionTable; specPtr->name != NULL; specPtr++) {
	    if (strcmp(specPtr->name, name) == 0) {
		break;
	    }
	}
	if (specPtr->name == NULL) {
	    return BadOption(interp, name, cfgPtr->forSocket);
	}
	if (i + 1 >= objc) {
	    return TlsError(interp, Tcl_ObjPrintf(
		    "value for \"%s\" missing", name), "OPTION", name, NULL);
	}
	if (SetValue(interp, specPtr, objv[i + 1], cfgPtr) != TCL_OK) {
	    return TCL_ERROR;
	}
    }
    if (cfgPtr->require == 1 && cfgPtr->request == 0) {
	return TlsError(interp, Tcl_NewStringObj(
		"-require 1 needs -request 1: a certificate that is not "
		"requested cannot be required", -1),
		"OPTION", "-require", NULL);
    }
    if (cfgPtr->server && cfgPtr->sessionId != NULL) {
	(void) Tcl_GetStringFromObj(cfgPtr->sessionId, &len);
    }
    if (cfgPtr->server && cfgPtr->sessionId != NULL
	    && len > SSL_MAX_SID_CTX_LENGTH) {
	return TlsError(interp, Tcl_ObjPrintf(
		"bad -session_id: at most %d bytes on a server",
		SSL_MAX_SID_CTX_LENGTH), "OPTION", "-session_id", NULL);
    }
    return ResolveVersions(interp, cfgPtr);
}

/*
 * TlsOptProtoEnabled --
 *	Whether the version of a protocol row is in the configuration's
 *	range (-ssl2 and -ssl3 never are).
 */

int
TlsOptProtoEnabled(
    const TlsConfig *cfgPtr,
    int bit)
{
    size_t i;

    for (i = 0; i < N_VERSIONS; i++) {
	if (versionMap[i].bit == bit) {
	    return versionMap[i].version >= cfgPtr->minVersion
		    && versionMap[i].version <= cfgPtr->maxVersion;
	}
    }
    return 0;
}
