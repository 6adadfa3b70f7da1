/*
 * xgb_autologin.c - the temporary key pair of session autologin.
 *
 * OpenSSL makes the key and writes the private half; the public half is
 * read back from that very PEM text by the project's own key reader, so
 * the line installed on the server is the key the client gets, whatever
 * OpenSSL's encoders do.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "xgb_autologin.h"
#include "xgb_sshkey.h"

#define COMMENT_MAX 128

const char *xgb_autologin_comment(const char *comment)
{
    const char *s = comment;
    size_t n = 0;

    if (!s || !*s) {
        return "x2gobroker";
    }
    for (; *s; s++, n++) {
        if (n >= COMMENT_MAX
            || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
                 || (*s >= '0' && *s <= '9') || strchr("._@:-", *s))) {
            return "x2gobroker";
        }
    }
    return comment;
}

apr_status_t xgb_autologin_keypair(apr_pool_t *p, const char *comment,
                                   const char **pem, const char **line,
                                   const char **err)
{
    EVP_PKEY *key = NULL;
    BIO *bio = NULL;
    char *data, *b64 = NULL, type[XGB_KEYTYPE_MAX + 1];
    long len;
    const char *why = "cannot make an RSA key";
    xgb_buf_t blob = XGB_BUF_INIT;
    apr_status_t rv = APR_EGENERAL;

    *pem = *line = NULL;
    key = EVP_RSA_gen(2048);
    bio = BIO_new(BIO_s_mem());
    if (!key || !bio) {
        goto out;
    }
    why = "cannot write the RSA key as PEM";
    if (!PEM_write_bio_PrivateKey_traditional(bio, key, NULL, NULL, 0, NULL,
                                              NULL)) {
        goto out;
    }
    len = BIO_get_mem_data(bio, &data);
    if (len <= 0) {
        goto out;
    }
    *pem = apr_pstrmemdup(p, data, (apr_size_t)len);
    if (xgb_sshkey_blob_from_private(*pem, (size_t)len, &blob, type, &why)
        != 0) {
        goto out;
    }
    why = "out of memory";
    b64 = xgb_b64_encode(blob.d, blob.len);
    if (!b64 || strcmp(type, "ssh-rsa") != 0) {
        goto out;
    }
    *line = apr_pstrcat(p, XGB_AUTOLOGIN_OPTIONS " ssh-rsa ", b64, " ",
                        xgb_autologin_comment(comment), NULL);
    rv = APR_SUCCESS;
out:
    if (rv != APR_SUCCESS) {
        *pem = NULL;
        if (err) {
            *err = why;
        }
    }
    free(b64);
    xgb_buf_free(&blob);
    BIO_free(bio);
    EVP_PKEY_free(key);
    return rv;
}
