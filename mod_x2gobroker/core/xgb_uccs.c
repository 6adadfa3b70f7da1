/*
 * xgb_uccs.c - UCCS answers (spec 2.2).
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <jansson.h>
#include <openssl/rand.h>

#include "xgb_render.h"
#include "xgb_uccs.h"

const char *xgb_uccs_ping(apr_pool_t *p, apr_time_t now)
{
    apr_time_exp_t t;

    apr_time_exp_gmt(&t, now);
    if (t.tm_usec == 0) {
        return apr_psprintf(p, "%04d-%02d-%02d %02d:%02d:%02d",
                            t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                            t.tm_hour, t.tm_min, t.tm_sec);
    }
    return apr_psprintf(p, "%04d-%02d-%02d %02d:%02d:%02d.%06d",
                        t.tm_year + 1900, t.tm_mon + 1, t.tm_mday,
                        t.tm_hour, t.tm_min, t.tm_sec, t.tm_usec);
}

static int by_id(const void *a, const void *b)
{
    const xgb_profile_t *pa = *(const xgb_profile_t *const *)a;
    const xgb_profile_t *pb = *(const xgb_profile_t *const *)b;

    return strcmp(pa->id, pb->id);
}

/* A string value of the client profile, or dflt. */
static const char *str_value(const xgb_client_profile_t *cp, const char *key,
                             const char *dflt)
{
    int i;

    for (i = 0; i < cp->values->nelts; i++) {
        const xgb_value_t *v = &APR_ARRAY_IDX(cp->values, i, xgb_value_t);

        if (!strcmp(v->key, key) && v->type == XGB_VAL_STR) {
            return v->str;
        }
    }
    return dflt;
}

static const xgb_value_t *value(const xgb_client_profile_t *cp,
                                const char *key)
{
    int i;

    for (i = 0; i < cp->values->nelts; i++) {
        const xgb_value_t *v = &APR_ARRAY_IDX(cp->values, i, xgb_value_t);

        if (!strcmp(v->key, key)) {
            return v;
        }
    }
    return NULL;
}

/* The reference offers a random host of the profile; each greeter
 * request may thus land elsewhere, which spreads logons. */
static const xgb_host_t *random_host(const xgb_profile_t *prof)
{
    unsigned int r = 0;

    if (prof->hosts->nelts == 0) {
        return NULL;
    }
    RAND_bytes((unsigned char *)&r, sizeof(r));
    return &APR_ARRAY_IDX(prof->hosts, r % (unsigned)prof->hosts->nelts,
                          xgb_host_t);
}

static json_t *rdp_server(const xgb_profile_t *prof,
                          const xgb_client_profile_t *cp, apr_pool_t *p)
{
    const char *host = prof->hosts->nelts
        ? APR_ARRAY_IDX(prof->hosts, 0, xgb_host_t).name : "";

    return json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:s}",
                     "URL", apr_psprintf(p, "http://%s/", host),
                     "Name", str_value(cp, "name", prof->id),
                     "Protocol", "rdp",
                     "DomainRequired", 1,
                     "Username", str_value(cp, "user", ""),
                     "Password", "",
                     "WindowsDomain", "LOCAL");
}

static json_t *x2go_server(const xgb_profile_t *prof,
                           const xgb_client_profile_t *cp, apr_pool_t *p,
                           int api_version)
{
    const xgb_host_t *h = random_host(prof);
    const xgb_value_t *sshport = value(cp, "sshport");
    apr_int64_t port = sshport && sshport->type == XGB_VAL_INT
                       ? sshport->i : 22;
    const char *cmd = str_value(cp, "command", "");
    json_t *ts;

    if (h && h->port) {
        port = h->port;
    }
    if (xgb_profile_desktop(cmd)) {
        cmd = xgb_profile_desktop(cmd);
    }
    ts = json_pack("{s:s, s:s, s:s, s:s, s:s}",
                   "URL", apr_psprintf(p, "http://%s:%" APR_INT64_T_FMT "/",
                                       h ? (h->addr ? h->addr : h->name) : "",
                                       port),
                   "Name", str_value(cp, "name", prof->id),
                   "Protocol", "x2go",
                   "Username", str_value(cp, "user", ""),
                   "Password", "");
    if (api_version == 4) {
        json_object_set_new(ts, "SessionType", json_string(cmd));
        json_object_set_new(ts, "SessionTypeRequired", json_true());
    }
    else {
        json_object_set_new(ts, "Command", json_string(cmd));
        json_object_set_new(ts, "CommandRequired", json_true());
    }
    return ts;
}

const char *xgb_uccs_render(apr_pool_t *p,
                            const apr_array_header_t *profiles,
                            const char *user, const char *url_base,
                            const char *backend, int api_version)
{
    apr_array_header_t *sorted = apr_array_copy(p, profiles);
    json_t *root, *servers;
    const char *last = NULL;
    const char *out;
    apr_size_t len = strlen(url_base);
    int i;

    while (len && url_base[len - 1] == '/') {
        len--;
    }
    qsort(sorted->elts, (size_t)sorted->nelts, sizeof(void *), by_id);
    servers = json_array();
    for (i = 0; i < sorted->nelts; i++) {
        const xgb_profile_t *prof = APR_ARRAY_IDX(sorted, i,
                                                  const xgb_profile_t *);
        const xgb_client_profile_t *cp = xgb_profile_for_client(p, prof,
                                                                user, 0);
        const xgb_value_t *rdp = value(cp, "directrdp");
        json_t *ts = (rdp && rdp->type == XGB_VAL_BOOL && rdp->b)
                     ? rdp_server(prof, cp, p)
                     : x2go_server(prof, cp, p, api_version);

        last = json_string_value(json_object_get(ts, "Name"));
        last = apr_pstrdup(p, last);
        json_array_append_new(servers, ts);
    }
    root = json_pack("{s:[], s:s, s:o, s:s}",
                     "AdditionalManagementServers",
                     "Name", "X2Go Session Broker",
                     "RemoteDesktopServers", servers,
                     "URL", apr_psprintf(p, "%.*s/uccs/%s/", (int)len,
                                         url_base, backend));
    if (last) {
        json_object_set_new(root, "DefaultServer", json_string(last));
    }
    out = xgb_json_dumps(p, root, 2);
    json_decref(root);
    return out;
}
