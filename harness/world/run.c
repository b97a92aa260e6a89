/* Running the lab in W: its pipes and limits, the seccomp filter, the watch
 * until it ends or its time is up, and the killing of whatever is left.
 *
 * The filter is the world's second line of defence, after the user namespace:
 * the calls that would change the machine rather than the world (setting a
 * clock, loading a module, kexec, swap, reconfiguring a superblock) are handed
 * to W as user notifications. W answers each with EPERM and writes down its
 * name, so the report can say which call the lab tried. */
#define _GNU_SOURCE
#include "world_int.h"
#include "faults.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/keyctl.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LAB_ADDRESS_SPACE (4096L * 1024 * 1024)
#define LAB_NPROC 512   /* counted per user namespace: a fork bomb stops here even without a cgroup */
#define LAB_NICE 10     /* below W and the harness: a fork bomb cannot starve them (checks run side by side) */
#define STUCK_SECONDS 1.0   /* a process of the lab with no live child this long is stuck */
/* A world without a cgroup (rootless on cgroup v1) has no memory limit:
 * the machine's memory is watched instead. A run that grows its shared
 * memory (Shmem, what tmpfs holds) by SHMEM_LIMIT_MB ends; so does one that
 * takes from its available memory (MemAvailable: the lab's processes, and
 * what the kernel holds for them, message queues, pipes...) a quarter of
 * what was available when it began, at most MEMORY_LIMIT_MB (the cgroup's
 * limit), or whose own processes hold that much (MemAvailable lags by what
 * the kernel's per-CPU free lists give out). Other programs of the machine allocate meanwhile too: the bound
 * is far above what any lab needs. */
#define SHMEM_LIMIT_MB 256
#define MEMORY_LIMIT_MB 1024
/* Cgroup v1 has no limit on a world's cgroups (v2: cgroup.max.descendants
 * and .depth, set by cgroup.c): a run with more than this many ends. */
#define CGROUP_LIMIT 512
#define WATCH_EVERY 0.025   /* seconds between two looks at the bounds */

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- The seccomp filter ---------------------------------------------- */

/* Calls that would change the machine rather than the world, or reach out
 * of it: refused whatever their arguments. */
static const char *const machine_calls[] = {
    "settimeofday", "clock_settime", "stime", "init_module", "finit_module", "delete_module",
    "kexec_load", "kexec_file_load", "swapon", "swapoff", "fspick",
    /* Keys are counted per user of the machine, not per world (a lab that
     * fills its quota leaves the next world none), and rootless the grader's
     * own keyrings are the user's, who may link them. keyctl(2) but one
     * harmless question: see harmless_keyctl. */
    "add_key", "request_key", "keyctl",
    /* io_uring makes sockets and other calls without their system calls,
     * where no rule of this filter sees them. */
    "io_uring_setup", "io_uring_enter", "io_uring_register",
};

/* ioctl(2)s that type into a terminal, or paste into one (a virtual
 * console's selection): the lab has no terminal but its own, and even that
 * must not feed the shell it returns to. */
static const struct { unsigned long request; const char *name; } terminal_ioctls[] = {
    { TIOCSTI, "ioctl(TIOCSTI)" }, { TIOCLINUX, "ioctl(TIOCLINUX)" },
};

static int is_machine_call(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof machine_calls / sizeof machine_calls[0]; i++)
        if (strcmp(name, machine_calls[i]) == 0)
            return 1;
    /* (The filter hands W only their refused forms: see install_filter.) */
    return strcmp(name, "ioctl") == 0 || strcmp(name, "socket") == 0;
}

/* keyctl(2)'s one question a lab may ask (lab 10's probe asks it):
 * KEYCTL_GET_KEYRING_ID of its session keyring, which exists (the world's
 * own, empty: world.c), without creating anything. Arguments in registers:
 * nothing the lab could change after the look. */
static int harmless_keyctl(const struct seccomp_notif *req)
{
    return req->data.nr == SCMP_SYS(keyctl) && (int)req->data.args[0] == KEYCTL_GET_KEYRING_ID &&
           (int)req->data.args[1] == KEY_SPEC_SESSION_KEYRING && req->data.args[2] == 0;
}

/* The refused call, as the report names it. */
static void name_refused(const struct seccomp_notif *req, const char *name, char *line, size_t n)
{
    size_t i;

    if (req->data.nr == SCMP_SYS(mount)) {
        snprintf(line, n, "mount(2) with MS_REMOUNT but not MS_BIND (it would reconfigure a whole filesystem, "
                 "not one mount)");
        return;
    }
    if (req->data.nr == SCMP_SYS(socket)) {
        snprintf(line, n, "socket(AF_VSOCK) (vsock ports are the machine's, not the world's)");
        return;
    }
    for (i = 0; req->data.nr == SCMP_SYS(ioctl) && i < sizeof terminal_ioctls / sizeof terminal_ioctls[0]; i++)
        if ((unsigned int)req->data.args[1] == terminal_ioctls[i].request) {
            snprintf(line, n, "%s (it types into a terminal)", terminal_ioctls[i].name);
            return;
        }
    snprintf(line, n, "%s(2)", name ? name : "a system call");
}

#define LOW_32 0xffffffffULL   /* an int argument's bits, in a 64-bit register */

/* The calls a slow_parent run looks at: the lab's first clone, then its
 * first of these. */
static const char *const parent_calls[] = { "clone", "clone3", "openat", "open", "sendmsg", "sendto" };

/* In the lab's process, just before exec: install the filter and send its
 * listener to W over sock. Returns 0, or -1 (the lab then runs without it
 * and W notes so). */
