#!/bin/sh
# An instructor's narrated demo of a lab's reference solution.
#
#   harness/demo.sh NN        (make demo01)
#   STEP=3 harness/demo.sh NN (make demo01 STEP=3: step 3 alone; see below)
#
# Reads handouts/demos/NN_name.txt: plain lines are narration, lines that
# start with "$ " are commands, run one at a time (on a terminal, Enter runs
# the next; DEMO_FAST=1 or no terminal runs straight through), and lines
# that start with "## " begin a step (optional). Everything
# runs in a throwaway sandbox (unshare: its own hostname, IPC, mounts,
# network and PIDs), so the demo leaves nothing on the machine.
#
# From lab 07 on, the labs make cgroups, so the sandbox has a cgroup of its
# own as well, as the kit's test world has (harness/world_cgroup.c): a group
# nslab-demo-PID made here (v1: in each hierarchy of memory, pids and cpu,
# below this shell's own group there; v2: at the top, with a leaf "sandbox"
# for the sandbox's own processes and the controllers enabled for its
# children), the sandbox moved into it and given a cgroup namespace rooted
# there, and inside a fresh /sys/fs/cgroup that shows only that group's
# subtree. A lab's nslab/<PID> lands in it, and the whole group is removed
# when the demo ends, however it ends.
#
# The stages, each this script run again with NSLAB_DEMO_SANDBOX set:
#   (unset)   compile; from lab 07 on, make the sandbox's cgroup, run
#             "enter", and remove the cgroup; before, "inside" directly
#   enter     move into the sandbox's cgroup; unshare the cgroup namespace
#   cgroupns  v2: move into the leaf; then unshare every other namespace
#   inside    mount the sandbox's cgroup hierarchies (lab 07 on) and lab
#             10's root filesystem (lab 10 on); the demo
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
#
# From lab 10 on, the lab needs a root filesystem: build/rootfs, built here
# when needed (rootfs-builder/build.sh, as make rootfs does), is copied for
# each run into a tmpfs the sandbox mounts on /mnt: /mnt/rootfs, owned by
# 100000, the container's root under the lab's default ID map (so root
# inside owns its files). A demo that runs chroot-escape gets that helper
# (a static program, its source below) in the copy's /bin. All of it is in
# the sandbox's mount namespace and goes with it.
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

# The steps: whether "## " lines mark them, how many there are, and the ones
# STEP asks for (first..last).
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

