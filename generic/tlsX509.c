/*
 * tlsX509.c --
 *
 *	Turns an X.509 certificate into the Tcl dictionary that tls::status
 *	returns and the "verify" callback receives, and offers the small
 *	conversions (distinguished names, UTF-8 text, hex) that tlsInfo.c
 *	shares. The names a certificate is for are found in tlsNames.c.
 *
 *	The keys of TlsX509Dict, in this order, and the exact form of each
 *	value. Every key is always present; a value OpenSSL cannot compute
 *	(unknown algorithm, malformed field) is the empty string.
 *
 *	version		Integer, 1-based: 3 for an X.509 v3 certificate.
 *	signature_algorithm
 *			OpenSSL's long name of the signature algorithm, e.g.
 *			sha256WithRSAEncryption, ecdsa-with-SHA256, rsassaPss,
 *			ED25519; the dotted OID when OpenSSL has no name.
 *	digest		Long name of the digest inside the signature, e.g.
 *			sha256, sha384, sha1 (also for RSA-PSS). Empty for
 *			algorithms without a separate digest (Ed25519, Ed448).
 *	public_key_algorithm
 *			Long name of the subject key's algorithm, e.g.
 *			rsaEncryption, id-ecPublicKey, ED25519, rsassaPss.
 *	bits		Integer, size of the subject key in bits (RSA modulus,
 *			EC field size); 0 when the key type is unknown.
 *	self_signed	1 if the certificate is self-issued and its signature
 *			verifies with its own key, else 0.
 *	sha1_hash	SHA-1 of the DER certificate, 40 lowercase hex digits,
 *			no separators.
 *	sha256_hash	SHA-256 of the DER certificate, 64 lowercase hex
 *			digits.
 *	subject		Subject DN on one line in RFC 2253 form, most specific
 *			part first, e.g. "CN=www.example.com,O=Example,C=US";
 *			non-ASCII characters appear as themselves (UTF-8 in,
 *			Tcl characters out), RFC 2253 specials are escaped
 *			with a backslash, control characters as \XX.
 *	issuer		Issuer DN, same form as subject.
 *	notBefore	Start of validity, ISO 8601 in UTC:
 *			YYYY-MM-DDTHH:MM:SSZ, e.g. 2026-11-26T20:40:00Z.
 *			Readable by [clock scan $t] and, exactly, by
 *			[clock scan $t -format %Y-%m-%dT%H:%M:%SZ -gmt 1].
 *	notAfter	End of validity, same form as notBefore.
 *	serial		Serial number in uppercase hex, two digits per byte of
 *			its magnitude, no leading zero bytes, "-" in front if
 *			negative: what "openssl x509 -serial" prints after
 *			"serial=" (so 10 is "0A", 0 is "00").
 *	certificate	The certificate in PEM: "-----BEGIN CERTIFICATE-----",
 *			base64 lines of 64 characters, the END line and a
 *			final newline.
 *	num_extensions	Integer, number of extensions in the certificate.
 *	extensions	List of the extensions' OpenSSL short names in
 *			certificate order, e.g. {subjectKeyIdentifier
 *			basicConstraints subjectAltName}; the dotted OID for
 *			an extension OpenSSL has no name for.
 *	subjectAltName	List of the DNS names and IP addresses of the
 *			subjectAltName extension, in certificate order. IPv4
 *			as 127.0.0.1; IPv6 in RFC 5952 compressed form as
 *			inet_ntop prints it (::1, 2001:db8::5,
 *			::ffff:192.0.2.1). Other name types (e-mail, URI) are
 *			left out. Empty list without the extension.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "tlsInt.h"
#include <stdio.h>
#include <time.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

/*
 * Names print in RFC 2253 form but keep non-ASCII characters as UTF-8
 * instead of escaping every byte above 0x7f: a Tcl script wants to see
 * "CN=Müller", not "CN=M\C3\BCller".
 */
#define TLS_NAME_FLAGS	(XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB)

/* Large enough for any OID in dotted form that we expect to name. */
#define TLS_OID_TEXT	128


