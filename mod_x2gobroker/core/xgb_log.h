/*
 * xgb_log.h - logging from the core without httpd headers.
 *
 * The core never prints.  It reports through one callback that the module
 * routes to ap_log_error() (and unit tests route to a buffer), so every
 * message keeps the file and line of the code that raised it.
 */
#ifndef XGB_LOG_H
#define XGB_LOG_H

/* Same numbers as httpd's APLOG_* levels, so the glue can pass them on. */
typedef enum {
    XGB_LOG_ERR = 3,
    XGB_LOG_WARNING = 4,
    XGB_LOG_NOTICE = 5,
    XGB_LOG_INFO = 6,
    XGB_LOG_DEBUG = 7
} xgb_log_level_e;

typedef void xgb_log_fn(const char *file, int line, int level,
                        const char *msg, void *baton);

/* Install the sink; NULL drops every message.  Not thread-safe: call it
 * once at start-up (post_config / test set-up). */
void xgb_log_set(xgb_log_fn *fn, void *baton);

void xgb_log_printf(const char *file, int line, int level,
                    const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define XGB_LOG(level, ...) \
    xgb_log_printf(__FILE__, __LINE__, (level), __VA_ARGS__)

#endif
