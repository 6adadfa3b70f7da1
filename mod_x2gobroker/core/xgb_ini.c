/*
 * xgb_ini.c - RawConfigParser-compatible INI reader (see xgb_ini.h).
 *
 * Everything here is pure computation on pool memory: no global state,
 * safe to call from any number of threads with distinct pools.
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_cstr.h>
#include <apr_file_io.h>

#include "xgb_ini.h"

/* ------------------------------------------------------------------ */
/* UTF-8 and Python's idea of white space                              */
/* ------------------------------------------------------------------ */

/* Decode one character the way Python's strict UTF-8 codec accepts it
 * (no overlong forms, no surrogates, nothing above U+10FFFF).  Returns
 * its length in bytes, 0 if the bytes at s are not valid UTF-8. */
static apr_size_t utf8_decode(const char *str, const char *end,
                              apr_uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    apr_size_t n, i;
    apr_uint32_t c = s[0], min;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2; c &= 0x1F; min = 0x80;
    }
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3; c &= 0x0F; min = 0x800;
    }
    else if (c >= 0xF0 && c <= 0xF4) {
        n = 4; c &= 0x07; min = 0x10000;
    }
    else {
        return 0;
    }
    if ((apr_size_t)(end - str) < n) {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        return 0;
    }
    *cp = c;
    return n;
}

/* str.isspace().  int() differs in one detail: it does not skip the ASCII
 * separators U+001C..U+001F (for_int set). */
