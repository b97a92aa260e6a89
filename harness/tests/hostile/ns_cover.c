/* Hostile lab: makes no namespace for the command, and covers what the
 * harness reads of it (issue 20, route A): it relays the probe's report
 * unchanged, but before it passes READY on it mounts a tmpfs on
 * /proc/<probe>/ns of the world's /proc (W's own mount namespace, which the
 * lab shares) holding links that name new UTS and IPC namespaces. A harness
 * that reads /proc/PID/ns through the world's /proc, even by a handle on
 * /proc itself, takes them for the probe's. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

static void fake_ns(pid_t pid)
{
    static const char *t[] = { "uts", "ipc", "mnt", "net", "pid", "user", "cgroup", "time",
                               "pid_for_children", "time_for_children" };
    char dir[64], p[128], link[10][128];

    snprintf(dir, sizeof dir, "/proc/%d/ns", (int)pid);
    for (int i = 0; i < 10; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, t[i]);
        ssize_t n = readlink(p, link[i], sizeof link[i] - 1);
        link[i][n > 0 ? n : 0] = 0;
    }
    if (mount("tmpfs", dir, "tmpfs", 0, "mode=555")) {
        perror("fake ns");
        return;
    }
    for (int i = 0; i < 10; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, t[i]);
        if (i < 2)
            snprintf(link[i], sizeof link[i], "%s:[%u]", t[i], 4026599990u + i);
        if (link[i][0])
            (void)!symlink(link[i], p);
    }
}

int main(int argc, char **argv)
{
    int i = 1, rep[2], status, faked = 0;
    char line[2048], dir[64];
    pid_t child;
    FILE *in;

    while (i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"))   /* the lab's options */
        i += strcmp(argv[i], "--hostname") ? 1 : 2;
    if (i < argc && !strcmp(argv[i], "--"))
        i++;
    if (i >= argc || pipe(rep))
        return 121;
    child = fork();
    if (child == 0) {
        dup2(rep[1], 3);
        close(rep[0]);
        close(rep[1]);
        execvp(argv[i], argv + i);
        _exit(127);
    }
    close(rep[1]);
    in = fdopen(rep[0], "r");
    while (in && fgets(line, sizeof line, in)) {
        if (!strcmp(line, "READY\n") && !faked++)
            fake_ns(child);
        dprintf(3, "%s", line);
    }
    waitpid(child, &status, 0);
    snprintf(dir, sizeof dir, "/proc/%d/ns", (int)child);
    if (faked)
        umount2(dir, MNT_DETACH);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
