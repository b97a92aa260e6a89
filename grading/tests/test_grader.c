/* Unit tests of the grader: grading/grade.c directly, and build/nslab-grade
 * end to end with grading/tests/fake-harness.sh in place of the harness.
 * Run from the repository root (make test does). */
#define _GNU_SOURCE
#include <check.h>
#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "find.h"
#include "grade.h"

#define SCRATCH "build/test-grader"

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "we");

    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "re");
    char *text = NULL;
    size_t len = 0;

    ck_assert_msg(f != NULL, "cannot read %s", path);
    if (getdelim(&text, &len, '\0', f) < 0) {
        free(text);
        text = strdup("");
    }
    fclose(f);
    return text;
}

static int sh(const char *cmd)
{
    int st = system(cmd);

    ck_assert_int_ne(st, -1);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void setup(void)
{
    char err[512];

    ck_assert_int_eq(sh("mkdir -p " SCRATCH), 0);
    ck_assert_msg(registry_load("grading/labs.tsv", &lab_registry, err, sizeof err) == 0, "%s", err);
}

static const char *const small_rubric = "# a comment\n01\ta\t2\n01\tb\t3\n\n02\tc\t5\n";

START_TEST(lab_index_accepts_the_usual_spellings)
{
#define lab_index(arg) registry_find(&lab_registry, (arg))
    ck_assert_int_eq(lab_index("1"), 0);
    ck_assert_int_eq(lab_index("01"), 0);
    ck_assert_int_eq(lab_index("01_clone_uts"), 0);
    ck_assert_int_eq(lab_index("10"), 9);
    ck_assert_int_eq(lab_index("03_pid"), 2);
    ck_assert_int_eq(lab_index("11"), -1);
    ck_assert_int_eq(lab_index("0"), -1);
    ck_assert_int_eq(lab_index(""), -1);
    ck_assert_int_eq(lab_index("01_clone"), -1);
    ck_assert_int_eq(lab_index("lab01"), -1);
#undef lab_index
}
END_TEST

/* The registry is the kit's one list of labs: the contract's ten, in order,
 * with the compile line; a damaged one is a clear error. */
START_TEST(registry_lists_the_ten_labs)
{
    static const char *const bad[] = {
        "#cflags\t-O2\n02\t02_ipc\tready\tlibcap\tipc\t5.3\t-\t-\t-\n",        /* out of order */
        "#cflags\t-O2\n01\t01_clone_uts\tmaybe\tlibcap\tuts\t5.3\t-\t-\t-\n",  /* bad status */
        "#cflags\t-O2\n01\t01_clone_uts\tready\tlibcap\n",                      /* too few columns */
        "#cflags\t-O2\n01\t01_clone_uts\tready\tlibcap\tuts\t5.3\t-\tmany\t-\n", /* a world it does not know */
        "#cflags\t-O2\n01\t01_x\tready\tlibcap\tuts\t5.3\t-\t-\t-\textra\n",   /* too many columns */
        "01\t01_clone_uts\tready\tlibcap\tuts\t5.3\t-\t-\t-\n",                  /* no #cflags */
    };
    struct registry reg;
    char err[512];
    size_t i;

    ck_assert_int_eq(registry_load("grading/labs.tsv", &reg, err, sizeof err), 0);
    ck_assert_int_ge(reg.n, 10);
    ck_assert_str_eq(reg.labs[0].name, "01_clone_uts");
    ck_assert_str_eq(reg.labs[9].name, "10_full_container");
    ck_assert_ptr_nonnull(strstr(reg.cflags, "-Werror"));
    ck_assert_ptr_nonnull(strstr(reg.labs[9].libraries, "libseccomp"));
    /* What a lab's world needs adds up from the labs before it. */
    ck_assert_int_eq(registry_world(&reg, 4), 0);
    ck_assert_int_eq(registry_world(&reg, 5), NEED_IDS);
    ck_assert_int_eq(registry_world(&reg, 9), NEED_IDS | NEED_CGROUP | NEED_ROOT);
    ck_assert(registry_has_option(&reg, 9, "--cap-add") && !registry_has_option(&reg, 6, "--cap-add"));
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_text(SCRATCH "/labs.tsv", bad[i]);
        ck_assert_msg(registry_load(SCRATCH "/labs.tsv", &reg, err, sizeof err) == -1, "accepted: %s", bad[i]);
        ck_assert_ptr_nonnull(strstr(err, SCRATCH "/labs.tsv"));
    }
}
END_TEST

/* The hints opened come from make hintNN's note, the total from the hints
 * file's sections; either missing is said, and costs nothing. */
