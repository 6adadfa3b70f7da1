/*
 * test_ini.c - the RawConfigParser-compatible INI reader and the value
 * converters (spec 3.1).  Expected values were taken from Python 3.11's
 * configparser, int() and eval() on the same input.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <apr_strings.h>
#include <apr_file_io.h>

#include "xgb_test.h"
#include "xgb_ini.h"

/* ---- helpers ------------------------------------------------------------ */

static xgb_ini_t *parse_ok(const char *text)
{
    xgb_ini_t *ini = NULL;
    const char *err = NULL;
    apr_status_t rv = xgb_ini_parse(tp, "t.ini", text, strlen(text), &ini,
                                    &err);

    ck_assert_msg(rv == APR_SUCCESS, "unexpected error: %s", err);
    ck_assert_ptr_nonnull(ini);
    return ini;
}

static void parse_fails(const char *text, apr_size_t len, const char *msg)
{
    xgb_ini_t *ini = (xgb_ini_t *)1;
    const char *err = NULL;

    ck_assert_int_eq(xgb_ini_parse(tp, "t.ini", text, len, &ini, &err),
                     APR_EINVAL);
    ck_assert_ptr_null(ini);
    ck_assert_str_eq(err, msg);
}

/* Every test text is a literal; sizeof keeps embedded NULs. */
#define FAILS(text, msg) parse_fails(text, sizeof(text) - 1, msg)

static const char *value(const xgb_ini_t *ini, const char *sec,
                         const char *key)
{
    const xgb_ini_section_t *s = strcmp(sec, "DEFAULT") ? xgb_ini_section(
                                     ini, sec) : ini->defaults;
    const xgb_ini_entry_t *e = xgb_ini_entry(s, key);

    return e ? e->value : NULL;
}

static const xgb_ini_entry_t *entry_at(const xgb_ini_t *ini, int s, int k)
{
    const xgb_ini_section_t *sec = APR_ARRAY_IDX(ini->sections, s,
                                                 xgb_ini_section_t *);

    return APR_ARRAY_IDX(sec->entries, k, xgb_ini_entry_t *);
}

static apr_array_header_t *list_ok(const char *s)
{
    apr_array_header_t *l = NULL;
    const char *why = NULL;

    ck_assert_msg(xgb_ini_to_list(tp, s, &l, &why) == APR_SUCCESS,
                  "list '%s' refused: %s", s, why);
    return l;
}

/* The list as "a|b|c" for compact assertions. */
static const char *joined(const apr_array_header_t *l)
{
    return apr_array_pstrcat(tp, l, '|');
}

static void list_fails(const char *s, const char *why_expected)
{
    apr_array_header_t *l;
    const char *why = NULL;

    ck_assert_int_eq(xgb_ini_to_list(tp, s, &l, &why), APR_EINVAL);
    ck_assert_str_eq(why, why_expected);
}

static const char *write_temp(const char *content, apr_size_t len)
{
    char *path = apr_pstrdup(tp, "/tmp/xgb_test_ini_XXXXXX");
    int fd = mkstemp(path);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, content, len), (ssize_t)len);
    close(fd);
    return path;
}

/* ---- structure ---------------------------------------------------------- */

START_TEST(sections_and_keys_in_file_order)
{
    xgb_ini_t *ini = parse_ok("# head\n; also a comment\n\n"
                              "[b]\nz = 1\ny: 2\n"
                              "[a]\nkey=v\n");
    const xgb_ini_section_t *b;

    ck_assert_int_eq(ini->sections->nelts, 2);
    b = APR_ARRAY_IDX(ini->sections, 0, xgb_ini_section_t *);
    ck_assert_str_eq(b->name, "b");
    ck_assert_int_eq(b->line, 4);
    ck_assert_str_eq(entry_at(ini, 0, 0)->key, "z");
    ck_assert_int_eq(entry_at(ini, 0, 0)->line, 5);
    ck_assert_str_eq(entry_at(ini, 0, 1)->key, "y");
    ck_assert_str_eq(entry_at(ini, 0, 1)->value, "2");
    ck_assert_str_eq(entry_at(ini, 1, 0)->key, "key");
    ck_assert_int_eq(entry_at(ini, 1, 0)->line, 8);
    ck_assert_int_eq(ini->defaults->entries->nelts, 0);
    ck_assert_int_eq(ini->defaults->line, 0);
}
END_TEST

