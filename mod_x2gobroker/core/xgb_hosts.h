/*
 * xgb_hosts.h - the host= list of a session profile (spec 3.4).
 *
 * Each entry is "name", "name (address)" or "name (address:port)".  The
 * client only ever sees the names; address and port are where the broker
 * sends it.  Validation follows the reference's regular expressions and
 * address checks, so the same entries are accepted or ignored.
 */
#ifndef XGB_HOSTS_H
#define XGB_HOSTS_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "xgb_profile.h"

/**
 * Parse the entries of one host list.
 * @param entries const char *, already split and stripped
 * @param sshport the profile's sshport: a per-host port equal to it is not
 *                recorded (xgb_host_t.port stays 0)
 * @param out     xgb_host_t, one per entry, same order; addr is NULL when
 *                the entry has no "(...)" part or when name or address
 *                fail validation (the reference then keeps only the name)
 * @param why     on failure: the reason (an address the reference would
 *                crash on, or a port outside 1..65535)
 * @return APR_SUCCESS or APR_EINVAL
 */
apr_status_t xgb_hosts_parse(apr_pool_t *p,
                             const apr_array_header_t *entries,
                             int sshport, apr_array_header_t **out,
                             const char **why);

/** A single DNS label: 1-63 of [A-Za-z0-9-], no '-' at either end. */
int xgb_hosts_is_label(const char *s);

/**
 * The reference's FQDN pattern: at most 254 characters, labels that do
 * not start with a digit or '-' nor end with '-', ending in at least two
 * letters.  A single alphabetic name of 3+ letters ("localhost") passes.
 */
int xgb_hosts_is_fqdn(const char *s);

/**
 * An IP literal as the reference's netaddr checks it: IPv4 in any form
 * inet_aton() takes ("10.1", "0x7f.1"), or IPv6 per inet_pton().
 */
int xgb_hosts_is_ip(const char *s);

#endif
