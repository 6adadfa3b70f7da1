/*
 * test_pubkeys.c - public keys from private key files and the /pubkeys/
 * body (spec 2.3).
 *
 * Keys are made by ssh-keygen in a scratch directory at test time; the
 * .pub file it writes alongside is the expected result.
 */
#include <stdarg.h>

#include <apr_strings.h>
#include <apr_file_io.h>
#include <apr_thread_proc.h>

#include "xgb_test.h"
#include "xgb_pubkeys.h"

/* Made once per test case (outside the per-test fork) and removed again. */
static apr_pool_t *kp;
static const char *kdir;

/* ssh-keygen -q -N <pass> -f <dir>/<name> <args...>, run without a
 * shell. */
static int keygen(const char *name, const char *pass, ...)
{
    const char *argv[20];
    int argc = 0, exitcode = -1;
    apr_exit_why_e why;
    apr_procattr_t *attr;
    apr_proc_t proc;
    va_list ap;
    const char *a;

    argv[argc++] = "ssh-keygen";
    argv[argc++] = "-q";
    argv[argc++] = "-N";
    argv[argc++] = pass;
    argv[argc++] = "-C";
    argv[argc++] = "xgb-test";
    argv[argc++] = "-f";
    argv[argc++] = apr_pstrcat(kp, kdir, "/", name, NULL);
    va_start(ap, pass);
    while ((a = va_arg(ap, const char *)) != NULL && argc < 19) {
        argv[argc++] = a;
    }
    va_end(ap);
    argv[argc] = NULL;

    if (apr_procattr_create(&attr, kp) != APR_SUCCESS
        || apr_procattr_cmdtype_set(attr, APR_PROGRAM_PATH) != APR_SUCCESS
        || apr_proc_create(&proc, "ssh-keygen", argv, NULL, attr, kp)
           != APR_SUCCESS
        || apr_proc_wait(&proc, &exitcode, &why, APR_WAIT) != APR_CHILD_DONE
        || why != APR_PROC_EXIT) {
        return -1;
    }
    return exitcode;
}

static void write_file(const char *name, const char *data, apr_size_t n)
{
    apr_file_t *f;

    ck_assert_int_eq(apr_file_open(&f, apr_pstrcat(kp, kdir, "/", name,
                                                   NULL),
                                   APR_FOPEN_CREATE | APR_FOPEN_WRITE
                                   | APR_FOPEN_TRUNCATE, APR_FPROT_UREAD
                                   | APR_FPROT_UWRITE, kp), APR_SUCCESS);
    ck_assert_int_eq(apr_file_write_full(f, data, n, NULL), APR_SUCCESS);
    apr_file_close(f);
}

