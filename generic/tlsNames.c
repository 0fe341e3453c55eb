/*
 * tlsNames.c --
 *
 *	The names a certificate is for, in the forms tls::status and the
 *	error messages use: the subject's common name and the DNS names
 *	and IP addresses of its subjectAltName; and whether a host given
 *	to -servername is an IP literal (checked against the certificate's
 *	addresses, never sent as SNI); and UTF-8 text from OpenSSL as Tcl
 *	strings.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include <stdio.h>
#include <openssl/x509v3.h>

/* "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" plus NUL is 46. */
#define TLS_IP_TEXT	48

/*
 *----------------------------------------------------------------------
 *
 * TlsUtf8Obj --
 *
 *	Makes a Tcl string from UTF-8 bytes that OpenSSL hands out. They
 *	go through Tcl's utf-8 encoding rather than straight into
 *	Tcl_NewStringObj because Tcl's internal form differs from UTF-8:
 *	NUL is two bytes, and Tcl 8.6 keeps characters above U+FFFF as
 *	surrogate pairs. Invalid bytes become the characters of the same
 *	value, as everywhere in Tcl 8.
 *
 * Results:
 *	A new string object, refcount 0; empty when bytes is NULL.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
TlsUtf8Obj(
    const char *bytes,		/* UTF-8 text, need not end in NUL. */
    Tcl_Size length)		/* Bytes to take, or -1 up to the NUL. */
{
    Tcl_Encoding utf8;
    Tcl_DString ds;
    Tcl_Obj *resultObj;

    if (bytes == NULL) {
	return Tcl_NewObj();
    }
    utf8 = Tcl_GetEncoding(NULL, "utf-8");
    Tcl_ExternalToUtfDString(utf8, bytes, length, &ds);
    resultObj = Tcl_NewStringObj(Tcl_DStringValue(&ds),
	    Tcl_DStringLength(&ds));
    Tcl_DStringFree(&ds);
    Tcl_FreeEncoding(utf8);
    return resultObj;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsX509CommonName --
 *
 *	Finds the subject's common name. With several CN entries the last
 *	one in the certificate wins: it is the most specific (the first
 *	in RFC 2253 order).
 *
 * Results:
 *	A new string object, refcount 0; empty without a CN.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
TlsX509CommonName(
    const X509 *cert)		/* Certificate; not freed. */
{
    const X509_NAME *namePtr;
    const ASN1_STRING *dataPtr;
    unsigned char *utf8 = NULL;
    int idx = -1, next, length;
    Tcl_Obj *resultObj;

    if (cert == NULL) {
	return Tcl_NewObj();
    }
    namePtr = X509_get_subject_name(cert);
    while ((next = X509_NAME_get_index_by_NID(namePtr, NID_commonName,
	    idx)) >= 0) {
	idx = next;
    }
    if (idx < 0) {
	return Tcl_NewObj();
    }
    dataPtr = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(namePtr, idx));

    /* ASN1_STRING_to_UTF8 allocates utf8; we free it below. */
    length = ASN1_STRING_to_UTF8(&utf8, dataPtr);
    if (length < 0) {
	return Tcl_NewObj();
    }
    resultObj = TlsUtf8Obj((const char *) utf8, length);
    OPENSSL_free(utf8);
    return resultObj;
}

