/*
 * mod_x2gobroker_brokerage.c - where a user's session lives and where a
 * new one goes: the agent side of listsessions (spec 3.5 step 6) and
 * selectsession (spec 5.2).
 *
 * The decisions are the core's (xgb_select, over plain data); this file
 * gathers that data from the agents and the shared server table, and
 * carries out what the decision needs (suspending a session taken over).
 *
 * Unlike the reference, which asks one random agent, every server of the
 * profile is asked (in parallel) and the answers are merged: with
 * x2goserver's default of one sqlite session DB per server, only a
 * server itself knows its sessions.  X2GoBrokerSharedSessionDB On says
 * the servers share one DB (PostgreSQL): then one answering agent knows
 * all sessions and counts, and one server is asked.
 */
#include "apr_strings.h"
#include "apr_hash.h"

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"

#include "mod_x2gobroker_private.h"
#include "xgb_agentreply.h"
#include "xgb_hostmatch.h"
#include "xgb_net.h"
#include "xgb_select.h"

/* Spec 4.2: profile > backend > global > NONE; unknown values act like
 * NONE; spec 5.1: SHADOW profiles never use agents. */
x2gobroker_agent_mode_e x2gobroker_agent_mode(const x2gobroker_cfg *c,
                                              x2gobroker_backend_e b,
                                              const xgb_profile_t *prof)
{
    const char *m = x2gobroker_cfg_pick(prof ? prof->agent_query_mode
                                             : NULL,
                                        x2gobroker_cfg_agent_query_mode(c, b),
                                        NULL);

    if (prof && xgb_profile_is_shadow(prof)) {
        return X2GOBROKER_AGENT_NONE;
    }
    if (!strcasecmp(m, "LOCAL")) {
        return X2GOBROKER_AGENT_LOCAL;
    }
    if (!strcasecmp(m, "SSH")) {
        return X2GOBROKER_AGENT_SSH;
    }
    return X2GOBROKER_AGENT_NONE;
}

/* Spec 4.2: profile > backend > global > RejectPolicy; invalid values
 * are RejectPolicy. */
static xgb_ssh_hostkey_policy_t hostkey_policy(const x2gobroker_cfg *c,
                                               x2gobroker_backend_e b,
                                               const xgb_profile_t *prof)
{
    const char *p = x2gobroker_cfg_pick(prof ? prof->agent_hostkey_policy
                                             : NULL,
                                        x2gobroker_cfg_hostkey_policy(c, b),
                                        NULL);

    if (!strcmp(p, "AutoAddPolicy")) {
        return XGB_SSH_HOSTKEY_AUTOADD;
    }
    if (!strcmp(p, "WarningPolicy")) {
        return XGB_SSH_HOSTKEY_WARNING;
    }
    return XGB_SSH_HOSTKEY_REJECT;
}

typedef struct {
    int agents;                 /* some configuration uses agents */
    const x2gobroker_cfg *bad;  /* one in mode SSH without a key */
} agent_use;

static void note_agent_use(const x2gobroker_cfg *c, void *baton)
{
    agent_use *u = baton;
    x2gobroker_agent_mode_e m = x2gobroker_agent_mode(c, XGB_BACKEND_INIFILE, NULL);

    u->agents |= m != X2GOBROKER_AGENT_NONE;
    if (!u->bad && m == X2GOBROKER_AGENT_SSH
        && !x2gobroker_pubkeys_agent_key(c)) {
        u->bad = c;
    }
}

