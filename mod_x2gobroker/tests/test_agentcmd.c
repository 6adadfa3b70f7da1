/*
 * test_agentcmd.c - agent command lines: what brokers send, what the
 * agent accepts, and that every accepted line splits into exactly the
 * words /bin/sh would make of it.
 */
#include <stdio.h>
#include <sys/wait.h>

#include "xgb_test.h"
#include "xgb_agentcmd.h"

#define AGENT XGB_AGENT_PATH
#define KEY "no-X11-forwarding,no-pty,no-user-rc ssh-ed25519 " \
    "AAAAC3NzaC1lZDI1NTE5AAAAIKYgS7+b/gQhDt+QLYZMq79emUyi7jIHnbnwL5ilrPPE " \
    "alice@10.0.0.5"

/* The words /bin/sh makes of `cmd`, one per line: the agent's path is
 * replaced by printf, and the rest goes through sh unchanged. */
static char *shell_words(const char *cmd)
{
    const char *inner = cmd;
    char script[70000], *out = malloc(70000);
    size_t n, len;
    int fds[2], status;
    pid_t pid;
    FILE *f;

    ck_assert_ptr_nonnull(out);
    if (!strncmp(inner, "sh -c '", 7)) {
        inner += 7;
    }
    len = strlen(inner);
    if (inner != cmd) {
        len--;                  /* the closing quote */
    }
    ck_assert_int_eq(strncmp(inner, AGENT, strlen(AGENT)), 0);
    snprintf(script, sizeof(script), "printf '%%s\\n'%.*s",
             (int)(len - strlen(AGENT)), inner + strlen(AGENT));
    ck_assert_int_eq(pipe(fds), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        execl("/bin/sh", "sh", "-c", script, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    f = fdopen(fds[0], "r");
    n = fread(out, 1, 69999, f);
    fclose(f);
    waitpid(pid, &status, 0);
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    out[n] = '\0';
    return out;
}

/* The parser's words, one per line, as shell_words() prints them. */
static char *parsed_words(const xgb_agentcmd_t *c)
{
    char *out = malloc(70000);
    int i;

    ck_assert_ptr_nonnull(out);
    snprintf(out, 70000, "%s\n%s\n", c->user, c->task);
    for (i = 0; i < c->nargs; i++) {
        strcat(out, c->args[i]);
        strcat(out, "\n");
    }
    return out;
}

static void accept_cmd(const char *cmd, const char *user, const char *task,
                       int nargs)
{
    xgb_agentcmd_t c;
    const char *err = "unset";
    char *sh, *ours;

    ck_assert_msg(xgb_agentcmd_parse(cmd, AGENT, &c, &err) == 0, "%s: %s",
                  cmd, err);
    ck_assert_ptr_null(err);
    ck_assert_str_eq(c.user, user);
    ck_assert_str_eq(c.task, task);
    ck_assert_int_eq(c.nargs, nargs);
    sh = shell_words(cmd);
    ours = parsed_words(&c);
    ck_assert_str_eq(ours, sh);
    free(sh);
    free(ours);
    xgb_agentcmd_free(&c);
}

static const char *refuse_cmd(const char *cmd)
{
    xgb_agentcmd_t c;
    const char *err = NULL;

    ck_assert_msg(xgb_agentcmd_parse(cmd, AGENT, &c, &err) == -1,
                  "accepted: %s", cmd);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_null(c.user);
    return err;
}

START_TEST(broker_forms)
{
    accept_cmd("sh -c '" AGENT " alice listsessions'", "alice",
               "listsessions", 0);
    accept_cmd("sh -c '" AGENT " foo ping'", "foo", "ping", 0);
    accept_cmd("sh -c '" AGENT " alice suspendsession "
               "\"alice-51-1795641177_stDxterm_dp24\"'", "alice",
               "suspendsession", 1);
    accept_cmd("sh -c '" AGENT " alice addauthkey \"" KEY "\" "
               "\"%h/.x2go/authorized_keys\"'", "alice", "addauthkey", 2);
    /* the bare form (ssh host agent user task), more spaces */
    accept_cmd(AGENT " alice listsessions", "alice", "listsessions", 0);
    accept_cmd(AGENT "   alice   delauthkey   \"" KEY "\"  %h/.x2go/ak ",
               "alice", "delauthkey", 2);
    accept_cmd("sh -c '" AGENT " alice checkload \"\"'", "alice",
               "checkload", 1);
}
END_TEST

START_TEST(build_roundtrip)
{
    const char *args[2] = { KEY, "%h/.x2go/authorized_keys" };
    const char *err = NULL;
    char *cmd;

    cmd = xgb_agentcmd_build(AGENT, "alice", "addauthkey", args, 2, &err);
    ck_assert_ptr_nonnull(cmd);
    ck_assert_str_eq(cmd, "sh -c '" AGENT " alice addauthkey \"" KEY
                     "\" \"%h/.x2go/authorized_keys\"'");
    accept_cmd(cmd, "alice", "addauthkey", 2);
    free(cmd);

    cmd = xgb_agentcmd_build(AGENT, "foo", "ping", NULL, 0, &err);
    ck_assert_str_eq(cmd, "sh -c '" AGENT " foo ping'");
    free(cmd);
}
END_TEST

START_TEST(build_refuses)
{
    const char *bad[] = { "x\"; id; \"", "$(id)", "`id`", "a\\b", "it's",
                          "a\nb" };
    const char *err = NULL;
    int i;

    ck_assert_ptr_null(xgb_agentcmd_build(AGENT, "al;ce", "ping", NULL, 0,
                                          &err));
    ck_assert_str_eq(err, "invalid user name");
    ck_assert_ptr_null(xgb_agentcmd_build(AGENT, "alice", "rm", NULL, 0,
                                          &err));
    ck_assert_str_eq(err, "unknown agent task");
    ck_assert_ptr_null(xgb_agentcmd_build("agent", "alice", "ping", NULL, 0,
                                          &err));
    ck_assert_ptr_null(xgb_agentcmd_build("/x y", "alice", "ping", NULL, 0,
                                          &err));
    ck_assert_str_eq(err, "agent path is not a plain absolute path");
    for (i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
        ck_assert_ptr_null(xgb_agentcmd_build(AGENT, "alice",
                                              "suspendsession", &bad[i], 1,
                                              &err));
        ck_assert_str_eq(err, "agent argument with characters a shell "
                         "would interpret");
    }
    ck_assert_ptr_null(xgb_agentcmd_build(AGENT, "alice", "ping", bad, 3,
                                          &err));
    ck_assert_str_eq(err, "too many agent arguments");
}
END_TEST

START_TEST(hostile_commands)
{
    const char *interp = "character a shell would interpret in agent "
                         "command";

    ck_assert_str_eq(refuse_cmd("sh -c '" AGENT " alice ping; id'"), interp);
    ck_assert_str_eq(refuse_cmd("sh -c '" AGENT " alice ping'; id"),
                     "agent command: sh -c without a closing quote at "
                     "the end");
    ck_assert_str_eq(refuse_cmd("sh -c '" AGENT " alice ping && id'"),
                     interp);
    ck_assert_str_eq(refuse_cmd("sh -c '" AGENT " alice ping | id'"),
                     interp);
    ck_assert_str_eq(refuse_cmd("sh -c '" AGENT " alice ping $(id)'"),
                     interp);
    ck_assert_str_eq(refuse_cmd("sh -c '" AGENT " alice ping `id`'"), interp);
    ck_assert_str_eq(refuse_cmd("sh -c '" AGENT " alice suspendsession "
                                "\"$(id)\"'"), interp);
    ck_assert_str_eq(refuse_cmd("sh -c '" AGENT " alice suspendsession "
                                "\"`id`\"'"), interp);
    ck_assert_str_eq(refuse_cmd("sh -c '" AGENT " alice suspendsession "
                                "\"x\\\"; id; \\\"\"'"), interp);
    ck_assert_str_eq(refuse_cmd("sh -c '" AGENT " alice suspendsession "
                                "\"x\"\"y\"'"), interp);
    ck_assert_str_eq(refuse_cmd("sh -c '" AGENT " alice suspendsession "
                                "\"x'\"'\"'y\"'"), interp);
    ck_assert_str_eq(refuse_cmd(AGENT " alice ping\nid"), interp);
    ck_assert_str_eq(refuse_cmd(AGENT " alice ping > /tmp/x"), interp);
    ck_assert_str_eq(refuse_cmd(AGENT " alice ping < /etc/shadow"), interp);
    ck_assert_str_eq(refuse_cmd(AGENT " alice ping *"), interp);
    ck_assert_str_eq(refuse_cmd(AGENT " alice ping ~root"), interp);
    ck_assert_str_eq(refuse_cmd(AGENT " alice ping #x"), interp);
    ck_assert_str_eq(refuse_cmd(AGENT " alice suspendsession \"unterminated"),
                     "unterminated \" in agent command");
    ck_assert_str_eq(refuse_cmd("/bin/sh -c id"),
                     "agent command does not run this agent");
    ck_assert_str_eq(refuse_cmd("sh -c 'id'"),
                     "agent command does not run this agent");
    ck_assert_str_eq(refuse_cmd("/usr/lib/x2go/x2gobroker-agent.pl alice "
                                "ping"),
                     "agent command does not run this agent");
    ck_assert_str_eq(refuse_cmd("/usr/local/lib/x2go/x2gobroker-agent "
                                "alice ping"),
                     "agent command does not run this agent");
    ck_assert_str_eq(refuse_cmd(" " AGENT " alice ping"),
                     "agent command does not run this agent");
    ck_assert_str_eq(refuse_cmd("sh -c '" AGENT "'"),
                     "agent command without user and task");
    ck_assert_str_eq(refuse_cmd(AGENT " alice"),
                     "agent command without user and task");
    ck_assert_str_eq(refuse_cmd(AGENT " -rf ping"),
                     "invalid user name in agent command");
    ck_assert_str_eq(refuse_cmd(AGENT " alice rm"),
                     "unknown task in agent command");
    ck_assert_str_eq(refuse_cmd(AGENT " alice ping a b c"),
                     "too many arguments in agent command");
    ck_assert_str_eq(refuse_cmd(""), "agent command does not run this agent");
    ck_assert_str_eq(refuse_cmd(NULL), "no agent command");
}
END_TEST

START_TEST(overlong_command)
{
    size_t n = XGB_AGENTCMD_MAX + 10;
    char *cmd = malloc(n + 1);

    memset(cmd, 'a', n);
    memcpy(cmd, AGENT " alice ping ", strlen(AGENT " alice ping "));
    cmd[n] = '\0';
    ck_assert_str_eq(refuse_cmd(cmd), "agent command too long");
    free(cmd);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("agentcmd");
    TCase *tc = tcase_create("agentcmd");

    tcase_add_checked_fixture(tc, xgb_test_setup, xgb_test_teardown);
    tcase_add_test(tc, broker_forms);
    tcase_add_test(tc, build_roundtrip);
    tcase_add_test(tc, build_refuses);
    tcase_add_test(tc, hostile_commands);
    tcase_add_test(tc, overlong_command);
    suite_add_tcase(s, tc);
    return s;
}

XGB_TEST_MAIN()
