#!/bin/sh
# Compile one lab exactly as the grader does: the flags and libraries come
# from grading/labs.tsv, the kit's one list of labs.
#
#   harness/compile-lab.sh SRC OUT [LAB]
#
# LAB (a name such as 04_mount_proc) defaults to SRC's own name; a file not
# named for a lab gets the libraries of the last lab that is ready.
set -u
[ $# -ge 2 ] || { echo "usage: harness/compile-lab.sh SRC OUT [LAB]" >&2; exit 2; }
src=$1 out=$2 lab=${3:-$(basename "$1" .c)}
registry=$(dirname "$0")/../grading/labs.tsv
tab=$(printf '\t')
cflags=$(sed -n "s/^#cflags$tab//p" "$registry")
libs=$(awk -F'\t' -v n="$lab" '$2 == n { print $4 }' "$registry")
[ -n "$libs" ] || libs=$(awk -F'\t' '$3 == "ready" { l = $4 } END { print l }' "$registry")
if [ -z "$cflags" ] || [ -z "$libs" ]; then echo "compile-lab: cannot read $registry" >&2; exit 2; fi
# shellcheck disable=SC2046,SC2086 # the flags and pkg-config's output are words
exec "${CC:-cc}" $cflags -o "$out" "$src" $(pkg-config --cflags --libs $(echo "$libs" | tr ',' ' '))
