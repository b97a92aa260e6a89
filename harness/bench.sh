#!/bin/sh
# Speed of the kit, measured (never asserted in a test).
#
#   sh harness/bench.sh [BASE]     (as root; BASE: a git revision, default HEAD)
#
# Prints, with hyperfine when it is installed (apt-get install hyperfine)
# and a plain loop otherwise:
#   1. one check end to end (harness start, test world, lab, probe, compare),
#      for this tree and for the harness of BASE (built from its own
#      Makefile: the last commit, by default, to see what a change costs),
#      in the same run;
#   2. all 23 checks of lab 02 against its solution, this tree and BASE;
#   3. `make lab03` on a built tree (the starter: its unfinished init hangs);
#   4. `make solutions` (every lab: compile each and run all its checks;
#      nslab-grade builds them in parallel and runs two labs' harnesses at once);
#   5. the veth's share of a check: one check of lab 01 (the hostname) run
#      against the solutions of labs 04 (no network) and 05 (a veth pair set
#      up and removed), and all the checks of labs 05 and 06 on a built tree;
#   6. all the checks of labs 07 and 08 (cgroups: a memory hog, a fork loop
#      and a 1.5 s busy loop among them; capabilities);
#   7. make rootfs from scratch, and again when it is up to date;
#   8. all the checks of labs 09 and 10 (lab 10: every earlier layer with a
#      root of the host's programs, and its own with a fresh copy of the rootfs).
set -u
cd "$(dirname "$0")/.." || exit 2
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (the test world creates namespaces)" >&2; exit 2; }
base=${1:-HEAD}
make -s tools >/dev/null || exit 2
rm -rf build/bench && mkdir -p build/bench/base || exit 2
for lab in $(build/nslab-check list); do
    build/nslab-check compile "$lab" "solutions/$lab.c" "build/bench/$lab" || exit 2
done

# The base revision's harness, built beside this one by its own Makefile
# (its own probe too).
if git archive "$base" | tar -x -C build/bench/base; then
    make -s -C build/bench/base build/nslab-check build/nslab-probe >/dev/null 2>&1 ||
        { echo "bench: cannot build the harness of $base" >&2; exit 2; }
fi

one="build/nslab-check --lab 02 --program build/bench/02_ipc --only uts_namespace_differs --records /dev/null"
one_base="build/bench/base/build/nslab-check --lab 02 --program build/bench/02_ipc --only uts_namespace_differs --records /dev/null"
all="build/nslab-check --lab 02 --program build/bench/02_ipc --records /dev/null"
all_base="build/bench/base/build/nslab-check --lab 02 --program build/bench/02_ipc --records /dev/null"
lab="make -s lab03"
solutions="make -s solutions"
no_veth="build/nslab-check --lab 04 --program build/bench/04_mount_proc --only uts_default_hostname --records /dev/null"
veth="build/nslab-check --lab 05 --program build/bench/05_net_veth --only uts_default_hostname --records /dev/null"
all05="build/nslab-check --lab 05 --program build/bench/05_net_veth --records /dev/null"
all06="build/nslab-check --lab 06 --program build/bench/06_userns_map --records /dev/null"
all07="build/nslab-check --lab 07 --program build/bench/07_cgroup --records /dev/null"
all08="build/nslab-check --lab 08 --program build/bench/08_caps --records /dev/null"
all09="build/nslab-check --lab 09 --program build/bench/09_timens --records /dev/null"
all10="build/nslab-check --lab 10 --program build/bench/10_full_container --records /dev/null"
rootfs="sh rootfs-builder/build.sh --out build/bench/rootfs"

if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -N --warmup 3 --runs 40 --export-markdown build/bench/one.md "$one" "$one_base" >/dev/null 2>&1
    hyperfine -N --warmup 1 --runs 10 --export-markdown build/bench/all.md "$all" "$all_base" >/dev/null 2>&1
    hyperfine --warmup 1 --runs 5 -i --export-markdown build/bench/lab.md "$lab" >/dev/null 2>&1
    hyperfine --warmup 1 --runs 5 --export-markdown build/bench/solutions.md "$solutions" >/dev/null 2>&1
    hyperfine -N --warmup 3 --runs 40 --export-markdown build/bench/veth.md "$no_veth" "$veth" >/dev/null 2>&1
    hyperfine -N --warmup 1 --runs 10 --export-markdown build/bench/labs56.md "$all05" "$all06" >/dev/null 2>&1
    hyperfine -N --warmup 1 --runs 10 --export-markdown build/bench/labs78.md "$all07" "$all08" >/dev/null 2>&1
    hyperfine -N --warmup 1 --runs 10 --export-markdown build/bench/labs910.md "$all09" "$all10" >/dev/null 2>&1
    hyperfine -N --runs 20 --prepare "rm -rf build/bench/rootfs" --export-markdown build/bench/rootfs.md "$rootfs" \
        >/dev/null 2>&1
    hyperfine -N --warmup 1 --runs 20 --export-markdown build/bench/rootfs2.md "$rootfs" >/dev/null 2>&1
    cat build/bench/one.md build/bench/all.md build/bench/lab.md build/bench/solutions.md build/bench/veth.md \
        build/bench/labs56.md build/bench/labs78.md build/bench/labs910.md build/bench/rootfs.md build/bench/rootfs2.md | grep -v '^|:' |
        sort -u -r
else
    for cmd in "$one" "$one_base" "$all" "$all_base" "$lab" "$solutions" "$no_veth" "$veth" "$all05" "$all06" "$all07" "$all08" "$all09" "$all10" "$rootfs"; do
        start=$(date +%s%N)
        i=0
        while [ $i -lt 10 ]; do sh -c "$cmd" >/dev/null 2>&1; i=$((i + 1)); done
        echo "$cmd: $(( ($(date +%s%N) - start) / 10000000 )) ms per run (mean of 10)"
    done
fi