static int py_space(apr_uint32_t c, int for_int)
{
    if (c == ' ' || (c >= 0x09 && c <= 0x0D)) {
        return 1;
    }
    if (c >= 0x1C && c <= 0x1F) {
        return !for_int;
    }
    return c == 0x85 || c == 0xA0 || c == 0x1680
           || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029
           || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* First byte after the white space starting at b. */
static const char *skip_space(const char *b, const char *e, int for_int)
{
    apr_uint32_t c;
    apr_size_t n;

    while (b < e && (n = utf8_decode(b, e, &c)) != 0 && py_space(c, for_int)) {
        b += n;
    }
    return b;
}

/* End of [b, e) without its trailing white space. */
static const char *skip_space_back(const char *b, const char *e,
                                   int for_int)
{
    while (e > b) {
        const char *s = e - 1;
        apr_uint32_t c;

        while (s > b && e - s < 4 && ((unsigned char)*s & 0xC0) == 0x80) {
            s--;
        }
        if (utf8_decode(s, e, &c) != (apr_size_t)(e - s)
            || !py_space(c, for_int)) {
            break;
        }
        e = s;
    }
    return e;
}

/* Python's strip() and configparser agree on what white space is, so
 * keys and values end exactly where the reference ends them. */
const char *xgb_ini_strip(apr_pool_t *p, const char *s)
{
    const char *b, *e;

    if (!s) {
        return "";
    }
    b = skip_space(s, s + strlen(s), 0);
    e = skip_space_back(b, s + strlen(s), 0);
    return apr_pstrmemdup(p, b, e - b);
}

/* A first pass finds out whether anything needs fixing, so the common
 * valid string is returned without a copy. */
const char *xgb_ini_utf8_fix(apr_pool_t *p, const char *s)
{
    const char *e, *c;
    apr_array_header_t *out;
    apr_uint32_t cp;
    apr_size_t n, i;

    if (!s) {
        return NULL;
    }
    e = s + strlen(s);
    for (c = s; c < e && (n = utf8_decode(c, e, &cp)) != 0; c += n) {
    }
    if (c == e) {
        return s;
    }
    out = apr_array_make(p, (int)(e - s) + 16, 1);
    for (c = s; c < e; c += n) {
        if ((n = utf8_decode(c, e, &cp)) == 0) {
            n = 1;
            APR_ARRAY_PUSH(out, char) = '\xEF';        /* U+FFFD */
            APR_ARRAY_PUSH(out, char) = '\xBF';
            APR_ARRAY_PUSH(out, char) = '\xBD';
            continue;
        }
        for (i = 0; i < n; i++) {
            APR_ARRAY_PUSH(out, char) = c[i];
        }
    }
    APR_ARRAY_PUSH(out, char) = '\0';
    return out->elts;
}

/* ------------------------------------------------------------------ */
/* The parser                                                           */
/* ------------------------------------------------------------------ */

/*
 * The parser works line by line like configparser._read():
 *
 *   - blank lines (Python white space only) belong to the value being
 *     read (empty_lines_in_values), trailing ones are cut when it ends;
 *   - lines starting with '#' or ';' after white space are skipped
 *     without ending a value; there are no inline comments;
 *   - a line indented deeper than the line of the current key continues
 *     its value, whatever it contains ("[x]" and "k = v" included);
 *   - anything else ends the value and is a section header or a key.
 *
 * Errors stop at the first bad line.  (configparser collects lines
 * without a delimiter and reports them at the end, so it may name
 * another line first when a file has several problems.)
 */
typedef struct {
    apr_pool_t *p;
    xgb_ini_t *ini;
    xgb_ini_section_t *cur;     /* NULL before the first header */
    xgb_ini_entry_t *opt;       /* key whose value may still continue */
    apr_array_header_t *pieces; /* the lines of opt's value so far */
    apr_size_t indent;          /* indentation of opt's line */
    int line;
    const char *err;
} parser_t;

/* Every parser error carries the file and line, so an admin can fix
 * the file from the log message alone. */
static int parse_fail(parser_t *ps, const char *reason)
{
    ps->err = apr_psprintf(ps->p, "%s:%d: %s", ps->ini->name, ps->line,
                           reason);
    return 0;
}

/* Python reads the file as UTF-8 text first, so invalid bytes fail the
 * whole file.  NUL is valid there but cannot live in C strings. */
static const char *check_text(const char *s, const char *e, int *line)
{
    apr_uint32_t c;
    apr_size_t n;

    for (*line = 1; s < e; s += n) {
        n = 1;
        if (*s == '\0') {
            return "NUL byte in file";
        }
        if (*s == '\n' || *s == '\r') {
            if (*s == '\r' && s + 1 < e && s[1] == '\n') {
                n = 2;
            }
            (*line)++;
        }
        else if ((n = utf8_decode(s, e, &c)) == 0) {
            return "invalid UTF-8";
        }
    }
    return NULL;
}

/* Sections keep an array for the file order (which decides the dump
 * order) and a hash for look-ups by key. */
static xgb_ini_section_t *new_section(apr_pool_t *p, const char *name,
                                      int line)
{
    xgb_ini_section_t *sec = apr_pcalloc(p, sizeof(*sec));

    sec->name = name;
    sec->line = line;
    sec->entries = apr_array_make(p, 16, sizeof(xgb_ini_entry_t *));
    sec->index = apr_hash_make(p);
    return sec;
}

/* Values are joined and right-stripped only when complete, as
 * configparser does after reading: trailing empty lines vanish. */
static void finish_value(parser_t *ps)
{
    const char *v;

    if (ps->opt) {
        v = apr_array_pstrcat(ps->p, ps->pieces, '\n');
        ps->opt->value = apr_pstrmemdup(ps->p, v,
                                        skip_space_back(v, v + strlen(v), 0)
                                        - v);
        ps->opt = NULL;
    }
}

/* One line of the current value, already stripped. */
static void add_piece(parser_t *ps, const char *b, const char *e)
{
    APR_ARRAY_PUSH(ps->pieces, const char *) = apr_pstrmemdup(ps->p, b,
                                                              e - b);
}

/* "[name]anything": the name runs to the LAST ']' and is not empty
 * (configparser's greedy "\[(?P<header>.+)\]" matched at the start). */
static const char *header_name(apr_pool_t *p, const char *b, const char *e)
{
    const char *close = e - 1;

    while (close > b && *close != ']') {
        close--;
    }
    if (close - b < 2) {
        return NULL;
    }
    return apr_pstrmemdup(p, b + 1, close - b - 1);
}

static int enter_section(parser_t *ps, const char *name)
{
    xgb_ini_section_t *sec;

    /* [DEFAULT] may be repeated (configparser never registers it as a
     * section); its keys still must be unique.  Any other repeated
     * header is an error in strict mode. */
    if (strcmp(name, "DEFAULT") == 0) {
        sec = ps->ini->defaults;
        if (!sec->line) {
            sec->line = ps->line;
        }
    }
    else if ((sec = apr_hash_get(ps->ini->index, name,
                                 APR_HASH_KEY_STRING)) != NULL) {
        return parse_fail(ps, apr_psprintf(ps->p, "duplicate section '%s' "
                                           "(first at line %d)", name,
                                           sec->line));
    }
    else {
        sec = new_section(ps->p, name, ps->line);
        APR_ARRAY_PUSH(ps->ini->sections, xgb_ini_section_t *) = sec;
        apr_hash_set(ps->ini->index, sec->name, APR_HASH_KEY_STRING, sec);
    }
    ps->cur = sec;
    return 1;
}

/* "key <delim> value" with the first '=' or ':' as delimiter, so keys
 * can contain neither.  The value's first line may be empty: then the
 * continuation lines make a value that starts with "\n". */
static int parse_option(parser_t *ps, const char *b, const char *e)
{
    const char *d = b, *key, *ke;
    xgb_ini_entry_t *ent;

    while (d < e && *d != '=' && *d != ':') {
        d++;
    }
    if (d == e) {
        return parse_fail(ps, "line is neither a section header nor "
                          "'key = value'");
    }
    ke = skip_space_back(b, d, 0);
    if (ke == b) {
        return parse_fail(ps, "empty key");
    }
    key = apr_pstrmemdup(ps->p, b, ke - b);
    ent = apr_hash_get(ps->cur->index, key, APR_HASH_KEY_STRING);
    if (ent) {
        return parse_fail(ps, apr_psprintf(ps->p, "duplicate key '%s' in "
                                           "section '%s' (first at line "
                                           "%d)", key, ps->cur->name,
                                           ent->line));
    }
    ent = apr_pcalloc(ps->p, sizeof(*ent));
    ent->key = key;
    ent->line = ps->line;
    ent->value = "";
    APR_ARRAY_PUSH(ps->cur->entries, xgb_ini_entry_t *) = ent;
    apr_hash_set(ps->cur->index, key, APR_HASH_KEY_STRING, ent);
    ps->opt = ent;
    apr_array_clear(ps->pieces);
    add_piece(ps, skip_space(d + 1, e, 0), e);
    return 1;
}

/* Indentation is counted in characters, not bytes, as Python does. */
static apr_size_t count_chars(const char *b, const char *e)
{
    apr_size_t n = 0;

    for (; b < e; b++) {
        n += ((unsigned char)*b & 0xC0) != 0x80;
    }
    return n;
}

/* One line without its line end; see the rules above parser_t. */
static int parse_line(parser_t *ps, const char *b, const char *e)
{
    const char *sb = skip_space(b, e, 0);
    const char *se = skip_space_back(sb, e, 0);
    const char *name;
    apr_size_t indent;

    if (sb == se) {
        /* empty_lines_in_values: a blank line may sit inside a value */
        if (ps->opt) {
            add_piece(ps, sb, sb);
        }
        return 1;
    }
    if (*sb == '#' || *sb == ';') {
        return 1;               /* comments neither add nor end values */
    }
    indent = count_chars(b, sb);
    if (ps->opt && indent > ps->indent) {
        add_piece(ps, sb, se);
        return 1;
    }
    ps->indent = indent;
    finish_value(ps);
    if (*sb == '[' && (name = header_name(ps->p, sb, se)) != NULL) {
        return enter_section(ps, name);
    }
    if (!ps->cur) {
        return parse_fail(ps, "key outside of any section");
    }
    return parse_option(ps, sb, se);
}

/* Python opens the file with universal newlines: LF, CRLF and a lone
 * CR each end a line; nothing else does (not even U+2028). */
static const char *line_end(const char *s, const char *e)
{
    while (s < e && *s != '\n' && *s != '\r') {
        s++;
    }
    return s;
}

static const char *next_line(const char *le, const char *e)
{
    if (le + 1 < e && le[0] == '\r' && le[1] == '\n') {
        return le + 2;
    }
    return le < e ? le + 1 : e;
}

/* [DEFAULT] exists from the start so that callers never see NULL. */
static void parser_init(parser_t *ps, apr_pool_t *p, const char *name)
{
    memset(ps, 0, sizeof(*ps));
    ps->p = p;
    ps->ini = apr_pcalloc(p, sizeof(*ps->ini));
    ps->ini->name = name;
    ps->ini->defaults = new_section(p, "DEFAULT", 0);
    ps->ini->sections = apr_array_make(p, 8, sizeof(xgb_ini_section_t *));
    ps->ini->index = apr_hash_make(p);
    ps->pieces = apr_array_make(p, 4, sizeof(const char *));
}

apr_status_t xgb_ini_parse(apr_pool_t *p, const char *name,
                           const char *text, apr_size_t len,
                           xgb_ini_t **out, const char **err)
{
    const char *s, *e, *why, *dummy;
    parser_t ps;
    int line;

    err = err ? err : &dummy;
    *err = NULL;
    *out = NULL;
    name = name ? name : "(ini)";
    if (!text) {
        text = "";
        len = 0;
    }
    if (len > XGB_INI_MAX_SIZE) {
        *err = apr_psprintf(p, "%s: larger than %d bytes", name,
                            XGB_INI_MAX_SIZE);
        return APR_EINVAL;
    }
    /* the encoding is checked up front so the parser can rely on it */
    if ((why = check_text(text, text + len, &line)) != NULL) {
        *err = apr_psprintf(p, "%s:%d: %s", name, line, why);
        return APR_EINVAL;
    }
    parser_init(&ps, p, name);
    e = text + len;
    for (s = text, ps.line = 1; s < e; ps.line++) {
        const char *le = line_end(s, e);

        if (!parse_line(&ps, s, le)) {
            *err = ps.err;
            return APR_EINVAL;
        }
        s = next_line(le, e);
    }
    finish_value(&ps);
    *out = ps.ini;
    return APR_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Files and look-ups                                                   */
/* ------------------------------------------------------------------ */

/* "<path>: <what>", or the APR error text when what is NULL. */
static apr_status_t file_fail(apr_pool_t *p, const char *path,
                              apr_status_t rv, const char *what,
                              const char **err)
{
    char buf[256];

    *err = apr_psprintf(p, "%s: %s", path,
                        what ? what : apr_strerror(rv, buf, sizeof(buf)));
    return rv;
}

/* The size is checked before reading so that a huge or endless file
 * (a device, a FIFO) costs nothing; only regular files are read. */
apr_status_t xgb_ini_read_file(apr_pool_t *p, const char *path,
                               apr_size_t max, char **text,
                               apr_size_t *len, const char **err)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_status_t rv;
    const char *dummy;
    char *buf;
    apr_size_t n = 0;

    err = err ? err : &dummy;
    *text = NULL;
    *len = 0;
    if (!path || !*path) {
        return file_fail(p, "(null)", APR_EINVAL, "no file name", err);
    }
    rv = apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY,
                       APR_OS_DEFAULT, p);
    if (rv != APR_SUCCESS) {
        return file_fail(p, path, rv, NULL, err);
    }
    rv = apr_file_info_get(&fi, APR_FINFO_SIZE | APR_FINFO_TYPE, f);
    if (rv == APR_SUCCESS && fi.filetype != APR_REG) {
        rv = file_fail(p, path, APR_EINVAL, "not a regular file", err);
    }
    else if (rv == APR_SUCCESS && (apr_uint64_t)fi.size > max) {
        rv = file_fail(p, path, APR_EINVAL,
                       apr_psprintf(p, "larger than %" APR_SIZE_T_FMT
                                    " bytes", max), err);
    }
    else if (rv == APR_SUCCESS) {
        buf = apr_palloc(p, (apr_size_t)fi.size + 1);
        rv = apr_file_read_full(f, buf, (apr_size_t)fi.size, &n);
        rv = APR_STATUS_IS_EOF(rv) ? APR_SUCCESS : rv;
        buf[n] = '\0';
        *text = buf;
        *len = n;
    }
    if (rv != APR_SUCCESS && !*err) {
        file_fail(p, path, rv, NULL, err);
    }
    apr_file_close(f);
    return rv;
}

