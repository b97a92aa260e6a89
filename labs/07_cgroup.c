/* 07_cgroup.c: limit what the container may use of the machine.
 *
 * Namespaces decide what a container sees; they do not stop it from taking
 * all the memory, forking without end or holding a CPU. This lab puts the
 * container in a control group of its own, nslab/<PID> under the root of the
 * hierarchy the lab sees (one per controller on cgroup v1), with the limits
 * of --memory, --pids-limit and --cpus, made and entered before the command
 * runs, and gives the child a cgroup namespace whose root is that group. The
 * group is removed when the container has ended.
 *
 * Read: cgroups(7), cgroup_namespaces(7), the kernel's cgroup-v2.rst and
 *       cgroup-v1/ docs, handouts/07_cgroup.md.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <fcntl.h>
#include <grp.h>
#include <ctype.h>
#include <limits.h>
#include <linux/magic.h>   /* CGROUP2_SUPER_MAGIC */
#include <sys/stat.h>
#include <sys/vfs.h>

#define PROG "07_cgroup"

/* Exit statuses, as docker run(1) uses them. */
enum {
    EXIT_SETUP = 125,     /* the container could not be set up */
    EXIT_NOEXEC = 126,    /* the command was found but could not be executed */
    EXIT_NOTFOUND = 127,  /* the command was not found */
};

#define STACK_SIZE (1024 * 1024)   /* the child's stack: plenty for exec */
#define HOSTNAME_MAX 64            /* HOST_NAME_MAX on Linux */
#define CONTAINER_IF "eth0"        /* the container's end of the veth pair */

/* An IPv4 address with its prefix length, as --ip and --host-ip give it. */
struct cidr {
    struct in_addr addr;
    int prefix;
    const char *text;       /* as the user wrote it, for messages */
};
/* One line of a uid_map or gid_map: IDs IN.. inside are OUT.. outside. */
struct idmap {
    unsigned long in, out, count;
};

/* Everything the command line says, shared by parent and child. */
struct config {
    const char *hostname;   /* --hostname, the name inside */
    char **argv;            /* the command and its arguments */
    int verbose;            /* --verbose: narrate each step */
    int init;               /* --init: PID 1 is our init, the command PID 2 */
    struct cidr ip;         /* --ip: the container's eth0 */
    struct cidr host_ip;    /* --host-ip: the host's end of the pair */
    char veth[IF_NAMESIZE]; /* the host end's name: unique per container */
    int veth_index;         /* its interface index once we made it, else 0 */
    int go[2];              /* the handshake pipe: the parent writes when the child may go on */
    int has_veth;           /* a veth pair links the container to the host (lab 06: root only) */
    struct idmap uid_map, gid_map;  /* --uid-map, --gid-map */
    int rootless;           /* run by a user, not root: no veth, setgroups denied */
    unsigned long long memory;      /* --memory in bytes; 0: no limit */
    long pids_limit;                /* --pids-limit; 0: no limit */
    double cpus;                    /* --cpus; 0: no limit */
    int cgroup_v2;                  /* /sys/fs/cgroup is the unified hierarchy */
    char cgroup[3][256];            /* the container's cgroup (v2: [0]; v1: one per controller
                                     * of v1_controllers[]); "" where none was made */
};

static int verbose;

/* Narrate one step on stderr when --verbose was given. The line goes out in
 * one write(2), so that the parent's and the child's never mix. */
static void say(const char *who, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    int n;

    if (!verbose)
        return;
    n = snprintf(line, sizeof line, "[%s] ", who);
    va_start(ap, fmt);
    n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    if (write(2, line, (size_t)n) < 0)
        return;   /* nowhere to narrate to */
}

/* The one error helper: name the failed step and the reason, exit 125. */
static void die(const char *step)
{
    fprintf(stderr, "%s: %s: %s\n", PROG, step, strerror(errno));
    exit(EXIT_SETUP);
}

/* A usage error: one line on stderr, exit 125 like docker run. */
static void usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "%s: %s%s%s (try --help)\n", PROG, msg, arg ? ": " : "", arg ? arg : "");
    exit(EXIT_SETUP);
}

/* Every option of this lab into cfg, or a usage error. The command line
 * comes last in this file, with each lab's options: the story starts with
 * the container. */
static void parse_args(int argc, char **argv, struct config *cfg);

/* ---- Lab 01: a hostname of its own -------------------------------------- */

/* Turn a wait(2) status into our exit status, as a shell does. */
static int exit_status(int status)
{
    int code = EXIT_SETUP;

    if (WIFEXITED(status))
        code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        code = 128 + WTERMSIG(status);
    return code;
}

/* Become the command. Returns only when exec failed, with the status that
 * tells "not found" (127) from "not executable" (126). */
