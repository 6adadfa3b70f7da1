/*
 * mod_x2gobroker_uccs.c - the UCCS frontend (spec 2.2), which Arctica
 * Greeter's remote logon speaks: a HEAD "ping" and a JSON list of
 * servers behind HTTP Basic authentication.  Off unless
 * X2GoBrokerEnableUccsOutput is on.
 */
#include "apr_strings.h"
#include "apr_lib.h"

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_protocol.h"
#include "util_script.h"

#include "mod_x2gobroker_private.h"
#include "xgb_addr.h"
#include "xgb_uccs.h"

#define DEFAULT_UCCS_URL_BASE "http://localhost:8080/"

/* "/uccs/" + letters + slashes: the greeter's is-alive ping. */
static int is_uccs_ping(const char *rest)
{
    while (apr_isalpha(*rest)) {
        rest++;
    }
    while (*rest == '/') {
        rest++;
    }
    return *rest == '\0';
}

/* "<backend>/api/<digit>" + slashes; the backend is the whole rest,
 * which must be a known name exactly. */
static int parse_uccs_api(apr_pool_t *p, const char *rest,
                          x2gobroker_backend_e *b, const char **name,
                          int *version)
{
    apr_size_t len = strlen(rest);
    const char *api;

    while (len && rest[len - 1] == '/') {
        len--;
    }
    if (len < 7 || !apr_isdigit(rest[len - 1])
        || strncmp(rest + len - 6, "/api/", 5)) {
        return -1;
    }
    *version = rest[len - 1] - '0';
    api = rest + len - 6;
    while (api > rest && api[-1] == '/') {
        api--;
    }
    *name = apr_pstrmemdup(p, rest, (apr_size_t)(api - rest));
    if (strchr(*name, '/') || !x2gobroker_parse_backend(*name, b)) {
        return 0;
    }
    return 1;
}

/* UCCS logins mint a cookie that is never handed out; keep them out of
 * the real store. */
static apr_status_t null_take(xgb_cookie_store_t *st, apr_pool_t *p,
                              const char *user, const char *cookie,
                              xgb_cookie_rec_t *rec)
{
    return APR_NOTFOUND;
}

static apr_status_t null_put(xgb_cookie_store_t *st, apr_pool_t *p,
                             const char *cookie, const xgb_cookie_rec_t *rec,
                             apr_time_t expires)
{
    return APR_SUCCESS;
}

static xgb_access_e uccs_login(request_rec *r, const x2gobroker_cfg *c,
                               const char *ip, const char *user,
                               const char *password)
{
    xgb_cookie_store_t null_store = { null_take, null_put, NULL };
    x2gobroker_auth_baton baton = { r, c, XGB_BACKEND_BASE };
    xgb_cookie_conf_t cc;
    const char *next;

    x2gobroker_cookie_conf(c, r->pool, &cc);
    return xgb_check_access(r->pool, &cc, &null_store, x2gobroker_auth_check,
                            &baton, user, password, ip, "", apr_time_now(),
                            &next);
}

/* HTTP Basic authentication as the reference's UCCS frontend does it:
 * anonymous when no credentials are required, else user:password, with
 * a retry without "@domain" (greeters send e-mail addresses).  Returns
 * OK with *user set, or the status to answer with: 401 (no or wrong
 * credentials), 400 (a user name over XGB_MAX_USER_LEN, as on plain/),
 * 503 (the password could not be checked). */