START_TEST(hints_opened_are_counted)
{
    struct lab_result l;

    memset(&l, 0, sizeof l);
    l.lab = 1;   /* 02_ipc */
    ck_assert_int_eq(sh("rm -rf " SCRATCH "/hints " SCRATCH "/opened && mkdir -p " SCRATCH "/hints " SCRATCH "/opened"), 0);
    write_text(SCRATCH "/hints/02_ipc.md", "# Hints\n\n## Hint 1\n\nA.\n\n## Hint 2\n\nB.\n\n## Hint 3\n");
    lab_hints(&l, SCRATCH "/opened", SCRATCH "/hints");
    ck_assert_int_eq(l.hints_total, 3);
    ck_assert_int_eq(l.hints_opened, 0);
    write_text(SCRATCH "/opened/02_ipc.opened", "2\n");
    lab_hints(&l, SCRATCH "/opened", SCRATCH "/hints");
    ck_assert_int_eq(l.hints_opened, 2);
    lab_hints(&l, SCRATCH "/opened", SCRATCH "/no-hints");
    ck_assert_int_eq(l.hints_total, -1);
}
END_TEST

START_TEST(rubric_loads_rows_and_skips_comments)
{
    struct rubric r;
    char err[256];

    write_text(SCRATCH "/rubric.tsv", small_rubric);
    ck_assert_int_eq(rubric_load(SCRATCH "/rubric.tsv", &r, err, sizeof err), 0);
    ck_assert_uint_eq(r.n, 3);
    ck_assert_str_eq(r.rows[1].check, "b");
    ck_assert_int_eq(r.rows[1].points, 3);
    ck_assert_int_eq(r.rows[2].layer, 2);
    ck_assert(rubric_has_layer(&r, 1));
    ck_assert(!rubric_has_layer(&r, 2));
    rubric_free(&r);
}
END_TEST

START_TEST(rubric_rejects_bad_lines)
{
    static const char *const bad[] = { "01\ta\n", "01\ta\t-1\n", "11\ta\t1\n", "x\ta\t1\n", "01\ta\t1\textra\n",
                                       "01\ta\tlots\n", "# only a comment\n" };
    struct rubric r;
    char err[256];
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_text(SCRATCH "/bad.tsv", bad[i]);
        ck_assert_msg(rubric_load(SCRATCH "/bad.tsv", &r, err, sizeof err) == -1, "accepted: %s", bad[i]);
        ck_assert_ptr_nonnull(strstr(err, SCRATCH "/bad.tsv"));
    }
    ck_assert_int_eq(rubric_load(SCRATCH "/no-such-rubric.tsv", &r, err, sizeof err), -1);
}
END_TEST

/* A lab_result for lab 02 read from `records`, scored. */
static void graded(struct rubric *r, struct lab_result *l, const char *records, int expect_count)
{
    char err[256];

    write_text(SCRATCH "/rubric.tsv", small_rubric);
    ck_assert_int_eq(rubric_load(SCRATCH "/rubric.tsv", r, err, sizeof err), 0);
    memset(l, 0, sizeof *l);
    l->lab = 1;
    l->source = strdup("labs/02_ipc.c");
    lab_init(l, r, "CRASH", "no result");
    write_text(SCRATCH "/records.jsonl", records);
    ck_assert_int_eq(lab_read_records(l, SCRATCH "/records.jsonl", err, sizeof err), expect_count);
    lab_score(l);
}

START_TEST(records_are_matched_and_scored)
{
    struct rubric r;
    struct lab_result l;

    graded(&r, &l,
           "{\"check\":\"a\",\"verdict\":\"PASS\",\"title\":\"A works\",\"seconds\":0.5}\n"
           "this line is not JSON\n"
           "{\"check\":\"c\",\"verdict\":\"FAIL\",\"expected\":\"x\",\"seen\":\"y\"}\n"
           "{\"check\":\"zzz\",\"verdict\":\"PASS\"}\n",
           3);
    /* a and b from layer 01, c from 02, and the stray zzz at the end. */
    ck_assert_uint_eq(l.n, 4);
    ck_assert_str_eq(l.results[0].verdict, "PASS");
    ck_assert_str_eq(l.results[0].title, "A works");
    ck_assert_str_eq(l.results[1].verdict, "CRASH");   /* no record for b */
    ck_assert_str_eq(l.results[2].verdict, "FAIL");
    ck_assert_int_eq(l.score, 2);
    ck_assert_int_eq(l.max, 10);
    ck_assert_int_eq(l.results[3].max, 0);            /* zzz is worth nothing */
    lab_free(&l);
    rubric_free(&r);
}
END_TEST

