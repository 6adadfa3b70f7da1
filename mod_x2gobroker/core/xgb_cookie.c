/*
 * xgb_cookie.c - AUTHID cookies of check_access (spec 7.3) and the
 * pre-shared cookie (spec 4.1).
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_file_io.h>
#include <apr_file_info.h>
#include <apr_general.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "xgb_cookie.h"
#include "xgb_log.h"

/* The value the shipped x2gobroker.authid carries: "not configured". */
#define XGB_COOKIE_PLACEHOLDER "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"

/* No sane cookie file is anywhere near this; a bigger one is read only up
 * to here rather than trusted to fit in memory. */
#define XGB_COOKIE_FILE_MAX (1024 * 1024)

/* Issued cookies are UUIDs; anything longer cannot be one of ours. */
#define XGB_COOKIE_MAX_LEN 64

const char *xgb_uuid4(apr_pool_t *p)
{
    unsigned char b[16];

    if (RAND_bytes(b, sizeof(b)) != 1) {
        /* The CSPRNG refusing is rare (no entropy yet); APR's source is
         * the same kernel pool, so a second opinion is worth a try. */
        if (apr_generate_random_bytes(b, sizeof(b)) != APR_SUCCESS) {
            XGB_LOG(XGB_LOG_ERR, "no random bytes for a cookie");
            return NULL;
        }
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);      /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);      /* RFC 4122 variant */
    return apr_psprintf(p,
                        "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                        "%02x%02x%02x%02x%02x%02x",
                        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                        b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                        b[15]);
}

int xgb_cookie_equal(const char *given, const char *expected)
{
    apr_size_t glen, elen;
    const char *probe;

    if (!given || !expected) {
        return 0;
    }
    glen = strlen(given);
    elen = strlen(expected);
    /* On a length mismatch compare `expected` with itself: the same
     * work as a real comparison, so the time never depends on the
     * content, and no byte beyond the end of `given` is read. */
    probe = glen == elen ? given : expected;
    return (CRYPTO_memcmp(probe, expected, elen) == 0) & (glen == elen);
}

static int cookie_configured(const char *v)
{
    return v && *v && strcmp(v, XGB_COOKIE_PLACEHOLDER) != 0;
}

/* The cookie from my-cookie-file, NULL if the file is absent or holds no
 * usable line. */
static const char *cookie_from_file(apr_pool_t *p, const char *path)
{
    apr_finfo_t fi;
    apr_file_t *f;
    apr_size_t len;
    char *buf, *line, *end;
    apr_status_t rv;

    if (!path || !*path) {
        return NULL;
    }
    /* Like the reference's isfile(): a missing file, a directory etc.
     * simply mean "not configured". */
    if (apr_stat(&fi, path, APR_FINFO_TYPE | APR_FINFO_SIZE, p)
            != APR_SUCCESS || fi.filetype != APR_REG) {
        return NULL;
    }
    rv = apr_file_open(&f, path, APR_FOPEN_READ, APR_OS_DEFAULT, p);
    if (rv != APR_SUCCESS) {
        XGB_LOG(XGB_LOG_WARNING, "cannot open my-cookie-file %s: %d",
                path, rv);
        return NULL;
    }
    len = fi.size > XGB_COOKIE_FILE_MAX ? XGB_COOKIE_FILE_MAX
                                        : (apr_size_t)fi.size;
    buf = apr_palloc(p, len + 1);
    rv = apr_file_read_full(f, buf, len, &len);
    apr_file_close(f);
    if (rv != APR_SUCCESS && rv != APR_EOF) {
        XGB_LOG(XGB_LOG_WARNING, "cannot read my-cookie-file %s: %d",
                path, rv);
        return NULL;
    }
    buf[len] = '\0';

    for (line = buf; line < buf + len; line = end + 1) {
        end = memchr(line, '\n', (buf + len) - line);
        if (!end) {
            end = buf + len;
        }
        *end = '\0';
        /* Tolerate files written on Windows. */
        if (end > line && end[-1] == '\r') {
            end[-1] = '\0';
        }
        if (*line == '\0' || *line == '#') {
            continue;
        }
        /* The reference takes this first candidate line, whatever it
         * holds; an empty first token is treated as unconfigured. */
        return apr_pstrndup(p, line, strcspn(line, " "));
    }
    return NULL;
}

