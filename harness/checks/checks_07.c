/* The checks of lab 07_cgroup: limits a container cannot escape. Limits are
 * drawn at random each run, and each is read from outside, from the cgroup
 * that /proc/PID/cgroup names for the command, then proved by what happens
 * inside: a memory hog killed, a fork loop stopped, a busy loop slowed. The
 * same checks hold on cgroup v1 and v2. */
#define _GNU_SOURCE
#include "checks.h"
#include "faults.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GROUP "07_cgroup.md#making-the-group"
#define MEMORY "07_cgroup.md#memory-and-the-oom-killer"
#define PIDS "07_cgroup.md#counting-tasks"
#define CPU "07_cgroup.md#cpu-bandwidth"
#define CGROUPNS "07_cgroup.md#the-cgroup-namespace"
#define NOTHING_LEFT "07_cgroup.md#leaving-nothing-behind"
#define OPTIONS "07_cgroup.md#the-options"
#define HANDED "07_cgroup.md#the-groups-files-stay-the-hosts"
#define SHARED "07_cgroup.md#one-nslab-many-containers"

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
    /* Thousandths whose double, times 100000, falls just short of the whole
     * number (0.283 * 100000 = 28299.99...): a quota truncated instead of
     * rounded is 1 us short, and caught. */
    static const unsigned short short_of[][2] = { { 141, 146 }, { 282, 292 }, { 563, 584 } };
    unsigned k = rand_range(0, 2);
    long thousandths = rand_range(short_of[k][0], short_of[k][1]);
    l->cpu_quota = 100 * thousandths;
    snprintf(l->cpus_arg, sizeof l->cpus_arg, "0.%03ld", thousandths);
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

/* Inside, `cat /proc/self/cgroup` (the lab's stdout) showed the container's
 * group as "/" on every line. */
static void expect_root_inside(struct check *c, const struct world_result *r, const struct seen *s, const char *why)
{
    const char *line;
    char expected[256];

    snprintf(expected, sizeof expected, "inside, /proc/self/cgroup to show the container's group as / on every "
             "line%s", why);
    for (line = r->out; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : line + strlen(line)) {
        const char *path = strchr(line, ':') ? strchr(strchr(line, ':') + 1, ':') : NULL;
        if (!path || strncmp(path, ":/\n", 3) != 0)
            check_fail(c, expected, "cat /proc/self/cgroup printed:\n%s(from outside, the command is in %s)", r->out,
                       s->path[1]);
    }
    if (!r->out[0])
        check_fail(c, expected, "cat printed nothing");
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
             "a quota of %ld us per period of 100000 (rounded, not truncated)", l.memory_arg, want_memory, l.pids_arg,
             l.pids_arg, l.cpus_arg, l.cpu_quota);
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

/* What the harness sees of the group once the busy loop has spun. */
struct spin_seen {
    struct seen seen;
    char stat[1024];            /* the group's cpu.stat */
};
_Static_assert(sizeof(struct spin_seen) <= USER_CAP, "struct spin_seen must fit in world_result.user");

static void look_after_spin(struct world_result *r, void *data)
{
    struct spin_seen ss;
    char ignored[256];

    look_from_outside(r, data);
    memcpy(&ss.seen, r->user, sizeof ss.seen);
    if (world_cgroup_file(r->probe_pid, "cpu", "cpu.stat", ignored, sizeof ignored, ss.stat, sizeof ss.stat) < 0)
        ss.stat[0] = '\0';
    memcpy(r->user, &ss, sizeof ss);
}

/* A busy loop gets about --cpus of one CPU: never much more, nor held under
 * half of it by the quota. A busy machine may give it less than its quota;
 * the group's cpu.stat tells the two apart: a loop that the quota holds back
 * is throttled in nearly every period. */
