/* The test world; see world.h. */
#define _GNU_SOURCE
#include "world.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *const ns_names[NS_COUNT] = { "uts", "ipc", "mnt", "net", "pid", "user", "cgroup", "time" };

#define WORLD_FLAGS (CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID)
#define WORLD_PIDS_MAX "512"                     /* a fork bomb stops here */
#define WORLD_MEMORY_MAX (1024L * 1024 * 1024)   /* and a memory hog here */
#define LAB_ADDRESS_SPACE (4096L * 1024 * 1024)

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- Looking at processes and namespaces ---------------------------- */

/* W's own handle on the world's /proc, opened right after mounting it. A lab
 * may mount something on /proc (a lab that forgets MS_PRIVATE does, through
 * shared propagation); lookups relative to this handle still reach the
 * world's own proc, so the harness's outside view cannot be fooled.
 * Outside W (the harness itself) it is -1 and the paths are under /proc. */
static int proc_fd = -1;

/* The path of `rel` under the world's proc, for the *at() calls. */
static int proc_dir(const char *rel, char *path, size_t n)
{
    snprintf(path, n, proc_fd == -1 ? "/proc/%s" : "%s", rel);
    return proc_fd == -1 ? AT_FDCWD : proc_fd;
}

ssize_t proc_read(const char *rel, char *buf, size_t n)
{
    char path[256];
    int dir = proc_dir(rel, path, sizeof path);

    return read_file_at(dir, path, buf, n);
}

static FILE *proc_fopen(const char *rel)
{
    char path[256];
    int dir = proc_dir(rel, path, sizeof path);
    int fd = openat(dir, path, O_RDONLY | O_CLOEXEC);
    FILE *f = fd == -1 ? NULL : fdopen(fd, "re");

    if (fd != -1 && !f)
        close(fd);
    return f;
}

unsigned long ns_inode(pid_t pid, enum ns_type t)
{
    char rel[64], path[256], link[64];
    ssize_t n;
    const char *open_bracket;
    int dir;

    snprintf(rel, sizeof rel, "%d/ns/%s", (int)(pid ? pid : getpid()), ns_names[t]);
    dir = proc_dir(rel, path, sizeof path);
    n = readlinkat(dir, path, link, sizeof link - 1);
    if (n <= 0)
        return 0;
    link[n] = '\0';
    open_bracket = strchr(link, '[');
    return open_bracket ? strtoul(open_bracket + 1, NULL, 10) : 0;
}

/* Call fn for each process of the world but PID 1 (W itself). */
static void for_each_process(void (*fn)(pid_t pid, const char *comm, void *arg), void *arg)
{
    char path[256];
    int dir = proc_dir(".", path, sizeof path);
    int fd = openat(dir, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd == -1 ? NULL : fdopendir(fd);
    struct dirent *e;

    if (!d) {
        if (fd != -1)
            close(fd);
        return;
    }
    while ((e = readdir(d))) {
        char rel[300], comm[64];
        pid_t pid = (pid_t)atoi(e->d_name);
        if (pid <= 1)
            continue;
        snprintf(rel, sizeof rel, "%d/comm", (int)pid);
        if (proc_read(rel, comm, sizeof comm) < 0)
            continue;   /* it went away */
        comm[strcspn(comm, "\n")] = '\0';
        fn(pid, comm, arg);
    }
    closedir(d);
}

struct finder { const char *comm; pid_t found; };

static void match_comm(pid_t pid, const char *comm, void *arg)
{
    struct finder *f = arg;

    if (!f->found && strcmp(comm, f->comm) == 0)
        f->found = pid;
}

pid_t find_process(const char *comm)
{
    struct finder f = { comm, 0 };

    for_each_process(match_comm, &f);
    return f.found;
}

pid_t process_parent(pid_t pid, char *state)
{
    char rel[64], text[512], *close_paren;
    int ppid = 0;

    snprintf(rel, sizeof rel, "%d/stat", (int)pid);
    if (proc_read(rel, text, sizeof text) <= 0)
        return 0;
    /* "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses. */
    close_paren = strrchr(text, ')');
    if (!close_paren || sscanf(close_paren + 1, " %c %d", state, &ppid) != 2)
        return 0;
    return (pid_t)ppid;
}

struct zombies { unsigned long ns; int count; };

static void count_one_zombie(pid_t pid, const char *comm, void *arg)
{
    struct zombies *z = arg;
    char state = '?';

    (void)comm;
    if (process_parent(pid, &state) && state == 'Z' && ns_inode(pid, NS_PID) == z->ns)
        z->count++;
}

int count_zombies(unsigned long ns)
{
    struct zombies z = { ns, 0 };

    for_each_process(count_one_zombie, &z);
    return z.count;
}

const char *helper_path(const char *name)
{
    static char path[PATH_MAX];
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    char *slash;

    if (n <= 0)
        return name;
    self[n] = '\0';
    slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    if (snprintf(path, sizeof path, "%s/%s", self, name) >= (int)sizeof path)
        return name;
    return path;
}

/* ---- Snapshots of the world's host state ---------------------------- */

static void snap_ipc(char *buf, size_t n, const char *kind)
{
    char rel[64], line[512], key[32], id[32];
    FILE *f;

    snprintf(rel, sizeof rel, "sysvipc/%s", kind);
    f = proc_fopen(rel);
    if (!f)
        return;
    if (fgets(line, sizeof line, f))          /* the header */
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "%31s %31s", key, id) == 2)
                appendf(buf, n, "ipc %s key=%s id=%s\n", kind, key, id);
    fclose(f);
}

