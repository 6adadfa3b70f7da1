/*
 * test_valid.c - the checks on what crosses from broker to agent: user
 * names, tasks, session ids (x2goserver's own pattern), authorized_keys
 * templates.
 */
#include <limits.h>
#include <stdio.h>

#include "xgb_test.h"
#include "xgb_valid.h"

START_TEST(user_names)
{
    static const char *const good[] = {
        "alice", "x2gotest", "a", "A.b_c-d", "_svc", "1user", "j.doe",
        "0123456789012345678901234567890123456789012345678901234567890123",
        NULL
    };
    static const char *const bad[] = {
        "", "-rf", ".", "..", "a b", "a;id", "a$(id)", "a`id`", "a/b",
        "a\nb", "a'b", "a\"b", "a|b", "a&b", "al\xc3\xad" "ce", "a@b", "a:b",
        "a*", "~root",
        "01234567890123456789012345678901234567890123456789012345678901234",
        NULL
    };
    int i;

    for (i = 0; good[i]; i++) {
        ck_assert_msg(xgb_valid_username(good[i]), "refused %s", good[i]);
    }
    for (i = 0; bad[i]; i++) {
        ck_assert_msg(!xgb_valid_username(bad[i]), "accepted %s", bad[i]);
    }
    ck_assert_int_eq(xgb_valid_username(NULL), 0);
}
END_TEST

START_TEST(tasks)
{
    int i;

    ck_assert_int_eq(xgb_valid_task("ping"), 1);
    for (i = 0; xgb_agent_tasks[i]; i++) {
        ck_assert_int_eq(xgb_valid_task(xgb_agent_tasks[i]), 1);
    }
    ck_assert_int_eq(i, 10);
    ck_assert_str_eq(xgb_agent_tasks[0], "availabletasks");
    ck_assert_int_eq(xgb_valid_task("getload"), 0);
    ck_assert_int_eq(xgb_valid_task("PING"), 0);
    ck_assert_int_eq(xgb_valid_task("ping "), 0);
    ck_assert_int_eq(xgb_valid_task(""), 0);
    ck_assert_int_eq(xgb_valid_task(NULL), 0);
}
END_TEST

START_TEST(session_ids)
{
    static const char *const good[] = {
        "alice-51-1795641177_stDxterm_dp24",
        "alice-51-1795641177_stDKDE_dp32",
        "alice-1234-179564117_stRTERMINAL_dp24_extra.1",
        "alice-51-179564117712_st_dp1",
        "alice-51-1795641177__dp24",
        "alice-51-1795641177_x_dp999",
        "alice-51-1795641177_a_dp_b_dp24",
        NULL
    };
    static const char *const bad[] = {
        "bob-51-1795641177_stDxterm_dp24",          /* someone else's */
        "alice-5-1795641177_stDxterm_dp24",         /* display: 2-4 digits */
        "alice-12345-1795641177_stDxterm_dp24",
        "alice-51-17956411_stDxterm_dp24",          /* time: 9-12 digits */
        "alice-51-1795641177123_stDxterm_dp24",
        "alice-51-1795641177_stDxterm_24",          /* no _dp<digit> */
        "alice-51-1795641177_stDxterm_dpx",
        "alice-51-1795641177_dp24",                 /* needs _..._dp */
        "alice-51-1795641177_stD;id_dp24",
        "alice-51-1795641177_stD$(id)_dp24",
        "alice-51-1795641177_stDxterm_dp24 ",
        "alice-51-1795641177_stDxterm_dp24\n",
        "alice-51-1795641177_stD/../x_dp24",
        "alice51-1795641177_stDxterm_dp24",
        "",
        NULL
    };
    int i;

    for (i = 0; good[i]; i++) {
        ck_assert_msg(xgb_valid_session_id(good[i], "alice"), "refused %s",
                      good[i]);
    }
    for (i = 0; bad[i]; i++) {
        ck_assert_msg(!xgb_valid_session_id(bad[i], "alice"), "accepted %s",
                      bad[i]);
    }
    ck_assert_int_eq(xgb_valid_session_id(good[0], "al;ce"), 0);
    ck_assert_int_eq(xgb_valid_session_id(NULL, "alice"), 0);
}
END_TEST

