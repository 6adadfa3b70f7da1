/*
 * agent_authkeys.c - addauthkey / delauthkey: install and remove the
 * temporary key of a session autologin (spec 7.5) in the user's
 * authorized_keys file.
 *
 * All file work happens in a child that is the user, so the kernel's
 * permission checks are the user's and every file created is the
 * user's.  The path is walked from the home directory one component at
 * a time with O_NOFOLLOW, so a symlink planted anywhere below home (say
 * ~/.x2go/authorized_keys -> /etc/shadow) is refused, not followed.
 * Adding and removing lock the directory, so that two brokers' calls do
 * not interleave.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "xgb_sshkey.h"
#include "xgb_valid.h"

/* an authorized_keys file bigger than this is not one we edit */
#define AUTHKEYS_MAX (1024 * 1024)

typedef struct {
    const char *keyline;
    const char *rel;        /* path below home */
    int add;
} authkey_job_t;

static int fail(const char *what, const char *path)
{
    fprintf(stderr, "%s: %s: %s\n", what, path, strerror(errno));
    return 1;
}

/* open_parent()'s result when a directory on the way does not exist
 * (and was not to be created) */
#define NO_SUCH_DIR (-2)

/* Open the directory holding the file, creating missing components when
 * adding; *name points at the file name within rel.  -1 after printing
 * why, or NO_SUCH_DIR. */
static int open_parent(const agent_user_t *u, char *rel, int create,
                       const char **name)
{
    char *comp = rel, *slash;
    int fd, next, e;

    fd = open(u->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        fail("cannot open home directory", u->home);
        return -1;
    }
    while ((slash = strchr(comp, '/')) != NULL) {
        *slash = '\0';
        next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                      | O_CLOEXEC);
        if (next < 0 && errno == ENOENT && create) {
            if (mkdirat(fd, comp, 0700) == 0 || errno == EEXIST) {
                next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                              | O_CLOEXEC);
            }
        }
        e = errno;
        close(fd);
        if (next < 0) {
            errno = e;
            if (e == ELOOP || e == ENOTDIR) {
                fprintf(stderr, "refused: %s is a symlink or not a "
                        "directory\n", comp);
                return -1;
            }
            if (e == ENOENT && !create) {
                return NO_SUCH_DIR;
            }
            fail("cannot open directory", comp);
            return -1;
        }
        fd = next;
        *slash = '/';
        comp = slash + 1;
    }
    *name = comp;
    return fd;
}

static char *read_all(int fd, size_t *len)
{
    xgb_buf_t b = XGB_BUF_INIT;
    char chunk[8192];
    ssize_t n;

    while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
        if (b.len + (size_t)n > AUTHKEYS_MAX) {
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

/* Is the line (without its newline) one of the file's lines? */
static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    const char *p = text;

    while ((p = strstr(p, line)) != NULL) {
        if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0')) {
            return 1;
        }
        p++;
    }
    return 0;
}

/* The file must be a plain file of the user's own, with one name. */
static int check_file(int fd, const agent_user_t *u, const char *name)
{
    struct stat st;

    if (fstat(fd, &st) != 0) {
        return fail("cannot stat", name);
    }
    if (!S_ISREG(st.st_mode) || st.st_uid != u->uid || st.st_nlink != 1) {
        fprintf(stderr, "refused: %s is not a plain file owned by %s\n",
                name, u->name);
        return 1;
    }
    return 0;
}

static int add_key(const agent_user_t *u, int dir, const char *name,
                   const char *keyline)
{
    char *text;
    size_t len = 0;
    int fd, rc = 1;

    fd = openat(dir, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == ELOOP) {
            fprintf(stderr, "refused: %s is a symlink\n", name);
            return 1;
        }
        return fail("cannot open", name);
    }
    if (check_file(fd, u, name) != 0) {
        close(fd);
        return 1;
    }
    text = read_all(fd, &len);
    if (!text) {
        fail("cannot read", name);
    }
    else if (has_line(text, keyline)) {
        rc = 0;
    }
    else if ((len > 0 && text[len - 1] != '\n' && write(fd, "\n", 1) != 1)
             || write(fd, keyline, strlen(keyline))
                != (ssize_t)strlen(keyline)
             || write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
        fail("cannot write", name);
    }
    else {
        rc = 0;
    }
    free(text);
    close(fd);
    return rc;
}

