/*
 * x2gobroker-testagent - run one broker agent task the way the broker
 * does (spec 6.1, 8.3): the local agent directly, or a remote one over
 * SSH with the broker's key, and say plainly what failed.
 *
 * Run as root, it reads the private key first and then becomes the
 * broker account for good (the local agent is executable by the broker's
 * group only; known_hosts belongs to that account).  Run as another
 * user, it uses that user's rights.
 *
 * Exit status: 0 task done, 1 agent error, 2 host unreachable, 3 host key
 * unknown, 4 host key changed, 5 authentication refused, 6 other SSH
 * failure, 7 local failure, 254 invalid arguments.
 */
#define _GNU_SOURCE             /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <libssh2.h>

#include "tool_account.h"
#include "xgb_agentcmd.h"
#include "xgb_buf.h"
#include "xgb_sshclient.h"
#include "xgb_sshkey.h"
#include "xgb_valid.h"

#define EXIT_AGENT 1
#define EXIT_UNREACHABLE 2
#define EXIT_HOSTKEY_UNKNOWN 3
#define EXIT_HOSTKEY_CHANGED 4
#define EXIT_AUTH 5
#define EXIT_SSH 6
#define EXIT_LOCAL 7
#define EXIT_USAGE 254

#define DEFAULT_AUTHKEYS "%h/.x2go/authorized_keys"
#define DEFAULT_AGENT_USER "x2gobroker"
#define DUMMY_USER "foo"        /* what the broker sends with ping */
#define TIMEOUT_MAX 3600
#define OUTPUT_MAX (4 * 1024 * 1024)

typedef struct {
    int list_tasks;
    int autoadd;
    int debug;
    const char *user;
    const char *task;
    const char *host;
    int port;
    const char *session_id;
    const char *pubkey;
    const char *authkeys;
    const char *identity;
    const char *known_hosts;
    int timeout;                /* seconds */
} opts_t;

/* What came back from an agent. */
typedef struct {
    xgb_buf_t out;
    xgb_buf_t err;
    int exit_status;
} result_t;

static void usage(FILE *f)
{
    fprintf(f,
"Usage: %s [options]\n"
"Run one X2Go Session Broker agent task, on this host (LOCAL) or on an\n"
"X2Go server over SSH, the way the broker does, and report the outcome.\n"
"\n"
"  --list-tasks              list the tasks the agent offers\n"
"  -u, --user, --username U  run the task for user U (not needed for\n"
"                            ping, checkload and --list-tasks)\n"
"  -t, --task TASK           the task (default ping)\n"
"  -H, --host HOST           the agent's host (default LOCAL: this host)\n"
"  -p, --port PORT           its SSH port (default 22)\n"
"  -A, --add-to-known-hosts  accept an unknown host key and add it to\n"
"                            known_hosts (a changed key is always refused)\n"
"      --session-id ID       session for suspendsession, terminatesession\n"
"      --pubkey LINE         key line for addauthkey, delauthkey\n"
"      --authorized-keys T   the file those change (default %s)\n"
"  -i, --identity FILE       private key (default: the broker account's\n"
"                            ~/.ssh/id_ed25519, id_ecdsa, then id_rsa)\n"
"      --known-hosts FILE    default ~/.ssh/known_hosts of the broker\n"
"                            account\n"
"      --timeout SECONDS     bound of the connect and of the task each\n"
"                            (default 5)\n"
"  -d, --debug               show the command, the raw output and the\n"
"                            exit status\n"
"  -h, --help                show this help\n"
"\n"
"Environment: X2GOBROKER_DAEMON_USER / X2GOBROKER_DAEMON_GROUP (the broker\n"
"account, default x2gobroker), X2GOBROKER_AGENT_USER (SSH login name,\n"
"default x2gobroker), X2GOBROKER_AGENT_CMD (agent path, default\n"
"%s/x2gobroker-agent).\n"
"\n"
"The task's output lines go to stdout, messages to stderr.  Exit status:\n"
"0 task done, 1 agent error (it wrote to stderr or did not answer OK),\n"
"2 host unreachable, 3 host key unknown, 4 host key changed,\n"
"5 authentication refused, 6 other SSH failure, 7 local failure (account,\n"
"private key, agent not executable), 254 invalid arguments.\n",
            tool_prog, DEFAULT_AUTHKEYS, XGB_X2GO_LIBDIR);
}

