#!/bin/sh
# A small throw-away VM that runs one command on this machine's own files:
# QEMU boots a stock Debian or Ubuntu kernel (KVM when it works here, TCG
# otherwise) on this machine's / read-only through 9p, under a tmpfs overlay.
# The grader grades in it where no user namespace can be made (a Docker
# container such as Gradescope's, a locked-down machine: grading/vm.c), and
# the kit's own tests use it for a machine with cgroup v2 alone.
#
#   sh harness/vm.sh [--fetch] [--share DIR] [--keep DIR]... [--cwd DIR]
#                    [--hostname NAME] [--] CMD...
#   sh harness/vm.sh --fetch        fetch what the VM needs, then stop (make vm)
#   sh harness/vm.sh --status       what it has: key=value lines; exit 0 when ready
#
# CMD (its words joined by spaces, as ssh does) runs with sh -c, as root, in
# the kit's root directory (--cwd: DIR) inside the guest. Its stdout is this
# script's stdout and its stderr this script's stderr (each a line at a time;
# a last line without a newline gets one), and nothing else is. The guest
# sees this machine's / read-only, under a tmpfs overlay that makes every
# path writable and throws all writes away at power-off, but for --share DIR:
# that folder (made if missing) is writable, at the same path, and what CMD
# writes there stays (files made by the guest's root belong to whoever runs
# QEMU). --keep DIR keeps a folder under /tmp visible (the guest has a /tmp
# of its own; the kit's folder and --cwd's are kept anyway).
# Inside: cgroup2 alone on /sys/fs/cgroup (cgroup_no_v1=all; memory, pids
# and cpu available), every mount shared (as on a systemd host), fresh /proc,
# /sys, /dev (devtmpfs), /dev/pts, /dev/shm, /dev/mqueue, /tmp and /run,
# hostname nslab-vm (--hostname), loopback up, user namespaces as the
# kernel allows them (Debian's and Ubuntu's: for root, always), kernel
# modules loaded on demand (veth...), no other network; stdin is /dev/null.
# The environment is a fresh one (PATH, HOME=/root...) plus the caller's
# NSLAB_* variables but NSLAB_QEMU_*.
#
# Exit status: CMD's own; 77 with "SKIP: why" on stderr when QEMU or the
# kernel is missing (or, with --fetch, cannot be had); 124 with one line on
# stderr when the time limit passed (qemu is killed); 125 when the guest never
# reported (the end of its console is shown on stderr); 2 for a usage error.
# Temporary files and QEMU go with this script, however it ends.
#
# What it needs (--fetch gets what is missing, as root, from the
# distribution's mirrors; at run time no network is needed):
#   qemu-system-x86_64  apt-get install qemu-system-x86 (and zstd, xz-utils:
#                       to unpack the kernel and its modules)
#   the kernel          Debian: linux-image-amd64's linux-image-*-amd64;
#                       Ubuntu: linux-image-virtual's linux-image-*-generic
#                       with its linux-modules-* (and linux-modules-extra-*
#                       if 9p, overlay or veth is not there), fetched with
#                       apt-get download and unpacked into CACHE/kernel (not
#                       installed: this machine's /boot is left alone);
#                       modules uncompressed and indexed by depmod
#   a static busybox    /bin/busybox when it is static (busybox-static), else
#                       busybox-static's, unpacked into CACHE/busybox
# CACHE is build/qemu (NSLAB_QEMU_CACHE); rm -rf it fetches the kernel again
# (a newer one, if any). KVM is used when /dev/kvm can be opened and is
# backed by hardware virtualization, TCG (some ten times slower) otherwise.
#
# Environment:
#   NSLAB_QEMU_TIMEOUT  seconds before qemu is killed (default 300)
#   NSLAB_QEMU_MEM      guest memory (default 2G, or 3/4 of what this
#                       machine, or its container's cgroup, has free if less)
#   NSLAB_QEMU_CPUS     guest CPUs (default: this machine's)
#   NSLAB_QEMU_ACCEL    kvm or tcg, instead of the choice above
#   NSLAB_QEMU_CACHE    where the kernel and busybox are kept (build/qemu)
#   NSLAB_QEMU_VERBOSE  1: the whole console and the timings on stderr
#   NSLAB_JOBS          passed in, as every NSLAB_* variable but these; under
#                       TCG it defaults to the guest's CPUs, NSLAB_TIMEOUT
#                       to 6 (s a run) and NSLAB_COMPILE_TIMEOUT to 120, so
#                       that the harness's time limits hold there
set -u
kit=$(cd "$(dirname "$0")/.." && pwd -P) || exit 2
cd "$kit" || exit 2
cache=${NSLAB_QEMU_CACHE:-$kit/build/qemu}
timeout_s=${NSLAB_QEMU_TIMEOUT:-300}
cpus=${NSLAB_QEMU_CPUS:-$(nproc 2>/dev/null || echo 1)}
verbose=${NSLAB_QEMU_VERBOSE:-0}

