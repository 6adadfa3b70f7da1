/*
 * xgb_sshclient.c - SSH connections to broker agents (libssh2).
 *
 * The session is non-blocking from the start: every libssh2 call that
 * says EAGAIN is repeated after poll() on the socket, and gives up when
 * the deadline of the step passes.  libssh2's own timeout
 * (libssh2_session_set_timeout) only bounds blocking calls, which are
 * used here in one place: the goodbye in xgb_ssh_close().
 */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <libssh2.h>

#include "xgb_sshclient.h"
#include "xgb_sshkey.h"
#include "xgb_valid.h"

/* libssh2 keeps host names of known_hosts lines in 256-byte buffers. */
#define HOST_MAX 200

/* What xgb_ssh_close() grants the goodbye. */
#define CLOSE_TIMEOUT_MS 1000

struct xgb_ssh_conn {
    LIBSSH2_SESSION *session;
    int fd;
    int usable;
    char where[HOST_MAX + 32];              /* "<host> port <n>" */
    char hostspec[HOST_MAX + 16];           /* as known_hosts names it */
    char hostkey[XGB_KEYTYPE_MAX + 64];     /* "<type> SHA256:..." */
};

const char *xgb_ssh_status_name(xgb_ssh_status_t status)
{
    switch (status) {
    case XGB_SSH_OK:
        return "ok";
    case XGB_SSH_UNREACHABLE:
        return "unreachable";
    case XGB_SSH_HOSTKEY_UNKNOWN:
        return "host key unknown";
    case XGB_SSH_HOSTKEY_CHANGED:
        return "host key changed";
    case XGB_SSH_AUTH_REFUSED:
        return "authentication refused";
    case XGB_SSH_PROTOCOL:
        return "SSH protocol error";
    case XGB_SSH_EXEC:
        return "command failed";
    case XGB_SSH_KEY:
        return "private key unusable";
    case XGB_SSH_INTERNAL:
        return "internal error";
    }
    return "unknown status";
}

static xgb_ssh_status_t fail(xgb_ssh_error_t *e, xgb_ssh_status_t st,
                             const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static xgb_ssh_status_t fail(xgb_ssh_error_t *e, xgb_ssh_status_t st,
                             const char *fmt, ...)
{
    va_list ap;

    e->status = st;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return st;
}

/* Milliseconds on a clock that does not jump with the wall time. */
static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int poll_ms(long long deadline, long long cap)
{
    long long left = deadline - now_ms();

    if (left > cap) {
        left = cap;
    }
    return left < 0 ? 0 : (int)left;
}

/* libssh2's last error text. */
static const char *ssh_errmsg(LIBSSH2_SESSION *s)
{
    char *msg = NULL;

    libssh2_session_last_error(s, &msg, NULL, 0);
    return msg && *msg ? msg : "unknown error";
}

/*
 * Wait until the socket can do what libssh2 was blocked on.  0: try
 * again; -1: the deadline has passed.
 */
static int wait_io(xgb_ssh_conn_t *c, long long deadline)
{
    struct pollfd pfd;
    int dir, cap = INT_MAX;

    if (now_ms() >= deadline) {
        return -1;
    }
    dir = libssh2_session_block_directions(c->session);
    pfd.fd = c->fd;
    pfd.events = 0;
    pfd.revents = 0;
    if (dir & LIBSSH2_SESSION_BLOCK_INBOUND) {
        pfd.events |= POLLIN;
    }
    if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND) {
        pfd.events |= POLLOUT;
    }
    if (!pfd.events) {
        /* blocked on nothing in particular (data processed without
         * reaching the caller's channel): look again soon */
        pfd.events = POLLIN;
        cap = 10;
    }
    /* EINTR and a ready or timed-out poll all mean: call libssh2 again,
     * which says EAGAIN once more if it still cannot go on. */
    if (poll(&pfd, 1, poll_ms(deadline, cap)) < 0 && errno != EINTR) {
        return -1;
    }
    return 0;
}

/* Call a non-blocking libssh2 function until it stops saying EAGAIN or
 * the deadline passes: rc is then still LIBSSH2_ERROR_EAGAIN. */
#define NB_CALL(rc, c, deadline, call)                                  \
    do {                                                                \
        (rc) = (call);                                                  \
    } while ((rc) == LIBSSH2_ERROR_EAGAIN && wait_io((c), (deadline)) == 0)

/* --- TCP ------------------------------------------------------------- */

/* One non-blocking connect, bounded by deadline.  0 and *fdp, or an
 * errno value. */
