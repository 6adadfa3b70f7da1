/*
 * xgb_addr.c - IP address literals and networks for the client ACLs.
 *
 * Strict literals go through inet_pton(): that is what a peer address
 * printed by httpd looks like.  ACL entries come from hand-written
 * profile files that the reference read with netaddr, which is far more
 * lenient; xgb_net_parse() accepts the same spellings so that a profile
 * file keeps meaning what it meant.
 */
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <apr_strings.h>

#include "xgb_addr.h"

/* Longest text accepted anywhere here: a full IPv6 address with an
 * embedded IPv4 part, a zone and a prefix fits comfortably; anything
 * longer is not an address and is refused without copying. */
#define XGB_ADDR_MAXTEXT 128

/* The ASCII blanks Python's str.strip() removes: netaddr strips entries
 * before parsing them, so " 10.0.2.0/24" is a valid entry there. */
static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f'
           || c == '\r';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* inet_pton() wants a NUL-terminated string; copy [s, s+len) into a
 * bounded stack buffer first.  Returns 0 if it does not fit. */
static int copy_text(char *buf, apr_size_t bufsize, const char *s,
                     apr_size_t len)
{
    if (len >= bufsize) {
        return 0;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    return 1;
}

/* inet_pton() on a counted string.  For AF_INET6 that is every text form
 * of RFC 4291 section 2.2 (compressed, dotted IPv4 tail, any case); for
 * AF_INET four decimal octets without leading zeros: glibc refuses
 * "010.0.0.1", which inet_aton() would read as octal. */
static int parse_pton(int af, const char *s, apr_size_t len,
                      unsigned char *out)
{
    char buf[XGB_ADDR_MAXTEXT];
    unsigned char a[16];

    if (!copy_text(buf, sizeof(buf), s, len) || inet_pton(af, buf, a) != 1) {
        return 0;
    }
    memcpy(out, a, af == AF_INET6 ? 16 : 4);
    return 1;
}

/* An interface name or index as if_indextoname() gives them: short,
 * and made of characters that cannot hide anything in a log line. */
static int valid_zone(const char *z)
{
    apr_size_t n = 0;

    for (; *z; z++, n++) {
        if (n >= 64 || !(is_digit(*z) || (*z >= 'a' && *z <= 'z')
                         || (*z >= 'A' && *z <= 'Z') || *z == '.'
                         || *z == '_' || *z == '-')) {
            return 0;
        }
    }
    return n > 0;
}

int xgb_addr_parse(const char *s, xgb_ip_t *out)
{
    const char *zone;
    apr_size_t len;
    xgb_ip_t ip;

    if (!s || !out || !*s) {
        return 0;
    }
    memset(&ip, 0, sizeof(ip));
    if (parse_pton(AF_INET, s, strlen(s), ip.bytes)) {
        ip.family = XGB_ADDR_V4;
        *out = ip;
        return 1;
    }
    /* A scope ("fe80::1%eth0") only says which link the peer is on;
     * ACLs and cookies care about the address alone. */
    zone = strchr(s, '%');
    if (zone) {
        if (!valid_zone(zone + 1)) {
            return 0;
        }
        len = (apr_size_t)(zone - s);
    }
    else {
        len = strlen(s);
    }
    if (!parse_pton(AF_INET6, s, len, ip.bytes)) {
        return 0;
    }
    ip.family = XGB_ADDR_V6;
    *out = ip;
    return 1;
}

const char *xgb_addr_format(apr_pool_t *p, const xgb_ip_t *ip)
{
    char buf[INET6_ADDRSTRLEN];

    if (!p || !ip) {
        return NULL;
    }
    if (ip->family == XGB_ADDR_V4) {
        if (!inet_ntop(AF_INET, ip->bytes, buf, sizeof(buf))) {
            return NULL;
        }
    }
    else if (ip->family == XGB_ADDR_V6) {
        if (!inet_ntop(AF_INET6, ip->bytes, buf, sizeof(buf))) {
            return NULL;
        }
    }
    else {
        return NULL;
    }
    return apr_pstrdup(p, buf);
}

const char *xgb_addr_normalise(apr_pool_t *p, const char *ip)
{
    static const unsigned char mapped[12] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
    };
    xgb_ip_t a;

    if (!p || !xgb_addr_parse(ip, &a)) {
        return NULL;
    }
    /* A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d; ACLs
     * written with IPv4 networks must still match them. */
    if (a.family == XGB_ADDR_V6 && memcmp(a.bytes, mapped, 12) == 0) {
        xgb_ip_t v4;

        memset(&v4, 0, sizeof(v4));
        v4.family = XGB_ADDR_V4;
        memcpy(v4.bytes, a.bytes + 12, 4);
        return xgb_addr_format(p, &v4);
    }
    return xgb_addr_format(p, &a);
}

/* Decimal number in [s, e) without sign, value at most `max`; leading
 * zeros allowed (netaddr reads octets and prefixes with int()). */
static int parse_uint(const char *s, const char *e, unsigned int max,
                      unsigned int *out)
{
    unsigned int v = 0;

    if (s >= e) {
        return 0;
    }
    for (; s < e; s++) {
        if (!is_digit(*s)) {
            return 0;
        }
        v = v * 10 + (unsigned int)(*s - '0');
        if (v > max) {
            return 0;
        }
    }
    *out = v;
    return 1;
}

/* IPv4 in the lenient ACL form: one to four decimal octets; missing
 * octets are zero on the right ("10" is 10.0.0.0), as netaddr's CIDR
 * abbreviation does.  `nparts` tells the caller whether all four were
 * given (a mask must be complete). */
