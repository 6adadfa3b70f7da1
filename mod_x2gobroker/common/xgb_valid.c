/*
 * xgb_valid.c - checks on everything that crosses from broker to agent.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xgb_buf.h"
#include "xgb_valid.h"

const char *const xgb_agent_tasks[] = {
    "availabletasks",
    "addauthkey",
    "delauthkey",
    "listsessions",
    "findbusyservers",
    "findbusyservers_by_sessionstats",
    "checkload",
    "getservers",
    "suspendsession",
    "terminatesession",
    NULL
};

static int is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The user name rule on the first len bytes of name (see xgb_valid.h). */
static int username_ok(const char *name, size_t len)
{
    size_t i;

    if (len == 0 || len > XGB_USERNAME_MAX || name[0] == '-'
        || (len == 1 && name[0] == '.')
        || (len == 2 && name[0] == '.' && name[1] == '.')) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (!is_alnum(name[i]) && name[i] != '.' && name[i] != '_'
            && name[i] != '-') {
            return 0;
        }
    }
    return 1;
}

int xgb_valid_username(const char *name)
{
    if (!name) {
        return 0;
    }
    return username_ok(name, strnlen(name, XGB_USERNAME_MAX + 1));
}

int xgb_valid_task(const char *task)
{
    int i;

    if (!task) {
        return 0;
    }
    if (!strcmp(task, "ping")) {
        return 1;
    }
    for (i = 0; xgb_agent_tasks[i]; i++) {
        if (!strcmp(task, xgb_agent_tasks[i])) {
            return 1;
        }
    }
    return 0;
}

/* Characters x2goserver allows in the free parts of a session id. */
static int sid_char(char c)
{
    return is_alnum(c) || c == '.' || c == '_' || c == '-';
}

/* n digits with min <= n <= max at *p, advancing *p. */
static int digits(const char **p, int min, int max)
{
    int n = 0;

    while (is_digit((*p)[n])) {
        n++;
    }
    if (n < min || n > max) {
        return 0;
    }
    *p += n;
    return 1;
}

/* What follows the user name in a session id: "-" display "-" time "_"
 * and the rest. */
static int sid_tail(const char *p)
{
    const char *dp, *q;

    if (*p++ != '-' || !digits(&p, 2, 4) || *p++ != '-'
        || !digits(&p, 9, 12) || *p++ != '_') {
        return 0;
    }
    /* the rest is [A-Za-z0-9._-]* "_dp" 1-2 digits [A-Za-z0-9._-]*; as
     * the tail may start with digits too, any "_dp" + digit will do */
    for (q = p; *q; q++) {
        if (!sid_char(*q)) {
            return 0;
        }
    }
    for (dp = strstr(p, "_dp"); dp; dp = strstr(dp + 1, "_dp")) {
        if (is_digit(dp[3])) {
            return 1;
        }
    }
    return 0;
}

int xgb_valid_session_id(const char *sid, const char *user)
{
    size_t ulen, len;

    if (!sid || !xgb_valid_username(user)) {
        return 0;
    }
    len = strnlen(sid, XGB_SESSION_ID_MAX + 1);
    ulen = strlen(user);
    if (len > XGB_SESSION_ID_MAX || strncmp(sid, user, ulen) != 0) {
        return 0;
    }
    return sid_tail(sid + ulen);
}

int xgb_valid_session_id_any(const char *sid)
{
    size_t i, len;

    if (!sid) {
        return 0;
    }
    len = strnlen(sid, XGB_SESSION_ID_MAX + 1);
    if (len > XGB_SESSION_ID_MAX) {
        return 0;
    }
    /* user names may contain '-' and digits themselves, so the split is
     * not unique: any '-' that leaves a valid user name before it and a
     * valid rest after it will do */
    for (i = 1; i < len && i <= XGB_USERNAME_MAX; i++) {
        if (sid[i] == '-' && username_ok(sid, i) && sid_tail(sid + i)) {
            return 1;
        }
    }
    return 0;
}

/* A path made of clean components: no empty, "." or ".." ones, nothing
 * below 0x20. */
static int clean_path(const char *s, int absolute)
{
    const char *c = s, *slash;
    size_t n;

    if (absolute) {
        if (*c != '/') {
            return 0;
        }
        c++;
    }
    if (!*c) {
        return 0;
    }
    for (;;) {
        slash = strchr(c, '/');
        n = slash ? (size_t)(slash - c) : strlen(c);
        if (n == 0 || (n == 1 && c[0] == '.')
            || (n == 2 && c[0] == '.' && c[1] == '.')) {
            return 0;
        }
        if (!slash) {
            break;
        }
        c = slash + 1;
    }
    for (c = s; *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            return 0;
        }
    }
    return 1;
}

char *xgb_authkeys_path(const char *tmpl, const char *user, uid_t uid,
                        gid_t gid, const char *home, const char **err)
{
    xgb_buf_t b = XGB_BUF_INIT;
    char num[32];
    const char *t, *rel;
    char *path, *out;
    size_t hlen;

    if (!tmpl || !*tmpl || !user || !home) {
        *err = "no authorized_keys template";
        return NULL;
    }
    if (!clean_path(home, 1)) {
        *err = "the user's home directory is not a clean absolute path";
        return NULL;
    }
    for (t = tmpl; *t; t++) {
        if (*t != '%') {
            xgb_buf_put(&b, t, 1);
            continue;
        }
        switch (*++t) {
        case 'u':
            xgb_buf_puts(&b, user);
            break;
        case 'U':
            snprintf(num, sizeof(num), "%lu", (unsigned long)uid);
            xgb_buf_puts(&b, num);
            break;
        case 'G':
            snprintf(num, sizeof(num), "%lu", (unsigned long)gid);
            xgb_buf_puts(&b, num);
            break;
        case 'h':
            xgb_buf_puts(&b, home);
            break;
        case '%':
            xgb_buf_put(&b, "%", 1);
            break;
        default:
            xgb_buf_free(&b);
            *err = "unknown % escape in authorized_keys template";
            return NULL;
        }
    }
    path = xgb_buf_detach(&b);
    if (!path) {
        *err = "out of memory";
        return NULL;
    }
    if (strlen(path) >= PATH_MAX) {
        free(path);
        *err = "authorized_keys path too long";
        return NULL;
    }
    hlen = strlen(home);
    if (path[0] == '/') {
        if (!clean_path(path, 1)) {
            free(path);
            *err = "authorized_keys path is not clean (., .., //)";
            return NULL;
        }
        if (strncmp(path, home, hlen) != 0 || path[hlen] != '/') {
            free(path);
            *err = "authorized_keys path outside the user's home";
            return NULL;
        }
        rel = path + hlen + 1;
    }
    else {
        if (!clean_path(path, 0)) {
            free(path);
            *err = "authorized_keys path is not clean (., .., //)";
            return NULL;
        }
        rel = path;
    }
    out = strdup(rel);
    free(path);
    if (!out) {
        *err = "out of memory";
    }
    return out;
}
