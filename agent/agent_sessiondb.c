/*
 * agent_sessiondb.c - x2goserver's session DB, read the way x2goserver's
 * own tools read it, so that the rows are theirs value for value.
 *
 * sqlite (x2goserver's default, one DB per server): the DB file, read-only,
 * as the user plus the DB's group, like x2goserver's setgid DB wrapper.
 * PostgreSQL (one DB for all servers): the server named in
 * /etc/x2go/x2gosql/sql, as the role x2gouser_<user> with the password
 * x2godbadmin left in ~/.x2go/pgsqlpass, through the views that show a
 * user his own sessions (X2Go::Server::DB::PostgreSQL).  Both run in a
 * child that already is the user.  Whatever does not fit (another
 * backend, a missing password file, a DB that does not answer) is an
 * error here, and the caller runs x2goserver's programs instead.
 *
 * libpq, with its TLS, Kerberos and LDAP libraries, is loaded with
 * dlopen() in that child only: the set-uid program itself links none of
 * it, so none of their code runs as root.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "agent.h"
#include "xgb_valid.h"

#ifndef XGB_X2GO_SERVERCONF
#define XGB_X2GO_SERVERCONF "/etc/x2go/x2goserver.conf"
#endif

/* x2goserver's statements (X2Go::Server::DB::SQLite3 db_listsessions_all,
 * db_getservers), so that values are formatted identically; getservers
 * with the count that the sqlite version drops. */
static const char sqlite_list[] =
    "select agent_pid, session_id, display, server, status, "
    "strftime('%Y-%m-%dT%H:%M:%S',init_time), cookie, client, gr_port, "
    "sound_port, strftime('%Y-%m-%dT%H:%M:%S',last_time), uname, "
    "strftime('%s','now','localtime') - strftime('%s',init_time), "
    "fs_port, tekictrl_port, tekidata_port from sessions "
    "where status !='F' and uname=? "
    "and (session_id not like '%XSHAD%') order by status desc";
static const char sqlite_servers[] =
    "select server,count(*) from sessions where status != 'F' "
    "group by server";

/* X2Go::Server::DB::PostgreSQL db_listsessions_all: the telekinesis ports
 * only when telekinesis is on (14 or 16 columns), and db_getservers. */
static const char pg_list_head[] =
    "select agent_pid, session_id, display, server, status, "
    "to_char(init_time,'YYYY-MM-DD\"T\"HH24:MI:SS'), cookie, client, "
    "gr_port, sound_port, to_char( last_time, 'YYYY-MM-DD\"T\"HH24:MI:SS'), "
    "uname, to_char(now()- init_time,'SSSS'), fs_port";
static const char pg_list_teki[] = ", tekictrl_port, tekidata_port";
static const char pg_list_tail[] =
    " from sessions_view where status !='F' and "
    "(session_id not like '%XSHAD%') order by status desc";
static const char pg_servers[] =
    "select server,count(*) from servers_view where status != 'F' "
    "group by server";

/* The value of key in [section] ("" = before any section) of an INI
 * file, as Config::Simple reads it: whitespace around it trimmed.
 * 1 and out filled, or 0. */
static int ini_value(const char *file, const char *section, const char *key,
                     char *out, size_t n)
{
    char line[512], cur[64] = "";
    size_t klen = strlen(key);
    FILE *f = fopen(file, "re");
    int found = 0;

    if (!f) {
        return 0;
    }
    while (!found && fgets(line, sizeof(line), f)) {
        char *s = line, *e;

        while (*s == ' ' || *s == '\t') {
            s++;
        }
        e = s + strcspn(s, "\r\n");
        *e = '\0';
        if (*s == '#' || *s == ';' || !*s) {
            continue;
        }
        if (*s == '[') {
            size_t len = strcspn(s + 1, "]");

            if (len < sizeof(cur)) {
                memcpy(cur, s + 1, len);
                cur[len] = '\0';
            }
            continue;
        }
        if (strcmp(cur, section) || strncmp(s, key, klen)) {
            continue;
        }
        s += klen;
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        if (*s != '=') {
            continue;
        }
        s++;
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        while (e > s && (e[-1] == ' ' || e[-1] == '\t')) {
            *--e = '\0';
        }
        if (strlen(s) < n) {
            strcpy(out, s);
            found = 1;
        }
    }
    fclose(f);
    return found;
}

