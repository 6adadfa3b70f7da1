/*
 * xgb_agentreply.c - reading what x2gobroker-agent answers (spec 6.1,
 * 6.4, 5.6).
 *
 * Nothing here trusts the agent: lengths are ours, numbers are parsed by
 * hand with an upper bound checked before every digit, and a line is
 * kept only when every field the broker uses has the expected shape.  No
 * logging either: the callers know which agent answered and say so.
 */
#include <limits.h>
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>

#include "xgb_agentreply.h"
#include "xgb_valid.h"

/* How much of a failed answer goes into *why. */
#define QUOTE_MAX 80

/* Bounds of getservers counts and findbusyservers percents. */
#define SESSIONS_MAX 1000000
#define PERCENT_MAX 100

/* x2golistsessions fields: current and pre-4.1 x2goserver. */
#define LIST_FIELDS 16
#define LIST_FIELDS_OLD 14

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * At most QUOTE_MAX bytes of s, in double quotes, safe for a log line:
 * anything outside printable ASCII, the quote and the backslash are
 * escaped, so that neither a terminal nor a log parser sees what the
 * agent wrote raw.
 */
static const char *quote(apr_pool_t *p, const char *s, apr_size_t len)
{
    static const char hex[] = "0123456789abcdef";
    apr_size_t n = len < QUOTE_MAX ? len : QUOTE_MAX, i;
    char *q = apr_palloc(p, n * 4 + sizeof("\"\"..."));
    char *o = q;

    *o++ = '"';
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '\n' || c == '\r' || c == '\t') {
            *o++ = '\\';
            *o++ = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        }
        else if (c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = (char)c;
        }
        else if (c < 0x20 || c >= 0x7f) {
            *o++ = '\\';
            *o++ = 'x';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 0xf];
        }
        else {
            *o++ = (char)c;
        }
    }
    *o++ = '"';
    if (n < len) {
        memcpy(o, "...", 3);
        o += 3;
    }
    *o = '\0';
    return q;
}

static apr_status_t reply_fail(const char **why, const char *msg)
{
    if (why) {
        *why = msg;
    }
    return APR_EGENERAL;
}

apr_status_t xgb_agent_reply_parse(apr_pool_t *p, const char *out,
                                   apr_size_t outlen, const char *err,
                                   apr_size_t errlen,
                                   apr_array_header_t **lines,
                                   const char **why)
{
    const char *c, *end, *eol;
    apr_size_t n;

    *lines = NULL;
    if (why) {
        *why = NULL;
    }
    if (!out) {
        outlen = 0;
    }
    if (!err) {
        errlen = 0;
    }
    /* the size first: nothing of an oversized answer is looked at */
    if (outlen > XGB_AGENT_REPLY_MAX) {
        return reply_fail(why, apr_psprintf(p, "agent output larger than "
                                            "%d bytes", XGB_AGENT_REPLY_MAX));
    }
    if (errlen > 0) {
        return reply_fail(why, apr_pstrcat(p, "agent wrote to stderr: ",
                                           quote(p, err, errlen), NULL));
    }
    if (outlen == 0) {
        return reply_fail(why, "agent gave no answer");
    }
    /* the data become C strings: a NUL would silently cut a line short */
    if (memchr(out, '\0', outlen)) {
        return reply_fail(why, "NUL byte in agent output");
    }

    end = out + outlen;
    eol = memchr(out, '\n', outlen);
    n = (apr_size_t)((eol ? eol : end) - out);
    if (n > 0 && out[n - 1] == '\r') {
        n--;
    }
    if (n != 2 || out[0] != 'O' || out[1] != 'K') {
        return reply_fail(why, apr_pstrcat(p, "agent did not answer OK: ",
                                           quote(p, out, outlen), NULL));
    }

    *lines = apr_array_make(p, 8, sizeof(const char *));
    for (c = eol ? eol + 1 : end; c < end; c = eol ? eol + 1 : end) {
        eol = memchr(c, '\n', (apr_size_t)(end - c));
        n = (apr_size_t)((eol ? eol : end) - c);
        if (n > 0 && c[n - 1] == '\r') {
            n--;
        }
        if (n > 0) {
            APR_ARRAY_PUSH(*lines, const char *) = apr_pstrmemdup(p, c, n);
        }
    }
    return APR_SUCCESS;
}

