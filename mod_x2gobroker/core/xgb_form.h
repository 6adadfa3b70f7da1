/*
 * xgb_form.h - request fields of the plain and JSON frontends
 * (spec sections 1.3 step 5 and 1.4).
 *
 * Decodes application/x-www-form-urlencoded text the way the reference
 * (Tornado's argument handling on top of Python's parse_qsl) does, so
 * that clients see the same results.  No global state: thread-safe.
 */
#ifndef XGB_FORM_H
#define XGB_FORM_H

#include <apr_pools.h>

/* Most fields one request may carry (known or not) before it is refused
 * with XGB_FORM_TOO_MANY. */
#define XGB_FORM_MAX_FIELDS 64

/* The fields the broker reads.  Each is the last occurrence's value,
 * UTF-8, without NUL bytes, "" when the field is absent.  profile_id is
 * the field "profile-id". */
typedef struct {
    const char *user;
    const char *login;
    const char *password;
    const char *authid;
    const char *task;
    const char *sid;
    const char *profile_id;
    const char *pubkey;
    const char *newpass;
} xgb_fields_t;

typedef enum {
    XGB_FORM_OK = 0,
    XGB_FORM_BAD_UTF8,          /* a known field is not UTF-8: HTTP 400 */
    XGB_FORM_TOO_LONG,          /* a known field exceeds max_field_len */
    XGB_FORM_TOO_MANY           /* more than XGB_FORM_MAX_FIELDS fields */
} xgb_form_status_e;

/**
 * Decode the query string, then the body, into `out` (fields of the body
 * come later, so they win over the query's).  The body is read as
 * urlencoded whatever the Content-Type says: x2goclient mislabels it.
 *
 * Rules, per field: '&' separates fields and empty pieces are skipped; a
 * piece without '=' is a field with an empty value; '+' is a space; %XX
 * is the byte XX (a '%' not followed by two hex digits stays literal);
 * the last occurrence wins.  Every occurrence of a known field is then
 * checked: at most `max_field_len` bytes after %-decoding (0: no limit),
 * valid UTF-8 as Python's strict codec sees it (no overlong forms, no
 * surrogates, nothing above U+10FFFF).  In the value, the control
 * characters 0x00-0x08 and 0x0E-0x1F become spaces, and every field
 * except `password` loses leading and trailing whitespace (Python's
 * str.strip() set, Unicode spaces included).  Unknown fields are not
 * checked, but count toward XGB_FORM_MAX_FIELDS.
 *
 * @param p             pool for the values and `reason`
 * @param query         query string without '?', NUL-terminated; NULL
 *                      for none
 * @param body          request body, may hold NUL bytes; NULL for none
 * @param body_len      bytes in `body`
 * @param max_field_len limit per known field in bytes, 0 for none
 * @param out           filled on XGB_FORM_OK; on failure its contents
 *                      are unspecified (but valid strings)
 * @param reason        if not NULL, set on failure to a short text for
 *                      the log naming the field, never its value
 *                      ("field 'user': invalid UTF-8"); NULL on success
 * @return XGB_FORM_OK or the first problem met
 */
xgb_form_status_e xgb_form_parse(apr_pool_t *p, const char *query,
                                 const char *body, apr_size_t body_len,
                                 apr_size_t max_field_len,
                                 xgb_fields_t *out, const char **reason);

/**
 * Is [s, s+len) well-formed UTF-8 by the rules of Python's strict utf-8
 * codec?  NUL bytes are valid characters here.
 * @return 1 if valid (also for len 0), 0 otherwise or if `s` is NULL
 *         while len > 0
 */
int xgb_utf8_valid(const char *s, apr_size_t len);

#endif
