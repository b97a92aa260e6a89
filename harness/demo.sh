#!/bin/sh
# An instructor's narrated demo of a lab's reference solution.
#
#   harness/demo.sh NN        (make demo01)
#   STEP=3 harness/demo.sh NN (make demo01 STEP=3: step 3 alone; see below)
#
# Reads handouts/demos/NN_name.txt: plain lines are narration, lines that
# start with "$ " are commands, run one at a time (on a terminal, Enter runs
# the next; DEMO_FAST=1 or no terminal runs straight through), and lines
# that start with "## " begin a step (optional).
#
# Everything runs in the kit's test world, the one the grader runs labs in
# (nslab-check world): a throwaway "host" with its own hostname, IPC,
# mounts, network, PIDs and cgroups, made without root wherever the grader
# needs none. This script has no sandbox of its own: it compiles the
# solutions the demo runs, and the world runs this same script again
# (--inside) on its host side, as the world's root, with the solutions, the
# demo's text and this script copied into /tmp/nslab. From lab 10 on, the
# world holds a fresh copy of make rootfs's tree (owned by the container's
# root), which the demo shows at /mnt/rootfs, with the kit's chroot escape
# (the probe, harness/probe.c, under the name chroot-escape) in its /bin.
# When the demo ends, the world goes, and all of it with it.
#
# Steps, to go one at a time: STEP=3 (make demo10 STEP=3) runs step 3
# alone, STEP=3-5 steps 3 to 5, STEP=3- step 3 to the end. A line "## TITLE"
# starts a step, shown as "[step 3/14] TITLE"; the lines before the first
# one (the demo's title) are shown, and run, whatever STEP says. In a demo without
# such lines, a step is one or more narration lines and the commands after
# them, its first line shown as "[step 3/12] ...". Either way a step must
# stand on its own: no command may count on what an earlier step left. A
# command's stdin is the demo's own (the terminal, or /dev/null under make
# test), never the script.
set -u

if [ "${1:-}" = --inside ]; then
    shift
    script=$1 first=$2 last=$3 steps=$4 marked=$5
else
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
    # The steps: whether "## " lines mark them, how many there are, and the
    # ones STEP asks for (first..last).
    marked=$(grep -c '^## ' "$script")
    steps=$(awk 'BEGIN { c = 1 } /^## / { m++; next } /^\$ / { if (n == 0) n = 1; c = 1; next } { if (c) n++; c = 0 }
        END { print m ? m : n + 0 }' "$script")
    first=1 last=$steps
    if [ -n "${STEP:-}" ]; then
        case $STEP in
            *[!0-9-]* | -* | *-*-*) first='' ;;
            *-) first=${STEP%-} ;;
            *-*) first=${STEP%-*} last=${STEP#*-} ;;
            *) first=$STEP last=$STEP ;;
        esac
        # (As numbers: "03" is 3.)
        first=$(echo "$first" | sed 's/^0*//') last=$(echo "$last" | sed 's/^0*//')
        if [ -z "$first" ] || [ -z "$last" ] || [ "$first" -gt "$last" ] || [ "$last" -gt "$steps" ]; then
            echo "demo: STEP=$STEP: no such step in $name (its steps are 1 to $steps; STEP=N, N-M or N-)" >&2
            exit 2
        fi
    fi
    # The lab's reference solution, and every other one the script runs.
    mkdir -p build/demo
    set --
    for other in $(build/nslab-check list); do
        if [ "$other" = "$name" ] || grep -q "^\$ .*$other" "$script"; then
            build/nslab-check compile "$other" "solutions/$other.c" "build/demo/$other" || exit 2
            set -- "$@" --file "build/demo/$other"
        fi
    done
    # (The world's environment is its own: what the demo needs of ours, said.)
    exec build/nslab-check world --lab "$name" --file "$script" --file harness/demo.sh "$@" \
        --env "DEMO_FAST=${DEMO_FAST:-}" --env "NO_COLOR=${NO_COLOR:-}" -- \
        /bin/sh /tmp/nslab/demo.sh --inside "/tmp/nslab/$name.txt" "$first" "$last" "$steps" "$marked"
fi

# ---- Inside the world, on its host side, as its root -------------------------

hostname demo-host
cd /tmp/nslab || exit 2
PATH=/tmp/nslab:$PATH
export PATH
# Lab 10 on: the world's fresh copy of the root filesystem, at /mnt/rootfs
# (a tmpfs over the world's /mnt, which is read-only), and the chroot escape
# in its /bin.
if [ -d /tmp/nslab/root/bin ]; then
    { mount -t tmpfs -o mode=755,size=1m demo /mnt && mkdir /mnt/rootfs && mount --bind /tmp/nslab/root /mnt/rootfs &&
        cp /tmp/nslab/nslab-probe /mnt/rootfs/bin/chroot-escape; } || { echo "demo: cannot show the root at /mnt/rootfs" >&2; exit 2; }
fi

bold='' plain='' cyan=''
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
    bold=$(printf '\033[1m') plain=$(printf '\033[0m') cyan=$(printf '\033[36m')
fi
interactive=0
[ -t 0 ] && [ -z "${DEMO_FAST:-}" ] && interactive=1

# (The script on fd 4, which the commands do not get: stdin is theirs.)
step=0 after_command=1
while IFS= read -r line <&4; do
    label=''
    case $line in
        '## '*) step=$((step + 1)) ;;
        '$ '*) [ "$step" -eq 0 ] && [ "$marked" -eq 0 ] && step=1 ;;
        *)
            if [ "$marked" -eq 0 ] && [ "$after_command" -eq 1 ]; then
                step=$((step + 1)) label="[step $step/$steps] "
            fi
            ;;
    esac
    case $line in '$ '*) after_command=1 ;; *) after_command=0 ;; esac
    # Step 0: the lines before the first "## ", always shown.
    if [ "$step" -ne 0 ] && { [ "$step" -lt "$first" ] || [ "$step" -gt "$last" ]; }; then
        continue
    fi
    case $line in
        '## '*) printf '\n%s[step %s/%s] %s%s\n' "$bold" "$step" "$steps" "${line#\#\# }" "$plain" ;;
        '$ '*)
            cmd=${line#\$ }
            printf '%s$ %s%s' "$cyan" "$cmd" "$plain"
            if [ "$interactive" -eq 1 ]; then read -r _ </dev/tty; else echo; fi
            sh -c "$cmd" 4<&-
            echo "${bold}[exit status $?]${plain}"
            ;;
        *) printf '%s%s%s%s\n' "$bold" "$label" "$line" "$plain" ;;
    esac
done 4<"$script"