static int exec_command(struct config *cfg)
{
    say("child", "execvp(\"%s\")", cfg->argv[0]);
    execvp(cfg->argv[0], cfg->argv);
    fprintf(stderr, "%s: %s: %s\n", PROG, cfg->argv[0], strerror(errno));
    return errno == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC;
}

/* Spell out clone flags for --verbose, e.g. "CLONE_NEWUTS|SIGCHLD". */
static const char *flag_names(int flags)
{
    static const struct { int flag; const char *name; } names[] = {
        { CLONE_NEWUTS, "CLONE_NEWUTS" },
        { CLONE_NEWIPC, "CLONE_NEWIPC" },
        { CLONE_NEWPID, "CLONE_NEWPID" },
        { CLONE_NEWNS, "CLONE_NEWNS" },
        { CLONE_NEWNET, "CLONE_NEWNET" },
        { CLONE_NEWUSER, "CLONE_NEWUSER" },
    };
    static char text[256];
    size_t i;

    text[0] = '\0';
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (flags & names[i].flag) {
            strcat(text, names[i].name);
            strcat(text, "|");
        }
    strcat(text, "SIGCHLD");
    return text;
}

/* ---- Lab 03: PID 1 and its duties ---------------------------------------- */

/* The signals --init passes on to the command, as docker run --init does. */
static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
#define NFORWARDED (sizeof forwarded / sizeof forwarded[0])

/* A minimal init, PID 1 of the container (run with --init). When it exits,
 * the kernel kills every other process of the namespace, so it must live
 * exactly as long as the command. */
static int run_init(struct config *cfg)
{
    say("init", "pid %ld, passing on %zu kinds of signal", (long)getpid(), NFORWARDED);
    {
        sigset_t signals, old;
        size_t i;
        pid_t cmd;
        int sig;

        /* Block the signals before the command exists, so that none is lost:
         * a blocked signal waits, pending, until sigwait(3) takes it, even
         * for PID 1, which needs no handler then. */
        sigemptyset(&signals);
        sigaddset(&signals, SIGCHLD);
        for (i = 0; i < NFORWARDED; i++)
            sigaddset(&signals, forwarded[i]);
        if (sigprocmask(SIG_BLOCK, &signals, &old) == -1)
            die("sigprocmask");

        cmd = fork();
        if (cmd == -1)
            die("fork the command");
        if (cmd == 0) {
            /* The mask survives exec: give the command back the one we had. */
            if (sigprocmask(SIG_SETMASK, &old, NULL) == -1)
                die("sigprocmask");
            exit(exec_command(cfg));
        }
        say("init", "command is pid %ld", (long)cmd);

        for (;;) {
            if (sigwait(&signals, &sig) != 0)
                continue;
            if (sig != SIGCHLD) {
                say("init", "passing signal %d on to %ld", sig, (long)cmd);
                kill(cmd, sig);
                continue;
            }
            /* One SIGCHLD may stand for several children: signals of a kind
             * do not queue. So reap until none is left. */
            for (;;) {
                int status;
                pid_t pid = waitpid(-1, &status, WNOHANG);
                if (pid <= 0)
                    break;
                say("init", "reaped %ld", (long)pid);
                if (pid == cmd)
                    return exit_status(status);
            }
        }
    }
}

/* ---- Lab 05: a network of its own --------------------------------------- */

/* A libnl call failed: one line naming the step and libnl's reason. */
static int nl_failed(const char *step, const char *object, int err)
{
    fprintf(stderr, "%s: %s %s: %s\n", PROG, step, object, nl_geterror(err));
    return -1;
}

/* A netlink socket that talks to the network namespace this process is in
 * (rtnetlink(7)); NULL after one line on stderr. */
struct nl_sock *netlink_open(void)
{
    struct nl_sock *sk = nl_socket_alloc();
    int err;

    if (!sk) {
        fprintf(stderr, "%s: netlink socket: out of memory\n", PROG);
        return NULL;
    }
    err = nl_connect(sk, NETLINK_ROUTE);
    if (err < 0) {
        nl_failed("connect to", "rtnetlink", err);
        nl_socket_free(sk);
        return NULL;
    }
    return sk;
}

/* Give the link `name` of sk's namespace the address `addr` (unless NULL)
 * and bring it up, as `ip addr add` and `ip link set up` would. Returns 0,
 * or -1 after one line on stderr. (The address is built from what
 * parse_cidr() read, not parsed again: libnl reads "/024" as octal.) */
