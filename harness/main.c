/* nslab-check: the harness, and the one program that reads the kit's list of
 * labs (grading/labs.tsv); every script asks it.
 *
 *   nslab-check --lab NN_name --program PATH [--records FILE] [--only CHECK]
 *               [--own-layer] [--timeout SECS] [--jobs N] [--registry FILE] [--details] [--list]
 *   nslab-check --lab NN_name --program PATH --try [--] [LAB ARGUMENTS...]     (byhand.c)
 *   nslab-check list | registry | info | needs | compile ...                 (ask.c)
 *   nslab-check world [--lab LAB] [--file PATH]... [--] COMMAND...            (byhand.c)
 *   nslab-check doctor [--porcelain|--world]                                  (doctor.c)
 *
 * The list of labs is grading/labs.tsv beside the build folder, or the file
 * NSLAB_REGISTRY or --registry names.
 *
 * Running checks: the time limit of each run is 3 s, or NSLAB_TIMEOUT seconds, or --timeout.
 * Each check runs the lab in fresh test worlds (world.h), several checks at
 * once (--jobs, or NSLAB_JOBS; default four per core, at most 16: a check
 * spends most of its time waiting), and appends one JSON line to FILE
 * (write_record() in harness/checks/verdict.c writes it). --only takes a check's name or a part
 * of it that names one check, or a comma-separated list of them; --own-layer
 * runs only the checks lab NN adds
 * (the kit's tests on a slow machine). --details adds to each record everything the
 * harness saw: each run's output, the probe's report, how the host changed. At the end it prints Check's summary line.
 * Exit 0 when every check has its record (whatever the verdicts: a machine
 * that lacks what the lab needs gives every check an ENV record, and 0), 1
 * with --only when that check did not pass, 2 when the harness itself could
 * not run or a lab changed the real machine (the run stops there). */
#define _GNU_SOURCE
#include "checks.h"
#include "commands.h"
#include "needs.h"
#include "registry.h"
#include "util.h"

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

/* The layers linked in, in lab order. */
static const struct layer *const *all_layers;
static size_t n_layers;

int ready_lab(const struct registry *reg, const char *arg, const char *what)
{
    int i = registry_find(reg, arg);

    if (i >= 0 && reg->labs[i].ready)
        return i;
    fprintf(stderr, "nslab-check %s: no lab \"%s\" that is ready; the labs are:", what, arg);
    for (i = 0; i < reg->n; i++)
        if (reg->labs[i].ready)
            fprintf(stderr, " %s", reg->labs[i].name);
    fputc('\n', stderr);
    exit(2);
}

/* How many layers lab i is graded on: its checks and every earlier lab's
 * must be linked in, in order; 0 if not. */
