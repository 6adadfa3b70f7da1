/*
 * xgb_profile.c - session profiles of the inifile backend (spec 3).
 *
 * A profile is what the reference's get_profile() returns: the section's
 * own keys in file order, then the [DEFAULT] keys it lacks, then the
 * hard-coded defaults neither has, each typed by its hard-coded default.
 * The reference converts values lazily and answers 500 on the first bad
 * one; here every value is converted once at load time and a bad one
 * refuses the whole file.  All results live in the caller's pool and are
 * read-only afterwards, so loaded profiles may be shared between threads.
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_cstr.h>

#include "xgb_profile.h"
#include "xgb_ini.h"
#include "xgb_hosts.h"
#include "xgb_log.h"
#include "xgb_cookie.h"

/* The hard-coded defaults in the reference's order (it decides where
 * missing keys appear in the plain dump), with the text the reference
 * writes into [DEFAULT] for them. */
typedef struct {
    const char *key;
    xgb_val_type_e type;
    const char *value;
} default_t;

static const default_t defaults[] = {
    { "command", XGB_VAL_STR, "TERMINAL" },
    { "kdrive", XGB_VAL_BOOL, "0" },
    { "defsndport", XGB_VAL_BOOL, "1" },
    { "useiconv", XGB_VAL_BOOL, "0" },
    { "iconvfrom", XGB_VAL_STR, "UTF-8" },
    { "height", XGB_VAL_INT, "600" },
    { "export", XGB_VAL_STR, "" },
    { "quality", XGB_VAL_INT, "9" },
    { "fullscreen", XGB_VAL_BOOL, "0" },
    { "layout", XGB_VAL_STR, "" },
    { "useexports", XGB_VAL_BOOL, "1" },
    { "width", XGB_VAL_INT, "800" },
    { "speed", XGB_VAL_INT, "2" },
    { "soundsystem", XGB_VAL_STR, "pulse" },
    { "print", XGB_VAL_BOOL, "1" },
    { "type", XGB_VAL_STR, "auto" },
    { "sndport", XGB_VAL_INT, "4713" },
    { "xinerama", XGB_VAL_BOOL, "1" },
    { "variant", XGB_VAL_STR, "" },
    { "usekbd", XGB_VAL_BOOL, "1" },
    { "fstunnel", XGB_VAL_BOOL, "1" },
    { "applications", XGB_VAL_LIST,
      "TERMINAL, WWWBROWSER, MAILCLIENT, OFFICE" },
    { "multidisp", XGB_VAL_BOOL, "0" },
    { "sshproxyport", XGB_VAL_INT, "22" },
    { "sound", XGB_VAL_BOOL, "1" },
    { "rootless", XGB_VAL_BOOL, "1" },
    { "iconvto", XGB_VAL_STR, "UTF-8" },
    { "soundtunnel", XGB_VAL_BOOL, "1" },
    { "dpi", XGB_VAL_INT, "96" },
    { "sshport", XGB_VAL_INT, "22" },
    { "setdpi", XGB_VAL_INT, "0" },
    { "pack", XGB_VAL_STR, "16m-jpeg" },
    { "user", XGB_VAL_STR, "BROKER_USER" },
    { "host", XGB_VAL_LIST, "localhost" },
    { "directrdp", XGB_VAL_BOOL, "0" },
    { "acl-users-allow", XGB_VAL_LIST, "" },
    { "acl-users-deny", XGB_VAL_LIST, "" },
    { "acl-users-order", XGB_VAL_STR, "" },
    { "acl-groups-allow", XGB_VAL_LIST, "" },
    { "acl-groups-deny", XGB_VAL_LIST, "" },
    { "acl-groups-order", XGB_VAL_STR, "" },
    { "acl-clients-allow", XGB_VAL_LIST, "" },
    { "acl-clients-deny", XGB_VAL_LIST, "" },
    { "acl-clients-order", XGB_VAL_STR, "" },
    { "acl-any-order", XGB_VAL_STR, "deny-allow" },
};
#define NDEFAULTS (sizeof(defaults) / sizeof(defaults[0]))

