/*
 * xgb_acl.c - profile ACLs (spec section 7.4).
 *
 * Three categories are judged in turn: clients (a veto), users, groups.
 * Each yields GRANT, REFUSE or UNDECIDED from two "matched" flags and an
 * order.  Two deliberate differences from the reference:
 *   B2: an empty per-category order falls back to acl-any-order (the
 *       reference shadows acl-any-order with its own "" defaults);
 *   B3: an unparsable client entry matches nothing, and is reported once
 *       when the profile is loaded (the reference then empties both
 *       client lists, so nobody matches).
 * Neither changes the outcome of any reference test vector.
 */
#include <string.h>

#include "xgb_acl.h"
#include "xgb_addr.h"
#include "xgb_log.h"

typedef enum {
    ACL_UNDECIDED = 0,
    ACL_GRANT,
    ACL_REFUSE
} acl_result_e;

void xgb_acl_init(apr_pool_t *p, xgb_acl_t *acl)
{
    if (!p || !acl) {
        return;
    }
    acl->users_allow = apr_array_make(p, 0, sizeof(const char *));
    acl->users_deny = apr_array_make(p, 0, sizeof(const char *));
    acl->users_order = "";
    acl->groups_allow = apr_array_make(p, 0, sizeof(const char *));
    acl->groups_deny = apr_array_make(p, 0, sizeof(const char *));
    acl->groups_order = "";
    acl->clients_allow = apr_array_make(p, 0, sizeof(const char *));
    acl->clients_deny = apr_array_make(p, 0, sizeof(const char *));
    acl->clients_order = "";
    acl->any_order = "deny-allow";
}

static int list_len(const apr_array_header_t *arr)
{
    return arr ? arr->nelts : 0;
}

static const char *list_at(const apr_array_header_t *arr, int i)
{
    const char *s = APR_ARRAY_IDX(arr, i, const char *);

    return s ? s : "";
}

static int list_has(const apr_array_header_t *arr, const char *name)
{
    int i;

    for (i = 0; i < list_len(arr); i++) {
        if (strcmp(list_at(arr, i), name) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Only the exact string "allow-deny" puts allow first; every other
 * non-empty value, typos included, means deny first, as in the
 * reference.  Empty means "not set here": use acl-any-order (B2). */
static int allow_first(const char *order, const char *any_order)
{
    if (!order || !*order) {
        order = any_order;
    }
    return order && strcmp(order, "allow-deny") == 0;
}

/* The rule shared by all three categories: whichever list is consulted
 * first decides if it matched; if neither matched, nothing is decided
 * (which the callers then treat as "not granted"). */
static acl_result_e decide(int allow, int deny, int allow_is_first)
{
    if (allow_is_first) {
        return allow ? ACL_GRANT : deny ? ACL_REFUSE : ACL_UNDECIDED;
    }
    return deny ? ACL_REFUSE : allow ? ACL_GRANT : ACL_UNDECIDED;
}

/* Does any entry of a client list hold `ip`?  "ALL" stands for both
 * 0.0.0.0/0 and ::/0, i.e. any address of either family. */
static int clients_match(const apr_array_header_t *arr, const xgb_ip_t *ip,
                         int ip_ok)
{
    int i, hit = 0;

    for (i = 0; i < list_len(arr); i++) {
        const char *entry = list_at(arr, i);
        xgb_net_t net;

        if (strcmp(entry, "ALL") == 0) {
            hit = 1;
            continue;
        }
        /* Bad entries were reported when the profile was loaded
         * (xgb_acl_report_invalid); here they just match nothing. */
        if (ip_ok && xgb_net_parse(entry, &net)
            && xgb_net_contains(&net, ip)) {
            hit = 1;
        }
    }
    return hit && ip_ok;
}

static void report_list(const apr_array_header_t *arr, const char *key,
                        const char *where)
{
    int i;

    for (i = 0; i < list_len(arr); i++) {
        const char *entry = list_at(arr, i);
        xgb_net_t net;

        if (strcmp(entry, "ALL") != 0 && !xgb_net_parse(entry, &net)) {
            XGB_LOG(XGB_LOG_WARNING,
                    "%s: %s: ignoring '%s': not an IP address or network",
                    where ? where : "profile", key, entry);
        }
    }
}

void xgb_acl_report_invalid(const xgb_acl_t *acl, const char *where)
{
    if (acl) {
        report_list(acl->clients_allow, "acl-clients-allow", where);
        report_list(acl->clients_deny, "acl-clients-deny", where);
    }
}

int xgb_acl_check(apr_pool_t *p, const xgb_acl_t *acl, const char *user,
                  const char *client_ip, const xgb_groupdb_t *db,
                  int ignore_primary)
{
    acl_result_e by_user = ACL_UNDECIDED;
    const char *any;

    /* No ACL means no restriction, like a profile without acl-* keys. */
    if (!acl) {
        return 1;
    }
    if (!user) {
        user = "";
    }
    any = acl->any_order;

    /* 1. Clients veto: with any client rule, only GRANT passes. */
    if (list_len(acl->clients_allow) + list_len(acl->clients_deny) > 0) {
        xgb_ip_t ip;
        int ip_ok, allow, deny;

        memset(&ip, 0, sizeof(ip));
        ip_ok = xgb_addr_parse(client_ip, &ip);

        /* The reference fails the whole request (500) on such an
         * address; hiding the profile is the safe equivalent here. */
        if (!ip_ok) {
            XGB_LOG(XGB_LOG_WARNING,
                    "client address '%s' is not an IP address: "
                    "no client ACL entry matches it",
                    client_ip ? client_ip : "(none)");
        }
        allow = clients_match(acl->clients_allow, &ip, ip_ok);
        deny = clients_match(acl->clients_deny, &ip, ip_ok);
        if (decide(allow, deny, allow_first(acl->clients_order, any))
            != ACL_GRANT) {
            return 0;
        }
    }

    /* 2. No user or group rules at all: visible. */
    if (list_len(acl->users_allow) + list_len(acl->users_deny)
        + list_len(acl->groups_allow) + list_len(acl->groups_deny) == 0) {
        return 1;
    }

    /* 3. Users: a GRANT here is final, groups are not consulted. */
    if (list_len(acl->users_allow) + list_len(acl->users_deny) > 0) {
        int allow = list_has(acl->users_allow, user)
                    || list_has(acl->users_allow, "ALL");
        int deny = list_has(acl->users_deny, user)
                   || list_has(acl->users_deny, "ALL");

        by_user = decide(allow, deny, allow_first(acl->users_order, any));
        if (by_user == ACL_GRANT) {
            return 1;
        }
    }

    /* 4. Groups: the user is always in the pseudo-group ALL.  A group
     * GRANT cannot overrule an explicit user REFUSE. */
    if (list_len(acl->groups_allow) + list_len(acl->groups_deny) > 0) {
        apr_array_header_t *groups = NULL;
        int allow = list_has(acl->groups_allow, "ALL");
        int deny = list_has(acl->groups_deny, "ALL");
        int i;

        if (p && db) {
            groups = xgb_groupdb_groups(db, p, user, !ignore_primary);
        }
        for (i = 0; i < list_len(groups); i++) {
            const char *g = list_at(groups, i);

            allow = allow || list_has(acl->groups_allow, g);
            deny = deny || list_has(acl->groups_deny, g);
        }
        if (decide(allow, deny, allow_first(acl->groups_order, any))
            == ACL_GRANT
            && by_user != ACL_REFUSE) {
            return 1;
        }
    }

    return 0;
}
