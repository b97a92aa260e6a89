/* nslab-grade: compile each lab of a submission, run the harness's checks on
 * it, and turn the verdicts into points, a report, results.json and junit.xml.
 *
 *   nslab-grade [--labs "01 03"] [--submission DIR] [--find] [--which] [--out DIR]
 *               [--harness PATH] [--rubric PATH] [--color auto|always|never] [--cc CC]
 *
 * Without --find, lab NN is SUBMISSION/NN_name.c. With --find, it is looked
 * for anywhere in SUBMISSION as a course receives it (find.h has the
 * rules: labs/ first, then the shallowest; hidden folders and labs/.base
 * never; zips unpacked), and without --labs every lab found is graded.
 * --which only says which file each lab would be graded from (or why none).
 *
 * Exit 0 on full marks, 1 when points were lost, 2 when the grader could not
 * run (bad arguments, no rubric, the harness failed, or a check could not run
 * on this machine: ENV). Only the harness's records are read, never a lab's
 * output, so nothing a lab prints can change its score. */
#define _GNU_SOURCE
#include "find.h"
#include "grade.h"
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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
    int labs[REGISTRY_MAX], nlabs;
    const char *submission, *out, *harness, *rubric, *registry, *cc;
    const char *hints, *hints_opened;   /* the hints shipped; where make hintNN notes the opened ones */
    const char *only;       /* --only: one check (make labNN CHECK=...) */
    int details;            /* --details: everything the harness saw, for every check */
    int find, which;        /* --find: look for the labs in the submission; --which: say where, and stop */
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

/* Compile a lab as grading/labs.tsv says: the harness does it
 * (nslab-check compile), with the kit's list of labs, so that the line is
 * written in one place. */
