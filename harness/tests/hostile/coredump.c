/* Hostile lab: crashes, after raising its core dump limit as far as it
 * may. A core_pattern that pipes to a program (systemd-coredump, apport)
 * ignores a limit of 0: the crash of every lab would go to a program that
 * runs as root of the machine. Only a hard limit of 1 stops it, and the
 * lab must not be able to raise it. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

int main(void)
{
    struct rlimit all = { RLIM_INFINITY, RLIM_INFINITY }, now;

    setrlimit(RLIMIT_CORE, &all);
    getrlimit(RLIMIT_CORE, &now);
    fprintf(stderr, "core limit: %llu, hard %llu%s\n", (unsigned long long)now.rlim_cur,
            (unsigned long long)now.rlim_max, now.rlim_max != 1 ? ": A PIPE WOULD GET THE CRASH" : "");
    abort();
}
