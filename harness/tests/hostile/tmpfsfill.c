/* Hostile lab: a tmpfs of its own (no size given: half the machine's
 * memory) filled as fast as it can. A world with a cgroup holds it to the
 * world's memory; a world without one (rootless on cgroup v1) ends it at
 * 256 MiB of the machine's shared memory. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
    static char block[1 << 20];
    long written = 0;
    int fd;

    if (unshare(CLONE_NEWNS) == -1 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
        mkdir("/tmp/fill", 0755) == -1 || mount("none", "/tmp/fill", "tmpfs", 0, NULL) == -1) {
        perror("a tmpfs of its own");
        return 121;
    }
    memset(block, 'x', sizeof block);
    fd = open("/tmp/fill/big", O_WRONLY | O_CREAT, 0644);
    while (fd != -1 && written < 8192 && write(fd, block, sizeof block) == (ssize_t)sizeof block)
        written++;
    fprintf(stderr, "wrote %ld MiB\n", written);
    pause();
    return 121;
}
