/* forbid_userns: run a command where no namespace can be made, the way
 * Docker's default seccomp profile forbids them (Gradescope runs its
 * autograders so): clone(2) with any CLONE_NEW* flag, unshare(2) and
 * setns(2) fail with EPERM, clone3(2) with ENOSYS (so that glibc falls back
 * to clone, whose flags the filter can see). Everything else is allowed,
 * and root stays root, as a container's root does.
 *
 *   forbid_userns COMMAND [ARG...]
 *
 * The kit's tests run Gradescope's run_autograder under it (make test:
 * gradescope_grades_in_a_vm_without_namespaces in harness/tests/run.sh). */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    static const unsigned long new_ns[] = { CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID,
                                            CLONE_NEWNET, CLONE_NEWCGROUP };
    scmp_filter_ctx ctx;
    size_t i;
    int rc = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: forbid_userns COMMAND [ARG...]\n");
        return 2;
    }
    ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) {
        fprintf(stderr, "forbid_userns: seccomp_init failed\n");
        return 125;
    }
    /* Docker does not set no_new_privs: a root that keeps its privileges. */
    if (geteuid() == 0)
        rc |= seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    for (i = 0; i < sizeof new_ns / sizeof new_ns[0]; i++)
        rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                               SCMP_A0(SCMP_CMP_MASKED_EQ, new_ns[i], new_ns[i]));
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 0);
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(setns), 0);
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    if (rc != 0 || seccomp_load(ctx) != 0) {
        fprintf(stderr, "forbid_userns: cannot load the filter\n");
        return 125;
    }
    seccomp_release(ctx);
    execvp(argv[1], argv + 1);
    fprintf(stderr, "forbid_userns: cannot run %s: %s\n", argv[1], strerror(errno));
    return 127;
}
