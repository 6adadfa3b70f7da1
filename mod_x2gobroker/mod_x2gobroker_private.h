/*
 * mod_x2gobroker_private.h - what the glue files of mod_x2gobroker share.
 *
 * The glue is thin: it turns directives into settings, requests into core
 * calls and core results into responses.  Everything that can be decided
 * without httpd lives in core/ (libxgbcore).
 */
#ifndef MOD_X2GOBROKER_PRIVATE_H
#define MOD_X2GOBROKER_PRIVATE_H

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "ap_socache.h"

#include "xgb_cookie.h"
#include "xgb_log.h"
#include "xgb_profile.h"

APLOG_USE_MODULE(x2gobroker);

/* Our own message tags: "XGB" plus five digits, never reused. */
#define XGB_LOGNO(n) "XGB" #n ": "

#define XGB_UNSET (-1)

/* Defaults several glue files need (the reference's paths). */
#define XGB_DEFAULT_PROFILES \
    "/etc/x2go/broker/x2gobroker-sessionprofiles.conf"
#define XGB_DEFAULT_MY_COOKIE_FILE "/etc/x2go/broker/x2gobroker.authid"
#define XGB_DEFAULT_DAEMON_USER "x2gobroker"
#define XGB_DEFAULT_AGENT_CMD "/usr/lib/x2go/x2gobroker-agent"

/* One session-profile file, shared by every <Location> naming the same
 * path.  Lives in pconf; the loaded profiles are reloaded per child when
 * the file changes (mod_x2gobroker_profiles.c). */
typedef struct x2gobroker_profile_src x2gobroker_profile_src;

/* One cookie store, shared by every <Location> naming the same spec. */
typedef struct x2gobroker_cookie_src x2gobroker_cookie_src;

/* Per-directory (and, through the server's defaults, per-server)
 * settings.  Ints are XGB_UNSET and pointers NULL until a directive sets
 * them; x2gobroker_cfg_* accessors apply the defaults. */
typedef struct {
    const char *location;       /* <Location> path the routes hang off */

    /* [global] of x2gobroker.conf */
    int check_credentials;
    int require_password;
    int require_cookie;
    int use_static_cookie;
    int auth_timeout;
    int verify_ip;
    const char *my_cookie;
    const char *my_cookie_file;
    int enable_plain;
    int enable_json;
    int enable_uccs;
    const char *uccs_url_base;
    const char *auth_mech;
    const char *user_db;
    const char *group_db;
    int ignore_primary_groups;
    int session_autologin;
    const char *authorized_keys;
    const char *sshproxy_authorized_keys;
    const char *agent_query_mode;
    const char *agent_hostkey_policy;
    int portscan;
    int use_load_checker;
    int load_checker_intervals;

    /* [broker_inifile], [broker_zeroconf], [broker_base] */
    int inifile_enable;
    x2gobroker_profile_src *profiles;
    const char *inifile_auth_mech;
    const char *inifile_user_db;
    const char *inifile_group_db;
    int inifile_use_load_checker;
    const char *inifile_agent_query_mode;
    const char *inifile_agent_hostkey_policy;
    int zeroconf_enable;
    const char *zeroconf_desktop_shell;
    const char *zeroconf_auth_mech;
    const char *zeroconf_user_db;
    const char *zeroconf_group_db;
    int base_enable;

    /* module-only */
    apr_array_header_t *auth_providers;  /* const authn_provider_list * */
    int debug;
    apr_off_t max_body;
    apr_interval_time_t portscan_timeout;
    x2gobroker_cookie_src *cookies;
    /* "<type> <base64>" of each X2GoBrokerSSHKeyFile, read when the
     * directive is parsed (as root): children need no access to keys */
    apr_array_header_t *ssh_keys;        /* const char * */
    const char *daemon_user;
    const char *agent_cmd;
} x2gobroker_cfg;

/* The backend a request names (spec 1.2); only these exist. */
typedef enum {
    XGB_BACKEND_INIFILE,
    XGB_BACKEND_ZEROCONF,
    XGB_BACKEND_BASE
} x2gobroker_backend_e;

extern module AP_MODULE_DECLARE_DATA x2gobroker_module;

/* This host's name in pubkeys/ lines (spec 0), set at post_config. */
extern const char *x2gobroker_fqdn;

/* mod_x2gobroker_config.c */
extern const command_rec x2gobroker_cmds[];
void *x2gobroker_create_dir_config(apr_pool_t *p, char *dir);
void *x2gobroker_merge_dir_config(apr_pool_t *p, void *basev, void *addv);
int x2gobroker_cfg_flag(int value, int dflt);
const char *x2gobroker_cfg_auth_mech(const x2gobroker_cfg *c,
                                     x2gobroker_backend_e b);