static int del_key(const agent_user_t *u, int dir, const char *name,
                   const char *keyline)
{
    xgb_buf_t keep = XGB_BUF_INIT;
    char tmp[64], *text, *line, *eol;
    size_t len = 0, klen = strlen(keyline);
    struct stat st;
    int fd, out, rc = 1;

    fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            return 0;           /* no file, no key: done */
        }
        if (errno == ELOOP) {
            fprintf(stderr, "refused: %s is a symlink\n", name);
            return 1;
        }
        return fail("cannot open", name);
    }
    if (check_file(fd, u, name) != 0 || fstat(fd, &st) != 0) {
        close(fd);
        return 1;
    }
    text = read_all(fd, &len);
    close(fd);
    if (!text) {
        return fail("cannot read", name);
    }
    if (!has_line(text, keyline)) {
        free(text);
        return 0;
    }
    for (line = text; *line; line = eol ? eol + 1 : line + strlen(line)) {
        size_t n;

        eol = strchr(line, '\n');
        n = eol ? (size_t)(eol - line) : strlen(line);
        if (!(n == klen && !memcmp(line, keyline, klen))) {
            xgb_buf_put(&keep, line, n);
            xgb_buf_put(&keep, "\n", 1);
        }
        if (!eol) {
            break;
        }
    }
    free(text);
    /* a new file renamed over the old one: never half a file */
    snprintf(tmp, sizeof(tmp), ".authorized_keys.%ld", (long)getpid());
    out = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
                 | O_CLOEXEC, st.st_mode & 07777);
    if (out < 0) {
        xgb_buf_free(&keep);
        return fail("cannot create", tmp);
    }
    if (keep.failed
        || (keep.len && write(out, keep.d, keep.len) != (ssize_t)keep.len)
        || fsync(out) != 0) {
        fail("cannot write", tmp);
        unlinkat(dir, tmp, 0);
    }
    else if (renameat(dir, tmp, dir, name) != 0) {
        fail("cannot replace", name);
        unlinkat(dir, tmp, 0);
    }
    else {
        rc = 0;
    }
    close(out);
    xgb_buf_free(&keep);
    return rc;
}

static int authkey_child(const agent_user_t *u, void *baton)
{
    authkey_job_t *job = baton;
    char *rel = strdup(job->rel);
    const char *name = NULL;
    int dir, rc;

    if (!rel) {
        return 1;
    }
    dir = open_parent(u, rel, job->add, &name);
    if (dir < 0) {
        free(rel);
        return dir == NO_SUCH_DIR ? 0 : 1;
    }
    if (flock(dir, LOCK_EX) != 0) {
        rc = fail("cannot lock", job->rel);
    }
    else {
        rc = job->add ? add_key(u, dir, name, job->keyline)
                      : del_key(u, dir, name, job->keyline);
    }
    close(dir);
    free(rel);
    return rc;
}

static int authkey(const agent_user_t *u, int add, const char *keyline,
                   const char *tmpl, xgb_buf_t *err)
{
    xgb_keyline_t kl;
    authkey_job_t job;
    const char *why;
    char *rel;
    int rc;

    if (xgb_keyline_parse(keyline, &kl, &why) != 0) {
        xgb_buf_puts(err, "refused key line: ");
        xgb_buf_puts(err, why);
        return XGB_AGENT_EXIT_ARG;
    }
    rc = xgb_keyline_options_restrictive(kl.options);
    xgb_keyline_free(&kl);
    if (!rc) {
        xgb_buf_puts(err, "refused key line: options other than "
                     "restrictions (no-pty, no-X11-forwarding, ...)");
        return XGB_AGENT_EXIT_ARG;
    }
    rel = xgb_authkeys_path(tmpl, u->name, u->uid, u->gid, u->home, &why);
    if (!rel) {
        xgb_buf_puts(err, "refused authorized_keys file: ");
        xgb_buf_puts(err, why);
        return XGB_AGENT_EXIT_ARG;
    }
    job.keyline = keyline;
    job.rel = rel;
    job.add = add;
    rc = agent_step(u, 0, authkey_child, &job, NULL,
                    add ? "adding the key" : "removing the key", err);
    free(rel);
    return rc == 0 ? XGB_AGENT_EXIT_OK : XGB_AGENT_EXIT_FAILED;
}

int agent_addauthkey(const agent_user_t *u, const char *keyline,
                     const char *tmpl, xgb_buf_t *err)
{
    return authkey(u, 1, keyline, tmpl, err);
}

int agent_delauthkey(const agent_user_t *u, const char *keyline,
                     const char *tmpl, xgb_buf_t *err)
{
    return authkey(u, 0, keyline, tmpl, err);
}
