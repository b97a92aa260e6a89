/* The checks of lab 08_caps: the container's root keeps Docker's 14
 * capabilities, changed by --cap-add and --cap-drop, in every set that
 * matters and for good. Each run drops a random default capability and adds
 * a random other one, spelled differently each time; the sets are read from
 * outside (/proc/PID/status), then proved by what root can do inside. */
#define _GNU_SOURCE
#include "checks.h"
#include "judge.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#define SETS "08_caps.md#the-five-sets"
#define FOR_GOOD "08_caps.md#dropping-for-good"
#define DEFAULTS "08_caps.md#dockers-default-set"
#define INSIDE "08_caps.md#what-root-can-no-longer-do"
#define OPTIONS "08_caps.md#the-options"

struct cap { const char *name; int value; };
#define CAP(x) { #x, CAP_##x }

/* Docker's default set (handout 08): what a container's root keeps. */
static const struct cap defaults[] = {
    CAP(CHOWN), CAP(DAC_OVERRIDE), CAP(FSETID), CAP(FOWNER), CAP(MKNOD), CAP(NET_RAW), CAP(SETGID),
    CAP(SETUID), CAP(SETFCAP), CAP(SETPCAP), CAP(NET_BIND_SERVICE), CAP(SYS_CHROOT), CAP(KILL), CAP(AUDIT_WRITE),
};
#define NDEFAULTS (sizeof defaults / sizeof defaults[0])
/* Some that are not in it, to add. */
static const struct cap others[] = {
    CAP(NET_ADMIN), CAP(SYS_PTRACE), CAP(IPC_LOCK), CAP(SYS_NICE), CAP(SYS_RESOURCE), CAP(LEASE),
    CAP(IPC_OWNER), CAP(NET_BROADCAST), CAP(DAC_READ_SEARCH), CAP(LINUX_IMMUTABLE), CAP(SYSLOG), CAP(SYS_ADMIN),
};
#define NOTHERS (sizeof others / sizeof others[0])
/* Those numbered 31 and up: a bit that does not fit in an int (1 << 31 is
 * negative, 1 << 34 undefined) is where a lab's arithmetic goes wrong. */
/* (By number: an older <linux/capability.h> lacks the newest names.) */
static const struct cap high[] = {
    { "SETFCAP", 31 }, { "MAC_OVERRIDE", 32 }, { "MAC_ADMIN", 33 }, { "SYSLOG", 34 }, { "WAKE_ALARM", 35 },
    { "BLOCK_SUSPEND", 36 }, { "AUDIT_READ", 37 }, { "PERFMON", 38 }, { "BPF", 39 }, { "CHECKPOINT_RESTORE", 40 },
};
#define NHIGH (sizeof high / sizeof high[0])

/* Every capability's name, by number, for the messages. */
static const char *const names[] = {
    "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
    "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
    "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
    "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
    "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
    "CHECKPOINT_RESTORE",
};
_Static_assert(sizeof names / sizeof names[0] == 41, "a name for every capability of Linux 5.9 and later");

/* "CAP_SYS_ADMIN, CAP_NET_ADMIN": the capabilities of mask, by name, the
 * most powerful first (the first six, then how many more). */
static void name_caps(unsigned long long mask, char *out, size_t n)
{
    static const int first[] = { CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_SYS_PTRACE, CAP_SYS_MODULE, CAP_DAC_READ_SEARCH };
    int order[64], count = 0, v, i, more = 0;

    for (i = 0; i < (int)(sizeof first / sizeof first[0]); i++)
        if (mask & (1ULL << first[i]))
            order[count++] = first[i];
    for (v = 0; v < 64; v++) {
        for (i = 0; i < (int)(sizeof first / sizeof first[0]) && first[i] != v; i++)
            ;
        if ((mask & (1ULL << v)) && i == (int)(sizeof first / sizeof first[0]))
            order[count++] = v;
    }
    out[0] = '\0';
    for (i = 0; i < count; i++) {
        v = order[i];
        if (i == 6) {
            more = count - 6;
            break;
        }
        if (v < (int)(sizeof names / sizeof names[0]))
            appendf(out, n, "%sCAP_%s", i ? ", " : "", names[v]);
        else
            appendf(out, n, "%scapability %d", i ? ", " : "", v);
    }
    if (more)
        appendf(out, n, " and %d more", more);
    if (!out[0])
        snprintf(out, n, "none");
}

