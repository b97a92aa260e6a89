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

#define PROG "04_mount_proc"

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
    int init;               /* --init: PID 1 is our init, the command PID 2 */
};

static int verbose;

/* Narrate one step on stderr when --verbose was given. */
static void say(const char *who, const char *fmt, ...)
{
    va_list ap;

    if (!verbose)
        return;
    fprintf(stderr, "[%s] ", who);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
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
           "      --init           run an init as PID 1 that starts COMMAND, forwards\n"
           "                       signals to it and reaps orphans\n"
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
        { "init", no_argument, NULL, OPT_INIT },
        { NULL, 0, NULL, 0 },
    };
    static char *default_command[] = { "/bin/sh", NULL };
    int opt;

    cfg->hostname = "container";
    cfg->verbose = 0;
    cfg->init = 0;
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

    if (WIFEXITED(status))
        code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        code = 128 + WTERMSIG(status);
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

/* The signals --init passes on to the command, as docker run --init does. */
static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

/* A handler that does nothing: PID 1 of a namespace receives only the
 * signals it has a handler for, so the forwarded ones need one to arrive. */
static void on_signal(int sig)
{
    (void)sig;
}

/* Lab 03: a minimal init, PID 1 of the container. It starts the command as
 * its child, passes signals on to it, reaps every orphan that the kernel
 * hands to PID 1, and exits with the command's status. When it exits, the
 * kernel kills every other process of the namespace. */
static int run_init(struct config *cfg)
{
    struct sigaction sa;
    sigset_t signals, old;
    size_t i;
    pid_t cmd;
    int sig;

    /* Block the signals first, so that none is lost before we wait for it;
     * sigwait(3) then takes them one at a time. */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&signals);
    sigaddset(&signals, SIGCHLD);
    for (i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
        sigaddset(&signals, forwarded[i]);
    for (sig = 1; sig < NSIG; sig++)
        if (sigismember(&signals, sig) == 1 && sigaction(sig, &sa, NULL) == -1)
            die("sigaction");
    if (sigprocmask(SIG_BLOCK, &signals, &old) == -1)
        die("sigprocmask");

    cmd = fork();
    if (cmd == -1)
        die("fork the command");
    if (cmd == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);   /* exec keeps the mask */
        exit(exec_command(cfg));
    }
    say("init", "pid %ld, command is pid %ld", (long)getpid(), (long)cmd);

    for (;;) {
        if (sigwait(&signals, &sig) != 0)
            continue;
        if (sig != SIGCHLD) {
            say("init", "forwarding signal %d to %ld", sig, (long)cmd);
            kill(cmd, sig);
            continue;
        }
        /* SIGCHLD: one or more children ended (signals of a kind do not queue,
         * so reap them all). Orphans of the container are our children too. */
        {
            pid_t pid;
            int status;

            while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
                say("init", "reaped %ld", (long)pid);
                if (pid == cmd)
                    return exit_status(status);
            }
        }
    }
}

/* The child: runs inside the new namespaces, sets them up, then becomes the
 * command. Its return value would be its exit status, but it never returns
 * unless something failed. */
static int child_main(void *arg)
{
    struct config *cfg = arg;

    say("child", "pid %ld, setting up", (long)getpid());

    /* Lab 01: name the container. This changes only the hostname of our new
     * UTS namespace; it must happen before exec, while we still run our code. */
    if (sethostname(cfg->hostname, strlen(cfg->hostname)) == -1)
        die("sethostname");
    say("child", "sethostname(\"%s\")", cfg->hostname);

    /* Lab 04: a mount table of our own, and a /proc that shows our PIDs.
     * The new mount namespace starts as a copy of the host's. Where the host's
     * mounts are shared (systemd makes "/" shared), a mount we make would
     * propagate back to the host; so first make every mount private. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
        die("make mounts private");
    say("child", "mount(\"/\", MS_REC|MS_PRIVATE)");
    /* ps and top read /proc, which still shows the host's PID namespace.
     * A proc filesystem mounted from inside our PID namespace shows ours. */
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
        die("mount /proc");
    say("child", "mount(\"proc\", \"/proc\")");

    if (cfg->init)
        return run_init(cfg);
    return exec_command(cfg);
}

/* Spell out clone flags for --verbose, e.g. "CLONE_NEWUTS|SIGCHLD". */
static const char *flag_names(int flags)
{
    static const struct { int flag; const char *name; } names[] = {
        { CLONE_NEWUTS, "CLONE_NEWUTS" },
        { CLONE_NEWIPC, "CLONE_NEWIPC" },
        { CLONE_NEWPID, "CLONE_NEWPID" },
        { CLONE_NEWNS, "CLONE_NEWNS" },
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
    pid_t pid;
    int status;
    /* SIGCHLD: the child's exit signal, so that plain waitpid() sees it. */
    int flags = SIGCHLD;

    parse_args(argc, argv, &cfg);

    /* Lab 01: a new UTS namespace gives the child its own hostname. */
    flags |= CLONE_NEWUTS;
    /* Lab 02: a new IPC namespace gives it its own System V IPC objects and
     * POSIX message queues. */
    flags |= CLONE_NEWIPC;
    /* Lab 03: a new PID namespace: the child is its PID 1. */
    flags |= CLONE_NEWPID;
    /* Lab 04: a new mount namespace for the child's own mounts. */
    flags |= CLONE_NEWNS;

    /* clone(2) runs the child on a stack we provide. Stacks grow down on
     * every architecture Linux runs containers on, so pass its top. */
    stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED)
        die("mmap child stack");

    pid = clone(child_main, stack + STACK_SIZE, flags, &cfg);
    if (pid == -1)
        die("clone");
    say("parent", "clone(%s) = %ld", flag_names(flags), (long)pid);
    say("parent", "waiting for %ld", (long)pid);

    /* Wait for the child: the container lives as long as its first process,
     * and we must not return while it runs. */
    while (waitpid(pid, &status, 0) == -1)
        if (errno != EINTR)
            die("waitpid");
    say("parent", "child %ld ended with wait status 0x%x", (long)pid, status);

    munmap(stack, STACK_SIZE);
    return exit_status(status);
}
