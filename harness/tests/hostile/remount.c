/* Hostile lab: the student who means to make one view read-only and forgets
 * MS_BIND, so the remount reconfigures the whole filesystem. Its target is
 * the scratch tmpfs the kit's test mounts first (source
 * "nslab-remount-scratch"): outside a test world, as root, this turns that
 * filesystem read-only. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

int main(void)
{
    char line[4096], target[1024], source[256];
    FILE *f = fopen("/proc/self/mountinfo", "re");

    while (f && fgets(line, sizeof line, f)) {
        const char *dash = strstr(line, " - ");
        if (dash && sscanf(line, "%*s %*s %*s %*s %1023s", target) == 1 &&
            sscanf(dash, " - %*s %255s", source) == 1 && strcmp(source, "nslab-remount-scratch") == 0) {
            int rc = mount(NULL, target, NULL, MS_REMOUNT | MS_RDONLY, NULL);
            fprintf(stderr, "remount %s read-only: %s\n", target, rc == 0 ? "succeeded" : strerror(errno));
            return 121;
        }
    }
    fprintf(stderr, "no mount of nslab-remount-scratch\n");
    return 121;
}
