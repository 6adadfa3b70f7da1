/*
 * test_acl.c - client addresses, group databases and profile ACLs
 * (spec 7.4, the reference's check_profile_acls test vectors of spec 9,
 * and the B2/B3 fixes of spec 10).
 */
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/types.h>

#include <apr_strings.h>

#include "xgb_test.h"
#include "xgb_acl.h"
#include "xgb_addr.h"
#include "xgb_groupdb.h"

/* ---- helpers --------------------------------------------------------- */

static apr_array_header_t *split_list(apr_pool_t *p, const char *s)
{
    apr_array_header_t *arr = apr_array_make(p, 4, sizeof(const char *));
    char *copy = apr_pstrdup(p, s), *last, *tok;

    for (tok = apr_strtok(copy, ",", &last); tok;
         tok = apr_strtok(NULL, ",", &last)) {
        APR_ARRAY_PUSH(arr, const char *) = tok;
    }
    return arr;
}

/* Build an ACL from "key=value; key=value" with the keys of the spec
 * (acl- prefix dropped); everything else keeps its default. */
static xgb_acl_t *make_acl(apr_pool_t *p, const char *spec)
{
    xgb_acl_t *acl = apr_pcalloc(p, sizeof(*acl));
    char *copy = apr_pstrdup(p, spec), *last, *kv;

    xgb_acl_init(p, acl);
    for (kv = apr_strtok(copy, ";", &last); kv;
         kv = apr_strtok(NULL, ";", &last)) {
        char *eq;

        while (*kv == ' ') {
            kv++;
        }
        eq = strchr(kv, '=');
        ck_assert_msg(eq != NULL, "bad test spec '%s'", kv);
        *eq++ = '\0';
        if (!strcmp(kv, "users-allow")) {
            acl->users_allow = split_list(p, eq);
        }
        else if (!strcmp(kv, "users-deny")) {
            acl->users_deny = split_list(p, eq);
        }
        else if (!strcmp(kv, "users-order")) {
            acl->users_order = eq;
        }
        else if (!strcmp(kv, "groups-allow")) {
            acl->groups_allow = split_list(p, eq);
        }
        else if (!strcmp(kv, "groups-deny")) {
            acl->groups_deny = split_list(p, eq);
        }
        else if (!strcmp(kv, "groups-order")) {
            acl->groups_order = eq;
        }
        else if (!strcmp(kv, "clients-allow")) {
            acl->clients_allow = split_list(p, eq);
        }
        else if (!strcmp(kv, "clients-deny")) {
            acl->clients_deny = split_list(p, eq);
        }
        else if (!strcmp(kv, "clients-order")) {
            acl->clients_order = eq;
        }
        else if (!strcmp(kv, "any-order")) {
            acl->any_order = eq;
        }
        else {
            ck_abort_msg("unknown key '%s' in test spec", kv);
        }
    }
    return acl;
}

/* Check "user:T user:F ..." against xgb_acl_check(); returns how many
 * user checks ran so that a vector can never pass vacuously. */
static int expect_acl(apr_pool_t *p, const char *spec, const char *ip,
                      int ignore_primary, const char *expect)
{
    const xgb_groupdb_t *db = xgb_groupdb_get("testsuite");
    xgb_acl_t *acl = make_acl(p, spec);
    char *copy = apr_pstrdup(p, expect), *last, *ur;
    int n = 0;

    for (ur = apr_strtok(copy, " ", &last); ur;
         ur = apr_strtok(NULL, " ", &last)) {
        char *colon = strchr(ur, ':');
        int want, got;

        ck_assert_ptr_nonnull(colon);
        *colon = '\0';
        want = colon[1] == 'T';
        got = xgb_acl_check(p, acl, ur, ip, db, ignore_primary);
        ck_assert_msg(got == want, "[%s] @%s user %s: expected %s, got %s",
                      spec, ip, ur, want ? "visible" : "hidden",
                      got ? "visible" : "hidden");
        n++;
    }
    return n;
}

/* ---- the reference vectors ------------------------------------------- */

typedef struct {
    const char *group;          /* reference test it comes from */
    const char *spec;           /* acl-* keys, prefix dropped */
    int ignore_primary;         /* ignore-primary-group-memberships */
    const char *ip;             /* client address, NULL: 10.0.2.14 */
    const char *expect;         /* user:T (visible) / user:F (hidden) */
} acl_vec_t;

/* Every vector of spec section 9 (test_broker_base.py), in order, plus
 * test_listprofileswithacls of test_broker_inifile.py with its [DEFAULT]
 * keys merged into each profile.  Generated from the spec text and
 * checked against the installed reference implementation. */
