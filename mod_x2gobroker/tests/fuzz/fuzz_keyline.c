/*
 * fuzz_keyline.c - libFuzzer target: any bytes as an authorized_keys line
 * (what the broker asks the agent to install, and what
 * pubkeyauthorizer downloads) and as a private key file.
 *
 *   make fuzz-keyline && ./fuzz-keyline -max_total_time=600
 *
 * Beyond "no crash": an accepted line is one line of printable ASCII
 * with a known type, and its key re-encodes to the same base64; the
 * line the agent would install for it (expiry-time first) parses again
 * as the same key with the same comment.
 */
#include <stdlib.h>
#include <string.h>

#include "xgb_sshkey.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *s = malloc(size + 1), *b64, *fp, type[XGB_KEYTYPE_MAX + 1];
    xgb_buf_t blob = XGB_BUF_INIT;
    xgb_keyline_t kl;
    const char *err, *c;

    if (!s) {
        return 0;
    }
    memcpy(s, data, size);
    s[size] = '\0';
    if (xgb_keyline_parse(s, &kl, &err) == 0) {
        for (c = s; *c; c++) {
            if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e) {
                abort();
            }
        }
        if (!xgb_sshkey_type_known(kl.type, strlen(kl.type))) {
            abort();
        }
        b64 = xgb_b64_encode(kl.blob, kl.bloblen);
        if (!b64 || strcmp(b64, kl.base64)) {
            abort();
        }
        fp = xgb_sshkey_fingerprint(kl.blob, kl.bloblen);
        if (!fp || strncmp(fp, "SHA256:", 7)) {
            abort();
        }
        if (xgb_keyline_options_restrictive(kl.options)
            && xgb_keyline_comment_ok(kl.comment)) {
            xgb_keyline_t again;
            char *line = xgb_keyline_expiring(&kl, (time_t)size * 7919);

            if (!line || xgb_keyline_parse(line, &again, &err) != 0) {
                abort();
            }
            if (strcmp(again.base64, kl.base64)
                || strcmp(again.comment, kl.comment)
                || strncmp(again.options, "expiry-time=\"", 13)) {
                abort();
            }
            xgb_keyline_free(&again);
            free(line);
        }
        free(fp);
        free(b64);
        xgb_keyline_free(&kl);
    }
    if (xgb_sshkey_blob_from_private(s, size, &blob, type, &err) == 0
        && blob.len == 0) {
        abort();
    }
    xgb_buf_free(&blob);
    free(s);
    return 0;
}
