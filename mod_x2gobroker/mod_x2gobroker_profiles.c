/*
 * mod_x2gobroker_profiles.c - session-profile files: loaded at start-up
 * (those some configuration serves), reloaded when they change.
 *
 * The reference re-reads the file on every request, so admins expect an
 * edit to take effect without a restart.  We stat the file per request
 * (cheap) and parse only when mtime, size or inode changed.  A file that
 * fails to parse at start-up stops httpd; one that breaks later is logged
 * with file, line and reason while the last good profiles keep serving.
 *
 * "Last good" must mean the same in every child: a child forked after
 * the file broke would otherwise fall back to the version its parent
 * loaded at start-up.  So the text of the last version that parsed is
 * kept in shared memory, and a child that meets a broken file takes that
 * copy instead.
 */
#include "apr_strings.h"
#include "apr_file_info.h"
#include "apr_shm.h"
#include "apr_thread_mutex.h"

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"

#include "mod_x2gobroker_private.h"
#include "xgb_ini.h"

/* One parsed version of a file.  Requests hold a reference for their
 * lifetime, so a reload never frees profiles a request still reads. */
typedef struct {
    apr_pool_t *pool;                   /* unmanaged: owned by the set */
    xgb_profiles_t *profiles;
    int refs;                           /* src->current + requests */
} profile_set;

/* What identifies a version of the file on disk. */
typedef struct {
    apr_time_t mtime;
    apr_off_t size;
    apr_ino_t inode;
} file_sig;

/* The last good text, shared by all children (anonymous shared memory
 * made by the parent), under the module's one shared-memory mutex
 * (mod_x2gobroker_shm.c); `version` counts the texts published.  Only
 * pages that are written take memory, so the segment is sized for the
 * largest file. */
typedef struct {
    apr_uint32_t version;
    apr_uint32_t len;
    char text[XGB_INI_MAX_SIZE];
} shared_copy;

struct x2gobroker_profile_src {
    const char *path;
    int required;               /* named by a directive, not the default */
    int used;                   /* served by a configuration (post_config) */
    profile_set *current;
    file_sig loaded;            /* signature of current */
    file_sig failed;            /* last signature that did not parse */
    apr_uint32_t seen_version;  /* shared copy version current came from */
    int stat_failed;            /* logged once until the file is back */
    apr_shm_t *shm;
    shared_copy *shared;        /* NULL if no shared memory */
    apr_thread_mutex_t *mutex;  /* per child; NULL before child_init */
    x2gobroker_profile_src *next;
};

/* All sources of this configuration generation; reset with pconf. */
static x2gobroker_profile_src *sources;
static x2gobroker_profile_src *default_src;

static void set_release(profile_set *set)
{
    if (set && --set->refs == 0) {
        apr_pool_destroy(set->pool);
    }
}

static apr_status_t sources_cleanup(void *unused)
{
    x2gobroker_profile_src *src;

    for (src = sources; src; src = src->next) {
        set_release(src->current);
        src->current = NULL;
    }
    sources = NULL;
    default_src = NULL;
    return APR_SUCCESS;
}

x2gobroker_profile_src *x2gobroker_profiles_register(apr_pool_t *p,
                                                     const char *path,
                                                     int required)
{
    x2gobroker_profile_src *src;

    for (src = sources; src; src = src->next) {
        if (!strcmp(src->path, path)) {
            src->required |= required;
            return src;
        }
    }
    if (!sources) {
        apr_pool_cleanup_register(p, NULL, sources_cleanup,
                                  apr_pool_cleanup_null);
    }
    src = apr_pcalloc(p, sizeof(*src));
    src->path = apr_pstrdup(p, path);
    src->required = required;
    src->next = sources;
    sources = src;
    return src;
}

x2gobroker_profile_src *x2gobroker_profiles_of(const x2gobroker_cfg *c)
{
    return c->profiles ? c->profiles : default_src;
}

static int sig_equal(const file_sig *a, const file_sig *b)
{
    return a->mtime == b->mtime && a->size == b->size
           && a->inode == b->inode;
}

/* Parse `text` into a fresh set.  NULL with *err (in errpool) when it
 * does not parse. */
static profile_set *parse_set(const char *path, const char *text,
                              apr_size_t len, const char **err,
                              apr_pool_t *errpool)
{
    profile_set *set;
    apr_pool_t *pool;

    apr_pool_create_unmanaged_ex(&pool, NULL, NULL);
    set = apr_pcalloc(pool, sizeof(*set));
    set->pool = pool;
    set->refs = 1;
    if (xgb_profiles_parse(pool, path, text, len, &set->profiles, err)
        != APR_SUCCESS) {
        *err = apr_pstrdup(errpool, *err ? *err : path);
        apr_pool_destroy(pool);
        return NULL;
    }
    return set;
}

