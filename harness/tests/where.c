/* A test program graded as a lab: prints where it runs (its v2 cgroup line,
 * how many processes the world's root cgroup holds, its user namespace's
 * uid_map), then exits 121. The kit's tests use it to see the world from
 * inside. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    return system("grep '^0::' /proc/self/cgroup; echo procs-at-root $(wc -l < /sys/fs/cgroup/cgroup.procs);"
                  "echo uid_map $(cat /proc/self/uid_map)") == -1 ? 1 : 121;
}
