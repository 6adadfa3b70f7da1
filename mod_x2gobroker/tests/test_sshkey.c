/*
 * test_sshkey.c - authorized_keys lines, base64 and fingerprints of the
 * shared library (libxgbcommon), against keys and fingerprints made by
 * OpenSSH's ssh-keygen.
 */
#include "xgb_test.h"
#include "xgb_sshkey.h"

#define ED25519_B64 \
    "AAAAC3NzaC1lZDI1NTE5AAAAIKYgS7+b/gQhDt+QLYZMq79emUyi7jIHnbnwL5ilrPPE"
#define ED25519_FP "SHA256:oZE61tmZgp0lf3yNzrTApKOiaxPL59CTJQq2OZDRnCY"
#define ECDSA_B64 \
    "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBIKZ5TgIuHltyvwa" \
    "swegovo53CnimihjzdoPmglos4P11bK4PfHM5PVyAmEQxNbClE9UUzZxg0UV8q84yLYl" \
    "80w="
#define ECDSA_FP "SHA256:lIn7PVXCDyITg069lh7V2Y+7boQBZghBBILe41HzX88"
#define RSA_B64 \
    "AAAAB3NzaC1yc2EAAAADAQABAAAAgQDYaYQKfYvsD4zux9JV/gVOpju9xzomsvh/PfYM" \
    "S/wSPm80Y6cnGEnJZ+l/1GWboBM4uBD3xHjoLcpFgmAuCGVXeeK+n8XXzjUT2/FhhJOZ" \
    "kZepw8JCZ9RZaK+1+KnB7IbWaKdIaDGmB6geMwSVyqne0TVvBqS/IjoBmcDw9HCaVw=="
#define RSA_FP "SHA256:0m3evBajs+sec1Dm9TShJEdkn5fh8Zc8G4J8B1PAxPU"

/* Parse a line that must be accepted; the fields are checked by the
 * caller, the fingerprint here. */
static void accept_line(const char *line, const char *fp,
                        xgb_keyline_t *kl)
{
    const char *err = "unset";
    char *got;

    ck_assert_msg(xgb_keyline_parse(line, kl, &err) == 0, "%s: %s", line,
                  err);
    ck_assert_ptr_null(err);
    got = xgb_sshkey_fingerprint(kl->blob, kl->bloblen);
    ck_assert_str_eq(got, fp);
    free(got);
}

static const char *refuse_line(const char *line)
{
    xgb_keyline_t kl;
    const char *err = NULL;

    ck_assert_msg(xgb_keyline_parse(line, &kl, &err) == -1, "accepted: %s",
                  line);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_null(kl.type);
    return err;
}

START_TEST(plain_lines)
{
    xgb_keyline_t kl;

    accept_line("ssh-ed25519 " ED25519_B64 " alice@10.0.0.5", ED25519_FP,
                &kl);
    ck_assert_str_eq(kl.options, "");
    ck_assert_str_eq(kl.type, "ssh-ed25519");
    ck_assert_str_eq(kl.base64, ED25519_B64);
    ck_assert_str_eq(kl.comment, "alice@10.0.0.5");
    xgb_keyline_free(&kl);

    accept_line("ecdsa-sha2-nistp256 " ECDSA_B64, ECDSA_FP, &kl);
    ck_assert_str_eq(kl.type, "ecdsa-sha2-nistp256");
    ck_assert_str_eq(kl.comment, "");
    xgb_keyline_free(&kl);

    accept_line("ssh-rsa " RSA_B64 " a comment with spaces", RSA_FP, &kl);
    ck_assert_str_eq(kl.comment, "a comment with spaces");
    xgb_keyline_free(&kl);
}
END_TEST

START_TEST(lines_with_options)
{
    xgb_keyline_t kl;

    /* what the broker installs for an autologin */
    accept_line("no-X11-forwarding,no-pty,no-user-rc ssh-rsa " RSA_B64
                " alice@192.0.2.7", RSA_FP, &kl);
    ck_assert_str_eq(kl.options, "no-X11-forwarding,no-pty,no-user-rc");
    ck_assert_int_eq(xgb_keyline_options_restrictive(kl.options), 1);
    xgb_keyline_free(&kl);

    /* what pubkeys/ serves: a quoted command may hold spaces and \" */
    accept_line("command=\"/usr/lib/x2go/x2gobroker-agent \\\"x y\\\"\","
                "no-port-forwarding,no-X11-forwarding,no-agent-forwarding,"
                "no-pty ssh-ed25519 " ED25519_B64 " x2gobroker@b.example",
                ED25519_FP, &kl);
    ck_assert_str_eq(kl.options, "command=\"/usr/lib/x2go/x2gobroker-agent "
                     "\\\"x y\\\"\",no-port-forwarding,no-X11-forwarding,"
                     "no-agent-forwarding,no-pty");
    ck_assert_str_eq(kl.comment, "x2gobroker@b.example");
    ck_assert_int_eq(xgb_keyline_options_restrictive(kl.options), 0);
    xgb_keyline_free(&kl);
}
END_TEST

