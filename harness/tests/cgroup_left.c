/* A test program graded as a lab: it leaves a cgroup behind in the world's
 * /sys/fs/cgroup (v2, or v1's pids hierarchy), and does nothing else. The
 * kit's tests use it to see that the world's snapshot catches it. */
#include <sys/stat.h>

int main(void)
{
    mkdir("/sys/fs/cgroup/pids/nslab-left", 0755);
    mkdir("/sys/fs/cgroup/nslab-left", 0755);
    return 0;
}
