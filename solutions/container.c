#ifdef NSLAB_ONE_SOURCE
/* The one source of every nslab lab.
 *
 * `make generate` turns this file into twenty programs: `unifdef -DLAB=N` keeps
 * the layers up to N (solutions/NN_name.c), and solutions/generate.sh replaces
 * the `BEGIN SOLUTION N` blocks of layer N with their TODO text (labs/NN_name.c).
 * Edit only this file; the generated ones are overwritten.
 *
 * Markers:
 *   #if LAB >= N ... #endif          code that exists from lab N on
 *   #if LAB == N ... #endif          text that belongs to lab N only (its header)
 *   BEGIN SOLUTION N ... END SOLUTION  code the student of lab N writes; the comment
 *                                    that opens the block holds the TODO text.
 *   a comment UNTIL N ending a line  code that stands in for layer N while its TODOs
 *   BEGIN UNTIL N ... END UNTIL      are open: a use of a parameter a TODO leaves
 *   (each marker a line of its own)  unused (-Werror), a return the answer makes
 *                                    unreachable, lab 01's clone(2) until lab 09's
 *                                    clone3 is written. Kept, the marker dropped,
 *                                    where layer N is not solved: the labs before N,
 *                                    lab N's starter, every skeleton; gone from the
 *                                    solutions of N on and from the starters after
 *                                    N. (The skeletons keep it, so that make
 *                                    startNN's three-way merge takes it out of a
 *                                    student's lab where the solution lost it.)
 *
 * The file reads in lab order: each lab's header, the shared definitions and
 * helpers, each layer's code from lab 01 to lab 10, the child, main, and the
 * command line last (parse_args, declared first, and its option parsers).
 */
#endif
#if LAB == 1
/* 01_clone_uts.c: run a command in a new UTS namespace.
 *
 * The first layer of a container: a process with its own hostname. The
 * parent clones a child into a new UTS namespace; the child sets the hostname
 * (only its namespace sees the change) and executes the command; the parent
 * waits and exits with the command's status, as `docker run` does.
 *
 * Read: clone(2), namespaces(7), uts_namespaces(7), sethostname(2), wait(2),
 *       handouts/01_clone_uts.md.
 */
#endif
#if LAB == 2
/* 02_ipc.c: run a command in new UTS and IPC namespaces.
 *
 * Lab 01 gave the container its own hostname. This lab adds its own System V
 * IPC objects (message queues, semaphore sets, shared memory segments) and
 * POSIX message queues: the container cannot see or reach the host's, and
 * what it creates dies with it.
 *
 * Read: ipc_namespaces(7), clone(2), ipcs(1), handouts/02_ipc.md.
 */
#endif
#if LAB == 3
/* 03_pid.c: run a command as PID 1 of a new PID namespace.
 *
 * Labs 01-02 gave the container its own hostname and IPC objects. This lab
 * gives it its own process IDs: the command is PID 1 inside, with PID 1's
 * duties (reaping orphans; it dies, everyone dies). With --init, PID 1 is a
 * small init that runs the command as PID 2, forwards signals to it and
 * reaps every orphan, as `docker run --init` does.
 *
 * Read: pid_namespaces(7), clone(2), wait(2), sigwait(3), handouts/03_pid.md.
 */
#endif
#if LAB == 4
/* 04_mount_proc.c: give the container its own mount table and /proc.
 *
 * After lab 03 the container has its own PIDs, but `ps` still lists the
 * host's processes: it reads /proc, and /proc is still the host's. This lab
 * gives the child a new mount namespace, makes every mount in it private (so
 * that nothing it mounts travels back to a host whose mounts are shared, as
 * systemd makes them), and mounts a fresh proc filesystem on /proc.
 *
 * Read: mount_namespaces(7), mount(2), proc(5), handouts/04_mount_proc.md.
 */
#endif
#if LAB == 5
/* 05_net_veth.c: give the container a network of its own, wired to the host.
 *
 * After lab 04 the container still shares the host's network stack: every
 * interface, address, route and port. This lab gives the child a new network
 * namespace, which starts with nothing but a loopback device that is down,
 * and wires it to the host with a virtual Ethernet (veth) pair made through
 * netlink: one end stays on the host with --host-ip, the other becomes the
 * container's eth0 with --ip. The child waits until the parent has finished
 * the wiring, and the parent removes its end when the container is gone.
 *
 * Read: network_namespaces(7), veth(4), rtnetlink(7), libnl-route's link,
 *       veth and addr objects, pipe(2), handouts/05_net_veth.md.
 */
#endif
#if LAB == 6
/* 06_userns_map.c: make the container's root a root of its own.
 *
 * Until lab 05, root in the container was the machine's root. This lab puts
 * the child in a new user namespace, which the kernel makes first and which
 * owns every other namespace of the child: inside, the command is uid 0 with
 * every capability, over the container only; outside, it is the unprivileged
 * ID that --uid-map names. The parent writes the child's uid_map and gid_map
 * before it lets the child go on. And the same program now runs without sudo:
 * a user may make a user namespace, and in it all the others.
 *
 * Read: user_namespaces(7), capabilities(7) ("Interaction with user
 *       namespaces"), newuidmap(1), subuid(5), handouts/06_userns_map.md.
 */
#endif
#if LAB == 7
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
#endif
#if LAB == 8
/* 08_caps.c: root inside, but not all of root's powers.
 *
 * After lab 07 the container's root still holds every capability its user
 * namespace gives: it may mount, set the hostname, load a seccomp filter,
 * trace any process of the container. This lab keeps only the capabilities
 * Docker keeps by default (14 of them), changed by --cap-add and --cap-drop,
 * and drops the rest in the child just before exec, once the steps that need
 * them are done: from the bounding set, so that no exec can bring them back,
 * and from the permitted, effective, inheritable and ambient sets.
 *
 * Read: capabilities(7), prctl(2) (PR_CAPBSET_DROP, PR_CAP_AMBIENT),
 *       cap_from_name(3), cap_set_proc(3), handouts/08_caps.md.
 */
#endif
#if LAB == 9
/* 09_timens.c: clocks of its own.
 *
 * A container that is checkpointed on one machine and restored on another
 * must see its monotonic and boot-time clocks go on, not jump. This lab
 * gives the child a new time namespace with the offsets of --monotonic and
 * --boottime. Offsets can only be written before any process is in the
 * namespace, and clone(2) has no room for CLONE_NEWTIME among its flags, so
 * the parent unshares the namespace, writes the offsets, and only then makes
 * the child, which is the first to enter it (/proc/self/ns/time_for_children).
 * From this lab on, the child is made with clone3(2) through syscall(2).
 *
 * Read: time_namespaces(7), clock_gettime(2), clone3 in clone(2),
 *       handouts/09_timens.md.
 */
#endif
#if LAB == 10
/* 10_full_container.c: a root filesystem of its own, locked down.
 *
 * After lab 09 the container has namespaces of every kind, limits, Docker's
 * capabilities and clocks of its own, but it still lives in the host's files,
 * and its root may still ask the kernel for anything it offers a user. This
 * lab pivots the child into --root (pivot_root(2), not chroot: the host's
 * root is gone, not merely out of sight) with a fresh /proc, a read-only
 * /sys, a /dev of six device nodes and Docker's masked and read-only paths;
 * sets no_new_privs, so that no set-user-ID program hands back what lab 08
 * took away; and, last before exec, loads a seccomp filter that refuses what
 * Docker's default profile refuses. --pid-file tells the world the
 * container's PID, and --join PID runs a command inside a running container,
 * as docker exec does.
 *
 * Read: pivot_root(2), mount_namespaces(7), prctl(2) (PR_SET_NO_NEW_PRIVS),
 *       seccomp(2), seccomp_rule_add(3), setns(2), nsenter(1),
 *       handouts/10_full_container.md.
 */
#endif

#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>   /* UNTIL 09 */
#if LAB >= 4
#include <sys/mount.h>
#endif
#include <sys/wait.h>
#include <unistd.h>
#if LAB >= 5
#include <arpa/inet.h>
#include <net/if.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <fcntl.h>
#endif
#if LAB >= 6
#include <grp.h>
#endif
#if LAB >= 7
#include <ctype.h>
#include <limits.h>
#include <linux/magic.h>   /* CGROUP2_SUPER_MAGIC */
#include <sys/stat.h>
#include <sys/vfs.h>
#endif
#if LAB >= 8
#include <sys/capability.h>   /* libcap */
#include <sys/prctl.h>
#endif
#if LAB >= 9
#include <linux/sched.h>      /* struct clone_args, CLONE_NEWTIME */
#include <sys/syscall.h>
#endif
#if LAB >= 10
#include <seccomp.h>          /* libseccomp */
#include <sys/personality.h>  /* PER_LINUX, UNAME26 */
#include <sys/socket.h>       /* AF_VSOCK */
#endif

#if LAB == 1
#define PROG "01_clone_uts"
#elif LAB == 2
#define PROG "02_ipc"
#elif LAB == 3
#define PROG "03_pid"
#elif LAB == 4
#define PROG "04_mount_proc"
#elif LAB == 5
#define PROG "05_net_veth"
#elif LAB == 6
#define PROG "06_userns_map"
#elif LAB == 7
#define PROG "07_cgroup"
#elif LAB == 8
#define PROG "08_caps"
#elif LAB == 9
#define PROG "09_timens"
#elif LAB == 10
#define PROG "10_full_container"
#endif

/* Exit statuses, as docker run(1) uses them. */
enum {
    EXIT_SETUP = 125,     /* the container could not be set up */
    EXIT_NOEXEC = 126,    /* the command was found but could not be executed */
    EXIT_NOTFOUND = 127,  /* the command was not found */
};

#define STACK_SIZE (1024 * 1024)   /* the child's stack: plenty for exec */   /* UNTIL 09 */
#define HOSTNAME_MAX 64            /* HOST_NAME_MAX on Linux */
#if LAB >= 5
#define CONTAINER_IF "eth0"        /* the container's end of the veth pair */

/* An IPv4 address with its prefix length, as --ip and --host-ip give it. */
struct cidr {
    struct in_addr addr;
    int prefix;
    const char *text;       /* as the user wrote it, for messages */
};
#endif
#if LAB >= 6
/* One line of a uid_map or gid_map: IDs IN.. inside are OUT.. outside. */
struct idmap {
    unsigned long in, out, count;
};
#endif

