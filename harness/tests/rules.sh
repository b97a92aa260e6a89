#!/bin/sh
# Every rule a handout states has a check that fails a lab breaking it, and
# a broken variant in the kit's tests that proves the check catches it.
#
#   sh harness/tests/rules.sh NN_name     (make test's handout_NN_rules_have_checks)
#
# In handouts/NN_name.md, a rule is marked where it is stated, by an HTML
# comment (invisible on the page) in its paragraph or list item:
#     <!-- rule: ID -->
# and handouts/rules/NN_name.tsv, the map a maintainer reads, gives each:
#     ID <TAB> CHECKS <TAB> VARIANTS <TAB> the rule, in a few words
# (CHECKS and VARIANTS comma-separated: checks of this lab or an earlier one;
# broken variants of harness/tests/variants/, or hostile:NAME).
#
# What must be marked: every paragraph and list item of the sections "Task",
# "The options" and "Pitfalls", and, anywhere but the Background, Questions
# and How you are graded, every one that says "must", "never", "refused" or
# "refuses" ("only" is left out: it explains far more often than it rules).
# A block that says so without stating a rule of the lab (the kernel's
# behaviour, a tool's) carries <!-- not a rule --> instead.
#
# Fails, saying each, when a block lacks its marker, a marker has no row, a
# row no marker, a check is not one of the lab's, a variant does not exist or
# does not name one of the row's checks among those that must catch it.
set -u
cd "$(dirname "$0")/../.." || exit 2
[ $# -eq 1 ] || { echo "usage: sh harness/tests/rules.sh NN_name" >&2; exit 2; }
lab=$1 handout=handouts/$1.md map=handouts/rules/$1.tsv
work=build/test-rules/$lab
mkdir -p "$work" || exit 2
[ -r "$handout" ] || { echo "no $handout"; exit 1; }
[ -r "$map" ] || { echo "no $map: the map of $lab's rules"; exit 1; }
status=0

# 1. The blocks that must carry a marker and do not: "LINE: first words".
awk '
    function flush() {
        if (block != "" && need && block !~ /<!-- (rule: [a-z0-9-]+|not a rule) -->/)
            printf "%d: %s\n", start, substr(first, 1, 90)
        block = ""; need = 0
    }
    /^```/ { fence = !fence; next }
    fence { next }
    /^## / { flush(); section = substr($0, 4); next }
    /^    / && block == "" { next }                      # an indented code block
    /^[ \t]*$/ { flush(); next }
    /^(- |[0-9]+\. )/ { flush() }                        # a new list item
    {
        if (block == "") { start = NR; first = $0 }
        block = block " " $0
        strict = (section == "Task" || section == "The options" || section == "Pitfalls")
        loose = !(section == "Background" || section == "Questions" || section == "How you are graded" || section == "Goal")
        if (strict || (loose && tolower($0) ~ /(^|[^a-z])(must|never|refused|refuses)([^a-z]|$)/))
            need = 1
    }
    END { flush() }
' "$handout" >"$work/unmarked.txt"
if [ -s "$work/unmarked.txt" ]; then
    echo "$handout: blocks that state a rule with no <!-- rule: ID --> (or <!-- not a rule -->):"
    sed 's/^/  line /' "$work/unmarked.txt"
    status=1
fi

# 2. Markers and rows, each with the other.
grep -o '<!-- rule: [a-z0-9-]* -->' "$handout" | sed 's/<!-- rule: //; s/ -->//' | sort >"$work/marked.txt"
grep -v '^#' "$map" | awk -F'\t' 'NF { print $1 }' | sort >"$work/rows.txt"
dup=$(uniq -d "$work/rows.txt")
[ -z "$dup" ] || { echo "$map: rules with two rows: $dup"; status=1; }
missing=$(comm -23 "$work/marked.txt" "$work/rows.txt" | sort -u)
[ -z "$missing" ] || { echo "$map: no row for the rules $handout marks: $missing" | tr '\n' ' '; echo; status=1; }
stale=$(comm -13 "$work/marked.txt" "$work/rows.txt")
[ -z "$stale" ] || { echo "$map: rows for no rule of $handout: $stale" | tr '\n' ' '; echo; status=1; }

# 3. Each row's checks are the lab's, its variants exist and name one of them.
build/nslab-check --lab "$lab" --list | cut -f2 | sort >"$work/checks.txt" || exit 2
NSLAB_KIT_LIST=1 build/test_kit >"$work/variants.txt" || exit 2
grep -v '^#' "$map" | while IFS="$(printf '\t')" read -r id checks variants words; do
    [ -n "$id" ] || continue
    if [ -z "$checks" ] || [ -z "$variants" ] || [ -z "$words" ]; then
        echo "$map: $id: a row needs checks, variants and its words"
        echo bad >>"$work/bad"
        continue
    fi
    for c in $(echo "$checks" | tr ',' ' '); do
        grep -qx "$c" "$work/checks.txt" || { echo "$map: $id: $c is no check of $lab or an earlier lab"; echo bad >>"$work/bad"; }
    done
    for v in $(echo "$variants" | tr ',' ' '); do
        line=$(awk -F'\t' -v v="$v" '$1 == v' "$work/variants.txt")
        if [ -z "$line" ]; then
            echo "$map: $id: no variant $v (harness/tests/variants/)"
            echo bad >>"$work/bad"
            continue
        fi
        catches=$(echo "$line" | cut -f3)
        found=0
        for c in $(echo "$checks" | tr ',' ' '); do
            case ",$catches," in *",$c,"* | *",*,"*) found=1 ;; esac
        done
        [ "$found" = 1 ] || { echo "$map: $id: variant $v must be caught by one of $checks (it names $catches)"; echo bad >>"$work/bad"; }
    done
done
[ ! -e "$work/bad" ] || status=1
rm -f "$work/bad"
[ "$status" = 0 ] && echo "$lab: $(wc -l <"$work/rows.txt") rules, each with a check and a variant that proves it"
exit $status
