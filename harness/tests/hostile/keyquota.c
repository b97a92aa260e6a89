/* Hostile lab: fills the key quota of the world's root (200 keys): 220
 * processes, each joining a session keyring of its own, held while the
 * lab runs. A world's own keyring, and every other world's of the same
 * owner made meanwhile, would find the quota full: ENV, the machine's
 * fault, for a lab's doing. The key API must be refused to the lab. */
#define _GNU_SOURCE
#include <linux/keyctl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    pid_t held[220];
    int made = 0, i;

    for (i = 0; i < 220; i++) {
        int p[2];
        char ok = 0;
        if (pipe(p) == -1)
            break;
        held[i] = fork();
        if (held[i] == 0) {
            ok = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) > 0;
            if (write(p[1], &ok, 1) != 1 || !ok)
                _exit(1);
            pause();
            _exit(0);
        }
        close(p[1]);
        if (held[i] == -1 || read(p[0], &ok, 1) != 1 || !ok) {
            close(p[0]);
            break;
        }
        close(p[0]);
        made++;
    }
    fprintf(stderr, "session keyrings held: %d%s\n", made, made ? ": KEYS MADE" : "");
    for (i = 0; i < made; i++)
        kill(held[i], SIGKILL);
    while (wait(NULL) > 0)
        ;
    return 121;
}
