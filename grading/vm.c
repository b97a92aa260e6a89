/* Grading in a VM where this machine cannot make a test world.
 *
 * Every check runs in a test world, a user namespace. Some machines
 * forbid them: Docker's default seccomp profile refuses
 * clone(CLONE_NEWUSER) and unshare(2), and Gradescope runs autograders so;
 * a locked-down lab machine may set user.max_user_namespaces = 0. There,
 * before grading, the grader asks the harness (nslab-check doctor --world),
 * and when no world can be made it runs the very same grading again inside
 * a small QEMU guest (harness/vm.sh: KVM where it works, TCG otherwise),
 * whose kernel lets root make namespaces. The guest sees this machine's
 * files read-only and writes only the output folder (--out), so the report
 * (stdout), results.json, junit.xml and the exit status come back as if
 * graded here; results.json's output then says, in one line, that the
 * grading happened in a VM and why.
 *
 * When no VM can be had either (no QEMU, no kernel: make vm fetches them;
 * the guest failed or ran out of time), grading happens here as it would
 * without this file: every check ENV, not the student's fault, plus one line
 * saying why the VM could not be used.
 *
 * NSLAB_VM=no never uses the VM; NSLAB_VM=always uses it even where worlds
 * can be made (a disposable kernel between a submission and the machine).
 * Inside the guest NSLAB_IN_VM is set: the grader there never looks again. */
#define _GNU_SOURCE
#include "vm.h"
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char no_world[512];   /* why no test world can be made here */

/* Why grading happens in a VM, for the report. */
static const char *because(void)
{
    return strcmp(no_world, "NSLAB_VM=always") == 0 ? "NSLAB_VM=always" : "this machine cannot make user namespaces";
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int vm_instead(const char *harness)
{
    const char *mode = getenv("NSLAB_VM");
    char *argv[] = { (char *)harness, "doctor", "--world", NULL };
    char text[512];
    int status;

    if (getenv("NSLAB_IN_VM") && *getenv("NSLAB_IN_VM"))
        return 0;
    if (mode && strcmp(mode, "no") == 0)
        return 0;
    if (mode && strcmp(mode, "always") == 0) {
        snprintf(no_world, sizeof no_world, "NSLAB_VM=always");
        return 1;
    }
    /* 1 and a reason: no world here. Anything else (a harness too old to
     * know the question, or one that failed) is not a reason to boot. */
    status = run_capture(argv, text, sizeof text, 0, 120);
    if (status != 1 || !text[0] || strncmp(text, "ok", 2) == 0)
        return 0;
    text[strcspn(text, "\n")] = '\0';
    snprintf(no_world, sizeof no_world, "%s", text);
    return 1;
}

/* harness/vm.sh of the kit this grader belongs to: beside the build folder
 * of the grader's program (build/nslab-grade or build/asan/nslab-grade), or
 * in the current folder. */
static const char *vm_script(char *path, size_t n)
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    const char *up[] = { "/../harness/vm.sh", "/../../harness/vm.sh" };
    size_t i;

    if (len > 0) {
        exe[len] = '\0';
        *strrchr(exe, '/') = '\0';
        for (i = 0; i < sizeof up / sizeof up[0]; i++) {
            if (snprintf(path, n, "%s%s", exe, up[i]) < (int)n && access(path, R_OK) == 0)
                return path;
        }
    }
    snprintf(path, n, "harness/vm.sh");
    return access(path, R_OK) == 0 ? path : NULL;
}

/* Append word to the malloc'd command line *cmd, quoted for sh. */
static void append_quoted(char **cmd, const char *word)
{
    size_t len = *cmd ? strlen(*cmd) : 0, need = len + 4 + 4 * strlen(word) + 1;
    char *c = realloc(*cmd, need), *p;

    if (!c)
        return;
    *cmd = c;
    p = c + len;
    if (len)
        *p++ = ' ';
    *p++ = '\'';
    for (; *word; word++) {
        if (*word == '\'') {
            memcpy(p, "'\\''", 4);
            p += 4;
        } else {
            *p++ = *word;
        }
    }
    *p++ = '\'';
    *p = '\0';
}

/* The folder a path names (itself) or holds it (a file's), made absolute,
 * when it is one under /tmp: the guest has a /tmp of its own, and vm.sh
 * keeps such folders visible. */
static int tmp_folder(const char *path, char *dir, size_t n)
{
    char real[PATH_MAX];
    struct stat st;

    if (!path || !realpath(path, real))
        return 0;
    if (stat(real, &st) == 0 && !S_ISDIR(st.st_mode))
        *strrchr(real, '/') = '\0';
    if (strncmp(real, "/tmp/", 5) != 0)
        return 0;
    snprintf(dir, n, "%s", real);
    return 1;
}