static int parse_int(const char *s, int min, int max, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) {
        return -1;
    }
    *out = (int)v;
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- the local agent ------------------------------------------------- */

/* Read what is there on fd into b; 1 at EOF, 0 for more, -1 on errors. */
static int read_some(int fd, xgb_buf_t *b)
{
    char chunk[8192];
    ssize_t n;

    n = read(fd, chunk, sizeof(chunk));
    if (n < 0) {
        return errno == EINTR || errno == EAGAIN ? 0 : -1;
    }
    if (n == 0) {
        return 1;
    }
    if (b->len + (size_t)n > OUTPUT_MAX) {
        errno = EFBIG;
        return -1;
    }
    xgb_buf_put(b, chunk, (size_t)n);
    if (b->failed) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

/* The child's side: stdin from /dev/null, stdout and stderr into the
 * pipes, then the agent.  An exec failure goes back as errno through
 * the close-on-exec status pipe. */
static void child(const char *agent, char *const *argv, int out, int err,
                  int status)
{
    static char *const env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                                 NULL };
    int null, e;

    null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0
        || dup2(err, 2) < 0) {
        e = errno;
    }
    else {
        execve(agent, argv, env);
        e = errno;
    }
    if (write(status, &e, sizeof(e)) < 0) {
        /* nothing left to tell it with */
    }
    _exit(127);
}

/* Run the local agent, no shell, both streams captured.  0, or the
 * exit status of the tool (reported). */
static int run_local(const char *agent, const char *user, const char *task,
                     const char *const *args, int nargs, int timeout_s,
                     result_t *r)
{
    char *argv[3 + XGB_AGENTCMD_MAXARGS + 1];
    int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, ps[2] = { -1, -1 };
    int i, rc, wstatus, e = 0, out_done = 0, err_done = 0;
    long long deadline = now_ms() + (long long)timeout_s * 1000;
    struct pollfd pfd[2];
    ssize_t n;
    pid_t pid;

    argv[0] = (char *)agent;
    argv[1] = (char *)user;
    argv[2] = (char *)task;
    for (i = 0; i < nargs; i++) {
        argv[3 + i] = (char *)args[i];
    }
    argv[3 + nargs] = NULL;

    if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0
        || pipe2(ps, O_CLOEXEC) != 0) {
        tool_err("cannot create pipes: %s", strerror(errno));
        rc = EXIT_LOCAL;
        goto out;
    }
    pid = fork();
    if (pid < 0) {
        tool_err("cannot fork: %s", strerror(errno));
        rc = EXIT_LOCAL;
        goto out;
    }
    if (pid == 0) {
        child(agent, argv, po[1], pe[1], ps[1]);
    }
    close(po[1]);
    close(pe[1]);
    close(ps[1]);
    po[1] = pe[1] = ps[1] = -1;

    /* exec succeeded iff the status pipe closes without a word */
    do {
        n = read(ps[0], &e, sizeof(e));
    } while (n < 0 && errno == EINTR);
    if (n == (ssize_t)sizeof(e)) {
        waitpid(pid, NULL, 0);
        tool_err("cannot execute the agent %s: %s", agent, strerror(e));
        rc = EXIT_LOCAL;
        goto out;
    }

    while (!out_done || !err_done) {
        long long left = deadline - now_ms();

        if (left <= 0) {
            /* A setuid agent cannot be killed by us: then it ends on its
             * own alarm; we just stop waiting. */
            if (kill(pid, SIGKILL) == 0) {
                waitpid(pid, NULL, 0);
            }
            tool_err("the local agent %s did not finish within %d s", agent,
                     timeout_s);
            rc = EXIT_AGENT;
            goto out;
        }
        pfd[0].fd = out_done ? -1 : po[0];
        pfd[1].fd = err_done ? -1 : pe[0];
        pfd[0].events = pfd[1].events = POLLIN;
        pfd[0].revents = pfd[1].revents = 0;
        if (poll(pfd, 2, (int)left) < 0) {
            if (errno == EINTR) {
                continue;
            }
            tool_err("poll: %s", strerror(errno));
            rc = EXIT_LOCAL;
            goto out;
        }
        if (!out_done && pfd[0].revents) {
            out_done = read_some(po[0], &r->out);
        }
        if (!err_done && pfd[1].revents) {
            err_done = read_some(pe[0], &r->err);
        }
        if (out_done < 0 || err_done < 0) {
            tool_err("cannot read the agent's output: %s", strerror(errno));
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            rc = EXIT_LOCAL;
            goto out;
        }
    }
    while (waitpid(pid, &wstatus, 0) < 0) {
        if (errno != EINTR) {
            tool_err("waitpid: %s", strerror(errno));
            rc = EXIT_LOCAL;
            goto out;
        }
    }
    r->exit_status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    rc = 0;

