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

for name in "$@"; do
    n=$(printf '%s' "$name" | sed 's/_.*//; s/^0*//')
    tmp=$(mktemp)
    # unifdef exits 1 when it changed something; -x2 makes that 0.
    unifdef -x2 -DLAB="$n" -UNSLAB_ONE_SOURCE "$src" >"$tmp" || { rm -f "$tmp"; exit 1; }
    if [ -n "$skeletons" ]; then
        markers skeleton "$n" <"$tmp" | cat -s >"$out/skeletons/$name.c"
    else
        markers solution "$n" <"$tmp" | cat -s >"$out/solutions/$name.c"
        markers starter "$n" <"$tmp" | cat -s >"$out/labs/$name.c"
    fi
    rm -f "$tmp"
done