static int install_filter(int sock, int slow_parent)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    char data = 'f';
    struct iovec iov = { &data, 1 };
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                          .msg_controllen = sizeof control.buf };
    struct cmsghdr *cmsg;
    size_t i;
    int fd, ok = 0;

    if (!ctx)
        return -1;
    /* No no_new_privs: the lab is root of its user namespace, which may load
     * a filter without it, and set-user-ID programs inside keep working. */
    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    for (i = 0; i < sizeof machine_calls / sizeof machine_calls[0]; i++) {
        int nr = seccomp_syscall_resolve_name(machine_calls[i]);
        if (nr != __NR_SCMP_ERROR && nr >= 0 && seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0) < 0)
            goto out;
    }
    /* mount(2) with MS_REMOUNT but not MS_BIND reconfigures a superblock,
     * which may be the machine's; with MS_BIND it changes only this mount. */
    /* (Not the send of the listener itself, below: nobody could answer.) */
    for (i = 0; slow_parent && i < sizeof parent_calls / sizeof parent_calls[0]; i++) {
        int nr = seccomp_syscall_resolve_name(parent_calls[i]);
        if (nr != __NR_SCMP_ERROR && nr >= 0 &&
            seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 1, SCMP_A0(SCMP_CMP_NE, (scmp_datum_t)sock)) < 0)
            goto out;
    }
    /* ioctl(2)'s request and socket(2)'s family are ints to the kernel,
     * which ignores a register's upper half: only the lower 32 bits are
     * compared (masked), or AF_VSOCK | 1 << 32 would not match and still
     * be AF_VSOCK. (libseccomp's SCMP_A0_32 only casts the value.) */
    for (i = 0; i < sizeof terminal_ioctls / sizeof terminal_ioctls[0]; i++)
        if (seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(ioctl), 1,
                             SCMP_A1(SCMP_CMP_MASKED_EQ, LOW_32, (scmp_datum_t)terminal_ioctls[i].request)) < 0)
            goto out;
    if (seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(socket), 1,
                         SCMP_A0(SCMP_CMP_MASKED_EQ, LOW_32, AF_VSOCK)) < 0 ||
        seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(mount), 1,
                         SCMP_A3(SCMP_CMP_MASKED_EQ, MS_REMOUNT | MS_BIND, MS_REMOUNT)) < 0 ||
        seccomp_load(ctx) < 0)
        goto out;
    fd = seccomp_notify_fd(ctx);
    cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof fd);
    ok = fd >= 0 && sendmsg(sock, &msg, 0) == 1;
out:
    seccomp_release(ctx);
    return ok ? 0 : -1;
}

/* In W: the listener the lab sent, or -1. */
static int receive_listener(int sock)
{
    char data;
    struct iovec iov = { &data, 1 };
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } control;
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                          .msg_controllen = sizeof control.buf };
    struct cmsghdr *cmsg;
    int fd = -1;

    if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
        return -1;
    cmsg = CMSG_FIRSTHDR(&msg);
    if (cmsg && cmsg->cmsg_type == SCM_RIGHTS)
        memcpy(&fd, CMSG_DATA(cmsg), sizeof fd);
    return fd;
}

/* A slow_parent or fail_parent_send run: the lab's process, whether its
 * first clone was seen, the call held back (answered when its time has
 * come), and the netlink sends counted since the clone. */
static struct {
    pid_t lab;
    int hold, fail_nth, kill, cloned, held, sends, netns_fd, cgroup;
    __u64 held_id;
    double release_at;
} slow = { .netns_fd = -1 };

#define SLOW_SECONDS 0.3

static void let_through(int listener, __u64 id)
{
    struct seccomp_notif_resp resp = { .id = id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE };

    /* A kernel before 5.5 cannot let a call through: fail it rather than
     * leave the lab asleep in it (the check that needs this says ENV). */
    if (seccomp_notify_respond(listener, &resp) == -1 && errno != ENOENT) {
        resp.flags = 0;
        resp.error = -ENOSYS;
        seccomp_notify_respond(listener, &resp);
    }
}

/* Refuse the call with EPERM, as a kernel would refuse a netlink request. */
static void refuse_quietly(int listener, __u64 id)
{
    struct seccomp_notif_resp resp = { .id = id, .error = -EPERM };

    seccomp_notify_respond(listener, &resp);
}

/* The PID of the lab's first child (the container, as the world sees it),
 * or 0. */
static pid_t first_child(pid_t lab)
{
    char rel[64], children[256] = "";

    snprintf(rel, sizeof rel, "%d/task/%d/children", (int)lab, (int)lab);
    return proc_read(rel, children, sizeof children) > 0 ? (pid_t)atoi(children) : 0;
}

/* Keep the network namespace of the lab's first child open until W ends:
 * then the kernel cannot take a veth pair away with it, and a lab that
 * leaves its host end behind is seen doing so every time. */
static void hold_child_netns(pid_t lab)
{
    char rel[64];
    pid_t child = slow.netns_fd == -1 ? first_child(lab) : 0;

    if (child > 0) {
        snprintf(rel, sizeof rel, "%d/ns/net", (int)child);
        slow.netns_fd = proc_open(rel, O_RDONLY);
    }
}

/* Answer the held call once its time has come. */
static void release_held(int listener)
{
    if (slow.held == 1 && now() >= slow.release_at) {
        let_through(listener, slow.held_id);
        slow.held = 2;   /* only the first */
    }
}

/* Does the open(2) or openat(2) the notification holds name a file that
 * moves a process into a cgroup? Read from the caller's memory. */