static void make_keys(void)
{
    char *tmpl;

    apr_pool_create(&kp, NULL);
    tmpl = apr_pstrdup(kp, "/tmp/xgb_pubkeys_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    kdir = tmpl;

    ck_assert_int_eq(keygen("rsa_pem", "", "-t", "rsa", "-b", "2048",
                            "-m", "PEM", NULL), 0);
    ck_assert_int_eq(keygen("rsa_openssh", "", "-t", "rsa", "-b", "1024",
                            NULL), 0);
    ck_assert_int_eq(keygen("rsa_pkcs8", "", "-t", "rsa", "-b", "1024",
                            "-m", "PKCS8", NULL), 0);
    ck_assert_int_eq(keygen("dsa_pem", "", "-t", "dsa", "-m", "PEM", NULL),
                     0);
    ck_assert_int_eq(keygen("ecdsa256_openssh", "", "-t", "ecdsa", "-b",
                            "256", NULL), 0);
    ck_assert_int_eq(keygen("ecdsa384_pem", "", "-t", "ecdsa", "-b", "384",
                            "-m", "PEM", NULL), 0);
    ck_assert_int_eq(keygen("ecdsa521_pkcs8", "", "-t", "ecdsa", "-b",
                            "521", "-m", "PKCS8", NULL), 0);
    ck_assert_int_eq(keygen("ed25519", "", "-t", "ed25519", NULL), 0);
    ck_assert_int_eq(keygen("ed25519_enc", "s3cret", "-t", "ed25519", NULL),
                     0);
    ck_assert_int_eq(keygen("rsa_pem_enc", "s3cret", "-t", "rsa", "-b",
                            "1024", "-m", "PEM", NULL), 0);
}

static void remove_keys(void)
{
    apr_dir_t *d;
    apr_finfo_t fi;

    if (apr_dir_open(&d, kdir, kp) == APR_SUCCESS) {
        while (apr_dir_read(&fi, APR_FINFO_NAME | APR_FINFO_TYPE, d)
               == APR_SUCCESS) {
            if (fi.filetype == APR_REG) {
                apr_file_remove(apr_pstrcat(kp, kdir, "/", fi.name, NULL),
                                kp);
            }
        }
        apr_dir_close(d);
    }
    apr_dir_remove(kdir, kp);
    apr_pool_destroy(kp);
}

static const char *path_of(const char *name)
{
    return apr_pstrcat(tp, kdir, "/", name, NULL);
}

/* "<type> <base64>" from the .pub file ssh-keygen wrote. */
static const char *expected(const char *name)
{
    apr_file_t *f;
    char buf[16384], *sp;
    apr_size_t n = sizeof(buf) - 1;

    ck_assert_int_eq(apr_file_open(&f, apr_pstrcat(tp, kdir, "/", name,
                                                   ".pub", NULL),
                                   APR_FOPEN_READ, 0, tp), APR_SUCCESS);
    apr_file_read(f, buf, &n);
    apr_file_close(f);
    buf[n] = '\0';
    sp = strchr(buf, ' ');
    ck_assert_ptr_nonnull(sp);
    sp = strchr(sp + 1, ' ');
    ck_assert_ptr_nonnull(sp);
    return apr_pstrndup(tp, buf, sp - buf);
}

static void check_key(const char *name, const char *type)
{
    const char *line = NULL, *err = "unset";

    ck_assert_int_eq(xgb_pubkey_from_file(tp, path_of(name), &line, &err),
                     APR_SUCCESS);
    ck_assert_ptr_null(err);
    ck_assert_str_eq(line, expected(name));
    ck_assert_int_eq(strncmp(line, type, strlen(type)), 0);
    ck_assert_int_eq(line[strlen(type)], ' ');
}

START_TEST(rsa_pem)
{
    check_key("rsa_pem", "ssh-rsa");
}
END_TEST

START_TEST(rsa_openssh)
{
    check_key("rsa_openssh", "ssh-rsa");
}
END_TEST

START_TEST(rsa_pkcs8)
{
    check_key("rsa_pkcs8", "ssh-rsa");
}
END_TEST

START_TEST(dsa_pem)
{
    check_key("dsa_pem", "ssh-dss");
}
END_TEST

START_TEST(ecdsa)
{
    check_key("ecdsa256_openssh", "ecdsa-sha2-nistp256");
    check_key("ecdsa384_pem", "ecdsa-sha2-nistp384");
    check_key("ecdsa521_pkcs8", "ecdsa-sha2-nistp521");
}
END_TEST

START_TEST(ed25519)
{
    check_key("ed25519", "ssh-ed25519");
    /* the public half of an OpenSSH key is readable without the
     * passphrase */
    check_key("ed25519_enc", "ssh-ed25519");
}
END_TEST

START_TEST(encrypted_pem_refused)
{
    const char *line = "unset", *err = NULL;

    ck_assert_int_ne(xgb_pubkey_from_file(tp, path_of("rsa_pem_enc"), &line,
                                          &err), APR_SUCCESS);
    ck_assert_ptr_null(line);
    ck_assert_ptr_nonnull(err);
}
END_TEST

START_TEST(missing_file)
{
    const char *line = "unset", *err = NULL;
    apr_status_t rv;

    rv = xgb_pubkey_from_file(tp, path_of("nope"), &line, &err);
    ck_assert(APR_STATUS_IS_ENOENT(rv));
    ck_assert_ptr_null(line);
    ck_assert_int_eq(xgb_pubkey_from_file(tp, NULL, &line, &err),
                     APR_EINVAL);
    ck_assert_int_eq(xgb_pubkey_from_file(tp, "", &line, &err), APR_EINVAL);
    ck_assert_int_eq(xgb_pubkey_from_file(tp, path_of("rsa_pem"), NULL,
                                          NULL), APR_EINVAL);
    /* a directory is no key file */
    ck_assert_int_ne(xgb_pubkey_from_file(tp, kdir, &line, &err),
                     APR_SUCCESS);
    ck_assert_str_eq(err, "not a regular file");
}
END_TEST

/* ---- garbled OpenSSH files, built byte by byte ---- */

static void put_u32(char *b, apr_size_t *n, apr_uint32_t v)
{
    b[(*n)++] = (char)(v >> 24);
    b[(*n)++] = (char)(v >> 16);
    b[(*n)++] = (char)(v >> 8);
    b[(*n)++] = (char)v;
}

static void put_str(char *b, apr_size_t *n, const char *s, apr_size_t len)
{
    put_u32(b, n, (apr_uint32_t)len);
    memcpy(b + *n, s, len);
    *n += len;
}

static const char *b64(const unsigned char *in, apr_size_t n)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = apr_palloc(tp, (n + 2) / 3 * 4 + 1), *o = out;
    apr_size_t i;

    for (i = 0; i < n; i += 3) {
        apr_uint32_t v = (apr_uint32_t)in[i] << 16;

        if (i + 1 < n) {
            v |= (apr_uint32_t)in[i + 1] << 8;
        }
        if (i + 2 < n) {
            v |= in[i + 2];
        }
        *o++ = tab[(v >> 18) & 63];
        *o++ = tab[(v >> 12) & 63];
        *o++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        *o++ = i + 2 < n ? tab[v & 63] : '=';
    }
    *o = '\0';
    return out;
}

