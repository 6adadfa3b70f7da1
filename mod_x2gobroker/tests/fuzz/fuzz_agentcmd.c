/*
 * fuzz_agentcmd.c - libFuzzer target: any bytes as SSH_ORIGINAL_COMMAND,
 * the one input of the setuid agent that a remote party writes.
 *
 *   make fuzz-agentcmd && ./fuzz-agentcmd -max_total_time=600
 *
 * Beyond "no crash": whatever the parser accepts must hold only words
 * that pass the argument check, and must survive a round trip through
 * the builder unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "xgb_agentcmd.h"
#include "xgb_valid.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    xgb_agentcmd_t c, again;
    const char *err;
    char *cmd = malloc(size + 1), *built;
    int i;

    if (!cmd) {
        return 0;
    }
    memcpy(cmd, data, size);
    cmd[size] = '\0';
    if (xgb_agentcmd_parse(cmd, XGB_AGENT_PATH, &c, &err) == 0) {
        if (!xgb_valid_username(c.user) || !xgb_valid_task(c.task)) {
            abort();
        }
        for (i = 0; i < c.nargs; i++) {
            if (!xgb_agentcmd_arg_ok(c.args[i])) {
                abort();
            }
        }
        built = xgb_agentcmd_build(XGB_AGENT_PATH, c.user, c.task,
                                   (const char *const *)c.args, c.nargs,
                                   &err);
        if (!built || xgb_agentcmd_parse(built, XGB_AGENT_PATH, &again,
                                         &err) != 0) {
            abort();
        }
        if (strcmp(again.user, c.user) || strcmp(again.task, c.task)
            || again.nargs != c.nargs) {
            abort();
        }
        for (i = 0; i < c.nargs; i++) {
            if (strcmp(again.args[i], c.args[i])) {
                abort();
            }
        }
        xgb_agentcmd_free(&again);
        free(built);
        xgb_agentcmd_free(&c);
    }
    else if (!err) {
        abort();
    }
    free(cmd);
    return 0;
}
