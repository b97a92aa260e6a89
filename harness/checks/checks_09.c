/* The checks of lab 09_timens: clocks of its own. Offsets are drawn at
 * random each run (positive up to a month, or negative as far as the
 * machine's uptime allows), and the probe's clocks inside are compared with
 * the world's, read from outside at the same moment. Only behaviour counts:
 * a lab that makes its child with clone(2), clone3(2) or fork(2) after
 * unshare(2) passes alike. */
#define _GNU_SOURCE
#include "checks.h"
#include "judge.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* How far back a clock may be set: half the machine's uptime (a clock may
 * not go below zero inside), or 0 on a machine up less than a minute. */
static long long room_back(void)
{
    long long back = (long long)(now_of(CLOCK_MONOTONIC) / 2);

    return back >= 30 ? (back > 1000000 ? 1000000 : back) : 0;
}

/* A random offset: a month ahead at most, or back as far as room_back(). */
static long long draw_ahead(void)
{
    return (long long)rand_range(0, 30) * 86400 + rand_range(1, 86399);
}

static long long draw_offset(void)
{
    long long back = room_back();

    if (back && rand_range(0, 1))
        return -(long long)rand_range(30, (unsigned)back);
    return draw_ahead();
}

/* Two offsets, one for each clock: one ahead and one back (where the
 * machine has been up long enough), which goes where drawn at random. */
static void draw_two(long long *mono, long long *boot)
{
    long long back = room_back(), ahead = draw_ahead(), behind = back ? -(long long)rand_range(30, (unsigned)back)
                                                                      : draw_ahead();

    if (rand_range(0, 1)) {
        *mono = ahead;
        *boot = behind;
    } else {
        *mono = behind;
        *boot = ahead;
    }
}

/* The inode of a process's namespace link NAME ("time_for_children"), as
 * the world sees it; 0 if unknown. */
static unsigned long ns_link_inode(pid_t pid, const char *name)
{
    char rel[64];
    struct stat st;
    int fd;

    snprintf(rel, sizeof rel, "%d/ns/%s", (int)pid, name);
    if (pid <= 0 || (fd = proc_open(rel, O_RDONLY)) == -1)
        return 0;
    if (fstat(fd, &st) == -1)
        st.st_ino = 0;
    close(fd);
    return (unsigned long)st.st_ino;
}

/* What the harness saw, from outside, while the probe waited. */
struct seen {
    double monotonic, boottime, realtime, uptime;   /* probe's minus ours, seconds */
    char offsets[256];                              /* /proc/PID/timens_offsets, one line */
    pid_t parent, grandparent;                      /* the probe's parent and its parent */
    unsigned long parent_timens, grandparent_timens; /* their time namespaces */
    unsigned long parent_timens_for_children;       /* the parent's time_for_children */
};
_Static_assert(sizeof(struct seen) <= NOTE_CAP, "struct seen must fit in world_result.user");

