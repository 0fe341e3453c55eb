/*
 * tlsConfigKey.c --
 *
 *	The context cache key of a parsed configuration, derived by walking
 *	the option table (tlsOptions.c): every row that configures the
 *	context adds one item, so no context option can be left out.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include "tlsOptSpec.h"
#include <stdlib.h>
#include <openssl/evp.h>

/*
 * The cache key of a context (TlsConfigKey) is one item per context row
 * that applies to the configuration's side, "name=length:value;" (the
 * length keeps a value from passing for the items after it), then the
 * environment OpenSSL reads when it builds a context.
 */

static void
KeyItem(
    Tcl_DString *keyPtr,
    const char *name,
    const char *value,
    Tcl_Size len)			/* -1: up to the NUL. */
{
    char buf[TCL_INTEGER_SPACE + 2];

    if (len < 0) {
	len = (Tcl_Size) strlen(value);
    }
    snprintf(buf, sizeof(buf), "=%ld:", (long) len);
    Tcl_DStringAppend(keyPtr, name, -1);
    Tcl_DStringAppend(keyPtr, buf, -1);
    Tcl_DStringAppend(keyPtr, value, len);
    Tcl_DStringAppend(keyPtr, ";", 1);
}

/*
 * KeyDigest --
 *	Key item of bytes given in memory: their SHA-256 in hex, so that
 *	credentials are keyed by content without keeping key bytes in the
 *	cache.
 */

static void
KeyDigest(
    Tcl_DString *keyPtr,
    const char *name,
    Tcl_Obj *objPtr)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    unsigned int mdLen = 0, i;
    const unsigned char *bytes;
    Tcl_Size len;

    bytes = objPtr != NULL ? Tcl_GetByteArrayFromObj(objPtr, &len) : NULL;
    if (bytes == NULL || !EVP_Digest(bytes, (size_t) len, md, &mdLen,
	    EVP_sha256(), NULL)) {
	mdLen = 0;
    }
    for (i = 0; i < mdLen; i++) {
	snprintf(hex + 2 * i, 3, "%02x", md[i]);
    }
    KeyItem(keyPtr, name, hex, (Tcl_Size) (2 * mdLen));
}

/*
 *----------------------------------------------------------------------
 *
 * KeyFile --
 *
 *	Key item of a file option: the file's identity (TlsFileIdentity,
 *	which checks the file), so that a file replaced on disk gives a new
 *	context; or, byContent, the SHA-256 of the file's bytes (a
 *	directory: its path as given), the same for a copy of the file on
 *	another host. Without -keyfile and -key the key is read from the
 *	-certfile, which the -keyfile item then stands for.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR {TLS FILE option} for an unusable file.
 *
 *----------------------------------------------------------------------
 */

