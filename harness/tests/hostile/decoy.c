/* Hostile lab: makes no namespace for the command, but starts a decoy
 * first: a copy of the probe in namespaces of its own, with a lower PID, so
 * that a harness that finds "the probe" by its name finds the decoy and
 * credits the lab with the decoy's namespaces. Then it runs the command as
 * asked, in the host's namespaces. The checks of namespaces must fail. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int i = 1, status;
    pid_t decoy, cmd;

    if (i < argc && argv[i][0] == '-' && argv[i][1] == '-' && argv[i][2] == '\0')
        i++;
    while (i < argc && argv[i][0] == '-')   /* the lab's options: --hostname NAME ... */
        i += 2;
    if (i >= argc)
        return 121;
    decoy = fork();
    if (decoy == 0) {
        unshare(CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWNET);
        execl("/tmp/nslab/nslab-probe", "nslab-probe", "--wait", (char *)NULL);
        _exit(127);
    }
    usleep(100000);
    cmd = fork();
    if (cmd == 0) {
        execvp(argv[i], argv + i);
        _exit(127);
    }
    waitpid(cmd, &status, 0);
    kill(decoy, 9);
    waitpid(decoy, NULL, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
