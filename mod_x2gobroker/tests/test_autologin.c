/*
 * test_autologin.c - the temporary key pair of session autologin
 * (spec 1.7, 7.5), checked against OpenSSH's own ssh-keygen.
 */
#include <stdio.h>
#include <unistd.h>

#include "xgb_test.h"
#include "xgb_autologin.h"
#include "xgb_sshkey.h"

#define BEGIN "-----BEGIN RSA PRIVATE KEY-----\n"
#define END "-----END RSA PRIVATE KEY-----\n"

/* Key generation is slow under valgrind: one key is checked for every
 * property, two more only for being different. */
START_TEST(one_key_pair)
{
    const char *pem, *line, *err = NULL, *pub;
    char path[] = "/tmp/xgb-autologin-XXXXXX", cmd[256], out[2048];
    xgb_keyline_t kl;
    size_t n;
    FILE *f;
    int fd;

    ck_assert_int_eq(xgb_autologin_keypair(tp, "alice@10.0.0.5", &pem, &line,
                                           &err), APR_SUCCESS);
    /* x2goclient recognises exactly these armour lines */
    n = strlen(pem);
    ck_assert_int_eq(strncmp(pem, BEGIN, strlen(BEGIN)), 0);
    ck_assert_uint_gt(n, strlen(END));
    ck_assert_str_eq(pem + n - strlen(END), END);
    ck_assert_ptr_null(strstr(pem, "ENCRYPTED"));

    ck_assert_int_eq(xgb_keyline_parse(line, &kl, &err), 0);
    ck_assert_str_eq(kl.options, "no-X11-forwarding,no-user-rc");
    ck_assert_str_eq(kl.type, "ssh-rsa");
    ck_assert_str_eq(kl.comment, "alice@10.0.0.5");
    /* 2048-bit modulus: 4+7 type, 4+3 exponent, 4+257 modulus */
    ck_assert_uint_eq(kl.bloblen, 279);
    ck_assert(xgb_keyline_options_restrictive(kl.options));
    xgb_keyline_free(&kl);

    /* ssh-keygen -y derives the same public key from the private one */
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, pem, n), (int)n);
    close(fd);
    snprintf(cmd, sizeof(cmd), "ssh-keygen -y -f %s 2>&1", path);
    f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(out, sizeof(out), f));
    pclose(f);
    unlink(path);
    out[strcspn(out, "\n")] = '\0';
    pub = strstr(line, "ssh-rsa ");
    ck_assert_ptr_nonnull(pub);
    ck_assert_int_eq(strncmp(out, pub, strlen(out)), 0);
    ck_assert_str_eq(pub + strlen(out), " alice@10.0.0.5");
}
END_TEST

START_TEST(comments)
{
    static const char *const bad[] = { "a b", "a\"b", "x'y", "$(id)", "",
                                       "a\nb", "a,b", NULL };
    char longest[130];
    int i;

    for (i = 0; bad[i]; i++) {
        ck_assert_str_eq(xgb_autologin_comment(bad[i]), "x2gobroker");
    }
    ck_assert_str_eq(xgb_autologin_comment(NULL), "x2gobroker");
    ck_assert_str_eq(xgb_autologin_comment("bob@fe80::1"), "bob@fe80::1");
    ck_assert_str_eq(xgb_autologin_comment("a.b_c-d@10.0.0.1"),
                     "a.b_c-d@10.0.0.1");
    memset(longest, 'a', 128);
    longest[128] = '\0';
    ck_assert_str_eq(xgb_autologin_comment(longest), longest);
    longest[128] = 'a';
    longest[129] = '\0';
    ck_assert_str_eq(xgb_autologin_comment(longest), "x2gobroker");
}
END_TEST

START_TEST(fresh_every_time)
{
    const char *pem1, *line1, *pem2, *line2, *err = NULL;

    ck_assert_int_eq(xgb_autologin_keypair(tp, "u", &pem1, &line1, &err),
                     APR_SUCCESS);
    ck_assert_int_eq(xgb_autologin_keypair(tp, "u", &pem2, &line2, &err),
                     APR_SUCCESS);
    ck_assert_str_ne(pem1, pem2);
    ck_assert_str_ne(line1, line2);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("autologin");
    TCase *tc = tcase_create("keypair");

    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, one_key_pair);
    tcase_add_test(tc, comments);
    tcase_add_test(tc, fresh_every_time);
    suite_add_tcase(s, tc);
    return s;
}

XGB_TEST_MAIN()
