/*
 * mod_x2gobroker_config.c - directives, per-directory create and merge.
 *
 * Every option of the reference's x2gobroker.conf is a directive named
 * X2GoBroker + the option in CamelCase.  Values are checked when the
 * directive is read, so a typo stops httpd at start-up with the directive
 * and the value in the message instead of failing requests later.
 */
#include "apr_strings.h"
#include "apr_lib.h"

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"

#include "mod_x2gobroker_private.h"
#include "xgb_ini.h"
#include "xgb_select.h"


void *x2gobroker_create_dir_config(apr_pool_t *p, char *dir)
{
    x2gobroker_cfg *c = apr_pcalloc(p, sizeof(*c));

    c->location = dir;
    c->check_credentials = XGB_UNSET;
    c->require_password = XGB_UNSET;
    c->require_cookie = XGB_UNSET;
    c->use_static_cookie = XGB_UNSET;
    c->auth_timeout = XGB_UNSET;
    c->verify_ip = XGB_UNSET;
    c->enable_plain = XGB_UNSET;
    c->enable_json = XGB_UNSET;
    c->enable_uccs = XGB_UNSET;
    c->ignore_primary_groups = XGB_UNSET;
    c->session_autologin = XGB_UNSET;
    c->portscan = XGB_UNSET;
    c->use_load_checker = XGB_UNSET;
    c->load_checker_intervals = XGB_UNSET;
    c->inifile_enable = XGB_UNSET;
    c->inifile_use_load_checker = XGB_UNSET;
    c->zeroconf_enable = XGB_UNSET;
    c->base_enable = XGB_UNSET;
    c->debug = XGB_UNSET;
    c->max_body = XGB_UNSET;
    c->portscan_timeout = XGB_UNSET;
    c->agent_timeout = XGB_UNSET;
    c->server_retry = XGB_UNSET;
    c->autologin_key_lifetime = XGB_UNSET;
    c->shared_session_db = XGB_UNSET;
    c->allow_login_override = XGB_UNSET;
    return c;
}

/* add's value when a directive set it there, else base's. */
#define MERGE_INT(f) m->f = (add->f != XGB_UNSET) ? add->f : base->f
#define MERGE_PTR(f) m->f = add->f ? add->f : base->f
/* both tables; an entry in both keeps add's */
#define MERGE_HASH(f) m->f = base->f && add->f \
                             ? apr_hash_overlay(p, add->f, base->f) \
                             : (add->f ? add->f : base->f)

void *x2gobroker_merge_dir_config(apr_pool_t *p, void *basev, void *addv)
{
    const x2gobroker_cfg *base = basev;
    const x2gobroker_cfg *add = addv;
    x2gobroker_cfg *m = apr_pcalloc(p, sizeof(*m));

    MERGE_PTR(location);
    MERGE_INT(check_credentials);
    MERGE_INT(require_password);
    MERGE_INT(require_cookie);
    MERGE_INT(use_static_cookie);
    MERGE_INT(auth_timeout);
    MERGE_INT(verify_ip);
    MERGE_PTR(my_cookie);
    MERGE_PTR(my_cookie_file);
    MERGE_INT(enable_plain);
    MERGE_INT(enable_json);
    MERGE_INT(enable_uccs);
    MERGE_PTR(uccs_url_base);
    MERGE_PTR(auth_mech);
    MERGE_PTR(user_db);
    MERGE_PTR(group_db);
    MERGE_INT(ignore_primary_groups);
    MERGE_INT(session_autologin);
    MERGE_PTR(authorized_keys);
    MERGE_PTR(sshproxy_authorized_keys);
    MERGE_PTR(agent_query_mode);
    MERGE_PTR(agent_hostkey_policy);
    MERGE_INT(portscan);
    MERGE_INT(use_load_checker);
    MERGE_INT(load_checker_intervals);
    MERGE_INT(inifile_enable);
    MERGE_PTR(profiles);
    MERGE_PTR(inifile_auth_mech);
    MERGE_PTR(inifile_user_db);
    MERGE_PTR(inifile_group_db);
    MERGE_INT(inifile_use_load_checker);
    MERGE_PTR(inifile_agent_query_mode);
    MERGE_PTR(inifile_agent_hostkey_policy);
    MERGE_INT(zeroconf_enable);
    MERGE_PTR(zeroconf_desktop_shell);
    MERGE_PTR(zeroconf_auth_mech);
    MERGE_PTR(zeroconf_user_db);
    MERGE_PTR(zeroconf_group_db);
    MERGE_INT(base_enable);
    MERGE_PTR(auth_providers);
    MERGE_INT(debug);
    MERGE_INT(max_body);
    MERGE_INT(portscan_timeout);
    MERGE_PTR(cookies);
    MERGE_PTR(ssh_keys);
    MERGE_PTR(daemon_user);
    MERGE_PTR(agent_cmd);
    MERGE_PTR(agent_key);
    MERGE_PTR(known_hosts);
    MERGE_INT(agent_timeout);
    MERGE_INT(server_retry);
    MERGE_INT(autologin_key_lifetime);
    MERGE_INT(shared_session_db);
    MERGE_INT(allow_login_override);
    MERGE_HASH(servers);
    return m;
}