static void look(struct world_result *r, void *data)
{
    struct seen s;
    char rel[64], text[512], *p, state;
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
    s.parent = process_parent(r->probe_pid, &state);
    s.parent_timens = s.parent > 0 ? ns_inode(s.parent, NS_TIME) : 0;
    s.parent_timens_for_children = ns_link_inode(s.parent, "time_for_children");
    s.grandparent = s.parent > 0 ? process_parent(s.parent, &state) : 0;
    s.grandparent_timens = s.grandparent > 0 ? ns_inode(s.grandparent, NS_TIME) : 0;
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

/* The container was set up and the command ran (exit 0), with offsets the
 * kernel takes. A refusal of them is, in this lab, a step out of order or
 * the wrong numbers: say which, from the kernel's reason. */
static void expect_ran(struct check *c, const struct world_result *r)
{
    static const struct { int err; const char *why; } causes[] = {
        { EACCES, "the kernel refused the offsets with EACCES: a process was already in the namespace when they "
                  "were written (unshare, write, and only then make the child)" },
        { ERANGE, "the kernel refused offsets the grader chose in range (ERANGE): written in another unit than "
                  "seconds, or to the wrong clock?" },
        { EINVAL, "the kernel refused the offsets' text with EINVAL: \"monotonic SECS 0\" and \"boottime SECS 0\", "
                  "one line each" },
        { EPERM, "a step was refused with EPERM" },
    };
    char seen[16384];
    size_t i;

    if (WIFEXITED(r->lab_status) && WEXITSTATUS(r->lab_status) == 125)
        for (i = 0; i < sizeof causes / sizeof causes[0]; i++)
            if (strstr(r->err, strerror(causes[i].err))) {
                snprintf(seen, sizeof seen, "exit status 125: %s\n", causes[i].why);
                describe_output(r, seen, sizeof seen);
                check_end(c, "FAIL", "the container set up with the offsets asked for and the command run (exit 0)",
                          seen);
            }
    expect_exit(c, r, 0);
}

/* What clocks off by (mono, boot) instead of (want_mono, want_boot) most
 * likely mean, in words ("" when nothing fits). */
static const char *clock_cause(double mono, double boot, long long want_mono, long long want_boot)
{
    if (near(mono, 0, TOLERANCE) && near(boot, 0, TOLERANCE))
        return " The clocks inside are the host's: no time namespace, or the child was not born in it (made before "
               "the unshare?), or the offsets were never written.";
    if (want_mono != want_boot && near(mono, (double)want_boot, TOLERANCE) && near(boot, (double)want_mono, TOLERANCE))
        return " The two offsets are swapped: monotonic got --boottime's, boottime --monotonic's.";
    if (near(mono, (double)want_mono * 1000, TOLERANCE * 1000) || near(boot, (double)want_boot * 1000, TOLERANCE * 1000))
        return " An offset 1000 times too large: timens_offsets takes seconds, then nanoseconds.";
    if (near(mono, (double)want_mono, TOLERANCE) && near(boot, 0, TOLERANCE))
        return " Only the monotonic offset took effect: was the boottime line written?";
    if (near(boot, (double)want_boot, TOLERANCE) && near(mono, 0, TOLERANCE))
        return " Only the boottime offset took effect: was the monotonic line written?";
    return "";
}

/* Inside, CLOCK_MONOTONIC and CLOCK_BOOTTIME are the world's plus the
 * offsets. */
CHECK(time_clocks_inside_have_the_offsets)
{
    struct world_spec spec = { .during = look };
    struct world_result *r;
    long long mono, boot;
    char m[32], b[32], expected[256];
    struct seen s;

    draw_two(&mono, &boot);
    snprintf(m, sizeof m, "%lld", mono);
    snprintf(b, sizeof b, "%lld", boot);
    r = lab_run(c, &spec, ARGS("--monotonic", m, "--boottime", b, "--", probe(), "--clocks", "--wait"));
    expect_ran(c, r);
    expect_probe_ready(c, r);
    get_seen(r, &s);
    snprintf(expected, sizeof expected, "inside, CLOCK_MONOTONIC %+lld s and CLOCK_BOOTTIME %+lld s from the host's "
             "(within %.0f s)", mono, boot, TOLERANCE);
    if (!near(s.monotonic, (double)mono, TOLERANCE) || !near(s.boottime, (double)boot, TOLERANCE))
        check_fail(c, expected, "CLOCK_MONOTONIC %+.1f s, CLOCK_BOOTTIME %+.1f s from the host's.%s", s.monotonic,
                   s.boottime, clock_cause(s.monotonic, s.boottime, mono, boot));
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
    expect_ran(c, r);
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
    expect_ran(c, r);
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
    expect_ran(c, r);
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

/* With --init, the container's first process is the init: it, the command
 * it starts and a process the command starts share one time namespace, not
 * the world's, with the offset. */
CHECK(time_children_share_the_namespace)
{
    struct world_spec spec = { .during = look };
    struct world_result *r;
    char m[32];
    struct seen s;

    snprintf(m, sizeof m, "%lld", draw_offset());
    r = lab_run(c, &spec, ARGS("--init", "--monotonic", m, "--", "/bin/sh", "-c", "\"$0\" --clocks --wait; true",
                               probe()));
    expect_ran(c, r);
    expect_probe_ready(c, r);
    get_seen(r, &s);
    if (!r->probe_ns[NS_TIME] || r->probe_ns[NS_TIME] == r->world_ns[NS_TIME] || s.parent_timens != r->probe_ns[NS_TIME] ||
        s.grandparent_timens != r->probe_ns[NS_TIME] || !near(s.monotonic, atof(m), TOLERANCE))
        check_fail(c, "with --init, the init (the container's first process), the command and a process the command "
                   "starts in one time namespace, not the host's, with the offset",
                   "time namespaces: the host's %lu, the init's %lu, the command's (sh) %lu, its child's %lu; the "
                   "child's CLOCK_MONOTONIC is %+.1f s from the host's (want %s)", r->world_ns[NS_TIME],
                   s.grandparent_timens, s.parent_timens, r->probe_ns[NS_TIME], s.monotonic, m);
}

/* The lab's own process stays in the host's time namespace: only its
 * children are born in the new one (its time_for_children). */
CHECK(time_lab_keeps_the_host_clocks)
{
    struct world_spec spec = { .during = look };
    struct world_result *r;
    char m[32], b[32];
    struct seen s;

    snprintf(m, sizeof m, "%lld", draw_offset());
    snprintf(b, sizeof b, "%lld", draw_offset());
    r = lab_run(c, &spec, ARGS("--monotonic", m, "--boottime", b, "--", probe(), "--wait"));
    expect_ran(c, r);
    expect_probe_ready(c, r);
    expect_ns_differs(c, r, NS_TIME);
    get_seen(r, &s);
    if (s.parent_timens != r->world_ns[NS_TIME])
        check_fail(c, "the lab's own process (the container's parent) still in the host's time namespace, its own "
                   "clocks the host's: the new namespace is only where its children are born",
                   "the lab's process (PID %d in the test world) is in time namespace %lu, the command's; the host's "
                   "is %lu. Did it move itself in (setns(2))?", (int)s.parent, s.parent_timens, r->world_ns[NS_TIME]);
    if (s.parent_timens_for_children != r->probe_ns[NS_TIME])
        check_fail(c, "the lab's time_for_children to be the command's time namespace: made by unshare(2) in the lab's "
                   "process, before the child", "the lab's time_for_children %lu, the command's time namespace %lu. "
                   "Was the namespace made with the child (CLONE_NEWTIME among its clone flags), or by another "
                   "process?", s.parent_timens_for_children, r->probe_ns[NS_TIME]);
}

/* Offsets apply when asked, and only then: --boottime alone moves
 * CLOCK_BOOTTIME only; with no option there is a time namespace all the
 * same, whose clocks are the world's. */
CHECK(time_no_offsets_same_clocks)
{
    struct world_spec spec = { .during = look };
    struct world_result *r;
    struct seen s;
    char b[32];

    snprintf(b, sizeof b, "%lld", draw_offset());
    r = lab_run(c, &spec, ARGS("--boottime", b, "--", probe(), "--clocks", "--wait"));
    expect_ran(c, r);
    expect_probe_ready(c, r);
    get_seen(r, &s);
    if (!near(s.boottime, atof(b), TOLERANCE) || !near(s.monotonic, 0, TOLERANCE))
        check_fail(c, "with --boottime alone, CLOCK_BOOTTIME moved by it and CLOCK_MONOTONIC the host's",
                   "CLOCK_BOOTTIME %+.1f s (want %s), CLOCK_MONOTONIC %+.1f s from the host's (want 0)", s.boottime, b,
                   s.monotonic);
    r = lab_run(c, &spec, ARGS("--", probe(), "--clocks", "--wait"));

    expect_ran(c, r);
    expect_probe_ready(c, r);
    get_seen(r, &s);
    if (!near(s.monotonic, 0, TOLERANCE) || !near(s.boottime, 0, TOLERANCE))
        check_fail(c, "with no offsets, the clocks inside to be the host's",
                   "CLOCK_MONOTONIC %+.1f s, CLOCK_BOOTTIME %+.1f s from the host's", s.monotonic, s.boottime);
    if (!r->probe_ns[NS_TIME] || r->probe_ns[NS_TIME] == r->world_ns[NS_TIME])
        check_fail(c, "with no option, run by root, a time namespace all the same (its offsets 0)",
                   "the command is in the host's time namespace (%lu)", r->world_ns[NS_TIME]);
}

/* --verbose names CLONE_NEWTIME and the offsets. */
CHECK(time_verbose_narrates)
{
    struct world_result *r;
    char m[32], expected[160];

    snprintf(m, sizeof m, "%lld", draw_ahead());
    r = lab_run(c, NULL, ARGS("-v", "--monotonic", m, "--", "true"));
    expect_ran(c, r);
    snprintf(expected, sizeof expected, "--verbose to name CLONE_NEWTIME and the offsets written (here monotonic %s)",
             m);
    if (!strstr(r->err, "CLONE_NEWTIME") || !strstr(r->err, m))
        check_fail(c, expected, "stderr:\n%s", r->err);
}

/* Bad offsets: 125 and one line naming the option; below zero is the
 * kernel's refusal (ERANGE), after the namespace exists, and the line gives
 * the kernel's reason. */
CHECK(time_bad_offset_exit_125)
{
    char below[32], reason[128];
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
    snprintf(reason, sizeof reason, "%s", strerror(ERANGE));
    if (!strstr(r->err, reason))
        check_fail(c, "the line that refuses an offset below zero to give the kernel's reason, strerror(errno) of the "
                   "write (ERANGE)", "stderr: %s(no \"%s\" in it)", r->err, reason);
}

/* A user of the world, not root, to run the lab as. */
static struct world_run_as some_user(void)
{
    struct world_run_as u;

    u.uid = WORLD_USER_FIRST + rand_range(0, 65535);
    u.gid = WORLD_USER_FIRST + rand_range(0, 65535);
    return u;
}

/* Without root: no time namespace, and the offsets refused (125, one line
 * naming the option) rather than ignored. */
CHECK(time_without_root_no_offsets)
{
    struct world_spec spec = { .as_user = some_user() };
    struct world_result *r;
    char value[32];

    r = lab_run(c, &spec, ARGS("--", probe(), "--wait"));
    expect_ran(c, r);
    expect_probe_ready(c, r);
    if (r->probe_ns[NS_TIME] != r->world_ns[NS_TIME])
        check_fail(c, "run without root and with no option, no time namespace (a user cannot make one before the "
                   "child)", "run by uid %u, the command is in time namespace %lu, the host's is %lu",
                   (unsigned)spec.as_user.uid, r->probe_ns[NS_TIME], r->world_ns[NS_TIME]);
    snprintf(value, sizeof value, "%lld", draw_ahead());
    r = lab_run(c, &spec, ARGS("--monotonic", value, "--", "true"));
    expect_usage_error(c, r, "--monotonic");
    r = lab_run(c, &spec, ARGS("--boottime", value, "--", "true"));
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
    CHECK_ENTRY(time_children_share_the_namespace, "with --init, the init, the command and its children share one "
                "time namespace", TIMENS),
    CHECK_ENTRY(time_lab_keeps_the_host_clocks, "the lab's own process stays in the host's time namespace", TIMENS),
    CHECK_ENTRY(time_no_offsets_same_clocks, "offsets apply when asked; with none, a time namespace whose clocks are "
                "the host's", TIMENS),
    CHECK_ENTRY(time_verbose_narrates, "--verbose names CLONE_NEWTIME and the offsets", TIMENS),
    CHECK_ENTRY(time_bad_offset_exit_125, "a bad offset, or one below zero: exit 125 with one line naming the option",
                OPTIONS),
    CHECK_ENTRY(time_without_root_no_offsets, "without root, no time namespace, and --monotonic or --boottime exit "
                "125", OPTIONS),
    { NULL, NULL, NULL, NULL },
};

LAYER("09_timens", checks);
