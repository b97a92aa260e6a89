#!/bin/sh
# The kit's test suite, in steps (make check, make test, make test T=GLOB).
#
#   sh harness/tests/run.sh [--fast] [GLOB...]
#
# Each step is one shell function below, named for what it proves, and it
# builds or makes what it reads itself (through make, which does nothing
# when it is up to date), so any one step runs alone:
#   make test T='kit_*'          the steps whose names match the glob
#   make check                   --fast: the steps marked fast (static checks,
#                                unit tests, generated files in sync, solutions
#                                full marks, starters failing their own layer),
#                                without root where the kernel allows
# Output is TAP (version 13): "ok N - step # SECONDS s", "not ok N - ..."
# with the end of its log as "# " lines, "# SKIP" where this machine cannot
# run it (exit 77; the log says why). A step that runs a Check program
# counts each of its tests, and prints Check's own summary line. The last
# line is "N passed, N failed"; the exit status is 1 if anything failed.
# Logs: build/test-logs/STEP.log.
set -u
cd "$(dirname "$0")/../.." || exit 2

fast_only=""
if [ "${1:-}" = --fast ]; then
    fast_only=1
    shift
fi
globs="$*"
passed=0 failed=0 skipped=0 number=0
log=build/test-logs
mkdir -p "$log"

# Is step NAME (tagged TAGS) one this run runs?
wanted() {
    case " $2 " in *" fast "*) ;; *) [ -z "$fast_only" ] || return 1 ;; esac
    [ -z "$globs" ] && return 0
    for g in $globs; do
        # shellcheck disable=SC2254 # the glob is the user's pattern
        case $1 in $g) return 0 ;; esac
    done
    return 1
}

seconds_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# tap VERDICT NAME SECONDS: one TAP line, and the log's end for a failure.
tap() {
    number=$((number + 1))
    case $1 in
        PASS) echo "ok $number - $2 # $3 s" ;;
        SKIP) echo "ok $number - $2 # SKIP $(grep -m 1 '^SKIP' "$log/$2.log" | sed 's/^SKIP:* *//')" ;;
        *) echo "not ok $number - $2 # $3 s"
           tail -n 40 "$log/$2.log" | sed 's/^/# /' ;;
    esac
}

# step NAME TAGS FUNCTION [ARG...]: run one step, if this run wants it.
step() {
    name=$1 tags=$2
    shift 2
    wanted "$name" "$tags" || return 0
    start=$(date +%s.%N)
    "$@" >"$log/$name.log" 2>&1
    case $? in
        0) verdict=PASS passed=$((passed + 1)) ;;
        77) verdict=SKIP skipped=$((skipped + 1)) ;;   # this machine cannot run it: the log says why
        *) verdict=FAIL failed=$((failed + 1)) ;;
    esac
    tap "$verdict" "$name" "$(seconds_since "$start")"
}

# check NAME TAGS PROGRAM [ARG...]: a step that runs a Check program; each of
# its tests counts, and its summary line is shown.
check() {
    name=$1 tags=$2
    shift 2
    wanted "$name" "$tags" || return 0
    start=$(date +%s.%N)
    "$@" >"$log/$name.log" 2>&1
    summary=$(sed -n 's/^[0-9]*%: Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p' "$log/$name.log" | tail -n 1)
    if [ -z "$summary" ]; then
        echo "$name: no Check summary (crashed?)" >>"$log/$name.log"
        failed=$((failed + 1))
        tap FAIL "$name" "$(seconds_since "$start")"
        return 0
    fi
    read -r total fails errors <<SUMMARY
$summary
SUMMARY
    passed=$((passed + total - fails - errors)) failed=$((failed + fails + errors))
    sed -n '/^[0-9]*%: Checks:/p' "$log/$name.log" | tail -n 1
    if [ "$((fails + errors))" -eq 0 ]; then
        tap PASS "$name" "$(seconds_since "$start")"
    else
        number=$((number + 1))
        echo "not ok $number - $name # $(seconds_since "$start") s"
        grep -E ':[FE]:' "$log/$name.log" | cut -c1-600 | sed 's/^/# /'
    fi
}

# A step in the background (the emulated cgroup v2 guest: one CPU for two
# minutes), started now and reported at the end, so the rest runs meanwhile.
bg_names=""
background() {
    name=$1 tags=$2
    shift 2
    wanted "$name" "$tags" || return 0
    rm -f "$log/$name.status"
    ( start=$(date +%s.%N); "$@" >"$log/$name.log" 2>&1; echo "$? $(seconds_since "$start")" >"$log/$name.status" ) &
    bg_names="$bg_names $name"
}
finish_background() {
    wait
    for name in $bg_names; do
        read -r status secs <"$log/$name.status"
        case $status in
            0) passed=$((passed + 1)) verdict=PASS ;;
            77) skipped=$((skipped + 1)) verdict=SKIP ;;
            *) failed=$((failed + 1)) verdict=FAIL ;;
        esac
        tap "$verdict" "$name" "$secs"
    done
}

# The tools a step uses, built when they are not up to date (make).
need() { make -s "$@" >/dev/null; }

# The labs that are ready, from the kit's one list of labs.
ready_labs() { build/nslab-check list; }

generated_in_sync() {
    tmp=build/test-generate
    rm -rf "$tmp"
    # shellcheck disable=SC2046 # one word per lab name
    sh solutions/generate.sh solutions/container.c "$tmp" $(ready_labs) || return 1
    diff -r "$tmp/labs" labs && diff -r -x container.c -x generate.sh -x answers "$tmp/solutions" solutions
}

all_compile_werror() {
    for f in labs/*.c solutions/[0-9]*.c; do
        sh harness/compile-lab.sh "$f" build/test-compile || return 1
    done
    rm -f build/test-compile
}

cppcheck_clean() {
    cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
        --inline-suppr --std=c11 -D__linux__ -DLAB=2 \
        --suppress=missingIncludeSystem --suppress=unusedFunction --suppress=variableScope \
        -I harness -I harness/world -I harness/checks -I grading -i harness/tests/hostile \
        harness grading labs solutions
}

shellcheck_clean() {
    shellcheck -x harness/*.sh harness/tests/*.sh solutions/*.sh grading/*.sh grading/tests/*.sh grading/gradescope/*.sh \
        grading/gradescope/run_autograder grading/classroom/*.sh rootfs-builder/*.sh handouts/web/*.sh .ci/run
}

# The web pages of the handouts, made when missing or older than a handout.
need_handouts() {
    if [ ! -f build/handouts/index.html ] || [ -n "$(find handouts -newer build/handouts/index.html -type f | head -n 1)" ]; then
        rm -rf build/handouts && make -s handouts >/dev/null
    fi
    need build/web_check
}

# Every hint the harness gives names a handout section that exists: in the
# Markdown (GitHub's anchor), and on the web pages, English and Chinese.
hints_point_to_sections() {
    need_handouts || return 1
    ok=0
    for hint in $(grep -ho '"[0-9][0-9]_[a-z_]*\.md#[a-z0-9_-]*"' harness/*.c harness/*/*.c | tr -d '"' | sort -u); do
        file=handouts/${hint%%#*} anchor=${hint#*#} page=${hint%%.md#*}.html
        # GitHub's anchor of a heading of the handout.
        if ! sh harness/tests/anchors.sh "$file" 2>/dev/null | cut -d' ' -f2 | grep -qx "$anchor"; then
            echo "no section #$anchor in $file"
            ok=1
        fi
        for html in "build/handouts/$page" "build/handouts/zh/$page"; do
            grep -q "id=\"$anchor\"" "$html" 2>/dev/null || { echo "no id=\"$anchor\" in $html"; ok=1; }
        done
    done
    return $ok
}