CHECK(cgroup_busy_loop_gets_its_share)
{
    struct world_result *r;
    long hundredths = rand_range(20, 50);
    char cpus[16], expected[256], periods[32], throttled[32];
    double cpu, wall, share, quota, want = (double)hundredths / 100;
    struct spin_seen ss;

    /* The loop itself takes 1.5 s: more time than a lab's usual limit on
     * a slow (emulated) machine. */
    struct world_spec spec = { .timeout = lab_timeout + 5, .during = look_after_spin };

    snprintf(cpus, sizeof cpus, "0.%02ld", hundredths);
    r = lab_run(c, &spec, ARGS("--cpus", cpus, "--", probe(), "--spin", "1.5", "--wait"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    memcpy(&ss, r->user, sizeof ss);
    cpu = atof(probe_value(r, "spin_cpu_ms"));
    wall = atof(probe_value(r, "spin_wall_ms"));
    share = wall > 0 ? cpu / wall : 0;
    quota = cpu_share(&ss.seen);
    keyed(ss.stat, "nr_periods", periods, sizeof periods);
    keyed(ss.stat, "nr_throttled", throttled, sizeof throttled);
    snprintf(expected, sizeof expected, "with --cpus %s, a busy loop to get %.2f of a CPU: no more than %.2f, and "
             "not held under %.2f by the group's quota", cpus, want, want + 0.12, want * 0.5);
    if (share > want + 0.12 || quota < 0)
        check_fail(c, expected, "it got %.0f ms of CPU in %.0f ms: %.2f of a CPU; its group %s holds %s %s%s%s",
                   cpu, wall, share, ss.seen.path[2], ss.seen.v2 ? "cpu.max" : "cpu.cfs_quota_us", ss.seen.cpu,
                   ss.seen.v2 ? "" : ", cpu.cfs_period_us ", ss.seen.v2 ? "" : ss.seen.period);
    if (share < want * 0.5 && atol(periods) >= 5 && atol(throttled) * 4 >= atol(periods) * 3)
        check_fail(c, expected, "it got %.0f ms of CPU in %.0f ms: %.2f of a CPU, throttled by its group's quota in "
                   "%s of %s periods; the group %s holds %s %s%s%s", cpu, wall, share, throttled, periods,
                   ss.seen.path[2], ss.seen.v2 ? "cpu.max" : "cpu.cfs_quota_us", ss.seen.cpu,
                   ss.seen.v2 ? "" : ", cpu.cfs_period_us ", ss.seen.v2 ? "" : ss.seen.period);
}

/* Inside, every line of /proc/self/cgroup says "/", while from outside the
 * command is in a group of its own. */
/* Run the lab with --pids-limit 50 and `command` (the probe, waiting, at its
 * end): it exits 0 with the probe in its own group, seen from outside. */
static struct world_result *run_in_own_group(struct check *c, struct world_spec *spec, char *const *command,
                                             struct seen *s)
{
    char *args[8] = { "--pids-limit", "50", "--" };
    struct world_result *r;
    int i;

    for (i = 0; i < 4 && command[i]; i++)
        args[3 + i] = command[i];
    r = lab_run(c, spec, args);
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    get_seen(r, s);
    expect_own_group(c, r, s);
    return r;
}

CHECK(cgroup_inside_shows_the_root)
{
    struct world_spec spec = { .during = look_from_outside };
    struct world_result *r;
    struct seen s;
    char script[256];

    snprintf(script, sizeof script, "cat /proc/self/cgroup; exec %s --wait", probe());
    r = run_in_own_group(c, &spec, ARGS("/bin/sh", "-c", script), &s);
    expect_root_inside(c, r, &s, "");
}

/* The world holds the parent's first open of a cgroup.procs file for 300 ms:
 * a child that goes on before it is in its group (the parent moving it after
 * letting it go) is caught outside its group when the command starts; and a
 * cgroup namespace the child made before the move (at clone, or before it
 * waited for its parent) is rooted above its group, which the command sees. */
CHECK(cgroup_command_starts_in_its_group)
{
    static const struct world_faults faults = { .slow_cgroup = 1 };
    struct world_spec spec = { .during = look_from_outside, .faults = &faults };
    struct world_result *r;
    struct seen s;
    char script[256];

    need_linux_5_5(c);
    /* The probe first thing: caught outside its group while the move waits
     * (a shell before it could take longer than the wait on a slow machine). */
    run_in_own_group(c, &spec, ARGS(probe(), "--wait"), &s);
    /* And what the command sees of its group, however long it takes. */
    snprintf(script, sizeof script, "cat /proc/self/cgroup; exec %s --wait", probe());
    r = run_in_own_group(c, &spec, ARGS("/bin/sh", "-c", script), &s);
    expect_root_inside(c, r, &s, " (the parent's move into the group slowed by 300 ms: a cgroup namespace made before "
                       "the move is rooted at the parent's group)");
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
        { "--memory", "M" }, { "--memory", "12Q" }, { "--memory", "1.5G" }, { "--memory", "64MB" },
        { "--memory", "-5M" }, { "--memory", "+5M" }, { "--memory", " -5" }, { "--memory", "0" },
        { "--cpus", "0" }, { "--cpus", "abc" }, { "--cpus", "999" }, { "--cpus", "0.5x" },
        { "--pids-limit", "0" }, { "--pids-limit", "-3" }, { "--pids-limit", "7x" },
    };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct world_result *r = lab_run(c, NULL, ARGS(bad[i][0], bad[i][1], "--", "true"));
        expect_usage_error(c, r, bad[i][0]);
    }
}

