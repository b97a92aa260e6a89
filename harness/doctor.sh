#!/usr/bin/env bash
# make doctor: what this machine can and cannot grade, lab by lab, with the
# fix for each missing piece.
#
#   bash harness/doctor.sh          as root or not; NO_COLOR=1 turns colour off
#
# The verdict of each lab is the grader's own: `nslab-check doctor` checks
# what the grader checks before a run (the namespaces, kernel and tools the
# kit's list of labs names) and makes one real test world here, in the mode
# grading would use (as root, or rootless), so the two cannot disagree. What
# stays here is what a script sees best: the packages the kit installs, and
# the kernel's settings that decide whether a user may make namespaces at all.
# It only looks: nothing is installed, and the one world it makes goes.
#
# Where no test world can be made, it says that the grader will grade in a
# VM (harness/vm.sh), and whether the VM is ready (make vm).
#
# Exit status: 0 when every ready lab can be graded here (or, where no world
# can be made, in the VM, once it is ready), 1 otherwise.
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 2

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
    GREEN=$'\e[32m' RED=$'\e[31m' YELLOW=$'\e[33m' BOLD=$'\e[1m' OFF=$'\e[0m'
else
    GREEN='' RED='' YELLOW='' BOLD='' OFF=''
fi
section() { printf '\n%s%s%s\n' "$BOLD" "$1" "$OFF"; }
# row NAME TEXT: one aligned line of a section.
row() { printf '  %-28s %s\n' "$1" "$2"; }

IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1
SUDO='sudo '
[ "$IS_ROOT" = 1 ] && SUDO=''
FIXES=()
fix() {
    local f
    for f in "${FIXES[@]}"; do [ "$f" = "$1" ] && return 0; done
    FIXES+=("$1")
}

sysctl_value() { cat "/proc/sys/$1" 2>/dev/null; }   # empty when absent
status_field() { sed -n "s/^$1:[[:space:]]*//p" /proc/self/status; }

# ---- the machine and its kernel ---------------------------------------------

container_kind() {
    if [ -e /.dockerenv ]; then echo "docker (/.dockerenv)"
    elif [ -e /run/.containerenv ]; then echo "podman (/run/.containerenv)"
    elif [ -s /run/systemd/container ]; then echo "$(cat /run/systemd/container) (/run/systemd/container)"
    elif grep -qE '/(docker|lxc|kubepods|containerd|libpod|actions_job)' /proc/1/cgroup 2>/dev/null; then
        echo "yes (/proc/1/cgroup)"
    fi
}

cgroup_layout() {
    local fstype
    fstype=$(awk '$5 == "/sys/fs/cgroup" { for (i = 7; $i != "-"; i++) ; print $(i + 1) }' /proc/self/mountinfo)
    case $fstype in
        cgroup2) echo "v2 (cgroup2 on /sys/fs/cgroup)" ;;
        tmpfs) if grep -q ' /sys/fs/cgroup/unified ' /proc/self/mountinfo; then echo "v1, hybrid (cgroup2 on /sys/fs/cgroup/unified)"
               else echo "v1"; fi ;;
        '') echo "none mounted on /sys/fs/cgroup" ;;
        *) echo "$fstype on /sys/fs/cgroup" ;;
    esac
}

report_machine() {
    local name='' who map
    [ -r /etc/os-release ] && name=$(sed -n 's/^PRETTY_NAME=//p' /etc/os-release | tr -d '"')
    section "This machine"
    row "distribution" "${name:-unknown (no /etc/os-release)}"
    row "kernel" "$(uname -r) ($(uname -m))"
    who="$(id -un 2>/dev/null || id -u)"
    read -r map < /proc/self/uid_map
    if [ "$IS_ROOT" = 1 ] && [ "$(echo "$map" | tr -s ' ')" != "0 0 4294967295" ]; then
        who="$who, root of a user namespace (uid_map: $map): graded as without root"
    fi
    row "you" "$who"
    [ -n "$(container_kind)" ] && row "in a container" "$(container_kind)"
    row "cgroups" "$(cgroup_layout)"
}

