/* Hostile lab: makes a device node for the disk that holds / (it never
 * opens it), and mounts a devtmpfs (every device of the machine). In the
 * test world both must be refused. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
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
    mkdir("/tmp/nslab-devtmpfs", 0755);
    rc = mount("devtmpfs", "/tmp/nslab-devtmpfs", "devtmpfs", 0, NULL);
    fprintf(stderr, "mount devtmpfs: %s\n", rc == 0 ? "succeeded" : strerror(errno));
    return 121;
}
