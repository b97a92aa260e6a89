/* The witness: what W sees of the probe from outside, held against what the
 * probe's report says.
 *
 * The report reaches W through the lab: fd 3 is whatever the lab passes on,
 * so a lab can relay the probe's lines and rewrite them (say the hostname
 * inside is the one asked for, that the host's IPC objects are out of
 * reach, that its clock has the offset asked for). But the probe, once it
 * has reported, waits for W (fd 4), and W finds it by its file (run.c). So
 * W looks at the facts themselves: the probe's /proc files through W's own
 * proc (proc.c), and, in a child that enters the probe's UTS, IPC, network,
 * cgroup and user namespaces (setns(2) on its /proc/PID/ns files), what the
 * probe saw there. Every fact W can see is held against the report's line
 * with the same key, in that run's part of the report: a line that says
 * otherwise is replaced by what W saw, and the report is marked altered
 * (r->altered: the run fails, judge.c). What W cannot see (a connection
 * made, memory touched, a file written, a call refused) stays the report's.
 *
 * The keys, as the probe writes them (probe.c): always pid, ppid,
 * uname_nodename, proc_hostname, sigblk, sigign, argc, arg N; with --ns
 * ns_TYPE and cgroup_outside; with --status status_capeff, status_capbnd,
 * status_nonewprivs, status_filters; with --ids uid, euid, gid, uid_map,
 * gid_map, setgroups; with --ipc-probe KEY ipc_reach TYPE; with --ipc-make
 * KEY ipc_made TYPE; with --net the link and addr lines; with --clocks the
 * clocks, which must lie between the run's start and now, each moved by the
 * probe's own time namespace's offset; with --spin its CPU and wall times,
 * within what the kernel counts for the probe; with --catch the "caught N"
 * lines (after READY: a check's `during` sends the signals), against the
 * name the probe's handler gives it. W adds uname_domainname. */
#define _GNU_SOURCE
#include "world_int.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SEEN_CAP 8192          /* bytes of what W saw, "key\tvalue" lines */
#define CHILD_SECONDS 2.0      /* the child that enters the probe's namespaces ends by then */
#define CLOCK_SLACK 0.05       /* seconds: a clock read and printed to the microsecond (uptime: 1/100 s) */

/* What the probe was asked to report: its own command line, read from its
 * /proc/PID/cmdline (the lab may run it with other options than the
 * harness asked for, and forge the lines of those). */
struct asked {
    int ns, status, ids, net, clocks, spin, catch;
    const char *ipc_probe, *ipc_make;   /* hex keys */
    char *argv[64];
    int argc;
};

static void read_asked(char *cmdline, ssize_t n, struct asked *a)
{
    ssize_t i = 0;
    int k;

    memset(a, 0, sizeof *a);
    while (i < n && a->argc < 64) {
        a->argv[a->argc++] = cmdline + i;
        i += (ssize_t)strlen(cmdline + i) + 1;
    }
    for (k = 1; k < a->argc; k++) {
        const char *next = k + 1 < a->argc ? a->argv[k + 1] : NULL;
        a->ns |= !strcmp(a->argv[k], "--ns");
        a->status |= !strcmp(a->argv[k], "--status");
        a->ids |= !strcmp(a->argv[k], "--ids");
        a->net |= !strcmp(a->argv[k], "--net");
        a->clocks |= !strcmp(a->argv[k], "--clocks");
        a->spin |= !strcmp(a->argv[k], "--spin");
        a->catch |= !strcmp(a->argv[k], "--catch");
        if (!strcmp(a->argv[k], "--ipc-probe") && next && !a->ipc_probe)
            a->ipc_probe = next;
        if (!strcmp(a->argv[k], "--ipc-make") && next && !a->ipc_make)
            a->ipc_make = next;
    }
}

/* ---- The arguments the check gave the probe ----------------------------- */

/* The lab's command line of this run: the probe must run with arguments it
 * gives, or the lab chose what the probe reports (left out --catch, whose
 * lines it then forges; or dropped --ipc-probe and wrote those lines
 * itself). */
static char *const *given;

