/* nslab-check compile LAB SRC OUT: compile a lab's source as the grader
 * does (grading/labs.tsv: the registry's flags and the lab's
 * libraries), in a test world of its own, as a lab runs:
 *
 *   - SRC must be a plain file (not a symbolic link, a FIFO, a folder or a
 *     device), at most 1 MiB; it is opened here and copied into the world as
 *     LAB.c, so the compiler's messages name the submission's file;
 *   - the compiler sees what every world sees (the system's programs,
 *     headers and libraries), and nothing of the kit, the grader's home or
 *     the machine's private files (#include "/proc/self/cwd/FILE" or an
 *     absolute path outside the system's finds nothing; an #include of a device finds no such device);
 *   - it has a time limit (30 s, or NSLAB_COMPILE_TIMEOUT), a memory limit
 *     (2 GiB of address space, and the world's cgroup), a limit on the size
 *     of what it writes (64 MiB), and its messages are bounded (64 KiB kept);
 *   - the program comes out of the world into OUT.
 *
 * Exit 0 compiled; 1 it did not (the compiler's messages, or the limit it
 * broke, on stderr: the grader's BUILD); 2 when no world could be made or
 * the arguments are wrong. */
#define _GNU_SOURCE
#include "commands.h"
#include "util.h"
#include "world.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SOURCE_CAP (1L << 20)                   /* a lab file's size, at most */
#define PROGRAM_CAP (64L << 20)                 /* what the compiler may write, and the program */
#define COMPILER_SPACE (2048L << 20)            /* the compiler's address space */
#define PROGRAM_IN_WORLD "/tmp/a.out"            /* (the world's /tmp: WORLD_KIT_DIR is not the compiler's) */

/* SRC, open, if it is a plain file a lab may be; else -1 with one line said. */
static int open_source(const char *src)
{
    struct stat st;
    int fd = open(src, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

    if (fd == -1) {
        if (errno == ELOOP)
            fprintf(stderr, "%s is a symbolic link: a lab is compiled from the file itself, not a link\n", src);
        else
            fprintf(stderr, "%s: %s\n", src, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "%s is not a plain file (%s): a lab is compiled from a C file\n", src,
                S_ISDIR(st.st_mode) ? "a folder" : S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISSOCK(st.st_mode) ? "a socket"
                : "a device or another special file");
        close(fd);
        return -1;
    }
    if (st.st_size > SOURCE_CAP) {
        fprintf(stderr, "%s is %lld bytes: a lab file is at most %ld\n", src, (long long)st.st_size, SOURCE_CAP);
        close(fd);
        return -1;
    }
    return fd;
}

/* The compiler's absolute path, found on PATH (the world has the same /usr
 * and /bin as the machine); NULL, said, when it is not there. */
static const char *compiler_path(const char *cc)
{
    static char found[PATH_MAX];
    char copy[4096], *save = NULL, *dir;
    const char *path = getenv("PATH");

    if (strchr(cc, '/'))
        return realpath(cc, found) ? found : cc;
    snprintf(copy, sizeof copy, "%s", path && *path ? path : "/usr/bin:/bin");
    for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        snprintf(found, sizeof found, "%s/%s", dir, cc);
        if (access(found, X_OK) == 0)
            return found;
    }
    fprintf(stderr, "nslab-check compile: no %s on PATH (make setup installs gcc)\n", cc);
    return NULL;
}

/* In W, once the compiler has ended: the program, out of the world into the
 * descriptor the caller opened (data). What happened goes to r->user. */