/* Everything the command line says, shared by parent and child. */
struct config {
    const char *hostname;   /* --hostname, the name inside */
    char **argv;            /* the command and its arguments */
    int verbose;            /* --verbose: narrate each step */
#if LAB >= 3
    int init;               /* --init: PID 1 is our init, the command PID 2 */
#endif
#if LAB >= 5
    struct cidr ip;         /* --ip: the container's eth0 */
    struct cidr host_ip;    /* --host-ip: the host's end of the pair */
    char veth[IF_NAMESIZE]; /* the host end's name: unique per container */
    int veth_index;         /* its interface index once we made it, else 0 */
    int go[2];              /* the handshake pipe: the parent writes when the child may go on */
    int has_veth;           /* a veth pair links the container to the host (lab 06: root only) */
#endif
#if LAB >= 6
    struct idmap uid_map, gid_map;  /* --uid-map, --gid-map */
    int rootless;           /* run by a user, not root: no veth, setgroups denied */
#endif
#if LAB >= 7
    unsigned long long memory;      /* --memory in bytes; 0: no limit */
    long pids_limit;                /* --pids-limit; 0: no limit */
    double cpus;                    /* --cpus; 0: no limit */
    int cgroup_v2;                  /* /sys/fs/cgroup is the unified hierarchy */
    char cgroup[3][256];            /* the container's cgroup (v2: [0]; v1: one per controller
                                     * of v1_controllers[]); "" where none was made */
#endif
#if LAB >= 8
    unsigned long long cap_add;     /* --cap-add: bit N for capability N */
    unsigned long long cap_drop;    /* --cap-drop */
    unsigned long long caps;        /* what the command keeps (parse_args(): Docker's rule) */
#endif
#if LAB >= 9
    long long monotonic, boottime;  /* --monotonic, --boottime: seconds */
    int timens;                     /* a time namespace is made (root, or offsets asked) */
#endif
#if LAB >= 10
    const char *root;               /* --root: the root filesystem to pivot into */
    const char *seccomp_name;       /* --seccomp as given: "default" or "unconfined" */
    int seccomp;                    /* 1: load the default filter; 0: none */
    const char *pid_file;           /* --pid-file: where the container's PID goes */
    int pid_file_written;           /* we wrote it: remove it at the end */
    pid_t join;                     /* --join: the init of the container to enter; 0: none */
#endif
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

    /* BEGIN SOLUTION 01
     * TODO(01): give back what a shell would give back for this command:
     *           its own exit status when it exited, and 128 + N when signal N
     *           killed it (137 for SIGKILL). `status` is not that number:
     *           the kernel packs "how it ended" into it. Read wait(2) (the
     *           macros that take a status apart) and the handout's "Command
     *           line and exit status". */
    if (WIFEXITED(status))
        code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        code = 128 + WTERMSIG(status);
    /* END SOLUTION */
    (void)status;   /* UNTIL 01 */
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
#if LAB >= 2
        { CLONE_NEWIPC, "CLONE_NEWIPC" },
#endif
#if LAB >= 3
        { CLONE_NEWPID, "CLONE_NEWPID" },
#endif
#if LAB >= 4
        { CLONE_NEWNS, "CLONE_NEWNS" },
#endif
#if LAB >= 5
        { CLONE_NEWNET, "CLONE_NEWNET" },
#endif
#if LAB >= 6
        { CLONE_NEWUSER, "CLONE_NEWUSER" },
#endif
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

#if LAB >= 3
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
    /* BEGIN SOLUTION 03
     * TODO(03): be the container's init. Afterwards these must all be true:
     *   - the command (exec_command(cfg) runs it; its return value is the
     *     exit status when exec fails) runs as a child of this process, and
     *     starts as any program expects to: no signal blocked, no signal
     *     ignored that was not ignored before;
     *   - every signal of forwarded[] that reaches this process is passed on
     *     to the command, whichever of the six it is, and none is lost
     *     between the start and your loop;
     *   - every child that ends is reaped, even when several end at the same
     *     moment: the orphans of the container are this process's children;
     *   - when the command ends, this function returns its exit status (as
     *     exit_status() computes it), and not before.
     * Why: PID 1 receives only the signals it has asked for, and the kernel
     * hands it every orphan; an init that does less leaves zombies or a
     * command that cannot be stopped. Read pid_namespaces(7) ("The namespace
     * init process"), signal(7) ("Signal mask and pending signals"),
     * sigprocmask(2), sigwait(3), waitpid(2), kill(2), and the handout's
     * "PID 1 and its duties" and "An init for the container"; its Hints
     * section has more, gentlest first. */
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
    /* END SOLUTION */
    (void)cfg;   /* UNTIL 03 */
    return EXIT_SETUP;   /* not an init yet */   /* UNTIL 03 */
}
#endif

#if LAB >= 5
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

    /* BEGIN SOLUTION 05
     * TODO(05): afterwards a veth pair exists: one end here on the host, named
     *           cfg->veth, with the address cfg->host_ip, up; the other end
     *           in the child's network namespace, named CONTAINER_IF (the
     *           child gives it its address and brings it up); and
     *           cfg->veth_index is the host end's interface index, so that
     *           remove_veth() removes this link and no other. Talk to the
     *           kernel through netlink with libnl-route, as runc and podman
     *           do: a container runtime does not run `ip`. netlink_open() and
     *           link_up() above are yours to use. On failure print one line
     *           (nl_failed() does) and return -1; main() then removes what
     *           was made.
     *           Why: a new network namespace has only a loopback device, and
     *           a device lives in one namespace at a time; a veth pair is two
     *           devices joined by a wire, so it can sit across the boundary.
     *           Read veth(4), network_namespaces(7), libnl-route's veth and
     *           link API (rtnl_link_veth_alloc, rtnl_link_set_ns_pid), and the
     *           handout's "A pair of virtual Ethernet devices"; make hint05
     *           gives more, gentlest first, if your instructor allows. */
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
    /* END SOLUTION */
    (void)cfg;     /* UNTIL 05 */
    (void)child;   /* UNTIL 05 */
    return result;
}

/* In the parent, when the container has ended or its set-up failed. */
static void remove_veth(struct config *cfg)
{
    /* BEGIN SOLUTION 05
     * TODO(05): afterwards the host end this program made (cfg->veth_index;
     *           0: none was made) is gone, even when the set-up failed half-
     *           way, and no link that it did not make was touched. It may be
     *           gone already (its peer's namespace died): that is no failure;
     *           any other error is one line on stderr. Why: the kernel does
     *           destroy the pair
     *           with the child's namespace, but later, in the background;
     *           until then the name and the address stay taken on the host.
     *           Read rtnl_link_delete in libnl-route, and the handout's
     *           "Leaving nothing behind". */
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
    /* END SOLUTION */
    (void)cfg;   /* UNTIL 05 */
}

/* In the child, once the parent has made the pair. */
static void container_network(struct config *cfg)
{
    /* BEGIN SOLUTION 05
     * TODO(05): afterwards, inside the container, lo is up (127.0.0.1 answers)
     *           and CONTAINER_IF has cfg->ip and is up, so that the host end
     *           is reachable. Where there is no veth (cfg->has_veth is 0:
     *           lab 06 run without root), lo alone. A failure ends the program
     *           with exit(EXIT_SETUP) after one line on stderr.
     *           Why: a new network namespace starts with lo down and nothing
     *           else. Read network_namespaces(7) and the handout's "Inside:
     *           lo and eth0". */
    struct nl_sock *sk = netlink_open();
    int failed = !sk || link_up(sk, "child", "lo", NULL) == -1;

    if (!failed && cfg->has_veth)
        failed = link_up(sk, "child", CONTAINER_IF, &cfg->ip) == -1;
    if (sk)
        nl_socket_free(sk);
    if (failed)
        exit(EXIT_SETUP);
    /* END SOLUTION */
    (void)cfg;   /* UNTIL 05 */
}

/* In the child, first of all: wait until the parent has finished. */
static void wait_for_parent(struct config *cfg)
{
    /* BEGIN SOLUTION 05
     * TODO(05): return only once the parent has finished its part (the veth
     *           pair; from lab 06 also the ID maps) and said so through the
     *           pipe cfg->go; if the parent gave up, or died, end at once
     *           with exit(EXIT_SETUP), quietly (the parent says why). This
     *           must not hang when the parent is gone.
     *           Why: the child runs as soon as clone() returns, and its
     *           eth0 does not exist until the parent has made it. Read
     *           pipe(2) (above all what read(2) returns when every write end
     *           is closed) and the handout's "The handshake". */
    char go;

    /* Our copy of the write end would keep the pipe open for ever. */
    close(cfg->go[1]);
    if (read(cfg->go[0], &go, 1) != 1)
        exit(EXIT_SETUP);
    close(cfg->go[0]);
    say("child", "the parent is done, going on");
    /* END SOLUTION */
    (void)cfg;   /* UNTIL 05 */
}

/* In the parent: create the handshake pipe, before the child exists. */
static void make_handshake(struct config *cfg)
{
    /* BEGIN SOLUTION 05
     * TODO(05): afterwards cfg->go is a pipe that the child inherits and
     *           the command does not (it must not hold our pipe open, or
     *           read from it). Read pipe(2) and the handout's "The handshake". */
    if (pipe2(cfg->go, O_CLOEXEC) == -1)
        die("pipe");
    /* END SOLUTION */
    (void)cfg;   /* UNTIL 05 */
}

/* In the parent: let the child go on. */
static int release_child(struct config *cfg)
{
    /* BEGIN SOLUTION 05
     * TODO(05): tell the child through cfg->go that it may go on. A failure
     *           returns -1 after one line on stderr. */
    if (write(cfg->go[1], "g", 1) != 1) {
        fprintf(stderr, "%s: release the child: %s\n", PROG, strerror(errno));
        return -1;
    }
    close(cfg->go[1]);
    /* END SOLUTION */
    (void)cfg;   /* UNTIL 05 */
    return 0;
}
#endif

#if LAB >= 6
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
    /* BEGIN SOLUTION 06
     * TODO(06): afterwards the child's user namespace maps cfg->uid_map and
     *           cfg->gid_map (IN..IN+COUNT-1 inside are OUT.. outside), and
     *           a process run by a user who is not root (cfg->rootless) has
     *           given up setgroups(2) in it first, without which the kernel
     *           refuses such a user's gid_map. write_proc_file() is yours to
     *           use; its line names the file and the kernel's reason.
     *           Why: until its maps are written, a user namespace has no IDs
     *           at all (everything shows as 65534) and its root is nobody;
     *           each map can be written once. Read user_namespaces(7) ("User
     *           and group ID mappings", "Interaction with setgroups") and the
     *           handout's "Writing the maps". */
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
    /* END SOLUTION */
    (void)cfg;     /* UNTIL 06 */
    (void)child;   /* UNTIL 06 */
    return 0;
}
#endif

