/* Rubric, records, scores and reports; see grade.h. */
#define _GNU_SOURCE
#include "grade.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <libxml/xmlwriter.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct registry lab_registry;

#define SHOWN_LINES 20   /* of a long expected or seen value in the report */

/* ---- the rubric ---------------------------------------------------------- */

int rubric_load(const char *path, struct rubric *r, char *err, size_t errlen)
{
    FILE *f = fopen(path, "re");
    char line[512];
    int lineno = 0;

    r->rows = NULL;
    r->n = 0;
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        struct rubric_row row;
        char layer[8], check[64], points[16], extra[2];
        struct rubric_row *more;
        char *end;
        int fields;

        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[strspn(line, " \t")] == '\0')
            continue;
        fields = sscanf(line, "%7s %63s %15s %1s", layer, check, points, extra);
        row.layer = (int)strtol(layer, &end, 10);
        if (fields != 3 || *end || row.layer < 1 || row.layer > lab_registry.n) {
            snprintf(err, errlen, "%s:%d: expected LAYER<TAB>CHECK<TAB>POINTS", path, lineno);
            goto fail;
        }
        row.points = (int)strtol(points, &end, 10);
        if (*end || row.points < 0 || row.points > 1000) {
            snprintf(err, errlen, "%s:%d: points must be a number from 0 to 1000", path, lineno);
            goto fail;
        }
        snprintf(row.check, sizeof row.check, "%s", check);
        more = realloc(r->rows, (r->n + 1) * sizeof *r->rows);
        if (!more) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
        r->rows = more;
        r->rows[r->n++] = row;
    }
    fclose(f);
    if (r->n == 0) {
        snprintf(err, errlen, "%s: no rows", path);
        return -1;
    }
    return 0;
fail:
    fclose(f);
    rubric_free(r);
    return -1;
}

void rubric_free(struct rubric *r)
{
    free(r->rows);
    r->rows = NULL;
    r->n = 0;
}

int rubric_has_layer(const struct rubric *r, int lab)
{
    size_t i;

    for (i = 0; i < r->n; i++)
        if (r->rows[i].layer == lab + 1)
            return 1;
    return 0;
}

/* ---- one lab's results ------------------------------------------------------ */

static char *dup_or_empty(const char *s)
{
    char *d = strdup(s ? s : "");

    if (!d) {
        fputs("nslab-grade: out of memory\n", stderr);
        exit(2);
    }
    return d;
}

static void result_set(struct result *res, const char *verdict, const char *title, const char *command,
                       const char *expected, const char *seen, const char *hint, double seconds)
{
    free(res->title);
    free(res->command);
    free(res->expected);
    free(res->seen);
    free(res->hint);
    snprintf(res->verdict, sizeof res->verdict, "%s", verdict);
    res->title = dup_or_empty(title);
    res->command = dup_or_empty(command);
    res->expected = dup_or_empty(expected);
    res->seen = dup_or_empty(seen);
    res->hint = dup_or_empty(hint);
    res->seconds = seconds;
}

void lab_init(struct lab_result *l, const struct rubric *r, const char *verdict, const char *why)
{
    size_t i;

    l->results = calloc(r->n ? r->n : 1, sizeof *l->results);
    l->n = 0;
    if (!l->results) {
        fputs("nslab-grade: out of memory\n", stderr);
        exit(2);
    }
    for (i = 0; i < r->n; i++) {
        struct result *res;
        if (r->rows[i].layer > l->lab + 1)
            continue;
        res = &l->results[l->n++];
        res->row = &r->rows[i];
        snprintf(res->check, sizeof res->check, "%s", r->rows[i].check);
        result_set(res, verdict, r->rows[i].check, "", "", why, "", 0);
    }
}

static void result_free(struct result *res);

