/*
 * xgb_sshkey.h - SSH public keys: wire-format blobs, authorized_keys
 * lines, fingerprints, and the public half of a private key file.
 *
 * Shared by the setuid agent (checks the key lines the broker asks it to
 * install), the admin tools (keygen's fingerprint, pubkeyauthorizer's
 * lines) and the module (pubkeys/).  libc and libcrypto only; every
 * returned string is malloc'd and belongs to the caller.
 */
#ifndef XGB_SSHKEY_H
#define XGB_SSHKEY_H

#include <stddef.h>
#include <time.h>

#include "xgb_buf.h"

/* Longest authorized_keys line accepted (a 16384-bit RSA key with
 * options and a comment fits with room to spare). */
#define XGB_KEYLINE_MAX 16384

/* Longest key type name (the longest real one,
 * sk-ecdsa-sha2-nistp256@openssh.com, has 34 characters). */
#define XGB_KEYTYPE_MAX 64

/* Is this one of the key types the project installs: ssh-ed25519,
 * ecdsa-sha2-nistp256/384/521, ssh-rsa, ssh-dss? */
int xgb_sshkey_type_known(const char *type, size_t len);

/* Base64 in one line, as authorized_keys has it. */
char *xgb_b64_encode(const unsigned char *d, size_t n);

/* Strict base64: only the alphabet, length a multiple of 4, padding only
 * at the end, no stray bits before it (one text per byte string).  NULL
 * if the text is not that. */
unsigned char *xgb_b64_decode(const char *s, size_t n, size_t *outlen);

/* "SHA256:<base64 without padding>", as ssh-keygen -l prints it. */
char *xgb_sshkey_fingerprint(const unsigned char *blob, size_t len);

/* An authorized_keys line split into its fields. */
typedef struct {
    char *options;          /* "" when the line has none */
    char *type;
    char *base64;
    char *comment;          /* "" when the line has none */
    unsigned char *blob;    /* the decoded key */
    size_t bloblen;
} xgb_keyline_t;

/**
 * Parse and check one authorized_keys line: at most XGB_KEYLINE_MAX
 * bytes, printable ASCII only (so no second line, no NUL, no escape
 * sequences), an optional options field ("..." values may hold spaces and
 * \"), a known key type, base64 whose blob names that same type, and an
 * optional comment.  Returns 0, or -1 with *err saying why.
 */
int xgb_keyline_parse(const char *line, xgb_keyline_t *kl, const char **err);
void xgb_keyline_free(xgb_keyline_t *kl);

/* What a broker's pubkeys/ lines restrict its key to, after the forced
 * command of the agent (the reference's list). */
#define XGB_AGENT_KEY_RESTRICTIONS \
    "no-port-forwarding,no-X11-forwarding,no-agent-forwarding,no-pty"

/* Does an options field hold nothing but restrictions (no-pty,
 * no-X11-forwarding, no-agent-forwarding, no-port-forwarding,
 * no-user-rc, restrict)?  An empty field does. */
int xgb_keyline_options_restrictive(const char *options);

/* The line an agent installs for kl: sshd's expiry-time="YYYYMMDDhhmmZ"
 * (UTC) for `until` rounded up to the minute, kl's options (only
 * restrictions: the caller checked), its key and comment.  malloc'd, or
 * NULL. */
char *xgb_keyline_expiring(const xgb_keyline_t *kl, time_t until);

/* May a comment stand in a key line that an agent installs?  Only
 * [A-Za-z0-9@._:+=-] (user@host, addresses): nothing a later reader of
 * the file, or of a log, could take for more than a label.  An empty
 * comment may. */
int xgb_keyline_comment_ok(const char *comment);

/**
 * The public key blob of a private key file's content: PEM (traditional
 * or unencrypted PKCS#8, via OpenSSL: RSA, DSA, NIST ECDSA, Ed25519) or
 * OpenSSH's own format, whose public key is readable even when the
 * private part is encrypted.  Appends the blob to *blob and copies the
 * key type name into type[XGB_KEYTYPE_MAX + 1].  Returns 0, or -1 with
 * *err saying why.  data must be NUL-terminated at data[len].
 */
int xgb_sshkey_blob_from_private(const char *data, size_t len,
                                 xgb_buf_t *blob, char *type,
                                 const char **err);

#endif
