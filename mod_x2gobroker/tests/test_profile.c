/*
 * test_profile.c - session profiles of the inifile backend (spec 3): key
 * order and typing, host= parsing, what clients are sent (with the
 * listing status of spec 3.5 step 6), the zeroconf profile, and the
 * reference's test_broker_inifile.py cases (spec 9).
 */
#include <string.h>

#include <apr_strings.h>

#include "xgb_test.h"
#include "xgb_profile.h"
#include "xgb_hosts.h"
#include "xgb_ini.h"
#include "xgb_acl.h"
#include "xgb_groupdb.h"

/* ---- helpers ------------------------------------------------------------ */

static xgb_profiles_t *load(const char *text)
{
    xgb_profiles_t *ps = NULL;
    const char *err = NULL;

    ck_assert_msg(xgb_profiles_parse(tp, "p.conf", text, strlen(text), &ps,
                                     &err) == APR_SUCCESS,
                  "unexpected error: %s", err);
    return ps;
}

static void load_fails(const char *text, const char *msg)
{
    xgb_profiles_t *ps = (xgb_profiles_t *)1;
    const char *err = NULL;

    ck_assert_int_eq(xgb_profiles_parse(tp, "p.conf", text, strlen(text),
                                        &ps, &err), APR_EINVAL);
    ck_assert_ptr_null(ps);
    ck_assert_str_eq(err, msg);
}

static const xgb_profile_t *find(const xgb_profiles_t *ps, const char *id)
{
    const xgb_profile_t *prof = xgb_profiles_find(ps, id);

    ck_assert_msg(prof != NULL, "no profile '%s'", id);
    return prof;
}

/* The value of `key` among `values`, NULL if absent. */
static const xgb_value_t *lookup(const apr_array_header_t *values,
                                 const char *key)
{
    int i;

    for (i = 0; i < values->nelts; i++) {
        const xgb_value_t *v = &APR_ARRAY_IDX(values, i, xgb_value_t);

        if (!strcmp(v->key, key)) {
            return v;
        }
    }
    return NULL;
}

static const xgb_value_t *need(const apr_array_header_t *values,
                               const char *key, xgb_val_type_e type)
{
    const xgb_value_t *v = lookup(values, key);

    ck_assert_msg(v != NULL, "no key '%s'", key);
    ck_assert_msg(v->type == type, "key '%s' has type %d", key, v->type);
    return v;
}

static void is_str(const apr_array_header_t *vals, const char *key,
                   const char *s)
{
    ck_assert_str_eq(need(vals, key, XGB_VAL_STR)->str, s);
}

static void is_bool(const apr_array_header_t *vals, const char *key, int b)
{
    ck_assert_int_eq(need(vals, key, XGB_VAL_BOOL)->b, b);
}

static void is_int(const apr_array_header_t *vals, const char *key,
                   apr_int64_t i)
{
    ck_assert_int_eq(need(vals, key, XGB_VAL_INT)->i, i);
}

/* A list value as "a|b|c". */
static void is_list(const apr_array_header_t *vals, const char *key,
                    const char *joined)
{
    ck_assert_str_eq(apr_array_pstrcat(tp, need(vals, key,
                                                XGB_VAL_LIST)->list, '|'),
                     joined);
}

/* The keys in order, comma-separated. */
static const char *keys(const apr_array_header_t *values)
{
    apr_array_header_t *k = apr_array_make(tp, values->nelts,
                                           sizeof(const char *));
    int i;

    for (i = 0; i < values->nelts; i++) {
        APR_ARRAY_PUSH(k, const char *) =
            APR_ARRAY_IDX(values, i, xgb_value_t).key;
    }
    return apr_array_pstrcat(tp, k, ',');
}

static const char *list_of(const apr_array_header_t *l)
{
    return apr_array_pstrcat(tp, l, '|');
}

static const xgb_host_t *host_at(const xgb_profile_t *prof, int i)
{
    ck_assert_int_gt(prof->hosts->nelts, i);
    return &APR_ARRAY_IDX(prof->hosts, i, xgb_host_t);
}

static void is_host(const xgb_profile_t *prof, int i, const char *name,
                    const char *addr, int port)
{
    const xgb_host_t *h = host_at(prof, i);

    ck_assert_str_eq(h->name, name);
    if (addr) {
        ck_assert_pstr_eq(h->addr, addr);
    }
    else {
        ck_assert_ptr_null(h->addr);
    }
    ck_assert_int_eq(h->port, port);
}

static xgb_client_profile_t *client(const xgb_profiles_t *ps, const char *id,
                                    const char *user, int autologin)
{
    xgb_client_profile_t *cp = xgb_profile_for_client(tp, find(ps, id),
                                                      user, autologin);

    ck_assert_ptr_nonnull(cp);
    ck_assert_str_eq(cp->id, id);
    return cp;
}

/* The hard-coded defaults in reference order, acl-* left out. */
#define DEFAULT_KEYS "command,kdrive,defsndport,useiconv,iconvfrom,height," \
    "export,quality,fullscreen,layout,useexports,width,speed,soundsystem," \
    "print,type,sndport,xinerama,variant,usekbd,fstunnel,applications," \
    "multidisp,sshproxyport,sound,rootless,iconvto,soundtunnel,dpi," \
    "sshport,setdpi,pack,user,host,directrdp"

/* ---- reference test cases (test_broker_inifile.py) ---------------------- */

