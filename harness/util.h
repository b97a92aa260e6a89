/* Small helpers of the harness that know nothing about namespaces: random
 * values, capped capture, line-set diffs, probe report parsing, quoting.
 * The kit's own tests try each of them on its own. */
#ifndef NSLAB_UTIL_H
#define NSLAB_UTIL_H

#include <dirent.h>
#include <stddef.h>
#include <sys/types.h>

/* A buffer that keeps at most `cap` bytes of a stream and counts the rest. */
struct capbuf {
    char *data;       /* NUL-terminated; at most cap bytes kept */
    size_t cap;       /* bytes to keep */
    size_t len;       /* bytes kept */
    size_t total;     /* bytes seen in all */
};

/* Read what is available on fd (non-blocking) into b. Returns 0 at end of
 * file, 1 if data was read or the read would block, -1 on error. */
int capbuf_read(struct capbuf *b, int fd);

/* Fill buf with n lowercase hex digits from getrandom(2), NUL-terminated. */
void rand_hex(char *buf, size_t n);
/* A random integer in [lo, hi]. */
unsigned rand_range(unsigned lo, unsigned hi);

/* Compare two texts as multisets of lines. Returns NULL when they hold the
 * same lines (in any order); otherwise a malloc'd text of the lines only in
 * `before` ("- line") and only in `after` ("+ line"). */
char *diff_lines(const char *before, const char *after);

/* In a "key value" line text, copy the value of the first line whose key is
 * `key` into out. Returns 1 if found, 0 if not. */
int kv_get(const char *text, const char *key, char *out, size_t n);

/* Quote an argument vector the way a shell would need it, into out. */
void quote_argv(char *const argv[], char *out, size_t n);

/* Append formatted text to a fixed buffer, never overflowing it. */
void appendf(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Does text contain needle as a whole line? */
int has_line(const char *text, const char *needle);

/* Every signal back to its default action, glibc's internal ones too. */
void reset_signals(void);

/* Write text to an existing file in one write(2) (as /proc and cgroup files
 * want it); 0, or -1 with errno. */
int write_file(const char *path, const char *text);

/* opendir(3) of path relative to the directory fd dir (or AT_FDCWD). */
DIR *opendir_at(int dir, const char *path);

/* Read a whole (small) file into buf; returns bytes read or -1. */
ssize_t read_file(const char *path, char *buf, size_t n);
/* The same, with path relative to the directory fd dir (or AT_FDCWD). */
ssize_t read_file_at(int dir, const char *path, char *buf, size_t n);

/* A whole file, however long, malloc'd and NUL-terminated; NULL on error. */
char *read_whole(int dir, const char *path);

/* The path of a helper program (or file) that sits next to our own binary:
 * "nslab-probe" -> "/kit/build/nslab-probe". */
const char *helper_path(const char *name);

#endif
