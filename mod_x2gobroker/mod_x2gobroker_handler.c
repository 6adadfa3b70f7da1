/*
 * mod_x2gobroker_handler.c - the broker's HTTP endpoints (spec 1.1).
 *
 * Routes hang off the <Location> the handler is set in:
 *   plain/<backend>/  x2goclient          json/<backend>/  python-x2go
 *   uccs/...          Arctica greeter     pubkeys/         broker SSH keys
 *   (the Location itself)                 "It works" page
 * Statuses and error bodies are the reference's (Tornado's default error
 * page), because clients only look at the status and tests compare bytes.
 */
#include "apr_strings.h"
#include "apr_lib.h"

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "ap_expr.h"
#include "ap_regex.h"

#include "mod_x2gobroker_private.h"
#include "xgb_acl.h"
#include "xgb_addr.h"
#include "xgb_form.h"
#include "xgb_net.h"
#include "xgb_render.h"
#include "xgb_select.h"
#include "xgb_route.h"

#define DEFAULT_MAX_BODY 65536
#define DEFAULT_AUTH_TIMEOUT 36000
#define DEFAULT_DESKTOP_SHELL "KDE"

/* Longest accepted form field; a public key line is the longest thing a
 * client legitimately sends. */
#define MAX_FIELD_LEN 16384

#define IT_WORKS "<body><html><h1>X2Go Session Broker</h1>" \
                 "<p>It works...</p></body></html>"

/* Tornado's reason phrases (Python's http.client.responses). */
static const char *reason(int status)
{
    switch (status) {
    case HTTP_BAD_REQUEST:
        return "Bad Request";
    case HTTP_UNAUTHORIZED:
        return "Unauthorized";
    case HTTP_NOT_FOUND:
        return "Not Found";
    case HTTP_METHOD_NOT_ALLOWED:
        return "Method Not Allowed";
    case HTTP_REQUEST_ENTITY_TOO_LARGE:
        return "Request Entity Too Large";
    case HTTP_SERVICE_UNAVAILABLE:
        return "Service Unavailable";
    default:
        return "Internal Server Error";
    }
}

int x2gobroker_send_body(request_rec *r, int status, const char *type,
                         const char *body, apr_size_t len)
{
    r->status = status;
    ap_set_content_type(r, type);
    ap_set_content_length(r, len);
    if (!r->header_only && len) {
        ap_rwrite(body, (int)len, r);
    }
    return OK;
}

/* The error page the reference sends, byte for byte.  We write it
 * ourselves: returning the status to httpd would produce httpd's page. */
int x2gobroker_send_error(request_rec *r, int status)
{
    const char *text = apr_psprintf(r->pool, "%d: %s", status,
                                    reason(status));
    const char *body = apr_pstrcat(r->pool, "<html><title>", text,
                                   "</title><body>", text,
                                   "</body></html>", NULL);

    if (status == HTTP_REQUEST_ENTITY_TOO_LARGE) {
        /* The rest of the body was not read. */
        r->connection->keepalive = AP_CONN_CLOSE;
    }
    else {
        ap_discard_request_body(r);
    }
    return x2gobroker_send_body(r, status, "text/html; charset=UTF-8", body,
                                strlen(body));
}

int x2gobroker_send_answer(request_rec *r, const char *type,
                           const char *body)
{
    if (!body) {
        /* The renderers fail only when memory runs out. */
        return x2gobroker_send_error(r, HTTP_INTERNAL_SERVER_ERROR);
    }
    /* Not a valid date, but what the reference sends and clients ignore. */
    apr_table_setn(r->headers_out, "Expires", "+1h");
    return x2gobroker_send_body(r, HTTP_OK, type, body, strlen(body));
}

/* Allow GET on the broker routes only in debug mode (reference bug B1
 * made it always on, putting passwords into URLs and logs). */
int x2gobroker_method_ok(request_rec *r, const x2gobroker_cfg *c, int post)
{
    int debug = x2gobroker_cfg_flag(c->debug, 0);

    r->allowed = (post ? AP_METHOD_BIT << M_POST : 0)
                 | (debug || !post ? AP_METHOD_BIT << M_GET : 0);
    if (post && r->method_number == M_POST) {
        return 1;
    }
    return r->method_number == M_GET && (debug || !post) && !r->header_only;
}

