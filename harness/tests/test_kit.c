/* The kit's own end-to-end tests: the solutions score full marks, each
 * starter fails exactly its own layer, broken variants and hostile labs are
 * caught, and the real machine stays as it was throughout.
 *
 * Run from the repository root as root, after `make tools` (make test does
 * both). Scratch files go to build/test-kit/ (not /tmp: the test world has a
 * /tmp of its own, so a lab there could not be run). */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "registry.h"

#define SCRATCH "build/test-kit"

/* ---- helpers ---------------------------------------------------------- */

/* Run a shell command line; return its exit status (or 128+signal). */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char *cmd = NULL;
    va_list ap;
    int st;

    va_start(ap, fmt);
    ck_assert_int_ge(vasprintf(&cmd, fmt, ap), 0);
    va_end(ap);
    /* Check's own selection variables must not reach the harness's Check. */
    unsetenv("CK_RUN_CASE");
    unsetenv("CK_RUN_SUITE");
    st = system(cmd);
    free(cmd);
    ck_assert_int_ne(st, -1);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "re");
    char *text = NULL;
    size_t len = 0;

    if (!f)
        return strdup("");
    if (getdelim(&text, &len, '\0', f) < 0) {
        free(text);
        text = strdup("");
    }
    fclose(f);
    return text;
}

/* What a person would notice changed on the real machine. */
static char *machine_state(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    const char *files[] = { "/proc/sys/kernel/hostname", "/proc/sysvipc/msg", "/proc/sysvipc/shm",
                            "/proc/sysvipc/sem", "/proc/self/mountinfo", "/proc/net/dev" };
    size_t i;

    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *t = slurp(files[i]);
        char *line, *save = NULL;
        /* /proc/net/dev counts packets and shm counts attaches: keep names. */
        for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            if (strstr(files[i], "net/dev") || strstr(files[i], "sysvipc")) {
                char a[64] = "", b[64] = "";
                sscanf(line, "%63s %63s", a, b);
                fprintf(f, "%s: %s %s\n", files[i], a, strstr(files[i], "sysvipc") ? b : "");
            } else {
                fprintf(f, "%s: %s\n", files[i], line);
            }
        }
        free(t);
    }
    /* Every cgroup of the kit's on the real machine but the worlds' own and
     * what their labs make in them (nslab/PID), which come and go with other
     * graders running (run.sh's last step checks that none is left). */
    {
        char *t;
        sh("find /sys/fs/cgroup -maxdepth 8 -type d -name 'nslab-world-*' -prune -o -type d -name '*nslab*' -print "
           "2>/dev/null | sort > " SCRATCH "/cgroups.txt");
        t = slurp(SCRATCH "/cgroups.txt");
        fprintf(f, "cgroups:\n%s", t);
        free(t);
    }
    fflush(f);
    fclose(f);
    return text;
}

/* What differs between two machine states, as diff(1) says it. */
static char *state_diff(const char *before, const char *after)
{
    FILE *f = fopen(SCRATCH "/state-before.txt", "we"), *g = fopen(SCRATCH "/state-after.txt", "we");

    if (f) {
        fputs(before, f);
        fclose(f);
    }
    if (g) {
        fputs(after, g);
        fclose(g);
    }
    sh("diff " SCRATCH "/state-before.txt " SCRATCH "/state-after.txt > " SCRATCH "/state-diff.txt");
    return slurp(SCRATCH "/state-diff.txt");
}

#define ASSERT_MACHINE_SAME(before, after, what, name)                                               \
    do {                                                                                           \
        if (strcmp(before, after) != 0) {                                                          \
            char *d = state_diff(before, after);                                                   \
            ck_abort_msg("%s %s changed the real machine:\n%.2000s", what, name, d);               \
        }                                                                                          \
    } while (0)

static int leftover_processes(void)
{
    return sh("for p in /proc/[0-9]*; do readlink $p/exe; done 2>/dev/null | grep -q \"$(pwd)/" SCRATCH "/\"") == 0;
}

/* Compile as the grader does (grading/labs.tsv has the line), as lab LAB. */
/* Is `path` at least as new as every one of the files it is made from? */
static int up_to_date(const char *path, const char *const *from)
{
    struct stat out, in;

    if (stat(path, &out) == -1)
        return 0;
    for (; *from; from++)
        if (stat(*from, &in) == -1 || in.st_mtim.tv_sec > out.st_mtim.tv_sec ||
            (in.st_mtim.tv_sec == out.st_mtim.tv_sec && in.st_mtim.tv_nsec > out.st_mtim.tv_nsec))
            return 0;
    return 1;
}

/* Compile as the grader does, unless `out` is newer than its source and the
 * compile line's inputs (the cgroup v2 guest reuses what the host built:
 * compiling there, emulated, takes most of its time). */
static void compile(const char *src, const char *out, const char *lab)
{
    const char *const from[] = { src, "grading/labs.tsv", "harness/compile-lab.sh", NULL };

    if (up_to_date(out, from))
        return;
    ck_assert_msg(sh("sh harness/compile-lab.sh %s %s %s 2>%s.log", src, out, lab, out) == 0,
                  "%s does not compile (see %s.log)", src, out);
}

/* NSLAB_KIT_LAB=NN_name (the cgroup v2 guest of make test, a slow
 * emulated machine): only that lab's broken variants, graded on its own
 * layer's checks; the earlier layers' checks they name are not run. */
static const char *only_lab;

/* The verdicts the harness gave PROGRAM as lab LAB: "check VERDICT\n" lines;
 * of the checks `only` lists (comma-separated), or of all of them. */
