/*
 * test_cookie.c - check_access and the AUTHID cookie (spec 7.3), the
 * pre-shared cookie (spec 4.1) and UUIDs.
 */
#include <time.h>

#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_file_io.h>
#include <apr_lib.h>

#include "xgb_test.h"
#include "xgb_cookie.h"

/* ---- an in-memory cookie store ---- */

typedef struct {
    const char *user, *ip;
    apr_time_t origtime, expires;
} mrec_t;

typedef struct {
    apr_hash_t *h;
    int takes, puts;
    apr_status_t fail_take, fail_put;   /* injected errors */
} mstore_t;

static apr_status_t m_take(xgb_cookie_store_t *st, apr_pool_t *p,
                           const char *user, const char *cookie,
                           xgb_cookie_rec_t *rec)
{
    mstore_t *m = st->ctx;
    mrec_t *r;

    m->takes++;
    if (m->fail_take) {
        return m->fail_take;
    }
    r = apr_hash_get(m->h, cookie, APR_HASH_KEY_STRING);
    if (!r || strcmp(r->user, user) != 0) {
        return APR_NOTFOUND;
    }
    rec->user = apr_pstrdup(p, r->user);
    rec->ip = apr_pstrdup(p, r->ip);
    rec->origtime = r->origtime;
    apr_hash_set(m->h, cookie, APR_HASH_KEY_STRING, NULL);
    return APR_SUCCESS;
}

static apr_status_t m_put(xgb_cookie_store_t *st, apr_pool_t *p,
                          const char *cookie, const xgb_cookie_rec_t *rec,
                          apr_time_t expires)
{
    mstore_t *m = st->ctx;
    mrec_t *r = apr_palloc(tp, sizeof(*r));

    (void)p;
    m->puts++;
    if (m->fail_put) {
        return m->fail_put;
    }
    r->user = apr_pstrdup(tp, rec->user);
    r->ip = apr_pstrdup(tp, rec->ip);
    r->origtime = rec->origtime;
    r->expires = expires;
    apr_hash_set(m->h, apr_pstrdup(tp, cookie), APR_HASH_KEY_STRING, r);
    return APR_SUCCESS;
}

static mstore_t ms;
static xgb_cookie_store_t store;
static xgb_cookie_conf_t conf;
static int auth_calls;

/* Password check: alice/secret, bob/hunter2, and anybody with "any";
 * user "ldapdown" stands for a user whose password database is down. */
static int test_auth(void *baton, const char *user, const char *password)
{
    (void)baton;
    auth_calls++;
    if (!strcmp(user, "ldapdown")) {
        return XGB_AUTH_UNAVAILABLE;
    }
    return ((!strcmp(user, "alice") && !strcmp(password, "secret"))
            || (!strcmp(user, "bob") && !strcmp(password, "hunter2"))
            || !strcmp(password, "any")) ? XGB_AUTH_GRANTED
                                         : XGB_AUTH_DENIED;
}

#define T0 ((apr_time_t)1700000000 * APR_USEC_PER_SEC)
#define TIMEOUT (36000 * APR_USEC_PER_SEC)

static void setup(void)
{
    xgb_test_setup();
    memset(&ms, 0, sizeof(ms));
    ms.h = apr_hash_make(tp);
    store.take = m_take;
    store.put = m_put;
    store.ctx = &ms;
    memset(&conf, 0, sizeof(conf));
    conf.require_password = 1;
    conf.verify_ip = 1;
    conf.auth_timeout = TIMEOUT;
    auth_calls = 0;
}

static xgb_access_e check(const char *user, const char *pw, const char *ip,
                          const char *authid, apr_time_t now,
                          const char **next)
{
    return xgb_check_access(tp, &conf, &store, test_auth, NULL, user, pw,
                            ip, authid, now, next);
}

static mrec_t *rec_of(const char *cookie)
{
    return apr_hash_get(ms.h, cookie, APR_HASH_KEY_STRING);
}

static int is_uuid4(const char *s)
{
    int i;

    if (!s || strlen(s) != 36) {
        return 0;
    }
    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') {
                return 0;
            }
        }
        else if (!apr_isxdigit(s[i]) || apr_isupper(s[i])) {
            return 0;
        }
    }
    return s[14] == '4' && strchr("89ab", s[19]) != NULL;
}