int x2gobroker_cfg_flag(int value, int dflt)
{
    return value == XGB_UNSET ? dflt : value;
}

/* Reference precedence: a non-empty backend option beats the global
 * default, which beats the hard-coded one. */
const char *x2gobroker_cfg_pick(const char *first, const char *second,
                               const char *dflt)
{
    if (first && *first) {
        return first;
    }
    if (second && *second) {
        return second;
    }
    return dflt;
}

const char *x2gobroker_cfg_auth_mech(const x2gobroker_cfg *c,
                                     x2gobroker_backend_e b)
{
    const char *bm = b == XGB_BACKEND_INIFILE ? c->inifile_auth_mech
                   : b == XGB_BACKEND_ZEROCONF ? c->zeroconf_auth_mech
                   : NULL;

    return x2gobroker_cfg_pick(bm, c->auth_mech, "pam");
}

const char *x2gobroker_cfg_group_db(const x2gobroker_cfg *c,
                                    x2gobroker_backend_e b)
{
    const char *bm = b == XGB_BACKEND_INIFILE ? c->inifile_group_db
                   : b == XGB_BACKEND_ZEROCONF ? c->zeroconf_group_db
                   : NULL;

    return x2gobroker_cfg_pick(bm, c->group_db, "libnss");
}

const char *x2gobroker_cfg_agent_query_mode(const x2gobroker_cfg *c,
                                            x2gobroker_backend_e b)
{
    return x2gobroker_cfg_pick(b == XGB_BACKEND_INIFILE
                                   ? c->inifile_agent_query_mode : NULL,
                               c->agent_query_mode, "NONE");
}

const char *x2gobroker_cfg_hostkey_policy(const x2gobroker_cfg *c,
                                          x2gobroker_backend_e b)
{
    return x2gobroker_cfg_pick(b == XGB_BACKEND_INIFILE
                                   ? c->inifile_agent_hostkey_policy : NULL,
                               c->agent_hostkey_policy, "RejectPolicy");
}

const char *x2gobroker_cfg_daemon_user(const x2gobroker_cfg *c)
{
    return c->daemon_user ? c->daemon_user : XGB_DEFAULT_DAEMON_USER;
}

const char *x2gobroker_cfg_agent_cmd(const x2gobroker_cfg *c)
{
    return c->agent_cmd ? c->agent_cmd : XGB_DEFAULT_AGENT_CMD;
}

apr_interval_time_t x2gobroker_cfg_portscan_timeout(const x2gobroker_cfg *c)
{
    return c->portscan_timeout != XGB_UNSET ? c->portscan_timeout
                                            : XGB_DEFAULT_PORTSCAN_TIMEOUT;
}

