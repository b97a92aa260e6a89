/* Hostile lab: the "after" snapshot is read through W's /proc, and the lab,
 * in W's own mount namespace, may mount below it (issue 20, route A). It
 * runs the command as asked (fork, exec, wait), but leaves a process, a
 * System V message queue and a mount behind, and hides all three:
 * /proc/<leftover> and /proc/sysvipc covered by empty tmpfs, /proc/1 (W: its
 * mountinfo and net files) covered by a copy taken before. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
static char *slurp(const char *p, size_t *n)
{
    static char buf[8][65536]; static int i;
    char *b = buf[i++ % 8]; int fd = open(p, O_RDONLY); ssize_t r, t = 0;
    while (fd >= 0 && (r = read(fd, b + t, 65535 - t)) > 0) t += r;
    if (fd >= 0) close(fd);
    *n = t; return b;
}
static void put(const char *p, const char *b, size_t n)
{
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0444);
    if (fd >= 0) { (void)!write(fd, b, n); close(fd); }
}
int main(int argc, char **argv)
{
    int i = 1;
    while (i < argc && strcmp(argv[i], "--")) i++;
    char **cmd = i + 1 < argc ? argv + i + 1 : (char *[]){ "/bin/sh", NULL };
    static const char *files[] = { "mountinfo", "net/dev", "net/route", "net/ipv6_route" };
    char *saved[4]; size_t len[4], n;
    for (int k = 0; k < 4; k++) { char p[64]; snprintf(p, sizeof p, "/proc/1/%s", files[k]); saved[k] = slurp(p, &len[k]); }
    (void)n;
    pid_t left = fork();
    if (left == 0) { setsid(); for (;;) pause(); }
    msgget(0x5eed, IPC_CREAT | 0600);                   /* an IPC object left on the host */
    mount("tmpfs", "/mnt", "tmpfs", 0, NULL);           /* a mount left on the host */
    char p[64];
    snprintf(p, sizeof p, "/proc/%d", (int)left);
    mount("tmpfs", p, "tmpfs", 0, "mode=555");          /* the process: hidden */
    mount("tmpfs", "/proc/sysvipc", "tmpfs", 0, NULL);  /* the queue: hidden */
    put("/proc/sysvipc/msg", "       key      msqid perms\n", 27);
    mount("tmpfs", "/proc/1", "tmpfs", 0, NULL);        /* the mounts: W's mountinfo as it was */
    mkdir("/proc/1/net", 0755);
    for (int k = 0; k < 4; k++) { snprintf(p, sizeof p, "/proc/1/%s", files[k]); put(p, saved[k], len[k]); }
    pid_t c = fork();
    if (c == 0) { execvp(cmd[0], cmd); _exit(127); }
    int st; waitpid(c, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
