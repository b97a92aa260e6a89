/* Hostile lab: RLIMIT_AS holds one process, not the lab: three processes,
 * each with a sixth of the machine's available memory (at most 512 MiB),
 * touched and held. A world with a cgroup holds them to its limit; one
 * without (rootless on cgroup v1) only by a watch on the machine's
 * available memory. It says HELD if all three kept theirs for a second. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static long available_mb(void)
{
    char line[256];
    long kb = 0;
    FILE *f = fopen("/proc/meminfo", "r");

    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %ld", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb / 1024;
}

/* Hold what was taken for a second, as a process with a child to wait
 * for (a lab asleep with none is ended as stuck). */
static void hold_a_second(void)
{
    pid_t sleeper = fork();

    if (sleeper == 0) {
        execl("/bin/sleep", "sleep", "1", (char *)NULL);
        _exit(127);
    }
    if (sleeper > 0)
        waitpid(sleeper, NULL, 0);
}

int main(void)
{
    long each = available_mb() / 6;
    int i, status, kept = 0;

    if (each > 512)
        each = 512;
    for (i = 0; i < 3; i++)
        if (fork() == 0) {
            volatile char *p = malloc((size_t)each << 20);
            size_t k;
            if (!p)
                _exit(1);
            for (k = 0; k < (size_t)each << 20; k += 4096)
                p[k] = 1;   /* volatile: every page touched, none optimized away */
            hold_a_second();
            _exit(0);
        }
    while (wait(&status) > 0)
        kept += WIFEXITED(status) && WEXITSTATUS(status) == 0;
    fprintf(stderr, "%d of 3 processes kept %ld MiB each for a second%s\n", kept, each, kept == 3 ? ": HELD" : "");
    return 121;
}