const char *x2gobroker_cfg_group_db(const x2gobroker_cfg *c,
                                    x2gobroker_backend_e b);

/* mod_x2gobroker_profiles.c */
x2gobroker_profile_src *x2gobroker_profiles_register(apr_pool_t *p,
                                                     const char *path,
                                                     int required);
/* The profile file a configuration uses: its own or the default. */
x2gobroker_profile_src *x2gobroker_profiles_of(const x2gobroker_cfg *c);
int x2gobroker_profiles_post_config(apr_pool_t *pconf, server_rec *s);
void x2gobroker_profiles_child_init(apr_pool_t *pchild, server_rec *s);
/* The current profiles of src, held until r->pool is cleaned up. */
const xgb_profiles_t *x2gobroker_profiles_get(request_rec *r,
                                              x2gobroker_profile_src *src);

/* mod_x2gobroker_cookies.c */
const char *x2gobroker_cookies_register(cmd_parms *cmd, const char *spec,
                                        x2gobroker_cookie_src **out);
x2gobroker_cookie_src *x2gobroker_cookies_default(void);
int x2gobroker_cookies_pre_config(apr_pool_t *pconf);
int x2gobroker_cookies_post_config(apr_pool_t *pconf, apr_pool_t *ptemp,
                                   server_rec *s);
void x2gobroker_cookies_child_init(apr_pool_t *pchild, server_rec *s);
/* A store bound to this request (dbd handles are per request). */
xgb_cookie_store_t *x2gobroker_cookies_store(request_rec *r,
                                             x2gobroker_cookie_src *src);

/* mod_x2gobroker_auth.c */
typedef struct {
    request_rec *r;
    const x2gobroker_cfg *cfg;
    x2gobroker_backend_e backend;
} x2gobroker_auth_baton;

const char *x2gobroker_auth_add_provider(cmd_parms *cmd, x2gobroker_cfg *c,
                                         const char *name);
/* Password check for `user` with the configured providers or mechanism;
 * usable as xgb_auth_fn with an x2gobroker_auth_baton. */
int x2gobroker_auth_check(void *baton, const char *user,
                          const char *password);

/* mod_x2gobroker_handler.c: routing, plain/ and json/, and what the
 * other endpoints share. */
int x2gobroker_handler(request_rec *r);
int x2gobroker_send_body(request_rec *r, int status, const char *type,
                         const char *body, apr_size_t len);
/* The reference's error page for `status` (Tornado's default page). */
int x2gobroker_send_error(request_rec *r, int status);
/* 200 with the reference's headers (Expires: +1h). */
int x2gobroker_send_answer(request_rec *r, const char *type,
                           const char *body);
/* Is the method allowed: POST (and GET in debug mode) when post is set,
 * else GET only.  Sets r->allowed. */
int x2gobroker_method_ok(request_rec *r, const x2gobroker_cfg *c, int post);
int x2gobroker_parse_backend(const char *rest, x2gobroker_backend_e *b);
int x2gobroker_backend_enabled(const x2gobroker_cfg *c,
                               x2gobroker_backend_e b);
void x2gobroker_cookie_conf(const x2gobroker_cfg *c, apr_pool_t *p,
                            xgb_cookie_conf_t *cc);
/* The profiles of `ps` (NULL: none) that `user` at `ip` may see, in file
 * order (const xgb_profile_t *): their ACLs, the backend's group db. */
apr_array_header_t *x2gobroker_visible_profiles(request_rec *r,
                                                const x2gobroker_cfg *c,
                                                x2gobroker_backend_e b,
                                                const xgb_profiles_t *ps,
                                                const char *user,
                                                const char *ip);

/* mod_x2gobroker_uccs.c; rest is the path after "uccs/". */
int x2gobroker_uccs_handler(request_rec *r, const x2gobroker_cfg *c,
                            const char *rest);

/* mod_x2gobroker_pubkeys.c */
int x2gobroker_pubkeys_handler(request_rec *r, const x2gobroker_cfg *c);
const char *x2gobroker_pubkeys_add_file(cmd_parms *cmd,
                                        apr_array_header_t **keys,
                                        const char *path);
void x2gobroker_pubkeys_note_user(cmd_parms *cmd, const char *user);
void x2gobroker_pubkeys_pre_config(apr_pool_t *pconf);
void x2gobroker_pubkeys_post_config(apr_pool_t *pconf, server_rec *s);

#endif
