/* Hostile lab: signals its whole process group, as a lab with a pid of 0
 * passed to kill(2) would. The harness must not be in that group. */
#include <signal.h>
#include <stdio.h>

int main(void)
{
    kill(0, SIGTERM);
    puts("container");
    return 0;
}
