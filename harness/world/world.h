/* The test world: a disposable "host" for one lab run (README: the test world).
 *
 * The world is a user namespace that owns its own UTS, IPC, mount, network,
 * PID and cgroup namespaces. Root inside it is an unprivileged range of host
 * IDs, so a lab has every capability over the world and none over the
 * machine. It is made in two stages, and the order matters:
 *
 *   H   the harness (a Check test), as root or as a plain user
 *   W0  stage A: a new mount namespace (as root), or a first user namespace
 *       that maps root to the caller (rootless). It makes the world's view of
 *       the filesystem: mounts private, a /dev of bind-mounted device nodes,
 *       a scratch /tmp holding copies of the lab and the probe, everything
 *       else read-only (fs.c). Then, as root, it becomes root of a user
 *       namespace of the world's own range of IDs (rootless, it is root of
 *       its first one already), and caps the kernel's counts there: the
 *       world's namespace is made inside it, and its root, the lab, is root
 *       of nothing above its own.
 *   W   stage B: cloned by W0 into a new user namespace and the other six.
 *       Because its mount namespace is copied into a less privileged user
 *       namespace, the kernel *locks* the read-only flags stage A set: a lab
 *       cannot undo them with `remount,bind,rw`. W is PID 1 of the world: it
 *       mounts its own /proc, /sys, cgroups, devpts and mqueue, makes every
 *       mount shared (as systemd does), and runs the lab (run.c).
 *
 * The world's cgroup is made by H and delegated to the world's root; inside,
 * /sys/fs/cgroup shows only that subtree (cgroup.c). H looks at the real
 * machine before and after each world and says so if a superblock or the clock
 * changed (world.c). Reading the world's /proc: proc.c.
 *
 * The files call one way: world.c (the lifecycle and the snapshots) calls
 * fs.c, cgroup.c, run.c and proc.c; run.c calls witness.c (the probe's report
 * held against what is seen of the probe from outside); fs.c, cgroup.c, run.c
 * and witness.c call proc.c; none of them calls back, and none shares a
 * variable with another.
 *
 * The result lives in shared memory that W fills and the caller reads.
 */
#ifndef NSLAB_WORLD_H
#define NSLAB_WORLD_H

#include <sys/types.h>

#define OUT_CAP 65536       /* bytes of a lab's stdout or stderr kept */
#define SNAP_CAP (256 * 1024) /* bytes of one snapshot of the world */
#define PROBE_CAP 16384     /* bytes of the probe's report kept */
#define NOTE_CAP 4096
#define USER_CAP 16384      /* bytes of a check's own observations (world_result.user) */

/* The world's users start here, as on a Debian host's /etc/subuid, so that
 * lab 06's default map for root (0:100000:65536) fits in both worlds; the
 * world has r->users of them. */
#define WORLD_USER_FIRST 100000u

/* Where the lab and the probe are inside every world (a copy of each). */
#define WORLD_KIT_DIR "/tmp/nslab"
/* Lab 10's --root in a world that has one (world_spec.root): a tmpfs. */
#define WORLD_ROOT_DIR WORLD_KIT_DIR "/root"

/* What the world puts at WORLD_ROOT_DIR for lab 10's --root. */
enum world_root {
    ROOT_NONE,      /* nothing */
    ROOT_HOST,      /* the host's own programs: its bin, sbin, lib*, usr and etc bound read-only,
                     * the world's /tmp (with the probe) bound, empty proc, sys, dev: the
                     * checks of labs 01-09 see the tools they always did */
    ROOT_ROOTFS,    /* a fresh copy of `make rootfs`'s tree (build/rootfs, or $NSLAB_ROOTFS),
                     * owned by the container's root, with the probe at its usual path */
};

/* The namespace types the harness compares, in /proc/PID/ns order. */
enum ns_type { NS_UTS, NS_IPC, NS_MNT, NS_NET, NS_PID, NS_USER, NS_CGROUP, NS_TIME, NS_COUNT };
/* "uts", "ipc" ...: a namespace type's name in /proc/PID/ns. */
const char *ns_name(enum ns_type t);

struct world_result;
struct world_faults;

/* Who the lab runs as in the world: uid 0 (its root, the default) or a user. */
struct world_run_as {
    uid_t uid;
    gid_t gid;
};