apr_status_t xgb_ini_load(apr_pool_t *p, const char *path,
                          xgb_ini_t **out, const char **err)
{
    char *text;
    apr_size_t len;
    apr_status_t rv;
    const char *dummy;

    err = err ? err : &dummy;
    *err = NULL;
    *out = NULL;
    rv = xgb_ini_read_file(p, path, XGB_INI_MAX_SIZE, &text, &len, err);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    return xgb_ini_parse(p, path, text, len, out, err);
}

const xgb_ini_section_t *xgb_ini_section(const xgb_ini_t *ini,
                                         const char *name)
{
    if (!ini || !name) {
        return NULL;
    }
    return apr_hash_get(ini->index, name, APR_HASH_KEY_STRING);
}

const xgb_ini_entry_t *xgb_ini_entry(const xgb_ini_section_t *sec,
                                     const char *key)
{
    if (!sec || !key) {
        return NULL;
    }
    return apr_hash_get(sec->index, key, APR_HASH_KEY_STRING);
}

/* ------------------------------------------------------------------ */
/* Value conversions                                                    */
/* ------------------------------------------------------------------ */

/* Exactly configparser's BOOLEAN_STATES; apr_cstr_casecmp() ignores
 * the locale, as str.lower() does for these ASCII words. */
int xgb_ini_to_bool(const char *s, int *out)
{
    static const char *const words[] = {
        "0", "no", "false", "off", "1", "yes", "true", "on"
    };
    int i;

    for (i = 0; s && i < 8; i++) {
        if (apr_cstr_casecmp(s, words[i]) == 0) {
            *out = i >= 4;
            return 1;
        }
    }
    return 0;
}