int link_up(struct nl_sock *sk, const char *who, const char *name, const struct cidr *addr)
{
    struct rtnl_link *link = NULL, *change;
    int err;

    err = rtnl_link_get_kernel(sk, 0, name, &link);
    if (err < 0)
        return nl_failed("find link", name, err);
    if (addr) {
        struct rtnl_addr *a = rtnl_addr_alloc();
        struct nl_addr *local = nl_addr_build(AF_INET, &addr->addr, sizeof addr->addr);
        err = a && local ? 0 : -NLE_NOMEM;
        if (err == 0) {
            nl_addr_set_prefixlen(local, addr->prefix);
            rtnl_addr_set_ifindex(a, rtnl_link_get_ifindex(link));
            err = rtnl_addr_set_local(a, local);
        }
        if (err == 0)
            err = rtnl_addr_add(sk, a, 0);
        if (local)
            nl_addr_put(local);
        if (a)
            rtnl_addr_put(a);
        if (err < 0) {
            rtnl_link_put(link);
            return nl_failed("add address to", name, err);
        }
        say(who, "address %s on %s", addr->text, name);
    }
    change = rtnl_link_alloc();
    if (!change)
        err = -NLE_NOMEM;
    else {
        rtnl_link_set_flags(change, IFF_UP);
        err = rtnl_link_change(sk, link, change, 0);
        rtnl_link_put(change);
    }
    rtnl_link_put(link);
    if (err < 0)
        return nl_failed("bring up", name, err);
    say(who, "%s up", name);
    return 0;
}

/* In the parent: wire the child's network namespace to this one. Returns 0,
 * or -1 after one line on stderr (the caller then removes what was made). */
static int make_veth(struct config *cfg, pid_t child)
{
    int result = 0;

    struct nl_sock *sk = netlink_open();
    struct rtnl_link *veth, *peer;
    int err;

    if (!sk)
        return -1;
    veth = rtnl_link_veth_alloc();
    if (!veth) {
        nl_socket_free(sk);
        return nl_failed("make", "veth", -NLE_NOMEM);
    }
    /* One request makes both ends; the peer is born in the child's network
     * namespace (the one of process `child`), so its name cannot clash. */
    peer = rtnl_link_veth_get_peer(veth);
    rtnl_link_set_name(veth, cfg->veth);
    rtnl_link_set_name(peer, CONTAINER_IF);
    rtnl_link_set_ns_pid(peer, child);
    err = rtnl_link_add(sk, veth, NLM_F_CREATE | NLM_F_EXCL);
    rtnl_link_put(peer);
    rtnl_link_veth_release(veth);
    if (err < 0) {
        nl_socket_free(sk);
        return nl_failed("make veth", cfg->veth, err);
    }
    /* Remember which link we made: a name can be someone else's later. */
    cfg->veth_index = (int)if_nametoindex(cfg->veth);
    say("parent", "veth %s (here) <-> %s (in pid %ld's network namespace)", cfg->veth, CONTAINER_IF, (long)child);
    result = link_up(sk, "parent", cfg->veth, &cfg->host_ip);
    nl_socket_free(sk);
    return result;
}

/* In the parent, when the container has ended or its set-up failed. */
static void remove_veth(struct config *cfg)
{
    struct nl_sock *sk = cfg->veth_index ? netlink_open() : NULL;
    struct rtnl_link *link = sk ? rtnl_link_alloc() : NULL;
    int err;

    if (sk && link) {
        /* By index, not name: after the child's end, the kernel may have
         * removed our pair already and another container taken the name. */
        rtnl_link_set_ifindex(link, cfg->veth_index);
        err = rtnl_link_delete(sk, link);
        if (err == 0 || err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV)
            say("parent", "veth %s removed%s", cfg->veth, err ? " (the kernel had already)" : "");
        else
            nl_failed("remove veth", cfg->veth, err);
        cfg->veth_index = 0;
    }
    if (link)
        rtnl_link_put(link);
    if (sk)
        nl_socket_free(sk);
}

/* In the child, once the parent has made the pair. */
static void container_network(struct config *cfg)
{
    struct nl_sock *sk = netlink_open();
    int failed = !sk || link_up(sk, "child", "lo", NULL) == -1;

    if (!failed && cfg->has_veth)
        failed = link_up(sk, "child", CONTAINER_IF, &cfg->ip) == -1;
    if (sk)
        nl_socket_free(sk);
    if (failed)
        exit(EXIT_SETUP);
}

/* In the child, first of all: wait until the parent has finished. */
static void wait_for_parent(struct config *cfg)
{
    char go;

    /* Our copy of the write end would keep the pipe open for ever. */
    close(cfg->go[1]);
    if (read(cfg->go[0], &go, 1) != 1)
        exit(EXIT_SETUP);
    close(cfg->go[0]);
    say("child", "the parent is done, going on");
}

