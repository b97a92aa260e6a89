/* Hostile lab: a lab 09 student who sets the clock instead of an offset.
 * settimeofday(NULL, NULL) changes nothing even as root; in the test world
 * it must fail with EPERM, and the report must name the call. (The raw
 * system call: glibc's wrapper reads through the NULL.) */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    long rc = syscall(SYS_settimeofday, NULL, NULL);

    fprintf(stderr, "settimeofday: %s\n", rc == 0 ? "succeeded" : strerror(errno));
    return 121;
}
