/* The world's filesystem.
 *
 * Stage A, fs_prepare_view(), runs in W0, with the privilege of whoever made
 * the world (root, or the user's own first user namespace), in a PID and a
 * network namespace of W0's own. It builds the world's root as bubblewrap
 * does: a fresh tmpfs holding only the system's programs and libraries
 * (/usr, /bin, /sbin, /lib*, /etc, bound read-only), a /proc of W0's own
 * PID namespace and a /sys of its own network namespace (both must be there,
 * fully visible, for the world to mount its own over them; neither shows the
 * machine's processes or links), a /dev of bind-mounted device nodes (a user
 * namespace cannot mknod), a scratch /tmp holding copies of the lab and the
 * probe (so that a checkout in a private home directory, or a binary of mode
 * 0700, still runs), and empty read-only folders for the rest. Then it
 * pivots into it and lets the machine's root go. So nothing else of the
 * machine is in the world: no home directory, no kit checkout, no /run with
 * the machine's sockets, no /proc of the machine's processes under the world's.
 * W is then cloned into a new user namespace, which locks all of it.
 *
 * Stage B, fs_world_mounts(), runs in W, root of the world's user namespace:
 * the mounts that must belong to the world's own namespaces (/proc of its PID
 * namespace, /sys of its network namespace, devpts, mqueue of its IPC
 * namespace); world.c mounts its cgroups (cgroup.c) and then asks for shared
 * propagation everywhere (fs_share_everything). */
#define _GNU_SOURCE
#include "world_int.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

/* ---- Stage A (in W0) ------------------------------------------------ */

/* The per-mount flags a read-only remount must keep: the kernel refuses to
 * clear a flag that a user namespace has locked. (atime is kept by default.) */
static unsigned long mount_flags(const char *opts)
{
    static const struct { const char *name; unsigned long flag; } table[] = {
        { "nosuid", MS_NOSUID }, { "nodev", MS_NODEV }, { "noexec", MS_NOEXEC },
        { "nosymfollow", MS_NOSYMFOLLOW },
    };
    char copy[512], *save = NULL, *opt;
    unsigned long flags = 0;
    size_t i;

    snprintf(copy, sizeof copy, "%s", opts);
    for (opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save))
        for (i = 0; i < sizeof table / sizeof table[0]; i++)
            if (strcmp(opt, table[i].name) == 0)
                flags |= table[i].flag;
    return flags;
}

static int under(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Undo mountinfo's octal escapes ("\040" is a space) in place. */
static void unescape(char *s)
{
    char *out = s;

    for (; *s; s++) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] && s[3]) {
            *out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
            s += 3;
        } else {
            *out++ = *s;
        }
    }
    *out = '\0';
}

/* Make every mount below `top` read-only (the binds of the system's folders,
 * and whatever is mounted inside them), but the ones the world makes its
 * own: top/proc, top/sys, top/dev and top/tmp. */
static int remount_readonly(struct world_result *r, const char *top)
{
    char *mountinfo = read_whole(AT_FDCWD, "/proc/self/mountinfo"), *save = NULL, *line;
    static const char *const own[] = { "/proc", "/sys", "/dev", "/tmp" };
    int ret = 0;

    if (!mountinfo)
        return world_fail(r, "read /proc/self/mountinfo");
    for (line = strtok_r(mountinfo, "\n", &save); line && !ret; line = strtok_r(NULL, "\n", &save)) {
        char target[PATH_MAX], opts[512], inside[PATH_MAX];
        size_t i, keep = 0;
        if (sscanf(line, "%*s %*s %*s %*s %4095s %511s", target, opts) != 2)
            continue;
        unescape(target);
        if (!under(target, top) || strcmp(target, top) == 0)
            continue;
        for (i = 0; i < sizeof own / sizeof own[0]; i++) {
            snprintf(inside, sizeof inside, "%s%s", top, own[i]);
            keep |= under(target, inside);
        }
        if (keep)
            continue;
        if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | mount_flags(opts), NULL) == -1 &&
            errno != ENOENT && errno != EACCES) {   /* hidden under another mount, or out of reach */
            char step[PATH_MAX + 64];
            snprintf(step, sizeof step, "make %s read-only", target + strlen(top));
            ret = world_fail(r, step);
        }
    }
    free(mountinfo);
    return ret;
}