/* Publish a good text for the other children.  In the parent at
 * start-up no child runs yet and the mutex may not exist: no lock then. */
static void share_text(x2gobroker_profile_src *src, server_rec *s,
                       request_rec *r, const char *text, apr_size_t len)
{
    shared_copy *sc = src->shared;
    int locked;

    if (!sc || len > sizeof(sc->text)) {
        return;
    }
    locked = x2gobroker_shm_lock_all(s, r);
    if (!locked && r) {
        return;
    }
    memcpy(sc->text, text, len);
    sc->len = (apr_uint32_t)len;
    src->seen_version = ++sc->version;
    if (locked) {
        x2gobroker_shm_unlock();
    }
}

/* The shared last good text if it is newer than what this child has;
 * NULL otherwise. */
static const char *shared_text(x2gobroker_profile_src *src, request_rec *r,
                               apr_size_t *len, apr_uint32_t *version)
{
    shared_copy *sc = src->shared;
    const char *copy = NULL;

    if (!sc || !x2gobroker_shm_lock_all(r->server, r)) {
        return NULL;
    }
    if (sc->version != src->seen_version) {
        *len = sc->len <= sizeof(sc->text) ? sc->len : 0;
        copy = apr_pmemdup(r->pool, sc->text, *len);
        *version = sc->version;
    }
    x2gobroker_shm_unlock();
    return copy;
}

static apr_status_t stat_sig(const char *path, file_sig *sig,
                             apr_pool_t *p)
{
    apr_finfo_t fi;
    apr_status_t rv;

    rv = apr_stat(&fi, path, APR_FINFO_MTIME | APR_FINFO_SIZE
                  | APR_FINFO_INODE, p);
    if (rv == APR_SUCCESS || rv == APR_INCOMPLETE) {
        sig->mtime = fi.mtime;
        sig->size = fi.size;
        sig->inode = fi.inode;
        return APR_SUCCESS;
    }
    return rv;
}

/* Read and parse the file; publish it when it parses. */
static profile_set *load_file(x2gobroker_profile_src *src, server_rec *s,
                              request_rec *r, const char **err, apr_pool_t *p)
{
    char *text;
    apr_size_t len;
    profile_set *set;

    if (xgb_ini_read_file(p, src->path, XGB_INI_MAX_SIZE, &text, &len, err)
        != APR_SUCCESS) {
        return NULL;
    }
    set = parse_set(src->path, text, len, err, p);
    if (set) {
        share_text(src, s, r, text, len);
    }
    return set;
}

/* Does this configuration serve profiles from a file: the inifile backend
 * enabled with a frontend that lists it? */
static void note_use(const x2gobroker_cfg *c, void *baton)
{
    x2gobroker_profile_src *src = c->profiles ? c->profiles : default_src;

    if (x2gobroker_cfg_flag(c->inifile_enable, 1)
        && (x2gobroker_cfg_flag(c->enable_plain, 1)
            || x2gobroker_cfg_flag(c->enable_json, 1)
            || x2gobroker_cfg_flag(c->enable_uccs, 0))) {
        src->used = 1;
    }
}

int x2gobroker_profiles_post_config(apr_pool_t *pconf, server_rec *s,
                                    int real)
{
    x2gobroker_profile_src *src;
    apr_pool_t *scratch;

    /* Always there, so that a request can reach it even where the walk
     * below cannot see it used (a section with SetHandler only). */
    if (!default_src) {
        default_src = x2gobroker_profiles_register(pconf, XGB_DEFAULT_PROFILES,
                                                   0);
    }
    for (src = sources; src; src = src->next) {
        src->used = 0;
    }
    apr_pool_create(&scratch, pconf);
    x2gobroker_walk_configs(scratch, s, note_use, NULL);
    apr_pool_destroy(scratch);

    for (src = sources; src; src = src->next) {
        const char *err = NULL;
        profile_set *set;
        file_sig sig = { 0 };
        apr_status_t rv;

        if (!src->used) {
            /* Nothing serves it: whatever state the file is in must not
             * stop httpd.  Should a request reach it after all, the
             * first one loads it (an empty signature never matches). */
            ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s, XGB_LOGNO(00210)
                         "session profiles %s: not used by any "
                         "configuration, not loaded", src->path);
            set = parse_set(src->path, "", 0, &err, pconf);
            set_release(src->current);
            src->current = set;
            src->loaded = sig;
            continue;
        }
        /* the dry run only checks the file */
        rv = real ? apr_shm_create(&src->shm, sizeof(shared_copy), NULL,
                                   pconf)
                  : APR_SUCCESS;
        if (real && rv == APR_SUCCESS) {
            src->shared = apr_shm_baseaddr_get(src->shm);
            src->shared->version = 0;
        }
        else if (real) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, rv, s, XGB_LOGNO(00016)
                         "no shared memory for %s: children that start "
                         "after the file broke serve the start-up version",
                         src->path);
        }
        rv = stat_sig(src->path, &sig, pconf);
        if (rv != APR_SUCCESS && !src->required) {
            ap_log_error(APLOG_MARK, APLOG_NOTICE, rv, s, XGB_LOGNO(00010)
                         "session profiles %s not found: serving no "
                         "profiles until it appears", src->path);
            set = parse_set(src->path, "", 0, &err, pconf);
        }
        else {
            set = load_file(src, s, NULL, &err, pconf);
            if (!set) {
                ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, XGB_LOGNO(00011)
                             "X2GoBrokerSessionProfiles: %s", err);
                return HTTP_INTERNAL_SERVER_ERROR;
            }
        }
        set_release(src->current);
        src->current = set;
        src->loaded = sig;
    }
    return OK;
}

