/* A test program graded as a lab: what lab 06 will do, inside the test world.
 * It makes a child in new user, PID and mount namespaces, gives it root's
 * default map of the contract (0:100000:65536, written by the parent), and
 * the child mounts a fresh /proc. Prints each step's result, exits 121. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int write_file(pid_t pid, const char *name, const char *text)
{
    char path[64];
    int fd, ok;

    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    ok = fd != -1 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);
    if (fd != -1)
        close(fd);
    return ok ? 0 : -1;
}

int main(void)
{
    int go[2], status;
    char c;
    pid_t child;

    setvbuf(stdout, NULL, _IONBF, 0);   /* the child ends with _exit */
    if (pipe(go) == -1)
        return 1;
    child = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | SIGCHLD, NULL, NULL, NULL, NULL);
    if (child == 0) {
        close(go[1]);
        if (read(go[0], &c, 1) != 1)
            _exit(2);
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
            mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1) {
            printf("fresh /proc: %s\n", strerror(errno));
            _exit(3);
        }
        printf("fresh /proc: mounted, uid %d\n", (int)getuid());
        _exit(0);
    }
    close(go[0]);
    if (child == -1) {
        printf("clone: %s\n", strerror(errno));
        return 121;
    }
    printf("map 0 100000 65536: %s\n",
           write_file(child, "uid_map", "0 100000 65536\n") == 0 && write_file(child, "gid_map", "0 100000 65536\n") == 0
               ? "written" : strerror(errno));
    if (write(go[1], "g", 1) != 1)
        return 1;
    waitpid(child, &status, 0);
    return 121;
}
