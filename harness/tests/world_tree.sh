#!/bin/sh
# The test world's files form a tree: compiled one by one, no file calls a
# file that (through others) calls it back, and none exports a variable
# that another could change (nm: no global data or bss symbol). Prints the
# calls between files.
#
#   sh harness/tests/world_tree.sh
set -u
cd "$(dirname "$0")/../.." || exit 2
objs=build/test-world-tree
rm -rf "$objs" && mkdir -p "$objs" || exit 2
for f in harness/world/*.c; do
    ${CC:-cc} -std=gnu11 -c -Iharness -Iharness/world -Iharness/checks -Igrading $(pkg-config --cflags libseccomp) \
        "$f" -o "$objs/$(basename "$f" .c).o" || exit 1
done
cd "$objs" || exit 2
status=0
# Global variables: data (D) or bss (B) symbols a file exports.
for o in *.o; do
    shared=$(nm --defined-only "$o" | awk '$2 ~ /^[DB]$/ { print $3 }')
    if [ -n "$shared" ]; then
        echo "$o exports variables: $shared"
        status=1
    fi
done
# The calls between files: "from to" pairs.
for o in *.o; do
    for symbol in $(nm -u "$o" | awk '{ print $2 }'); do
        for p in *.o; do
            [ "$p" = "$o" ] && continue
            nm --defined-only "$p" | awk '{ print $3 }' | grep -qx "$symbol" && echo "${o%.o} ${p%.o}"
        done
    done
done | sort -u >edges
sed 's/ / calls /' edges
# tsort(1) says so when the graph has a cycle.
if tsort edges 2>&1 >/dev/null | grep -q 'cycle'; then
    echo "the world's files call each other in a circle:"
    tsort edges 2>&1 >/dev/null
    status=1
fi
exit $status
