/* Hostile lab: socket(2)'s family and ioctl(2)'s request are 32-bit to the
 * kernel, which drops a register's upper half; a filter that compares all
 * 64 bits lets socket(AF_VSOCK | 1 << 32) and ioctl(TIOCSTI | 1 << 32)
 * through. Both must be refused, and named, as their plain forms are. (The
 * socket, if made, is closed at once; stdin is no terminal in a check.) */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    char c = '#';
    long s = syscall(SYS_socket, 40L /* AF_VSOCK */ | (1L << 32), 1L /* SOCK_STREAM */, 0L);
    long t;

    fprintf(stderr, "socket(AF_VSOCK | 1 << 32): %s\n", s >= 0 ? "A VSOCK SOCKET" : strerror(errno));
    if (s >= 0)
        close((int)s);
    t = syscall(SYS_ioctl, 0L, (long)TIOCSTI | (1L << 32), &c);
    fprintf(stderr, "ioctl(0, TIOCSTI | 1 << 32): %s\n", t == 0 ? "TYPED" : strerror(errno));
    return 121;
}
