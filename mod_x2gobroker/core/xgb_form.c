/*
 * xgb_form.c - urlencoded request fields, decoded as the reference does.
 *
 * The reference splits and %-decodes bytewise (parse_qsl over latin-1
 * text), and only decodes UTF-8 when a handler asks for a field; then
 * every occurrence of that field is decoded, not just the last one.  We
 * do the same for our known fields, which is why a bad earlier duplicate
 * still fails the request.
 */
#include <string.h>

#include <apr_strings.h>

#include "xgb_form.h"

/* Which member of xgb_fields_t a field name fills; `strip` is 0 only for
 * the password, which may legitimately begin or end with blanks. */
typedef struct {
    const char *name;
    apr_size_t offset;
    int strip;
} field_def_t;

static const field_def_t field_defs[] = {
    { "user", APR_OFFSETOF(xgb_fields_t, user), 1 },
    { "login", APR_OFFSETOF(xgb_fields_t, login), 1 },
    { "password", APR_OFFSETOF(xgb_fields_t, password), 0 },
    { "authid", APR_OFFSETOF(xgb_fields_t, authid), 1 },
    { "task", APR_OFFSETOF(xgb_fields_t, task), 1 },
    { "sid", APR_OFFSETOF(xgb_fields_t, sid), 1 },
    { "profile-id", APR_OFFSETOF(xgb_fields_t, profile_id), 1 },
    { "pubkey", APR_OFFSETOF(xgb_fields_t, pubkey), 1 },
    { "newpass", APR_OFFSETOF(xgb_fields_t, newpass), 1 },
};

#define FIELD_DEF_COUNT (sizeof(field_defs) / sizeof(field_defs[0]))

/* Parsing state shared by the query and the body passes. */
typedef struct {
    apr_pool_t *p;
    apr_size_t max_len;
    int nfields;
    xgb_fields_t *out;
    const char *reason;
} form_ctx_t;

/* ---- UTF-8 --------------------------------------------------------- */

/* Length of the well-formed sequence at s[0..avail), or 0 if there is
 * none.  The ranges are those of Unicode table 3-7, which is exactly what
 * Python's strict decoder accepts: overlong forms, surrogates
 * (ED A0..BF) and code points above U+10FFFF (F4 90.., F5..FF) fail. */
static apr_size_t utf8_seq_len(const unsigned char *s, apr_size_t avail)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xbf;
    apr_size_t n, i;

    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    }
    else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0) {
            lo = 0xa0;
        }
        else if (c == 0xed) {
            hi = 0x9f;
        }
    }
    else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0) {
            lo = 0x90;
        }
        else if (c == 0xf4) {
            hi = 0x8f;
        }
    }
    else {
        return 0;
    }
    if (avail < n) {
        return 0;
    }
    if (s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (i = 2; i < n; i++) {
        if (s[i] < 0x80 || s[i] > 0xbf) {
            return 0;
        }
    }
    return n;
}

int xgb_utf8_valid(const char *s, apr_size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    apr_size_t i = 0;

    if (!s) {
        return len == 0;
    }
    while (i < len) {
        apr_size_t n = utf8_seq_len(u + i, len - i);

        if (n == 0) {
            return 0;
        }
        i += n;
    }
    return 1;
}

/* ---- whitespace as Python's str.strip() sees it --------------------- */

