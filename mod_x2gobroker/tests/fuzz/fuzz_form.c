/*
 * fuzz_form.c - libFuzzer target: any bytes as a request body (and, split
 * at the first NUL, a query string).  This is what every client controls.
 *
 *   make fuzz-form && ./fuzz-form -max_total_time=60
 */
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "xgb_form.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static int initialised;
    const char *nul = memchr(data, '\0', size);
    const char *query = NULL;
    const char *body = (const char *)data;
    apr_size_t len = size;
    const char *reason;
    xgb_fields_t f;
    apr_pool_t *p;

    if (!initialised) {
        apr_initialize();
        initialised = 1;
    }
    apr_pool_create(&p, NULL);
    if (nul) {
        query = apr_pstrmemdup(p, (const char *)data,
                               (apr_size_t)(nul - (const char *)data));
        body = nul + 1;
        len = size - (apr_size_t)(nul - (const char *)data) - 1;
    }
    xgb_form_parse(p, query, body, len, 256, &f, &reason);
    apr_pool_destroy(p);
    return 0;
}
