/*
 * test_render.c - plain (spec 1.5-1.7) and JSON (spec 2.1) bodies, byte
 * for byte.  The files under data/ were captured from the reference
 * broker (x2gobroker 0.0.4.3, `x2gobroker -M HTTP`, auth mech none, agent
 * mode NONE, user alice) or written by Python's json.dumps(indent=4,
 * sort_keys=True); AUTHIDs are taken over from the captures.
 */
#include <string.h>

#include <apr_strings.h>

#include "xgb_test.h"
#include "xgb_render.h"
#include "xgb_profile.h"
#include "xgb_ini.h"

/* ---- helpers ------------------------------------------------------------ */

/* The text after `marker` up to the next `end` character. */
static const char *field(const char *text, const char *marker, char end)
{
    const char *s = strstr(text, marker);

    ck_assert_ptr_nonnull(s);
    s += strlen(marker);
    return apr_pstrmemdup(tp, s, strchr(s, end) - s);
}

/* Every profile of a file as alice sees it (no ACLs in these files). */
static apr_array_header_t *client_profiles(const char *file)
{
    xgb_profiles_t *ps = NULL;
    const char *err = NULL;
    apr_array_header_t *out = apr_array_make(tp, 4, sizeof(void *));
    int i;

    ck_assert_msg(xgb_profiles_load(tp, apr_pstrcat(tp, XGB_TEST_DATADIR,
                                                    "/", file, NULL),
                                    &ps, &err) == APR_SUCCESS, "%s", err);
    for (i = 0; i < ps->profiles->nelts; i++) {
        APR_ARRAY_PUSH(out, xgb_client_profile_t *) = xgb_profile_for_client(
            tp, APR_ARRAY_IDX(ps->profiles, i, xgb_profile_t *), "alice", 0);
    }
    return out;
}

static void compare_plain(const char *conf, const char *capture)
{
    const char *expected = xgb_test_slurp(capture);
    xgb_answer_t a = { 0 };

    a.task = "listsessions";
    a.next_authid = field(expected, "AUTHID:", '\n');
    a.profiles = client_profiles(conf);
    ck_assert_str_eq(xgb_render_plain(tp, &a), expected);
}

static void compare_json(const char *conf, const char *capture)
{
    const char *expected = xgb_test_slurp(capture);
    xgb_answer_t a = { 0 };

    a.task = "listprofiles";
    a.next_authid = field(expected, "\"next-authid\": \"", '"');
    a.profiles = client_profiles(conf);
    ck_assert_str_eq(xgb_render_json(tp, &a), expected);
}

static xgb_value_t *add_value(apr_array_header_t *vals, const char *key,
                              xgb_val_type_e type)
{
    xgb_value_t *v = apr_array_push(vals);

    memset(v, 0, sizeof(*v));
    v->key = key;
    v->type = type;
    return v;
}

static apr_array_header_t *list(const char *a, const char *b, const char *c)
{
    apr_array_header_t *l = apr_array_make(tp, 3, sizeof(const char *));

    APR_ARRAY_PUSH(l, const char *) = a;
    APR_ARRAY_PUSH(l, const char *) = b;
    APR_ARRAY_PUSH(l, const char *) = c;
    return l;
}

static xgb_client_profile_t *profile(const char *id)
{
    xgb_client_profile_t *cp = apr_pcalloc(tp, sizeof(*cp));

    cp->id = id;
    cp->values = apr_array_make(tp, 8, sizeof(xgb_value_t));
    return cp;
}

static apr_array_header_t *one(xgb_client_profile_t *cp)
{
    apr_array_header_t *arr = apr_array_make(tp, 2, sizeof(void *));

    APR_ARRAY_PUSH(arr, xgb_client_profile_t *) = cp;
    return arr;
}

