/*
 * xgb_pubkeys.h - the body of GET /pubkeys/ (spec 2.3, 8.4): the broker's
 * own SSH public keys as authorized_keys lines for the X2Go servers.
 */
#ifndef XGB_PUBKEYS_H
#define XGB_PUBKEYS_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_errno.h>

/**
 * Render the /pubkeys/ body.
 *
 * @param keys        public keys ("<type> <base64>", const char *) in
 *                    output order, as xgb_pubkeys_load() or
 *                    xgb_pubkey_from_file() give them
 * @param agent_cmd   forced command (X2GOBROKER_AGENT_CMD)
 * @param daemon_user, fqdn  the comment is <daemon_user>@<fqdn>
 * @return one line per key:
 *   command="<agent_cmd>",no-port-forwarding,no-X11-forwarding,
 *   no-agent-forwarding,no-pty <type> <base64> <daemon_user>@<fqdn>\n
 *   ("" if there is none); NULL if agent_cmd, daemon_user or fqdn is
 *   missing or holds control characters (they would break the line).
 */
const char *xgb_pubkeys_render(apr_pool_t *p,
                               const apr_array_header_t *keys,
                               const char *agent_cmd,
                               const char *daemon_user, const char *fqdn);

/**
 * The public keys of private key files (paths, const char *), in order.
 * The public key is derived from the private key, as the reference does.
 * Understood: PEM (traditional RSA/DSA/EC and unencrypted PKCS#8, also
 * Ed25519) and OpenSSH's own format, whose public key is readable even
 * when the private part is encrypted.  Missing files are skipped silently,
 * unreadable or unparsable ones with a warning.
 */
apr_array_header_t *xgb_pubkeys_load(apr_pool_t *p,
                                     const apr_array_header_t *keyfiles);

/**
 * The SSH public key of one private key file as "<type> <base64>" in
 * *line.  Returns APR_SUCCESS, an APR_STATUS_IS_ENOENT() status if the
 * file does not exist, or another error with *err (if err is not NULL)
 * saying why the file could not be read or parsed.
 */
apr_status_t xgb_pubkey_from_file(apr_pool_t *p, const char *path,
                                  const char **line, const char **err);

/**
 * The same, also handing out the private key file's content (*data,
 * NUL-terminated, *len bytes; in p) for a caller that signs with it.
 */
apr_status_t xgb_privkey_read(apr_pool_t *p, const char *path,
                              const char **data, apr_size_t *len,
                              const char **line, const char **err);

#endif
