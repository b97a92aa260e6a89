/* The checks of lab 07_cgroup: limits a container cannot escape. Limits are
 * drawn at random each run, and each is read from outside, from the cgroup
 * that /proc/PID/cgroup names for the command, then proved by what happens
 * inside: a memory hog killed, a fork loop stopped, a busy loop slowed. The
 * same checks hold on cgroup v1 and v2. */
#define _GNU_SOURCE
#include "checks.h"
#include "faults.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GROUP "07_cgroup.md#making-the-group"
#define MEMORY "07_cgroup.md#memory-and-the-oom-killer"
#define PIDS "07_cgroup.md#counting-tasks"
#define CPU "07_cgroup.md#cpu-bandwidth"
#define CGROUPNS "07_cgroup.md#the-cgroup-namespace"
#define NOTHING_LEFT "07_cgroup.md#leaving-nothing-behind"
#define OPTIONS "07_cgroup.md#the-options"

/* Random limits, as the options and as the kernel should hold them. */
struct limits {
    char memory_arg[24];                /* "37M", "9216K" */
    unsigned long long memory;          /* bytes */
    char pids_arg[16];
    long pids;
    char cpus_arg[16];                  /* "0.35" */
    long cpu_quota;                     /* microseconds per 100000 */
};

static void draw_limits(struct limits *l)
{
    if (rand_range(0, 1)) {
        unsigned m = rand_range(24, 200);
        snprintf(l->memory_arg, sizeof l->memory_arg, "%u%s", m, rand_range(0, 1) ? "M" : "m");
        l->memory = (unsigned long long)m << 20;
    } else {
        unsigned k = 4 * rand_range(6000, 50000);   /* whole pages */
        snprintf(l->memory_arg, sizeof l->memory_arg, "%uK", k);
        l->memory = (unsigned long long)k << 10;
    }
    l->pids = rand_range(8, 60);
    snprintf(l->pids_arg, sizeof l->pids_arg, "%ld", l->pids);
    l->cpu_quota = 1000L * rand_range(20, 80);
    snprintf(l->cpus_arg, sizeof l->cpus_arg, "0.%02ld", l->cpu_quota / 1000);
}

/* Every cgroup file the checks read, from outside, for the probe. */
struct seen {
    char path[3][256];                  /* memory, pids, cpu: /proc/PID/cgroup's paths */
    char memory[160], memsw[160], swap[160], pids[160], cpu[160], period[160], oom[160];
    int v2;
    pid_t parent;                       /* the command's parent, while it ran */
};
/* `during` runs in the world's PID 1, a copy of the check: what it sees
 * comes back in r->user. */
_Static_assert(sizeof(struct seen) <= NOTE_CAP, "struct seen must fit in world_result.user");

static void get_seen(const struct world_result *r, struct seen *s)
{
    memcpy(s, r->user, sizeof *s);
}

static void read_one(pid_t pid, const char *controller, const char *file, char *path, size_t pn, char *out,
                     size_t n)
{
    char buf[1024];

    if (world_cgroup_file(pid, controller, file, path, pn, buf, sizeof buf) < 0)
        snprintf(out, n, "(%.150s)", buf);
    else
        snprintf(out, n, "%.150s", buf);
}

/* A line "KEY N" of a flat-keyed cgroup file (memory.events, oom_control). */
static void keyed(const char *text, const char *key, char *out, size_t n)
{
    const char *p = text;
    size_t k = strlen(key);

    snprintf(out, n, "(no %s line)", key);
    for (; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, key, k) == 0 && p[k] == ' ') {
            snprintf(out, n, "%.*s", (int)strcspn(p + k + 1, "\n"), p + k + 1);
            return;
        }
}

