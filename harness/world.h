/* The test world: a disposable "host" for one lab run (CONTRACT.md section 4).
 *
 * world_run() clones a process W into new UTS, IPC, mount, network and PID
 * namespaces. W is PID 1 there: it gives the world a random hostname, cuts its
 * mounts off from the real host, makes the real filesystem read-only but for
 * scratch tmpfs (/tmp, /dev/shm), builds a minimal /dev, mounts a fresh /proc
 * and /sys, then makes every mount *shared* (as systemd does), so that a lab
 * that forgets to make its own mounts private leaks them into the world.
 * A cgroup of its own limits processes and memory. W then runs the lab with
 * capped stdout/stderr, looks at the world before, during (when the probe says
 * READY) and after the run, and kills everything at the time limit.
 *
 * The result lives in shared memory that W fills and the caller reads.
 *
 * Root and rootless. As root the world needs no user namespace, and today
 * world_run() refuses to pretend otherwise: without root, clone() fails and
 * every check ends in ENV. The rootless world of a later issue changes three
 * places only: world_run() adds CLONE_NEWUSER and writes W's uid_map, gid_map
 * and setgroups before releasing it (the sync pipe already orders that);
 * make_dev() bind-mounts the host's device nodes instead of mknod(2), which a
 * user namespace forbids; and cg_setup() uses a delegated cgroup (systemd's
 * user slice) or notes that none is there. Everything else (mounting proc,
 * sysfs and tmpfs, remounting read-only with the locked flags kept, shared
 * propagation) already works inside a user namespace that owns the world's
 * mount, PID and network namespaces.
 */
#ifndef NSLAB_WORLD_H
#define NSLAB_WORLD_H

#include <sys/types.h>

#define OUT_CAP 65536       /* bytes of a lab's stdout or stderr kept */
#define SNAP_CAP 32768      /* bytes of one snapshot of the world */
#define PROBE_CAP 16384     /* bytes of the probe's report kept */
#define NOTE_CAP 4096

/* The namespace types the harness compares, in /proc/PID/ns order. */
enum ns_type { NS_UTS, NS_IPC, NS_MNT, NS_NET, NS_PID, NS_USER, NS_CGROUP, NS_TIME, NS_COUNT };
extern const char *const ns_names[NS_COUNT];

struct world_result;

/* One run of a lab in a fresh world. */
struct world_spec {
    char *const *argv;          /* lab program and its arguments */
    const char *stdin_text;     /* fed to the lab's stdin; NULL: /dev/null */
    double timeout;             /* seconds before every process is killed */
    /* In W, before the "before" snapshot: make the host's own objects. */
    void (*setup)(struct world_result *r, void *data);
    /* In W, when the probe has reported READY: look from outside. */
    void (*during)(struct world_result *r, void *data);
    /* In W, once the lab has returned, before anything is cleaned up. */
    void (*after)(struct world_result *r, void *data);
    int kill_probe;             /* after `during`, SIGKILL the probe instead of releasing it */
    void *data;                 /* the check's own data (copied into W by fork) */
};

struct world_result {
    int ready;                  /* W finished setting up the world */
    int finished;               /* W finished the run and the after-snapshot */
    char env_error[512];        /* why the world could not be made (ENV) */

    int lab_status;             /* the lab's wait(2) status */
    int lab_exited;             /* the lab ended before the time limit */
    int timed_out;              /* the time limit killed it */
    double seconds;             /* how long the lab ran */

    char out[OUT_CAP + 1];      /* stdout (capped) */
    size_t out_total;           /* bytes the lab wrote to stdout in all */
    size_t out_at_exit;         /* stdout bytes seen by the time the lab exited */
    char err[OUT_CAP + 1];
    size_t err_total;

    char probe[PROBE_CAP + 1];  /* the probe's report (fd 3) */
    int probe_ready;            /* the probe said READY */
    pid_t probe_pid;            /* the probe's PID as the world sees it */
    unsigned long probe_ns[NS_COUNT];   /* its namespaces, seen from outside */
    unsigned long world_ns[NS_COUNT];   /* the world's own namespaces */

    char before[SNAP_CAP];      /* the world's host state before the lab */
    char during_snap[SNAP_CAP]; /* ... while the probe waited */
    char after[SNAP_CAP];       /* ... when the lab had returned */
    char note[NOTE_CAP];        /* anything the checks should report */
    char user[NOTE_CAP];        /* the check's own observations, from `during` */
};

/* Run a lab as spec says. Returns the result (shared memory, valid until the
 * next world_run) or NULL if even the shared memory could not be had. */
struct world_result *world_run(const struct world_spec *spec);

/* Take a snapshot of the world's host state into buf: hostname, System V IPC
 * objects, mounts, network links, processes other than PID 1. */
void world_snapshot(char *buf, size_t n);

/* Read the namespace inode of /proc/PID/ns/NAME (pid 0: self); 0 if unknown. */
unsigned long ns_inode(pid_t pid, enum ns_type t);

/* Read a file of the world's own /proc ("1234/status"), even when a lab has
 * mounted something over /proc; returns bytes read or -1. */
ssize_t proc_read(const char *rel, char *buf, size_t n);

/* Find the PID of the process named `comm` in the world, or 0. */
pid_t find_process(const char *comm);

/* A process's parent and state letter (R, S, Z...) from /proc/PID/stat;
 * 0 if it is gone. */
pid_t process_parent(pid_t pid, char *state);

/* How many zombies are in the PID namespace with inode `ns`. */
int count_zombies(unsigned long ns);

/* The path of a helper program that sits next to the harness binary. */
const char *helper_path(const char *name);

#endif