/* In the parent: create the handshake pipe, before the child exists. */
static void make_handshake(struct config *cfg)
{
    if (pipe2(cfg->go, O_CLOEXEC) == -1)
        die("pipe");
}

/* In the parent: let the child go on. */
static int release_child(struct config *cfg)
{
    if (write(cfg->go[1], "g", 1) != 1) {
        fprintf(stderr, "%s: release the child: %s\n", PROG, strerror(errno));
        return -1;
    }
    close(cfg->go[1]);
    return 0;
}

/* ---- Lab 06: a user namespace ----------------------------------------- */

/* Write text into /proc/PID/FILE. Returns 0, or -1 after one line naming the
 * file and the kernel's reason. */
int write_proc_file(pid_t pid, const char *file, const char *text)
{
    char path[64];
    size_t len = strlen(text);
    int fd, err = 0;

    snprintf(path, sizeof path, "/proc/%ld/%s", (long)pid, file);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd == -1 || write(fd, text, len) != (ssize_t)len)
        err = errno;
    if (fd != -1 && close(fd) == -1 && !err)
        err = errno;
    if (err) {
        fprintf(stderr, "%s: write %s: %s\n", PROG, path, strerror(err));
        return -1;
    }
    say("parent", "%s: %.*s", path, (int)strcspn(text, "\n"), text);
    return 0;
}

/* In the parent: the child's user namespace gets its ID maps. Returns 0, or
 * -1 after one line on stderr. */
static int write_maps(struct config *cfg, pid_t child)
{
    char line[96];

    snprintf(line, sizeof line, "%lu %lu %lu\n", cfg->uid_map.in, cfg->uid_map.out, cfg->uid_map.count);
    if (write_proc_file(child, "uid_map", line) == -1)
        return -1;
    /* A user without CAP_SETGID over the parent namespace must deny
     * setgroups first: else, with a gid_map, the child could drop the
     * groups that restrict it (a hole fixed in Linux 3.19). */
    if (cfg->rootless && write_proc_file(child, "setgroups", "deny") == -1)
        return -1;
    snprintf(line, sizeof line, "%lu %lu %lu\n", cfg->gid_map.in, cfg->gid_map.out, cfg->gid_map.count);
    if (write_proc_file(child, "gid_map", line) == -1)
        return -1;
    return 0;
}

/* ---- Lab 07: a control group of its own ------------------------------- */

#define CGROUP_ROOT "/sys/fs/cgroup"
/* The v1 hierarchies this lab uses, one per controller. */
const char *const v1_controllers[] = { "memory", "pids", "cpu" };
#define NCONTROLLERS (sizeof v1_controllers / sizeof v1_controllers[0])