static void look_from_outside(struct world_result *r, void *data)
{
    struct seen seen, *s = &seen;
    char ignored[256], text[1024], state, *events;
    pid_t pid = r->probe_pid;

    (void)data;
    memset(s, 0, sizeof *s);
    s->parent = process_parent(pid, &state);
    s->v2 = r->cgroup_version == 2;
    if (s->v2) {
        read_one(pid, "memory", "memory.max", s->path[0], sizeof s->path[0], s->memory, sizeof s->memory);
        read_one(pid, "memory", "memory.swap.max", ignored, sizeof ignored, s->swap, sizeof s->swap);
        read_one(pid, "pids", "pids.max", s->path[1], sizeof s->path[1], s->pids, sizeof s->pids);
        read_one(pid, "cpu", "cpu.max", s->path[2], sizeof s->path[2], s->cpu, sizeof s->cpu);
        events = "memory.events";
    } else {
        read_one(pid, "memory", "memory.limit_in_bytes", s->path[0], sizeof s->path[0], s->memory, sizeof s->memory);
        read_one(pid, "memory", "memory.memsw.limit_in_bytes", ignored, sizeof ignored, s->memsw, sizeof s->memsw);
        read_one(pid, "pids", "pids.max", s->path[1], sizeof s->path[1], s->pids, sizeof s->pids);
        read_one(pid, "cpu", "cpu.cfs_quota_us", s->path[2], sizeof s->path[2], s->cpu, sizeof s->cpu);
        read_one(pid, "cpu", "cpu.cfs_period_us", ignored, sizeof ignored, s->period, sizeof s->period);
        events = "memory.oom_control";
    }
    if (world_cgroup_file(pid, "memory", events, ignored, sizeof ignored, text, sizeof text) < 0)
        snprintf(s->oom, sizeof s->oom, "(%.150s)", text);
    else
        keyed(text, "oom_kill", s->oom, sizeof s->oom);
    memcpy(r->user, s, sizeof *s);
}

/* The CPU limit as a share: v2 "QUOTA PERIOD" or "max PERIOD"; v1 quota
 * and period apart (-1: none). -1 when there is none. */
static double cpu_share(const struct seen *s)
{
    long quota = -1, period = 0;

    if (s->v2) {
        if (sscanf(s->cpu, "%ld %ld", &quota, &period) != 2)
            return -1;
    } else if (sscanf(s->cpu, "%ld", &quota) != 1 || sscanf(s->period, "%ld", &period) != 1) {
        return -1;
    }
    return quota > 0 && period > 0 ? (double)quota / (double)period : -1;
}

/* The kernel's word for "no limit": v2 "max"; v1 a huge number. */
static int unlimited(const char *value)
{
    return strcmp(value, "max") == 0 || strtoull(value, NULL, 10) >= (1ULL << 60);
}

/* All the container's groups must be one of its own: /nslab/<PID> (per
 * controller on v1), PID that of the command (the lab's child) or the lab. */
static void expect_own_group(struct check *c, const struct world_result *r, const struct seen *s)
{
    static const char *const names[] = { "memory", "pids", "cpu" };
    char want[2][64];
    int i;

    snprintf(want[0], sizeof want[0], "/nslab/%d", (int)r->probe_pid);
    snprintf(want[1], sizeof want[1], "/nslab/%d", (int)s->parent);
    for (i = 0; i < 3; i++)
        if (strcmp(s->path[i], want[0]) != 0 && strcmp(s->path[i], want[1]) != 0)
            check_fail(c, "the command in a cgroup of its own, nslab/<PID> under the hierarchy's root (handout 07)",
                       "/proc/%d/cgroup (the command's, seen from the host) puts it in %s for %s (the command's "
                       "PID there is %d)", (int)r->probe_pid, s->path[i], names[i], (int)r->probe_pid);
}

