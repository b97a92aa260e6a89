/* Hostile lab: swapoff(2) of a file that does not exist. It changes nothing
 * either way; in the test world it must fail with EPERM, named in the report. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/swap.h>

int main(void)
{
    int rc = swapoff("/nonexistent");

    fprintf(stderr, "swapoff: %s\n", rc == 0 ? "succeeded" : strerror(errno));
    return 121;
}