/* Overflow is reported apart from syntax errors: Python's int has no
 * limit, so such a value is valid there and merely out of our range. */
int xgb_ini_to_int(const char *s, apr_int64_t *out)
{
    const char *b, *e;
    apr_uint64_t v = 0, limit;
    int neg = 0, digits = 0, overflow = 0;

    if (!s) {
        return 0;
    }
    b = skip_space(s, s + strlen(s), 1);
    e = skip_space_back(b, s + strlen(s), 1);
    if (b < e && (*b == '+' || *b == '-')) {
        neg = *b++ == '-';
    }
    limit = neg ? (apr_uint64_t)APR_INT64_MAX + 1 : APR_INT64_MAX;
    for (; b < e; b++) {
        unsigned d = (unsigned char)*b - '0';

        /* one '_' between two digits, as in Python literals */
        if (*b == '_' && digits && b + 1 < e && b[1] >= '0' && b[1] <= '9') {
            continue;
        }
        if (d > 9) {
            return 0;
        }
        if (v > (limit - d) / 10) {
            overflow = 1;
        }
        v = overflow ? v : v * 10 + d;
        digits++;
    }
    if (!digits) {
        return 0;
    }
    if (overflow) {
        return -1;
    }
    *out = neg ? (apr_int64_t)(0 - v) : (apr_int64_t)v;
    return 1;
}

