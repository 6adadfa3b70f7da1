/*
 * x2gobroker-agent - what a broker runs on an X2Go server (spec 6).
 *
 * Installed setuid root, group x2gobroker, mode 4750, at
 * /usr/lib/x2go/x2gobroker-agent: the broker's account runs it directly
 * (agent mode LOCAL) or through sshd as the forced command of its key
 * (mode SSH), in which case the broker's request is in
 * SSH_ORIGINAL_COMMAND, as
 *
 *     sh -c '/usr/lib/x2go/x2gobroker-agent <user> <task> "<arg>" ...'
 *
 * That string is parsed here and never reaches a shell.  Output: "OK" and
 * the task's lines on stdout when the task was done; otherwise a message
 * on stderr, nothing on stdout, and an exit status per kind of failure.
 * Every task is logged to syslog (authpriv) with caller, user and outcome.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "agent.h"
#include "xgb_agentcmd.h"
#include "xgb_valid.h"

#define SAFE_PATH "/usr/sbin:/usr/bin:/sbin:/bin"

/* What the log lines say about the request. */
static struct {
    char caller[64];        /* the account that ran us */
    char from[64];          /* SSH_CONNECTION's client address, if any:
                             * the caller sets it, so only a claim */
    char user[XGB_USERNAME_MAX + 1];
    char task[40];
} req;

/* Copy for a log line: bounded, control characters made visible. */
static void copy_printable(char *dst, size_t n, const char *src)
{
    size_t i;

    for (i = 0; src && src[i] && i + 1 < n; i++) {
        unsigned char c = (unsigned char)src[i];

        dst[i] = (c < 0x20 || c > 0x7e) ? '?' : (char)c;
    }
    dst[i] = '\0';
}

static void log_outcome(int priority, const char *outcome, const char *why)
{
    char reason[512];

    copy_printable(reason, sizeof(reason), why ? why : "");
    syslog(priority, "caller=%s %s=%s user=%s task=%s outcome=%s%s%s",
           req.caller, req.from[0] ? "claimed-from" : "from",
           req.from[0] ? req.from : "local",
           req.user[0] ? req.user : "-", req.task[0] ? req.task : "-",
           outcome, why ? ": " : "", why ? reason : "");
}

static int refuse(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int refuse(int status, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "x2gobroker-agent: %s\n", msg);
    log_outcome(LOG_WARNING, status == XGB_AGENT_EXIT_FAILED
                             ? "failed" : "refused", msg);
    return status;
}

/* The end of a task: OK and its lines, or the reason on stderr. */
static int finish(int status, xgb_buf_t *out, xgb_buf_t *err, int quiet)
{
    char *why;

    if (status == XGB_AGENT_EXIT_OK) {
        fputs("OK\n", stdout);
        if (out->len) {
            fwrite(out->d, 1, out->len, stdout);
        }
        if (fflush(stdout) != 0) {
            return XGB_AGENT_EXIT_INTERNAL;
        }
        log_outcome(quiet ? LOG_DEBUG : LOG_INFO, "ok", NULL);
        return status;
    }
    why = xgb_buf_detach(err);
    /* one line on stderr: a child's multi-line complaint is folded */
    if (why) {
        char *c;

        for (c = why; *c; c++) {
            if (*c == '\n' || *c == '\r') {
                *c = c[1] ? ' ' : '\0';
            }
        }
    }
    return refuse(status, "%s: %s", req.task, why ? why : "failed");
}

static int x2goserver_installed(void)
{
    return access(XGB_X2GO_BINDIR "/x2golistsessions", X_OK) == 0;
}

/* Tasks that need x2goserver on this host (upstream gated them on
 * `x2goversion x2goserver`, which printed to stderr where it was
 * missing). */
static int needs_x2goserver(const char *task)
{
    return strcmp(task, "availabletasks") && strcmp(task, "addauthkey")
           && strcmp(task, "delauthkey") && strcmp(task, "ping");
}

/* Tasks for a real user's data; ping, checkload and availabletasks take
 * any well-formed name (brokers send "foo"). */
static int needs_user(const char *task)
{
    return strcmp(task, "ping") && strcmp(task, "checkload")
           && strcmp(task, "availabletasks");
}

/* Tasks that act on the account: they need the site's policy to allow
 * it (delauthkey only its uid bounds: removing a key never hurts). */
static int acts_on_account(const char *task)
{
    return !strcmp(task, "addauthkey") || !strcmp(task, "suspendsession")
           || !strcmp(task, "terminatesession");
}

static int expected_args(const char *task)
{
    if (!strcmp(task, "suspendsession") || !strcmp(task, "terminatesession")) {
        return 1;
    }
    if (!strcmp(task, "addauthkey") || !strcmp(task, "delauthkey")) {
        return 2;
    }
    return 0;
}

