/* The checks of lab 02_ipc: System V IPC objects stay on their side of the
 * container's wall, both ways. */
#define _GNU_SOURCE
#include "checks.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#define IPC "02_ipc.md#the-ipc-namespace"
#define BY_HAND "02_ipc.md#check-your-work-by-hand"

/* A random System V key a lab cannot know in advance. */
static key_t random_key(void)
{
    return (key_t)rand_range(0x10000000, 0x7ffffff0);
}

/* In `setup`: the host's own message queue, segment and semaphore set. */
static void make_host_objects(struct world_result *r, void *data)
{
    key_t key = *(key_t *)data;

    if (msgget(key, IPC_CREAT | 0600) == -1 || shmget(key, 4096, IPC_CREAT | 0600) == -1 ||
        semget(key, 1, IPC_CREAT | 0600) == -1)
        world_setup_failed(r, "could not make the host's IPC objects with key 0x%08x: %s", (unsigned)key,
                           strerror(errno));
}

CHECK(ipc_host_objects_not_listed)
{
    key_t key = random_key();
    char hex[16];
    struct world_spec spec = { .setup = make_host_objects, .data = &key };
    struct world_result *r;
    char script[256];

    /* ipcs's output comes through the lab; the command's IPC namespace,
     * seen from outside, says whether the host's objects were in its view
     * (a lab without one that covers /proc/sysvipc lists none either). */
    snprintf(script, sizeof script, "ipcs -q; ipcs -m; ipcs -s; exec %s --wait", probe());
    r = lab_run(c, &spec, ARGS("--", "/bin/sh", "-c", script));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    snprintf(hex, sizeof hex, "0x%08x", (unsigned)key);
    if (!strstr(r->out, "Message Queues"))
        check_fail(c, "ipcs to list the container's message queues", "stdout: %s\nstderr: %s", r->out, r->err);
    if (strstr(r->out, hex))
        check_fail(c, "ipcs inside not to list the host's objects", "the host's key %s in:\n%s", hex, r->out);
    if (r->probe_ns[NS_IPC] && r->probe_ns[NS_IPC] == r->world_ns[NS_IPC])
        check_fail(c, "ipcs inside not to list the host's objects: the command in an IPC namespace of its own",
                   "the command is in the host's IPC namespace (ipc:[%lu]), where the host's key %s is: what ipcs "
                   "printed was not the namespace's own view", r->probe_ns[NS_IPC], hex);
}

CHECK(ipc_host_objects_unreachable)
{
    key_t key = random_key();
    char hex[16];
    struct world_spec spec = { .setup = make_host_objects, .data = &key };
    struct world_result *r;

    snprintf(hex, sizeof hex, "%x", (unsigned)key);
    r = lab_run(c, &spec, ARGS("--", probe(), "--ipc-probe", hex));
    expect_exit(c, r, 0);
    if (strcmp(probe_value(r, "ipc_reach msg"), "no") || strcmp(probe_value(r, "ipc_reach shm"), "no") ||
        strcmp(probe_value(r, "ipc_reach sem"), "no"))
        check_fail(c, "msgget, shmget and semget of the host's key 0x... to fail with ENOENT",
                   "reachable from inside: message queue %s, shared memory %s, semaphores %s",
                   probe_value(r, "ipc_reach msg"), probe_value(r, "ipc_reach shm"),
                   probe_value(r, "ipc_reach sem"));
}

CHECK(ipc_inside_objects_stay_inside)
{
    key_t key = random_key();
    char hex[16], line[64];
    struct world_result *r;

    snprintf(hex, sizeof hex, "%x", (unsigned)key);
    /* /proc/sysvipc shows keys in decimal. */
    snprintf(line, sizeof line, "key=%d ", (int)key);
    r = lab_run(c, NULL, ARGS("--", probe(), "--wait", "--ipc-make", hex));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    if (probe_value(r, "ipc_made msg")[0] == '-' || probe_value(r, "ipc_made shm")[0] == '-')
        check_fail(c, "the command to be able to make IPC objects", "%s", r->probe);
    if (strstr(r->during_snap, line))
        check_fail(c, "objects made inside not to appear on the host",
                   "while the container ran, the host's /proc/sysvipc listed key 0x%s", hex);
}

CHECK(ipc_namespace_differs)
{
    struct world_result *r = lab_run(c, NULL, ARGS("--", probe(), "--wait"));

    expect_exit(c, r, 0);
    expect_ns_differs(c, r, NS_IPC);
}

CHECK(ipc_verbose_narrates)
{
    expect_verbose_names(c, "CLONE_NEWIPC");
}

static const struct check_info checks[] = {
    CHECK_ENTRY(ipc_host_objects_not_listed, "ipcs inside does not list the host's IPC objects", BY_HAND),
    CHECK_ENTRY(ipc_host_objects_unreachable, "the host's IPC objects cannot be reached by key", IPC),
    CHECK_ENTRY(ipc_inside_objects_stay_inside, "IPC objects made inside are not seen on the host", IPC),
    CHECK_ENTRY(ipc_namespace_differs, "the IPC namespace differs from the host's, seen from outside", IPC),
    CHECK_ENTRY(ipc_verbose_narrates, "--verbose names CLONE_NEWIPC", IPC),
    { NULL, NULL, NULL, NULL },
};

LAYER("02_ipc", checks);