/* --memory in bytes, and with each suffix in either case: the group's limit
 * is that many bytes, in powers of 1024. */
CHECK(cgroup_memory_every_suffix)
{
    static const char *const suffixes[] = { "", "K", "k", "M", "m", "G", "g" };
    static const unsigned shift[] = { 0, 10, 10, 20, 20, 30, 30 };
    struct world_spec spec = { .during = look_from_outside };
    size_t i;

    for (i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        /* 24 MiB to 3 GiB, whole pages: the kernel keeps the number as given. */
        unsigned long long n = shift[i] == 0 ? 4096ULL * rand_range(6144, 51200)
                             : shift[i] == 10 ? 4ULL * rand_range(6144, 51200)
                             : shift[i] == 20 ? rand_range(24, 3072) : rand_range(1, 3);
        char size[32], want[32];
        struct world_result *r;
        struct seen s;

        snprintf(size, sizeof size, "%llu%s", n, suffixes[i]);
        snprintf(want, sizeof want, "%llu", n << shift[i]);
        r = lab_run(c, &spec, ARGS("--memory", size, "--", probe(), "--wait"));
        if (!WIFEXITED(r->lab_status) || WEXITSTATUS(r->lab_status) != 0)
            check_fail(c, "--memory with no suffix (bytes), K, M or G, in upper or lower case, to be taken",
                       "--memory %s: the lab exited with %d; stderr:\n%.3000s", size,
                       WIFEXITED(r->lab_status) ? WEXITSTATUS(r->lab_status) : -1, r->err);
        expect_probe_ready(c, r);
        get_seen(r, &s);
        if (strcmp(s.memory, want) != 0) {
            char expected[128];
            snprintf(expected, sizeof expected, "--memory %s: a limit of %s bytes (K, M, G: 1024, 1024^2, 1024^3)",
                     size, want);
            check_fail(c, expected, "the command's group %s holds a memory limit of %s", s.path[0], s.memory);
        }
    }
}

/* In W, in a check's setup: another container's groups, as its own lab made
 * them, before the lab runs: nslab/NAME for each of names, under the root of
 * the one tree (v2, the controllers enabled on the way down), or of each v1
 * hierarchy of memory, pids and cpu the world has (only: that one alone).
 * With keep, each holds a group of its own, so that it cannot be removed. */