#if LAB >= 7
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

    /* BEGIN SOLUTION 07
     * TODO(07): afterwards the child is in a cgroup of its own, nslab/<its
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
    char pid[32], value[64], enable[64] = "";
    size_t i, n = cfg->cgroup_v2 ? 1 : NCONTROLLERS;

    snprintf(pid, sizeof pid, "%ld", (long)child);
    /* v2: the controllers this machine has, enabled for the children. */
    for (i = 0; cfg->cgroup_v2 && i < NCONTROLLERS; i++)
        if (has_controller(cfg, v1_controllers[i]))
            snprintf(enable + strlen(enable), sizeof enable - strlen(enable), "%s+%s", enable[0] ? " " : "",
                     v1_controllers[i]);
    for (i = 0; i < n && result == 0; i++) {
        char parent[200];
        if (!cfg->cgroup_v2 && !has_controller(cfg, v1_controllers[i]))
            continue;
        if (cfg->cgroup_v2)
            snprintf(parent, sizeof parent, "%s/nslab", CGROUP_ROOT);
        else
            snprintf(parent, sizeof parent, "%s/%s/nslab", CGROUP_ROOT, v1_controllers[i]);
        if (mkdir(parent, 0755) == -1 && errno != EEXIST) {
            fprintf(stderr, "%s: mkdir %s: %s\n", PROG, parent, strerror(errno));
            result = -1;
        } else if (cfg->cgroup_v2 && enable[0] &&
                   (cgroup_write(CGROUP_ROOT, "cgroup.subtree_control", enable) == -1 ||
                    cgroup_write(parent, "cgroup.subtree_control", enable) == -1)) {
            result = -1;
        } else {
            char dir[sizeof cfg->cgroup[i]];
            snprintf(dir, sizeof dir, "%s/%s", parent, pid);
            if (mkdir(dir, 0755) == -1) {
                fprintf(stderr, "%s: mkdir %s: %s\n", PROG, dir, strerror(errno));
                result = -1;
            } else {
                memcpy(cfg->cgroup[i], dir, sizeof dir);
                say("parent", "cgroup %s", cfg->cgroup[i]);
            }
        }
    }
    if (result == 0 && cfg->memory) {
        const char *dir = cfg->cgroup[0];   /* v2, or v1's memory */
        snprintf(value, sizeof value, "%llu", cfg->memory);
        /* No swap beyond it, where the kernel accounts swap at all. */
        char swap[PATH_MAX + 32];
        snprintf(swap, sizeof swap, "%s/%s", dir, cfg->cgroup_v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes");
        if (cfg->cgroup_v2)
            result = cgroup_write(dir, "memory.max", value) == -1 ||
                     (access(swap, F_OK) == 0 && cgroup_write(dir, "memory.swap.max", "0") == -1) ? -1 : 0;
        else
            result = cgroup_write(dir, "memory.limit_in_bytes", value) == -1 ||
                     (access(swap, F_OK) == 0 && cgroup_write(dir, "memory.memsw.limit_in_bytes", value) == -1)
                         ? -1 : 0;
    }
    if (result == 0 && cfg->pids_limit) {
        snprintf(value, sizeof value, "%ld", cfg->pids_limit);
        result = cgroup_write(cfg->cgroup[cfg->cgroup_v2 ? 0 : 1], "pids.max", value);
    }
    if (result == 0 && cfg->cpus) {
        long quota = (long)(cfg->cpus * 100000 + 0.5);
        if (cfg->cgroup_v2) {
            snprintf(value, sizeof value, "%ld 100000", quota);
            result = cgroup_write(cfg->cgroup[0], "cpu.max", value);
        } else {
            snprintf(value, sizeof value, "%ld", quota);
            result = cgroup_write(cfg->cgroup[2], "cpu.cfs_period_us", "100000") == -1 ||
                     cgroup_write(cfg->cgroup[2], "cpu.cfs_quota_us", value) == -1 ? -1 : 0;
        }
    }
    /* Last, the child, so that it never runs without its limits. */
    for (i = 0; result == 0 && i < n; i++)
        if (cfg->cgroup[i][0])
            result = cgroup_write(cfg->cgroup[i], "cgroup.procs", pid);
    /* END SOLUTION */
    (void)cfg;     /* UNTIL 07 */
    (void)child;   /* UNTIL 07 */
    return result;
}

/* In the parent, when the container has ended or its set-up failed. */
static void remove_cgroup(struct config *cfg)
{
    /* BEGIN SOLUTION 07
     * TODO(07): afterwards none of the groups named in cfg->cgroup[] is
     *           left, nor their nslab parent once no other container uses it
     *           (another one may: that is no failure, and its groups are not
     *           yours to remove). A group whose last process is still
     *           exiting refuses for a moment (EBUSY).
     *           Read cgroups(7) ("Creating cgroups and moving processes")
     *           and the handout's "Leaving nothing behind". */
    size_t i;
    int tries;

    for (i = 0; i < NCONTROLLERS; i++) {
        char parent[256];
        int gone;
        if (!cfg->cgroup[i][0])
            continue;
        for (tries = 0;; tries++) {
            gone = rmdir(cfg->cgroup[i]) == 0 || errno == ENOENT;
            if (gone || errno != EBUSY || tries == 1000)
                break;
            usleep(1000);   /* its last process is still leaving */
        }
        if (gone)
            say("parent", "cgroup %s removed", cfg->cgroup[i]);
        else
            fprintf(stderr, "%s: rmdir %s: %s\n", PROG, cfg->cgroup[i], strerror(errno));
        snprintf(parent, sizeof parent, "%s", cfg->cgroup[i]);
        if (strrchr(parent, '/'))
            *strrchr(parent, '/') = '\0';
        rmdir(parent);   /* fails while another container uses it: fine */
        cfg->cgroup[i][0] = '\0';
    }
    /* END SOLUTION */
    (void)cfg;   /* UNTIL 07 */
}
#endif

#if LAB >= 8
/* ---- Lab 08: only the capabilities the command needs --------------------- */

/* Every capability this kernel knows (capabilities(7): cap_last_cap). */
static unsigned long long all_caps(void)
{
    int n = (int)cap_max_bits();

    return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

/* Docker's default set (handout 08): what a container's root keeps. */
static unsigned long long docker_caps(void)
{
    static const cap_value_t keep[] = {
        CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD, CAP_NET_RAW, CAP_SETGID,
        CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE,
    };
    unsigned long long mask = 0;
    size_t i;

    for (i = 0; i < sizeof keep / sizeof keep[0]; i++)
        mask |= 1ULL << keep[i];
    return mask;
}

/* In the child, after every step that needs privilege, just before the
 * command (or the init) runs: keep cfg->caps, nothing else, for good. Ends
 * the program with die() when a step fails. */
static void drop_capabilities(struct config *cfg)
{
    /* BEGIN SOLUTION 08
     * TODO(08): afterwards this process, and every program it or its
     *           children exec, holds exactly the capabilities of cfg->caps
     *           (bit N for capability N) in its bounding, permitted and
     *           effective sets, and none in its inheritable and ambient
     *           sets: so that no exec can bring a dropped one back, not even
     *           of a set-user-ID-root program or by root execing again.
     *           Mind the order: dropping a capability from the bounding set
     *           needs one you are about to give up. all_caps() gives every
     *           capability the kernel knows. A failure ends the program with
     *           die(), naming the step.
     *           Why: root's power is the sum of its capabilities; a
     *           container's root needs few of them.
     *           Read capabilities(7) (above all "Transformation of
     *           capabilities during execve()" and "Capability bounding
     *           set"), prctl(2), libcap's cap_init(3), cap_set_flag(3),
     *           cap_set_proc(3), cap_drop_bound(3), and the handout's "The
     *           five sets" and "Dropping for good"; its Hints have more. */
    cap_value_t c;
    cap_t caps;
    char *text;

    /* The bounding set first: dropping from it needs CAP_SETPCAP, which
     * the permitted set may be about to lose. */
    for (c = 0; c < 64 && (all_caps() >> c); c++)
        if (!(cfg->caps & (1ULL << c)) && cap_drop_bound(c) == -1)
            die("drop a capability from the bounding set");
    if (!(caps = cap_init()))
        die("cap_init");
    for (c = 0; c < 64 && (all_caps() >> c); c++)
        if ((cfg->caps & (1ULL << c)) &&
            (cap_set_flag(caps, CAP_PERMITTED, 1, &c, CAP_SET) == -1 ||
             cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_SET) == -1))
            die("cap_set_flag");
    /* Inheritable stays empty: cap_init() clears every set. */
    if (cap_set_proc(caps) == -1)
        die("cap_set_proc");
    if (cap_reset_ambient() == -1)
        die("clear the ambient set");
    text = cap_to_text(caps, NULL);
    say("child", "capabilities kept: %s", text ? text : "?");
    cap_free(text);
    cap_free(caps);
    /* END SOLUTION */
    (void)cfg;   /* UNTIL 08 */
}
#endif

#if LAB >= 9
/* ---- Lab 09: clocks of its own ------------------------------------------ */

/* In the parent, before the child exists: the time namespace the child will
 * be born in, with cfg's offsets. Returns 0, or -1 after one line on stderr
 * (the kernel's reason where it gives one). */
static int make_timens(struct config *cfg)
{
    int result = 0;

    /* BEGIN SOLUTION 09
     * TODO(09): afterwards the next child this process makes is born in a
     *           new time namespace whose CLOCK_MONOTONIC is cfg->monotonic
     *           seconds ahead of the host's and whose CLOCK_BOOTTIME is
     *           cfg->boottime seconds ahead (either may be negative), while
     *           this process's own clocks stay the host's. Offsets can be
     *           set only before any process is in the namespace. A refusal
     *           (an offset that would take a clock below zero, say) is one
     *           line naming the option and the kernel's reason, and -1.
     *           write_proc_file() is no use here (it writes /proc/PID/...):
     *           open and write the file yourself.
     *           Why: a container moved to another machine (CRIU) must see
     *           its clocks go on, not jump.
     *           Read time_namespaces(7) (above all "/proc/PID/timens_offsets"),
     *           unshare(2), and the handout's "Offsets, before anyone enters";
     *           its Hints have more. */
    char text[128];
    int fd;
    ssize_t n;

    if (unshare(CLONE_NEWTIME) == -1) {
        fprintf(stderr, "%s: unshare(CLONE_NEWTIME): %s\n", PROG, strerror(errno));
        return -1;
    }
    /* Both clocks in one write: the kernel takes the lines as one request. */
    snprintf(text, sizeof text, "monotonic %lld 0\nboottime %lld 0\n", cfg->monotonic, cfg->boottime);
    fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
    n = fd == -1 ? -1 : write(fd, text, strlen(text));
    if (n != (ssize_t)strlen(text)) {
        /* ERANGE: a clock would go below zero; only a negative offset can. */
        int err = errno;
        const char *which = "--monotonic and --boottime";
        if (err == ERANGE && cfg->monotonic < 0)
            which = cfg->boottime < 0 ? "--monotonic or --boottime" : "--monotonic";
        else if (err == ERANGE)
            which = "--boottime";
        fprintf(stderr, "%s: %s: write /proc/self/timens_offsets: %s%s\n", PROG, which, strerror(err),
                err == ERANGE ? " (the clock inside would go below zero)" : "");
        result = -1;
    }
    if (fd != -1)
        close(fd);
    if (result == 0)
        say("parent", "unshare(CLONE_NEWTIME), offsets: monotonic %+llds, boottime %+llds", cfg->monotonic,
            cfg->boottime);
    /* END SOLUTION */
    (void)cfg;   /* UNTIL 09 */
    return result;
}
#endif

