/*
 * test_agentreply.c - the parsers of x2gobroker-agent answers (spec 6.1,
 * 6.4, 5.6): the OK/stderr rule, listsessions, getservers,
 * findbusyservers and the checkload load factor.  Agents are hostile
 * input, so most cases here are answers that must be refused.
 */
#include <limits.h>
#include <stdarg.h>

#include "xgb_test.h"
#include "xgb_agentreply.h"

/* A real x2golistsessions line (x2goserver 4.1, 16 fields). */
#define SID_A "alice-51-1795641177_stDxterm_dp24"
#define SID_B "bob-52-1795641200_stDKDE_dp32"
#define LINE16(sid, host, st) \
    "2795|" sid "|51|" host "|" st "|2026-11-26T10:32:57|" \
    "4f6c2b6f9d1e4a1b8c2d3e4f5a6b7c8d|10.0.0.9|30001|30002|" \
    "2026-11-26T10:40:01|alice|424|30003|30004|30005"
/* The same without the two Telekinesis ports (older x2goserver). */
#define LINE14(sid, host, st) \
    "2795|" sid "|51|" host "|" st "|2026-11-26T10:32:57|" \
    "4f6c2b6f9d1e4a1b8c2d3e4f5a6b7c8d|10.0.0.9|30001|30002|" \
    "2026-11-26T10:40:01|alice|424|30003"

/* ---- helpers ---- */

static apr_array_header_t *lines_of(const char *first, ...)
{
    apr_array_header_t *a = apr_array_make(tp, 4, sizeof(const char *));
    const char *s;
    va_list ap;

    va_start(ap, first);
    for (s = first; s; s = va_arg(ap, const char *)) {
        APR_ARRAY_PUSH(a, const char *) = s;
    }
    va_end(ap);
    return a;
}

static const char *line_n(const apr_array_header_t *a, int i)
{
    return APR_ARRAY_IDX(a, i, const char *);
}

/* xgb_agent_reply_parse on two C strings. */
static apr_status_t reply(const char *out, const char *err,
                          apr_array_header_t **lines, const char **why)
{
    return xgb_agent_reply_parse(tp, out, out ? strlen(out) : 0, err,
                                 err ? strlen(err) : 0, lines, why);
}

/* The reason a reply is refused ("" if it is accepted). */
static const char *refusal(const char *out, apr_size_t outlen,
                           const char *err, apr_size_t errlen)
{
    apr_array_header_t *lines = NULL;
    const char *why = NULL;
    apr_status_t rv;

    rv = xgb_agent_reply_parse(tp, out, outlen, err, errlen, &lines, &why);
    if (rv == APR_SUCCESS) {
        ck_assert_ptr_nonnull(lines);
        ck_assert_ptr_null(why);
        return "";
    }
    ck_assert_int_eq(rv, APR_EGENERAL);
    ck_assert_ptr_null(lines);
    ck_assert_ptr_nonnull(why);
    return why;
}

static const char *refusal_str(const char *out, const char *err)
{
    return refusal(out, strlen(out), err, err ? strlen(err) : 0);
}

#define REFUSAL(out, err) refusal_str((out), (err))

/* One session line alone through the parser: how many are kept. */
static int kept(const char *line, const char *user)
{
    int dropped = -1;
    apr_array_header_t *s =
        xgb_agent_sessions_parse(tp, lines_of(line, NULL), user, &dropped);

    ck_assert_int_eq(s->nelts + dropped, 1);
    return s->nelts;
}

static const xgb_agent_load_t *load_n(const apr_array_header_t *a, int i)
{
    return &APR_ARRAY_IDX(a, i, xgb_agent_load_t);
}

/* One getservers / findbusyservers line alone: kept or not. */
static int servers_kept(const char *line)
{
    int dropped = -1;
    apr_array_header_t *l =
        xgb_agent_getservers_parse(tp, lines_of(line, NULL), &dropped);

    ck_assert_int_eq(l->nelts + dropped, 1);
    return l->nelts;
}

static int busy_kept(const char *line)
{
    int dropped = -1;
    apr_array_header_t *l =
        xgb_agent_busy_parse(tp, lines_of(line, NULL), &dropped);

    ck_assert_int_eq(l->nelts + dropped, 1);
    return l->nelts;
}

/* ---- xgb_agent_reply_parse ---- */

START_TEST(reply_ok_with_data)
{
    apr_array_header_t *lines = NULL;
    const char *why = "unset";

    ck_assert_int_eq(reply("OK\nx2go1 3\nx2go2 0\n", "", &lines, &why),
                     APR_SUCCESS);
    ck_assert_ptr_null(why);
    ck_assert_int_eq(lines->nelts, 2);
    ck_assert_str_eq(line_n(lines, 0), "x2go1 3");
    ck_assert_str_eq(line_n(lines, 1), "x2go2 0");
}
END_TEST

START_TEST(reply_ok_alone)
{
    apr_array_header_t *lines = NULL;
    const char *why = NULL;

    /* ping: "OK" and nothing else, with or without the newline */
    ck_assert_int_eq(reply("OK\n", NULL, &lines, &why), APR_SUCCESS);
    ck_assert_int_eq(lines->nelts, 0);
    ck_assert_int_eq(reply("OK", NULL, &lines, &why), APR_SUCCESS);
    ck_assert_int_eq(lines->nelts, 0);
    ck_assert_int_eq(reply("OK\r\n", NULL, &lines, &why), APR_SUCCESS);
    ck_assert_int_eq(lines->nelts, 0);
}
END_TEST

