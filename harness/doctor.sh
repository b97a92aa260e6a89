#!/usr/bin/env bash
# make doctor: what this machine can and cannot run, lab by lab, with the
# fix for each missing piece. It only looks: every probe runs in a
# short-lived unshare(1) child that changes nothing, and nothing is left.
# Exit 0 when every lab can run here, 1 otherwise.
set -u

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
    GREEN=$'\033[32m' RED=$'\033[31m' YELLOW=$'\033[33m' BOLD=$'\033[1m' PLAIN=$'\033[0m'
else
    GREEN='' RED='' YELLOW='' BOLD='' PLAIN=''
fi

MISSING_PACKAGES=()
declare -A NS_ROOT NS_USER NS_WHY

ok() { printf '  %-34s %sok%s      %s\n' "$1" "$GREEN" "$PLAIN" "${2:-}"; }
no() { printf '  %-34s %sNO%s      %s\n' "$1" "$RED" "$PLAIN" "${2:-}"; }
missing() { printf '  %-34s %sMISSING%s %s\n' "$1" "$YELLOW" "$PLAIN" "${2:-}"; }
section() { printf '\n%s%s%s\n' "$BOLD" "$1" "$PLAIN"; }

need_package() {
    local p
    for p in "${MISSING_PACKAGES[@]}"; do [ "$p" = "$1" ] && return; done
    MISSING_PACKAGES+=("$1")
}

read_sysctl() { cat "/proc/sys/$1" 2>/dev/null || echo unset; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# ---- the machine ---------------------------------------------------------

machine() {
    local distro="unknown" seccomp
    [ -r /etc/os-release ] && distro=$(. /etc/os-release && echo "${PRETTY_NAME:-$ID}")
    section "Machine"
    ok "kernel" "$(uname -r) ($(uname -m))"
    ok "distribution" "$distro"
    if is_root; then ok "user" "root"; else no "user" "$(id -un): grading needs root (sudo make lab01)"; fi
    if [ -e /.dockerenv ] || [ -e /run/.containerenv ]; then
        ok "container" "inside one: if namespaces fail below, run it with --privileged"
    else
        ok "container" "not inside one"
    fi
    seccomp=$(awk '/^Seccomp:/ {print $2}' /proc/self/status)
    if [ "${seccomp:-0}" = 2 ]; then
        no "seccomp filter" "a filter is active (Docker's default profile blocks namespaces): --security-opt seccomp=unconfined"
    else
        ok "seccomp filter" "none"
    fi
}

# ---- namespaces ------------------------------------------------------------

unshare_flag() {
    case $1 in
        uts) echo --uts ;; ipc) echo --ipc ;; pid) echo "--pid --fork" ;; mnt) echo --mount ;;
        net) echo --net ;; user) echo --user ;; cgroup) echo --cgroup ;; time) echo --time ;;
    esac
}

# try_ns TYPE AS: can a TYPE namespace be made, as root or as an unprivileged user?
try_ns() {
    local flags
    flags=$(unshare_flag "$1")
    if [ "$2" = root ]; then
        # shellcheck disable=SC2086 # the flags are words
        timeout 5 unshare $flags true 2>/dev/null
    elif is_root; then
        # shellcheck disable=SC2086
        timeout 5 setpriv --reuid=65534 --regid=65534 --clear-groups unshare --user --map-root-user $flags true 2>/dev/null
    else
        # shellcheck disable=SC2086
        timeout 5 unshare --user --map-root-user $flags true 2>/dev/null
    fi
}

why_not() {
    if [ ! -e "/proc/self/ns/$1" ]; then
        echo "the kernel has no $1 namespaces (time needs Linux 5.6+ with CONFIG_TIME_NS)"
    elif [ "$(awk '/^Seccomp:/ {print $2}' /proc/self/status)" = 2 ]; then
        echo "a seccomp filter blocks it: docker run --security-opt seccomp=unconfined (or --privileged)"
    elif [ "$2" = user ] && [ "$(read_sysctl kernel/apparmor_restrict_unprivileged_userns)" = 1 ]; then
        echo "AppArmor restricts unprivileged user namespaces: sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0"
    elif [ "$2" = user ] && [ "$(read_sysctl user/max_user_namespaces)" = 0 ]; then
        echo "user namespaces are off: sudo sysctl user.max_user_namespaces=15000"
    elif [ "$2" = user ] && [ "$(read_sysctl kernel/unprivileged_userns_clone)" = 0 ]; then
        echo "unprivileged user namespaces are off: sudo sysctl kernel.unprivileged_userns_clone=1"
    elif [ "$2" = root ] && ! is_root; then
        echo "needs root: sudo make doctor"
    else
        echo "unshare failed (see unshare(1) and namespaces(7))"
    fi
}