/* Read the request body into one NUL-terminated buffer, at most max
 * bytes, growing the buffer with what actually arrives (a bound is not a
 * reason to allocate it for every request).  Returns OK or the HTTP
 * status to answer with. */
static int read_body(request_rec *r, apr_off_t max, const char **body,
                     apr_size_t *len)
{
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    apr_bucket_brigade *bb;
    apr_size_t cap = 1024, got = 0;
    char *buf;
    int eos = 0;

    if (cl && apr_atoi64(cl) > max) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, XGB_LOGNO(00040)
                      "request body of %s bytes exceeds "
                      "X2GoBrokerMaxBodySize %" APR_OFF_T_FMT, cl, max);
        return HTTP_REQUEST_ENTITY_TOO_LARGE;
    }
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    buf = apr_palloc(r->pool, cap + 1);
    while (!eos) {
        apr_status_t rv = ap_get_brigade(r->input_filters, bb,
                                         AP_MODE_READBYTES, APR_BLOCK_READ,
                                         HUGE_STRING_LEN);
        apr_off_t n;
        apr_size_t chunk;

        if (rv != APR_SUCCESS) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, rv, r, XGB_LOGNO(00042)
                          "error reading the request body");
            return ap_map_http_request_error(rv, HTTP_BAD_REQUEST);
        }
        eos = !APR_BRIGADE_EMPTY(bb)
              && APR_BUCKET_IS_EOS(APR_BRIGADE_LAST(bb));
        apr_brigade_length(bb, 1, &n);
        if ((apr_off_t)got + n > max) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, XGB_LOGNO(00041)
                          "request body exceeds X2GoBrokerMaxBodySize "
                          "%" APR_OFF_T_FMT, max);
            return HTTP_REQUEST_ENTITY_TOO_LARGE;
        }
        if (got + (apr_size_t)n > cap) {
            char *bigger;

            while (got + (apr_size_t)n > cap) {
                cap *= 2;
            }
            bigger = apr_palloc(r->pool, cap + 1);
            memcpy(bigger, buf, got);
            buf = bigger;
        }
        chunk = (apr_size_t)n;
        apr_brigade_flatten(bb, buf + got, &chunk);
        got += chunk;
        apr_brigade_cleanup(bb);
    }
    buf[got] = '\0';
    *body = buf;
    *len = got;
    return OK;
}

/* spec 1.2: "inifile/", "inifile", "inifile/foo" all name inifile; an
 * empty rest names the default, while "/" or "/inifile" name the empty
 * backend, which does not exist.  Only known names pass: the reference
 * spliced this string into Python code (B14). */
int x2gobroker_parse_backend(const char *rest, x2gobroker_backend_e *b)
{
    apr_size_t len = strlen(rest);
    const char *slash;

    if (len == 0) {
        *b = XGB_BACKEND_INIFILE;
        return 1;
    }
    while (len && rest[len - 1] == '/') {
        len--;
    }
    slash = memchr(rest, '/', len);
    if (slash) {
        len = (apr_size_t)(slash - rest);
    }
    if (len == 7 && !strncmp(rest, "inifile", 7)) {
        *b = XGB_BACKEND_INIFILE;
    }
    else if (len == 8 && !strncmp(rest, "zeroconf", 8)) {
        *b = XGB_BACKEND_ZEROCONF;
    }
    else if (len == 4 && !strncmp(rest, "base", 4)) {
        *b = XGB_BACKEND_BASE;
    }
    else {
        return 0;
    }
    return 1;
}

int x2gobroker_backend_enabled(const x2gobroker_cfg *c,
                               x2gobroker_backend_e b)
{
    switch (b) {
    case XGB_BACKEND_INIFILE:
        return x2gobroker_cfg_flag(c->inifile_enable, 1);
    case XGB_BACKEND_ZEROCONF:
        return x2gobroker_cfg_flag(c->zeroconf_enable, 0);
    default:
        return x2gobroker_cfg_flag(c->base_enable, 0);
    }
}

