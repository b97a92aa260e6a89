#!/usr/bin/env bash
# make doctor: what this machine can and cannot run, lab by lab, with the fix
# for each missing piece.
#
#   bash harness/doctor.sh          as root or not; NO_COLOR=1 turns colour off
#
# It only looks. Each namespace probe is a short-lived unshare(1) child that
# runs `true` and exits, so the hostname, mounts, network, sysctls and cgroups
# of this machine stay as they were and nothing is left behind; every probe
# and every tool it asks runs under timeout(1), so the doctor cannot hang
# (and after one probe hangs, it skips the rest).
#
# Grading needs root only where users may not create user namespaces (the
# test world is one). Not root, the doctor tests namespaces as you, and says
# for each lab whether it runs without root or needs `sudo make labNN`.
#
# Exit status: 0 when every lab can run here, 1 otherwise.
set -u
export LC_ALL=C                 # English messages from the tools: why() reads them

# The labs, from the kit's one list of them.
mapfile -t LABS < <(awk -F'\t' '/^[0-9]/ { print $2 }' "$(dirname "$0")/../grading/labs.tsv")
NS_TYPES=(uts ipc pid mnt net user cgroup time)
TEST_WORLD_NS=(user uts ipc mnt net pid cgroup)   # CLONE_NEW* flags of the test world (world.c)

# ---- output ------------------------------------------------------------------

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
    GREEN=$'\e[32m' RED=$'\e[31m' YELLOW=$'\e[33m' BOLD=$'\e[1m' OFF=$'\e[0m'
else
    GREEN='' RED='' YELLOW='' BOLD='' OFF=''
fi

# paint MARKER WIDTH: the marker padded to WIDTH, in its colour.
paint() {
    local colour=''
    case $1 in
        ok) colour=$GREEN ;;
        NO) colour=$RED ;;
        MISSING) colour=$YELLOW ;;
    esac
    printf '%s%-*s%s' "$colour" "$2" "$1" "$OFF"
}

section() { printf '\n%s%s%s\n' "$BOLD" "$1" "$OFF"; }

# row NAME MARKER TEXT [MORE...]: one aligned line, MORE on lines below TEXT.
row() {
    local name=$1 marker=$2 text=$3 more
    shift 3
    printf '  %-18s %s  %s\n' "$name" "$(paint "$marker" 7)" "$text"
    for more in "$@"; do printf '  %-18s %-7s  %s\n' '' '' "$more"; done
}

MISSING_PACKAGES=()
need_package() {
    local p
    for p in "${MISSING_PACKAGES[@]}"; do [ "$p" = "$1" ] && return 0; done
    MISSING_PACKAGES+=("$1")
}

# add_fix LIST FIX: add FIX to the array named LIST, once. The fixes that
# are not packages: said under their section, and again at the end.
add_fix() {
    local -n list=$1
    local f
    for f in "${list[@]}"; do [ "$f" = "$2" ] && return 0; done
    list+=("$2")
}

# ---- the machine ---------------------------------------------------------------

IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1
SUDO=''
[ "$IS_ROOT" = 1 ] || SUDO='sudo '

sysctl_value() { cat "/proc/sys/$1" 2>/dev/null; }      # empty when absent

status_field() { sed -n "s/^$1:[[:space:]]*//p" /proc/self/status; }

