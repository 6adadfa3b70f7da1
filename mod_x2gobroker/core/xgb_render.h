/*
 * xgb_render.h - the bodies of the plain (spec 1.5-1.7) and JSON (spec 2.1)
 * frontends, byte for byte as the reference writes them.
 */
#ifndef XGB_RENDER_H
#define XGB_RENDER_H

#include <apr_pools.h>
#include <apr_tables.h>

#include <jansson.h>

#include "xgb_profile.h"
#include "xgb_select.h"

typedef struct {
    const char *task;           /* as echoed by JSON (already renamed) */
    const char *next_authid;    /* NULL: no AUTHID line / next-authid */
    /* xgb_client_profile_t *, any order (renderers sort by id); NULL when
     * the task is not a listing. */
    const apr_array_header_t *profiles;
    /* selectsession: has_selection set; selection NULL means no profile
     * id was given (plain prints nothing, JSON prints {}). */
    int has_selection;
    const xgb_selection_t *selection;
} xgb_answer_t;

/* "AUTHID:...\nAccess granted\n" + listing block / server block. */
const char *xgb_render_plain(apr_pool_t *p, const xgb_answer_t *a);

/* `root` as Python's json.dumps(root, indent=indent, sort_keys=True)
 * writes it (ASCII only, lower-case \u escapes).  NULL on failure. */
const char *xgb_json_dumps(apr_pool_t *p, const json_t *root, int indent);

/* json.dumps(obj, indent=4, sort_keys=True) of the JSON frontend. */
const char *xgb_render_json(apr_pool_t *p, const xgb_answer_t *a);

#endif