static char *verdicts(const char *lab, const char *program, const char *extra, const char *only)
{
    char records[256], *text, *line, *save = NULL, *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    int st;

    snprintf(records, sizeof records, SCRATCH "/%s.jsonl", strrchr(program, '/') + 1);
    unlink(records);
    st = sh("%s build/nslab-check --lab %s --program %s --records %s %s%s%s >/dev/null 2>&1", extra ? extra : "", lab,
            program, records, only ? "--only " : only_lab ? "--own-layer" : "", only ? only : "", "");
    /* (--only exits 1 when a check it names did not pass.) */
    ck_assert_msg(st == 0 || (only && st == 1), "nslab-check exited %d", st);
    text = slurp(records);
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        struct json_object *o = json_tokener_parse(line), *c, *v;
        ck_assert_msg(o != NULL, "a record is not JSON: %s", line);
        ck_assert(json_object_object_get_ex(o, "check", &c) && json_object_object_get_ex(o, "verdict", &v));
        fprintf(f, "%s %s\n", json_object_get_string(c), json_object_get_string(v));
        json_object_put(o);
    }
    free(text);
    fclose(f);
    return out;
}

static const char *verdict_of(const char *list, const char *check)
{
    static char v[16];
    char key[128];
    const char *p;

    snprintf(key, sizeof key, "%s ", check);
    for (p = list; (p = strstr(p, key)); p++)
        if (p == list || p[-1] == '\n') {
            sscanf(p + strlen(key), "%15s", v);
            return v;
        }
    return "MISSING";
}

static int count(const char *list, const char *verdict)
{
    int n = 0;
    const char *p = list;
    char key[32];

    snprintf(key, sizeof key, " %s\n", verdict);
    while ((p = strstr(p, key))) {
        n++;
        p++;
    }
    return n;
}

static int lines(const char *text)
{
    int n = 0;

    for (; *text; text++)
        n += *text == '\n';
    return n;
}

/* ---- the solutions ---------------------------------------------------- */

/* The labs that are ready, from the kit's one list (main() reads it). */
static const char *lab_names[REGISTRY_MAX];
static int nlabs;

/* Run as an unprivileged user: make test's rootless pass. */
static int rootless;

/* Without root on a cgroup v1 machine the test world has no cgroup: none is
 * delegated to a user there. */
static int world_without_cgroup(void)
{
    return rootless && access("/sys/fs/cgroup/cgroup.controllers", F_OK) != 0;
}

/* Lab 07 on in a world without a cgroup: every check must be ENV, never a
 * FAIL the student could not fix. Returns 1 when that is the case and held. */
static int no_cgroup_world(const char *lab, const char *v)
{
    if (atoi(lab) < 7 || !world_without_cgroup())
        return 0;
    ck_assert_msg(count(v, "ENV") > 0 && count(v, "ENV") == lines(v),
                  "%s without root on cgroup v1: every check should be ENV (no cgroup for the world):\n%s", lab, v);
    printf("rootless: %s is ENV throughout (cgroup v1 delegates no cgroup to a user)\n", lab);
    return 1;
}

START_TEST(solution_scores_full_marks)
{
    char src[128], bin[128], *v;

    snprintf(src, sizeof src, "solutions/%s.c", lab_names[_i]);
    snprintf(bin, sizeof bin, SCRATCH "/solution-%s", lab_names[_i]);
    compile(src, bin, lab_names[_i]);
    v = verdicts(lab_names[_i], bin, NULL, NULL);
    if (no_cgroup_world(lab_names[_i], v)) {
        free(v);
        return;
    }
    ck_assert_msg(count(v, "PASS") > 0 && count(v, "PASS") == lines(v),
                  "solution %s did not pass every check:\n%s", lab_names[_i], v);
    free(v);
}
END_TEST

/* ---- the starters ----------------------------------------------------- */

/* The checks each starter must fail, one file a lab
 * (harness/tests/starters/NN_name.inc), put together by the Makefile into
 * build/starters.inc: its own layer's, at the least these. */
/* (cppcheck reads this file without build/starters.inc: an empty table to it.) */
// cppcheck-suppress unusedStructMember
static const struct { const char *lab; const char *checks[24]; } starter_must_fail[] = {
#include "starters.inc"
};

