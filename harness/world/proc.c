/* Looking at the world: its /proc (through W's own handle, which a lab's
 * mounts cannot cover), its processes and namespaces, and the parts of the
 * snapshots of its host state that /proc shows (world.c puts them together).
 * Nothing here changes the world, and nothing here calls another file of it. */
#define _GNU_SOURCE
#include "world_int.h"
#include "util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001
#define FSCONFIG_SET_FLAG 0
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_CMD_CREATE 6
#define FSMOUNT_CLOEXEC 0x00000001
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
#define MOUNT_ATTR_NOEXEC 0x00000008
#endif

static const char *const ns_names[NS_COUNT] = { "uts", "ipc", "mnt", "net", "pid", "user", "cgroup", "time" };

const char *ns_name(enum ns_type t)
{
    return t < NS_COUNT ? ns_names[t] : "?";
}

/* W's own handle on the world's /proc: a proc of the world's PID namespace
 * mounted nowhere (detached_mount), which no mount of a lab's can cover, on
 * it or anywhere below it (a lab runs in W's own mount namespace and may
 * mount on /proc/PID/ns or /proc/sysvipc of the world's /proc). Outside W
 * (the harness itself) it is -1 and the paths are under /proc. */
static int proc_fd = -1;

void proc_use(int fd)
{
    proc_fd = fd;
}

int detached_mount(const char *fstype, const char *options, int read_only)
{
    char copy[256], *save = NULL, *option;
    int fs = (int)syscall(SYS_fsopen, fstype, FSOPEN_CLOEXEC), mnt = -1, ok = fs != -1;

    snprintf(copy, sizeof copy, "%s", options ? options : "");
    for (option = ok ? strtok_r(copy, ",", &save) : NULL; option && ok; option = strtok_r(NULL, ",", &save)) {
        char *value = strchr(option, '=');
        if (value)
            *value++ = '\0';
        ok = syscall(SYS_fsconfig, fs, value ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, option, value, 0) == 0;
    }
    if (ok && syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
        mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
                           (read_only ? MOUNT_ATTR_RDONLY : 0));
    if (fs != -1) {
        int err = errno;
        close(fs);
        errno = err;
    }
    return mnt;
}

pid_t process_parent(pid_t pid, char *state);

/* The path of `rel` under the world's proc, for the *at() calls. */
static int proc_dir(const char *rel, char *path, size_t n)
{
    snprintf(path, n, proc_fd == -1 ? "/proc/%s" : "%s", rel);
    return proc_fd == -1 ? AT_FDCWD : proc_fd;
}

ssize_t proc_read(const char *rel, char *buf, size_t n)
{
    char path[256];
    int dir = proc_dir(rel, path, sizeof path);

    return read_file_at(dir, path, buf, n);
}

int proc_open(const char *rel, int flags)
{
    char path[256];
    int dir = proc_dir(rel, path, sizeof path);

    return openat(dir, path, flags | O_CLOEXEC);
}

static char *proc_whole(const char *rel)
{
    char path[256];
    int dir = proc_dir(rel, path, sizeof path);

    return read_whole(dir, path);
}

double clock_gap_now(void)
{
    struct timespec real, mono;

    clock_gettime(CLOCK_REALTIME, &real);
    clock_gettime(CLOCK_BOOTTIME, &mono);   /* counts a suspend too: that is no change */
    return (double)(real.tv_sec - mono.tv_sec) + (double)(real.tv_nsec - mono.tv_nsec) / 1e9;
}

unsigned long ns_inode(pid_t pid, enum ns_type t)
{
    char rel[64], path[256], link[64];
    ssize_t n;
    const char *open_bracket;
    int dir;

    snprintf(rel, sizeof rel, "%d/ns/%s", (int)(pid ? pid : getpid()), ns_names[t]);
    dir = proc_dir(rel, path, sizeof path);
    n = readlinkat(dir, path, link, sizeof link - 1);
    if (n <= 0)
        return 0;
    link[n] = '\0';
    open_bracket = strchr(link, '[');
    return open_bracket ? strtoul(open_bracket + 1, NULL, 10) : 0;
}