START_TEST(reply_crlf_and_empty_lines)
{
    apr_array_header_t *lines = NULL;
    const char *why = NULL;

    ck_assert_int_eq(reply("OK\r\nA\r\n\r\n\nB\r\n", NULL, &lines, &why),
                     APR_SUCCESS);
    ck_assert_int_eq(lines->nelts, 2);
    ck_assert_str_eq(line_n(lines, 0), "A");
    ck_assert_str_eq(line_n(lines, 1), "B");
}
END_TEST

START_TEST(reply_inner_cr_kept)
{
    apr_array_header_t *lines = NULL;
    const char *why = NULL;

    /* only a line-ending CR goes; the line parsers judge the rest */
    ck_assert_int_eq(reply("OK\nA\rB\r\r\n", NULL, &lines, &why),
                     APR_SUCCESS);
    ck_assert_int_eq(lines->nelts, 1);
    ck_assert_str_eq(line_n(lines, 0), "A\rB\r");
}
END_TEST

START_TEST(reply_last_line_unterminated)
{
    apr_array_header_t *lines = NULL;
    const char *why = NULL;

    ck_assert_int_eq(reply("OK\nx2go1 3\nx2go2", NULL, &lines, &why),
                     APR_SUCCESS);
    ck_assert_int_eq(lines->nelts, 2);
    ck_assert_str_eq(line_n(lines, 1), "x2go2");
}
END_TEST

START_TEST(reply_findbusyservers_no_sessions)
{
    apr_array_header_t *lines = NULL;
    const char *why = NULL;

    /* the agent's empty answer is a single empty line */
    ck_assert_int_eq(reply("OK\n\n", NULL, &lines, &why), APR_SUCCESS);
    ck_assert_int_eq(lines->nelts, 0);
}
END_TEST

START_TEST(reply_not_ok)
{
    ck_assert_str_eq(REFUSAL("ERROR\n", NULL),
                     "agent did not answer OK: \"ERROR\\n\"");
    ck_assert_str_eq(REFUSAL("OKAY\nA\n", NULL),
                     "agent did not answer OK: \"OKAY\\nA\\n\"");
    ck_assert_str_eq(REFUSAL("OK \n", NULL),
                     "agent did not answer OK: \"OK \\n\"");
    ck_assert_str_eq(REFUSAL("ok\n", NULL),
                     "agent did not answer OK: \"ok\\n\"");
    ck_assert_str_eq(REFUSAL(" OK\n", NULL),
                     "agent did not answer OK: \" OK\\n\"");
    ck_assert_str_eq(REFUSAL("\nOK\n", NULL),
                     "agent did not answer OK: \"\\nOK\\n\"");
    ck_assert_str_eq(REFUSAL("OK\r\r\n", NULL),
                     "agent did not answer OK: \"OK\\r\\r\\n\"");
    ck_assert_str_eq(REFUSAL("O", NULL),
                     "agent did not answer OK: \"O\"");
}
END_TEST

START_TEST(reply_not_ok_quote_escaped)
{
    /* control characters, quotes, backslashes and non-ASCII are escaped */
    ck_assert_str_eq(REFUSAL("\x1b[2J\"\\\xc3\xa9\x7f\t", NULL),
                     "agent did not answer OK: "
                     "\"\\x1b[2J\\\"\\\\\\xc3\\xa9\\x7f\\t\"");
}
END_TEST

START_TEST(reply_not_ok_quote_truncated)
{
    char out[201];

    memset(out, 'x', 200);
    out[200] = '\0';
    ck_assert_str_eq(REFUSAL(out, NULL),
                     apr_pstrcat(tp, "agent did not answer OK: \"",
                                 apr_pstrndup(tp, out, 80), "\"...",
                                 NULL));
}
END_TEST

START_TEST(reply_stderr)
{
    ck_assert_str_eq(REFUSAL("OK\nx2go1 3\n", "x2goversion: not found\n"),
                     "agent wrote to stderr: \"x2goversion: not found\\n\"");
    /* a single byte is enough */
    ck_assert_str_eq(REFUSAL("OK\n", "\n"), "agent wrote to stderr: \"\\n\"");
    /* and it is judged before stdout */
    ck_assert_str_eq(REFUSAL("", "unable to execute script"),
                     "agent wrote to stderr: \"unable to execute script\"");
}
END_TEST

START_TEST(reply_stderr_quoted)
{
    char err[300];

    memset(err, 'e', sizeof(err));
    err[0] = '\0';
    err[1] = '\x1b';
    ck_assert_str_eq(refusal("OK\n", 3, err, sizeof(err)),
                     apr_pstrcat(tp, "agent wrote to stderr: \"\\x00\\x1b",
                                 apr_pstrndup(tp, err + 2, 78), "\"...",
                                 NULL));
}
END_TEST

