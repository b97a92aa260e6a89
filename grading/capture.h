/* Running a helper program (unzip, the harness's doctor) and reading what
 * it prints: one place for the grader's fork, exec and wait. */
#ifndef NSLAB_CAPTURE_H
#define NSLAB_CAPTURE_H

#include <stddef.h>

/* Run argv with stdin and stderr on /dev/null, in a session of its own (no
 * terminal to ask anything on), without core dumps; its stdout into buf
 * (NUL-terminated, cut at n - 1 bytes; the rest read and dropped, so the
 * program never blocks on a full pipe). file_bytes > 0: each file it writes
 * is cut there (RLIMIT_FSIZE); seconds > 0: it is killed after that long.
 * Its exit status, or -1 (it could not run, or was killed). */
int run_capture(char *const argv[], char *buf, size_t n, long file_bytes, unsigned seconds);

#endif