static const acl_vec_t acl_vectors[] = {
    /* test_checkprofileacls_user_simpletests */
    { "user_simpletests",
      "users-order=deny-allow",
      1, NULL,
      "foo:T" },
    { "user_simpletests",
      "users-order=allow-deny",
      1, NULL,
      "foo:T" },
    { "user_simpletests",
      "users-allow=ALL; users-order=deny-allow",
      1, NULL,
      "foo:T" },
    { "user_simpletests",
      "users-allow=ALL; users-order=allow-deny",
      1, NULL,
      "foo:T" },
    { "user_simpletests",
      "users-allow=foo; users-order=deny-allow",
      1, NULL,
      "foo:T" },
    { "user_simpletests",
      "users-allow=foo; users-order=allow-deny",
      1, NULL,
      "foo:T" },
    { "user_simpletests",
      "users-deny=ALL; users-order=deny-allow",
      1, NULL,
      "foo:F" },
    { "user_simpletests",
      "users-deny=ALL; users-order=allow-deny",
      1, NULL,
      "foo:F" },
    { "user_simpletests",
      "users-deny=foo; users-order=deny-allow",
      1, NULL,
      "foo:F" },
    { "user_simpletests",
      "users-deny=foo; users-order=allow-deny",
      1, NULL,
      "foo:F" },
    /* test_checkprofileacls_user_combitests */
    { "user_combitests",
      "users-allow=foo; users-deny=ALL; users-order=deny-allow",
      1, NULL,
      "foo:F" },
    { "user_combitests",
      "users-allow=foo; users-deny=ALL; users-order=allow-deny",
      1, NULL,
      "foo:T" },
    { "user_combitests",
      "users-allow=ALL; users-deny=foo; users-order=deny-allow",
      1, NULL,
      "foo:F" },
    { "user_combitests",
      "users-allow=ALL; users-deny=foo; users-order=allow-deny",
      1, NULL,
      "foo:T" },
    /* test_checkprofileacls_group_simpletests */
    { "group_simpletests",
      "groups-allow=ALL; groups-order=deny-allow",
      1, NULL,
      "willi:T" },
    { "group_simpletests",
      "groups-allow=male; groups-order=deny-allow",
      1, NULL,
      "willi:T" },
    { "group_simpletests",
      "groups-allow=female; groups-order=deny-allow",
      1, NULL,
      "willi:F" },
    { "group_simpletests",
      "groups-allow=ALL; groups-order=allow-deny",
      1, NULL,
      "willi:T" },
    { "group_simpletests",
      "groups-allow=male; groups-order=allow-deny",
      1, NULL,
      "willi:T" },
    { "group_simpletests",
      "groups-allow=female; groups-order=allow-deny",
      1, NULL,
      "willi:F" },
    { "group_simpletests",
      "groups-deny=ALL; groups-order=allow-deny",
      1, NULL,
      "willi:F" },
    { "group_simpletests",
      "groups-deny=male; groups-order=allow-deny",
      1, NULL,
      "willi:F" },
    { "group_simpletests",
      "groups-deny=female; groups-order=allow-deny",
      1, NULL,
      "willi:F" },
    { "group_simpletests",
      "groups-deny=ALL; groups-order=deny-allow",
      1, NULL,
      "willi:F" },
    { "group_simpletests",
      "groups-deny=male; groups-order=deny-allow",
      1, NULL,
      "willi:F" },
    { "group_simpletests",
      "groups-deny=female; groups-order=deny-allow",
      1, NULL,
      "willi:F" },
    /* test_checkprofileacls_group_primarygroups */
    { "group_primarygroups",
      "groups-deny=bees,flip; groups-allow=ALL; groups-order=deny-allow",
      1, NULL,
      "maja:F flip:T willi:F" },
    { "group_primarygroups",
      "groups-deny=bees,flip; groups-allow=ALL; groups-order=deny-allow",
      1, NULL,
      "maja:F flip:T willi:F" },
    { "group_primarygroups",
      "groups-deny=bees,flip; groups-allow=ALL; groups-order=deny-allow",
      0, NULL,
      "maja:F flip:F willi:F" },
    { "group_primarygroups",
      "groups-allow=bees,flip; groups-deny=ALL; groups-order=allow-deny",
      1, NULL,
      "maja:T flip:F willi:T" },
    { "group_primarygroups",
      "groups-allow=bees,flip; groups-deny=ALL; groups-order=allow-deny",
      1, NULL,
      "maja:T flip:F willi:T" },
    { "group_primarygroups",
      "groups-allow=bees,flip; groups-deny=ALL; groups-order=allow-deny",
      0, NULL,
      "maja:T flip:T willi:T" },
    /* test_checkprofileacls_group_combitests */
    { "group_combitests",
      "groups-allow=bees; groups-deny=ALL; groups-order=deny-allow",
      1, NULL,
      "maja:F flip:F willi:F" },
    { "group_combitests",
      "groups-allow=ALL; groups-deny=bees; groups-order=allow-deny",
      1, NULL,
      "maja:T flip:T willi:T" },
    { "group_combitests",
      "groups-allow=ALL; groups-deny=bees; groups-order=deny-allow",
      1, NULL,
      "maja:F flip:T willi:F" },
    { "group_combitests",
      "groups-allow=bees; groups-deny=ALL; groups-order=allow-deny",
      1, NULL,
      "maja:T flip:F willi:T" },
    { "group_combitests",
      "groups-allow=male; groups-deny=bees; groups-order=deny-allow",
      1, NULL,
      "maja:F flip:T willi:F" },
    { "group_combitests",
      "groups-allow=male; groups-deny=bees; groups-order=allow-deny",
      1, NULL,
      "maja:F flip:T willi:T" },
    /* test_checkprofileacls_userandgroup_combitests */
    { "userandgroup_combitests",
      "users-allow=flip; users-order=deny-allow; groups-allow=female,male; "
      "groups-deny=spiders; groups-order=deny-allow",
      1, NULL,
      "flip:T kassandra:T maja:T thekla:F willi:T" },
    { "userandgroup_combitests",
      "users-allow=flip; users-order=deny-allow; groups-allow=female,male; "
      "groups-deny=spiders; groups-order=allow-deny",
      1, NULL,
      "flip:T kassandra:T maja:T thekla:T willi:T" },
    { "userandgroup_combitests",
      "users-allow=flip; users-order=allow-deny; groups-allow=male,female; "
      "groups-deny=spiders,grasshoppers; groups-order=allow-deny",
      1, NULL,
      "flip:T kassandra:T maja:T thekla:T willi:T" },
    { "userandgroup_combitests",
      "users-order=allow-deny; groups-allow=male,female; "
      "groups-deny=spiders,grasshoppers; groups-order=allow-deny",
      1, NULL,
      "flip:T kassandra:T maja:T thekla:T willi:T" },
    { "userandgroup_combitests",
      "users-order=allow-deny; groups-allow=male,female; "
      "groups-deny=spiders,grasshoppers; groups-order=deny-allow",
      1, NULL,
      "flip:F kassandra:T maja:T thekla:F willi:T" },
    { "userandgroup_combitests",
      "users-allow=flip,thekla; users-deny=maja; users-order=allow-deny; "
      "groups-allow=male,female; groups-deny=spiders,grasshoppers; "
      "groups-order=deny-allow",
      1, NULL,
      "flip:T kassandra:T maja:F thekla:T willi:T" },
    { "userandgroup_combitests",
      "users-allow=flip,thekla; users-deny=maja; users-order=deny-allow; "
      "groups-allow=female; groups-deny=spiders,grasshoppers; "
      "groups-order=deny-allow",
      1, NULL,
      "flip:T kassandra:T maja:F thekla:T willi:F" },
    /* test_checkprofileacls_clientipv4_simpletests */
    { "clientipv4_simpletests",
      "clients-order=deny-allow",
      1, "10.0.2.14",
      "foo:T" },
    { "clientipv4_simpletests",
      "clients-order=allow-deny",
      1, "10.0.2.14",
      "foo:T" },
    { "clientipv4_simpletests",
      "clients-allow=ALL; clients-order=deny-allow",
      1, "10.0.2.14",
      "foo:T" },
    { "clientipv4_simpletests",
      "clients-allow=ALL; clients-order=allow-deny",
      1, "10.0.2.14",
      "foo:T" },
    { "clientipv4_simpletests",
      "clients-allow=10.0.2.14; clients-order=deny-allow",
      1, "10.0.2.14",
      "foo:T" },
    { "clientipv4_simpletests",
      "clients-allow=10.0.2.14; clients-order=allow-deny",
      1, "10.0.2.14",
      "foo:T" },
    { "clientipv4_simpletests",
      "clients-deny=ALL; clients-order=deny-allow",
      1, "10.0.2.14",
      "foo:F" },
    { "clientipv4_simpletests",
      "clients-deny=ALL; clients-order=allow-deny",
      1, "10.0.2.14",
      "foo:F" },
    { "clientipv4_simpletests",
      "clients-deny=10.0.2.14; clients-order=deny-allow",
      1, "10.0.2.14",
      "foo:F" },
    { "clientipv4_simpletests",
      "clients-deny=10.0.2.14; clients-order=allow-deny",
      1, "10.0.2.14",
      "foo:F" },
    /* test_checkprofileacls_clientipv4_combitests */
    { "clientipv4_combitests",
      "clients-allow=10.0.2.0/24; clients-deny=ALL; clients-order=allow-deny",
      1, "10.0.2.14",
      "foo:T" },
    { "clientipv4_combitests",
      "clients-allow=10.0.2.0/24; clients-deny=ALL; clients-order=allow-deny",
      1, "10.0.3.14",
      "foo:F" },
    { "clientipv4_combitests",
      "clients-allow=10.0.2.0/24; clients-deny=ALL; clients-order=allow-deny",
      1, "8.8.8.8",
      "foo:F" },
    { "clientipv4_combitests",
      "clients-allow=ALL; clients-deny=10.0.2.0/24; clients-order=deny-allow",
      1, "10.0.2.14",
      "foo:F" },
    { "clientipv4_combitests",
      "clients-allow=ALL; clients-deny=10.0.2.0/24; clients-order=deny-allow",
      1, "10.0.3.14",
      "foo:T" },
    { "clientipv4_combitests",
      "clients-allow=ALL; clients-deny=10.0.2.0/24; clients-order=deny-allow",
      1, "8.8.8.8",
      "foo:T" },
    { "clientipv4_combitests",
      "clients-allow=10.0.2.0/24; clients-deny=10.0.0.0/16,10.0.3.0/24; "
      "clients-order=allow-deny",
      1, "10.0.2.14",
      "foo:T" },
    { "clientipv4_combitests",
      "clients-allow=10.0.2.0/24; clients-deny=10.0.0.0/16,10.0.3.0/24; "
      "clients-order=allow-deny",
      1, "10.0.3.14",
      "foo:F" },
    { "clientipv4_combitests",
      "clients-allow=10.0.2.0/24; clients-deny=10.0.0.0/16,10.0.3.0/24; "
      "clients-order=allow-deny",
      1, "8.8.8.8",
      "foo:F" },
    { "clientipv4_combitests",
      "clients-allow=10.0.0.0/16,10.0.3.0/24; clients-deny=10.0.2.0/24; "
      "clients-order=deny-allow",
      1, "10.0.2.14",
      "foo:F" },
    { "clientipv4_combitests",
      "clients-allow=10.0.0.0/16,10.0.3.0/24; clients-deny=10.0.2.0/24; "
      "clients-order=deny-allow",
      1, "10.0.3.14",
      "foo:T" },
    { "clientipv4_combitests",
      "clients-allow=10.0.0.0/16,10.0.3.0/24; clients-deny=10.0.2.0/24; "
      "clients-order=deny-allow",
      1, "8.8.8.8",
      "foo:F" },
    /* test_checkprofileacls_clientipv6_simpletests */
    { "clientipv6_simpletests",
      "clients-order=deny-allow",
      1, "fe80::4f8:900:e5d:2",
      "foo:T" },
    { "clientipv6_simpletests",
      "clients-order=allow-deny",
      1, "fe80::4f8:900:e5d:2",
      "foo:T" },
    { "clientipv6_simpletests",
      "clients-allow=ALL; clients-order=deny-allow",
      1, "fe80::4f8:900:e5d:2",
      "foo:T" },
    { "clientipv6_simpletests",
      "clients-allow=ALL; clients-order=allow-deny",
      1, "fe80::4f8:900:e5d:2",
      "foo:T" },
    { "clientipv6_simpletests",
      "clients-allow=fe80::4f8:900:e5d:2; clients-order=allow-deny",
      1, "fe80::4f8:900:e5d:2",
      "foo:T" },
    { "clientipv6_simpletests",
      "clients-allow=fe80::4f8:900:e5d:2; clients-order=deny-allow",
      1, "fe80::4f8:900:e5d:2",
      "foo:T" },
    { "clientipv6_simpletests",
      "clients-deny=ALL; clients-order=allow-deny",
      1, "fe80::4f8:900:e5d:2",
      "foo:F" },
    { "clientipv6_simpletests",
      "clients-deny=ALL; clients-order=deny-allow",
      1, "fe80::4f8:900:e5d:2",
      "foo:F" },
    { "clientipv6_simpletests",
      "clients-deny=fe80::4f8:900:e5d:2; clients-order=allow-deny",
      1, "fe80::4f8:900:e5d:2",
      "foo:F" },
    { "clientipv6_simpletests",
      "clients-deny=fe80::4f8:900:e5d:2; clients-order=deny-allow",
      1, "fe80::4f8:900:e5d:2",
      "foo:F" },
    /* test_checkprofileacls_clientipv6_combitests */
    { "clientipv6_combitests",
      "clients-allow=fe80::/64; clients-deny=ALL; clients-order=allow-deny",
      1, "fe80::4f8:900:e5d:2",
      "foo:T" },
    { "clientipv6_combitests",
      "clients-allow=fe80::/64; clients-deny=ALL; clients-order=allow-deny",
      1, "fe80::1:4f8:900:e5d:2",
      "foo:F" },
    { "clientipv6_combitests",
      "clients-allow=fe80::/64; clients-deny=ALL; clients-order=allow-deny",
      1, "2001:1af8:4050::2",
      "foo:F" },
    { "clientipv6_combitests",
      "clients-allow=ALL; clients-deny=fe80::/64; clients-order=deny-allow",
      1, "fe80::4f8:900:e5d:2",
      "foo:F" },
    { "clientipv6_combitests",
      "clients-allow=ALL; clients-deny=fe80::/64; clients-order=deny-allow",
      1, "fe80::1:4f8:900:e5d:2",
      "foo:T" },
    { "clientipv6_combitests",
      "clients-allow=ALL; clients-deny=fe80::/64; clients-order=deny-allow",
      1, "2001:1af8:4050::2",
      "foo:T" },
    { "clientipv6_combitests",
      "clients-allow=fe80::/64; clients-deny=fe80::/56,fe80:0:0:1::/64; "
      "clients-order=allow-deny",
      1, "fe80::4f8:900:e5d:2",
      "foo:T" },
    { "clientipv6_combitests",
      "clients-allow=fe80::/64; clients-deny=fe80::/56,fe80:0:0:1::/64; "
      "clients-order=allow-deny",
      1, "fe80::1:4f8:900:e5d:2",
      "foo:F" },
    { "clientipv6_combitests",
      "clients-allow=fe80::/64; clients-deny=fe80::/56,fe80:0:0:1::/64; "
      "clients-order=allow-deny",
      1, "2001:1af8:4050::2",
      "foo:F" },
    { "clientipv6_combitests",
      "clients-allow=fe80::/56,fe80:0:0:1::/64; clients-deny=fe80::/64; "
      "clients-order=deny-allow",
      1, "fe80::4f8:900:e5d:2",
      "foo:F" },
    { "clientipv6_combitests",
      "clients-allow=fe80::/56,fe80:0:0:1::/64; clients-deny=fe80::/64; "
      "clients-order=deny-allow",
      1, "fe80::1:4f8:900:e5d:2",
      "foo:T" },
    { "clientipv6_combitests",
      "clients-allow=fe80::/56,fe80:0:0:1::/64; clients-deny=fe80::/64; "
      "clients-order=deny-allow",
      1, "2001:1af8:4050::2",
      "foo:F" },
    /* test_checkprofileacls_userandgroupandclient_combitests */
    { "userandgroupandclient_combitests",
      "users-allow=flip; users-order=deny-allow; groups-allow=female,male; "
      "groups-deny=spiders; groups-order=deny-allow; "
      "clients-allow=fe80:0:0:1::/64,10.0.3.0/24; clients-deny=ALL; "
      "clients-order=allow-deny",
      1, "10.0.2.14",
      "flip:F kassandra:F maja:F thekla:F willi:F" },
    { "userandgroupandclient_combitests",
      "users-allow=flip; users-order=deny-allow; groups-allow=female,male; "
      "groups-deny=spiders; groups-order=deny-allow; "
      "clients-allow=fe80:0:0:1::/64,10.0.3.0/24; clients-deny=ALL; "
      "clients-order=allow-deny",
      1, "10.0.3.14",
      "flip:T kassandra:T maja:T thekla:F willi:T" },
    { "userandgroupandclient_combitests",
      "users-allow=flip; users-order=deny-allow; groups-allow=female,male; "
      "groups-deny=spiders; groups-order=deny-allow; "
      "clients-allow=fe80:0:0:1::/64,10.0.3.0/24; clients-deny=ALL; "
      "clients-order=allow-deny",
      1, "8.8.8.8",
      "flip:F kassandra:F maja:F thekla:F willi:F" },
    { "userandgroupandclient_combitests",
      "users-allow=flip; users-order=deny-allow; groups-allow=female,male; "
      "groups-deny=spiders; groups-order=deny-allow; "
      "clients-allow=fe80:0:0:1::/64,10.0.3.0/24; clients-deny=ALL; "
      "clients-order=allow-deny",
      1, "fe80::4f8:900:e5d:2",
      "flip:F kassandra:F maja:F thekla:F willi:F" },
    { "userandgroupandclient_combitests",
      "users-allow=flip; users-order=deny-allow; groups-allow=female,male; "
      "groups-deny=spiders; groups-order=deny-allow; "
      "clients-allow=fe80:0:0:1::/64,10.0.3.0/24; clients-deny=ALL; "
      "clients-order=allow-deny",
      1, "fe80::1:4f8:900:e5d:2",
      "flip:T kassandra:T maja:T thekla:F willi:T" },
    { "userandgroupandclient_combitests",
      "users-allow=flip; users-order=deny-allow; groups-allow=female,male; "
      "groups-deny=spiders; groups-order=deny-allow; "
      "clients-allow=fe80:0:0:1::/64,10.0.3.0/24; clients-deny=ALL; "
      "clients-order=allow-deny",
      1, "2001:1af8:4050::2",
      "flip:F kassandra:F maja:F thekla:F willi:F" },
    { "userandgroupandclient_combitests",
      "users-allow=flip; users-order=deny-allow; groups-allow=female,male; "
      "groups-deny=spiders; groups-order=allow-deny; "
      "clients-allow=fe80::/64,10.0.2.0/24; clients-deny=ALL; "
      "clients-order=allow-deny",
      1, "10.0.2.14",
      "flip:T kassandra:T maja:T thekla:T willi:T" },
    { "userandgroupandclient_combitests",
      "users-allow=flip; users-order=deny-allow; groups-allow=female,male; "
      "groups-deny=spiders; groups-order=allow-deny; "
      "clients-allow=fe80::/64,10.0.2.0/24; clients-deny=ALL; "
      "clients-order=allow-deny",
      1, "10.0.3.14",
      "flip:F kassandra:F maja:F thekla:F willi:F" },
    { "userandgroupandclient_combitests",
      "users-allow=flip; users-order=deny-allow; groups-allow=female,male; "
      "groups-deny=spiders; groups-order=allow-deny; "
      "clients-allow=fe80::/64,10.0.2.0/24; clients-deny=ALL; "
      "clients-order=allow-deny",
      1, "8.8.8.8",
      "flip:F kassandra:F maja:F thekla:F willi:F" },
    { "userandgroupandclient_combitests",
      "users-allow=flip; users-order=deny-allow; groups-allow=female,male; "
      "groups-deny=spiders; groups-order=allow-deny; "
      "clients-allow=fe80::/64,10.0.2.0/24; clients-deny=ALL; "
      "clients-order=allow-deny",
      1, "fe80::4f8:900:e5d:2",
      "flip:T kassandra:T maja:T thekla:T willi:T" },
    { "userandgroupandclient_combitests",
      "users-allow=flip; users-order=deny-allow; groups-allow=female,male; "
      "groups-deny=spiders; groups-order=allow-deny; "
      "clients-allow=fe80::/64,10.0.2.0/24; clients-deny=ALL; "
      "clients-order=allow-deny",
      1, "fe80::1:4f8:900:e5d:2",
      "flip:F kassandra:F maja:F thekla:F willi:F" },
    { "userandgroupandclient_combitests",
      "users-allow=flip; users-order=deny-allow; groups-allow=female,male; "
      "groups-deny=spiders; groups-order=allow-deny; "
      "clients-allow=fe80::/64,10.0.2.0/24; clients-deny=ALL; "
      "clients-order=allow-deny",
      1, "2001:1af8:4050::2",
      "flip:F kassandra:F maja:F thekla:F willi:F" },
    { "userandgroupandclient_combitests",
      "users-order=allow-deny; groups-allow=male,female; "
      "groups-deny=spiders,grasshoppers; groups-order=deny-allow; "
      "clients-allow=ALL; clients-deny=fe80::/56,10.0.0.0/8; "
      "clients-order=deny-allow",
      1, "10.0.2.14",
      "flip:F kassandra:F maja:F thekla:F willi:F" },
    { "userandgroupandclient_combitests",
      "users-order=allow-deny; groups-allow=male,female; "
      "groups-deny=spiders,grasshoppers; groups-order=deny-allow; "
      "clients-allow=ALL; clients-deny=fe80::/56,10.0.0.0/8; "
      "clients-order=deny-allow",
      1, "10.0.3.14",
      "flip:F kassandra:F maja:F thekla:F willi:F" },
    { "userandgroupandclient_combitests",
      "users-order=allow-deny; groups-allow=male,female; "
      "groups-deny=spiders,grasshoppers; groups-order=deny-allow; "
      "clients-allow=ALL; clients-deny=fe80::/56,10.0.0.0/8; "
      "clients-order=deny-allow",
      1, "8.8.8.8",
      "flip:F kassandra:T maja:T thekla:F willi:T" },
    { "userandgroupandclient_combitests",
      "users-order=allow-deny; groups-allow=male,female; "
      "groups-deny=spiders,grasshoppers; groups-order=deny-allow; "
      "clients-allow=ALL; clients-deny=fe80::/56,10.0.0.0/8; "
      "clients-order=deny-allow",
      1, "fe80::4f8:900:e5d:2",
      "flip:F kassandra:F maja:F thekla:F willi:F" },
    { "userandgroupandclient_combitests",
      "users-order=allow-deny; groups-allow=male,female; "
      "groups-deny=spiders,grasshoppers; groups-order=deny-allow; "
      "clients-allow=ALL; clients-deny=fe80::/56,10.0.0.0/8; "
      "clients-order=deny-allow",
      1, "fe80::1:4f8:900:e5d:2",
      "flip:F kassandra:F maja:F thekla:F willi:F" },
    { "userandgroupandclient_combitests",
      "users-order=allow-deny; groups-allow=male,female; "
      "groups-deny=spiders,grasshoppers; groups-order=deny-allow; "
      "clients-allow=ALL; clients-deny=fe80::/56,10.0.0.0/8; "
      "clients-order=deny-allow",
      1, "2001:1af8:4050::2",
      "flip:F kassandra:T maja:T thekla:F willi:T" },
    /* test_listprofileswithacls */
    { "test_listprofileswithacls",
      "groups-allow=bees; groups-deny=ALL; groups-order=allow-deny; "
      "users-allow=flip; users-order=allow-deny",
      1, NULL,
      "flip:T kassandra:T maja:T thekla:F willi:T" },
    { "test_listprofileswithacls",
      "groups-allow=bees; groups-deny=ALL; groups-order=allow-deny; "
      "users-allow=thekla; users-order=allow-deny",
      1, NULL,
      "flip:F kassandra:T maja:T thekla:T willi:T" },
    { "test_listprofileswithacls",
      "groups-allow=bees; groups-deny=ALL; groups-order=allow-deny; "
      "users-deny=willi; users-order=deny-allow",
      1, NULL,
      "flip:F kassandra:T maja:T thekla:F willi:F" },
};

