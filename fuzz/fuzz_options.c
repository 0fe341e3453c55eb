/*
 * fuzz_options.c --
 *
 *	libFuzzer harness: the option parser fed arbitrary argument lists,
 *	directly (TlsConfigParse, TlsConfigFree) and through tls::import
 *	and tls::init, which also build the SSL context the options ask
 *	for (files, keys, ciphers, protocol range) and reject bad ones.
 *
 *	Input: the words of the argument list separated by NUL bytes. A
 *	word starting with byte 0x01 is a byte array of the bytes after it
 *	(DER values for -cert and -key); any other word is UTF-8 text. Every
 *	"/" in a text word becomes "_", so that file names can only name the
 *	files of the harness's own directory (its working directory): cert.pem,
 *	key.pem, enc.pem (encrypted, password "secret") and the directory
 *	ca. Scripts given as -password or -command run in an interpreter
 *	that has only the tls commands and a few harmless ones (set, list,
 *	return, error, concat), so fuzz data cannot run other commands.
 *
 *	Checks: no sanitizer report, and every error has an errorCode that
 *	starts with TLS.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "fuzz_common.h"
#include "tlsInt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_WORDS 64

static const char *keepCommands[] = {
    "set", "list", "return", "error", "concat",
    "fuzzbg",			/* The (empty) background error handler. */
    NULL
};

/*
 * Setup --
 *
 *	Once: working directory = the harness's files, and every global
 *	command not in keepCommands deleted (rename last).
 */

static Tcl_Interp *
Setup(void)
{
    static int done = 0;
    Tcl_Interp *interp = FuzzInterp();
    Tcl_Obj *listObj;
    Tcl_Size n, i;
    Tcl_Obj **names;
    int k, keep;

    if (done) {
	return interp;
    }
    done = 1;
    if (chdir(FuzzFilesGet()->dir) != 0) {
	abort();
    }
    FuzzMustEval(interp, "info commands ::*");
    listObj = Tcl_GetObjResult(interp);
    Tcl_IncrRefCount(listObj);
    Tcl_ListObjGetElements(NULL, listObj, &n, &names);
    for (i = 0; i < n; i++) {
	const char *name = Tcl_GetString(names[i]) + 2;	/* Skip "::". */

	for (keep = 0, k = 0; keepCommands[k] != NULL; k++) {
	    keep |= strcmp(name, keepCommands[k]) == 0;
	}
	if (!keep) {
	    Tcl_DeleteCommand(interp, Tcl_GetString(names[i]));
	}
    }
    Tcl_DecrRefCount(listObj);
    Tcl_ResetResult(interp);
    return interp;
}

static Tcl_Obj *
WordObj(
    const uint8_t *bytes,
    size_t len)
{
    Tcl_DString ds;
    Tcl_Obj *objPtr;
    char *p;

    if (len > 0 && bytes[0] == 0x01) {
	return Tcl_NewByteArrayObj(bytes + 1, (Tcl_Size) len - 1);
    }
    Tcl_ExternalToUtfDString(NULL, (const char *) bytes, (Tcl_Size) len,
	    &ds);
    for (p = Tcl_DStringValue(&ds); *p != '\0'; p++) {
	if (*p == '/') {
	    *p = '_';
	}
    }
    objPtr = Tcl_NewStringObj(Tcl_DStringValue(&ds), Tcl_DStringLength(&ds));
    Tcl_DStringFree(&ds);
    return objPtr;
}

static void
CheckError(
    Tcl_Interp *interp,
    const char *what)
{
    Tcl_Obj *optsObj = Tcl_GetReturnOptions(interp, TCL_ERROR);
    Tcl_Obj *keyObj = Tcl_NewStringObj("-errorcode", -1);
    Tcl_Obj *codeObj = NULL, *first = NULL;

    Tcl_IncrRefCount(optsObj);
    Tcl_IncrRefCount(keyObj);
    Tcl_DictObjGet(NULL, optsObj, keyObj, &codeObj);
    if (codeObj == NULL
	    || Tcl_ListObjIndex(NULL, codeObj, 0, &first) != TCL_OK
	    || first == NULL || strcmp(Tcl_GetString(first), "TLS") != 0) {
	fprintf(stderr, "fuzz: %s: errorCode \"%s\" for \"%s\"\n", what,
		codeObj ? Tcl_GetString(codeObj) : "",
		Tcl_GetStringResult(interp));
	abort();
    }
    Tcl_DecrRefCount(keyObj);
    Tcl_DecrRefCount(optsObj);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(
    const uint8_t *data,
    size_t size)
{
    Tcl_Interp *interp = Setup();
    Tcl_Obj *objv[MAX_WORDS + 2];
    Tcl_Channel chan;
    TlsConfig cfg;
    size_t start = 0, i;
    int objc = 2, k, code;

    if (size > 4096) {
	return 0;
    }
    for (i = 0; i <= size && objc < MAX_WORDS + 2; i++) {
	if (i == size || data[i] == 0) {
	    objv[objc++] = WordObj(data + start, i - start);
	    start = i + 1;
	}
    }
    for (k = 2; k < objc; k++) {
	Tcl_IncrRefCount(objv[k]);
    }

    /* The parser alone. */
    TlsConfigInit(&cfg);
    if (TlsConfigParse(interp, objc - 2, objv + 2, &cfg) != TCL_OK) {
	CheckError(interp, "TlsConfigParse");
    }
    TlsConfigFree(&cfg);
    Tcl_ResetResult(interp);

    /* tls::import on a channel with nothing to read. */
    chan = FuzzChannelNew(interp, (const uint8_t *) "", 0, 0, 0);
    objv[0] = Tcl_NewStringObj("tls::import", -1);
    objv[1] = Tcl_NewStringObj(Tcl_GetChannelName(chan), -1);
    Tcl_IncrRefCount(objv[0]);
    Tcl_IncrRefCount(objv[1]);
    code = Tcl_EvalObjv(interp, objc, objv, TCL_EVAL_GLOBAL);
    if (code == TCL_ERROR) {
	CheckError(interp, "tls::import");
    }
    Tcl_UnregisterChannel(interp, chan);	/* Closes both layers. */
    Tcl_DecrRefCount(objv[0]);
    Tcl_DecrRefCount(objv[1]);

    /* tls::init checks the same way, then sets ::tls::defaults. */
    objv[1] = Tcl_NewStringObj("tls::init", -1);
    Tcl_IncrRefCount(objv[1]);
    code = Tcl_EvalObjv(interp, objc - 1, objv + 1, TCL_EVAL_GLOBAL);
    if (code == TCL_ERROR) {
	CheckError(interp, "tls::init");
    }
    Tcl_DecrRefCount(objv[1]);
    for (k = 2; k < objc; k++) {
	Tcl_DecrRefCount(objv[k]);
    }
    Tcl_ResetResult(interp);
    FuzzDrainEvents();
    return 0;
}
