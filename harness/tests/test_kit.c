/* The kit's own end-to-end tests: the solutions score full marks, each
 * starter fails exactly its own layer, broken variants and hostile labs are
 * caught, and the real machine stays as it was throughout.
 *
 * Run from the repository root as root, after `make tools` (make test does
 * both). Scratch files go to build/test-kit/ (not /tmp: the test world has a
 * /tmp of its own, so a lab there could not be run). */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "registry.h"

#define SCRATCH "build/test-kit"

/* ---- helpers ---------------------------------------------------------- */

/* Run a shell command line; return its exit status (or 128+signal). */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char *cmd = NULL;
    va_list ap;
    int st;

    va_start(ap, fmt);
    ck_assert_int_ge(vasprintf(&cmd, fmt, ap), 0);
    va_end(ap);
    /* Check's own selection variables must not reach the harness's Check. */
    unsetenv("CK_RUN_CASE");
    unsetenv("CK_RUN_SUITE");
    st = system(cmd);
    free(cmd);
    ck_assert_int_ne(st, -1);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "re");
    char *text = NULL;
    size_t len = 0;

    if (!f)
        return strdup("");
    if (getdelim(&text, &len, '\0', f) < 0) {
        free(text);
        text = strdup("");
    }
    fclose(f);
    return text;
}

/* What a person would notice changed on the real machine. */
static char *machine_state(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    const char *files[] = { "/proc/sys/kernel/hostname", "/proc/sysvipc/msg", "/proc/sysvipc/shm",
                            "/proc/sysvipc/sem", "/proc/self/mountinfo", "/proc/net/dev" };
    size_t i;

    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *t = slurp(files[i]);
        char *line, *save = NULL;
        /* /proc/net/dev counts packets and shm counts attaches: keep names. */
        for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            if (strstr(files[i], "net/dev") || strstr(files[i], "sysvipc")) {
                char a[64] = "", b[64] = "";
                sscanf(line, "%63s %63s", a, b);
                fprintf(f, "%s: %s %s\n", files[i], a, strstr(files[i], "sysvipc") ? b : "");
            } else {
                fprintf(f, "%s: %s\n", files[i], line);
            }
        }
        free(t);
    }
    /* Every cgroup of the kit's on the real machine but the worlds' own and
     * what their labs make in them (nslab/PID), which come and go with other
     * graders running (run.sh's last step checks that none is left). */
    {
        char *t;
        sh("find /sys/fs/cgroup -maxdepth 8 -type d -name 'nslab-world-*' -prune -o -type d -name '*nslab*' -print "
           "2>/dev/null | sort > " SCRATCH "/cgroups.txt");
        t = slurp(SCRATCH "/cgroups.txt");
        fprintf(f, "cgroups:\n%s", t);
        free(t);
    }
    fflush(f);
    fclose(f);
    return text;
}

/* What differs between two machine states, as diff(1) says it. */
static char *state_diff(const char *before, const char *after)
{
    FILE *f = fopen(SCRATCH "/state-before.txt", "we"), *g = fopen(SCRATCH "/state-after.txt", "we");

    if (f) {
        fputs(before, f);
        fclose(f);
    }
    if (g) {
        fputs(after, g);
        fclose(g);
    }
    sh("diff " SCRATCH "/state-before.txt " SCRATCH "/state-after.txt > " SCRATCH "/state-diff.txt");
    return slurp(SCRATCH "/state-diff.txt");
}

#define ASSERT_MACHINE_SAME(before, after, what, name)                                               \
    do {                                                                                           \
        if (strcmp(before, after) != 0) {                                                          \
            char *d = state_diff(before, after);                                                   \
            ck_abort_msg("%s %s changed the real machine:\n%.2000s", what, name, d);               \
        }                                                                                          \
    } while (0)

static int leftover_processes(void)
{
    return sh("for p in /proc/[0-9]*; do readlink $p/exe; done 2>/dev/null | grep -q \"$(pwd)/" SCRATCH "/\"") == 0;
}

/* Compile as the grader does (grading/labs.tsv has the line), as lab LAB. */
/* Is `path` at least as new as every one of the files it is made from? */
static int up_to_date(const char *path, const char *const *from)
{
    struct stat out, in;

    if (stat(path, &out) == -1)
        return 0;
    for (; *from; from++)
        if (stat(*from, &in) == -1 || in.st_mtim.tv_sec > out.st_mtim.tv_sec ||
            (in.st_mtim.tv_sec == out.st_mtim.tv_sec && in.st_mtim.tv_nsec > out.st_mtim.tv_nsec))
            return 0;
    return 1;
}

/* Compile as the grader does, unless `out` is newer than its source and the
 * compile line's inputs (the cgroup v2 guest reuses what the host built:
 * compiling there, emulated, takes most of its time). */
static void compile(const char *src, const char *out, const char *lab)
{
    const char *const from[] = { src, "grading/labs.tsv", "harness/compile-lab.sh", NULL };

    if (up_to_date(out, from))
        return;
    ck_assert_msg(sh("sh harness/compile-lab.sh %s %s %s 2>%s.log", src, out, lab, out) == 0,
                  "%s does not compile (see %s.log)", src, out);
}

/* NSLAB_KIT_LAB=NN_name (the cgroup v2 guest of make test, a slow
 * emulated machine): only that lab's broken variants, graded on its own
 * layer's checks; the earlier layers' checks they name are not run. */
static const char *only_lab;

/* The verdicts the harness gave PROGRAM as lab LAB: "check VERDICT\n" lines;
 * of the checks `only` lists (comma-separated), or of all of them. */
static char *verdicts(const char *lab, const char *program, const char *extra, const char *only)
{
    char records[256], *text, *line, *save = NULL, *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    int st;

    snprintf(records, sizeof records, SCRATCH "/%s.jsonl", strrchr(program, '/') + 1);
    unlink(records);
    st = sh("%s build/nslab-check --lab %s --program %s --records %s %s%s%s >/dev/null 2>&1", extra ? extra : "", lab,
            program, records, only ? "--only " : only_lab ? "--own-layer" : "", only ? only : "", "");
    /* (--only exits 1 when a check it names did not pass.) */
    ck_assert_msg(st == 0 || (only && st == 1), "nslab-check exited %d", st);
    text = slurp(records);
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        struct json_object *o = json_tokener_parse(line), *c, *v;
        ck_assert_msg(o != NULL, "a record is not JSON: %s", line);
        ck_assert(json_object_object_get_ex(o, "check", &c) && json_object_object_get_ex(o, "verdict", &v));
        fprintf(f, "%s %s\n", json_object_get_string(c), json_object_get_string(v));
        json_object_put(o);
    }
    free(text);
    fclose(f);
    return out;
}

static const char *verdict_of(const char *list, const char *check)
{
    static char v[16];
    char key[128];
    const char *p;

    snprintf(key, sizeof key, "%s ", check);
    for (p = list; (p = strstr(p, key)); p++)
        if (p == list || p[-1] == '\n') {
            sscanf(p + strlen(key), "%15s", v);
            return v;
        }
    return "MISSING";
}

static int count(const char *list, const char *verdict)
{
    int n = 0;
    const char *p = list;
    char key[32];

    snprintf(key, sizeof key, " %s\n", verdict);
    while ((p = strstr(p, key))) {
        n++;
        p++;
    }
    return n;
}

static int lines(const char *text)
{
    int n = 0;

    for (; *text; text++)
        n += *text == '\n';
    return n;
}

/* ---- the solutions ---------------------------------------------------- */

/* The labs that are ready, from the kit's one list (main() reads it). */
static const char *lab_names[REGISTRY_MAX];
static int nlabs;

/* Run as an unprivileged user: make test's rootless pass. */
static int rootless;

/* Without root on a cgroup v1 machine the test world has no cgroup: none is
 * delegated to a user there. */
static int world_without_cgroup(void)
{
    return rootless && access("/sys/fs/cgroup/cgroup.controllers", F_OK) != 0;
}

/* Lab 07 on in a world without a cgroup: every check must be ENV, never a
 * FAIL the student could not fix. Returns 1 when that is the case and held. */
static int no_cgroup_world(const char *lab, const char *v)
{
    if (atoi(lab) < 7 || !world_without_cgroup())
        return 0;
    ck_assert_msg(count(v, "ENV") > 0 && count(v, "ENV") == lines(v),
                  "%s without root on cgroup v1: every check should be ENV (no cgroup for the world):\n%s", lab, v);
    printf("rootless: %s is ENV throughout (cgroup v1 delegates no cgroup to a user)\n", lab);
    return 1;
}