#define N_ACL_VECTORS ((int)(sizeof(acl_vectors) / sizeof(acl_vectors[0])))

START_TEST(reference_vector)
{
    const acl_vec_t *v = &acl_vectors[_i];
    int n = expect_acl(tp, v->spec, v->ip ? v->ip : "10.0.2.14",
                       v->ignore_primary, v->expect);

    ck_assert_int_gt(n, 0);
}
END_TEST

/* The table must hold all 107 vectors of spec 9 plus the three profiles
 * of test_listprofileswithacls: a lost row would go unnoticed. */
START_TEST(reference_vector_count)
{
    ck_assert_int_eq(N_ACL_VECTORS, 110);
}
END_TEST

/* ---- B2: acl-any-order as the fallback ------------------------------ */

START_TEST(b2_any_order_fallback)
{
    /* Empty per-category orders take acl-any-order ... */
    expect_acl(tp, "users-allow=foo; users-deny=ALL; any-order=allow-deny",
               "10.0.2.14", 1, "foo:T");
    expect_acl(tp, "groups-allow=male; groups-deny=ALL; "
               "any-order=allow-deny", "10.0.2.14", 1, "willi:T maja:F");
    expect_acl(tp, "clients-allow=10.0.2.0/24; clients-deny=ALL; "
               "any-order=allow-deny", "10.0.2.14", 1, "foo:T");
    /* ... whose default is deny-allow, */
    expect_acl(tp, "users-allow=foo; users-deny=ALL", "10.0.2.14", 1,
               "foo:F");
    expect_acl(tp, "clients-allow=10.0.2.0/24; clients-deny=ALL",
               "10.0.2.14", 1, "foo:F");
    /* ... and an explicit per-category order still wins. */
    expect_acl(tp, "users-allow=foo; users-deny=ALL; users-order=deny-allow; "
               "any-order=allow-deny", "10.0.2.14", 1, "foo:F");
    expect_acl(tp, "users-allow=foo; users-deny=ALL; users-order=allow-deny; "
               "any-order=deny-allow", "10.0.2.14", 1, "foo:T");
    expect_acl(tp, "clients-allow=10.0.2.0/24; clients-deny=ALL; "
               "clients-order=deny-allow; any-order=allow-deny",
               "10.0.2.14", 1, "foo:F");
}
END_TEST