#if LAB >= 10
/* ---- Lab 10: a root of its own ------------------------------------------ */

/* The device nodes a container gets, bound from the host's /dev (mknod(2)
 * is refused in a user namespace), as Docker's default set. */
static const char *const devices[] = { "null", "zero", "full", "random", "urandom", "tty" };
/* Docker's masked paths: made empty (a file: /dev/null over it; a folder:
 * an empty read-only tmpfs), and its read-only ones. */
static const char *const masked[] = {
    "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
    "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
};
static const char *const read_only[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" };

/* mount(2), or die naming what. */
static void mount_or_die(const char *source, const char *target, const char *type, unsigned long flags,
                         const char *data, const char *what)
{
    if (mount(source, target, type, flags, data) == -1)
        die(what);
}

/* In the child, in its own mount namespace, its mounts private: make
 * cfg->root the root of the container, with a fresh /proc, a read-only /sys
 * and a minimal /dev, and leave no way back to the old root. */
static void enter_root(struct config *cfg)
{
    char path[PATH_MAX + 64];
    size_t i;

    /* pivot_root(2) wants a mount point; a bind of the folder onto itself is one. */
    mount_or_die(cfg->root, cfg->root, NULL, MS_BIND | MS_REC, NULL, "bind --root onto itself");
    if (chdir(cfg->root) == -1)
        die("chdir --root");
    mount_or_die("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, "mount /proc in --root");
    mount_or_die("sysfs", "sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL, "mount /sys in --root");
    mount_or_die("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k", "mount /dev in --root");
    for (i = 0; i < sizeof devices / sizeof devices[0]; i++) {
        snprintf(path, sizeof path, "dev/%s", devices[i]);
        /* BEGIN SOLUTION 10
         * TODO(10): afterwards dev/<devices[i]> in the new root is the
         *           host's /dev/<devices[i]>: the same device, usable. The
         *           container is in a user namespace, so mknod(2) is refused
         *           (and a node made there would not open); a device node, like
         *           any file, can be bind-mounted onto a file. Read mount(2)
         *           (MS_BIND), mount_namespaces(7), and the handout's "A /dev
         *           of six nodes". */
        char host[64];
        int fd;
        snprintf(host, sizeof host, "/dev/%s", devices[i]);
        if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666)) == -1)
            die("make a /dev node's mount point");
        close(fd);
        mount_or_die(host, path, NULL, MS_BIND, NULL, "bind a device node into /dev");
        /* END SOLUTION */
    }
    if (mkdir("dev/pts", 0755) == -1 || mkdir("dev/shm", 01777) == -1)
        die("mkdir /dev/pts, /dev/shm");
    mount_or_die("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620",
                 "mount a new devpts");
    mount_or_die("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k",
                 "mount /dev/shm");
    if (symlink("pts/ptmx", "dev/ptmx") == -1 || symlink("/proc/self/fd", "dev/fd") == -1 ||
        symlink("/proc/self/fd/0", "dev/stdin") == -1 || symlink("/proc/self/fd/1", "dev/stdout") == -1 ||
        symlink("/proc/self/fd/2", "dev/stderr") == -1)
        die("link /dev/ptmx, fd, stdin, stdout, stderr");

    /* BEGIN SOLUTION 10
     * TODO(10): afterwards this process's root directory is cfg->root (our
     *           current directory, a mount point now) and the old root is
     *           gone from the mount namespace altogether: not below the new
     *           root, not reachable by "..", by a chroot(2) of our own, or by
     *           any path; /proc/self/mountinfo lists nothing of it. chroot(2)
     *           is not enough: it changes one process's idea of "/", and a
     *           root process walks out of it. A failure ends the program
     *           with die(), naming the step.
     *           Why: a container's root must be its own filesystem, not a
     *           view of the host's that root inside can climb out of.
     *           Read pivot_root(2) (above all its NOTES on new_root and
     *           put_old being the same directory), umount2(2) (MNT_DETACH),
     *           and the handout's "pivot_root, not chroot" (your
     *           instructor's hints: make hint10). */
    /* The old root goes below the new one, then away: pivot_root(".", ".")
     * stacks them, and detaching the top one leaves only the new root. */
    if (syscall(SYS_pivot_root, ".", ".") == -1)
        die("pivot_root");
    if (umount2(".", MNT_DETACH) == -1)
        die("detach the old root");
    if (chdir("/") == -1)
        die("chdir /");
    /* END SOLUTION */

    for (i = 0; i < sizeof masked / sizeof masked[0]; i++) {
        struct stat st;
        if (stat(masked[i], &st) == -1)
            continue;   /* not on this kernel */
        /* BEGIN SOLUTION 10
         * TODO(10): afterwards masked[i] reads as empty inside (a folder
         *           with nothing in it, a file of 0 bytes) and gives nothing
         *           of the host away, while the rest of /proc and /sys works. You
         *           cannot remove a file from /proc; you can put another
         *           mount over it. Folders and files need different things
         *           on top: st says which this is. A failure ends the
         *           program with die(). Read mount(2), and the handout's
         *           "Masked and read-only paths". */
        if (S_ISDIR(st.st_mode))
            mount_or_die("tmpfs", masked[i], "tmpfs", MS_RDONLY, "size=0", "mask a /proc or /sys folder");
        else
            mount_or_die("/dev/null", masked[i], NULL, MS_BIND, NULL, "mask a /proc or /sys file");
        /* END SOLUTION */
    }
    for (i = 0; i < sizeof read_only / sizeof read_only[0]; i++) {
        if (access(read_only[i], F_OK) == -1)
            continue;
        mount_or_die(read_only[i], read_only[i], NULL, MS_BIND | MS_REC, NULL, "bind a read-only path");
        mount_or_die(NULL, read_only[i], NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                     NULL, "make a path read-only");
    }
    say("child", "pivot_root(\"%s\"): /proc, read-only /sys, /dev of %zu nodes, %zu paths masked", cfg->root,
        sizeof devices / sizeof devices[0], sizeof masked / sizeof masked[0]);
}

/* What --seccomp default lets through: Docker's default profile (moby's
 * profiles/seccomp/default.json) for a container with the default
 * capabilities, as an allowlist: every other call is refused with EPERM.
 * Its list of calls allowed whatever their arguments, without io_uring's
 * three (Docker took them out in 2023: a kernel surface with many bugs) and
 * without the names only 32-bit machines have; with the calls its
 * capabilities rules let in for the default 14 (chroot, for CAP_SYS_CHROOT),
 * for x86 (arch_prctl, modify_ldt), and for any kernel since 4.8 (ptrace,
 * process_vm_readv, process_vm_writev). A name this libseccomp does not know,
 * or this architecture does not have, is skipped. clone(2), clone3(2),
 * socket(2) and personality(2) are judged by their arguments: see
 * lock_down(). */
static const char *const allowed_calls[] = {
    "accept", "accept4", "access", "adjtimex", "alarm", "arch_prctl", "bind", "brk", "cachestat", "capget",
    "capset", "chdir", "chmod", "chown", "chroot", "clock_adjtime", "clock_getres", "clock_gettime",
    "clock_nanosleep", "close", "close_range", "connect", "copy_file_range", "creat", "dup", "dup2", "dup3",
    "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait",
    "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2",
    "fadvise64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchownat",
    "fcntl", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr", "fstat",
    "fstatfs", "fsync", "ftruncate", "futex", "futex_requeue", "futex_wait", "futex_waitv", "futex_wake",
    "futimesat", "get_robust_list", "get_thread_area", "getcpu", "getcwd", "getdents", "getdents64", "getegid",
    "geteuid", "getgid", "getgroups", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid",
    "getpriority", "getrandom", "getresgid", "getresuid", "getrlimit", "getrusage", "getsid", "getsockname",
    "getsockopt", "gettid", "gettimeofday", "getuid", "getxattr", "inotify_add_watch", "inotify_init",
    "inotify_init1", "inotify_rm_watch", "io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_setup",
    "io_submit", "ioctl", "ioprio_get", "ioprio_set", "kill", "landlock_add_rule", "landlock_create_ruleset",
    "landlock_restrict_self", "lchown", "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr",
    "lremovexattr", "lseek", "lsetxattr", "lstat", "madvise", "map_shadow_stack", "membarrier", "memfd_create",
    "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap",
    "modify_ldt", "mprotect", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedsend",
    "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap",
    "name_to_handle_at", "nanosleep", "newfstatat", "open", "openat", "openat2", "pause", "pidfd_open",
    "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll", "prctl",
    "pread64", "preadv", "preadv2", "prlimit64", "process_mrelease", "process_vm_readv", "process_vm_writev",
    "pselect6", "ptrace", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv",
    "recvfrom", "recvmmsg", "recvmsg", "remap_file_pages", "removexattr", "rename", "renameat", "renameat2",
    "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
    "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_tgsigqueueinfo", "sched_get_priority_max",
    "sched_get_priority_min", "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_getscheduler",
    "sched_rr_get_interval", "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler",
    "sched_yield", "seccomp", "select", "semctl", "semget", "semop", "semtimedop", "sendfile", "sendmmsg",
    "sendmsg", "sendto", "set_robust_list", "set_thread_area", "set_tid_address", "setfsgid", "setfsuid", "setgid",
    "setgroups", "setitimer", "setpgid", "setpriority", "setregid", "setresgid", "setresuid", "setreuid",
    "setrlimit", "setsid", "setsockopt", "setuid", "setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown",
    "sigaltstack", "signalfd", "signalfd4", "socketpair", "splice", "stat", "statfs", "statx", "symlink",
    "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create",
    "timer_delete", "timer_getoverrun", "timer_gettime", "timer_settime", "timerfd_create", "timerfd_gettime",
    "timerfd_settime", "times", "tkill", "truncate", "umask", "uname", "unlink", "unlinkat", "utime", "utimensat",
    "utimes", "vfork", "vmsplice", "wait4", "waitid", "write", "writev",
};
/* The flags that make a namespace (Docker's 0x7E020000): clone(2) goes
 * through only without any of them. (Not CLONE_NEWTIME: its bit is in
 * clone(2)'s exit-signal byte, so only unshare(2) and clone3(2) take it, and
 * neither goes through.) */
static const unsigned long long namespace_flags =
    CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP;
/* The only arguments personality(2) takes (Docker's): Linux, 32-bit Linux,
 * each with a 2.6 uname, and 0xffffffff, which asks and changes nothing.
 * Not ADDR_NO_RANDOMIZE, which turns off address-space randomization for
 * the programs it runs next. */
static const unsigned long personalities[] = { PER_LINUX, PER_LINUX32, UNAME26, PER_LINUX32 | UNAME26, 0xffffffffUL };

