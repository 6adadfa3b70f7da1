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

START_TEST(pem_is_traditional_rsa)
{
    const char *pem, *line, *err = NULL;
    size_t n;

    ck_assert_int_eq(xgb_autologin_keypair(tp, "alice@10.0.0.5", &pem, &line,
                                           &err), APR_SUCCESS);
    n = strlen(pem);
    /* x2goclient recognises exactly these armour lines */
    ck_assert_int_eq(strncmp(pem, BEGIN, strlen(BEGIN)), 0);
    ck_assert_uint_gt(n, strlen(END));
    ck_assert_str_eq(pem + n - strlen(END), END);
    ck_assert_ptr_null(strstr(pem, "ENCRYPTED"));
}
END_TEST

START_TEST(line_shape)
{
    const char *pem, *line, *err = NULL;
    xgb_keyline_t kl;

    ck_assert_int_eq(xgb_autologin_keypair(tp, "alice@10.0.0.5", &pem, &line,
                                           &err), APR_SUCCESS);
    ck_assert_int_eq(xgb_keyline_parse(line, &kl, &err), 0);
    ck_assert_str_eq(kl.options, "no-X11-forwarding,no-pty,no-user-rc");
    ck_assert_str_eq(kl.type, "ssh-rsa");
    ck_assert_str_eq(kl.comment, "alice@10.0.0.5");
    /* 2048-bit modulus: 4+7 type, 4+3 exponent, 4+257 modulus */
    ck_assert_uint_eq(kl.bloblen, 279);
    ck_assert(xgb_keyline_options_restrictive(kl.options));
    xgb_keyline_free(&kl);
}
END_TEST

START_TEST(odd_comment_replaced)
{
    static const char *const bad[] = { "a b", "a\"b", "x'y", "$(id)", "",
                                       "a\nb", NULL };
    const char *pem, *line, *err = NULL;
    int i;

    for (i = 0; bad[i]; i++) {
        ck_assert_int_eq(xgb_autologin_keypair(tp, bad[i], &pem, &line, &err),
                         APR_SUCCESS);
        ck_assert_str_eq(strrchr(line, ' '), " x2gobroker");
    }
    ck_assert_int_eq(xgb_autologin_keypair(tp, NULL, &pem, &line, &err),
                     APR_SUCCESS);
    ck_assert_str_eq(strrchr(line, ' '), " x2gobroker");
    ck_assert_int_eq(xgb_autologin_keypair(tp, "bob@fe80::1", &pem, &line,
                                           &err), APR_SUCCESS);
    ck_assert_str_eq(strrchr(line, ' '), " bob@fe80::1");
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

/* ssh-keygen -y derives the same public key from the private one. */
START_TEST(ssh_keygen_agrees)
{
    const char *pem, *line, *err = NULL;
    char path[] = "/tmp/xgb-autologin-XXXXXX", cmd[256], out[2048];
    const char *pub;
    FILE *f;
    int fd;

    ck_assert_int_eq(xgb_autologin_keypair(tp, "carol@127.0.0.1", &pem, &line,
                                           &err), APR_SUCCESS);
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, pem, strlen(pem)), (int)strlen(pem));
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
    ck_assert_str_eq(pub + strlen(out), " carol@127.0.0.1");
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("autologin");
    TCase *tc = tcase_create("keypair");

    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, pem_is_traditional_rsa);
    tcase_add_test(tc, line_shape);
    tcase_add_test(tc, odd_comment_replaced);
    tcase_add_test(tc, fresh_every_time);
    tcase_add_test(tc, ssh_keygen_agrees);
    suite_add_tcase(s, tc);
    return s;
}

XGB_TEST_MAIN()
