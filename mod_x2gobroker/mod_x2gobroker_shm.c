/*
 * mod_x2gobroker_shm.c - the one way the module's fixed-size tables are
 * shared between httpd's children: mod_slotmem_shm slots (pointer-free
 * records, as mod_proxy_balancer keeps its workers) and one global mutex
 * for all of them.
 *
 * The tables are persistent slotmem: httpd writes them to its runtime
 * directory when it stops or restarts and the next generation reads them
 * back, so what they hold (servers found down, autologin keys still to
 * remove) survives graceful restarts, and restarts too.  The same
 * mutex guards the profiles' shared last good text (variable size, in
 * apr_shm).
 */
#include "apr_global_mutex.h"

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "ap_provider.h"
#include "util_mutex.h"

#include "mod_x2gobroker_private.h"

#define SHM_MUTEX_TYPE "x2gobroker-shm"

static const ap_slotmem_provider_t *slotmem;
static apr_global_mutex_t *mutex;

int x2gobroker_shm_pre_config(apr_pool_t *pconf)
{
    slotmem = NULL;
    mutex = NULL;
    return ap_mutex_register(pconf, SHM_MUTEX_TYPE, NULL, APR_LOCK_DEFAULT,
                             0) == APR_SUCCESS
           ? OK : HTTP_INTERNAL_SERVER_ERROR;
}

static apr_status_t forget(void *unused)
{
    slotmem = NULL;
    mutex = NULL;
    return APR_SUCCESS;
}

int x2gobroker_shm_post_config(apr_pool_t *pconf, server_rec *s)
{
    apr_status_t rv;

    apr_pool_cleanup_register(pconf, NULL, forget, apr_pool_cleanup_null);
    slotmem = ap_lookup_provider(AP_SLOTMEM_PROVIDER_GROUP, "shm",
                                 AP_SLOTMEM_PROVIDER_VERSION);
    rv = ap_global_mutex_create(&mutex, NULL, SHM_MUTEX_TYPE, NULL, s, pconf,
                                0);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, XGB_LOGNO(00101)
                     "cannot create the mutex of the shared tables");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

int x2gobroker_shm_table(apr_pool_t *pconf, server_rec *s, const char *name,
                         apr_size_t item_size, unsigned int items,
                         ap_slotmem_instance_t **table)
{
    apr_status_t rv;

    *table = NULL;
    if (!slotmem) {
        return DECLINED;
    }
    /* PERSIST: slotmem writes the table out when httpd stops or restarts
     * and reads it back into the new segment */
    rv = slotmem->create(table, name, item_size, items,
                         AP_SLOTMEM_TYPE_PERSIST, pconf);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, XGB_LOGNO(00102)
                     "cannot create the shared table %s", name);
        *table = NULL;
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

void x2gobroker_shm_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_status_t rv;

    if (!mutex) {
        return;
    }
    rv = apr_global_mutex_child_init(&mutex, apr_global_mutex_lockfile(mutex),
                                     pchild);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, XGB_LOGNO(00103)
                     "cannot attach to the mutex of the shared tables; this "
                     "child does without them");
        mutex = NULL;
    }
}

int x2gobroker_shm_lock_all(server_rec *s, request_rec *r)
{
    apr_status_t rv;

    if (!mutex) {
        return 0;
    }
    rv = apr_global_mutex_lock(mutex);
    if (rv != APR_SUCCESS) {
        X2GOBROKER_LOG(r, s, APLOG_ERR, rv, XGB_LOGNO(00105)
                       "cannot lock the shared tables");
        return 0;
    }
    return 1;
}

void *x2gobroker_shm_lock(ap_slotmem_instance_t *table, server_rec *s,
                          request_rec *r)
{
    void *base = NULL;

    if (!table || !x2gobroker_shm_lock_all(s, r)) {
        return NULL;
    }
    if (slotmem->dptr(table, 0, &base) != APR_SUCCESS) {
        apr_global_mutex_unlock(mutex);
        return NULL;
    }
    return base;
}

void x2gobroker_shm_unlock(void)
{
    apr_global_mutex_unlock(mutex);
}
