/*
 * tlsOptions.c --
 *
 *	The one table of every option accepted by tls::import, tls::socket
 *	and tls::init, and its parser. Values are checked here, when parsed,
 *	so that tls::import rejects a bad option before stacking anything.
 */

#include "tlsInt.h"

typedef enum OptType {
    OPT_BOOL,			/* int field, Tcl boolean. */
    OPT_LEVEL,			/* int field, 0..5. */
    OPT_MS,			/* int field, milliseconds >= 0. */
    OPT_PROTO,			/* Protocol bit in protoOn/protoOff. */
    OPT_STRING,			/* Tcl_Obj field, "" means unset. */
    OPT_FILE,			/* Tcl_Obj field, "" means unset. */
    OPT_DER,			/* Tcl_Obj field, byte array. */
    OPT_SCRIPT,			/* Tcl_Obj field, a command prefix. */
    OPT_LIST,			/* Tcl_Obj field, a proper list. */
    OPT_HOST,			/* Tcl_Obj field, a host name or address. */
    OPT_ALPN,			/* Tcl_Obj field, ALPN protocol names. */
    OPT_IGNORED			/* Accepted for tls::socket, boolean. */
} OptType;

typedef struct OptSpec {
    const char *name;
    OptType type;
    size_t offset;		/* Field in TlsConfig, for OPT_BOOL... */
    int bit;			/* For OPT_PROTO. */
} OptSpec;

#define F(field) offsetof(TlsConfig, field)

/*
 * Sorted by name for readable error messages. The alias spelled the way
 * TclTLS 2.0 spells it follows the manual's name and is not listed.
 */
static const OptSpec options[] = {
    {"-alpn",		OPT_ALPN,	F(alpn), 0},
    {"-autoservername",	OPT_IGNORED,	0, 0},
    {"-cadir",		OPT_FILE,	F(caDir), 0},
    {"-cafile",		OPT_FILE,	F(caFile), 0},
    {"-cert",		OPT_DER,	F(cert), 0},
    {"-certfile",	OPT_FILE,	F(certFile), 0},
    {"-cipher",		OPT_STRING,	F(cipher), 0},
    {"-ciphersuites",	OPT_STRING,	F(cipherSuites), 0},
    {"-command",	OPT_SCRIPT,	F(command), 0},
    {"-dhparams",	OPT_FILE,	F(dhParams), 0},
    {"-key",		OPT_DER,	F(key), 0},
    {"-keyfile",	OPT_FILE,	F(keyFile), 0},
    {"-model",		OPT_STRING,	F(model), 0},
    {"-nested",		OPT_BOOL,	F(nested), 0},
    {"-password",	OPT_SCRIPT,	F(password), 0},
    {"-post_handshake",	OPT_BOOL,	F(postHandshake), 0},
    {"-request",	OPT_BOOL,	F(request), 0},
    {"-require",	OPT_BOOL,	F(require), 0},
    {"-securitylevel",	OPT_LEVEL,	F(securityLevel), 0},
    {"-security_level",	OPT_LEVEL,	F(securityLevel), 0},
    {"-server",		OPT_BOOL,	F(server), 0},
    {"-servername",	OPT_HOST,	F(serverName), 0},
    {"-session_id",	OPT_STRING,	F(sessionId), 0},
    {"-ssl2",		OPT_PROTO,	0, TLS_PROTO_SSL2},
    {"-ssl3",		OPT_PROTO,	0, TLS_PROTO_SSL3},
    {"-timeout",	OPT_MS,		F(timeout), 0},
    {"-tls1",		OPT_PROTO,	0, TLS_PROTO_TLS1},
    {"-tls1.1",		OPT_PROTO,	0, TLS_PROTO_TLS1_1},
    {"-tls1.2",		OPT_PROTO,	0, TLS_PROTO_TLS1_2},
    {"-tls1.3",		OPT_PROTO,	0, TLS_PROTO_TLS1_3},
    {NULL,		OPT_BOOL,	0, 0}
};

#undef F

/* Options that name files: refused in safe interpreters. */
#define OPT_TOUCHES_FILES(t) ((t) == OPT_FILE)

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
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConfigFree --
 *
 *	Releases the references a TlsConfig holds.
 *
 *----------------------------------------------------------------------
 */

