/* Finding a student's lab files in a submission; see find.h. */
#define _GNU_SOURCE
#include "find.h"
#include "capture.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 16            /* folders deep */
#define MAX_ENTRIES 20000       /* files and folders looked at, in all */
#define MAX_ZIPS 4              /* zip files unpacked */
#define ZIP_MAX_BYTES (64L << 20)
#define ZIP_MAX_FILES 10000L
/* What unzip may write, whatever the zip's headers claim (they may lie):
 * only C-ish files ("*.c*"), at most ZIP_MAX_SOURCES of them, each cut at
 * ZIP_FILE_BYTES, in ZIP_SECONDS: 64 MiB a zip at most. */
#define ZIP_MAX_SOURCES 128L
#define ZIP_FILE_BYTES (512L << 10)
#define ZIP_SECONDS 30

struct entry {
    char *rel;                  /* inside the submission ("labs/03_pid.c", "work.zip/03_pid.c") */
    char *abs;                  /* where to open it */
    int depth;                  /* folders above it inside the submission */
    int in_labs;                /* its folder is named labs */
    int odd;                    /* its path holds a control character, or is not UTF-8 */
    int link;                   /* a symbolic link (never graded) */
};

struct submission {
    struct entry *e;
    size_t n, cap;
    long seen;                  /* entries looked at */
    int truncated;              /* the walk stopped at MAX_ENTRIES */
    const char *unpack;
    int zips;
};

static char *join(const char *a, const char *b)
{
    char *s = NULL;

    if (asprintf(&s, "%s%s%s", a ? a : "", a && *a ? "/" : "", b) < 0)
        return NULL;
    return s;
}

/* The length of the valid UTF-8 character at s (1 to 4), or 0. */
static int utf8_length(const unsigned char *s)
{
    int n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 && s[0] >= 0xc2 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3
          : (s[0] & 0xf8) == 0xf0 ? 4 : 0, i;
    unsigned cp;

    for (i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if (n == 3) {
        cp = ((s[0] & 0x0fu) << 12) | ((s[1] & 0x3fu) << 6) | (s[2] & 0x3fu);
        if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
    }
    if (n == 4) {
        cp = ((s[0] & 0x07u) << 18) | ((s[1] & 0x3fu) << 12) | ((s[2] & 0x3fu) << 6) | (s[3] & 0x3fu);
        if (cp < 0x10000 || cp > 0x10ffff)
            return 0;
    }
    return n;
}

/* A control character, or bytes that are not UTF-8: a name no report can
 * show as it is. */
static int has_control(const char *s)
{
    int n;

    for (; *s; s += n) {
        if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
            return 1;
        if (!(n = utf8_length((const unsigned char *)s)))
            return 1;
    }
    return 0;
}

static void add(struct submission *s, const char *rel, const char *abs, int depth, int in_labs, int link)
{
    struct entry *e;

    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        struct entry *more = realloc(s->e, cap * sizeof *more);
        if (!more)
            return;
        s->e = more;
        s->cap = cap;
    }
    e = &s->e[s->n];
    e->rel = strdup(rel);
    e->abs = strdup(abs);
    if (!e->rel || !e->abs) {
        free(e->rel);
        free(e->abs);
        return;
    }
    e->depth = depth;
    e->in_labs = in_labs;
    e->odd = has_control(rel);
    e->link = link;
    s->n++;
}

static const char *base(const char *rel);

/* A C-ish file: ".c" in its name ("03_pid.c", "03_PID.C", "03_pid.c.txt"),
 * what a zip gives out and what a near miss may be. */
static int c_ish(const char *rel)
{
    return strcasestr(base(rel), ".c") != NULL;
}

/* Unpack the C-ish files of ZIP into DIR, if it is small enough: 0, or -1.
 * unzip keeps every file inside DIR (it drops "../" from names). */