static void snap_mounts(char *buf, size_t n)
{
    char line[4096];
    char rel[64];
    FILE *f;

    snprintf(rel, sizeof rel, "%d/mountinfo", (int)getpid());
    f = proc_fopen(rel);
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        /* Drop the mount and parent IDs: "36 35 98:0 /root /mnt opts ..." */
        char *p = line;
        int skip;
        for (skip = 0; skip < 2 && p; skip++) {
            p = strchr(p, ' ');
            if (p)
                p++;
        }
        if (p)
            appendf(buf, n, "mount %s", p);
    }
    fclose(f);
}

static void snap_links(char *buf, size_t n)
{
    char line[512];
    char rel[64];
    FILE *f;

    snprintf(rel, sizeof rel, "%d/net/dev", (int)getpid());
    f = proc_fopen(rel);

    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        char *name = line;
        if (!colon)
            continue;   /* the two header lines */
        *colon = '\0';
        while (*name == ' ')
            name++;
        appendf(buf, n, "link %s\n", name);
    }
    fclose(f);
}

struct snapbuf { char *buf; size_t n; };

static void snap_one_process(pid_t pid, const char *comm, void *arg)
{
    struct snapbuf *s = arg;

    appendf(s->buf, s->n, "process %d %s\n", (int)pid, comm);
}

void world_snapshot(char *buf, size_t n)
{
    char host[256] = "", domain[256] = "";
    struct snapbuf s = { buf, n };

    buf[0] = '\0';
    gethostname(host, sizeof host - 1);
    getdomainname(domain, sizeof domain - 1);
    appendf(buf, n, "hostname %s\ndomainname %s\n", host, domain);
    snap_ipc(buf, n, "msg");
    snap_ipc(buf, n, "shm");
    snap_ipc(buf, n, "sem");
    snap_mounts(buf, n);
    snap_links(buf, n);
    for_each_process(snap_one_process, &s);
}

/* ---- Making the world (runs in W, PID 1 of the new namespaces) ------- */

static int fail(struct world_result *r, const char *step)
{
    snprintf(r->env_error, sizeof r->env_error, "%s: %s", step, strerror(errno));
    return -1;
}

/* Per-mount flags from mountinfo's options field, to keep them on remount. */
static unsigned long mount_flags(const char *opts)
{
    static const struct { const char *name; unsigned long flag; } table[] = {
        { "nosuid", MS_NOSUID }, { "nodev", MS_NODEV }, { "noexec", MS_NOEXEC },
        { "noatime", MS_NOATIME }, { "nodiratime", MS_NODIRATIME }, { "relatime", MS_RELATIME },
    };
    char copy[512], *save = NULL, *opt;
    unsigned long flags = 0;
    size_t i;

    snprintf(copy, sizeof copy, "%s", opts);
    for (opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save))
        for (i = 0; i < sizeof table / sizeof table[0]; i++)
            if (strcmp(opt, table[i].name) == 0)
                flags |= table[i].flag;
    return flags;
}