/* ---- flows of spec 7.3 ---- */

START_TEST(no_credentials_needed)
{
    const char *next = "x";

    conf.require_password = 0;
    conf.require_cookie = 0;
    ck_assert_int_eq(check("", "", "10.0.0.1", NULL, T0, &next),
                     XGB_ACCESS_GRANTED);
    ck_assert_ptr_null(next);
    /* not even the UCCS probe is refused in this mode */
    ck_assert_int_eq(check("check-credentials", "FALSE", "", "x", T0, &next),
                     XGB_ACCESS_GRANTED);
    ck_assert_int_eq(auth_calls, 0);
    ck_assert_int_eq(ms.takes + ms.puts, 0);
    /* no store and no auth needed at all */
    ck_assert_int_eq(xgb_check_access(tp, &conf, NULL, NULL, NULL, NULL,
                                      NULL, NULL, NULL, T0, NULL),
                     XGB_ACCESS_GRANTED);
}
END_TEST

START_TEST(uccs_probe_denied)
{
    const char *next;

    ck_assert_int_eq(check("check-credentials", "FALSE", "10.0.0.1", NULL,
                           T0, &next), XGB_ACCESS_DENIED);
    ck_assert_ptr_null(next);
    ck_assert_int_eq(auth_calls, 0);
    /* only that exact pair */
    ck_assert_int_eq(check("check-credentials", "false", "10.0.0.1", NULL,
                           T0, &next), XGB_ACCESS_DENIED);
    ck_assert_int_eq(auth_calls, 1);
}
END_TEST

START_TEST(cookie_required_but_missing)
{
    const char *next;

    conf.require_cookie = 1;
    conf.my_cookie = "preshared-1";
    ck_assert_int_eq(check("alice", "secret", "10.0.0.1", NULL, T0, &next),
                     XGB_ACCESS_DENIED);
    ck_assert_int_eq(check("alice", "secret", "10.0.0.1", "", T0, &next),
                     XGB_ACCESS_DENIED);
    ck_assert_ptr_null(next);
    ck_assert_int_eq(auth_calls, 0);
    ck_assert_str_eq(xgb_test_last_log,
                     "cookie required but none given by user alice at ip "
                     "10.0.0.1");
}
END_TEST

START_TEST(cookie_only)
{
    const char *next;

    conf.require_password = 0;
    conf.require_cookie = 1;
    conf.my_cookie = "preshared-1";
    ck_assert_int_eq(check("alice", "", "10.0.0.1", "preshared-1", T0,
                           &next), XGB_ACCESS_GRANTED);
    ck_assert_str_eq(next, "preshared-1");
    ck_assert_int_eq(check("alice", "", "10.0.0.1", "preshared-2", T0,
                           &next), XGB_ACCESS_DENIED);
    ck_assert_ptr_null(next);
    ck_assert_int_eq(auth_calls, 0);
    ck_assert_int_eq(ms.takes + ms.puts, 0);
    /* unconfigured: a random cookie per check, nothing matches */
    conf.my_cookie = NULL;
    ck_assert_int_eq(check("alice", "", "10.0.0.1", "preshared-1", T0,
                           &next), XGB_ACCESS_DENIED);
    conf.my_cookie = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    ck_assert_int_eq(check("alice", "", "10.0.0.1",
                           "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", T0,
                           &next), XGB_ACCESS_DENIED);
}
END_TEST

START_TEST(password_login)
{
    const char *next;
    mrec_t *r;

    ck_assert_int_eq(check("alice", "secret", "10.0.0.1", NULL, T0, &next),
                     XGB_ACCESS_GRANTED);
    ck_assert(is_uuid4(next));
    r = rec_of(next);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->user, "alice");
    ck_assert_str_eq(r->ip, "10.0.0.1");
    ck_assert(r->origtime == T0);
    ck_assert(r->expires == T0 + TIMEOUT);
    ck_assert_int_eq(apr_hash_count(ms.h), 1);

    ck_assert_int_eq(check("alice", "wrong", "10.0.0.1", "", T0, &next),
                     XGB_ACCESS_DENIED);
    ck_assert_ptr_null(next);
    ck_assert_int_eq(apr_hash_count(ms.h), 1);
    ck_assert_str_eq(xgb_test_last_log,
                     "authentication failed for user alice at ip 10.0.0.1");
}
END_TEST