/* Where each acl-* key goes; lists and strings by the key's type. */
static const struct {
    const char *key;
    apr_size_t off;
} acl_fields[] = {
    { "acl-users-allow", APR_OFFSETOF(xgb_acl_t, users_allow) },
    { "acl-users-deny", APR_OFFSETOF(xgb_acl_t, users_deny) },
    { "acl-users-order", APR_OFFSETOF(xgb_acl_t, users_order) },
    { "acl-groups-allow", APR_OFFSETOF(xgb_acl_t, groups_allow) },
    { "acl-groups-deny", APR_OFFSETOF(xgb_acl_t, groups_deny) },
    { "acl-groups-order", APR_OFFSETOF(xgb_acl_t, groups_order) },
    { "acl-clients-allow", APR_OFFSETOF(xgb_acl_t, clients_allow) },
    { "acl-clients-deny", APR_OFFSETOF(xgb_acl_t, clients_deny) },
    { "acl-clients-order", APR_OFFSETOF(xgb_acl_t, clients_order) },
    { "acl-any-order", APR_OFFSETOF(xgb_acl_t, any_order) },
};

/* The broker-* keys the glue asks for; all are raw strings. */
static const struct {
    const char *key;
    apr_size_t off;
} broker_fields[] = {
    { "broker-session-autologin",
      APR_OFFSETOF(xgb_profile_t, session_autologin) },
    { "broker-portscan-x2goservers", APR_OFFSETOF(xgb_profile_t, portscan) },
    { "broker-agent-query-mode",
      APR_OFFSETOF(xgb_profile_t, agent_query_mode) },
    { "broker-agent-hostkey-policy",
      APR_OFFSETOF(xgb_profile_t, agent_hostkey_policy) },
    { "broker-authorized-keys",
      APR_OFFSETOF(xgb_profile_t, authorized_keys) },
    { "broker-sshproxy-authorized-keys",
      APR_OFFSETOF(xgb_profile_t, sshproxy_authorized_keys) },
    { "broker-use-load-checker",
      APR_OFFSETOF(xgb_profile_t, use_load_checker) },
};

#define ARRAY_LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define NOT_SET "not-set"
#define AUTOLOGIN_KEY "<will-be-exchanged-during-session-selection>"

/* One key of a profile before typing. */
typedef struct {
    const char *key;
    const char *raw;
    int line;                   /* 0 for a hard-coded default */
} item_t;

/* Per-file state while profiles are built. */
typedef struct {
    apr_pool_t *p;
    const xgb_ini_t *ini;
    apr_array_header_t *dflt;   /* item_t: [DEFAULT] + hard-coded */
    /* Scratch space reused for every profile, so that a file with many
     * profiles does not leave per-profile garbage in the pool. */
    apr_array_header_t *items;  /* item_t: the profile's keys */
    apr_array_header_t *lines;  /* int: source line of each value */
    const char *err;
} build_t;

/* ------------------------------------------------------------------ */
/* Typing                                                               */
/* ------------------------------------------------------------------ */

/* Keys without a hard-coded default are strings, as in the reference
 * (its get_type() falls back to str). */
static xgb_val_type_e key_type(const char *key)
{
    apr_size_t i;

    for (i = 0; i < NDEFAULTS; i++) {
        if (strcmp(defaults[i].key, key) == 0) {
            return defaults[i].type;
        }
    }
    return XGB_VAL_STR;
}

static int is_prefixed(const char *key, const char *prefix)
{
    return strncmp(key, prefix, strlen(prefix)) == 0;
}

/* host and applications drop empty items (the reference filters every
 * list-typed profile default; the acl-* lists are not among those). */
static void drop_empty_items(apr_pool_t *p, xgb_value_t *v)
{
    apr_array_header_t *kept = apr_array_make(p, v->list->nelts,
                                              sizeof(const char *));
    int i;

    for (i = 0; i < v->list->nelts; i++) {
        const char *s = APR_ARRAY_IDX(v->list, i, const char *);

        if (*s) {
            APR_ARRAY_PUSH(kept, const char *) = s;
        }
    }
    v->list = kept;
}

