/* The verdict ladder of one run; see judge.h. */
#define _GNU_SOURCE
#include "judge.h"
#include "faults.h"
#include "registry.h"
#include "util.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* The most of one stream a report shows, so that a flood on stdout still
 * leaves room for stderr and the notes after it. */
#define SHOWN_CAP 3000

/* One captured stream: "(empty)", inline when one line, else below. */
static void describe_stream(char *buf, size_t n, const char *name, const char *text, size_t total)
{
    size_t len = strlen(text), shown = len < SHOWN_CAP ? len : SHOWN_CAP;
    const char *nl = strchr(text, '\n');

    if (!text[0])
        appendf(buf, n, "%s: (empty)\n", name);
    else if (nl && nl[1] == '\0' && len <= SHOWN_CAP)
        appendf(buf, n, "%s: %s", name, text);
    else
        appendf(buf, n, "%s:\n%.*s%s", name, (int)shown, text, text[shown - 1] == '\n' ? "" : "\n");
    if (total > shown)
        appendf(buf, n, "[... %zu more bytes not shown]\n", total - shown);
}

void describe_output(const struct world_result *r, char *buf, size_t n)
{
    describe_stream(buf, n, "stdout", r->out, r->out_total);
    describe_stream(buf, n, "stderr", r->err, r->err_total);
}

const char *world_lacks(int needs, const struct world_result *r, char *why, size_t n)
{
    /* IDs 100000 to 165535: root's default map and users to run a lab as. */
    if ((needs & NEED_IDS) && r->users < 65536) {
        snprintf(why, n, "this test world has %u IDs besides root, and lab 06 on needs 65536 (IDs 100000 "
                 "to 165535, for root's default map 0:100000:65536 and for a user to run the lab as). Without root, "
                 "the world has only your subordinate IDs (/etc/subuid, /etc/subgid): give your user a range, e.g. "
                 "sudo usermod --add-subuids 100000-165536 --add-subgids 100000-165536 $USER (and install uidmap; "
                 "the one more is the world's root, no ID of yours), "
                 "or grade with sudo", r->users);
        return why;
    }
    if ((needs & NEED_CGROUP) && !r->cgroup_version) {
        snprintf(why, n, "this test world has no cgroup: without root, a world gets one only where your own "
                 "cgroup is delegated to you (systemd's user@.service on cgroup v2); grade with sudo");
        return why;
    }
    return NULL;
}

static void verdict(struct judgement *j, const char *v, const char *expected)
{
    j->verdict = v;
    j->expected = expected;
}

/* The world could not be made, or cannot give the lab what it needs: the
 * machine's part of the ladder. 1 when it ended the judgement. */
static int judge_world(const struct world_spec *spec, const struct world_result *r, int needs,
                       struct judgement *j)
{
    char why[1024];

    if (!r->ready) {
        snprintf(j->seen, sizeof j->seen, "the test world could not be made here: %s", r->env_error);
        verdict(j, "ENV", "a machine that can create a test world (run `make doctor`)");
    } else if (world_lacks(needs, r, why, sizeof why)) {
        snprintf(j->seen, sizeof j->seen, "%s", why);
        verdict(j, "ENV", needs & NEED_IDS && r->users < 65536 ? "a test world with 65536 users besides root"
                                                                : "a test world with cgroups of its own (lab 07 on)");
    } else if (spec->as_user.uid && (spec->as_user.uid >= WORLD_USER_FIRST + r->users ||
                                     spec->as_user.gid >= WORLD_USER_FIRST + r->users)) {
        snprintf(j->seen, sizeof j->seen, "this test world has %u IDs besides root, too few to run the lab as "
                 "uid %u (grade with sudo, or give your user a subordinate range: make doctor)",
                 r->users, (unsigned)spec->as_user.uid);
        verdict(j, "ENV", "a test world with 65536 users besides root");
    } else if (r->setup_error[0]) {
        snprintf(j->seen, sizeof j->seen, "the check could not prepare the host: %s", r->setup_error);
        verdict(j, "ENV", "the check's own set-up to work");
    } else if (r->before_truncated) {
        snprintf(j->seen, sizeof j->seen, "the test world's host state, before the lab ran, did not fit in the "
                 "harness's snapshot (%d bytes), so comparing it would prove nothing", SNAP_CAP);
        verdict(j, "ENV", "the test world's state to fit in a snapshot");
    }
    return j->verdict != NULL;
}

