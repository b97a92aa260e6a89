/* The checks of lab 03_pid: the command is PID 1 of its own PID namespace,
 * --init does PID 1's duties, and when PID 1 dies, everyone dies. */
#define _GNU_SOURCE
#include "verdict.h"
#include "util.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PIDNS "03_pid.md#the-pid-namespace"
#define DUTIES "03_pid.md#pid-1-and-its-duties"
#define INIT "03_pid.md#an-init-for-the-container"
#define DIES "03_pid.md#when-pid-1-dies"

CHECK(pid_command_is_1)
{
    char mark[16], script[64], want[64];
    struct world_result *r;

    rand_hex(mark, 12);
    snprintf(script, sizeof script, "echo $$; echo %s", mark);
    snprintf(want, sizeof want, "1\n%s\n", mark);
    r = lab_run(c, NULL, ARGS("--", "/bin/sh", "-c", script));
    expect_stdout(c, r, want);
    expect_exit(c, r, 0);
    /* And the probe's own getpid(). */
    r = lab_run(c, NULL, ARGS("--", probe()));
    expect_exit(c, r, 0);
    if (strcmp(probe_value(r, "pid"), "1") != 0)
        check_fail(c, "getpid() = 1 in the command", "getpid() = %s", probe_value(r, "pid"));
}

/* In `during`: the PID that the command's parent has inside the container,
 * the last field of the NSpid line of /proc/PID/status (one PID per
 * namespace level, the innermost last). */
static void look_at_init(struct world_result *r, void *data)
{
    char state, rel[64], status[4096], *line, *end;
    pid_t init = process_parent(r->probe_pid, &state);

    (void)data;
    snprintf(rel, sizeof rel, "%d/status", (int)init);
    if (!init || proc_read(rel, status, sizeof status) <= 0 || !(line = strstr(status, "NSpid:")))
        return;
    end = strchr(line, '\n');
    if (end)
        *end = '\0';
    line = strrchr(line, '\t') ? strrchr(line, '\t') + 1 : line;
    snprintf(r->user, sizeof r->user, "%s", line);
}

CHECK(pid_init_command_is_2)
{
    struct world_spec spec = { .during = look_at_init };
    struct world_result *r = lab_run(c, &spec, ARGS("--init", "--", probe(), "--wait"));

    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    if (strcmp(probe_value(r, "pid"), "2") != 0 || strcmp(probe_value(r, "ppid"), "1") != 0)
        check_fail(c, "with --init, the command is PID 2 and its parent is PID 1",
                   "the command is PID %s, its parent PID %s", probe_value(r, "pid"), probe_value(r, "ppid"));
    if (strcmp(r->user, "1") != 0)
        check_fail(c, "the command's parent to be PID 1 of the container (the init)",
                   "its parent is PID %s inside the container", r->user[0] ? r->user : "(unknown)");
}

/* In `during`: zombies in the container's PID namespace, while it runs. */
static void count_container_zombies(struct world_result *r, void *data)
{
    (void)data;
    snprintf(r->user, sizeof r->user, "%d", count_zombies(r->probe_ns[NS_PID]));
}

CHECK(pid_init_reaps_orphans)
{
    char script[4200];
    struct world_spec spec = { .during = count_container_zombies };
    struct world_result *r;

    /* The inner shell leaves a short sleep behind and exits: the sleep is an
     * orphan, handed to PID 1, and when it ends only PID 1 can reap it. */
    snprintf(script, sizeof script, "sh -c 'sleep 0.05 &'; sleep 0.3; exec %s --wait", probe());
    r = lab_run(c, &spec, ARGS("--init", "--", "/bin/sh", "-c", script));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    if (strcmp(r->user, "0") != 0)
        check_fail(c, "no zombie in the container while the command runs on",
                   "%s zombie process(es): an orphan that ended was never reaped", r->user);
}