START_TEST(shipped_file)
{
    xgb_profiles_t *ps = NULL;
    const char *err = NULL;
    int i, j;

    ck_assert_int_eq(xgb_profiles_load(tp, XGB_TEST_DATADIR
                                       "/profiles-shipped.conf", &ps, &err),
                     APR_SUCCESS);
    ck_assert_int_eq(ps->profiles->nelts, 3);
    ck_assert_str_eq(APR_ARRAY_IDX(ps->profiles, 0, xgb_profile_t *)->id,
                     "localhost-kde");
    ck_assert_str_eq(APR_ARRAY_IDX(ps->profiles, 1, xgb_profile_t *)->id,
                     "localhost-mate");
    ck_assert_str_eq(APR_ARRAY_IDX(ps->profiles, 2, xgb_profile_t *)->id,
                     "localhost-shadow");
    /* test_getprofile_defaultkey: no internal keys reach the values */
    for (i = 0; i < ps->profiles->nelts; i++) {
        const xgb_profile_t *prof = APR_ARRAY_IDX(ps->profiles, i,
                                                  xgb_profile_t *);

        for (j = 0; j < prof->values->nelts; j++) {
            const char *k = APR_ARRAY_IDX(prof->values, j, xgb_value_t).key;

            ck_assert_str_ne(k, "default");
            ck_assert(strncmp(k, "acl-", 4) && strncmp(k, "broker-", 7));
        }
    }
    ck_assert(xgb_profile_is_shadow(find(ps, "localhost-shadow")));
    ck_assert(!xgb_profile_is_shadow(find(ps, "localhost-kde")));
}
END_TEST

START_TEST(getprofilecompletion)
{
    xgb_profiles_t *ps = load("\n[DEFAULT]\nexports =\nfullscreen = false\n"
                              "width = 800\nheight = 600\n"
                              "applications = TERMINAL, WWWBROWSER\n\n"
                              "[testprofile]\nuser = foo\ncommand = GNOME\n");
    const apr_array_header_t *v = find(ps, "testprofile")->values;

    ck_assert_str_eq(keys(v), "user,command,exports,fullscreen,width,height,"
                     "applications,kdrive,defsndport,useiconv,iconvfrom,"
                     "export,quality,layout,useexports,speed,soundsystem,"
                     "print,type,sndport,xinerama,variant,usekbd,fstunnel,"
                     "multidisp,sshproxyport,sound,rootless,iconvto,"
                     "soundtunnel,dpi,sshport,setdpi,pack,host,directrdp");
    is_str(v, "exports", "");
    is_bool(v, "fullscreen", 0);
    is_int(v, "width", 800);
    is_int(v, "height", 600);
    is_list(v, "applications", "TERMINAL|WWWBROWSER");
    is_str(v, "user", "foo");
    is_str(v, "command", "GNOME");
    is_bool(v, "directrdp", 0);
    is_bool(v, "rootless", 1);
    is_int(v, "sshport", 22);
    is_list(v, "host", "localhost");
    is_str(v, "pack", "16m-jpeg");
}
END_TEST

START_TEST(getprofiledefaults)
{
    xgb_profiles_t *ps = load("[p]\n");
    const apr_array_header_t *v = find(ps, "p")->values;

    ck_assert_str_eq(keys(v), DEFAULT_KEYS);
    is_str(v, "command", "TERMINAL");
    is_bool(v, "kdrive", 0);
    is_bool(v, "defsndport", 1);
    is_int(v, "sndport", 4713);
    is_list(v, "applications", "TERMINAL|WWWBROWSER|MAILCLIENT|OFFICE");
    is_str(v, "user", "BROKER_USER");
    is_int(v, "setdpi", 0);
    ck_assert_int_eq(find(ps, "p")->sshport, 22);
}
END_TEST

static const char getprofile_text[] =
    "[DEFAULT]\nexports =\nfullscreen = false\nwidth = 800\nheight = 600\n"
    "applications = TERMINAL, WWWBROWSER\n"
    "acl-clients-deny = ALL\n"
    "acl-clients-allow = 10.0.0.0/16,10.1.0.0/16,admin-1.intern,"
    "admin-2.intern\n\n"
    "[testprofile1]\nuser = foo\ncommand = GNOME\n\n"
    "[testprofile2]\nuser = bar\ncommand = KDE\nfullscreen = true\n"
    "acl-clients-deny = 10.0.2.0/24,ALL\n\n"
    "[testprofile3]\nuser = bar\ncommand = KDE\nfullscreen = true\n"
    "acl-users-deny = ALL\nacl-users-allow = foo,bar\n"
    "acl-users-order = deny-allow\n\n"
    "[testprofile4]\nuser = bar\ncommand = gnomE\n";

START_TEST(getprofile)
{
    xgb_profiles_t *ps = load(getprofile_text);

    is_str(find(ps, "testprofile1")->values, "command", "GNOME");
    is_bool(find(ps, "testprofile1")->values, "fullscreen", 0);
    is_bool(find(ps, "testprofile2")->values, "fullscreen", 1);
    is_str(find(ps, "testprofile2")->values, "user", "bar");
    is_bool(find(ps, "testprofile3")->values, "fullscreen", 1);
    /* the raw profile keeps the case; only clients get "GNOME" */
    is_str(find(ps, "testprofile4")->values, "command", "gnomE");
    ck_assert_ptr_null(xgb_profile_value(find(ps, "testprofile3"),
                                         "acl-users-deny"));
}
END_TEST

START_TEST(getprofileacls)
{
    xgb_profiles_t *ps = load(getprofile_text);
    const xgb_acl_t *a1 = &find(ps, "testprofile1")->acl;
    const xgb_acl_t *a2 = &find(ps, "testprofile2")->acl;
    const xgb_acl_t *a3 = &find(ps, "testprofile3")->acl;

    ck_assert_str_eq(list_of(a1->clients_deny), "ALL");
    ck_assert_str_eq(list_of(a1->clients_allow), "10.0.0.0/16|10.1.0.0/16|"
                     "admin-1.intern|admin-2.intern");
    ck_assert_str_eq(a1->any_order, "deny-allow");
    ck_assert_int_eq(a1->users_allow->nelts, 0);
    ck_assert_str_eq(a1->users_order, "");
    ck_assert_int_eq(a2->clients_deny->nelts, 2);
    ck_assert_str_eq(list_of(a2->clients_deny), "10.0.2.0/24|ALL");
    ck_assert_str_eq(list_of(a3->users_deny), "ALL");
    ck_assert_str_eq(list_of(a3->users_allow), "foo|bar");
    ck_assert_str_eq(a3->users_order, "deny-allow");
    ck_assert_int_eq(a3->clients_deny->nelts, 1);
}
END_TEST