START_TEST(b2_only_exact_allow_deny)
{
    /* Typos, case and blanks all mean deny first. */
    expect_acl(tp, "users-allow=foo; users-deny=ALL; users-order=Allow-Deny",
               "10.0.2.14", 1, "foo:F");
    expect_acl(tp, "users-allow=foo; users-deny=ALL; users-order=allow-deny ",
               "10.0.2.14", 1, "foo:F");
    expect_acl(tp, "users-allow=foo; users-deny=ALL; users-order=allowdeny",
               "10.0.2.14", 1, "foo:F");
    expect_acl(tp, "users-allow=foo; users-deny=ALL; any-order=ALLOW-DENY",
               "10.0.2.14", 1, "foo:F");
}
END_TEST

START_TEST(b2_null_any_order)
{
    xgb_acl_t *acl = make_acl(tp, "users-allow=foo; users-deny=ALL");

    acl->any_order = NULL;
    ck_assert_int_eq(xgb_acl_check(tp, acl, "foo", "10.0.2.14",
                                   xgb_groupdb_get("testsuite"), 1), 0);
    acl->users_order = NULL;
    acl->any_order = "allow-deny";
    ck_assert_int_eq(xgb_acl_check(tp, acl, "foo", "10.0.2.14",
                                   xgb_groupdb_get("testsuite"), 1), 1);
}
END_TEST