void x2gobroker_profiles_child_init(apr_pool_t *pchild, server_rec *s)
{
    x2gobroker_profile_src *src;

    for (src = sources; src; src = src->next) {
        apr_status_t rv = apr_thread_mutex_create(&src->mutex,
                                                  APR_THREAD_MUTEX_DEFAULT,
                                                  pchild);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, XGB_LOGNO(00012)
                         "cannot create the profile mutex for %s",
                         src->path);
        }
    }
}

typedef struct {
    x2gobroker_profile_src *src;
    profile_set *set;
} set_hold;

static apr_status_t release_hold(void *data)
{
    set_hold *h = data;

    if (h->src->mutex) {
        apr_thread_mutex_lock(h->src->mutex);
    }
    set_release(h->set);
    if (h->src->mutex) {
        apr_thread_mutex_unlock(h->src->mutex);
    }
    return APR_SUCCESS;
}

static void install(x2gobroker_profile_src *src, profile_set *set)
{
    set_release(src->current);
    src->current = set;
}

/* The file is broken: serve the last good version some child shared, if
 * it is newer than ours. */
static void adopt_shared(request_rec *r, x2gobroker_profile_src *src)
{
    apr_size_t len;
    apr_uint32_t version;
    const char *err = NULL;
    const char *text = shared_text(src, r, &len, &version);
    profile_set *set;

    if (!text) {
        return;
    }
    set = parse_set(src->path, text, len, &err, r->pool);
    if (set) {
        install(src, set);
        src->seen_version = version;
    }
}

/* Called with the mutex held: swap in a new version if the file changed
 * and parses; otherwise keep serving the last good one. */
static void refresh(request_rec *r, x2gobroker_profile_src *src)
{
    file_sig sig;
    const char *err = NULL;
    profile_set *set;
    apr_status_t rv = stat_sig(src->path, &sig, r->pool);

    if (rv != APR_SUCCESS) {
        if (!src->stat_failed) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, XGB_LOGNO(00013)
                          "session profiles %s: cannot stat, keeping the "
                          "last good profiles", src->path);
            src->stat_failed = 1;
        }
        /* A file that is gone is as broken as one that does not parse:
         * a child forked since must not serve its parent's start-up
         * version instead of the last good one. */
        adopt_shared(r, src);
        return;
    }
    src->stat_failed = 0;
    if (sig_equal(&sig, &src->loaded) || sig_equal(&sig, &src->failed)) {
        return;
    }
    set = load_file(src, r->server, r, &err, r->pool);
    if (!set) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, XGB_LOGNO(00014)
                      "%s; keeping the last good profiles", err);
        src->failed = sig;
        adopt_shared(r, src);
        return;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, XGB_LOGNO(00015)
                  "session profiles %s reloaded", src->path);
    install(src, set);
    src->loaded = sig;
}

const xgb_profiles_t *x2gobroker_profiles_get(request_rec *r,
                                              x2gobroker_profile_src *src)
{
    set_hold *h = apr_palloc(r->pool, sizeof(*h));

    if (src->mutex) {
        apr_thread_mutex_lock(src->mutex);
    }
    refresh(r, src);
    h->src = src;
    h->set = src->current;
    h->set->refs++;
    if (src->mutex) {
        apr_thread_mutex_unlock(src->mutex);
    }
    apr_pool_cleanup_register(r->pool, h, release_hold,
                              apr_pool_cleanup_null);
    return h->set->profiles;
}
