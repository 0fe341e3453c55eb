/*
 * tlsPlatform.h --
 *
 *	The few operating system services the extension needs that Tcl does
 *	not offer portably. generic/ calls only these; each platform has
 *	one file that provides them: unix/tlsUnix.c (POSIX) and
 *	win/tlsWin.c (Windows). A handle is what Tcl_GetChannelHandle gives
 *	for the channel below the TLS layer (a descriptor, or a SOCKET).
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#ifndef TLSPLATFORM_H
#define TLSPLATFORM_H

#include "tlsCompat.h"

/* Events for TlsPlatformWait. */
#define TLS_WAIT_READ	1
#define TLS_WAIT_WRITE	2

MODULE_SCOPE int	TlsPlatformWait(void *handle, int events, int ms);
MODULE_SCOPE int	TlsPlatformNoDelay(void *handle);
MODULE_SCOPE void	TlsPlatformSetNoDelay(void *handle, int on);
MODULE_SCOPE int	TlsPlatformPeerAddress(void *handle,
			    Tcl_DString *dsPtr);
MODULE_SCOPE int	TlsPlatformWasReset(void *handle);
MODULE_SCOPE void	TlsPlatformShutdown(void *handle);
MODULE_SCOPE void	TlsPlatformAppendSecret(const char *path,
			    const char *bytes, size_t length);

#endif /* TLSPLATFORM_H */