START_TEST(starter_fails_exactly_its_own_layer)
{
    char src[128], bin[128], list[256], *v, *checks, *line, *save = NULL;
    const char *const *must = NULL;
    int i, own_failed = 0;
    size_t k;

    for (k = 0; k < sizeof starter_must_fail / sizeof starter_must_fail[0]; k++)
        if (strcmp(starter_must_fail[k].lab, lab_names[_i]) == 0)
            must = starter_must_fail[k].checks;
    ck_assert_msg(must != NULL, "no list of the checks starter %s must fail (harness/tests/starters/%s.inc)",
                  lab_names[_i], lab_names[_i]);
    snprintf(src, sizeof src, "labs/%s.c", lab_names[_i]);
    snprintf(bin, sizeof bin, SCRATCH "/starter-%s", lab_names[_i]);
    compile(src, bin, lab_names[_i]);
    v = verdicts(lab_names[_i], bin, NULL, NULL);
    if (no_cgroup_world(lab_names[_i], v)) {
        free(v);
        return;
    }
    /* FAIL, or TIMEOUT for an init whose TODO leaves it waiting forever. */
    for (i = 0; must[i]; i++)
        ck_assert_msg(strcmp(verdict_of(v, must[i]), "FAIL") == 0 || strcmp(verdict_of(v, must[i]), "TIMEOUT") == 0,
                      "starter %s: %s should FAIL:\n%s", lab_names[_i], must[i], v);
    /* Every check of the earlier layers passes. */
    snprintf(list, sizeof list, SCRATCH "/checks-%s.txt", lab_names[_i]);
    ck_assert_int_eq(sh("build/nslab-check --lab %s --list > %s", lab_names[_i], list), 0);
    checks = slurp(list);
    for (line = strtok_r(checks, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char layer[32], id[64];
        ck_assert_int_eq(sscanf(line, "%31s %63s", layer, id), 2);
        if (strcmp(layer, lab_names[_i]) != 0)
            ck_assert_msg(strcmp(verdict_of(v, id), "PASS") == 0, "starter %s: earlier check %s should PASS:\n%s",
                          lab_names[_i], id, v);
        else
            own_failed += strcmp(verdict_of(v, id), "PASS") != 0;
    }
    ck_assert_int_gt(own_failed, 0);
    free(checks);
    free(v);
}
END_TEST

/* ---- broken variants of the solutions ---------------------------------- */

/* A broken variant of a solution. Run as an unprivileged user (make test's
 * rootless pass), the cases that need root on the real machine are left
 * out, and main() says which. */
struct variant {
    const char *name;
    const char *lab;                /* the solution edited, and the lab graded */
    const char *find, *replace;     /* one edit of solutions/LAB.c ... */
    const char *find2, *replace2;   /* ... and maybe a second */
    const char *must_fail[8];
    const char *must_pass[4];       /* earlier layers' checks that still pass; "*": every check */
    int needs_cgroup;               /* only where the world has a cgroup (as root; labs 07 on) */
};

#define EXEC "    execvp(cfg->argv[0], cfg->argv);"

/* The variants, one file a lab (harness/tests/variants/NN_name.inc: the
 * variants of that lab's solution), put together by the Makefile into
 * build/variants.inc. */
static const struct variant variants[] = {
#include "variants.inc"
};
#define NVARIANTS (sizeof variants / sizeof variants[0])

/* Apply one edit to text; the text to find must occur exactly once, so that
 * a change of the solution cannot make this test pass silently. */
static char *edit(const struct variant *var, char *src, const char *find, const char *replace)
{
    char *at = strstr(src, find), *out = NULL;

    ck_assert_msg(at != NULL, "variant %s: \"%s\" is not in solutions/%s.c", var->name, find, var->lab);
    ck_assert_msg(strstr(at + 1, find) == NULL, "variant %s: \"%s\" occurs twice", var->name, find);
    ck_assert_int_ge(asprintf(&out, "%.*s%s%s", (int)(at - src), src, replace, at + strlen(find)), 0);
    free(src);
    return out;
}

static void make_variant(const struct variant *var, const char *path)
{
    char source[128];
    char *src;
    FILE *f;

    snprintf(source, sizeof source, "solutions/%s.c", var->lab);
    src = edit(var, slurp(source), var->find, var->replace);
    if (var->find2)
        src = edit(var, src, var->find2, var->replace2);
    /* The same text as last time: leave the file (and its mtime) alone. */
    if (access(path, R_OK) == 0) {
        char *old = slurp(path);
        int same = strcmp(old, src) == 0;
        free(old);
        if (same) {
            free(src);
            return;
        }
    }
    f = fopen(path, "we");
    ck_assert_ptr_nonnull(f);
    fputs(src, f);
    fclose(f);
    free(src);
}

/* The variants and hostile labs this run can use, by index. */
static size_t variant_index[NVARIANTS], nvariant_index;

START_TEST(broken_variant_is_caught)
{
    const struct variant *var = &variants[variant_index[_i]];
    char src[128], bin[128], only[1024], *v, *before, *after;
    int i;

    snprintf(src, sizeof src, SCRATCH "/variant-%s.c", var->name);
    snprintf(bin, sizeof bin, SCRATCH "/variant-%s", var->name);
    make_variant(var, src);
    compile(src, bin, var->lab);
    /* The checks that must catch it and those that must not, only (they
     * prove it); a variant that is not broken ("*"), every check. */
    only[0] = '\0';
    for (i = 0; var->must_fail[i]; i++)
        snprintf(only + strlen(only), sizeof only - strlen(only), "%s%s", only[0] ? "," : "", var->must_fail[i]);
    for (i = 0; var->must_pass[i] && strcmp(var->must_pass[i], "*"); i++)
        snprintf(only + strlen(only), sizeof only - strlen(only), "%s%s", only[0] ? "," : "", var->must_pass[i]);
    before = machine_state();
    v = verdicts(var->lab, bin, NULL, var->must_pass[0] && strcmp(var->must_pass[0], "*") == 0 ? NULL : only);
    after = machine_state();
    ASSERT_MACHINE_SAME(before, after, "variant", var->name);
    ck_assert_msg(!leftover_processes(), "variant %s left processes running", var->name);
    /* Caught: a wrong answer, a crash or a hang; never PASS, and never ENV
     * (the machine's fault) or no verdict at all. */
    for (i = 0; var->must_fail[i]; i++) {
        const char *got = verdict_of(v, var->must_fail[i]);
        if (only_lab && strcmp(got, "MISSING") == 0)
            continue;   /* an earlier layer's check, not run */
        ck_assert_msg(strcmp(got, "FAIL") == 0 || strcmp(got, "CRASH") == 0 || strcmp(got, "TIMEOUT") == 0,
                      "variant %s: %s should FAIL:\n%s", var->name, var->must_fail[i], v);
    }
    if (var->must_pass[0] && strcmp(var->must_pass[0], "*") == 0)
        ck_assert_msg(count(v, "PASS") > 0 && count(v, "PASS") == lines(v), "variant %s should pass every check:\n%s",
                      var->name, v);
    else
        for (i = 0; var->must_pass[i]; i++)
            ck_assert_msg(strcmp(verdict_of(v, var->must_pass[i]), "PASS") == 0 ||
                              (only_lab && strcmp(verdict_of(v, var->must_pass[i]), "MISSING") == 0),
                          "variant %s: %s should PASS:\n%s", var->name, var->must_pass[i], v);
    free(before);
    free(after);
    free(v);
}
END_TEST

/* ---- hostile labs, through the grader --------------------------------- */

struct hostile {
    const char *name;
    const char *verdict;        /* what most checks must end in */
    const char *must_say;       /* in the output of half the checks or more, when set
                                 * (white space matches any run of white space) */
    const char *must_not_say;   /* in no check's output */
    int needs_root;             /* a scratch mount on the machine, or a delegated cgroup */
    const char *must_fail[4];   /* these checks FAIL, the others may pass (it runs the command);
                                 * when empty, every check must fail: it scores 0 */
    double timeout;             /* each run's time limit (0: 0.4 s, enough for most) */
    const char *only;           /* the checks to run (a costly lab: a few prove it), or NULL: all */
};

#define A_FEW_CHECKS "uts_namespace_differs,exit_status_passthrough,ipc_namespace_differs"

/* Wrong labs that reach for the machine: each tries one thing and prints
 * what the kernel answered. The calls that change the whole machine are
 * refused by the world's seccomp filter, which the report names; the rest
 * by the user namespace (no capability over the machine's objects), or by
 * the world having none of the machine's (a root of the system's folders
 * only, a keyring, an environment and a terminal of its own). Besides its
 * own must_not_say, no output may hold any of the grader's secrets that
 * plant_secrets() puts where a lab would look (grader_secrets[]). */
#define TRIED "succeeded"
static const struct hostile hostiles[] = {
    /* A flood on stdout must leave room in the report for stderr after it. */
    { "hang", "TIMEOUT", NULL, NULL, 0, { NULL }, 0, NULL },
    { "flood", "TIMEOUT", "more bytes not shown] stderr: (empty)", NULL, 0, { NULL }, 0, NULL },
    { "forkbomb", "TIMEOUT", NULL, NULL, 0, { NULL }, 0, NULL },
    { "killall", "FAIL", NULL, NULL, 0, { NULL }, 0, NULL }, { "killgroup", "CRASH", NULL, NULL, 0, { NULL }, 0, NULL },
    { "reboot", "CRASH", NULL, NULL, 0, { NULL }, 0, NULL },
    { "fakepass", "FAIL", NULL, NULL, 0, { NULL }, 0, NULL }, { "nocompile", "BUILD", NULL, NULL, 0, { NULL }, 0, NULL },
    { "settime", "FAIL", "settimeofday(2)", TRIED, 0, { NULL }, 0, NULL }, { "swapoff", "FAIL", "swapoff(2)", TRIED, 0, { NULL }, 0, NULL },
    { "module", "FAIL", "finit_module(2)", TRIED, 0, { NULL }, 0, NULL },
    { "remount", "FAIL", "mount(2) with MS_REMOUNT but not MS_BIND", TRIED, 1, { NULL }, 0, NULL },
    { "sysrq", "FAIL", "swappiness for writing: Permission denied", TRIED, 0, { NULL }, 0, NULL },
    { "mknod", "FAIL", "Operation not permitted mount devtmpfs: Operation not permitted", TRIED, 0, { NULL }, 0, NULL },
    { "cgroup_limits", "FAIL", "a limit of its own cgroup (7 to",
      "the world's own limit (max to /sys/fs/cgroup/pids/pids.max): succeeded", 1, { NULL }, 0, NULL },
    /* Issue 20's routes: a grade faked, or the machine reached. */
    { "include_solution", "BUILD", "/proc/self/cwd/solutions/02_ipc.c: No such file or directory", NULL, 0, { NULL }, 0, NULL },
    { "include_device", "BUILD", "still running after 3 s (its time limit)", NULL, 0, { NULL }, 0, NULL },
    { "include_secret", "BUILD", "No such file or directory", NULL, 0, { NULL }, 0, NULL },
    { "include_zero", "BUILD", "cc1", NULL, 0, { NULL }, 0, NULL },
    { "compile_flood", "BUILD", "more bytes of the compiler's messages not shown", NULL, 0, { NULL }, 0, NULL },
    { "harnessmem", "FAIL", "open /proc/1/mem for writing: Permission denied", TRIED, 0, { NULL }, 0, NULL },
    { "manymounts", "FAIL", "no longer fit in the harness's snapshot", NULL, 0, { NULL }, 3, A_FEW_CHECKS },
    { "decoy", "FAIL", NULL, NULL, 0,
      { "uts_namespace_differs", "uts_host_hostname_unchanged", "ipc_namespace_differs", NULL }, 0, NULL },
    { "keyring", "FAIL", "add_key(2)", "nslab-planted", 0, { NULL }, 0, NULL },
    { "environ", "FAIL", "env: PATH=/usr/local/sbin", NULL, 0, { NULL }, 0, NULL },
    { "sockets", "FAIL", "tried", "connect", 0, { NULL }, 3, A_FEW_CHECKS },
    { "procpeek", "FAIL", "took a /proc off", NULL, 0, { NULL }, 0, NULL },
    { "counts", "FAIL", "inotify instances: 8 (then", "vsock: succeeded", 0, { NULL }, 0, NULL },
    { "deepcgroup", "FAIL", NULL, NULL, 1, { NULL }, 3, A_FEW_CHECKS },
    /* With a cgroup, its memory limit ends it (CRASH); without one (rootless
     * on cgroup v1), the harness's watch on the machine's shared memory. */
    { "tmpfsfill", NULL, NULL, NULL, 0, { NULL }, 3, A_FEW_CHECKS },
    /* The harness's view of the world's /proc and cgroups is mounted nowhere
     * the lab can cover; the probe is known by its file from before the run;
     * the probe's report is held against what the harness sees of the probe
     * from outside, and the host's hostname is watched all the run long. */
    { "ns_cover", "FAIL", NULL, NULL, 0, { "uts_namespace_differs", "ipc_namespace_differs", NULL }, 2, NULL },
    { "cheat02_ns", "FAIL", NULL, NULL, 0,
      { "uts_namespace_differs", "ipc_namespace_differs", "uts_host_hostname_unchanged", "ipc_inside_objects_stay_inside" },
      0, NULL },
    { "cheat02_report", "FAIL", NULL, NULL, 0,
      { "uts_host_hostname_unchanged", "args_pass_through", "ipc_host_objects_unreachable", "ipc_inside_objects_stay_inside" },
      0, NULL },
    { "hide_leftovers", "FAIL", NULL, NULL, 0, { NULL }, 0, NULL },
    /* The probe run with other arguments than the check's, their lines forged. */
    { "probe_args", "FAIL", NULL, NULL, 0,
      { "ipc_host_objects_not_listed", "ipc_host_objects_unreachable", "ipc_inside_objects_stay_inside",
        "ipc_namespace_differs" }, 0, NULL },
    { "probe_swap", "FAIL", NULL, NULL, 0, { "uts_namespace_differs", "ipc_namespace_differs", NULL }, 2, NULL },
    /* The world's PID 1 (W, forked from the grader) shows a name of its own. */
    { "grader_cmdline", "FAIL", "PID 1's command line: nslab-world", "--records", 0, { NULL }, 0, NULL },
    /* The world's caps live a user namespace above the lab's: raising its
     * own changes nothing. */
    { "raise_caps", "FAIL", "inotify instances taken: 8", "PAST THE WORLD'S CAP", 0, { NULL }, 0, A_FEW_CHECKS },
    { "ns_hoard", "FAIL", "UTS namespaces held: 63", "PAST THE WORLD'S CAP", 0, { NULL }, 0, A_FEW_CHECKS },
    /* The key API is refused: no quota to fill, no keyring of the grader's to link. */
    { "keyquota", "FAIL", "keyctl(2)", "KEYS MADE", 0, { NULL }, 0, A_FEW_CHECKS },
    { "keyring_link", "FAIL", "keyctl(2)", "LINKED", 0, { NULL }, 0, A_FEW_CHECKS },
    /* 32-bit arguments compared as 32-bit; io_uring refused. */
    { "seccomp_highbits", "FAIL", "socket(AF_VSOCK) (vsock ports are the machine's, not the world's) ioctl(TIOCSTI)",
      "A VSOCK SOCKET", 0, { NULL }, 0, A_FEW_CHECKS },
    { "iouring_vsock", "FAIL", "io_uring_setup(2)", "A VSOCK SOCKET", 0, { NULL }, 0, A_FEW_CHECKS },
    /* Past 512 cgroups the run ends; all of them are removed. */
    { "cgroup_fanout", "FAIL", "cgroups in the world", NULL, 1, { NULL }, 0, A_FEW_CHECKS },
    /* Memory the kernel holds for the lab: the cgroup's limit, or without
     * one the watch on the machine's available memory. */
    { "msgq_memory", NULL, NULL, "HELD", 0, { NULL }, 10, "exit_status_passthrough" },
    { "anon_memory", NULL, NULL, "HELD", 0, { NULL }, 10, "exit_status_passthrough" },
    /* A v1 hierarchy the world does not get shows it an empty cgroup of its
     * own, not the grader's (as root: rootless, no cgroup is the world's). */
    { "cgroup_v1_other", "FAIL", NULL, "OUTSIDE THE WORLD", 1, { NULL }, 0, A_FEW_CHECKS },
    /* Its crash goes to no core_pattern's program: a hard limit of 1. */
    { "coredump", "CRASH", "core limit: 1, hard 1", "A PIPE WOULD GET THE CRASH", 0, { NULL }, 0, A_FEW_CHECKS },
};
#define NHOSTILES (sizeof hostiles / sizeof hostiles[0])
static size_t hostile_index[NHOSTILES], nhostile_index;

/* Does text say phrase, whatever the runs of white space in text (the
 * report indents the lines it shows)? */
static int says(const char *text, const char *phrase)
{
    char *squeezed = malloc(strlen(text) + 1), *out = squeezed;
    int found;

    ck_assert_ptr_nonnull(squeezed);
    for (; *text; text++)
        if (!(*text == ' ' || *text == '\n' || *text == '\t') || (out > squeezed && out[-1] != ' '))
            *out++ = *text == '\n' || *text == '\t' ? ' ' : *text;
    *out = '\0';
    found = strstr(squeezed, phrase) != NULL;
    free(squeezed);
    return found;
}

/* Grade one hostile lab as a submission's 02_ipc.c (checks of labs 01 and 02); return the text
 * of results.json and fill in the grader's exit status. */
/* Where the remount lab's scratch filesystem goes, in a private mount
 * namespace of the test's own, standing for the machine: inside a system
 * folder, which the world shows (read-only), so the lab can reach for it. */
#define REMOUNT_SCRATCH "/usr/src"

static char *grade_hostile(const struct hostile *h, int *status)
{
    char dir[128], out[128], path[256];

    snprintf(dir, sizeof dir, SCRATCH "/submission-%s", h->name);
    snprintf(out, sizeof out, SCRATCH "/grade-%s", h->name);
    ck_assert_int_eq(sh("rm -rf %s %s && mkdir -p %s && cp harness/tests/hostile/%s.c %s/02_ipc.c",
                        dir, out, dir, h->name, dir), 0);
    /* The remount lab looks for a scratch filesystem to remount: one is
     * mounted, as real root, in a private mount namespace of this test's
     * own, which stands for the real machine (remount_scratch_... proves
     * that this lab, run there directly, does turn it read-only). */
    *status = sh("%s NSLAB_TIMEOUT=%g NSLAB_COMPILE_TIMEOUT=3 build/nslab-grade --labs 02 --submission %s --out %s "
                 "--color never %s%s > %s.report 2>&1", strcmp(h->name, "remount") ? "" :
                 "unshare --mount --propagation private sh -c '"
                 "mount -t tmpfs -o size=1m nslab-remount-scratch " REMOUNT_SCRATCH " && exec \"$0\" \"$@\"' env",
                 h->timeout > 0 ? h->timeout : 0.4, dir, out, h->only ? "--only " : "", h->only ? h->only : "", out);
    snprintf(path, sizeof path, "%s/results.json", out);
    return slurp(path);
}

/* The grader's secrets, where a lab would look for them (plant_secrets):
 * no check's output may hold any. */
static const char *const grader_secrets[] = {
    "nslab-secret-token",    /* in the grader's environment */
    "nslab-secret-payload",  /* in its session keyring, under "nslab-secret" */
    "nslab-secret-content",  /* in a file of the machine's, readable by all, outside the system's folders */
    "nslab-host-marker",     /* a process of the machine's, by its command line */
    "nslab-test-socket",     /* listening sockets of the machine's */
};

static pid_t marker_process;
static int listening[2] = { -1, -1 };

static void listen_at(int i, const char *path)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };

    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    unlink(path);
    listening[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listening[i] == -1 || bind(listening[i], (struct sockaddr *)&a, sizeof a) == -1 || listen(listening[i], 8) == -1)
        fprintf(stderr, "kit: cannot listen at %s: %s\n", path, strerror(errno));
    chmod(path, 0777);
}