/* In `during`: SIGTERM to the container's init, from the host; wait (1 s at
 * most) for the command to end of it. */
static void terminate_init(struct world_result *r, void *data)
{
    struct timespec tick = { 0, 5 * 1000 * 1000 };
    char state = '?';
    pid_t init = process_parent(r->probe_pid, &state);
    int i;

    (void)data;
    if (!init || kill(init, SIGTERM) == -1) {
        snprintf(r->user, sizeof r->user, "could not signal the init");
        return;
    }
    for (i = 0; i < 200; i++) {
        if (!process_parent(r->probe_pid, &state) || state == 'Z')
            return;
        nanosleep(&tick, NULL);
    }
}

CHECK(pid_init_forwards_sigterm)
{
    struct world_spec spec = { .during = terminate_init };
    struct world_result *r = lab_run(c, &spec, ARGS("--init", "--", probe(), "--wait"));

    expect_probe_ready(c, r);
    if (r->user[0])
        check_fail(c, "an init to signal", "%s", r->user);
    /* The command had no handler: SIGTERM killed it, and the init exits
     * with its status, 128 + 15. */
    expect_exit(c, r, 128 + SIGTERM);
}

CHECK(pid_init_exit_status)
{
    char script[32];
    unsigned code = rand_range(1, 120);
    struct world_result *r;

    snprintf(script, sizeof script, "exit %u", code);
    r = lab_run(c, NULL, ARGS("--init", "--", "/bin/sh", "-c", script));
    expect_exit(c, r, (int)code);
}

CHECK(pid_1_dies_everyone_dies)
{
    char mark[16], script[64], want[40];
    struct world_result *r;

    rand_hex(mark, 12);
    snprintf(script, sizeof script, "sleep 1000 & echo %s", mark);
    snprintf(want, sizeof want, "%s\n", mark);
    /* lab_run fails a lab that leaves the sleep behind, or hangs on it. */
    r = lab_run(c, NULL, ARGS("--", "/bin/sh", "-c", script));
    expect_stdout(c, r, want);
    expect_exit(c, r, 0);
    r = lab_run(c, NULL, ARGS("--init", "--", "/bin/sh", "-c", script));
    expect_stdout(c, r, want);
    expect_exit(c, r, 0);
}

CHECK(pid_namespace_differs)
{
    struct world_result *r = lab_run(c, NULL, ARGS("--", probe(), "--wait"));

    expect_exit(c, r, 0);
    expect_ns_differs(c, r, NS_PID);
}

CHECK(pid_help_and_verbose)
{
    struct world_result *r = lab_run(c, NULL, ARGS("--help"));

    expect_exit(c, r, 0);
    if (!strstr(r->out, "--init"))
        check_fail(c, "--help to list --init", "stdout:\n%s", r->out);
    expect_verbose_names(c, "CLONE_NEWPID");
}

static const struct check_info checks[] = {
    CHECK_ENTRY(pid_command_is_1, "the command is PID 1", PIDNS),
    CHECK_ENTRY(pid_init_command_is_2, "with --init, PID 1 is the init and the command PID 2", INIT),
    CHECK_ENTRY(pid_init_reaps_orphans, "--init reaps orphans: no zombie remains", DUTIES),
    CHECK_ENTRY(pid_init_forwards_sigterm, "SIGTERM to the init reaches the command (status 143)", INIT),
    CHECK_ENTRY(pid_init_exit_status, "--init exits with the command's status", INIT),
    CHECK_ENTRY(pid_1_dies_everyone_dies, "when PID 1 exits, every process of the container dies", DIES),
    CHECK_ENTRY(pid_namespace_differs, "the PID namespace differs from the host's, seen from outside", PIDNS),
    CHECK_ENTRY(pid_help_and_verbose, "--help lists --init; --verbose names CLONE_NEWPID", INIT),
    { NULL, NULL, NULL, NULL },
};

const struct layer layer03 = { "03_pid", checks };