/* Is the hierarchy on /sys/fs/cgroup the unified one of cgroup v2? */
static int cgroup_is_v2(void)
{
    struct statfs st;

    return statfs(CGROUP_ROOT, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

/* Does this machine have the controller `name` (memory, pids or cpu)? v2:
 * the root's cgroup.controllers lists it; v1: its hierarchy is mounted at
 * CGROUP_ROOT/name. */
static int has_controller(const struct config *cfg, const char *name)
{
    char path[128], list[256], *save = NULL, *word;
    ssize_t n;
    int fd;

    if (!cfg->cgroup_v2) {
        struct statfs st;
        snprintf(path, sizeof path, "%s/%s", CGROUP_ROOT, name);
        return statfs(path, &st) == 0 && st.f_type == CGROUP_SUPER_MAGIC;
    }
    fd = open(CGROUP_ROOT "/cgroup.controllers", O_RDONLY | O_CLOEXEC);
    n = fd == -1 ? -1 : read(fd, list, sizeof list - 1);
    if (fd != -1)
        close(fd);
    if (n <= 0)
        return 0;
    list[n] = '\0';
    for (word = strtok_r(list, " \n", &save); word; word = strtok_r(NULL, " \n", &save))
        if (strcmp(word, name) == 0)
            return 1;
    return 0;
}

/* Write text into DIR/FILE. Returns 0, or -1 after one line naming the file
 * and the kernel's reason. */
int cgroup_write(const char *dir, const char *file, const char *text)
{
    char path[PATH_MAX + 64];
    size_t len = strlen(text);
    int fd, err = 0;

    snprintf(path, sizeof path, "%s/%s", dir, file);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd == -1 || write(fd, text, len) != (ssize_t)len)
        err = errno;
    if (fd != -1 && close(fd) == -1 && !err)
        err = errno;
    if (err) {
        fprintf(stderr, "%s: write %s: %s\n", PROG, path, strerror(err));
        return -1;
    }
    say("parent", "%s: %s", path, text);
    return 0;
}

/* In the parent: the container's cgroup, with its limits, and the child in
 * it. Returns 0, or -1 after one line on stderr (main() then removes what
 * was made). */
static int make_cgroup(struct config *cfg, pid_t child)
{
    int result = 0;

    /* TODO(07): afterwards the child is in a cgroup of its own, nslab/<its
     *           PID> under CGROUP_ROOT (cgroup v2, cfg->cgroup_v2), or under
     *           each v1 hierarchy of v1_controllers[] this machine has
     *           (has_controller()); cfg->cgroup[i] holds each path made
     *           (remove_cgroup() removes those); and each limit given holds
     *           there: --memory with no swap beyond it, --pids-limit, --cpus
     *           as a quota per period (rounded to the microsecond). A limit
     *           not given is left as the kernel makes it. On v2, a
     *           controller works in a cgroup only once every parent enables
     *           it for its children. nslab is shared and may exist already;
     *           an nslab/<PID> that exists already is another container's,
     *           a failure. The group's files stay the host's: the
     *           container's root must not be able to write them.
     *           cgroup_write() is yours to use.
     *           Why: the kernel accounts and limits per group, and every
     *           process the command starts is born in its parent's group.
     *           Read cgroups(7), the kernel's cgroup-v2.rst ("Controlling
     *           Controllers", "memory.max", "pids.max", "cpu.max") and
     *           cgroup-v1/ (memory.limit_in_bytes, cpu.cfs_quota_us), and the
     *           handout's "Making the group"; make hint07 has hints. */
    (void)cfg;
    (void)child;
    return result;
}

/* In the parent, when the container has ended or its set-up failed. */
static void remove_cgroup(struct config *cfg)
{
    /* TODO(07): afterwards none of the groups named in cfg->cgroup[] is
     *           left, nor their nslab parent once no other container uses it
     *           (another one may: that is no failure, and its groups are not
     *           yours to remove). A group whose last process is still
     *           exiting refuses for a moment (EBUSY).
     *           Read cgroups(7) ("Creating cgroups and moving processes")
     *           and the handout's "Leaving nothing behind". */
    (void)cfg;
}

/* ---- The container: the child's steps, then the parent's ----------------- */

/* The child: runs inside the new namespaces, sets them up, then becomes the
 * command. Its return value would be its exit status, but it never returns
 * unless something failed. */
int child_main(void *arg)
{
    struct config *cfg = arg;

    say("child", "pid %ld, setting up", (long)getpid());
    wait_for_parent(cfg);

    /* Lab 06: become root of the new user namespace. */
    if (setresgid(0, 0, 0) == -1)
        die("become gid 0 inside (is 0 in --gid-map?)");
    if (!cfg->rootless && setgroups(0, NULL) == -1)
        die("drop supplementary groups");
    if (setresuid(0, 0, 0) == -1)
        die("become uid 0 inside (is 0 in --uid-map?)");
    say("child", "uid 0, gid 0 inside");

    /* Lab 07: a cgroup namespace rooted at the container's own group. */
    /* TODO(07): inside, /proc/self/cgroup must show the container's group as
     *           "/" (the host's tree above it hidden), so the namespace must
     *           be made once the parent has put the child in its group, not
     *           at clone time (when the child was still in the parent's).
     *           With --verbose, say() so, naming CLONE_NEWCGROUP (it is no
     *           clone flag here, so flag_names() cannot).
     *           A failure ends the program with die(). Read
     *           cgroup_namespaces(7), unshare(2), and the handout's "The
     *           cgroup namespace". */

    /* Lab 01: name the container. */
    if (sethostname(cfg->hostname, strlen(cfg->hostname)) == -1)
        die("sethostname");
    say("child", "sethostname(\"%s\")", cfg->hostname);

    /* Lab 04: a mount table of our own, and a /proc that shows our PIDs. */
    /* The new mount namespace starts as a copy of the host's, peers and all:
     * where the host's mounts are shared, a mount we make would propagate
     * back. So first make every mount private, recursively. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
        die("make mounts private");
    say("child", "mount(\"/\", MS_REC|MS_PRIVATE)");
    /* ps and top read /proc, which still shows the host's PID namespace;
     * a proc filesystem mounted from inside ours shows ours. */
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
        die("mount /proc");
    say("child", "mount(\"proc\", \"/proc\")");

    /* Lab 05: lo and eth0, now that the parent has made the pair. */
    container_network(cfg);

    if (cfg->init)
        return run_init(cfg);
    return exec_command(cfg);
}

/* The parent: makes the child in its new namespaces, waits for it, and
 * exits with the command's status, leaving nothing behind. */
int main(int argc, char **argv)
{
    struct config cfg;
    char *stack;
    pid_t pid = -1;
    int status = 0;
    /* The namespaces the child gets beyond lab 01's: each lab adds one. */
    int flags = 0;

    parse_args(argc, argv, &cfg);
    cfg.cgroup_v2 = cgroup_is_v2();
    /* Without root there is no cgroup to write limits into (a user's own
     * delegated subtree is a later story): say so rather than ignore them. */
    if (cfg.rootless && (cfg.memory || cfg.pids_limit || cfg.cpus))
        usage_error("--memory, --pids-limit and --cpus need root (a cgroup of the host's)", NULL);
    /* A limit this machine cannot set is refused before anything is made. */
    if (!cfg.rootless && cfg.memory && !has_controller(&cfg, "memory"))
        usage_error("--memory: this machine has no memory controller (see /proc/cgroups)", NULL);
    if (!cfg.rootless && cfg.pids_limit && !has_controller(&cfg, "pids"))
        usage_error("--pids-limit: this machine has no pids controller (see /proc/cgroups)", NULL);
    if (!cfg.rootless && cfg.cpus && !has_controller(&cfg, "cpu"))
        usage_error("--cpus: this machine has no cpu controller (see /proc/cgroups)", NULL);

    /* Lab 02: System V IPC objects and POSIX message queues of its own. */
    flags |= CLONE_NEWIPC;

    /* Lab 03: PIDs of its own. */
    flags |= CLONE_NEWPID;

    /* Lab 04: a mount table of its own. */
    flags |= CLONE_NEWNS;

    cfg.go[0] = cfg.go[1] = -1;   /* no handshake pipe yet */
    cfg.veth_index = 0;
    /* Lab 05: a network stack of its own. */
    flags |= CLONE_NEWNET;
    make_handshake(&cfg);
    /* Lab 06: root only inside. */
    flags |= CLONE_NEWUSER;

    /* The child's stack: clone(2) runs the child on memory we give it. */
    stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED)
        die("mmap child stack");

    /* Lab 01: start the container. */
    flags |= CLONE_NEWUTS;
    /* Stacks grow down on every architecture Linux runs containers on, so
     * pass the top. SIGCHLD is the exit signal plain waitpid() waits for. */
    pid = clone(child_main, stack + STACK_SIZE, flags | SIGCHLD, &cfg);
    if (pid == -1)
        die("clone");

    say("parent", "clone(%s) = %ld", flag_names(flags), (long)pid);
    /* The child waits in wait_for_parent() while we set up its world. If
     * anything fails, it is killed and what was made is removed. */
    close(cfg.go[0]);
    /* A child that died early must not take us with it: writing to its
     * pipe then fails with EPIPE instead of killing us (pipe(7)), and we
     * clean up. */
    signal(SIGPIPE, SIG_IGN);
    snprintf(cfg.veth, sizeof cfg.veth, "nsv%ld", (long)pid);
    if (
        write_maps(&cfg, pid) == -1 ||
        (!cfg.rootless && make_cgroup(&cfg, pid) == -1) ||
        (cfg.has_veth && make_veth(&cfg, pid) == -1) ||
        release_child(&cfg) == -1) {
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
            ;
        if (cfg.has_veth)
            remove_veth(&cfg);
        remove_cgroup(&cfg);
        return EXIT_SETUP;
    }
    if (!cfg.has_veth)
        say("parent", "not root on the host: no veth (it needs privilege here); the container has lo alone");
    say("parent", "waiting for %ld", (long)pid);

    while (waitpid(pid, &status, 0) == -1)
        if (errno != EINTR)
            die("waitpid");
    say("parent", "child %ld ended with wait status 0x%x", (long)pid, status);
    if (cfg.has_veth)
        remove_veth(&cfg);
    remove_cgroup(&cfg);

    munmap(stack, STACK_SIZE);
    return exit_status(status);
}