START_TEST(delimiters_and_stripping)
{
    xgb_ini_t *ini = parse_ok("[s]\n"
                              "a: b=c\n"
                              "d=e:f\n"
                              "g   =   spaced value  \n"
                              "Case=Kept\n"
                              "h = v # not a comment\n"
                              "i =\n"
                              "a b = c\n");

    ck_assert_str_eq(value(ini, "s", "a"), "b=c");
    ck_assert_str_eq(value(ini, "s", "d"), "e:f");
    ck_assert_str_eq(value(ini, "s", "g"), "spaced value");
    ck_assert_str_eq(value(ini, "s", "Case"), "Kept");
    ck_assert_ptr_null(value(ini, "s", "case"));
    ck_assert_str_eq(value(ini, "s", "h"), "v # not a comment");
    ck_assert_str_eq(value(ini, "s", "i"), "");
    ck_assert_str_eq(value(ini, "s", "a b"), "c");
    /* any indentation deeper than the key's continues its value */
    ini = parse_ok("[s]\nd = e\n  g = f\n");
    ck_assert_str_eq(value(ini, "s", "d"), "e\ng = f");
    ck_assert_ptr_null(value(ini, "s", "g"));
}
END_TEST

START_TEST(continuation_lines)
{
    xgb_ini_t *ini = parse_ok("[s]\n"
                              "multi = first\n"
                              "  second\n"
                              "\n"
                              "   \n"
                              "  # comment lines are skipped\n"
                              "\tthird\n"
                              "\n"
                              "\n"
                              "next = x\n"
                              "empty =\n"
                              "  starts on the next line\n"
                              "  key = deeper\n"
                              "   more\n"
                              "  back = 1\n");

    /* inner blank lines stay, trailing ones go */
    ck_assert_str_eq(value(ini, "s", "multi"), "first\nsecond\n\n\nthird");
    ck_assert_str_eq(value(ini, "s", "next"), "x");
    ck_assert_str_eq(value(ini, "s", "empty"),
                     "\nstarts on the next line\nkey = deeper\nmore\n"
                     "back = 1");
}
END_TEST

START_TEST(continuation_needs_deeper_indent)
{
    /* an indented key only continues with a deeper indentation */
    xgb_ini_t *ini = parse_ok("[s]\n"
                              "  a = 1\n"
                              "  b = 2\n"
                              "   c\n"
                              "[t]\n"
                              " x = y\n");

    ck_assert_str_eq(value(ini, "s", "a"), "1");
    ck_assert_str_eq(value(ini, "s", "b"), "2\nc");
    ck_assert_str_eq(value(ini, "t", "x"), "y");
}
END_TEST

START_TEST(indented_header_is_a_value)
{
    xgb_ini_t *ini = parse_ok("[s]\nk = v\n  [t]\n");

    ck_assert_str_eq(value(ini, "s", "k"), "v\n[t]");
    ck_assert_ptr_null(xgb_ini_section(ini, "t"));
}
END_TEST

START_TEST(header_forms)
{
    xgb_ini_t *ini = parse_ok("[a]b]c]\nk=1\n"
                              "[x] trailing text\nk=2\n"
                              "[ spaced ]\nk=3\n"
                              "[y]=z\nk=4\n"
                              "[p]\n[]=5\n");

    ck_assert_str_eq(value(ini, "a]b]c", "k"), "1");
    ck_assert_str_eq(value(ini, "x", "k"), "2");
    ck_assert_str_eq(value(ini, " spaced ", "k"), "3");
    ck_assert_str_eq(value(ini, "y", "k"), "4");
    /* "[]" is no header: it is a key */
    ck_assert_str_eq(value(ini, "p", "[]"), "5");
}
END_TEST

START_TEST(default_section)
{
    xgb_ini_t *ini = parse_ok("[DEFAULT]\na = 1\n[s]\nb = 2\n"
                              "[DEFAULT]\nc = 3\n");

    ck_assert_int_eq(ini->sections->nelts, 1);
    ck_assert_int_eq(ini->defaults->line, 1);
    ck_assert_int_eq(ini->defaults->entries->nelts, 2);
    ck_assert_str_eq(value(ini, "DEFAULT", "a"), "1");
    ck_assert_str_eq(value(ini, "DEFAULT", "c"), "3");
    ck_assert_ptr_null(xgb_ini_section(ini, "DEFAULT"));
    /* [default] is an ordinary section: names are case-sensitive */
    ini = parse_ok("[default]\nk=v\n");
    ck_assert_int_eq(ini->sections->nelts, 1);
}
END_TEST