int x2gobroker_brokerage_check(apr_pool_t *ptemp, server_rec *s,
                               int *agents)
{
    agent_use u = { 0, NULL };
    const x2gobroker_cfg *bad;

    x2gobroker_walk_configs(ptemp, s, note_agent_use, &u);
    *agents = u.agents;
    bad = u.bad;
    if (bad) {
        const char *user = x2gobroker_cfg_daemon_user(bad);

        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, XGB_LOGNO(00126)
                     "agent query mode SSH%s%s needs a private key: set "
                     "X2GoBrokerSSHKeyFile, or give the account %s a "
                     "readable ~%s/.ssh/id_ed25519 (or id_ecdsa, id_rsa)",
                     bad->location ? " in " : "",
                     bad->location ? bad->location : "", user, user);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

/* Set up ctx for mode; 0 if agents cannot be used (then: mode NONE). */
static int agent_ctx(request_rec *r, const x2gobroker_cfg *c,
                     x2gobroker_backend_e b, const xgb_profile_t *prof,
                     x2gobroker_agent_mode_e mode, const char *user,
                     x2gobroker_agent_ctx *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->r = r;
    ctx->s = r->server;
    ctx->pool = r->pool;
    ctx->mode = mode;
    ctx->agent_cmd = x2gobroker_cfg_agent_cmd(c);
    ctx->known_hosts = c->known_hosts ? c->known_hosts
                                      : XGB_DEFAULT_KNOWN_HOSTS;
    ctx->user = user;
    ctx->login = x2gobroker_cfg_daemon_user(c);
    ctx->policy = hostkey_policy(c, b, prof);
    ctx->timeout_ms = (int)apr_time_as_msec(
        c->agent_timeout != XGB_UNSET ? c->agent_timeout
                                      : XGB_DEFAULT_AGENT_TIMEOUT);
    ctx->probe_timeout = x2gobroker_cfg_portscan_timeout(c);
    ctx->retry = c->server_retry != XGB_UNSET ? c->server_retry
                                              : XGB_DEFAULT_SERVER_RETRY;
    if (mode == X2GOBROKER_AGENT_SSH) {
        ctx->key = x2gobroker_pubkeys_agent_key(c);
        if (!ctx->key) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, XGB_LOGNO(00120)
                          "agent mode SSH without a key: set "
                          "X2GoBrokerSSHKeyFile or give the account %s an "
                          "~/.ssh/id_* key; acting as in mode NONE",
                          ctx->login);
            return 0;
        }
    }
    return 1;
}

/* The distinct servers of a profile, in host order. */
static void add_servers(apr_pool_t *p, const xgb_profile_t *prof,
                        apr_array_header_t *out, apr_hash_t *seen)
{
    const xgb_host_t *h = (const xgb_host_t *)prof->hosts->elts;
    int i;

    for (i = 0; i < prof->hosts->nelts; i++) {
        x2gobroker_server *srv;
        const char *addr = h[i].addr && *h[i].addr ? h[i].addr : h[i].name;
        int port = h[i].port > 0 ? h[i].port : prof->sshport;
        const char *key;

        if (!h[i].name || !*h[i].name) {
            continue;
        }
        key = x2gobroker_server_key(p, addr, port);
        if (apr_hash_get(seen, key, APR_HASH_KEY_STRING)) {
            continue;
        }
        srv = apr_pcalloc(p, sizeof(*srv));
        srv->name = h[i].name;
        srv->addr = addr;
        srv->port = port;
        srv->key = key;
        apr_hash_set(seen, key, APR_HASH_KEY_STRING, srv);
        APR_ARRAY_PUSH(out, x2gobroker_server *) = srv;
    }
}

/* ---- what one server is asked ---------------------------------------- */

typedef struct {
    int balance;                /* also ask for load figures */
    apr_array_header_t *sessions;       /* xgb_agent_session_t */
    apr_array_header_t *loads;          /* xgb_agent_load_t */
    long factor;                        /* checkload, -1 unknown */
    int dropped;                        /* malformed listsessions lines */
} server_answer;

/* Did the job's agent answer: connected, no transport failure, the
 * answers OK? */
static int answered(const x2gobroker_agent_job *job)
{
    return job->reached && job->ssh_status == XGB_SSH_OK && !job->task_failed;
}