START_TEST(reply_nul)
{
    ck_assert_str_eq(refusal("OK\nA\0B\n", 7, NULL, 0),
                     "NUL byte in agent output");
    ck_assert_str_eq(refusal("OK\0\n", 4, NULL, 0),
                     "NUL byte in agent output");
    ck_assert_str_eq(refusal("OK\nA\n\0", 6, NULL, 0),
                     "NUL byte in agent output");
    /* stdout's length is what counts, not its first NUL */
    ck_assert_str_eq(refusal("\0", 1, NULL, 0), "NUL byte in agent output");
}
END_TEST

START_TEST(reply_empty)
{
    ck_assert_str_eq(refusal("", 0, NULL, 0), "agent gave no answer");
    ck_assert_str_eq(refusal(NULL, 0, "", 0), "agent gave no answer");
    /* a NULL buffer has no length, whatever the caller says */
    ck_assert_str_eq(refusal(NULL, 5, NULL, 7), "agent gave no answer");
}
END_TEST

START_TEST(reply_oversize)
{
    apr_size_t max = XGB_AGENT_REPLY_MAX;
    char *out = apr_palloc(tp, max + 1);
    apr_array_header_t *lines = NULL;
    const char *why = NULL;

    memcpy(out, "OK\n", 3);
    memset(out + 3, 'a', max + 1 - 3);
    ck_assert_str_eq(refusal(out, max + 1, NULL, 0),
                     "agent output larger than 1048576 bytes");
    /* exactly the limit is fine: one long data line */
    ck_assert_int_eq(xgb_agent_reply_parse(tp, out, max, NULL, 0, &lines,
                                           &why), APR_SUCCESS);
    ck_assert_int_eq(lines->nelts, 1);
    ck_assert_uint_eq(strlen(line_n(lines, 0)), max - 3);
}
END_TEST

START_TEST(reply_why_optional)
{
    apr_array_header_t *lines = NULL;

    ck_assert_int_eq(xgb_agent_reply_parse(tp, "NO", 2, NULL, 0, &lines,
                                           NULL), APR_EGENERAL);
    ck_assert_ptr_null(lines);
    ck_assert_int_eq(xgb_agent_reply_parse(tp, "OK\nA", 4, NULL, 0, &lines,
                                           NULL), APR_SUCCESS);
    ck_assert_int_eq(lines->nelts, 1);
}
END_TEST

/* ---- xgb_agent_hostname_ok ---- */

START_TEST(hostnames)
{
    static const char *const good[] = {
        "x2go1", "x2go1.example.org", "X2GO-1.Example.ORG", "1host",
        "10.0.0.5", "a", "a-", "a.", NULL
    };
    static const char *const bad[] = {
        "", "-x2go", ".x2go", "x2go_1", "x2go 1", "x2go\t1", "x2go|1",
        "x2go:1", "x2go/1", "[::1]", "h\xc3\xa9", "x2go\r", "x2go;id",
        NULL
    };
    char name[XGB_AGENT_HOSTNAME_MAX + 2];
    int i;

    for (i = 0; good[i]; i++) {
        ck_assert_msg(xgb_agent_hostname_ok(good[i]), "refused %s",
                      good[i]);
    }
    for (i = 0; bad[i]; i++) {
        ck_assert_msg(!xgb_agent_hostname_ok(bad[i]), "accepted %s", bad[i]);
    }
    ck_assert_int_eq(xgb_agent_hostname_ok(NULL), 0);
    memset(name, 'h', sizeof(name));
    name[XGB_AGENT_HOSTNAME_MAX] = '\0';
    ck_assert_int_eq(xgb_agent_hostname_ok(name), 1);
    name[XGB_AGENT_HOSTNAME_MAX] = 'h';
    name[XGB_AGENT_HOSTNAME_MAX + 1] = '\0';
    ck_assert_int_eq(xgb_agent_hostname_ok(name), 0);
}
END_TEST

/* ---- xgb_agent_sessions_parse ---- */

START_TEST(sessions_16_fields)
{
    int dropped = -1;
    apr_array_header_t *s = xgb_agent_sessions_parse(
        tp, lines_of(LINE16(SID_A, "x2go1.example.org", "S"), NULL),
        "alice", &dropped);
    const xgb_agent_session_t *e;

    ck_assert_int_eq(s->nelts, 1);
    ck_assert_int_eq(dropped, 0);
    e = &APR_ARRAY_IDX(s, 0, xgb_agent_session_t);
    ck_assert_str_eq(e->line, LINE16(SID_A, "x2go1.example.org", "S"));
    ck_assert_str_eq(e->name, SID_A);
    ck_assert_str_eq(e->server, "x2go1.example.org");
    ck_assert_int_eq(e->status, 'S');
    ck_assert_str_eq(e->created, "2026-11-26T10:32:57");
}
END_TEST

START_TEST(sessions_14_fields)
{
    int dropped = -1;
    apr_array_header_t *s = xgb_agent_sessions_parse(
        tp, lines_of(LINE14(SID_A, "x2go2", "R"), NULL), "alice", &dropped);
    const xgb_agent_session_t *e;

    ck_assert_int_eq(s->nelts, 1);
    ck_assert_int_eq(dropped, 0);
    e = &APR_ARRAY_IDX(s, 0, xgb_agent_session_t);
    ck_assert_str_eq(e->line, LINE14(SID_A, "x2go2", "R"));
    ck_assert_str_eq(e->name, SID_A);
    ck_assert_str_eq(e->server, "x2go2");
    ck_assert_int_eq(e->status, 'R');
}
END_TEST

