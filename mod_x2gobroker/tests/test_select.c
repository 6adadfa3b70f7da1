/*
 * test_select.c - TCP probes (xgb_net), server selection (spec 5.2, 5.4)
 * and the listing status (spec 3.5 step 6); the reference's
 * test_sessionselection, test_multihost_profiles* and test_broker_agent.py
 * cases.
 *
 * Network rule: only loopback addresses are ever probed.  "Up" servers
 * are listening sockets this test opens on 127.0.0.x, "down" ones are
 * loopback ports nobody listens on.  The selection itself does no I/O:
 * its `up` callback is a fake here that records what it was asked.
 */
#include <errno.h>
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>

/* Optional: lets forked children pass on their valgrind errors. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define XGB_HAVE_VALGRIND 1
#endif
#endif

#include "xgb_test.h"
#include "xgb_net.h"
#include "xgb_select.h"
#include "xgb_profile.h"
#include "xgb_agentreply.h"

#define SEC APR_USEC_PER_SEC

/* ---- loopback helpers ---- */

/* Listen on ip:port (port 0 = any); returns the fd, *port the port. */
static int listener(const char *ip, int *port, int backlog)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    ck_assert_int_ge(fd, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)*port);
    ck_assert_int_eq(inet_pton(AF_INET, ip, &sa.sin_addr), 1);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(listen(fd, backlog), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

/* A loopback port nobody listens on (bound once, then released). */
static int closed_port(void)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    ck_assert_int_ge(fd, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;

    ck_assert_ptr_nonnull(d);
    while (readdir(d)) {
        n++;
    }
    closedir(d);
    return n;
}

static apr_interval_time_t elapsed_since(apr_time_t t)
{
    return apr_time_now() - t;
}

/* Threads of this process; -1 if /proc cannot tell.  No ck_assert: it
 * runs in in_child()'s children too. */
static int task_count(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;

    if (!d) {
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        n += e->d_name[0] != '.';
    }
    closedir(d);
    return n;
}

/* in_child() results beyond what the child's function returns */
#define CHILD_VALGRIND_ERRORS 97
#define CHILD_THREADS_LEFT 98
#define CHILD_NO_RESULT 99

/* The child's part of in_child(): fn, then the checks. */
static unsigned char child_body(int (*fn)(int), int arg)
{
#ifdef XGB_HAVE_VALGRIND
    unsigned errors = VALGRIND_COUNT_ERRORS;
#endif
    int rc = fn(arg), i;

    for (i = 0; i < 50 && task_count() != 1; i++) {
        apr_sleep(SEC / 10);
    }
    if (rc == 0 && task_count() != 1) {
        rc = CHILD_THREADS_LEFT;
    }
#ifdef XGB_HAVE_VALGRIND
    if (rc == 0 && VALGRIND_COUNT_ERRORS != errors) {
        rc = CHILD_VALGRIND_ERRORS;
    }
#endif
    return (unsigned char)rc;
}

/*
 * Run fn(arg) in a child process and return its result (0 = good).
 *
 * Tests that resolve names do so there.  glibc 2.36's exit-time clean-up
 * of getaddrinfo_a() (__libc_freeres, which valgrind runs at every exit,
 * _exit() included) frees uninitialised slots of its request pool, so
 * valgrind reports an error for any process that ever resolved a name
 * asynchronously.  The child therefore reports through a pipe and is
 * ended with SIGKILL from here, which skips that clean-up and valgrind's
 * exit-time checks.  Before that it waits for glibc's resolver threads
 * to end (one still there after five seconds gives CHILD_THREADS_LEFT)
 * and, under valgrind, passes on its memory errors
 * (CHILD_VALGRIND_ERRORS); its leaks go unchecked (before glibc's
 * clean-up, the blocks of its cached thread stacks look "possibly
 * lost").  fn must not use ck_assert: a failure would unwind into the
 * child's copy of the test runner.
 */
static int in_child(int (*fn)(int), int arg)
{
    unsigned char rc = CHILD_NO_RESULT;
    int pfd[2], status;
    pid_t pid;

    ck_assert_int_eq(pipe(pfd), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(pfd[0]);
        rc = child_body(fn, arg);
        if (write(pfd[1], &rc, 1) == 1) {
            for (;;) {
                pause();        /* until the parent's SIGKILL */
            }
        }
        _exit(CHILD_NO_RESULT);
    }
    close(pfd[1]);
    if (read(pfd[0], &rc, 1) != 1) {
        rc = CHILD_NO_RESULT;
    }
    close(pfd[0]);
    /* From outside, so that not even valgrind sees the child end. */
    kill(pid, SIGKILL);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return rc;
}

/* ---- xgb_net ---- */

/* a name, resolved through the asynchronous path (/etc/hosts) */
static int lookup_open_port(int port)
{
    return xgb_net_probe("localhost", port, 2 * SEC) == APR_SUCCESS ? 0 : 1;
}

START_TEST(probe_open_port)
{
    int port = 0, fd = listener("127.0.0.1", &port, 16);

    ck_assert_int_eq(xgb_net_probe("127.0.0.1", port, 2 * SEC), APR_SUCCESS);
    ck_assert_int_eq(in_child(lookup_open_port, port), 0);
    close(fd);
}
END_TEST

START_TEST(probe_ipv6_loopback)
{
    struct sockaddr_in6 sa;
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET6, SOCK_STREAM, 0);

    if (fd < 0) {
        return;                 /* no IPv6 here: nothing to test */
    }
    memset(&sa, 0, sizeof(sa));
    sa.sin6_family = AF_INET6;
    sa.sin6_addr = in6addr_loopback;
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return;
    }
    ck_assert_int_eq(listen(fd, 4), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    ck_assert_int_eq(xgb_net_probe("::1", ntohs(sa.sin6_port), 2 * SEC),
                     APR_SUCCESS);
    /* nothing on the IPv4 side of that port */
    ck_assert_int_ne(xgb_net_probe("127.0.0.1", ntohs(sa.sin6_port),
                                   2 * SEC), APR_SUCCESS);
    close(fd);
}
END_TEST

START_TEST(probe_closed_port_fails_fast)
{
    int port = closed_port();
    apr_time_t t = apr_time_now();
    apr_status_t rv = xgb_net_probe("127.0.0.1", port, 5 * SEC);

    ck_assert_int_eq(rv, APR_FROM_OS_ERROR(ECONNREFUSED));
    ck_assert_int_lt(elapsed_since(t), SEC);
    /* a listener on another loopback address does not count */
    {
        int p2 = 0, fd = listener("127.0.0.2", &p2, 4);

        ck_assert_int_ne(xgb_net_probe("127.0.0.3", p2, 2 * SEC),
                         APR_SUCCESS);
        ck_assert_int_eq(xgb_net_probe("127.0.0.2", p2, 2 * SEC),
                         APR_SUCCESS);
        close(fd);
    }
}
END_TEST

/* Without a reachable DNS server the lookup may also time out. */
static int lookup_unresolvable(int unused)
{
    apr_time_t t = apr_time_now();
    apr_status_t rv = xgb_net_probe("nonexistent.invalid", 22, 3 * SEC / 2);

    (void)unused;
    if (rv != APR_NOTFOUND && rv != APR_TIMEUP) {
        return 1;
    }
    return elapsed_since(t) < 3 * SEC / 2 + SEC / 2 ? 0 : 2;
}

START_TEST(probe_unresolvable)
{
    ck_assert_int_eq(in_child(lookup_unresolvable, 0), 0);
}
END_TEST

