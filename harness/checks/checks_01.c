/* The checks of lab 01_clone_uts: the command line, the exit statuses, and
 * a UTS namespace of the container's own. Every later lab runs them too. */
#define _GNU_SOURCE
#include "checks.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define UTS "01_clone_uts.md#the-uts-namespace"
#define STATUS "01_clone_uts.md#command-line-and-exit-status"
#define WAITING "01_clone_uts.md#waiting-for-the-child"

CHECK(uts_hostname_from_option)
{
    char host[32], want[40];
    struct world_result *r;

    random_hostname(host, sizeof host);
    r = lab_run(c, NULL, ARGS("--hostname", host, "--", "hostname"));
    snprintf(want, sizeof want, "%s\n", host);
    expect_stdout(c, r, want);
    expect_exit(c, r, 0);
}

CHECK(uts_hostname_in_proc)
{
    char host[32], want[40];
    struct world_result *r;

    random_hostname(host, sizeof host);
    r = lab_run(c, NULL, ARGS("--hostname", host, "--", "cat", "/proc/sys/kernel/hostname"));
    snprintf(want, sizeof want, "%s\n", host);
    expect_stdout(c, r, want);
    expect_exit(c, r, 0);
}

CHECK(uts_default_hostname)
{
    char mark[16], script[64], want[64];
    struct world_result *r;

    /* A random line first, so that printing "container" is not enough. */
    rand_hex(mark, 12);
    snprintf(script, sizeof script, "echo %s; hostname", mark);
    snprintf(want, sizeof want, "%s\ncontainer\n", mark);
    r = lab_run(c, NULL, ARGS("--", "/bin/sh", "-c", script));
    expect_stdout(c, r, want);
    expect_exit(c, r, 0);
}

CHECK(uts_hostname_64_bytes)
{
    char host[65], want[70];
    struct world_result *r;

    rand_hex(host, 64);   /* HOST_NAME_MAX: the longest name allowed */
    r = lab_run(c, NULL, ARGS("--hostname", host, "hostname"));
    snprintf(want, sizeof want, "%s\n", host);
    expect_stdout(c, r, want);
    expect_exit(c, r, 0);
}

/* In `during`: what is the host's hostname while the container runs? */
static void host_name_now(struct world_result *r, void *data)
{
    (void)data;
    gethostname(r->user, 65);
}

