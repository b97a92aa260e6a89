/* Hostile lab: System V message queues live in the kernel's memory (not a
 * tmpfs's, not the lab's address space), and the world's root may raise
 * its IPC namespace's kernel.msgmnb. Without a cgroup (rootless on cgroup
 * v1) only a watch on the machine's available memory can end it. Queues
 * half the machine's available memory, at most 1.5 GiB, in 1 MiB messages;
 * it says HELD if it got all of it, and held it a second. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
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

static void set_sysctl(const char *path, const char *value)
{
    FILE *f = fopen(path, "w");

    if (f) {
        fputs(value, f);
        fclose(f);
    }
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
    struct { long type; char text[1 << 20]; } *m = malloc(sizeof *m);
    long want = available_mb() / 2, sent = 0;
    int q;

    if (want > 1536)
        want = 1536;
    set_sysctl("/proc/sys/kernel/msgmax", "1048576");
    set_sysctl("/proc/sys/kernel/msgmnb", "2147483647");
    q = msgget(IPC_PRIVATE, 0600);
    if (!m || q == -1) {
        perror("a message queue");
        return 121;
    }
    memset(m, 'x', sizeof *m);
    m->type = 1;
    while (sent < want && msgsnd(q, m, sizeof m->text, IPC_NOWAIT) == 0)
        sent++;
    hold_a_second();
    msgctl(q, IPC_RMID, NULL);   /* (so that the report shows what it says) */
    fprintf(stderr, "queued %ld of %ld MiB, held a second%s\n", sent, want, sent == want ? ": HELD" : "");
    return 121;
}