/* Type one raw value; NULL on success, else the reason. */
static const char *convert(apr_pool_t *p, const item_t *it, xgb_value_t *v)
{
    const char *why;
    int r;

    memset(v, 0, sizeof(*v));
    v->key = it->key;
    v->type = key_type(it->key);
    v->str = it->raw;
    switch (v->type) {
    case XGB_VAL_BOOL:
        return xgb_ini_to_bool(it->raw, &v->b) ? NULL
               : apr_psprintf(p, "invalid boolean '%s'", it->raw);
    case XGB_VAL_INT:
        r = xgb_ini_to_int(it->raw, &v->i);
        if (r == 0 && strcmp(it->raw, NOT_SET) == 0) {
            v->type = XGB_VAL_STR;      /* tolerated, removed later */
            return NULL;
        }
        return r == 1 ? NULL : apr_psprintf(p, "%s integer '%s'",
                                            r ? "out of range" : "invalid",
                                            it->raw);
    case XGB_VAL_LIST:
        if (xgb_ini_to_list(p, it->raw, &v->list, &why) != APR_SUCCESS) {
            return apr_psprintf(p, "invalid list '%s': %s", it->raw, why);
        }
        if (!is_prefixed(it->key, "acl-")) {
            drop_empty_items(p, v);
        }
        return NULL;
    default:
        return NULL;
    }
}

/* Messages name the line the value came from: the profile's own, the
 * [DEFAULT] one for inherited values. */
static int item_fail(build_t *b, const char *key, int line,
                     const char *reason)
{
    b->err = apr_psprintf(b->p, "%s:%d: key '%s': %s", b->ini->name, line,
                          key, reason);
    return 0;
}

/* Only string values can be "not-set" (ints keep it as a string, lists
 * make it an item, booleans refuse it), exactly as the reference's
 * profile[key] == "not-set" comparison sees it. */
static int is_not_set(const xgb_value_t *v)
{
    return v->type == XGB_VAL_STR && strcmp(v->str, NOT_SET) == 0;
}

/* ------------------------------------------------------------------ */
/* Key order                                                            */
/* ------------------------------------------------------------------ */

/* Items keep the raw text and its line until they are typed. */
static void push_item(apr_array_header_t *items, const char *key,
                      const char *raw, int line)
{
    item_t *it = apr_array_push(items);

    it->key = key;
    it->raw = raw;
    it->line = line;
}

/* Any key present in `sec` (NULL: none). */
static int in_section(const xgb_ini_section_t *sec, const char *key)
{
    return xgb_ini_entry(sec, key) != NULL;
}

/* What every profile inherits: [DEFAULT] in file order, then the
 * hard-coded defaults it does not set. */
static apr_array_header_t *default_items(apr_pool_t *p,
                                         const xgb_ini_t *ini)
{
    const xgb_ini_section_t *d = ini->defaults;
    apr_array_header_t *items = apr_array_make(p, 64, sizeof(item_t));
    apr_size_t i;
    int j;

    for (j = 0; j < d->entries->nelts; j++) {
        const xgb_ini_entry_t *e = APR_ARRAY_IDX(d->entries, j,
                                                 xgb_ini_entry_t *);

        push_item(items, e->key, e->value, e->line);
    }
    for (i = 0; i < NDEFAULTS; i++) {
        if (!in_section(d, defaults[i].key)) {
            push_item(items, defaults[i].key, defaults[i].value, 0);
        }
    }
    return items;
}

/* A profile's keys in the reference's order: its own, then inherited. */
static apr_array_header_t *section_items(build_t *b,
                                         const xgb_ini_section_t *sec)
{
    apr_array_header_t *items = b->items;
    int i;

    apr_array_clear(items);
    for (i = 0; i < sec->entries->nelts; i++) {
        const xgb_ini_entry_t *e = APR_ARRAY_IDX(sec->entries, i,
                                                 xgb_ini_entry_t *);

        push_item(items, e->key, e->value, e->line);
    }
    for (i = 0; i < b->dflt->nelts; i++) {
        const item_t *it = &APR_ARRAY_IDX(b->dflt, i, item_t);

        if (!in_section(sec, it->key)) {
            push_item(items, it->key, it->raw, it->line);
        }
    }
    return items;
}

