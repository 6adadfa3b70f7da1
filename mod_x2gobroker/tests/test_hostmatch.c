/*
 * test_hostmatch.c - short and fully-qualified host names (spec 5.5; the
 * reference's test_utils.py normalize/matching cases, B25).
 */
#include <string.h>
#include <stdarg.h>

#include <apr_strings.h>

#include "xgb_test.h"
#include "xgb_hostmatch.h"

/* A list of const char * from a NULL-terminated argument list. */
static apr_array_header_t *list(const char *first, ...)
{
    apr_array_header_t *a = apr_array_make(tp, 4, sizeof(const char *));
    const char *s;
    va_list ap;

    va_start(ap, first);
    for (s = first; s; s = va_arg(ap, const char *)) {
        APR_ARRAY_PUSH(a, const char *) = s;
    }
    va_end(ap);
    return a;
}

static const char *joined(const apr_array_header_t *a)
{
    return apr_array_pstrcat(tp, a, ',');
}

/* normalise(names) as "short,names" and its sub-domains as "a,b". */
static void is_normalised(const apr_array_header_t *names, const char *out,
                          const char *subs)
{
    apr_array_header_t *s = NULL;
    apr_array_header_t *n = xgb_hostmatch_normalise(tp, names, &s);

    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(n->nelts, names ? names->nelts : 0);
    ck_assert_str_eq(joined(n), out);
    ck_assert_str_eq(joined(s), subs);
}

static void is_matching(const apr_array_header_t *a,
                        const apr_array_header_t *b, const char *out)
{
    ck_assert_str_eq(joined(xgb_hostmatch_matching(tp, a, b)), out);
}

/* ---- test_utils.py ------------------------------------------------------ */

START_TEST(normalise_listtype)
{
    is_normalised(list("ts01", "ts02", "ts03", NULL), "ts01,ts02,ts03", "");
    is_normalised(list("ts01.intern", "ts02.intern", "ts03.intern", NULL),
                  "ts01,ts02,ts03", "intern");
    is_normalised(list("ts01.intern", "ts02.intern", "ts03.extern", NULL),
                  "ts01.intern,ts02.intern,ts03.extern", "extern,intern");
    /* the sub-domain is everything after the first dot */
    is_normalised(list("a.b.example.org", "c.b.example.org", NULL),
                  "a,c", "b.example.org");
    /* a bare name next to one sub-domain still shortens */
    is_normalised(list("server1.domain1", "server2", NULL),
                  "server1,server2", "domain1");
}
END_TEST

/* The reference accepts dicts and keeps the values: here the result is
 * in the same order, so a parallel array stays aligned. */
START_TEST(normalise_keeps_order)
{
    apr_array_header_t *in = list("ts03.intern", "ts01.intern",
                                  "ts02.intern", NULL);
    apr_array_header_t *out = xgb_hostmatch_normalise(tp, in, NULL);

    ck_assert_int_eq(out->nelts, 3);
    ck_assert_str_eq(APR_ARRAY_IDX(out, 0, const char *), "ts03");
    ck_assert_str_eq(APR_ARRAY_IDX(out, 1, const char *), "ts01");
    ck_assert_str_eq(APR_ARRAY_IDX(out, 2, const char *), "ts02");
    /* the input is not changed */
    ck_assert_str_eq(joined(in), "ts03.intern,ts01.intern,ts02.intern");
}
END_TEST

START_TEST(matching_hostnames)
{
    apr_array_header_t *bare = list("server2", "server3", "server4", NULL);

    is_matching(list("server1", "server2", "server3", NULL), bare,
                "server2,server3");
    is_matching(list("server1.domain1", "server2.domain1", "server3.domain1",
                     NULL), bare, "server2,server3");
    is_matching(list("server1", "server2", "server3", NULL),
                list("server2.domain2", "server3.domain2", "server4.domain2",
                     NULL), "server2,server3");
    is_matching(list("server1.domain1", "server2.domain1", "server3.domain1",
                     NULL),
                list("server2.domain2", "server3.domain2", "server4.domain2",
                     NULL), "");
    is_matching(list("server1.domain1", "server2.domain2", "server3.domain1",
                     NULL),
                list("server2.domain2", "server3.domain2", "server4.domain2",
                     NULL), "server2.domain2");
    is_matching(list("server1.domain1", "server2", "server3.domain1", NULL),
                list("server2.domain2", "server3.domain2", "server4.domain2",
                     NULL), "");
    is_matching(list("server1.domain1", "server2", "server3.domain1", NULL),
                list("server2", "server3.domain2", "server4.domain2", NULL),
                "server2");
}
END_TEST

