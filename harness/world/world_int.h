/* What the parts of the test world offer world.c, and nobody else. The calls
 * go one way: world.c (the lifecycle and the snapshots) calls fs.c (the
 * filesystem), cgroup.c (the cgroups), run.c (running the lab) and proc.c
 * (reading the world's /proc); run.c calls witness.c (the probe seen from
 * outside); fs.c, cgroup.c, run.c and witness.c call proc.c; nothing calls
 * back. Each file keeps its own state; none shares a variable with another. */
#ifndef NSLAB_WORLD_INT_H
#define NSLAB_WORLD_INT_H

#include "world.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

/* Root of the world, as the machine sees it, when the harness runs as root:
 * an unprivileged range no account uses, wide enough for a lab's own nested
 * maps (lab 06's default 0:100000:65536 needs 165536 IDs), one of
 * WORLD_ID_SLOTS such ranges, each world its own (world.c's world_ids):
 * 0x70000000 up to 0xefffffff. */
#define WORLD_HOST_ID_BASE 1879048192u   /* 0x70000000 */
#define WORLD_ID_COUNT 262144u
#define WORLD_ID_SLOTS 8192u

/* Record why the world could not be made (ENV), with errno's reason;
 * returns -1. */
static inline int world_fail(struct world_result *r, const char *step)
{
    const char *why = strerror(errno);

    snprintf(r->env_error, sizeof r->env_error, "%.400s: %s", step, why);
    return -1;
}

/* ---- proc.c ---- */

/* A file, by what names it on the machine. */
struct file_id {
    dev_t dev;
    ino_t ino;
};
/* The processes running one of `files` (by /proc/PID/exe: a copy renamed,
 * or a process named like it, is told apart), the topmost of them only (not
 * their children): how many into *copies, and the first's PID (0: none). */
pid_t find_program(const struct file_id *files, int n, int *copies);
/* Does pid run one of `files`? */
int runs_one_of(pid_t pid, const struct file_id *files, int n);
/* The process deepest in the world's tree whose descriptor fd is the pipe
 * with inode `pipe` (a copy of the probe, waiting on the harness's pipe
 * under another file's name), or 0. */
pid_t deepest_holder(int fd, ino_t pipe);

/* A mount of a new or existing superblock of fstype ("proc", "cgroup") with
 * these options ("memory,name=x", or NULL), attached nowhere (fsopen(2),
 * fsmount(2)): its fd, through which nothing a lab mounts is ever seen; or
 * -1 with errno (before Linux 5.2, ENOSYS). */
int detached_mount(const char *fstype, const char *options, int read_only);
/* In W, once the world's /proc is mounted: look through this handle (a
 * detached proc of the world's: fs_world_mounts) from now on. */
void proc_use(int fd);
double clock_gap_now(void);
/* The private memory (anonymous, resident) of the world's processes but
 * PID 1, in MiB. */
long proc_private_mb(void);
/* The world's processes but PID 1, one "process PID COMM" line each. */
void proc_snapshot(FILE *f);
/* IPC objects, mounts, links, addresses and routes of the world's host. */
void proc_snapshot_objects(FILE *f);

/* ---- fs.c ---- */

/* Stage A: the world's view of the filesystem (in W0). */
int fs_prepare_view(struct world_result *r, const struct world_spec *spec);
/* Stage B: the world's own /proc (its handle into *proc), /sys, /dev/pts,
 * /dev/shm, /dev/mqueue (in W). */
int fs_world_mounts(struct world_result *r, int *proc);
/* Stage B, last: every mount shared, as on a systemd host. */
int fs_share_everything(struct world_result *r);
/* Stage B: lab 10's root filesystem at WORLD_ROOT_DIR, as spec->root says
 * (in W, before the check's setup). */
int fs_make_root(struct world_result *r, const struct world_spec *spec);

/* ---- cgroup.c: the world's cgroup (one per world, kept in cgroup.c) ---- */

/* In H: make the world's cgroup (limits set, delegated to uid/gid; without
 * the controller `hidden`). Returns its version: 1, 2, or 0 (none). */
int cg_setup(struct world_result *r, uid_t uid, gid_t gid, const char *hidden);
/* In H: put pid in the world's cgroup. */
void cg_enter(pid_t pid);
/* In H: open what W0's cg_after_clone writes. Opened on H's own mount, W0
 * can still write them once stage A has made its copy of /sys read-only (and
 * stage A's read-only remount is not refused for a file open for writing). */
void cg_open_for_w0(void);
/* In H, once W0 has its copies. */
void cg_close_for_w0(void);
/* In W0, rootless, before stage A: give the world's cgroup to uid:gid (of
 * W0's user namespace), as H does as root (the user cannot chown to a
 * subordinate ID; W0, root of a namespace that maps it, can). */
void cg_delegate(uid_t uid, gid_t gid);
/* In W0, once W exists: on v2, move W0 and W to a leaf and enable the
 * controllers for the lab's cgroups (no internal processes). */
void cg_after_clone(pid_t w);
/* In W: mount the world's hierarchies on /sys/fs/cgroup. */
int cg_mount_inside(struct world_result *r);
/* In W: one line per cgroup below the world's root. */
void cg_snapshot(FILE *f);
/* In W: how many cgroups the world holds on v1, counted until there are
 * more than `most` (one nested deeper than 16 counts as more); 0 on v2,
 * whose own limits hold the world. */
int cg_count(int most);
/* In H: remove the world's cgroup and everything a lab left in it. */
void cg_remove(void);

/* ---- witness.c ---- */

/* In W: the probe (pid, found by its file) has said READY for the run-th
 * time and waits. Hold that run's part of its report (r->probe, *len bytes)
 * against what is seen of the probe from outside: lines that say otherwise
 * are replaced and named in r->altered. since: CLOCK_MONOTONIC, BOOTTIME and
 * REALTIME at the run's start. 0, or -1 when the probe could not be looked
 * at (gone). */
int witness_probe(struct world_result *r, pid_t pid, int run, size_t *len, const double since[3]);
/* In W: the command line the run gives its lab, which lives as long as the
 * run: the probe's arguments must be ones it gives. */
void witness_expect(char *const *argv);
/* A probe asked to --catch, still waiting after the check's `during`: the
 * signals it has caught so far, seen from outside. */
void witness_caught_now(pid_t pid);
/* At the run's end: the report's "caught N" lines against what was seen. */
void witness_caught_hold(struct world_result *r);

/* ---- run.c ---- */

/* In W: run the lab, watch it, kill what is left. `snapshot` takes the
 * world's state (world.c's), before the check's `during` and after the run;
 * `count_cgroups` is cg_count (the watch ends a run past its bound). */
void run_lab(const struct world_spec *spec, struct world_result *r, int (*snapshot)(char *buf, size_t n),
             int (*count_cgroups)(int most));

#endif