/* In the child (or a process joining a container), the very last step
 * before the command: no privilege regained through exec, then the
 * system-call filter, when cfg->seccomp asks for it. */
static void lock_down(struct config *cfg)
{
    /* BEGIN SOLUTION 10
     * TODO(10): afterwards no program this process execs can gain a
     *           privilege it does not hold now (a set-user-ID or
     *           file-capability binary runs without them), and
     *           /proc/PID/status says so. Why: with the capabilities
     *           dropped, su or a setuid helper in the root filesystem
     *           must not hand root back. It is also what lets a process
     *           without CAP_SYS_ADMIN load a seccomp filter. Read prctl(2),
     *           the kernel's no_new_privs.rst, and the handout's
     *           "no_new_privs". */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
        die("prctl(PR_SET_NO_NEW_PRIVS)");
    say("child", "prctl(PR_SET_NO_NEW_PRIVS, 1)");
    /* END SOLUTION */
    if (!cfg->seccomp) {
        say("child", "--seccomp unconfined: no filter");
        return;
    }
    {
        scmp_filter_ctx ctx = NULL;
        size_t i = 0;
        int err = 0;

        /* BEGIN SOLUTION 10
         * TODO(10): afterwards a filter is loaded that lets through each
         *           call of allowed_calls[] (skip the names this architecture
         *           lacks), clone(2) when its flags hold none of
         *           namespace_flags, socket(2) for any family but AF_VSOCK,
         *           personality(2) with one of personalities[], and answers
         *           clone3(2) with ENOSYS (its flags sit in memory a filter
         *           cannot read; ENOSYS makes libc fall back to clone, which
         *           the filter can judge) and every other call with EPERM. It
         *           must be the last step: the mounts and drops before it need
         *           calls it refuses. A failure ends the program with one line
         *           (libseccomp returns -errno; it does not set errno) and
         *           EXIT_SETUP. Why: a container's root may not mount,
         *           unshare, load modules or reboot, whatever capability a
         *           mistake leaves it, nor reach the kernel's rarer corners.
         *           Read seccomp(2), libseccomp's seccomp_init(3),
         *           seccomp_rule_add(3) (SCMP_A0, SCMP_CMP_MASKED_EQ),
         *           seccomp_syscall_resolve_name(3), seccomp_load(3), and the
         *           handout's "A filter for system calls". */
        ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
        if (!ctx) {
            fprintf(stderr, "%s: seccomp_init: failed\n", PROG);
            exit(EXIT_SETUP);
        }
        for (i = 0; i < sizeof allowed_calls / sizeof allowed_calls[0] && !err; i++) {
            int nr = seccomp_syscall_resolve_name(allowed_calls[i]);
            if (nr != __NR_SCMP_ERROR && nr >= 0)
                err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
        }
        /* fork(2) and threads are clone(2) without a namespace flag. */
        if (!err)
            err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                                   SCMP_A0(SCMP_CMP_MASKED_EQ, namespace_flags, 0));
        if (!err)
            err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
        if (!err)
            err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_NE, AF_VSOCK));
        /* "Any of these values" is one rule per value: a rule's conditions
         * must all hold, and each argument may be compared once. */
        for (i = 0; i < sizeof personalities / sizeof personalities[0] && !err; i++)
            err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(personality), 1,
                                   SCMP_A0(SCMP_CMP_EQ, personalities[i]));
        if (!err)
            err = seccomp_load(ctx);
        seccomp_release(ctx);
        if (err) {
            fprintf(stderr, "%s: load the seccomp filter: %s\n", PROG, strerror(-err));
            exit(EXIT_SETUP);
        }
        say("child", "seccomp filter loaded: Docker's %zu calls allowed, EPERM for the rest, ENOSYS for clone3",
            sizeof allowed_calls / sizeof allowed_calls[0]);
        /* END SOLUTION */
        (void)ctx, (void)i, (void)err, (void)allowed_calls, (void)namespace_flags, (void)personalities;   /* UNTIL 10 */
    }
}

/* --pid-file: the container's PID as this host sees it, written before the
 * child is let go (so that it is there while the command runs) and removed
 * at the end. Returns 0, or -1 after one line on stderr. */
static int write_pid_file(struct config *cfg, pid_t pid)
{
    if (!cfg->pid_file)
        return 0;
    /* BEGIN SOLUTION 10
     * TODO(10): afterwards the file cfg->pid_file holds `pid` (as this
     *           host numbers it: a script outside will kill(1) or nsenter(1)
     *           it) and a newline, and cfg->pid_file_written is 1, so that
     *           remove_pid_file() takes it away at the end. A failure is
     *           one line on stderr naming --pid-file and the reason, and
     *           -1. Read open(2), and the handout's "The PID file". */
    char text[32];
    int fd, n;

    n = snprintf(text, sizeof text, "%ld\n", (long)pid);
    fd = open(cfg->pid_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd == -1 || write(fd, text, (size_t)n) != n || close(fd) == -1) {
        fprintf(stderr, "%s: --pid-file: write %s: %s\n", PROG, cfg->pid_file, strerror(errno));
        if (fd != -1)
            unlink(cfg->pid_file);
        return -1;
    }
    cfg->pid_file_written = 1;
    say("parent", "wrote %ld to %s", (long)pid, cfg->pid_file);
    /* END SOLUTION */
    (void)pid;   /* UNTIL 10 */
    return 0;
}

static void remove_pid_file(struct config *cfg)
{
    if (cfg->pid_file_written && unlink(cfg->pid_file) == -1)
        fprintf(stderr, "%s: --pid-file: remove %s: %s\n", PROG, cfg->pid_file, strerror(errno));
    cfg->pid_file_written = 0;
}

/* The namespaces a process holds, in the order setns(2) must enter them:
 * the user namespace first, for it gives the power over the others. */
static const struct { int flag; const char *name; } ns_kinds[] = {
    { CLONE_NEWUSER, "user" }, { CLONE_NEWNS, "mnt" }, { CLONE_NEWUTS, "uts" }, { CLONE_NEWIPC, "ipc" },
    { CLONE_NEWNET, "net" }, { CLONE_NEWPID, "pid" }, { CLONE_NEWCGROUP, "cgroup" }, { CLONE_NEWTIME, "time" },
};

/* The capability bounding set of process pid, from /proc/PID/status. */
static int read_bounding_set(pid_t pid, unsigned long long *caps)
{
    char path[64], line[256];
    FILE *f;
    int found = 0;

    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    if (!(f = fopen(path, "re")))
        return -1;
    while (!found && fgets(line, sizeof line, f))
        found = sscanf(line, "CapBnd: %llx", caps) == 1;
    fclose(f);
    return found ? 0 : -1;
}

/* In the host's view, before any setns(2): put this process in the cgroups
 * of process pid wherever they differ from ours (the container's nslab/PID
 * from lab 07 on), so that its limits hold the joined command too, as runc
 * does for docker exec. */
static void join_cgroups(pid_t pid)
{
    char path[PATH_MAX + 64], theirs[4096], ours[4096], *save = NULL, *line;
    FILE *f;
    size_t n;

    /* Without root a container has no group of its own (lab 07), and the
     * groups of another login session are not ours to enter. */
    if (geteuid() != 0)
        return;

    snprintf(path, sizeof path, "/proc/%ld/cgroup", (long)pid);
    if (!(f = fopen(path, "re")))
        die("--join: read the container's /proc/PID/cgroup");
    n = fread(theirs, 1, sizeof theirs - 1, f);
    theirs[n] = '\0';
    fclose(f);
    if (!(f = fopen("/proc/self/cgroup", "re")))
        die("read /proc/self/cgroup");
    n = fread(ours, 1, sizeof ours - 1, f);
    ours[n] = '\0';
    fclose(f);
    /* Lines "ID:CONTROLLERS:PATH": v2 is "0::PATH" (/sys/fs/cgroup), v1 one
     * per hierarchy (/sys/fs/cgroup/CONTROLLERS). */
    for (line = strtok_r(theirs, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *colon = strchr(line, ':'), *group = colon ? strchr(colon + 1, ':') : NULL, dir[512], *mine;
        size_t prefix;
        struct stat st;
        int fd;
        if (!group || strncmp(colon + 1, "name=", 5) == 0)
            continue;   /* not a controller's hierarchy */
        prefix = (size_t)(group - line) + 1;
        for (mine = ours; mine && *mine; mine = strchr(mine, '\n') ? strchr(mine, '\n') + 1 : NULL)
            if (strncmp(mine, line, prefix) == 0)
                break;
        if (mine && *mine && strncmp(mine + prefix, group + 1, strlen(group + 1)) == 0 &&
            (mine[prefix + strlen(group + 1)] == '\n' || mine[prefix + strlen(group + 1)] == '\0'))
            continue;   /* the same group as ours */
        snprintf(dir, sizeof dir, "/sys/fs/cgroup%s%.*s", group == colon + 1 ? "" : "/", (int)(group - colon - 1),
                 colon + 1);
        if (stat(dir, &st) == -1)
            continue;   /* a hierarchy not mounted here */
        snprintf(path, sizeof path, "%s%s/cgroup.procs", dir, group + 1);
        if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1 || dprintf(fd, "%ld\n", (long)getpid()) < 0)
            die("--join: enter the container's cgroup");
        close(fd);
        say("parent", "joined cgroup %s", path);
    }
}

/* --join: run the command in the running container whose init is
 * cfg->join, as nsenter -t PID -a and docker exec do; returns our exit
 * status (the command's). */