START_TEST(listprofiles_rootlessoverride)
{
    xgb_profiles_t *ps = load("[DEFAULT]\nrootless = true\n"
                              "command = TERMINAL\n\n"
                              "[testprofile1]\nuser =\n\n"
                              "[testprofile2]\nuser =\ncommand = XFCE\n\n"
                              "[testprofile3]\nuser =\ncommand = KDE\n"
                              "rootless = false\n\n"
                              "[testprofile4]\nuser =\ncommand = gnomE\n");
    xgb_client_profile_t *c1 = client(ps, "testprofile1", "foo", 0);
    xgb_client_profile_t *c2 = client(ps, "testprofile2", "foo", 0);
    xgb_client_profile_t *c3 = client(ps, "testprofile3", "foo", 0);
    xgb_client_profile_t *c4 = client(ps, "testprofile4", "foo", 0);

    is_str(c1->values, "command", "TERMINAL");
    is_bool(c1->values, "rootless", 1);
    is_str(c2->values, "command", "XFCE");
    is_bool(c2->values, "rootless", 0);
    is_str(c3->values, "command", "KDE");
    is_bool(c3->values, "rootless", 0);
    is_str(c4->values, "command", "GNOME");
    is_bool(c4->values, "rootless", 0);
    /* an empty user stays empty (x2goclient then asks) */
    is_str(c1->values, "user", "");
}
END_TEST

START_TEST(multihost_profiles)
{
    xgb_profiles_t *ps = load(
        "[DEFAULT]\ncommand = MATE\nuser = foo\n\n"
        "[testprofile1]\nhost = host1\n\n"
        "[testprofile2]\nhost = host1, host2\n\n"
        "[testprofile4]\nhost = host1.mydomain, host2.yourdomain\n\n"
        "[testprofile5]\nhost = host1.mydomain (10.0.2.4), "
        "host2.mydomain (10.0.2.5)\n\n"
        "[testprofile6]\nhost = host1.mydomain (10.0.2.4), "
        "host2.mydomain (10.0.2.5)\nsshport = 23467\n\n"
        "[testprofile7]\nhost = docker-vm-1 (localhost:22001), "
        "docker-vm-2 (localhost:22002)\n\n"
        "[testprofile8]\nhost = docker-vm-0 (localhost), "
        "docker-vm-1 (localhost:22001), docker-vm-2 (localhost:22002)\n"
        "sshport = 22000\n");
    const xgb_profile_t *p;

    p = find(ps, "testprofile1");
    is_list(p->values, "host", "host1");
    is_host(p, 0, "host1", NULL, 0);
    p = find(ps, "testprofile2");
    is_list(p->values, "host", "host1|host2");
    is_host(p, 1, "host2", NULL, 0);
    is_list(find(ps, "testprofile4")->values, "host",
            "host1.mydomain|host2.yourdomain");
    p = find(ps, "testprofile5");
    is_list(p->values, "host", "host1.mydomain|host2.mydomain");
    is_host(p, 0, "host1.mydomain", "10.0.2.4", 0);
    is_host(p, 1, "host2.mydomain", "10.0.2.5", 0);
    ck_assert_int_eq(p->sshport, 22);
    p = find(ps, "testprofile6");
    ck_assert_int_eq(p->sshport, 23467);
    is_host(p, 1, "host2.mydomain", "10.0.2.5", 0);
    p = find(ps, "testprofile7");
    is_list(p->values, "host", "docker-vm-1|docker-vm-2");
    is_host(p, 0, "docker-vm-1", "localhost", 22001);
    is_host(p, 1, "docker-vm-2", "localhost", 22002);
    p = find(ps, "testprofile8");
    ck_assert_int_eq(p->sshport, 22000);
    is_host(p, 0, "docker-vm-0", "localhost", 0);
    is_host(p, 1, "docker-vm-1", "localhost", 22001);
    is_host(p, 2, "docker-vm-2", "localhost", 22002);
    /* hidden mappings never become values */
    ck_assert_int_eq(p->values->nelts, 35);
    ck_assert(strchr(keys(p->values), '=') == NULL);
}
END_TEST

START_TEST(sessionselection_hosts)
{
    xgb_profiles_t *ps = load(
        "[testprofile1]\nname = TEST-1\nhost = test-1.local\n\n"
        "[testprofile3]\nname = TEST-3\nhost = test-3.local\n"
        "sshport = 44566\n\n"
        "[testprofile4]\nname = TEST-4\nhost = test-4 (10.0.2.4)\n\n"
        "[testprofile5]\nname = TEST-5\nhost = test-5.local (10.0.2.5)\n\n"
        "[testprofile6]\nname = TEST-6\nhost = test-6.local "
        "(test-6.extern)\n\n"
        "[testprofile7]\nname = TEST-7\nhost = test-7 (-test-6.extern)\n");

    is_host(find(ps, "testprofile1"), 0, "test-1.local", NULL, 0);
    ck_assert_int_eq(find(ps, "testprofile3")->sshport, 44566);
    is_host(find(ps, "testprofile4"), 0, "test-4", "10.0.2.4", 0);
    is_host(find(ps, "testprofile5"), 0, "test-5.local", "10.0.2.5", 0);
    is_host(find(ps, "testprofile6"), 0, "test-6.local", "test-6.extern", 0);
    is_host(find(ps, "testprofile7"), 0, "test-7", NULL, 0);
}
END_TEST