/* Before the hostile labs: the grader's secrets where a lab would look. */
static void plant_secrets(void)
{
    char path[108];
    int fd;

    setenv("NSLAB_SECRET_TOKEN", "nslab-secret-token", 1);
    /* A session keyring of this run's own, as a login gives one. */
    syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "nslab-login");   /* named, as a login's: its user may LINK it */
    if (syscall(SYS_add_key, "user", "nslab-secret", "nslab-secret-payload", 20, KEY_SPEC_SESSION_KEYRING) == -1)
        fprintf(stderr, "kit: cannot add a key: %s\n", strerror(errno));
    fd = open("/var/tmp/nslab-test-secret", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd != -1) {
        if (write(fd, "nslab-secret-content\n", 21) != 21)
            fprintf(stderr, "kit: cannot write the secret file\n");
        close(fd);
    }
    snprintf(path, sizeof path, "/var/tmp/nslab-test-socket-%d", (int)getuid());
    listen_at(0, path);
    listen_at(1, SCRATCH "/nslab-test-socket");
    marker_process = fork();
    if (marker_process == 0) {
        execl("/bin/sleep", "nslab-host-marker", "3600", (char *)NULL);
        _exit(127);
    }
}

static void remove_secrets(void)
{
    char path[108];

    if (marker_process > 0) {
        kill(marker_process, SIGKILL);
        waitpid(marker_process, NULL, 0);
    }
    snprintf(path, sizeof path, "/var/tmp/nslab-test-socket-%d", (int)getuid());
    unlink(path);
    unlink(SCRATCH "/nslab-test-socket");
}