START_TEST(sessions_order_and_count)
{
    int dropped = -1;
    apr_array_header_t *s = xgb_agent_sessions_parse(
        tp, lines_of(LINE16(SID_A, "x2go1", "S"),
                     "garbage",
                     LINE16(SID_B, "x2go1", "S"),
                     LINE16("alice-60-1795641300_stDxterm_dp24", "x2go3",
                            "R"),
                     NULL),
        "alice", &dropped);

    ck_assert_int_eq(s->nelts, 2);
    ck_assert_int_eq(dropped, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(s, 0, xgb_agent_session_t).server,
                     "x2go1");
    ck_assert_str_eq(APR_ARRAY_IDX(s, 1, xgb_agent_session_t).name,
                     "alice-60-1795641300_stDxterm_dp24");
}
END_TEST

START_TEST(sessions_field_counts)
{
    /* 16 and 14 only */
    ck_assert_int_eq(kept(LINE16(SID_A, "x2go1", "R"), "alice"), 1);
    ck_assert_int_eq(kept(LINE16(SID_A, "x2go1", "R") "|", "alice"), 0);
    ck_assert_int_eq(kept(LINE16(SID_A, "x2go1", "R") "|30006", "alice"),
                     0);
    ck_assert_int_eq(kept(LINE14(SID_A, "x2go1", "R") "|30004", "alice"),
                     0);
    ck_assert_int_eq(kept(LINE14(SID_A, "x2go1", "R"), "alice"), 1);
    ck_assert_int_eq(kept("2795|" SID_A "|51|x2go1|R|2026-11-26T10:32:57|"
                          "c|10.0.0.9|30001|30002|2026-11-26T10:40:01|alice|"
                          "424", "alice"), 0);
    ck_assert_int_eq(kept("2795|" SID_A "|51|x2go1|R", "alice"), 0);
    ck_assert_int_eq(kept(SID_A, "alice"), 0);
    ck_assert_int_eq(kept("|||||||||||||||", "alice"), 0);
    ck_assert_int_eq(kept("|||||||||||||", NULL), 0);
}
END_TEST

START_TEST(sessions_ids)
{
    /* someone else's session in alice's list */
    ck_assert_int_eq(kept(LINE16(SID_B, "x2go1", "R"), "alice"), 0);
    /* with no user, any user's well-formed id */
    ck_assert_int_eq(kept(LINE16(SID_B, "x2go1", "R"), NULL), 1);
    ck_assert_int_eq(kept(LINE16(SID_A, "x2go1", "R"), NULL), 1);
    /* malformed ids, whoever asks */
    ck_assert_int_eq(kept(LINE16("alice-5-1795641177_stDxterm_dp24",
                                 "x2go1", "R"), NULL), 0);
    ck_assert_int_eq(kept(LINE16("alice-51-1795641177_stDxterm",
                                 "x2go1", "R"), "alice"), 0);
    ck_assert_int_eq(kept(LINE16("alice-51-1795641177_stD;id_dp24",
                                 "x2go1", "R"), NULL), 0);
    ck_assert_int_eq(kept(LINE16("-51-1795641177_stDxterm_dp24",
                                 "x2go1", "R"), NULL), 0);
    ck_assert_int_eq(kept(LINE16("", "x2go1", "R"), NULL), 0);
    /* a user name that is not one matches nothing */
    ck_assert_int_eq(kept(LINE16(SID_A, "x2go1", "R"), "al ce"), 0);
    ck_assert_int_eq(kept(LINE16(SID_A, "x2go1", "R"), ""), 0);
}
END_TEST

START_TEST(sessions_status)
{
    ck_assert_int_eq(kept(LINE16(SID_A, "x2go1", "R"), "alice"), 1);
    ck_assert_int_eq(kept(LINE16(SID_A, "x2go1", "S"), "alice"), 1);
    ck_assert_int_eq(kept(LINE16(SID_A, "x2go1", "T"), "alice"), 0);
    ck_assert_int_eq(kept(LINE16(SID_A, "x2go1", "r"), "alice"), 0);
    ck_assert_int_eq(kept(LINE16(SID_A, "x2go1", "RS"), "alice"), 0);
    ck_assert_int_eq(kept(LINE16(SID_A, "x2go1", ""), "alice"), 0);
    ck_assert_int_eq(kept(LINE16(SID_A, "x2go1", " R"), "alice"), 0);
}
END_TEST

START_TEST(sessions_hostnames)
{
    ck_assert_int_eq(kept(LINE16(SID_A, "", "R"), "alice"), 0);
    ck_assert_int_eq(kept(LINE16(SID_A, "-oProxyCommand=x", "R"), "alice"),
                     0);
    ck_assert_int_eq(kept(LINE16(SID_A, "x2go_1", "R"), "alice"), 0);
    ck_assert_int_eq(kept(LINE16(SID_A, "x2go 1", "R"), "alice"), 0);
    ck_assert_int_eq(kept(LINE16(SID_A, "x2go1.example.org", "R"), "alice"),
                     1);
}
END_TEST