static void make_others(struct world_result *r, const char *only, const long *names, int n, int keep)
{
    static const char *const controllers[] = { "memory", "pids", "cpu" };
    char dir[128], path[192], have[256] = "", enable[64] = "";
    int v2 = r->cgroup_version == 2, i, k;

    if (v2) {
        read_file("/sys/fs/cgroup/cgroup.controllers", have, sizeof have);
        for (k = 0; k < 3; k++)
            if (strstr(have, controllers[k]))
                appendf(enable, sizeof enable, "%s+%s", enable[0] ? " " : "", controllers[k]);
    }
    for (k = 0; k < (v2 ? 1 : 3); k++) {
        if (v2) {
            snprintf(dir, sizeof dir, "/sys/fs/cgroup/nslab");
        } else {
            if (only && strcmp(only, controllers[k]) != 0)
                continue;
            snprintf(path, sizeof path, "/sys/fs/cgroup/%s/cgroup.procs", controllers[k]);
            if (access(path, F_OK) != 0)
                continue;   /* the machine has no such hierarchy */
            snprintf(dir, sizeof dir, "/sys/fs/cgroup/%s/nslab", controllers[k]);
        }
        if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
            world_setup_failed(r, "mkdir %s: %s", dir, strerror(errno));
            return;
        }
        snprintf(path, sizeof path, "%s/cgroup.subtree_control", dir);
        if (v2 && enable[0] && (write_file("/sys/fs/cgroup/cgroup.subtree_control", enable) == -1 ||
                                write_file(path, enable) == -1)) {
            world_setup_failed(r, "enable %s for the children of /sys/fs/cgroup and %s: %s", enable, dir,
                               strerror(errno));
            return;
        }
        for (i = 0; i < n; i++) {
            snprintf(path, sizeof path, "%s/%ld", dir, names[i]);
            if (mkdir(path, 0755) == -1 && errno != EEXIST) {
                world_setup_failed(r, "mkdir %s: %s", path, strerror(errno));
                return;
            }
            snprintf(path, sizeof path, "%s/%ld/keep", dir, names[i]);
            if (keep && mkdir(path, 0755) == -1 && errno != EEXIST) {
                world_setup_failed(r, "mkdir %s: %s", path, strerror(errno));
                return;
            }
        }
    }
}

/* In W, in a check's `after` (the world's last snapshot taken): remove the
 * groups make_others() made and the lab left, so that the harness finds only
 * what it expects to remove. */
static void remove_others(const long *names, int n)
{
    static const char *const tops[] = { "", "/memory", "/pids", "/cpu" };
    char path[192];
    int i, k;

    for (k = 0; k < 4; k++) {
        for (i = 0; i < n; i++) {
            snprintf(path, sizeof path, "/sys/fs/cgroup%s/nslab/%ld/keep", tops[k], names[i]);
            rmdir(path);
            snprintf(path, sizeof path, "/sys/fs/cgroup%s/nslab/%ld", tops[k], names[i]);
            rmdir(path);
        }
        snprintf(path, sizeof path, "/sys/fs/cgroup%s/nslab", tops[k]);
        rmdir(path);
    }
}

/* Another container's groups, and (first != 0) the next PIDs of the world
 * made predictable, so that the lab's own PIDs are among them. */
struct others {
    long names[16];
    int n;
    long first;                 /* the world's next PID */
};

static void others_setup(struct world_result *r, void *data)
{
    struct others *o = data;
    char text[32];

    if (o->first) {
        snprintf(text, sizeof text, "%ld", o->first - 1);
        if (write_file("/proc/sys/kernel/ns_last_pid", text) == -1) {
            world_setup_failed(r, "write %s into the world's /proc/sys/kernel/ns_last_pid: %s", text, strerror(errno));
            return;
        }
    }
    /* (v1: in the cpu hierarchy alone, the last of the lab's three, so
     * that the groups it made before it stopped must be removed.) */
    make_others(r, o->first && r->cgroup_version == 1 ? "cpu" : NULL, o->names, o->n, o->first != 0);
}

static void others_after(struct world_result *r, void *data)
{
    struct others *o = data;

    (void)r;
    remove_others(o->names, o->n);
}

/* Two other containers' groups are in nslab when the lab starts: it shares
 * nslab with them, and leaves theirs alone (the world's snapshot compares
 * every group before and after). */
CHECK(cgroup_other_containers_left_alone)
{
    struct others o = { .n = 2 };
    struct world_spec spec = { .setup = others_setup, .during = look_from_outside, .after = others_after, .data = &o };
    struct world_result *r;
    struct limits l;
    struct seen s;
    char want_memory[32];

    draw_limits(&l);
    o.names[0] = rand_range(20000, 25999);
    o.names[1] = rand_range(26000, 32000);
    r = lab_run(c, &spec, ARGS("--memory", l.memory_arg, "--pids-limit", l.pids_arg, "--", probe(), "--wait"));
    if (!WIFEXITED(r->lab_status) || WEXITSTATUS(r->lab_status) != 0)
        check_fail(c, "nslab, made by another container, to be shared: it may exist already, which is no error",
                   "with nslab/%ld and nslab/%ld there already, the lab exited with %d; stderr:\n%.3000s", o.names[0],
                   o.names[1], WIFEXITED(r->lab_status) ? WEXITSTATUS(r->lab_status) : -1, r->err);
    expect_probe_ready(c, r);
    get_seen(r, &s);
    expect_own_group(c, r, &s);
    snprintf(want_memory, sizeof want_memory, "%llu", l.memory);
    if (strcmp(s.memory, want_memory) != 0 || strcmp(s.pids, l.pids_arg) != 0)
        check_fail(c, "beside other containers' groups, the container's own group to hold its limits",
                   "in %s: memory limit %s (want %s), pids.max %s (want %s)", s.path[0], s.memory, want_memory,
                   s.pids, l.pids_arg);
}

