#!/bin/sh
# An instructor's narrated demo of a lab's reference solution.
#
#   harness/demo.sh NN        (make demo01)
#
# Reads handouts/demos/NN_name.txt: plain lines are narration, lines that
# start with "$ " are commands, run one at a time (on a terminal, Enter runs
# the next; DEMO_FAST=1 or no terminal runs straight through). Everything
# runs in a throwaway sandbox (unshare: its own hostname, IPC, mounts,
# network and PIDs), so the demo leaves nothing on the machine.
set -u
cd "$(dirname "$0")/.." || exit 2

nn=$(printf '%02d' "$(printf '%s' "${1:-}" | sed 's/^0*//; s/_.*//')" 2>/dev/null)
script=""
for f in handouts/demos/"$nn"_*.txt; do
    [ -f "$f" ] && script=$f
done
if [ -z "$script" ]; then
    have=""
    for f in handouts/demos/*.txt; do have="$have $(basename "$f" | cut -c1-2)"; done
    echo "demo: no demo for lab '${1:-}' (there are:$have)" >&2
    exit 2
fi
name=$(basename "$script" .txt)
mkdir -p build/demo
# The lab's reference solution, and every earlier one the script runs too.
for src in solutions/[0-9][0-9]_*.c; do
    other=$(basename "$src" .c)
    if [ "$other" = "$name" ] || grep -q "^\$ .*$other" "$script"; then
        sh harness/compile-lab.sh "$src" "build/demo/$other" "$other" || exit 2
    fi
done

if [ -z "${NSLAB_DEMO_SANDBOX:-}" ]; then
    # shellcheck disable=SC2016 # $0 and $1 belong to the inner shell
    exec env NSLAB_DEMO_SANDBOX=1 unshare --uts --ipc --mount --net --pid --fork --mount-proc --propagation private \
        sh -c 'hostname demo-host && ip link set lo up && exec sh "$0" "$1"' "$0" "$nn"
fi

bold='' plain='' cyan=''
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
    bold=$(printf '\033[1m') plain=$(printf '\033[0m') cyan=$(printf '\033[36m')
fi
interactive=0
[ -t 0 ] && [ -z "${DEMO_FAST:-}" ] && interactive=1

PATH="$(pwd)/build/demo:$PATH"
export PATH
while IFS= read -r line; do
    case $line in
        '$ '*)
            cmd=${line#\$ }
            printf '%s$ %s%s' "$cyan" "$cmd" "$plain"
            if [ "$interactive" -eq 1 ]; then read -r _ </dev/tty; else echo; fi
            sh -c "$cmd"
            echo "${bold}[exit status $?]${plain}"
            ;;
        *) printf '%s%s%s\n' "$bold" "$line" "$plain" ;;
    esac
done <"$script"
