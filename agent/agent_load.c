/*
 * agent_load.c - checkload: the figures the load checker turns into a
 * server's load factor (spec 5.6, 6.4).
 *
 * The arithmetic is upstream's, truncations included, so both agents
 * give a server the same factor.  CPUs are counted by their "processor"
 * lines, which every architecture has, and the clock comes from the
 * Intel-style "@ x.yzGHz" model name, else "cpu MHz" (AMD, most VMs),
 * else cpufreq (ARM): upstream counted only the first two kinds and
 * reported 0 CPUs elsewhere.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

/* The number after "key:" in a /proc text, or -1. */
static double field(const char *text, const char *key)
{
    size_t klen = strlen(key);
    const char *p = text;

    while (p && *p) {
        if (!strncmp(p, key, klen) && p[klen] == ':') {
            return strtod(p + klen + 1, NULL);
        }
        p = strchr(p, '\n');
        if (p) {
            p++;
        }
    }
    return -1;
}

static double dmin(double a, double b)
{
    return a < b ? a : b;
}

/* One pass over /proc/cpuinfo. */
static void cpus(const char *cpuinfo, long *count, double *intel_ghz,
                 double *mhz)
{
    const char *line = cpuinfo, *eol;
    char l[512];

    *count = 0;
    *intel_ghz = *mhz = 0;
    while (line && *line) {
        size_t len;

        eol = strchr(line, '\n');
        len = eol ? (size_t)(eol - line) : strlen(line);
        if (len >= sizeof(l)) {
            len = sizeof(l) - 1;
        }
        memcpy(l, line, len);
        l[len] = '\0';
        if (!strncmp(l, "processor", 9) && strchr(l, ':')) {
            (*count)++;
        }
        else if (!strncmp(l, "model name", 10)) {
            /* upstream: m/model name.*CPU.*@\ ([\d\.]+)/ */
            const char *cpu = strstr(l, "CPU");
            const char *at = cpu ? strrchr(cpu, '@') : NULL;

            if (at && at[1] == ' ' && (at[2] == '.'
                                       || (at[2] >= '0' && at[2] <= '9'))) {
                *intel_ghz = strtod(at + 2, NULL);
            }
        }
        else if (!strncmp(l, "cpu MHz", 7) && strchr(l, ':')) {
            *mhz = strtod(strchr(l, ':') + 1, NULL);
        }
        line = eol ? eol + 1 : NULL;
    }
}

int agent_load_compute(const char *loadavg, const char *meminfo,
                       const char *min_free, const char *cpuinfo,
                       const char *max_freq, agent_load_t *l)
{
    double a1, a5, a15, xx, low, free_kb, avail, pagecache, slab, my;
    double active, inactive;
    double ghz, mhz;
    long n;

    if (!loadavg || sscanf(loadavg, "%lf %lf %lf", &a1, &a5, &a15) != 3
        || !meminfo || (free_kb = field(meminfo, "MemFree")) < 0) {
        return -1;
    }
    xx = (a1 + a5 + a15) * 100 / 3 + 1;
    l->loadavgXX = xx < 1 ? 1 : (long)xx;

    avail = field(meminfo, "MemAvailable");
    l->memAvail = avail < 0 ? 0 : (long)(avail / 1000);

    /* the kernel's own estimate (fs/proc/meminfo.c since 3.14), for
     * kernels without MemAvailable */
    low = min_free ? strtod(min_free, NULL) : 0;
    active = field(meminfo, "Active(file)");
    inactive = field(meminfo, "Inactive(file)");
    slab = field(meminfo, "SReclaimable");
    pagecache = (active > 0 ? active : 0) + (inactive > 0 ? inactive : 0);
    if (slab < 0) {
        slab = 0;
    }
    my = free_kb - low;
    my += pagecache - dmin(pagecache / 2, low);
    my += slab - dmin(slab / 2, low);
    l->myMemAvail = my < 0 ? 0 : (long)(my / 1000);

    cpus(cpuinfo ? cpuinfo : "", &n, &ghz, &mhz);
    l->numCPU = n;
    if (ghz > 0) {
        l->typeCPU = (long)(ghz * 1000);
    }
    else if (mhz > 0) {
        l->typeCPU = (long)ceil(mhz);
    }
    else if (max_freq && strtod(max_freq, NULL) > 0) {
        /* cpufreq gives kHz */
        l->typeCPU = (long)ceil(strtod(max_freq, NULL) / 1000);
    }
    else {
        l->typeCPU = 0;
    }
    return 0;
}

/* A small /proc or /sys file, NUL-terminated; NULL if absent. */
static char *slurp(const char *path)
{
    xgb_buf_t b = XGB_BUF_INIT;
    char chunk[4096];
    size_t n;
    FILE *f = fopen(path, "re");

    if (!f) {
        return NULL;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0
           && b.len < 1024 * 1024) {
        xgb_buf_put(&b, chunk, n);
    }
    fclose(f);
    return xgb_buf_detach(&b);
}

int agent_checkload(xgb_buf_t *out, xgb_buf_t *err)
{
    char *loadavg = slurp("/proc/loadavg");
    char *meminfo = slurp("/proc/meminfo");
    char *min_free = slurp("/proc/sys/vm/min_free_kbytes");
    char *cpuinfo = slurp("/proc/cpuinfo");
    char *max_freq =
        slurp("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
    agent_load_t l;
    char text[256];
    int rc;

    rc = agent_load_compute(loadavg, meminfo, min_free, cpuinfo, max_freq,
                            &l);
    free(loadavg);
    free(meminfo);
    free(min_free);
    free(cpuinfo);
    free(max_freq);
    if (rc != 0) {
        xgb_buf_puts(err, "cannot read /proc/loadavg or /proc/meminfo");
        return XGB_AGENT_EXIT_FAILED;
    }
    snprintf(text, sizeof(text),
             "loadavgXX:%ld\nmemAvail:%ld\nmyMemAvail:%ld\nnumCPU:%ld\n"
             "typeCPU:%ld\n", l.loadavgXX, l.memAvail, l.myMemAvail,
             l.numCPU, l.typeCPU);
    xgb_buf_puts(out, text);
    return XGB_AGENT_EXIT_OK;
}
