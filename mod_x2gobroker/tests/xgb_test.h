/*
 * xgb_test.h - shared scaffolding for the libcheck unit tests of the core.
 *
 * Each test program defines `static Suite *make_suite(void)` and ends with
 * XGB_TEST_MAIN().  Results go out as TAP (CK_TAP_LOG_FILE_NAME, set by
 * make check) and the exit status counts failures.
 */
#ifndef XGB_TEST_H
#define XGB_TEST_H

#include <stdlib.h>
#include <string.h>
#include <check.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "xgb_ini.h"
#include "xgb_log.h"

/* The last message the core logged, so tests can assert on reasons. */
static char xgb_test_last_log[1024];

static void xgb_test_log(const char *file, int line, int level,
                         const char *msg, void *baton)
{
    (void)file; (void)line; (void)level; (void)baton;
    strncpy(xgb_test_last_log, msg, sizeof(xgb_test_last_log) - 1);
}

/* A fresh pool per test; checked fixtures create and destroy it. */
static apr_pool_t *tp;

static void xgb_test_setup(void)
{
    apr_pool_create(&tp, NULL);
    xgb_test_last_log[0] = '\0';
}

static void xgb_test_teardown(void)
{
    apr_pool_destroy(tp);
}

/* The whole text of a file under tests/data (at most 1 MiB). */
__attribute__((unused))
static const char *xgb_test_slurp(const char *name)
{
    const char *path = apr_pstrcat(tp, XGB_TEST_DATADIR, "/", name, NULL);
    const char *err = NULL;
    char *text;
    apr_size_t len;

    ck_assert_msg(xgb_ini_read_file(tp, path, 1 << 20, &text, &len, &err)
                  == APR_SUCCESS, "%s", err);
    return text;
}

#define XGB_TEST_MAIN()                                                  \
    int main(void)                                                       \
    {                                                                    \
        SRunner *sr;                                                     \
        int failed;                                                      \
        apr_initialize();                                                \
        xgb_log_set(xgb_test_log, NULL);                                 \
        sr = srunner_create(make_suite());                               \
        srunner_run_all(sr, CK_SILENT);                                  \
        failed = srunner_ntests_failed(sr);                              \
        srunner_free(sr);                                                \
        apr_terminate();                                                 \
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;                     \
    }

#endif
