/*
 * fuzz_profiles.c - libFuzzer target: any bytes as a session-profile file,
 * then every profile rendered for a client, plain and JSON.  Profile files
 * are admin input, but a broken one must be refused, never crash httpd.
 *
 *   make fuzz-profiles && ./fuzz-profiles -max_total_time=60
 */
#include <apr_general.h>
#include <apr_pools.h>

#include "xgb_profile.h"
#include "xgb_render.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static int initialised;
    apr_pool_t *p;
    xgb_profiles_t *ps;
    const char *err;

    if (!initialised) {
        apr_initialize();
        initialised = 1;
    }
    apr_pool_create(&p, NULL);
    if (xgb_profiles_parse(p, "fuzz", (const char *)data, size, &ps, &err)
        == APR_SUCCESS) {
        apr_array_header_t *list = apr_array_make(p, 4, sizeof(void *));
        xgb_answer_t a = { 0 };
        int i;

        for (i = 0; i < ps->profiles->nelts; i++) {
            const xgb_profile_t *prof = APR_ARRAY_IDX(ps->profiles, i,
                                                      xgb_profile_t *);

            APR_ARRAY_PUSH(list, xgb_client_profile_t *) =
                xgb_profile_for_client(p, prof, "fuzzer", i & 1);
        }
        a.task = "listsessions";
        a.profiles = list;
        xgb_render_plain(p, &a);
        xgb_render_json(p, &a);
    }
    apr_pool_destroy(p);
    return 0;
}