static unsigned long long default_mask(void)
{
    unsigned long long m = 0;
    size_t i;

    for (i = 0; i < NDEFAULTS; i++)
        m |= 1ULL << defaults[i].value;
    return m;
}

/* Every capability this kernel knows. */
static unsigned long long all_mask(void)
{
    char text[16] = "";
    int last = 0;

    if (read_file("/proc/sys/kernel/cap_last_cap", text, sizeof text) < 0 || sscanf(text, "%d", &last) != 1 ||
        last < 0)
        last = CAP_LAST_CAP;
    return last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
}

/* "net_admin", "CAP_NET_ADMIN", "Cap_Net_Admin": how a student might type it. */
static void spell(const struct cap *cap, int style, char *out, size_t n)
{
    size_t i;

    snprintf(out, n, "%s%s", style == 0 ? "" : style == 1 ? "CAP_" : "Cap_", cap->name);
    for (i = style == 2 ? 4 : 0; out[i]; i++)
        if (style == 0)
            out[i] = (char)tolower((unsigned char)out[i]);
        else if (style == 2 && i > 4 && out[i - 1] != '_')
            out[i] = (char)tolower((unsigned char)out[i]);
}

/* A plan: one default dropped (lower case, no prefix), one other added
 * (add_style 1: "CAP_NET_ADMIN", 2: "Cap_Net_Admin"). */
struct plan {
    const struct cap *drop, *add;
    char drop_arg[40], add_arg[40];
    unsigned long long mask;
};

static void draw(struct plan *p, int add_style)
{
    p->drop = &defaults[rand_range(0, NDEFAULTS - 1)];
    p->add = &others[rand_range(0, NOTHERS - 1)];
    spell(p->drop, 0, p->drop_arg, sizeof p->drop_arg);
    spell(p->add, add_style, p->add_arg, sizeof p->add_arg);
    p->mask = ((default_mask() & ~(1ULL << p->drop->value)) | 1ULL << p->add->value) & all_mask();
}

/* The five sets of a process of the world, as /proc/PID/status says them
 * ("CapInh:\t0000000000000000"), appended to out. */
static void cap_lines(pid_t pid, char *out, size_t n)
{
    char rel[64], text[4096], *line, *save = NULL;

    snprintf(rel, sizeof rel, "%d/status", (int)pid);
    if (pid <= 0 || proc_read(rel, text, sizeof text) <= 0) {
        appendf(out, n, "(cannot read /proc/%d/status)\n", (int)pid);
        return;
    }
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (strncmp(line, "Cap", 3) == 0)
            appendf(out, n, "%s\n", line);
}

/* From outside, while the probe waits: its five sets. */
static void read_sets(struct world_result *r, void *data)
{
    (void)data;
    r->user[0] = '\0';
    cap_lines(r->probe_pid, r->user, sizeof r->user);
}

/* The same, then "--" and the five sets of the probe's parent: the
 * container's PID 1 when it runs under --init. */
static void read_sets_and_init(struct world_result *r, void *data)
{
    char state;

    read_sets(r, data);
    appendf(r->user, sizeof r->user, "--\n");
    cap_lines(process_parent(r->probe_pid, &state), r->user + strlen(r->user), sizeof r->user - strlen(r->user));
}

/* The five lines we expect: bounding, permitted and effective `mask`,
 * inheritable and ambient empty. */
static void expected_sets(unsigned long long mask, char *out, size_t n)
{
    snprintf(out, n, "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\nCapBnd:\t%016llx\nCapAmb:\t%016llx\n", 0ULL,
             mask, mask, mask, 0ULL);
}

/* The value of one set ("CapPrm") in Cap lines; -1 when absent. */
static long long set_of(const char *lines, const char *set)
{
    const char *p = strstr(lines, set);
    unsigned long long v;

    if (!p || sscanf(p + strlen(set), ":%llx", &v) != 1)
        return -1;
    return (long long)v;
}

/* What is wrong with the five sets in lines, set by set, in words: "the
 * bounding set also holds CAP_SYS_ADMIN ..." (appended to out). */