static int parse_v4_loose(const char *s, const char *e, unsigned char *out,
                          int *nparts)
{
    unsigned char b[4] = { 0, 0, 0, 0 };
    int n = 0;

    while (1) {
        const char *dot = s;
        unsigned int v;

        while (dot < e && *dot != '.') {
            dot++;
        }
        if (n == 4 || !parse_uint(s, dot, 255, &v)) {
            return 0;
        }
        b[n++] = (unsigned char)v;
        if (dot == e) {
            break;
        }
        s = dot + 1;
    }
    memcpy(out, b, 4);
    if (nparts) {
        *nparts = n;
    }
    return 1;
}

/* Length of the run of leading one bits of a mask of `n` bytes, or -1
 * if the ones are not contiguous.  With `invert` the bytes are read
 * complemented, which turns a hostmask into a netmask. */
static int mask_to_prefix(const unsigned char *m, apr_size_t n, int invert)
{
    unsigned int bits = 0;
    apr_size_t i;
    int seen_zero = 0;

    for (i = 0; i < n; i++) {
        unsigned char c = invert ? (unsigned char)~m[i] : m[i];
        int k;

        for (k = 7; k >= 0; k--) {
            if (c & (1u << k)) {
                if (seen_zero) {
                    return -1;
                }
                bits++;
            }
            else {
                seen_zero = 1;
            }
        }
    }
    return (int)bits;
}

/* A mask instead of a prefix length: "/255.255.255.0" or
 * "/ffff:ffff:ffff:ffff::" (netmask), "/0.0.0.255" or "/::ffff"
 * (hostmask).  An all-zero or all-one mask reads as a netmask, as in
 * netaddr.  IPv4 masks need all four octets. */
static int parse_mask(int family, const char *s, const char *e,
                      unsigned int *prefix)
{
    unsigned char m[16];
    apr_size_t n;
    int len, parts;

    if (family == XGB_ADDR_V4) {
        if (!parse_v4_loose(s, e, m, &parts) || parts != 4) {
            return 0;
        }
        n = 4;
    }
    else {
        if (!parse_pton(AF_INET6, s, (apr_size_t)(e - s), m)) {
            return 0;
        }
        n = 16;
    }
    len = mask_to_prefix(m, n, 0);
    if (len < 0) {
        len = mask_to_prefix(m, n, 1);
        if (len < 0) {
            return 0;
        }
    }
    *prefix = (unsigned int)len;
    return 1;
}

int xgb_net_parse(const char *s, xgb_net_t *out)
{
    const char *e, *slash, *ae, *ps, *pe;
    xgb_net_t net;
    unsigned int max;

    if (!s || !out) {
        return 0;
    }
    e = s + strlen(s);
    while (s < e && is_space(*s)) {
        s++;
    }
    while (e > s && is_space(e[-1])) {
        e--;
    }
    if (s == e) {
        return 0;
    }
    memset(&net, 0, sizeof(net));
    slash = memchr(s, '/', (apr_size_t)(e - s));
    if (!slash) {
        slash = e;
    }
    /* netaddr, which the reference uses, also takes "10.0.0.0 / 8". */
    ae = slash;
    while (ae > s && is_space(ae[-1])) {
        ae--;
    }

    /* A colon can only mean IPv6; everything else gets the lenient IPv4
     * reading. */
    if (memchr(s, ':', (apr_size_t)(ae - s))) {
        if (!parse_pton(AF_INET6, s, (apr_size_t)(ae - s), net.bytes)) {
            return 0;
        }
        net.family = XGB_ADDR_V6;
        max = 128;
    }
    else {
        if (!parse_v4_loose(s, ae, net.bytes, NULL)) {
            return 0;
        }
        net.family = XGB_ADDR_V4;
        max = 32;
    }

    /* A bare address is a network of one. */
    if (slash == e) {
        net.prefix = max;
        *out = net;
        return 1;
    }

    /* The prefix is read like Python's int(): blanks around it and a
     * plus sign are fine. */
    ps = slash + 1;
    pe = e;
    while (ps < pe && is_space(*ps)) {
        ps++;
    }
    while (pe > ps && is_space(pe[-1])) {
        pe--;
    }
    if (ps < pe && *ps == '+') {
        ps++;
    }
    if (memchr(ps, net.family == XGB_ADDR_V4 ? '.' : ':',
               (apr_size_t)(pe - ps))) {
        if (!parse_mask(net.family, ps, pe, &net.prefix)) {
            return 0;
        }
    }
    else if (!parse_uint(ps, pe, max, &net.prefix)) {
        return 0;
    }
    *out = net;
    return 1;
}

int xgb_net_contains(const xgb_net_t *net, const xgb_ip_t *ip)
{
    unsigned int full, rest;

    if (!net || !ip || net->family != ip->family) {
        return 0;
    }
    if (net->family != XGB_ADDR_V4 && net->family != XGB_ADDR_V6) {
        return 0;
    }
    /* A caller-built struct might carry any prefix; never compare past
     * the address. */
    if (net->prefix > (net->family == XGB_ADDR_V4 ? 32u : 128u)) {
        return 0;
    }
    /* Whole bytes first, then the leading bits of the partial byte;
     * bits beyond the prefix (host bits in "10.0.2.14/24") never count. */
    full = net->prefix / 8;
    rest = net->prefix % 8;
    if (memcmp(net->bytes, ip->bytes, full) != 0) {
        return 0;
    }
    if (rest) {
        unsigned char mask = (unsigned char)(0xff << (8 - rest));

        if ((net->bytes[full] & mask) != (ip->bytes[full] & mask)) {
            return 0;
        }
    }
    return 1;
}