SECCOMP=$(status_field Seccomp)         # 0 none, 1 strict, 2 filter
CAP_EFF=$((16#$(status_field CapEff) + 0))
CAP_BND=$((16#$(status_field CapBnd) + 0))
CAP_SETPCAP=8 CAP_SYS_ADMIN=21

has_cap() { (( ($1 >> $2) & 1 )); }     # has_cap MASK BIT

KERNEL=$(uname -r)
IFS=.- read -r KMAJ KMIN _ <<<"$KERNEL"
KMAJ=${KMAJ//[!0-9]/} KMIN=${KMIN//[!0-9]/}
kernel_at_least() { (( ${KMAJ:-0} > $1 || (${KMAJ:-0} == $1 && ${KMIN:-0} >= $2) )); }

distribution() {
    local name=''
    [ -r /etc/os-release ] && name=$(sed -n 's/^PRETTY_NAME=//p' /etc/os-release | tr -d '"')
    echo "${name:-unknown (no /etc/os-release)}"
}

# Root of the initial user namespace, or root of a user namespace inside it
# (rootless podman, LXD unprivileged): uid_map is not the identity.
in_child_userns() {
    local inside outside count
    read -r inside outside count </proc/self/uid_map 2>/dev/null || return 1
    [ "$inside $outside $count" != "0 0 4294967295" ]
}

container_kind() {
    if [ -e /.dockerenv ]; then
        echo "docker (/.dockerenv)"
    elif [ -e /run/.containerenv ]; then
        echo "podman (/run/.containerenv)"
    elif [ -s /run/systemd/container ]; then
        echo "$(cat /run/systemd/container) (/run/systemd/container)"
    elif grep -qE '/(docker|lxc|kubepods|containerd|libpod|actions_job)' /proc/1/cgroup 2>/dev/null; then
        echo "yes (/proc/1/cgroup)"
    fi
}

# ---- mounts: the root filesystem and the cgroup hierarchies ---------------------

ROOT_FSTYPE=''
CG_FSTYPE=''                    # what is mounted on /sys/fs/cgroup
CG_RW=0
CG_UNIFIED=0                    # cgroup2 on /sys/fs/cgroup/unified (hybrid)
declare -A V1_MOUNT V1_RW       # controller -> mount point, read-write?

read_mounts() {
    local line f i sep fstype point opts rw c
    while IFS= read -r line; do
        read -r -a f <<<"$line"
        sep=0
        for ((i = 6; i < ${#f[@]}; i++)); do [ "${f[i]}" = - ] && { sep=$i; break; }; done
        [ "$sep" -gt 0 ] || continue
        point=${f[4]} fstype=${f[sep + 1]} opts="${f[5]},${f[sep + 3]}"
        rw=1
        case ",$opts," in *,ro,*) rw=0 ;; esac
        case $point in
            /) ROOT_FSTYPE=$fstype ;;
            /sys/fs/cgroup) CG_FSTYPE=$fstype CG_RW=$rw ;;
            /sys/fs/cgroup/unified) [ "$fstype" = cgroup2 ] && CG_UNIFIED=1 ;;
        esac
        if [ "$fstype" = cgroup ]; then
            for c in memory pids cpu; do
                case ",${f[sep + 3]}," in
                    *,"$c",*) V1_MOUNT[$c]=$point V1_RW[$c]=$rw ;;
                esac
            done
        fi
    done </proc/self/mountinfo
}

# /proc/cgroups: is controller $1 built into the kernel, and enabled at boot?
controller_in_kernel() { awk -v c="$1" '$1 == c { found = 1 } END { exit !found }' /proc/cgroups 2>/dev/null; }
controller_enabled() { awk -v c="$1" '$1 == c && $4 == 1 { found = 1 } END { exit !found }' /proc/cgroups 2>/dev/null; }

CG_VERSION=''
declare -A CG_OK CG_WHY CG_NOTE  # controller -> ok/NO, why not, what is there
CG_FIXES=()

# cg_no CONTROLLER WHY FIX: lab 07 cannot use CONTROLLER here.
cg_no() {
    CG_OK[$1]=NO CG_WHY[$1]=$2
    add_fix CG_FIXES "$3"
}

# judge_controller C: can a lab run as root make a cgroup with controller C
# and set its limit? The harness and lab 07 use /sys/fs/cgroup: on v2 its
# root (enabling C for the children), on v1 the hierarchy of C.
judge_controller() {
    local c=$1 avail enabled
    CG_OK[$c]=ok CG_WHY[$c]='' CG_NOTE[$c]=''
    if [ -r /proc/cgroups ] && ! controller_in_kernel "$c"; then
        cg_no "$c" "not in this kernel (CONFIG_$(controller_config "$c"))" \
            "a kernel with CONFIG_$(controller_config "$c")=y (any distribution's kernel)"
    elif [ -r /proc/cgroups ] && ! controller_enabled "$c"; then
        cg_no "$c" "disabled at boot (/proc/cgroups)" \
            "add cgroup_enable=$c to the kernel command line and reboot"
    elif [ "$CG_VERSION" = v2 ]; then
        avail=$(cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null)
        enabled=$(cat /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null)
        if ! word_in "$c" "$avail"; then
            if [ -n "$(container_kind)" ]; then
                cg_no "$c" "not in /sys/fs/cgroup/cgroup.controllers (not delegated to this container)" \
                    "docker run --privileged --cgroupns=host"
            else
                cg_no "$c" "not in /sys/fs/cgroup/cgroup.controllers (a v1 hierarchy holds it)" \
                    "boot with systemd.unified_cgroup_hierarchy=1, or unmount the v1 $c hierarchy"
            fi
        elif [ "$CG_RW" = 0 ]; then
            cg_no "$c" "/sys/fs/cgroup is read-only (a container without --privileged)" \
                "docker run --privileged"
        elif word_in "$c" "$enabled"; then
            CG_NOTE[$c]="v2, enabled for child cgroups"
        elif [ "$c" = memory ] && cgroup_v2_busy; then
            cg_no "$c" "cannot be enabled for child cgroups: /sys/fs/cgroup holds processes (no internal processes rule)" \
                "docker run --privileged --cgroupns=host"
        else
            CG_NOTE[$c]="v2, available (can be enabled for child cgroups)"
        fi
    elif [ -z "${V1_MOUNT[$c]:-}" ]; then
        cg_no "$c" "no v1 $c hierarchy is mounted" \
            "${SUDO}mkdir -p /sys/fs/cgroup/$c && ${SUDO}mount -t cgroup -o $c cgroup /sys/fs/cgroup/$c"
    elif [ "${V1_RW[$c]}" = 0 ]; then
        cg_no "$c" "${V1_MOUNT[$c]} is read-only (a container without --privileged)" \
            "docker run --privileged"
    else
        CG_NOTE[$c]="v1 at ${V1_MOUNT[$c]}"
    fi
}

# A v2 cgroup that is not the real root (it has cgroup.type) and holds
# processes cannot enable domain controllers (memory) for its children
# (EBUSY); threaded ones (pids, cpu) it can. Docker's private cgroup
# namespace on a v2 host is one: the container's processes sit in its root.
cgroup_v2_busy() {
    [ -e /sys/fs/cgroup/cgroup.type ] && [ -n "$(head -c 1 /sys/fs/cgroup/cgroup.procs 2>/dev/null)" ]
}

controller_config() {
    case $1 in memory) echo MEMCG ;; pids) echo CGROUP_PIDS ;; cpu) echo CGROUP_SCHED ;; esac
}

