/*
 * test_uccs.c - UCCS answers against captures of the reference broker
 * (x2gobroker 0.0.4.3 -M HTTP, check-credentials = false, user
 * "anonymous", GET /uccs/inifile/api/4 and /api/5).
 */
#include "xgb_test.h"
#include "xgb_acl.h"
#include "xgb_groupdb.h"
#include "xgb_profile.h"
#include "xgb_uccs.h"

/* The profiles of uccs-profiles.conf that `user` may see from 127.0.0.1,
 * as the handler selects them. */
static apr_array_header_t *visible(const char *user)
{
    xgb_profiles_t *ps;
    const char *err = NULL;
    apr_array_header_t *out = apr_array_make(tp, 4, sizeof(void *));
    const xgb_groupdb_t *db = xgb_groupdb_get("libnss");
    int i;

    ck_assert_msg(xgb_profiles_load(tp, apr_pstrcat(tp, XGB_TEST_DATADIR,
                                                    "/uccs-profiles.conf",
                                                    NULL), &ps, &err)
                  == APR_SUCCESS, "%s", err);
    for (i = 0; i < ps->profiles->nelts; i++) {
        const xgb_profile_t *prof = APR_ARRAY_IDX(ps->profiles, i,
                                                  const xgb_profile_t *);

        if (xgb_acl_check(tp, &prof->acl, user, "127.0.0.1", db, 1)) {
            APR_ARRAY_PUSH(out, const xgb_profile_t *) = prof;
        }
    }
    return out;
}

START_TEST(api4_matches_reference)
{
    ck_assert_str_eq(xgb_uccs_render(tp, visible("anonymous"), "anonymous",
                                     "http://localhost:8080/", "inifile", 4),
                     xgb_test_slurp("uccs-api4.json"));
}
END_TEST

START_TEST(api5_matches_reference)
{
    ck_assert_str_eq(xgb_uccs_render(tp, visible("anonymous"), "anonymous",
                                     "http://localhost:8080", "inifile", 5),
                     xgb_test_slurp("uccs-api5.json"));
}
END_TEST

START_TEST(no_profiles_has_no_default_server)
{
    const char *out = xgb_uccs_render(tp, apr_array_make(tp, 1,
                                                         sizeof(void *)),
                                      "bob", "https://b.example/x//",
                                      "inifile", 5);

    ck_assert_ptr_null(strstr(out, "DefaultServer"));
    ck_assert_ptr_nonnull(strstr(out, "\"RemoteDesktopServers\": []"));
    ck_assert_ptr_nonnull(strstr(out,
                          "\"URL\": \"https://b.example/x/uccs/inifile/\""));
}
END_TEST

START_TEST(ping_looks_like_python_datetime)
{
    apr_time_t t = apr_time_from_sec(1414759661) + 4200;

    ck_assert_str_eq(xgb_uccs_ping(tp, t), "2014-10-31 12:47:41.004200");
    ck_assert_str_eq(xgb_uccs_ping(tp, apr_time_from_sec(1414759661)),
                     "2014-10-31 12:47:41");
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("uccs");
    TCase *tc = tcase_create("uccs");

    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_add_test(tc, api4_matches_reference);
    tcase_add_test(tc, api5_matches_reference);
    tcase_add_test(tc, no_profiles_has_no_default_server);
    tcase_add_test(tc, ping_looks_like_python_datetime);
    suite_add_tcase(s, tc);
    return s;
}

XGB_TEST_MAIN()