# make handouts: every page renders, every figure exists, every link and
# anchor resolves (web_check), and each lab's English and Chinese pages have
# the same section anchors.
handouts_on_the_web() {
    rm -rf build/handouts
    need build/web_check && make -s handouts && build/web_check build/handouts || return 1
    # Every figure drawn in Chinese too.
    for dot in handouts/figures/*.dot; do
        [ -r "handouts/figures/zh/${dot##*/}" ] || { echo "$dot: no Chinese version in handouts/figures/zh/"; return 1; }
    done
    # The same section anchors on the English and the Chinese page.
    ids() { tr '\n' ' ' <"$1" | grep -o '<h[1-3] [^>]*id="[^"]*"' | sed 's/.*id="//; s/"$//'; }
    for lab in $(ready_labs); do
        if [ "$(ids "build/handouts/$lab.html")" != "$(ids "build/handouts/zh/$lab.html")" ] ||
           [ "$(ids "build/handouts/$lab.html" | wc -l)" -lt 8 ]; then
            echo "$lab: the pages' section anchors differ"
            return 1
        fi
    done
}

# web_check finds a missing figure, a broken anchor, a figure that is not a
# drawing and a page without its table of contents.
web_check_catches_a_broken_site() {
    need_handouts || return 1
    d=build/test-web
    rm -rf "$d" && cp -r build/handouts "$d" || return 1
    rm "$d/figures/handshake.svg"
    sed -i 's/id="goal"/id="gaol"/' "$d/03_pid.html"
    echo 'not a drawing' >"$d/figures/pivot-root.svg"
    sed -i '/<nav id="TOC"/,/<\/nav>/d' "$d/zh/02_ipc.html"
    build/web_check "$d" >"$d.out" && { echo "web_check passed a broken site"; return 1; }
    cat "$d.out"
    grep -q '05_net_veth.html: link to a file that is not there: figures/handshake.svg' "$d.out" &&
        grep -q '03_pid.html: link to an anchor that is not there: #goal' "$d.out" &&
        grep -q 'figure is not an SVG drawing: .*pivot-root.svg' "$d.out" &&
        grep -q 'zh/02_ipc.html: no table of contents' "$d.out" && rm -rf "$d" "$d.out"
}

# NSLAB_LANG=zh: the grader's hint points to the Chinese handout, at the
# same anchor as the English one.
hints_in_chinese() {
    d=build/test-lang
    rm -rf "$d" && mkdir -p "$d" && sh harness/compile-lab.sh labs/01_clone_uts.c "$d/01" 01_clone_uts || return 1
    build/nslab-check --lab 01_clone_uts --program "$d/01" --only uts_hostname_from_option --records "$d/en.jsonl" >/dev/null 2>&1
    NSLAB_LANG=zh build/nslab-check --lab 01_clone_uts --program "$d/01" --only uts_hostname_from_option \
        --records "$d/zh.jsonl" >/dev/null 2>&1
    en=$(jq -r .hint "$d/en.jsonl") zh=$(jq -r .hint "$d/zh.jsonl")
    echo "hint: $en; with NSLAB_LANG=zh: $zh"
    [ "$en" = "handouts/01_clone_uts.md#the-uts-namespace" ] && [ "$zh" = "handouts/zh/01_clone_uts.md#the-uts-namespace" ] &&
        grep -q '^<a id="the-uts-namespace"></a>$' "${zh%%#*}" && rm -rf "$d"
}

# The rubric names exactly the harness's checks, layer by layer.
rubric_matches_checks() {
    last=$(ready_labs | tail -n 1)
    build/nslab-check --lab "$last" --list | awk -F'\t' '{ print substr($1, 1, 2) "\t" $2 }' | sort >build/test-checks.txt
    grep -v '^#' grading/rubric.tsv | awk -F'\t' 'NF == 3 { print $1 "\t" $2 }' | sort >build/test-rubric.txt
    diff build/test-checks.txt build/test-rubric.txt || return 1
    # A check's name is its key in the records and results.json: one per kit.
    dup=$(cut -f2 build/test-checks.txt | sort | uniq -d)
    [ -z "$dup" ] || { echo "check names used twice: $dup"; return 1; }
}

# handout_zh.sh catches a Chinese handout that drifted: a command changed,
# a heading gone, the test world called by another name.
handout_zh_catches_a_difference() {
    copy=build/test-logs/handout-zh
    rm -rf "$copy" && mkdir -p "$copy/hints" && cp handouts/zh/03_pid.md "$copy/" &&
        cp handouts/zh/hints/03_pid.md "$copy/hints/" || return 1
    sed -i '0,/^    $ make try03/s//    $ make try04/; s/一次性的测试世界/用完即弃的测试世界/' "$copy/03_pid.md" &&
        sed -i '0,/^<a id="goal"><\/a>$/{/^<a id="goal"><\/a>$/d}' "$copy/03_pid.md" || return 1
    sh harness/tests/handout_zh.sh handouts/03_pid.md "$copy/03_pid.md" >"$copy.txt" 2>&1
    rc=$?
    cat "$copy.txt"
    rm -rf "$copy"
    [ $rc = 1 ] && grep -q 'code blocks differ' "$copy.txt" && grep -q '测试世界 (disposable' "$copy.txt" &&
        grep -q 'heading (level, anchor)' "$copy.txt"
}