/* The reference skips keys that are also section names (a quirk of its
 * get_section()). */
static int is_section_name(const build_t *b, const char *key)
{
    return xgb_ini_section(b->ini, key) != NULL;
}

/* Keys the reference removes before a profile leaves the broker. */
static int is_client_key(const char *key)
{
    return strcmp(key, "default") != 0 && !is_prefixed(key, "acl-")
           && !is_prefixed(key, "broker-");
}

/* ------------------------------------------------------------------ */
/* Building one profile                                                 */
/* ------------------------------------------------------------------ */

/* Index of `key` in an xgb_value_t array, -1 if absent.  Profiles have
 * some 40 keys, so a linear search beats building hashes. */
static int find_value(const apr_array_header_t *values, const char *key)
{
    int i;

    for (i = 0; values && i < values->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(values, i, xgb_value_t).key, key) == 0) {
            return i;
        }
    }
    return -1;
}

/* b->lines runs in step with prof->values so that checks done after
 * typing (sshport, host) can still name the line. */
static int add_value(build_t *b, xgb_profile_t *prof, const item_t *it)
{
    xgb_value_t *v = apr_array_push(prof->values);
    const char *why = convert(b->p, it, v);

    APR_ARRAY_PUSH(b->lines, int) = it->line;
    if (why) {
        return item_fail(b, it->key, it->line, why);
    }
    /* the reference crashes on these at request time */
    if (is_not_set(v) && (!strcmp(v->key, "sshport")
                          || !strcmp(v->key, "command"))) {
        return item_fail(b, it->key, it->line, "'" NOT_SET "' is not "
                         "allowed for this key");
    }
    return 1;
}

/* acl-* keys go into the xgb_acl_t; unknown acl-* keys are ignored like
 * the reference's ACL check ignores them. */
static int take_acl(build_t *b, xgb_profile_t *prof, const item_t *it)
{
    xgb_value_t v;
    const char *why = convert(b->p, it, &v);
    int i;

    if (why) {
        return item_fail(b, it->key, it->line, why);
    }
    /* empty ACL values count as absent: the default stays */
    if ((v.type == XGB_VAL_STR && !*v.str)
        || (v.type == XGB_VAL_LIST && v.list->nelts == 1
            && !*APR_ARRAY_IDX(v.list, 0, const char *))) {
        return 1;
    }
    for (i = 0; i < ARRAY_LEN(acl_fields); i++) {
        char *field = (char *)&prof->acl + acl_fields[i].off;

        if (strcmp(acl_fields[i].key, it->key) != 0) {
            continue;
        }
        if (v.type == XGB_VAL_LIST) {
            *(apr_array_header_t **)field = v.list;
        }
        else {
            *(const char **)field = v.str;
        }
    }
    return 1;
}

static void take_broker(xgb_profile_t *prof, const item_t *it)
{
    int i;

    if (!*it->raw) {
        return;                 /* empty broker-* values count as absent */
    }
    prof->has_broker_keys = 1;
    for (i = 0; i < ARRAY_LEN(broker_fields); i++) {
        if (strcmp(broker_fields[i].key, it->key) == 0) {
            *(const char **)((char *)prof + broker_fields[i].off) = it->raw;
        }
    }
}

/* Route one key: dropped, ACL, broker setting or client-visible. */
static int take_item(build_t *b, xgb_profile_t *prof, const item_t *it)
{
    if (!strcmp(it->key, "default") || is_section_name(b, it->key)) {
        return 1;
    }
    if (is_prefixed(it->key, "acl-")) {
        return take_acl(b, prof, it);
    }
    if (is_prefixed(it->key, "broker-")) {
        take_broker(prof, it);
        return 1;
    }
    return add_value(b, prof, it);
}