START_TEST(line_ends)
{
    const char text[] = "[s]\r\na = 1\r\n  b\r\n[t]\rc = 2\rd = 3\n"
                        "[u]\r\nbad\r\n";
    xgb_ini_t *ini;
    const char *err;

    ck_assert_int_eq(xgb_ini_parse(tp, "t.ini", text, 33, &ini, &err),
                     APR_SUCCESS);
    ck_assert_str_eq(value(ini, "s", "a"), "1\nb");
    ck_assert_str_eq(value(ini, "t", "c"), "2");
    ck_assert_int_eq(xgb_ini_entry(xgb_ini_section(ini, "t"), "d")->line, 6);
    /* line numbers count CRLF and CR as one line end each */
    parse_fails(text, sizeof(text) - 1,
                "t.ini:8: line is neither a section header nor "
                "'key = value'");
}
END_TEST

START_TEST(python_whitespace)
{
    /* NBSP, U+3000 and U+001C are white space to Python's strip() */
    xgb_ini_t *ini = parse_ok("[s]\n"
                              "a =\xc2\xa0v\xc2\xa0\n"
                              "b = \xe3\x80\x80w\x1c\n"
                              "d = \xc3\xa9\n"
                              "\xc2\xa0" "c = x\n"
                              "\xc2\xa0\xc2\xa0 y\n");

    ck_assert_str_eq(value(ini, "s", "a"), "v");
    ck_assert_str_eq(value(ini, "s", "b"), "w");
    /* an NBSP indents: "c = x" continues "d" */
    ck_assert_str_eq(value(ini, "s", "d"), "\xc3\xa9\nc = x\ny");
    /* indentation counts characters, not bytes: 1 NBSP is not deeper
     * than 1 space */
    ini = parse_ok("[s]\n a = 1\n\xc2\xa0" "b = 2\n  \xe3\x80\x80" "c\n");
    ck_assert_str_eq(value(ini, "s", "a"), "1");
    ck_assert_str_eq(value(ini, "s", "b"), "2\nc");
}
END_TEST

START_TEST(empty_and_null_input)
{
    xgb_ini_t *ini = NULL;
    const char *err = "x";

    ck_assert_int_eq(xgb_ini_parse(tp, NULL, NULL, 0, &ini, &err),
                     APR_SUCCESS);
    ck_assert_ptr_null(err);
    ck_assert_int_eq(ini->sections->nelts, 0);
    ck_assert_ptr_nonnull(ini->defaults);
    ck_assert_ptr_null(xgb_ini_section(NULL, "a"));
    ck_assert_ptr_null(xgb_ini_section(ini, NULL));
    ck_assert_ptr_null(xgb_ini_entry(NULL, "a"));
    ck_assert_ptr_null(xgb_ini_entry(ini->defaults, NULL));
    ini = parse_ok("\n\n   \n# only comments\n");
    ck_assert_int_eq(ini->sections->nelts, 0);
}
END_TEST

/* ---- errors ------------------------------------------------------------- */

START_TEST(error_duplicate_section)
{
    FAILS("[a]\nk=1\n\n[a]\n",
                "t.ini:4: duplicate section 'a' (first at line 1)");
}
END_TEST

START_TEST(error_duplicate_key)
{
    FAILS("[a]\nk=1\nj=2\nk : 3\n",
                "t.ini:4: duplicate key 'k' in section 'a' "
                "(first at line 2)");
    FAILS("[DEFAULT]\nk=1\n[a]\n[DEFAULT]\nk=2\n",
                "t.ini:5: duplicate key 'k' in section 'DEFAULT' "
                "(first at line 2)");
}
END_TEST

START_TEST(error_key_outside_section)
{
    FAILS("# c\n\nk = v\n[a]\n",
                "t.ini:3: key outside of any section");
    FAILS("[]\n", "t.ini:1: key outside of any section");
}
END_TEST

