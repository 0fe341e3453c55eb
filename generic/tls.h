/*
 * tls.h --
 *
 *	Public entry points of the tls extension: what `load` calls.
 */

#ifndef TLS_H
#define TLS_H

#include <tcl.h>

#ifndef TLS_EXTERN
#   define TLS_EXTERN extern __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

TLS_EXTERN int Tls_Init(Tcl_Interp *interp);
TLS_EXTERN int Tls_SafeInit(Tcl_Interp *interp);

#ifdef __cplusplus
}
#endif

#endif /* TLS_H */