/* nslab/<PID> is there already when the lab starts (another container's,
 * one whose PID was the same in another PID namespace, or one left behind):
 * the lab must not take it over, nor remove it, but stop with 125 and one
 * line, and remove what it made itself (on v1 the group is there in the cpu
 * hierarchy alone). The world's next PIDs are set so that the lab's are
 * among the groups made. */
CHECK(cgroup_existing_group_not_taken)
{
    struct others o = { .n = 16 };
    struct world_spec spec = { .setup = others_setup, .after = others_after, .data = &o };
    struct world_result *r;
    int i;

    o.first = rand_range(2000, 30000);
    for (i = 0; i < o.n; i++)
        o.names[i] = o.first + i;
    r = lab_run(c, &spec, ARGS("--memory", "64M", "--pids-limit", "50", "--cpus", "0.5", "--", probe()));
    if (r->probe[0] || !WIFEXITED(r->lab_status) || WEXITSTATUS(r->lab_status) != 125)
        check_fail(c, "nslab/<PID> already there (another container's, or one left behind) not to be taken over: "
                   "exit 125 with one line, the command never run",
                   "the groups nslab/%ld to nslab/%ld were there (the lab's PIDs among them); the lab exited with %d%s"
                   "; stderr:\n%.3000s", o.names[0], o.names[o.n - 1],
                   WIFEXITED(r->lab_status) ? WEXITSTATUS(r->lab_status) : -1,
                   r->probe[0] ? ", and the command ran (in a group that was not its own)" : "", r->err);
    expect_one_error_line(c, r);
}

/* What cgroup_container_cannot_raise_its_limits tries, inside, and sees. */
struct raise {
    char memory[32], pids[16], quota[16], cpu_max[32];   /* values of the container's own, above the limits */
    char script[2048];          /* the writes, then (the first container) the probe */
    char second[2048];          /* ... without it, for a second container */
};

struct raise_seen {
    struct seen seen;           /* the first container's group, from outside, after both tried */
    char second[8192];          /* what the second container said, and its exit status */
};
_Static_assert(sizeof(struct raise_seen) <= USER_CAP, "struct raise_seen must fit in world_result.user");

/* `during`: a second container, whose root is the same host ID as the first's
 * (the default map), tries the same writes, into every group it sees; then
 * the harness reads the first one's group. */
