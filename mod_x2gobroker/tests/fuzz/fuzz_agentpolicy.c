/*
 * fuzz_agentpolicy.c - libFuzzer target: any bytes as the agent's policy
 * file (/etc/x2go/x2gobroker-agent.conf) and as /etc/login.defs.
 *
 *   make fuzz-agentpolicy && ./fuzz-agentpolicy -max_total_time=600
 *
 * Beyond "no crash": an accepted policy has min-uid <= max-uid, both and
 * key-expiry within their bounds, and only group names that pass the
 * user-name rule; a refused one says why.
 */
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "xgb_valid.h"

static void check_groups(const agent_groups_t *g)
{
    int i;

    if (g->n < 0 || g->n > AGENT_POLICY_GROUPS_MAX) {
        abort();
    }
    for (i = 0; i < g->n; i++) {
        if (!xgb_valid_username(g->name[i])
            || strlen(g->name[i]) > AGENT_GROUP_NAME_MAX) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    agent_policy_t p;
    char why[256];

    /* login.defs */
    agent_policy_defaults(&p, (const char *)data, size);
    if (p.min_uid < 1 || p.min_uid > AGENT_UID_LIMIT || p.max_uid < 1
        || p.max_uid > AGENT_UID_LIMIT) {
        abort();
    }
    /* the policy file over the plain defaults */
    agent_policy_defaults(&p, NULL, 0);
    why[0] = '\0';
    if (agent_policy_parse((const char *)data, size, &p, why,
                           sizeof(why)) == 0) {
        if (p.min_uid > p.max_uid || p.min_uid < 1
            || p.max_uid > AGENT_UID_LIMIT
            || p.key_expiry < AGENT_KEY_EXPIRY_MIN
            || p.key_expiry > AGENT_KEY_EXPIRY_MAX) {
            abort();
        }
        check_groups(&p.allow);
        check_groups(&p.deny);
    }
    else if (!why[0]) {
        abort();
    }
    return 0;
}