START_TEST(unknown_verdicts_count_as_crash)
{
    struct rubric r;
    struct lab_result l;

    graded(&r, &l, "{\"check\":\"a\",\"verdict\":\"PASSED!!\"}\n", 1);
    ck_assert_str_eq(l.results[0].verdict, "CRASH");
    ck_assert_int_eq(l.score, 0);
    lab_free(&l);
    rubric_free(&r);
}
END_TEST

/* A machine that cannot make any test world: one line for the whole lab,
 * not one block per check; a mix of reasons is still shown check by check. */
START_TEST(one_env_reason_is_said_once)
{
    struct rubric r;
    struct lab_result l;
    char *text = NULL;
    size_t len = 0;
    FILE *f;

    graded(&r, &l,
           "{\"check\":\"a\",\"verdict\":\"ENV\",\"seen\":\"no user namespaces\"}\n"
           "{\"check\":\"b\",\"verdict\":\"ENV\",\"seen\":\"no user namespaces\"}\n"
           "{\"check\":\"c\",\"verdict\":\"ENV\",\"seen\":\"no user namespaces\"}\n", 3);
    f = open_memstream(&text, &len);
    report_lab(f, &l, 0);
    fclose(f);
    ck_assert_msg(strstr(text, "ENV: all 3 checks of 02_ipc could not run on this machine: no user namespaces"),
                  "%s", text);
    ck_assert_msg(strstr(strstr(text, "no user namespaces") + 1, "no user namespaces") == NULL, "said twice:\n%s", text);
    free(text);
    text = NULL;
    free(l.results[2].seen);
    l.results[2].seen = strdup("another reason");
    f = open_memstream(&text, &len);
    report_lab(f, &l, 0);
    fclose(f);
    ck_assert_msg(strstr(text, "another reason") && !strstr(text, "ENV: all"), "%s", text);
    free(text);
    lab_free(&l);
    rubric_free(&r);
}
END_TEST

START_TEST(results_json_follows_gradescope)
{
    struct rubric r;
    struct lab_result l;
    struct json_object *top, *tests, *t, *v;
    char *text;

    graded(&r, &l,
           "{\"check\":\"a\",\"verdict\":\"PASS\",\"title\":\"A works\"}\n"
           "{\"check\":\"c\",\"verdict\":\"FAIL\",\"seen\":\"bad bytes \\u001b[31m and \\u0001\"}\n",
           2);
    ck_assert_int_eq(write_results_json(SCRATCH "/results.json", &l, 1, 1.2), 0);
    text = slurp(SCRATCH "/results.json");
    top = json_tokener_parse(text);
    ck_assert_ptr_nonnull(top);
    ck_assert(json_object_object_get_ex(top, "score", &v));
    ck_assert_int_eq(json_object_get_int(v), 2);
    ck_assert(json_object_object_get_ex(top, "tests", &tests));
    ck_assert_uint_eq(json_object_array_length(tests), 3);
    t = json_object_array_get_idx(tests, 0);
    ck_assert(json_object_object_get_ex(t, "name", &v));
    ck_assert_str_eq(json_object_get_string(v), "02_ipc: A works");
    ck_assert(json_object_object_get_ex(t, "max_score", &v));
    ck_assert_int_eq(json_object_get_int(v), 2);
    ck_assert(json_object_object_get_ex(t, "status", &v));
    ck_assert_str_eq(json_object_get_string(v), "passed");
    t = json_object_array_get_idx(tests, 2);
    ck_assert(json_object_object_get_ex(t, "status", &v));
    ck_assert_str_eq(json_object_get_string(v), "failed");
    ck_assert(json_object_object_get_ex(t, "output", &v));
    ck_assert_ptr_nonnull(strstr(json_object_get_string(v), "FAIL"));
    ck_assert_ptr_null(strchr(json_object_get_string(v), '\033'));   /* control bytes replaced */
    json_object_put(top);
    free(text);
    lab_free(&l);
    rubric_free(&r);
}
END_TEST

/* What a lab prints reaches results.json and junit.xml as strict UTF-8:
 * a surrogate, a code point past U+10FFFF, an overlong form and U+FFFE
 * become "?", and both files read back (iconv, libxml2). */
