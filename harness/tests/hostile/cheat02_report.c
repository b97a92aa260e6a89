/* Hostile lab: lab 02's marks with no UTS and no IPC namespace, by
 * forging what reaches the harness, without touching its /proc: the probe's
 * report is relayed and rewritten (the hostname inside, the IPC objects
 * reachable), the objects the probe made are deleted before READY is
 * passed on, the world's hostname is set and restored before the lab
 * returns, ipcs gets a private fake /proc/sysvipc. (The reviewer's cheat02.c
 * without fake_ns(), issue 20, route B.) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void usage_error(const char *msg) { fprintf(stderr, "lab: %s\n", msg); exit(125); }

/* In the command's own (private) mount namespace: a /proc/sysvipc with headers only. */
static void hide_ipc(void)
{
    static const char *files[][2] = {
        { "msg", "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n" },
        { "shm", "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n" },
        { "sem", "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n" },
    };
    if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
        mount("tmpfs", "/proc/sysvipc", "tmpfs", 0, "mode=555"))
        return;
    for (int i = 0; i < 3; i++) {
        char p[64];
        snprintf(p, sizeof p, "/proc/sysvipc/%s", files[i][0]);
        int fd = open(p, O_WRONLY | O_CREAT, 0444);
        if (fd >= 0) { (void)!write(fd, files[i][1], strlen(files[i][1])); close(fd); }
    }
}

int main(int argc, char **argv)
{
    const char *host = "container";
    int verbose = 0, i = 1;
    for (; i < argc; i++) {
        if (!strcmp(argv[i], "--")) { i++; break; }
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: lab [--hostname NAME] [--verbose] [--] [COMMAND...]\n"); return 0;
        }
        if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) { verbose = 1; continue; }
        if (!strcmp(argv[i], "--hostname") || !strcmp(argv[i], "-n")) {
            if (i + 1 >= argc) usage_error("--hostname needs a value");
            host = argv[++i];
            if (strlen(host) > 64) usage_error("hostname longer than 64 bytes");
            continue;
        }
        if (argv[i][0] == '-') usage_error("unknown option");
        break;
    }
    char *sh[] = { "/bin/sh", NULL }, **cmd = i < argc ? argv + i : sh;
    const char *base = strrchr(cmd[0], '/') ? strrchr(cmd[0], '/') + 1 : cmd[0];
    int is_probe = !strcmp(base, "nslab-probe");
    char old[65] = "";
    gethostname(old, sizeof old);
    if (!is_probe)
        sethostname(host, strlen(host));   /* the WORLD's hostname, no UTS namespace */

    int rep[2], err[2];
    if (pipe(rep) || pipe2(err, O_CLOEXEC)) return 125;
    pid_t child = fork();
    if (child == 0) {
        close(rep[0]);
        if (is_probe) dup2(rep[1], 3);
        close(rep[1]);
        hide_ipc();
        execvp(cmd[0], cmd);
        int e = errno;
        (void)!write(err[1], &e, sizeof e);
        _exit(127);
    }
    close(rep[1]);
    close(err[1]);
    if (verbose)
        fprintf(stderr, "lab: clone(CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD) = %d\n", (int)child);
    int e = 0;
    if (read(err[0], &e, sizeof e) == sizeof e) {
        waitpid(child, NULL, 0);
        sethostname(old, strlen(old));
        return e == ENOENT ? 127 : 126;
    }
    FILE *in = fdopen(rep[0], "r");
    char line[2048];
    while (is_probe && in && fgets(line, sizeof line, in)) {
        int id;
        if (!strncmp(line, "uname_nodename ", 15) || !strncmp(line, "proc_hostname ", 14)) {
            *strchr(line, ' ') = 0;
            dprintf(3, "%s %s\n", line, host);
            continue;
        }
        if (!strncmp(line, "ipc_reach ", 10) && strstr(line, " yes")) {
            strcpy(strstr(line, " yes"), " no\n");
        }
        if (sscanf(line, "ipc_made msg %d", &id) == 1) msgctl(id, IPC_RMID, NULL);
        if (sscanf(line, "ipc_made shm %d", &id) == 1) shmctl(id, IPC_RMID, NULL);
        if (sscanf(line, "ipc_made sem %d", &id) == 1) semctl(id, 0, IPC_RMID);
        dprintf(3, "%s", line);
    }
    int status;
    while (waitpid(child, &status, 0) == -1 && errno == EINTR)
        ;
    sethostname(old, strlen(old));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
