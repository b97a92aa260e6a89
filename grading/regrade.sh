#!/bin/bash
# make regrade CLASS=DIR [LABS="03 04"] [OUT=build/regrade] [JOBS=N]: grade a
# whole class again (after a rubric fix, or for late work).
#
# DIR holds one folder per student: their repository, or just their files
# (anything nslab-grade --find takes: labs/ first, then the shallowest;
# zips unpacked). Every student is graded by a grader of their own, JOBS of
# them side by side (default: this machine's CPUs; they never see each
# other's worlds), with one line of progress as each finishes. A student
# whose files, and the kit's grader, rubric and list of labs, are the same
# as at their last grade is not graded again (FORCE=1 grades everyone).
#
# Written under OUT:
#   students/NAME/results.json, report.txt   each student's, as Gradescope's
#   gradebook.csv   student,lab,score,max,pass,fail,timeout,crash,build,env,
#                   hints_opened,hints_total,file: one row a lab graded (a
#                   student with no lab file: one row, lab "none")
# Exit 0 when every student was graded (whatever their scores), 2 when a
# grader could not run for one of them or the arguments are wrong.
set -u
cd "$(dirname "$0")/.." || exit 2
class=${1:-}
labs=${2:-}
out=${3:-build/regrade}
jobs=${4:-}
if [ -z "$class" ] || [ ! -d "$class" ]; then
    echo "make regrade: CLASS must be a folder holding one folder per student (CLASS=${class:-unset})" >&2
    exit 2
fi
if [ -z "$jobs" ]; then
    jobs=$(nproc 2>/dev/null || echo 2)
fi
case $jobs in '' | *[!0-9]* | 0) echo "make regrade: JOBS must be a number, like JOBS=4" >&2; exit 2 ;; esac
for tool in jq sha256sum; do
    command -v "$tool" >/dev/null 2>&1 || { echo "make regrade: $tool is missing (sudo apt-get install -y $tool)" >&2; exit 2; }
done
class=$(cd "$class" && pwd -P)
mkdir -p "$out/students" || exit 2

# The students: the class folder's own folders, hidden ones aside.
students=()
while IFS= read -r -d '' dir; do
    name=${dir##*/}
    case $name in
        .*) continue ;;
        *[[:cntrl:]]*) printf 'make regrade: skipped a folder whose name holds a control character: %q\n' "$name" >&2; continue ;;
    esac
    students+=("$name")
