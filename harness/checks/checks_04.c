/* The checks of lab 04_mount_proc: a private mount table and a fresh /proc.
 * The test world's mounts are shared, as on a systemd host, so a lab that
 * forgets to make its mounts private leaks them into the world and fails. */
#define _GNU_SOURCE
#include "checks.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROC "04_mount_proc.md#a-fresh-proc"
#define PROPAGATION "04_mount_proc.md#mount-propagation"
#define MNTNS "04_mount_proc.md#the-mount-namespace"

CHECK(mnt_ps_lists_only_the_container)
{
    struct world_result *r = lab_run(c, NULL, ARGS("--", "/bin/sh", "-c", "ps -e -o pid= -o comm="));
    char *copy, *line, *save = NULL;
    int lines = 0, ok = 1;

    expect_exit(c, r, 0);
    copy = strdup(r->out);
    for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char comm[64] = "";
        int pid = 0;
        lines++;
        if (sscanf(line, "%d %63s", &pid, comm) != 2 || (strcmp(comm, "sh") && strcmp(comm, "ps")) ||
            (pid == 1 && strcmp(comm, "sh")))
            ok = 0;
    }
    free(copy);
    if (!ok || lines != 2)
        check_fail(c, "ps -e to list two processes: 1 sh, and ps", "ps -e printed:\n%s", r->out);
    /* With --init too: the init is PID 1, ps PID 2, and nothing else. */
    r = lab_run(c, NULL, ARGS("--init", "--", "ps", "-e", "-o", "pid=", "-o", "comm="));
    expect_exit(c, r, 0);
    copy = strdup(r->out);
    lines = 0;
    ok = 1;
    for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char comm[64] = "";
        int pid = 0;
        lines++;
        if (sscanf(line, "%d %63s", &pid, comm) != 2 || pid != lines || (pid == 2 && strcmp(comm, "ps")))
            ok = 0;
    }
    free(copy);
    if (!ok || lines != 2)
        check_fail(c, "with --init, ps -e to list two processes: 1 the init, 2 ps (the /proc of the container's PID namespace)",
                   "ps -e printed:\n%s(under --init the command does not see a /proc of the container's own: is "
                   "/proc mounted on the way to the init as on the way to the command?)", r->out);
}

CHECK(mnt_proc_1_is_the_command)
{
    char mark[16], script[96];
    struct world_result *r;

    rand_hex(mark, 12);
    /* /proc/1/cmdline holds the script itself, mark and all. */
    snprintf(script, sizeof script, "tr '\\0' ' ' < /proc/1/cmdline; echo; : %s", mark);
    r = lab_run(c, NULL, ARGS("--", "/bin/sh", "-c", script));
    expect_exit(c, r, 0);
    if (!strstr(r->out, mark))
        check_fail(c, "/proc/1/cmdline inside to be the command", "/proc/1/cmdline: %s", r->out);
}

/* Only the mount lines of a snapshot. */
static char *mounts_of(const char *snapshot)
{
    char *copy = strdup(snapshot), *out = calloc(1, strlen(snapshot) + 1), *line, *save = NULL;

    for (line = strtok_r(copy, "\n", &save); line && out; line = strtok_r(NULL, "\n", &save))
        if (strncmp(line, "mount ", 6) == 0) {
            strcat(out, line);
            strcat(out, "\n");
        }
    free(copy);
    return out;
}

CHECK(mnt_host_mounts_unchanged)
{
    struct world_result *r = lab_run(c, NULL, ARGS("--", probe(), "--wait"));
    char *before, *during, *changes;

    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    before = mounts_of(r->before);
    during = mounts_of(r->during_snap);
    changes = diff_lines(before, during);
    free(before);
    free(during);
    if (changes) {
        char seen[8192];
        snprintf(seen, sizeof seen, "while the container ran, the host's mount table changed:\n%s", changes);
        free(changes);
        check_fail(c, "the host's mount table (shared, as on a systemd host) to stay as it was", "%s", seen);
    }
}

CHECK(mnt_tmpfs_stays_inside)
{
    char mark[16], source[32], script[4300];
    struct world_result *r;

    rand_hex(mark, 12);
    snprintf(source, sizeof source, "nslab-%s", mark);
    snprintf(script, sizeof script, "mkdir -p /tmp/%s && mount -t tmpfs %s /tmp/%s && exec %s --wait",
             source, source, source, probe());
    /* A lab with --cap-add (08) keeps CAP_SYS_ADMIN, which mount(2) needs,
     * only when asked; a lab with --seccomp (10) refuses mount(2) by default. */
    if (graded_has_option("--seccomp"))
        r = lab_run(c, NULL, ARGS("--cap-add", "SYS_ADMIN", "--seccomp", "unconfined", "--", "/bin/sh", "-c", script));
    else if (graded_has_option("--cap-add"))
        r = lab_run(c, NULL, ARGS("--cap-add", "SYS_ADMIN", "--", "/bin/sh", "-c", script));
    else
        r = lab_run(c, NULL, ARGS("--", "/bin/sh", "-c", script));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    if (strstr(r->during_snap, source))
        check_fail(c, "a tmpfs mounted inside not to appear on the host",
                   "the host's mount table listed it while the container ran (mounts not private?)");
}

/* In `after`: does the host's /proc still show the host's processes? */
static void host_proc_now(struct world_result *r, void *data)
{
    char self[32] = "";
    ssize_t n = readlink("/proc/self", self, sizeof self - 1);

    (void)data;
    snprintf(r->user, sizeof r->user, "%s", n > 0 ? self : "(unreadable)");
}

CHECK(mnt_host_proc_intact)
{
    struct world_spec spec = { .after = host_proc_now };
    struct world_result *r = lab_run(c, &spec, ARGS("--", "/bin/sh", "-c", "ps -e > /dev/null"));

    expect_exit(c, r, 0);
    /* The world's harness is PID 1 of the world, as its /proc should say. */
    if (strcmp(r->user, "1") != 0)
        check_fail(c, "the host's /proc to show the host's processes after the run",
                   "on the host, /proc/self is %s", r->user);
}

CHECK(mnt_namespace_differs)
{
    struct world_result *r = lab_run(c, NULL, ARGS("--", probe(), "--wait"));

    expect_exit(c, r, 0);
    expect_ns_differs(c, r, NS_MNT);
}

CHECK(mnt_verbose_narrates)
{
    expect_verbose_names(c, "CLONE_NEWNS");
}

static const struct check_info checks[] = {
    CHECK_ENTRY(mnt_ps_lists_only_the_container, "ps -e inside lists only the container's processes, with --init too", PROC),
    CHECK_ENTRY(mnt_proc_1_is_the_command, "/proc/1/cmdline inside is the command", PROC),
    CHECK_ENTRY(mnt_host_mounts_unchanged, "the host's mount table is the same during the run", PROPAGATION),
    CHECK_ENTRY(mnt_tmpfs_stays_inside, "a tmpfs mounted inside is not seen on the host", PROPAGATION),
    CHECK_ENTRY(mnt_host_proc_intact, "the host's /proc still shows the host's processes after", PROC),
    CHECK_ENTRY(mnt_namespace_differs, "the mount namespace differs from the host's, seen from outside", MNTNS),
    CHECK_ENTRY(mnt_verbose_narrates, "--verbose names CLONE_NEWNS", MNTNS),
    { NULL, NULL, NULL, NULL },
};

LAYER("04_mount_proc", checks);
