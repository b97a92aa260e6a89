/* Hostile lab: prints the environment it was given, where a grader's
 * tokens would be. The world gives a fixed small one: PATH, HOME, TERM,
 * LANG, nothing of the grader's. */
#include <stdio.h>

extern char **environ;

int main(void)
{
    char **e;

    for (e = environ; *e; e++)
        fprintf(stderr, "env: %s\n", *e);
    return 121;
}