/* The profile "prö" of data/render-tricky.json. */
static xgb_client_profile_t *tricky_profile(void)
{
    xgb_client_profile_t *cp = profile("pr\xc3\xb6");
    apr_array_header_t *v = cp->values;

    add_value(v, "s1", XGB_VAL_STR)->str = "\xc3\xa9 \xc3\xbc \xe4\xb8\xad "
                                           "\xf0\x9f\x98\x80";
    add_value(v, "s2", XGB_VAL_STR)->str = "quote \" backslash \\ slash / "
                                           "</script>";
    add_value(v, "s3", XGB_VAL_STR)->str = "\x01\x1f\x7f\b\f\n\r\tend";
    add_value(v, "list", XGB_VAL_LIST)->list = list("a\"b", "c\\d", "");
    add_value(v, "empty", XGB_VAL_LIST)->list = apr_array_make(tp, 0,
                                                  sizeof(const char *));
    add_value(v, "b", XGB_VAL_BOOL)->b = 1;
    add_value(v, "f", XGB_VAL_BOOL)->b = 0;
    add_value(v, "i", XGB_VAL_INT)->i = -5;
    add_value(v, "big", XGB_VAL_INT)->i = APR_INT64_MAX;
    add_value(v, "e", XGB_VAL_STR)->str = "";
    add_value(v, "k\xc3\xa4", XGB_VAL_STR)->str = "v";
    return cp;
}

static xgb_selection_t *selection(void)
{
    xgb_selection_t *sel = apr_pcalloc(tp, sizeof(*sel));

    sel->server = "10.0.2.13";
    sel->port = 2222;
    sel->key = "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n"
               "-----END RSA PRIVATE KEY-----\n";
    sel->session_info = "30342|alice-50|50|s-E3|S|2014-10-31T13:47:41|c02c|"
                        "10.0.0.5|30001|30002|2014-10-31T13:47:43|alice|34|"
                        "30003|-1|-1";
    return sel;
}

/* ---- against the reference broker --------------------------------------- */

START_TEST(shipped_profiles_plain)
{
    compare_plain("profiles-shipped.conf", "profiles-shipped-alice.plain");
}
END_TEST

START_TEST(shipped_profiles_json)
{
    compare_json("profiles-shipped.conf", "profiles-shipped-alice.json");
}
END_TEST

START_TEST(tricky_profiles_plain)
{
    compare_plain("profiles-tricky.conf", "profiles-tricky-alice.plain");
}
END_TEST

START_TEST(tricky_profiles_json)
{
    compare_json("profiles-tricky.conf", "profiles-tricky-alice.json");
}
END_TEST

START_TEST(zeroconf_plain)
{
    const char *expected = xgb_test_slurp("zeroconf-kde-alice.plain");
    xgb_client_profile_t *z = xgb_zeroconf_profile(tp, "KDE");
    xgb_answer_t a = { 0 };

    z->id = field(expected, "\n[", ']');        /* the capture's random id */
    a.next_authid = field(expected, "AUTHID:", '\n');
    a.profiles = one(z);
    ck_assert_str_eq(xgb_render_plain(tp, &a), expected);
}
END_TEST

/* ---- against Python's json.dumps ---------------------------------------- */

START_TEST(json_tricky_values)
{
    apr_array_header_t *profiles = one(tricky_profile());
    xgb_answer_t a = { 0 };

    APR_ARRAY_PUSH(profiles, xgb_client_profile_t *) = profile("a");
    a.task = "listprofiles";
    a.next_authid = "0b1d3c8e-7f1a-4b5e-a3c2-9d8e7f6a5b4c";
    a.profiles = profiles;
    ck_assert_str_eq(xgb_render_json(tp, &a),
                     xgb_test_slurp("render-tricky.json"));
}
END_TEST

START_TEST(json_selection)
{
    xgb_answer_t a = { 0 };

    a.task = "selectsession";
    a.has_selection = 1;
    a.selection = selection();
    ck_assert_str_eq(xgb_render_json(tp, &a),
                     xgb_test_slurp("render-select.json"));
}
END_TEST

START_TEST(json_small_answers)
{
    xgb_answer_t a = { 0 };

    ck_assert_str_eq(xgb_render_json(tp, &a),
                     "{\n    \"auth-status\": \"Access granted\",\n"
                     "    \"task\": \"\"\n}");
    a.task = "listprofiles";
    a.next_authid = "x";
    a.profiles = apr_array_make(tp, 0, sizeof(void *));
    ck_assert_str_eq(xgb_render_json(tp, &a),
                     "{\n    \"auth-status\": \"Access granted\",\n"
                     "    \"next-authid\": \"x\",\n"
                     "    \"profiles\": {},\n"
                     "    \"task\": \"listprofiles\"\n}");
    a.profiles = NULL;
    a.task = "selectsession";
    a.has_selection = 1;
    ck_assert_str_eq(xgb_render_json(tp, &a),
                     "{\n    \"auth-status\": \"Access granted\",\n"
                     "    \"next-authid\": \"x\",\n"
                     "    \"selected_session\": {},\n"
                     "    \"task\": \"selectsession\"\n}");
}
END_TEST

