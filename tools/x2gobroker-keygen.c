/*
 * x2gobroker-keygen - make the broker's SSH key pair (spec 8.1), with
 * which the broker logs in to the agents on the X2Go servers.
 *
 * Differences from the reference: Ed25519 by default (libssh2 1.10 cannot
 * log in to current OpenSSH with RSA keys), written in OpenSSH's own
 * format, which is the only one OpenSSH uses for Ed25519; RSA keys have
 * 4096 bits; DSA is refused; the .pub file has a comment and a final
 * newline (B24); the fingerprint is SHA256, as ssh-keygen -l shows it.
 *
 * Exit status: 0 done, 1 key not generated or not written, 253 key
 * exists (no --force), 254 invalid arguments or broker account, 255 not
 * root.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "tool_account.h"
#include "xgb_buf.h"
#include "xgb_sshkey.h"

#define EXIT_FAILED 1
#define EXIT_EXISTS 253
#define EXIT_USAGE 254
#define EXIT_NOT_ROOT 255

/* OpenSSH's private key container (PROTOCOL.key in OpenSSH). */
#define OPENSSH_MAGIC "openssh-key-v1"      /* with its NUL */
#define OPENSSH_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----\n"
#define OPENSSH_END "-----END OPENSSH PRIVATE KEY-----\n"
#define OPENSSH_LINE 70                     /* base64 per line */
#define OPENSSH_BLOCK 8                     /* cipher "none" */

/* Room reserved up front for private key text, so that no copy of it is
 * left behind in memory freed by a growing buffer. */
#define KEY_TEXT_MAX 8192

typedef struct {
    const char *name;       /* as given to -t */
    const char *file;       /* under ~/.ssh */
    const char *label;      /* as ssh-keygen -l shows it */
    int bits;
} key_kind_t;

static const key_kind_t kinds[] = {
    { "ED25519", "id_ed25519", "ED25519", 256 },
    { "RSA", "id_rsa", "RSA", 4096 },
    { "ECDSA", "id_ecdsa", "ECDSA", 256 },
    { NULL, NULL, NULL, 0 }
};

static void usage(FILE *f)
{
    fprintf(f,
"Usage: %s [-t ED25519|RSA|ECDSA] [-f]\n"
"Generate the SSH key pair of the X2Go Session Broker's account\n"
"(X2GOBROKER_DAEMON_USER, default x2gobroker; group\n"
"X2GOBROKER_DAEMON_GROUP, default x2gobroker) in its ~/.ssh.\n"
"\n"
"  -t, --key-type TYPE  ED25519 (default, ~/.ssh/id_ed25519, OpenSSH format),\n"
"                       RSA (4096 bits, ~/.ssh/id_rsa, PEM) or\n"
"                       ECDSA (nistp256, ~/.ssh/id_ecdsa, PEM);\n"
"                       also spelt --key_type and ---key-type\n"
"  -f, --force          replace an existing key of that type\n"
"  -h, --help           show this help\n"
"\n"
"Must run as root.  Exit status: 0 done, 1 key not generated or not\n"
"written, 253 the key exists (use --force), 254 invalid arguments, key\n"
"type refused (DSA) or unknown, broker account or its home missing,\n"
"255 not root.\n", tool_prog);
}

static void wipe_free(xgb_buf_t *b)
{
    if (b->d) {
        OPENSSL_cleanse(b->d, b->cap);
    }
    xgb_buf_free(b);
}

/* Allocate the buffer's final size now (see KEY_TEXT_MAX). */
static void reserve(xgb_buf_t *b, size_t n)
{
    static const unsigned char zeros[KEY_TEXT_MAX];

    xgb_buf_put(b, zeros, n < sizeof(zeros) ? n : sizeof(zeros));
    b->len = 0;
}

static void report_openssl(const char *what)
{
    unsigned long e = ERR_get_error();
    char buf[256];

    if (e) {
        ERR_error_string_n(e, buf, sizeof(buf));
        tool_err("%s: %s", what, buf);
    }
    else {
        tool_err("%s", what);
    }
    ERR_clear_error();
}

