/*
 * xgb_sshclient.h - the SSH client side of the agent protocol (spec 6.1):
 * connect to an X2Go server's sshd as the agent account with the
 * broker's key, check the server's host key, run one agent command per
 * call and collect its stdout, stderr and exit status.
 *
 * Used by x2gobroker-testagent and meant for the module's pooled agent
 * connections, hence:
 *
 *  - the private key is passed in memory (the module reads its secrets
 *    once, as root, at start-up);
 *  - every network step is bounded by a deadline: TCP connect, SSH
 *    handshake, authentication, channel open, exec and reading the
 *    output.  Name resolution uses getaddrinfo() and is bounded by the
 *    resolver's own timeouts only (resolv.conf); callers that need a
 *    hard bound there pass an address;
 *  - no global state.  The caller runs libssh2_init(0) once per process
 *    (before any thread uses this, e.g. in child_init) and
 *    libssh2_exit() at the end.  A connection may be used by one thread
 *    at a time; different connections are independent;
 *  - no shell, no child processes, no signals: the socket is
 *    non-blocking and waited for with poll(), and libssh2 sends with
 *    MSG_NOSIGNAL.
 *
 * libssh2 (1.9 or later) and libxgbcommon only.
 */
#ifndef XGB_SSHCLIENT_H
#define XGB_SSHCLIENT_H

#include <stddef.h>

#include "xgb_buf.h"

/* What went wrong, coarse enough for a caller to act on. */
typedef enum {
    XGB_SSH_OK = 0,
    XGB_SSH_UNREACHABLE,        /* name not resolved; TCP connect refused,
                                 * timed out or without a route */
    XGB_SSH_HOSTKEY_UNKNOWN,    /* host key not in known_hosts (REJECT) */
    XGB_SSH_HOSTKEY_CHANGED,    /* known_hosts holds another key of this
                                 * type for the host, or lists the key as
                                 * revoked: always refused */
    XGB_SSH_AUTH_REFUSED,       /* the server did not accept the key */
    XGB_SSH_PROTOCOL,           /* SSH transport failed or timed out after
                                 * the TCP connect; the connection is
                                 * unusable */
    XGB_SSH_EXEC,               /* the command could not be started, its
                                 * output was too large, or it did not end
                                 * in time */
    XGB_SSH_KEY,                /* the private key cannot be used */
    XGB_SSH_INTERNAL            /* bad arguments, out of memory */
} xgb_ssh_status_t;

/* What to do with a host key known_hosts does not list.  A key that
 * differs from the listed one is refused under every policy. */
typedef enum {
    XGB_SSH_HOSTKEY_REJECT = 0, /* refuse (the default) */
    XGB_SSH_HOSTKEY_AUTOADD,    /* accept and append it to known_hosts */
    XGB_SSH_HOSTKEY_WARNING     /* accept, say so in error->msg */
} xgb_ssh_hostkey_policy_t;

#define XGB_SSH_MSG_MAX 1024

/* Largest stdout or stderr an exec collects (each). */
#define XGB_SSH_OUTPUT_MAX (4 * 1024 * 1024)

/* Largest private key and known_hosts file accepted. */
#define XGB_SSH_PRIVKEY_MAX (64 * 1024)
#define XGB_SSH_KNOWN_HOSTS_MAX (4 * 1024 * 1024)

typedef struct {
    xgb_ssh_status_t status;
    /* On failure: what failed, naming the host (and for host key errors
     * the key type and SHA256 fingerprint).  On success: a warning or a
     * note (unknown key accepted, key added to known_hosts), else "". */
    char msg[XGB_SSH_MSG_MAX];
} xgb_ssh_error_t;

typedef struct xgb_ssh_conn xgb_ssh_conn_t;

