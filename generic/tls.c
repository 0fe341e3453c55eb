/*
 * tls.c --
 *
 *	Package entry points: Tcl stubs and OpenSSL set-up, and the command
 *	table of the ::tls namespace.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"

#ifndef PACKAGE_VERSION
#   define PACKAGE_VERSION "0.0"
#endif

typedef struct CmdSpec {
    const char *name;
    Tcl_ObjCmdProc *proc;
} CmdSpec;

/*
 * The manual's names first; then the spellings TclTLS 2.0 uses for the
 * same commands, accepted so its scripts run unchanged.
 */
static const CmdSpec commands[] = {
    {"::tls::init",		TlsInitCmd},
    {"::tls::import",		TlsImportCmd},
    {"::tls::unimport",		TlsUnimportCmd},
    {"::tls::handshake",	TlsHandshakeCmd},
    {"::tls::status",		TlsStatusCmd},
    {"::tls::connection",	TlsConnectionCmd},
    {"::tls::ciphers",		TlsCiphersCmd},
    {"::tls::protocols",	TlsProtocolsCmd},
    {"::tls::version",		TlsVersionCmd},
    {"::tls::groups",		TlsGroupsCmd},
    {"::tls::exportkey",	TlsExportKeyCmd},
    {"::tls::channelbinding",	TlsChannelBindingCmd},
    {"::tls::session",		TlsSessionCmd},
    {"::tls::ticketkey",	TlsTicketKeyCmd},
    {"::tls::CheckOptions",	TlsCheckOptionsCmd},
    {"::tls::ParseOptions",	TlsParseOptionsCmd},
    {"::tls::starttls",		TlsImportCmd},
    {"::tls::unstack",		TlsUnimportCmd},
    {NULL, NULL}
};

/*
 *----------------------------------------------------------------------
 *
 * Tls_Init --
 *
 *	Loads the package into an interpreter.
 *
 * Results:
 *	TCL_OK or TCL_ERROR.
 *
 * Side effects:
 *	Initialises OpenSSL (once per process, OpenSSL makes that safe) and
 *	creates the ::tls commands.
 *
 *----------------------------------------------------------------------
 */

int
Tls_Init(
    Tcl_Interp *interp)
{
    const CmdSpec *cmdPtr;

    if (Tcl_InitStubs(interp, TLS_TCL_VERSIONS, 0) == NULL) {
	return TCL_ERROR;
    }
    if (!OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS
	    | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL)) {
	return TlsErrorOpenSSL(interp, "cannot initialise OpenSSL",
		"CONTEXT", NULL);
    }
    (void) TlsExIndex();
    TlsContextSetHooks(TlsHooksTable());
    if (Tcl_FindNamespace(interp, "::tls", NULL, 0) == NULL
	    && Tcl_CreateNamespace(interp, "::tls", NULL, NULL) == NULL) {
	return TCL_ERROR;
    }
    for (cmdPtr = commands; cmdPtr->name != NULL; cmdPtr++) {
	Tcl_CreateObjCommand(interp, cmdPtr->name, cmdPtr->proc, NULL, NULL);
    }
    return Tcl_PkgProvide(interp, TLS_PACKAGE_NAME, PACKAGE_VERSION);
}

/*
 *----------------------------------------------------------------------
 *
 * Tls_SafeInit --
 *
 *	Loads the package into a safe interpreter: the same commands, but
 *	options that name files are refused there (see tlsOptions.c).
 *
 *----------------------------------------------------------------------
 */

int
Tls_SafeInit(
    Tcl_Interp *interp)
{
    return Tls_Init(interp);
}
