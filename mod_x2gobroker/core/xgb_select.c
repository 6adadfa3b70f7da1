/*
 * xgb_select.c - server selection for selectsession (spec 5.2) and the
 * session status of a listing (spec 3.5 step 6).
 *
 * Pure decisions: the glue asks the agents, probes the servers (through
 * the `up` callback) and suspends taken-over sessions; nothing here does
 * I/O.  Differences from the reference:
 *
 * - B8: the port is worked out afresh for every candidate instead of
 *   leaking from an earlier one, the single-host fallback keeps the
 *   per-host port of "name (addr:port)", and a "localhost" host that is
 *   down is simply a down host.
 * - Balancing: equal loads are broken at random.  The reference sorted by
 *   (load, name), so the alphabetically first idle server took every new
 *   session until it had one more than the others.  Without usable load
 *   data the choice is random instead of the first host.
 * - Agent host names are paired with profile hosts one by one
 *   (xgb_hostmatch_find()), so no sub-domain is ever re-appended (B25)
 *   and a host name that is ambiguous matches nothing.
 * - B9: an IPv6 address is answered without brackets (see plain_address).
 */
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include <openssl/rand.h>

#include "xgb_select.h"
#include "xgb_hostmatch.h"
#include "xgb_hosts.h"
#include "xgb_log.h"

/* How equal-looking servers are told apart (spec 5.2 step 4d). */
typedef enum {
    BY_RANDOM,
    BY_SESSIONS,        /* getservers counts: fewest wins */
    BY_BUSY,            /* findbusyservers percentages: lowest wins */
    BY_FACTOR           /* checkload factors: highest wins */
} balance_e;

/* One selection in progress. */
typedef struct {
    apr_pool_t *p;
    const xgb_select_in_t *in;
    const xgb_profile_t *prof;
    /* const char *: the hosts still in the race */
    apr_array_header_t *cand;
    /* const char *: the hosts as first seen ("localhost" replaced), and
     * their configured addresses (NULL when there is none) */
    apr_array_header_t *all;
    apr_array_header_t *addrs;
    /* For each session / load / factor: the host of `all` it belongs to,
     * NULL when none.  Worked out once against the whole list, so that a
     * host dropping out never makes an ambiguous name unambiguous. */
    const char **sess_host;
    const char **load_host;
    const char **factor_host;
    balance_e mode;
    /* host -> const xgb_server_pref_t *, for every candidate */
    apr_hash_t *prefs;
} select_t;

static const xgb_server_pref_t default_pref = { XGB_DEFAULT_WEIGHT, 0 };

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

/*
 * B9: x2goclient splits the SERVER: line at every ':' (dropping empty
 * parts) and takes the first two parts as host and port, so no IPv6
 * literal survives, bracketed or not, and an IPv6 address has no
 * colon-free spelling.  The address is answered plainly: JSON clients
 * (server and port in separate members) and the probe can use that,
 * brackets would break them too.  The admin is told to use a DNS name.
 */
static const char *plain_address(apr_pool_t *p, const char *addr,
                                 const char *name)
{
    apr_size_t n = strlen(addr);

    if (n > 2 && addr[0] == '[' && addr[n - 1] == ']') {
        const char *inner = apr_pstrmemdup(p, addr + 1, n - 2);

        if (strchr(inner, ':') && xgb_hosts_is_ip(inner)) {
            addr = inner;
        }
    }
    if (strchr(addr, ':') && xgb_hosts_is_ip(addr)) {
        XGB_LOG(XGB_LOG_NOTICE, "host '%s' has the IPv6 address %s, which "
                "x2goclient cannot read from a SERVER: line; give it a DNS "
                "name instead", name, addr);
    }
    return addr;
}

int xgb_select_random(int n)
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