static int uccs_user(request_rec *r, const x2gobroker_cfg *c,
                     const char *ip, const char **user)
{
    const char *auth = apr_table_get(r->headers_in, "Authorization");
    char *decoded, *colon, *at;
    xgb_access_e access;

    if (uccs_login(r, c, ip, "check-credentials", "FALSE")
        == XGB_ACCESS_GRANTED) {
        *user = "anonymous";
        return OK;
    }
    if (!auth || strncmp(auth, "Basic ", 6)) {
        return HTTP_UNAUTHORIZED;
    }
    decoded = ap_pbase64decode(r->pool, auth + 6);
    colon = strchr(decoded, ':');
    if (!colon) {
        return HTTP_UNAUTHORIZED;
    }
    *colon = '\0';
    if (strlen(decoded) > XGB_MAX_USER_LEN) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, XGB_LOGNO(00204)
                      "bad request: Basic user name of %" APR_SIZE_T_FMT
                      " bytes exceeds %d", strlen(decoded),
                      XGB_MAX_USER_LEN);
        return HTTP_BAD_REQUEST;
    }
    access = uccs_login(r, c, ip, decoded, colon + 1);
    at = strchr(decoded, '@');
    if (access == XGB_ACCESS_DENIED && at) {
        *at = '\0';
        access = uccs_login(r, c, ip, decoded, colon + 1);
    }
    switch (access) {
    case XGB_ACCESS_GRANTED:
        *user = decoded;
        return OK;
    case XGB_ACCESS_UNAVAILABLE:
        /* logged by the authn glue, with the provider's name */
        return HTTP_SERVICE_UNAVAILABLE;
    case XGB_ACCESS_ERROR:
        return HTTP_INTERNAL_SERVER_ERROR;
    default:
        return HTTP_UNAUTHORIZED;
    }
}

int x2gobroker_uccs_handler(request_rec *r, const x2gobroker_cfg *c,
                            const char *rest)
{
    int debug = x2gobroker_cfg_flag(c->debug, 0);
    x2gobroker_backend_e backend;
    const char *name, *user = NULL, *ip, *body;
    apr_array_header_t *visible_profiles;
    int version, parsed, rc;

    if (is_uccs_ping(rest)) {
        r->allowed = AP_METHOD_BIT << M_GET;
        if (r->method_number != M_GET || (!r->header_only && !debug)) {
            return x2gobroker_send_error(r, HTTP_METHOD_NOT_ALLOWED);
        }
        name = xgb_uccs_ping(r->pool, apr_time_now());
        return x2gobroker_send_body(r, HTTP_OK, "text/html; charset=UTF-8",
                                    name, strlen(name));
    }
    parsed = parse_uccs_api(r->pool, rest, &backend, &name, &version);
    if (parsed < 0) {
        return x2gobroker_send_error(r, HTTP_NOT_FOUND);
    }
    if (!x2gobroker_method_ok(r, c, 0)) {
        return x2gobroker_send_error(r, HTTP_METHOD_NOT_ALLOWED);
    }
    ip = xgb_addr_normalise(r->pool, r->useragent_ip);
    rc = ip ? uccs_user(r, c, ip, &user) : HTTP_UNAUTHORIZED;
    if (rc == HTTP_UNAUTHORIZED) {
        apr_table_setn(r->err_headers_out, "WWW-Authenticate",
                       "Basic realm=\"Authentication required\"");
        return x2gobroker_send_body(r, HTTP_UNAUTHORIZED,
                                    "text/html; charset=UTF-8", "", 0);
    }
    if (rc != OK) {
        return x2gobroker_send_error(r, rc);
    }
    if (!parsed || !x2gobroker_cfg_flag(c->enable_uccs, 0)
        || !x2gobroker_backend_enabled(c, backend)) {
        return x2gobroker_send_error(r, HTTP_NOT_FOUND);
    }
    visible_profiles = x2gobroker_visible_profiles(
        r, c, backend,
        backend == XGB_BACKEND_INIFILE
            ? x2gobroker_profiles_get(r, x2gobroker_profiles_of(c)) : NULL,
        user, ip);
    body = xgb_uccs_render(r->pool, visible_profiles, user,
                           c->uccs_url_base ? c->uccs_url_base
                                            : DEFAULT_UCCS_URL_BASE,
                           name, version);
    return x2gobroker_send_answer(r, "text/plain; charset=utf-8", body);
}