/*
 * An Ed25519 key in OpenSSH's unencrypted openssh-key-v1 container:
 *   "openssh-key-v1\0", cipher "none", kdf "none", kdf options "",
 *   1 key, the public key blob, and the private section:
 *   check int twice, key type, public key, private key (seed and public
 *   key, 64 bytes), comment, padding 1, 2, 3 ... to the block size.
 */
static int ed25519_openssh(EVP_PKEY *pk, const char *comment, xgb_buf_t *out)
{
    unsigned char seed[32], pub[32], both[64], check[4];
    xgb_buf_t blob = XGB_BUF_INIT, priv = XGB_BUF_INIT, box = XGB_BUF_INIT;
    size_t slen = sizeof(seed), plen = sizeof(pub), i;
    char *b64 = NULL;
    int rc = -1;

    reserve(&priv, KEY_TEXT_MAX);
    reserve(&box, KEY_TEXT_MAX);
    if (EVP_PKEY_get_raw_private_key(pk, seed, &slen) != 1 || slen != 32
        || EVP_PKEY_get_raw_public_key(pk, pub, &plen) != 1 || plen != 32
        || RAND_bytes(check, sizeof(check)) != 1) {
        report_openssl("cannot read the generated Ed25519 key");
        goto out;
    }
    memcpy(both, seed, 32);
    memcpy(both + 32, pub, 32);

    xgb_buf_string(&blob, "ssh-ed25519", strlen("ssh-ed25519"));
    xgb_buf_string(&blob, pub, sizeof(pub));

    xgb_buf_put(&priv, check, sizeof(check));
    xgb_buf_put(&priv, check, sizeof(check));
    xgb_buf_string(&priv, "ssh-ed25519", strlen("ssh-ed25519"));
    xgb_buf_string(&priv, pub, sizeof(pub));
    xgb_buf_string(&priv, both, sizeof(both));
    xgb_buf_string(&priv, comment, strlen(comment));
    for (i = 1; priv.len % OPENSSH_BLOCK != 0; i++) {
        unsigned char pad = (unsigned char)i;

        xgb_buf_put(&priv, &pad, 1);
    }

    xgb_buf_put(&box, OPENSSH_MAGIC, sizeof(OPENSSH_MAGIC));
    xgb_buf_string(&box, "none", 4);
    xgb_buf_string(&box, "none", 4);
    xgb_buf_string(&box, "", 0);
    xgb_buf_u32(&box, 1);
    xgb_buf_string(&box, blob.d, blob.len);
    xgb_buf_string(&box, priv.d, priv.len);
    if (blob.failed || priv.failed || box.failed
        || !(b64 = xgb_b64_encode(box.d, box.len))) {
        tool_err("out of memory");
        goto out;
    }

    xgb_buf_puts(out, OPENSSH_BEGIN);
    for (i = 0; i < strlen(b64); i += OPENSSH_LINE) {
        size_t n = strlen(b64 + i);

        xgb_buf_put(out, b64 + i, n < OPENSSH_LINE ? n : OPENSSH_LINE);
        xgb_buf_put(out, "\n", 1);
    }
    xgb_buf_puts(out, OPENSSH_END);
    rc = out->failed ? -1 : 0;
    if (rc) {
        tool_err("out of memory");
    }

out:
    if (b64) {
        OPENSSL_cleanse(b64, strlen(b64));
        free(b64);
    }
    OPENSSL_cleanse(seed, sizeof(seed));
    OPENSSL_cleanse(both, sizeof(both));
    xgb_buf_free(&blob);
    wipe_free(&priv);
    wipe_free(&box);
    return rc;
}

/* RSA and ECDSA keys as traditional PEM ("BEGIN RSA PRIVATE KEY", "BEGIN
 * EC PRIVATE KEY"), what OpenSSH and the reference broker read. */