/* World cgroups on the machine that no living harness holds: left behind. */
static char *abandoned_worlds(void)
{
    sh("find /sys/fs/cgroup -maxdepth 6 -type d -name 'nslab-world-*' -prune 2>/dev/null | "
       "while read -r d; do flock -n -x \"$d\" true 2>/dev/null && echo \"$d\"; done > " SCRATCH "/abandoned.txt");
    return slurp(SCRATCH "/abandoned.txt");
}

/* The verdict the records of a graded lab give a check. */
static const char *recorded_verdict(const char *records, const char *check)
{
    static char v[16];
    char *text = slurp(records), *line, *save = NULL;

    snprintf(v, sizeof v, "MISSING");
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        struct json_object *o = json_tokener_parse(line), *c, *vv;
        if (o && json_object_object_get_ex(o, "check", &c) && json_object_object_get_ex(o, "verdict", &vv) &&
            strcmp(json_object_get_string(c), check) == 0)
            snprintf(v, sizeof v, "%s", json_object_get_string(vv));
        json_object_put(o);
    }
    free(text);
    return v;
}

START_TEST(hostile_lab_gets_a_clear_verdict)
{
    const struct hostile *h = &hostiles[hostile_index[_i]];
    struct json_object *results, *score, *tests;
    char *before = machine_state(), *after, *text;
    size_t i, matching = 0, saying = 0, n;
    int status;

    text = grade_hostile(h, &status);
    after = machine_state();
    ck_assert_msg(status == 1, "%s: the grader should exit 1 (points lost), exited %d", h->name, status);
    results = json_tokener_parse(text);
    ck_assert_msg(results != NULL, "%s: results.json is not JSON", h->name);
    ck_assert(json_object_object_get_ex(results, "score", &score));
    ck_assert(json_object_object_get_ex(results, "tests", &tests));
    n = json_object_array_length(tests);
    ck_assert_uint_gt(n, 0);
    for (i = 0; i < n; i++) {
        struct json_object *t = json_object_array_get_idx(tests, i), *out;
        const char *output = json_object_object_get_ex(t, "output", &out) ? json_object_get_string(out) : "";
        size_t k;
        if (!h->verdict || strstr(output, h->verdict))
            matching++;
        if (h->must_say && says(output, h->must_say))
            saying++;
        ck_assert_msg(!h->must_not_say || !strstr(output, h->must_not_say), "%s: a check's output says \"%s\":\n%.1500s",
                      h->name, h->must_not_say, output);
        for (k = 0; k < sizeof grader_secrets / sizeof grader_secrets[0]; k++)
            ck_assert_msg(!strstr(output, grader_secrets[k]), "%s: a check's output holds the grader's %s:\n%.1500s",
                          h->name, grader_secrets[k], output);
    }
    if (h->must_fail[0]) {
        /* It runs the command, so some checks pass; these must not. */
        char records[256];
        snprintf(records, sizeof records, SCRATCH "/grade-%s/records/02_ipc.jsonl", h->name);
        for (i = 0; i < 4 && h->must_fail[i]; i++)
            ck_assert_msg(strcmp(recorded_verdict(records, h->must_fail[i]), "FAIL") == 0, "%s: %s should FAIL:\n%.1500s",
                          h->name, h->must_fail[i], text);
    } else {
        ck_assert_msg(matching * 2 >= n, "%s: fewer than half the checks ended in %s:\n%.1500s", h->name,
                      h->verdict ? h->verdict : "a verdict", text);
        /* None of them runs the command as asked, so every check must fail:
         * this also proves that each check of labs 01-02 can fail. */
        ck_assert_msg(json_object_get_double(score) == 0, "%s: scored %g:\n%.1500s", h->name,
                      json_object_get_double(score), text);
    }
    ck_assert_msg(!h->must_say || saying * 2 >= n, "%s: fewer than half the checks say \"%s\":\n%.1500s", h->name,
                  h->must_say, text);
    /* Nothing the lab did stays: no key planted in the grader's keyring, no
     * world cgroup left, the machine as it was. */
    ck_assert_msg(syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, "user", "nslab-planted", 0) == -1,
                  "%s: a key planted by the lab is in the grader's session keyring", h->name);
    {
        char *left = abandoned_worlds();
        ck_assert_msg(!left[0], "%s: world cgroups left on the machine:\n%s", h->name, left);
        free(left);
    }
    ASSERT_MACHINE_SAME(before, after, "hostile lab", h->name);
    ck_assert_msg(!leftover_processes(), "%s left processes running", h->name);
    json_object_put(results);
    free(text);
    free(before);
    free(after);
}
END_TEST

