#!/bin/sh
# GitHub Classroom's step (classroom.yml): grade the lab files in labs/ (or
# NSLAB_SUBMISSION), print the report, and hand the points to Classroom's
# reporter action as its runners do: a step output `result`, base64 of
#   {"version": 1, "status": "pass"|"fail"|"error", "max_score": M,
#    "tests": [{"name", "status", "score", "message", "test_code"}]}
# The reporter receives it in one environment variable, which Linux caps at
# 128 KiB: the result is kept under 96 KiB (base64) whatever the labs print.
# A passing check carries no message; a failing one its message, cut at
# 1000 bytes, then 200; if it is still too big, the passing checks of a lab
# become one test ("03_pid: 30 checks pass", their points summed), then the
# failing ones too (their names in the message). Points never change.
# Runs as root (sudo where it is not: GitHub's runners allow it), from any
# folder; GITHUB_OUTPUT is where the output goes (stdout without it).
set -u
self=$(cd "$(dirname "$0")" && pwd -P)/$(basename "$0")
cd "$(dirname "$self")/../.." || exit 2
if [ "$(id -u)" -ne 0 ]; then
    exec sudo -E sh "$self" "$@"
fi
submission=${NSLAB_SUBMISSION:-labs}
labs=${NSLAB_LABS:-}
limit=${NSLAB_RESULT_LIMIT:-98304}   # bytes of base64 (96 KiB)
out=build/classroom
make -s tools || exit 2
# (nslab-grade itself: make would turn its 1, points lost, into 2.)
build/nslab-grade --find ${labs:+--labs "$labs"} --submission "$submission" --out "$out"
status=$?

# result CAP AGGREGATE_PASSES AGGREGATE_FAILURES: the reporter's JSON, base64.
result() {
    jq -c --argjson code "$status" --argjson cap "$1" --argjson aggp "$2" --argjson aggf "$3" '
        def lab: .name | split(": ")[0];
        def cut(m): if $cap == 0 then "" elif (m | length) > $cap then m[0:$cap] + " [cut: make grade shows it all]" else m end;
        def state: if .status == "passed" then "pass" elif (.tags // []) == ["ENV"] then "error" else "fail" end;
        def check: .name | sub("^[^:]*: "; "");
        {
            version: 1,
            status: (if $code == 0 then "pass" elif $code == 1 then "fail" else "error" end),
            max_score: ([.tests[].max_score // 0] | add // 0),
            tests: [.tests | group_by(lab) | sort_by(.[0] | lab)[] | . as $all |
                ($all | map(select(state == "pass"))) as $pass |
                ($all | map(select(state != "pass"))) as $rest |
                (if $aggp == 1 and ($pass | length) > 0 then
                    [{name: "\($pass[0] | lab): \($pass | length) checks pass", status: "pass",
                      score: ([$pass[].score // 0] | add)}]
                 else [$pass[] | {name, status: "pass", score: (.score // 0)}] end) +
                (if $aggf == 1 and ($rest | length) > 0 then
                    [{name: "\($rest[0] | lab): \($rest | length) checks fail", status: "fail", score: 0,
                      message: ([$rest[] | check] | join("\n") | .[0:2000]), test_code: "make grade"}]
                 else [$rest[] | {name, status: state, score: (.score // 0), message: cut(.output // ""),
                                  test_code: "make grade"}] end) | .[]]
        }' "$out/results.json" | base64 -w0
}

if [ -s "$out/results.json" ]; then
    for level in "1000 0 0" "200 0 0" "200 1 0" "0 1 0" "0 1 1"; do
        # shellcheck disable=SC2086 # three numbers
        encoded=$(result $level) || exit 2
        [ "${#encoded}" -le "$limit" ] && break
    done
else
    encoded=$(printf '{"version":1,"status":"error","max_score":0,"tests":[]}' | base64 -w0)
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "result=$encoded" >>"$GITHUB_OUTPUT"
else
    echo "result=$encoded"
fi
# The reporter turns the result into Classroom's points; the step itself
# fails only when nothing could be graded.
[ -s "$out/results.json" ]
