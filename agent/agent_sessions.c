/*
 * agent_sessions.c - the tasks about X2Go sessions: listsessions,
 * getservers, findbusyservers, suspendsession, terminatesession.
 *
 * The read-only tasks read x2goserver's session DB directly
 * (agent_sessiondb.c): that spares a Perl start-up or three per call,
 * which is most of the upstream agent's time.  Whenever the answer could
 * differ from x2golistsessions' (an agent state file that contradicts the
 * DB, which x2golistsessions repairs), and whenever the DB cannot be read
 * directly, x2goserver's own programs run as the user instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"

#define X2GOLISTSESSIONS XGB_X2GO_BINDIR "/x2golistsessions"
#define X2GOGETSERVERS XGB_X2GO_BINDIR "/x2gogetservers"
#define X2GOSUSPEND XGB_X2GO_BINDIR "/x2gosuspend-session"
#define X2GOTERMINATE XGB_X2GO_BINDIR "/x2goterminate-session"
#define X2GOCHANGESTATUS XGB_X2GO_LIBDIR "/x2gochangestatus"

/* x2goserver's NX agent state file of a session (X2Go::Server::Agent::NX
 * get_agent_state_file). */
static void state_file(char *path, size_t n, const char *user,
                       const char *sid)
{
    char dir[512];
    struct stat st;

    snprintf(dir, sizeof(dir), "/tmp-inst/%s/.x2go-%s", user, user);
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(path, n, "%s/C-%s/state", dir, sid);
    }
    else {
        snprintf(path, n, "/tmp/.x2go-%s/C-%s/state", user, sid);
    }
}

static const char *const running_states[] = { "STARTING", "RESUMING",
                                              "RUNNING", NULL };
static const char *const suspended_states[] = { "SUSPENDING", "SUSPENDED",
                                                NULL };

/* Is the session's NX agent in one of these states?  Compared as
 * x2goserver does: the state file's first line, newline included (Perl's
 * <F>), against the names.  The file lies in a directory of the user's:
 * only a regular file of theirs counts (a FIFO would block, a symlink
 * would lead elsewhere). */
static int state_in(const agent_user_t *u, const char *sid,
                    const char *const *states)
{
    char path[1024], line[64];
    struct stat st;
    ssize_t got;
    int fd, i;

    state_file(path, sizeof(path), u->name, sid);
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != u->uid) {
        close(fd);
        return 0;
    }
    got = read(fd, line, sizeof(line) - 1);
    close(fd);
    line[got > 0 ? got : 0] = '\0';
    line[strcspn(line, "\n") + (strchr(line, '\n') ? 1 : 0)] = '\0';
    for (i = 0; states[i]; i++) {
        if (!strcmp(line, states[i])) {
            return 1;
        }
    }
    return 0;
}

/* Would x2golistsessions change this row's status (and the DB)? */
static int state_contradicts(const agent_user_t *u, const char *sid,
                             const char *status)
{
    if (!strcmp(status, "R")) {
        return state_in(u, sid, suspended_states);
    }
    if (!strcmp(status, "S")) {
        return state_in(u, sid, running_states);
    }
    return 0;
}

typedef struct {
    const agent_user_t *u;
    int contradiction;
} list_ctx_t;

/* A row as x2golistsessions prints it: the values joined by '|', every
 * space deleted and '*' turned into a space. */
static void list_row(void *baton, const char *const *v, int n)
{
    list_ctx_t *ctx = baton;
    const char *c;
    int i;

    for (i = 0; i < n; i++) {
        if (i) {
            putchar('|');
        }
        for (c = v[i]; c && *c; c++) {
            if (*c != ' ') {
                putchar(*c == '*' ? ' ' : *c);
            }
        }
    }
    putchar('\n');
    if (n > 4 && v[1] && v[4]
        && state_contradicts(ctx->u, v[1], v[4])) {
        ctx->contradiction = 1;
    }
}

/* In the child: the user's sessions as x2golistsessions prints them.
 * Not 0 when the DB could not be read or a state file contradicts it
 * (x2golistsessions must run to repair that): the parent then drops
 * the output and runs x2golistsessions. */
static int list_from_db(const agent_user_t *u, void *baton)
{
    list_ctx_t ctx = { u, 0 };

    (void)baton;
    if (agent_db_list(u, list_row, &ctx) != 0) {
        return 1;
    }
    return ctx.contradiction ? 1 : 0;
}

static void servers_row(void *baton, const char *const *v, int n)
{
    (void)baton;
    if (n == 2 && v[0] && v[1]) {
        printf("%s %s\n", v[0], v[1]);
    }
}

static int servers_from_db(const agent_user_t *u, void *baton)
{
    (void)baton;
    return agent_db_servers(u, servers_row, NULL) == 0 ? 0 : 1;
}

/* Run an x2goserver program as the user; its stdout is the answer. */
static int x2go_tool(const agent_user_t *u, const char *const *argv,
                     xgb_buf_t *out, xgb_buf_t *err)
{
    if (access(argv[0], X_OK) != 0) {
        xgb_buf_puts(err, argv[0]);
        xgb_buf_puts(err, " is not installed");
        return XGB_AGENT_EXIT_TASK;
    }
    return agent_run_step(u, argv, out, err) == 0 ? XGB_AGENT_EXIT_OK
                                                  : XGB_AGENT_EXIT_FAILED;
}