# Every number of checks and points a handout states is the grader's; and a
# wrong one, English or Chinese, is caught (on a copy of the handouts).
handout_counts_are_the_graders() {
    LC_ALL=C.UTF-8 sh harness/tests/handout_counts.sh || return 1
    copy=build/test-logs/handout-counts
    rm -rf "$copy" && mkdir -p "$copy/zh" && cp handouts/*.md "$copy/" && cp handouts/zh/*.md "$copy/zh/" || return 1
    sed -i 's/these 13 of lab 10, worth 29/these 13 of lab 10, worth 28/' "$copy/10_full_container.md" &&
        sed -i 's/实验 01-04 的 41 个检查项/实验 01-04 的 40 个检查项/' "$copy/zh/05_net_veth.md" || return 1
    LC_ALL=C.UTF-8 sh harness/tests/handout_counts.sh "$copy" >"$copy.txt" 2>&1
    rc=$?
    cat "$copy.txt"
    rm -rf "$copy"
    [ $rc = 1 ] && grep -q '10_full_container.md:.*28 points of labs 10-10, the grader has 29' "$copy.txt" &&
        grep -q 'zh/05_net_veth.md:.*40 checks of labs 01-04, the grader has 41' "$copy.txt"
}

# Nothing is left on the machine: no world cgroup that no living grader
# holds (its flock: other graders' live worlds are theirs), no process of ours.
leaves_nothing_behind() {
    left=$(find /sys/fs/cgroup -maxdepth 6 -type d -name 'nslab-world-*' -prune 2>/dev/null |
           while read -r d; do flock -n -x "$d" true 2>/dev/null && echo "$d"; done)
    procs=$(for p in /proc/[0-9]*; do readlink "$p/exe"; done 2>/dev/null |
            grep -e "$(pwd)/build/" ${kit:+-e "$kit/"} || true)
    [ -z "$left$procs" ] || { echo "left behind: $left $procs"; return 1; }
}

# The rootless world: a user of the machine's own (made once), and a copy of
# the kit in their home directory of mode 0700 (stricter than Ubuntu's 0750).
STUDENT=nslab-student
home='' kit=''
make_private_kit() {
    id -u "$STUDENT" >/dev/null 2>&1 ||
        useradd --system --create-home --home-dir "/var/lib/$STUDENT" --shell /usr/sbin/nologin "$STUDENT" || return 1
    # A subordinate ID range, as rootless podman users have (newuidmap).
    # (A minimal machine may have no /etc/subuid yet: usermod needs one.)
    touch /etc/subuid /etc/subgid || return 1
    grep -q "^$STUDENT:" /etc/subuid 2>/dev/null ||
        usermod --add-subuids 300000-365535 --add-subgids 300000-365535 "$STUDENT" || return 1
    home=$(getent passwd "$STUDENT" | cut -d: -f6)
    # One copy per checkout: two test runs side by side (two clones, two
    # worktrees) never replace each other's.
    kit=$home/kit-$(pwd -P | sha256sum | cut -c1-12)
    rm -rf "$kit" && mkdir -p "$kit/build" &&
        cp -r Makefile labs solutions harness grading handouts rootfs-builder "$kit/" &&
        cp build/nslab-check build/nslab-probe build/nslab-grade build/test_kit "$kit/build/" &&
        sh harness/compile-lab.sh harness/tests/where.c "$kit/build/where" 01_clone_uts &&
        chown -R "$STUDENT:" "$home" && chmod 0700 "$home"
}

# The private kit, made once a run (each step that needs it asks).
private_kit_made=''
ensure_private_kit() {
    [ -n "$private_kit_made" ] && return 0
    make_private_kit && private_kit_made=1
}

# student_kit CASE: the kit's Check tests of CASE, run by the student in the private kit.
student_kit() {
    ensure_private_kit || { echo "the private kit could not be made"; return 1; }
    as_student env CK_RUN_CASE="$1" build/test_kit
}

as_student() {
    # shellcheck disable=SC2016 # expanded by the inner shell, from its arguments
    setpriv --reuid="$STUDENT" --regid="$STUDENT" --init-groups env HOME="$home" sh -c 'cd "$0" && exec "$@"' "$kit" "$@"
}

# make grade, without sudo, of the solutions in the private copy: full marks
# for every lab the doctor says this user can grade here.
student_make_grade() {
    ensure_private_kit || return 1
    labs=$(as_student build/nslab-check doctor --porcelain | awk -F'\t' '$2 == "ok" { printf "%s ", substr($1, 1, 2) }')
    echo "the doctor says the student can grade: $labs"
    [ -n "$labs" ] && as_student make -s grade LABS="$labs" SUBMISSION=solutions GRADE_OUT=build/grade-student
}

# The rootless world has the user's subordinate IDs too (root, and 65536 more
# as IDs 100000 and up, as on a host),
# mapped with newuidmap and newgidmap from /etc/subuid and /etc/subgid.
student_world_has_subordinate_ids() {
    ensure_private_kit || return 1
    as_student build/nslab-check --lab 01 --program build/where --only help_exits_0 --records build/where.jsonl
    grep -q 'uid_map 0 0 1 100000 100000 65536' "$kit/build/where.jsonl"
}

# With 65537 subordinate IDs or more, the rootless world's root is the first
# of them, not the user (its processes, keys and pipes are not the user's),
# and lab 06 still has its 65536 users. The range is given in a mount
# namespace of our own, over /etc/subuid and /etc/subgid (where newuidmap
# reads it): the machine's files stay as they are.
student_world_root_is_a_subordinate_id() {
    ensure_private_kit || return 1
    first=$(grep "^$STUDENT:" /etc/subuid | cut -d: -f2)
    printf '%s:%s:70000\n' "$STUDENT" "$first" > "$log/subuid.txt" && chmod 644 "$log/subuid.txt" || return 1
    # shellcheck disable=SC2016 # expanded by the inner shell
    unshare --mount --propagation private sh -c 'mount --bind "$0" /etc/subuid && mount --bind "$0" /etc/subgid &&
        exec setpriv --reuid="$1" --regid="$1" --init-groups env HOME="$2" sh -c "cd \"\$0\" &&
            build/nslab-check --lab 01 --program build/where --only help_exits_0 --records build/where-sub.jsonl;
            build/nslab-check doctor" "$3"' "$log/subuid.txt" "$STUDENT" "$home" "$kit" > "$log/subroot.txt" 2>&1
    cat "$log/subroot.txt"
    grep -q 'uid_map 0 1 1 100000 100000 69999' "$kit/build/where-sub.jsonl" &&
        grep -q "Its root is ID $first of the machine (your first subordinate ID)" "$log/subroot.txt" &&
        grep -q '06_userns_map *ok' "$log/subroot.txt"
}

# As root, each world has a range of the machine's IDs of its own: worlds
# side by side never share an owner (namespaces, inotify instances and keys
# are charged to it).
worlds_side_by_side_have_their_own_ids() {
    worlds=''
    for i in 1 2 3; do
        build/nslab-check world -- /bin/sleep 3.$i$$ &
        worlds="$worlds $!"
    done
    tries=0 owners=''
    while [ "$(echo "$owners" | wc -w)" -lt 3 ] && [ $tries -lt 25 ]; do
        sleep 0.1
        # shellcheck disable=SC2009 # ps: the worlds' processes by their arguments, as the machine sees them
        # (ps shows an ID past 2^31 as negative)
        owners=$(ps -eo uid=,args= | awk -v tag="$$" '$2 == "/bin/sleep" && $3 ~ "^3\\.[123]" tag "$" {
            printf "%.0f\n", ($1 < 0 ? $1 + 4294967296 : $1) }' | sort -u)
        tries=$((tries + 1))
    done
    # shellcheck disable=SC2086 # the PIDs, one word each
    wait $worlds
    echo "the three worlds' roots: $owners"
    [ "$(echo "$owners" | wc -w)" = 3 ] && [ "$(echo "$owners" | awk '$1 < 1879048192' | wc -l)" = 0 ]
}

# Root grades the same private checkout: the world gets the lab and the probe
# as copies, so a home it cannot enter does not matter.
root_grades_private_checkout() {
    ensure_private_kit || return 1
    (cd "$kit" && build/nslab-grade --submission solutions --out build/grade-root --color never >/dev/null) &&
        rm -rf "$kit/build/grade-root"
}

# Where no user namespace can be made at all, the grader does not fall back to
# an unprotected world: every check ends in ENV, the report says so in one
# line, and the grader exits 2. Simulated in a user namespace of our own,
# whose user.max_user_namespaces is its own to set.
no_user_namespaces_is_env() {
    # shellcheck disable=SC2016 # expanded by the inner shell
    unshare --user --map-root-user --mount sh -c 'echo 0 > /proc/sys/user/max_user_namespaces &&
        NSLAB_VM=no build/nslab-grade --labs 01 --submission solutions --out build/grade-nouserns --color never \
            > build/test-logs/nouserns.report 2>&1; echo $? > build/test-logs/nouserns.status'
    cat build/test-logs/nouserns.report
    n=$(grep -c '^01	' grading/rubric.tsv)
    [ "$(cat build/test-logs/nouserns.status)" = 2 ] &&
        grep -q "^ENV: all $n checks of 01_clone_uts could not run on this machine: .*user.max_user_namespaces" \
            build/test-logs/nouserns.report
}

# What a lab needs of the machine (grading/labs.tsv) is decided before any
# world is made: without the checks' tools, every check is ENV, naming the
# tool and its package.
needs_decided_before_a_run() {
    sh harness/compile-lab.sh solutions/02_ipc.c build/test-needs-02 || return 1
    rm -f build/test-logs/needs.jsonl
    env PATH=/nonexistent-nslab build/nslab-check --lab 02 --program build/test-needs-02 \
        --records build/test-logs/needs.jsonl
    total=$(grep -c . build/test-logs/needs.jsonl)
    # shellcheck disable=SC2016 # the backquotes are the harness's text
    env=$(grep -c '"verdict":"ENV".*no `ipcs` on this machine: apt-get install util-linux' build/test-logs/needs.jsonl)
    echo "$env of $total checks ENV with the reason"
    [ "$total" -gt 0 ] && [ "$env" = "$total" ]
}

# The harness looks at the real machine around every world. A filesystem
# whose options change while checks run (here: a scratch tmpfs in a private
# mount namespace of this test's, remounted read-only from outside the world)
# stops grading: the running checks say THIS MACHINE WAS CHANGED (FAIL, in
# results.json too, not the whole lab ENV), the rest
# were not run, and the grader exits 2.
machine_change_stops_grading() {
    d=build/test-machine-change
    rm -rf "$d" && mkdir -p "$d/scratch" "$d/sub" && cp harness/tests/hostile/hang.c "$d/sub/02_ipc.c" &&
        cp solutions/03_pid.c "$d/sub/03_pid.c" || return 1
    # shellcheck disable=SC2016 # expanded by the inner shell
    unshare --mount --propagation private sh -c 'mount -t tmpfs -o size=1m nslab-machine-scratch "$0/scratch" || exit 9
        { sleep 0.5; mount -o remount,ro "$0/scratch"; } &
        NSLAB_JOBS=2 NSLAB_TIMEOUT=1.5 build/nslab-grade --labs "02 03" --submission "$0/sub" --out "$0/out" \
            --color never > "$0/report" 2>&1; echo $? > "$0/status"; wait' "$d"
    grep -m 1 -A 1 'THIS MACHINE WAS CHANGED' "$d/report"
    [ "$(cat "$d/status")" = 2 ] && grep -q 'nslab-machine-scratch.rw,.*nslab-machine-scratch.ro,' "$d/report" &&
        grep -q 'not run: grading stopped' "$d/out/records/02_ipc.jsonl" &&
        grep -q 'not run: an earlier lab changed this machine' "$d/report" && [ ! -e "$d/out/records/03_pid.jsonl" ] &&
        jq -e 'any(.tests[]; .status == "failed" and (.output | contains("THIS MACHINE WAS CHANGED")))' "$d/out/results.json" >/dev/null
}

# The cgroup v2 path of the world (delegation, the init leaf, cgroup2 mounted
# inside), on this machine's own cgroup2 hierarchy mounted at /sys/fs/cgroup
# in a private mount namespace (this CI machine is v1-hybrid; on a pure v2
# machine the whole suite runs this way anyway): the solutions score full
# marks, a lab runs in the leaf with no process at the world's root, and a
# cgroup left behind is caught.
cgroup_v2_layout() {
    grep -q cgroup2 /proc/filesystems || { echo "this kernel has no cgroup2"; return 1; }
    d=build/test-cgroup2
    rm -rf "$d" && mkdir -p "$d" || return 1
    sh harness/compile-lab.sh harness/tests/where.c "$d/where" 01_clone_uts &&
        sh harness/compile-lab.sh harness/tests/cgroup_left.c "$d/left" 04_mount_proc || return 1
    # shellcheck disable=SC2016 # expanded by the inner shell
    unshare --mount --propagation private sh -c 'mount -t cgroup2 none /sys/fs/cgroup || exit 9
        build/nslab-grade --labs 04 --submission solutions --out "$0/grade" --color never > "$0/report" 2>&1
        echo $? > "$0/status"
        build/nslab-check --lab 01 --program "$0/where" --only help_exits_0 --records "$0/where.jsonl"
        build/nslab-check --lab 04 --program "$0/left" --only uts_hostname_from_option --records "$0/left.jsonl"' "$d"
    tail -n 2 "$d/report"
    [ "$(cat "$d/status")" = 0 ] && grep -q '0::/init.*procs-at-root 0' "$d/where.jsonl" &&
        grep -q '+ cgroup unified:/nslab-left' "$d/left.jsonl"
}

# The compile step takes a plain file only: a symbolic link (to a solution,
# say), a FIFO or a folder named as a lab is BUILD, one line saying what it
# is, and nothing is compiled.
compile_takes_plain_files_only() {
    d=$PWD/build/test-compile-files
    rm -rf "$d" && mkdir -p "$d/sub/03_pid.c" && ln -s "$PWD/solutions/01_clone_uts.c" "$d/sub/01_clone_uts.c" &&
        mkfifo "$d/sub/02_ipc.c" || return 1
    build/nslab-grade --labs "01 02 03" --submission "$d/sub" --out "$d/out" --color never >"$d/report" 2>&1
    status=$?
    grep 'compiled from' "$d/report"
    [ "$status" = 1 ] && grep -q '01_clone_uts.c is a symbolic link' "$d/report" &&
        grep -q '02_ipc.c is not a plain file (a FIFO)' "$d/report" && grep -q '03_pid.c is not a plain file (a folder)' "$d/report" &&
        [ "$(jq '.score' "$d/out/results.json")" = 0 ]
}

# make tryNN on a terminal: the lab's terminal is a pty of the world's own,
# so a lab that types into it (TIOCSTI) reaches no shell of the user's: the
# world refuses the call, and says so; the shell after it reads nothing.
try_gives_the_lab_a_terminal_of_its_own() {
    d=build/test-try-tty
    rm -rf "$d" && mkdir -p "$d" && build/nslab-check compile 01 harness/tests/tiocsti.c "$d/01_clone_uts" || return 1
    # shellcheck disable=SC2016 # expanded by script's shell
    script -qec "build/nslab-check --lab 01 --program $d/01_clone_uts --try; read -t 1 typed; echo \"after: [\$typed]\"" \
        /dev/null </dev/null >"$d/out.txt" 2>&1
    tr -d '\r' <"$d/out.txt"
    grep -q 'ioctl(TIOCSTI) (it types into a terminal)' "$d/out.txt" && grep -q 'after: \[\]' "$d/out.txt" &&
        grep -q 'a terminal of its own: /dev/pts/0' "$d/out.txt"
}

# Three graders at once, one in a PID namespace of its own (another
# container's, a CI job's): each world's cgroup is held by its own grader
# (flock), and none removes another's, so each gets full marks.
graders_side_by_side() {
    d=build/test-side-by-side
    rm -rf "$d" && mkdir -p "$d" || return 1
    for i in 1 2; do
        build/nslab-grade --labs "01 02 03 04" --submission solutions --out "$d/g$i" --color never >"$d/report$i" 2>&1 &
    done
    unshare --pid --fork --mount-proc build/nslab-grade --labs "01 02 03 04" --submission solutions --out "$d/g3" \
        --color never >"$d/report3" 2>&1 &
    wait
    ok=0
    for i in 1 2 3; do
        echo "grader $i: $(grep '^Total' "$d/report$i")"
        grep -q '^Total: 173/173' "$d/report$i" || { grep -v PASS "$d/report$i" | head -n 20; ok=1; }
    done
    return $ok
}

# Lab 06 will, inside the world, give a child root's default map of the
# contract (0:100000:65536) and mount a fresh /proc in a user namespace of
# its own: the world has the IDs, and no mask over its /proc stops it.
world_has_room_for_lab06() {
    sh harness/compile-lab.sh harness/tests/nested_userns.c build/test-nested 01_clone_uts || return 1
    rm -f build/test-logs/nested.jsonl
    build/nslab-check --lab 01 --program build/test-nested --only help_exits_0 --records build/test-logs/nested.jsonl
    grep -q 'map 0 100000 65536: written.*fresh /proc: mounted' build/test-logs/nested.jsonl
}

# make labNN CHECK=name: that check alone, with all the harness saw; a name
# that is in no check (or more than one) is a clear error; V=1: every check.
one_check_at_a_time() {
    out=build/test-logs/one-check.txt
    make -s grade LABS=03 SUBMISSION=solutions CHECK=forwards_every GRADE_OUT=build/grade-one >"$out" 2>&1 || return 1
    cat "$out"
    [ "$(grep -c '^03_pid: ' "$out")" = 1 ] && grep -q '^03_pid: each of the six signals.* PASS' "$out" &&
        grep -q 'details:  --- run 1: /tmp/nslab/03_pid --init -- /tmp/nslab/nslab-probe --catch --wait' "$out" &&
        grep -q 'caught 10' "$out" || return 1
    ! make -s grade LABS=03 SUBMISSION=solutions CHECK=pid_init GRADE_OUT=build/grade-one >"$out" 2>&1 &&
        grep -q 'pid_init names more than one check' "$out" || return 1
    make -s grade LABS=01 SUBMISSION=solutions V=1 GRADE_OUT=build/grade-one >"$out" 2>&1 &&
        [ "$(grep -c 'details:  --- run 1' "$out")" -ge 18 ]
}

# An init that never exits once its command has ended: the check ends as soon
# as that is clear (how soon is measured by bench.sh, not asserted here), as a
# TIMEOUT that says what was stuck.
stuck_init_is_named() {
    d=build/test-stuck
    mkdir -p "$d" && sed 's/                    return exit_status(status);/                    continue;   \/* never returns *\//' \
        solutions/03_pid.c >"$d/03_pid.c" && ! cmp -s solutions/03_pid.c "$d/03_pid.c" &&
        sh harness/compile-lab.sh "$d/03_pid.c" "$d/03_pid" || return 1
    rm -f "$d/records.jsonl"
    build/nslab-check --lab 03 --program "$d/03_pid" --only pid_init_exit_status --records "$d/records.jsonl"
    cat "$d/records.jsonl"
    grep -q '"verdict":"TIMEOUT".*PID 1 of the container slept with no process left to wait for (an init that never exits' \
        "$d/records.jsonl"
}

# Without root and without subordinate IDs (root of a user namespace of our
# own has none), the world has no users for lab 06's default map: every
# check is ENV, with the usermod line that fixes it, and the grader exits 2.
lab06_without_subordinate_ids_is_env() {
    rm -rf build/grade-nosub
    unshare --user --map-root-user --mount build/nslab-grade --labs 06 --submission solutions \
        --out build/grade-nosub --color never > build/test-logs/nosub.txt 2>&1
    status=$?
    grep -m 1 'ENV' build/test-logs/nosub.txt
    [ "$status" = 2 ] && grep -q '^ENV: all [0-9]* checks of 06_userns_map could not run.*usermod --add-subuids' \
        build/test-logs/nosub.txt
}

# Lab 06 run by a user of the world, not its root (NSLAB_AS_USER=1: every run
# as a random user): every check of labs 01-04 holds. The control: lab 05
# (no user namespace) run the same way cannot even start its container.
rootless_lab06_holds_labs_01_04() {
    d=build/test-logs
    sh harness/compile-lab.sh solutions/06_userns_map.c "$d/as-user-06" 06_userns_map &&
        sh harness/compile-lab.sh solutions/05_net_veth.c "$d/as-user-05" 05_net_veth || return 1
    rm -f "$d/as-user-06.jsonl" "$d/as-user-05.jsonl"
    NSLAB_AS_USER=1 build/nslab-check --lab 04 --program "$d/as-user-06" --records "$d/as-user-06.jsonl" || return 1
    NSLAB_AS_USER=1 build/nslab-check --lab 01 --program "$d/as-user-05" --only hostname_from_option \
        --records "$d/as-user-05.jsonl"
    [ "$(grep -c '"verdict":"PASS"' "$d/as-user-06.jsonl")" -eq "$(wc -l < "$d/as-user-06.jsonl")" ] &&
        [ "$(wc -l < "$d/as-user-06.jsonl")" -gt 40 ] &&
        grep -q '"verdict":"FAIL".*Operation not permitted' "$d/as-user-05.jsonl"
}

# cgroup v2 on a second kernel: Debian's stock kernel under QEMU (no KVM
# needed), cgroup2 alone on /sys/fs/cgroup, every mount shared, this machine's
# files read-only with a throw-away layer on top (harness/tests/qemu_v2.sh).
# There, the test world delegates its cgroup on v2; the solution of the last
# lab scores full marks (it re-checks every layer in the v2 world),
# and lab 07's broken variants are each caught, on lab 07's own checks (the
# guest is emulated: a whole grading per variant would take minutes, and two
# labs graded at once would overrun the checks' time limits). Without
# QEMU or the kernel: SKIP (77), said.
cgroup_v2_on_a_second_kernel() {
    # The last lab, which re-checks every layer; the lab whose own layer
    # makes cgroups (the registry's world "cgroup") gives the variants.
    v2_lab=$(ready_labs | tail -n 1)
    cgroup_lab=$(for l in $(ready_labs); do build/nslab-check info "$l" world | grep -qw cgroup && echo "$l"; done | head -n 1)
    [ -n "$cgroup_lab" ] || { echo "no lab makes cgroups"; return 1; }
    # (Emulated, and beside the other steps: the checks get twice the time.)
    # shellcheck disable=SC2016 # expanded by the guest's shell
    NSLAB_TIMEOUT=${NSLAB_TIMEOUT:-6} NSLAB_QEMU_TIMEOUT=${NSLAB_QEMU_TIMEOUT:-480} sh harness/tests/qemu_v2.sh 'grep -q "^cgroup2 /sys/fs/cgroup " /proc/mounts && ! grep -q " cgroup " /proc/mounts &&
        echo "guest: $(uname -r), cgroup2 alone, controllers: $(cat /sys/fs/cgroup/cgroup.controllers)" &&
        NSLAB_GRADE_PARALLEL=1 build/nslab-grade --labs '"$v2_lab"' --submission solutions --out build/grade-v2 --color never > build/grade-v2.txt 2>&1;
        status=$?; sed -n "/== Summary ==/,\$p" build/grade-v2.txt; grep -h "\"verdict\":\"[FTCE]" build/grade-v2/records/*.jsonl | cut -c1-2000
        NSLAB_KIT_LAB='"$cgroup_lab"' CK_RUN_CASE="broken variants" build/test_kit > build/kit-v2.txt 2>&1; kit=$?
        grep -E "^[0-9]+%|:[FE]:" build/kit-v2.txt | cut -c1-1000
        [ "$status" = 0 ] && [ "$kit" = 0 ]'
}

# make rootfs, built as nobody (harness/tests/rootfs.sh); and the same test
# against a builder that forgets /tmp's sticky bit and /etc/os-release: it
# must fail.
rootfs_builds_without_root() { sh harness/tests/rootfs.sh; }
rootfs_test_catches_a_broken_builder() {
    # shellcheck disable=SC2016 # the builder's own text, not ours to expand
    sed -e 's/chmod 1777/chmod 0755/' -e 's|>"$tmp/etc/os-release"|>/dev/null|' rootfs-builder/build.sh \
        >build/test-logs/broken-rootfs-build.sh || return 1
    ! NSLAB_ROOTFS_BUILDER=build/test-logs/broken-rootfs-build.sh sh harness/tests/rootfs.sh
}

# Every instructor's demo runs to the end in its sandbox, and every command
# in it is found (a demo may show a command that fails on purpose).
demos_run() {
    for f in handouts/demos/*.txt; do
        nn=$(basename "$f" | cut -c1-2)
        demo_log=build/test-logs/demo-$nn.txt
        env -u STEP DEMO_FAST=1 sh harness/demo.sh "$nn" >"$demo_log" 2>&1 </dev/null || { cat "$demo_log"; return 1; }
        if grep -q ': not found' "$demo_log"; then cat "$demo_log"; return 1; fi
    done
}

# make gradescope LABS=03, unpacked into a simulated /autograder (its path
# from NSLAB_AUTOGRADER): setup.sh builds the kit there, and run_autograder
# grades submissions as students make them, writing results.json in
# Gradescope's schema:
#   - a whole repository (the release, its labs/.base scaffolding, the
#     solution in labs/): full marks, every test named "03_pid: <title>",
#     scores adding up, the graded path in the top-level output;
#   - the starter uploaded alone: fewer points, hints in Chinese
#     (NSLAB_LANG=zh make gradescope);
#   - a lab that does not compile: ONE test, "03_pid: 03_pid.c compiles",
#     the compiler's messages naming the submission's path, no temporary one;
#   - 02_ipc.c uploaded to lab 03: one test saying what the submission holds;
#   - no namespace can be made (and no VM, NSLAB_VM=no): no score at all,
#     ENV tests with neither score nor status, the output "NOT GRADED";
#   - without LABS, an empty submission: "No lab file found".
# shellcheck disable=SC2016 # jq's $max, not the shell's
gradescope_autograder_runs() {
    ag=$PWD/build/test-gradescope
    rm -rf "$ag" && mkdir -p "$ag/source" "$ag/submission" "$ag/results" || return 1
    max=$(awk -F'\t' '$1 ~ /^0[1-3]$/ { s += $3 } END { print s }' grading/rubric.tsv)
    if ! NSLAB_LANG=zh make -s gradescope LABS="03" >build/test-logs/gradescope-pack.txt ||
        ! grep -q "^gradescope: lab 03_pid: $max points" build/test-logs/gradescope-pack.txt ||
        ! unzip -q build/autograder.zip -d "$ag/source" || [ ! -x "$ag/source/run_autograder" ] ||
        [ ! -f "$ag/source/setup.sh" ] || [ -e "$ag/source/solutions" ]; then
        cat build/test-logs/gradescope-pack.txt
        return 1
    fi
    sh "$ag/source/setup.sh" >"$ag/setup.log" 2>&1 || { tail -n 20 "$ag/setup.log"; return 1; }
    run_ag() { rm -f "$ag/results/results.json"; NSLAB_AUTOGRADER=$ag sh "$ag/source/run_autograder" >"$ag/run.log" 2>&1 ||
        { cat "$ag/run.log"; return 1; }; }
    expect() { jq -e --argjson max "$max" "$1" "$ag/results/results.json" >/dev/null ||
        { echo "results.json does not hold: $1"; head -c 3000 "$ag/results/results.json"; return 1; }; }
    # A student's repository: the release, with their lab 03 in labs/.
    make -s dist >/dev/null && cp -r build/dist/nslab "$ag/submission/repo" && cp solutions/03_pid.c "$ag/submission/repo/labs/" &&
        [ -f "$ag/submission/repo/labs/.base/03_pid.c" ] || return 1
    run_ag && expect '.score == $max and ([.tests[].score] | add) == .score and
        ([.tests[].max_score] | add) == $max and (.tests | length) > 30 and .output_format == "text" and
        (.output | contains("graded repo/labs/03_pid.c")) and
        all(.tests[]; (.name | startswith("03_pid: ")) and (.name | test("03_pid: [a-z_]+$") | not) and .status == "passed")' || return 1
    # The starter, uploaded alone.
    rm -rf "${ag:?}/submission"/* && cp labs/03_pid.c "$ag/submission/" && run_ag &&
        expect '.score < $max and .score > 0 and any(.tests[]; .status == "failed") and
            any(.tests[]; .output | contains("handouts/zh/03_pid.md#"))' || return 1
    # A lab that does not compile, in a folder.
    rm -rf "${ag:?}/submission"/* && mkdir -p "$ag/submission/work" &&
        sed 's/^int main(/int main(int oops, /' solutions/03_pid.c >"$ag/submission/work/03_pid.c" && run_ag &&
        expect '.score == 0 and (.tests | length) == 1 and .tests[0].name == "03_pid: 03_pid.c compiles" and
            .tests[0].max_score == $max and .tests[0].status == "failed" and
            (.tests[0].output | contains("work/03_pid.c:")) and (.tests[0].output | contains("/tmp/") | not)' || return 1
    # The wrong lab uploaded.
    rm -rf "${ag:?}/submission"/* && cp solutions/02_ipc.c "$ag/submission/" && run_ag &&
        expect '(.tests | length) == 1 and .tests[0].name == "03_pid: 03_pid.c is in the submission" and
            (.tests[0].output | contains("it holds 02_ipc.c"))' || return 1
    # Where no user namespace can be made and no VM is to be had.
    cp solutions/03_pid.c "$ag/submission/" || return 1
    # shellcheck disable=SC2016 # expanded by the inner shell
    NSLAB_VM=no unshare --user --map-root-user --mount sh -c 'echo 0 > /proc/sys/user/max_user_namespaces &&
        NSLAB_AUTOGRADER=$0 sh "$0/source/run_autograder"' "$ag" >"$ag/run.log" 2>&1 || return 1
    expect '(has("score") | not) and all(.tests[]; (has("score") or has("status") or has("max_score") | not) and
        .tags == ["ENV"]) and (.output | startswith("NOT GRADED"))' || return 1
    # Without LABS: every lab the submission holds; none at all is said.
    rm -rf "${ag:?}/submission"/* "$ag/out" && mkdir -p "$ag/submission/empty" &&
        ! build/nslab-grade --find --submission "$ag/submission" --out "$ag/out" >"$ag/run.log" 2>&1 &&
        grep -q '^No lab file found' "$ag/run.log" && jq -e '.score == 0 and (.output | startswith("No lab file"))' "$ag/out/results.json" >/dev/null
}

# Gradescope where namespaces are forbidden, as its Docker containers forbid
# them (build/forbid_userns: Docker's default seccomp profile's refusals, as
# root): setup.sh fetches the VM (make vm; the kit's cache here), and
# run_autograder grades in a VM (grading/vm.c, harness/vm.sh; TCG here, so
# in the background): the solution of lab 03 full marks, lab 03 without its
# PID namespace fewer, and results.json says it was graded in a VM.
gradescope_grades_in_a_vm_without_namespaces() {
    need build/forbid_userns || return 1
    NSLAB_QEMU_CACHE=${NSLAB_QEMU_CACHE:-$PWD/build/qemu}
    export NSLAB_QEMU_CACHE
    sh harness/vm.sh --fetch || return $?   # 77: no QEMU or kernel here (SKIP)
    ! build/forbid_userns build/nslab-check doctor --world || { echo "forbid_userns forbids nothing"; return 1; }
    ag=$PWD/build/test-gradescope-vm
    rm -rf "$ag" && mkdir -p "$ag/source" "$ag/submission/repo" "$ag/results" || return 1
    make -s gradescope LABS="03" && unzip -q build/autograder.zip -d "$ag/source" || return 1
    sh "$ag/source/setup.sh" >"$ag/setup.log" 2>&1 || { tail -n 20 "$ag/setup.log"; return 1; }
    max=$(awk -F'\t' '$1 ~ /^0[1-3]$/ { s += $3 } END { print s }' grading/rubric.tsv)
    cp solutions/03_pid.c "$ag/submission/repo/" || return 1
    NSLAB_AUTOGRADER=$ag build/forbid_userns sh "$ag/source/run_autograder" >"$ag/run.log" 2>&1 || { cat "$ag/run.log"; return 1; }
    tail -n 3 "$ag/run.log"
    jq -e --argjson max "$max" '.score == $max and ([.tests[].score] | add) == $max and all(.tests[]; .status == "passed") and
        (.output | contains("graded in a VM (QEMU, "))' "$ag/results/results.json" >/dev/null ||
        { cat "$ag/results/results.json"; return 1; }
    sed 's/flags |= CLONE_NEWPID;//' solutions/03_pid.c >"$ag/submission/repo/03_pid.c" && rm "$ag/results/results.json" &&
        NSLAB_AUTOGRADER=$ag build/forbid_userns sh "$ag/source/run_autograder" >"$ag/run.log" 2>&1 || return 1
    tail -n 3 "$ag/run.log"
    jq -e --argjson max "$max" '.score < $max and .score > 0 and any(.tests[]; .status == "failed") and
        (.output | contains("graded in a VM (QEMU, "))' "$ag/results/results.json" >/dev/null ||
        { cat "$ag/results/results.json"; return 1; }
    rm -rf "$ag"
}

# GitHub Classroom: the nslab step of grading/classroom/classroom.yml, run as
# it stands there (its `run:` line), over the solutions of labs 01 and 02:
# the step output that Classroom's reporter reads decodes to full points,
# one test per check of each lab, no message on a passing one; over lab 02's
# starter, fewer, "fail". Over a repository of ten labs, the ten starters
# with a lab 10 that floods its output, and run from another folder, the
# result stays under 96 KiB (base64: the reporter gets it in one environment
# variable, which Linux caps at 128 KiB) and its points are the grader's.
# The workflow turns off AppArmor's restriction of user namespaces before.
classroom_step_reports_points() {
    cmd=$(awk '/^ *- name: nslab$/ { s = 1 } s && /^ *run: / { sub(/^ *run: /, ""); print; exit }' \
        grading/classroom/classroom.yml)
    [ -n "$cmd" ] || { echo "no nslab step in classroom.yml"; return 1; }
    awk '/apparmor_restrict_unprivileged_userns=0/ { a = NR } /^ *- name: nslab$/ { n = NR } END { exit !(a && a < n) }' \
        grading/classroom/classroom.yml || { echo "classroom.yml does not lift AppArmor's restriction before grading"; return 1; }
    out=$PWD/build/test-logs/classroom.out
    decoded() { sed -n 's/^result=//p' "$out" | base64 -d; }
    # Lab 02 is graded on layers 01 and 02 too.
    max=$(awk -F'\t' '$1 == "01" { a += $3 } $1 == "02" { b += $3 } END { print a + a + b }' grading/rubric.tsv)
    rm -f "$out"
    GITHUB_OUTPUT=$out NSLAB_SUBMISSION=solutions NSLAB_LABS="01 02" sh -c "$cmd" >build/test-logs/classroom.log 2>&1 ||
        { cat build/test-logs/classroom.log; return 1; }
    decoded | jq -e --argjson max "$max" '.version == 1 and .status == "pass" and
        .max_score == $max and ([.tests[].score] | add) == $max and all(.tests[]; .status == "pass" and (has("message") | not)) and
        (.tests | length) > 40' >/dev/null || { decoded | head -c 2000; return 1; }
    rm -f "$out"
    GITHUB_OUTPUT=$out NSLAB_SUBMISSION=labs NSLAB_LABS="02" sh -c "$cmd" >build/test-logs/classroom.log 2>&1 || return 1
    decoded | jq -e '.status == "fail" and ([.tests[].score] | add) < .max_score and
        any(.tests[]; .status == "fail")' >/dev/null || return 1
    # Ten labs, one flooding its output; grade.sh run from another folder.
    repo=$PWD/build/test-classroom
    rm -rf "$repo" "$out" && mkdir -p "$repo/labs" && cp labs/[0-9][0-9]_*.c "$repo/labs/" &&
        cp harness/tests/flood.c "$repo/labs/10_full_container.c" || return 1
    (cd / && GITHUB_OUTPUT=$out NSLAB_SUBMISSION=$repo sh "$OLDPWD/grading/classroom/grade.sh") >build/test-logs/classroom.log 2>&1 ||
        { tail -n 20 build/test-logs/classroom.log; return 1; }
    size=$(sed -n 's/^result=//p' "$out" | wc -c)
    echo "classroom: ten labs (a flooding lab 10): $size bytes of result, 98304 at most"
    [ "$size" -le 98304 ] || return 1
    score=$(jq '[.tests[].score // 0] | add' build/classroom/results.json)
    decoded | jq -e --argjson score "$score" '.status == "fail" and ([.tests[].score] | add) == $score and
        .max_score > $score' >/dev/null || { decoded | head -c 2000; return 1; }
}

# make regrade: a class of four (a repository with the solutions of labs
# 01-03, the starters of 01-03 as files, a zip holding lab 02's solution,
# a student with nothing, one named with a space), graded side by side:
# the gradebook has one row a lab with the grader's own numbers, each
# student's results.json is there; a second run grades nobody (nothing
# changed), and after one student's file changes, only that student.
# shellcheck disable=SC2015 # A && B || { report; return 1; }: the report runs only on a failure
regrade_grades_a_class() {
    class=$PWD/build/test-regrade/class out=$PWD/build/test-regrade/out
    rm -rf build/test-regrade && mkdir -p "$class/ann/labs" "$class/bob" "$class/cy" "$class/dee" "$class/ed wu" || return 1
    cp solutions/0[1-3]_*.c "$class/ann/labs/" && cp labs/0[1-3]_*.c "$class/bob/" && cp solutions/03_pid.c "$class/ed wu/" &&
        mkdir -p build/test-regrade/zip/work && cp solutions/02_ipc.c build/test-regrade/zip/work/ &&
        (cd build/test-regrade/zip && zip -qr "$class/cy/work.zip" work) || return 1
    make -s regrade CLASS="$class" OUT="$out" JOBS=3 2>build/test-logs/regrade.txt || { cat build/test-logs/regrade.txt; return 1; }
    book=$out/gradebook.csv
    m1=$(awk -F'\t' '$1 == "01" { s += $3 } END { print s }' grading/rubric.tsv)
    m3=$(awk -F'\t' '$1 ~ /^0[1-3]$/ { s += $3 } END { print s }' grading/rubric.tsv)
    grep -qx "\"ann\",\"01_clone_uts\",$m1,$m1,.*,\"labs/01_clone_uts.c\"" "$book" &&
        grep -qx "\"ann\",\"03_pid\",$m3,$m3,.*" "$book" && grep -q '^"bob","03_pid",' "$book" &&
        ! grep -q "^\"bob\",\"03_pid\",$m3," "$book" && grep -q '^"cy","02_ipc",.*"work.zip/work/02_ipc.c"$' "$book" &&
        grep -q '^"dee","none",' "$book" && grep -qx "\"ed wu\",\"03_pid\",$m3,$m3,.*" "$book" &&
        [ "$(wc -l <"$book")" -eq 10 ] && [ -s "$out/students/ed wu/results.json" ] ||
        { cat "$book" build/test-logs/regrade.txt; return 1; }
    jq -e '.score == ([.tests[].score] | add)' "$out/students/bob/results.json" >/dev/null || return 1
    make -s regrade CLASS="$class" OUT="$out" 2>build/test-logs/regrade.txt &&
        grep -q '(0 graded, 5 unchanged, 0 not graded)' build/test-logs/regrade.txt || { cat build/test-logs/regrade.txt; return 1; }
    cp solutions/03_pid.c "$class/bob/03_pid.c" && make -s regrade CLASS="$class" OUT="$out" 2>build/test-logs/regrade.txt &&
        grep -q '(1 graded, 4 unchanged, 0 not graded)' build/test-logs/regrade.txt &&
        grep -q "^\"bob\",\"03_pid\",$m3,$m3," "$book" || { cat build/test-logs/regrade.txt "$book"; return 1; }
    ! make -s regrade CLASS=/nonexistent 2>/dev/null
}

# make dist: harness/tests/dist.sh (what is in the release and what is not,
# no answer in it, its README's make lab01, make startNN lab after lab from
# the solution and from a student-style copy). Its leak check can fail: a
# release with lab 10's reference solution planted in it is caught. And
# UPTO: a release of labs 01-03 has their scaffolding and handouts only (its
# web pages link to no later lab), and grades only them.
dist_release() { sh harness/tests/dist.sh; }
# With every hint in it too: still next to no answer.
dist_all_hints_hold_no_answer() { make -s dist HINTS=all >/dev/null && sh harness/tests/dist.sh --leak-only; }
dist_leak_is_caught() {
    make -s dist >/dev/null && cp solutions/10_full_container.c build/dist/nslab/labs/ || return 1
    ! sh harness/tests/dist.sh --leak-only
}
# A release that mentions the kit's make test is caught.
# shellcheck disable=SC2016 # Markdown's backquotes
dist_mention_is_caught() {
    make -s dist >/dev/null && sh harness/tests/dist.sh --mentions-only || return 1
    echo 'Run `make test` before you submit.' >>build/dist/nslab/handouts/01_clone_uts.md
    ! sh harness/tests/dist.sh --mentions-only
}
dist_upto() {
    make -s dist UPTO=3 >/dev/null || return 1
    rel=build/dist/nslab
    [ "$(find "$rel/labs/.base" -name '*.c' | wc -l)" -eq 3 ] && [ ! -e "$rel/handouts/04_mount_proc.md" ] &&
        [ -e "$rel/handouts/03_pid.md" ] && ! grep -q '^04' "$rel/grading/rubric.tsv" &&
        [ -e "$rel/handouts/zh/03_pid.html" ] && [ ! -e "$rel/handouts/04_mount_proc.html" ] &&
        build/web_check "$rel/handouts" &&   # no link to a lab not released
        ! grep -q '04_mount_proc' "$rel/handouts/index.html" "$rel/handouts/03_pid.html" &&
        [ "$(NSLAB_REGISTRY="$rel/grading/labs.tsv" build/nslab-check list | wc -l)" -eq 3 ] &&
        ! make -s dist UPTO=99x >/dev/null 2>&1
}

# The doctor is the grader's own answer: lab by lab, it says "ok" exactly
# where grading the solutions gives no ENV (one check of each lab, the
# first of lab 01's, is enough: what makes a check ENV is decided for the
# graded lab before its run). $1: a command prefix (as_student, or nothing).
doctor_and_grader_agree() {
    d=build/test-doctor${1:+-user}
    "$@" rm -rf "$d"
    "$@" mkdir -p "$d" || return 1
    "$@" build/nslab-check doctor --porcelain >"$log/doctor-porcelain.txt"
    "$@" build/nslab-grade --submission solutions --only help_exits_0 --out "$d/grade" --color never >/dev/null 2>&1
    ok=0
    for lab in $(ready_labs); do
        doctor=$(awk -F'\t' -v l="$lab" '$1 == l { print $2 }' "$log/doctor-porcelain.txt")
        if "$@" cat "$d/grade/records/$lab.jsonl" 2>/dev/null | grep -q '"verdict":"PASS"'; then graded=ok; else graded=ENV; fi
        if "$@" cat "$d/grade/records/$lab.jsonl" 2>/dev/null | grep -q '"verdict":"ENV"'; then graded=ENV; fi
        echo "$lab: the doctor says ${doctor:-nothing}, the grader gave ${graded}"
        [ "$doctor" = "$graded" ] || ok=1
    done
    return $ok
}
doctor_agrees_with_the_grader() {
    doctor_and_grader_agree && [ "$(wc -l <harness/doctor.sh)" -lt 300 ]
}
doctor_agrees_without_root() {
    ensure_private_kit || return 1
    doctor_and_grader_agree as_student
}

# A demo runs in the test world without root, where the world is rootless.
demo_without_root() {
    ensure_private_kit || return 1
    as_student env DEMO_FAST=1 sh harness/demo.sh 03 >"$log/demo-rootless.txt" 2>&1 </dev/null || { cat "$log/demo-rootless.txt"; return 1; }
    cat "$log/demo-rootless.txt"
    grep -q 'my PID: 2, my parent: 1' "$log/demo-rootless.txt"
}

# The tree check fails on two files that call each other, one with a variable.
world_tree_catches_a_circle() {
    ! sh harness/tests/world_tree.sh --selftest >"$log/world-tree-selftest.txt" 2>&1 || return 1
    cat "$log/world-tree-selftest.txt"
    grep -q 'a: shared' "$log/world-tree-selftest.txt" && grep -q 'call each other in a circle' "$log/world-tree-selftest.txt"
}

# A lab added in its own files only is known to every target (new_lab.sh).
a_new_lab_needs_no_other_edit() { sh harness/tests/new_lab.sh; }

# Root of a user namespace (a rootless container) is graded in the rootless
# world, with full marks for the solutions.
root_of_a_user_namespace_grades() {
    unshare --user --map-root-user --mount build/nslab-grade --labs 04 --submission solutions \
        --out build/grade-inuserns --color never
}

# ---- The steps, in order -----------------------------------------------------

echo "TAP version 13"
need tools build/test_util build/test_judge build/test_grader build/test_kit || { echo "Bail out! the kit does not build"; exit 1; }
background cgroup_v2_on_a_second_kernel slow cgroup_v2_on_a_second_kernel
# Static checks
step generated_files_in_sync fast generated_in_sync
step every_lab_compiles_with_Werror fast all_compile_werror
step cppcheck_clean fast cppcheck_clean
step shellcheck_clean fast shellcheck_clean
step rubric_matches_the_checks fast rubric_matches_checks
step handout_counts_are_the_graders fast handout_counts_are_the_graders
step the_world_is_a_tree fast sh harness/tests/world_tree.sh
step world_tree_catches_a_circle fast world_tree_catches_a_circle
for lab in $(ready_labs); do
    step "handout_${lab%%_*}_in_chinese_matches_the_english" fast sh harness/tests/handout_zh.sh "handouts/$lab.md" "handouts/zh/$lab.md"
    step "handout_${lab%%_*}_rules_have_checks_and_variants" fast sh harness/tests/rules.sh "$lab"
done
step handout_zh_catches_a_difference fast handout_zh_catches_a_difference
# Unit tests: the harness's helpers, the verdict ladder with made-up results, the grader
check unit_util fast build/test_util
check unit_judge fast build/test_judge
check unit_grader fast build/test_grader
# The solutions score full marks; each starter fails its own layer and passes the earlier ones
check kit_solutions fast env CK_RUN_CASE=solutions build/test_kit
check kit_starters fast env CK_RUN_CASE=starters build/test_kit
# The handouts: web pages, Chinese, the grader's hints
step handouts_render_and_every_link_resolves slow handouts_on_the_web
step web_check_catches_a_broken_site slow web_check_catches_a_broken_site
step hints_point_to_handout_sections slow hints_point_to_sections
step hints_in_chinese_with_NSLAB_LANG slow hints_in_chinese
# Broken variants and hostile labs are caught; the grader's edges
check kit_broken_variants slow env CK_RUN_CASE="broken variants" build/test_kit
check kit_hostile_labs slow env CK_RUN_CASE="hostile labs" build/test_kit
check kit_grader slow env CK_RUN_CASE=grader build/test_kit
# Every command the handouts tell a student to type prints what they say
for lab in $(ready_labs); do
    step "handout_${lab%%_*}_commands_do_what_it_says" slow sh harness/tests/handout_commands.sh "handouts/$lab.md"
done
# The same as an unprivileged user, in a home directory of mode 0700 (the rootless world)
check kit_rootless_solutions slow student_kit solutions
check kit_rootless_hostile_labs slow student_kit "hostile labs"
check kit_rootless_grader slow student_kit grader
step student_make_grade_without_sudo slow student_make_grade
step student_world_has_subordinate_ids slow student_world_has_subordinate_ids
step student_world_root_is_a_subordinate_id slow student_world_root_is_a_subordinate_id
step worlds_side_by_side_have_their_own_ids slow worlds_side_by_side_have_their_own_ids
step root_grades_a_private_checkout slow root_grades_private_checkout
step lab06_without_root_holds_labs_01_04 slow rootless_lab06_holds_labs_01_04
step lab06_without_subordinate_ids_is_env slow lab06_without_subordinate_ids_is_env
step root_of_a_user_namespace_grades_rootless slow root_of_a_user_namespace_grades
# One authority: the doctor is the grader's own answer; a new lab needs no edit outside its own files
step doctor_agrees_with_the_grader slow doctor_agrees_with_the_grader
step doctor_agrees_with_the_grader_without_root slow doctor_agrees_without_root
step a_new_lab_needs_no_other_edit slow a_new_lab_needs_no_other_edit
# The world's edges
step rootfs_builds_without_root slow rootfs_builds_without_root
step rootfs_test_catches_a_broken_builder slow rootfs_test_catches_a_broken_builder
step every_demo_runs_in_the_test_world slow demos_run
step a_demo_runs_without_root slow demo_without_root
step no_user_namespaces_is_one_env_line slow no_user_namespaces_is_env
step needs_decided_before_a_run slow needs_decided_before_a_run
step machine_change_stops_grading slow machine_change_stops_grading
step cgroup_v2_layout slow cgroup_v2_layout
step one_check_at_a_time slow one_check_at_a_time
step stuck_init_is_named slow stuck_init_is_named
step compile_takes_plain_files_only slow compile_takes_plain_files_only
step try_gives_the_lab_a_terminal_of_its_own slow try_gives_the_lab_a_terminal_of_its_own
step graders_side_by_side slow graders_side_by_side
step world_has_room_for_lab06 slow world_has_room_for_lab06
# The course around the labs
step gradescope_autograder_in_a_simulated_tree slow gradescope_autograder_runs
background gradescope_grades_in_a_vm_without_namespaces slow gradescope_grades_in_a_vm_without_namespaces
step classroom_workflow_step_reports_points slow classroom_step_reports_points
step regrade_grades_a_class_and_skips_the_unchanged slow regrade_grades_a_class
step dist_release_has_no_answer_and_starts_from_your_code slow dist_release
step dist_leak_check_catches_an_answer slow dist_leak_is_caught
step dist_with_every_hint_holds_next_to_no_answer slow dist_all_hints_hold_no_answer
step dist_release_mentions_only_what_it_has slow dist_mention_is_caught
step dist_upto_releases_the_first_labs_only slow dist_upto
finish_background
step nothing_left_behind slow leaves_nothing_behind
[ -z "$private_kit_made" ] || rm -rf "$kit"   # the user stays for the next run; the copy of the kit goes

echo "1..$number"
[ "$skipped" -eq 0 ] || echo "# $skipped skipped (this machine cannot run them; each says why above)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
