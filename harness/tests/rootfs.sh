#!/bin/sh
# make rootfs, tested (harness/tests/run.sh runs this as root; the builds
# themselves run as an unprivileged user, nobody, to prove they need no root).
#
#   sh harness/tests/rootfs.sh
#
# Builds the busybox tree and a tree from a tarball the test makes (as docker
# export writes them: owners 0, a device node in /dev), and checks their
# contents, size, that /bin/sh runs under chroot in a sandbox, that a second
# run changes nothing, and that bad input leaves nothing behind. Prints how
# long a fresh build took (a figure, not an assertion). Exit 0 when all hold.
# NSLAB_ROOTFS_BUILDER: another builder to test (make test proves with a
# broken one that this test can fail).
# shellcheck disable=SC2015 # "A && B || no ...": no() runs when either fails, as meant
set -u
cd "$(dirname "$0")/../.." || exit 2
[ "$(id -u)" -eq 0 ] || { echo "rootfs test: needs root (to make the tarball's device node and to switch to nobody)" >&2; exit 2; }

work=$(mktemp -d /tmp/nslab-rootfs-test.XXXXXX) || exit 2
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/kit/rootfs-builder" "$work/kit/build" &&
    cp "${NSLAB_ROOTFS_BUILDER:-rootfs-builder/build.sh}" "$work/kit/rootfs-builder/build.sh" &&
    chown -R nobody: "$work/kit" && chmod 0755 "$work" || exit 2
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
build() { as_nobody sh "$work/kit/rootfs-builder/build.sh" "$@"; }
failed=0
no() { echo "FAIL: $*"; failed=1; }
# Every entry of a tree with its mode, size and mtime: what "changed" means.
listing() { (cd "$1" && find . -printf '%p %M %s %T@ %u\n' | sort); }

# ---- the busybox tree -------------------------------------------------------
out=$work/kit/build/rootfs
start=$(date +%s%N)
build --out "$out" >"$work/first.txt" 2>&1 || { cat "$work/first.txt"; no "make rootfs as nobody failed"; }
ms=$(( ($(date +%s%N) - start) / 1000000 ))
kb=$(du -sk "$out" | cut -f1)
echo "rootfs: a fresh build took $ms ms, and the tree is $kb KB"
[ -x "$out/bin/busybox" ] && [ "$(readlink "$out/bin/sh")" = busybox ] || no "no /bin/busybox with /bin/sh linked to it"
applets=$(/bin/busybox --list | grep -cvx busybox)
links=$(find "$out/bin" -type l | wc -l)
[ "$links" -eq "$applets" ] || no "$links links in /bin for busybox's $applets applets"
for f in passwd group hostname hosts os-release; do [ -s "$out/etc/$f" ] || no "no /etc/$f"; done
grep -qs '^NAME="nslab"$' "$out/etc/os-release" || no "os-release does not name nslab"
grep -q '^root:x:0:0:' "$out/etc/passwd" || no "/etc/passwd has no root"
for d in proc sys dev tmp root; do
    [ -d "$out/$d" ] && [ -z "$(ls -A "$out/$d")" ] || no "/$d is not an empty folder"
done
[ "$(stat -c %a "$out/tmp")" = 1777 ] || no "/tmp is not 1777"
[ "$(stat -c %a "$out/root")" = 700 ] || no "/root is not 700"
[ -z "$(find "$out" ! -user nobody)" ] || no "files not the builder's (was chown used?)"
[ -z "$(find "$out" -type b -o -type c)" ] || no "device nodes in the tree"
[ "$kb" -lt 3072 ] || no "the tree is $kb KB, not under 3 MB"
ok=$(unshare --mount --uts --ipc --net --pid --fork --mount-proc chroot "$out" /bin/sh -c 'echo ok' 2>&1)
[ "$ok" = ok ] || no "bin/sh -c 'echo ok' under chroot printed: $ok"

# ---- a second run changes nothing -------------------------------------------
listing "$out" >"$work/before.txt"
build --out "$out" >"$work/second.txt" 2>&1 || no "the second run failed"
listing "$out" >"$work/after.txt"
cmp -s "$work/before.txt" "$work/after.txt" || no "the second run changed the tree: $(diff "$work/before.txt" "$work/after.txt" | head -n 3)"
grep -q 'up to date' "$work/second.txt" || no "the second run did not say the tree was up to date: $(cat "$work/second.txt")"

# ---- from a tarball, as docker export writes one ----------------------------
t=$work/distro
mkdir -p "$t/bin" "$t/etc" "$t/dev" "$t/usr/lib" && cp /bin/busybox "$t/bin/busybox" && ln -s busybox "$t/bin/sh" &&
    printf 'NAME="Testdistro"\nID=testdistro\n' >"$t/etc/os-release" && mknod "$t/dev/null" c 1 3 &&
    touch "$t/.dockerenv" && tar -c -f "$work/distro.tar" --numeric-owner --owner=0 --group=0 -C "$t" . &&
    chmod 0644 "$work/distro.tar" || { no "cannot make the test's tarball"; exit 1; }
from_out=$work/kit/build/rootfs-distro
build --from "$work/distro.tar" --out "$from_out" >"$work/from.txt" 2>&1 ||
    { cat "$work/from.txt"; no "make rootfs FROM=distro.tar as nobody failed"; }
grep -q '^ID=testdistro$' "$from_out/etc/os-release" 2>/dev/null || no "the tarball's os-release is not in the tree"
[ -z "$(find "$from_out" -type b -o -type c)" ] || no "the tarball's device node was made"
for d in proc sys dev tmp root; do [ -d "$from_out/$d" ] || no "no /$d in the tree from the tarball"; done
ok=$(unshare --mount --uts --ipc --net --pid --fork --mount-proc chroot "$from_out" /bin/sh -c 'echo ok' 2>&1)
[ "$ok" = ok ] || no "the tarball's bin/sh under chroot printed: $ok"
build --from "$work/distro.tar" --out "$from_out" | grep -q 'up to date' || no "a second run from the tarball rebuilt"

# ---- bad input: one line, exit 2, nothing half-made, the old tree kept ------
listing "$out" >"$work/before.txt"
build --from "$work/missing.tar" --out "$out" >"$work/bad1.txt" 2>&1
[ $? -eq 2 ] && [ "$(wc -l <"$work/bad1.txt")" -eq 1 ] || no "a missing tarball: $(cat "$work/bad1.txt")"
mkdir -p "$work/nosh/etc" && tar -c -f "$work/nosh.tar" -C "$work/nosh" . && chmod 0644 "$work/nosh.tar"
build --from "$work/nosh.tar" --out "$out" >"$work/bad2.txt" 2>&1
[ $? -eq 2 ] && [ "$(wc -l <"$work/bad2.txt")" -eq 1 ] || no "a tarball without /bin/sh: $(cat "$work/bad2.txt")"
listing "$out" >"$work/after.txt"
cmp -s "$work/before.txt" "$work/after.txt" || no "bad input changed the old tree"
[ -z "$(find "$work/kit/build" -maxdepth 1 -name '.rootfs.*')" ] || no "bad input left a half-made tree"
echo "bad input: $(cat "$work/bad1.txt"); $(cat "$work/bad2.txt")"

[ "$failed" -eq 0 ]
