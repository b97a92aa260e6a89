#!/bin/sh
# A new lab needs no edit outside its own files: in a scratch copy of the
# kit, add a lab 11 the way grading/labs.tsv says a lab is added (a row of
# the registry, rows of the rubric, a checks file, a layer in the one
# source, a handout in both languages), and nothing else; then every target
# that lists labs must know it: make generate, lab11, try11, grade, solutions,
# doctor, start11, handouts, dist, gradescope.
#
#   sh harness/tests/new_lab.sh       (make test's a_new_lab_needs_no_other_edit)
#
# Lab 11's layer: the command runs with NSLAB_LAB11=on in its environment.
# shellcheck disable=SC2015 # "A && B || fail": fail when either did not
set -u
cd "$(dirname "$0")/../.." || exit 2
work=$PWD/build/test-new-lab
kit=$work/kit
fail() { echo "new lab: $*"; exit 1; }

rm -rf "$work" && mkdir -p "$kit" || exit 1
git ls-files -z | xargs -0 cp --parents -t "$kit" || fail "cannot copy the kit"

# ---- lab 11, in its own files ------------------------------------------------

printf '11\t11_fake\tready\tlibcap,libnl-route-3.0,libseccomp\t-\t5.6\t-\t-\t-\n' >>"$kit/grading/labs.tsv"
printf '11\tfake_variable_is_on\t3\n' >>"$kit/grading/rubric.tsv"

cat >"$kit/harness/checks/checks_11.c" <<'EOF'
/* The checks of lab 11_fake (the kit's test of a new lab). */
#define _GNU_SOURCE
#include "checks.h"

CHECK(fake_variable_is_on)
{
    struct world_result *r = lab_run(c, NULL, ARGS("--", "/bin/sh", "-c", "echo \"$NSLAB_LAB11\""));

    expect_exit(c, r, 0);
    expect_stdout(c, r, "on\n");
}

static const struct check_info checks[] = {
    CHECK_ENTRY(fake_variable_is_on, "the command has NSLAB_LAB11=on", "11_fake.md#the-variable"),
    { NULL, NULL, NULL, NULL },
};

LAYER("11_fake", checks);
EOF

src=$kit/solutions/container.c
awk '
    /^#define _GNU_SOURCE$/ && !header {
        print "#if LAB == 11\n/* 11_fake.c: the kit'"'"'s test of a new lab: NSLAB_LAB11=on for the command. */\n#endif"
        header = 1
    }
    /^#define PROG "10_full_container"$/ { print; print "#elif LAB == 11\n#define PROG \"11_fake\""; next }
    /^static int exec_command\(struct config \*cfg\)$/ { print; getline; print
        print "#if LAB >= 11\n    /* BEGIN SOLUTION 11\n     * TODO(11): the command runs with NSLAB_LAB11=on (setenv(3)). */"
        print "    if (setenv(\"NSLAB_LAB11\", \"on\", 1) == -1)\n        die(\"setenv\");\n    /* END SOLUTION */\n#endif"
        layer = 1; next }
    { print }
    END { if (!header || !layer) exit 1 }
' "$src" >"$src.new" && mv "$src.new" "$src" || fail "the one source has no place for lab 11's layer"
grep -q 'LAB == 11' "$src" && grep -q 'PROG "11_fake"' "$src" || fail "lab 11's header or name did not go into the one source"

cat >"$kit/handouts/11_fake.md" <<'EOF'
# Lab 11: a variable

## The variable

The command runs with `NSLAB_LAB11=on`.

## Check your work by hand

    $ make try11 ARGS='-- sh -c "echo $NSLAB_LAB11"'
    on
EOF
cat >"$kit/handouts/zh/11_fake.md" <<'EOF'
<a id="lab-11-a-variable"></a>
# 实验 11：一个变量

<a id="the-variable"></a>
## 变量

命令运行时带有 `NSLAB_LAB11=on`。

<a id="check-your-work-by-hand"></a>
## 手工检查

    $ make try11 ARGS='-- sh -c "echo $NSLAB_LAB11"'
    on
