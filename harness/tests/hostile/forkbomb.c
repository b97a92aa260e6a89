/* Hostile lab: forks without end. Expect the world's pids limit to hold it
 * and the time limit to end it. */
#include <unistd.h>

int main(void)
{
    for (;;)
        fork();
}