static int traditional_pem(EVP_PKEY *pk, xgb_buf_t *out)
{
    BIO *bio;
    char *data = NULL;
    long n;

    /* secure memory BIO: cleansed when freed */
    bio = BIO_new(BIO_s_secmem());
    if (!bio) {
        report_openssl("out of memory");
        return -1;
    }
    if (!PEM_write_bio_PrivateKey_traditional(bio, pk, NULL, NULL, 0, NULL,
                                              NULL)) {
        report_openssl("cannot encode the private key");
        BIO_free(bio);
        return -1;
    }
    n = BIO_get_mem_data(bio, &data);
    if (n <= 0 || !data) {
        report_openssl("cannot encode the private key");
        BIO_free(bio);
        return -1;
    }
    xgb_buf_put(out, data, (size_t)n);
    BIO_free(bio);
    if (out->failed) {
        tool_err("out of memory");
        return -1;
    }
    return 0;
}

static EVP_PKEY *generate(const key_kind_t *k)
{
    EVP_PKEY *pk;

    if (!strcmp(k->name, "ED25519")) {
        pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    }
    else if (!strcmp(k->name, "RSA")) {
        pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)k->bits);
    }
    else {
        pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    }
    if (!pk) {
        report_openssl("key generation failed");
    }
    return pk;
}

static const key_kind_t *parse_type(const char *t)
{
    const key_kind_t *k;

    for (k = kinds; k->name; k++) {
        if (!strcasecmp(t, k->name)) {
            return k;
        }
    }
    return NULL;
}

