/*
 * fuzz_x509.c --
 *
 *	libFuzzer harness: the certificate-to-dict code (TlsX509Dict, and
 *	the name and common-name helpers tls::status uses) fed whatever
 *	d2i_X509 accepts from arbitrary DER. A peer controls every byte of
 *	the certificates a handshake shows to the verify callback and to
 *	tls::status, so each field printer must cope with anything the
 *	parser lets through.
 *
 *	Input: DER bytes, as they would arrive in a Certificate message.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "fuzz_common.h"
#include "tlsInt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(
    const uint8_t *data,
    size_t size)
{
    const unsigned char *p = data;
    X509 *cert;
    Tcl_Obj *objs[4];
    Tcl_Obj *keyObj, *valueObj;
    Tcl_DictSearch search;
    int i, finished;

    (void) FuzzInterp();		/* Tcl's encodings, as in a real run. */
    if (size > 100000) {
	return 0;
    }
    cert = d2i_X509(NULL, &p, (long) size);
    if (cert == NULL) {
	ERR_clear_error();
	return 0;
    }
    objs[0] = TlsX509Dict(cert);
    objs[1] = TlsX509NameObj(X509_get_subject_name(cert));
    objs[2] = TlsX509NameObj(X509_get_issuer_name(cert));
    objs[3] = TlsX509CommonName(cert);
    for (i = 0; i < 4; i++) {
	Tcl_IncrRefCount(objs[i]);
    }

    /* Every value must be a valid Tcl string (UTF-8 conversion done). */
    if (Tcl_DictObjFirst(NULL, objs[0], &search, &keyObj, &valueObj,
	    &finished) == TCL_OK) {
	for (; !finished; Tcl_DictObjNext(&search, &keyObj, &valueObj,
		&finished)) {
	    (void) Tcl_GetCharLength(valueObj);
	}
	Tcl_DictObjDone(&search);
    }
    for (i = 0; i < 4; i++) {
	(void) Tcl_GetCharLength(objs[i]);
	Tcl_DecrRefCount(objs[i]);
    }
    X509_free(cert);
    if (ERR_peek_error() != 0) {
	/* TlsX509Dict promises to leave the error queue as it was. */
	ERR_print_errors_fp(stderr);
	abort();
    }
    return 0;
}
