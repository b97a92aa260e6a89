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
#include <seccomp.h>
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
#define SECCOMP_LIST "10_full_container.md#what-this-labs-filter-refuses"
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
    char join_command[512]; /* --join's command line, as a shell would type it */
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
    char *argv[64], key[32], into_masked[96];
    const char *present[8], *masked_dir = NULL;
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
    /* Into a masked folder: its tmpfs is read-only, or the container could
     * put files where the kernel's would be. */
    for (i = 0; i < k && !masked_dir; i++)
        if (stat(present[i], &st) == 0 && S_ISDIR(st.st_mode))
            masked_dir = present[i];
    snprintf(into_masked, sizeof into_masked, "%.60s/nslab-%.24s", masked_dir ? masked_dir : "/proc/acpi", m.name + 6);
    argv[n++] = "--write";
    argv[n++] = masked_dir ? into_masked : "/tmp/nslab-writable-2";
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
    if (strcmp(probe_value(r, "write_3"), "ok") != 0)
        check_fail(c, "the container's own files to stay writable", "writing /tmp/nslab-writable inside: %s",
                   probe_value(r, "write_3"));
    if (masked_dir && strcmp(probe_value(r, "write_2"), "ok") == 0)
        check_fail(c, "a masked folder read-only inside (an empty tmpfs mounted with MS_RDONLY): the container may "
                   "not put files where the kernel's were", "creating %s inside worked", into_masked);
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
    if (strcmp(probe_value(r, "sc_clone3"), "ENOSYS") != 0)
        check_fail(c, "clone3(2) answered ENOSYS, \"no such call\", so that libc falls back to clone(2), whose flags "
                   "the filter can judge", "clone3 (with CLONE_NEWUSER): %s%s", probe_value(r, "sc_clone3"),
                   strcmp(probe_value(r, "sc_clone3"), "EPERM") == 0
                       ? ": a refusal, not a missing call. glibc (2.34 and later) makes every thread with clone3 "
                         "and falls back to clone only on ENOSYS: with EPERM, pthread_create() fails, and every "
                         "threaded program with it"
                       : "");

    /* Under --seccomp unconfined the same calls work where the
     * capabilities allow (a filter that is always on is caught here). */
    r = lab_run(c, &spec, ROOTED("--seccomp", "unconfined", "--cap-add", "SYS_ADMIN", "--cap-add", "SYS_BOOT", "--",
                                 probe(), "--syscalls", "keyctl,unshare,clone,clone3,mount,reboot,setns"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    /* The one cause of that EPERM that is no filter's: the kernel makes no
     * user namespace for a process whose root is not its mount namespace's
     * (a chroot). */
    if (strcmp(probe_value(r, "sc_unshare"), "EPERM") == 0 && strcmp(probe_value(r, "sc_clone"), "EPERM") == 0 &&
        strcmp(probe_value(r, "sc_keyctl"), "ok") == 0)
        check_fail(c, "under --seccomp unconfined, unshare and clone of a user namespace to work",
                   "both refused with EPERM while keyctl, which any filter of the lab's would refuse too, worked: "
                   "the kernel refuses a new user namespace to a process whose / is not the root of its mount "
                   "namespace, as after chroot(2): enter --root with pivot_root(2) (the hint below is the filter's "
                   "section; read #pivot_root-not-chroot)");
    expect_each_call(c, r, allowed, sizeof allowed / sizeof allowed[0], "ok",
                     "under --seccomp unconfined (CAP_SYS_ADMIN added), keyctl, unshare, clone and clone3 of a "
                     "user namespace, mount and setns to work");
    /* In a PID namespace, reboot(2) with CAP_SYS_BOOT answers EINVAL to
     * Ctrl-Alt-Del settings: the capability was enough, no filter said no. */
    if (strcmp(probe_value(r, "sc_reboot"), "EPERM") == 0)
        check_fail(c, "under --seccomp unconfined with CAP_SYS_BOOT, reboot(2) not refused with EPERM",
                   "reboot: EPERM");
}

/* What Docker's default profile refuses to a container with the default
 * capabilities on x86-64: every call libseccomp names, less the ones its
 * allowlist lets through (moby's profiles/seccomp/default.json), clone3
 * aside (ENOSYS, above). The lab's filter must refuse each with EPERM. */
static const char *const docker_refuses[] = {
    "_sysctl", "acct", "add_key", "afs_syscall", "bpf", "clock_settime", "create_module", "delete_module",
    "fanotify_init", "finit_module", "fsconfig", "fsmount", "fsopen", "fspick", "get_kernel_syms", "get_mempolicy",
    "getpmsg", "init_module", "io_uring_enter", "io_uring_register", "io_uring_setup", "ioperm", "iopl", "kcmp",
    "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie", "mbind", "migrate_pages", "mount",
    "mount_setattr", "move_mount", "move_pages", "nfsservctl", "open_by_handle_at", "open_tree",
    "perf_event_open", "pidfd_getfd", "pivot_root", "process_madvise", "putpmsg", "query_module", "quotactl",
    "quotactl_fd", "reboot", "request_key", "security", "set_mempolicy", "set_mempolicy_home_node",
    "setdomainname", "sethostname", "setns", "settimeofday", "swapoff", "swapon", "sysfs", "syslog", "tuxcall",
    "umount2", "unshare", "uselib", "userfaultfd", "ustat", "vhangup", "vserver",
};
/* The calls the issue that brought them named: the kernel's newer and rarer
 * corners, which a denylist written from Docker's documentation missed.
 * Without a filter, each, given an invalid argument, answers EBADF, EFAULT
 * or EINVAL (or ENOSYS where the kernel lacks it), never EPERM. */
static const char *const rarer_corners[] = {
    "io_uring_enter", "io_uring_register", "pidfd_getfd", "process_madvise", "quotactl_fd", "mbind",
    "set_mempolicy", "get_mempolicy", "migrate_pages", "move_pages", "set_mempolicy_home_node",
};

/* What the lab's filter answered a stacked call (the probe's --stacked). */
static const char *stacked_answer(const char *v)
{
    if (strcmp(v, "ENOSYS") == 0)
        return "ENOSYS: it got past the lab's filter (the probe's own filter, stacked below it, answered it; or the "
               "lab answered ENOSYS, not EPERM)";
    if (strcmp(v, "SIGSYS") == 0 || strcmp(v, "KILL") == 0 || strcmp(v, "SYS") == 0)
        return "the process was killed: Docker refuses with EPERM, and a program that gets EPERM handles it; one "
               "that is killed mid-call may leave files half-written";
    if (!v[0])
        return "(not reported)";
    return v;
}

CHECK(seccomp_refuses_what_docker_refuses)
{
    struct marks m;
    struct world_spec spec = { .root = ROOT_ROOTFS, .setup = put_marks, .data = &m };
    struct world_result *r;
    char list[4096] = "personality_aslr,clone,personality_query", key[64], real[1024] = "";
    size_t i;

    /* Each by number, as this machine's libseccomp (the lab's too) numbers
     * it: under --stacked none is ever made. */
    for (i = 0; i < sizeof docker_refuses / sizeof docker_refuses[0]; i++) {
        int nr = seccomp_syscall_resolve_name(docker_refuses[i]);
        if (nr != __NR_SCMP_ERROR && nr >= 0)
            appendf(list, sizeof list, ",%s=%d", docker_refuses[i], nr);
    }
    {
        int nr = seccomp_syscall_resolve_name("chroot");
        if (nr >= 0)
            appendf(list, sizeof list, ",chroot=%d", nr);
    }
    /* A call no kernel has yet (number 999): an allowlist refuses it. */
    appendf(list, sizeof list, ",newer_than_any=999");
    draw_marks(&m);
    r = lab_run(c, &spec, ROOTED("--", probe(), "--stacked", "--syscalls", list));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    if (strcmp(probe_value(r, "sc_stacked"), "ok") != 0)
        check_fail(c, "the probe to stack a filter of its own below the lab's (no_new_privs is set)",
                   "seccomp(2) in the probe: %s", probe_value(r, "sc_stacked"));
    {
        /* Every one that got through, in one message. */
        char through[2048] = "", other[1024] = "";
        int n_through = 0, n_checked = 0;
        for (i = 0; i < sizeof docker_refuses / sizeof docker_refuses[0]; i++) {
            const char *v;
            if (seccomp_syscall_resolve_name(docker_refuses[i]) < 0)
                continue;
            n_checked++;
            snprintf(key, sizeof key, "sc_%s", docker_refuses[i]);
            v = probe_value(r, key);
            if (strcmp(v, "ENOSYS") == 0) {
                appendf(through, sizeof through, "%s%s", n_through ? ", " : "", docker_refuses[i]);
                n_through++;
            } else if (strcmp(v, "EPERM") != 0 && !other[0]) {
                snprintf(other, sizeof other, "%s(2): %s", docker_refuses[i], stacked_answer(v));
            }
        }
        if (n_through)
            check_fail(c, "under --seccomp default, every call Docker's default profile refuses to a container with "
                       "the default capabilities refused by the lab's filter with EPERM (the handout's list)",
                       "%d of those %d got past the lab's filter (the probe's own filter, stacked below the lab's, "
                       "answered them ENOSYS; or the lab answered ENOSYS, not EPERM): %s", n_through, n_checked,
                       through);
        if (other[0])
            check_fail(c, "under --seccomp default, every call Docker's default profile refuses to a container with "
                       "the default capabilities refused by the lab's filter with EPERM (the handout's list)", "%s",
                       other);
    }
    if (strcmp(probe_value(r, "sc_clone"), "EPERM") != 0)
        check_fail(c, "clone(2) with a namespace flag (CLONE_NEWUSER) refused with EPERM", "clone: %s",
                   stacked_answer(probe_value(r, "sc_clone")));
    if (strcmp(probe_value(r, "sc_personality_aslr"), "EPERM") != 0)
        check_fail(c, "personality(2) refused with EPERM for any value but Docker's five (here ADDR_NO_RANDOMIZE, "
                   "which turns off address-space randomization)", "personality(ADDR_NO_RANDOMIZE): %s",
                   stacked_answer(probe_value(r, "sc_personality_aslr")));
    if (strcmp(probe_value(r, "sc_newer_than_any"), "EPERM") != 0)
        check_fail(c, "a call newer than any libseccomp knows (number 999) refused with EPERM: an allowlist refuses "
                   "what it does not name, where a denylist lets it through", "syscall(999): %s",
                   stacked_answer(probe_value(r, "sc_newer_than_any")));
    if (strcmp(probe_value(r, "sc_personality_query"), "ENOSYS") != 0)
        check_fail(c, "personality(0xffffffff), which only asks, let through as Docker lets it",
                   "personality(0xffffffff): %s (the lab's filter refused it)", probe_value(r, "sc_personality_query"));
    if (probe_value(r, "sc_chroot")[0] && strcmp(probe_value(r, "sc_chroot"), "ENOSYS") != 0)
        check_fail(c, "chroot(2) let through, as Docker lets it to a container with CAP_SYS_CHROOT (one of the 14)",
                   "chroot: %s (the lab's filter refused it)", probe_value(r, "sc_chroot"));

    /* Without a filter, the same calls reach the kernel: each answers its
     * invalid argument (a refusal under the default filter was the
     * filter's). Not io_uring's: the test world refuses those itself. */
    snprintf(real, sizeof real, "personality_query");
    for (i = 0; i < sizeof rarer_corners / sizeof rarer_corners[0]; i++)
        if (strncmp(rarer_corners[i], "io_uring_", 9) != 0)
            appendf(real, sizeof real, ",%s", rarer_corners[i]);
    r = lab_run(c, &spec, ROOTED("--seccomp", "unconfined", "--", probe(), "--syscalls", real));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    {
        char copy[1024], *save = NULL, *name;
        snprintf(copy, sizeof copy, "%s", real);
        for (name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
            snprintf(key, sizeof key, "sc_%s", name);
            if (strcmp(probe_value(r, key), "EPERM") == 0)
                check_fail(c, "under --seccomp unconfined, no filter of the lab's: each call reaches the kernel and "
                           "answers its invalid argument (EBADF, EFAULT, EINVAL), not EPERM",
                           "%s: EPERM", name);
        }
    }

    /* Last, as the world refuses it too (and says so when the lab did not). */
    r = lab_run(c, &spec, ROOTED("--", probe(), "--syscalls", "socket_vsock"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    if (strcmp(probe_value(r, "sc_socket_vsock"), "EPERM") != 0)
        check_fail(c, "socket(AF_VSOCK) refused with EPERM (vsock reaches the machine's hypervisor and guests)",
                   "socket(AF_VSOCK): %s", probe_value(r, "sc_socket_vsock"));
}

/* --pid-file holds the command's PID as the host sees it while it runs,
 * and is gone afterwards. */
static void pid_file_gone(struct world_result *r, void *data)
{
    const struct marks *m = data;

    if (access(m->pid_file, F_OK) == 0)
        appendf(r->note, sizeof r->note, "PIDFILE-LEFT\n");
}

/* In W, before the lab: the marks, and a PID file already there from
 * an earlier run, longer than any PID: the lab's must replace it whole. In
 * a folder of its own that anyone may write to (not /tmp, whose sticky bit
 * would keep a lab run as a user from removing a file of root's). */
static void put_marks_and_stale_pid_file(struct world_result *r, void *data)
{
    const struct marks *m = data;
    char dir[64];

    put_marks(r, data);
    snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(m->pid_file, '/') - m->pid_file), m->pid_file);
    if (mkdir(dir, 0777) == -1 || chmod(dir, 0777) == -1 || create_file(m->pid_file, "4194304999999\n") == -1 ||
        chmod(m->pid_file, 0666) == -1)
        world_setup_failed(r, "write %s: %s", m->pid_file, strerror(errno));
}

CHECK(pid_file_holds_host_pid)
{
    struct marks m;
    struct world_spec spec = { .root = ROOT_ROOTFS, .setup = put_marks_and_stale_pid_file, .during = look,
                               .after = pid_file_gone, .data = &m };
    struct world_result *r;
    struct seen s;
    char want[32];

    draw_marks(&m);
    appendf(m.pid_file, sizeof m.pid_file, "/pid");
    r = lab_run(c, &spec, ROOTED("--pid-file", m.pid_file, "--", probe(), "--wait"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    get_seen(r, &s);
    snprintf(want, sizeof want, "%d\n", (int)r->probe_pid);
    if (atoi(s.pid_file) != (int)r->probe_pid)
        check_fail(c, "--pid-file to hold the container's PID as the host sees it, one line, while it runs",
                   "the file held \"%.40s\"%s; the host sees the command as PID %d (inside it is %s)", s.pid_file,
                   strncmp(s.pid_file, "4194304999999", 13) == 0
                       ? " (the check's own file from before the run, longer than any PID: the lab's never replaced "
                         "it)"
                       : "",
                   (int)r->probe_pid, probe_value(r, "pid"));
    if (strcmp(s.pid_file, want) != 0)
        check_fail(c, "--pid-file to hold exactly the PID and a newline", "the file held \"%.40s\" (it was there "
                   "before, holding \"4194304999999\\n\": open it with O_TRUNC, so that nothing of an older file is "
                   "left after the number)", s.pid_file);
    if (strstr(r->note, "PIDFILE-LEFT"))
        check_fail(c, "--pid-file removed when the container has ended", "%s was still there", m.pid_file);
}

/* The faults that show only once the child exists: a --pid-file that
 * cannot be written, a --root without dev to mount on. 125, one line, the
 * command never run (and the judge sees that nothing is left behind). */
static void put_marks_no_dev(struct world_result *r, void *data)
{
    put_marks(r, data);
    if (rmdir(WORLD_ROOT_DIR "/dev") == -1)
        world_setup_failed(r, "rmdir %s/dev: %s", WORLD_ROOT_DIR, strerror(errno));
}

CHECK(late_faults_exit_125)
{
    struct marks m;
    struct world_spec spec = { .root = ROOT_ROOTFS, .setup = put_marks, .data = &m };
    struct world_spec no_dev = { .root = ROOT_ROOTFS, .setup = put_marks_no_dev, .data = &m };
    struct world_result *r;
    char path[96];

    draw_marks(&m);
    snprintf(path, sizeof path, "/tmp/nslab-no-such-folder-%.24s/pid", m.name + 6);
    r = lab_run(c, &spec, ROOTED("--pid-file", path, "--", probe()));
    if (r->probe_ready)
        check_fail(c, "a --pid-file that cannot be written refused: exit 125 before the command runs",
                   "the command ran (exit status %d) though %s could not be written: write_pid_file() must return "
                   "-1 when the file cannot be written (main() then kills the child and removes what was made)",
                   WEXITSTATUS(r->lab_status), path);
    expect_usage_error(c, r, "--pid-file");
    r = lab_run(c, &no_dev, ROOTED("--", probe()));
    if (r->probe_ready)
        check_fail(c, "a --root without dev/ refused: exit 125 before the command runs", "the command ran (exit "
                   "status %d) in a root with no dev folder to mount /dev on", WEXITSTATUS(r->lab_status));
    expect_exit(c, r, 125);
    expect_one_error_line(c, r);
}

/* --join: a second command in the running container, in every namespace of
 * its init, in its root, with its capabilities and a filter; its status
 * comes back. */
static void join_it(struct world_result *r, void *data)
{
    const struct marks *m = data;
    struct seen s;
    char pid[16], mark[64], code[8];
    char *argv[16];
    int status;

    look(r, data);
    memcpy(&s, r->user, sizeof s);
    snprintf(pid, sizeof pid, "%d", (int)r->probe_pid);
    snprintf(mark, sizeof mark, "/%s", m->name);
    snprintf(code, sizeof code, "%d", (int)(strlen(m->content) % 50) + 3);
    memcpy(argv, ARGS((char *)lab_in_world(), "--join", pid, "--", probe(), "--ns", "--status", "--fds", "--size", mark,
                      "--exit", code), 13 * sizeof argv[0]);
    quote_argv(argv, s.join_command, sizeof s.join_command);
    status = world_run_second(argv, NULL, 10, s.joined, sizeof s.joined);
    s.join_status = status;
    memcpy(r->user, &s, sizeof s);
}

/* With --details (make lab10 CHECK=join): the second command as it ran,
 * its output (stdout, stderr and the probe's report, in one stream) and its
 * exit status, after the first run's. */
static void add_join_details(struct check *c, const struct seen *s)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f;

    if (!want_details || !(f = open_memstream(&text, &len)))
        return;
    if (c->details)
        fputs(c->details, f);
    fprintf(f, "--- the second command, run on the world's host while the first waited: %s\n", s->join_command);
    if (s->join_status == -1)
        fprintf(f, "not started, or still running after 10 s and killed\n");
    else if (WIFSIGNALED(s->join_status))
        fprintf(f, "died of signal %d\n", WTERMSIG(s->join_status));
    else
        fprintf(f, "exit status %d\n", WEXITSTATUS(s->join_status));
    fprintf(f, "its output (stdout, stderr and the probe's report, as they came):\n%s%s", s->joined,
            s->joined[0] && s->joined[strlen(s->joined) - 1] != '\n' ? "\n" : "");
    fclose(f);
    free(c->details);
    c->details = text;
}

/* How the joined command's exit ended, in words. */
static void describe_join_exit(const struct seen *s, char *out, size_t n)
{
    if (s->join_status == -1)
        snprintf(out, n, "--join did not end within 10 s (killed)");
    else if (WIFSIGNALED(s->join_status))
        snprintf(out, n, "--join died of signal %d", WTERMSIG(s->join_status));
    else
        snprintf(out, n, "--join exited with status %d", WEXITSTATUS(s->join_status));
}

CHECK(join_enters_the_container)
{
    struct marks m;
    struct world_spec spec = { .root = ROOT_ROOTFS, .setup = put_marks, .during = join_it, .data = &m };
    struct world_result *r;
    char hostname[32], key[48], want[64], got[64], caps[160], how[96], missing[1024] = "", names[256] = "";
    struct seen s;
    int t, code, compared = 0, differ = 0, pid_differs = 0, self_hidden;

    draw_marks(&m);
    random_hostname(hostname, sizeof hostname);
    code = (int)(strlen(m.content) % 50) + 3;
    r = lab_run(c, &spec, ROOTED("--hostname", hostname, "--cap-drop", "CHOWN", "--", probe(), "--wait"));
    get_seen(r, &s);
    add_join_details(c, &s);
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    describe_join_exit(&s, how, sizeof how);

    /* The joined command never ran: say what --join said. */
    if (!kv_get(s.joined, "READY", got, sizeof got) && !kv_get(s.joined, "ns_mnt", got, sizeof got))
        check_fail(c, "lab --join PID -- COMMAND to run COMMAND in the container", "the joined command never ran: "
                   "%s, and printed:\n%.2000s%s", how, s.joined[0] ? s.joined : "(nothing)\n",
                   strstr(s.joined, "/proc") ? "(A /proc/PID path opened after setns(2) into the container's mount "
                   "namespace is looked up in the container's /proc, where the host's PID names no process, or "
                   "another one: open every /proc/PID file, ns/* included, before entering any namespace.)" : "");

    /* Each namespace of the init's the joined command is not in. Where it
     * could not read its own /proc/self (a /proc of a PID namespace it is
     * not in), its child's view stands in for all but the PID namespace. */
    self_hidden = kv_get(s.joined, "ns_self", got, sizeof got);
    for (t = 0; t < NS_COUNT; t++) {
        snprintf(key, sizeof key, "ns_%s", ns_name(t));
        if (!kv_get(s.init_ns, key, want, sizeof want))
            continue;
        compared++;
        got[0] = '\0';
        if (self_hidden && t == NS_PID)
            snprintf(got, sizeof got, "(it cannot see itself in the container's /proc)");
        else if (self_hidden) {
            snprintf(key, sizeof key, "nschild_%s", ns_name(t));
            if (!kv_get(s.joined, key, got, sizeof got)) {
                compared--;   /* its children cannot see themselves either: unknown */
                continue;
            }
        } else
            kv_get(s.joined, key, got, sizeof got);
        if (strcmp(want, got) == 0)
            continue;
        differ++;
        appendf(names, sizeof names, "%s%s", names[0] ? ", " : "", ns_name(t));
        if (t == NS_PID) {
            pid_differs = 1;
            continue;
        }
        appendf(missing, sizeof missing, "\n  %s namespace: the init's %s, the joined command's %s%s", ns_name(t), want,
                got[0] ? got : "(not reported)",
                t == NS_MNT ? " (it sees the host's mounts and files, not the container's)"
                : t == NS_USER ? " (it is root of the host's user namespace: its capabilities reach the whole world)"
                : "");
    }
    if (compared > 1 && differ == compared)
        check_fail(c, "the joined command in every namespace of the container's init", "the joined command is in "
                   "none of the container's namespaces (%s): --join ran it where it was itself. Enter them with "
                   "setns(2): a pidfd of the init and the flags at once, or each /proc/PID/ns file", names);
    if (pid_differs && self_hidden && compared == 1 && kv_get(s.joined, "uname_nodename", got, sizeof got) &&
        strcmp(got, hostname) != 0)
        check_fail(c, "the joined command in every namespace of the container's init", "the joined command is in "
                   "none of the container's namespaces that show: not its PID namespace (it cannot see itself in the "
                   "container's /proc, nor can its children), not its UTS namespace (its hostname is %s, the "
                   "container's %s): --join ran it where it was itself. Enter them with setns(2): a pidfd of the "
                   "init and the flags at once, or each /proc/PID/ns file", got, hostname);
    if (pid_differs) {
        char children[64] = "";
        kv_get(s.init_ns, "ns_pid", want, sizeof want);
        if (!kv_get(s.joined, "ns_pid_for_children", children, sizeof children))
            kv_get(s.joined, "nschild_pid", children, sizeof children);
        if (children[0] && strcmp(children, want) == 0)
            check_fail(c, "the joined command in the container's PID namespace", "the joined command is not in the "
                       "container's PID namespace, though its children would be: setns(CLONE_NEWPID) changes the "
                       "PID namespace of the caller's children, not the caller's, so fork after it and run the "
                       "command in the child%s%s", missing[0] ? "; and:" : "", missing);
        check_fail(c, "the joined command in the container's PID namespace", "the joined command is not in the "
                   "container's PID namespace, nor would its children be: CLONE_NEWPID was not among the namespaces "
                   "entered%s%s", missing[0] ? "; and:" : "", missing);
    }
    if (missing[0])
        check_fail(c, "the joined command in every namespace of the container's init", "the joined command is not "
                   "in all of them:%s", missing);
    if (s.join_status == -1 || !WIFEXITED(s.join_status) || WEXITSTATUS(s.join_status) != code)
        check_fail(c, "lab --join PID -- COMMAND to exit with COMMAND's status", "the command exited with %d; %s "
                   "(the wait status was 0x%x): pass the command's status on, as for the container's own", code,
                   how, s.join_status);
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
    /* Nothing of --join's own reaches the command: its descriptors are
     * close-on-exec or closed (0-2 and the probe's 3 are the world's). */
    {
        char *copy = strdup(s.joined), *save = NULL, *line, extra[1024] = "";
        for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            int fd;
            if (sscanf(line, "fd %d", &fd) == 1 && fd > 3)
                appendf(extra, sizeof extra, "\n  %s", line);
        }
        free(copy);
        if (extra[0])
            check_fail(c, "the joined command with no descriptor of --join's own (open them close-on-exec, or close "
                       "them before the exec)", "the joined command holds:%s", extra);
    }
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
    /* With --verbose: a lab that goes on to make its container before it
     * fails says more than one line. */
    r = lab_run(c, NULL, ROOTED("-v", "--root", missing, "--", "true"));
    expect_usage_error(c, r, "--root");
    r = lab_run(c, NULL, ROOTED("-v", "--root", WORLD_KIT_DIR "/nslab-probe", "--", "true"));
    expect_usage_error(c, r, "--root");
    r = lab_run(c, NULL, ROOTED("-v", "--seccomp", "strict", "--", "true"));
    expect_usage_error(c, r, "--seccomp");
    /* (--join makes no container: no --root with it.) */
    r = lab_run(c, &joining, ARGS("--join", "abc", "--", "true"));
    expect_usage_error(c, r, "--join");
    r = lab_run(c, &joining, ARGS("--join", "999999", "--", "true"));
    expect_exit(c, r, 125);
    expect_one_error_line(c, r);
    /* --join makes no container: a --root or a --pid-file with it is a
     * mistake, said before anything is done (here PID 1, the world's own
     * init, would be joined). */
    r = lab_run(c, &joining, ARGS("--join", "1", "--root", WORLD_ROOT_DIR, "--", "true"));
    expect_usage_error(c, r, "--root");
    r = lab_run(c, &joining, ARGS("--join", "1", "--pid-file", "/tmp/nslab-join-pid", "--", "true"));
    expect_usage_error(c, r, "--pid-file");
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
        check_fail(c, "--verbose to name pivot_root and seccomp", "no line of stderr names %s%s%s; stderr:\n%s",
                   strstr(r->err, "pivot_root") ? "" : "pivot_root",
                   !strstr(r->err, "pivot_root") && !strstr(r->err, "seccomp") ? " nor " : "",
                   strstr(r->err, "seccomp") ? "" : "seccomp (the filter loaded, or none with --seccomp unconfined)",
                   r->err);
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
    CHECK_ENTRY(seccomp_refuses_what_docker_refuses, "--seccomp default refuses with EPERM every call Docker's "
                "default profile refuses (io_uring, the NUMA calls, syslog, vhangup...), personality and vsock too",
                SECCOMP_LIST),
    CHECK_ENTRY(pid_file_holds_host_pid, "--pid-file holds the host's PID of the container while it runs, then "
                "goes", PIDFILE),
    CHECK_ENTRY(late_faults_exit_125, "a --pid-file that cannot be written, a --root without dev: exit 125, "
                "one line, the command never run, nothing left", OPTIONS),
    CHECK_ENTRY(join_enters_the_container, "--join PID: same namespaces, cgroup, root, capabilities and filter as "
                "the init, a PID above 1, its status back", JOIN),
    CHECK_ENTRY(options_bad_input_exit_125, "no --root, --root missing or not a folder, a bad --seccomp or --join, "
                "--join with --root or --pid-file: exit 125, one line naming it", OPTIONS),
    CHECK_ENTRY(full_verbose_narrates, "--verbose names pivot_root and seccomp", ROOT),
    { NULL, NULL, NULL, NULL },
};

LAYER("10_full_container", checks);