static size_t layers_for(const struct registry *reg, int i)
{
    int l;

    if (i < 0 || !reg->labs[i].ready || (size_t)i >= n_layers)
        return 0;
    for (l = 0; l <= i; l++)
        if (strcmp(all_layers[l]->lab, reg->labs[l].name) != 0)
            return 0;
    return (size_t)i + 1;
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

/* The index into jobs[] of the one check `name` names (its full name, or a
 * part of it that no other check's name contains), or exit 2 saying which
 * it could mean. */
static size_t one_check(const char *name, const struct job *all, size_t n)
{
    size_t i, found = n, matches = 0;

    for (i = 0; i < n; i++)
        if (strcmp(all[i].check->id, name) == 0)
            return i;
    for (i = 0; i < n; i++)
        if (strstr(all[i].check->id, name)) {
            found = i;
            matches++;
        }
    if (matches == 1)
        return found;
    fprintf(stderr, "nslab-check: %s names %s check; the checks%s are:\n", name, matches ? "more than one" : "no",
            matches ? " it could mean" : "");
    for (i = 0; i < n; i++)
        if (!matches || strstr(all[i].check->id, name))
            fprintf(stderr, "  %s\n", all[i].check->id);
    exit(2);
}

/* Choose the checks: all of them, or those --only names (a comma-separated
 * list; each item a check's name or a part of it that names one), in the
 * labs' order. */
static size_t select_checks(size_t nlayers, const char *only, int own_layer, struct job *jobs)
{
    static struct job all[MAX_CHECKS];
    static char wanted[MAX_CHECKS];
    char *copy, *save = NULL, *item;
    size_t l, i, n = 0, kept = 0;

    for (l = own_layer ? nlayers - 1 : 0; l < nlayers; l++)
        for (i = 0; all_layers[l]->checks[i].id && n < MAX_CHECKS; i++) {
            all[n].layer = all_layers[l];
            all[n].check = &all_layers[l]->checks[i];
            n++;
        }
    if (!only) {
        memcpy(jobs, all, n * sizeof *jobs);
        return n;
    }
    copy = strdup(only);
    for (item = copy ? strtok_r(copy, ",", &save) : NULL; item; item = strtok_r(NULL, ",", &save))
        wanted[one_check(item, all, n)] = 1;
    free(copy);
    for (i = 0; i < n; i++)
        if (wanted[i])
            jobs[kept++] = all[i];
    return kept;
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

/* --registry FILE, when given. */
static const char *registry_option;

const char *registry_path(void)
{
    const char *env = getenv("NSLAB_REGISTRY");

    if (registry_option)
        return registry_option;
    return env && *env ? env : helper_path("../grading/labs.tsv");
}

static const struct {
    const char *name;
    int (*run)(const struct registry *reg, int argc, char **argv);
} commands[] = {
    { "list", cmd_list }, { "registry", cmd_registry }, { "info", cmd_info }, { "needs", cmd_needs }, { "compile", cmd_compile },
    { "world", cmd_world }, { "doctor", cmd_doctor },
};

static int run_checks(const struct registry *reg, int argc, char **argv);

int main(int argc, char **argv)
{
    static struct registry reg;
    char err[512];
    size_t k;

    all_layers = layers_in_order(&n_layers);
    for (k = 0; argc > 1 && k < sizeof commands / sizeof commands[0]; k++)
        if (strcmp(argv[1], commands[k].name) == 0) {
            if (registry_load(registry_path(), &reg, err, sizeof err) == -1) {
                fprintf(stderr, "nslab-check: %s\n", err);
                return 2;
            }
            kit_registry = &reg;
            return commands[k].run(&reg, argc - 1, argv + 1);
        }
    return run_checks(&reg, argc, argv);
}

static int run_checks(const struct registry *regp, int argc, char **argv)
{
    static const struct option options[] = {
        { "lab", required_argument, NULL, 'l' }, { "program", required_argument, NULL, 'p' },
        { "records", required_argument, NULL, 'r' }, { "only", required_argument, NULL, 'o' },
        { "timeout", required_argument, NULL, 't' }, { "jobs", required_argument, NULL, 'j' },
        { "list", no_argument, NULL, 'L' }, { "registry", required_argument, NULL, 'R' },
        { "details", no_argument, NULL, 'D' }, { "try", no_argument, NULL, 'T' },
        { "own-layer", no_argument, NULL, 'O' }, { NULL, 0, NULL, 0 },
    };
    struct registry *reg = (struct registry *)regp;
    char err[512];
    const char *unmet;
    const char *lab = NULL, *program = NULL, *only = NULL;
    static char program_abs[PATH_MAX];
    static struct job jobs[MAX_CHECKS];
    size_t nlayers, njobs, l, i, next = 0;
    int opt, list = 0, running = 0, failed = 0, errors = 0, parallel = default_jobs(), stopped = 0, by_hand = 0,
        own_layer = 0;

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
        case 'R': registry_option = optarg; break;
        case 'D': want_details = 1; break;
        case 'T': by_hand = 1; break;
        case 'O': own_layer = 1; break;
        default: usage_exit("bad arguments");
        }
    }
    if (!lab)
        usage_exit("--lab is required (or a command: list, registry, info, needs, compile, world, doctor)");
    if (registry_load(registry_path(), reg, err, sizeof err) == -1)
        usage_exit(err);
    kit_registry = reg;
    graded_index = registry_find(reg, lab);
    nlayers = layers_for(reg, graded_index);
    if (!nlayers)
        usage_exit("no checks for that lab (nslab-check list names the labs that are ready)");
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
        unmet = lab_needs_unmet(reg, graded_index);
        if (unmet) {
            fprintf(stderr, "nslab try: this machine cannot run %s: %s\n", graded_lab, unmet);
            return 2;
        }
        return cmd_try(reg, graded_index, lab_program, argv + optind, argc - optind);
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
    unmet = lab_needs_unmet(reg, graded_index);
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