START_TEST(probe_timeout_honoured)
{
    int port = 0, fd = listener("127.0.0.1", &port, 0);
    int fillers[16], nfill = 0, i, before;
    apr_status_t rv;
    apr_time_t t;

    /* Fill the accept queue of a backlog-0 listener (nobody accepts):
     * after that, new connection attempts get no answer at all. */
    for (nfill = 0; nfill < 16; nfill++) {
        struct sockaddr_in sa;
        struct pollfd pfd;

        fillers[nfill] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        ck_assert_int_ge(fillers[nfill], 0);
        memset(&sa, 0, sizeof(sa));
        sa.sin_family = AF_INET;
        sa.sin_port = htons((unsigned short)port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connect(fillers[nfill], (struct sockaddr *)&sa, sizeof(sa));
        pfd.fd = fillers[nfill];
        pfd.events = POLLOUT;
        if (poll(&pfd, 1, 200) == 0) {
            nfill++;
            break;              /* this one hangs: the queue is full */
        }
    }
    before = open_fds();
    t = apr_time_now();
    rv = xgb_net_probe("127.0.0.1", port, 300 * 1000);
    ck_assert_int_eq(rv, APR_TIMEUP);
    ck_assert_int_ge(elapsed_since(t), 250 * 1000);
    ck_assert_int_lt(elapsed_since(t), 800 * 1000);
    /* the probe's socket is gone again */
    ck_assert_int_eq(open_fds(), before);
    for (i = 0; i < nfill; i++) {
        close(fillers[i]);
    }
    close(fd);
}
END_TEST

START_TEST(probe_bad_arguments)
{
    ck_assert_int_eq(xgb_net_probe(NULL, 22, SEC), APR_EINVAL);
    ck_assert_int_eq(xgb_net_probe("", 22, SEC), APR_EINVAL);
    ck_assert_int_eq(xgb_net_probe("127.0.0.1", 0, SEC), APR_EINVAL);
    ck_assert_int_eq(xgb_net_probe("127.0.0.1", 65536, SEC), APR_EINVAL);
    ck_assert_int_eq(xgb_net_probe("127.0.0.1", -1, SEC), APR_EINVAL);
    ck_assert_int_eq(xgb_net_probe("127.0.0.1", 22, 0), APR_EINVAL);
    {
        char *huge = apr_palloc(tp, 5000);

        memset(huge, 'a', 4999);
        huge[4999] = '\0';
        ck_assert_int_eq(xgb_net_probe(huge, 22, SEC), APR_EINVAL);
    }
}
END_TEST

/* Descriptors of this process; -1 if /proc cannot tell. */
static int fd_count(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;

    if (!d) {
        return -1;
    }
    while (readdir(d)) {
        n++;
    }
    closedir(d);
    return n;
}

static int lookup_closed_port(int closed)
{
    int before = fd_count(), i;

    for (i = 0; i < 20; i++) {
        if (xgb_net_probe("localhost", closed, SEC) == APR_SUCCESS) {
            return 1;
        }
    }
    return before >= 0 && fd_count() == before ? 0 : 2;
}

START_TEST(probe_closes_sockets)
{
    int port = 0, fd = listener("127.0.0.1", &port, 64);
    int closed = closed_port(), before, i;

    before = open_fds();
    for (i = 0; i < 20; i++) {
        ck_assert_int_eq(xgb_net_probe("127.0.0.1", port, SEC), APR_SUCCESS);
        ck_assert_int_ne(xgb_net_probe("127.0.0.1", closed, SEC),
                         APR_SUCCESS);
    }
    ck_assert_int_eq(open_fds(), before);
    ck_assert_int_eq(in_child(lookup_closed_port, closed), 0);
    close(fd);
}
END_TEST

typedef struct {
    int port;
    int ok;
} probe_job_t;

static void *APR_THREAD_FUNC probe_thread(apr_thread_t *t, void *data)
{
    probe_job_t *job = data;
    int i;

    for (i = 0; i < 10; i++) {
        job->ok += xgb_net_probe(i % 2 ? "localhost" : "127.0.0.1",
                                 job->port, 2 * SEC) == APR_SUCCESS;
    }
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

/* 8 threads probing at once; the number of failed probes. */
static int lookup_threads(int port)
{
    apr_thread_t *th[8];
    probe_job_t jobs[8];
    apr_status_t rv;
    int i, failed = 0;

    for (i = 0; i < 8; i++) {
        jobs[i].port = port;
        jobs[i].ok = 0;
        if (apr_thread_create(&th[i], NULL, probe_thread, &jobs[i],
                              tp) != APR_SUCCESS) {
            return 90;
        }
    }
    for (i = 0; i < 8; i++) {
        apr_thread_join(&rv, th[i]);
        failed += 10 - jobs[i].ok;
    }
    return failed;
}

START_TEST(probe_threads)
{
    int port = 0, fd = listener("127.0.0.1", &port, 128);

    ck_assert_int_eq(in_child(lookup_threads, port), 0);
    close(fd);
}
END_TEST

START_TEST(host_names)
{
    const char *h = xgb_net_local_hostname(tp);
    const char *f = xgb_net_broker_fqdn(tp);
    char buf[256];

    ck_assert_int_eq(gethostname(buf, sizeof(buf) - 1), 0);
    buf[sizeof(buf) - 1] = '\0';
    ck_assert_ptr_nonnull(h);
    ck_assert_str_eq(h, buf);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_gt(strlen(f), 0);
    ck_assert_ptr_null(strpbrk(f, " \t\r\n"));
    if (strchr(buf, '.')) {
        ck_assert_str_eq(f, buf);
    }
}
END_TEST

/* ---- building inputs ---- */

/* xgb_profile_t with the given sshport, command and hosts; the variadic
 * part is (name, addr or NULL, per-host port or 0) triples ending with a
 * NULL name. */
static xgb_profile_t *mkprof(const char *id, int sshport,
                             const char *command, ...)
{
    xgb_profile_t *prof = apr_pcalloc(tp, sizeof(*prof));
    xgb_value_t *v;
    va_list ap;
    const char *name;

    prof->id = id;
    prof->sshport = sshport;
    prof->values = apr_array_make(tp, 2, sizeof(xgb_value_t));
    v = apr_array_push(prof->values);
    memset(v, 0, sizeof(*v));
    v->key = "command";
    v->type = XGB_VAL_STR;
    v->str = command;
    prof->hosts = apr_array_make(tp, 4, sizeof(xgb_host_t));
    va_start(ap, command);
    while ((name = va_arg(ap, const char *)) != NULL) {
        xgb_host_t *h = apr_array_push(prof->hosts);

        h->name = name;
        h->addr = va_arg(ap, const char *);
        h->port = va_arg(ap, int);
    }
    va_end(ap);
    return prof;
}

#define NOADDR ((const char *)NULL)

/* The profile [p] of a profile file, parsed as the module does. */
static const xgb_profile_t *profile(const char *body)
{
    const char *text = apr_pstrcat(tp, "[p]\n", body, NULL);
    xgb_profiles_t *ps = NULL;
    const char *err = NULL;

    ck_assert_msg(xgb_profiles_parse(tp, "p.conf", text, strlen(text), &ps,
                                     &err) == APR_SUCCESS, "%s", err);
    return xgb_profiles_find(ps, "p");
}

/* What the fake `up` callback knows and saw. */
typedef struct {
    const char *down[16];       /* names and addresses nobody answers on */
    apr_array_header_t *calls;  /* "name addr port" per call */
} updown_t;

static int is_down(const updown_t *u, const char *host)
{
    int i;

    for (i = 0; i < 16 && u->down[i]; i++) {
        if (!strcmp(u->down[i], host)) {
            return 1;
        }
    }
    return 0;
}

/* Like the glue's probe: up if the name or the address answers. */
static int fake_up(void *baton, const char *name, const char *addr, int port)
{
    updown_t *u = baton;

    APR_ARRAY_PUSH(u->calls, const char *) =
        apr_psprintf(tp, "%s %s %d", name, addr, port);
    return !is_down(u, name) || !is_down(u, addr);
}

/* The probes made, ";"-separated. */
static const char *calls(const updown_t *u)
{
    return apr_array_pstrcat(tp, u->calls, ';');
}

/* Up/down as in the reference's faked port scan; down: NULL-terminated. */
static updown_t *updown(const char *down, ...)
{
    updown_t *u = apr_pcalloc(tp, sizeof(*u));
    const char *s;
    va_list ap;
    int i = 0;

    u->calls = apr_array_make(tp, 4, sizeof(const char *));
    va_start(ap, down);
    for (s = down; s && i < 15; s = va_arg(ap, const char *)) {
        u->down[i++] = s;
    }
    va_end(ap);
    return u;
}

/* Agent query mode NONE, every server up. */
static xgb_select_in_t *input(const xgb_profile_t *prof)
{
    xgb_select_in_t *in = apr_pcalloc(tp, sizeof(*in));

    in->prof = prof;
    in->local_hostname = "xgb-local-host";
    return in;
}

/* Mode NONE with the fake scan. */
static xgb_select_in_t *scanned(const xgb_profile_t *prof, updown_t *u)
{
    xgb_select_in_t *in = input(prof);

    in->up = fake_up;
    in->up_baton = u;
    return in;
}

/* Agent data present for `user`. */
static xgb_select_in_t *agent_in(const xgb_profile_t *prof, const char *user)
{
    xgb_select_in_t *in = input(prof);

    in->agent = 1;
    in->username = user;
    return in;
}

static int session_no;

/* Session names count from alice-50 in every test, forked or not. */
static void select_setup(void)
{
    xgb_test_setup();
    session_no = 0;
}

/* One x2golistsessions line of alice on `server`, as the parser hands
 * it over. */
static void add_session(apr_array_header_t *a, const char *server,
                        char status)
{
    xgb_agent_session_t *s = apr_array_push(a);
    int display = 50 + session_no++;

    memset(s, 0, sizeof(*s));
    s->name = apr_psprintf(tp, "alice-%d-1414759661_stDXFCE_dp24", display);
    s->server = server;
    s->status = status;
    s->created = "2014-10-31T13:47:41";
    s->line = apr_psprintf(tp, "30342|%s|%d|%s|%c|2014-10-31T13:47:41|"
                           "c02c7bbe58677a2726f7e456cb398ae4|10.0.0.5|30001|"
                           "30002|2014-10-31T13:47:43|alice|34|30003|-1|-1",
                           s->name, display, server, status);
}

/* (server, status) pairs, NULL-terminated. */
static apr_array_header_t *sessions(const char *server, ...)
{
    apr_array_header_t *a = apr_array_make(tp, 4,
                                           sizeof(xgb_agent_session_t));
    const char *s;
    va_list ap;

    va_start(ap, server);
    for (s = server; s; s = va_arg(ap, const char *)) {
        add_session(a, s, (char)va_arg(ap, int));
    }
    va_end(ap);
    return a;
}

static const xgb_agent_session_t *session_at(const apr_array_header_t *a,
                                             int i)
{
    return &APR_ARRAY_IDX(a, i, xgb_agent_session_t);
}

/* (name, sessions, busy) triples, NULL-terminated. */
static apr_array_header_t *loads(const char *name, ...)
{
    apr_array_header_t *a = apr_array_make(tp, 4, sizeof(xgb_agent_load_t));
    const char *s;
    va_list ap;

    va_start(ap, name);
    for (s = name; s; s = va_arg(ap, const char *)) {
        xgb_agent_load_t *l = apr_array_push(a);

        l->name = s;
        l->sessions = va_arg(ap, int);
        l->busy = va_arg(ap, int);
    }
    va_end(ap);
    return a;
}

/* findbusyservers answers: (name, percent) pairs. */
static apr_array_header_t *busy(const char *name, ...)
{
    apr_array_header_t *a = apr_array_make(tp, 4, sizeof(xgb_agent_load_t));
    const char *s;
    va_list ap;

    va_start(ap, name);
    for (s = name; s; s = va_arg(ap, const char *)) {
        xgb_agent_load_t *l = apr_array_push(a);

        l->name = s;
        l->sessions = -1;
        l->busy = va_arg(ap, int);
    }
    va_end(ap);
    return a;
}

/* (name, factor) pairs. */
static apr_array_header_t *factors(const char *name, ...)
{
    apr_array_header_t *a = apr_array_make(tp, 4,
                                           sizeof(xgb_agent_factor_t));
    const char *s;
    va_list ap;

    va_start(ap, name);
    for (s = name; s; s = va_arg(ap, const char *)) {
        xgb_agent_factor_t *f = apr_array_push(a);

        f->name = s;
        f->factor = va_arg(ap, long);
    }
    va_end(ap);
    return a;
}

static xgb_selection_t *run(const xgb_select_in_t *in)
{
    xgb_selection_t *s = xgb_select(tp, in);

    ck_assert_ptr_nonnull(s);
    /* autologin is the glue's business */
    ck_assert_ptr_null(s->key);
    return s;
}

static void ck_assert_sel(const xgb_selection_t *s, const char *server,
                          int port)
{
    ck_assert_str_eq(s->server, server);
    ck_assert_int_eq(s->port, port);
}

/* A new session: no SESSION_INFO, nothing to suspend. */
static void ck_assert_fresh(const xgb_selection_t *s, const char *server,
                            int port, const char *server_name)
{
    ck_assert_sel(s, server, port);
    ck_assert_pstr_eq(s->server_name, server_name);
    ck_assert_ptr_null(s->session_info);
    ck_assert_ptr_null(s->takeover);
}

/* How often each server came out of n runs. */
static apr_hash_t *tally(const xgb_select_in_t *in, int n)
{
    apr_hash_t *h = apr_hash_make(tp);
    int i;

    for (i = 0; i < n; i++) {
        xgb_selection_t *s = run(in);
        int *c = apr_hash_get(h, s->server, APR_HASH_KEY_STRING);

        if (!c) {
            c = apr_pcalloc(tp, sizeof(*c));
            apr_hash_set(h, s->server, APR_HASH_KEY_STRING, c);
        }
        ++*c;
    }
    return h;
}

static int times(apr_hash_t *h, const char *server)
{
    int *c = apr_hash_get(h, server, APR_HASH_KEY_STRING);

    return c ? *c : 0;
}

/* ---- spec 5.2 steps 1 and 5; agent query mode NONE ---- */

START_TEST(no_profile_no_hosts)
{
    xgb_profile_t *prof;

    ck_assert_fresh(run(input(NULL)), "no-server-available", 22, NULL);
    ck_assert_fresh(run(NULL), "no-server-available", 22, NULL);
    prof = mkprof("empty", 2222, "KDE", NULL);
    ck_assert_fresh(run(input(prof)), "no-server-available", 2222, NULL);
    prof->hosts = NULL;
    ck_assert_fresh(run(input(prof)), "no-server-available", 2222, NULL);
    ck_assert_ptr_null(xgb_select(NULL, input(prof)));
}
END_TEST

/* test_sessionselection: the reference fakes the port scan as "up"; here
 * there is no scan (up == NULL): every server is up. */
START_TEST(sessionselection)
{
    ck_assert_fresh(run(input(profile("host = test-1.local\n"))),
                    "test-1.local", 22, "test-1.local");
    ck_assert_fresh(run(input(profile("host = test-2.local\n"))),
                    "test-2.local", 22, "test-2.local");
    ck_assert_fresh(run(input(profile("host = test-3.local\n"
                                      "sshport = 44566\n"))),
                    "test-3.local", 44566, "test-3.local");
    ck_assert_fresh(run(input(profile("host = test-4 (10.0.2.4)\n"))),
                    "10.0.2.4", 22, "test-4");
    ck_assert_fresh(run(input(profile("host = test-5.local (10.0.2.5)\n"))),
                    "10.0.2.5", 22, "test-5.local");
    ck_assert_fresh(run(input(profile("host = test-6.local "
                                      "(test-6.extern)\n"))),
                    "test-6.extern", 22, "test-6.local");
    ck_assert_fresh(run(input(profile("host = test-7 (-test-6.extern)\n"))),
                    "test-7", 22, "test-7");
    ck_assert_fresh(run(input(profile("host = docker-vm-1 "
                                      "(localhost:22001)\n"
                                      "sshport = 22000\n"))),
                    "localhost", 22001, "docker-vm-1");
}
END_TEST

/* The callback is asked about the name, the address and the port the
 * client would be sent to. */
START_TEST(up_callback_arguments)
{
    updown_t *u = updown("host2", "10.0.2.5", NULL);
    const xgb_profile_t *prof = profile("host = host2 (10.0.2.5:2200)\n"
                                        "sshport = 23467\n");

    /* single host, down: handed out all the same (spec 5.2 step 5) */
    ck_assert_fresh(run(scanned(prof, u)), "10.0.2.5", 2200, "host2");
    ck_assert_str_eq(calls(u), "host2 10.0.2.5 2200");
    ck_assert_str_eq(xgb_test_last_log, "no X2Go Server of profile p "
                     "could be contacted (last tried: 'host2')");
    u = updown(NULL);
    ck_assert_fresh(run(scanned(profile("host = h1\nsshport = 23467\n"),
                                u)), "h1", 23467, "h1");
    ck_assert_str_eq(calls(u), "h1 h1 23467");
}
END_TEST

START_TEST(single_host_down_keeps_host_port)
{
    updown_t *u = updown("127.0.0.5", "127.0.0.6", NULL);

    /* B8: the fallback keeps the host's own address and port */
    ck_assert_fresh(run(scanned(mkprof("p", 22, "KDE", "127.0.0.5",
                                       "127.0.0.6", 2201, NULL), u)),
                    "127.0.0.6", 2201, "127.0.0.5");
    ck_assert_str_eq(calls(u), "127.0.0.5 127.0.0.6 2201");
}
END_TEST

START_TEST(port_does_not_leak)
{
    xgb_profile_t *prof = mkprof("p", 22, "KDE", "h1", NOADDR, 2201,
                                 "h2", NOADDR, 0, NULL);
    int i;

    /* B8: after the down host with its own port, the next host must be
     * probed (and returned) with the profile's sshport */
    for (i = 0; i < 30; i++) {
        updown_t *u = updown("h1", NULL);
        xgb_selection_t *s = run(scanned(prof, u));

        ck_assert_fresh(s, "h2", 22, "h2");
        ck_assert(!strcmp(calls(u), "h2 h2 22")
                  || !strcmp(calls(u), "h1 h1 2201;h2 h2 22"));
    }
}
END_TEST

START_TEST(localhost_replaced)
{
    xgb_profile_t *prof;
    xgb_select_in_t *in;
    apr_hash_t *h;
    updown_t *u;
    int i;

    /* single host: stays "localhost", probed as such */
    u = updown(NULL);
    ck_assert_fresh(run(scanned(mkprof("p1", 22, "KDE", "localhost", NOADDR,
                                       0, NULL), u)),
                    "localhost", 22, "localhost");
    ck_assert_str_eq(calls(u), "localhost localhost 22");
    /* B8: a down localhost is a down host, not a crash */
    u = updown("localhost", NULL);
    ck_assert_fresh(run(scanned(mkprof("p2", 22, "KDE", "localhost", NOADDR,
                                       0, NULL), u)),
                    "localhost", 22, "localhost");

    /* several hosts: localhost is offered under the local host name */
    prof = mkprof("p3", 22, "KDE", "localhost", NOADDR, 0,
                  "127.0.0.1", NOADDR, 0, NULL);
    h = tally(input(prof), 200);
    ck_assert_int_eq(times(h, "localhost"), 0);
    ck_assert_int_eq(times(h, "xgb-local-host") + times(h, "127.0.0.1"),
                     200);
    ck_assert_int_gt(times(h, "xgb-local-host"), 0);
    ck_assert_int_gt(times(h, "127.0.0.1"), 0);

    /* all down: the local name is what gets probed */
    prof = mkprof("p4", 22, "KDE", "localhost", NOADDR, 0,
                  "h8", NOADDR, 0, NULL);
    for (i = 0; i < 10; i++) {
        u = updown("xgb-local-host", "h8", NULL);
        ck_assert_fresh(run(scanned(prof, u)), "no-X2Go-Server-available",
                        22, NULL);
        ck_assert(!strcmp(calls(u), "h8 h8 22;xgb-local-host "
                          "xgb-local-host 22")
                  || !strcmp(calls(u), "xgb-local-host xgb-local-host 22;"
                             "h8 h8 22"));
    }
    /* and up under the local name */
    prof = mkprof("p5", 22, "KDE", "h8", NOADDR, 2201,
                  "localhost", NOADDR, 0, NULL);
    for (i = 0; i < 10; i++) {
        u = updown("h8", NULL);
        ck_assert_fresh(run(scanned(prof, u)), "xgb-local-host", 22,
                        "xgb-local-host");
    }
    /* without a local name "localhost" stays */
    for (i = 0; i < 10; i++) {
        u = updown("h8", NULL);
        in = scanned(prof, u);
        in->local_hostname = NULL;
        ck_assert_fresh(run(in), "localhost", 22, "localhost");
        in->local_hostname = "localhost";
        ck_assert_fresh(run(in), "localhost", 22, "localhost");
    }
}
END_TEST

/* test_multihost_profiles_with_offline_servers, part 1 */
START_TEST(random_without_portscan)
{
    xgb_profile_t *prof = mkprof("p", 22, "MATE", "host1.mydomain", NOADDR,
                                 0, "host2.mydomain", NOADDR, 0,
                                 "host3.mydomain", NOADDR, 0, NULL);
    apr_hash_t *h = tally(input(prof), 3000);

    ck_assert_int_eq(times(h, "host1.mydomain") + times(h, "host2.mydomain")
                     + times(h, "host3.mydomain"), 3000);
    /* uniform: expected 1000 each, sd ~26 */
    ck_assert_int_gt(times(h, "host1.mydomain"), 850);
    ck_assert_int_gt(times(h, "host2.mydomain"), 850);
    ck_assert_int_gt(times(h, "host3.mydomain"), 850);
}
END_TEST

/* part 2: portscan on, host3 down */
START_TEST(random_skips_down_host)
{
    const xgb_profile_t *prof = profile("host = host1.mydomain, "
                                        "host2.mydomain, host3.mydomain\n");
    apr_hash_t *h = tally(scanned(prof, updown("host3.mydomain", NULL)),
                          300);

    ck_assert_int_eq(times(h, "host1.mydomain") + times(h, "host2.mydomain"),
                     300);
    ck_assert_int_gt(times(h, "host1.mydomain"), 90);
    ck_assert_int_gt(times(h, "host2.mydomain"), 90);
}
END_TEST

/* part 3: hostN.internal (hostN.external), host1.internal and every
 * .external down: the scan succeeds on the name, the address is what is
 * returned */
START_TEST(name_up_address_returned)
{
    const xgb_profile_t *prof = profile(
        "host = host1.internal (host1.external), "
        "host2.internal (host2.external), host3.internal (host3.external)\n");
    apr_hash_t *h = tally(scanned(prof, updown("host1.internal",
                                               "host1.external",
                                               "host2.external",
                                               "host3.external", NULL)),
                          300);

    ck_assert_int_eq(times(h, "host2.external") + times(h, "host3.external"),
                     300);
    ck_assert_int_gt(times(h, "host2.external"), 90);
    ck_assert_int_gt(times(h, "host3.external"), 90);
}
END_TEST

START_TEST(all_down)
{
    xgb_profile_t *prof = mkprof("p", 2200, "MATE",
                                 "h1", NOADDR, 0,
                                 "h2", "h12", 2202,
                                 "h3", NOADDR, 0, NULL);
    int i;

    for (i = 0; i < 20; i++) {
        updown_t *u = updown("h1", "h2", "h12", "h3", NULL);
        xgb_selection_t *s = run(scanned(prof, u));
        const char *last = APR_ARRAY_IDX(u->calls, 2, const char *);

        ck_assert_int_eq(u->calls->nelts, 3);
        /* the port of the last server tried, as in the reference */
        ck_assert_fresh(s, "no-X2Go-Server-available",
                        strstr(last, "h12") ? 2202 : 2200, NULL);
        ck_assert_ptr_eq(strstr(xgb_test_last_log, "no X2Go Server of "
                                "profile p could be contacted (last tried: "
                                "'h"), xgb_test_last_log);
    }
}
END_TEST

START_TEST(shadow_takes_first)
{
    xgb_profile_t *prof = mkprof("p", 22, "SHADOW", "h1", NOADDR, 0,
                                 "h2", NOADDR, 0, "h3", NOADDR, 0, NULL);
    xgb_select_in_t *in;
    updown_t *u;
    int i;

    for (i = 0; i < 20; i++) {
        ck_assert_fresh(run(input(prof)), "h1", 22, "h1");
    }
    /* the first one down: no fallback to the others */
    u = updown("h1", NULL);
    ck_assert_fresh(run(scanned(prof, u)), "no-X2Go-Server-available", 22,
                    NULL);
    ck_assert_str_eq(calls(u), "h1 h1 22");
    /* desktop sharing has no agent: sessions, loads and agent failures
     * change nothing */
    in = agent_in(prof, "alice");
    in->sessions = sessions("h2", 'S', "h3", 'R', NULL);
    in->loads = loads("h1", 9, -1, "h2", 0, -1, "h3", 0, -1, NULL);
    ck_assert_fresh(run(in), "h1", 22, "h1");
    in->all_agents_down = 1;
    ck_assert_fresh(run(in), "h1", 22, "h1");
}
END_TEST

/* agent == 0 is mode NONE whatever else is filled in */
START_TEST(agent_data_needs_agent)
{
    const xgb_profile_t *prof = profile("host = host1, host2, host3\n");
    xgb_select_in_t *in = input(prof);
    apr_hash_t *h;

    in->username = "alice";
    in->sessions = sessions("host2", 'S', NULL);
    in->loads = loads("host1", 0, -1, "host2", 5, -1, "host3", 5, -1, NULL);
    h = tally(in, 300);
    ck_assert_int_gt(times(h, "host1"), 50);
    ck_assert_int_gt(times(h, "host2"), 50);
    ck_assert_int_gt(times(h, "host3"), 50);
    ck_assert_ptr_null(run(in)->session_info);
    /* no user name: no sessions asked for, no balancing (spec 5.2 step 3
     * and 4d) */
    in->agent = 1;
    in->username = "";
    h = tally(in, 300);
    ck_assert_int_gt(times(h, "host1"), 50);
    ck_assert_int_gt(times(h, "host2"), 50);
    ck_assert_int_gt(times(h, "host3"), 50);
    in->username = NULL;
    ck_assert_ptr_null(run(in)->session_info);
}
END_TEST

/* ---- test_broker_agent.py: test_broker_agent_replies ---- */

START_TEST(agent_running_session)
{
    const xgb_profile_t *prof = profile("host = host1\n");
    xgb_select_in_t *in = agent_in(prof, "alice");
    const xgb_agent_session_t *r;
    xgb_selection_t *s;
    const char *host = NULL;
    char status = '?';

    in->sessions = sessions("host1", 'R', NULL);
    r = session_at(in->sessions, 0);
    xgb_select_status(tp, prof, in->sessions, &status, &host);
    ck_assert_int_eq(status, 'R');
    ck_assert_str_eq(host, "host1");

    s = run(in);
    ck_assert_sel(s, "host1", 22);
    ck_assert_str_eq(s->server_name, "host1");
    /* take-over: the glue suspends it, the client resumes it */
    ck_assert_str_eq(s->takeover, r->name);
    ck_assert_str_eq(s->takeover, "alice-50-1414759661_stDXFCE_dp24");
    ck_assert_str_eq(s->session_info,
                     "30342|alice-50-1414759661_stDXFCE_dp24|50|host1|S|"
                     "2014-10-31T13:47:41|c02c7bbe58677a2726f7e456cb398ae4|"
                     "10.0.0.5|30001|30002|2014-10-31T13:47:43|alice|34|"
                     "30003|-1|-1");
    /* the agent's answer is not changed */
    ck_assert_ptr_nonnull(strstr(r->line, "|host1|R|"));
}
END_TEST

START_TEST(agent_suspended_session)
{
    const xgb_profile_t *prof = profile("host = host1\n");
    xgb_select_in_t *in = agent_in(prof, "alice");
    xgb_selection_t *s;
    const char *host = NULL;
    char status = '?';

    in->sessions = sessions("host1", 'S', NULL);
    xgb_select_status(tp, prof, in->sessions, &status, &host);
    ck_assert_int_eq(status, 'S');
    ck_assert_str_eq(host, "host1");

    s = run(in);
    ck_assert_sel(s, "host1", 22);
    ck_assert_str_eq(s->session_info, session_at(in->sessions, 0)->line);
    ck_assert_ptr_null(s->takeover);
    /* without a user name there is nothing to resume */
    in->username = "";
    ck_assert_fresh(run(in), "host1", 22, "host1");
}
END_TEST

START_TEST(agent_session_elsewhere)
{
    const xgb_profile_t *prof = profile("host = host1\n");
    xgb_select_in_t *in = agent_in(prof, "alice");
    const char *host = NULL;
    char status = '?';

    in->sessions = sessions("host2", 'S', "host3", 'R', NULL);
    xgb_select_status(tp, prof, in->sessions, &status, &host);
    ck_assert_int_eq(status, 0);
    ck_assert_str_eq(host, "host1");
    ck_assert_fresh(run(in), "host1", 22, "host1");
}
END_TEST

START_TEST(agent_suspended_beats_running)
{
    const xgb_profile_t *prof = profile("host = host1, host2, host3, "
                                        "host4\n");
    xgb_select_in_t *in = agent_in(prof, "alice");
    xgb_selection_t *s;
    const char *host = NULL;
    char status = '?';
    int i;

    in->sessions = sessions("host1", 'R', "host2", 'S', NULL);
    xgb_select_status(tp, prof, in->sessions, &status, &host);
    ck_assert_int_eq(status, 'S');
    ck_assert_str_eq(host, "host2");
    for (i = 0; i < 20; i++) {
        s = run(in);
        ck_assert_sel(s, "host2", 22);
        ck_assert_str_eq(s->server_name, "host2");
        ck_assert_str_eq(s->session_info, session_at(in->sessions, 1)->line);
        ck_assert_ptr_null(s->takeover);
    }
}
END_TEST

/* profile host1.mydomain, agent host1 */
START_TEST(agent_short_names)
{
    const xgb_profile_t *prof = profile("host = host1.mydomain, "
                                        "host2.mydomain, host3.mydomain\n");
    xgb_select_in_t *in = agent_in(prof, "alice");
    xgb_selection_t *s;
    const char *host = NULL;
    char status = '?';

    in->sessions = sessions("host1", 'R', "host2", 'S', NULL);
    xgb_select_status(tp, prof, in->sessions, &status, &host);
    ck_assert_int_eq(status, 'S');
    /* the name both have in common, as the reference lists it */
    ck_assert_str_eq(host, "host2");
    s = run(in);
    ck_assert_sel(s, "host2.mydomain", 22);
    ck_assert_str_eq(s->server_name, "host2.mydomain");
    ck_assert_str_eq(s->session_info, session_at(in->sessions, 1)->line);
    /* and the other way round: profile short, agent fully qualified */
    prof = profile("host = host1, host2\n");
    in = agent_in(prof, "alice");
    in->sessions = sessions("host2.mydomain", 'R', NULL);
    xgb_select_status(tp, prof, in->sessions, &status, &host);
    ck_assert_int_eq(status, 'R');
    ck_assert_str_eq(host, "host2");
    s = run(in);
    ck_assert_sel(s, "host2", 22);
    ck_assert_str_eq(s->takeover, session_at(in->sessions, 0)->name);
}
END_TEST

/* SSH mode, host1.mydomain (10.0.2.4), host2.mydomain (10.0.2.5): the
 * mapped address and the profile's (or the host's) port */
START_TEST(agent_mapped_addresses)
{
    const xgb_profile_t *prof;
    xgb_select_in_t *in;
    xgb_selection_t *s;

    prof = profile("host = host1.mydomain (10.0.2.4), "
                   "host2.mydomain (10.0.2.5)\n");
    in = agent_in(prof, "alice");
    in->sessions = sessions("host2", 'S', NULL);
    s = run(in);
    ck_assert_sel(s, "10.0.2.5", 22);
    ck_assert_str_eq(s->server_name, "host2.mydomain");
    ck_assert_ptr_nonnull(s->session_info);
    in->sessions = NULL;
    in->loads = loads("host1.mydomain", 3, -1, "host2.mydomain", 4, -1,
                      NULL);
    ck_assert_fresh(run(in), "10.0.2.4", 22, "host1.mydomain");

    prof = profile("host = host1.mydomain (10.0.2.4), "
                   "host2.mydomain (10.0.2.5)\nsshport = 23467\n");
    in = agent_in(prof, "alice");
    in->loads = loads("host1", 3, -1, "host2", 1, -1, NULL);
    ck_assert_fresh(run(in), "10.0.2.5", 23467, "host2.mydomain");
    in->sessions = sessions("host1.mydomain", 'S', NULL);
    s = run(in);
    ck_assert_sel(s, "10.0.2.4", 23467);
    ck_assert_ptr_nonnull(s->session_info);
}
END_TEST

START_TEST(agent_docker_ports)
{
    const xgb_profile_t *prof;
    xgb_select_in_t *in;
    xgb_selection_t *s;

    prof = profile("host = docker-vm-1 (docker-server:22001), "
                   "docker-vm-2 (docker-server:22002)\n");
    in = agent_in(prof, "alice");
    in->sessions = sessions("docker-vm-2", 'S', NULL);
    s = run(in);
    ck_assert_sel(s, "docker-server", 22002);
    ck_assert_str_eq(s->server_name, "docker-vm-2");
    ck_assert_ptr_nonnull(s->session_info);
    in->sessions = NULL;
    in->loads = loads("docker-vm-1", 0, -1, "docker-vm-2", 1, -1, NULL);
    ck_assert_fresh(run(in), "docker-server", 22001, "docker-vm-1");
    /* several hosts share the address: a session reported under it
     * belongs to none of them */
    in->sessions = sessions("docker-server", 'S', NULL);
    ck_assert_fresh(run(in), "docker-server", 22001, "docker-vm-1");

    prof = profile("host = docker-vm-0 (docker-server), "
                   "docker-vm-1 (docker-server:22001), "
                   "docker-vm-2 (docker-server:22002)\nsshport = 22000\n");
    in = agent_in(prof, "alice");
    in->loads = loads("docker-vm-0", 0, -1, "docker-vm-1", 1, -1,
                      "docker-vm-2", 1, -1, NULL);
    ck_assert_fresh(run(in), "docker-server", 22000, "docker-vm-0");
    in->loads = loads("docker-vm-0", 1, -1, "docker-vm-1", 1, -1,
                      "docker-vm-2", 0, -1, NULL);
    ck_assert_fresh(run(in), "docker-server", 22002, "docker-vm-2");
}
END_TEST

/* A host name that is only an alias: sessions reported under its
 * (unique) address belong to it. */
START_TEST(agent_address_match)
{
    const xgb_profile_t *prof = profile("host = alias (realhost.example.com)"
                                        ", other\n");
    xgb_select_in_t *in = agent_in(prof, "alice");
    xgb_selection_t *s;

    in->sessions = sessions("realhost", 'S', NULL);
    s = run(in);
    ck_assert_sel(s, "realhost.example.com", 22);
    ck_assert_str_eq(s->server_name, "alias");
    ck_assert_ptr_nonnull(s->session_info);
    in->sessions = sessions("REALHOST.example.com", 'R', NULL);
    s = run(in);
    ck_assert_sel(s, "realhost.example.com", 22);
    ck_assert_ptr_nonnull(s->takeover);
    in->sessions = NULL;
    in->loads = loads("realhost.example.com", 4, -1, NULL);
    ck_assert_fresh(run(in), "other", 22, "other");
}
END_TEST

/* ---- test_broker_agent_replies_with_offline_servers ---- */

#define INTERNAL3 "host = host1.internal, host2.internal, host3.internal\n"

START_TEST(offline_busy_no_portscan)
{
    xgb_select_in_t *in = agent_in(profile(INTERNAL3), "alice");
    int i;

    in->loads = busy("host1.internal", 7, "host2.internal", 2,
                     "host3.internal", 1, NULL);
    for (i = 0; i < 50; i++) {
        ck_assert_fresh(run(in), "host3.internal", 22, "host3.internal");
    }
}
END_TEST

START_TEST(offline_busy_host3_down)
{
    xgb_select_in_t *in;
    updown_t *u;
    int i;

    for (i = 0; i < 20; i++) {
        u = updown("host3.internal", NULL);
        in = agent_in(profile(INTERNAL3), "alice");
        in->up = fake_up;
        in->up_baton = u;
        in->loads = busy("host1.internal", 7, "host2.internal", 2,
                         "host3.internal", 1, NULL);
        ck_assert_fresh(run(in), "host2.internal", 22, "host2.internal");
        ck_assert_str_eq(calls(u), "host3.internal host3.internal 22;"
                         "host2.internal host2.internal 22");
    }
}
END_TEST

START_TEST(offline_all_down)
{
    xgb_select_in_t *in = agent_in(profile("host = downhost1.internal, "
                                           "downhost2.internal, "
                                           "downhost3.internal\n"),
                                   "alice");
    updown_t *u = updown("downhost1.internal", "downhost2.internal",
                         "downhost3.internal", NULL);

    in->up = fake_up;
    in->up_baton = u;
    in->loads = busy("downhost1.internal", 7, "downhost2.internal", 2,
                     "downhost3.internal", 1, NULL);
    ck_assert_fresh(run(in), "no-X2Go-Server-available", 22, NULL);
    ck_assert_str_eq(calls(u), "downhost3.internal downhost3.internal 22;"
                     "downhost2.internal downhost2.internal 22;"
                     "downhost1.internal downhost1.internal 22");
}
END_TEST

START_TEST(offline_resume_fuzzy)
{
    xgb_select_in_t *in = agent_in(profile("host = host1.internal, "
                                           "host2.internal, "
                                           "host3-with-session.internal\n"),
                                   "alice");
    updown_t *u = updown("host1.internal", NULL);
    xgb_selection_t *s;

    in->up = fake_up;
    in->up_baton = u;
    in->loads = busy("host1.internal", 7, "host2.internal", 2,
                     "host3-with-session.internal", 9, NULL);
    in->sessions = sessions("host3-with-session", 'S', NULL);
    s = run(in);
    ck_assert_sel(s, "host3-with-session.internal", 22);
    ck_assert_str_eq(s->session_info, session_at(in->sessions, 0)->line);
    ck_assert_ptr_null(s->takeover);
    ck_assert_str_eq(calls(u), "host3-with-session.internal "
                     "host3-with-session.internal 22");
}
END_TEST

START_TEST(offline_session_on_down_host)
{
    xgb_select_in_t *in = agent_in(profile("host = host1.internal, "
                                           "host2.internal, "
                                           "host3-with-session.internal\n"),
                                   "alice");
    updown_t *u = updown("host3-with-session.internal", NULL);

    in->up = fake_up;
    in->up_baton = u;
    in->loads = busy("host1.internal", 7, "host2.internal", 2,
                     "host3-with-session.internal", 1, NULL);
    in->sessions = sessions("host3-with-session", 'S', NULL);
    ck_assert_fresh(run(in), "host2.internal", 22, "host2.internal");
    ck_assert_str_eq(calls(u), "host3-with-session.internal "
                     "host3-with-session.internal 22;"
                     "host2.internal host2.internal 22");
}
END_TEST

START_TEST(offline_running_down_suspended_up)
{
    xgb_select_in_t *in = agent_in(profile(INTERNAL3), "alice");
    updown_t *u = updown("host1.internal", NULL);
    xgb_selection_t *s;

    in->up = fake_up;
    in->up_baton = u;
    in->sessions = sessions("host1", 'R', "host2", 'S', NULL);
    s = run(in);
    ck_assert_sel(s, "host2.internal", 22);
    ck_assert_str_eq(s->session_info, session_at(in->sessions, 1)->line);
    ck_assert_ptr_null(s->takeover);
    ck_assert_str_eq(calls(u), "host2.internal host2.internal 22");
}
END_TEST

START_TEST(offline_suspended_down_running_up)
{
    xgb_select_in_t *in = agent_in(profile(INTERNAL3), "alice");
    updown_t *u = updown("host1.internal", NULL);
    const xgb_agent_session_t *r;
    xgb_selection_t *s;

    in->up = fake_up;
    in->up_baton = u;
    in->sessions = sessions("host1", 'S', "host2", 'R', NULL);
    r = session_at(in->sessions, 1);
    s = run(in);
    ck_assert_sel(s, "host2.internal", 22);
    ck_assert_str_eq(s->server_name, "host2.internal");
    ck_assert_str_eq(s->takeover, r->name);
    ck_assert_str_eq(s->takeover, "alice-51-1414759661_stDXFCE_dp24");
    ck_assert_str_eq(s->session_info,
                     "30342|alice-51-1414759661_stDXFCE_dp24|51|host2|S|"
                     "2014-10-31T13:47:41|c02c7bbe58677a2726f7e456cb398ae4|"
                     "10.0.0.5|30001|30002|2014-10-31T13:47:43|alice|34|"
                     "30003|-1|-1");
    ck_assert_str_eq(calls(u), "host1.internal host1.internal 22;"
                     "host2.internal host2.internal 22");
}
END_TEST

START_TEST(offline_ssh_idle_host)
{
    xgb_select_in_t *in = agent_in(profile("host = host1.internal, "
                                           "host2.internal, host3.internal, "
                                           "host4.internal\n"), "alice");
    int i;

    in->loads = busy("host1.internal", 7, "host2.internal", 2,
                     "host3.internal", 1, "host4.internal", 0, NULL);
    for (i = 0; i < 20; i++) {
        ck_assert_fresh(run(in), "host4.internal", 22, "host4.internal");
    }
}
END_TEST

/* ---- balancing ---- */

/* The reference sorted equal loads by name: host1 took every session.
 * Here equals share: 300 draws over three idle servers (expected 100
 * each, sd ~8). */
START_TEST(ties_spread)
{
    xgb_select_in_t *in = agent_in(profile("host = host1, host2, host3\n"),
                                   "alice");
    apr_hash_t *h;

    in->loads = loads("host1", 0, -1, "host2", 0, -1, "host3", 0, -1, NULL);
    h = tally(in, 300);
    ck_assert_int_eq(times(h, "host1") + times(h, "host2")
                     + times(h, "host3"), 300);
    ck_assert_int_ge(times(h, "host1"), 50);
    ck_assert_int_ge(times(h, "host2"), 50);
    ck_assert_int_ge(times(h, "host3"), 50);
    /* servers the agent does not mention are idle too */
    in->loads = loads("elsewhere", 4, -1, NULL);
    h = tally(in, 300);
    ck_assert_int_ge(times(h, "host1"), 50);
    ck_assert_int_ge(times(h, "host2"), 50);
    ck_assert_int_ge(times(h, "host3"), 50);
    /* equal busy percentages, too */
    in->loads = busy("host1", 33, "host2", 33, "host3", 34, NULL);
    h = tally(in, 300);
    ck_assert_int_eq(times(h, "host1") + times(h, "host2"), 300);
    ck_assert_int_ge(times(h, "host1"), 100);
    ck_assert_int_ge(times(h, "host2"), 100);
}
END_TEST

START_TEST(fewest_sessions)
{
    xgb_select_in_t *in = agent_in(profile("host = host1, host2, host3\n"),
                                   "alice");
    apr_hash_t *h;

    /* a server missing from the answer has no sessions */
    in->loads = loads("host1", 3, -1, "host3", 1, -1, NULL);
    ck_assert_fresh(run(in), "host2", 22, "host2");
    /* counts decide before percentages */
    in->loads = loads("host1", 5, 0, "host2", 1, 90, "host3", 2, 10, NULL);
    ck_assert_fresh(run(in), "host2", 22, "host2");
    /* the same server reported twice (agents sharing a session
     * database): its highest count */
    in->loads = loads("host1", 1, -1, "host1", 4, -1, "host2", 2, -1,
                      "host3", 3, -1, NULL);
    ck_assert_fresh(run(in), "host2", 22, "host2");
    /* the lowest ones share */
    in->loads = loads("host1", 9, -1, "host2", 2, -1, "host3", 2, -1, NULL);
    h = tally(in, 200);
    ck_assert_int_eq(times(h, "host2") + times(h, "host3"), 200);
    ck_assert_int_gt(times(h, "host2"), 50);
    ck_assert_int_gt(times(h, "host3"), 50);
}
END_TEST

START_TEST(load_factors)
{
    xgb_select_in_t *in = agent_in(profile("host = host1, host2, host3\n"),
                                   "alice");
    apr_hash_t *h;
    updown_t *u;

    /* getservers without counts (Perl agent on sqlite): no counts at
     * all, so the load factors decide, highest first */
    in->loads = loads("host1", -1, -1, "host2", -1, -1, NULL);
    in->factors = factors("host1", 100L, "host2", 300L, "host3", 300L,
                          "elsewhere", 9999L, NULL);
    h = tally(in, 200);
    ck_assert_int_eq(times(h, "host2") + times(h, "host3"), 200);
    ck_assert_int_gt(times(h, "host2"), 50);
    ck_assert_int_gt(times(h, "host3"), 50);
    /* a server without a factor comes last */
    in->factors = factors("host1", 50L, "host2", -1L, NULL);
    ck_assert_fresh(run(in), "host1", 22, "host1");
    u = updown("host1", NULL);
    in->up = fake_up;
    in->up_baton = u;
    h = tally(in, 200);
    ck_assert_int_eq(times(h, "host2") + times(h, "host3"), 200);
    ck_assert_int_gt(times(h, "host2"), 50);
    ck_assert_int_gt(times(h, "host3"), 50);
    /* counts win over factors */
    in->up = NULL;
    in->loads = loads("host3", 0, -1, "host1", 1, -1, "host2", 1, -1, NULL);
    ck_assert_fresh(run(in), "host3", 22, "host3");
}
END_TEST

/* ---- the operator's weights and drain (X2GoBrokerServer) ---- */

/* Settings by host name: "name", weight, drain, ..., NULL. */
static apr_hash_t *prefs(const char *name, ...)
{
    apr_hash_t *h = apr_hash_make(tp);
    va_list ap;

    va_start(ap, name);
    while (name) {
        xgb_server_pref_t *pf = apr_pcalloc(tp, sizeof(*pf));

        pf->weight = va_arg(ap, int);
        pf->drain = va_arg(ap, int);
        apr_hash_set(h, name, APR_HASH_KEY_STRING, pf);
        name = va_arg(ap, const char *);
    }
    va_end(ap);
    return h;
}

/* By name, else by address, as the glue looks X2GoBrokerServer up. */
static const xgb_server_pref_t *fake_pref(void *baton, const char *name,
                                          const char *addr)
{
    const xgb_server_pref_t *pf = apr_hash_get(baton, name,
                                               APR_HASH_KEY_STRING);

    return pf ? pf : apr_hash_get(baton, addr, APR_HASH_KEY_STRING);
}

static void set_prefs(xgb_select_in_t *in, apr_hash_t *h)
{
    in->pref = fake_pref;
    in->pref_baton = h;
}

/* Fewest sessions per weight: 4 sessions at weight 200 count as 2. */
START_TEST(weights_scale_counts)
{
    xgb_select_in_t *in = agent_in(profile("host = host1, host2, host3\n"),
                                   "alice");

    set_prefs(in, prefs("host1", 200, 0, NULL));
    in->loads = loads("host1", 4, -1, "host2", 3, -1, "host3", 3, -1, NULL);
    ck_assert_fresh(run(in), "host1", 22, "host1");
    in->loads = loads("host1", 7, -1, "host2", 3, -1, "host3", 4, -1, NULL);
    ck_assert_fresh(run(in), "host2", 22, "host2");
    /* by address too */
    in = agent_in(profile("host = a (10.0.0.1), b (10.0.0.2)\n"), "alice");
    set_prefs(in, prefs("10.0.0.2", 300, 0, NULL));
    in->loads = loads("a", 1, -1, "b", 2, -1, NULL);
    ck_assert_fresh(run(in), "10.0.0.2", 22, "b");
    /* a higher load factor times the weight */
    in = agent_in(profile("host = host1, host2\n"), "alice");
    set_prefs(in, prefs("host1", 300, 0, NULL));
    in->factors = factors("host1", 100L, "host2", 250L, NULL);
    ck_assert_fresh(run(in), "host1", 22, "host1");
}
END_TEST

/* Equals share new sessions in proportion to their weights: 3000 draws,
 * weight 200 against 100 and 100 (expected 1500, 750, 750; sd ~27). */
START_TEST(weights_share_ties)
{
    xgb_select_in_t *in = agent_in(profile("host = host1, host2, host3\n"),
                                   "alice");
    apr_hash_t *h;

    set_prefs(in, prefs("host1", 200, 0, NULL));
    in->loads = loads("host1", 0, -1, "host2", 0, -1, "host3", 0, -1, NULL);
    h = tally(in, 3000);
    ck_assert_int_ge(times(h, "host1"), 1350);
    ck_assert_int_le(times(h, "host1"), 1650);
    ck_assert_int_ge(times(h, "host2"), 600);
    ck_assert_int_ge(times(h, "host3"), 600);
    /* without load data (mode NONE) the draw is weighted too */
    in = input(profile("host = host1, host2\n"));
    set_prefs(in, prefs("host1", 1000, 0, "host2", 1, 0, NULL));
    h = tally(in, 500);
    ck_assert_int_ge(times(h, "host1"), 490);
}
END_TEST

/* Drained and weight-0 servers take no new session, but resume and
 * take-over still go there. */
START_TEST(drain_and_weight_zero)
{
    xgb_select_in_t *in = agent_in(profile("host = host1, host2, host3\n"),
                                   "alice");
    xgb_selection_t *s;
    apr_hash_t *h;

    set_prefs(in, prefs("host1", 100, 1, "host2", 0, 0, NULL));
    in->loads = loads("host1", 0, -1, "host2", 0, -1, "host3", 9, -1, NULL);
    h = tally(in, 100);
    ck_assert_int_eq(times(h, "host3"), 100);
    in->sessions = sessions("host1", 'S', NULL);
    s = run(in);
    ck_assert_sel(s, "host1", 22);
    ck_assert_ptr_nonnull(s->session_info);
    in->sessions = sessions("host2", 'R', NULL);
    s = run(in);
    ck_assert_sel(s, "host2", 22);
    ck_assert_pstr_eq(s->takeover, session_at(in->sessions, 0)->name);
    /* none open: no server, also for a single host */
    in->sessions = NULL;
    set_prefs(in, prefs("host1", 100, 1, "host2", 0, 0, "host3", 50, 1,
                        NULL));
    ck_assert_fresh(run(in), XGB_NO_X2GO_SERVER, 22, NULL);
    in = agent_in(profile("host = host1\n"), "alice");
    set_prefs(in, prefs("host1", 100, 1, NULL));
    ck_assert_fresh(run(in), XGB_NO_X2GO_SERVER, 22, NULL);
    /* the open one is taken when the balanced choice is down */
    in = scanned(profile("host = host1, host2, host3\n"),
                 updown("host3", NULL));
    set_prefs(in, prefs("host1", 100, 1, NULL));
    h = tally(in, 50);
    ck_assert_int_eq(times(h, "host2"), 50);
    /* desktop sharing ignores both */
    in = input(mkprof("p", 22, "SHADOW", "host1", NOADDR, 0,
                      "host2", NOADDR, 0, NULL));
    set_prefs(in, prefs("host1", 0, 1, NULL));
    ck_assert_fresh(run(in), "host1", 22, "host1");
}
END_TEST

/* Agent data without any load: random, not the first host (the
 * reference kept the first host). */
START_TEST(no_load_data_random)
{
    xgb_select_in_t *in = agent_in(profile("host = host1, host2, host3\n"),
                                   "alice");
    apr_hash_t *h;

    in->factors = factors("host1", -1L, NULL);
    h = tally(in, 300);
    ck_assert_int_ge(times(h, "host1"), 50);
    ck_assert_int_ge(times(h, "host2"), 50);
    ck_assert_int_ge(times(h, "host3"), 50);
    in->loads = apr_array_make(tp, 1, sizeof(xgb_agent_load_t));
    in->factors = NULL;
    in->sessions = apr_array_make(tp, 1, sizeof(xgb_agent_session_t));
    h = tally(in, 300);
    ck_assert_int_ge(times(h, "host1"), 50);
    ck_assert_int_ge(times(h, "host2"), 50);
    ck_assert_int_ge(times(h, "host3"), 50);
}
END_TEST

/* Spec 5.2 step 4b: agent mode on, no agent answered. */
START_TEST(all_agents_down)
{
    xgb_select_in_t *in;
    updown_t *u = updown(NULL);

    in = scanned(profile("host = h1, h2 (10.0.2.2:2202)\nsshport = 2200\n"),
                 u);
    in->all_agents_down = 1;
    ck_assert_fresh(run(in), "no-X2Go-Server-available", 2200, NULL);
    ck_assert_int_eq(u->calls->nelts, 0);
    ck_assert_str_eq(xgb_test_last_log, "no broker agent of profile p "
                     "answered: its X2Go Servers count as down");
    /* a single host is handed out anyway (step 5), with its own port */
    in = scanned(profile("host = h2 (10.0.2.2:2202)\nsshport = 2200\n"), u);
    in->all_agents_down = 1;
    ck_assert_fresh(run(in), "10.0.2.2", 2202, "h2");
    ck_assert_int_eq(u->calls->nelts, 0);
}
END_TEST

/* ---- session lines ---- */

START_TEST(takeover_rewrites_status_only)
{
    xgb_select_in_t *in = agent_in(profile("host = R\n"), "R");
    apr_array_header_t *ss = apr_array_make(tp, 4,
                                            sizeof(xgb_agent_session_t));
    xgb_agent_session_t *s;
    xgb_selection_t *sel;

    /* "|R|" as host, status and user name: only field 5 changes */
    s = apr_array_push(ss);
    memset(s, 0, sizeof(*s));
    s->name = "R-50-1414759661_stDXFCE_dp24";
    s->server = "R";
    s->status = 'R';
    s->line = "1|R-50-1414759661_stDXFCE_dp24|50|R|R|R|c|10.0.0.5|1|2|"
              "R|R|34|3|-1|-1";
    in->sessions = ss;
    sel = run(in);
    ck_assert_str_eq(sel->session_info,
                     "1|R-50-1414759661_stDXFCE_dp24|50|R|S|R|c|10.0.0.5|"
                     "1|2|R|R|34|3|-1|-1");
    ck_assert_str_eq(sel->takeover, "R-50-1414759661_stDXFCE_dp24");
    /* the 14 fields of older x2goserver releases */
    s->line = "1|R-50-1414759661_stDXFCE_dp24|50|R|R|t|c|10.0.0.5|1|2|"
              "t|R|34|3";
    ck_assert_str_eq(run(in)->session_info,
                     "1|R-50-1414759661_stDXFCE_dp24|50|R|S|t|c|10.0.0.5|"
                     "1|2|t|R|34|3");
    /* status field last (a truncated line still has field 5) */
    s->line = "1|x|50|R|R";
    ck_assert_str_eq(run(in)->session_info, "1|x|50|R|S");
}
END_TEST

/* A running session whose line says otherwise cannot be rewritten; it is
 * passed over for the next one. */
START_TEST(unusable_sessions_skipped)
{
    xgb_select_in_t *in = agent_in(profile("host = h1, h2\n"), "alice");
    apr_array_header_t *ss;
    xgb_agent_session_t *s;
    xgb_selection_t *sel;

    ss = sessions("h1", 'R', "h1", 'R', "h2", 'R', "h2", 'S', NULL);
    s = &APR_ARRAY_IDX(ss, 0, xgb_agent_session_t);
    s->line = "30342|x|50|h1|S|2014";       /* status R, line S */
    s = &APR_ARRAY_IDX(ss, 1, xgb_agent_session_t);
    s->line = "30342|x|50|h1";              /* no field 5 */
    s = &APR_ARRAY_IDX(ss, 3, xgb_agent_session_t);
    s->line = NULL;                         /* suspended, no line */
    in->sessions = ss;
    sel = run(in);
    ck_assert_sel(sel, "h2", 22);
    ck_assert_str_eq(sel->takeover, session_at(ss, 2)->name);
    s = &APR_ARRAY_IDX(ss, 2, xgb_agent_session_t);
    s->name = "";
    s = &APR_ARRAY_IDX(ss, 3, xgb_agent_session_t);
    s->line = "30342|y|50|h2|S";
    s->status = 'X';
    sel = run(in);
    ck_assert_ptr_null(sel->session_info);
    ck_assert_ptr_null(sel->takeover);
}
END_TEST

/* ---- host names ---- */

/* B25: configured names share one sub-domain, the agent uses several:
 * the answer is the configured name, never "b.x.x". */
START_TEST(b25_no_subdomain_appended)
{
    xgb_select_in_t *in = agent_in(profile("host = a.x, b.x\n"), "alice");
    apr_hash_t *h;
    int i;

    in->loads = loads("a.x", 5, -1, "b.y", 0, -1, NULL);
    for (i = 0; i < 20; i++) {
        ck_assert_fresh(run(in), "b.x", 22, "b.x");
    }
    in->loads = loads("a", 0, -1, "b.y", 3, -1, NULL);
    h = tally(in, 200);
    ck_assert_int_eq(times(h, "a.x") + times(h, "b.x"), 200);
    ck_assert_int_gt(times(h, "a.x"), 50);
    ck_assert_int_gt(times(h, "b.x"), 50);
    /* and every candidate dropped by the load data: nothing crashes */
    in->loads = loads("c.y", 1, -1, NULL);
    h = tally(in, 200);
    ck_assert_int_eq(times(h, "a.x") + times(h, "b.x"), 200);
}
END_TEST

/* Two profile hosts called host1: a session or load on "host1" belongs
 * to neither. */
START_TEST(ambiguous_short_name)
{
    const xgb_profile_t *prof = profile("host = host1.a, host1.b, host2\n");
    xgb_select_in_t *in = agent_in(prof, "alice");
    const char *host = NULL;
    char status = '?';
    apr_hash_t *h;

    in->sessions = sessions("host1", 'S', NULL);
    in->loads = loads("host1", 0, -1, "host2", 5, -1, NULL);
    h = tally(in, 200);
    ck_assert_int_eq(times(h, "host1.a") + times(h, "host1.b"), 200);
    ck_assert_int_gt(times(h, "host1.a"), 50);
    ck_assert_int_gt(times(h, "host1.b"), 50);
    ck_assert_ptr_null(run(in)->session_info);
    xgb_select_status(tp, prof, in->sessions, &status, &host);
    ck_assert_int_eq(status, 0);
    ck_assert_str_eq(host, "host1.a");
    /* written in full it is unambiguous */
    in->sessions = sessions("host1.b", 'S', NULL);
    ck_assert_sel(run(in), "host1.b", 22);
}
END_TEST

START_TEST(agent_localhost)
{
    xgb_select_in_t *in = agent_in(profile("host = localhost, h2\n"),
                                   "alice");
    updown_t *u = updown(NULL);
    xgb_selection_t *s;

    in->up = fake_up;
    in->up_baton = u;
    in->sessions = sessions("xgb-local-host", 'S', NULL);
    s = run(in);
    ck_assert_sel(s, "xgb-local-host", 22);
    ck_assert_str_eq(s->server_name, "xgb-local-host");
    ck_assert_ptr_nonnull(s->session_info);
    ck_assert_str_eq(calls(u), "xgb-local-host xgb-local-host 22");
    in->sessions = NULL;
    in->loads = loads("h2", 3, -1, NULL);
    ck_assert_fresh(run(in), "xgb-local-host", 22, "xgb-local-host");
}
END_TEST

/* Whatever an agent reports only ever compares: nothing crashes, nothing
 * matches by accident. */
START_TEST(hostile_agent_data)
{
    xgb_select_in_t *in = agent_in(profile("host = host1, host2\n"),
                                   "alice");
    char *huge = apr_palloc(tp, 100001);
    apr_array_header_t *ss;
    apr_hash_t *h;

    memset(huge, 'h', 100000);
    huge[100000] = '\0';
    ss = sessions(huge, 'S', "", 'S', "host1|S|", 'S', "%s%n", 'R',
                  "host1 ", 'S', ".", 'R', NULL);
    add_session(ss, "x", 'S');
    APR_ARRAY_IDX(ss, ss->nelts - 1, xgb_agent_session_t).server = NULL;
    in->sessions = ss;
    in->loads = loads(huge, 0, -1, "", 0, -1, "host1\n", 0, -1, NULL);
    APR_ARRAY_IDX(in->loads, 1, xgb_agent_load_t).name = NULL;
    in->factors = factors("host2\r", 5L, NULL);
    h = tally(in, 100);
    ck_assert_int_eq(times(h, "host1") + times(h, "host2"), 100);
    ck_assert_ptr_null(run(in)->session_info);
}
END_TEST

/* B9: x2goclient cannot read an IPv6 address from SERVER:, in any form;
 * it is answered plainly (JSON clients and the probe can use that). */
START_TEST(ipv6_plain)
{
    updown_t *u = updown(NULL);
    xgb_selection_t *s;

    s = run(scanned(mkprof("p", 22, "KDE", "v6", "[2001:db8::1]", 2222,
                           NULL), u));
    ck_assert_fresh(s, "2001:db8::1", 2222, "v6");
    ck_assert_str_eq(calls(u), "v6 2001:db8::1 2222");
    ck_assert_str_eq(xgb_test_last_log, "host 'v6' has the IPv6 address "
                     "2001:db8::1, which x2goclient cannot read from a "
                     "SERVER: line; give it a DNS name instead");
    ck_assert_fresh(run(input(mkprof("p", 22, "KDE", "fe80::1", NOADDR, 0,
                                     NULL))), "fe80::1", 22, "fe80::1");
    /* as the profile parser reads "v6 (2001:db8::5:22)" */
    ck_assert_fresh(run(input(profile("host = v6 (2001:db8::5:2200)\n"))),
                    "2001:db8::5", 2200, "v6");
    /* brackets around something else stay */
    ck_assert_fresh(run(input(mkprof("p", 22, "KDE", "h", "[h2]", 0, NULL))),
                    "[h2]", 22, "h");
    /* the single-host fallback as well */
    u = updown("v6", "2001:db8::1", NULL);
    ck_assert_fresh(run(scanned(mkprof("p", 22, "KDE", "v6",
                                       "[2001:db8::1]", 0, NULL), u)),
                    "2001:db8::1", 22, "v6");
}
END_TEST

/* ---- listing status (spec 3.5 step 6) ---- */

START_TEST(status_first_sorted)
{
    const xgb_profile_t *prof = profile("host = host3, host1, host2\n");
    const char *host = NULL;
    char status = '?';

    xgb_select_status(tp, prof, sessions("host3", 'S', "host2", 'S',
                                         "host1", 'R', NULL),
                      &status, &host);
    ck_assert_int_eq(status, 'S');
    ck_assert_str_eq(host, "host2");
    xgb_select_status(tp, prof, sessions("host2", 'R', "host1", 'R', NULL),
                      &status, &host);
    ck_assert_int_eq(status, 'R');
    ck_assert_str_eq(host, "host1");
    /* no session: the first host as configured */
    xgb_select_status(tp, prof, sessions(NULL), &status, &host);
    ck_assert_int_eq(status, 0);
    ck_assert_str_eq(host, "host3");
    xgb_select_status(tp, prof, NULL, &status, &host);
    ck_assert_int_eq(status, 0);
    ck_assert_str_eq(host, "host3");
    /* fully qualified in the profile and from the agent */
    prof = profile("host = b.example.org, a.example.org\n");
    xgb_select_status(tp, prof, sessions("B.example.org", 'S', NULL),
                      &status, &host);
    ck_assert_int_eq(status, 'S');
    ck_assert_str_eq(host, "b.example.org");
}
END_TEST

START_TEST(status_special_profiles)
{
    const char *host = "x";
    char status = '?';
    xgb_profile_t *prof;

    /* desktop sharing: first host, no status */
    xgb_select_status(tp, profile("command = SHADOW\nhost = h1, h2\n"),
                      sessions("h2", 'S', NULL), &status, &host);
    ck_assert_int_eq(status, 0);
    ck_assert_str_eq(host, "h1");
    /* no hosts */
    status = '?';
    xgb_select_status(tp, profile("host =\n"), sessions("h2", 'S', NULL),
                      &status, &host);
    ck_assert_int_eq(status, 0);
    ck_assert_ptr_null(host);
    prof = mkprof("p", 22, "KDE", NULL);
    prof->hosts = NULL;
    host = "x";
    xgb_select_status(tp, prof, NULL, &status, &host);
    ck_assert_ptr_null(host);
    host = "x";
    xgb_select_status(tp, NULL, NULL, &status, &host);
    ck_assert_int_eq(status, 0);
    ck_assert_ptr_null(host);
    /* nowhere to write: nothing happens */
    xgb_select_status(tp, profile("host = h1\n"), NULL, NULL, &host);
    xgb_select_status(tp, profile("host = h1\n"), NULL, &status, NULL);
    /* a status other than R or S is not a status */
    host = NULL;
    xgb_select_status(tp, profile("host = h1\n"), sessions("h1", 'T', NULL),
                      &status, &host);
    ck_assert_int_eq(status, 0);
    ck_assert_str_eq(host, "h1");
}
END_TEST

/* ---- glibc's resolver helper threads ---- */

/* Lookups, then their helper threads must be there (or the count could
 * not see them); in_child() then waits for them to end. */
static int lookup_threads_seen(int port)
{
    int i;

    for (i = 0; i < 5; i++) {
        if (xgb_net_probe("localhost", port, 2 * SEC) != APR_SUCCESS) {
            return 1;
        }
    }
    return task_count() > 1 ? 0 : 2;
}

/*
 * Name lookups run in glibc helper threads (getaddrinfo_a), which idle
 * for about a second after the last lookup and then end; no probe may
 * leave one behind.  Under CK_FORK every test runs in a freshly forked
 * child, which has a single thread whatever earlier tests started: a
 * count there could never fail.  So the lookups are made in the process
 * that counts, their threads are first seen to exist, and then must be
 * gone within five seconds (else in_child() gives CHILD_THREADS_LEFT).
 */
START_TEST(no_threads_left)
{
    int port = 0, fd = listener("127.0.0.1", &port, 16);

    ck_assert_int_eq(task_count(), 1);
    ck_assert_int_eq(in_child(lookup_threads_seen, port), 0);
    close(fd);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("select");
    TCase *tc = tcase_create("net");

    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, probe_open_port);
    tcase_add_test(tc, probe_ipv6_loopback);
    tcase_add_test(tc, probe_closed_port_fails_fast);
    tcase_add_test(tc, probe_unresolvable);
    tcase_add_test(tc, probe_timeout_honoured);
    tcase_add_test(tc, probe_bad_arguments);
    tcase_add_test(tc, probe_closes_sockets);
    tcase_add_test(tc, probe_threads);
    tcase_add_test(tc, host_names);
    suite_add_tcase(s, tc);

    tc = tcase_create("select_noagent");
    tcase_add_checked_fixture(tc, select_setup, xgb_test_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, no_profile_no_hosts);
    tcase_add_test(tc, sessionselection);
    tcase_add_test(tc, up_callback_arguments);
    tcase_add_test(tc, single_host_down_keeps_host_port);
    tcase_add_test(tc, port_does_not_leak);
    tcase_add_test(tc, localhost_replaced);
    tcase_add_test(tc, random_without_portscan);
    tcase_add_test(tc, random_skips_down_host);
    tcase_add_test(tc, name_up_address_returned);
    tcase_add_test(tc, all_down);
    tcase_add_test(tc, shadow_takes_first);
    tcase_add_test(tc, agent_data_needs_agent);
    tcase_add_test(tc, ipv6_plain);
    suite_add_tcase(s, tc);

    tc = tcase_create("select_agent");
    tcase_add_checked_fixture(tc, select_setup, xgb_test_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, agent_running_session);
    tcase_add_test(tc, agent_suspended_session);
    tcase_add_test(tc, agent_session_elsewhere);
    tcase_add_test(tc, agent_suspended_beats_running);
    tcase_add_test(tc, agent_short_names);
    tcase_add_test(tc, agent_mapped_addresses);
    tcase_add_test(tc, agent_docker_ports);
    tcase_add_test(tc, agent_address_match);
    tcase_add_test(tc, offline_busy_no_portscan);
    tcase_add_test(tc, offline_busy_host3_down);
    tcase_add_test(tc, offline_all_down);
    tcase_add_test(tc, offline_resume_fuzzy);
    tcase_add_test(tc, offline_session_on_down_host);
    tcase_add_test(tc, offline_running_down_suspended_up);
    tcase_add_test(tc, offline_suspended_down_running_up);
    tcase_add_test(tc, offline_ssh_idle_host);
    tcase_add_test(tc, ties_spread);
    tcase_add_test(tc, fewest_sessions);
    tcase_add_test(tc, weights_scale_counts);
    tcase_add_test(tc, weights_share_ties);
    tcase_add_test(tc, drain_and_weight_zero);
    tcase_add_test(tc, load_factors);
    tcase_add_test(tc, no_load_data_random);
    tcase_add_test(tc, all_agents_down);
    tcase_add_test(tc, takeover_rewrites_status_only);
    tcase_add_test(tc, unusable_sessions_skipped);
    tcase_add_test(tc, b25_no_subdomain_appended);
    tcase_add_test(tc, ambiguous_short_name);
    tcase_add_test(tc, agent_localhost);
    tcase_add_test(tc, hostile_agent_data);
    tcase_add_test(tc, status_first_sorted);
    tcase_add_test(tc, status_special_profiles);
    suite_add_tcase(s, tc);

    tc = tcase_create("quiesce");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, no_threads_left);
    suite_add_tcase(s, tc);
    return s;
}

XGB_TEST_MAIN()
