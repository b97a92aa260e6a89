/* nslab-check: run the checks of labs 01..NN against one compiled lab.
 *
 *   nslab-check --lab NN_name --program PATH [--records FILE] [--only CHECK]
 *               [--timeout SECS] [--list]
 *
 * The time limit of each run is 3 s, or NSLAB_TIMEOUT seconds, or --timeout.
 * Each check runs the lab in a fresh test world (world.h) and appends one
 * JSON line to FILE (grading/README.md has the format); Check prints its own
 * summary. Exit 0 when every check ran (whatever the verdicts), 1 with
 * --only when that check did not pass, 2 when the checks could not run. */
#define _GNU_SOURCE
#include "verdict.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct layer *const all_layers[] = { &layer01, &layer02, &layer03, &layer04 };
#define NLAYERS (sizeof all_layers / sizeof all_layers[0])

static void usage_exit(const char *msg)
{
    fprintf(stderr, "nslab-check: %s\n"
            "usage: nslab-check --lab NN_name --program PATH [--records FILE] [--only CHECK] "
            "[--timeout SECS] [--list]\n", msg);
    exit(2);
}

/* The layers up to lab `name` ("02_ipc" or "02"), or 0 if unknown. */
static size_t layers_for(const char *name)
{
    size_t i;

    for (i = 0; i < NLAYERS; i++)
        if (strcmp(all_layers[i]->lab, name) == 0 || strncmp(all_layers[i]->lab, name, 2) == 0)
            return i + 1;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        { "lab", required_argument, NULL, 'l' }, { "program", required_argument, NULL, 'p' },
        { "records", required_argument, NULL, 'r' }, { "only", required_argument, NULL, 'o' },
        { "timeout", required_argument, NULL, 't' }, { "list", no_argument, NULL, 'L' },
        { NULL, 0, NULL, 0 },
    };
    const char *lab = NULL, *program = NULL, *only = NULL;
    static char program_abs[PATH_MAX];
    size_t nlayers, l, i;
    int opt, list = 0, failed;
    SRunner *sr = NULL;

    if (getenv("NSLAB_TIMEOUT"))   /* the kit's own tests shorten it */
        lab_timeout = atof(getenv("NSLAB_TIMEOUT"));
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'l': lab = optarg; break;
        case 'p': program = optarg; break;
        case 'r': records_path = optarg; break;
        case 'o': only = optarg; break;
        case 't': lab_timeout = atof(optarg); break;
        case 'L': list = 1; break;
        default: usage_exit("bad arguments");
        }
    }
    if (!lab)
        usage_exit("--lab is required");
    nlayers = layers_for(lab);
    if (!nlayers)
        usage_exit("no checks for that lab (labs with checks: 01_clone_uts to 04_mount_proc)");
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
    if (geteuid() != 0)
        fprintf(stderr, "nslab-check: not root: every check will end in ENV (grading needs sudo)\n");

    for (l = 0; l < nlayers; l++) {
        Suite *s = suite_create(all_layers[l]->lab);
        for (i = 0; all_layers[l]->checks[i].id; i++) {
            TCase *tc = tcase_create(all_layers[l]->checks[i].id);
            /* The world kills the lab at lab_timeout; Check's limit is a backstop. */
            tcase_set_timeout(tc, lab_timeout * 3 + 15);
            tcase_add_test(tc, *all_layers[l]->checks[i].test);
            suite_add_tcase(s, tc);
        }
        if (sr)
            srunner_add_suite(sr, s);
        else
            sr = srunner_create(s);
    }
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run(sr, NULL, only, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return only && failed ? 1 : 0;
}