usage() {
    echo "usage: sh harness/vm.sh [--fetch] [--share DIR] [--keep DIR]... [--cwd DIR] [--hostname NAME] [--] CMD..." >&2
    echo "       sh harness/vm.sh --fetch | --status" >&2
    exit 2
}
fetch='' status_only='' share='' keeps='' cwd=$kit hostname=nslab-vm
nl='
'
while [ $# -gt 0 ]; do
    case $1 in
        --fetch) fetch=1 ;;
        --status) status_only=1 ;;
        --share | --keep | --cwd | --hostname)
            [ $# -ge 2 ] || usage
            case $2 in *"$nl"*) echo "vm: $1: a path with a newline" >&2; exit 2 ;; esac
            case $1 in
                --share) [ -z "$share" ] || { echo "vm: one --share only" >&2; exit 2; }
                         mkdir -p "$2" || exit 2
                         share=$(cd "$2" && pwd -P) || exit 2 ;;
                --keep) d=$(cd "$2" 2>/dev/null && pwd -P) || { echo "vm: no folder $2" >&2; exit 2; }
                        keeps="$keeps$d$nl" ;;
                --cwd) cwd=$(cd "$2" 2>/dev/null && pwd -P) || { echo "vm: no folder $2" >&2; exit 2; } ;;
                --hostname) hostname=$2 ;;
            esac
            shift ;;
        --) shift; break ;;
        -*) usage ;;
        *) break ;;
    esac
    shift
done
[ -n "$status_only" ] || [ -n "$fetch" ] || [ $# -gt 0 ] || usage
case $timeout_s in
    '' | *[!0-9]* | 0) echo "vm: NSLAB_QEMU_TIMEOUT must be a whole number of seconds" >&2; exit 2 ;;
esac