/* ---- The command line ---------------------------------------------------- */

/* --help: this lab's options, and what its exit status means. */
static void usage(void)
{
    printf("Usage: %s [OPTION...] [--] [COMMAND [ARG...]]\n"
           "Run COMMAND (default /bin/sh) in a new container.\n"
           "\n"
           "  -h, --help           show this help and exit\n"
           "  -v, --verbose        narrate each step on stderr\n"
           "      --hostname NAME  hostname inside the container (default: container)\n"
           "      --init           run an init as PID 1 that starts COMMAND, forwards\n"
           "                       signals to it and reaps orphans\n"
           "      --ip CIDR        address of the container's eth0 (default 10.200.0.2/24)\n"
           "      --host-ip CIDR   address of the host's end of the veth pair\n"
           "                       (default 10.200.0.1/24)\n"
           "      --uid-map IN:OUT:COUNT  uid map of the container's user namespace\n"
           "      --gid-map IN:OUT:COUNT  gid map (default for both: 0:100000:65536 when\n"
           "                       run by root, else 0:<your id>:1; without root there\n"
           "                       is no veth, only lo)\n"
           "      --memory SIZE    memory limit, bytes or with K, M or G (powers of 1024)\n"
           "      --pids-limit N   most tasks in the container\n"
           "      --cpus X         CPU time, in CPUs (0.5: half of one)\n"
           "\n"
           "Exit status: COMMAND's own; 128+N if it was killed by signal N;\n"
           "125 if the container could not be set up; 126 if COMMAND could not be\n"
           "executed; 127 if COMMAND was not found.\n", PROG);
}