const char *agent_db_backend(void)
{
    static char backend[16];

    if (!backend[0] && !ini_value(XGB_X2GO_SQLCONF, "", "backend", backend,
                                  sizeof(backend))) {
        strcpy(backend, "sqlite");      /* x2goserver's default */
    }
    return backend;
}

int agent_db_flags(void)
{
    return strcmp(agent_db_backend(), "sqlite") ? 0 : AGENT_WITH_DB_GROUP;
}

int agent_db_direct(void)
{
    return !strcmp(agent_db_backend(), "sqlite")
           || !strcmp(agent_db_backend(), "postgres");
}

static int sqlite_rows(const char *sql, const char *user, agent_row_fn *row,
                       void *ctx)
{
    const char *v[16];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc, i, n;

    if (sqlite3_open_v2(XGB_X2GO_SQLITE_DB, &db, SQLITE_OPEN_READONLY,
                        NULL) != SQLITE_OK) {
        fprintf(stderr, "session DB %s: %s\n", XGB_X2GO_SQLITE_DB,
                db ? sqlite3_errmsg(db) : "cannot open");
        sqlite3_close(db);
        return -1;
    }
    /* x2goserver's tools may be writing: wait for them a little */
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK
        || (user && sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC)
                    != SQLITE_OK)) {
        fprintf(stderr, "session DB: %s\n", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        sqlite3_close(db);
        return -1;
    }
    n = sqlite3_column_count(st);
    if (n > 16) {
        n = 16;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (i = 0; i < n; i++) {
            v[i] = (const char *)sqlite3_column_text(st, i);
        }
        row(ctx, v, n);
    }
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "session DB: %s\n", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* The user's DB password, as x2godbadmin --adduser left it. */
static int pg_password(const agent_user_t *u, char *out, size_t n)
{
    char path[4200];
    FILE *f;
    size_t len;

    snprintf(path, sizeof(path), "%s/.x2go/pgsqlpass", u->home);
    f = fopen(path, "re");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!fgets(out, (int)n, f)) {
        out[0] = '\0';
    }
    fclose(f);
    len = strlen(out);
    if (len && out[len - 1] == '\n') {
        out[--len] = '\0';
    }
    return 0;
}

/* The libpq calls used here, resolved at run time. */
typedef struct {
    PGconn *(*connectdb_params)(const char *const *, const char *const *,
                                int);
    ConnStatusType (*status)(const PGconn *);
    char *(*error_message)(const PGconn *);
    void (*finish)(PGconn *);
    PGresult *(*exec)(PGconn *, const char *);
    ExecStatusType (*result_status)(const PGresult *);
    int (*nfields)(const PGresult *);
    int (*ntuples)(const PGresult *);
    int (*getisnull)(const PGresult *, int, int);
    char *(*getvalue)(const PGresult *, int, int);
    void (*clear)(PGresult *);
} libpq_t;

static int load_libpq(libpq_t *pq)
{
    void *h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);

    if (!h) {
        fprintf(stderr, "cannot load libpq: %s\n", dlerror());
        return -1;
    }
    /* POSIX's blessing for casting dlsym()'s object pointer */
    *(void **)&pq->connectdb_params = dlsym(h, "PQconnectdbParams");
    *(void **)&pq->status = dlsym(h, "PQstatus");
    *(void **)&pq->error_message = dlsym(h, "PQerrorMessage");
    *(void **)&pq->finish = dlsym(h, "PQfinish");
    *(void **)&pq->exec = dlsym(h, "PQexec");
    *(void **)&pq->result_status = dlsym(h, "PQresultStatus");
    *(void **)&pq->nfields = dlsym(h, "PQnfields");
    *(void **)&pq->ntuples = dlsym(h, "PQntuples");
    *(void **)&pq->getisnull = dlsym(h, "PQgetisnull");
    *(void **)&pq->getvalue = dlsym(h, "PQgetvalue");
    *(void **)&pq->clear = dlsym(h, "PQclear");
    if (!pq->connectdb_params || !pq->status || !pq->error_message
        || !pq->finish || !pq->exec || !pq->result_status || !pq->nfields
        || !pq->ntuples || !pq->getisnull || !pq->getvalue || !pq->clear) {
        fprintf(stderr, "libpq lacks a function the agent needs\n");
        return -1;
    }
    return 0;
}

