/* The checks of lab 06_userns_map: root only inside a user namespace, and
 * the whole container without root. Map targets and the unprivileged user
 * are drawn at random among the world's users (WORLD_USER_FIRST and up), so
 * a lab that ignores --uid-map, or hard-codes 100000, fails. */
#define _GNU_SOURCE
#include "checks.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#define USERNS "06_userns_map.md#the-user-namespace"
#define MAPS "06_userns_map.md#writing-the-maps"
#define ROOT "06_userns_map.md#root-inside"
#define NOT_MY_ROOT "06_userns_map.md#your-root-is-not-my-root"
#define ROOTLESS "06_userns_map.md#without-root"
#define OPTIONS "06_userns_map.md#the-options"

/* Random maps: IN 0, OUT among the world's first 65536 users. */
struct maps {
    unsigned uid_out, uid_count, gid_out, gid_count;
    char uid_arg[48], gid_arg[48];     /* "0:OUT:COUNT" */
    char uid_line[48], gid_line[48];   /* "0 OUT COUNT", as the probe reports it */
};

static void draw_maps(struct maps *m)
{
    m->uid_count = rand_range(1000, 30000);
    m->gid_count = rand_range(1000, 30000);
    m->uid_out = WORLD_USER_FIRST + rand_range(0, 65536 - m->uid_count);
    do
        m->gid_out = WORLD_USER_FIRST + rand_range(0, 65536 - m->gid_count);
    while (m->gid_out == m->uid_out);
    snprintf(m->uid_arg, sizeof m->uid_arg, "0:%u:%u", m->uid_out, m->uid_count);
    snprintf(m->gid_arg, sizeof m->gid_arg, "0:%u:%u", m->gid_out, m->gid_count);
    snprintf(m->uid_line, sizeof m->uid_line, "0 %u %u", m->uid_out, m->uid_count);
    snprintf(m->gid_line, sizeof m->gid_line, "0 %u %u", m->gid_out, m->gid_count);
}

/* A user of the world, not root, to run the lab as. */
static struct world_run_as some_user(void)
{
    struct world_run_as u;

    u.uid = WORLD_USER_FIRST + rand_range(0, 65535);
    u.gid = WORLD_USER_FIRST + rand_range(0, 65535);
    return u;
}

/* Run by a user, the lab must have run the command: else say so, and when
 * the kernel refused the gid_map, why it does for a user. */
static void expect_user_run(struct check *c, const struct world_result *r, const struct world_spec *spec)
{
    if (WIFEXITED(r->lab_status) && WEXITSTATUS(r->lab_status) == 0)
        return;
    check_fail(c, "run by a user (not root): exit status 0, the command run in the container",
               "run by uid %u gid %u, exit status %d%s; stderr:\n%s", (unsigned)spec->as_user.uid,
               (unsigned)spec->as_user.gid, WEXITSTATUS(r->lab_status),
               strstr(r->err, "gid_map") ? " (the kernel refuses a user's gid_map until the child's setgroups says "
                                          "deny: was it written, and before the gid_map?)" : "",
               r->err[0] ? r->err : "(empty)\n");
}

/* A map file of /proc as the probe reports it: lines joined by ";", runs of
 * blanks made one. */
static void one_line(const char *text, char *out, size_t n)
{
    size_t o = 0;

    for (; *text && o + 1 < n; text++) {
        char ch = *text == '\n' ? ';' : *text == '\t' ? ' ' : *text;
        if (ch == ' ' && (o == 0 || out[o - 1] == ' ' || out[o - 1] == ';'))
            continue;
        if (ch == ';' && o > 0 && out[o - 1] == ' ')
            o--;
        out[o++] = ch;
    }
    if (o > 0 && out[o - 1] == ';')
        o--;
    out[o] = '\0';
}