void lab_as_one(struct lab_result *l, const struct rubric *r, const char *verdict, const char *check,
                const char *title, const char *why)
{
    size_t i;
    int total = 0;

    lab_init(l, r, verdict, why);
    for (i = 0; i < l->n; i++) {
        total += l->results[i].row ? l->results[i].row->points : 0;
        if (i > 0)
            result_free(&l->results[i]);
    }
    if (l->n == 0)
        result_set(&l->results[0], verdict, title, "", "", why, "", 0);
    l->checks = (int)l->n;
    l->n = 1;
    l->results[0].row = NULL;
    l->results[0].whole_lab = 1;
    l->results[0].max = total;
    snprintf(l->results[0].check, sizeof l->results[0].check, "%s", check);
    free(l->results[0].title);
    l->results[0].title = dup_or_empty(title);
}

static const char *get_string(struct json_object *o, const char *key)
{
    struct json_object *v;

    return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static int known_verdict(const char *v)
{
    static const char *const verdicts[] = { "PASS", "FAIL", "TIMEOUT", "CRASH", "BUILD", "ENV" };
    size_t i;

    for (i = 0; i < sizeof verdicts / sizeof verdicts[0]; i++)
        if (strcmp(v, verdicts[i]) == 0)
            return 1;
    return 0;
}

int lab_read_records(struct lab_result *l, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "re");
    char *line = NULL;
    size_t cap = 0;
    int count = 0, lineno = 0;

    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    while (getline(&line, &cap, f) > 0) {
        struct json_object *o = json_tokener_parse(line), *secs;
        const char *check, *verdict;
        size_t i;

        lineno++;
        if (!o || !json_object_is_type(o, json_type_object)) {
            fprintf(stderr, "nslab-grade: %s:%d: not a JSON object, ignored\n", path, lineno);
            json_object_put(o);
            continue;
        }
        check = get_string(o, "check");
        verdict = get_string(o, "verdict");
        if (!known_verdict(verdict)) {
            fprintf(stderr, "nslab-grade: %s:%d: unknown verdict \"%s\", taken as CRASH\n", path, lineno, verdict);
            verdict = "CRASH";
        }
        for (i = 0; i < l->n; i++)
            if (strcmp(l->results[i].check, check) == 0)
                break;
        if (i == l->n) {
            /* Not in the rubric: shown, worth nothing. */
            struct result *more = realloc(l->results, (l->n + 1) * sizeof *l->results);
            if (!more)
                break;
            l->results = more;
            memset(&l->results[l->n], 0, sizeof *l->results);
            snprintf(l->results[l->n].check, sizeof l->results[l->n].check, "%s", check);
            l->n++;
            fprintf(stderr, "nslab-grade: check %s is not in the rubric: 0 points\n", check);
        }
        result_set(&l->results[i], verdict, *get_string(o, "title") ? get_string(o, "title") : check,
                   get_string(o, "command"), get_string(o, "expected"), get_string(o, "seen"),
                   get_string(o, "hint"),
                   json_object_object_get_ex(o, "seconds", &secs) ? json_object_get_double(secs) : 0);
        free(l->results[i].details);
        l->results[i].details = *get_string(o, "details") ? strdup(get_string(o, "details")) : NULL;
        l->results[i].recorded = 1;
        json_object_put(o);
        count++;
    }
    free(line);
    fclose(f);
    return count;
}

static void result_free(struct result *res)
{
    free(res->title);
    free(res->command);
    free(res->expected);
    free(res->seen);
    free(res->hint);
    free(res->details);
}

void lab_keep_recorded(struct lab_result *l)
{
    size_t i, kept = 0;

    for (i = 0; i < l->n; i++) {
        if (l->results[i].recorded)
            l->results[kept++] = l->results[i];
        else
            result_free(&l->results[i]);
    }
    l->n = kept;
}

void lab_score(struct lab_result *l)
{
    size_t i;

    l->score = l->max = 0;
    for (i = 0; i < l->n; i++) {
        struct result *res = &l->results[i];
        if (!res->whole_lab)
            res->max = res->row ? res->row->points : 0;
        res->score = strcmp(res->verdict, "PASS") == 0 ? res->max : 0;
        l->score += res->score;
        l->max += res->max;
    }
}

