/* Hostile lab: never returns. Expect TIMEOUT, every process killed. */
#include <unistd.h>

int main(void)
{
    if (fork() == 0)       /* a child that hangs too */
        for (;;)
            pause();
    for (;;)
        pause();
}