/* The ACL values parsed here, judged by xgb_acl_check() with the
 * reference's testsuite group database. */
static const char *visible_for(const xgb_profiles_t *ps, const char *user)
{
    apr_array_header_t *ids = apr_array_make(tp, 4, sizeof(const char *));
    int i;

    for (i = 0; i < ps->profiles->nelts; i++) {
        const xgb_profile_t *prof = APR_ARRAY_IDX(ps->profiles, i,
                                                  xgb_profile_t *);

        if (xgb_acl_check(tp, &prof->acl, user, "10.0.2.1",
                          xgb_groupdb_get("testsuite"), 1)) {
            APR_ARRAY_PUSH(ids, const char *) = prof->id;
        }
    }
    return apr_array_pstrcat(tp, ids, ',');
}

START_TEST(listprofileswithacls)
{
    xgb_profiles_t *ps = load(
        "[DEFAULT]\nexports =\nfullscreen = false\nwidth = 800\n"
        "height = 600\napplications = TERMINAL, WWWBROWSER\n"
        "acl-groups-allow = bees\nacl-groups-deny = ALL\n"
        "acl-groups-order = allow-deny\n\n"
        "[testprofile1]\nuser =\ncommand = GNOME\nacl-users-allow = flip\n"
        "acl-users-order = allow-deny\n\n"
        "[testprofile2]\nuser =\ncommand = XFCE\n"
        "acl-users-allow = thekla\nacl-users-order = allow-deny\n\n"
        "[testprofile3]\nuser =\ncommand = KDE\nfullscreen = true\n"
        "acl-users-deny = willi\nacl-users-order = deny-allow\n");

    ck_assert_str_eq(visible_for(ps, "flip"), "testprofile1");
    ck_assert_str_eq(visible_for(ps, "maja"),
                     "testprofile1,testprofile2,testprofile3");
    ck_assert_str_eq(visible_for(ps, "kassandra"),
                     "testprofile1,testprofile2,testprofile3");
    ck_assert_str_eq(visible_for(ps, "thekla"), "testprofile2");
    ck_assert_str_eq(visible_for(ps, "willi"), "testprofile1,testprofile2");
    is_str(client(ps, "testprofile1", "flip", 0)->values, "command",
           "GNOME");
}
END_TEST

/* ---- host= details (checked against the running reference) -------------- */

START_TEST(host_entry_forms)
{
    xgb_profiles_t *ps = load(
        "[p]\nhost = g (::1), h2 (fe80::abc), e (127.1), f (0x7f.1), "
        "i ([::1]), j (22), k (), l  (x), m x (y), n (:22), "
        "p (host.example.com:+2_2), q (x.y:abc), 1abc (xyz), ab (x), "
        "abc (ab), x25 (abc:65535), 0.5 (a.b)\n");
    const xgb_profile_t *p = find(ps, "p");

    is_host(p, 0, "g", "0.0.0.0", 1);   /* split at the last colon */
    is_host(p, 1, "h2", "fe80::abc", 0);
    is_host(p, 2, "e", "127.1", 0);
    is_host(p, 3, "f", "0x7f.1", 0);
    is_host(p, 4, "i", NULL, 0);
    is_host(p, 5, "j", "0.0.0.0", 0);
    is_host(p, 6, "k", "0.0.0.0", 0);
    is_host(p, 7, "l", "0.0.0.0", 0);
    is_host(p, 8, "m", "0.0.0.0", 0);
    is_host(p, 9, "n", "0.0.0.0", 0);
    is_host(p, 10, "p", "host.example.com", 0);
    is_host(p, 11, "q", NULL, 0);
    is_host(p, 12, "1abc", "xyz", 0);   /* a label may start with a digit */
    ck_assert_ptr_null(host_at(p, 13)->addr);   /* "x" is too short */
    is_host(p, 14, "abc", NULL, 0);
    is_host(p, 15, "x25", "abc", 65535);
    is_host(p, 16, "0.5", NULL, 0);
    /* an empty list, and empty items, give no hosts */
    ps = load("[p]\nhost =\n[q]\nhost = ,a,,\n");
    ck_assert_int_eq(find(ps, "p")->hosts->nelts, 0);
    is_list(find(ps, "p")->values, "host", "");
    is_host(find(ps, "q"), 0, "a", NULL, 0);
    ck_assert_int_eq(find(ps, "q")->hosts->nelts, 1);
}
END_TEST

START_TEST(host_name_checks)
{
    ck_assert(xgb_hosts_is_label("docker-vm-1"));
    ck_assert(xgb_hosts_is_label("1abc"));
    ck_assert(!xgb_hosts_is_label("-a"));
    ck_assert(!xgb_hosts_is_label("a-"));
    ck_assert(!xgb_hosts_is_label("a.b"));
    ck_assert(!xgb_hosts_is_label(""));
    ck_assert(!xgb_hosts_is_label(NULL));
    ck_assert(!xgb_hosts_is_label("a234567890123456789012345678901234567890"
                                  "123456789012345678901234"));
    ck_assert(xgb_hosts_is_fqdn("localhost"));
    ck_assert(xgb_hosts_is_fqdn("docker-server"));
    ck_assert(xgb_hosts_is_fqdn("test-6.extern"));
    ck_assert(xgb_hosts_is_fqdn("ab-c.de"));
    ck_assert(!xgb_hosts_is_fqdn("ab-c.d-ef"));
    ck_assert(xgb_hosts_is_fqdn("X.Y.Zz"));
    ck_assert(!xgb_hosts_is_fqdn("ab"));
    ck_assert(!xgb_hosts_is_fqdn("-test-6.extern"));
    ck_assert(!xgb_hosts_is_fqdn("a-.bc"));
    ck_assert(!xgb_hosts_is_fqdn("a..bc"));
    ck_assert(!xgb_hosts_is_fqdn("a.b."));
    ck_assert(!xgb_hosts_is_fqdn("a1b2"));
    ck_assert(!xgb_hosts_is_fqdn("10.0.2.4"));
    ck_assert(!xgb_hosts_is_fqdn("h\xc3\xa9st"));
    ck_assert(!xgb_hosts_is_fqdn(NULL));
    ck_assert(xgb_hosts_is_ip("10.0.2.4"));
    ck_assert(xgb_hosts_is_ip("127.1"));
    ck_assert(xgb_hosts_is_ip("::ffff:1.2.3.4"));
    ck_assert(!xgb_hosts_is_ip("256.0.0.1"));
    ck_assert(!xgb_hosts_is_ip("[::1]"));
    ck_assert(!xgb_hosts_is_ip("1.2.3.4\tx"));
    ck_assert(!xgb_hosts_is_ip(""));
}
END_TEST