static int try_connect(const struct addrinfo *ai, long long deadline,
                       int *fdp)
{
    struct pollfd pfd;
    socklen_t len = sizeof(int);
    int fd, rc, err = 0;

    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK
                | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        return errno;
    }
    /* An agent call is a few small packets each way: with Nagle's
     * algorithm meeting the server's delayed ACKs every call on a reused
     * connection waited some 40 ms for nothing. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        *fdp = fd;
        return 0;
    }
    if (errno != EINPROGRESS) {
        err = errno;
        close(fd);
        return err;
    }
    for (;;) {
        if (now_ms() >= deadline) {
            close(fd);
            return ETIMEDOUT;
        }
        pfd.fd = fd;
        pfd.events = POLLOUT;
        pfd.revents = 0;
        rc = poll(&pfd, 1, poll_ms(deadline, INT_MAX));
        if (rc > 0) {
            break;
        }
        if (rc < 0 && errno != EINTR) {
            err = errno;
            close(fd);
            return err;
        }
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
        err = errno;
    }
    if (err) {
        close(fd);
        return err;
    }
    *fdp = fd;
    return 0;
}

static xgb_ssh_status_t tcp_connect(xgb_ssh_conn_t *c, const char *host,
                                    int port, long long deadline,
                                    xgb_ssh_error_t *e)
{
    struct addrinfo hints, *res = NULL, *ai;
    char serv[8];
    int rc, err = ETIMEDOUT, naddr = 0;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = AI_NUMERICSERV;
    snprintf(serv, sizeof(serv), "%d", port);
    rc = getaddrinfo(host, serv, &hints, &res);
    if (rc != 0) {
        return fail(e, XGB_SSH_UNREACHABLE, "%s unreachable: cannot "
                    "resolve %s: %s", c->where, host,
                    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
    }
    for (ai = res; ai; ai = ai->ai_next) {
        naddr++;
    }
    for (ai = res; ai && c->fd < 0; ai = ai->ai_next, naddr--) {
        long long left = deadline - now_ms();

        if (left <= 0) {
            err = ETIMEDOUT;
            break;
        }
        /* An address that swallows packets must not eat the time of
         * the ones after it: each gets its share of what is left. */
        err = try_connect(ai, now_ms() + left / naddr, &c->fd);
    }
    freeaddrinfo(res);
    if (c->fd < 0) {
        return fail(e, XGB_SSH_UNREACHABLE, "%s unreachable: %s", c->where,
                    err == ETIMEDOUT ? "connection timed out"
                                     : strerror(err));
    }
    return XGB_SSH_OK;
}

/* --- known_hosts ----------------------------------------------------- */

typedef struct {
    int mask;               /* LIBSSH2_KNOWNHOST_KEY_* */
    int hostkey_type;       /* LIBSSH2_HOSTKEY_TYPE_* */
    const char *name;
} key_kind_t;

static const key_kind_t key_kinds[] = {
    { LIBSSH2_KNOWNHOST_KEY_ED25519, LIBSSH2_HOSTKEY_TYPE_ED25519,
      "ssh-ed25519" },
    { LIBSSH2_KNOWNHOST_KEY_ECDSA_256, LIBSSH2_HOSTKEY_TYPE_ECDSA_256,
      "ecdsa-sha2-nistp256" },
    { LIBSSH2_KNOWNHOST_KEY_ECDSA_384, LIBSSH2_HOSTKEY_TYPE_ECDSA_384,
      "ecdsa-sha2-nistp384" },
    { LIBSSH2_KNOWNHOST_KEY_ECDSA_521, LIBSSH2_HOSTKEY_TYPE_ECDSA_521,
      "ecdsa-sha2-nistp521" },
    { LIBSSH2_KNOWNHOST_KEY_SSHRSA, LIBSSH2_HOSTKEY_TYPE_RSA, "ssh-rsa" },
    { 0, 0, NULL }
};

/*
 * A hashed host name must be as OpenSSH writes it: "|1|", the salt, "|",
 * the HMAC-SHA1, both 20 bytes in base64 (27 characters and a '=').
 * OpenSSH matches nothing else (it compares the re-encoded string), and
 * libssh2 1.10 leaks an HMAC context on every check against a hashed
 * name whose hash is not 20 bytes long, i.e. several times per connect.
 * Names that are not hashed are libssh2's to judge.
 */
static int hashed_name_ok(const char *entry)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                              "abcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *s;

    if (strncmp(entry, "|1|", 3) != 0) {
        return 1;
    }
    s = entry + 3;
    if (strspn(s, b64) != 27 || s[27] != '=' || s[28] != '|') {
        return 0;
    }
    s += 29;
    if (strspn(s, b64) != 27 || s[27] != '=') {
        return 0;
    }
    return s[28] == ' ' || s[28] == '\t';
}

