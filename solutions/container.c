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
#if LAB >= 4
#include <sys/mount.h>
#endif
#include <sys/wait.h>
#include <unistd.h>

#if LAB == 1
#define PROG "01_clone_uts"
#elif LAB == 2
#define PROG "02_ipc"
#elif LAB == 3
#define PROG "03_pid"
#elif LAB == 4
#define PROG "04_mount_proc"
#endif

/* Exit statuses, as docker run(1) uses them. */
enum {
    EXIT_SETUP = 125,     /* the container could not be set up */
    EXIT_NOEXEC = 126,    /* the command was found but could not be executed */
    EXIT_NOTFOUND = 127,  /* the command was not found */
};

#define STACK_SIZE (1024 * 1024)   /* the child's stack: plenty for exec */
#define HOSTNAME_MAX 64            /* HOST_NAME_MAX on Linux */

/* Everything the command line says, shared by parent and child. */
struct config {
    const char *hostname;   /* --hostname, the name inside */
    char **argv;            /* the command and its arguments */
    int verbose;            /* --verbose: narrate each step */
#if LAB >= 3
    int init;               /* --init: PID 1 is our init, the command PID 2 */
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
           "\n"
           "Exit status: COMMAND's own; 128+N if it was killed by signal N;\n"
           "125 if the container could not be set up; 126 if COMMAND could not be\n"
           "executed; 127 if COMMAND was not found.\n", PROG);
}

/* Read the options. A leading '+' makes getopt stop at the first non-option,
 * so `prog ls -l` passes -l to ls instead of parsing it here. */
static void parse_args(int argc, char **argv, struct config *cfg)
{
    enum { OPT_HOSTNAME = 256, OPT_INIT };
    static const struct option options[] = {
        { "help", no_argument, NULL, 'h' },
        { "verbose", no_argument, NULL, 'v' },
        { "hostname", required_argument, NULL, OPT_HOSTNAME },
#if LAB >= 3
        { "init", no_argument, NULL, OPT_INIT },
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
        case ':':
            usage_error("option needs a value", argv[optind - 1]);
            break;
        default:
            usage_error("unknown option", argv[optind - 1]);
        }
    }
    cfg->argv = optind < argc ? &argv[optind] : default_command;
    verbose = cfg->verbose;
}

/* Turn a wait(2) status into our exit status, as a shell does. */
static int exit_status(int status)
{
    int code = EXIT_SETUP;

#if LAB >= 1
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
#endif
    (void)status;
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

#if LAB >= 3
/* The signals --init passes on to the command, as docker run --init does. */
static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
#define NFORWARDED (sizeof forwarded / sizeof forwarded[0])

/* Lab 03: a minimal init, PID 1 of the container (run with --init). When it
 * exits, the kernel kills every other process of the namespace, so it must
 * live exactly as long as the command. */
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
    (void)cfg;
    return EXIT_SETUP;   /* not an init yet */
}
#endif

/* The child: runs inside the new namespaces, sets them up, then becomes the
 * command. Its return value would be its exit status, but it never returns
 * unless something failed. */
int child_main(void *arg)
{
    struct config *cfg = arg;

    say("child", "pid %ld, setting up", (long)getpid());

#if LAB >= 1
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
#endif

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

#if LAB >= 3
    if (cfg->init)
        return run_init(cfg);
#endif
    return exec_command(cfg);
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

int main(int argc, char **argv)
{
    struct config cfg;
    char *stack;
    pid_t pid = -1;
    int status = 0;
    /* The namespaces the child gets beyond lab 01's: each lab adds one. */
    int flags = 0;

    parse_args(argc, argv, &cfg);

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

    /* The child's stack: clone(2) runs the child on memory we give it. */
    stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED)
        die("mmap child stack");

#if LAB >= 1
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
#endif
    say("parent", "clone(%s) = %ld", flag_names(flags), (long)pid);
    say("parent", "waiting for %ld", (long)pid);

#if LAB >= 1
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
#endif
    say("parent", "child %ld ended with wait status 0x%x", (long)pid, status);

    munmap(stack, STACK_SIZE);
    return exit_status(status);
}