void judge_run(const struct world_spec *spec, const struct world_result *r, int needs, struct judgement *j)
{
    double drift;
    char *changes;

    memset(j, 0, sizeof *j);
    /* Whatever happened, a changed machine stops the grading. It happened
     * while the lab ran: the lab's verdict (a kit that let it happen has a
     * bug to report too). */
    if (r->machine_changed[0]) {
        j->machine_changed = 1;
        snprintf(j->seen, sizeof j->seen, "THIS MACHINE WAS CHANGED while the lab ran (it reached through the "
                 "test world; report it to the kit's authors):\n%s", r->machine_changed);
        verdict(j, "FAIL", "the real machine as it was");
        return;
    }
    if (judge_world(spec, r, needs, j))
        return;
    if (!r->finished) {
        snprintf(j->seen, sizeof j->seen, "the test world's PID 1 was killed (did the lab call reboot(2), or kill "
                 "PID 1?)");
        verdict(j, "CRASH", "the test world to survive the lab");
    } else if (r->snap_truncated) {
        snprintf(j->seen, sizeof j->seen, "the lab left so much in the test world's host (mounts, processes, "
                 "cgroups, links or IPC objects) that its state no longer fit in the harness's snapshot (%d bytes)\n",
                 SNAP_CAP);
        describe_output(r, j->seen, sizeof j->seen);
        verdict(j, "FAIL", "the host (the test world) as it was before the run");
    } else if (r->ended[0]) {
        snprintf(j->seen, sizeof j->seen, "%s\n", r->ended);
        describe_output(r, j->seen, sizeof j->seen);
        verdict(j, "FAIL", "the lab to use the machine's memory and cgroups sparingly");
    } else if (r->probe_count > 1) {
        snprintf(j->seen, sizeof j->seen, "the probe (the command) ran more than once: %s; the lab must run the "
                 "command once, as the container's process\n", r->note[0] ? r->note : "copies side by side");
        describe_output(r, j->seen, sizeof j->seen);
        verdict(j, "FAIL", "the command to run once, in the container");
    } else if (r->altered[0] || r->host_changed[0]) {
        snprintf(j->seen, sizeof j->seen, "%s%s%s", r->host_changed, r->host_changed[0] ? "\n" : "",
                 r->altered[0] ? "the probe's report was altered on its way (the lab passes it on), or the "
                 "container changed after its command started: the report is not what the harness saw of the probe "
                 "from outside when it said READY:\n" : "");
        appendf(j->seen, sizeof j->seen, "%s", r->altered);
        describe_output(r, j->seen, sizeof j->seen);
        verdict(j, "FAIL", r->host_changed[0] ? "the host's hostname and domain name as they were, all the run long"
                                              : "the probe's report as the probe wrote it, and the container set "
                                                "up before the command started");
    } else if (r->forbidden[0]) {
        snprintf(j->seen, sizeof j->seen, "the lab called, and the test world refused with EPERM:\n%s"
                 "On a real machine, as root, this changes the machine itself, not the container.\n", r->forbidden);
        describe_output(r, j->seen, sizeof j->seen);
        verdict(j, "FAIL", "no call that changes the whole machine or reaches out of the test world (the clock, "
                "modules, swap, kexec, a filesystem's options, keys, typing into a terminal, vsock, io_uring)");
    } else if (r->forbidden_probe[0]) {
        snprintf(j->seen, sizeof j->seen, "the container's command (the probe) tried these calls, as the check asked, "
                 "and the lab let them through: the test world refused them (EPERM), not the lab's own filter:\n%s",
                 r->forbidden_probe);
        describe_output(r, j->seen, sizeof j->seen);
        verdict(j, "FAIL", "the lab's filter to refuse the calls the check tries");
    } else if (r->timed_out) {
        if (r->stuck[0])
            snprintf(j->seen, sizeof j->seen, "%s; after %.1f s every process was killed\n", r->stuck, r->seconds);
        else
            snprintf(j->seen, sizeof j->seen, "still running after %.1f s; every process was killed\n",
                     spec->timeout);
        describe_output(r, j->seen, sizeof j->seen);
        verdict(j, "TIMEOUT", "the lab to finish");
    } else if (WIFSIGNALED(r->lab_status) &&
               !(spec->faults && spec->faults->kill_parent && WTERMSIG(r->lab_status) == SIGKILL)) {
        snprintf(j->seen, sizeof j->seen, "the lab died of signal %d (%s)%s\n", WTERMSIG(r->lab_status),
                 strsignal(WTERMSIG(r->lab_status)), WTERMSIG(r->lab_status) == SIGKILL ?
                 " (the kernel kills so when the test world's memory, 1 GiB, runs out)" : "");
        describe_output(r, j->seen, sizeof j->seen);
        verdict(j, "CRASH", "the lab to exit");
    }
    if (j->verdict)
        return;
    drift = r->clock_gap[1] - r->clock_gap[0];
    if (drift > 1.0 || drift < -1.0) {
        snprintf(j->seen, sizeof j->seen, "the host's clock (realtime minus boot time) moved by %.1f s", drift);
        verdict(j, "FAIL", "the host's clock as it was");
        return;
    }
    changes = diff_lines(r->before, r->after);
    if (changes) {
        snprintf(j->seen, sizeof j->seen, "the lab changed the host (- before, + after; a \"process\" line is a "
                 "process left running, a \"cgroup\" line a cgroup left behind (+) or removed (-)):\n%.12000s", changes);
        free(changes);
        verdict(j, "FAIL", "the host (the test world) as it was before the run");
    }
}