/* --- "[...]" lists: a tiny subset of Python's literal syntax ---------
 *
 * The reference eval()s such values (bug B15).  Only what can make a list
 * of str is accepted here: string literals with the prefixes r and u,
 * single or double quotes, escapes, implicit concatenation, and the
 * white space, comments and line joins the tokenizer allows inside
 * brackets.  Anything else (numbers, names, bytes, f-strings, operators)
 * is refused instead of being executed.
 */

typedef struct {
    apr_pool_t *p;
    const char *s;
    const char *e;
    const char *why;
} lit_t;

/* Reasons are fixed strings: the caller adds key and line. */
static int lit_fail(lit_t *l, const char *why)
{
    l->why = why;
    return 0;
}

/* What Python's tokenizer skips between tokens inside brackets. */
static void lit_blank(lit_t *l)
{
    while (l->s < l->e) {
        char c = *l->s;

        if (c == ' ' || c == '\t' || c == '\f' || c == '\n' || c == '\r') {
            l->s++;
        }
        else if (c == '#') {
            while (l->s < l->e && *l->s != '\n') {
                l->s++;
            }
        }
        else if (c == '\\' && l->s + 1 < l->e && l->s[1] == '\n') {
            l->s += 2;
        }
        else {
            break;
        }
    }
}

/* A string literal starts here: a quote, or one of the prefixes that
 * still make a str (r, u) followed by a quote.  Sets *raw for r. */
