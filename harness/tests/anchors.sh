#!/bin/sh
# The GitHub anchor of every heading of a Markdown file, one "LEVEL SLUG"
# line each (headings inside indented code blocks left out):
#
#   sh harness/tests/anchors.sh handouts/03_pid.md     ->  1 lab-03-pid-1-...
#                                                          2 goal ...
#
# GitHub's slug: lower case, every character but letters, digits, space, _
# and - dropped, each space to -. The grader's hints and the Chinese
# handouts' <a id> lines use it.
set -u
if [ $# -ne 1 ] || [ ! -r "$1" ]; then echo "usage: anchors.sh FILE.md" >&2; exit 2; fi
awk '/^    / { next } /^#+ / { n = index($0, " "); print n - 1, substr($0, n + 1) }' "$1" |
    while read -r level text; do
        printf '%s %s\n' "$level" "$(printf '%s' "$text" | tr '[:upper:]' '[:lower:]' | sed 's/[^a-z0-9 _-]//g; s/ /-/g')"
    done
