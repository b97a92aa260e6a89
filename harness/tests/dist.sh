#!/bin/sh
# make dist, checked (harness/tests/run.sh's dist steps):
#   1. the release holds what a student needs and nothing of the instructor's;
#   2. no line that exists only in a solution block of the one source appears
#      anywhere in it (the handouts' graded hints, which name the exact calls
#      by design, aside);
#   3. it builds from its own README's commands: make lab01 runs the checks
#      and scores the starter below full marks;
#   4. make startNN, from the reference solution of lab NN-1, gives exactly
#      lab NN's starter; from a student-style copy of it (a comment after
#      every line the student wrote, the variables they declared renamed)
#      it merges without a conflict, compiles,
#      passes every check of labs 01..NN-1 and fails what the starter fails.
set -u
cd "$(dirname "$0")/../.." || exit 2
#
#   sh harness/tests/dist.sh [--leak-only | --mentions-only]
#       --leak-only: step 2 alone; --mentions-only: step 1's "mentions only
#       what it has" alone; both on the release already in build/dist
fail() { echo "dist: $*"; exit 1; }
leak_only="" mentions_only=""
[ "${1:-}" = --leak-only ] && leak_only=1
[ "${1:-}" = --mentions-only ] && leak_only=1 mentions_only=1
[ -n "$leak_only" ] || make -s dist >/dev/null || fail "make dist failed"
rel=build/dist/nslab
[ -f build/dist/nslab.tar.gz ] || fail "no tarball"

# 1. What is in it.
if [ -z "$leak_only" ]; then
for f in Makefile README.md labs/01_clone_uts.c harness/probe.c grading/rubric.tsv grading/start.sh rootfs-builder/build.sh \
         .github/workflows/classroom.yml handouts/01_clone_uts.md handouts/zh/01_clone_uts.md handouts/index.html \
         handouts/01_clone_uts.html handouts/zh/10_full_container.html handouts/figures/namespaces.svg; do
    [ -e "$rel/$f" ] || fail "$f missing from the release"
done
# Its web handouts: every page, link, anchor and figure (make test's web_check).
build/web_check "$rel/handouts" || fail "the release's web handouts have broken links or figures"
for f in solutions harness/tests harness/demo.sh handouts/demos grading/gradescope grading/tests .ci; do
    [ ! -e "$rel/$f" ] || fail "$f is in the release"
done
[ "$(find "$rel/labs" -maxdepth 1 -name '*.c' | wc -l)" -eq 1 ] || fail "labs/ holds more than lab 01"
fi
# The release mentions only what the release has: no make target of the
# kit's alone (make test, make demo03, ...: the targets of the kit's Makefile
# that the release's lacks), no file of the kit's alone.
if [ -z "$leak_only" ] || [ -n "$mentions_only" ]; then
targets() { grep -o '^[a-z][a-zA-Z0-9%_-]*:' "$1" | tr -d : | sort -u; }
targets Makefile >build/test-logs/kit-targets.txt
targets "$rel/Makefile" >build/test-logs/release-targets.txt
gone=$(comm -23 build/test-logs/kit-targets.txt build/test-logs/release-targets.txt | sed 's/%/[0-9]*/' | paste -sd'|')
[ -n "$gone" ] || fail "the release's Makefile has every target of the kit's (the kit-only blocks were not left out)"
pattern="make ($gone)\\b|TRY_FROM|CONTRACT\\.md|DESIGN\\.md|harness/tests|test_kit|bench\\.sh|solutions/|grading/README|kit only"
hits=$(grep -rEn --exclude='*.tar.gz' --exclude='*.svg' "$pattern" "$rel")
if [ -n "$hits" ]; then
    printf '%s\n' "$hits" | cut -c1-200 | head -n 20
    fail "the release mentions what only the kit has (above; targets it lacks: $gone)"
fi
[ -z "$mentions_only" ] || exit 0
fi

