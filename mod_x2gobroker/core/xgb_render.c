/*
 * xgb_render.c - response bodies of the plain and JSON frontends.
 *
 * Plain: the reference concatenates strings without any escaping, and so
 * does this.  JSON: jansson writes the document; its output then differs
 * from Python's json.dumps(indent=4, sort_keys=True) only in the case of
 * \u escapes and in leaving DEL (0x7F) raw, which python_escapes() fixes.
 * Everything is built in the caller's pool; jansson's own allocations are
 * released before returning.  Thread-safe.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <jansson.h>

#include "xgb_render.h"
#include "xgb_ini.h"

/* qsort() comparator for xgb_client_profile_t pointers. */
static int by_id(const void *a, const void *b)
{
    const xgb_client_profile_t *pa = *(const xgb_client_profile_t *const *)a;
    const xgb_client_profile_t *pb = *(const xgb_client_profile_t *const *)b;

    return strcmp(pa->id, pb->id);
}

/* The profiles with an id, sorted by it (code point order = byte order
 * for UTF-8, as Python's sort of str keys). */
static apr_array_header_t *sorted_profiles(apr_pool_t *p,
                                           const apr_array_header_t *in)
{
    apr_array_header_t *out = apr_array_make(p, in ? in->nelts : 0,
                                             sizeof(xgb_client_profile_t *));
    int i;

    for (i = 0; in && i < in->nelts; i++) {
        xgb_client_profile_t *cp = APR_ARRAY_IDX(in, i,
                                                 xgb_client_profile_t *);

        if (cp && cp->id && cp->values) {
            APR_ARRAY_PUSH(out, xgb_client_profile_t *) = cp;
        }
    }
    qsort(out->elts, out->nelts, sizeof(xgb_client_profile_t *), by_id);
    return out;
}

/* ------------------------------------------------------------------ */
/* plain                                                                */
/* ------------------------------------------------------------------ */

/* str verbatim, list joined by ",", bool 1/0, int decimal. */
static const char *plain_value(apr_pool_t *p, const xgb_value_t *v)
{
    apr_array_header_t *items;
    int i;

    switch (v->type) {
    case XGB_VAL_BOOL:
        return v->b ? "1" : "0";
    case XGB_VAL_INT:
        return apr_psprintf(p, "%" APR_INT64_T_FMT, v->i);
    case XGB_VAL_LIST:
        items = apr_array_make(p, v->list ? v->list->nelts : 0,
                               sizeof(const char *));
        for (i = 0; v->list && i < v->list->nelts; i++) {
            const char *s = APR_ARRAY_IDX(v->list, i, const char *);

            APR_ARRAY_PUSH(items, const char *) = s ? s : "";
        }
        return apr_array_pstrcat(p, items, ',');
    default:
        return v->str ? v->str : "";
    }
}

/* Bodies are built as a list of pieces and joined once at the end. */
static void add(apr_array_header_t *out, const char *s)
{
    APR_ARRAY_PUSH(out, const char *) = s;
}

/* Spec 1.6: "[id]", one "key=value" per value in the profile's order,
 * an empty line after each profile.  Nothing is escaped, as in the
 * reference (a multi-line value is sent raw). */
static void plain_profiles(apr_pool_t *p, apr_array_header_t *out,
                           const apr_array_header_t *profiles)
{
    apr_array_header_t *sorted = sorted_profiles(p, profiles);
    int i, j;

    if (sorted->nelts == 0) {
        return;                 /* no block at all without profiles */
    }
    add(out, "START_USER_SESSIONS\n\n");
    for (i = 0; i < sorted->nelts; i++) {
        const xgb_client_profile_t *cp = APR_ARRAY_IDX(sorted, i,
                                                xgb_client_profile_t *);

        add(out, apr_pstrcat(p, "[", cp->id, "]\n", NULL));
        for (j = 0; j < cp->values->nelts; j++) {
            const xgb_value_t *v = &APR_ARRAY_IDX(cp->values, j, xgb_value_t);

            add(out, apr_pstrcat(p, v->key, "=", plain_value(p, v), "\n",
                                 NULL));
        }
        add(out, "\n");
    }
    add(out, "END_USER_SESSIONS\n");
}