/* Everything one broker request needs after routing. */
typedef struct {
    request_rec *r;
    const x2gobroker_cfg *cfg;
    x2gobroker_backend_e backend;
    xgb_fields_t f;
    const char *ip;
    const xgb_profiles_t *profiles;     /* inifile only */
} broker_req;

static int visible(request_rec *r, const x2gobroker_cfg *c,
                   x2gobroker_backend_e b, const char *user, const char *ip,
                   const xgb_profile_t *prof)
{
    const xgb_groupdb_t *db = xgb_groupdb_get(x2gobroker_cfg_group_db(c, b));

    return xgb_acl_check(r->pool, &prof->acl, user, ip, db,
                         x2gobroker_cfg_flag(c->ignore_primary_groups, 1));
}

apr_array_header_t *x2gobroker_visible_profiles(request_rec *r,
                                                const x2gobroker_cfg *c,
                                                x2gobroker_backend_e b,
                                                const xgb_profiles_t *ps,
                                                const char *user,
                                                const char *ip)
{
    apr_array_header_t *out = apr_array_make(r->pool, 8, sizeof(void *));
    int i;

    for (i = 0; ps && i < ps->profiles->nelts; i++) {
        const xgb_profile_t *prof = APR_ARRAY_IDX(ps->profiles, i,
                                                  const xgb_profile_t *);

        if (visible(r, c, b, user, ip, prof)) {
            APR_ARRAY_PUSH(out, const xgb_profile_t *) = prof;
        }
    }
    return out;
}

static apr_array_header_t *list_profiles(broker_req *br)
{
    apr_pool_t *p = br->r->pool;
    apr_array_header_t *out = apr_array_make(p, 8, sizeof(void *));
    apr_array_header_t *shown;
    int autologin = x2gobroker_cfg_flag(br->cfg->session_autologin, 0);
    int i;

    if (br->backend == XGB_BACKEND_ZEROCONF) {
        APR_ARRAY_PUSH(out, xgb_client_profile_t *) =
            xgb_zeroconf_profile(p, br->cfg->zeroconf_desktop_shell
                                    ? br->cfg->zeroconf_desktop_shell
                                    : DEFAULT_DESKTOP_SHELL);
        return out;
    }
    shown = x2gobroker_visible_profiles(br->r, br->cfg, br->backend,
                                        br->profiles, br->f.user, br->ip);
    for (i = 0; i < shown->nelts; i++) {
        APR_ARRAY_PUSH(out, xgb_client_profile_t *) =
            xgb_profile_for_client(p, APR_ARRAY_IDX(shown, i,
                                                    const xgb_profile_t *),
                                   br->f.user, autologin);
    }
    x2gobroker_listing_status(br->r, br->cfg, br->backend, shown, out,
                              br->f.user);
    return out;
}

/* spec 5.2.  A profile the user may not see is answered like an unknown
 * one (fix of B4: the reference served any profile).  OK with *sel, or
 * the HTTP status to answer with. */
static int select_server(broker_req *br, const char *id,
                         const xgb_selection_t **sel)
{
    apr_pool_t *p = br->r->pool;
    const xgb_profile_t *prof = NULL;
    const x2gobroker_cfg *c = br->cfg;
    const char *login = *br->f.login ? br->f.login : br->f.user;

    if (br->backend == XGB_BACKEND_ZEROCONF) {
        xgb_selection_t *local = apr_pcalloc(p, sizeof(*local));

        local->server = "localhost";
        local->port = 22;
        *sel = local;
        return OK;
    }
    if (br->backend == XGB_BACKEND_INIFILE) {
        prof = xgb_profiles_find(br->profiles, id);
        if (prof && !visible(br->r, c, br->backend, br->f.user, br->ip,
                             prof)) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, br->r, XGB_LOGNO(00043)
                          "user '%s' may not use profile '%s'",
                          ap_escape_logitem(p, br->f.user),
                          ap_escape_logitem(p, id));
            prof = NULL;
        }
    }
    /* The server login is "login" when the client sent one (spec 5.2).
     * With agents that is whose sessions are listed and suspended and
     * whose authorized_keys get a key handed to the client: another
     * account than the one that logged in only if the site says so. */
    if (prof && strcmp(login, br->f.user)
        && x2gobroker_agent_mode(c, br->backend, prof)
           != X2GOBROKER_AGENT_NONE
        && !x2gobroker_cfg_flag(c->allow_login_override, 0)) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, br->r, XGB_LOGNO(00051)
                      "user '%s' asked to act as '%s' on profile '%s': "
                      "refused (X2GoBrokerAllowLoginOverride is Off)",
                      ap_escape_logitem(p, br->f.user),
                      ap_escape_logitem(p, login), ap_escape_logitem(p, id));
        return HTTP_FORBIDDEN;
    }
    *sel = x2gobroker_select(br->r, c, br->backend, prof, login,
                             br->f.pubkey, br->ip);
    return OK;
}

