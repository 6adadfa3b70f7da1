/*
 * xgb_pubkeys.c - the broker's SSH public keys for GET /pubkeys/
 * (spec 2.3).
 *
 * The reference derives each public key from the private key file (the
 * .pub file may be stale or missing); so does this, through the shared
 * key code of libxgbcommon.
 */
#include <stdlib.h>

#include <apr_strings.h>
#include <apr_file_io.h>
#include <apr_file_info.h>

#include "xgb_pubkeys.h"
#include "xgb_log.h"
#include "xgb_sshkey.h"

/* Key files are a few KiB; a bigger file is not a key. */
#define XGB_KEYFILE_MAX (1024 * 1024)

/* Read a whole (small) regular file, NUL-terminated. */
static apr_status_t slurp(apr_pool_t *p, const char *path, char **data,
                          apr_size_t *len, const char **err)
{
    apr_finfo_t fi;
    apr_file_t *f;
    apr_status_t rv;

    /* Stat first: a missing file (skipped silently) must be told apart
     * from one that exists but cannot be used (skipped with a warning). */
    rv = apr_stat(&fi, path, APR_FINFO_TYPE | APR_FINFO_SIZE, p);
    if (rv != APR_SUCCESS) {
        *err = "cannot stat";
        return rv;
    }
    if (fi.filetype != APR_REG) {
        *err = "not a regular file";
        return APR_EGENERAL;
    }
    if (fi.size > XGB_KEYFILE_MAX) {
        *err = "too large for a key file";
        return APR_EGENERAL;
    }
    rv = apr_file_open(&f, path, APR_FOPEN_READ, APR_OS_DEFAULT, p);
    if (rv != APR_SUCCESS) {
        *err = "cannot open";
        return rv;
    }
    *data = apr_palloc(p, (apr_size_t)fi.size + 1);
    rv = apr_file_read_full(f, *data, (apr_size_t)fi.size, len);
    apr_file_close(f);
    if (rv != APR_SUCCESS && !(rv == APR_EOF && *len == 0)) {
        *err = "cannot read";
        return rv;
    }
    (*data)[*len] = '\0';
    return APR_SUCCESS;
}

apr_status_t xgb_privkey_read(apr_pool_t *p, const char *path,
                              const char **data, apr_size_t *len,
                              const char **line, const char **err)
{
    const char *dummy;
    char type[XGB_KEYTYPE_MAX + 1];
    char *content = NULL, *b64;
    apr_size_t n = 0;
    apr_status_t rv;
    xgb_buf_t blob = XGB_BUF_INIT;

    if (!err) {
        err = &dummy;
    }
    *err = NULL;
    if (line) {
        *line = NULL;
    }
    if (!p || !path || !*path || !line) {
        *err = "no file given";
        return APR_EINVAL;
    }
    rv = slurp(p, path, &content, &n, err);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (xgb_sshkey_blob_from_private(content, n, &blob, type, err) != 0) {
        xgb_buf_free(&blob);
        return APR_EGENERAL;
    }
    b64 = xgb_b64_encode(blob.d, blob.len);
    xgb_buf_free(&blob);
    if (!b64) {
        *err = "key too large";
        return APR_EGENERAL;
    }
    *line = apr_pstrcat(p, type, " ", b64, NULL);
    free(b64);
    if (data) {
        *data = content;
        *len = n;
    }
    return APR_SUCCESS;
}

apr_status_t xgb_pubkey_from_file(apr_pool_t *p, const char *path,
                                  const char **line, const char **err)
{
    return xgb_privkey_read(p, path, NULL, NULL, line, err);
}

/* Safe to put into an authorized_keys line? */
static int printable(const char *s)
{
    if (!s || !*s) {
        return 0;
    }
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f) {
            return 0;
        }
    }
    return 1;
}

/* sshd reads a '"' inside command="..." only as \" */
static const char *quote_command(apr_pool_t *p, const char *cmd)
{
    apr_size_t n = strlen(cmd), i, j = 0;
    char *out = apr_palloc(p, 2 * n + 1);

    for (i = 0; i < n; i++) {
        if (cmd[i] == '"') {
            out[j++] = '\\';
        }
        out[j++] = cmd[i];
    }
    out[j] = '\0';
    return out;
}

apr_array_header_t *xgb_pubkeys_load(apr_pool_t *p,
                                     const apr_array_header_t *keyfiles)
{
    apr_array_header_t *lines = apr_array_make(p, 4, sizeof(const char *));
    int i;

    for (i = 0; keyfiles && i < keyfiles->nelts; i++) {
        const char *path = APR_ARRAY_IDX(keyfiles, i, const char *);
        const char *line, *err;
        apr_status_t rv;

        if (!path || !*path) {
            continue;
        }
        rv = xgb_pubkey_from_file(p, path, &line, &err);
        if (APR_STATUS_IS_ENOENT(rv)) {
            continue;
        }
        if (rv != APR_SUCCESS) {
            XGB_LOG(XGB_LOG_WARNING, "pubkeys: skipping %s: %s (%d)", path,
                    err ? err : "error", rv);
            continue;
        }
        APR_ARRAY_PUSH(lines, const char *) = line;
    }
    return lines;
}

const char *xgb_pubkeys_render(apr_pool_t *p,
                               const apr_array_header_t *keys,
                               const char *agent_cmd,
                               const char *daemon_user, const char *fqdn)
{
    apr_array_header_t *parts;
    const char *prefix, *suffix;
    int i;

    if (!p) {
        return NULL;
    }
    if (!printable(agent_cmd) || !printable(daemon_user)
        || !printable(fqdn)) {
        XGB_LOG(XGB_LOG_ERR, "pubkeys: agent command, daemon user or host "
                "name missing or not printable");
        return NULL;
    }
    /* The forced command and the restrictions make the key good for
     * nothing but running the broker agent on the X2Go server. */
    prefix = apr_pstrcat(p, "command=\"", quote_command(p, agent_cmd),
                         "\"," XGB_AGENT_KEY_RESTRICTIONS " ", NULL);
    suffix = apr_pstrcat(p, " ", daemon_user, "@", fqdn, "\n", NULL);
    parts = apr_array_make(p, 4, sizeof(const char *));
    for (i = 0; keys && i < keys->nelts; i++) {
        APR_ARRAY_PUSH(parts, const char *) = prefix;
        APR_ARRAY_PUSH(parts, const char *) =
            APR_ARRAY_IDX(keys, i, const char *);
        APR_ARRAY_PUSH(parts, const char *) = suffix;
    }
    return apr_array_pstrcat(p, parts, '\0');
}