word_in() { case " $2 " in *" $1 "*) return 0 ;; esac; return 1; }

judge_cgroups() {
    local c
    if [ "$CG_FSTYPE" = cgroup2 ]; then
        CG_VERSION=v2
    elif [ "${#V1_MOUNT[@]}" -gt 0 ] && [ "$CG_UNIFIED" = 1 ]; then
        CG_VERSION=hybrid
    elif [ "${#V1_MOUNT[@]}" -gt 0 ]; then
        CG_VERSION=v1
    else
        CG_VERSION=none
    fi
    for c in memory pids cpu; do
        if [ "$CG_VERSION" = none ]; then
            cg_no "$c" "no cgroup filesystem on /sys/fs/cgroup" "${SUDO}mount -t cgroup2 none /sys/fs/cgroup"
        else
            judge_controller "$c"
        fi
    done
}

# ---- namespaces -------------------------------------------------------------------

HAVE_UNSHARE=0 UNSHARE_TIME=0 UTIL_LINUX=''
AS_NOBODY=''                    # how root becomes uid 65534: setpriv or runuser
PROBE_HUNG=0                    # one probe hung: skip the rest, stay fast
declare -A NS_ROOT NS_USER NS_ROOT_WHY NS_USER_WHY    # type -> ok/NO/-, reason
NS_FIXES=()

find_probe_tools() {
    if command -v unshare >/dev/null 2>&1; then
        HAVE_UNSHARE=1
        local help
        help=$(timeout -k 1 5 unshare --help 2>/dev/null)
        case $? in 124 | 137) PROBE_HUNG=1; return ;; esac    # one wait of 5 s, not four
        grep -q -- '--time' <<<"$help" && UNSHARE_TIME=1
        UTIL_LINUX=$(timeout 5 unshare --version 2>/dev/null | grep -oE '[0-9]+(\.[0-9]+)+' | head -n 1)
    fi
    if [ "$IS_ROOT" = 1 ]; then
        if command -v setpriv >/dev/null 2>&1; then AS_NOBODY=setpriv
        elif command -v runuser >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then AS_NOBODY=runuser
        fi
    fi
}

# probe MODE TYPE: make a TYPE namespace in a child that runs `true`.
# MODE root: plain unshare; MODE user: through a user namespace, as an
# unprivileged user (uid 65534 when we are root). Sets PROBE_RC, PROBE_ERR.
probe() {
    local mode=$1 type=$2 cmd=()
    if [ "$mode" = user ]; then
        if [ "$IS_ROOT" = 1 ]; then
            case $AS_NOBODY in
                setpriv) cmd+=(setpriv --reuid=65534 --regid=65534 --clear-groups) ;;
                runuser) cmd+=(runuser -u nobody --) ;;
            esac
        fi
        cmd+=(unshare --user --map-root-user)
    else
        cmd+=(unshare)
    fi
    case $type in
        pid) cmd+=(--pid --fork) ;;
        mnt) cmd+=(--mount) ;;
        user) [ "$mode" = root ] && cmd+=(--user) ;;
        *) cmd+=("--$type") ;;
    esac
    PROBE_ERR=$(timeout -k 1 5 "${cmd[@]}" true 2>&1 >/dev/null)
    PROBE_RC=$?
    if [ "$PROBE_RC" -eq 124 ] || [ "$PROBE_RC" -eq 137 ]; then PROBE_HUNG=1; fi
}

kernel_config_of() {
    case $1 in
        uts) echo UTS_NS ;; ipc) echo IPC_NS ;; pid) echo PID_NS ;; mnt) echo NAMESPACES ;;
        net) echo NET_NS ;; user) echo USER_NS ;; cgroup) echo CGROUP_NS ;; time) echo TIME_NS ;;
    esac
}