int xgb_agent_hostname_ok(const char *s)
{
    size_t i;

    /* a leading '-' or '.' could pass for an option or a relative path
     * wherever the name ends up; gethostname() gives neither */
    if (!s || !is_alnum(s[0])) {
        return 0;
    }
    for (i = 0; s[i]; i++) {
        if (i >= XGB_AGENT_HOSTNAME_MAX
            || !(is_alnum(s[i]) || s[i] == '-' || s[i] == '.')) {
            return 0;
        }
    }
    return 1;
}

/*
 * A decimal of at most max from s[0..len): digits only, no sign, no
 * blanks.  Overflow is impossible: the bound is checked before every
 * digit is added.
 */
static int parse_dec(const char *s, size_t len, long max, long *v)
{
    long r = 0;
    size_t i;

    if (len == 0) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        int d;

        if (!is_digit(s[i])) {
            return 0;
        }
        d = s[i] - '0';
        if (r > (max - d) / 10) {
            return 0;
        }
        r = r * 10 + d;
    }
    *v = r;
    return 1;
}

/* Every byte printable ASCII: session lines are handed on to clients
 * (SESSION_INFO) as they are, in text and in JSON. */
static int printable(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f) {
            return 0;
        }
    }
    return 1;
}

static const char *line_at(const apr_array_header_t *lines, int i)
{
    return APR_ARRAY_IDX(lines, i, const char *);
}

apr_array_header_t *xgb_agent_sessions_parse(apr_pool_t *p,
                                             const apr_array_header_t *lines,
                                             const char *user, int *dropped)
{
    apr_array_header_t *sessions =
        apr_array_make(p, 4, sizeof(xgb_agent_session_t));
    int i, bad = 0;

    for (i = 0; lines && i < lines->nelts; i++) {
        const char *line = line_at(lines, i);
        const char *field[LIST_FIELDS], *cc;
        xgb_agent_session_t *s;
        char *copy, *c;
        int n = 1;

        if (!line || !printable(line)) {
            bad++;
            continue;
        }
        /* count first, so that a line of thousands of '|' costs one pass
         * and no allocation */
        for (cc = line; *cc; cc++) {
            n += *cc == '|';
        }
        if (n != LIST_FIELDS && n != LIST_FIELDS_OLD) {
            bad++;
            continue;
        }
        copy = apr_pstrdup(p, line);
        field[0] = copy;
        for (n = 1, c = copy; *c; c++) {
            if (*c == '|') {
                *c = '\0';
                field[n++] = c + 1;
            }
        }
        if (!(user ? xgb_valid_session_id(field[1], user)
                   : xgb_valid_session_id_any(field[1]))
            || !xgb_agent_hostname_ok(field[3])
            || !((field[4][0] == 'R' || field[4][0] == 'S')
                 && field[4][1] == '\0')) {
            bad++;
            continue;
        }
        s = apr_array_push(sessions);
        s->line = apr_pstrdup(p, line);
        s->name = field[1];
        s->server = field[3];
        s->status = field[4][0];
        s->created = field[5];
    }
    if (dropped) {
        *dropped = bad;
    }
    return sessions;
}

/*
 * Keep an entry unless its host was named before.  A host name is case
 * insensitive; the first line about a host wins, as a later one cannot
 * be more true, and a consumer summing or comparing per host must not
 * see it twice.
 */
static int first_time(apr_pool_t *p, apr_hash_t *seen, const char *host)
{
    char *key = apr_pstrdup(p, host), *c;

    for (c = key; *c; c++) {
        if (*c >= 'A' && *c <= 'Z') {
            *c = (char)(*c - 'A' + 'a');
        }
    }
    if (apr_hash_get(seen, key, APR_HASH_KEY_STRING)) {
        return 0;
    }
    apr_hash_set(seen, key, APR_HASH_KEY_STRING, key);
    return 1;
}

/* One getservers line: "<host> <count>", or "<host>" alone; exactly one
 * blank. */