/* get_profile() puts inherited keys it found missing back at the end:
 * that is where the keys skipped for being section names reappear, with
 * their inherited value. */
static int readd_section_named(build_t *b, xgb_profile_t *prof)
{
    int i;

    for (i = 0; i < b->dflt->nelts; i++) {
        const item_t *it = &APR_ARRAY_IDX(b->dflt, i, item_t);

        if (is_client_key(it->key) && is_section_name(b, it->key)
            && !add_value(b, prof, it)) {
            return 0;
        }
    }
    return 1;
}

/* host= becomes the list of names; sshport must be a usable port. */
static int finish_hosts(build_t *b, xgb_profile_t *prof)
{
    int hi = find_value(prof->values, "host");
    int pi = find_value(prof->values, "sshport");
    xgb_value_t *host;
    const char *why;
    int i;

    prof->sshport = 22;
    if (pi >= 0) {
        const xgb_value_t *v = &APR_ARRAY_IDX(prof->values, pi, xgb_value_t);

        if (v->i < 1 || v->i > 65535) {
            return item_fail(b, "sshport", APR_ARRAY_IDX(b->lines, pi, int),
                             "port out of range");
        }
        prof->sshport = (int)v->i;
    }
    if (hi < 0) {
        prof->hosts = apr_array_make(b->p, 0, sizeof(xgb_host_t));
        return 1;
    }
    host = &APR_ARRAY_IDX(prof->values, hi, xgb_value_t);
    if (xgb_hosts_parse(b->p, host->list, prof->sshport, &prof->hosts,
                        &why) != APR_SUCCESS) {
        return item_fail(b, "host", APR_ARRAY_IDX(b->lines, hi, int), why);
    }
    host->list = apr_array_make(b->p, prof->hosts->nelts,
                                sizeof(const char *));
    for (i = 0; i < prof->hosts->nelts; i++) {
        APR_ARRAY_PUSH(host->list, const char *) =
            APR_ARRAY_IDX(prof->hosts, i, xgb_host_t).name;
    }
    return 1;
}

/* x2goclient sends the selected id without URL-encoding it. */
static void check_id(const build_t *b, const xgb_ini_section_t *sec)
{
    static const char safe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                               "abcdefghijklmnopqrstuvwxyz0123456789._-";

    if (sec->name[strspn(sec->name, safe)] != '\0') {
        XGB_LOG(XGB_LOG_WARNING, "%s:%d: profile id '%s' has characters "
                "outside [A-Za-z0-9._-]; x2goclient does not URL-encode "
                "ids, so selecting it may fail", b->ini->name, sec->line,
                sec->name);
    }
}

/* One section as the reference's get_profile(), get_profile_acls() and
 * get_profile_broker() together see it.  NULL with b->err on failure. */
static xgb_profile_t *build_profile(build_t *b, const xgb_ini_section_t *sec)
{
    xgb_profile_t *prof = apr_pcalloc(b->p, sizeof(*prof));
    apr_array_header_t *items = section_items(b, sec);
    int i;

    prof->id = sec->name;
    prof->values = apr_array_make(b->p, items->nelts, sizeof(xgb_value_t));
    xgb_acl_init(b->p, &prof->acl);
    apr_array_clear(b->lines);
    for (i = 0; i < items->nelts; i++) {
        if (!take_item(b, prof, &APR_ARRAY_IDX(items, i, item_t))) {
            return NULL;
        }
    }
    if (!readd_section_named(b, prof) || !finish_hosts(b, prof)) {
        return NULL;
    }
    check_id(b, sec);
    xgb_acl_report_invalid(&prof->acl,
                           apr_psprintf(b->p, "%s:%d: profile '%s'",
                                        b->ini->name, sec->line, sec->name));
    return prof;
}

/* The reference types every [DEFAULT] value on each request, even those
 * every profile overrides, so a bad one breaks everything. */