static int under(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Undo mountinfo's octal escapes ("\040" is a space) in place. */
static void unescape(char *s)
{
    char *out = s;

    for (; *s; s++) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] && s[3]) {
            *out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
            s += 3;
        } else {
            *out++ = *s;
        }
    }
    *out = '\0';
}

/* Make every inherited mount read-only but the ones we replace. */
static int remount_readonly(struct world_result *r, char *mountinfo)
{
    char *save = NULL, *line;

    for (line = strtok_r(mountinfo, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char target[PATH_MAX], opts[512];
        if (sscanf(line, "%*s %*s %*s %*s %4095s %511s", target, opts) != 2)
            continue;
        unescape(target);
        if (under(target, "/proc") || under(target, "/sys") || under(target, "/dev") ||
            under(target, "/tmp"))
            continue;
        if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | mount_flags(opts), NULL) == -1 &&
            errno != ENOENT) {   /* ENOENT: hidden under another mount */
            char step[PATH_MAX + 64];
            snprintf(step, sizeof step, "make %s read-only", target);
            return fail(r, step);
        }
    }
    return 0;
}

/* A /dev with only the harmless devices, as bwrap --dev makes it. */
static int make_dev(struct world_result *r)
{
    static const struct { const char *name; unsigned maj, min; } devices[] = {
        { "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
        { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
    };
    static const struct { const char *target, *path; } links[] = {
        { "/proc/self/fd", "/dev/fd" }, { "/proc/self/fd/0", "/dev/stdin" },
        { "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" },
        { "pts/ptmx", "/dev/ptmx" },
    };
    char path[64];
    size_t i;

    if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=256k") == -1)
        return fail(r, "mount tmpfs on /dev");
    for (i = 0; i < sizeof devices / sizeof devices[0]; i++) {
        snprintf(path, sizeof path, "/dev/%s", devices[i].name);
        if (mknod(path, S_IFCHR | 0666, makedev(devices[i].maj, devices[i].min)) == -1 ||
            chmod(path, 0666) == -1)
            return fail(r, "mknod in /dev");
    }
    for (i = 0; i < sizeof links / sizeof links[0]; i++)
        if (symlink(links[i].target, links[i].path) == -1)
            return fail(r, "symlink in /dev");
    if (mkdir("/dev/pts", 0755) == -1 || mkdir("/dev/shm", 01777) == -1 ||
        mkdir("/dev/mqueue", 01777) == -1)
        return fail(r, "mkdir in /dev");
    if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620") == -1)
        return fail(r, "mount devpts");
    if (mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=64m") == -1)
        return fail(r, "mount tmpfs on /dev/shm");
    if (mount(NULL, "/dev", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC, NULL) == -1)
        return fail(r, "make /dev read-only");
    return 0;
}

static int bind_readonly(struct world_result *r, const char *path)
{
    if (access(path, F_OK) == -1)
        return 0;   /* e.g. no /proc/sysrq-trigger without CONFIG_MAGIC_SYSRQ */
    if (mount(path, path, NULL, MS_BIND, NULL) == -1 ||
        mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
        return fail(r, path);
    return 0;
}

static void loopback_up(void)
{
    struct ifreq ifr;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    if (s == -1)
        return;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
        ifr.ifr_flags |= IFF_UP;
        ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    close(s);
}

/* The world's /tmp is a fresh tmpfs; a lab or the probe that lives under the
 * host's /tmp (a clone of the kit in /tmp, say) must still be found there at
 * the same path. Before the tmpfs goes on, take a detached bind mount of each
 * such file with open_tree(2); after, move it to where it was, read-only. (A bind
 * from /proc/self/fd/N would not do: that path crosses into the new tmpfs.) */
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

struct kept { int fd; char path[PATH_MAX]; };

static void keep_open(struct kept *k, const char *file)
{
    k->fd = -1;
    snprintf(k->path, sizeof k->path, "%s", file);
    if (!under(k->path, "/tmp"))
        return;
    k->fd = (int)syscall(SYS_open_tree, AT_FDCWD, k->path, OPEN_TREE_CLONE | O_CLOEXEC);
}

static int keep_restore(struct world_result *r, struct kept *k)
{
    char *p;
    int fd;

    if (k->fd == -1)
        return 0;
    for (p = k->path + 1; *p; p++)   /* mkdir -p in the new tmpfs */
        if (*p == '/') {
            *p = '\0';
            mkdir(k->path, 0755);
            *p = '/';
        }
    fd = open(k->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);   /* the mount point */
    if (fd != -1)
        close(fd);
    if (syscall(SYS_move_mount, k->fd, "", AT_FDCWD, k->path, MOVE_MOUNT_F_EMPTY_PATH) == -1 ||
        mount(NULL, k->path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) == -1)
        return fail(r, "bring the lab into the world's /tmp");
    close(k->fd);
    return 0;
}

static int make_world(struct world_result *r, const struct world_spec *spec)
{
    static char mountinfo[65536];
    char host[32] = "nslab-host-";
    struct kept kept[2];
    size_t i;

    rand_hex(host + strlen(host), 6);
    if (sethostname(host, strlen(host)) == -1)
        return fail(r, "sethostname");

    /* Cut our copy of the mount table off from the real host first: from
     * here on nothing we or the lab mount can reach it. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
        return fail(r, "make mounts private");
    if (read_file("/proc/self/mountinfo", mountinfo, sizeof mountinfo) < 0)
        return fail(r, "read /proc/self/mountinfo");

    /* Replace /proc, /sys and /dev with the world's own. */
    if (umount2("/proc", MNT_DETACH) == -1 || umount2("/sys", MNT_DETACH) == -1)
        return fail(r, "unmount the host's /proc and /sys");
    umount2("/dev", MNT_DETACH);   /* may be part of / already */
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
        return fail(r, "mount /proc");
    proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (proc_fd == -1)
        return fail(r, "open /proc");
    if (bind_readonly(r, "/proc/sys") || bind_readonly(r, "/proc/sysrq-trigger"))
        return -1;
    if (mount("sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
        return fail(r, "mount /sys");
    if (make_dev(r))
        return -1;
    keep_open(&kept[0], spec->argv[0]);
    keep_open(&kept[1], helper_path("nslab-probe"));
    if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=64m") == -1)
        return fail(r, "mount scratch tmpfs on /tmp");
    for (i = 0; i < 2; i++)
        if (keep_restore(r, &kept[i]))
            return -1;
    if (remount_readonly(r, mountinfo))
        return -1;

    /* As on a systemd host, every mount is shared: a lab's new mount
     * namespace starts as a peer, and its careless mounts come back here. */
    if (mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL) == -1)
        return fail(r, "make mounts shared");
    loopback_up();
    return 0;
}

/* ---- Running the lab (in W) ------------------------------------------ */

struct pipes { int out[2], err[2], report[2], go[2], in[2]; };

static void exec_lab(const struct world_spec *spec, const struct pipes *p)
{
    struct rlimit no_core = { 0, 0 };
    struct rlimit as = { LAB_ADDRESS_SPACE, LAB_ADDRESS_SPACE };
    sigset_t none;

    /* fd 0: stdin; 1, 2: captured; 3: the probe's report; 4: the probe's "go". */
    if (dup2(p->in[0], 0) == -1 || dup2(p->out[1], 1) == -1 || dup2(p->err[1], 2) == -1 ||
        dup2(p->report[1], 3) == -1 || dup2(p->go[0], 4) == -1)
        _exit(125);
    closefrom(5);
    setsid();
    setrlimit(RLIMIT_CORE, &no_core);
    setrlimit(RLIMIT_AS, &as);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    execv(spec->argv[0], spec->argv);
    dprintf(2, "nslab harness: cannot run %s: %s\n", spec->argv[0], strerror(errno));
    _exit(127);
}

/* Kill every process of the world but W, and reap them all. */
static void kill_everyone(void)
{
    int tries;

    for (tries = 0; tries < 1000; tries++) {
        kill(-1, SIGKILL);
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if (waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD)
            return;
        usleep(1000);
    }
}

static void reap_zombies(void)
{
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
}

/* The probe said READY: look at it and at the world from outside. */
static void look_from_outside(const struct world_spec *spec, struct world_result *r, int go_fd)
{
    int t;

    r->probe_pid = find_process("nslab-probe");
    for (t = 0; t < NS_COUNT; t++)
        r->probe_ns[t] = r->probe_pid ? ns_inode(r->probe_pid, (enum ns_type)t) : 0;
    world_snapshot(r->during_snap, sizeof r->during_snap);
    if (spec->during)
        spec->during(r, spec->data);
    if (spec->kill_probe && r->probe_pid)
        kill(r->probe_pid, SIGKILL);
    else if (write(go_fd, "g", 1) != 1)
        appendf(r->note, sizeof r->note, "could not release the probe: %s\n", strerror(errno));
}

static void run_lab(const struct world_spec *spec, struct world_result *r)
{
    struct pipes p;
    struct capbuf out = { r->out, OUT_CAP, 0, 0 }, err = { r->err, OUT_CAP, 0, 0 };
    struct capbuf report = { r->probe, PROBE_CAP, 0, 0 };
    double start, deadline;
    pid_t lab;
    int pidfd, status = 0, open_out = 1, open_err = 1, open_report = 1;

    if (pipe2(p.out, O_CLOEXEC) || pipe2(p.err, O_CLOEXEC) || pipe2(p.report, O_CLOEXEC) ||
        pipe2(p.go, O_CLOEXEC) || pipe2(p.in, O_CLOEXEC)) {
        fail(r, "pipe");
        return;
    }
    start = now();
    lab = fork();
    if (lab == -1) {
        fail(r, "fork the lab");
        return;
    }
    if (lab == 0)
        exec_lab(spec, &p);
    close(p.out[1]);
    close(p.err[1]);
    close(p.report[1]);
    close(p.go[0]);
    close(p.in[0]);
    if (spec->stdin_text && write(p.in[1], spec->stdin_text, strlen(spec->stdin_text)) < 0)
        appendf(r->note, sizeof r->note, "could not feed stdin: %s\n", strerror(errno));
    close(p.in[1]);
    fcntl(p.out[0], F_SETFL, O_NONBLOCK);
    fcntl(p.err[0], F_SETFL, O_NONBLOCK);
    fcntl(p.report[0], F_SETFL, O_NONBLOCK);
    pidfd = (int)syscall(SYS_pidfd_open, lab, 0);

    deadline = start + spec->timeout;
    for (;;) {
        struct pollfd fds[4] = {
            { open_out ? p.out[0] : -1, POLLIN, 0 }, { open_err ? p.err[0] : -1, POLLIN, 0 },
            { open_report ? p.report[0] : -1, POLLIN, 0 }, { pidfd, POLLIN, 0 },
        };
        double left = deadline - now();
        /* Without a pidfd (kernel < 5.3), look at the lab every 10 ms. */
        int wait_ms = pidfd == -1 ? 10 : (int)(left * 1000) + 1;

        if (left <= 0) {
            r->timed_out = 1;
            break;
        }
        if (poll(fds, 4, wait_ms) == -1 && errno != EINTR)
            break;
        if (open_out && capbuf_read(&out, p.out[0]) <= 0)
            open_out = 0;
        if (open_err && capbuf_read(&err, p.err[0]) <= 0)
            open_err = 0;
        if (open_report && capbuf_read(&report, p.report[0]) <= 0)
            open_report = 0;
        if (!r->probe_ready && (has_line(r->probe, "READY"))) {
            r->probe_ready = 1;
            look_from_outside(spec, r, p.go[1]);
        }
        if (waitpid(lab, &status, WNOHANG) == lab) {
            r->lab_exited = 1;
            r->lab_status = status;
            break;
        }
    }
    r->seconds = now() - start;

    /* What the lab left behind is seen before anything is cleaned up. */
    capbuf_read(&out, p.out[0]);
    capbuf_read(&err, p.err[0]);
    capbuf_read(&report, p.report[0]);
    r->out_at_exit = out.total;
    if (r->lab_exited) {
        reap_zombies();
        world_snapshot(r->after, sizeof r->after);
        if (spec->after)
            spec->after(r, spec->data);
    }
    kill_everyone();
    if (!r->lab_exited)
        world_snapshot(r->after, sizeof r->after);

    /* Everyone is gone now, so the pipes end. */
    while (open_out && capbuf_read(&out, p.out[0]) > 0)
        ;
    while (open_err && capbuf_read(&err, p.err[0]) > 0)
        ;
    r->out_total = out.total;
    r->err_total = err.total;
    if (pidfd != -1)
        close(pidfd);
    close(p.out[0]);
    close(p.err[0]);
    close(p.report[0]);
    close(p.go[1]);
}

static void world_main(const struct world_spec *spec, struct world_result *r, int sync_fd)
{
    char go;
    int t;

    /* W is forked from a Check test, whose SIGTERM handler kills its whole
     * process group: W must have no handler of the harness's. And a probe
     * that is gone when we release it must not take W with it. */
    for (t = 1; t < NSIG; t++)
        if (t != SIGKILL && t != SIGSTOP)
            signal(t, SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    /* A session of its own: a lab that calls kill(0, ...) or killpg() by
     * mistake reaches the world's processes, never the harness. */
    setsid();
    /* Wait until the harness has put us in the world's cgroup. */
    if (read(sync_fd, &go, 1) != 1)
        _exit(1);
    close(sync_fd);
    if (make_world(r, spec))
        _exit(1);
    for (t = 0; t < NS_COUNT; t++)
        r->world_ns[t] = ns_inode(0, (enum ns_type)t);
    r->ready = 1;
    if (spec->setup)
        spec->setup(r, spec->data);
    world_snapshot(r->before, sizeof r->before);
    run_lab(spec, r);
    r->finished = 1;
    _exit(0);
}

/* ---- The world's cgroup (made from outside, by the harness) ---------- */

struct cgroups { char dir[2][PATH_MAX]; int n; };

static int write_text(const char *dir, const char *file, const char *text)
{
    char path[PATH_MAX + 64];
    int fd, ok;

    snprintf(path, sizeof path, "%s/%s", dir, file);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd == -1)
        return -1;
    ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
    close(fd);
    return ok ? 0 : -1;
}

/* The path of our own cgroup in hierarchy `ctrl` ("" for cgroup v2). */
static int own_cgroup(const char *ctrl, char *out, size_t n)
{
    char text[4096], *save = NULL, *line;

    if (read_file("/proc/self/cgroup", text, sizeof text) < 0)
        return -1;
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *names = strchr(line, ':'), *path;
        if (!names || !(path = strchr(names + 1, ':')))
            continue;
        *path++ = '\0';
        names++;
        if (*ctrl ? strstr(names, ctrl) != NULL : *names == '\0') {
            snprintf(out, n, "%s", path);
            return 0;
        }
    }
    return -1;
}

static void cg_make(struct cgroups *cg, const char *base, const char *name)
{
    char *dir = cg->dir[cg->n];

    if (snprintf(dir, PATH_MAX, "%s/%s", base, name) < PATH_MAX && mkdir(dir, 0755) == 0)
        cg->n++;
}

static void cg_setup(struct cgroups *cg, struct world_result *r)
{
    char name[64] = "nslab-world-", own[PATH_MAX], base[PATH_MAX + 64], mem[32];
    struct stat st;
    int i;

    cg->n = 0;
    snprintf(name + strlen(name), sizeof name - strlen(name), "%d-", (int)getpid());
    rand_hex(name + strlen(name), 6);
    snprintf(mem, sizeof mem, "%ld", WORLD_MEMORY_MAX);
    if (stat("/sys/fs/cgroup/cgroup.controllers", &st) == 0) {
        /* cgroup v2: one hierarchy; enable the controllers for our child. */
        write_text("/sys/fs/cgroup", "cgroup.subtree_control", "+pids +memory");
        cg_make(cg, "/sys/fs/cgroup", name);
        if (cg->n && (write_text(cg->dir[0], "pids.max", WORLD_PIDS_MAX) ||
                      write_text(cg->dir[0], "memory.max", mem)))
            appendf(r->note, sizeof r->note, "cgroup v2 limits not set: %s\n", strerror(errno));
    } else {
        if (own_cgroup("pids", own, sizeof own) == 0) {
            snprintf(base, sizeof base, "/sys/fs/cgroup/pids%s", own);
            cg_make(cg, base, name);
            if (cg->n)
                write_text(cg->dir[cg->n - 1], "pids.max", WORLD_PIDS_MAX);
        }
        if (own_cgroup("memory", own, sizeof own) == 0) {
            snprintf(base, sizeof base, "/sys/fs/cgroup/memory%s", own);
            i = cg->n;
            cg_make(cg, base, name);
            if (cg->n > i)
                write_text(cg->dir[i], "memory.limit_in_bytes", mem);
        }
    }
    if (cg->n == 0)
        appendf(r->note, sizeof r->note, "no cgroup for the test world: processes and memory are not limited\n");
}

static void cg_enter(const struct cgroups *cg, pid_t pid)
{
    char text[32];
    int i;

    snprintf(text, sizeof text, "%d", (int)pid);
    for (i = 0; i < cg->n; i++)
        write_text(cg->dir[i], "cgroup.procs", text);
}

static void cg_remove(const struct cgroups *cg)
{
    struct timespec pause = { 0, 1000 * 1000 };
    int i, tries;

    /* The world's last processes may take a moment to leave (a fork bomb's
     * hundreds of them, on a busy machine): wait up to 10 s. */
    for (i = 0; i < cg->n; i++) {
        for (tries = 0; tries < 10000 && rmdir(cg->dir[i]) == -1 && errno == EBUSY; tries++)
            nanosleep(&pause, NULL);
        if (access(cg->dir[i], F_OK) == 0)
            fprintf(stderr, "nslab harness: could not remove the cgroup %s: %s\n", cg->dir[i], strerror(errno));
    }
}

/* ---- The harness's side ---------------------------------------------- */

struct world_result *world_run(const struct world_spec *spec)
{
    static struct world_result *r;
    struct cgroups cg;
    int sync[2], status, pidfd;
    pid_t w;

    if (!r) {
        r = mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (r == MAP_FAILED) {
            r = NULL;
            return NULL;
        }
    }
    memset(r, 0, sizeof *r);
    if (pipe2(sync, O_CLOEXEC) == -1) {
        fail(r, "pipe");
        return r;
    }
    cg_setup(&cg, r);
    fflush(NULL);
    /* A fork-like clone: the child continues here, on a copy of our stack. */
    w = (pid_t)syscall(SYS_clone, WORLD_FLAGS | SIGCHLD, NULL, NULL, NULL, NULL);
    if (w == 0) {
        close(sync[1]);
        world_main(spec, r, sync[0]);
    }
    close(sync[0]);
    if (w == -1) {
        fail(r, "create the test world's namespaces (clone)");
        close(sync[1]);
        cg_remove(&cg);
        return r;
    }
    cg_enter(&cg, w);
    if (write(sync[1], "g", 1) != 1)
        kill(w, SIGKILL);
    close(sync[1]);

    /* W enforces the lab's time limit itself; this is the backstop. */
    pidfd = (int)syscall(SYS_pidfd_open, w, 0);
    if (pidfd != -1) {
        struct pollfd pfd = { pidfd, POLLIN, 0 };
        if (poll(&pfd, 1, (int)(spec->timeout * 1000) + 10000) == 0) {
            kill(w, SIGKILL);
            appendf(r->note, sizeof r->note, "the test world did not end by itself and was killed\n");
        }
        close(pidfd);
    }
    while (waitpid(w, &status, 0) == -1 && errno == EINTR)
        ;
    cg_remove(&cg);
    if (!r->ready && !r->env_error[0])
        snprintf(r->env_error, sizeof r->env_error, "the test world could not be made (status 0x%x)", status);
    return r;
}