int xgb_ssh_known_hosts_scan(const char *text, size_t len,
                             xgb_ssh_kh_line_fn *fn, void *baton)
{
    char *copy, *line, *nl, *end;
    size_t n, skip;

    if (!text || len == 0) {
        return 0;
    }
    /* our own copy, to end each line with a NUL: libssh2 wants the line
     * ended, with a newline after the given length it drops the key's
     * last character */
    copy = malloc(len + 1);
    if (!copy) {
        errno = ENOMEM;
        return -1;
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    end = copy + len;
    for (line = copy; line < end; line = nl + 1) {
        nl = memchr(line, '\n', (size_t)(end - line));
        if (!nl) {
            nl = end;
        }
        *nl = '\0';
        /* OpenSSH reads lines as C strings: a NUL ends the text of its
         * line only, not (as a plain strchr walk would) of the file,
         * where an @revoked line may still follow */
        n = strlen(line);
        /* a file saved with CRLF: OpenSSH's base64 decoder skips the CR,
         * libssh2 keeps it in the key: a false "changed" alarm for an
         * ordinary entry, and an @revoked entry that never matches */
        if (n && line[n - 1] == '\r') {
            line[--n] = '\0';
        }
        /* OpenSSH skips leading blanks before it looks for a marker;
         * " @revoked ..." is a revocation to it, so it is one here */
        skip = strspn(line, " \t");
        line += skip;
        n -= skip;
        if (n == 0 || line[0] == '#') {
            continue;
        }
        if (line[0] == '@') {
            if (!strncmp(line, "@revoked", 8)
                && (line[8] == ' ' || line[8] == '\t')) {
                line += 8 + strspn(line + 8, " \t");
                n = strlen(line);
                if (n && hashed_name_ok(line)) {
                    fn(baton, XGB_SSH_KH_REVOKED, line, n);
                }
            }
            /* @cert-authority: libssh2 knows no host certificates; an
             * unknown marker: OpenSSH ignores the line */
            continue;
        }
        if (hashed_name_ok(line)) {
            fn(baton, XGB_SSH_KH_HOST, line, n);
        }
    }
    free(copy);
    return 0;
}

typedef struct {
    LIBSSH2_KNOWNHOSTS *kh;
    LIBSSH2_KNOWNHOSTS *revoked;
} kh_sink_t;

static void kh_feed(void *baton, xgb_ssh_kh_kind_t kind, const char *line,
                    size_t len)
{
    kh_sink_t *k = baton;

    /* a line libssh2 rejects is one OpenSSH may know: skip it (and
     * libssh2_knownhost_readfile() would stop there, making every host
     * after it unknown) */
    libssh2_knownhost_readline(kind == XGB_SSH_KH_REVOKED ? k->revoked
                                                          : k->kh,
                               line, len, LIBSSH2_KNOWNHOST_FILE_OPENSSH);
}

/*
 * Read known_hosts into kh, and its @revoked entries into revoked (a key
 * listed there is refused for its hosts, as OpenSSH does); see
 * xgb_ssh_known_hosts_scan() for what counts as a line.  A missing file
 * is empty.
 * *ends_nl tells whether an append needs a newline first.  -1 with errno
 * if the file cannot be read.
 */
static int load_known_hosts(LIBSSH2_KNOWNHOSTS *kh,
                            LIBSSH2_KNOWNHOSTS *revoked, const char *path,
                            int *ends_nl)
{
    xgb_buf_t b = XGB_BUF_INIT;
    kh_sink_t sink;
    char chunk[8192];
    struct stat st;
    ssize_t n;
    int fd, saved, rc;

    *ends_nl = 1;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        return errno == ENOENT ? 0 : -1;
    }
    if (fstat(fd, &st) != 0) {
        saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > XGB_SSH_KNOWN_HOSTS_MAX) {
        close(fd);
        errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
        return -1;
    }
    for (;;) {
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        xgb_buf_put(&b, chunk, (size_t)n);
        if (b.len > XGB_SSH_KNOWN_HOSTS_MAX) {
            n = -1;
            errno = EFBIG;
            break;
        }
    }
    saved = errno;
    close(fd);
    if (n < 0 || b.failed) {
        xgb_buf_free(&b);
        errno = n < 0 ? saved : ENOMEM;
        return -1;
    }
    if (b.len == 0) {
        xgb_buf_free(&b);
        return 0;
    }
    *ends_nl = b.d[b.len - 1] == '\n';
    sink.kh = kh;
    sink.revoked = revoked;
    rc = xgb_ssh_known_hosts_scan((const char *)b.d, b.len, kh_feed,
                                  &sink);
    xgb_buf_free(&b);
    return rc;
}

/* Is there an entry of this key type for the host?  Checking a key that
 * cannot match tells: a listed host with that key type gives MISMATCH. */
static int host_has_type(LIBSSH2_KNOWNHOSTS *kh, const char *hostspec,
                         int mask)
{
    return libssh2_knownhost_checkp(kh, hostspec, -1, "-", 1,
                                    LIBSSH2_KNOWNHOST_TYPE_PLAIN
                                    | LIBSSH2_KNOWNHOST_KEYENC_BASE64 | mask,
                                    NULL)
           == LIBSSH2_KNOWNHOST_CHECK_MISMATCH;
}

/*
 * Offer the host key types known_hosts lists for this host first, as
 * OpenSSH's client does: a server with several host keys then shows the
 * one we know.  (libssh2 1.10 would otherwise ask for ECDSA before
 * Ed25519, and a host known by its Ed25519 key would look unknown.)
 */