static Tcl_Obj *	ObjectName(const ASN1_OBJECT *objPtr, int noName);
static Tcl_Obj *	BioToObj(BIO *bio);
static void		HexToDString(const unsigned char *bytes,
			    size_t length, const char *digits,
			    Tcl_DString *dsPtr);
static void		PutSignature(Tcl_Obj *dictObj, X509 *cert);
static void		PutKey(Tcl_Obj *dictObj, X509 *cert);
static void		PutHashes(Tcl_Obj *dictObj, X509 *cert);
static void		PutNames(Tcl_Obj *dictObj, X509 *cert);
static Tcl_Obj *	TimeObj(const ASN1_TIME *timePtr);
static void		PutValidity(Tcl_Obj *dictObj, X509 *cert);
static void		PutSerial(Tcl_Obj *dictObj, X509 *cert);
static void		PutPem(Tcl_Obj *dictObj, X509 *cert);
static void		PutExtensions(Tcl_Obj *dictObj, X509 *cert);
static void		PutSubjectAltName(Tcl_Obj *dictObj, X509 *cert);

/*
 *----------------------------------------------------------------------
 *
 * TlsX509Dict --
 *
 *	Describes a certificate as a dictionary; the keys and value formats
 *	are listed at the top of this file.
 *
 * Results:
 *	A new dict object, refcount 0. The caller keeps its reference to
 *	cert: this function neither frees it nor takes one.
 *
 * Side effects:
 *	None visible. The OpenSSL error queue is left as it was found, since
 *	the verify callback calls this in the middle of a handshake, where a
 *	stray error (e.g. from checking a self-signature) would be taken
 *	for the handshake's own.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
TlsX509Dict(
    X509 *cert)			/* Certificate to describe. */
{
    Tcl_Obj *dictObj = Tcl_NewDictObj();

    if (cert == NULL) {
	return dictObj;
    }
    ERR_set_mark();
    PutSignature(dictObj, cert);
    PutKey(dictObj, cert);
    PutHashes(dictObj, cert);
    PutNames(dictObj, cert);
    PutValidity(dictObj, cert);
    PutSerial(dictObj, cert);
    PutPem(dictObj, cert);
    PutExtensions(dictObj, cert);
    PutSubjectAltName(dictObj, cert);
    ERR_pop_to_mark();
    return dictObj;
}

/*
 *----------------------------------------------------------------------
 *
 * TlsX509NameObj --
 *
 *	Formats a distinguished name on one line, RFC 2253 style (see
 *	"subject" at the top of this file).
 *
 * Results:
 *	A new string object, refcount 0; empty for a NULL or empty name.
 *
 * Side effects:
 *	May leave an error on the OpenSSL queue if memory runs out.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
TlsX509NameObj(
    const X509_NAME *namePtr)	/* Name to format; not freed. */
{
    BIO *bio;

    if (namePtr == NULL) {
	return Tcl_NewObj();
    }
    bio = BIO_new(BIO_s_mem());
    if (bio != NULL && X509_NAME_print_ex(bio, namePtr, 0,
	    TLS_NAME_FLAGS) < 0) {
	/* A partly printed name would mislead; report none. */
	BIO_free(bio);
	bio = NULL;
    }
    return BioToObj(bio);
}

/*
 *----------------------------------------------------------------------
 *
 * TlsHexObj --
 *
 *	Spells a byte range in lowercase hex, two digits per byte, without
 *	separators: the form of the hashes, session ids and keys we report.
 *
 * Results:
 *	A new string object, refcount 0; empty for no bytes.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
TlsHexObj(
    const unsigned char *bytes,	/* May be NULL when length is 0. */
    size_t length)
{
    Tcl_DString ds;
    Tcl_Obj *resultObj;

    Tcl_DStringInit(&ds);
    HexToDString(bytes, length, "0123456789abcdef", &ds);
    resultObj = Tcl_NewStringObj(Tcl_DStringValue(&ds),
	    Tcl_DStringLength(&ds));
    Tcl_DStringFree(&ds);
    return resultObj;
}