/* mkdir dir/name with exactly this mode (the umask left out). */
static int mkdirat_in(const char *dir, const char *name, mode_t mode)
{
    char path[PATH_MAX];

    snprintf(path, sizeof path, "%s/%s", dir, name);
    return mkdir(path, mode) == -1 || chmod(path, mode) == -1 ? -1 : 0;
}

/* A /dev with only the harmless devices, as bwrap --dev makes it: each node
 * is a bind mount of the machine's own, taken (open_tree) before the new
 * tmpfs covers them. */
static int make_dev(struct world_result *r, const char *dev)
{
    static const char *const devices[] = { "null", "zero", "full", "random", "urandom", "tty" };
    static const struct { const char *target, *path; } links[] = {
        { "/proc/self/fd", "/dev/fd" }, { "/proc/self/fd/0", "/dev/stdin" },
        { "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" },
        { "pts/ptmx", "/dev/ptmx" },
    };
    enum { NDEV = sizeof devices / sizeof devices[0] };
    int tree[NDEV];
    char path[64];
    size_t i;
    int ok = 0;

    for (i = 0; i < NDEV; i++) {
        snprintf(path, sizeof path, "/dev/%s", devices[i]);
        tree[i] = (int)syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | O_CLOEXEC);
        if (tree[i] == -1 && errno != ENOENT) {   /* no /dev/tty in some containers */
            world_fail(r, "take the machine's device nodes (open_tree)");
            goto out;
        }
    }
    if (mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=256k") == -1) {
        world_fail(r, "mount tmpfs on /dev");
        goto out;
    }
    for (i = 0; i < NDEV; i++) {
        int fd;
        if (tree[i] == -1)
            continue;
        snprintf(path, sizeof path, "%s/%s", dev, devices[i]);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd == -1 || close(fd) == -1 ||
            syscall(SYS_move_mount, tree[i], "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) == -1 ||
            mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NOEXEC, NULL) == -1) {
            world_fail(r, "bind a device node into /dev");
            goto out;
        }
    }
    for (i = 0; i < sizeof links / sizeof links[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dev, links[i].path + 5);   /* (after "/dev/") */
        if (symlink(links[i].target, path) == -1) {
            world_fail(r, "symlink in /dev");
            goto out;
        }
    }
    if (mkdirat_in(dev, "pts", 0755) == -1 || mkdirat_in(dev, "shm", 01777) == -1 ||
        mkdirat_in(dev, "mqueue", 01777) == -1) {
        world_fail(r, "mkdir in /dev");
        goto out;
    }
    if (mount(NULL, dev, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC, NULL) == -1) {
        world_fail(r, "make /dev read-only");
        goto out;
    }
    ok = 1;
out:
    for (i = 0; i < NDEV; i++)
        if (tree[i] != -1)
            close(tree[i]);
    return ok ? 0 : -1;
}

/* Stage A's handle on the tree that lab 10's root is copied from (-1: none). */
static int rootfs_fd = -1;

/* Copy an open file to a new file `name` of folder dir (or AT_FDCWD), with
 * the given mode. */
static int copy_file(int from, int dir, const char *name, mode_t mode)
{
    struct stat st;
    off_t offset = 0;
    int to;

    if (fstat(from, &st) == -1)
        return -1;
    to = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (to == -1)
        return -1;
    while (offset < st.st_size)
        if (sendfile(to, from, &offset, (size_t)(st.st_size - offset)) <= 0)
            break;
    if (offset < st.st_size || fchmod(to, mode) == -1) {
        close(to);
        return -1;
    }
    return close(to);
}

/* Copy an open file to path, with this mode. */
static int copy_in(int from, const char *path, mode_t mode)
{
    return copy_file(from, AT_FDCWD, path, mode);
}

#define KIT_FILES 16

/* What stage A copies into the world, opened first, with the privilege of
 * whoever makes the world, before anything covers the machine's files: a
 * checkout in a private home directory, or under the machine's /tmp (a CI
 * clone), is found all the same; the world itself sees none of it. */