/* ---- which configurations exist ----------------------------------- */

/* Sections of `secs` (ap_conf_vector_t *) holding our directives, and
 * the sections nested in any of them, seen through `base`. */
static int walk_sections(apr_pool_t *p, const apr_array_header_t *secs,
                         const x2gobroker_cfg *base,
                         x2gobroker_cfg_visit_fn *fn, void *baton)
{
    int i, n = 0;

    for (i = 0; secs && i < secs->nelts; i++) {
        ap_conf_vector_t *v = APR_ARRAY_IDX(secs, i, ap_conf_vector_t *);
        const x2gobroker_cfg *own = ap_get_module_config(v,
                                                         &x2gobroker_module);
        core_dir_config *core = ap_get_core_module_config(v);
        const x2gobroker_cfg *eff = base;

        /* httpd creates a module's per-directory config for a section
         * only when one of its directives appears there. */
        if (own) {
            eff = x2gobroker_merge_dir_config(p, (void *)base, (void *)own);
            fn(eff, baton);
            n++;
        }
        if (core) {
            n += walk_sections(p, core->sec_file, eff, fn, baton);
            n += walk_sections(p, core->sec_if, eff, fn, baton);
        }
    }
    return n;
}

int x2gobroker_walk_configs(apr_pool_t *p, server_rec *s,
                            x2gobroker_cfg_visit_fn *fn, void *baton)
{
    int total = 0;

    for (; s; s = s->next) {
        core_server_config *sconf = ap_get_core_module_config(
                                        s->module_config);
        core_dir_config *dconf = ap_get_core_module_config(s->lookup_defaults);
        const x2gobroker_cfg *dflt = ap_get_module_config(s->lookup_defaults,
                                                          &x2gobroker_module);
        const x2gobroker_cfg *fresh;
        int n;

        if (!dflt) {
            continue;
        }
        /* A virtual host's section arrays include the main server's, so
         * those are seen again here with this server's defaults: as they
         * apply to its requests. */
        n = walk_sections(p, sconf->sec_dir, dflt, fn, baton)
            + walk_sections(p, sconf->sec_url, dflt, fn, baton)
            + (dconf ? walk_sections(p, dconf->sec_file, dflt, fn, baton)
                       + walk_sections(p, dconf->sec_if, dflt, fn, baton)
                     : 0);
        /* No section of ours: if the server level holds our directives
         * (anything differing from a fresh config), SetHandler is
         * presumably set in a section of nothing else, inheriting them. */
        fresh = x2gobroker_create_dir_config(p, NULL);
        if (!n && memcmp(fresh, dflt, sizeof(*fresh))) {
            fn(dflt, baton);
            n = 1;
        }
        total += n;
    }
    return total;
}

/* On/Off as everywhere in httpd, and the reference's boolean spellings
 * (true/false, yes/no, 1/0), so values from x2gobroker.conf carry over
 * as they are. */
static const char *set_bool_slot(cmd_parms *cmd, void *cfg, const char *arg)
{
    int b;

    if (!xgb_ini_to_bool(arg, &b)) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not On or Off",
                            cmd->cmd->name, arg);
    }
    *(int *)((char *)cfg + (apr_size_t)cmd->info) = b;
    return NULL;
}

/* Strict whole-number parsing: "12abc", "", "-1" and overflow are errors,
 * not silently 12 / 0 as atoi would make them. */
static const char *set_int_slot(cmd_parms *cmd, void *cfg, const char *arg)
{
    char *end;
    apr_int64_t v;

    if (!apr_isdigit(*arg)) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a whole number "
                            "of seconds", cmd->cmd->name, arg);
    }
    v = apr_strtoi64(arg, &end, 10);
    if (*end || v > 100000000) {
        return apr_psprintf(cmd->pool, "%s: invalid value '%s'",
                            cmd->cmd->name, arg);
    }
    *(int *)((char *)cfg + (apr_size_t)cmd->info) = (int)v;
    return NULL;
}

