/*
 * fuzz_common.h --
 *
 *	What the libFuzzer harnesses of the tls extension share: one Tcl
 *	interpreter with the package loaded (no sockets, no init.tcl), a
 *	test certificate and keys made once at start-up, and an in-memory
 *	channel type whose input is the fuzz data.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <tcl.h>

/*
 * The first byte of a handshake input selects how the bytes are served
 * and how the TLS channel is set up (fuzz_handshake.c; tests/fuzz.test
 * reads it the same way). Read sizes: fuzzChunkSizes below.
 */
#define FUZZ_MODE_NONBLOCK	0x01	/* -blocking 0 on the channel. */
#define FUZZ_MODE_EAGAIN	0x02	/* Every other read: EAGAIN. */
#define FUZZ_MODE_CHUNK_SHIFT	2	/* Bits 2-4: read size index. */
#define FUZZ_MODE_CHUNK_MASK	0x1c
#define FUZZ_MODE_COMMAND	0x20	/* Install the -command callback. */
#define FUZZ_MODE_REJECT	0x40	/* The verify callback says no. */
#define FUZZ_MODE_CBERROR	0x80	/* Every callback raises an error. */

typedef struct FuzzFiles {
    char dir[64];		/* The private directory, cwd-independent. */
    char cert[128];		/* Self-signed EC P-256 certificate, PEM. */
    char key[128];		/* Its key, PEM, unencrypted. */
    char encKey[128];		/* The same key, PEM, password "secret". */
    char caDir[128];		/* A directory holding cert.pem. */
} FuzzFiles;

/*
 * FuzzInterp: the interpreter (made on the first call, with Tls_Init and
 * the callback procedure ::fuzzcb). FuzzFilesGet: the test files.
 */
Tcl_Interp *		FuzzInterp(void);
const FuzzFiles *	FuzzFilesGet(void);

/*
 * A channel named fuzzN, registered in the interpreter, readable and
 * writable. Reads return the given bytes (copied) in pieces of
 * chunk bytes (0: all that is asked), then EOF; with eagain set, every
 * other read of a non-blocking channel fails with EAGAIN first. Writes
 * are accepted and dropped.
 */
Tcl_Channel		FuzzChannelNew(Tcl_Interp *interp,
			    const uint8_t *data, size_t size, int chunk,
			    int eagain);

/* Read sizes selected by FUZZ_MODE_CHUNK_MASK. */
extern const int	fuzzChunkSizes[8];

/* Run queued events (background errors) without waiting. */
void			FuzzDrainEvents(void);

/* Eval a script; abort() with a message if it is not TCL_OK. */
void			FuzzMustEval(Tcl_Interp *interp, const char *script);

#endif /* FUZZ_COMMON_H */
