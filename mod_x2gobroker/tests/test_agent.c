/*
 * test_agent.c - the agent's arithmetic: checkload's figures (upstream's
 * formulas, on Intel, AMD, virtual and ARM CPUs) and findbusyservers'
 * lines; its policy file and login.defs.
 */
#include <stdio.h>

#include "xgb_test.h"
#include "agent.h"

static const char meminfo[] =
    "MemTotal:        4000000 kB\n"
    "MemFree:         1000000 kB\n"
    "MemAvailable:    2500000 kB\n"
    "Buffers:           10000 kB\n"
    "Active(file):     800000 kB\n"
    "Inactive(file):   400000 kB\n"
    "SReclaimable:     100000 kB\n";

static const char intel[] =
    "processor\t: 0\n"
    "model name\t: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz\n"
    "cpu MHz\t\t: 1200.000\n"
    "\n"
    "processor\t: 1\n"
    "model name\t: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz\n"
    "cpu MHz\t\t: 2400.000\n";

static const char amd[] =
    "processor\t: 0\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2596.120\n"
    "processor\t: 1\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2596.120\n"
    "processor\t: 2\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2596.120\n";

static const char qemu[] =
    "processor\t: 0\nmodel name\t: QEMU Virtual CPU version 2.5+\n"
    "cpu MHz\t\t: 3000.000\n";

static const char arm[] =
    "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd\n\n"
    "processor\t: 1\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd\n\n"
    "processor\t: 2\nBogoMIPS\t: 50.00\n\n"
    "processor\t: 3\nBogoMIPS\t: 50.00\n\n"
    "Hardware\t: BCM2835\n";

START_TEST(load_upstream_formulas)
{
    agent_load_t l;

    ck_assert_int_eq(agent_load_compute("0.50 1.00 1.50 2/300 123\n",
                                        meminfo, "67584\n", intel, NULL, &l),
                     0);
    ck_assert_int_eq(l.loadavgXX, 101);     /* 3.0 * 100 / 3 + 1 */
    ck_assert_int_eq(l.memAvail, 2500);
    /* 1000000 - 67584 + (1200000 - 67584) + (100000 - 50000), / 1000 */
    ck_assert_int_eq(l.myMemAvail, 2114);
    ck_assert_int_eq(l.numCPU, 2);
    ck_assert_int_eq(l.typeCPU, 2400);      /* the model name's 2.40GHz */
}
END_TEST

START_TEST(load_idle_and_old_kernels)
{
    agent_load_t l;
    const char old[] = "MemFree: 50 kB\nActive(file): 10 kB\n";

    ck_assert_int_eq(agent_load_compute("0.00 0.00 0.00 1/1 1", old, "67584",
                                        amd, NULL, &l), 0);
    ck_assert_int_eq(l.loadavgXX, 1);
    ck_assert_int_eq(l.memAvail, 0);        /* no MemAvailable */
    ck_assert_int_eq(l.myMemAvail, 0);      /* clipped at 0 */
}
END_TEST

START_TEST(load_cpu_kinds)
{
    agent_load_t l;

    ck_assert_int_eq(agent_load_compute("1 1 1", meminfo, "0", amd, NULL,
                                        &l), 0);
    ck_assert_int_eq(l.numCPU, 3);
    ck_assert_int_eq(l.typeCPU, 2597);      /* ceil(cpu MHz) */
    ck_assert_int_eq(agent_load_compute("1 1 1", meminfo, "0", qemu, NULL,
                                        &l), 0);
    ck_assert_int_eq(l.numCPU, 1);
    ck_assert_int_eq(l.typeCPU, 3000);
    /* no clock in cpuinfo: cpufreq's maximum (kHz) */
    ck_assert_int_eq(agent_load_compute("1 1 1", meminfo, "0", arm,
                                        "1500000\n", &l), 0);
    ck_assert_int_eq(l.numCPU, 4);
    ck_assert_int_eq(l.typeCPU, 1500);
    ck_assert_int_eq(agent_load_compute("1 1 1", meminfo, "0", arm, NULL,
                                        &l), 0);
    ck_assert_int_eq(l.typeCPU, 0);
}
END_TEST