/* An OpenSSH key file whose header holds nkeys and, if type is not NULL,
 * one public key blob of that type with 32 bytes of key data; the binary
 * part cut to truncate_to bytes if that is not 0. */
static const char *openssh_file(apr_uint32_t nkeys, const char *type,
                                apr_size_t truncate_to)
{
    char raw[512], blob[128];
    apr_size_t n = 0, bn = 0;

    memcpy(raw, "openssh-key-v1", 15);
    n = 15;
    put_str(raw, &n, "none", 4);
    put_str(raw, &n, "none", 4);
    put_str(raw, &n, "", 0);
    put_u32(raw, &n, nkeys);
    if (type) {
        put_str(blob, &bn, type, strlen(type));
        put_str(blob, &bn, "0123456789abcdef0123456789abcdef", 32);
        put_str(raw, &n, blob, bn);
    }
    if (truncate_to && truncate_to < n) {
        n = truncate_to;
    }
    return apr_pstrcat(tp, "-----BEGIN OPENSSH PRIVATE KEY-----\n",
                       b64((unsigned char *)raw, n),
                       "\n-----END OPENSSH PRIVATE KEY-----\n", NULL);
}

static const char *parse_text(const char *name, const char *text,
                              const char **err)
{
    const char *line = NULL;

    write_file(name, text, strlen(text));
    *err = NULL;
    if (xgb_pubkey_from_file(tp, path_of(name), &line, err)
            == APR_SUCCESS) {
        return line;
    }
    ck_assert_ptr_nonnull(*err);
    return NULL;
}

START_TEST(crafted_openssh)
{
    const char *err, *line;
    char blob[128];
    apr_size_t bn = 0;

    /* a well-formed header: the blob is copied as it is */
    line = parse_text("c1", openssh_file(1, "ssh-ed25519", 0), &err);
    put_str(blob, &bn, "ssh-ed25519", 11);
    put_str(blob, &bn, "0123456789abcdef0123456789abcdef", 32);
    ck_assert_str_eq(line, apr_pstrcat(tp, "ssh-ed25519 ",
                                       b64((unsigned char *)blob, bn),
                                       NULL));

    ck_assert_ptr_null(parse_text("c2", openssh_file(0, NULL, 0), &err));
    ck_assert_str_eq(err, "OpenSSH key file holds no key");
    ck_assert_ptr_null(parse_text("c3", openssh_file(1, NULL, 0), &err));
    ck_assert_str_eq(err, "truncated OpenSSH public key");
    ck_assert_ptr_null(parse_text("c4", openssh_file(1, "ssh-ed25519", 40),
                                  &err));
    ck_assert_ptr_null(parse_text("c5", openssh_file(1, "ssh rsa\n", 0),
                                  &err));
    ck_assert_str_eq(err, "OpenSSH public key with a garbled type");
    ck_assert_ptr_null(parse_text("c6", openssh_file(1, "", 0), &err));
    ck_assert_str_eq(err, "OpenSSH public key without a type");
    ck_assert_ptr_null(parse_text("c7", openssh_file(1, "ssh-ed25519", 20),
                                  &err));
    ck_assert_str_eq(err, "truncated OpenSSH key header");
}
END_TEST