void witness_expect(char *const *argv)
{
    given = argv;
}

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash ? slash + 1 : path;
}

/* Do args[0..n) equal the words of `words` from its start up to a shell
 * separator (; & | < >)? Quotes around a word are dropped. */
static int script_words_match(const char *words, char *const *args, int n)
{
    char copy[1024], *save = NULL, *w;
    int k = 0;

    snprintf(copy, sizeof copy, "%s", words);
    for (w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
        size_t len;
        int last = 0;
        if (strpbrk(w, "&|<>"))
            break;
        while (*w == '\'' || *w == '"')
            w++;
        len = strlen(w);
        while (len && (w[len - 1] == '\'' || w[len - 1] == '"' || w[len - 1] == ';')) {
            last |= w[len - 1] == ';';
            w[--len] = '\0';
        }
        if (len && (k >= n || strcmp(w, args[k]) != 0))
            return 0;
        k += len > 0;
        if (last)
            break;
    }
    return k == n;
}

/* The probe's arguments (args[0..n): its command line less its name), as a
 * check gave them: after the probe's path in a command line, or after a
 * path or a variable in a shell script of one (a copy of the probe under
 * another name; "$0", the probe passed to sh -c). */
static int args_were_given(char *const *args, int n)
{
    int i, k;

    if (!given)
        return 1;
    for (i = 0; given[i]; i++) {
        const char *word = given[i];
        if (strcmp(base_of(word), "nslab-probe") == 0) {
            for (k = 0; k < n && given[i + 1 + k] && strcmp(given[i + 1 + k], args[k]) == 0; k++)
                ;
            if (k == n && !given[i + 1 + k])
                return 1;
        }
        if (strpbrk(word, " \t\n")) {
            const char *at;
            /* After a path, or a variable holding one ("$0") */
            for (at = word; (at = strpbrk(at, "/$")); at++)
                if ((at == word || strchr(" \t'\"", at[-1])) && script_words_match(at + strcspn(at, " \t\n"), args, n))
                    return 1;
        }
    }
    return 0;
}

