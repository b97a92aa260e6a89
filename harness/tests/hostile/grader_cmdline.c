/* Hostile lab: reads the command line of the world's PID 1, which is the
 * harness's own process W, forked from the grader and never exec'd: the
 * grader's command line (its options, its paths). It prints what it read;
 * the world must have shown a name of its own. Runs no command. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    char line[4096];
    int fd = open("/proc/1/cmdline", O_RDONLY);
    ssize_t n = fd == -1 ? -1 : read(fd, line, sizeof line - 1), i;

    for (i = 0; i < n; i++)
        if (line[i] == '\0')
            line[i] = ' ';
    line[n > 0 ? n : 0] = '\0';
    fprintf(stderr, "PID 1's command line: %s\n", line);
    return 121;
}