START_TEST(solution_scores_full_marks)
{
    char src[128], bin[128], *v;

    snprintf(src, sizeof src, "solutions/%s.c", lab_names[_i]);
    snprintf(bin, sizeof bin, SCRATCH "/solution-%s", lab_names[_i]);
    compile(src, bin, lab_names[_i]);
    v = verdicts(lab_names[_i], bin, NULL, NULL);
    if (no_cgroup_world(lab_names[_i], v)) {
        free(v);
        return;
    }
    ck_assert_msg(count(v, "PASS") > 0 && count(v, "PASS") == lines(v),
                  "solution %s did not pass every check:\n%s", lab_names[_i], v);
    free(v);
}
END_TEST

/* ---- the starters ----------------------------------------------------- */

/* The checks each starter must fail: its own layer's, at the least these. */
static const char *const starter_must_fail[][14] = {
    { "uts_hostname_from_option", "uts_hostname_in_proc", "uts_default_hostname", "uts_namespace_differs",
      "exit_status_passthrough", NULL },
    { "ipc_host_objects_not_listed", "ipc_host_objects_unreachable", "ipc_inside_objects_stay_inside",
      "ipc_namespace_differs", "ipc_verbose_narrates", NULL },
    { "pid_command_is_1", "pid_init_reaps_orphans", "pid_1_dies_everyone_dies", "pid_namespace_differs",
      "pid_help_and_verbose", NULL },
    { "mnt_ps_lists_only_the_container", "mnt_proc_1_is_the_command", "mnt_tmpfs_stays_inside",
      "mnt_namespace_differs", "mnt_verbose_narrates", NULL },
    /* From lab 05 on, every check of the starter's own layer. */
    { "net_ip_shows_eth0_and_lo", "net_probe_sees_exactly_lo_and_eth0", "net_tcp_reaches_the_host_end",
      "net_host_link_not_visible", "net_namespace_differs", "net_host_end_is_paired_with_eth0",
      "net_nothing_left_on_the_host", "net_two_containers_at_once", "net_child_waits_for_the_parent",
      "net_failed_setup_removes_what_it_made", "net_child_ends_when_the_parent_dies", "net_verbose_narrates",
      "net_bad_address_exit_125", NULL },
    { "user_root_inside_with_the_maps", "user_maps_seen_from_outside", "user_file_owned_by_mapped_ids",
      "user_root_cannot_read_the_hosts_file", "user_namespace_differs", "user_default_map_as_root",
      "user_unprivileged_default_map", "user_unprivileged_container", "user_unprivileged_ipc_and_lo",
      "user_verbose_narrates", "user_bad_map_exit_125", NULL },
    { "cgroup_limits_seen_from_outside", "cgroup_unset_limits_left_alone", "cgroup_memory_hog_is_killed",
      "cgroup_fork_loop_stops_at_the_limit", "cgroup_busy_loop_gets_its_share", "cgroup_inside_shows_the_root",
      "cgroup_command_starts_in_its_group", "cgroup_namespace_differs", "cgroup_failed_setup_removes_the_group",
      "cgroup_missing_controller", "cgroup_verbose_narrates", "cgroup_bad_limit_exit_125", NULL },
    { "caps_sets_seen_from_outside", "caps_default_set_is_dockers", "caps_root_exec_cannot_regain",
      "caps_hostname_needs_sys_admin", "caps_chown_follows_cap_drop", "caps_capsh_agrees", "caps_drop_all_still_runs",
      "caps_drop_all_add_one", "caps_verbose_narrates", "caps_bad_name_exit_125", NULL },
    { "time_clocks_inside_have_the_offsets", "time_uptime_follows_boottime", "time_realtime_not_namespaced",
      "time_offsets_seen_from_outside", "time_children_share_the_namespace", "time_no_offsets_same_clocks",
      "time_verbose_narrates", "time_bad_offset_exit_125", NULL },
    { "root_is_the_given_root", "root_chroot_escape_fails", "dev_only_the_listed_nodes",
      "masked_paths_empty_read_only_refused", "nnp_and_filter_seen_from_outside", "nnp_setuid_gives_nothing",
      "seccomp_default_refuses_unconfined_allows", "pid_file_holds_host_pid", "join_enters_the_container",
      "options_bad_input_exit_125", "full_verbose_narrates", NULL },
};