/* PKCS#8 Ed25519 (ssh-keygen cannot write or read it): the example key
 * of RFC 8410 section 10.3. */
START_TEST(ed25519_pkcs8)
{
    static const unsigned char pub[32] = {
        0x19, 0xbf, 0x44, 0x09, 0x69, 0x84, 0xcd, 0xfe, 0x85, 0x41, 0xba,
        0xc1, 0x67, 0xdc, 0x3b, 0x96, 0xc8, 0x50, 0x86, 0xaa, 0x30, 0xb6,
        0xb6, 0xcb, 0x0c, 0x5c, 0x38, 0xad, 0x70, 0x31, 0x66, 0xe1
    };
    char blob[64];
    apr_size_t bn = 0;
    const char *err, *line;

    line = parse_text("ed_pkcs8", "-----BEGIN PRIVATE KEY-----\n"
                      "MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CX"
                      "qI9EdVhC\n-----END PRIVATE KEY-----\n", &err);
    put_str(blob, &bn, "ssh-ed25519", 11);
    put_str(blob, &bn, (const char *)pub, sizeof(pub));
    ck_assert_ptr_nonnull(line);
    ck_assert_str_eq(line, apr_pstrcat(tp, "ssh-ed25519 ",
                                       b64((unsigned char *)blob, bn),
                                       NULL));
}
END_TEST

START_TEST(garbage_files)
{
    const char *err, *line;

    ck_assert_ptr_null(parse_text("g1", "", &err));
    ck_assert_ptr_null(parse_text("g2", "hello world\n", &err));
    ck_assert_ptr_null(parse_text("g3", "-----BEGIN OPENSSH PRIVATE KEY-----\n"
                                  "b3BlbnNzaC1rZXktdjEA\n", &err));
    ck_assert_str_eq(err, "truncated OpenSSH key");
    ck_assert_ptr_null(parse_text("g4", "-----BEGIN OPENSSH PRIVATE KEY-----\n"
                                  "!!!!\n-----END OPENSSH PRIVATE KEY-----\n",
                                  &err));
    ck_assert_str_eq(err, "OpenSSH key is not valid base64");
    ck_assert_ptr_null(parse_text("g5", "-----BEGIN OPENSSH PRIVATE KEY-----\n"
                                  "aGVsbG8gd29ybGQh\n"
                                  "-----END OPENSSH PRIVATE KEY-----\n",
                                  &err));
    ck_assert_str_eq(err, "not an openssh-key-v1 key");
    ck_assert_ptr_null(parse_text("g6", "-----BEGIN RSA PRIVATE KEY-----\n"
                                  "MIIBOgIBAAJBAKj34GkxFhD9\n"
                                  "-----END RSA PRIVATE KEY-----\n", &err));
    /* NUL bytes: binary, not a key */
    write_file("g7", "-----BEGIN\0x", 12);
    ck_assert_int_ne(xgb_pubkey_from_file(tp, path_of("g7"), &line, &err),
                     APR_SUCCESS);
    ck_assert_str_eq(err, "binary data in key file");
}
END_TEST

/* ---- the /pubkeys/ body ---- */

#define OPTS ",no-port-forwarding,no-X11-forwarding,no-agent-forwarding," \
             "no-pty "

static apr_array_header_t *files(const char *first, ...)
{
    apr_array_header_t *a = apr_array_make(tp, 4, sizeof(const char *));
    va_list ap;
    const char *f;

    va_start(ap, first);
    for (f = first; f; f = va_arg(ap, const char *)) {
        APR_ARRAY_PUSH(a, const char *) = *f ? path_of(f) : f;
    }
    va_end(ap);
    return a;
}