static int join_container(struct config *cfg)
{
    char path[64], self[64];
    struct stat mine, theirs;
    int flags = 0, root_fd, cwd_fd, status = 0;
    size_t i;
    pid_t child;

    /* Its root and working directory, its capabilities: read through the
     * host's /proc before we enter its mount namespace, where the host's
     * PIDs mean nothing. */
    snprintf(path, sizeof path, "/proc/%ld/root", (long)cfg->join);
    root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    snprintf(path, sizeof path, "/proc/%ld/cwd", (long)cfg->join);
    cwd_fd = root_fd == -1 ? -1 : open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root_fd == -1 || cwd_fd == -1 || read_bounding_set(cfg->join, &cfg->caps) == -1) {
        fprintf(stderr, "%s: --join %ld: %s\n", PROG, (long)cfg->join,
                errno == ENOENT ? "no such process" : strerror(errno));
        exit(EXIT_SETUP);
    }
    join_cgroups(cfg->join);
    /* Only the namespaces it does not share with us: setns(2) refuses to
     * "enter" the user namespace one is already in. */
    for (i = 0; i < sizeof ns_kinds / sizeof ns_kinds[0]; i++) {
        snprintf(path, sizeof path, "/proc/%ld/ns/%s", (long)cfg->join, ns_kinds[i].name);
        snprintf(self, sizeof self, "/proc/self/ns/%s", ns_kinds[i].name);
        if (stat(path, &theirs) == 0 && stat(self, &mine) == 0 && theirs.st_ino != mine.st_ino)
            flags |= ns_kinds[i].flag;
    }

    /* BEGIN SOLUTION 10
     * TODO(10): afterwards this process is in every namespace of `flags`
     *           that process cfg->join holds (its children will be in its
     *           PID namespace). Mind privilege: a user gets the power to
     *           enter a container's namespaces only by entering its user
     *           namespace first, while root, once inside that user
     *           namespace, has lost its power over a namespace the
     *           container's user namespace does not own (its time
     *           namespace: why?). Where the kernel lets setns(2) take a
     *           pidfd and several flags at once, that is one call that
     *           sorts this out and cannot fail half-way; elsewhere, one
     *           /proc/PID/ns file at a time, as nsenter(1) does (open them
     *           all before you enter any: why?). A failure ends the program
     *           with die(), naming the step.
     *           Why: a process in only some of a container's namespaces is
     *           in no container at all.
     *           Read setns(2), pidfd_open(2), nsenter(1), and the handout's
     *           "Joining a running container" (hints: make hint10). */
    {
        int pidfd = (int)syscall(SYS_pidfd_open, cfg->join, 0);
        if (pidfd != -1 && setns(pidfd, flags) == 0) {
            say("parent", "setns(pidfd of %ld, 0x%x)", (long)cfg->join, flags);
        } else {
            int fds[sizeof ns_kinds / sizeof ns_kinds[0]], pass;
            if (pidfd != -1 && errno != EINVAL)
                die("setns(pidfd)");
            /* Every file opened first: once in its mount namespace, /proc
             * is the container's, where cfg->join is no PID. */
            for (i = 0; i < sizeof ns_kinds / sizeof ns_kinds[0]; i++) {
                fds[i] = -1;
                snprintf(path, sizeof path, "/proc/%ld/ns/%s", (long)cfg->join, ns_kinds[i].name);
                if ((flags & ns_kinds[i].flag) && (fds[i] = open(path, O_RDONLY | O_CLOEXEC)) == -1)
                    die("open /proc/PID/ns");
            }
            /* Two passes, as nsenter(1) makes them: first every one but
             * the user namespace, while we still hold our privilege (root
             * may; the time namespace, made by the lab's parent before the
             * container's user namespace, is not owned by it and needs
             * that); then the user namespace, and what is left, with the
             * privilege it gives. */
            for (pass = 0; pass < 2; pass++)
                for (i = pass ? 0 : 1; i < sizeof ns_kinds / sizeof ns_kinds[0]; i++) {
                    if (fds[i] == -1)
                        continue;
                    if (setns(fds[i], ns_kinds[i].flag) == -1) {
                        if (pass)
                            die("setns");
                        continue;
                    }
                    close(fds[i]);
                    fds[i] = -1;
                    say("parent", "setns(/proc/%ld/ns/%s)", (long)cfg->join, ns_kinds[i].name);
                }
        }
        if (pidfd != -1)
            close(pidfd);
    }
    /* END SOLUTION */
    (void)flags;   /* UNTIL 10 */

    /* Root of the container's user namespace, as nsenter makes us. */
    if (setresgid(0, 0, 0) == -1 || (setgroups(0, NULL) == -1 && errno != EPERM) || setresuid(0, 0, 0) == -1)
        die("become root of the container's user namespace");
    child = fork();
    if (child == -1)
        die("fork");
    if (child == 0) {
        /* In its PID namespace now; its root and working directory next. */
        if (fchdir(root_fd) == -1 || chroot(".") == -1 || fchdir(cwd_fd) == -1)
            die("enter the container's root and working directory");
        close(root_fd);
        close(cwd_fd);
        drop_capabilities(cfg);
        lock_down(cfg);
        exit(exec_command(cfg));
    }
    close(root_fd);
    close(cwd_fd);
    say("parent", "joined %ld: command is %ld, waiting", (long)cfg->join, (long)child);
    while (waitpid(child, &status, 0) == -1)
        if (errno != EINTR)
            die("waitpid");
    return exit_status(status);
}
#endif

/* ---- The container: the child's steps, then the parent's ----------------- */

/* The child: runs inside the new namespaces, sets them up, then becomes the
 * command. Its return value would be its exit status, but it never returns
 * unless something failed. */
int child_main(void *arg)
{
    struct config *cfg = arg;

    say("child", "pid %ld, setting up", (long)getpid());
#if LAB >= 5
    wait_for_parent(cfg);
#endif

#if LAB >= 6
    /* Lab 06: become root of the new user namespace. */
    /* BEGIN SOLUTION 06
     * TODO(06): the command must run as uid 0 and gid 0 of the container
     *           (id -u and id -g print 0), with no supplementary group of
     *           the host's where that may be changed. Our IDs are still
     *           those of the parent, which the maps may not name. A failure
     *           ends the program with die(). Read user_namespaces(7) ("User
     *           and group ID mappings"), setresuid(2), setgroups(2), and the
     *           handout's "Root inside". */
    if (setresgid(0, 0, 0) == -1)
        die("become gid 0 inside (is 0 in --gid-map?)");
    if (!cfg->rootless && setgroups(0, NULL) == -1)
        die("drop supplementary groups");
    if (setresuid(0, 0, 0) == -1)
        die("become uid 0 inside (is 0 in --uid-map?)");
    say("child", "uid 0, gid 0 inside");
    /* END SOLUTION */
#endif

#if LAB >= 7
    /* Lab 07: a cgroup namespace rooted at the container's own group. */
    /* BEGIN SOLUTION 07
     * TODO(07): inside, /proc/self/cgroup must show the container's group as
     *           "/" (the host's tree above it hidden), so the namespace must
     *           be made once the parent has put the child in its group, not
     *           at clone time (when the child was still in the parent's).
     *           With --verbose, say() so, naming CLONE_NEWCGROUP (it is no
     *           clone flag here, so flag_names() cannot).
     *           A failure ends the program with die(). Read
     *           cgroup_namespaces(7), unshare(2), and the handout's "The
     *           cgroup namespace". */
    if (unshare(CLONE_NEWCGROUP) == -1)
        die("unshare(CLONE_NEWCGROUP)");
    say("child", "unshare(CLONE_NEWCGROUP): my cgroup is / now");
    /* END SOLUTION */
#endif

    /* Lab 01: name the container. */
    /* BEGIN SOLUTION 01
     * TODO(01): the container's hostname must be cfg->hostname, seen by the
     *           command (hostname(1), uname(2), /proc/sys/kernel/hostname)
     *           and by nobody outside. Do it here, in the child: after exec
     *           it is too late, the command runs instead of your code. A
     *           failure ends the program with die(), naming the step.
     *           Read uts_namespaces(7), sethostname(2), and the handout's
     *           "The UTS namespace". */
    if (sethostname(cfg->hostname, strlen(cfg->hostname)) == -1)
        die("sethostname");
    say("child", "sethostname(\"%s\")", cfg->hostname);
    /* END SOLUTION */

#if LAB >= 4
    /* Lab 04: a mount table of our own, and a /proc that shows our PIDs. */
    /* BEGIN SOLUTION 04
     * TODO(04): the command must see a /proc of its own PID namespace (ps
     *           lists only the container's processes; /proc/1 is the
     *           command or the init), and no mount made in here may appear
     *           on the host, even on a host whose mounts are shared, as
     *           systemd makes them. The host's own /proc must stay as it was.
     *           A failure ends the program with die(), naming the step.
     *           Read mount_namespaces(7) (above all "Shared subtrees"),
     *           mount(2), proc(5), and the handout's "Mount propagation" and
     *           "A fresh /proc". */
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
    /* END SOLUTION */
#endif

#if LAB >= 5
    /* Lab 05: lo and eth0, now that the parent has made the pair. */
    container_network(cfg);
#endif

#if LAB >= 10
    /* Lab 10: its own root filesystem, last of the mounts. */
    enter_root(cfg);
#endif

#if LAB >= 8
    /* Lab 08: the last step before the command, once nothing needs root. */
    drop_capabilities(cfg);
#endif
#if LAB >= 10
    /* Lab 10: no privilege back through exec, and the filter, truly last. */
    lock_down(cfg);
#endif

#if LAB >= 3
    if (cfg->init)
        return run_init(cfg);
#endif
    return exec_command(cfg);
}

/* The parent: makes the child in its new namespaces, waits for it, and
 * exits with the command's status, leaving nothing behind. */
int main(int argc, char **argv)
{
    struct config cfg;
    char *stack;   /* UNTIL 09 */
    pid_t pid = -1;
    int status = 0;
    /* The namespaces the child gets beyond lab 01's: each lab adds one. */
    int flags = 0;

    parse_args(argc, argv, &cfg);
#if LAB >= 10
    if (cfg.join)
        return join_container(&cfg);
#endif
#if LAB >= 7
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
#endif

#if LAB >= 2
    /* Lab 02: System V IPC objects and POSIX message queues of its own. */
    /* BEGIN SOLUTION 02
     * TODO(02): the command must not see, nor reach by key, the host's
     *           message queues, shared memory and semaphores, and what it
     *           makes must not appear on the host. Which namespace gives it
     *           that? Read namespaces(7), ipc_namespaces(7), clone(2), and
     *           the handout's "The IPC namespace". */
    flags |= CLONE_NEWIPC;
    /* END SOLUTION */
#endif

#if LAB >= 3
    /* Lab 03: PIDs of its own. */
    /* BEGIN SOLUTION 03
     * TODO(03): the child must be PID 1 of a PID namespace of its own (and
     *           the command PID 1, or PID 2 under --init). Read
     *           pid_namespaces(7) and the handout's "The PID namespace". */
    flags |= CLONE_NEWPID;
    /* END SOLUTION */
#endif

#if LAB >= 4
    /* Lab 04: a mount table of its own. */
    /* BEGIN SOLUTION 04
     * TODO(04): the child's mounts must be its own: what it mounts, the
     *           host does not see, and the other way round. Read
     *           mount_namespaces(7) and the handout's "The mount namespace". */
    flags |= CLONE_NEWNS;
    /* END SOLUTION */
#endif

#if LAB >= 5
    cfg.go[0] = cfg.go[1] = -1;   /* no handshake pipe yet */
    cfg.veth_index = 0;
    /* Lab 05: a network stack of its own. */
    /* BEGIN SOLUTION 05
     * TODO(05): the child must have a network stack of its own: its own
     *           devices, addresses, routes and ports, none of the host's.
     *           Read network_namespaces(7) and the handout's "The network
     *           namespace". */
    flags |= CLONE_NEWNET;
    /* END SOLUTION */
    make_handshake(&cfg);
#endif
#if LAB >= 6
    /* Lab 06: root only inside. */
    /* BEGIN SOLUTION 06
     * TODO(06): the child must be in a user namespace of its own, which owns
     *           the other new namespaces, so that its root has power over
     *           them and none over the host. Read user_namespaces(7) and the
     *           handout's "The user namespace". */
    flags |= CLONE_NEWUSER;
    /* END SOLUTION */
#endif

    /* BEGIN UNTIL 09 */
    /* The child's stack: clone(2) runs the child on memory we give it. */
    stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED)
        die("mmap child stack");
    /* END UNTIL */