# 2. Next to no answer: the code lines of every solution block, less those
# that also stand anywhere else in the kit's code (a brace, a "break;", a
# call the harness itself makes, as `mount(NULL, "/", ...)`: not an answer
# given away), matched whole (blanks trimmed) against every file of the
# release, its handouts and hints included: at most 5 % of them may be there
# (a hint may quote one statement; the outline of the answer is prose).
trim() { sed 's/^[ \t]*//; s/[ \t]*$//'; }
cat harness/*.[ch] harness/world/*.[ch] harness/checks/*.[ch] grading/*.[ch] | trim | sort -u >build/test-logs/kit-lines.txt
awk '
    /\/\* BEGIN SOLUTION [0-9]+/ { state = "comment"; if ($0 ~ /\*\/[ \t]*$/) state = "code"; next }
    state == "comment" { if ($0 ~ /\*\/[ \t]*$/) state = "code"; next }
    state == "code" && /\/\* END SOLUTION \*\// { state = ""; next }
    { line = $0; gsub(/^[ \t]+|[ \t]+$/, "", line); if (line == "") next
      if (state == "code") inside[line] = 1; else outside[line] = 1 }
    END { for (l in inside) if (!(l in outside)) print l }
' solutions/container.c | sort | comm -23 - build/test-logs/kit-lines.txt >build/test-logs/solution-lines.txt
[ "$(wc -l <build/test-logs/solution-lines.txt)" -gt 100 ] || fail "few solution lines found (the check would prove little)"
find "$rel" -type f ! -name '*.tar.gz' ! -name '*.svg' -exec cat {} + |
    trim | sort -u | comm -12 - build/test-logs/solution-lines.txt >build/test-logs/leaked-lines.txt
answers=$(wc -l <build/test-logs/solution-lines.txt) leaked=$(wc -l <build/test-logs/leaked-lines.txt)
echo "dist: $leaked of the $answers lines that only answers hold are in the release ($((100 * leaked / answers)) %; 5 % at most)"
if [ $((100 * leaked)) -gt $((5 * answers)) ]; then
    echo "lines of solution blocks found in the release (where: grep -rF LINE build/dist/nslab):"
    head -n 40 build/test-logs/leaked-lines.txt
    exit 1
fi
[ -z "$leak_only" ] || exit 0

# 3. The release's own README commands, on a copy.
work=build/test-dist
rm -rf "$work"
mkdir -p "$work" || fail "mkdir"
cp -r "$rel" "$work/" || fail "copy"
kit=$work/nslab
grep -q '^    make lab01 ' "$kit/README.md" || fail "the release's README does not say make lab01"
(cd "$kit" && make -s lab01 >../lab01.txt 2>&1)
total=$(sed -n 's/^Total: \([0-9]*\)\/\([0-9]*\).*/\1 \2/p' "$work/lab01.txt")
if [ -z "$total" ] || [ "${total% *}" -ge "${total#* }" ]; then
    tail -n 20 "$work/lab01.txt"
    fail "make lab01 in the release did not score the starter below full marks"
fi
echo "dist: make lab01 in the release: ${total% *}/${total#* } for the starter"

# Its .gitignore: a student's first `git add .` takes their labs and the
# note of the hints they opened, never what make built or an editor's files.
(cd "$kit" && mkdir -p .vscode && touch labs/01_clone_uts.c~ labs/.01_clone_uts.c.swp .vscode/settings.json &&
    mkdir -p build/hints && echo 1 >build/hints/01_clone_uts.opened &&
    git init -q . && git add . && git ls-files >../tracked.txt) || fail "git add in the release failed"
if ! grep -qx 'labs/01_clone_uts.c' "$work/tracked.txt" || ! grep -qx 'build/hints/01_clone_uts.opened' "$work/tracked.txt"; then
    fail "git add . in the release left out the lab or the hints' note"
fi
! grep -E '^build/(nslab|rootfs|grade)|~$|\.swp$|^\.vscode/' "$work/tracked.txt" ||
    fail "git add . in the release took what make built or an editor's file (above)"
rm -rf "$kit/.git"

