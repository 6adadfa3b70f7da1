/*
 * agent.h - x2gobroker-agent, the setuid-root program every broker runs
 * on the X2Go servers (spec 6).
 *
 * Like suexec: the policy is fixed at compile time, the environment is
 * emptied first, and root is used for one thing only, becoming the user
 * a task is for.  Every step that touches the user's data runs in a child
 * that has dropped to that user; the root parent only validates, waits
 * and reports.
 */
#ifndef XGB_AGENT_H
#define XGB_AGENT_H

#include <sys/types.h>

#include "xgb_agentcmd.h"
#include "xgb_buf.h"

/* Compile-time policy (configure sets the paths). */
#ifndef XGB_X2GO_BINDIR
#define XGB_X2GO_BINDIR "/usr/bin"
#endif
#ifndef XGB_X2GO_SQLCONF
#define XGB_X2GO_SQLCONF "/etc/x2go/x2gosql/sql"
#endif
#ifndef XGB_X2GO_SQLITE_DB
#define XGB_X2GO_SQLITE_DB "/var/lib/x2go/x2go_sessions"
#endif
/* the group x2goserver's session DB belongs to */
#ifndef XGB_X2GO_DB_GROUP
#define XGB_X2GO_DB_GROUP "x2gouser"
#endif
/* users below this uid are system accounts: never served */
#ifndef XGB_AGENT_UID_MIN
#define XGB_AGENT_UID_MIN 1000
#endif
/* the site's policy: which accounts the agent may act for */
#ifndef XGB_AGENT_CONF
#define XGB_AGENT_CONF "/etc/x2go/x2gobroker-agent.conf"
#endif
#ifndef XGB_LOGIN_DEFS
#define XGB_LOGIN_DEFS "/etc/login.defs"
#endif
/* a whole agent run, children included, never takes longer */
#ifndef XGB_AGENT_TIMEOUT
#define XGB_AGENT_TIMEOUT 60
#endif
/* the most output read back from one child */
#define XGB_AGENT_OUTPUT_MAX (16 * 1024 * 1024)

/* Exit statuses, one per kind of failure. */
enum {
    XGB_AGENT_EXIT_OK = 0,
    XGB_AGENT_EXIT_USAGE = 1,       /* no or unparsable command */
    XGB_AGENT_EXIT_USER = 2,        /* unknown, system or malformed user */
    XGB_AGENT_EXIT_ARG = 3,         /* a task argument was refused */
    XGB_AGENT_EXIT_TASK = 4,        /* unknown or unavailable task */
    XGB_AGENT_EXIT_FAILED = 5,      /* the task ran and failed */
    XGB_AGENT_EXIT_INTERNAL = 6     /* fork, pipe, privilege drop ... */
};

typedef struct {
    const char *name;
    uid_t uid;
    gid_t gid;
    const char *home;
} agent_user_t;

/* --- agent_policy.c --------------------------------------------------- */

#define AGENT_POLICY_GROUPS_MAX 64
#define AGENT_GROUP_NAME_MAX 32
#define AGENT_UID_LIMIT 4294967294UL
/* seconds a key the agent installs stays valid (sshd's expiry-time) */
#define AGENT_KEY_EXPIRY_DEFAULT 600
#define AGENT_KEY_EXPIRY_MIN 60
#define AGENT_KEY_EXPIRY_MAX (30L * 24 * 3600)

typedef struct {
    int n;
    char name[AGENT_POLICY_GROUPS_MAX][AGENT_GROUP_NAME_MAX + 1];
} agent_groups_t;

typedef struct {
    agent_groups_t allow;       /* empty: any account */
    agent_groups_t deny;
    unsigned long min_uid;
    unsigned long max_uid;
    long key_expiry;
} agent_policy_t;

/* The defaults, with UID_MIN / UID_MAX of login.defs' text (may be NULL)
 * where it has usable ones. */
void agent_policy_defaults(agent_policy_t *p, const char *login_defs,
                           size_t len);

/* "key = value" lines over the defaults in *p; 0, or -1 with *why. */
int agent_policy_parse(const char *text, size_t len, agent_policy_t *p,
                       char *why, size_t whylen);

/* login.defs and the policy file, if present.  0; -1 with *why when the
 * policy file is unsafe or unusable (then every task is refused). */
int agent_policy_load(agent_policy_t *p, char *why, size_t whylen);

/* May the agent act for u?  removing: delauthkey, which only needs the
 * uid bounds.  0, or -1 with *why. */
int agent_policy_allows(const agent_policy_t *p, const agent_user_t *u,
                        int removing, char *why, size_t whylen);

/* The whole of what fd holds, at most max bytes, NUL-terminated
 * (malloc'd; *len without the NUL); NULL with errno on failure. */
char *agent_read_all(int fd, size_t max, size_t *len);

/* Open a file only root may have written, read-only: no symlink, no
 * blocking on a FIFO, a regular file owned by root and not writable by
 * group or others.  The fd, or -1 with errno (ENOENT: *why untouched;
 * else *why says why). */
