/*
 * tlsLoad.c --
 *
 *	Where credential bytes come from: a file read through Tcl's
 *	filesystem (so a path inside a zipfs or tclvfs mount reads like a
 *	native one), a directory of such files, or a value given in memory.
 *	Also what PEM data holds (TlsSurveyPem), for telling a user which
 *	credential is wrong and how, and the error for a credential that
 *	cannot be used (TlsCredError). Turning the bytes into certificates
 *	and keys is tlsCreds.c's, tlsPkcs12.c's and tlsTrust.c's.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include <openssl/pem.h>

/*
 * No credential file is this large: a bound on what a wrong path (a disk
 * image, a device) can make us read into memory.
 */
#define TLS_MAX_CRED_BYTES (16 * 1024 * 1024)

/* Bytes read per Tcl_Read call. */
#define TLS_READ_CHUNK 65536

/* Files read from one directory in a virtual filesystem, at most. */
#define TLS_MAX_DIR_FILES 4096

/*
 *----------------------------------------------------------------------
 *
 * TlsReadPath --
 *
 *	Reads the whole file pathObj names through Tcl's filesystem (native
 *	or virtual: Tcl_FSOpenFileChannel), in binary. option names the
 *	option the path was given to, for the error. CRL files
 *	(tlsRevoke.c) are read here too.
 *
 * Results:
 *	TCL_OK with *bytesPtr a new byte array holding one reference that
 *	the caller releases (Tcl_DecrRefCount); or TCL_ERROR {TLS FILE
 *	option} "cannot use -opt "path": problem" with *bytesPtr NULL.
 *
 *----------------------------------------------------------------------
 */

int
TlsReadPath(
    Tcl_Interp *interp,
    Tcl_Obj *pathObj,
    const char *option,
    Tcl_Obj **bytesPtr)
{
    Tcl_Channel chan;
    Tcl_Obj *bytesObj;
    const char *problem = NULL;
    Tcl_Size total = 0, got;
    unsigned char *buf;

    *bytesPtr = NULL;
    chan = Tcl_FSOpenFileChannel(NULL, pathObj, "r", 0);
    if (chan == NULL) {
	return TlsError(interp, Tcl_ObjPrintf("cannot use %s \"%s\": %s",
		option, Tcl_GetString(pathObj), Tcl_ErrnoMsg(Tcl_GetErrno())),
		"FILE", option, NULL);
    }
    Tcl_SetChannelOption(NULL, chan, "-translation", "binary");
    bytesObj = Tcl_NewByteArrayObj(NULL, 0);
    Tcl_IncrRefCount(bytesObj);
    while (problem == NULL) {
	buf = Tcl_SetByteArrayLength(bytesObj, total + TLS_READ_CHUNK);
	got = Tcl_Read(chan, (char *) buf + total, TLS_READ_CHUNK);
	if (got < 0) {
	    problem = Tcl_ErrnoMsg(Tcl_GetErrno());
	    break;
	}
	total += got;
	if (total > TLS_MAX_CRED_BYTES) {
	    problem = "larger than 16 MB: not a credential file";
	} else if (got == 0 || Tcl_Eof(chan)) {
	    break;
	}
    }
    Tcl_Close(NULL, chan);
    if (problem != NULL) {
	Tcl_DecrRefCount(bytesObj);
	return TlsError(interp, Tcl_ObjPrintf("cannot use %s \"%s\": %s",
		option, Tcl_GetString(pathObj), problem), "FILE", option, NULL);
    }
    Tcl_SetByteArrayLength(bytesObj, total);
    *bytesPtr = bytesObj;
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsReadDir --
 *
 *	Reads every plain file of a directory through Tcl's filesystem (for
 *	-cadir in a virtual filesystem, where OpenSSL cannot look up files
 *	by hash).
 *
 * Results:
 *	TCL_OK with *listPtr a new list {path bytes path bytes ...} holding
 *	one reference the caller releases; or TCL_ERROR {TLS FILE option}.
 *
 *----------------------------------------------------------------------
 */

