#!/bin/sh
# Does a Chinese handout match its English original where it must?
#
#   sh harness/tests/handout_zh.sh handouts/03_pid.md handouts/zh/03_pid.md
#
# - Every heading of the English handout has, in the same order and at the
#   same level, a heading in the Chinese one right after a line
#   <a id="SLUG"></a>, SLUG being GitHub's anchor of the English heading:
#   the grader's hints (NN_name.md#slug) work in both.
# - The indented code blocks (the commands a student types, what they print,
#   the code) are the same, byte for byte and in the same order: make test
#   runs the English ones, so the Chinese ones do what they say too.
# - The same figures (../figures/zh/NAME.svg: the drawing with Chinese words),
#   and as many graded hints (<details>).
# - The test world called 测试世界 alone, in the handout and its hints.
# Prints one line per difference; exit 0 when there is none.
set -u
if [ $# -ne 2 ] || [ ! -r "$1" ]; then echo "usage: handout_zh.sh EN.md ZH.md" >&2; exit 2; fi
en=$1 zh=$2
[ -r "$zh" ] || { echo "$zh: missing (the Chinese version of $en)"; exit 1; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# Level and GitHub anchor of each heading of the English handout.
sh "$(dirname "$0")/anchors.sh" "$en" > "$tmp/en.anchors" || exit 2
# The same for the Chinese one: the id of the <a id> line before each heading.
awk '/^    / { next }
     /^#+ / { n = index($0, " "); print n - 1, (prev ~ /^<a id="[^"]*"><\/a>$/ ? substr(prev, 8, length(prev) - 13) : "(no <a id> line before: " $0 ")") }
     { prev = $0 }' "$zh" > "$tmp/zh.anchors"
diff "$tmp/en.anchors" "$tmp/zh.anchors" | sed -n 's/^< /missing or out of order in '"${zh##*/}"': heading (level, anchor) /p; s/^> /not in the English handout: heading (level, anchor) /p' > "$tmp/out"

# The indented code blocks: lines indented 4 spaces after a blank line.
blocks() {
    awk '/^$/ { if (inb) pend++; blank = 1; next }
         blank && /^    / && !inb { inb = 1; print "--- code block"; pend = 0 }
         inb && /^    / { while (pend > 0) { print ""; pend-- } print; blank = 0; next }
         { inb = 0; pend = 0; blank = 0 }' "$1"
}
blocks "$en" > "$tmp/en.code"
blocks "$zh" > "$tmp/zh.code"
if ! cmp -s "$tmp/en.code" "$tmp/zh.code"; then
    echo "code blocks differ from the English ones (first difference):" >> "$tmp/out"
    diff "$tmp/en.code" "$tmp/zh.code" | sed -n '1,6p' >> "$tmp/out"
fi

figures() { grep -o '!\[[^]]*\]([^)]*)' "$1" | sed 's/.*(\(.*\))/\1/; s|^\.\./||; s|^figures/zh/|figures/|'; }
[ "$(figures "$en")" = "$(figures "$zh")" ] ||
    echo "figures differ: English $(figures "$en" | tr '\n' ' ')/ Chinese $(figures "$zh" | tr '\n' ' ')(../figures/zh/ in zh)" >> "$tmp/out"
# The same rules marked, in the same order (harness/tests/rules.sh).
rules() { grep -o '<!-- rule: [a-z0-9-]* -->' "$1"; }
[ "$(rules "$en")" = "$(rules "$zh")" ] ||
    echo "rules marked differ: English $(rules "$en" | sed 's/<!-- rule: //; s/ -->//' | tr '\n' ' ')/ Chinese $(rules "$zh" | sed 's/<!-- rule: //; s/ -->//' | tr '\n' ' ')" >> "$tmp/out"
# The same number of hints (handouts/hints/ and handouts/zh/hints/).
enh=$(dirname "$en")/hints/$(basename "$en") zhh=$(dirname "$zh")/hints/$(basename "$zh")
[ "$(grep -c '^## ' "$enh" 2>/dev/null)" = "$(grep -c '^## ' "$zhh" 2>/dev/null)" ] ||
    echo "hints: $(grep -c '^## ' "$enh" 2>/dev/null) in $enh, $(grep -c '^## ' "$zhh" 2>/dev/null) in $zhh" >> "$tmp/out"

# One word for one thing: the test world is 测试世界 (一次性的 when it is
# called disposable), never another name a reader could take for another thing.
grep -nE '测试环境|用完即弃|可丢弃' "$zh" "$zhh" 2>/dev/null | cut -c1-160 |
    sed 's/^/the test world is 测试世界 (disposable: 一次性的), not another word: /' >> "$tmp/out"

sed "s|^|$zh: |" "$tmp/out"
[ ! -s "$tmp/out" ]
