/*
 * xgb_sshkey.c - SSH public keys in wire format (RFC 4253 6.6, RFC 5656
 * 3.1, RFC 8709 4) and in authorized_keys lines (sshd(8) "AUTHORIZED_KEYS
 * FILE FORMAT").
 *
 * A private key file yields its public blob either from the key OpenSSL
 * decoded from PEM, or, for OpenSSH's own format, from the file's header,
 * where it is stored in clear (PROTOCOL.key in OpenSSH).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "xgb_sshkey.h"

#define OPENSSH_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define OPENSSH_END "-----END OPENSSH PRIVATE KEY-----"
#define OPENSSH_MAGIC "openssh-key-v1"      /* followed by a NUL byte */

static const char *const known_types[] = {
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "ssh-rsa",
    "ssh-dss",
    NULL
};

static const char *const restrictions[] = {
    "no-pty",
    "no-X11-forwarding",
    "no-agent-forwarding",
    "no-port-forwarding",
    "no-user-rc",
    "restrict",
    NULL
};

static int in_list(const char *const *list, const char *s, size_t len)
{
    int i;

    for (i = 0; list[i]; i++) {
        if (strlen(list[i]) == len && !memcmp(list[i], s, len)) {
            return 1;
        }
    }
    return 0;
}

int xgb_sshkey_type_known(const char *type, size_t len)
{
    return type && in_list(known_types, type, len);
}

char *xgb_b64_encode(const unsigned char *d, size_t n)
{
    char *out;

    if (n > INT_MAX / 2) {
        return NULL;
    }
    out = malloc((n + 2) / 3 * 4 + 1);
    if (out) {
        EVP_EncodeBlock((unsigned char *)out, d, (int)n);
    }
    return out;
}

static int b64_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
           || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

unsigned char *xgb_b64_decode(const char *s, size_t n, size_t *outlen)
{
    unsigned char *out;
    char *canon;
    size_t i, pad = 0;
    int r;

    if (n == 0 || n % 4 != 0 || n > INT_MAX) {
        return NULL;
    }
    /* EVP_DecodeBlock() skips whitespace and reads on past a stray '=':
     * check the alphabet first so that only one spelling is accepted. */
    while (pad < 2 && s[n - 1 - pad] == '=') {
        pad++;
    }
    for (i = 0; i < n - pad; i++) {
        if (!b64_char((unsigned char)s[i])) {
            return NULL;
        }
    }
    out = malloc(n / 4 * 3 + 1);
    if (!out) {
        return NULL;
    }
    r = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
    if (r < 0 || (size_t)r < pad) {
        free(out);
        return NULL;
    }
    /* EVP_DecodeBlock() counts the padding as zero bytes. */
    *outlen = (size_t)r - pad;
    /* Only the canonical spelling: stray bits before the padding would
     * give one key two texts (found by fuzzing), and lines are compared
     * as text. */
    canon = xgb_b64_encode(out, *outlen);
    if (!canon || strlen(canon) != n || memcmp(canon, s, n) != 0) {
        free(canon);
        free(out);
        return NULL;
    }
    free(canon);
    return out;
}

char *xgb_sshkey_fingerprint(const unsigned char *blob, size_t len)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char *b64, *out, *eq;

    if (!EVP_Digest(blob, len, md, &mdlen, EVP_sha256(), NULL)) {
        return NULL;
    }
    b64 = xgb_b64_encode(md, mdlen);
    if (!b64) {
        return NULL;
    }
    eq = strchr(b64, '=');
    if (eq) {
        *eq = '\0';
    }
    out = malloc(strlen(b64) + sizeof("SHA256:"));
    if (out) {
        strcpy(out, "SHA256:");
        strcat(out, b64);
    }
    free(b64);
    return out;
}

/* --- authorized_keys lines ------------------------------------------- */

/* End of the options field starting at s: the first space outside
 * double quotes.  NULL if a quote is left open. */
static const char *options_end(const char *s)
{
    int quoted = 0;

    for (; *s; s++) {
        if (quoted && *s == '\\' && s[1] == '"') {
            s++;
        }
        else if (*s == '"') {
            quoted = !quoted;
        }
        else if (*s == ' ' && !quoted) {
            return s;
        }
    }
    return quoted ? NULL : s;
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);

    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

void xgb_keyline_free(xgb_keyline_t *kl)
{
    free(kl->options);
    free(kl->type);
    free(kl->base64);
    free(kl->comment);
    free(kl->blob);
    memset(kl, 0, sizeof(*kl));
}