int lab_count(const struct lab_result *l, const char *verdict)
{
    size_t i;
    int n = 0;

    for (i = 0; i < l->n; i++)
        n += strcmp(l->results[i].verdict, verdict) == 0;
    return n;
}

void lab_free(struct lab_result *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        result_free(&l->results[i]);
    free(l->results);
    free(l->source);
    free(l->shown);
    free(l->build_log);
    memset(l, 0, sizeof *l);
}

/* Lab output can hold any bytes; JSON and XML want UTF-8 text. Replace
 * control characters (but newline and tab) and broken UTF-8 with '?'. */
static void sanitize(char *s)
{
    unsigned char *p = (unsigned char *)s;

    while (*p) {
        int len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
        int i;

        unsigned cp = len == 2 ? *p & 0x1fu : len == 3 ? *p & 0x0fu : len == 4 ? *p & 0x07u : *p;

        for (i = 1; i < len; i++) {
            if ((p[i] & 0xc0) != 0x80) {
                len = 0;
                break;
            }
            cp = (cp << 6) | (p[i] & 0x3fu);
        }
        if (len == 1 && *p < 0x20 && *p != '\n' && *p != '\t')
            len = 0;
        /* Strict UTF-8, as JSON readers and XML want it: no overlong form,
         * no surrogate, nothing past U+10FFFF, no U+FFFE or U+FFFF. */
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff || cp == 0xfffe || cp == 0xffff)
            len = 0;
        if (len == 0) {
            *p++ = '?';
            continue;
        }
        p += len;
    }
}

/* ---- the human report ----------------------------------------------------- */

static const char *colour_of(const char *verdict)
{
    if (strcmp(verdict, "PASS") == 0)
        return "\033[32m";
    if (strcmp(verdict, "ENV") == 0)
        return "\033[33m";
    return "\033[31m";
}

/* "label: value", further lines indented under the value, cut when long. */
/* A labelled value, every line of it (make labNN CHECK=... shows all). */
static void print_all(FILE *f, const char *label, const char *text)
{
    char *value = strdup(text), *line, *save = NULL;
    int first = 1;

    if (!value)
        return;
    sanitize(value);
    for (line = strtok_r(value, "\n", &save); line; line = strtok_r(NULL, "\n", &save), first = 0)
        fprintf(f, "    %-9s %s\n", first ? label : "", line);
    free(value);
}

static void print_field(FILE *f, const char *label, const char *text)
{
    char *value = text ? strdup(text) : NULL;
    const char *p = value;
    int line = 0;

    if (!value || !*value) {
        free(value);
        return;
    }
    sanitize(value);   /* a lab's escape codes must not paint the report */
    fprintf(f, "    %-9s ", label);
    while (*p && line < SHOWN_LINES) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (line)
            fprintf(f, "    %-9s ", "");
        fprintf(f, "%.*s\n", (int)(len > 400 ? 400 : len), p);
        if (len > 400)
            fprintf(f, "    %-9s [line cut at 400 characters]\n", "");
        line++;
        p = nl ? nl + 1 : p + len;
    }
    if (*p)
        fprintf(f, "    %-9s [... %zu more characters not shown]\n", "", strlen(p));
    free(value);
}

/* The details of a result that did not pass, for the report and the files;
 * lab: the graded lab's name ("05_net_veth"), for the line that says how to
 * see all of one check. */
static void describe(FILE *f, const struct result *res, int details, const char *lab)
{
    print_field(f, "ran:", res->command);
    print_field(f, "expected:", res->expected);
    print_field(f, "seen:", res->seen);
    if (details && res->details)
        print_all(f, "details:", res->details);
    if (res->hint && *res->hint) {
        fprintf(f, "    %-9s read %s\n", "hint:", res->hint);
    }
    if (strcmp(res->verdict, "ENV") == 0)
        fprintf(f, "    %-9s this machine cannot run this check: not your lab's fault; run `make doctor`\n",
                "note:");
    else if (!details && !res->whole_lab && res->check[0] && strcmp(res->verdict, "PASS") != 0)
        fprintf(f, "    %-9s make lab%.2s CHECK=%s (this check alone, with all the grader saw)\n", "again:", lab,
                res->check);
}