static void prefer_known_types(xgb_ssh_conn_t *c, LIBSSH2_KNOWNHOSTS *kh)
{
    xgb_buf_t pref = XGB_BUF_INIT;
    const char **algs = NULL;
    const key_kind_t *k;
    char *list;
    int i, n, known = 0;

    for (k = key_kinds; k->name; k++) {
        if (host_has_type(kh, c->hostspec, k->mask)) {
            xgb_buf_puts(&pref, pref.len ? "," : "");
            xgb_buf_puts(&pref, k->name);
            known = 1;
        }
    }
    if (!known) {
        xgb_buf_free(&pref);
        return;
    }
    n = libssh2_session_supported_algs(c->session, LIBSSH2_METHOD_HOSTKEY,
                                       &algs);
    for (i = 0; i < n; i++) {
        for (k = key_kinds; k->name; k++) {
            if (!strcmp(algs[i], k->name)
                && host_has_type(kh, c->hostspec, k->mask)) {
                break;
            }
        }
        /* DSA host keys: OpenSSH no longer has them, never ask */
        if (!k->name && strcmp(algs[i], "ssh-dss") != 0) {
            xgb_buf_puts(&pref, ",");
            xgb_buf_puts(&pref, algs[i]);
        }
    }
    if (n > 0) {
        libssh2_free(c->session, algs);
    }
    list = xgb_buf_detach(&pref);
    /* a failure leaves libssh2's default order, which is no error */
    if (list) {
        libssh2_session_method_pref(c->session, LIBSSH2_METHOD_HOSTKEY,
                                    list);
    }
    free(list);
}

/* Append the host's key as a known_hosts line (policy AUTOADD).  NULL,
 * or why it failed. */
static const char *add_known_host(xgb_ssh_conn_t *c, LIBSSH2_KNOWNHOSTS *kh,
                                  const char *path, int ends_nl,
                                  const char *key, size_t keylen, int mask)
{
    struct libssh2_knownhost *entry = NULL;
    char line[16384];
    size_t len = 0, off = 0;
    ssize_t n;
    int fd;

    line[0] = '\n';
    if (!ends_nl) {
        off = 1;
    }
    if (libssh2_knownhost_addc(kh, c->hostspec, NULL, key, keylen, NULL, 0,
                               LIBSSH2_KNOWNHOST_TYPE_PLAIN
                               | LIBSSH2_KNOWNHOST_KEYENC_RAW | mask,
                               &entry) != 0
        || libssh2_knownhost_writeline(kh, entry, line + off,
                                       sizeof(line) - off, &len,
                                       LIBSSH2_KNOWNHOST_FILE_OPENSSH)
           != 0) {
        return ssh_errmsg(c->session);
    }
    len += off;
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY
              | O_NOFOLLOW, 0644);
    if (fd < 0) {
        return strerror(errno);
    }
    for (off = 0; off < len; off += (size_t)n) {
        n = write(fd, line + off, len - off);
        if (n < 0 && errno == EINTR) {
            n = 0;
            continue;
        }
        if (n <= 0) {
            int saved = n < 0 ? errno : EIO;

            close(fd);
            return strerror(saved);
        }
    }
    if (fsync(fd) != 0) {
        int saved = errno;

        close(fd);
        return strerror(saved);
    }
    if (close(fd) != 0) {
        return strerror(errno);
    }
    return NULL;
}

/* The key type name a key blob starts with. */
static void blob_type(const unsigned char *blob, size_t len, char *type)
{
    const unsigned char *s;
    size_t n;
    xgb_rbuf_t r;

    r.d = blob;
    r.left = len;
    strcpy(type, "unknown");
    if (xgb_rbuf_string(&r, &s, &n) && n > 0 && n <= XGB_KEYTYPE_MAX
        && memchr(s, '\0', n) == NULL) {
        memcpy(type, s, n);
        type[n] = '\0';
    }
}

