/*
 * xgb_ini.h - INI files read the way the reference reads them.
 *
 * The reference uses Python's configparser.RawConfigParser (strict mode,
 * case-sensitive keys, '=' and ':' delimiters, full-line '#'/';' comments,
 * indented continuation lines, no interpolation), and converts values with
 * getboolean(), int() and its own list rule.  This module reproduces that
 * byte for byte, including Python's notion of white space, so that keys
 * and values come out exactly as the reference would see them.  Unlike the
 * reference it never evaluates Python code: a "[...]" list value must be a
 * list of plain string literals.
 */
#ifndef XGB_INI_H
#define XGB_INI_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_hash.h>

/* Files above this size are refused (a profile file is a few KiB). */
#define XGB_INI_MAX_SIZE (4 * 1024 * 1024)

/* One "key = value" with its continuation lines joined by "\n". */
typedef struct {
    const char *key;
    const char *value;
    int line;                   /* line of the key */
} xgb_ini_entry_t;

typedef struct {
    const char *name;
    int line;                   /* header line; 0 for an absent [DEFAULT] */
    apr_array_header_t *entries;        /* xgb_ini_entry_t *, file order */
    apr_hash_t *index;                  /* key -> xgb_ini_entry_t * */
} xgb_ini_section_t;

typedef struct {
    const char *name;           /* file name used in messages */
    /* [DEFAULT] (may appear several times; its keys are merged).  Never
     * NULL: an empty section when the file has none. */
    xgb_ini_section_t *defaults;
    apr_array_header_t *sections;       /* xgb_ini_section_t *, file order,
                                         * without [DEFAULT] */
    apr_hash_t *index;                  /* name -> xgb_ini_section_t * */
} xgb_ini_t;

/**
 * Parse INI text (UTF-8, any of LF / CRLF / CR line ends, at most
 * XGB_INI_MAX_SIZE bytes, no NUL bytes).
 * @param p    pool for the result and the message
 * @param name stands for the file in messages
 * @param text the bytes, need not be NUL-terminated
 * @param len  their number
 * @param out  the parsed file on success
 * @param err  on failure "<name>:<line>: <reason>"
 * @return APR_SUCCESS or APR_EINVAL
 */
apr_status_t xgb_ini_parse(apr_pool_t *p, const char *name,
                           const char *text, apr_size_t len,
                           xgb_ini_t **out, const char **err);

/**
 * Read a whole file of at most `max` bytes into pool memory
 * (NUL-terminated).  On failure *err is "<path>: <reason>" and the status
 * is the APR error (APR_EINVAL when the file is too large), so that
 * APR_STATUS_IS_ENOENT() tells a missing file apart.
 */
apr_status_t xgb_ini_read_file(apr_pool_t *p, const char *path,
                               apr_size_t max, char **text,
                               apr_size_t *len, const char **err);

/** xgb_ini_read_file() with XGB_INI_MAX_SIZE, then xgb_ini_parse(). */
apr_status_t xgb_ini_load(apr_pool_t *p, const char *path,
                          xgb_ini_t **out, const char **err);

/** A section by name (not [DEFAULT]), NULL if absent or on NULL input. */
const xgb_ini_section_t *xgb_ini_section(const xgb_ini_t *ini,
                                         const char *name);

/** An entry of one section (no [DEFAULT] fallback), NULL if absent. */
const xgb_ini_entry_t *xgb_ini_entry(const xgb_ini_section_t *sec,
                                     const char *key);

/**
 * configparser.getboolean(): 1/yes/true/on and 0/no/false/off, ASCII
 * case-insensitive, nothing else.
 * @return 1 and *out set when valid, 0 otherwise
 */
int xgb_ini_to_bool(const char *s, int *out);

/**
 * Python int(s) for base 10: surrounding white space, one sign, digits
 * with single underscores between them.  (Non-ASCII digits, which Python
 * also accepts, are refused.)
 * @return 1 valid, 0 not an integer, -1 an integer beyond 64 bits
 */
int xgb_ini_to_int(const char *s, apr_int64_t *out);

/**
 * The reference's list rule for a value: "[...]" is a list literal (only
 * string literals are accepted here, the reference eval()s it), else a
 * value with "," is split there and each item stripped, else a list of
 * the one (stripped) value.  An empty value gives one empty item.
 * @param out array of const char * on success
 * @param why on failure the reason (no position)
 * @return APR_SUCCESS or APR_EINVAL
 */
apr_status_t xgb_ini_to_list(apr_pool_t *p, const char *s,
                             apr_array_header_t **out, const char **why);

/**
 * `s` itself when it is valid UTF-8, else a copy with every byte that is
 * not part of a valid sequence replaced by U+FFFD (for output that must
 * be UTF-8, e.g. JSON).  NULL stays NULL.
 */
const char *xgb_ini_utf8_fix(apr_pool_t *p, const char *s);

/** Python str.strip(): drop leading and trailing Unicode white space. */
const char *xgb_ini_strip(apr_pool_t *p, const char *s);

#endif
