/*
 * agent_policy.c - which accounts the agent may act for: the site's
 * policy file (/etc/x2go/x2gobroker-agent.conf) over defaults that keep
 * administrators' accounts out.
 *
 * Whoever may run the agent (the broker account, and in agent mode LOCAL
 * every script of the broker's httpd) may install a login key for the
 * accounts this allows.  Without the policy that was every account with
 * a uid of 1000 or more, sudo users included: "may run the agent" was
 * "may become root".  The file is trusted only when root alone can have
 * written it, as sudo treats sudoers; anything else about it refuses
 * every task, so that a broken policy never means a looser one.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "xgb_buf.h"
#include "xgb_valid.h"

#define POLICY_FILE_MAX (64 * 1024)

static const char *const default_deny[] = {
    "root", "sudo", "adm", "wheel", "admin", "lxd", "docker", "libvirt",
    "disk", "shadow", "x2gobroker", NULL
};

static int add_group(agent_groups_t *g, const char *name, size_t len)
{
    char tmp[AGENT_GROUP_NAME_MAX + 1];

    if (len == 0 || len > AGENT_GROUP_NAME_MAX
        || g->n >= AGENT_POLICY_GROUPS_MAX) {
        return -1;
    }
    memcpy(tmp, name, len);
    tmp[len] = '\0';
    /* group names follow the same portable rule as user names */
    if (!xgb_valid_username(tmp)) {
        return -1;
    }
    memcpy(g->name[g->n++], tmp, len + 1);
    return 0;
}

/* A group list: names separated by spaces, tabs or commas. */
static int parse_groups(const char *v, agent_groups_t *g)
{
    g->n = 0;
    while (*v) {
        size_t n;

        v += strspn(v, " \t,");
        n = strcspn(v, " \t,");
        if (n && add_group(g, v, n) != 0) {
            return -1;
        }
        v += n;
    }
    return 0;
}

/* A decimal number within [lo, hi]. */
static int parse_number(const char *v, unsigned long lo, unsigned long hi,
                        unsigned long *out)
{
    unsigned long n = 0;

    if (!*v) {
        return -1;
    }
    for (; *v; v++) {
        if (*v < '0' || *v > '9' || n > (hi - (unsigned long)(*v - '0')) / 10) {
            return -1;
        }
        n = n * 10 + (unsigned long)(*v - '0');
    }
    if (n < lo) {
        return -1;
    }
    *out = n;
    return 0;
}

/* The next line of text[0..len) as a NUL-terminated copy in line[],
 * trimmed; its length, or -1 at the end, -2 if too long. */
static int next_line(const char **pos, const char *end, char *line,
                     size_t size)
{
    const char *p = *pos, *eol, *s, *e;

    if (p >= end) {
        return -1;
    }
    eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol) {
        eol = end;
    }
    *pos = eol < end ? eol + 1 : end;
    for (s = p; s < eol && (*s == ' ' || *s == '\t'); s++) {
    }
    for (e = eol; e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r');
         e--) {
    }
    if ((size_t)(e - s) >= size) {
        return -2;
    }
    memcpy(line, s, (size_t)(e - s));
    line[e - s] = '\0';
    return (int)(e - s);
}

void agent_policy_defaults(agent_policy_t *p, const char *login_defs,
                           size_t len)
{
    const char *pos = login_defs, *end = login_defs ? login_defs + len : NULL;
    char line[512];
    int i, n;

    memset(p, 0, sizeof(*p));
    p->min_uid = 1000;
    p->max_uid = 60000;
    p->key_expiry = AGENT_KEY_EXPIRY_DEFAULT;
    for (i = 0; default_deny[i]; i++) {
        add_group(&p->deny, default_deny[i], strlen(default_deny[i]));
    }
    /* login.defs: "NAME value" lines, as shadow's tools read them */
    while (login_defs && (n = next_line(&pos, end, line, sizeof(line))) != -1) {
        unsigned long v;
        char *val;

        if (n <= 0 || line[0] == '#') {
            continue;
        }
        val = line + strcspn(line, " \t");
        if (!*val) {
            continue;
        }
        *val++ = '\0';
        val += strspn(val, " \t");
        if (!strcmp(line, "UID_MIN")
            && parse_number(val, 1, AGENT_UID_LIMIT, &v) == 0) {
            p->min_uid = v;
        }
        else if (!strcmp(line, "UID_MAX")
                 && parse_number(val, 1, AGENT_UID_LIMIT, &v) == 0) {
            p->max_uid = v;
        }
    }
}

