/*
 * mod_x2gobroker_auth.c - checking broker passwords.
 *
 * Passwords arrive as form fields, not in an Authorization header, so
 * mod_auth_basic cannot check them.  We call the same authn providers it
 * would (mod_authn_file, mod_authnz_ldap, mod_authn_dbd, mod_authnz_pam,
 * mod_authn_socache, ...), in the order X2GoBrokerAuthProvider lists them,
 * with each provider's own per-directory settings (AuthUserFile,
 * AuthLDAPURL, ...) taken from the same <Location>.
 */
#include "apr_strings.h"

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_request.h"
#include "ap_provider.h"
#include "mod_auth.h"

#include "mod_x2gobroker_private.h"

/* The provider mod_authnz_pam registers; "pam" in the reference. */
#define PAM_PROVIDER "PAM"

typedef struct {
    const char *name;
    const authn_provider *provider;
} named_provider;

const char *x2gobroker_auth_add_provider(cmd_parms *cmd, x2gobroker_cfg *c,
                                         const char *name)
{
    named_provider *np;
    const authn_provider *provider;

    provider = ap_lookup_provider(AUTHN_PROVIDER_GROUP, name,
                                  AUTHN_PROVIDER_VERSION);
    if (!provider || !provider->check_password) {
        return apr_psprintf(cmd->pool, "X2GoBrokerAuthProvider: unknown "
                            "authn provider '%s' (is its module, e.g. "
                            "mod_authn_%s, loaded before this line?)",
                            name, name);
    }
    if (!c->auth_providers) {
        c->auth_providers = apr_array_make(cmd->pool, 2,
                                           sizeof(named_provider));
    }
    np = apr_array_push(c->auth_providers);
    np->name = name;
    np->provider = provider;
    return NULL;
}

static xgb_auth_e check_providers(request_rec *r,
                                  const apr_array_header_t *list,
                                  const char *user, const char *password)
{
    int i;

    for (i = 0; i < list->nelts; i++) {
        const named_provider *np = &APR_ARRAY_IDX(list, i, named_provider);
        authn_status st;

        /* Authorization modules (mod_authnz_ldap) look at this note to
         * know which provider vouched for the user. */
        apr_table_setn(r->notes, AUTHN_PROVIDER_NAME_NOTE, np->name);
        st = np->provider->check_password(r, user, password);
        apr_table_unset(r->notes, AUTHN_PROVIDER_NAME_NOTE);
        if (st == AUTH_GRANTED) {
            return XGB_AUTH_GRANTED;
        }
        if (st == AUTH_GENERAL_ERROR) {
            /* The provider could not decide (LDAP server down, database
             * gone): the password may be right, so this is no 401.  Like
             * mod_auth_basic we stop here rather than let a later
             * provider decide what this one was meant to. */
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, XGB_LOGNO(00030)
                          "authn provider %s could not check the password "
                          "of user '%s' (general error, e.g. its server is "
                          "unreachable): answering 503", np->name,
                          ap_escape_logitem(r->pool, user));
            return XGB_AUTH_UNAVAILABLE;
        }
        /* AUTH_USER_NOT_FOUND: ask the next provider, as
         * AuthBasicProvider does.  AUTH_DENIED: the user exists there
         * and the password is wrong; stop. */
        if (st == AUTH_DENIED) {
            return XGB_AUTH_DENIED;
        }
    }
    return XGB_AUTH_DENIED;
}

/* The reference's fixed test accounts (auth mechanism "testsuite"). */
static xgb_auth_e check_testsuite(const char *user, const char *password)
{
    return ((!strcmp(user, "test") && !strcmp(password, "sweet"))
            || (!strcmp(user, "jacques")
                && !strcmp(password, "th\xc3\xa9r\xc3\xa8se")))
           ? XGB_AUTH_GRANTED : XGB_AUTH_DENIED;
}

int x2gobroker_auth_check(void *baton, const char *user,
                          const char *password)
{
    x2gobroker_auth_baton *b = baton;
    request_rec *r = b->r;
    const char *mech;
    xgb_auth_e ok;

    mech = x2gobroker_cfg_auth_mech(b->cfg, b->backend);
    if (!b->cfg->auth_providers && !strcmp(mech, "none")) {
        return XGB_AUTH_GRANTED;
    }
    /* Like the reference's PAM mechanism: empty credentials never reach a
     * password database. */
    if (!*user || !*password) {
        ok = XGB_AUTH_DENIED;
    }
    else if (b->cfg->auth_providers) {
        ok = check_providers(r, b->cfg->auth_providers, user, password);
    }
    else if (!strcmp(mech, "testsuite")) {
        ok = check_testsuite(user, password);
    }
    else {
        named_provider pam;
        apr_array_header_t list = { r->pool, sizeof(pam), 1, 1,
                                    (char *)&pam };

        pam.name = PAM_PROVIDER;
        pam.provider = ap_lookup_provider(AUTHN_PROVIDER_GROUP, PAM_PROVIDER,
                                          AUTHN_PROVIDER_VERSION);
        if (!pam.provider) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, XGB_LOGNO(00031)
                          "auth mechanism pam needs mod_authnz_pam "
                          "(provider PAM); or set X2GoBrokerAuthProvider");
            return XGB_AUTH_DENIED;
        }
        ok = check_providers(r, &list, user, password);
    }
    if (ok == XGB_AUTH_GRANTED) {
        /* For the access log, as mod_auth_basic would. */
        r->user = apr_pstrdup(r->pool, user);
    }
    return ok;
}
