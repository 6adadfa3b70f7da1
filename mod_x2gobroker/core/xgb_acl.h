/*
 * xgb_acl.h - profile ACLs (spec section 7.4): users, groups, clients.
 */
#ifndef XGB_ACL_H
#define XGB_ACL_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "xgb_groupdb.h"

/* The acl-* keys of one profile after [DEFAULT] and the hard-coded
 * defaults were merged in.  Lists hold const char *; an order is the raw
 * string ("" when unset). */
typedef struct {
    apr_array_header_t *users_allow;
    apr_array_header_t *users_deny;
    const char *users_order;
    apr_array_header_t *groups_allow;
    apr_array_header_t *groups_deny;
    const char *groups_order;
    apr_array_header_t *clients_allow;
    apr_array_header_t *clients_deny;
    const char *clients_order;
    const char *any_order;
} xgb_acl_t;

/* Fill every member with its default (empty lists, "" orders,
 * any_order "deny-allow"). */
void xgb_acl_init(apr_pool_t *p, xgb_acl_t *acl);

/* Log a warning for every acl-clients-* entry that is neither ALL nor an
 * IP address or network; `where` names the profile ("file: profile
 * 'id'").  Called once per load, so requests do not repeat it. */
void xgb_acl_report_invalid(const xgb_acl_t *acl, const char *where);

/* Is the profile visible to `user` connecting from `client_ip` (an IPv4
 * or IPv6 literal, already normalised)?  Returns 1 or 0.  Group
 * membership comes from `db`; `ignore_primary` mirrors
 * ignore-primary-group-memberships.  Invalid client entries match
 * nothing (fix of reference bug B3); an empty per-category order falls
 * back to any_order (fix of B2). */
int xgb_acl_check(apr_pool_t *p, const xgb_acl_t *acl, const char *user,
                  const char *client_ip, const xgb_groupdb_t *db,
                  int ignore_primary);

#endif