/*
 * HexToDString --
 *
 *	Appends the hex spelling of bytes to an initialized DString, with
 *	the digit set chosen by the caller (hashes are lowercase, serials
 *	uppercase).
 */

static void
HexToDString(
    const unsigned char *bytes,
    size_t length,
    const char *digits,		/* 16 digit characters, 0 to f. */
    Tcl_DString *dsPtr)		/* Initialized by the caller. */
{
    Tcl_Size start = Tcl_DStringLength(dsPtr);
    char *out;
    size_t i;

    Tcl_DStringSetLength(dsPtr, start + (Tcl_Size) (2 * length));
    out = Tcl_DStringValue(dsPtr) + start;
    for (i = 0; i < length; i++) {
	*out++ = digits[bytes[i] >> 4];
	*out++ = digits[bytes[i] & 0x0f];
    }
}

/*
 * TlsDictPutInt, TlsDictPutObj, TlsDictPutString --
 *
 *	Add one key to a new, unshared dict, so Tcl_DictObjPut cannot fail;
 *	it takes its own references to the key and to valueObj (which may
 *	have refcount 0). A NULL string value is stored as "".
 */

void
TlsDictPutInt(
    Tcl_Obj *dictObj,
    const char *key,
    Tcl_WideInt value)
{
    TlsDictPutObj(dictObj, key, Tcl_NewWideIntObj(value));
}

void
TlsDictPutObj(
    Tcl_Obj *dictObj,
    const char *key,
    Tcl_Obj *valueObj)
{
    Tcl_DictObjPut(NULL, dictObj, Tcl_NewStringObj(key, -1), valueObj);
}

void
TlsDictPutString(
    Tcl_Obj *dictObj,
    const char *key,
    const char *value)
{
    TlsDictPutObj(dictObj, key, Tcl_NewStringObj(value ? value : "", -1));
}

/*
 * ObjectName --
 *
 *	Names an ASN.1 object as a new object (refcount 0): OpenSSL's long
 *	name (noName 0), or the dotted OID when OpenSSL knows no name or
 *	noName is 1. Empty for a NULL object or a name too long for us.
 */

static Tcl_Obj *
ObjectName(
    const ASN1_OBJECT *objPtr,
    int noName)
{
    char buf[TLS_OID_TEXT];
    int length;

    if (objPtr == NULL) {
	return Tcl_NewObj();
    }
    length = OBJ_obj2txt(buf, sizeof(buf), objPtr, noName);
    if (length < 0 || length >= (int) sizeof(buf)) {
	/* Truncated or failed: a wrong name is worse than none. */
	return Tcl_NewObj();
    }
    return Tcl_NewStringObj(buf, length);
}

/*
 * BioToObj --
 *
 *	Takes the text written to a memory BIO as a new string object
 *	(refcount 0) and frees the BIO, so each caller needs only one exit.
 *	A NULL bio (could not be made, or printing failed) gives "".
 */

static Tcl_Obj *
BioToObj(
    BIO *bio)			/* Memory BIO, owned; may be NULL. */
{
    char *text = NULL;
    long length;
    Tcl_Obj *resultObj;

    if (bio == NULL) {
	return Tcl_NewObj();
    }
    length = BIO_get_mem_data(bio, &text);
    if (length > 0 && length <= TCL_SIZE_MAX) {
	resultObj = TlsUtf8Obj(text, (Tcl_Size) length);
    } else {
	resultObj = Tcl_NewObj();
    }
    BIO_free(bio);
    return resultObj;
}

/*
 *----------------------------------------------------------------------
 *
 * PutSignature --
 *
 *	Adds version, signature_algorithm and digest.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Modifies dictObj. X509_get_signature_info may cache data in cert.
 *
 *----------------------------------------------------------------------
 */