START_TEST(error_no_delimiter)
{
    FAILS("[a]\nk=1\nplain words\n",
                "t.ini:3: line is neither a section header nor "
                "'key = value'");
    FAILS("[a]\n[]\n", "t.ini:2: line is neither a section header "
                "nor 'key = value'");
}
END_TEST

START_TEST(error_empty_key)
{
    FAILS("[a]\n = v\n", "t.ini:2: empty key");
    FAILS("[a]\n\xc2\xa0: v\n", "t.ini:2: empty key");
}
END_TEST

START_TEST(error_bad_bytes)
{
    FAILS("[a]\nk=\xff\n", "t.ini:2: invalid UTF-8");
    FAILS("[a]\r\n\r\nk=\xed\xa0\x80\n", "t.ini:3: invalid UTF-8");
    FAILS("[a]\nk=\xc0\xaf\n", "t.ini:2: invalid UTF-8");
    FAILS("[a]\nk=v\nx=\0\n", "t.ini:3: NUL byte in file");
}
END_TEST

START_TEST(error_too_large)
{
    char *big = apr_palloc(tp, XGB_INI_MAX_SIZE + 1);

    memset(big, '#', XGB_INI_MAX_SIZE + 1);
    parse_fails(big, XGB_INI_MAX_SIZE + 1, "t.ini: larger than 4194304 "
                "bytes");
}
END_TEST

/* ---- files -------------------------------------------------------------- */

START_TEST(load_file)
{
    const char *path = write_temp("[a]\nk = v\n", 10);
    xgb_ini_t *ini;
    const char *err;

    ck_assert_int_eq(xgb_ini_load(tp, path, &ini, &err), APR_SUCCESS);
    ck_assert_str_eq(ini->name, path);
    ck_assert_str_eq(value(ini, "a", "k"), "v");
    unlink(path);
    path = write_temp("[a]\nk\n", 6);
    ck_assert_int_eq(xgb_ini_load(tp, path, &ini, &err), APR_EINVAL);
    ck_assert_str_eq(err, apr_pstrcat(tp, path, ":2: line is neither a "
                                      "section header nor 'key = value'",
                                      NULL));
    unlink(path);
}
END_TEST

START_TEST(load_file_errors)
{
    const char *path = write_temp("[a]\nk = v\n", 10);
    xgb_ini_t *ini = (xgb_ini_t *)1;
    const char *err = NULL;
    char *text;
    apr_size_t len;
    apr_status_t rv;

    rv = xgb_ini_load(tp, "/nonexistent/xgb.conf", &ini, &err);
    ck_assert(APR_STATUS_IS_ENOENT(rv));
    ck_assert_ptr_null(ini);
    ck_assert(strncmp(err, "/nonexistent/xgb.conf: ", 23) == 0);
    rv = xgb_ini_read_file(tp, path, 9, &text, &len, &err);
    ck_assert_int_eq(rv, APR_EINVAL);
    ck_assert_str_eq(err, apr_pstrcat(tp, path, ": larger than 9 bytes",
                                      NULL));
    ck_assert_int_eq(xgb_ini_read_file(tp, path, 10, &text, &len, &err),
                     APR_SUCCESS);
    ck_assert_int_eq(len, 10);
    ck_assert_str_eq(text, "[a]\nk = v\n");
    unlink(path);
    ck_assert_int_eq(xgb_ini_load(tp, "/tmp", &ini, &err), APR_EINVAL);
    ck_assert_str_eq(err, "/tmp: not a regular file");
    ck_assert_int_ne(xgb_ini_load(tp, NULL, &ini, NULL), APR_SUCCESS);
}
END_TEST

/* ---- converters --------------------------------------------------------- */

START_TEST(booleans)
{
    static const char *const on[] = { "1", "yes", "true", "on", "TRUE",
                                      "Yes", "oN" };
    static const char *const off[] = { "0", "no", "false", "off", "FALSE",
                                       "No", "OFF" };
    static const char *const bad[] = { "", "2", "tru", "yes ", "enabled",
                                       "not-set", "y" };
    int i, b;

    for (i = 0; i < 7; i++) {
        b = -1;
        ck_assert_msg(xgb_ini_to_bool(on[i], &b) && b == 1, "%s", on[i]);
        b = -1;
        ck_assert_msg(xgb_ini_to_bool(off[i], &b) && b == 0, "%s", off[i]);
        ck_assert_msg(!xgb_ini_to_bool(bad[i], &b), "%s", bad[i]);
    }
    ck_assert(!xgb_ini_to_bool(NULL, &b));
}
END_TEST

