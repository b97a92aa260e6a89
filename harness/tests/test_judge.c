/* Unit tests of the verdict ladder (harness/checks/judge.c) with made-up
 * results of a run: no world is made, no lab runs. Each test builds the
 * result one situation leaves and says which verdict it must end in, and
 * which situation wins when two happen at once. */
#define _GNU_SOURCE
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "judge.h"
#include "registry.h"

static struct world_result r;
static struct world_spec spec;
static struct judgement j;

/* A run that went well: the world made and kept, the lab exited 0, the host
 * as it was. */
static void a_good_run(void)
{
    memset(&r, 0, sizeof r);
    memset(&spec, 0, sizeof spec);
    spec.timeout = 3;
    r.ready = r.finished = r.lab_exited = 1;
    r.users = 162144;
    r.cgroup_version = 1;
    strcpy(r.before, "hostname h\nmount / ro\n");
    strcpy(r.after, r.before);
}

static const char *judge(int needs)
{
    judge_run(&spec, &r, needs, &j);
    return j.verdict ? j.verdict : "PASS";
}

START_TEST(a_good_run_has_no_verdict_of_its_own)
{
    a_good_run();
    ck_assert_str_eq(judge(NEED_IDS | NEED_CGROUP | NEED_ROOT), "PASS");
}
END_TEST

START_TEST(a_world_that_could_not_be_made_is_env)
{
    a_good_run();
    r.ready = 0;
    strcpy(r.env_error, "create the world's user namespace: Operation not permitted");
    ck_assert_str_eq(judge(0), "ENV");
    ck_assert_ptr_nonnull(strstr(j.seen, "Operation not permitted"));
}
END_TEST

START_TEST(a_world_without_what_the_lab_needs_is_env)
{
    a_good_run();
    r.users = 0;
    ck_assert_str_eq(judge(0), "PASS");
    ck_assert_str_eq(judge(NEED_IDS), "ENV");
    ck_assert_ptr_nonnull(strstr(j.seen, "usermod --add-subuids"));
    a_good_run();
    r.cgroup_version = 0;
    ck_assert_str_eq(judge(NEED_IDS), "PASS");
    ck_assert_str_eq(judge(NEED_CGROUP), "ENV");
    ck_assert_ptr_nonnull(strstr(j.expected, "cgroups"));
}
END_TEST

START_TEST(a_user_the_world_does_not_have_is_env)
{
    a_good_run();
    r.users = 10;
    spec.as_user.uid = WORLD_USER_FIRST + 100;
    spec.as_user.gid = WORLD_USER_FIRST + 1;
    ck_assert_str_eq(judge(0), "ENV");
}
END_TEST

START_TEST(the_checks_own_setup_failing_is_env)
{
    a_good_run();
    strcpy(r.setup_error, "msgget: No space left on device");
    ck_assert_str_eq(judge(0), "ENV");
    ck_assert_ptr_nonnull(strstr(j.seen, "msgget"));
}
END_TEST

START_TEST(a_changed_machine_is_the_labs_fail_and_stops_grading)
{
    a_good_run();
    strcpy(r.machine_changed, "the machine's clock moved by 3600.0 s\n");
    r.timed_out = 1;   /* whatever else happened */
    r.ready = 0;
    ck_assert_str_eq(judge(0), "FAIL");
    ck_assert(j.machine_changed);
    ck_assert_ptr_nonnull(strstr(j.seen, "THIS MACHINE WAS CHANGED"));
}
END_TEST

/* ENV is decided before the lab runs: a snapshot that did not fit before
 * it is the machine's; one that did not fit after, what the lab left. */
START_TEST(a_snapshot_too_big_is_env_only_before_the_lab)
{
    a_good_run();
    r.before_truncated = 1;
    ck_assert_str_eq(judge(0), "ENV");
    a_good_run();
    r.snap_truncated = 1;
    ck_assert_str_eq(judge(0), "FAIL");
    ck_assert_ptr_nonnull(strstr(j.seen, "left so much"));
}
END_TEST

/* A decoy beside the container's command does not pass for it. */
START_TEST(two_copies_of_the_probe_are_a_fail)
{
    a_good_run();
    r.probe_count = 2;
    ck_assert_str_eq(judge(0), "FAIL");
    ck_assert_ptr_nonnull(strstr(j.seen, "ran more than once"));
    r.probe_count = 1;
    ck_assert_str_eq(judge(0), "PASS");
}
END_TEST

/* What the probe's report said that the harness did not see from outside,
 * and a host's hostname changed meanwhile, each fail the run. */
START_TEST(an_altered_report_or_a_hostname_changed_meanwhile_is_a_fail)
{
    a_good_run();
    strcpy(r.altered, "uname_nodename: the report says \"container\", the harness saw \"nslab-host-1\"\n");
    ck_assert_str_eq(judge(0), "FAIL");
    ck_assert_ptr_nonnull(strstr(j.seen, "report was altered"));
    ck_assert_ptr_nonnull(strstr(j.seen, "nslab-host-1"));
    a_good_run();
    strcpy(r.host_changed, "while the lab ran, the host's hostname was container (before: h)");
    ck_assert_str_eq(judge(0), "FAIL");
    ck_assert_ptr_nonnull(strstr(j.seen, "hostname was container"));
}
END_TEST