START_TEST(starter_fails_exactly_its_own_layer)
{
    char src[128], bin[128], list[256], *v, *checks, *line, *save = NULL;
    int i, own_failed = 0;

    ck_assert_msg((size_t)_i < sizeof starter_must_fail / sizeof starter_must_fail[0],
                  "no list of the checks starter %s must fail (starter_must_fail)", lab_names[_i]);
    snprintf(src, sizeof src, "labs/%s.c", lab_names[_i]);
    snprintf(bin, sizeof bin, SCRATCH "/starter-%s", lab_names[_i]);
    compile(src, bin, lab_names[_i]);
    v = verdicts(lab_names[_i], bin, NULL, NULL);
    if (no_cgroup_world(lab_names[_i], v)) {
        free(v);
        return;
    }
    /* FAIL, or TIMEOUT for an init whose TODO leaves it waiting forever. */
    for (i = 0; starter_must_fail[_i][i]; i++)
        ck_assert_msg(strcmp(verdict_of(v, starter_must_fail[_i][i]), "FAIL") == 0 ||
                      strcmp(verdict_of(v, starter_must_fail[_i][i]), "TIMEOUT") == 0,
                      "starter %s: %s should FAIL:\n%s", lab_names[_i], starter_must_fail[_i][i], v);
    /* Every check of the earlier layers passes. */
    snprintf(list, sizeof list, SCRATCH "/checks-%s.txt", lab_names[_i]);
    ck_assert_int_eq(sh("build/nslab-check --lab %s --list > %s", lab_names[_i], list), 0);
    checks = slurp(list);
    for (line = strtok_r(checks, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char layer[32], id[64];
        ck_assert_int_eq(sscanf(line, "%31s %63s", layer, id), 2);
        if (strcmp(layer, lab_names[_i]) != 0)
            ck_assert_msg(strcmp(verdict_of(v, id), "PASS") == 0, "starter %s: earlier check %s should PASS:\n%s",
                          lab_names[_i], id, v);
        else
            own_failed += strcmp(verdict_of(v, id), "PASS") != 0;
    }
    ck_assert_int_gt(own_failed, 0);
    free(checks);
    free(v);
}
END_TEST

/* ---- broken variants of the 02 solution ------------------------------- */

/* A broken variant of a solution. Run as an unprivileged user (make test's
 * rootless pass), the cases that need root on the real machine are left
 * out, and main() says which. */
struct variant {
    const char *name;
    const char *lab;                /* the solution edited, and the lab graded */
    const char *find, *replace;     /* one edit of solutions/LAB.c ... */
    const char *find2, *replace2;   /* ... and maybe a second */
    const char *must_fail[8];
    const char *must_pass[4];       /* earlier layers' checks that still pass; "*": every check */
    int needs_cgroup;               /* only where the world has a cgroup (as root; labs 07 on) */
};

#define EXEC "    execvp(cfg->argv[0], cfg->argv);"

static const struct variant variants[] = {
    { "no_newuts", "02_ipc", "flags |= CLONE_NEWUTS;", "", NULL, NULL,
      { "uts_host_hostname_unchanged", "uts_namespace_differs", "uts_hostname_from_option", NULL }, { NULL }, 0 },
    { "hostname_ignored", "02_ipc", "cfg->hostname = optarg;", "(void)optarg;", NULL, NULL,
      { "uts_hostname_from_option", "uts_hostname_in_proc", "uts_hostname_64_bytes", NULL }, { NULL }, 0 },
    { "answer_printed", "02_ipc", EXEC, "    printf(\"%s\\n\", cfg->hostname); exit(0);", NULL, NULL,
      { "uts_namespace_differs", "exit_status_passthrough", "args_pass_through", "uts_default_hostname", NULL },
      { NULL }, 0 },
    { "no_wait", "02_ipc", "waitpid(pid, &status, 0) == -1", "(status = 0) != 0", NULL, NULL,
      { "waits_for_command", "no_process_left", NULL }, { NULL }, 0 },
    /* The pitfalls of handout 01, each caught. */
    { "stack_bottom", "02_ipc", "clone(child_main, stack + STACK_SIZE,", "clone(child_main, stack,", NULL, NULL,
      { "uts_hostname_from_option", "exit_status_passthrough", "default_command_is_sh", NULL }, { NULL }, 0 },
    { "sethostname_in_parent", "02_ipc", "    if (sethostname(cfg->hostname, strlen(cfg->hostname)) == -1)\n        die(\"sethostname\");",
      "", "    /* The child's stack:", "    if (sethostname(cfg.hostname, strlen(cfg.hostname)) == -1)\n"
      "        die(\"sethostname\");\n    /* The child's stack:",
      { "uts_host_hostname_unchanged", "uts_hostname_from_option", NULL }, { NULL }, 0 },
    { "sethostname_after_exec", "02_ipc", "    if (sethostname(cfg->hostname, strlen(cfg->hostname)) == -1)\n        die(\"sethostname\");",
      "", EXEC, EXEC "\n    if (sethostname(cfg->hostname, strlen(cfg->hostname)) == -1)\n        die(\"sethostname\");",
      { "uts_hostname_from_option", "uts_hostname_in_proc", "uts_default_hostname", NULL },
      { "exit_status_passthrough", "exit_127_not_found", NULL }, 0 },
    { "exec_errors_mixed", "02_ipc", "errno == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC", "EXIT_NOEXEC", NULL, NULL,
      { "exit_127_not_found", NULL }, { "exit_126_not_executable", "exit_status_passthrough", NULL }, 0 },
    { "status_lost", "02_ipc", "return exit_status(status);", "return exit_status(status) * 0;", NULL, NULL,
      { "exit_status_passthrough", "exit_status_signal", "exit_127_not_found", "exit_126_not_executable", NULL },
      { NULL }, 0 },
    { "no_newipc", "02_ipc", "flags |= CLONE_NEWIPC;", "", NULL, NULL,
      { "ipc_host_objects_not_listed", "ipc_host_objects_unreachable", "ipc_inside_objects_stay_inside",
        "ipc_namespace_differs", NULL },
      { "uts_hostname_from_option", "exit_status_passthrough", "waits_for_command", NULL }, 0 },
    { "no_newpid", "03_pid", "flags |= CLONE_NEWPID;", "", NULL, NULL,
      { "pid_command_is_1", "pid_namespace_differs", "pid_1_dies_everyone_dies", NULL },
      { "uts_hostname_from_option", "ipc_namespace_differs", NULL }, 0 },
    /* unshare(CLONE_NEWPID) affects only the caller's children: the
     * command is not PID 1. */
    { "unshare_pid_no_fork", "03_pid", "flags |= CLONE_NEWPID;", "",
      EXEC, "    if (unshare(CLONE_NEWPID) == -1) die(\"unshare\");\n" EXEC,
      { "pid_command_is_1", "pid_namespace_differs", NULL }, { "ipc_namespace_differs", NULL }, 0 },
    /* The three wrong inits of the handout's pitfalls. */
    { "init_one_wait_per_sigchld", "03_pid", "                    return exit_status(status);\n            }",
      "                    return exit_status(status);\n                break;   /* one waitpid per SIGCHLD */\n            }",
      NULL, NULL, { "pid_init_reaps_many_at_once", NULL }, { "pid_init_reaps_orphans", "pid_init_exit_status", NULL }, 0 },
    { "init_forwards_only_sigterm", "03_pid", "kill(cmd, sig);", "kill(cmd, SIGTERM);", NULL, NULL,
      { "pid_init_forwards_every_signal", NULL }, { "pid_init_forwards_sigterm", "pid_init_reaps_many_at_once", NULL }, 0 },
    { "init_mask_left_blocked", "03_pid", "            if (sigprocmask(SIG_SETMASK, &old, NULL) == -1)\n                die(\"sigprocmask\");\n",
      "", NULL, NULL, { "pid_init_command_starts_clean", "pid_init_forwards_every_signal", NULL },
      { "pid_init_reaps_many_at_once", "pid_init_exit_status", NULL }, 0 },
    { "init_no_reap", "03_pid", "waitpid(-1, &status, WNOHANG)", "waitpid(cmd, &status, WNOHANG)", NULL, NULL,
      { "pid_init_reaps_orphans", NULL }, { "pid_command_is_1", "pid_init_exit_status", NULL }, 0 },
    { "no_private", "04_mount_proc", "    if (mount(NULL, \"/\", NULL, MS_REC | MS_PRIVATE, NULL) == -1)\n"
      "        die(\"make mounts private\");", "", NULL, NULL,
      { "mnt_host_mounts_unchanged", "mnt_tmpfs_stays_inside", NULL }, { NULL }, 0 },
    { "no_proc_mount", "04_mount_proc", "    if (mount(\"proc\", \"/proc\", \"proc\", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)\n"
      "        die(\"mount /proc\");", "", NULL, NULL,
      { "mnt_ps_lists_only_the_container", "mnt_proc_1_is_the_command", NULL },
      { "pid_command_is_1", "pid_init_reaps_orphans", NULL }, 0 },
    { "private_not_recursive", "04_mount_proc", "mount(NULL, \"/\", NULL, MS_REC | MS_PRIVATE, NULL)",
      "mount(NULL, \"/\", NULL, MS_PRIVATE, NULL)", NULL, NULL,
      { "mnt_tmpfs_stays_inside", "mnt_host_proc_intact", NULL }, { NULL }, 0 },
    { "private_after_proc", "04_mount_proc",
      "    if (mount(NULL, \"/\", NULL, MS_REC | MS_PRIVATE, NULL) == -1)\n        die(\"make mounts private\");\n", "",
      "        die(\"mount /proc\");\n", "        die(\"mount /proc\");\n"
      "    if (mount(NULL, \"/\", NULL, MS_REC | MS_PRIVATE, NULL) == -1)\n        die(\"make mounts private\");\n",
      { "mnt_host_proc_intact", "mnt_host_mounts_unchanged", NULL }, { NULL }, 0 },
    { "proc_without_mntns", "04_mount_proc", "flags |= CLONE_NEWNS;", "", NULL, NULL,
      { "mnt_namespace_differs", "mnt_host_proc_intact", NULL }, { NULL }, 0 },
    /* The pitfalls of handout 05, each caught. */
    { "no_newnet", "05_net_veth", "    flags |= CLONE_NEWNET;\n", "", NULL, NULL,
      { "net_namespace_differs", "net_probe_sees_exactly_lo_and_eth0", "net_host_link_not_visible", NULL },
      { "uts_hostname_from_option", "mnt_namespace_differs", NULL }, 0 },
    { "peer_not_moved", "05_net_veth", "    rtnl_link_set_ns_pid(peer, child);\n", "", NULL, NULL,
      { "net_ip_shows_eth0_and_lo", "net_tcp_reaches_the_host_end", "net_host_end_is_paired_with_eth0", NULL },
      { NULL }, 0 },
    { "lo_not_up", "05_net_veth", "!sk || link_up(sk, \"child\", \"lo\", NULL) == -1", "!sk", NULL, NULL,
      { "net_ip_shows_eth0_and_lo", "net_probe_sees_exactly_lo_and_eth0", NULL },
      { "net_tcp_reaches_the_host_end", "net_host_end_is_paired_with_eth0", NULL }, 0 },
    { "ip_ignored", "05_net_veth", "link_up(sk, \"child\", CONTAINER_IF, &cfg->ip)",
      "link_up(sk, \"child\", CONTAINER_IF, &(struct cidr){ { htonl(0x0ac80002) }, 24, \"10.200.0.2/24\" })",
      NULL, NULL,
      { "net_ip_shows_eth0_and_lo", "net_probe_sees_exactly_lo_and_eth0", "net_tcp_reaches_the_host_end", NULL },
      { "net_namespace_differs", NULL }, 0 },
    { "host_end_without_address", "05_net_veth", "link_up(sk, \"parent\", cfg->veth, &cfg->host_ip)",
      "link_up(sk, \"parent\", cfg->veth, NULL)", NULL, NULL,
      { "net_tcp_reaches_the_host_end", "net_host_end_is_paired_with_eth0", "net_two_containers_at_once", NULL },
      { "net_probe_sees_exactly_lo_and_eth0", NULL }, 0 },
    { "fixed_veth_name", "05_net_veth", "\"nsv%ld\", (long)pid);", "\"nsv0\");", NULL, NULL,
      { "net_two_containers_at_once", NULL }, { "net_tcp_reaches_the_host_end", "net_ip_shows_eth0_and_lo", NULL }, 0 },
    { "child_does_not_wait", "05_net_veth", "    wait_for_parent(cfg);\n", "    (void)wait_for_parent;\n", NULL, NULL,
      { "net_child_waits_for_the_parent", NULL }, { NULL }, 0 },
    { "veth_left_behind", "05_net_veth", "    if (cfg.has_veth)\n        remove_veth(&cfg);\n\n    munmap", "    munmap",
      NULL, NULL, { "net_nothing_left_on_the_host", NULL }, { NULL }, 0 },
    { "failure_leaves_veth", "05_net_veth", "        if (cfg.has_veth)\n            remove_veth(&cfg);\n        return EXIT_SETUP;",
      "        return EXIT_SETUP;", NULL, NULL, { "net_failed_setup_removes_what_it_made", NULL },
      { "net_tcp_reaches_the_host_end", "net_nothing_left_on_the_host", NULL }, 0 },
    { "child_keeps_write_end", "05_net_veth", "    close(cfg->go[1]);\n    if (read(", "    if (read(", NULL, NULL,
      { "net_child_ends_when_the_parent_dies", NULL }, { "net_tcp_reaches_the_host_end", "net_child_waits_for_the_parent", NULL },
      0 },
    /* The pitfalls of handout 06, each caught. */
    { "no_newuser", "06_userns_map", "    flags |= CLONE_NEWUSER;\n", "", NULL, NULL,
      { "user_root_inside_with_the_maps", "user_namespace_differs", "user_root_cannot_read_the_hosts_file", NULL },
      { NULL }, 0 },
    { "gid_map_not_written", "06_userns_map", "    if (write_proc_file(child, \"gid_map\", line) == -1)\n        return -1;\n",
      "", NULL, NULL, { "user_root_inside_with_the_maps", "user_maps_seen_from_outside", NULL }, { NULL }, 0 },
    { "uid_map_ignored", "06_userns_map", "parse_idmap(\"--uid-map\", optarg, &cfg->uid_map);",
      "{ struct idmap ignored; parse_idmap(\"--uid-map\", optarg, &ignored); }", NULL, NULL,
      { "user_root_inside_with_the_maps", "user_maps_seen_from_outside", "user_file_owned_by_mapped_ids", NULL },
      { "user_default_map_as_root", "user_namespace_differs", NULL }, 0 },
    { "maps_child_does_not_wait", "06_userns_map", "    wait_for_parent(cfg);\n", "    (void)wait_for_parent;\n",
      NULL, NULL, { "net_child_waits_for_the_parent", NULL }, { NULL }, 0 },
    { "setgroups_not_denied", "06_userns_map", "cfg->rootless && write_proc_file(child, \"setgroups\", \"deny\")",
      "0 && write_proc_file(child, \"setgroups\", \"deny\")", NULL, NULL,
      { "user_unprivileged_default_map", "user_unprivileged_container", "user_unprivileged_ipc_and_lo", NULL },
      { "user_root_inside_with_the_maps", "user_default_map_as_root", NULL }, 0 },
    { "map_in_ignored", "06_userns_map", "cfg->uid_map.in, cfg->uid_map.out", "0UL, cfg->uid_map.out", NULL, NULL,
      { "user_bad_map_exit_125", NULL }, { "user_root_inside_with_the_maps", "user_maps_seen_from_outside", NULL }, 0 },
    /* The pitfalls of handout 07, each caught. */
    { "memory_ignored", "07_cgroup", "cfg->memory = parse_size(optarg);", "(void)parse_size(optarg);", NULL, NULL,
      { "cgroup_limits_seen_from_outside", "cgroup_memory_hog_is_killed", NULL },
      { "cgroup_fork_loop_stops_at_the_limit", "cgroup_inside_shows_the_root", NULL }, 1 },
    { "pids_limit_ignored", "07_cgroup", "if (result == 0 && cfg->pids_limit) {", "if (result == 0 && 0) {", NULL,
      NULL, { "cgroup_limits_seen_from_outside", "cgroup_fork_loop_stops_at_the_limit", NULL },
      { "cgroup_memory_hog_is_killed", NULL }, 1 },
    { "sizes_in_thousands", "07_cgroup", "unit = 1024ULL;", "unit = 1000ULL;", "unit = 1024ULL * 1024;",
      "unit = 1000ULL * 1000;", { "cgroup_limits_seen_from_outside", NULL }, { "cgroup_fork_loop_stops_at_the_limit", NULL },
      1 },
    { "swap_not_limited", "07_cgroup", "\"memory.swap.max\" : \"memory.memsw.limit_in_bytes\");",
      "\"memory.swap.max-none\" : \"memory.memsw.limit_in_bytes-none\");", NULL, NULL,
      { "cgroup_limits_seen_from_outside", NULL }, { "cgroup_memory_hog_is_killed", NULL }, 1 },
    { "cgroup_never_removed", "07_cgroup", "    for (i = 0; i < NCONTROLLERS; i++) {",
      "    for (i = 0; 0 && i < NCONTROLLERS; i++) {", NULL, NULL,
      { "cgroup_limits_seen_from_outside", "cgroup_failed_setup_removes_the_group", "uts_hostname_from_option", NULL },
      { "cgroup_bad_limit_exit_125", NULL }, 1 },
    { "no_cgroupns", "07_cgroup", "    if (unshare(CLONE_NEWCGROUP) == -1)\n        die(\"unshare(CLONE_NEWCGROUP)\");\n", "",
      NULL, NULL, { "cgroup_inside_shows_the_root", "cgroup_namespace_differs", NULL },
      { "cgroup_limits_seen_from_outside", NULL }, 1 },
    { "child_moved_after_release", "07_cgroup", "        (!cfg.rootless && make_cgroup(&cfg, pid) == -1) ||\n", "",
      "    say(\"parent\", \"waiting for %ld\", (long)pid);\n",
      "    if (!cfg.rootless)\n        (void)make_cgroup(&cfg, pid);\n    say(\"parent\", \"waiting for %ld\", (long)pid);\n",
      { "cgroup_command_starts_in_its_group", NULL }, { NULL }, 1 },
    /* The pitfalls of handout 08, each caught. */
    { "no_capability_dropped", "08_caps", "    /* Lab 08: the last step before the command, once nothing needs root. */\n"
      "    drop_capabilities(cfg);\n", "    (void)drop_capabilities;\n", NULL, NULL,
      { "caps_sets_seen_from_outside", "caps_default_set_is_dockers", "caps_hostname_needs_sys_admin",
        "caps_drop_all_still_runs", NULL }, { "caps_bad_name_exit_125", NULL }, 1 },
    { "cap_drop_ignored", "08_caps", "cfg->cap_drop |= parse_cap(\"--cap-drop\", optarg);",
      "(void)parse_cap(\"--cap-drop\", optarg);", NULL, NULL,
      { "caps_sets_seen_from_outside", "caps_chown_follows_cap_drop", "caps_drop_all_still_runs", NULL },
      { "caps_default_set_is_dockers", NULL }, 1 },
    { "bounding_set_kept", "08_caps", "        if (!(cfg->caps & (1ULL << c)) && cap_drop_bound(c) == -1)",
      "        if (0 && cap_drop_bound(c) == -1)", NULL, NULL,
      { "caps_sets_seen_from_outside", "caps_root_exec_cannot_regain", "caps_hostname_needs_sys_admin", NULL },
      { "caps_bad_name_exit_125", NULL }, 1 },
    { "inheritable_set_filled", "08_caps", "             cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_SET) == -1))",
      "             cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_SET) == -1 ||\n"
      "             cap_set_flag(caps, CAP_INHERITABLE, 1, &c, CAP_SET) == -1))", NULL, NULL,
      { "caps_sets_seen_from_outside", "caps_default_set_is_dockers", NULL }, { "caps_chown_follows_cap_drop", NULL },
      1 },
    { "caps_dropped_too_early", "08_caps",
      "    /* Lab 08: the last step before the command, once nothing needs root. */\n    drop_capabilities(cfg);\n", "",
      "    if (sethostname(cfg->hostname, strlen(cfg->hostname)) == -1)",
      "    drop_capabilities(cfg);\n    if (sethostname(cfg->hostname, strlen(cfg->hostname)) == -1)",
      { "uts_hostname_from_option", "caps_hostname_needs_sys_admin", NULL }, { NULL }, 1 },
    { "cap_add_ignored", "08_caps", "cfg->cap_add |= parse_cap(\"--cap-add\", optarg);",
      "(void)parse_cap(\"--cap-add\", optarg);", NULL, NULL,
      { "caps_sets_seen_from_outside", "caps_drop_all_add_one", NULL }, { "caps_default_set_is_dockers", NULL }, 1 },
    { "cap_prefix_case_sensitive", "08_caps", "skip = strncasecmp(text, \"CAP_\", 4) == 0 ? 4 : 0;",
      "skip = strncmp(text, \"CAP_\", 4) == 0 ? 4 : 0;", NULL, NULL, { "caps_sets_seen_from_outside", NULL },
      { "caps_default_set_is_dockers", "caps_capsh_agrees", NULL }, 1 },
    /* The pitfalls of handout 09, each caught. */
    { "offsets_swapped", "09_timens",
      "\"monotonic %lld 0\\nboottime %lld 0\\n\", cfg->monotonic, cfg->boottime);",
      "\"monotonic %lld 0\\nboottime %lld 0\\n\", cfg->boottime, cfg->monotonic);", NULL, NULL,
      { "time_clocks_inside_have_the_offsets", "time_offsets_seen_from_outside", NULL },
      { "time_verbose_narrates", "uts_hostname_from_option", NULL }, 1 },
    { "no_time_namespace", "09_timens", "    cfg.timens = !cfg.rootless;", "    cfg.timens = 0;", NULL, NULL,
      { "time_clocks_inside_have_the_offsets", "time_offsets_seen_from_outside", "time_uptime_follows_boottime",
        NULL }, { "uts_hostname_from_option", NULL }, 1 },
    /* The child made in a new time namespace at once (clone3 takes
     * CLONE_NEWTIME), its offsets written afterwards: the kernel refuses
     * (EACCES), and the error is ignored. */
    { "offsets_after_the_child", "09_timens", "    if (cfg.timens && make_timens(&cfg) == -1)\n        return EXIT_SETUP;\n",
      "    (void)make_timens;\n    if (cfg.timens)\n        flags |= CLONE_NEWTIME;\n",
      "    say(\"parent\", \"clone3(%s) = %ld\", flag_names(flags), (long)pid);",
      "    if (cfg.timens) {\n        char path[64], text[128];\n        int fd;\n"
      "        snprintf(path, sizeof path, \"/proc/%ld/timens_offsets\", (long)pid);\n"
      "        snprintf(text, sizeof text, \"monotonic %lld 0\\nboottime %lld 0\\n\", cfg.monotonic, cfg.boottime);\n"
      "        fd = open(path, O_WRONLY | O_CLOEXEC);\n"
      "        if (fd != -1) {\n            if (write(fd, text, strlen(text)) < 0) { /* ignored */ }\n            close(fd);\n        }\n"
      "    }\n    say(\"parent\", \"clone3(%s) = %ld\", flag_names(flags), (long)pid);",
      { "time_clocks_inside_have_the_offsets", "time_offsets_seen_from_outside", NULL },
      { "uts_hostname_from_option", NULL }, 1 },
    { "offsets_in_milliseconds", "09_timens",
      "\"monotonic %lld 0\\nboottime %lld 0\\n\", cfg->monotonic, cfg->boottime);",
      "\"monotonic %lld 0\\nboottime %lld 0\\n\", cfg->monotonic * 1000, cfg->boottime * 1000);", NULL, NULL,
      { "time_clocks_inside_have_the_offsets", "time_uptime_follows_boottime", NULL },
      { "time_verbose_narrates", NULL }, 1 },
    /* The pitfalls of handout 10, each caught. */
    { "chroot_not_pivot_root", "10_full_container",
      "    if (syscall(SYS_pivot_root, \".\", \".\") == -1)\n        die(\"pivot_root\");\n"
      "    if (umount2(\".\", MNT_DETACH) == -1)\n        die(\"detach the old root\");\n",
      "    if (chroot(\".\") == -1)\n        die(\"chroot\");\n", NULL, NULL,
      { "root_chroot_escape_fails", NULL }, { "uts_hostname_from_option", "full_verbose_narrates", NULL }, 1 },
    { "old_root_left_mounted", "10_full_container",
      "    if (umount2(\".\", MNT_DETACH) == -1)\n        die(\"detach the old root\");\n", "", NULL, NULL,
      { "root_is_the_given_root", NULL }, { "uts_hostname_from_option", NULL }, 1 },
    { "no_seccomp_filter", "10_full_container", "            err = seccomp_load(ctx);", "            err = 0;",
      NULL, NULL, { "seccomp_default_refuses_unconfined_allows", "nnp_and_filter_seen_from_outside", NULL },
      { "root_is_the_given_root", NULL }, 1 },
    /* libseccomp sets no_new_privs itself when it loads a filter
     * (SCMP_FLTATR_CTL_NNP): the lab's own prctl shows under unconfined. */
    { "no_new_privs_not_set", "10_full_container", "    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)",
      "    if (0)", NULL, NULL, { "nnp_setuid_gives_nothing", "nnp_and_filter_seen_from_outside", NULL },
      { "root_is_the_given_root", NULL }, 1 },
    { "masked_paths_not_masked", "10_full_container", "        if (stat(masked[i], &st) == -1)\n",
      "        if (1 || stat(masked[i], &st) == -1)\n", NULL, NULL, { "masked_paths_empty_read_only_refused", NULL },
      { "root_is_the_given_root", NULL }, 1 },
    { "join_skips_the_mount_namespace", "10_full_container",
      "        int pidfd = (int)syscall(SYS_pidfd_open, cfg->join, 0);",
      "        int pidfd = (int)syscall(SYS_pidfd_open, cfg->join, 0);\n        flags &= ~CLONE_NEWNS;", NULL, NULL,
      { "join_enters_the_container", NULL }, { "root_is_the_given_root", NULL }, 1 },
    { "pid_file_with_the_inside_pid", "10_full_container", "    n = snprintf(text, sizeof text, \"%ld\\n\", (long)pid);",
      "    n = snprintf(text, sizeof text, \"%ld\\n\", 1L);", NULL, NULL, { "pid_file_holds_host_pid", NULL },
      { "root_is_the_given_root", NULL }, 1 },
    { "hosts_whole_dev_bound", "10_full_container", "        die(\"link /dev/ptmx, fd, stdin, stdout, stderr\");\n",
      "        die(\"link /dev/ptmx, fd, stdin, stdout, stderr\");\n"
      "    mount_or_die(\"/dev\", \"dev\", NULL, MS_BIND | MS_REC, NULL, \"bind the host's /dev\");\n", NULL, NULL,
      { "dev_only_the_listed_nodes", NULL }, { "root_is_the_given_root", NULL }, 1 },
    { "join_outside_the_cgroup", "10_full_container", "    join_cgroups(cfg->join);\n", "    (void)join_cgroups;\n",
      NULL, NULL, { "join_enters_the_container", NULL }, { "root_is_the_given_root", NULL }, 1 },
    /* Not broken: --join through the /proc/PID/ns files one at a time, not
     * a pidfd; and pivot_root with a put_old folder, unmounted and removed
     * after (runc's way): any correct lab scores full marks. */
    { "join_by_ns_files_is_fine", "10_full_container", "        if (pidfd != -1 && setns(pidfd, flags) == 0) {",
      "        if (0) {", "            if (pidfd != -1 && errno != EINVAL)", "            if (0)", { NULL }, { "*" }, 1 },
    { "pivot_with_put_old_is_fine", "10_full_container",
      "    if (syscall(SYS_pivot_root, \".\", \".\") == -1)\n        die(\"pivot_root\");\n"
      "    if (umount2(\".\", MNT_DETACH) == -1)\n        die(\"detach the old root\");\n"
      "    if (chdir(\"/\") == -1)\n        die(\"chdir /\");\n",
      "    if (mkdir(\".old-root\", 0700) == -1 || syscall(SYS_pivot_root, \".\", \".old-root\") == -1)\n"
      "        die(\"pivot_root\");\n    if (chdir(\"/\") == -1 || umount2(\"/.old-root\", MNT_DETACH) == -1 ||\n"
      "        rmdir(\"/.old-root\") == -1)\n        die(\"detach the old root\");\n", NULL, NULL,
      { NULL }, { "*" }, 1 },
    /* Not broken: lab 09 with lab 01's clone(2) after the unshare, not
     * clone3: the checks prove behaviour, not which call made the child. */
    { "clone_not_clone3_is_fine", "09_timens", "        pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);",
      "        static char stack[1024 * 1024];\n        (void)args;\n"
      "        pid = clone(child_main, stack + sizeof stack, flags | SIGCHLD, &cfg);",
      "        if (pid == 0)\n            _exit(child_main(&cfg));   /* the child: on a copy of our stack, as after fork */\n",
      "", { NULL }, { "*" }, 1 },
    /* Not broken: an init that also installs handlers (as many tutorials
     * do) is just as correct, and must score full marks. Checks prove
     * behaviour, not technique. */
    { "init_with_handlers_is_fine", "03_pid", "        sigemptyset(&signals);",
      "        {\n            struct sigaction sa;\n            int s;\n            memset(&sa, 0, sizeof sa);\n"
      "            sa.sa_handler = on_any_signal;\n            for (s = 1; s < 32; s++)\n"
      "                if (s != SIGKILL && s != SIGSTOP && s != SIGCHLD)\n                    sigaction(s, &sa, NULL);\n        }\n"
      "        sigemptyset(&signals);",
      "static int run_init(struct config *cfg)", "static void on_any_signal(int sig) { (void)sig; }\nstatic int run_init(struct config *cfg)",
      { NULL }, { "*" }, 0 },
    /* A lab 07 mistake, caught by the world's snapshot: a cgroup made in
     * /sys/fs/cgroup (v1 or v2) and never removed. Otherwise correct. */
    { "cgroup_left_behind", "04_mount_proc", "    munmap(stack, STACK_SIZE);\n    return exit_status(status);",
      "    munmap(stack, STACK_SIZE);\n    mkdir(\"/sys/fs/cgroup/pids/nslab-left\", 0755);\n"
      "    mkdir(\"/sys/fs/cgroup/nslab-left\", 0755);\n    return exit_status(status);",
      "#include <sys/mount.h>", "#include <sys/mount.h>\n#include <sys/stat.h>",
      { "uts_hostname_from_option", "exit_status_passthrough", "mnt_namespace_differs", NULL }, { NULL }, 1 },
};
#define NVARIANTS (sizeof variants / sizeof variants[0])

/* Apply one edit to text; the text to find must occur exactly once, so that
 * a change of the solution cannot make this test pass silently. */
static char *edit(const struct variant *var, char *src, const char *find, const char *replace)
{
    char *at = strstr(src, find), *out = NULL;

    ck_assert_msg(at != NULL, "variant %s: \"%s\" is not in solutions/%s.c", var->name, find, var->lab);
    ck_assert_msg(strstr(at + 1, find) == NULL, "variant %s: \"%s\" occurs twice", var->name, find);
    ck_assert_int_ge(asprintf(&out, "%.*s%s%s", (int)(at - src), src, replace, at + strlen(find)), 0);
    free(src);
    return out;
}

static void make_variant(const struct variant *var, const char *path)
{
    char source[128];
    char *src;
    FILE *f;

    snprintf(source, sizeof source, "solutions/%s.c", var->lab);
    src = edit(var, slurp(source), var->find, var->replace);
    if (var->find2)
        src = edit(var, src, var->find2, var->replace2);
    /* The same text as last time: leave the file (and its mtime) alone. */
    if (access(path, R_OK) == 0) {
        char *old = slurp(path);
        int same = strcmp(old, src) == 0;
        free(old);
        if (same) {
            free(src);
            return;
        }
    }
    f = fopen(path, "we");
    ck_assert_ptr_nonnull(f);
    fputs(src, f);
    fclose(f);
    free(src);
}

/* The variants and hostile labs this run can use, by index. */
static size_t variant_index[NVARIANTS], nvariant_index;

START_TEST(broken_variant_is_caught)
{
    const struct variant *var = &variants[variant_index[_i]];
    char src[128], bin[128], only[1024], *v, *before, *after;
    int i;

    snprintf(src, sizeof src, SCRATCH "/variant-%s.c", var->name);
    snprintf(bin, sizeof bin, SCRATCH "/variant-%s", var->name);
    make_variant(var, src);
    compile(src, bin, var->lab);
    /* The checks that must catch it and those that must not, only (they
     * prove it); a variant that is not broken ("*"), every check. */
    only[0] = '\0';
    for (i = 0; var->must_fail[i]; i++)
        snprintf(only + strlen(only), sizeof only - strlen(only), "%s%s", only[0] ? "," : "", var->must_fail[i]);
    for (i = 0; var->must_pass[i] && strcmp(var->must_pass[i], "*"); i++)
        snprintf(only + strlen(only), sizeof only - strlen(only), "%s%s", only[0] ? "," : "", var->must_pass[i]);
    before = machine_state();
    v = verdicts(var->lab, bin, NULL, var->must_pass[0] && strcmp(var->must_pass[0], "*") == 0 ? NULL : only);
    after = machine_state();
    ASSERT_MACHINE_SAME(before, after, "variant", var->name);
    ck_assert_msg(!leftover_processes(), "variant %s left processes running", var->name);
    /* Caught: a wrong answer, a crash or a hang; never PASS, and never ENV
     * (the machine's fault) or no verdict at all. */
    for (i = 0; var->must_fail[i]; i++) {
        const char *got = verdict_of(v, var->must_fail[i]);
        if (only_lab && strcmp(got, "MISSING") == 0)
            continue;   /* an earlier layer's check, not run */
        ck_assert_msg(strcmp(got, "FAIL") == 0 || strcmp(got, "CRASH") == 0 || strcmp(got, "TIMEOUT") == 0,
                      "variant %s: %s should FAIL:\n%s", var->name, var->must_fail[i], v);
    }
    if (var->must_pass[0] && strcmp(var->must_pass[0], "*") == 0)
        ck_assert_msg(count(v, "PASS") > 0 && count(v, "PASS") == lines(v), "variant %s should pass every check:\n%s",
                      var->name, v);
    else
        for (i = 0; var->must_pass[i]; i++)
            ck_assert_msg(strcmp(verdict_of(v, var->must_pass[i]), "PASS") == 0 ||
                              (only_lab && strcmp(verdict_of(v, var->must_pass[i]), "MISSING") == 0),
                          "variant %s: %s should PASS:\n%s", var->name, var->must_pass[i], v);
    free(before);
    free(after);
    free(v);
}
END_TEST

/* ---- hostile labs, through the grader --------------------------------- */

struct hostile {
    const char *name;
    const char *verdict;        /* what most checks must end in */
    const char *must_say;       /* in the output of half the checks or more, when set
                                 * (white space matches any run of white space) */
    const char *must_not_say;   /* in no check's output */
    int needs_root;             /* a scratch mount on the machine, or a delegated cgroup */
    const char *must_fail[4];   /* these checks FAIL, the others may pass (it runs the command);
                                 * when empty, every check must fail: it scores 0 */
    double timeout;             /* each run's time limit (0: 0.4 s, enough for most) */
    const char *only;           /* the checks to run (a costly lab: a few prove it), or NULL: all */
};

#define A_FEW_CHECKS "uts_namespace_differs,exit_status_passthrough,ipc_namespace_differs"

/* Wrong labs that reach for the machine: each tries one thing and prints
 * what the kernel answered. The calls that change the whole machine are
 * refused by the world's seccomp filter, which the report names; the rest
 * by the user namespace (no capability over the machine's objects), or by
 * the world having none of the machine's (a root of the system's folders
 * only, a keyring, an environment and a terminal of its own). Besides its
 * own must_not_say, no output may hold any of the grader's secrets that
 * plant_secrets() puts where a lab would look (grader_secrets[]). */
#define TRIED "succeeded"
static const struct hostile hostiles[] = {
    /* A flood on stdout must leave room in the report for stderr after it. */
    { "hang", "TIMEOUT", NULL, NULL, 0, { NULL }, 0, NULL },
    { "flood", "TIMEOUT", "more bytes not shown] stderr: (empty)", NULL, 0, { NULL }, 0, NULL },
    { "forkbomb", "TIMEOUT", NULL, NULL, 0, { NULL }, 0, NULL },
    { "killall", "FAIL", NULL, NULL, 0, { NULL }, 0, NULL }, { "killgroup", "CRASH", NULL, NULL, 0, { NULL }, 0, NULL },
    { "reboot", "CRASH", NULL, NULL, 0, { NULL }, 0, NULL },
    { "fakepass", "FAIL", NULL, NULL, 0, { NULL }, 0, NULL }, { "nocompile", "BUILD", NULL, NULL, 0, { NULL }, 0, NULL },
    { "settime", "FAIL", "settimeofday(2)", TRIED, 0, { NULL }, 0, NULL }, { "swapoff", "FAIL", "swapoff(2)", TRIED, 0, { NULL }, 0, NULL },
    { "module", "FAIL", "finit_module(2)", TRIED, 0, { NULL }, 0, NULL },
    { "remount", "FAIL", "mount(2) with MS_REMOUNT but not MS_BIND", TRIED, 1, { NULL }, 0, NULL },
    { "sysrq", "FAIL", "swappiness for writing: Permission denied", TRIED, 0, { NULL }, 0, NULL },
    { "mknod", "FAIL", "Operation not permitted mount devtmpfs: Operation not permitted", TRIED, 0, { NULL }, 0, NULL },
    { "cgroup_limits", "FAIL", "a limit of its own cgroup (7 to",
      "the world's own limit (max to /sys/fs/cgroup/pids/pids.max): succeeded", 1, { NULL }, 0, NULL },
    /* Issue 20's routes: a grade faked, or the machine reached. */
    { "include_solution", "BUILD", "/proc/self/cwd/solutions/02_ipc.c: No such file or directory", NULL, 0, { NULL }, 0, NULL },
    { "include_device", "BUILD", "still running after 3 s (its time limit)", NULL, 0, { NULL }, 0, NULL },
    { "include_secret", "BUILD", "No such file or directory", NULL, 0, { NULL }, 0, NULL },
    { "include_zero", "BUILD", "cc1", NULL, 0, { NULL }, 0, NULL },
    { "compile_flood", "BUILD", "more bytes of the compiler's messages not shown", NULL, 0, { NULL }, 0, NULL },
    { "harnessmem", "FAIL", "open /proc/1/mem for writing: Permission denied", TRIED, 0, { NULL }, 0, NULL },
    { "manymounts", "FAIL", "no longer fit in the harness's snapshot", NULL, 0, { NULL }, 3, A_FEW_CHECKS },
    { "decoy", "FAIL", NULL, NULL, 0,
      { "uts_namespace_differs", "uts_host_hostname_unchanged", "ipc_namespace_differs", NULL }, 0, NULL },
    { "keyring", "FAIL", "add_key(2)", "nslab-planted", 0, { NULL }, 0, NULL },
    { "environ", "FAIL", "env: PATH=/usr/local/sbin", NULL, 0, { NULL }, 0, NULL },
    { "sockets", "FAIL", "tried", "connect", 0, { NULL }, 3, A_FEW_CHECKS },
    { "procpeek", "FAIL", "took a /proc off", NULL, 0, { NULL }, 0, NULL },
    { "counts", "FAIL", "inotify instances: 8 (then", "vsock: succeeded", 0, { NULL }, 0, NULL },
    { "deepcgroup", "FAIL", NULL, NULL, 1, { NULL }, 3, A_FEW_CHECKS },
    /* With a cgroup, its memory limit ends it (CRASH); without one (rootless
     * on cgroup v1), the harness's watch on the machine's shared memory. */
    { "tmpfsfill", NULL, NULL, NULL, 0, { NULL }, 3, A_FEW_CHECKS },
};
#define NHOSTILES (sizeof hostiles / sizeof hostiles[0])
static size_t hostile_index[NHOSTILES], nhostile_index;

/* Does text say phrase, whatever the runs of white space in text (the
 * report indents the lines it shows)? */
static int says(const char *text, const char *phrase)
{
    char *squeezed = malloc(strlen(text) + 1), *out = squeezed;
    int found;

    ck_assert_ptr_nonnull(squeezed);
    for (; *text; text++)
        if (!(*text == ' ' || *text == '\n' || *text == '\t') || (out > squeezed && out[-1] != ' '))
            *out++ = *text == '\n' || *text == '\t' ? ' ' : *text;
    *out = '\0';
    found = strstr(squeezed, phrase) != NULL;
    free(squeezed);
    return found;
}

/* Grade one hostile lab as a submission's 02_ipc.c (checks of labs 01 and 02); return the text
 * of results.json and fill in the grader's exit status. */
/* Where the remount lab's scratch filesystem goes, in a private mount
 * namespace of the test's own, standing for the machine: inside a system
 * folder, which the world shows (read-only), so the lab can reach for it. */
#define REMOUNT_SCRATCH "/usr/src"

static char *grade_hostile(const struct hostile *h, int *status)
{
    char dir[128], out[128], path[256];

    snprintf(dir, sizeof dir, SCRATCH "/submission-%s", h->name);
    snprintf(out, sizeof out, SCRATCH "/grade-%s", h->name);
    ck_assert_int_eq(sh("rm -rf %s %s && mkdir -p %s && cp harness/tests/hostile/%s.c %s/02_ipc.c",
                        dir, out, dir, h->name, dir), 0);
    /* The remount lab looks for a scratch filesystem to remount: one is
     * mounted, as real root, in a private mount namespace of this test's
     * own, which stands for the real machine (remount_scratch_... proves
     * that this lab, run there directly, does turn it read-only). */
    *status = sh("%s NSLAB_TIMEOUT=%g NSLAB_COMPILE_TIMEOUT=3 build/nslab-grade --labs 02 --submission %s --out %s "
                 "--color never %s%s > %s.report 2>&1", strcmp(h->name, "remount") ? "" :
                 "unshare --mount --propagation private sh -c '"
                 "mount -t tmpfs -o size=1m nslab-remount-scratch " REMOUNT_SCRATCH " && exec \"$0\" \"$@\"' env",
                 h->timeout > 0 ? h->timeout : 0.4, dir, out, h->only ? "--only " : "", h->only ? h->only : "", out);
    snprintf(path, sizeof path, "%s/results.json", out);
    return slurp(path);
}

/* The grader's secrets, where a lab would look for them (plant_secrets):
 * no check's output may hold any. */
static const char *const grader_secrets[] = {
    "nslab-secret-token",    /* in the grader's environment */
    "nslab-secret-payload",  /* in its session keyring, under "nslab-secret" */
    "nslab-secret-content",  /* in a file of the machine's, readable by all, outside the system's folders */
    "nslab-host-marker",     /* a process of the machine's, by its command line */
    "nslab-test-socket",     /* listening sockets of the machine's */
};

static pid_t marker_process;
static int listening[2] = { -1, -1 };

static void listen_at(int i, const char *path)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };

    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    unlink(path);
    listening[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listening[i] == -1 || bind(listening[i], (struct sockaddr *)&a, sizeof a) == -1 || listen(listening[i], 8) == -1)
        fprintf(stderr, "kit: cannot listen at %s: %s\n", path, strerror(errno));
    chmod(path, 0777);
}