/* ---- B3: invalid client entries are skipped ------------------------- */

START_TEST(b3_invalid_entry_skipped)
{
    /* The reference would empty both lists and hide the profile. */
    expect_acl(tp, "clients-allow=x2go.example.org,10.0.2.0/24; "
               "clients-deny=ALL; clients-order=allow-deny",
               "10.0.2.14", 1, "foo:T");
    expect_acl(tp, "clients-allow=ALL; clients-deny=10.0.2.0/33,10.0.3.0/24; "
               "clients-order=deny-allow", "10.0.2.14", 1, "foo:T");
    /* The valid deny entry still works next to the bad one. */
    expect_acl(tp, "clients-allow=ALL; clients-deny=bogus,10.0.2.0/24; "
               "clients-order=deny-allow", "10.0.2.14", 1, "foo:F");
}
END_TEST

START_TEST(b3_only_invalid_entries)
{
    /* A client list of nothing but bad entries grants nothing, so the
     * client veto hides the profile. */
    expect_acl(tp, "clients-allow=localhost; clients-order=allow-deny",
               "127.0.0.1", 1, "foo:F");
    expect_acl(tp, "clients-allow=ALL; clients-deny=localhost",
               "127.0.0.1", 1, "foo:T");
}
END_TEST

START_TEST(b3_invalid_entries_reported_once)
{
    xgb_acl_t *acl = make_acl(tp, "clients-allow=x2go.example.org,ALL; "
                              "clients-deny=10.0.2.0/33,10.0.3.0/24");
    const xgb_groupdb_t *db = xgb_groupdb_get("testsuite");

    xgb_acl_report_invalid(acl, "f.conf:3: profile 'p'");
    ck_assert_ptr_nonnull(strstr(xgb_test_last_log, "f.conf:3: profile 'p'"));
    ck_assert_ptr_nonnull(strstr(xgb_test_last_log, "acl-clients-deny"));
    ck_assert_ptr_nonnull(strstr(xgb_test_last_log, "10.0.2.0/33"));
    /* checking a request logs nothing more */
    xgb_test_last_log[0] = '\0';
    ck_assert_int_eq(xgb_acl_check(tp, acl, "foo", "10.0.2.14", db, 1), 1);
    ck_assert_str_eq(xgb_test_last_log, "");
}
END_TEST

/* ---- further ACL behaviour ------------------------------------------ */

START_TEST(acl_defaults)
{
    xgb_acl_t acl;

    xgb_acl_init(tp, &acl);
    ck_assert_int_eq(acl.users_allow->nelts, 0);
    ck_assert_int_eq(acl.users_deny->nelts, 0);
    ck_assert_int_eq(acl.groups_allow->nelts, 0);
    ck_assert_int_eq(acl.groups_deny->nelts, 0);
    ck_assert_int_eq(acl.clients_allow->nelts, 0);
    ck_assert_int_eq(acl.clients_deny->nelts, 0);
    ck_assert_str_eq(acl.users_order, "");
    ck_assert_str_eq(acl.groups_order, "");
    ck_assert_str_eq(acl.clients_order, "");
    ck_assert_str_eq(acl.any_order, "deny-allow");
    /* No rules: everyone, from anywhere. */
    ck_assert_int_eq(xgb_acl_check(tp, &acl, "anyone", "192.0.2.1",
                                   xgb_groupdb_get("base"), 1), 1);
    ck_assert_int_eq(xgb_acl_check(tp, &acl, "anyone", "garbage",
                                   xgb_groupdb_get("base"), 1), 1);
    /* Harmless on NULL. */
    xgb_acl_init(NULL, &acl);
    xgb_acl_init(tp, NULL);
}
END_TEST

START_TEST(acl_client_families)
{
    /* IPv4 networks never hold IPv6 addresses and vice versa. */
    expect_acl(tp, "clients-allow=0.0.0.0/0", "fe80::1", 1, "foo:F");
    expect_acl(tp, "clients-allow=::/0", "10.0.2.14", 1, "foo:F");
    expect_acl(tp, "clients-allow=::ffff:10.0.2.0/120", "10.0.2.14", 1,
               "foo:F");
    expect_acl(tp, "clients-allow=ALL", "10.0.2.14", 1, "foo:T");
    expect_acl(tp, "clients-allow=ALL", "2001:db8::1", 1, "foo:T");
    /* Host bits in a network are ignored, as netaddr does. */
    expect_acl(tp, "clients-allow=10.0.2.99/24", "10.0.2.14", 1, "foo:T");
    expect_acl(tp, "clients-allow=10.0.2.99/24", "10.0.3.14", 1, "foo:F");
    /* Netmask form and abbreviations as the reference accepted them. */
    expect_acl(tp, "clients-allow=10.0.2.0/255.255.255.0", "10.0.2.14", 1,
               "foo:T");
    expect_acl(tp, "clients-allow=10/8", "10.200.2.14", 1, "foo:T");
}
END_TEST

