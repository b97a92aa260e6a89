/* The world's cgroup.
 *
 * H makes a cgroup of its own for every world (in each v1 hierarchy of pids,
 * memory and cpu, or once on v2), sets the world's limits on it, and delegates
 * it to the world's root the way systemd delegates a user's subtree: the
 * directory and the files that move processes are chowned; the limits are
 * not, so the world cannot raise its own. W0 and W are put in it before W is
 * cloned with CLONE_NEWCGROUP, so the world's cgroup namespace is rooted
 * there. Inside, W mounts the same hierarchies on /sys/fs/cgroup with the
 * machine's layout: a lab that writes to "/sys/fs/cgroup/..." reaches only the
 * world's subtree. The snapshot lists every cgroup below the world's root, so
 * a lab that leaves one behind fails; H removes the whole tree afterwards.
 *
 * Without root, a subtree is made only where the user's own cgroup is
 * delegated to them (systemd's user@.service on v2); otherwise the world has
 * none, and /sys/fs/cgroup inside is an empty read-only directory. */
#define _GNU_SOURCE
#include "world_int.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WORLD_PIDS_MAX "512"                    /* a fork bomb stops here */
#define WORLD_MEMORY_MAX "1073741824"           /* and a memory hog here (1 GiB) */
#define WORLD_CGROUP_DEPTH "16"                 /* a chain of cgroups here, */
#define WORLD_CGROUP_DESCENDANTS "512"          /* and a flood of them here (v2's own limits;
                                                 * v1 has none: the watch, by cg_count) */

#define CG_MAX 16

struct cg_hierarchy {
    char name[64];              /* the mount point's last part: "pids", "cpu,cpuacct" */
    char options[256];          /* what to mount it with: "pids" (v1) */
    char dir[PATH_MAX];         /* the world's cgroup on the machine */
    int root_fd;                /* in W: the hierarchy's root inside the world */
    int lock_fd;                /* in H: the world's cgroup, open and flock()ed while it lives */
    int enter_only;             /* v1, as root: a hierarchy the world does not get (no limits, not
                                 * delegated, not mounted inside), whose cgroup it is put in all the
                                 * same, so that its cgroup namespace is rooted there: a lab that
                                 * mounts the hierarchy sees that empty cgroup, not the grader's */
};

struct cgroups {
    int version;                /* 0: none for the world, 1, 2 */
    int n;
    struct cg_hierarchy h[CG_MAX];
    int leaf_procs_fd;          /* v2: the init leaf's cgroup.procs, opened by H for W0 */
    int subtree_fd;             /* v2: the world cgroup's cgroup.subtree_control, likewise */
    char top[PATH_MAX];         /* v2: the cgroup above the world's, which holds its limits */
    char hidden[16];            /* a controller the world must not have (world_faults.no_controller) */
};

/* The world's cgroup: one world per process at a time (H makes it, W0 and W
 * inherit it). */
static struct cgroups world_cgroups;

static int write_text(const char *dir, const char *file, const char *text)
{
    char path[PATH_MAX + 64];

    snprintf(path, sizeof path, "%s/%s", dir, file);
    return write_file(path, text);
}

static int has_word(const char *list, const char *word)
{
    char copy[256], *save = NULL, *w;

    snprintf(copy, sizeof copy, "%s", list);
    for (w = strtok_r(copy, ", \n", &save); w; w = strtok_r(NULL, ", \n", &save))
        if (strcmp(w, word) == 0)
            return 1;
    return 0;
}

/* Our own cgroup in the v1 hierarchy holding `controller`, or in v2 (NULL). */
static int own_cgroup(const char *controller, char *out, size_t n)
{
    char *text = read_whole(AT_FDCWD, "/proc/self/cgroup"), *save = NULL, *line;
    int found = -1;

    for (line = text ? strtok_r(text, "\n", &save) : NULL; line && found; line = strtok_r(NULL, "\n", &save)) {
        char *names = strchr(line, ':'), *path;
        if (!names || !(path = strchr(names + 1, ':')))
            continue;
        *path++ = '\0';
        names++;
        if (controller ? has_word(names, controller) : *names == '\0') {
            snprintf(out, n, "%s", strcmp(path, "/") ? path : "");
            found = 0;
        }
    }
    free(text);
    return found;
}

/* Hand a cgroup to the world's root: the directory and the files that move
 * processes, never the limits. */
