/*
 * mod_x2gobroker_agent.c - talking to x2gobroker-agent (spec 6.1).
 *
 * Mode LOCAL runs the agent program directly: no shell, an empty
 * environment, arguments as separate words.  Its pipes are made close-
 * on-exec and it is started with posix_spawn: the threads of a child
 * spawn agents at the same time, and a pipe end inherited by another
 * thread's agent would hold this one's output open until that agent
 * ends.  Mode SSH runs the agent on
 * each X2Go server over libssh2 (libxgbssh) with the command line of
 * spec 6.1, so old Perl agents keep working; every argument is checked
 * by the command builder before anything is sent (B16).
 *
 * SSH connections are pooled per child and per server in an apr_reslist,
 * as mod_dbd pools database connections: a handshake costs far more than
 * a channel, and mpm_event serves requests from many threads.  A
 * connection that failed is invalidated, an idle one expires, and none is
 * ever made before the fork (the pools exist only in children).
 *
 * The work of one request on several servers runs in parallel, one
 * thread per server, so a request pays for the slowest server, not for
 * their sum.  Connecting and the commands each get X2GoBrokerAgentTimeout:
 * a slow handshake (a cold sshd, a loaded machine) does not eat the
 * commands' time.
 *
 * Only a verdict goes to the shared server table: no TCP answer, a
 * refused host key or login.  A server that was reached but did not
 * finish in time is not marked down: this request goes without its
 * answer, the next ones ask it again.  A timeout says more about the
 * moment than about the server, and one slow answer must not take a
 * server out for every child.  What tells a slow server from a gone one
 * (a pooled connection to a server that died or was cut off times out
 * like a slow command) is its kernel: after such a timeout the SSH port
 * is probed, and a port that gives no TCP answer either is a verdict.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>
#include <sys/wait.h>

#include "apr_strings.h"
#include "apr_hash.h"
#include "apr_reslist.h"
#include "apr_thread_proc.h"
#include "apr_thread_mutex.h"
#include "apr_portable.h"

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "ap_mpm.h"

#include <libssh2.h>

#include "mod_x2gobroker_private.h"
#include "xgb_agentcmd.h"
#include "xgb_agentreply.h"
#include "xgb_net.h"
#include "xgb_sshclient.h"

/* Idle pooled connections are closed after this; X2Go servers' sshd
 * would keep them forever, but a broker idle for minutes gains nothing
 * from them. */
#define POOL_IDLE_TTL apr_time_from_sec(60)

/* One pool of SSH connections to one server with one set of settings. */
typedef struct {
    const char *addr;
    int port;
    const char *user;
    const x2gobroker_privkey *key;
    const char *known_hosts;
    xgb_ssh_hostkey_policy_t policy;
    int timeout_ms;
    apr_reslist_t *rl;
} ssh_pool;

/* Per child: settings key -> ssh_pool. */
static apr_pool_t *child_pool;
static apr_hash_t *pools;
/* Connections per server and child: one per request thread, so a thread
 * never waits for another's connection. */
static int pool_max;
static apr_thread_mutex_t *pools_mutex;

/* A reslist constructor can return neither a reason nor whether it ran:
 * it leaves both here for the thread that called apr_reslist_acquire(),
 * which is the thread it runs in. */
static __thread xgb_ssh_error_t connect_error;
static __thread int connect_ran;

struct x2gobroker_agent_link {
    const x2gobroker_agent_ctx *ctx;
    x2gobroker_agent_job *job;
    apr_time_t deadline;        /* of the commands; 0 until connected */
    ssh_pool *sp;
    xgb_ssh_conn_t *conn;
    int reused;
};

static apr_status_t ssh_construct(void **resource, void *params,
                                  apr_pool_t *pool)
{
    ssh_pool *sp = params;
    xgb_ssh_conn_t *conn = NULL;

    connect_ran = 1;
    if (xgb_ssh_connect(sp->addr, sp->port, sp->timeout_ms, sp->user,
                        sp->key->data, sp->key->len, sp->known_hosts,
                        sp->policy, &conn, &connect_error) != XGB_SSH_OK) {
        return APR_EGENERAL;
    }
    *resource = conn;
    return APR_SUCCESS;
}

static apr_status_t ssh_destruct(void *resource, void *params,
                                 apr_pool_t *pool)
{
    xgb_ssh_close(resource);
    return APR_SUCCESS;
}

static apr_status_t ssh_shutdown(void *unused)
{
    pools = NULL;
    libssh2_exit();
    return APR_SUCCESS;
}