/* ---- load errors -------------------------------------------------------- */

START_TEST(typed_value_errors)
{
    load_fails("[a]\nname = x\nwidth = abc\n",
               "p.conf:3: key 'width': invalid integer 'abc'");
    load_fails("[a]\nfullscreen = maybe\n",
               "p.conf:2: key 'fullscreen': invalid boolean 'maybe'");
    load_fails("[a]\nfullscreen = not-set\n",
               "p.conf:2: key 'fullscreen': invalid boolean 'not-set'");
    load_fails("[a]\nquality = 99999999999999999999\n",
               "p.conf:2: key 'quality': out of range integer "
               "'99999999999999999999'");
    load_fails("[a]\nhost = [1, 2]\n",
               "p.conf:2: key 'host': invalid list '[1, 2]': only string "
               "literals are allowed in a list");
    load_fails("[a]\nacl-users-allow = ['a' 'b' 1]\n",
               "p.conf:2: key 'acl-users-allow': invalid list "
               "'['a' 'b' 1]': expected ',' or ']' in list");
}
END_TEST

START_TEST(default_section_errors)
{
    /* [DEFAULT] values are checked even when every profile overrides */
    load_fails("[DEFAULT]\nwidth = x\n[a]\nwidth = 5\n",
               "p.conf:2: key 'width': invalid integer 'x'");
    load_fails("[DEFAULT]\nwidth = x\n",
               "p.conf:2: key 'width': invalid integer 'x'");
    /* an inherited value's error names the [DEFAULT] line */
    load_fails("[DEFAULT]\n\nsshport = not-set\n[a]\n",
               "p.conf:3: key 'sshport': 'not-set' is not allowed for "
               "this key");
}
END_TEST

START_TEST(values_the_reference_crashes_on)
{
    load_fails("[a]\ncommand = not-set\n",
               "p.conf:2: key 'command': 'not-set' is not allowed for "
               "this key");
    load_fails("[a]\nsshport = 0\n",
               "p.conf:2: key 'sshport': port out of range");
    load_fails("[a]\nsshport = 70000\n",
               "p.conf:2: key 'sshport': port out of range");
    load_fails("[a]\nhost = a, h (x.yz:70000)\n",
               "p.conf:2: key 'host': host entry 'h (x.yz:70000)': port out "
               "of range");
    load_fails("[a]\nhost = h (]:5)\n",
               "p.conf:2: key 'host': host entry 'h (]:5)': empty address");
    /* ... but not when the reference ignores the address anyway */
    ck_assert_ptr_nonnull(load("[a]\nhost = -h (]:5), h (x_y:70000)\n"));
}
END_TEST

START_TEST(ini_errors_pass_through)
{
    load_fails("[a]\n[a]\n", "p.conf:2: duplicate section 'a' (first at "
               "line 1)");
    load_fails("k = v\n", "p.conf:1: key outside of any section");
}
END_TEST

START_TEST(file_errors)
{
    xgb_profiles_t *ps = (xgb_profiles_t *)1;
    const char *err = NULL;
    char *big = apr_palloc(tp, XGB_INI_MAX_SIZE + 2);

    ck_assert(APR_STATUS_IS_ENOENT(xgb_profiles_load(tp, "/nonexistent.conf",
                                                     &ps, &err)));
    ck_assert_ptr_null(ps);
    ck_assert_ptr_nonnull(err);
    memset(big, ';', XGB_INI_MAX_SIZE + 1);
    big[XGB_INI_MAX_SIZE + 1] = '\0';
    load_fails(big, "p.conf: larger than 4194304 bytes");
}
END_TEST

START_TEST(too_many_profiles)
{
    apr_array_header_t *parts = apr_array_make(tp, XGB_PROFILES_MAX + 1,
                                               sizeof(const char *));
    int i;

    for (i = 0; i < XGB_PROFILES_MAX; i++) {
        APR_ARRAY_PUSH(parts, const char *) = apr_psprintf(tp, "[p%d]\n", i);
    }
    ck_assert_int_eq(load(apr_array_pstrcat(tp, parts, 0))->profiles->nelts,
                     XGB_PROFILES_MAX);
    APR_ARRAY_PUSH(parts, const char *) = "[one-more]\n";
    load_fails(apr_array_pstrcat(tp, parts, 0),
               "p.conf: more than 10000 profiles");
}
END_TEST

/* ---- key order quirks --------------------------------------------------- */

START_TEST(key_order)
{
    xgb_profiles_t *ps = load("[DEFAULT]\nzeta = z\nwidth = 1\n"
                              "[p]\nown = o\nwidth = 2\ncommand = KDE\n");
    const char *k = keys(find(ps, "p")->values);

    ck_assert(strncmp(k, "own,width,command,zeta,kdrive,", 30) == 0);
    is_int(find(ps, "p")->values, "width", 2);
}
END_TEST