static int has_counts(const apr_array_header_t *loads)
{
    int i;

    for (i = 0; loads && i < loads->nelts; i++) {
        if (APR_ARRAY_IDX(loads, i, xgb_agent_load_t).sessions >= 0) {
            return 1;
        }
    }
    return 0;
}

static void ask_server(x2gobroker_agent_link *l, x2gobroker_agent_job *job)
{
    server_answer *a = job->data;
    apr_array_header_t *lines;
    int dropped = 0;

    /* This runs in the job's thread: job->pool only, no logging. */
    a->factor = -1;
    if (x2gobroker_agent_exec(l, "listsessions", NULL, 0, &lines)
        != APR_SUCCESS) {
        return;
    }
    a->sessions = xgb_agent_sessions_parse(job->pool, lines, job->ctx->user,
                                           &a->dropped);
    if (!a->balance) {
        return;
    }
    if (x2gobroker_agent_exec(l, "getservers", NULL, 0, &lines)
        == APR_SUCCESS) {
        a->loads = xgb_agent_getservers_parse(job->pool, lines, &dropped);
    }
    /* The Perl agent on a sqlite DB names the servers without counts,
     * and its findbusyservers dies there: the load factor is what is
     * left. */
    if (!has_counts(a->loads) && job->srv
        && x2gobroker_agent_exec(l, "checkload", NULL, 0, &lines)
           == APR_SUCCESS) {
        a->factor = xgb_agent_checkload_factor(lines);
    }
}

/* What the agents of one request said, merged. */
typedef struct {
    apr_array_header_t *servers;        /* x2gobroker_server * */
    x2gobroker_agent_job *jobs;         /* one per server, or one LOCAL */
    int njobs;
    int reached;                        /* some agent answered */
    apr_array_header_t *sessions;       /* xgb_agent_session_t, by id */
    apr_array_header_t *loads;          /* xgb_agent_load_t */
    apr_array_header_t *factors;        /* xgb_agent_factor_t */
} gathered;

/* What a server's answer says about the server itself, -1 if nothing. */
static int own_count(const apr_array_header_t *loads, const char *name)
{
    int i, fuzzy;

    for (i = 0; loads && i < loads->nelts; i++) {
        const xgb_agent_load_t *l = &APR_ARRAY_IDX(loads, i,
                                                   xgb_agent_load_t);

        if (xgb_hostmatch_same(l->name, name, &fuzzy)) {
            return l->sessions;
        }
    }
    return -1;
}

static void merge_sessions(apr_pool_t *p, gathered *g, apr_hash_t *seen,
                           const apr_array_header_t *from)
{
    int i;

    for (i = 0; from && i < from->nelts; i++) {
        const xgb_agent_session_t *s =
            &APR_ARRAY_IDX(from, i, xgb_agent_session_t);

        if (apr_hash_get(seen, s->name, APR_HASH_KEY_STRING)) {
            continue;
        }
        apr_hash_set(seen, s->name, APR_HASH_KEY_STRING, s);
        APR_ARRAY_PUSH(g->sessions, xgb_agent_session_t) = *s;
    }
}

/* Per host name the highest count anyone reported: a server's own
 * answer about itself is never lower than another's stale view. */
static void merge_loads(gathered *g, const apr_array_header_t *from)
{
    int i, j;

    for (i = 0; from && i < from->nelts; i++) {
        const xgb_agent_load_t *l = &APR_ARRAY_IDX(from, i, xgb_agent_load_t);
        xgb_agent_load_t *m = NULL;

        for (j = 0; j < g->loads->nelts; j++) {
            if (!strcasecmp(APR_ARRAY_IDX(g->loads, j, xgb_agent_load_t).name,
                            l->name)) {
                m = &APR_ARRAY_IDX(g->loads, j, xgb_agent_load_t);
                break;
            }
        }
        if (!m) {
            APR_ARRAY_PUSH(g->loads, xgb_agent_load_t) = *l;
            continue;
        }
        if (l->sessions > m->sessions) {
            m->sessions = l->sessions;
        }
        if (l->busy > m->busy) {
            m->busy = l->busy;
        }
    }
}

