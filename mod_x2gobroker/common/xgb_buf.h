/*
 * xgb_buf.h - a growing byte buffer on the C heap.
 *
 * Part of the small shared library (libxgbcommon) that the setuid agent,
 * the admin tools and the module all link: it depends on libc and
 * libcrypto only, so it has no pools, no logging sink and no globals.
 */
#ifndef XGB_BUF_H
#define XGB_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    unsigned char *d;
    size_t len;
    size_t cap;
    int failed;             /* an allocation failed: the content is cut */
} xgb_buf_t;

#define XGB_BUF_INIT { NULL, 0, 0, 0 }

/* Append bytes; on allocation failure sets b->failed and drops them. */
void xgb_buf_put(xgb_buf_t *b, const void *data, size_t n);
void xgb_buf_puts(xgb_buf_t *b, const char *s);

/* SSH wire encodings (RFC 4251 5): uint32 big-endian; string =
 * uint32 length + bytes. */
void xgb_buf_u32(xgb_buf_t *b, uint32_t v);
void xgb_buf_string(xgb_buf_t *b, const void *data, size_t n);

/* NUL-terminate and hand the bytes over (the buffer is empty afterwards);
 * NULL if an allocation failed at any point. */
char *xgb_buf_detach(xgb_buf_t *b);

void xgb_buf_free(xgb_buf_t *b);

/* Bounded reader for SSH wire data: each call fails (0) rather than
 * reading past the end. */
typedef struct {
    const unsigned char *d;
    size_t left;
} xgb_rbuf_t;

int xgb_rbuf_u32(xgb_rbuf_t *r, uint32_t *v);
int xgb_rbuf_string(xgb_rbuf_t *r, const unsigned char **s, size_t *n);

#endif