int xgb_keyline_parse(const char *line, xgb_keyline_t *kl, const char **err)
{
    const char *p, *opt_end, *type, *b64, *end;
    const unsigned char *inner;
    size_t i, len, innerlen;
    xgb_rbuf_t r;

    memset(kl, 0, sizeof(*kl));
    if (!line) {
        *err = "no key line";
        return -1;
    }
    len = strnlen(line, XGB_KEYLINE_MAX + 1);
    if (len == 0) {
        *err = "empty key line";
        return -1;
    }
    if (len > XGB_KEYLINE_MAX) {
        *err = "key line too long";
        return -1;
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)line[i];

        if (c < 0x20 || c > 0x7e) {
            *err = (c == '\n' || c == '\r')
                   ? "key line holds a line break"
                   : "key line holds a control or non-ASCII character";
            return -1;
        }
    }
    p = line;
    end = strchr(p, ' ');
    if (!end) {
        end = p + len;
    }
    if (xgb_sshkey_type_known(p, end - p)) {
        kl->options = dup_n("", 0);
    }
    else {
        opt_end = options_end(p);
        if (!opt_end || *opt_end != ' ' || opt_end == p) {
            *err = "key line without a known key type";
            return -1;
        }
        kl->options = dup_n(p, opt_end - p);
        p = opt_end + 1;
    }
    type = p;
    end = strchr(type, ' ');
    if (!end || !xgb_sshkey_type_known(type, end - type)) {
        *err = end || !xgb_sshkey_type_known(type, strlen(type))
               ? "unknown key type" : "key line without key data";
        xgb_keyline_free(kl);
        return -1;
    }
    kl->type = dup_n(type, end - type);
    b64 = end + 1;
    end = strchr(b64, ' ');
    if (!end) {
        end = b64 + strlen(b64);
    }
    kl->base64 = dup_n(b64, end - b64);
    kl->comment = dup_n(*end ? end + 1 : end, strlen(*end ? end + 1 : end));
    if (!kl->options || !kl->type || !kl->base64 || !kl->comment) {
        *err = "out of memory";
        xgb_keyline_free(kl);
        return -1;
    }
    kl->blob = xgb_b64_decode(kl->base64, strlen(kl->base64), &kl->bloblen);
    if (!kl->blob) {
        *err = "key is not valid base64";
        xgb_keyline_free(kl);
        return -1;
    }
    /* The blob names its own type first; a line whose text and blob
     * disagree is forged or broken. */
    r.d = kl->blob;
    r.left = kl->bloblen;
    if (!xgb_rbuf_string(&r, &inner, &innerlen) || innerlen != strlen(kl->type)
        || memcmp(inner, kl->type, innerlen) != 0 || r.left == 0) {
        *err = "key data does not match its key type";
        xgb_keyline_free(kl);
        return -1;
    }
    *err = NULL;
    return 0;
}

int xgb_keyline_options_restrictive(const char *options)
{
    const char *p = options, *comma;

    if (!options) {
        return 0;
    }
    if (!*options) {
        return 1;
    }
    for (;;) {
        comma = strchr(p, ',');
        /* an empty item (",," or a trailing comma) is no restriction */
        if (!in_list(restrictions, p, comma ? (size_t)(comma - p)
                                            : strlen(p))) {
            return 0;
        }
        if (!comma) {
            return 1;
        }
        p = comma + 1;
    }
}

char *xgb_keyline_expiring(const xgb_keyline_t *kl, time_t until)
{
    char stamp[32], *line;
    struct tm tm;
    size_t n;

    until = (until + 59) / 60 * 60;
    if (!gmtime_r(&until, &tm)
        || !strftime(stamp, sizeof(stamp), "%Y%m%d%H%MZ", &tm)) {
        return NULL;
    }
    n = strlen(stamp) + strlen(kl->options) + strlen(kl->type)
        + strlen(kl->base64) + strlen(kl->comment) + 32;
    line = malloc(n);
    if (line) {
        snprintf(line, n, "expiry-time=\"%s\"%s%s %s %s%s%s", stamp,
                 *kl->options ? "," : "", kl->options, kl->type, kl->base64,
                 *kl->comment ? " " : "", kl->comment);
    }
    return line;
}

int xgb_keyline_comment_ok(const char *comment)
{
    const char *c;

    for (c = comment; c && *c; c++) {
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z')
              || (*c >= '0' && *c <= '9') || strchr("@._:+=-", *c))) {
            return 0;
        }
    }
    return comment != NULL;
}