static int is_candidate(const apr_array_header_t *cand, const char *name)
{
    int i;

    for (i = 0; name && i < cand->nelts; i++) {
        if (!strcmp(APR_ARRAY_IDX(cand, i, const char *), name)) {
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

/* The host of `all` an agent means by `reported`: by name first; else by
 * configured address, when only one host has that address (several
 * "docker-vm-N (localhost:port)" share theirs). */
static const char *map_host(const select_t *c, const char *reported)
{
    const char *found = NULL;
    int i = xgb_hostmatch_find(c->all, reported, NULL);

    if (i >= 0) {
        return APR_ARRAY_IDX(c->all, i, const char *);
    }
    for (i = 0; i < c->addrs->nelts; i++) {
        const char *name = APR_ARRAY_IDX(c->all, i, const char *);

        if (!xgb_hostmatch_same(APR_ARRAY_IDX(c->addrs, i, const char *),
                                reported, NULL)) {
            continue;
        }
        if (found && strcmp(found, name) != 0) {
            return NULL;
        }
        found = name;
    }
    return found;
}

/* Pair every piece of agent data with a host, once. */
static void map_agent_data(select_t *c)
{
    const xgb_select_in_t *in = c->in;
    int i, n;

    c->addrs = apr_array_make(c->p, c->all->nelts, sizeof(const char *));
    for (i = 0; i < c->all->nelts; i++) {
        const char *name = APR_ARRAY_IDX(c->all, i, const char *), *addr;
        int port;

        host_target(c->prof, name, &addr, &port);
        APR_ARRAY_PUSH(c->addrs, const char *) =
            strcmp(addr, name) ? addr : NULL;
    }
    n = in->sessions ? in->sessions->nelts : 0;
    c->sess_host = apr_pcalloc(c->p, (n + 1) * sizeof(const char *));
    for (i = 0; i < n; i++) {
        c->sess_host[i] = map_host(c, APR_ARRAY_IDX(in->sessions, i,
                                               xgb_agent_session_t).server);
    }
    n = in->loads ? in->loads->nelts : 0;
    c->load_host = apr_pcalloc(c->p, (n + 1) * sizeof(const char *));
    for (i = 0; i < n; i++) {
        c->load_host[i] = map_host(c, APR_ARRAY_IDX(in->loads, i,
                                               xgb_agent_load_t).name);
    }
    n = in->factors ? in->factors->nelts : 0;
    c->factor_host = apr_pcalloc(c->p, (n + 1) * sizeof(const char *));
    for (i = 0; i < n; i++) {
        c->factor_host[i] = map_host(c, APR_ARRAY_IDX(in->factors, i,
                                                 xgb_agent_factor_t).name);
    }
}

/* Which load data decides (spec 5.2 step 4d): session counts if any
 * server has one, else busy percentages, else load factors.  A server the
 * agent does not mention then has no sessions at all. */
static balance_e balance_mode(const xgb_select_in_t *in)
{
    int i, busy = 0;

    for (i = 0; in->loads && i < in->loads->nelts; i++) {
        const xgb_agent_load_t *l = &APR_ARRAY_IDX(in->loads, i,
                                                   xgb_agent_load_t);

        if (l->sessions >= 0) {
            return BY_SESSIONS;
        }
        busy |= l->busy >= 0;
    }
    if (busy) {
        return BY_BUSY;
    }
    for (i = 0; in->factors && i < in->factors->nelts; i++) {
        if (APR_ARRAY_IDX(in->factors, i, xgb_agent_factor_t).factor >= 0) {
            return BY_FACTOR;
        }
    }
    return BY_RANDOM;
}

/* The load of one host by the current mode.  Several answers for one
 * host (agents sharing a session database) count once: the highest. */
static long host_load(const select_t *c, const char *name)
{
    const xgb_select_in_t *in = c->in;
    long v = c->mode == BY_FACTOR ? -1 : 0, x;
    int i;

    if (c->mode == BY_FACTOR) {
        for (i = 0; i < in->factors->nelts; i++) {
            x = APR_ARRAY_IDX(in->factors, i, xgb_agent_factor_t).factor;
            if (c->factor_host[i] && !strcmp(c->factor_host[i], name)
                && x > v) {
                v = x;
            }
        }
        return v;
    }
    for (i = 0; i < in->loads->nelts; i++) {
        const xgb_agent_load_t *l = &APR_ARRAY_IDX(in->loads, i,
                                                   xgb_agent_load_t);

        x = c->mode == BY_SESSIONS ? l->sessions : l->busy;
        if (c->load_host[i] && !strcmp(c->load_host[i], name) && x > v) {
            v = x;
        }
    }
    return v;
}

/* The operator's settings of every candidate, asked for once. */
static void load_prefs(select_t *c)
{
    int i;

    c->prefs = apr_hash_make(c->p);
    for (i = 0; i < c->cand->nelts; i++) {
        const char *name = APR_ARRAY_IDX(c->cand, i, const char *), *addr;
        const xgb_server_pref_t *pf = NULL;
        int port;

        host_target(c->prof, name, &addr, &port);
        if (c->in->pref) {
            pf = c->in->pref(c->in->pref_baton, name, addr);
        }
        apr_hash_set(c->prefs, name, APR_HASH_KEY_STRING,
                     pf ? pf : &default_pref);
    }
}

static const xgb_server_pref_t *pref_of(const select_t *c, const char *name)
{
    const xgb_server_pref_t *pf = apr_hash_get(c->prefs, name,
                                               APR_HASH_KEY_STRING);

    return pf ? pf : &default_pref;
}

/* The candidates a new session may go to: not drained, weight above 0. */
static apr_array_header_t *open_candidates(const select_t *c)
{
    apr_array_header_t *open = apr_array_make(c->p, c->cand->nelts,
                                              sizeof(const char *));
    int i;

    for (i = 0; i < c->cand->nelts; i++) {
        const char *name = APR_ARRAY_IDX(c->cand, i, const char *);
        const xgb_server_pref_t *pf = pref_of(c, name);

        if (!pf->drain && pf->weight > 0) {
            APR_ARRAY_PUSH(open, const char *) = name;
        }
    }
    return open;
}

/* One of the n names, drawn with a chance in proportion to its weight
 * (all weights above 0). */
static const char *draw(const select_t *c, const char **names, int n)
{
    int total = 0, i, r;

    for (i = 0; i < n; i++) {
        total += pref_of(c, names[i])->weight;
    }
    r = xgb_select_random(total);
    for (i = 0; i < n - 1; i++) {
        r -= pref_of(c, names[i])->weight;
        if (r < 0) {
            break;
        }
    }
    return names[i];
}

/* Below 0 when load v at weight w is better than load bv at weight bw:
 * fewer sessions (busy percent) per weight, or a higher factor times
 * the weight. */
static apr_int64_t compare(balance_e mode, apr_int64_t v, apr_int64_t w,
                           apr_int64_t bv, apr_int64_t bw)
{
    if (mode == BY_FACTOR) {
        return bv * bw - v * w;
    }
    return v * bw - bv * w;
}

/* The least loaded of the open candidates for their weights; equals
 * drawn by weight, so that idle servers share new sessions as weighted. */
static const char *balance(const select_t *c, const apr_array_header_t *open)
{
    const char **best = apr_palloc(c->p, open->nelts * sizeof(*best));
    apr_int64_t bv = 0, bw = 1, d;
    int i, nbest = 0;

    for (i = 0; i < open->nelts; i++) {
        const char *name = APR_ARRAY_IDX(open, i, const char *);
        apr_int64_t v = host_load(c, name), w = pref_of(c, name)->weight;

        d = nbest ? compare(c->mode, v, w, bv, bw) : -1;
        if (d < 0) {
            bv = v;
            bw = w;
            nbest = 0;
        }
        if (d <= 0) {
            best[nbest++] = name;
        }
    }
    return draw(c, best, nbest);
}

/* The 5th field of an x2golistsessions line (the status) if it is
 * exactly "R", else NULL.  Other "|R|" in the line (in a user or host
 * name) are not it. */
static const char *running_field(const char *line)
{
    const char *f = line;
    int i;

    for (i = 0; i < 4; i++) {
        if ((f = strchr(f, '|')) == NULL) {
            return NULL;
        }
        f++;
    }
    return f[0] == 'R' && (f[1] == '|' || f[1] == '\0') ? f : NULL;
}

/* The line as the client must see it after the broker suspended the
 * session: status "S", so that x2goclient resumes instead of starting
 * anew.  NULL if the status field is not "R". */
static const char *suspended_line(apr_pool_t *p, const char *line)
{
    const char *f = running_field(line);
    char *out;

    if (!f) {
        return NULL;
    }
    out = apr_pstrdup(p, line);
    out[f - line] = 'S';
    return out;
}

/* A session the broker can hand out: complete, and a running one only if
 * its status field can be rewritten. */
static int usable_session(const xgb_agent_session_t *s)
{
    if (!s->line || !s->name || !*s->name || !s->server) {
        return 0;
    }
    return s->status == 'S'
           || (s->status == 'R' && running_field(s->line) != NULL);
}

/* Spec 5.2 step 4c: the index of the user's first suspended session on a
 * candidate, else of the first running one; -1 if there is none. */
static int resumable(const select_t *c)
{
    const apr_array_header_t *ss = c->in->sessions;
    static const char order[] = { 'S', 'R' };
    apr_size_t k;
    int i;

    for (k = 0; ss && k < sizeof(order); k++) {
        for (i = 0; i < ss->nelts; i++) {
            const xgb_agent_session_t *s = &APR_ARRAY_IDX(ss, i,
                                                     xgb_agent_session_t);

            if (s->status == order[k] && is_candidate(c->cand,
                                                      c->sess_host[i])
                && usable_session(s)) {
                return i;
            }
        }
    }
    return -1;
}

xgb_selection_t *xgb_select(apr_pool_t *p, const xgb_select_in_t *in)
{
    select_t c;
    const xgb_host_t *h;
    xgb_selection_t *sel;
    const xgb_agent_session_t *s;
    const char *server_name, *server_addr, *first;
    int i, port, shadow, ninitial, use_agent, si;

    if (!p) {
        return NULL;
    }
    if (!in || !in->prof) {
        return selection(p, XGB_NO_SERVER, 22);
    }
    memset(&c, 0, sizeof(c));
    c.p = p;
    c.in = in;
    c.prof = in->prof;
    c.cand = apr_array_make(p, c.prof->hosts ? c.prof->hosts->nelts : 0,
                            sizeof(const char *));
    if (c.prof->hosts) {
        h = (const xgb_host_t *)c.prof->hosts->elts;
        for (i = 0; i < c.prof->hosts->nelts; i++) {
            if (h[i].name && *h[i].name) {
                APR_ARRAY_PUSH(c.cand, const char *) = h[i].name;
            }
        }
    }
    if (c.cand->nelts == 0) {
        return selection(p, XGB_NO_SERVER, c.prof->sshport);
    }
    ninitial = c.cand->nelts;
    first = APR_ARRAY_IDX(c.cand, 0, const char *);
    /* Before any candidate is tried the answer would be the first host:
     * the reference starts out with that, and it stays the choice while a
     * single candidate remains (even one later renamed from localhost). */
    server_name = first;
    port = c.prof->sshport;
    /* Desktop sharing has no agent (spec 5.1): it must reach the one
     * server the user meant, whatever the agents know. */
    shadow = xgb_profile_is_shadow(c.prof);
    use_agent = !shadow && in->agent && in->username && *in->username;

    replace_localhost(c.cand, in->local_hostname);
    c.all = apr_array_copy(p, c.cand);
    load_prefs(&c);
    if (use_agent) {
        map_agent_data(&c);
        c.mode = balance_mode(in);
    }
    if (!shadow && in->all_agents_down) {
        XGB_LOG(XGB_LOG_WARNING, "no broker agent of profile %s answered: "
                "its X2Go Servers count as down",
                c.prof->id ? c.prof->id : "?");
        c.cand->nelts = 0;
    }

    while (c.cand->nelts > 0) {
        si = use_agent ? resumable(&c) : -1;
        if (si >= 0) {
            server_name = c.sess_host[si];
        }
        else if (shadow) {
            if (c.cand->nelts >= 2) {
                c.cand->nelts = 1;
                server_name = APR_ARRAY_IDX(c.cand, 0, const char *);
            }
        }
        else {
            apr_array_header_t *open = open_candidates(&c);

            if (open->nelts == 0) {
                XGB_LOG(XGB_LOG_WARNING, "no X2Go Server of profile %s "
                        "takes new sessions: drained or weight 0",
                        c.prof->id ? c.prof->id : "?");
                return selection(p, XGB_NO_X2GO_SERVER, port);
            }
            /* A single candidate keeps the name it was chosen by. */
            if (c.cand->nelts >= 2) {
                server_name = use_agent && c.mode != BY_RANDOM
                              ? balance(&c, open)
                              : draw(&c, (const char **)open->elts,
                                     open->nelts);
            }
        }
        host_target(c.prof, server_name, &server_addr, &port);
        server_addr = plain_address(p, server_addr, server_name);

        if (!in->up || in->up(in->up_baton, server_name, server_addr,
                              port)) {
            sel = selection(p, server_addr, port);
            sel->server_name = server_name;
            if (si >= 0) {
                s = &APR_ARRAY_IDX(in->sessions, si, xgb_agent_session_t);
                if (s->status == 'R') {
                    sel->session_info = suspended_line(p, s->line);
                    sel->takeover = s->name;
                }
                else {
                    sel->session_info = s->line;
                }
            }
            return sel;
        }

        /* server_name can be "localhost" while the list holds the local
         * name in its place; the reference crashed here (B8).  A session
         * on the removed host is no longer a candidate either. */
        if (!remove_candidate(c.cand, server_name)
            && !(in->local_hostname && !strcmp(server_name, "localhost")
                 && remove_candidate(c.cand, in->local_hostname))) {
            /* Cannot happen; but never loop on an unremovable name. */
            c.cand->nelts = 0;
        }
        if (c.cand->nelts > 0) {
            XGB_LOG(XGB_LOG_WARNING, "failed to contact host '%s', trying "
                    "next server '%s'", server_name,
                    APR_ARRAY_IDX(c.cand, 0, const char *));
            server_name = APR_ARRAY_IDX(c.cand, 0, const char *);
        }
        else {
            XGB_LOG(XGB_LOG_ERR, "no X2Go Server of profile %s could be "
                    "contacted (last tried: '%s')",
                    c.prof->id ? c.prof->id : "?", server_name);
        }
    }

    if (ninitial > 1) {
        /* The port of the last server tried, as in the reference. */
        return selection(p, XGB_NO_X2GO_SERVER, port);
    }
    /* A single host is handed out even when down: the client then shows
     * its own connection error for the server the user expects. */
    host_target(c.prof, first, &server_addr, &port);
    sel = selection(p, plain_address(p, server_addr, first), port);
    sel->server_name = first;
    return sel;
}

void xgb_select_status(apr_pool_t *p, const xgb_profile_t *prof,
                       const apr_array_header_t *sessions, char *status,
                       const char **host)
{
    apr_array_header_t *names;
    const char *best[2] = { NULL, NULL };
    const xgb_host_t *h;
    int i, k, fuzzy;

    if (!status || !host) {
        return;
    }
    *status = 0;
    *host = NULL;
    if (!p || !prof || !prof->hosts) {
        return;
    }
    names = apr_array_make(p, prof->hosts->nelts, sizeof(const char *));
    h = (const xgb_host_t *)prof->hosts->elts;
    for (i = 0; i < prof->hosts->nelts; i++) {
        if (h[i].name && *h[i].name) {
            APR_ARRAY_PUSH(names, const char *) = h[i].name;
        }
    }
    if (names->nelts == 0) {
        return;
    }
    *host = APR_ARRAY_IDX(names, 0, const char *);
    if (xgb_profile_is_shadow(prof)) {
        return;
    }
    for (i = 0; sessions && i < sessions->nelts; i++) {
        const xgb_agent_session_t *s = &APR_ARRAY_IDX(sessions, i,
                                                     xgb_agent_session_t);
        const char *m;
        int at;

        if (s->status != 'S' && s->status != 'R') {
            continue;
        }
        at = xgb_hostmatch_find(names, s->server, &fuzzy);
        if (at < 0) {
            continue;
        }
        /* The reference reports the name both sides have in common:
         * the short one when only the first labels matched. */
        m = APR_ARRAY_IDX(names, at, const char *);
        m = fuzzy ? xgb_hostmatch_short(p, m) : m;
        k = s->status == 'S' ? 0 : 1;
        if (!best[k] || strcmp(m, best[k]) < 0) {
            best[k] = m;
        }
    }
    for (k = 0; k < 2; k++) {
        if (best[k]) {
            *status = k == 0 ? 'S' : 'R';
            *host = best[k];
            return;
        }
    }
}