static int check_defaults(build_t *b)
{
    int i;

    for (i = 0; i < b->dflt->nelts; i++) {
        const item_t *it = &APR_ARRAY_IDX(b->dflt, i, item_t);
        xgb_value_t v;
        const char *why = convert(b->p, it, &v);

        if (why) {
            return item_fail(b, it->key, it->line, why);
        }
    }
    return 1;
}

/* All profiles of a parsed file, or the first error.  Nothing is
 * returned on error: a half-loaded file would silently hide profiles. */
static apr_status_t build_all(apr_pool_t *p, const xgb_ini_t *ini,
                              xgb_profiles_t **out, const char **err)
{
    build_t b = { p, ini, NULL, NULL, NULL, NULL };
    xgb_profiles_t *ps = apr_pcalloc(p, sizeof(*ps));
    int i;

    b.dflt = default_items(p, ini);
    b.items = apr_array_make(p, 64, sizeof(item_t));
    b.lines = apr_array_make(p, 64, sizeof(int));
    if (ini->sections->nelts > XGB_PROFILES_MAX) {
        *err = apr_psprintf(p, "%s: more than %d profiles", ini->name,
                            XGB_PROFILES_MAX);
        return APR_EINVAL;
    }
    ps->path = ini->name;
    ps->profiles = apr_array_make(p, ini->sections->nelts,
                                  sizeof(xgb_profile_t *));
    ps->by_id = apr_hash_make(p);
    if (!check_defaults(&b)) {
        *err = b.err;
        return APR_EINVAL;
    }
    for (i = 0; i < ini->sections->nelts; i++) {
        xgb_profile_t *prof = build_profile(&b, APR_ARRAY_IDX(ini->sections,
                                            i, xgb_ini_section_t *));

        if (!prof) {
            *err = b.err;
            return APR_EINVAL;
        }
        APR_ARRAY_PUSH(ps->profiles, xgb_profile_t *) = prof;
        apr_hash_set(ps->by_id, prof->id, APR_HASH_KEY_STRING, prof);
    }
    *out = ps;
    return APR_SUCCESS;
}

apr_status_t xgb_profiles_parse(apr_pool_t *p, const char *name,
                                const char *text, apr_size_t len,
                                xgb_profiles_t **out, const char **err)
{
    xgb_ini_t *ini;
    const char *dummy;
    apr_status_t rv;

    err = err ? err : &dummy;
    *out = NULL;
    rv = xgb_ini_parse(p, name, text, len, &ini, err);
    return rv == APR_SUCCESS ? build_all(p, ini, out, err) : rv;
}

apr_status_t xgb_profiles_load(apr_pool_t *p, const char *path,
                               xgb_profiles_t **out, const char **err)
{
    xgb_ini_t *ini;
    const char *dummy;
    apr_status_t rv;

    err = err ? err : &dummy;
    *out = NULL;
    rv = xgb_ini_load(p, path, &ini, err);
    return rv == APR_SUCCESS ? build_all(p, ini, out, err) : rv;
}

/* ------------------------------------------------------------------ */
/* Queries                                                              */
/* ------------------------------------------------------------------ */

const xgb_profile_t *xgb_profiles_find(const xgb_profiles_t *ps,
                                       const char *id)
{
    if (!ps || !ps->by_id || !id) {
        return NULL;
    }
    return apr_hash_get(ps->by_id, id, APR_HASH_KEY_STRING);
}

const xgb_value_t *xgb_profile_value(const xgb_profile_t *prof,
                                     const char *key)
{
    int i = (prof && key) ? find_value(prof->values, key) : -1;

    return i < 0 ? NULL : &APR_ARRAY_IDX(prof->values, i, xgb_value_t);
}

int xgb_profile_is_shadow(const xgb_profile_t *prof)
{
    const xgb_value_t *v = xgb_profile_value(prof, "command");

    return v && v->type == XGB_VAL_STR && strcmp(v->str, "SHADOW") == 0;
}

/* A profile's broker-* switch: "1"/"true" in any case is on, any other
 * value off; absent means the global default. */
static int profile_switch(const char *value, int global_default)
{
    /* empty values were already mapped to NULL when loading */
    if (!value || !*value) {
        return global_default;
    }
    return !apr_cstr_casecmp(value, "1") || !apr_cstr_casecmp(value, "true");
}