static int pg_rows(const agent_user_t *u, const char *sql, agent_row_fn *row,
                   void *ctx)
{
    char host[256], port[16], ssl[32], role[XGB_USERNAME_MAX + 16];
    char password[1024];
    const char *keys[] = { "host", "port", "dbname", "user", "password",
                           "sslmode", "connect_timeout", NULL };
    const char *vals[8];
    const char *v[16];
    libpq_t pq;
    PGconn *conn;
    PGresult *res;
    int i, r, n, rc = -1;

    if (load_libpq(&pq) != 0) {
        return -1;
    }
    if (!ini_value(XGB_X2GO_SQLCONF, "postgres", "host", host, sizeof(host))
        || !*host) {
        strcpy(host, "localhost");
    }
    if (!ini_value(XGB_X2GO_SQLCONF, "postgres", "port", port, sizeof(port))
        || !*port) {
        strcpy(port, "5432");
    }
    if (!ini_value(XGB_X2GO_SQLCONF, "postgres", "ssl", ssl, sizeof(ssl))
        || !*ssl) {
        strcpy(ssl, "prefer");
    }
    if (pg_password(u, password, sizeof(password)) != 0) {
        return -1;
    }
    snprintf(role, sizeof(role), "x2gouser_%s", u->name);
    vals[0] = host;
    vals[1] = port;
    vals[2] = "x2go_sessions";
    vals[3] = role;
    vals[4] = password;
    vals[5] = ssl;
    vals[6] = "5";
    vals[7] = NULL;
    conn = pq.connectdb_params(keys, vals, 0);
    memset(password, 0, sizeof(password));
    if (pq.status(conn) != CONNECTION_OK) {
        fprintf(stderr, "session DB %s:%s: %s", host, port,
                pq.error_message(conn));
        pq.finish(conn);
        return -1;
    }
    res = pq.exec(conn, sql);
    if (pq.result_status(res) == PGRES_TUPLES_OK) {
        n = pq.nfields(res);
        if (n > 16) {
            n = 16;
        }
        for (r = 0; r < pq.ntuples(res); r++) {
            for (i = 0; i < n; i++) {
                v[i] = pq.getisnull(res, r, i) ? NULL
                                               : pq.getvalue(res, r, i);
            }
            row(ctx, v, n);
        }
        rc = 0;
    }
    else {
        fprintf(stderr, "session DB: %s", pq.error_message(conn));
    }
    pq.clear(res);
    pq.finish(conn);
    return rc;
}

/* Telekinesis on, as X2Go::Utils is_true() reads [telekinesis] enable:
 * any of its words anywhere in the value. */
static int telekinesis(void)
{
    static const char *const yes[] = { "1", "yes", "Yes", "YES", "on", "On",
                                       "ON", "True", "true", "TRUE", NULL };
    char v[64];
    int i;

    if (!ini_value(XGB_X2GO_SERVERCONF, "telekinesis", "enable", v,
                   sizeof(v))) {
        return 0;
    }
    for (i = 0; yes[i]; i++) {
        if (strstr(v, yes[i])) {
            return 1;
        }
    }
    return 0;
}

int agent_db_list(const agent_user_t *u, agent_row_fn *row, void *ctx)
{
    char sql[1024];

    if (!strcmp(agent_db_backend(), "sqlite")) {
        return sqlite_rows(sqlite_list, u->name, row, ctx);
    }
    snprintf(sql, sizeof(sql), "%s%s%s", pg_list_head,
             telekinesis() ? pg_list_teki : "", pg_list_tail);
    return pg_rows(u, sql, row, ctx);
}

int agent_db_servers(const agent_user_t *u, agent_row_fn *row, void *ctx)
{
    if (!strcmp(agent_db_backend(), "sqlite")) {
        return sqlite_rows(sqlite_servers, NULL, row, ctx);
    }
    return pg_rows(u, pg_servers, row, ctx);
}
