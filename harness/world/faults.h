/* Faults the kit's own tests inject into one run of a lab, to prove that a
 * check catches a lab that gets an ordering or an error path wrong. They are
 * no policy of the test world: a grader never sets them, and a world_spec
 * points to them (world_spec.faults) only in the checks that need them. */
#ifndef NSLAB_WORLD_FAULTS_H
#define NSLAB_WORLD_FAULTS_H

struct world_faults {
    int slow_parent;            /* hold the lab's first netlink send or open after its first
                                 * clone for 300 ms: a child that does not wait is caught */
    int fail_parent_send;       /* N: refuse (EPERM) the lab's Nth netlink send after its first
                                 * clone, and hold its child's network namespace open */
    int slow_cgroup;            /* hold the lab's first open of a cgroup.procs (or tasks) file
                                 * for 300 ms: a child that goes on before it is in its
                                 * group is caught outside it */
    int kill_parent;            /* SIGKILL the lab at the call slow_parent would hold (before it
                                 * lets its child go), then give the child 1 s to end alone */
    const char *no_controller;  /* "cpu", "memory", "pids": a world whose cgroups lack it */
};

/* Does this run hold or refuse a call of the lab's (so the lab's filter
 * must send W its calls)? */
static inline int faults_watch_calls(const struct world_faults *f)
{
    return f && (f->slow_parent || f->fail_parent_send || f->kill_parent || f->slow_cgroup);
}

#endif
