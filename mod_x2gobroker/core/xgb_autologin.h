/*
 * xgb_autologin.h - the temporary key pair of session autologin (spec
 * 7.5): the broker hands the private key to the client and installs the
 * public one on the chosen X2Go server for a few seconds.
 */
#ifndef XGB_AUTOLOGIN_H
#define XGB_AUTOLOGIN_H

#include <apr_pools.h>
#include <apr_errno.h>

/* The restrictions on a delivered key.  The reference's also had no-pty,
 * which makes x2goclient's login check fail ("Channel request pty-req
 * failed"): the key must allow a pty to be of any use to it. */
#define XGB_AUTOLOGIN_OPTIONS "no-X11-forwarding,no-user-rc"

/* The comment a key line gets: `comment` when it is letters, digits and
 * . _ @ : - only, at most 128 bytes; else "x2gobroker". */
const char *xgb_autologin_comment(const char *comment);

/**
 * A fresh RSA-2048 key pair.  *pem is the private key in traditional
 * PEM ("-----BEGIN RSA PRIVATE KEY-----", the only form x2goclient picks
 * up), *line its authorized_keys line: XGB_AUTOLOGIN_OPTIONS, "ssh-rsa",
 * the base64 key and xgb_autologin_comment(comment).  Both in p.
 * APR_EGENERAL with *err if OpenSSL fails.
 */
apr_status_t xgb_autologin_keypair(apr_pool_t *p, const char *comment,
                                   const char **pem, const char **line,
                                   const char **err);

#endif