START_TEST(sessions_long_hostname)
{
    char host[XGB_AGENT_HOSTNAME_MAX + 2];
    const char *line;

    memset(host, 'h', sizeof(host));
    host[XGB_AGENT_HOSTNAME_MAX] = '\0';
    line = apr_pstrcat(tp, "2795|" SID_A "|51|", host, "|R|t|c|i|1|2|t|"
                       "alice|4|3|4|5", NULL);
    ck_assert_int_eq(kept(line, "alice"), 1);
    host[XGB_AGENT_HOSTNAME_MAX] = 'h';
    host[XGB_AGENT_HOSTNAME_MAX + 1] = '\0';
    line = apr_pstrcat(tp, "2795|" SID_A "|51|", host, "|R|t|c|i|1|2|t|"
                       "alice|4|3|4|5", NULL);
    ck_assert_int_eq(kept(line, "alice"), 0);
}
END_TEST

START_TEST(sessions_unprintable)
{
    /* anywhere in the line, also in fields the broker does not read:
     * the line goes to clients as SESSION_INFO */
    ck_assert_int_eq(kept("2795|" SID_A "|51|x2go1|R|2026-11-26T10:32:57|"
                          "c\x1b[2J|10.0.0.9|30001|30002|t|alice|4|3|4|5",
                          "alice"), 0);
    ck_assert_int_eq(kept("2795|" SID_A "|51|x2go1|R|t|c|10.0.0.9|1|2|t|"
                          "alic\xc3\xa9|4|3|4|5", "alice"), 0);
    ck_assert_int_eq(kept("2795|" SID_A "|51|x2go1|R|t|c|i|1|2|t|alice|4|3|"
                          "4|5\r", "alice"), 0);
    ck_assert_int_eq(kept("2795|" SID_A "|51|x2go1|R|t|c|i|1|2|t|alice|4|3|"
                          "4|\x7f", "alice"), 0);
}
END_TEST

START_TEST(sessions_no_lines)
{
    int dropped = -1;
    apr_array_header_t *s;

    s = xgb_agent_sessions_parse(tp, NULL, "alice", &dropped);
    ck_assert_int_eq(s->nelts, 0);
    ck_assert_int_eq(dropped, 0);
    s = xgb_agent_sessions_parse(tp, lines_of(NULL), "alice", NULL);
    ck_assert_int_eq(s->nelts, 0);
}
END_TEST

START_TEST(sessions_via_reply)
{
    apr_array_header_t *lines = NULL, *s;
    const char *why = NULL;
    int dropped = -1;

    ck_assert_int_eq(reply("OK\r\n" LINE16(SID_A, "x2go1", "S") "\r\n"
                           LINE16(SID_A, "x2go2", "R") "\r\n", "", &lines,
                           &why), APR_SUCCESS);
    s = xgb_agent_sessions_parse(tp, lines, "alice", &dropped);
    ck_assert_int_eq(s->nelts, 2);
    ck_assert_int_eq(dropped, 0);
    ck_assert_str_eq(APR_ARRAY_IDX(s, 1, xgb_agent_session_t).line,
                     LINE16(SID_A, "x2go2", "R"));
}
END_TEST

/* ---- xgb_agent_getservers_parse ---- */

START_TEST(getservers_counts)
{
    int dropped = -1;
    apr_array_header_t *l = xgb_agent_getservers_parse(
        tp, lines_of("x2go1 3", "x2go2.example.org 0", "x2go3 1000000",
                     NULL), &dropped);

    ck_assert_int_eq(l->nelts, 3);
    ck_assert_int_eq(dropped, 0);
    ck_assert_str_eq(load_n(l, 0)->name, "x2go1");
    ck_assert_int_eq(load_n(l, 0)->sessions, 3);
    ck_assert_int_eq(load_n(l, 0)->busy, -1);
    ck_assert_str_eq(load_n(l, 1)->name, "x2go2.example.org");
    ck_assert_int_eq(load_n(l, 1)->sessions, 0);
    ck_assert_int_eq(load_n(l, 2)->sessions, 1000000);
}
END_TEST

START_TEST(getservers_without_counts)
{
    int dropped = -1;
    apr_array_header_t *l = xgb_agent_getservers_parse(
        tp, lines_of("x2go1", "x2go2 2", NULL), &dropped);

    /* the Perl agent on a sqlite session DB: names only */
    ck_assert_int_eq(l->nelts, 2);
    ck_assert_int_eq(dropped, 0);
    ck_assert_str_eq(load_n(l, 0)->name, "x2go1");
    ck_assert_int_eq(load_n(l, 0)->sessions, -1);
    ck_assert_int_eq(load_n(l, 0)->busy, -1);
    ck_assert_int_eq(load_n(l, 1)->sessions, 2);
}
END_TEST

