/*
 * test_form.c - urlencoded request fields (spec 1.3 step 5, 1.4).
 */
#include <string.h>

#include <apr_strings.h>

#include "xgb_test.h"
#include "xgb_form.h"

/* A byte string with its length, NUL bytes included. */
#define B(s) (s), (sizeof(s) - 1)

/* The members of xgb_fields_t in declaration order. */
static const char *field_at(const xgb_fields_t *f, int i)
{
    const char *const v[] = {
        f->user, f->login, f->password, f->authid, f->task, f->sid,
        f->profile_id, f->pubkey, f->newpass
    };

    return v[i];
}

static const char *const field_names[] = {
    "user", "login", "password", "authid", "task", "sid", "profile-id",
    "pubkey", "newpass"
};

typedef struct {
    const char *what;
    const char *query;
    const char *body;
    apr_size_t body_len;
    xgb_form_status_e status;
    const char *bad_field;      /* named in the reason on failure */
    const char *want[9];        /* expected members, NULL for "" */
} form_vec_t;

/* Expected values computed by running each input through the installed
 * Tornado (parse_qs_bytes, then RequestHandler.get_argument's decoding,
 * control-character and strip rules), with an invalid known field
 * mapped to XGB_FORM_BAD_UTF8.  Octal escapes keep the bytes exact. */