static xgb_ssh_status_t check_hostkey(xgb_ssh_conn_t *c,
                                      LIBSSH2_KNOWNHOSTS *kh,
                                      LIBSSH2_KNOWNHOSTS *revoked,
                                      const char *known_hosts,
                                      int kh_errno, int ends_nl,
                                      xgb_ssh_hostkey_policy_t policy,
                                      xgb_ssh_error_t *e)
{
    char type[XGB_KEYTYPE_MAX + 1];
    const key_kind_t *k;
    const char *key, *why;
    char *fp;
    size_t keylen = 0;
    int keytype = 0, rc;

    key = libssh2_session_hostkey(c->session, &keylen, &keytype);
    if (!key || keylen == 0) {
        return fail(e, XGB_SSH_PROTOCOL, "%s: the server showed no host "
                    "key", c->where);
    }
    blob_type((const unsigned char *)key, keylen, type);
    fp = xgb_sshkey_fingerprint((const unsigned char *)key, keylen);
    if (!fp) {
        return fail(e, XGB_SSH_INTERNAL, "out of memory");
    }
    snprintf(c->hostkey, sizeof(c->hostkey), "%s %s", type, fp);
    free(fp);
    for (k = key_kinds; k->name && k->hostkey_type != keytype; k++) {
    }
    if (!k->name) {
        return fail(e, XGB_SSH_PROTOCOL, "%s: host key type %s is not "
                    "supported", c->where, type);
    }
    if (kh_errno) {
        /* without the list, a changed key would pass as a new one:
         * refuse under every policy */
        return fail(e, XGB_SSH_HOSTKEY_UNKNOWN, "host key of %s cannot be "
                    "verified: %s: cannot read %s: %s", c->hostspec,
                    c->hostkey, known_hosts, strerror(kh_errno));
    }
    /* The port goes into the name, not into checkp(): given a port,
     * libssh2 also accepts entries for the bare host name, i.e. for port
     * 22.  OpenSSH keeps the ports apart, and so do we. */
    if (libssh2_knownhost_checkp(revoked, c->hostspec, -1, key, keylen,
                                 LIBSSH2_KNOWNHOST_TYPE_PLAIN
                                 | LIBSSH2_KNOWNHOST_KEYENC_RAW | k->mask,
                                 NULL) == LIBSSH2_KNOWNHOST_CHECK_MATCH) {
        return fail(e, XGB_SSH_HOSTKEY_CHANGED, "host key of %s is "
                    "REVOKED: the server shows %s, which %s lists as "
                    "revoked; refusing to connect", c->hostspec, c->hostkey,
                    known_hosts);
    }
    rc = libssh2_knownhost_checkp(kh, c->hostspec, -1, key, keylen,
                                  LIBSSH2_KNOWNHOST_TYPE_PLAIN
                                  | LIBSSH2_KNOWNHOST_KEYENC_RAW | k->mask,
                                  NULL);
    switch (rc) {
    case LIBSSH2_KNOWNHOST_CHECK_MATCH:
        return XGB_SSH_OK;
    case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
        return fail(e, XGB_SSH_HOSTKEY_CHANGED, "host key of %s has "
                    "CHANGED: the server shows %s, but %s lists another "
                    "%s key for it (someone may be intercepting the "
                    "connection); refusing to connect", c->hostspec,
                    c->hostkey, known_hosts, type);
    case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
        break;
    default:
        return fail(e, XGB_SSH_INTERNAL, "%s: checking the host key "
                    "failed: %s", c->where, ssh_errmsg(c->session));
    }
    switch (policy) {
    case XGB_SSH_HOSTKEY_AUTOADD:
        why = add_known_host(c, kh, known_hosts, ends_nl, key, keylen,
                             k->mask);
        if (why) {
            snprintf(e->msg, sizeof(e->msg), "warning: accepted the unknown "
                     "host key of %s (%s) but could not add it to %s: %s",
                     c->hostspec, c->hostkey, known_hosts, why);
        }
        else {
            snprintf(e->msg, sizeof(e->msg), "added the host key of %s "
                     "(%s) to %s", c->hostspec, c->hostkey, known_hosts);
        }
        return XGB_SSH_OK;
    case XGB_SSH_HOSTKEY_WARNING:
        snprintf(e->msg, sizeof(e->msg), "warning: accepted the unknown "
                 "host key of %s (%s) without verification", c->hostspec,
                 c->hostkey);
        return XGB_SSH_OK;
    case XGB_SSH_HOSTKEY_REJECT:
        break;
    }
    return fail(e, XGB_SSH_HOSTKEY_UNKNOWN, "host key of %s is unknown: %s "
                "is not listed in %s", c->hostspec, c->hostkey,
                known_hosts);
}

/* --- authentication -------------------------------------------------- */