/* Inside: id says root, and the maps are the ones asked for. */
CHECK(user_root_inside_with_the_maps)
{
    struct maps m;
    struct world_result *r;
    char expected[200], script[256];

    draw_maps(&m);
    snprintf(script, sizeof script, "id -u; id -g; exec %s --ids", probe());
    r = lab_run(c, NULL, ARGS("--uid-map", m.uid_arg, "--gid-map", m.gid_arg, "--", "/bin/sh", "-c", script));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    snprintf(expected, sizeof expected, "id -u and id -g printing 0, /proc/self/uid_map \"%s\" and gid_map \"%s\" "
             "inside", m.uid_line, m.gid_line);
    if (strcmp(r->out, "0\n0\n") || strcmp(probe_value(r, "uid_map"), m.uid_line) ||
        strcmp(probe_value(r, "gid_map"), m.gid_line))
        check_fail(c, expected, "id printed:\n%suid_map \"%s\", gid_map \"%s\"", r->out, probe_value(r, "uid_map"),
                   probe_value(r, "gid_map"));
}

/* From outside: the probe's uid_map and gid_map, and its Uid and Gid. */
static void ids_from_outside(struct world_result *r, void *data)
{
    char rel[64], text[1024], uid_map[256] = "", gid_map[256] = "", *uid, *gid;

    (void)data;
    snprintf(rel, sizeof rel, "%d/uid_map", (int)r->probe_pid);
    if (proc_read(rel, text, sizeof text) > 0)
        one_line(text, uid_map, sizeof uid_map);
    snprintf(rel, sizeof rel, "%d/gid_map", (int)r->probe_pid);
    if (proc_read(rel, text, sizeof text) > 0)
        one_line(text, gid_map, sizeof gid_map);
    snprintf(rel, sizeof rel, "%d/status", (int)r->probe_pid);
    if (proc_read(rel, text, sizeof text) <= 0)
        text[0] = '\0';
    uid = strstr(text, "\nUid:");
    gid = strstr(text, "\nGid:");
    if (uid)
        uid[strcspn(uid + 1, "\n") + 1] = '\0';
    if (gid)
        gid[strcspn(gid + 1, "\n") + 1] = '\0';
    snprintf(r->user, sizeof r->user, "uid_map %s\ngid_map %s\nUid %s\nGid %s\n", uid_map, gid_map,
             uid ? uid + 5 : "?", gid ? gid + 5 : "?");
}

CHECK(user_maps_seen_from_outside)
{
    struct maps m;
    struct world_spec spec = { .during = ids_from_outside };
    struct world_result *r;
    char want[512], expected[256];

    draw_maps(&m);
    r = lab_run(c, &spec, ARGS("--uid-map", m.uid_arg, "--gid-map", m.gid_arg, "--", probe(), "--wait"));
    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    /* /proc/PID/status says "Uid:\tREAL\tEFFECTIVE\tSAVED\tFS". */
    snprintf(want, sizeof want, "uid_map %s\ngid_map %s\nUid \t%u\t%u\t%u\t%u\nGid \t%u\t%u\t%u\t%u\n", m.uid_line,
             m.gid_line, m.uid_out, m.uid_out, m.uid_out, m.uid_out, m.gid_out, m.gid_out, m.gid_out, m.gid_out);
    snprintf(expected, sizeof expected, "from outside, the command's maps %s and %s, and its IDs %u and %u (root inside "
             "is that ID on the host)", m.uid_line, m.gid_line, m.uid_out, m.gid_out);
    if (strcmp(r->user, want) != 0)
        check_fail(c, expected, "%s", r->user);
}

struct file_data {
    char path[64];
    char content[16];
};

static void file_owner(struct world_result *r, void *data)
{
    struct file_data *d = data;
    struct stat st;

    if (lstat(d->path, &st) == -1)
        snprintf(r->user, sizeof r->user, "no %s on the host: %s", d->path, strerror(errno));
    else
        snprintf(r->user, sizeof r->user, "%u:%u", (unsigned)st.st_uid, (unsigned)st.st_gid);
}