/* Code point of the valid sequence at s (length n). */
static apr_uint32_t utf8_decode(const unsigned char *s, apr_size_t n)
{
    switch (n) {
    case 1:
        return s[0];
    case 2:
        return ((apr_uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
    case 3:
        return ((apr_uint32_t)(s[0] & 0x0f) << 12)
               | ((apr_uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
    default:
        return ((apr_uint32_t)(s[0] & 0x07) << 18)
               | ((apr_uint32_t)(s[1] & 0x3f) << 12)
               | ((apr_uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
    }
}

/* Python's str.isspace(): the Unicode White_Space characters plus the
 * ASCII separators 0x1C-0x1F. */
static int py_isspace(apr_uint32_t c)
{
    return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20)
           || c == 0x85 || c == 0xa0 || c == 0x1680
           || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029
           || c == 0x202f || c == 0x205f || c == 0x3000;
}

/* Trim [*start, *end) of valid UTF-8 on both sides. */
static void py_strip(const unsigned char *s, apr_size_t *start,
                     apr_size_t *end)
{
    apr_size_t b = *start, e = *end;

    while (b < e) {
        apr_size_t n = utf8_seq_len(s + b, e - b);

        if (n == 0 || !py_isspace(utf8_decode(s + b, n))) {
            break;
        }
        b += n;
    }
    while (e > b) {
        apr_size_t k = e - 1;

        /* Back up to the lead byte of the last character. */
        while (k > b && (s[k] & 0xc0) == 0x80 && e - k < 4) {
            k--;
        }
        if (utf8_seq_len(s + k, e - k) != e - k
            || !py_isspace(utf8_decode(s + k, e - k))) {
            break;
        }
        e = k;
    }
    *start = b;
    *end = e;
}

/* ---- %-decoding ---------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Is %XX at s[i] (with len bytes in all) a valid escape? */
static int is_escape(const char *s, apr_size_t i, apr_size_t len)
{
    return s[i] == '%' && len - i >= 3 && hexval(s[i + 1]) >= 0
           && hexval(s[i + 2]) >= 0;
}

/* How long [s, s+len) is once decoded, without decoding it. */
static apr_size_t url_decoded_len(const char *s, apr_size_t len)
{
    apr_size_t i = 0, o = 0;

    while (i < len) {
        i += is_escape(s, i, len) ? 3 : 1;
        o++;
    }
    return o;
}

/* Decode [s, s+len) into a fresh buffer of at most len+1 bytes ('+' to
 * space, %XX to a byte, a stray '%' kept).  *outlen excludes the NUL
 * added for convenience; the data itself may contain NULs. */
static char *url_decode(apr_pool_t *p, const char *s, apr_size_t len,
                        apr_size_t *outlen)
{
    char *buf = apr_palloc(p, len + 1);
    apr_size_t i = 0, o = 0;

    while (i < len) {
        char c = s[i];

        if (c == '+') {
            buf[o++] = ' ';
            i++;
        }
        else if (is_escape(s, i, len)) {
            buf[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 3;
        }
        else {
            buf[o++] = c;
            i++;
        }
    }
    buf[o] = '\0';
    *outlen = o;
    return buf;
}

/* ---- fields -------------------------------------------------------- */

/* Names are %-decoded like values (the reference reads "us%65r" as
 * "user"), then compared bytewise: a NUL inside a name simply makes it
 * unknown. */
static const field_def_t *find_field(apr_pool_t *p, const char *name,
                                     apr_size_t len)
{
    apr_size_t dlen, i;
    const char *d;

    /* No known name is longer than 10 bytes, which take at most 30 when
     * fully %-encoded: anything longer cannot match. */
    if (len > 3 * 10) {
        return NULL;
    }
    d = url_decode(p, name, len, &dlen);
    for (i = 0; i < FIELD_DEF_COUNT; i++) {
        if (strlen(field_defs[i].name) == dlen
            && memcmp(field_defs[i].name, d, dlen) == 0) {
            return &field_defs[i];
        }
    }
    return NULL;
}

/* Check and clean one occurrence of a known field, then store it. */
static xgb_form_status_e take_field(form_ctx_t *ctx, const field_def_t *f,
                                    const char *raw, apr_size_t rawlen)
{
    apr_size_t len, i, b, e;
    unsigned char *u;
    char *v;

    /* Length first, counted without copying: a too-long field costs no
     * memory and no UTF-8 scan, which is what the limit is for. */
    if (ctx->max_len && rawlen > ctx->max_len
        && url_decoded_len(raw, rawlen) > ctx->max_len) {
        ctx->reason = apr_psprintf(ctx->p,
                                   "field '%s': longer than %" APR_SIZE_T_FMT
                                   " bytes", f->name, ctx->max_len);
        return XGB_FORM_TOO_LONG;
    }
    v = url_decode(ctx->p, raw, rawlen, &len);
    u = (unsigned char *)v;
    if (!xgb_utf8_valid(v, len)) {
        ctx->reason = apr_psprintf(ctx->p, "field '%s': invalid UTF-8",
                                   f->name);
        return XGB_FORM_BAD_UTF8;
    }
    /* Control characters (NUL included) become blanks, so no value ever
     * carries a NUL into C strings; TAB, LF, VT, FF and CR stay. */
    for (i = 0; i < len; i++) {
        if (u[i] <= 0x08 || (u[i] >= 0x0e && u[i] <= 0x1f)) {
            u[i] = ' ';
        }
    }
    b = 0;
    e = len;
    if (f->strip) {
        py_strip(u, &b, &e);
    }
    v[e] = '\0';
    *(const char **)((char *)ctx->out + f->offset) = v + b;
    return XGB_FORM_OK;
}

/* One pass over "a=b&c=d..." in [s, s+len). */
static xgb_form_status_e parse_part(form_ctx_t *ctx, const char *s,
                                    apr_size_t len)
{
    const char *end = s + len;

    while (s < end) {
        const char *amp = memchr(s, '&', (apr_size_t)(end - s));
        const char *stop = amp ? amp : end;
        const char *eq;
        const field_def_t *f;

        /* "a=1&&b=2": empty pieces are no fields at all. */
        if (stop == s) {
            s = stop + 1;
            continue;
        }
        /* Bounded even for names we ignore: the work per request must not
         * grow with whatever a client sends. */
        if (++ctx->nfields > XGB_FORM_MAX_FIELDS) {
            ctx->reason = apr_psprintf(ctx->p, "more than %d fields",
                                       XGB_FORM_MAX_FIELDS);
            return XGB_FORM_TOO_MANY;
        }
        eq = memchr(s, '=', (apr_size_t)(stop - s));
        f = find_field(ctx->p, s, (apr_size_t)((eq ? eq : stop) - s));
        if (f) {
            xgb_form_status_e rv;

            /* A piece without '=' is the field with an empty value
             * (parse_qsl with keep_blank_values, as Tornado calls it). */
            rv = eq ? take_field(ctx, f, eq + 1, (apr_size_t)(stop - eq - 1))
                    : take_field(ctx, f, "", 0);
            if (rv != XGB_FORM_OK) {
                return rv;
            }
        }
        if (!amp) {
            break;
        }
        s = amp + 1;
    }
    return XGB_FORM_OK;
}

xgb_form_status_e xgb_form_parse(apr_pool_t *p, const char *query,
                                 const char *body, apr_size_t body_len,
                                 apr_size_t max_field_len,
                                 xgb_fields_t *out, const char **reason)
{
    form_ctx_t ctx;
    xgb_form_status_e rv = XGB_FORM_OK;
    apr_size_t i;

    if (reason) {
        *reason = NULL;
    }
    if (!out) {
        return XGB_FORM_OK;
    }
    /* Absent fields read as "" so callers never test for NULL, as the
     * reference's get_argument(name, default='') gives. */
    for (i = 0; i < FIELD_DEF_COUNT; i++) {
        *(const char **)((char *)out + field_defs[i].offset) = "";
    }
    if (!p) {
        return XGB_FORM_OK;
    }
    ctx.p = p;
    ctx.max_len = max_field_len;
    ctx.nfields = 0;
    ctx.out = out;
    ctx.reason = NULL;

    /* Query first, body second: with "last wins" the body overrides the
     * query, as in Tornado's merged argument lists. */
    if (query) {
        rv = parse_part(&ctx, query, strlen(query));
    }
    if (rv == XGB_FORM_OK && body && body_len) {
        rv = parse_part(&ctx, body, body_len);
    }
    if (rv != XGB_FORM_OK && reason) {
        *reason = ctx.reason;
    }
    return rv;
}
