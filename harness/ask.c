/* What the kit's scripts ask of its list of labs (grading/labs.tsv), so that
 * none of them reads the file itself:
 *
 *   nslab-check list [--all] [--upto NN]
 *                                  the ready labs' names, one a line (--all: every row,
 *                                  "NN_name<TAB>STATUS"; --upto: none after lab NN)
 *   nslab-check registry [--upto NN]   the list itself, the labs after NN to come
 *   nslab-check info LAB [FIELD]   a lab's row as "field value" lines, or one field's value:
 *                                  id name status libraries needs_ns kernel tools world options
 *   nslab-check needs LAB          what this machine lacks to grade LAB (nothing: exit 0)
 * (nslab-check compile, in compile.c, compiles a lab as the grader does.) */
#define _GNU_SOURCE
#include "commands.h"
#include "needs.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* --upto NN: the lab number, or exit 2. */
static int upto_arg(const char *arg, const char *what)
{
    char *end;
    long n = strtol(arg, &end, 10);

    if (end == arg || *end || n < 1) {
        fprintf(stderr, "nslab-check %s: --upto takes a lab number, like --upto 03\n", what);
        exit(2);
    }
    return (int)n;
}

int cmd_list(const struct registry *reg, int argc, char **argv)
{
    int all = 0, upto = REGISTRY_MAX, i;

    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], "--all") == 0)
            all = 1;
        else if (strcmp(argv[i], "--upto") == 0 && i + 1 < argc)
            upto = upto_arg(argv[++i], "list");
        else {
            fprintf(stderr, "usage: nslab-check list [--all] [--upto NN]\n");
            return 2;
        }
    for (i = 0; i < reg->n && i < upto; i++)
        if (all)
            printf("%s\t%s\n", reg->labs[i].name, reg->labs[i].ready ? "ready" : "to-come");
        else if (reg->labs[i].ready)
            printf("%s\n", reg->labs[i].name);
    return 0;
}

int cmd_registry(const struct registry *reg, int argc, char **argv)
{
    int upto = REGISTRY_MAX;
    char *text, *line, *save = NULL;

    (void)reg;
    if (argc == 3 && strcmp(argv[1], "--upto") == 0)
        upto = upto_arg(argv[2], "registry");
    else if (argc != 1) {
        fprintf(stderr, "usage: nslab-check registry [--upto NN]\n");
        return 2;
    }
    text = read_whole(AT_FDCWD, registry_path());
    if (!text) {
        perror(registry_path());
        return 2;
    }
    /* Comments as they are; a lab's row after NN with its status "to-come". */
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *status = strchr(line, '\t'), *rest;
        if (line[0] >= '0' && line[0] <= '9' && atoi(line) > upto && status && (status = strchr(status + 1, '\t')) &&
            (rest = strchr(status + 1, '\t')))
            printf("%.*s\tto-come%s\n", (int)(status - line), line, rest);
        else
            printf("%s\n", line);
    }
    free(text);
    return 0;
}

/* "ids,cgroup" from world bits. */
static void world_words(int world, char *out, size_t n)
{
    out[0] = '\0';
    if (world & NEED_IDS)
        appendf(out, n, "%sids", out[0] ? "," : "");
    if (world & NEED_CGROUP)
        appendf(out, n, "%scgroup", out[0] ? "," : "");
    if (world & NEED_ROOT)
        appendf(out, n, "%sroot", out[0] ? "," : "");
}

int cmd_info(const struct registry *reg, int argc, char **argv)
{
    const struct lab_entry *e;
    char world[64];
    int i;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: nslab-check info LAB [id|name|status|libraries|needs_ns|kernel|tools|world|options]\n");
        return 2;
    }
    i = registry_find(reg, argv[1]);
    if (i < 0) {
        fprintf(stderr, "nslab-check info: no lab \"%s\" (nslab-check list --all names them)\n", argv[1]);
        return 2;
    }
    e = &reg->labs[i];
    world_words(e->world, world, sizeof world);
    {
        const struct { const char *name, *value; } fields[] = {
            { "id", e->id }, { "name", e->name }, { "status", e->ready ? "ready" : "to-come" },
            { "libraries", e->libraries }, { "needs_ns", e->needs_ns }, { "kernel", e->kernel },
            { "tools", e->tools }, { "world", world }, { "options", e->options },
        };
        size_t k;
        for (k = 0; k < sizeof fields / sizeof fields[0]; k++)
            if (argc == 2)
                printf("%s %s\n", fields[k].name, fields[k].value);
            else if (strcmp(argv[2], fields[k].name) == 0) {
                printf("%s\n", fields[k].value);
                return 0;
            }
        if (argc == 3) {
            fprintf(stderr, "nslab-check info: no field \"%s\"\n", argv[2]);
            return 2;
        }
    }
    return 0;
}

int cmd_needs(const struct registry *reg, int argc, char **argv)
{
    const char *unmet;
    int i;

    if (argc != 2) {
        fprintf(stderr, "usage: nslab-check needs LAB\n");
        return 2;
    }
    i = ready_lab(reg, argv[1], "needs");
    unmet = lab_needs_unmet(reg, i);
    if (!unmet)
        return 0;
    printf("%s\n", unmet);
    return 1;
}

