/*
 * mod_x2gobroker.c - the X2Go Session Broker as an httpd module.
 *
 * Life cycle:
 *   pre_config   register the mutex type of the shared memory
 *   (parsing)    X2GoBrokerSSHKeyFile keys are read, as root
 *   post_config  load every session-profile file (a broken one stops
 *                httpd), read the broker account's default keys; then,
 *                not in the dry run at start-up, look up this host's
 *                name and create the cookie stores and the server table
 *                in shared memory
 *   child_init   per-child mutexes, attach to the shared memory, libssh2
 *   handler      "x2gobroker" (mod_x2gobroker_handler.c)
 * The core library (core/, no httpd headers) logs through a callback that
 * lands here.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_core.h"

#include "mod_x2gobroker_private.h"
#include "xgb_net.h"

const char *x2gobroker_fqdn;

/* The core's log sink.  The core knows no requests; the handler says
 * which request its thread is serving, so the core's lines carry that
 * request's client and virtual host like the glue's own.  Outside a
 * request (start-up, the agent jobs' threads, the watchdog) they go to
 * the main server's log.  The core's own file and line are kept.  (httpd
 * escapes control characters in log messages, so user names quoted by
 * the core cannot forge log lines.) */
static server_rec *log_server;
static __thread request_rec *log_request;

static apr_status_t forget_request(void *r)
{
    if (log_request == r) {
        log_request = NULL;
    }
    return APR_SUCCESS;
}

void x2gobroker_log_request(request_rec *r)
{
    log_request = r;
    apr_pool_cleanup_register(r->pool, r, forget_request,
                              apr_pool_cleanup_null);
}

static void core_log(const char *file, int line, int level, const char *msg,
                     void *baton)
{
    if (log_request) {
        ap_log_rerror(file, line, APLOG_MODULE_INDEX, level, 0, log_request,
                      XGB_LOGNO(10000) "%s", msg);
    }
    else {
        ap_log_error(file, line, APLOG_MODULE_INDEX, level, 0, log_server,
                     XGB_LOGNO(10000) "%s", msg);
    }
}

static int x2gobroker_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                                 apr_pool_t *ptemp)
{
    x2gobroker_pubkeys_pre_config(pconf);
    x2gobroker_servers_pre_config();
    return x2gobroker_shm_pre_config(pconf);
}

static int x2gobroker_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                                  apr_pool_t *ptemp, server_rec *s)
{
    /* The dry run at start-up is followed by the real one: the checks
     * (profile files, keys) run in both so that errors reach the console,
     * shared memory and mutexes are made in the real one only. */
    int real = ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_CREATE_PRE_CONFIG;
    int rc = OK, agents = 0;

    log_server = s;
    xgb_log_set(core_log, NULL);
    if (real) {
        rc = x2gobroker_shm_post_config(pconf, s);
    }
    if (rc == OK) {
        rc = x2gobroker_profiles_post_config(pconf, s, real);
    }
    if (rc != OK) {
        return rc;
    }
    x2gobroker_pubkeys_post_config(pconf, s);
    rc = x2gobroker_brokerage_check(ptemp, s, &agents);
    if (rc != OK || !real) {
        return rc;
    }
    /* pubkeys/ names this host; resolving it per request could block on
     * DNS, so it is looked up once per configuration. */
    x2gobroker_fqdn = xgb_net_broker_fqdn(pconf);
    rc = x2gobroker_servers_post_config(pconf, s, agents);
    if (rc == OK) {
        rc = x2gobroker_autologin_post_config(pconf, s);
    }
    return rc != OK ? rc : x2gobroker_cookies_post_config(pconf, ptemp, s);
}

static void x2gobroker_child_init(apr_pool_t *pchild, server_rec *s)
{
    x2gobroker_profiles_child_init(pchild, s);
    x2gobroker_shm_child_init(pchild, s);
    x2gobroker_agent_child_init(pchild, s);
}

static void x2gobroker_register_hooks(apr_pool_t *p)
{
    ap_hook_pre_config(x2gobroker_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(x2gobroker_post_config, NULL, NULL,
                        APR_HOOK_MIDDLE);
    ap_hook_child_init(x2gobroker_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(x2gobroker_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

module AP_MODULE_DECLARE_DATA x2gobroker_module = {
    STANDARD20_MODULE_STUFF,
    x2gobroker_create_dir_config,
    x2gobroker_merge_dir_config,
    NULL,
    NULL,
    x2gobroker_cmds,
    x2gobroker_register_hooks
};
