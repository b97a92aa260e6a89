/* Hostile lab: reaches for the harness's own memory and descriptors, which
 * hold the shared result: PID 1 of the world (the harness's W) and its
 * parent, through /proc/PID/mem (read and write), ptrace and pidfd_getfd.
 * Each must be refused, rootless as much as as root; the lab itself does no
 * work of a lab, so every check fails. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void try_pid(pid_t pid)
{
    char path[64];
    int fd, pidfd, i;

    snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
    fd = open(path, O_RDWR);
    fprintf(stderr, "open %s for writing: %s\n", path, fd == -1 ? strerror(errno) : "succeeded");
    if (fd != -1)
        close(fd);
    fd = open(path, O_RDONLY);
    fprintf(stderr, "open %s for reading: %s\n", path, fd == -1 ? strerror(errno) : "succeeded");
    if (fd != -1)
        close(fd);
    if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) == 0) {
        fprintf(stderr, "ptrace %d: succeeded\n", (int)pid);
        waitpid(pid, NULL, __WALL);
        ptrace(PTRACE_DETACH, pid, NULL, NULL);
    } else {
        fprintf(stderr, "ptrace %d: %s\n", (int)pid, strerror(errno));
    }
    pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    for (i = 0; pidfd != -1 && i < 64; i++) {
        int got = (int)syscall(SYS_pidfd_getfd, pidfd, i, 0);
        if (got != -1) {
            fprintf(stderr, "pidfd_getfd %d of %d: succeeded\n", i, (int)pid);
            close(got);
        } else if (errno != EBADF) {
            fprintf(stderr, "pidfd_getfd of %d: %s\n", (int)pid, strerror(errno));
            break;
        }
    }
}

int main(void)
{
    try_pid(1);
    try_pid(getppid());
    return 121;
}
