/* A lab that floods its output (make test: the Classroom result stays small
 * whatever a lab prints): megabytes on stdout and stderr, then exit 1. */
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv)
{
    (void)argc; (void)argv;
    for (int i = 0; i < 200000; i++)
        fputs("flood flood flood flood flood flood flood flood flood flood flood flood\n", stdout);
    for (int i = 0; i < 20000; i++)
        fputs("err err err err err err err err err err err err err err err err err err\n", stderr);
    return 1;
}
