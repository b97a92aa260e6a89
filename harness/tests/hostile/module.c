/* Hostile lab: finit_module(2) of no file at all (fd -1). It loads nothing
 * either way; in the test world it must fail with EPERM, named in the report. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    long rc = syscall(SYS_finit_module, -1, "", 0);

    fprintf(stderr, "finit_module: %s\n", rc == 0 ? "succeeded" : strerror(errno));
    return 121;
}
