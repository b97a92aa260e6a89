/* Verdicts and records; see checks.h. The verdict of a run itself comes
 * from judge.c; this file runs the lab, records, and ends the check. */
#define _GNU_SOURCE
#include "checks.h"
#include "judge.h"
#include "util.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/utsname.h>
#include <unistd.h>

const char *lab_program;
const char *graded_lab;
const struct registry *kit_registry;
int graded_index;
const char *records_path;
double lab_timeout = 3.0;
int want_details;

/* The layers LAYER() registered, sorted by lab when first asked for. */
static const struct layer *registered[REGISTRY_MAX];
static size_t n_registered;

void layer_register(const struct layer *layer)
{
    if (n_registered < REGISTRY_MAX)
        registered[n_registered++] = layer;
}

static int by_lab(const void *a, const void *b)
{
    return strcmp((*(const struct layer *const *)a)->lab, (*(const struct layer *const *)b)->lab);
}

const struct layer *const *layers_in_order(size_t *n)
{
    static int sorted;

    if (!sorted) {
        qsort(registered, n_registered, sizeof registered[0], by_lab);
        sorted = 1;
    }
    *n = n_registered;
    return registered;
}

int graded_needs(int need)
{
    return (registry_world(kit_registry, graded_index) & need) != 0;
}

int graded_has_option(const char *option)
{
    return registry_has_option(kit_registry, graded_index, option);
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void check_begin(struct check *c, const char *id)
{
    size_t n_layers, l, i;
    const struct layer *const *all_layers = layers_in_order(&n_layers);

    memset(c, 0, sizeof *c);
    c->start = now();
    for (l = 0; l < n_layers; l++)
        for (i = 0; all_layers[l]->checks[i].id; i++)
            if (strcmp(all_layers[l]->checks[i].id, id) == 0) {
                c->info = &all_layers[l]->checks[i];
                c->layer = all_layers[l]->lab;
            }
    ck_assert_msg(c->info != NULL, "check %s is in no layer's table", id);
}

/* The folder of the handouts in the language NSLAB_LANG names: "zh/" for
 * Chinese (zh, zh_CN, zh_CN.UTF-8 ...), "" for English, the default. */
static const char *hint_language(void)
{
    const char *lang = getenv("NSLAB_LANG");

    return lang && strncmp(lang, "zh", 2) == 0 ? "zh/" : "";
}

/* One JSON line per check, in one write(2), so that checks running in
 * Check's forked children never interleave. */
static void write_record(const struct check *c, const char *verdict, const char *expected,
                         const char *seen)
{
    struct json_object *o = json_object_new_object();
    char layer[3] = { c->layer[0], c->layer[1], '\0' };
    char hint[512];
    const char *text;
    int fd;

    /* NSLAB_LANG=zh: the Chinese handout's section, which has the same anchor.
     * A check of an earlier lab's layer that fails under a later lab: the
     * later lab's code broke it, so its Task first, then the section. */
    if (strncmp(c->layer, graded_lab, 2) != 0)
        snprintf(hint, sizeof hint, "handouts/%s%s.md#task (lab %.2s's code broke this check of lab %.2s: "
                 "handouts/%s%s)", hint_language(), graded_lab, graded_lab, c->layer, hint_language(), c->info->hint);
    else
        snprintf(hint, sizeof hint, "handouts/%s%s", hint_language(), c->info->hint);
    json_object_object_add(o, "lab", json_object_new_string(graded_lab));
    json_object_object_add(o, "layer", json_object_new_string(layer));
    json_object_object_add(o, "check", json_object_new_string(c->info->id));
    json_object_object_add(o, "title", json_object_new_string(c->info->title));
    json_object_object_add(o, "verdict", json_object_new_string(verdict));
    json_object_object_add(o, "seconds", json_object_new_double(now() - c->start));
    json_object_object_add(o, "command", json_object_new_string(c->command));
    json_object_object_add(o, "expected", json_object_new_string(expected ? expected : ""));
    json_object_object_add(o, "seen", json_object_new_string(seen ? seen : ""));
    json_object_object_add(o, "hint", json_object_new_string(strcmp(verdict, "PASS") ? hint : ""));
    if (c->details)
        json_object_object_add(o, "details", json_object_new_string(c->details));
    text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    if (records_path) {
        char *line = NULL;
        fd = open(records_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd != -1 && asprintf(&line, "%s\n", text) > 0 &&
            write(fd, line, strlen(line)) != (ssize_t)strlen(line))
            fprintf(stderr, "nslab-check: cannot write %s\n", records_path);
        free(line);
        if (fd != -1)
            close(fd);
    }
    json_object_put(o);
}

void record_not_run(const struct layer *layer, const struct check_info *info, const char *expected,
                    const char *seen)
{
    struct check c;

    memset(&c, 0, sizeof c);
    c.info = info;
    c.layer = layer->lab;
    c.start = now();
    snprintf(c.command, sizeof c.command, "(not run)");
    write_record(&c, "ENV", expected, seen);
}

void check_pass(struct check *c)
{
    write_record(c, "PASS", NULL, NULL);
}

void check_end(struct check *c, const char *verdict, const char *expected, const char *seen)
{
    write_record(c, verdict, expected, seen);
    /* Check carries messages of a few KiB at most: the record has it all. */
    ck_abort_msg("%s %s: expected %.300s; seen %.600s", verdict, c->info->id, expected, seen);
    abort();   /* not reached: ck_abort_msg does not return */
}

void check_fail(struct check *c, const char *expected, const char *fmt, ...)
{
    char seen[8192];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(seen, sizeof seen, fmt, ap);
    va_end(ap);
    check_end(c, "FAIL", expected, seen);
}

char *probe(void)
{
    return (char *)WORLD_KIT_DIR "/nslab-probe";
}

int fallback_tunnel(const char *name_and_state)
{
    static const char *const names[] = { "tunl0", "sit0", "gre0", "gretap0", "erspan0", "ip_vti0",
                                         "ip6_vti0", "ip6tnl0", "ip6gre0" };
    size_t i, len = strcspn(name_and_state, " ");

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == len && strncmp(name_and_state, names[i], len) == 0)
            return strstr(name_and_state + len, "down") != NULL;
    return 0;
}

