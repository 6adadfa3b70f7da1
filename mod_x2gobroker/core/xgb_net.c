/*
 * xgb_net.c - TCP reachability probes (spec 5.4) and host names (spec 0).
 *
 * The probe must never hold a request longer than its timeout, and plain
 * getaddrinfo() cannot be interrupted.  So names are resolved with glibc's
 * getaddrinfo_a() and waited for with gai_suspend() up to the deadline.
 * A lookup still running at the deadline cannot always be cancelled; its
 * request block is then left to a completion callback to free (see
 * lookup_t), so nothing leaks and nothing is freed under glibc's feet.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE             /* getaddrinfo_a */
#endif

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <apr_strings.h>

#include "xgb_net.h"
#include "xgb_log.h"

/* DNS names have at most 253 characters; IPv6 literals with a scope id
 * are far shorter.  Anything longer is garbage, not worth a lookup. */
#define XGB_NET_HOST_MAX 1024

/*
 * One asynchronous lookup.  Two parties hold a reference: the probing
 * thread, and glibc's completion notification (a thread glibc starts when
 * the lookup ends).  Whoever lets go last frees the block and the result,
 * so a probe that gives up early may return while glibc still uses it.
 * The notification does not come for a lookup that gai_cancel() removed;
 * the prober then drops that reference too.
 */
typedef struct {
    struct gaicb cb;
    struct addrinfo hints;
    int refs;
    char serv[8];
    char name[];
} lookup_t;

static void lookup_unref(lookup_t *l)
{
    if (__atomic_sub_fetch(&l->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        if (l->cb.ar_result) {
            freeaddrinfo(l->cb.ar_result);
        }
        free(l);
    }
}

static void lookup_notify(union sigval sv)
{
    lookup_unref(sv.sival_ptr);
}

/* Microseconds on a clock that does not jump with the wall time. */
static apr_int64_t mono_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (apr_int64_t)ts.tv_sec * APR_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/*
 * Resolve host within the deadline.  On success *res holds the addresses
 * and *owner (if not NULL) the lookup block that must be released with
 * lookup_unref() after use instead of freeaddrinfo().
 */
static apr_status_t resolve(const char *host, const char *serv,
                            apr_int64_t deadline, struct addrinfo **res,
                            lookup_t **owner)
{
    struct addrinfo hints;
    struct gaicb *list[1];
    struct sigevent sev;
    lookup_t *l;
    apr_size_t hlen = strlen(host);
    int rc;

    *res = NULL;
    *owner = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;

    /* Address literals need no resolver and no helper thread. */
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    if (getaddrinfo(host, serv, &hints, res) == 0) {
        return APR_SUCCESS;
    }
    *res = NULL;

    l = calloc(1, sizeof(*l) + hlen + 1);
    if (!l) {
        return APR_ENOMEM;
    }
    memcpy(l->name, host, hlen + 1);
    apr_cpystrn(l->serv, serv, sizeof(l->serv));
    l->hints = hints;
    l->hints.ai_flags = AI_NUMERICSERV;
    l->cb.ar_name = l->name;
    l->cb.ar_service = l->serv;
    l->cb.ar_request = &l->hints;
    l->refs = 2;
    list[0] = &l->cb;

    memset(&sev, 0, sizeof(sev));
    sev.sigev_notify = SIGEV_THREAD;
    sev.sigev_notify_function = lookup_notify;
    sev.sigev_value.sival_ptr = l;
    rc = getaddrinfo_a(GAI_NOWAIT, list, 1, &sev);
    if (rc != 0) {
        /* Only under resource exhaustion.  Depending on where glibc
         * failed, it may still notify or even still run the lookup, so
         * freeing here could hand it a dangling block: let go of our
         * reference only, accepting a small leak in the worst case. */
        lookup_unref(l);
        XGB_LOG(XGB_LOG_DEBUG, "cannot start lookup of %s: %s", host,
                gai_strerror(rc));
        return rc == EAI_MEMORY ? APR_ENOMEM : APR_EGENERAL;
    }

    for (;;) {
        apr_int64_t left = deadline - mono_now();
        struct timespec ts;

        if (left <= 0) {
            break;
        }
        ts.tv_sec = (time_t)(left / APR_USEC_PER_SEC);
        ts.tv_nsec = (long)(left % APR_USEC_PER_SEC) * 1000;
        /* gai_suspend() takes glibc's request lock, which also makes the
         * worker's result visible to this thread. */
        rc = gai_suspend((const struct gaicb *const *)list, 1, &ts);
        if (rc == 0 || gai_error(&l->cb) != EAI_INPROGRESS) {
            break;
        }
        if (rc != EAI_INTR && rc != EAI_AGAIN) {
            break;
        }
    }

    rc = gai_error(&l->cb);
    if (rc == EAI_INPROGRESS) {
        /* Out of time.  A queued lookup can be withdrawn (then no
         * notification comes); a running one finishes on its own. */
        if (gai_cancel(&l->cb) == EAI_CANCELED) {
            lookup_unref(l);
        }
        lookup_unref(l);
        XGB_LOG(XGB_LOG_DEBUG, "lookup of %s timed out", host);
        return APR_TIMEUP;
    }
    if (rc != 0 || !l->cb.ar_result) {
        XGB_LOG(XGB_LOG_DEBUG, "cannot resolve %s: %s", host,
                rc ? gai_strerror(rc) : "no address");
        lookup_unref(l);
        return APR_NOTFOUND;
    }
    *res = l->cb.ar_result;
    *owner = l;
    return APR_SUCCESS;
}

/* One non-blocking connect, waited for until the deadline. */
static apr_status_t try_connect(const struct addrinfo *ai,
                                apr_int64_t deadline)
{
    apr_status_t rv = APR_SUCCESS;
    int fd, err = 0;
    socklen_t elen = sizeof(err);

    /* Non-blocking, so that poll() can bound the handshake; close-on-exec
     * so that a probe racing with a fork+exec leaks no descriptor. */
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK
                | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        return APR_FROM_OS_ERROR(errno);
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        close(fd);
        return APR_SUCCESS;
    }
    if (errno != EINPROGRESS) {
        rv = APR_FROM_OS_ERROR(errno);
        close(fd);
        return rv;
    }
    for (;;) {
        apr_int64_t left = deadline - mono_now();
        struct pollfd pfd;
        apr_int64_t ms;
        int n;

        if (left <= 0) {
            rv = APR_TIMEUP;
            break;
        }
        /* Round up, or a sub-millisecond rest would spin. */
        ms = (left + 999) / 1000;
        pfd.fd = fd;
        pfd.events = POLLOUT;
        pfd.revents = 0;
        n = poll(&pfd, 1, ms > INT_MAX ? INT_MAX : (int)ms);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            rv = APR_FROM_OS_ERROR(errno);
            break;
        }
        if (n == 0) {
            continue;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0) {
            rv = APR_FROM_OS_ERROR(errno);
        }
        else {
            rv = err ? APR_FROM_OS_ERROR(err) : APR_SUCCESS;
        }
        break;
    }
    close(fd);
    return rv;
}