skip() { echo "SKIP: $*" >&2; exit 77; }
note() { [ "$verbose" = 1 ] && echo "vm: $*" >&2; return 0; }
now() { date +%s.%N; }
started=$(now)
is_root() { [ "$(id -u)" -eq 0 ]; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nslab-vm.XXXXXX") || exit 2
qpid='' fpid='' partial=''
# shellcheck disable=SC2317 # run by the trap
cleanup() {
    [ -n "$qpid" ] && kill "$qpid" 2>/dev/null   # timeout passes it on to qemu
    [ -n "$fpid" ] && kill "$fpid" 2>/dev/null
    [ -n "$partial" ] && rm -rf "$partial"       # a fetch cut short
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---- What the guest needs ---------------------------------------------------
kdir=$cache/kernel

# The static busybox: this machine's, or the one fetched.
find_busybox() {
    bb=/bin/busybox
    if ! [ -x "$bb" ] || ! LC_ALL=C ldd "$bb" 2>&1 | grep -q 'not a dynamic executable'; then
        bb=$cache/busybox/bin/busybox
        [ -x "$bb" ] || return 1
    fi
}

# The kernel fetched before, if whole: sets kver and moddir.
find_kernel() {
    kver=$(cat "$kdir/VERSION" 2>/dev/null)
    moddir=$kdir/lib/modules/$kver
    [ -n "$kver" ] && [ -r "$kdir/boot/vmlinuz-$kver" ] && [ -f "$moddir/modules.dep" ]
}

# How QEMU would run here: kvm or tcg. KVM needs hardware virtualization
# (kvm_intel or kvm_amd): a /dev/kvm of another kind (kvm_pvm, which runs
# only kernels made for it) hangs a stock kernel. QEMU falls back to TCG by
# itself when KVM does not start.
accel=${NSLAB_QEMU_ACCEL:-}
if [ -z "$accel" ]; then
    accel=tcg
    if [ -r /dev/kvm ] && [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
        accel=kvm:tcg
    fi
fi

if [ -n "$status_only" ]; then
    ready=1
    echo "accel=${accel%%:*}"
    if command -v qemu-system-x86_64 >/dev/null 2>&1; then echo "qemu=$(command -v qemu-system-x86_64)"
    else echo "qemu=missing"; ready=''; fi
    if find_kernel; then echo "kernel=$kver"; else echo "kernel=missing"; ready=''; fi
    if find_busybox; then echo "busybox=$bb"; else echo "busybox=missing"; ready=''; fi
    echo "cache=$cache"
    [ -n "$ready" ]
    exit
fi

apt_updated=0
apt_update() {
    [ "$apt_updated" = 1 ] && return 0
    apt_updated=1
    is_root || return 0
    note "apt-get update"
    apt-get update -qq >/dev/null 2>&1
}

# The first package that package $1 depends on whose name matches the
# regular expression $2 (anchored at the start).
dependency() {
    apt-cache depends "$1" 2>/dev/null | sed -n "s/^ *Depends: \($2[^ ]*\)$/\1/p" | head -n 1
}

# Fetch package PKG and unpack it into DIR (made; files of several packages
# may go in one DIR).
fetch_deb() {
    work=$(mktemp -d "$cache/fetch.XXXXXX") || return 1
    if ! (cd "$work" && apt-get download "$1" >download.log 2>&1); then
        apt_update
        (cd "$work" && apt-get download "$1" >download.log 2>&1) || { rm -rf "$work"; return 1; }
    fi
    mkdir -p "$2" && dpkg-deb -x "$work"/*.deb "$2"
    status=$?
    rm -rf "$work"
    return $status
}

# Install Debian or Ubuntu packages (root only).
install_packages() {
    is_root && command -v apt-get >/dev/null 2>&1 || return 1
    note "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 || {
        apt_update
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1
    }
}

# Is kernel module NAME (a file name's stem: 9pnet_virtio) in tree DIR for
# version VER, as a module or built in?
has_module() {
    grep -qE "/$1\\.ko(\\.[a-z]+)?(:|\$)" "$2/lib/modules/$3/modules.builtin" 2>/dev/null ||
        find "$2/lib/modules/$3/kernel" -name "$1.ko*" 2>/dev/null | grep -q .
}

# The kernel and its modules, fetched into $kdir.new and moved into $kdir;
# on failure, $why says why.
fetch_kernel() {
    for meta in linux-image-amd64 linux-image-virtual linux-image-generic; do
        pkg=$(dependency "$meta" 'linux-image-[0-9]')
        [ -n "$pkg" ] && break
    done
    if [ -z "$pkg" ]; then
        apt_update
        for meta in linux-image-amd64 linux-image-virtual linux-image-generic; do
            pkg=$(dependency "$meta" 'linux-image-[0-9]')
            [ -n "$pkg" ] && break
        done
    fi
    [ -n "$pkg" ] || { why="apt knows no linux-image-amd64 nor linux-image-virtual (no package lists?)"; return 1; }
    kver=${pkg#linux-image-}
    new=$kdir.new
    rm -rf "$new"
    partial=$new
    note "fetching $pkg"
    fetch_deb "$pkg" "$new" || { why="cannot fetch $pkg (no network?)"; return 1; }
    # Ubuntu: the modules are a package of their own (linux-modules-VER),
    # the less common ones another (linux-modules-extra-VER).
    mods=$(dependency "$pkg" 'linux-modules-[0-9]')
    if [ -n "$mods" ]; then
        note "fetching $mods"
        fetch_deb "$mods" "$new" || { why="cannot fetch $mods (no network?)"; return 1; }
    fi
    # A merged /usr puts the modules in /usr/lib/modules.
    if ! [ -d "$new/lib/modules/$kver" ] && [ -d "$new/usr/lib/modules/$kver" ]; then
        if ! mkdir -p "$new/lib/modules" || ! mv "$new/usr/lib/modules/$kver" "$new/lib/modules/"; then
            why="cannot move the modules of $pkg"
            return 1
        fi
    fi
    if ! [ -r "$new/boot/vmlinuz-$kver" ] || ! [ -d "$new/lib/modules/$kver" ]; then
        why="$pkg has no vmlinuz-$kver and modules"
        return 1
    fi
    for m in 9p 9pnet_virtio overlay veth; do
        has_module "$m" "$new" "$kver" && continue
        note "no $m in $pkg${mods:+ and $mods}: fetching linux-modules-extra-$kver"
        fetch_deb "linux-modules-extra-$kver" "$new" || { why="cannot fetch linux-modules-extra-$kver"; return 1; }
        break
    done
    for m in 9p 9pnet_virtio overlay; do
        has_module "$m" "$new" "$kver" || { why="the kernel $kver has no $m module"; return 1; }
    done
    m=$new/lib/modules/$kver/kernel
    # The biggest driver trees, which no guest here uses.
    rm -rf "$m/sound" "$m/drivers/gpu" "$m/drivers/media" "$m/drivers/infiniband" "$m/drivers/staging" \
        "$m/drivers/iio" "$m/drivers/usb" "$m/drivers/net/wireless" "$m/drivers/net/ethernet" "$m/drivers/bluetooth"
    # Modules uncompressed (Ubuntu's are .ko.zst, newer Debian's .ko.xz),
    # so that busybox's insmod and modprobe load them.
    find "$m" -name '*.ko.zst' -exec zstd -q -d --rm {} + 2>/dev/null
    find "$m" -name '*.ko.xz' -exec xz -d {} + 2>/dev/null
    find "$m" -name '*.ko.gz' -exec gzip -d {} + 2>/dev/null
    if [ -n "$(find "$m" -name '*.ko.*' | head -n 1)" ]; then
        why="cannot uncompress the modules (apt-get install zstd xz-utils)"
        return 1
    fi
    sed -i 's/\.ko\.[a-z]*$/.ko/' "$new/lib/modules/$kver/modules.order" "$new/lib/modules/$kver/modules.builtin" 2>/dev/null
    "$bb" depmod -b "$new" "$kver" 2>/dev/null || depmod -b "$new" "$kver" ||
        { why="depmod failed on $pkg"; return 1; }
    # Ubuntu's vmlinuz is for root only: QEMU may run as anyone.
    chmod -R a+rX "$new"
    echo "$kver" >"$new/VERSION"
    rm -rf "$kdir"
    mv "$new" "$kdir" || { why="cannot move the kernel into $kdir"; return 1; }
    partial=
}

# The kernel to boot, in $kernel: the kernel proper, unpacked from vmlinuz
# once (into the cache, when it is writable) if it has a PVH entry: QEMU
# boots an ELF vmlinux directly, which saves the decompression, seconds
# under TCG. Else vmlinuz.
pick_kernel() {
    kernel=$kdir/boot/vmlinuz-$kver
    grep -q '^CONFIG_PVH=y' "$kdir/boot/config-$kver" 2>/dev/null || return 0
    if ! [ -s "$kdir/boot/vmlinux-$kver" ] && [ -w "$kdir/boot" ]; then
        # magic:tool: xz, zstd, gzip (the compressions Debian and Ubuntu use).
        for c in '\xfd7zXZ\x00:xz -dc --single-stream' '\x28\xb5\x2f\xfd:zstd -dcq' '\x1f\x8b\x08\x00:gzip -dc'; do
            offset=$(LC_ALL=C grep -obUaP "${c%%:*}" "$kernel" 2>/dev/null | head -n 1 | cut -d: -f1)
            [ -n "$offset" ] || continue
            # shellcheck disable=SC2086 # the tool's words
            tail -c +"$((offset + 1))" "$kernel" | ${c#*:} >"$tmp/vmlinux" 2>/dev/null
            if [ "$(head -c 4 "$tmp/vmlinux" | tr -d '\177')" = ELF ]; then
                mv "$tmp/vmlinux" "$kdir/boot/vmlinux-$kver.new" && mv "$kdir/boot/vmlinux-$kver.new" "$kdir/boot/vmlinux-$kver"
                break
            fi
        done
        rm -f "$tmp/vmlinux"
    fi
    [ -s "$kdir/boot/vmlinux-$kver" ] && kernel=$kdir/boot/vmlinux-$kver
    return 0
}

# --fetch: what is missing, under a lock (two runs at once share the cache).
get_everything() {
    if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
        install_packages qemu-system-x86 ||
            skip "qemu-system-x86_64 is missing and cannot be installed here (as root: apt-get install qemu-system-x86)"
    fi
    if ! command -v dpkg-deb >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
        skip "apt-get and dpkg-deb are needed to fetch the kernel (Debian or Ubuntu)"
    fi
    for tool in zstd:zstd xz:xz-utils; do
        command -v "${tool%%:*}" >/dev/null 2>&1 || install_packages "${tool#*:}" || true
    done
    mkdir -p "$cache" || skip "cannot make $cache"
    if [ -w "$cache" ] && command -v flock >/dev/null 2>&1; then
        exec 9>>"$cache/.lock"
        flock 9
    fi
    if ! find_busybox; then
        note "fetching busybox-static"
        rm -rf "$cache/busybox"
        partial=$cache/busybox
        fetch_deb busybox-static "$cache/busybox" || skip "cannot fetch busybox-static (no network?)"
        partial=
        find_busybox || skip "busybox-static has no bin/busybox"
    fi
    if ! find_kernel; then
        why=''
        fetch_kernel || skip "$why"
        find_kernel || skip "the kernel fetched into $kdir is not whole"
    fi
    pick_kernel
    exec 9>&-
}

if [ -n "$fetch" ]; then
    get_everything
    note "ready: qemu $(command -v qemu-system-x86_64), kernel $kver, busybox $bb, accel ${accel%%:*}"
    [ $# -gt 0 ] || exit 0
fi
command -v qemu-system-x86_64 >/dev/null 2>&1 || skip "qemu-system-x86_64 is missing (make vm)"
find_kernel || skip "no kernel for the VM in $cache (make vm)"
find_busybox || skip "no static busybox for the VM (make vm)"
pick_kernel

# Guest memory: 2G, or less where this machine (or its container) has less free.
mem=${NSLAB_QEMU_MEM:-}
if [ -z "$mem" ]; then
    free_kb=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo 2>/dev/null)
    for f in /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes; do
        limit=$(cat "$f" 2>/dev/null) || continue
        case $limit in '' | *[!0-9]*) continue ;; esac
        used=$(cat "${f%/*}/memory.current" "${f%/*}/memory.usage_in_bytes" 2>/dev/null | head -n 1)
        left=$(((limit - ${used:-0}) / 1024))
        [ -z "$free_kb" ] || [ "$left" -lt "$free_kb" ] && free_kb=$left
    done
    mem=2048
    [ -n "$free_kb" ] && [ $((free_kb * 3 / 4 / 1024)) -lt 2048 ] && mem=$((free_kb * 3 / 4 / 1024))
    [ "$mem" -ge 512 ] || mem=512
    mem=${mem}M
fi

# ---- The initramfs ------------------------------------------------------------
root=$tmp/initramfs
mkdir -p "$root/bin" "$root/modules" "$root/nslab" "$root/dev" "$root/proc" "$root/sys" \
    "$root/lower" "$root/rw" "$root/newroot" || exit 2
cp "$bb" "$root/bin/busybox" || exit 2

# The modules that mount the root, in dependency order (modules.dep lists
# every module's dependencies, transitively); built-in ones are skipped.
awk -v want="virtio_pci 9pnet_virtio 9p overlay" '
    function name(p) { sub(/.*\//, "", p); sub(/\.ko.*/, "", p); gsub(/-/, "_", p); return p }
    { m = $1; sub(/:$/, "", m); n = name(m); path[n] = m; deps[n] = ""
      for (i = 2; i <= NF; i++) deps[n] = deps[n] " " name($i) }
    function visit(n,   d, k, i) {
        if ((n in seen) || !(n in path)) return
        seen[n] = 1
        k = split(deps[n], d, " ")
        for (i = k; i >= 1; i--) visit(d[i])
        print path[n]
    }
    END { k = split(want, w, " "); for (i = 1; i <= k; i++) visit(w[i]) }
' "$moddir/modules.dep" >"$tmp/modules" || exit 2
: >"$root/modules/order"
while read -r ko; do
    base=$(basename "$ko")
    cp "$moddir/$ko" "$root/modules/$base" || exit 2
    echo "$base" >>"$root/modules/order"
done <"$tmp/modules"

# The folders under /tmp that stay visible above the guest's own /tmp: the
# kit's, CMD's, --keep's and --share's, none inside another.
printf '%s\n%s\n%s%s\n' "$kit" "$cwd" "$keeps" "$share" | awk '
    /^\/tmp\// { p[++n] = $0 }
    END { for (i = 1; i <= n; i++) { inside = 0
              for (j = 1; j <= n; j++) if (j != i && (index(p[i], p[j] "/") == 1 || (p[i] == p[j] && j < i))) inside = 1
              if (!inside) print p[i] } }' >"$root/nslab/keep"
nonce=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$*" >"$root/nslab/cmd"
printf '%s\n' "$cwd" >"$root/nslab/dir"
printf '%s\n' "$nonce" >"$root/nslab/nonce"
printf '%s\n' "$moddir" >"$root/nslab/moddir"
printf '%s\n' "$hostname" >"$root/nslab/hostname"
printf '%s' "$share" >"$root/nslab/share"

# Stage 1, busybox in the initramfs: load the modules, mount this machine's
# root read-only with a tmpfs overlay on top, and switch to it.
cat >"$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
fail() {
    echo "vm guest: $*"
    poweroff -f
}
while read -r m; do
    insmod "/modules/$m" || fail "insmod $m"
done </modules/order
tries=0
until mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=262144,cache=loose root /lower; do
    tries=$((tries + 1))
    [ $tries -lt 20 ] || fail "cannot mount the 9p root"
    sleep 0.1
done
mount -t tmpfs -o mode=755 rw /rw && mkdir /rw/upper /rw/work || fail "tmpfs"
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot || fail "cannot mount the overlay root"
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /newroot/run || fail "cannot mount /run"
mkdir /newroot/run/nslab-vm && cp -a /nslab/. /bin/busybox /newroot/run/nslab-vm/ || fail "cannot copy to /run"
umount /proc /sys
mount --move /dev /newroot/dev || fail "cannot move /dev"
exec switch_root /newroot /run/nslab-vm/busybox sh /run/nslab-vm/stage2
EOF

# Stage 2, PID 1 (busybox sh) on this machine's root: the mounts of a systemd
# host, then CMD, its output lines marked as stdout or stderr, then a line
# with its status and a nonce that only this run knows, then power off.
cat >"$root/nslab/stage2" <<'EOF'
q=/run/nslab-vm
bb=$q/busybox
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
nonce=$($bb cat $q/nonce) dir=$($bb cat $q/dir) cmd=$($bb cat $q/cmd) share=$($bb cat $q/share)
off() {
    $bb sync
    $bb stty -F /dev/console -onlcr 2>/dev/null   # waits until the console has sent it all
    echo o >/proc/sysrq-trigger
    $bb poweroff -f
}
say() { echo "vm guest: $*"; }
$bb mount -t proc -o nosuid,nodev,noexec proc /proc || say "cannot mount /proc"
$bb mount -t sysfs -o nosuid,nodev,noexec sysfs /sys || say "cannot mount /sys"
$bb mount -t cgroup2 -o nosuid,nodev,noexec,nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup ||
    say "cannot mount cgroup2"
$bb mkdir -p /dev/pts /dev/shm /dev/mqueue
$bb mount -t devpts -o nosuid,noexec,gid=5,mode=620,ptmxmode=000 devpts /dev/pts || say "cannot mount devpts"
$bb mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /dev/shm || say "cannot mount /dev/shm"
$bb mount -t mqueue -o nosuid,nodev,noexec mqueue /dev/mqueue || say "cannot mount mqueue"
$bb ln -sf /proc/self/fd /dev/fd
$bb ln -sf /proc/self/fd/0 /dev/stdin
$bb ln -sf /proc/self/fd/1 /dev/stdout
$bb ln -sf /proc/self/fd/2 /dev/stderr
# The folders under /tmp that stay visible above the new /tmp.
n=0
while IFS= read -r d; do
    n=$((n + 1))
    $bb mkdir -p $q/keep$n && $bb mount --bind "$d" $q/keep$n || say "cannot keep $d"
done <$q/keep
$bb mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /tmp || say "cannot mount /tmp"
n=0
while IFS= read -r d; do
    n=$((n + 1))
    $bb mkdir -p "$d" && $bb mount --move $q/keep$n "$d" || say "cannot keep $d above /tmp"
done <$q/keep
# The writable folder, from this machine (cache=none: every write goes through).
if [ -n "$share" ]; then
    $bb mkdir -p "$share" &&
        $bb mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=none share "$share" ||
        { say "cannot mount $share, writable"; off; }
fi
$bb mkdir -p /run/lock /lib/modules && $bb ln -sfn "$($bb cat $q/moddir)" "/lib/modules/$($bb uname -r)"
$bb ln -sf busybox $q/modprobe && echo $q/modprobe >/proc/sys/kernel/modprobe
# veth now rather than on a lab's first pair: loading it is slow emulated.
$bb modprobe veth 2>/dev/null
$bb cat $q/hostname >/proc/sys/kernel/hostname
$bb ip link set lo up
$bb mount --make-rshared / || say "cannot make / shared"
$bb stty -F /dev/console -onlcr 2>/dev/null
echo 1 >/proc/sys/kernel/printk   # no kernel messages in CMD's output
cd "$dir" || { say "no $dir"; off; }
# Each line CMD writes goes to the console whole (one write), marked:
# \001O stdout, \001E stderr; the host sorts them out.
$bb mkfifo $q/out $q/err
$bb awk '{ printf "\001O%s\n", $0; fflush() }' <$q/out &
outr=$!
$bb awk '{ printf "\001E%s\n", $0; fflush() }' <$q/err &
errr=$!
printf '\001B %s %s\n' "$nonce" "$($bb cut -d' ' -f1 /proc/uptime)"
# This shell's notes on its children ("Killed") go to its own stderr: not
# CMD's output, nor the console.
exec 2>/dev/null
(
    exec >$q/out 2>$q/err </dev/null
    exec $bb env -i PATH="$PATH" HOME=/root USER=root LOGNAME=root SHELL=/bin/sh TERM=dumb \
        /bin/sh -c '. /run/nslab-vm/env && exec /bin/sh -c "$0"' "$cmd"
)
status=$?
# Background processes that CMD left may keep the pipes open: give them 5 s.
( $bb sleep 5; kill $outr $errr ) >/dev/null &
wait $outr
wait $errr
printf '\001S %s %s %s\n' "$nonce" "$status" "$($bb cut -d' ' -f1 /proc/uptime)"
off
EOF
chmod 755 "$root/init" || exit 2

# ---- The guest ----------------------------------------------------------------
append="console=ttyS0 panic=-1 cgroup_no_v1=all ${NSLAB_QEMU_APPEND:-}"
if [ "$verbose" != 1 ]; then
    append="$append quiet"
fi
# The caller's NSLAB_* variables (the harness's own) go in, quoted for sh.
# Under TCG the guest runs many times slower than this machine: the
# harness's default of four checks per core at once would overrun its time
# limit per check, so it runs one per guest CPU, and each run gets 6 s
# instead of 3, each compilation 120 s instead of 30 (a lab that is right
# must never fail for the emulation's sake), unless NSLAB_JOBS,
# NSLAB_TIMEOUT or NSLAB_COMPILE_TIMEOUT says otherwise.
if [ "$accel" = tcg ]; then
    : "${NSLAB_JOBS:=$cpus}" "${NSLAB_TIMEOUT:=6}" "${NSLAB_COMPILE_TIMEOUT:=120}"
    export NSLAB_JOBS NSLAB_TIMEOUT NSLAB_COMPILE_TIMEOUT
fi
value=
for name in $(env | sed -n 's/^\(NSLAB_[A-Za-z0-9_]*\)=.*/\1/p' | grep -v '^NSLAB_QEMU_'); do
    eval "value=\${$name}"
    printf "export %s='%s'\n" "$name" "$(printf '%s' "$value" | sed "s/'/'\\\\''/g")"
done >"$root/nslab/env"
(cd "$root" && find . | "$bb" cpio -o -H newc -R 0:0 2>/dev/null) >"$tmp/initramfs.cpio" || exit 2
mkfifo "$tmp/console" || exit 2
set -- -virtfs local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap
[ -n "$share" ] && set -- "$@" -virtfs "local,path=$(printf '%s' "$share" | sed 's/,/,,/g'),mount_tag=share,security_model=none,multidevs=remap"
note "accel=$accel kernel=$kver ($kernel) memory=$mem cpus=$cpus timeout=${timeout_s}s"
booting=$(now)
timeout -k 5 "$timeout_s" qemu-system-x86_64 -nodefaults -no-user-config -no-reboot \
    -machine "pc,accel=$accel" -cpu "${NSLAB_QEMU_CPU:-max}" -smp "$cpus" -m "$mem" \
    -display none -monitor none -serial stdio \
    -kernel "$kernel" -initrd "$tmp/initramfs.cpio" -append "$append" "$@" \
    >"$tmp/console" 2>"$tmp/qemu.err" </dev/null &
qpid=$!

# Only CMD's marked lines leave the console: \001O to stdout, \001E to
# stderr, once this run's begin line was seen; the status line ends it.
interactive=
[ -z "$(awk -W interactive 'BEGIN { }' 2>&1 </dev/null)" ] && interactive="-W interactive"
# shellcheck disable=SC2086 # $interactive is one option or none
awk $interactive -v nonce="$nonce" -v tmp="$tmp" -v verbose="$verbose" '
    { line = $0; sub(/\r$/, "", line); print line > (tmp "/console.log") }
    verbose == 1 && substr($0, 1, 1) != "\001" { print line > "/dev/stderr" }
    !on && (i = index($0, "\001B " nonce " ")) {
        split(substr($0, i), f, " "); print f[3] > (tmp "/begin")
        on = 1; next
    }
    on && (i = index($0, "\001S " nonce " ")) {
        split(substr($0, i), f, " ")
        print f[3] > (tmp "/status"); print f[4] > (tmp "/end")
        on = 0; next
    }
    on && substr($0, 1, 2) == "\001O" { print substr($0, 3); fflush(); next }
    on && substr($0, 1, 2) == "\001E" { print substr($0, 3) > "/dev/stderr"; fflush("/dev/stderr"); next }
' <"$tmp/console" &
# Waiting in the wait builtin, the shell takes a signal at once (its trap ends
# qemu); in the foreground it would first wait for the guest to finish.
fpid=$!
wait "$fpid"
fpid=
wait "$qpid"
qrc=$?
qpid=
ended=$(now)

if [ -s "$tmp/status" ]; then
    status=$(cat "$tmp/status")
    note "$(awk -v s="$started" -v b="$booting" -v e="$ended" -v u0="$(cat "$tmp/begin")" -v u1="$(cat "$tmp/end")" \
        'BEGIN { printf "setup %.1f s, guest kernel up %.1f s when CMD started, CMD %.1f s, whole run %.1f s (qemu %.1f s)",
                 b - s, u0, u1 - u0, e - s, e - b }')"
    exit "$status"
fi
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
    echo "vm: timed out after ${timeout_s} s (NSLAB_QEMU_TIMEOUT): qemu killed" >&2
    exit 124
fi
{
    echo "vm: the guest did not report CMD's status (qemu exited $qrc); the end of its console:"
    tail -n 25 "$tmp/console.log" 2>/dev/null | sed 's/^/    /'
    sed 's/^/    qemu: /' "$tmp/qemu.err"
} >&2
exit 125