/* A random server among those no child found down lately (any, if all
 * were). */
static int pick_primary(x2gobroker_agent_ctx *ctx, const gathered *g)
{
    int *up = apr_palloc(ctx->pool, g->servers->nelts * sizeof(int));
    apr_time_t now = apr_time_now();
    const char *why;
    int i, nup = 0;

    for (i = 0; i < g->servers->nelts; i++) {
        const x2gobroker_server *srv =
            APR_ARRAY_IDX(g->servers, i, x2gobroker_server *);

        if (!x2gobroker_server_skipped(ctx->s, ctx->r, ctx->pool, srv->key,
                                       now, &why)) {
            up[nup++] = i;
        }
    }
    return nup ? up[xgb_select_random(nup)] : xgb_select_random(g->servers->nelts);
}

/* Ask the servers (or the local agent) and merge what they say. */
static void gather(x2gobroker_agent_ctx *ctx, gathered *g, int balance,
                   int shared_db)
{
    apr_pool_t *p = ctx->r->pool;
    apr_hash_t *seen = apr_hash_make(p);
    x2gobroker_agent_ctx half;
    int i, primary, n = ctx->mode == X2GOBROKER_AGENT_LOCAL
                        ? 1 : g->servers->nelts;

    g->jobs = apr_pcalloc(p, (n ? n : 1) * sizeof(*g->jobs));
    g->njobs = n;
    /* With one shared DB every agent knows every server's sessions and
     * counts: one server is asked (a random one, so that no server
     * carries all the broker's queries; the others are judged by the
     * server table and the port probe when chosen, as the reference
     * does), and only if it does not answer, all the others at once. */
    primary = shared_db && n > 1 ? pick_primary(ctx, g) : -1;
    for (i = 0; i < n; i++) {
        server_answer *a = apr_pcalloc(p, sizeof(*a));

        a->balance = balance;
        g->jobs[i].srv = ctx->mode == X2GOBROKER_AGENT_LOCAL ? NULL
            : APR_ARRAY_IDX(g->servers, i, x2gobroker_server *);
        g->jobs[i].work = ask_server;
        g->jobs[i].data = a;
    }
    if (primary > 0) {
        x2gobroker_agent_job first = g->jobs[primary];

        g->jobs[primary] = g->jobs[0];
        g->jobs[0] = first;
    }
    if (primary >= 0) {
        x2gobroker_agent_run(ctx, g->jobs, 1);
        if (!answered(&g->jobs[0])) {
            /* a second chance within half the timeout, so that a request
             * with every server down costs 1.5 timeouts at most */
            half = *ctx;
            half.timeout_ms = ctx->timeout_ms > 1 ? ctx->timeout_ms / 2 : 1;
            x2gobroker_agent_run(&half, g->jobs + 1, n - 1);
        }
    }
    else if (n > 0) {
        x2gobroker_agent_run(ctx, g->jobs, n);
    }
    g->sessions = apr_array_make(p, 4, sizeof(xgb_agent_session_t));
    g->loads = apr_array_make(p, 4, sizeof(xgb_agent_load_t));
    g->factors = apr_array_make(p, 4, sizeof(xgb_agent_factor_t));
    for (i = 0; i < n; i++) {
        x2gobroker_agent_job *job = &g->jobs[i];
        server_answer *a = job->data;

        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, ctx->r, XGB_LOGNO(00125)
                      "agent %s: %s%s", job->srv ? job->srv->key : "LOCAL",
                      !job->pool && !job->skipped ? "not asked"
                      : job->skipped ? "skipped: "
                      : !answered(job) ? "failed: " : "answered",
                      job->skipped || (job->pool && !answered(job))
                      ? (job->error ? job->error : "?") : "");
        if (job->skipped || !answered(job)) {
            continue;
        }
        if (a->dropped) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, ctx->r,
                          XGB_LOGNO(00121) "agent %s: %d listsessions "
                          "line(s) dropped as malformed",
                          job->srv ? job->srv->key : "LOCAL", a->dropped);
        }
        g->reached = 1;
        merge_sessions(p, g, seen, a->sessions);
        merge_loads(g, a->loads);
        if (a->factor >= 0 && job->srv) {
            xgb_agent_factor_t *f = apr_array_push(g->factors);

            f->name = job->srv->name;
            f->factor = a->factor;
        }
        if (job->srv && (a->loads || a->factor >= 0)) {
            x2gobroker_server_figures(ctx->s, ctx->r, job->srv->key,
                                      own_count(a->loads, job->srv->name),
                                      a->factor);
        }
    }
}

