/*
 * xgb_addr.h - IP address literals and networks for the client ACLs
 * (spec sections 1.3 step 6 and 7.4).
 *
 * Everything here is pure computation on caller-owned memory: no global
 * state, safe from any thread.
 */
#ifndef XGB_ADDR_H
#define XGB_ADDR_H

#include <apr_pools.h>

/* Address families as used below; the values are not socket constants so
 * that a zeroed struct means "nothing parsed". */
#define XGB_ADDR_V4 4
#define XGB_ADDR_V6 6

/* One IP address in network byte order; an IPv4 address uses bytes[0..3]. */
typedef struct {
    int family;                 /* XGB_ADDR_V4 or XGB_ADDR_V6 */
    unsigned char bytes[16];
} xgb_ip_t;

/* One network: every address of `family` whose first `prefix` bits equal
 * those of `bytes`.  Host bits given in the text are kept in `bytes` but
 * never compared, so "10.0.2.14/24" is the network 10.0.2.0/24. */
typedef struct {
    int family;                 /* XGB_ADDR_V4 or XGB_ADDR_V6 */
    unsigned char bytes[16];
    unsigned int prefix;        /* 0..32 or 0..128 */
} xgb_net_t;

/**
 * Parse a strict IP literal: dotted-quad IPv4 or any IPv6 text form that
 * inet_pton() accepts, optionally followed (IPv6 only) by a "%zone" scope
 * suffix, which is dropped: httpd prints link-local peers that way.
 * No surrounding whitespace, no abbreviated IPv4.  An IPv4-mapped IPv6
 * address stays IPv6 (see xgb_addr_normalise() for unmapping).
 * @param s    text, may be NULL
 * @param out  result, untouched on failure
 * @return 1 on success, 0 if `s` is not an IP literal
 */
int xgb_addr_parse(const char *s, xgb_ip_t *out);

/**
 * The canonical text of an IP literal: IPv4 dotted quad; IPv6 compressed
 * lower case as inet_ntop() prints it; an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) becomes plain IPv4, so that one peer always has one
 * spelling in ACLs, cookie files and logs.
 * @return the text allocated from `p`, or NULL if `ip` is not an IP
 *         literal (e.g. "123.456.789.101", "fe80:wxyz::", NULL, "")
 */
const char *xgb_addr_normalise(apr_pool_t *p, const char *ip);

/**
 * Format an address the way xgb_addr_normalise() would (without
 * unmapping).  Returns text from `p`, NULL if `ip` is NULL or invalid.
 */
const char *xgb_addr_format(apr_pool_t *p, const xgb_ip_t *ip);

/**
 * Parse one client-ACL entry the way the reference's netaddr.IPSet reads
 * it: an address (a host network: /32 or /128) or "address/prefix".
 * Accepted beyond strict literals, for compatibility with existing
 * profile files: surrounding ASCII whitespace; abbreviated IPv4 padded
 * with zero octets on the right ("10/8" is 10.0.0.0/8, "10.2" is
 * 10.2.0.0/32); IPv4 octets with leading zeros (decimal, "010" is 10);
 * a prefix with leading zeros or a '+' sign; a netmask
 * ("/255.255.255.0", "/ffff:ffff::") or hostmask ("/0.0.0.255",
 * "/::ffff") instead of a length.
 * Not accepted: host names, "ALL" (the caller expands it), zones,
 * prefixes beyond the family's width.
 * @param s    text, may be NULL
 * @param out  result, untouched on failure
 * @return 1 on success, 0 on any syntax error
 */
int xgb_net_parse(const char *s, xgb_net_t *out);

/**
 * Does `net` contain `ip`?  Only addresses of the network's own family
 * match: 10.0.2.14 is not in ::ffff:10.0.2.0/120 and vice versa, and
 * 0.0.0.0/0 holds no IPv6 address.
 * @return 1 or 0 (0 when either argument is NULL)
 */
int xgb_net_contains(const xgb_net_t *net, const xgb_ip_t *ip);

#endif
