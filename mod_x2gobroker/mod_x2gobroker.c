/*
 * mod_x2gobroker.c - the X2Go Session Broker as an httpd module.
 *
 * Life cycle:
 *   pre_config   register the cookie-store mutex type
 *   (parsing)    X2GoBrokerSSHKeyFile keys are read, as root
 *   post_config  load every session-profile file (a broken one stops
 *                httpd), read the broker account's default keys, create
 *                the cookie stores in shared memory
 *   child_init   per-child mutexes, attach to the cookie-store mutexes
 *   handler      "x2gobroker" (mod_x2gobroker_handler.c)
 * The core library (core/, no httpd headers) logs through a callback that
 * lands here.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_protocol.h"

#include "mod_x2gobroker_private.h"
#include "xgb_net.h"

const char *x2gobroker_fqdn;

/* The core's log sink: no request is at hand there, so messages go to
 * the main server's log with the core's own file and line.  (httpd
 * escapes control characters in log messages, so user names quoted by
 * the core cannot forge log lines.) */
static server_rec *log_server;

static void core_log(const char *file, int line, int level, const char *msg,
                     void *baton)
{
    ap_log_error(file, line, APLOG_MODULE_INDEX, level, 0, log_server,
                 XGB_LOGNO(10000) "%s", msg);
}

static int x2gobroker_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                                 apr_pool_t *ptemp)
{
    x2gobroker_pubkeys_pre_config(pconf);
    return x2gobroker_cookies_pre_config(pconf);
}

static int x2gobroker_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                                  apr_pool_t *ptemp, server_rec *s)
{
    int rc;

    log_server = s;
    xgb_log_set(core_log, NULL);
    /* pubkeys/ names this host; resolving it per request could block on
     * DNS, so it is looked up once per configuration. */
    x2gobroker_fqdn = xgb_net_broker_fqdn(pconf);
    rc = x2gobroker_profiles_post_config(pconf, s);
    if (rc != OK) {
        return rc;
    }
    x2gobroker_pubkeys_post_config(pconf, s);
    return x2gobroker_cookies_post_config(pconf, ptemp, s);
}

static void x2gobroker_child_init(apr_pool_t *pchild, server_rec *s)
{
    x2gobroker_profiles_child_init(pchild, s);
    x2gobroker_cookies_child_init(pchild, s);
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