/* Spec 1.7: the key is PEM text that already ends with a newline. */
static void plain_selection(apr_pool_t *p, apr_array_header_t *out,
                            const xgb_selection_t *sel)
{
    add(out, apr_psprintf(p, "SERVER:%s:%d\n", sel->server ? sel->server
                          : "", sel->port));
    if (sel->key) {
        add(out, sel->key);
    }
    if (sel->session_info) {
        add(out, apr_pstrcat(p, "SESSION_INFO:", sel->session_info, "\n",
                             NULL));
    }
}

/* Spec 1.5: AUTHID line, "Access granted", then the task's block.  The
 * caller decides which block applies by what it fills in. */
const char *xgb_render_plain(apr_pool_t *p, const xgb_answer_t *a)
{
    apr_array_header_t *out;

    if (!p || !a) {
        return NULL;
    }
    out = apr_array_make(p, 16, sizeof(const char *));
    if (a->next_authid) {
        add(out, apr_pstrcat(p, "AUTHID:", a->next_authid, "\n", NULL));
    }
    add(out, "Access granted\n");
    if (a->profiles) {
        plain_profiles(p, out, a->profiles);
    }
    if (a->has_selection && a->selection) {
        plain_selection(p, out, a->selection);
    }
    return apr_array_pstrcat(p, out, 0);
}

/* ------------------------------------------------------------------ */
/* JSON                                                                 */
/* ------------------------------------------------------------------ */

/* jansson refuses invalid UTF-8; such bytes become U+FFFD instead of
 * losing the whole answer. */
static json_t *jstr(apr_pool_t *p, const char *s)
{
    return json_string(xgb_ini_utf8_fix(p, s ? s : ""));
}

/* Set and hand over `val`; 0 when jansson failed (val is then freed). */
static int jset(apr_pool_t *p, json_t *obj, const char *key, json_t *val)
{
    if (!obj || !val) {
        json_decref(val);
        return 0;
    }
    return json_object_set_new(obj, xgb_ini_utf8_fix(p, key), val) == 0;
}

