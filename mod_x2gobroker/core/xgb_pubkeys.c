/*
 * xgb_pubkeys.c - the broker's SSH public keys for GET /pubkeys/
 * (spec 2.3).
 *
 * The reference derives each public key from the private key file (the
 * .pub file may be stale or missing).  Here the SSH wire-format key blob
 * (RFC 4253 6.6, RFC 5656 3.1, RFC 8709 4) is either rebuilt from the key
 * OpenSSL decoded from PEM, or, for OpenSSH's own format, copied from the
 * file's header, where it is stored in clear.
 */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_file_io.h>
#include <apr_file_info.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "xgb_pubkeys.h"
#include "xgb_log.h"

/* Key files are a few KiB; a bigger file is not a key. */
#define XGB_KEYFILE_MAX (1024 * 1024)

/* Longest key type name accepted from an OpenSSH file (the longest real
 * one, sk-ecdsa-sha2-nistp256@openssh.com, has 34 characters). */
#define XGB_KEYTYPE_MAX 64

#define OPENSSH_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define OPENSSH_END "-----END OPENSSH PRIVATE KEY-----"
#define OPENSSH_MAGIC "openssh-key-v1"      /* followed by a NUL byte */

/* A growing byte buffer in a pool, for building key blobs. */
typedef struct {
    apr_pool_t *p;
    unsigned char *d;
    apr_size_t len, cap;
} wbuf_t;

static void wb_put(wbuf_t *b, const void *data, apr_size_t n)
{
    if (b->len + n > b->cap) {
        apr_size_t cap = b->cap ? b->cap * 2 : 256;
        unsigned char *d;

        while (cap < b->len + n) {
            cap *= 2;
        }
        d = apr_palloc(b->p, cap);
        if (b->len) {
            memcpy(d, b->d, b->len);
        }
        b->d = d;
        b->cap = cap;
    }
    memcpy(b->d + b->len, data, n);
    b->len += n;
}

static void wb_u32(wbuf_t *b, apr_uint32_t v)
{
    unsigned char c[4];

    c[0] = (unsigned char)(v >> 24);
    c[1] = (unsigned char)(v >> 16);
    c[2] = (unsigned char)(v >> 8);
    c[3] = (unsigned char)v;
    wb_put(b, c, 4);
}

/* SSH "string": 32-bit length, then the bytes. */
static void wb_string(wbuf_t *b, const void *data, apr_size_t n)
{
    wb_u32(b, (apr_uint32_t)n);
    wb_put(b, data, n);
}

/* SSH "mpint": BN_bn2mpi() writes exactly that for the non-negative
 * numbers of public keys (length, big-endian bytes, a leading zero byte
 * when the top bit is set). */
static int wb_mpint(wbuf_t *b, const BIGNUM *bn)
{
    int n = BN_bn2mpi(bn, NULL);
    unsigned char *tmp;

    if (n < 4 || BN_is_negative(bn)) {
        return 0;
    }
    tmp = apr_palloc(b->p, n);
    BN_bn2mpi(bn, tmp);
    wb_put(b, tmp, n);
    return 1;
}

/* The reason OpenSSL gave last, then a clean error queue so that nothing
 * stale confuses later OpenSSL users in this thread (mod_ssl). */
static const char *ossl_reason(apr_pool_t *p, const char *what)
{
    unsigned long e = ERR_peek_last_error();
    char buf[256];

    if (!e) {
        ERR_clear_error();
        return what;
    }
    ERR_error_string_n(e, buf, sizeof(buf));
    ERR_clear_error();
    return apr_pstrcat(p, what, ": ", buf, NULL);
}

/* Never prompt: an encrypted PEM key is simply not usable here. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf; (void)size; (void)rwflag; (void)u;
    return -1;
}

/* Append the named BIGNUM parameter of pkey as mpint. */
static int put_bn_param(wbuf_t *b, EVP_PKEY *pkey, const char *name)
{
    BIGNUM *bn = NULL;
    int ok;

    if (!EVP_PKEY_get_bn_param(pkey, name, &bn)) {
        return 0;
    }
    ok = wb_mpint(b, bn);
    BN_free(bn);
    return ok;
}

