/* The world's filesystem.
 *
 * Stage A, fs_prepare_view(), runs in W0, with the privilege of whoever made
 * the world (root, or the user's own first user namespace): it cuts the mount
 * table off from the machine, builds a /dev of bind-mounted device nodes (a
 * user namespace cannot mknod), mounts a scratch /tmp holding copies of the
 * lab and the probe (so that a checkout in a private home directory, or a
 * binary of mode 0700, still runs), and makes every other mount read-only.
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

/* Make every inherited mount read-only but the ones the world replaces: /proc
 * (the world mounts its own on top; a read-only one below would force the
 * world's to be read-only too), and /dev and /tmp (hidden under new ones). */
static int remount_readonly(struct world_result *r, char *mountinfo)
{
    char *save = NULL, *line;

    for (line = strtok_r(mountinfo, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char target[PATH_MAX], opts[512];
        if (sscanf(line, "%*s %*s %*s %*s %4095s %511s", target, opts) != 2)
            continue;
        unescape(target);
        if (under(target, "/proc") || under(target, "/dev") || under(target, "/tmp"))
            continue;
        if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | mount_flags(opts), NULL) == -1 &&
            errno != ENOENT && errno != EACCES) {   /* hidden under another mount, or out of reach */
            char step[PATH_MAX + 64];
            snprintf(step, sizeof step, "make %s read-only", target);
            return world_fail(r, step);
        }
    }
    return 0;
}

/* A /dev with only the harmless devices, as bwrap --dev makes it: each node
 * is a bind mount of the machine's own, taken (open_tree) before the new
 * tmpfs covers them. */
static int make_dev(struct world_result *r)
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
    if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=256k") == -1) {
        world_fail(r, "mount tmpfs on /dev");
        goto out;
    }
    for (i = 0; i < NDEV; i++) {
        int fd;
        if (tree[i] == -1)
            continue;
        snprintf(path, sizeof path, "/dev/%s", devices[i]);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd == -1 || close(fd) == -1 ||
            syscall(SYS_move_mount, tree[i], "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) == -1 ||
            mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NOEXEC, NULL) == -1) {
            world_fail(r, "bind a device node into /dev");
            goto out;
        }
    }
    for (i = 0; i < sizeof links / sizeof links[0]; i++)
        if (symlink(links[i].target, links[i].path) == -1) {
            world_fail(r, "symlink in /dev");
            goto out;
        }
    if (mkdir("/dev/pts", 0755) == -1 || mkdir("/dev/shm", 01777) == -1 || mkdir("/dev/mqueue", 01777) == -1 ||
        chmod("/dev/shm", 01777) == -1 || chmod("/dev/mqueue", 01777) == -1) {
        world_fail(r, "mkdir in /dev");
        goto out;
    }
    if (mount(NULL, "/dev", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC, NULL) == -1) {
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

/* Copy an open file to path, executable by everyone. */
static int copy_in(int from, const char *path)
{
    return copy_file(from, AT_FDCWD, path, 0755);
}

/* Open the files that go into WORLD_KIT_DIR (the lab, the spec's other
 * files, the probe) into fds[], NULL-named ones left -1; 0, or -1 with the
 * failed one named. */
static int open_kit_files(struct world_result *r, const struct world_spec *spec, int *fds, const char **names,
                          size_t max, size_t *n)
{
    static char probe[PATH_MAX];   /* (helper_path's answer lasts until its next call) */
    size_t i;

    *n = 0;
    snprintf(probe, sizeof probe, "%s", helper_path("nslab-probe"));
    names[(*n)++] = probe;
    if (spec->lab_file)
        names[(*n)++] = spec->lab_file;
    for (i = 0; spec->files && spec->files[i] && *n < max; i++)
        names[(*n)++] = spec->files[i];
    for (i = 0; i < *n; i++) {
        fds[i] = open(names[i], O_RDONLY | O_CLOEXEC);
        if (fds[i] == -1) {
            char step[PATH_MAX + 32];
            snprintf(step, sizeof step, "open %s to copy it into the world", names[i]);
            return world_fail(r, step);
        }
    }
    return 0;
}

#define KIT_FILES 16

/* The scratch /tmp, with the kit's programs in WORLD_KIT_DIR: the probe, the
 * lab under its own name, and the spec's other files. They are opened before
 * the tmpfs goes on, so a kit that lives under the machine's /tmp (a CI
 * clone) is found too. */
static int make_tmp(struct world_result *r, const struct world_spec *spec)
{
    const char *names[KIT_FILES];
    char path[PATH_MAX];
    int fds[KIT_FILES], ok = 0;
    size_t n = 0, i;

    for (i = 0; i < KIT_FILES; i++)
        fds[i] = -1;
    if (open_kit_files(r, spec, fds, names, KIT_FILES, &n) == -1)
        goto out;
    /* The tree lab 10's root is copied from, opened now too, with our
     * privilege: a checkout in a private home directory is out of the
     * world's reach. */
    if (spec->root == ROOT_ROOTFS) {
        const char *tree = getenv("NSLAB_ROOTFS") && *getenv("NSLAB_ROOTFS") ? getenv("NSLAB_ROOTFS")
                                                                                : helper_path("rootfs");
        rootfs_fd = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfs_fd == -1 || faccessat(rootfs_fd, "bin/busybox", X_OK, 0) == -1) {
            char step[PATH_MAX + 128];
            snprintf(step, sizeof step, "open lab 10's root filesystem %s (make rootfs builds it)", tree);
            world_fail(r, step);
            goto out;
        }
    }
    if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=64m") == -1) {
        world_fail(r, "mount scratch tmpfs on /tmp");
        goto out;
    }
    if (mkdir(WORLD_KIT_DIR, 0755) == -1) {
        world_fail(r, "mkdir " WORLD_KIT_DIR);
        goto out;
    }
    for (i = 0; i < n; i++) {
        const char *base = strrchr(names[i], '/');
        snprintf(path, sizeof path, "%s/%s", WORLD_KIT_DIR, base ? base + 1 : names[i]);
        if (copy_in(fds[i], path) == -1) {
            world_fail(r, "copy the lab and the probe into the world's /tmp");
            goto out;
        }
    }
    /* Lab 10's root: W mounts a tmpfs here and fills it (fs_make_root). */
    if (spec->root != ROOT_NONE && mkdir(WORLD_ROOT_DIR, 0755) == -1) {
        world_fail(r, "mkdir " WORLD_ROOT_DIR);
        goto out;
    }
    ok = 1;