/* When every check of a lab ended in ENV for the same reason (no test world
 * can be made here at all), that reason; else NULL. */
static const char *one_env_reason(const struct lab_result *l)
{
    size_t i;

    if ((l->state != LAB_GRADED && l->state != LAB_HARNESS_FAILED) || l->n == 0)
        return NULL;
    for (i = 0; i < l->n; i++)
        if (strcmp(l->results[i].verdict, "ENV") != 0 || !l->results[i].seen ||
            strcmp(l->results[i].seen, l->results[0].seen) != 0)
            return NULL;
    return l->results[0].seen;
}

void lab_hints(struct lab_result *l, const char *opened_dir, const char *hints_dir)
{
    char path[4096], line[512];
    FILE *f;

    l->hints_opened = l->hints_total = -1;
    snprintf(path, sizeof path, "%s/%s.md", hints_dir, lab_names(l->lab));
    f = fopen(path, "re");
    if (f) {
        l->hints_total = 0;
        while (fgets(line, sizeof line, f))
            l->hints_total += strncmp(line, "## ", 3) == 0;
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/%s.opened", opened_dir, lab_names(l->lab));
    f = fopen(path, "re");
    if (f) {
        if (fscanf(f, "%d", &l->hints_opened) != 1 || l->hints_opened < 0)
            l->hints_opened = -1;
        fclose(f);
    } else if (l->hints_total >= 0) {
        l->hints_opened = 0;
    }
}

/* "hints opened: 2 of 4" (or that none are known), into buf. */
static void hints_text(const struct lab_result *l, char *buf, size_t n)
{
    if (l->hints_total < 0)
        snprintf(buf, n, "hints opened: unknown (no hints shipped)");
    else
        snprintf(buf, n, "hints opened: %d of %d", l->hints_opened < 0 ? 0 : l->hints_opened, l->hints_total);
}

void report_lab(FILE *f, const struct lab_result *l, int colour)
{
    const char *name = lab_names(l->lab), *env = one_env_reason(l);
    /* The compiler's messages quote the lab's source: its escape codes must
     * not paint the terminal (a fake "Total" line). */
    char *log = dup_or_empty(l->build_log ? l->build_log : "");
    size_t i;

    sanitize(log);
    fprintf(f, "== %s (%s) ==\n", name, l->shown ? l->shown : l->source ? l->source : "");
    if (l->state == LAB_MISSING)
        fprintf(f, "%s: %s scores zero\n", l->build_log ? log : "no such file", name);
    if (l->state == LAB_NO_BUILD)
        fprintf(f, "%s does not compile; %s scores zero. The compiler said:\n%s\n",
                l->shown ? l->shown : l->source, name, log);
    if (l->state == LAB_HARNESS_FAILED && !env)
        fprintf(f, "the harness could not run for %s:\n%s\n", name, log);
    free(log);
    if (env) {
        fprintf(f, "%sENV%s: all %zu checks of %s could not run on this machine: %s "
                "(not the lab's fault; run `make doctor`)\n", colour ? colour_of("ENV") : "",
                colour ? "\033[0m" : "", l->checks ? (size_t)l->checks : l->n, name, env);
        fprintf(f, "Score %s: %d/%d\n\n", name, l->score, l->max);
        return;
    }
    for (i = 0; i < l->n; i++) {
        const struct result *res = &l->results[i];
        char head[256];
        int len = snprintf(head, sizeof head, "%s: %s ", name, res->title ? res->title : res->check);
        int dots = len < 72 ? 72 - len : 3;

        fprintf(f, "%s", head);
        while (dots--)
            fputc('.', f);
        fprintf(f, " %s%s%s (%.1fs) %d/%d\n", colour ? colour_of(res->verdict) : "", res->verdict,
                colour ? "\033[0m" : "", res->seconds, res->score, res->max);
        if ((strcmp(res->verdict, "PASS") != 0 || l->show_details) && l->state == LAB_GRADED)
            describe(f, res, l->show_details, name);
    }
    {
        char hints[64];
        hints_text(l, hints, sizeof hints);
        fprintf(f, "Score %s: %d/%d (%s)\n\n", name, l->score, l->max, hints);
    }
}

void report_total(FILE *f, const struct lab_result *labs, size_t n, int colour)
{
    int score = 0, max = 0, env = 0;
    size_t i;

    fprintf(f, "== Summary ==\n");
    for (i = 0; i < n; i++) {
        const char *mark = labs[i].score == labs[i].max && labs[i].max ? "PASS" : "    ";
        fprintf(f, "%-20s %4d/%-4d %s%s%s\n", lab_names(labs[i].lab), labs[i].score, labs[i].max,
                colour && *mark != ' ' ? "\033[32m" : "", mark, colour && *mark != ' ' ? "\033[0m" : "");
        score += labs[i].score;
        max += labs[i].max;
        env += lab_count(&labs[i], "ENV");
    }
    fprintf(f, "Total: %d/%d\n", score, max);
    if (env)
        fprintf(f, "%d check%s could not run on this machine (ENV): not the student's fault. "
                   "Run `make doctor` to see why.\n", env, env == 1 ? "" : "s");
}

/* ---- results.json ------------------------------------------------------------ */

static char *output_text(const struct lab_result *l, const struct result *res)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    if (!f)
        return dup_or_empty("");
    fprintf(f, "%s\n", res->verdict);
    if (l->state == LAB_MISSING)
        fprintf(f, "%s: none of the %d checks of %s ran\n", l->build_log ? l->build_log : "no such file",
                l->checks, lab_names(l->lab));
    else if (l->state == LAB_NO_BUILD)
        fprintf(f, "%s does not compile, so none of the %d checks of %s ran. The compiler said:\n%s\n",
                l->shown ? l->shown : l->source, l->checks, lab_names(l->lab), l->build_log ? l->build_log : "");
    else if (l->state == LAB_HARNESS_FAILED)
        fprintf(f, "the harness could not run:\n%s\n", l->build_log ? l->build_log : "");
    else if (strcmp(res->verdict, "PASS") != 0)
        describe(f, res, 0, lab_names(l->lab));
    fclose(f);
    sanitize(text);
    return text;
}

