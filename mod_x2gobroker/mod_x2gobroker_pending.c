/*
 * mod_x2gobroker_pending.c - new sessions the broker placed that no agent
 * shows yet.
 *
 * The client starts its session seconds after the broker chose the
 * server, so until then the server's session count does not show it, and
 * users logging on at the same moment would all see the same counts and
 * all be sent to the same least busy server.  Every new placement is a
 * record in a shared table (mod_x2gobroker_shm.c) and counts as one
 * session of its server, in every child, until an agent lists the user's
 * session there or X2GoBrokerPendingLifetime ends.
 *
 * Counting, choosing and recording happen in one step under the table's
 * lock, so the next request, in any child, sees this placement.  The
 * choice under the lock is computation only: servers not yet known to be
 * up count as up there, and the chosen one is checked afterwards, outside
 * the lock; a placement on a server found down is taken back and the
 * choice made again without it.
 */
#include "apr_strings.h"
#include "apr_hash.h"

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"

#include "mod_x2gobroker_private.h"
#include "xgb_hostmatch.h"

#define PENDING_SLOTMEM "x2gobroker-pending"
/* Placements remembered at once: at the default lifetime of 60 s, a
 * storm of 17 new sessions a second.  Beyond that a placement is made
 * but not counted (and logged). */
#define PENDING_SLOTS 1024
#define PENDING_NAME_MAX 272

typedef struct {
    apr_time_t expires;         /* 0: free */
    char key[PENDING_NAME_MAX]; /* the server: "address:port" */
    char name[PENDING_NAME_MAX];        /* the profile's name for it */
    char user[XGB_MAX_USER_LEN + 1];
} pending_slot;

static ap_slotmem_instance_t *table;

void x2gobroker_pending_pre_config(void)
{
    table = NULL;
}

int x2gobroker_pending_post_config(apr_pool_t *pconf, server_rec *s)
{
    int rc = x2gobroker_shm_table(pconf, s, PENDING_SLOTMEM,
                                  sizeof(pending_slot), PENDING_SLOTS,
                                  &table);

    return rc == DECLINED ? OK : rc;
}

static int live(const pending_slot *slot, apr_time_t now)
{
    return slot->expires > now;
}

void x2gobroker_pending_seen(request_rec *r, const char *user,
                             const apr_array_header_t *sessions)
{
    pending_slot *slots;
    apr_time_t now = apr_time_now();
    int i, j, fuzzy;

    if (!table || !user || !sessions || sessions->nelts == 0) {
        return;
    }
    slots = x2gobroker_shm_lock(table, r->server, r);
    if (!slots) {
        return;
    }
    for (i = 0; i < PENDING_SLOTS; i++) {
        if (!live(&slots[i], now) || strcmp(slots[i].user, user)) {
            continue;
        }
        for (j = 0; j < sessions->nelts; j++) {
            const xgb_agent_session_t *s =
                &APR_ARRAY_IDX(sessions, j, xgb_agent_session_t);

            if (s->server
                && xgb_hostmatch_same(s->server, slots[i].name, &fuzzy)) {
                slots[i].expires = 0;
                break;
            }
        }
    }
    x2gobroker_shm_unlock();
}

/* What the request knows about whether a server is up. */
typedef enum { UP_UNKNOWN = 0, UP_YES, UP_NO } up_state;

typedef struct {
    const xgb_select_in_t *in;  /* the caller's, with its real `up` */
    apr_hash_t *known;          /* name -> up_state, in the request pool */
    apr_hash_t *counts;         /* key -> int *, under the lock only */
    apr_pool_t *p;
} place_baton;

static up_state known(const place_baton *b, const char *name)
{
    const up_state *st = apr_hash_get(b->known, name, APR_HASH_KEY_STRING);

    return st ? *st : UP_UNKNOWN;
}

static void set_known(place_baton *b, const char *name, up_state st)
{
    up_state *v = apr_palloc(b->p, sizeof(*v));

    *v = st;
    apr_hash_set(b->known, apr_pstrdup(b->p, name), APR_HASH_KEY_STRING, v);
}

/* Under the lock: no I/O, a server not known to be down is up. */
static int assume_up(void *baton, const char *name, const char *addr,
                     int port)
{
    return known(baton, name) != UP_NO;
}

/* The table's name of a server: "address:port" of the address as
 * answered (a bracketed IPv6 address of a profile without brackets). */
