/*
 * mod_x2gobroker_autologin.c - session autologin (spec 7.5): a key the
 * client logs in with, installed on the chosen X2Go server (and on the
 * profile's SSH proxy) by the agent's addauthkey, and removed again with
 * delauthkey after X2GoBrokerAutologinKeyLifetime.
 *
 * The removal must happen even when the child that delivered the key
 * exits or httpd restarts gracefully, so it is not a timer of that child
 * (the reference forked its worker per key): every key to remove is a
 * record in a shared table (mod_x2gobroker_shm.c, kept across graceful
 * restarts), written before the key is installed, and a mod_watchdog
 * singleton removes what is due, once a second, in whichever child runs
 * it.  A removal that fails (the server is down) is tried again later.
 * Without mod_watchdog or mod_slotmem_shm no key is delivered: a key
 * nobody removes would stay valid for good.
 */
#include "apr_strings.h"
#include "apr_optional.h"

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "mod_watchdog.h"

#include "mod_x2gobroker_private.h"
#include "xgb_autologin.h"
#include "xgb_sshkey.h"

#define KEYS_SLOTMEM "x2gobroker-autologin-keys"
#define KEYS_WATCHDOG "_x2gobroker_autologin_"
/* Keys waiting for removal at once: with the default lifetime of 20 s,
 * more than 25 autologin sessions a second. */
#define KEY_SLOTS 512
/* A removal that failed is tried again after this, for a day. */
#define RETRY_INTERVAL apr_time_from_sec(10)
#define GIVE_UP apr_time_from_sec(86400)
/* Removals taken by one watchdog run; the rest waits a second. */
#define BATCH 16
/* Longest key line remembered: an 8192-bit RSA key with options fits. */
#define KEY_LINE_MAX 4096

typedef struct {
    apr_time_t due;             /* 0: free slot */
    apr_time_t installed;
    apr_int32_t mode;
    apr_int32_t port;
    apr_int32_t policy;
    apr_int32_t timeout_ms;
    char name[256];
    char addr[256];
    char user[256];
    char login[64];
    char keyfile[512];
    char known_hosts[512];
    char agent_cmd[256];
    char authkeys[512];
    char line[KEY_LINE_MAX];
} key_slot;

static ap_slotmem_instance_t *table;
static int watchdog_on;

static apr_status_t remove_due_keys(int state, void *data, apr_pool_t *pool);

int x2gobroker_autologin_post_config(apr_pool_t *pconf, server_rec *s)
{
    APR_OPTIONAL_FN_TYPE(ap_watchdog_get_instance) *wd_get;
    APR_OPTIONAL_FN_TYPE(ap_watchdog_register_callback) *wd_register;
    ap_watchdog_t *wd;
    int rc;

    table = NULL;
    watchdog_on = 0;
    rc = x2gobroker_shm_table(pconf, s, KEYS_SLOTMEM, sizeof(key_slot),
                              KEY_SLOTS, &table);
    if (rc != OK && rc != DECLINED) {
        return rc;
    }
    wd_get = APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_get_instance);
    wd_register = APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_register_callback);
    if (table && wd_get && wd_register
        && wd_get(&wd, KEYS_WATCHDOG, 0, 1, pconf) == APR_SUCCESS
        && wd_register(wd, apr_time_from_sec(1), s, remove_due_keys)
           == APR_SUCCESS) {
        watchdog_on = 1;
    }
    return OK;
}

#define COPY(field, value) \
    (apr_cpystrn((field), (value) ? (value) : "", sizeof(field)), \
     strlen(value ? value : "") < sizeof(field))

/* Write the removal record before the key is installed, so that no key
 * is ever on a server without one.  0 if the table is full or the values
 * do not fit (then the key is not delivered). */
static int schedule(const x2gobroker_agent_ctx *ctx,
                    const x2gobroker_server *srv, const char *line,
                    const char *authkeys, apr_time_t due)
{
    key_slot *slots = x2gobroker_shm_lock(table, ctx->s, ctx->r), *k = NULL;
    int i, fits;

    if (!slots) {
        return 0;
    }
    for (i = 0; i < KEY_SLOTS; i++) {
        if (!slots[i].due) {
            k = &slots[i];
            break;
        }
    }
    if (k) {
        memset(k, 0, sizeof(*k));
        fits = COPY(k->name, srv ? srv->name : "")
               && COPY(k->addr, srv ? srv->addr : "")
               && COPY(k->user, ctx->user)
               && COPY(k->login, ctx->login)
               && COPY(k->keyfile, ctx->key ? ctx->key->path : "")
               && COPY(k->known_hosts, ctx->known_hosts)
               && COPY(k->agent_cmd, ctx->agent_cmd)
               && COPY(k->authkeys, authkeys)
               && COPY(k->line, line);
        if (fits) {
            k->mode = ctx->mode;
            k->port = srv ? srv->port : 0;
            k->policy = ctx->policy;
            k->timeout_ms = ctx->timeout_ms;
            k->installed = apr_time_now();
            k->due = due;
        }
        else {
            memset(k, 0, sizeof(*k));
            k = NULL;
        }
    }
    x2gobroker_shm_unlock();
    if (!k) {
        X2GOBROKER_LOG(ctx->r, ctx->s, APLOG_ERR, 0, XGB_LOGNO(00130)
                       "autologin: no room to remember the key's removal "
                       "(%d keys pending, or values too long): key not "
                       "delivered", KEY_SLOTS);
    }
    return k != NULL;
}

