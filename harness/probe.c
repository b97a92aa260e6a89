/* nslab-probe: the harness's eyes inside a container.
 *
 * Run as the container's command, it reports what it sees as "key value"
 * lines on fd 3 (the harness's pipe, inherited through the lab), then a
 * READY line; with --wait it then blocks on fd 4 until the harness has looked
 * at it from outside. It is linked statically so that it runs the same in any
 * root filesystem, whatever the host's tools print.
 *
 *   nslab-probe [--wait] [--exit N] [--catch] [--ipc-probe KEY] [--ipc-make KEY] [--net]
 *               [--connect A:PORT] [--ids] [--hog BYTES] [--forks N] [--spin SECS] [--clocks]
 *               [ARG...]
 *
 * It always reports its signal mask and ignored signals ("sigblk HEX",
 * "sigign HEX", from /proc/self/status), which a good init leaves empty.
 * --catch          handle SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2,
 *                  reporting "caught N" for each that arrives (with --wait it
 *                  goes on waiting)
 * --ipc-probe KEY  try to reach a message queue, shared memory segment and
 *                  semaphore set with KEY (hex), report "ipc_reach msg yes|no"
 * --ipc-make KEY   create all three with KEY, report "ipc_made msg ID"
 * --net            report each network link ("link NAME up|down") and IPv4
 *                  address ("addr NAME A.B.C.D/PREFIX") it sees
 * --connect A:PORT open a TCP connection to IPv4 address A, port PORT, trying
 *                  again every 250 ms for 2.5 s at most (a new pair's first
 *                  packets may be dropped), report "connect ok" or
 *                  "connect !REASON" (the last attempt's)
 * --ids            report "uid N", "gid N", and the uid_map, gid_map and
 *                  setgroups files of /proc/self (map lines joined by ";")
 * --hog BYTES      touch BYTES of memory, a page at a time, reporting
 *                  "hog N" every 16 MiB reached (a memory limit kills it)
 * --forks N        fork N children that wait, report "forks_ok K" (how many
 *                  forks worked) and "forks_err REASON" for the first refused
 * --spin SECS      keep a CPU busy for SECS of wall time, report "spin_cpu_ms"
 *                  (CPU time it got) and "spin_wall_ms"
 * --clocks         report "clock_monotonic S", "clock_boottime S" and
 *                  "clock_realtime S" (seconds, to the microsecond) and
 *                  "uptime S" (the first field of /proc/uptime)
 * Unknown arguments are only reported (as "arg N VALUE"): the probe also
 * checks that a lab passes the command's own options through.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

static int report_fd = 3;

static void report(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (n > (int)sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    if (write(report_fd, line, (size_t)n) != n)
        _exit(125);
}

static void report_file(const char *key, const char *path)
{
    char buf[256];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd == -1 ? -1 : read(fd, buf, sizeof buf - 1);

    if (fd != -1)
        close(fd);
    if (n < 0) {
        report("%s !%s", key, strerror(errno));
        return;
    }
    buf[n] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    report("%s %s", key, buf);
}

/* "SigBlk:\t0000000000000000" -> "sigblk 0000000000000000" */
static void report_status_line(const char *key, const char *field)
{
    char buf[4096], *line;
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd == -1 ? -1 : read(fd, buf, sizeof buf - 1);

    if (fd != -1)
        close(fd);
    if (n <= 0)
        return;
    buf[n] = '\0';
    line = strstr(buf, field);
    if (!line)
        return;
    line += strlen(field);
    while (*line == '\t' || *line == ' ')
        line++;
    line[strcspn(line, "\n")] = '\0';
    report("%s %s", key, line);
}

/* A caught signal, reported from the handler itself (write(2) is safe there). */
static void on_caught(int sig)
{
    char line[32] = "caught ";
    size_t n = strlen(line);

    if (sig >= 10)
        line[n++] = (char)('0' + sig / 10);
    line[n++] = (char)('0' + sig % 10);
    line[n++] = '\n';
    if (write(report_fd, line, n) < 0)
        _exit(125);
}

static void catch_forwarded(void)
{
    static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
    struct sigaction sa;
    size_t i;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_caught;   /* no SA_RESTART: the wait below sees EINTR and goes on */
    for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
}