apr_status_t xgb_net_probe(const char *host, int port,
                           apr_interval_time_t timeout)
{
    struct addrinfo *res, *ai;
    lookup_t *owner;
    apr_int64_t deadline;
    apr_status_t rv, last = APR_NOTFOUND;
    char serv[8];
    int pass;

    if (!host || !*host || strlen(host) > XGB_NET_HOST_MAX
        || port < 1 || port > 65535 || timeout <= 0) {
        return APR_EINVAL;
    }
    /* One deadline for resolution and every connection attempt: the
     * caller's bound holds however many addresses the name has. */
    deadline = mono_now() + timeout;
    apr_snprintf(serv, sizeof(serv), "%d", port);

    rv = resolve(host, serv, deadline, &res, &owner);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    /* IPv6 first, like the reference, then IPv4; other families (none
     * expected for SOCK_STREAM lookups) are ignored. */
    for (pass = 0; pass < 2; pass++) {
        int family = pass == 0 ? AF_INET6 : AF_INET;

        for (ai = res; ai; ai = ai->ai_next) {
            if (ai->ai_family != family) {
                continue;
            }
            last = try_connect(ai, deadline);
            if (last == APR_SUCCESS || last == APR_TIMEUP) {
                goto done;
            }
        }
    }
done:
    if (owner) {
        lookup_unref(owner);
    }
    else {
        freeaddrinfo(res);
    }
    if (last != APR_SUCCESS) {
        XGB_LOG(XGB_LOG_DEBUG, "probe of %s port %d failed: %d", host, port,
                last);
    }
    return last;
}

const char *xgb_net_local_hostname(apr_pool_t *p)
{
    /* POSIX caps host names at HOST_NAME_MAX (64 on Linux); the spare
     * room and the forced terminator cover systems that truncate. */
    apr_size_t size = 256;
    char *buf = apr_pcalloc(p, size + 1);

    if (gethostname(buf, size) != 0 || !*buf) {
        return NULL;
    }
    return buf;
}

const char *xgb_net_broker_fqdn(apr_pool_t *p)
{
    const char *name = xgb_net_local_hostname(p);
    struct addrinfo hints, *res = NULL;
    char host[NI_MAXHOST];
    const char *out = "localhost";

    if (!name) {
        return out;
    }
    if (strchr(name, '.')) {
        return name;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_CANONNAME;
    if (getaddrinfo(name, NULL, &hints, &res) != 0 || !res) {
        return out;
    }
    /* The reference asks gethostbyaddr() for the name of the first
     * address; getnameinfo() is the thread-safe form of that. */
    if (getnameinfo(res->ai_addr, res->ai_addrlen, host, sizeof(host),
                    NULL, 0, NI_NAMEREQD) == 0 && *host) {
        out = apr_pstrdup(p, host);
    }
    else if (res->ai_canonname && *res->ai_canonname) {
        out = apr_pstrdup(p, res->ai_canonname);
    }
    freeaddrinfo(res);
    return out;
}
