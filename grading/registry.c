/* Reading grading/labs.tsv; see registry.h. */
#define _GNU_SOURCE
#include "registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copy a "-"-means-empty field into out. */
static void field(char *out, size_t n, const char *value)
{
    snprintf(out, n, "%s", strcmp(value, "-") == 0 ? "" : value);
}

int registry_load(const char *path, struct registry *reg, char *err, size_t errlen)
{
    FILE *f = fopen(path, "re");
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, rc = 0;

    memset(reg, 0, sizeof *reg);
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return -1;
    }
    while (rc == 0 && getline(&line, &cap, f) > 0) {
        char *cols[8], *save = NULL, *col;
        struct lab_entry *e;
        int n = 0;
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (strncmp(line, "#cflags\t", 8) == 0) {
            snprintf(reg->cflags, sizeof reg->cflags, "%s", line + 8);
            continue;
        }
        if (line[0] == '#' || line[0] == '\0')
            continue;
        for (col = strtok_r(line, "\t", &save); col && n < 8; col = strtok_r(NULL, "\t", &save))
            cols[n++] = col;
        if (n != 7 || reg->n == NLABS || atoi(cols[0]) != reg->n + 1 || strncmp(cols[1], cols[0], 2) != 0 ||
            (strcmp(cols[2], "ready") && strcmp(cols[2], "to-come"))) {
            snprintf(err, errlen, "%s:%d: expected \"NN<TAB>NN_name<TAB>ready|to-come<TAB>libraries<TAB>"
                     "namespaces<TAB>kernel<TAB>tools\", labs in order", path, lineno);
            rc = -1;
            break;
        }
        e = &reg->labs[reg->n++];
        snprintf(e->name, sizeof e->name, "%s", cols[1]);
        e->ready = strcmp(cols[2], "ready") == 0;
        field(e->libraries, sizeof e->libraries, cols[3]);
        field(e->needs_ns, sizeof e->needs_ns, cols[4]);
        field(e->kernel, sizeof e->kernel, cols[5]);
        field(e->tools, sizeof e->tools, cols[6]);
    }
    free(line);
    fclose(f);
    if (rc == 0 && (reg->n != NLABS || !reg->cflags[0])) {
        snprintf(err, errlen, "%s: expected %d labs and a #cflags line", path, NLABS);
        rc = -1;
    }
    return rc;
}

int registry_find(const struct registry *reg, const char *arg)
{
    char *end;
    long n;
    int i;

    for (i = 0; i < reg->n; i++)
        if (strcmp(arg, reg->labs[i].name) == 0)
            return i;
    n = strtol(arg, &end, 10);
    if (end == arg || *end != '\0' || n < 1 || n > reg->n)
        return -1;
    return (int)n - 1;
}