/* Read "A.B.C.D/PREFIX" (PREFIX 1 to 32) for `option`; a bad one is a usage
 * error that names the option. */
static void parse_cidr(const char *option, const char *text, struct cidr *c)
{
    c->text = text;
    c->prefix = 0;
    char host[INET_ADDRSTRLEN], *end, msg[96];
    const char *slash = strchr(text, '/');
    size_t len = slash ? (size_t)(slash - text) : 0;
    long prefix;

    if (!slash || len == 0 || len >= sizeof host) {
        snprintf(msg, sizeof msg, "%s: not ADDRESS/PREFIX, like 10.200.0.2/24", option);
        usage_error(msg, text);
    }
    memcpy(host, text, len);
    host[len] = '\0';
    if (inet_pton(AF_INET, host, &c->addr) != 1) {
        snprintf(msg, sizeof msg, "%s: not an IPv4 address", option);
        usage_error(msg, text);
    }
    /* strtol would skip blanks and take a sign: the prefix is digits only. */
    errno = 0;
    prefix = strtol(slash + 1, &end, 10);
    if (slash[1] < '0' || slash[1] > '9' || *end || errno || prefix < 1 || prefix > 32) {
        snprintf(msg, sizeof msg, "%s: the prefix must be a number from 1 to 32", option);
        usage_error(msg, text);
    }
    c->prefix = (int)prefix;
}

int same_subnet(const struct cidr *a, const struct cidr *b)
{
    uint32_t mask = b->prefix == 32 ? 0xffffffffu : ~(0xffffffffu >> b->prefix);

    return a->prefix == b->prefix && (ntohl(a->addr.s_addr) & mask) == (ntohl(b->addr.s_addr) & mask);
}

/* Read "IN:OUT:COUNT" for `option` (COUNT at least 1). */
static void parse_idmap(const char *option, const char *text, struct idmap *m)
{
    unsigned long v[3];
    const char *p = text;
    char *end, msg[96];
    int i;

    for (i = 0; i < 3; i++) {
        errno = 0;
        v[i] = strtoul(p, &end, 10);
        if (end == p || errno || *p == '-' || *p == '+' || v[i] > 4294967294UL || *end != (i < 2 ? ':' : '\0'))
            break;
        p = end + 1;
    }
    if (i < 3 || v[2] == 0 || v[0] + v[2] > 4294967295UL || v[1] + v[2] > 4294967295UL) {
        snprintf(msg, sizeof msg, "%s: not IN:OUT:COUNT with COUNT at least 1, like 0:100000:65536", option);
        usage_error(msg, text);
    }
    *m = (struct idmap){ v[0], v[1], v[2] };
}

/* --memory: a whole number of bytes, or of K, M or G (powers of 1024). */
static unsigned long long parse_size(const char *text)
{
    unsigned long long bytes = 0;

    /* TODO(07): return the size TEXT names in bytes: a whole number, then
     *           optionally K, M or G (either case) for 1024, 1024^2, 1024^3,
     *           as docker run --memory reads it. Anything else (no digits,
     *           another suffix, a sign, 0, a size that does not fit) ends the
     *           program with usage_error() naming --memory, before anything
     *           is made. Read strtoull(3) (errno, endptr) and the handout's
     *           "The options". */
    (void)text;
    return bytes;
}

/* A whole number of at least 1, for `option`. */
static long parse_positive(const char *option, const char *text)
{
    char *end, msg[96];
    long value;

    errno = 0;
    value = strtol(text, &end, 10);
    if (!isdigit((unsigned char)text[0]) || *end || errno || value < 1) {
        snprintf(msg, sizeof msg, "%s: not a whole number of at least 1", option);
        usage_error(msg, text);
    }
    return value;
}

/* --cpus: a number of CPUs above 0, at most the machine's. */
static double parse_cpus(const char *text)
{
    char *end;
    double value;
    long online = sysconf(_SC_NPROCESSORS_ONLN);

    errno = 0;
    value = strtod(text, &end);
    if (end == text || *end || errno || !(value > 0) || value > (double)(online > 0 ? online : 1))
        usage_error("--cpus: not a number of CPUs above 0 and at most this machine's", text);
    return value;
}