static const char *set_max_body(cmd_parms *cmd, void *cfg, const char *arg)
{
    x2gobroker_cfg *c = cfg;
    char *end;
    apr_int64_t v;

    v = apr_isdigit(*arg) ? apr_strtoi64(arg, &end, 10) : -1;
    if (v < 1 || *end || v > 64 * 1024 * 1024) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a size in bytes "
                            "between 1 and 67108864", cmd->cmd->name, arg);
    }
    c->max_body = v;
    return NULL;
}

/* A time with httpd's units ("2", "500ms"), bounded by the table
 * entry's limits so a typo cannot make every request wait for minutes. */
typedef struct {
    apr_size_t offset;
    apr_interval_time_t min;
    apr_interval_time_t max;
    const char *range;
} time_slot;

static const char *set_time_slot(cmd_parms *cmd, void *cfg, const char *arg)
{
    const time_slot *ts = cmd->info;
    apr_interval_time_t t;

    if (ap_timeout_parameter_parse(arg, &t, "s") != APR_SUCCESS
        || t < ts->min || t > ts->max) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a time between "
                            "%s (e.g. 2, 500ms)", cmd->cmd->name, arg,
                            ts->range);
    }
    *(apr_interval_time_t *)((char *)cfg + ts->offset) = t;
    return NULL;
}

#define TIME_SLOT(f, lo, hi, text) \
    (&(const time_slot){ APR_OFFSETOF(x2gobroker_cfg, f), lo, hi, text })

/* A string from a fixed set (cmd->info).  The canonical spelling from the
 * set is stored, so later comparisons can be exact. */
typedef struct {
    apr_size_t offset;
    int nocase;
    const char *const *words;
} enum_slot;

static const char *set_enum_slot(cmd_parms *cmd, void *cfg, const char *arg)
{
    const enum_slot *e = cmd->info;
    const char *const *w;
    const char *choices = "";

    for (w = e->words; *w; w++) {
        if (e->nocase ? !strcasecmp(*w, arg) : !strcmp(*w, arg)) {
            *(const char **)((char *)cfg + e->offset) = *w;
            return NULL;
        }
        choices = apr_pstrcat(cmd->temp_pool, choices, " ", *w, NULL);
    }
    return apr_psprintf(cmd->pool, "%s: unknown value '%s' (one of:%s)",
                        cmd->cmd->name, arg, choices);
}

static const char *const auth_mechs[] = { "pam", "none", "testsuite", NULL };
static const char *const name_dbs[] = { "libnss", "testsuite", "base",
                                        NULL };
static const char *const query_modes[] = { "NONE", "LOCAL", "SSH", NULL };
static const char *const hostkey_policies[] = { "RejectPolicy",
                                                "AutoAddPolicy",
                                                "WarningPolicy", NULL };

#define ENUM(field, words, nocase) \
    (&(const enum_slot){ APR_OFFSETOF(x2gobroker_cfg, field), nocase, words })

/* The reference lower-cases auth mechanisms and compares query modes
 * upper-case, so both accept any case; db names and host key policies are
 * compared exactly there. */
#define AUTH_MECH(f) ENUM(f, auth_mechs, 1)
#define NAME_DB(f) ENUM(f, name_dbs, 0)
#define QUERY_MODE(f) ENUM(f, query_modes, 1)
#define HOSTKEY_POLICY(f) ENUM(f, hostkey_policies, 0)

/* Relative paths are relative to ServerRoot, as everywhere in httpd. */
static const char *server_path(cmd_parms *cmd, const char *arg,
                               const char **path)
{
    *path = ap_server_root_relative(cmd->pool, arg);
    if (!*path) {
        return apr_psprintf(cmd->pool, "%s: invalid path '%s'",
                            cmd->cmd->name, arg);
    }
    return NULL;
}

static const char *set_profiles(cmd_parms *cmd, void *cfg, const char *arg)
{
    x2gobroker_cfg *c = cfg;
    const char *path;
    const char *err = server_path(cmd, arg, &path);

    if (!err) {
        c->profiles = x2gobroker_profiles_register(cmd->pool, path, 1);
    }
    return err;
}

