/*
 * mod_x2gobroker_pubkeys.c - pubkeys/ (spec 2.3): the broker's SSH public
 * keys as authorized_keys lines with the agent as forced command, for
 * x2gobroker-pubkeyauthorizer on the X2Go servers.  No authentication:
 * public keys are public.
 */
#include <pwd.h>

#include "apr_strings.h"

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"

#include "mod_x2gobroker_private.h"
#include "xgb_pubkeys.h"

static const char *home_dir(apr_pool_t *p, const char *user)
{
    struct passwd pw, *res = NULL;
    char buf[4096];

    if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || !res) {
        return NULL;
    }
    return apr_pstrdup(p, pw.pw_dir);
}

/* Broker key files: the configured ones, else the broker account's
 * usual ones (missing files are skipped by the renderer). */
static apr_array_header_t *key_files(request_rec *r, const x2gobroker_cfg *c,
                                     const char *user)
{
    static const char *const names[] = { "id_rsa", "id_dsa", "id_ecdsa",
                                         "id_ed25519", NULL };
    apr_array_header_t *files;
    const char *home;
    const char *const *n;

    if (c->ssh_key_files) {
        return c->ssh_key_files;
    }
    files = apr_array_make(r->pool, 4, sizeof(char *));
    home = home_dir(r->pool, user);
    for (n = names; home && *n; n++) {
        APR_ARRAY_PUSH(files, const char *) =
            apr_pstrcat(r->pool, home, "/.ssh/", *n, NULL);
    }
    return files;
}

int x2gobroker_pubkeys_handler(request_rec *r, const x2gobroker_cfg *c)
{
    const char *user = c->daemon_user ? c->daemon_user
                                      : XGB_DEFAULT_DAEMON_USER;
    const char *body;

    if (!x2gobroker_method_ok(r, c, 0)) {
        return x2gobroker_send_error(r, HTTP_METHOD_NOT_ALLOWED);
    }
    body = xgb_pubkeys_render(r->pool, key_files(r, c, user),
                              c->agent_cmd ? c->agent_cmd
                                           : XGB_DEFAULT_AGENT_CMD,
                              user, x2gobroker_fqdn);
    if (!body) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, XGB_LOGNO(00050)
                      "pubkeys: X2GoBrokerDaemonUser or X2GoBrokerAgentCmd "
                      "contains characters an authorized_keys line cannot "
                      "hold");
        return x2gobroker_send_error(r, HTTP_INTERNAL_SERVER_ERROR);
    }
    return x2gobroker_send_answer(r, "text/plain; charset=utf-8", body);
}