static void delegate(const char *dir, uid_t uid, gid_t gid)
{
    static const char *const files[] = { "", "cgroup.procs", "tasks", "cgroup.subtree_control", "cgroup.threads" };
    char path[PATH_MAX + 64];
    size_t i;

    if (uid == getuid())
        return;   /* rootless: the user made it, and owns it */
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if (chown(path, uid, gid) == -1 && errno != ENOENT)
            fprintf(stderr, "nslab harness: cannot delegate %s: %s\n", path, strerror(errno));
    }
}

static void remove_tree(const char *dir, int *budget);

/* The controllers a world gets, where the machine has them. */
static const char *const wanted[] = { "pids", "memory", "cpu" };
#define NWANTED (sizeof wanted / sizeof wanted[0])

/* v2: "+pids +memory +cpu", those of them dir's cgroup.controllers lists
 * (what its parent enables), less `hidden`: what dir may enable below it. */
static void enable_below(const char *dir, const char *hidden, char *out, size_t n)
{
    char path[PATH_MAX + 32], have[256] = "";
    size_t i;

    out[0] = '\0';
    snprintf(path, sizeof path, "%s/cgroup.controllers", dir);
    read_file(path, have, sizeof have);   /* reading a read-only mount is fine */
    for (i = 0; i < NWANTED; i++)
        if (has_word(have, wanted[i]) && strcmp(wanted[i], hidden) != 0)
            appendf(out, n, "%s+%s", out[0] ? " " : "", wanted[i]);
}

/* A world's cgroup belongs to the harness that made it for as long as that
 * harness (or its world) lives: it holds an flock(2) on the cgroup's folder,
 * which the kernel lets go when the last of them is gone, whatever PID
 * namespace each grader runs in. A world cgroup nobody holds, and older than
 * this (a grader locks its own right after mkdir), was abandoned. */
#define ABANDONED_AFTER 10

/* Remove the world cgroups under base that no living harness holds. */
static void remove_orphans(const char *base)
{
    DIR *d = opendir(base);
    struct dirent *e;
    time_t now_s = time(NULL);

    while (d && (e = readdir(d))) {
        char path[PATH_MAX + 256];
        struct stat st;
        int fd, budget = 100;
        if (strncmp(e->d_name, "nslab-world-", 12) != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", base, e->d_name);
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd == -1)
            continue;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &st) == 0 && now_s - st.st_mtime >= ABANDONED_AFTER)
            remove_tree(path, &budget);
        close(fd);   /* (and the lock with it) */
    }
    if (d)
        closedir(d);
}

