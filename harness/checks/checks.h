/* What every check shares: running the lab under test in a test world,
 * turning what happened into a verdict, and writing the verdict's record.
 *
 * A check is a Check test case. It reads like this:
 *
 *     CHECK(uts_default_hostname)
 *     {
 *         struct world_result *r = lab_run(c, NULL, ARGS("--", "hostname"));
 *         expect_exit(c, r, 0);
 *         expect_stdout(c, r, "container\n");
 *     }
 *
 * lab_run() already ends the check with ENV, TIMEOUT, CRASH or FAIL when the
 * world could not be made, the lab hung or died, or it changed the world's
 * host; the expect_* helpers end it with FAIL; falling off the end is PASS.
 */
#ifndef NSLAB_CHECK_H
#define NSLAB_CHECK_H

#include <check.h>   /* the Check unit-test framework */
#include "registry.h"
#include "world.h"

/* What the grader shows about a check; the code is in checks_NN.c. */
struct check_info {
    const char *id;         /* the Check test name, also the rubric's */
    const char *title;      /* what it proves, in a sentence */
    const char *hint;       /* the handout section to read when it fails */
    const TTest *const *test;
};

/* A layer of checks: the checks that lab NN adds. */
struct layer {
    const char *lab;        /* "01_clone_uts" */
    const struct check_info *checks;
};

/* Each checks_NN.c registers its layer with LAYER("NN_name", table): a
 * constructor hands it to layer_register() before main() runs, and
 * layers_in_order() sorts them by lab. A new checks file is found by the
 * Makefile and needs no other edit. */
void layer_register(const struct layer *layer);
#define LAYER(lab, table)                                                  \
    static const struct layer layer_of_this_file = { lab, table };         \
    __attribute__((constructor)) static void register_this_layer(void)     \
    {                                                                      \
        layer_register(&layer_of_this_file);                               \
    }                                                                      \
    extern const struct layer *const layer_of_the_file_##table

/* Every layer linked in, in lab order; their number into *n. */
const struct layer *const *layers_in_order(size_t *n);

/* The run in progress. */
struct check {
    const struct check_info *info;
    const char *layer;
    double start;
    char command[2048];     /* what was run, as a shell would type it */
    char *details;          /* with --details: all the harness saw, run by run */
    int runs;
};

/* Set by main(): what is graded, where the records go. */
extern const char *lab_program;     /* absolute path of the compiled lab */
extern const char *graded_lab;      /* "02_ipc" */
extern const struct registry *kit_registry; /* grading/labs.tsv */
extern int graded_index;            /* the graded lab's row in it */
extern const char *records_path;
extern double lab_timeout;
extern int want_details;            /* --details: record everything the harness saw */

/* Start a check (done by the CHECK macro). */
void check_begin(struct check *c, const char *id);
/* End it with PASS (done by the CHECK macro). */
void check_pass(struct check *c);
/* End it with a verdict other than PASS: record, then fail the Check test. */
void check_end(struct check *c, const char *verdict, const char *expected, const char *seen)
    __attribute__((noreturn));
void check_fail(struct check *c, const char *expected, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));

/* Record ENV for a check that was not run (the machine cannot run it, or
 * grading stopped), without Check. */
void record_not_run(const struct layer *layer, const struct check_info *info, const char *expected,
                    const char *seen);

/* Does the graded lab's test world need this (enum world_need, from the
 * registry: its own layer's or an earlier one's)? */
int graded_needs(int need);
/* Has the graded lab this option (the registry's `options`, from any layer
 * up to it)? */
int graded_has_option(const char *option);

/* Run the lab with args (NULL-terminated, after the program name). */
struct world_result *lab_run(struct check *c, struct world_spec *spec, char *const *args);
#define ARGS(...) ((char *const[]){ __VA_ARGS__, NULL })
/* The probe's path, for a lab's COMMAND. */
char *probe(void);
/* The lab's path inside every world (a copy of lab_program). */
const char *lab_in_world(void);
/* argv (max entries, NULL last): the lab in the world, from lab 10 on with
 * --root a root of the host's programs when host_root, then args. */
void lab_argv(char **argv, size_t max, char *const *args, int host_root);

void expect_exit(struct check *c, const struct world_result *r, int code);
void expect_stdout(struct check *c, const struct world_result *r, const char *text);
void expect_one_error_line(struct check *c, const struct world_result *r);
/* Bad input: exit 125 and one line on stderr that names `option`. */
void expect_usage_error(struct check *c, const struct world_result *r, const char *option);
void expect_probe_ready(struct check *c, const struct world_result *r);
void expect_ns_differs(struct check *c, const struct world_result *r, enum ns_type t);
/* Run the lab with --verbose; its stderr must name the clone flag `flag`. */
void expect_verbose_names(struct check *c, const char *flag);
/* Checks whose world holds a call of the lab (world_faults: slow_parent,
 * slow_cgroup, fail_parent_send, kill_parent) need seccomp's CONTINUE: ENV
 * before 5.5. */
void need_linux_5_5(struct check *c);
/* The value of `key` in the probe's report (empty string when absent). The
 * last eight values stay valid, so one message may name several. */
const char *probe_value(const struct world_result *r, const char *key);

/* Is this probe "link NAME STATE" one of the kernel's fallback tunnels
 * (tunl0, sit0, gre0 ...), which every new network namespace gets, down,
 * where their modules are loaded? They are no link of the lab's. */
int fallback_tunnel(const char *name_and_state);

/* Random values a lab cannot hard-code. */
void random_hostname(char *buf, size_t n);   /* "nslab-" and 10 hex digits */

/* A row of a layer's table: the check's id is its Check test's name. */
#define CHECK_ENTRY(id, title, hint) { #id, title, hint, &id }

#define CHECK(id)                                          \
    static void id##_body(struct check *c);               \
    START_TEST(id)                                         \
    {                                                      \
        struct check c;                                    \
        check_begin(&c, #id);                              \
        id##_body(&c);                                     \
        check_pass(&c);                                    \
    }                                                      \
    END_TEST                                               \
    static void id##_body(struct check *c)

#endif