namespaces() {
    local t
    section "Namespaces (made here as root / as an unprivileged user)"
    if ! command -v unshare >/dev/null 2>&1; then
        missing "unshare" "cannot test: apt-get install util-linux"
        need_package util-linux
        return
    fi
    for t in uts ipc pid mnt net user cgroup time; do
        NS_ROOT[$t]=no NS_USER[$t]=no NS_WHY[$t]=""
        if is_root && try_ns "$t" root; then NS_ROOT[$t]=ok; fi
        if try_ns "$t" user; then NS_USER[$t]=ok; fi
        if [ "${NS_ROOT[$t]}" = ok ] && [ "${NS_USER[$t]}" = ok ]; then
            ok "$t" "root: ok   unprivileged: ok"
        elif [ "${NS_ROOT[$t]}" = ok ]; then
            NS_WHY[$t]=$(why_not "$t" user)
            ok "$t" "root: ok   unprivileged: no (${NS_WHY[$t]})"
        else
            NS_WHY[$t]=$(why_not "$t" root)
            if [ "${NS_USER[$t]}" = ok ]; then
                ok "$t" "root: no (${NS_WHY[$t]})   unprivileged: ok"
            else
                no "$t" "${NS_WHY[$t]}"
            fi
        fi
    done
}

# ---- cgroups ------------------------------------------------------------------

CGROUP_CONTROLLERS=""

cgroups() {
    local c
    section "cgroups"
    if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
        CGROUP_CONTROLLERS=$(cat /sys/fs/cgroup/cgroup.controllers)
        ok "version" "v2 (unified), controllers: $CGROUP_CONTROLLERS"
    elif [ -d /sys/fs/cgroup/memory ] || [ -d /sys/fs/cgroup/pids ]; then
        for c in memory pids cpu; do
            [ -d "/sys/fs/cgroup/$c" ] && CGROUP_CONTROLLERS="$CGROUP_CONTROLLERS $c"
        done
        if [ -d /sys/fs/cgroup/unified ]; then
            ok "version" "v1 hybrid (v1 controllers, cgroup2 at /sys/fs/cgroup/unified)"
        else
            ok "version" "v1"
        fi
        ok "controllers (v1)" "${CGROUP_CONTROLLERS# }"
    else
        no "version" "no cgroup filesystem mounted on /sys/fs/cgroup"
    fi
}

has_controller() { case " $CGROUP_CONTROLLERS " in *" $1 "*) return 0 ;; esac; return 1; }

# ---- tools and packages ------------------------------------------------------------

declare -A HAVE

tool() { # tool NAME PACKAGE [VERSION-COMMAND]
    if command -v "$1" >/dev/null 2>&1; then
        HAVE[$1]=1
        ok "$1" "$(${3:-true} 2>/dev/null | head -n 1)"
    else
        HAVE[$1]=0
        missing "$1" "apt-get install $2"
        need_package "$2"
    fi
}

library() { # library PKG-CONFIG-NAME PACKAGE
    if pkg-config --exists "$1" 2>/dev/null; then
        HAVE[$1]=1
        ok "$1" "$(pkg-config --modversion "$1")"
    else
        HAVE[$1]=0
        missing "$1" "apt-get install $2"
        need_package "$2"
    fi
}

