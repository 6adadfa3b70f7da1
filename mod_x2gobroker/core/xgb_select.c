/*
 * xgb_select.c - server selection for selectsession without agents
 * (spec 5.2 with agent query mode NONE: steps 1, 2, 4a, 4e-4g, 5).
 *
 * Differences from the reference (bug B8): the port is worked out afresh
 * for every candidate instead of leaking from an earlier one, the
 * single-host fallback keeps the per-host port of "name (addr:port)", and
 * a "localhost" host whose probe fails is simply a down host.
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_tables.h>

#include <openssl/rand.h>

#include "xgb_select.h"
#include "xgb_net.h"
#include "xgb_log.h"

#define XGB_NO_SERVER "no-server-available"
#define XGB_NO_X2GO_SERVER "no-X2Go-Server-available"

static xgb_selection_t *selection(apr_pool_t *p, const char *server,
                                  int port)
{
    xgb_selection_t *s = apr_pcalloc(p, sizeof(*s));

    s->server = server;
    s->port = port;
    return s;
}

/* Where to connect for host `name` and on which port: its "(addr:port)"
 * if the profile has one, else the name and the profile's sshport.  With
 * duplicate names the later entry wins, as in the reference's key/value
 * store. */
static void host_target(const xgb_profile_t *prof, const char *name,
                        const char **addr, int *port)
{
    const xgb_host_t *h = (const xgb_host_t *)prof->hosts->elts;
    int i;

    *addr = name;
    *port = prof->sshport;
    for (i = 0; i < prof->hosts->nelts; i++) {
        if (!h[i].name || strcmp(h[i].name, name) != 0) {
            continue;
        }
        if (h[i].addr && *h[i].addr) {
            *addr = h[i].addr;
        }
        if (h[i].port > 0) {
            *port = h[i].port;
        }
    }
}

/* A uniformly distributed index below n (n >= 1). */
static int random_index(int n)
{
    /* Largest multiple of n representable: values at or above it would
     * favour the low indexes, so they are drawn again. */
    apr_uint32_t limit = 0xffffffffU - (0xffffffffU % (apr_uint32_t)n);
    apr_uint32_t r;
    int tries;

    for (tries = 0; tries < 64; tries++) {
        if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1) {
            break;
        }
        if (r < limit) {
            return (int)(r % (apr_uint32_t)n);
        }
    }
    XGB_LOG(XGB_LOG_WARNING, "no random numbers: taking the first server");
    return 0;
}

/* Remove the first candidate equal to name; 1 if one was removed. */
static int remove_candidate(apr_array_header_t *cand, const char *name)
{
    const char **c = (const char **)cand->elts;
    int i;

    for (i = 0; i < cand->nelts; i++) {
        if (!strcmp(c[i], name)) {
            memmove(&c[i], &c[i + 1], (cand->nelts - i - 1) * sizeof(*c));
            cand->nelts--;
            return 1;
        }
    }
    return 0;
}

/* X2Go servers know themselves by gethostname(), so a profile tested
 * with "localhost" is meant to be this host: its entries move to the end
 * of the list under the local name, as in the reference. */
static void replace_localhost(apr_array_header_t *cand,
                              const char *local_hostname)
{
    const char **c = (const char **)cand->elts;
    int i, n = cand->nelts, moved = 0;

    if (!local_hostname || !*local_hostname
        || !strcmp(local_hostname, "localhost")) {
        return;
    }
    for (i = 0; i < n - moved; ) {
        if (!strcmp(c[i], "localhost")) {
            memmove(&c[i], &c[i + 1], (n - i - 1) * sizeof(*c));
            c[n - 1] = local_hostname;
            moved++;
        }
        else {
            i++;
        }
    }
}

static int reachable(const char *name, const char *addr, int port,
                     apr_interval_time_t timeout)
{
    if (xgb_net_probe(name, port, timeout) == APR_SUCCESS) {
        return 1;
    }
    /* The address is worth a second try only if it is another one. */
    return strcmp(addr, name) != 0
           && xgb_net_probe(addr, port, timeout) == APR_SUCCESS;
}

xgb_selection_t *xgb_select_noagent(apr_pool_t *p, const xgb_profile_t *prof,
                                    int portscan,
                                    apr_interval_time_t timeout,
                                    const char *local_hostname)
{
    const xgb_host_t *h;
    apr_array_header_t *cand;
    const char *server_name, *server_addr, *first;
    int i, port, shadow, ninitial;

    if (!p) {
        return NULL;
    }
    if (!prof) {
        return selection(p, XGB_NO_SERVER, 22);
    }
    cand = apr_array_make(p, prof->hosts ? prof->hosts->nelts : 0,
                          sizeof(const char *));
    if (prof->hosts) {
        h = (const xgb_host_t *)prof->hosts->elts;
        for (i = 0; i < prof->hosts->nelts; i++) {
            if (h[i].name && *h[i].name) {
                APR_ARRAY_PUSH(cand, const char *) = h[i].name;
            }
        }
    }
    if (cand->nelts == 0) {
        return selection(p, XGB_NO_SERVER, prof->sshport);
    }
    ninitial = cand->nelts;
    first = APR_ARRAY_IDX(cand, 0, const char *);
    /* Before any candidate is tried the answer would be the first host:
     * the reference starts out with that, and it stays the choice while a
     * single candidate remains (even one later renamed from localhost). */
    server_name = first;
    port = prof->sshport;
    shadow = xgb_profile_is_shadow(prof);

    while (cand->nelts > 0) {
        replace_localhost(cand, local_hostname);
        if (cand->nelts >= 2) {
            if (shadow) {
                /* Desktop sharing must reach the one server the user
                 * meant: the first, never a random one. */
                cand->nelts = 1;
                server_name = APR_ARRAY_IDX(cand, 0, const char *);
            }
            else {
                server_name = APR_ARRAY_IDX(cand, random_index(cand->nelts),
                                            const char *);
            }
        }
        host_target(prof, server_name, &server_addr, &port);

        if (!portscan || reachable(server_name, server_addr, port, timeout)) {
            return selection(p, server_addr, port);
        }

        /* server_name can be "localhost" while the list holds the local
         * name in its place; the reference crashed here (B8). */
        if (!remove_candidate(cand, server_name)
            && !(local_hostname && !strcmp(server_name, "localhost")
                 && remove_candidate(cand, local_hostname))) {
            /* Cannot happen; but never loop on an unremovable name. */
            cand->nelts = 0;
        }
        if (cand->nelts > 0) {
            XGB_LOG(XGB_LOG_WARNING, "failed to contact host '%s', trying "
                    "next server '%s'", server_name,
                    APR_ARRAY_IDX(cand, 0, const char *));
            server_name = APR_ARRAY_IDX(cand, 0, const char *);
        }
        else {
            XGB_LOG(XGB_LOG_ERR, "no X2Go Server of profile %s could be "
                    "contacted (last tried: '%s')",
                    prof->id ? prof->id : "?", server_name);
        }
    }

    if (ninitial > 1) {
        /* The port of the last server tried, as in the reference. */
        return selection(p, XGB_NO_X2GO_SERVER, port);
    }
    /* A single host is handed out even when down: the client then shows
     * its own connection error for the server the user expects. */
    host_target(prof, first, &server_addr, &port);
    return selection(p, server_addr, port);
}