static const char *set_path_slot(cmd_parms *cmd, void *cfg, const char *arg)
{
    return server_path(cmd, arg,
                       (const char **)((char *)cfg
                                       + (apr_size_t)cmd->info));
}

static const char *add_ssh_key_file(cmd_parms *cmd, void *cfg,
                                    const char *arg)
{
    x2gobroker_cfg *c = cfg;
    const char *path;
    const char *err = server_path(cmd, arg, &path);

    return err ? err : x2gobroker_pubkeys_add_file(cmd, c, path);
}

static const char *set_daemon_user(cmd_parms *cmd, void *cfg,
                                   const char *arg)
{
    x2gobroker_cfg *c = cfg;

    c->daemon_user = arg;
    /* its default keys are read at start-up, while we are root */
    x2gobroker_pubkeys_note_user(cmd, arg);
    return NULL;
}

static const char *set_cookie_store(cmd_parms *cmd, void *cfg,
                                    const char *arg)
{
    x2gobroker_cfg *c = cfg;

    return x2gobroker_cookies_register(cmd, arg, &c->cookies);
}

static const char *add_auth_provider(cmd_parms *cmd, void *cfg,
                                     const char *arg)
{
    return x2gobroker_auth_add_provider(cmd, cfg, arg);
}

/* X2GoBrokerServer <name> [weight=<0..1000>] [drain]: the operator's say
 * on one X2Go server, by the name profiles' host= give it or its
 * address. */
static const char *set_server(cmd_parms *cmd, void *cfg, int argc,
                              char *const argv[])
{
    x2gobroker_cfg *c = cfg;
    xgb_server_pref_t *pf;
    int i;

    if (argc < 1 || !*argv[0]) {
        return apr_psprintf(cmd->pool, "%s needs a server name",
                            cmd->cmd->name);
    }
    pf = apr_pcalloc(cmd->pool, sizeof(*pf));
    pf->weight = XGB_DEFAULT_WEIGHT;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        char *end;
        long w;

        if (!strcmp(a, "drain")) {
            pf->drain = 1;
            continue;
        }
        if (strncmp(a, "weight=", 7)) {
            return apr_psprintf(cmd->pool, "%s %s: unknown argument '%s' "
                                "(weight=<0..%d> or drain)", cmd->cmd->name,
                                argv[0], a, XGB_MAX_WEIGHT);
        }
        w = strtol(a + 7, &end, 10);
        if (!apr_isdigit(a[7]) || *end || w > XGB_MAX_WEIGHT) {
            return apr_psprintf(cmd->pool, "%s %s: weight must be a whole "
                                "number from 0 to %d, not '%s'",
                                cmd->cmd->name, argv[0], XGB_MAX_WEIGHT,
                                a + 7);
        }
        pf->weight = (int)w;
    }
    if (!c->servers) {
        c->servers = apr_hash_make(cmd->pool);
    }
    if (apr_hash_get(c->servers, argv[0], APR_HASH_KEY_STRING)) {
        return apr_psprintf(cmd->pool, "%s %s is given twice here",
                            cmd->cmd->name, argv[0]);
    }
    apr_hash_set(c->servers, argv[0], APR_HASH_KEY_STRING, pf);
    return NULL;
}

/* The reference's optional Python scripts cannot exist here; say so
 * rather than silently skipping what an admin relies on. */
static const char *refuse_scripts(cmd_parms *cmd, void *cfg,
                                  const char *arg)
{
    if (!*arg) {
        return NULL;
    }
    return apr_psprintf(cmd->pool, "%s: '%s': the reference's optional "
                        "Python scripts are not supported by "
                        "mod_x2gobroker", cmd->cmd->name, arg);
}

/* cookie-directory has no meaning with a shared-memory or SQL store; it
 * is accepted so that converted configurations load. */