CHECK(uts_host_hostname_unchanged)
{
    char host[32], before[80];
    struct world_spec spec = { .during = host_name_now };
    struct world_result *r;

    random_hostname(host, sizeof host);
    r = lab_run(c, &spec, ARGS("--hostname", host, "--", probe(), "--wait"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    kv_get(r->before, "hostname", before, sizeof before);
    if (strcmp(r->user, before) != 0)
        check_fail(c, before, "while the container ran, the host's hostname was %s", r->user);
}

CHECK(uts_namespace_differs)
{
    struct world_result *r = lab_run(c, NULL, ARGS("--", probe(), "--wait"));

    expect_exit(c, r, 0);
    expect_ns_differs(c, r, NS_UTS);
}

CHECK(exit_status_passthrough)
{
    char script[32], want[8];
    unsigned code = rand_range(1, 120);
    struct world_result *r;

    snprintf(script, sizeof script, "exit %u", code);
    snprintf(want, sizeof want, "%u", code);
    r = lab_run(c, NULL, ARGS("--", "/bin/sh", "-c", script));
    expect_exit(c, r, (int)code);
}

CHECK(exit_status_signal)
{
    /* SIGKILL from outside: even a PID 1 cannot ignore it. */
    struct world_spec spec = { .kill_probe = 1 };
    struct world_result *r = lab_run(c, &spec, ARGS("--", probe(), "--wait"));

    expect_probe_ready(c, r);
    expect_exit(c, r, 128 + 9);
}

CHECK(exit_127_not_found)
{
    char path[64] = "/nonexistent-";
    struct world_result *r;

    rand_hex(path + strlen(path), 8);
    strcat(path, "/command");
    r = lab_run(c, NULL, ARGS("--", path));
    expect_exit(c, r, 127);
}

/* In `setup`: a file that exists but may not be executed. */
static void make_plain_file(struct world_result *r, void *data)
{
    int fd = open(data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

    if (fd == -1 || write(fd, "#!/bin/sh\necho ran\n", 19) != 19)
        world_setup_failed(r, "could not make %s: %s", (char *)data, strerror(errno));
    if (fd != -1)
        close(fd);
}

CHECK(exit_126_not_executable)
{
    char path[64] = "/tmp/nslab-plain-";
    struct world_spec spec = { .setup = make_plain_file, .data = path };
    struct world_result *r;

    rand_hex(path + strlen(path), 8);
    r = lab_run(c, &spec, ARGS("--", path));
    expect_exit(c, r, 126);
}

CHECK(exit_125_hostname_too_long)
{
    char host[66];
    struct world_result *r;

    rand_hex(host, 65);
    r = lab_run(c, NULL, ARGS("--hostname", host, "--", "true"));
    expect_exit(c, r, 125);
    expect_one_error_line(c, r);
}

CHECK(exit_125_bad_option)
{
    char option[40] = "--no-such-option-";
    struct world_result *r;

    rand_hex(option + strlen(option), 6);
    r = lab_run(c, NULL, ARGS(option, "--", "true"));
    expect_exit(c, r, 125);
    expect_one_error_line(c, r);
    /* A missing value is a usage error too. */
    r = lab_run(c, NULL, ARGS("--hostname"));
    expect_exit(c, r, 125);
    expect_one_error_line(c, r);
}

CHECK(help_exits_0)
{
    struct world_result *r = lab_run(c, NULL, ARGS("--help"));

    expect_exit(c, r, 0);
    if (!strstr(r->out, "--hostname") || !strstr(r->out, "--verbose"))
        check_fail(c, "usage on stdout that lists --hostname and --verbose", "stdout: %s", r->out);
}

CHECK(default_command_is_sh)
{
    char host[32], script[64], want[40];
    unsigned code = rand_range(1, 100);
    struct world_spec spec = { .stdin_text = script };
    struct world_result *r;

    random_hostname(host, sizeof host);
    snprintf(script, sizeof script, "hostname; exit %u\n", code);
    snprintf(want, sizeof want, "%s\n", host);
    r = lab_run(c, &spec, ARGS("--hostname", host));
    expect_exit(c, r, (int)code);
    expect_stdout(c, r, want);
}

CHECK(args_pass_through)
{
    char host[32], other[32];
    struct world_result *r;

    random_hostname(host, sizeof host);
    random_hostname(other, sizeof other);
    /* No "--": the first word that is not an option is the command, and
     * everything after it belongs to the command. */
    r = lab_run(c, NULL, ARGS("--hostname", host, probe(), "-v", "--hostname", other, "--"));
    expect_exit(c, r, 0);
    if (strcmp(probe_value(r, "argc"), "5") || strcmp(probe_value(r, "arg 1"), "-v") ||
        strcmp(probe_value(r, "arg 2"), "--hostname") || strcmp(probe_value(r, "arg 3"), other) ||
        strcmp(probe_value(r, "arg 4"), "--"))
        check_fail(c, "the command to get: -v --hostname OTHER --",
                   "the command got %s arguments: %s %s %s %s", probe_value(r, "argc"),
                   probe_value(r, "arg 1"), probe_value(r, "arg 2"), probe_value(r, "arg 3"),
                   probe_value(r, "arg 4"));
    if (strcmp(probe_value(r, "uname_nodename"), host))
        check_fail(c, host, "hostname inside: %s", probe_value(r, "uname_nodename"));
}

CHECK(waits_for_command)
{
    char mark[32] = "done-", script[64];
    const char *at;
    struct world_result *r;

    rand_hex(mark + strlen(mark), 8);
    snprintf(script, sizeof script, "sleep 0.2; echo %s", mark);
    r = lab_run(c, NULL, ARGS("--", "/bin/sh", "-c", script));
    at = strstr(r->out, mark);
    if (!at || (size_t)(at - r->out) + strlen(mark) > r->out_at_exit)
        check_fail(c, "the lab to return only after the command printed its line",
                   "by the time the lab returned, stdout was: %.*s", (int)r->out_at_exit, r->out);
    expect_exit(c, r, 0);
}

CHECK(no_process_left)
{
    char mark[32] = "ran-", script[64], want[40];
    struct world_result *r;
    const char *p;

    rand_hex(mark + strlen(mark), 8);
    snprintf(script, sizeof script, "sleep 0.1; echo %s", mark);
    snprintf(want, sizeof want, "%s\n", mark);
    r = lab_run(c, NULL, ARGS("--", "/bin/sh", "-c", script));
    /* lab_run already fails a lab that leaves a process; say it plainly. */
    p = strstr(r->after, "process ");
    if (p)
        check_fail(c, "no process of the lab left once it returned", "%s", p);
    expect_stdout(c, r, want);
    expect_exit(c, r, 0);
}

CHECK(verbose_narrates)
{
    char pid[16];
    struct world_result *r = lab_run(c, NULL, ARGS("--verbose", "--", probe(), "--wait"));

    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    snprintf(pid, sizeof pid, "%d", (int)r->probe_pid);
    if (!strstr(r->err, "CLONE_NEWUTS") || !strstr(r->err, pid))
        check_fail(c, "stderr to narrate the clone: its flags (CLONE_NEWUTS) and the child's PID",
                   "stderr (the child was PID %s):\n%s", pid, r->err);
}

static const struct check_info checks[] = {
    CHECK_ENTRY(uts_hostname_from_option, "hostname inside is the --hostname value", UTS),
    CHECK_ENTRY(uts_hostname_in_proc, "/proc/sys/kernel/hostname inside is the --hostname value", UTS),
    CHECK_ENTRY(uts_default_hostname, "hostname inside defaults to container", STATUS),
    CHECK_ENTRY(uts_hostname_64_bytes, "a 64-byte hostname is accepted", UTS),
    CHECK_ENTRY(uts_host_hostname_unchanged, "the host's hostname stays the same", UTS),
    CHECK_ENTRY(uts_namespace_differs, "the UTS namespace differs from the host's, seen from outside", UTS),
    CHECK_ENTRY(exit_status_passthrough, "the command's exit status comes back", STATUS),
    CHECK_ENTRY(exit_status_signal, "a command killed by SIGKILL gives 137", STATUS),
    CHECK_ENTRY(exit_127_not_found, "a missing command gives 127", STATUS),
    CHECK_ENTRY(exit_126_not_executable, "a command that cannot be executed gives 126", STATUS),
    CHECK_ENTRY(exit_125_hostname_too_long, "a hostname over 64 bytes gives 125 and one error line", STATUS),
    CHECK_ENTRY(exit_125_bad_option, "an unknown option or missing value gives 125 and one error line", STATUS),
    CHECK_ENTRY(help_exits_0, "--help prints usage and exits 0", STATUS),
    CHECK_ENTRY(default_command_is_sh, "the default command is /bin/sh", STATUS),
    CHECK_ENTRY(args_pass_through, "the command's own options pass through", STATUS),
    CHECK_ENTRY(waits_for_command, "the lab returns only after the command has finished", WAITING),
    CHECK_ENTRY(no_process_left, "no process is left behind", WAITING),
    CHECK_ENTRY(verbose_narrates, "--verbose narrates the clone flags and the child's PID", STATUS),
    { NULL, NULL, NULL, NULL },
};

LAYER("01_clone_uts", checks);
