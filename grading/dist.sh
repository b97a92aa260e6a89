#!/bin/sh
# make dist [UPTO=NN] [HINTS=all|nudges|none]: the student release,
# build/dist/nslab/ and build/dist/nslab.tar.gz, with labs 01..UPTO
# (default: every ready lab), and of each lab's hints (make hintNN) all of
# them, all but the last (the outline of the answer: "nudges", the
# default), or none.
#
# In it: the Makefile, the harness (its checks, the probe, setup, doctor),
# the grader and the rubric, rootfs-builder, the handouts of those labs
# (Markdown and web pages, English and Chinese), a
# README written for students, GitHub Classroom's workflow, and the labs:
# labs/01_clone_uts.c to start with, and labs/.base/NN_name.c, each lab's
# scaffolding with every answer a TODO, which `make startNN` merges into the
# student's own finished lab NN-1. Not in it: solutions/ (the one source, the
# reference programs, the generator, the instructor's answers), the kit's
# tests and broken variants (harness/tests), the demos, Gradescope's
# packer, instructor notes. make test checks that no line that exists only
# in a solution block appears anywhere in the release.
set -eu
cd "$(dirname "$0")/.."
upto=$(printf '%s' "${1:-}" | sed 's/^0*//')
case $upto in *[!0-9]*) echo "make dist: UPTO must be a lab number, like UPTO=03" >&2; exit 2 ;; esac
hints=${2:-nudges}
case $hints in all|nudges|none) ;; *) echo "make dist: HINTS must be all, nudges or none" >&2; exit 2 ;; esac
names=$(build/nslab-check list ${upto:+--upto "$upto"})
if [ -z "$names" ]; then
    echo "make dist: UPTO=$upto: no ready lab up to there" >&2
    exit 2
fi
last=$(printf '%s\n' "$names" | tail -n 1)
out=build/dist/nslab
rm -rf build/dist
mkdir -p "$out/labs/.base" "$out/handouts" "$out/harness" "$out/grading/classroom" "$out/.github/workflows"

# shellcheck disable=SC2086 # $names: one word a lab
sh solutions/generate.sh --skeletons solutions/container.c build/dist/gen $names
mkdir -p "$out/handouts/zh" "$out/handouts/web" "$out/handouts/figures"
# ship_hints FROM TO: the hints of HINTS=... (nudges: every "## " section but the last).
ship_hints() {
    [ -r "$1" ] || return 0
    case $hints in
        all) cp "$1" "$2" ;;
        nudges) awk -v last="$(grep -c '^## ' "$1")" '/^## / { n++ } n < last' "$1" >"$2" ;;
    esac
}
[ "$hints" = none ] || mkdir -p "$out/handouts/hints" "$out/handouts/zh/hints"
for name in $names; do
    cp "build/dist/gen/skeletons/$name.c" "$out/labs/.base/"
    cp "handouts/$name.md" "$out/handouts/"
    if [ -r "handouts/zh/$name.md" ]; then cp "handouts/zh/$name.md" "$out/handouts/zh/"; fi
    ship_hints "handouts/hints/$name.md" "$out/handouts/hints/$name.md"
    ship_hints "handouts/zh/hints/$name.md" "$out/handouts/zh/hints/$name.md"