const char *xgb_my_cookie(apr_pool_t *p, const char *my_cookie,
                          const char *my_cookie_file)
{
    const char *v = cookie_from_file(p, my_cookie_file);

    if (cookie_configured(v)) {
        return v;
    }
    if (cookie_configured(my_cookie)) {
        return apr_pstrdup(p, my_cookie);
    }
    return NULL;
}

/* Could `c` have been issued by us?  Issued cookies are UUIDs, so other
 * shapes are refused before they reach the store. */
static int cookie_plausible(const char *c)
{
    apr_size_t n = 0;

    for (; *c; c++, n++) {
        if (n >= XGB_COOKIE_MAX_LEN
            || !(apr_isalnum(*c) || *c == '-')) {
            return 0;
        }
    }
    return n > 0;
}

/* Password login: check the password, then issue a new cookie that
 * remembers this IP and the login time. */
static xgb_access_e password_login(apr_pool_t *p, const xgb_cookie_conf_t *c,
                                   xgb_cookie_store_t *st,
                                   xgb_auth_fn *auth, void *baton,
                                   const char *user, const char *password,
                                   const char *ip, apr_time_t now,
                                   const char **next_cookie)
{
    xgb_cookie_rec_t rec;
    const char *next;
    apr_status_t rv;
    int verdict = auth ? auth(baton, user, password) : XGB_AUTH_DENIED;

    if (verdict == XGB_AUTH_UNAVAILABLE) {
        /* Not the user's fault: answering "wrong password" would send
         * them (and the helpdesk) looking in the wrong place. */
        XGB_LOG(XGB_LOG_WARNING, "authentication unavailable for user %s at "
                "ip %s: the password could not be checked", user, ip);
        return XGB_ACCESS_UNAVAILABLE;
    }
    if (verdict != XGB_AUTH_GRANTED) {
        XGB_LOG(XGB_LOG_WARNING,
                "authentication failed for user %s at ip %s", user, ip);
        return XGB_ACCESS_DENIED;
    }
    next = xgb_uuid4(p);
    if (!next) {
        return XGB_ACCESS_ERROR;
    }
    /* As in the reference, an empty user gets a cookie that nobody can
     * redeem: there is no record to find it by. */
    if (*user) {
        rec.user = user;
        rec.ip = ip;
        rec.origtime = now;
        rv = st->put(st, p, next, &rec, now + c->auth_timeout);
        if (rv != APR_SUCCESS) {
            XGB_LOG(XGB_LOG_ERR, "cannot store cookie of user %s: %d",
                    user, rv);
            return XGB_ACCESS_ERROR;
        }
    }
    /* The presented cookie, if any, was the pre-shared one: nothing was
     * stored under it, so (unlike the reference, B6) nothing to delete. */
    XGB_LOG(XGB_LOG_INFO, "authentication succeeded for user %s at ip %s",
            user, ip);
    *next_cookie = next;
    return XGB_ACCESS_GRANTED;
}

/* Cookie login: redeem a cookie issued earlier; the password is not
 * looked at. */
