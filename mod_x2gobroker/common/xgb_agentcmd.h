/*
 * xgb_agentcmd.h - the command line a broker sends to x2gobroker-agent.
 *
 * Every broker (the Python reference, this module, x2gobroker-testagent)
 * runs the agent over SSH with the remote command
 *
 *     sh -c '/usr/lib/x2go/x2gobroker-agent <user> <task> "<arg1>" "<arg2>"'
 *
 * which sshd hands to the agent's forced command in SSH_ORIGINAL_COMMAND.
 * The builder writes only strings that a shell would split into exactly
 * those words; the parser accepts only such strings and splits them the
 * way the shell would, so the agent never needs a shell.  libc only.
 */
#ifndef XGB_AGENTCMD_H
#define XGB_AGENTCMD_H

/* configure's --with-x2go-libdir */
#ifndef XGB_X2GO_LIBDIR
#define XGB_X2GO_LIBDIR "/usr/lib/x2go"
#endif
#define XGB_AGENT_PATH XGB_X2GO_LIBDIR "/x2gobroker-agent"

/* Tasks take at most two arguments (addauthkey <key line> <file>). */
#define XGB_AGENTCMD_MAXARGS 2

/* Longest command line accepted: two arguments of the longest key line
 * plus the rest. */
#define XGB_AGENTCMD_MAX (2 * 16384 + 1024)

typedef struct {
    char *user;
    char *task;
    char *args[XGB_AGENTCMD_MAXARGS];
    int nargs;
} xgb_agentcmd_t;

/* May this string travel as one "..." argument: printable ASCII without
 * " $ ` \ and ', at most 16384 bytes? */
int xgb_agentcmd_arg_ok(const char *arg);

/**
 * Build the remote command string for agent `agent_path` (an absolute
 * path of [A-Za-z0-9/._-]).  NULL with *err if the user name, the task
 * or an argument fails its check (nothing unsafe is ever built).
 * malloc'd.
 */
char *xgb_agentcmd_build(const char *agent_path, const char *user,
                         const char *task, const char *const *args,
                         int nargs, const char **err);

/**
 * Parse a command string: optionally wrapped as sh -c '...', then exactly
 * `agent_path`, a user name, a task name, and up to XGB_AGENTCMD_MAXARGS
 * arguments, each "..." (xgb_agentcmd_arg_ok content) or a bare word of
 * [A-Za-z0-9._,:@%/+=-], separated by spaces.  Anything else (another
 * program, ; & | $ ` < > ( ) newlines, a second command, stray quotes)
 * is refused, as are a user name that fails xgb_valid_username() and a
 * task that is not one of the agent's: -1 with *err.  Whether the user
 * exists is the caller's business.
 */
int xgb_agentcmd_parse(const char *cmd, const char *agent_path,
                       xgb_agentcmd_t *out, const char **err);
void xgb_agentcmd_free(xgb_agentcmd_t *cmd);

#endif
