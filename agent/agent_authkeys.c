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
 * not interleave, and both write a new file renamed over the old one.
 *
 * What a key can do is bounded here, whoever asks: only the two files
 * sshd reads keys from for X2Go (~/.x2go/authorized_keys with x2goserver's
 * sshd snippet, ~/.ssh/authorized_keys), only restrictions as options,
 * a plain comment, and an expiry-time of the agent's own, so that a key
 * a dead broker never removed stops working minutes later anyway.
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
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "xgb_sshkey.h"
#include "xgb_valid.h"

/* an authorized_keys file bigger than this is not one we edit */
#define AUTHKEYS_MAX (1024 * 1024)

/* The files a key may go to, relative to home. */
static const char *const allowed_files[] = {
    ".x2go/authorized_keys", ".ssh/authorized_keys", NULL
};

typedef struct {
    const char *base64;     /* the key: lines holding it are replaced */
    const char *newline;    /* the line to add; NULL: remove only */
    const char *rel;        /* path below home */
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

/* Does the line hold the key (with whatever options and comment)? */
static int holds_key(const char *line, size_t n, const char *base64)
{
    xgb_keyline_t kl;
    const char *why;
    char *copy = strndup(line, n);
    int same = 0;

    if (copy && xgb_keyline_parse(copy, &kl, &why) == 0) {
        same = !strcmp(kl.base64, base64);
        xgb_keyline_free(&kl);
    }
    free(copy);
    return same;
}

/* The file must be a plain file of the user's own, with one name. */
static int check_file(int fd, const agent_user_t *u, const char *name,
                      struct stat *st)
{
    if (fstat(fd, st) != 0) {
        return fail("cannot stat", name);
    }
    if (!S_ISREG(st->st_mode) || st->st_uid != u->uid || st->st_nlink != 1) {
        fprintf(stderr, "refused: %s is not a plain file owned by %s\n",
                name, u->name);
        return 1;
    }
    return 0;
}

/* Write the file anew without the key's lines, plus job->newline: a new
 * file renamed over the old one, never half a file. */
static int rewrite(const agent_user_t *u, int dir, const char *name,
                   const authkey_job_t *job)
{
    xgb_buf_t keep = XGB_BUF_INIT;
    char tmp[64], *text = NULL, *line, *eol;
    size_t len = 0;
    struct stat st;
    mode_t mode = 0600;
    int fd, out, rc = 1, dropped = 0;

    fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == ELOOP) {
        fprintf(stderr, "refused: %s is a symlink\n", name);
        return 1;
    }
    if (fd < 0 && errno != ENOENT) {
        return fail("cannot open", name);
    }
    if (fd < 0 && !job->newline) {
        return 0;               /* no file, no key: done */
    }
    if (fd >= 0) {
        if (check_file(fd, u, name, &st) != 0) {
            close(fd);
            return 1;
        }
        mode = st.st_mode & 0777;
        text = agent_read_all(fd, AUTHKEYS_MAX, &len);
        close(fd);
        if (!text) {
            return fail("cannot read", name);
        }
    }
    for (line = text; line && *line; line = eol + 1) {
        size_t n;

        eol = strchr(line, '\n');
        n = eol ? (size_t)(eol - line) : strlen(line);
        if (holds_key(line, n, job->base64)) {
            dropped++;
        }
        else {
            xgb_buf_put(&keep, line, n);
            xgb_buf_put(&keep, "\n", 1);
        }
        if (!eol) {
            break;
        }
    }
    free(text);
    if (!job->newline && !dropped) {
        xgb_buf_free(&keep);
        return 0;
    }
    if (job->newline) {
        xgb_buf_puts(&keep, job->newline);
        xgb_buf_put(&keep, "\n", 1);
    }
    snprintf(tmp, sizeof(tmp), ".authorized_keys.%ld", (long)getpid());
    out = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
                 | O_CLOEXEC, mode);
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
    dir = open_parent(u, rel, job->newline != NULL, &name);
    if (dir < 0) {
        free(rel);
        return dir == NO_SUCH_DIR ? 0 : 1;
    }
    if (flock(dir, LOCK_EX) != 0) {
        rc = fail("cannot lock", job->rel);
    }
    else {
        rc = rewrite(u, dir, name, job);
    }
    close(dir);
    free(rel);
    return rc;
}

static int authkey(const agent_user_t *u, int add, const char *keyline,
                   const char *tmpl, long expiry, xgb_buf_t *err)
{
    xgb_keyline_t kl;
    authkey_job_t job = { NULL, NULL, NULL };
    const char *why;
    char *rel = NULL;
    int rc = XGB_AGENT_EXIT_ARG, i;

    if (xgb_keyline_parse(keyline, &kl, &why) != 0) {
        xgb_buf_puts(err, "refused key line: ");
        xgb_buf_puts(err, why);
        return XGB_AGENT_EXIT_ARG;
    }
    if (!xgb_keyline_options_restrictive(kl.options)) {
        xgb_buf_puts(err, "refused key line: options other than "
                     "restrictions (no-pty, no-X11-forwarding, ...)");
        goto done;
    }
    if (add && !xgb_keyline_comment_ok(kl.comment)) {
        xgb_buf_puts(err, "refused key line: the comment may hold only "
                     "letters, digits and @._:+=-");
        goto done;
    }
    rel = xgb_authkeys_path(tmpl, u->name, u->uid, u->gid, u->home, &why);
    if (!rel) {
        xgb_buf_puts(err, "refused authorized_keys file: ");
        xgb_buf_puts(err, why);
        goto done;
    }
    for (i = 0; allowed_files[i] && strcmp(rel, allowed_files[i]); i++) {
    }
    if (!allowed_files[i]) {
        xgb_buf_puts(err, "refused authorized_keys file: only "
                     "~/.x2go/authorized_keys and ~/.ssh/authorized_keys");
        goto done;
    }
    job.base64 = kl.base64;
    job.rel = rel;
    if (add && !(job.newline = xgb_keyline_expiring(&kl,
                                                     time(NULL) + expiry))) {
        xgb_buf_puts(err, "out of memory");
        rc = XGB_AGENT_EXIT_INTERNAL;
        goto done;
    }
    rc = agent_step(u, 0, authkey_child, &job, NULL,
                    add ? "adding the key" : "removing the key", err) == 0
         ? XGB_AGENT_EXIT_OK : XGB_AGENT_EXIT_FAILED;
done:
    free((char *)job.newline);
    free(rel);
    xgb_keyline_free(&kl);
    return rc;
}

int agent_addauthkey(const agent_user_t *u, const char *keyline,
                     const char *tmpl, long expiry, xgb_buf_t *err)
{
    return authkey(u, 1, keyline, tmpl, expiry, err);
}

int agent_delauthkey(const agent_user_t *u, const char *keyline,
                     const char *tmpl, xgb_buf_t *err)
{
    return authkey(u, 0, keyline, tmpl, 0, err);
}