START_TEST(restrictive_options)
{
    ck_assert_int_eq(xgb_keyline_options_restrictive(""), 1);
    ck_assert_int_eq(xgb_keyline_options_restrictive("restrict"), 1);
    ck_assert_int_eq(xgb_keyline_options_restrictive(
                         "no-pty,no-X11-forwarding,no-agent-forwarding,"
                         "no-port-forwarding,no-user-rc"), 1);
    ck_assert_int_eq(xgb_keyline_options_restrictive(NULL), 0);
    ck_assert_int_eq(xgb_keyline_options_restrictive("no-pty,"), 0);
    ck_assert_int_eq(xgb_keyline_options_restrictive(",no-pty"), 0);
    ck_assert_int_eq(xgb_keyline_options_restrictive("no-pty,,no-user-rc"),
                     0);
    ck_assert_int_eq(xgb_keyline_options_restrictive("command=\"/bin/sh\""),
                     0);
    ck_assert_int_eq(xgb_keyline_options_restrictive("no-pty,pty"), 0);
    ck_assert_int_eq(xgb_keyline_options_restrictive(
                         "environment=\"LD_PRELOAD=/tmp/x\""), 0);
    ck_assert_int_eq(xgb_keyline_options_restrictive("from=\"*\""), 0);
    ck_assert_int_eq(xgb_keyline_options_restrictive("NO-PTY"), 0);
}
END_TEST

START_TEST(refused_lines)
{
    ck_assert_str_eq(refuse_line(""), "empty key line");
    ck_assert_str_eq(refuse_line(NULL), "no key line");
    ck_assert_str_eq(refuse_line("ssh-ed25519 " ED25519_B64 " a\n"
                                 "ssh-ed25519 " ED25519_B64 " b"),
                     "key line holds a line break");
    ck_assert_str_eq(refuse_line("ssh-ed25519 " ED25519_B64 " a\r"),
                     "key line holds a line break");
    ck_assert_str_eq(refuse_line("ssh-ed25519 " ED25519_B64 " \033[2J"),
                     "key line holds a control or non-ASCII character");
    ck_assert_str_eq(refuse_line("ssh-ed25519\t" ED25519_B64),
                     "key line holds a control or non-ASCII character");
    ck_assert_str_eq(refuse_line("ssh-foo " ED25519_B64),
                     "unknown key type");
    ck_assert_str_eq(refuse_line("ssh-ed25519"),
                     "key line without key data");
    ck_assert_str_eq(refuse_line("no-pty"),
                     "key line without a known key type");
    ck_assert_str_eq(refuse_line("no-pty ssh-foo " ED25519_B64),
                     "unknown key type");
    ck_assert_str_eq(refuse_line("command=\"x ssh-ed25519 " ED25519_B64),
                     "key line without a known key type");
    ck_assert_str_eq(refuse_line("ssh-ed25519 AAAA$(id)"),
                     "key is not valid base64");
    ck_assert_str_eq(refuse_line("ssh-ed25519 " ED25519_B64 "="),
                     "key is not valid base64");
    ck_assert_str_eq(refuse_line("ssh-ed25519 =AAAA"),
                     "key is not valid base64");
    ck_assert_str_eq(refuse_line("ssh-ed25519 A=AA"),
                     "key is not valid base64");
    /* an RSA key labelled as Ed25519 */
    ck_assert_str_eq(refuse_line("ssh-ed25519 " RSA_B64),
                     "key data does not match its key type");
    /* the type alone, no key material */
    ck_assert_str_eq(refuse_line("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5"),
                     "key data does not match its key type");
}
END_TEST

START_TEST(overlong_line)
{
    size_t n = XGB_KEYLINE_MAX + 1;
    char *line = malloc(n + 1);

    memset(line, 'A', n);
    memcpy(line, "ssh-rsa ", 8);
    line[n] = '\0';
    ck_assert_str_eq(refuse_line(line), "key line too long");
    free(line);
}
END_TEST

START_TEST(base64_strict)
{
    size_t n = 0;
    unsigned char *d;
    char *e;

    d = xgb_b64_decode("aGVsbG8=", 8, &n);
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(n, 5);
    ck_assert_int_eq(memcmp(d, "hello", 5), 0);
    free(d);
    d = xgb_b64_decode("aGVsbA==", 8, &n);
    ck_assert_int_eq(n, 4);
    free(d);
    ck_assert_ptr_null(xgb_b64_decode("aGVs bG8=", 9, &n));
    ck_assert_ptr_null(xgb_b64_decode("aGVsbG8", 7, &n));
    ck_assert_ptr_null(xgb_b64_decode("aG=sbG8=", 8, &n));
    ck_assert_ptr_null(xgb_b64_decode("", 0, &n));
    ck_assert_ptr_null(xgb_b64_decode("====", 4, &n));
    /* stray bits before the padding (found by fuzz-keyline): "aGVsbG9="
     * is the only spelling of "hello" */
    ck_assert_ptr_null(xgb_b64_decode("aGVsbG9=", 8, &n));
    ck_assert_ptr_null(xgb_b64_decode("aGVsbB==", 8, &n));
    e = xgb_b64_encode((const unsigned char *)"hello", 5);
    ck_assert_str_eq(e, "aGVsbG8=");
    free(e);
}
END_TEST

