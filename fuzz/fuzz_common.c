/*
 * fuzz_common.c --
 *
 *	Shared set-up of the libFuzzer harnesses (see fuzz_common.h): the
 *	interpreter, the test certificate, and the in-memory channel.
 *
 * Copyright (c) 2026 the tls authors.
 * See the file "license.terms" for terms of use and redistribution.
 */

#include "fuzz_common.h"
#include "tls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

const int fuzzChunkSizes[8] = {0, 1, 2, 5, 64, 300, 1500, 17000};

static Tcl_Interp *fuzzInterp = NULL;
static FuzzFiles files;
static int filesMade = 0;

/*
 * The -command callback of the handshake harnesses. The mode bits are in
 * ::fuzzMode. The verify branch reads the whole certificate dict, as a
 * script would.
 */
static const char callbackScript[] =
    "proc ::fuzzcb {args} {\n"
    "    global fuzzMode\n"
    "    if {$fuzzMode & 0x80} {\n"
    "        error \"fuzz callback error\"\n"
    "    }\n"
    "    switch -- [lindex $args 0] {\n"
    "        verify {\n"
    "            dict for {k v} [lindex $args 3] {string length $v}\n"
    "            return [expr {($fuzzMode & 0x40) == 0}]\n"
    "        }\n"
    "        sni {return {}}\n"
    "        default {return {}}\n"
    "    }\n"
    "}\n"
    "set ::fuzzMode 0\n"
    "proc ::fuzzbg {msg opts} {}\n"
    "interp bgerror {} ::fuzzbg\n";

/*
 *----------------------------------------------------------------------
 *
 * Die --
 *
 *	Set-up failed: no point in fuzzing.
 *
 *----------------------------------------------------------------------
 */

static void
Die(
    const char *what)
{
    fprintf(stderr, "fuzz set-up: %s\n", what);
    abort();
}

/*
 *----------------------------------------------------------------------
 *
 * WritePem --
 *
 *	Writes the certificate or the key (encrypted with "secret" when
 *	encrypt is set) to a file.
 *
 *----------------------------------------------------------------------
 */

static void
WritePem(
    const char *path,
    X509 *cert,
    EVP_PKEY *key,
    int encrypt)
{
    FILE *f = fopen(path, "w");
    int ok;

    if (f == NULL) {
	Die(path);
    }
    if (cert != NULL) {
	ok = PEM_write_X509(f, cert);
    } else if (encrypt) {
	ok = PEM_write_PKCS8PrivateKey(f, key, EVP_aes_128_cbc(),
		"secret", 6, NULL, NULL);
    } else {
	ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
    }
    if (fclose(f) != 0 || !ok) {
	Die(path);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * MakeFiles --
 *
 *	A private directory with a self-signed RSA 2048 certificate for
 *	"localhost" (RSA so that TLS 1.2 RSA key exchange, which decrypts
 *	bytes the peer sent, is reachable too), its key in clear and
 *	encrypted, and a CA directory holding the certificate. The
 *	directory is removed at exit.
 *
 *----------------------------------------------------------------------
 */

static void
RemoveFiles(void)
{
    char sub[160];

    unlink(files.cert);
    unlink(files.key);
    unlink(files.encKey);
    snprintf(sub, sizeof(sub), "%s/cert.pem", files.caDir);
    unlink(sub);
    rmdir(files.caDir);
    rmdir(files.dir);
}

static void
MakeFiles(void)
{
    EVP_PKEY *key;
    X509 *cert;
    X509_NAME *name;
    X509_EXTENSION *ext;
    X509V3_CTX v3;
    char sub[160];
    const char *tmp = getenv("TMPDIR");

    snprintf(files.dir, sizeof(files.dir), "%s/tlsfuzz.XXXXXX",
	    tmp != NULL && strlen(tmp) < 40 ? tmp : "/tmp");
    if (mkdtemp(files.dir) == NULL) {
	Die("mkdtemp");
    }
    snprintf(files.cert, sizeof(files.cert), "%s/cert.pem", files.dir);
    snprintf(files.key, sizeof(files.key), "%s/key.pem", files.dir);
    snprintf(files.encKey, sizeof(files.encKey), "%s/enc.pem", files.dir);
    snprintf(files.caDir, sizeof(files.caDir), "%s/ca", files.dir);
    if (mkdir(files.caDir, 0700) != 0) {
	Die("mkdir");
    }

    key = EVP_RSA_gen(2048);
    cert = X509_new();
    if (key == NULL || cert == NULL) {
	Die("key generation");
    }
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 4711);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 30L * 86400);
    X509_set_pubkey(cert, key);
    name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *) "localhost", -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert, cert, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,
	    "DNS:localhost,IP:127.0.0.1");
    if (ext == NULL || !X509_add_ext(cert, ext, -1)
	    || !X509_sign(cert, key, EVP_sha256())) {
	Die("certificate");
    }
    X509_EXTENSION_free(ext);

    WritePem(files.cert, cert, NULL, 0);
    WritePem(files.key, NULL, key, 0);
    WritePem(files.encKey, NULL, key, 1);
    snprintf(sub, sizeof(sub), "%s/cert.pem", files.caDir);
    WritePem(sub, cert, NULL, 0);
    X509_free(cert);
    EVP_PKEY_free(key);
    atexit(RemoveFiles);
    filesMade = 1;
}

const FuzzFiles *
FuzzFilesGet(void)
{
    if (!filesMade) {
	MakeFiles();
    }
    return &files;
}

/*
 *----------------------------------------------------------------------
 *
 * FuzzMustEval --
 *
 *	Set-up scripts must work.
 *
 *----------------------------------------------------------------------
 */