tools() {
    section "Tools and libraries"
    tool cc gcc "cc --version"
    tool make make "make --version"
    tool pkg-config pkg-config "pkg-config --version"
    tool unifdef unifdef
    library check check
    library libcap libcap-dev
    library json-c libjson-c-dev
    library libxml-2.0 libxml2-dev
    library libseccomp libseccomp-dev
    library libnl-route-3.0 libnl-route-3-dev
    tool busybox busybox-static
    tool ipcs util-linux
    tool ipcmk util-linux
    tool unshare util-linux
    tool nsenter util-linux
    tool findmnt util-linux
    tool hostname hostname
    tool ps procps
    tool ip iproute2
    tool cppcheck cppcheck "cppcheck --version"
    tool shellcheck shellcheck
    tool pandoc pandoc
    tool hyperfine hyperfine
}

# ---- per lab ---------------------------------------------------------------------------

CAN_RUN=0

lab() { # lab NAME REASON... (no reasons: it can run)
    local name=$1
    shift
    if [ $# -eq 0 ]; then
        ok "$name" "can run here"
        CAN_RUN=$((CAN_RUN + 1))
    else
        local text
        text=$(printf '%s; ' "$@")
        no "$name" "${text%; }"
    fi
}

ns_reason() { # the reason a namespace cannot be made as root, or nothing
    is_root || return 0   # unknown without root; "needs root" is said once
    [ "${NS_ROOT[$1]:-no}" = ok ] || echo "no $1 namespace: ${NS_WHY[$1]:-unknown}"
}

build_reasons() {
    [ "${HAVE[cc]:-0}" = 1 ] || echo "no C compiler: apt-get install gcc"
    [ "${HAVE[check]:-0}" = 1 ] || echo "no Check: apt-get install check"
    [ "${HAVE[libcap]:-0}" = 1 ] || echo "no libcap: apt-get install libcap-dev"
    [ "${HAVE[json-c]:-0}" = 1 ] || echo "no json-c: apt-get install libjson-c-dev"
    is_root || echo "grading needs root: sudo make labNN"
}

labs() {
    local r=() line
    section "Labs"
    mapfile -t base < <(build_reasons)
    collect() { r=("${base[@]}"); for line in "$@"; do [ -n "$line" ] && r+=("$line"); done; }

    collect "$(ns_reason uts)"
    lab 01_clone_uts "${r[@]}"
    collect "$(ns_reason uts)" "$(ns_reason ipc)"
    lab 02_ipc "${r[@]}"
    collect "$(ns_reason ipc)" "$(ns_reason pid)"
    lab 03_pid "${r[@]}"
    collect "$(ns_reason pid)" "$(ns_reason mnt)"
    lab 04_mount_proc "${r[@]}"
    collect "$(ns_reason mnt)" "$(ns_reason net)" \
        "$([ "${HAVE[libnl-route-3.0]:-0}" = 1 ] || echo "no libnl: apt-get install libnl-route-3-dev")" \
        "$([ "${HAVE[ip]:-0}" = 1 ] || echo "no ip: apt-get install iproute2")"
    lab 05_net_veth "${r[@]}"
    collect "$(ns_reason net)" "$(ns_reason user)"
    lab 06_userns_map "${r[@]}"
    collect "$(ns_reason user)" \
        "$(for c in memory pids cpu; do has_controller "$c" || printf 'no %s cgroup controller ' "$c"; done)"
    lab 07_cgroup "${r[@]}"
    collect "$(ns_reason user)"
    lab 08_caps "${r[@]}"
    collect "$(ns_reason user)" "$(ns_reason time)"
    lab 09_timens "${r[@]}"
    collect "$(ns_reason time)" \
        "$([ "${HAVE[libseccomp]:-0}" = 1 ] || echo "no libseccomp: apt-get install libseccomp-dev")" \
        "$([ "${HAVE[busybox]:-0}" = 1 ] || echo "no busybox for the rootfs: apt-get install busybox-static")"
    lab 10_full_container "${r[@]}"
}

machine
namespaces
cgroups
tools
labs

printf '\n%sdoctor: %d of 10 labs can run here%s\n' "$BOLD" "$CAN_RUN" "$PLAIN"
if [ ${#MISSING_PACKAGES[@]} -gt 0 ]; then
    echo "to install what is missing: sudo apt-get install -y ${MISSING_PACKAGES[*]}"
fi
[ "$CAN_RUN" -eq 10 ]