static int getservers_line(apr_pool_t *p, const char *line,
                           xgb_agent_load_t *l)
{
    const char *sp = strchr(line, ' ');
    long count = -1;

    if (sp) {
        l->name = apr_pstrmemdup(p, line, (apr_size_t)(sp - line));
        if (!parse_dec(sp + 1, strlen(sp + 1), SESSIONS_MAX, &count)) {
            return 0;
        }
    }
    else {
        l->name = apr_pstrdup(p, line);
    }
    l->sessions = (int)count;
    l->busy = -1;
    return 1;
}

/* One findbusyservers line: "<percent>:<host>". */
static int busy_line(apr_pool_t *p, const char *line, xgb_agent_load_t *l)
{
    const char *colon = strchr(line, ':');
    long percent;

    if (!colon
        || !parse_dec(line, (size_t)(colon - line), PERCENT_MAX, &percent)) {
        return 0;
    }
    l->name = apr_pstrdup(p, colon + 1);
    l->sessions = -1;
    l->busy = (int)percent;
    return 1;
}

/* The lines one parser accepts, each host once, valid host names only. */
static apr_array_header_t *loads_parse(apr_pool_t *p,
                                       const apr_array_header_t *lines,
                                       int (*one)(apr_pool_t *, const char *,
                                                  xgb_agent_load_t *),
                                       int *dropped)
{
    apr_array_header_t *loads =
        apr_array_make(p, 4, sizeof(xgb_agent_load_t));
    apr_hash_t *seen = apr_hash_make(p);
    int i, bad = 0;

    for (i = 0; lines && i < lines->nelts; i++) {
        const char *line = line_at(lines, i);
        xgb_agent_load_t l;

        if (!line || !one(p, line, &l) || !xgb_agent_hostname_ok(l.name)
            || !first_time(p, seen, l.name)) {
            bad++;
            continue;
        }
        APR_ARRAY_PUSH(loads, xgb_agent_load_t) = l;
    }
    if (dropped) {
        *dropped = bad;
    }
    return loads;
}

apr_array_header_t *xgb_agent_getservers_parse(apr_pool_t *p,
                                               const apr_array_header_t *lines,
                                               int *dropped)
{
    return loads_parse(p, lines, getservers_line, dropped);
}

apr_array_header_t *xgb_agent_busy_parse(apr_pool_t *p,
                                         const apr_array_header_t *lines,
                                         int *dropped)
{
    return loads_parse(p, lines, busy_line, dropped);
}

long xgb_agent_checkload_factor(const apr_array_header_t *lines)
{
    static const char *const keys[] = { "loadavgXX", "memAvail",
                                        "myMemAvail", "numCPU", "typeCPU" };
    enum { LOADAVG, MEMAVAIL, MYMEMAVAIL, NUMCPU, TYPECPU, NKEYS };
    long v[NKEYS];
    int have[NKEYS] = { 0 };
    double f;
    int i, k;

    for (i = 0; lines && i < lines->nelts; i++) {
        const char *line = line_at(lines, i), *colon;

        colon = line ? strchr(line, ':') : NULL;
        if (!colon) {
            continue;
        }
        for (k = 0; k < NKEYS; k++) {
            size_t klen = strlen(keys[k]);

            if ((size_t)(colon - line) == klen
                && !strncmp(line, keys[k], klen)) {
                break;
            }
        }
        /* other lines: fields a later agent may add */
        if (k == NKEYS) {
            continue;
        }
        if (have[k] || !parse_dec(colon + 1, strlen(colon + 1), LONG_MAX,
                                  &v[k])) {
            return -1;
        }
        have[k] = 1;
    }
    for (k = 0; k < NKEYS; k++) {
        if (!have[k]) {
            return -1;
        }
    }
    if (v[LOADAVG] == 0) {
        return -1;
    }
    if (v[MEMAVAIL] == 0) {
        v[MEMAVAIL] = v[MYMEMAVAIL];
    }
    /* In double and in the reference's order of operations (Python 3:
     * "/" is a float division, int() truncates), so both brokers rank
     * servers alike; and a double cannot overflow here: the product of
     * the largest inputs stays below 1e60. */
    f = (double)v[MEMAVAIL] / 1000.0;
    f *= (double)v[NUMCPU];
    f *= (double)v[TYPECPU];
    f *= 100.0;
    f /= (double)v[LOADAVG];
    if (f >= (double)INT_MAX) {
        return INT_MAX;
    }
    return f > 0.0 ? (long)f : 0;
}
