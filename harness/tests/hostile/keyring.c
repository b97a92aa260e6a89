/* Hostile lab: reads the keys of the session and user keyrings it was given
 * (a login, sudo, ssh or a systemd service gives the grader one), prints
 * their descriptions, and plants a key of its own in each. The world's
 * keyring must be its own and empty: nothing of the grader's is read, and
 * nothing planted stays. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void list(long keyring, const char *name)
{
    long ids[64], n = syscall(SYS_keyctl, KEYCTL_READ, keyring, ids, sizeof ids, 0), i;

    if (n < 0) {
        fprintf(stderr, "read %s: %s\n", name, strerror(errno));
        return;
    }
    for (i = 0; i < n / (long)sizeof ids[0] && i < 64; i++) {
        char desc[256] = "";
        syscall(SYS_keyctl, KEYCTL_DESCRIBE, ids[i], desc, sizeof desc - 1, 0);
        fprintf(stderr, "%s holds: %s\n", name, desc);
    }
}

int main(void)
{
    list(KEY_SPEC_SESSION_KEYRING, "session keyring");
    list(KEY_SPEC_USER_KEYRING, "user keyring");
    fprintf(stderr, "plant in the session keyring: %s\n",
            syscall(SYS_add_key, "user", "nslab-planted", "x", 1, KEY_SPEC_SESSION_KEYRING) == -1 ? strerror(errno)
                                                                                                : "succeeded");
    fprintf(stderr, "plant in the user keyring: %s\n",
            syscall(SYS_add_key, "user", "nslab-planted", "x", 1, KEY_SPEC_USER_KEYRING) == -1 ? strerror(errno)
                                                                                             : "succeeded");
    return 121;
}