static xgb_ssh_status_t authenticate(xgb_ssh_conn_t *c, const char *user,
                                     const char *key, size_t keylen,
                                     const char *keydesc, long long deadline,
                                     xgb_ssh_error_t *e)
{
    char *methods;
    int rc;

    /* Asking for the methods also tries "none", which a server may
     * accept. */
    for (;;) {
        methods = libssh2_userauth_list(c->session, user,
                                        (unsigned int)strlen(user));
        if (methods || libssh2_userauth_authenticated(c->session)) {
            break;
        }
        if (libssh2_session_last_errno(c->session) != LIBSSH2_ERROR_EAGAIN) {
            return fail(e, XGB_SSH_PROTOCOL, "%s: SSH authentication "
                        "failed: %s", c->where, ssh_errmsg(c->session));
        }
        if (wait_io(c, deadline) != 0) {
            return fail(e, XGB_SSH_PROTOCOL, "%s: timed out during SSH "
                        "authentication", c->where);
        }
    }
    if (!methods) {
        return XGB_SSH_OK;
    }
    if (!strstr(methods, "publickey")) {
        return fail(e, XGB_SSH_AUTH_REFUSED, "authentication as %s on %s "
                    "refused: the server accepts no public keys (only %s)",
                    user, c->where, methods);
    }
    /* No public key text: libssh2 derives it from the private key.  The
     * private key must be NUL-terminated (libssh2 takes its strlen). */
    NB_CALL(rc, c, deadline,
            libssh2_userauth_publickey_frommemory(c->session, user,
                                                  strlen(user), NULL, 0,
                                                  key, keylen, NULL));
    switch (rc) {
    case 0:
        return XGB_SSH_OK;
    case LIBSSH2_ERROR_EAGAIN:
        return fail(e, XGB_SSH_PROTOCOL, "%s: timed out during SSH "
                    "authentication", c->where);
    case LIBSSH2_ERROR_AUTHENTICATION_FAILED:  /* = PUBLICKEY_UNRECOGNIZED */
    case LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
        return fail(e, XGB_SSH_AUTH_REFUSED, "authentication as %s on %s "
                    "refused for key %s%s", user, c->where, keydesc,
#if LIBSSH2_VERSION_NUM < 0x010b00
                    /* 1.10 signs with SHA-1 only; OpenSSH 8.8 and later
                     * refuse that by default */
                    !strncmp(keydesc, "ssh-rsa ", 8)
                    ? " (libssh2 " LIBSSH2_VERSION " can only make ssh-rsa "
                      "SHA-1 signatures, which current OpenSSH refuses: "
                      "use an ed25519 key)" :
#endif
                    "");
    case LIBSSH2_ERROR_FILE:
    case LIBSSH2_ERROR_METHOD_NONE:
        return fail(e, XGB_SSH_KEY, "cannot use the private key %s: %s",
                    keydesc, ssh_errmsg(c->session));
    default:
        return fail(e, XGB_SSH_PROTOCOL, "%s: SSH authentication failed: "
                    "%s", c->where, ssh_errmsg(c->session));
    }
}

/* --- connections ----------------------------------------------------- */

static int host_ok(const char *host)
{
    size_t i, len;

    if (!host) {
        return 0;
    }
    len = strnlen(host, HOST_MAX + 1);
    if (len == 0 || len > HOST_MAX || host[0] == '-') {
        return 0;
    }
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)host[i];

        if (ch <= 0x20 || ch > 0x7e || ch == ',' || ch == '[' || ch == ']') {
            return 0;
        }
    }
    return 1;
}

