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

/* ---- The container: the child's steps, then the parent's ----------------- */

/* The child: runs inside the new namespaces, sets them up, then becomes the
 * command. Its return value would be its exit status, but it never returns
 * unless something failed. */
int child_main(void *arg)
{
    struct config *cfg = arg;

    say("child", "pid %ld, setting up", (long)getpid());

    /* Lab 01: name the container. */
    if (sethostname(cfg->hostname, strlen(cfg->hostname)) == -1)
        die("sethostname");
    say("child", "sethostname(\"%s\")", cfg->hostname);

    /* Lab 04: a mount table of our own, and a /proc that shows our PIDs. */
    /* TODO(04): the command must see a /proc of its own PID namespace (ps
     *           lists only the container's processes; /proc/1 is the
     *           command or the init), and no mount made in here may appear
     *           on the host, even on a host whose mounts are shared, as
     *           systemd makes them. The host's own /proc must stay as it was.
     *           A failure ends the program with die(), naming the step.
     *           Read mount_namespaces(7) (above all "Shared subtrees"),
     *           mount(2), proc(5), and the handout's "Mount propagation" and
     *           "A fresh /proc". */

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

    /* Lab 02: System V IPC objects and POSIX message queues of its own. */
    flags |= CLONE_NEWIPC;

    /* Lab 03: PIDs of its own. */
    flags |= CLONE_NEWPID;

    /* Lab 04: a mount table of its own. */
    /* TODO(04): the child's mounts must be its own: what it mounts, the
     *           host does not see, and the other way round. Read
     *           mount_namespaces(7) and the handout's "The mount namespace". */

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
    say("parent", "waiting for %ld", (long)pid);

    while (waitpid(pid, &status, 0) == -1)
        if (errno != EINTR)
            die("waitpid");
    say("parent", "child %ld ended with wait status 0x%x", (long)pid, status);

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
           "\n"
           "Exit status: COMMAND's own; 128+N if it was killed by signal N;\n"
           "125 if the container could not be set up; 126 if COMMAND could not be\n"
           "executed; 127 if COMMAND was not found.\n", PROG);
}

/* Read the options. A leading '+' makes getopt stop at the first non-option,
 * so `prog ls -l` passes -l to ls instead of parsing it here. */
static void parse_args(int argc, char **argv, struct config *cfg)
{
    /* The long options' codes: above every character getopt returns. */
    enum {
        OPT_HOSTNAME = 256,
        OPT_INIT,
    };
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
