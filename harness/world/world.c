/* The test world's lifecycle; see world.h for the two stages.
 *
 * H (the harness): takes the world's own range of the machine's IDs (as
 *     root), makes the world's cgroup, clones W0, maps W0's user namespace
 *     when rootless, releases it, waits with a backstop, removes the cgroup,
 *     and compares the real machine before and after.
 * W0 (stage A):    the world's filesystem view; then it becomes root of a
 *     user namespace that the world's owner owns (as root, one made here,
 *     rooted at the world's range; rootless, its own first one), sets the
 *     world's caps there, where the lab is not root, clones W inside it and
 *     writes W's ID maps: root of the world is the first ID of its range
 *     (root mode), or a subordinate ID of the user's, or the user (rootless).
 * W (stage B):     becomes root of the world, mounts its own filesystems and
 *     runs the lab (run.c).
 * The snapshots of the world's host state are put together here, from
 * proc.c's and cgroup.c's parts. */
#define _GNU_SOURCE
#include "world_int.h"
#include "faults.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/keyctl.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* H's effective ID, as W0 knows it from before its clone: rootless, the
 * world's root is the user when it is this. */
static uid_t harness_euid;

#define WORLD_FLAGS (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | \
                     CLONE_NEWPID | CLONE_NEWCGROUP)

void world_setup_failed(struct world_result *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (!r->setup_error[0])
        vsnprintf(r->setup_error, sizeof r->setup_error, fmt, ap);
    va_end(ap);
}