static const char *key_of(apr_pool_t *p, const char *addr, int port)
{
    apr_size_t n = strlen(addr);

    if (n > 2 && addr[0] == '[' && addr[n - 1] == ']') {
        addr = apr_pstrmemdup(p, addr + 1, n - 2);
    }
    return x2gobroker_server_key(p, addr, port);
}

static int count_of(void *baton, const char *name, const char *addr,
                    int port)
{
    place_baton *b = baton;
    const int *n = apr_hash_get(b->counts, key_of(b->p, addr, port),
                                APR_HASH_KEY_STRING);

    return n ? *n : 0;
}

/* Live placements per server, and a free slot (NULL if none). */
static pending_slot *snapshot(place_baton *b, pending_slot *slots,
                              apr_time_t now)
{
    pending_slot *free_slot = NULL;
    int i;

    b->counts = apr_hash_make(b->p);
    for (i = 0; i < PENDING_SLOTS; i++) {
        int *n;

        if (!live(&slots[i], now)) {
            if (!free_slot) {
                free_slot = &slots[i];
            }
            continue;
        }
        n = apr_hash_get(b->counts, slots[i].key, APR_HASH_KEY_STRING);
        if (!n) {
            n = apr_pcalloc(b->p, sizeof(*n));
            apr_hash_set(b->counts, apr_pstrdup(b->p, slots[i].key),
                         APR_HASH_KEY_STRING, n);
        }
        ++*n;
    }
    return free_slot;
}

xgb_selection_t *x2gobroker_pending_place(request_rec *r,
                                          const xgb_select_in_t *in,
                                          apr_interval_time_t lifetime)
{
    apr_pool_t *p = r->pool;
    place_baton b = { in, apr_hash_make(p), NULL, p };
    xgb_select_in_t locked = *in;
    xgb_selection_t *sel;

    if (!table) {
        return xgb_select(p, in);
    }
    locked.up = assume_up;
    locked.up_baton = &b;
    locked.pending = count_of;
    locked.pending_baton = &b;
    for (;;) {
        pending_slot *slots = x2gobroker_shm_lock(table, r->server, r), *put;
        apr_time_t now = apr_time_now();
        const char *key;
        int placed = 0;

        if (!slots) {
            return xgb_select(p, in);
        }
        put = snapshot(&b, slots, now);
        sel = xgb_select(p, &locked);
        key = sel && sel->server_name
              ? key_of(p, sel->server, sel->port) : NULL;
        if (key && !sel->session_info && put
            && known(&b, sel->server_name) != UP_NO
            && strlen(key) < sizeof(put->key)
            && strlen(sel->server_name) < sizeof(put->name)
            && strlen(in->username) < sizeof(put->user)) {
            apr_cpystrn(put->key, key, sizeof(put->key));
            apr_cpystrn(put->name, sel->server_name, sizeof(put->name));
            apr_cpystrn(put->user, in->username, sizeof(put->user));
            put->expires = now + lifetime;
            placed = 1;
        }
        x2gobroker_shm_unlock();
        if (placed) {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, XGB_LOGNO(00141)
                          "new session of %s placed on %s (%d placement(s) "
                          "there before)", in->username, sel->server_name,
                          count_of(&b, sel->server_name, sel->server,
                                   sel->port));
        }
        if (key && !sel->session_info && !placed
            && known(&b, sel->server_name) != UP_NO) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, XGB_LOGNO(00140)
                          "placement of %s on %s not counted: %s",
                          in->username, sel->server_name,
                          put ? "names too long"
                              : "all " APR_STRINGIFY(PENDING_SLOTS)
                                " pending slots in use");
        }
        if (!key || known(&b, sel->server_name) != UP_UNKNOWN) {
            /* no server, or one whose state this request found out */
            return sel;
        }
        if (!in->up || in->up(in->up_baton, sel->server_name, sel->server,
                              sel->port)) {
            set_known(&b, sel->server_name, UP_YES);
            return sel;
        }
        set_known(&b, sel->server_name, UP_NO);
        if (placed) {
            slots = x2gobroker_shm_lock(table, r->server, r);
            if (slots) {
                if (put->expires && !strcmp(put->key, key)
                    && !strcmp(put->user, in->username)) {
                    put->expires = 0;
                }
                x2gobroker_shm_unlock();
            }
        }
    }
}
