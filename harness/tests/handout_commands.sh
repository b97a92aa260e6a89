#!/bin/sh
# Run every command a handout tells a student to type, and compare what it
# prints with what the handout says it prints.
#
#   sh harness/tests/handout_commands.sh handouts/03_pid.md
#
# In an indented code block of the handout, a line "$ COMMAND" is a command
# to type; the lines under it, up to the next command or the end of the
# block, are what it prints (stdout and stderr together). In those lines,
# "..." matches any text, and a line that is only "..." any number of lines.
# Commands run from the kit's root, one shell each, without a terminal, with
# TRY_FROM=solutions so that `make tryNN` runs the reference solution. Exit 0
# when every command printed what the handout says.
set -u
cd "$(dirname "$0")/../.." || exit 2
if [ $# -ne 1 ] || [ ! -r "$1" ]; then echo "usage: handout_commands.sh HANDOUT.md" >&2; exit 2; fi
handout=$1
work=build/test-handouts/$(basename "$handout" .md)
rm -rf "$work" && mkdir -p "$work" || exit 2

# Split the handout into work/N.cmd and work/N.want, one pair per command.
awk -v dir="$work" '
    function close_one() { if (n) { close(dir "/" n ".cmd"); close(dir "/" n ".want") } }
    /^    \$ / { close_one(); n++; sub(/^    \$ /, ""); print > (dir "/" n ".cmd"); printf "" > (dir "/" n ".want"); inblock = 1; next }
    inblock && /^    / { sub(/^    /, ""); print >> (dir "/" n ".want"); next }
    { inblock = 0 }
    END { close_one(); print n + 0 > (dir "/count") }
' "$handout"

# Does the output (file 1) match the expected lines (file 2)?
matches() {
    awk '
        function literal(s,   out, i, c) {   # s as a regex that matches only s
            out = ""
            for (i = 1; i <= length(s); i++) {
                c = substr(s, i, 1)
                out = out (index("\\^$.[]|()*+?{}/", c) ? "\\" c : c)
            }
            return out
        }
        function pattern(s,   parts, k, n, out) {
            n = split(s, parts, /\.\.\./)
            out = literal(parts[1])
            for (k = 2; k <= n; k++) out = out ".*" literal(parts[k])
            return "^" out "$"
        }
        # Can want[i..] match got[j..]? ("..." alone: any number of lines)
        function fits(i, j,   k) {
            if (i > nw) return j > ng
            if (want[i] == "...") {
                for (k = j; k <= ng + 1; k++) if (fits(i + 1, k)) return 1
                return 0
            }
            return j <= ng && got[j] ~ pattern(want[i]) && fits(i + 1, j + 1)
        }
        FNR == NR { got[++ng] = $0; next }
        { want[++nw] = $0 }
        END { exit fits(1, 1) ? 0 : 1 }
    ' "$1" "$2"
}

failed=0 total=$(cat "$work/count")
i=1
while [ "$i" -le "$total" ]; do
    cmd=$(cat "$work/$i.cmd")
    # As from a student's own shell: none of make's variables from make test.
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES TRY_FROM=solutions NO_COLOR=1 \
        timeout 120 sh -c "$cmd" >"$work/$i.got" 2>&1 </dev/null
    if matches "$work/$i.got" "$work/$i.want"; then
        echo "ok      \$ $cmd"
    else
        echo "WRONG   \$ $cmd"
        echo "  the handout says it prints:"
        sed 's/^/    | /' "$work/$i.want"
        echo "  it printed:"
        sed 's/^/    | /' "$work/$i.got"
        failed=$((failed + 1))
    fi
    i=$((i + 1))
done
echo "$handout: $((total - failed)) of $total commands print what the handout says"
[ "$total" -gt 0 ] && [ "$failed" -eq 0 ]