# why TYPE MODE: why the last probe failed, and the fix. Sets WHY and FIX.
why() {
    local type=$1 mode=$2 max denied=0
    max=$(sysctl_value "user/max_${type}_namespaces")
    case $PROBE_ERR in *"Operation not permitted"*) denied=1 ;; esac
    FIX=''
    if [ "$PROBE_RC" -eq 124 ] || [ "$PROBE_RC" -eq 137 ]; then
        WHY="unshare hung and was killed after 5 s"
    elif [ ! -e "/proc/self/ns/$type" ]; then
        WHY="the kernel has no $type namespaces (CONFIG_$(kernel_config_of "$type"))"
        FIX="a kernel with CONFIG_$(kernel_config_of "$type")=y"
        [ "$type" = time ] && FIX="Linux 5.6 or newer with CONFIG_TIME_NS=y"
    elif [ "$max" = 0 ]; then
        WHY="user.max_${type}_namespaces=0"
        FIX="${SUDO}sysctl -w user.max_${type}_namespaces=10000"
    elif [ "$mode" = user ] && [ "$(sysctl_value user/max_user_namespaces)" = 0 ]; then
        WHY="user.max_user_namespaces=0"
        FIX="${SUDO}sysctl -w user.max_user_namespaces=10000"
    elif [ "$mode" = user ] && [ "$(sysctl_value kernel/unprivileged_userns_clone)" = 0 ]; then
        WHY="kernel.unprivileged_userns_clone=0 (Debian's switch)"
        FIX="${SUDO}sysctl -w kernel.unprivileged_userns_clone=1 (only to run labs without sudo)"
    elif [ "$mode" = user ] && [ "$(sysctl_value kernel/apparmor_restrict_unprivileged_userns)" = 1 ]; then
        WHY="AppArmor restricts unprivileged user namespaces (Ubuntu 23.10+)"
        FIX="${SUDO}sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (only to run labs without sudo)"
    elif [ "$denied" = 1 ] && [ "$SECCOMP" = 2 ] && ! has_cap "$CAP_BND" "$CAP_SYS_ADMIN"; then
        WHY="Docker's defaults: a seccomp filter, and no CAP_SYS_ADMIN"
        FIX="docker run --privileged (or --cap-add SYS_ADMIN --security-opt seccomp=unconfined)"
    elif [ "$denied" = 1 ] && [ "$SECCOMP" = 2 ]; then
        WHY="a seccomp filter blocks it (as Docker's default profile does)"
        FIX="docker run --security-opt seccomp=unconfined (or --privileged)"
    elif [ "$denied" = 1 ] && [ "$mode" = root ] && ! has_cap "$CAP_EFF" "$CAP_SYS_ADMIN"; then
        WHY="root here has no CAP_SYS_ADMIN (a container without --privileged)"
        FIX="docker run --privileged (or --cap-add SYS_ADMIN)"
    elif [ "$mode" = user ] && [[ $PROBE_ERR == setpriv:* || $PROBE_ERR == runuser:* ]]; then
        WHY="could not become uid 65534 to test: ${PROBE_ERR%%$'\n'*}"
    else
        WHY="${PROBE_ERR%%$'\n'*}"
        WHY=${WHY:-"unshare exited with status $PROBE_RC"}
        FIX="see namespaces(7) and unshare(1)"
    fi
}

# test_namespace TYPE: probe it as root (when root) and unprivileged.
test_namespace() {
    local t=$1 mode
    NS_ROOT[$t]=- NS_USER[$t]=- NS_ROOT_WHY[$t]='' NS_USER_WHY[$t]=''
    if [ "$HAVE_UNSHARE" = 0 ]; then
        NS_ROOT_WHY[$t]="untested: no unshare (apt-get install util-linux)"
        NS_USER_WHY[$t]=${NS_ROOT_WHY[$t]}
        return
    fi
    if [ "$PROBE_HUNG" = 1 ]; then
        NS_ROOT_WHY[$t]="untested: unshare hung" NS_USER_WHY[$t]="untested: unshare hung"
        return
    fi
    if [ "$t" = time ] && [ "$UNSHARE_TIME" = 0 ]; then
        NS_ROOT_WHY[$t]="untested: unshare ${UTIL_LINUX:-?} has no --time (util-linux 2.36+)"
        NS_USER_WHY[$t]=${NS_ROOT_WHY[$t]}
        return
    fi
    for mode in root user; do
        if [ "$mode" = root ] && [ "$IS_ROOT" = 0 ]; then continue; fi
        if [ "$mode" = user ] && [ "$IS_ROOT" = 1 ] && [ -z "$AS_NOBODY" ]; then
            NS_USER_WHY[$t]="untested: no setpriv or runuser to become nobody"
            continue
        fi
        if [ "$PROBE_HUNG" = 1 ]; then
            if [ "$mode" = root ]; then NS_ROOT_WHY[$t]="untested: an earlier probe hung"
            else NS_USER_WHY[$t]="untested: an earlier probe hung"; fi
            continue
        fi
        probe "$mode" "$t"
        if [ "$PROBE_RC" -eq 0 ]; then
            if [ "$mode" = root ]; then NS_ROOT[$t]=ok; else NS_USER[$t]=ok; fi
            continue
        fi
        why "$t" "$mode"
        [ -n "$FIX" ] && add_fix NS_FIXES "$FIX"
        if [ "$mode" = root ]; then
            NS_ROOT[$t]=NO NS_ROOT_WHY[$t]=$WHY
        else
            NS_USER[$t]=NO NS_USER_WHY[$t]=$WHY
        fi
    done
}

