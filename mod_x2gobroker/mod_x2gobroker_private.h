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
#include "ap_slotmem.h"

#include "xgb_agentcmd.h"
#include "xgb_cookie.h"
#include "xgb_sshclient.h"
#include "xgb_log.h"
#include "xgb_profile.h"
#include "xgb_select.h"

APLOG_USE_MODULE(x2gobroker);

/* Our own message tags: "XGB" plus five digits, never reused. */
#define XGB_LOGNO(n) "XGB" #n ": "

#define XGB_UNSET (-1)

/* Longest user name accepted, in bytes (UTF-8), from the form or from
 * Apache's authentication.  Broker users are login names on the X2Go
 * servers: Linux caps those at LOGIN_NAME_MAX - 1 = 255 bytes (useradd
 * at 32), and directory names (LDAP uid, AD userPrincipalName) fit in
 * the same.  A longer name cannot log in anywhere, so it is refused as
 * bad input (400) before any authentication; it also keeps cookie
 * records well below the socache record size. */
#define XGB_MAX_USER_LEN 255

/* Defaults several glue files need (the reference's paths). */
#define XGB_DEFAULT_PROFILES \
    "/etc/x2go/broker/x2gobroker-sessionprofiles.conf"
#define XGB_DEFAULT_MY_COOKIE_FILE "/etc/x2go/broker/x2gobroker.authid"
#define XGB_DEFAULT_DAEMON_USER "x2gobroker"
#define XGB_DEFAULT_AGENT_CMD XGB_AGENT_PATH
#define XGB_DEFAULT_KNOWN_HOSTS "/var/lib/x2gobroker/.ssh/known_hosts"
/* Upstream's Perl agent needs about 2 s for the three commands of one
 * selectsession on a loaded server: 2 s left no room. */
#define XGB_DEFAULT_AGENT_TIMEOUT apr_time_from_sec(5)
#define XGB_DEFAULT_PORTSCAN_TIMEOUT apr_time_from_sec(2)
#define XGB_DEFAULT_SERVER_RETRY apr_time_from_sec(30)
#define XGB_DEFAULT_AUTOLOGIN_KEY_LIFETIME 20
#define XGB_DEFAULT_AUTHORIZED_KEYS "%h/.x2go/authorized_keys"

/* A private key file read at start-up, as root. */
typedef struct x2gobroker_privkey {
    const char *path;
    const char *data;
    apr_size_t len;
} x2gobroker_privkey;

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
    /* the first X2GoBrokerSSHKeyFile's content: the agent client's key */
    const struct x2gobroker_privkey *agent_key;
    const char *known_hosts;
    apr_interval_time_t agent_timeout;
    apr_interval_time_t server_retry;
    int autologin_key_lifetime;
    int shared_session_db;
    int allow_login_override;
    /* X2GoBrokerServer: host name or address -> xgb_server_pref_t * */
    apr_hash_t *servers;
} x2gobroker_cfg;

/* The backend a request names (spec 1.2); only these exist. */
typedef enum {
    XGB_BACKEND_INIFILE,
    XGB_BACKEND_ZEROCONF,
    XGB_BACKEND_BASE
} x2gobroker_backend_e;

extern module AP_MODULE_DECLARE_DATA x2gobroker_module;

/* mod_x2gobroker.c: the core's log lines of this thread go with r. */
void x2gobroker_log_request(request_rec *r);

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
/* The first of first and second that is set and not empty, else dflt:
 * the reference's precedence (profile > backend > global > built-in). */
const char *x2gobroker_cfg_pick(const char *first, const char *second,
                                const char *dflt);
/* Backend option > global default > NONE / RejectPolicy (spec 4.2). */
const char *x2gobroker_cfg_agent_query_mode(const x2gobroker_cfg *c,
                                            x2gobroker_backend_e b);
const char *x2gobroker_cfg_hostkey_policy(const x2gobroker_cfg *c,
                                          x2gobroker_backend_e b);
