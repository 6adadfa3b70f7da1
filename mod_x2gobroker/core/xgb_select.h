/*
 * xgb_select.h - choosing the X2Go server for selectsession (spec 5.2),
 * here without agents (agent query mode NONE).
 */
#ifndef XGB_SELECT_H
#define XGB_SELECT_H

#include <apr_pools.h>
#include <apr_time.h>

#include "xgb_profile.h"

typedef struct {
    const char *server;         /* address, or no-server-available /
                                 * no-X2Go-Server-available */
    int port;
    const char *key;            /* PEM private key for autologin, or NULL */
    const char *session_info;   /* x2golistsessions line, or NULL */
    int pubkey_accepted;        /* client pubkey deployed (JSON only) */
} xgb_selection_t;

/* Pick a server for `prof` (NULL = unknown or not permitted profile:
 * no-server-available, port 22).  Port scanning as in spec 5.2 step g when
 * `portscan` is set, each probe bounded by `timeout` (name resolution
 * included).  `local_hostname` replaces a literal "localhost" candidate,
 * as the reference does. */
xgb_selection_t *xgb_select_noagent(apr_pool_t *p, const xgb_profile_t *prof,
                                    int portscan,
                                    apr_interval_time_t timeout,
                                    const char *local_hostname);

#endif
