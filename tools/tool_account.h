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
    char *sshdir;           /* <home>/.ssh */
} tool_account_t;

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
 * Make sure ~/.ssh exists: created mode 0750, owned user:group, when
 * missing (needs root).  An existing ~/.ssh must be a real directory, not
 * a symlink.  0, or -1 (reported).
 */
int tool_account_sshdir(const tool_account_t *acct);

/**
 * Read a whole regular file (symlinks refused when nofollow) of at most
 * max bytes into b, NUL-terminated.  1 and b filled; 0 if the file does
 * not exist; -1 on errors (reported).  *st (if not NULL) gets its
 * status.
 */
int tool_read_file(const char *path, size_t max, int nofollow, xgb_buf_t *b,
                   struct stat *st);

/**
 * Replace path atomically: a temporary file in the same directory,
 * owned uid:gid with mode, written, fsync'd and renamed over path, then
 * the directory fsync'd.  A reader sees the old or the new content,
 * never a part.  0, or -1 (reported; path untouched).
 */
int tool_write_atomic(const char *path, const void *data, size_t len,
                      uid_t uid, gid_t gid, mode_t mode);

/**
 * Become the broker account for good: supplementary groups = its group,
 * then gid, then uid, each checked, and a check that root cannot be
 * regained.  0, or -1 (reported).
 */
int tool_account_become(const tool_account_t *acct);

#endif
