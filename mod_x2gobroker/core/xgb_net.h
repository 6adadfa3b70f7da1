/*
 * xgb_net.h - TCP reachability probes and the broker's own host names.
 */
#ifndef XGB_NET_H
#define XGB_NET_H

#include <apr_pools.h>
#include <apr_time.h>
#include <apr_errno.h>

/**
 * Does something accept TCP connections on host:port (spec 5.4)?
 *
 * host is a name or an IPv4/IPv6 literal.  All IPv6 addresses it resolves
 * to are tried first, then the IPv4 ones, until one accepts.  The whole
 * probe, name resolution included, ends within `timeout`.  Every socket
 * is closed again.  Thread-safe; allocates nothing from any pool.
 *
 * @return APR_SUCCESS if a connection was established;
 *         APR_EINVAL for an empty host, a port outside 1..65535 or a
 *         timeout <= 0; APR_NOTFOUND if the name has no address;
 *         APR_TIMEUP if the time ran out (resolving or connecting);
 *         else the error of the last connection attempt (e.g.
 *         APR_FROM_OS_ERROR(ECONNREFUSED)).
 */
apr_status_t xgb_net_probe(const char *host, int port,
                           apr_interval_time_t timeout);

/**
 * gethostname(), NULL if that fails.  X2Go servers know themselves by
 * this name, so selectsession substitutes it for "localhost".
 */
const char *xgb_net_local_hostname(apr_pool_t *p);

/**
 * The broker's host name for /pubkeys/ lines (spec 0): gethostname() if
 * it contains a dot; otherwise, as the reference does, the name a reverse
 * lookup of its address gives, falling back to its canonical name;
 * "localhost" if it does not resolve.  May block in the resolver: call it
 * at start-up, not per request.
 */
const char *xgb_net_broker_fqdn(apr_pool_t *p);

#endif