void x2gobroker_agent_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_status_t rv;

    if (libssh2_init(0) != 0) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, XGB_LOGNO(00110)
                     "libssh2 cannot be initialised: agent mode SSH "
                     "fails in this child");
        return;
    }
    rv = apr_thread_mutex_create(&pools_mutex, APR_THREAD_MUTEX_DEFAULT,
                                 pchild);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, XGB_LOGNO(00111)
                     "cannot create the SSH pool mutex: agent mode SSH "
                     "fails in this child");
        return;
    }
    child_pool = pchild;
    pools = apr_hash_make(pchild);
    if (ap_mpm_query(AP_MPMQ_MAX_THREADS, &pool_max) != APR_SUCCESS
        || pool_max < 1) {
        pool_max = 1;
    }
    /* Registered after the mutex, so it runs before the pools' own
     * cleanups are gone: reslists are subpools of pchild and close their
     * connections when pchild is cleared. */
    apr_pool_cleanup_register(pchild, NULL, ssh_shutdown,
                              apr_pool_cleanup_null);
}

/* A subpool of parent with an allocator of its own, so that one thread
 * can allocate from it while others use parent's siblings; NULL if out
 * of memory. */
static apr_pool_t *private_pool(apr_pool_t *parent)
{
    apr_allocator_t *alloc;
    apr_pool_t *p;

    if (apr_allocator_create(&alloc) != APR_SUCCESS) {
        return NULL;
    }
    if (apr_pool_create_ex(&p, parent, NULL, alloc) != APR_SUCCESS) {
        apr_allocator_destroy(alloc);
        return NULL;
    }
    apr_allocator_owner_set(alloc, p);
    return p;
}

/* The pool for this server and these settings, made on first use.
 * Runs in a job's thread: allocates from the job's pool only. */
static ssh_pool *pool_for(const x2gobroker_agent_ctx *ctx,
                          const x2gobroker_server *srv, apr_pool_t *tmp)
{
    const char *known_hosts = ctx->known_hosts;
    const char *key;
    ssh_pool *sp;
    apr_pool_t *p;

    if (!pools) {
        return NULL;
    }
    key = apr_psprintf(tmp, "%s|%d|%s|%s|%pp|%d|%d", srv->addr,
                       srv->port, ctx->login, known_hosts, ctx->key,
                       (int)ctx->policy, ctx->timeout_ms);
    apr_thread_mutex_lock(pools_mutex);
    sp = apr_hash_get(pools, key, APR_HASH_KEY_STRING);
    if (!sp) {
        /* used from whatever thread needs a connection next */
        p = private_pool(child_pool);
        if (p) {
            sp = apr_pcalloc(p, sizeof(*sp));
            sp->addr = apr_pstrdup(p, srv->addr);
            sp->port = srv->port;
            sp->user = apr_pstrdup(p, ctx->login);
            sp->key = ctx->key;
            sp->known_hosts = apr_pstrdup(p, known_hosts);
            sp->policy = ctx->policy;
            sp->timeout_ms = ctx->timeout_ms;
            if (apr_reslist_create(&sp->rl, 0, pool_max, pool_max,
                                   POOL_IDLE_TTL, ssh_construct,
                                   ssh_destruct, sp, p) != APR_SUCCESS) {
                apr_pool_destroy(p);
                sp = NULL;
            }
            else {
                apr_reslist_timeout_set(sp->rl,
                                        apr_time_from_msec(ctx->timeout_ms));
                apr_hash_set(pools, apr_pstrdup(p, key), APR_HASH_KEY_STRING,
                             sp);
            }
        }
    }
    apr_thread_mutex_unlock(pools_mutex);
    return sp;
}

static int remaining_ms(const x2gobroker_agent_link *l)
{
    apr_interval_time_t left = l->deadline - apr_time_now();

    return left > 0 ? (int)apr_time_as_msec(left) + 1 : 0;
}

