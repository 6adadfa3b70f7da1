/*
 * xgb_groupdb.c - group memberships for the group ACLs (spec 7.4).
 *
 * The databases are immutable tables of function pointers, so sharing
 * them between threads is safe.  "libnss" asks the system on every call
 * (no snapshot at start-up as in the reference, bug B23) and uses only
 * the reentrant *_r interfaces and getgrouplist(), because the module
 * runs under threaded MPMs.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <apr_strings.h>

#include "xgb_groupdb.h"
#include "xgb_log.h"

typedef apr_array_header_t *xgb_groups_fn(apr_pool_t *p, const char *user,
                                          int include_primary);

struct xgb_groupdb {
    const char *name;
    xgb_groups_fn *groups;
};

/* Upper bounds that stop a broken name service from making us allocate
 * without end: a passwd/group record buffer and a group count. */
#define XGB_NSS_BUF_MAX (1024 * 1024)
#define XGB_NSS_GROUPS_MAX 65536

static apr_array_header_t *new_list(apr_pool_t *p)
{
    return apr_array_make(p, 8, sizeof(const char *));
}

static void add_unique(apr_array_header_t *arr, const char *name)
{
    int i;

    for (i = 0; i < arr->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(arr, i, const char *), name) == 0) {
            return;
        }
    }
    APR_ARRAY_PUSH(arr, const char *) = name;
}

/* ---- "base": knows nobody ---------------------------------------- */

static apr_array_header_t *base_groups(apr_pool_t *p, const char *user,
                                       int include_primary)
{
    (void)user;
    (void)include_primary;
    return new_list(p);
}

/* ---- "testsuite": the reference's fixed users and groups ----------- */

static const char *const ts_users[] = {
    "maja", "willi", "flip", "kassandra", "thekla", NULL
};

/* Each row: group name, then its members, NULL-terminated. */
static const char *const ts_groups[][5] = {
    { "male", "willi", "flip", NULL, NULL },
    { "female", "maja", "kassandra", "thekla", NULL },
    { "bees", "maja", "willi", "kassandra", NULL },
    { "grasshoppers", "flip", NULL, NULL, NULL },
    { "spiders", "thekla", NULL, NULL, NULL },
};

static apr_array_header_t *ts_groups_of(apr_pool_t *p, const char *user,
                                        int include_primary)
{
    apr_array_header_t *out = new_list(p);
    apr_size_t g;
    int i;

    for (g = 0; g < sizeof(ts_groups) / sizeof(ts_groups[0]); g++) {
        for (i = 1; i < 5 && ts_groups[g][i]; i++) {
            if (strcmp(ts_groups[g][i], user) == 0) {
                add_unique(out, ts_groups[g][0]);
                break;
            }
        }
    }
    /* Every known user's primary group is named like the user. */
    if (include_primary) {
        for (i = 0; ts_users[i]; i++) {
            if (strcmp(ts_users[i], user) == 0) {
                add_unique(out, ts_users[i]);
                break;
            }
        }
    }
    return out;
}

/* ---- "libnss": the system databases ------------------------------- */

static apr_size_t initial_bufsize(int which)
{
    long n = sysconf(which);

    return (n > 0 && n <= XGB_NSS_BUF_MAX) ? (apr_size_t)n : 1024;
}

/* getpwnam_r() with a buffer that grows on ERANGE.  The buffer lives in
 * `tmp`, so the caller copies what it keeps.  Returns 0 if the user does
 * not exist or the lookup failed. */
static int lookup_user(apr_pool_t *tmp, const char *user, gid_t *gid)
{
    apr_size_t size = initial_bufsize(_SC_GETPW_R_SIZE_MAX);

    while (size <= XGB_NSS_BUF_MAX) {
        struct passwd pw, *res = NULL;
        char *buf = apr_palloc(tmp, size);
        int rc = getpwnam_r(user, &pw, buf, size, &res);

        if (rc == ERANGE) {
            size *= 2;
            continue;
        }
        if (rc != 0 || !res) {
            return 0;
        }
        *gid = pw.pw_gid;
        return 1;
    }
    XGB_LOG(XGB_LOG_WARNING, "passwd entry of user '%s' is too large", user);
    return 0;
}

/* A growable scratch buffer for the *_r lookups, reused across the
 * groups of one call so that many groups do not mean many buffers. */
typedef struct {
    apr_pool_t *pool;
    char *buf;
    apr_size_t size;
} nss_buf_t;

/* getgrgid_r() likewise; on success *name is copied to `p` and *listed
 * tells whether `user` appears in the group's member list. */