static const char *note_cookie_dir(cmd_parms *cmd, void *cfg,
                                   const char *arg)
{
    ap_log_error(APLOG_MARK, APLOG_WARNING, 0, cmd->server,
                 XGB_LOGNO(00001) "%s %s has no effect: AUTHID cookies are "
                 "kept in the X2GoBrokerCookieStore", cmd->cmd->name, arg);
    return NULL;
}

#define OFF(f) (void *)APR_OFFSETOF(x2gobroker_cfg, f)
#define CTX (RSRC_CONF | ACCESS_CONF)
#define FLAG(name, f, help) \
    AP_INIT_TAKE1(name, set_bool_slot, OFF(f), CTX, help)
#define STR(name, f, help) \
    AP_INIT_TAKE1(name, ap_set_string_slot, OFF(f), CTX, help)
#define INT(name, f, help) \
    AP_INIT_TAKE1(name, set_int_slot, OFF(f), CTX, help)
#define CHOICE(name, e, help) \
    AP_INIT_TAKE1(name, set_enum_slot, (void *)e, CTX, help)

const command_rec x2gobroker_cmds[] = {
    /* [global] */
    FLAG("X2GoBrokerCheckCredentials", check_credentials,
         "Off disables password and cookie checks (default On)"),
    FLAG("X2GoBrokerRequirePassword", require_password,
         "Authenticate user and password (default On)"),
    FLAG("X2GoBrokerRequireCookie", require_cookie,
         "First request must present the pre-shared cookie (default Off)"),
    FLAG("X2GoBrokerUseStaticCookie", use_static_cookie,
         "Keep the AUTHID instead of rotating it (default Off)"),
    INT("X2GoBrokerAuthTimeout", auth_timeout,
        "Seconds after the password login that cookies stay valid "
        "(default 36000)"),
    AP_INIT_TAKE1("X2GoBrokerCookieDirectory", note_cookie_dir, NULL, CTX,
                  "Accepted for compatibility; see X2GoBrokerCookieStore"),
    FLAG("X2GoBrokerVerifyIp", verify_ip,
         "Cookies only valid from the address of the login (default On)"),
    AP_INIT_RAW_ARGS("X2GoBrokerPreAuthScripts", refuse_scripts, NULL, CTX,
                     "Not supported"),
    AP_INIT_RAW_ARGS("X2GoBrokerPostAuthScripts", refuse_scripts, NULL, CTX,
                     "Not supported"),
    AP_INIT_RAW_ARGS("X2GoBrokerSelectSessionScripts", refuse_scripts, NULL,
                     CTX, "Not supported"),
    STR("X2GoBrokerMyCookie", my_cookie,
        "Pre-shared cookie (X2GoBrokerMyCookieFile wins)"),
    AP_INIT_TAKE1("X2GoBrokerMyCookieFile", set_path_slot,
                  OFF(my_cookie_file), CTX,
                  "File holding the pre-shared cookie (default "
                  XGB_DEFAULT_MY_COOKIE_FILE ")"),
    FLAG("X2GoBrokerEnablePlainOutput", enable_plain,
         "Serve plain/ (default On)"),
    FLAG("X2GoBrokerEnableJsonOutput", enable_json,
         "Serve json/ (default On)"),
    FLAG("X2GoBrokerEnableUccsOutput", enable_uccs,
         "Serve uccs/ (default Off)"),
    STR("X2GoBrokerMyUccsUrlBase", uccs_url_base,
        "Base URL in UCCS answers (default http://localhost:8080/)"),
    CHOICE("X2GoBrokerDefaultAuthMech", AUTH_MECH(auth_mech),
           "pam, none or testsuite (default pam)"),
    CHOICE("X2GoBrokerDefaultUserDb", NAME_DB(user_db),
           "libnss, testsuite or base (default libnss)"),
    CHOICE("X2GoBrokerDefaultGroupDb", NAME_DB(group_db),
           "libnss, testsuite or base (default libnss)"),
    FLAG("X2GoBrokerIgnorePrimaryGroupMemberships", ignore_primary_groups,
         "Primary groups do not count for group ACLs (default On)"),
    FLAG("X2GoBrokerDefaultSessionAutologin", session_autologin,
         "Temporary-key autologin for all profiles (default Off)"),
    STR("X2GoBrokerDefaultAuthorizedKeys", authorized_keys,
        "authorized_keys template on X2Go servers (default "
        XGB_DEFAULT_AUTHORIZED_KEYS ")"),
    STR("X2GoBrokerDefaultSshproxyAuthorizedKeys", sshproxy_authorized_keys,
        "authorized_keys template on SSH proxies (default "
        XGB_DEFAULT_AUTHORIZED_KEYS ")"),
    AP_INIT_TAKE1("X2GoBrokerDefaultAgentQueryMode", set_enum_slot,
                  (void *)QUERY_MODE(agent_query_mode), CTX,
                  "NONE, LOCAL or SSH (default NONE)"),
    CHOICE("X2GoBrokerDefaultAgentHostkeyPolicy",
           HOSTKEY_POLICY(agent_hostkey_policy),
           "RejectPolicy, AutoAddPolicy or WarningPolicy "
           "(default RejectPolicy)"),
    FLAG("X2GoBrokerDefaultPortscanX2goservers", portscan,
         "Probe a server's SSH port before offering it (default On)"),
    FLAG("X2GoBrokerDefaultUseLoadChecker", use_load_checker,
         "Use the load checker (default Off)"),
    INT("X2GoBrokerLoadCheckerIntervals", load_checker_intervals,
        "Seconds per load-checker cycle (default 300)"),

    /* [broker_inifile] */
    FLAG("X2GoBrokerInifileEnable", inifile_enable,
         "Serve the inifile backend (default On)"),
    AP_INIT_TAKE1("X2GoBrokerSessionProfiles", set_profiles, NULL, CTX,
                  "Session profile file (default " XGB_DEFAULT_PROFILES ")"),
    AP_INIT_TAKE1("X2GoBrokerInifileSessionProfiles", set_profiles, NULL,
                  CTX, "Same as X2GoBrokerSessionProfiles"),
    CHOICE("X2GoBrokerInifileAuthMech", AUTH_MECH(inifile_auth_mech),
           "Auth mechanism of the inifile backend"),
    CHOICE("X2GoBrokerInifileUserDb", NAME_DB(inifile_user_db),
           "User database of the inifile backend"),
    CHOICE("X2GoBrokerInifileGroupDb", NAME_DB(inifile_group_db),
           "Group database of the inifile backend"),
    FLAG("X2GoBrokerInifileUseLoadChecker", inifile_use_load_checker,
         "Load checker for the inifile backend (default On)"),
    AP_INIT_TAKE1("X2GoBrokerInifileAgentQueryMode", set_enum_slot,
                  (void *)QUERY_MODE(inifile_agent_query_mode), CTX,
                  "Agent query mode of the inifile backend"),
    CHOICE("X2GoBrokerInifileAgentHostkeyPolicy",
           HOSTKEY_POLICY(inifile_agent_hostkey_policy),
           "Host key policy of the inifile backend"),

    /* [broker_zeroconf], [broker_base] */
    FLAG("X2GoBrokerZeroconfEnable", zeroconf_enable,
         "Serve the zeroconf demo backend (default Off)"),
    STR("X2GoBrokerZeroconfDesktopShell", zeroconf_desktop_shell,
        "Desktop of the zeroconf profile (default KDE)"),
    CHOICE("X2GoBrokerZeroconfAuthMech", AUTH_MECH(zeroconf_auth_mech),
           "Auth mechanism of the zeroconf backend"),
    CHOICE("X2GoBrokerZeroconfUserDb", NAME_DB(zeroconf_user_db),
           "User database of the zeroconf backend"),
    CHOICE("X2GoBrokerZeroconfGroupDb", NAME_DB(zeroconf_group_db),
           "Group database of the zeroconf backend"),
    FLAG("X2GoBrokerBaseEnable", base_enable,
         "Serve the empty base backend (default Off)"),

    /* module-only */
    AP_INIT_ITERATE("X2GoBrokerAuthProvider", add_auth_provider, NULL, CTX,
                    "Apache authn providers to check passwords with, tried "
                    "in order (like AuthBasicProvider)"),
    FLAG("X2GoBrokerDebug", debug,
         "Also accept GET on plain/, json/ and uccs/ (default Off)"),
    AP_INIT_TAKE1("X2GoBrokerMaxBodySize", set_max_body, NULL, CTX,
                  "Largest request body in bytes (default 65536)"),
    AP_INIT_TAKE1("X2GoBrokerPortscanTimeout", set_time_slot,
                  (void *)TIME_SLOT(portscan_timeout, 1000,
                                    apr_time_from_sec(60), "1ms and 60s"),
                  CTX, "Bound of one SSH port probe (default 2s)"),
    AP_INIT_TAKE1("X2GoBrokerAgentTimeout", set_time_slot,
                  (void *)TIME_SLOT(agent_timeout, 1000,
                                    apr_time_from_sec(60), "1ms and 60s"),
                  CTX, "Bound of connecting to an agent, and of the agent "
                  "commands of one request (default 5s)"),
    AP_INIT_TAKE1("X2GoBrokerServerRetry", set_time_slot,
                  (void *)TIME_SLOT(server_retry, apr_time_from_sec(1),
                                    apr_time_from_sec(3600), "1s and 1h"),
                  CTX, "How long every child skips a server whose agent "
                  "failed (default 30s)"),
    FLAG("X2GoBrokerAllowLoginOverride", allow_login_override,
         "Let selectsession's login field name another account than the "
         "authenticated user, as upstream does (default Off: 403)"),
    AP_INIT_TAKE_ARGV("X2GoBrokerServer", set_server, NULL, CTX,
                      "<name> [weight=<0..1000>] [drain]: an X2Go server's "
                      "share of new sessions (default weight 100; 0 or "
                      "drain: none, resume still goes there)"),
    FLAG("X2GoBrokerSharedSessionDB", shared_session_db,
         "The X2Go servers share one session DB (PostgreSQL): one "
         "answering agent suffices (default Off: ask every server)"),
    AP_INIT_TAKE1("X2GoBrokerSSHKnownHostsFile", set_path_slot,
                  OFF(known_hosts), CTX,
                  "known_hosts of the X2Go servers' host keys (default "
                  XGB_DEFAULT_KNOWN_HOSTS ")"),
    INT("X2GoBrokerAutologinKeyLifetime", autologin_key_lifetime,
        "Seconds until a delivered autologin key is removed (default 20)"),
    AP_INIT_TAKE1("X2GoBrokerCookieStore", set_cookie_store, NULL, CTX,
                  "shmcb (default), another socache provider[:args], or "
                  "dbd for PostgreSQL via mod_dbd; needs a restart"),
    AP_INIT_TAKE1("X2GoBrokerSSHKeyFile", add_ssh_key_file, NULL, CTX,
                  "Broker private key whose public half pubkeys/ serves "
                  "(repeatable; read at start-up, a restart rereads it)"),
    AP_INIT_TAKE1("X2GoBrokerDaemonUser", set_daemon_user, NULL, CTX,
                  "Broker account named in pubkeys/ lines, whose "
                  "~/.ssh/id_* are the default keys (default "
                  XGB_DEFAULT_DAEMON_USER "; read at start-up)"),
    AP_INIT_TAKE1("X2GoBrokerAgentCmd", set_path_slot, OFF(agent_cmd), CTX,
                  "Agent program: run by mode LOCAL, named in SSH "
                  "commands and pubkeys/ forced commands (default "
                  XGB_DEFAULT_AGENT_CMD ")"),
    { NULL }
};