START_TEST(integers)
{
    apr_int64_t v = 0;

    ck_assert_int_eq(xgb_ini_to_int("22", &v), 1);
    ck_assert_int_eq(v, 22);
    ck_assert_int_eq(xgb_ini_to_int(" +5\t", &v), 1);
    ck_assert_int_eq(v, 5);
    ck_assert_int_eq(xgb_ini_to_int("-5", &v), 1);
    ck_assert_int_eq(v, -5);
    ck_assert_int_eq(xgb_ini_to_int("007", &v), 1);
    ck_assert_int_eq(v, 7);
    ck_assert_int_eq(xgb_ini_to_int("1_000_0", &v), 1);
    ck_assert_int_eq(v, 10000);
    ck_assert_int_eq(xgb_ini_to_int("\xc2\xa0" "12", &v), 1);
    ck_assert_int_eq(v, 12);
    ck_assert_int_eq(xgb_ini_to_int("9223372036854775807", &v), 1);
    ck_assert(v == APR_INT64_MAX);
    ck_assert_int_eq(xgb_ini_to_int("-9223372036854775808", &v), 1);
    ck_assert(v == APR_INT64_MIN);
    ck_assert_int_eq(xgb_ini_to_int("9223372036854775808", &v), -1);
    ck_assert_int_eq(xgb_ini_to_int("-99999999999999999999", &v), -1);
}
END_TEST

START_TEST(integers_invalid)
{
    static const char *const bad[] = {
        "", " ", "abc", "_1", "1_", "1__0", "0x10", "1.0", "- 5", "+",
        "12\x1c", "1e3", "not-set", "٢"
    };
    apr_int64_t v = 42;
    int i;

    for (i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
        ck_assert_msg(xgb_ini_to_int(bad[i], &v) == 0, "'%s'", bad[i]);
    }
    ck_assert_int_eq(xgb_ini_to_int(NULL, &v), 0);
    ck_assert_int_eq(v, 42);
}
END_TEST

START_TEST(lists_split)
{
    ck_assert_str_eq(joined(list_ok("a, b ,c")), "a|b|c");
    ck_assert_str_eq(joined(list_ok(" single value ")), "single value");
    ck_assert_str_eq(joined(list_ok("a,,b,")), "a||b|");
    ck_assert_int_eq(list_ok("")->nelts, 1);
    ck_assert_str_eq(joined(list_ok("")), "");
    ck_assert_int_eq(list_ok(NULL)->nelts, 1);
    ck_assert_str_eq(joined(list_ok("x\n, y\xc2\xa0")), "x|y");
    /* brackets only count when they enclose the whole value */
    ck_assert_str_eq(joined(list_ok("[a, b")), "[a|b");
    ck_assert_str_eq(joined(list_ok("a], [b")), "a]|[b");
}
END_TEST

START_TEST(lists_literal)
{
    ck_assert_str_eq(joined(list_ok("['a', \"b\"]")), "a|b");
    ck_assert_str_eq(joined(list_ok("  [ 'a' , 'b' , ]  ")), "a|b");
    ck_assert_int_eq(list_ok("[]")->nelts, 0);
    ck_assert_int_eq(list_ok("[ \n ]")->nelts, 0);
    ck_assert_int_eq(list_ok("['']")->nelts, 1);
    ck_assert_str_eq(joined(list_ok("['a' 'b', u'c', r'\\n', R\"x\\\"y\"]")),
                     "ab|c|\\n|x\\\"y");
    ck_assert_str_eq(joined(list_ok("['\\x41\\u00e9\\U0001F600\\101\\n\\t"
                                    "\\\\\\'\\\"\\q']")),
                     "A\xc3\xa9\xf0\x9f\x98\x80" "A\n\t\\'\"\\q");
    ck_assert_str_eq(joined(list_ok("['a',\n 'b' # comment\n]")), "a|b");
    ck_assert_str_eq(joined(list_ok("['a\\\nb']")), "ab");
    ck_assert_str_eq(joined(list_ok("[r'\\'']")), "\\'");
    ck_assert_str_eq(joined(list_ok("['a,b', ' c ']")), "a,b| c ");
}
END_TEST