/* Before the hostile labs: the grader's secrets where a lab would look. */
static void plant_secrets(void)
{
    char path[108];
    int fd;

    setenv("NSLAB_SECRET_TOKEN", "nslab-secret-token", 1);
    /* A session keyring of this run's own, as a login gives one. */
    syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL);
    if (syscall(SYS_add_key, "user", "nslab-secret", "nslab-secret-payload", 20, KEY_SPEC_SESSION_KEYRING) == -1)
        fprintf(stderr, "kit: cannot add a key: %s\n", strerror(errno));
    fd = open("/var/tmp/nslab-test-secret", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd != -1) {
        if (write(fd, "nslab-secret-content\n", 21) != 21)
            fprintf(stderr, "kit: cannot write the secret file\n");
        close(fd);
    }
    snprintf(path, sizeof path, "/var/tmp/nslab-test-socket-%d", (int)getuid());
    listen_at(0, path);
    listen_at(1, SCRATCH "/nslab-test-socket");
    marker_process = fork();
    if (marker_process == 0) {
        execl("/bin/sleep", "nslab-host-marker", "3600", (char *)NULL);
        _exit(127);
    }
}

static void remove_secrets(void)
{
    char path[108];

    if (marker_process > 0) {
        kill(marker_process, SIGKILL);
        waitpid(marker_process, NULL, 0);
    }
    snprintf(path, sizeof path, "/var/tmp/nslab-test-socket-%d", (int)getuid());
    unlink(path);
    unlink(SCRATCH "/nslab-test-socket");
}