START_TEST(rotation_single_use)
{
    const char *a, *b, *c;
    mrec_t *r;

    ck_assert_int_eq(check("alice", "secret", "10.0.0.1", NULL, T0, &a),
                     XGB_ACCESS_GRANTED);
    /* x2goclient's second request: cookie, no (or any) password */
    ck_assert_int_eq(check("alice", "", "10.0.0.1", a, T0 + 5, &b),
                     XGB_ACCESS_GRANTED);
    ck_assert(is_uuid4(b));
    ck_assert_str_ne(a, b);
    ck_assert_int_eq(auth_calls, 1);
    ck_assert_ptr_null(rec_of(a));
    r = rec_of(b);
    ck_assert_ptr_nonnull(r);
    ck_assert(r->origtime == T0);
    ck_assert(r->expires == T0 + TIMEOUT);
    ck_assert_int_eq(apr_hash_count(ms.h), 1);

    /* a used cookie is dead, whatever the password */
    ck_assert_int_eq(check("alice", "secret", "10.0.0.1", a, T0 + 6, &c),
                     XGB_ACCESS_DENIED);
    ck_assert_ptr_null(c);
    ck_assert_int_eq(auth_calls, 1);
    ck_assert_int_eq(check("alice", "", "10.0.0.1", b, T0 + 7, &c),
                     XGB_ACCESS_GRANTED);
    ck_assert_str_ne(b, c);
    ck_assert_str_ne(a, c);
}
END_TEST

START_TEST(parallel_use_of_one_cookie)
{
    const char *a, *n1, *n2;

    ck_assert_int_eq(check("alice", "secret", "10.0.0.1", NULL, T0, &a),
                     XGB_ACCESS_GRANTED);
    /* two requests racing with the same cookie: the store's take is
     * atomic, so only one of them gets the record */
    ck_assert_int_eq(check("alice", "", "10.0.0.1", a, T0 + 1, &n1),
                     XGB_ACCESS_GRANTED);
    ck_assert_int_eq(check("alice", "", "10.0.0.1", a, T0 + 1, &n2),
                     XGB_ACCESS_DENIED);
    ck_assert_ptr_null(n2);
    ck_assert_ptr_nonnull(rec_of(n1));
    ck_assert_str_eq(xgb_test_last_log,
                     "unknown cookie from user alice at ip 10.0.0.1");
}
END_TEST

