/* The checks of lab 03_pid: the command is PID 1 of its own PID namespace,
 * --init does PID 1's duties, and when PID 1 dies, everyone dies. */
#define _GNU_SOURCE
#include "checks.h"
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

/* The command outlives the orphans of these checks. A lab that ends with an
 * orphan's status (orphan_code: how the orphans end) before the command
 * could have run (it starts `starts_after` seconds in), or while it still
 * ran, has an init that returned with an orphan's status instead of waiting
 * for its command: say so, in those words. */
static void expect_init_waited_for_command(struct check *c, const struct world_result *r, int orphan_code,
                                           double starts_after)
{
    int code = WIFEXITED(r->lab_status) ? WEXITSTATUS(r->lab_status) : -1;

    if (code == orphan_code && ((!r->probe_ready && r->seconds < starts_after) || (r->probe_ready && code != 0)))
        check_fail(c, "the init to return only when its command ends, with the command's status (0 here)",
                   "the lab exited with status %d %s: the init returned when it reaped an orphan "
                   "(an orphan's status is not the command's), and the container ended with it\nstderr: %s",
                   code, r->probe_ready ? "while the command was still running" : "before the command got to run",
                   r->err[0] ? r->err : "(empty)");
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
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
    expect_init_waited_for_command(c, r, 0, 0.3);
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

/* In `during`: eight orphans end while the init is stopped, so that their
 * eight SIGCHLDs make one pending signal (signals of a kind do not queue),
 * as they do on a busy machine; then the init goes on, and 0.3 s later the
 * zombies in the container are counted. */
static void end_orphans_at_once(struct world_result *r, void *data)
{
    struct timespec settle = { 0, 50 * 1000 * 1000 }, tick = { 0, 10 * 1000 * 1000 };
    char state = '?';
    pid_t sleeps[16], init = process_parent(r->probe_pid, &state);
    int i, n = 0;

    (void)data;
    /* A forked shell becomes "sleep" only once it has exec'd: wait (1 s at
     * most) until all eight have. */
    for (i = 0; i < 100 && (n = find_processes("sleep", r->probe_ns[NS_PID], sleeps, 16)) < 8; i++)
        nanosleep(&tick, NULL);
    if (!init || kill(init, SIGSTOP) == -1) {
        snprintf(r->user, sizeof r->user, "0 -1");
        return;
    }
    for (i = 0; i < n; i++)
        kill(sleeps[i], SIGKILL);
    for (i = 0; i < 100 && count_zombies(r->probe_ns[NS_PID]) < n; i++)
        nanosleep(&tick, NULL);
    kill(init, SIGCONT);
    /* A good init reaps them at once; wait (2 s at most, for a busy machine)
     * until none is left, then a little more. */
    for (i = 0; i < 200 && count_zombies(r->probe_ns[NS_PID]) > 0; i++)
        nanosleep(&tick, NULL);
    nanosleep(&settle, NULL);
    snprintf(r->user, sizeof r->user, "%d %d", n, count_zombies(r->probe_ns[NS_PID]));
}

CHECK(pid_init_reaps_many_at_once)
{
    char script[4300];
    struct world_spec spec = { .during = end_orphans_at_once };
    struct world_result *r;
    int orphans = 0, zombies = -1;

    /* The inner shell leaves eight sleeps behind, orphans of the init. */
    snprintf(script, sizeof script, "sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 100 & done'; exec %s --wait", probe());
    r = lab_run(c, &spec, ARGS("--init", "--", "/bin/sh", "-c", script));
    expect_init_waited_for_command(c, r, 128 + SIGKILL, 0);
    sscanf(r->user, "%d %d", &orphans, &zombies);
    if (orphans != 8)
        check_fail(c, "eight orphaned sleeps in the container", "%d found (%s)", orphans, r->user);
    if (zombies != 0)
        check_fail(c, "no zombie, 0.3 s after eight orphans ended at the same moment",
                   "%d zombie process(es): one SIGCHLD can stand for several children that ended", zombies);
}

/* Does process pid have any of the signals in mask pending (SigPnd or
 * ShdPnd of /proc/PID/status)? */
static int has_pending(pid_t pid, unsigned long long mask)
{
    char rel[64], text[4096], *line;
    unsigned long long pending = 0, bits;

    snprintf(rel, sizeof rel, "%d/status", (int)pid);
    if (proc_read(rel, text, sizeof text) <= 0)
        return 0;
    for (line = strstr(text, "SigPnd:"); line; line = strstr(line + 1, "ShdPnd:"))
        if (sscanf(strchr(line, ':') + 1, "%llx", &bits) == 1)
            pending |= bits;
    return (pending & mask) != 0;
}

/* In `during`: each of the six forwarded signals, in a random order, to the
 * container's init (the probe's parent). */
static void signal_init_six_ways(struct world_result *r, void *data)
{
    int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
    struct timespec gap = { 0, 10 * 1000 * 1000 }, settle = { 0, 100 * 1000 * 1000 };
    unsigned long long mask = 0;
    char state = '?';
    pid_t init = process_parent(r->probe_pid, &state);
    int i;

    (void)data;
    for (i = 5; i > 0; i--) {   /* Fisher-Yates */
        int j = (int)rand_range(0, (unsigned)i), t = sigs[i];
        sigs[i] = sigs[j];
        sigs[j] = t;
    }
    for (i = 0; i < 6; i++) {
        appendf(r->user, sizeof r->user, "%d ", sigs[i]);
        if (init)
            kill(init, sigs[i]);
        nanosleep(&gap, NULL);
    }
    /* Wait (2 s at most, for a busy machine) until neither the init nor the
     * command has any of them pending, then a little more. */
    for (i = 0; i < 6; i++)
        mask |= 1ULL << (sigs[i] - 1);
    for (i = 0; i < 200 && init && (has_pending(init, mask) || has_pending(r->probe_pid, mask)); i++)
        nanosleep(&gap, NULL);
    nanosleep(&settle, NULL);
}

CHECK(pid_init_forwards_every_signal)
{
    struct world_spec spec = { .during = signal_init_six_ways };
    struct world_result *r = lab_run(c, &spec, ARGS("--init", "--", probe(), "--catch", "--wait"));
    char missing[128] = "", key[32], value[16];
    int sigs[6], i, n;

    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    n = sscanf(r->user, "%d %d %d %d %d %d", &sigs[0], &sigs[1], &sigs[2], &sigs[3], &sigs[4], &sigs[5]);
    for (i = 0; i < n; i++) {
        snprintf(key, sizeof key, "caught %d", sigs[i]);
        if (!kv_get(r->probe, key, value, sizeof value))
            appendf(missing, sizeof missing, "%s%s", missing[0] ? ", " : "", strsignal(sigs[i]));
    }
    if (n != 6 || missing[0])
        check_fail(c, "each of SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 sent to the init to reach the command",
                   "sent to the init in this order: %s; the command never got: %s\n(the probe reported:\n%s)",
                   r->user, missing, r->probe);
}

CHECK(pid_init_command_starts_clean)
{
    int with_init;

    /* With --init, and without: a mask blocked (or a signal ignored) in the
     * parent before the child exists reaches the command just the same. */
    for (with_init = 1; with_init >= 0; with_init--) {
        struct world_result *r =
            lab_run(c, NULL, with_init ? ARGS("--init", "--", probe()) : ARGS("--", probe()));

        expect_exit(c, r, 0);
        if (strcmp(probe_value(r, "sigblk"), "0000000000000000") ||
            strcmp(probe_value(r, "sigign"), "0000000000000000"))
            check_fail(c, "the command to start with no signal blocked and none ignored (SigBlk and SigIgn 0)",
                       "%s, the command's /proc/self/status: SigBlk %s, SigIgn %s (the mask and ignored signals "
                       "survive fork and exec: whoever blocked or ignored them before the command was made, "
                       "%s, must give them back)",
                       with_init ? "with --init" : "without --init", probe_value(r, "sigblk"),
                       probe_value(r, "sigign"), with_init ? "the init or the parent" : "the parent");
    }
}

CHECK(pid_init_exit_status)
{
    char script[32], path[64] = "/nonexistent-";
    unsigned code = rand_range(1, 120);
    struct world_result *r;

    snprintf(script, sizeof script, "exit %u", code);
    r = lab_run(c, NULL, ARGS("--init", "--", "/bin/sh", "-c", script));
    expect_exit(c, r, (int)code);
    /* The command's status is exec's too: a command that is not found is
     * 127 under --init as without it. */
    rand_hex(path + strlen(path), 8);
    strcat(path, "/command");
    r = lab_run(c, NULL, ARGS("--init", "--", path));
    if (!WIFEXITED(r->lab_status) || WEXITSTATUS(r->lab_status) != 127)
        check_fail(c, "exit status 127: under --init, a command that is not found gives 127 as without it",
                   "exit status %d: the init's child, whose exec failed, did not exit with 127\nstderr: %s",
                   WEXITSTATUS(r->lab_status), r->err[0] ? r->err : "(empty)");
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
    CHECK_ENTRY(pid_init_reaps_many_at_once, "--init reaps eight orphans that end at the same moment", DUTIES),
    CHECK_ENTRY(pid_init_forwards_every_signal, "each of the six signals sent to the init reaches the command", INIT),
    CHECK_ENTRY(pid_init_command_starts_clean, "the command starts with no signal blocked or ignored, with --init or not", INIT),
    CHECK_ENTRY(pid_init_forwards_sigterm, "SIGTERM to the init reaches the command (status 143)", INIT),
    CHECK_ENTRY(pid_init_exit_status, "--init exits with the command's status (127 when it is not found)", INIT),
    CHECK_ENTRY(pid_1_dies_everyone_dies, "when PID 1 exits, every process of the container dies", DIES),
    CHECK_ENTRY(pid_namespace_differs, "the PID namespace differs from the host's, seen from outside", PIDNS),
    CHECK_ENTRY(pid_help_and_verbose, "--help lists --init; --verbose names CLONE_NEWPID", INIT),
    { NULL, NULL, NULL, NULL },
};

LAYER("03_pid", checks);
