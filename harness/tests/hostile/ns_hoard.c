/* Hostile lab: raises its own user namespace's cap on UTS namespaces (it is
 * root there) and holds as many as it can, each kept by an open
 * /proc/self/ns/uts. Past the world's cap of 64 the only limit is the
 * machine's user.max_uts_namespaces for the world's owner: at that limit
 * every other world of that owner cannot be made (ENV). The cap must live
 * where the lab is not root. (It stops at 100, far below the machine's.) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    FILE *f = fopen("/proc/sys/user/max_uts_namespaces", "w");
    int held = 0;

    if (f) {
        fputs("1000000", f);
        fprintf(stderr, "raise max_uts_namespaces: %s\n", fclose(f) == 0 ? "written" : strerror(errno));
    }
    while (held < 100 && unshare(CLONE_NEWUTS) == 0 && open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC) != -1)
        held++;
    fprintf(stderr, "UTS namespaces held: %d%s (then %s)\n", held, held > 64 ? ": PAST THE WORLD'S CAP" : "",
            held < 100 ? strerror(errno) : "it stopped");
    return 121;
}
