/* The checks of lab 09_timens: clocks of its own. Offsets are drawn at
 * random each run (positive up to a month, or negative as far as the
 * machine's uptime allows), and the probe's clocks inside are compared with
 * the world's, read from outside at the same moment. Only behaviour counts:
 * a lab that makes its child with clone(2), clone3(2) or fork(2) after
 * unshare(2) passes alike. */
#define _GNU_SOURCE
#include "checks.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TIMENS "09_timens.md#the-time-namespace"
#define OFFSETS "09_timens.md#offsets-before-anyone-enters"
#define CLOCKS "09_timens.md#which-clocks-move"
#define OPTIONS "09_timens.md#the-options"

#define TOLERANCE 2.0   /* seconds between the probe's reading and ours */

static double now_of(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A random offset: a month ahead at most, or back as far as half the
 * machine's uptime (a clock may not go below zero inside). */
static long long draw_offset(void)
{
    long long back = (long long)(now_of(CLOCK_MONOTONIC) / 2);

    if (back > 60 && rand_range(0, 1))
        return -(long long)rand_range(30, back > 1000000 ? 1000000 : (unsigned)back);
    return (long long)rand_range(0, 30) * 86400 + rand_range(1, 86399);
}

/* What the harness saw, from outside, while the probe waited. */
struct seen {
    double monotonic, boottime, realtime, uptime;   /* probe's minus ours, seconds */
    char offsets[256];                              /* /proc/PID/timens_offsets, one line */
    unsigned long child_timens;                     /* the lab's first child's time namespace */
};
_Static_assert(sizeof(struct seen) <= NOTE_CAP, "struct seen must fit in world_result.user");

static void look(struct world_result *r, void *data)
{
    struct seen s;
    char rel[64], text[512], *p;
    double mono = now_of(CLOCK_MONOTONIC), boot = now_of(CLOCK_BOOTTIME), real = now_of(CLOCK_REALTIME);
    double uptime = 0;

    (void)data;
    memset(&s, 0, sizeof s);
    s.monotonic = atof(probe_value(r, "clock_monotonic")) - mono;
    s.boottime = atof(probe_value(r, "clock_boottime")) - boot;
    s.realtime = atof(probe_value(r, "clock_realtime")) - real;
    if (proc_read("uptime", text, sizeof text) > 0)   /* (not a path: a lab may mount over /proc/uptime) */
        uptime = atof(text);
    s.uptime = atof(probe_value(r, "uptime")) - uptime;
    snprintf(rel, sizeof rel, "%d/timens_offsets", (int)r->probe_pid);
    if (proc_read(rel, text, sizeof text) > 0) {
        for (p = text; *p; p++)
            if (*p == '\n' || *p == '\t')
                *p = ' ';
        snprintf(s.offsets, sizeof s.offsets, "%.250s", text);
    } else {
        snprintf(s.offsets, sizeof s.offsets, "(cannot read /proc/%d/timens_offsets)", (int)r->probe_pid);
    }
    {
        char state;
        pid_t parent = process_parent(r->probe_pid, &state);
        s.child_timens = parent > 0 ? ns_inode(parent, NS_TIME) : 0;
    }
    memcpy(r->user, &s, sizeof s);
}

static void get_seen(const struct world_result *r, struct seen *s)
{
    memcpy(s, r->user, sizeof *s);
}

static int near(double got, double want, double tolerance)
{
    return got >= want - tolerance && got <= want + tolerance;
}

/* Inside, CLOCK_MONOTONIC and CLOCK_BOOTTIME are the world's plus the
 * offsets. */
CHECK(time_clocks_inside_have_the_offsets)
{
    struct world_spec spec = { .during = look };
    struct world_result *r;
    long long mono = draw_offset(), boot = draw_offset();
    char m[32], b[32], expected[256];
    struct seen s;

    snprintf(m, sizeof m, "%lld", mono);
    snprintf(b, sizeof b, "%lld", boot);
    r = lab_run(c, &spec, ARGS("--monotonic", m, "--boottime", b, "--", probe(), "--clocks", "--wait"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    get_seen(r, &s);
    snprintf(expected, sizeof expected, "inside, CLOCK_MONOTONIC %+lld s and CLOCK_BOOTTIME %+lld s from the host's "
             "(within %.0f s)", mono, boot, TOLERANCE);
    if (!near(s.monotonic, (double)mono, TOLERANCE) || !near(s.boottime, (double)boot, TOLERANCE))
        check_fail(c, expected, "CLOCK_MONOTONIC %+.1f s, CLOCK_BOOTTIME %+.1f s from the host's", s.monotonic,
                   s.boottime);
}

/* /proc/uptime inside follows the boot-time offset. */
CHECK(time_uptime_follows_boottime)
{
    struct world_spec spec = { .during = look };
    struct world_result *r;
    long long boot = draw_offset();
    char b[32], expected[160];
    struct seen s;

    snprintf(b, sizeof b, "%lld", boot);
    r = lab_run(c, &spec, ARGS("--boottime", b, "--", probe(), "--clocks", "--wait"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    get_seen(r, &s);
    snprintf(expected, sizeof expected, "inside, /proc/uptime %+lld s from the host's", boot);
    if (!near(s.uptime, (double)boot, TOLERANCE))
        check_fail(c, expected, "/proc/uptime inside is %+.1f s from the host's (the probe read %s)", s.uptime,
                   probe_value(r, "uptime"));
}

/* The wall clock is not namespaced: date and CLOCK_REALTIME agree. */
CHECK(time_realtime_not_namespaced)
{
    struct world_spec spec = { .during = look };
    struct world_result *r;
    char m[32], b[32];
    struct seen s;
    long long inside;
    double outside;

    snprintf(m, sizeof m, "%lld", draw_offset());
    snprintf(b, sizeof b, "%lld", draw_offset());
    r = lab_run(c, &spec, ARGS("--monotonic", m, "--boottime", b, "--", "/bin/sh", "-c",
                               "date +%s; exec \"$0\" --clocks --wait", probe()));
    outside = now_of(CLOCK_REALTIME);
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    get_seen(r, &s);
    inside = atoll(r->out);
    if (!near(s.realtime, 0, TOLERANCE) || !near((double)inside, outside, TOLERANCE + 5) ||
        !near(s.monotonic, atof(m), TOLERANCE))
        check_fail(c, "with --monotonic and --boottime, CLOCK_MONOTONIC moved and CLOCK_REALTIME and date inside "
                   "still the host's (the wall clock has no namespace)", "CLOCK_MONOTONIC %+.1f s (want %s), "
                   "CLOCK_REALTIME %+.1f s from the host's; date +%%s printed %s", s.monotonic, m, s.realtime, r->out);
}

/* From outside: the command's time namespace is not the world's, and its
 * offsets file says what was asked. */
CHECK(time_offsets_seen_from_outside)
{
    struct world_spec spec = { .during = look };
    struct world_result *r;
    long long mono = draw_offset(), boot = draw_offset();
    char m[32], b[32], want[128], got[256] = "", *p, *q;
    struct seen s;

    snprintf(m, sizeof m, "%lld", mono);
    snprintf(b, sizeof b, "%lld", boot);
    r = lab_run(c, &spec, ARGS("--monotonic", m, "--boottime", b, "--", probe(), "--wait"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    expect_ns_differs(c, r, NS_TIME);
    get_seen(r, &s);
    /* Runs of blanks made one: "monotonic 86400 0 boottime -100 0". */
    for (p = s.offsets, q = got; *p && q < got + sizeof got - 1; p++)
        if (*p != ' ' || (q > got && q[-1] != ' '))
            *q++ = *p;
    while (q > got && q[-1] == ' ')
        q--;
    *q = '\0';
    snprintf(want, sizeof want, "monotonic %lld 0 boottime %lld 0", mono, boot);
    if (strcmp(got, want) != 0)
        check_fail(c, "/proc/PID/timens_offsets of the command to hold the offsets asked for", "%s\n(want: %s)", got,
                   want);
}

/* A process the command starts is in the same time namespace, and so is
 * the container's first process. */
CHECK(time_children_share_the_namespace)
{
    struct world_spec spec = { .during = look };
    struct world_result *r;
    char m[32];
    struct seen s;

    snprintf(m, sizeof m, "%lld", draw_offset());
    r = lab_run(c, &spec, ARGS("--monotonic", m, "--", "/bin/sh", "-c", "\"$0\" --clocks --wait; true", probe()));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    get_seen(r, &s);
    if (!s.child_timens || s.child_timens != r->probe_ns[NS_TIME] || !near(s.monotonic, atof(m), TOLERANCE))
        check_fail(c, "a process the command starts in the command's time namespace, with its offset",
                   "the shell's time namespace %lu, its child's %lu; the child's CLOCK_MONOTONIC is %+.1f s from the "
                   "host's (want %s)", s.child_timens, r->probe_ns[NS_TIME], s.monotonic, m);
}

/* Offsets apply when asked, and only then: with none, the clocks inside
 * are the world's. */
CHECK(time_no_offsets_same_clocks)
{
    struct world_spec spec = { .during = look };
    struct world_result *r;
    struct seen s;
    char b[32];

    snprintf(b, sizeof b, "%lld", draw_offset());
    r = lab_run(c, &spec, ARGS("--boottime", b, "--", probe(), "--clocks", "--wait"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    get_seen(r, &s);
    if (!near(s.boottime, atof(b), TOLERANCE))
        check_fail(c, "with --boottime, CLOCK_BOOTTIME moved by it", "CLOCK_BOOTTIME %+.1f s from the host's (want %s)",
                   s.boottime, b);
    r = lab_run(c, &spec, ARGS("--", probe(), "--clocks", "--wait"));

    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    get_seen(r, &s);
    if (!near(s.monotonic, 0, TOLERANCE) || !near(s.boottime, 0, TOLERANCE))
        check_fail(c, "with no offsets, the clocks inside to be the host's",
                   "CLOCK_MONOTONIC %+.1f s, CLOCK_BOOTTIME %+.1f s from the host's", s.monotonic, s.boottime);
}

CHECK(time_verbose_narrates)
{
    struct world_result *r = lab_run(c, NULL, ARGS("-v", "--monotonic", "60", "--", "true"));

    expect_exit(c, r, 0);
    if (!strstr(r->err, "CLONE_NEWTIME"))
        check_fail(c, "--verbose to name CLONE_NEWTIME", "stderr:\n%s", r->err);
}

/* Bad offsets: 125 and one line naming the option; below zero is the
 * kernel's refusal (ERANGE), after the namespace exists. */
CHECK(time_bad_offset_exit_125)
{
    char below[32];
    struct world_result *r;

    r = lab_run(c, NULL, ARGS("--monotonic", "abc", "--", "true"));
    expect_usage_error(c, r, "--monotonic");
    r = lab_run(c, NULL, ARGS("--boottime", "1e99", "--", "true"));
    expect_usage_error(c, r, "--boottime");
    r = lab_run(c, NULL, ARGS("--monotonic", "99999999999999999999", "--", "true"));
    expect_usage_error(c, r, "--monotonic");
    snprintf(below, sizeof below, "-%lld", (long long)now_of(CLOCK_BOOTTIME) + 100000 + rand_range(0, 99999));
    r = lab_run(c, NULL, ARGS("--boottime", below, "--", "true"));
    expect_usage_error(c, r, "--boottime");
}

static const struct check_info checks[] = {
    CHECK_ENTRY(time_clocks_inside_have_the_offsets, "inside, CLOCK_MONOTONIC and CLOCK_BOOTTIME are the host's plus "
                "--monotonic and --boottime", TIMENS),
    CHECK_ENTRY(time_uptime_follows_boottime, "inside, /proc/uptime is the host's plus --boottime", CLOCKS),
    CHECK_ENTRY(time_realtime_not_namespaced, "with offsets, CLOCK_REALTIME and date inside are still the host's",
                CLOCKS),
    CHECK_ENTRY(time_offsets_seen_from_outside, "from outside, a time namespace of its own whose timens_offsets are "
                "the ones asked for", OFFSETS),
    CHECK_ENTRY(time_children_share_the_namespace, "a process the command starts shares its time namespace",
                OFFSETS),
    CHECK_ENTRY(time_no_offsets_same_clocks, "offsets apply when asked; with none, the clocks inside are the host's",
                TIMENS),
    CHECK_ENTRY(time_verbose_narrates, "--verbose names CLONE_NEWTIME", TIMENS),
    CHECK_ENTRY(time_bad_offset_exit_125, "a bad offset, or one below zero: exit 125 with one line naming the option",
                OPTIONS),
    { NULL, NULL, NULL, NULL },
};

LAYER("09_timens", checks);
