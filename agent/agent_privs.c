/*
 * agent_privs.c - run part of a task as the user it is for.
 *
 * The order of the drop is suexec's: supplementary groups, then the
 * primary group, then the user, each checked, so that no step can leave
 * a root-owned group or uid behind.  sudo is not involved: it would read
 * its own configuration, log in its own way and print "unable to resolve
 * host" on stderr in containers, which brokers take for a failure.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent.h"

#define CHILD_PATH "/usr/local/bin:/usr/bin:/bin"

static void child_fail(const char *what)
{
    /* stderr is the pipe to the parent, which reports it */
    fprintf(stderr, "%s: %s\n", what, strerror(errno));
    fflush(stderr);
    _exit(126);
}

static void drop_privileges(const agent_user_t *u, int flags)
{
    gid_t *groups = NULL;
    int n = 32, got;
    uid_t ruid, euid, suid;
    gid_t rgid, egid, sgid;

    for (;;) {
        gid_t *g = realloc(groups, (n + 1) * sizeof(gid_t));

        if (!g) {
            child_fail("out of memory");
        }
        groups = g;
        got = n;
        if (getgrouplist(u->name, u->gid, groups, &got) >= 0) {
            n = got;
            break;
        }
        if (got <= n) {
            child_fail("getgrouplist");
        }
        n = got;
    }
    if (flags & AGENT_WITH_DB_GROUP) {
        struct group *gr = getgrnam(XGB_X2GO_DB_GROUP);

        if (!gr) {
            errno = ENOENT;
            child_fail("group " XGB_X2GO_DB_GROUP);
        }
        groups[n++] = gr->gr_gid;
    }
    if (setgroups(n, groups) != 0) {
        child_fail("setgroups");
    }
    free(groups);
    if (setresgid(u->gid, u->gid, u->gid) != 0) {
        child_fail("setresgid");
    }
    if (setresuid(u->uid, u->uid, u->uid) != 0) {
        child_fail("setresuid");
    }
    if (getresuid(&ruid, &euid, &suid) != 0 || getresgid(&rgid, &egid, &sgid)
        || ruid != u->uid || euid != u->uid || suid != u->uid
        || rgid != u->gid || egid != u->gid || sgid != u->gid) {
        errno = EPERM;
        child_fail("privilege drop did not take");
    }
    /* the drop must be for good */
    if (u->uid != 0 && setuid(0) == 0) {
        errno = EPERM;
        child_fail("root could be regained");
    }
}

static void child_environment(const agent_user_t *u)
{
    if (clearenv() != 0 || setenv("PATH", CHILD_PATH, 1) != 0
        || setenv("HOME", u->home, 1) != 0 || setenv("USER", u->name, 1)
        || setenv("LOGNAME", u->name, 1) != 0
        || setenv("SHELL", "/bin/sh", 1) != 0) {
        child_fail("environment");
    }
    if (chdir(u->home) != 0 && chdir("/") != 0) {
        child_fail("chdir");
    }
    umask(022);
}

/* Append what fd has to b, up to the bound; 0 at EOF. */
static int drain(int fd, xgb_buf_t *b)
{
    char chunk[8192];
    ssize_t n = read(fd, chunk, sizeof(chunk));

    if (n < 0) {
        return errno == EINTR || errno == EAGAIN ? 1 : 0;
    }
    if (n > 0 && b->len + (size_t)n <= XGB_AGENT_OUTPUT_MAX) {
        xgb_buf_put(b, chunk, (size_t)n);
    }
    return n > 0;
}

int agent_as_user(const agent_user_t *u, int flags,
                  int (*fn)(const agent_user_t *u, void *baton),
                  void *baton, xgb_buf_t *out, xgb_buf_t *err)
{
    int po[2], pe[2], status, devnull;
    struct pollfd pfd[2];
    pid_t pid;

    if (pipe2(po, O_CLOEXEC) != 0) {
        xgb_buf_puts(err, "pipe failed");
        return -1;
    }
    if (pipe2(pe, O_CLOEXEC) != 0) {
        close(po[0]);
        close(po[1]);
        xgb_buf_puts(err, "pipe failed");
        return -1;
    }
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        close(po[0]);
        close(po[1]);
        close(pe[0]);
        close(pe[1]);
        xgb_buf_puts(err, "fork failed");
        return -1;
    }
    if (pid == 0) {
        devnull = open("/dev/null", O_RDONLY);
        if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(po[1], 1) < 0
            || dup2(pe[1], 2) < 0) {
            _exit(126);
        }
        closefrom(3);
        signal(SIGPIPE, SIG_DFL);
        /* alarms survive exec: a hanging program is stopped too */
        alarm(XGB_AGENT_TIMEOUT);
        drop_privileges(u, flags);
        child_environment(u);
        status = fn(u, baton);
        fflush(NULL);
        _exit(status & 0xff);
    }
    close(po[1]);
    close(pe[1]);
    pfd[0].fd = po[0];
    pfd[1].fd = pe[0];
    pfd[0].events = pfd[1].events = POLLIN;
    while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        if (pfd[0].fd >= 0 && pfd[0].revents && !drain(po[0], out)) {
            pfd[0].fd = -1;
        }
        if (pfd[1].fd >= 0 && pfd[1].revents && !drain(pe[0], err)) {
            pfd[1].fd = -1;
        }
    }
    close(po[0]);
    close(pe[0]);
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            xgb_buf_puts(err, "waitpid failed");
            return -1;
        }
    }
    if (WIFSIGNALED(status)) {
        xgb_buf_puts(err, WTERMSIG(status) == SIGALRM
                          ? "timed out" : "killed by a signal");
        return -1;
    }
    return WEXITSTATUS(status);
}

static int exec_argv(const agent_user_t *u, void *baton)
{
    char *const *argv = baton;

    (void)u;
    execv(argv[0], argv);
    fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
    return 127;
}

int agent_step(const agent_user_t *u, int flags,
               int (*fn)(const agent_user_t *u, void *baton), void *baton,
               xgb_buf_t *out, const char *what, xgb_buf_t *err)
{
    xgb_buf_t cout = XGB_BUF_INIT, cerr = XGB_BUF_INIT;
    int rc = agent_as_user(u, flags, fn, baton, out ? out : &cout, &cerr);

    if (rc != 0) {
        xgb_buf_puts(err, what);
        xgb_buf_puts(err, " failed");
        if (cerr.len) {
            xgb_buf_puts(err, ": ");
            xgb_buf_put(err, cerr.d, cerr.len);
        }
    }
    xgb_buf_free(&cout);
    xgb_buf_free(&cerr);
    return rc;
}

int agent_run_step(const agent_user_t *u, const char *const *argv,
                   xgb_buf_t *out, xgb_buf_t *err)
{
    return agent_step(u, 0, exec_argv, (void *)argv, out, argv[0], err);
}