const char *x2gobroker_cfg_daemon_user(const x2gobroker_cfg *c);
const char *x2gobroker_cfg_agent_cmd(const x2gobroker_cfg *c);
/* The bound of one TCP probe of a server's SSH port. */
apr_interval_time_t x2gobroker_cfg_portscan_timeout(const x2gobroker_cfg *c);
/* Visit every configuration the module is set up in, to find out at
 * start-up which resources (default cookie store, profile files) are
 * used.  A configuration is a section (<Location>, <Directory>, <Files>,
 * <If>, ... of any server, nested ones too) holding at least one
 * X2GoBroker directive, seen with its effective settings: merged with
 * the server's defaults and the enclosing sections.  A server with no
 * such section but X2GoBroker directives at server level counts as one
 * configuration itself.  A section with SetHandler x2gobroker and no
 * directive of ours is invisible (httpd keeps no per-module trace of
 * it); it serves broker routes only as <Location /> or at server level,
 * so the users of resources that go unseen are rare, and are served
 * anyway (profiles loaded at first use; a missing default cookie store
 * is a 500 naming the fix).  Returns the number of configurations
 * visited. */
typedef void x2gobroker_cfg_visit_fn(const x2gobroker_cfg *c, void *baton);
int x2gobroker_walk_configs(apr_pool_t *p, server_rec *s,
                            x2gobroker_cfg_visit_fn *fn, void *baton);

/* mod_x2gobroker_profiles.c */
x2gobroker_profile_src *x2gobroker_profiles_register(apr_pool_t *p,
                                                     const char *path,
                                                     int required);
/* The profile file a configuration uses: its own or the default. */
x2gobroker_profile_src *x2gobroker_profiles_of(const x2gobroker_cfg *c);
/* Load the files (both start-up passes); their shared memory only when
 * `real` (not in the dry run). */
int x2gobroker_profiles_post_config(apr_pool_t *pconf, server_rec *s,
                                    int real);
void x2gobroker_profiles_child_init(apr_pool_t *pchild, server_rec *s);
/* The current profiles of src, held until r->pool is cleaned up. */
const xgb_profiles_t *x2gobroker_profiles_get(request_rec *r,
                                              x2gobroker_profile_src *src);

/* mod_x2gobroker_cookies.c */
const char *x2gobroker_cookies_register(cmd_parms *cmd, const char *spec,
                                        x2gobroker_cookie_src **out);
