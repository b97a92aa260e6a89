/* Hostile lab: the world's caps on the kernel's counts (user.max_*) are
 * sysctls of a user namespace; the lab, root of its own, raises its own
 * (which it may), then takes inotify instances past the world's cap of 8.
 * Every instance counts against the world's owner on the machine: as root,
 * one ID (another grader's worlds then get none); rootless, the user's own
 * (their editor's file watchers then get none). The caps must live where
 * the lab is not root: it gets 8, whatever it writes. (It stops at 16:
 * enough to prove the point, and little of anyone's share.) */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>

static void set_sysctl(const char *path, const char *value)
{
    FILE *f = fopen(path, "w");
    int ok = f && fputs(value, f) >= 0;

    if (f && fclose(f) != 0)
        ok = 0;
    fprintf(stderr, "raise %s to %s: %s\n", path, value, ok ? "written" : strerror(errno));
}

int main(void)
{
    int n = 0;

    set_sysctl("/proc/sys/user/max_inotify_instances", "100000");
    set_sysctl("/proc/sys/user/max_inotify_watches", "1000000");
    while (n < 16 && inotify_init1(IN_CLOEXEC) != -1)
        n++;
    fprintf(stderr, "inotify instances taken: %d%s\n", n, n > 8 ? ": PAST THE WORLD'S CAP" : "");
    return 121;
}