/* Call fn for each process of the world but PID 1 (W itself). */
static void for_each_process(void (*fn)(pid_t pid, const char *comm, void *arg), void *arg)
{
    char path[256];
    int dir = proc_dir(".", path, sizeof path);
    DIR *d = opendir_at(dir, path);
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d))) {
        char rel[300], comm[64];
        pid_t pid = (pid_t)atoi(e->d_name);
        if (pid <= 1)
            continue;
        snprintf(rel, sizeof rel, "%d/comm", (int)pid);
        if (proc_read(rel, comm, sizeof comm) < 0)
            continue;   /* it went away */
        comm[strcspn(comm, "\n")] = '\0';
        fn(pid, comm, arg);
    }
    closedir(d);
}

struct finder { const char *comm; pid_t found; };

static void match_comm(pid_t pid, const char *comm, void *arg)
{
    struct finder *f = arg;

    if (!f->found && strcmp(comm, f->comm) == 0)
        f->found = pid;
}

pid_t find_process(const char *comm)
{
    struct finder f = { comm, 0 };

    for_each_process(match_comm, &f);
    return f.found;
}

/* Is pid running one of the files (dev, ino) of `files`? By /proc/PID/exe:
 * the file it executed, whatever it calls itself. */
int runs_one_of(pid_t pid, const struct file_id *files, int n)
{
    char rel[64], path[256];
    struct stat st;
    int dir, i;

    snprintf(rel, sizeof rel, "%d/exe", (int)pid);
    dir = proc_dir(rel, path, sizeof path);
    if (fstatat(dir, path, &st, 0) == -1)
        return 0;
    for (i = 0; i < n; i++)
        if (st.st_dev == files[i].dev && st.st_ino == files[i].ino)
            return 1;
    return 0;
}

struct program_search { const struct file_id *files; int n; pid_t found[64]; int count; };

static void match_program(pid_t pid, const char *comm, void *arg)
{
    struct program_search *p = arg;
    char state = '?';

    (void)comm;
    if (p->count < 64 && process_parent(pid, &state) && state != 'Z' && runs_one_of(pid, p->files, p->n))
        p->found[p->count++] = pid;
}

pid_t find_program(const struct file_id *files, int n, int *copies)
{
    struct program_search p = { files, n, { 0 }, 0 };
    pid_t first = 0;
    int i, j, top = 0;

    for_each_process(match_program, &p);
    /* A copy whose ancestor is a copy too is that one's child (the probe
     * forks): only the topmost count. */
    for (i = 0; i < p.count; i++) {
        pid_t up = p.found[i];
        char state;
        int nested = 0;
        while (!nested && (up = process_parent(up, &state)) > 1)
            for (j = 0; j < p.count; j++)
                nested |= p.found[j] == up;
        if (!nested && !top++)
            first = p.found[i];
    }
    *copies = top;
    return first;
}

struct holder_search { int fd; ino_t pipe; pid_t found; int depth; };

static void match_holder(pid_t pid, const char *comm, void *arg)
{
    struct holder_search *h = arg;
    char rel[64], path[256], link[64], want[64], state;
    int dir, depth = 0;
    pid_t up = pid;
    ssize_t n;

    (void)comm;
    snprintf(rel, sizeof rel, "%d/fd/%d", (int)pid, h->fd);
    dir = proc_dir(rel, path, sizeof path);
    snprintf(want, sizeof want, "pipe:[%lu]", (unsigned long)h->pipe);
    if ((n = readlinkat(dir, path, link, sizeof link - 1)) <= 0)
        return;
    link[n] = '\0';
    if (strcmp(link, want) != 0)
        return;
    while ((up = process_parent(up, &state)) > 1 && depth < 4096)
        depth++;
    if (!h->found || depth > h->depth) {
        h->found = pid;
        h->depth = depth;
    }
}

pid_t deepest_holder(int fd, ino_t pipe)
{
    struct holder_search h = { fd, pipe, 0, 0 };

    for_each_process(match_holder, &h);
    return h.found;
}

