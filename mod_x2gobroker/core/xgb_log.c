#include <stdarg.h>
#include <stdio.h>

#include "xgb_log.h"

static xgb_log_fn *log_fn;
static void *log_baton;

void xgb_log_set(xgb_log_fn *fn, void *baton)
{
    log_fn = fn;
    log_baton = baton;
}

void xgb_log_printf(const char *file, int line, int level,
                    const char *fmt, ...)
{
    char buf[1024];
    va_list ap;

    if (!log_fn) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    log_fn(file, line, level, buf, log_baton);
}
