/* The checks of lab 10_full_container: a root filesystem of its own, a
 * minimal /dev, masked /proc and /sys paths, no_new_privs, a seccomp
 * filter, --pid-file and --join.
 *
 * Each run gets a fresh copy of `make rootfs`'s tree (world_spec.root =
 * ROOT_ROOTFS, at WORLD_ROOT_DIR), with a random file the check puts in it
 * and another random file in the world's own /tmp: inside, the first must be
 * there and the second out of reach. Only behaviour counts: what the
 * command sees, what the world sees from outside, what system calls answer.
 * (The checks of labs 01-09 run lab 10 with a root of the host's own
 * programs: verdict.c's lab_run.) */
#define _GNU_SOURCE
#include "checks.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROOT "10_full_container.md#pivot_root-not-chroot"
#define DEV "10_full_container.md#a-dev-of-six-nodes"
#define MASKED "10_full_container.md#masked-and-read-only-paths"
#define NNP "10_full_container.md#no_new_privs"
#define SECCOMP "10_full_container.md#a-filter-for-system-calls"
#define JOIN "10_full_container.md#joining-a-running-container"
#define PIDFILE "10_full_container.md#the-pid-file"
#define OPTIONS "10_full_container.md#the-options"

/* With lab 10's root: its own arguments first. */
#define ROOTED(...) ARGS("--root", WORLD_ROOT_DIR, __VA_ARGS__)

/* The marks of one run, and what the world saw from outside. */
struct marks {
    char name[32];          /* a file in the new root: /NAME */
    char content[32];       /* ... holding this */
    char host[48];          /* a file in the world's /tmp: /tmp/HOST, out of reach inside */
    char pid_file[64];      /* --pid-file, in the world's /tmp */
};

struct seen {
    char mountinfo[2048];   /* the command's mounts that are the world's "/" or /tmp (old root) */
    char dev_mounts[512];   /* the command's /dev and /dev/pts: world's or own */
    char status[512];       /* NoNewPrivs, Seccomp, Seccomp_filters of the command, and of its parent */
    int filters, parent_filters, nonewprivs;
    char pid_file[64];      /* what --pid-file held while it ran */
    char joined[6144];      /* --join's output and report */
    int join_status;
    char init_ns[512];      /* "ns_uts N" lines of the container's init, from outside */
    char init_caps[160];    /* its CapEff and CapBnd */
};
_Static_assert(sizeof(struct seen) <= USER_CAP, "struct seen must fit in world_result.user");

static void get_seen(const struct world_result *r, struct seen *s)
{
    memcpy(s, r->user, sizeof *s);
}

static void draw_marks(struct marks *m)
{
    rand_hex(m->name, 12);
    memmove(m->name + 6, m->name, 13);
    memcpy(m->name, "nslab-", 6);
    rand_hex(m->content, 16);
    snprintf(m->host, sizeof m->host, "nslab-host-");
    rand_hex(m->host + strlen(m->host), 12);
    snprintf(m->pid_file, sizeof m->pid_file, "/tmp/nslab-pid-");
    rand_hex(m->pid_file + strlen(m->pid_file), 10);
}

/* A new file holding text. */
static int create_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    ssize_t n = fd == -1 ? -1 : write(fd, text, strlen(text));

    if (fd != -1 && close(fd) == -1)
        return -1;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* A whole small file, malloc'd (64 KiB at most); NULL on error. */
