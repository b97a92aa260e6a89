#!/bin/sh
# Run a command on a pure cgroup v2 machine: a throw-away QEMU guest that
# boots Debian's stock kernel on this machine's own root filesystem.
#
#   sh harness/tests/qemu_v2.sh CMD...
#
# CMD (its words joined by spaces, as ssh does) runs with sh -c, as root, in
# the kit's root directory inside the guest; its stdout and stderr (merged,
# through a pipe as under CI) are this script's stdout, and nothing else is.
# The guest sees this machine's / read-only through 9p, under a tmpfs overlay
# that makes every path writable and throws all writes away at power-off
# (build/ included: let CMD print what matters). Inside: cgroup2 alone on
# /sys/fs/cgroup (cgroup_no_v1=all; memory, pids and cpu available), every
# mount shared (as on a systemd host), fresh /proc, /sys, /dev (devtmpfs),
# /dev/pts, /dev/shm, /dev/mqueue, /tmp and /run, hostname nslab-v2, loopback
# up, user namespaces as the kernel allows them, kernel modules loaded on
# demand (veth...), no other network; stdin is /dev/null. The environment is
# a fresh one (PATH, HOME=/root...) plus the caller's NSLAB_* variables.
#
# Exit status: CMD's own; 77 with "SKIP: why" on stderr when QEMU or the
# kernel cannot be had; 124 with one line on stderr when the time limit
# passed (qemu is killed); 125 when the guest never reported (the end of its
# console is shown on stderr); 2 for a usage error.
#
# What it needs, fetched on first use (as root, from Debian's mirrors):
#   qemu-system-x86_64  apt-get install qemu-system-x86 (the only thing installed)
#   the kernel          linux-image-amd64's linux-image-6.*-amd64, fetched with
#                       apt-get download and unpacked into build/qemu/kernel
#                       (not installed: this machine's /boot is left alone)
#   a static busybox    /bin/busybox when it is static (busybox-static), else
#                       busybox-static's, unpacked into build/qemu/busybox
# It uses KVM when /dev/kvm can be opened and is backed by hardware
# virtualization, and TCG (slower) otherwise.
# rm -rf build/qemu fetches the kernel again (a newer one, if any).
#
# Environment:
#   NSLAB_QEMU_TIMEOUT  seconds before qemu is killed (default 300)
#   NSLAB_QEMU_MEM      guest memory (default 2G)
#   NSLAB_QEMU_CPUS     guest CPUs (default: this machine's)
#   NSLAB_QEMU_ACCEL    kvm or tcg, instead of the choice above
#   NSLAB_QEMU_VERBOSE  1: the whole console and the timings on stderr
#   NSLAB_JOBS          passed in, as every NSLAB_* variable but these; under
#                       TCG it defaults to the guest's CPUs, so that the
#                       harness's 3 s limit per check holds there
set -u
cd "$(dirname "$0")/../.." || exit 2
kit=$(pwd -P)
cache=$kit/build/qemu
timeout_s=${NSLAB_QEMU_TIMEOUT:-300}
mem=${NSLAB_QEMU_MEM:-2G}
cpus=${NSLAB_QEMU_CPUS:-$(nproc 2>/dev/null || echo 1)}
verbose=${NSLAB_QEMU_VERBOSE:-0}

if [ $# -eq 0 ]; then
    echo "usage: sh harness/tests/qemu_v2.sh CMD... (runs CMD in a cgroup v2 QEMU guest)" >&2
    exit 2
fi
case $timeout_s in
    '' | *[!0-9]* | 0) echo "qemu_v2: NSLAB_QEMU_TIMEOUT must be a whole number of seconds" >&2; exit 2 ;;
esac

skip() { echo "SKIP: $*" >&2; exit 77; }
note() { [ "$verbose" = 1 ] && echo "qemu_v2: $*" >&2; return 0; }
now() { date +%s.%N; }
started=$(now)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nslab-qemu.XXXXXX") || exit 2
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
apt_updated=0
apt_update() {
    [ "$apt_updated" = 1 ] && return 0
    apt_updated=1
    note "apt-get update"
    apt-get update -qq >/dev/null 2>&1
}