static xgb_access_e cookie_login(apr_pool_t *p, const xgb_cookie_conf_t *c,
                                 xgb_cookie_store_t *st, const char *user,
                                 const char *ip, const char *cookie,
                                 apr_time_t now, const char **next_cookie)
{
    xgb_cookie_rec_t rec = { NULL, NULL, 0 };
    const char *next;
    apr_status_t rv;

    if (!*user || !cookie_plausible(cookie)) {
        XGB_LOG(XGB_LOG_INFO, "unknown cookie from user %s at ip %s",
                user, ip);
        return XGB_ACCESS_DENIED;
    }
    /* Taking the record consumes it even when it is refused below: the
     * reference deletes the file before checking, and a stolen cookie
     * tried from elsewhere is better dead. */
    rv = st->take(st, p, user, cookie, &rec);
    if (rv == APR_NOTFOUND) {
        XGB_LOG(XGB_LOG_INFO, "unknown cookie from user %s at ip %s",
                user, ip);
        return XGB_ACCESS_DENIED;
    }
    if (rv != APR_SUCCESS) {
        XGB_LOG(XGB_LOG_ERR, "cannot look up cookie of user %s: %d",
                user, rv);
        return XGB_ACCESS_ERROR;
    }
    if (c->verify_ip && strcmp(ip, rec.ip ? rec.ip : "") != 0) {
        XGB_LOG(XGB_LOG_INFO, "cookie of user %s from ip %s was issued to "
                "ip %s: rejected", user, ip, rec.ip ? rec.ip : "");
        return XGB_ACCESS_DENIED;
    }
    if (now - rec.origtime > c->auth_timeout) {
        XGB_LOG(XGB_LOG_INFO, "cookie of user %s at ip %s expired: "
                "rejected", user, ip);
        return XGB_ACCESS_DENIED;
    }
    next = c->use_static_cookie ? apr_pstrdup(p, cookie) : xgb_uuid4(p);
    if (!next) {
        return XGB_ACCESS_ERROR;
    }
    /* The new record keeps the login time, so the chain of cookies ends
     * auth_timeout after the password was last checked. */
    rec.user = user;
    rec.ip = ip;
    rv = st->put(st, p, next, &rec, rec.origtime + c->auth_timeout);
    if (rv != APR_SUCCESS) {
        XGB_LOG(XGB_LOG_ERR, "cannot store cookie of user %s: %d", user, rv);
        return XGB_ACCESS_ERROR;
    }
    *next_cookie = next;
    return XGB_ACCESS_GRANTED;
}

xgb_access_e xgb_check_access(apr_pool_t *p, const xgb_cookie_conf_t *c,
                              xgb_cookie_store_t *st, xgb_auth_fn *auth,
                              void *baton, const char *user,
                              const char *password, const char *ip,
                              const char *authid, apr_time_t now,
                              const char **next_cookie)
{
    const char *my;
    int have_cookie, preshared;
    const char *dummy;

    if (!next_cookie) {
        next_cookie = &dummy;
    }
    *next_cookie = NULL;
    if (!p || !c) {
        return XGB_ACCESS_ERROR;
    }
    /* Absent form fields behave like empty ones, as in the reference. */
    user = user ? user : "";
    password = password ? password : "";
    ip = ip ? ip : "";
    have_cookie = authid && *authid;

    /* Intranet mode: everybody in, no cookie at all. */
    if (!c->require_password && !c->require_cookie) {
        return XGB_ACCESS_GRANTED;
    }
    /* The UCCS frontend's probe for "are credentials checked?". */
    if (!strcmp(user, "check-credentials") && !strcmp(password, "FALSE")) {
        return XGB_ACCESS_DENIED;
    }
    if (c->require_cookie && !have_cookie) {
        XGB_LOG(XGB_LOG_INFO, "cookie required but none given by user %s "
                "at ip %s", user, ip);
        return XGB_ACCESS_DENIED;
    }

    /* Without a configured pre-shared cookie the reference invents a
     * random one per check, which nobody can present: the same as none. */
    my = cookie_configured(c->my_cookie) ? c->my_cookie : NULL;
    /* The pre-shared cookie is a secret: compare in constant time. */
    preshared = have_cookie && my && xgb_cookie_equal(authid, my);

    if (!c->require_password) {
        /* Cookie only: the pre-shared cookie is the whole credential and
         * stays the same. */
        if (!preshared) {
            XGB_LOG(XGB_LOG_INFO, "wrong cookie from user %s at ip %s",
                    user, ip);
            return XGB_ACCESS_DENIED;
        }
        *next_cookie = my;
        return XGB_ACCESS_GRANTED;
    }
    /* The reference denies when it cannot create its cookie directory;
     * a missing store is a configuration error worth a 500 instead. */
    if (!st || !st->take || !st->put) {
        XGB_LOG(XGB_LOG_ERR, "no cookie store configured");
        return XGB_ACCESS_ERROR;
    }
    /* The pre-shared cookie only opens the door to the password check;
     * any other cookie must be one we issued. */
    if (preshared || !have_cookie) {
        return password_login(p, c, st, auth, baton, user, password, ip,
                              now, next_cookie);
    }
    return cookie_login(p, c, st, user, ip, authid, now, next_cookie);
}
