/*
 * xgb_valid.h - what the broker may ask of an agent: user names, task
 * names, X2Go session ids and authorized_keys file templates.
 *
 * The same checks run on both sides: the broker never builds a command
 * line from something that fails them, and the setuid agent refuses
 * whatever fails them, whoever sent it.  libc only.
 */
#ifndef XGB_VALID_H
#define XGB_VALID_H

#include <stddef.h>
#include <sys/types.h>

#define XGB_USERNAME_MAX 64
#define XGB_SESSION_ID_MAX 256

/* The agent's tasks, in the order availabletasks lists them. */
extern const char *const xgb_agent_tasks[];

/* A POSIX portable user name: [A-Za-z0-9._][A-Za-z0-9._-]*, at most
 * XGB_USERNAME_MAX bytes, not "." or "..". */
int xgb_valid_username(const char *name);

/* ping or one of xgb_agent_tasks. */
int xgb_valid_task(const char *task);

/* x2goserver's session id (X2Go::Utils sanitizer 'x2gosid':
 * <user>-<display 2-4 digits>-<unix time 9-12 digits>_<...>_dp<1-2
 * digits><...>) whose user part is `user`. */
int xgb_valid_session_id(const char *sid, const char *user);

/* The same shape for any valid user name: some prefix of sid before a
 * '-' passes xgb_valid_username() and the rest is as above.  For lists
 * that hold several users' sessions. */
int xgb_valid_session_id_any(const char *sid);

/**
 * The authorized_keys file an agent task may write: the template with
 * every %u (login), %U (uid), %G (primary gid), %h (home) and %% (%)
 * expanded, as a path RELATIVE to home.  An absolute result must lie
 * below home; a relative one is taken below home.  Refused (NULL, *err
 * says why): unknown % escapes, "." or ".." components, empty components,
 * control characters, a home that is not an absolute clean path or is
 * "/", and results longer than PATH_MAX.  malloc'd.
 */
char *xgb_authkeys_path(const char *tmpl, const char *user, uid_t uid,
                        gid_t gid, const char *home, const char **err);

#endif