typedef struct {
    const char *task;
    const char *line;
    const char *authkeys;
    int ok;
} key_task;

static void run_key_task(x2gobroker_agent_link *l, x2gobroker_agent_job *job)
{
    key_task *t = job->data;
    const char *args[2] = { t->line, t->authkeys };
    apr_array_header_t *lines;

    t->ok = x2gobroker_agent_exec(l, t->task, args, 2, &lines)
            == APR_SUCCESS;
}

void x2gobroker_autologin_deliver(x2gobroker_agent_ctx *ctx,
                                  const x2gobroker_cfg *c,
                                  const xgb_profile_t *prof,
                                  const x2gobroker_server *target,
                                  const char *client_pubkey,
                                  const char *client_ip,
                                  xgb_selection_t *sel)
{
    request_rec *r = ctx->r;
    apr_pool_t *p = r->pool;
    const xgb_value_t *proxy = xgb_profile_value(prof, "sshproxyhost");
    const xgb_value_t *proxy_port = xgb_profile_value(prof, "sshproxyport");
    x2gobroker_server proxy_srv;
    x2gobroker_agent_job jobs[2];
    key_task tasks[2];
    const char *pem = NULL, *line, *err = NULL;
    int lifetime = c->autologin_key_lifetime != XGB_UNSET
                   ? c->autologin_key_lifetime
                   : XGB_DEFAULT_AUTOLOGIN_KEY_LIFETIME;
    apr_time_t due = apr_time_now() + apr_time_from_sec(lifetime);
    int n = 1, i;

    if (!watchdog_on) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, XGB_LOGNO(00131)
                      "autologin for profile %s: keys are removed again by "
                      "a watchdog in shared memory; load mod_watchdog and "
                      "mod_slotmem_shm.  No key delivered", prof->id);
        return;
    }
    /* python-x2go, the only client that sends its own key, cannot log
     * in with it: after "authentication_pubkey": "ACCEPTED" it deep-copies
     * its session parameters with the paramiko key in them, and paramiko
     * keys cannot be copied since paramiko 2.0 (Debian 12: TypeError,
     * the client dies).  Without that answer it logs in with its own
     * credentials, so its key is not installed at all. */
    if (client_pubkey && *client_pubkey) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, XGB_LOGNO(00132)
                      "autologin for profile %s: the client sent its own "
                      "public key (python-x2go), which it cannot log in "
                      "with; no key installed, it uses its own "
                      "credentials", prof->id);
        return;
    }
    if (xgb_autologin_keypair(p, apr_pstrcat(p, ctx->user, "@", client_ip,
                                             NULL),
                              &pem, &line, &err) != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, XGB_LOGNO(00133)
                      "autologin: %s", err);
        return;
    }

    memset(jobs, 0, sizeof(jobs));
    tasks[0].task = "addauthkey";
    tasks[0].line = line;
    tasks[0].authkeys = x2gobroker_cfg_pick(prof->authorized_keys,
                                            c->authorized_keys,
                                            XGB_DEFAULT_AUTHORIZED_KEYS);
    tasks[0].ok = 0;
    jobs[0].srv = ctx->mode == X2GOBROKER_AGENT_SSH ? target : NULL;
    jobs[0].work = run_key_task;
    jobs[0].data = &tasks[0];
    if (proxy && proxy->type == XGB_VAL_STR && *proxy->str
        && ctx->mode == X2GOBROKER_AGENT_SSH) {
        proxy_srv.name = proxy->str;
        proxy_srv.addr = proxy->str;
        proxy_srv.port = proxy_port && proxy_port->type == XGB_VAL_INT
                         && proxy_port->i > 0 && proxy_port->i < 65536
                         ? (int)proxy_port->i : 22;
        proxy_srv.key = x2gobroker_server_key(p, proxy_srv.addr,
                                              proxy_srv.port);
        tasks[1] = tasks[0];
        tasks[1].authkeys = x2gobroker_cfg_pick(
            prof->sshproxy_authorized_keys, c->sshproxy_authorized_keys,
            XGB_DEFAULT_AUTHORIZED_KEYS);
        jobs[1].srv = &proxy_srv;
        jobs[1].work = run_key_task;
        jobs[1].data = &tasks[1];
        n = 2;
    }
    for (i = 0; i < n; i++) {
        if (!schedule(ctx, jobs[i].srv, line, tasks[i].authkeys, due)) {
            return;
        }
    }
    x2gobroker_agent_run(ctx, jobs, n);
    for (i = 0; i < n; i++) {
        if (tasks[i].ok) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, XGB_LOGNO(00134)
                          "autologin key for %s installed on %s, removed "
                          "in %d s", ctx->user,
                          jobs[i].srv ? jobs[i].srv->key : "this host",
                          lifetime);
        }
    }
    /* Only a key that is on the server is handed out: with none, the
     * client asks for the password instead of failing a key login. */
    if (tasks[0].ok) {
        sel->key = pem;
    }
}