static void
PutSignature(
    Tcl_Obj *dictObj,
    X509 *cert)
{
    const X509_ALGOR *algPtr = NULL;
    const ASN1_OBJECT *oidPtr = NULL;
    int mdNid = NID_undef;

    /* X509_get_version is 0-based (0 means v1); people count from 1. */
    TlsDictPutInt(dictObj, "version",
	    (Tcl_WideInt) X509_get_version(cert) + 1);

    X509_get0_signature(NULL, &algPtr, cert);
    if (algPtr != NULL) {
	X509_ALGOR_get0(&oidPtr, NULL, NULL, algPtr);
    }
    TlsDictPutObj(dictObj, "signature_algorithm", ObjectName(oidPtr, 0));

    /*
     * X509_get_signature_info rather than the signature NID alone: it
     * also finds the digest inside RSA-PSS parameters.
     */
    if (!X509_get_signature_info(cert, &mdNid, NULL, NULL, NULL)) {
	mdNid = NID_undef;
    }
    TlsDictPutString(dictObj, "digest",
	    mdNid == NID_undef ? "" : OBJ_nid2ln(mdNid));
}

/*
 *----------------------------------------------------------------------
 *
 * PutKey --
 *
 *	Adds public_key_algorithm, bits and self_signed.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Modifies dictObj. Checking the self-signature may push errors onto
 *	the OpenSSL queue (TlsX509Dict removes them) and caches extension
 *	flags in cert.
 *
 *----------------------------------------------------------------------
 */

static void
PutKey(
    Tcl_Obj *dictObj,
    X509 *cert)
{
    const X509_PUBKEY *pubKeyPtr = X509_get_X509_PUBKEY(cert);
    ASN1_OBJECT *oidPtr = NULL;
    EVP_PKEY *keyPtr;

    if (pubKeyPtr == NULL || !X509_PUBKEY_get0_param(&oidPtr, NULL, NULL,
	    NULL, pubKeyPtr)) {
	oidPtr = NULL;
    }
    TlsDictPutObj(dictObj, "public_key_algorithm", ObjectName(oidPtr, 0));

    /* X509_get0_pubkey: the certificate keeps ownership of the key. */
    keyPtr = X509_get0_pubkey(cert);
    TlsDictPutInt(dictObj, "bits", keyPtr ? EVP_PKEY_get_bits(keyPtr) : 0);

    /*
     * Verify the signature too: a certificate that merely names itself as
     * its issuer is not self-signed. -1 (error) counts as no.
     */
    TlsDictPutInt(dictObj, "self_signed", X509_self_signed(cert, 1) == 1);
}

/*
 * PutHashes --
 *
 *	Adds sha1_hash and sha256_hash, the fingerprints of the DER form.
 */

static void
PutHashes(
    Tcl_Obj *dictObj,
    X509 *cert)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int length;

    if (X509_digest(cert, EVP_sha1(), md, &length)) {
	TlsDictPutObj(dictObj, "sha1_hash", TlsHexObj(md, length));
    } else {
	TlsDictPutString(dictObj, "sha1_hash", "");
    }
    if (X509_digest(cert, EVP_sha256(), md, &length)) {
	TlsDictPutObj(dictObj, "sha256_hash", TlsHexObj(md, length));
    } else {
	TlsDictPutString(dictObj, "sha256_hash", "");
    }
}

/*
 * PutNames --
 *
 *	Adds subject and issuer.
 */

static void
PutNames(
    Tcl_Obj *dictObj,
    X509 *cert)
{
    TlsDictPutObj(dictObj, "subject",
	    TlsX509NameObj(X509_get_subject_name(cert)));
    TlsDictPutObj(dictObj, "issuer",
	    TlsX509NameObj(X509_get_issuer_name(cert)));
}

/*
 *----------------------------------------------------------------------
 *
 * TimeObj --
 *
 *	Formats a certificate time as YYYY-MM-DDTHH:MM:SSZ. Both UTCTime
 *	and GeneralizedTime arrive here; ASN1_TIME_to_tm normalizes them
 *	to UTC.
 *
 * Results:
 *	A new string object, refcount 0; empty if the time is missing or
 *	malformed.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
TimeObj(
    const ASN1_TIME *timePtr)
{
    struct tm tm;
    char buf[80];		/* Room for six ints at their widest. */

    /* A NULL time would make ASN1_TIME_to_tm report the current time. */
    if (timePtr == NULL || !ASN1_TIME_to_tm(timePtr, &tm)) {
	return Tcl_NewObj();
    }
    snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
    return Tcl_NewStringObj(buf, -1);
}

