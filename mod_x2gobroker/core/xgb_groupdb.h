/*
 * xgb_groupdb.h - where group memberships for group ACLs come from.
 */
#ifndef XGB_GROUPDB_H
#define XGB_GROUPDB_H

#include <apr_pools.h>
#include <apr_tables.h>

typedef struct xgb_groupdb xgb_groupdb_t;

/* "libnss" (the system group database), "testsuite" (the reference's
 * fixed test users and groups) or "base" (no users, no groups).  NULL for
 * any other name. */
const xgb_groupdb_t *xgb_groupdb_get(const char *name);

/* The names of the groups `user` belongs to (const char *), without the
 * pseudo-group ALL: groups whose member list names the user, plus the
 * user's primary group when include_primary is set.  Empty for unknown
 * users.  Remembered in `p` (per request in the module): the array must
 * not be modified. */
apr_array_header_t *xgb_groupdb_groups(const xgb_groupdb_t *db,
                                       apr_pool_t *p, const char *user,
                                       int include_primary);

#endif