/* Append a BIGNUM parameter left-padded with zeros to `width` bytes. */
static int put_bn_fixed(wbuf_t *b, EVP_PKEY *pkey, const char *name,
                        int width)
{
    BIGNUM *bn = NULL;
    unsigned char *tmp;
    int ok;

    if (!EVP_PKEY_get_bn_param(pkey, name, &bn)) {
        return 0;
    }
    tmp = apr_palloc(b->p, width);
    ok = BN_bn2binpad(bn, tmp, width) == width;
    BN_free(bn);
    if (ok) {
        wb_put(b, tmp, width);
    }
    return ok;
}

/* The SSH name of a NIST curve, by any of OpenSSL's names for it. */
static const char *nist_curve(const char *group, int *bytes)
{
    static const struct {
        const char *names[3];
        const char *ssh;
        int bytes;
    } curves[] = {
        { { "prime256v1", "secp256r1", "P-256" }, "nistp256", 32 },
        { { "secp384r1", "P-384", NULL }, "nistp384", 48 },
        { { "secp521r1", "P-521", NULL }, "nistp521", 66 }
    };
    int i, j;

    for (i = 0; i < (int)(sizeof(curves) / sizeof(curves[0])); i++) {
        for (j = 0; j < 3 && curves[i].names[j]; j++) {
            if (!strcasecmp(group, curves[i].names[j])) {
                *bytes = curves[i].bytes;
                return curves[i].ssh;
            }
        }
    }
    return NULL;
}

/* Build the SSH public key blob of a decoded key; *type gets its name. */
static const char *blob_from_pkey(apr_pool_t *p, EVP_PKEY *pkey, wbuf_t *b,
                                  const char **type)
{
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        /* RFC 4253 6.6: "ssh-rsa", e, n */
        *type = "ssh-rsa";
        wb_string(b, *type, strlen(*type));
        if (!put_bn_param(b, pkey, OSSL_PKEY_PARAM_RSA_E)
            || !put_bn_param(b, pkey, OSSL_PKEY_PARAM_RSA_N)) {
            return "incomplete RSA key";
        }
    }
    else if (EVP_PKEY_is_a(pkey, "DSA")) {
        /* RFC 4253 6.6: "ssh-dss", p, q, g, y */
        *type = "ssh-dss";
        wb_string(b, *type, strlen(*type));
        if (!put_bn_param(b, pkey, OSSL_PKEY_PARAM_FFC_P)
            || !put_bn_param(b, pkey, OSSL_PKEY_PARAM_FFC_Q)
            || !put_bn_param(b, pkey, OSSL_PKEY_PARAM_FFC_G)
            || !put_bn_param(b, pkey, OSSL_PKEY_PARAM_PUB_KEY)) {
            return "incomplete DSA key";
        }
    }
    else if (EVP_PKEY_is_a(pkey, "EC")) {
        char group[80];
        const char *curve;
        int bytes = 0;
        unsigned char uncompressed = 0x04;

        /* RFC 5656 3.1: "ecdsa-sha2-<curve>", "<curve>", Q; only the
         * three NIST curves have SSH names */
        if (!EVP_PKEY_get_utf8_string_param(pkey,
                                            OSSL_PKEY_PARAM_GROUP_NAME,
                                            group, sizeof(group), NULL)) {
            return "EC key without a named curve";
        }
        curve = nist_curve(group, &bytes);
        if (!curve) {
            return apr_psprintf(p, "EC curve %s has no SSH key type",
                                group);
        }
        *type = apr_pstrcat(p, "ecdsa-sha2-", curve, NULL);
        wb_string(b, *type, strlen(*type));
        wb_string(b, curve, strlen(curve));
        /* The point, uncompressed (SEC1 2.3.3), whatever form the file
         * used: 1 + 2 * field size bytes. */
        wb_u32(b, (apr_uint32_t)(1 + 2 * bytes));
        wb_put(b, &uncompressed, 1);
        if (!put_bn_fixed(b, pkey, OSSL_PKEY_PARAM_EC_PUB_X, bytes)
            || !put_bn_fixed(b, pkey, OSSL_PKEY_PARAM_EC_PUB_Y, bytes)) {
            return "incomplete EC key";
        }
    }
    else if (EVP_PKEY_is_a(pkey, "ED25519")) {
        unsigned char raw[32];
        size_t rlen = sizeof(raw);

        /* RFC 8709 4: "ssh-ed25519", the 32-byte public key */
        *type = "ssh-ed25519";
        if (!EVP_PKEY_get_raw_public_key(pkey, raw, &rlen)
            || rlen != sizeof(raw)) {
            return "incomplete Ed25519 key";
        }
        wb_string(b, *type, strlen(*type));
        wb_string(b, raw, rlen);
    }
    else {
        return apr_pstrcat(p, "unsupported key type ",
                           EVP_PKEY_get0_type_name(pkey)
                           ? EVP_PKEY_get0_type_name(pkey) : "?", NULL);
    }
    return NULL;
}