# The package a Debian package depends on whose name starts with PREFIX.
dependency() {
    apt-cache depends "$1" 2>/dev/null | sed -n "s/^ *Depends: \($2[^ ]*\)$/\1/p" | head -n 1
}

# Fetch Debian package PKG and unpack it into DIR (replaced whole, atomically).
fetch_deb() {
    pkg=$1 dir=$2
    work=$(mktemp -d "$cache/fetch.XXXXXX") || return 1
    partial=$work
    if ! (cd "$work" && apt-get download "$pkg" >download.log 2>&1); then
        apt_update
        (cd "$work" && apt-get download "$pkg" >download.log 2>&1) || { rm -rf "$work"; return 1; }
    fi
    if ! dpkg-deb -x "$work"/*.deb "$work/x"; then
        rm -rf "$work"
        return 1
    fi
    rm -rf "$dir"
    mv "$work/x" "$dir" 2>/dev/null || [ -d "$dir" ]
    status=$?
    rm -rf "$work"
    partial=
    return $status
}

if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        skip "qemu-system-x86_64 is missing (apt-get install qemu-system-x86)"
    fi
    note "apt-get install qemu-system-x86"
    apt_update
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-system-x86 >/dev/null 2>&1 ||
        skip "cannot install qemu-system-x86 (no network, or no such package)"
fi
if ! command -v dpkg-deb >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    skip "apt-get and dpkg-deb are needed to fetch Debian's kernel"
fi
mkdir -p "$cache" || skip "cannot make $cache"

# The stock kernel, unpacked with its modules (the biggest driver trees that
# no guest here uses are dropped) and indexed for modprobe by busybox depmod.
kdir=$cache/kernel
kver=$(cat "$kdir/VERSION" 2>/dev/null)

# A static busybox for the initramfs.
bb=/bin/busybox
if ! [ -x "$bb" ] || ! LC_ALL=C ldd "$bb" 2>&1 | grep -q 'not a dynamic executable'; then
    bb=$cache/busybox/bin/busybox
    if ! [ -x "$bb" ]; then
        note "fetching busybox-static"
        fetch_deb busybox-static "$cache/busybox" || skip "cannot fetch busybox-static (no network?)"
        [ -x "$bb" ] || skip "busybox-static has no bin/busybox"
    fi
fi

if [ -z "$kver" ] || ! [ -f "$kdir/boot/vmlinuz-$kver" ] || ! [ -f "$kdir/lib/modules/$kver/modules.dep" ]; then
    pkg=$(dependency linux-image-amd64 linux-image-)
    if [ -z "$pkg" ]; then
        [ "$(id -u)" -eq 0 ] && apt_update
        pkg=$(dependency linux-image-amd64 linux-image-)
    fi
    [ -n "$pkg" ] || skip "apt knows no linux-image-amd64 (no package lists?)"
    note "fetching $pkg"
    fetch_deb "$pkg" "$kdir.new" || skip "cannot fetch $pkg (no network?)"
    partial=$kdir.new
    kver=${pkg#linux-image-}
    if ! [ -f "$kdir.new/boot/vmlinuz-$kver" ] || ! [ -d "$kdir.new/lib/modules/$kver" ]; then
        rm -rf "$kdir.new"
        skip "$pkg has no vmlinuz-$kver and modules"
    fi
    m=$kdir.new/lib/modules/$kver/kernel
    rm -rf "$m/sound" "$m/drivers/gpu" "$m/drivers/media" "$m/drivers/infiniband" "$m/drivers/staging" \
        "$m/drivers/iio" "$m/drivers/usb" "$m/drivers/net/wireless" "$m/drivers/net/ethernet" "$m/drivers/bluetooth"
    "$bb" depmod -b "$kdir.new" "$kver" || { rm -rf "$kdir.new"; skip "busybox depmod failed on $pkg"; }
    echo "$kver" >"$kdir.new/VERSION"
    rm -rf "$kdir"
    mv "$kdir.new" "$kdir" || skip "cannot move the kernel into $kdir"
    partial=
fi
moddir=$kdir/lib/modules/$kver

# The kernel proper, unpacked from vmlinuz once: QEMU boots an ELF vmlinux
# directly (PVH), which saves the decompression, seconds under TCG.
kernel=$kdir/boot/vmlinux-$kver
if ! [ -s "$kernel" ]; then
    offset=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$kdir/boot/vmlinuz-$kver" 2>/dev/null | head -n 1 | cut -d: -f1)
    if [ -n "$offset" ] &&
        tail -c +"$((offset + 1))" "$kdir/boot/vmlinuz-$kver" | xz -dc --single-stream >"$kernel.new" 2>/dev/null &&
        [ "$(head -c 4 "$kernel.new" | tr -d '\177')" = ELF ]; then
        mv "$kernel.new" "$kernel"
    else
        rm -f "$kernel.new"
        kernel=$kdir/boot/vmlinuz-$kver
    fi
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
    case $ko in
        *.xz) xz -dc "$moddir/$ko" >"$root/modules/${base%.xz}" && base=${base%.xz} ;;
        *.zst) zstd -qdc "$moddir/$ko" >"$root/modules/${base%.zst}" && base=${base%.zst} ;;
        *) cp "$moddir/$ko" "$root/modules/$base" ;;
    esac || exit 2
    echo "$base" >>"$root/modules/order"
done <"$tmp/modules"

nonce=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$*" >"$root/nslab/cmd"
printf '%s\n' "$kit" >"$root/nslab/dir"
printf '%s\n' "$nonce" >"$root/nslab/nonce"
printf '%s\n' "$moddir" >"$root/nslab/moddir"

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
    echo "qemu_v2 guest: $*"
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
mkdir /newroot/run/nslab-qemu && cp -a /nslab/. /bin/busybox /newroot/run/nslab-qemu/ || fail "cannot copy to /run"
umount /proc /sys
mount --move /dev /newroot/dev || fail "cannot move /dev"
exec switch_root /newroot /run/nslab-qemu/busybox sh /run/nslab-qemu/stage2
EOF

# Stage 2, PID 1 (busybox sh) on this machine's root: the mounts of a systemd
# host, then CMD between two markers that only this run knows, then power off.
cat >"$root/nslab/stage2" <<'EOF'
q=/run/nslab-qemu
bb=$q/busybox
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
nonce=$($bb cat $q/nonce) dir=$($bb cat $q/dir) cmd=$($bb cat $q/cmd)
off() {
    $bb stty -F /dev/console -onlcr 2>/dev/null   # waits until the console has sent it all
    echo o >/proc/sysrq-trigger
    $bb poweroff -f
}
say() { echo "qemu_v2 guest: $*"; }
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
# A kit under /tmp stays visible above the new /tmp.
kept=
case $dir/ in
    /tmp/*) $bb mkdir -p $q/kit && $bb mount --bind "$dir" $q/kit && kept=1 ;;
esac
$bb mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /tmp || say "cannot mount /tmp"
if [ -n "$kept" ]; then
    $bb mkdir -p "$dir" && $bb mount --move $q/kit "$dir" || say "cannot keep $dir above /tmp"
fi
$bb mkdir -p /run/lock /lib/modules && $bb ln -sfn "$($bb cat $q/moddir)" "/lib/modules/$($bb uname -r)"
$bb ln -sf busybox $q/modprobe && echo $q/modprobe >/proc/sys/kernel/modprobe
echo nslab-v2 >/proc/sys/kernel/hostname
$bb ip link set lo up
$bb mount --make-rshared / || say "cannot make / shared"
$bb stty -F /dev/console -onlcr 2>/dev/null
echo 1 >/proc/sys/kernel/printk   # no kernel messages in CMD's output
cd "$dir" || { say "no $dir"; off; }
$bb mkfifo $q/out
$bb cat $q/out &
reader=$!
echo "NSLAB-QEMU-BEGIN $nonce $($bb cut -d' ' -f1 /proc/uptime)"
# This shell's notes on its children ("Killed") go to its own stderr: not
# CMD's output, nor the console.
exec 2>/dev/null
(
    exec >$q/out 2>&1 </dev/null
    exec $bb env -i PATH="$PATH" HOME=/root USER=root LOGNAME=root SHELL=/bin/sh TERM=dumb \
        /bin/sh -c '. /run/nslab-qemu/env && exec /bin/sh -c "$0"' "$cmd"
)
status=$?
# Background processes that CMD left may keep the pipe open: give them 5 s.
( $bb sleep 5; kill $reader ) >/dev/null &
wait $reader
echo "NSLAB-QEMU-END $nonce $status $($bb cut -d' ' -f1 /proc/uptime)"
off
EOF
chmod 755 "$root/init" || exit 2

# ---- The guest ----------------------------------------------------------------
# KVM needs hardware virtualization (kvm_intel or kvm_amd): a /dev/kvm of
# another kind (kvm_pvm, which runs only kernels made for it) hangs a stock
# kernel. QEMU falls back to TCG by itself when KVM does not start.
accel=${NSLAB_QEMU_ACCEL:-}
if [ -z "$accel" ]; then
    accel=tcg
    if [ -r /dev/kvm ] && [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
        accel=kvm:tcg
    fi
fi
append="console=ttyS0 panic=-1 cgroup_no_v1=all"
if [ "$verbose" != 1 ]; then
    append="$append quiet"
fi
# The caller's NSLAB_* variables (the harness's own) go in, quoted for sh.
# Under TCG the guest runs some twenty times slower than this machine: the
# harness's default of four checks per core at once would overrun its 3 s
# limit per check, so it runs one per guest CPU unless NSLAB_JOBS says.
if [ "$accel" = tcg ] && [ -z "${NSLAB_JOBS:-}" ]; then
    NSLAB_JOBS=$cpus
    export NSLAB_JOBS
fi
value=
for name in $(env | sed -n 's/^\(NSLAB_[A-Za-z0-9_]*\)=.*/\1/p' | grep -v '^NSLAB_QEMU_'); do
    eval "value=\${$name}"
    printf "export %s='%s'\n" "$name" "$(printf '%s' "$value" | sed "s/'/'\\\\''/g")"
done >"$root/nslab/env"
(cd "$root" && find . | "$bb" cpio -o -H newc -R 0:0 2>/dev/null) >"$tmp/initramfs.cpio" || exit 2
mkfifo "$tmp/console" || exit 2
note "accel=$accel kernel=$kver memory=$mem cpus=$cpus timeout=${timeout_s}s"
booting=$(now)
timeout -k 5 "$timeout_s" qemu-system-x86_64 -nodefaults -no-user-config -no-reboot \
    -machine "pc,accel=$accel" -cpu max -smp "$cpus" -m "$mem" \
    -display none -monitor none -serial stdio \
    -kernel "$kernel" -initrd "$tmp/initramfs.cpio" -append "$append" \
    -virtfs local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap \
    >"$tmp/console" 2>"$tmp/qemu.err" </dev/null &
qpid=$!

# Only the lines between this run's markers reach stdout, as CMD wrote them
# (the guest's console does not add carriage returns there); the END marker
# may follow CMD's last line without a newline.
interactive=
[ -z "$(awk -W interactive 'BEGIN { }' 2>&1 </dev/null)" ] && interactive="-W interactive"
# shellcheck disable=SC2086 # $interactive is one option or none
awk $interactive -v nonce="$nonce" -v tmp="$tmp" -v verbose="$verbose" '
    { line = $0; if (!on) sub(/\r$/, "", line); print line > (tmp "/console.log") }
    verbose == 1 { print line > "/dev/stderr" }
    !on && (i = index($0, "NSLAB-QEMU-BEGIN " nonce)) {
        split(substr($0, i), f, " "); print f[3] > (tmp "/begin")
        on = 1; next
    }
    on && (i = index($0, "NSLAB-QEMU-END " nonce)) {
        printf "%s", substr($0, 1, i - 1); fflush()
        split(substr($0, i), f, " ")
        print f[3] > (tmp "/status"); print f[4] > (tmp "/end")
        on = 0; next
    }
    on { print; fflush() }
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
    echo "qemu_v2: timed out after ${timeout_s} s (NSLAB_QEMU_TIMEOUT): qemu killed" >&2
    exit 124
fi
{
    echo "qemu_v2: the guest did not report CMD's status (qemu exited $qrc); the end of its console:"
    tail -n 25 "$tmp/console.log" 2>/dev/null | sed 's/^/    /'
    sed 's/^/    qemu: /' "$tmp/qemu.err"
} >&2
exit 125