static const form_vec_t form_vectors[] = {
    { "plain login",
      "",
      B("user=test&password=sweet"),
      XGB_FORM_OK, NULL,
      { "test", NULL, "sweet", NULL, NULL, NULL, NULL, NULL, NULL } },
    { "query and login",
      "user=test&password=sweet&login=test_user_on_server",
      B(""),
      XGB_FORM_OK, NULL,
      { "test", "test_user_on_server", "sweet", NULL, NULL, NULL, NULL, NULL,
        NULL } },
    { "accents %-encoded",
      "",
      B("user=jacques&password=th%C3%A9r%C3%A8se"),
      XGB_FORM_OK, NULL,
      { "jacques", NULL, "th\303\251r\303\250se", NULL, NULL, NULL, NULL,
        NULL, NULL } },
    { "accents raw UTF-8",
      "",
      B("user=jacques&password=th\303\251r\303\250se"),
      XGB_FORM_OK, NULL,
      { "jacques", NULL, "th\303\251r\303\250se", NULL, NULL, NULL, NULL,
        NULL, NULL } },
    { "accents in the query",
      "user=jacques&password=th%C3%A9r%C3%A8se",
      B(""),
      XGB_FORM_OK, NULL,
      { "jacques", NULL, "th\303\251r\303\250se", NULL, NULL, NULL, NULL,
        NULL, NULL } },
    { "all known fields",
      "user=u&login=l&password=p&authid=a&task=t&sid=s",
      B("profile-id=pi&pubkey=ssh-rsa+AAAA&newpass=n"),
      XGB_FORM_OK, NULL,
      { "u", "l", "p", "a", "t", "s", "pi", "ssh-rsa AAAA", "n" } },
    { "plus and %2B",
      "",
      B("user=a+b%2Bc&password=+x%2B+"),
      XGB_FORM_OK, NULL,
      { "a b+c", NULL, " x+ ", NULL, NULL, NULL, NULL, NULL, NULL } },
    { "%-encoded name",
      "",
      B("us%65r=x&%70assword=y&profile%2Did=z"),
      XGB_FORM_OK, NULL,
      { "x", NULL, "y", NULL, NULL, NULL, "z", NULL, NULL } },
    { "names are exact",
      "",
      B("User=x&user%20=y&profile_id=z&+user=w"),
      XGB_FORM_OK, NULL,
      { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "last wins in one part",
      "",
      B("user=a&user=b&task=x&task=y"),
      XGB_FORM_OK, NULL,
      { "b", NULL, NULL, NULL, "y", NULL, NULL, NULL, NULL } },
    { "body wins over query",
      "user=q&task=q",
      B("user=b"),
      XGB_FORM_OK, NULL,
      { "b", NULL, NULL, NULL, "q", NULL, NULL, NULL, NULL } },
    { "blank body value wins",
      "user=q",
      B("user="),
      XGB_FORM_OK, NULL,
      { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "field without =",
      "",
      B("task&user=x&sid"),
      XGB_FORM_OK, NULL,
      { "x", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "bare name overrides",
      "",
      B("user=a&user"),
      XGB_FORM_OK, NULL,
      { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "= in value",
      "",
      B("user=a=b&authid==x="),
      XGB_FORM_OK, NULL,
      { "a=b", NULL, NULL, "=x=", NULL, NULL, NULL, NULL, NULL } },
    { "semicolon is no separator",
      "",
      B("user=a;task=b"),
      XGB_FORM_OK, NULL,
      { "a;task=b", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "empty pieces skipped",
      "&&user=a&&",
      B("&&&task=b&"),
      XGB_FORM_OK, NULL,
      { "a", NULL, NULL, NULL, "b", NULL, NULL, NULL, NULL } },
    { "empty name",
      "",
      B("=x&user=y"),
      XGB_FORM_OK, NULL,
      { "y", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "stray percent",
      "",
      B("user=%&login=%4&task=%zz&sid=100%&authid=%%41&pubkey=%4g%41"),
      XGB_FORM_OK, NULL,
      { "%", "%4", NULL, "%A", "%zz", "100%", NULL, "%4gA", NULL } },
    { "lower-case hex",
      "",
      B("user=%c3%a9"),
      XGB_FORM_OK, NULL,
      { "\303\251", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "control chars to space",
      "",
      B("user=a%01b%1Fc%7Fd&task=%00x%08y%0Ez"),
      XGB_FORM_OK, NULL,
      { "a b c\177d", NULL, NULL, NULL, "x y z", NULL, NULL, NULL, NULL } },
    { "tab cr lf kept inside",
      "",
      B("user=a%09b%0Ac%0Dd%0Be%0Cf"),
      XGB_FORM_OK, NULL,
      { "a\011b\012c\015d\013e\014f", NULL, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL } },
    { "strip ascii",
      "",
      B("user=%20%09x%20y%0D%0A&task=%1C%1Dt%1E%1F&login=%0B%0Cl%0C"),
      XGB_FORM_OK, NULL,
      { "x y", "l", NULL, NULL, "t", NULL, NULL, NULL, NULL } },
    { "strip unicode spaces",
      "",
      B("user=%C2%A0x%C2%85&task=%E3%80%80t%E2%80%A8&sid=%E2%80%80s%E2%80%8A%"
        "E2%80%AF&login=%E1%9A%80l%E2%81%9F%E2%80%A9"),
      XGB_FORM_OK, NULL,
      { "x", "l", NULL, NULL, "t", "s", NULL, NULL, NULL } },
    { "no strip of non-spaces",
      "",
      B("user=%E2%80%8Bx%E2%80%8B&task=%EF%BB%BFt"),
      XGB_FORM_OK, NULL,
      { "\342\200\213x\342\200\213", NULL, NULL, NULL, "\357\273\277t", NULL,
        NULL, NULL, NULL } },
    { "control chars become strippable",
      "",
      B("user=%01%02u%03"),
      XGB_FORM_OK, NULL,
      { "u", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "password kept as is",
      "",
      B("password=%20%09secret%20%C2%A0"),
      XGB_FORM_OK, NULL,
      { NULL, NULL, " \011secret \302\240", NULL, NULL, NULL, NULL, NULL,
        NULL } },
    { "password controls replaced",
      "",
      B("password=%00a%01"),
      XGB_FORM_OK, NULL,
      { NULL, NULL, " a ", NULL, NULL, NULL, NULL, NULL, NULL } },
    { "NUL bytes in the body",
      "",
      B("user=a\000b&task=x\000&\000sid=y&sid\000=z"),
      XGB_FORM_OK, NULL,
      { "a b", NULL, NULL, NULL, "x", NULL, NULL, NULL, NULL } },
    { "NUL in a name",
      "",
      B("us\000er=x&user=ok"),
      XGB_FORM_OK, NULL,
      { "ok", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "4-byte UTF-8 and noncharacters",
      "",
      B("user=%F0%9F%98%80&task=%EF%BF%BF&sid=%F4%8F%BF%BF"),
      XGB_FORM_OK, NULL,
      { "\360\237\230\200", NULL, NULL, NULL, "\357\277\277",
        "\364\217\277\277", NULL, NULL, NULL } },
    { "raw latin1 is invalid",
      "",
      B("user=caf\351"),
      XGB_FORM_BAD_UTF8, "user",
      { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "invalid %FF",
      "",
      B("user=%FF"),
      XGB_FORM_BAD_UTF8, "user",
      { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "invalid raw FF",
      "user=\377",
      B(""),
      XGB_FORM_BAD_UTF8, "user",
      { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "overlong slash 2 bytes",
      "",
      B("task=%C0%AF"),
      XGB_FORM_BAD_UTF8, "task",
      { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "overlong 3 bytes",
      "",
      B("task=%E0%80%AF"),
      XGB_FORM_BAD_UTF8, "task",
      { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "overlong 4 bytes",
      "",
      B("task=%F0%80%80%AF"),
      XGB_FORM_BAD_UTF8, "task",
      { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "C1 lead",
      "",
      B("task=%C1%BF"),
      XGB_FORM_BAD_UTF8, "task",
      { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "surrogate",
      "",
      B("password=%ED%A0%80"),
      XGB_FORM_BAD_UTF8, "password",
      { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "surrogate low",
      "",
      B("password=%ED%BF%BF"),
      XGB_FORM_BAD_UTF8, "password",
      { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "above U+10FFFF",
      "",
      B("sid=%F4%90%80%80"),
      XGB_FORM_BAD_UTF8, "sid",
      { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "F5 lead",
      "",
      B("sid=%F5%80%80%80"),
      XGB_FORM_BAD_UTF8, "sid",
      { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "truncated sequence",
      "",
      B("login=%C3"),
      XGB_FORM_BAD_UTF8, "login",
      { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "truncated before next",
      "",
      B("login=%E2%82x"),
      XGB_FORM_BAD_UTF8, "login",
      { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "stray continuation",
      "",
      B("authid=%80"),
      XGB_FORM_BAD_UTF8, "authid",
      { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "invalid in earlier duplicate",
      "",
      B("user=%FF&user=ok"),
      XGB_FORM_BAD_UTF8, "user",
      { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "invalid in query, body fine",
      "user=%FF",
      B("user=ok"),
      XGB_FORM_BAD_UTF8, "user",
      { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "invalid in profile-id",
      "",
      B("profile-id=%FF"),
      XGB_FORM_BAD_UTF8, "profile-id",
      { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "invalid in newpass",
      "",
      B("newpass=%FF"),
      XGB_FORM_BAD_UTF8, "newpass",
      { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "invalid in pubkey",
      "",
      B("pubkey=%FF"),
      XGB_FORM_BAD_UTF8, "pubkey",
      { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "invalid in unknown field",
      "",
      B("foo=%FF&user=ok"),
      XGB_FORM_OK, NULL,
      { "ok", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
    { "invalid in unknown name",
      "",
      B("%FF=1&user=ok"),
      XGB_FORM_OK, NULL,
      { "ok", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL } },
};

#define N_FORM_VECTORS \
    ((int)(sizeof(form_vectors) / sizeof(form_vectors[0])))

START_TEST(tornado_vector)
{
    const form_vec_t *v = &form_vectors[_i];
    xgb_fields_t f;
    const char *reason = "unset";
    xgb_form_status_e rv;
    int i;

    rv = xgb_form_parse(tp, v->query, v->body, v->body_len, 0, &f, &reason);
    ck_assert_msg(rv == v->status, "%s: status %d, expected %d (%s)",
                  v->what, rv, v->status, reason ? reason : "");
    if (rv != XGB_FORM_OK) {
        ck_assert_ptr_nonnull(reason);
        ck_assert_msg(strstr(reason, "invalid UTF-8") != NULL, "%s: %s",
                      v->what, reason);
        ck_assert_ptr_nonnull(strstr(reason, apr_psprintf(tp, "'%s'",
                                                          v->bad_field)));
        return;
    }
    ck_assert_ptr_null(reason);
    for (i = 0; i < 9; i++) {
        const char *want = v->want[i] ? v->want[i] : "";
        const char *got = field_at(&f, i);

        ck_assert_ptr_nonnull(got);
        ck_assert_msg(strcmp(got, want) == 0, "%s: field %s is '%s', "
                      "expected '%s'", v->what, field_names[i], got, want);
    }
}
END_TEST

START_TEST(vector_count)
{
    /* Guards against rows lost in an edit. */
    ck_assert_int_eq(N_FORM_VECTORS, 52);
}
END_TEST

/* ---- nothing to parse ------------------------------------------------ */

START_TEST(empty_input)
{
    xgb_fields_t f;
    const char *reason = "unset";
    int i;

    ck_assert_int_eq(xgb_form_parse(tp, NULL, NULL, 0, 0, &f, &reason),
                     XGB_FORM_OK);
    ck_assert_ptr_null(reason);
    for (i = 0; i < 9; i++) {
        ck_assert_str_eq(field_at(&f, i), "");
    }
    ck_assert_int_eq(xgb_form_parse(tp, "", "", 0, 0, &f, NULL),
                     XGB_FORM_OK);
    ck_assert_str_eq(f.user, "");
    /* body_len rules, not NUL termination: nothing past it is read. */
    ck_assert_int_eq(xgb_form_parse(tp, NULL, "user=x", 0, 0, &f, NULL),
                     XGB_FORM_OK);
    ck_assert_str_eq(f.user, "");
    ck_assert_int_eq(xgb_form_parse(tp, NULL, "user=xyz", 6, 0, &f, NULL),
                     XGB_FORM_OK);
    ck_assert_str_eq(f.user, "x");
    /* A body of only separators. */
    ck_assert_int_eq(xgb_form_parse(tp, "&&&", B("&&&"), 0, &f, NULL),
                     XGB_FORM_OK);
    ck_assert_str_eq(f.task, "");
}
END_TEST

START_TEST(null_arguments)
{
    xgb_fields_t f;
    const char *reason = "unset";

    /* No output: nothing to do, no crash. */
    ck_assert_int_eq(xgb_form_parse(tp, "user=x", NULL, 0, 0, NULL, &reason),
                     XGB_FORM_OK);
    ck_assert_ptr_null(reason);
    /* No pool: fields come back empty rather than crashing. */
    ck_assert_int_eq(xgb_form_parse(NULL, "user=x", NULL, 0, 0, &f, NULL),
                     XGB_FORM_OK);
    ck_assert_str_eq(f.user, "");
    /* body NULL with a length is taken as no body. */
    ck_assert_int_eq(xgb_form_parse(tp, "user=x", NULL, 99, 0, &f, NULL),
                     XGB_FORM_OK);
    ck_assert_str_eq(f.user, "x");
}
END_TEST

/* ---- length limit ---------------------------------------------------- */

START_TEST(field_length)
{
    xgb_fields_t f;
    const char *reason;

    /* Exactly the limit is fine; one byte more is not. */
    ck_assert_int_eq(xgb_form_parse(tp, NULL, B("user=12345678"), 8, &f,
                                    &reason), XGB_FORM_OK);
    ck_assert_str_eq(f.user, "12345678");
    ck_assert_int_eq(xgb_form_parse(tp, NULL, B("user=123456789"), 8, &f,
                                    &reason), XGB_FORM_TOO_LONG);
    ck_assert_ptr_nonnull(strstr(reason, "'user'"));
    ck_assert_ptr_nonnull(strstr(reason, "8"));
    /* Counted after %-decoding: 24 bytes on the wire, 8 decoded. */
    ck_assert_int_eq(xgb_form_parse(tp, NULL,
                                    B("user=%41%41%41%41%41%41%41%41"), 8,
                                    &f, &reason), XGB_FORM_OK);
    ck_assert_str_eq(f.user, "AAAAAAAA");
    /* Counted before stripping: blanks count as well. */
    ck_assert_int_eq(xgb_form_parse(tp, NULL, B("user=++++++x+"), 8, &f,
                                    &reason), XGB_FORM_OK);
    ck_assert_int_eq(xgb_form_parse(tp, NULL, B("user=+++++++x+"), 8, &f,
                                    &reason), XGB_FORM_TOO_LONG);
    /* Every known field, every occurrence; in the query too. */
    ck_assert_int_eq(xgb_form_parse(tp, NULL,
                                    B("password=123456789&password=1"), 8,
                                    &f, &reason), XGB_FORM_TOO_LONG);
    ck_assert_ptr_nonnull(strstr(reason, "'password'"));
    ck_assert_int_eq(xgb_form_parse(tp, "profile-id=123456789", NULL, 0, 8,
                                    &f, &reason), XGB_FORM_TOO_LONG);
    ck_assert_ptr_nonnull(strstr(reason, "'profile-id'"));
    /* Unknown fields may be long. */
    ck_assert_int_eq(xgb_form_parse(tp, NULL, B("junk=123456789&user=x"), 8,
                                    &f, &reason), XGB_FORM_OK);
    ck_assert_str_eq(f.user, "x");
    /* The limit is checked before UTF-8. */
    ck_assert_int_eq(xgb_form_parse(tp, NULL, B("user=%FF%FF%FF"), 2, &f,
                                    &reason), XGB_FORM_TOO_LONG);
    /* 0 means no limit. */
    ck_assert_int_eq(xgb_form_parse(tp, NULL, B("user=123456789"), 0, &f,
                                    &reason), XGB_FORM_OK);
    ck_assert_str_eq(f.user, "123456789");
}
END_TEST

START_TEST(huge_field)
{
    apr_size_t n = 4 * 1024 * 1024;
    char *body = apr_palloc(tp, n);
    xgb_fields_t f;
    const char *reason;

    memcpy(body, "pubkey=", 7);
    memset(body + 7, 'A', n - 7);
    ck_assert_int_eq(xgb_form_parse(tp, NULL, body, n, 0, &f, &reason),
                     XGB_FORM_OK);
    ck_assert_uint_eq(strlen(f.pubkey), n - 7);
    ck_assert_int_eq(xgb_form_parse(tp, NULL, body, n, 4096, &f, &reason),
                     XGB_FORM_TOO_LONG);
    ck_assert_ptr_nonnull(strstr(reason, "'pubkey'"));
    /* A huge unknown name without '=' is just ignored. */
    memset(body, 'x', n);
    ck_assert_int_eq(xgb_form_parse(tp, NULL, body, n, 4096, &f, &reason),
                     XGB_FORM_OK);
}
END_TEST

/* ---- field count limit ----------------------------------------------- */

static const char *many_fields(apr_pool_t *p, int n, const char *name)
{
    const char *s = "";
    int i;

    for (i = 0; i < n; i++) {
        s = apr_pstrcat(p, s, i ? "&" : "", name, "=", "v", NULL);
    }
    return s;
}

START_TEST(field_count)
{
    xgb_fields_t f;
    const char *reason, *body;

    body = many_fields(tp, XGB_FORM_MAX_FIELDS, "x");
    ck_assert_int_eq(xgb_form_parse(tp, NULL, body, strlen(body), 0, &f,
                                    &reason), XGB_FORM_OK);
    body = apr_pstrcat(tp, body, "&user=u", NULL);
    ck_assert_int_eq(xgb_form_parse(tp, NULL, body, strlen(body), 0, &f,
                                    &reason), XGB_FORM_TOO_MANY);
    ck_assert_ptr_nonnull(strstr(reason, "64"));
    /* Known fields count too, and query plus body together. */
    body = many_fields(tp, 40, "user");
    ck_assert_int_eq(xgb_form_parse(tp, many_fields(tp, 24, "task"), body,
                                    strlen(body), 0, &f, &reason),
                     XGB_FORM_OK);
    ck_assert_int_eq(xgb_form_parse(tp, many_fields(tp, 25, "task"), body,
                                    strlen(body), 0, &f, &reason),
                     XGB_FORM_TOO_MANY);
    /* Empty pieces are skipped, not counted. */
    body = apr_pstrcat(tp, many_fields(tp, XGB_FORM_MAX_FIELDS, "x"),
                       "&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&&",
                       NULL);
    ck_assert_int_eq(xgb_form_parse(tp, "&&&&", body, strlen(body), 0, &f,
                                    &reason), XGB_FORM_OK);
    /* Pieces without '=' count. */
    body = apr_pstrcat(tp, many_fields(tp, XGB_FORM_MAX_FIELDS, "x"), "&y",
                       NULL);
    ck_assert_int_eq(xgb_form_parse(tp, NULL, body, strlen(body), 0, &f,
                                    &reason), XGB_FORM_TOO_MANY);
}
END_TEST

/* ---- UTF-8 validator ------------------------------------------------- */

START_TEST(utf8_validator)
{
    static const struct {
        const char *s;
        apr_size_t len;
        int ok;
    } v[] = {
        { B(""), 1 },
        { B("plain ascii"), 1 },
        { B("nul\000inside"), 1 },
        { B("\303\251"), 1 },                   /* U+00E9 */
        { B("\337\277"), 1 },                   /* U+07FF */
        { B("\340\240\200"), 1 },               /* U+0800 */
        { B("\355\237\277"), 1 },               /* U+D7FF */
        { B("\356\200\200"), 1 },               /* U+E000 */
        { B("\357\277\277"), 1 },               /* U+FFFF */
        { B("\360\220\200\200"), 1 },           /* U+10000 */
        { B("\364\217\277\277"), 1 },           /* U+10FFFF */
        { B("\200"), 0 },                       /* lone continuation */
        { B("\277"), 0 },
        { B("\300\200"), 0 },                   /* overlong NUL */
        { B("\301\277"), 0 },                   /* overlong DEL */
        { B("\340\237\277"), 0 },               /* overlong U+07FF */
        { B("\360\217\277\277"), 0 },           /* overlong U+FFFF */
        { B("\355\240\200"), 0 },               /* U+D800 */
        { B("\355\277\277"), 0 },               /* U+DFFF */
        { B("\364\220\200\200"), 0 },           /* U+110000 */
        { B("\365\200\200\200"), 0 },
        { B("\370\210\200\200\200"), 0 },       /* 5-byte form */
        { B("\376"), 0 },
        { B("\377"), 0 },
        { B("\303"), 0 },                       /* truncated */
        { B("\342\202"), 0 },
        { B("\360\237\230"), 0 },
        { B("\303("), 0 },                      /* bad continuation */
        { B("\342\202("), 0 },
        { B("a\303\251\360\237\230\200z"), 1 },
    };
    apr_size_t i;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        ck_assert_msg(xgb_utf8_valid(v[i].s, v[i].len) == v[i].ok,
                      "case %d", (int)i);
    }
    /* Length rules: a valid prefix of an invalid string is valid. */
    ck_assert_int_eq(xgb_utf8_valid("ab\377", 2), 1);
    ck_assert_int_eq(xgb_utf8_valid("\303\251", 1), 0);
    ck_assert_int_eq(xgb_utf8_valid(NULL, 0), 1);
    ck_assert_int_eq(xgb_utf8_valid(NULL, 1), 0);
}
END_TEST

START_TEST(reason_has_no_value)
{
    xgb_fields_t f;
    const char *reason;

    ck_assert_int_eq(xgb_form_parse(tp, NULL, B("password=s3cr3t%FF"), 0,
                                    &f, &reason), XGB_FORM_BAD_UTF8);
    ck_assert_str_eq(reason, "field 'password': invalid UTF-8");
    ck_assert_ptr_null(strstr(reason, "s3cr3t"));
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("form");
    TCase *tc;

    tc = tcase_create("tornado");
    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_add_loop_test(tc, tornado_vector, 0, N_FORM_VECTORS);
    tcase_add_test(tc, vector_count);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, empty_input);
    tcase_add_test(tc, null_arguments);
    tcase_add_test(tc, field_length);
    tcase_add_test(tc, huge_field);
    tcase_add_test(tc, field_count);
    tcase_add_test(tc, reason_has_no_value);
    suite_add_tcase(s, tc);

    tc = tcase_create("utf8");
    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_add_test(tc, utf8_validator);
    suite_add_tcase(s, tc);

    return s;
}

XGB_TEST_MAIN()
