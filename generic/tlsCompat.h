/*
 * tlsCompat.h --
 *
 *	The only place for version conditionals: Tcl 8.6 versus Tcl 9, and
 *	OpenSSL feature tests. Every other file includes this through tlsInt.h
 *	and uses the names defined here without #if.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#ifndef TLSCOMPAT_H
#define TLSCOMPAT_H

#include <tcl.h>
#include <openssl/ssl.h>
#include <openssl/opensslv.h>

#if OPENSSL_VERSION_NUMBER < 0x30000000L
#   error "tls needs OpenSSL 3.0 or newer"
#endif

/*
 * Tcl 9 measures lengths in Tcl_Size; 8.6.13 headers lack the type.
 */
#if TCL_MAJOR_VERSION < 9
#   ifndef TCL_SIZE_MAX
typedef int Tcl_Size;
#	define TCL_SIZE_MAX INT_MAX
#   endif
#   define TLS_TCL_VERSIONS "8.6"
#else
#   define TLS_TCL_VERSIONS "8.6-10"
#endif

/*
 * OpenSSL 3.3 added the Y2038-safe SSL_SESSION_get_time_ex; 3.4 deprecated
 * the old one.
 */
#if OPENSSL_VERSION_NUMBER >= 0x30300000L
#   define TLS_SESSION_GET_TIME(s) SSL_SESSION_get_time_ex(s)
#else
#   define TLS_SESSION_GET_TIME(s) SSL_SESSION_get_time(s)
#endif

/*
 * OpenSSL 3.5 names the peer's signature scheme; older versions report
 * only its key type and digest (tlsGroups.c names those itself).
 */
#ifdef SSL_get0_peer_signature_name
#   define TLS_PEER_SIGALG_NAME(s, namePtr) \
	SSL_get0_peer_signature_name((s), (namePtr))
#else
#   define TLS_PEER_SIGALG_NAME(s, namePtr) ((void) (s), (void) (namePtr), 0)
#endif

/*
 * Before OpenSSL 3.0.14, 3.1.6, 3.2.2 and 3.3.1, SSL_free_buffers could
 * free a read buffer that still held part of a record (CVE-2024-4741).
 * TlsFreeBuffersSafe tells whether the library running now is fixed (the
 * one we were built with may be older or newer).
 */
static inline int
TlsFreeBuffersSafe(void)
{
    unsigned long v = OpenSSL_version_num();	/* 0xMNN00PP0 */
    unsigned long major = (v >> 28) & 0xf, minor = (v >> 20) & 0xff;
    unsigned long patch = (v >> 4) & 0xff;

    if (major != 3) {
	return major > 3;
    }
    switch (minor) {
    case 0:
	return patch >= 14;
    case 1:
	return patch >= 6;
    case 2:
	return patch >= 2;
    case 3:
	return patch >= 1;
    default:
	return 1;
    }
}

/*
 * Internal functions: extern to the library's files, and not exported
 * from it (the build hides every symbol Tcl's DLLEXPORT does not mark:
 * -fvisibility=hidden, and on Windows only marked symbols are exported).
 */
#ifndef MODULE_SCOPE
#   define MODULE_SCOPE extern
#endif

/*
 * Tcl 9 names unused parameters with TCL_UNUSED; 8.6 lacks it. Parameters
 * must have names in C99, so give each a unique one.
 */
#ifndef TCL_UNUSED
#   define TLS_CONCAT2(a, b) a##b
#   define TLS_CONCAT(a, b) TLS_CONCAT2(a, b)
#   define TCL_UNUSED(T) \
	T TLS_CONCAT(unused, __COUNTER__) __attribute__((unused))
#endif

/*
 * The argument of a Tcl_FreeProc: char * in 8.6, void * in 9.
 */
#if TCL_MAJOR_VERSION < 9
typedef char *TlsFreeArg;
#else
typedef void *TlsFreeArg;
#endif

/*
 * Tcl 9 removed the old close and seek slots; channel type version 5 with
 * a close2Proc works on both.
 */
#define TLS_CHANNEL_VERSION TCL_CHANNEL_VERSION_5

#ifndef TCL_CLOSE2PROC
#   define TCL_CLOSE2PROC ((Tcl_DriverCloseProc *) 1)
#endif

#endif /* TLSCOMPAT_H */