/* A list value as a JSON array of strings (host, applications). */
static json_t *json_list(apr_pool_t *p, const apr_array_header_t *list)
{
    json_t *arr = json_array();
    int i;

    for (i = 0; arr && list && i < list->nelts; i++) {
        if (json_array_append_new(arr, jstr(p, APR_ARRAY_IDX(list, i,
                                            const char *))) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *json_value(apr_pool_t *p, const xgb_value_t *v)
{
    switch (v->type) {
    case XGB_VAL_BOOL:
        return json_boolean(v->b);
    case XGB_VAL_INT:
        return json_integer((json_int_t)v->i);
    case XGB_VAL_LIST:
        return json_list(p, v->list);
    default:
        return jstr(p, v->str);
    }
}

/* Typed values: true/false, numbers, arrays for lists.  Any jansson
 * failure frees what was built and gives NULL.  The session status the
 * listing adds (spec 3.5 step 6) is left out: python-x2go, the JSON
 * client, types every option it does not know as bytes, and
 * bytes("S") raises TypeError in its to_session_params(), so a profile
 * with a suspended session could not be started at all. */
static json_t *json_profiles(apr_pool_t *p, const apr_array_header_t *in)
{
    apr_array_header_t *profiles = sorted_profiles(p, in);
    json_t *all = json_object();
    int i, j;

    for (i = 0; all && i < profiles->nelts; i++) {
        const xgb_client_profile_t *cp = APR_ARRAY_IDX(profiles, i,
                                                xgb_client_profile_t *);
        json_t *obj = json_object();

        for (j = 0; obj && j < cp->values->nelts; j++) {
            const xgb_value_t *v = &APR_ARRAY_IDX(cp->values, j, xgb_value_t);

            if (!strcmp(v->key, "status")) {
                continue;
            }
            if (!jset(p, obj, v->key, json_value(p, v))) {
                json_decref(obj);
                obj = NULL;
            }
        }
        if (!jset(p, all, cp->id, obj)) {
            json_decref(all);
            all = NULL;
        }
    }
    return all;
}

/* {} without a profile id; the port is a string, as in the reference. */
static json_t *json_selection(apr_pool_t *p, const xgb_selection_t *sel)
{
    json_t *obj = json_object();
    int ok = obj != NULL;

    if (sel) {
        ok = ok && jset(p, obj, "server", jstr(p, sel->server));
        ok = ok && jset(p, obj, "port", json_string(apr_itoa(p, sel->port)));
        ok = ok && (!sel->key || jset(p, obj, "key", jstr(p, sel->key)));
        ok = ok && (!sel->session_info
                    || jset(p, obj, "session_info",
                            jstr(p, sel->session_info)));
    }
    if (!ok) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* Key order is left to JSON_SORT_KEYS, which compares bytes: the same
 * order as Python's sort of str keys for UTF-8 text. */
static json_t *json_answer(apr_pool_t *p, const xgb_answer_t *a)
{
    json_t *root = json_object();
    int ok = root != NULL;

    ok = ok && jset(p, root, "task", jstr(p, a->task));
    ok = ok && jset(p, root, "auth-status", json_string("Access granted"));
    ok = ok && (!a->next_authid
                || jset(p, root, "next-authid", jstr(p, a->next_authid)));
    ok = ok && (!a->profiles
                || jset(p, root, "profiles", json_profiles(p, a->profiles)));
    ok = ok && (!a->has_selection
                || jset(p, root, "selected_session",
                        json_selection(p, a->selection)));
    if (!ok) {
        json_decref(root);
        return NULL;
    }
    return root;
}

/* Python writes \u escapes in lower case and escapes DEL (it escapes all
 * but ' '..'~'); jansson uses upper case and leaves DEL raw.  Both only
 * occur inside strings, so no JSON parsing is needed here. */
static const char *python_escapes(apr_pool_t *p, const char *s)
{
    apr_size_t n = strlen(s), dels = 0, i;
    char *out, *o;

    for (i = 0; i < n; i++) {
        dels += s[i] == 0x7F;
    }
    o = out = apr_palloc(p, n + dels * 5 + 1);
    while (*s) {
        if (s[0] == '\\' && s[1] == 'u') {
            *o++ = *s++;
            *o++ = *s++;
            for (i = 0; i < 4 && *s; i++, s++) {
                *o++ = (*s >= 'A' && *s <= 'F') ? (char)(*s | 0x20) : *s;
            }
        }
        else if (s[0] == '\\' && s[1]) {
            *o++ = *s++;
            *o++ = *s++;
        }
        else if (*s == 0x7F) {
            memcpy(o, "\\u007f", 6);
            o += 6;
            s++;
        }
        else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return out;
}

/* NULL only when jansson runs out of memory.  No trailing newline, as
 * json.dumps() has none. */
const char *xgb_json_dumps(apr_pool_t *p, const json_t *root, int indent)
{
    char *text;
    const char *out;

    text = json_dumps(root, JSON_INDENT(indent) | JSON_SORT_KEYS
                      | JSON_ENSURE_ASCII);
    if (!text) {
        return NULL;
    }
    out = python_escapes(p, text);
    free(text);
    return out;
}

const char *xgb_render_json(apr_pool_t *p, const xgb_answer_t *a)
{
    json_t *root;
    const char *out;

    if (!p || !a || (root = json_answer(p, a)) == NULL) {
        return NULL;
    }
    out = xgb_json_dumps(p, root, 4);
    json_decref(root);
    return out;
}
