/*
 * xgb_buf.c - growing byte buffer and bounded SSH wire reader.
 */
#include <stdlib.h>
#include <string.h>

#include "xgb_buf.h"

void xgb_buf_put(xgb_buf_t *b, const void *data, size_t n)
{
    if (b->failed) {
        return;
    }
    /* one spare byte always, for xgb_buf_detach()'s NUL */
    if (n >= SIZE_MAX / 2 - b->len) {
        b->failed = 1;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        unsigned char *d;

        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        d = realloc(b->d, cap);
        if (!d) {
            b->failed = 1;
            return;
        }
        b->d = d;
        b->cap = cap;
    }
    if (n) {
        memcpy(b->d + b->len, data, n);
    }
    b->len += n;
}

void xgb_buf_puts(xgb_buf_t *b, const char *s)
{
    xgb_buf_put(b, s, strlen(s));
}

void xgb_buf_u32(xgb_buf_t *b, uint32_t v)
{
    unsigned char c[4];

    c[0] = (unsigned char)(v >> 24);
    c[1] = (unsigned char)(v >> 16);
    c[2] = (unsigned char)(v >> 8);
    c[3] = (unsigned char)v;
    xgb_buf_put(b, c, 4);
}

void xgb_buf_string(xgb_buf_t *b, const void *data, size_t n)
{
    if (n > UINT32_MAX) {
        b->failed = 1;
        return;
    }
    xgb_buf_u32(b, (uint32_t)n);
    xgb_buf_put(b, data, n);
}

char *xgb_buf_detach(xgb_buf_t *b)
{
    char *s;

    xgb_buf_put(b, "", 0);
    if (b->failed || !b->d) {
        xgb_buf_free(b);
        return NULL;
    }
    b->d[b->len] = '\0';
    s = (char *)b->d;
    b->d = NULL;
    b->len = b->cap = 0;
    return s;
}

void xgb_buf_free(xgb_buf_t *b)
{
    free(b->d);
    b->d = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

int xgb_rbuf_u32(xgb_rbuf_t *r, uint32_t *v)
{
    if (r->left < 4) {
        return 0;
    }
    *v = ((uint32_t)r->d[0] << 24) | ((uint32_t)r->d[1] << 16)
         | ((uint32_t)r->d[2] << 8) | r->d[3];
    r->d += 4;
    r->left -= 4;
    return 1;
}

int xgb_rbuf_string(xgb_rbuf_t *r, const unsigned char **s, size_t *n)
{
    uint32_t len;

    if (!xgb_rbuf_u32(r, &len) || len > r->left) {
        return 0;
    }
    *s = r->d;
    *n = len;
    r->d += len;
    r->left -= len;
    return 1;
}
