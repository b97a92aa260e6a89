/* Hostile lab: io_uring's IORING_OP_SOCKET makes a socket without socket(2),
 * so no seccomp rule on socket(2) sees it: a vsock socket (the machine's
 * ports) from inside the world, and any other call io_uring can make. The
 * world must refuse io_uring itself. (The socket is closed at once.) */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    struct io_uring_params p;
    struct io_uring_sqe *sqes;
    struct io_uring_cqe *cqes;
    size_t sq_size, cq_size;
    unsigned *tail, *mask, *array, idx;
    char *sq, *cq;
    long entered;
    int fd, res;

    memset(&p, 0, sizeof p);
    fd = (int)syscall(SYS_io_uring_setup, 4, &p);
    if (fd < 0) {
        fprintf(stderr, "io_uring_setup: %s\n", strerror(errno));
        return 121;
    }
    sq_size = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    cq_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    if (cq_size > sq_size)
        sq_size = cq_size;
    sq = mmap(NULL, sq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
    cq = (p.features & IORING_FEAT_SINGLE_MMAP) ? sq
         : mmap(NULL, cq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_CQ_RING);
    sqes = mmap(NULL, p.sq_entries * sizeof *sqes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                IORING_OFF_SQES);
    if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED) {
        fprintf(stderr, "io_uring mmap: %s\n", strerror(errno));
        return 121;
    }
    tail = (unsigned *)(sq + p.sq_off.tail);
    mask = (unsigned *)(sq + p.sq_off.ring_mask);
    array = (unsigned *)(sq + p.sq_off.array);
    idx = *tail & *mask;
    memset(&sqes[idx], 0, sizeof sqes[idx]);
    sqes[idx].opcode = IORING_OP_SOCKET;
    sqes[idx].fd = 40;   /* AF_VSOCK */
    sqes[idx].off = 1;   /* SOCK_STREAM */
    array[idx] = idx;
    __atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
    entered = syscall(SYS_io_uring_enter, fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0);
    cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
    res = cqes[*(unsigned *)(cq + p.cq_off.head) & *(unsigned *)(cq + p.cq_off.ring_mask)].res;
    fprintf(stderr, "io_uring_enter: %ld; IORING_OP_SOCKET(AF_VSOCK): %s\n", entered,
            entered == 1 && res >= 0 ? "A VSOCK SOCKET" : strerror(entered == 1 ? -res : errno));
    if (entered == 1 && res >= 0)
        close(res);
    return 121;
}