EOF

# ---- every target that lists labs knows it -----------------------------------

cd "$kit" || exit 1
make -s generate >"$work/generate.txt" 2>&1 || { cat "$work/generate.txt"; fail "make generate"; }
[ -f labs/11_fake.c ] && [ -f solutions/11_fake.c ] && grep -q 'TODO(11)' labs/11_fake.c &&
    ! grep -q 'TODO(11)' solutions/11_fake.c || fail "make generate wrote no lab 11"
echo "make generate: labs/11_fake.c and solutions/11_fake.c"

make -s lab11 >"$work/lab11.txt" 2>&1 && fail "make lab11 passed the starter"
grep -q '^11_fake: the command has NSLAB_LAB11=on .* FAIL' "$work/lab11.txt" ||
    { cat "$work/lab11.txt"; fail "make lab11 did not grade lab 11's check"; }
echo "make lab11: the starter fails lab 11's check"

# shellcheck disable=SC2016 # the lab's shell expands it, in the world
out=$(make -s try11 TRY_FROM=solutions ARGS='-- sh -c "echo \$NSLAB_LAB11"' 2>&1) && [ "$out" = on ] ||
    { echo "$out"; fail "make try11"; }
echo "make try11: on"

make -s grade LABS=11 SUBMISSION=solutions >"$work/grade.txt" 2>&1 || { cat "$work/grade.txt"; fail "make grade LABS=11"; }
grep -q '^11_fake .* PASS' "$work/grade.txt" && jq -e 'any(.tests[]; .name | startswith("11_fake: "))' \
    build/grade/results.json >/dev/null || fail "make grade LABS=11: no lab 11 in the results"
make -s solutions >"$work/solutions.txt" 2>&1 || { tail -n 5 "$work/solutions.txt"; fail "make solutions"; }
grep -q '^11_fake .* PASS' "$work/solutions.txt" || fail "make solutions did not grade lab 11"
echo "make grade, make solutions: lab 11 full marks"

make -s doctor >"$work/doctor.txt" 2>&1
grep -q '11_fake .*ok' "$work/doctor.txt" && grep -q 'doctor: 11 of 11 labs' "$work/doctor.txt" ||
    { cat "$work/doctor.txt"; fail "make doctor does not know lab 11"; }
echo "make doctor: 11 of 11"

cp labs/11_fake.c "$work/starter-11.c" && cp solutions/10_full_container.c labs/ &&
    FORCE=1 make -s start11 >"$work/start.txt" 2>&1 && cmp -s labs/11_fake.c "$work/starter-11.c" ||
    { cat "$work/start.txt"; fail "make start11 from lab 10's solution is not lab 11's starter"; }
echo "make start11: lab 11's starter from lab 10's solution"

make -s handouts >/dev/null 2>&1 && [ -f build/handouts/11_fake.html ] && [ -f build/handouts/zh/11_fake.html ] &&
    grep -q '11_fake.html' build/handouts/index.html || fail "make handouts has no lab 11 page"
echo "make handouts: 11_fake.html"

make -s dist >/dev/null 2>&1 && [ -f build/dist/nslab/labs/.base/11_fake.c ] && [ -f build/dist/nslab/handouts/11_fake.md ] &&
    [ -f build/dist/nslab/harness/checks/checks_11.c ] &&
    [ "$(NSLAB_REGISTRY=build/dist/nslab/grading/labs.tsv build/nslab-check list | tail -n 1)" = 11_fake ] ||
    fail "make dist has no lab 11"
echo "make dist: lab 11's scaffolding, handout and checks"

make -s gradescope LABS=11 >/dev/null 2>&1 && unzip -l build/autograder.zip | grep -q 'harness/checks/checks_11.c' &&
    unzip -p build/autograder.zip grading/gradescope/labs | grep -qx 11 || fail "make gradescope LABS=11"
echo "make gradescope LABS=11: build/autograder.zip"
rm -rf "$work"