START_TEST(acl_bad_inputs)
{
    const xgb_groupdb_t *ts = xgb_groupdb_get("testsuite");
    xgb_acl_t *acl;

    /* No ACL at all: visible. */
    ck_assert_int_eq(xgb_acl_check(tp, NULL, "foo", "10.0.2.14", ts, 1), 1);

    /* Client rules but no usable client address: hidden, logged. */
    acl = make_acl(tp, "clients-allow=ALL");
    ck_assert_int_eq(xgb_acl_check(tp, acl, "foo", NULL, ts, 1), 0);
    ck_assert_ptr_nonnull(strstr(xgb_test_last_log, "(none)"));
    ck_assert_int_eq(xgb_acl_check(tp, acl, "foo", "10.0.2.256", ts, 1), 0);
    ck_assert_ptr_nonnull(strstr(xgb_test_last_log, "10.0.2.256"));
    ck_assert_int_eq(xgb_acl_check(tp, acl, "foo", "", ts, 1), 0);

    /* NULL user: nobody's name, but ALL still applies. */
    acl = make_acl(tp, "users-allow=ALL");
    ck_assert_int_eq(xgb_acl_check(tp, acl, NULL, "10.0.2.14", ts, 1), 1);
    acl = make_acl(tp, "users-allow=foo");
    ck_assert_int_eq(xgb_acl_check(tp, acl, NULL, "10.0.2.14", ts, 1), 0);

    /* No group database: only the pseudo-group ALL. */
    acl = make_acl(tp, "groups-allow=male");
    ck_assert_int_eq(xgb_acl_check(tp, acl, "willi", "10.0.2.14", NULL, 1),
                     0);
    acl = make_acl(tp, "groups-allow=ALL");
    ck_assert_int_eq(xgb_acl_check(tp, acl, "willi", "10.0.2.14", NULL, 1),
                     1);

    /* NULL lists and NULL entries are treated as empty. */
    acl = make_acl(tp, "users-allow=foo");
    acl->users_deny = NULL;
    acl->groups_allow = NULL;
    acl->clients_deny = NULL;
    APR_ARRAY_PUSH(acl->users_allow, const char *) = NULL;
    ck_assert_int_eq(xgb_acl_check(tp, acl, "foo", "10.0.2.14", ts, 1), 1);
    ck_assert_int_eq(xgb_acl_check(tp, acl, "bar", "10.0.2.14", ts, 1), 0);
    APR_ARRAY_PUSH(acl->clients_allow, const char *) = NULL;
    ck_assert_int_eq(xgb_acl_check(tp, acl, "foo", "10.0.2.14", ts, 1), 0);

    /* Names are case-sensitive and ALL is upper case only. */
    expect_acl(tp, "users-allow=Foo", "10.0.2.14", 1, "foo:F");
    expect_acl(tp, "users-allow=all", "10.0.2.14", 1, "foo:F");
    expect_acl(tp, "clients-allow=all", "10.0.2.14", 1, "foo:F");
}
END_TEST

/* ---- group databases ------------------------------------------------ */

static int has_name(const apr_array_header_t *arr, const char *name)
{
    int i;

    for (i = 0; arr && i < arr->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(arr, i, const char *), name) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Sorted, space-separated, for exact comparisons. */
static const char *joined(apr_pool_t *p, const apr_array_header_t *arr)
{
    const char **v = apr_pmemdup(p, arr->elts,
                                 sizeof(const char *) * (arr->nelts + 1));
    const char *out = "";
    int i, j;

    for (i = 0; i < arr->nelts; i++) {
        for (j = i + 1; j < arr->nelts; j++) {
            if (strcmp(v[j], v[i]) < 0) {
                const char *t = v[i];

                v[i] = v[j];
                v[j] = t;
            }
        }
    }
    for (i = 0; i < arr->nelts; i++) {
        out = apr_pstrcat(p, out, i ? " " : "", v[i], NULL);
    }
    return out;
}

START_TEST(groupdb_lookup)
{
    ck_assert_ptr_nonnull(xgb_groupdb_get("libnss"));
    ck_assert_ptr_nonnull(xgb_groupdb_get("testsuite"));
    ck_assert_ptr_nonnull(xgb_groupdb_get("base"));
    ck_assert_ptr_null(xgb_groupdb_get("ldap"));
    ck_assert_ptr_null(xgb_groupdb_get("LIBNSS"));
    ck_assert_ptr_null(xgb_groupdb_get(""));
    ck_assert_ptr_null(xgb_groupdb_get(NULL));
    ck_assert_ptr_null(xgb_groupdb_groups(xgb_groupdb_get("base"), NULL,
                                          "root", 1));
    ck_assert_int_eq(xgb_groupdb_groups(NULL, tp, "root", 1)->nelts, 0);
    ck_assert_int_eq(xgb_groupdb_groups(xgb_groupdb_get("libnss"), tp,
                                        NULL, 1)->nelts, 0);
}
END_TEST

/* test_nameservicebase: nobody is a member of anything. */
/* One name-service lookup per user and pool: a listing checks many
 * profiles for the same user. */
START_TEST(groupdb_remembered_per_pool)
{
    const xgb_groupdb_t *db = xgb_groupdb_get("testsuite");
    apr_array_header_t *a = xgb_groupdb_groups(db, tp, "maja", 0);
    apr_pool_t *other;

    ck_assert_ptr_eq(xgb_groupdb_groups(db, tp, "maja", 0), a);
    ck_assert_ptr_ne(xgb_groupdb_groups(db, tp, "maja", 1), a);
    ck_assert_ptr_ne(xgb_groupdb_groups(db, tp, "willi", 0), a);
    apr_pool_create(&other, NULL);
    ck_assert_ptr_ne(xgb_groupdb_groups(db, other, "maja", 0), a);
    apr_pool_destroy(other);
}
END_TEST

START_TEST(groupdb_base)
{
    const xgb_groupdb_t *db = xgb_groupdb_get("base");

    ck_assert_int_eq(xgb_groupdb_groups(db, tp, "root", 0)->nelts, 0);
    ck_assert_int_eq(xgb_groupdb_groups(db, tp, "root", 1)->nelts, 0);
    ck_assert_int_eq(xgb_groupdb_groups(db, tp, "maja", 1)->nelts, 0);
}
END_TEST

/* test_testsuite_nameservice: the fixed users and groups. */
START_TEST(groupdb_testsuite)
{
    static const struct {
        const char *user, *plain, *primary;
    } want[] = {
        { "maja", "bees female", "bees female maja" },
        { "willi", "bees male", "bees male willi" },
        { "flip", "grasshoppers male", "flip grasshoppers male" },
        { "kassandra", "bees female", "bees female kassandra" },
        { "thekla", "female spiders", "female spiders thekla" },
        { "foo", "", "" },
        { "", "", "" },
        { "male", "", "" },
    };
    const xgb_groupdb_t *db = xgb_groupdb_get("testsuite");
    apr_size_t i;

    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        ck_assert_str_eq(joined(tp, xgb_groupdb_groups(db, tp, want[i].user,
                                                       0)),
                         want[i].plain);
        ck_assert_str_eq(joined(tp, xgb_groupdb_groups(db, tp, want[i].user,
                                                       1)),
                         want[i].primary);
    }
}
END_TEST

/* test_nameservicelibnss: root is not a listed member of group root,
 * but is a member once primary groups count. */
START_TEST(groupdb_libnss_root)
{
    const xgb_groupdb_t *db = xgb_groupdb_get("libnss");
    struct group *gr = getgrnam("root");
    char **m;

    ck_assert_ptr_nonnull(gr);
    for (m = gr->gr_mem; *m; m++) {
        ck_assert_msg(strcmp(*m, "root") != 0,
                      "this system lists root in group root");
    }
    ck_assert(!has_name(xgb_groupdb_groups(db, tp, "root", 0), "root"));
    ck_assert(has_name(xgb_groupdb_groups(db, tp, "root", 1), "root"));
}
END_TEST

