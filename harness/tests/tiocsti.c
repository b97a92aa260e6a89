/* A test program tried by hand as a lab: it names its terminal, then types
 * a command into it (TIOCSTI), as a hostile lab would into the shell of the
 * user who tries it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
    const char *typed = "echo typed-by-the-lab\n";
    const char *tty = ttyname(0);
    size_t i;

    printf("a terminal of its own: %s\n", tty ? tty : "none");
    for (i = 0; i < strlen(typed); i++)
        if (ioctl(0, TIOCSTI, typed + i) == -1) {
            printf("TIOCSTI: %s\n", strerror(errno));
            break;
        }
    return 0;
}
