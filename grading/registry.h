/* The kit's one list of labs, grading/labs.tsv: names, what is ready, the
 * compile line, what each lab needs of the machine and of its test world,
 * and the options it adds. Read here only: the harness and the grader link
 * this file, and every script asks `nslab-check` (list, info, needs ...). */
#ifndef NSLAB_REGISTRY_H
#define NSLAB_REGISTRY_H

#include <stddef.h>

/* Room for labs, not their number (the registry's rows say how many). */
#define REGISTRY_MAX 99

/* What a lab's test world must give it (the registry's `world` column). */
enum world_need {
    NEED_IDS = 1,       /* 65536 IDs besides root (a user namespace's default map) */
    NEED_CGROUP = 2,    /* cgroups of its own */
    NEED_ROOT = 4,      /* a root filesystem to pivot into (--root) */
};

struct lab_entry {
    char id[3];             /* "03" */
    char name[32];          /* "03_pid" */
    int ready;              /* its checks, rubric and starter exist */
    char libraries[256];    /* pkg-config names, comma-separated */
    char needs_ns[128];     /* namespace types its own layer needs, comma-separated */
    char kernel[16];        /* the oldest Linux that runs it: "5.6" */
    char tools[256];        /* "ipcs:util-linux,..." */
    int world;              /* enum world_need bits of its own layer */
    char options[256];      /* the options it adds: "--ip,--host-ip" */
};

struct registry {
    char cflags[256];       /* the flags every lab is compiled with */
    struct lab_entry labs[REGISTRY_MAX];
    int n;
};

/* Read the registry; on error fill err ("FILE:LINE: what") and return -1. */
int registry_load(const char *path, struct registry *reg, char *err, size_t errlen);
/* "3", "03", "03_pid" -> its index; -1 if no such lab. */
int registry_find(const struct registry *reg, const char *arg);
/* The world lab index i needs: its own layer's and every earlier one's. */
int registry_world(const struct registry *reg, int i);
/* Does lab index i have the option (its own or an earlier lab's)? */
int registry_has_option(const struct registry *reg, int i, const char *option);
/* The compile line of lab index i as words (cc and CFLAGS; -o OUT SRC; then
 * pkg-config's flags of its libraries) into argv (at most max - 1 words, NULL
 * last), the words kept in buf. 0, or -1 (err filled) when pkg-config fails. */
int registry_compile_argv(const struct registry *reg, int i, const char *cc, const char *src, const char *out,
                          char **argv, size_t max, char *buf, size_t n, char *err, size_t errlen);

#endif
