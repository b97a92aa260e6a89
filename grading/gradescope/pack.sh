#!/bin/sh
# make gradescope [LABS="03"]: build/autograder.zip, as Gradescope's
# autograder specification wants it: setup.sh and run_autograder at the top,
# the kit beside them (no solutions, no kit tests, no build products: the
# image builds its own). LABS names the labs one Gradescope assignment
# grades; without it, every lab the submission holds.
set -eu
cd "$(dirname "$0")/../.."
labs=""
for word in ${1:-}; do   # 3, 03 or 03_pid, as nslab-grade --labs takes them
    name=$(build/nslab-check info "$word" name 2>/dev/null)
    if [ -z "$name" ] || ! build/nslab-check list | grep -qx "$name"; then
        echo "make gradescope: LABS: no ready lab \"$word\"" >&2
        exit 2
    fi
    labs="${labs:+$labs }${name%%_*}"
done
out=build/gradescope
rm -rf "$out" build/autograder.zip
mkdir -p "$out/grading" "$out/harness"
cp Makefile "$out/"
cp -r rootfs-builder handouts "$out/"
tar -cf - --exclude=harness/tests --exclude=harness/demo.sh --exclude=harness/bench.sh harness | tar -xf - -C "$out"
find grading -maxdepth 1 -type f -exec cp {} "$out/grading/" \;
mkdir -p "$out/grading/gradescope"
cp grading/gradescope/setup.sh grading/gradescope/run_autograder "$out/grading/gradescope/"
cp grading/gradescope/setup.sh grading/gradescope/run_autograder "$out/"
printf '%s\n' "$labs" >"$out/grading/gradescope/labs"
# NSLAB_LANG=zh make gradescope: the hints point to the Chinese handouts.
printf '%s\n' "${NSLAB_LANG:-}" >"$out/grading/gradescope/lang"
(cd "$out" && zip -qr ../autograder.zip .)
echo "gradescope: build/autograder.zip ($(du -k build/autograder.zip | cut -f1) KB; labs: ${labs:-every lab the submission holds})"
# Each lab's points (its checks and every earlier lab's), for the
# assignment's total on Gradescope.
for name in $(build/nslab-check list); do
    nn=${name%%_*}
    case " ${labs:-$nn} " in *" $nn "*) ;; *) continue ;; esac
    points=$(awk -F'\t' -v nn="$nn" '$1 ~ /^[0-9][0-9]$/ && $1 + 0 <= nn + 0 { s += $3 } END { print s + 0 }' grading/rubric.tsv)
    echo "gradescope: lab $name: $points points (the assignment's total on Gradescope)"
done