/* A fork-like clone: the child continues here, on a copy of our stack. */
static pid_t clone_fork(unsigned long flags)
{
    fflush(NULL);
    return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

static int write_proc(pid_t pid, const char *file, const char *text)
{
    char path[64];

    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
    return write_file(path, text);
}

/* Write a child's uid_map and gid_map: "0 OUTSIDE COUNT". */
static int map_ids(pid_t pid, unsigned uid, unsigned gid, unsigned count, int deny_setgroups)
{
    char map[64];

    snprintf(map, sizeof map, "0 %u %u\n", uid, count);
    if (write_proc(pid, "uid_map", map) == -1)
        return -1;
    if (deny_setgroups && write_proc(pid, "setgroups", "deny") == -1)
        return -1;
    snprintf(map, sizeof map, "0 %u %u\n", gid, count);
    return write_proc(pid, "gid_map", map);
}

/* The rootless world's map inside the first user namespace, whose map is
 * the user as 0, maybe a subordinate ID as `root` (1), and maybe the user's
 * subordinate range as IDs 100000 and up: one line for each, since an
 * extent of a map must lie within one extent of its parent's. */
static int map_same_ids(pid_t pid, unsigned root, unsigned users)
{
    char map[64];

    if (users == 0)
        return map_ids(pid, root, root, 1, 0);
    snprintf(map, sizeof map, "0 %u 1\n%u %u %u\n", root, WORLD_USER_FIRST, WORLD_USER_FIRST, users);
    return write_proc(pid, "uid_map", map) == -1 || write_proc(pid, "gid_map", map) == -1 ? -1 : 0;
}

/* As root: the world's own range of the machine's IDs, WORLD_ID_COUNT of
 * them from WORLD_HOST_ID_BASE + slot * WORLD_ID_COUNT, so that worlds side
 * by side never share an owner (the kernel charges namespaces, inotify
 * instances and keys to it). A range is held while its world lives by a
 * socket bound to its name in the abstract namespace, which the kernel lets
 * go with the socket: graders of one network namespace never hold the same
 * one. (Graders in other network namespaces, a container each, start at a
 * random slot: they rarely meet, and worlds that do still hold no more than
 * their caps.) The socket into *held (-1: none could be bound). */
static uid_t world_ids(int *held)
{
    unsigned start = 0, i;

    if (getrandom(&start, sizeof start, 0) != (ssize_t)sizeof start)
        start = (unsigned)getpid();
    *held = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    for (i = 0; *held != -1 && i < WORLD_ID_SLOTS; i++) {
        unsigned slot = (start + i) % WORLD_ID_SLOTS;
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        int n = snprintf(a.sun_path + 1, sizeof a.sun_path - 1, "nslab-world-ids-%u", slot);
        if (bind(*held, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) == 0)
            return WORLD_HOST_ID_BASE + slot * WORLD_ID_COUNT;
    }
    if (*held != -1)
        close(*held);
    *held = -1;
    return WORLD_HOST_ID_BASE + start % WORLD_ID_SLOTS * WORLD_ID_COUNT;
}

/* Why a user namespace could not be made, for the step clone(2) failed in. */
static const char *userns_refused(int err, const char *step)
{
    static char why[256];

    if (err == ENOSPC || err == EUSERS)
        snprintf(why, sizeof why, "%s: user namespaces are disabled or used up here (user.max_user_namespaces); "
                 "make doctor says more", step);
    else if (err == EPERM || err == EACCES)
        snprintf(why, sizeof why, "%s: the kernel refuses user namespaces here (a container's seccomp profile, "
                 "or Ubuntu's kernel.apparmor_restrict_unprivileged_userns); make doctor says more", step);
    else
        snprintf(why, sizeof why, "%s", step);
    return why;
}

/* Are we root of the machine itself (the initial user namespace)? Root of a
 * user namespace (a rootless container) gets the rootless world. */
static int real_root(void)
{
    char map[128] = "";
    unsigned inside = 1, outside = 1, count = 0;

    return geteuid() == 0 && read_file("/proc/self/uid_map", map, sizeof map) > 0 &&
           sscanf(map, "%u %u %u", &inside, &outside, &count) == 3 && inside == 0 && outside == 0 &&
           count == 4294967295u;
}

/* The user's subordinate range in /etc/subuid or /etc/subgid ("name:start:count"
 * or "uid:start:count"); 0 when there is none. */
static unsigned subordinate(const char *file, const char *name, unsigned id, unsigned *start)
{
    char *text = read_whole(AT_FDCWD, file), *save = NULL, *line, owner[256];
    unsigned first, count = 0, n;

    for (line = text ? strtok_r(text, "\n", &save) : NULL; line && !count; line = strtok_r(NULL, "\n", &save))
        if (sscanf(line, "%255[^:]:%u:%u", owner, &first, &n) == 3 && n > 0 &&
            (strcmp(owner, name) == 0 || (strspn(owner, "0123456789") == strlen(owner) && (unsigned)atol(owner) == id))) {
            *start = first;
            count = n;
        }
    free(text);
    return count;
}

/* Run newuidmap or newgidmap PID 0 ID 1 100000 START COUNT, or, when
 * sub_root is set, PID 0 ID 1 1 START 1 100000 START+1 COUNT (the world's
 * root the subordinate ID START, as 1); 0 on success. */
static int new_id_map(const char *tool, pid_t pid, unsigned id, unsigned start, unsigned count, int sub_root)
{
    char args[6][16], users_first[16];
    char *argv[12];
    int status, n = 0;
    pid_t child;

    snprintf(args[0], 16, "%d", (int)pid);
    snprintf(args[1], 16, "%u", id);
    snprintf(args[2], 16, "%u", start);
    snprintf(args[3], 16, "%u", start + (sub_root ? 1 : 0));
    snprintf(args[4], 16, "%u", count);
    snprintf(users_first, sizeof users_first, "%u", WORLD_USER_FIRST);
    argv[n++] = (char *)tool; argv[n++] = args[0]; argv[n++] = "0"; argv[n++] = args[1]; argv[n++] = "1";
    if (sub_root) {
        argv[n++] = "1"; argv[n++] = args[2]; argv[n++] = "1";
    }
    argv[n++] = users_first; argv[n++] = args[3]; argv[n++] = args[4]; argv[n] = NULL;
    child = fork();
    if (child == 0) {
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (null != -1) {
            dup2(null, 1);
            dup2(null, 2);
        }
        execvp(tool, argv);
        _exit(127);
    }
    if (child == -1)
        return -1;
    while (waitpid(child, &status, 0) == -1)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Subordinate IDs a rootless world needs for its root to be one of them:
 * one for root, and lab 06's 65536 users (0:100000:65536) besides. */
#define SUB_ROOT_NEEDS (1u + 65536u)

/* Map the rootless world's first user namespace: 0 is the user; IDs 100000
 * and up are the user's subordinate range where newuidmap and newgidmap and
 * /etc/subuid and /etc/subgid give one (as rootless podman does), and when
 * it holds SUB_ROOT_NEEDS or more, its first ID is 1, the world's root to
 * be: the lab then runs as no ID of the user's (its processes, pipes and
 * keys are not charged to the user, who owns nothing it can reach); else
 * the user is the world's root, as podman's container root. Returns how
 * many IDs besides root the world has, or -1 on failure; r->root_host_uid
 * says who its root is. */
static long map_rootless(pid_t pid, struct world_result *r)
{
    struct passwd *pw = getpwuid(geteuid());
    unsigned ustart = 0, gstart = 0, ucount, gcount, count;
    int sub_root;

    ucount = pw ? subordinate("/etc/subuid", pw->pw_name, geteuid(), &ustart) : 0;
    gcount = pw ? subordinate("/etc/subgid", pw->pw_name, geteuid(), &gstart) : 0;
    count = ucount < gcount ? ucount : gcount;
    sub_root = count >= SUB_ROOT_NEEDS;
    count -= sub_root ? 1 : 0;
    if (count > WORLD_ID_COUNT)
        count = WORLD_ID_COUNT;
    if (count && new_id_map("newuidmap", pid, geteuid(), ustart, count, sub_root) == 0) {
        /* uid_map is written and cannot be written again: gid_map must
         * follow with the same shape, or the world cannot be made. */
        if (new_id_map("newgidmap", pid, getegid(), gstart, count, sub_root) != 0)
            return -1;
        if (sub_root)
            r->root_host_uid = ustart;
        return (long)count;
    }
    return map_ids(pid, geteuid(), getegid(), 1, 1) == 0 ? 0 : -1;
}

/* W0 and W are forked from a Check test, whose SIGTERM handler kills its
 * whole process group: they must have no handler of the harness's. */
static void default_signals(void)
{
    reset_signals();
    signal(SIGPIPE, SIG_IGN);   /* a probe gone when released must not take W with it */
}

static void wait_for(int fd)
{
    char go;

    if (read(fd, &go, 1) != 1)
        _exit(1);
    close(fd);
}

/* ---- The world's host state ------------------------------------------- */

int world_snapshot(char *buf, size_t n)
{
    char host[256] = "", domain[256] = "", *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    int fits;

    buf[0] = '\0';
    if (!f)
        return -1;
    gethostname(host, sizeof host - 1);
    getdomainname(domain, sizeof domain - 1);
    fprintf(f, "hostname %s\ndomainname %s\n", host, domain);
    proc_snapshot_objects(f);
    cg_snapshot(f);
    proc_snapshot(f);
    fclose(f);
    fits = text && len < n;
    if (text)
        snprintf(buf, n, "%s", text);
    free(text);
    return fits ? 0 : -1;
}

/* ---- W: PID 1 of the world ------------------------------------------- */

/* make tryNN: the terminal's Ctrl-C and Ctrl-\ are for the lab alone. */
static void terminal_signals_to_lab_only(void)
{
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
}

/* The kernel's counts a lab could use up, capped by W0 in its user
 * namespace, the one above the world's (user.max_* are a namespace's own,
 * and its root may write them: a lab may raise its own namespace's, which
 * W sets the same, but not these). The kernel charges each namespace and
 * inotify instance made anywhere in the world to every namespace above it,
 * against that one's caps, up to the machine's limit for the world's
 * owner: one world stays well below it. */
static void cap_kernel_counts(void)
{
    static const struct { const char *file, *value; } caps[] = {
        { "user/max_user_namespaces", "64" }, { "user/max_mnt_namespaces", "64" },
        { "user/max_pid_namespaces", "64" }, { "user/max_net_namespaces", "64" },
        { "user/max_ipc_namespaces", "64" }, { "user/max_uts_namespaces", "64" },
        { "user/max_cgroup_namespaces", "64" }, { "user/max_time_namespaces", "64" },
        { "user/max_inotify_instances", "8" }, { "user/max_inotify_watches", "1024" },
        { "user/max_fanotify_groups", "8" }, { "user/max_fanotify_marks", "1024" },
    };
    char path[64];
    size_t i;

    for (i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        snprintf(path, sizeof path, "/proc/sys/%s", caps[i].file);
        write_file(path, caps[i].value);   /* (a kernel without it: nothing to cap) */
    }
}

/* What a lab gets of ours: nothing. A fixed small environment (the grader's
 * may hold tokens), TERM only when a person watches. */
static void fixed_environment(const struct world_spec *spec)
{
    char term[64] = "dumb";
    size_t i;

    if (spec->interactive && getenv("TERM"))
        snprintf(term, sizeof term, "%s", getenv("TERM"));
    clearenv();
    setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
    setenv("HOME", "/root", 1);
    setenv("TERM", term, 1);
    setenv("LANG", "C.UTF-8", 1);
    for (i = 0; spec->env && spec->env[i]; i++)
        putenv((char *)spec->env[i]);
}

/* The world's /proc/1/cmdline is W's, and W is forked from the harness,
 * never exec'd: it would show the grader's own command line to the lab. So
 * W's command line (and environment) bounds are pointed at a name of its own
 * with prctl(PR_SET_MM_MAP), which asks no privilege for them (the kernel
 * needs CONFIG_CHECKPOINT_RESTORE, as Debian's, Ubuntu's and Fedora's have);
 * the strings themselves stay where they are, for whatever points at them. */
static void hide_command_line(void)
{
    static const char name[] = "nslab-world";
    /* (Anonymous memory: the kernel reads a command line from nothing else.) */
    char *title = mmap(NULL, sizeof name, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct prctl_mm_map map;
    unsigned long long field[52] = { 0 };
    char text[2048], *p;
    int i;

    if (title == MAP_FAILED || proc_read("self/stat", text, sizeof text - 1) <= 0 || !(p = strrchr(text, ')')))
        return;
    memcpy(title, name, sizeof name);
    /* "PID (COMM) STATE 4 5 ...": field k into field[k]. */
    for (i = 4, p += 3; i < 52 && *p; i++)
        field[i] = strtoull(p, &p, 10);
    memset(&map, 0, sizeof map);
    map.start_code = field[26];
    map.end_code = field[27];
    map.start_stack = field[28];
    map.start_data = field[45];
    map.end_data = field[46];
    map.start_brk = field[47];
    map.brk = (unsigned long)syscall(SYS_brk, 0);
    map.arg_start = (unsigned long)title;
    map.arg_end = map.env_start = map.env_end = (unsigned long)title + sizeof name;
    map.exe_fd = (__u32)-1;
    /* (An older or smaller kernel refuses: the line stays readable.) */
    if (field[48])
        prctl(PR_SET_MM, PR_SET_MM_MAP, (unsigned long)&map, sizeof map, 0);
}

static void world_main(const struct world_spec *spec, struct world_result *r, int sync_fd)
{
    int t, proc;

    prctl(PR_SET_PDEATHSIG, SIGKILL);   /* W0 gone: the whole world goes */
    default_signals();
    if (spec->interactive)
        terminal_signals_to_lab_only();
    /* A session of its own: a lab that calls kill(0, ...) or killpg() by
     * mistake reaches the world's processes, never the harness; and no
     * controlling terminal of the user's (make tryNN gives the lab a pty). */
    setsid();
    wait_for(sync_fd);   /* W0 has written our ID maps */
    /* Become root of the world: our IDs are still the creator's. */
    if ((!r->rootless && setgroups(0, NULL) == -1) || setresgid(0, 0, 0) == -1 || setresuid(0, 0, 0) == -1) {
        world_fail(r, "become root of the world's user namespace");
        _exit(1);
    }
    /* Changing our IDs cleared the parent-death signal: set it again, so
     * that the world still dies with W0 (and W0 with the harness). */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    /* Not dumpable: a lab (root of the world) can neither read nor write
     * our memory (the shared result) through /proc/1/mem, ptrace us or take
     * our descriptors (pidfd_getfd): those need CAP_SYS_PTRACE over the
     * machine now, rootless as much as as root. */
    prctl(PR_SET_DUMPABLE, 0);
    fixed_environment(spec);
    cap_kernel_counts();   /* (what the world's own /proc/sys/user shows; W0's hold it) */
    if (fs_world_mounts(r, &proc) || cg_mount_inside(r) || fs_share_everything(r))
        _exit(1);
    proc_use(proc);
    hide_command_line();
    if (fs_make_root(r, spec))
        _exit(1);
    for (t = 0; t < NS_COUNT; t++)
        r->world_ns[t] = ns_inode(0, (enum ns_type)t);
    r->ready = 1;
    if (spec->setup)
        spec->setup(r, spec->data);
    if (world_snapshot(r->before, sizeof r->before) == -1)
        r->before_truncated = 1;   /* the machine's: before the lab ran */
    run_lab(spec, r, world_snapshot, cg_count);
    r->finished = 1;
    _exit(0);
}

/* ---- W0: stage A ------------------------------------------------------- */

/* As root: W0 becomes root of a user namespace of its own, owned by the
 * world's ID range and rooted at its first ID (r->root_host_uid), inside
 * which the world's is made: the world's caps are this namespace's, where a
 * lab, root of the world's namespace only, is not root. A user namespace is
 * made by a process: a helper is cloned into it, mapped, and joined (root of
 * the machine may join any), then let go. */
static int enter_owners_namespace(struct world_result *r)
{
    uid_t id = r->root_host_uid;
    char path[64];
    pid_t helper;
    int fd, ok;

    /* Its owner is the ID that makes it. (Our permitted capabilities stay:
     * root is still our real and saved ID, to write its maps.) */
    if (setresgid((gid_t)-1, id, (gid_t)-1) == -1 || setresuid((uid_t)-1, id, (uid_t)-1) == -1)
        return world_fail(r, "take the world's own ID to make its owner's user namespace");
    helper = clone_fork(CLONE_NEWUSER);
    if (helper == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (;;)
            pause();
    }
    if (setresuid((uid_t)-1, 0, (uid_t)-1) == -1 || setresgid((gid_t)-1, 0, (gid_t)-1) == -1) {
        if (helper > 0)
            kill(helper, SIGKILL);
        return world_fail(r, "become root again to map the world's owner's user namespace");
    }
    if (helper == -1)
        return world_fail(r, userns_refused(errno, "create the world's owner's user namespace"));
    snprintf(path, sizeof path, "/proc/%d/ns/user", (int)helper);
    ok = map_ids(helper, id, id, WORLD_ID_COUNT, 0) == 0 && (fd = open(path, O_RDONLY | O_CLOEXEC)) != -1;
    if (ok) {
        ok = setns(fd, CLONE_NEWUSER) == 0;
        close(fd);
    }
    kill(helper, SIGKILL);
    while (waitpid(helper, NULL, 0) == -1 && errno == EINTR)
        ;
    if (!ok)
        return world_fail(r, "enter the world's owner's user namespace");
    if (setgroups(0, NULL) == -1 || setresgid(0, 0, 0) == -1 || setresuid(0, 0, 0) == -1)
        return world_fail(r, "become root of the world's owner's user namespace");
    /* Changing our IDs cleared these: the world still dies with us; and,
     * until W's maps are written, we are dumpable, so that W, a copy of us,
     * is too, and its /proc files are ours to write (stage_a makes us not
     * dumpable again before anything of the lab's runs). */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    prctl(PR_SET_DUMPABLE, 1);
    return 0;
}

static void stage_a(const struct world_spec *spec, struct world_result *r, int sync_fd)
{
    int sync[2], status;
    pid_t w;

    prctl(PR_SET_PDEATHSIG, SIGKILL);
    default_signals();
    if (spec->interactive)
        terminal_signals_to_lab_only();
    wait_for(sync_fd);   /* H has mapped us (rootless) and put us in the cgroup */
    /* Rootless, with the world's root a subordinate ID: the world's cgroup
     * is the user's making, and ours to give it (H may not chown to it). */
    if (r->rootless && r->root_host_uid != harness_euid)
        cg_delegate(1, 1);
    if (fs_prepare_view(r, spec) || pipe2(sync, O_CLOEXEC) == -1)
        _exit(1);
    /* A session keyring of the world's own, empty: the grader's keys (a
     * login, sudo, ssh or systemd gives it one) are out of the lab's reach.
     * Made here, by root (rootless, the user): a keyring is charged to its
     * maker's key quota, and the lab, which may make no key (run.c's
     * filter), can fill none. */
    if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) == -1 && errno != ENOSYS) {
        world_fail(r, "give the world a session keyring of its own");
        _exit(1);
    }
    /* The world's user namespace is made by the world's owner, in a user
     * namespace of the owner's, where the world's caps are set: the kernel
     * charges every namespace and inotify instance of the world to the
     * owner, so a lab that uses them up uses up that ID's share, not root's
     * (as root, the world's own range; rootless, the user's). */
    if (!r->rootless && enter_owners_namespace(r) == -1)
        _exit(1);
    cap_kernel_counts();
    w = clone_fork(WORLD_FLAGS);
    if (w == 0) {
        close(sync[1]);
        world_main(spec, r, sync[0]);
    }
    close(sync[0]);
    if (w == -1) {
        world_fail(r, userns_refused(errno, "create the world's user namespace and the others"));
        _exit(1);
    }
    /* Root of the world is root of ours: as root, the first of the world's
     * range of the machine's IDs; rootless, the user, or their subordinate
     * ID that we know as 1. */
    if (r->rootless ? map_same_ids(w, r->root_host_uid != harness_euid, r->users)
                    : map_ids(w, 0, 0, WORLD_ID_COUNT, 0)) {
        world_fail(r, "write the world's uid_map and gid_map");
        kill(w, SIGKILL);
    }
    cg_after_clone(w);
    /* Not dumpable from here on (W makes itself so too), as W: the world's
     * processes cannot reach into us. (Not before: our /proc files, and
     * W's, must stay ours to write the ID maps with.) */
    prctl(PR_SET_DUMPABLE, 0);
    if (write(sync[1], "g", 1) != 1)
        kill(w, SIGKILL);
    close(sync[1]);
    while (waitpid(w, &status, 0) == -1 && errno == EINTR)
        ;
    _exit(0);
}

/* ---- H: the harness's side --------------------------------------------- */

/* The superblock options of the real machine's mounts, one line each:
 * "ID TARGET FSTYPE SOURCE\tOPTIONS". A lab that changed one has reached
 * through the world. */
static char *superblocks(void)
{
    char *text = read_whole(AT_FDCWD, "/proc/self/mountinfo"), *out = NULL, *save = NULL, *line;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);

    for (line = text && f ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
        char id[32], target[1024], fstype[64], source[1024], options[1024];
        const char *dash = strstr(line, " - ");
        if (dash && sscanf(line, "%31s %*s %*s %*s %1023s", id, target) == 2 &&
            sscanf(dash, " - %63s %1023s %1023s", fstype, source, options) == 3)
            fprintf(f, "%s %s %s %s\t%s\n", id, target, fstype, source, options);
    }
    if (f)
        fclose(f);
    free(text);
    return out;
}

