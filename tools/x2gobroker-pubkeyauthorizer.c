/*
 * x2gobroker-pubkeyauthorizer - authorize a broker's SSH keys on this
 * X2Go server (spec 8.2): fetch the broker's pubkeys/ lines and merge
 * them into ~x2gobroker/.ssh/authorized_keys.
 *
 * Differences from the reference: HTTPS with certificate verification
 * (plain HTTP only when asked for), bounded connect and transfer times,
 * HTTP status 200 required; every line must be a well-formed Ed25519,
 * ECDSA or RSA key line (DSA is refused); the file is replaced
 * atomically and only when its content changes, keeping its owner and
 * mode; a file without a final newline is handled (B24).  The options of
 * a line are this tool's, never the network's: a served line could
 * otherwise drop the forced command and hand out a shell as the broker
 * account on every X2Go server.  Every line is
 *     command="<agent>",restrict[,from="..."] <type> <base64> <comment>
 * with the from= an administrator put on the existing line for that key.
 *
 * Exit status: 0 done (also when no keys were served), 1 download failed,
 * 2 the answer holds a line that is not an accepted key, 3
 * authorized_keys not updated, 254 invalid arguments or broker account,
 * 255 not root.  On every failure authorized_keys is left as it was.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "tool_account.h"
#include "xgb_agentcmd.h"
#include "xgb_buf.h"
#include "xgb_sshkey.h"

#define EXIT_FETCH 1
#define EXIT_CONTENT 2
#define EXIT_FILE 3
#define EXIT_USAGE 254
#define EXIT_NOT_ROOT 255

/* The options of a broker's pubkeys/ line for this server's agent. */
#define SERVED_OPTIONS \
    "command=\"" XGB_AGENT_PATH "\"," XGB_AGENT_KEY_RESTRICTIONS

#define CONNECT_TIMEOUT_MS 10000L
#define TOTAL_TIMEOUT_MS 30000L

/* A broker serves a few lines; anything this large is not pubkeys/. */
#define BODY_MAX (1024 * 1024)
#define AUTHKEYS_MAX (4 * 1024 * 1024)

/* Lines of a file, in order; removed ones are NULL. */
typedef struct {
    char **v;
    size_t n;
    size_t cap;
} lines_t;

/* The served key lines. */
typedef struct {
    xgb_keyline_t *v;
    size_t n;
    size_t cap;
} keys_t;

static void usage(FILE *f)
{
    fprintf(f,
"Usage: %s -t URL [--ca-file FILE] [--allow-http]\n"
"Fetch the SSH public keys of an X2Go Session Broker (its pubkeys/ URL)\n"
"and authorize them in ~/.ssh/authorized_keys of the broker account on\n"
"this X2Go server (X2GOBROKER_DAEMON_USER, default x2gobroker; group\n"
"X2GOBROKER_DAEMON_GROUP, default x2gobroker).\n"
"\n"
"  -t, -b, --broker-url URL  the broker's pubkeys/ URL, normally\n"
"                            https://<broker>/pubkeys/\n"
"      --ca-file FILE        trust only the CA certificate(s) in this PEM\n"
"                            file instead of the system's\n"
"      --allow-http          accept a plain http:// URL (the keys could be\n"
"                            replaced on the way: only on trusted networks)\n"
"  -h, --help                show this help\n"
"\n"
"Every served line must be an Ed25519, ECDSA or RSA authorized_keys line;\n"
"empty lines and # comments are ignored.  Only the key and its comment are\n"
"taken: every line written is command=\"" XGB_AGENT_PATH "\",restrict\n"
"and the from=\"...\" of the existing line for that key, if any; served\n"
"options are ignored (with a warning).  An existing line with the same key\n"
"is replaced; other lines are kept.\n"
"\n"
"Must run as root.  Exit status: 0 done (also when the broker serves no\n"
"keys), 1 download failed, 2 the answer holds a line that is not an\n"
"accepted key, 3 authorized_keys could not be updated, 254 invalid\n"
"arguments, broker account or its home missing, 255 not root.  On every\n"
"failure authorized_keys is left as it was.\n", tool_prog);
}