START_TEST(load_unusable_input)
{
    agent_load_t l;

    ck_assert_int_eq(agent_load_compute(NULL, meminfo, "0", amd, NULL, &l),
                     -1);
    ck_assert_int_eq(agent_load_compute("garbage", meminfo, "0", amd, NULL,
                                        &l), -1);
    ck_assert_int_eq(agent_load_compute("1 1 1", "Nothing: 1\n", "0", amd,
                                        NULL, &l), -1);
}
END_TEST

static apr_status_t free_cleanup(void *data)
{
    free(data);
    return APR_SUCCESS;
}

static const char *busy(const char *servers)
{
    xgb_buf_t b = XGB_BUF_INIT;
    char *s;

    ck_assert_int_eq(agent_busy_from_servers(servers, &b), 0);
    s = xgb_buf_detach(&b);
    ck_assert_ptr_nonnull(s);
    apr_pool_cleanup_register(tp, s, free_cleanup, apr_pool_cleanup_null);
    return s;
}

START_TEST(busy_servers)
{
    ck_assert_str_eq(busy("s1 2\ns2 1\ns3 1\n"), "25:s2\n25:s3\n50:s1\n");
    ck_assert_str_eq(busy("s1 2\ns2 1\ns3 1"), "25:s2\n25:s3\n50:s1\n");
    ck_assert_str_eq(busy("srv 7\n"), "100:srv\n");
    /* 1/3 truncated, as upstream's %d */
    ck_assert_str_eq(busy("a 1\nb 2\n"), "33:a\n66:b\n");
    /* nobody: no division by zero */
    ck_assert_str_eq(busy("a 0\nb 0\n"), "0:a\n0:b\n");
    ck_assert_str_eq(busy(""), "\n");
    /* what upstream's sqlite getservers printed: names, no counts */
    ck_assert_str_eq(busy("a\nb\n"), "\n");
    ck_assert_str_eq(busy("a 1 x\nb -1\nc 3\n"), "100:c\n");
}
END_TEST


static int policy(const char *text, agent_policy_t *p, char *why)
{
    agent_policy_defaults(p, NULL, 0);
    why[0] = '\0';
    return agent_policy_parse(text, strlen(text), p, why, 256);
}

START_TEST(policy_defaults)
{
    agent_policy_t p;
    static const char defs[] =
        "# comment UID_MIN 5\nUID_MIN\t\t\t 2000\n  UID_MAX   70000  \n"
        "UID_MIN\nGID_MIN 10\n";

    agent_policy_defaults(&p, NULL, 0);
    ck_assert_uint_eq(p.min_uid, 1000);
    ck_assert_uint_eq(p.max_uid, 60000);
    ck_assert_int_eq(p.key_expiry, 600);
    ck_assert_int_eq(p.allow.n, 0);
    ck_assert_int_eq(p.deny.n, 11);
    ck_assert_str_eq(p.deny.name[0], "root");
    ck_assert_str_eq(p.deny.name[1], "sudo");
    ck_assert_str_eq(p.deny.name[10], "x2gobroker");
    agent_policy_defaults(&p, defs, strlen(defs));
    ck_assert_uint_eq(p.min_uid, 2000);
    ck_assert_uint_eq(p.max_uid, 70000);
    /* unusable values leave the defaults */
    agent_policy_defaults(&p, "UID_MIN x\nUID_MAX -1\n", 22);
    ck_assert_uint_eq(p.min_uid, 1000);
    ck_assert_uint_eq(p.max_uid, 60000);
}
END_TEST

