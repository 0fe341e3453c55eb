/*
 * tlsOptSpec.h --
 *
 *	The shape of the option table (tlsOptions.c), shared with the file
 *	that derives the context cache key from it (tlsConfigKey.c). Private
 *	to those two files.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#ifndef _TLSOPTSPEC_H
#define _TLSOPTSPEC_H

typedef enum OptType {
    OPT_BOOL,			/* int field, Tcl boolean. */
    OPT_LEVEL,			/* int field, 0..5. */
    OPT_MS,			/* int field, milliseconds >= 0. */
    OPT_PROTO,			/* Protocol bit in protoOn/protoOff. */
    OPT_IGNORED,		/* Accepted for tls::socket, boolean. */
    OPT_STRING,			/* Tcl_Obj field, "" means unset. */
    OPT_FILE,			/* Tcl_Obj field, "" means unset; a file. */
    OPT_DIR,			/* Tcl_Obj field, "" means unset; a
				 * directory. */
    OPT_DER,			/* Tcl_Obj field, byte array: PEM or DER. */
    OPT_DATA,			/* Tcl_Obj field, byte array. */
    OPT_URI,			/* Tcl_Obj field, an OpenSSL store URI. */
    OPT_SCRIPT,			/* Tcl_Obj field, a command prefix. */
    OPT_LIST			/* Tcl_Obj field, a proper list. */
} OptType;

/* The types from OPT_STRING on keep a Tcl_Obj (one reference) or NULL. */
#define OPT_HOLDS_OBJ(t) ((t) >= OPT_STRING)

/* Options that name files: refused in safe interpreters. */
#define OPT_TOUCHES_FILES(t) \
	((t) == OPT_FILE || (t) == OPT_DIR || (t) == OPT_URI)

/* Which side an option applies to: a bit mask. */
#define CLIENT	1
#define SERVER	2
#define BOTH	(CLIENT | SERVER)

/* What an option configures. */
typedef enum OptScope {
    CONTEXT,			/* The SSL_CTX (TlsBuildContext): part of
				 * the cache key (TlsConfigKey). */
    CONN,			/* Each connection: its SSL and TlsConn. */
    SCRIPT,			/* The commands themselves: tls::import,
				 * tls::socket (tls.tcl). */
    UNUSED			/* Accepted; configures nothing. */
} OptScope;

/* A check of a value beyond its type, in the file that uses the value. */
typedef int (CheckProc)(Tcl_Interp *interp, Tcl_Obj *valueObj);

typedef struct OptSpec {
    const char *name;
    OptType type;
    int side;			/* CLIENT and/or SERVER. */
    OptScope scope;
    size_t offset;		/* Field in TlsConfig; for OPT_PROTO the
				 * protocol bit instead. */
    CheckProc *check;		/* For a Tcl_Obj field, or NULL. */
} OptSpec;

/* The table, ended by a row whose name is NULL. */
extern const OptSpec tlsOptionTable[];

/*
 * TlsOptInt, TlsOptObj --
 *	Read the TlsConfig field of a row: an int (OPT_BOOL, OPT_LEVEL,
 *	OPT_MS) or a Tcl_Obj pointer (OPT_HOLDS_OBJ types; the config owns
 *	the reference, the caller gets none).
 */

static inline int
TlsOptInt(
    const TlsConfig *cfgPtr,
    const OptSpec *specPtr)
{
    return *(const int *)((const char *) cfgPtr + specPtr->offset);
}

static inline Tcl_Obj *
TlsOptObj(
    const TlsConfig *cfgPtr,
    const OptSpec *specPtr)
{
    return *(Tcl_Obj *const *)((const char *) cfgPtr + specPtr->offset);
}

int TlsOptProtoEnabled(const TlsConfig *cfgPtr, int bit);

#endif /* _TLSOPTSPEC_H */