# judge_root TYPE: can root make a TYPE namespace here? Tested when we are
# root; otherwise judged from what an unprivileged user can see. Sets
# NS_BLOCK[TYPE] to the reason root cannot, or to nothing.
declare -A NS_BLOCK
judge_root() {
    local t=$1
    NS_BLOCK[$t]=''
    case ${NS_ROOT[$t]} in
        ok) return ;;
        NO) NS_BLOCK[$t]=${NS_ROOT_WHY[$t]}; return ;;
    esac
    if [ ! -e "/proc/self/ns/$t" ]; then
        NS_BLOCK[$t]="the kernel has no $t namespaces (CONFIG_$(kernel_config_of "$t"))"
    elif [ "$(sysctl_value "user/max_${t}_namespaces")" = 0 ]; then
        NS_BLOCK[$t]="user.max_${t}_namespaces=0"
        add_fix NS_FIXES "${SUDO}sysctl -w user.max_${t}_namespaces=10000"
    elif [ "${NS_USER[$t]}" = NO ] && [[ ${NS_USER_WHY[$t]} == *seccomp* ]]; then
        NS_BLOCK[$t]=${NS_USER_WHY[$t]}     # the filter binds root too
    elif ! has_cap "$CAP_BND" "$CAP_SYS_ADMIN"; then
        NS_BLOCK[$t]="no CAP_SYS_ADMIN even for root (a container without --privileged)"
        add_fix NS_FIXES "docker run --privileged (or --cap-add SYS_ADMIN)"
    fi
}

# ---- tools and libraries -------------------------------------------------------------

declare -A HAVE                 # tool or pkg-config name -> 1/0

version_of() {
    local out
    case $1 in
        hostname) return ;;     # never run hostname(1) here: it can set the name
        unshare) echo "$UTIL_LINUX"; return ;;      # asked once already
        unifdef | ip) out=$(timeout 5 "$1" -V 2>&1) ;;
        busybox) out=$(timeout 5 busybox 2>&1 | head -n 1) ;;
        *) out=$(timeout 5 "$1" --version 2>&1 | head -n 2) ;;
    esac
    grep -oE '[0-9]+(\.[0-9]+)+' <<<"$out" | head -n 1
}

is_static() {
    local path
    path=$(command -v "$1") || return 1
    if command -v file >/dev/null 2>&1; then
        timeout 5 file -L "$path" | grep -qE 'statically linked|static-pie linked'
    else
        timeout 5 ldd "$path" 2>&1 | grep -qE 'not a dynamic executable|statically linked'
    fi
}

# tool NAME PACKAGE USED-BY
tool() {
    local name=$1 package=$2 used=$3 version
    if command -v "$name" >/dev/null 2>&1; then
        HAVE[$name]=1
        version=$(version_of "$name")
        if [ "$name" = busybox ] && ! is_static busybox; then
            HAVE[$name]=0
            row "$name" MISSING "$(printf '%-10s' "${version:--}")  dynamically linked; the rootfs needs apt-get install $package"
            need_package "$package"
            return
        fi
        row "$name" ok "$(printf '%-10s' "${version:--}")  $used"
    else
        HAVE[$name]=0
        row "$name" MISSING "$(printf '%-10s' -)  apt-get install $package, for $used"
        need_package "$package"
    fi
}

# library PKG-CONFIG-NAME PACKAGE USED-BY
library() {
    local name=$1 package=$2 used=$3
    if [ "${HAVE[pkg-config]}" = 1 ] && timeout 5 pkg-config --exists "$name" 2>/dev/null; then
        HAVE[$name]=1
        row "$name" ok "$(printf '%-10s' "$(timeout 5 pkg-config --modversion "$name")")  $used"
    elif [ "${HAVE[pkg-config]}" = 1 ]; then
        HAVE[$name]=0
        row "$name" MISSING "$(printf '%-10s' -)  apt-get install $package, for $used"
        need_package "$package"
    else
        HAVE[$name]=0
        row "$name" MISSING "$(printf '%-10s' '?')  cannot look without pkg-config; apt-get install $package, for $used"
        need_package "$package"
    fi
}

# The harness's probe is linked with -static: it needs libc.a.
static_libc() {
    local path=''
    [ "${HAVE[cc]}" = 1 ] && path=$(timeout 5 cc -print-file-name=libc.a 2>/dev/null)
    if [ -n "$path" ] && [ "$path" != libc.a ] && [ -e "$path" ]; then
        HAVE[libc.a]=1
        row libc.a ok "$(printf '%-10s' static)  the harness's static probe"
    else
        HAVE[libc.a]=0
        row libc.a MISSING "$(printf '%-10s' -)  apt-get install libc6-dev, for the harness's static probe"
        need_package libc6-dev
    fi
}

# ---- report: machine, namespaces, cgroups ------------------------------------------------