START_TEST(json_selection_minimal)
{
    xgb_selection_t sel = { 0 };
    xgb_answer_t a = { 0 };

    sel.server = "no-server-available";
    sel.port = 22;
    a.task = "selectsession";
    a.has_selection = 1;
    a.selection = &sel;
    ck_assert_str_eq(xgb_render_json(tp, &a),
                     "{\n    \"auth-status\": \"Access granted\",\n"
                     "    \"selected_session\": {\n"
                     "        \"port\": \"22\",\n"
                     "        \"server\": \"no-server-available\"\n"
                     "    },\n"
                     "    \"task\": \"selectsession\"\n}");
}
END_TEST

START_TEST(json_invalid_utf8)
{
    xgb_client_profile_t *cp = profile("p");
    xgb_answer_t a = { 0 };
    const char *out;

    add_value(cp->values, "k\xff", XGB_VAL_STR)->str = "a\xc3";
    a.profiles = one(cp);
    out = xgb_render_json(tp, &a);
    ck_assert_ptr_nonnull(out);
    ck_assert_ptr_nonnull(strstr(out, "\"k\\ufffd\": \"a\\ufffd\""));
}
END_TEST

/* ---- plain -------------------------------------------------------------- */

START_TEST(plain_value_types_and_order)
{
    xgb_client_profile_t *b = profile("b"), *a = profile("a");
    apr_array_header_t *profiles = one(b);
    xgb_answer_t ans = { 0 };

    add_value(b->values, "host", XGB_VAL_LIST)->list = list("s1", "s2", "s3");
    add_value(b->values, "rootless", XGB_VAL_BOOL)->b = 1;
    add_value(b->values, "width", XGB_VAL_INT)->i = -800;
    add_value(b->values, "name", XGB_VAL_STR)->str = "x=y\nz";
    add_value(a->values, "empty", XGB_VAL_LIST)->list = NULL;
    add_value(a->values, "s", XGB_VAL_STR)->str = NULL;
    APR_ARRAY_PUSH(profiles, xgb_client_profile_t *) = NULL;
    APR_ARRAY_PUSH(profiles, xgb_client_profile_t *) = a;
    ans.profiles = profiles;
    ck_assert_str_eq(xgb_render_plain(tp, &ans),
                     "Access granted\nSTART_USER_SESSIONS\n\n"
                     "[a]\nempty=\ns=\n\n"
                     "[b]\nhost=s1,s2,s3\nrootless=1\nwidth=-800\n"
                     "name=x=y\nz\n\nEND_USER_SESSIONS\n");
}
END_TEST

START_TEST(plain_no_profiles)
{
    xgb_answer_t a = { 0 };

    a.next_authid = "id";
    a.profiles = apr_array_make(tp, 0, sizeof(void *));
    ck_assert_str_eq(xgb_render_plain(tp, &a), "AUTHID:id\nAccess granted\n");
    a.profiles = NULL;
    ck_assert_str_eq(xgb_render_plain(tp, &a), "AUTHID:id\nAccess granted\n");
}
END_TEST

START_TEST(plain_selection)
{
    xgb_answer_t a = { 0 };
    xgb_selection_t sel = { 0 };

    a.next_authid = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    a.has_selection = 1;
    a.selection = selection();
    ck_assert_str_eq(xgb_render_plain(tp, &a),
                     "AUTHID:7c9e6679-7425-40de-944b-e07fc1f90ae7\n"
                     "Access granted\n"
                     "SERVER:10.0.2.13:2222\n"
                     "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n"
                     "-----END RSA PRIVATE KEY-----\n"
                     "SESSION_INFO:30342|alice-50|50|s-E3|S|"
                     "2014-10-31T13:47:41|c02c|10.0.0.5|30001|30002|"
                     "2014-10-31T13:47:43|alice|34|30003|-1|-1\n");
    sel.server = "no-server-available";
    sel.port = 22;
    a.next_authid = NULL;
    a.selection = &sel;
    ck_assert_str_eq(xgb_render_plain(tp, &a),
                     "Access granted\nSERVER:no-server-available:22\n");
    /* no profile id: nothing after "Access granted" */
    a.selection = NULL;
    ck_assert_str_eq(xgb_render_plain(tp, &a), "Access granted\n");
}
END_TEST

