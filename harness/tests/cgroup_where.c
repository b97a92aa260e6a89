/* A test program graded as a lab: prints the cgroup it runs in (the v2
 * line of /proc/self/cgroup) and what /sys/fs/cgroup holds, then exits 121.
 * The kit's tests use it to see the world's cgroup from inside. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    return system("grep '^0::' /proc/self/cgroup; echo procs-at-root $(wc -l < /sys/fs/cgroup/cgroup.procs)") == -1 ? 1 : 121;
}