int xgb_profile_autologin(const xgb_profile_t *prof, int global_default)
{
    return profile_switch(prof ? prof->session_autologin : NULL,
                          global_default);
}

int xgb_profile_portscan(const xgb_profile_t *prof, int global_default)
{
    return profile_switch(prof ? prof->portscan : NULL, global_default);
}

/* ------------------------------------------------------------------ */
/* What clients see                                                     */
/* ------------------------------------------------------------------ */

/* The value for `key`, reset to `type`: in place when the key exists
 * (the reference assigns into its dict), else appended. */
static xgb_value_t *put_value(apr_array_header_t *values, const char *key,
                              xgb_val_type_e type)
{
    int i = find_value(values, key);
    xgb_value_t *v = i < 0 ? apr_array_push(values)
                     : &APR_ARRAY_IDX(values, i, xgb_value_t);

    memset(v, 0, sizeof(*v));
    v->key = key;
    v->type = type;
    return v;
}

/* s.upper() == d for an upper-case ASCII word d.  Python's upper() also
 * turns U+0131 (dotless i) into "I" and U+017F (long s) into "S"; no
 * other character becomes a lone ASCII letter that occurs in d. */
static int upper_equals(const char *s, const char *d)
{
    for (; *d; d++) {
        if (*d == 'I' && !strncmp(s, "\xc4\xb1", 2)) {
            s += 2;
        }
        else if (*d == 'S' && !strncmp(s, "\xc5\xbf", 2)) {
            s += 2;
        }
        else if (*s == *d || *s == (*d | 0x20)) {
            s++;
        }
        else {
            return 0;
        }
    }
    return *s == '\0';
}

/* spec 3.3; the reference lists XFCE twice, which changes nothing */
const char *xgb_profile_desktop(const char *command)
{
    static const char *const desktops[] = {
        "KDE", "GNOME", "XFCE", "CINNAMON", "MATE", "LXDE", "TRINITY",
        "UNITY", "ICEWM", "OPENBOX", "XDMCP"
    };
    int i;

    for (i = 0; command && i < ARRAY_LEN(desktops); i++) {
        if (upper_equals(command, desktops[i])) {
            return desktops[i];
        }
    }
    return NULL;
}

/* Spec 3.5 steps 2 and 3 on a copy: the loaded profile is shared by
 * all requests and must stay untouched. */
static apr_array_header_t *client_values(apr_pool_t *p,
                                         const xgb_profile_t *prof,
                                         const char *broker_user)
{
    apr_array_header_t *out = apr_array_make(p, prof->values->nelts + 2,
                                             sizeof(xgb_value_t));
    int i;

    for (i = 0; i < prof->values->nelts; i++) {
        const xgb_value_t *v = &APR_ARRAY_IDX(prof->values, i, xgb_value_t);
        xgb_value_t *c;

        if (is_not_set(v)) {
            continue;
        }
        c = apr_array_push(out);
        *c = *v;
        if (!strcmp(c->key, "user") && c->type == XGB_VAL_STR
            && !strcmp(c->str, "BROKER_USER")) {
            c->str = broker_user ? broker_user : "";
        }
    }
    return out;
}

/* The order of the steps matters for the key order: the reference adds
 * autologin/key before it forces rootless, so a profile without rootless
 * (impossible with the defaults, but cheap to get right) would list it
 * after key. */