static int opens_cgroup_procs(int listener, const struct seccomp_notif *req, const char *name)
{
    char rel[64], path[PATH_MAX];
    unsigned long long at = !strcmp(name, "openat") ? req->data.args[1] : req->data.args[0];
    ssize_t n;
    size_t len;
    int fd;

    if (strcmp(name, "openat") && strcmp(name, "open"))
        return 0;
    snprintf(rel, sizeof rel, "%d/mem", (int)req->pid);
    fd = proc_open(rel, O_RDONLY);
    n = fd == -1 ? -1 : pread(fd, path, sizeof path - 1, (off_t)at);
    if (fd != -1)
        close(fd);
    /* The call may have gone (the caller died): its memory is not its own. */
    if (n <= 0 || seccomp_notify_id_valid(listener, req->id) != 0)
        return 0;
    path[n] = '\0';
    len = strlen(path);
    return (len >= 12 && !strcmp(path + len - 12, "cgroup.procs")) || (len >= 6 && !strcmp(path + len - 6, "/tasks"));
}

static int probe_files(struct file_id *ids);

/* Answer one notification with EPERM and write down what was tried.
 * Returns 0 when the listener is done (nobody left under the filter). */
static int refuse_one(int listener, struct world_result *r)
{
    struct seccomp_notif *req = NULL;
    struct seccomp_notif_resp *resp = NULL;
    char line[160];
    char *name;

    if (seccomp_notify_alloc(&req, &resp) != 0)
        return 0;
    if (seccomp_notify_receive(listener, req) != 0) {
        seccomp_notify_free(req, resp);
        return errno == ENOENT || errno == EINTR;   /* the caller died meanwhile */
    }
    name = seccomp_syscall_resolve_num_arch(req->data.arch, req->data.nr);
    if (harmless_keyctl(req)) {
        let_through(listener, req->id);
        free(name);
        seccomp_notify_free(req, resp);
        return 1;
    }
    if (name && strcmp(name, "mount") != 0 && !is_machine_call(name)) {
        /* A slow_parent run's call: let it through, but hold the lab's
         * first open or netlink send after its first clone. */
        int is_send = !strcmp(name, "sendmsg") || !strcmp(name, "sendto");
        if (slow.lab && (pid_t)req->pid == slow.lab && (!strcmp(name, "clone") || !strcmp(name, "clone3")))
            slow.cloned = 1;
        else if (slow.lab && (pid_t)req->pid == slow.lab && slow.cloned && slow.fail_nth && is_send &&
                 ++slow.sends == slow.fail_nth) {
            hold_child_netns(slow.lab);
            refuse_quietly(listener, req->id);
            free(name);
            seccomp_notify_free(req, resp);
            return 1;
        } else if (slow.lab && (pid_t)req->pid == slow.lab && slow.cloned && slow.kill && !slow.held) {
            /* The parent dies before it lets its child go on: the call is
             * never answered (letting it through could race the signal and
             * make the pair after all); the kernel drops it with the task. */
            slow.held = 2;
            kill(slow.lab, SIGKILL);
            free(name);
            seccomp_notify_free(req, resp);
            return 1;
        } else if (slow.lab && (pid_t)req->pid == slow.lab && !slow.held &&
                   ((slow.cloned && slow.hold) || (slow.cgroup && opens_cgroup_procs(listener, req, name)))) {
            slow.held = 1;
            slow.held_id = req->id;
            slow.release_at = now() + SLOW_SECONDS;
            free(name);
            seccomp_notify_free(req, resp);
            return 1;
        }
        let_through(listener, req->id);
        free(name);
        seccomp_notify_free(req, resp);
        return 1;
    }
    name_refused(req, name, line, sizeof line);
    {
        /* The probe's (a check asked it to try the call, to see whether the
         * lab's own filter refuses it), or the lab's. */
        struct file_id probes[2];
        char *list = runs_one_of((pid_t)req->pid, probes, probe_files(probes)) ? r->forbidden_probe : r->forbidden;
        size_t n = list == r->forbidden ? sizeof r->forbidden : sizeof r->forbidden_probe;
        if (!strstr(list, line))
            appendf(list, n, "%s\n", line);
    }
    free(name);
    resp->id = req->id;
    resp->error = -EPERM;
    resp->val = 0;
    resp->flags = 0;
    seccomp_notify_respond(listener, resp);
    seccomp_notify_free(req, resp);
    return 1;
}

/* ---- Running the lab --------------------------------------------------- */

/* The run in progress, for world_run_second() in a check's `during`. */
static struct world_result *current_result;

struct pipes { int out[2], err[2], report[2], go[2], in[2], filter[2]; };

/* In the lab's process, its fds in place: the filter, the limits, a clean
 * signal state, the user it runs as; then the lab. spec (NULL for a second
 * lab) may set the address space, the file size and the working folder. */