START_TEST(section_named_keys)
{
    /* the reference drops keys named like a section and re-adds the
     * inherited ones at the end */
    xgb_profiles_t *ps = load("[DEFAULT]\nname = dflt\n"
                              "[name]\nname = own\nq = 1\n"
                              "[q]\nhost = h\n");
    const apr_array_header_t *v = find(ps, "name")->values;

    ck_assert_ptr_null(lookup(v, "q"));
    is_str(v, "name", "dflt");
    ck_assert_str_eq(APR_ARRAY_IDX(v, v->nelts - 1, xgb_value_t).key,
                     "name");
    is_list(find(ps, "q")->values, "host", "h");
}
END_TEST

START_TEST(multiline_and_unknown_keys)
{
    xgb_profiles_t *ps = load("[p]\nmulti = a\n  b\nusebrokerpass = true\n"
                              "applications = [ 'x', '' ]\n");
    const apr_array_header_t *v = find(ps, "p")->values;

    is_str(v, "multi", "a\nb");
    is_str(v, "usebrokerpass", "true");
    is_list(v, "applications", "x");
}
END_TEST

/* ---- broker-* ----------------------------------------------------------- */

START_TEST(broker_keys)
{
    xgb_profiles_t *ps = load(
        "[DEFAULT]\nbroker-agent-query-mode = ssh\n"
        "[a]\nbroker-session-autologin = TRUE\nbroker-portscan-x2goservers ="
        "\nbroker-authorized-keys = %h/k\nbroker-agent-hostkey-policy = "
        "AutoAddPolicy\nbroker-sshproxy-authorized-keys = %h/s\n"
        "broker-use-load-checker = no\n"
        "[b]\nbroker-agent-query-mode =\nbroker-portscan-x2goservers = 0\n"
        "[c]\nbroker-agent-query-mode =\nbroker-unknown = x\n"
        "[d]\nbroker-agent-query-mode =\n");
    const xgb_profile_t *a = find(ps, "a"), *b = find(ps, "b");

    ck_assert_str_eq(a->session_autologin, "TRUE");
    ck_assert_ptr_null(a->portscan);
    ck_assert_str_eq(a->agent_query_mode, "ssh");
    ck_assert_str_eq(a->authorized_keys, "%h/k");
    ck_assert_str_eq(a->agent_hostkey_policy, "AutoAddPolicy");
    ck_assert_str_eq(a->sshproxy_authorized_keys, "%h/s");
    ck_assert_str_eq(a->use_load_checker, "no");
    ck_assert_ptr_null(b->agent_query_mode);
    ck_assert_int_eq(a->has_broker_keys, 1);
    ck_assert_int_eq(b->has_broker_keys, 1);
    ck_assert_int_eq(find(ps, "c")->has_broker_keys, 1);
    ck_assert_int_eq(find(ps, "d")->has_broker_keys, 0);
    ck_assert_int_eq(xgb_profile_autologin(a, 0), 1);
    ck_assert_int_eq(xgb_profile_autologin(b, 1), 1);
    ck_assert_int_eq(xgb_profile_autologin(b, 0), 0);
    ck_assert_int_eq(xgb_profile_portscan(a, 1), 1);
    ck_assert_int_eq(xgb_profile_portscan(b, 1), 0);
    ck_assert_int_eq(xgb_profile_autologin(NULL, 1), 1);
}
END_TEST

START_TEST(broker_switch_values)
{
    xgb_profiles_t *ps = load("[a]\nbroker-session-autologin = 1\n"
                              "[b]\nbroker-session-autologin = yes\n"
                              "[c]\nbroker-session-autologin = True\n");

    ck_assert_int_eq(xgb_profile_autologin(find(ps, "a"), 0), 1);
    ck_assert_int_eq(xgb_profile_autologin(find(ps, "b"), 1), 0);
    ck_assert_int_eq(xgb_profile_autologin(find(ps, "c"), 0), 1);
}
END_TEST

/* ---- what clients get --------------------------------------------------- */

START_TEST(client_not_set_and_user)
{
    xgb_profiles_t *ps = load("[DEFAULT]\nwidth = not-set\n"
                              "[a]\niconvto = not-set\nname = x\n"
                              "[b]\nuser = not-set\n[c]\nuser = bob\n");
    xgb_client_profile_t *a = client(ps, "a", "alice", 0);

    ck_assert_ptr_null(lookup(a->values, "width"));
    ck_assert_ptr_null(lookup(a->values, "iconvto"));
    is_str(a->values, "user", "alice");
    ck_assert_int_eq(a->values->nelts, find(ps, "a")->values->nelts - 2);
    ck_assert_ptr_null(lookup(client(ps, "b", "alice", 0)->values, "user"));
    is_str(client(ps, "c", "alice", 0)->values, "user", "bob");
    /* the stored profile is not changed */
    is_str(find(ps, "a")->values, "user", "BROKER_USER");
    is_str(find(ps, "a")->values, "width", "not-set");
}
END_TEST

START_TEST(client_autologin)
{
    xgb_profiles_t *ps = load("[a]\n[b]\nkey = mine\nautologin = no\n"
                              "[c]\nbroker-session-autologin = false\n");
    xgb_client_profile_t *a = client(ps, "a", "u", 1);
    xgb_client_profile_t *b = client(ps, "b", "u", 1);
    int n = a->values->nelts;

    /* appended at the end ... */
    ck_assert_str_eq(APR_ARRAY_IDX(a->values, n - 2, xgb_value_t).key,
                     "autologin");
    is_bool(a->values, "autologin", 1);
    ck_assert_str_eq(APR_ARRAY_IDX(a->values, n - 1, xgb_value_t).key,
                     "key");
    is_str(a->values, "key", "<will-be-exchanged-during-session-selection>");
    /* ... or in place when the profile has such keys */
    ck_assert_str_eq(APR_ARRAY_IDX(b->values, 0, xgb_value_t).key, "key");
    is_str(b->values, "key", "<will-be-exchanged-during-session-selection>");
    is_bool(b->values, "autologin", 1);
    ck_assert_int_eq(b->values->nelts, find(ps, "b")->values->nelts);
    ck_assert_ptr_null(lookup(client(ps, "c", "u", 1)->values, "autologin"));
    ck_assert_ptr_null(lookup(client(ps, "a", "u", 0)->values, "key"));
}
END_TEST

