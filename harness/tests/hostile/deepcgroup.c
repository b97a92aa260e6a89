/* Hostile lab: a chain of cgroups longer than PATH_MAX in the world's own
 * cgroup tree (v2, or v1's pids hierarchy), made folder by folder from the
 * last one, and left behind: a harness that removes by path leaves it on
 * the machine. Nothing of it may stay. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
    static const char *const roots[] = { "/sys/fs/cgroup/pids", "/sys/fs/cgroup" };
    int r, depth;

    for (r = 0; r < 2; r++) {
        int dir = open(roots[r], O_RDONLY | O_DIRECTORY);
        for (depth = 0; dir != -1 && depth < 2000; depth++) {
            int next;
            if (mkdirat(dir, "nslab-deep-0123456789", 0755) == -1)
                break;
            next = openat(dir, "nslab-deep-0123456789", O_RDONLY | O_DIRECTORY);
            close(dir);
            dir = next;
        }
        if (dir != -1)
            close(dir);
        fprintf(stderr, "%s: a chain of %d cgroups\n", roots[r], depth);
    }
    return 121;
}
