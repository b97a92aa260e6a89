/* nslab-check: run the checks of labs 01..NN against one compiled lab.
 *
 *   nslab-check --lab NN_name --program PATH [--records FILE] [--only CHECK]
 *               [--own-layer] [--timeout SECS] [--jobs N] [--registry FILE] [--details] [--list]
 *   nslab-check --lab NN_name --program PATH --try [--] [LAB ARGUMENTS...]
 *
 * --try (make tryNN) runs the lab once, by hand, with this terminal, in a
 * throwaway test world, and exits with the lab's status.
 *
 * The time limit of each run is 3 s, or NSLAB_TIMEOUT seconds, or --timeout.
 * Each check runs the lab in fresh test worlds (world.h), several checks at
 * once (--jobs, or NSLAB_JOBS; default four per core, at most 16: a check
 * spends most of its time waiting), and appends one JSON line to FILE
 * (grading/README.md has the format). --only takes a check's name or a part
 * of it that names one check; --own-layer runs only the checks lab NN adds
 * (the kit's tests on a slow machine). --details adds to each record everything the
 * harness saw: each run's output, the probe's report, how the host changed. At the end it prints Check's summary line.
 * Exit 0 when every check has its record (whatever the verdicts: a machine
 * that lacks what the lab needs gives every check an ENV record, and 0), 1
 * with --only when that check did not pass, 2 when the harness itself could
 * not run or a lab changed the real machine (the run stops there). */
#define _GNU_SOURCE
#include "needs.h"
#include "registry.h"
#include "util.h"
#include "verdict.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CHECKS 256

static void usage_exit(const char *msg)
{
    fprintf(stderr, "nslab-check: %s\n"
            "usage: nslab-check --lab NN_name --program PATH [--records FILE] [--only CHECK] [--own-layer] "
            "[--timeout SECS] [--jobs N] [--registry FILE] [--details] [--list]\n"
            "       nslab-check --lab NN_name --program PATH --try [--] [LAB ARGUMENTS...]\n", msg);
    exit(2);
}

/* How many layers lab `name` ("02_ipc", "02" or "2") is graded on: a lab
 * the registry calls ready, whose checks are built in; 0 if none. */
static size_t layers_for(const struct registry *reg, const char *name)
{
    int i = registry_find(reg, name);

    if (i < 0 || !reg->labs[i].ready || (size_t)i >= n_layers || strcmp(all_layers[i]->lab, reg->labs[i].name))
        return 0;
    return (size_t)i + 1;
}

/* make tryNN: run the lab by hand, with our terminal, in a throwaway test
 * world; say how it ended and what it left in the world's host. Returns the
 * lab's exit status (128 + N for a signal), 2 when no world could be made. */
static int try_by_hand(char **args, int nargs)
{
    static char *argv[256];
    struct world_spec spec = { 0 };
    struct world_result *r;
    char *changes;
    int i, n;

    argv[0] = (char *)lab_in_world();
    n = 1;
    /* Lab 10 on: a fresh, writable copy of make rootfs's tree at
     * WORLD_ROOT_DIR, and --root naming it unless the arguments name one
     * (or --join a running container). */
    if (atoi(graded_lab) >= 10) {
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
    spec.lab_file = lab_program;
    spec.interactive = 1;
    spec.host_command = getenv("NSLAB_HOST") && *getenv("NSLAB_HOST") ? getenv("NSLAB_HOST") : NULL;
    spec.timeout = getenv("NSLAB_TRY_TIMEOUT") ? atof(getenv("NSLAB_TRY_TIMEOUT")) : 3600;
    /* Ctrl-C and Ctrl-\ at the terminal are for the lab. */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    r = world_run(&spec);
    if (!r || !r->ready) {
        fprintf(stderr, "nslab try: no test world could be made here: %s (make doctor says why)\n",
                r ? r->env_error : "no memory");
        return 2;
    }
    if (r->forbidden[0])
        fprintf(stderr, "nslab try: the test world refused these calls (EPERM), which change a whole machine:\n%s",
                r->forbidden);
    changes = diff_lines(r->before, r->after);
    if (changes)
        fprintf(stderr, "nslab try: the lab left the test world's host changed (- before, + after); on your "
                "machine this would stay:\n%s", changes);
    free(changes);
    if (r->timed_out) {
        fprintf(stderr, "nslab try: still running after %.0f s: every process was killed\n", spec.timeout);
        return 124;
    }
    if (WIFSIGNALED(r->lab_status)) {
        fprintf(stderr, "nslab try: the lab died of signal %d (%s)\n", WTERMSIG(r->lab_status),
                strsignal(WTERMSIG(r->lab_status)));
        return 128 + WTERMSIG(r->lab_status);
    }
    if (WEXITSTATUS(r->lab_status))
        fprintf(stderr, "nslab try: the lab exited with status %d\n", WEXITSTATUS(r->lab_status));
    if (WEXITSTATUS(r->lab_status) == 125 && atoi(graded_lab) >= 6 && r->users < 65536)
        fprintf(stderr, "nslab try: this test world has %u IDs besides root (without root it has your subordinate "
                "IDs only), so a map such as 0:100000:65536 cannot be written in it: give your user a range (sudo "
                "usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $USER) or use sudo\n", r->users);
    return WEXITSTATUS(r->lab_status);
}

/* One check of the run. */
struct job {
    const struct layer *layer;
    const struct check_info *check;
    pid_t pid;
};

/* In a child of ours: run one check under Check (which forks it once more,
 * and gives it a time limit), print Check's message if it did not pass. */
static void run_one(const struct job *j)
{
    Suite *s = suite_create(j->layer->lab);
    TCase *tc = tcase_create(j->check->id);
    SRunner *sr;
    TestResult **failures;
    int i, failed;

    /* The world kills the lab at lab_timeout, and H kills a world that has not
     * ended 10 s later; Check's limit is the last backstop, long enough that
     * H always gets to remove the world's cgroup. */
    tcase_set_timeout(tc, lab_timeout * 4 + 60);
    tcase_add_test(tc, *j->check->test);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_SILENT);
    failed = srunner_ntests_failed(sr);
    failures = srunner_failures(sr);
    for (i = 0; i < failed; i++)
        printf("%s:%s: %s\n", j->layer->lab, j->check->id, tr_msg(failures[i]));
    fflush(stdout);
    free(failures);
    srunner_free(sr);
    _exit(failed ? 1 : 0);
}

