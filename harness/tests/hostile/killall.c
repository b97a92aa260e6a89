/* Hostile lab: kills every process it may signal, then succeeds. In the test
 * world that is only the world's own processes. */
#include <signal.h>
#include <stdio.h>

int main(void)
{
    kill(-1, SIGKILL);
    puts("container");
    return 0;
}
