/*
 * xgb_hostmatch.c - short and fully-qualified host names (see
 * xgb_hostmatch.h).
 *
 * The reference compares host lists as a whole: it shortens every name
 * when the list uses at most one sub-domain and appends that sub-domain
 * again to the winner of a comparison.  Appending is what produced
 * "a.x.x" from "a.x" (B25), so nothing here ever appends: the selection
 * pairs each reported name with one configured name and keeps the
 * configured spelling.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_cstr.h>

#include "xgb_hostmatch.h"
#include "xgb_hosts.h"

static const char *entry(const apr_array_header_t *a, int i)
{
    const char *s = APR_ARRAY_IDX(a, i, const char *);

    return s ? s : "";
}

/* qsort() comparator for const char * elements: byte order, as Python
 * sorts str. */
static int by_bytes(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int contains(const apr_array_header_t *a, const char *s)
{
    int i;

    for (i = 0; i < a->nelts; i++) {
        if (strcmp(entry(a, i), s) == 0) {
            return 1;
        }
    }
    return 0;
}

apr_array_header_t *xgb_hostmatch_normalise(apr_pool_t *p,
                                            const apr_array_header_t *names,
                                            apr_array_header_t **subdomains)
{
    int n = names ? names->nelts : 0, i;
    apr_array_header_t *shorts = apr_array_make(p, n ? n : 1,
                                                sizeof(const char *));
    apr_array_header_t *subs = apr_array_make(p, 2, sizeof(const char *));

    for (i = 0; i < n; i++) {
        const char *s = entry(names, i), *dot = strchr(s, '.');

        if (dot && !xgb_hosts_is_ip(s)) {
            APR_ARRAY_PUSH(shorts, const char *) =
                apr_pstrmemdup(p, s, dot - s);
            if (dot[1] && !contains(subs, dot + 1)) {
                APR_ARRAY_PUSH(subs, const char *) = dot + 1;
            }
        }
        else {
            APR_ARRAY_PUSH(shorts, const char *) = s;
        }
    }
    qsort(subs->elts, subs->nelts, sizeof(const char *), by_bytes);
    if (subdomains) {
        *subdomains = subs;
    }
    if (subs->nelts > 1) {
        /* Short names from different domains may collide, so a list
         * spanning several domains is compared in full. */
        apr_array_clear(shorts);
        for (i = 0; i < n; i++) {
            APR_ARRAY_PUSH(shorts, const char *) = entry(names, i);
        }
    }
    return shorts;
}

/* Sorted set intersection of two lists of names. */
static apr_array_header_t *intersect(apr_pool_t *p,
                                     const apr_array_header_t *a,
                                     const apr_array_header_t *b)
{
    apr_array_header_t *out = apr_array_make(p, 4, sizeof(const char *));
    int i;

    for (i = 0; i < a->nelts; i++) {
        const char *s = entry(a, i);

        if (contains(b, s) && !contains(out, s)) {
            APR_ARRAY_PUSH(out, const char *) = s;
        }
    }
    qsort(out->elts, out->nelts, sizeof(const char *), by_bytes);
    return out;
}

apr_array_header_t *xgb_hostmatch_matching(apr_pool_t *p,
                                           const apr_array_header_t *a,
                                           const apr_array_header_t *b)
{
    apr_array_header_t *empty = apr_array_make(p, 1, sizeof(const char *));
    apr_array_header_t *sa, *sb, *na, *nb, *common;

    a = a ? a : empty;
    b = b ? b : empty;
    na = xgb_hostmatch_normalise(p, a, &sa);
    nb = xgb_hostmatch_normalise(p, b, &sb);
    if (sa->nelts <= 1 && sb->nelts <= 1
        && (sa->nelts == 0 || sb->nelts == 0)) {
        common = intersect(p, na, nb);
        if (common->nelts > 0) {
            return common;
        }
    }
    return intersect(p, a, b);
}

/* Length of the first label; *bare set when nothing (or only a single
 * trailing dot) follows it. */
static apr_size_t first_label(const char *s, int *bare)
{
    const char *dot = strchr(s, '.');

    if (!dot) {
        *bare = 1;
        return strlen(s);
    }
    *bare = dot[1] == '\0';
    return (apr_size_t)(dot - s);
}

int xgb_hostmatch_same(const char *a, const char *b, int *fuzzy)
{
    apr_size_t la, lb;
    int bare_a, bare_b;

    if (fuzzy) {
        *fuzzy = 0;
    }
    if (!a || !b || !*a || !*b) {
        return 0;
    }
    if (apr_cstr_casecmp(a, b) == 0) {
        return 1;
    }
    if (xgb_hosts_is_ip(a) || xgb_hosts_is_ip(b)) {
        return 0;
    }
    la = first_label(a, &bare_a);
    lb = first_label(b, &bare_b);
    if (la == 0 || la != lb || apr_cstr_casecmpn(a, b, la) != 0
        || !(bare_a || bare_b)) {
        return 0;
    }
    if (fuzzy) {
        *fuzzy = 1;
    }
    return 1;
}

int xgb_hostmatch_find(const apr_array_header_t *names, const char *reported,
                       int *fuzzy)
{
    int i, found = -1;

    if (fuzzy) {
        *fuzzy = 0;
    }
    if (!names || !reported || !*reported) {
        return -1;
    }
    for (i = 0; i < names->nelts; i++) {
        if (apr_cstr_casecmp(entry(names, i), reported) == 0) {
            return i;
        }
    }
    for (i = 0; i < names->nelts; i++) {
        if (!xgb_hostmatch_same(entry(names, i), reported, NULL)) {
            continue;
        }
        if (found < 0) {
            found = i;
        }
        else if (apr_cstr_casecmp(entry(names, found),
                                  entry(names, i)) != 0) {
            /* Guessing would resume or count a session on the wrong
             * server. */
            return -1;
        }
    }
    if (found >= 0 && fuzzy) {
        *fuzzy = 1;
    }
    return found;
}

const char *xgb_hostmatch_short(apr_pool_t *p, const char *name)
{
    const char *dot;

    if (!name || xgb_hosts_is_ip(name) || (dot = strchr(name, '.')) == NULL) {
        return name;
    }
    return apr_pstrmemdup(p, name, dot - name);
}
