/*
 * xgb_profile.h - session profiles of the inifile backend (spec section 3).
 */
#ifndef XGB_PROFILE_H
#define XGB_PROFILE_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_hash.h>

#include "xgb_acl.h"

typedef enum {
    XGB_VAL_STR,
    XGB_VAL_BOOL,
    XGB_VAL_INT,
    XGB_VAL_LIST
} xgb_val_type_e;

/* One profile key with its typed value (typing by the hard-coded
 * default of that key; unknown keys are strings). */
typedef struct {
    const char *key;
    xgb_val_type_e type;
    const char *str;            /* XGB_VAL_STR */
    int b;                      /* XGB_VAL_BOOL: 0 or 1 */
    apr_int64_t i;              /* XGB_VAL_INT */
    apr_array_header_t *list;   /* XGB_VAL_LIST: const char * */
} xgb_value_t;

/* One entry of host=: "name", "name (addr)" or "name (addr:port)". */
typedef struct {
    const char *name;           /* what the client sees and the ACL knows */
    const char *addr;           /* address to connect to, NULL if none */
    int port;                   /* per-host SSH port, 0 if none */
} xgb_host_t;

typedef struct {
    const char *id;
    /* Client-visible keys in reference dump order (own section, then
     * [DEFAULT], then hard-coded defaults); acl-*, broker-* and the
     * internal "default" key are not in here.  host is the list of names. */
    apr_array_header_t *values;         /* xgb_value_t */
    xgb_acl_t acl;
    apr_array_header_t *hosts;          /* xgb_host_t */
    int sshport;
    /* broker-* keys; NULL when absent or empty. */
    const char *session_autologin;
    const char *portscan;
    const char *agent_query_mode;
    const char *agent_hostkey_policy;
    const char *authorized_keys;
    const char *sshproxy_authorized_keys;
    const char *use_load_checker;
    /* Some broker-* key (known or not) has a non-empty value: the
     * reference consults the load checker only for such profiles. */
    int has_broker_keys;
} xgb_profile_t;

typedef struct {
    const char *path;
    apr_array_header_t *profiles;       /* xgb_profile_t *, file order */
    apr_hash_t *by_id;                  /* id -> xgb_profile_t * */
} xgb_profiles_t;

/* What one client is sent for one profile: not-set keys dropped,
 * BROKER_USER replaced, desktop commands upper-cased with rootless off,
 * autologin/key added when autologin is on. */
typedef struct {
    const char *id;
    apr_array_header_t *values;         /* xgb_value_t */
} xgb_client_profile_t;

/* More profiles than this refuse the file: every profile costs a few
 * KiB, and 4 MiB of one-line sections must not exhaust memory. */
#define XGB_PROFILES_MAX 10000

/* Read and check a whole profile file.  On failure *err is
 * "<path>:<line>: <reason>" and nothing is returned. */
apr_status_t xgb_profiles_load(apr_pool_t *p, const char *path,
                               xgb_profiles_t **out, const char **err);

/* The same from memory; `name` stands for the path in messages. */
apr_status_t xgb_profiles_parse(apr_pool_t *p, const char *name,
                                const char *text, apr_size_t len,
                                xgb_profiles_t **out, const char **err);

const xgb_profile_t *xgb_profiles_find(const xgb_profiles_t *ps,
                                       const char *id);

/* The desktop type `command` names (KDE, GNOME, ..., compared
 * case-insensitively), upper-cased; NULL if it names none. */
const char *xgb_profile_desktop(const char *command);

/* command is SHADOW.  The reference compares case-sensitively
 * (profile['command'] == "SHADOW"), and so does this. */
int xgb_profile_is_shadow(const xgb_profile_t *prof);

/* broker-session-autologin / broker-portscan-x2goservers decide alone when
 * set (true/1, case-insensitive, is on; anything else off), else the
 * global default. */
int xgb_profile_autologin(const xgb_profile_t *prof, int global_default);
int xgb_profile_portscan(const xgb_profile_t *prof, int global_default);

/* The value of a client-visible key, NULL if absent. */
const xgb_value_t *xgb_profile_value(const xgb_profile_t *prof,
                                     const char *key);

xgb_client_profile_t *xgb_profile_for_client(apr_pool_t *p,
                                             const xgb_profile_t *prof,
                                             const char *broker_user,
                                             int autologin_default);

/**
 * Spec 3.5 step 6, for a listing with agent data: when status is 'S'
 * or 'R', `status` becomes that letter as a string, appended after
 * autologin/key as in the reference's dump (or in place when the profile
 * itself has a key named status); `host` becomes the one-element list
 * [host], in place (appended after status if absent).  host NULL leaves
 * `host` alone; status 0 adds no `status`.  Call it after
 * xgb_profile_for_client(), with what xgb_select_status() found.  The
 * lists of the loaded profile are not touched.
 */
void xgb_profile_set_status(apr_pool_t *p, xgb_client_profile_t *cp,
                            char status, const char *host);

/* The zeroconf backend's single profile (spec 3.6): a fresh random id on
 * every call, command = desktop_shell upper-cased. */
xgb_client_profile_t *xgb_zeroconf_profile(apr_pool_t *p,
                                           const char *desktop_shell);

#endif