# The kernel's switches for user namespaces, the test world's base: each one
# that is off, and how to turn it on.
report_kernel() {
    local v seccomp
    section "User namespaces (the test world is one)"
    v=$(sysctl_value user/max_user_namespaces)
    row "user.max_user_namespaces" "${v:-absent}"
    if [ "$v" = 0 ]; then fix "${SUDO}sysctl -w user.max_user_namespaces=15000"; fi
    v=$(sysctl_value kernel/unprivileged_userns_clone)
    if [ -n "$v" ]; then
        row "kernel.unprivileged_userns_clone" "$v$([ "$v" = 0 ] && echo " (users may not: grading needs sudo)")"
        [ "$v" = 0 ] && [ "$IS_ROOT" = 0 ] &&
            fix "${SUDO}sysctl -w kernel.unprivileged_userns_clone=1 (to grade without sudo)"
    fi
    v=$(sysctl_value kernel/apparmor_restrict_unprivileged_userns)
    if [ -n "$v" ]; then
        row "kernel.apparmor_restrict_unprivileged_userns" "$v$([ "$v" = 1 ] && echo " (Ubuntu: a user's namespaces lack capabilities)")"
        [ "$v" = 1 ] && fix "${SUDO}sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (to grade without sudo)"
    fi
    seccomp=$(status_field Seccomp)
    if [ "${seccomp:-0}" != 0 ]; then
        row "seccomp" "a filter is on this shell (a container's profile may refuse namespaces)"
        [ -n "$(container_kind)" ] && fix "run the container with --security-opt seccomp=unconfined (or --privileged)"
    fi
    return 0
}

# ---- packages ---------------------------------------------------------------

MISSING=''
report_packages() {
    section "Packages (the kit installs them: sudo make setup)"
    MISSING=$(sh harness/setup.sh --missing core 2>/dev/null)
    if [ -z "$MISSING" ]; then
        row "every package" "${GREEN}installed${OFF}"
    else
        row "missing" "${YELLOW}$MISSING${OFF}"
    fi
}

# ---- the labs: the grader's own answer ----------------------------------------

READY=0 CAN=0
report_labs() {
    local out
    section "Labs (what the grader itself decides here)"
    # The harness and the probe, built quietly if the compiler and the
    # libraries are here; without them, nothing can be graded yet.
    if ! make -s build/nslab-check build/nslab-probe rootfs-quiet >/dev/null 2>&1; then
        row "every lab" "${RED}NO${OFF}  the harness does not build here: install the missing packages (above)"
        return
    fi
    out=$(build/nslab-check doctor)
    printf '%s\n' "$out" | sed -e "s/ ok   / ${GREEN}ok${OFF}   /" -e "s/ NO   / ${RED}NO${OFF}   /" \
        -e '/^doctor:/d' -e 's/^The test world/  The test world/' -e 's/^Its root is/  Its root is/'
    READY=$(build/nslab-check list | wc -l)
    CAN=$(printf '%s\n' "$out" | grep -c '^  [0-9][0-9]_[a-z_0-9]* *ok ')
}

# Where no test world can be made (Docker's default seccomp profile, as on
# Gradescope; user namespaces off), the grader grades in a small VM instead
# (harness/vm.sh, grading/vm.c): whether it will, and whether it can.
VM_USED=0 VM_READY=0 VM_ACCEL=''
report_vm() {
    local world status accel kernel qemu minutes
    [ -x build/nslab-check ] || return 0
    section "Grading in a VM (where no test world can be made)"
    world=$(build/nslab-check doctor --world 2>/dev/null)
    status=$(sh harness/vm.sh --status 2>/dev/null) && VM_READY=1
    accel=$(printf '%s\n' "$status" | sed -n 's/^accel=//p')
    kernel=$(printf '%s\n' "$status" | sed -n 's/^kernel=//p')
    qemu=$(printf '%s\n' "$status" | sed -n 's/^qemu=//p')
    if [ "$accel" = kvm ]; then VM_ACCEL=KVM minutes="under a minute"; else VM_ACCEL=TCG minutes="about 1-2 min"; fi
    if [ "$world" = ok ] && [ "${NSLAB_VM:-}" != always ]; then
        row "used" "no: test worlds can be made here"
    elif [ "${NSLAB_VM:-}" = no ]; then
        row "used" "${YELLOW}no${OFF} (NSLAB_VM=no): no test world here (${world:-?}), every check will be ENV"
    else
        VM_USED=1
        row "used" "${YELLOW}yes${OFF}: no test world can be made here (${world:-?}): grading will boot a VM (QEMU, $VM_ACCEL: $minutes a lab)"
    fi
    row "QEMU" "$([ "$qemu" = missing ] && echo "${RED}missing${OFF} (make vm)" || echo "$qemu ($VM_ACCEL)")"
    row "kernel" "$([ "$kernel" = missing ] && echo "${RED}missing${OFF} (make vm)" ||
        echo "installed: $kernel ($(printf '%s\n' "$status" | sed -n 's/^cache=//p'))")"
    if [ "$VM_USED" = 1 ] && [ "$VM_READY" = 0 ]; then
        fix "${SUDO}make vm (QEMU and a kernel for grading in a VM; needs the network once)"
    fi
}

# The fixes first; the last lines are the verdict and the one install line,
# so that `make doctor | tail -n 2` says it all.
report_summary() {
    local f install="sudo apt-get install -y"
    [ "$IS_ROOT" = 1 ] && install="apt-get install -y"
    [ "${#FIXES[@]}" -gt 0 ] && echo
    for f in "${FIXES[@]}"; do echo "fix: $f"; done
    if [ "$VM_USED" = 1 ]; then
        printf '\n%sdoctor: no test world here: %s%s\n' "$BOLD" \
            "$([ "$VM_READY" = 1 ] && echo "every lab will be graded in a VM (QEMU, $VM_ACCEL)" ||
                echo "grading needs a VM, which is not ready (make vm)")" "$OFF"
    else
        printf '\n%sdoctor: %d of %d labs can be graded here%s%s\n' "$BOLD" "$CAN" "$READY" \
            "$([ "$IS_ROOT" = 1 ] && echo " (as root)" || echo " (without root; sudo make labNN grades as root)")" "$OFF"
    fi
    [ -z "$MISSING" ] || echo "$install $MISSING"
}

report_machine
report_kernel
report_packages
report_labs
report_vm
report_summary
[ "$READY" -gt 0 ] && { [ "$CAN" -eq "$READY" ] || [ "$VM_USED$VM_READY" = 11 ]; }