START_TEST(matching_sorted_unique)
{
    is_matching(list("c", "b", "a", "b", NULL), list("b", "a", "c", "c",
                                                     NULL), "a,b,c");
    /* byte order: upper case before lower case */
    is_matching(list("b", "B", NULL), list("B", "b", NULL), "B,b");
    /* the reference compares exactly */
    is_matching(list("Host1", NULL), list("host1", NULL), "");
}
END_TEST

/* ---- IP literals -------------------------------------------------------- */

START_TEST(ip_literals_not_split)
{
    is_normalised(list("10.0.2.4", "host1.intern", NULL), "10.0.2.4,host1",
                  "intern");
    is_normalised(list("10.0.2.4", "10.0.2.5", NULL), "10.0.2.4,10.0.2.5",
                  "");
    is_normalised(list("fe80::1", "::ffff:10.0.0.1", "h.x", NULL),
                  "fe80::1,::ffff:10.0.0.1,h", "x");
    /* "10.0.2.4" is no host 10 in domain 0.2.4 */
    is_matching(list("10.0.2.4", NULL), list("10", NULL), "");
    is_matching(list("10.0.2.4", "h1.x", NULL), list("10.0.2.4", NULL),
                "10.0.2.4");
    ck_assert(!xgb_hostmatch_same("10.0.2.4", "10", NULL));
    ck_assert(!xgb_hostmatch_same("10", "10.0.2.4", NULL));
    ck_assert(xgb_hostmatch_same("10.0.2.4", "10.0.2.4", NULL));
    ck_assert_str_eq(xgb_hostmatch_short(tp, "10.0.2.4"), "10.0.2.4");
    ck_assert_str_eq(xgb_hostmatch_short(tp, "fe80::1"), "fe80::1");
    ck_assert_int_eq(xgb_hostmatch_find(list("10.0.2.4", NULL), "10", NULL),
                     -1);
}
END_TEST

/* ---- B25 and robustness ------------------------------------------------- */

START_TEST(empty_lists)
{
    apr_array_header_t *empty = list(NULL);

    is_normalised(NULL, "", "");
    is_normalised(empty, "", "");
    ck_assert_ptr_nonnull(xgb_hostmatch_normalise(tp, NULL, NULL));
    is_matching(NULL, NULL, "");
    is_matching(empty, list("a.x", NULL), "");
    is_matching(list("a.x", NULL), empty, "");
    is_matching(list("a", NULL), NULL, "");
    ck_assert_int_eq(xgb_hostmatch_find(NULL, "a", NULL), -1);
    ck_assert_int_eq(xgb_hostmatch_find(empty, "a", NULL), -1);
}
END_TEST

/* B25: the reference shortened the configured names (one sub-domain),
 * compared them with the agent's full names (several sub-domains) and
 * appended the sub-domain to the winner: "a.x" became "a.x.x".  Nothing
 * here appends: the configured spelling comes back. */
START_TEST(no_subdomain_appended)
{
    apr_array_header_t *cfg = list("a.x", "b.x", NULL);
    int fuzzy = -1;

    is_matching(cfg, list("a.x", "b.y", NULL), "a.x");
    ck_assert_int_eq(xgb_hostmatch_find(cfg, "a.x", &fuzzy), 0);
    ck_assert_int_eq(fuzzy, 0);
    ck_assert_int_eq(xgb_hostmatch_find(cfg, "b.y", &fuzzy), -1);
    ck_assert_int_eq(fuzzy, 0);
    ck_assert_int_eq(xgb_hostmatch_find(cfg, "b", &fuzzy), 1);
    ck_assert_int_eq(fuzzy, 1);
}
END_TEST

START_TEST(null_and_empty_entries)
{
    apr_array_header_t *a = list("h1.x", NULL);

    APR_ARRAY_PUSH(a, const char *) = NULL;
    APR_ARRAY_PUSH(a, const char *) = "";
    APR_ARRAY_PUSH(a, const char *) = "h2.x";
    is_normalised(a, "h1,,,h2", "x");
    is_matching(a, list("", "h2", NULL), ",h2");
    ck_assert_int_eq(xgb_hostmatch_find(a, "h2", NULL), 3);
    ck_assert_int_eq(xgb_hostmatch_find(a, "", NULL), -1);
    ck_assert_int_eq(xgb_hostmatch_find(a, NULL, NULL), -1);
    ck_assert_ptr_null(xgb_hostmatch_short(tp, NULL));
}
END_TEST

