#!/bin/sh
# The test world's files form a tree: compiled one by one, no file calls a
# file that (through others) calls it back, and none exports a variable
# that another could change (nm: no global data or bss symbol). Prints the
# calls between files.
#
#   sh harness/tests/world_tree.sh [--selftest]
#
# --selftest: the same on two files made to break both rules (each calls
# the other, one exports a variable): it must fail.
set -u
cd "$(dirname "$0")/../.." || exit 2
objs=build/test-world-tree
rm -rf "$objs" && mkdir -p "$objs" || exit 2
sources="harness/world/*.c"
if [ "${1:-}" = --selftest ]; then
    printf 'int b(void);\nint shared;\nint a(void) { return b() + shared; }\n' >"$objs/a.c"
    printf 'int a(void);\nint b(void) { return a(); }\n' >"$objs/b.c"
    sources="$objs/a.c $objs/b.c"
fi
for f in $sources; do
    # shellcheck disable=SC2046 # pkg-config's flags are words
    ${CC:-cc} -std=gnu11 -c -Iharness -Iharness/world -Iharness/checks -Igrading $(pkg-config --cflags libseccomp) \
        "$f" -o "$objs/$(basename "$f" .c).o" || exit 1
done
cd "$objs" || exit 2
status=0
# What each file defines and what it uses, as "FILE TYPE SYMBOL" lines.
for o in *.o; do
    nm --defined-only "$o" | awk -v f="${o%.o}" 'NF == 3 { print f, $2, $3 }'
    nm -u "$o" | awk -v f="${o%.o}" '{ print f, "U", $2 }'
done >symbols
# Global variables: data (D) or bss (B) symbols a file exports.
shared=$(awk '$2 == "D" || $2 == "B" { print $1 ": " $3 }' symbols)
if [ -n "$shared" ]; then
    echo "files that export variables:"
    echo "$shared"
    status=1
fi
# The calls between files: "from to" pairs.
awk '$2 != "U" { owner[$3] = $1 } $2 == "U" { used[++n] = $1 " " $3 }
     END { for (i = 1; i <= n; i++) { split(used[i], u, " "); if (u[2] in owner) print u[1], owner[u[2]] } }' symbols |
    sort -u >edges
sed 's/ / calls /' edges
# tsort(1) fails, naming them, when the calls go round in a loop.
if ! tsort edges >/dev/null 2>loop; then
    echo "the world's files call each other in a circle:"
    cat loop
    status=1
fi
exit $status