# rename_own_variables FILE BASE NEXT_BASE: in FILE, a student's lab, give
# each variable declared on a line of their own (the line before each
# "// mine") that neither scaffolding (BASE, NEXT_BASE) names a name of the
# student's ("my_NAME"), as students name things their own way. Adds the
# old names to $renamed.
rename_own_variables() {
    # shellcheck disable=SC2013 # one name a word
    for v in $(awk '$0 == "    // mine" { print prev } { prev = $0 }' "$1" |
               sed -n 's/^[ \t]*\(const \)\{0,1\}\(unsigned \|struct [a-z_]* \)\{0,1\}[a-z_][a-z0-9_]*[ \t*][ \t*]*\([a-z_][a-z0-9_]*\)[ \t]*[=;[].*/\3/p' |
               sort -u); do
        case $v in return|break|continue|else|goto|my_*) continue ;; esac
        if ! grep -qw "$v" "$2" && ! grep -qw "$v" "$3"; then
            sed -i "s/\\b$v\\b/my_$v/g" "$1"
            renamed="$renamed $v"
        fi
    done
}
renamed=""

# 4. make startNN, lab after lab.
prev=""
names=$(NSLAB_REGISTRY="$kit/grading/labs.tsv" build/nslab-check list)
for name in $names; do
    if [ -n "$prev" ]; then
        nn=$(printf '%s' "$name" | cut -c1-2)
        cp "solutions/$prev.c" "$kit/labs/$prev.c"
        (cd "$kit" && FORCE=1 make -s "start$nn" >/dev/null 2>&1) || fail "make start$nn failed"
        cmp -s "$kit/labs/$name.c" "labs/$name.c" ||
            { diff "labs/$name.c" "$kit/labs/$name.c" | head -n 20; fail "start$nn from the solution of $prev is not lab $name's starter"; }
        # A student's own lab: a comment after every line they wrote, and
        # their own names for the variables they declared.
        diff --old-line-format='' --unchanged-line-format='%L' --new-line-format='%L    // mine
' "$kit/labs/.base/$prev.c" "solutions/$prev.c" >"$kit/labs/$prev.c"
        rename_own_variables "$kit/labs/$prev.c" "$kit/labs/.base/$prev.c" "$kit/labs/.base/$name.c"
        (cd "$kit" && FORCE=1 make -s "start$nn" >"../start.txt" 2>&1) || fail "make start$nn (student-style) failed"
        ! grep -q '^<<<<<<< ' "$kit/labs/$name.c" || { cat "$work/start.txt"; fail "start$nn: a conflict with a student-style $prev"; }
        grep -q '// mine' "$kit/labs/$name.c" || fail "start$nn lost the student's lines"
        for v in $renamed; do
            grep -qw "my_$v" "$kit/labs/$name.c" || fail "start$nn lost the student's variable my_$v"
        done
        sh harness/compile-lab.sh "$kit/labs/$name.c" "$work/$name" "$name" || fail "start$nn's result does not compile"
        sh harness/compile-lab.sh "labs/$name.c" "$work/starter-$name" "$name" || fail "the starter $name does not compile"
        build/nslab-check --lab "$name" --program "$work/$name" --records "$work/$name.jsonl" >/dev/null 2>&1
        build/nslab-check --lab "$name" --program "$work/starter-$name" --own-layer --records "$work/starter-$name.jsonl" \
            >/dev/null 2>&1
        # Every earlier check passes; the own layer's verdicts are the starter's.
        bad=$(grep -v "\"layer\":\"$nn\"" "$work/$name.jsonl" | grep -v '"verdict":"PASS"' | grep -o '"check":"[a-z0-9_]*"')
        [ -z "$bad" ] || fail "start$nn (student-style): earlier checks fail: $bad"
        mine=$(grep "\"layer\":\"$nn\"" "$work/$name.jsonl" | grep -o '"check":"[a-z0-9_]*","title":"[^"]*","verdict":"[A-Z]*"' |
            sed 's/,"title":"[^"]*"//' | sort)
        theirs=$(grep -o '"check":"[a-z0-9_]*","title":"[^"]*","verdict":"[A-Z]*"' "$work/starter-$name.jsonl" |
            sed 's/,"title":"[^"]*"//' | sort)
        [ "$mine" = "$theirs" ] || { printf 'merged:\n%s\nstarter:\n%s\n' "$mine" "$theirs"; fail "start$nn: lab $nn's verdicts differ from the starter's"; }
        echo "dist: make start$nn: the starter exactly from the solution; from a student's own $prev (variables renamed:${renamed:- none}): merged, earlier checks pass, lab $nn's as the starter's"
        renamed=""
    fi
    prev=$name
done