static void explain_sets(unsigned long long mask, const char *lines, char *out, size_t n)
{
    static const struct { const char *key, *name; int kept; } sets[] = {
        { "CapBnd", "bounding", 1 }, { "CapPrm", "permitted", 1 }, { "CapEff", "effective", 1 },
        { "CapInh", "inheritable", 0 }, { "CapAmb", "ambient", 0 },
    };
    char listed[512];
    size_t i;

    for (i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        long long v = set_of(lines, sets[i].key);
        unsigned long long want = sets[i].kept ? mask : 0, got = (unsigned long long)v;
        if (v < 0)
            continue;
        if (got & ~want) {
            name_caps(got & ~want, listed, sizeof listed);
            appendf(out, n, "the %s set %s %s%s\n", sets[i].name, sets[i].kept ? "also holds" : "holds", listed,
                    !sets[i].kept ? ": it must be empty"
                    : i == 0 ? ": root's execve gets back whatever the bounding set holds" : "");
        }
        if (want & ~got) {
            name_caps(want & ~got, listed, sizeof listed);
            appendf(out, n, "the %s set lacks %s\n", sets[i].name, listed);
        }
    }
}

static void expect_sets(struct check *c, const struct world_result *r, unsigned long long mask, const char *what)
{
    char want[256], expected[512], seen[4096] = "";

    expected_sets(mask, want, sizeof want);
    if (strcmp(r->user, want) == 0)
        return;
    snprintf(expected, sizeof expected, "%s, from outside (/proc/PID/status of the command):\n%s", what, want);
    explain_sets(mask, r->user, seen, sizeof seen);
    check_fail(c, expected, "%s%s", seen, r->user[0] ? r->user : "(no Cap lines)");
}

/* The container was set up and the command ran (exit 0). A set-up refused
 * with EPERM is, in this lab, capabilities gone before a step that needed
 * them: say so. */
static void expect_ran(struct check *c, const struct world_result *r)
{
    char seen[16384];

    if (WIFEXITED(r->lab_status) && WEXITSTATUS(r->lab_status) == 125 && strstr(r->err, strerror(EPERM))) {
        snprintf(seen, sizeof seen, "exit status 125, a step of the set-up refused with EPERM\n");
        describe_output(r, seen, sizeof seen);
        check_end(c, "FAIL", "the container set up and the command run (exit 0). A step refused with EPERM: were "
                  "the capabilities dropped before a step that needs them (sethostname, the mounts, the network), "
                  "or the bounding set after CAP_SETPCAP was gone? (\"Dropping for good\")", seen);
    }
    expect_exit(c, r, 0);
}

CHECK(caps_sets_seen_from_outside)
{
    struct plan p;
    struct world_spec spec = { .during = read_sets };
    struct world_result *r;
    char what[200];

    draw(&p, 2);
    r = lab_run(c, &spec, ARGS("--cap-drop", p.drop_arg, "--cap-add", p.add_arg, "--", probe(), "--wait"));
    expect_ran(c, r);
    expect_probe_ready(c, r);
    snprintf(what, sizeof what, "Docker's 14 without CAP_%s, with CAP_%s, in the bounding, permitted and effective "
             "sets; none inheritable or ambient", p.drop->name, p.add->name);
    expect_sets(c, r, p.mask, what);
}

CHECK(caps_default_set_is_dockers)
{
    struct world_spec spec = { .during = read_sets };
    struct world_result *r = lab_run(c, &spec, ARGS("--", probe(), "--wait"));

    expect_ran(c, r);
    expect_probe_ready(c, r);
    expect_sets(c, r, default_mask() & all_mask(), "with no option, exactly Docker's 14 capabilities");
}

/* Root execing again (a shell that execs a shell that execs the probe)
 * gets its bounding set back as permitted: only a dropped bounding set
 * keeps a capability away for good. */
CHECK(caps_root_exec_cannot_regain)
{
    struct plan p;
    struct world_spec spec = { .during = read_sets };
    struct world_result *r;
    char script[256], what[160];

    draw(&p, 1);
    snprintf(script, sizeof script, "exec /bin/sh -c 'exec %s --wait'", probe());
    r = lab_run(c, &spec, ARGS("--cap-drop", p.drop_arg, "--", "/bin/sh", "-c", script));
    expect_ran(c, r);
    expect_probe_ready(c, r);
    snprintf(what, sizeof what, "after root execs twice more, still no CAP_%s", p.drop->name);
    expect_sets(c, r, (default_mask() & ~(1ULL << p.drop->value)) & all_mask(), what);
}

/* With --init, PID 1 of the container is the init, which execs nothing: a
 * lab that drops capabilities only on the way to the command's exec(2)
 * leaves it every one. It may hold fewer than the command, never more. */