static const char *blob_from_pem(apr_pool_t *p, const char *data,
                                 apr_size_t len, wbuf_t *b,
                                 const char **type)
{
    BIO *bio;
    EVP_PKEY *pkey;
    const char *err;

    if (len > INT_MAX) {
        return "file too large";
    }
    bio = BIO_new_mem_buf(data, (int)len);
    if (!bio) {
        return ossl_reason(p, "out of memory");
    }
    /* Takes traditional ("RSA/DSA/EC PRIVATE KEY") and PKCS#8 ("PRIVATE
     * KEY") blocks and steps over others, such as the "EC PARAMETERS"
     * block that openssl ecparam writes in front of the key. */
    pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    BIO_free(bio);
    if (!pkey) {
        return ossl_reason(p, "no unencrypted PEM private key");
    }
    err = blob_from_pkey(p, pkey, b, type);
    EVP_PKEY_free(pkey);
    if (err) {
        ERR_clear_error();
    }
    return err;
}

/* Base64 text (whitespace allowed) to bytes; NULL if it is not base64. */
static unsigned char *b64_decode(apr_pool_t *p, const char *s, apr_size_t n,
                                 apr_size_t *outlen)
{
    char *clean = apr_palloc(p, n + 1);
    unsigned char *out;
    apr_size_t i, m = 0, pad = 0;
    int r;

    for (i = 0; i < n; i++) {
        if (!apr_isspace(s[i])) {
            clean[m++] = s[i];
        }
    }
    if (m == 0 || m % 4 != 0 || m > INT_MAX) {
        return NULL;
    }
    clean[m] = '\0';
    out = apr_palloc(p, m / 4 * 3 + 1);
    r = EVP_DecodeBlock(out, (unsigned char *)clean, (int)m);
    if (r < 0) {
        return NULL;
    }
    /* EVP_DecodeBlock() counts the padding as zero bytes. */
    while (pad < 2 && m > pad && clean[m - 1 - pad] == '=') {
        pad++;
    }
    *outlen = (apr_size_t)r - pad;
    return out;
}

/* Bounded reader for SSH wire data. */
typedef struct {
    const unsigned char *d;
    apr_size_t left;
} rbuf_t;

static int rb_u32(rbuf_t *r, apr_uint32_t *v)
{
    if (r->left < 4) {
        return 0;
    }
    *v = ((apr_uint32_t)r->d[0] << 24) | ((apr_uint32_t)r->d[1] << 16)
         | ((apr_uint32_t)r->d[2] << 8) | r->d[3];
    r->d += 4;
    r->left -= 4;
    return 1;
}

static int rb_string(rbuf_t *r, const unsigned char **s, apr_size_t *n)
{
    apr_uint32_t len;

    if (!rb_u32(r, &len) || len > r->left) {
        return 0;
    }
    *s = r->d;
    *n = len;
    r->d += len;
    r->left -= len;
    return 1;
}

/*
 * OpenSSH private key format (PROTOCOL.key in OpenSSH): after the magic
 * come ciphername, kdfname, kdfoptions, the number of keys and the public
 * key blobs, all before the (possibly encrypted) private section.  So the
 * public key is available without any passphrase.
 */