static struct {
    const char *names[KIT_FILES];   /* the probe, the lab, the spec's other files */
    int fds[KIT_FILES];
    size_t n;
} kit = { .n = 0 };

/* Open the files that go into WORLD_KIT_DIR, and the tree lab 10's root is
 * copied from; 0, or -1 with the one that failed named. */
static int open_kit_files(struct world_result *r, const struct world_spec *spec)
{
    static char probe[PATH_MAX];   /* (helper_path's answer lasts until its next call) */
    size_t i;

    kit.n = 0;
    snprintf(probe, sizeof probe, "%s", helper_path("nslab-probe"));
    kit.names[kit.n++] = probe;
    if (spec->lab_file)
        kit.names[kit.n++] = spec->lab_file;
    for (i = 0; spec->files && spec->files[i] && kit.n < KIT_FILES; i++)
        kit.names[kit.n++] = spec->files[i];
    for (i = 0; i < KIT_FILES; i++)
        kit.fds[i] = -1;
    for (i = 0; i < kit.n; i++) {
        kit.fds[i] = open(kit.names[i], O_RDONLY | O_CLOEXEC);
        if (kit.fds[i] == -1) {
            char step[PATH_MAX + 32];
            snprintf(step, sizeof step, "open %s to copy it into the world", kit.names[i]);
            return world_fail(r, step);
        }
    }
    /* A file the caller opened itself (a submission's source, checked to be
     * a plain file): our own descriptor of it, under its given name. */
    if (spec->source_name && kit.n < KIT_FILES) {
        kit.fds[kit.n] = fcntl(spec->source_fd, F_DUPFD_CLOEXEC, 0);
        kit.names[kit.n] = spec->source_name;
        if (kit.fds[kit.n++] == -1)
            return world_fail(r, "take the source to copy into the world");
    }
    if (spec->root == ROOT_ROOTFS) {
        const char *tree = getenv("NSLAB_ROOTFS") && *getenv("NSLAB_ROOTFS") ? getenv("NSLAB_ROOTFS")
                                                                                : helper_path("rootfs");
        rootfs_fd = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfs_fd == -1 || faccessat(rootfs_fd, "bin/busybox", X_OK, 0) == -1) {
            char step[PATH_MAX + 128];
            snprintf(step, sizeof step, "open lab 10's root filesystem %s (make rootfs builds it)", tree);
            return world_fail(r, step);
        }
    }
    return 0;
}

/* The scratch /tmp at `tmp`, with the kit's files in its nslab/ (WORLD_KIT_DIR
 * in the world): the probe, the lab under its own name, the spec's others. */