static void ipc_probe(key_t key)
{
    report("ipc_reach msg %s", msgget(key, 0) == -1 ? "no" : "yes");
    report("ipc_reach shm %s", shmget(key, 0, 0) == -1 ? "no" : "yes");
    report("ipc_reach sem %s", semget(key, 0, 0) == -1 ? "no" : "yes");
}

static void ipc_make(key_t key)
{
    report("ipc_made msg %d", msgget(key, IPC_CREAT | 0600));
    report("ipc_made shm %d", shmget(key, 4096, IPC_CREAT | 0600));
    report("ipc_made sem %d", semget(key, 1, IPC_CREAT | 0600));
}

static void net_report(void)
{
    struct ifaddrs *all, *a;

    if (getifaddrs(&all) == -1) {
        report("link !%s", strerror(errno));
        return;
    }
    for (a = all; a; a = a->ifa_next) {
        int family = a->ifa_addr ? a->ifa_addr->sa_family : AF_UNSPEC;
        if (family == AF_PACKET)
            report("link %s %s", a->ifa_name, (a->ifa_flags & IFF_UP) ? "up" : "down");
        else if (family == AF_INET && a->ifa_netmask) {
            char host[INET_ADDRSTRLEN];
            uint32_t mask = ntohl(((struct sockaddr_in *)(void *)a->ifa_netmask)->sin_addr.s_addr);
            int prefix = 0;
            while (mask & 0x80000000u) {
                prefix++;
                mask <<= 1;
            }
            inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)a->ifa_addr)->sin_addr, host, sizeof host);
            report("addr %s %s/%d", a->ifa_name, host, prefix);
        }
    }
    freeifaddrs(all);
}

static void connect_report(const char *target)
{
    struct sockaddr_in to = { .sin_family = AF_INET };
    char host[INET_ADDRSTRLEN];
    const char *colon = strrchr(target, ':');
    struct pollfd p;
    socklen_t len;
    int fd, err = 0, attempt;

    if (!colon || (size_t)(colon - target) >= sizeof host) {
        report("connect !bad target %s", target);
        return;
    }
    memcpy(host, target, (size_t)(colon - target));
    host[colon - target] = '\0';
    to.sin_port = htons((uint16_t)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &to.sin_addr) != 1) {
        report("connect !bad address %s", host);
        return;
    }
    for (attempt = 0; attempt < 10; attempt++) {
        fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd == -1) {
            report("connect !socket: %s", strerror(errno));
            return;
        }
        err = 0;
        if (connect(fd, (struct sockaddr *)&to, sizeof to) == -1) {
            err = errno;
            if (err == EINPROGRESS) {
                p.fd = fd;
                p.events = POLLOUT;
                len = sizeof err;
                err = poll(&p, 1, 250) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 ? err
                                                                                                   : ETIMEDOUT;
            } else
                usleep(250000);
        }
        close(fd);
        if (!err)
            break;
    }
    if (err)
        report("connect !%s", strerror(err));
    else
        report("connect ok");
}

/* A map file's lines, joined by ";" with runs of blanks made one. */
static void report_map(const char *key, const char *path)
{
    char buf[1024], out[1024];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd == -1 ? -1 : read(fd, buf, sizeof buf - 1);
    size_t i, o = 0;

    if (fd != -1)
        close(fd);
    if (n < 0) {
        report("%s !%s", key, strerror(errno));
        return;
    }
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
    report("%s %s", key, out);
}

static void hog(unsigned long long bytes)
{
    unsigned long long done = 0, next = 16ULL << 20;
    size_t chunk = 1 << 20;

    while (done < bytes) {
        char *p = malloc(chunk);
        size_t i;
        if (!p) {
            report("hog !%s", strerror(errno));
            return;
        }
        for (i = 0; i < chunk; i += 4096)
            p[i] = 1;
        done += chunk;
        if (done >= next) {
            report("hog %llu", done);
            next += 16ULL << 20;
        }
    }
    report("hog %llu", done);
}