/* ---- selectsession ---------------------------------------------------- */

typedef struct {
    request_rec *r;
    x2gobroker_agent_ctx *ctx;
    gathered *g;
    int agents;                 /* the servers were asked */
    int portscan;
    apr_interval_time_t probe_timeout;
} up_baton;

static x2gobroker_agent_job *job_of(const gathered *g, const char *name)
{
    int i;

    for (i = 0; i < g->njobs; i++) {
        if (g->jobs[i].srv && !strcmp(g->jobs[i].srv->name, name)) {
            return &g->jobs[i];
        }
    }
    return NULL;
}

/* A server nobody asked yet (one shared session DB): its agent answers
 * ping, over a connection whose host key was checked.  (A pooled
 * connection alone proves nothing: the server may have gone since.) */
static void ping_only(x2gobroker_agent_link *l, x2gobroker_agent_job *job)
{
    apr_array_header_t *lines;

    x2gobroker_agent_exec(l, "ping", NULL, 0, &lines);
}


/* Up: its agent answered in this request.  Down: its agent could not be
 * reached or trusted now, or another child found so and its retry time
 * has not come.  A server of the profile nobody asked (one shared DB) is
 * connected to now, so that a refused host key rules it out here too.
 * Without agents the port probe decides (when enabled). */
static int server_up(void *baton, const char *name, const char *addr,
                     int port)
{
    up_baton *b = baton;
    x2gobroker_agent_job *job = b->agents ? job_of(b->g, name) : NULL;
    const char *why;

    if (job && !job->pool && !job->skipped) {
        /* gather() is done with its answer: the job can ask again */
        job->work = ping_only;
        job->data = NULL;
        x2gobroker_agent_run(b->ctx, job, 1);
    }
    if (job && answered(job)) {
        return 1;
    }
    if (job && (job->ssh_status != XGB_SSH_OK
                || (job->skipped && job->error))) {
        return 0;
    }
    if (b->agents && x2gobroker_server_skipped(
            b->r->server, b->r, b->r->pool, x2gobroker_server_key(b->r->pool, addr, port),
            apr_time_now(), &why)) {
        return 0;
    }
    if (!b->portscan) {
        return 1;
    }
    if (xgb_net_probe(name, port, b->probe_timeout) == APR_SUCCESS
        || (strcmp(addr, name) != 0
            && xgb_net_probe(addr, port, b->probe_timeout) == APR_SUCCESS)) {
        return 1;
    }
    if (b->agents) {
        /* so that the next requests do not wait for it again */
        x2gobroker_server_report(b->r->server, b->r,
                                 x2gobroker_server_key(b->r->pool, addr, port), 0,
                                 "SSH port does not answer",
                                 b->ctx->retry);
    }
    return 0;
}

typedef struct {
    const char *session;
    int suspended;
} suspend_req;

/* Suspend through the agent.  No fixed sleep as in the reference: this
 * project's agent returns only when x2gosuspend-session has seen the
 * session suspended.  Nor a look with listsessions afterwards: x2goserver's
 * x2golistsessions sets a session whose NX agent still runs back to R,
 * which would undo what the upstream agent (it only changes the status)
 * did. */