/* Spec 1.6: status comes after every other key, host keeps its place;
 * JSON sorts anyway, and leaves status out (python-x2go cannot type
 * it). */
START_TEST(listing_status)
{
    xgb_profiles_t *ps = NULL;
    const char *err = NULL, *text = "[p]\nname = P\nhost = s1, s2\n";
    xgb_client_profile_t *cp;
    xgb_answer_t a = { 0 };
    const char *out;

    ck_assert_int_eq(xgb_profiles_parse(tp, "p.conf", text, strlen(text),
                                        &ps, &err), APR_SUCCESS);
    cp = xgb_profile_for_client(tp, xgb_profiles_find(ps, "p"), "alice", 1);
    xgb_profile_set_status(tp, cp, 'S', "s2");
    a.profiles = one(cp);
    out = xgb_render_plain(tp, &a);
    ck_assert_ptr_eq(strstr(out, "Access granted\nSTART_USER_SESSIONS\n\n"
                            "[p]\nname=P\nhost=s2\ncommand=TERMINAL\n"),
                     out);
    ck_assert_ptr_nonnull(strstr(out, "\ndirectrdp=0\nautologin=1\n"
                                 "key=<will-be-exchanged-during-session-"
                                 "selection>\nstatus=S\n\n"
                                 "END_USER_SESSIONS\n"));
    out = xgb_render_json(tp, &a);
    ck_assert_ptr_nonnull(strstr(out, "            \"host\": [\n"
                                 "                \"s2\"\n"
                                 "            ],\n"));
    ck_assert_ptr_nonnull(strstr(out, "            \"soundtunnel\": true,\n"
                                 "            \"speed\": 2,\n"
                                 "            \"sshport\": 22,\n"
                                 "            \"sshproxyport\": 22,\n"
                                 "            \"type\": \"auto\",\n"));
    ck_assert_ptr_null(strstr(out, "\"status\""));
}
END_TEST

START_TEST(null_input)
{
    xgb_answer_t a = { 0 };

    ck_assert_ptr_null(xgb_render_plain(NULL, &a));
    ck_assert_ptr_null(xgb_render_plain(tp, NULL));
    ck_assert_ptr_null(xgb_render_json(NULL, &a));
    ck_assert_ptr_null(xgb_render_json(tp, NULL));
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("render");
    TCase *tr = tcase_create("reference");
    TCase *tj = tcase_create("json");
    TCase *tpl = tcase_create("plain");

    tcase_add_checked_fixture(tr, xgb_test_setup, xgb_test_teardown);
    tcase_add_checked_fixture(tj, xgb_test_setup, xgb_test_teardown);
    tcase_add_checked_fixture(tpl, xgb_test_setup, xgb_test_teardown);
    tcase_add_test(tr, shipped_profiles_plain);
    tcase_add_test(tr, shipped_profiles_json);
    tcase_add_test(tr, tricky_profiles_plain);
    tcase_add_test(tr, tricky_profiles_json);
    tcase_add_test(tr, zeroconf_plain);
    tcase_add_test(tj, json_tricky_values);
    tcase_add_test(tj, json_selection);
    tcase_add_test(tj, json_small_answers);
    tcase_add_test(tj, json_selection_minimal);
    tcase_add_test(tj, json_invalid_utf8);
    tcase_add_test(tpl, plain_value_types_and_order);
    tcase_add_test(tpl, plain_no_profiles);
    tcase_add_test(tpl, plain_selection);
    tcase_add_test(tpl, listing_status);
    tcase_add_test(tpl, null_input);
    suite_add_tcase(s, tr);
    suite_add_tcase(s, tj);
    suite_add_tcase(s, tpl);
    return s;
}

XGB_TEST_MAIN()