int agent_policy_parse(const char *text, size_t len, agent_policy_t *p,
                       char *why, size_t whylen)
{
    const char *pos = text, *end = text + len;
    char line[2048];
    int n, lineno = 0;

    if (memchr(text, '\0', len)) {
        snprintf(why, whylen, "a NUL byte in the file");
        return -1;
    }
    while ((n = next_line(&pos, end, line, sizeof(line))) != -1) {
        char *key = line, *val, *eq;
        size_t klen;
        unsigned long v;
        int bad = 0;

        lineno++;
        if (n == -2) {
            snprintf(why, whylen, "line %d: too long", lineno);
            return -1;
        }
        if (!n || line[0] == '#') {
            continue;
        }
        eq = strchr(line, '=');
        if (!eq) {
            snprintf(why, whylen, "line %d: not \"key = value\"", lineno);
            return -1;
        }
        for (klen = (size_t)(eq - key);
             klen && (key[klen - 1] == ' ' || key[klen - 1] == '\t'); klen--) {
        }
        key[klen] = '\0';
        val = eq + 1 + strspn(eq + 1, " \t");
        if (!strcmp(key, "allow-groups")) {
            bad = parse_groups(val, &p->allow);
        }
        else if (!strcmp(key, "deny-groups")) {
            bad = parse_groups(val, &p->deny);
        }
        else if (!strcmp(key, "min-uid")) {
            bad = parse_number(val, 1, AGENT_UID_LIMIT, &v);
            p->min_uid = bad ? p->min_uid : v;
        }
        else if (!strcmp(key, "max-uid")) {
            bad = parse_number(val, 1, AGENT_UID_LIMIT, &v);
            p->max_uid = bad ? p->max_uid : v;
        }
        else if (!strcmp(key, "key-expiry")) {
            bad = parse_number(val, AGENT_KEY_EXPIRY_MIN,
                               AGENT_KEY_EXPIRY_MAX, &v);
            p->key_expiry = bad ? p->key_expiry : (long)v;
        }
        else {
            snprintf(why, whylen, "line %d: unknown key \"%.64s\"", lineno,
                     key);
            return -1;
        }
        if (bad) {
            snprintf(why, whylen, "line %d: bad value for %s", lineno, key);
            return -1;
        }
    }
    if (p->min_uid > p->max_uid) {
        snprintf(why, whylen, "min-uid %lu is above max-uid %lu",
                 p->min_uid, p->max_uid);
        return -1;
    }
    return 0;
}

char *agent_read_all(int fd, size_t max, size_t *len)
{
    xgb_buf_t b = XGB_BUF_INIT;
    char chunk[8192];
    ssize_t n;

    while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
        if (b.len + (size_t)n > max) {
            xgb_buf_free(&b);
            errno = EFBIG;
            return NULL;
        }
        xgb_buf_put(&b, chunk, (size_t)n);
    }
    if (n < 0) {
        xgb_buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return xgb_buf_detach(&b);
}

/* open() for the agent's own root-owned files: never a symlink, never a
 * FIFO that blocks, checked with fstat on what was opened. */
int agent_open_root_file(const char *path, char *why, size_t whylen)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0) {
        if (errno != ENOENT) {
            snprintf(why, whylen, "%s: cannot open: %s", path,
                     strerror(errno));
        }
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != 0
        || (st.st_mode & (S_IWGRP | S_IWOTH))) {
        snprintf(why, whylen, "%s must be a regular file owned by root and "
                 "writable by root only", path);
        close(fd);
        errno = EPERM;
        return -1;
    }
    return fd;
}

int agent_policy_load(agent_policy_t *p, char *why, size_t whylen)
{
    char *text = NULL;
    size_t len = 0;
    int fd, rc = 0;

    why[0] = '\0';
    fd = agent_open_root_file(XGB_LOGIN_DEFS, why, whylen);
    if (fd >= 0) {
        text = agent_read_all(fd, POLICY_FILE_MAX, &len);
        close(fd);
    }
    /* login.defs only moves the defaults: unusable, it is ignored */
    why[0] = '\0';
    agent_policy_defaults(p, text, text ? len : 0);
    free(text);
    fd = agent_open_root_file(XGB_AGENT_CONF, why, whylen);
    if (fd < 0) {
        return errno == ENOENT ? 0 : -1;
    }
    text = agent_read_all(fd, POLICY_FILE_MAX, &len);
    close(fd);
    if (!text) {
        snprintf(why, whylen, "%s: cannot read: %s", XGB_AGENT_CONF,
                 strerror(errno));
        return -1;
    }
    if (agent_policy_parse(text, len, p, why, whylen) != 0) {
        char line[256];

        snprintf(line, sizeof(line), "%s", why);
        snprintf(why, whylen, "%s: %s", XGB_AGENT_CONF, line);
        rc = -1;
    }
    free(text);
    return rc;
}

/* The first of the listed groups the user belongs to (primary or
 * supplementary), or NULL. */
static const char *member_of(const agent_groups_t *g, const gid_t *gids,
                             int ngids)
{
    int i, j;

    for (i = 0; i < g->n; i++) {
        struct group *gr = getgrnam(g->name[i]);

        for (j = 0; gr && j < ngids; j++) {
            if (gids[j] == gr->gr_gid) {
                return g->name[i];
            }
        }
    }
    return NULL;
}

int agent_policy_allows(const agent_policy_t *p, const agent_user_t *u,
                        int removing, char *why, size_t whylen)
{
    gid_t *gids = NULL;
    const char *g;
    int n = 64, got, rc = -1;

    if (u->uid == 0 || u->uid == 65534 || u->uid < p->min_uid
        || u->uid > p->max_uid) {
        snprintf(why, whylen, "account %s (UID %lu) is outside min-uid %lu "
                 "... max-uid %lu", u->name, (unsigned long)u->uid,
                 p->min_uid, p->max_uid);
        return -1;
    }
    if (removing) {
        return 0;
    }
    for (;;) {
        gid_t *more = realloc(gids, (size_t)n * sizeof(gid_t));

        if (!more) {
            snprintf(why, whylen, "out of memory");
            goto done;
        }
        gids = more;
        got = n;
        if (getgrouplist(u->name, u->gid, gids, &got) >= 0) {
            n = got;
            break;
        }
        if (got <= n || n > 65536) {
            snprintf(why, whylen, "cannot list the groups of %s", u->name);
            goto done;
        }
        n = got;
    }
    if ((g = member_of(&p->deny, gids, n)) != NULL) {
        snprintf(why, whylen, "account %s is a member of group %s "
                 "(deny-groups)", u->name, g);
    }
    else if (p->allow.n && !member_of(&p->allow, gids, n)) {
        snprintf(why, whylen, "account %s is in none of the allow-groups",
                 u->name);
    }
    else {
        rc = 0;
    }
done:
    free(gids);
    return rc;
}