/* ---- removal, in the watchdog ----------------------------------------- */

typedef struct {
    int slot;
    key_slot k;
    x2gobroker_server srv;
    key_task task;
} removal;

static void remove_batch(server_rec *s, apr_pool_t *p, removal *rm, int n)
{
    x2gobroker_agent_job *jobs = apr_pcalloc(p, n * sizeof(*jobs));
    key_slot *slots;
    apr_time_t now;
    int i;

    /* One run per set of agent settings; records made by the same
     * <Location> share them, so a batch is usually one run. */
    for (i = 0; i < n; i++) {
        x2gobroker_agent_ctx ctx;
        removal *x = &rm[i];

        memset(&ctx, 0, sizeof(ctx));
        ctx.s = s;
        ctx.pool = p;
        ctx.mode = (x2gobroker_agent_mode_e)x->k.mode;
        ctx.agent_cmd = x->k.agent_cmd;
        ctx.known_hosts = x->k.known_hosts;
        ctx.user = x->k.user;
        ctx.login = x->k.login;
        ctx.key = x2gobroker_pubkeys_find(x->k.keyfile);
        ctx.policy = (xgb_ssh_hostkey_policy_t)x->k.policy;
        ctx.timeout_ms = x->k.timeout_ms;
        ctx.retry = XGB_DEFAULT_SERVER_RETRY;
        x->srv.name = x->k.name;
        x->srv.addr = x->k.addr;
        x->srv.port = x->k.port;
        x->srv.key = x2gobroker_server_key(p, x->k.addr, x->k.port);
        x->task.task = "delauthkey";
        x->task.line = x->k.line;
        x->task.authkeys = x->k.authkeys;
        x->task.ok = 0;
        jobs[i].srv = ctx.mode == X2GOBROKER_AGENT_SSH ? &x->srv : NULL;
        jobs[i].work = run_key_task;
        jobs[i].data = &x->task;
        if (ctx.mode == X2GOBROKER_AGENT_SSH && !ctx.key) {
            ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, XGB_LOGNO(00135)
                         "autologin: cannot remove %s's key from %s: the "
                         "broker key %s is no longer configured", ctx.user,
                         x->srv.key, x->k.keyfile);
            continue;
        }
        x2gobroker_agent_run(&ctx, &jobs[i], 1);
    }
    slots = x2gobroker_shm_lock(table, s, NULL);
    if (!slots) {
        return;
    }
    now = apr_time_now();
    for (i = 0; i < n; i++) {
        key_slot *k = &slots[rm[i].slot];

        if (rm[i].task.ok || now - k->installed > GIVE_UP) {
            if (!rm[i].task.ok) {
                ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, XGB_LOGNO(00136)
                             "autologin: giving up removing %s's key from "
                             "%s after a day: remove it by hand (%s)",
                             rm[i].k.user, rm[i].srv.key, rm[i].k.authkeys);
            }
            else {
                ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, XGB_LOGNO(00137)
                             "autologin key of %s removed from %s",
                             rm[i].k.user, rm[i].srv.key);
            }
            memset(k, 0, sizeof(*k));
        }
        else {
            k->due = now + RETRY_INTERVAL;
        }
    }
    x2gobroker_shm_unlock();
}

static apr_status_t remove_due_keys(int state, void *data, apr_pool_t *pool)
{
    server_rec *s = data;
    removal *rm;
    key_slot *slots;
    apr_pool_t *p;
    apr_time_t now;
    int i, n = 0;

    if (state != AP_WATCHDOG_STATE_RUNNING || !table) {
        return APR_SUCCESS;
    }
    if (apr_pool_create(&p, pool) != APR_SUCCESS) {
        return APR_SUCCESS;
    }
    rm = apr_pcalloc(p, BATCH * sizeof(*rm));
    slots = x2gobroker_shm_lock(table, s, NULL);
    if (slots) {
        now = apr_time_now();
        for (i = 0; i < KEY_SLOTS && n < BATCH; i++) {
            if (slots[i].due && slots[i].due <= now) {
                rm[n].slot = i;
                rm[n].k = slots[i];
                /* leased: not taken again while this run works on it */
                slots[i].due = now + RETRY_INTERVAL;
                n++;
            }
        }
        x2gobroker_shm_unlock();
    }
    if (n > 0) {
        remove_batch(s, p, rm, n);
    }
    apr_pool_destroy(p);
    return APR_SUCCESS;
}
