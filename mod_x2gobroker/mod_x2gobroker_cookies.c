/*
 * mod_x2gobroker_cookies.c - where AUTHID cookies live.
 *
 * The cookie rules are in the core (xgb_cookie.c); this file gives them a
 * store.  Two kinds:
 *
 *  - a socache provider (shmcb by default): shared memory created by the
 *    parent, so cookies survive the recycling of child processes.  The
 *    module's one shared-memory mutex (mod_x2gobroker_shm.c) makes "take"
 *    (fetch + delete) atomic, which single-use cookies need: two requests
 *    presenting the same cookie must not both succeed.
 *  - PostgreSQL through mod_dbd, so that several broker hosts behind a
 *    load balancer accept each other's cookies.  DELETE ... RETURNING
 *    makes "take" atomic in the database.
 *
 * Records are keyed by the cookie (a random UUID) and carry the user name
 * as data, so a user name never becomes part of a key or a file name.
 */
#include <stdlib.h>

#include "apr_strings.h"
#include "apr_atomic.h"
#include "apr_dbd.h"
#include "apr_optional.h"

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "ap_provider.h"
#include "mod_dbd.h"

#include "mod_x2gobroker_private.h"

#define DEFAULT_STORE "shmcb"

/* Expired rows are deleted by whichever request stores a cookie first
 * after this interval, per child. */
#define DBD_PURGE_INTERVAL 60

#define SQL_TAKE "DELETE FROM x2gobroker_cookies WHERE cookie = %s " \
                 "AND username = %s RETURNING client_ip, origtime"
/* apr_dbd_pgsql sends every %s as varchar: numbers need a cast. */
#define SQL_PUT "INSERT INTO x2gobroker_cookies " \
                "(cookie, username, client_ip, origtime, expires) " \
                "VALUES (%s, %s, %s, CAST(%s AS double precision), " \
                "CAST(%s AS bigint))"
#define SQL_PURGE "DELETE FROM x2gobroker_cookies " \
                  "WHERE expires < CAST(%s AS bigint)"
#define LABEL_TAKE "x2gobroker_cookie_take"
#define LABEL_PUT "x2gobroker_cookie_put"
#define LABEL_PURGE "x2gobroker_cookie_purge"

struct x2gobroker_cookie_src {
    const char *spec;
    int is_dbd;
    const ap_socache_provider_t *provider;
    ap_socache_instance_t *instance;
    server_rec *s;
    x2gobroker_cookie_src *next;
};

static x2gobroker_cookie_src *sources;
static x2gobroker_cookie_src *default_src;

static APR_OPTIONAL_FN_TYPE(ap_dbd_acquire) *dbd_acquire;
static APR_OPTIONAL_FN_TYPE(ap_dbd_prepare) *dbd_prepare;

/* Seconds of the last purge in this child (apr_atomic: any thread). */
static apr_uint32_t last_purge;

static apr_status_t sources_cleanup(void *unused)
{
    sources = NULL;
    default_src = NULL;
    return APR_SUCCESS;
}

/* ---- the stores --------------------------------------------------------- */

static const char *create_socache(apr_pool_t *p, apr_pool_t *ptemp,
                                  x2gobroker_cookie_src *src)
{
    const char *name = src->spec;
    const char *arg = NULL;
    const char *sep = ap_strchr_c(src->spec, ':');
    const char *err;

    if (sep) {
        name = apr_pstrmemdup(ptemp, src->spec, sep - src->spec);
        arg = sep + 1;
    }
    src->provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, name,
                                       AP_SOCACHE_PROVIDER_VERSION);
    if (!src->provider) {
        return apr_psprintf(p, "X2GoBrokerCookieStore: unknown store '%s' "
                            "(dbd, or a socache provider such as shmcb: "
                            "is mod_socache_%s loaded?)", src->spec, name);
    }
    err = src->provider->create(&src->instance, arg, ptemp, p);
    if (err) {
        return apr_psprintf(p, "X2GoBrokerCookieStore %s: %s", src->spec,
                            err);
    }
    return NULL;
}

static const char *prepare_dbd(cmd_parms *cmd)
{
    if (!dbd_prepare) {
        dbd_prepare = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_prepare);
        dbd_acquire = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire);
    }
    if (!dbd_prepare || !dbd_acquire) {
        return "X2GoBrokerCookieStore dbd: mod_dbd must be loaded first";
    }
    dbd_prepare(cmd->server, SQL_TAKE, LABEL_TAKE);
    dbd_prepare(cmd->server, SQL_PUT, LABEL_PUT);
    dbd_prepare(cmd->server, SQL_PURGE, LABEL_PURGE);
    return NULL;
}