/* ---- pairing one reported name with the profile's hosts ----------------- */

START_TEST(same_host)
{
    int fuzzy = -1;

    ck_assert(xgb_hostmatch_same("host1", "host1", &fuzzy));
    ck_assert_int_eq(fuzzy, 0);
    ck_assert(xgb_hostmatch_same("HOST1.MyDomain", "host1.mydomain",
                                 &fuzzy));
    ck_assert_int_eq(fuzzy, 0);
    ck_assert(xgb_hostmatch_same("host1.mydomain", "host1", &fuzzy));
    ck_assert_int_eq(fuzzy, 1);
    ck_assert(xgb_hostmatch_same("host1", "Host1.mydomain", &fuzzy));
    ck_assert_int_eq(fuzzy, 1);
    /* an absolute name with its trailing dot */
    ck_assert(xgb_hostmatch_same("host1.", "host1", &fuzzy));
    ck_assert_int_eq(fuzzy, 1);
    ck_assert(xgb_hostmatch_same("host1.", "host1.mydomain", &fuzzy));
    ck_assert_int_eq(fuzzy, 1);
    /* different domains, different hosts */
    ck_assert(!xgb_hostmatch_same("host1.a", "host1.b", &fuzzy));
    ck_assert_int_eq(fuzzy, 0);
    ck_assert(!xgb_hostmatch_same("host1.a.b", "host1.a", NULL));
    /* a prefix is not a label */
    ck_assert(!xgb_hostmatch_same("host1", "host10.mydomain", NULL));
    ck_assert(!xgb_hostmatch_same("host", "host1", NULL));
    ck_assert(!xgb_hostmatch_same("", "", NULL));
    ck_assert(!xgb_hostmatch_same(NULL, "a", NULL));
    ck_assert(!xgb_hostmatch_same("a", NULL, NULL));
    /* an empty first label matches nothing but itself */
    ck_assert(!xgb_hostmatch_same(".x", ".y", NULL));
    ck_assert(!xgb_hostmatch_same(".x", "", NULL));
    ck_assert(xgb_hostmatch_same(".x", ".X", NULL));
}
END_TEST

START_TEST(find_host)
{
    apr_array_header_t *fq = list("host1.mydomain", "host2.mydomain",
                                  "host3.mydomain", NULL);
    apr_array_header_t *mixed = list("host1", "host1.mydomain", NULL);
    apr_array_header_t *amb = list("host1.a", "host1.b", "host2", NULL);
    apr_array_header_t *dup = list("h.x", "H.x", "h2", NULL);
    int fuzzy = -1;

    /* profile host1.mydomain, agent host1 (test_broker_agent.py) */
    ck_assert_int_eq(xgb_hostmatch_find(fq, "host2", &fuzzy), 1);
    ck_assert_int_eq(fuzzy, 1);
    ck_assert_int_eq(xgb_hostmatch_find(fq, "host3.mydomain", &fuzzy), 2);
    ck_assert_int_eq(fuzzy, 0);
    ck_assert_int_eq(xgb_hostmatch_find(fq, "HOST3.MYDOMAIN", &fuzzy), 2);
    ck_assert_int_eq(fuzzy, 0);
    ck_assert_int_eq(xgb_hostmatch_find(fq, "host3.otherdomain", &fuzzy),
                     -1);
    ck_assert_int_eq(xgb_hostmatch_find(fq, "host4", &fuzzy), -1);
    ck_assert_int_eq(fuzzy, 0);
    /* profile short, agent fully qualified */
    ck_assert_int_eq(xgb_hostmatch_find(list("host1", "host2", NULL),
                                        "host2.mydomain", &fuzzy), 1);
    ck_assert_int_eq(fuzzy, 1);
    /* an exact match wins over a fuzzy one, wherever it is */
    ck_assert_int_eq(xgb_hostmatch_find(mixed, "host1.mydomain", &fuzzy), 1);
    ck_assert_int_eq(fuzzy, 0);
    ck_assert_int_eq(xgb_hostmatch_find(mixed, "host1", &fuzzy), 0);
    ck_assert_int_eq(fuzzy, 0);
    /* two hosts called host1: no guessing */
    ck_assert_int_eq(xgb_hostmatch_find(amb, "host1", &fuzzy), -1);
    ck_assert_int_eq(fuzzy, 0);
    ck_assert_int_eq(xgb_hostmatch_find(amb, "host1.b", NULL), 1);
    ck_assert_int_eq(xgb_hostmatch_find(amb, "host2.a", NULL), 2);
    /* one host listed twice (in any case) is not ambiguous */
    ck_assert_int_eq(xgb_hostmatch_find(dup, "h", &fuzzy), 0);
    ck_assert_int_eq(fuzzy, 1);
    ck_assert_int_eq(xgb_hostmatch_find(dup, "h2.x", NULL), 2);
}
END_TEST