static void raise_during(struct world_result *r, void *data)
{
    const struct raise *w = data;
    struct raise_seen *rs;
    char *argv[16], out[4096];
    int status;

    lab_argv(argv, sizeof argv / sizeof argv[0], ARGS("--pids-limit", "50", "--", "/bin/sh", "-c", (char *)w->second), 1);
    status = world_run_second(argv, NULL, lab_timeout + 2, out, sizeof out);
    look_from_outside(r, NULL);
    rs = (struct raise_seen *)r->user;
    snprintf(rs->second, sizeof rs->second, "%s(it exited with %d)\n", out,
             status == -1 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/* The writes of the script: into each limit file of any group in nslab (v2
 * or v1), values of the container's own; then its PID into the cgroup.procs
 * of the groups above. Each that works is said on stdout. */
static void raise_script(struct raise *w, char *out, size_t n, const char *then)
{
    const char *const writes[][2] = {
        { "nslab/*/memory.swap.max", w->memory }, { "nslab/*/memory.max", w->memory }, { "nslab/*/pids.max", w->pids },
        { "nslab/*/cpu.max", w->cpu_max }, { "memory/nslab/*/memory.memsw.limit_in_bytes", w->memory },
        { "memory/nslab/*/memory.limit_in_bytes", w->memory }, { "pids/nslab/*/pids.max", w->pids },
        { "cpu/nslab/*/cpu.cfs_quota_us", w->quota },
    };
    size_t i;

    snprintf(out, n, "cd /sys/fs/cgroup 2>/dev/null && {");
    for (i = 0; i < sizeof writes / sizeof writes[0]; i++)
        appendf(out, n, " for f in %s; do echo '%s' >$f && echo \"wrote %s into $f\"; done;", writes[i][0],
                writes[i][1], writes[i][1]);
    appendf(out, n, " for f in cgroup.procs */cgroup.procs nslab/cgroup.procs */nslab/cgroup.procs; do "
            "echo $$ >$f && echo \"wrote its PID into $f\"; done; } 2>/dev/null; %s", then);
}

/* The container's root tries to raise its own limits and to leave its group
 * through the host's /sys/fs/cgroup, which it still sees until lab 10; so
 * does the root of a second container, whose root is the same host ID (the
 * default map), into the first one's group. The files must not be theirs to
 * write: a lab that chowns the group to the container's root hands them
 * over (on v2 the first container's own cgroup namespace shields its root
 * group from itself, not from its neighbour). They write values of their
 * own, drawn above the limits asked for, and say what they managed; the
 * harness reads the first container's group from outside afterwards. */
CHECK(cgroup_container_cannot_raise_its_limits)
{
    struct raise w;
    struct world_spec spec = { .during = raise_during, .data = &w, .timeout = lab_timeout + 5 };
    struct world_result *r;
    struct raise_seen rs;
    struct limits l;
    struct seen *s = &rs.seen;
    char exec_probe[128], want_memory[32];

    draw_limits(&l);
    snprintf(w.memory, sizeof w.memory, "%llu", l.memory + 4096ULL * rand_range(1, 100000));
    snprintf(w.pids, sizeof w.pids, "%ld", l.pids + (long)rand_range(100, 5000));
    snprintf(w.quota, sizeof w.quota, "%ld", l.cpu_quota + 1000L * rand_range(1, 50));
    snprintf(w.cpu_max, sizeof w.cpu_max, "%s 100000", w.quota);
    snprintf(exec_probe, sizeof exec_probe, "exec %s --wait", probe());
    raise_script(&w, w.script, sizeof w.script, exec_probe);
    raise_script(&w, w.second, sizeof w.second, "true");
    r = lab_run(c, &spec, ARGS("--memory", l.memory_arg, "--pids-limit", l.pids_arg, "--cpus", l.cpus_arg, "--",
                               "/bin/sh", "-c", w.script));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    memcpy(&rs, r->user, sizeof rs);
    snprintf(want_memory, sizeof want_memory, "%llu", l.memory);
    if (r->out[0] || strstr(rs.second, "wrote ") || strcmp(s->memory, w.memory) == 0 ||
        strcmp(s->swap, w.memory) == 0 || strcmp(s->memsw, w.memory) == 0 || strcmp(s->pids, w.pids) == 0 ||
        strcmp(s->cpu, w.cpu_max) == 0 || strcmp(s->cpu, w.quota) == 0)
        check_fail(c, "the containers' roots unable to raise a container's limits or leave their groups: the "
                   "group's files are the host's root's, never handed to a container (no chown, no chmod)",
                   "%s%s%s%sfrom outside, the first container's group %s then held: memory limit %s (asked %s; the "
                   "containers wrote %s), pids.max %s (asked %s; they wrote %s), CPU %s (asked --cpus %s; they "
                   "wrote %s)",
                   r->out[0] ? "inside, the container's root could write files of the host's:\n" : "", r->out,
                   strstr(rs.second, "wrote ") ? "a second container, its root the same host ID, could too:\n" : "",
                   strstr(rs.second, "wrote ") ? rs.second : "", s->path[0], s->memory, want_memory, w.memory,
                   s->pids, l.pids_arg, w.pids, s->cpu, l.cpus_arg, s->v2 ? w.cpu_max : w.quota);
    expect_own_group(c, r, s);
}

/* A size whose bytes do not fit in 64 bits: strtoull(3) says so only
 * through errno, and a multiplication by the unit wraps around (to 0, no
 * limit, or to a few bytes). Each must be refused. */
CHECK(cgroup_huge_memory_refused)
{
    char sizes[4][40];
    int i;

    /* 2^64 and up, in bytes; 2^34 G, 2^44 M, 2^54 K and a little more. */
    snprintf(sizes[0], sizeof sizes[0], "18446744073709551%03u", rand_range(616, 999));
    snprintf(sizes[1], sizeof sizes[1], "%lluG", (1ULL << 34) + rand_range(0, 4096));
    snprintf(sizes[2], sizeof sizes[2], "%lluM", (1ULL << 44) + rand_range(0, 4096));
    snprintf(sizes[3], sizeof sizes[3], "%lluk", (1ULL << 54) + rand_range(0, 4096));
    for (i = 0; i < 4; i++) {
        struct world_result *r = lab_run(c, NULL, ARGS("--memory", sizes[i], "--", "true"));
        if (!WIFEXITED(r->lab_status) || WEXITSTATUS(r->lab_status) != 125) {
            char expected[256];
            snprintf(expected, sizeof expected, "--memory %s, more bytes than 64 bits hold, refused: exit 125 with one "
                     "line naming --memory", sizes[i]);
            check_fail(c, expected, "the lab exited with %d (it took a size that wrapped around, or strtoull's "
                       "ULLONG_MAX, for a limit); stderr:\n%.3000s",
                       WIFEXITED(r->lab_status) ? WEXITSTATUS(r->lab_status) : -1, r->err);
        }
        expect_usage_error(c, r, "--memory");
    }
}

/* Run by a user, not root: no cgroup of the host's to write a limit into,
 * so a limit is refused (125, one line naming it), never silently left out. */
CHECK(cgroup_limits_need_root)
{
    static const char *const options[] = { "--memory", "--pids-limit", "--cpus" };
    static const char *const values[] = { "64M", "50", "0.5" };
    struct world_spec spec = { 0 };
    struct world_result *r;
    unsigned k;
    char expected[256];

    /* Each of the three: a lab that refuses one of them only must not pass
     * by the draw. */
    spec.as_user.uid = WORLD_USER_FIRST + rand_range(0, 65535);
    spec.as_user.gid = WORLD_USER_FIRST + rand_range(0, 65535);
    for (k = 0; k < 3; k++) {
        r = lab_run(c, &spec, ARGS((char *)options[k], (char *)values[k], "--", probe()));
        if (!WIFEXITED(r->lab_status) || WEXITSTATUS(r->lab_status) != 125) {
            snprintf(expected, sizeof expected, "run by uid %u (not root), %s %s refused: exit 125 with one line "
                     "naming it", (unsigned)spec.as_user.uid, options[k], values[k]);
            check_fail(c, expected, "the lab exited with %d%s; stderr:\n%s",
                       WIFEXITED(r->lab_status) ? WEXITSTATUS(r->lab_status) : -1,
                       r->probe[0] ? ", and the command ran without the limit" : "", r->err);
        }
        expect_usage_error(c, r, options[k]);
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
    CHECK_ENTRY(cgroup_memory_every_suffix, "--memory in bytes, K, M and G in either case: that many bytes, powers of "
                "1024", OPTIONS),
    CHECK_ENTRY(cgroup_huge_memory_refused, "a --memory whose bytes do not fit in 64 bits: exit 125 with one line "
                "naming --memory", OPTIONS),
    CHECK_ENTRY(cgroup_limits_need_root, "run by a user, not root, a limit is refused (125), not left out", OPTIONS),
    CHECK_ENTRY(cgroup_container_cannot_raise_its_limits, "the container's root can neither raise its limits nor leave "
                "its group", HANDED),
    CHECK_ENTRY(cgroup_other_containers_left_alone, "other containers' groups in nslab: shared, left alone", SHARED),
    CHECK_ENTRY(cgroup_existing_group_not_taken, "nslab/<PID> already there: 125, not taken over, nothing left",
                SHARED),
    { NULL, NULL, NULL, NULL },
};

LAYER("07_cgroup", checks);