/* World cgroups on the machine that no living harness holds: left behind. */
static char *abandoned_worlds(void)
{
    sh("find /sys/fs/cgroup -maxdepth 6 -type d -name 'nslab-world-*' -prune 2>/dev/null | "
       "while read -r d; do flock -n -x \"$d\" true 2>/dev/null && echo \"$d\"; done > " SCRATCH "/abandoned.txt");
    return slurp(SCRATCH "/abandoned.txt");
}

/* The verdict the records of a graded lab give a check. */
static const char *recorded_verdict(const char *records, const char *check)
{
    static char v[16];
    char *text = slurp(records), *line, *save = NULL;

    snprintf(v, sizeof v, "MISSING");
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        struct json_object *o = json_tokener_parse(line), *c, *vv;
        if (o && json_object_object_get_ex(o, "check", &c) && json_object_object_get_ex(o, "verdict", &vv) &&
            strcmp(json_object_get_string(c), check) == 0)
            snprintf(v, sizeof v, "%s", json_object_get_string(vv));
        json_object_put(o);
    }
    free(text);
    return v;
}

START_TEST(hostile_lab_gets_a_clear_verdict)
{
    const struct hostile *h = &hostiles[hostile_index[_i]];
    struct json_object *results, *score, *tests;
    char *before = machine_state(), *after, *text;
    size_t i, matching = 0, saying = 0, n;
    int status;

    text = grade_hostile(h, &status);
    after = machine_state();
    ck_assert_msg(status == 1, "%s: the grader should exit 1 (points lost), exited %d", h->name, status);
    results = json_tokener_parse(text);
    ck_assert_msg(results != NULL, "%s: results.json is not JSON", h->name);
    ck_assert(json_object_object_get_ex(results, "score", &score));
    ck_assert(json_object_object_get_ex(results, "tests", &tests));
    n = json_object_array_length(tests);
    ck_assert_uint_gt(n, 0);
    for (i = 0; i < n; i++) {
        struct json_object *t = json_object_array_get_idx(tests, i), *out;
        const char *output = json_object_object_get_ex(t, "output", &out) ? json_object_get_string(out) : "";
        size_t k;
        if (!h->verdict || strstr(output, h->verdict))
            matching++;
        if (h->must_say && says(output, h->must_say))
            saying++;
        ck_assert_msg(!h->must_not_say || !strstr(output, h->must_not_say), "%s: a check's output says \"%s\":\n%.1500s",
                      h->name, h->must_not_say, output);
        for (k = 0; k < sizeof grader_secrets / sizeof grader_secrets[0]; k++)
            ck_assert_msg(!strstr(output, grader_secrets[k]), "%s: a check's output holds the grader's %s:\n%.1500s",
                          h->name, grader_secrets[k], output);
    }
    if (h->must_fail[0]) {
        /* It runs the command, so some checks pass; these must not. */
        char records[256];
        snprintf(records, sizeof records, SCRATCH "/grade-%s/records/02_ipc.jsonl", h->name);
        for (i = 0; i < 4 && h->must_fail[i]; i++)
            ck_assert_msg(strcmp(recorded_verdict(records, h->must_fail[i]), "FAIL") == 0, "%s: %s should FAIL:\n%.1500s",
                          h->name, h->must_fail[i], text);
    } else {
        ck_assert_msg(matching * 2 >= n, "%s: fewer than half the checks ended in %s:\n%.1500s", h->name,
                      h->verdict ? h->verdict : "a verdict", text);
        /* None of them runs the command as asked, so every check must fail:
         * this also proves that each check of labs 01-02 can fail. */
        ck_assert_msg(json_object_get_double(score) == 0, "%s: scored %g:\n%.1500s", h->name,
                      json_object_get_double(score), text);
    }
    ck_assert_msg(!h->must_say || saying * 2 >= n, "%s: fewer than half the checks say \"%s\":\n%.1500s", h->name,
                  h->must_say, text);
    /* Nothing the lab did stays: no key planted in the grader's keyring, no
     * world cgroup left, the machine as it was. */
    ck_assert_msg(syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, "user", "nslab-planted", 0) == -1,
                  "%s: a key planted by the lab is in the grader's session keyring", h->name);
    {
        char *left = abandoned_worlds();
        ck_assert_msg(!left[0], "%s: world cgroups left on the machine:\n%s", h->name, left);
        free(left);
    }
    ASSERT_MACHINE_SAME(before, after, "hostile lab", h->name);    ASSERT_MACHINE_SAME(before, after, "hostile lab", h->name);
    ck_assert_msg(!leftover_processes(), "%s left processes running", h->name);
    json_object_put(results);
    free(text);
    free(before);
    free(after);
}
END_TEST