/* Connect (or take a pooled connection); sets job->error on failure. */
static int link_open(x2gobroker_agent_link *l)
{
    x2gobroker_agent_job *job = l->job;
    void *res = NULL;
    apr_status_t rv;

    l->sp = pool_for(l->ctx, job->srv, job->pool);
    if (!l->sp) {
        job->error = "no SSH connection pool in this child";
        return 0;
    }
    memset(&connect_error, 0, sizeof(connect_error));
    connect_ran = 0;
    rv = apr_reslist_acquire(l->sp->rl, &res);
    if (rv != APR_SUCCESS) {
        job->error = apr_pstrdup(job->pool, connect_error.msg[0]
                                 ? connect_error.msg
                                 : APR_STATUS_IS_TIMEUP(rv)
                                   ? "all pooled connections busy"
                                   : "cannot connect");
        /* Waiting for a busy pool says nothing about the server. */
        job->ssh_status = connect_error.status != XGB_SSH_OK
                          ? connect_error.status
                          : connect_ran ? XGB_SSH_UNREACHABLE : XGB_SSH_OK;
        return 0;
    }
    if (connect_error.msg[0]) {
        /* accepted under WarningPolicy or AutoAddPolicy: said after the
         * join, in the request's log context */
        job->note = apr_pstrdup(job->pool, connect_error.msg);
    }
    l->conn = res;
    l->reused = !connect_ran;
    job->reached = 1;
    if (!l->deadline) {
        l->deadline = apr_time_now()
                      + apr_time_from_msec(l->ctx->timeout_ms);
    }
    return 1;
}

static void link_close(x2gobroker_agent_link *l)
{
    if (!l->conn) {
        return;
    }
    if (xgb_ssh_usable(l->conn)) {
        apr_reslist_release(l->sp->rl, l->conn);
    }
    else {
        apr_reslist_invalidate(l->sp->rl, l->conn);
    }
    l->conn = NULL;
}

static char *const no_env[] = { NULL };

/* Starts cmd with argv, stdin /dev/null, stdout and stderr into the
 * pipes *out and *err (read ends, close-on-exec), default signal
 * dispositions and an empty signal mask (httpd's threads block some). */
static int spawn_agent(const char *cmd, char *const argv[], pid_t *pid,
                       int *out, int *err)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t sa;
    sigset_t none, all;
    int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, rc;

    if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0) {
        rc = errno;
        if (po[0] >= 0) {
            close(po[0]);
            close(po[1]);
        }
        return rc;
    }
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&sa);
    /* dup2 onto 1 and 2 clears close-on-exec there only */
    rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    rc = rc ? rc : posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    rc = rc ? rc : posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    rc = rc ? rc : posix_spawnattr_setsigmask(&sa, &none);
    rc = rc ? rc : posix_spawnattr_setsigdefault(&sa, &all);
    rc = rc ? rc : posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETSIGMASK
                                                 | POSIX_SPAWN_SETSIGDEF);
    rc = rc ? rc : posix_spawn(pid, cmd, &fa, &sa, argv, no_env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&sa);
    close(po[1]);
    close(pe[1]);
    if (rc != 0) {
        close(po[0]);
        close(pe[0]);
        return rc;
    }
    *out = po[0];
    *err = pe[0];
    return 0;
}

static void reap(pid_t pid)
{
    int status;

    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

/* Mode LOCAL: run the agent program and collect its output. */
static apr_status_t exec_local(x2gobroker_agent_link *l, const char *task,
                               const char *const *args, int nargs,
                               xgb_buf_t *out, xgb_buf_t *err,
                               const char **why)
{
    apr_pool_t *p = l->job->pool;
    const char *cmd = l->ctx->agent_cmd;
    char *argv[4 + XGB_AGENTCMD_MAXARGS];
    int fds[2] = { -1, -1 };
    struct pollfd pfd[2];
    int i, open_fds = 2, rc;
    pid_t pid;

    argv[0] = (char *)cmd;
    argv[1] = (char *)l->ctx->user;
    argv[2] = (char *)task;
    for (i = 0; i < nargs; i++) {
        argv[3 + i] = (char *)args[i];
    }
    argv[3 + nargs] = NULL;
    rc = spawn_agent(cmd, argv, &pid, &fds[0], &fds[1]);
    if (rc != 0) {
        apr_status_t rv = APR_FROM_OS_ERROR(rc);

        *why = apr_psprintf(p, "cannot run %s: %pm", cmd, &rv);
        return rv;
    }
    while (open_fds > 0) {
        int ms = remaining_ms(l), n = 0, k;

        for (k = 0; k < 2; k++) {
            if (fds[k] >= 0) {
                pfd[n].fd = fds[k];
                pfd[n].events = POLLIN;
                n++;
            }
        }
        if (ms <= 0 || poll(pfd, n, ms) <= 0) {
            if (ms > 0 && errno == EINTR) {
                continue;
            }
            kill(pid, SIGKILL);
            reap(pid);
            for (k = 0; k < 2; k++) {
                if (fds[k] >= 0) {
                    close(fds[k]);
                }
            }
            *why = apr_psprintf(p, "%s %s did not end within the agent "
                                "timeout", cmd, task);
            return APR_TIMEUP;
        }
        for (k = 0; k < n; k++) {
            char buf[8192];
            ssize_t got;
            xgb_buf_t *b;
            int which;

            if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR))) {
                continue;
            }
            which = pfd[k].fd == fds[0] ? 0 : 1;
            b = which == 0 ? out : err;
            got = read(pfd[k].fd, buf, sizeof(buf));
            if (got > 0 && b->len + (size_t)got <= XGB_AGENT_REPLY_MAX) {
                xgb_buf_put(b, buf, (size_t)got);
            }
            else if (got > 0) {
                b->failed = 1;
            }
            else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
                close(fds[which]);
                fds[which] = -1;
                open_fds--;
            }
        }
    }
    reap(pid);
    l->job->reached = 1;
    if (out->failed || err->failed) {
        *why = apr_psprintf(p, "%s %s: output too large", cmd, task);
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}