out:
    for (i = 0; i < 2; i++) {
        if (po[i] >= 0) {
            close(po[i]);
        }
        if (pe[i] >= 0) {
            close(pe[i]);
        }
        if (ps[i] >= 0) {
            close(ps[i]);
        }
    }
    return rc;
}

/* --- the remote agent ------------------------------------------------ */

static int ssh_exit(xgb_ssh_status_t st)
{
    switch (st) {
    case XGB_SSH_OK:
        return 0;
    case XGB_SSH_UNREACHABLE:
        return EXIT_UNREACHABLE;
    case XGB_SSH_HOSTKEY_UNKNOWN:
        return EXIT_HOSTKEY_UNKNOWN;
    case XGB_SSH_HOSTKEY_CHANGED:
        return EXIT_HOSTKEY_CHANGED;
    case XGB_SSH_AUTH_REFUSED:
        return EXIT_AUTH;
    case XGB_SSH_PROTOCOL:
    case XGB_SSH_EXEC:
        return EXIT_SSH;
    case XGB_SSH_KEY:
    case XGB_SSH_INTERNAL:
        break;
    }
    return EXIT_LOCAL;
}

static int run_remote(const opts_t *o, const char *login, const char *key,
                      size_t keylen, const char *known_hosts,
                      const char *command, result_t *r)
{
    xgb_ssh_conn_t *conn = NULL;
    xgb_ssh_error_t e;
    xgb_ssh_status_t st;

    if (libssh2_init(0) != 0) {
        tool_err("cannot initialize libssh2");
        return EXIT_LOCAL;
    }
    st = xgb_ssh_connect(o->host, o->port, o->timeout * 1000, login, key,
                         keylen, known_hosts,
                         o->autoadd ? XGB_SSH_HOSTKEY_AUTOADD
                                    : XGB_SSH_HOSTKEY_REJECT,
                         &conn, &e);
    if (st != XGB_SSH_OK) {
        tool_err("%s%s", e.msg, st == XGB_SSH_HOSTKEY_UNKNOWN
                 && !o->autoadd ? " (run with -A to add it)" : "");
        libssh2_exit();
        return ssh_exit(st);
    }
    if (e.msg[0]) {
        tool_err("%s", e.msg);
    }
    if (o->debug) {
        tool_err("connected to %s port %d as %s, host key %s", o->host,
                 o->port, login, xgb_ssh_hostkey(conn));
    }
    st = xgb_ssh_exec(conn, command, o->timeout * 1000, &r->out, &r->err,
                      &r->exit_status, &e);
    xgb_ssh_close(conn);
    libssh2_exit();
    if (st != XGB_SSH_OK) {
        tool_err("%s", e.msg);
        return ssh_exit(st);
    }
    return 0;
}