pid_t process_parent(pid_t pid, char *state)
{
    char rel[64], text[512], *close_paren;
    int ppid = 0;

    snprintf(rel, sizeof rel, "%d/stat", (int)pid);
    if (proc_read(rel, text, sizeof text) <= 0)
        return 0;
    /* "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses. */
    close_paren = strrchr(text, ')');
    if (!close_paren || sscanf(close_paren + 1, " %c %d", state, &ppid) != 2)
        return 0;
    return (pid_t)ppid;
}

struct zombies { unsigned long ns; int count; };

static void count_one_zombie(pid_t pid, const char *comm, void *arg)
{
    struct zombies *z = arg;
    char state = '?';

    (void)comm;
    if (process_parent(pid, &state) && state == 'Z' && ns_inode(pid, NS_PID) == z->ns)
        z->count++;
}

int count_zombies(unsigned long ns)
{
    struct zombies z = { ns, 0 };

    for_each_process(count_one_zombie, &z);
    return z.count;
}

struct procs { pid_t *pid, *ppid; char *state, (*comm)[16]; size_t n, cap; };

static void collect(pid_t pid, const char *comm, void *arg)
{
    struct procs *p = arg;
    char state = '?';
    pid_t ppid = process_parent(pid, &state);

    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 64;
        pid_t *a = realloc(p->pid, cap * sizeof *a), *b = a ? realloc(p->ppid, cap * sizeof *b) : NULL;
        char *c = b ? realloc(p->state, cap) : NULL;
        char (*d)[16] = c ? realloc(p->comm, cap * sizeof *d) : NULL;
        if (a)
            p->pid = a;
        if (b)
            p->ppid = b;
        if (c)
            p->state = c;
        if (!d)
            return;
        p->comm = d;
        p->cap = cap;
    }
    p->pid[p->n] = pid;
    p->ppid[p->n] = ppid;
    p->state[p->n] = state;
    snprintf(p->comm[p->n], 16, "%s", comm);
    p->n++;
}

static void procs_free(struct procs *p)
{
    free(p->pid);
    free(p->ppid);
    free(p->state);
    free(p->comm);
}

int find_processes(const char *comm, unsigned long pidns, pid_t *out, int max)
{
    struct procs p = { 0 };
    size_t i;
    int n = 0;

    for_each_process(collect, &p);
    for (i = 0; i < p.n && n < max; i++)
        if (strcmp(p.comm[i], comm) == 0 && p.state[i] != 'Z' && ns_inode(p.pid[i], NS_PID) == pidns)
            out[n++] = p.pid[i];
    procs_free(&p);
    return n;
}

pid_t lab_process_waiting_on_nothing(const char *comm)
{
    struct procs p = { 0 };
    pid_t found = 0;
    size_t i, j;

    for_each_process(collect, &p);
    for (i = 0; i < p.n && !found; i++) {
        int live_children = 0;
        /* Asleep (S): a lab busy working (R, D), however long, is not stuck. */
        if (strncmp(p.comm[i], comm, 15) != 0 || p.state[i] != 'S')
            continue;
        for (j = 0; j < p.n; j++)
            live_children += p.ppid[j] == p.pid[i] && p.state[j] != 'Z';
        if (!live_children)
            found = p.pid[i];
    }
    procs_free(&p);
    return found;
}

/* ---- Snapshots of the world's host state ---------------------------- */

static void snap_ipc(FILE *f, const char *kind)
{
    char rel[64], key[32], id[32], *text, *line, *save = NULL;

    snprintf(rel, sizeof rel, "sysvipc/%s", kind);
    text = proc_whole(rel);
    if (!text)
        return;
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (sscanf(line, "%31s %31s", key, id) == 2 && strcmp(key, "key") != 0)   /* not the header */
            fprintf(f, "ipc %s key=%s id=%s\n", kind, key, id);
    free(text);
}

static void snap_mounts(FILE *f)
{
    char rel[64], *text, *line, *save = NULL;

    snprintf(rel, sizeof rel, "%d/mountinfo", (int)getpid());
    text = proc_whole(rel);
    if (!text)
        return;
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        /* Drop the mount and parent IDs: "36 35 98:0 /root /mnt opts ..." */
        char *p = line;
        int skip;
        for (skip = 0; skip < 2 && p; skip++) {
            p = strchr(p, ' ');
            if (p)
                p++;
        }
        if (p)
            fprintf(f, "mount %s\n", p);
    }
    free(text);
}