#if LAB >= 9
    /* Lab 09: the time namespace the child will be born in. A user (without
     * root) cannot make one the child could enter with offsets: none. */
    if (cfg.rootless && cfg.timens)
        usage_error("--monotonic and --boottime need root (a time namespace made before the child)", NULL);
    cfg.timens = !cfg.rootless;
    if (cfg.timens && make_timens(&cfg) == -1)
        return EXIT_SETUP;

    /* Lab 09: start the container as lab 01 did, now with clone3(2). */
    flags |= CLONE_NEWUTS;
    /* BEGIN SOLUTION 09
     * TODO(09): start the child as lab 01 did, but with clone3(2), which
     *           glibc does not wrap: syscall(2) with SYS_clone3, a struct
     *           clone_args (its flags: `flags`; the signal the parent is told
     *           of its end by; no stack needed when the child goes on as
     *           after fork(2)) and that struct's size. Afterwards `pid` is
     *           the child (in the parent), which ran child_main(&cfg) and
     *           ended with its return value; a failure ends the program with
     *           die(). Until you do, the clone(2) below starts it. Read
     *           clone(2) (its section "clone3()") and the handout's "clone3
     *           and its size argument". */
    {
        struct clone_args args;

        memset(&args, 0, sizeof args);
        args.flags = (unsigned long long)flags;
        args.exit_signal = SIGCHLD;
        pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);
        if (pid == -1)
            die("clone3");
        if (pid == 0)
            _exit(child_main(&cfg));   /* the child: on a copy of our stack, as after fork */
    }
    /* END SOLUTION */
    /* BEGIN UNTIL 09 */
    /* Until the clone3 above is written (pid still -1), lab 01's clone(2)
     * below starts the child. */
    /* cppcheck-suppress knownConditionTrueFalse ; always so in the starter */
    if (pid != -1)
        goto started;
    /* END UNTIL */
#endif
    /* BEGIN UNTIL 09 */
    /* Lab 01: start the container. */
    /* BEGIN SOLUTION 01
     * TODO(01): start the child. Afterwards, `pid` is a new process that
     *           runs child_main(&cfg) on `stack` (STACK_SIZE bytes) in a new
     *           UTS namespace, and in every namespace `flags` already asks
     *           for, and whose end this process is told of, so that
     *           waitpid(2) can see it. A failure ends the program with die(),
     *           naming the step. Read clone(2) (the glibc wrapper, and which
     *           end of the stack it wants), uts_namespaces(7), and the
     *           handout's "Clone and the child stack". */
    flags |= CLONE_NEWUTS;
    /* Stacks grow down on every architecture Linux runs containers on, so
     * pass the top. SIGCHLD is the exit signal plain waitpid() waits for. */
    pid = clone(child_main, stack + STACK_SIZE, flags | SIGCHLD, &cfg);
    if (pid == -1)
        die("clone");
    /* END SOLUTION */
    /* END UNTIL */

#if LAB >= 9
started:   /* UNTIL 09 */
    say("parent", "clone3(%s) = %ld", flag_names(flags), (long)pid);
#else
    say("parent", "clone(%s) = %ld", flag_names(flags), (long)pid);
#endif
#if LAB >= 5
    /* The child waits in wait_for_parent() while we set up its world. If
     * anything fails, it is killed and what was made is removed. */
    close(cfg.go[0]);
    /* A child that died early must not take us with it: writing to its
     * pipe then fails with EPIPE instead of killing us (pipe(7)), and we
     * clean up. */
    signal(SIGPIPE, SIG_IGN);
    snprintf(cfg.veth, sizeof cfg.veth, "nsv%ld", (long)pid);
    if (
#if LAB >= 6
        write_maps(&cfg, pid) == -1 ||
#endif
#if LAB >= 7
        (!cfg.rootless && make_cgroup(&cfg, pid) == -1) ||
#endif
        (cfg.has_veth && make_veth(&cfg, pid) == -1) ||
#if LAB >= 10
        write_pid_file(&cfg, pid) == -1 ||
#endif
        release_child(&cfg) == -1) {
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
            ;
        if (cfg.has_veth)
            remove_veth(&cfg);
#if LAB >= 7
        remove_cgroup(&cfg);
#endif
#if LAB >= 10
        remove_pid_file(&cfg);
#endif
        return EXIT_SETUP;
    }
    if (!cfg.has_veth)
        say("parent", "not root on the host: no veth (it needs privilege here); the container has lo alone");
#endif
    say("parent", "waiting for %ld", (long)pid);

    /* BEGIN SOLUTION 01
     * TODO(01): wait until the child has ended, and keep its wait status in
     *           `status`. The container lives as long as its first process,
     *           and this program must not return while it runs. A signal
     *           that interrupts the wait is not a failure; anything else
     *           ends the program with die(). Read wait(2) (and its ERRORS),
     *           and the handout's "Waiting for the child". */
    while (waitpid(pid, &status, 0) == -1)
        if (errno != EINTR)
            die("waitpid");
    /* END SOLUTION */
    say("parent", "child %ld ended with wait status 0x%x", (long)pid, status);
#if LAB >= 5
    if (cfg.has_veth)
        remove_veth(&cfg);
#endif
#if LAB >= 7
    remove_cgroup(&cfg);
#endif
#if LAB >= 10
    remove_pid_file(&cfg);
#endif

    munmap(stack, STACK_SIZE);   /* UNTIL 09 */
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
#if LAB >= 3
           "      --init           run an init as PID 1 that starts COMMAND, forwards\n"
           "                       signals to it and reaps orphans\n"
#endif
#if LAB >= 5
           "      --ip CIDR        address of the container's eth0 (default 10.200.0.2/24)\n"
           "      --host-ip CIDR   address of the host's end of the veth pair\n"
           "                       (default 10.200.0.1/24)\n"
#endif
#if LAB >= 6
           "      --uid-map IN:OUT:COUNT  uid map of the container's user namespace\n"
           "      --gid-map IN:OUT:COUNT  gid map (default for both: 0:100000:65536 when\n"
           "                       run by root, else 0:<your id>:1; without root there\n"
           "                       is no veth, only lo)\n"
#endif
#if LAB >= 7
           "      --memory SIZE    memory limit, bytes or with K, M or G (powers of 1024)\n"
           "      --pids-limit N   most tasks in the container\n"
           "      --cpus X         CPU time, in CPUs (0.5: half of one)\n"
#endif
#if LAB >= 8
           "      --cap-add CAP    keep capability CAP too (CHOWN, cap_net_admin, ALL...)\n"
           "      --cap-drop CAP   drop CAP from the default set (Docker's 14; ALL: every\n"
           "                       one); both repeatable; an add wins over a drop,\n"
           "                       except --cap-add ALL: every one less the drops\n"
#endif
#if LAB >= 9
           "      --monotonic SECS offset of CLOCK_MONOTONIC inside (may be negative)\n"
           "      --boottime SECS  offset of CLOCK_BOOTTIME and /proc/uptime inside\n"
#endif
#if LAB >= 10
           "      --root DIR       the root filesystem to pivot into (required; make rootfs)\n"
           "      --seccomp default|unconfined  the system-call filter: Docker's default\n"
           "                       blocks (the default), or none\n"
           "      --pid-file FILE  write the container's PID (as this host sees it) to FILE\n"
           "                       while it runs\n"
           "      --join PID       run COMMAND in the running container whose init is PID\n"
           "                       (like nsenter -t PID -a, docker exec); no --root then\n"
#endif
           "\n"
           "Exit status: COMMAND's own; 128+N if it was killed by signal N;\n"
           "125 if the container could not be set up; 126 if COMMAND could not be\n"
           "executed; 127 if COMMAND was not found.\n", PROG);
}

#if LAB >= 5
/* Read "A.B.C.D/PREFIX" (PREFIX 1 to 32) for `option`; a bad one is a usage
 * error that names the option. */
static void parse_cidr(const char *option, const char *text, struct cidr *c)
{
    c->text = text;
    c->prefix = 0;
    /* BEGIN SOLUTION 05
     * TODO(05): afterwards c->addr and c->prefix hold the address and the
     *           prefix length of `text` ("10.200.0.2/24"), or the program has
     *           ended with usage_error(), whose one line names `option` and
     *           what is wrong: not an IPv4 address (inet_pton's four decimal
     *           numbers, no short form), no prefix, a prefix that is not
     *           digits alone or not 1 to 32 ("24x", " 24" and "+24" are
     *           refused). Read inet_pton(3), strtol(3), and the handout's
     *           "The options". */
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
    /* END SOLUTION */
    (void)option;   /* UNTIL 05 */
}

int same_subnet(const struct cidr *a, const struct cidr *b)
{
    uint32_t mask = b->prefix == 32 ? 0xffffffffu : ~(0xffffffffu >> b->prefix);

    return a->prefix == b->prefix && (ntohl(a->addr.s_addr) & mask) == (ntohl(b->addr.s_addr) & mask);
}
#endif

#if LAB >= 6
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
#endif

