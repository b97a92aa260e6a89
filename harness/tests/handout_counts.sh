#!/bin/sh
# Every number of checks or points a handout states, English and Chinese,
# against what the grader has: `nslab-check --list` (checks per lab) and
# grading/rubric.tsv (points per lab). A lab that gains a check makes this
# fail until its handouts say so.
#
#   sh harness/tests/handout_counts.sh [DIR]   (after make: it runs build/nslab-check;
#                                              DIR: the handouts, default handouts)
#
# The sentences it reads, as the handouts write them:
#   runs 18 checks                    runs the 23 checks of labs 01-02
#   the 18 checks of lab 01           (41 of labs 01-04, 20 of lab 05)
#   and the 11 of lab 03 / and 7 of lab 04 / these 13 of lab 10
#   (33 points) / worth 21 points / worth 29
#   实验 01-02 的 23 个检查项   实验 03 的 11 个   这 13 个   共 33 分
# Prints each wrong number; exits 1 if there is one, 2 if nothing was read.
set -u
dir=${1:-handouts}
if [ ! -x build/nslab-check ]; then echo "handout_counts: build/nslab-check missing (run make)" >&2; exit 2; fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# The truth: checks and points of each lab's own layer.
for f in "$dir"/[0-9][0-9]_*.md; do
    lab=$(basename "$f" .md | cut -c1-2)
    n=$(build/nslab-check --lab "$lab" --program /bin/true --list 2>/dev/null | awk -F'\t' -v l="$lab" 'substr($1, 1, 2) == l' | wc -l)
    p=$(awk -F'\t' -v l="$lab" '!/^#/ && substr($1, 1, 2) == l { s += $3 } END { print s + 0 }' grading/rubric.tsv)
    printf '%s %s %s\n' "$lab" "$n" "$p"
done >"$tmp/truth"
[ -s "$tmp/truth" ] || { echo "handout_counts: no lab found" >&2; exit 2; }

# Each claim as "KIND FIRST LAST NUMBER FILE:LINE" (KIND checks or points;
# FIRST-LAST the labs it counts). A handout's own lab is the one its name says.
for f in "$dir"/[0-9][0-9]_*.md "$dir"/zh/[0-9][0-9]_*.md; do
    own=$(basename "$f" .md | cut -c1-2)
    # A sentence may wrap: each paragraph joined into one line, its first line's number kept.
    awk -v own="$own" -v file="$f" '
        function claim(kind, first, last, n) { print kind, first, last, n, file ":" start }
        function scan(t,   m, a) {
            s = t
            while (match(s, /runs [0-9]+ checks/)) { split(substr(s, RSTART, RLENGTH), a, " "); claim("checks", "01", own, a[2]); s = substr(s, RSTART + RLENGTH) }
            s = t
            while (match(s, /[0-9]+ checks of labs? [0-9][0-9](-[0-9][0-9])?/)) { m = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
                split(m, a, " "); range(a[5]); claim("checks", r1, r2, a[1]) }
            s = t
            while (match(s, /[(,] ?[0-9]+ of labs? [0-9][0-9](-[0-9][0-9])?/)) { m = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
                sub(/^[(,] ?/, "", m); split(m, a, " "); range(a[4]); claim("checks", r1, r2, a[1]) }
            s = t
            while (match(s, /(and|these|and the) [0-9]+ of lab [0-9][0-9]/)) { m = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
                n = split(m, a, " "); claim("checks", a[n], a[n], a[n - 3]) }
            s = t
            while (match(s, /(\(|worth )[0-9]+ points?/)) { m = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
                gsub(/[^0-9]/, "", m); if (t ~ /make lab[0-9][0-9]` runs/) claim("points", own, own, m) }
            s = t
            while (match(s, /实验 [0-9][0-9](-[0-9][0-9])? 的 ?(这|下面这|以下)? ?[0-9]+ 个/)) { m = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
                split(m, a, " "); range(a[2]); match(m, /[0-9]+ 个$/); claim("checks", r1, r2, substr(m, RSTART, RLENGTH - 2) + 0) }
            s = t
            while (match(s, /共(计)? ?[0-9]+ 分/)) { m = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
                gsub(/[^0-9]/, "", m); if (t ~ /make lab[0-9][0-9]` 运行/) claim("points", own, own, m) }
            s = t
            while (match(s, /并运行 [0-9]+ 个检查项/)) { m = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
                gsub(/[^0-9]/, "", m); claim("checks", "01", own, m) }
        }
        function range(x,   b) { if (split(x, b, "-") == 2) { r1 = b[1]; r2 = b[2] } else { r1 = x; r2 = x } }
        /^```/ { code = !code }
        code || /^    / { next }
        /^[ \t]*$/ { if (para != "") scan(para); para = ""; next }
        { if (para == "") start = FNR; para = para " " $0 }
        END { if (para != "") scan(para) }' "$f"
done >"$tmp/claims"
[ -s "$tmp/claims" ] || { echo "handout_counts: no count found in the handouts" >&2; exit 2; }

awk 'NR == FNR { checks[$1] = $2; points[$1] = $3; next }
     { want = 0
       for (l = $2 + 0; l <= $3 + 0; l++) { k = sprintf("%02d", l); want += ($1 == "checks" ? checks[k] : points[k]) }
       read++
       if ($4 + 0 != want) { printf "%s: %s %s of labs %s-%s, the grader has %d\n", $5, $4, $1, $2, $3, want; bad++ } }
     END { printf "handout_counts: %d numbers read, %d wrong\n", read, bad; exit bad > 0 }' "$tmp/truth" "$tmp/claims"