/* Add one line to results.json's output (after what is there: a "NOT
 * GRADED" first line stays first), and the whole time taken, the VM's
 * included. Rewritten whole, under another name first, as grade.c does. */
static void note_in_results(const char *out, const char *line, double seconds)
{
    char path[PATH_MAX], tmp[PATH_MAX + 8], *text;
    json_object *top, *output;
    const char *old = "";
    size_t k;

    snprintf(path, sizeof path, "%s/results.json", out);
    snprintf(tmp, sizeof tmp, "%s.vm", path);
    top = json_object_from_file(path);
    if (!top)
        return;
    if (json_object_object_get_ex(top, "output", &output) && json_object_is_type(output, json_type_string))
        old = json_object_get_string(output);
    k = strlen(old);
    while (k > 0 && old[k - 1] == '\n')
        k--;
    if (asprintf(&text, "%.*s%s%s", (int)k, old, k ? "\n\n" : "", line) < 0) {
        json_object_put(top);
        return;
    }
    json_object_object_add(top, "output", json_object_new_string(text));
    if (seconds > 0)
        json_object_object_add(top, "execution_time", json_object_new_int((int)(seconds + 0.5)));
    if (json_object_to_file_ext(tmp, top, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE) == 0)
        rename(tmp, path);
    else
        unlink(tmp);
    free(text);
    json_object_put(top);
}

