/* Hostile lab: prints without end. Expect TIMEOUT and a capped capture. */
#include <string.h>
#include <unistd.h>

int main(void)
{
    char line[4096];

    memset(line, 'y', sizeof line - 1);
    line[sizeof line - 1] = '\n';
    for (;;)
        if (write(1, line, sizeof line) < 0)
            return 1;
}
