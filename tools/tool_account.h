/*
 * tool_account.h - what the admin tools share: the broker account
 * (X2GOBROKER_DAEMON_USER / X2GOBROKER_DAEMON_GROUP, spec 0), its ~/.ssh,
 * whole-file reads and atomic file replacement, and dropping root.
 *
 * Every function reports its own failures on stderr, prefixed with the
 * tool's name (tool_prog), so that callers only choose the exit status.
 */
#ifndef TOOL_ACCOUNT_H
#define TOOL_ACCOUNT_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "xgb_buf.h"

#define TOOL_DEFAULT_USER "x2gobroker"
#define TOOL_DEFAULT_GROUP "x2gobroker"

/* The tool's name for messages; set once by main(). */
extern const char *tool_prog;

/* Message on stderr: "<tool_prog>: <text>\n". */
void tool_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Report what getopt_long() (with a leading ':' in its optstring)
 * refused: c is ':' for a missing argument, else an unknown option. */
void tool_option_error(int c, char **argv);

/* Report words left after the options; 1 if there were any. */
int tool_extra_arguments(int argc, char **argv);

typedef struct {
    char *user;
    char *group;
    uid_t uid;
    gid_t gid;
    char *home;
    char *sshdir;           /* <home>/.ssh, for messages */
    int sshfd;              /* ~/.ssh opened by tool_account_sshdir(), or
                             * -1: every file in it is reached through it */
} tool_account_t;

/* An account not looked up yet (tool_account_free() may still run). */
#define TOOL_ACCOUNT_INIT { NULL, NULL, 0, 0, NULL, NULL, -1 }

typedef enum {
    TOOL_ACCOUNT_OK = 0,
    TOOL_ACCOUNT_NO_USER,       /* user or group unknown, bad name */
    TOOL_ACCOUNT_NO_HOME,       /* home directory missing */
    TOOL_ACCOUNT_ERROR          /* anything else (memory, lookups) */
} tool_account_status_t;

/**
 * The broker account from the environment (defaults x2gobroker /
 * x2gobroker) and its home from the password database, which must be an
 * existing directory.
 */
tool_account_status_t tool_account_lookup(tool_account_t *acct);
void tool_account_free(tool_account_t *acct);

/**
 * Open ~/.ssh once, for every later read and write in it (acct->sshfd):
 * the broker account owns it and could swap it for a symlink at any
 * moment, so root never uses its path again.  The directory must be a
 * real one (not a symlink), owned by the account and not writable by
 * group or others.  When missing and create is set, it is made mode
 * 0750, owned user:group (needs root).  0; 1 if missing and not
 * created; -1 (reported).
 */
int tool_account_sshdir(tool_account_t *acct, int create);

/**
 * Read a whole regular file (symlinks refused when nofollow) of at most
 * max bytes into b, NUL-terminated.  1 and b filled; 0 if the file does
 * not exist; -1 on errors (reported).  *st (if not NULL) gets its
 * status.
 */
int tool_read_file(const char *path, size_t max, int nofollow, xgb_buf_t *b,
                   struct stat *st);

/* The same for a file in ~/.ssh, through acct->sshfd, never following a
 * symlink. */
int tool_read_ssh_file(const tool_account_t *acct, const char *name,
                       size_t max, xgb_buf_t *b, struct stat *st);

/**
 * Replace ~/.ssh/<name> atomically, through acct->sshfd: a new file under
 * a fresh name (O_EXCL, never following a symlink), owned uid:gid with
 * mode, written, fsync'd and renamed over name, then the directory
 * fsync'd.  A reader sees the old or the new content, never a part; a
 * symlink in name's place is replaced, never written through.  0, or -1
 * (reported; the file untouched).
 */
int tool_write_ssh_file(const tool_account_t *acct, const char *name,
                        const void *data, size_t len, uid_t uid, gid_t gid,
                        mode_t mode);

/**
 * Become the broker account for good: supplementary groups = its group,
 * then gid, then uid, each checked, and a check that root cannot be
 * regained.  0, or -1 (reported).
 */
int tool_account_become(const tool_account_t *acct);

#endif
