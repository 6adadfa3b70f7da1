/*
 * xgb_hosts.c - host= entries of session profiles (see xgb_hosts.h).
 *
 * The reference decides with Python regular expressions and netaddr; the
 * checks below give the same answers for ASCII input.  (Python's
 * case-insensitive classes also let four exotic letters such as U+212A
 * KELVIN SIGN pass; those are refused here.)  Pure functions, thread-safe.
 */
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <apr_strings.h>

#include "xgb_hosts.h"
#include "xgb_ini.h"

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_ldh(char c)
{
    return is_alpha(c) || is_digit(c) || c == '-';
}

int xgb_hosts_is_label(const char *s)
{
    apr_size_t n, i;

    if (!s || (n = strlen(s)) < 1 || n > 63 || s[0] == '-'
        || s[n - 1] == '-') {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (!is_ldh(s[i])) {
            return 0;
        }
    }
    return 1;
}

/*
 * The reference's pattern is
 *   ((?!\d|-)[a-zA-Z0-9-]{1,63}(?<!-)\.?)+[a-zA-Z]{2,}
 * over the whole string.  Chunks need not be separated by dots, so this
 * walks all positions where a chunk can end (reach[] = 2) and accepts if
 * the trailing run of letters (at least two) can start at one of them.
 */
int xgb_hosts_is_fqdn(const char *s)
{
    char reach[256];
    apr_size_t n, i, j, k;

    if (!s || (n = strlen(s)) < 1 || n > 254) {
        return 0;
    }
    memset(reach, 0, n + 1);
    reach[0] = 1;
    for (i = 0; i < n; i++) {
        if (!reach[i] || is_digit(s[i]) || s[i] == '-') {
            continue;
        }
        for (j = i; j < n && j - i < 63 && is_ldh(s[j]); j++) {
            if (s[j] == '-') {
                continue;
            }
            reach[j + 1] = 2;
            if (s[j + 1] == '.') {
                reach[j + 2] = 2;
            }
        }
    }
    for (k = n; k > 0 && is_alpha(s[k - 1]); k--) {
    }
    for (i = k; i + 2 <= n; i++) {
        if (reach[i] == 2) {
            return 1;
        }
    }
    return 0;
}

int xgb_hosts_is_ip(const char *s)
{
    struct in_addr a4;
    struct in6_addr a6;
    const char *c;

    if (!s || !*s) {
        return 0;
    }
    /* inet_aton() ignores anything after white space; netaddr inherits
     * that, but such a string is no address to connect to. */
    for (c = s; *c; c++) {
        if (*c == ' ' || (*c >= '\t' && *c <= '\r')) {
            return 0;
        }
    }
    return inet_aton(s, &a4) != 0 || inet_pton(AF_INET6, s, &a6) == 1;
}

/* re.match(r'^.*\ \(.*\)$', entry): " (" somewhere, ")" at the end,
 * no line break except one final '\n' (which '$' tolerates). */
static int has_addr_form(const char *s)
{
    apr_size_t n = strlen(s), i;

    if (n && s[n - 1] == '\n') {
        n--;
    }
    if (n < 3 || s[n - 1] != ')' || memchr(s, '\n', n)) {
        return 0;
    }
    for (i = 0; i + 3 <= n; i++) {
        if (s[i] == ' ' && s[i + 1] == '(') {
            return 1;
        }
    }
    return 0;
}

/* Python's s.split(' ')[k] for k = 0 or 1 (the entry has a space). */
static const char *space_field(apr_pool_t *p, const char *s, int k)
{
    const char *b = k ? strchr(s, ' ') + 1 : s;
    const char *e = strchr(b, ' ');

    return e ? apr_pstrmemdup(p, b, e - b) : apr_pstrdup(p, b);
}

/* Python's int() of a port; beyond 64 bits it is simply out of range. */
static int port_value(const char *s, apr_int64_t *port)
{
    int r = xgb_ini_to_int(s, port);

    if (r < 0) {
        *port = -1;
    }
    return r != 0;
}

/* The reference's split_host_address(addr, default_port=sshport):
 * leading '*' and ':' go, the part after the LAST colon is a port if
 * int() takes it (so an unbracketed IPv6 address loses its last group),
 * a lone number is a port for 0.0.0.0, and brackets are re-added only
 * when the text started with one. */
static const char *split_address(apr_pool_t *p, const char *s, int dflt,
                                 apr_int64_t *port)
{
    const char *host = xgb_ini_strip(p, s), *colon, *addr, *e;
    int ipv6;

    host += strspn(host, "*");
    host += strspn(host, ":");
    ipv6 = *host == '[';
    *port = dflt;
    colon = strrchr(host, ':');
    if (colon) {
        addr = port_value(colon + 1, port)
               ? apr_pstrmemdup(p, host, colon - host) : host;
    }
    else {
        /* a bare number is a port; no address means 0.0.0.0 */
        addr = port_value(host, port) || !*host ? "0.0.0.0" : host;
    }
    addr += strspn(addr, "[");
    for (e = addr + strlen(addr); e > addr && e[-1] == ']'; e--) {
    }
    addr = apr_pstrmemdup(p, addr, e - addr);
    return ipv6 ? apr_pstrcat(p, "[", addr, "]", NULL) : addr;
}

/* One entry.  The name is always what the client sees; the address is
 * kept only when both name and address pass the reference's checks, and
 * only then can a bad port make the file unusable (the reference would
 * fail when connecting). */
static int parse_entry(apr_pool_t *p, const char *entry, int sshport,
                       xgb_host_t *h, const char **why)
{
    const char *tok, *addr;
    apr_int64_t port;
    apr_size_t n;

    h->name = entry;
    if (!has_addr_form(entry)) {
        return 1;
    }
    h->name = space_field(p, entry, 0);
    tok = space_field(p, entry, 1);
    n = strlen(tok);
    addr = split_address(p, n >= 2 ? apr_pstrmemdup(p, tok + 1, n - 2) : "",
                         sshport, &port);
    if (!xgb_hosts_is_label(h->name) && !xgb_hosts_is_fqdn(h->name)) {
        return 1;
    }
    if (!*addr) {
        /* the reference's netaddr raises on an empty address */
        *why = apr_psprintf(p, "host entry '%s': empty address", entry);
        return 0;
    }
    if (!xgb_hosts_is_fqdn(addr) && !xgb_hosts_is_ip(addr)) {
        return 1;
    }
    if (port != sshport && (port < 1 || port > 65535)) {
        *why = apr_psprintf(p, "host entry '%s': port out of range", entry);
        return 0;
    }
    h->addr = addr;
    h->port = port != sshport ? (int)port : 0;
    return 1;
}

apr_status_t xgb_hosts_parse(apr_pool_t *p,
                             const apr_array_header_t *entries,
                             int sshport, apr_array_header_t **out,
                             const char **why)
{
    const char *dummy;
    int i;

    why = why ? why : &dummy;
    *why = NULL;
    *out = apr_array_make(p, entries ? entries->nelts : 0,
                          sizeof(xgb_host_t));
    for (i = 0; entries && i < entries->nelts; i++) {
        const char *e = APR_ARRAY_IDX(entries, i, const char *);
        xgb_host_t *h = apr_array_push(*out);

        memset(h, 0, sizeof(*h));
        if (!parse_entry(p, e ? e : "", sshport, h, why)) {
            return APR_EINVAL;
        }
    }
    return APR_SUCCESS;
}
