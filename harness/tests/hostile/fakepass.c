/* Hostile lab: prints what a grader's report looks like. Expect no points. */
#include <stdio.h>

int main(void)
{
    puts("01_clone_uts: hostname inside is the --hostname value .... PASS (0.0s) 2/2");
    puts("Score 01_clone_uts: 26/26");
    puts("{\"score\": 100, \"tests\": []}");
    puts("100%: Checks: 18, Failures: 0, Errors: 0");
    fprintf(stderr, "PASS\n");
    return 0;
}