START_TEST(groupdb_libnss_unknown)
{
    const xgb_groupdb_t *db = xgb_groupdb_get("libnss");

    ck_assert_int_eq(xgb_groupdb_groups(db, tp, "no-such-user-xgb", 1)->nelts,
                     0);
    ck_assert_int_eq(xgb_groupdb_groups(db, tp, "", 1)->nelts, 0);
}
END_TEST

/* Every group that lists a user counts for that user; found by walking
 * the group file (fine in a single-threaded test). */
START_TEST(groupdb_libnss_listed)
{
    const xgb_groupdb_t *db = xgb_groupdb_get("libnss");
    struct group *gr;
    int checked = 0;

    setgrent();
    while ((gr = getgrent()) != NULL) {
        char **m;

        for (m = gr->gr_mem; *m; m++) {
            struct passwd *pw = getpwnam(*m);
            apr_array_header_t *g;

            if (!pw) {
                continue;
            }
            g = xgb_groupdb_groups(db, tp, *m, 0);
            ck_assert_msg(has_name(g, gr->gr_name), "%s not in %s", *m,
                          gr->gr_name);
            if (pw->pw_gid != gr->gr_gid) {
                struct group *pg = getgrgid(pw->pw_gid);
                char **pm;
                int listed = 0;

                for (pm = pg ? pg->gr_mem : NULL; pm && *pm; pm++) {
                    listed |= strcmp(*pm, *m) == 0;
                }
                if (pg && !listed) {
                    ck_assert_msg(!has_name(g, pg->gr_name),
                                  "primary group %s of %s counted",
                                  pg->gr_name, *m);
                }
            }
            checked++;
        }
    }
    endgrent();
    if (!checked) {
        /* Nothing to compare on this system; still prove the call. */
        ck_assert(has_name(xgb_groupdb_groups(db, tp, "root", 1), "root"));
    }
}
END_TEST

/* ---- addresses ------------------------------------------------------ */

/* test_clientaddress_recognition, plus unmapping. */
START_TEST(addr_normalise)
{
    static const struct {
        const char *in, *out;
    } v[] = {
        { "127.0.0.1", "127.0.0.1" },
        { "10.0.0.1", "10.0.0.1" },
        { "::1", "::1" },
        { "fe80::4f8:900:e5d:2", "fe80::4f8:900:e5d:2" },
        { "fe80:0000:0000:0000:04f8:0900:0e5d:0002", "fe80::4f8:900:e5d:2" },
        { "FE80::4F8:900:E5D:2", "fe80::4f8:900:e5d:2" },
        { "::ffff:10.0.2.14", "10.0.2.14" },
        { "::FFFF:10.0.2.14", "10.0.2.14" },
        { "0:0:0:0:0:ffff:a00:20e", "10.0.2.14" },
        { "::ffff:0:10.0.2.14", "::ffff:0:a00:20e" },
        { "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
        { "fe80::1%eth0", "fe80::1" },
        { "::", "::" },
        { "123.456.789.101", NULL },
        { "fe80:wxyz:0000:0000:04f8:0900:0e5d:0002", NULL },
        { "fe80:wxyz::", NULL },
        { "127.1", NULL },
        { "010.0.0.1", NULL },
        { " 10.0.0.1", NULL },
        { "10.0.0.1 ", NULL },
        { "10.0.0.1/32", NULL },
        { "10.0.0.1%eth0", NULL },
        { "fe80::1%", NULL },
        { "fe80::1%eth0/64", NULL },
        { "fe80::1%3", "fe80::1" },
        { "fe80::1%eth0 x", NULL },
        { "fe80::1%%", NULL },
        { "localhost", NULL },
        { "", NULL },
        { NULL, NULL },
    };
    apr_size_t i;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        const char *got = xgb_addr_normalise(tp, v[i].in);

        if (v[i].out) {
            ck_assert_msg(got && strcmp(got, v[i].out) == 0,
                          "%s -> %s, expected %s", v[i].in,
                          got ? got : "NULL", v[i].out);
        }
        else {
            ck_assert_msg(got == NULL, "%s -> %s, expected NULL",
                          v[i].in ? v[i].in : "NULL", got);
        }
    }
    ck_assert_ptr_null(xgb_addr_normalise(NULL, "10.0.0.1"));
}
END_TEST

START_TEST(addr_parse_format)
{
    xgb_ip_t ip;
    char *huge = apr_palloc(tp, 100001);

    ck_assert_int_eq(xgb_addr_parse("10.0.2.14", &ip), 1);
    ck_assert_int_eq(ip.family, XGB_ADDR_V4);
    ck_assert_int_eq(ip.bytes[0], 10);
    ck_assert_int_eq(ip.bytes[3], 14);
    ck_assert_str_eq(xgb_addr_format(tp, &ip), "10.0.2.14");
    ck_assert_int_eq(xgb_addr_parse("::ffff:10.0.2.14", &ip), 1);
    ck_assert_int_eq(ip.family, XGB_ADDR_V6);
    ck_assert_str_eq(xgb_addr_format(tp, &ip), "::ffff:10.0.2.14");
    ck_assert_int_eq(xgb_addr_parse("10.0.2.14", NULL), 0);
    ip.family = 0;
    ck_assert_ptr_null(xgb_addr_format(tp, &ip));
    ck_assert_ptr_null(xgb_addr_format(tp, NULL));
    ck_assert_ptr_null(xgb_addr_format(NULL, &ip));
    memset(huge, '1', 100000);
    huge[100000] = '\0';
    ck_assert_int_eq(xgb_addr_parse(huge, &ip), 0);
    ck_assert_int_eq(xgb_net_parse(huge, NULL), 0);
    {
        xgb_net_t n;

        ck_assert_int_eq(xgb_net_parse(huge, &n), 0);
        huge[3] = ':';
        ck_assert_int_eq(xgb_net_parse(huge, &n), 0);
    }
}
END_TEST

/* What netaddr.IPSet accepts, the ACL parser accepts, with the same
 * network; what it refuses, we refuse. */
