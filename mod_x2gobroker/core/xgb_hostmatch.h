/*
 * xgb_hostmatch.h - comparing host names that may be written short or in
 * full (spec 5.5).
 *
 * Agents report the X2Go server's gethostname(), which is often the bare
 * name ("host1") while the profile lists "host1.mydomain", or the other
 * way round.  These functions decide when two such spellings mean the
 * same server.  IP literals (as xgb_hosts_is_ip() sees them) are never
 * split at their dots.  Pure functions on caller-owned memory: no global
 * state, safe from any thread; NULL lists are empty lists.
 */
#ifndef XGB_HOSTMATCH_H
#define XGB_HOSTMATCH_H

#include <apr_pools.h>
#include <apr_tables.h>

/**
 * The reference's normalize_hostnames() (spec 5.5): every name that is not
 * an IP literal is split at its first '.' into short name and sub-domain.
 * If more than one distinct non-empty sub-domain occurs, the names are
 * returned unchanged, else as short names (IP literals as they are).
 * @param names       const char *; NULL entries count as ""
 * @param subdomains  if not NULL: the distinct non-empty sub-domains,
 *                    sorted in byte order
 * @return a new list of const char *, same length and order as `names`
 *         (so values kept in a parallel array stay aligned)
 */
apr_array_header_t *xgb_hostmatch_normalise(apr_pool_t *p,
                                            const apr_array_header_t *names,
                                            apr_array_header_t **subdomains);

/**
 * The reference's matching_hostnames(a, b) (spec 5.5): when neither list
 * uses more than one sub-domain and at least one uses none, the short
 * names are intersected; if that gives nothing (or the condition does not
 * hold), the names as written.  Comparison is exact, as in the reference.
 * @return the common names, de-duplicated, sorted in byte order
 */
apr_array_header_t *xgb_hostmatch_matching(apr_pool_t *p,
                                           const apr_array_header_t *a,
                                           const apr_array_header_t *b);

/**
 * Do a and b name the same host?  Yes when they are equal ignoring ASCII
 * case (DNS names are case-insensitive), or when neither is an IP
 * literal, their first labels are equal and at least one of them has
 * nothing after its first label ("host1" ~ "host1.mydomain"; a single
 * trailing dot counts as nothing).  "host1.a" and "host1.b" are
 * different hosts; empty names and NULL match nothing.
 * @param fuzzy  if not NULL: set to 1 when only the first labels matched
 */
int xgb_hostmatch_same(const char *a, const char *b, int *fuzzy);

/**
 * Which of `names` (const char *, NULL or empty entries skipped) is the
 * host an agent reported as `reported`?  An exact match (ignoring case)
 * wins; otherwise the entry xgb_hostmatch_same() pairs with it, provided
 * all such entries spell one name: with "host1.a" and "host1.b" listed,
 * "host1" is ambiguous and matches neither.
 * @param fuzzy  as for xgb_hostmatch_same()
 * @return the index of the first matching entry, or -1
 */
int xgb_hostmatch_find(const apr_array_header_t *names, const char *reported,
                       int *fuzzy);

/**
 * The short name of a host name (the part before its first '.'), or the
 * name itself when it is an IP literal or has no dot.  NULL stays NULL.
 */
const char *xgb_hostmatch_short(apr_pool_t *p, const char *name);

#endif
