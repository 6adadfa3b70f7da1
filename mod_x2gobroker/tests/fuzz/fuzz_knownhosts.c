/*
 * fuzz_knownhosts.c - libFuzzer target: any bytes as a known_hosts file,
 * through the SSH client's own scan (xgb_ssh_known_hosts_scan) and into
 * libssh2's line parser and host check, as xgb_ssh_connect() uses them.
 *
 *   make fuzz-knownhosts && ./fuzz-knownhosts -max_total_time=300
 *
 * Beyond "no crash" (and no leak: LeakSanitizer watches libssh2 too):
 * the scan must hand on exactly the entries a plain reading of the rules
 * in xgb_sshclient.h finds (written differently below, index by index),
 * each one NUL-terminated, without newlines or leading blanks.
 */
#include <stdlib.h>
#include <string.h>

#include <libssh2.h>

#include "xgb_sshclient.h"

#define CHECK(cond) \
    do { \
        if (!(cond)) { \
            abort(); \
        } \
    } while (0)

/* An Ed25519 host key blob (ssh-ed25519, 32 bytes of key). */
static const unsigned char ed25519_blob[51] = {
    0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9',
    0, 0, 0, 32,
    0x05, 0x36, 0xb0, 0x41, 0x8a, 0xe9, 0x96, 0x68, 0xb6, 0xf8, 0x0d, 0xae,
    0x1e, 0x2d, 0x49, 0x5d, 0xe2, 0x98, 0x50, 0xde, 0x00, 0x8f, 0x7b, 0xad,
    0x14, 0x4b, 0x6c, 0x71, 0x2a, 0xf1, 0xd5, 0x91
};

typedef struct {
    const unsigned char *data;  /* the input, for the reference reading */
    size_t size;
    size_t pos;                 /* where the reference reading is */
    LIBSSH2_KNOWNHOSTS *kh;
    LIBSSH2_KNOWNHOSTS *revoked;
} ctx_t;

static int is_b64(unsigned char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z')
           || (ch >= '0' && ch <= '9') || ch == '+' || ch == '/';
}

/* data[b..e) starts a hashed name but not OpenSSH's exact form? */
static int bad_hash(const unsigned char *d, size_t b, size_t e)
{
    static const char shape[] = "|1|bbbbbbbbbbbbbbbbbbbbbbbbbbb=|"
                                "bbbbbbbbbbbbbbbbbbbbbbbbbbb= ";
    size_t i;

    if (e - b < 3 || memcmp(d + b, "|1|", 3)) {
        return 0;
    }
    for (i = 0; shape[i]; i++) {
        if (b + i >= e) {
            return 1;
        }
        if (shape[i] == 'b' ? !is_b64(d[b + i])
            : shape[i] == ' ' ? d[b + i] != ' ' && d[b + i] != '\t'
            : d[b + i] != (unsigned char)shape[i]) {
            return 1;
        }
    }
    return 0;
}

/*
 * The next entry by the rules in xgb_sshclient.h, from ctx->pos on:
 * kind, start and length in the input, or 0 at the end.
 */
static int next_entry(ctx_t *c, xgb_ssh_kh_kind_t *kind, size_t *start,
                      size_t *len)
{
    while (c->pos < c->size) {
        size_t b = c->pos, e = b, text_end;

        while (e < c->size && c->data[e] != '\n') {
            e++;
        }
        c->pos = e + 1;
        text_end = b;
        while (text_end < e && c->data[text_end] != '\0') {
            text_end++;
        }
        if (text_end > b && c->data[text_end - 1] == '\r') {
            text_end--;
        }
        while (b < text_end && (c->data[b] == ' ' || c->data[b] == '\t')) {
            b++;
        }
        if (b == text_end || c->data[b] == '#') {
            continue;
        }
        if (c->data[b] != '@') {
            if (bad_hash(c->data, b, text_end)) {
                continue;
            }
            *kind = XGB_SSH_KH_HOST;
            *start = b;
            *len = text_end - b;
            return 1;
        }
        if (text_end - b > 8 && !memcmp(c->data + b, "@revoked", 8)
            && (c->data[b + 8] == ' ' || c->data[b + 8] == '\t')) {
            b += 8;
            while (b < text_end
                   && (c->data[b] == ' ' || c->data[b] == '\t')) {
                b++;
            }
            if (b < text_end && !bad_hash(c->data, b, text_end)) {
                *kind = XGB_SSH_KH_REVOKED;
                *start = b;
                *len = text_end - b;
                return 1;
            }
        }
    }
    return 0;
}

static void on_line(void *baton, xgb_ssh_kh_kind_t kind, const char *line,
                    size_t len)
{
    ctx_t *c = baton;
    xgb_ssh_kh_kind_t want;
    size_t start, n;

    CHECK(next_entry(c, &want, &start, &n));
    CHECK(kind == want && len == n && !memcmp(line, c->data + start, n));
    CHECK(line[len] == '\0' && len > 0 && line[0] != ' ' && line[0] != '\t');
    CHECK(memchr(line, '\n', len) == NULL);
    libssh2_knownhost_readline(kind == XGB_SSH_KH_REVOKED ? c->revoked
                                                          : c->kh,
                               line, len, LIBSSH2_KNOWNHOST_FILE_OPENSSH);
}

/* Ask about a few hosts, and write every entry back out, as the client
 * does on AUTOADD. */
static void use(LIBSSH2_KNOWNHOSTS *kh)
{
    static const char *const hosts[] = { "x2go1", "[x2go1]:2222",
                                         "10.0.0.1", "x2go1.example.org" };
    struct libssh2_knownhost *entry = NULL;
    char line[16384];
    size_t i, len;

    for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        libssh2_knownhost_checkp(kh, hosts[i], -1,
                                 (const char *)ed25519_blob,
                                 sizeof(ed25519_blob),
                                 LIBSSH2_KNOWNHOST_TYPE_PLAIN
                                 | LIBSSH2_KNOWNHOST_KEYENC_RAW
                                 | LIBSSH2_KNOWNHOST_KEY_ED25519, NULL);
        libssh2_knownhost_checkp(kh, hosts[i], -1, "-", 1,
                                 LIBSSH2_KNOWNHOST_TYPE_PLAIN
                                 | LIBSSH2_KNOWNHOST_KEYENC_BASE64
                                 | LIBSSH2_KNOWNHOST_KEY_SSHRSA, NULL);
    }
    while (libssh2_knownhost_get(kh, &entry, entry) == 0) {
        libssh2_knownhost_writeline(kh, entry, line, sizeof(line), &len,
                                    LIBSSH2_KNOWNHOST_FILE_OPENSSH);
    }
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static LIBSSH2_SESSION *session;
    xgb_ssh_kh_kind_t kind;
    size_t start, len;
    ctx_t c;

    if (!session) {
        libssh2_init(0);
        session = libssh2_session_init();
        if (!session) {
            abort();
        }
    }
    memset(&c, 0, sizeof(c));
    c.data = data;
    c.size = size;
    c.kh = libssh2_knownhost_init(session);
    c.revoked = libssh2_knownhost_init(session);
    CHECK(c.kh && c.revoked);
    CHECK(xgb_ssh_known_hosts_scan((const char *)data, size, on_line, &c)
          == 0);
    /* nothing left that the scan should have found */
    CHECK(!next_entry(&c, &kind, &start, &len));
    use(c.kh);
    use(c.revoked);
    libssh2_knownhost_free(c.kh);
    libssh2_knownhost_free(c.revoked);
    return 0;
}
