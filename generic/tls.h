/*
 * tls.h --
 *
 *	Public entry points of the tls extension: what `load` calls.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#ifndef TLS_H
#define TLS_H

#include <tcl.h>

/*
 * Tcl's convention for a loadable library: while building it (BUILD_tls),
 * EXTERN exports; for a program that links it, EXTERN imports.
 */
#ifdef BUILD_tls
#   undef TCL_STORAGE_CLASS
#   define TCL_STORAGE_CLASS DLLEXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

EXTERN int Tls_Init(Tcl_Interp *interp);
EXTERN int Tls_SafeInit(Tcl_Interp *interp);

#ifdef __cplusplus
}
#endif

#endif /* TLS_H */