static char *slurp(const char *path)
{
    char *buf = malloc(65536);

    if (buf && read_file(path, buf, 65536) < 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* In W, before the lab: the mark in the new root, the other in /tmp. */
static void put_marks(struct world_result *r, void *data)
{
    const struct marks *m = data;
    char path[256];

    snprintf(path, sizeof path, "%s/%s", WORLD_ROOT_DIR, m->name);
    if (create_file(path, m->content) == -1)
        world_setup_failed(r, "write %s: %s", path, strerror(errno));
    snprintf(path, sizeof path, "/tmp/%s", m->host);
    if (create_file(path, "host\n") == -1)
        world_setup_failed(r, "write %s: %s", path, strerror(errno));
}

/* The major:minor of the world's mount at `target` ("" if none). */
static void world_device(const char *mountinfo, const char *target, char *dev, size_t n)
{
    char *copy = strdup(mountinfo ? mountinfo : ""), *save = NULL, *line;

    dev[0] = '\0';
    for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char d[32], t[512];
        if (sscanf(line, "%*s %*s %31s %*s %511s", d, t) == 2 && strcmp(t, target) == 0)
            snprintf(dev, n, "%s", d);   /* the last one: the top of a stack */
    }
    free(copy);
}

/* The command's mount lines whose device is dev, into out. */
static void lines_with_device(const char *mountinfo, const char *dev, char *out, size_t n)
{
    char *copy = strdup(mountinfo ? mountinfo : ""), *save = NULL, *line;

    for (line = strtok_r(copy, "\n", &save); line && dev[0]; line = strtok_r(NULL, "\n", &save)) {
        char d[32];
        if (sscanf(line, "%*s %*s %31s", d) == 1 && strcmp(d, dev) == 0)
            appendf(out, n, "%s\n", line);
    }
    free(copy);
}

static int status_field(const char *status, const char *field)
{
    const char *p = strstr(status, field);

    return p ? atoi(p + strlen(field)) : -1;
}

/* `during`: look at the command (the probe) from outside. */
static void look(struct world_result *r, void *data)
{
    const struct marks *m = data;
    struct seen s;
    char rel[64], *theirs = malloc(65536), *ours = slurp("/proc/self/mountinfo");
    char dev[32], text[4096];
    char state;
    pid_t parent = process_parent(r->probe_pid, &state);
    int t;

    memset(&s, 0, sizeof s);
    snprintf(rel, sizeof rel, "%d/mountinfo", (int)r->probe_pid);
    if (theirs && proc_read(rel, theirs, 65536) > 0) {
        world_device(ours, "/", dev, sizeof dev);
        lines_with_device(theirs, dev, s.mountinfo, sizeof s.mountinfo);
        world_device(ours, "/tmp", dev, sizeof dev);
        lines_with_device(theirs, dev, s.mountinfo, sizeof s.mountinfo);
        {
            char mine[32], world[32];
            world_device(theirs, "/dev", mine, sizeof mine);
            world_device(ours, "/dev", world, sizeof world);
            appendf(s.dev_mounts, sizeof s.dev_mounts, "/dev %s (the world's %s)", mine[0] ? mine : "none", world);
            if (mine[0] && strcmp(mine, world) == 0)
                appendf(s.dev_mounts, sizeof s.dev_mounts, " SAME");
            world_device(theirs, "/dev/pts", mine, sizeof mine);
            world_device(ours, "/dev/pts", world, sizeof world);
            appendf(s.dev_mounts, sizeof s.dev_mounts, "; /dev/pts %s (the world's %s)", mine[0] ? mine : "none",
                    world);
            if (mine[0] && strcmp(mine, world) == 0)
                appendf(s.dev_mounts, sizeof s.dev_mounts, " SAME");
        }
    }
    snprintf(rel, sizeof rel, "%d/status", (int)r->probe_pid);
    if (proc_read(rel, text, sizeof text) > 0) {
        s.nonewprivs = status_field(text, "NoNewPrivs:");
        s.filters = status_field(text, "Seccomp_filters:");
        {
            const char *e = strstr(text, "CapEff:"), *b = strstr(text, "CapBnd:");
            char eff[32] = "", bnd[32] = "";
            if (e)
                sscanf(e, "CapEff: %31s", eff);
            if (b)
                sscanf(b, "CapBnd: %31s", bnd);
            snprintf(s.init_caps, sizeof s.init_caps, "CapEff %s CapBnd %s", eff, bnd);
        }
    }
    snprintf(rel, sizeof rel, "%d/status", (int)parent);
    s.parent_filters = parent > 0 && proc_read(rel, text, sizeof text) > 0 ? status_field(text, "Seccomp_filters:")
                                                                            : -1;
    snprintf(s.status, sizeof s.status, "NoNewPrivs: %d, Seccomp_filters: %d (its parent, the lab: %d)", s.nonewprivs,
             s.filters, s.parent_filters);
    if (m && m->pid_file[0] && read_file(m->pid_file, s.pid_file, sizeof s.pid_file) <= 0)
        snprintf(s.pid_file, sizeof s.pid_file, "(no file)");
    for (t = 0; t < NS_COUNT; t++)
        if (ns_inode(r->probe_pid, (enum ns_type)t))
            appendf(s.init_ns, sizeof s.init_ns, "ns_%s %lu\n", ns_name(t), ns_inode(r->probe_pid, (enum ns_type)t));
    free(theirs);
    free(ours);
    memcpy(r->user, &s, sizeof s);
}

/* Inside, / is the given root: the mark is there, the world's /tmp is not,
 * and no mount of the world's root or /tmp is left in the container. */
CHECK(root_is_the_given_root)
{
    struct marks m;
    struct world_spec spec = { .root = ROOT_ROOTFS, .setup = put_marks, .during = look, .data = &m };
    struct world_result *r;
    char script[512], host[96];
    struct seen s;

    draw_marks(&m);
    snprintf(host, sizeof host, "/tmp/%s", m.host);
    snprintf(script, sizeof script, "cat /%s; exec %s --size %s --wait", m.name, probe(), host);
    r = lab_run(c, &spec, ROOTED("--", "/bin/sh", "-c", script));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    if (strcmp(r->out, m.content) != 0)
        check_fail(c, "inside, /NAME (a file put into --root's folder) to be there", "cat /%s printed \"%.200s\" "
                   "(want \"%s\"): / inside is not the folder --root named", m.name, r->out, m.content);
    if (strcmp(probe_value(r, "size_1"), "ENOENT") != 0)
        check_fail(c, "a file of the world's own /tmp to be out of reach inside", "%s inside: %s (a file of that "
                   "size is there: the host's /tmp is reachable)", host, probe_value(r, "size_1"));
    get_seen(r, &s);
    if (s.mountinfo[0])
        check_fail(c, "no mount of the host's root filesystem or /tmp left in the container (the old root gone)",
                   "the command's /proc/self/mountinfo still lists:\n%s", s.mountinfo);
}

/* The classic chroot escape, run as root inside, does not reach the host. */
CHECK(root_chroot_escape_fails)
{
    struct marks m;
    struct world_spec spec = { .root = ROOT_ROOTFS, .setup = put_marks, .data = &m };
    struct world_result *r;
    char host[96];

    draw_marks(&m);
    snprintf(host, sizeof host, "/tmp/%s", m.host);
    r = lab_run(c, &spec, ROOTED("--", probe(), "--escape", host));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    if (strcmp(probe_value(r, "escape_chroot"), "ok") != 0)
        check_fail(c, "chroot(2) to work inside (CAP_SYS_CHROOT is one of the default capabilities)",
                   "the escape's chroot gave %s", probe_value(r, "escape_chroot"));
    if (strcmp(probe_value(r, "escape_sees"), "no") != 0)
        check_fail(c, "after mkdir x; chroot x; cd .. (64 times); chroot ., still inside the container",
                   "the escape reached the host: %s (a file of the world's /tmp) exists from there. chroot(2) is "
                   "no wall: pivot into the root and detach the old one", host);
}

/* /dev holds the listed nodes and links only, on a tmpfs of its own, with a
 * devpts of its own; the nodes work. */
CHECK(dev_only_the_listed_nodes)
{
    static const char want[] = "fd\nfull\nnull\nptmx\npts\nrandom\nshm\nstderr\nstdin\nstdout\ntty\nurandom\nzero\n4\n";
    struct marks m;
    struct world_spec spec = { .root = ROOT_ROOTFS, .setup = put_marks, .during = look, .data = &m };
    struct world_result *r;
    char script[512];
    struct seen s;

    draw_marks(&m);
    snprintf(script, sizeof script, "ls -A1 /dev | sort; echo x > /dev/null && head -c 4 /dev/zero | wc -c; "
             "exec %s --wait", probe());
    r = lab_run(c, &spec, ROOTED("--", "/bin/sh", "-c", script));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    {
        static char got[OUT_CAP + 1];
        char *p, *q;
        /* busybox wc pads with blanks */
        for (p = r->out, q = got; *p; p++)
            if (*p != ' ')
                *q++ = *p;
        *q = '\0';
        if (strcmp(got, want) != 0)
            check_fail(c, "ls -A /dev inside: fd full null ptmx pts random shm stderr stdin stdout tty urandom zero, "
                       "and /dev/null, /dev/zero working", "%s", r->out);
    }
    get_seen(r, &s);
    if (strstr(s.dev_mounts, "SAME") || strstr(s.dev_mounts, "none"))
        check_fail(c, "/dev a tmpfs of the container's own, with a new devpts instance (not the host's /dev or "
                   "/dev/pts bound in)", "%s", s.dev_mounts);
}

/* Docker's masked paths read as empty; its read-only ones refuse writes
 * while the rest of /proc stays usable. */
CHECK(masked_paths_empty_read_only_refused)
{
    static const char *const masked[] = { "/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug",
                                          "/proc/acpi", "/proc/scsi", "/sys/firmware" };
    struct marks m;
    struct world_spec spec = { .root = ROOT_ROOTFS, .setup = put_marks, .data = &m };
    struct world_result *r;
    char *argv[64], key[32];
    const char *present[8];
    size_t i, n = 0, k = 0;
    struct stat st;
    int any_full = 0;

    draw_marks(&m);
    argv[n++] = "--root";
    argv[n++] = WORLD_ROOT_DIR;
    argv[n++] = "--cap-add";   /* root inside may write its network's sysctls only with it */
    argv[n++] = "NET_ADMIN";
    argv[n++] = "--";
    argv[n++] = probe();
    /* The masked paths this kernel has (the harness sees the machine's). */
    for (i = 0; i < sizeof masked / sizeof masked[0]; i++)
        if (stat(masked[i], &st) == 0) {
            present[k++] = masked[i];
            argv[n++] = "--size";
            argv[n++] = (char *)masked[i];
            any_full |= S_ISDIR(st.st_mode) ? 1 : st.st_size != 0 || strcmp(masked[i], "/proc/keys") != 0;
        }
    argv[n++] = "--write";
    argv[n++] = "/proc/sys/net/ipv4/ip_forward";   /* the container's own network: root inside owns it */
    argv[n++] = "--write";
    argv[n++] = "/tmp/nslab-writable";
    argv[n++] = "--size";
    argv[n++] = "/proc/self/status";
    argv[n] = NULL;
    if (!k || !any_full)
        check_end(c, "ENV", "a kernel with /proc/timer_list, /proc/keys or /sys/firmware", "none of Docker's masked "
                  "paths exists here, so masking them cannot be seen");
    r = lab_run(c, &spec, argv);
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    for (i = 0; i < k; i++) {
        const char *v;
        snprintf(key, sizeof key, "size_%zu", i + 1);
        v = probe_value(r, key);
        if (strcmp(v, "0") != 0 && strcmp(v, "entries 0") != 0)
            check_fail(c, "each of Docker's masked paths to read as empty inside (0 bytes, or a folder with nothing "
                       "in it)", "%s inside: %s", present[i], v);
    }
    snprintf(key, sizeof key, "size_%zu", k + 1);
    if (atoi(probe_value(r, key)) <= 0)
        check_fail(c, "the rest of /proc to work", "/proc/self/status inside: %s", probe_value(r, key));
    if (strcmp(probe_value(r, "write_2"), "ok") != 0)
        check_fail(c, "the container's own files to stay writable", "writing /tmp/nslab-writable inside: %s",
                   probe_value(r, "write_2"));
    if (strcmp(probe_value(r, "write_1"), "EROFS") != 0)
        check_fail(c, "/proc/sys read-only inside (EROFS), even for a file the container's root owns",
                   "writing /proc/sys/net/ipv4/ip_forward inside: %s", probe_value(r, "write_1"));
}

/* From outside: no_new_privs is set and a filter of the lab's own is loaded
 * (the world loads one of its own too: the command has more than the lab). */
CHECK(nnp_and_filter_seen_from_outside)
{
    struct marks m;
    struct world_spec spec = { .root = ROOT_ROOTFS, .setup = put_marks, .during = look, .data = &m };
    struct world_result *r;
    struct seen s;

    draw_marks(&m);
    r = lab_run(c, &spec, ROOTED("--", probe(), "--wait"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    get_seen(r, &s);
    if (s.nonewprivs != 1)
        check_fail(c, "NoNewPrivs: 1 in the command's /proc/PID/status", "%s", s.status);
    if (s.filters < 0 || s.parent_filters < 0 || s.filters <= s.parent_filters)
        check_fail(c, "a seccomp filter loaded by the lab (the command has more filters than the lab itself)", "%s",
                   s.status);
    r = lab_run(c, &spec, ROOTED("--seccomp", "unconfined", "--", probe(), "--wait"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    get_seen(r, &s);
    if (s.filters != s.parent_filters || s.nonewprivs != 1)
        check_fail(c, "with --seccomp unconfined, no filter of the lab's (and still NoNewPrivs: 1)", "%s", s.status);
}

/* With no_new_privs, a set-user-ID program gives no one its owner's ID. */
CHECK(nnp_setuid_gives_nothing)
{
    struct marks m;
    struct world_spec spec = { .root = ROOT_ROOTFS, .setup = put_marks, .data = &m };
    struct world_result *r;
    char script[512];

    draw_marks(&m);
    /* At /: the root's own filesystem (not the scratch /tmp, which may be
     * nosuid), where only no_new_privs stands in the way. */
    snprintf(script, sizeof script, "cp %s /suid && chmod 4755 /suid && exec su -s /bin/sh nobody -c "
             "'exec /suid --ids'", probe());
    /* Unconfined: libseccomp sets no_new_privs itself when it loads a
     * filter; without one, only the lab's own prctl is left to see. */
    r = lab_run(c, &spec, ROOTED("--seccomp", "unconfined", "--", "/bin/sh", "-c", script));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    if (strcmp(probe_value(r, "uid"), "65534") != 0)
        check_fail(c, "su to nobody to work inside", "uid %s, euid %s; stderr: %s", probe_value(r, "uid"),
                   probe_value(r, "euid"), r->err);
    if (strcmp(probe_value(r, "euid"), "65534") != 0)
        check_fail(c, "nobody running a set-user-ID-root program to stay nobody (euid 65534)",
                   "euid %s: the set-user-ID bit made it root (no_new_privs not set?)", probe_value(r, "euid"));
}

/* Each of the probe's "sc_CALL" answers is `want`. */
static void expect_each_call(struct check *c, const struct world_result *r, const char *const *calls, size_t n,
                             const char *want, const char *expected)
{
    char key[32];
    size_t i;

    for (i = 0; i < n; i++) {
        snprintf(key, sizeof key, "sc_%s", calls[i]);
        if (strcmp(probe_value(r, key), want) != 0)
            check_fail(c, expected, "%s: %s", calls[i], probe_value(r, key));
    }
}

/* Under the default filter the calls Docker blocks answer EPERM, even with
 * the capabilities they would need (so only the filter can refuse them);
 * under --seccomp unconfined they work. */
CHECK(seccomp_default_refuses_unconfined_allows)
{
    static const char *const calls[] = { "keyctl", "unshare", "clone", "mount", "reboot", "clock_settime", "setns" };
    static const char *const allowed[] = { "keyctl", "unshare", "clone", "clone3", "mount", "setns" };
    struct marks m;
    struct world_spec spec = { .root = ROOT_ROOTFS, .setup = put_marks, .data = &m };
    struct world_result *r;

    draw_marks(&m);
    r = lab_run(c, &spec, ROOTED("--cap-add", "SYS_ADMIN", "--cap-add", "SYS_BOOT", "--", probe(), "--syscalls",
                                 "keyctl,unshare,clone,clone3,mount,reboot,clock_settime,setns"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    expect_each_call(c, r, calls, sizeof calls / sizeof calls[0], "EPERM",
                     "under --seccomp default, keyctl, unshare, clone with a namespace flag, mount, reboot, "
                     "clock_settime and setns to fail with EPERM (with CAP_SYS_ADMIN and CAP_SYS_BOOT added)");
    if (strcmp(probe_value(r, "sc_clone3"), "ENOSYS") != 0 && strcmp(probe_value(r, "sc_clone3"), "EPERM") != 0)
        check_fail(c, "clone3 with CLONE_NEWUSER refused (ENOSYS, so that libc falls back to clone, or EPERM)",
                   "clone3: %s", probe_value(r, "sc_clone3"));

    /* Under --seccomp unconfined the same calls work where the
     * capabilities allow (a filter that is always on is caught here). */
    r = lab_run(c, &spec, ROOTED("--seccomp", "unconfined", "--cap-add", "SYS_ADMIN", "--cap-add", "SYS_BOOT", "--",
                                 probe(), "--syscalls", "keyctl,unshare,clone,clone3,mount,reboot,setns"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    expect_each_call(c, r, allowed, sizeof allowed / sizeof allowed[0], "ok",
                     "under --seccomp unconfined (CAP_SYS_ADMIN added), keyctl, unshare, clone and clone3 of a "
                     "user namespace, mount and setns to work");
    /* In a PID namespace, reboot(2) with CAP_SYS_BOOT answers EINVAL to
     * Ctrl-Alt-Del settings: the capability was enough, no filter said no. */
    if (strcmp(probe_value(r, "sc_reboot"), "EPERM") == 0)
        check_fail(c, "under --seccomp unconfined with CAP_SYS_BOOT, reboot(2) not refused with EPERM",
                   "reboot: EPERM");
}

/* --pid-file holds the command's PID as the host sees it while it runs,
 * and is gone afterwards. */
static void pid_file_gone(struct world_result *r, void *data)
{
    const struct marks *m = data;

    if (access(m->pid_file, F_OK) == 0)
        appendf(r->note, sizeof r->note, "PIDFILE-LEFT\n");
}

CHECK(pid_file_holds_host_pid)
{
    struct marks m;
    struct world_spec spec = { .root = ROOT_ROOTFS, .setup = put_marks, .during = look, .after = pid_file_gone,
                               .data = &m };
    struct world_result *r;
    struct seen s;

    draw_marks(&m);
    r = lab_run(c, &spec, ROOTED("--pid-file", m.pid_file, "--", probe(), "--wait"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    get_seen(r, &s);
    if (atoi(s.pid_file) != (int)r->probe_pid || !strchr(s.pid_file, '\n'))
        check_fail(c, "--pid-file to hold the container's PID as the host sees it, one line, while it runs",
                   "the file held \"%.40s\"; the host sees the command as PID %d (inside it is %s)", s.pid_file,
                   (int)r->probe_pid, probe_value(r, "pid"));
    if (strstr(r->note, "PIDFILE-LEFT"))
        check_fail(c, "--pid-file removed when the container has ended", "%s was still there", m.pid_file);
}

/* --join: a second command in the running container, in every namespace of
 * its init, in its root, with its capabilities and a filter; its status
 * comes back. */
static void join_it(struct world_result *r, void *data)
{
    const struct marks *m = data;
    struct seen s;
    char pid[16], mark[64], code[8];
    int status;

    look(r, data);
    memcpy(&s, r->user, sizeof s);
    snprintf(pid, sizeof pid, "%d", (int)r->probe_pid);
    snprintf(mark, sizeof mark, "/%s", m->name);
    snprintf(code, sizeof code, "%d", (int)(strlen(m->content) % 50) + 3);
    status = world_run_second(ARGS((char *)lab_in_world(), "--join", pid, "--", probe(), "--ns", "--status", "--size", mark, "--exit",
                                   code),
                              NULL, 10, s.joined, sizeof s.joined);
    s.join_status = status;
    memcpy(r->user, &s, sizeof s);
}

CHECK(join_enters_the_container)
{
    struct marks m;
    struct world_spec spec = { .root = ROOT_ROOTFS, .setup = put_marks, .during = join_it, .data = &m };
    struct world_result *r;
    char hostname[32], key[32], want[64], got[64], caps[160];
    struct seen s;
    int t, code;

    draw_marks(&m);
    random_hostname(hostname, sizeof hostname);
    code = (int)(strlen(m.content) % 50) + 3;
    r = lab_run(c, &spec, ROOTED("--hostname", hostname, "--cap-drop", "CHOWN", "--", probe(), "--wait"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    get_seen(r, &s);
    if (s.join_status == -1 || !WIFEXITED(s.join_status) || WEXITSTATUS(s.join_status) != code)
        check_fail(c, "lab --join PID -- COMMAND to run COMMAND and exit with its status", "want exit %d; the wait "
                   "status was 0x%x; it printed:\n%.3000s", code, s.join_status, s.joined);
    for (t = 0; t < NS_COUNT; t++) {
        snprintf(key, sizeof key, "ns_%s", ns_name(t));
        if (!kv_get(s.init_ns, key, want, sizeof want))
            continue;
        if (!kv_get(s.joined, key, got, sizeof got) || strcmp(want, got) != 0)
            check_fail(c, "the joined command in every namespace of the container's init", "%s namespace: the "
                       "init's %s, the joined command's %s", ns_name(t), want, got[0] ? got : "(not reported)");
    }
    if (!kv_get(s.joined, "size_1", got, sizeof got) || (size_t)atoi(got) != strlen(m.content))
        check_fail(c, "the joined command in the container's root (it sees /NAME)", "/%s: %s", m.name,
                   kv_get(s.joined, "size_1", got, sizeof got) ? got : "(not reported)");
    if (!kv_get(s.joined, "cgroup_outside", got, sizeof got) || strcmp(got, "0") != 0)
        check_fail(c, "the joined command in the container's cgroup (its limits hold it too, as with docker exec)",
                   "/proc/self/cgroup of the joined command has %s line(s) outside its cgroup namespace's root",
                   got[0] ? got : "(not reported)");
    if (!kv_get(s.joined, "pid", got, sizeof got) || atoi(got) <= 1)
        check_fail(c, "the joined command in the container's PID namespace, not its PID 1", "its PID inside: %s",
                   got);
    snprintf(caps, sizeof caps, "CapEff %s CapBnd %s", kv_get(s.joined, "status_capeff", want, sizeof want) ? want : "?",
             kv_get(s.joined, "status_capbnd", got, sizeof got) ? got : "?");
    if (strcmp(caps, s.init_caps) != 0)
        check_fail(c, "the joined command with the capabilities of the container's init", "init: %s; joined: %s",
                   s.init_caps, caps);
    if (!kv_get(s.joined, "status_nonewprivs", got, sizeof got) || strcmp(got, "1") != 0 ||
        !kv_get(s.joined, "status_filters", want, sizeof want) || atoi(want) != s.filters)
        check_fail(c, "the joined command with no_new_privs and the container's seccomp filter", "init: %s; joined: "
                   "NoNewPrivs %s, Seccomp_filters %s", s.status, got, want);
}

/* --root missing, not a folder, or bad lab 10 options: 125 and one line
 * that names the option, before anything is made. */
CHECK(options_bad_input_exit_125)
{
    struct world_spec joining = { .root = ROOT_ROOTFS };
    struct world_result *r;
    char missing[64];

    snprintf(missing, sizeof missing, "/nonexistent-");
    rand_hex(missing + strlen(missing), 8);
    r = lab_run(c, NULL, ROOTED("--root", missing, "--", "true"));
    expect_usage_error(c, r, "--root");
    r = lab_run(c, NULL, ROOTED("--root", WORLD_KIT_DIR "/nslab-probe", "--", "true"));
    expect_usage_error(c, r, "--root");
    r = lab_run(c, NULL, ROOTED("--seccomp", "strict", "--", "true"));
    expect_usage_error(c, r, "--seccomp");
    /* (--join makes no container: no --root with it.) */
    r = lab_run(c, &joining, ARGS("--join", "abc", "--", "true"));
    expect_usage_error(c, r, "--join");
    r = lab_run(c, &joining, ARGS("--join", "999999", "--", "true"));
    expect_exit(c, r, 125);
    expect_one_error_line(c, r);
    /* Without --root the lab refuses: a container on the host's own root
     * is no container of lab 10. (lab_run adds --root only where the spec
     * asks for no root of its own.) */
    r = lab_run(c, &joining, ARGS("--", "true"));
    expect_usage_error(c, r, "--root");
    r = lab_run(c, &joining, ARGS("--help"));
    expect_exit(c, r, 0);
    if (!strstr(r->out, "--root") || !strstr(r->out, "--seccomp") || !strstr(r->out, "--pid-file") ||
        !strstr(r->out, "--join"))
        check_fail(c, "--help to name --root, --seccomp, --pid-file and --join", "%s", r->out);
}

CHECK(full_verbose_narrates)
{
    struct marks m;
    struct world_spec spec = { .root = ROOT_ROOTFS, .setup = put_marks, .data = &m };
    struct world_result *r;

    draw_marks(&m);
    r = lab_run(c, &spec, ROOTED("-v", "--", "true"));
    expect_exit(c, r, 0);
    if (!strstr(r->err, "pivot_root") || !strstr(r->err, "seccomp"))
        check_fail(c, "--verbose to name pivot_root and seccomp", "stderr:\n%s", r->err);
}

static const struct check_info checks[] = {
    CHECK_ENTRY(root_is_the_given_root, "inside, / is --root: its file is there, the host's /tmp and old root are "
                "not", ROOT),
    CHECK_ENTRY(root_chroot_escape_fails, "the chroot escape (chroot, .. many times, chroot .) run as root inside "
                "does not reach the host", ROOT),
    CHECK_ENTRY(dev_only_the_listed_nodes, "/dev holds the six nodes, ptmx, pts, shm and the fd links, on a tmpfs "
                "and devpts of its own", DEV),
    CHECK_ENTRY(masked_paths_empty_read_only_refused, "Docker's masked paths read empty; /proc/sys refuses writes "
                "(EROFS)", MASKED),
    CHECK_ENTRY(nnp_and_filter_seen_from_outside, "from outside: NoNewPrivs 1 and a seccomp filter of the lab's; "
                "none with --seccomp unconfined", NNP),
    CHECK_ENTRY(nnp_setuid_gives_nothing, "a set-user-ID-root program run by nobody inside stays nobody", NNP),
    CHECK_ENTRY(seccomp_default_refuses_unconfined_allows, "--seccomp default: keyctl, unshare, clone of a "
                "namespace, mount, reboot, clock_settime, setns get EPERM; unconfined: they work", SECCOMP),
    CHECK_ENTRY(pid_file_holds_host_pid, "--pid-file holds the host's PID of the container while it runs, then "
                "goes", PIDFILE),
    CHECK_ENTRY(join_enters_the_container, "--join PID: same namespaces, cgroup, root, capabilities and filter as "
                "the init, a PID above 1, its status back", JOIN),
    CHECK_ENTRY(options_bad_input_exit_125, "no --root, --root missing or not a folder, a bad --seccomp or --join: "
                "exit 125, one line naming it", OPTIONS),
    CHECK_ENTRY(full_verbose_narrates, "--verbose names pivot_root and seccomp", ROOT),
    { NULL, NULL, NULL, NULL },
};

LAYER("10_full_container", checks);