apr_status_t x2gobroker_agent_exec(x2gobroker_agent_link *l,
                                   const char *task, const char *const *args,
                                   int nargs, apr_array_header_t **lines)
{
    x2gobroker_agent_job *job = l->job;
    apr_pool_t *p = job->pool;
    const x2gobroker_agent_ctx *ctx = l->ctx;
    xgb_buf_t out = XGB_BUF_INIT, err = XGB_BUF_INIT;
    const char *why = NULL, *what;
    apr_status_t rv;
    int attempt;

    *lines = NULL;
    for (attempt = 0; ; attempt++) {
        if (ctx->mode == X2GOBROKER_AGENT_LOCAL) {
            rv = exec_local(l, task, args, nargs, &out, &err, &why);
            break;
        }
        else {
            xgb_ssh_error_t e;
            const char *bad = NULL;
            char *cmd = xgb_agentcmd_build(ctx->agent_cmd, ctx->user, task,
                                           args, nargs, &bad);
            int status;
            xgb_ssh_status_t st;

            if (!cmd) {
                job->error = apr_psprintf(p, "%s not sent: %s", task,
                                          bad ? bad : "invalid argument");
                return APR_EINVAL;
            }
            if (!l->conn && !link_open(l)) {
                free(cmd);
                return APR_EGENERAL;
            }
            st = xgb_ssh_exec(l->conn, cmd, remaining_ms(l), &out, &err,
                              &status, &e);
            free(cmd);
            if (st == XGB_SSH_OK) {
                rv = APR_SUCCESS;
                break;
            }
            /* A pooled connection the server has dropped meanwhile is
             * worth one fresh try; anything else is this server's
             * answer. */
            if (st == XGB_SSH_PROTOCOL && l->reused && attempt == 0
                && remaining_ms(l) > 0) {
                apr_reslist_invalidate(l->sp->rl, l->conn);
                l->conn = NULL;
                l->reused = 0;
                xgb_buf_free(&out);
                xgb_buf_free(&err);
                continue;
            }
            why = apr_pstrdup(p, e.msg);
            job->ssh_status = st;
            rv = APR_EGENERAL;
            break;
        }
    }
    if (rv == APR_SUCCESS) {
        rv = xgb_agent_reply_parse(p, out.d ? (const char *)out.d : "",
                                   out.len, err.d ? (const char *)err.d : "",
                                   err.len, lines, &what);
        if (rv != APR_SUCCESS) {
            job->task_failed = 1;
            why = apr_psprintf(p, "%s: %s", task, what);
        }
    }
    xgb_buf_free(&out);
    xgb_buf_free(&err);
    if (rv != APR_SUCCESS && !job->error) {
        job->error = why;
    }
    return rv;
}

/* Is what the job met a verdict on its server?  No TCP answer (refused,
 * no route, no SYN-ACK within the connect time: a kernel answers that in
 * microseconds however loaded its sshd is), a refused host key or login.
 * A handshake or command that ran out of time is not, unless the port
 * probe after it got no TCP answer either. */
static int says_down(const x2gobroker_agent_job *job)
{
    if (job->port_silent) {
        return 1;
    }
    switch (job->ssh_status) {
    case XGB_SSH_UNREACHABLE:
    case XGB_SSH_HOSTKEY_UNKNOWN:
    case XGB_SSH_HOSTKEY_CHANGED:
    case XGB_SSH_AUTH_REFUSED:
        return !job->reached;
    default:
        return 0;
    }
}