int
TlsReadDir(
    Tcl_Interp *interp,
    Tcl_Obj *dirObj,
    const char *option,
    Tcl_Obj **listPtr)
{
    Tcl_GlobTypeData types = {TCL_GLOB_TYPE_FILE, 0, NULL, NULL};
    Tcl_Obj *namesObj = Tcl_NewListObj(0, NULL), *listObj, *bytesObj;
    Tcl_Obj **pathv;
    Tcl_Size pathc = 0, i;
    int code;

    Tcl_IncrRefCount(namesObj);
    code = Tcl_FSMatchInDirectory(NULL, namesObj, dirObj, "*", &types);
    if (code == TCL_OK) {
	code = Tcl_ListObjGetElements(NULL, namesObj, &pathc, &pathv);
    }
    if (code != TCL_OK || pathc > TLS_MAX_DIR_FILES) {
	Tcl_DecrRefCount(namesObj);
	return TlsError(interp, Tcl_ObjPrintf("cannot use %s \"%s\": %s",
		option, Tcl_GetString(dirObj), code != TCL_OK
		? "cannot list the directory" : "more than 4096 files"),
		"FILE", option, NULL);
    }
    listObj = Tcl_NewListObj(0, NULL);
    Tcl_IncrRefCount(listObj);
    for (i = 0; i < pathc; i++) {
	if (TlsReadPath(interp, pathv[i], option, &bytesObj) != TCL_OK) {
	    Tcl_DecrRefCount(listObj);
	    Tcl_DecrRefCount(namesObj);
	    return TCL_ERROR;
	}
	Tcl_ListObjAppendElement(NULL, listObj, pathv[i]);
	Tcl_ListObjAppendElement(NULL, listObj, bytesObj);
	Tcl_DecrRefCount(bytesObj);		/* The list holds it now. */
    }
    Tcl_DecrRefCount(namesObj);
    *listPtr = listObj;
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsPathIsNative --
 *
 *	Whether a path lives in the native filesystem, where OpenSSL can
 *	open it itself (needed only where OpenSSL must find files on its
 *	own, as in a hashed -cadir). A path in a zipfs or tclvfs mount has
 *	no native form.
 *
 *----------------------------------------------------------------------
 */

int
TlsPathIsNative(
    Tcl_Obj *pathObj)
{
    return Tcl_FSGetNativePath(pathObj) != NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsCredBytes --
 *
 *	The bytes of a credential given either as a file (pathObj, read by
 *	TlsReadPath) or in memory (dataObj, a byte array); pathObj wins.
 *
 * Results:
 *	TCL_OK with *bytesPtr holding one reference the caller releases
 *	(NULL when neither is given), or TCL_ERROR {TLS FILE option}.
 *
 *----------------------------------------------------------------------
 */

int
TlsCredBytes(
    Tcl_Interp *interp,
    const char *option,
    Tcl_Obj *pathObj,
    Tcl_Obj *dataObj,
    Tcl_Obj **bytesPtr)
{
    if (pathObj != NULL) {
	return TlsReadPath(interp, pathObj, option, bytesPtr);
    }
    *bytesPtr = dataObj;
    if (dataObj != NULL) {
	Tcl_IncrRefCount(dataObj);
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsLooksPem, TlsBytesBio --
 *
 *	Whether credential bytes are PEM (they hold a "-----BEGIN " line;
 *	anything else is taken as DER); and a read-only memory BIO over
 *	them (NULL if out of memory), which the caller frees before it
 *	releases bytesObj.
 *
 *----------------------------------------------------------------------
 */

int
TlsLooksPem(
    Tcl_Obj *bytesObj)
{
    static const char mark[] = "-----BEGIN ";
    Tcl_Size len, i, n = (Tcl_Size) sizeof(mark) - 1;
    const unsigned char *bytes = Tcl_GetByteArrayFromObj(bytesObj, &len);

    for (i = 0; bytes != NULL && i + n <= len; i++) {
	if (bytes[i] == '-' && memcmp(bytes + i, mark, (size_t) n) == 0) {
	    return 1;
	}
    }
    return 0;
}

BIO *
TlsBytesBio(
    Tcl_Obj *bytesObj)
{
    Tcl_Size len;
    const unsigned char *bytes = Tcl_GetByteArrayFromObj(bytesObj, &len);

    if (bytes == NULL || len > TLS_MAX_CRED_BYTES) {
	return NULL;
    }
    return BIO_new_mem_buf(bytes, (int) len);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsSurveyPem --
 *
 *	Reads the PEM blocks of credential bytes (at most 256) and counts
 *	them by kind. Leaves the OpenSSL error queue empty.
 *
 *----------------------------------------------------------------------
 */

void
TlsSurveyPem(
    Tcl_Obj *bytesObj,
    TlsPemSurvey *surveyPtr)
{
    BIO *bio = TlsBytesBio(bytesObj);
    int i;

    memset(surveyPtr, 0, sizeof(TlsPemSurvey));
    for (i = 0; bio != NULL && i < 256; i++) {
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long len = 0;

	if (!PEM_read_bio(bio, &name, &header, &data, &len)) {
	    surveyPtr->broken = ERR_GET_REASON(ERR_peek_last_error())
		    != PEM_R_NO_START_LINE;
	    break;
	}
	if (strstr(name, "PRIVATE KEY") != NULL) {
	    surveyPtr->keys++;
	    if (strstr(name, "ENCRYPTED") != NULL
		    || strstr(header, "ENCRYPTED") != NULL) {
		surveyPtr->encrypted = 1;
	    }
	} else if (strstr(name, "CERTIFICATE") != NULL) {
	    surveyPtr->certs++;
	} else if (strcmp(name, "X509 CRL") == 0) {
	    surveyPtr->crls++;
	} else {
	    surveyPtr->others++;
	}
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(data);
    }
    BIO_free(bio);
    ERR_clear_error();
}

/*
 *----------------------------------------------------------------------
 *
 * TlsCredError --
 *
 *	The error for a credential that cannot be used: "cannot use -opt
 *	"path": problem" ({TLS FILE -opt reason}), or "cannot use -opt:
 *	problem" ({TLS OPTION -opt reason}) for a value given in memory
 *	(pathObj NULL). reasonObj is OpenSSL's reason (refcount 0 or more;
 *	may be empty), taken before anything else touched the error queue.
 *
 * Results:
 *	TCL_ERROR.
 *
 *----------------------------------------------------------------------
 */

int
TlsCredError(
    Tcl_Interp *interp,
    const char *option,
    Tcl_Obj *pathObj,
    const char *problem,
    Tcl_Obj *reasonObj)
{
    Tcl_Obj *msgObj = pathObj != NULL
	    ? Tcl_ObjPrintf("cannot use %s \"%s\": %s", option,
		    Tcl_GetString(pathObj), problem)
	    : Tcl_ObjPrintf("cannot use %s: %s", option, problem);
    int code;

    Tcl_IncrRefCount(reasonObj);
    code = TlsError(interp, msgObj, pathObj != NULL ? "FILE" : "OPTION",
	    option, Tcl_GetCharLength(reasonObj) > 0
		? Tcl_GetString(reasonObj) : NULL, NULL);
    Tcl_DecrRefCount(reasonObj);
    return code;
}
