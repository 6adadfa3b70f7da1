/*
 * xgb_agentreply.h - reading what x2gobroker-agent answers (spec 6.1,
 * 6.4).  Agents run on other machines and may be old, broken or hostile:
 * every byte is checked, nothing is trusted for length or shape, and a
 * line that does not fit is dropped (and counted) rather than guessed at.
 */
#ifndef XGB_AGENTREPLY_H
#define XGB_AGENTREPLY_H

#include <apr_pools.h>
#include <apr_tables.h>

/* Longest agent stdout the broker reads; more is a failed call. */
#define XGB_AGENT_REPLY_MAX (1024 * 1024)

/* Host names in agent answers: the X2Go server's gethostname(). */
#define XGB_AGENT_HOSTNAME_MAX 253

/* One line of x2golistsessions (spec 6.4): 16 '|'-separated fields, or
 * 14 from older x2goserver releases.  All strings point into `line`'s
 * copy in the pool. */
typedef struct {
    const char *line;           /* the line as received, for SESSION_INFO */
    const char *name;           /* field 2: the session id */
    const char *server;         /* field 4: the X2Go server's host name */
    char status;                /* field 5: 'R' or 'S' */
    const char *created;        /* field 6, as sent (used for ordering) */
} xgb_agent_session_t;

/* What one server says about its own or (with a shared session DB) every
 * server's load. */
typedef struct {
    const char *name;           /* host name as the agent writes it */
    int sessions;               /* getservers count; -1 if not given */
    int busy;                   /* findbusyservers percent; -1 if not */
} xgb_agent_load_t;

/**
 * Split an agent's output into its data lines.
 *
 * The call succeeded when stdout's first line is exactly "OK" (a trailing
 * CR is tolerated) and stderr is empty (spec 6.1: any stderr output makes
 * the call a failure).  Then *lines holds the remaining non-empty lines
 * (const char *, CR stripped) and APR_SUCCESS is returned.  Otherwise
 * APR_EGENERAL with *why saying what was wrong, quoting at most the first
 * 80 bytes of stderr or stdout with control characters escaped.  A NUL
 * byte anywhere, or more than XGB_AGENT_REPLY_MAX bytes, is a failure.
 */
apr_status_t xgb_agent_reply_parse(apr_pool_t *p, const char *out,
                                   apr_size_t outlen, const char *err,
                                   apr_size_t errlen,
                                   apr_array_header_t **lines,
                                   const char **why);

/**
 * listsessions data lines -> xgb_agent_session_t.  Lines with 14 or 16
 * fields whose session id is a valid X2Go session id of `user` (pass
 * NULL to accept any user's id: xgb_valid_session_id_any()), whose
 * server field is a host name (xgb_agent_hostname_ok()) and whose status
 * is R or S are kept, in order; so is nothing with a byte outside
 * printable ASCII anywhere in the line (it goes to clients as
 * SESSION_INFO).  *dropped (if not NULL) counts the others.
 */
apr_array_header_t *xgb_agent_sessions_parse(apr_pool_t *p,
                                             const apr_array_header_t *lines,
                                             const char *user, int *dropped);

/**
 * getservers ("<host> <count>", or "<host>" alone from the Perl agent on
 * a sqlite session DB: sessions -1) and findbusyservers ("<percent>:<host>")
 * data lines -> xgb_agent_load_t (the other number -1).  Counts are
 * 0..1000000, percents 0..100, plain decimal digits, the separator one
 * blank or one ':'; anything else, and bad host names, are dropped and
 * counted.  A host named again (case-insensitively) keeps its first line;
 * the later ones are dropped and counted too.
 */
apr_array_header_t *xgb_agent_getservers_parse(apr_pool_t *p,
                                               const apr_array_header_t *lines,
                                               int *dropped);
apr_array_header_t *xgb_agent_busy_parse(apr_pool_t *p,
                                         const apr_array_header_t *lines,
                                         int *dropped);

/**
 * checkload data lines ("loadavgXX:<int>", "memAvail:<int>",
 * "myMemAvail:<int>", "numCPU:<int>", "typeCPU:<int>") -> the load
 * factor of spec 5.6: int((memAvail / 1000) * numCPU * typeCPU * 100 /
 * loadavgXX), memAvail replaced by myMemAvail when it is 0.  Higher is
 * better.  -1 when a field is missing, repeated, not a non-negative
 * decimal that fits in a long, or loadavgXX is 0 (the reference divided
 * by it); other lines are ignored.  Computed in double in the reference's
 * order, so the integer is the Python broker's; clamped to 0..INT_MAX.
 */
long xgb_agent_checkload_factor(const apr_array_header_t *lines);

/* Is s a host name as agents report them: letters, digits, '-' and '.',
 * starting with a letter or digit, at most XGB_AGENT_HOSTNAME_MAX? */
int xgb_agent_hostname_ok(const char *s);

#endif