static int run_task(const char *task, const agent_user_t *u,
                    const agent_policy_t *pol, char *const *args)
{
    xgb_buf_t out = XGB_BUF_INIT, err = XGB_BUF_INIT;
    int rc, i;

    if (!strcmp(task, "ping")) {
        rc = XGB_AGENT_EXIT_OK;
    }
    else if (!strcmp(task, "availabletasks")) {
        for (i = 0; xgb_agent_tasks[i]; i++) {
            if (!needs_x2goserver(xgb_agent_tasks[i])
                || x2goserver_installed()) {
                xgb_buf_puts(&out, xgb_agent_tasks[i]);
                xgb_buf_puts(&out, "\n");
            }
        }
        rc = XGB_AGENT_EXIT_OK;
    }
    else if (!strcmp(task, "checkload")) {
        rc = agent_checkload(&out, &err);
    }
    else if (!strcmp(task, "listsessions")) {
        rc = agent_listsessions(u, &out, &err);
    }
    else if (!strcmp(task, "getservers")) {
        rc = agent_getservers(u, &out, &err);
    }
    else if (!strcmp(task, "findbusyservers")
             || !strcmp(task, "findbusyservers_by_sessionstats")) {
        rc = agent_findbusyservers(u, &out, &err);
    }
    else if (!strcmp(task, "suspendsession")) {
        rc = agent_suspendsession(u, args[0], &err);
    }
    else if (!strcmp(task, "terminatesession")) {
        rc = agent_terminatesession(u, args[0], &err);
    }
    else if (!strcmp(task, "addauthkey")) {
        rc = agent_addauthkey(u, args[0], args[1], pol->key_expiry, &err);
    }
    else {
        rc = agent_delauthkey(u, args[0], args[1], &err);
    }
    rc = finish(rc, &out, &err, !needs_user(task));
    xgb_buf_free(&out);
    xgb_buf_free(&err);
    return rc;
}

/* What a setuid program inherits from whoever started it and must not
 * keep: ignored or blocked signals (an ignored SIGALRM would outlive the
 * time limit), a core file of root's memory, and resource limits set to
 * make it fail half-way (a file size limit that cuts a write in half, a
 * descriptor limit that fails opens at random, a CPU limit that kills it
 * mid-task).  Soft limits are raised to the hard ones; a hard limit below
 * what a task may need is refused rather than risked (raising it would
 * need CAP_SYS_RESOURCE, which not every host grants root).  NULL, or
 * why the agent must not run. */