static char *join(const char *a, const char *b, const char *c)
{
    char *s = malloc(strlen(a) + strlen(b) + strlen(c) + 1);

    if (s) {
        strcpy(s, a);
        strcat(s, b);
        strcat(s, c);
    }
    return s;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "key-type", required_argument, NULL, 't' },
        { "key_type", required_argument, NULL, 't' },
        /* "---key-type", the reference's spelling */
        { "-key-type", required_argument, NULL, 't' },
        { "force", no_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *type = "ED25519", *why;
    const key_kind_t *k;
    tool_account_t acct = TOOL_ACCOUNT_INIT;
    tool_account_status_t ast;
    xgb_buf_t key = XGB_BUF_INIT, blob = XGB_BUF_INIT, pub = XGB_BUF_INIT;
    char host[HOST_NAME_MAX + 1], keytype[XGB_KEYTYPE_MAX + 1];
    char *privpath = NULL, *pubpath = NULL, *pubname = NULL, *comment = NULL;
    const char *bad;
    char *fp = NULL, *b64 = NULL;
    EVP_PKEY *pk = NULL;
    struct stat st;
    int c, force = 0, status = EXIT_FAILED;

    tool_prog = "x2gobroker-keygen";
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":t:fh", longopts, NULL)) != -1) {
        switch (c) {
        case 't':
            type = optarg;
            break;
        case 'f':
            force = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            tool_option_error(c, argv);
            return EXIT_USAGE;
        }
    }
    if (tool_extra_arguments(argc, argv)) {
        return EXIT_USAGE;
    }
    if (geteuid() != 0) {
        tool_err("must run as root");
        return EXIT_NOT_ROOT;
    }
    if (!strcasecmp(type, "DSA")) {
        tool_err("DSA keys are refused: OpenSSH no longer accepts them "
                 "(use ED25519)");
        return EXIT_USAGE;
    }
    k = parse_type(type);
    if (!k) {
        tool_err("unknown key type %s: use ED25519, RSA or ECDSA", type);
        return EXIT_USAGE;
    }

    ast = tool_account_lookup(&acct);
    if (ast != TOOL_ACCOUNT_OK) {
        tool_account_free(&acct);
        return ast == TOOL_ACCOUNT_ERROR ? EXIT_FAILED : EXIT_USAGE;
    }
    if (tool_account_sshdir(&acct, 1) != 0) {
        goto out;
    }
    if (gethostname(host, sizeof(host)) != 0) {
        strcpy(host, "localhost");
    }
    host[sizeof(host) - 1] = '\0';
    privpath = join(acct.sshdir, "/", k->file);
    pubpath = privpath ? join(privpath, ".pub", "") : NULL;
    pubname = join(k->file, ".pub", "");
    comment = join(acct.user, "@", host);
    if (!privpath || !pubpath || !pubname || !comment) {
        tool_err("out of memory");
        goto out;
    }
    /* The account may have put symlinks there (to root's keys, say):
     * refused, whatever -f says.  (Replacing one would not write
     * through it, but a key file that is a link was not made by us.) */
    if ((fstatat(acct.sshfd, k->file, &st, AT_SYMLINK_NOFOLLOW) == 0
         && S_ISLNK(st.st_mode) && (bad = privpath))
        || (fstatat(acct.sshfd, pubname, &st, AT_SYMLINK_NOFOLLOW) == 0
            && S_ISLNK(st.st_mode) && (bad = pubpath))) {
        tool_err("%s is a symbolic link: refusing to replace it", bad);
        goto out;
    }
    if (fstatat(acct.sshfd, k->file, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (!force) {
            tool_err("private key %s exists: use --force to replace it "
                     "(then authorize the new public key on every X2Go "
                     "server again, with x2gobroker-pubkeyauthorizer)",
                     privpath);
            status = EXIT_EXISTS;
            goto out;
        }
        printf("Replacing the existing key %s (--force)\n", privpath);
    }
    else if (errno != ENOENT) {
        tool_err("cannot examine %s: %s", privpath, strerror(errno));
        goto out;
    }

    pk = generate(k);
    if (!pk) {
        goto out;
    }
    reserve(&key, KEY_TEXT_MAX);
    if ((!strcmp(k->name, "ED25519") ? ed25519_openssh(pk, comment, &key)
                                     : traditional_pem(pk, &key)) != 0) {
        goto out;
    }
    /* The public half as everyone else will see it: read back from the
     * private key text, which also proves that text parses. */
    xgb_buf_put(&key, "", 0);
    key.d[key.len] = '\0';
    if (xgb_sshkey_blob_from_private((const char *)key.d, key.len, &blob,
                                     keytype, &why) != 0) {
        tool_err("the generated key does not read back: %s", why);
        goto out;
    }
    b64 = xgb_b64_encode(blob.d, blob.len);
    fp = xgb_sshkey_fingerprint(blob.d, blob.len);
    if (!b64 || !fp) {
        tool_err("out of memory");
        goto out;
    }
    xgb_buf_puts(&pub, keytype);
    xgb_buf_puts(&pub, " ");
    xgb_buf_puts(&pub, b64);
    xgb_buf_puts(&pub, " ");
    xgb_buf_puts(&pub, comment);
    xgb_buf_puts(&pub, "\n");
    if (pub.failed) {
        tool_err("out of memory");
        goto out;
    }

    if (tool_write_ssh_file(&acct, k->file, key.d, key.len, acct.uid,
                            acct.gid, 0600) != 0
        || tool_write_ssh_file(&acct, pubname, pub.d, pub.len, acct.uid,
                               acct.gid, 0644) != 0) {
        goto out;
    }
    printf("Private key: %s\n", privpath);
    printf("Public key:  %s\n", pubpath);
    /* the line ssh-keygen -l prints */
    printf("%d %s %s (%s)\n", k->bits, fp, comment, k->label);
    status = 0;

out:
    if (fflush(stdout) != 0 && status == 0) {
        status = EXIT_FAILED;
    }
    EVP_PKEY_free(pk);
    wipe_free(&key);
    xgb_buf_free(&blob);
    xgb_buf_free(&pub);
    free(b64);
    free(fp);
    free(privpath);
    free(pubpath);
    free(pubname);
    free(comment);
    tool_account_free(&acct);
    return status;
}
