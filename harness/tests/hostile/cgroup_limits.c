/* Hostile lab: a lab 07 student who writes limits straight into
 * /sys/fs/cgroup: the world's own limit (which must be refused: the world
 * cannot raise its own), then a cgroup of its own (allowed: the world's
 * delegated subtree), which it removes again. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void write_to(const char *label, const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    int ok = fd != -1 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);

    fprintf(stderr, "%s (%s to %s): %s\n", label, text, path, ok ? "succeeded" : strerror(errno));
    if (fd != -1)
        close(fd);
}

int main(void)
{
    struct stat st;
    /* v1 has a pids hierarchy of its own; v2 has cgroup.controllers. */
    const char *base = stat("/sys/fs/cgroup/cgroup.controllers", &st) == 0 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/pids";
    char path[256];

    snprintf(path, sizeof path, "%s/pids.max", base);
    write_to("the world's own limit", path, "max");
    snprintf(path, sizeof path, "%s/nslab-limits", base);
    if (mkdir(path, 0755) == 0) {
        snprintf(path, sizeof path, "%s/nslab-limits/pids.max", base);
        write_to("a limit of its own cgroup", path, "7");
        snprintf(path, sizeof path, "%s/nslab-limits", base);
        rmdir(path);
    } else {
        fprintf(stderr, "mkdir %s: %s\n", path, strerror(errno));
    }
    return 121;
}