/**
 * Open an authenticated SSH connection.
 *
 * host        name or address; known_hosts is matched against exactly
 *             this string (as "[host]:port" when port is not 22, as
 *             OpenSSH writes it; hashed entries match too)
 * port        1..65535
 * timeout_ms  bound of the whole connect: TCP, handshake, host key check
 *             and authentication together
 * user        login name on the server
 * privkey, privkey_len
 *             the private key file's content (OpenSSH format or
 *             unencrypted PEM; ed25519 and ECDSA work against current
 *             OpenSSH, RSA needs ssh-rsa re-enabled there with libssh2
 *             1.10); copied, and the copy wiped after authentication
 * known_hosts path of the OpenSSH known_hosts file; a missing file is an
 *             empty one; lines libssh2 cannot parse and @cert-authority
 *             lines are skipped; a key in an @revoked line is refused
 *             for its hosts under every policy; a file that
 *             exists but cannot be read refuses the host under every
 *             policy (a changed key could not be told from a new one)
 * policy      for a host key known_hosts does not list
 *
 * Returns XGB_SSH_OK and *conn, or another status (also in
 * error->status) with *conn NULL and error->msg saying why.
 */
xgb_ssh_status_t xgb_ssh_connect(const char *host, int port, int timeout_ms,
                                 const char *user, const char *privkey,
                                 size_t privkey_len, const char *known_hosts,
                                 xgb_ssh_hostkey_policy_t policy,
                                 xgb_ssh_conn_t **conn,
                                 xgb_ssh_error_t *error);

/**
 * Run one command on a new channel of conn and wait for it to end,
 * within timeout_ms.  stdout and stderr are appended to out and err
 * (both drained as they come, so a chatty stderr cannot stall the
 * command), each up to XGB_SSH_OUTPUT_MAX.  *exit_status is the
 * command's exit status, or -1 if it reported none or was killed by a
 * signal.  A command that ran counts as XGB_SSH_OK whatever its exit
 * status; judging its output is the caller's business.
 *
 * After XGB_SSH_PROTOCOL, or XGB_SSH_EXEC on a timeout, the connection is
 * no longer usable (xgb_ssh_usable() says 0): close it.
 */
xgb_ssh_status_t xgb_ssh_exec(xgb_ssh_conn_t *conn, const char *command,
                              int timeout_ms, xgb_buf_t *out, xgb_buf_t *err,
                              int *exit_status, xgb_ssh_error_t *error);

/* May another command run on this connection?  (For connection pools.) */
int xgb_ssh_usable(const xgb_ssh_conn_t *conn);

/* The server's host key as "<type> SHA256:<fingerprint>". */
const char *xgb_ssh_hostkey(const xgb_ssh_conn_t *conn);

/* Say goodbye (bounded to a second) and free everything.  NULL is
 * fine. */
void xgb_ssh_close(xgb_ssh_conn_t *conn);

/* "unreachable", "host key unknown", ... for log lines. */
const char *xgb_ssh_status_name(xgb_ssh_status_t status);

/* What a known_hosts line is to xgb_ssh_connect(). */
typedef enum {
    XGB_SSH_KH_HOST = 0,        /* an ordinary entry, for libssh2 */
    XGB_SSH_KH_REVOKED          /* an @revoked entry, the marker removed */
} xgb_ssh_kh_kind_t;

typedef void xgb_ssh_kh_line_fn(void *baton, xgb_ssh_kh_kind_t kind,
                                const char *line, size_t len);

/**
 * The known_hosts scan of xgb_ssh_connect(), without files or libssh2,
 * for tests and fuzzing: split text[0..len) into lines and call fn for
 * each entry, line NUL-terminated at len and free of newlines.
 *
 * As OpenSSH reads the file: a line ends at '\n'; a NUL byte ends the
 * line's text but not the line; a line-ending CR, and blanks at the
 * start of the line, are no part of it; empty lines and '#' comments
 * are skipped; "@revoked" followed by a blank marks a revoked entry;
 * every other '@' marker (@cert-authority) is skipped; so is an entry
 * whose host field starts "|1|" (hashed) but is not "|1|" salt "|" hash
 * with both in base64 of 20 bytes, which OpenSSH would never match.
 *
 * Returns 0, or -1 (errno ENOMEM) before any call of fn.
 */
int xgb_ssh_known_hosts_scan(const char *text, size_t len,
                             xgb_ssh_kh_line_fn *fn, void *baton);

#endif