static x2gobroker_cookie_src *find_or_add(apr_pool_t *p, const char *spec,
                                          int *added)
{
    x2gobroker_cookie_src *src;

    *added = 0;
    for (src = sources; src; src = src->next) {
        if (!strcmp(src->spec, spec)) {
            return src;
        }
    }
    if (!sources) {
        apr_pool_cleanup_register(p, NULL, sources_cleanup,
                                  apr_pool_cleanup_null);
    }
    src = apr_pcalloc(p, sizeof(*src));
    src->spec = apr_pstrdup(p, spec);
    src->is_dbd = !strcmp(spec, "dbd");
    src->next = sources;
    sources = src;
    *added = 1;
    return src;
}

const char *x2gobroker_cookies_register(cmd_parms *cmd, const char *spec,
                                        x2gobroker_cookie_src **out)
{
    int added;
    x2gobroker_cookie_src *src = find_or_add(cmd->pool, spec, &added);

    *out = src;
    if (src->is_dbd) {
        /* Statements are prepared per server, so every vhost using the
         * store prepares them for itself. */
        return prepare_dbd(cmd);
    }
    src->s = cmd->server;
    return added ? create_socache(cmd->pool, cmd->temp_pool, src) : NULL;
}

x2gobroker_cookie_src *x2gobroker_cookies_default(void)
{
    return default_src;
}

static apr_status_t destroy_socache(void *data)
{
    x2gobroker_cookie_src *src = data;

    if (src->instance) {
        src->provider->destroy(src->instance, src->s);
        src->instance = NULL;
    }
    return APR_SUCCESS;
}

/* Does this configuration keep cookies in the default store?  Only a
 * password login stores cookies (x2gobroker_cookie_conf: check
 * credentials and require a password), and only plain/ and json/ keep
 * them (UCCS logins store nothing). */
static void note_default_use(const x2gobroker_cfg *c, void *baton)
{
    const char **where = baton;

    if (!*where && !c->cookies
        && x2gobroker_cfg_flag(c->check_credentials, 1)
        && x2gobroker_cfg_flag(c->require_password, 1)
        && (x2gobroker_cfg_flag(c->enable_plain, 1)
            || x2gobroker_cfg_flag(c->enable_json, 1))) {
        *where = c->location ? c->location : "(server config)";
    }
}

/* Set up the default store if a configuration uses it.  A setup that
 * names its stores everywhere (e.g. dbd only) must not need
 * mod_socache_shmcb, nor get shared memory it never uses. */
static int setup_default(apr_pool_t *pconf, apr_pool_t *ptemp,
                         server_rec *s)
{
    const char *user = NULL;
    int configs = x2gobroker_walk_configs(ptemp, s, note_default_use,
                                          &user);
    int added;
    const char *err;

    default_src = NULL;
    if (!user) {
        /* With no configuration visible at all, the broker may still be
         * served on built-in defaults (SetHandler x2gobroker at server
         * level or in <Location />, no X2GoBroker directive): keep the
         * store that would use if it costs no extra module. */
        if (configs || !ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP,
                                           DEFAULT_STORE,
                                           AP_SOCACHE_PROVIDER_VERSION)) {
            ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s, XGB_LOGNO(00205)
                         "no configuration uses the default cookie store "
                         "%s: not set up", DEFAULT_STORE);
            /* named explicitly somewhere, it exists anyway */
            for (default_src = sources; default_src;
                 default_src = default_src->next) {
                if (!strcmp(default_src->spec, DEFAULT_STORE)) {
                    break;
                }
            }
            return OK;
        }
    }
    default_src = find_or_add(pconf, DEFAULT_STORE, &added);
    if (added) {
        default_src->s = s;
        err = create_socache(pconf, ptemp, default_src);
        if (err) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, XGB_LOGNO(00020)
                         "%s; needed as the default X2GoBrokerCookieStore "
                         "by %s", err,
                         user ? user : "the built-in defaults");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    return OK;
}