static const char *blob_from_openssh(apr_pool_t *p, const char *data,
                                     apr_size_t len, wbuf_t *b,
                                     const char **type)
{
    const char *begin, *end;
    const unsigned char *raw, *field, *blob;
    apr_size_t rawlen, flen, bloblen;
    apr_uint32_t nkeys;
    rbuf_t r, rb;
    int i;

    begin = strstr(data, OPENSSH_BEGIN);
    end = begin ? strstr(begin, OPENSSH_END) : NULL;
    if (!begin || !end) {
        return "truncated OpenSSH key";
    }
    begin += strlen(OPENSSH_BEGIN);
    raw = b64_decode(p, begin, end - begin, &rawlen);
    if (!raw) {
        return "OpenSSH key is not valid base64";
    }
    if (rawlen < sizeof(OPENSSH_MAGIC)
        || memcmp(raw, OPENSSH_MAGIC, sizeof(OPENSSH_MAGIC)) != 0) {
        return "not an openssh-key-v1 key";
    }
    r.d = raw + sizeof(OPENSSH_MAGIC);
    r.left = rawlen - sizeof(OPENSSH_MAGIC);
    /* ciphername, kdfname, kdfoptions: not needed for the public part */
    for (i = 0; i < 3; i++) {
        if (!rb_string(&r, &field, &flen)) {
            return "truncated OpenSSH key header";
        }
    }
    if (!rb_u32(&r, &nkeys) || nkeys < 1) {
        return "OpenSSH key file holds no key";
    }
    if (!rb_string(&r, &blob, &bloblen)) {
        return "truncated OpenSSH public key";
    }
    /* The type name goes into the output line: it must be a plain
     * token. */
    rb.d = blob;
    rb.left = bloblen;
    if (!rb_string(&rb, &field, &flen) || flen == 0
        || flen > XGB_KEYTYPE_MAX) {
        return "OpenSSH public key without a type";
    }
    for (i = 0; i < (int)flen; i++) {
        if (!apr_isalnum(field[i]) && !strchr("-_.@", field[i])) {
            return "OpenSSH public key with a garbled type";
        }
    }
    *type = apr_pstrndup(p, (const char *)field, flen);
    wb_put(b, blob, bloblen);
    return NULL;
}

/* Read a whole (small) regular file, NUL-terminated. */
static apr_status_t slurp(apr_pool_t *p, const char *path, char **data,
                          apr_size_t *len, const char **err)
{
    apr_finfo_t fi;
    apr_file_t *f;
    apr_status_t rv;

    /* Stat first: a missing file (skipped silently) must be told apart
     * from one that exists but cannot be used (skipped with a warning). */
    rv = apr_stat(&fi, path, APR_FINFO_TYPE | APR_FINFO_SIZE, p);
    if (rv != APR_SUCCESS) {
        *err = "cannot stat";
        return rv;
    }
    if (fi.filetype != APR_REG) {
        *err = "not a regular file";
        return APR_EGENERAL;
    }
    if (fi.size > XGB_KEYFILE_MAX) {
        *err = "too large for a key file";
        return APR_EGENERAL;
    }
    rv = apr_file_open(&f, path, APR_FOPEN_READ, APR_OS_DEFAULT, p);
    if (rv != APR_SUCCESS) {
        *err = "cannot open";
        return rv;
    }
    *data = apr_palloc(p, (apr_size_t)fi.size + 1);
    rv = apr_file_read_full(f, *data, (apr_size_t)fi.size, len);
    apr_file_close(f);
    if (rv != APR_SUCCESS && !(rv == APR_EOF && *len == 0)) {
        *err = "cannot read";
        return rv;
    }
    (*data)[*len] = '\0';
    return APR_SUCCESS;
}