START_TEST(lists_literal_refused)
{
    list_fails("[1]", "only string literals are allowed in a list");
    list_fails("['a', None]", "only string literals are allowed in a list");
    list_fails("[b'a']", "only string literals are allowed in a list");
    list_fails("[f'a']", "only string literals are allowed in a list");
    list_fails("[['a']]", "only string literals are allowed in a list");
    list_fails("['a', , 'b']", "only string literals are allowed in a list");
    list_fails("[,]", "only string literals are allowed in a list");
    list_fails("['a' 1]", "expected ',' or ']' in list");
    list_fails("['a'] + ['b']", "text after the closing ']' of a list");
    list_fails("['a]", "unterminated string literal");
    list_fails("['a\n']", "unterminated string literal");
    list_fails("['''a''']", "triple-quoted strings are not supported");
    list_fails("['\\x4']", "truncated \\x, \\u or \\U escape");
    list_fails("['\\U00110000']", "invalid code point in escape");
    list_fails("['\\ud800']", "invalid code point in escape");
    list_fails("['\\0']", "NUL characters are not supported");
    list_fails("['\\N{DASH}']", "\\N{...} escapes are not supported");
}
END_TEST

START_TEST(strip_and_utf8_fix)
{
    const char *ok = "caf\xc3\xa9";

    ck_assert_str_eq(xgb_ini_strip(tp, " \t\x1c\xc2\x85x y\xe2\x80\xa8\n"),
                     "x y");
    ck_assert_str_eq(xgb_ini_strip(tp, "\xc2\xa0"), "");
    ck_assert_str_eq(xgb_ini_strip(tp, NULL), "");
    /* not white space: U+200B, U+FEFF */
    ck_assert_str_eq(xgb_ini_strip(tp, "\xe2\x80\x8bx\xef\xbb\xbf"),
                     "\xe2\x80\x8bx\xef\xbb\xbf");
    ck_assert_ptr_eq(xgb_ini_utf8_fix(tp, ok), ok);
    ck_assert_str_eq(xgb_ini_utf8_fix(tp, "a\xffz\xc3"),
                     "a\xef\xbf\xbdz\xef\xbf\xbd");
    ck_assert_ptr_null(xgb_ini_utf8_fix(tp, NULL));
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("ini");
    TCase *tc = tcase_create("parser");
    TCase *te = tcase_create("errors");
    TCase *tv = tcase_create("values");

    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_add_checked_fixture(te, xgb_test_setup, xgb_test_teardown);
    tcase_add_checked_fixture(tv, xgb_test_setup, xgb_test_teardown);
    tcase_add_test(tc, sections_and_keys_in_file_order);
    tcase_add_test(tc, delimiters_and_stripping);
    tcase_add_test(tc, continuation_lines);
    tcase_add_test(tc, continuation_needs_deeper_indent);
    tcase_add_test(tc, indented_header_is_a_value);
    tcase_add_test(tc, header_forms);
    tcase_add_test(tc, default_section);
    tcase_add_test(tc, line_ends);
    tcase_add_test(tc, python_whitespace);
    tcase_add_test(tc, empty_and_null_input);
    tcase_add_test(tc, load_file);
    tcase_add_test(te, error_duplicate_section);
    tcase_add_test(te, error_duplicate_key);
    tcase_add_test(te, error_key_outside_section);
    tcase_add_test(te, error_no_delimiter);
    tcase_add_test(te, error_empty_key);
    tcase_add_test(te, error_bad_bytes);
    tcase_add_test(te, error_too_large);
    tcase_add_test(te, load_file_errors);
    tcase_add_test(tv, booleans);
    tcase_add_test(tv, integers);
    tcase_add_test(tv, integers_invalid);
    tcase_add_test(tv, lists_split);
    tcase_add_test(tv, lists_literal);
    tcase_add_test(tv, lists_literal_refused);
    tcase_add_test(tv, strip_and_utf8_fix);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, te);
    suite_add_tcase(s, tv);
    return s;
}

XGB_TEST_MAIN()