static int lines_push(lines_t *l, char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **v = realloc(l->v, cap * sizeof(*v));

        if (!v) {
            return -1;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return 0;
}

static int keys_push(keys_t *k, const xgb_keyline_t *kl)
{
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 4;
        xgb_keyline_t *v = realloc(k->v, cap * sizeof(*v));

        if (!v) {
            return -1;
        }
        k->v = v;
        k->cap = cap;
    }
    k->v[k->n++] = *kl;
    return 0;
}

/* Split text (modified in place) into lines.  A last line without a
 * newline is a line too (B24). */
static int lines_split(char *text, size_t len, lines_t *l)
{
    char *p = text, *end = text + len, *nl;

    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (nl) {
            *nl = '\0';
        }
        if (lines_push(l, p) != 0) {
            return -1;
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}

/* --- download -------------------------------------------------------- */

static size_t on_data(char *data, size_t size, size_t n, void *ud)
{
    xgb_buf_t *b = ud;
    size_t len = size * n;

    if (len > BODY_MAX - b->len) {
        return 0;       /* curl stops with CURLE_WRITE_ERROR */
    }
    xgb_buf_put(b, data, len);
    return b->failed ? 0 : len;
}

static int fetch(const char *url, const char *ca_file, int allow_http,
                 xgb_buf_t *body)
{
    char errbuf[CURL_ERROR_SIZE];
    CURLcode rc = CURLE_OK;
    long code = 0;
    CURL *h;

    h = curl_easy_init();
    if (!h) {
        tool_err("cannot initialize libcurl");
        return -1;
    }
    errbuf[0] = '\0';
#define SET(opt, val)                                                   \
    if (rc == CURLE_OK) {                                               \
        rc = curl_easy_setopt(h, opt, val);                             \
    }
    SET(CURLOPT_ERRORBUFFER, errbuf);
    SET(CURLOPT_URL, url);
    /* the scheme was checked already; this also covers redirects, which
     * are not followed anyway */
#if LIBCURL_VERSION_NUM >= 0x075500
    SET(CURLOPT_PROTOCOLS_STR, allow_http ? "http,https" : "https");
#else
    SET(CURLOPT_PROTOCOLS, allow_http ? (long)(CURLPROTO_HTTP
                                               | CURLPROTO_HTTPS)
                                      : (long)CURLPROTO_HTTPS);
#endif
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
    SET(CURLOPT_TIMEOUT_MS, TOTAL_TIMEOUT_MS);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_USERAGENT, "x2gobroker-pubkeyauthorizer");
    SET(CURLOPT_WRITEFUNCTION, on_data);
    SET(CURLOPT_WRITEDATA, body);
    if (ca_file) {
        /* this CA only, not the system's as well */
        SET(CURLOPT_CAINFO, ca_file);
        SET(CURLOPT_CAPATH, (char *)NULL);
    }
#undef SET
    if (rc != CURLE_OK) {
        tool_err("cannot set up the download: %s", curl_easy_strerror(rc));
        curl_easy_cleanup(h);
        return -1;
    }
    rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        if (rc == CURLE_WRITE_ERROR && !body->failed) {
            tool_err("cannot fetch %s: the answer is larger than %d bytes",
                     url, BODY_MAX);
        }
        else {
            tool_err("cannot fetch %s: %s%s%s", url, curl_easy_strerror(rc),
                     errbuf[0] ? ": " : "", errbuf);
        }
        curl_easy_cleanup(h);
        return -1;
    }
    rc = curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(h);
    if (rc != CURLE_OK || code != 200) {
        tool_err("cannot fetch %s: HTTP status %ld (expected 200)", url,
                 code);
        return -1;
    }
    return 0;
}

/* --- the served lines ------------------------------------------------ */

static int type_accepted(const char *type)
{
    return !strcmp(type, "ssh-ed25519") || !strcmp(type, "ssh-rsa")
           || !strncmp(type, "ecdsa-sha2-", strlen("ecdsa-sha2-"));
}

/* The key lines of the answer into keys.  -1 (and reported) if any
 * other line is there. */