#if LAB >= 7
/* --memory: a whole number of bytes, or of K, M or G (powers of 1024). */
static unsigned long long parse_size(const char *text)
{
    unsigned long long bytes = 0;

    /* BEGIN SOLUTION 07
     * TODO(07): return the size TEXT names in bytes: a whole number, then
     *           optionally K, M or G (either case) for 1024, 1024^2, 1024^3,
     *           as docker run --memory reads it. Anything else (no digits,
     *           another suffix, a sign, 0, a size that does not fit) ends the
     *           program with usage_error() naming --memory, before anything
     *           is made. Read strtoull(3) (errno, endptr) and the handout's
     *           "The options". */
    unsigned long long value, unit = 1;
    char *end;

    errno = 0;
    value = strtoull(text, &end, 10);
    if (*end == 'K' || *end == 'k')
        unit = 1024ULL;
    else if (*end == 'M' || *end == 'm')
        unit = 1024ULL * 1024;
    else if (*end == 'G' || *end == 'g')
        unit = 1024ULL * 1024 * 1024;
    if (unit != 1)
        end++;
    /* (strtoull(3) skips blanks and takes a sign: " -5" would wrap.) */
    if (!isdigit((unsigned char)text[0]) || *end || errno || value == 0 || value > ULLONG_MAX / unit)
        usage_error("--memory: not a size of at least 1 byte (like 64M)", text);
    bytes = value * unit;
    /* END SOLUTION */
    (void)text;   /* UNTIL 07 */
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
#endif

#if LAB >= 8
/* --cap-add and --cap-drop: a capability's name as capabilities(7) spells
 * it, with or without CAP_, in any case ("chown", "CAP_NET_ADMIN"), or ALL.
 * Returns its bit (every bit for ALL). */
static unsigned long long parse_cap(const char *option, const char *text)
{
    unsigned long long mask = 0;

    /* BEGIN SOLUTION 08
     * TODO(08): return the bit of the capability TEXT names (bit N for
     *           capability number N), or every bit for "ALL". The CAP_
     *           prefix is optional and case does not matter, as in docker
     *           run --cap-add. A name that is no capability (an empty one,
     *           a list, a number) ends the program with usage_error() naming
     *           `option`.
     *           libcap knows the names: read cap_from_name(3) (it wants
     *           "cap_chown", lower case) and the handout's "The options". */
    char name[64];
    size_t i, skip = strncasecmp(text, "CAP_", 4) == 0 ? 4 : 0;
    cap_value_t value;
    char msg[96];

    snprintf(msg, sizeof msg, "%s: not a capability (see capabilities(7), or ALL)", option);
    if (strcasecmp(text + skip, "ALL") == 0 && !skip)
        return all_caps();
    if (text[skip] == '\0' || strlen(text + skip) + 4 >= sizeof name)
        usage_error(msg, text);
    memcpy(name, "cap_", 4);
    for (i = 0; text[skip + i]; i++) {
        /* (cap_from_name() reads "chown,kill" as chown: one name only.) */
        if (!isalpha((unsigned char)text[skip + i]) && text[skip + i] != '_')
            usage_error(msg, text);
        name[4 + i] = (char)tolower((unsigned char)text[skip + i]);
    }
    name[4 + i] = '\0';
    if (cap_from_name(name, &value) == -1 || value < 0 || value >= 64 || !(all_caps() & (1ULL << value)))
        usage_error(msg, text);
    mask = 1ULL << value;
    /* END SOLUTION */
    (void)option;   /* UNTIL 08 */
    (void)text;     /* UNTIL 08 */
    return mask;
}
#endif

#if LAB >= 9
/* --monotonic, --boottime: whole seconds, maybe negative. (Whether the clock
 * would go below zero, the kernel says when the offset is written.) */
static long long parse_offset(const char *option, const char *text)
{
    char *end, msg[96];
    long long value;

    errno = 0;
    value = strtoll(text, &end, 10);
    if (!(isdigit((unsigned char)text[0]) || (text[0] == '-' && isdigit((unsigned char)text[1]))) || *end || errno) {
        snprintf(msg, sizeof msg, "%s: not a whole number of seconds", option);
        usage_error(msg, text);
    }
    return value;
}
#endif

/* Read the options. A leading '+' makes getopt stop at the first non-option,
 * so `prog ls -l` passes -l to ls instead of parsing it here. */
static void parse_args(int argc, char **argv, struct config *cfg)
{
    /* The long options' codes: above every character getopt returns. */
    enum {
        OPT_HOSTNAME = 256,
#if LAB >= 3
        OPT_INIT,
#endif
#if LAB >= 5
        OPT_IP, OPT_HOST_IP,
#endif
#if LAB >= 6
        OPT_UID_MAP, OPT_GID_MAP,
#endif
#if LAB >= 7
        OPT_MEMORY, OPT_PIDS_LIMIT, OPT_CPUS,
#endif
#if LAB >= 8
        OPT_CAP_ADD, OPT_CAP_DROP,
#endif
#if LAB >= 9
        OPT_MONOTONIC, OPT_BOOTTIME,
#endif
#if LAB >= 10
        OPT_ROOT, OPT_SECCOMP, OPT_PID_FILE, OPT_JOIN,
#endif
    };
    static const struct option options[] = {
        { "help", no_argument, NULL, 'h' },
        { "verbose", no_argument, NULL, 'v' },
        { "hostname", required_argument, NULL, OPT_HOSTNAME },
#if LAB >= 3
        { "init", no_argument, NULL, OPT_INIT },
#endif
#if LAB >= 5
        { "ip", required_argument, NULL, OPT_IP },
        { "host-ip", required_argument, NULL, OPT_HOST_IP },
#endif
#if LAB >= 6
        { "uid-map", required_argument, NULL, OPT_UID_MAP },
        { "gid-map", required_argument, NULL, OPT_GID_MAP },
#endif
#if LAB >= 7
        { "memory", required_argument, NULL, OPT_MEMORY },
        { "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
        { "cpus", required_argument, NULL, OPT_CPUS },
#endif
#if LAB >= 8
        { "cap-add", required_argument, NULL, OPT_CAP_ADD },
        { "cap-drop", required_argument, NULL, OPT_CAP_DROP },
#endif
#if LAB >= 9
        { "monotonic", required_argument, NULL, OPT_MONOTONIC },
        { "boottime", required_argument, NULL, OPT_BOOTTIME },
#endif
#if LAB >= 10
        { "root", required_argument, NULL, OPT_ROOT },
        { "seccomp", required_argument, NULL, OPT_SECCOMP },
        { "pid-file", required_argument, NULL, OPT_PID_FILE },
        { "join", required_argument, NULL, OPT_JOIN },
#endif
        { NULL, 0, NULL, 0 },
    };
    static char *default_command[] = { "/bin/sh", NULL };
    int opt;

    cfg->hostname = "container";
    cfg->verbose = 0;
#if LAB >= 3
    cfg->init = 0;
#endif
#if LAB >= 5
    parse_cidr("--ip", "10.200.0.2/24", &cfg->ip);
    parse_cidr("--host-ip", "10.200.0.1/24", &cfg->host_ip);
    cfg->has_veth = 1;
#endif
#if LAB >= 6
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
#endif
#if LAB >= 7
    cfg->memory = 0;
    cfg->pids_limit = 0;
    cfg->cpus = 0;
    memset(cfg->cgroup, 0, sizeof cfg->cgroup);
#endif
#if LAB >= 8
    cfg->cap_add = cfg->cap_drop = 0;
#endif
#if LAB >= 9
    cfg->monotonic = cfg->boottime = 0;
    cfg->timens = 0;
#endif
#if LAB >= 10
    cfg->root = NULL;
    cfg->seccomp_name = "default";
    cfg->seccomp = 1;
    cfg->pid_file = NULL;
    cfg->pid_file_written = 0;
    cfg->join = 0;
#endif
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
#if LAB >= 3
        case OPT_INIT:
            cfg->init = 1;
            break;
#endif
#if LAB >= 5
        case OPT_IP:
            parse_cidr("--ip", optarg, &cfg->ip);
            break;
        case OPT_HOST_IP:
            parse_cidr("--host-ip", optarg, &cfg->host_ip);
            break;
#endif
#if LAB >= 6
        case OPT_UID_MAP:
            parse_idmap("--uid-map", optarg, &cfg->uid_map);
            break;
        case OPT_GID_MAP:
            parse_idmap("--gid-map", optarg, &cfg->gid_map);
            break;
#endif
#if LAB >= 7
        case OPT_MEMORY:
            cfg->memory = parse_size(optarg);
            break;
        case OPT_PIDS_LIMIT:
            cfg->pids_limit = parse_positive("--pids-limit", optarg);
            break;
        case OPT_CPUS:
            cfg->cpus = parse_cpus(optarg);
            break;
#endif
#if LAB >= 8
        case OPT_CAP_ADD:
            cfg->cap_add |= parse_cap("--cap-add", optarg);
            break;
        case OPT_CAP_DROP:
            cfg->cap_drop |= parse_cap("--cap-drop", optarg);
            break;
#endif
#if LAB >= 9
        case OPT_MONOTONIC:
            cfg->monotonic = parse_offset("--monotonic", optarg);
            cfg->timens = 1;
            break;
        case OPT_BOOTTIME:
            cfg->boottime = parse_offset("--boottime", optarg);
            cfg->timens = 1;
            break;
#endif
#if LAB >= 10
        case OPT_ROOT:
            cfg->root = optarg;
            break;
        case OPT_SECCOMP:
            cfg->seccomp_name = optarg;
            break;
        case OPT_PID_FILE:
            if (!*optarg)
                usage_error("--pid-file: an empty file name", optarg);
            cfg->pid_file = optarg;
            break;
        case OPT_JOIN:
            cfg->join = (pid_t)parse_positive("--join", optarg);
            break;
#endif
        case ':':
            usage_error("option needs a value", argv[optind - 1]);
            break;
        default:
            usage_error("unknown option", argv[optind - 1]);
        }
    }
    cfg->argv = optind < argc ? &argv[optind] : default_command;
    verbose = cfg->verbose;
#if LAB >= 10
    /* BEGIN SOLUTION 10
     * TODO(10): refuse, with usage_error() naming the option, before
     *           anything is made: no --root (unless --join: joining makes no
     *           container, so --root and --pid-file make no sense with it),
     *           a --root that is not a folder, a --seccomp other than
     *           "default" and "unconfined". Afterwards cfg->seccomp is 1 for
     *           default, 0 for unconfined. Why: a half-made container is
     *           worse than none; docker run checks its options first too.
     *           Read stat(2) and the handout's "The options". */
    struct stat st;
    if (cfg->join && (cfg->root || cfg->pid_file))
        usage_error("--join enters a running container: no --root or --pid-file with it", NULL);
    if (!cfg->root && !cfg->join)
        usage_error("--root is required (make rootfs builds one: build/rootfs)", NULL);
    if (cfg->root && (stat(cfg->root, &st) == -1 || !S_ISDIR(st.st_mode)))
        usage_error("--root: not a directory", cfg->root);
    if (strcmp(cfg->seccomp_name, "default") != 0 && strcmp(cfg->seccomp_name, "unconfined") != 0)
        usage_error("--seccomp: default or unconfined", cfg->seccomp_name);
    cfg->seccomp = strcmp(cfg->seccomp_name, "default") == 0;
    /* END SOLUTION */
#endif
#if LAB >= 8
    /* Docker's rule: the default set (every one with --cap-add ALL), less
     * the drops, plus the adds. */
    if (cfg->cap_add == all_caps())
        cfg->caps = all_caps() & ~cfg->cap_drop;
    else
        cfg->caps = ((docker_caps() & ~cfg->cap_drop) | cfg->cap_add) & all_caps();
#endif
#if LAB >= 5

    /* Lab 05: two ends that can reach each other. */
    /* BEGIN SOLUTION 05
     * TODO(05): two ends with one address, or in different subnets, cannot
     *           talk to each other: refuse that with usage_error(), naming
     *           the options. same_subnet() is yours to use. */
    if (cfg->ip.addr.s_addr == cfg->host_ip.addr.s_addr)
        usage_error("--ip and --host-ip must differ", cfg->ip.text);
    if (!same_subnet(&cfg->ip, &cfg->host_ip))
        usage_error("--ip must be in --host-ip's subnet, or the two ends cannot reach each other", cfg->ip.text);
    /* END SOLUTION */
#endif
}
