/* Running a helper program and reading what it prints (capture.h). */
#define _GNU_SOURCE
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int run_capture(char *const argv[], char *buf, size_t n, long file_bytes, unsigned seconds)
{
    int p[2], status;
    size_t len = 0;
    ssize_t got;
    pid_t pid;

    buf[0] = '\0';
    if (pipe2(p, O_CLOEXEC) == -1)
        return -1;
    pid = fork();
    if (pid == -1) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        struct rlimit size = { (rlim_t)file_bytes, (rlim_t)file_bytes }, core = { 0, 0 };
        if (null == -1 || dup2(null, 0) == -1 || dup2(null, 2) == -1 || dup2(p[1], 1) == -1 || setsid() == -1 ||
            setrlimit(RLIMIT_CORE, &core) == -1 || (file_bytes > 0 && setrlimit(RLIMIT_FSIZE, &size) == -1))
            _exit(127);
        alarm(seconds);   /* kept across exec: SIGALRM ends it (0: none) */
        execvp(argv[0], argv);
        _exit(127);
    }
    close(p[1]);
    while ((got = read(p[0], buf + len, n - 1 - len)) > 0 || (got == -1 && errno == EINTR))
        if (got > 0 && (len += (size_t)got) == n - 1) {
            char drain[512];
            while (read(p[0], drain, sizeof drain) > 0)
                ;
            break;
        }
    buf[len] = '\0';
    close(p[0]);
    while (waitpid(pid, &status, 0) == -1)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