START_TEST(getservers_bad_numbers)
{
    ck_assert_int_eq(servers_kept("x2go1 1000001"), 0);
    ck_assert_int_eq(servers_kept("x2go1 2147483648"), 0);
    ck_assert_int_eq(servers_kept("x2go1 99999999999999999999999999999"), 0);
    ck_assert_int_eq(servers_kept("x2go1 -1"), 0);
    ck_assert_int_eq(servers_kept("x2go1 +1"), 0);
    ck_assert_int_eq(servers_kept("x2go1 0x10"), 0);
    ck_assert_int_eq(servers_kept("x2go1 1e3"), 0);
    ck_assert_int_eq(servers_kept("x2go1 3 "), 0);
    ck_assert_int_eq(servers_kept("x2go1  3"), 0);
    ck_assert_int_eq(servers_kept("x2go1 3 4"), 0);
    ck_assert_int_eq(servers_kept("x2go1 "), 0);
    ck_assert_int_eq(servers_kept("x2go1\t3"), 0);
    /* leading zeros are still a decimal */
    ck_assert_int_eq(servers_kept("x2go1 0000000000000000000000000007"), 1);
}
END_TEST

START_TEST(getservers_bad_hosts)
{
    ck_assert_int_eq(servers_kept(" 3"), 0);
    ck_assert_int_eq(servers_kept("x2go_1 3"), 0);
    ck_assert_int_eq(servers_kept("-x2go 3"), 0);
    ck_assert_int_eq(servers_kept("x2go|1 3"), 0);
    ck_assert_int_eq(servers_kept("x2go1\r"), 0);
    ck_assert_int_eq(servers_kept("h\xc3\xa9 3"), 0);
}
END_TEST

START_TEST(getservers_duplicates)
{
    int dropped = -1;
    apr_array_header_t *l = xgb_agent_getservers_parse(
        tp, lines_of("x2go1 3", "x2go2 1", "X2GO1 0", "x2go1", NULL),
        &dropped);

    ck_assert_int_eq(l->nelts, 2);
    ck_assert_int_eq(dropped, 2);
    ck_assert_str_eq(load_n(l, 0)->name, "x2go1");
    ck_assert_int_eq(load_n(l, 0)->sessions, 3);
}
END_TEST

/* ---- xgb_agent_busy_parse ---- */

START_TEST(busy_lines)
{
    int dropped = -1;
    apr_array_header_t *l = xgb_agent_busy_parse(
        tp, lines_of("1:host3", "2:host2", "7:host1", NULL), &dropped);

    /* the reference suite's fake agent, in the agent's (string) order */
    ck_assert_int_eq(l->nelts, 3);
    ck_assert_int_eq(dropped, 0);
    ck_assert_str_eq(load_n(l, 0)->name, "host3");
    ck_assert_int_eq(load_n(l, 0)->busy, 1);
    ck_assert_int_eq(load_n(l, 0)->sessions, -1);
    ck_assert_str_eq(load_n(l, 2)->name, "host1");
    ck_assert_int_eq(load_n(l, 2)->busy, 7);
}
END_TEST

START_TEST(busy_bounds)
{
    ck_assert_int_eq(busy_kept("0:x2go1"), 1);
    ck_assert_int_eq(busy_kept("100:x2go1"), 1);
    ck_assert_int_eq(busy_kept("101:x2go1"), 0);
    ck_assert_int_eq(busy_kept("-1:x2go1"), 0);
    ck_assert_int_eq(busy_kept("+1:x2go1"), 0);
    ck_assert_int_eq(busy_kept("99999999999999999999999999:x2go1"), 0);
    ck_assert_int_eq(busy_kept("9223372036854775808:x2go1"), 0);
    ck_assert_int_eq(busy_kept("007:x2go1"), 1);
}
END_TEST

START_TEST(busy_malformed)
{
    ck_assert_int_eq(busy_kept(":x2go1"), 0);
    ck_assert_int_eq(busy_kept("7:"), 0);
    ck_assert_int_eq(busy_kept("7"), 0);
    ck_assert_int_eq(busy_kept("x2go1"), 0);
    ck_assert_int_eq(busy_kept("7 :x2go1"), 0);
    ck_assert_int_eq(busy_kept("7: x2go1"), 0);
    ck_assert_int_eq(busy_kept("7:x2go1:22"), 0);
    ck_assert_int_eq(busy_kept("7:x2go_1"), 0);
    ck_assert_int_eq(busy_kept("x2go1 7"), 0);
    ck_assert_int_eq(busy_kept("7.5:x2go1"), 0);
}
END_TEST

START_TEST(busy_duplicates)
{
    int dropped = -1;
    apr_array_header_t *l = xgb_agent_busy_parse(
        tp, lines_of("7:x2go1", "0:X2go1", NULL), &dropped);

    ck_assert_int_eq(l->nelts, 1);
    ck_assert_int_eq(dropped, 1);
    ck_assert_int_eq(load_n(l, 0)->busy, 7);
}
END_TEST

START_TEST(loads_no_lines)
{
    int dropped = -1;

    ck_assert_int_eq(xgb_agent_getservers_parse(tp, NULL, &dropped)->nelts,
                     0);
    ck_assert_int_eq(dropped, 0);
    ck_assert_int_eq(xgb_agent_busy_parse(tp, NULL, NULL)->nelts, 0);
}
END_TEST

/* ---- xgb_agent_checkload_factor ---- */

