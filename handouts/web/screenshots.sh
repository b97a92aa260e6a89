#!/bin/sh
# make handout-shots: look at the web handouts in a real browser.
#
#   sh handouts/web/screenshots.sh SITE OUT [WIDTHxHEIGHT]
#
# Opens every page of SITE (make handouts' build/handouts) in headless
# Chromium and saves what it shows, the top WIDTHxHEIGHT of it (default
# 1280x1600), as OUT/NAME.png (OUT/zh-NAME.png for the Chinese pages), then
# the index at a phone's width (OUT/phone-index.png). Chromium runs with a
# fresh profile and without its background connections (the machine may
# have no network). Exit 1 if a page gave no picture.
set -eu
if [ $# -lt 2 ]; then echo "usage: screenshots.sh SITE OUT [WIDTHxHEIGHT]" >&2; exit 2; fi
site=$(cd "$1" && pwd) out=$2 size=${3:-1280x1600}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "screenshots: no Chromium (sudo apt-get install chromium)" >&2; exit 2; }
mkdir -p "$out"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

shoot() {   # shoot PAGE PNG WIDTH,HEIGHT
    rm -f "$2"
    timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --hide-scrollbars --window-size="$3" --screenshot="$2" \
        "file://$1" >/dev/null 2>&1 || true
    [ -s "$2" ] || { echo "screenshots: no picture of $1" >&2; exit 1; }
}

n=0
for page in "$site"/*.html "$site"/zh/*.html; do
    [ -r "$page" ] || continue
    name=$(basename "$page" .html)
    case $page in "$site"/zh/*) name=zh-$name ;; esac
    shoot "$page" "$out/$name.png" "$(echo "$size" | tr x ,)"
    n=$((n + 1))
done
shoot "$site/index.html" "$out/phone-index.png" 390,844
echo "screenshots: $n pages and the index at a phone's width in $out"