void x2gobroker_cookie_conf(const x2gobroker_cfg *c, apr_pool_t *p,
                            xgb_cookie_conf_t *cc)
{
    int check = x2gobroker_cfg_flag(c->check_credentials, 1);

    cc->require_password = check && x2gobroker_cfg_flag(c->require_password,
                                                        1);
    cc->require_cookie = check && x2gobroker_cfg_flag(c->require_cookie, 0);
    cc->use_static_cookie = x2gobroker_cfg_flag(c->use_static_cookie, 0);
    cc->verify_ip = x2gobroker_cfg_flag(c->verify_ip, 1);
    cc->auth_timeout = apr_time_from_sec(
        c->auth_timeout != XGB_UNSET ? c->auth_timeout
                                     : DEFAULT_AUTH_TIMEOUT);
    /* A presented pre-shared cookie means "password login" even when it
     * is not required; the file is only read when it can matter. */
    cc->my_cookie = (cc->require_cookie || c->my_cookie || c->my_cookie_file)
        ? xgb_my_cookie(p, c->my_cookie,
                        c->my_cookie_file ? c->my_cookie_file
                                          : XGB_DEFAULT_MY_COOKIE_FILE)
        : NULL;
}

/* When httpd already authenticated the request (AuthType Basic, GSSAPI,
 * a client certificate...), that user is the broker user and needs no
 * password of ours. */
static int trusted_check(void *baton, const char *user, const char *password)
{
    return 1;
}

/* spec 1.3 steps 6-10 and 7.3.  Returns OK with *next set (or NULL), or
 * the HTTP status to answer with. */
static int authenticate(broker_req *br, const char **next)
{
    request_rec *r = br->r;
    xgb_cookie_conf_t cc;
    x2gobroker_auth_baton baton = { r, br->cfg, br->backend };
    x2gobroker_cookie_src *src;
    xgb_auth_fn *check = x2gobroker_auth_check;
    xgb_access_e access;

    if (r->user) {
        /* Whoever authenticated the request, an over-long name is no
         * login name of ours (see XGB_MAX_USER_LEN). */
        if (strlen(r->user) > XGB_MAX_USER_LEN) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, XGB_LOGNO(00201)
                          "authenticated user name of %" APR_SIZE_T_FMT
                          " bytes exceeds %d: answering 400",
                          strlen(r->user), XGB_MAX_USER_LEN);
            return HTTP_BAD_REQUEST;
        }
        if (!*br->f.user) {
            br->f.user = r->user;
        }
        else if (strcmp(br->f.user, r->user)) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, XGB_LOGNO(00044)
                          "form user '%s' is not the authenticated user "
                          "'%s'", ap_escape_logitem(r->pool, br->f.user),
                          r->user);
            return HTTP_UNAUTHORIZED;
        }
        check = trusted_check;
    }
    x2gobroker_cookie_conf(br->cfg, r->pool, &cc);
    src = br->cfg->cookies ? br->cfg->cookies : x2gobroker_cookies_default();
    if (!src && cc.require_password) {
        /* The default store is only set up when start-up saw a
         * configuration needing it; this one escaped (e.g. a <Location>
         * with nothing but SetHandler x2gobroker). */
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, XGB_LOGNO(00203)
                      "no cookie store for %s: set X2GoBrokerCookieStore "
                      "here (the default shmcb store was not set up, as "
                      "no configuration seemed to use it)",
                      ap_escape_logitem(r->pool, r->uri));
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    access = xgb_check_access(r->pool, &cc,
                              src ? x2gobroker_cookies_store(r, src) : NULL,
                              check, &baton, br->f.user, br->f.password,
                              br->ip, br->f.authid, apr_time_now(), next);
    if (access == XGB_ACCESS_UNAVAILABLE) {
        /* The authn provider logged the cause; the password may be
         * right, so no 401: the client should try again later. */
        return HTTP_SERVICE_UNAVAILABLE;
    }
    if (access == XGB_ACCESS_ERROR) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, XGB_LOGNO(00045)
                      "cookie store failed; answering 500");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (access != XGB_ACCESS_GRANTED) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, XGB_LOGNO(00046)
                      "access denied for user '%s' from %s",
                      ap_escape_logitem(r->pool, br->f.user), br->ip);
        return HTTP_UNAUTHORIZED;
    }
    return OK;
}