/* The private key named by -i, read as root (the administrator's choice
 * of file; never through a symlink). */
static int read_identity(const char *path, xgb_buf_t *key)
{
    int rc = tool_read_file(path, XGB_SSH_PRIVKEY_MAX, 1, key, NULL);

    if (rc == 0) {
        tool_err("private key %s does not exist", path);
    }
    return rc == 1 ? 0 : -1;
}

/* The first of the broker account's usual keys, through its ~/.ssh
 * opened once, as the account itself. */
static int read_account_key(tool_account_t *acct, xgb_buf_t *key)
{
    static const char *const names[] = { "id_ed25519", "id_ecdsa", "id_rsa",
                                         NULL };
    int i, rc = tool_account_sshdir(acct, 0);

    for (i = 0; rc == 0 && names[i]; i++) {
        rc = tool_read_ssh_file(acct, names[i], XGB_SSH_PRIVKEY_MAX, key,
                                NULL);
        if (rc != 0) {
            return rc == 1 ? 0 : -1;
        }
    }
    if (rc < 0) {
        return -1;
    }
    tool_err("no private key in %s (id_ed25519, id_ecdsa, id_rsa): make "
             "one with x2gobroker-keygen or use -i", acct->sshdir);
    return -1;
}

/* --- the answer ------------------------------------------------------ */

/* Judge the agent's answer like the broker: anything on stderr, or a
 * first line other than OK, is a failure.  Prints the task's lines. */
static int judge(const opts_t *o, const char *where, result_t *r)
{
    char *out, *err, *line, *next;
    size_t len;
    int rc = 0;

    out = xgb_buf_detach(&r->out);
    err = xgb_buf_detach(&r->err);
    if (!out || !err) {
        tool_err("out of memory");
        free(out);
        free(err);
        return EXIT_LOCAL;
    }
    if (o->debug) {
        tool_err("agent exit status %d; stdout:\n%s", r->exit_status, out);
        tool_err("stderr:\n%s", err);
    }
    len = strlen(err);
    while (len && (err[len - 1] == '\n' || err[len - 1] == '\r')) {
        err[--len] = '\0';
    }
    if (len) {
        tool_err("%s failed: %s", where, err);
        rc = EXIT_AGENT;
        goto out;
    }
    next = strchr(out, '\n');
    if (next) {
        *next++ = '\0';
    }
    if (strcmp(out, "OK") != 0) {
        if (*out) {
            tool_err("%s did not answer OK: its first line is \"%s\"", where,
                     out);
        }
        else {
            tool_err("%s did not answer OK: no output (exit status %d)",
                     where, r->exit_status);
        }
        rc = EXIT_AGENT;
        goto out;
    }
    for (line = next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) {
            *next++ = '\0';
        }
        if (!*line) {
            continue;
        }
        if (o->list_tasks && !xgb_valid_task(line)) {
            printf("%s (not supported by this tool)\n", line);
        }
        else {
            printf("%s\n", line);
        }
    }
    if (fflush(stdout) != 0) {
        tool_err("cannot write the output: %s", strerror(errno));
        rc = EXIT_LOCAL;
        goto out;
    }
    tool_err("%s: %s done", where, o->task);

out:
    free(out);
    free(err);
    return rc;
}

/* --- main ------------------------------------------------------------ */

static int needs_user(const char *task)
{
    return strcmp(task, "ping") != 0 && strcmp(task, "checkload") != 0
           && strcmp(task, "availabletasks") != 0;
}