CHECK(caps_init_holds_no_more)
{
    struct plan p;
    struct world_spec spec = { .during = read_sets_and_init };
    struct world_result *r;
    static const char *const sets[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
    unsigned long long extra = 0;
    char what[200], *init, extra_names[512];
    size_t i;

    draw(&p, (int)rand_range(0, 2));
    r = lab_run(c, &spec, ARGS("--init", "--cap-drop", p.drop_arg, "--cap-add", p.add_arg, "--", probe(), "--wait"));
    expect_ran(c, r);
    expect_probe_ready(c, r);
    init = strstr(r->user, "--\n");
    if (init)
        *init = '\0';
    snprintf(what, sizeof what, "with --init, the command (PID 2): Docker's 14 without CAP_%s, with CAP_%s",
             p.drop->name, p.add->name);
    expect_sets(c, r, p.mask, what);
    init = init ? init + 3 : (char *)"";
    for (i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        long long v = set_of(init, sets[i]);
        unsigned long long allowed = (i == 0 || i == 4) ? 0 : p.mask;
        if (v < 0)
            check_fail(c, "the sets of the container's PID 1, the init, read from outside",
                       "/proc/PID/status of the init said:\n%s", init[0] ? init : "(nothing)");
        extra |= (unsigned long long)v & ~allowed;
    }
    if (!extra)
        return;
    name_caps(extra, extra_names, sizeof extra_names);
    check_fail(c, "with --init, the container's PID 1 (the init) to hold no capability the command does not, and "
               "none inheritable or ambient: drop them before the init runs, not on the way to the command's exec",
               "the init holds %s beyond the capabilities kept; from outside (/proc/PID/status of the init):\n%s",
               extra_names, init);
}

/* --hostname works (the lab set it while it could), hostname(1) inside
 * does not: CAP_SYS_ADMIN is gone. */
CHECK(caps_hostname_needs_sys_admin)
{
    struct world_result *r;
    char name[32], want[64];

    random_hostname(name, sizeof name);
    r = lab_run(c, NULL, ARGS("--hostname", name, "--", "/bin/sh", "-c", "hostname other 2>/dev/null; echo $?; hostname"));
    expect_ran(c, r);
    snprintf(want, sizeof want, "\n%s\n", name);
    if (strncmp(r->out, "0\n", 2) == 0 || !strstr(r->out, want))
        check_fail(c, "--hostname to work, and `hostname other` inside to fail (no CAP_SYS_ADMIN): a non-zero "
                   "status, and the name unchanged", "stdout (the status of `hostname other`, then `hostname`):\n%s",
                   r->out);
}

/* chown(1) works with the default set and fails after --cap-drop CHOWN. */
CHECK(caps_chown_follows_cap_drop)
{
    struct world_result *r;
    char mark[16], script[256], drop[16];

    rand_hex(mark, 12);
    snprintf(script, sizeof script, "f=/tmp/nslab-chown-%s; touch $f && chown 1:1 $f 2>/dev/null && echo chowned; "
             "rm -f $f", mark);
    r = lab_run(c, NULL, ARGS("--", "/bin/sh", "-c", script));
    expect_ran(c, r);
    if (strcmp(r->out, "chowned\n") != 0)
        check_fail(c, "root inside to chown a file it made (CAP_CHOWN is in the default set)", "stdout:\n%s", r->out);
    snprintf(drop, sizeof drop, "%s", rand_range(0, 1) ? "CHOWN" : "cap_chown");
    r = lab_run(c, NULL, ARGS("--cap-drop", drop, "--", "/bin/sh", "-c", script));
    expect_ran(c, r);
    if (strstr(r->out, "chowned"))
        check_fail(c, "with --cap-drop CHOWN, chown inside to fail", "chown worked: stdout:\n%s", r->out);
}

/* capsh(1), the real tool, sees what the harness sees. */
CHECK(caps_capsh_agrees)
{
    struct plan p;
    struct world_result *r;
    char want[1024] = "Bounding set =";
    int v, first = 1;

    draw(&p, 1);
    /* capsh names them in number order, "cap_chown,cap_dac_override,...". */
    for (v = 0; v < 64; v++)
        if (p.mask & (1ULL << v)) {
            const struct cap *cap = NULL;
            size_t i;
            for (i = 0; i < NDEFAULTS; i++)
                if (defaults[i].value == v)
                    cap = &defaults[i];
            for (i = 0; i < NOTHERS; i++)
                if (others[i].value == v)
                    cap = &others[i];
            appendf(want, sizeof want, "%scap_", first ? "" : ",");
            for (i = 0; cap && cap->name[i]; i++)
                appendf(want, sizeof want, "%c", tolower((unsigned char)cap->name[i]));
            first = 0;
        }
    r = lab_run(c, NULL, ARGS("--cap-drop", p.drop_arg, "--cap-add", p.add_arg, "--", "capsh", "--print"));
    expect_ran(c, r);
    if (!strstr(r->out, want) || !strstr(r->out, "\nAmbient set =\n"))
        check_fail(c, "capsh --print inside to say the bounding set and an empty ambient set", "%s\ncapsh printed:\n%s",
                   want, r->out);
}

CHECK(caps_drop_all_still_runs)
{
    struct world_spec spec = { .during = read_sets };
    struct world_result *r = lab_run(c, &spec, ARGS("--cap-drop", "ALL", "--", probe(), "--wait"));

    expect_ran(c, r);
    expect_probe_ready(c, r);
    expect_sets(c, r, 0, "with --cap-drop ALL, the command to run with no capability at all");
}

/* Docker's idiom: drop them all, add back the one needed. And the other
 * way round: every one but one (with ALL, Docker applies the drops). The
 * rule holds whatever the order of the options: an add wins over a drop. */
CHECK(caps_drop_all_add_one)
{
    struct world_spec spec = { .during = read_sets };
    const struct cap *keep = &defaults[rand_range(0, NDEFAULTS - 1)];
    struct world_result *r;
    char arg[40], what[160];
    int order;

    spell(keep, (int)rand_range(0, 2), arg, sizeof arg);
    for (order = 0; order < 2; order++) {
        r = lab_run(c, &spec, order ? ARGS("--cap-add", arg, "--cap-drop", "ALL", "--", probe(), "--wait")
                                    : ARGS("--cap-drop", "ALL", "--cap-add", arg, "--", probe(), "--wait"));
        expect_ran(c, r);
        expect_probe_ready(c, r);
        snprintf(what, sizeof what, "with %s, CAP_%s alone (an add wins over a drop, whatever their order)",
                 order ? "--cap-add X --cap-drop ALL" : "--cap-drop ALL --cap-add X", keep->name);
        expect_sets(c, r, 1ULL << keep->value, what);
    }
    for (order = 0; order < 2; order++) {
        r = lab_run(c, &spec, order ? ARGS("--cap-drop", arg, "--cap-add", "all", "--", probe(), "--wait")
                                    : ARGS("--cap-add", "all", "--cap-drop", arg, "--", probe(), "--wait"));
        expect_ran(c, r);
        expect_probe_ready(c, r);
        snprintf(what, sizeof what, "with %s, every capability this kernel knows but CAP_%s (with ALL added, the "
                 "drops apply, whatever their order)", order ? "--cap-drop X --cap-add all" : "--cap-add all --cap-drop X",
                 keep->name);
        expect_sets(c, r, all_mask() & ~(1ULL << keep->value), what);
    }
}

/* A capability numbered 31 or more, added, and one numbered 32 or more
 * dropped from every one: their bits need 64-bit arithmetic. */
CHECK(caps_numbers_above_31)
{
    struct world_spec spec = { .during = read_sets };
    const struct cap *add, *drop;
    struct world_result *r;
    char add_arg[40], drop_arg[40], what[200];

    do
        add = &high[rand_range(0, NHIGH - 1)];
    while (!(all_mask() & (1ULL << add->value)));
    do
        drop = &high[rand_range(1, NHIGH - 1)];
    while (!(all_mask() & (1ULL << drop->value)));
    spell(add, (int)rand_range(0, 2), add_arg, sizeof add_arg);
    spell(drop, (int)rand_range(0, 2), drop_arg, sizeof drop_arg);
    r = lab_run(c, &spec, ARGS("--cap-add", add_arg, "--", probe(), "--wait"));
    expect_ran(c, r);
    expect_probe_ready(c, r);
    snprintf(what, sizeof what, "with --cap-add %s, Docker's 14 and CAP_%s (number %d: its bit needs 64-bit "
             "arithmetic, 1ULL << %d)", add_arg, add->name, add->value, add->value);
    expect_sets(c, r, (default_mask() | 1ULL << add->value) & all_mask(), what);
    r = lab_run(c, &spec, ARGS("--cap-add", "ALL", "--cap-drop", drop_arg, "--", probe(), "--wait"));
    expect_ran(c, r);
    expect_probe_ready(c, r);
    snprintf(what, sizeof what, "with --cap-add ALL --cap-drop %s, every capability this kernel knows but CAP_%s "
             "(number %d)", drop_arg, drop->name, drop->value);
    expect_sets(c, r, all_mask() & ~(1ULL << drop->value), what);
}

CHECK(caps_verbose_narrates)
{
    struct world_result *r = lab_run(c, NULL, ARGS("-v", "--", "true"));

    expect_ran(c, r);
    if (!strcasestr(r->err, "chown") || !strcasestr(r->err, "setfcap") || strcasestr(r->err, "sys_admin"))
        check_fail(c, "--verbose to list the capabilities kept (chown ... setfcap, not sys_admin)", "stderr:\n%s",
                   r->err);
}

/* Bad names: 125, one line naming the option. A number is no name, though
 * cap_from_name(3) takes one ("21", "0x15"). A lab that takes one is told
 * what it took. */
static void expect_refused(struct check *c, const char *option, const char *text, const char *what)
{
    struct world_result *r = lab_run(c, NULL, ARGS((char *)option, (char *)text, "--", "true"));
    char expected[256];

    if (WIFEXITED(r->lab_status) && WEXITSTATUS(r->lab_status) == 0) {
        snprintf(expected, sizeof expected, "%s \"%s\" refused (exit 125, one line naming %s): %s", option, text,
                 option, what);
        check_fail(c, expected, "the lab took it and ran the command (exit status 0)");
    }
    expect_usage_error(c, r, option);
}

CHECK(caps_bad_name_exit_125)
{
    const struct cap *other = &others[rand_range(0, NOTHERS - 1)];
    char number[16];

    expect_refused(c, "--cap-add", "CAP_FOO", "no capability has that name");
    expect_refused(c, "--cap-drop", "", "an empty name is no name");
    expect_refused(c, "--cap-add", "CAP_", "the prefix alone is no name");
    expect_refused(c, "--cap-drop", "chown,kill", "a list is no name, though cap_from_name(3) reads it as its first");
    expect_refused(c, "--cap-add", "sys-admin", "capability names have underscores, not hyphens");
    snprintf(number, sizeof number, rand_range(0, 1) ? "%d" : "0x%x", other->value);
    expect_refused(c, "--cap-add", number, "a number is no name: cap_from_name(3) takes one, the options take names "
                   "only");
}

static const struct check_info checks[] = {
    CHECK_ENTRY(caps_sets_seen_from_outside, "from outside, the command's five sets are Docker's 14 with --cap-drop "
                "and --cap-add applied", SETS),
    CHECK_ENTRY(caps_default_set_is_dockers, "with no option, exactly Docker's 14 capabilities", DEFAULTS),
    CHECK_ENTRY(caps_root_exec_cannot_regain, "root execing again does not get a dropped capability back", FOR_GOOD),
    CHECK_ENTRY(caps_init_holds_no_more, "with --init, the container's PID 1 holds no capability the command does not",
                FOR_GOOD),
    CHECK_ENTRY(caps_hostname_needs_sys_admin, "--hostname works, but hostname(1) inside fails", INSIDE),
    CHECK_ENTRY(caps_chown_follows_cap_drop, "chown works inside, and fails after --cap-drop CHOWN", INSIDE),
    CHECK_ENTRY(caps_capsh_agrees, "capsh --print inside shows the bounding set and no ambient capability", SETS),
    CHECK_ENTRY(caps_drop_all_still_runs, "--cap-drop ALL still runs the command, with no capability", OPTIONS),
    CHECK_ENTRY(caps_drop_all_add_one, "--cap-drop ALL --cap-add X keeps X alone; --cap-add all --cap-drop X every "
                "one but X; in either order", OPTIONS),
    CHECK_ENTRY(caps_numbers_above_31, "capabilities numbered 31 and up (CAP_BPF, CAP_SYSLOG...) are added and "
                "dropped like the others", OPTIONS),
    CHECK_ENTRY(caps_verbose_narrates, "--verbose lists the capabilities kept", SETS),
    CHECK_ENTRY(caps_bad_name_exit_125, "a bad --cap-add or --cap-drop (a number too): exit 125 with one line naming "
                "the option",
                OPTIONS),
    { NULL, NULL, NULL, NULL },
};

LAYER("08_caps", checks);