x2gobroker_cookie_src *x2gobroker_cookies_default(void);
int x2gobroker_cookies_post_config(apr_pool_t *pconf, apr_pool_t *ptemp,
                                   server_rec *s);
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
 * usable as xgb_auth_fn with an x2gobroker_auth_baton.  A provider's
 * AUTH_GENERAL_ERROR is XGB_AUTH_UNAVAILABLE (logged here with the
 * provider's name), which the frontends answer with 503. */
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

/* Log with the request's context when there is a request (r may be
 * NULL in the watchdog), else with the server's. */
#define X2GOBROKER_LOG(r, s, level, status, ...)                          \
    do {                                                                  \
        if (r) {                                                          \
            ap_log_rerror(APLOG_MARK, level, status, r, __VA_ARGS__);     \
        }                                                                 \
        else {                                                            \
            ap_log_error(APLOG_MARK, level, status, s, __VA_ARGS__);      \
        }                                                                 \
    } while (0)

/* mod_x2gobroker_shm.c: fixed-size tables shared by the children. */
int x2gobroker_shm_pre_config(apr_pool_t *pconf);
/* The mutex (always) and the slotmem provider (if loaded); before any
 * table is made. */
int x2gobroker_shm_post_config(apr_pool_t *pconf, server_rec *s);
/* Create (or, after a graceful restart, find again) table `name` of
 * `items` records; DECLINED if mod_slotmem_shm is not loaded. */
int x2gobroker_shm_table(apr_pool_t *pconf, server_rec *s, const char *name,
                         apr_size_t item_size, unsigned int items,
                         ap_slotmem_instance_t **table);
void x2gobroker_shm_child_init(apr_pool_t *pchild, server_rec *s);
/* Lock all tables; the records of `table` as an array, NULL if the table
 * is not there or the lock failed (then nothing is locked). */
void *x2gobroker_shm_lock(ap_slotmem_instance_t *table, server_rec *s,
                          request_rec *r);
/* Lock all tables without looking at one; 0 if that failed. */
int x2gobroker_shm_lock_all(server_rec *s, request_rec *r);
void x2gobroker_shm_unlock(void);

/* mod_x2gobroker_servers.c: the shared server table. */
void x2gobroker_servers_pre_config(void);
/* `needed`: some configuration uses agents, so the table must exist. */
int x2gobroker_servers_post_config(apr_pool_t *pconf, server_rec *s,
                                   int needed);
/* A server's name in the table and the SSH pools: "address:port",
 * "[v6 address]:port". */
const char *x2gobroker_server_key(apr_pool_t *p, const char *addr, int port);
/* Should server `key` ("address:port") be skipped now?  *why (in p):
 * the failure that made it so. */
int x2gobroker_server_skipped(server_rec *s, request_rec *r, apr_pool_t *p,
                              const char *key, apr_time_t now,
                              const char **why);
/* The agent on `key` answered (ok) or the server could not be reached or
 * trusted: then every child skips it for `retry`. */
void x2gobroker_server_report(server_rec *s, request_rec *r, const char *key,
                              int ok, const char *error,
                              apr_interval_time_t retry);
void x2gobroker_server_figures(server_rec *s, request_rec *r,
                               const char *key, int sessions,
                               long load_factor);

/* mod_x2gobroker_agent.c: agent calls (spec 6.1). */
typedef enum {
    X2GOBROKER_AGENT_NONE,
    X2GOBROKER_AGENT_LOCAL,
    X2GOBROKER_AGENT_SSH
} x2gobroker_agent_mode_e;

/* mod_x2gobroker_brokerage.c: the agent query mode of a profile (NULL:
 * the configuration's own). */
x2gobroker_agent_mode_e x2gobroker_agent_mode(const x2gobroker_cfg *c,
                                              x2gobroker_backend_e b,
                                              const xgb_profile_t *prof);

/* An X2Go server of a profile. */
typedef struct {
    const char *name;           /* the profile's host name */
    const char *addr;           /* where to connect: its address or name */
    int port;                   /* SSH port */
    const char *key;            /* "addr:port": pools and server table */
} x2gobroker_server;

typedef struct x2gobroker_agent_link x2gobroker_agent_link;
typedef struct x2gobroker_agent_job x2gobroker_agent_job;

/* What one request's agent calls share (r is NULL in the watchdog, which
 * removes autologin keys outside any request). */
typedef struct {
    request_rec *r;
    server_rec *s;
    apr_pool_t *pool;           /* r->pool, or the watchdog's */
    x2gobroker_agent_mode_e mode;
    const char *agent_cmd;
    const char *known_hosts;
    const char *user;           /* the agent's <username> argument */
    const char *login;          /* SSH login on the servers */
    const x2gobroker_privkey *key;
    xgb_ssh_hostkey_policy_t policy;
    int timeout_ms;
    /* after a timeout on a reached server: the bound of a TCP probe of
     * its SSH port, whose silence is a verdict (0: no probe) */
    apr_interval_time_t probe_timeout;
    apr_interval_time_t retry;
} x2gobroker_agent_ctx;

/* The work of one request on one server (srv NULL in mode LOCAL): calls
 * x2gobroker_agent_exec() as often as it needs, in its own thread,
 * allocating only from job->pool. */
typedef void x2gobroker_agent_work_fn(x2gobroker_agent_link *l,
                                      x2gobroker_agent_job *job);

struct x2gobroker_agent_job {
    const x2gobroker_server *srv;
    x2gobroker_agent_work_fn *work;
    void *data;
    /* set by x2gobroker_agent_run */
    const x2gobroker_agent_ctx *ctx;
    apr_pool_t *pool;
    int skipped;                /* the server table said down: not run */
    int reached;                /* connected / the program ran */
    int task_failed;            /* some agent answer was not OK */
    xgb_ssh_status_t ssh_status;  /* the transport failure, if any */
    int port_silent;            /* after it, the SSH port gave no TCP
                                 * answer either */
    const char *error;          /* the first failure */
    const char *note;           /* a host key accepted under a policy */
};

void x2gobroker_agent_child_init(apr_pool_t *pchild, server_rec *s);
/* Run the jobs, in parallel when there are several; per server,
 * connecting is bounded by ctx->timeout_ms and the job's commands
 * together by ctx->timeout_ms more. */
void x2gobroker_agent_run(x2gobroker_agent_ctx *ctx,
                          x2gobroker_agent_job *jobs, int n);
/* One agent task; APR_SUCCESS with the answer's data lines. */
apr_status_t x2gobroker_agent_exec(x2gobroker_agent_link *l,
                                   const char *task, const char *const *args,
                                   int nargs, apr_array_header_t **lines);

/* mod_x2gobroker_brokerage.c: agents in listsessions and selectsession.
 * At start-up: every configuration in mode SSH has a key (else EMERG and
 * an error status); *agents: some configuration uses agents. */
int x2gobroker_brokerage_check(apr_pool_t *ptemp, server_rec *s,
                               int *agents);
/* The selection for `prof` (NULL: unknown or not permitted) and server
 * login `username`. */
xgb_selection_t *x2gobroker_select(request_rec *r, const x2gobroker_cfg *c,
                                   x2gobroker_backend_e b,
                                   const xgb_profile_t *prof,
                                   const char *username, const char *pubkey,
                                   const char *client_ip);
/* Mark client_profiles[i] (made from profiles[i]) with the status of
 * `user`'s sessions, asking every server concerned once. */
void x2gobroker_listing_status(request_rec *r, const x2gobroker_cfg *c,
                               x2gobroker_backend_e b,
                               const apr_array_header_t *profiles,
                               apr_array_header_t *client_profiles,
                               const char *user);

/* mod_x2gobroker_autologin.c: temporary keys (spec 7.5). */
int x2gobroker_autologin_post_config(apr_pool_t *pconf, server_rec *s);
/* Install the client's pubkey, or a fresh key pair whose private half
 * goes into sel->key, on `target` (and the profile's SSH proxy), and have
 * it removed after X2GoBrokerAutologinKeyLifetime. */
void x2gobroker_autologin_deliver(x2gobroker_agent_ctx *ctx,
                                  const x2gobroker_cfg *c,
                                  const xgb_profile_t *prof,
                                  const x2gobroker_server *target,
                                  const char *client_pubkey,
                                  const char *client_ip,
                                  xgb_selection_t *sel);

/* mod_x2gobroker_uccs.c; rest is the path after "uccs/". */
int x2gobroker_uccs_handler(request_rec *r, const x2gobroker_cfg *c,
                            const char *rest);

/* mod_x2gobroker_pubkeys.c */
int x2gobroker_pubkeys_handler(request_rec *r, const x2gobroker_cfg *c);
/* X2GoBrokerSSHKeyFile: read the key now (as root) into c. */
const char *x2gobroker_pubkeys_add_file(cmd_parms *cmd, x2gobroker_cfg *c,
                                        const char *path);
/* A key read at start-up, by its path (NULL if none was). */
const x2gobroker_privkey *x2gobroker_pubkeys_find(const char *path);
/* The key the agent client signs with, NULL if there is none. */
const x2gobroker_privkey *x2gobroker_pubkeys_agent_key(
    const x2gobroker_cfg *c);
void x2gobroker_pubkeys_note_user(cmd_parms *cmd, const char *user);
void x2gobroker_pubkeys_pre_config(apr_pool_t *pconf);
void x2gobroker_pubkeys_post_config(apr_pool_t *pconf, server_rec *s);

#endif