int x2gobroker_cookies_post_config(apr_pool_t *pconf, apr_pool_t *ptemp,
                                   server_rec *s)
{
    static const struct ap_socache_hints hints = { 36, 80, 600 };
    x2gobroker_cookie_src *src;
    int rc = setup_default(pconf, ptemp, s);

    if (rc != OK) {
        return rc;
    }
    for (src = sources; src; src = src->next) {
        apr_status_t rv;

        if (src->is_dbd) {
            continue;
        }
        rv = src->provider->init(src->instance, "x2gobroker-cookies", &hints,
                                 s, pconf);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, XGB_LOGNO(00022)
                         "cannot initialise cookie store %s", src->spec);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        apr_pool_cleanup_register(pconf, src, destroy_socache,
                                  apr_pool_cleanup_null);
    }
    return OK;
}

/* ---- socache store ---------------------------------------------------- */

typedef struct {
    request_rec *r;
    x2gobroker_cookie_src *src;
} store_ctx;

/* Record layout in the cache: user NUL ip NUL origtime(us) NUL.  Form
 * decoding turns NUL bytes into spaces, so fields cannot contain one. */
static apr_status_t socache_take(xgb_cookie_store_t *st, apr_pool_t *p,
                                 const char *user, const char *cookie,
                                 xgb_cookie_rec_t *rec)
{
    store_ctx *ctx = st->ctx;
    x2gobroker_cookie_src *src = ctx->src;
    unsigned char data[1024];
    unsigned int len = sizeof(data) - 1;
    const char *ip, *t;
    apr_status_t rv;

    if (!x2gobroker_shm_lock_all(ctx->r->server, ctx->r)) {
        return APR_EGENERAL;
    }
    rv = src->provider->retrieve(src->instance, ctx->r->server,
                                 (const unsigned char *)cookie,
                                 (unsigned int)strlen(cookie), data, &len,
                                 p);
    if (rv == APR_SUCCESS) {
        data[len] = '\0';
        ip = (const char *)data + strlen((char *)data) + 1;
        if ((unsigned char *)ip >= data + len || strcmp((char *)data, user)) {
            /* Someone else's cookie stays where it is. */
            rv = APR_NOTFOUND;
        }
        else {
            src->provider->remove(src->instance, ctx->r->server,
                                  (const unsigned char *)cookie,
                                  (unsigned int)strlen(cookie), p);
        }
    }
    x2gobroker_shm_unlock();
    if (rv != APR_SUCCESS) {
        return APR_NOTFOUND;
    }
    t = ip + strlen(ip) + 1;
    if ((unsigned char *)t >= data + len) {
        return APR_NOTFOUND;
    }
    rec->user = apr_pstrdup(p, user);
    rec->ip = apr_pstrdup(p, ip);
    rec->origtime = (apr_time_t)apr_atoi64(t);
    return APR_SUCCESS;
}

static apr_status_t socache_put(xgb_cookie_store_t *st, apr_pool_t *p,
                                const char *cookie,
                                const xgb_cookie_rec_t *rec,
                                apr_time_t expires)
{
    store_ctx *ctx = st->ctx;
    x2gobroker_cookie_src *src = ctx->src;
    apr_size_t ulen = strlen(rec->user), iplen = strlen(rec->ip);
    const char *t = apr_psprintf(p, "%" APR_TIME_T_FMT, rec->origtime);
    apr_size_t len = ulen + 1 + iplen + 1 + strlen(t) + 1;
    char *data;
    apr_status_t rv;

    if (len > 1000) {
        return APR_ENOSPC;
    }
    data = apr_palloc(p, len);
    memcpy(data, rec->user, ulen + 1);
    memcpy(data + ulen + 1, rec->ip, iplen + 1);
    memcpy(data + ulen + 1 + iplen + 1, t, strlen(t) + 1);
    if (!x2gobroker_shm_lock_all(ctx->r->server, ctx->r)) {
        return APR_EGENERAL;
    }
    rv = src->provider->store(src->instance, ctx->r->server,
                              (const unsigned char *)cookie,
                              (unsigned int)strlen(cookie), expires,
                              (unsigned char *)data, (unsigned int)len, p);
    x2gobroker_shm_unlock();
    return rv;
}

/* ---- PostgreSQL store through mod_dbd --------------------------------- */

static apr_dbd_prepared_t *statement(ap_dbd_t *dbd, const char *label)
{
    return apr_hash_get(dbd->prepared, label, APR_HASH_KEY_STRING);
}