static int parse_args(int argc, char **argv, opts_t *o)
{
    enum {
        OPT_LIST = 256, OPT_SID, OPT_PUBKEY, OPT_AUTHKEYS, OPT_KNOWN_HOSTS,
        OPT_TIMEOUT
    };
    static const struct option longopts[] = {
        { "list-tasks", no_argument, NULL, OPT_LIST },
        { "user", required_argument, NULL, 'u' },
        { "username", required_argument, NULL, 'u' },
        { "task", required_argument, NULL, 't' },
        { "host", required_argument, NULL, 'H' },
        { "port", required_argument, NULL, 'p' },
        { "add-to-known-hosts", no_argument, NULL, 'A' },
        { "session-id", required_argument, NULL, OPT_SID },
        { "pubkey", required_argument, NULL, OPT_PUBKEY },
        { "authorized-keys", required_argument, NULL, OPT_AUTHKEYS },
        { "identity", required_argument, NULL, 'i' },
        { "known-hosts", required_argument, NULL, OPT_KNOWN_HOSTS },
        { "timeout", required_argument, NULL, OPT_TIMEOUT },
        { "debug", no_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":u:t:H:p:Ai:dh", longopts, NULL))
           != -1) {
        switch (c) {
        case OPT_LIST:
            o->list_tasks = 1;
            break;
        case 'u':
            o->user = optarg;
            break;
        case 't':
            o->task = optarg;
            break;
        case 'H':
            o->host = optarg;
            break;
        case 'p':
            if (parse_int(optarg, 1, 65535, &o->port) != 0) {
                tool_err("invalid port %s", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'A':
            o->autoadd = 1;
            break;
        case OPT_SID:
            o->session_id = optarg;
            break;
        case OPT_PUBKEY:
            o->pubkey = optarg;
            break;
        case OPT_AUTHKEYS:
            o->authkeys = optarg;
            break;
        case 'i':
            o->identity = optarg;
            break;
        case OPT_KNOWN_HOSTS:
            o->known_hosts = optarg;
            break;
        case OPT_TIMEOUT:
            if (parse_int(optarg, 1, TIMEOUT_MAX, &o->timeout) != 0) {
                tool_err("invalid timeout %s (1 to %d seconds)", optarg,
                         TIMEOUT_MAX);
                return EXIT_USAGE;
            }
            break;
        case 'd':
            o->debug = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            tool_option_error(c, argv);
            return EXIT_USAGE;
        }
    }
    if (tool_extra_arguments(argc, argv)) {
        return EXIT_USAGE;
    }
    return -1;
}

/* The task's arguments, checked.  0 or EXIT_USAGE (reported). */
static int task_args(const opts_t *o, const char **args, int *nargs)
{
    xgb_keyline_t kl;
    const char *why;

    *nargs = 0;
    if (!strcmp(o->task, "suspendsession")
        || !strcmp(o->task, "terminatesession")) {
        if (!o->session_id) {
            tool_err("task %s needs --session-id", o->task);
            return EXIT_USAGE;
        }
        if (!xgb_valid_session_id(o->session_id, o->user)) {
            tool_err("%s is not an X2Go session id of user %s",
                     o->session_id, o->user);
            return EXIT_USAGE;
        }
        args[(*nargs)++] = o->session_id;
    }
    else if (!strcmp(o->task, "addauthkey")
             || !strcmp(o->task, "delauthkey")) {
        if (!o->pubkey) {
            tool_err("task %s needs --pubkey", o->task);
            return EXIT_USAGE;
        }
        if (xgb_keyline_parse(o->pubkey, &kl, &why) != 0) {
            tool_err("invalid --pubkey: %s", why);
            return EXIT_USAGE;
        }
        xgb_keyline_free(&kl);
        args[(*nargs)++] = o->pubkey;
        args[(*nargs)++] = o->authkeys;
    }
    return 0;
}

int main(int argc, char **argv)
{
    opts_t o = { 0 };
    tool_account_t acct = TOOL_ACCOUNT_INIT;
    tool_account_status_t ast;
    result_t r = { XGB_BUF_INIT, XGB_BUF_INIT, -1 };
    xgb_buf_t key = XGB_BUF_INIT;
    const char *args[XGB_AGENTCMD_MAXARGS], *agent, *login, *why;
    char where[300], *command = NULL, *known_hosts = NULL;
    int rc, nargs, local, is_root = geteuid() == 0;

    tool_prog = "x2gobroker-testagent";
    o.task = "ping";
    o.host = "LOCAL";
    o.port = 22;
    o.timeout = 5;
    o.authkeys = DEFAULT_AUTHKEYS;
    rc = parse_args(argc, argv, &o);
    if (rc >= 0) {
        return rc;
    }
    if (o.list_tasks) {
        o.task = "availabletasks";
    }
    if (!xgb_valid_task(o.task)) {
        tool_err("unknown task %s (see --list-tasks)", o.task);
        return EXIT_USAGE;
    }
    if (!o.user) {
        if (needs_user(o.task)) {
            tool_err("task %s needs a user name (-u)", o.task);
            return EXIT_USAGE;
        }
        o.user = DUMMY_USER;
    }
    if (!xgb_valid_username(o.user)) {
        tool_err("invalid user name %s", o.user);
        return EXIT_USAGE;
    }
    if (task_args(&o, args, &nargs) != 0) {
        return EXIT_USAGE;
    }
    agent = getenv("X2GOBROKER_AGENT_CMD");
    if (!agent || !*agent) {
        agent = XGB_AGENT_PATH;
    }
    login = getenv("X2GOBROKER_AGENT_USER");
    if (!login || !*login) {
        login = DEFAULT_AGENT_USER;
    }
    if (!xgb_valid_username(login)) {
        tool_err("invalid login name in X2GOBROKER_AGENT_USER");
        return EXIT_USAGE;
    }
    /* the same checks for both ways: nothing unsafe is ever run */
    command = xgb_agentcmd_build(agent, o.user, o.task, args, nargs, &why);
    if (!command) {
        tool_err("cannot build the agent command: %s", why);
        return EXIT_USAGE;
    }
    local = !strcmp(o.host, "LOCAL");
    if (local) {
        snprintf(where, sizeof(where), "the local agent %s", agent);
    }
    else {
        snprintf(where, sizeof(where), "the agent on %s port %d", o.host,
                 o.port);
    }

    rc = EXIT_LOCAL;
    /* the broker account: needed to become it, and for the defaults */
    if (is_root || (!local && (!o.identity || !o.known_hosts))) {
        ast = tool_account_lookup(&acct);
        if (ast != TOOL_ACCOUNT_OK) {
            goto out;
        }
    }
    if (!local && o.identity && read_identity(o.identity, &key) != 0) {
        goto out;
    }
    /* the account's own files are read as the account */
    if (is_root && tool_account_become(&acct) != 0) {
        goto out;
    }
    if (!local) {
        if (!o.identity && read_account_key(&acct, &key) != 0) {
            goto out;
        }
        if (o.known_hosts) {
            known_hosts = strdup(o.known_hosts);
        }
        else {
            known_hosts = malloc(strlen(acct.sshdir)
                                 + sizeof("/known_hosts"));
            if (known_hosts) {
                strcpy(known_hosts, acct.sshdir);
                strcat(known_hosts, "/known_hosts");
            }
        }
        if (!known_hosts) {
            tool_err("out of memory");
            goto out;
        }
    }
    if (o.debug) {
        tool_err("%s command: %s", local ? "local" : "remote", command);
    }

    if (local) {
        rc = run_local(agent, o.user, o.task, args, nargs, o.timeout, &r);
    }
    else {
        rc = run_remote(&o, login, (const char *)key.d, key.len,
                        known_hosts, command, &r);
    }
    if (rc == 0) {
        rc = judge(&o, where, &r);
    }

out:
    if (key.d) {
        explicit_bzero(key.d, key.cap);
    }
    xgb_buf_free(&key);
    xgb_buf_free(&r.out);
    xgb_buf_free(&r.err);
    free(command);
    free(known_hosts);
    tool_account_free(&acct);
    return rc;
}