static int lit_at_string(const lit_t *l, int *raw)
{
    const char *s = l->s;

    *raw = 0;
    if (s < l->e && *s && strchr("rRuU", *s)) {
        *raw = *s == 'r' || *s == 'R';
        s++;
    }
    return s < l->e && (*s == '\'' || *s == '"');
}

/* Escapes produce code points; the result must stay valid UTF-8 without
 * NUL, so surrogates (legal in Python str, unencodable in UTF-8) and NUL
 * are refused. */
static int lit_codepoint(lit_t *l, apr_array_header_t *buf, apr_uint32_t c)
{
    if (c == 0) {
        return lit_fail(l, "NUL characters are not supported");
    }
    if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        return lit_fail(l, "invalid code point in escape");
    }
    if (c < 0x80) {
        APR_ARRAY_PUSH(buf, char) = (char)c;
    }
    else if (c < 0x800) {
        APR_ARRAY_PUSH(buf, char) = (char)(0xC0 | c >> 6);
        APR_ARRAY_PUSH(buf, char) = (char)(0x80 | (c & 0x3F));
    }
    else if (c < 0x10000) {
        APR_ARRAY_PUSH(buf, char) = (char)(0xE0 | c >> 12);
        APR_ARRAY_PUSH(buf, char) = (char)(0x80 | ((c >> 6) & 0x3F));
        APR_ARRAY_PUSH(buf, char) = (char)(0x80 | (c & 0x3F));
    }
    else {
        APR_ARRAY_PUSH(buf, char) = (char)(0xF0 | c >> 18);
        APR_ARRAY_PUSH(buf, char) = (char)(0x80 | ((c >> 12) & 0x3F));
        APR_ARRAY_PUSH(buf, char) = (char)(0x80 | ((c >> 6) & 0x3F));
        APR_ARRAY_PUSH(buf, char) = (char)(0x80 | (c & 0x3F));
    }
    return 1;
}

/* The value of an ASCII hex digit, -1 for anything else. */
static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* \x.., \u...., \U........: exactly n hex digits (Python insists). */
static int lit_hex(lit_t *l, apr_array_header_t *buf, const char *s, int n)
{
    apr_uint32_t c = 0;
    int i;

    for (i = 0; i < n; i++, s++) {
        if (s >= l->e || hex_digit(*s) < 0) {
            return lit_fail(l, "truncated \\x, \\u or \\U escape");
        }
        c = c * 16 + (apr_uint32_t)hex_digit(*s);
        if (c > 0x10FFFF) {
            return lit_fail(l, "invalid code point in escape");
        }
    }
    l->s = s;
    return lit_codepoint(l, buf, c);
}

/* \o, \oo, \ooo: up to three octal digits. */
static int lit_octal(lit_t *l, apr_array_header_t *buf, const char *s)
{
    apr_uint32_t c = 0;
    int i;

    for (i = 0; i < 3 && s < l->e && *s >= '0' && *s <= '7'; i++, s++) {
        c = c * 8 + (*s - '0');
    }
    l->s = s;
    return lit_codepoint(l, buf, c);
}

/* The one-character escapes of Python string literals. */
static int lit_simple_escape(char c, char *out)
{
    static const char from[] = "\\'\"abfnrtv";
    static const char to[] = "\\'\"\a\b\f\n\r\t\v";
    const char *hit = c ? strchr(from, c) : NULL;

    if (hit) {
        *out = to[hit - from];
    }
    return hit != NULL;
}

/* l->s is at a backslash inside a literal. */
static int lit_escape(lit_t *l, apr_array_header_t *buf, int raw)
{
    const char *s = l->s + 1;
    char c;

    if (s >= l->e) {
        return lit_fail(l, "unterminated string literal");
    }
    if (raw) {
        /* raw strings keep the backslash; it still shields the quote */
        APR_ARRAY_PUSH(buf, char) = '\\';
        APR_ARRAY_PUSH(buf, char) = *s;
        l->s = s + 1;
        return 1;
    }
    l->s = s + 1;
    if (*s == '\n') {
        return 1;                       /* line continuation */
    }
    if (lit_simple_escape(*s, &c)) {
        APR_ARRAY_PUSH(buf, char) = c;
        return 1;
    }
    switch (*s) {
    case 'x':
        return lit_hex(l, buf, s + 1, 2);
    case 'u':
        return lit_hex(l, buf, s + 1, 4);
    case 'U':
        return lit_hex(l, buf, s + 1, 8);
    case 'N':
        return lit_fail(l, "\\N{...} escapes are not supported");
    }
    if (*s >= '0' && *s <= '7') {
        return lit_octal(l, buf, s);
    }
    /* unknown escapes keep their backslash */
    APR_ARRAY_PUSH(buf, char) = '\\';
    l->s = s;
    return 1;
}

