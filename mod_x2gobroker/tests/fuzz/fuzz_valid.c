/*
 * fuzz_valid.c - libFuzzer target: any bytes as a user name, a session id
 * and an authorized_keys template, the agent's other inputs.
 *
 *   make fuzz-valid && ./fuzz-valid -max_total_time=600
 *
 * Beyond "no crash": an accepted template must expand to a clean path
 * below the home directory.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "xgb_valid.h"

static void check_relative(const char *rel)
{
    const char *c = rel;

    if (!*rel || rel[0] == '/' || strlen(rel) >= PATH_MAX) {
        abort();
    }
    for (;;) {
        const char *slash = strchr(c, '/');
        size_t n = slash ? (size_t)(slash - c) : strlen(c);

        if (n == 0 || (n == 1 && c[0] == '.')
            || (n == 2 && c[0] == '.' && c[1] == '.')) {
            abort();
        }
        if (!slash) {
            break;
        }
        c = slash + 1;
    }
    for (c = rel; *c; c++) {
        if ((unsigned char)*c < 0x20) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *s = malloc(size + 1), *rel;
    const char *err, *c;

    if (!s) {
        return 0;
    }
    memcpy(s, data, size);
    s[size] = '\0';
    if (xgb_valid_username(s)) {
        for (c = s; *c; c++) {
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                        "0123456789._-", *c)) {
                abort();
            }
        }
    }
    if (xgb_valid_session_id(s, "alice") && strncmp(s, "alice-", 6)) {
        abort();
    }
    xgb_valid_task(s);
    rel = xgb_authkeys_path(s, "alice", 1001, 1001, "/home/alice", &err);
    if (rel) {
        check_relative(rel);
        free(rel);
    }
    else if (!err) {
        abort();
    }
    free(s);
    return 0;
}