/* --- public half of a private key file -------------------------------- */

/* SSH "mpint": BN_bn2mpi() writes exactly that for the non-negative
 * numbers of public keys (length, big-endian bytes, a leading zero byte
 * when the top bit is set). */
static int put_bn_param(xgb_buf_t *b, EVP_PKEY *pkey, const char *name)
{
    BIGNUM *bn = NULL;
    unsigned char *tmp;
    int n, ok = 0;

    if (!EVP_PKEY_get_bn_param(pkey, name, &bn)) {
        return 0;
    }
    n = BN_bn2mpi(bn, NULL);
    if (n >= 4 && !BN_is_negative(bn) && (tmp = malloc(n)) != NULL) {
        BN_bn2mpi(bn, tmp);
        xgb_buf_put(b, tmp, n);
        free(tmp);
        ok = 1;
    }
    BN_free(bn);
    return ok;
}

/* A BIGNUM parameter left-padded with zeros to `width` bytes. */
static int put_bn_fixed(xgb_buf_t *b, EVP_PKEY *pkey, const char *name,
                        int width)
{
    unsigned char tmp[66];      /* the widest field: P-521 */
    BIGNUM *bn = NULL;
    int ok;

    if (width > (int)sizeof(tmp)
        || !EVP_PKEY_get_bn_param(pkey, name, &bn)) {
        BN_free(bn);
        return 0;
    }
    ok = BN_bn2binpad(bn, tmp, width) == width;
    BN_free(bn);
    if (ok) {
        xgb_buf_put(b, tmp, width);
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

static void set_type(char *type, const char *name)
{
    strncpy(type, name, XGB_KEYTYPE_MAX);
    type[XGB_KEYTYPE_MAX] = '\0';
}

static const char *blob_from_pkey(EVP_PKEY *pkey, xgb_buf_t *b, char *type)
{
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        /* RFC 4253 6.6: "ssh-rsa", e, n */
        set_type(type, "ssh-rsa");
        xgb_buf_string(b, type, strlen(type));
        if (!put_bn_param(b, pkey, OSSL_PKEY_PARAM_RSA_E)
            || !put_bn_param(b, pkey, OSSL_PKEY_PARAM_RSA_N)) {
            return "incomplete RSA key";
        }
    }
    else if (EVP_PKEY_is_a(pkey, "DSA")) {
        /* RFC 4253 6.6: "ssh-dss", p, q, g, y */
        set_type(type, "ssh-dss");
        xgb_buf_string(b, type, strlen(type));
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
            return "EC curve has no SSH key type";
        }
        strcpy(type, "ecdsa-sha2-");
        strcat(type, curve);
        xgb_buf_string(b, type, strlen(type));
        xgb_buf_string(b, curve, strlen(curve));
        /* The point, uncompressed (SEC1 2.3.3), whatever form the file
         * used: 1 + 2 * field size bytes. */
        xgb_buf_u32(b, (uint32_t)(1 + 2 * bytes));
        xgb_buf_put(b, &uncompressed, 1);
        if (!put_bn_fixed(b, pkey, OSSL_PKEY_PARAM_EC_PUB_X, bytes)
            || !put_bn_fixed(b, pkey, OSSL_PKEY_PARAM_EC_PUB_Y, bytes)) {
            return "incomplete EC key";
        }
    }
    else if (EVP_PKEY_is_a(pkey, "ED25519")) {
        unsigned char raw[32];
        size_t rlen = sizeof(raw);

        /* RFC 8709 4: "ssh-ed25519", the 32-byte public key */
        set_type(type, "ssh-ed25519");
        if (!EVP_PKEY_get_raw_public_key(pkey, raw, &rlen)
            || rlen != sizeof(raw)) {
            return "incomplete Ed25519 key";
        }
        xgb_buf_string(b, type, strlen(type));
        xgb_buf_string(b, raw, rlen);
    }
    else {
        return "unsupported key type";
    }
    return b->failed ? "out of memory" : NULL;
}

/* Never prompt: an encrypted PEM key is simply not usable here. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf; (void)size; (void)rwflag; (void)u;
    return -1;
}

static const char *blob_from_pem(const char *data, size_t len,
                                 xgb_buf_t *b, char *type)
{
    BIO *bio;
    EVP_PKEY *pkey;
    const char *err;

    if (len > INT_MAX) {
        return "file too large";
    }
    bio = BIO_new_mem_buf(data, (int)len);
    if (!bio) {
        return "out of memory";
    }
    /* Takes traditional ("RSA/DSA/EC PRIVATE KEY") and PKCS#8 ("PRIVATE
     * KEY") blocks and steps over others, such as the "EC PARAMETERS"
     * block that openssl ecparam writes in front of the key. */
    pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    BIO_free(bio);
    if (!pkey) {
        /* leave no stale error behind for other OpenSSL users in this
         * thread (mod_ssl) */
        ERR_clear_error();
        return "no unencrypted PEM private key";
    }
    err = blob_from_pkey(pkey, b, type);
    EVP_PKEY_free(pkey);
    ERR_clear_error();
    return err;
}