/* Steps 1-6 of spec 1.3: everything before authentication. */
static int prepare(broker_req *br, const char *rest, int enabled)
{
    request_rec *r = br->r;
    const x2gobroker_cfg *c = br->cfg;
    const char *body = NULL;
    const char *reason_text = NULL;
    apr_size_t len = 0;
    int rc;

    if (!x2gobroker_method_ok(r, c, 1)) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    if (!x2gobroker_parse_backend(rest, &br->backend)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, XGB_LOGNO(00047)
                      "unknown broker backend in %s",
                      ap_escape_logitem(r->pool, r->uri));
        return HTTP_NOT_FOUND;
    }
    if (!enabled || !x2gobroker_backend_enabled(c, br->backend)) {
        return HTTP_NOT_FOUND;
    }
    rc = read_body(r, c->max_body != XGB_UNSET ? c->max_body
                                               : DEFAULT_MAX_BODY,
                   &body, &len);
    if (rc != OK) {
        return rc;
    }
    if (xgb_form_parse(r->pool, r->args, body, len, MAX_FIELD_LEN, &br->f,
                       &reason_text) != XGB_FORM_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, XGB_LOGNO(00048)
                      "bad request: %s", reason_text);
        return HTTP_BAD_REQUEST;
    }
    /* Refused here, before authentication looks at it: see
     * XGB_MAX_USER_LEN.  The name itself is not logged (it is long). */
    if (strlen(br->f.user) > XGB_MAX_USER_LEN) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, XGB_LOGNO(00200)
                      "bad request: field 'user' of %" APR_SIZE_T_FMT
                      " bytes exceeds %d", strlen(br->f.user),
                      XGB_MAX_USER_LEN);
        return HTTP_BAD_REQUEST;
    }
    br->ip = xgb_addr_normalise(r->pool, r->useragent_ip);
    if (!br->ip) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, XGB_LOGNO(00049)
                      "client address '%s' is not an IP address",
                      r->useragent_ip ? r->useragent_ip : "");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (br->backend == XGB_BACKEND_INIFILE) {
        br->profiles = x2gobroker_profiles_get(r, x2gobroker_profiles_of(c));
    }
    return OK;
}

