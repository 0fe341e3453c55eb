/*
 * tlsPassword.c --
 *
 *	The passphrase of an encrypted private key: OpenSSL's password
 *	callback runs the -password script (or ::tls::password) once per key
 *	load, keeps the answer for a second ask during the same load, and
 *	wipes it afterwards. A failing script's error is kept for the
 *	command being run to raise (TlsPasswordError, which tlsCreds.c and
 *	tlsPkcs12.c call).
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"

/*
 *----------------------------------------------------------------------
 *
 * TlsPasswordInit, TlsPasswordFree --
 *
 *	Set up the password state of one key load, and release it: the
 *	password is wiped, the callback's error dropped.
 *
 *----------------------------------------------------------------------
 */

void
TlsPasswordInit(
    TlsPasswordData *pwPtr,
    Tcl_Interp *interp,
    Tcl_Obj *script)
{
    memset(pwPtr, 0, sizeof(TlsPasswordData));
    pwPtr->interp = interp;
    pwPtr->script = script;
}

void
TlsPasswordFree(
    TlsPasswordData *pwPtr)
{
    if (pwPtr->password != NULL) {
	OPENSSL_cleanse(pwPtr->password, (size_t) pwPtr->length);
	ckfree(pwPtr->password);
	pwPtr->password = NULL;
    }
    if (pwPtr->errorObj != NULL) {
	Tcl_DecrRefCount(pwPtr->errorObj);
	pwPtr->errorObj = NULL;
    }
    if (pwPtr->errorInfo != NULL) {
	Tcl_DecrRefCount(pwPtr->errorInfo);
	pwPtr->errorInfo = NULL;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * AskPassword --
 *
 *	Runs the -password callback (or ::tls::password if defined) once:
 *	its result is kept in pwPtr->password, or its error in
 *	pwPtr->errorObj and errorInfo for the command being run to raise.
 *
 *----------------------------------------------------------------------
 */

static void
AskPassword(
    TlsPasswordData *pwPtr)
{
    Tcl_Obj *prefix = pwPtr->script, *resObj = NULL, *optsObj = NULL;
    Tcl_Obj *keyObj;
    Tcl_CmdInfo info;
    const char *pw;
    Tcl_Size len;

    if (prefix == NULL) {
	if (!Tcl_GetCommandInfo(pwPtr->interp, "::tls::password", &info)) {
	    return;
	}
	prefix = Tcl_NewStringObj("::tls::password", -1);
    }
    Tcl_IncrRefCount(prefix);
    if (TlsCallbackEval(pwPtr->interp, prefix, 0, NULL, 0, &resObj, &optsObj)
	    != TCL_OK) {
	pwPtr->errorObj = resObj;	/* Takes TlsCallbackEval's reference. */
	keyObj = Tcl_NewStringObj("-errorinfo", -1);
	Tcl_IncrRefCount(keyObj);
	Tcl_DictObjGet(NULL, optsObj, keyObj, &pwPtr->errorInfo);
	if (pwPtr->errorInfo != NULL) {
	    Tcl_IncrRefCount(pwPtr->errorInfo);
	}
	Tcl_DecrRefCount(keyObj);
    } else {
	pw = Tcl_GetStringFromObj(resObj, &len);
	pwPtr->length = (int) len;
	pwPtr->password = ckalloc(len + 1);
	memcpy(pwPtr->password, pw, (size_t) len + 1);
	if (!Tcl_IsShared(resObj)) {
	    /* Ours alone: wipe the secret before Tcl reuses the memory. */
	    OPENSSL_cleanse((void *) pw, (size_t) len);
	}
	Tcl_DecrRefCount(resObj);
    }
    Tcl_DecrRefCount(optsObj);
    Tcl_DecrRefCount(prefix);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsPasswordCallback --
 *
 *	OpenSSL needs the password of an encrypted private key. The
 *	callback is asked the first time (AskPassword); OpenSSL may ask
 *	again while it tries other decoders, and gets the same answer.
 *
 * Results:
 *	Length of the password copied into buf, or -1 for none.
 *
 *----------------------------------------------------------------------
 */

int
TlsPasswordCallback(
    char *buf,
    int size,
    TCL_UNUSED(int),
    void *userdata)
{
    TlsPasswordData *pwPtr = (TlsPasswordData *) userdata;
    int len;

    if (pwPtr == NULL || pwPtr->interp == NULL) {
	return -1;
    }
    if (!pwPtr->called) {
	pwPtr->called = 1;
	AskPassword(pwPtr);
    }
    if (pwPtr->password == NULL || size <= 0) {
	return -1;
    }
    len = pwPtr->length < size ? pwPtr->length : size - 1;
    memcpy(buf, pwPtr->password, (size_t) len);
    buf[len] = '\0';
    return len;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsPasswordError --
 *
 *	The error for a key (or PKCS#12 bundle) that did not open after the
 *	password callback was asked: the callback failed ({TLS KEY
 *	CALLBACK}, its errorInfo kept), -password names no command ({TLS
 *	OPTION -password}), no password was given for an encrypted key
 *	({TLS KEY ENCRYPTED}), or the password is wrong ({TLS KEY
 *	PASSWORD}). option and pathObj (NULL for a value in memory) name
 *	the source.
 *
 * Results:
 *	TCL_ERROR.
 *
 *----------------------------------------------------------------------
 */

int
TlsPasswordError(
    Tcl_Interp *interp,
    TlsPasswordData *pwPtr,
    const char *option,
    Tcl_Obj *pathObj)
{
    const char *path = pathObj != NULL ? Tcl_GetString(pathObj) : NULL;
    int bundle = strncmp(option, "-pkcs12", 7) == 0;
    Tcl_Obj *whereObj = path != NULL ? Tcl_ObjPrintf("in \"%s\"", path)
	    : Tcl_ObjPrintf("of %s", option);
    Tcl_Obj *firstObj = NULL;
    Tcl_CmdInfo info;
    int code;

    Tcl_IncrRefCount(whereObj);
    if (pwPtr->script != NULL) {
	Tcl_ListObjIndex(NULL, pwPtr->script, 0, &firstObj);
    }
    if (firstObj != NULL
	    && !Tcl_GetCommandInfo(interp, Tcl_GetString(firstObj), &info)) {
	code = TlsError(interp, Tcl_ObjPrintf("-password \"%s\" is not a "
		"command: give a command that returns the password, such as "
		"-password {set ::keyPassword}",
		Tcl_GetString(pwPtr->script)), "OPTION", "-password", NULL);
    } else if (pwPtr->errorObj != NULL) {
	code = TlsError(interp, Tcl_ObjPrintf("-password callback failed "
		"for the private key %s: %s", Tcl_GetString(whereObj),
		Tcl_GetString(pwPtr->errorObj)), "KEY", "CALLBACK", NULL);
	if (pwPtr->errorInfo != NULL) {
	    Tcl_AppendObjToErrorInfo(interp, Tcl_ObjPrintf(
		    "\n    (in the -password callback)\n%s",
		    Tcl_GetString(pwPtr->errorInfo)));
	}
    } else if (pwPtr->length == 0) {
	code = TlsError(interp, Tcl_ObjPrintf("the private key %s is "
		"encrypted: give -password", Tcl_GetString(whereObj)),
		"KEY", "ENCRYPTED", NULL);
    } else if (path != NULL && !bundle) {
	code = TlsError(interp, Tcl_ObjPrintf("cannot load private key from "
		"\"%s\": wrong password", path), "KEY", "PASSWORD", NULL);
    } else {
	code = TlsError(interp, path != NULL ? Tcl_ObjPrintf("cannot use %s "
		"\"%s\": wrong password", option, path) : Tcl_ObjPrintf(
		"cannot use %s: wrong password", option), "KEY", "PASSWORD",
		NULL);
    }
    Tcl_DecrRefCount(whereObj);
    ERR_clear_error();
    return code;
}
