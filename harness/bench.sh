#!/bin/sh
# Speed of the kit, measured (never asserted in a test).
#
#   sh harness/bench.sh          (as root, after make tools)
#
# Prints, with hyperfine when it is installed (apt-get install hyperfine)
# and a plain loop otherwise:
#   1. one check end to end: harness start, test world, lab, probe, compare;
#   2. all 23 checks of lab 02 against its solution;
#   3. `make lab01` on a built tree (the starter: it fails, which is fine);
#   4. grading the lab 04 solution: compile and the 38 checks of labs 01-04.
set -u
cd "$(dirname "$0")/.." || exit 2
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (the test world creates namespaces)" >&2; exit 2; }
make -s tools >/dev/null || exit 2
mkdir -p build/bench
# shellcheck disable=SC2046 # pkg-config's flags are words
cc -std=gnu11 -Wall -Wextra -Werror -O2 -o build/bench/02_ipc solutions/02_ipc.c $(pkg-config --cflags --libs libcap) || exit 2

one="build/nslab-check --lab 02 --program build/bench/02_ipc --only uts_namespace_differs --records /dev/null"
all="build/nslab-check --lab 02 --program build/bench/02_ipc --records /dev/null"
lab="make -s lab01"
lab04="build/nslab-grade --labs 04 --submission solutions --out build/bench/grade"

if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -N --warmup 3 --runs 50 --export-markdown build/bench/one.md "$one" >/dev/null 2>&1
    hyperfine -N --warmup 1 --runs 10 --export-markdown build/bench/all.md "$all" >/dev/null 2>&1
    hyperfine --warmup 1 --runs 10 -i --export-markdown build/bench/lab.md "$lab" >/dev/null 2>&1
    hyperfine -N --warmup 1 --runs 10 --export-markdown build/bench/lab04.md "$lab04" >/dev/null 2>&1
    cat build/bench/one.md build/bench/all.md build/bench/lab.md build/bench/lab04.md | grep -v '^|:'| sort -u -r
else
    for cmd in "$one" "$all" "$lab" "$lab04"; do
        start=$(date +%s%N)
        i=0
        while [ $i -lt 10 ]; do sh -c "$cmd" >/dev/null 2>&1; i=$((i + 1)); done
        echo "$cmd: $(( ($(date +%s%N) - start) / 10000000 )) ms per run (mean of 10)"
    done
fi