done < <(find "$class" -mindepth 1 -maxdepth 1 -type d -print0 | sort -z)
total=${#students[@]}
if [ "$total" -eq 0 ]; then
    echo "make regrade: $class holds no student folder" >&2
    exit 2
fi

# What a grade depends on besides the student's files.
kit=$(cat build/nslab-check build/nslab-grade grading/rubric.tsv grading/labs.tsv | sha256sum | cut -c1-64)

# fingerprint NAME: the student's files (hidden ones and what make built
# aside, the hints' note kept), the kit's, and the labs asked for.
fingerprint() {
    local dir=$class/$1
    {
        echo "$kit $labs"
        (cd "$dir" && find . -type f ! -path '*/.*' \( ! -path './build/*' -o -path './build/hints/*' \) -print0 |
            sort -z | xargs -0r sha256sum)
    } | sha256sum | cut -c1-64
}

# grade NAME: one student, into $out/students/NAME; prints one line.
grade() {
    local name=$1 dir=$class/$1 dest=$out/students/$1 print status started
    print=$(fingerprint "$name")
    if [ -z "${FORCE:-}" ] && [ -s "$dest/results.json" ] && [ "$(cat "$dest/fingerprint" 2>/dev/null)" = "$print" ]; then
        echo "unchanged"
        return 0
    fi
    rm -rf "$dest" && mkdir -p "$dest" || return 2
    started=$(date +%s)
    # Their hints' note, where their copy of the kit keeps it; else none.
    local opened
    opened=$(find "$dir" -maxdepth 4 -type d -path '*/build/hints' ! -path '*/.*' 2>/dev/null | sort | head -n 1)
    build/nslab-grade --find ${labs:+--labs "$labs"} --submission "$dir" --out "$dest/grade" --color never \
        --hints-opened "${opened:-$dest/no-hints}" >"$dest/report.txt" 2>&1
    status=$?
    if [ -s "$dest/grade/results.json" ]; then
        mv "$dest/grade/results.json" "$dest/results.json"
    fi
    rm -rf "$dest/grade"
    if [ "$status" -ge 2 ] && ! jq -e '.extra_data.labs | length > 0' "$dest/results.json" >/dev/null 2>&1; then
        echo "NOT GRADED (status $status): $(tail -n 1 "$dest/report.txt")"
        return 2
    fi
    [ -s "$dest/results.json" ] || { echo "NOT GRADED: no results"; return 2; }
    echo "$print" >"$dest/fingerprint"
    jq -r --arg s "$(($(date +%s) - started))" \
        '[.extra_data.labs // {} | to_entries[] | "\(.key | .[0:2]) \(.value.score)/\(.value.max)"] |
         if length == 0 then "no lab file" else join(", ") end + " (\($s) s)"' "$dest/results.json"
}

# Side by side, JOBS at a time, one line as each finishes.
start=$(date +%s)
finished=0 failed=0 skipped=0
lines=$out/.lines
rm -rf "$lines" && mkdir -p "$lines" || exit 2
declare -A running=()   # PID -> the student's index
# reap: wait for one grader to end, and say how it went.
reap() {
    local pid="" status i line
    wait -n -p pid
    status=$?
    [ -n "$pid" ] && [ -n "${running[$pid]:-}" ] || return 0
    i=${running[$pid]}
    unset "running[$pid]"
    line=$(head -n 1 "$lines/$i")
    finished=$((finished + 1))
    [ "$status" -eq 0 ] || failed=$((failed + 1))
    [ "$line" = unchanged ] && skipped=$((skipped + 1))
    printf '[%d/%d, %d s] %s: %s\n' "$finished" "$total" "$(($(date +%s) - start))" "${students[$i]}" "$line" >&2
}
for i in "${!students[@]}"; do
    while [ "${#running[@]}" -ge "$jobs" ]; do
        reap
    done
    grade "${students[$i]}" >"$lines/$i" 2>&1 &
    running[$!]=$i
done
while [ "${#running[@]}" -gt 0 ]; do
    reap
done
rm -rf "$lines"

# The gradebook: one row a student's lab, from their results.json.
book=$out/gradebook.csv
{
    echo "student,lab,score,max,pass,fail,timeout,crash,build,env,hints_opened,hints_total,file"
    for name in "${students[@]}"; do
        r=$out/students/$name/results.json
        [ -s "$r" ] || { printf '"%s",none,,,,,,,,,,,"not graded"\n' "${name//\"/\"\"}"; continue; }
        jq -r --arg student "$name" '
            (.extra_data.labs // {}) as $labs |
            if ($labs | length) == 0 then [$student, "none", "", "", "", "", "", "", "", "", "", "", "no lab file found"]
            else $labs | to_entries[] | [$student, .key, .value.score, .value.max, .value.verdicts.PASS,
                .value.verdicts.FAIL, .value.verdicts.TIMEOUT, .value.verdicts.CRASH, .value.verdicts.BUILD,
                .value.verdicts.ENV, .value.hints_opened, .value.hints_total, .value.file] end | @csv' "$r"
    done
} >"$book.tmp" && mv "$book.tmp" "$book"
seconds=$(($(date +%s) - start))
graded=$((total - skipped - failed))
echo "regrade: $total students ($graded graded, $skipped unchanged, $failed not graded) in $seconds s" \
    "($((seconds > 0 ? graded * 60 / seconds : graded)) students/minute); gradebook: $book" >&2
[ "$failed" -eq 0 ] || exit 2