static struct cg_hierarchy *add_hierarchy(struct cgroups *cg, const char *base, const char *name,
                                          const char *options, const char *world)
{
    struct cg_hierarchy *h = &cg->h[cg->n];

    if (cg->n == CG_MAX ||
        snprintf(h->dir, sizeof h->dir, "%s/%s", base, world) >= (int)sizeof h->dir)
        return NULL;
    remove_orphans(base);
    if (mkdir(h->dir, 0755) == -1)
        return NULL;
    h->lock_fd = open(h->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (h->lock_fd == -1 || flock(h->lock_fd, LOCK_EX) == -1) {
        if (h->lock_fd != -1)
            close(h->lock_fd);
        rmdir(h->dir);
        return NULL;
    }
    snprintf(h->name, sizeof h->name, "%s", name);
    snprintf(h->options, sizeof h->options, "%s", options);
    h->root_fd = -1;
    h->enter_only = 0;
    cg->n++;
    return h;
}

/* The first controller (or name=...) a v1 hierarchy's mount options name,
 * into key: how /proc/self/cgroup names it; 0, or -1 with none. */
static int hierarchy_key(const char *super, char *key, size_t n)
{
    char copy[256], *save = NULL, *w;

    snprintf(copy, sizeof copy, "%s", super);
    for (w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
        if (strcmp(w, "rw") && strcmp(w, "ro") && strcmp(w, "xattr") && strncmp(w, "release_agent", 13) &&
            strcmp(w, "clone_children") && strcmp(w, "noprefix") && strcmp(w, "cpuset_v2_mode") &&
            strcmp(w, "favordynmods") && strcmp(w, "nsdelegate") && strncmp(w, "memory_", 7)) {
            snprintf(key, n, "%s", w);
            return 0;
        }
    return -1;
}

/* An enter-only cgroup of a hierarchy the world does not get (as root): a
 * cpuset must be given CPUs and memory nodes before anything may enter it:
 * its parent's. */
static void add_enter_only(struct cgroups *cg, const char *base, const char *world, const char *super)
{
    struct cg_hierarchy *h = add_hierarchy(cg, base, "", "", world);
    char value[4096];
    int i;

    if (!h)
        return;
    h->enter_only = 1;
    for (i = 0; has_word(super, "cpuset") && i < 2; i++) {
        const char *file = i ? "cpuset.mems" : "cpuset.cpus";
        char path[2 * PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", base, file);
        value[0] = '\0';
        if (read_file(path, value, sizeof value) > 0)
            write_text(h->dir, file, value);
    }
}

/* v1: each hierarchy mounted under /sys/fs/cgroup that holds pids, memory or
 * cpu gets a world cgroup below our own; as root, every other one (and a
 * hybrid machine's cgroup2) an enter-only one. */
static void setup_v1(struct cgroups *cg, const char *world, uid_t uid, gid_t gid)
{
    char *text = read_whole(AT_FDCWD, "/proc/self/mountinfo"), *save = NULL, *line;
    int limited = 0;

    for (line = text ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
        char point[PATH_MAX], fstype[32], super[256], options[256] = "", own[PATH_MAX], base[2 * PATH_MAX], key[64];
        const char *dash = strstr(line, " - "), *name;
        struct cg_hierarchy *h;
        size_t i;
        if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1 ||
            sscanf(dash, " - %31s %*s %255s", fstype, super) != 2 || strncmp(point, "/sys/fs/cgroup/", 15))
            continue;
        if (!strcmp(fstype, "cgroup2")) {
            if (getuid() == 0 && own_cgroup(NULL, own, sizeof own) == 0) {
                snprintf(base, sizeof base, "%s%s", point, own);
                add_enter_only(cg, base, world, super);
            }
            continue;
        }
        if (strcmp(fstype, "cgroup") || (cg->hidden[0] && has_word(super, cg->hidden)))
            continue;
        for (i = 0; i < NWANTED; i++)
            if (has_word(super, wanted[i]))
                break;
        if (i == NWANTED) {
            if (getuid() == 0 && hierarchy_key(super, key, sizeof key) == 0 && own_cgroup(key, own, sizeof own) == 0) {
                snprintf(base, sizeof base, "%s%s", point, own);
                add_enter_only(cg, base, world, super);
            }
            continue;
        }
        if (own_cgroup(wanted[i], own, sizeof own))
            continue;
        /* Mount it inside with the same controllers: "cpu,cpuacct". */
        {
            char copy[256], *s2 = NULL, *w;
            snprintf(copy, sizeof copy, "%s", super);
            for (w = strtok_r(copy, ",", &s2); w; w = strtok_r(NULL, ",", &s2))
                if (strcmp(w, "rw") && strcmp(w, "ro") && strncmp(w, "release_agent", 13) &&
                    strcmp(w, "clone_children") && strcmp(w, "noprefix") && strcmp(w, "cpuset_v2_mode"))
                    appendf(options, sizeof options, "%s%s", options[0] ? "," : "", w);
        }
        name = point + 15;
        snprintf(base, sizeof base, "%s%s", point, own);
        h = add_hierarchy(cg, base, name, options, world);
        if (!h)
            continue;
        limited++;
        if (has_word(super, "pids"))
            write_text(h->dir, "pids.max", WORLD_PIDS_MAX);
        if (has_word(super, "memory"))
            write_text(h->dir, "memory.limit_in_bytes", WORLD_MEMORY_MAX);
        delegate(h->dir, uid, gid);
    }
    free(text);
    /* Enter-only ones alone are no cgroup of the world's. */
    cg->version = limited ? 1 : 0;
}

/* v2: the world's cgroup "w" inside one that holds its limits and enables
 * the controllers the world may have (the parent's subtree_control is what
 * a cgroup's cgroup.controllers lists), with a leaf "init" for the world's
 * own processes so that controllers can be enabled below it (no internal
 * processes). As root it sits at the top of the hierarchy; rootless, below
 * the user's own. */
static void setup_v2(struct cgroups *cg, const char *world, uid_t uid, gid_t gid)
{
    char own[PATH_MAX] = "", base[PATH_MAX + 32], leaf[PATH_MAX + 16], enable[64];
    struct cg_hierarchy *h;

    if (getuid() != 0 && own_cgroup(NULL, own, sizeof own))
        return;
    snprintf(base, sizeof base, "/sys/fs/cgroup%s", getuid() == 0 ? "" : own);
    if (getuid() == 0)
        write_text(base, "cgroup.subtree_control", "+pids +memory +cpu");
    h = add_hierarchy(cg, base, "", "", world);
    if (!h)
        return;
    snprintf(cg->top, sizeof cg->top, "%s", h->dir);
    /* A lab's cgroups, however many and deep, stop here. */
    write_text(h->dir, "cgroup.max.depth", WORLD_CGROUP_DEPTH);
    write_text(h->dir, "cgroup.max.descendants", WORLD_CGROUP_DESCENDANTS);
    write_text(h->dir, "pids.max", WORLD_PIDS_MAX);
    write_text(h->dir, "memory.max", WORLD_MEMORY_MAX);
    write_text(h->dir, "memory.swap.max", "0");
    enable_below(h->dir, cg->hidden, enable, sizeof enable);
    if (enable[0])
        write_text(h->dir, "cgroup.subtree_control", enable);
    if (strlen(h->dir) + 2 >= sizeof h->dir)
        goto fail;
    strcat(h->dir, "/w");
    snprintf(leaf, sizeof leaf, "%s/init", h->dir);
    if (mkdir(h->dir, 0755) == -1 || mkdir(leaf, 0755) == -1)
        goto fail;
    delegate(h->dir, uid, gid);
    delegate(leaf, uid, gid);
    cg->version = 2;
    return;
fail:
    {
        int budget = 100;
        remove_tree(cg->top, &budget);
    }
    cg->top[0] = '\0';
    cg->n = 0;
}

static void setup(struct cgroups *cg, struct world_result *r, uid_t uid, gid_t gid, const char *hidden)
{
    char world[64] = "nslab-world-";
    struct stat st;

    memset(cg, 0, sizeof *cg);
    snprintf(cg->hidden, sizeof cg->hidden, "%s", hidden ? hidden : "");
    rand_hex(world + strlen(world), 16);
    if (stat("/sys/fs/cgroup/cgroup.controllers", &st) == 0)
        setup_v2(cg, world, uid, gid);
    else
        setup_v1(cg, world, uid, gid);
    if (cg->version == 0)
        appendf(r->note, sizeof r->note, "no cgroup for the test world (%s): processes and memory are limited "
                "by rlimits only\n", getuid() == 0 ? "none could be made" : "none is delegated to this user");
}

int cg_setup(struct world_result *r, uid_t uid, gid_t gid, const char *hidden)
{
    setup(&world_cgroups, r, uid, gid, hidden);
    return world_cgroups.version;
}

static void remove_all(const struct cgroups *cg);

void cg_delegate(uid_t uid, gid_t gid)
{
    const struct cgroups *cg = &world_cgroups;
    char leaf[PATH_MAX + 16];
    int i;

    for (i = 0; i < cg->n; i++)
        if (!cg->h[i].enter_only)
            delegate(cg->h[i].dir, uid, gid);
    if (cg->version == 2) {
        snprintf(leaf, sizeof leaf, "%.4000s/init", cg->h[0].dir);
        delegate(leaf, uid, gid);
    }
}

void world_remove_orphans(void)
{
    struct cgroups cg;
    struct world_result *r = calloc(1, sizeof *r);

    if (!r)
        return;
    /* Making a world's cgroup sweeps the orphans beside it; then it goes too. */
    setup(&cg, r, getuid(), getgid(), NULL);
    remove_all(&cg);
    free(r);
}

void cg_enter(pid_t pid)
{
    const struct cgroups *cg = &world_cgroups;
    char text[32];
    int i;

    snprintf(text, sizeof text, "%d", (int)pid);
    for (i = 0; i < cg->n; i++)
        write_text(cg->h[i].dir, "cgroup.procs", text);
}

void cg_open_for_w0(void)
{
    struct cgroups *cg = &world_cgroups;
    char path[PATH_MAX + 32];

    cg->leaf_procs_fd = cg->subtree_fd = -1;
    if (cg->version != 2)
        return;
    snprintf(path, sizeof path, "%.4000s/init/cgroup.procs", cg->h[0].dir);
    cg->leaf_procs_fd = open(path, O_WRONLY | O_CLOEXEC);
    snprintf(path, sizeof path, "%.4000s/cgroup.subtree_control", cg->h[0].dir);
    cg->subtree_fd = open(path, O_WRONLY | O_CLOEXEC);
}

/* One write(2) to an open cgroup file (each is one command to the kernel). */
static void write_fd(int fd, const char *text)
{
    if (fd != -1 && write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        fprintf(stderr, "nslab harness: cgroup write \"%s\": %s\n", text, strerror(errno));
}

void cg_after_clone(pid_t w)
{
    struct cgroups *cg = &world_cgroups;
    char text[32], enable[64];

    if (cg->version != 2)
        return;
    snprintf(text, sizeof text, "%d", (int)w);
    write_fd(cg->leaf_procs_fd, text);
    write_fd(cg->leaf_procs_fd, "0");   /* W0 itself */
    /* (The world's cgroup lists no hidden controller: its parent enables none.) */
    enable_below(cg->h[0].dir, "", enable, sizeof enable);
    if (enable[0])
        write_fd(cg->subtree_fd, enable);
    cg_close_for_w0();
}

void cg_close_for_w0(void)
{
    struct cgroups *cg = &world_cgroups;
    if (cg->leaf_procs_fd != -1)
        close(cg->leaf_procs_fd);
    if (cg->subtree_fd != -1)
        close(cg->subtree_fd);
    cg->leaf_procs_fd = cg->subtree_fd = -1;
}

/* W's own view of a hierarchy mounted at path: the same hierarchy, seen
 * from the world's cgroup namespace, mounted again but attached nowhere (a
 * lab, in W's mount namespace, may mount on a folder of the world's
 * /sys/fs/cgroup and hide a cgroup it left, or show limit files of its own);
 * before Linux 5.2, a handle on path. Its fd, or -1 (world_fail). */
static int harness_view(struct world_result *r, const char *fstype, const char *options, const char *path)
{
    int fd = detached_mount(fstype, options, 1);

    if (fd == -1 && errno != ENOSYS)
        return world_fail(r, "mount a detached view of the world's cgroups for the harness (fsmount)");
    if (fd == -1)
        fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    return fd == -1 ? world_fail(r, "open the world's cgroups") : fd;
}

int cg_mount_inside(struct world_result *r)
{
    struct cgroups *cg = &world_cgroups;
    const unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    char path[PATH_MAX];
    int i;

    if (cg->version == 2) {
        if (mount("cgroup2", "/sys/fs/cgroup", "cgroup2", flags, NULL) == -1)
            return world_fail(r, "mount the world's cgroup2 on /sys/fs/cgroup");
        cg->h[0].root_fd = harness_view(r, "cgroup2", NULL, "/sys/fs/cgroup");
        return cg->h[0].root_fd == -1 ? -1 : 0;
    }
    if (mount("tmpfs", "/sys/fs/cgroup", "tmpfs", flags, "mode=755,size=64k") == -1)
        return world_fail(r, "mount tmpfs on /sys/fs/cgroup");
    for (i = 0; i < cg->n; i++) {
        if (cg->h[i].enter_only)
            continue;
        snprintf(path, sizeof path, "/sys/fs/cgroup/%s", cg->h[i].name);
        if (mkdir(path, 0755) == -1 || mount("cgroup", path, "cgroup", flags, cg->h[i].options) == -1) {
            snprintf(path, sizeof path, "mount the world's %s cgroup", cg->h[i].options);
            return world_fail(r, path);
        }
        cg->h[i].root_fd = harness_view(r, "cgroup", cg->h[i].options, path);
        if (cg->h[i].root_fd == -1)
            return -1;
        /* "cpu,cpuacct" is also reachable as "cpu" and "cpuacct", as on a
         * systemd machine. */
        if (strchr(cg->h[i].name, ',')) {
            char names[64], *save = NULL, *w, link[PATH_MAX];
            snprintf(names, sizeof names, "%s", cg->h[i].name);
            for (w = strtok_r(names, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                snprintf(link, sizeof link, "/sys/fs/cgroup/%s", w);
                if (symlink(cg->h[i].name, link) == -1 && errno != EEXIST)
                    return world_fail(r, "link a cgroup hierarchy's controller names");
            }
        }
    }
    if (mount(NULL, "/sys/fs/cgroup", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | flags, NULL) == -1)
        return world_fail(r, "make /sys/fs/cgroup read-only");
    return 0;
}

/* Every directory below dir (an fd), depth first, as "cgroup NAME:/path". */
static void walk(int dir, const char *name, const char *rel, FILE *f, int depth)
{
    DIR *d = opendir_at(dir, rel[0] ? rel + 1 : ".");
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d)))
        if (e->d_type == DT_DIR && strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            char sub[PATH_MAX];
            snprintf(sub, sizeof sub, "%s/%s", rel, e->d_name);
            fprintf(f, "cgroup %s:%s\n", name[0] ? name : "unified", sub);
            if (depth < 16)
                walk(dir, name, sub, f, depth + 1);
        }
    closedir(d);
}

void cg_snapshot(FILE *f)
{
    const struct cgroups *cg = &world_cgroups;
    int i;

    for (i = 0; i < cg->n; i++)
        if (cg->h[i].root_fd != -1)
            walk(cg->h[i].root_fd, cg->h[i].name, "", f, 0);
}

/* A reading of the folder open as fd from its start: a descriptor of its
 * own (openat "."), never a dup(), which would share fd's offset and find
 * nothing the second time. */
static DIR *read_folder(int fd)
{
    int own = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = own == -1 ? NULL : fdopendir(own);

    if (!d && own != -1)
        close(own);
    return d;
}

static int is_subfolder(const struct dirent *e)
{
    return e->d_type == DT_DIR && strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
}

/* The name, in the folder `parent`, of the folder open as `child` (found by
 * its inode); 1, or 0 when it is not there. */
static int leaf_name(int parent, int child, char *name, size_t n)
{
    struct stat want, st;
    DIR *d = read_folder(parent);
    struct dirent *e;
    int found = 0;

    if (d && fstat(child, &want) == 0)
        while (!found && (e = readdir(d)))
            if (is_subfolder(e) && fstatat(parent, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                st.st_ino == want.st_ino && st.st_dev == want.st_dev) {
                snprintf(name, n, "%s", e->d_name);
                found = 1;
            }
    if (d)
        closedir(d);
    return found;
}

/* One pass over the folder open as fd: rmdir every child folder that goes
 * (an empty cgroup), and name the first that would not (it has children,
 * or processes not gone yet). 1 when one is left, 0 when none, -1 when the
 * folder cannot be read. */
static int remove_children(int fd, char *name, size_t n)
{
    DIR *d = read_folder(fd);
    struct dirent *e;
    int left = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)))
        if (is_subfolder(e) && unlinkat(fd, e->d_name, AT_REMOVEDIR) == -1 && errno != ENOENT && !left) {
            snprintf(name, n, "%s", e->d_name);
            left = 1;
        }
    closedir(d);
    return left;
}

