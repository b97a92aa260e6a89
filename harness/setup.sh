#!/bin/sh
# The kit's setup step, run first by every make target.
#
#   harness/setup.sh [--missing] [GROUP...]     GROUP: core (default), test, handouts, screenshots, gradescope
#
# Checks that the Debian packages of each group are installed. All there:
# returns at once (one dpkg-query). Missing, as root: installs them with
# apt-get. Missing, not root: prints the one apt-get line to run, exits 1.
# --missing only prints the missing packages' names on one line (make doctor).
set -u
only_say=""
if [ "${1:-}" = --missing ]; then
    only_say=1
    shift
fi

packages_of() {
    case $1 in
        # build the labs and the harness, run the checks (ipcs, ps, hostname)
        core) echo gcc make libc6-dev pkg-config unifdef check libcap-dev libseccomp-dev libnl-route-3-dev libjson-c-dev libxml2-dev util-linux procps hostname iproute2 iputils-ping netcat-openbsd libcap2-bin busybox-static perl unzip jq ;;
        # the kit's own tests: static analysis, Gradescope's zip read back
        test) echo cppcheck shellcheck uidmap zip unzip jq ;;
        # make handouts: the web pages and their figures (a
        # Chinese font, so that graphviz measures the Chinese figures' words)
        handouts) echo pandoc graphviz fonts-wqy-microhei ;;
        # handouts/web/screenshots.sh: look at the pages in a real browser
        screenshots) echo chromium ;;
        gradescope) echo zip ;;
        *) echo "setup: unknown group $1" >&2; exit 2 ;;
    esac
}

[ $# -eq 0 ] && set -- core
wanted=""
for group in "$@"; do
    wanted="$wanted $(packages_of "$group")" || exit 2
done

if ! command -v dpkg-query >/dev/null 2>&1; then
    [ -n "$only_say" ] && exit 0   # (not Debian: nothing to name)
    # Not Debian or Ubuntu: we cannot ask the package manager, so look for
    # the pieces themselves and name what is missing.
    for lib in check libcap libseccomp libnl-route-3.0 json-c libxml-2.0; do
        pkg-config --exists "$lib" 2>/dev/null || echo "setup: missing the $lib development files (install them with your package manager)" >&2
    done
    for tool in cc make unifdef ipcs hostname ps ip; do
        command -v "$tool" >/dev/null 2>&1 || echo "setup: missing $tool (install it with your package manager)" >&2
    done
    exit 0
fi

# One dpkg-query for all: the installed ones print "ii NAME".
# shellcheck disable=SC2086 # word splitting of the package list is wanted
installed=" $(dpkg-query -W -f='${db:Status-Abbrev}|${Package}\n' $wanted 2>/dev/null |
             sed -n 's/^ii *|//p' | tr '\n' ' ')"
missing=""
for p in $wanted; do
    case $installed in *" $p "*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
if [ -n "$only_say" ]; then
    echo "${missing# }"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing packages; run: sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "setup: installing $missing" >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1; then
    apt-get update -q >/dev/null 2>&1
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing >/dev/null || {
        echo "setup: apt-get install $missing failed" >&2
        exit 1
    }
fi