/* Found by fuzz-keyline: the dashes of the BEGIN and END markers may
 * overlap; END must be looked for after BEGIN. */
START_TEST(overlapping_armour)
{
    static const char text[] =
        "-----BEGIN OPENSSH PRIVATE KEY-----END OPENSSH PRIVATE KEY-----"
        "UAAAAEbm9uZQAAAAAAAAABAAAAMwAA\n";
    xgb_buf_t blob = XGB_BUF_INIT;
    char type[XGB_KEYTYPE_MAX + 1];
    const char *err = NULL;

    ck_assert_int_eq(xgb_sshkey_blob_from_private(text, strlen(text), &blob,
                                                  type, &err), -1);
    ck_assert_str_eq(err, "truncated OpenSSH key");
    xgb_buf_free(&blob);
}
END_TEST

START_TEST(comments_for_agents)
{
    static const char *const ok[] = {
        "", "alice@192.0.2.7", "bob@2001:db8::1", "key+1=x_y-z.w", NULL
    };
    static const char *const bad[] = {
        "a b", "x;touch /tmp/p", "a|b", "a&b", "$(id)", "`id`", "a\tb",
        "caf\xc3\xa9", "a\"b", "a/b", NULL
    };
    int i;

    for (i = 0; ok[i]; i++) {
        ck_assert_msg(xgb_keyline_comment_ok(ok[i]), "%s", ok[i]);
    }
    for (i = 0; bad[i]; i++) {
        ck_assert_msg(!xgb_keyline_comment_ok(bad[i]), "%s", bad[i]);
    }
    ck_assert(!xgb_keyline_comment_ok(NULL));
}
END_TEST

START_TEST(expiring_line)
{
    static const char ed[] = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKYgS7+b/"
                             "gQhDt+QLYZMq79emUyi7jIHnbnwL5ilrPPE";
    xgb_keyline_t kl, again;
    const char *err;
    char *line;

    /* 2026-12-07 10:00:01 UTC: rounded up to 10:01 */
    ck_assert_int_eq(xgb_keyline_parse("no-pty,no-user-rc ssh-ed25519 "
        "AAAAC3NzaC1lZDI1NTE5AAAAIKYgS7+b/gQhDt+QLYZMq79emUyi7jIHnbnwL5ilrPPE"
        " alice@192.0.2.7", &kl, &err), 0);
    line = xgb_keyline_expiring(&kl, 1796637601);
    ck_assert_str_eq(line, "expiry-time=\"202612071001Z\",no-pty,no-user-rc "
                     "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKYgS7+b/gQhDt+QLYZM"
                     "q79emUyi7jIHnbnwL5ilrPPE alice@192.0.2.7");
    /* and it reads back as the same key */
    ck_assert_int_eq(xgb_keyline_parse(line, &again, &err), 0);
    ck_assert_str_eq(again.base64, kl.base64);
    ck_assert_str_eq(again.comment, "alice@192.0.2.7");
    xgb_keyline_free(&again);
    free(line);
    xgb_keyline_free(&kl);
    /* a whole minute stays as it is; no options, no comment */
    ck_assert_int_eq(xgb_keyline_parse(ed, &kl, &err), 0);
    line = xgb_keyline_expiring(&kl, 1796637600);
    ck_assert_str_eq(line, "expiry-time=\"202612071000Z\" ssh-ed25519 "
                     "AAAAC3NzaC1lZDI1NTE5AAAAIKYgS7+b/gQhDt+QLYZMq79emUyi7jIH"
                     "nbnwL5ilrPPE");
    free(line);
    xgb_keyline_free(&kl);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("sshkey");
    TCase *tc = tcase_create("sshkey");

    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_add_test(tc, plain_lines);
    tcase_add_test(tc, lines_with_options);
    tcase_add_test(tc, restrictive_options);
    tcase_add_test(tc, refused_lines);
    tcase_add_test(tc, overlong_line);
    tcase_add_test(tc, base64_strict);
    tcase_add_test(tc, overlapping_armour);
    tcase_add_test(tc, comments_for_agents);
    tcase_add_test(tc, expiring_line);
    suite_add_tcase(s, tc);
    return s;
}

XGB_TEST_MAIN()
