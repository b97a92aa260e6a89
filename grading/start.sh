#!/bin/sh
# make startNN: begin lab NN from your own finished lab NN-1.
#
# A three-way merge, as MIT's JOS labs merged each lab's new code into the
# student's own repository: yours is labs/PREV_name.c; the base is lab PREV's
# scaffolding with no answer in it; theirs is lab NN's scaffolding, also with
# no answer in it (labs/.base/, in the student release; in the kit, made
# from the one source). What lab NN adds (its TODO(NN) blocks, new options,
# helpers) is merged into your code, and the result is labs/NN_name.c. Where
# the two touch the same lines, the file shows both, between the usual
# <<<<<<< ======= >>>>>>> markers, and one line says how to resolve them.
set -u
cd "$(dirname "$0")/.." || exit 2
nn=$(printf '%s' "${1:-}" | sed 's/^0*//; s/_.*//')
case $nn in ''|*[!0-9]*) echo "make start: say which lab, e.g. make start04" >&2; exit 2 ;; esac
# A ready lab's name, from the kit's list of labs (nslab-check list).
name_of() { build/nslab-check list | grep "^$(printf '%02d' "$1")_"; }
new=$(name_of "$nn")
prev=$(name_of $((nn - 1)))
if [ -z "$new" ] || [ "$nn" -lt 2 ] || [ -z "$prev" ]; then
    echo "make start$1: no lab $1 to start from lab $((nn - 1)) (lab 01 starts as labs/01_clone_uts.c is)" >&2
    exit 2
fi
mine=labs/$prev.c
target=labs/$new.c
if [ ! -f "$mine" ]; then
    echo "make start$1: no $mine: lab $new starts from your finished $prev" >&2
    exit 2
fi
if [ -e "$target" ] && [ -z "${FORCE:-}" ]; then
    echo "make start$1: $target exists (it may hold your work): FORCE=1 make start$1 replaces it" >&2
    exit 2
fi

# The two scaffoldings: the release's labs/.base.
base=labs/.base
# >>> kit only
# (In the kit, which has no labs/.base, made here from the one source.)
if { [ ! -f "$base/$prev.c" ] || [ ! -f "$base/$new.c" ]; } && [ -f solutions/container.c ]; then
    base=build/skeletons
    sh solutions/generate.sh --skeletons solutions/container.c build "$prev" "$new" || exit 2
fi
# <<< kit only
if [ ! -f "$base/$prev.c" ] || [ ! -f "$base/$new.c" ]; then
    echo "make start$1: no $base/$new.c: this release stops before lab $new" >&2
    exit 2
fi

tmp=$target.merging
diff3 -m -L "yours: $mine" -L "lab $prev's scaffolding" -L "lab $new's new scaffolding" \
    "$mine" "$base/$prev.c" "$base/$new.c" >"$tmp"
status=$?
if [ "$status" -gt 1 ]; then
    rm -f "$tmp"
    echo "make start$1: diff3 could not merge (status $status)" >&2
    exit 2
fi
mv "$tmp" "$target" || exit 2
if [ "$status" -eq 0 ]; then
    echo "make start$1: $target is your $prev.c with lab $new's new scaffolding and TODO($(printf '%02d' "$nn")) blocks; make lab$(printf '%02d' "$nn") checks it"
else
    count=$(grep -c '^<<<<<<< ' "$target")
    echo "make start$1: $target has $count conflict(s): in each, keep your code (between <<<<<<< and |||||||) and lab $new's new lines (between ======= and >>>>>>>), delete the rest and the markers, then make lab$(printf '%02d' "$nn")"
fi