/* A file made inside belongs, on the host, to the mapped IDs. */
CHECK(user_file_owned_by_mapped_ids)
{
    struct maps m;
    struct file_data d;
    struct world_spec spec = { .after = file_owner, .data = &d };
    struct world_result *r;
    char mark[16], script[128], want[32], expected[160];

    draw_maps(&m);
    rand_hex(mark, 12);
    snprintf(d.path, sizeof d.path, "/tmp/nslab-made-%s", mark);
    snprintf(script, sizeof script, "touch %s", d.path);
    r = lab_run(c, &spec, ARGS("--uid-map", m.uid_arg, "--gid-map", m.gid_arg, "--", "/bin/sh", "-c", script));
    expect_exit(c, r, 0);
    snprintf(want, sizeof want, "%u:%u", m.uid_out, m.gid_out);
    snprintf(expected, sizeof expected, "a file root made inside to belong to %s on the host", want);
    if (strcmp(r->user, want) != 0)
        check_fail(c, expected, "on the host: %s", r->user);
}

/* The host's root makes a secret of mode 0600 before the run. */
static void make_secret(struct world_result *r, void *data)
{
    struct file_data *d = data;
    int fd = open(d->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

    if (fd == -1 || write(fd, d->content, strlen(d->content)) != (ssize_t)strlen(d->content) || fchmod(fd, 0600) == -1)
        world_setup_failed(r, "make %s: %s", d->path, strerror(errno));
    if (fd != -1)
        close(fd);
}

/* Root inside has no power over a file whose owner it does not map. */
CHECK(user_root_cannot_read_the_hosts_file)
{
    struct maps m;
    struct file_data d;
    struct world_spec spec = { .setup = make_secret, .data = &d };
    struct world_result *r;
    char mark[16], script[160];

    draw_maps(&m);
    rand_hex(mark, 12);
    snprintf(d.path, sizeof d.path, "/tmp/nslab-secret-%s", mark);
    rand_hex(d.content, 12);
    snprintf(script, sizeof script, "cat %s 2>&1; echo status $?", d.path);
    r = lab_run(c, &spec, ARGS("--uid-map", m.uid_arg, "--gid-map", m.gid_arg, "--", "/bin/sh", "-c", script));
    expect_exit(c, r, 0);
    if (strstr(r->out, d.content) || strstr(r->out, "status 0"))
        check_fail(c, "root inside not to read the host root's file of mode 0600",
                   "`cat` inside read it (root inside is the host's root?):\n%s", r->out);
}

struct group_data {
    struct file_data file;
    gid_t group;
};

/* Run by root with a supplementary group: the world's root joins `group`
 * (the lab inherits it) and makes a file only that group may read. */
static void join_group(struct world_result *r, void *data)
{
    struct group_data *d = data;
    gid_t groups[1] = { d->group };
    int fd;

    if (setgroups(1, groups) == -1) {
        world_setup_failed(r, "the world's root could not join group %u: %s", (unsigned)d->group, strerror(errno));
        return;
    }
    fd = open(d->file.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0040);
    if (fd == -1 || write(fd, d->file.content, strlen(d->file.content)) != (ssize_t)strlen(d->file.content) ||
        fchown(fd, 0, d->group) == -1 || fchmod(fd, 0040) == -1)
        world_setup_failed(r, "make %s: %s", d->file.path, strerror(errno));
    if (fd != -1)
        close(fd);
}

/* Run by root, who belongs to a group of the host's: no supplementary group
 * follows the container in (setgroups(2) drops them, and may: setgroups
 * stays "allow" for root). Kept, the group would let root inside read a
 * file of the host's that only that group may read. */
CHECK(user_host_groups_left_outside)
{
    struct maps m;
    struct group_data d;
    struct world_spec spec = { .setup = join_group, .data = &d };
    struct world_result *r;
    char mark[16], script[256], expected[256];

    draw_maps(&m);
    /* A group of the world's, outside the container's gid map (inside, it
     * would be one of the container's own). */
    do
        d.group = WORLD_USER_FIRST + rand_range(0, 65535);
    while (d.group >= m.gid_out && d.group < m.gid_out + m.gid_count);
    rand_hex(mark, 12);
    snprintf(d.file.path, sizeof d.file.path, "/tmp/nslab-group-%s", mark);
    rand_hex(d.file.content, 12);
    snprintf(script, sizeof script, "grep '^Groups:' /proc/self/status; cat /proc/self/setgroups; cat %s 2>&1; "
             "echo status $?", d.file.path);
    r = lab_run(c, &spec, ARGS("--uid-map", m.uid_arg, "--gid-map", m.gid_arg, "--", "/bin/sh", "-c", script));
    expect_exit(c, r, 0);
    snprintf(expected, sizeof expected, "run by root, who is in group %u: no supplementary group inside (root may "
             "drop them: setgroups \"allow\"), so `cat` cannot read the host's file of mode 0040, group %u",
             (unsigned)d.group, (unsigned)d.group);
    if (strstr(r->out, d.file.content) || strstr(r->out, "status 0"))
        check_fail(c, expected, "root inside read it: the host's groups followed the container in (were they "
                   "dropped after the maps, with setgroups(2)?); inside:\n%s", r->out);
    if (!strstr(r->out, "\nallow\n"))
        check_fail(c, expected, "/proc/self/setgroups inside is not \"allow\": root inside cannot change its groups "
                   "(setgroups denied when run by root?); inside:\n%s", r->out);
}

CHECK(user_namespace_differs)
{
    struct maps m;
    struct world_result *r;

    draw_maps(&m);
    r = lab_run(c, NULL, ARGS("--uid-map", m.uid_arg, "--gid-map", m.gid_arg, "--", probe(), "--wait"));
    expect_exit(c, r, 0);
    expect_ns_differs(c, r, NS_USER);
}

/* Run by root without maps: the contract's 0:100000:65536. */
CHECK(user_default_map_as_root)
{
    struct world_spec spec = { .during = ids_from_outside };
    struct world_result *r = lab_run(c, &spec, ARGS("--", probe(), "--wait"));

    expect_exit(c, r, 0);
    expect_probe_ready(c, r);
    if (strncmp(r->user, "uid_map 0 100000 65536\ngid_map 0 100000 65536\n", 46) != 0)
        check_fail(c, "run by root with no map given: uid_map and gid_map 0 100000 65536", "from outside:\n%s", r->user);
}

/* Run by a user, not root: "0 UID 1" maps, setgroups denied, root inside. */
CHECK(user_unprivileged_default_map)
{
    struct world_spec spec = { .as_user = some_user() };
    struct world_result *r = lab_run(c, &spec, ARGS("--", probe(), "--ids"));
    char uid_line[32], gid_line[32], expected[256];

    expect_user_run(c, r, &spec);
    expect_probe_ready(c, r);
    snprintf(uid_line, sizeof uid_line, "0 %u 1", (unsigned)spec.as_user.uid);
    snprintf(gid_line, sizeof gid_line, "0 %u 1", (unsigned)spec.as_user.gid);
    snprintf(expected, sizeof expected, "run by uid %u gid %u: uid 0 and gid 0 inside, uid_map \"%s\", gid_map \"%s\", "
             "setgroups \"deny\"", (unsigned)spec.as_user.uid, (unsigned)spec.as_user.gid, uid_line, gid_line);
    if (strcmp(probe_value(r, "uid"), "0") || strcmp(probe_value(r, "gid"), "0") ||
        strcmp(probe_value(r, "uid_map"), uid_line) || strcmp(probe_value(r, "gid_map"), gid_line) ||
        strcmp(probe_value(r, "setgroups"), "deny"))
        check_fail(c, expected, "uid %s, gid %s, uid_map \"%s\", gid_map \"%s\", setgroups \"%s\"", probe_value(r, "uid"),
                   probe_value(r, "gid"), probe_value(r, "uid_map"), probe_value(r, "gid_map"),
                   probe_value(r, "setgroups"));
}

/* `ps -e -o pid= -o comm=` printed two processes: 1 sh, and ps. */
static int ps_lists_sh_and_ps(const char *text)
{
    int pid1 = 0, pid2 = 0, n;
    char comm1[32] = "", comm2[32] = "", extra[32];

    n = sscanf(text, "%d %31s %d %31s %31s", &pid1, comm1, &pid2, comm2, extra);
    return n == 4 && pid1 == 1 && strcmp(comm1, "sh") == 0 && strcmp(comm2, "ps") == 0;
}

/* Without root: its own hostname, PID 1, and a /proc of its own. */
CHECK(user_unprivileged_container)
{
    struct world_spec spec = { .as_user = some_user() };
    struct world_result *r;
    char name[32], want[256];

    random_hostname(name, sizeof name);
    r = lab_run(c, &spec, ARGS("--hostname", name, "--", "/bin/sh", "-c", "hostname; echo $$; ps -e -o pid= -o comm="));
    expect_user_run(c, r, &spec);
    snprintf(want, sizeof want, "%s\n1\n", name);
    if (strncmp(r->out, want, strlen(want)) != 0 || !ps_lists_sh_and_ps(r->out + strlen(want)))
        check_fail(c, "run without root: the hostname given, the shell as PID 1, and ps listing only sh and ps",
                   "run by uid %u, the container printed:\n%s", (unsigned)spec.as_user.uid, r->out);
}

/* Without root: IPC objects of its own, and lo alone (no veth). (The
 * kernel's fallback tunnels, present in every namespace where their modules
 * are loaded, do not count: verdict.c's fallback_tunnel().) */
CHECK(user_unprivileged_ipc_and_lo)
{
    struct world_spec spec = { .as_user = some_user() };
    struct world_result *r;
    char key[16], seen_key[32], links[256] = "", *line, *copy, *save = NULL;

    rand_hex(key, 8);
    /* The snapshot lists keys as /proc/sysvipc does: in decimal. */
    snprintf(seen_key, sizeof seen_key, "key=%d ", (int)strtoul(key, NULL, 16));
    r = lab_run(c, &spec, ARGS("-v", "--", probe(), "--ipc-make", key, "--net", "--wait"));
    expect_user_run(c, r, &spec);
    expect_probe_ready(c, r);
    copy = strdup(r->probe);
    for (line = copy ? strtok_r(copy, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save))
        if (strncmp(line, "link ", 5) == 0 && !fallback_tunnel(line + 5))
            appendf(links, sizeof links, "%s; ", line + 5);
    free(copy);
    if (strcmp(links, "lo up; ") != 0)
        check_fail(c, "run without root: one link inside, lo, up (a veth needs root on the host)", "links: %s",
                   links[0] ? links : "(none)");
    if (!strstr(r->err, "veth"))
        check_fail(c, "run without root: --verbose to say that there is no veth", "stderr:\n%s", r->err);
    if (atoi(probe_value(r, "ipc_made msg")) < 0 || strstr(r->during_snap, seen_key))
        check_fail(c, "run without root: IPC objects made inside, and not seen on the host",
                   "the probe: ipc_made msg %s; the host %s", probe_value(r, "ipc_made msg"),
                   strstr(r->during_snap, seen_key) ? "saw the key" : "did not see it");
}

CHECK(user_verbose_narrates)
{
    struct world_result *r;

    expect_verbose_names(c, "CLONE_NEWUSER");
    r = lab_run(c, NULL, ARGS("-v", "--uid-map", "0:100000:65536", "--", "true"));
    expect_exit(c, r, 0);
    if (!strstr(r->err, "uid_map") || !strstr(r->err, "gid_map"))
        check_fail(c, "--verbose to narrate writing uid_map and gid_map", "stderr:\n%s", r->err);
}

static void expect_unwritable_map_refused(struct check *c);

/* A map that leaves uid 0 or gid 0 unmapped (IN is not 0): there is no
 * root to become inside, and the lab must say so (125), not run the
 * command as nobody. A lab that ignores IN writes a map with 0 in it, and
 * runs; one that ignores a failed setresgid(2) runs as group nobody. */
CHECK(user_root_unmapped_exit_125)
{
    struct maps m;
    int i;

    for (i = 0; i < 2; i++) {
        struct world_result *r;
        char arg[48], expected[200];
        draw_maps(&m);
        snprintf(arg, sizeof arg, "%u:%u:%u", rand_range(1, 1000), i ? m.gid_out : m.uid_out,
                 i ? m.gid_count : m.uid_count);
        r = lab_run(c, NULL, i ? ARGS("--uid-map", m.uid_arg, "--gid-map", arg, "--", "/bin/sh", "-c", "id -u; id -g")
                               : ARGS("--uid-map", arg, "--gid-map", m.gid_arg, "--", "/bin/sh", "-c", "id -u; id -g"));
        snprintf(expected, sizeof expected, "--%s-map %s leaves %s 0 unmapped: exit 125 with one line, the command not "
                 "run", i ? "gid" : "uid", arg, i ? "gid" : "uid");
        if (!WIFEXITED(r->lab_status) || WEXITSTATUS(r->lab_status) != 125)
            check_fail(c, expected, "exit status %d; `id -u; id -g` inside printed:\n%s(a failed set%sid(2) "
                       "ignored?) stderr:\n%s", WEXITSTATUS(r->lab_status), r->out[0] ? r->out : "(nothing)\n",
                       i ? "resg" : "resu", r->err[0] ? r->err : "(empty)\n");
        expect_one_error_line(c, r);
    }
}

/* Bad maps: 125 with one line naming the option; a map the user may not
 * write: 125 with the kernel's reason. */
CHECK(user_bad_map_exit_125)
{
    static char *const bad[][2] = {
        { "--uid-map", "0:1000" }, { "--uid-map", "a:b:c" }, { "--gid-map", "0:100000:0" },
    };
    size_t i;

    expect_unwritable_map_refused(c);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct world_result *r = lab_run(c, NULL, ARGS(bad[i][0], bad[i][1], "--", "true"));
        expect_usage_error(c, r, bad[i][0]);
    }
}