/* One fact seen: "key\tvalue\n" into the seen text. */
static void saw(char *seen, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void saw(char *seen, const char *key, const char *fmt, ...)
{
    char value[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    appendf(seen, SEEN_CAP, "%s\t%s\n", key, value);
}

static double now_of(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The value of a "Field:\tvalue" line of a /proc/PID/status text, or "". */
static const char *status_field(const char *status, const char *field, char *out, size_t n)
{
    const char *p = status;
    size_t len = strlen(field);

    out[0] = '\0';
    while (p && *p) {
        if (strncmp(p, field, len) == 0 && p[len] == ':') {
            p += len + 1;
            while (*p == '\t' || *p == ' ')
                p++;
            snprintf(out, n, "%.*s", (int)strcspn(p, "\n"), p);
            break;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return out;
}

/* The words of a status field ("NSpid:\t42\t7\t1"): how many, and the last
 * (or the one at index `at`, when at >= 0). */
static int field_words(const char *value, int at, long *word)
{
    char copy[256], *save = NULL, *w;
    int n = 0;

    snprintf(copy, sizeof copy, "%s", value);
    for (w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save), n++)
        if (at < 0 || n == at)
            *word = atol(w);
    return n;
}

/* Facts of the probe's /proc files, read by W itself: its PID and its
 * parent's in its own PID namespace, its signals, capabilities, filters,
 * namespaces, arguments. */
static void see_status(pid_t pid, const struct asked *a, char *seen)
{
    char rel[64], status[4096] = "", value[256], parent[4096] = "";
    long nspid = 0, ppid_world = 0, ppid = 0;
    int depth, k;

    snprintf(rel, sizeof rel, "%d/status", (int)pid);
    if (proc_read(rel, status, sizeof status - 1) <= 0)
        return;
    depth = field_words(status_field(status, "NSpid", value, sizeof value), -1, &nspid);
    if (depth > 0)
        saw(seen, "pid", "%ld", nspid);
    /* getppid(): the parent's PID in the probe's own namespace, 0 when the
     * parent is in an ancestor (a PID namespace's first process). */
    ppid_world = atol(status_field(status, "PPid", value, sizeof value));
    snprintf(rel, sizeof rel, "%ld/status", ppid_world);
    if (depth > 0 && ppid_world > 0 && proc_read(rel, parent, sizeof parent - 1) > 0) {
        int parent_depth = field_words(status_field(parent, "NSpid", value, sizeof value), -1, &ppid);
        saw(seen, "ppid", "%ld", parent_depth == depth ? ppid : 0);
    }
    saw(seen, "sigblk", "%s", status_field(status, "SigBlk", value, sizeof value));
    saw(seen, "sigign", "%s", status_field(status, "SigIgn", value, sizeof value));
    if (a->status) {
        saw(seen, "status_capeff", "%s", status_field(status, "CapEff", value, sizeof value));
        saw(seen, "status_capbnd", "%s", status_field(status, "CapBnd", value, sizeof value));
        saw(seen, "status_nonewprivs", "%s", status_field(status, "NoNewPrivs", value, sizeof value));
        saw(seen, "status_filters", "%s", status_field(status, "Seccomp_filters", value, sizeof value));
    }
    if (a->ns)
        for (k = 0; k < NS_COUNT; k++) {
            unsigned long ino = ns_inode(pid, (enum ns_type)k);
            char key[32];
            snprintf(key, sizeof key, "ns_%s", ns_name((enum ns_type)k));
            if (ino)
                saw(seen, key, "%lu", ino);
        }
    if (a->spin) {
        /* "PID (COMM) STATE ..." fields 14, 15 (utime, stime) and 22
         * (starttime), in clock ticks: the CPU time it has had, and how long
         * it has lived, which its busy loop cannot beat. */
        char stat[1024], *p;
        unsigned long long field[23] = { 0 };
        double tick = (double)sysconf(_SC_CLK_TCK);
        snprintf(rel, sizeof rel, "%d/stat", (int)pid);
        if (tick > 0 && proc_read(rel, stat, sizeof stat) > 0 && (p = strrchr(stat, ')')) && strlen(p) > 3) {
            for (k = 4, p += 3; k < 23 && *p; k++)
                field[k] = strtoull(p, &p, 10);
            saw(seen, "~cpu_ms", "%.0f", (double)(field[14] + field[15]) / tick * 1000);
            saw(seen, "~life_ms", "%.0f", (now_of(CLOCK_BOOTTIME) - (double)field[22] / tick) * 1000);
        }
    }
    saw(seen, "argc", "%d", a->argc);
    for (k = 1; k < a->argc; k++) {
        char key[32];
        snprintf(key, sizeof key, "arg %d", k);
        if (strlen(a->argv[k]) < 1000 && !strchr(a->argv[k], '\n'))
            saw(seen, key, "%s", a->argv[k]);
    }
}

/* ---- In the child, in the probe's namespaces ----------------------------- */

static int enter(pid_t pid, const char *type, int nstype)
{
    char rel[64];
    int fd, ok;

    snprintf(rel, sizeof rel, "%d/ns/%s", (int)pid, type);
    fd = proc_open(rel, O_RDONLY);
    if (fd == -1)
        return -1;
    ok = setns(fd, nstype);
    /* (Its user namespace may be ours: nothing to enter.) */
    if (ok == -1 && nstype == CLONE_NEWUSER && errno == EINVAL)
        ok = 0;
    close(fd);
    return ok;
}

/* Links and IPv4 addresses, as the probe's --net prints them. */
static void see_links(char *seen)
{
    struct ifaddrs *all, *a;

    if (getifaddrs(&all) == -1)
        return;
    for (a = all; a; a = a->ifa_next) {
        int family = a->ifa_addr ? a->ifa_addr->sa_family : AF_UNSPEC;
        if (family == AF_PACKET) {
            saw(seen, "net", "link %s %s", a->ifa_name, (a->ifa_flags & IFF_UP) ? "up" : "down");
        } else if (family == AF_INET && a->ifa_netmask) {
            char host[INET_ADDRSTRLEN];
            uint32_t mask = ntohl(((struct sockaddr_in *)(void *)a->ifa_netmask)->sin_addr.s_addr);
            int prefix = 0;
            while (mask & 0x80000000u) {
                prefix++;
                mask <<= 1;
            }
            inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)a->ifa_addr)->sin_addr, host, sizeof host);
            saw(seen, "net", "addr %s %s/%d", a->ifa_name, host, prefix);
        }
    }
    freeifaddrs(all);
}

/* A map file's lines joined by ";", runs of blanks made one (probe.c's
 * report_map). */
static void see_map(char *seen, const char *key, pid_t pid, const char *file)
{
    char rel[64], buf[1024], out[1024];
    ssize_t n;
    size_t i, o = 0;

    snprintf(rel, sizeof rel, "%d/%s", (int)pid, file);
    if ((n = proc_read(rel, buf, sizeof buf - 1)) < 0)
        return;
    buf[n] = '\0';
    for (i = 0; buf[i] && o < sizeof out - 1; i++) {
        char ch = buf[i] == '\n' ? ';' : buf[i] == '\t' ? ' ' : buf[i];
        if (ch == ' ' && (o == 0 || out[o - 1] == ' ' || out[o - 1] == ';'))
            continue;
        if (ch == ';' && o > 0 && out[o - 1] == ' ')
            o--;
        out[o++] = ch;
    }
    if (o > 0 && out[o - 1] == ';')
        o--;
    out[o] = '\0';
    saw(seen, key, "%s", out);
}

/* What the probe saw in its namespaces, seen again from inside them. */
static void see_inside(pid_t pid, const struct asked *a, char *seen)
{
    char host[256] = "", domain[256] = "", rel[64], text[4096], value[256];
    ssize_t n;

    if (enter(pid, "uts", CLONE_NEWUTS) == 0 && gethostname(host, sizeof host - 1) == 0 &&
        getdomainname(domain, sizeof domain - 1) == 0) {
        saw(seen, "uname_nodename", "%s", host);
        saw(seen, "proc_hostname", "%s", host);
        saw(seen, "uname_domainname", "%s", domain);
    }
    if ((a->ipc_probe || a->ipc_make) && enter(pid, "ipc", CLONE_NEWIPC) == 0) {
        /* The probe's own calls, with flags 0: found, whoever may use it. */
        if (a->ipc_probe) {
            key_t key = (key_t)strtoul(a->ipc_probe, NULL, 16);
            saw(seen, "ipc_reach msg", "%s", msgget(key, 0) == -1 ? "no" : "yes");
            saw(seen, "ipc_reach shm", "%s", shmget(key, 0, 0) == -1 ? "no" : "yes");
            saw(seen, "ipc_reach sem", "%s", semget(key, 0, 0) == -1 ? "no" : "yes");
        }
        if (a->ipc_make) {
            key_t key = (key_t)strtoul(a->ipc_make, NULL, 16);
            saw(seen, "ipc_made msg", "%d", msgget(key, 0));
            saw(seen, "ipc_made shm", "%d", shmget(key, 0, 0));
            saw(seen, "ipc_made sem", "%d", semget(key, 0, 0));
        }
    }
    if (a->net && enter(pid, "net", CLONE_NEWNET) == 0)
        see_links(seen);
    /* /proc/PID/cgroup shows paths from the reader's cgroup namespace. */
    if (a->ns && enter(pid, "cgroup", CLONE_NEWCGROUP) == 0) {
        char *line, *save = NULL;
        int outside = 0;
        snprintf(rel, sizeof rel, "%d/cgroup", (int)pid);
        if ((n = proc_read(rel, text, sizeof text - 1)) >= 0) {
            text[n] = '\0';
            for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *group = strrchr(line, ':');
                outside += group && strcmp(group, ":/") != 0;
            }
            saw(seen, "cgroup_outside", "%d", outside);
        }
    }
    /* IDs and maps as the probe's own user namespace shows them. */
    if (a->ids && enter(pid, "user", CLONE_NEWUSER) == 0) {
        long id = 0;
        snprintf(rel, sizeof rel, "%d/status", (int)pid);
        if ((n = proc_read(rel, text, sizeof text - 1)) > 0) {
            text[n] = '\0';
            if (field_words(status_field(text, "Uid", value, sizeof value), 0, &id) == 4)
                saw(seen, "uid", "%ld", id);
            if (field_words(status_field(text, "Uid", value, sizeof value), 1, &id) == 4)
                saw(seen, "euid", "%ld", id);
            if (field_words(status_field(text, "Gid", value, sizeof value), 0, &id) == 4)
                saw(seen, "gid", "%ld", id);
        }
        see_map(seen, "uid_map", pid, "uid_map");
        see_map(seen, "gid_map", pid, "gid_map");
        snprintf(rel, sizeof rel, "%d/setgroups", (int)pid);
        if ((n = proc_read(rel, text, sizeof text - 1)) >= 0) {
            text[n] = '\0';
            saw(seen, "setgroups", "%.*s", (int)strcspn(text, "\n"), text);
        }
    }
}