done
# The handouts as web pages too, next to their Markdown (the figures serve
# both), and what make handouts needs to draw them again.
cp handouts/web/* "$out/handouts/web/"
rm -f "$out/handouts/web/screenshots.sh"   # make handout-shots: the kit's
mkdir -p "$out/handouts/figures/zh"
cp handouts/figures/*.dot "$out/handouts/figures/"
cp handouts/figures/zh/*.dot "$out/handouts/figures/zh/"
# shellcheck disable=SC2086 # $names: one word a lab
sh handouts/web/build.sh "$out/handouts" $names >/dev/null
cp "$out/labs/.base/01_clone_uts.c" "$out/labs/"
rm -rf build/dist/gen

# The Makefile without its kit-only blocks (# >>> kit only ... # <<< kit only):
# the release mentions only what the release has.
sed '/^# >>> kit only/,/^# <<< kit only/d' Makefile >"$out/Makefile"
cp -r rootfs-builder "$out/"
# The harness without the kit's tests and the instructor's tools.
tar -cf - --exclude=harness/tests --exclude=harness/demo.sh --exclude=harness/bench.sh harness | tar -xf - -C "$out"
# The grader's sources and headers, as grading.mk lists them (one list: a new
# file there is in the release too).
for f in $(awk -F' = ' '/^GRADER_(SRC|HDR) = / { print $2 }' grading/grading.mk) grading/grading.mk; do
    cp "$f" "$out/grading/" || exit 2
done
# The scripts without their kit-only blocks (as the Makefile).
for f in start.sh hint.sh; do sed '/^# >>> kit only/,/^# <<< kit only/d' "grading/$f" >"$out/grading/$f"; done
cp grading/classroom/grade.sh "$out/grading/classroom/"
cp grading/classroom/classroom.yml "$out/.github/workflows/classroom.yml"
# The labs after UPTO are to come: the grader and make doctor skip them.
# Its list of labs: the rows, the compile flags and the header, under a
# header of the release's own (the kit's speaks of solutions and demos).
{
    printf '# The labs of this release, one row each: build/nslab-check reads it\n'
    printf '# (make labNN, make grade, make doctor). Every lab is compiled with\n'
    # shellcheck disable=SC2016 # the line as the file shows it
    printf '#   cc CFLAGS -o OUT SRC $(pkg-config --cflags --libs LIBRARIES)\n'
    build/nslab-check registry ${upto:+--upto "$upto"} | awk '!/^#/ && NF || /^#cflags\t/ || /^#lab\t/'
} >"$out/grading/labs.tsv"
awk -F'\t' -v upto="${upto:-99}" '!($1 ~ /^[0-9][0-9]$/ && $1 + 0 > upto + 0)' grading/rubric.tsv >"$out/grading/rubric.tsv"

# shellcheck disable=SC2016 # the backquotes are Markdown's
cat >"$out/README.md" <<README
# nslab: build a Linux container in ten labs

You build a container one isolation layer at a time, in small C programs:
a hostname of its own, IPC, PIDs, mounts, a network, users, limits,
capabilities, clocks and, last, a root filesystem of its own behind a
system-call filter. This release holds the labs up to $last.

## Start

    make doctor      # what this machine can run, and how to fix what it cannot
    make lab01       # build labs/01_clone_uts.c and run lab 01's checks

Read lab 01's handout, in your browser (\`handouts/index.html\`, then lab 01;
中文版：\`handouts/zh/index.html\`) or as Markdown
(\`handouts/01_clone_uts.md\`, \`handouts/zh/01_clone_uts.md\`), fill in the \`TODO(01)\` blocks of
\`labs/01_clone_uts.c\`, and run \`make lab01\` until it says full marks. Each
failed check shows what was run, what was expected, what was seen, and the
handout section to read, and its last line, \`again: make lab01
CHECK=name\`, runs that check alone and shows everything the grader saw; \`make try01 ARGS='--hostname box -- hostname'\` runs your lab once, by
hand, in a throwaway test world (nothing reaches your machine). With
\`NSLAB_LANG=zh\` (\`make lab01 NSLAB_LANG=zh\`) the hints point to the Chinese
handouts (评分提示指向中文讲义).

## Hints

    make hint01      # the next hint of lab 01, one at a time

Each lab has hints (one to seven), from a nudge to more: \`make hintNN\` opens the next
one (\`N=2\` shows hint 2 again). Try without them first: the report tells
your instructor how many you opened (it costs no points).

## The next lab, from your own code

    make start02     # labs/02_ipc.c: your 01_clone_uts.c plus lab 02's TODO(02) blocks

Each lab is the one before it plus one layer, and it starts from **your**
finished program: \`make startNN\` merges lab NN's new scaffolding into your
\`labs/\` file of lab NN-1 (a three-way merge; where your code and the new
lines touch, the file shows both between \`<<<<<<<\` and \`>>>>>>>\` markers,
and one line says how to resolve them). It never overwrites a lab file you
already have (\`FORCE=1\` does).

## Grading

    make grade                 # every lab in labs/, a score table, build/grade/results.json
    make grade LABS="01 02"

Lab NN is graded on its own checks and again on every earlier lab's, under
its name. A check ends in PASS, FAIL, TIMEOUT, CRASH, BUILD or ENV (this
machine cannot run it: not your fault; \`make doctor\` says why). Labs run in
a disposable test world (a user namespace), so a wrong lab cannot hurt your
machine; grading needs no sudo where users may create user namespaces
(\`make doctor\` tells), and labs 07 on need sudo on cgroup v1 machines.
Lab 10 pivots into \`build/rootfs\` (\`make rootfs\`, done for you).

On GitHub Classroom, \`.github/workflows/classroom.yml\` grades every push.

## The labs

$(for name in $names; do printf -- '- `labs/%s.c`: `handouts/%s.html` (`.md`; Chinese: `handouts/zh/`)\n' "$name" "$name"; done)
README

# What a student's `git add .` must leave out: what make builds (binaries,
# the root filesystem), but for the note of the hints they opened, which
# their instructor's grader reads; and editors' files.
cat >"$out/.gitignore" <<'GITIGNORE'
# What make builds (programs, the root filesystem): never commit it...
/build/*
# ...but for build/hints, the note of the hints you opened (make hintNN),
# which your instructor's grader reads (no points depend on it).
!/build/hints/
# Editors' and the system's own files.
*~
*.swp
*.swo
.#*
\#*#
.vscode/
.idea/
.DS_Store
GITIGNORE

mkdir -p build/dist
(cd build/dist && tar -czf nslab.tar.gz nslab)
echo "dist: build/dist/nslab/ and build/dist/nslab.tar.gz (labs $(printf '%s\n' "$names" | head -n 1 | cut -c1-2)..$(printf '%s' "$last" | cut -c1-2); $(du -sk build/dist/nslab.tar.gz | cut -f1) KB)"
