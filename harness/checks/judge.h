/* The verdict of one run of a lab, from what the test world saw and nothing
 * else: no world is made here and nothing is written, so the ladder can be
 * tested with made-up results (the kit's own tests do). lab_run() in
 * verdict.c asks it after every run. */
#ifndef NSLAB_JUDGE_H
#define NSLAB_JUDGE_H

#include <stddef.h>

#include "world.h"

#define JUDGE_SEEN_CAP 16384

struct judgement {
    const char *verdict;        /* "ENV", "CRASH", "FAIL", "TIMEOUT"; NULL: no verdict yet, the
                                 * check goes on to its own expectations */
    const char *expected;       /* what the check expected (a constant text) */
    char seen[JUDGE_SEEN_CAP];  /* what it saw */
    int machine_changed;        /* the real machine changed: grading must stop */
};

/* Judge run r of a lab whose world needs `needs` (enum world_need bits). */
void judge_run(const struct world_spec *spec, const struct world_result *r, int needs, struct judgement *j);

/* What the world r lacks of what a lab needs (enum world_need bits), with
 * the fix, into why; NULL when it lacks nothing. The doctor asks the same. */
const char *world_lacks(int needs, const struct world_result *r, char *why, size_t n);

/* What the lab printed, appended to buf: stdout and stderr, each "(empty)",
 * inline when one line, else below, a flood cut short. */
void describe_output(const struct world_result *r, char *buf, size_t n);

#endif