/* The body for these key files, loaded as post_config does. */
static const char *render_files(apr_pool_t *p, apr_array_header_t *f,
                                const char *cmd, const char *user,
                                const char *fqdn)
{
    return xgb_pubkeys_render(p, p ? xgb_pubkeys_load(p, f) : NULL, cmd,
                              user, fqdn);
}

START_TEST(render_reference_layout)
{
    const char *body = render_files(tp, files("rsa_pem", "dsa_pem",
                                                    NULL),
                                          "/usr/lib/x2go/x2gobroker-agent",
                                          "x2gobroker", "broker.example.org");

    ck_assert_str_eq(body, apr_pstrcat(tp,
        "command=\"/usr/lib/x2go/x2gobroker-agent\"" OPTS,
        expected("rsa_pem"), " x2gobroker@broker.example.org\n",
        "command=\"/usr/lib/x2go/x2gobroker-agent\"" OPTS,
        expected("dsa_pem"), " x2gobroker@broker.example.org\n", NULL));
}
END_TEST

START_TEST(render_skips)
{
    const char *body;

    /* missing: silently; garbage: with a warning */
    write_file("junk", "junk\n", 5);
    body = render_files(tp, files("missing_1", "ed25519", "", "junk",
                                        NULL),
                              "/a", "u", "h");
    ck_assert_str_eq(body, apr_pstrcat(tp, "command=\"/a\"" OPTS,
                                       expected("ed25519"), " u@h\n", NULL));
    ck_assert_ptr_nonnull(strstr(xgb_test_last_log, "pubkeys: skipping "));
    ck_assert_ptr_nonnull(strstr(xgb_test_last_log, "/junk: "));

    xgb_test_last_log[0] = '\0';
    body = render_files(tp, files("missing_1", "missing_2", NULL),
                              "/a", "u", "h");
    ck_assert_str_eq(body, "");
    ck_assert_str_eq(xgb_test_last_log, "");
    ck_assert_str_eq(render_files(tp, NULL, "/a", "u", "h"), "");
}
END_TEST

START_TEST(render_bad_arguments)
{
    apr_array_header_t *f = files("ed25519", NULL);
    const char *body;

    ck_assert_ptr_null(render_files(tp, f, NULL, "u", "h"));
    ck_assert_ptr_null(render_files(tp, f, "/a", "", "h"));
    ck_assert_ptr_null(render_files(tp, f, "/a", "u", NULL));
    ck_assert_ptr_null(render_files(tp, f, "/a\nssh-rsa AAAA", "u",
                                          "h"));
    ck_assert_ptr_null(render_files(tp, f, "/a", "u\n", "h"));
    ck_assert_ptr_null(render_files(NULL, f, "/a", "u", "h"));
    /* a quote in the command is escaped for sshd */
    body = render_files(tp, f, "/a \"b\"", "u", "h");
    ck_assert_str_eq(body, apr_pstrcat(tp, "command=\"/a \\\"b\\\"\"" OPTS,
                                       expected("ed25519"), " u@h\n", NULL));
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("pubkeys");
    TCase *tc = tcase_create("pubkeys");

    tcase_add_unchecked_fixture(tc, make_keys, remove_keys);
    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, rsa_pem);
    tcase_add_test(tc, rsa_openssh);
    tcase_add_test(tc, rsa_pkcs8);
    tcase_add_test(tc, dsa_pem);
    tcase_add_test(tc, ecdsa);
    tcase_add_test(tc, ed25519);
    tcase_add_test(tc, encrypted_pem_refused);
    tcase_add_test(tc, missing_file);
    tcase_add_test(tc, crafted_openssh);
    tcase_add_test(tc, ed25519_pkcs8);
    tcase_add_test(tc, garbage_files);
    tcase_add_test(tc, render_reference_layout);
    tcase_add_test(tc, render_skips);
    tcase_add_test(tc, render_bad_arguments);
    suite_add_tcase(s, tc);
    return s;
}

XGB_TEST_MAIN()
