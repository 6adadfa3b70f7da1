/*
 * xgb_cookie.h - the AUTHID cookie logic of check_access (spec 7.3) and the
 * pre-shared cookie (spec 4.1 my-cookie / my-cookie-file).
 *
 * The decision logic lives here; where cookie records are kept is the
 * caller's business (files, shared memory, a database ...), reached through
 * the small xgb_cookie_store_t vtable below.
 */
#ifndef XGB_COOKIE_H
#define XGB_COOKIE_H

#include <apr_pools.h>
#include <apr_time.h>
#include <apr_errno.h>

/* What is remembered about an issued cookie. */
typedef struct {
    const char *user;
    const char *ip;             /* client address of the latest use */
    apr_time_t origtime;        /* time of the initial password login */
} xgb_cookie_rec_t;

typedef struct xgb_cookie_store xgb_cookie_store_t;

/*
 * Storage of issued cookies.  Both callbacks may be called concurrently
 * from several threads and processes; `take` must be atomic so that a
 * single-use cookie can be redeemed only once.  `user` and `cookie` come
 * from the client: an implementation must not use them unsanitised (e.g.
 * in file names).
 */
struct xgb_cookie_store {
    /* Atomically fetch and delete the record of `cookie` if it belongs to
     * `user`; APR_NOTFOUND if there is none (a record of another user is
     * left alone).  Strings in *rec are allocated from p. */
    apr_status_t (*take)(xgb_cookie_store_t *st, apr_pool_t *p,
                         const char *user, const char *cookie,
                         xgb_cookie_rec_t *rec);
    /* Store rec under cookie until `expires` (after which it may be
     * purged). */
    apr_status_t (*put)(xgb_cookie_store_t *st, apr_pool_t *p,
                        const char *cookie, const xgb_cookie_rec_t *rec,
                        apr_time_t expires);
    void *ctx;
};

/* [global] settings that drive check_access.  check-credentials=false is
 * applied by the caller by clearing require_password and require_cookie. */
typedef struct {
    int require_password;
    int require_cookie;
    int use_static_cookie;
    int verify_ip;
    apr_interval_time_t auth_timeout;
    const char *my_cookie;      /* pre-shared, NULL if unconfigured */
} xgb_cookie_conf_t;

/* What a password check can say.  "Unavailable" is not "denied": the
 * user may well have typed the right password, but the service that
 * could tell (an LDAP server, a database) did not answer.  Callers must
 * compare with these values, never treat the result as a boolean. */
typedef enum {
    XGB_AUTH_DENIED = 0,
    XGB_AUTH_GRANTED = 1,
    XGB_AUTH_UNAVAILABLE = 2
} xgb_auth_e;

/* Password check of the configured auth mechanism: returns an
 * xgb_auth_e value (an int, so that simple checks returning 1 for
 * "granted" stay valid). */
typedef int xgb_auth_fn(void *baton, const char *user, const char *password);

typedef enum {
    XGB_ACCESS_DENIED = 0,
    XGB_ACCESS_GRANTED = 1,
    XGB_ACCESS_ERROR = -1,      /* store failure: answer 500 */
    XGB_ACCESS_UNAVAILABLE = -2 /* the password could not be checked: 503 */
} xgb_access_e;

/**
 * Decide whether a broker request may proceed (spec 7.3).
 *
 * @param p       pool for *next_cookie and scratch
 * @param c       settings
 * @param st      cookie store (needed whenever require_password is set)
 * @param auth    password check, called only for a password login
 * @param baton   passed to auth
 * @param user, password, ip  request fields (NULL counts as empty)
 * @param authid  cookie presented by the client (NULL or "" = none)
 * @param now     current time
 * @param next_cookie  on XGB_ACCESS_GRANTED the cookie to hand out
 *                (AUTHID: / next-authid), NULL when none is issued (neither
 *                password nor cookie required); NULL otherwise
 * @return granted, denied, XGB_ACCESS_ERROR when the store failed, or
 *         XGB_ACCESS_UNAVAILABLE when auth answered XGB_AUTH_UNAVAILABLE
 *         (nothing is stored then; *next_cookie stays NULL)
 *
 * Single-use cookies are rotated on every request (unless
 * use_static_cookie); a cookie keeps the time of the password login that
 * created it, so it dies auth_timeout after that login however often it
 * is used.  Unlike the reference (bug B6), presenting the pre-shared
 * cookie with require_password and require_cookie both set is a normal
 * password login.
 */
xgb_access_e xgb_check_access(apr_pool_t *p, const xgb_cookie_conf_t *c,
                              xgb_cookie_store_t *st, xgb_auth_fn *auth,
                              void *baton, const char *user,
                              const char *password, const char *ip,
                              const char *authid, apr_time_t now,
                              const char **next_cookie);

/**
 * Does the cookie a client presented equal the pre-shared one, in time
 * that does not depend on where they differ?  strcmp() stops at the first
 * differing byte, so its timing tells an attacker how much of a guess is
 * right.  Here the time depends only on the length of `expected` (which
 * is not secret enough to matter: it is a UUID in every sane setup): a
 * `given` of another length still has `expected` compared byte by byte
 * against itself before the answer is no.  NULL never equals anything.
 *
 * @return 1 if equal, 0 otherwise
 */
int xgb_cookie_equal(const char *given, const char *expected);

/**
 * A fresh random UUID (RFC 4122 version 4) in lower-case text form, from
 * OpenSSL's CSPRNG.  Returns NULL only if no randomness is available.
 * Thread-safe.
 */
const char *xgb_uuid4(apr_pool_t *p);

/**
 * The pre-shared cookie (spec 4.1).  my_cookie_file (if it is a regular
 * file) wins: its first line that is non-empty and does not start with
 * '#', up to the first space.  Otherwise my_cookie.  The placeholder
 * xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx and empty values count as
 * unconfigured.  Returns NULL when neither is configured (check_access
 * then invents a random cookie per check, so require-cookie cannot
 * succeed).  Reads the file on every call.
 */
const char *xgb_my_cookie(apr_pool_t *p, const char *my_cookie,
                          const char *my_cookie_file);

#endif