static const char *reset_inherited(void)
{
    static const struct {
        int resource;
        rlim_t soft_max;        /* the soft limit is at most this */
        rlim_t hard_min;        /* a lower hard limit is refused */
        const char *why;
    } limits[] = {
        { RLIMIT_FSIZE, RLIM_INFINITY, 64 * 1024 * 1024,
          "the caller's file size limit (RLIMIT_FSIZE) is below 64 MiB" },
        { RLIMIT_NOFILE, 1024, 64,
          "the caller's descriptor limit (RLIMIT_NOFILE) is below 64" },
        { RLIMIT_CPU, RLIM_INFINITY, 2 * XGB_AGENT_TIMEOUT,
          "the caller's CPU time limit (RLIMIT_CPU) is below the agent's "
          "time limit" },
    };
    struct rlimit rl = { 0, 0 };
    struct sigaction sa;
    sigset_t none;
    size_t i;
    int sig;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (sig = 1; sig < NSIG; sig++) {
        /* SIGKILL and SIGSTOP cannot be changed, nor the real-time
         * signals the C library keeps: those fail harmlessly */
        sigaction(sig, &sa, NULL);
    }
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) != 0) {
        return "cannot reset the signal mask";
    }
    if (setrlimit(RLIMIT_CORE, &rl) != 0) {
        return "cannot turn core files off";
    }
    for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
        if (getrlimit(limits[i].resource, &rl) != 0) {
            return limits[i].why;
        }
        if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < limits[i].hard_min) {
            return limits[i].why;
        }
        rl.rlim_cur = rl.rlim_max != RLIM_INFINITY
                      && (limits[i].soft_max == RLIM_INFINITY
                          || rl.rlim_max < limits[i].soft_max)
                      ? rl.rlim_max : limits[i].soft_max;
        if (setrlimit(limits[i].resource, &rl) != 0) {
            return limits[i].why;
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    xgb_agentcmd_t cmd = { 0 };
    const char *orig, *conn, *why;
    char *const *args;
    agent_user_t u = { 0 };
    agent_policy_t pol;
    static char home[4096];
    char policy_why[512];
    const char *unsafe = reset_inherited();
    struct passwd *pw;
    int nargs, i, policy_ok;

    /* What the environment tells about the request is read first, then
     * the environment is gone: nothing from it reaches a child. */
    orig = getenv("SSH_ORIGINAL_COMMAND");
    orig = orig ? strdup(orig) : NULL;
    conn = getenv("SSH_CONNECTION");
    if (conn) {
        copy_printable(req.from, sizeof(req.from), conn);
        req.from[strcspn(req.from, " ")] = '\0';
    }
    if (clearenv() != 0 || setenv("PATH", SAFE_PATH, 1) != 0) {
        return XGB_AGENT_EXIT_INTERNAL;
    }
    umask(022);
    alarm(XGB_AGENT_TIMEOUT);
    openlog("x2gobroker-agent", LOG_PID, LOG_AUTHPRIV);
    pw = getpwuid(getuid());
    if (pw) {
        copy_printable(req.caller, sizeof(req.caller), pw->pw_name);
    }
    else {
        snprintf(req.caller, sizeof(req.caller), "uid %lu",
                 (unsigned long)getuid());
    }

    if (unsafe) {
        return refuse(XGB_AGENT_EXIT_INTERNAL, "%s", unsafe);
    }
    policy_ok = agent_policy_load(&pol, policy_why, sizeof(policy_why)) == 0;

    if (argc > 1) {
        /* run directly (agent mode LOCAL): argv as it is */
        if (argc < 3) {
            return refuse(XGB_AGENT_EXIT_USAGE, "usage: %s <user> <task> "
                          "[<arg> ...]", XGB_AGENT_PATH);
        }
        copy_printable(req.user, sizeof(req.user), argv[1]);
        copy_printable(req.task, sizeof(req.task), argv[2]);
        if (!xgb_valid_username(argv[1])) {
            return refuse(XGB_AGENT_EXIT_USER, "invalid user name");
        }
        if (!xgb_valid_task(argv[2])) {
            return refuse(XGB_AGENT_EXIT_TASK, "unknown task");
        }
        if (argc - 3 > XGB_AGENTCMD_MAXARGS) {
            return refuse(XGB_AGENT_EXIT_ARG, "too many arguments");
        }
        for (i = 3; i < argc; i++) {
            if (!xgb_agentcmd_arg_ok(argv[i])) {
                return refuse(XGB_AGENT_EXIT_ARG, "argument %d has "
                              "characters no broker sends", i - 2);
            }
        }
        cmd.user = argv[1];
        cmd.task = argv[2];
        args = argv + 3;
        nargs = argc - 3;
    }
    else if (orig) {
        /* through sshd's forced command */
        if (xgb_agentcmd_parse(orig, XGB_AGENT_PATH, &cmd, &why) != 0) {
            return refuse(XGB_AGENT_EXIT_USAGE, "refused SSH command: %s",
                          why);
        }
        copy_printable(req.user, sizeof(req.user), cmd.user);
        copy_printable(req.task, sizeof(req.task), cmd.task);
        args = cmd.args;
        nargs = cmd.nargs;
    }
    else {
        return refuse(XGB_AGENT_EXIT_USAGE, "usage: %s <user> <task> "
                      "[<arg> ...]", XGB_AGENT_PATH);
    }

    if (!policy_ok) {
        return refuse(XGB_AGENT_EXIT_INTERNAL, "agent policy unusable, "
                      "every task refused: %s", policy_why);
    }
    if (nargs != expected_args(cmd.task)) {
        return refuse(XGB_AGENT_EXIT_ARG, "%s takes %d argument(s), "
                      "got %d", cmd.task, expected_args(cmd.task), nargs);
    }
    if (needs_x2goserver(cmd.task) && !x2goserver_installed()) {
        return refuse(XGB_AGENT_EXIT_TASK, "%s: x2goserver is not "
                      "installed on this host", cmd.task);
    }
    if (needs_user(cmd.task)) {
        if (geteuid() != 0) {
            return refuse(XGB_AGENT_EXIT_INTERNAL, "not running as root "
                          "(install setuid root, mode 4750)");
        }
        pw = getpwnam(cmd.user);
        if (!pw) {
            return refuse(XGB_AGENT_EXIT_USER, "no such user on system: "
                          "%s", req.user);
        }
        if (!acts_on_account(cmd.task) && strcmp(cmd.task, "delauthkey")
            && (pw->pw_uid < XGB_AGENT_UID_MIN || pw->pw_uid == 65534)) {
            return refuse(XGB_AGENT_EXIT_USER, "operation on system user: "
                          "%s (with UID number: %lu)", req.user,
                          (unsigned long)pw->pw_uid);
        }
        if (!pw->pw_dir || pw->pw_dir[0] != '/') {
            return refuse(XGB_AGENT_EXIT_USER, "user %s has no home "
                          "directory", req.user);
        }
        /* the passwd entry is static: keep what the task needs */
        if (strlen(pw->pw_dir) >= sizeof(home)) {
            return refuse(XGB_AGENT_EXIT_USER, "user %s: home directory "
                          "path too long", req.user);
        }
        strcpy(home, pw->pw_dir);
        u.name = req.user;
        u.uid = pw->pw_uid;
        u.gid = pw->pw_gid;
        u.home = home;
        if ((acts_on_account(cmd.task) || !strcmp(cmd.task, "delauthkey"))
            && agent_policy_allows(&pol, &u, !acts_on_account(cmd.task),
                                   policy_why, sizeof(policy_why)) != 0) {
            return refuse(XGB_AGENT_EXIT_USER, "refused by the agent "
                          "policy: %s", policy_why);
        }
        if (!strcmp(cmd.task, "suspendsession")
            || !strcmp(cmd.task, "terminatesession")) {
            if (!xgb_valid_session_id(args[0], u.name)) {
                return refuse(XGB_AGENT_EXIT_ARG, "not a session id of "
                              "user %s", req.user);
            }
        }
    }
    return run_task(cmd.task, &u, &pol, args);
}