void
FuzzMustEval(
    Tcl_Interp *interp,
    const char *script)
{
    if (Tcl_Eval(interp, script) != TCL_OK) {
	fprintf(stderr, "fuzz: script failed: %s\n%s\n", script,
		Tcl_GetStringResult(interp));
	abort();
    }
}

/*
 *----------------------------------------------------------------------
 *
 * FuzzInterp --
 *
 *	The one interpreter of the process, made on first use: Tcl without
 *	its script library (no init.tcl, so nothing is read from disk), the
 *	tls commands from Tls_Init, and ::fuzzcb.
 *
 *----------------------------------------------------------------------
 */

Tcl_Interp *
FuzzInterp(void)
{
    if (fuzzInterp != NULL) {
	return fuzzInterp;
    }
    Tcl_FindExecutable("tlsfuzz");
    fuzzInterp = Tcl_CreateInterp();
    if (Tls_Init(fuzzInterp) != TCL_OK) {
	Die(Tcl_GetStringResult(fuzzInterp));
    }
    FuzzMustEval(fuzzInterp, callbackScript);
    (void) FuzzFilesGet();
    return fuzzInterp;
}

/*
 *----------------------------------------------------------------------
 *
 * FuzzDrainEvents --
 *
 *	Runs the events an input left queued, as a script's event loop
 *	would: above all the background errors of failing callbacks (idle
 *	callbacks, handled silently by ::fuzzbg). Left queued they would
 *	pile up from input to input, holding their interpreter state.
 *
 *----------------------------------------------------------------------
 */

void
FuzzDrainEvents(void)
{
    int i;

    for (i = 0; i < 1000; i++) {
	if (!Tcl_DoOneEvent(TCL_ALL_EVENTS | TCL_DONT_WAIT)) {
	    break;
	}
    }
}

/*
 * ---------------------------------------------------------------------
 * The in-memory channel.
 * ---------------------------------------------------------------------
 */

typedef struct FuzzChan {
    unsigned char *data;	/* Copy of the input, owned. */
    size_t size, pos;
    int chunk;			/* Largest read, 0 for no limit. */
    int eagain;			/* Alternate EAGAIN when non-blocking. */
    int nonblock;
    int flip;			/* Toggles for eagain. */
} FuzzChan;

static int
FuzzInput(
    void *instanceData,
    char *buf,
    int toRead,
    int *errorCodePtr)
{
    FuzzChan *fc = (FuzzChan *) instanceData;
    size_t n = fc->size - fc->pos;

    *errorCodePtr = 0;
    if (fc->nonblock && fc->eagain && n > 0 && (fc->flip ^= 1)) {
	*errorCodePtr = EAGAIN;
	return -1;
    }
    if (toRead < 0) {
	toRead = 0;
    }
    if (n > (size_t) toRead) {
	n = (size_t) toRead;
    }
    if (fc->chunk > 0 && n > (size_t) fc->chunk) {
	n = (size_t) fc->chunk;
    }
    memcpy(buf, fc->data + fc->pos, n);
    fc->pos += n;
    return (int) n;
}

static int
FuzzOutput(
    void *instanceData,
    const char *buf,
    int toWrite,
    int *errorCodePtr)
{
    (void) instanceData;
    (void) buf;
    *errorCodePtr = 0;
    return toWrite;		/* The peer is a black hole. */
}

static int
FuzzClose(
    void *instanceData,
    Tcl_Interp *interp)
{
    FuzzChan *fc = (FuzzChan *) instanceData;

    (void) interp;
    free(fc->data);
    free(fc);
    return 0;
}

static void
FuzzWatch(
    void *instanceData,
    int mask)
{
    (void) instanceData;
    (void) mask;		/* No events: the harness drives I/O. */
}

static int
FuzzGetHandle(
    void *instanceData,
    int direction,
    void **handlePtr)
{
    (void) instanceData;
    (void) direction;
    (void) handlePtr;
    return TCL_ERROR;		/* No file descriptor. */
}

static int
FuzzBlockMode(
    void *instanceData,
    int mode)
{
    FuzzChan *fc = (FuzzChan *) instanceData;

    fc->nonblock = (mode == TCL_MODE_NONBLOCKING);
    return 0;
}

static const Tcl_ChannelType fuzzChannelType = {
    "fuzz",
    TCL_CHANNEL_VERSION_5,
    FuzzClose,
    FuzzInput,
    FuzzOutput,
    NULL,			/* Seek. */
    NULL,			/* Set option. */
    NULL,			/* Get option. */
    FuzzWatch,
    FuzzGetHandle,
    NULL,			/* Close2. */
    FuzzBlockMode,
    NULL, NULL, NULL, NULL, NULL
};

Tcl_Channel
FuzzChannelNew(
    Tcl_Interp *interp,
    const uint8_t *data,
    size_t size,
    int chunk,
    int eagain)
{
    static unsigned long counter = 0;
    FuzzChan *fc = (FuzzChan *) calloc(1, sizeof(FuzzChan));
    char name[32];
    Tcl_Channel chan;

    if (fc == NULL || (fc->data = (unsigned char *) malloc(size + 1))
	    == NULL) {
	Die("out of memory");
    }
    memcpy(fc->data, data, size);
    fc->size = size;
    fc->chunk = chunk;
    fc->eagain = eagain;
    snprintf(name, sizeof(name), "fuzz%lu", counter++);
    chan = Tcl_CreateChannel(&fuzzChannelType, name, fc,
	    TCL_READABLE | TCL_WRITABLE);
    Tcl_SetChannelOption(NULL, chan, "-translation", "binary");
    Tcl_RegisterChannel(interp, chan);
    return chan;
}