void random_hostname(char *buf, size_t n)
{
    char hex[11];

    rand_hex(hex, 10);
    snprintf(buf, n, "nslab-%s", hex);
}

/* The differences between two snapshots, for the details. */
static void snapshot_change(FILE *f, const char *label, const char *before, const char *after)
{
    char *changes = diff_lines(before, after);

    fprintf(f, "%s: %s", label, changes ? "\n" : "no change\n");
    if (changes)
        fputs(changes, f);
    free(changes);
}

/* With --details: everything the harness saw of one run, appended to the
 * check's details (make labNN CHECK=name shows them). */
static void add_details(struct check *c, const struct world_result *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    if (!f)
        return;
    if (c->details)
        fputs(c->details, f);
    fprintf(f, "--- run %d: %s\n", ++c->runs, c->command);
    if (!r->ready)
        fprintf(f, "the world could not be made: %s\n", r->env_error);
    else if (r->timed_out)
        fprintf(f, "still running after %.1f s, killed\n", r->seconds);
    else if (WIFSIGNALED(r->lab_status))
        fprintf(f, "died of signal %d after %.2f s\n", WTERMSIG(r->lab_status), r->seconds);
    else
        fprintf(f, "exit status %d after %.2f s\n", WEXITSTATUS(r->lab_status), r->seconds);
    fprintf(f, "stdout (%zu bytes):\n%s%s", r->out_total, r->out, r->out[0] && r->out[strlen(r->out) - 1] != '\n' ? "\n" : "");
    fprintf(f, "stderr (%zu bytes):\n%s%s", r->err_total, r->err, r->err[0] && r->err[strlen(r->err) - 1] != '\n' ? "\n" : "");
    if (r->probe[0])
        fprintf(f, "the probe reported:\n%s", r->probe);
    if (r->probe_ready)
        snapshot_change(f, "the host while the probe waited, against before", r->before, r->during_snap);
    if (r->ready)
        snapshot_change(f, "the host after the run, against before", r->before, r->after);
    if (r->forbidden[0])
        fprintf(f, "refused calls:\n%s", r->forbidden);
    if (r->note[0])
        fprintf(f, "notes:\n%s", r->note);
    fclose(f);
    free(c->details);
    c->details = text;
}