static int compile(const struct options *o, int lab, const char *src, const char *bin, char **log)
{
    char *argv[] = { (char *)o->harness, "compile", (char *)lab_names(lab), (char *)src, (char *)bin, NULL };

    setenv("NSLAB_REGISTRY", o->registry, 1);
    setenv("CC", o->cc, 1);
    return run_capture(argv, log);
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

/* Labs are graded side by side: every lab's build at once (as many as
 * there are CPUs), then the harness of up to NSLAB_GRADE_PARALLEL labs at
 * once (default 2): a lab's checks spend most of their time waiting (a
 * busy loop under a CPU quota, a timeout, a second container), so two labs
 * together take little longer than one. Each job is a child of ours that
 * leaves its messages in a file; the results are read, and reported, in
 * the labs' order. */
struct lab_job {
    int lab;
    char src[4096], bin[4096], records[4096], log[4200];
    char *shown;            /* --find: the file's path inside the submission */
    char *problem;          /* --find: why no file is graded (built -3) */
    pid_t pid;
    int status;             /* the job's exit status (128+N for a signal) */
    int built;              /* 1 compiled, -1 did not compile, -2 could not be compiled here (no test
                             * world for the compiler: the machine's, ENV), -3 no source; 0 not yet */
    int ran;                /* its harness ran to the end */
    double start, seconds;
};

/* In a child: the job's work, its messages into j->log, its status out. */
static void job_child(const struct options *o, const struct lab_job *j, int build)
{
    char *text = NULL;
    int status, fd;

    if (build) {
        unlink(j->bin);
        status = compile(o, j->lab, j->src, j->bin, &text);
    } else {
        char *argv[16] = { (char *)o->harness, "--lab", (char *)lab_names(j->lab), "--program", (char *)j->bin, "--records",
                           (char *)j->records, "--registry", (char *)o->registry, NULL };
        int argc = 9;
        if (o->only) {
            argv[argc++] = "--only";
            argv[argc++] = (char *)o->only;
        }
        if (o->details)
            argv[argc++] = "--details";
        argv[argc] = NULL;
        unlink(j->records);
        status = run_capture(argv, &text);
    }
    fd = open(j->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd != -1 && text && write(fd, text, strlen(text)) < 0)
        status = status ? status : 125;
    if (fd != -1)
        close(fd);
    _exit(status < 0 ? 255 : status > 255 ? 255 : status);
}

/* Build every lab (at most `builds` compilers at once) and run the harness
 * of each lab that built (at most `runs` at once), in the labs' order, a
 * harness starting as soon as its lab is built: the checks of the first
 * labs run while the last ones compile. */
static void run_jobs(const struct options *o, struct lab_job *jobs, int n, int builds, int runs)
{
    int next_build = 0, next_run = 0, building = 0, running = 0, i;

    for (;;) {
        int status;
        pid_t pid;
        while (building < builds && next_build < n) {
            struct lab_job *j = &jobs[next_build++];
            if (j->built != 0)
                continue;   /* no source */
            j->start = now();
            j->pid = fork();
            if (j->pid == 0)
                job_child(o, j, 1);
            if (j->pid == -1)
                j->built = -1;
            else
                building++;
        }
        /* The next lab in order, once it has built (or failed to). */
        while (running < runs && next_run < n && jobs[next_run].built != 0) {
            struct lab_job *j = &jobs[next_run++];
            if (j->built != 1)
                continue;
            fprintf(stderr, "nslab-grade: %s: running the checks\n", lab_names(j->lab));
            j->start = now();
            j->pid = fork();
            if (j->pid == 0)
                job_child(o, j, 0);
            if (j->pid != -1)
                running++;
        }
        if (!building && !running)
            break;
        pid = waitpid(-1, &status, 0);
        if (pid == -1) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (i = 0; i < n; i++)
            if (jobs[i].pid == pid) {
                struct lab_job *j = &jobs[i];
                j->pid = 0;
                j->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                j->seconds += now() - j->start;
                if (j->built == 0) {
                    j->built = j->status == 0 ? 1 : j->status == 1 ? -1 : -2;
                    building--;
                } else {
                    j->ran = 1;
                    running--;
                }
            }
    }
}

/* The messages a job left, malloc'd ("" if none). */
static char *job_log(const struct lab_job *j)
{
    char *text = calloc(1, LOG_CAP + 1);
    int fd = open(j->log, O_RDONLY | O_CLOEXEC);
    size_t len = 0;
    ssize_t n;

    if (!text)
        return strdup("");
    while (fd != -1 && len < LOG_CAP && (n = read(fd, text + len, LOG_CAP - len)) > 0)
        len += (size_t)n;
    if (fd != -1)
        close(fd);
    unlink(j->log);
    return text;
}

/* The compiler's messages as the student would read them: the file's name
 * (FILE, as the compiler saw it) as its path in the submission (SHOWN), and
 * the compiler's temporary object files (/tmp/ccXXXXXX.o) as FILE's. A
 * malloc'd copy. */
static char *relabel(const char *log, const char *file, const char *shown)
{
    size_t flen = strlen(file), slen = strlen(shown), n = 0, cap = strlen(log) + 1;
    char *out, *tmp;
    const char *p;

    for (p = log; (p = strstr(p, file)); p += flen)
        cap += slen;
    out = malloc(cap + 1);
    if (!out)
        return strdup(log);
    for (p = log; *p;) {
        int at_word = p == log || p[-1] == '\n' || p[-1] == ' ' || p[-1] == '(';
        if (at_word && strncmp(p, file, flen) == 0 && p[flen] == ':') {
            memcpy(out + n, shown, slen);
            n += slen;
            p += flen;
        } else if (at_word && strncmp(p, "/tmp/cc", 7) == 0 && (tmp = strstr(p, ".o")) &&
                   (size_t)(tmp - p) <= 16 && !memchr(p, ' ', (size_t)(tmp - p))) {
            /* "/tmp/ccA1b2C3.o": the object compiled from the lab. */
            memcpy(out + n, file, flen - 2);
            n += flen - 2;
            p = tmp;
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    return out;
}

/* Turn a lab's jobs into its result. Returns 0, or -1 when the harness
 * itself failed (the grader "could not run"). */
static int lab_from_jobs(const struct options *o, const struct rubric *r, struct lab_job *j, struct lab_result *l)
{
    char err[4608], *log;
    int rc = 0;

    char file[300], present[400], compiles[400];

    memset(l, 0, sizeof *l);
    l->lab = j->lab;
    l->source = strdup(j->src);
    l->shown = j->shown ? strdup(j->shown) : NULL;
    snprintf(file, sizeof file, "%s.c", lab_names(j->lab));
    snprintf(present, sizeof present, "%s is in the submission", file);
    snprintf(compiles, sizeof compiles, "%s compiles", file);
    if (j->built == -3) {
        l->state = LAB_MISSING;
        if (j->problem)
            snprintf(err, sizeof err, "%s", j->problem);
        else
            snprintf(err, sizeof err, "%s: no such file", j->src);
        l->build_log = strdup(err);
        lab_as_one(l, r, "BUILD", "present", present, err);
    } else if (j->built == -2) {
        /* The compiler had no world to run in: the machine's fault. */
        l->state = LAB_HARNESS_FAILED;
        l->build_log = job_log(j);
        lab_as_one(l, r, "ENV", "graded", "graded on this machine", l->build_log);
        rc = -1;
    } else if (j->built != 1) {
        l->state = LAB_NO_BUILD;
        log = job_log(j);
        l->build_log = relabel(log, file, l->shown ? l->shown : j->src);
        free(log);
        lab_as_one(l, r, "BUILD", "compiles", compiles, "the lab does not compile (see the compiler's messages)");
    } else {
        char marker[4200];
        log = job_log(j);
        snprintf(marker, sizeof marker, "%s.machine-changed", j->records);
        if (j->ran && j->status == 2 && access(marker, F_OK) == 0) {
            /* The machine changed while this lab ran: its records say which
             * checks were running (FAIL: THIS MACHINE WAS CHANGED) and which
             * were not run (ENV); grading stops (exit 2). */
            free(log);
            lab_init(l, r, "ENV", "not run: grading stopped");
            if (lab_read_records(l, j->records, err, sizeof err) < 0)
                fprintf(stderr, "nslab-grade: %s\n", err);
            rc = -1;
        } else if (!j->ran || (j->status != 0 && !(o->only && j->status == 1))) {
            /* The harness could not run here: the machine's fault, not the lab's. */
            l->state = LAB_HARNESS_FAILED;
            l->build_log = log;
            lab_as_one(l, r, "ENV", "graded", "graded on this machine", log);
            rc = -1;
        } else {
            free(log);
            lab_init(l, r, "CRASH", "the harness gave no result for this check");
            if (lab_read_records(l, j->records, err, sizeof err) < 0) {
                fprintf(stderr, "nslab-grade: %s\n", err);
                rc = -1;
            }
            if (o->only)
                lab_keep_recorded(l);
            l->show_details = o->details;
        }
    }
    lab_score(l);
    l->seconds = j->seconds;
    return rc;
}

/* --only (make labNN CHECK=...): each name must name one check of the labs
 * graded (its name, or a part of it no other check's name holds); else a
 * usage error that lists them, before anything is built or run (a mistyped
 * name is no reason to report every check as ENV). */
static void check_only_names(const struct options *o)
{
    char *argv[] = { (char *)o->harness, "--lab", (char *)lab_names(o->labs[o->nlabs - 1]), "--list", "--registry",
                     (char *)o->registry, NULL };
    char *list = NULL, *copy = strdup(o->only), *save = NULL, *item, *line, *lsave = NULL;
    int status = run_capture(argv, &list), bad = 0;

    if (status != 0 || !copy) {
        fprintf(stderr, "nslab-grade: cannot list the checks: %s\n", list ? list : "");
        exit(2);
    }
    for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        int exact = 0, parts = 0;
        char *text = strdup(list);
        for (line = strtok_r(text, "\n", &lsave); line; line = strtok_r(NULL, "\n", &lsave)) {
            char *id = strchr(line, '\t'), *end;
            if (!id || !(end = strchr(++id, '\t')))
                continue;
            *end = '\0';
            exact |= strcmp(id, item) == 0;
            parts += strstr(id, item) != NULL;
        }
        free(text);
        if (!exact && parts != 1) {
            fprintf(stderr, "nslab-grade: %s names %s check; the checks%s are:\n", item,
                    parts ? "more than one" : "no", parts ? " it could mean" : "");
            text = strdup(list);
            for (line = strtok_r(text, "\n", &lsave); line; line = strtok_r(NULL, "\n", &lsave)) {
                char *id = strchr(line, '\t'), *end;
                if (id && (end = strchr(++id, '\t')) && (*end = '\0', !parts || strstr(id, item)))
                    fprintf(stderr, "  %s\n", id);
            }
            free(text);
            bad = 1;
        }
    }
    free(copy);
    free(list);
    if (bad)
        exit(2);
}

/* Where zips of the submission are unpacked (removed when grading ends). */
static void unpacked_dir(const struct options *o, char *buf, size_t n)
{
    snprintf(buf, n, "%s/unpacked", o->out);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

static void remove_unpacked(const struct options *o)
{
    char dir[4200];

    unpacked_dir(o, dir, sizeof dir);
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* --find: each job's file (or problem), from the submission as a course
 * receives it. Without --labs, the labs kept are those the submission
 * holds anything of. With --which, each lab's file is printed instead.
 * Returns how many labs are left to grade. */
static int find_labs(struct options *o, struct lab_job *jobs, int labs_given)
{
    char dir[4200], err[4608];
    struct submission *s;
    int i, kept = 0;

    mkdirs(o->out);
    remove_unpacked(o);
    unpacked_dir(o, dir, sizeof dir);
    s = submission_scan(o->submission, o->which ? NULL : dir, err, sizeof err);
    if (!s)
        usage_exit("cannot read the submission", err);
    for (i = 0; i < o->nlabs; i++) {
        struct found f;
        struct lab_job *j = &jobs[kept];
        int any = submission_find(s, lab_names(o->labs[i]), &f);
        if (!any && !labs_given) {
            found_free(&f);
            continue;
        }
        memset(j, 0, sizeof *j);
        o->labs[kept++] = o->labs[i];
        if (f.path) {
            snprintf(j->src, sizeof j->src, "%s", f.path);
            j->shown = f.shown;
            f.shown = NULL;
        } else {
            j->problem = f.problem;
            f.problem = NULL;
        }
        if (o->which)
            printf("%s\t%s%s\n", lab_names(o->labs[kept - 1]), j->problem ? "! " : "",
                   j->problem ? j->problem : j->shown);
        found_free(&f);
    }
    o->nlabs = kept;
    submission_free(s);
    return kept;
}

/* --find without --labs, and no lab in the submission: say what was
 * expected (the student's mistake: a zero, with the reason). */
static int no_lab_found(const struct options *o, const struct rubric *r)
{
    char path[4200];
    FILE *f;
    int i;

    (void)r;
    printf("No lab file found in %s: name each lab as its handout does (", o->submission);
    for (i = 0; i < lab_registry.n; i++)
        if (lab_registry.labs[i].ready)
            printf("%s%s.c", i ? ", " : "", lab_names(i));
    printf("), in a folder named labs/ or anywhere but a hidden folder.\n");
    remove_unpacked(o);
    snprintf(path, sizeof path, "%s/results.json", o->out);
    f = fopen(path, "we");
    if (!f)
        return 2;
    fprintf(f, "{\"score\": 0, \"output\": \"No lab file found in the submission: name each lab as its handout does "
               "(01_clone_uts.c, ...), in a folder named labs/ or anywhere but a hidden folder.\", "
               "\"output_format\": \"text\", \"tests\": []}\n");
    fclose(f);
    return 1;
}

static void parse_labs(struct options *o, const struct rubric *r, const char *arg)
{
    char *copy = strdup(arg), *save = NULL, *word;

    o->nlabs = 0;
    for (word = strtok_r(copy, " ,\t", &save); word; word = strtok_r(NULL, " ,\t", &save)) {
        int i = registry_find(&lab_registry, word);
        if (i < 0 || !lab_registry.labs[i].ready || !rubric_has_layer(r, i)) {
            fprintf(stderr, "nslab-grade: no lab \"%s\" with checks; the labs are:", word);
            for (i = 0; i < lab_registry.n; i++)
                if (lab_registry.labs[i].ready && rubric_has_layer(r, i))
                    fprintf(stderr, " %.2s", lab_names(i));
            fputc('\n', stderr);
            exit(2);
        }
        if (o->nlabs < REGISTRY_MAX)
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
        { "hints", required_argument, NULL, 'i' }, { "hints-opened", required_argument, NULL, 'I' },
        { "find", no_argument, NULL, 'F' }, { "which", no_argument, NULL, 'W' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct options o = { .submission = "labs", .out = "build/grade", .harness = "build/nslab-check",
                         .rubric = "grading/rubric.tsv", .registry = "grading/labs.tsv", .cc = "cc",
                         .hints = "handouts/hints", .hints_opened = "build/hints",
                         .colour = -1 };
    const char *labs_arg = NULL, *colour = "auto";
    static struct lab_result results[REGISTRY_MAX];
    struct rubric r;
    char err[4608], path[4096], stop_file[4200];
    struct lab_job *jobs;
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
        case 'i': o.hints = optarg; break;
        case 'I': o.hints_opened = optarg; break;
        case 'F': o.find = 1; break;
        case 'W': o.which = o.find = 1; break;
        case 'h':
            printf("usage: nslab-grade [--labs \"01 03\"] [--submission DIR] [--find] [--which] [--out DIR]\n"
                   "                   [--harness PATH] [--rubric PATH] [--registry PATH] [--color auto|always|never] [--cc CC]\n"
                   "                   [--only CHECK] [--details] [--hints DIR] [--hints-opened DIR]\n");
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
        for (i = 0; i < lab_registry.n; i++)
            if (lab_registry.labs[i].ready && rubric_has_layer(&r, i))
                o.labs[o.nlabs++] = i;
    }
    if (stat(o.submission, &st) == -1 || !S_ISDIR(st.st_mode)) {
        if (o.find)
            usage_exit("no such folder", o.submission);
        fprintf(stderr, "nslab-grade: %s: no such folder; every lab scores zero\n", o.submission);
    }
    if (!o.which && vm_instead(o.harness))   /* no test world here: the same grading in a VM (grading/vm.c) */
        return vm_grade(argc, argv, &(struct vm_grading){ o.out, o.submission, o.harness, o.rubric, o.registry,
                                                          o.hints, o.hints_opened, o.colour, o.nlabs });
    jobs = calloc(o.nlabs > 0 ? (size_t)o.nlabs : 1, sizeof *jobs);
    if (!jobs)
        usage_exit("out of memory", NULL);
    if (o.find) {
        int found = find_labs(&o, jobs, labs_arg != NULL);
        if (o.which)
            return found ? 0 : 1;
        if (!found)
            return no_lab_found(&o, &r);
    }
    if (access(o.harness, X_OK) == -1)
        usage_exit("cannot run the harness (make tools builds it)", o.harness);
    if (o.only && o.nlabs > 0)
        check_only_names(&o);
    mkdirs(o.out);
    snprintf(path, sizeof path, "%s/bin", o.out);
    mkdirs(path);
    snprintf(path, sizeof path, "%s/records", o.out);
    mkdirs(path);

    /* A lab that changes the real machine stops every harness at its next
     * check (they look at this file too), and every lab after it in order
     * is reported as not run. */
    snprintf(stop_file, sizeof stop_file, "%s/records/.machine-changed", o.out);
    unlink(stop_file);
    setenv("NSLAB_STOP_FILE", stop_file, 1);
    for (i = 0; i < o.nlabs; i++) {
        struct lab_job *j = &jobs[i];
        const char *name = lab_names(o.labs[i]);
        j->lab = o.labs[i];
        if (!o.find)
            snprintf(j->src, sizeof j->src, "%s/%s.c", o.submission, name);
        snprintf(j->bin, sizeof j->bin, "%s/bin/%s", o.out, name);
        snprintf(j->records, sizeof j->records, "%s/records/%s.jsonl", o.out, name);
        snprintf(j->log, sizeof j->log, "%s/bin/%s.log", o.out, name);
        /* -3: no such file. Anything else is the harness's to compile: a
         * symbolic link, a FIFO or a folder it refuses, saying so (BUILD). */
        j->built = !j->problem && lstat(j->src, &st) == 0 ? 0 : -3;
        if (!j->built)
            fprintf(stderr, "nslab-grade: %s: building %s\n", name, j->shown ? j->shown : j->src);
    }
    {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        const char *env_parallel = getenv("NSLAB_GRADE_PARALLEL");
        int at_once = env_parallel && atoi(env_parallel) > 0 ? atoi(env_parallel) : cpus >= 2 ? 2 : 1;
        run_jobs(&o, jobs, o.nlabs, cpus < 1 ? 1 : (int)cpus, at_once);
    }
    for (i = 0; i < o.nlabs; i++) {
        char marker[4200];
        if (stopped) {
            /* A lab changed the real machine: nothing after it counts (it
             * may have run meanwhile, beside it; its records go). */
            unlink(jobs[i].records);
            memset(&results[i], 0, sizeof results[i]);
            results[i].lab = o.labs[i];
            results[i].source = strdup(jobs[i].src);
            results[i].state = LAB_HARNESS_FAILED;
            results[i].build_log = strdup("not run: an earlier lab changed this machine (see its report above), "
                                          "so grading stopped");
            lab_as_one(&results[i], &r, "ENV", "graded", "graded on this machine", results[i].build_log);
            lab_score(&results[i]);
            lab_hints(&results[i], o.hints_opened, o.hints);
            report_lab(stdout, &results[i], o.colour);
            env += lab_count(&results[i], "ENV");
            max += results[i].max;
            free(job_log(&jobs[i]));
            continue;
        }
        failed |= lab_from_jobs(&o, &r, &jobs[i], &results[i]) < 0;
        lab_hints(&results[i], o.hints_opened, o.hints);
        snprintf(marker, sizeof marker, "%s/records/%s.jsonl.machine-changed", o.out, lab_names(o.labs[i]));
        stopped = access(marker, F_OK) == 0;
        report_lab(stdout, &results[i], o.colour);
        fflush(stdout);
        score += results[i].score;
        max += results[i].max;
        env += lab_count(&results[i], "ENV");
    }
    for (i = 0; i < o.nlabs; i++) {
        free(jobs[i].shown);
        free(jobs[i].problem);
    }
    free(jobs);
    unlink(stop_file);
    if (o.find)
        remove_unpacked(&o);
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