START_TEST(policy_file)
{
    agent_policy_t p;
    char why[256];

    ck_assert_int_eq(policy("", &p, why), 0);
    ck_assert_int_eq(p.deny.n, 11);
    ck_assert_int_eq(policy("# only a comment\n\n   \n", &p, why), 0);
    ck_assert_int_eq(policy("allow-groups = x2gousers, staff\r\n"
                            "deny-groups=root,sudo wheel\n"
                            "min-uid = 500\nmax-uid=65000\n"
                            "key-expiry = 120\n", &p, why), 0);
    ck_assert_int_eq(p.allow.n, 2);
    ck_assert_str_eq(p.allow.name[0], "x2gousers");
    ck_assert_str_eq(p.allow.name[1], "staff");
    ck_assert_int_eq(p.deny.n, 3);
    ck_assert_str_eq(p.deny.name[2], "wheel");
    ck_assert_uint_eq(p.min_uid, 500);
    ck_assert_uint_eq(p.max_uid, 65000);
    ck_assert_int_eq(p.key_expiry, 120);
    /* an empty deny list is the site's choice */
    ck_assert_int_eq(policy("deny-groups =\n", &p, why), 0);
    ck_assert_int_eq(p.deny.n, 0);
}
END_TEST

START_TEST(policy_refused)
{
    static const struct {
        const char *text;
        const char *why;
    } bad[] = {
        { "allow-group = x\n", "line 1: unknown key \"allow-group\"" },
        { "\n# c\nmin-uid\n", "line 3: not \"key = value\"" },
        { "min-uid = 10x\n", "line 1: bad value for min-uid" },
        { "min-uid = 0\n", "line 1: bad value for min-uid" },
        { "max-uid = 99999999999999999999\n",
          "line 1: bad value for max-uid" },
        { "key-expiry = 59\n", "line 1: bad value for key-expiry" },
        { "key-expiry = 2592001\n", "line 1: bad value for key-expiry" },
        { "key-expiry = -5\n", "line 1: bad value for key-expiry" },
        { "deny-groups = sudo;id\n", "line 1: bad value for deny-groups" },
        { "allow-groups = -x\n", "line 1: bad value for allow-groups" },
        { "min-uid = 3000\nmax-uid = 2000\n",
          "min-uid 3000 is above max-uid 2000" },
    };
    agent_policy_t p;
    char why[256], big[3000];
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(policy(bad[i].text, &p, why) == -1, "%s", bad[i].text);
        ck_assert_str_eq(why, bad[i].why);
    }
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ck_assert_int_eq(policy(big, &p, why), -1);
    ck_assert_str_eq(why, "line 1: too long");
    agent_policy_defaults(&p, NULL, 0);
    ck_assert_int_eq(agent_policy_parse("min-uid = 5\0\n", 13, &p, why,
                                        sizeof(why)), -1);
    ck_assert_str_eq(why, "a NUL byte in the file");
}
END_TEST

START_TEST(policy_group_bounds)
{
    agent_policy_t p;
    char why[256], line[64 * 8 + 32];
    int i;

    strcpy(line, "allow-groups =");
    for (i = 0; i < AGENT_POLICY_GROUPS_MAX; i++) {
        sprintf(line + strlen(line), " g%d", i);
    }
    ck_assert_int_eq(policy(line, &p, why), 0);
    ck_assert_int_eq(p.allow.n, AGENT_POLICY_GROUPS_MAX);
    strcat(line, " onemore");
    ck_assert_int_eq(policy(line, &p, why), -1);
    ck_assert_int_eq(policy("deny-groups = "
                            "abcdefghijklmnopqrstuvwxyz0123456\n", &p, why),
                     -1);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("agent");
    TCase *tc = tcase_create("agent");

    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_add_test(tc, load_upstream_formulas);
    tcase_add_test(tc, load_idle_and_old_kernels);
    tcase_add_test(tc, load_cpu_kinds);
    tcase_add_test(tc, load_unusable_input);
    tcase_add_test(tc, busy_servers);
    tcase_add_test(tc, policy_defaults);
    tcase_add_test(tc, policy_file);
    tcase_add_test(tc, policy_refused);
    tcase_add_test(tc, policy_group_bounds);
    suite_add_tcase(s, tc);
    return s;
}

XGB_TEST_MAIN()
