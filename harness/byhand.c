/* A test world used by hand, with the user's terminal:
 *
 *   nslab-check --lab LAB --program PATH --try [--] [LAB ARGUMENTS...]    (make tryNN)
 *       the lab once, in a throwaway world; its exit status is ours
 *   nslab-check world [--lab LAB] [--file PATH]... [--env NAME=VALUE]... [--timeout SECS] [--] COMMAND [ARG...]
 *       a world with no lab: COMMAND runs on the world's host side, as its
 *       root, with the files copied into /tmp/nslab and the environment the
 *       world gives everything (PATH, HOME, TERM, LANG) plus --env's (the demos run so; with
 *       --lab, the world is the one that lab's checks get: from lab 10 on, a
 *       fresh copy of make rootfs's tree at /tmp/nslab/root)
 *
 * Either way nothing reaches the machine; what a lab left in the world's host
 * is said when it ends. On a terminal, what runs in the world gets a pty of
 * the world's own as its controlling terminal, and the world copies between
 * it and ours (ours in raw mode meanwhile): it can neither type into the
 * user's shell (TIOCSTI) nor signal the user's session. */
#define _GNU_SOURCE
#include "commands.h"
#include "checks.h"
#include "needs.h"
#include "util.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* Our terminal as it was, while the world copies between it and the pty
 * it gives what runs in it (run.c): raw meanwhile, so that every key, ^C
 * and ^Z among them, goes to the pty, whose line discipline handles them. */
static struct termios saved_terminal;
static int terminal_raw;

static void terminal_to_raw(void)
{
    struct termios raw;

    if (!isatty(0) || !isatty(1) || tcgetattr(0, &saved_terminal) == -1)
        return;
    raw = saved_terminal;
    cfmakeraw(&raw);
    terminal_raw = tcsetattr(0, TCSANOW, &raw) == 0;
}

static void terminal_back(void)
{
    if (terminal_raw)
        tcsetattr(0, TCSANOW, &saved_terminal);
    terminal_raw = 0;
}

/* Run spec (interactive) and say how it ended, as `who`. Returns the run's
 * exit status (128 + N for a signal, 124 out of time, 2 no world). */
static int run_by_hand(struct world_spec *spec, const char *who, const char *what, int needs, int say_changes)
{
    struct world_result *r;
    char *changes;

    spec->interactive = 1;
    /* Ctrl-C and Ctrl-\\ at the terminal are for what runs in the world. */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    terminal_to_raw();
    r = world_run(spec);
    terminal_back();
    if (!r || !r->ready) {
        fprintf(stderr, "%s: no test world could be made here: %s (make doctor says why)\n", who,
                r ? r->env_error : "no memory");
        return 2;
    }
    if (r->forbidden[0])
        fprintf(stderr, "%s: the test world refused these calls (EPERM), which change a whole machine or reach "
                "out of the world:\n%s", who,
                r->forbidden);
    changes = say_changes ? diff_lines(r->before, r->after) : NULL;
    if (changes)
        fprintf(stderr, "%s: %s left the test world's host changed (- before, + after); on your machine this "
                "would stay:\n%s", who, what, changes);
    free(changes);
    if (r->ended[0])
        fprintf(stderr, "%s: %s\n", who, r->ended);
    if (r->timed_out) {
        fprintf(stderr, "%s: still running after %.0f s: every process was killed\n", who, spec->timeout);
        return 124;
    }
    if (WIFSIGNALED(r->lab_status)) {
        fprintf(stderr, "%s: %s died of signal %d (%s)\n", who, what, WTERMSIG(r->lab_status),
                strsignal(WTERMSIG(r->lab_status)));
        return 128 + WTERMSIG(r->lab_status);
    }
    if (WEXITSTATUS(r->lab_status))
        fprintf(stderr, "%s: %s exited with status %d\n", who, what, WEXITSTATUS(r->lab_status));
    if (WEXITSTATUS(r->lab_status) == 125 && (needs & NEED_IDS) && r->users < 65536)
        fprintf(stderr, "%s: this test world has %u IDs besides root (without root it has your subordinate IDs "
                "only), so a map such as 0:100000:65536 cannot be written in it: give your user a range (sudo "
                "usermod --add-subuids 100000-165536 --add-subgids 100000-165536 $USER) or use sudo\n", who, r->users);
    return WEXITSTATUS(r->lab_status);
}