/* The superblock remount, run outside any test world (as real root, in a
 * private mount namespace of this test's own holding a scratch tmpfs), does
 * turn the scratch filesystem read-only: so the hostile lab "remount" is
 * really dangerous, and the same lab graded in a test world (the same
 * namespace) leaves it read-write. */
START_TEST(remount_reaches_the_machine_only_outside_the_world)
{
    char *world, *direct;

    compile("harness/tests/hostile/remount.c", SCRATCH "/hostile-remount", "02_ipc");
    ck_assert_int_eq(sh("rm -rf " SCRATCH "/gremount && mkdir -p " SCRATCH "/gremount/sub && "
                        "cp harness/tests/hostile/remount.c " SCRATCH "/gremount/sub/02_ipc.c && "
                        "unshare --mount --propagation private sh -c '"
                        "mount -t tmpfs -o size=1m nslab-remount-scratch " REMOUNT_SCRATCH " && "
                        "NSLAB_TIMEOUT=0.4 build/nslab-grade --labs 02 --submission " SCRATCH "/gremount/sub "
                        "--out " SCRATCH "/gremount/out >/dev/null 2>&1; "
                        "grep nslab-remount-scratch /proc/self/mountinfo > " SCRATCH "/gremount/world.txt; "
                        SCRATCH "/hostile-remount 2>/dev/null; "
                        "grep nslab-remount-scratch /proc/self/mountinfo > " SCRATCH "/gremount/direct.txt'"), 0);
    world = slurp(SCRATCH "/gremount/world.txt");
    direct = slurp(SCRATCH "/gremount/direct.txt");
    ck_assert_msg(strstr(world, "nslab-remount-scratch rw,"), "graded in a test world, the lab changed the "
                  "scratch filesystem:\n%s", world);
    ck_assert_msg(strstr(direct, "nslab-remount-scratch ro,"), "run directly as root, the lab did not change "
                  "the scratch filesystem, so the graded run proves nothing:\n%s", direct);
    free(world);
    free(direct);
}
END_TEST

