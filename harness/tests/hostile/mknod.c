/* Hostile lab: makes a device node for the disk that holds / (it never
 * opens it). In the test world mknod(2) must be refused. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

int main(void)
{
    struct stat st;
    int rc;

    if (stat("/", &st) == -1)
        return 121;
    rc = mknod("/tmp/nslab-disk", S_IFBLK | 0600, st.st_dev);
    fprintf(stderr, "mknod /tmp/nslab-disk (block %u:%u): %s\n", major(st.st_dev), minor(st.st_dev),
            rc == 0 ? "succeeded" : strerror(errno));
    return 121;
}
