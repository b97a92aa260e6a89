/* Hostile lab: opens /proc/sysrq-trigger and a global sysctl for writing.
 * It never writes. In the test world both opens must be refused. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void try_open(const char *path)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);

    fprintf(stderr, "open %s for writing: %s\n", path, fd != -1 ? "succeeded" : strerror(errno));
    if (fd != -1)
        close(fd);
}

int main(void)
{
    try_open("/proc/sysrq-trigger");
    try_open("/proc/sys/vm/swappiness");
    return 121;
}