/* The line of text that starts with prefix, or NULL. */
static const char *line_starting(const char *text, const char *prefix, size_t n)
{
    const char *p = text;

    while (p && *p) {
        if (strncmp(p, prefix, n) == 0)
            return p;
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return NULL;
}

/* What changed on the real machine between two looks: the superblock options
 * of a mount that is still there (same ID, target, type and source; other
 * programs may mount and unmount meanwhile), or the clock (by over a second). */
static void compare_machine(struct world_result *r, const char *before, const char *after, double gap_before)
{
    const char *line = before, *other;
    double drift = clock_gap_now() - gap_before;

    for (; line && *line && after; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        size_t key = strcspn(line, "\t\n"), len = strcspn(line, "\n");
        if (line[key] != '\t' || !(other = line_starting(after, line, key + 1)))
            continue;
        if (strcspn(other, "\n") != len || strncmp(other, line, len) != 0)
            appendf(r->machine_changed, sizeof r->machine_changed, "the options of a filesystem of the "
                    "machine changed: before %.*s; after %.*s\n", (int)len, line, (int)strcspn(other, "\n"), other);
    }
    if (drift > 1.0 || drift < -1.0)
        appendf(r->machine_changed, sizeof r->machine_changed, "the machine's clock moved by %.1f s (a lab that set it; or, "
                "rarely, an NTP step during the run: then run the grader again)\n", drift);
}

const char *world_unavailable(void)
{
    static char why[256];
    char text[32] = "";

    if (read_file("/proc/sys/user/max_user_namespaces", text, sizeof text) > 0 && atoi(text) == 0) {
        snprintf(why, sizeof why, "user namespaces are disabled here (user.max_user_namespaces = 0): "
                 "sysctl -w user.max_user_namespaces=15000");
        return why;
    }
    return NULL;
}

struct world_result *world_run(const struct world_spec *spec)
{
    static struct world_result *r;
    int sync[2], status, pidfd, ids_held = -1;
    char *before, *after;
    double gap;
    long users;
    pid_t w0;

    signal(SIGPIPE, SIG_IGN);   /* a world that died early must not take the harness with it */

    if (!r) {
        r = mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (r == MAP_FAILED) {
            r = NULL;
            return NULL;
        }
    }
    memset(r, 0, sizeof *r);
    r->rootless = !real_root();
    harness_euid = geteuid();
    if (pipe2(sync, O_CLOEXEC) == -1) {
        world_fail(r, "pipe");
        return r;
    }
    r->root_host_uid = r->rootless ? geteuid() : world_ids(&ids_held);
    r->cgroup_version = cg_setup(r, r->root_host_uid, r->rootless ? getegid() : r->root_host_uid,
                                 spec->faults ? spec->faults->no_controller : NULL);
    cg_open_for_w0();
    before = superblocks();
    gap = clock_gap_now();
    /* W0 has a PID and a network namespace of its own: the /proc and /sys
     * it mounts under the world's show nothing of the machine's. */
    w0 = clone_fork(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | (r->rootless ? CLONE_NEWUSER : 0));
    if (w0 == 0) {
        close(sync[1]);
        stage_a(spec, r, sync[0]);
    }
    close(sync[0]);
    cg_close_for_w0();
    if (w0 == -1) {
        world_fail(r, r->rootless ? userns_refused(errno, "create a user namespace without root")
                                  : "create the test world's mount namespace");
        close(sync[1]);
        cg_remove();
        if (ids_held != -1)
            close(ids_held);
        free(before);
        return r;
    }
    users = r->rootless ? map_rootless(w0, r) : (long)(WORLD_ID_COUNT - WORLD_USER_FIRST);
    r->users = users > 0 ? (unsigned)users : 0;
    if (users < 0) {
        world_fail(r, "write the rootless world's uid_map and gid_map (newuidmap worked, newgidmap did not: "
                   "check /etc/subgid)");
        kill(w0, SIGKILL);
    } else {
        cg_enter(w0);
        /* W0 may be dead already: its end of the pipe gone is no reason
         * for SIGPIPE to end the harness before it records why. */
        if (write(sync[1], "g", 1) != 1)
            kill(w0, SIGKILL);
    }
    close(sync[1]);

    /* W enforces the lab's time limit itself; this is the backstop. */
    pidfd = (int)syscall(SYS_pidfd_open, w0, 0);
    if (pidfd != -1) {
        struct pollfd pfd = { pidfd, POLLIN, 0 };
        if (poll(&pfd, 1, (int)(spec->timeout * 1000) + 10000) == 0) {
            kill(w0, SIGKILL);
            appendf(r->note, sizeof r->note, "the test world did not end by itself and was killed\n");
        }
        close(pidfd);
    }
    while (waitpid(w0, &status, 0) == -1 && errno == EINTR)
        ;
    cg_remove();
    if (ids_held != -1)
        close(ids_held);   /* the world's ID range, for another world */
    after = superblocks();
    compare_machine(r, before, after, gap);
    free(before);
    free(after);
    if (!r->ready && !r->env_error[0])
        snprintf(r->env_error, sizeof r->env_error, "the test world could not be made (status 0x%x)", status);
    return r;
}
