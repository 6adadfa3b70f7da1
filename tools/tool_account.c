/*
 * tool_account.c - the broker account and safe file handling for the
 * admin tools (run as root in directories the broker account owns).
 *
 * Root works inside ~x2gobroker, which that account controls: files are
 * opened without following symlinks where the account could plant one,
 * new files are made under random names with O_EXCL, and results are
 * renamed into place.
 */
#define _GNU_SOURCE             /* mkostemp */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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
    memset(a, 0, sizeof(*a));
}

tool_account_status_t tool_account_lookup(tool_account_t *a)
{
    struct passwd pw, *pwr = NULL;
    struct group gr, *grr = NULL;
    struct stat st;
    char *buf;
    int rc;

    memset(a, 0, sizeof(*a));
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

int tool_account_sshdir(const tool_account_t *a)
{
    struct stat st;
    int fd;

    if (lstat(a->sshdir, &st) == 0) {
        if (S_ISLNK(st.st_mode)) {
            tool_err("%s is a symbolic link: refusing to use it", a->sshdir);
            return -1;
        }
        if (!S_ISDIR(st.st_mode)) {
            tool_err("%s is not a directory", a->sshdir);
            return -1;
        }
        return 0;
    }
    if (errno != ENOENT) {
        tool_err("cannot examine %s: %s", a->sshdir, strerror(errno));
        return -1;
    }
    /* 0700 until the owner is right, then the mode the reference uses */
    if (mkdir(a->sshdir, 0700) != 0) {
        tool_err("cannot create %s: %s", a->sshdir, strerror(errno));
        return -1;
    }
    fd = open(a->sshdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        tool_err("cannot open %s: %s", a->sshdir, strerror(errno));
        return -1;
    }
    if (fchown(fd, a->uid, a->gid) != 0 || fchmod(fd, 0750) != 0) {
        tool_err("cannot set owner and mode of %s: %s", a->sshdir,
                 strerror(errno));
        close(fd);
        return -1;
    }
    if (close(fd) != 0) {
        tool_err("cannot close %s: %s", a->sshdir, strerror(errno));
        return -1;
    }
    printf("Created %s\n", a->sshdir);
    return 0;
}

int tool_read_file(const char *path, size_t max, int nofollow, xgb_buf_t *b,
                   struct stat *stp)
{
    struct stat st;
    char chunk[8192];
    ssize_t n;
    int fd;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY
              | (nofollow ? O_NOFOLLOW : 0));
    if (fd < 0) {
        if (errno == ENOENT) {
            return 0;
        }
        if (errno == ELOOP && nofollow) {
            tool_err("%s is a symbolic link: refusing to use it", path);
        }
        else {
            tool_err("cannot open %s: %s", path, strerror(errno));
        }
        return -1;
    }
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

/* fsync a directory so that a rename in it survives a crash. */
static int sync_dir(const char *dir)
{
    int fd, rc;

    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    rc = fsync(fd);
    if (close(fd) != 0) {
        rc = -1;
    }
    return rc;
}

int tool_write_atomic(const char *path, const void *data, size_t len,
                      uid_t uid, gid_t gid, mode_t mode)
{
    char *dcopy, *bcopy, *dir, *base, *tmp;
    const char *what = "write";
    int fd = -1, rc = -1, saved;

    dcopy = strdup(path);
    bcopy = strdup(path);
    tmp = malloc(strlen(path) + sizeof("/..XXXXXX"));
    if (!dcopy || !bcopy || !tmp) {
        tool_err("out of memory");
        goto out;
    }
    dir = dirname(dcopy);
    base = basename(bcopy);
    sprintf(tmp, "%s/.%s.XXXXXX", dir, base);
    /* mkostemp: a fresh name, O_EXCL, mode 0600 until fchmod */
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        tool_err("cannot create a temporary file in %s: %s", dir,
                 strerror(errno));
        goto out;
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
    else {
        what = NULL;
    }
    saved = errno;
    if (close(fd) != 0 && !what) {
        what = "close";
        saved = errno;
    }
    fd = -1;
    if (!what && rename(tmp, path) != 0) {
        saved = errno;
        tool_err("cannot rename %s to %s: %s", tmp, path, strerror(saved));
        unlink(tmp);
        goto out;
    }
    if (what) {
        tool_err("cannot %s %s: %s", what, tmp, strerror(saved));
        unlink(tmp);
        goto out;
    }
    if (sync_dir(dir) != 0) {
        tool_err("cannot sync directory %s: %s", dir, strerror(errno));
        goto out;
    }
    rc = 0;

out:
    free(dcopy);
    free(bcopy);
    free(tmp);
    return rc;
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
