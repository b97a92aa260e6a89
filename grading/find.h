/* Finding a student's lab files in a submission as a course receives it:
 * files uploaded one by one, a zip, nested folders, or a whole repository
 * (the release plus their work). nslab-grade --find uses it (Gradescope,
 * Classroom, make grade, a class regraded).
 *
 * The rules, for lab NN_name:
 *   - only regular files named exactly NN_name.c count; symbolic links,
 *     hidden files and everything under a hidden folder (.git, labs/.base,
 *     the release's scaffolding) are never graded;
 *   - a file in a folder named labs/ is preferred, then the shallowest;
 *     two at the same depth is one clear message naming both;
 *   - a path holding a control character (a newline in a folder's name) is
 *     refused with a message, never graded;
 *   - a zip file in the submission is unpacked (at most 64 MiB, 10000
 *     files) and searched as a folder "NAME.zip/";
 *   - a missing lab is a message naming the files that look like it
 *     (03_PID.c, "03_pid (1).c") or else what the submission holds.
 * The walk is bounded (depth 16, 20000 entries) and follows no symbolic
 * link, so a hostile submission cannot make it read outside itself or run
 * forever. */
#ifndef NSLAB_FIND_H
#define NSLAB_FIND_H

#include <stddef.h>

struct submission;

/* Walk DIR (zip files are unpacked under UNPACK, a folder of ours; NULL:
 * zips are not opened). NULL with err filled when DIR cannot be read. */
struct submission *submission_scan(const char *dir, const char *unpack, char *err, size_t errlen);
void submission_free(struct submission *s);

/* What was found for lab NAME ("03_pid"). */
struct found {
    char *path;         /* the file to grade (malloc'd), or NULL */
    char *shown;        /* its path inside the submission, as the student knows it */
    char *problem;      /* why nothing is graded (malloc'd), when path is NULL */
};
/* 1 when the submission holds anything for lab NAME (a file to grade or a
 * problem worth telling), 0 when it holds nothing like it. */
int submission_find(const struct submission *s, const char *name, struct found *f);
void found_free(struct found *f);

#endif