out:
    for (i = 0; i < n; i++)
        if (fds[i] != -1)
            close(fds[i]);
    return ok ? 0 : -1;
}

int fs_prepare_view(struct world_result *r, const struct world_spec *spec)
{
    char *mountinfo;
    int ret;

    /* Cut our copy of the mount table off from the real machine first:
     * from here on nothing we or the lab mount can reach it. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
        return world_fail(r, "make mounts private");
    mountinfo = read_whole(AT_FDCWD, "/proc/self/mountinfo");
    if (!mountinfo)
        return world_fail(r, "read /proc/self/mountinfo");
    ret = make_dev(r) || make_tmp(r, spec) || remount_readonly(r, mountinfo) ? -1 : 0;
    free(mountinfo);
    return ret;
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
    static const char *const bound[] = { "bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr", "etc" };
    static const char *const empty[] = { "proc", "sys", "dev", "root", "run", "tmp" };
    char from[64], to[PATH_MAX];
    size_t i;

    for (i = 0; i < sizeof bound / sizeof bound[0]; i++) {
        struct stat st;
        snprintf(from, sizeof from, "/%s", bound[i]);
        snprintf(to, sizeof to, "%s/%s", WORLD_ROOT_DIR, bound[i]);
        if (lstat(from, &st) == -1)
            continue;
        if (S_ISLNK(st.st_mode)) {   /* merged /usr: bin -> usr/bin */
            char target[PATH_MAX];
            ssize_t n = readlink(from, target, sizeof target - 1);
            if (n < 0)
                return world_fail(r, "read a symbolic link of /");
            target[n] = '\0';
            if (symlink(target, to) == -1)
                return world_fail(r, "link in lab 10's root");
        } else if (S_ISDIR(st.st_mode) &&
                   (mkdir(to, 0755) == -1 || mount(from, to, NULL, MS_BIND | MS_REC, NULL) == -1)) {
            return world_fail(r, "bind the host's programs into lab 10's root");
        }
    }
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
         copy_in(probe, WORLD_ROOT_DIR WORLD_KIT_DIR "/nslab-probe") == 0;
    if (probe != -1)
        close(probe);
    if (to != -1)
        close(to);
    close(rootfs_fd);
    rootfs_fd = -1;
    return ok ? 0 : world_fail(r, "copy lab 10's root filesystem into the world");
}
