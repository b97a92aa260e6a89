#!/bin/sh
# Run a command on a pure cgroup v2 machine: a throw-away QEMU guest that
# boots Debian's stock kernel on this machine's own root filesystem
# (harness/vm.sh, the VM the grader uses where namespaces are forbidden).
#
#   sh harness/tests/qemu_v2.sh CMD...
#
# CMD (its words joined by spaces, as ssh does) runs with sh -c, as root, in
# the kit's root directory inside the guest; its stdout is this script's
# stdout and its stderr this script's stderr, and nothing else is. The guest
# sees this machine's / read-only through 9p, under a tmpfs overlay that
# makes every path writable and throws all writes away at power-off (build/
# included: let CMD print what matters). Inside: cgroup2 alone on
# /sys/fs/cgroup (cgroup_no_v1=all; memory, pids and cpu available), every
# mount shared (as on a systemd host), fresh /proc, /sys, /dev, /tmp and
# /run, hostname nslab-v2, loopback up, kernel modules loaded on demand, no
# other network; stdin is /dev/null; a fresh environment plus the caller's
# NSLAB_* variables (harness/vm.sh says all of it).
#
# Exit status: CMD's own; 77 with "SKIP: why" on stderr when QEMU or the
# kernel cannot be had; 124 with one line on stderr when the time limit
# passed (qemu is killed); 125 when the guest never reported (the end of its
# console is shown on stderr); 2 for a usage error. Temporary files and
# QEMU go with it, however it ends.
#
# What it needs is fetched on first use (as root, from Debian's mirrors:
# qemu-system-x86, the kernel into build/qemu, busybox-static; vm.sh --fetch,
# which make vm runs). KVM when /dev/kvm is backed by hardware
# virtualization, TCG otherwise.
#
# Environment (vm.sh's): NSLAB_QEMU_TIMEOUT (seconds, default 300),
# NSLAB_QEMU_MEM, NSLAB_QEMU_CPUS, NSLAB_QEMU_ACCEL (kvm or tcg),
# NSLAB_QEMU_CACHE, NSLAB_QEMU_VERBOSE (1: the console and the timings on
# stderr); under TCG, NSLAB_JOBS defaults to the guest's CPUs, NSLAB_TIMEOUT
# to 6 and NSLAB_COMPILE_TIMEOUT to 120.
set -u
cd "$(dirname "$0")/../.." || exit 2
if [ $# -eq 0 ]; then
    echo "usage: sh harness/tests/qemu_v2.sh CMD... (runs CMD in a cgroup v2 QEMU guest)" >&2
    exit 2
fi
exec sh harness/vm.sh --fetch --hostname nslab-v2 -- "$@"
