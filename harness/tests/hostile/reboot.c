/* Hostile lab: reboots. In a PID namespace other than the first, reboot(2)
 * only ends that namespace's PID 1: the test world's. Expect CRASH. */
#include <sys/reboot.h>
#include <unistd.h>

int main(void)
{
    sync();
    reboot(RB_AUTOBOOT);
    return 0;
}
