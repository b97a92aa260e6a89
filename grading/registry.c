/* Reading grading/labs.tsv; see registry.h. */
#define _GNU_SOURCE
#include "registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLUMNS 9

/* Copy a "-"-means-empty field into out. */
static void field(char *out, size_t n, const char *value)
{
    snprintf(out, n, "%s", strcmp(value, "-") == 0 ? "" : value);
}

/* "ids,cgroup" -> NEED_IDS | NEED_CGROUP; -1 for a word it does not know. */
static int world_needs(const char *list)
{
    char copy[128], *save = NULL, *w;
    int needs = 0;

    snprintf(copy, sizeof copy, "%s", list);
    for (w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        if (strcmp(w, "ids") == 0)
            needs |= NEED_IDS;
        else if (strcmp(w, "cgroup") == 0)
            needs |= NEED_CGROUP;
        else if (strcmp(w, "root") == 0)
            needs |= NEED_ROOT;
        else if (strcmp(w, "-") != 0)
            return -1;
    }
    return needs;
}

/* One row into e; 0, or -1 when it is not a row of lab number `number`. */
static int parse_row(char **cols, int n, int number, struct lab_entry *e)
{
    char expected[16];

    snprintf(expected, sizeof expected, "%02d", number % 100);
    if (n != COLUMNS || strcmp(cols[0], expected) != 0 || strncmp(cols[1], cols[0], 2) != 0 || cols[1][2] != '_' ||
        strlen(cols[1]) >= sizeof e->name || (strcmp(cols[2], "ready") && strcmp(cols[2], "to-come")))
        return -1;
    e->world = world_needs(cols[7]);
    if (e->world < 0)
        return -1;
    snprintf(e->id, sizeof e->id, "%s", cols[0]);
    snprintf(e->name, sizeof e->name, "%s", cols[1]);
    e->ready = strcmp(cols[2], "ready") == 0;
    field(e->libraries, sizeof e->libraries, cols[3]);
    field(e->needs_ns, sizeof e->needs_ns, cols[4]);
    field(e->kernel, sizeof e->kernel, cols[5]);
    field(e->tools, sizeof e->tools, cols[6]);
    field(e->options, sizeof e->options, cols[8]);
    return 0;
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
        char *cols[COLUMNS + 1], *save = NULL, *col;
        int n = 0;
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (strncmp(line, "#cflags\t", 8) == 0) {
            snprintf(reg->cflags, sizeof reg->cflags, "%s", line + 8);
            continue;
        }
        if (line[0] == '#' || line[0] == '\0')
            continue;
        for (col = strtok_r(line, "\t", &save); col && n <= COLUMNS; col = strtok_r(NULL, "\t", &save))
            cols[n++] = col;
        if (reg->n == REGISTRY_MAX || parse_row(cols, n, reg->n + 1, &reg->labs[reg->n]) == -1) {
            snprintf(err, errlen, "%s:%d: expected \"NN<TAB>NN_name<TAB>ready|to-come<TAB>libraries<TAB>"
                     "namespaces<TAB>kernel<TAB>tools<TAB>world<TAB>options\", labs in order from 01", path, lineno);
            rc = -1;
            break;
        }
        reg->n++;
    }
    free(line);
    fclose(f);
    if (rc == 0 && (reg->n == 0 || !reg->cflags[0])) {
        snprintf(err, errlen, "%s: expected a #cflags line and at least one lab", path);
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

int registry_world(const struct registry *reg, int i)
{
    int needs = 0, l;

    for (l = 0; l <= i && l < reg->n; l++)
        needs |= reg->labs[l].world;
    return needs;
}

int registry_has_option(const struct registry *reg, int i, const char *option)
{
    int l;

    for (l = 0; l <= i && l < reg->n; l++) {
        char copy[256], *save = NULL, *w;
        snprintf(copy, sizeof copy, "%s", reg->labs[l].options);
        for (w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
            if (strcmp(w, option) == 0)
                return 1;
    }
    return 0;
}

int registry_compile_argv(const struct registry *reg, int i, const char *cc, const char *src, const char *out,
                          char **argv, size_t max, char *buf, size_t n, char *err, size_t errlen)
{
    char cmd[512], *save = NULL, *word;
    size_t argc = 0, used;
    FILE *p;

    if (max < 8 || i < 0 || i >= reg->n) {
        snprintf(err, errlen, "no such lab");
        return -1;
    }
    /* cc and the flags first, then pkg-config's words after them in buf. */
    used = (size_t)snprintf(buf, n, "%s", reg->cflags) + 1;
    if (used >= n) {
        snprintf(err, errlen, "the compile line is too long");
        return -1;
    }
    argv[argc++] = (char *)cc;
    for (word = strtok_r(buf, " \t", &save); word && argc < max - 4; word = strtok_r(NULL, " \t", &save))
        argv[argc++] = word;
    argv[argc++] = "-o";
    argv[argc++] = (char *)out;
    argv[argc++] = (char *)src;
    if (reg->labs[i].libraries[0]) {
        size_t k, len;
        snprintf(cmd, sizeof cmd, "pkg-config --cflags --libs %s 2>&1", reg->labs[i].libraries);
        for (k = 0; cmd[k]; k++)
            if (cmd[k] == ',')
                cmd[k] = ' ';
        p = popen(cmd, "re");
        if (!p || !fgets(buf + used, (int)(n - used), p)) {
            snprintf(err, errlen, "pkg-config --cflags --libs %s gave nothing (make setup installs them)",
                     reg->labs[i].libraries);
            if (p)
                pclose(p);
            return -1;
        }
        len = strlen(buf + used);
        if (pclose(p) != 0) {
            snprintf(err, errlen, "pkg-config: %.*s", (int)strcspn(buf + used, "\n"), buf + used);
            return -1;
        }
        if (len && buf[used + len - 1] != '\n') {
            snprintf(err, errlen, "pkg-config's flags are too long");
            return -1;
        }
        save = NULL;
        for (word = strtok_r(buf + used, " \t\n", &save); word && argc < max - 1; word = strtok_r(NULL, " \t\n", &save))
            argv[argc++] = word;
    }
    argv[argc] = NULL;
    return 0;
}
