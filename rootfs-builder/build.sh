#!/bin/sh
# Build the small root filesystem lab 10 pivots into (make rootfs).
#
#   sh rootfs-builder/build.sh [--from TARBALL] [--out DIR] [--busybox PATH]
#
# Without --from: a busybox tree made from Debian's busybox-static: /bin/busybox
# and a link per applet beside it, /etc with passwd, group, hostname, hosts and
# an os-release naming nslab, and empty /proc, /sys, /dev, /tmp (1777), /root.
# With --from: the tree a root-filesystem tarball holds (the format `docker
# export` writes, e.g. of alpine), device nodes left out (they need root, and
# lab 10 bind-mounts the host's), the same empty mount points made sure of.
#
# It needs no root (no mknod, no chown: the files are the builder's; inside a
# container's user namespace they are root's), writes the tree beside DIR and
# moves it into place whole, and does nothing when DIR was built from the
# same inputs (this script, the busybox binary or the tarball: their sha256
# sums, kept in DIR/.nslab-rootfs). Exit 0 when DIR is up to date, 2 with one
# line on stderr otherwise.
set -u
cd "$(dirname "$0")/.." || exit 2

out=build/rootfs from='' busybox=${NSLAB_BUSYBOX:-/bin/busybox}
while [ $# -gt 0 ]; do
    case $1 in
        --from) [ $# -ge 2 ] || { echo "rootfs: --from needs a tarball" >&2; exit 2; }; from=$2; shift 2 ;;
        --out) [ $# -ge 2 ] || { echo "rootfs: --out needs a folder" >&2; exit 2; }; out=$2; shift 2 ;;
        --busybox) [ $# -ge 2 ] || { echo "rootfs: --busybox needs a path" >&2; exit 2; }; busybox=$2; shift 2 ;;
        *) echo "rootfs: unknown argument '$1' (usage: build.sh [--from TARBALL] [--out DIR])" >&2; exit 2 ;;
    esac
done

fail() { echo "rootfs: $*" >&2; exit 2; }

# What the tree is made from, as one line of sums.
if [ -n "$from" ]; then
    if [ ! -f "$from" ] || [ ! -r "$from" ]; then fail "no readable tarball $from"; fi
    inputs="from $(sha256sum <"$from" | cut -c1-64)"
else
    [ -x "$busybox" ] || fail "no $busybox: apt-get install busybox-static"
    "$busybox" --list >/dev/null 2>&1 || fail "$busybox does not run here (busybox --list failed)"
    inputs="busybox $(sha256sum <"$busybox" | cut -c1-64)"
fi
inputs="$inputs script $(sha256sum <"$0" | cut -c1-64)"
if [ -f "$out/.nslab-rootfs" ] && [ "$(cat "$out/.nslab-rootfs")" = "$inputs" ]; then
    echo "rootfs: $out is up to date"
    exit 0
fi

mkdir -p "$(dirname "$out")" || fail "cannot make $(dirname "$out")"
tmp=$(mktemp -d "$(dirname "$out")/.rootfs.XXXXXX") || fail "cannot make a folder beside $out"
# Whatever happens from here on, the half-made tree goes.
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -n "$from" ]; then
    # Device nodes need root to make: leave them out (lab 10 binds the
    # host's). Owners stay the builder's; modes as in the tarball.
    tar -x -f "$from" -C "$tmp" --no-same-owner --exclude='./dev/*' --exclude='dev/*' 2>"$tmp.err" ||
        { msg=$(head -n 1 "$tmp.err"); rm -f "$tmp.err"; fail "cannot unpack $from: $msg"; }
    rm -f "$tmp.err"
    [ -e "$tmp/bin/sh" ] || [ -L "$tmp/bin/sh" ] || fail "$from has no /bin/sh: not a root filesystem"
else
    mkdir -p "$tmp/bin" "$tmp/etc" || fail "cannot write into $tmp"
    cp "$busybox" "$tmp/bin/busybox" || fail "cannot copy $busybox"
    # A link per applet, relative, so the tree works wherever it is.
    for applet in $("$busybox" --list); do
        [ "$applet" = busybox ] || ln -s busybox "$tmp/bin/$applet" || fail "cannot link $applet"
    done
    if ! { ln -s bin "$tmp/sbin" && mkdir -p "$tmp/usr" && ln -s ../bin "$tmp/usr/bin" &&
        ln -s ../bin "$tmp/usr/sbin"; }; then
        fail "cannot link sbin and usr"
    fi
    version=$("$busybox" 2>&1 | sed -n '1s/^BusyBox v\([^ ]*\).*/\1/p')
    if ! { printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
        >"$tmp/etc/passwd" &&
        printf 'root:x:0:\nnogroup:x:65534:\n' >"$tmp/etc/group" &&
        echo nslab >"$tmp/etc/hostname" &&
        printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$tmp/etc/hosts" &&
        printf '%s\n' 'NAME="nslab"' 'ID=nslab' "VERSION_ID=\"${version:-unknown}\"" \
            "PRETTY_NAME=\"nslab root filesystem (BusyBox ${version:-})\"" >"$tmp/etc/os-release"; }; then
        fail "cannot write /etc"
    fi
fi
# The mount points lab 10 uses, empty; /tmp for everyone, sticky.
if ! { mkdir -p "$tmp/proc" "$tmp/sys" "$tmp/dev" "$tmp/tmp" "$tmp/root" && chmod 1777 "$tmp/tmp" &&
    chmod 0700 "$tmp/root" && chmod 0755 "$tmp"; }; then
    fail "cannot make the mount points"
fi
echo "$inputs" >"$tmp/.nslab-rootfs" || fail "cannot write the stamp"

# Into place: the old tree out of the way first, then the new one in.
if [ -e "$out" ]; then
    old="$out.old.$$"
    mv "$out" "$old" || fail "cannot move the old $out aside"
    chmod -R u+rwx "$old" 2>/dev/null
    rm -rf "$old"
fi
mv "$tmp" "$out" || fail "cannot move the new tree to $out"
trap - EXIT
echo "rootfs: $out built from ${from:-$busybox} ($(du -sk "$out" | cut -f1) KB)"