report_machine() {
    local kind caps
    section "Machine"
    if kernel_at_least 5 6; then
        row kernel ok "$KERNEL ($(uname -m))"
    else
        row kernel NO "$KERNEL ($(uname -m)): lab 09 needs Linux 5.6+ for time namespaces"
    fi
    row distribution ok "$(distribution)"
    if [ "$IS_ROOT" = 1 ] && in_child_userns; then
        row user NO "root of a user namespace, not the machine's root: the test world needs real root (mknod)"
    elif [ "$IS_ROOT" = 1 ]; then
        row user ok "root"
    else
        row user NO "$(id -un 2>/dev/null || id -u), not root: grading needs root, so run the labs with sudo" \
            "(the \"root\" column below is judged, not tested: sudo make doctor tests it)"
    fi
    kind=$(container_kind)
    caps="CAP_SYS_ADMIN $(has_cap "$CAP_BND" "$CAP_SYS_ADMIN" && echo present || echo 'absent (not --privileged)')"
    if [ -n "$kind" ]; then
        row container ok "inside one: $kind; $caps"
    else
        row container ok "not inside one (no /.dockerenv, /run/.containerenv, or container in /proc/1/cgroup)"
    fi
    case $SECCOMP in
        0) row seccomp ok "no filter" ;;
        1) row seccomp NO "strict mode" ;;
        2) if seccomp_blocks; then
               row seccomp NO "a filter is on and blocks namespaces (Docker's default profile does)"
           else
               row seccomp ok "a filter is on (Seccomp: 2) but the namespaces below are not blocked"
           fi ;;
        *) row seccomp ok "unknown (no Seccomp: line in /proc/self/status)" ;;
    esac
}

seccomp_blocks() {
    local t
    for t in "${NS_TYPES[@]}"; do
        [[ ${NS_ROOT_WHY[$t]} == *seccomp* || ${NS_USER_WHY[$t]} == *seccomp* ]] && return 0
    done
    return 1
}

# ns_text TYPE: why root or the unprivileged user cannot make one, if so.
ns_text() {
    local t=$1 as_root='' as_user=''
    if [ "${NS_ROOT[$t]}" = NO ]; then
        as_root=${NS_ROOT_WHY[$t]}
    elif [ -n "${NS_BLOCK[$t]}" ]; then
        as_root=${NS_BLOCK[$t]}
    elif [ "$IS_ROOT" = 1 ]; then
        as_root=${NS_ROOT_WHY[$t]}          # why it is untested, if it is
    fi
    [ "${NS_USER[$t]}" = ok ] || as_user=${NS_USER_WHY[$t]}
    if [ -z "$as_root" ] || [ "$as_root" = "$as_user" ]; then
        echo "$as_user"
    elif [ -z "$as_user" ] && [ "${NS_ROOT[$t]}" = - ]; then
        echo "root, judged: $as_root"
    elif [ -z "$as_user" ]; then
        echo "root: $as_root"
    else
        echo "root: $as_root; unprivileged: $as_user"
    fi
}

report_namespaces() {
    local t text fix who=you
    [ "$IS_ROOT" = 1 ] && who="nobody, uid 65534"
    section "Namespaces (made here in a short-lived unshare child)"
    printf '  %-18s %-7s  %-12s  %s\n' '' root unprivileged "(unprivileged: $who, through a user namespace)"
    if [ "$HAVE_UNSHARE" = 0 ]; then
        printf '  %-18s %-7s  %-12s  %s\n' "all eight" - - \
            "untested: no unshare(1) here (apt-get install util-linux); labs are judged from the kernel"
    fi
    for t in "${NS_TYPES[@]}"; do
        [ "$HAVE_UNSHARE" = 1 ] || break
        text=$(ns_text "$t")
        if [ -n "$text" ]; then
            printf '  %-18s %s  %s  %s\n' "$t" "$(paint "${NS_ROOT[$t]}" 7)" "$(paint "${NS_USER[$t]}" 12)" "$text"
        else
            printf '  %-18s %s  %s\n' "$t" "$(paint "${NS_ROOT[$t]}" 7)" "$(paint "${NS_USER[$t]}" 0)"
        fi
    done
    if [ "$HAVE_UNSHARE" = 1 ] && [ -z "$UTIL_LINUX" ] && [ "$PROBE_HUNG" = 1 ]; then
        row util-linux NO "unshare --help hung and was killed after 5 s"
    elif [ "$HAVE_UNSHARE" = 1 ]; then
        row util-linux ok "unshare ${UTIL_LINUX:-?}$([ "$UNSHARE_TIME" = 1 ] && echo ', has --time' || echo ', no --time (2.36+ has it)')"
    fi
    for fix in "${NS_FIXES[@]}"; do row '' '' "fix: $fix"; done
}

report_cgroups() {
    local c fix
    section "cgroups (lab 07 limits memory, pids and cpu)"
    case $CG_VERSION in
        v2) row version ok "v2 (cgroup2 on /sys/fs/cgroup), controllers: $(cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null)" ;;
        hybrid) row version ok "hybrid: v1 controllers, cgroup2 without them on /sys/fs/cgroup/unified" ;;
        v1) row version ok "v1 (one hierarchy per controller under /sys/fs/cgroup)" ;;
        none) row version NO "no cgroup filesystem on /sys/fs/cgroup" ;;
    esac
    for c in memory pids cpu; do
        if [ "${CG_OK[$c]}" = ok ]; then
            row "$c" ok "${CG_NOTE[$c]}"
        else
            row "$c" NO "${CG_WHY[$c]}"
        fi
    done
    for fix in "${CG_FIXES[@]}"; do row '' '' "fix: $fix"; done
}