static int parse_answer(xgb_buf_t *body, const char *url, keys_t *keys)
{
    lines_t lines = { 0 };
    xgb_keyline_t kl;
    const char *why;
    size_t i;
    int rc = 0;

    if (memchr(body->d, '\0', body->len)) {
        tool_err("the answer of %s is not text", url);
        return -1;
    }
    if (lines_split((char *)body->d, body->len, &lines) != 0) {
        tool_err("out of memory");
        return -1;
    }
    for (i = 0; i < lines.n && rc == 0; i++) {
        char *s = lines.v[i];
        size_t len = strlen(s);

        /* a broker behind a server that ends lines with CR LF */
        if (len && s[len - 1] == '\r') {
            s[len - 1] = '\0';
        }
        if (!*s || *s == '#') {
            continue;
        }
        if (xgb_keyline_parse(s, &kl, &why) != 0) {
            tool_err("line %zu of the answer of %s is not a public key "
                     "line: %s", i + 1, url, why);
            rc = -1;
        }
        else if (!type_accepted(kl.type)) {
            tool_err("line %zu of the answer of %s: key type %s is not "
                     "accepted (only ssh-ed25519, ecdsa-sha2-* and "
                     "ssh-rsa)", i + 1, url, kl.type);
            xgb_keyline_free(&kl);
            rc = -1;
        }
        else {
            /* what brokers serve is as good as what is written; anything
             * else deserves a word */
            if (*kl.options && strcmp(kl.options, SERVED_OPTIONS)) {
                printf("Ignoring the options served with line %zu of %s: "
                       "%s\n", i + 1, url, kl.options);
            }
            if (keys_push(keys, &kl) != 0) {
                tool_err("out of memory");
                xgb_keyline_free(&kl);
                rc = -1;
            }
        }
    }
    free(lines.v);
    return rc;
}

/* The value of option `name` ("name=\"...\"") in an options field, as it
 * stands between the quotes (escapes kept); malloc'd, or NULL. */
static char *option_value(const char *options, const char *name)
{
    size_t n = strlen(name);
    const char *p = options, *v;

    while (*p) {
        if (!strncasecmp(p, name, n) && p[n] == '=' && p[n + 1] == '"') {
            for (v = p + n + 2; *v && *v != '"'; v++) {
                if (*v == '\\' && v[1]) {
                    v++;
                }
            }
            return *v ? strndup(p + n + 2, (size_t)(v - p - n - 2)) : NULL;
        }
        /* on to the next option: past a quoted value, to the comma */
        for (; *p && *p != ','; p++) {
            if (*p == '"') {
                for (p++; *p && *p != '"'; p++) {
                    if (*p == '\\' && p[1]) {
                        p++;
                    }
                }
                if (!*p) {
                    return NULL;
                }
            }
        }
        if (*p == ',') {
            p++;
        }
    }
    return NULL;
}

/* The line this tool writes for the key, with from (may be NULL). */
static char *keyline_text(const xgb_keyline_t *kl, const char *from)
{
    xgb_buf_t b = XGB_BUF_INIT;

    xgb_buf_puts(&b, "command=\"" XGB_AGENT_PATH "\",restrict");
    if (from) {
        xgb_buf_puts(&b, ",from=\"");
        xgb_buf_puts(&b, from);
        xgb_buf_puts(&b, "\"");
    }
    xgb_buf_puts(&b, " ");
    xgb_buf_puts(&b, kl->type);
    xgb_buf_puts(&b, " ");
    xgb_buf_puts(&b, kl->base64);
    if (*kl->comment) {
        xgb_buf_puts(&b, " ");
        xgb_buf_puts(&b, kl->comment);
    }
    return xgb_buf_detach(&b);
}

/* "<type> SHA256:..." for messages. */
static void describe(const xgb_keyline_t *kl, char *out, size_t n)
{
    char *fp = xgb_sshkey_fingerprint(kl->blob, kl->bloblen);

    snprintf(out, n, "%s %s%s%s%s", kl->type, fp ? fp : "?",
             *kl->comment ? " (" : "", kl->comment,
             *kl->comment ? ")" : "");
    free(fp);
}