START_TEST(session_ids_any_user)
{
    static const char *const good[] = {
        "alice-51-1795641177_stDxterm_dp24",
        "bob-51-1795641177_stDxterm_dp24",
        "j.doe-1234-179564117_stRTERMINAL_dp24_extra.1",
        "_svc-51-179564117712_st_dp1",
        /* user "x-12": "x" would leave a 2-digit time */
        "x-12-34-123456789_a_dp1",
        /* user "a-51-1795641177_b" is valid too; either split will do */
        "a-51-1795641177_b-52-1795641178_c_dp2",
        "0123456789012345678901234567890123456789012345678901234567890123"
        "-51-1795641177_x_dp2",
        NULL
    };
    static const char *const bad[] = {
        "-51-1795641177_stDxterm_dp24",             /* no user */
        "-rf-51-1795641177_stDxterm_dp24",          /* user starts with - */
        "..-51-1795641177_stDxterm_dp24",           /* user ".." */
        ".-51-1795641177_stDxterm_dp24",
        "al;ce-51-1795641177_stDxterm_dp24",
        "al ce-51-1795641177_stDxterm_dp24",
        "alice-5-1795641177_stDxterm_dp24",
        "alice-51-17956411_stDxterm_dp24",
        "alice-51-1795641177_stDxterm_24",
        "alice-51-1795641177_dp24",
        "alice-51-1795641177_stD$(id)_dp24",
        "alice-51-1795641177_stDxterm_dp24\n",
        "01234567890123456789012345678901234567890123456789012345678901234"
        "-51-1795641177_x_dp2",                     /* user of 65 bytes */
        "alice",
        "",
        NULL
    };
    char long_sid[XGB_SESSION_ID_MAX + 2];
    int i;

    for (i = 0; good[i]; i++) {
        ck_assert_msg(xgb_valid_session_id_any(good[i]), "refused %s",
                      good[i]);
    }
    for (i = 0; bad[i]; i++) {
        ck_assert_msg(!xgb_valid_session_id_any(bad[i]), "accepted %s",
                      bad[i]);
    }
    ck_assert_int_eq(xgb_valid_session_id_any(NULL), 0);

    /* XGB_SESSION_ID_MAX bytes pass, one more does not */
    memset(long_sid, 'x', sizeof(long_sid));
    memcpy(long_sid, "alice-51-1795641177_x_dp1", 25);
    long_sid[XGB_SESSION_ID_MAX] = '\0';
    ck_assert_int_eq(xgb_valid_session_id_any(long_sid), 1);
    ck_assert_int_eq(xgb_valid_session_id(long_sid, "alice"), 1);
    long_sid[XGB_SESSION_ID_MAX] = 'x';
    long_sid[XGB_SESSION_ID_MAX + 1] = '\0';
    ck_assert_int_eq(xgb_valid_session_id_any(long_sid), 0);
    ck_assert_int_eq(xgb_valid_session_id(long_sid, "alice"), 0);
}
END_TEST

/* Expand for alice (uid 1001, gid 1002, home /home/alice); the path below
 * home, or the refusal. */
static const char *expand(const char *tmpl)
{
    static char result[PATH_MAX + 64];
    const char *err = NULL;
    char *rel = xgb_authkeys_path(tmpl, "alice", 1001, 1002, "/home/alice",
                                  &err);

    if (!rel) {
        ck_assert_ptr_nonnull(err);
        snprintf(result, sizeof(result), "refused: %s", err);
    }
    else {
        snprintf(result, sizeof(result), "%s", rel);
        free(rel);
    }
    return result;
}

