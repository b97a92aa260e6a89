/* Hostile lab: leaves 4000 mounts in the test world (it makes no mount
 * namespace of its own), so that the world's mount table no longer fits in
 * the harness's snapshot. What a lab causes is the lab's verdict: FAIL,
 * saying so, never ENV ("not the student's fault") and never a PASS on a
 * snapshot cut short. */
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>

int main(void)
{
    int i, made = 0;

    mkdir("/tmp/m", 0755);
    for (i = 0; i < 4000; i++)
        made += mount("none", "/tmp/m", "tmpfs", 0, "size=4k") == 0;
    printf("%d mounts made\n", made);
    return 121;
}
