/*
 * test_route.c - which endpoint a URL names below the handler's section
 * (spec 1.1).
 */
#include "xgb_test.h"
#include "xgb_route.h"

static xgb_route_e route(const char *base, const char *uri,
                         const char *want_rest)
{
    const char *rest = NULL;
    xgb_route_e r = xgb_route(base, uri, &rest);

    ck_assert_ptr_nonnull(rest);
    ck_assert_str_eq(rest, want_rest);
    return r;
}

START_TEST(endpoints)
{
    ck_assert_int_eq(route("/x2gobroker", "/x2gobroker/plain/inifile/",
                           "inifile/"), XGB_ROUTE_PLAIN);
    ck_assert_int_eq(route("/x2gobroker", "/x2gobroker/json/", ""),
                     XGB_ROUTE_JSON);
    ck_assert_int_eq(route("/x2gobroker", "/x2gobroker/uccs/inifile/api/4",
                           "inifile/api/4"), XGB_ROUTE_UCCS);
    ck_assert_int_eq(route("/x2gobroker", "/x2gobroker/pubkeys", ""),
                     XGB_ROUTE_PUBKEYS);
    ck_assert_int_eq(route("/x2gobroker", "/x2gobroker/pubkeys///", ""),
                     XGB_ROUTE_PUBKEYS);
    ck_assert_int_eq(route("/x2gobroker", "/x2gobroker", ""),
                     XGB_ROUTE_ROOT);
    ck_assert_int_eq(route("/x2gobroker", "/x2gobroker/", ""),
                     XGB_ROUTE_ROOT);
}
END_TEST

START_TEST(not_ours)
{
    ck_assert_int_eq(route("/x2gobroker", "/x2gobroker/plain", ""),
                     XGB_ROUTE_NONE);
    ck_assert_int_eq(route("/x2gobroker", "/x2gobroker/pubkeysx", ""),
                     XGB_ROUTE_NONE);
    ck_assert_int_eq(route("/x2gobroker", "/x2gobroker/other/", ""),
                     XGB_ROUTE_NONE);
    ck_assert_int_eq(route("/x2gobroker", "/x2gobroker/PLAIN/", ""),
                     XGB_ROUTE_NONE);
    ck_assert_int_eq(xgb_route("/x", NULL, &(const char *){ NULL }),
                     XGB_ROUTE_NONE);
}
END_TEST

/* The base is cut only at a segment boundary, trailing slashes aside. */
START_TEST(base_forms)
{
    ck_assert_int_eq(route("/b/", "/b/plain/inifile/", "inifile/"),
                     XGB_ROUTE_PLAIN);
    ck_assert_int_eq(route("/b///", "/b/json/base/", "base/"),
                     XGB_ROUTE_JSON);
    ck_assert_int_eq(route("/", "/plain/zeroconf/", "zeroconf/"),
                     XGB_ROUTE_PLAIN);
    ck_assert_int_eq(route(NULL, "/plain/", ""), XGB_ROUTE_PLAIN);
    ck_assert_int_eq(route(NULL, "/", ""), XGB_ROUTE_ROOT);
    /* /bx is not below /b: routed whole */
    ck_assert_int_eq(route("/b", "/bx/plain/", ""), XGB_ROUTE_NONE);
    ck_assert_int_eq(route("/b", "/plain/inifile/", "inifile/"),
                     XGB_ROUTE_PLAIN);
    /* a base that itself ends in json: only what follows counts */
    ck_assert_int_eq(route("/x/json", "/x/json/plain/", ""),
                     XGB_ROUTE_PLAIN);
    ck_assert_int_eq(route("/x", "/x/json/inifile/", "inifile/"),
                     XGB_ROUTE_JSON);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("route");
    TCase *tc = tcase_create("route");

    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_add_test(tc, endpoints);
    tcase_add_test(tc, not_ours);
    tcase_add_test(tc, base_forms);
    suite_add_tcase(s, tc);
    return s;
}

XGB_TEST_MAIN()