/*
 * PutValidity --
 *
 *	Adds notBefore and notAfter.
 */

static void
PutValidity(
    Tcl_Obj *dictObj,
    X509 *cert)
{
    TlsDictPutObj(dictObj, "notBefore", TimeObj(X509_get0_notBefore(cert)));
    TlsDictPutObj(dictObj, "notAfter", TimeObj(X509_get0_notAfter(cert)));
}

/*
 *----------------------------------------------------------------------
 *
 * PutSerial --
 *
 *	Adds serial, spelled as "openssl x509 -serial" does. We format it
 *	here instead of calling i2a_ASN1_INTEGER, which breaks long numbers
 *	over several lines.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Modifies dictObj.
 *
 *----------------------------------------------------------------------
 */

static void
PutSerial(
    Tcl_Obj *dictObj,
    X509 *cert)
{
    const ASN1_INTEGER *serialPtr = X509_get0_serialNumber(cert);
    Tcl_DString ds;
    int length;

    Tcl_DStringInit(&ds);
    if (serialPtr != NULL) {
	/* OpenSSL keeps the magnitude; the sign lives in the type. */
	if (ASN1_STRING_type(serialPtr) == V_ASN1_NEG_INTEGER) {
	    Tcl_DStringAppend(&ds, "-", 1);
	}
	length = ASN1_STRING_length(serialPtr);
	if (length > 0) {
	    HexToDString(ASN1_STRING_get0_data(serialPtr), (size_t) length,
		    "0123456789ABCDEF", &ds);
	} else {
	    Tcl_DStringAppend(&ds, "00", 2);
	}
    }
    TlsDictPutObj(dictObj, "serial", Tcl_NewStringObj(Tcl_DStringValue(&ds),
	    Tcl_DStringLength(&ds)));
    Tcl_DStringFree(&ds);
}

/*
 * PutPem --
 *
 *	Adds certificate, the PEM encoding.
 */

static void
PutPem(
    Tcl_Obj *dictObj,
    X509 *cert)
{
    BIO *bio = BIO_new(BIO_s_mem());

    if (bio != NULL && !PEM_write_bio_X509(bio, cert)) {
	BIO_free(bio);
	bio = NULL;
    }
    TlsDictPutObj(dictObj, "certificate", BioToObj(bio));
}

/*
 * PutExtensions --
 *
 *	Adds num_extensions and extensions (short names).
 */

static void
PutExtensions(
    Tcl_Obj *dictObj,
    X509 *cert)
{
    int count = X509_get_ext_count(cert);
    Tcl_Obj *listObj = Tcl_NewListObj(0, NULL);
    const ASN1_OBJECT *oidPtr;
    Tcl_Obj *nameObj;
    int i, nid;

    for (i = 0; i < count; i++) {
	oidPtr = X509_EXTENSION_get_object(X509_get_ext(cert, i));
	nid = OBJ_obj2nid(oidPtr);
	if (nid != NID_undef) {
	    nameObj = Tcl_NewStringObj(OBJ_nid2sn(nid), -1);
	} else {
	    nameObj = ObjectName(oidPtr, 1);
	}
	Tcl_ListObjAppendElement(NULL, listObj, nameObj);
    }
    TlsDictPutInt(dictObj, "num_extensions", count < 0 ? 0 : count);
    TlsDictPutObj(dictObj, "extensions", listObj);
}

/*
 * PutSubjectAltName --
 *	Adds subjectAltName (TlsX509AltNames) to a certificate dict.
 */

static void
PutSubjectAltName(
    Tcl_Obj *dictObj,
    X509 *cert)
{
    TlsDictPutObj(dictObj, "subjectAltName", TlsX509AltNames(cert));
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