START_TEST(authkeys_templates)
{
    ck_assert_str_eq(expand("%h/.x2go/authorized_keys"),
                     ".x2go/authorized_keys");
    ck_assert_str_eq(expand("%h/.ssh/authorized_keys"),
                     ".ssh/authorized_keys");
    /* every escape, every time (upstream replaced only the first) */
    ck_assert_str_eq(expand("%h/keys/%u-%U-%G/%u.%%"),
                     "keys/alice-1001-1002/alice.%");
    ck_assert_str_eq(expand("/home/alice/.x2go/ak"), ".x2go/ak");
    ck_assert_str_eq(expand(".x2go/authorized_keys"),
                     ".x2go/authorized_keys");
    ck_assert_str_eq(expand("/home/%u/.x2go/authorized_keys"),
                     ".x2go/authorized_keys");

    ck_assert_str_eq(expand("/etc/shadow"),
                     "refused: authorized_keys path outside the user's home");
    ck_assert_str_eq(expand("/home/alice2/.ssh/authorized_keys"),
                     "refused: authorized_keys path outside the user's home");
    ck_assert_str_eq(expand("/home/alice"),
                     "refused: authorized_keys path outside the user's home");
    ck_assert_str_eq(expand("%h/../bob/.ssh/authorized_keys"),
                     "refused: authorized_keys path is not clean (., .., //)");
    ck_assert_str_eq(expand("../../etc/passwd"),
                     "refused: authorized_keys path is not clean (., .., //)");
    ck_assert_str_eq(expand("%h/.x2go/./ak"),
                     "refused: authorized_keys path is not clean (., .., //)");
    ck_assert_str_eq(expand("%h//ak"),
                     "refused: authorized_keys path is not clean (., .., //)");
    ck_assert_str_eq(expand("%h/.x2go/"),
                     "refused: authorized_keys path is not clean (., .., //)");
    ck_assert_str_eq(expand("%h/a\nb"),
                     "refused: authorized_keys path is not clean (., .., //)");
    ck_assert_str_eq(expand("%h/%x"),
                     "refused: unknown % escape in authorized_keys template");
    ck_assert_str_eq(expand("%h/ak%"),
                     "refused: unknown % escape in authorized_keys template");
    ck_assert_str_eq(expand(""), "refused: no authorized_keys template");
}
END_TEST

START_TEST(authkeys_home)
{
    const char *err = NULL;

    ck_assert_ptr_null(xgb_authkeys_path("%h/.x2go/ak", "root", 0, 0, "/",
                                         &err));
    ck_assert_str_eq(err, "the user's home directory is not a clean "
                     "absolute path");
    ck_assert_ptr_null(xgb_authkeys_path("%h/ak", "a", 1, 1, "home/a",
                                         &err));
    ck_assert_ptr_null(xgb_authkeys_path("%h/ak", "a", 1, 1, "/home/../etc",
                                         &err));
}
END_TEST

START_TEST(authkeys_too_long)
{
    char tmpl[PATH_MAX + 16];
    const char *err = NULL;

    memset(tmpl, 'a', sizeof(tmpl) - 1);
    tmpl[sizeof(tmpl) - 1] = '\0';
    ck_assert_ptr_null(xgb_authkeys_path(tmpl, "alice", 1, 1, "/home/alice",
                                         &err));
    ck_assert_str_eq(err, "authorized_keys path too long");
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("valid");
    TCase *tc = tcase_create("valid");

    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_add_test(tc, user_names);
    tcase_add_test(tc, tasks);
    tcase_add_test(tc, session_ids);
    tcase_add_test(tc, session_ids_any_user);
    tcase_add_test(tc, authkeys_templates);
    tcase_add_test(tc, authkeys_home);
    tcase_add_test(tc, authkeys_too_long);
    suite_add_tcase(s, tc);
    return s;
}

XGB_TEST_MAIN()
