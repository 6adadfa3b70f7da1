/*
 * xgb_uccs.h - the UCCS frontend's answers (spec 2.2), used by Arctica
 * Greeter's remote logon.
 */
#ifndef XGB_UCCS_H
#define XGB_UCCS_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>

#include "xgb_profile.h"

/* The "ping" body: UTC time as Python's str(datetime) writes it,
 * "YYYY-MM-DD HH:MM:SS.ffffff" (no fraction when it is zero). */
const char *xgb_uccs_ping(apr_pool_t *p, apr_time_t now);

/* The management-server JSON for `user`: `profiles` (const xgb_profile_t
 * *, those the user may see, any order) become RemoteDesktopServers
 * sorted by profile id.  api_version 4 writes SessionType, any other
 * Command.  url_base is my-uccs-url-base, backend the name in the URL. */
const char *xgb_uccs_render(apr_pool_t *p,
                            const apr_array_header_t *profiles,
                            const char *user, const char *url_base,
                            const char *backend, int api_version);

#endif