/* Write to path.tmp, then rename: a reader never sees half a file. */
static int commit_file(const char *tmp, const char *path)
{
    if (rename(tmp, path) == -1) {
        fprintf(stderr, "nslab-grade: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* For a class's gradebook: one lab in numbers. */
static struct json_object *lab_summary(const struct lab_result *l)
{
    static const char *const verdicts[] = { "PASS", "FAIL", "TIMEOUT", "CRASH", "BUILD", "ENV" };
    struct json_object *o = json_object_new_object(), *counts = json_object_new_object();
    size_t i;

    json_object_object_add(o, "score", json_object_new_int(l->score));
    json_object_object_add(o, "max", json_object_new_int(l->max));
    for (i = 0; i < sizeof verdicts / sizeof verdicts[0]; i++)
        json_object_object_add(counts, verdicts[i],
                               json_object_new_int(l->checks && l->n == 1 && strcmp(l->results[0].verdict, verdicts[i]) == 0
                                                       ? l->checks
                                                       : lab_count(l, verdicts[i])));
    json_object_object_add(o, "verdicts", counts);
    json_object_object_add(o, "hints_opened", json_object_new_int(l->hints_opened));
    json_object_object_add(o, "hints_total", json_object_new_int(l->hints_total));
    json_object_object_add(o, "file", json_object_new_string(l->shown ? l->shown : l->source ? l->source : ""));
    return o;
}

int write_results_json(const char *path, const struct lab_result *labs, size_t n, double seconds)
{
    struct json_object *top = json_object_new_object(), *tests = json_object_new_array();
    struct json_object *extra = json_object_new_object(), *hints = json_object_new_object();
    struct json_object *per_lab = json_object_new_object();
    char tmp[4096], summary[4096] = "", said[64];
    int score = 0, max = 0, env = 0, graded = 0, rc;
    size_t i, j;

    for (i = 0; i < n; i++) {
        const struct lab_result *l = &labs[i];
        size_t used = strlen(summary);
        hints_text(l, said, sizeof said);
        /* The file graded, as the student knows it, where they look first. */
        snprintf(summary + used, sizeof summary - used, "%s: %d/%d, graded %s (%s)\n", lab_names(l->lab), l->score,
                 l->max, l->shown ? l->shown : l->source ? l->source : "?", said);
        json_object_object_add(hints, lab_names(l->lab), json_object_new_string(said + 14));   /* "2 of 4" */
        json_object_object_add(per_lab, lab_names(l->lab), lab_summary(l));
        for (j = 0; j < l->n; j++) {
            const struct result *res = &l->results[j];
            struct json_object *t = json_object_new_object();
            char name[512];
            char *out = output_text(l, res);
            snprintf(name, sizeof name, "%s: %s", lab_names(l->lab), res->title ? res->title : res->check);
            json_object_object_add(t, "name", json_object_new_string(name));
            /* ENV: not graded (this machine could not run it), so no score,
             * no maximum and no status at all (Gradescope shows it neither
             * failed nor counted) rather than a zero the student did not earn. */
            if (strcmp(res->verdict, "ENV") != 0) {
                json_object_object_add(t, "score", json_object_new_int(res->score));
                json_object_object_add(t, "max_score", json_object_new_int(res->max));
                json_object_object_add(t, "status",
                                       json_object_new_string(strcmp(res->verdict, "PASS") ? "failed" : "passed"));
                graded++;
            } else {
                struct json_object *tags = json_object_new_array();
                json_object_array_add(tags, json_object_new_string("ENV"));
                json_object_object_add(t, "tags", tags);
            }
            json_object_object_add(t, "output", json_object_new_string(out));
            json_object_object_add(t, "visibility", json_object_new_string("visible"));
            json_object_array_add(tests, t);
            free(out);
        }
        score += l->score;
        max += l->max;
        env += lab_count(l, "ENV");
    }
    if (env) {
        /* First, where a student sees it. */
        char first[4608];
        snprintf(first, sizeof first,
                 "NOT GRADED: %d checks could not run on this grading machine (ENV): not the student's fault, "
                 "and not counted; the grading machine needs fixing (make doctor says how).\n%s", env, summary);
        json_object_object_add(top, "output", json_object_new_string(first));
    } else {
        json_object_object_add(top, "output", json_object_new_string(summary));
    }
    /* Nothing graded: no score (Gradescope's top-level score would stand
     * as the student's; without one, the submission shows as not graded). */
    if (graded)
        json_object_object_add(top, "score", json_object_new_int(score));
    json_object_object_add(top, "output_format", json_object_new_string("text"));
    json_object_object_add(top, "test_output_format", json_object_new_string("text"));
    json_object_object_add(top, "execution_time", json_object_new_int((int)(seconds + 0.5)));
    json_object_object_add(top, "stdout_visibility", json_object_new_string("visible"));
    json_object_object_add(top, "tests", tests);
    /* For instructors: how many hints each lab's student opened (no points). */
    json_object_object_add(extra, "hints_opened", hints);
    json_object_object_add(extra, "labs", per_lab);
    json_object_object_add(top, "extra_data", extra);
    (void)max;
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    rc = json_object_to_file_ext(tmp, top, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
    json_object_put(top);
    if (rc == -1) {
        fprintf(stderr, "nslab-grade: cannot write %s: %s\n", tmp, json_util_get_last_err());
        return -1;
    }
    return commit_file(tmp, path);
}

/* ---- junit.xml ------------------------------------------------------------------ */

static const char *junit_kind(const char *verdict)
{
    if (strcmp(verdict, "PASS") == 0)
        return NULL;
    if (strcmp(verdict, "ENV") == 0)
        return "skipped";
    if (strcmp(verdict, "CRASH") == 0)
        return "error";
    return "failure";
}

int write_junit(const char *path, const struct lab_result *labs, size_t n)
{
    char tmp[4096];
    xmlTextWriterPtr w;
    size_t i, j;
    int ok = 1;

    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    w = xmlNewTextWriterFilename(tmp, 0);
    if (!w) {
        fprintf(stderr, "nslab-grade: cannot write %s\n", tmp);
        return -1;
    }
    xmlTextWriterSetIndent(w, 1);
    ok &= xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) >= 0;
    ok &= xmlTextWriterStartElement(w, BAD_CAST "testsuites") >= 0;
    ok &= xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST "nslab") >= 0;
    for (i = 0; i < n && ok; i++) {
        const struct lab_result *l = &labs[i];
        int failures = l->n - lab_count(l, "PASS") - lab_count(l, "ENV") - lab_count(l, "CRASH");
        ok &= xmlTextWriterStartElement(w, BAD_CAST "testsuite") >= 0;
        ok &= xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST lab_names(l->lab)) >= 0;
        ok &= xmlTextWriterWriteFormatAttribute(w, BAD_CAST "tests", "%zu", l->n) >= 0;
        ok &= xmlTextWriterWriteFormatAttribute(w, BAD_CAST "failures", "%d", failures) >= 0;
        ok &= xmlTextWriterWriteFormatAttribute(w, BAD_CAST "errors", "%d", lab_count(l, "CRASH")) >= 0;
        ok &= xmlTextWriterWriteFormatAttribute(w, BAD_CAST "skipped", "%d", lab_count(l, "ENV")) >= 0;
        ok &= xmlTextWriterWriteFormatAttribute(w, BAD_CAST "time", "%.3f", l->seconds) >= 0;
        {
            char hints[64];
            hints_text(l, hints, sizeof hints);
            ok &= xmlTextWriterStartElement(w, BAD_CAST "properties") >= 0;
            ok &= xmlTextWriterStartElement(w, BAD_CAST "property") >= 0;
            ok &= xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST "hints_opened") >= 0;
            ok &= xmlTextWriterWriteAttribute(w, BAD_CAST "value", BAD_CAST(hints + 14)) >= 0;
            ok &= xmlTextWriterEndElement(w) >= 0 && xmlTextWriterEndElement(w) >= 0;
        }
        for (j = 0; j < l->n && ok; j++) {
            const struct result *res = &l->results[j];
            const char *kind = junit_kind(res->verdict);
            ok &= xmlTextWriterStartElement(w, BAD_CAST "testcase") >= 0;
            ok &= xmlTextWriterWriteAttribute(w, BAD_CAST "classname", BAD_CAST lab_names(l->lab)) >= 0;
            ok &= xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST(res->title ? res->title : res->check)) >= 0;
            ok &= xmlTextWriterWriteFormatAttribute(w, BAD_CAST "time", "%.3f", res->seconds) >= 0;
            if (kind) {
                char *out = output_text(l, res);
                char message[300];
                snprintf(message, sizeof message, "%s: %.280s", res->verdict,
                         res->expected && *res->expected ? res->expected : res->seen ? res->seen : "");
                sanitize(message);
                ok &= xmlTextWriterStartElement(w, BAD_CAST kind) >= 0;
                ok &= xmlTextWriterWriteAttribute(w, BAD_CAST "message", BAD_CAST message) >= 0;
                if (strcmp(kind, "skipped") != 0)
                    ok &= xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST res->verdict) >= 0;
                ok &= xmlTextWriterWriteString(w, BAD_CAST out) >= 0;
                ok &= xmlTextWriterEndElement(w) >= 0;
                free(out);
            }
            ok &= xmlTextWriterEndElement(w) >= 0;
        }
        ok &= xmlTextWriterEndElement(w) >= 0;
    }
    ok &= xmlTextWriterEndDocument(w) >= 0;
    xmlFreeTextWriter(w);
    if (!ok) {
        fprintf(stderr, "nslab-grade: cannot write %s\n", tmp);
        unlink(tmp);
        return -1;
    }
    return commit_file(tmp, path);
}