xgb_client_profile_t *xgb_profile_for_client(apr_pool_t *p,
                                             const xgb_profile_t *prof,
                                             const char *broker_user,
                                             int autologin_default)
{
    xgb_client_profile_t *cp;
    const char *desktop;
    int i;

    if (!p || !prof || !prof->values) {
        return NULL;
    }
    cp = apr_pcalloc(p, sizeof(*cp));
    cp->id = prof->id;
    cp->values = client_values(p, prof, broker_user);
    if (xgb_profile_autologin(prof, autologin_default)) {
        put_value(cp->values, "autologin", XGB_VAL_BOOL)->b = 1;
        put_value(cp->values, "key", XGB_VAL_STR)->str = AUTOLOGIN_KEY;
    }
    i = find_value(cp->values, "command");
    desktop = i < 0 ? NULL
              : xgb_profile_desktop(APR_ARRAY_IDX(cp->values, i,
                                                  xgb_value_t).str);
    if (desktop) {
        put_value(cp->values, "rootless", XGB_VAL_BOOL)->b = 0;
        put_value(cp->values, "command", XGB_VAL_STR)->str = desktop;
    }
    /* desktop sharing uses the first host only (spec 3.5 step 6) */
    i = find_value(cp->values, "host");
    if (xgb_profile_is_shadow(prof) && i >= 0) {
        xgb_value_t *h = &APR_ARRAY_IDX(cp->values, i, xgb_value_t);

        if (h->type == XGB_VAL_LIST && h->list->nelts > 1) {
            h->list = apr_array_copy(p, h->list);
            h->list->nelts = 1;
        }
    }
    return cp;
}

void xgb_profile_set_status(apr_pool_t *p, xgb_client_profile_t *cp,
                            char status, const char *host)
{
    xgb_value_t *v;

    if (!p || !cp || !cp->values) {
        return;
    }
    /* status first: the reference sets it before host, which matters
     * only for a profile whose host key was removed with not-set */
    if (status == 'S' || status == 'R') {
        put_value(cp->values, "status", XGB_VAL_STR)->str =
            status == 'S' ? "S" : "R";
    }
    if (host) {
        /* a fresh list: the old one is shared with the loaded profile */
        v = put_value(cp->values, "host", XGB_VAL_LIST);
        v->list = apr_array_make(p, 1, sizeof(const char *));
        APR_ARRAY_PUSH(v->list, const char *) = host;
    }
}

/* ------------------------------------------------------------------ */
/* zeroconf                                                             */
/* ------------------------------------------------------------------ */

/* Shorthands for the zeroconf overlay. */
static void put_int(apr_array_header_t *values, const char *key,
                    apr_int64_t i)
{
    put_value(values, key, XGB_VAL_INT)->i = i;
}

static void put_str(apr_array_header_t *values, const char *key,
                    const char *s)
{
    put_value(values, key, XGB_VAL_STR)->str = s;
}

/* The reference overlays a hard-coded dict on the defaults: keys it
 * shares keep their place, with its types (useexports, multidisp and
 * rootless become integers, host a string); name comes last.
 * desktop_shell is upper-cased in ASCII only. */
xgb_client_profile_t *xgb_zeroconf_profile(apr_pool_t *p,
                                           const char *desktop_shell)
{
    xgb_client_profile_t *cp;
    const char *id;
    char *cmd;
    apr_size_t i;

    if (!p || (id = xgb_uuid4(p)) == NULL) {
        return NULL;
    }
    cp = apr_pcalloc(p, sizeof(*cp));
    cp->id = id;
    cp->values = apr_array_make(p, NDEFAULTS + 1, sizeof(xgb_value_t));
    for (i = 0; i < NDEFAULTS; i++) {
        item_t it = { defaults[i].key, defaults[i].value, 0 };

        if (!is_prefixed(it.key, "acl-")) {
            convert(p, &it, apr_array_push(cp->values));
        }
    }
    /* the reference's hard-coded zeroconf profile, types included */
    cmd = apr_pstrdup(p, desktop_shell ? desktop_shell : "");
    for (i = 0; cmd[i]; i++) {
        cmd[i] = (cmd[i] >= 'a' && cmd[i] <= 'z') ? cmd[i] - 0x20 : cmd[i];
    }
    put_str(cp->values, "user", "");
    put_int(cp->values, "useexports", 1);
    put_str(cp->values, "host", "localhost");
    put_int(cp->values, "multidisp", 0);
    put_int(cp->values, "rootless", 0);
    put_str(cp->values, "command", cmd);
    put_str(cp->values, "name", "LOCALHOST");
    return cp;
}
