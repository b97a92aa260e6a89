/* nslab-grade: compile each lab of a submission, run the harness's checks on
 * it, and turn the verdicts into points, a report, results.json and junit.xml.
 *
 *   nslab-grade [--labs "01 03"] [--submission DIR] [--out DIR] [--harness PATH]
 *               [--rubric PATH] [--color auto|always|never] [--cc CC]
 *
 * Exit 0 on full marks, 1 when points were lost, 2 when the grader could not
 * run (bad arguments, no rubric, the harness failed, or a check could not run
 * on this machine: ENV). Only the harness's records are read, never a lab's
 * output, so nothing a lab prints can change its score. */
#define _GNU_SOURCE
#include "grade.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LOG_CAP (64 * 1024)   /* bytes of compiler or harness messages kept */

struct options {
    int labs[NLABS], nlabs;
    const char *submission, *out, *harness, *rubric, *registry, *cc;
    const char *only;       /* --only: one check (make labNN CHECK=...) */
    int details;            /* --details: everything the harness saw, for every check */
    int colour;
};

static void usage_exit(const char *msg, const char *arg)
{
    fprintf(stderr, "nslab-grade: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    exit(2);
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run argv with stdout and stderr into a capped, malloc'd text; return the
 * exit status (128+N for a signal, -1 if it could not start). */
static int run_capture(char *const argv[], char **text)
{
    int p[2], status;
    size_t len = 0;
    pid_t pid;
    char buf[4096];
    ssize_t n;

    *text = calloc(1, LOG_CAP + 1);
    if (!*text || pipe2(p, O_CLOEXEC) == -1)
        return -1;
    pid = fork();
    if (pid == -1)
        return -1;
    if (pid == 0) {
        dup2(p[1], 1);
        dup2(p[1], 2);
        execvp(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(p[1]);
    while ((n = read(p[0], buf, sizeof buf)) > 0 || (n == -1 && errno == EINTR))
        if (n > 0 && len < LOG_CAP) {
            size_t keep = (size_t)n < LOG_CAP - len ? (size_t)n : LOG_CAP - len;
            memcpy(*text + len, buf, keep);
            len += keep;
        }
    close(p[0]);
    while (waitpid(pid, &status, 0) == -1)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The compile line of CONTRACT.md section 1, as an argument vector: the
 * flags and the lab's libraries come from grading/labs.tsv. */
static int compile(const struct options *o, int lab, const char *src, const char *bin, char **log)
{
    char *argv[128], *flags = NULL, *save = NULL, *word, cflags[256], libs[256], cmd[512];
    int argc = 0, status;
    FILE *p;
    size_t cap = 0, i;

    argv[argc++] = (char *)o->cc;
    snprintf(cflags, sizeof cflags, "%s", lab_registry.cflags);
    for (word = strtok_r(cflags, " \t", &save); word && argc < 32; word = strtok_r(NULL, " \t", &save))
        argv[argc++] = word;
    argv[argc++] = "-o";
    argv[argc++] = (char *)bin;
    argv[argc++] = (char *)src;
    snprintf(libs, sizeof libs, "%s", lab_registry.labs[lab].libraries);
    for (i = 0; libs[i]; i++)
        if (libs[i] == ',')
            libs[i] = ' ';
    snprintf(cmd, sizeof cmd, "pkg-config --cflags --libs %s 2>/dev/null", libs);
    p = libs[0] ? popen(cmd, "re") : NULL;
    if (p) {
        if (getline(&flags, &cap, p) < 0) {
            free(flags);
            flags = NULL;
        }
        pclose(p);
    }
    save = NULL;
    for (word = flags ? strtok_r(flags, " \t\n", &save) : NULL; word && argc < 126;
         word = strtok_r(NULL, " \t\n", &save))
        argv[argc++] = word;
    argv[argc] = NULL;
    status = run_capture(argv, log);
    free(flags);
    return status;
}

static void mkdirs(const char *dir)
{
    char path[4096], *p;

    snprintf(path, sizeof path, "%s", dir);
    for (p = path + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
    if (mkdir(path, 0755) == -1 && errno != EEXIST)
        usage_exit("cannot make the output folder", dir);
}

/* Grade one lab: compile, run the harness, read its records. Returns 0, or
 * -1 when the harness itself failed (the grader "could not run"). */
static int grade_lab(const struct options *o, const struct rubric *r, int lab, struct lab_result *l)
{
    const char *name = lab_names(lab);
    char src[4096], bin[4096], records[4096], err[4608];
    struct stat st;
    char *log = NULL;
    double start = now();
    int status, rc = 0;

    memset(l, 0, sizeof *l);
    l->lab = lab;
    snprintf(src, sizeof src, "%s/%s.c", o->submission, name);
    snprintf(bin, sizeof bin, "%s/bin/%s", o->out, name);
    snprintf(records, sizeof records, "%s/records/%s.jsonl", o->out, name);
    l->source = strdup(src);
    fprintf(stderr, "nslab-grade: %s: building %s\n", name, src);
    if (stat(src, &st) == -1 || !S_ISREG(st.st_mode)) {
        l->state = LAB_MISSING;
        snprintf(err, sizeof err, "%s: no such file", src);
        lab_init(l, r, "BUILD", err);
    } else if (unlink(bin), (status = compile(o, lab, src, bin, &log)) != 0) {
        l->state = LAB_NO_BUILD;
        l->build_log = log;
        lab_init(l, r, "BUILD", "the lab does not compile (see the compiler's messages)");
    } else {
        char *argv[16] = { (char *)o->harness, "--lab", (char *)name, "--program", bin, "--records", records,
                           "--registry", (char *)o->registry, NULL };
        int argc = 9;
        if (o->only) {
            argv[argc++] = "--only";
            argv[argc++] = (char *)o->only;
        }
        if (o->details)
            argv[argc++] = "--details";
        argv[argc] = NULL;
        free(log);
        unlink(records);
        fprintf(stderr, "nslab-grade: %s: running the checks\n", name);
        status = run_capture(argv, &log);
        if (status != 0 && !(o->only && status == 1)) {   /* 1 with --only: that check did not pass */
            /* The harness could not run here: the machine's fault, not the lab's. */
            l->state = LAB_HARNESS_FAILED;
            l->build_log = log;
            lab_init(l, r, "ENV", log);
            rc = -1;
        } else {
            free(log);
            lab_init(l, r, "CRASH", "the harness gave no result for this check");
            if (lab_read_records(l, records, err, sizeof err) < 0) {
                fprintf(stderr, "nslab-grade: %s\n", err);
                rc = -1;
            }
            if (o->only)
                lab_keep_recorded(l);
            l->show_details = o->details;
        }
    }
    lab_score(l);
    l->seconds = now() - start;
    return rc;
}

static void parse_labs(struct options *o, const struct rubric *r, const char *arg)
{
    char *copy = strdup(arg), *save = NULL, *word;

    o->nlabs = 0;
    for (word = strtok_r(copy, " ,\t", &save); word; word = strtok_r(NULL, " ,\t", &save)) {
        int i = registry_find(&lab_registry, word);
        if (i < 0 || !lab_registry.labs[i].ready || !rubric_has_layer(r, i)) {
            fprintf(stderr, "nslab-grade: no lab \"%s\" with checks; the labs are:", word);
            for (i = 0; i < NLABS; i++)
                if (lab_registry.labs[i].ready && rubric_has_layer(r, i))
                    fprintf(stderr, " %.2s", lab_names(i));
            fputc('\n', stderr);
            exit(2);
        }
        if (o->nlabs < NLABS)
            o->labs[o->nlabs++] = i;
    }
    free(copy);
    if (o->nlabs == 0)
        usage_exit("--labs names no lab", arg);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        { "labs", required_argument, NULL, 'l' }, { "submission", required_argument, NULL, 's' },
        { "out", required_argument, NULL, 'o' }, { "harness", required_argument, NULL, 'H' },
        { "rubric", required_argument, NULL, 'r' }, { "color", required_argument, NULL, 'c' },
        { "cc", required_argument, NULL, 'C' }, { "registry", required_argument, NULL, 'R' },
        { "only", required_argument, NULL, 'O' }, { "details", no_argument, NULL, 'D' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct options o = { .submission = "labs", .out = "build/grade", .harness = "build/nslab-check",
                         .rubric = "grading/rubric.tsv", .registry = "grading/labs.tsv", .cc = "cc",
                         .colour = -1 };
    const char *labs_arg = NULL, *colour = "auto";
    struct lab_result results[NLABS];
    struct rubric r;
    char err[4608], path[4096];
    int stopped = 0;
    double start = now();
    int opt, i, failed = 0, score = 0, max = 0, env = 0;
    struct stat st;

    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'l': labs_arg = optarg; break;
        case 's': o.submission = optarg; break;
        case 'o': o.out = optarg; break;
        case 'H': o.harness = optarg; break;
        case 'r': o.rubric = optarg; break;
        case 'c': colour = optarg; break;
        case 'C': o.cc = optarg; break;
        case 'R': o.registry = optarg; break;
        case 'O': o.only = optarg; break;
        case 'D': o.details = 1; break;
        case 'h':
            printf("usage: nslab-grade [--labs \"01 03\"] [--submission DIR] [--out DIR] [--harness PATH]\n"
                   "                   [--rubric PATH] [--registry PATH] [--color auto|always|never] [--cc CC]\n"
                   "                   [--only CHECK] [--details]\n");
            return 0;
        default: usage_exit("bad arguments (try --help)", NULL);
        }
    }
    if (optind < argc)
        usage_exit("unexpected argument", argv[optind]);
    if (strcmp(colour, "always") == 0)
        o.colour = 1;
    else if (strcmp(colour, "never") == 0)
        o.colour = 0;
    else if (strcmp(colour, "auto") == 0)
        o.colour = isatty(1) && !getenv("NO_COLOR") && !(getenv("TERM") && strcmp(getenv("TERM"), "dumb") == 0);
    else
        usage_exit("--color must be auto, always or never", colour);
    if (registry_load(o.registry, &lab_registry, err, sizeof err) < 0)
        usage_exit("cannot read the list of labs", err);
    if (rubric_load(o.rubric, &r, err, sizeof err) < 0)
        usage_exit("cannot read the rubric", err);
    if (labs_arg) {
        parse_labs(&o, &r, labs_arg);
    } else {
        for (i = 0; i < NLABS; i++)
            if (lab_registry.labs[i].ready && rubric_has_layer(&r, i))
                o.labs[o.nlabs++] = i;
    }
    if (stat(o.submission, &st) == -1 || !S_ISDIR(st.st_mode))
        fprintf(stderr, "nslab-grade: %s: no such folder; every lab scores zero\n", o.submission);
    if (access(o.harness, X_OK) == -1)
        usage_exit("cannot run the harness (make tools builds it)", o.harness);
    mkdirs(o.out);
    snprintf(path, sizeof path, "%s/bin", o.out);
    mkdirs(path);
    snprintf(path, sizeof path, "%s/records", o.out);
    mkdirs(path);

    for (i = 0; i < o.nlabs; i++) {
        char marker[4200];
        if (stopped) {
            /* A lab changed the real machine: grade nothing more on it. */
            memset(&results[i], 0, sizeof results[i]);
            results[i].lab = o.labs[i];
            snprintf(path, sizeof path, "%s/%s.c", o.submission, lab_names(o.labs[i]));
            results[i].source = strdup(path);
            results[i].state = LAB_HARNESS_FAILED;
            results[i].build_log = strdup("not run: an earlier lab changed this machine (see its report above), "
                                          "so grading stopped");
            lab_init(&results[i], &r, "ENV", results[i].build_log);
            lab_score(&results[i]);
            report_lab(stdout, &results[i], o.colour);
            env += lab_count(&results[i], "ENV");
            max += results[i].max;
            continue;
        }
        failed |= grade_lab(&o, &r, o.labs[i], &results[i]) < 0;
        snprintf(marker, sizeof marker, "%s/records/%s.jsonl.machine-changed", o.out, lab_names(o.labs[i]));
        stopped = access(marker, F_OK) == 0;
        report_lab(stdout, &results[i], o.colour);
        fflush(stdout);
        score += results[i].score;
        max += results[i].max;
        env += lab_count(&results[i], "ENV");
    }
    report_total(stdout, results, (size_t)o.nlabs, o.colour);
    snprintf(path, sizeof path, "%s/results.json", o.out);
    failed |= write_results_json(path, results, (size_t)o.nlabs, now() - start) < 0;
    snprintf(path, sizeof path, "%s/junit.xml", o.out);
    failed |= write_junit(path, results, (size_t)o.nlabs) < 0;
    printf("Results: %s/results.json, %s/junit.xml\n", o.out, o.out);
    for (i = 0; i < o.nlabs; i++)
        lab_free(&results[i]);
    rubric_free(&r);
    if (failed || env)
        return 2;
    return score == max ? 0 : 1;
}
