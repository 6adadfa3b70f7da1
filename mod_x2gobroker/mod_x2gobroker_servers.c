/*
 * mod_x2gobroker_servers.c - what the children know about each X2Go
 * server, shared by all of them.
 *
 * A server whose agent did not answer costs the request that finds out
 * one X2GoBrokerAgentTimeout.  Recorded here, every other child skips it
 * until its retry time instead of paying the timeout again, and the last
 * session counts and load figures are there for whoever asks next.
 *
 * The table is one of the module's shared tables (mod_x2gobroker_shm.c):
 * kept across graceful restarts, so a restart does not make every child
 * rediscover which servers are down.  Each slot belongs to one
 * "address:port"; a slot is claimed on first use and never moves.
 */
#include "apr_strings.h"

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"

#include "mod_x2gobroker_private.h"

#define SERVERS_SLOTMEM "x2gobroker-servers"

/* Hundreds of servers behind one broker are already a lot; the slot count
 * is fixed per segment so that a graceful restart can reattach. */
#define SERVER_SLOTS 1024
#define SERVER_KEY_MAX 272      /* "[v6 or name]:port" */
#define SERVER_ERROR_MAX 240

typedef struct {
    char key[SERVER_KEY_MAX];   /* "" while the slot is free */
    apr_uint32_t fails;         /* consecutive failures */
    apr_time_t retry_at;        /* skipped until then (0: usable) */
    apr_time_t last_ok;
    apr_time_t last_fail;
    apr_int32_t sessions;       /* last session count, -1 unknown */
    apr_int32_t load_factor;    /* last checkload factor, -1 unknown */
    apr_time_t figures_at;      /* when sessions/load_factor were seen */
    char last_error[SERVER_ERROR_MAX];
} server_slot;

static ap_slotmem_instance_t *table;

void x2gobroker_servers_pre_config(void)
{
    table = NULL;
}

int x2gobroker_servers_post_config(apr_pool_t *pconf, server_rec *s,
                                   int needed)
{
    int rc = x2gobroker_shm_table(pconf, s, SERVERS_SLOTMEM,
                                  sizeof(server_slot), SERVER_SLOTS, &table);

    if (rc == DECLINED) {
        if (needed) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, XGB_LOGNO(00100)
                         "agent query mode LOCAL or SSH needs the shared "
                         "server table: is mod_slotmem_shm loaded?");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        return OK;
    }
    return rc;
}

/* The slot of key, claimed if need be; NULL if the table is missing or
 * full.  Called with the mutex held. */
static server_slot *find_slot(server_slot *slots, server_rec *s,
                              request_rec *r, const char *key, int claim)
{
    server_slot *slot, *free_slot = NULL;
    unsigned int i;

    for (i = 0; i < SERVER_SLOTS; i++) {
        slot = &slots[i];
        if (!slot->key[0]) {
            if (!free_slot) {
                free_slot = slot;
            }
            /* Slots are claimed in order and never freed: the first
             * free one ends the used part. */
            break;
        }
        if (!strcmp(slot->key, key)) {
            return slot;
        }
    }
    if (!claim) {
        return NULL;
    }
    if (!free_slot) {
        X2GOBROKER_LOG(r, s, APLOG_WARNING, 0, XGB_LOGNO(00104)
                       "server table full (%d servers): %s is judged per "
                       "request", SERVER_SLOTS, key);
        return NULL;
    }
    memset(free_slot, 0, sizeof(*free_slot));
    apr_cpystrn(free_slot->key, key, sizeof(free_slot->key));
    free_slot->sessions = -1;
    free_slot->load_factor = -1;
    return free_slot;
}

/* Lock the table and find key's slot (claimed if `claim`).  NULL, with
 * nothing locked, when that cannot be; else x2gobroker_shm_unlock()
 * follows. */
static server_slot *locked_slot(server_rec *s, request_rec *r,
                                const char *key, int claim)
{
    server_slot *slots, *slot;

    if (strlen(key) >= SERVER_KEY_MAX
        || !(slots = x2gobroker_shm_lock(table, s, r))) {
        return NULL;
    }
    slot = find_slot(slots, s, r, key, claim);
    if (!slot) {
        x2gobroker_shm_unlock();
    }
    return slot;
}

const char *x2gobroker_server_key(apr_pool_t *p, const char *addr, int port)
{
    return apr_psprintf(p, strchr(addr, ':') ? "[%s]:%d" : "%s:%d", addr,
                        port);
}

int x2gobroker_server_skipped(server_rec *s, request_rec *r,
                              apr_pool_t *p, const char *key, apr_time_t now,
                              const char **why)
{
    server_slot *slot = locked_slot(s, r, key, 0);
    int skip = 0;

    *why = NULL;
    if (!slot) {
        return 0;
    }
    if (slot->retry_at > now) {
        skip = 1;
        *why = apr_pstrdup(p, slot->last_error);
    }
    x2gobroker_shm_unlock();
    return skip;
}

void x2gobroker_server_report(server_rec *s, request_rec *r, const char *key,
                              int ok, const char *error,
                              apr_interval_time_t retry)
{
    apr_time_t now = apr_time_now();
    server_slot *slot = locked_slot(s, r, key, 1);

    if (!slot) {
        return;
    }
    if (ok) {
        if (slot->fails) {
            X2GOBROKER_LOG(r, s, APLOG_NOTICE, 0, XGB_LOGNO(00106)
                           "X2Go server %s answers again after %u "
                           "failure(s)", key, slot->fails);
        }
        slot->fails = 0;
        slot->retry_at = 0;
        slot->last_ok = now;
    }
    else {
        slot->fails++;
        slot->last_fail = now;
        slot->retry_at = now + retry;
        apr_cpystrn(slot->last_error, error ? error : "failed",
                    sizeof(slot->last_error));
    }
    x2gobroker_shm_unlock();
}

void x2gobroker_server_figures(server_rec *s, request_rec *r, const char *key,
                               int sessions, long load_factor)
{
    server_slot *slot = locked_slot(s, r, key, 1);

    if (!slot) {
        return;
    }
    slot->sessions = sessions;
    slot->load_factor = load_factor > APR_INT32_MAX ? APR_INT32_MAX
                        : (apr_int32_t)load_factor;
    slot->figures_at = apr_time_now();
    x2gobroker_shm_unlock();
}
