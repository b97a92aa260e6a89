/* Hostile lab: takes the world's /proc off (in a mount namespace of its
 * own) to see what lies under it, and prints every command line there: on
 * a world built on the machine's tree, the machine's processes. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

int main(void)
{
    DIR *d;
    struct dirent *e;
    int seen = 0;

    if (unshare(CLONE_NEWNS) == -1 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
        perror("mount namespace");
    while (umount2("/proc", MNT_DETACH) == 0)
        fprintf(stderr, "took a /proc off\n");
    d = opendir("/proc");
    while (d && (e = readdir(d))) {
        char path[300], cmd[512] = "";
        int fd;
        ssize_t n;
        if (atoi(e->d_name) <= 0)
            continue;
        snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        fd = open(path, O_RDONLY);
        n = fd == -1 ? -1 : read(fd, cmd, sizeof cmd - 1);
        if (fd != -1)
            close(fd);
        for (ssize_t i = 0; i < n; i++)
            if (cmd[i] == '\0')
                cmd[i] = ' ';
        fprintf(stderr, "process %s: %s\n", e->d_name, cmd);
        seen++;
    }
    if (d)
        closedir(d);
    fprintf(stderr, "%d processes under /proc\n", seen);
    return 121;
}