static void suspend_session(x2gobroker_agent_link *l,
                            x2gobroker_agent_job *job)
{
    suspend_req *s = job->data;
    const char *args[1] = { s->session };
    apr_array_header_t *lines;

    s->suspended = x2gobroker_agent_exec(l, "suspendsession", args, 1,
                                         &lines) == APR_SUCCESS;
}

static void take_over(x2gobroker_agent_ctx *ctx, gathered *g,
                      xgb_selection_t *sel)
{
    x2gobroker_agent_job job = { 0 };
    suspend_req s = { sel->takeover, 0 };
    const x2gobroker_agent_job *where = job_of(g, sel->server_name);

    job.srv = ctx->mode == X2GOBROKER_AGENT_LOCAL || !where ? NULL
                                                            : where->srv;
    if (ctx->mode == X2GOBROKER_AGENT_SSH && !job.srv) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, ctx->r, XGB_LOGNO(00122)
                      "take-over of %s: no agent for host %s",
                      sel->takeover, sel->server_name);
        return;
    }
    job.work = suspend_session;
    job.data = &s;
    x2gobroker_agent_run(ctx, &job, 1);
    if (s.suspended) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, ctx->r, XGB_LOGNO(00123)
                      "session %s on %s suspended for take-over",
                      sel->takeover, sel->server_name);
    }
    else {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, ctx->r, XGB_LOGNO(00124)
                      "session %s on %s could not be suspended; the "
                      "client is told to resume it anyway", sel->takeover,
                      sel->server_name);
    }
}

/* X2GoBrokerServer by the profile's host name, else by its address. */
static const xgb_server_pref_t *server_pref(void *baton, const char *name,
                                            const char *addr)
{
    apr_hash_t *servers = baton;
    const xgb_server_pref_t *pf = apr_hash_get(servers, name,
                                               APR_HASH_KEY_STRING);

    return pf ? pf : apr_hash_get(servers, addr, APR_HASH_KEY_STRING);
}

/* The server record of the selected host, for the autologin key. */
static const x2gobroker_server *selected_server(apr_pool_t *p,
                                                const gathered *g,
                                                const xgb_selection_t *sel)
{
    x2gobroker_server *srv;
    int i;

    for (i = 0; g->servers && i < g->servers->nelts; i++) {
        srv = APR_ARRAY_IDX(g->servers, i, x2gobroker_server *);
        if (!strcmp(srv->name, sel->server_name)) {
            return srv;
        }
    }
    srv = apr_pcalloc(p, sizeof(*srv));
    srv->name = sel->server_name;
    srv->addr = sel->server;
    srv->port = sel->port;
    srv->key = x2gobroker_server_key(p, sel->server, sel->port);
    return srv;
}