xgb_ssh_status_t xgb_ssh_connect(const char *host, int port, int timeout_ms,
                                 const char *user, const char *privkey,
                                 size_t privkey_len, const char *known_hosts,
                                 xgb_ssh_hostkey_policy_t policy,
                                 xgb_ssh_conn_t **conn, xgb_ssh_error_t *e)
{
    xgb_buf_t blob = XGB_BUF_INIT;
    LIBSSH2_KNOWNHOSTS *kh = NULL, *revoked = NULL;
    xgb_ssh_conn_t *c = NULL;
    char keytype[XGB_KEYTYPE_MAX + 1], keydesc[XGB_KEYTYPE_MAX + 64];
    char *key = NULL, *fp;
    const char *why;
    long long deadline;
    int rc, kh_errno = 0, ends_nl = 1;
    xgb_ssh_status_t st;

    *conn = NULL;
    e->status = XGB_SSH_OK;
    e->msg[0] = '\0';
    if (!host_ok(host) || port < 1 || port > 65535 || timeout_ms <= 0
        || !xgb_valid_username(user) || !known_hosts || !privkey) {
        return fail(e, XGB_SSH_INTERNAL, "invalid SSH connection "
                    "parameters");
    }
    if (privkey_len == 0 || privkey_len > XGB_SSH_PRIVKEY_MAX) {
        return fail(e, XGB_SSH_KEY, "private key is empty or too large");
    }

    /* Our own NUL-terminated copy: the key parsers want a C string. */
    key = malloc(privkey_len + 1);
    c = calloc(1, sizeof(*c));
    if (!key || !c) {
        free(key);
        free(c);
        return fail(e, XGB_SSH_INTERNAL, "out of memory");
    }
    memcpy(key, privkey, privkey_len);
    key[privkey_len] = '\0';
    c->fd = -1;
    snprintf(c->where, sizeof(c->where), "%s port %d", host, port);
    if (port == 22) {
        snprintf(c->hostspec, sizeof(c->hostspec), "%s", host);
    }
    else {
        snprintf(c->hostspec, sizeof(c->hostspec), "[%s]:%d", host, port);
    }

    /* The key's own fingerprint, for messages; a key that does not even
     * parse fails here, before anything goes on the wire. */
    if (xgb_sshkey_blob_from_private(key, privkey_len, &blob, keytype,
                                     &why) != 0) {
        st = fail(e, XGB_SSH_KEY, "cannot use the private key: %s", why);
        goto out;
    }
    fp = xgb_sshkey_fingerprint(blob.d, blob.len);
    if (!fp) {
        st = fail(e, XGB_SSH_INTERNAL, "out of memory");
        goto out;
    }
    snprintf(keydesc, sizeof(keydesc), "%s %s", keytype, fp);
    free(fp);

    deadline = now_ms() + timeout_ms;
    st = tcp_connect(c, host, port, deadline, e);
    if (st != XGB_SSH_OK) {
        goto out;
    }
    c->session = libssh2_session_init_ex(NULL, NULL, NULL, NULL);
    if (!c->session) {
        st = fail(e, XGB_SSH_INTERNAL, "cannot create an SSH session "
                  "(was libssh2_init called?)");
        goto out;
    }
    libssh2_session_set_blocking(c->session, 0);
    libssh2_session_set_timeout(c->session, timeout_ms);

    kh = libssh2_knownhost_init(c->session);
    revoked = libssh2_knownhost_init(c->session);
    if (!kh || !revoked) {
        st = fail(e, XGB_SSH_INTERNAL, "out of memory");
        goto out;
    }
    if (load_known_hosts(kh, revoked, known_hosts, &ends_nl) != 0) {
        kh_errno = errno;
    }
    prefer_known_types(c, kh);

    NB_CALL(rc, c, deadline, libssh2_session_handshake(c->session, c->fd));
    if (rc == LIBSSH2_ERROR_EAGAIN) {
        st = fail(e, XGB_SSH_PROTOCOL, "%s: timed out during the SSH "
                  "handshake", c->where);
        goto out;
    }
    if (rc != 0) {
        st = fail(e, XGB_SSH_PROTOCOL, "%s: SSH handshake failed: %s",
                  c->where, ssh_errmsg(c->session));
        goto out;
    }
    st = check_hostkey(c, kh, revoked, known_hosts, kh_errno, ends_nl,
                       policy, e);
    if (st != XGB_SSH_OK) {
        goto out;
    }
    st = authenticate(c, user, key, privkey_len, keydesc, deadline, e);
    if (st == XGB_SSH_OK && !libssh2_userauth_authenticated(c->session)) {
        st = fail(e, XGB_SSH_AUTH_REFUSED, "authentication as %s on %s "
                  "refused", user, c->where);
    }

out:
    explicit_bzero(key, privkey_len);
    free(key);
    xgb_buf_free(&blob);
    if (kh) {
        libssh2_knownhost_free(kh);
    }
    if (revoked) {
        libssh2_knownhost_free(revoked);
    }
    if (st != XGB_SSH_OK) {
        xgb_ssh_close(c);
        e->status = st;
        return st;
    }
    c->usable = 1;
    *conn = c;
    return XGB_SSH_OK;
}

/* --- commands -------------------------------------------------------- */

/* Drain one stream of the channel: 1 at its end, 0 for more to come, -1
 * on errors (message set). */
static int drain(xgb_ssh_conn_t *c, LIBSSH2_CHANNEL *ch, int stream,
                 xgb_buf_t *b, int *progress, xgb_ssh_error_t *e)
{
    char buf[16384];
    ssize_t n;

    for (;;) {
        n = libssh2_channel_read_ex(ch, stream, buf, sizeof(buf));
        if (n > 0) {
            if (b->len + (size_t)n > XGB_SSH_OUTPUT_MAX) {
                fail(e, XGB_SSH_EXEC, "%s: the command wrote more than %d "
                     "bytes to %s", c->where, XGB_SSH_OUTPUT_MAX,
                     stream ? "stderr" : "stdout");
                return -1;
            }
            xgb_buf_put(b, buf, (size_t)n);
            if (b->failed) {
                fail(e, XGB_SSH_INTERNAL, "out of memory");
                return -1;
            }
            *progress = 1;
            continue;
        }
        if (n == LIBSSH2_ERROR_EAGAIN) {
            return 0;
        }
        if (n < 0) {
            fail(e, XGB_SSH_PROTOCOL, "%s: reading the command's output "
                 "failed: %s", c->where, ssh_errmsg(c->session));
            return -1;
        }
        /* 0 is the end only once the server said so: libssh2 also
         * returns 0 when it handled other packets and has no data */
        return libssh2_channel_eof(ch) ? 1 : 0;
    }
}

