/* The kit's one list of labs, grading/labs.tsv: names, what is ready, the
 * compile line, and what each lab needs of the machine. Read by the grader
 * and the harness (and, with awk, by the Makefile, the tests and doctor). */
#ifndef NSLAB_REGISTRY_H
#define NSLAB_REGISTRY_H

#include <stddef.h>

#define NLABS 10

struct lab_entry {
    char name[32];          /* "03_pid" */
    int ready;              /* its checks, rubric, starter and solution exist */
    char libraries[256];    /* pkg-config names, comma-separated */
    char needs_ns[128];     /* namespace types its own layer needs, comma-separated */
    char kernel[16];        /* the oldest Linux that runs it: "5.6" */
    char tools[256];        /* "ipcs:util-linux,..." */
};

struct registry {
    char cflags[256];       /* the flags every lab is compiled with */
    struct lab_entry labs[NLABS];
    int n;
};

/* Read the registry; on error fill err ("FILE:LINE: what") and return -1. */
int registry_load(const char *path, struct registry *reg, char *err, size_t errlen);
/* "3", "03", "03_pid" -> its index; -1 if no such lab. */
int registry_find(const struct registry *reg, const char *arg);

#endif