START_TEST(lab_bytes_become_strict_utf8)
{
    struct rubric r;
    struct lab_result l;
    xmlDocPtr doc;

    graded(&r, &l, "{\"check\":\"a\",\"verdict\":\"FAIL\",\"seen\":\"x\"}\n", 1);
    free(l.results[0].seen);
    l.results[0].seen = strdup("surrogate \xed\xa0\x80 big \xf4\x90\x80\x80 overlong \xc0\x80 nonchar \xef\xbf\xbe ok \xe4\xb8\xad");
    ck_assert_int_eq(write_results_json(SCRATCH "/strict.json", &l, 1, 1.0), 0);
    ck_assert_int_eq(write_junit(SCRATCH "/strict.xml", &l, 1), 0);
    ck_assert_msg(sh("iconv -f UTF-8 -t UTF-8 " SCRATCH "/strict.json >/dev/null 2>&1") == 0, "results.json is not UTF-8");
    ck_assert_msg(sh("grep -q 'ok 中' " SCRATCH "/strict.json") == 0, "valid UTF-8 was changed");
    doc = xmlReadFile(SCRATCH "/strict.xml", NULL, XML_PARSE_NONET);
    ck_assert_msg(doc != NULL, "junit.xml is not well-formed");
    xmlFreeDoc(doc);
    lab_free(&l);
    rubric_free(&r);
}
END_TEST

START_TEST(junit_xml_is_well_formed_and_counts)
{
    struct rubric r;
    struct lab_result l;
    xmlDocPtr doc;
    xmlNodePtr suite;
    xmlChar *v;

    graded(&r, &l,
           "{\"check\":\"a\",\"verdict\":\"ENV\",\"seen\":\"no <namespaces> & \\u0002 here\"}\n"
           "{\"check\":\"b\",\"verdict\":\"TIMEOUT\"}\n"
           "{\"check\":\"c\",\"verdict\":\"CRASH\"}\n",
           3);
    ck_assert_int_eq(write_junit(SCRATCH "/junit.xml", &l, 1), 0);
    doc = xmlReadFile(SCRATCH "/junit.xml", NULL, XML_PARSE_NONET);
    ck_assert_ptr_nonnull(doc);
    ck_assert_str_eq((const char *)xmlDocGetRootElement(doc)->name, "testsuites");
    suite = xmlFirstElementChild(xmlDocGetRootElement(doc));
    ck_assert_str_eq((const char *)suite->name, "testsuite");
    v = xmlGetProp(suite, BAD_CAST "tests");
    ck_assert_str_eq((const char *)v, "3");
    xmlFree(v);
    v = xmlGetProp(suite, BAD_CAST "failures");
    ck_assert_str_eq((const char *)v, "1");
    xmlFree(v);
    v = xmlGetProp(suite, BAD_CAST "errors");
    ck_assert_str_eq((const char *)v, "1");
    xmlFree(v);
    v = xmlGetProp(suite, BAD_CAST "skipped");
    ck_assert_str_eq((const char *)v, "1");
    xmlFree(v);
    xmlFreeDoc(doc);
    lab_free(&l);
    rubric_free(&r);
}
END_TEST

/* A lab that does not build is one test, worth the lab's points; ENV tests
 * carry no score, status or maximum, and with nothing graded the file has
 * no top-level score. */