static void run_job(const x2gobroker_agent_ctx *ctx, x2gobroker_agent_job *job)
{
    x2gobroker_agent_link l = { ctx, job, 0, NULL, NULL, 0 };

    /* mode SSH: from the moment a connection is there (link_open) */
    if (ctx->mode == X2GOBROKER_AGENT_LOCAL) {
        l.deadline = apr_time_now() + apr_time_from_msec(ctx->timeout_ms);
    }
    job->work(&l, job);
    link_close(&l);
    if (job->srv && job->reached && ctx->probe_timeout > 0
        && (job->ssh_status == XGB_SSH_PROTOCOL
            || job->ssh_status == XGB_SSH_EXEC)
        && xgb_net_probe(job->srv->addr, job->srv->port, ctx->probe_timeout)
           != APR_SUCCESS) {
        job->port_silent = 1;
        job->error = apr_pstrcat(job->pool, job->error ? job->error
                                                       : "no answer",
                                 "; and its SSH port gives no TCP answer",
                                 NULL);
    }
}

static void *APR_THREAD_FUNC job_thread(apr_thread_t *t, void *data)
{
    x2gobroker_agent_job *job = data;

    run_job(job->ctx, job);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

void x2gobroker_agent_run(x2gobroker_agent_ctx *ctx,
                          x2gobroker_agent_job *jobs, int n)
{
    request_rec *r = ctx->r;
    server_rec *s = ctx->s;
    apr_thread_t **threads = apr_pcalloc(ctx->pool, n * sizeof(*threads));
    apr_time_t now = apr_time_now();
    int i;

    for (i = 0; i < n; i++) {
        x2gobroker_agent_job *job = &jobs[i];
        const char *why;

        job->ctx = ctx;
        job->reached = job->skipped = job->task_failed = 0;
        job->port_silent = 0;
        job->pool = NULL;
        job->error = NULL;
        job->note = NULL;
        job->ssh_status = XGB_SSH_OK;
        if (job->srv && x2gobroker_server_skipped(s, r, ctx->pool,
                                                  job->srv->key, now, &why)) {
            job->skipped = 1;
            job->error = why;
            continue;
        }
        /* each job allocates in its own thread; freed with ctx->pool */
        job->pool = private_pool(ctx->pool);
        if (!job->pool) {
            job->error = "out of memory";
        }
    }
    for (i = 0; i < n; i++) {
        if (!jobs[i].pool || jobs[i].skipped) {
            continue;
        }
        if (n == 1 || apr_thread_create(&threads[i], NULL, job_thread,
                                        &jobs[i], jobs[i].pool)
                      != APR_SUCCESS) {
            threads[i] = NULL;
            run_job(ctx, &jobs[i]);
        }
    }
    for (i = 0; i < n; i++) {
        apr_status_t trv;

        if (threads[i]) {
            apr_thread_join(&trv, threads[i]);
        }
    }
    for (i = 0; i < n; i++) {
        x2gobroker_agent_job *job = &jobs[i];
        const char *name = job->srv ? job->srv->name : "local";
        const char *key = job->srv ? job->srv->key : "LOCAL";

        /* Logged here, not in the jobs' threads: a request's log context
         * (and its pool) belongs to the request's own thread. */
        if (job->note) {
            X2GOBROKER_LOG(r, s, APLOG_WARNING, 0, XGB_LOGNO(00112)
                           "agent %s (%s): %s", name, key, job->note);
        }
        if (job->error && !job->skipped) {
            if (says_down(job)) {
                X2GOBROKER_LOG(r, s, APLOG_ERR, 0, XGB_LOGNO(00114)
                               "agent %s (%s): %s; every child skips it "
                               "for the retry time", name, key, job->error);
            }
            else if (job->ssh_status != XGB_SSH_OK) {
                X2GOBROKER_LOG(r, s, APLOG_ERR, 0, XGB_LOGNO(00113)
                               "agent %s (%s): %s; no answer for this "
                               "request, not marked down", name, key,
                               job->error);
            }
            else {
                X2GOBROKER_LOG(r, s, APLOG_WARNING, 0, XGB_LOGNO(00115)
                               "agent %s (%s): %s", name, key, job->error);
            }
        }
        if (!job->srv || job->skipped || !job->pool) {
            continue;
        }
        /* A server whose sshd let us in is up, whatever its agent said
         * or however long it took; one we could not reach or trust is
         * skipped by every child until its retry time. */
        if (says_down(job)) {
            x2gobroker_server_report(s, r, job->srv->key, 0, job->error,
                                     ctx->retry);
        }
        else if (job->reached) {
            x2gobroker_server_report(s, r, job->srv->key, 1, NULL, 0);
        }
    }
}