static void become_lab(const struct world_spec *spec, char *const *argv, const struct world_run_as *as_user,
                       int filter_sock, int watch_parent)
{
    rlim_t space = spec && spec->address_space > 0 ? (rlim_t)spec->address_space : LAB_ADDRESS_SPACE;
    /* No core dump: a limit of 0 stops a core file, but a core_pattern that
     * pipes to a program (systemd-coredump, apport) ignores limits but one:
     * 1, which the kernel takes for "no dump" (its guard against a crashing
     * helper), and which stops a file as well (smaller than a page). The
     * lab cannot raise a hard limit. (A socket pattern, "@...", Linux 6.16
     * on, may not heed it: README.) */
    struct rlimit no_core = { 1, 1 };
    struct rlimit as = { space, space };
    struct rlimit nproc = { LAB_NPROC, LAB_NPROC };
    sigset_t none;

    install_filter(filter_sock, watch_parent);   /* it allocates: before the address-space limit */
    /* The first the kernel kills when the world's memory runs out: the lab,
     * never W, which records what happened. */
    write_file("/proc/self/oom_score_adj", "1000");
    setrlimit(RLIMIT_CORE, &no_core);
    setrlimit(RLIMIT_AS, &as);
    setrlimit(RLIMIT_NPROC, &nproc);
    if (spec && spec->file_size > 0) {
        struct rlimit fsize = { (rlim_t)spec->file_size, (rlim_t)spec->file_size };
        setrlimit(RLIMIT_FSIZE, &fsize);
    }
    if (chdir(spec && spec->cwd ? spec->cwd : "/") == -1) {
        dprintf(2, "nslab harness: cannot enter %s: %s\n", spec->cwd, strerror(errno));
        _exit(125);
    }
    setpriority(PRIO_PROCESS, 0, LAB_NICE);   /* raising it again needs CAP_SYS_NICE over the machine */
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    reset_signals();   /* a lab starts as from a clean shell: nothing blocked, nothing ignored */
    /* Tried by hand, no probe reports: the lab gets no descriptor of ours
     * beyond 0-2 (a student checks O_CLOEXEC with ls -l /proc/self/fd). */
    closefrom(spec && spec->interactive ? 3 : 5);
    if (as_user && as_user->uid) {
        /* A user of the world, not its root (after the filter: that needs
         * root). The rootless world may have setgroups denied: no matter. */
        if (setgroups(0, NULL) == -1 && errno != EPERM) {
            dprintf(2, "nslab harness: cannot drop the world's groups: %s\n", strerror(errno));
            _exit(125);
        }
        if (setresgid(as_user->gid, as_user->gid, as_user->gid) == -1 ||
            setresuid(as_user->uid, as_user->uid, as_user->uid) == -1) {
            dprintf(2, "nslab harness: cannot become uid %u of the world: %s\n", (unsigned)as_user->uid,
                    strerror(errno));
            _exit(125);
        }
    }
    execv(argv[0], argv);
    dprintf(2, "nslab harness: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* ---- A terminal of the world's own (tried by hand, on a terminal) ---------- */

/* The lab gets a pty of the world's devpts as its terminal and controlling
 * terminal; W copies between the pty and our own fds 0 and 1 (the user's
 * terminal, in raw mode: the harness set it so), and passes on a new window
 * size. The user's terminal itself is never the lab's: a lab cannot type
 * into the user's shell (TIOCSTI) or signal the user's session. */
static struct { int master, slave; struct winsize size; } pty = { -1, -1, { 0, 0, 0, 0 } };

static void open_pty(const struct world_spec *spec)
{
    pty.master = pty.slave = -1;
    if (!spec->interactive || !isatty(0) || !isatty(1))
        return;
    pty.master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (pty.master == -1 || unlockpt(pty.master) == -1 ||
        (pty.slave = open(ptsname(pty.master), O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1) {
        if (pty.master != -1)
            close(pty.master);
        pty.master = -1;
        return;
    }
    if (ioctl(0, TIOCGWINSZ, &pty.size) == 0)
        ioctl(pty.master, TIOCSWINSZ, &pty.size);
    fcntl(pty.master, F_SETFL, O_NONBLOCK);
}

/* One round of copying, after poll said so; a new window size passed on. */
static void copy_pty(const struct pollfd *in, const struct pollfd *master)
{
    char buf[4096];
    struct winsize now_size;
    ssize_t n;

    if (pty.master == -1)
        return;
    if (ioctl(0, TIOCGWINSZ, &now_size) == 0 && memcmp(&now_size, &pty.size, sizeof now_size) != 0) {
        pty.size = now_size;
        ioctl(pty.master, TIOCSWINSZ, &pty.size);
    }
    if ((in->revents & POLLIN) && (n = read(0, buf, sizeof buf)) > 0 && write(pty.master, buf, (size_t)n) < 0)
        return;
    if (master->revents & (POLLIN | POLLHUP))
        while ((n = read(pty.master, buf, sizeof buf)) > 0)
            if (write(1, buf, (size_t)n) < 0)
                break;
}

static void close_pty(void)
{
    struct pollfd none = { -1, 0, 0 }, master = { pty.master, POLLIN, 0 };

    if (pty.master == -1)
        return;
    copy_pty(&none, &master);   /* what the lab wrote last */
    close(pty.master);
    if (pty.slave != -1)
        close(pty.slave);
    pty.master = pty.slave = -1;
}

static void exec_lab(const struct world_spec *spec, const struct pipes *p)
{
    /* fd 0: stdin; 1, 2: captured (tried by hand: the pty the caller made,
     * or its own fds); 3: the probe's report; 4: the probe's "go". A session
     * of its own, its controlling terminal that pty, never the user's. */
    if ((!spec->interactive && (dup2(p->in[0], 0) == -1 || dup2(p->out[1], 1) == -1 || dup2(p->err[1], 2) == -1)) ||
        (pty.slave != -1 && (dup2(pty.slave, 0) == -1 || dup2(pty.slave, 1) == -1 || dup2(pty.slave, 2) == -1)) ||
        (!spec->interactive && (dup2(p->report[1], 3) == -1 || dup2(p->go[0], 4) == -1)))
        _exit(125);
    setsid();
    if (pty.slave != -1 && ioctl(0, TIOCSCTTY, 0) == -1)
        _exit(125);
    become_lab(spec, spec->argv, &spec->as_user, p->filter[1], faults_watch_calls(spec->faults));
}

int world_run_second(char *const *argv, const struct world_run_as *as_user, double timeout, char *out, size_t n)
{
    struct world_result *r = current_result;
    struct capbuf buf = { out, n - 1, 0, 0 };
    int pipe_fds[2], sock[2], listener = -1, status = -1, open_out = 1;
    double deadline = now() + timeout;
    pid_t lab;

    out[0] = '\0';
    if (!r || pipe2(pipe_fds, O_CLOEXEC) == -1)
        return -1;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sock) == -1) {
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        return -1;
    }
    lab = fork();
    if (lab == 0) {
        int null = open("/dev/null", O_RDONLY);
        /* stdout, stderr and the probe's report all go to one pipe. */
        if (null == -1 || dup2(null, 0) == -1 || dup2(pipe_fds[1], 1) == -1 || dup2(pipe_fds[1], 2) == -1 ||
            dup2(pipe_fds[1], 3) == -1)
            _exit(125);
        close(4);
        setsid();
        become_lab(NULL, argv, as_user, sock[1], 0);
    }
    close(pipe_fds[1]);
    close(sock[1]);
    if (lab != -1) {
        listener = receive_listener(sock[0]);
        fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
        while (now() < deadline) {
            struct pollfd fds[2] = { { open_out ? pipe_fds[0] : -1, POLLIN, 0 }, { listener, POLLIN, 0 } };
            if (waitpid(lab, &status, WNOHANG) == lab)
                break;
            status = -1;
            if (poll(fds, 2, 20) == -1 && errno != EINTR)
                break;
            if (listener != -1 && (fds[1].revents & POLLIN) && !refuse_one(listener, r)) {
                close(listener);
                listener = -1;
            }
            if (open_out && capbuf_read(&buf, pipe_fds[0]) <= 0)
                open_out = 0;
        }
        if (status == -1) {
            kill(-lab, SIGKILL);   /* its session: the lab and its container */
            waitpid(lab, NULL, 0);
        }
        capbuf_read(&buf, pipe_fds[0]);
        if (status == -1)
            appendf(out, n, "\n[still running after %.1f s: killed]\n", timeout);
    }
    if (listener != -1)
        close(listener);
    close(sock[0]);
    close(pipe_fds[0]);
    return status;
}

/* The machine's shared memory (tmpfs, shm) and available memory, in MiB
 * (-1: unknown). */
static void memory_mb(long *shmem, long *available)
{
    char text[8192], *line;
    ssize_t n = proc_read("meminfo", text, sizeof text - 1);

    *shmem = *available = -1;
    if (n <= 0)
        return;
    text[n] = '\0';
    if ((line = strstr(text, "\nShmem:")))
        *shmem = atol(line + 7) / 1024;
    if ((line = strstr(text, "\nMemAvailable:")))
        *available = atol(line + 14) / 1024;
}

/* What the watch holds a run to, besides its time. */
struct bounds {
    long shmem_base, available_base, available_most;   /* MiB; -1: not watched (the world has a cgroup) */
    int (*count_cgroups)(int most);
    double next_look;
};

/* own_memory_limit: the run's processes have an address-space limit of the
 * caller's (the compiler's: the source drives its memory only so far), and
 * the machine's available memory, which neighbours move too, is not
 * watched. */
static void watch_bounds(struct bounds *b, const struct world_result *r, int (*count_cgroups)(int most),
                         int own_memory_limit)
{
    b->shmem_base = b->available_base = b->available_most = -1;
    b->count_cgroups = count_cgroups;
    b->next_look = 0;
    if (r->cgroup_version)
        return;
    memory_mb(&b->shmem_base, &b->available_base);
    if (own_memory_limit)
        b->available_base = -1;
    if (b->available_base >= 0)
        b->available_most = b->available_base / 4 < MEMORY_LIMIT_MB ? b->available_base / 4 : MEMORY_LIMIT_MB;
}

/* Has the run gone past a bound? r->ended then says which. */
static int past_bounds(struct bounds *b, struct world_result *r)
{
    long shmem, available;

    if (now() < b->next_look)
        return 0;
    b->next_look = now() + WATCH_EVERY;
    if (b->shmem_base >= 0 || b->available_base >= 0)
        memory_mb(&shmem, &available);
    /* MemAvailable misses what the kernel's per-CPU free lists hand out
     * (up to half a GiB a CPU, measured): the world's own processes' memory
     * is counted too. */
    if (b->available_base >= 0 && available >= 0 && b->available_base - available <= b->available_most) {
        long own = proc_private_mb();
        if (own > b->available_base - available)
            available = b->available_base - own;
    }
    if (b->shmem_base >= 0 && shmem - b->shmem_base > SHMEM_LIMIT_MB)
        snprintf(r->ended, sizeof r->ended, "the run put %ld MiB into memory-backed files (a tmpfs or shared memory) "
                 "and was ended: this world has no cgroup to hold it, so the kit stops it at %d MiB",
                 shmem - b->shmem_base, SHMEM_LIMIT_MB);
    else if (b->available_base >= 0 && available >= 0 && b->available_base - available > b->available_most)
        snprintf(r->ended, sizeof r->ended, "the run took %ld MiB of the machine's available memory (its processes', "
                 "and what the kernel holds for it: message queues, pipes...) and was ended: this world has no cgroup "
                 "to hold it, so the kit stops it at %ld MiB (a quarter of what was available, at most %d MiB)",
                 b->available_base - available, b->available_most, MEMORY_LIMIT_MB);
    else if (b->count_cgroups && b->count_cgroups(CGROUP_LIMIT) > CGROUP_LIMIT)
        snprintf(r->ended, sizeof r->ended, "the run made more than %d cgroups in the world (or nested them deeper "
                 "than 16) and was ended: cgroup v1 has no limit of its own on them, so the kit stops it there, "
                 "as cgroup v2's limits would", CGROUP_LIMIT);
    return r->ended[0] != '\0';
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

/* kill_parent: the lab's child, now W's, has a second to end by itself
 * (answering the filter meanwhile); whatever is left shows in the snapshot. */
static void orphans_end_alone(int listener, struct world_result *r)
{
    double until = now() + 1.0;

    while (now() < until) {
        pid_t pid = waitpid(-1, NULL, WNOHANG);
        struct pollfd pfd = { listener, POLLIN, 0 };
        if (pid == -1 && errno == ECHILD)
            return;
        if (pid > 0)
            continue;
        if (listener != -1 && poll(&pfd, 1, 10) == 1)
            refuse_one(listener, r);
        else if (listener == -1)
            usleep(10000);
    }
}

/* world.c's snapshot of the world's host state, for this run. */
static int (*take_snapshot)(char *buf, size_t n);

static void snapshot(struct world_result *r, char *buf)
{
    if (take_snapshot(buf, SNAP_CAP) == -1)
        r->snap_truncated = 1;
}

/* Is a process of the lab waiting on nothing (an init whose command has
 * ended but which does not exit, a parent that never returns)? Looked at
 * every 50 ms; after STUCK_SECONDS the run ends, and r->stuck says why.
 * Where runs get more time (NSLAB_TIMEOUT: an emulated VM, many times
 * slower), a third of the run's limit if that is longer: a child waiting
 * for a parent that is slow, not stuck, must not look stuck there. */
static int stuck(const struct world_spec *spec, struct world_result *r, double *since)
{
    const char *base = strrchr(spec->argv[0], '/') ? strrchr(spec->argv[0], '/') + 1 : spec->argv[0];
    pid_t pid = lab_process_waiting_on_nothing(base);
    char rel[64], status[4096] = "", *nspid;

    if (!pid) {
        *since = 0;
        return 0;
    }
    if (!*since)
        *since = now();
    if (now() - *since < (spec->timeout / 3 > STUCK_SECONDS ? spec->timeout / 3 : STUCK_SECONDS))
        return 0;
    snprintf(rel, sizeof rel, "%d/status", (int)pid);
    proc_read(rel, status, sizeof status);
    nspid = strstr(status, "NSpid:");
    /* The innermost PID is the last of the NSpid line: 1 is a container's init. */
    if (nspid && strchr(nspid, '\n'))
        *strchr(nspid, '\n') = '\0';
    if (nspid && strrchr(nspid, '\t') && strcmp(strrchr(nspid, '\t') + 1, "1") == 0 && strchr(nspid, '\t') != strrchr(nspid, '\t'))
        snprintf(r->stuck, sizeof r->stuck, "the lab was still running, but nothing it started was: PID 1 of the "
                 "container slept with no process left to wait for (an init that never exits, or a child "
                 "waiting for a parent that never lets it go on)");
    else
        snprintf(r->stuck, sizeof r->stuck, "the lab was still running, but nothing it started was: %s (PID %d "
                 "on the host) had no process left to wait for and never exited", base, (int)pid);
    return 1;
}

#define HOST_COMMAND_DELAY 0.5
#define HOST_COMMAND_SECONDS 10

/* make tryNN HOST=...: run a command on the world's host, with $CONTAINER the
 * PID of the lab's first child (the container, as the host sees it). */
static void run_host_command(const char *command, pid_t lab, int tty_fd)
{
    char pid[32] = "";
    pid_t child = first_child(lab);

    if (child > 0)
        snprintf(pid, sizeof pid, "%d", (int)child);
    child = fork();
    if (child == 0) {
        setsid();
        /* Its output beside the lab's: on the lab's pty, if it has one. */
        if (tty_fd > 0 && (dup2(tty_fd, 1) == -1 || dup2(tty_fd, 2) == -1))
            _exit(125);
        closefrom(3);
        setenv("CONTAINER", pid, 1);
        reset_signals();
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    /* The lab waits meanwhile (it has its own time limit); a command that
     * does not end (ping without -c) is stopped after HOST_COMMAND_SECONDS. */
    if (child > 0) {
        double until = now() + HOST_COMMAND_SECONDS;
        while (waitpid(child, NULL, WNOHANG) == 0) {
            if (now() > until) {
                dprintf(2, "nslab try: HOST command still running after %d s: stopped\n", HOST_COMMAND_SECONDS);
                kill(-child, SIGKILL);
                waitpid(child, NULL, 0);
                break;
            }
            usleep(10000);
        }
    }
}

/* The probe's copies in the world (its own, and the one in lab 10's root),
 * by what names them on the machine: a process of the lab that only calls
 * itself nslab-probe is none of them. Learnt before the lab runs
 * (learn_probe_files): a lab, in W's own mount namespace, may later mount
 * another file over those paths. */
static struct { struct file_id ids[2]; int n; } probe_copies;

static void learn_probe_files(void)
{
    static const char *const copies[] = { WORLD_KIT_DIR "/nslab-probe", WORLD_ROOT_DIR WORLD_KIT_DIR "/nslab-probe" };
    struct stat st;
    size_t i;

    probe_copies.n = 0;
    for (i = 0; i < sizeof copies / sizeof copies[0]; i++)
        if (stat(copies[i], &st) == 0) {
            probe_copies.ids[probe_copies.n].dev = st.st_dev;
            probe_copies.ids[probe_copies.n].ino = st.st_ino;
            probe_copies.n++;
        }
}

static int probe_files(struct file_id *ids)
{
    memcpy(ids, probe_copies.ids, sizeof probe_copies.ids);
    return probe_copies.n;
}

/* The probe said READY: look at it and at the world from outside. */

/* How many lines "READY" the probe's report holds. */
static int readies(const char *report)
{
    const char *p = report;
    int n = 0;

    while ((p = strstr(p, "READY"))) {
        n += (p == report || p[-1] == '\n') && (p[5] == '\n' || p[5] == '\0');
        p += 5;
    }
    return n;
}

/* The probe reported again (a command that runs it twice, one after the
 * other, as some checks' scripts do): it must be in the namespaces the first
 * one was in. A lab that runs a copy in namespaces of its own first, for the
 * harness to look at, and then the command where it is, is caught here. */
/* The run's start on the three clocks a probe reports (for the witness). */
static double run_since[3];

/* The world's hostname and domain name when the lab started, and the first
 * other one seen while it ran (sampled at every look, some 20 times a
 * second): a lab that sets the host's and puts it back before it returns
 * is seen all the same. */
static struct { char host[256], domain[256]; } host_at_start;

static void sample_host_name(struct world_result *r)
{
    char host[256] = "", domain[256] = "";

    if (r->host_changed[0] || gethostname(host, sizeof host - 1) == -1 ||
        getdomainname(domain, sizeof domain - 1) == -1)
        return;
    if (strcmp(host, host_at_start.host) != 0)
        snprintf(r->host_changed, sizeof r->host_changed, "while the lab ran, the host's hostname was %s "
                 "(before: %s)", host, host_at_start.host);
    else if (strcmp(domain, host_at_start.domain) != 0)
        snprintf(r->host_changed, sizeof r->host_changed, "while the lab ran, the host's domain name was %s "
                 "(before: %s)", domain, host_at_start.domain);
}

/* The probe reported READY for the `run`-th time and waits: hold its report
 * against what is seen of it from outside (witness.c). A probe that is not
 * running when its READY arrives was let go by someone else, or the report
 * is not its own: nothing of it can be held against the kernel's view. */
static void witness(struct world_result *r, pid_t pid, int run, struct capbuf *report, int go_fd)
{
    struct stat go;

    sample_host_name(r);
    /* A copy of the probe under another name (a check's set-user-ID copy)
     * is no probe by its file: the one waiting on our pipe, then. */
    if (!pid && fstat(go_fd, &go) == 0)
        pid = deepest_holder(4, go.st_ino);
    if (!pid || witness_probe(r, pid, run, &report->len, run_since) == -1)
        appendf(r->altered, sizeof r->altered, "the probe's report said READY, but no probe was running when the "
                "harness looked (it waits for the harness after READY: someone let it go, or wrote the report)\n");
}

static void look_again(struct world_result *r, int go_fd, int run, struct capbuf *report)
{
    struct file_id probes[2];
    int copies, t;
    pid_t pid = find_program(probes, probe_files(probes), &copies);

    for (t = 0; pid && t < NS_COUNT; t++) {
        unsigned long ns = ns_inode(pid, (enum ns_type)t);
        if (ns && r->probe_ns[t] && ns != r->probe_ns[t] && r->probe_count < 2) {
            r->probe_count = 2;
            appendf(r->note, sizeof r->note, "the probe ran again, in another %s namespace ([%lu], the first in [%lu])\n",
                    ns_name((enum ns_type)t), ns, r->probe_ns[t]);
        }
    }
    witness(r, pid, run, report, go_fd);
    if (write(go_fd, "g", 1) != 1)
        appendf(r->note, sizeof r->note, "could not release the probe: %s\n", strerror(errno));
}

static void look_from_outside(const struct world_spec *spec, struct world_result *r, int go_fd, struct capbuf *report)
{
    struct file_id probes[2];
    int t;

    r->probe_pid = find_program(probes, probe_files(probes), &r->probe_count);
    if (r->probe_count > 1)
        appendf(r->note, sizeof r->note, "%d copies of it were running side by side when it reported\n", r->probe_count);
    for (t = 0; t < NS_COUNT; t++)
        r->probe_ns[t] = r->probe_pid ? ns_inode(r->probe_pid, (enum ns_type)t) : 0;
    witness(r, r->probe_pid, 1, report, go_fd);
    snapshot(r, r->during_snap);
    if (spec->during)
        spec->during(r, spec->data);
    witness_caught_now(r->probe_pid);
    if (spec->kill_probe && r->probe_pid)
        kill(r->probe_pid, SIGKILL);
    else if (write(go_fd, "g", 1) != 1)
        appendf(r->note, sizeof r->note, "could not release the probe: %s\n", strerror(errno));
}

static int open_pipes(struct pipes *p)
{
    return pipe2(p->out, O_CLOEXEC) || pipe2(p->err, O_CLOEXEC) || pipe2(p->report, O_CLOEXEC) ||
           pipe2(p->go, O_CLOEXEC) || pipe2(p->in, O_CLOEXEC) ||
           socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p->filter) ? -1 : 0;
}

void run_lab(const struct world_spec *spec, struct world_result *r, int (*snapshot_fn)(char *buf, size_t n),
             int (*count_cgroups)(int most))
{
    struct pipes p;
    struct capbuf out = { r->out, OUT_CAP, 0, 0 }, err = { r->err, OUT_CAP, 0, 0 };
    struct capbuf report = { r->probe, PROBE_CAP, 0, 0 };
    double start, deadline;
    pid_t lab;
    int pidfd, listener, status = 0, open_out = !spec->interactive, open_err = !spec->interactive, open_report = 1;
    double waiting_on_nothing = 0;
    int host_done = 0, looked = 0;
    struct bounds bounds;

    current_result = r;
    take_snapshot = snapshot_fn;
    learn_probe_files();
    if (open_pipes(&p)) {
        world_fail(r, "pipe");
        return;
    }
    open_pty(spec);
    r->clock_gap[0] = clock_gap_now();
    gethostname(host_at_start.host, sizeof host_at_start.host - 1);
    getdomainname(host_at_start.domain, sizeof host_at_start.domain - 1);
    {
        static const clockid_t clocks[3] = { CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME };
        int i;
        for (i = 0; i < 3; i++) {
            struct timespec ts;
            clock_gettime(clocks[i], &ts);
            run_since[i] = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
        }
    }
    witness_expect(spec->argv);
    start = now();
    lab = fork();
    if (lab == -1) {
        world_fail(r, "fork the lab");
        return;
    }
    if (lab == 0)
        exec_lab(spec, &p);
    if (slow.netns_fd != -1)
        close(slow.netns_fd);
    memset(&slow, 0, sizeof slow);
    slow.netns_fd = -1;
    if (faults_watch_calls(spec->faults)) {
        slow.lab = lab;
        slow.hold = spec->faults->slow_parent;
        slow.cgroup = spec->faults->slow_cgroup;
        slow.fail_nth = spec->faults->fail_parent_send;
        slow.kill = spec->faults->kill_parent;
    }
    close(p.out[1]);
    close(p.err[1]);
    close(p.report[1]);
    close(p.go[0]);
    close(p.in[0]);
    close(p.filter[1]);
    listener = receive_listener(p.filter[0]);
    close(p.filter[0]);
    if (listener == -1)
        appendf(r->note, sizeof r->note, "the lab ran without the seccomp filter (the kernel refused it)\n");
    if (spec->stdin_text && write(p.in[1], spec->stdin_text, strlen(spec->stdin_text)) < 0)
        appendf(r->note, sizeof r->note, "could not feed stdin: %s\n", strerror(errno));
    close(p.in[1]);
    fcntl(p.out[0], F_SETFL, O_NONBLOCK);
    fcntl(p.err[0], F_SETFL, O_NONBLOCK);
    fcntl(p.report[0], F_SETFL, O_NONBLOCK);
    pidfd = (int)syscall(SYS_pidfd_open, lab, 0);
    watch_bounds(&bounds, r, count_cgroups, spec->address_space > 0);

    deadline = start + spec->timeout;
    for (;;) {
        struct pollfd fds[7] = {
            { open_out ? p.out[0] : -1, POLLIN, 0 }, { open_err ? p.err[0] : -1, POLLIN, 0 },
            { open_report ? p.report[0] : -1, POLLIN, 0 }, { pidfd, POLLIN, 0 }, { listener, POLLIN, 0 },
            { pty.master != -1 ? 0 : -1, POLLIN, 0 }, { pty.master, POLLIN, 0 },
        };
        double left = deadline - now();
        /* Look at the lab every 50 ms (10 ms without a pidfd, kernel < 5.3). */
        int wait_ms = pidfd == -1 ? 10 : left < 0.05 ? (int)(left * 1000) + 1 : 50;

        if (left <= 0) {
            r->timed_out = 1;
            break;
        }
        if (!spec->interactive && stuck(spec, r, &waiting_on_nothing)) {
            r->timed_out = 1;
            break;
        }
        if (past_bounds(&bounds, r))
            break;
        if (listener != -1 && slow.held == 1) {
            release_held(listener);
            if (wait_ms > 10)
                wait_ms = 10;
        }
        if (spec->host_command && !host_done && now() - start >= HOST_COMMAND_DELAY) {
            run_host_command(spec->host_command, lab, pty.slave);
            host_done = 1;
        }
        if (poll(fds, 7, wait_ms) == -1 && errno != EINTR)
            break;
        copy_pty(&fds[5], &fds[6]);
        if (listener != -1 && (fds[4].revents & (POLLHUP | POLLERR)) && !(fds[4].revents & POLLIN)) {
            close(listener);   /* nobody is left under the filter */
            listener = -1;
        } else if (listener != -1 && (fds[4].revents & POLLIN) && !refuse_one(listener, r)) {
            close(listener);
            listener = -1;
        }
        if (open_out && capbuf_read(&out, p.out[0]) <= 0)
            open_out = 0;
        if (open_err && capbuf_read(&err, p.err[0]) <= 0)
            open_err = 0;
        if (open_report && capbuf_read(&report, p.report[0]) <= 0)
            open_report = 0;
        if (!r->probe_ready && (has_line(r->probe, "READY"))) {
            r->probe_ready = 1;
            looked = 1;
            look_from_outside(spec, r, p.go[1], &report);
        }
        while (looked && readies(r->probe) > looked) {
            looked++;
            look_again(r, p.go[1], looked, &report);
        }
        sample_host_name(r);
        if (waitpid(lab, &status, WNOHANG) == lab) {
            r->lab_exited = 1;
            r->lab_status = status;
            break;
        }
    }
    r->seconds = now() - start;
    r->clock_gap[1] = clock_gap_now();
    sample_host_name(r);

    /* What the lab left behind is seen before anything is cleaned up. */
    capbuf_read(&out, p.out[0]);
    capbuf_read(&err, p.err[0]);
    capbuf_read(&report, p.report[0]);
    /* A probe without --wait may report and exit between two looks: it did
     * report (there was nothing to look at from outside while it ran). */
    if (!r->probe_ready && has_line(r->probe, "READY"))
        r->probe_ready = 1;
    witness_caught_hold(r);
    r->out_at_exit = out.total;
    if (r->lab_exited) {
        reap_zombies();
        if (spec->faults && spec->faults->kill_parent)
            orphans_end_alone(listener, r);
        snapshot(r, r->after);
        if (spec->after)
            spec->after(r, spec->data);
    }
    if (listener != -1)
        close(listener);   /* anything still blocked in a refused call gets ENOSYS */
    kill_everyone();
    close_pty();
    if (!r->lab_exited)
        snapshot(r, r->after);

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