START_TEST(static_cookie)
{
    const char *a, *b, *c;

    conf.use_static_cookie = 1;
    ck_assert_int_eq(check("alice", "secret", "10.0.0.1", NULL, T0, &a),
                     XGB_ACCESS_GRANTED);
    ck_assert_int_eq(check("alice", "", "10.0.0.1", a, T0 + 1, &b),
                     XGB_ACCESS_GRANTED);
    ck_assert_str_eq(a, b);
    ck_assert_int_eq(check("alice", "", "10.0.0.1", b, T0 + 2, &c),
                     XGB_ACCESS_GRANTED);
    ck_assert_str_eq(a, c);
    ck_assert(rec_of(a)->origtime == T0);
    ck_assert_int_eq(apr_hash_count(ms.h), 1);
    /* a new password login still issues a fresh cookie */
    ck_assert_int_eq(check("alice", "secret", "10.0.0.1", NULL, T0 + 3, &b),
                     XGB_ACCESS_GRANTED);
    ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(auth_timeout_from_password_login)
{
    const char *a, *b, *c;

    ck_assert_int_eq(check("alice", "secret", "10.0.0.1", NULL, T0, &a),
                     XGB_ACCESS_GRANTED);
    /* exactly auth-timeout after the login is still fine ... */
    ck_assert_int_eq(check("alice", "", "10.0.0.1", a, T0 + TIMEOUT, &b),
                     XGB_ACCESS_GRANTED);
    ck_assert(rec_of(b)->origtime == T0);
    /* ... a moment later the chain ends, although b is brand new */
    ck_assert_int_eq(check("alice", "", "10.0.0.1", b, T0 + TIMEOUT + 1,
                           &c), XGB_ACCESS_DENIED);
    ck_assert_ptr_null(c);
    ck_assert_ptr_null(rec_of(b));
    ck_assert_int_eq(apr_hash_count(ms.h), 0);
    ck_assert_str_eq(xgb_test_last_log,
                     "cookie of user alice at ip 10.0.0.1 expired: rejected");
    /* a password login starts a new chain */
    ck_assert_int_eq(check("alice", "secret", "10.0.0.1", b,
                           T0 + TIMEOUT + 2, &c), XGB_ACCESS_DENIED);
    ck_assert_int_eq(check("alice", "secret", "10.0.0.1", "",
                           T0 + TIMEOUT + 2, &c), XGB_ACCESS_GRANTED);
    ck_assert(rec_of(c)->origtime == T0 + TIMEOUT + 2);
}
END_TEST

START_TEST(foreign_ip)
{
    const char *a, *b;

    ck_assert_int_eq(check("alice", "secret", "10.0.0.1", NULL, T0, &a),
                     XGB_ACCESS_GRANTED);
    ck_assert_int_eq(check("alice", "", "10.0.0.2", a, T0 + 1, &b),
                     XGB_ACCESS_DENIED);
    ck_assert_ptr_null(b);
    ck_assert_str_eq(xgb_test_last_log,
                     "cookie of user alice from ip 10.0.0.2 was issued to ip "
                     "10.0.0.1: rejected");
    /* the attempt consumed the cookie, as in the reference */
    ck_assert_int_eq(check("alice", "", "10.0.0.1", a, T0 + 2, &b),
                     XGB_ACCESS_DENIED);
}
END_TEST

START_TEST(foreign_ip_allowed)
{
    const char *a, *b, *c;

    conf.verify_ip = 0;
    ck_assert_int_eq(check("alice", "secret", "10.0.0.1", NULL, T0, &a),
                     XGB_ACCESS_GRANTED);
    ck_assert_int_eq(check("alice", "", "10.0.0.2", a, T0 + 1, &b),
                     XGB_ACCESS_GRANTED);
    /* the record follows the client, the login time stays */
    ck_assert_str_eq(rec_of(b)->ip, "10.0.0.2");
    ck_assert(rec_of(b)->origtime == T0);
    ck_assert_int_eq(check("alice", "", "::1", b, T0 + 2, &c),
                     XGB_ACCESS_GRANTED);
}
END_TEST

START_TEST(foreign_user)
{
    const char *a, *b;

    ck_assert_int_eq(check("alice", "secret", "10.0.0.1", NULL, T0, &a),
                     XGB_ACCESS_GRANTED);
    /* bob cannot use alice's cookie, and does not destroy it */
    ck_assert_int_eq(check("bob", "", "10.0.0.1", a, T0 + 1, &b),
                     XGB_ACCESS_DENIED);
    ck_assert_ptr_nonnull(rec_of(a));
    ck_assert_int_eq(check("alice", "", "10.0.0.1", a, T0 + 2, &b),
                     XGB_ACCESS_GRANTED);
}
END_TEST

START_TEST(empty_user_gets_unusable_cookie)
{
    const char *a, *b;

    ck_assert_int_eq(check("", "any", "10.0.0.1", NULL, T0, &a),
                     XGB_ACCESS_GRANTED);
    ck_assert(is_uuid4(a));
    ck_assert_int_eq(ms.puts, 0);
    ck_assert_int_eq(apr_hash_count(ms.h), 0);
    ck_assert_int_eq(check("", "", "10.0.0.1", a, T0 + 1, &b),
                     XGB_ACCESS_DENIED);
    ck_assert_int_eq(check(NULL, NULL, NULL, a, T0 + 1, &b),
                     XGB_ACCESS_DENIED);
}
END_TEST

START_TEST(preshared_with_password)
{
    const char *a, *b;

    /* B6: require-cookie + require-password, first request with the
     * pre-shared cookie is a password login, without any error */
    conf.require_cookie = 1;
    conf.my_cookie = "preshared-1";
    ck_assert_int_eq(check("alice", "secret", "10.0.0.1", "preshared-1", T0,
                           &a), XGB_ACCESS_GRANTED);
    ck_assert(is_uuid4(a));
    ck_assert_int_eq(ms.takes, 0);
    ck_assert_ptr_nonnull(rec_of(a));
    ck_assert_int_eq(check("alice", "wrong", "10.0.0.1", "preshared-1", T0,
                           &b), XGB_ACCESS_DENIED);
    /* next request: the issued cookie, no password */
    ck_assert_int_eq(check("alice", "", "10.0.0.1", a, T0 + 1, &b),
                     XGB_ACCESS_GRANTED);
    ck_assert_str_ne(a, b);
    /* a made-up cookie is neither pre-shared nor issued */
    ck_assert_int_eq(check("alice", "secret", "10.0.0.1", "preshared-2",
                           T0 + 2, &b), XGB_ACCESS_DENIED);

    /* without require-cookie the pre-shared cookie is the same */
    conf.require_cookie = 0;
    ck_assert_int_eq(check("bob", "hunter2", "10.0.0.3", "preshared-1", T0,
                           &a), XGB_ACCESS_GRANTED);
    ck_assert_str_eq(rec_of(a)->user, "bob");
}
END_TEST

START_TEST(store_errors)
{
    const char *a, *b;

    ck_assert_int_eq(check("alice", "secret", "10.0.0.1", NULL, T0, &a),
                     XGB_ACCESS_GRANTED);
    ms.fail_take = APR_EGENERAL;
    ck_assert_int_eq(check("alice", "", "10.0.0.1", a, T0 + 1, &b),
                     XGB_ACCESS_ERROR);
    ck_assert_ptr_null(b);
    ms.fail_take = 0;
    ms.fail_put = APR_EACCES;
    ck_assert_int_eq(check("alice", "", "10.0.0.1", a, T0 + 1, &b),
                     XGB_ACCESS_ERROR);
    ck_assert_ptr_null(b);
    ck_assert_int_eq(check("bob", "hunter2", "10.0.0.1", NULL, T0, &b),
                     XGB_ACCESS_ERROR);
    ck_assert_ptr_null(b);
    /* password required but no store at all */
    ck_assert_int_eq(xgb_check_access(tp, &conf, NULL, test_auth, NULL,
                                      "bob", "hunter2", "10.0.0.1", NULL,
                                      T0, &b), XGB_ACCESS_ERROR);
    ck_assert_int_eq(xgb_check_access(NULL, &conf, &store, test_auth, NULL,
                                      "bob", "hunter2", "10.0.0.1", NULL,
                                      T0, &b), XGB_ACCESS_ERROR);
    ck_assert_int_eq(xgb_check_access(tp, NULL, &store, test_auth, NULL,
                                      "bob", "hunter2", "10.0.0.1", NULL,
                                      T0, &b), XGB_ACCESS_ERROR);
}
END_TEST

START_TEST(garbage_cookies)
{
    const char *b;
    char *huge = apr_palloc(tp, 100001);

    memset(huge, 'a', 100000);
    huge[100000] = '\0';
    ck_assert_int_eq(check("alice", "", "10.0.0.1", huge, T0, &b),
                     XGB_ACCESS_DENIED);
    ck_assert_int_eq(check("alice", "", "10.0.0.1", "../../etc/passwd", T0,
                           &b), XGB_ACCESS_DENIED);
    ck_assert_int_eq(check("alice", "", "10.0.0.1", "a b", T0, &b),
                     XGB_ACCESS_DENIED);
    /* refused before reaching the store */
    ck_assert_int_eq(ms.takes, 0);
    /* no auth function: nobody gets in by password */
    ck_assert_int_eq(xgb_check_access(tp, &conf, &store, NULL, NULL,
                                      "alice", "secret", "10.0.0.1", NULL,
                                      T0, &b), XGB_ACCESS_DENIED);
}
END_TEST

START_TEST(auth_unavailable)
{
    const char *a, *b;

    /* the password database is down: neither granted nor denied, and
     * nothing is stored */
    ck_assert_int_eq(check("ldapdown", "secret", "10.0.0.1", NULL, T0, &a),
                     XGB_ACCESS_UNAVAILABLE);
    ck_assert_ptr_null(a);
    ck_assert_int_eq(ms.puts, 0);
    ck_assert_int_eq(apr_hash_count(ms.h), 0);
    ck_assert_str_eq(xgb_test_last_log,
                     "authentication unavailable for user ldapdown at ip "
                     "10.0.0.1: the password could not be checked");
    /* also with the pre-shared cookie opening the door to the password */
    conf.require_cookie = 1;
    conf.my_cookie = "preshared-1";
    ck_assert_int_eq(check("ldapdown", "x", "10.0.0.1", "preshared-1", T0,
                           &a), XGB_ACCESS_UNAVAILABLE);
    ck_assert_ptr_null(a);
    /* a cookie login does not ask the password database at all */
    conf.require_cookie = 0;
    conf.my_cookie = NULL;
    ck_assert_int_eq(check("alice", "secret", "10.0.0.1", NULL, T0, &a),
                     XGB_ACCESS_GRANTED);
    auth_calls = 0;
    ck_assert_int_eq(check("alice", "", "10.0.0.1", a, T0 + 1, &b),
                     XGB_ACCESS_GRANTED);
    ck_assert_int_eq(auth_calls, 0);
}
END_TEST

/* ---- comparing the pre-shared cookie ---- */

START_TEST(cookie_equal)
{
    /* equal */
    ck_assert_int_eq(xgb_cookie_equal("5d1c2f0e-pre", "5d1c2f0e-pre"), 1);
    ck_assert_int_eq(xgb_cookie_equal("", ""), 1);
    /* unequal, same length: first, middle, last byte */
    ck_assert_int_eq(xgb_cookie_equal("Xd1c2f0e-pre", "5d1c2f0e-pre"), 0);
    ck_assert_int_eq(xgb_cookie_equal("5d1c2fXe-pre", "5d1c2f0e-pre"), 0);
    ck_assert_int_eq(xgb_cookie_equal("5d1c2f0e-prX", "5d1c2f0e-pre"), 0);
    /* only the case differs */
    ck_assert_int_eq(xgb_cookie_equal("5D1C2F0E-PRE", "5d1c2f0e-pre"), 0);
    /* a prefix of the secret, and the secret as a prefix */
    ck_assert_int_eq(xgb_cookie_equal("5d1c2f0e-pr", "5d1c2f0e-pre"), 0);
    ck_assert_int_eq(xgb_cookie_equal("5", "5d1c2f0e-pre"), 0);
    ck_assert_int_eq(xgb_cookie_equal("", "5d1c2f0e-pre"), 0);
    /* longer than the secret */
    ck_assert_int_eq(xgb_cookie_equal("5d1c2f0e-pre1", "5d1c2f0e-pre"), 0);
    ck_assert_int_eq(xgb_cookie_equal("5d1c2f0e-pre 5d1c2f0e-pre",
                                      "5d1c2f0e-pre"), 0);
    ck_assert_int_eq(xgb_cookie_equal("x", ""), 0);
    /* NULL equals nothing, not even NULL */
    ck_assert_int_eq(xgb_cookie_equal(NULL, "5d1c2f0e-pre"), 0);
    ck_assert_int_eq(xgb_cookie_equal("5d1c2f0e-pre", NULL), 0);
    ck_assert_int_eq(xgb_cookie_equal(NULL, NULL), 0);
}
END_TEST

START_TEST(preshared_prefix_and_longer)
{
    const char *next;

    /* the same cases through check_access: cookie only, then cookie and
     * password */
    conf.require_password = 0;
    conf.require_cookie = 1;
    conf.my_cookie = "preshared-1";
    ck_assert_int_eq(check("alice", "", "10.0.0.1", "preshared-", T0,
                           &next), XGB_ACCESS_DENIED);
    ck_assert_int_eq(check("alice", "", "10.0.0.1", "p", T0, &next),
                     XGB_ACCESS_DENIED);
    ck_assert_int_eq(check("alice", "", "10.0.0.1", "preshared-12", T0,
                           &next), XGB_ACCESS_DENIED);
    ck_assert_int_eq(check("alice", "", "10.0.0.1", "preshared-1 ", T0,
                           &next), XGB_ACCESS_DENIED);
    ck_assert_int_eq(check("alice", "", "10.0.0.1", "Preshared-1", T0,
                           &next), XGB_ACCESS_DENIED);
    ck_assert_ptr_null(next);
    ck_assert_int_eq(check("alice", "", "10.0.0.1", "preshared-1", T0,
                           &next), XGB_ACCESS_GRANTED);
    ck_assert_str_eq(next, "preshared-1");

    conf.require_password = 1;
    ck_assert_int_eq(check("alice", "secret", "10.0.0.1", "preshared-", T0,
                           &next), XGB_ACCESS_DENIED);
    ck_assert_int_eq(check("alice", "secret", "10.0.0.1", "preshared-12",
                           T0, &next), XGB_ACCESS_DENIED);
    ck_assert_int_eq(auth_calls, 0);
    ck_assert_int_eq(check("alice", "secret", "10.0.0.1", "preshared-1", T0,
                           &next), XGB_ACCESS_GRANTED);
    ck_assert_int_eq(auth_calls, 1);
}
END_TEST

/* Fastest of `reps` runs of xgb_cookie_equal(given, expected), in ns.
 * The minimum filters out preemption and cache noise. */
static double fastest_ns(const char *given, const char *expected, int reps)
{
    double best = -1;
    int i;

    for (i = 0; i < reps; i++) {
        struct timespec t0, t1;
        double ns;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        ck_assert_int_eq(xgb_cookie_equal(given, expected), 0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
        if (best < 0 || ns < best) {
            best = ns;
        }
    }
    return best;
}

START_TEST(cookie_equal_constant_time)
{
    /* A secret of 4 MiB makes the work of comparing it dwarf the clock's
     * resolution.  strcmp() answers a guess wrong in its first byte
     * thousands of times faster than one wrong in its last; here both
     * must cost about the same, and so must a guess one byte short (the
     * length must not cut the content comparison short either). */
    const apr_size_t n = 4 << 20;
    char *secret = apr_palloc(tp, n + 1);
    char *first = apr_palloc(tp, n + 1);
    char *last = apr_palloc(tp, n + 1);
    char *shorter = apr_palloc(tp, n);
    double t_first = 0, t_last = 0, t_short = 0;
    int round;

    memset(secret, 'a', n);
    secret[n] = '\0';
    memcpy(first, secret, n + 1);
    first[0] = 'b';
    memcpy(last, secret, n + 1);
    last[n - 1] = 'b';
    memcpy(shorter, secret, n - 1);
    shorter[n - 1] = '\0';
    /* interleaved, so that a slow phase of the machine hits all three */
    for (round = 0; round < 5; round++) {
        double a = fastest_ns(first, secret, 3);
        double b = fastest_ns(last, secret, 3);
        double c = fastest_ns(shorter, secret, 3);

        t_first = round ? (a < t_first ? a : t_first) : a;
        t_last = round ? (b < t_last ? b : t_last) : b;
        t_short = round ? (c < t_short ? c : t_short) : c;
    }
    ck_assert_msg(t_first * 2 > t_last && t_last * 2 > t_first,
                  "mismatch at the first byte %.0f ns, at the last %.0f ns",
                  t_first, t_last);
    ck_assert_msg(t_short * 2 > t_last && t_last * 2 > t_short,
                  "one byte short %.0f ns, mismatch at the last byte "
                  "%.0f ns", t_short, t_last);
}
END_TEST

/* ---- UUIDs and the pre-shared cookie ---- */

START_TEST(uuid4_format)
{
    const char *a = xgb_uuid4(tp), *b = xgb_uuid4(tp);

    ck_assert(is_uuid4(a));
    ck_assert(is_uuid4(b));
    ck_assert_str_ne(a, b);
}
END_TEST

static const char *temp_file(const char *content)
{
    apr_file_t *f;
    char *path = apr_pstrdup(tp, "/tmp/xgb_cookie_XXXXXX");
    apr_size_t n = strlen(content);

    ck_assert_int_eq(apr_file_mktemp(&f, path, APR_FOPEN_CREATE
                                     | APR_FOPEN_READ | APR_FOPEN_WRITE
                                     | APR_FOPEN_EXCL
                                     | APR_FOPEN_DELONCLOSE, tp),
                     APR_SUCCESS);
    ck_assert_int_eq(apr_file_write_full(f, content, n, NULL), APR_SUCCESS);
    /* closed (and removed) with the pool */
    return path;
}

START_TEST(my_cookie_sources)
{
    const char *ph = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

    ck_assert_ptr_null(xgb_my_cookie(tp, NULL, NULL));
    ck_assert_ptr_null(xgb_my_cookie(tp, "", ""));
    ck_assert_ptr_null(xgb_my_cookie(tp, ph, NULL));
    ck_assert_str_eq(xgb_my_cookie(tp, "abc", NULL), "abc");
    ck_assert_str_eq(xgb_my_cookie(tp, "abc", "/nonexistent/x2go.authid"),
                     "abc");
    /* a directory is not a cookie file */
    ck_assert_str_eq(xgb_my_cookie(tp, "abc", "/tmp"), "abc");
    ck_assert_ptr_null(xgb_my_cookie(tp, NULL, "/tmp"));
}
END_TEST

START_TEST(my_cookie_file)
{
    const char *f;

    f = temp_file("# comment\n\n#another\nfile-cookie trailing words\n"
                  "second-line\n");
    ck_assert_str_eq(xgb_my_cookie(tp, "abc", f), "file-cookie");
    ck_assert_str_eq(xgb_my_cookie(tp, NULL, f), "file-cookie");

    /* the placeholder in the file means "use my-cookie" */
    f = temp_file("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx\n");
    ck_assert_str_eq(xgb_my_cookie(tp, "abc", f), "abc");
    ck_assert_ptr_null(xgb_my_cookie(tp, NULL, f));

    /* only comments and blank lines */
    f = temp_file("# nothing\n\n");
    ck_assert_str_eq(xgb_my_cookie(tp, "abc", f), "abc");
    f = temp_file("");
    ck_assert_str_eq(xgb_my_cookie(tp, "abc", f), "abc");

    /* no final newline, CRLF line ends */
    f = temp_file("#x\r\nlast");
    ck_assert_str_eq(xgb_my_cookie(tp, "abc", f), "last");
    f = temp_file("crlf-cookie\r\n");
    ck_assert_str_eq(xgb_my_cookie(tp, "abc", f), "crlf-cookie");

    /* only the first candidate line counts; an empty first token is
     * unconfigured */
    f = temp_file(" leading-space\nsecond\n");
    ck_assert_str_eq(xgb_my_cookie(tp, "abc", f), "abc");
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("cookie");
    TCase *tc = tcase_create("check_access");

    tcase_add_checked_fixture(tc, setup, xgb_test_teardown);
    tcase_add_test(tc, no_credentials_needed);
    tcase_add_test(tc, uccs_probe_denied);
    tcase_add_test(tc, cookie_required_but_missing);
    tcase_add_test(tc, cookie_only);
    tcase_add_test(tc, password_login);
    tcase_add_test(tc, rotation_single_use);
    tcase_add_test(tc, parallel_use_of_one_cookie);
    tcase_add_test(tc, static_cookie);
    tcase_add_test(tc, auth_timeout_from_password_login);
    tcase_add_test(tc, foreign_ip);
    tcase_add_test(tc, foreign_ip_allowed);
    tcase_add_test(tc, foreign_user);
    tcase_add_test(tc, empty_user_gets_unusable_cookie);
    tcase_add_test(tc, preshared_with_password);
    tcase_add_test(tc, store_errors);
    tcase_add_test(tc, garbage_cookies);
    tcase_add_test(tc, auth_unavailable);
    tcase_add_test(tc, preshared_prefix_and_longer);
    suite_add_tcase(s, tc);

    tc = tcase_create("cookie_equal");
    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_add_test(tc, cookie_equal);
    tcase_add_test(tc, cookie_equal_constant_time);
    /* 15 comparisons of 4 MiB each, slower under valgrind */
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);

    tc = tcase_create("uuid_and_my_cookie");
    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_add_test(tc, uuid4_format);
    tcase_add_test(tc, my_cookie_sources);
    tcase_add_test(tc, my_cookie_file);
    suite_add_tcase(s, tc);
    return s;
}

XGB_TEST_MAIN()