/* Read the options. A leading '+' makes getopt stop at the first non-option,
 * so `prog ls -l` passes -l to ls instead of parsing it here. */
static void parse_args(int argc, char **argv, struct config *cfg)
{
    /* The long options' codes: above every character getopt returns. */
    enum {
        OPT_HOSTNAME = 256,
        OPT_INIT,
        OPT_IP, OPT_HOST_IP,
        OPT_UID_MAP, OPT_GID_MAP,
        OPT_MEMORY, OPT_PIDS_LIMIT, OPT_CPUS,
    };
    static const struct option options[] = {
        { "help", no_argument, NULL, 'h' },
        { "verbose", no_argument, NULL, 'v' },
        { "hostname", required_argument, NULL, OPT_HOSTNAME },
        { "init", no_argument, NULL, OPT_INIT },
        { "ip", required_argument, NULL, OPT_IP },
        { "host-ip", required_argument, NULL, OPT_HOST_IP },
        { "uid-map", required_argument, NULL, OPT_UID_MAP },
        { "gid-map", required_argument, NULL, OPT_GID_MAP },
        { "memory", required_argument, NULL, OPT_MEMORY },
        { "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
        { "cpus", required_argument, NULL, OPT_CPUS },
        { NULL, 0, NULL, 0 },
    };
    static char *default_command[] = { "/bin/sh", NULL };
    int opt;

    cfg->hostname = "container";
    cfg->verbose = 0;
    cfg->init = 0;
    parse_cidr("--ip", "10.200.0.2/24", &cfg->ip);
    parse_cidr("--host-ip", "10.200.0.1/24", &cfg->host_ip);
    cfg->has_veth = 1;
    /* Root maps the container to an unused range (the first one a Debian
     * host's /etc/subuid hands out); a user may map only their own IDs
     * (user_namespaces(7)). */
    cfg->rootless = geteuid() != 0;
    if (cfg->rootless) {
        cfg->uid_map = (struct idmap){ 0, geteuid(), 1 };
        cfg->gid_map = (struct idmap){ 0, getegid(), 1 };
    } else {
        cfg->uid_map = (struct idmap){ 0, 100000, 65536 };
        cfg->gid_map = cfg->uid_map;
    }
    /* The host's end of a veth pair needs privilege over the host's network. */
    cfg->has_veth = !cfg->rootless;
    cfg->memory = 0;
    cfg->pids_limit = 0;
    cfg->cpus = 0;
    memset(cfg->cgroup, 0, sizeof cfg->cgroup);
    opterr = 0;   /* we print our own one-line errors */
    while ((opt = getopt_long(argc, argv, "+:hv", options, NULL)) != -1) {
        switch (opt) {
        case 'h':
            usage();
            exit(0);
        case 'v':
            cfg->verbose = 1;
            break;
        case OPT_HOSTNAME:
            if (strlen(optarg) > HOSTNAME_MAX)
                usage_error("hostname longer than 64 bytes", optarg);
            cfg->hostname = optarg;
            break;
        case OPT_INIT:
            cfg->init = 1;
            break;
        case OPT_IP:
            parse_cidr("--ip", optarg, &cfg->ip);
            break;
        case OPT_HOST_IP:
            parse_cidr("--host-ip", optarg, &cfg->host_ip);
            break;
        case OPT_UID_MAP:
            parse_idmap("--uid-map", optarg, &cfg->uid_map);
            break;
        case OPT_GID_MAP:
            parse_idmap("--gid-map", optarg, &cfg->gid_map);
            break;
        case OPT_MEMORY:
            cfg->memory = parse_size(optarg);
            break;
        case OPT_PIDS_LIMIT:
            cfg->pids_limit = parse_positive("--pids-limit", optarg);
            break;
        case OPT_CPUS:
            cfg->cpus = parse_cpus(optarg);
            break;
        case ':':
            usage_error("option needs a value", argv[optind - 1]);
            break;
        default:
            usage_error("unknown option", argv[optind - 1]);
        }
    }
    cfg->argv = optind < argc ? &argv[optind] : default_command;
    verbose = cfg->verbose;

    /* Lab 05: two ends that can reach each other. */
    if (cfg->ip.addr.s_addr == cfg->host_ip.addr.s_addr)
        usage_error("--ip and --host-ip must differ", cfg->ip.text);
    if (!same_subnet(&cfg->ip, &cfg->host_ip))
        usage_error("--ip must be in --host-ip's subnet, or the two ends cannot reach each other", cfg->ip.text);
}