int agent_listsessions(const agent_user_t *u, xgb_buf_t *out, xgb_buf_t *err)
{
    static const char *const argv[] = { X2GOLISTSESSIONS, "--all-servers",
                                        NULL };

    if (agent_db_direct()) {
        if (agent_step(u, agent_db_flags(), list_from_db, NULL, out,
                       "reading the session DB", err) == 0) {
            return XGB_AGENT_EXIT_OK;
        }
        /* x2golistsessions has a repair to make, or the DB could not be
         * read here: x2goserver's own program answers */
        xgb_buf_free(out);
        xgb_buf_free(err);
    }
    return x2go_tool(u, argv, out, err);
}

int agent_getservers(const agent_user_t *u, xgb_buf_t *out, xgb_buf_t *err)
{
    static const char *const argv[] = { X2GOGETSERVERS, NULL };
    int rc;

    if (agent_db_direct()) {
        if (agent_step(u, agent_db_flags(), servers_from_db, NULL, out,
                       "reading the session DB", err) == 0) {
            return XGB_AGENT_EXIT_OK;
        }
        xgb_buf_free(out);
        xgb_buf_free(err);
    }
    rc = x2go_tool(u, argv, out, err);
    /* x2gogetservers ends without a newline */
    if (rc == XGB_AGENT_EXIT_OK && out->len && out->d[out->len - 1] != '\n') {
        xgb_buf_put(out, "\n", 1);
    }
    return rc;
}

typedef struct {
    char *host;
    long count;
    long percent;
} busy_t;

static int busy_cmp(const void *a, const void *b)
{
    const busy_t *x = a, *y = b;

    if (x->percent != y->percent) {
        return x->percent < y->percent ? -1 : 1;
    }
    return strcmp(x->host, y->host);
}

int agent_busy_from_servers(const char *servers, xgb_buf_t *out)
{
    busy_t *v = NULL;
    size_t n = 0, i;
    long total = 0;
    const char *line = servers, *eol;
    char host[256], rest;
    long count;
    int ok = 0;

    while (line && *line) {
        char tmp[512];
        size_t len;

        eol = strchr(line, '\n');
        len = eol ? (size_t)(eol - line) : strlen(line);
        if (len > 0 && len < sizeof(tmp)) {
            memcpy(tmp, line, len);
            tmp[len] = '\0';
            if (sscanf(tmp, "%255s %ld %c", host, &count, &rest) == 2
                && count >= 0) {
                busy_t *nv = realloc(v, (n + 1) * sizeof(*v));

                if (!nv) {
                    goto done;
                }
                v = nv;
                v[n].host = strdup(host);
                v[n].count = count;
                if (!v[n].host) {
                    goto done;
                }
                total += count;
                n++;
            }
        }
        line = eol ? eol + 1 : NULL;
    }
    /* upstream divides by the total and dies when it is zero */
    for (i = 0; i < n; i++) {
        v[i].percent = total ? v[i].count * 100 / total : 0;
    }
    qsort(v, n, sizeof(*v), busy_cmp);
    for (i = 0; i < n; i++) {
        char l[300];

        snprintf(l, sizeof(l), "%ld:%s\n", v[i].percent, v[i].host);
        xgb_buf_puts(out, l);
    }
    if (n == 0) {
        xgb_buf_put(out, "\n", 1);
    }
    ok = !out->failed;
done:
    for (i = 0; i < n; i++) {
        free(v[i].host);
    }
    free(v);
    return ok ? 0 : -1;
}

int agent_findbusyservers(const agent_user_t *u, xgb_buf_t *out,
                          xgb_buf_t *err)
{
    xgb_buf_t servers = XGB_BUF_INIT;
    char *text;
    int rc;

    rc = agent_getservers(u, &servers, err);
    if (rc != XGB_AGENT_EXIT_OK) {
        xgb_buf_free(&servers);
        return rc;
    }
    text = xgb_buf_detach(&servers);
    if (!text || agent_busy_from_servers(text, out) != 0) {
        free(text);
        xgb_buf_puts(err, "out of memory");
        return XGB_AGENT_EXIT_INTERNAL;
    }
    free(text);
    return XGB_AGENT_EXIT_OK;
}

typedef struct {
    const char *sid;
    int terminate;
} change_t;

/* In the child: a session whose NX agent runs is suspended or terminated
 * by x2goserver's own programs, which signal the agent and then set the
 * status; one without a live agent state (x2goserver cleaned it up, or
 * it never had one) only gets its status changed, as upstream's agent
 * always does. */
static int change_session(const agent_user_t *u, void *baton)
{
    change_t *c = baton;
    const char *argv[4];

    if (c->terminate) {
        argv[0] = X2GOTERMINATE;
        argv[1] = c->sid;
        argv[2] = NULL;
    }
    else if (state_in(u, c->sid, running_states)) {
        argv[0] = X2GOSUSPEND;
        argv[1] = c->sid;
        argv[2] = NULL;
    }
    else {
        argv[0] = X2GOCHANGESTATUS;
        argv[1] = "S";
        argv[2] = c->sid;
        argv[3] = NULL;
    }
    execv(argv[0], (char *const *)argv);
    fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
    return 127;
}

static int change(const agent_user_t *u, const char *sid, int terminate,
                  xgb_buf_t *err)
{
    change_t c = { sid, terminate };

    return agent_step(u, 0, change_session, &c, NULL,
                      terminate ? "terminating the session"
                                : "suspending the session", err) == 0
           ? XGB_AGENT_EXIT_OK : XGB_AGENT_EXIT_FAILED;
}

int agent_suspendsession(const agent_user_t *u, const char *sid,
                         xgb_buf_t *err)
{
    return change(u, sid, 0, err);
}

int agent_terminatesession(const agent_user_t *u, const char *sid,
                           xgb_buf_t *err)
{
    return change(u, sid, 1, err);
}