START_TEST(short_names)
{
    ck_assert_str_eq(xgb_hostmatch_short(tp, "host1.mydomain"), "host1");
    ck_assert_str_eq(xgb_hostmatch_short(tp, "host1"), "host1");
    ck_assert_str_eq(xgb_hostmatch_short(tp, "host1."), "host1");
    ck_assert_str_eq(xgb_hostmatch_short(tp, ".x"), "");
    ck_assert_str_eq(xgb_hostmatch_short(tp, ""), "");
}
END_TEST

/* Agents are not trusted: whatever they report only ever compares. */
START_TEST(hostile_names)
{
    apr_array_header_t *cfg = list("host1.mydomain", "host2", NULL);
    char *huge = apr_palloc(tp, 70001);
    int fuzzy;

    memset(huge, 'a', 70000);
    huge[70000] = '\0';
    ck_assert_int_eq(xgb_hostmatch_find(cfg, huge, NULL), -1);
    huge[5] = '.';
    ck_assert_int_eq(xgb_hostmatch_find(cfg, huge, NULL), -1);
    ck_assert_int_eq(xgb_hostmatch_find(cfg, "host1|R|", NULL), -1);
    ck_assert_int_eq(xgb_hostmatch_find(cfg, "%s%s%n", NULL), -1);
    ck_assert_int_eq(xgb_hostmatch_find(cfg, "host1 ", NULL), -1);
    ck_assert_int_eq(xgb_hostmatch_find(cfg, " host1", NULL), -1);
    ck_assert_int_eq(xgb_hostmatch_find(cfg, "host1\n", NULL), -1);
    ck_assert_int_eq(xgb_hostmatch_find(cfg, "host2\r", NULL), -1);
    ck_assert_int_eq(xgb_hostmatch_find(cfg, "h\xc3\xb6st1", NULL), -1);
    ck_assert_int_eq(xgb_hostmatch_find(cfg, ".", NULL), -1);
    ck_assert_int_eq(xgb_hostmatch_find(cfg, "..", NULL), -1);
    ck_assert_int_eq(xgb_hostmatch_find(cfg, ".mydomain", NULL), -1);
    /* ... but a name with more labels is another host */
    ck_assert_int_eq(xgb_hostmatch_find(cfg, "host2.x.y.z", &fuzzy), 1);
    ck_assert_int_eq(fuzzy, 1);
    ck_assert_int_eq(xgb_hostmatch_find(cfg, "host1.mydomain.evil", NULL),
                     -1);
    is_normalised(list(huge, NULL), "aaaaa", huge + 6);
    is_normalised(list("..", "x.", "a..b", "c.d", NULL), "..,x.,a..b,c.d",
                  ".,.b,d");
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("hostmatch");
    TCase *tr = tcase_create("reference");
    TCase *tc = tcase_create("pairing");

    tcase_add_checked_fixture(tr, xgb_test_setup, xgb_test_teardown);
    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_add_test(tr, normalise_listtype);
    tcase_add_test(tr, normalise_keeps_order);
    tcase_add_test(tr, matching_hostnames);
    tcase_add_test(tr, matching_sorted_unique);
    tcase_add_test(tr, ip_literals_not_split);
    tcase_add_test(tr, empty_lists);
    tcase_add_test(tr, no_subdomain_appended);
    tcase_add_test(tr, null_and_empty_entries);
    tcase_add_test(tc, same_host);
    tcase_add_test(tc, find_host);
    tcase_add_test(tc, short_names);
    tcase_add_test(tc, hostile_names);
    suite_add_tcase(s, tr);
    suite_add_tcase(s, tc);
    return s;
}

XGB_TEST_MAIN()
