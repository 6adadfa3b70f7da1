/*
 * mod_x2gobroker_pubkeys.c - pubkeys/ (spec 2.3): the broker's SSH public
 * keys as authorized_keys lines with the agent as forced command, for
 * x2gobroker-pubkeyauthorizer on the X2Go servers.  No authentication:
 * public keys are public.
 *
 * The keys are private key files that only root and the broker account
 * may read, so they are read while httpd is still root, like mod_ssl's:
 * X2GoBrokerSSHKeyFile when its directive is parsed, the broker
 * account's default ~/.ssh/id_* in post_config.  A restart (graceful
 * too) reads them again; the children never open a key file.
 *
 * The agent client (mod_x2gobroker_agent.c) signs with the first
 * X2GoBrokerSSHKeyFile, else with the daemon account's id_ed25519 (else
 * id_ecdsa, ...); their content stays in pconf, wiped when pconf goes.
 */
#include <pwd.h>

#include <openssl/crypto.h>

#include "apr_hash.h"
#include "apr_strings.h"

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"

#include "mod_x2gobroker_private.h"
#include "xgb_pubkeys.h"

/* Accounts named by X2GoBrokerDaemonUser in this configuration, plus the
 * default one; and, from post_config on, account -> its default keys
 * (apr_array_header_t of "<type> <base64>") and account -> the one the
 * agent client signs with (x2gobroker_privkey).  All live in pconf and
 * are made anew for every configuration generation. */
static apr_array_header_t *daemon_users;
static apr_hash_t *default_keys;
static apr_hash_t *default_privkeys;
/* path -> x2gobroker_privkey of every key read, for the watchdog that
 * removes autologin keys and knows only the path. */
static apr_hash_t *privkeys;

static apr_status_t wipe_key(void *data)
{
    x2gobroker_privkey *k = data;

    OPENSSL_cleanse((void *)k->data, k->len);
    return APR_SUCCESS;
}

/* Read a private key as root; NULL with *err if it cannot be used. */
static x2gobroker_privkey *read_privkey(apr_pool_t *p, const char *path,
                                        const char **line, const char **err)
{
    x2gobroker_privkey *k = apr_pcalloc(p, sizeof(*k));

    if (xgb_privkey_read(p, path, &k->data, &k->len, line, err)
        != APR_SUCCESS) {
        return NULL;
    }
    k->path = path;
    apr_pool_cleanup_register(p, k, wipe_key, apr_pool_cleanup_null);
    if (privkeys) {
        apr_hash_set(privkeys, k->path, APR_HASH_KEY_STRING, k);
    }
    return k;
}

void x2gobroker_pubkeys_pre_config(apr_pool_t *pconf)
{
    daemon_users = apr_array_make(pconf, 2, sizeof(const char *));
    APR_ARRAY_PUSH(daemon_users, const char *) = XGB_DEFAULT_DAEMON_USER;
    default_keys = NULL;
    default_privkeys = NULL;
    privkeys = apr_hash_make(pconf);
}

const x2gobroker_privkey *x2gobroker_pubkeys_find(const char *path)
{
    return privkeys && path ? apr_hash_get(privkeys, path,
                                           APR_HASH_KEY_STRING)
                            : NULL;
}

void x2gobroker_pubkeys_note_user(cmd_parms *cmd, const char *user)
{
    APR_ARRAY_PUSH(daemon_users, const char *) =
        apr_pstrdup(cmd->pool, user);
}

const char *x2gobroker_pubkeys_add_file(cmd_parms *cmd, x2gobroker_cfg *c,
                                        const char *path)
{
    const char *line = NULL, *err = NULL;
    x2gobroker_privkey *k;

    /* a key named explicitly that cannot be used stops httpd: serving
     * fewer keys than configured would lock the broker out later */
    k = read_privkey(cmd->pool, path, &line, &err);
    if (!k) {
        return apr_psprintf(cmd->pool, "%s %s: %s", cmd->cmd->name, path,
                            err ? err : "cannot read the key");
    }
    if (!c->ssh_keys) {
        c->ssh_keys = apr_array_make(cmd->pool, 2, sizeof(const char *));
        c->agent_key = k;
    }
    APR_ARRAY_PUSH(c->ssh_keys, const char *) = line;
    return NULL;
}

const x2gobroker_privkey *x2gobroker_pubkeys_agent_key(const x2gobroker_cfg *c)
{
    const char *user = x2gobroker_cfg_daemon_user(c);

    if (c->agent_key) {
        return c->agent_key;
    }
    return default_privkeys ? apr_hash_get(default_privkeys, user,
                                           APR_HASH_KEY_STRING)
                            : NULL;
}

static const char *home_dir(apr_pool_t *p, const char *user)
{
    struct passwd pw, *res = NULL;
    char buf[4096];

    if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || !res) {
        return NULL;
    }
    return apr_pstrdup(p, pw.pw_dir);
}

void x2gobroker_pubkeys_post_config(apr_pool_t *pconf, server_rec *s)
{
    static const char *const names[] = { "id_rsa", "id_dsa", "id_ecdsa",
                                         "id_ed25519", NULL };
    int i, j;

    default_keys = apr_hash_make(pconf);
    default_privkeys = apr_hash_make(pconf);
    for (i = 0; i < daemon_users->nelts; i++) {
        const char *user = APR_ARRAY_IDX(daemon_users, i, const char *);
        apr_array_header_t *files = apr_array_make(pconf, 4, sizeof(char *));
        const char *home;
        const char *const *n;

        if (apr_hash_get(default_keys, user, APR_HASH_KEY_STRING)) {
            continue;
        }
        home = home_dir(pconf, user);
        for (n = names; home && *n; n++) {
            APR_ARRAY_PUSH(files, const char *) =
                apr_pstrcat(pconf, home, "/.ssh/", *n, NULL);
        }
        apr_hash_set(default_keys, user, APR_HASH_KEY_STRING,
                     xgb_pubkeys_load(pconf, files));
        /* The agent client signs with the newest kind the account has:
         * the list runs rsa, dsa, ecdsa, ed25519 (the reference's order
         * for pubkeys/), and libssh2 1.10 signs RSA with SHA-1 only,
         * which current OpenSSH servers refuse. */
        for (j = files->nelts - 1; j >= 0; j--) {
            const char *line, *err;
            x2gobroker_privkey *k =
                read_privkey(pconf, APR_ARRAY_IDX(files, j, const char *),
                             &line, &err);

            if (k) {
                apr_hash_set(default_privkeys, user, APR_HASH_KEY_STRING, k);
                break;
            }
        }
    }
}

int x2gobroker_pubkeys_handler(request_rec *r, const x2gobroker_cfg *c)
{
    const char *user = x2gobroker_cfg_daemon_user(c);
    const apr_array_header_t *keys = c->ssh_keys;
    const char *body;

    if (!x2gobroker_method_ok(r, c, 0)) {
        return x2gobroker_send_error(r, HTTP_METHOD_NOT_ALLOWED);
    }
    if (!keys) {
        keys = apr_hash_get(default_keys, user, APR_HASH_KEY_STRING);
    }
    body = xgb_pubkeys_render(r->pool, keys, x2gobroker_cfg_agent_cmd(c),
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
