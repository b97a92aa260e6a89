/* Helpers of the harness; see util.h. */
#define _GNU_SOURCE
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

int capbuf_read(struct capbuf *b, int fd)
{
    char chunk[65536];
    ssize_t n;

    for (;;) {
        n = read(fd, chunk, sizeof chunk);
        if (n == 0)
            return 0;
        if (n < 0)
            return errno == EAGAIN || errno == EINTR ? 1 : -1;
        b->total += (size_t)n;
        if (b->len < b->cap) {
            size_t keep = b->cap - b->len < (size_t)n ? b->cap - b->len : (size_t)n;
            memcpy(b->data + b->len, chunk, keep);
            b->len += keep;
            b->data[b->len] = '\0';
        }
    }
}

void rand_hex(char *buf, size_t n)
{
    unsigned char bytes[64];
    size_t i;

    if (n > 2 * sizeof bytes)
        n = 2 * sizeof bytes;
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes)
        for (i = 0; i < sizeof bytes; i++)   /* never fails for 64 bytes, but */
            bytes[i] = (unsigned char)random();
    for (i = 0; i < n; i++)
        buf[i] = "0123456789abcdef"[(bytes[i / 2] >> (i % 2 ? 0 : 4)) & 15];
    buf[n] = '\0';
}

unsigned rand_range(unsigned lo, unsigned hi)
{
    unsigned v;

    if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v)
        v = (unsigned)random();
    return lo + v % (hi - lo + 1);
}

static int cmp_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Split text into a sorted array of lines (pointers into a copy). */
static char **sorted_lines(const char *text, char **copy, size_t *count)
{
    size_t n = 0, cap = 16;
    char **lines = malloc(cap * sizeof *lines);
    char *save = NULL, *line;

    *copy = strdup(text ? text : "");
    if (!lines || !*copy) {
        free(lines);
        free(*copy);
        *copy = NULL;
        *count = 0;
        return NULL;
    }
    for (line = strtok_r(*copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (n == cap) {
            char **more = realloc(lines, 2 * cap * sizeof *lines);
            if (!more)
                break;
            lines = more;
            cap *= 2;
        }
        lines[n++] = line;
    }
    qsort(lines, n, sizeof *lines, cmp_lines);
    *count = n;
    return lines;
}

char *diff_lines(const char *before, const char *after)
{
    char *bcopy, *acopy, *out = NULL;
    size_t nb, na, i = 0, j = 0, len = 0;
    char **b = sorted_lines(before, &bcopy, &nb);
    char **a = sorted_lines(after, &acopy, &na);
    FILE *f = open_memstream(&out, &len);

    if (!f || (!b && nb) || (!a && na))
        goto done;
    /* A merge of two sorted lists: what is in one and not the other. */
    while (i < nb || j < na) {
        int c = i == nb ? 1 : j == na ? -1 : strcmp(b[i], a[j]);
        if (c == 0) {
            i++;
            j++;
        } else if (c < 0) {
            fprintf(f, "- %s\n", b[i++]);
        } else {
            fprintf(f, "+ %s\n", a[j++]);
        }
    }
done:
    if (f)
        fclose(f);
    free(b);
    free(a);
    free(bcopy);
    free(acopy);
    if (out && len == 0) {
        free(out);
        out = NULL;
    }
    return out;
}

int kv_get(const char *text, const char *key, char *out, size_t n)
{
    size_t klen = strlen(key);
    const char *p = text;

    while (p && *p) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == ' ') {
            size_t vlen = len - klen - 1;
            if (vlen >= n)
                vlen = n - 1;
            memcpy(out, p + klen + 1, vlen);
            out[vlen] = '\0';
            return 1;
        }
        if (len == klen && strncmp(p, key, klen) == 0) {
            out[0] = '\0';
            return 1;
        }
        p = end ? end + 1 : NULL;
    }
    return 0;
}

int has_line(const char *text, const char *needle)
{
    size_t nlen = strlen(needle);
    const char *p = text;

    while (p && *p) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == nlen && strncmp(p, needle, nlen) == 0)
            return 1;
        p = end ? end + 1 : NULL;
    }
    return 0;
}

void appendf(char *buf, size_t n, const char *fmt, ...)
{
    size_t used = strnlen(buf, n);
    va_list ap;

    if (used + 1 >= n)
        return;
    va_start(ap, fmt);
    vsnprintf(buf + used, n - used, fmt, ap);
    va_end(ap);
}

void quote_argv(char *const argv[], char *out, size_t n)
{
    size_t i;

    out[0] = '\0';
    for (i = 0; argv[i]; i++) {
        const char *a = argv[i];
        const char *safe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%";
        if (i)
            appendf(out, n, " ");
        if (*a && strspn(a, safe) == strlen(a)) {
            appendf(out, n, "%s", a);
            continue;
        }
        appendf(out, n, "'");
        for (; *a; a++)
            if (*a == '\'')
                appendf(out, n, "'\\''");
            else
                appendf(out, n, "%c", *a);
        appendf(out, n, "'");
    }
}

void reset_signals(void)
{
    /* The kernel's struct for rt_sigaction(2): glibc's sigaction() and
     * signal() refuse its two internal signals (32 and 33), whose
     * disposition an exec keeps all the same when it is SIG_IGN. */
    /* { handler, flags, restorer, mask }: all zero is SIG_DFL. */
    unsigned long dfl[4] = { 0, 0, 0, 0 };
    int sig;

    for (sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            syscall(SYS_rt_sigaction, sig, dfl, NULL, sizeof dfl[3]);
}

int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC), saved;
    ssize_t n;

    if (fd == -1)
        return -1;
    n = write(fd, text, strlen(text));
    saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

DIR *opendir_at(int dir, const char *path)
{
    int fd = openat(dir, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd == -1 ? NULL : fdopendir(fd);

    if (!d && fd != -1)
        close(fd);
    return d;
}

ssize_t read_file(const char *path, char *buf, size_t n)
{
    return read_file_at(AT_FDCWD, path, buf, n);
}

ssize_t read_file_at(int dir, const char *path, char *buf, size_t n)
{
    int fd = openat(dir, path, O_RDONLY | O_CLOEXEC);
    size_t got = 0;
    ssize_t r;

    if (fd == -1)
        return -1;
    while (got + 1 < n && (r = read(fd, buf + got, n - 1 - got)) > 0)
        got += (size_t)r;
    buf[got] = '\0';
    close(fd);
    return (ssize_t)got;
}

char *read_whole(int dir, const char *path)
{
    int fd = openat(dir, path, O_RDONLY | O_CLOEXEC);
    size_t len = 0, cap = 16384;
    char *text = fd == -1 ? NULL : malloc(cap);
    ssize_t n;

    if (!text) {
        if (fd != -1)
            close(fd);
        return NULL;
    }
    while ((n = read(fd, text + len, cap - len - 1)) > 0 || (n == -1 && errno == EINTR)) {
        if (n > 0)
            len += (size_t)n;
        if (cap - len - 1 == 0) {
            char *more = realloc(text, cap * 2);
            if (!more) {
                n = -1;
                break;
            }
            text = more;
            cap *= 2;
        }
    }
    close(fd);
    if (n < 0) {
        free(text);
        return NULL;
    }
    text[len] = '\0';
    return text;
}

const char *helper_path(const char *name)
{
    static char path[PATH_MAX];
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    char *slash;

    if (n <= 0)
        return name;
    self[n] = '\0';
    slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    if (snprintf(path, sizeof path, "%s/%s", self, name) >= (int)sizeof path)
        return name;
    return path;
}