/* rmdir a cgroup and everything below it, however deep and wide: by file
 * descriptors, never by a path (a lab's chain of cgroups may be longer than
 * PATH_MAX), one folder open at a time (the chain may be deeper than our
 * descriptors). In each folder one pass removes every empty child; into the
 * first that is left, and again; a folder with none left below it is
 * removed from its parent (".."). Its last processes may take a moment to
 * leave (a fork bomb's hundreds of them): wait up to *budget ms in all. */
static void remove_tree(const char *dir, int *budget)
{
    struct timespec pause = { 0, 1000 * 1000 };
    char name[NAME_MAX + 1];
    long depth = 0;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), stuck = 0;

    while (fd != -1 && !stuck) {
        int left = remove_children(fd, name, sizeof name), parent;
        if (left == 1) {
            int child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (child == -1 && errno == ENOENT)
                continue;   /* it went meanwhile */
            if (child == -1)
                break;
            close(fd);
            fd = child;
            depth++;
            continue;
        }
        if (left == -1 || depth == 0)
            break;
        /* None left below: up one, and rmdir this one from there. */
        parent = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (parent == -1 || !leaf_name(parent, fd, name, sizeof name)) {
            if (parent != -1)
                close(parent);
            break;
        }
        close(fd);
        fd = parent;
        depth--;
        while (unlinkat(fd, name, AT_REMOVEDIR) == -1 && errno == EBUSY && *budget > 0) {
            nanosleep(&pause, NULL);
            (*budget)--;
        }
        stuck = faccessat(fd, name, F_OK, 0) == 0;   /* it would not go: cg_remove says so */
    }
    if (fd != -1)
        close(fd);
    while (rmdir(dir) == -1 && errno == EBUSY && *budget > 0) {
        nanosleep(&pause, NULL);
        (*budget)--;
    }
}

