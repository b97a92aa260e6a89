#!/bin/sh
# make hintNN [N=k]: the next hint of lab NN, one at a time.
#
# The hints are the instructor's to give: they live apart from the handout
# (handouts/hints/NN_name.md; handouts/zh/hints/ with NSLAB_LANG=zh), a
# "## Hint k" section each, from a nudge to an outline of the answer in
# prose. Each call shows the next one that is not open yet, and notes in
# build/hints/NN_name.opened how many are open: the grader's report and
# results.json say "hints opened: k of n" (no points depend on it). N=k shows
# hint k again, once it is open.
set -u
cd "$(dirname "$0")/.." || exit 2
nn=$(printf '%s' "${1:-}" | sed 's/^0*//; s/_.*//')
case $nn in ''|*[!0-9]*) echo "make hint: say which lab, e.g. make hint03" >&2; exit 2 ;; esac
name=$(build/nslab-check info "$nn" name 2>/dev/null)
[ -n "$name" ] || { echo "make hint$1: no lab $1" >&2; exit 2; }
file=handouts/hints/$name.md
case ${NSLAB_LANG:-} in zh*) [ -r "handouts/zh/hints/$name.md" ] && file=handouts/zh/hints/$name.md ;; esac
if [ ! -r "$file" ]; then
    echo "make hint$1: this release has no hints for $name: ask your instructor" >&2
    exit 2
fi
total=$(grep -c '^## ' "$file")
mkdir -p build/hints
opened=$(cat "build/hints/$name.opened" 2>/dev/null || echo 0)
case $opened in ''|*[!0-9]*) opened=0 ;; esac
if [ -n "${N:-}" ]; then
    want=$N
    case $want in ''|*[!0-9]*) echo "make hint$1: N is a hint's number, 1 to $total" >&2; exit 2 ;; esac
    if [ "$want" -lt 1 ] || [ "$want" -gt "$opened" ]; then
        echo "make hint$1: N=$want: $opened of $total hints are open (they open in order: make hint$1)" >&2
        exit 2
    fi
elif [ "$opened" -ge "$total" ]; then
    echo "make hint$1: all $total hints of $name are open; make hint$1 N=k shows hint k again"
    exit 0
else
    want=$((opened + 1))
    echo "$want" >"build/hints/$name.opened"
fi
# The k-th "## " section, up to the next.
awk -v k="$want" '/^## / { n++ } n == k' "$file"
echo
echo "(hint $want of $total for $name; $( [ "$want" -lt "$total" ] && echo "make hint$1 opens the next" || echo "the last one"))"