static void snap_links(FILE *f)
{
    char rel[64], *text, *line, *save = NULL;

    snprintf(rel, sizeof rel, "%d/net/dev", (int)getpid());
    text = proc_whole(rel);
    if (!text)
        return;
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *colon = strchr(line, ':');
        char *name = line;
        if (!colon)
            continue;   /* the two header lines */
        *colon = '\0';
        while (*name == ' ')
            name++;
        fprintf(f, "link %s\n", name);
    }
    free(text);
}

/* The world's IPv4 and IPv6 addresses ("addr IFNAME ADDRESS"), from netlink
 * by getifaddrs(3), its IPv4 routes ("route IFNAME DEST MASK GATEWAY", hex
 * as /proc/net/route has them) and IPv6 routes ("route6 IFNAME DEST/LEN"). */
static void snap_addresses(FILE *f)
{
    struct ifaddrs *all, *a;
    char rel[64], *text, *line, *save = NULL;

    if (getifaddrs(&all) == 0) {
        for (a = all; a; a = a->ifa_next) {
            char host[INET6_ADDRSTRLEN] = "";
            int family = a->ifa_addr ? a->ifa_addr->sa_family : AF_UNSPEC;
            if (family == AF_INET)
                inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)a->ifa_addr)->sin_addr, host, sizeof host);
            else if (family == AF_INET6)
                inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)a->ifa_addr)->sin6_addr, host, sizeof host);
            if (host[0])
                fprintf(f, "addr %s %s\n", a->ifa_name, host);
        }
        freeifaddrs(all);
    }
    snprintf(rel, sizeof rel, "%d/net/route", (int)getpid());
    text = proc_whole(rel);
    for (line = text ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
        char ifname[32], dest[16], gateway[16], mask[16];
        if (sscanf(line, "%31s %15s %15s %*s %*s %*s %*s %15s", ifname, dest, gateway, mask) == 4 &&
            strcmp(ifname, "Iface") != 0)
            fprintf(f, "route %s %s %s %s\n", ifname, dest, mask, gateway);
    }
    free(text);
    /* IPv6 routes (a veth brings link-local ones): "DEST LEN ... IFNAME". */
    snprintf(rel, sizeof rel, "%d/net/ipv6_route", (int)getpid());
    text = proc_whole(rel);
    save = NULL;
    for (line = text ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
        char dest[40], len[8], ifname[32];
        if (sscanf(line, "%39s %7s %*s %*s %*s %*s %*s %*s %*s %31s", dest, len, ifname) == 3)
            fprintf(f, "route6 %s %s/%s\n", ifname, dest, len);
    }
    free(text);
}

static void snap_one_process(pid_t pid, const char *comm, void *arg)
{
    fprintf((FILE *)arg, "process %d %s\n", (int)pid, comm);
}

/* One process's private memory, in pages: statm's resident less its
 * shared (file-backed and shmem) pages. */
static void add_private_pages(pid_t pid, const char *comm, void *arg)
{
    char rel[64], text[128];
    long size, resident, shared;

    (void)comm;
    snprintf(rel, sizeof rel, "%d/statm", (int)pid);
    if (proc_read(rel, text, sizeof text) > 0 && sscanf(text, "%ld %ld %ld", &size, &resident, &shared) == 3 &&
        resident > shared)
        *(long *)arg += resident - shared;
}

long proc_private_mb(void)
{
    long pages = 0, page_kb = sysconf(_SC_PAGESIZE) / 1024;

    for_each_process(add_private_pages, &pages);
    return pages * page_kb / 1024;
}

void proc_snapshot(FILE *f)
{
    for_each_process(snap_one_process, f);
}

void proc_snapshot_objects(FILE *f)
{
    snap_ipc(f, "msg");
    snap_ipc(f, "shm");
    snap_ipc(f, "sem");
    snap_mounts(f);
    snap_links(f);
    snap_addresses(f);
}