xgb_ssh_status_t xgb_ssh_exec(xgb_ssh_conn_t *c, const char *command,
                              int timeout_ms, xgb_buf_t *out, xgb_buf_t *err,
                              int *exit_status, xgb_ssh_error_t *e)
{
    LIBSSH2_CHANNEL *ch;
    char *signame = NULL;
    size_t siglen = 0;
    long long deadline;
    int rc, out_done = 0, err_done = 0;

    e->status = XGB_SSH_OK;
    e->msg[0] = '\0';
    *exit_status = -1;
    if (!c || !command || timeout_ms <= 0) {
        return fail(e, XGB_SSH_INTERNAL, "invalid SSH command parameters");
    }
    if (!c->usable) {
        return fail(e, XGB_SSH_PROTOCOL, "%s: the SSH connection is no "
                    "longer usable", c->where);
    }
    deadline = now_ms() + timeout_ms;

    for (;;) {
        ch = libssh2_channel_open_session(c->session);
        if (ch) {
            break;
        }
        rc = libssh2_session_last_errno(c->session);
        if (rc != LIBSSH2_ERROR_EAGAIN) {
            if (rc == LIBSSH2_ERROR_CHANNEL_FAILURE) {
                return fail(e, XGB_SSH_EXEC, "%s: the server refused a "
                            "session channel: %s", c->where,
                            ssh_errmsg(c->session));
            }
            c->usable = 0;
            return fail(e, XGB_SSH_PROTOCOL, "%s: cannot open a session "
                        "channel: %s", c->where, ssh_errmsg(c->session));
        }
        if (wait_io(c, deadline) != 0) {
            c->usable = 0;
            return fail(e, XGB_SSH_EXEC, "%s: timed out opening a session "
                        "channel", c->where);
        }
    }

    NB_CALL(rc, c, deadline, libssh2_channel_exec(ch, command));
    if (rc == LIBSSH2_ERROR_EAGAIN) {
        c->usable = 0;
        return fail(e, XGB_SSH_EXEC, "%s: timed out starting the command",
                    c->where);
    }
    if (rc != 0) {
        fail(e, XGB_SSH_EXEC, "%s: the server refused to run the command: "
             "%s", c->where, ssh_errmsg(c->session));
        goto free_channel;
    }

    /* Both streams, as they come: a command blocked on a full stderr
     * window would otherwise never finish its stdout. */
    while (!out_done || !err_done) {
        int progress = 0;

        if (!out_done) {
            rc = drain(c, ch, 0, out, &progress, e);
            if (rc < 0) {
                goto abandon;
            }
            out_done = rc;
        }
        if (!err_done) {
            rc = drain(c, ch, SSH_EXTENDED_DATA_STDERR, err, &progress, e);
            if (rc < 0) {
                goto abandon;
            }
            err_done = rc;
        }
        if (!progress && (!out_done || !err_done)
            && wait_io(c, deadline) != 0) {
            fail(e, XGB_SSH_EXEC, "%s: the command did not finish within "
                 "%d ms", c->where, timeout_ms);
            goto abandon;
        }
    }

    NB_CALL(rc, c, deadline, libssh2_channel_close(ch));
    if (rc == 0) {
        NB_CALL(rc, c, deadline, libssh2_channel_wait_closed(ch));
    }
    if (rc == LIBSSH2_ERROR_EAGAIN) {
        fail(e, XGB_SSH_EXEC, "%s: timed out closing the channel",
             c->where);
        goto abandon;
    }
    if (libssh2_channel_get_exit_signal(ch, &signame, &siglen, NULL, NULL,
                                        NULL, NULL) == 0 && signame) {
        libssh2_free(c->session, signame);
        *exit_status = -1;
    }
    else {
        *exit_status = libssh2_channel_get_exit_status(ch);
    }

free_channel:
    NB_CALL(rc, c, deadline, libssh2_channel_free(ch));
    if (rc != 0) {
        /* the channel is left to libssh2_session_free() */
        c->usable = 0;
    }
    return e->status;

abandon:
    /* The channel is in an unknown state: xgb_ssh_close() frees it with
     * the session. */
    c->usable = 0;
    return e->status;
}

int xgb_ssh_usable(const xgb_ssh_conn_t *c)
{
    return c && c->usable;
}

const char *xgb_ssh_hostkey(const xgb_ssh_conn_t *c)
{
    return c ? c->hostkey : "";
}

void xgb_ssh_close(xgb_ssh_conn_t *c)
{
    long long deadline = now_ms() + CLOSE_TIMEOUT_MS;
    int rc;

    if (!c) {
        return;
    }
    if (c->session) {
        if (c->usable) {
            NB_CALL(rc, c, deadline,
                    libssh2_session_disconnect(c->session, "goodbye"));
        }
        else if (c->fd >= 0) {
            /* A broken connection (a timeout, a dead peer) would make
             * libssh2 wait for the peer's channel close until the
             * deadline; nothing more is to be said on it. */
            shutdown(c->fd, SHUT_RDWR);
        }
        NB_CALL(rc, c, deadline, libssh2_session_free(c->session));
        if (rc == LIBSSH2_ERROR_EAGAIN) {
            /* Out of time: with the socket shut down every send fails at
             * once, so a blocking free cannot hang. */
            shutdown(c->fd, SHUT_RDWR);
            libssh2_session_set_blocking(c->session, 1);
            libssh2_session_set_timeout(c->session, CLOSE_TIMEOUT_MS);
            libssh2_session_free(c->session);
        }
    }
    if (c->fd >= 0) {
        close(c->fd);
    }
    free(c);
}