/* A user may map only their own ID: the kernel refuses, the lab says so
 * (the file and the reason) and leaves nothing behind. */
static void expect_unwritable_map_refused(struct check *c)
{
    struct world_spec spec = { .as_user = some_user() };
    struct world_result *r;
    char map[48];

    snprintf(map, sizeof map, "0:%u:1", (unsigned)spec.as_user.uid + 1);
    r = lab_run(c, &spec, ARGS("--uid-map", map, "--", "true"));
    expect_exit(c, r, 125);
    expect_one_error_line(c, r);
    if (!strstr(r->err, "uid_map") || !strstr(r->err, strerror(EPERM)))
        check_fail(c, "one line naming uid_map and the kernel's reason (Operation not permitted)", "stderr: %s", r->err);
}

static const struct check_info checks[] = {
    CHECK_ENTRY(user_root_inside_with_the_maps, "inside, id prints 0 and /proc/self/uid_map and gid_map are the maps",
                ROOT),
    CHECK_ENTRY(user_maps_seen_from_outside, "from outside, the maps and the command's Uid and Gid are the mapped IDs",
                MAPS),
    CHECK_ENTRY(user_file_owned_by_mapped_ids, "a file made inside belongs to the mapped IDs on the host", NOT_MY_ROOT),
    CHECK_ENTRY(user_root_cannot_read_the_hosts_file, "root inside cannot read the host root's file of mode 0600",
                NOT_MY_ROOT),
    CHECK_ENTRY(user_namespace_differs, "the user namespace differs from the host's, seen from outside", USERNS),
    CHECK_ENTRY(user_default_map_as_root, "run by root, the default maps are 0 100000 65536", MAPS),
    CHECK_ENTRY(user_unprivileged_default_map, "run by a user: maps 0 UID 1, setgroups deny, root inside", ROOTLESS),
    CHECK_ENTRY(user_unprivileged_container, "run by a user: its own hostname, PID 1 and /proc", ROOTLESS),
    CHECK_ENTRY(user_unprivileged_ipc_and_lo, "run by a user: IPC of its own, and lo alone", ROOTLESS),
    CHECK_ENTRY(user_verbose_narrates, "--verbose names CLONE_NEWUSER and the maps it writes", USERNS),
    CHECK_ENTRY(user_bad_map_exit_125, "a bad map, or one the user may not write: exit 125 with one line", OPTIONS),
    CHECK_ENTRY(user_root_unmapped_exit_125, "a map that leaves uid 0 or gid 0 unmapped: exit 125 with one line, the "
                "command not run", ROOT),
    CHECK_ENTRY(user_host_groups_left_outside, "run by root with a group of the host's: no supplementary group "
                "inside, setgroups allowed", ROOT),
    { NULL, NULL, NULL, NULL },
};

LAYER("06_userns_map", checks);