apr_status_t xgb_pubkey_from_file(apr_pool_t *p, const char *path,
                                  const char **line, const char **err)
{
    const char *dummy, *type = NULL, *why;
    char *data = NULL, *b64;
    apr_size_t len = 0;
    apr_status_t rv;
    wbuf_t b = { p, NULL, 0, 0 };

    if (!err) {
        err = &dummy;
    }
    *err = NULL;
    if (line) {
        *line = NULL;
    }
    if (!p || !path || !*path || !line) {
        *err = "no file given";
        return APR_EINVAL;
    }
    rv = slurp(p, path, &data, &len, err);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    /* The parsers below work on C strings: a NUL would silently cut the
     * key short. */
    if (strlen(data) != len) {
        *err = "binary data in key file";
        return APR_EGENERAL;
    }
    /* OpenSSL does not know OpenSSH's own container; everything else is
     * left to OpenSSL, which says what it does not understand. */
    if (strstr(data, OPENSSH_BEGIN)) {
        why = blob_from_openssh(p, data, len, &b, &type);
    }
    else {
        why = blob_from_pem(p, data, len, &b, &type);
    }
    if (why) {
        *err = why;
        return APR_EGENERAL;
    }
    if (b.len > INT_MAX / 2) {
        *err = "key too large";
        return APR_EGENERAL;
    }
    /* EVP_EncodeBlock() writes one line without newlines, as in
     * authorized_keys. */
    b64 = apr_palloc(p, (b.len + 2) / 3 * 4 + 1);
    EVP_EncodeBlock((unsigned char *)b64, b.d, (int)b.len);
    *line = apr_pstrcat(p, type, " ", b64, NULL);
    return APR_SUCCESS;
}

/* Safe to put into an authorized_keys line? */
static int printable(const char *s)
{
    if (!s || !*s) {
        return 0;
    }
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f) {
            return 0;
        }
    }
    return 1;
}

/* sshd reads a '"' inside command="..." only as \" */
static const char *quote_command(apr_pool_t *p, const char *cmd)
{
    apr_size_t n = strlen(cmd), i, j = 0;
    char *out = apr_palloc(p, 2 * n + 1);

    for (i = 0; i < n; i++) {
        if (cmd[i] == '"') {
            out[j++] = '\\';
        }
        out[j++] = cmd[i];
    }
    out[j] = '\0';
    return out;
}

const char *xgb_pubkeys_render(apr_pool_t *p,
                               const apr_array_header_t *keyfiles,
                               const char *agent_cmd,
                               const char *daemon_user, const char *fqdn)
{
    apr_array_header_t *parts;
    const char *prefix, *suffix;
    int i;

    if (!p) {
        return NULL;
    }
    if (!printable(agent_cmd) || !printable(daemon_user)
        || !printable(fqdn)) {
        XGB_LOG(XGB_LOG_ERR, "pubkeys: agent command, daemon user or host "
                "name missing or not printable");
        return NULL;
    }
    /* The forced command and the restrictions make the key good for
     * nothing but running the broker agent on the X2Go server. */
    prefix = apr_pstrcat(p, "command=\"", quote_command(p, agent_cmd),
                         "\",no-port-forwarding,no-X11-forwarding,"
                         "no-agent-forwarding,no-pty ", NULL);
    suffix = apr_pstrcat(p, " ", daemon_user, "@", fqdn, "\n", NULL);
    parts = apr_array_make(p, 4, sizeof(const char *));

    for (i = 0; keyfiles && i < keyfiles->nelts; i++) {
        const char *path = APR_ARRAY_IDX(keyfiles, i, const char *);
        const char *line, *err;
        apr_status_t rv;

        if (!path || !*path) {
            continue;
        }
        rv = xgb_pubkey_from_file(p, path, &line, &err);
        if (APR_STATUS_IS_ENOENT(rv)) {
            continue;
        }
        if (rv != APR_SUCCESS) {
            XGB_LOG(XGB_LOG_WARNING, "pubkeys: skipping %s: %s (%d)", path,
                    err ? err : "error", rv);
            continue;
        }
        APR_ARRAY_PUSH(parts, const char *) = prefix;
        APR_ARRAY_PUSH(parts, const char *) = line;
        APR_ARRAY_PUSH(parts, const char *) = suffix;
    }
    return apr_array_pstrcat(p, parts, '\0');
}