/* One run of a lab in a fresh world. */
struct world_spec {
    char *const *argv;          /* lab program (its path in the world) and arguments */
    const char *lab_file;       /* the lab program on the real machine, copied in */
    const char *const *files;   /* more files to copy into WORLD_KIT_DIR (NULL-terminated), or NULL */
    const char *source_name;    /* and, when set, the file open as source_fd, copied there under this
                                 * name (a submission's source: the caller opened it, and checked it) */
    int source_fd;
    const char *stdin_text;     /* fed to the lab's stdin; NULL: /dev/null */
    double timeout;             /* seconds before every process is killed */
    /* In W, before the "before" snapshot: make the host's own objects.
     * A setup that fails calls world_setup_failed(): the check ends in ENV. */
    void (*setup)(struct world_result *r, void *data);
    /* In W, when the probe has reported READY: look from outside. */
    void (*during)(struct world_result *r, void *data);
    /* In W, once the lab has returned, before anything is cleaned up. */
    void (*after)(struct world_result *r, void *data);
    int kill_probe;             /* after `during`, SIGKILL the probe instead of releasing it */
    int interactive;            /* make tryNN, the demos: a person watches; no time limit of the checks', no
                                 * stuck-process rule, the lab's output not captured but shown */
                                /* (on a terminal, the lab gets a pty of the world's own, which W copies
                                 * to and from ours: run.c) */
    const char *const *env;     /* "NAME=VALUE" the lab gets besides the world's fixed PATH, HOME, TERM,
                                 * LANG (NULL-terminated), or NULL */
    const char *cwd;            /* the lab's working folder in the world; NULL: / */
    long address_space;         /* the lab's RLIMIT_AS, bytes; 0: 4 GiB */
    long file_size;             /* its RLIMIT_FSIZE, bytes; 0: none */
    struct world_run_as as_user; /* uid 0: the world's root runs the lab; else this user */
    const char *host_command;   /* make tryNN HOST=...: a shell command run on the world's host
                                 * 0.5 s after the lab starts, $CONTAINER the lab's first child */
    const struct world_faults *faults; /* the kit's own tests only (faults.h); NULL: none */
    enum world_root root;       /* lab 10: what WORLD_ROOT_DIR holds */
    void *data;                 /* the check's own data (copied into W by fork) */
};

struct world_result {
    int ready;                  /* W finished setting up the world */
    int finished;               /* W finished the run and the after-snapshot */
    char env_error[512];        /* why the world could not be made (ENV) */
    char setup_error[512];      /* the check's own setup failed (ENV) */
    char machine_changed[1024]; /* the real machine changed during the run */
    int rootless;               /* made without root */
    int cgroup_version;         /* the world's cgroups: 1, 2, or 0 (none could be had) */
    uid_t root_host_uid;        /* root of the world, as the machine sees it: as root, the world's own
                                 * range's first ID; rootless, the user or their first subordinate ID */
    unsigned users;             /* the world's IDs besides root: users 100000 up to
                                 * 100000 + users - 1 (world_lacks() in judge.c);
                                 * as root 162144, rootless the size of the user's
                                 * subordinate range (/etc/subuid, newuidmap), less
                                 * one when its first is the world's root, or 0 */

    int lab_status;             /* the lab's wait(2) status */
    int lab_exited;             /* the lab ended before the time limit */
    int timed_out;              /* the time limit killed it */
    char stuck[512];            /* ended early: a process of the lab waited on nothing */
    double seconds;             /* how long the lab ran */

    char out[OUT_CAP + 1];      /* stdout (capped) */
    size_t out_total;           /* bytes the lab wrote to stdout in all */
    size_t out_at_exit;         /* stdout bytes seen by the time the lab exited */
    char err[OUT_CAP + 1];
    size_t err_total;

    char probe[PROBE_CAP + 1];  /* the probe's report (fd 3), each line the harness could see for itself from
                                 * outside put right (witness.c) */
    char altered[2048];         /* what the report said that the harness, looking from outside, did not see */
    char host_changed[512];     /* the world's hostname or domain name was another while the lab ran (sampled) */
    int probe_ready;            /* the probe said READY */
    pid_t probe_pid;            /* the probe's PID as the world sees it */
    unsigned long probe_ns[NS_COUNT];   /* its namespaces, seen from outside */
    unsigned long world_ns[NS_COUNT];   /* the world's own namespaces */