/*
 *----------------------------------------------------------------------
 *
 * FormatIp --
 *
 *	Spells an iPAddress general name. IPv6 follows RFC 5952 the way
 *	glibc's inet_ntop does, so that names compare equal to what
 *	scripts get from other tools: lowercase, no leading zeros, the
 *	longest run of two or more zero groups (the first of equal runs)
 *	as "::", and the IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible
 *	(::a.b.c.d) forms with a dotted tail. We format it ourselves to
 *	keep platform socket headers out of generic/.
 *
 * Results:
 *	1 with the text in buf (TLS_IP_TEXT bytes), or 0 when length is
 *	neither 4 nor 16 (a name constraint's address/mask pair, which has
 *	no place in a subjectAltName).
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
FormatIp(
    const unsigned char *addr,
    int length,
    char *buf)
{
    unsigned int group[8];
    int i, runStart = -1, runLength = 0, curStart = -1;
    char *out = buf;

    if (length == 4) {
	snprintf(buf, TLS_IP_TEXT, "%u.%u.%u.%u",
		addr[0], addr[1], addr[2], addr[3]);
	return 1;
    }
    if (length != 16) {
	return 0;
    }
    for (i = 0; i < 8; i++) {
	group[i] = ((unsigned int) addr[2 * i] << 8) | addr[2 * i + 1];
    }

    /* Find the longest run of zero groups; i == 8 closes a final run. */
    for (i = 0; i <= 8; i++) {
	if (i < 8 && group[i] == 0) {
	    if (curStart < 0) {
		curStart = i;
	    }
	} else if (curStart >= 0) {
	    if (i - curStart > runLength) {
		runStart = curStart;
		runLength = i - curStart;
	    }
	    curStart = -1;
	}
    }
    if (runLength < 2) {
	/* RFC 5952 4.2.2: a single zero group is not shortened. */
	runStart = -1;
	runLength = 0;
    }

    if (runStart == 0 && (runLength == 6
	    || (runLength == 5 && group[5] == 0xffff))) {
	snprintf(buf, TLS_IP_TEXT, "::%s%u.%u.%u.%u",
		runLength == 5 ? "ffff:" : "",
		addr[12], addr[13], addr[14], addr[15]);
	return 1;
    }
    for (i = 0; i < 8; i++) {
	if (i == runStart) {
	    *out++ = ':';
	    *out++ = ':';
	    i += runLength - 1;
	    continue;
	}
	if (i > 0 && i != runStart + runLength) {
	    *out++ = ':';
	}
	out += snprintf(out, (size_t) (buf + TLS_IP_TEXT - out), "%x",
		group[i]);
    }
    *out = '\0';
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsX509AltNames --
 *
 *	The DNS names and IP addresses of a certificate's subjectAltName,
 *	which are what a peer's identity is checked against, in
 *	certificate order.
 *
 * Results:
 *	A new list (refcount 0).
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
TlsX509AltNames(
    X509 *cert)
{
    GENERAL_NAMES *namesPtr;
    const ASN1_STRING *valuePtr;
    Tcl_Obj *listObj = Tcl_NewListObj(0, NULL);
    char ip[TLS_IP_TEXT];
    int i, type;

    /*
     * A decoded copy that we own. NULL means no extension, or a
     * malformed or duplicated one; either way there is nothing to show.
     */
    namesPtr = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    for (i = 0; i < sk_GENERAL_NAME_num(namesPtr); i++) {
	valuePtr = GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(namesPtr, i),
		&type);
	if (type == GEN_DNS) {
	    Tcl_ListObjAppendElement(NULL, listObj, TlsUtf8Obj(
		    (const char *) ASN1_STRING_get0_data(valuePtr),
		    ASN1_STRING_length(valuePtr)));
	} else if (type == GEN_IPADD && FormatIp(
		ASN1_STRING_get0_data(valuePtr),
		ASN1_STRING_length(valuePtr), ip)) {
	    Tcl_ListObjAppendElement(NULL, listObj,
		    Tcl_NewStringObj(ip, -1));
	}
    }
    GENERAL_NAMES_free(namesPtr);
    return listObj;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsIsIpAddress --
 *
 *	Whether a host name is an IPv4 or IPv6 literal: those are checked
 *	against the certificate's IP addresses and never sent as SNI.
 *
 *----------------------------------------------------------------------
 */

int
TlsIsIpAddress(
    const char *host)
{
    ASN1_OCTET_STRING *addr = a2i_IPADDRESS(host);

    if (addr == NULL) {
	return 0;
    }
    ASN1_OCTET_STRING_free(addr);
    return 1;
}