/* The superblock remount, run outside any test world (as real root, in a
 * private mount namespace of this test's own holding a scratch tmpfs), does
 * turn the scratch filesystem read-only: so the hostile lab "remount" is
 * really dangerous, and the same lab graded in a test world (the same
 * namespace) leaves it read-write. */
START_TEST(remount_reaches_the_machine_only_outside_the_world)
{
    char *world, *direct;

    compile("harness/tests/hostile/remount.c", SCRATCH "/hostile-remount", "02_ipc");
    ck_assert_int_eq(sh("rm -rf " SCRATCH "/gremount && mkdir -p " SCRATCH "/gremount/sub && "
                        "cp harness/tests/hostile/remount.c " SCRATCH "/gremount/sub/02_ipc.c && "
                        "unshare --mount --propagation private sh -c '"
                        "mount -t tmpfs -o size=1m nslab-remount-scratch " REMOUNT_SCRATCH " && "
                        "NSLAB_TIMEOUT=0.4 build/nslab-grade --labs 02 --submission " SCRATCH "/gremount/sub "
                        "--out " SCRATCH "/gremount/out >/dev/null 2>&1; "
                        "grep nslab-remount-scratch /proc/self/mountinfo > " SCRATCH "/gremount/world.txt; "
                        SCRATCH "/hostile-remount 2>/dev/null; "
                        "grep nslab-remount-scratch /proc/self/mountinfo > " SCRATCH "/gremount/direct.txt'"), 0);
    world = slurp(SCRATCH "/gremount/world.txt");
    direct = slurp(SCRATCH "/gremount/direct.txt");
    ck_assert_msg(strstr(world, "nslab-remount-scratch rw,"), "graded in a test world, the lab changed the "
                  "scratch filesystem:\n%s", world);
    ck_assert_msg(strstr(direct, "nslab-remount-scratch ro,"), "run directly as root, the lab did not change "
                  "the scratch filesystem, so the graded run proves nothing:\n%s", direct);
    free(world);
    free(direct);
}
END_TEST

