/*
 * xgb_agentcmd.c - build and parse agent command lines without a shell.
 */
#include <stdlib.h>
#include <string.h>

#include "xgb_agentcmd.h"
#include "xgb_buf.h"
#include "xgb_sshkey.h"
#include "xgb_valid.h"

int xgb_agentcmd_arg_ok(const char *arg)
{
    size_t i, len;

    if (!arg) {
        return 0;
    }
    len = strnlen(arg, XGB_KEYLINE_MAX + 1);
    if (len > XGB_KEYLINE_MAX) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)arg[i];

        /* inside sh -c '..."..."' these would end a quote or expand */
        if (c < 0x20 || c > 0x7e || c == '"' || c == '$' || c == '`'
            || c == '\\' || c == '\'') {
            return 0;
        }
    }
    return 1;
}

static int path_ok(const char *path)
{
    const char *c;

    if (!path || path[0] != '/') {
        return 0;
    }
    for (c = path; *c; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')
              || (*c >= '0' && *c <= '9') || strchr("/._-", *c))) {
            return 0;
        }
    }
    return 1;
}

char *xgb_agentcmd_build(const char *agent_path, const char *user,
                         const char *task, const char *const *args,
                         int nargs, const char **err)
{
    xgb_buf_t b = XGB_BUF_INIT;
    char *s;
    int i;

    if (!path_ok(agent_path)) {
        *err = "agent path is not a plain absolute path";
        return NULL;
    }
    if (!xgb_valid_username(user)) {
        *err = "invalid user name";
        return NULL;
    }
    if (!xgb_valid_task(task)) {
        *err = "unknown agent task";
        return NULL;
    }
    if (nargs < 0 || nargs > XGB_AGENTCMD_MAXARGS) {
        *err = "too many agent arguments";
        return NULL;
    }
    for (i = 0; i < nargs; i++) {
        if (!xgb_agentcmd_arg_ok(args[i])) {
            *err = "agent argument with characters a shell would "
                   "interpret";
            return NULL;
        }
    }
    /* The shape every agent understands, the Perl one included. */
    xgb_buf_puts(&b, "sh -c '");
    xgb_buf_puts(&b, agent_path);
    xgb_buf_puts(&b, " ");
    xgb_buf_puts(&b, user);
    xgb_buf_puts(&b, " ");
    xgb_buf_puts(&b, task);
    for (i = 0; i < nargs; i++) {
        xgb_buf_puts(&b, " \"");
        xgb_buf_puts(&b, args[i]);
        xgb_buf_puts(&b, "\"");
    }
    xgb_buf_puts(&b, "'");
    s = xgb_buf_detach(&b);
    if (!s) {
        *err = "out of memory";
    }
    return s;
}

static int bare_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || strchr("._,:@%/+=-", c);
}

/* The next word at *p (after spaces): "..." or bare; NULL with *err if
 * what is there is neither.  *p moves past it. */
static char *next_word(const char **p, const char *end, const char **err)
{
    const char *s = *p, *w;
    char *word;
    size_t n;
    int quoted = 0;

    while (s < end && *s == ' ') {
        s++;
    }
    if (s == end) {
        *p = s;
        return NULL;
    }
    if (*s == '"') {
        quoted = 1;
        w = ++s;
        while (s < end && *s != '"') {
            s++;
        }
        if (s == end) {
            *err = "unterminated \" in agent command";
            return NULL;
        }
        n = (size_t)(s - w);
        s++;
    }
    else {
        w = s;
        while (s < end && bare_char(*s)) {
            s++;
        }
        n = (size_t)(s - w);
        if (n == 0) {
            *err = "character a shell would interpret in agent command";
            return NULL;
        }
    }
    /* words are separated by spaces; "a"b or a"b" would be one shell
     * word made of pieces: refused rather than mimicked */
    if (s < end && *s != ' ') {
        *err = "character a shell would interpret in agent command";
        return NULL;
    }
    word = malloc(n + 1);
    if (!word) {
        *err = "out of memory";
        return NULL;
    }
    memcpy(word, w, n);
    word[n] = '\0';
    if (quoted && !xgb_agentcmd_arg_ok(word)) {
        free(word);
        *err = "character a shell would interpret in agent command";
        return NULL;
    }
    *p = s;
    return word;
}

void xgb_agentcmd_free(xgb_agentcmd_t *cmd)
{
    int i;

    free(cmd->user);
    free(cmd->task);
    for (i = 0; i < cmd->nargs; i++) {
        free(cmd->args[i]);
    }
    memset(cmd, 0, sizeof(*cmd));
}

int xgb_agentcmd_parse(const char *cmd, const char *agent_path,
                       xgb_agentcmd_t *out, const char **err)
{
    const char *p, *end, *w;
    size_t len, alen;
    char *word;

    memset(out, 0, sizeof(*out));
    *err = NULL;
    if (!cmd || !path_ok(agent_path)) {
        *err = "no agent command";
        return -1;
    }
    len = strnlen(cmd, XGB_AGENTCMD_MAX + 1);
    if (len > XGB_AGENTCMD_MAX) {
        *err = "agent command too long";
        return -1;
    }
    p = cmd;
    end = cmd + len;
    if (!strncmp(p, "sh -c '", 7)) {
        /* the single-quoted script must be the whole rest */
        p += 7;
        if (end <= p || end[-1] != '\'') {
            *err = "agent command: sh -c without a closing quote at the end";
            return -1;
        }
        end--;
    }
    /* the program must be this agent, as a whole word */
    alen = strlen(agent_path);
    if ((size_t)(end - p) < alen || strncmp(p, agent_path, alen) != 0
        || (p + alen < end && p[alen] != ' ')) {
        *err = "agent command does not run this agent";
        return -1;
    }
    p += alen;
    for (w = p; w < end; w++) {
        if (*w == '\'') {
            *err = "character a shell would interpret in agent command";
            return -1;
        }
    }
    while ((word = next_word(&p, end, err)) != NULL) {
        if (!out->user) {
            out->user = word;
        }
        else if (!out->task) {
            out->task = word;
        }
        else if (out->nargs < XGB_AGENTCMD_MAXARGS) {
            out->args[out->nargs++] = word;
        }
        else {
            free(word);
            *err = "too many arguments in agent command";
            break;
        }
    }
    if (!*err && (!out->user || !out->task)) {
        *err = "agent command without user and task";
    }
    if (!*err && (!xgb_valid_username(out->user)
                  || !xgb_valid_task(out->task))) {
        *err = !xgb_valid_username(out->user)
               ? "invalid user name in agent command"
               : "unknown task in agent command";
    }
    if (*err) {
        xgb_agentcmd_free(out);
        return -1;
    }
    return 0;
}