static ap_dbd_t *acquire(request_rec *r)
{
    ap_dbd_t *dbd = dbd_acquire ? dbd_acquire(r) : NULL;

    if (!dbd) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, XGB_LOGNO(00024)
                      "cookie store dbd: no database connection");
    }
    return dbd;
}

static apr_status_t dbd_take(xgb_cookie_store_t *st, apr_pool_t *p,
                             const char *user, const char *cookie,
                             xgb_cookie_rec_t *rec)
{
    store_ctx *ctx = st->ctx;
    ap_dbd_t *dbd = acquire(ctx->r);
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    apr_status_t rv = APR_NOTFOUND;
    int err;

    if (!dbd) {
        return APR_EGENERAL;
    }
    err = apr_dbd_pvselect(dbd->driver, p, dbd->handle, &res,
                           statement(dbd, LABEL_TAKE), 0, cookie, user,
                           NULL);
    if (err) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, ctx->r, XGB_LOGNO(00025)
                      "cookie store dbd: take failed: %s",
                      apr_dbd_error(dbd->driver, dbd->handle, err));
        return APR_EGENERAL;
    }
    /* Read to the end: the driver needs drained results.  `row` is set
     * to NULL once only; the pgsql driver keeps its position in it. */
    while (apr_dbd_get_row(dbd->driver, p, res, &row, -1) == 0) {
        if (rv == APR_NOTFOUND) {
            rec->user = apr_pstrdup(p, user);
            rec->ip = apr_pstrdup(p, apr_dbd_get_entry(dbd->driver, row, 0));
            rec->origtime = (apr_time_t)(strtod(
                                apr_dbd_get_entry(dbd->driver, row, 1), NULL)
                            * APR_USEC_PER_SEC);
            rv = APR_SUCCESS;
        }
    }
    return rv;
}

static void dbd_purge(request_rec *r, ap_dbd_t *dbd, apr_time_t now)
{
    apr_uint32_t secs = (apr_uint32_t)apr_time_sec(now);
    apr_uint32_t last = apr_atomic_read32(&last_purge);
    int nrows;
    int err;

    if (secs - last < DBD_PURGE_INTERVAL
        || apr_atomic_cas32(&last_purge, secs, last) != last) {
        return;
    }
    err = apr_dbd_pvquery(dbd->driver, r->pool, dbd->handle, &nrows,
                          statement(dbd, LABEL_PURGE),
                          apr_psprintf(r->pool, "%" APR_TIME_T_FMT,
                                       apr_time_sec(now)), NULL);
    if (err) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, XGB_LOGNO(00026)
                      "cookie store dbd: purge failed: %s",
                      apr_dbd_error(dbd->driver, dbd->handle, err));
    }
    else if (nrows > 0) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, XGB_LOGNO(00027)
                      "cookie store dbd: purged %d expired cookies", nrows);
    }
}

static apr_status_t dbd_put(xgb_cookie_store_t *st, apr_pool_t *p,
                            const char *cookie, const xgb_cookie_rec_t *rec,
                            apr_time_t expires)
{
    store_ctx *ctx = st->ctx;
    ap_dbd_t *dbd = acquire(ctx->r);
    int nrows;
    int err;

    if (!dbd) {
        return APR_EGENERAL;
    }
    err = apr_dbd_pvquery(dbd->driver, p, dbd->handle, &nrows,
                          statement(dbd, LABEL_PUT), cookie, rec->user,
                          rec->ip,
                          apr_psprintf(p, "%.6f", (double)rec->origtime
                                                  / APR_USEC_PER_SEC),
                          apr_psprintf(p, "%" APR_TIME_T_FMT,
                                       apr_time_sec(expires)), NULL);
    if (err) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, ctx->r, XGB_LOGNO(00028)
                      "cookie store dbd: store failed: %s",
                      apr_dbd_error(dbd->driver, dbd->handle, err));
        return APR_EGENERAL;
    }
    dbd_purge(ctx->r, dbd, apr_time_now());
    return APR_SUCCESS;
}

xgb_cookie_store_t *x2gobroker_cookies_store(request_rec *r,
                                             x2gobroker_cookie_src *src)
{
    xgb_cookie_store_t *st = apr_pcalloc(r->pool, sizeof(*st));
    store_ctx *ctx = apr_palloc(r->pool, sizeof(*ctx));

    ctx->r = r;
    ctx->src = src;
    st->ctx = ctx;
    st->take = src->is_dbd ? dbd_take : socache_take;
    st->put = src->is_dbd ? dbd_put : socache_put;
    return st;
}
