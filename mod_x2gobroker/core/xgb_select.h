/*
 * xgb_select.h - choosing the X2Go server for selectsession (spec 5.2),
 * from the profile and what the agents said, without any I/O: the
 * glue gathers agent answers and server state, the core decides.
 */
#ifndef XGB_SELECT_H
#define XGB_SELECT_H

#include <apr_pools.h>
#include <apr_time.h>

#include "xgb_profile.h"

#include "xgb_agentreply.h"

#define XGB_NO_SERVER "no-server-available"
#define XGB_NO_X2GO_SERVER "no-X2Go-Server-available"

typedef struct {
    const char *server;         /* address, or no-server-available /
                                 * no-X2Go-Server-available */
    int port;
    const char *key;            /* PEM private key for autologin, or NULL */
    const char *session_info;   /* x2golistsessions line, or NULL; a
                                 * running session's |R| already reads |S| */
    /* The profile's host name chosen (NULL with no-server-available and
     * no-X2Go-Server-available): where autologin keys go. */
    const char *server_name;
    /* Take-over (spec 5.2 step 4c): the running session `takeover` on
     * profile host `server_name` must be suspended before the answer is
     * sent.  NULL otherwise. */
    const char *takeover;
} xgb_selection_t;

/* Is profile host `name` (address `addr`, SSH port `port`) usable?  The
 * caller combines what it knows: a server whose agent answered is up, one
 * the shared server state marks down is down, else the TCP probe of spec
 * 5.4 when port scanning is on. */
typedef int xgb_select_up_fn(void *baton, const char *name, const char *addr,
                             int port);

/* What the operator says about a server (X2GoBrokerServer): its share of
 * new sessions relative to others (weight 0..1000, 100 by default; 0
 * takes none), and whether it is drained (takes no new sessions).  Resume
 * and take-over ignore both. */
typedef struct {
    int weight;
    int drain;
} xgb_server_pref_t;

#define XGB_DEFAULT_WEIGHT 100
#define XGB_MAX_WEIGHT 1000

/* The operator's settings for profile host `name` (address `addr`), or
 * NULL for the defaults. */
typedef const xgb_server_pref_t *xgb_select_pref_fn(void *baton,
                                                    const char *name,
                                                    const char *addr);

/* Load factor of one server from checkload (spec 5.6): higher is better. */
typedef struct {
    const char *name;
    long factor;
} xgb_agent_factor_t;

typedef struct {
    const xgb_profile_t *prof;  /* NULL: unknown or not permitted */
    const char *username;       /* server login; "" or NULL: none */
    /* Agent data was asked for (mode LOCAL or SSH) and some agent
     * answered.  0 behaves as agent query mode NONE. */
    int agent;
    /* Agent mode was on but no agent answered: every candidate is
     * dropped as in spec 5.2 step 4b. */
    int all_agents_down;
    /* The user's sessions on the profile's servers, merged and
     * de-duplicated by session id (xgb_agent_session_t); NULL: none. */
    const apr_array_header_t *sessions;
    /* Session counts per server (xgb_agent_load_t, merged); NULL: none. */
    const apr_array_header_t *loads;
    /* Load factors (xgb_agent_factor_t), consulted when no server has a
     * session count; NULL: none. */
    const apr_array_header_t *factors;
    xgb_select_up_fn *up;       /* NULL: every server is up */
    void *up_baton;
    xgb_select_pref_fn *pref;   /* NULL: every server has the defaults */
    void *pref_baton;
    /* Replaces a literal "localhost" candidate, as the reference does. */
    const char *local_hostname;
} xgb_select_in_t;

/**
 * Spec 5.2 with the reference's bugs B8 and B25 fixed: resume the user's
 * first suspended session on an up server, else take over the first
 * running one, else balance by session counts (fewest sessions per
 * weight; equals drawn at random in proportion to their weights, never
 * alphabetically), else by load factor (highest factor x weight), else a
 * server drawn by weight; a new session never goes to a drained server or
 * one of weight 0 (none left: no-X2Go-Server-available); SHADOW profiles
 * take the first host and ignore agent data and the operator's settings.  Candidates `up` calls down are dropped
 * and the next is tried.  Agent host names are paired with profile hosts
 * by xgb_hostmatch_find(), then by a unique configured address.  B9: an
 * IPv6 address is answered plainly (a bracketed "[addr]" loses its
 * brackets); x2goclient cannot parse any IPv6 form in a SERVER: line,
 * JSON clients can.  `in` NULL or in->prof NULL: no-server-available.
 * NULL only when p is NULL.
 */
xgb_selection_t *xgb_select(apr_pool_t *p, const xgb_select_in_t *in);

/**
 * Session status of a listing (spec 3.5 step 6): among the profile's
 * hosts, the first (sorted) one holding a suspended session of the
 * user gives *status 'S' and *host that host (the matched name); else a
 * running one gives 'R'; else *status is 0 and *host the first host.
 * Hosts are paired with the agents' names by xgb_hostmatch_find(); the
 * matched name is the host as configured, or its short name when only
 * the first labels matched (profile "host1.mydomain", agent "host1":
 * "host1"), as the reference lists it.  Statuses other than R and S are
 * ignored.  SHADOW profiles: *status 0, *host the first host.  Without
 * hosts (or profile) *host is NULL.  status or host NULL: nothing done.
 */
void xgb_select_status(apr_pool_t *p, const xgb_profile_t *prof,
                       const apr_array_header_t *sessions, char *status,
                       const char **host);

/* A uniformly distributed index below n (n >= 1), from OpenSSL's
 * generator; 0 (logged) if it has no random numbers. */
int xgb_select_random(int n);

#endif
