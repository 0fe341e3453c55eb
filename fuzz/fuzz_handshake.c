/*
 * fuzz_handshake.c --
 *
 *	libFuzzer harness: the byte stream a TLS peer sends, arriving at a
 *	tls::import'ed channel. Compiled twice: with -DFUZZ_SERVER=1 the
 *	channel is a server (the input plays a client: ClientHello, client
 *	certificate, key exchange, ...), with -DFUZZ_SERVER=0 a client with
 *	-require 0 (the input plays a server: ServerHello, certificate
 *	chain, ...). What the channel writes back is dropped.
 *
 *	Input: one mode byte (FUZZ_MODE_* in fuzz_common.h: blocking or not,
 *	EAGAIN, read size, -command callback and its behaviour; for the
 *	client, EAGAIN on a blocking channel means -tls1.3 0), then the
 *	bytes of the stream. For each input the harness imports, drives
 *	tls::handshake until it finishes or fails, asks tls::status and
 *	tls::connection, reads, and closes; nothing stays behind but the
 *	shared context in tls's cache.
 *
 *	Besides the sanitizers it checks one promise of the manual: a
 *	failed handshake is a Tcl error whose errorCode starts with TLS.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_SERVER
#   define FUZZ_SERVER 1
#endif

/* Handshake steps for a non-blocking channel before giving up. */
#define MAX_STEPS 200

static void
CheckErrorCode(
    Tcl_Interp *interp,
    const char *what)
{
    Tcl_Obj *codeObj = Tcl_GetVar2Ex(interp, "::errorCode", NULL,
	    TCL_GLOBAL_ONLY);
    Tcl_Obj *first = NULL;

    if (codeObj == NULL
	    || Tcl_ListObjIndex(NULL, codeObj, 0, &first) != TCL_OK
	    || first == NULL || strcmp(Tcl_GetString(first), "TLS") != 0) {
	fprintf(stderr, "fuzz: %s failed with errorCode \"%s\": %s\n", what,
		codeObj ? Tcl_GetString(codeObj) : "(none)",
		Tcl_GetStringResult(interp));
	abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(
    const uint8_t *data,
    size_t size)
{
    Tcl_Interp *interp = FuzzInterp();
    const FuzzFiles *filesPtr = FuzzFilesGet();
    Tcl_Channel chan;
    Tcl_Obj *cmdObj;
    const char *name;
    char script[1024];
    int mode, step, code, done = 0;

    if (size < 1) {
	return 0;
    }
    mode = data[0];
    Tcl_SetVar2Ex(interp, "::fuzzMode", NULL, Tcl_NewIntObj(mode),
	    TCL_GLOBAL_ONLY);
    chan = FuzzChannelNew(interp, data + 1, size - 1,
	    fuzzChunkSizes[(mode & FUZZ_MODE_CHUNK_MASK)
		    >> FUZZ_MODE_CHUNK_SHIFT],
	    (mode & FUZZ_MODE_EAGAIN) != 0);
    name = Tcl_GetChannelName(chan);
    if (mode & FUZZ_MODE_NONBLOCK) {
	Tcl_SetChannelOption(NULL, chan, "-blocking", "0");
    }

#if FUZZ_SERVER
    snprintf(script, sizeof(script),
	    "tls::import %s -server 1 -certfile {%s} -keyfile {%s}"
	    " -request 1 -require 0 -cafile {%s} -alpn {h2 http/1.1}%s",
	    name, filesPtr->cert, filesPtr->key, filesPtr->cert,
	    (mode & FUZZ_MODE_COMMAND) ? " -command ::fuzzcb" : "");
#else
    /*
     * EAGAIN without NONBLOCK means nothing for the channel; the client
     * takes it as "TLS 1.2 only", so that recorded TLS 1.2 server
     * flights pass the downgrade check a TLS 1.3 client makes (RFC 8446
     * 4.1.3) and reach the certificate chain.
     */
    snprintf(script, sizeof(script),
	    "tls::import %s -require 0 -cafile {%s} -servername localhost"
	    " -alpn {h2 http/1.1}%s%s",
	    name, filesPtr->cert,
	    (mode & FUZZ_MODE_COMMAND) ? " -command ::fuzzcb" : "",
	    (mode & (FUZZ_MODE_NONBLOCK | FUZZ_MODE_EAGAIN))
		    == FUZZ_MODE_EAGAIN ? " -tls1.3 0" : "");
#endif
    if (Tcl_Eval(interp, script) != TCL_OK) {
	fprintf(stderr, "fuzz: import failed: %s\n",
		Tcl_GetStringResult(interp));
	abort();
    }

    cmdObj = Tcl_NewListObj(0, NULL);
    Tcl_IncrRefCount(cmdObj);
    Tcl_ListObjAppendElement(NULL, cmdObj,
	    Tcl_NewStringObj("tls::handshake", -1));
    Tcl_ListObjAppendElement(NULL, cmdObj, Tcl_NewStringObj(name, -1));
    for (step = 0; step < MAX_STEPS && !done; step++) {
	code = Tcl_EvalObjEx(interp, cmdObj, 0);
	if (code != TCL_OK) {
	    CheckErrorCode(interp, "tls::handshake");
	    break;
	}
	Tcl_GetBooleanFromObj(NULL, Tcl_GetObjResult(interp), &done);
	if (!(mode & FUZZ_MODE_NONBLOCK)) {
	    break;		/* Blocking: one call finishes or fails. */
	}
    }
    Tcl_DecrRefCount(cmdObj);

    /* What a script would ask next; all may fail, none may crash. */
    snprintf(script, sizeof(script),
	    "catch {tls::status %s}; catch {tls::status -local %s};"
	    " catch {tls::connection %s}; catch {read %s 100000}",
	    name, name, name, name);
    Tcl_Eval(interp, script);
    snprintf(script, sizeof(script), "catch {close %s}", name);
    Tcl_Eval(interp, script);
    Tcl_ResetResult(interp);
    FuzzDrainEvents();
    return 0;
}
