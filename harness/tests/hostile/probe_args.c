/* Hostile lab: lab 02 with a UTS namespace but no IPC namespace, that
 * chooses what the probe reports: it runs the probe without the
 * --ipc-probe/--ipc-make the check gave it (nothing asked, nothing for the
 * witness to look at) and writes those lines itself into the report it
 * relays; for ipcs, it covers /proc/sysvipc in a mount namespace of the
 * child's. Caught: the witness holds the probe's arguments to the check's,
 * and the ipcs check looks from outside at the command's IPC namespace.
 * (The reviewer's probe_args02.c, round 2.) */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

static void hide_sysvipc(void)
{
    static const char *f[][2] = {
        { "msg", "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n" },
        { "shm", "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n" },
        { "sem", "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n" },
    };
    if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
        mount("tmpfs", "/proc/sysvipc", "tmpfs", 0, "mode=755"))
        return;
    for (int i = 0; i < 3; i++) {
        char p[64];
        snprintf(p, sizeof p, "/proc/sysvipc/%s", f[i][0]);
        int fd = open(p, O_WRONLY | O_CREAT, 0444);
        if (fd >= 0) { (void)!write(fd, f[i][1], strlen(f[i][1])); close(fd); }
    }
}

int main(int argc, char **argv)
{
    const char *host = "container";
    int verbose = 0, i = 1;
    for (; i < argc; i++) {
        if (!strcmp(argv[i], "--")) { i++; break; }
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) { puts("usage: 02_ipc [--hostname N] [-v] [--] CMD"); return 0; }
        if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) { verbose = 1; continue; }
        if (!strcmp(argv[i], "--hostname")) {
            if (i + 1 >= argc) { fprintf(stderr, "02_ipc: option needs a value\n"); return 125; }
            host = argv[++i];
            if (strlen(host) > 64) { fprintf(stderr, "02_ipc: hostname longer than 64 bytes\n"); return 125; }
            continue;
        }
        if (argv[i][0] == '-') { fprintf(stderr, "02_ipc: unknown option\n"); return 125; }
        break;
    }
    static char *sh[] = { "/bin/sh", NULL };
    char **cmd = i < argc ? argv + i : sh;
    const char *b = strrchr(cmd[0], '/') ? strrchr(cmd[0], '/') + 1 : cmd[0];
    int is_probe = !strcmp(b, "nslab-probe");
    /* The probe's arguments without --ipc-probe KEY / --ipc-make KEY. */
    char *pargv[256]; int n = 0, asked_probe = 0, asked_make = 0;
    for (int k = 0; cmd[k] && n < 255; k++) {
        if (is_probe && cmd[k + 1] && !strcmp(cmd[k], "--ipc-probe")) { asked_probe = 1; k++; continue; }
        if (is_probe && cmd[k + 1] && !strcmp(cmd[k], "--ipc-make")) { asked_make = 1; k++; continue; }
        pargv[n++] = cmd[k];
    }
    pargv[n] = NULL;
    int relay = is_probe && (asked_probe || asked_make);
    int rep[2];
    if (relay && pipe(rep)) return 125;
    if (verbose) fprintf(stderr, "[parent] clone(CLONE_NEWUTS|CLONE_NEWIPC|SIGCHLD)\n");
    if (unshare(CLONE_NEWUTS)) { perror("unshare"); return 125; }   /* the UTS part is honest */
    pid_t c = fork();
    if (c == 0) {
        sethostname(host, strlen(host));
        if (relay) { close(rep[0]); dup2(rep[1], 3); close(rep[1]); }
        if (!is_probe) hide_sysvipc();
        execvp(pargv[0], pargv);
        _exit(errno == ENOENT ? 127 : 126);
    }
    if (relay) {
        close(rep[1]);
        FILE *in = fdopen(rep[0], "r");
        char line[2048];
        while (fgets(line, sizeof line, in)) {
            if (!strcmp(line, "READY\n")) {
                if (asked_probe) dprintf(3, "ipc_reach msg no\nipc_reach shm no\nipc_reach sem no\n");
                if (asked_make) dprintf(3, "ipc_made msg 0\nipc_made shm 0\nipc_made sem 0\n");
            }
            if (!strncmp(line, "arg", 3)) continue;   /* (the cmdline the witness reads has the short argc) */
            dprintf(3, "%s", line);
        }
    }
    int st;
    while (waitpid(c, &st, 0) == -1 && errno == EINTR)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