START_TEST(one_test_for_a_lab_that_does_not_build)
{
    struct rubric r;
    struct lab_result l;
    struct json_object *top, *tests, *t, *v;
    char *text;

    write_text(SCRATCH "/rubric.tsv", small_rubric);
    { char err[256]; ck_assert_int_eq(rubric_load(SCRATCH "/rubric.tsv", &r, err, sizeof err), 0); }
    memset(&l, 0, sizeof l);
    l.lab = 1;
    l.state = LAB_NO_BUILD;
    l.source = strdup("/tmp/x/02_ipc.c");
    l.shown = strdup("labs/02_ipc.c");
    l.build_log = strdup("labs/02_ipc.c:3:1: error: oops");
    lab_as_one(&l, &r, "BUILD", "compiles", "02_ipc.c compiles", "does not compile");
    lab_score(&l);
    ck_assert_int_eq(l.max, 10);
    ck_assert_int_eq(write_results_json(SCRATCH "/results.json", &l, 1, 1.0), 0);
    text = slurp(SCRATCH "/results.json");
    top = json_tokener_parse(text);
    ck_assert(json_object_object_get_ex(top, "tests", &tests));
    ck_assert_uint_eq(json_object_array_length(tests), 1);
    t = json_object_array_get_idx(tests, 0);
    ck_assert(json_object_object_get_ex(t, "name", &v));
    ck_assert_str_eq(json_object_get_string(v), "02_ipc: 02_ipc.c compiles");
    ck_assert(json_object_object_get_ex(t, "max_score", &v));
    ck_assert_int_eq(json_object_get_int(v), 10);
    ck_assert(json_object_object_get_ex(t, "output", &v));
    ck_assert_msg(strstr(json_object_get_string(v), "labs/02_ipc.c does not compile, so none of the 3 checks"),
                  "%s", json_object_get_string(v));
    ck_assert_ptr_null(strstr(json_object_get_string(v), "/tmp/"));
    ck_assert(json_object_object_get_ex(top, "output", &v));
    ck_assert_msg(strstr(json_object_get_string(v), "02_ipc: 0/10, graded labs/02_ipc.c"), "%s", json_object_get_string(v));
    ck_assert(json_object_object_get_ex(top, "output_format", &v));
    ck_assert_str_eq(json_object_get_string(v), "text");
    ck_assert(json_object_object_get_ex(top, "score", &v));
    json_object_put(top);
    free(text);
    lab_free(&l);

    /* Could not be graded here (ENV): no score anywhere. */
    memset(&l, 0, sizeof l);
    l.lab = 1;
    l.state = LAB_HARNESS_FAILED;
    lab_as_one(&l, &r, "ENV", "graded", "graded on this machine", "no user namespaces");
    lab_score(&l);
    ck_assert_int_eq(write_results_json(SCRATCH "/results.json", &l, 1, 1.0), 0);
    text = slurp(SCRATCH "/results.json");
    top = json_tokener_parse(text);
    ck_assert_msg(!json_object_object_get_ex(top, "score", &v), "a score where nothing was graded:\n%s", text);
    ck_assert(json_object_object_get_ex(top, "tests", &tests));
    t = json_object_array_get_idx(tests, 0);
    ck_assert(!json_object_object_get_ex(t, "score", &v) && !json_object_object_get_ex(t, "status", &v) &&
              !json_object_object_get_ex(t, "max_score", &v));
    json_object_put(top);
    free(text);
    lab_free(&l);
    rubric_free(&r);
}
END_TEST

/* ---- finding the labs in a submission (find.c) ----------------------------- */

/* Make a submission tree from "path" lines (a trailing "/" makes a folder,
 * "path -> target" a symbolic link), find NAME in it, and return what was
 * found: the path shown, or "! problem". */