static void forks(int n)
{
    int i, ok = 0, gate[2];
    char go;

    if (pipe(gate) == -1) {
        report("forks_err pipe: %s", strerror(errno));
        return;
    }
    for (i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            close(gate[1]);
            if (read(gate[0], &go, 1) < 0)
                _exit(1);
            _exit(0);
        }
        if (pid == -1) {
            report("forks_err %s", strerror(errno));
            break;
        }
        ok++;
    }
    report("forks_ok %d", ok);
    close(gate[1]);   /* the children read end of file and end */
    while (wait(NULL) > 0)
        ;
    close(gate[0]);
}

static double seconds(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void spin(double secs)
{
    double wall0 = seconds(CLOCK_MONOTONIC), cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
    volatile unsigned long x = 0;

    while (seconds(CLOCK_MONOTONIC) - wall0 < secs)
        x++;
    report("spin_cpu_ms %.0f", (seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0) * 1000);
    report("spin_wall_ms %.0f", (seconds(CLOCK_MONOTONIC) - wall0) * 1000);
}

static void clocks_report(void)
{
    char text[64] = "";
    int fd = open("/proc/uptime", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd == -1 ? -1 : read(fd, text, sizeof text - 1);

    report("clock_monotonic %.6f", seconds(CLOCK_MONOTONIC));
    report("clock_boottime %.6f", seconds(CLOCK_BOOTTIME));
    report("clock_realtime %.6f", seconds(CLOCK_REALTIME));
    if (fd != -1)
        close(fd);
    text[n > 0 ? n : 0] = '\0';
    text[strcspn(text, " \n")] = '\0';
    report("uptime %s", text[0] ? text : "?");
}

static void ids_report(void)
{
    report("uid %u", (unsigned)getuid());
    report("gid %u", (unsigned)getgid());
    report_map("uid_map", "/proc/self/uid_map");
    report_map("gid_map", "/proc/self/gid_map");
    report_file("setgroups", "/proc/self/setgroups");
}

int main(int argc, char **argv)
{
    struct utsname u;
    int i, wait = 0, code = 0;
    char go;

    if (fcntl(report_fd, F_GETFD) == -1)
        report_fd = 1;   /* run by hand: report on stdout */
    report("pid %d", (int)getpid());
    report("ppid %d", (int)getppid());
    if (uname(&u) == 0)
        report("uname_nodename %s", u.nodename);
    report_file("proc_hostname", "/proc/sys/kernel/hostname");
    report_status_line("sigblk", "SigBlk:");
    report_status_line("sigign", "SigIgn:");
    report("argc %d", argc);
    for (i = 1; i < argc; i++) {
        report("arg %d %s", i, argv[i]);
        if (strcmp(argv[i], "--wait") == 0)
            wait = 1;
        else if (strcmp(argv[i], "--catch") == 0)
            catch_forwarded();
        else if (strcmp(argv[i], "--exit") == 0 && i + 1 < argc)
            code = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--ipc-probe") == 0 && i + 1 < argc)
            ipc_probe((key_t)strtoul(argv[i + 1], NULL, 16));
        else if (strcmp(argv[i], "--ipc-make") == 0 && i + 1 < argc)
            ipc_make((key_t)strtoul(argv[i + 1], NULL, 16));
        else if (strcmp(argv[i], "--net") == 0)
            net_report();
        else if (strcmp(argv[i], "--connect") == 0 && i + 1 < argc)
            connect_report(argv[i + 1]);
        else if (strcmp(argv[i], "--ids") == 0)
            ids_report();
        else if (strcmp(argv[i], "--hog") == 0 && i + 1 < argc)
            hog(strtoull(argv[i + 1], NULL, 10));
        else if (strcmp(argv[i], "--forks") == 0 && i + 1 < argc)
            forks(atoi(argv[i + 1]));
        else if (strcmp(argv[i], "--spin") == 0 && i + 1 < argc)
            spin(atof(argv[i + 1]));
        else if (strcmp(argv[i], "--clocks") == 0)
            clocks_report();
    }
    report("READY");
    if (wait) {
        ssize_t n;
        while ((n = read(4, &go, 1)) < 0 && errno == EINTR)
            ;   /* a caught signal: it is reported; go on waiting */
        if (n < 0)
            return 125;
    }
    return code;
}
