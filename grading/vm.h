/* Grading in a VM where this machine cannot make a test world (no user
 * namespaces: Docker's default seccomp profile, as on Gradescope; a
 * locked-down machine): the same grading, re-run by harness/vm.sh inside a
 * small QEMU guest, where namespaces work. See grading/vm.c. */
#ifndef NSLAB_VM_H
#define NSLAB_VM_H

/* What the grading reads and writes: the guest must see it. */
struct vm_grading {
    const char *out, *submission, *harness, *rubric, *registry, *hints, *hints_opened;
    int colour;     /* 1 or 0, as decided here (the guest has no terminal) */
    int nlabs;      /* labs graded: the VM's time limit grows with them */
};

/* 1 when the grading should happen in a VM: the harness says no test world
 * can be made here (nslab-check doctor --world), or NSLAB_VM=always; never
 * with NSLAB_VM=no, nor inside the VM itself. */
int vm_instead(const char *harness);

/* Grade in the VM (argv: the grader's own arguments, given again there) and
 * return the grader's exit status. If no VM can be had, grade here instead
 * (every check ENV, as without this fallback) and say why the VM could not
 * be used. Either way results.json's output says it in one line. */
int vm_grade(int argc, char **argv, const struct vm_grading *g);

#endif