static double timeout_from_env(double otherwise)
{
    const char *t = getenv("NSLAB_TRY_TIMEOUT");

    return t && atof(t) > 0 ? atof(t) : otherwise;
}

int cmd_try(const struct registry *reg, int lab, const char *program, char **args, int nargs)
{
    static char *argv[256];
    struct world_spec spec = { 0 };
    int i, n = 0, needs = registry_world(reg, lab);

    argv[n++] = (char *)lab_in_world();
    /* A lab that needs a root (10): a fresh, writable copy of make rootfs's
     * tree at WORLD_ROOT_DIR, and --root naming it unless the arguments name
     * one (or --join a running container). */
    if (needs & NEED_ROOT) {
        int named = 0;
        spec.root = ROOT_ROOTFS;
        for (i = 0; i < nargs && strcmp(args[i], "--") != 0; i++)
            named |= strcmp(args[i], "--root") == 0 || strncmp(args[i], "--root=", 7) == 0 ||
                     strcmp(args[i], "--join") == 0 || strncmp(args[i], "--join=", 7) == 0 ||
                     strcmp(args[i], "-h") == 0 || strcmp(args[i], "--help") == 0;
        if (!named) {
            argv[n++] = "--root";
            argv[n++] = WORLD_ROOT_DIR;
        }
    }
    for (i = 0; i < nargs && n < 255; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    spec.argv = argv;
    spec.lab_file = program;
    if (isatty(2))
        fprintf(stderr, "nslab try: %s runs in a throwaway test world: a hostname, /proc, mounts, network and cgroups "
                "of its own; your machine is not touched. The world ends with the lab.\n", reg->labs[lab].name);
    spec.host_command = getenv("NSLAB_HOST") && *getenv("NSLAB_HOST") ? getenv("NSLAB_HOST") : NULL;
    spec.timeout = timeout_from_env(3600);
    return run_by_hand(&spec, "nslab try", "the lab", needs, 1);
}

int cmd_world(const struct registry *reg, int argc, char **argv)
{
    static const struct option options[] = {
        { "lab", required_argument, NULL, 'l' }, { "file", required_argument, NULL, 'f' },
        { "timeout", required_argument, NULL, 't' }, { "env", required_argument, NULL, 'e' }, { NULL, 0, NULL, 0 },
    };
    static const char *files[16], *env[16];
    struct world_spec spec = { 0 };
    const char *unmet;
    int opt, nfiles = 0, nenv = 0, lab = -1, needs = 0;

    spec.timeout = timeout_from_env(3600);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+", options, NULL)) != -1) {
        switch (opt) {
        case 'l': lab = ready_lab(reg, optarg, "world"); break;
        case 'f':
            if (nfiles == 15) {
                fprintf(stderr, "nslab-check world: at most 15 --file\n");
                return 2;
            }
            files[nfiles++] = optarg;
            break;
        case 't': spec.timeout = atof(optarg); break;
        case 'e':
            if (nenv == 15 || !strchr(optarg, '=')) {
                fprintf(stderr, "nslab-check world: --env NAME=VALUE, at most 15\n");
                return 2;
            }
            env[nenv++] = optarg;
            break;
        default:
            fprintf(stderr, "usage: nslab-check world [--lab LAB] [--file PATH]... [--env NAME=VALUE]... "
                    "[--timeout SECS] [--] COMMAND [ARG...]\n");
            return 2;
        }
    }
    if (optind >= argc || spec.timeout <= 0) {
        fprintf(stderr, "nslab-check world: %s\n", spec.timeout <= 0 ? "--timeout must be a positive number of seconds"
                                                                      : "say what to run in the world");
        return 2;
    }
    if (lab >= 0) {
        needs = registry_world(reg, lab);
        unmet = lab_needs_unmet(reg, lab);
        if (unmet) {
            fprintf(stderr, "nslab-check world: this machine cannot run %s: %s\n", reg->labs[lab].name, unmet);
            return 2;
        }
        if (needs & NEED_ROOT)
            spec.root = ROOT_ROOTFS;
    }
    files[nfiles] = NULL;
    env[nenv] = NULL;
    spec.files = files;
    spec.env = env;
    spec.argv = argv + optind;
    return run_by_hand(&spec, "nslab world", "the command", needs, 0);
}