START_TEST(client_desktops)
{
    xgb_profiles_t *ps = load("[a]\ncommand = trınıty\nrootless = yes\n"
                              "[b]\ncommand = xdmcp\n[c]\ncommand = kde \n"
                              "[d]\ncommand = xterm\n[e]\ncommand = "
                              "kdee\n");

    is_str(client(ps, "a", "u", 0)->values, "command", "TRINITY");
    is_bool(client(ps, "a", "u", 0)->values, "rootless", 0);
    ck_assert_str_eq(APR_ARRAY_IDX(client(ps, "a", "u", 0)->values, 1,
                                   xgb_value_t).key, "rootless");
    is_str(client(ps, "b", "u", 0)->values, "command", "XDMCP");
    is_str(client(ps, "c", "u", 0)->values, "command", "KDE");
    is_str(client(ps, "d", "u", 0)->values, "command", "xterm");
    is_bool(client(ps, "d", "u", 0)->values, "rootless", 1);
    is_str(client(ps, "e", "u", 0)->values, "command", "kdee");
}
END_TEST

START_TEST(client_shadow)
{
    xgb_profiles_t *ps = load("[s]\ncommand = SHADOW\nhost = h1, h2\n"
                              "[t]\ncommand = shadow\nhost = h1, h2\n"
                              "[u]\ncommand = SHADOW\nhost =\n");

    is_list(client(ps, "s", "u", 0)->values, "host", "h1");
    is_list(find(ps, "s")->values, "host", "h1|h2");
    /* the reference compares case-sensitively */
    ck_assert(!xgb_profile_is_shadow(find(ps, "t")));
    is_list(client(ps, "t", "u", 0)->values, "host", "h1|h2");
    is_list(client(ps, "u", "u", 0)->values, "host", "");
    is_bool(client(ps, "s", "u", 0)->values, "rootless", 1);
}
END_TEST

/* Spec 3.5 step 6: the listing status with agent data. */
START_TEST(client_status)
{
    xgb_profiles_t *ps = load("[a]\nhost = h1, h2, h3\n"
                              "[b]\nstatus = old\nhost = h1\n"
                              "[c]\ncommand = SHADOW\nhost = h1, h2\n");
    xgb_client_profile_t *a = client(ps, "a", "u", 1);
    const char *before = keys(a->values);
    int n = a->values->nelts;

    /* status appended after autologin and key, host in place */
    xgb_profile_set_status(tp, a, 'S', "h2");
    ck_assert_str_eq(keys(a->values), apr_pstrcat(tp, before, ",status",
                                                  NULL));
    ck_assert_int_eq(a->values->nelts, n + 1);
    is_str(a->values, "status", "S");
    is_list(a->values, "host", "h2");
    /* the loaded profile keeps its list */
    is_list(find(ps, "a")->values, "host", "h1|h2|h3");
    /* a second call changes the values, not the keys */
    xgb_profile_set_status(tp, a, 'R', "h3");
    ck_assert_int_eq(a->values->nelts, n + 1);
    is_str(a->values, "status", "R");
    is_list(a->values, "host", "h3");

    /* no session: the first host, no status key */
    a = client(ps, "a", "u", 0);
    xgb_profile_set_status(tp, a, 0, "h1");
    ck_assert_str_eq(keys(a->values), keys(client(ps, "a", "u", 0)->values));
    is_list(a->values, "host", "h1");
    ck_assert_ptr_null(lookup(a->values, "status"));
    /* host NULL leaves the list; only S and R are statuses */
    xgb_profile_set_status(tp, a, 'X', NULL);
    is_list(a->values, "host", "h1");
    ck_assert_ptr_null(lookup(a->values, "status"));
    xgb_profile_set_status(tp, a, 'S', NULL);
    is_list(a->values, "host", "h1");
    is_str(a->values, "status", "S");

    /* a profile's own status key is overwritten where it is */
    a = client(ps, "b", "u", 0);
    ck_assert_str_eq(APR_ARRAY_IDX(a->values, 0, xgb_value_t).key,
                     "status");
    n = a->values->nelts;
    xgb_profile_set_status(tp, a, 'R', "h1");
    ck_assert_str_eq(APR_ARRAY_IDX(a->values, 0, xgb_value_t).key,
                     "status");
    is_str(a->values, "status", "R");
    ck_assert_int_eq(a->values->nelts, n);

    /* desktop sharing: the first host, as xgb_select_status() says */
    a = client(ps, "c", "u", 0);
    xgb_profile_set_status(tp, a, 0, "h1");
    is_list(a->values, "host", "h1");
}
END_TEST

START_TEST(client_status_without_host)
{
    xgb_client_profile_t cp = { "p", NULL };

    cp.values = apr_array_make(tp, 2, sizeof(xgb_value_t));
    xgb_profile_set_status(tp, &cp, 'S', "h9");
    ck_assert_str_eq(keys(cp.values), "status,host");
    is_list(cp.values, "host", "h9");
    /* nothing to work on: nothing happens */
    xgb_profile_set_status(NULL, &cp, 'R', "h1");
    xgb_profile_set_status(tp, NULL, 'R', "h1");
    cp.values = NULL;
    xgb_profile_set_status(tp, &cp, 'R', "h1");
    ck_assert_ptr_null(cp.values);
}
END_TEST

