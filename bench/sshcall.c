/*
 * sshcall.c - what one agent call costs the module: on a pooled SSH
 * connection (a new channel) and on a fresh one (TCP, handshake,
 * authentication, channel, close), through the module's own SSH client
 * (libxgbssh).  Built and run by bench/farm.
 *
 *   sshcall HOST PORT USER KEYFILE KNOWN_HOSTS CALLS
 *
 * Prints "pooled_ms=<median> fresh_ms=<median>" for `ping`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libssh2.h>

#include "xgb_sshclient.h"

#define COMMAND "sh -c '/usr/lib/x2go/x2gobroker-agent foo ping'"
#define TIMEOUT_MS 5000

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, n, sizeof(*v), cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int call(xgb_ssh_conn_t *c)
{
    xgb_buf_t out = XGB_BUF_INIT, err = XGB_BUF_INIT;
    xgb_ssh_error_t e;
    int status, ok;

    ok = xgb_ssh_exec(c, COMMAND, TIMEOUT_MS, &out, &err, &status, &e)
             == XGB_SSH_OK
         && out.len >= 2 && !memcmp(out.d, "OK", 2) && err.len == 0;
    if (!ok) {
        fprintf(stderr, "sshcall: ping failed: %s\n", e.msg);
    }
    xgb_buf_free(&out);
    xgb_buf_free(&err);
    return ok;
}

static xgb_ssh_conn_t *open_conn(char **argv, const char *key, size_t len)
{
    xgb_ssh_conn_t *c = NULL;
    xgb_ssh_error_t e;

    if (xgb_ssh_connect(argv[1], atoi(argv[2]), TIMEOUT_MS, argv[3], key,
                        len, argv[5], XGB_SSH_HOSTKEY_REJECT, &c, &e)
        != XGB_SSH_OK) {
        fprintf(stderr, "sshcall: %s\n", e.msg);
        return NULL;
    }
    return c;
}

int main(int argc, char **argv)
{
    static char key[XGB_SSH_PRIVKEY_MAX];
    double *pooled, *fresh, t0;
    xgb_ssh_conn_t *c;
    size_t len;
    FILE *f;
    int n, i;

    if (argc != 7 || (n = atoi(argv[6])) < 1) {
        fprintf(stderr, "usage: sshcall HOST PORT USER KEYFILE "
                "KNOWN_HOSTS CALLS\n");
        return 2;
    }
    f = fopen(argv[4], "r");
    if (!f) {
        perror(argv[4]);
        return 2;
    }
    len = fread(key, 1, sizeof(key), f);
    fclose(f);
    pooled = calloc(n, sizeof(*pooled));
    fresh = calloc(n, sizeof(*fresh));
    if (!pooled || !fresh || libssh2_init(0) != 0) {
        return 2;
    }
    c = open_conn(argv, key, len);
    if (!c || !call(c)) {
        return 1;
    }
    for (i = 0; i < n; i++) {
        t0 = now_ms();
        if (!call(c)) {
            return 1;
        }
        pooled[i] = now_ms() - t0;
    }
    xgb_ssh_close(c);
    for (i = 0; i < n; i++) {
        t0 = now_ms();
        c = open_conn(argv, key, len);
        if (!c || !call(c)) {
            return 1;
        }
        xgb_ssh_close(c);
        fresh[i] = now_ms() - t0;
    }
    printf("pooled_ms=%.1f fresh_ms=%.1f\n", median(pooled, n),
           median(fresh, n));
    libssh2_exit();
    return 0;
}