/* ---- the grader's edges ------------------------------------------------- */

START_TEST(unknown_lab_is_a_clear_error)
{
    ck_assert_int_eq(sh("build/nslab-grade --labs 11 --out " SCRATCH "/g11 >/dev/null 2>" SCRATCH "/g11.err"), 2);
    ck_assert_int_eq(sh("test $(wc -l < " SCRATCH "/g11.err) -eq 1"), 0);
}
END_TEST

START_TEST(missing_submission_scores_zero_and_says_so)
{
    int st = sh("build/nslab-grade --labs 01 --submission /nonexistent --out " SCRATCH "/gmissing "
                ">" SCRATCH "/gmissing.out 2>&1");
    char *report;

    ck_assert_msg(st == 1 || st == 2, "exit %d", st);
    report = slurp(SCRATCH "/gmissing.out");
    ck_assert_msg(strstr(report, "/nonexistent"), "the report does not name the missing folder:\n%s", report);
    free(report);
}
END_TEST

START_TEST(grader_reports_solutions_full_marks)
{
    char *text;
    struct json_object *results, *score;

    /* Without root on cgroup v1 the world has no cgroup: labs 07 on are ENV
     * (the grader's exit 2, "this machine cannot"), the others full marks. */
    if (world_without_cgroup()) {
        ck_assert_int_eq(sh("build/nslab-grade --labs 07 --submission solutions --out " SCRATCH "/gsol07 --color never "
                            ">" SCRATCH "/gsol07.out 2>&1"), 2);
        ck_assert_int_eq(sh("build/nslab-grade --labs 01,02,03,04,05,06 --submission solutions --out " SCRATCH
                            "/gsol --color never >" SCRATCH "/gsol.out 2>&1"), 0);
    } else {
        ck_assert_int_eq(sh("build/nslab-grade --submission solutions --out " SCRATCH "/gsol --color never "
                            ">" SCRATCH "/gsol.out 2>&1"), 0);
    }
    text = slurp(SCRATCH "/gsol/results.json");
    results = json_tokener_parse(text);
    ck_assert_ptr_nonnull(results);
    ck_assert(json_object_object_get_ex(results, "score", &score));
    ck_assert_double_gt(json_object_get_double(score), 0);
    ck_assert_int_eq(sh("grep -q '<testsuites' " SCRATCH "/gsol/junit.xml"), 0);
    json_object_put(results);
    free(text);
}
END_TEST

