/*
 * tlsValues.c --
 *
 *	Checks of option values that need more than their type: host names,
 *	ALPN protocol lists (and their wire form), and the files named by
 *	file options, whose identity goes into the context cache key. The
 *	option table and its parser are tlsOptions.c's.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"

/*
 *----------------------------------------------------------------------
 *
 * TlsCheckHostName --
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

int
TlsCheckHostName(
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
 * TlsCheckAlpn, TlsAlpnWire --
 *
 *	-alpn: a list of protocol names of 1 to 255 bytes each, whose wire
 *	form (each name preceded by its length) fits the 65535 bytes of the
 *	ClientHello's ALPN extension. TlsAlpnWire makes that wire form of
 *	a list TlsCheckAlpn accepted, in a ckalloc'ed buffer the caller owns.
 *
 *----------------------------------------------------------------------
 */

int
TlsCheckAlpn(
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
 * Tcl reports a file's mode in the POSIX encoding on every platform and
 * for every (virtual) filesystem, and takes access modes in it: these are
 * S_IFMT, S_IFDIR and R_OK, without the system header that defines them.
 */

#define TLS_MODE_TYPE	0170000
#define TLS_MODE_DIR	0040000
#define TLS_READ_OK	4

/*
 *----------------------------------------------------------------------
 *
 * CheckFile --
 *
 *	Checks, through Tcl's filesystem (native or virtual), that a file
 *	option names something readable of the right kind: a directory if
 *	wantDir, else not a directory. Fills *statPtr.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR {TLS FILE option}: "cannot use -cafile "x":
 *	no such file or directory" (or "not a directory", "is a directory",
 *	"permission denied", ...).
 *
 *----------------------------------------------------------------------
 */

static int
CheckFile(
    Tcl_Interp *interp,
    const char *option,
    Tcl_Obj *pathObj,
    int wantDir,
    Tcl_StatBuf *statPtr)
{
    const char *problem = NULL;
    int isDir;

    if (Tcl_FSStat(pathObj, statPtr) != 0) {
	problem = Tcl_ErrnoMsg(Tcl_GetErrno());
    } else {
	isDir = (Tcl_GetModeFromStat(statPtr) & TLS_MODE_TYPE)
		== TLS_MODE_DIR;
	if (wantDir && !isDir) {
	    problem = "not a directory";
	} else if (!wantDir && isDir) {
	    problem = "is a directory";
	} else if (Tcl_FSAccess(pathObj, TLS_READ_OK) != 0) {
	    problem = Tcl_ErrnoMsg(Tcl_GetErrno());
	}
    }
    if (problem == NULL) {
	return TCL_OK;
    }
    return TlsError(interp, Tcl_ObjPrintf("cannot use %s \"%s\": %s",
	    option, Tcl_GetString(pathObj), problem), "FILE", option, NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsFileIdentity --
 *
 *	Checks the file of an option (CheckFile) and appends its identity
 *	to *idPtr (initialised by the caller): device, inode, size,
 *	modification time (in seconds, all Tcl reports) and the path as
 *	given. A file replaced or rewritten on disk gets another identity
 *	(on Windows, where Tcl has no inode, through its size or time).
 *
 * Results:
 *	TCL_OK, or TCL_ERROR {TLS FILE option} with *idPtr unchanged.
 *
 *----------------------------------------------------------------------
 */

int
TlsFileIdentity(
    Tcl_Interp *interp,
    const char *option,
    Tcl_Obj *pathObj,
    int wantDir,
    Tcl_DString *idPtr)
{
    Tcl_StatBuf *statPtr = Tcl_AllocStatBuf();	/* Ours, ckfree'd. */
    char buf[4 * TCL_INTEGER_SPACE + 8];

    if (CheckFile(interp, option, pathObj, wantDir, statPtr) != TCL_OK) {
	ckfree(statPtr);
	return TCL_ERROR;
    }
    snprintf(buf, sizeof(buf), "%u:%u:%llu:%lld:",
	    Tcl_GetFSDeviceFromStat(statPtr), Tcl_GetFSInodeFromStat(statPtr),
	    (unsigned long long) Tcl_GetSizeFromStat(statPtr),
	    (long long) Tcl_GetModificationTimeFromStat(statPtr));
    ckfree(statPtr);
    Tcl_DStringAppend(idPtr, buf, -1);
    Tcl_DStringAppend(idPtr, Tcl_GetString(pathObj), -1);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsUsesSystemCa --
 *
 *	Whether OpenSSL's default trust store (the system's, or the one
 *	SSL_CERT_FILE and SSL_CERT_DIR name) is used: as -systemca says,
 *	and by default only when no CA source (-cafile, -cadir, -cadata,
 *	-castore) is given.
 *
 *----------------------------------------------------------------------
 */

int
TlsUsesSystemCa(
    const TlsConfig *cfgPtr)
{
    if (cfgPtr->systemCa >= 0) {
	return cfgPtr->systemCa;
    }
    return cfgPtr->caFile == NULL && cfgPtr->caDir == NULL
	    && cfgPtr->caData == NULL && cfgPtr->caStore == NULL;
}