void
TlsConfigFree(
    TlsConfig *cfgPtr)
{
    const OptSpec *specPtr;

    for (specPtr = options; specPtr->name != NULL; specPtr++) {
	if (specPtr->type >= OPT_STRING && specPtr->type <= OPT_ALPN) {
	    Tcl_Obj **slot = (Tcl_Obj **)((char *) cfgPtr + specPtr->offset);

	    if (*slot != NULL) {
		Tcl_DecrRefCount(*slot);
		*slot = NULL;
	    }
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
#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

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

    for (specPtr = options; specPtr->name != NULL; specPtr++) {
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
 * CheckHostName --
 *
 *	-servername: an IP address, or a DNS name of ASCII labels (1 to 63
 *	bytes of letters, digits, '-', '_' or '*', at most 253 bytes in all).
 *	Anything else would be sent as SNI and compared with certificates
 *	in ways nobody meant. An empty value means "not set".
 *
 * Results:
 *	TCL_OK, or TCL_ERROR {TLS OPTION -servername} saying what is wrong.
 *
 *----------------------------------------------------------------------
 */

static int
CheckHostName(
    Tcl_Interp *interp,
    Tcl_Obj *valueObj)
{
    Tcl_Size len, i, label = 0;
    const char *name = Tcl_GetStringFromObj(valueObj, &len);
    const char *problem = NULL;

    if (len == 0 || TlsIsIpAddress(name)) {
	return TCL_OK;
    }
    for (i = 0; i < len && problem == NULL; i++) {
	unsigned char c = (unsigned char) name[i];

	if (c >= 0x80) {
	    problem = "not an ASCII host name: give its IDNA form "
		    "(xn--...), as browsers send it";
	} else if (c == '.') {
	    problem = label == 0 ? "not a host name: empty label" : NULL;
	    label = 0;
	} else if (!(c == '-' || c == '_' || c == '*' || (c >= '0' && c <= '9')
		|| ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))) {
	    problem = "not a host name: only letters, digits, '-' and '.' "
		    "may appear";
	} else if (++label > 63) {
	    problem = "not a host name: a label is longer than 63 bytes";
	}
    }
    if (problem == NULL && label == 0) {
	problem = "not a host name: empty label";
    }
    if (problem == NULL && len > 253) {
	problem = "not a host name: longer than 253 bytes";
    }
    if (problem == NULL) {
	return TCL_OK;
    }
    return TlsError(interp, Tcl_ObjPrintf("bad -servername \"%s\": %s",
	    name, problem), "OPTION", "-servername", NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * CheckAlpn, TlsAlpnWire --
 *
 *	-alpn: a list of protocol names of 1 to 255 bytes each, whose wire
 *	form (each name preceded by its length) fits the 65535 bytes of the
 *	ClientHello's ALPN extension. TlsAlpnWire makes that wire form of
 *	a list CheckAlpn accepted, in a ckalloc'ed buffer the caller owns.
 *
 *----------------------------------------------------------------------
 */

static int
CheckAlpn(
    Tcl_Interp *interp,
    Tcl_Obj *listObj)
{
    Tcl_Size objc, i, len, total = 0;
    Tcl_Obj **objv;

    if (Tcl_ListObjGetElements(NULL, listObj, &objc, &objv) != TCL_OK) {
	return TlsError(interp, Tcl_NewStringObj(
		"bad value for -alpn: must be a list", -1),
		"OPTION", "-alpn", NULL);
    }
    for (i = 0; i < objc; i++) {
	(void) Tcl_GetStringFromObj(objv[i], &len);
	if (len < 1 || len > 255) {
	    return TlsError(interp, Tcl_ObjPrintf(
		    "bad -alpn protocol \"%s\": must be 1 to 255 bytes",
		    Tcl_GetString(objv[i])), "OPTION", "-alpn", NULL);
	}
	total += len + 1;
    }
    if (total > 65535) {
	return TlsError(interp, Tcl_ObjPrintf("bad -alpn: the list takes %ld "
		"bytes in the handshake, at most 65535 fit", (long) total),
		"OPTION", "-alpn", NULL);
    }
    return TCL_OK;
}

void
TlsAlpnWire(
    Tcl_Obj *listObj,
    unsigned char **wirePtr,
    unsigned int *lenPtr)
{
    Tcl_Size objc, i, len, total = 0;
    Tcl_Obj **objv;
    unsigned char *wire;

    Tcl_ListObjGetElements(NULL, listObj, &objc, &objv);
    for (i = 0; i < objc; i++) {
	(void) Tcl_GetStringFromObj(objv[i], &len);
	total += len + 1;
    }
    wire = (unsigned char *) ckalloc(total + 1);
    for (i = 0, total = 0; i < objc; i++) {
	const char *name = Tcl_GetStringFromObj(objv[i], &len);

	wire[total++] = (unsigned char) len;
	memcpy(wire + total, name, (size_t) len);
	total += len;
    }
    *wirePtr = wire;
    *lenPtr = (unsigned int) total;
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
 *	Object fields take a reference to valueObj, dropping the old one.
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
    int *intSlot = (int *)((char *) cfgPtr + specPtr->offset);
    Tcl_Obj **objSlot = (Tcl_Obj **)((char *) cfgPtr + specPtr->offset);
    int flag;
    Tcl_Size len;

    switch (specPtr->type) {
    case OPT_BOOL:
    case OPT_PROTO:
    case OPT_IGNORED:
	if (Tcl_GetBooleanFromObj(NULL, valueObj, &flag) != TCL_OK) {
	    return TlsError(interp, Tcl_ObjPrintf(
		    "bad value \"%s\" for %s: must be a boolean",
		    Tcl_GetString(valueObj), specPtr->name),
		    "OPTION", specPtr->name, NULL);
	}
	if (specPtr->type == OPT_BOOL) {
	    *intSlot = flag;
	} else if (specPtr->type == OPT_PROTO) {
	    cfgPtr->protoOn = flag ? (cfgPtr->protoOn | specPtr->bit)
		    : (cfgPtr->protoOn & ~specPtr->bit);
	    cfgPtr->protoOff = flag ? (cfgPtr->protoOff & ~specPtr->bit)
		    : (cfgPtr->protoOff | specPtr->bit);
	}
	return TCL_OK;
    case OPT_LEVEL:
	if (Tcl_GetIntFromObj(NULL, valueObj, &flag) != TCL_OK
		|| flag < 0 || flag > 5) {
	    return TlsError(interp, Tcl_ObjPrintf(
		    "bad value \"%s\" for %s: must be an integer from 0 to 5",
		    Tcl_GetString(valueObj), specPtr->name),
		    "OPTION", specPtr->name, NULL);
	}
	*intSlot = flag;
	return TCL_OK;
    case OPT_MS:
	if (Tcl_GetIntFromObj(NULL, valueObj, &flag) != TCL_OK || flag < 0) {
	    return TlsError(interp, Tcl_ObjPrintf(
		    "bad value \"%s\" for %s: must be a number of "
		    "milliseconds, 0 for no limit", Tcl_GetString(valueObj),
		    specPtr->name), "OPTION", specPtr->name, NULL);
	}
	*intSlot = flag;
	return TCL_OK;
    case OPT_DER:
	if (Tcl_GetByteArrayFromObj(valueObj, &len) == NULL || len == 0) {
	    return TlsError(interp, Tcl_ObjPrintf(
		    "bad value for %s: must be non-empty DER bytes",
		    specPtr->name), "OPTION", specPtr->name, NULL);
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
    case OPT_HOST:
	if (CheckHostName(interp, valueObj) != TCL_OK) {
	    return TCL_ERROR;
	}
	break;
    case OPT_ALPN:
	if (CheckAlpn(interp, valueObj) != TCL_OK) {
	    return TCL_ERROR;
	}
	break;
    case OPT_FILE:
	if (Tcl_IsSafe(interp)) {
	    return TlsError(interp, Tcl_ObjPrintf(
		    "%s is not allowed in a safe interpreter", specPtr->name),
		    "OPTION", specPtr->name, "SAFE", NULL);
	}
	break;
    default:
	break;
    }
    if (*objSlot != NULL) {
	Tcl_DecrRefCount(*objSlot);
	*objSlot = NULL;
    }
    (void) Tcl_GetStringFromObj(valueObj, &len);
    if (len == 0 && specPtr->type != OPT_DER) {
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
    static const struct { int bit; int version; } map[] = {
	{TLS_PROTO_TLS1, TLS1_VERSION}, {TLS_PROTO_TLS1_1, TLS1_1_VERSION},
	{TLS_PROTO_TLS1_2, TLS1_2_VERSION}, {TLS_PROTO_TLS1_3, TLS1_3_VERSION}
    };
    int enabled = (TLS_PROTO_DEFAULT | cfgPtr->protoOn) & ~cfgPtr->protoOff;
    size_t i;

    cfgPtr->minVersion = cfgPtr->maxVersion = 0;
    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
	if (enabled & map[i].bit) {
	    if (cfgPtr->minVersion == 0) {
		cfgPtr->minVersion = map[i].version;
	    }
	    cfgPtr->maxVersion = map[i].version;
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

	for (specPtr = options; specPtr->name != NULL; specPtr++) {
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
