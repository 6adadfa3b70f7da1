/*
 * test_select.c - TCP probes (xgb_net) and server selection without
 * agents (spec 5.2, 5.4; reference tests test_sessionselection and
 * test_multihost_profiles*).
 *
 * Network rule: only loopback addresses are ever probed.  "Up" servers
 * are listening sockets this test opens on 127.0.0.x, "down" ones are
 * loopback ports nobody listens on.
 */
#include <errno.h>
#include <dirent.h>
#include <poll.h>
#include <stdarg.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <apr_strings.h>
#include <apr_thread_proc.h>

#include "xgb_test.h"
#include "xgb_net.h"
#include "xgb_select.h"

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

/* ---- xgb_net ---- */

START_TEST(probe_open_port)
{
    int port = 0, fd = listener("127.0.0.1", &port, 16);

    ck_assert_int_eq(xgb_net_probe("127.0.0.1", port, 2 * SEC), APR_SUCCESS);
    /* a name, resolved through the asynchronous path (/etc/hosts) */
    ck_assert_int_eq(xgb_net_probe("localhost", port, 2 * SEC), APR_SUCCESS);
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

START_TEST(probe_unresolvable)
{
    apr_time_t t = apr_time_now();
    apr_status_t rv = xgb_net_probe("nonexistent.invalid", 22, 3 * SEC / 2);

    ck_assert(rv == APR_NOTFOUND || rv == APR_TIMEUP);
    ck_assert_int_lt(elapsed_since(t), 3 * SEC / 2 + SEC / 2);
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

START_TEST(probe_closes_sockets)
{
    int port = 0, fd = listener("127.0.0.1", &port, 64);
    int closed = closed_port(), before, i;

    before = open_fds();
    for (i = 0; i < 20; i++) {
        ck_assert_int_eq(xgb_net_probe("127.0.0.1", port, SEC), APR_SUCCESS);
        ck_assert_int_ne(xgb_net_probe("localhost", closed, SEC),
                         APR_SUCCESS);
    }
    ck_assert_int_eq(open_fds(), before);
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

START_TEST(probe_threads)
{
    int port = 0, fd = listener("127.0.0.1", &port, 128), i;
    apr_thread_t *th[8];
    probe_job_t jobs[8];
    apr_status_t rv;

    for (i = 0; i < 8; i++) {
        jobs[i].port = port;
        jobs[i].ok = 0;
        ck_assert_int_eq(apr_thread_create(&th[i], NULL, probe_thread,
                                           &jobs[i], tp), APR_SUCCESS);
    }
    for (i = 0; i < 8; i++) {
        apr_thread_join(&rv, th[i]);
        ck_assert_int_eq(jobs[i].ok, 10);
    }
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

/* ---- profiles by hand ---- */

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

static xgb_selection_t *sel(const xgb_profile_t *prof, int portscan)
{
    xgb_selection_t *s = xgb_select_noagent(tp, prof, portscan, SEC,
                                            "xgb-local-host");

    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_null(s->key);
    ck_assert_ptr_null(s->session_info);
    ck_assert_int_eq(s->pubkey_accepted, 0);
    return s;
}

#define ck_assert_sel(s, srv, prt) do {                 \
        ck_assert_str_eq((s)->server, (srv));           \
        ck_assert_int_eq((s)->port, (prt));             \
    } while (0)

START_TEST(no_profile_no_hosts)
{
    xgb_profile_t *prof;

    ck_assert_sel(sel(NULL, 1), "no-server-available", 22);
    prof = mkprof("empty", 2222, "KDE", NULL);
    ck_assert_sel(sel(prof, 1), "no-server-available", 2222);
    prof->hosts = NULL;
    ck_assert_sel(sel(prof, 1), "no-server-available", 2222);
    ck_assert_ptr_null(xgb_select_noagent(NULL, prof, 1, SEC, NULL));
}
END_TEST

/* test_sessionselection: the reference fakes the port scan as "up";
 * here it is switched off, so nothing is contacted. */
START_TEST(sessionselection)
{
    ck_assert_sel(sel(mkprof("p1", 22, "KDE", "test-1.local", NOADDR, 0,
                             NULL), 0), "test-1.local", 22);
    ck_assert_sel(sel(mkprof("p2", 22, "KDE", "test-2.local", NOADDR, 0,
                             NULL), 0), "test-2.local", 22);
    ck_assert_sel(sel(mkprof("p3", 44566, "KDE", "test-3.local", NOADDR, 0,
                             NULL), 0), "test-3.local", 44566);
    ck_assert_sel(sel(mkprof("p4", 22, "KDE", "test-4", "10.0.2.4", 0,
                             NULL), 0), "10.0.2.4", 22);
    ck_assert_sel(sel(mkprof("p5", 22, "KDE", "test-5.local", "10.0.2.5", 0,
                             NULL), 0), "10.0.2.5", 22);
    ck_assert_sel(sel(mkprof("p6", 22, "KDE", "test-6.local",
                             "test-6.extern", 0, NULL), 0),
                  "test-6.extern", 22);
    /* "(-test-6.extern)" was rejected by the parser: no address */
    ck_assert_sel(sel(mkprof("p7", 22, "KDE", "test-7", NOADDR, 0, NULL), 0),
                  "test-7", 22);
    /* docker-vm-1 (localhost:22001) */
    ck_assert_sel(sel(mkprof("p8", 22000, "KDE", "docker-vm-1", "localhost",
                             22001, NULL), 0), "localhost", 22001);
}
END_TEST

START_TEST(sessionselection_portscan)
{
    int up = 0, fd = listener("127.0.0.1", &up, 16);
    int down = closed_port();

    ck_assert_sel(sel(mkprof("p1", up, "KDE", "127.0.0.1", NOADDR, 0, NULL),
                      1), "127.0.0.1", up);
    /* per-host port wins over sshport */
    ck_assert_sel(sel(mkprof("p2", down, "KDE", "127.0.0.1", NOADDR, up,
                             NULL), 1), "127.0.0.1", up);
    /* name down, address up: the address is returned */
    ck_assert_sel(sel(mkprof("p3", 22, "KDE", "127.0.0.4", "127.0.0.1", up,
                             NULL), 1), "127.0.0.1", up);
    /* name up, address down: still the address (the scan accepts either) */
    ck_assert_sel(sel(mkprof("p4", up, "KDE", "127.0.0.1", "127.0.0.5", 0,
                             NULL), 1), "127.0.0.5", up);
    /* a single host is handed out even when it is down */
    ck_assert_sel(sel(mkprof("p5", down, "KDE", "127.0.0.1", NOADDR, 0,
                             NULL), 1), "127.0.0.1", down);
    close(fd);
}
END_TEST

START_TEST(single_host_down_keeps_host_port)
{
    int down = closed_port();

    /* B8: the fallback keeps the host's own address and port */
    ck_assert_sel(sel(mkprof("p", 22, "KDE", "127.0.0.5", "127.0.0.6", down,
                             NULL), 1), "127.0.0.6", down);
    ck_assert_str_eq(xgb_test_last_log,
                     "no X2Go Server of profile p could be contacted (last "
                     "tried: '127.0.0.5')");
}
END_TEST

START_TEST(port_does_not_leak)
{
    int up = 0, fd = listener("127.0.0.1", &up, 64);
    int down = closed_port(), i;
    xgb_profile_t *prof;

    /* B8: after the down host with its own port, the next host must be
     * probed (and returned) with the profile's sshport */
    prof = mkprof("p", up, "KDE", "127.0.0.7", NOADDR, down,
                  "127.0.0.1", NOADDR, 0, NULL);
    for (i = 0; i < 30; i++) {
        ck_assert_sel(sel(prof, 1), "127.0.0.1", up);
    }
    close(fd);
}
END_TEST

START_TEST(localhost_replaced)
{
    int up = 0, fd = listener("127.0.0.1", &up, 64);
    int down = closed_port(), i, seen_local = 0, seen_other = 0;
    xgb_profile_t *prof;
    xgb_selection_t *s;

    /* single host: stays "localhost", probed as such */
    ck_assert_sel(sel(mkprof("p1", up, "KDE", "localhost", NOADDR, 0, NULL),
                      1), "localhost", up);
    /* B8: a down localhost is a down host, not a crash */
    ck_assert_sel(sel(mkprof("p2", down, "KDE", "localhost", NOADDR, 0,
                             NULL), 1), "localhost", down);

    /* several hosts: localhost is offered under the local host name */
    prof = mkprof("p3", 22, "KDE", "localhost", NOADDR, 0,
                  "127.0.0.1", NOADDR, 0, NULL);
    for (i = 0; i < 200; i++) {
        s = sel(prof, 0);
        ck_assert_str_ne(s->server, "localhost");
        seen_local += !strcmp(s->server, "xgb-local-host");
        seen_other += !strcmp(s->server, "127.0.0.1");
    }
    ck_assert_int_eq(seen_local + seen_other, 200);
    ck_assert_int_gt(seen_local, 0);
    ck_assert_int_gt(seen_other, 0);

    /* all down, the local name being a numeric loopback address so that
     * nothing but loopback is probed */
    prof = mkprof("p4", down, "KDE", "localhost", NOADDR, 0,
                  "127.0.0.8", NOADDR, 0, NULL);
    for (i = 0; i < 10; i++) {
        s = xgb_select_noagent(tp, prof, 1, SEC, "127.0.0.9");
        ck_assert_sel(s, "no-X2Go-Server-available", down);
    }
    /* and up under the local name */
    prof = mkprof("p5", up, "KDE", "127.0.0.8", NOADDR, down,
                  "localhost", NOADDR, 0, NULL);
    for (i = 0; i < 10; i++) {
        s = xgb_select_noagent(tp, prof, 1, SEC, "127.0.0.1");
        ck_assert_sel(s, "127.0.0.1", up);
    }
    /* without a local name "localhost" stays */
    for (i = 0; i < 10; i++) {
        s = xgb_select_noagent(tp, prof, 1, SEC, NULL);
        ck_assert_sel(s, "localhost", up);
    }
    close(fd);
}
END_TEST

/* test_multihost_profiles_with_offline_servers, part 1 */
START_TEST(random_without_portscan)
{
    xgb_profile_t *prof = mkprof("p", 22, "MATE", "host1.mydomain", NOADDR,
                                 0, "host2.mydomain", NOADDR, 0,
                                 "host3.mydomain", NOADDR, 0, NULL);
    int n1 = 0, n2 = 0, n3 = 0, i;

    for (i = 0; i < 3000; i++) {
        xgb_selection_t *s = sel(prof, 0);

        ck_assert_int_eq(s->port, 22);
        n1 += !strcmp(s->server, "host1.mydomain");
        n2 += !strcmp(s->server, "host2.mydomain");
        n3 += !strcmp(s->server, "host3.mydomain");
    }
    ck_assert_int_eq(n1 + n2 + n3, 3000);
    /* uniform: expected 1000 each, sd ~26 */
    ck_assert_int_gt(n1, 850);
    ck_assert_int_gt(n2, 850);
    ck_assert_int_gt(n3, 850);
}
END_TEST

/* part 2: portscan on, host3 down */
START_TEST(random_skips_down_host)
{
    int up = 0, fd1 = listener("127.0.0.1", &up, 64);
    int fd2 = listener("127.0.0.2", &up, 64);
    xgb_profile_t *prof = mkprof("p", up, "MATE", "127.0.0.1", NOADDR, 0,
                                 "127.0.0.2", NOADDR, 0,
                                 "127.0.0.3", NOADDR, 0, NULL);
    int n1 = 0, n2 = 0, i;

    for (i = 0; i <= 30; i++) {
        xgb_selection_t *s = sel(prof, 1);

        ck_assert_int_eq(s->port, up);
        n1 += !strcmp(s->server, "127.0.0.1");
        n2 += !strcmp(s->server, "127.0.0.2");
    }
    ck_assert_int_eq(n1 + n2, 31);
    ck_assert_int_gt(n1, 0);
    ck_assert_int_gt(n2, 0);
    close(fd1);
    close(fd2);
}
END_TEST

/* part 3: hostN.internal (hostN.external), host1.internal and every
 * .external down: the scan succeeds on the name, the address is what is
 * returned */
START_TEST(name_up_address_returned)
{
    int up = 0, fd1 = listener("127.0.0.1", &up, 64);
    int fd2 = listener("127.0.0.2", &up, 64);
    xgb_profile_t *prof = mkprof("p", up, "MATE",
                                 "127.0.0.3", "127.0.0.21", 0,
                                 "127.0.0.1", "127.0.0.22", 0,
                                 "127.0.0.2", "127.0.0.23", 0, NULL);
    int n2 = 0, n3 = 0, i;

    for (i = 0; i <= 30; i++) {
        xgb_selection_t *s = sel(prof, 1);

        n2 += !strcmp(s->server, "127.0.0.22");
        n3 += !strcmp(s->server, "127.0.0.23");
    }
    ck_assert_int_eq(n2 + n3, 31);
    ck_assert_int_gt(n2, 0);
    ck_assert_int_gt(n3, 0);
    close(fd1);
    close(fd2);
}
END_TEST

START_TEST(all_down)
{
    int down = closed_port();
    xgb_profile_t *prof = mkprof("p", down, "MATE",
                                 "127.0.0.1", NOADDR, 0,
                                 "127.0.0.2", "127.0.0.12", 0,
                                 "127.0.0.3", NOADDR, 0, NULL);
    apr_time_t t = apr_time_now();

    ck_assert_sel(sel(prof, 1), "no-X2Go-Server-available", down);
    ck_assert_int_lt(elapsed_since(t), SEC);
    ck_assert_ptr_eq(strstr(xgb_test_last_log, "no X2Go Server of profile "
                            "p could be contacted (last tried: '127.0.0."),
                     xgb_test_last_log);
}
END_TEST

START_TEST(shadow_takes_first)
{
    int up = 0, fd = listener("127.0.0.1", &up, 64);
    int i;
    xgb_profile_t *prof = mkprof("p", up, "SHADOW", "127.0.0.1", NOADDR, 0,
                                 "127.0.0.2", NOADDR, 0,
                                 "127.0.0.3", NOADDR, 0, NULL);

    for (i = 0; i < 20; i++) {
        ck_assert_sel(sel(prof, 0), "127.0.0.1", up);
        ck_assert_sel(sel(prof, 1), "127.0.0.1", up);
    }
    /* the first one down: no fallback to the others */
    prof = mkprof("p", up, "SHADOW", "127.0.0.2", NOADDR, 0,
                  "127.0.0.1", NOADDR, 0, NULL);
    ck_assert_sel(sel(prof, 1), "no-X2Go-Server-available", up);
    close(fd);
}
END_TEST

static int thread_count(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;

    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL) {
        n += e->d_name[0] != '.';
    }
    closedir(d);
    return n;
}

/* Last: glibc's resolver helper threads linger for about a second after
 * the last lookup, then go away; no probe leaves a thread behind.  (With
 * CK_FORK=no this also lets valgrind see no live threads, whose
 * thread-local blocks it would report as "possibly lost".) */
START_TEST(no_threads_left)
{
    int i, n = thread_count();

    for (i = 0; i < 40 && n > 1; i++) {
        apr_sleep(SEC / 10);
        n = thread_count();
    }
    ck_assert_int_eq(n, 1);
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
    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, no_profile_no_hosts);
    tcase_add_test(tc, sessionselection);
    tcase_add_test(tc, sessionselection_portscan);
    tcase_add_test(tc, single_host_down_keeps_host_port);
    tcase_add_test(tc, port_does_not_leak);
    tcase_add_test(tc, localhost_replaced);
    tcase_add_test(tc, random_without_portscan);
    tcase_add_test(tc, random_skips_down_host);
    tcase_add_test(tc, name_up_address_returned);
    tcase_add_test(tc, all_down);
    tcase_add_test(tc, shadow_takes_first);
    suite_add_tcase(s, tc);

    tc = tcase_create("quiesce");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, no_threads_left);
    suite_add_tcase(s, tc);
    return s;
}

XGB_TEST_MAIN()