static void take_program_out(struct world_result *r, void *data)
{
    int out = *(int *)data, in = open(PROGRAM_IN_WORLD, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    off_t offset = 0;

    if (in == -1 || fstat(in, &st) == -1 || !S_ISREG(st.st_mode)) {
        snprintf(r->user, sizeof r->user, "no program: %s", in == -1 ? strerror(errno) : "not a plain file");
    } else if (st.st_size > PROGRAM_CAP) {
        snprintf(r->user, sizeof r->user, "the program is %lld bytes, more than %ld", (long long)st.st_size,
                 PROGRAM_CAP);
    } else {
        while (offset < st.st_size && sendfile(out, in, &offset, (size_t)(st.st_size - offset)) > 0)
            ;
        snprintf(r->user, sizeof r->user, offset == st.st_size ? "copied" : "the program could not be copied out: %s",
                 strerror(errno));
    }
    if (in != -1)
        close(in);
}

#define MESSAGES_SHOWN (32 * 1024)   /* of the compiler's messages (the grader keeps 64 KiB of ours) */

/* Up to *room bytes of text on stderr, taken off *room; the last byte
 * shown, or 0 when none was. */
static char show_part(const char *text, size_t *room)
{
    size_t n = strlen(text);

    if (n > *room)
        n = *room;
    fwrite(text, 1, n, stderr);
    *room -= n;
    return n ? text[n - 1] : 0;
}

/* The compiler's messages, the first MESSAGES_SHOWN bytes of them, on our
 * stderr, and how many more there were. */
static void show_messages(const struct world_result *r)
{
    size_t room = MESSAGES_SHOWN, shown;
    char last = show_part(r->out, &room), err_last = show_part(r->err, &room);

    if (err_last)
        last = err_last;
    shown = MESSAGES_SHOWN - room;
    if (r->out_total + r->err_total > shown)
        fprintf(stderr, "%s[... %zu more bytes of the compiler's messages not shown]\n", last && last != '\n' ? "\n" : "",
                r->out_total + r->err_total - shown);
}

int cmd_compile(const struct registry *reg, int argc, char **argv)
{
    char *args[160], words[8192], err[512], source_name[64];
    const char *cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc", *timeout = getenv("NSLAB_COMPILE_TIMEOUT");
    struct world_spec spec = { 0 };
    struct world_result *r;
    int lab, src, out;

    if (argc != 4) {
        fprintf(stderr, "usage: nslab-check compile LAB SRC OUT\n");
        return 2;
    }
    lab = registry_find(reg, argv[1]);
    if (lab < 0) {
        fprintf(stderr, "nslab-check compile: no lab \"%s\" (nslab-check list --all names them)\n", argv[1]);
        return 2;
    }
    snprintf(source_name, sizeof source_name, "%s.c", reg->labs[lab].name);
    cc = compiler_path(cc);
    if (!cc || registry_compile_argv(reg, lab, cc, source_name, PROGRAM_IN_WORLD, args, sizeof args / sizeof args[0], words,
                                     sizeof words, err, sizeof err) == -1) {
        if (cc)
            fprintf(stderr, "nslab-check compile: %s\n", err);
        return 2;
    }
    src = open_source(argv[2]);
    if (src == -1)
        return 1;
    out = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    if (out == -1) {
        fprintf(stderr, "nslab-check compile: %s: %s\n", argv[3], strerror(errno));
        close(src);
        return 2;
    }
    spec.argv = args;
    spec.source_fd = src;
    spec.source_name = source_name;
    spec.cwd = WORLD_KIT_DIR;
    spec.timeout = timeout && atof(timeout) > 0 ? atof(timeout) : 30;
    spec.address_space = COMPILER_SPACE;
    spec.file_size = PROGRAM_CAP;
    spec.after = take_program_out;
    spec.data = &out;
    r = world_run(&spec);
    close(src);
    close(out);
    if (!r || !r->ready) {
        fprintf(stderr, "nslab-check compile: no test world to compile in: %s\n",
                r ? r->env_error : "no memory");
        unlink(argv[3]);
        return 2;
    }
    show_messages(r);
    if (r->timed_out || !r->lab_exited || WIFSIGNALED(r->lab_status) || WEXITSTATUS(r->lab_status) ||
        strcmp(r->user, "copied")) {
        if (r->ended[0])
            fprintf(stderr, "the compiler was stopped: %s\n", r->ended);
        else if (r->timed_out)
            fprintf(stderr, "the compiler was still running after %.0f s (its time limit), and was stopped\n",
                    spec.timeout);
        else if (WIFSIGNALED(r->lab_status))
            fprintf(stderr, "the compiler was killed by signal %d (%s)%s\n", WTERMSIG(r->lab_status),
                    strsignal(WTERMSIG(r->lab_status)), WTERMSIG(r->lab_status) == SIGKILL ? ": its memory limit?" : "");
        else if (!WEXITSTATUS(r->lab_status))
            fprintf(stderr, "%s\n", r->user);
        unlink(argv[3]);
        return 1;
    }
    return 0;
}