/* Base64 spread over lines, as in a PEM-style armour. */
static unsigned char *b64_decode_lines(const char *s, size_t n,
                                       size_t *outlen)
{
    char *clean = malloc(n + 1);
    unsigned char *out;
    size_t i, m = 0;

    if (!clean) {
        return NULL;
    }
    for (i = 0; i < n; i++) {
        if (s[i] != '\n' && s[i] != '\r' && s[i] != ' ' && s[i] != '\t') {
            clean[m++] = s[i];
        }
    }
    out = xgb_b64_decode(clean, m, outlen);
    free(clean);
    return out;
}

static const char *blob_from_openssh(const char *data, xgb_buf_t *b,
                                     char *type)
{
    const char *begin, *end, *err = NULL;
    const unsigned char *field, *blob;
    unsigned char *raw;
    size_t rawlen, flen, bloblen, i;
    uint32_t nkeys;
    xgb_rbuf_t r, rb;

    begin = strstr(data, OPENSSH_BEGIN);
    /* the END marker is looked for after the BEGIN marker: the dashes of
     * the two may overlap ("...KEY-----END ..."), found by fuzzing */
    if (begin) {
        begin += strlen(OPENSSH_BEGIN);
    }
    end = begin ? strstr(begin, OPENSSH_END) : NULL;
    if (!begin || !end) {
        return "truncated OpenSSH key";
    }
    raw = b64_decode_lines(begin, end - begin, &rawlen);
    if (!raw) {
        return "OpenSSH key is not valid base64";
    }
    if (rawlen < sizeof(OPENSSH_MAGIC)
        || memcmp(raw, OPENSSH_MAGIC, sizeof(OPENSSH_MAGIC)) != 0) {
        free(raw);
        return "not an openssh-key-v1 key";
    }
    r.d = raw + sizeof(OPENSSH_MAGIC);
    r.left = rawlen - sizeof(OPENSSH_MAGIC);
    /* ciphername, kdfname, kdfoptions: not needed for the public part */
    for (i = 0; i < 3 && !err; i++) {
        if (!xgb_rbuf_string(&r, &field, &flen)) {
            err = "truncated OpenSSH key header";
        }
    }
    if (!err && (!xgb_rbuf_u32(&r, &nkeys) || nkeys < 1)) {
        err = "OpenSSH key file holds no key";
    }
    if (!err && !xgb_rbuf_string(&r, &blob, &bloblen)) {
        err = "truncated OpenSSH public key";
    }
    if (!err) {
        /* The type name goes into output lines: it must be a plain
         * token. */
        rb.d = blob;
        rb.left = bloblen;
        if (!xgb_rbuf_string(&rb, &field, &flen) || flen == 0
            || flen > XGB_KEYTYPE_MAX) {
            err = "OpenSSH public key without a type";
        }
        for (i = 0; !err && i < flen; i++) {
            unsigned char c = field[i];

            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                  || (c >= '0' && c <= '9') || strchr("-_.@", c))
                || c == '\0') {
                err = "OpenSSH public key with a garbled type";
            }
        }
    }
    if (!err) {
        memcpy(type, field, flen);
        type[flen] = '\0';
        xgb_buf_put(b, blob, bloblen);
        if (b->failed) {
            err = "out of memory";
        }
    }
    free(raw);
    return err;
}

int xgb_sshkey_blob_from_private(const char *data, size_t len,
                                 xgb_buf_t *blob, char *type,
                                 const char **err)
{
    /* The parsers work on C strings: a NUL would silently cut the key
     * short. */
    if (strlen(data) != len) {
        *err = "binary data in key file";
        return -1;
    }
    /* OpenSSL does not know OpenSSH's own container; everything else is
     * left to OpenSSL, which says what it does not understand. */
    if (strstr(data, OPENSSH_BEGIN)) {
        *err = blob_from_openssh(data, blob, type);
    }
    else {
        *err = blob_from_pem(data, len, blob, type);
    }
    return *err ? -1 : 0;
}
