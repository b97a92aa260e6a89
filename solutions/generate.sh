#!/bin/sh
# Generate the labs' starters and solutions from the one source.
#
#   solutions/generate.sh [--skeletons] SOURCE OUTDIR LAB...  (LAB: 01_clone_uts 02_ipc ...)
#
# For lab NN_name it writes OUTDIR/solutions/NN_name.c (layers 1..NN, solved)
# and OUTDIR/labs/NN_name.c (layers 1..NN-1 solved, TODO blocks for layer NN).
# `make generate` runs it with OUTDIR=. ; `make test` runs it into a temporary
# folder and compares.
set -eu

# (--skeletons first: write only OUTDIR/skeletons/NN_name.c, every answer of
# layers 1..NN a TODO: what make dist ships and make startNN merges.)
skeletons=""
if [ "${1:-}" = --skeletons ]; then
    skeletons=1
    shift
fi
src=$1 out=$2
shift 2
if [ -n "$skeletons" ]; then mkdir -p "$out/skeletons"; else mkdir -p "$out/solutions" "$out/labs"; fi

# Strip or fill the BEGIN SOLUTION blocks. mode=solution keeps every block's
# code; mode=starter replaces layer `lab`'s blocks by their TODO comment;
# mode=skeleton every block of layers 1..lab (no answer at all: the base of
# the student release's three-way merges, solutions/skeletons.sh).
markers() {
    awk -v mode="$1" -v lab="$2" '
    /\/\* BEGIN SOLUTION [0-9]+/ {
        match($0, /BEGIN SOLUTION [0-9]+/)
        n = substr($0, RSTART + 15, RLENGTH - 15) + 0
        indent = substr($0, 1, index($0, "/*") - 1)
        todo = (mode == "starter" && n == lab) || (mode == "skeleton" && n <= lab)
        state = "comment"; first = 1
        if ($0 ~ /\*\/[ \t]*$/) state = "code"
        next
    }
    state == "comment" {
        if (todo) {
            line = $0
            if (first) sub(/^[ \t]*\*/, indent "/*", line)
            print line
        }
        first = 0
        if ($0 ~ /\*\/[ \t]*$/) state = "code"
        next
    }
    state == "code" && /\/\* END SOLUTION \*\// { state = ""; next }
    state == "code" { if (!todo) print; next }
    { print }
    END { if (state != "") { print "generate: unterminated SOLUTION block" > "/dev/stderr"; exit 1 } }
    '
}

# Keep or drop the code that stands in for a layer until it is written: a
# line ending in the comment "UNTIL NN", or the lines between a line
# "BEGIN UNTIL NN" and a line "END UNTIL" (each alone in a comment), such
# as a use of a parameter that layer NN's TODO leaves unused (-Werror), a
# return its answer makes unreachable, or lab 01's clone(2), which makes
# lab 09's child until its clone3 is written. Kept, without the marker,
# where layer NN is not solved: the labs before NN, lab NN's starter, every
# skeleton (so that make startNN's three-way merge drops it from a student's
# lab exactly where the solution dropped it); dropped from the solutions of
# NN on and from the starters after NN.
until_markers() {
    awk -v mode="$1" -v lab="$2" '
    function solved(n) { return (mode == "solution" && lab >= n) || (mode == "starter" && lab > n) }
    /^[ \t]*\/\* BEGIN UNTIL [0-9]+ \*\/[ \t]*$/ {
        if (block) { print "generate: nested UNTIL block" > "/dev/stderr"; exit 1 }
        match($0, /[0-9]+/)
        block = 1; drop = solved(substr($0, RSTART, RLENGTH) + 0)
        next
    }
    /^[ \t]*\/\* END UNTIL \*\/[ \t]*$/ { block = 0; next }
    block && drop { next }
    /\/\* UNTIL [0-9]+ \*\/[ \t]*$/ {
        match($0, /[ \t]*\/\* UNTIL [0-9]+ \*\/[ \t]*$/)
        n = substr($0, RSTART)
        gsub(/[^0-9]/, "", n)
        if (!solved(n + 0))
            print substr($0, 1, RSTART - 1)
        next
    }
    { print }
    END { if (block) { print "generate: unterminated UNTIL block" > "/dev/stderr"; exit 1 } }
    '
}

for name in "$@"; do
    n=$(printf '%s' "$name" | sed 's/_.*//; s/^0*//')
    tmp=$(mktemp)
    # unifdef exits 1 when it changed something; -x2 makes that 0.
    unifdef -x2 -DLAB="$n" -UNSLAB_ONE_SOURCE "$src" >"$tmp" || { rm -f "$tmp"; exit 1; }
    if [ -n "$skeletons" ]; then
        until_markers skeleton "$n" <"$tmp" | markers skeleton "$n" | cat -s >"$out/skeletons/$name.c"
    else
        until_markers solution "$n" <"$tmp" | markers solution "$n" | cat -s >"$out/solutions/$name.c"
        until_markers starter "$n" <"$tmp" | markers starter "$n" | cat -s >"$out/labs/$name.c"
    fi
    rm -f "$tmp"
done