START_TEST(net_parse)
{
    static const struct {
        const char *in;
        int ok;
        const char *addr;       /* first address, formatted */
        unsigned int prefix;
    } v[] = {
        { "10.0.2.0/24", 1, "10.0.2.0", 24 },
        { "10.0.2.14/24", 1, "10.0.2.14", 24 },
        { "10.0.2.14", 1, "10.0.2.14", 32 },
        { "10/8", 1, "10.0.0.0", 8 },
        { "10.2/16", 1, "10.2.0.0", 16 },
        { "127.1", 1, "127.1.0.0", 32 },
        { "1", 1, "1.0.0.0", 32 },
        { "010.0.2.1", 1, "10.0.2.1", 32 },
        { "10.000.002.001", 1, "10.0.2.1", 32 },
        { " 10.0.2.1 ", 1, "10.0.2.1", 32 },
        { "10.0.2.0/024", 1, "10.0.2.0", 24 },
        { "10.0.2.0/+24", 1, "10.0.2.0", 24 },
        { "10.0.2.0/ 24", 1, "10.0.2.0", 24 },
        { "127.0.0.0 / 8", 1, "127.0.0.0", 8 },
        { "fe80:: /64", 1, "fe80::", 64 },
        { "10.0.2.0/255.255.255.0", 1, "10.0.2.0", 24 },
        { "10.0.2.0/0.0.0.255", 1, "10.0.2.0", 24 },
        { "10.0.2.0/0.0.255.255", 1, "10.0.2.0", 16 },
        { "10.0.2.0/0.0.0.0", 1, "10.0.2.0", 0 },
        { "10.0.2.0/255.255.255.255", 1, "10.0.2.0", 32 },
        { "10.0.2.0/128.0.0.0", 1, "10.0.2.0", 1 },
        { "0.0.0.0/0", 1, "0.0.0.0", 0 },
        { "::/0", 1, "::", 0 },
        { "fe80::/64", 1, "fe80::", 64 },
        { "FE80::/64", 1, "fe80::", 64 },
        { "fe80::/064", 1, "fe80::", 64 },
        { "fe80::/+64", 1, "fe80::", 64 },
        { "fe80:0:0:1::/64", 1, "fe80:0:0:1::", 64 },
        { "::ffff:10.0.2.0/120", 1, "::ffff:10.0.2.0", 120 },
        { "10.0.2.0/33", 0, NULL, 0 },
        { "10.0.2.0/-1", 0, NULL, 0 },
        { "10.0.2.0/", 0, NULL, 0 },
        { "10.0.2.0/24.0", 0, NULL, 0 },
        { "10.0.2.0/255.0.255.0", 0, NULL, 0 },
        { "10.0.2.0/255.255", 0, NULL, 0 },
        { "10.0.2.0/4294967320", 0, NULL, 0 },
        { "fe80::/129", 0, NULL, 0 },
        { "fe80::/ffff::", 1, "fe80::", 16 },
        { "fe80::/ffff:ffff:ffff:ffff::", 1, "fe80::", 64 },
        { "fe80::/::ffff", 1, "fe80::", 112 },
        { "fe80::/::", 1, "fe80::", 0 },
        { "fe80::/ff00:ff00::", 0, NULL, 0 },
        { "fe80::/255.255.0.0", 0, NULL, 0 },
        { "10.0.2.0/::", 0, NULL, 0 },
        { "fe80::%eth0", 0, NULL, 0 },
        { "10.1.2.3.4", 0, NULL, 0 },
        { "256.1", 0, NULL, 0 },
        { "1..2", 0, NULL, 0 },
        { "1.2.", 0, NULL, 0 },
        { ".1", 0, NULL, 0 },
        { "0x0a000001", 0, NULL, 0 },
        { "4294967295", 0, NULL, 0 },
        { "ALL", 0, NULL, 0 },
        { "host.example", 0, NULL, 0 },
        { "", 0, NULL, 0 },
        { "   ", 0, NULL, 0 },
        { "/24", 0, NULL, 0 },
        { NULL, 0, NULL, 0 },
    };
    apr_size_t i;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        xgb_net_t n;
        int ok = xgb_net_parse(v[i].in, &n);

        ck_assert_msg(ok == v[i].ok, "'%s': parse %d, expected %d",
                      v[i].in ? v[i].in : "NULL", ok, v[i].ok);
        if (ok) {
            xgb_ip_t a;

            a.family = n.family;
            memcpy(a.bytes, n.bytes, sizeof(a.bytes));
            ck_assert_str_eq(xgb_addr_format(tp, &a), v[i].addr);
            ck_assert_uint_eq(n.prefix, v[i].prefix);
        }
    }
}
END_TEST

START_TEST(net_contains)
{
    static const struct {
        const char *net, *ip;
        int in;
    } v[] = {
        { "10.0.2.0/24", "10.0.2.14", 1 },
        { "10.0.2.0/24", "10.0.2.255", 1 },
        { "10.0.2.0/24", "10.0.3.0", 0 },
        { "10.0.2.14/24", "10.0.2.99", 1 },
        { "10.0.2.14", "10.0.2.14", 1 },
        { "10.0.2.14", "10.0.2.15", 0 },
        { "10.0.0.0/16", "10.0.3.14", 1 },
        { "10.0.2.0/23", "10.0.3.14", 1 },
        { "10.0.2.0/25", "10.0.2.128", 0 },
        { "0.0.0.0/0", "8.8.8.8", 1 },
        { "0.0.0.0/0", "::1", 0 },
        { "::/0", "8.8.8.8", 0 },
        { "::/0", "2001:1af8:4050::2", 1 },
        { "fe80::/64", "fe80::4f8:900:e5d:2", 1 },
        { "fe80::/64", "fe80::1:4f8:900:e5d:2", 0 },
        { "fe80::/56", "fe80::1:4f8:900:e5d:2", 1 },
        { "fe80:0:0:1::/64", "fe80::1:4f8:900:e5d:2", 1 },
        { "fe80::/10", "febf::1", 1 },
        { "fe80::/10", "fec0::1", 0 },
        { "::ffff:10.0.2.0/120", "::ffff:10.0.2.14", 1 },
        { "::ffff:10.0.2.0/120", "10.0.2.14", 0 },
        { "10.0.2.0/24", "::ffff:10.0.2.14", 0 },
        { "fe80::4f8:900:e5d:2", "fe80::4f8:900:e5d:2", 1 },
        { "fe80::4f8:900:e5d:2", "fe80::4f8:900:e5d:3", 0 },
    };
    apr_size_t i;
    xgb_net_t n;
    xgb_ip_t a;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        ck_assert(xgb_net_parse(v[i].net, &n));
        ck_assert(xgb_addr_parse(v[i].ip, &a));
        ck_assert_msg(xgb_net_contains(&n, &a) == v[i].in, "%s in %s: %d",
                      v[i].ip, v[i].net, !v[i].in);
    }
    ck_assert_int_eq(xgb_net_contains(NULL, &a), 0);
    ck_assert_int_eq(xgb_net_contains(&n, NULL), 0);
    /* A corrupt prefix never reads beyond the address. */
    ck_assert(xgb_net_parse("fe80::/64", &n));
    n.prefix = 500;
    ck_assert_int_eq(xgb_net_contains(&n, &a), 0);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("acl");
    TCase *tc;

    tc = tcase_create("reference");
    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_add_loop_test(tc, reference_vector, 0, N_ACL_VECTORS);
    tcase_add_test(tc, reference_vector_count);
    suite_add_tcase(s, tc);

    tc = tcase_create("fixes");
    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_add_test(tc, b2_any_order_fallback);
    tcase_add_test(tc, b2_only_exact_allow_deny);
    tcase_add_test(tc, b2_null_any_order);
    tcase_add_test(tc, b3_invalid_entry_skipped);
    tcase_add_test(tc, b3_only_invalid_entries);
    tcase_add_test(tc, b3_invalid_entries_reported_once);
    suite_add_tcase(s, tc);

    tc = tcase_create("acl");
    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_add_test(tc, acl_defaults);
    tcase_add_test(tc, acl_client_families);
    tcase_add_test(tc, acl_bad_inputs);
    suite_add_tcase(s, tc);

    tc = tcase_create("groupdb");
    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_add_test(tc, groupdb_lookup);
    tcase_add_test(tc, groupdb_remembered_per_pool);
    tcase_add_test(tc, groupdb_base);
    tcase_add_test(tc, groupdb_testsuite);
    tcase_add_test(tc, groupdb_libnss_root);
    tcase_add_test(tc, groupdb_libnss_unknown);
    tcase_add_test(tc, groupdb_libnss_listed);
    suite_add_tcase(s, tc);

    tc = tcase_create("addr");
    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_add_test(tc, addr_normalise);
    tcase_add_test(tc, addr_parse_format);
    tcase_add_test(tc, net_parse);
    tcase_add_test(tc, net_contains);
    suite_add_tcase(s, tc);

    return s;
}

XGB_TEST_MAIN()
