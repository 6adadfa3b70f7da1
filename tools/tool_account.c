/*
 * tool_account.c - the broker account and safe file handling for the
 * admin tools (run as root in directories the broker account owns).
 *
 * Root works inside ~x2gobroker/.ssh, which that account controls and can
 * change under root's feet: the directory is opened once without
 * following a symlink and checked on the descriptor, and every file in it
 * is reached relative to that descriptor, again without following
 * symlinks; new files are made under fresh names with O_EXCL, and
 * results are renamed into place.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "tool_account.h"
#include "xgb_valid.h"

/* Big enough for any sane passwd/group entry; ERANGE is reported. */
#define PWBUF_SIZE 65536

const char *tool_prog = "x2gobroker-tool";

void tool_err(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", tool_prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void tool_option_error(int c, char **argv)
{
    if (c == ':') {
        tool_err("option %s needs an argument (see --help)",
                 argv[optind - 1]);
    }
    else {
        tool_err("invalid option %s (see --help)", argv[optind - 1]);
    }
}

int tool_extra_arguments(int argc, char **argv)
{
    if (optind < argc) {
        tool_err("unexpected argument %s (see --help)", argv[optind]);
        return 1;
    }
    return 0;
}

static char *env_or(const char *name, const char *def)
{
    const char *v = getenv(name);

    return strdup(v && *v ? v : def);
}

void tool_account_free(tool_account_t *a)
{
    free(a->user);
    free(a->group);
    free(a->home);
    free(a->sshdir);
    if (a->sshfd >= 0) {
        close(a->sshfd);
    }
    memset(a, 0, sizeof(*a));
    a->sshfd = -1;
}

tool_account_status_t tool_account_lookup(tool_account_t *a)
{
    struct passwd pw, *pwr = NULL;
    struct group gr, *grr = NULL;
    struct stat st;
    char *buf;
    int rc;

    memset(a, 0, sizeof(*a));
    a->sshfd = -1;
    a->user = env_or("X2GOBROKER_DAEMON_USER", TOOL_DEFAULT_USER);
    a->group = env_or("X2GOBROKER_DAEMON_GROUP", TOOL_DEFAULT_GROUP);
    buf = malloc(PWBUF_SIZE);
    if (!a->user || !a->group || !buf) {
        free(buf);
        tool_err("out of memory");
        return TOOL_ACCOUNT_ERROR;
    }
    if (!xgb_valid_username(a->user)) {
        free(buf);
        tool_err("invalid broker account name in X2GOBROKER_DAEMON_USER");
        return TOOL_ACCOUNT_NO_USER;
    }
    if (!xgb_valid_username(a->group)) {
        free(buf);
        tool_err("invalid broker group name in X2GOBROKER_DAEMON_GROUP");
        return TOOL_ACCOUNT_NO_USER;
    }

    rc = getpwnam_r(a->user, &pw, buf, PWBUF_SIZE, &pwr);
    if (rc != 0 || !pwr) {
        free(buf);
        if (rc != 0) {
            tool_err("cannot look up user %s: %s", a->user, strerror(rc));
            return TOOL_ACCOUNT_ERROR;
        }
        tool_err("no such user: %s (the broker account, "
                 "X2GOBROKER_DAEMON_USER)", a->user);
        return TOOL_ACCOUNT_NO_USER;
    }
    a->uid = pw.pw_uid;
    a->home = strdup(pw.pw_dir ? pw.pw_dir : "");
    rc = getgrnam_r(a->group, &gr, buf, PWBUF_SIZE, &grr);
    if (rc != 0 || !grr) {
        free(buf);
        if (rc != 0) {
            tool_err("cannot look up group %s: %s", a->group, strerror(rc));
            return TOOL_ACCOUNT_ERROR;
        }
        tool_err("no such group: %s (the broker group, "
                 "X2GOBROKER_DAEMON_GROUP)", a->group);
        return TOOL_ACCOUNT_NO_USER;
    }
    a->gid = gr.gr_gid;
    free(buf);
    if (!a->home) {
        tool_err("out of memory");
        return TOOL_ACCOUNT_ERROR;
    }
    if (a->home[0] != '/' || stat(a->home, &st) != 0
        || !S_ISDIR(st.st_mode)) {
        tool_err("the home directory %s of user %s does not exist",
                 a->home, a->user);
        return TOOL_ACCOUNT_NO_HOME;
    }
    a->sshdir = malloc(strlen(a->home) + sizeof("/.ssh"));
    if (!a->sshdir) {
        tool_err("out of memory");
        return TOOL_ACCOUNT_ERROR;
    }
    strcpy(a->sshdir, a->home);
    strcat(a->sshdir, "/.ssh");
    return TOOL_ACCOUNT_OK;
}

int tool_account_sshdir(tool_account_t *a, int create)
{
    struct stat st;
    int home, fd, made = 0;

    home = open(a->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (home < 0) {
        tool_err("cannot open %s: %s", a->home, strerror(errno));
        return -1;
    }
    fd = openat(home, ".ssh", O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
        /* 0700 until the owner is right, then the mode the reference
         * uses */
        if (mkdirat(home, ".ssh", 0700) != 0) {
            tool_err("cannot create %s: %s", a->sshdir, strerror(errno));
            close(home);
            return -1;
        }
        made = 1;
        fd = openat(home, ".ssh", O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                    | O_CLOEXEC);
    }
    close(home);
    if (fd < 0) {
        if (errno == ENOENT) {
            return 1;
        }
        if (errno == ELOOP || errno == ENOTDIR) {
            tool_err("%s is a symbolic link or not a directory: refusing "
                     "to use it", a->sshdir);
        }
        else {
            tool_err("cannot open %s: %s", a->sshdir, strerror(errno));
        }
        return -1;
    }
    if (made && (fchown(fd, a->uid, a->gid) != 0 || fchmod(fd, 0750) != 0)) {
        tool_err("cannot set owner and mode of %s: %s", a->sshdir,
                 strerror(errno));
        close(fd);
        return -1;
    }
    if (fstat(fd, &st) != 0) {
        tool_err("cannot examine %s: %s", a->sshdir, strerror(errno));
        close(fd);
        return -1;
    }
    if (st.st_uid != a->uid || (st.st_mode & (S_IWGRP | S_IWOTH))) {
        tool_err("%s must belong to %s and be writable by it alone: "
                 "refusing to use it", a->sshdir, a->user);
        close(fd);
        return -1;
    }
    if (made) {
        printf("Created %s\n", a->sshdir);
    }
    a->sshfd = fd;
    return 0;
}

/* Read what fd holds (a regular file, at most max bytes) into b. */
static int read_fd(int fd, const char *path, size_t max, xgb_buf_t *b,
                   struct stat *stp)
{
    struct stat st;
    char chunk[8192];
    ssize_t n;

    if (fstat(fd, &st) != 0) {
        tool_err("cannot examine %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        tool_err("%s is not a regular file", path);
        close(fd);
        return -1;
    }
    if ((unsigned long long)st.st_size > max) {
        tool_err("%s is too large (more than %zu bytes)", path, max);
        close(fd);
        return -1;
    }
    for (;;) {
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            tool_err("cannot read %s: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        if (n == 0) {
            break;
        }
        xgb_buf_put(b, chunk, (size_t)n);
        if (b->len > max) {
            tool_err("%s is too large (more than %zu bytes)", path, max);
            close(fd);
            return -1;
        }
    }
    if (close(fd) != 0) {
        tool_err("cannot close %s: %s", path, strerror(errno));
        return -1;
    }
    /* keep room for and write the terminating NUL */
    xgb_buf_put(b, "", 0);
    if (b->failed) {
        tool_err("out of memory reading %s", path);
        return -1;
    }
    b->d[b->len] = '\0';
    if (stp) {
        *stp = st;
    }
    return 1;
}

#define MISSING (-2)

/* The result of an open() for reading: the fd, MISSING, or -1
 * (reported). */
static int opened(int fd, const char *path, int nofollow)
{
    if (fd >= 0) {
        return fd;
    }
    if (errno == ENOENT) {
        return MISSING;
    }
    if (errno == ELOOP && nofollow) {
        tool_err("%s is a symbolic link: refusing to use it", path);
    }
    else {
        tool_err("cannot open %s: %s", path, strerror(errno));
    }
    return -1;
}

int tool_read_file(const char *path, size_t max, int nofollow, xgb_buf_t *b,
                   struct stat *st)
{
    int fd = opened(open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK
                         | (nofollow ? O_NOFOLLOW : 0)), path, nofollow);

    return fd >= 0 ? read_fd(fd, path, max, b, st) : fd == MISSING ? 0 : -1;
}

/* "<~/.ssh>/<name>" for messages; static. */
static const char *ssh_path(const tool_account_t *a, const char *name)
{
    static char path[4096];

    snprintf(path, sizeof(path), "%s/%s", a->sshdir, name);
    return path;
}

int tool_read_ssh_file(const tool_account_t *a, const char *name,
                       size_t max, xgb_buf_t *b, struct stat *st)
{
    const char *path = ssh_path(a, name);
    int fd = opened(openat(a->sshfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY
                           | O_NONBLOCK | O_NOFOLLOW), path, 1);

    return fd >= 0 ? read_fd(fd, path, max, b, st) : fd == MISSING ? 0 : -1;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    ssize_t n;

    while (len > 0) {
        n = write(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            if (n == 0) {
                errno = EIO;
            }
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int tool_write_ssh_file(const tool_account_t *a, const char *name,
                        const void *data, size_t len, uid_t uid, gid_t gid,
                        mode_t mode)
{
    unsigned char rnd[6];
    char tmp[256];
    const char *what = NULL;
    int fd, saved, i;

    if (strlen(name) > 200) {
        tool_err("file name too long: %s", name);
        return -1;
    }
    for (fd = -1, i = 0; fd < 0 && i < 10; i++) {
        if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
            tool_err("no random numbers for a temporary name: %s",
                     strerror(errno));
            return -1;
        }
        snprintf(tmp, sizeof(tmp), ".%s.%02x%02x%02x%02x%02x%02x", name,
                 rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
        fd = openat(a->sshfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
                    | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST) {
            break;
        }
    }
    if (fd < 0) {
        tool_err("cannot create a temporary file in %s: %s", a->sshdir,
                 strerror(errno));
        return -1;
    }
    if (fchown(fd, uid, gid) != 0) {
        what = "set the owner of";
    }
    else if (fchmod(fd, mode) != 0) {
        what = "set the mode of";
    }
    else if (write_all(fd, data, len) != 0) {
        what = "write";
    }
    else if (fsync(fd) != 0) {
        what = "sync";
    }
    saved = errno;
    if (close(fd) != 0 && !what) {
        what = "close";
        saved = errno;
    }
    if (!what && renameat(a->sshfd, tmp, a->sshfd, name) != 0) {
        what = "rename into place";
        saved = errno;
    }
    if (what) {
        tool_err("cannot %s %s: %s", what, ssh_path(a, tmp),
                 strerror(saved));
        unlinkat(a->sshfd, tmp, 0);
        return -1;
    }
    /* so that the rename survives a crash */
    if (fsync(a->sshfd) != 0) {
        tool_err("cannot sync directory %s: %s", a->sshdir, strerror(errno));
        return -1;
    }
    return 0;
}

int tool_account_become(const tool_account_t *a)
{
    gid_t g = a->gid;

    if (setgroups(1, &g) != 0) {
        tool_err("cannot set the groups of %s: %s", a->user, strerror(errno));
        return -1;
    }
    if (setgid(a->gid) != 0) {
        tool_err("cannot change to group %s: %s", a->group, strerror(errno));
        return -1;
    }
    if (setuid(a->uid) != 0) {
        tool_err("cannot change to user %s: %s", a->user, strerror(errno));
        return -1;
    }
    if (getuid() != a->uid || geteuid() != a->uid || getgid() != a->gid
        || getegid() != a->gid) {
        tool_err("changing to user %s did not take effect", a->user);
        return -1;
    }
    if (a->uid != 0 && setuid(0) == 0) {
        tool_err("root privileges could be regained after changing to %s",
                 a->user);
        return -1;
    }
    return 0;
}