static char *find_in(const char *tree, const char *name)
{
    char line[512], path[1024], err[512], *result;
    const char *p = tree;
    struct submission *s;
    struct found f;

    ck_assert_int_eq(sh("rm -rf " SCRATCH "/find && mkdir -p " SCRATCH "/find/sub"), 0);
    while (*p) {
        size_t n = strcspn(p, "|");
        char *arrow;
        snprintf(line, sizeof line, "%.*s", (int)n, p);
        p += n + (p[n] == '|');
        snprintf(path, sizeof path, SCRATCH "/find/sub/%s", line);
        if ((arrow = strstr(path, " -> "))) {
            *arrow = '\0';
            ck_assert_int_eq(symlink(arrow + 4, path), 0);
            continue;
        }
        for (char *q = path + strlen(SCRATCH "/find/sub/"); *q; q++)
            if (*q == '/') {
                *q = '\0';
                mkdir(path, 0755);
                *q = '/';
            }
        if (path[strlen(path) - 1] != '/')
            write_text(path, "int main(void) { return 0; }\n");
    }
    s = submission_scan(SCRATCH "/find/sub", SCRATCH "/find/unpacked", err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    submission_find(s, name, &f);
    if (f.path)
        ck_assert_int_eq(asprintf(&result, "%s", f.shown), (int)strlen(f.shown));
    else
        ck_assert_int_gt(asprintf(&result, "! %s", f.problem), 0);
    found_free(&f);
    submission_free(s);
    return result;
}

#define FINDS(tree, name, want)                                                                      \
    do {                                                                                               \
        char *got_ = find_in(tree, name);                                                              \
        ck_assert_msg(strcmp(got_, want) == 0, "in %s: %s, not %s", tree, got_, want);                 \
        free(got_);                                                                                    \
    } while (0)
#define REFUSES(tree, name, says)                                                                    \
    do {                                                                                               \
        char *got_ = find_in(tree, name);                                                              \
        ck_assert_msg(got_[0] == '!' && strstr(got_, says), "in %s: %s (should say %s)", tree, got_, says); \
        free(got_);                                                                                    \
    } while (0)

START_TEST(labs_are_found_as_a_course_receives_them)
{
    /* A whole repository: the release's scaffolding (labs/.base) is never graded. */
    FINDS("repo/labs/.base/03_pid.c|repo/labs/03_pid.c|repo/labs/02_ipc.c", "03_pid", "repo/labs/03_pid.c");
    FINDS("labs/.base/03_pid.c|labs/03_pid.c", "03_pid", "labs/03_pid.c");
    /* Files uploaded one by one. */
    FINDS("03_pid.c|02_ipc.c", "03_pid", "03_pid.c");
    /* labs/ first, even deeper; then the shallowest. */
    FINDS("03_pid.c|x/labs/03_pid.c", "03_pid", "x/labs/03_pid.c");
    FINDS("a/b/c/03_pid.c|a/03_pid.c", "03_pid", "a/03_pid.c");
    /* Hidden folders and files never count. */
    REFUSES(".git/03_pid.c|.03_pid.c|notes.txt", "03_pid", "no file named 03_pid.c in the submission; it holds notes.txt");
    /* Two at one depth: one message naming both. */
    REFUSES("a/03_pid.c|b/03_pid.c", "03_pid", "two files named 03_pid.c at the same depth");
    REFUSES("a/03_pid.c|b/03_pid.c", "03_pid", "b/03_pid.c");
    /* An odd name: told, never graded. */
    REFUSES("a\nb/03_pid.c", "03_pid", "\"a\\nb/03_pid.c\" is in a folder whose name holds a control character");
    /* Bytes that are not UTF-8: shown escaped, never as they are (results.json must stay UTF-8). */
    REFUSES("a\xff\xfe/03_pid.c", "03_pid", "\"a\\xff\\xfe/03_pid.c\" is in a folder whose name holds a control character "
            "(a line break, a tab) or bytes that are not UTF-8");
    REFUSES("03_pid.c -> /etc/passwd", "03_pid", "03_pid.c is a symbolic link");
    /* Near misses are named. */
    REFUSES("03_PID.c|notes.txt", "03_pid", "it holds 03_PID.c: name your lab exactly 03_pid.c");
    REFUSES("labs/03_pid (1).c", "03_pid", "labs/03_pid (1).c");
    REFUSES("02_ipc.c", "03_pid", "no file named 03_pid.c in the submission; it holds 02_ipc.c");
    REFUSES("handouts/03_pid.md|handouts/03_pid.html", "03_pid", "it holds handouts/03_pid.md, handouts/03_pid.html");
    REFUSES("empty/", "03_pid", "the submission is empty");
    /* Deeper than 16 folders is not searched. */
    REFUSES("1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17/03_pid.c", "03_pid", "no file named");
}
END_TEST

START_TEST(a_zip_is_unpacked_and_searched)
{
    char *got;

    if (sh("command -v zip >/dev/null && command -v unzip >/dev/null") != 0) {
        fprintf(stderr, "grader: no zip/unzip here: a_zip_is_unpacked_and_searched proves nothing\n");
        ck_abort_msg("zip and unzip are needed (make setup-test installs them)");
    }
    ck_assert_int_eq(sh("rm -rf " SCRATCH "/zip && mkdir -p " SCRATCH "/zip/work/labs && "
                        "echo 'int main(void){return 0;}' > " SCRATCH "/zip/work/labs/03_pid.c && "
                        "cd " SCRATCH "/zip && zip -qr work.zip work"), 0);
    got = find_in("placeholder.txt", "03_pid");   /* makes the tree; the zip goes in below */
    free(got);
    {
        char err[256];
        struct submission *s;
        struct found f;
        ck_assert_int_eq(sh("cp " SCRATCH "/zip/work.zip " SCRATCH "/find/sub/"), 0);
        s = submission_scan(SCRATCH "/find/sub", SCRATCH "/find/unpacked", err, sizeof err);
        ck_assert_ptr_nonnull(s);
        ck_assert_int_eq(submission_find(s, "03_pid", &f), 1);
        ck_assert_msg(f.shown && strcmp(f.shown, "work.zip/work/labs/03_pid.c") == 0, "%s", f.shown ? f.shown : f.problem);
        ck_assert_int_eq(access(f.path, R_OK), 0);
        found_free(&f);
        submission_free(s);
    }
}
END_TEST

/* Scan SCRATCH/find/sub after the shell command cmd (run in SCRATCH/zip) put
 * zips there: 1 and the path shown, or 0 and the problem. */
static int zip_find(const char *cmd, char *out, size_t n)
{
    char err[256];
    struct submission *s;
    struct found f;
    int found;

    ck_assert_int_eq(sh("rm -rf " SCRATCH "/zip " SCRATCH "/find && mkdir -p " SCRATCH "/zip " SCRATCH "/find/sub"), 0);
    {
        char line[2048];
        snprintf(line, sizeof line, "cd " SCRATCH "/zip && %s", cmd);
        ck_assert_int_eq(sh(line), 0);
    }
    s = submission_scan(SCRATCH "/find/sub", SCRATCH "/find/unpacked", err, sizeof err);
    ck_assert_ptr_nonnull(s);
    found = submission_find(s, "03_pid", &f);
    snprintf(out, n, "%s", found == 1 ? f.shown : f.problem ? f.problem : "");
    if (found == 1)
        found_free(&f);
    submission_free(s);
    return found == 1;
}

/* What unzip may do, whatever the zip says: a zip of one file is searched
 * ("1 file", not "files"); a zip whose headers lie about its size writes no
 * file past 512 KiB; a zip with a password never waits for one. */
START_TEST(a_zip_cannot_flood_or_hang)
{
    char got[512];

    if (sh("command -v zip >/dev/null && command -v unzip >/dev/null") != 0)
        ck_abort_msg("zip and unzip are needed (make setup-test installs them)");
    ck_assert_msg(zip_find("echo 'int main(void){return 0;}' > 03_pid.c && zip -q one.zip 03_pid.c && "
                           "cp one.zip ../find/sub/", got, sizeof got), "%s", got);
    ck_assert_str_eq(got, "one.zip/03_pid.c");
    /* 8 MiB of zeros, the headers saying 1000 bytes: the local header's
     * uncompressed size at 22, the central directory's at 24 past its mark. */
    ck_assert_int_eq(zip_find("head -c 8388608 /dev/zero > 03_pid.c && zip -q lie.zip 03_pid.c && "
                              "printf '\\350\\003\\000\\000' | dd of=lie.zip bs=1 seek=22 conv=notrunc 2>/dev/null && "
                              "at=$(grep -obUaP 'PK\\x01\\x02' lie.zip | head -n 1 | cut -d: -f1) && "
                              "printf '\\350\\003\\000\\000' | dd of=lie.zip bs=1 seek=$((at + 24)) conv=notrunc 2>/dev/null && "
                              "unzip -Zt lie.zip | grep -q '1000 bytes uncompressed' && cp lie.zip ../find/sub/",
                              got, sizeof got), 0);
    ck_assert_int_eq(sh("test -z \"$(find " SCRATCH "/find/unpacked -type f -size +512k)\""), 0);
    ck_assert_int_eq(zip_find("echo 'int main(void){return 0;}' > 03_pid.c && zip -q -P secret locked.zip 03_pid.c && "
                              "cp locked.zip ../find/sub/", got, sizeof got), 0);
}
END_TEST

/* ---- nslab-grade end to end, with the fake harness ------------------------- */

static int grade(const char *env, const char *submission)
{
    char cmd[1024];

    snprintf(cmd, sizeof cmd,
             "%s build/nslab-grade --labs 01 --submission %s --out " SCRATCH "/out --color never "
             "--harness grading/tests/fake-harness.sh > " SCRATCH "/report.txt 2>&1",
             env, submission);
    return sh(cmd);
}

static void make_submission(const char *source)
{
    ck_assert_int_eq(sh("rm -rf " SCRATCH "/sub && mkdir -p " SCRATCH "/sub"), 0);
    if (source)
        write_text(SCRATCH "/sub/01_clone_uts.c", source);
}

START_TEST(grader_exit_statuses)
{
    make_submission("int main(void) { return 0; }\n");
    ck_assert_int_eq(grade("FAKE_VERDICT=PASS", SCRATCH "/sub"), 0);
    ck_assert_int_eq(grade("FAKE_VERDICT=FAIL", SCRATCH "/sub"), 1);
    ck_assert_int_eq(grade("FAKE_VERDICT=TIMEOUT", SCRATCH "/sub"), 1);
    ck_assert_int_eq(grade("FAKE_VERDICT=ENV", SCRATCH "/sub"), 2);
    ck_assert_int_eq(grade("FAKE_EXIT=2", SCRATCH "/sub"), 2);
}
END_TEST

START_TEST(grader_report_shows_failures)
{
    char *report;

    make_submission("int main(void) { return 0; }\n");
    ck_assert_int_eq(grade("FAKE_VERDICT=FAIL", SCRATCH "/sub"), 1);
    report = slurp(SCRATCH "/report.txt");
    ck_assert_ptr_nonnull(strstr(report, "01_clone_uts: title of uts_hostname_from_option ."));
    ck_assert_ptr_nonnull(strstr(report, "FAIL (0.0s) 0/2"));
    ck_assert_ptr_nonnull(strstr(report, "expected: E"));
    ck_assert_ptr_nonnull(strstr(report, "hint:     read handouts/x.md#y"));
    /* The check's name, which CHECK= takes, and the command that shows it alone. */
    ck_assert_ptr_nonnull(strstr(report, "again:    make lab01 CHECK=uts_hostname_from_option (this check alone"));
    ck_assert_ptr_nonnull(strstr(report, "Total: 0/"));
    ck_assert_ptr_null(strstr(report, "\033["));   /* --color never */
    free(report);
}
END_TEST

START_TEST(missing_lab_file_is_build_zero)
{
    char *text;

    make_submission(NULL);
    ck_assert_int_eq(grade("", SCRATCH "/sub"), 1);
    text = slurp(SCRATCH "/out/results.json");
    ck_assert_ptr_nonnull(strstr(text, "BUILD"));
    ck_assert_ptr_nonnull(strstr(text, "no such file"));
    ck_assert_ptr_nonnull(strstr(text, "\"score\":0"));
    free(text);
}
END_TEST

START_TEST(compile_failure_shows_the_compiler)
{
    char *text;

    /* An escape code in a comment the compiler quotes: it must not reach the
     * terminal (it could paint a fake "Total" over the real one). */
    make_submission("int main(void) { return not_declared; /* \033[2K\033[1ETotal: 24/24 */ }\n");
    ck_assert_int_eq(grade("", SCRATCH "/sub"), 1);
    text = slurp(SCRATCH "/out/results.json");
    ck_assert_ptr_nonnull(strstr(text, "BUILD"));
    ck_assert_ptr_nonnull(strstr(text, "not_declared"));
    ck_assert_msg(strstr(text, "\"name\":\"01_clone_uts: 01_clone_uts.c compiles\""), "%s", text);
    ck_assert_msg(strstr(text, SCRATCH "/sub/01_clone_uts.c:1:"), "the compiler's messages name the file as submitted:\n%s", text);
    free(text);
    text = slurp(SCRATCH "/report.txt");
    ck_assert_ptr_nonnull(strstr(text, "does not compile"));
    ck_assert_ptr_nonnull(strstr(text, "Total: 24/24"));   /* quoted, */
    ck_assert_ptr_null(strchr(text, '\033'));              /* but not as an escape */
    free(text);
}
END_TEST

START_TEST(bad_arguments_exit_2)
{
    ck_assert_int_eq(sh("build/nslab-grade --labs 11 >/dev/null 2>&1"), 2);
    ck_assert_int_eq(sh("build/nslab-grade --labs '' >/dev/null 2>&1"), 2);
    ck_assert_int_eq(sh("build/nslab-grade --color sometimes >/dev/null 2>&1"), 2);
    ck_assert_int_eq(sh("build/nslab-grade --rubric /nonexistent >/dev/null 2>&1"), 2);
    ck_assert_int_eq(sh("build/nslab-grade --harness /nonexistent >/dev/null 2>&1"), 2);
    ck_assert_int_eq(sh("build/nslab-grade --bogus >/dev/null 2>&1"), 2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("grader");
    TCase *unit = tcase_create("grade.c"), *e2e = tcase_create("nslab-grade");
    SRunner *sr;
    int failed;

    tcase_add_unchecked_fixture(unit, setup, NULL);
    tcase_add_unchecked_fixture(e2e, setup, NULL);
    tcase_add_test(unit, lab_index_accepts_the_usual_spellings);
    tcase_add_test(unit, registry_lists_the_ten_labs);
    tcase_add_test(unit, rubric_loads_rows_and_skips_comments);
    tcase_add_test(unit, hints_opened_are_counted);
    tcase_add_test(unit, rubric_rejects_bad_lines);
    tcase_add_test(unit, records_are_matched_and_scored);
    tcase_add_test(unit, unknown_verdicts_count_as_crash);
    tcase_add_test(unit, one_env_reason_is_said_once);
    tcase_add_test(unit, results_json_follows_gradescope);
    tcase_add_test(unit, junit_xml_is_well_formed_and_counts);
    tcase_add_test(unit, lab_bytes_become_strict_utf8);
    tcase_add_test(unit, one_test_for_a_lab_that_does_not_build);
    tcase_add_test(unit, labs_are_found_as_a_course_receives_them);
    tcase_add_test(unit, a_zip_is_unpacked_and_searched);
    tcase_add_test(unit, a_zip_cannot_flood_or_hang);
    tcase_add_test(e2e, grader_exit_statuses);
    tcase_add_test(e2e, grader_report_shows_failures);
    tcase_add_test(e2e, missing_lab_file_is_build_zero);
    tcase_add_test(e2e, compile_failure_shows_the_compiler);
    tcase_add_test(e2e, bad_arguments_exit_2);
    tcase_set_timeout(e2e, 60);
    suite_add_tcase(s, unit);
    suite_add_tcase(s, e2e);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