int agent_open_root_file(const char *path, char *why, size_t whylen);

/* --- agent_privs.c ---------------------------------------------------- */

/* Extra group of a child besides the user's own: x2goserver's session
 * DB group, for our own read-only DB access only. */
#define AGENT_WITH_DB_GROUP 1

/**
 * Fork a child that runs as the user: supplementary groups from the group
 * database (plus the DB group when asked), primary gid, uid, in that
 * order and checked; an empty environment but for HOME, USER, LOGNAME,
 * SHELL=/bin/sh and a fixed PATH; stdin /dev/null; cwd home (or /).
 * In the child, stdout and stderr go to pipes that the parent drains into
 * *out and *err (each bounded).  fn(baton) runs in the child and its
 * return value is the child's exit status (fn may also exec).
 *
 * Returns the child's exit status (0-255), or -1 if it could not be run
 * or was killed (*err then says why).
 */
int agent_as_user(const agent_user_t *u, int flags,
                  int (*fn)(const agent_user_t *u, void *baton),
                  void *baton, xgb_buf_t *out, xgb_buf_t *err);

/**
 * One step of a task as the user: agent_as_user(), keeping the child's
 * stdout in *out (dropped when out is NULL).  When the child fails, *err
 * gets "<what> failed: <its stderr>", folded to one reason.  Returns the
 * child's exit status, or -1.
 */
int agent_step(const agent_user_t *u, int flags,
               int (*fn)(const agent_user_t *u, void *baton), void *baton,
               xgb_buf_t *out, const char *what, xgb_buf_t *err);

/* The same for a program: argv[0] (an absolute path) run as the user. */
int agent_run_step(const agent_user_t *u, const char *const *argv,
                   xgb_buf_t *out, xgb_buf_t *err);

/* --- agent_sessiondb.c ---------------------------------------------- */

/* x2goserver's session DB backend: "sqlite", "postgres", "mysql". */
const char *agent_db_backend(void);

/* Can the DB be read here (sqlite, postgres), and with which extra
 * group (agent_as_user() flags) must the reading child run? */
int agent_db_direct(void);
int agent_db_flags(void);

/* One row of a query, values as text (NULL for SQL NULL). */
typedef void agent_row_fn(void *ctx, const char *const *v, int n);

/* In a child that is the user: x2goserver's own query for the user's
 * sessions (listsessions: 16 columns from sqlite, 14 or 16 from
 * PostgreSQL) or for the servers with their session counts, one row()
 * call per row.  0, or -1 with the reason on stderr. */
int agent_db_list(const agent_user_t *u, agent_row_fn *row, void *ctx);
int agent_db_servers(const agent_user_t *u, agent_row_fn *row, void *ctx);

/* --- agent_sessions.c ------------------------------------------------- */

/* Each returns an exit status; on success *out holds the lines to print
 * after OK, on failure *err says why. */
int agent_listsessions(const agent_user_t *u, xgb_buf_t *out, xgb_buf_t *err);
int agent_getservers(const agent_user_t *u, xgb_buf_t *out, xgb_buf_t *err);
int agent_findbusyservers(const agent_user_t *u, xgb_buf_t *out,
                          xgb_buf_t *err);
int agent_suspendsession(const agent_user_t *u, const char *sid,
                         xgb_buf_t *err);
int agent_terminatesession(const agent_user_t *u, const char *sid,
                           xgb_buf_t *err);

/* The busy-server lines of findbusyservers from getservers lines
 * ("<host> <count>"): "<percent>:<host>" per host, lowest percentage
 * first, then by name; one empty line when nobody has a session. */
int agent_busy_from_servers(const char *servers, xgb_buf_t *out);

/* --- agent_load.c ----------------------------------------------------- */

typedef struct {
    long loadavgXX;
    long memAvail;
    long myMemAvail;
    long numCPU;
    long typeCPU;
} agent_load_t;

/* checkload's figures from the text of /proc/loadavg, /proc/meminfo,
 * /proc/sys/vm/min_free_kbytes, /proc/cpuinfo and (may be NULL)
 * cpufreq's cpuinfo_max_freq.  -1 if loadavg or meminfo is unusable. */
int agent_load_compute(const char *loadavg, const char *meminfo,
                       const char *min_free, const char *cpuinfo,
                       const char *max_freq, agent_load_t *l);
int agent_checkload(xgb_buf_t *out, xgb_buf_t *err);

/* --- agent_authkeys.c ------------------------------------------------- */

/* expiry: seconds the installed key stays valid (written as sshd's
 * expiry-time option). */
int agent_addauthkey(const agent_user_t *u, const char *keyline,
                     const char *tmpl, long expiry, xgb_buf_t *err);
int agent_delauthkey(const agent_user_t *u, const char *keyline,
                     const char *tmpl, xgb_buf_t *err);

#endif