static int
KeyFile(
    Tcl_Interp *interp,
    const OptSpec *specPtr,
    const TlsConfig *cfgPtr,
    int byContent,
    Tcl_DString *keyPtr)
{
    Tcl_Obj *pathObj = TlsOptObj(cfgPtr, specPtr);
    Tcl_DString id;

    if (pathObj == NULL && specPtr->offset == offsetof(TlsConfig, keyFile)
	    && cfgPtr->key == NULL) {
	pathObj = cfgPtr->certFile;
    }
    if (byContent && pathObj != NULL) {
	Tcl_Obj *bytesObj = NULL;

	if (specPtr->type == OPT_DIR) {
	    KeyItem(keyPtr, specPtr->name, Tcl_GetString(pathObj), -1);
	    return TCL_OK;
	}
	if (TlsReadPath(interp, pathObj, specPtr->name, &bytesObj) != TCL_OK) {
	    return TCL_ERROR;
	}
	KeyDigest(keyPtr, specPtr->name, bytesObj);
	Tcl_DecrRefCount(bytesObj);
	return TCL_OK;
    }
    Tcl_DStringInit(&id);
    if (pathObj != NULL && TlsFileIdentity(interp, specPtr->name, pathObj,
	    specPtr->type == OPT_DIR, &id) != TCL_OK) {
	Tcl_DStringFree(&id);
	return TCL_ERROR;
    }
    KeyItem(keyPtr, specPtr->name, Tcl_DStringValue(&id),
	    Tcl_DStringLength(&id));
    Tcl_DStringFree(&id);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * KeyRow --
 *
 *	Appends the key item of one row, the way its type says: a file's
 *	identity, a digest of DER bytes, whether a protocol version is in
 *	the range, an integer, or the string of any other value ("" when
 *	unset).
 *
 * Results:
 *	TCL_OK, or TCL_ERROR for a file that cannot be used.
 *
 *----------------------------------------------------------------------
 */

static int
KeyRow(
    Tcl_Interp *interp,
    const OptSpec *specPtr,
    const TlsConfig *cfgPtr,
    int byContent,
    Tcl_DString *keyPtr)
{
    char buf[TCL_INTEGER_SPACE];
    Tcl_Obj *valueObj;
    Tcl_Size len = 0;
    const char *value = "";

    switch (specPtr->type) {
    case OPT_FILE:
    case OPT_DIR:
	return KeyFile(interp, specPtr, cfgPtr, byContent, keyPtr);
    case OPT_DER:
    case OPT_DATA:
	KeyDigest(keyPtr, specPtr->name, TlsOptObj(cfgPtr, specPtr));
	return TCL_OK;
    case OPT_PROTO:
	KeyItem(keyPtr, specPtr->name,
		TlsOptProtoEnabled(cfgPtr, (int) specPtr->offset) ? "1" : "0", 1);
	return TCL_OK;
    case OPT_BOOL:
    case OPT_LEVEL:
    case OPT_MS:
	snprintf(buf, sizeof(buf), "%d", TlsOptInt(cfgPtr, specPtr));
	KeyItem(keyPtr, specPtr->name, buf, -1);
	return TCL_OK;
    case OPT_IGNORED:
	return TCL_OK;			/* No value is kept. */
    default:
	valueObj = TlsOptObj(cfgPtr, specPtr);
	if (valueObj != NULL) {
	    value = Tcl_GetStringFromObj(valueObj, &len);
	}
	KeyItem(keyPtr, specPtr->name, value, len);
	return TCL_OK;
    }
}

/*
 * KeyEnvironment --
 *	The key items of what OpenSSL takes from the environment: when the
 *	system store is used, where it is (SSL_CERT_FILE,
 *	SSL_CERT_DIR: a script may set them before a later import); and
 *	whether keys are logged (SSLKEYLOGFILE, TlsKeylogEnabled).
 */

static void
KeyEnvironment(
    const TlsConfig *cfgPtr,
    Tcl_DString *keyPtr)
{
    const char *names[2];
    int i, defaultStore = TlsUsesSystemCa(cfgPtr);

    names[0] = X509_get_default_cert_file_env();
    names[1] = X509_get_default_cert_dir_env();
    for (i = 0; i < 2 && defaultStore; i++) {
	const char *value = getenv(names[i]);

	if (value != NULL) {
	    KeyItem(keyPtr, names[i], value, -1);
	} else {
	    Tcl_DStringAppend(keyPtr, names[i], -1);	/* Unset: no "=". */
	    Tcl_DStringAppend(keyPtr, ";", 1);
	}
    }
    KeyItem(keyPtr, "SSLKEYLOGFILE", TlsKeylogEnabled() ? "1" : "0", 1);
}

/*
 * WalkRows --
 *	Appends the item of every row that configures the context and
 *	applies to the configuration's side, then the environment's, to
 *	*keyPtr (initialised here; freed again on error).
 */

static int
WalkRows(
    Tcl_Interp *interp,
    const TlsConfig *cfgPtr,
    int byContent,
    Tcl_DString *keyPtr)
{
    const OptSpec *specPtr;
    int side = cfgPtr->server ? SERVER : CLIENT;

    Tcl_DStringInit(keyPtr);
    for (specPtr = tlsOptionTable; specPtr->name != NULL; specPtr++) {
	if (specPtr->scope == CONTEXT && (specPtr->side & side)
		&& KeyRow(interp, specPtr, cfgPtr, byContent, keyPtr)
		!= TCL_OK) {
	    Tcl_DStringFree(keyPtr);
	    return TCL_ERROR;
	}
    }
    KeyEnvironment(cfgPtr, keyPtr);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConfigKey --
 *
 *	Computes the context cache key of a parsed configuration by walking
 *	the option table: every row that configures the context and applies
 *	to the configuration's side adds its item, so no context option can
 *	be left out of the key. Files are checked on the way, so a missing
 *	file is reported before anything is built.
 *
 * Results:
 *	TCL_OK with the key in *keyPtr (initialised here; the caller frees
 *	it with Tcl_DStringFree), or TCL_ERROR with *keyPtr freed.
 *
 *----------------------------------------------------------------------
 */

int
TlsConfigKey(
    Tcl_Interp *interp,
    const TlsConfig *cfgPtr,
    Tcl_DString *keyPtr)
{
    return WalkRows(interp, cfgPtr, 0, keyPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsConfigContentKey --
 *
 *	The same walk, but files count by their content, not their identity:
 *	two servers with copies of the same certificate, key and CA files
 *	(several hosts behind one name) get the same value. A server's
 *	session id context is derived from it (tlsSession.c), so that
 *	servers sharing -ticketkeys resume each other's sessions. Reads
 *	every file once: called when a server context is built.
 *
 * Results:
 *	TCL_OK with the SHA-256 of that key, in hex, as a new string owned
 *	by the caller (ckfree) in *hexPtr; or TCL_ERROR with *hexPtr NULL.
 *
 *----------------------------------------------------------------------
 */

int
TlsConfigContentKey(
    Tcl_Interp *interp,
    const TlsConfig *cfgPtr,
    char **hexPtr)
{
    Tcl_DString key, digest;
    Tcl_Obj *keyObj;

    *hexPtr = NULL;
    if (WalkRows(interp, cfgPtr, 1, &key) != TCL_OK) {
	return TCL_ERROR;
    }
    keyObj = Tcl_NewByteArrayObj((const unsigned char *)
	    Tcl_DStringValue(&key), Tcl_DStringLength(&key));
    Tcl_IncrRefCount(keyObj);
    Tcl_DStringFree(&key);
    Tcl_DStringInit(&digest);
    KeyDigest(&digest, "content", keyObj);
    Tcl_DecrRefCount(keyObj);
    *hexPtr = (char *) ckalloc(Tcl_DStringLength(&digest) + 1);
    memcpy(*hexPtr, Tcl_DStringValue(&digest), Tcl_DStringLength(&digest) + 1);
    Tcl_DStringFree(&digest);
    return TCL_OK;
}