/* In a child of W's (setns changes the caller): what the probe saw inside
 * its namespaces, appended to seen; W's own namespaces stay as they were. */
static void see_in_a_child(pid_t pid, const struct asked *a, char *seen)
{
    int out[2];
    pid_t child;
    double until = now_of(CLOCK_MONOTONIC) + CHILD_SECONDS;
    size_t len = strlen(seen);

    if (pipe2(out, O_CLOEXEC) == -1)
        return;
    child = fork();
    if (child == 0) {
        static char mine[SEEN_CAP];
        close(out[0]);
        see_inside(pid, a, mine);
        _exit(write(out[1], mine, strlen(mine)) < 0);
    }
    close(out[1]);
    while (child > 0 && len < SEEN_CAP - 1) {
        struct pollfd p = { out[0], POLLIN, 0 };
        double left = until - now_of(CLOCK_MONOTONIC);
        ssize_t n;
        if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) != 1 ||
            (n = read(out[0], seen + len, SEEN_CAP - 1 - len)) <= 0)
            break;
        len += (size_t)n;
    }
    seen[len] = '\0';
    /* Only whole lines count. */
    if (len && seen[len - 1] != '\n')
        *(strrchr(seen, '\n') ? strrchr(seen, '\n') + 1 : seen) = '\0';
    close(out[0]);
    if (child > 0) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
    }
}