/* A lab changed the real machine: the whole run stops (main.c looks for the
 * marker file beside the records, and nslab-grade's stop file). */
static void stop_grading(void)
{
    char marker[4096];
    int fd;

    if (records_path) {
        snprintf(marker, sizeof marker, "%s.machine-changed", records_path);
        fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd != -1)
            close(fd);
    }
    /* nslab-grade runs labs side by side: it tells every harness of the
     * run to stop through this file. */
    if (getenv("NSLAB_STOP_FILE") && *getenv("NSLAB_STOP_FILE")) {
        fd = open(getenv("NSLAB_STOP_FILE"), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd != -1)
            close(fd);
    }
}

const char *lab_in_world(void)
{
    static char path[PATH_MAX];
    const char *slash = strrchr(lab_program, '/');

    snprintf(path, sizeof path, "%s/%s", WORLD_KIT_DIR, slash ? slash + 1 : lab_program);
    return path;
}

void lab_argv(char **argv, size_t max, char *const *args, int host_root)
{
    size_t i, n = 0;

    argv[n++] = (char *)lab_in_world();
    /* A lab that needs --root (lab 10): the checks of the earlier labs get a
     * root of the host's own programs, so they see the tools they always did. */
    if (host_root && graded_needs(NEED_ROOT)) {
        argv[n++] = "--root";
        argv[n++] = WORLD_ROOT_DIR;
    }
    for (i = 0; n + 1 < max && args[i]; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
}

struct world_result *lab_run(struct check *c, struct world_spec *spec, char *const *args)
{
    static struct judgement j;
    struct world_spec local = { 0 };
    char *argv[64];
    struct world_result *r;

    if (!spec)
        spec = &local;
    if (graded_needs(NEED_ROOT) && spec->root != ROOT_ROOTFS)   /* (a spec may be run twice) */
        spec->root = ROOT_HOST;
    lab_argv(argv, sizeof argv / sizeof argv[0], args, spec->root == ROOT_HOST);
    /* NSLAB_AS_USER=1 (the kit's tests): every run as a random user of the
     * world instead of its root, to show that a rootless lab (06 on) holds
     * the earlier labs' checks without root. */
    if (!spec->as_user.uid && getenv("NSLAB_AS_USER") && strcmp(getenv("NSLAB_AS_USER"), "1") == 0) {
        spec->as_user.uid = WORLD_USER_FIRST + rand_range(0, 65535);
        spec->as_user.gid = WORLD_USER_FIRST + rand_range(0, 65535);
    }
    spec->argv = argv;
    spec->lab_file = lab_program;
    if (spec->timeout <= 0)
        spec->timeout = lab_timeout;
    quote_argv(argv, c->command, sizeof c->command);
    if (spec->stdin_text)
        appendf(c->command, sizeof c->command, " <<< %s", spec->stdin_text);

    r = world_run(spec);
    if (!r)
        check_end(c, "ENV", "a test world", "no shared memory for the test world");
    if (want_details)
        add_details(c, r);
    judge_run(spec, r, registry_world(kit_registry, graded_index), &j);
    if (j.machine_changed)
        stop_grading();
    if (j.verdict)
        check_end(c, j.verdict, j.expected, j.seen);
    return r;
}

void expect_exit(struct check *c, const struct world_result *r, int code)
{
    char seen[16384] = "", expected[64];

    if (WIFEXITED(r->lab_status) && WEXITSTATUS(r->lab_status) == code)
        return;
    snprintf(expected, sizeof expected, "exit status %d", code);
    snprintf(seen, sizeof seen, "exit status %d%s\n", WEXITSTATUS(r->lab_status),
             WIFEXITED(r->lab_status) && WEXITSTATUS(r->lab_status) == 128 + SIGSYS
                 ? " (128 + SIGSYS: the command was killed by a seccomp filter's KILL action for a call it made; "
                   "Docker's filter answers EPERM, which a program can handle)"
                 : "");
    describe_output(r, seen, sizeof seen);
    check_end(c, "FAIL", expected, seen);
}

void expect_stdout(struct check *c, const struct world_result *r, const char *text)
{
    char seen[16384] = "", expected[4096];

    if (strcmp(r->out, text) == 0)
        return;
    snprintf(expected, sizeof expected, "stdout: %s", text);
    describe_output(r, seen, sizeof seen);
    check_end(c, "FAIL", expected, seen);
}

void expect_one_error_line(struct check *c, const struct world_result *r)
{
    char seen[16384] = "";
    const char *nl = strchr(r->err, '\n');

    if (r->err[0] && r->err[0] != '\n' && nl && nl[1] == '\0')
        return;
    describe_output(r, seen, sizeof seen);
    check_end(c, "FAIL", "exactly one line on stderr that says what went wrong", seen);
}

void expect_usage_error(struct check *c, const struct world_result *r, const char *option)
{
    char expected[128];

    expect_exit(c, r, 125);
    expect_one_error_line(c, r);
    if (strstr(r->err, option))
        return;
    snprintf(expected, sizeof expected, "the error line to name the option %s", option);
    check_fail(c, expected, "stderr: %s", r->err);
}

const char *probe_value(const struct world_result *r, const char *key)
{
    /* Several at once: one message may name a few values. */
    static char values[8][1024];
    static unsigned next;
    char *value = values[next++ % 8];

    if (!kv_get(r->probe, key, value, sizeof values[0]))
        value[0] = '\0';
    return value;
}

void expect_probe_ready(struct check *c, const struct world_result *r)
{
    char seen[16384] = "the probe (the container's command) never reported; ";

    /* (A probe without --wait may be gone before the harness looks at it
     * from outside: then probe_pid is 0, and only its report counts.) */
    if (r->probe_ready)
        return;
    describe_output(r, seen, sizeof seen);
    check_end(c, "FAIL", "the lab to run the command with its file descriptors 3 and 4 open", seen);
}

void expect_ns_differs(struct check *c, const struct world_result *r, enum ns_type t)
{
    expect_probe_ready(c, r);
    if (r->probe_ns[t] && r->probe_ns[t] != r->world_ns[t])
        return;
    check_fail(c, "a namespace of its own",
               "readlink /proc/%d/ns/%s = %s:[%lu], the same as the host's %s:[%lu]",
               (int)r->probe_pid, ns_name(t), ns_name(t), r->probe_ns[t], ns_name(t), r->world_ns[t]);
}

void expect_verbose_names(struct check *c, const char *flag)
{
    struct world_result *r = lab_run(c, NULL, ARGS("-v", "--", "true"));
    char expected[128];

    expect_exit(c, r, 0);
    if (strstr(r->err, flag))
        return;
    snprintf(expected, sizeof expected, "--verbose to name %s among the clone flags", flag);
    check_fail(c, expected, "stderr:\n%s", r->err);
}

void need_linux_5_5(struct check *c)
{
    struct utsname u;
    int major = 0, minor = 0;

    if (uname(&u) == 0 && sscanf(u.release, "%d.%d", &major, &minor) == 2 && (major > 5 || (major == 5 && minor >= 5)))
        return;
    check_end(c, "ENV", "Linux 5.5 or later, whose seccomp can hold one call of the lab and let it go on",
              "this machine runs an older kernel; the rest of the lab's checks run");
}