report_tools() {
    section "Tools and libraries"
    printf '  %-18s %-7s  %-10s  %s\n' '' '' version 'used by'
    tool cc gcc "every lab"
    tool make make "every lab"
    tool pkg-config pkg-config "every lab"
    static_libc
    library libcap libcap-dev "every lab (lab 08 uses it)"
    library check check "the harness"
    library json-c libjson-c-dev "the harness and the grader"
    library libxml-2.0 libxml2-dev "the grader (junit.xml)"
    library libnl-route-3.0 libnl-route-3-dev "labs 05-10"
    library libseccomp libseccomp-dev "lab 10"
    tool busybox busybox-static "lab 10's root filesystem (static)"
    tool hostname hostname "checks of labs 01-10"
    tool ipcs util-linux "checks of labs 02-10"
    tool ipcmk util-linux "lab 02 handout"
    tool ps procps "checks of labs 04-10"
    tool ip iproute2 "checks of labs 05-10"
    tool unshare util-linux "this doctor, handouts"
    tool nsenter util-linux "handouts (lab 10's --join does the same)"
    tool ping iputils-ping "lab 05 handout"
    tool nc netcat-openbsd "lab 05 handout"
    tool capsh libcap2-bin "checks of labs 08-10 (capsh --print)"
    tool findmnt util-linux "handouts (labs 04, 10)"
    tool unifdef unifdef "make generate, make test"
    tool cppcheck cppcheck "make test"
    tool shellcheck shellcheck "make test"
    tool pandoc pandoc "make handouts"
    tool hyperfine hyperfine "harness/bench.sh (optional)"
}

# ---- labs ----------------------------------------------------------------------------------

# lacks NAME PACKAGE: the reason, when the tool or library NAME is not here.
lacks() { [ "${HAVE[$1]}" = 1 ] || echo "no $1: apt-get install $2"; }

# What grading any lab needs: real root, the test world, the build tools.
base_reasons() {
    local t
    local blocked=()
    for t in "${TEST_WORLD_NS[@]}"; do [ -n "${NS_BLOCK[$t]}" ] && blocked+=("$t"); done
    [ "${#blocked[@]}" -gt 0 ] &&
        echo "no test world: root cannot make ${blocked[*]} namespaces here (Namespaces, above)"
    lacks cc gcc
    lacks make make
    lacks pkg-config pkg-config
    lacks libc.a libc6-dev
    lacks libcap libcap-dev
    lacks check check
    lacks json-c libjson-c-dev
    lacks libxml-2.0 libxml2-dev
}

# Without root, the test world is made in a user namespace of the user's own.
# Empty when that works here; else why not.
rootless_reason() {
    local t
    for t in "${TEST_WORLD_NS[@]}"; do
        if [ "${NS_USER[$t]}" != ok ]; then
            echo "an unprivileged user cannot make $t namespaces here: ${NS_USER_WHY[$t]:-untested}"
            return
        fi
    done
}

# no_ns TYPE: the reason, when root cannot make a TYPE namespace here.
no_ns() { [ -z "${NS_BLOCK[$1]}" ] || echo "no $1 namespace as root (Namespaces, above)"; }

# layer_reasons N: what lab N adds to lab N-1 and cannot have here.
layer_reasons() {
    local c
    case $1 in
        1) no_ns uts; lacks hostname hostname ;;
        2) no_ns ipc; lacks ipcs util-linux ;;
        3) no_ns pid ;;
        4) no_ns mnt; lacks ps procps ;;
        5) no_ns net; lacks libnl-route-3.0 libnl-route-3-dev; lacks ip iproute2 ;;
        6) no_ns user ;;
        7) no_ns cgroup
           local unusable=()
           for c in memory pids cpu; do [ "${CG_OK[$c]}" = ok ] || unusable+=("$c"); done
           [ "${#unusable[@]}" -eq 0 ] ||
               echo "no usable ${unusable[*]} cgroup controller$([ "${#unusable[@]}" -gt 1 ] && echo s) (cgroups, above)" ;;
        8) has_cap "$CAP_BND" "$CAP_SETPCAP" ||
               echo "root has no CAP_SETPCAP here, so capabilities cannot be dropped: docker run --privileged"
           lacks capsh libcap2-bin ;;
        9) kernel_at_least 5 6 || echo "Linux $KERNEL has no time namespaces: Linux 5.6 or newer"
           kernel_at_least 5 6 && no_ns time ;;
        10) lacks libseccomp libseccomp-dev
            lacks busybox busybox-static
            [ "$ROOT_FSTYPE" = rootfs ] &&
                echo "/ is the initramfs (rootfs), which pivot_root(2) cannot move: boot with a real root filesystem, or use a container or VM" ;;
    esac
}