/* NSLAB_KIT_LIST=1: each broken variant and hostile lab, a line each,
 * "NAME<TAB>LAB<TAB>CHECK,CHECK..." (the checks that must catch it), for the
 * rules map's check (harness/tests/rules.sh). */
static void list_variants(void)
{
    size_t i, k;

    for (i = 0; i < NVARIANTS; i++) {
        printf("%s\t%s\t", variants[i].name, variants[i].lab);
        for (k = 0; k < 8 && variants[i].must_fail[k]; k++)
            printf("%s%s", k ? "," : "", variants[i].must_fail[k]);
        putchar('\n');
    }
    for (i = 0; i < NHOSTILES; i++) {
        printf("hostile:%s\t02_ipc\t", hostiles[i].name);
        for (k = 0; k < 4 && hostiles[i].must_fail[k]; k++)
            printf("%s%s", k ? "," : "", hostiles[i].must_fail[k]);
        printf("%s\n", hostiles[i].must_fail[0] ? "" : "*");
    }
}

int main(void)
{
    Suite *s = suite_create("nslab kit");
    TCase *sol = tcase_create("solutions"), *start = tcase_create("starters");
    TCase *broken = tcase_create("broken variants"), *hostile = tcase_create("hostile labs");
    TCase *grader = tcase_create("grader");
    SRunner *sr;
    int failed;
    size_t i;

    if (getenv("NSLAB_KIT_LIST")) {
        list_variants();
        return 0;
    }
    if (mkdir(SCRATCH, 0755) == -1 && errno != EEXIST) {
        perror(SCRATCH);
        return 2;
    }
    {
        static struct registry reg;
        char err[512];
        if (registry_load("grading/labs.tsv", &reg, err, sizeof err) == -1) {
            fprintf(stderr, "%s\n", err);
            return 2;
        }
        for (i = 0; i < (size_t)reg.n; i++)
            if (reg.labs[i].ready)
                lab_names[nlabs++] = reg.labs[i].name;
    }
    tcase_add_loop_test(sol, solution_scores_full_marks, 0, nlabs);
    tcase_add_loop_test(start, starter_fails_exactly_its_own_layer, 0, nlabs);
    rootless = geteuid() != 0;
    only_lab = getenv("NSLAB_KIT_LAB") && *getenv("NSLAB_KIT_LAB") ? getenv("NSLAB_KIT_LAB") : NULL;
    for (i = 0; i < NVARIANTS; i++)
        if (only_lab && strcmp(variants[i].lab, only_lab) != 0)
            continue;
        else if (!rootless || !variants[i].needs_cgroup)
            variant_index[nvariant_index++] = i;
        else
            printf("rootless: variant %s left out (the world has no cgroup here)\n", variants[i].name);
    for (i = 0; i < NHOSTILES; i++)
        if (getenv("NSLAB_KIT_HOSTILE") && !strstr(getenv("NSLAB_KIT_HOSTILE"), hostiles[i].name))
            continue;   /* NSLAB_KIT_HOSTILE="cheat02_ns probe_swap": only those */
        else if (!rootless || !hostiles[i].needs_root)
            hostile_index[nhostile_index++] = i;
        else
            printf("rootless: hostile lab %s left out (it needs root on the machine)\n", hostiles[i].name);
    tcase_add_loop_test(broken, broken_variant_is_caught, 0, (int)nvariant_index);
    tcase_add_loop_test(hostile, hostile_lab_gets_a_clear_verdict, 0, (int)nhostile_index);
    tcase_add_unchecked_fixture(hostile, plant_secrets, remove_secrets);
    if (!rootless && (!getenv("NSLAB_KIT_HOSTILE") || strstr(getenv("NSLAB_KIT_HOSTILE"), "remount")))
        tcase_add_test(hostile, remount_reaches_the_machine_only_outside_the_world);
    tcase_add_test(grader, unknown_lab_is_a_clear_error);
    tcase_add_test(grader, missing_submission_scores_zero_and_says_so);
    tcase_add_test(grader, grader_reports_solutions_full_marks);
    tcase_set_timeout(sol, 120);
    tcase_set_timeout(start, 120);
    tcase_set_timeout(broken, 120);
    tcase_set_timeout(hostile, 180);
    tcase_set_timeout(grader, 120);
    suite_add_tcase(s, sol);
    suite_add_tcase(s, start);
    suite_add_tcase(s, broken);
    suite_add_tcase(s, hostile);
    suite_add_tcase(s, grader);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_VERBOSE);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
