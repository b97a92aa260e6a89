/* Hostile lab: uses up the kernel's counts that are charged to whoever
 * owns the world (inotify instances; user and mount namespaces), and a
 * vsock port, which is the machine's. The world caps each well below the
 * machine's limit, and refuses vsock. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

int main(void)
{
    int n = 0, s;
    pid_t p;

    while (n < 4096 && inotify_init1(IN_CLOEXEC) != -1)
        n++;
    fprintf(stderr, "inotify instances: %d (then %s)\n", n, strerror(errno));
    for (n = 0; n < 4096; n++) {
        p = fork();
        if (p == 0)
            _exit(unshare(CLONE_NEWUSER) == -1 ? 1 : (pause(), 0));
        if (p == -1)
            break;
        usleep(1000);
        if (waitpid(p, NULL, WNOHANG) == p)
            break;
    }
    fprintf(stderr, "user namespaces held: %d\n", n);
    s = socket(AF_VSOCK, SOCK_STREAM, 0);
    fprintf(stderr, "vsock: %s\n", s == -1 ? strerror(errno) : "succeeded");
    return 121;
}
