/* What the parts of the test world share with each other, and nobody else:
 * world.c (lifecycle), world_fs.c (filesystem), world_cgroup.c (cgroups),
 * world_lab.c (running the lab), world_proc.c (/proc and snapshots). */
#ifndef NSLAB_WORLD_INT_H
#define NSLAB_WORLD_INT_H

#include "world.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

/* Root of the world, as the machine sees it, when the harness runs as root:
 * an unprivileged range no account uses, wide enough for a lab's own nested
 * maps (lab 06's default 0:100000:65536 needs 165536 IDs). */
#define WORLD_HOST_ID_BASE 1879048192u   /* 0x70000000 */
#define WORLD_ID_COUNT 262144u

/* Record why the world could not be made (ENV); returns -1. */
int world_fail(struct world_result *r, const char *step);

/* ---- world_proc.c ---- */

/* W's handle on the world's own /proc (-1 outside W). */
extern int proc_fd;
/* A whole file, however long, malloc'd and NUL-terminated; NULL on error. */
char *read_whole(int dir, const char *path);
double clock_gap_now(void);

/* ---- world_fs.c ---- */

/* Stage A: the world's view of the filesystem (in W0). */
int fs_prepare_view(struct world_result *r, const struct world_spec *spec);
/* Stage B: the world's own /proc, /sys, /dev/pts, /dev/shm, /dev/mqueue,
 * shared propagation (in W). */
int fs_world_mounts(struct world_result *r);
/* Stage B: lab 10's root filesystem at WORLD_ROOT_DIR, as spec->root says
 * (in W, before the check's setup). */
int fs_make_root(struct world_result *r, const struct world_spec *spec);

/* ---- world_cgroup.c ---- */

#define CG_MAX 6

struct cg_hierarchy {
    char name[64];              /* the mount point's last part: "pids", "cpu,cpuacct" */
    char options[256];          /* what to mount it with: "pids" (v1) */
    char dir[PATH_MAX];         /* the world's cgroup on the machine */
    int root_fd;                /* in W: the hierarchy's root inside the world */
};

struct cgroups {
    int version;                /* 0: none for the world, 1, 2 */
    int n;
    struct cg_hierarchy h[CG_MAX];
    int leaf_procs_fd;          /* v2: the init leaf's cgroup.procs, opened by H for W0 */
    int subtree_fd;             /* v2: the world cgroup's cgroup.subtree_control, likewise */
    char top[PATH_MAX];         /* v2: the cgroup above the world's, which holds its limits */
    char hidden[16];            /* a controller the world must not have (world_spec.no_controller) */
};

/* In H: make the world's cgroup (limits set, delegated to uid/gid). */
void cg_setup(struct cgroups *cg, struct world_result *r, uid_t uid, gid_t gid, const char *hidden);
/* In H: put pid in the world's cgroup. */
void cg_enter(const struct cgroups *cg, pid_t pid);
/* In H: open what W0's cg_after_clone writes. Opened on H's own mount, W0
 * can still write them once stage A has made its copy of /sys read-only (and
 * stage A's read-only remount is not refused for a file open for writing). */
void cg_open_for_w0(struct cgroups *cg);
/* In H, once W0 has its copies. */
void cg_close_for_w0(struct cgroups *cg);
/* In W0, once W exists: on v2, move W0 and W to a leaf and enable the
 * controllers for the lab's cgroups (no internal processes). */
void cg_after_clone(struct cgroups *cg, pid_t w);
/* In W: mount the world's hierarchies on /sys/fs/cgroup. */
int cg_mount_inside(struct cgroups *cg, struct world_result *r);
/* In W: one line per cgroup below the world's root. */
void cg_snapshot(const struct cgroups *cg, FILE *f);
/* In H: remove the world's cgroup and everything a lab left in it. */
void cg_remove(const struct cgroups *cg);

extern struct cgroups world_cgroups;

/* ---- world_lab.c ---- */

/* In W: run the lab, watch it, kill what is left. */
void run_lab(const struct world_spec *spec, struct world_result *r);

#endif
