/* nslab-check doctor [--porcelain]: what this machine can grade, lab by lab,
 * as the grader itself decides it: the needs it checks before any world is
 * made (needs.c: namespaces, kernel, tools), then one real test world made
 * here in the mode grading would use (as root, or rootless), and what each
 * lab needs of it (judge.c's world_lacks, as lab_run asks). So the doctor
 * and the grader cannot disagree.
 *
 * --porcelain: one line a lab, "NN_name<TAB>ok|ENV<TAB>why", for scripts.
 * Exit 0 when every ready lab can be graded here, 1 otherwise.
 *
 * --world: only whether a test world can be made here at all: "ok", exit 0;
 * or why not, exit 1. The grader asks it before grading (grading/vm.c):
 * where no world can be made, it grades in a VM instead. */
#define _GNU_SOURCE
#include "commands.h"
#include "checks.h"
#include "judge.h"
#include "needs.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

/* The world grading would get here: a probe run in it. */
static const struct world_result *make_one_world(void)
{
    static char *argv[] = { WORLD_KIT_DIR "/nslab-probe", NULL };
    struct world_spec spec = { 0 };

    spec.argv = argv;
    spec.timeout = 10;
    return world_run(&spec);
}

/* Why lab i cannot be graded here, or NULL. */
static const char *why_not(const struct registry *reg, int i, const struct world_result *r, char *why, size_t n)
{
    const char *unmet = lab_needs_unmet(reg, i);
    int needs = registry_world(reg, i);
    char rootfs[4096];

    if (unmet)
        return unmet;
    if (!r) {
        snprintf(why, n, "no memory for a test world");
        return why;
    }
    if (!r->ready) {
        snprintf(why, n, "no test world can be made here: %s", r->env_error);
        return why;
    }
    if (world_lacks(needs, r, why, n))
        return why;
    snprintf(rootfs, sizeof rootfs, "%s/bin/busybox", getenv("NSLAB_ROOTFS") && *getenv("NSLAB_ROOTFS")
                                                           ? getenv("NSLAB_ROOTFS") : helper_path("rootfs"));
    if ((needs & NEED_ROOT) && access(rootfs, X_OK) != 0) {
        snprintf(why, n, "no root filesystem for --root (%.1900s): make rootfs", rootfs);
        return why;
    }
    return NULL;
}

int cmd_doctor(const struct registry *reg, int argc, char **argv)
{
    const struct world_result *r;
    int porcelain = argc == 2 && strcmp(argv[1], "--porcelain") == 0, i, ready = 0, ok = 0;
    int world_only = argc == 2 && strcmp(argv[1], "--world") == 0;
    static char why[2048];

    if (argc > 2 || (argc == 2 && !porcelain && !world_only)) {
        fprintf(stderr, "usage: nslab-check doctor [--porcelain|--world]\n");
        return 2;
    }
    r = make_one_world();
    if (world_only) {
        printf("%s\n", !r ? "no memory for a test world" : r->ready ? "ok" : r->env_error);
        return r && r->ready ? 0 : 1;
    }
    if (!porcelain && r && r->ready)
        printf("The test world here: made %s; %u IDs besides its root; %s.\n",
               r->rootless ? "without root (in a user namespace of your own)" : "as root",
               r->users, r->cgroup_version ? (r->cgroup_version == 2 ? "cgroups v2 of its own" : "cgroups v1 of its own")
                                           : "no cgroups of its own");
    /* Who the world's root is on the machine: what a lab's processes are
     * charged to (pipes, keys, locked memory...), and whose they could reach. */
    if (!porcelain && r && r->ready && r->rootless && r->root_host_uid == geteuid())
        printf("Its root is your own user ID: a lab's processes run as you (in the world only) and count against your "
               "own limits. With 65537 subordinate IDs or more it would be one of them: sudo usermod --add-subuids "
               "100000-165536 --add-subgids 100000-165536 $USER (and install uidmap).\n");
    else if (!porcelain && r && r->ready)
        printf("Its root is ID %u of the machine (%s), no ID of yours.\n", (unsigned)r->root_host_uid,
               r->rootless ? "your first subordinate ID" : "the world's own range");
    for (i = 0; i < reg->n; i++) {
        const char *no;
        if (!reg->labs[i].ready)
            continue;
        ready++;
        no = why_not(reg, i, r, why, sizeof why);
        ok += !no;
        if (porcelain)
            printf("%s\t%s\t%s\n", reg->labs[i].name, no ? "ENV" : "ok", no ? no : "");
        else if (no)
            printf("  %-20s NO   %s\n", reg->labs[i].name, no);
        else
            printf("  %-20s ok   can be graded here%s\n", reg->labs[i].name,
                   r->rootless ? ", without root" : " (as root)");
    }
    if (!porcelain)
        printf("doctor: %d of %d labs can be graded here%s\n", ok, ready,
               r && r->ready ? (r->rootless ? " without root" : " as root") : "");
    return ok == ready ? 0 : 1;
}
