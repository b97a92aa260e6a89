/* Hostile lab: hundreds of sibling cgroups in the world's own tree (v1's
 * pids and memory hierarchies, or v2's), left behind. Cgroup v1 has no
 * limit on how many a world makes (memory cgroups cost about 10 KiB each,
 * and their IDs are the machine's: 65535 in all), and a harness that
 * removes the tree badly leaves it on the machine. The world is ended past
 * 512 cgroups, and nothing of them may stay. (It stops at 600 a hierarchy.) */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
    static const char *const roots[] = { "/sys/fs/cgroup/pids", "/sys/fs/cgroup/memory", "/sys/fs/cgroup" };
    char path[128];
    int r, n;

    for (r = 0; r < 3; r++) {
        if (r == 2 && access("/sys/fs/cgroup/cgroup.controllers", F_OK) != 0)
            break;   /* v1: done */
        if (access(roots[r], F_OK) != 0)
            continue;
        for (n = 0; n < 600; n++) {
            snprintf(path, sizeof path, "%s/fan-%d", roots[r], n);
            if (mkdir(path, 0755) == -1)
                break;
        }
        fprintf(stderr, "%s: left %d cgroups%s%s\n", roots[r], n, n < 600 ? ", then " : "",
                n < 600 ? strerror(errno) : "");
    }
    return 121;
}