START_TEST(a_world_killed_by_the_lab_is_a_crash)
{
    a_good_run();
    r.finished = 0;
    ck_assert_str_eq(judge(0), "CRASH");
    ck_assert(!j.machine_changed);
}
END_TEST

START_TEST(a_refused_machine_call_is_a_fail_that_names_it)
{
    a_good_run();
    strcpy(r.forbidden, "settimeofday(2)\n");
    strcpy(r.out, "tried\n");
    r.out_total = 6;
    ck_assert_str_eq(judge(0), "FAIL");
    ck_assert_ptr_nonnull(strstr(j.seen, "settimeofday(2)"));
    ck_assert_ptr_nonnull(strstr(j.seen, "stdout: tried"));
}
END_TEST

START_TEST(out_of_time_is_a_timeout_that_says_what_was_stuck)
{
    a_good_run();
    r.timed_out = 1;
    r.lab_exited = 0;
    ck_assert_str_eq(judge(0), "TIMEOUT");
    ck_assert_ptr_nonnull(strstr(j.seen, "still running after 3.0 s"));
    strcpy(r.stuck, "PID 1 of the container slept with no process left to wait for");
    ck_assert_str_eq(judge(0), "TIMEOUT");
    ck_assert_ptr_nonnull(strstr(j.seen, "slept with no process"));
}
END_TEST

START_TEST(a_signal_is_a_crash_but_the_one_a_fault_sent)
{
    static const struct world_faults kill_parent = { .kill_parent = 1 };

    a_good_run();
    r.lab_status = SIGSEGV;   /* a wait status: killed by signal 11 */
    ck_assert_str_eq(judge(0), "CRASH");
    ck_assert_ptr_nonnull(strstr(j.seen, "signal 11"));
    r.lab_status = SIGKILL;
    spec.faults = &kill_parent;
    ck_assert_str_eq(judge(0), "PASS");
}
END_TEST

START_TEST(a_moved_clock_is_a_fail)
{
    a_good_run();
    r.clock_gap[0] = 1000.0;
    r.clock_gap[1] = 1003.5;
    ck_assert_str_eq(judge(0), "FAIL");
    ck_assert_ptr_nonnull(strstr(j.seen, "moved by 3.5 s"));
}
END_TEST

START_TEST(a_changed_host_is_a_fail_that_shows_the_change)
{
    a_good_run();
    strcat(r.after, "process 42 sleep\n");
    ck_assert_str_eq(judge(0), "FAIL");
    ck_assert_ptr_nonnull(strstr(j.seen, "+ process 42 sleep"));
}
END_TEST

/* A call the probe tried (as a check asked) that the world refused: the
 * lab's filter let it through; said so, not blamed on the lab's own calls. */
START_TEST(a_probe_call_the_world_refused_is_the_filters_fail)
{
    a_good_run();
    strcpy(r.forbidden_probe, "clock_settime(2)\n");
    ck_assert_str_eq(judge(0), "FAIL");
    ck_assert_ptr_nonnull(strstr(j.seen, "not the lab's own filter"));
    ck_assert_ptr_null(strstr(j.seen, "the lab called"));
}
END_TEST

/* When several things happen in one run, the machine's part of the ladder
 * comes first, then the world's end, then the lab's own. */
START_TEST(the_ladder_in_order)
{
    a_good_run();
    r.timed_out = 1;
    strcpy(r.forbidden, "swapoff(2)\n");
    ck_assert_str_eq(judge(0), "FAIL");   /* a refused call before the time out */
    r.finished = 0;
    ck_assert_str_eq(judge(0), "CRASH");  /* the world's death before both */
    r.ready = 0;
    ck_assert_str_eq(judge(0), "ENV");    /* no world at all before everything */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("judge");
    TCase *tc = tcase_create("the verdict ladder");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, a_good_run_has_no_verdict_of_its_own);
    tcase_add_test(tc, a_world_that_could_not_be_made_is_env);
    tcase_add_test(tc, a_world_without_what_the_lab_needs_is_env);
    tcase_add_test(tc, a_user_the_world_does_not_have_is_env);
    tcase_add_test(tc, the_checks_own_setup_failing_is_env);
    tcase_add_test(tc, a_changed_machine_is_the_labs_fail_and_stops_grading);
    tcase_add_test(tc, a_snapshot_too_big_is_env_only_before_the_lab);
    tcase_add_test(tc, two_copies_of_the_probe_are_a_fail);
    tcase_add_test(tc, an_altered_report_or_a_hostname_changed_meanwhile_is_a_fail);
    tcase_add_test(tc, a_world_killed_by_the_lab_is_a_crash);
    tcase_add_test(tc, a_refused_machine_call_is_a_fail_that_names_it);
    tcase_add_test(tc, out_of_time_is_a_timeout_that_says_what_was_stuck);
    tcase_add_test(tc, a_signal_is_a_crash_but_the_one_a_fault_sent);
    tcase_add_test(tc, a_moved_clock_is_a_fail);
    tcase_add_test(tc, a_changed_host_is_a_fail_that_shows_the_change);
    tcase_add_test(tc, a_probe_call_the_world_refused_is_the_filters_fail);
    tcase_add_test(tc, the_ladder_in_order);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
