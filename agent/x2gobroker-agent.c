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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    char from[64];          /* the SSH client's address, if any */
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
    syslog(priority, "caller=%s from=%s user=%s task=%s outcome=%s%s%s",
           req.caller, req.from[0] ? req.from : "local",
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
                    char *const *args)
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
        rc = agent_addauthkey(u, args[0], args[1], &err);
    }
    else {
        rc = agent_delauthkey(u, args[0], args[1], &err);
    }
    rc = finish(rc, &out, &err, !needs_user(task));
    xgb_buf_free(&out);
    xgb_buf_free(&err);
    return rc;
}

int main(int argc, char **argv)
{
    xgb_agentcmd_t cmd = { 0 };
    const char *orig, *conn, *why;
    char *const *args;
    agent_user_t u = { 0 };
    static char home[4096];
    struct passwd *pw;
    int nargs, i;

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
        if (pw->pw_uid < XGB_AGENT_UID_MIN || pw->pw_uid == 65534) {
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
        if (!strcmp(cmd.task, "suspendsession")
            || !strcmp(cmd.task, "terminatesession")) {
            if (!xgb_valid_session_id(args[0], u.name)) {
                return refuse(XGB_AGENT_EXIT_ARG, "not a session id of "
                              "user %s", req.user);
            }
        }
    }
    return run_task(cmd.task, &u, args);
}