/* --- merging --------------------------------------------------------- */

/* Does line hold kl's key?  Then, if from is not NULL, *from gets its
 * from= (malloc'd), if it has one and *from is still NULL. */
static int same_key(const char *line, const xgb_keyline_t *kl, char **from)
{
    xgb_keyline_t other;
    const char *why;
    int same;

    /* lines that do not parse (comments, other key types) never match */
    if (xgb_keyline_parse(line, &other, &why) != 0) {
        return 0;
    }
    same = !strcmp(other.type, kl->type) && !strcmp(other.base64,
                                                     kl->base64);
    if (same && from && !*from) {
        *from = option_value(other.options, "from");
    }
    xgb_keyline_free(&other);
    return same;
}

/*
 * Merge one served line into the file's lines: other lines with the same
 * key (legacy entries without the forced command, an old comment) go,
 * the served line is appended unless it is there already.  The texts
 * appended belong to owned.
 */
static int merge(lines_t *file, const xgb_keyline_t *kl, const char *path,
                 lines_t *owned)
{
    char desc[XGB_KEYTYPE_MAX + 160];
    char *text, *from = NULL;
    size_t i, n = file->n;
    int present = 0;

    /* the administrator's from= on the key's existing line stays */
    for (i = 0; i < n && !from; i++) {
        if (file->v[i]) {
            same_key(file->v[i], kl, &from);
        }
    }
    text = keyline_text(kl, from);
    free(from);
    if (!text || lines_push(owned, text) != 0) {
        free(text);
        tool_err("out of memory");
        return -1;
    }
    describe(kl, desc, sizeof(desc));
    for (i = 0; i < n; i++) {
        if (!file->v[i]) {
            continue;
        }
        if (!strcmp(file->v[i], text)) {
            present = 1;
        }
        else if (same_key(file->v[i], kl, NULL)) {
            printf("Replacing line %zu of %s (the same key with other "
                   "options or comment)\n", i + 1, path);
            file->v[i] = NULL;
        }
    }
    if (present) {
        printf("Already authorized: %s\n", desc);
        return 0;
    }
    printf("Adding %s\n", desc);
    if (lines_push(file, text) != 0) {
        tool_err("out of memory");
        return -1;
    }
    return 0;
}

static int update_authorized_keys(const tool_account_t *acct,
                                  const keys_t *keys)
{
    xgb_buf_t old = XGB_BUF_INIT, new = XGB_BUF_INIT;
    lines_t file = { 0 }, owned = { 0 };
    struct stat st;
    char *path, *copy = NULL;
    size_t i;
    int rc = -1, exists;
    uid_t uid = acct->uid;
    gid_t gid = acct->gid;
    mode_t mode = 0644;

    path = malloc(strlen(acct->sshdir) + sizeof("/authorized_keys"));
    if (!path) {
        tool_err("out of memory");
        return -1;
    }
    strcpy(path, acct->sshdir);
    strcat(path, "/authorized_keys");

    exists = tool_read_ssh_file(acct, "authorized_keys", AUTHKEYS_MAX, &old,
                                &st);
    if (exists < 0) {
        goto out;
    }
    if (exists) {
        uid = st.st_uid;
        gid = st.st_gid;
        mode = st.st_mode & 07777;
        copy = malloc(old.len + 1);
        if (!copy) {
            tool_err("out of memory");
            goto out;
        }
        memcpy(copy, old.d, old.len + 1);
        if (lines_split(copy, old.len, &file) != 0) {
            tool_err("out of memory");
            goto out;
        }
        if (old.len && old.d[old.len - 1] != '\n') {
            printf("%s does not end with a newline: adding it\n", path);
        }
    }
    for (i = 0; i < keys->n; i++) {
        if (merge(&file, &keys->v[i], path, &owned) != 0) {
            goto out;
        }
    }
    for (i = 0; i < file.n; i++) {
        if (file.v[i]) {
            xgb_buf_puts(&new, file.v[i]);
            xgb_buf_puts(&new, "\n");
        }
    }
    xgb_buf_put(&new, "", 0);
    if (new.failed) {
        tool_err("out of memory");
        goto out;
    }
    /* idempotent: an unchanged file is not even touched */
    if (exists && new.len == old.len && !memcmp(new.d, old.d, new.len)) {
        printf("%s is up to date\n", path);
        rc = 0;
        goto out;
    }
    if (tool_write_ssh_file(acct, "authorized_keys", new.d, new.len, uid,
                            gid, mode) != 0) {
        goto out;
    }
    printf("Updated %s\n", path);
    rc = 0;

out:
    for (i = 0; i < owned.n; i++) {
        free(owned.v[i]);
    }
    free(owned.v);
    free(file.v);
    free(copy);
    xgb_buf_free(&old);
    xgb_buf_free(&new);
    free(path);
    return rc;
}