static int unzip_into(const char *zip, const char *dir)
{
    char *list[] = { "unzip", "-Zt", (char *)zip, NULL };
    char *names[] = { "unzip", "-Z1", (char *)zip, NULL };
    char *unpack[] = { "unzip", "-qq", "-o", "-C", (char *)zip, "*.c*", "-d", (char *)dir, NULL };
    char out[512], *all = malloc(1 << 20), *line, *save = NULL;
    const char *comma;
    long files = 0, bytes = 0, sources = 0;

    /* "3 files, 1234 bytes uncompressed, 567 bytes compressed:  54.1%" ("1 file, ...") */
    if (!all || run_capture(list, out, sizeof out, 0, ZIP_SECONDS) != 0 || sscanf(out, "%ld file", &files) != 1 ||
        !(comma = strchr(out, ',')) || sscanf(comma + 1, "%ld bytes", &bytes) != 1 || files > ZIP_MAX_FILES ||
        bytes > ZIP_MAX_BYTES || run_capture(names, all, 1 << 20, 0, ZIP_SECONDS) != 0) {
        free(all);
        return -1;
    }
    for (line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        sources += c_ish(line);
    free(all);
    if (sources > ZIP_MAX_SOURCES || (mkdir(dir, 0700) == -1 && errno != EEXIST))
        return -1;
    /* 1: warnings only; 11: no C-ish file in it */
    switch (run_capture(unpack, out, sizeof out, ZIP_FILE_BYTES, ZIP_SECONDS)) {
    case 0: case 1: case 11:
        return 0;
    default:
        return -1;
    }
}

static int ends_with_zip(const char *name)
{
    size_t n = strlen(name);

    return n > 4 && strcasecmp(name + n - 4, ".zip") == 0;
}

static void walk(struct submission *s, int fd, const char *abs, const char *rel, const char *folder, int depth)
{
    DIR *d = fdopendir(fd);
    struct dirent *de;

    if (!d) {
        close(fd);
        return;
    }
    while ((de = readdir(d))) {
        struct stat st;
        char *a, *r;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (++s->seen > MAX_ENTRIES) {
            s->truncated = 1;
            break;
        }
        if (de->d_name[0] == '.')   /* hidden: .git, labs/.base, editor files */
            continue;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
            continue;
        a = join(abs, de->d_name);
        r = join(rel, de->d_name);
        if (!a || !r) {
            free(a);
            free(r);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            int sub = depth + 1 < MAX_DEPTH
                          ? openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                          : -1;
            if (sub != -1)
                walk(s, sub, a, r, de->d_name, depth + 1);
        } else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
            add(s, r, a, depth, folder && strcmp(folder, "labs") == 0, S_ISLNK(st.st_mode));
            if (S_ISREG(st.st_mode) && ends_with_zip(de->d_name) && s->unpack && s->zips < MAX_ZIPS &&
                depth + 1 < MAX_DEPTH) {
                char *into = NULL;
                if (asprintf(&into, "%s/zip%d", s->unpack, s->zips++) >= 0 && unzip_into(a, into) == 0) {
                    int sub = open(into, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                    if (sub != -1)
                        walk(s, sub, into, r, NULL, depth + 1);
                }
                free(into);
            }
        }
        free(a);
        free(r);
    }
    closedir(d);
}

struct submission *submission_scan(const char *dir, const char *unpack, char *err, size_t errlen)
{
    struct submission *s = calloc(1, sizeof *s);
    int fd;

    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd == -1) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        free(s);
        return NULL;
    }
    if (unpack && mkdir(unpack, 0700) == -1 && errno != EEXIST)
        unpack = NULL;
    s->unpack = unpack;
    walk(s, fd, dir, "", NULL, 0);
    return s;
}

void submission_free(struct submission *s)
{
    size_t i;

    if (!s)
        return;
    for (i = 0; i < s->n; i++) {
        free(s->e[i].rel);
        free(s->e[i].abs);
    }
    free(s->e);
    free(s);
}

void found_free(struct found *f)
{
    free(f->path);
    free(f->shown);
    free(f->problem);
    memset(f, 0, sizeof *f);
}

/* A path as a message can show it: control characters escaped, quoted
 * when anything was. */
static char *shown(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(4 * n + 3), *p = out;

    if (!out)
        return NULL;
    if (has_control(s))
        *p++ = '"';
    while (*s) {
        unsigned char c = (unsigned char)*s;
        int len = utf8_length((const unsigned char *)s);
        if (c == '\n')
            p += sprintf(p, "\\n");
        else if (c == '\t')
            p += sprintf(p, "\\t");
        else if (c < 0x20 || c == 0x7f || !len)
            p += sprintf(p, "\\x%02x", c);
        else {
            memcpy(p, s, (size_t)len);
            p += len;
            s += len;
            continue;
        }
        s++;
    }
    if (p > out && *out == '"')
        *p++ = '"';
    *p = '\0';
    return out;
}

/* Lowercase letters and digits only: "03_PID (1).c" -> "03pid1c". */
static void squeeze(const char *s, char *out, size_t n)
{
    size_t k = 0;

    for (; *s && k + 1 < n; s++)
        if (isalnum((unsigned char)*s))
            out[k++] = (char)tolower((unsigned char)*s);
    out[k] = '\0';
}

static const char *base(const char *rel)
{
    const char *slash = strrchr(rel, '/');

    return slash ? slash + 1 : rel;
}