/* How many cgroups lie below the folder open as fd (at `depth`), counted
 * until there are more than `most`; one deeper than WORLD_CGROUP_DEPTH
 * counts as more. */
static int count_below(int fd, int depth, int most)
{
    const int deepest = atoi(WORLD_CGROUP_DEPTH);
    DIR *d = read_folder(fd);
    struct dirent *e;
    int n = 0;

    while (d && n <= most && (e = readdir(d)))
        if (is_subfolder(e)) {
            int child;
            if (depth >= deepest) {
                n = most + 1;
                break;
            }
            n++;
            child = openat(fd, e->d_name, O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (child != -1) {
                n += count_below(child, depth + 1, most - n);
                close(child);
            }
        }
    if (d)
        closedir(d);
    return n;
}

int cg_count(int most)
{
    const struct cgroups *cg = &world_cgroups;
    int i, n = 0;

    /* v2's own limits hold the world (cgroup.max.descendants, .depth). */
    for (i = 0; cg->version == 1 && i < cg->n && n <= most; i++)
        if (cg->h[i].root_fd != -1)
            n += count_below(cg->h[i].root_fd, 0, most - n);
    return n;
}

/* Remove the world's cgroups, then let go of their locks. */
static void remove_all(const struct cgroups *cg)
{
    int i, budget = 10000;

    for (i = 0; i < cg->n; i++) {
        const char *dir = cg->version == 2 && cg->top[0] ? cg->top : cg->h[i].dir;
        remove_tree(dir, &budget);
        if (access(dir, F_OK) == 0)
            fprintf(stderr, "nslab harness: could not remove the cgroup %s: %s\n", dir, strerror(errno));
        if (cg->h[i].lock_fd > 0)
            close(cg->h[i].lock_fd);
    }
}

ssize_t world_cgroup_file(pid_t pid, const char *controller, const char *file, char *path, size_t pn, char *buf,
                          size_t n)
{
    const struct cgroups *cg = &world_cgroups;
    char rel[64], *text, *save = NULL, *line, *found = NULL;
    const struct cg_hierarchy *h = NULL;
    ssize_t got;
    int i, fd;

    snprintf(path, pn, "?");
    snprintf(buf, n, "no cgroup");
    snprintf(rel, sizeof rel, "%d/cgroup", (int)pid);
    text = malloc(8192);
    if (!text || (got = proc_read(rel, text, 8192)) <= 0) {
        snprintf(buf, n, "cannot read /proc/%d/cgroup (the process is gone)", (int)pid);
        free(text);
        return -1;
    }
    text[got < 8192 ? got : 8191] = '\0';
    /* "N:CONTROLLERS:/path" (v1), "0::/path" (v2) */
    for (line = strtok_r(text, "\n", &save); line && !found; line = strtok_r(NULL, "\n", &save)) {
        char *names = strchr(line, ':'), *p;
        if (!names || !(p = strchr(names + 1, ':')))
            continue;
        *p++ = '\0';
        if (cg->version == 2 ? names[1] == '\0' : has_word(names + 1, controller))
            found = p;
    }
    if (found)
        snprintf(path, pn, "%s", found);
    free(text);
    for (i = 0; i < cg->n && !h; i++)
        if (cg->version == 2 || has_word(cg->h[i].options, controller))
            h = &cg->h[i];
    if (!found || !h || h->root_fd == -1) {
        snprintf(buf, n, "no %s cgroup in /proc/%d/cgroup", controller, (int)pid);
        return -1;
    }
    if (!file) {
        buf[0] = '\0';
        return 0;
    }
    {
        char fpath[PATH_MAX + 64];
        snprintf(fpath, sizeof fpath, "%s/%s", strcmp(path, "/") ? path + 1 : ".", file);
        fd = openat(h->root_fd, fpath, O_RDONLY | O_CLOEXEC);
        if (fd == -1) {
            snprintf(buf, n, "no %s in the cgroup %s: %s", file, path, strerror(errno));
            return -1;
        }
    }
    got = read(fd, buf, n - 1);
    close(fd);
    if (got < 0) {
        snprintf(buf, n, "read %s of %s: %s", file, path, strerror(errno));
        return -1;
    }
    buf[got] = '\0';
    if (got > 0 && buf[got - 1] == '\n')
        buf[got - 1] = '\0';
    return got;
}

void cg_remove(void)
{
    remove_all(&world_cgroups);
}