/* ---- The report held against what was seen ------------------------------ */

/* Keys whose value, in the report, may be "!ERROR": the probe could not
 * read the file (no /proc inside); no forged success, so no disagreement. */
static int may_be_an_error(const char *key)
{
    return !strcmp(key, "proc_hostname") || !strcmp(key, "uid_map") || !strcmp(key, "gid_map") ||
           !strcmp(key, "setgroups");
}

/* Does `line` (up to its newline) have key `key`: "key" or "key value"? */
static const char *value_of(const char *line, size_t len, const char *key)
{
    size_t klen = strlen(key);

    if (len == klen && strncmp(line, key, klen) == 0)
        return line + klen;
    if (len > klen && strncmp(line, key, klen) == 0 && line[klen] == ' ')
        return line + klen + 1;
    return NULL;
}

/* Is this line's key one the witness speaks for (whether or not it saw it
 * this time)? */
static int witness_key(const char *line, size_t len)
{
    static const char *const words[] = { "pid", "ppid", "uname_nodename", "proc_hostname", "uname_domainname",
                                         "sigblk", "sigign", "argc", "cgroup_outside", "uid", "euid", "gid",
                                         "uid_map", "gid_map", "setgroups", "uptime" };
    static const char *const prefixes[] = { "arg ", "ns_", "status_", "ipc_reach ", "ipc_made ", "link ", "addr ",
                                            "clock_", "spin_" };
    size_t i, word = strcspn(line, " \n");

    if (word > len)
        word = len;
    for (i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i]) == word && strncmp(line, words[i], word) == 0)
            return 1;
    for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (len > strlen(prefixes[i]) && strncmp(line, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}

static int is_net_line(const char *line, size_t len)
{
    return (len > 5 && !strncmp(line, "link ", 5)) || (len > 5 && !strncmp(line, "addr ", 5));
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The "net" lines of seen, or the link and addr lines of a report part,
 * sorted, one text. */
static char *sorted_lines(char **lines, int n)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    int i;

    qsort(lines, (size_t)n, sizeof lines[0], by_text);
    for (i = 0; f && i < n; i++)
        fprintf(f, "%s\n", lines[i]);
    if (f)
        fclose(f);
    return out;
}

/* A clock the probe printed ("clock_monotonic 1234.567890") must lie between
 * the run's start and now on the same clock, moved by the probe's offset. */
static void hold_clock(struct world_result *r, const char *key, const char *value, clockid_t clock, double offset,
                       double since)
{
    double got = atof(value) - offset, until = now_of(clock);

    if (got >= since - CLOCK_SLACK && got <= until + CLOCK_SLACK)
        return;
    appendf(r->altered, sizeof r->altered, "%s: the report says %s, but while the probe ran its clock read between "
            "%.6f and %.6f (its time namespace's offset %+.0f s)\n", key, value, since + offset, until + offset, offset);
}

/* The busy loop's CPU time, or its wall time, in ms: at most what the
 * kernel counts for the whole probe (its CPU time, its life; a tick's
 * slack), and, for the CPU time, not much less (below: what else the probe
 * may have used; -1: no lower bound). */
#define SPIN_CPU_MS_BELOW 150
#define SPIN_SLACK_MS 30

static void hold_spin(struct world_result *r, const char *key, const char *value, char **keys, char **values,
                      int nkeys, const char *seen_key, long below)
{
    double got = atof(value), kernel = -1;
    int i;

    for (i = 0; i < nkeys; i++)
        if (!strcmp(keys[i], seen_key))
            kernel = atof(values[i]);
    /* What else the probe used grows with how slow the machine is (an
     * emulated one: its start alone may take more than `below`): a fifth
     * of the count more. */
    if (kernel < 0 || (got <= kernel + SPIN_SLACK_MS && (below < 0 || got >= kernel - (double)below - kernel / 5)))
        return;
    appendf(r->altered, sizeof r->altered, "%s: the report says %s, the kernel counts %.0f ms %s\n", key, value,
            kernel, below < 0 ? "for the whole life of the probe" : "of CPU time for the whole probe");
}

/* The offsets of the probe's time namespace (0 without one). */
static void clock_offsets(pid_t pid, double *monotonic, double *boottime)
{
    char rel[64], text[256], name[32];
    const char *line = text;
    long long s, ns;

    *monotonic = *boottime = 0;
    snprintf(rel, sizeof rel, "%d/timens_offsets", (int)pid);
    if (proc_read(rel, text, sizeof text) <= 0)
        return;
    while (line && sscanf(line, "%31s %lld %lld", name, &s, &ns) == 3) {
        if (!strcmp(name, "monotonic") || !strcmp(name, "1"))
            *monotonic = (double)s + (double)ns / 1e9;
        if (!strcmp(name, "boottime") || !strcmp(name, "7"))
            *boottime = (double)s + (double)ns / 1e9;
        line = strchr(line, '\n');
        if (line)
            line++;
    }
}

/* Where the last probe's own lines begin in a part of the report: each
 * probe's first line is "pid N"; an earlier one in the part (a probe killed
 * before its READY, by a limit) said no READY and could not be looked at. */
static const char *last_run(const char *part)
{
    const char *p = part, *start = part;

    for (; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n'))
        if (!strncmp(p, "pid ", 4))
            start = p;
    return start;
}

/* Rewrite the report's part [from, end) against seen; the rest stays. The
 * lines of a probe in it that said no READY tell nothing W could hold
 * against the kernel: those of keys the witness speaks for are dropped
 * (else a check, which reads a key's first line, would read them). */
static void hold_report(struct world_result *r, size_t from, size_t end, size_t *len, const char *seen,
                        const struct asked *a, pid_t pid, const double since[3])
{
    char *part = strndup(r->probe + from, end - from), *out = NULL, *line, *next;
    const char *live;
    char *seen_copy = strdup(seen), *s, *save = NULL;
    char *keys[256], *values[256], *net_seen[256], *net_said[256];
    int used[256] = { 0 }, nkeys = 0, nseen = 0, nsaid = 0, net_written = 0, i;
    size_t out_len = 0;
    double mono_off = 0, boot_off = 0;
    FILE *f;

    if (!part || !seen_copy || !(f = open_memstream(&out, &out_len))) {
        free(part);
        free(seen_copy);
        return;
    }
    for (s = strtok_r(seen_copy, "\n", &save); s; s = strtok_r(NULL, "\n", &save)) {
        char *tab = strchr(s, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        if (!strcmp(s, "net") && nseen < 256)
            net_seen[nseen++] = tab + 1;
        else if (nkeys < 256) {
            keys[nkeys] = s;
            values[nkeys++] = tab + 1;
        }
    }
    if (a->clocks)
        clock_offsets(pid, &mono_off, &boot_off);
    live = last_run(part);
    for (line = part; *line; line = next) {
        size_t llen = strcspn(line, "\n");
        const char *v;
        int matched = 0;
        next = line + llen + (line[llen] == '\n');
        if (line < live) {
            if (!witness_key(line, llen))
                fprintf(f, "%.*s\n", (int)llen, line);
            continue;
        }
        if (a->net && nseen && is_net_line(line, llen)) {
            if (nsaid < 256)
                net_said[nsaid++] = strndup(line, llen);
            if (!net_written++)
                for (i = 0; i < nseen; i++)
                    fprintf(f, "%s\n", net_seen[i]);
            continue;
        }
        if (llen == 5 && !strncmp(line, "READY", 5)) {
            /* What W saw that the probe does not say (uname_domainname). */
            for (i = 0; i < nkeys; i++)
                if (!used[i] && !strcmp(keys[i], "uname_domainname"))
                    fprintf(f, "%s %s\n", keys[i], values[i]);
            if (a->net && nseen && !net_written++)
                for (i = 0; i < nseen; i++)
                    fprintf(f, "%s\n", net_seen[i]);
        }
        for (i = 0; i < nkeys && !matched; i++) {
            if (used[i] || !(v = value_of(line, llen, keys[i])))
                continue;
            matched = used[i] = 1;
            if ((size_t)(line + llen - v) == strlen(values[i]) && !strncmp(v, values[i], strlen(values[i])))
                break;
            if (may_be_an_error(keys[i]) && *v == '!')
                break;
            appendf(r->altered, sizeof r->altered, "%s: the report says \"%.*s\", the harness saw \"%s\"\n", keys[i],
                    (int)(line + llen - v), v, values[i]);
            fprintf(f, "%s %s\n", keys[i], values[i]);
            line = NULL;
        }
        if (!line)
            continue;
        if (a->clocks || a->spin) {
            /* (A number that must lie within bounds.) */
            char number[64] = "";
            const char *k = strchr(line, ' ');
            if (k && (size_t)(k - line) < llen)
                snprintf(number, sizeof number, "%.*s", (int)(line + llen - k - 1), k + 1);
            if (a->clocks && value_of(line, llen, "clock_monotonic"))
                hold_clock(r, "clock_monotonic", number, CLOCK_MONOTONIC, mono_off, since[0]);
            else if (a->clocks && value_of(line, llen, "clock_boottime"))
                hold_clock(r, "clock_boottime", number, CLOCK_BOOTTIME, boot_off, since[1]);
            else if (a->clocks && value_of(line, llen, "clock_realtime"))
                hold_clock(r, "clock_realtime", number, CLOCK_REALTIME, 0, since[2]);
            else if (a->clocks && value_of(line, llen, "uptime") && number[0] != '?')
                hold_clock(r, "uptime", number, CLOCK_BOOTTIME, boot_off, since[1] - 0.01);
            else if (a->spin && value_of(line, llen, "spin_cpu_ms"))
                hold_spin(r, "spin_cpu_ms", number, keys, values, nkeys, "~cpu_ms", SPIN_CPU_MS_BELOW);
            else if (a->spin && value_of(line, llen, "spin_wall_ms"))
                hold_spin(r, "spin_wall_ms", number, keys, values, nkeys, "~life_ms", -1);
        }
        fprintf(f, "%.*s\n", (int)llen, line);
    }
    fclose(f);
    if (a->net && nseen) {
        char *said = sorted_lines(net_said, nsaid), *saw_net = sorted_lines(net_seen, nseen);
        if (said && saw_net && strcmp(said, saw_net) != 0)
            appendf(r->altered, sizeof r->altered, "links and addresses: the report says\n%sthe harness saw, in the "
                    "probe's network namespace,\n%s", said, saw_net);
        free(said);
        free(saw_net);
    }
    for (i = 0; i < nsaid; i++)
        free(net_said[i]);
    /* The part rewritten, and whatever came after it, back into the report. */
    if (out) {
        char *tail = strdup(r->probe + end);
        size_t room = PROBE_CAP - from;
        if (tail) {
            snprintf(r->probe + from, room + 1, "%s%s", out, tail);
            *len = strlen(r->probe);
        }
        free(tail);
    }
    free(out);
    free(part);
    free(seen_copy);
}

/* The end of the n-th "READY" line of the report (n from 1), or 0. */
static size_t after_ready(const char *report, int n)
{
    const char *p = report;

    while ((p = strstr(p, "READY"))) {
        if ((p == report || p[-1] == '\n') && (p[5] == '\n' || p[5] == '\0') && --n == 0)
            return (size_t)(p - report) + 5 + (p[5] == '\n');
        p += 5;
    }
    return 0;
}

/* The signals the probe (asked to --catch) was seen to have caught: bit N-1
 * for signal N, from the name its handler gives it. */
static struct { int armed; unsigned mask; } caught;

void witness_caught_now(pid_t pid)
{
    char rel[64], name[32] = "";

    snprintf(rel, sizeof rel, "%d/comm", (int)pid);
    if (caught.armed && pid > 0 && proc_read(rel, name, sizeof name) > 0 && !strncmp(name, "nslab-c", 7))
        caught.mask |= (unsigned)strtoul(name + 7, NULL, 16);
}

void witness_caught_hold(struct world_result *r)
{
    const char *line = r->probe;
    int sig;

    for (; caught.armed && line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (sscanf(line, "caught %d", &sig) == 1 && sig >= 1 && sig <= 32 && !(caught.mask & (1u << (sig - 1))))
            appendf(r->altered, sizeof r->altered, "caught %d: the report says the probe caught signal %d, but it "
                    "never marked it so (its handler names the probe after the signals it caught)\n", sig, sig);
    caught.armed = 0;
}

int witness_probe(struct world_result *r, pid_t pid, int run, size_t *len, const double since[3])
{
    char rel[64], cmdline[8192], *seen = calloc(1, SEEN_CAP);
    size_t from = run > 1 ? after_ready(r->probe, run - 1) : 0, end = after_ready(r->probe, run);
    struct asked a;
    ssize_t n;

    snprintf(rel, sizeof rel, "%d/cmdline", (int)pid);
    if (!seen || !end || (n = proc_read(rel, cmdline, sizeof cmdline - 1)) <= 0) {
        free(seen);
        return -1;
    }
    cmdline[n] = '\0';
    read_asked(cmdline, n, &a);
    if (!args_were_given(a.argv + 1, a.argc - 1)) {
        char shown[256] = "";
        int k;
        for (k = 1; k < a.argc; k++)
            appendf(shown, sizeof shown, " %s", a.argv[k]);
        appendf(r->altered, sizeof r->altered, "the probe ran with arguments the check did not give it:%s (the lab "
                "chose what it would report)\n", shown[0] ? shown : " none");
    }
    if (run == 1) {
        caught.armed = a.catch;
        caught.mask = 0;
    }
    see_status(pid, &a, seen);
    see_in_a_child(pid, &a, seen);
    hold_report(r, from, end, len, seen, &a, pid, since);
    free(seen);
    return 0;
}