/* A C file named nearly as the lab (WANT squeezed): "03_PID.c",
 * "03_pid (1).c", "03_pid.c.txt"; not its handout, 03_pid.md. */
static int similar(const char *rel, const char *want)
{
    char have[256];

    squeeze(base(rel), have, sizeof have);
    return c_ish(rel) && strstr(have, want) != NULL;
}

/* Append to a malloc'd message. */
static void say(char **msg, const char *fmt, const char *a, const char *b)
{
    char *more = NULL;

    if (asprintf(&more, fmt, a ? a : "", b ? b : "") < 0)
        return;
    if (*msg) {
        char *both = NULL;
        if (asprintf(&both, "%s%s", *msg, more) >= 0) {
            free(*msg);
            *msg = both;
        }
        free(more);
    } else {
        *msg = more;
    }
}

static void say_path(char **msg, const char *fmt, const char *rel)
{
    char *p = shown(rel);

    say(msg, fmt, p, NULL);
    free(p);
}

int submission_find(const struct submission *s, const char *name, struct found *f)
{
    char file[256], want[256];
    size_t i, ngood = 0, nsimilar = 0;
    const struct entry *best = NULL, *tie = NULL, *odd = NULL, *link = NULL;
    int labs_only = 0;

    memset(f, 0, sizeof *f);
    snprintf(file, sizeof file, "%s.c", name);
    squeeze(name, want, sizeof want);
    /* A file in a labs/ folder first, if there is one. */
    for (i = 0; i < s->n; i++)
        if (!s->e[i].link && !s->e[i].odd && s->e[i].in_labs && strcmp(base(s->e[i].rel), file) == 0)
            labs_only = 1;
    for (i = 0; i < s->n; i++) {
        const struct entry *e = &s->e[i];
        if (strcmp(base(e->rel), file) != 0) {
            nsimilar += similar(e->rel, want);
            continue;
        }
        if (e->link) {
            link = link ? link : e;
            continue;
        }
        if (e->odd) {
            odd = odd ? odd : e;
            continue;
        }
        ngood++;
        if (labs_only && !e->in_labs)
            continue;
        if (!best || e->depth < best->depth) {
            best = e;
            tie = NULL;
        } else if (e->depth == best->depth && !tie) {
            tie = e;
        }
    }
    if (best && !tie) {
        f->path = strdup(best->abs);
        f->shown = shown(best->rel);
        return 1;
    }
    if (tie) {
        char *a = shown(best->rel), *b = shown(tie->rel);
        say(&f->problem, "two files named %s at the same depth, %s", file, a);
        say(&f->problem, " and %s: the grader cannot tell which one is lab %.2s; keep one (or put yours "
                         "in a folder named labs/)", b, name);
        free(a);
        free(b);
        return 1;
    }
    if (odd) {
        say_path(&f->problem, "%s is in a folder whose name holds a control character (a line break, a tab) "
                              "or bytes that are not UTF-8: rename the folder",
                 odd->rel);
        return 1;
    }
    if (link) {
        say_path(&f->problem, "%s is a symbolic link: submit the file itself", link->rel);
        return 1;
    }
    say(&f->problem, "no file named %s in the submission", file, NULL);
    if (nsimilar) {
        size_t told = 0;
        say(&f->problem, "; it holds ", NULL, NULL);
        for (i = 0; i < s->n && told < 3; i++) {
            if (similar(s->e[i].rel, want)) {
                say_path(&f->problem, told ? ", %s" : "%s", s->e[i].rel);
                told++;
            }
        }
        say(&f->problem, ": name your lab exactly %s (the grader takes that name only)", file, NULL);
    } else if (s->n == 0) {
        say(&f->problem, "; the submission is empty", NULL, NULL);
    } else {
        size_t told = 0, pass;
        say(&f->problem, "; it holds ", NULL, NULL);
        /* The C files first, then anything. */
        for (pass = 0; pass < 2; pass++)
            for (i = 0; i < s->n && told < 8; i++) {
                size_t len = strlen(s->e[i].rel);
                int c_file = len > 2 && strcmp(s->e[i].rel + len - 2, ".c") == 0;
                if (c_file == (pass == 0)) {
                    say_path(&f->problem, told ? ", %s" : "%s", s->e[i].rel);
                    told++;
                }
            }
        if (s->n > told) {
            char more[32];
            snprintf(more, sizeof more, "%zu", s->n - told);
            say(&f->problem, " and %s more files", more, NULL);
        }
    }
    if (s->truncated)
        say(&f->problem, " (only the first 20000 entries of the submission were searched)", NULL, NULL);
    return nsimilar > 0 || ngood > 0;
}