static int handle_broker(request_rec *r, const x2gobroker_cfg *c,
                         const char *rest, int json)
{
    broker_req br = { r, c };
    xgb_answer_t a = { 0 };
    const char *id;
    int rc;

    rc = prepare(&br, rest, json ? x2gobroker_cfg_flag(c->enable_json, 1)
                                 : x2gobroker_cfg_flag(c->enable_plain, 1));
    if (rc == OK) {
        rc = authenticate(&br, &a.next_authid);
    }
    if (rc != OK) {
        return x2gobroker_send_error(r, rc);
    }
    a.task = br.f.task;
    id = br.f.sid;
    if (json) {
        if (!strcmp(a.task, "listsessions")) {
            a.task = "listprofiles";
        }
        if (!*id) {
            id = br.f.profile_id;
        }
    }
    if (!strcmp(a.task, "testcon")) {
        /* B5: the reference answers just this, though a cookie was
         * consumed; x2goclient only needs a 200. */
        return x2gobroker_send_answer(r, json ? "text/json; charset=utf-8"
                                           : "text/plain; charset=utf-8",
                                      json ? "" : "OK");
    }
    /* JSON renamed listsessions above; plain knows only listsessions. */
    if (!strcmp(a.task, json ? "listprofiles" : "listsessions")) {
        a.profiles = list_profiles(&br);
    }
    else if (!strcmp(a.task, "selectsession")) {
        a.has_selection = 1;
        if (*id && (rc = select_server(&br, id, &a.selection)) != OK) {
            return x2gobroker_send_error(r, rc);
        }
    }
    if (json) {
        return x2gobroker_send_answer(r, "text/json; charset=utf-8",
                                      xgb_render_json(r->pool, &a));
    }
    return x2gobroker_send_answer(r, "text/plain; charset=utf-8",
                                  xgb_render_plain(r->pool, &a));
}

/* The path of the <Location> whose SetHandler made this request ours:
 * the routes hang off it, whichever sections (outer or nested) hold the
 * X2GoBroker directives.  httpd applies matching sections in order and
 * the last SetHandler wins, so the last matching section whose handler
 * evaluates to "x2gobroker" for this request is the one.  NULL when the
 * handler came from elsewhere (<Directory>, <If>, AddHandler). */
static const char *handler_section(request_rec *r)
{
    core_server_config *sconf =
        ap_get_core_module_config(r->server->module_config);
    ap_conf_vector_t **sec = (ap_conf_vector_t **)sconf->sec_url->elts;
    const char *found = NULL;
    int i;

    for (i = 0; i < sconf->sec_url->nelts; i++) {
        core_dir_config *dc = ap_get_core_module_config(sec[i]);
        const char *h, *err = NULL;
        ap_regmatch_t m[1];
        apr_size_t len;

        if (!dc->expr_handler || !dc->d) {
            continue;
        }
        if (dc->r) {
            /* <LocationMatch>: the routes follow the matched prefix */
            if (ap_regexec(dc->r, r->uri, 1, m, 0) != 0 || m[0].rm_so != 0) {
                continue;
            }
            len = m[0].rm_eo;
        }
        else {
            len = strlen(dc->d);
            if (dc->d_is_fnmatch || strncmp(r->uri, dc->d, len) != 0
                || (len && dc->d[len - 1] != '/' && r->uri[len] != '\0'
                    && r->uri[len] != '/')) {
                continue;
            }
        }
        h = ap_expr_str_exec(r, dc->expr_handler, &err);
        if (h && !err && !strcmp(h, "x2gobroker")) {
            found = apr_pstrmemdup(r->pool, r->uri, len);
        }
    }
    return found;
}

int x2gobroker_handler(request_rec *r)
{
    const x2gobroker_cfg *c;
    const char *base, *rest;

    if (!r->handler || strcmp(r->handler, "x2gobroker")) {
        return DECLINED;
    }
    x2gobroker_log_request(r);
    c = ap_get_module_config(r->per_dir_config, &x2gobroker_module);
    base = handler_section(r);
    switch (xgb_route(base ? base : c->location, r->uri, &rest)) {
    case XGB_ROUTE_PLAIN:
        return handle_broker(r, c, rest, 0);
    case XGB_ROUTE_JSON:
        return handle_broker(r, c, rest, 1);
    case XGB_ROUTE_UCCS:
        return x2gobroker_uccs_handler(r, c, rest);
    case XGB_ROUTE_PUBKEYS:
        return x2gobroker_pubkeys_handler(r, c);
    case XGB_ROUTE_ROOT:
        if (!x2gobroker_method_ok(r, c, 0)) {
            return x2gobroker_send_error(r, HTTP_METHOD_NOT_ALLOWED);
        }
        return x2gobroker_send_body(r, HTTP_OK, "text/html; charset=UTF-8",
                                    IT_WORKS, strlen(IT_WORKS));
    default:
        return x2gobroker_send_error(r, HTTP_NOT_FOUND);
    }
}