CAN_RUN=0

report_labs() {
    local base n reasons=() previous=''
    local rootless
    rootless=$(rootless_reason)
    section "Labs (each is graded in a test world: $(printf '%s ' "${TEST_WORLD_NS[@]}")namespaces)"
    if [ "$IS_ROOT" = 1 ] && in_child_userns; then
        row "root" ok "root here is root of a user namespace (a rootless container): graded as without root"
    fi
    mapfile -t reasons < <(base_reasons)
    if [ "${#reasons[@]}" -eq 0 ]; then
        if [ "$IS_ROOT" = 1 ]; then
            row "every lab" ok "the test world, the harness and the compiler work here"
        else
            row "every lab" ok "the harness and the compiler are here; the test world should work as root (judged)"
        fi
        base=ok
    else
        row "every lab" NO "${reasons[@]}"
        base=NO
    fi
    who=${SUDO_USER:-$(id -un 2>/dev/null || id -u)}
    for n in {1..10}; do
        mapfile -t reasons < <(layer_reasons "$n")
        if [ -n "$previous" ]; then
            reasons+=("builds on $previous, which cannot run here")
        elif [ "$n" = 1 ] && [ "$base" = NO ]; then
            reasons+=("what every lab needs is missing (above)")
        fi
        if [ "${#reasons[@]}" -eq 0 ]; then
            # Lab 07 on makes cgroups: without root, the test world has one
            # only where the user's own is delegated (systemd, cgroup v2).
            if [ -z "$rootless" ] && [ "$n" -ge 7 ] && [ "$CG_FSTYPE" != cgroup2 ]; then
                row "${LABS[n - 1]}" ok "can run here as root; not without: on cgroup v1 no cgroup is delegated to a" \
                    "user, and lab 07 on needs one in the test world (sudo make lab${LABS[n - 1]%%_*})"
            elif [ -z "$rootless" ] && [ "$n" -ge 6 ] && [ "$who" = root ]; then
                row "${LABS[n - 1]}" ok "can run here, and without root for a user with 65536 subordinate IDs" \
                    "(/etc/subuid, /etc/subgid)"
            elif [ -z "$rootless" ] && [ "$n" -ge 6 ] && ! has_subids "$who"; then
                # Lab 06 on: root's default map 0:100000:65536, and checks
                # run as a user: the rootless world needs the user's range.
                row "${LABS[n - 1]}" ok "can run here as root; without root, $who needs 65536 subordinate IDs:" \
                    "sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $who"
            elif [ -z "$rootless" ]; then
                row "${LABS[n - 1]}" ok "can run here, and without root (make lab${LABS[n - 1]%%_*})"
            elif [ "$IS_ROOT" = 1 ]; then
                row "${LABS[n - 1]}" ok "can run here as root; not without: $rootless"
            else
                row "${LABS[n - 1]}" ok "can run here with sudo (sudo make lab${LABS[n - 1]%%_*}); not without: $rootless"
            fi
            CAN_RUN=$((CAN_RUN + 1))
        else
            row "${LABS[n - 1]}" NO "${reasons[@]}"
            previous=${LABS[n - 1]}
        fi
    done
}

# has_subids USER: does USER have 65536 subordinate uids and gids (and the
# newuidmap that maps them)?
has_subids() {
    local file count
    command -v newuidmap >/dev/null 2>&1 || return 1
    for file in /etc/subuid /etc/subgid; do
        count=$(awk -F: -v u="$1" '$1 == u { print $3; exit }' "$file" 2>/dev/null)
        [ "${count:-0}" -ge 65536 ] || return 1
    done
}

# The fixes that are not packages first; the last lines are the verdict and
# the one install line, so that `make doctor | tail -n 2` says it all.
report_summary() {
    local f fixes=() install="sudo apt-get install -y"
    [ "$IS_ROOT" = 1 ] && ! command -v sudo >/dev/null 2>&1 && install="apt-get install -y"
    for f in "${NS_FIXES[@]}" "${CG_FIXES[@]}"; do add_fix fixes "$f"; done
    [ "${#fixes[@]}" -gt 0 ] && echo
    for f in "${fixes[@]}"; do echo "fix: $f"; done
    printf '\n%sdoctor: %d of 10 labs can run here%s\n' "$BOLD" "$CAN_RUN" "$OFF"
    [ "${#MISSING_PACKAGES[@]}" -gt 0 ] || return 0
    if command -v apt-get >/dev/null 2>&1; then
        echo "$install ${MISSING_PACKAGES[*]}"
    else
        echo "missing (Debian package names; use your distribution's): ${MISSING_PACKAGES[*]}"
    fi
}

main() {
    read_mounts
    judge_cgroups
    find_probe_tools
    local t
    for t in "${NS_TYPES[@]}"; do test_namespace "$t"; judge_root "$t"; done
    report_machine
    report_namespaces
    report_cgroups
    report_tools
    report_labs
    report_summary
    [ "$CAN_RUN" -eq 10 ]
}

main "$@"