    char forbidden[1024];       /* calls of the lab's the world's seccomp filter refused, one a line */
    char forbidden_probe[512];  /* ... and of the probe's (the command's: a check asked it to try them) */

    char before[SNAP_CAP];      /* the world's host state before the lab */
    char during_snap[SNAP_CAP]; /* ... while the probe waited */
    char after[SNAP_CAP];       /* ... when the lab had returned */
    int before_truncated;       /* the snapshot before the lab did not fit (the machine's state) */
    int snap_truncated;         /* a snapshot during or after the run did not fit: what the lab left */
    int probe_count;            /* copies of the probe running side by side when it said READY */
    char ended[512];            /* the watch ended the run: what the lab took past the kit's bounds
                                 * (memory without a cgroup, cgroups on v1), a sentence; else "" */
    double clock_gap[2];        /* CLOCK_REALTIME - CLOCK_BOOTTIME, before and after */
    char note[NOTE_CAP];        /* anything the checks should report */
    char user[USER_CAP];        /* the check's own observations, from `during` */
};

/* Run a lab as spec says. Returns the result (shared memory, valid until the
 * next world_run) or NULL if even the shared memory could not be had. */
struct world_result *world_run(const struct world_spec *spec);

/* In a spec's `during`: run a second lab (argv[0] in the world) at the same
 * time as the first, as the first is run (filter, limits; as the user
 * as_user names, or root when it is NULL), with stdout, stderr and the
 * probe's report (fd 3) into out. Returns
 * its wait status, or -1 (not started, or killed after timeout seconds). */
int world_run_second(char *const *argv, const struct world_run_as *as_user, double timeout, char *out, size_t n);

/* In a spec's setup: the host's own objects could not be made, so the check
 * proves nothing; it ends in ENV with this reason. */
void world_setup_failed(struct world_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Take a snapshot of the world's host state into buf: hostname, System V IPC
 * objects, mounts, network links, cgroups, processes other than PID 1.
 * Returns 0, or -1 if it did not fit in n bytes. */
int world_snapshot(char *buf, size_t n);

/* Read the namespace inode of /proc/PID/ns/NAME (pid 0: self); 0 if unknown. */
unsigned long ns_inode(pid_t pid, enum ns_type t);

/* Read a file of the world's own /proc ("1234/status"), even when a lab has
 * mounted something over /proc; returns bytes read or -1. */
ssize_t proc_read(const char *rel, char *buf, size_t n);

/* Open a file of the world's own /proc ("1234/ns/net"); -1 with errno. */
int proc_open(const char *rel, int flags);

/* Find the PID of the process named `comm` in the world, or 0. */
pid_t find_process(const char *comm);

/* A process's parent and state letter (R, S, Z...) from /proc/PID/stat;
 * 0 if it is gone. */
pid_t process_parent(pid_t pid, char *state);

/* The live processes named comm in the PID namespace with inode pidns,
 * at most max of them into out; returns how many. */
int find_processes(const char *comm, unsigned long pidns, pid_t *out, int max);

/* A process of the lab (named comm) asleep with no live child: nothing left
 * to wait for (a busy one is not stuck). Its PID, or 0. */
pid_t lab_process_waiting_on_nothing(const char *comm);

/* How many zombies are in the PID namespace with inode `ns`. */
int count_zombies(unsigned long ns);

/* In W: the cgroup that holds pid for `controller` ("memory"; on v2 any),
 * as the world sees it ("/nslab/42"), into path; and, when file is not NULL,
 * that cgroup's file (read through the world's own mount of the hierarchy)
 * into buf. Returns bytes read (0 with no file), or -1 with buf saying why. */
ssize_t world_cgroup_file(pid_t pid, const char *controller, const char *file, char *path, size_t pn, char *buf,
                          size_t n);

/* Remove the cgroups of worlds whose harness process is gone. */
void world_remove_orphans(void);

/* Can this process make a test world? NULL if so, else why not and the fix
 * (for ENV before any check runs). */
const char *world_unavailable(void);

#endif