/* From outside: the command's group holds every limit asked for. */
CHECK(cgroup_limits_seen_from_outside)
{
    struct limits l;
    struct seen s;
    struct world_spec spec = { .during = look_from_outside };
    struct world_result *r;
    char expected[512], want_memory[32];
    double share;

    draw_limits(&l);
    r = lab_run(c, &spec, ARGS("--memory", l.memory_arg, "--pids-limit", l.pids_arg, "--cpus", l.cpus_arg, "--",
                               probe(), "--wait"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    get_seen(r, &s);
    expect_own_group(c, r, &s);
    snprintf(want_memory, sizeof want_memory, "%llu", l.memory);
    share = cpu_share(&s);
    snprintf(expected, sizeof expected, "--memory %s: %s bytes, and no swap beyond it; --pids-limit %s: %s; --cpus %s: "
             "a quota of %.2f of each period", l.memory_arg, want_memory, l.pids_arg, l.pids_arg, l.cpus_arg,
             (double)l.cpu_quota / 100000);
    if (strcmp(s.memory, want_memory) != 0 || strcmp(s.pids, l.pids_arg) != 0 || share < 0 ||
        (long)(share * 100000 + 0.5) != l.cpu_quota ||
        (s.v2 ? (s.swap[0] != '(' && strcmp(s.swap, "0") != 0) : (s.memsw[0] != '(' && strcmp(s.memsw, want_memory) != 0)))
        check_fail(c, expected, "in %s: %s %s, %s %s, pids.max %s, %s %s%s%s", s.path[0],
                   s.v2 ? "memory.max" : "memory.limit_in_bytes", s.memory,
                   s.v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes", s.v2 ? s.swap : s.memsw, s.pids,
                   s.v2 ? "cpu.max" : "cpu.cfs_quota_us", s.cpu, s.v2 ? "" : ", cpu.cfs_period_us ",
                   s.v2 ? "" : s.period);
}

/* A limit not asked for is left as the kernel made it. */
CHECK(cgroup_unset_limits_left_alone)
{
    struct limits l;
    struct seen s;
    struct world_spec spec = { .during = look_from_outside };
    struct world_result *r;

    draw_limits(&l);
    r = lab_run(c, &spec, ARGS("--pids-limit", l.pids_arg, "--", probe(), "--wait"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    get_seen(r, &s);
    expect_own_group(c, r, &s);
    if (strcmp(s.pids, l.pids_arg) != 0 || !unlimited(s.memory) || cpu_share(&s) >= 0)
        check_fail(c, "with --pids-limit alone, pids.max set and no memory or CPU limit on the group",
                   "pids.max %s, memory limit %s, CPU %s%s%s", s.pids, s.memory, s.cpu, s.v2 ? "" : " per ",
                   s.v2 ? "" : s.period);
}

/* A hog that touches twice --memory is killed by the OOM killer, and the
 * group counts the kill. The shell runs the hog, then a probe that waits
 * while the harness reads the group's count, then exits with the hog's
 * status. */
CHECK(cgroup_memory_hog_is_killed)
{
    struct seen s;
    struct world_spec spec = { .during = look_from_outside };
    struct world_result *r;
    char memory[16], script[512];
    unsigned mib = rand_range(16, 48);

    snprintf(memory, sizeof memory, "%uM", mib);
    snprintf(script, sizeof script, "%s --hog %llu >/dev/null; s=$?; %s --wait >/dev/null; exit $s", probe(),
             (unsigned long long)(2 * mib) << 20, probe());
    r = lab_run(c, &spec, ARGS("--memory", memory, "--", "/bin/sh", "-c", script));
    get_seen(r, &s);
    if (!WIFEXITED(r->lab_status) || WEXITSTATUS(r->lab_status) != 137) {
        char hog[64];
        snprintf(hog, sizeof hog, "%s", probe_value(r, "hog"));
        check_fail(c, "a program touching twice --memory to be killed (SIGKILL: exit status 137)",
                   "the lab exited with %d; the hog reported touching %s bytes (of %llu)%s",
                   WIFEXITED(r->lab_status) ? WEXITSTATUS(r->lab_status) : -1, hog[0] ? hog : "no",
                   (unsigned long long)(2 * mib) << 20,
                   r->err[0] ? "; stderr: " : "");
    }
    expect_probe_ready(c, r);
    if (atol(s.oom) < 1)
        check_fail(c, "the container's group to count the OOM kill (oom_kill in memory.events, v1 memory.oom_control)",
                   "oom_kill: %s, in the group %s", s.oom, s.path[0]);
}

/* A fork loop stops at --pids-limit: every task counts, the command too. */
CHECK(cgroup_fork_loop_stops_at_the_limit)
{
    struct world_result *r;
    long pids = rand_range(8, 40), ok;
    char limit[16], want[32], expected[200];

    snprintf(limit, sizeof limit, "%ld", pids);
    snprintf(want, sizeof want, "%ld", pids + 30);
    r = lab_run(c, NULL, ARGS("--pids-limit", limit, "--", probe(), "--forks", want));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    ok = atol(probe_value(r, "forks_ok"));
    snprintf(expected, sizeof expected, "with --pids-limit %ld, a program to fork %ld to %ld children (the limit "
             "counts it and the container's other tasks) and then be refused (EAGAIN)", pids, pids - 3, pids - 1);
    if (ok > pids - 1 || ok < pids - 3 || !probe_value(r, "forks_err")[0])
        check_fail(c, expected, "it forked %ld children%s%s", ok, probe_value(r, "forks_err")[0] ? "; then: " : ", "
                   "all it asked for", probe_value(r, "forks_err"));
}

/* A busy loop gets about --cpus of one CPU: never much more, nor starved. */
CHECK(cgroup_busy_loop_gets_its_share)
{
    struct world_result *r;
    long hundredths = rand_range(20, 50);
    char cpus[16], expected[200];
    double cpu, wall, share, want = (double)hundredths / 100;

    /* The loop itself takes 1.5 s: more time than a lab's usual limit on
     * a slow (emulated) machine. */
    struct world_spec spec = { .timeout = lab_timeout + 5 };

    snprintf(cpus, sizeof cpus, "0.%02ld", hundredths);
    r = lab_run(c, &spec, ARGS("--cpus", cpus, "--", probe(), "--spin", "1.5"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    cpu = atof(probe_value(r, "spin_cpu_ms"));
    wall = atof(probe_value(r, "spin_wall_ms"));
    share = wall > 0 ? cpu / wall : 0;
    snprintf(expected, sizeof expected, "with --cpus %s, a busy loop to get %.2f of a CPU (between %.2f and %.2f: "
             "not more, and not starved)", cpus, want, want * 0.5, want + 0.12);
    if (share > want + 0.12 || share < want * 0.5)
        check_fail(c, expected, "it got %.0f ms of CPU in %.0f ms: %.2f of a CPU", cpu, wall, share);
}

/* Inside, every line of /proc/self/cgroup says "/", while from outside the
 * command is in a group of its own. */
CHECK(cgroup_inside_shows_the_root)
{
    struct world_spec spec = { .during = look_from_outside };
    struct world_result *r;
    struct seen s;
    const char *line;
    char script[256];

    snprintf(script, sizeof script, "cat /proc/self/cgroup; exec %s --wait", probe());
    r = lab_run(c, &spec, ARGS("--pids-limit", "50", "--", "/bin/sh", "-c", script));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    get_seen(r, &s);
    expect_own_group(c, r, &s);
    for (line = r->out; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : line + strlen(line)) {
        const char *path = strchr(line, ':') ? strchr(strchr(line, ':') + 1, ':') : NULL;
        if (!path || strncmp(path, ":/\n", 3) != 0)
            check_fail(c, "inside, /proc/self/cgroup to show the container's group as / on every line",
                       "cat /proc/self/cgroup printed:\n%s(from outside, the command is in %s)", r->out, s.path[1]);
    }
    if (!r->out[0])
        check_fail(c, "inside, /proc/self/cgroup to show the container's group as /", "cat printed nothing");
}

/* The world holds the parent's first open of a cgroup.procs file for 300 ms:
 * a child that goes on before it is in its group (the parent moving it after
 * letting it go) is caught outside its group when the command starts. */
CHECK(cgroup_command_starts_in_its_group)
{
    static const struct world_faults faults = { .slow_cgroup = 1 };
    struct world_spec spec = { .during = look_from_outside, .faults = &faults };
    struct world_result *r;
    struct seen s;

    need_linux_5_5(c);
    r = lab_run(c, &spec, ARGS("--pids-limit", "50", "--", probe(), "--wait"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    get_seen(r, &s);
    expect_own_group(c, r, &s);
}

CHECK(cgroup_namespace_differs)
{
    struct world_result *r = lab_run(c, NULL, ARGS("--", probe(), "--wait"));

    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    expect_ns_differs(c, r, NS_CGROUP);
}

/* The kernel refuses a quota below 1 ms (EINVAL) after the group is made:
 * the lab must say so in one line, exit 125 and remove the group (the
 * world's snapshot lists every cgroup, and lab_run compares it). */
CHECK(cgroup_failed_setup_removes_the_group)
{
    struct world_result *r = lab_run(c, NULL, ARGS("--memory", "64M", "--pids-limit", "50", "--cpus", "0.005", "--",
                                                   probe()));

    expect_exit(c, r, 125);
    expect_one_error_line(c, r);
    if (r->probe[0])
        check_fail(c, "the command not to run when its limits could not be set", "the probe ran:\n%.2000s", r->probe);
}

/* A machine without the cpu controller: --cpus is refused before anything
 * is made; the other limits still work. */
CHECK(cgroup_missing_controller)
{
    static const struct world_faults faults = { .no_controller = "cpu" };
    struct world_spec spec = { .faults = &faults };
    struct world_result *r = lab_run(c, &spec, ARGS("--cpus", "0.5", "--", "true"));

    struct seen s;

    expect_usage_error(c, r, "--cpus");
    spec.during = look_from_outside;
    r = lab_run(c, &spec, ARGS("--memory", "64M", "--pids-limit", "50", "--", probe(), "--wait"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    get_seen(r, &s);
    if (strcmp(s.memory, "67108864") != 0 || strcmp(s.pids, "50") != 0)
        check_fail(c, "without a cpu controller, --memory 64M and --pids-limit 50 still to hold",
                   "memory limit %s, pids.max %s", s.memory, s.pids);
}

CHECK(cgroup_verbose_narrates)
{
    struct world_result *r;

    expect_verbose_names(c, "CLONE_NEWCGROUP");
    r = lab_run(c, NULL, ARGS("-v", "--memory", "64M", "--", "true"));
    if (!strstr(r->err, "nslab/"))
        check_fail(c, "--verbose to name the container's group (nslab/<PID>)", "stderr:\n%s", r->err);
}

/* Bad limits: 125, one line naming the option, nothing made. */
CHECK(cgroup_bad_limit_exit_125)
{
    static char *const bad[][2] = {
        { "--memory", "12Q" }, { "--memory", "0" }, { "--memory", "-5M" }, { "--memory", " -5" }, { "--cpus", "0" },
        { "--cpus", "abc" }, { "--cpus", "999" }, { "--pids-limit", "-3" }, { "--pids-limit", "7x" },
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct world_result *r = lab_run(c, NULL, ARGS(bad[i][0], bad[i][1], "--", "true"));
        expect_usage_error(c, r, bad[i][0]);
    }
}

static const struct check_info checks[] = {
    CHECK_ENTRY(cgroup_limits_seen_from_outside, "from outside, the command's group nslab/<PID> holds --memory (no "
                "swap), --pids-limit and --cpus", GROUP),
    CHECK_ENTRY(cgroup_unset_limits_left_alone, "a limit not asked for is left unset", GROUP),
    CHECK_ENTRY(cgroup_memory_hog_is_killed, "a program touching twice --memory is killed (137) and the group counts "
                "the OOM kill", MEMORY),
    CHECK_ENTRY(cgroup_fork_loop_stops_at_the_limit, "a fork loop stops at --pids-limit", PIDS),
    CHECK_ENTRY(cgroup_busy_loop_gets_its_share, "a busy loop gets about --cpus of a CPU", CPU),
    CHECK_ENTRY(cgroup_inside_shows_the_root, "inside, /proc/self/cgroup shows /", CGROUPNS),
    CHECK_ENTRY(cgroup_command_starts_in_its_group, "the command starts in its group (the parent is slowed on "
                "purpose)", GROUP),
    CHECK_ENTRY(cgroup_namespace_differs, "the cgroup namespace differs from the host's, seen from outside", CGROUPNS),
    CHECK_ENTRY(cgroup_failed_setup_removes_the_group, "a limit the kernel refuses gives 125, one line, and no group "
                "left", NOTHING_LEFT),
    CHECK_ENTRY(cgroup_missing_controller, "a limit for a controller the machine lacks gives 125; the others work",
                OPTIONS),
    CHECK_ENTRY(cgroup_verbose_narrates, "--verbose names CLONE_NEWCGROUP and the group", CGROUPNS),
    CHECK_ENTRY(cgroup_bad_limit_exit_125, "bad --memory, --cpus or --pids-limit: exit 125 with one line naming "
                "the option", OPTIONS),
    { NULL, NULL, NULL, NULL },
};

LAYER("07_cgroup", checks);
