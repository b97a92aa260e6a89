#!/bin/sh
# make handouts: the handouts as web pages, in English and Chinese.
#
#   sh handouts/web/build.sh OUT [NN_name...]
#
# Writes OUT/index.html and OUT/NN_name.html for each lab (default: every
# handouts/NN_name.md), OUT/zh/ the same for the Chinese handouts
# (handouts/zh/), OUT/figures/*.svg drawn by graphviz from
# handouts/figures/*.dot (figures/zh/: in Chinese), and OUT/style.css. Every page has the shared
# stylesheet, a table of contents, links to the labs before and after it and
# to its other language, highlighted code (handouts/web/filter.lua). Links
# point only to labs of this build, so a release of labs 01-03 has none to
# lab 04. Exit 0 when every page and figure was made; one line on stderr and
# exit 1 for the first that was not.
set -eu
cd "$(dirname "$0")/../.."
if [ $# -lt 1 ]; then echo "usage: build.sh OUT [NN_name...]" >&2; exit 2; fi
out=$1
shift
if [ $# -eq 0 ]; then
    for f in handouts/[0-9][0-9]_*.md; do set -- "$@" "$(basename "$f" .md)"; done
fi
labs="$*"
web=handouts/web
mkdir -p "$out/figures/zh" "$out/zh"
cp "$web/style.css" "$out/"

# figures/NAME.dot -> OUT/figures/NAME.svg; figures/zh/NAME.dot (the same
# drawing, its words in Chinese) -> OUT/figures/zh/NAME.svg.
for dot in handouts/figures/*.dot handouts/figures/zh/*.dot; do
    [ -r "$dot" ] || continue
    svg=$out/${dot#handouts/}
    dot -Tsvg "$dot" -o "${svg%.dot}.svg" || { echo "handouts: graphviz could not draw $dot" >&2; exit 1; }
done

# The page's language as HTML names it: the handouts are in simplified Chinese.
html_lang() { if [ "$1" = zh ]; then echo zh-Hans; else echo "$1"; fi; }

# The title of a handout: its first heading, without "# " and backquotes.
title_of() { sed -n '/^# /{s/^# //p;q;}' "$1" | tr -d '`'; }

# render SRC DEST PANDOC-OPTIONS...: one page of the site, from Markdown.
# Chinese text has no spaces between words: a line break inside a paragraph
# must not become one ("使用， 命名空间"), hence east_asian_line_breaks.
render() {
    src=$1 dest=$2
    shift 2
    pandoc -f gfm+east_asian_line_breaks -t html5 -s --template "$web/template.html5" --lua-filter "$web/filter.lua" "$@" -o "$dest" "$src" ||
        { echo "handouts: pandoc could not render $src" >&2; exit 1; }
}

# page LANG SRC DEST ROOT PREV NEXT OTHER: one handout's page. ROOT is the
# way from the page to OUT ("" or "../"); PREV, NEXT, OTHER the pages of the
# lab before, after and of the other language ("" when there is none).
page() {
    lang=$1 src=$2 dest=$3 root=$4 prev=$5 next=$6 other=$7
    page_labs=$labs
    if [ "$lang" = zh ]; then
        page_labs=$zh_labs lab="实验"
        set -- -V toc-label="目录" -V home-label="全部实验" \
            -V other-lang-label="English" -V other-lang-code=en -V home=zh/index.html
    else
        lab="Lab"
        set -- -V toc-label="Contents" -V home-label="All labs" \
            -V other-lang-label="中文" -V other-lang-code=zh-Hans -V home=index.html
    fi
    [ -n "$prev" ] && set -- "$@" -V prev="$prev.html" -V prev-title="$(title_of "$(dirname "$src")/$prev.md")" \
        -V prev-label="$lab ${prev%%_*}"
    [ -n "$next" ] && set -- "$@" -V next="$next.html" -V next-title="$(title_of "$(dirname "$src")/$next.md")" \
        -V next-label="$lab ${next%%_*}"
    [ -n "$other" ] && set -- "$@" -V other-lang="$other"
    render "$src" "$dest" --toc --toc-depth=2 --highlight-style=tango -V lang="$(html_lang "$lang")" -V root="$root" \
        -M pagetitle="$(title_of "$src")" -M nslab-labs="$page_labs" -M nslab-self="$(basename "$src" .md)" "$@"
}

# index LANG DIR DEST ROOT: the list of the labs of one language.
index() {
    lang=$1 dir=$2 dest=$3 root=$4
    {
        if [ "$lang" = zh ]; then
            printf '# nslab：用十个实验构建一个 Linux 容器\n\n'
            printf '每个实验为容器加上一层隔离。从实验 01 开始，按顺序做。\n\n'
        else
            printf '# nslab: build a Linux container in ten labs\n\n'
            printf 'Each lab adds one layer of isolation to the container. Start with lab 01 and go in order.\n\n'
        fi
        for name in $labs; do
            if [ -r "$dir/$name.md" ]; then printf '1. [%s](%s.html)\n' "$(title_of "$dir/$name.md")" "$name"; fi
        done
    } > "$out/.index.md"
    if [ "$lang" = zh ]; then
        set -- -V home=zh/index.html -V other-lang-label="English" -V other-lang-code=en -V other-lang=../index.html
    else
        set -- -V home=index.html -V other-lang-label="中文" -V other-lang-code=zh-Hans
        [ -n "$zh_labs" ] && set -- "$@" -V other-lang=zh/index.html
    fi
    render "$out/.index.md" "$dest" -V lang="$(html_lang "$lang")" -V root="$root" -M pagetitle="nslab" -M nslab-labs="$labs" "$@"
    rm -f "$out/.index.md"
}

# The labs of this build that have a Chinese handout.
zh_labs=""
for name in $labs; do if [ -r "handouts/zh/$name.md" ]; then zh_labs="$zh_labs $name"; fi; done
prev=""
# shellcheck disable=SC2086 # one word a lab
set -- $labs
while [ $# -gt 0 ]; do
    name=$1 next=${2:-}
    other=""; [ -r "handouts/zh/$name.md" ] && other="zh/$name.html"
    page en "handouts/$name.md" "$out/$name.html" "" "$prev" "$next" "$other"
    if [ -r "handouts/zh/$name.md" ]; then
        zprev=$prev; [ -n "$prev" ] && [ ! -r "handouts/zh/$prev.md" ] && zprev=""
        znext=$next; [ -n "$next" ] && [ ! -r "handouts/zh/$next.md" ] && znext=""
        page zh "handouts/zh/$name.md" "$out/zh/$name.html" "../" "$zprev" "$znext" "../$name.html"
    fi
    prev=$name
    shift
done
index en handouts "$out/index.html" ""
if [ -n "$zh_labs" ]; then index zh handouts/zh "$out/zh/index.html" "../"; fi
count() { find "$out/$1" -maxdepth 1 -name "$2" | wc -l; }
echo "handouts: $out/index.html ($(count . '[0-9]*.html') labs and $(count figures '*.svg') figures, $(count zh '[0-9]*.html') and $(count figures/zh '*.svg') in Chinese)"
