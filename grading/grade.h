/* The grader's parts that know nothing of processes: the rubric, the
 * harness's records, scores, and the three ways of writing results (the
 * human report, Gradescope's results.json, JUnit XML). The grader knows
 * nothing about namespaces; unit-tested in grading/tests/test_grader.c. */
#ifndef NSLAB_GRADE_H
#define NSLAB_GRADE_H

#include <stddef.h>
#include <stdio.h>

#include "registry.h"

/* The labs, from grading/labs.tsv: the grader loads it first. */
extern struct registry lab_registry;
#define lab_names(i) (lab_registry.labs[(i)].name)

struct rubric_row {
    int layer;              /* 1..10 */
    char check[64];
    int points;
};

struct rubric {
    struct rubric_row *rows;
    size_t n;
};

/* Load a rubric file; on error fill err ("FILE:LINE: what") and return -1. */
int rubric_load(const char *path, struct rubric *r, char *err, size_t errlen);
void rubric_free(struct rubric *r);
/* Does any row belong to lab index i's own layer? */
int rubric_has_layer(const struct rubric *r, int lab);

/* One check's outcome under one graded lab. */
struct result {
    const struct rubric_row *row;   /* NULL: a record the rubric lacks */
    char check[64];
    char verdict[16];       /* PASS FAIL TIMEOUT CRASH BUILD ENV */
    char *title, *command, *expected, *seen, *hint;
    char *details;          /* everything the harness saw (nslab-check --details) */
    int recorded;           /* the harness gave a record for it */
    double seconds;
    int score, max;
    int whole_lab;          /* stands for every check of the lab (lab_as_one): worth all its points */
};

enum lab_state { LAB_GRADED, LAB_MISSING, LAB_NO_BUILD, LAB_HARNESS_FAILED };

struct lab_result {
    int lab;                /* index into lab_names */
    enum lab_state state;
    char *source;           /* the file graded */
    char *shown;            /* its path as the student knows it (inside the submission), or NULL */
    char *build_log;        /* the compiler's messages, or the harness's */
    struct result *results;
    size_t n;
    int checks;             /* lab_as_one: how many checks the one result stands for */
    int score, max;
    double seconds;
    int show_details;       /* the report shows every check's details (make labNN V=1) */
    int hints_opened;       /* of the lab's hints, how many the student opened (make hintNN), and */
    int hints_total;        /* how many there are; -1 when unknown: for instructors, no points */
};

/* The hints of lab index `lab`: how many the student opened (DIR/NN_name.opened,
 * make hintNN writes it) and how many the kit ships (the "## " sections of
 * HINTS/NN_name.md); -1 where unknown. */
void lab_hints(struct lab_result *l, const char *opened_dir, const char *hints_dir);

/* Make one result per rubric row of layers <= the lab's, all with verdict
 * `verdict` and `why` as what was seen (used for BUILD, and before records). */
void lab_init(struct lab_result *l, const struct rubric *r, const char *verdict, const char *why);
/* The same, as ONE result standing for every check (the lab is missing,
 * does not compile, or could not be graded here): named `title` (check id
 * `check`), worth all the lab's points, with `why` as what was seen. */
void lab_as_one(struct lab_result *l, const struct rubric *r, const char *verdict, const char *check,
                const char *title, const char *why);
/* Read the harness's JSON-lines records into l, matching them to the rubric.
 * Returns the number of records read, or -1 (err filled) if unreadable. */
int lab_read_records(struct lab_result *l, const char *path, char *err, size_t errlen);
/* Keep only the results the harness gave a record for (one check run
 * alone: make labNN CHECK=name). */
void lab_keep_recorded(struct lab_result *l);
/* Add up points: PASS gets the row's points, anything else 0. */
void lab_score(struct lab_result *l);
void lab_free(struct lab_result *l);
int lab_count(const struct lab_result *l, const char *verdict);

/* The human report of one lab, like xv6's make grade. */
void report_lab(FILE *f, const struct lab_result *l, int colour);
/* The closing table and total. */
void report_total(FILE *f, const struct lab_result *labs, size_t n, int colour);

/* Write Gradescope's results.json / JUnit XML (atomically). 0 or -1. */
int write_results_json(const char *path, const struct lab_result *labs, size_t n, double seconds);
int write_junit(const char *path, const struct lab_result *labs, size_t n);

#endif