/* Choose the checks: all of them, or the one --only names (its full name, or
 * a part of it that no other check's name contains). */
static size_t select_checks(size_t nlayers, const char *only, int own_layer, struct job *jobs)
{
    size_t l, i, n = 0, exact = 0;

    for (l = own_layer ? nlayers - 1 : 0; l < nlayers; l++)
        for (i = 0; all_layers[l]->checks[i].id && n < MAX_CHECKS; i++) {
            const char *id = all_layers[l]->checks[i].id;
            if (only && !strstr(id, only))
                continue;
            if (only && strcmp(id, only) == 0)
                exact = n + 1;
            jobs[n].layer = all_layers[l];
            jobs[n].check = &all_layers[l]->checks[i];
            n++;
        }
    if (only && exact) {
        jobs[0] = jobs[exact - 1];
        return 1;
    }
    if (only && n != 1) {
        fprintf(stderr, "nslab-check: %s names %s check; the checks%s are:\n", only, n ? "more than one" : "no",
                n ? " it could mean" : "");
        for (i = 0; i < (n ? n : 0); i++)
            fprintf(stderr, "  %s\n", jobs[i].check->id);
        if (!n)
            for (l = 0; l < nlayers; l++)
                for (i = 0; all_layers[l]->checks[i].id; i++)
                    fprintf(stderr, "  %s\n", all_layers[l]->checks[i].id);
        exit(2);
    }
    return n;
}

/* A lab that changed the real machine stops the run (verdict.c). */
static int machine_changed(void)
{
    char marker[PATH_MAX];

    const char *stop = getenv("NSLAB_STOP_FILE");

    /* Another lab graded beside this one changed it (nslab-grade). */
    if (stop && *stop && access(stop, F_OK) == 0)
        return 1;
    if (!records_path)
        return 0;
    snprintf(marker, sizeof marker, "%s.machine-changed", records_path);
    return access(marker, F_OK) == 0;
}