/* The load factor of five lines in the agent's order. */
static long factor(const char *loadavg, const char *mem, const char *mymem,
                   const char *ncpu, const char *tcpu)
{
    return xgb_agent_checkload_factor(lines_of(
        apr_pstrcat(tp, "loadavgXX:", loadavg, NULL),
        apr_pstrcat(tp, "memAvail:", mem, NULL),
        apr_pstrcat(tp, "myMemAvail:", mymem, NULL),
        apr_pstrcat(tp, "numCPU:", ncpu, NULL),
        apr_pstrcat(tp, "typeCPU:", tcpu, NULL), NULL));
}

START_TEST(checkload_example)
{
    /* spec 6.4's example: int((24217/1000) * 2 * 2097 * 100 / 48) */
    ck_assert_int_eq(factor("48", "24217", "24292", "2", "2097"), 211596);
}
END_TEST

START_TEST(checkload_via_reply)
{
    apr_array_header_t *lines = NULL;
    const char *why = NULL;

    ck_assert_int_eq(reply("OK\nloadavgXX:48\nmemAvail:24217\n"
                           "myMemAvail:24292\nnumCPU:2\ntypeCPU:2097\n", "",
                           &lines, &why), APR_SUCCESS);
    ck_assert_int_eq(xgb_agent_checkload_factor(lines), 211596);
}
END_TEST

START_TEST(checkload_any_order_extra_lines)
{
    ck_assert_int_eq(xgb_agent_checkload_factor(lines_of(
        "typeCPU:2097", "numCPU:2", "swapFree:12", "no colon here",
        "myMemAvail:24292", "memAvail:24217", "loadavgXX:48", NULL)),
        211596);
}
END_TEST

START_TEST(checkload_float_like_reference)
{
    /* Python's float arithmetic gives 2699 here, exact arithmetic 2700:
     * the reference's number is the one that counts */
    ck_assert_int_eq(factor("1", "9", "9", "1", "3000"), 2699);
}
END_TEST

START_TEST(checkload_memavail_zero)
{
    ck_assert_int_eq(factor("48", "0", "24292", "2", "2097"), 212251);
    ck_assert_int_eq(factor("48", "0", "0", "2", "2097"), 0);
    ck_assert_int_eq(factor("48", "24217", "0", "2", "2097"), 211596);
}
END_TEST

START_TEST(checkload_zero_factors)
{
    ck_assert_int_eq(factor("48", "24217", "24292", "0", "2097"), 0);
    ck_assert_int_eq(factor("48", "24217", "24292", "2", "0"), 0);
    /* below one: truncated to 0 */
    ck_assert_int_eq(factor("100000", "1", "1", "1", "1"), 0);
}
END_TEST

START_TEST(checkload_loadavg_zero)
{
    ck_assert_int_eq(factor("0", "24217", "24292", "2", "2097"), -1);
    ck_assert_int_eq(factor("000", "24217", "24292", "2", "2097"), -1);
}
END_TEST

START_TEST(checkload_missing)
{
    ck_assert_int_eq(xgb_agent_checkload_factor(lines_of(
        "memAvail:24217", "myMemAvail:24292", "numCPU:2", "typeCPU:2097",
        NULL)), -1);
    ck_assert_int_eq(xgb_agent_checkload_factor(lines_of(
        "loadavgXX:48", "myMemAvail:24292", "numCPU:2", "typeCPU:2097",
        NULL)), -1);
    ck_assert_int_eq(xgb_agent_checkload_factor(lines_of(
        "loadavgXX:48", "memAvail:24217", "numCPU:2", "typeCPU:2097",
        NULL)), -1);
    ck_assert_int_eq(xgb_agent_checkload_factor(lines_of(
        "loadavgXX:48", "memAvail:24217", "myMemAvail:24292",
        "typeCPU:2097", NULL)), -1);
    ck_assert_int_eq(xgb_agent_checkload_factor(lines_of(
        "loadavgXX:48", "memAvail:24217", "myMemAvail:24292", "numCPU:2",
        NULL)), -1);
    /* names are case sensitive */
    ck_assert_int_eq(xgb_agent_checkload_factor(lines_of(
        "loadavgxx:48", "memAvail:24217", "myMemAvail:24292", "numCPU:2",
        "typeCPU:2097", NULL)), -1);
    ck_assert_int_eq(xgb_agent_checkload_factor(lines_of(NULL)), -1);
    ck_assert_int_eq(xgb_agent_checkload_factor(NULL), -1);
}
END_TEST

START_TEST(checkload_duplicate)
{
    ck_assert_int_eq(xgb_agent_checkload_factor(lines_of(
        "loadavgXX:48", "memAvail:24217", "myMemAvail:24292", "numCPU:2",
        "typeCPU:2097", "numCPU:64", NULL)), -1);
    /* even with the same value */
    ck_assert_int_eq(xgb_agent_checkload_factor(lines_of(
        "loadavgXX:48", "loadavgXX:48", "memAvail:24217", "myMemAvail:24292",
        "numCPU:2", "typeCPU:2097", NULL)), -1);
}
END_TEST