/* --- main ------------------------------------------------------------ */

static int check_url(const char *url, int allow_http)
{
    if (!strncasecmp(url, "https://", 8)) {
        return 0;
    }
    if (!strncasecmp(url, "http://", 7)) {
        if (allow_http) {
            return 0;
        }
        tool_err("refusing the plain http:// URL %s: the keys could be "
                 "replaced on the way (use https://, or --allow-http on a "
                 "trusted network)", url);
        return -1;
    }
    tool_err("unsupported URL %s: use https://<broker>/pubkeys/", url);
    return -1;
}

int main(int argc, char **argv)
{
    enum { OPT_CA_FILE = 256, OPT_ALLOW_HTTP };
    static const struct option longopts[] = {
        { "broker-url", required_argument, NULL, 't' },
        { "ca-file", required_argument, NULL, OPT_CA_FILE },
        { "allow-http", no_argument, NULL, OPT_ALLOW_HTTP },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *url = NULL, *ca_file = NULL;
    tool_account_t acct = TOOL_ACCOUNT_INIT;
    tool_account_status_t ast;
    xgb_buf_t body = XGB_BUF_INIT;
    keys_t keys = { 0 };
    size_t i;
    int c, allow_http = 0, status;

    tool_prog = "x2gobroker-pubkeyauthorizer";
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":t:b:h", longopts, NULL)) != -1) {
        switch (c) {
        case 't':
        case 'b':
            url = optarg;
            break;
        case OPT_CA_FILE:
            ca_file = optarg;
            break;
        case OPT_ALLOW_HTTP:
            allow_http = 1;
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
    if (!url || !*url) {
        tool_err("no broker URL: use --broker-url https://<broker>/pubkeys/");
        return EXIT_USAGE;
    }
    if (check_url(url, allow_http) != 0) {
        return EXIT_USAGE;
    }
    ast = tool_account_lookup(&acct);
    if (ast != TOOL_ACCOUNT_OK) {
        tool_account_free(&acct);
        return ast == TOOL_ACCOUNT_ERROR ? EXIT_FILE : EXIT_USAGE;
    }

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        tool_err("cannot initialize libcurl");
        tool_account_free(&acct);
        return EXIT_FETCH;
    }
    status = EXIT_FETCH;
    if (fetch(url, ca_file, allow_http, &body) != 0) {
        goto out;
    }
    status = EXIT_CONTENT;
    xgb_buf_put(&body, "", 0);
    if (body.failed) {
        tool_err("out of memory");
        goto out;
    }
    if (parse_answer(&body, url, &keys) != 0) {
        goto out;
    }
    if (keys.n == 0) {
        printf("No public keys found at %s\n", url);
        status = 0;
        goto out;
    }
    printf("Found %zu public key%s at %s\n", keys.n, keys.n == 1 ? "" : "s",
           url);
    status = EXIT_FILE;
    if (tool_account_sshdir(&acct, 1) != 0
        || update_authorized_keys(&acct, &keys) != 0) {
        goto out;
    }
    status = 0;

out:
    if (fflush(stdout) != 0 && status == 0) {
        status = EXIT_FILE;
    }
    for (i = 0; i < keys.n; i++) {
        xgb_keyline_free(&keys.v[i]);
    }
    free(keys.v);
    xgb_buf_free(&body);
    tool_account_free(&acct);
    curl_global_cleanup();
    return status;
}