xgb_selection_t *x2gobroker_select(request_rec *r, const x2gobroker_cfg *c,
                                   x2gobroker_backend_e b,
                                   const xgb_profile_t *prof,
                                   const char *username, const char *pubkey,
                                   const char *client_ip)
{
    apr_pool_t *p = r->pool;
    x2gobroker_agent_ctx ctx;
    xgb_select_in_t in = { 0 };
    gathered g = { 0 };
    up_baton ub = { r, &ctx, &g, 0, 0, 0 };
    x2gobroker_agent_mode_e mode;
    xgb_selection_t *sel;
    int agents = 0;

    in.prof = prof;
    in.username = username;
    in.local_hostname = xgb_net_local_hostname(p);
    in.up = server_up;
    in.up_baton = &ub;
    if (c->servers) {
        in.pref = server_pref;
        in.pref_baton = c->servers;
    }
    ub.portscan = prof ? xgb_profile_portscan(prof,
                                              x2gobroker_cfg_flag(c->portscan,
                                                                  1))
                       : 0;
    ub.probe_timeout = x2gobroker_cfg_portscan_timeout(c);
    mode = prof ? x2gobroker_agent_mode(c, b, prof) : X2GOBROKER_AGENT_NONE;
    if (mode != X2GOBROKER_AGENT_NONE && username && *username
        && agent_ctx(r, c, b, prof, mode, username, &ctx)) {
        apr_hash_t *seen = apr_hash_make(p);

        agents = 1;
        g.servers = apr_array_make(p, 4, sizeof(x2gobroker_server *));
        add_servers(p, prof, g.servers, seen);
        gather(&ctx, &g, g.servers->nelts > 1,
               x2gobroker_cfg_flag(c->shared_session_db, 0));
        ub.agents = mode == X2GOBROKER_AGENT_SSH;
        in.agent = g.reached;
        /* Spec 5.1: only SSH agents can all be down; a local agent that
         * failed leaves the selection without agent data. */
        in.all_agents_down = !g.reached && mode == X2GOBROKER_AGENT_SSH;
        in.sessions = g.sessions;
        in.loads = g.loads;
        in.factors = g.factors;
    }
    sel = xgb_select(p, &in);
    if (sel && sel->takeover && in.agent) {
        take_over(&ctx, &g, sel);
    }
    /* spec 7.5: with an agent, a user and a server chosen */
    if (sel && agents && sel->server_name
        && xgb_profile_autologin(prof,
                                 x2gobroker_cfg_flag(c->session_autologin,
                                                     0))) {
        x2gobroker_autologin_deliver(&ctx, c, prof,
                                     selected_server(p, &g, sel), pubkey,
                                     client_ip, sel);
    }
    return sel;
}

/* ---- listsessions ----------------------------------------------------- */

void x2gobroker_listing_status(request_rec *r, const x2gobroker_cfg *c,
                               x2gobroker_backend_e b,
                               const apr_array_header_t *profiles,
                               apr_array_header_t *client_profiles,
                               const char *user)
{
    apr_pool_t *p = r->pool;
    apr_hash_t *seen = apr_hash_make(p);
    x2gobroker_agent_ctx ctx;
    gathered g = { 0 };
    x2gobroker_agent_mode_e mode = X2GOBROKER_AGENT_NONE;
    const xgb_profile_t *first = NULL;
    int i;

    if (!user || !*user) {
        return;
    }
    g.servers = apr_array_make(p, 8, sizeof(x2gobroker_server *));
    for (i = 0; i < profiles->nelts; i++) {
        const xgb_profile_t *prof = APR_ARRAY_IDX(profiles, i,
                                                  const xgb_profile_t *);
        x2gobroker_agent_mode_e m = x2gobroker_agent_mode(c, b, prof);

        if (m == X2GOBROKER_AGENT_NONE) {
            continue;
        }
        /* One round for the whole listing: every distinct server once,
         * with the first agent profile's mode and host key policy. */
        if (!first) {
            first = prof;
            mode = m;
        }
        add_servers(p, prof, g.servers, seen);
    }
    if (!first || !agent_ctx(r, c, b, first, mode, user, &ctx)) {
        return;
    }
    gather(&ctx, &g, 0, x2gobroker_cfg_flag(c->shared_session_db, 0));
    if (!g.reached) {
        return;
    }
    for (i = 0; i < profiles->nelts; i++) {
        const xgb_profile_t *prof = APR_ARRAY_IDX(profiles, i,
                                                  const xgb_profile_t *);
        const char *host = NULL;
        char status = 0;

        if (x2gobroker_agent_mode(c, b, prof) == X2GOBROKER_AGENT_NONE) {
            continue;
        }
        xgb_select_status(p, prof, g.sessions, &status, &host);
        xgb_profile_set_status(p, APR_ARRAY_IDX(client_profiles, i,
                                                xgb_client_profile_t *),
                               status, host);
    }
}