static int default_jobs(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    const char *env = getenv("NSLAB_JOBS");

    if (env && atoi(env) > 0)
        return atoi(env);
    return cores < 1 ? 4 : cores * 4 > 16 ? 16 : (int)cores * 4;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        { "lab", required_argument, NULL, 'l' }, { "program", required_argument, NULL, 'p' },
        { "records", required_argument, NULL, 'r' }, { "only", required_argument, NULL, 'o' },
        { "timeout", required_argument, NULL, 't' }, { "jobs", required_argument, NULL, 'j' },
        { "list", no_argument, NULL, 'L' }, { "registry", required_argument, NULL, 'R' },
        { "details", no_argument, NULL, 'D' }, { "try", no_argument, NULL, 'T' },
        { "own-layer", no_argument, NULL, 'O' }, { NULL, 0, NULL, 0 },
    };
    static struct registry reg;
    char registry_path[PATH_MAX], err[512];
    const char *unmet;
    const char *lab = NULL, *program = NULL, *only = NULL;
    static char program_abs[PATH_MAX];
    static struct job jobs[MAX_CHECKS];
    size_t nlayers, njobs, l, i, next = 0;
    int opt, list = 0, running = 0, failed = 0, errors = 0, parallel = default_jobs(), stopped = 0, by_hand = 0,
        own_layer = 0;

    /* The kit's list of labs, by default beside the harness's build folder. */
    snprintf(registry_path, sizeof registry_path, "%s", helper_path("../grading/labs.tsv"));
    if (getenv("NSLAB_TIMEOUT"))   /* the kit's own tests shorten it */
        lab_timeout = atof(getenv("NSLAB_TIMEOUT"));
    while ((opt = getopt_long(argc, argv, "+", options, NULL)) != -1) {
        switch (opt) {
        case 'l': lab = optarg; break;
        case 'p': program = optarg; break;
        case 'r': records_path = optarg; break;
        case 'o': only = optarg; break;
        case 't': lab_timeout = atof(optarg); break;
        case 'j': parallel = atoi(optarg); break;
        case 'L': list = 1; break;
        case 'R': snprintf(registry_path, sizeof registry_path, "%s", optarg); break;
        case 'D': want_details = 1; break;
        case 'T': by_hand = 1; break;
        case 'O': own_layer = 1; break;
        default: usage_exit("bad arguments");
        }
    }
    if (!lab)
        usage_exit("--lab is required");
    if (registry_load(registry_path, &reg, err, sizeof err) == -1)
        usage_exit(err);
    nlayers = layers_for(&reg, lab);
    if (!nlayers)
        usage_exit("no checks for that lab (make doctor lists the labs that are ready)");
    graded_lab = all_layers[nlayers - 1]->lab;
    if (list) {
        for (l = 0; l < nlayers; l++)
            for (i = 0; all_layers[l]->checks[i].id; i++)
                printf("%s\t%s\t%s\n", all_layers[l]->lab, all_layers[l]->checks[i].id,
                       all_layers[l]->checks[i].title);
        return 0;
    }
    if (!program)
        usage_exit("--program is required");
    if (!realpath(program, program_abs) || access(program_abs, X_OK) != 0)
        usage_exit("--program is not an executable file");
    lab_program = program_abs;
    if (lab_timeout <= 0)
        usage_exit("--timeout must be a positive number of seconds");
    if (parallel < 1)
        usage_exit("--jobs must be 1 or more");
    if (by_hand) {
        unmet = lab_needs_unmet(&reg, (int)nlayers - 1);
        if (unmet) {
            fprintf(stderr, "nslab try: this machine cannot run %s: %s\n", graded_lab, unmet);
            return 2;
        }
        return try_by_hand(argv + optind, argc - optind);
    }
    if (optind < argc)
        usage_exit("unexpected argument (the lab's own arguments go with --try)");
    njobs = select_checks(nlayers, only, own_layer, jobs);
    if (records_path) {
        char marker[PATH_MAX];
        snprintf(marker, sizeof marker, "%s.machine-changed", records_path);
        unlink(marker);
    }
    /* What the lab needs of the machine is known before any world is made. */
    unmet = lab_needs_unmet(&reg, (int)nlayers - 1);
    if (unmet) {
        fprintf(stderr, "nslab-check: this machine cannot run these checks: %s\n", unmet);
        for (i = 0; i < njobs; i++)
            record_not_run(jobs[i].layer, jobs[i].check, "a machine that can run these checks (make doctor)", unmet);
        printf("0%%: Checks: %zu, Failures: 0, Errors: %zu\n", njobs, njobs);
        return only ? 1 : 0;
    }

    /* Up to `parallel` checks at once, each in a process of its own. */
    fflush(NULL);
    while (next < njobs || running > 0) {
        int status;
        pid_t done;
        if (next < njobs && running < parallel && !(stopped = stopped || machine_changed())) {
            jobs[next].pid = fork();
            if (jobs[next].pid == 0)
                run_one(&jobs[next]);
            if (jobs[next].pid == -1) {
                perror("nslab-check: fork");
                errors++;
            } else {
                running++;
            }
            next++;
            continue;
        }
        if (next < njobs && stopped) {
            for (; next < njobs; next++)   /* launch nothing more */
                record_not_run(jobs[next].layer, jobs[next].check, "the real machine as it was",
                               "not run: grading stopped because a lab changed this machine (see the "
                               "check that says THIS MACHINE WAS CHANGED)");
            continue;
        }
        done = wait(&status);
        if (done == -1) {
            if (errno == EINTR)
                continue;
            break;
        }
        running--;
        if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
            errors++;
        else if (WEXITSTATUS(status) == 1)
            failed++;
    }
    stopped = stopped || machine_changed();
    world_remove_orphans();   /* a check killed before it could clean up */
    printf("%d%%: Checks: %zu, Failures: %d, Errors: %d\n",
           njobs ? (int)(100 * (njobs - (size_t)failed - (size_t)errors) / njobs) : 100, njobs, failed, errors);
    if (stopped) {
        fprintf(stderr, "nslab-check: a lab changed this machine: grading stopped (see the ENV verdict)\n");
        return 2;
    }
    return only && (failed || errors) ? 1 : 0;
}