START_TEST(null_safety)
{
    xgb_profiles_t *ps = load("[a]\n");

    ck_assert_ptr_null(xgb_profiles_find(NULL, "a"));
    ck_assert_ptr_null(xgb_profiles_find(ps, NULL));
    ck_assert_ptr_null(xgb_profiles_find(ps, "b"));
    ck_assert_ptr_null(xgb_profile_value(NULL, "host"));
    ck_assert_ptr_null(xgb_profile_value(find(ps, "a"), NULL));
    ck_assert_ptr_null(xgb_profile_value(find(ps, "a"), "nope"));
    ck_assert_ptr_null(xgb_profile_for_client(tp, NULL, "u", 0));
    ck_assert(!xgb_profile_is_shadow(NULL));
    is_str(client(ps, "a", NULL, 0)->values, "user", "");
    ck_assert_ptr_nonnull(load(""));
    ck_assert_int_eq(load("[DEFAULT]\nk = v\n")->profiles->nelts, 0);
}
END_TEST

START_TEST(profile_id_warning)
{
    xgb_profiles_t *ps = load("[good-id_1.x]\n");

    ck_assert_str_eq(xgb_test_last_log, "");
    ps = load("[a]\n[b c&d]\n");
    ck_assert_ptr_nonnull(find(ps, "b c&d"));
    ck_assert_str_eq(xgb_test_last_log, "p.conf:2: profile id 'b c&d' has "
                     "characters outside [A-Za-z0-9._-]; x2goclient does not "
                     "URL-encode ids, so selecting it may fail");
}
END_TEST

/* B3: a client ACL entry that is no address is reported at load time,
 * with file, line and profile, once rather than on every request. */
START_TEST(client_acl_warning)
{
    load("[a]\n[b]\nacl-clients-allow = 10.0.0.0/8, gateway.example.org\n");
    ck_assert_str_eq(xgb_test_last_log, "p.conf:2: profile 'b': "
                     "acl-clients-allow: ignoring 'gateway.example.org': "
                     "not an IP address or network");
}
END_TEST

/* ---- zeroconf ----------------------------------------------------------- */

START_TEST(zeroconf)
{
    xgb_client_profile_t *z = xgb_zeroconf_profile(tp, "kDe");
    xgb_client_profile_t *z2 = xgb_zeroconf_profile(tp, NULL);
    const char *id = z->id;
    int i;

    ck_assert_str_eq(keys(z->values), DEFAULT_KEYS ",name");
    is_str(z->values, "command", "KDE");
    is_str(z->values, "user", "");
    is_str(z->values, "host", "localhost");
    is_int(z->values, "useexports", 1);
    is_int(z->values, "multidisp", 0);
    is_int(z->values, "rootless", 0);
    is_str(z->values, "name", "LOCALHOST");
    is_bool(z->values, "kdrive", 0);
    is_bool(z->values, "directrdp", 0);
    is_list(z->values, "applications", "TERMINAL|WWWBROWSER|MAILCLIENT|"
            "OFFICE");
    /* lowercase RFC 4122 version 4 */
    ck_assert_int_eq(strlen(id), 36);
    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            ck_assert_int_eq(id[i], '-');
        }
        else {
            ck_assert(strchr("0123456789abcdef", id[i]) != NULL);
        }
    }
    ck_assert_int_eq(id[14], '4');
    ck_assert(strchr("89ab", id[19]) != NULL);
    ck_assert_str_ne(id, z2->id);
    is_str(z2->values, "command", "");
    ck_assert_ptr_null(xgb_zeroconf_profile(NULL, "KDE"));
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("profile");
    TCase *tr = tcase_create("reference");
    TCase *th = tcase_create("hosts");
    TCase *te = tcase_create("errors");
    TCase *tc = tcase_create("client");

    tcase_add_checked_fixture(tr, xgb_test_setup, xgb_test_teardown);
    tcase_add_checked_fixture(th, xgb_test_setup, xgb_test_teardown);
    tcase_add_checked_fixture(te, xgb_test_setup, xgb_test_teardown);
    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_add_test(tr, shipped_file);
    tcase_add_test(tr, getprofilecompletion);
    tcase_add_test(tr, getprofiledefaults);
    tcase_add_test(tr, getprofile);
    tcase_add_test(tr, getprofileacls);
    tcase_add_test(tr, listprofileswithacls);
    tcase_add_test(tr, listprofiles_rootlessoverride);
    tcase_add_test(tr, multihost_profiles);
    tcase_add_test(tr, sessionselection_hosts);
    tcase_add_test(th, host_entry_forms);
    tcase_add_test(th, host_name_checks);
    tcase_add_test(te, typed_value_errors);
    tcase_add_test(te, default_section_errors);
    tcase_add_test(te, values_the_reference_crashes_on);
    tcase_add_test(te, ini_errors_pass_through);
    tcase_add_test(te, file_errors);
    tcase_add_test(te, too_many_profiles);
    tcase_add_test(tc, key_order);
    tcase_add_test(tc, section_named_keys);
    tcase_add_test(tc, multiline_and_unknown_keys);
    tcase_add_test(tc, broker_keys);
    tcase_add_test(tc, broker_switch_values);
    tcase_add_test(tc, client_not_set_and_user);
    tcase_add_test(tc, client_autologin);
    tcase_add_test(tc, client_desktops);
    tcase_add_test(tc, client_shadow);
    tcase_add_test(tc, client_status);
    tcase_add_test(tc, client_status_without_host);
    tcase_add_test(tc, null_safety);
    tcase_add_test(tc, profile_id_warning);
    tcase_add_test(tc, client_acl_warning);
    tcase_add_test(tc, zeroconf);
    suite_add_tcase(s, tr);
    suite_add_tcase(s, th);
    suite_add_tcase(s, te);
    suite_add_tcase(s, tc);
    return s;
}

XGB_TEST_MAIN()