/* ---- the grader's edges ------------------------------------------------- */

START_TEST(unknown_lab_is_a_clear_error)
{
    ck_assert_int_eq(sh("build/nslab-grade --labs 11 --out " SCRATCH "/g11 >/dev/null 2>" SCRATCH "/g11.err"), 2);
    ck_assert_int_eq(sh("test $(wc -l < " SCRATCH "/g11.err) -eq 1"), 0);
}
END_TEST

START_TEST(missing_submission_scores_zero_and_says_so)
{
    int st = sh("build/nslab-grade --labs 01 --submission /nonexistent --out " SCRATCH "/gmissing "
                ">" SCRATCH "/gmissing.out 2>&1");
    char *report;

    ck_assert_msg(st == 1 || st == 2, "exit %d", st);
    report = slurp(SCRATCH "/gmissing.out");
    ck_assert_msg(strstr(report, "/nonexistent"), "the report does not name the missing folder:\n%s", report);
    free(report);
}
END_TEST

START_TEST(grader_reports_solutions_full_marks)
{
    char *text;
    struct json_object *results, *score;

    /* Without root on cgroup v1 the world has no cgroup: labs 07 on are ENV
     * (the grader's exit 2, "this machine cannot"), the others full marks. */
    if (world_without_cgroup()) {
        ck_assert_int_eq(sh("build/nslab-grade --labs 07 --submission solutions --out " SCRATCH "/gsol07 --color never "
                            ">" SCRATCH "/gsol07.out 2>&1"), 2);
        ck_assert_int_eq(sh("build/nslab-grade --labs 01,02,03,04,05,06 --submission solutions --out " SCRATCH
                            "/gsol --color never >" SCRATCH "/gsol.out 2>&1"), 0);
    } else {
        ck_assert_int_eq(sh("build/nslab-grade --submission solutions --out " SCRATCH "/gsol --color never "
                            ">" SCRATCH "/gsol.out 2>&1"), 0);
    }
    text = slurp(SCRATCH "/gsol/results.json");
    results = json_tokener_parse(text);
    ck_assert_ptr_nonnull(results);
    ck_assert(json_object_object_get_ex(results, "score", &score));
    ck_assert_double_gt(json_object_get_double(score), 0);
    ck_assert_int_eq(sh("grep -q '<testsuites' " SCRATCH "/gsol/junit.xml"), 0);
    json_object_put(results);
    free(text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("nslab kit");
    TCase *sol = tcase_create("solutions"), *start = tcase_create("starters");
    TCase *broken = tcase_create("broken variants"), *hostile = tcase_create("hostile labs");
    TCase *grader = tcase_create("grader");
    SRunner *sr;
    int failed;
    size_t i;

    if (mkdir(SCRATCH, 0755) == -1 && errno != EEXIST) {
        perror(SCRATCH);
        return 2;
    }
    {
        static struct registry reg;
        char err[512];
        if (registry_load("grading/labs.tsv", &reg, err, sizeof err) == -1) {
            fprintf(stderr, "%s\n", err);
            return 2;
        }
        for (i = 0; i < (size_t)reg.n; i++)
            if (reg.labs[i].ready)
                lab_names[nlabs++] = reg.labs[i].name;
    }
    tcase_add_loop_test(sol, solution_scores_full_marks, 0, nlabs);
    tcase_add_loop_test(start, starter_fails_exactly_its_own_layer, 0, nlabs);
    rootless = geteuid() != 0;
    only_lab = getenv("NSLAB_KIT_LAB") && *getenv("NSLAB_KIT_LAB") ? getenv("NSLAB_KIT_LAB") : NULL;
    for (i = 0; i < NVARIANTS; i++)
        if (only_lab && strcmp(variants[i].lab, only_lab) != 0)
            continue;
        else if (!rootless || !variants[i].needs_cgroup)
            variant_index[nvariant_index++] = i;
        else
            printf("rootless: variant %s left out (the world has no cgroup here)\n", variants[i].name);
    for (i = 0; i < NHOSTILES; i++)
        if (!rootless || !hostiles[i].needs_root)
            hostile_index[nhostile_index++] = i;
        else
            printf("rootless: hostile lab %s left out (it needs root on the machine)\n", hostiles[i].name);
    tcase_add_loop_test(broken, broken_variant_is_caught, 0, (int)nvariant_index);
    tcase_add_loop_test(hostile, hostile_lab_gets_a_clear_verdict, 0, (int)nhostile_index);
    tcase_add_unchecked_fixture(hostile, plant_secrets, remove_secrets);
    if (!rootless)
        tcase_add_test(hostile, remount_reaches_the_machine_only_outside_the_world);
    tcase_add_test(grader, unknown_lab_is_a_clear_error);
    tcase_add_test(grader, missing_submission_scores_zero_and_says_so);
    tcase_add_test(grader, grader_reports_solutions_full_marks);
    tcase_set_timeout(sol, 120);
    tcase_set_timeout(start, 120);
    tcase_set_timeout(broken, 120);
    tcase_set_timeout(hostile, 180);
    tcase_set_timeout(grader, 120);
    suite_add_tcase(s, sol);
    suite_add_tcase(s, start);
    suite_add_tcase(s, broken);
    suite_add_tcase(s, hostile);
    suite_add_tcase(s, grader);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_VERBOSE);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