/* Run argv; its exit status (128+N for a signal), or -1. */
static int run(char *const argv[], const char *env_name, const char *env_value)
{
    int status;
    pid_t pid;

    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == -1)
        return -1;
    if (pid == 0) {
        if (env_name)
            setenv(env_name, env_value, 1);
        execv(argv[0], argv);
        fprintf(stderr, "nslab-grade: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    while (waitpid(pid, &status, 0) == -1)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* From vm.sh --status's key=value lines, the value of key (or ""). */
static void status_value(const char *text, const char *key, char *value, size_t n)
{
    size_t k = strlen(key);
    const char *p = text;

    value[0] = '\0';
    for (; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, key, k) == 0 && p[k] == '=') {
            snprintf(value, n, "%.*s", (int)strcspn(p + k + 1, "\n"), p + k + 1);
            return;
        }
}

/* No VM: grade here, as without this file (every check ENV where no world
 * can be made), and say why the VM was not used. */
static int grade_here(char **argv, const struct vm_grading *g, const char *why, double start)
{
    char exe[PATH_MAX], line[1400];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    int status;

    if (len <= 0)
        snprintf(exe, sizeof exe, "%s", argv[0]);
    else
        exe[len] = '\0';
    argv[0] = exe;
    snprintf(line, sizeof line, "not graded in a VM (%s: %.400s): %.800s", because(), no_world, why);
    fprintf(stderr, "nslab-grade: %s\n", line);
    status = run(argv, "NSLAB_VM", "no");
    note_in_results(g->out, line, now() - start);
    printf("%s\n", line);
    return status < 0 ? 2 : status;
}

int vm_grade(int argc, char **argv, const struct vm_grading *g)
{
    char script[PATH_MAX], status_text[4096], accel[16], kernel[128], qemu[PATH_MAX], out[PATH_MAX];
    char exe[PATH_MAX], cwd[PATH_MAX], dir[PATH_MAX], results[PATH_MAX + 16], why[1024], line[512];
    const char *paths[] = { g->submission, g->harness, g->rubric, g->registry, g->hints, g->hints_opened };
    char *vm_argv[64], *cmd = NULL, timeout[32];
    const char *accel_name;
    double start = now();
    int n = 0, status, i;
    ssize_t len;
    size_t k;

    if (!vm_script(script, sizeof script))
        return grade_here(argv, g, "harness/vm.sh is missing", start);
    {
        char *status_argv[] = { "sh", script, "--status", NULL };
        int ready = run_capture(status_argv, status_text, sizeof status_text, 0, 60) == 0;
        status_value(status_text, "accel", accel, sizeof accel);
        status_value(status_text, "kernel", kernel, sizeof kernel);
        status_value(status_text, "qemu", qemu, sizeof qemu);
        if (!ready) {
            snprintf(why, sizeof why, "%s%s%s; make vm installs what it needs",
                     strcmp(qemu, "missing") == 0 ? "QEMU is not installed" : "",
                     strcmp(qemu, "missing") == 0 && strcmp(kernel, "missing") == 0 ? ", and " : "",
                     strcmp(kernel, "missing") == 0 ? "no kernel for the VM was fetched" :
                     strcmp(qemu, "missing") == 0 ? "" : "the VM is not ready (sh harness/vm.sh --status)");
            return grade_here(argv, g, why, start);
        }
    }
    accel_name = strcmp(accel, "kvm") == 0 ? "KVM" : "TCG";
    if (strcmp(because(), no_world) == 0)
        fprintf(stderr, "nslab-grade: %s: grading in a VM (QEMU, %s, kernel %s)\n", no_world, accel_name, kernel);
    else
        fprintf(stderr, "nslab-grade: %s (%s): grading in a VM (QEMU, %s, kernel %s)\n", because(), no_world,
                accel_name, kernel);

    /* The output folder, writable in the guest; stale results go first, so
     * that what is there afterwards is this grading's. */
    snprintf(out, sizeof out, "%s", g->out);
    {
        char mk[PATH_MAX + 16];
        snprintf(mk, sizeof mk, "%s", out);
        for (char *p = mk + 1; *p; p++)
            if (*p == '/') {
                *p = '\0';
                mkdir(mk, 0755);
                *p = '/';
            }
        mkdir(mk, 0755);
    }
    snprintf(results, sizeof results, "%s/results.json", out);
    unlink(results);

    len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0 || !getcwd(cwd, sizeof cwd))
        return grade_here(argv, g, "cannot find this program or the current folder", start);
    exe[len] = '\0';
    vm_argv[n++] = "/bin/sh";
    vm_argv[n++] = script;
    vm_argv[n++] = "--share";
    vm_argv[n++] = out;
    vm_argv[n++] = "--cwd";
    vm_argv[n++] = cwd;
    {
        static char keep[8][PATH_MAX];
        int nkeep = 0;
        snprintf(dir, sizeof dir, "%s", exe);
        *strrchr(dir, '/') = '\0';
        if (tmp_folder(dir, keep[nkeep], sizeof keep[0]))
            nkeep++;
        for (k = 0; k < sizeof paths / sizeof paths[0] && nkeep < 8; k++)
            if (tmp_folder(paths[k], keep[nkeep], sizeof keep[0]))
                nkeep++;
        for (i = 0; i < nkeep; i++) {
            vm_argv[n++] = "--keep";
            vm_argv[n++] = keep[i];
        }
    }
    vm_argv[n++] = "--";
    /* The same grading, as this program was asked for it, with the colour
     * decided here (the guest's stdout is no terminal). */
    append_quoted(&cmd, exe);
    for (i = 1; i < argc; i++)
        append_quoted(&cmd, argv[i]);
    append_quoted(&cmd, "--color");
    append_quoted(&cmd, g->colour ? "always" : "never");
    if (!cmd)
        return grade_here(argv, g, "out of memory", start);
    vm_argv[n++] = cmd;
    vm_argv[n] = NULL;

    setenv("NSLAB_IN_VM", "1", 1);
    /* Emulated (TCG), the guest is many times slower: one lab's checks at a
     * time, and a time limit for the whole VM that grows with the labs. */
    if (strcmp(accel, "kvm") != 0 && !getenv("NSLAB_GRADE_PARALLEL"))
        setenv("NSLAB_GRADE_PARALLEL", "1", 1);
    if (!getenv("NSLAB_QEMU_TIMEOUT")) {
        snprintf(timeout, sizeof timeout, "%d", 300 + 300 * (g->nlabs > 0 ? g->nlabs : 1));
        setenv("NSLAB_QEMU_TIMEOUT", timeout, 1);
    }
    status = run(vm_argv, NULL, NULL);
    unsetenv("NSLAB_IN_VM");
    free(cmd);

    if (status >= 0 && status <= 2 && access(results, F_OK) == 0) {
        snprintf(line, sizeof line, "graded in a VM (QEMU, %s): %s", accel_name, because());
        note_in_results(out, line, now() - start);
        printf("%s\n", line);
        return status;
    }
    if (status == 77)
        snprintf(why, sizeof why, "QEMU or its kernel could not be used (make vm)");
    else if (status == 124)
        snprintf(why, sizeof why, "the VM did not finish within %s s (NSLAB_QEMU_TIMEOUT)", getenv("NSLAB_QEMU_TIMEOUT"));
    else
        snprintf(why, sizeof why, "the VM failed (harness/vm.sh exited %d; its messages are above)", status);
    return grade_here(argv, g, why, start);
}
