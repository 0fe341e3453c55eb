/*
 * tclalloc.c --
 *
 *	Routes Tcl's own memory allocator to the C library's malloc, so that
 *	AddressSanitizer, LeakSanitizer and valgrind see every ckalloc'd
 *	block (TlsConn, contexts, read-ahead buffers, hash entries, string
 *	representations) as a block of its own.
 *
 *	Why: Debian's libtcl8.6 is built with threads, so ckalloc goes to
 *	Tcl's per-thread "zippy" allocator, which carves small blocks out of
 *	large malloc'd chunks and keeps freed blocks on its own lists. A
 *	tool watching malloc then cannot see an overflow into the next
 *	block, a use after ckfree, or a leaked ckalloc block (the chunk
 *	stays reachable from Tcl's cache).
 *
 *	How: TclpAlloc, TclpFree and TclpRealloc are exported by libtcl8.6
 *	and every call to them, inside libtcl too, goes through the PLT, so
 *	a definition loaded earlier wins: LD_PRELOAD this file's shared
 *	object (tools/asan.sh, tools/valgrind.sh), or link it into an
 *	executable (the fuzz harnesses). Tcl_Obj structures themselves are
 *	still pooled by libtcl's internal TclThreadAllocObj, which cannot be
 *	replaced from outside: a leaked Tcl_Obj stays invisible.
 *
 *	When preloaded for AddressSanitizer, LD_PRELOAD names libasan too,
 *	and every program tclsh starts (openssl, mktemp, kill, ...) would
 *	inherit it and run under LeakSanitizer, failing on leaks of its own.
 *	So a wrapper that sets TCLALLOC_UNSET_PRELOAD=1 has the constructor
 *	below take LD_PRELOAD out of the environment once the dynamic loader
 *	has used it, before Tcl copies the environment into ::env. The
 *	wrapper puts it back for the tclsh children it starts itself.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include <stdlib.h>

char *TclpAlloc(unsigned int size);
void TclpFree(char *ptr);
char *TclpRealloc(char *ptr, unsigned int size);

char *
TclpAlloc(
    unsigned int size)
{
    return (char *) malloc(size ? size : 1);
}

void
TclpFree(
    char *ptr)
{
    free(ptr);
}

char *
TclpRealloc(
    char *ptr,
    unsigned int size)
{
    return (char *) realloc(ptr, size ? size : 1);
}

/*
 * UnsetPreload --
 *
 *	Runs when the shared object is loaded (see the top of this file).
 */

static void UnsetPreload(void) __attribute__((constructor));

static void
UnsetPreload(void)
{
    const char *flag = getenv("TCLALLOC_UNSET_PRELOAD");

    if (flag != NULL && flag[0] == '1') {
	unsetenv("LD_PRELOAD");
	unsetenv("TCLALLOC_UNSET_PRELOAD");
    }
}