# chroot-escape COMMAND [ARG...], for lab 10's demo: the classic way out of
# a chroot. It runs as root in the sandbox only.
chroot_escape_source() {
    cat <<'EOF'
/* chroot(2) moves the root, not the working directory: chroot into a fresh
 * folder below, and the working directory is outside the new root, where
 * ".." is not stopped. Climb as far as ".." goes, make that the root, and
 * run COMMAND there. Under a plain chroot that is the real /; after
 * pivot_root with the old root detached (lab 10), the container's own. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char dir[] = "/tmp/chroot-escape.XXXXXX";
    int tmp, i;

    if (argc < 2) {
        fprintf(stderr, "usage: chroot-escape COMMAND [ARG...]\n");
        return 2;
    }
    tmp = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (tmp == -1 || !mkdtemp(dir) || chdir("/") == -1 || chroot(dir) == -1) {
        perror("chroot-escape");
        return 1;
    }
    for (i = 0; i < 64; i++)
        if (chdir("..") == -1) {
            perror("chroot-escape: chdir(\"..\")");
            return 1;
        }
    if (chroot(".") == -1) {
        perror("chroot-escape: chroot(\".\")");
        return 1;
    }
    unlinkat(tmp, strrchr(dir, '/') + 1, AT_REMOVEDIR);
    fprintf(stderr, "chroot-escape: chroot(\"%s\"), chdir(\"..\") 64 times, chroot(\".\"), exec %s\n", dir, argv[1]);
    execvp(argv[1], argv + 1);
    perror(argv[1]);
    return 127;
}
EOF
}

# The way into the last stage: every namespace but the cgroup one, lo up.
enter_sandbox() {
    # shellcheck disable=SC2016 # $0 and $1 belong to the inner shell
    exec env NSLAB_DEMO_SANDBOX=inside unshare --uts --ipc --mount --net --pid --fork --mount-proc \
        --propagation private sh -c 'hostname demo-host && ip link set lo up && exec sh "$0" "$1"' "$0" "$nn"
}

# The cgroup v1 hierarchies mounted under /sys/fs/cgroup that hold memory,
# pids or cpu, one "MOUNT-POINT:OPTIONS" per line ("cpu,cpuacct" where they
# share one); the options are what mounts the same hierarchy again.
v1_hierarchies() {
    awk '{
        for (i = 7; i <= NF && $i != "-"; i++)
            ;
        if ($(i + 1) != "cgroup" || index($5, "/sys/fs/cgroup/") != 1)
            next
        n = split($(i + 3), o, ",")
        opts = ""
        wanted = 0
        for (k = 1; k <= n; k++) {
            if (o[k] == "rw" || o[k] == "ro" || o[k] ~ /^release_agent=/ || o[k] == "clone_children" ||
                o[k] == "noprefix" || o[k] == "cpuset_v2_mode")
                continue
            opts = opts (opts == "" ? "" : ",") o[k]
            if (o[k] == "memory" || o[k] == "pids" || o[k] == "cpu")
                wanted = 1
        }
        if (wanted)
            print $5 ":" opts
    }' /proc/self/mountinfo
}

# Remove the sandbox's cgroups, children first. A process still in them is
# the sandbox's own (a demo cut short): it is ended first. A group whose
# last process is still exiting is busy (EBUSY) for a moment: up to 5 s.
# shellcheck disable=SC2317 # run by the trap
remove_cgroups() {
    for top in $groups; do
        tries=0
        while [ -d "$top" ]; do
            find "$top" -depth -type d 2>/dev/null | while IFS= read -r dir; do
                while IFS= read -r p; do
                    kill -KILL "$p" 2>/dev/null
                done <"$dir/cgroup.procs"
                rmdir "$dir" 2>/dev/null
            done
            [ -d "$top" ] || break
            tries=$((tries + 1))
            if [ "$tries" -ge 50 ]; then
                echo "demo: could not remove the sandbox's cgroup $top" >&2
                break
            fi
            sleep 0.1
        done
    done
    # v2: the controllers this script enabled at the top go off again
    # (unless something else has come to use them meanwhile).
    for c in $enabled_at_root; do
        echo "-$c" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
    done
    groups='' enabled_at_root=''
}

# The sandbox's cgroup. $groups lists what was made, for remove_cgroups and
# the next stage (NSLAB_DEMO_GROUPS); NSLAB_DEMO_CG tells the last stage what
# to mount: "2" (v2), or "1" and each hierarchy's MOUNT-POINT:OPTIONS (v1).
make_cgroups() {
    if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
        top=/sys/fs/cgroup/nslab-demo-$$
        for c in memory pids cpu; do
            if grep -qw "$c" /sys/fs/cgroup/cgroup.controllers &&
                ! grep -qw "$c" /sys/fs/cgroup/cgroup.subtree_control; then
                echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control && enabled_at_root="$enabled_at_root $c"
            fi
        done
        mkdir "$top" || return 1
        groups=$top
        mkdir "$top/sandbox" || return 1
        echo 1000 >"$top/pids.max"   # a safety net under any fork bomb
        NSLAB_DEMO_CG=2
    else
        mounts=$(v1_hierarchies)
        [ -n "$mounts" ] || { echo "demo: no cgroup hierarchy of memory, pids or cpu here" >&2; return 1; }
        for m in $mounts; do
            # Below this shell's own group in that hierarchy ("N:CONTROLLERS:/PATH").
            own=$(awk -F: -v c="${m#*:}" '$2 == c { sub(/^[^:]*:[^:]*:/, ""); print }' /proc/self/cgroup)
            [ "$own" = / ] && own=''
            dir=${m%%:*}$own/nslab-demo-$$
            mkdir "$dir" || return 1
            groups="$groups $dir"
            case ,${m#*:}, in *,pids,*) echo 1000 >"$dir/pids.max" ;; esac
        done
        NSLAB_DEMO_CG="1 $(echo "$mounts" | tr '\n' ' ')"
    fi
    NSLAB_DEMO_GROUPS=$groups
    export NSLAB_DEMO_CG NSLAB_DEMO_GROUPS
}

case ${NSLAB_DEMO_SANDBOX:-} in
'')
    mkdir -p build/demo
    # The lab's reference solution, and every earlier one the script runs too.
    for src in solutions/[0-9][0-9]_*.c; do
        other=$(basename "$src" .c)
        if [ "$other" = "$name" ] || grep -q "^\$ .*$other" "$script"; then
            sh harness/compile-lab.sh "$src" "build/demo/$other" "$other" || exit 2
        fi
    done
    # Lab 10 on: the root filesystem, and the helper if the demo runs it.
    if [ "$nn" -ge 10 ]; then
        sh rootfs-builder/build.sh >/dev/null || exit 2
        if grep -q '^\$ .*chroot-escape' "$script"; then
            chroot_escape_source | "${CC:-cc}" -std=gnu11 -Wall -Werror -O2 -static -x c -o build/demo/chroot-escape - ||
                exit 2
        fi
    fi
    [ "$nn" -lt 7 ] && enter_sandbox
    groups='' enabled_at_root=''
    trap remove_cgroups EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    make_cgroups || { echo "demo: cannot make a cgroup for the sandbox" >&2; exit 2; }
    # In the background, so that a signal's trap runs at once, not when the
    # sandbox has ended; with our stdin (an asynchronous command's would be
    # /dev/null), for the Enter that runs each command.
    exec 3<&0
    NSLAB_DEMO_SANDBOX=enter sh "$0" "$nn" <&3 3<&- &
    wait $!
    exit
    ;;
enter)
    for dir in $NSLAB_DEMO_GROUPS; do
        echo $$ >"$dir/cgroup.procs" || exit 2
    done
    exec env NSLAB_DEMO_SANDBOX=cgroupns unshare --cgroup sh "$0" "$nn"
    ;;
cgroupns)
    # v2: no process may stay in a group that enables controllers for its
    # children, so the sandbox's own go to the leaf.
    if [ "$NSLAB_DEMO_CG" = 2 ]; then
        top=$NSLAB_DEMO_GROUPS
        echo $$ >"$top/sandbox/cgroup.procs" || exit 2
        enable=''
        for c in memory pids cpu; do
            grep -qw "$c" "$top/cgroup.controllers" && enable="$enable +$c"
        done
        [ -z "$enable" ] || echo "$enable" >"$top/cgroup.subtree_control" || exit 2
    fi
    enter_sandbox
    ;;
esac

# Inside: the sandbox's own /sys/fs/cgroup, as in the test world (a cgroup
# filesystem mounted in a cgroup namespace shows only the namespace's
# subtree); on v1 a tmpfs, made read-only, holds the hierarchies, with links
# "cpu" and "cpuacct" where those two share one.
if [ -n "${NSLAB_DEMO_CG:-}" ]; then
    if [ "$NSLAB_DEMO_CG" = 2 ]; then
        # (Not straight onto the machine's cgroup2 mount: the kernel refuses
        # the same filesystem twice on one mount point. Over a tmpfs, then.)
        { mount -t tmpfs -o mode=755,size=64k,nosuid,nodev,noexec nslab-demo /sys/fs/cgroup &&
            mount -t cgroup2 -o nosuid,nodev,noexec nslab-demo /sys/fs/cgroup; } || exit 2
    else
        mount -t tmpfs -o mode=755,size=64k,nosuid,nodev,noexec nslab-demo /sys/fs/cgroup || exit 2
        for m in ${NSLAB_DEMO_CG#1 }; do
            h=${m%%:*}
            h=${h##*/}   # memory, cpu,cpuacct...
            { mkdir "/sys/fs/cgroup/$h" && mount -t cgroup -o "${m#*:},nosuid,nodev,noexec" cgroup "/sys/fs/cgroup/$h"; } ||
                exit 2
            case $h in
                *,*) for w in $(echo "$h" | tr , ' '); do ln -s "$h" "/sys/fs/cgroup/$w" || exit 2; done ;;
            esac
        done
        mount -o remount,bind,ro /sys/fs/cgroup || exit 2
    fi
    unset NSLAB_DEMO_CG NSLAB_DEMO_GROUPS
fi

# Lab 10 on: the container's root, a fresh copy on the sandbox's own /mnt.
if [ "$nn" -ge 10 ]; then
    case $(pwd)/ in
        /mnt/*) echo "demo: the kit is under /mnt, where demo $nn puts the container's root: move it" >&2; exit 2 ;;
    esac
    if ! { mount -t tmpfs -o mode=755,size=64m,nodev nslab-demo /mnt && cp -a build/rootfs /mnt/rootfs &&
        rm -f /mnt/rootfs/.nslab-rootfs &&
        { [ ! -f build/demo/chroot-escape ] || cp build/demo/chroot-escape /mnt/rootfs/bin/; } &&
        chown -R 100000:100000 /mnt/rootfs; }; then
        echo "demo: cannot copy build/rootfs to /mnt/rootfs" >&2
        exit 2
    fi
fi

bold='' plain='' cyan=''
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
    bold=$(printf '\033[1m') plain=$(printf '\033[0m') cyan=$(printf '\033[36m')
fi
interactive=0
[ -t 0 ] && [ -z "${DEMO_FAST:-}" ] && interactive=1

PATH="$(pwd)/build/demo:$PATH"
export PATH
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