/* One literal, appended to buf.  Triple quotes are refused rather than
 * half supported: nobody writes host lists that way. */
static int lit_string(lit_t *l, apr_array_header_t *buf)
{
    int raw;
    char q;

    if (!lit_at_string(l, &raw)) {
        return lit_fail(l, "only string literals are allowed in a list");
    }
    l->s += *l->s != '\'' && *l->s != '"';
    q = *l->s++;
    if (l->e - l->s >= 2 && l->s[0] == q && l->s[1] == q) {
        return lit_fail(l, "triple-quoted strings are not supported");
    }
    while (l->s < l->e && *l->s != q) {
        if (*l->s == '\n') {
            return lit_fail(l, "unterminated string literal");
        }
        if (*l->s != '\\') {
            APR_ARRAY_PUSH(buf, char) = *l->s++;
        }
        else if (!lit_escape(l, buf, raw)) {
            return 0;
        }
    }
    if (l->s >= l->e) {
        return lit_fail(l, "unterminated string literal");
    }
    l->s++;
    return 1;
}

/* One list item: adjacent literals concatenate ('a' "b" is 'ab'). */
static const char *lit_item(lit_t *l)
{
    apr_array_header_t *buf = apr_array_make(l->p, 32, 1);
    int raw;

    do {
        if (!lit_string(l, buf)) {
            return NULL;
        }
        lit_blank(l);
    } while (lit_at_string(l, &raw));
    APR_ARRAY_PUSH(buf, char) = '\0';
    return buf->elts;
}

/* "[" item ("," item)* [","] "]" over the stripped value [b, e); a
 * trailing comma and an empty list are fine, as in Python. */
static apr_status_t parse_literal(apr_pool_t *p, const char *b,
                                  const char *e, apr_array_header_t *out,
                                  const char **why)
{
    lit_t l = { p, b + 1, e, NULL };
    const char *item;

    for (;;) {
        lit_blank(&l);
        if (l.s < l.e && *l.s == ']') {
            break;
        }
        if ((item = lit_item(&l)) == NULL) {
            *why = l.why;
            return APR_EINVAL;
        }
        APR_ARRAY_PUSH(out, const char *) = item;
        if (l.s < l.e && *l.s == ',') {
            l.s++;
        }
        else if (l.s >= l.e || *l.s != ']') {
            *why = "expected ',' or ']' in list";
            return APR_EINVAL;
        }
    }
    l.s++;
    lit_blank(&l);
    if (l.s != l.e) {
        *why = "text after the closing ']' of a list";
        return APR_EINVAL;
    }
    return APR_SUCCESS;
}

/* The reference strips the value, then looks at its first and last
 * character; empty items are kept here (profile code drops them where
 * the reference does). */
apr_status_t xgb_ini_to_list(apr_pool_t *p, const char *s,
                             apr_array_header_t **out, const char **why)
{
    const char *b, *e, *c;
    const char *dummy;

    why = why ? why : &dummy;
    *why = NULL;
    s = s ? s : "";
    b = skip_space(s, s + strlen(s), 0);
    e = skip_space_back(b, s + strlen(s), 0);
    *out = apr_array_make(p, 4, sizeof(const char *));
    if (e - b >= 2 && *b == '[' && e[-1] == ']') {
        return parse_literal(p, b, e, *out, why);
    }
    /* split at every ',' (a value without one is a single item) */
    for (;;) {
        const char *ib, *ie;

        for (c = b; c < e && *c != ','; c++) {
        }
        ib = skip_space(b, c, 0);
        ie = skip_space_back(ib, c, 0);
        APR_ARRAY_PUSH(*out, const char *) = apr_pstrmemdup(p, ib, ie - ib);
        if (c == e) {
            break;
        }
        b = c + 1;
    }
    return APR_SUCCESS;
}