static int make_tmp(struct world_result *r, const struct world_spec *spec, const char *tmp)
{
    char path[PATH_MAX];
    size_t i;

    if (mount("tmpfs", tmp, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=64m") == -1)
        return world_fail(r, "mount scratch tmpfs on /tmp");
    if (mkdirat_in(tmp, "nslab", 0755) == -1)
        return world_fail(r, "mkdir " WORLD_KIT_DIR);
    for (i = 0; i < kit.n; i++) {
        const char *base = strrchr(kit.names[i], '/');
        snprintf(path, sizeof path, "%s/nslab/%s", tmp, base ? base + 1 : kit.names[i]);
        if (copy_in(kit.fds[i], path, strcmp(kit.names[i], spec->source_name ? spec->source_name : "") ? 0755 : 0644) == -1)
            return world_fail(r, "copy the lab and the probe into the world's /tmp");
        close(kit.fds[i]);
        kit.fds[i] = -1;
    }
    /* Lab 10's root: W mounts a tmpfs here and fills it (fs_make_root). */
    snprintf(path, sizeof path, "%s/nslab/root", tmp);
    if (spec->root != ROOT_NONE && mkdir(path, 0755) == -1)
        return world_fail(r, "mkdir " WORLD_ROOT_DIR);
    return 0;
}

/* The world's new root, built here before W0 pivots into it (a folder of
 * W0's own mount namespace: nothing of it is seen outside). */
#define NEW_ROOT "/tmp"

/* The system's folders the world sees, read-only (each where it is on the
 * machine: a folder is bound, a link such as bin -> usr/bin made again). */
static const char *const system_dirs[] = { "bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr", "etc" };
/* The rest of a host's tree, empty: mount points and the usual names. */
static const char *const empty_dirs[] = { "proc", "sys", "dev", "tmp", "run", "mnt", "media", "home", "root",
                                          "var", "srv", "opt" };

/* world_fail with "STEP WHERE" as the step (errno kept). */
static int fail_in(struct world_result *r, const char *step, const char *where)
{
    int e = errno;
    char what[256];

    snprintf(what, sizeof what, "%s %s", step, where);
    errno = e;
    return world_fail(r, what);
}

/* The system's programs and libraries (system_dirs) in root: each folder
 * bound, with what is mounted under it; each link of a merged /usr made
 * again. where: the root, as messages name it. */
static int bind_system_dirs_into(struct world_result *r, const char *root, const char *where)
{
    char to[PATH_MAX], from[64];
    size_t i;

    for (i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++) {
        struct stat st;
        snprintf(from, sizeof from, "/%s", system_dirs[i]);
        snprintf(to, sizeof to, "%s/%s", root, system_dirs[i]);
        if (lstat(from, &st) == -1)
            continue;
        if (S_ISLNK(st.st_mode)) {   /* merged /usr: bin -> usr/bin */
            char target[PATH_MAX];
            ssize_t n = readlink(from, target, sizeof target - 1);
            if (n < 0)
                return world_fail(r, "read a symbolic link of /");
            target[n] = '\0';
            if (symlink(target, to) == -1)
                return fail_in(r, "link in", where);
        } else if (S_ISDIR(st.st_mode) &&
                   (mkdir(to, 0755) == -1 || mount(from, to, NULL, MS_BIND | MS_REC, NULL) == -1)) {
            return fail_in(r, "bind the system's programs into", where);
        }
    }
    return 0;
}

static int bind_system_dirs(struct world_result *r)
{
    char to[PATH_MAX];
    size_t i;

    if (bind_system_dirs_into(r, NEW_ROOT, "the world's root") == -1)
        return -1;
    for (i = 0; i < sizeof empty_dirs / sizeof empty_dirs[0]; i++) {
        snprintf(to, sizeof to, NEW_ROOT "/%s", empty_dirs[i]);
        if (mkdir(to, strcmp(empty_dirs[i], "tmp") ? 0755 : 01777) == -1)
            return world_fail(r, "mkdir in the world's root");
    }
    return 0;
}

/* A kit checkout or submission that lies inside a system folder (a kit in
 * /usr/local/src, say) is covered by an empty folder: the world sees none. */
static int hide_kit(struct world_result *r)
{
    char checkout[PATH_MAX], path[PATH_MAX + 16];
    size_t i;

    if (!realpath(helper_path(".."), checkout))
        return 0;
    for (i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++) {
        char dir[64];
        snprintf(dir, sizeof dir, "/%s", system_dirs[i]);
        if (!under(checkout, dir))
            continue;
        snprintf(path, sizeof path, NEW_ROOT "%s", checkout);
        if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0") == -1 &&
            errno != ENOENT)
            return world_fail(r, "hide the kit from the world");
    }
    return 0;
}

/* /proc and /sys of W0's own PID and network namespaces, fully visible: the
 * kernel lets W (in a user namespace) mount the world's own only where such
 * ones are; and under the world's they show no process or link of the
 * machine, only W0's namespaces. */
static int own_proc_and_sys(struct world_result *r)
{
    if (mount("proc", NEW_ROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
        return world_fail(r, errno == EPERM ? "mount a /proc for the world (the machine's /proc has masked paths, "
                                              "as in a container without --privileged)" : "mount a /proc for the world");
    if (mount("sysfs", NEW_ROOT "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
        return world_fail(r, "mount a /sys for the world");
    return 0;
}

/* Into the new root; the machine's goes (lazily: a lab can reach none of it). */
static int pivot_into_new_root(struct world_result *r)
{
    if (chdir(NEW_ROOT) == -1 || syscall(SYS_pivot_root, ".", ".") == -1)
        return world_fail(r, "pivot_root into the world's root");
    if (umount2(".", MNT_DETACH) == -1 || chdir("/") == -1)
        return world_fail(r, "let the machine's root go");
    /* The root's own tmpfs read-only too: the world writes only to /tmp,
     * /dev/shm and what it mounts. */
    if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) == -1)
        return world_fail(r, "make the world's root read-only");
    return 0;
}

int fs_prepare_view(struct world_result *r, const struct world_spec *spec)
{
    /* Cut our copy of the mount table off from the real machine first:
     * from here on nothing we or the lab mount can reach it. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
        return world_fail(r, "make mounts private");
    /* What the world gets of the machine's is opened first: the new root
     * covers /tmp, where a kit cloned by CI may live. */
    if (open_kit_files(r, spec) == -1)
        return -1;
    if (mount("tmpfs", NEW_ROOT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=1m") == -1)
        return world_fail(r, "mount a tmpfs for the world's root");
    if (bind_system_dirs(r) || hide_kit(r) || own_proc_and_sys(r) || make_dev(r, NEW_ROOT "/dev") ||
        make_tmp(r, spec, NEW_ROOT "/tmp") || remount_readonly(r, NEW_ROOT))
        return -1;
    return pivot_into_new_root(r);
}

/* ---- Stage B (in W) ------------------------------------------------- */

static void loopback_up(void)
{
    struct ifreq ifr;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    if (s == -1)
        return;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
        ifr.ifr_flags |= IFF_UP;
        ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    close(s);
}

int fs_world_mounts(struct world_result *r, int *proc)
{
    char host[32] = "nslab-host-";

    rand_hex(host + strlen(host), 6);
    if (sethostname(host, strlen(host)) == -1)
        return world_fail(r, "sethostname");
    /* A user namespace may mount proc and sysfs only where the machine's
     * are fully visible (no file masked, as Docker masks /proc/kcore). */
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
        return world_fail(r, errno == EPERM ? "mount /proc (the machine's /proc has masked paths, "
                                              "as in a container without --privileged)" : "mount /proc");
    /* W's own view of it is a second mount of the same proc, attached
     * nowhere: a lab (root of the world, in W's mount namespace) may mount
     * on /proc/PID/ns or /proc/sysvipc, and W sees none of it. Before Linux
     * 5.2 (no fsmount), a handle on /proc: a mount on /proc itself cannot
     * cover that, one below it can. */
    *proc = detached_mount("proc", NULL, 0);
    if (*proc == -1 && errno != ENOSYS)
        return world_fail(r, "mount a detached /proc for the harness (fsmount)");
    if (*proc == -1)
        *proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (*proc == -1)
        return world_fail(r, "open /proc");
    if (mount("sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
        return world_fail(r, "mount /sys");
    if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620") == -1)
        return world_fail(r, "mount devpts");
    if (mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=64m") == -1)
        return world_fail(r, "mount tmpfs on /dev/shm");
    if (mount("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
        return world_fail(r, "mount mqueue");
    return 0;
}

int fs_share_everything(struct world_result *r)
{
    /* As on a systemd host, every mount is shared: a lab's new mount
     * namespace starts as a peer, and its careless mounts come back here. */
    if (mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL) == -1)
        return world_fail(r, "make mounts shared");
    loopback_up();
    return 0;
}

/* ---- Lab 10's root (in W) ---------------------------------------------- */

/* Copy the tree below dir `from` into dir `to` (files, folders, symbolic
 * links, with their modes), owned by uid:gid. */
static int copy_tree(int from, int to, uid_t uid, gid_t gid)
{
    int dup_from = dup(from), ok = 1;
    DIR *d = dup_from == -1 ? NULL : fdopendir(dup_from);
    struct dirent *e;

    if (!d) {
        if (dup_from != -1)
            close(dup_from);
        return -1;
    }
    while (ok && (e = readdir(d))) {
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (fstatat(from, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
            ok = 0;
        } else if (S_ISDIR(st.st_mode)) {
            int a, b;
            if (mkdirat(to, e->d_name, 0700) == -1)
                ok = 0;
            a = ok ? openat(from, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
            b = ok ? openat(to, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
            /* A folder we may not read (root's 0700 home) is made empty. */
            if (ok && b != -1 && (a != -1 || errno == EACCES))
                ok = a == -1 || copy_tree(a, b, uid, gid) == 0;
            else
                ok = 0;
            if (ok && fchmod(b, st.st_mode & 07777) == -1)
                ok = 0;
            if (a != -1)
                close(a);
            if (b != -1)
                close(b);
        } else if (S_ISLNK(st.st_mode)) {
            char target[PATH_MAX];
            ssize_t n = readlinkat(from, e->d_name, target, sizeof target - 1);
            if (n < 0)
                ok = 0;
            else {
                target[n] = '\0';
                ok = symlinkat(target, to, e->d_name) == 0;
            }
        } else if (S_ISREG(st.st_mode)) {
            int in = openat(from, e->d_name, O_RDONLY | O_CLOEXEC);
            ok = in != -1 && copy_file(in, to, e->d_name, st.st_mode & 07777) == 0;
            if (in != -1)
                close(in);
        } else {
            continue;   /* no device node or socket in a root filesystem tree */
        }
        if (ok && fchownat(to, e->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) == -1)
            ok = 0;
    }
    closedir(d);
    return ok ? 0 : -1;
}

/* ROOT_HOST: the host's programs and libraries, read-only (they are locked
 * so already), and the world's /tmp, where checks put their scripts. */
static int host_like_root(struct world_result *r)
{
    static const char *const empty[] = { "proc", "sys", "dev", "root", "run", "tmp" };
    char to[PATH_MAX];
    size_t i;

    if (bind_system_dirs_into(r, WORLD_ROOT_DIR, "lab 10's root") == -1)
        return -1;
    for (i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        snprintf(to, sizeof to, "%s/%s", WORLD_ROOT_DIR, empty[i]);
        if (mkdir(to, 0755) == -1)
            return world_fail(r, "mkdir in lab 10's root");
    }
    if (mount("/tmp", WORLD_ROOT_DIR "/tmp", NULL, MS_BIND, NULL) == -1)
        return world_fail(r, "bind the world's /tmp into lab 10's root");
    return 0;
}

int fs_make_root(struct world_result *r, const struct world_spec *spec)
{
    uid_t uid = spec->as_user.uid ? spec->as_user.uid : WORLD_USER_FIRST;
    gid_t gid = spec->as_user.uid ? spec->as_user.gid : WORLD_USER_FIRST;
    int to, probe, ok;

    if (spec->root == ROOT_NONE)
        return 0;
    /* Not nosuid: lab 10 shows that no_new_privs, not the mount, stops a
     * set-user-ID program (its owner is an ID of the world, no more). */
    if (mount("tmpfs", WORLD_ROOT_DIR, "tmpfs", MS_NODEV, "mode=755,size=64m") == -1)
        return world_fail(r, "mount a tmpfs for lab 10's root");
    /* A lab may make a put_old folder in the root it pivots into. The
     * checks of labs 01-09 map the container's root to IDs of their own
     * (--uid-map): there, anyone may, as in /tmp; lab 10's own root is the
     * container's root's, as an image unpacked for it. */
    if (spec->root == ROOT_HOST)
        return chmod(WORLD_ROOT_DIR, 01777) == -1 ? world_fail(r, "chmod lab 10's root") : host_like_root(r);
    /* ROOT_ROOTFS: the container's root owns its filesystem, as in an
     * image unpacked for a user namespace (the world must have that ID). */
    if (r->users == 0) {
        errno = EINVAL;
        return world_fail(r, "own lab 10's root by the container's root: this world has no IDs besides its root");
    }
    to = open(WORLD_ROOT_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ok = to != -1 && copy_tree(rootfs_fd, to, uid, gid) == 0 && fchown(to, uid, gid) == 0;
    /* The probe where every check expects it, inside the new root too. */
    probe = open(WORLD_KIT_DIR "/nslab-probe", O_RDONLY | O_CLOEXEC);
    ok = ok && probe != -1 && mkdirat(to, "tmp/nslab", 0755) == 0 &&
         copy_in(probe, WORLD_ROOT_DIR WORLD_KIT_DIR "/nslab-probe", 0755) == 0;
    if (probe != -1)
        close(probe);
    if (to != -1)
        close(to);
    close(rootfs_fd);
    rootfs_fd = -1;
    return ok ? 0 : world_fail(r, "copy lab 10's root filesystem into the world");
}
