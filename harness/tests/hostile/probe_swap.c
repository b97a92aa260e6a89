/* Hostile lab: makes no namespace for the command, and swaps the probe's
 * file under the harness (issue 20, route A): a copy of the probe runs as
 * a decoy in namespaces of its own, the copy is bind-mounted over
 * /tmp/nslab/nslab-probe (W's own mount namespace), and the real probe runs
 * the command from a descriptor taken before, in the host's namespaces. A
 * harness that learns the probe's file (dev, ino) when it looks, not before
 * the lab ran, takes the decoy for the probe. It unmounts the copy and ends
 * the decoy before it returns, so nothing is left behind. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROBE "/tmp/nslab/nslab-probe"
#define COPY "/tmp/.decoy-probe"

int main(int argc, char **argv)
{
    int i = 1, status, real, from, to, hold[2];
    struct stat st;
    pid_t decoy, cmd;

    if (i < argc && strcmp(argv[i], "--") == 0)
        i++;
    while (i < argc && argv[i][0] == '-')   /* the lab's options: --hostname NAME ... */
        i += 2;
    if (i < argc && strcmp(argv[i], "--") == 0)
        i++;
    if (i >= argc)
        return 121;
    real = open(PROBE, O_RDONLY | O_CLOEXEC);
    from = open(PROBE, O_RDONLY | O_CLOEXEC);
    to = open(COPY, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    if (real == -1 || from == -1 || to == -1 || fstat(from, &st) == -1 ||
        sendfile(to, from, NULL, (size_t)st.st_size) != st.st_size || close(to) == -1 || pipe(hold) == -1)
        return 122;
    decoy = fork();
    if (decoy == 0) {
        /* Its report goes nowhere; it waits on a pipe nobody writes. */
        int null = open("/dev/null", O_WRONLY);
        if (null == -1 || dup2(null, 3) == -1 || dup2(hold[0], 4) == -1)
            _exit(126);
        unshare(CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWNET);
        execl(COPY, "nslab-probe", "--wait", (char *)NULL);
        _exit(127);
    }
    close(hold[0]);
    usleep(100000);
    if (mount(COPY, PROBE, NULL, MS_BIND, NULL) == -1)
        perror("bind the copy over the probe");
    cmd = fork();
    if (cmd == 0) {
        if (strcmp(argv[i], PROBE) == 0)
            fexecve(real, argv + i, environ);
        else
            execvp(argv[i], argv + i);
        _exit(127);
    }
    waitpid(cmd, &status, 0);
    umount2(PROBE, MNT_DETACH);
    kill(decoy, SIGKILL);
    waitpid(decoy, NULL, 0);
    unlink(COPY);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
