/*
 * fuzz_agentreply.c - libFuzzer target: any bytes as an agent's answer,
 * which is what a hostile or broken X2Go server controls.
 *
 *   make fuzz-agentreply && ./fuzz-agentreply -max_total_time=300
 *
 * Input: byte 0 picks the user the session list is read for (bits 0-1:
 * none, "alice", the bytes up to the first blank, "a-1") and whether
 * stderr is given (bit 2: the next (byte 0 >> 3) bytes); the rest is
 * stdout.  Every parser runs on the answer's data lines, and on the raw
 * stdout lines too when the answer is refused, so that the line parsers
 * see bytes the reply parser would have stopped.
 *
 * Beyond "no crash": what a parser keeps must have the promised shape,
 * and kept + dropped must add up to the lines it was given.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "xgb_agentreply.h"
#include "xgb_valid.h"

#define CHECK(cond) \
    do { \
        if (!(cond)) { \
            abort(); \
        } \
    } while (0)

static int printable(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f) {
            return 0;
        }
    }
    return 1;
}

static void check_lines(apr_pool_t *p, const apr_array_header_t *lines,
                        const char *user)
{
    apr_array_header_t *a;
    int i, dropped = -1;
    long f;

    a = xgb_agent_sessions_parse(p, lines, user, &dropped);
    CHECK(dropped >= 0 && a->nelts + dropped == lines->nelts);
    for (i = 0; i < a->nelts; i++) {
        const xgb_agent_session_t *s =
            &APR_ARRAY_IDX(a, i, xgb_agent_session_t);

        CHECK(printable(s->line));
        CHECK(user ? xgb_valid_session_id(s->name, user)
                   : xgb_valid_session_id_any(s->name));
        CHECK(xgb_agent_hostname_ok(s->server));
        CHECK(s->status == 'R' || s->status == 'S');
        CHECK(s->created && strstr(s->line, s->name));
    }

    a = xgb_agent_getservers_parse(p, lines, &dropped);
    CHECK(dropped >= 0 && a->nelts + dropped == lines->nelts);
    for (i = 0; i < a->nelts; i++) {
        const xgb_agent_load_t *l = &APR_ARRAY_IDX(a, i, xgb_agent_load_t);

        CHECK(xgb_agent_hostname_ok(l->name));
        CHECK(l->sessions >= -1 && l->sessions <= 1000000);
        CHECK(l->busy == -1);
    }

    a = xgb_agent_busy_parse(p, lines, &dropped);
    CHECK(dropped >= 0 && a->nelts + dropped == lines->nelts);
    for (i = 0; i < a->nelts; i++) {
        const xgb_agent_load_t *l = &APR_ARRAY_IDX(a, i, xgb_agent_load_t);

        CHECK(xgb_agent_hostname_ok(l->name));
        CHECK(l->busy >= 0 && l->busy <= 100);
        CHECK(l->sessions == -1);
    }

    f = xgb_agent_checkload_factor(lines);
    CHECK(f >= -1 && f <= INT_MAX);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static int initialised;
    const char *d = (const char *)data, *err = NULL, *user = NULL;
    const char *why, *c, *end;
    apr_size_t errlen = 0;
    apr_array_header_t *lines;
    apr_pool_t *p;
    apr_status_t rv;
    int i, flags;

    if (!initialised) {
        apr_initialize();
        initialised = 1;
    }
    if (size < 1) {
        return 0;
    }
    apr_pool_create(&p, NULL);
    flags = data[0];
    d++;
    size--;
    if (flags & 4) {
        errlen = (apr_size_t)(flags >> 3);
        if (errlen > size) {
            errlen = size;
        }
        err = d;
        d += errlen;
        size -= errlen;
    }
    switch (flags & 3) {
    case 0:
        user = NULL;
        break;
    case 1:
        user = "alice";
        break;
    case 2:
        c = memchr(d, ' ', size);
        if (c) {
            user = apr_pstrmemdup(p, d, (apr_size_t)(c - d));
            size -= (size_t)(c - d) + 1;
            d = c + 1;
        }
        else {
            user = "";
        }
        break;
    default:
        user = "a-1";
        break;
    }

    rv = xgb_agent_reply_parse(p, d, size, err, errlen, &lines, &why);
    if (rv == APR_SUCCESS) {
        CHECK(lines && why == NULL);
        CHECK(errlen == 0 && size >= 2 && d[0] == 'O' && d[1] == 'K');
        CHECK(memchr(d, '\0', size) == NULL);
        /* the data lines are stdout's lines after the first, each less
         * one line-ending CR, the empty ones left out */
        c = memchr(d, '\n', size);
        CHECK(c ? c - d == 2 || (c - d == 3 && d[2] == '\r')
                : size == 2 || (size == 3 && d[2] == '\r'));
        end = d + size;
        i = 0;
        for (c = c ? c + 1 : end; c < end; c++) {
            const char *eol = memchr(c, '\n', (apr_size_t)(end - c));
            size_t n;

            if (!eol) {
                eol = end;
            }
            n = (size_t)(eol - c);
            if (n && c[n - 1] == '\r') {
                n--;
            }
            if (n) {
                const char *l;

                CHECK(i < lines->nelts);
                l = APR_ARRAY_IDX(lines, i, const char *);
                CHECK(strlen(l) == n && !memcmp(l, c, n));
                i++;
            }
            c = eol;
        }
        CHECK(i == lines->nelts);
        check_lines(p, lines, user);
    }
    else {
        CHECK(rv == APR_EGENERAL && lines == NULL && why != NULL);
        /* fit for a log line: escaped and bounded */
        CHECK(printable(why) && strlen(why) < 64 + 4 * 80);
        lines = apr_array_make(p, 8, sizeof(const char *));
        for (c = d, end = d + size; c < end; c++) {
            const char *eol = memchr(c, '\n', (apr_size_t)(end - c));

            if (!eol) {
                eol = end;
            }
            APR_ARRAY_PUSH(lines, const char *) =
                apr_pstrmemdup(p, c, (apr_size_t)(eol - c));
            c = eol;
        }
        check_lines(p, lines, user);
    }
    apr_pool_destroy(p);
    return 0;
}