static int lookup_group(apr_pool_t *p, nss_buf_t *b, gid_t gid,
                        const char *user, const char **name, int *listed)
{
    while (b->size <= XGB_NSS_BUF_MAX) {
        struct group gr, *res = NULL;
        int rc = getgrgid_r(gid, &gr, b->buf, b->size, &res);
        char **m;

        if (rc == ERANGE) {
            b->size *= 2;
            b->buf = apr_palloc(b->pool, b->size);
            continue;
        }
        if (rc != 0 || !res || !gr.gr_name) {
            return 0;
        }
        *name = apr_pstrdup(p, gr.gr_name);
        *listed = 0;
        for (m = gr.gr_mem; m && *m; m++) {
            if (strcmp(*m, user) == 0) {
                *listed = 1;
                break;
            }
        }
        return 1;
    }
    XGB_LOG(XGB_LOG_WARNING, "group entry of gid %lu is too large",
            (unsigned long)gid);
    return 0;
}

/* The groups of `user` from the name service: getgrouplist() gives the
 * gids (listed memberships plus the gid passed in), getgrgid_r() their
 * names and member lists.  All scratch memory lives in a subpool that is
 * gone on return; only the names stay in `p`. */
static apr_array_header_t *nss_groups(apr_pool_t *p, const char *user,
                                      int include_primary)
{
    apr_array_header_t *out = new_list(p);
    apr_pool_t *tmp;
    gid_t primary;
    gid_t *gids;
    nss_buf_t b;
    int n = 32, i;

    if (!*user || apr_pool_create(&tmp, p) != APR_SUCCESS) {
        return out;
    }
    /* Unknown to passwd: no primary gid to start from, and the header
     * promises an empty answer for unknown users. */
    if (!lookup_user(tmp, user, &primary)) {
        apr_pool_destroy(tmp);
        return out;
    }
    /* getgrouplist() reports the required size when the array is too
     * small; loop until it fits (the group file may change meanwhile). */
    while (1) {
        int want = n;

        gids = apr_palloc(tmp, sizeof(gid_t) * (apr_size_t)n);
        if (getgrouplist(user, primary, gids, &want) >= 0) {
            n = want;
            break;
        }
        if (want <= n) {
            want = n * 2;
        }
        if (want > XGB_NSS_GROUPS_MAX) {
            XGB_LOG(XGB_LOG_WARNING, "user '%s' is in too many groups",
                    user);
            apr_pool_destroy(tmp);
            return out;
        }
        n = want;
    }
    b.pool = tmp;
    b.size = initial_bufsize(_SC_GETGR_R_SIZE_MAX);
    b.buf = apr_palloc(tmp, b.size);
    for (i = 0; i < n; i++) {
        const char *name;
        int listed;

        if (!lookup_group(p, &b, gids[i], user, &name, &listed)) {
            continue;
        }
        /* getgrouplist() always includes the gid we pass in: the primary
         * group counts only when asked for, or when the group file lists
         * the user as a member of it as well. */
        if (gids[i] == primary && !include_primary && !listed) {
            continue;
        }
        add_unique(out, name);
    }
    apr_pool_destroy(tmp);
    return out;
}

/* ---- registry ------------------------------------------------------ */

static const xgb_groupdb_t groupdbs[] = {
    { "libnss", nss_groups },
    { "testsuite", ts_groups_of },
    { "base", base_groups },
};

const xgb_groupdb_t *xgb_groupdb_get(const char *name)
{
    apr_size_t i;

    if (!name) {
        return NULL;
    }
    for (i = 0; i < sizeof(groupdbs) / sizeof(groupdbs[0]); i++) {
        if (strcmp(groupdbs[i].name, name) == 0) {
            return &groupdbs[i];
        }
    }
    return NULL;
}

apr_array_header_t *xgb_groupdb_groups(const xgb_groupdb_t *db,
                                       apr_pool_t *p, const char *user,
                                       int include_primary)
{
    if (!p) {
        return NULL;
    }
    apr_array_header_t *groups;
    const char *key;

    if (!db || !user) {
        return new_list(p);
    }
    /* A listing checks the group ACLs of every profile for the same
     * user: ask the name service once per pool (per request), not once
     * per profile.  The answer is read-only for callers. */
    key = apr_psprintf(p, "xgb_groupdb:%s:%d:%s", db->name, include_primary,
                       user);
    if (apr_pool_userdata_get((void **)&groups, key, p) == APR_SUCCESS
        && groups) {
        return groups;
    }
    groups = db->groups(p, user, include_primary);
    apr_pool_userdata_set(groups, key, NULL, p);
    return groups;
}