START_TEST(checkload_bad_numbers)
{
    ck_assert_int_eq(factor("48", "-24217", "24292", "2", "2097"), -1);
    ck_assert_int_eq(factor("-48", "24217", "24292", "2", "2097"), -1);
    ck_assert_int_eq(factor("48", "+24217", "24292", "2", "2097"), -1);
    ck_assert_int_eq(factor("48", "24217", "24292", " 2", "2097"), -1);
    ck_assert_int_eq(factor("48", "24217", "24292", "2", "2097 "), -1);
    ck_assert_int_eq(factor("48.5", "24217", "24292", "2", "2097"), -1);
    ck_assert_int_eq(factor("48", "", "24292", "2", "2097"), -1);
    ck_assert_int_eq(factor("48", "24217", "0x10", "2", "2097"), -1);
    ck_assert_int_eq(factor("48", "24217", "24292", "2", "2.1e3"), -1);
    /* a bad value in the field that is not used counts too */
    ck_assert_int_eq(factor("48", "24217", "x", "2", "2097"), -1);
}
END_TEST

START_TEST(checkload_huge_numbers)
{
    /* LONG_MAX fits, one more does not */
    ck_assert_int_eq(factor("9223372036854775807", "24217", "24292", "2",
                            "2097"), 0);
    ck_assert_int_eq(factor("9223372036854775808", "24217", "24292", "2",
                            "2097"), -1);
    ck_assert_int_eq(factor("48", "99999999999999999999999999999", "1", "2",
                            "2097"), -1);
}
END_TEST

START_TEST(checkload_clamped)
{
    ck_assert_int_eq(factor("1", "9223372036854775807", "9223372036854775807",
                            "9223372036854775807", "9223372036854775807"),
                     INT_MAX);
    ck_assert_int_eq(factor("1", "1000", "0", "1", "21474837"), INT_MAX);
    /* just below the clamp: exact */
    ck_assert_int_eq(factor("1", "1000", "0", "1", "21474836"), 2147483600);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("agentreply");
    TCase *tc = tcase_create("reply");
    TCase *ts = tcase_create("sessions");
    TCase *tl = tcase_create("loads");
    TCase *tk = tcase_create("checkload");

    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_add_test(tc, reply_ok_with_data);
    tcase_add_test(tc, reply_ok_alone);
    tcase_add_test(tc, reply_crlf_and_empty_lines);
    tcase_add_test(tc, reply_inner_cr_kept);
    tcase_add_test(tc, reply_last_line_unterminated);
    tcase_add_test(tc, reply_findbusyservers_no_sessions);
    tcase_add_test(tc, reply_not_ok);
    tcase_add_test(tc, reply_not_ok_quote_escaped);
    tcase_add_test(tc, reply_not_ok_quote_truncated);
    tcase_add_test(tc, reply_stderr);
    tcase_add_test(tc, reply_stderr_quoted);
    tcase_add_test(tc, reply_nul);
    tcase_add_test(tc, reply_empty);
    tcase_add_test(tc, reply_oversize);
    tcase_add_test(tc, reply_why_optional);
    suite_add_tcase(s, tc);

    tcase_add_checked_fixture(ts, xgb_test_setup, xgb_test_teardown);
    tcase_add_test(ts, hostnames);
    tcase_add_test(ts, sessions_16_fields);
    tcase_add_test(ts, sessions_14_fields);
    tcase_add_test(ts, sessions_order_and_count);
    tcase_add_test(ts, sessions_field_counts);
    tcase_add_test(ts, sessions_ids);
    tcase_add_test(ts, sessions_status);
    tcase_add_test(ts, sessions_hostnames);
    tcase_add_test(ts, sessions_long_hostname);
    tcase_add_test(ts, sessions_unprintable);
    tcase_add_test(ts, sessions_no_lines);
    tcase_add_test(ts, sessions_via_reply);
    suite_add_tcase(s, ts);

    tcase_add_checked_fixture(tl, xgb_test_setup, xgb_test_teardown);
    tcase_add_test(tl, getservers_counts);
    tcase_add_test(tl, getservers_without_counts);
    tcase_add_test(tl, getservers_bad_numbers);
    tcase_add_test(tl, getservers_bad_hosts);
    tcase_add_test(tl, getservers_duplicates);
    tcase_add_test(tl, busy_lines);
    tcase_add_test(tl, busy_bounds);
    tcase_add_test(tl, busy_malformed);
    tcase_add_test(tl, busy_duplicates);
    tcase_add_test(tl, loads_no_lines);
    suite_add_tcase(s, tl);

    tcase_add_checked_fixture(tk, xgb_test_setup, xgb_test_teardown);
    tcase_add_test(tk, checkload_example);
    tcase_add_test(tk, checkload_via_reply);
    tcase_add_test(tk, checkload_any_order_extra_lines);
    tcase_add_test(tk, checkload_float_like_reference);
    tcase_add_test(tk, checkload_memavail_zero);
    tcase_add_test(tk, checkload_zero_factors);
    tcase_add_test(tk, checkload_loadavg_zero);
    tcase_add_test(tk, checkload_missing);
    tcase_add_test(tk, checkload_duplicate);
    tcase_add_test(tk, checkload_bad_numbers);
    tcase_add_test(tk, checkload_huge_numbers);
    tcase_add_test(tk, checkload_clamped);
    suite_add_tcase(s, tk);
    return s;
}

XGB_TEST_MAIN()
